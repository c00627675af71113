"""``scoring.top_share``: the top share of each group, with entrants, leavers and why."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._grouping import group
from creatorkit._validation import as_str_list, check_number, did_you_mean, fail
from creatorkit.errors import ErrorCode
from creatorkit.results import Copied, MethodCard, Note, Result, merge_notes

ROUNDING = "ceil"
"""The count rule: a group of ``n`` scored creators keeps ``ceil(frac × n)`` (≥ 1)."""

_MOVER_COLUMNS: tuple[str, ...] = ("creator_id", "score", "previous_score", "rank")
_MOVER_COLUMNS += ("previous_rank",)
_MOVER_COLUMNS += ("reason_criterion", "reason_change", "reason")
_EPS = 1e-9  # frac × n within 1e-9 of a whole number counts as that number (0.1 × 30 = 3)


@attrs.frozen(kw_only=True, eq=False)
class TopShare(Result):
    """The top share of each group and how it changed since the previous period.

    Attributes:
        table: The creators in the top share, by group then ``group_rank``: the ``by``
            columns, ``creator_id``, ``group_rank`` (1 = best in its group), ``score``,
            ``rank`` (overall), ``group_size``, ``top_count``, ``status`` (``"entered"``
            or ``"stayed"``; missing without ``previous``) and ``contribution_<criterion>``.
        entrants: Creators in the top share now but not in the previous one: the ``by``
            columns (now), ``creator_id``, ``score``, ``previous_score``, ``rank``,
            ``previous_rank``, ``reason_criterion`` (the criterion whose contribution
            changed most, by absolute change), ``reason_change`` (its change in score
            points), ``reason`` (a sentence). Empty without ``previous``.
        leavers: Creators in the previous top share but not now, the same columns (the
            ``by`` columns as they were then); a creator no longer scored has the gate that
            excluded it as its reason.
        groups: One row per group: the ``by`` columns, ``size``, ``top_count``,
            ``entrants`` and ``leavers``.
        frac: The share; by: the group columns; rounding: the count rule (``"ceil"``).

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import Criterion, Scorecard, top_share
        >>> t = pd.DataFrame({"creator_id": list("abcd"), "gmv": [4.0, 3.0, 2.0, 1.0],
        ...                   "country": ["TH", "TH", "VN", "VN"]})
        >>> res = Scorecard([Criterion(name="gmv")]).score(t, as_of="2026-06-30T00:00:00Z")
        >>> top = top_share(res, 0.5, groups=t)
        >>> top.by, top.table["creator_id"].tolist()
        (('country',), ['a', 'c'])
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    _entrants: pd.DataFrame
    entrants = Copied[pd.DataFrame]()
    _leavers: pd.DataFrame
    leavers = Copied[pd.DataFrame]()
    _groups: pd.DataFrame
    groups = Copied[pd.DataFrame]()
    frac: float
    by: tuple[str, ...]
    rounding: str = ROUNDING


@attrs.frozen(kw_only=True, eq=False)
class _Ranked:
    """A scored population: the table (creator_id, score, rank, contributions, keys)."""

    table: pd.DataFrame
    criteria: tuple[str, ...]
    exclusions: pd.DataFrame


def _source(result: Any) -> _Ranked:
    from creatorkit.scoring._result import ScoreResult
    from creatorkit.scoring._shortlist import Shortlist

    if isinstance(result, Shortlist):
        return _Ranked(table=result._table, criteria=result.criteria, exclusions=result._exclusions)
    if isinstance(result, ScoreResult):
        return _Ranked(table=result._table, criteria=result.criteria, exclusions=result._exclusions)
    rule = "must be a ScoreResult (Scorecard.score) or a Shortlist (scoring.shortlist)"
    fail("result", rule, ErrorCode.WRONG_TYPE, value=type(result).__name__)


def _lookup(groups: Any) -> pd.DataFrame:
    """The per-creator frame that carries group columns (``market`` = ``country``)."""
    from creatorkit.scoring import _tables

    frame = _tables.as_tables(groups, "groups")["creators"]
    if "market" not in frame and "country" in frame:
        frame = frame.assign(market=frame["country"])
    ids = _tables.creator_ids(frame, "groups")
    if ids.duplicated().any():
        rule = "creator_id must be unique (one row per creator)"
        fail("groups", rule, ErrorCode.DUPLICATE_KEY, value=ids[ids.duplicated()].iloc[0])
    out: pd.DataFrame = frame.assign(creator_id=ids.array)
    return out


