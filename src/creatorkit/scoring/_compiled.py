"""Compiled scorecards: a frozen reference population, scoring new rows without it.

A compiled scorecard keeps, per criterion and peer group, what its normalizer needs
(sorted values for ``percentile``; minimum and maximum for ``minmax``/``log``/``max``),
the mean normalized value (the ``neutral`` missing value) and, for shrunk criteria, the
group priors (the mean of the reference creators' leave-one-out priors and strengths). A
scored row joins the finest level whose group the reference has (the fallback of the
reference), so a new outlier moves no one else. A row of a shrunk criterion is shrunk
toward its frozen group prior (it needs ``<name>_trials``, or ``<name>_n`` for ratios
without trials). On the reference's own creators it equals :meth:`Scorecard.score` for
criteria without shrinkage; shrunk ones differ by the leave-one-out part of each prior.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._time import require_as_of
from creatorkit._validation import check_frame, fail
from creatorkit.errors import ErrorCode
from creatorkit.scoring import _engine, _tables

SCHEMA = "creatorkit.compiled_scorecard"


@attrs.frozen(kw_only=True, eq=False)
class Frozen:
    """One criterion's frozen reference: group lookups and per-group statistics."""

    levels: tuple[tuple[str, ...], ...]
    keys: tuple[pd.DataFrame, ...]  # per level: key columns → group id
    sorted_values: np.ndarray
    offsets: np.ndarray  # group g's values: sorted_values[offsets[g]:offsets[g + 1]]
    low: np.ndarray
    high: np.ndarray
    neutral: np.ndarray
    uniques: np.ndarray  # distinct reference values, sorted
    ranks: np.ndarray  # sorted (group, value) keys of the reference, see _keys
    lookup: tuple[dict[tuple[Any, ...], int], ...] = ()  # per level: key tuple → group
    index: tuple[pd.MultiIndex | None, ...] = ()  # per level: the keys, for batches
    benefit: bool = True
    prior: np.ndarray | None = None  # per group, shrinkage criteria only
    strength: np.ndarray | None = None
    rate: bool = False  # shrunk as a rate (else on the log scale)


def _freeze(c: Any, groups: Any, used: np.ndarray) -> Frozen:
    codes = groups.codes
    finite = np.isfinite(used)
    x = np.log1p(used) if c.normalizer == "log" else used
    order = np.lexsort((x, codes))
    order = order[finite[order]]
    counts = np.bincount(codes[finite], minlength=groups.n)
    offsets = np.r_[0, np.cumsum(counts)]
    values = x[order]
    low = np.full(groups.n, np.nan)
    high = np.full(groups.n, np.nan)
    has = counts > 0
    low[has] = values[offsets[:-1][has]]
    high[has] = values[offsets[1:][has] - 1]
    keys = []
    for i, level in enumerate(c.peers):
        rows = groups.keys["level"].to_numpy() == i
        table = groups.keys.loc[rows, list(level)].reset_index(drop=True)
        keys.append(table.assign(_group=np.flatnonzero(rows)))
    uniques = np.unique(values)
    ranks = _keys(uniques, values, codes[order])
    return Frozen(
        levels=c.peers,
        keys=tuple(keys),
        sorted_values=values,
        offsets=offsets,
        low=low,
        high=high,
        neutral=np.zeros(groups.n),
        uniques=uniques,
        ranks=ranks,
    )


