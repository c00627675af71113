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
from creatorkit._validation import check_columns, check_frame, fail
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


def _freeze(c: Any, peers: _Peers, used: np.ndarray) -> Frozen:
    from creatorkit.weighting._peers import sorted_within

    groups = peers.groups
    codes = groups.codes
    finite = np.isfinite(used)
    x = np.log1p(used) if c.normalizer == "log" else used
    order = sorted_within(x, codes)  # NaN last within each group, then dropped
    order = order[finite[order]]
    counts = np.bincount(codes[finite], minlength=groups.n)
    offsets = np.r_[0, np.cumsum(counts)]
    values = x[order]
    low = np.full(groups.n, np.nan)
    high = np.full(groups.n, np.nan)
    has = counts > 0
    low[has] = values[offsets[:-1][has]]
    high[has] = values[offsets[1:][has] - 1]
    uniques = np.unique(values)
    ranks = _keys(uniques, values, codes[order])
    return Frozen(
        levels=c.peers,
        keys=peers.keys,
        lookup=peers.lookup,
        index=peers.index,
        sorted_values=values,
        offsets=offsets,
        low=low,
        high=high,
        neutral=np.zeros(groups.n),
        uniques=uniques,
        ranks=ranks,
    )


def _lookups(
    levels: tuple[tuple[str, ...], ...], keys: tuple[pd.DataFrame, ...]
) -> tuple[tuple[dict[tuple[Any, ...], int], ...], tuple[pd.MultiIndex | None, ...]]:
    """Per level: a dict of key tuples → group (one creator) and a MultiIndex (batches)."""
    lookup = tuple(
        dict(zip(map(tuple, k[list(lv)].astype(object).to_numpy()), k["_group"], strict=True))
        for lv, k in zip(levels, keys, strict=True)
    )
    index = tuple(
        pd.MultiIndex.from_frame(k[list(lv)].astype(object)) if lv and len(k) else None
        for lv, k in zip(levels, keys, strict=True)
    )
    return lookup, index


def thaw(
    *,
    levels: tuple[tuple[str, ...], ...],
    keys: tuple[pd.DataFrame, ...],
    values: np.ndarray,
    offsets: np.ndarray,
    **stats: Any,
) -> Frozen:
    """A :class:`Frozen` reference from its stored parts (:mod:`._compiled_io`)."""
    uniques = np.unique(values)
    groups = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    lookup, index = _lookups(levels, keys)
    return Frozen(
        levels=levels,
        keys=keys,
        lookup=lookup,
        index=index,
        sorted_values=values,
        offsets=offsets,
        uniques=uniques,
        ranks=_keys(uniques, values, groups),
        **stats,
    )


@attrs.frozen(kw_only=True, eq=False)
class _Peers:
    """The reference's peer groups of one ``(peers, min_group)`` spec and their lookups."""

    groups: Any
    keys: tuple[pd.DataFrame, ...]  # per level: key columns → group id
    lookup: tuple[dict[tuple[Any, ...], int], ...]  # per level: key tuple → group
    index: tuple[pd.MultiIndex | None, ...]  # per level: the keys, for batches


def _peers_of(c: Any, sub: pd.DataFrame) -> _Peers:
    groups = _engine.peer_groups(c, sub).groups
    keys = []
    for i, level in enumerate(c.peers):  # a loop over fallback levels
        rows = groups.keys["level"].to_numpy() == i
        table = groups.keys.loc[rows, list(level)].reset_index(drop=True)
        keys.append(table.assign(_group=np.flatnonzero(rows)))
    lookup, index = _lookups(c.peers, tuple(keys))
    return _Peers(groups=groups, keys=tuple(keys), lookup=lookup, index=index)