def _keys(ranked: _Ranked, by: list[str], lookup: pd.DataFrame | None) -> pd.DataFrame:
    """The ``by`` columns of every scored creator, from its table or from ``groups``."""
    table = ranked.table
    if all(key in table for key in by):
        found: pd.DataFrame = table[by] if by else pd.DataFrame(index=table.index)
        return found.reset_index(drop=True)
    out = {}
    for key in by:
        if key in table:
            out[key] = table[key].array
        elif lookup is not None and key in lookup:
            where = pd.Index(lookup["creator_id"]).get_indexer(table["creator_id"].to_numpy())
            values = lookup[key].to_numpy()
            got = values[np.maximum(where, 0)] if len(values) else np.full(len(where), None)
            out[key] = pd.Series(got).where(where >= 0).to_numpy()
        elif lookup is not None:
            known = sorted({*map(str, table.columns), *map(str, lookup.columns)})
            rule = (
                f"neither the result nor groups= has a {key!r} column."
                f"{did_you_mean(key, known)} Found: {known[:20]}"
            )
            fail("by", rule, ErrorCode.MISSING_COLUMN, value=key)
        else:
            rule = (
                f"the result has no {key!r} column: pass groups= (the creators table or the "
                f"tables scored) to look it up, or by=None for one group"
            )
            fail("by", rule, ErrorCode.MISSING_COLUMN, value=key)
    return pd.DataFrame(out, index=pd.RangeIndex(len(table)))


def _select(ranked: _Ranked, frac: float, by: list[str], lookup: Any) -> tuple[Any, ...]:
    """Group codes, in-top mask, group rank, group sizes and top counts (vectorized)."""
    keys = _keys(ranked, by, lookup)
    g = group(keys, by)
    rank = ranked.table["rank"].to_numpy()
    by_rank = rank_order(rank)
    narrow = g.codes.astype(np.int16) if g.n <= np.iinfo(np.int16).max else g.codes
    order = by_rank[np.argsort(narrow[by_rank], kind="stable")]  # int16: a radix sort
    starts = np.r_[0, np.cumsum(g.sizes)[:-1]].astype(np.int64)
    position = np.empty(len(rank), dtype=np.int64)
    position[order] = np.arange(len(rank)) - starts[g.codes[order]]
    top_count = np.ceil(frac * g.sizes - _EPS).astype(np.int64)
    in_top = position < top_count[g.codes]
    return keys, g, order, position + 1, top_count, in_top


def rank_order(rank: np.ndarray) -> np.ndarray:
    """Positions in rank order: a scatter when the ranks are 1..n (they are), else a sort."""
    n = len(rank)
    values = np.asarray(rank)
    if n and values.min() == 1 and values.max() == n:
        order = np.full(n, -1, dtype=np.int64)
        order[values.astype(np.int64) - 1] = np.arange(n)
        if (order >= 0).all():
            return order
    return np.argsort(values, kind="stable")