@attrs.frozen(kw_only=True, eq=False)
class CompiledScorecard:
    """A scorecard frozen on a reference population (:meth:`Scorecard.compile`).

    Attributes:
        scorecard: The scorecard.
        frozen: Per criterion key, its frozen reference.
        reference_size: Creators of the reference that passed the gates.
    """

    scorecard: Any
    frozen: dict[str, Frozen]
    reference_size: int

    def _groups(self, f: Frozen, rows: pd.DataFrame) -> np.ndarray:
        if len(rows) == 1:  # one creator: a dict lookup per level (the 2 ms path)
            first = {k: rows[k].iloc[0] for lv in f.levels for k in lv}
            for level, lookup in zip(f.levels, f.lookup, strict=True):
                hit = lookup.get(tuple(first[k] for k in level), -1)
                if hit >= 0:
                    return np.array([hit], dtype=np.intp)
            return np.array([-1], dtype=np.intp)
        group = np.full(len(rows), -1, dtype=np.intp)
        for level, keys, index in zip(f.levels, f.keys, f.index, strict=True):
            if not len(keys):
                found = np.full(len(rows), -1)
            elif index is None:
                found = np.full(len(rows), int(keys["_group"].iloc[0]))
            else:
                probe = pd.MultiIndex.from_frame(rows[list(level)].astype(object))
                at = index.get_indexer(probe)
                found = np.where(at >= 0, keys["_group"].to_numpy()[np.maximum(at, 0)], -1)
            group = np.where(group < 0, found, group)
        return group

    def _normalize(
        self, c: Any, f: Frozen, x: np.ndarray, g: np.ndarray, benefit: bool
    ) -> np.ndarray:
        from creatorkit._arith import divide

        ok = np.isfinite(x) & (g >= 0)
        v = np.log1p(np.where(ok, x, 0.0)) if c.normalizer == "log" else np.where(ok, x, 0.0)
        gg = np.maximum(g, 0)
        if c.normalizer == "percentile":
            size = np.diff(f.offsets)[gg].astype(float)
            left, right = _positions(f, v, gg)
            rank = (left + right + 1) / 2.0
            out = divide(rank if benefit else size + 1.0 - rank, size)
        elif c.normalizer == "max":
            r = divide(v, f.high[gg])
            out = r if benefit else 1.0 - r
        elif c.normalizer == "kpi":
            from creatorkit import weighting

            out = weighting.normalize(v.reshape(-1, 1), "kpi", benefit=benefit, **dict(c.options))[
                :, 0
            ]
        else:
            r = divide(v - f.low[gg], f.high[gg] - f.low[gg])
            r = np.where(np.isnan(r), 0.5, r)
            out = r if benefit else 1.0 - r
        out = np.clip(np.where(ok, out, np.nan), 0.0, 1.0)
        return np.where(np.isnan(out) & (g >= 0), f.neutral[gg], out)

    def score(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Score rows of criterion values against the frozen reference.

        Args:
            rows: One row per creator: ``creator_id``, each criterion's value (its name),
                the peer-key and gate columns (``tier`` and ``market`` are derived from
                ``followers`` and ``country`` when absent).

        Returns:
            ``creator_id``, ``score``, ``contribution_<criterion>``, ``excluded`` (the
            first failed gate's reason, or None).

        Example:
            >>> import pandas as pd
            >>> from creatorkit.scoring import Criterion, Scorecard
            >>> ref = pd.DataFrame({"creator_id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0]})
            >>> cc = Scorecard([Criterion(name="x")]).compile(ref, as_of="2026-06-30T00:00:00Z")
            >>> cc.score(pd.DataFrame({"creator_id": ["z"], "x": [9.0]}))["score"].tolist()
            [100.0]
        """
        from creatorkit import tiers

        card = self.scorecard
        frame = check_frame("rows", rows)
        if "tier" not in frame and "followers" in frame:
            frame = frame.assign(
                tier=tiers.tier(frame["followers"], scheme=card.tier_scheme).astype(str).to_numpy()
            )
        if "market" not in frame and "country" in frame:
            frame = frame.assign(market=frame["country"].to_numpy())
        w, _ = _engine.weights(card.criteria)
        matrix = np.empty((len(frame), len(card.criteria)))
        for j, c in enumerate(card.criteria):
            f = self.frozen[c.key]
            from creatorkit._validation import check_columns

            check_columns("rows", frame, [c.name, *sorted({k for lv in c.peers for k in lv})])
            x = pd.to_numeric(frame[c.name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            g = self._groups(f, frame)
            if f.prior is not None:
                x = _shrunk(c, f, x, g, frame)
            matrix[:, j] = self._normalize(c, f, x, g, f.benefit)
        if np.isnan(matrix).any() and any(c.missing == "error" for c in card.criteria):
            fail("rows", "a criterion value is missing (missing='error')", ErrorCode.MISSING_VALUE)
        matrix = np.where(np.isnan(matrix), 0.0, matrix)
        parts = _engine.contributions(list(matrix.T), w, card.aggregator)
        excluded = np.full(len(frame), None, dtype=object)
        for g in reversed(card.gates):
            excluded = np.where(g.passes(frame), excluded, g.reason)
        out = {
            "creator_id": frame["creator_id"].astype(str).to_numpy(),
            "score": _engine.total(parts, len(frame)),
        }
        out |= {f"contribution_{c.key}": parts[j] for j, c in enumerate(card.criteria)}
        out["excluded"] = excluded
        return pd.DataFrame(out)


def _keys(uniques: np.ndarray, values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Order-preserving int64 keys of (group, value).

    ``2 i + 1`` for a reference value ``uniques[i]``, ``2 i`` for a value just below it.
    """
    i = np.searchsorted(uniques, values, "left")
    exact = (i < len(uniques)) & (uniques[np.minimum(i, max(len(uniques) - 1, 0))] == values)
    width = 2 * len(uniques) + 2
    return np.asarray(groups.astype(np.int64) * width + 2 * i + exact, dtype=np.int64)


def _positions(f: Frozen, v: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reference values below (left) and up to (right) ``v`` in group ``g`` (vectorized)."""
    if len(f.uniques) == 0:
        return np.zeros(len(v)), np.zeros(len(v))
    q = _keys(f.uniques, v, g)
    left = np.searchsorted(f.ranks, q, "left") - f.offsets[g]
    right = np.searchsorted(f.ranks, q, "right") - f.offsets[g]
    return left.astype(float), right.astype(float)


def _group_mean(values: np.ndarray, groups: Any) -> np.ndarray:
    ok = np.isfinite(values)
    sums = np.bincount(groups.codes[ok], weights=values[ok], minlength=groups.n)
    counts = np.bincount(groups.codes[ok], minlength=groups.n)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _shrunk(c: Any, f: Frozen, x: np.ndarray, g: np.ndarray, frame: pd.DataFrame) -> np.ndarray:
    """Shrink new values toward the frozen group priors.

    The priors are the reference's mean prior and strength per group: ``w x + (1 − w) m``
    for rates, geometric for ratios, with ``w = exposure / (exposure + strength)``;
    exposure is ``<name>_trials`` (else ``_n``).
    """
    from creatorkit._validation import check_columns

    trials, posts = f"{c.name}_trials", f"{c.name}_n"
    if trials not in frame and posts not in frame:
        check_columns("rows", frame, [trials])
    column = frame[trials] if trials in frame else frame[posts]
    exposure = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    gg = np.maximum(g, 0)
    prior = f.prior if f.prior is not None else np.full(1, np.nan)
    strength = f.strength if f.strength is not None else np.full(1, np.nan)
    m, k = prior[gg], strength[gg]
    ok = (g >= 0) & np.isfinite(m) & np.isfinite(k) & (exposure > 0) & np.isfinite(x)
    w = np.where(ok, exposure / np.where(ok, exposure + k, 1.0), 1.0)
    if f.rate:
        return np.where(ok, w * x + (1.0 - w) * np.where(ok, m, 0.0), x)
    positive = ok & (x > 0) & (m > 0)
    logs = w * np.log(np.where(positive, x, 1.0)) + (1 - w) * np.log(np.where(positive, m, 1.0))
    return np.where(positive, np.exp(logs), x)


def _direction(name: str) -> str:
    from creatorkit import metrics, rules

    if name in rules.registry:
        return str(rules.registry.get(name).direction)
    if name in metrics.registry:
        return "lower" if metrics.registry.get(name).direction == "lower" else "higher"
    return "higher"


def compile_scorecard(card: Any, reference: Any, *, as_of: Any) -> CompiledScorecard:
    """Freeze ``card`` on ``reference`` (see :meth:`Scorecard.compile`)."""
    when = require_as_of(as_of)
    named = _tables.as_tables(reference)
    table = _tables.base(named, when, card.tier_scheme)
    raws = {c.key: _tables.raw(c, named, table, when, card.currency) for c in card.criteria}
    keep, _ = card._gate(table, raws)
    if not keep.any():
        fail("reference", "no creator of the reference passes the gates", ErrorCode.EMPTY)
    result = card._rank(table, raws, keep, pd.DataFrame(), when)
    sub = table.loc[keep].reset_index(drop=True)
    frozen = {}
    scored = result.table.set_index("creator_id").reindex(sub["creator_id"])
    for c in card.criteria:
        groups = _engine.peer_groups(c, sub).groups
        used = scored[f"{c.key}_shrunk" if c.low_data == "shrink" else c.key].to_numpy(dtype=float)
        f = _freeze(c, groups, used)
        norm = scored[f"{c.key}_normalized"].to_numpy(dtype=float)
        sums = np.bincount(groups.codes, weights=norm, minlength=groups.n)
        neutral = sums / np.maximum(np.bincount(groups.codes, minlength=groups.n), 1)
        prior = strength = None
        if c.low_data == "shrink":
            prior, strength = (
                _group_mean(scored[f"{c.key}_{s}"].to_numpy(dtype=float), groups)
                for s in ("prior", "strength")
            )
        lookup = tuple(
            dict(zip(map(tuple, k[list(lv)].astype(object).to_numpy()), k["_group"], strict=True))
            for lv, k in zip(f.levels, f.keys, strict=True)
        )
        index = tuple(
            pd.MultiIndex.from_frame(k[list(lv)].astype(object)) if lv and len(k) else None
            for lv, k in zip(f.levels, f.keys, strict=True)
        )
        benefit = (c.direction or _direction(c.name)) != "lower"
        rate = raws[c.key].kind == "rate" or (
            raws[c.key].kind == "column" and not np.isfinite(raws[c.key].low).any()
        )
        frozen[c.key] = attrs.evolve(
            f,
            neutral=neutral,
            lookup=lookup,
            index=index,
            benefit=benefit,
            prior=prior,
            strength=strength,
            rate=rate,
        )
    return CompiledScorecard(scorecard=card, frozen=frozen, reference_size=len(sub))