@attrs.frozen(kw_only=True, eq=False)
class CompiledScorecard:
    """A scorecard frozen on a reference population (:meth:`Scorecard.compile`).

    Attributes:
        scorecard: The scorecard.
        frozen: Per criterion key, its frozen reference.
        reference_size: Creators of the reference that passed the gates.

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import Criterion, Scorecard
        >>> ref = pd.DataFrame({"creator_id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0]})
        >>> cc = Scorecard([Criterion(name="x")]).compile(ref, as_of="2026-06-30T00:00:00Z")
        >>> cc.reference_size
        3
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

    def to_dict(self) -> dict[str, Any]:
        """The compiled scorecard as versioned, JSON-ready data (compile offline, load elsewhere).

        The spec, its hash, and per criterion the frozen reference (peer keys of every
        fallback level, sorted reference values per group, group statistics, priors).

        Example:
            >>> import json, pandas as pd
            >>> from creatorkit.scoring import CompiledScorecard, Criterion, Scorecard
            >>> ref = pd.DataFrame({"creator_id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0]})
            >>> cc = Scorecard([Criterion(name="x")]).compile(ref, as_of="2026-06-30T00:00:00Z")
            >>> text = json.dumps(cc.to_dict(), allow_nan=False)
            >>> back = CompiledScorecard.from_dict(json.loads(text))
            >>> new = pd.DataFrame({"creator_id": ["z"], "x": [2.0]})
            >>> back.score(new)["score"].round(2).tolist()
            [66.67]
        """
        from creatorkit.scoring._compiled_io import to_dict

        return to_dict(self)

    @classmethod
    def from_dict(cls, data: Any) -> CompiledScorecard:
        """A compiled scorecard from :meth:`to_dict` data, checked like a spec.

        Safe from an untrusted source: the scorecard part goes through the spec loader
        (only registered names, no code runs), every array is checked for type and size,
        and each problem is reported with its JSON path.

        Raises:
            ValidationError: Unknown or missing keys, wrong types, inconsistent sizes, a
                spec hash that does not match the spec, or an unknown schema version.

        Example:
            >>> import pandas as pd
            >>> from creatorkit.scoring import CompiledScorecard, Criterion, Scorecard
            >>> ref = pd.DataFrame({"creator_id": ["a", "b"], "x": [1.0, 3.0]})
            >>> cc = Scorecard([Criterion(name="x")]).compile(ref, as_of="2026-06-30T00:00:00Z")
            >>> CompiledScorecard.from_dict(cc.to_dict()).reference_size
            2
        """
        from creatorkit.scoring._compiled_io import from_dict

        return from_dict(data)  # type: ignore[no-any-return]

    def score(self, rows: Any, *, as_of: Any = None) -> pd.DataFrame:
        """Score new creators against the frozen reference.

        Args:
            rows: Without ``as_of``: one row per creator of criterion values —
                ``creator_id``, each criterion's value (its name), the peer-key and gate
                columns (``tier`` and ``market`` are derived from ``followers`` and
                ``country`` when absent). With ``as_of``: raw tables as
                :meth:`Scorecard.score` takes them (a mapping with ``creators`` and
                ``content``/``orders``/``collaborations`` rows, or a ``Dataset``): each
                criterion is computed through the same summaries layer (filters,
                windows, currency), posts and low-data gates included.
            as_of: Cut-off of the raw tables (``None``: ``rows`` are criterion values).

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
            >>> content = pd.DataFrame({"content_id": ["1", "2"], "creator_id": ["z", "z"],
            ...                         "views": [100, 300], "gmv": [2.0, 4.0]})
            >>> card = Scorecard([Criterion(name="gpm")])
            >>> cc = card.compile(pd.DataFrame({"creator_id": ["a", "b"], "gpm": [10.0, 30.0]}),
            ...                   as_of="2026-06-30T00:00:00Z")
            >>> new = {"creators": pd.DataFrame({"creator_id": ["z"]}), "content": content}
            >>> cc.score(new, as_of="2026-06-30T00:00:00Z")["score"].tolist()  # GPM 15
            [75.0]
        """
        if as_of is not None:
            return self._score_tables(rows, as_of)
        if not isinstance(rows, pd.DataFrame):
            rule = "must be a frame of criterion values, or raw tables with as_of="
            fail("rows", rule, ErrorCode.WRONG_TYPE, value=type(rows).__name__)
        card = self.scorecard
        frame = _derived(check_frame("rows", rows), card.tier_scheme)
        check_columns("rows", frame, _needs(card))
        values = [_number(frame, c.name) for c in card.criteria]
        exposure = [_exposure(c, frame) if c.low_data == "shrink" else None for c in card.criteria]
        excluded = np.full(len(frame), None, dtype=object)
        for g in reversed(card.gates):
            excluded = np.where(g.passes(frame), excluded, g.reason)
        return self._score(frame, values, exposure, excluded)

    def _score_tables(self, tables: Any, as_of: Any) -> pd.DataFrame:
        """Raw tables → each criterion per creator (as :meth:`Scorecard.score`) → scores."""
        card = self.scorecard
        when = require_as_of(as_of)
        named = _tables.as_tables(tables)
        table = _tables.base(named, when, card.tier_scheme)
        raws = _tables.raws(card.criteria, named, table, when, card.currency)
        check_columns("tables", table, _needs(card, values=False))
        _, exclusions = card._gate(table, raws)
        first = exclusions.drop_duplicates("creator_id").set_index("creator_id")["reason"]
        reasons = first.reindex(pd.Index(table["creator_id"], dtype=object))
        excluded = np.asarray(reasons.astype(object).where(reasons.notna(), None), dtype=object)
        values = [raws[c.key].value for c in card.criteria]
        exposure: list[np.ndarray | None] = [
            np.where(np.isfinite(raws[c.key].trials), raws[c.key].trials, raws[c.key].n)
            for c in card.criteria
        ]
        return self._score(table, values, exposure, excluded)

    def _score(
        self,
        frame: pd.DataFrame,
        values: list[np.ndarray],
        exposure: list[np.ndarray | None],
        excluded: np.ndarray,
    ) -> pd.DataFrame:
        card = self.scorecard
        w, _ = _engine.weights(card.criteria)
        columns, found = [], {}  # found: groups per peer spec (criteria share them)
        for c, x, e in zip(card.criteria, values, exposure, strict=True):  # over criteria
            f = self.frozen[c.key]
            if id(f.lookup) not in found:  # criteria of one peer spec share its lookups
                found[id(f.lookup)] = self._groups(f, frame)
            g = found[id(f.lookup)]
            if f.prior is not None and e is not None:
                x = _shrunk(f, x, g, e)
            columns.append(self._normalize(c, f, x, g, f.benefit))
        gap = [np.isnan(col) for col in columns]
        if any(c.missing == "error" and m.any() for c, m in zip(card.criteria, gap, strict=True)):
            fail("rows", "a criterion value is missing (missing='error')", ErrorCode.MISSING_VALUE)
        columns = [np.where(m, 0.0, col) for col, m in zip(columns, gap, strict=True)]
        parts = _engine.contributions(columns, w, card.aggregator)
        out = {
            "creator_id": frame["creator_id"].astype(str).to_numpy(),
            "score": _engine.total(parts, len(frame)),
        }
        out |= {f"contribution_{c.key}": parts[j] for j, c in enumerate(card.criteria)}
        out["excluded"] = excluded
        return pd.DataFrame(out, copy=False)


def _derived(frame: pd.DataFrame, tier_scheme: str) -> pd.DataFrame:
    """``tier`` from ``followers`` and ``market`` from ``country`` when absent."""
    from creatorkit import tiers

    if "tier" not in frame and "followers" in frame:
        labels = tiers.tier(frame["followers"], scheme=tier_scheme).astype(str).to_numpy()
        frame = frame.assign(tier=labels)
    if "market" not in frame and "country" in frame:
        frame = frame.assign(market=frame["country"].to_numpy())
    return frame


def _needs(card: Any, *, values: bool = True) -> list[str]:
    """Columns scoring reads: criterion values (unless computed) and peer keys."""
    names = [c.name for c in card.criteria] if values else []
    keys = sorted({k for c in card.criteria for lv in c.peers for k in lv})
    return list(dict.fromkeys([*names, *keys]))


def _number(frame: pd.DataFrame, name: str) -> np.ndarray:
    column = frame[name]
    if column.dtype.kind not in "fiu":  # text, objects, nullable: coerced (NaN if not a number)
        column = pd.to_numeric(column, errors="coerce")
    return np.asarray(column.to_numpy(dtype=float, na_value=np.nan))


def _exposure(c: Any, frame: pd.DataFrame) -> np.ndarray:
    """A shrunk criterion's exposure: ``<name>_trials``, else ``<name>_n`` (posts)."""
    trials, posts = f"{c.name}_trials", f"{c.name}_n"
    if trials not in frame and posts not in frame:
        check_columns("rows", frame, [trials])
    return _number(frame, trials if trials in frame else posts)


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


def _shrunk(f: Frozen, x: np.ndarray, g: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """Shrink new values toward the frozen group priors.

    The priors are the reference's mean prior and strength per group: ``w x + (1 − w) m``
    for rates, geometric for ratios, with ``w = exposure / (exposure + strength)``;
    exposure is ``<name>_trials`` (else ``_n``).
    """
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
    raws = _tables.raws(card.criteria, named, table, when, card.currency)
    keep, _ = card._gate(table, raws)
    if not keep.any():
        fail("reference", "no creator of the reference passes the gates", ErrorCode.EMPTY)
    result = card._rank(table, raws, keep, pd.DataFrame(), when)
    sub = table.loc[keep].reset_index(drop=True)
    frozen, cache = {}, {}
    scored = result.table.set_index("creator_id").reindex(sub["creator_id"])
    for c in card.criteria:  # criteria of one peer spec share its groups and lookups
        if (c.peers, c.min_group) not in cache:
            cache[(c.peers, c.min_group)] = _peers_of(c, sub)
        peers = cache[(c.peers, c.min_group)]
        groups = peers.groups
        used = scored[f"{c.key}_shrunk" if c.low_data == "shrink" else c.key].to_numpy(dtype=float)
        f = _freeze(c, peers, used)
        norm = scored[f"{c.key}_normalized"].to_numpy(dtype=float)
        sums = np.bincount(groups.codes, weights=norm, minlength=groups.n)
        neutral = sums / np.maximum(np.bincount(groups.codes, minlength=groups.n), 1)
        prior = strength = None
        if c.low_data == "shrink":
            prior, strength = (
                _group_mean(scored[f"{c.key}_{s}"].to_numpy(dtype=float), groups)
                for s in ("prior", "strength")
            )
        benefit = (c.direction or _direction(c.name)) != "lower"
        rate = raws[c.key].kind == "rate" or (
            raws[c.key].kind == "column" and not np.isfinite(raws[c.key].low).any()
        )
        frozen[c.key] = attrs.evolve(
            f,
            neutral=neutral,
            benefit=benefit,
            prior=prior,
            strength=strength,
            rate=rate,
        )
    return CompiledScorecard(scorecard=card, frozen=frozen, reference_size=len(sub))