def _contributions(ranked: _Ranked, criteria: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
    table = ranked.table
    out = np.full((len(rows), len(criteria)), np.nan)
    found = rows >= 0
    for j, c in enumerate(criteria):  # a loop over criteria (columns)
        column = f"contribution_{c}"
        if column in table:
            out[found, j] = table[column].to_numpy(dtype=float)[rows[found]]
    return out


def _gate_reason(exclusions: pd.DataFrame, ids: np.ndarray, when: str) -> np.ndarray:
    """Why creators are not scored in a period: the first gate that excluded them."""
    first = exclusions.drop_duplicates("creator_id").set_index("creator_id")["reason"]
    found = first.reindex(pd.Index(ids)).to_numpy(dtype=object)
    excluded = np.char.add(f"excluded {when}: ", found.astype(str))
    return np.where(pd.isna(found), f"not scored {when}", excluded)


def _movers(ids: np.ndarray, now: _Ranked, then: _Ranked, *, entering: bool) -> dict[str, Any]:
    """Scores, ranks and the criterion whose contribution changed most, for ``ids``."""
    if not len(ids):
        return {c: np.empty(0, dtype=object) for c in _MOVER_COLUMNS}
    criteria = tuple(c for c in now.criteria if c in then.criteria)
    at_now = pd.Index(now.table["creator_id"]).get_indexer(ids)
    at_then = pd.Index(then.table["creator_id"]).get_indexer(ids)

    def pick(r: _Ranked, at: np.ndarray, column: str) -> np.ndarray:
        values = r.table[column].to_numpy(dtype=float)
        return np.where(at >= 0, values[np.maximum(at, 0)] if len(values) else np.nan, np.nan)

    delta = _contributions(now, criteria, at_now) - _contributions(then, criteria, at_then)
    known = np.isfinite(delta).any(axis=1) if criteria else np.zeros(len(ids), dtype=bool)
    size = np.where(np.isfinite(delta), np.abs(delta), -1.0)
    best = size.argmax(axis=1) if criteria else np.zeros(len(ids), dtype=np.int64)
    change = np.where(known, np.take_along_axis(delta, best[:, None], 1)[:, 0], np.nan)
    names = np.asarray(criteria, dtype=object)[best] if criteria else np.full(len(ids), "")
    score, before = pick(now, at_now, "score"), pick(then, at_then, "score")
    verb = "entered" if entering else "left"
    text = np.char.add(
        np.char.add(f"{verb}: ", names.astype(str)),
        np.char.mod(" contribution %+.2f points", np.nan_to_num(change)),
    )
    scores = np.char.add(np.char.mod(" (score %.1f", before), np.char.mod(" → %.1f)", score))
    text = np.char.add(text, scores)
    still = np.char.add(f"{verb}: its contributions did not change, others moved", scores)
    text = np.where(np.abs(np.nan_to_num(change)) < 1e-9, still, text)
    text = np.where(known, text, f"{verb}: no criterion in common between the periods")
    gone = at_then < 0 if entering else at_now < 0
    when = "in the previous period" if entering else "now"
    missing = _gate_reason((then if entering else now).exclusions, ids, when)
    reason = np.where(gone, np.char.add(f"{verb}: ", missing.astype(str)), text)
    return {
        "creator_id": ids,
        "score": score,
        "previous_score": before,
        "rank": pick(now, at_now, "rank"),
        "previous_rank": pick(then, at_then, "rank"),
        "reason_criterion": np.where(known, names, np.asarray(None, dtype=object)),
        "reason_change": change,
        "reason": reason.astype(object),
    }


def _empty_movers(by: list[str]) -> pd.DataFrame:
    columns = [*by, *_MOVER_COLUMNS]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _frame(keys: pd.DataFrame, rows: np.ndarray, movers: dict[str, Any]) -> pd.DataFrame:
    head = keys.take(rows).reset_index(drop=True)
    return pd.concat([head, pd.DataFrame(movers)], axis=1)


def _changes(
    now: _Ranked,
    then: _Ranked,
    share: float,
    by: list[str],
    lookup: Any,
    selected: tuple[pd.DataFrame, Any, np.ndarray],
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Status of the current top, entrants, leavers and their counts per current group."""
    keys, g, rows = selected
    ids = now.table["creator_id"].to_numpy()
    pkeys, pg, porder, _, _, ptop = _select(then, share, by, lookup)
    prows = porder[ptop[porder]]
    before = then.table["creator_id"].to_numpy()[prows]
    came = pd.Index(before).get_indexer(ids[rows]) < 0
    went = pd.Index(ids[rows]).get_indexer(before) < 0
    status = pd.Series(np.where(came, "entered", "stayed"), dtype=object)
    entrants = _frame(keys, rows[came], _movers(ids[rows][came], now, then, entering=True))
    leavers = _frame(pkeys, prows[went], _movers(before[went], now, then, entering=False))
    counts = np.zeros((g.n, 2), dtype=np.int64)
    counts[:, 0] = np.bincount(g.codes[rows[came]], minlength=g.n)
    back = (
        g.keys.merge(pg.keys.assign(_code=np.arange(pg.n)), how="left", on=by)
        if by
        else pd.DataFrame({"_code": np.zeros(g.n)})
    )
    mapped = pd.Series(back["_code"].to_numpy(), index=np.arange(g.n))
    counts[:, 1] = _leavers_per_group(pg, prows[went], mapped, g.n)
    return status, entrants, leavers, counts


def top_share(
    result: Any,
    frac: float = 0.10,
    by: str | list[str] | None = "country",
    previous: Any = None,
    *,
    groups: Any = None,
) -> TopShare:
    """The top ``frac`` of scored creators in each group, with entrants and leavers.

    The monthly review (DESIGN §6): keep the top 10% per market and re-hire them first.
    A group of ``n`` scored creators keeps ``ceil(frac × n)`` of them — at least one, so a
    small market is never empty (10% of 25 is 3; ``frac × n`` within 1e-9 of a whole
    number counts as that number, so 10% of 30 is 3) — in rank order (score, then id).
    Against ``previous`` (last period's result, taken the same way), an *entrant* is in
    the top share now and was not then, a *leaver* the reverse (in whichever group);
    each one's reason is the criterion whose contribution changed most in absolute score
    points between the two results, or the gate that excluded it in the other period.

    Args:
        result: A :class:`~creatorkit.scoring.ScoreResult` or a
            :class:`~creatorkit.scoring.Shortlist`.
        frac: The share, in (0, 1].
        by: Group column(s) (a creator's market is its ``country``); ``None``: one group.
            Looked up in the result's table, else in ``groups``.
        previous: The previous period's result (same types), or ``None``.
        groups: Where group columns come from when the result lacks them: a per-creator
            table (``creator_id`` + the columns), a mapping of tables or a ``Dataset``
            (its ``creators``; ``market`` is ``country``). Used for both periods;
            creators it lacks form a missing-key group (noted).

    Returns:
        :class:`TopShare`.

    Raises:
        ValidationError: ``frac`` outside (0, 1], an unknown ``by`` column, a wrong type.

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import Criterion, Scorecard, top_share
        >>> card = Scorecard([Criterion(name="gmv")])
        >>> may = pd.DataFrame({"creator_id": list("abcd"), "gmv": [4.0, 3.0, 2.0, 1.0],
        ...                     "country": ["TH", "TH", "VN", "VN"]})
        >>> june = may.assign(gmv=[1.0, 3.0, 2.0, 4.0])
        >>> old = card.score(may, as_of="2026-05-31T00:00:00Z")
        >>> new = card.score(june, as_of="2026-06-30T00:00:00Z")
        >>> top = top_share(new, 0.5, previous=old, groups=june)
        >>> top.table[["country", "creator_id", "status"]].values.tolist()
        [['TH', 'b', 'entered'], ['VN', 'd', 'entered']]
        >>> top.leavers[["creator_id", "reason_criterion", "reason_change"]].values.tolist()
        [['a', 'gmv', -75.0], ['c', 'gmv', 0.0]]
        >>> top.leavers["reason"].tolist()[0]
        'left: gmv contribution -75.00 points (score 100.0 → 25.0)'
    """
    now = _source(result)
    share = check_number("frac", frac, low=0.0, low_open=True, high=1.0)
    keys_by = as_str_list("by", by)
    then = None if previous is None else _source(previous)
    lookup = None if groups is None else _lookup(groups)
    keys, g, order, group_rank, top_count, in_top = _select(now, share, keys_by, lookup)
    rows = order[in_top[order]]
    table = keys.take(rows).reset_index(drop=True)
    contributions = [f"contribution_{c}" for c in now.criteria]
    picked = now.table[["creator_id", "score", "rank", *contributions]].take(rows)
    picked = picked.reset_index(drop=True)
    table.insert(len(keys_by), "creator_id", picked.pop("creator_id"))
    table["group_rank"] = group_rank[rows]
    table = pd.concat([table, picked], axis=1)
    table.insert(len(keys_by) + 4, "group_size", g.sizes[g.codes[rows]])
    table.insert(len(keys_by) + 5, "top_count", top_count[g.codes[rows]])
    if then is None:
        entrants, leavers = _empty_movers(keys_by), _empty_movers(keys_by)
        status = pd.Series([None] * len(rows), dtype=object)
        counts = np.zeros((g.n, 2), dtype=np.int64)
    else:
        selected = (keys, g, rows)
        status, entrants, leavers, counts = _changes(now, then, share, keys_by, lookup, selected)
    table.insert(len(keys_by) + 6, "status", status)
    summary = g.keys.reset_index(drop=True).assign(
        size=g.sizes, top_count=top_count, entrants=counts[:, 0], leavers=counts[:, 1]
    )
    notes = list(g.notes)
    if then is not None and len(leavers):
        text = "{count} creators left the top share since the previous period"
        notes.append(Note.counted("left_top_share", text, count=len(leavers)))
    card = MethodCard.create(
        "scoring.top_share", frac=share, by=keys_by, rounding=ROUNDING, previous=then is not None
    )
    return TopShare(
        table=table,
        entrants=entrants,
        leavers=leavers,
        groups=summary,
        frac=share,
        by=tuple(keys_by),
        method=card,
        warnings=merge_notes(notes),
    )


def _leavers_per_group(previous: Any, rows: np.ndarray, mapped: pd.Series, n: int) -> np.ndarray:
    """Leavers counted in the current period's groups (a vanished group counts nowhere)."""
    per_previous = np.bincount(previous.codes[rows], minlength=previous.n)
    out = np.zeros(n, dtype=np.int64)
    known = mapped.notna().to_numpy()
    out[known] = per_previous[mapped.to_numpy()[known].astype(np.int64)]
    return out
