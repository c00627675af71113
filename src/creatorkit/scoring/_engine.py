"""One criterion through peer groups, low-data policy, normalization and missing policy."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._grouping import Groups, factorize, fallback
from creatorkit._validation import Problems, check_columns, fail
from creatorkit.errors import ErrorCode
from creatorkit.results import Note
from creatorkit.scoring import _shrink
from creatorkit.scoring._criterion import Criterion
from creatorkit.scoring._tables import Raw

_RATIOS = ("ratio", "per_mille", "amount")


@attrs.frozen(kw_only=True, eq=False)
class Scored:
    """A criterion's columns for the scored creators and its peer-group table."""

    columns: dict[str, np.ndarray]
    normalized: np.ndarray
    peers: pd.DataFrame
    notes: tuple[Note, ...]


@attrs.frozen(kw_only=True, eq=False)
class Peers:
    """The peer groups of one ``(peers, min_group)`` spec, shared by every criterion using it.

    Attributes:
        groups: The groups of the fallback (with the ``level`` key column).
        level: Each creator's fallback level (0 = the finest).
        codes: Each creator's group as ``int32`` (the ``<criterion>_peer_group`` column).
        table: ``group``, ``level``, ``peers`` (readable keys), ``size``, one row per group.
    """

    groups: Groups
    level: np.ndarray
    codes: np.ndarray
    table: pd.DataFrame


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One dict per row, also without columns (pandas 2 gives no rows then)."""
    if frame.shape[1] == 0:
        return [{} for _ in range(len(frame))]
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _labels(keys: pd.DataFrame) -> list[str]:
    """Readable peer-group keys (one label per group, never per creator)."""
    shown = keys.drop(columns=["level"]).astype(object)
    last = "all creators left after falling back"
    parts = [
        ", ".join(f"{k}={v}" for k, v in row.items() if v is not None and v == v)
        or (last if level > 0 else "all creators")
        for row, level in zip(_records(shown), keys["level"], strict=True)
    ]
    return parts


def shrink(c: Criterion, r: Raw, codes: np.ndarray) -> _shrink.Shrunk:
    """Shrink per the criterion's kind (rates: beta-binomial; ratios: log-normal)."""
    if not len(r.value):
        return _shrink.Shrunk(value=r.value, prior=r.value, strength=r.value)
    column = r.kind == "column"  # a per-creator column: a rate when it has only _trials
    if column and np.isfinite(r.trials).any() and not np.isfinite(r.low).any():
        if (r.value[np.isfinite(r.value)] > 1).any() or (r.value < 0).any():
            rule = f"{c.key}: a column shrunk as a rate (it has {c.name}_trials) must be in [0, 1]"
            fail("tables", rule, ErrorCode.OUT_OF_RANGE, value=c.name)
        return _shrink.rates(r.value * r.trials, r.trials, codes)
    if column and np.isfinite(r.low).any():
        exposure = np.where(np.isfinite(r.trials), r.trials, r.n)
        return _shrink.ratios(r.value, exposure, r.low, r.high, codes, posts=r.n)
    if r.kind == "rate" and np.isfinite(r.trials).any():
        bounds = {"low": r.low, "high": r.high, "posts": r.n}
        return _shrink.rates(r.value * r.trials, r.trials, codes, **bounds)
    if r.kind in _RATIOS and np.isfinite(r.low).any():
        exposure = np.where(np.isfinite(r.trials) & (r.trials > 0), r.trials, r.n)
        return _shrink.ratios(r.value, exposure, r.low, r.high, codes, posts=r.n)
    rule = (
        f"{c.key}: shrink needs a rate with <name>_trials or a ratio with a cluster interval "
        "(<name>_low/_high); use low_data='flag' or 'gate'"
    )
    fail("criteria", rule, ErrorCode.INVALID_VALUE, value=c.name)


def _normalize(c: Criterion, x: np.ndarray, codes: np.ndarray, benefit: bool) -> np.ndarray:
    """The registered normalizer's function on one column within peer groups.

    Called through :class:`~creatorkit.weighting.Normalizer` ``.function`` (its public
    contract: ``(n, k)`` values, directions, codes ``0 .. g - 1``) so that the scorecard's
    own group codes are used as they are, not grouped again.
    """
    from creatorkit import weighting

    entry = weighting.normalizers.get(c.normalizer)
    if entry.low is not None and (x < entry.low).any():
        rule = f"{c.normalizer} normalization needs values >= {entry.low:g}"
        fail("tables", rule, ErrorCode.NEGATIVE, value=float(x[x < entry.low][0]), column=c.key)
    present = np.bincount(codes)
    if (present == 0).any():  # some groups have no finite value: make the codes contiguous
        codes = (np.cumsum(present > 0) - 1)[codes]
    unknown = sorted(set(c.options) - set(entry.options))
    if unknown:
        fail("options", f"{c.normalizer} has no option {unknown[0]!r}", ErrorCode.UNKNOWN_NAME)
    with np.errstate(all="ignore"):
        out = entry.function(x.reshape(-1, 1), np.array([benefit]), codes, **dict(c.options))
    return np.asarray(out, dtype=float)[:, 0]


def _missing(c: Criterion, normalized: np.ndarray, codes: np.ndarray, ids: Any) -> None:
    """Fill values that have none per the missing policy (``ids``: array-like, read on error)."""
    gap = np.isnan(normalized)
    if not gap.any():
        return
    if c.missing == "error":
        problems = Problems("tables")
        problems.add_mask(
            c.key,
            gap,
            pd.Index(np.asarray(ids, dtype=object)),
            normalized,
            "no value (missing='error')",
            ErrorCode.MISSING_VALUE,
        )
        problems.raise_if_any()
    if c.missing == "penalize":
        normalized[gap] = 0.0
        return
    g = int(codes.max(initial=0)) + 1
    ok = ~gap
    sums = np.bincount(codes[ok], weights=normalized[ok], minlength=g)
    counts = np.bincount(codes[ok], minlength=g)
    mean = np.where(counts > 0, sums / np.maximum(counts, 1), 0.5)
    normalized[gap] = mean[codes[gap]]


def _encoded(sub: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The key columns as categoricals in sorted order (the grouping helper's own codes).

    ``fallback`` groups every level and the labelled keys again; on categoricals each of
    those reads integer codes instead of hashing the text keys once more.
    """
    columns = {}
    for key in keys:  # a loop over key columns
        codes, uniques = factorize(sub[key])
        columns[key] = pd.Categorical.from_codes(codes, categories=uniques)
    return pd.DataFrame(columns, index=sub.index, copy=False)


def peer_groups(c: Criterion, sub: pd.DataFrame) -> Peers:
    """Peer groups of the scored creators with the criterion's fallback order."""
    keys = sorted({k for level in c.peers for k in level})
    check_columns("tables", sub, keys)
    groups, level = fallback(_encoded(sub, keys), c.peers, min_size=c.min_group)
    table = pd.DataFrame(
        {
            "group": np.arange(groups.n),
            "level": groups.keys["level"].to_numpy(),
            "peers": _labels(groups.keys),
            "size": groups.sizes,
        }
    )
    return Peers(groups=groups, level=level, codes=groups.codes.astype(np.int32), table=table)


def _value_notes(c: Criterion, used: np.ndarray) -> list[Note]:
    """Notes on a criterion whose values separate no one (constant, or none at all)."""
    finite = used if np.isfinite(used).all() else used[np.isfinite(used)]
    if not len(finite):
        text = f"{c.key}: no creator has a value; every creator gets the missing-value policy"
        return [Note(code="criterion_empty", message=text, subject=c.key)]
    if np.ptp(finite) == 0:
        text = f"{c.key}: every creator has the same value; it separates no one"
        return [Note(code="constant_criterion", message=text, subject=c.key)]
    return []


_IMPUTED = {"neutral": "the peer group's mean normalized value", "penalize": "0 (penalized)"}


def _imputed_notes(c: Criterion, count: int) -> list[Note]:
    """A counted note on the creators whose missing value the criterion's policy filled."""
    if not count:
        return []
    text = "{subject}: {count} creators have no value; imputed as " + _IMPUTED[c.missing]
    return [Note.counted(f"missing_{c.missing}", text, count=count, subject=c.key)]


def _group_notes(c: Criterion, groups: Groups) -> list[Note]:
    """Notes on peer groups: fallbacks taken and groups that stayed small (per group)."""
    notes = []
    sizes = groups.sizes
    small = int(sizes[sizes < c.min_group].sum())
    if small:
        text = (
            "{subject}: {count} creators are in a peer group below min_group even after "
            "falling back to all creators"
        )
        notes.append(Note.counted("small_peer_group", text, count=small, subject=c.key))
    fell = int(sizes[groups.keys["level"].to_numpy() > 0].sum())
    if fell and len(c.peers) > 1:
        text = "{subject}: {count} creators fell back to a coarser peer group"
        notes.append(Note.counted("peer_fallback", text, count=fell, subject=c.key))
    return notes


def criterion(c: Criterion, r: Raw, sub: pd.DataFrame, keep: np.ndarray, peers: Peers) -> Scored:
    """Score one criterion for the kept creators (``sub``: their rows of the table)."""
    codes = peers.groups.codes
    value = r.value[keep]  # a copy: the table's column
    n = r.n if keep.all() else r.n[keep]
    cols: dict[str, np.ndarray] = {c.key: value}
    if not np.isnan(n).all():
        cols[f"{c.key}_n"] = n.copy() if n is r.n else n
    used = value
    if c.low_data == "shrink":
        kept = attrs.evolve(
            r, value=value, n=n, trials=r.trials[keep], low=r.low[keep], high=r.high[keep]
        )
        s = shrink(c, kept, codes)
        used = s.value
        cols[f"{c.key}_shrunk"] = used
        cols[f"{c.key}_prior"] = s.prior
        cols[f"{c.key}_strength"] = s.strength
    normalized = normalize_column(c, used, codes, r.direction == "higher")
    imputed = int(np.isnan(normalized).sum())
    _missing(c, normalized, codes, sub["creator_id"])
    cols[f"{c.key}_normalized"] = normalized
    cols[f"{c.key}_peer_group"] = peers.codes  # shared by the criteria of these peers
    cols[f"low_data_{c.key}"] = (n < c.min_n) & (c.low_data != "none")
    notes = _value_notes(c, used) + _group_notes(c, peers.groups) + _imputed_notes(c, imputed)
    table = peers.table.copy()
    table.insert(0, "criterion", c.key)
    return Scored(columns=cols, normalized=normalized, peers=table, notes=tuple(notes))


def normalize_column(
    c: Criterion, used: np.ndarray, codes: np.ndarray, benefit: bool
) -> np.ndarray:
    """The normalized values where ``used`` is finite, NaN elsewhere (a fresh array)."""
    finite = np.isfinite(used)
    if len(used) and finite.all():
        return _normalize(c, used, codes, benefit)
    normalized = np.full(len(used), np.nan)
    if finite.any():
        normalized[finite] = _normalize(c, used[finite], codes[finite], benefit)
    return normalized


def weights(criteria: tuple[Criterion, ...]) -> tuple[np.ndarray, tuple[Note, ...]]:
    """Weights summing to 1 (normalized with a note when they do not)."""
    w = np.array([c.weight for c in criteria], dtype=float)
    total = float(w.sum())
    if total <= 0:
        fail("criteria", "weights must not all be 0", ErrorCode.INVALID_VALUE)
    if abs(total - 1.0) > 1e-9:
        note = Note(
            code="weights_normalized",
            message=f"weights summed to {total:g}; they were divided by their sum",
        )
        return w / total, (note,)
    return w, ()


def contributions(columns: list[np.ndarray], w: np.ndarray, method: str) -> list[np.ndarray]:
    """:func:`aggregate` on the normalized columns: one contribution array per criterion.

    Separate arrays become table columns as they are; the weighted sum computes
    ``100 w_j r_ij`` column by column, without a normalized matrix.
    """
    n = len(columns[0]) if columns else 0
    if method == "weighted_sum" or not n:
        return [column * (100.0 * w[j]) for j, column in enumerate(columns)]
    parts = aggregate(np.column_stack(columns), w, method)
    return [np.ascontiguousarray(parts[:, j]) for j in range(len(columns))]


def total(parts: list[np.ndarray], n: int) -> np.ndarray:
    """The score: contributions added criterion by criterion, in order (fixed summation)."""
    score = np.zeros(n)
    for part in parts:  # a loop over criteria
        score += part
    return score


def aggregate(matrix: np.ndarray, w: np.ndarray, method: str) -> np.ndarray:
    """Contributions (n × k) on the normalized matrix, in score points (0–100)."""
    from creatorkit import weighting

    if method == "weighted_sum":  # exact: w_j r_ij, the documented attribution
        return np.asarray(matrix * (100.0 * w))
    options: dict[str, Any] = {"normalization": None}
    if len(matrix) == 1 and method == "weighted_product":  # row-wise: a copy changes nothing
        return aggregate(np.vstack([matrix, matrix]), w, method)[:1]
    if len(matrix) < 2:
        rule = f"{method} compares creators: at least 2 must pass the gates"
        fail("tables", rule, ErrorCode.INVALID_VALUE, value=len(matrix))
    parts = weighting.contributions(matrix, w, method=method, **options)
    return np.asarray(parts * 100.0)
