"""Stages *dedupe* and *entries* of the event-funnel engine, and their time arithmetic.

* **dedupe** (:func:`dedupe`): rows with a repeated event id are removed (the copy kept is the
  first in the declared tie order: time, then the ``tiebreak`` columns, then event name and
  creator — never row order); events after ``as_of`` are excluded. Both are counted.
* **entries** (:func:`entries`): each kept row gives one ``(unit, tick, step)`` entry per step
  it matches, sorted by ``_sort.sort_entries``
  (which drops those that cannot change a level).

Times stay integers in the column's own resolution (s, ms, us or ns), rebased to the earliest
event and divided by the coarsest unit in which every offset is whole; the window is
floor-divided by the same unit (exact: with whole offsets ``t − f ≤ W`` holds exactly when
``(t − f) / u ≤ ⌊W / u⌋``) and capped at the largest offset, so a window up to
``pd.Timedelta.max`` never overflows.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import chunks
from creatorkit._grouping import factorize, group, sort_factorize
from creatorkit.funnel._sort import bits, sort_entries
from creatorkit.results import Note

_SAMPLE = 10_000
"""Rows read to tell a log grouped by user from one in random order."""

_NS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def native_ticks(series: pd.Series) -> tuple[np.ndarray, int]:
    """Integer times in the column's own unit and that unit in nanoseconds."""
    unit = str(getattr(series.dtype, "unit", "ns"))
    if unit not in _NS:  # pragma: no cover - pandas reports s, ms, us or ns
        series, unit = series.dt.as_unit("ns"), "ns"
    return np.asarray(series.astype("int64").to_numpy(), dtype=np.int64), _NS[unit]


def stamp_ns(stamp: pd.Timestamp) -> int:
    """Nanoseconds since the epoch as a Python integer (any resolution, no overflow)."""
    unit = str(getattr(stamp, "unit", "ns"))
    return int(stamp.asm8.view("i8")) * _NS.get(unit, 1)


def native_bound(stamp: pd.Timestamp | None, unit_ns: int) -> int | None:
    """Largest native tick at or before ``stamp``, within the int64 range."""
    if stamp is None:
        return None
    limit = np.iinfo(np.int64)
    return max(min(stamp_ns(stamp) // unit_ns, int(limit.max)), int(limit.min))


@attrs.frozen(kw_only=True, eq=False)
class Clock:
    """Ticks since the earliest event and the window in ticks (exact integers)."""

    ticks: np.ndarray
    tick_ns: int
    origin_ns: int
    window: int
    window_full: int

    def as_of_threshold(self, stamp: pd.Timestamp | None) -> int | None:
        """Tick ``x`` such that a chain starting after ``x`` is still open at ``stamp``."""
        if stamp is None:
            return None
        as_of = (stamp_ns(stamp) - self.origin_ns) // self.tick_ns
        top = int(self.ticks.max()) + 1 if len(self.ticks) else 1
        return max(min(as_of - self.window_full, top), -1)


def clock(native: np.ndarray, unit_ns: int, span: pd.Timedelta) -> Clock:
    """Rebase, coarsen and bound the times and the window (see the module docstring)."""
    origin = int(native.min()) if len(native) else 0
    ticks = native - np.int64(origin)  # the one fresh array: divided in place
    tick = 1
    for scale in (1_000_000_000, 1_000_000, 1_000):
        if scale > unit_ns and scale % unit_ns == 0 and _whole(ticks, scale // unit_ns):
            tick = scale // unit_ns
            ticks //= tick  # a division by a constant: fast
            break
    full = span // pd.Timedelta(tick * unit_ns, unit="ns")
    top = int(ticks.max()) if len(ticks) else 0
    return Clock(
        ticks=ticks,
        tick_ns=tick * unit_ns,
        origin_ns=origin * unit_ns,
        window=min(full, top),
        window_full=int(full),
    )


def _whole(values: np.ndarray, divisor: int) -> bool:
    """Whether every value is a multiple of ``divisor`` (chunk by chunk, stopping early)."""
    return not any(np.any(values[rows] % divisor) for rows in chunks(len(values)))


def tie_rank(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Rank of each row in the declared tie order of ``columns`` (equal rows: by position)."""
    if not columns:
        return np.arange(len(frame), dtype=np.int64)
    codes = group(frame, columns).codes
    rank = np.empty(len(frame), dtype=np.int64)
    rank[np.argsort(codes, kind="stable")] = np.arange(len(frame))
    return rank


def tied_rank(
    frame: pd.DataFrame, columns: list[str], unit: np.ndarray, ticks: np.ndarray
) -> np.ndarray:
    """A rank of the rows that follows ``columns`` among rows of one unit at one time.

    Only such tied rows need the declared order (every stage orders rows by unit and time
    first), so only they are ranked by ``columns``: each tied group's own positions are
    handed out in that order. The result is a permutation and does not depend on row order.
    """
    n = len(frame)
    rank = np.arange(n, dtype=np.int64)
    if not columns or n < 2:
        return rank
    key_bits = bits(unit) + bits(ticks)
    if key_bits <= 64:
        key = unit.astype(np.uint64) << np.uint64(bits(ticks))
        key |= ticks.view(np.uint64)
        order = np.argsort(key)
        same = key[order][1:] == key[order][:-1]
    else:
        order = np.lexsort((ticks, unit))
        same = (unit[order][1:] == unit[order][:-1]) & (ticks[order][1:] == ticks[order][:-1])
    tied = np.zeros(n, dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    at = np.flatnonzero(tied)  # positions in (unit, time) order: runs of equal keys
    if not len(at):
        return rank
    rows = order[at]
    starts = np.ones(len(at), dtype=bool)
    starts[1:] = ~same[at[1:] - 1]
    group_id = np.cumsum(starts)
    declared = tie_rank(frame.iloc[rows], columns)
    in_declared = rows[np.lexsort((declared, group_id))]
    in_position = rows[np.lexsort((rows, group_id))]
    rank[in_declared] = in_position
    return rank


def dedupe(
    frame: pd.DataFrame,
    native: np.ndarray,
    *,
    event_id: str | None,
    order: list[str],
    as_of_native: int | None,
    time: str,
) -> tuple[np.ndarray, list[Note]]:
    """Mask of the rows kept and the notes on what was removed."""
    keep = np.ones(len(frame), dtype=bool)
    notes = []
    if event_id is not None:
        ids = frame[event_id]
        repeated = np.flatnonzero(ids.duplicated(keep=False).to_numpy() & ids.notna().to_numpy())
        if len(repeated):
            sub = frame.iloc[repeated]
            id_code = group(sub, [event_id]).codes
            rank = tie_rank(sub, order)
            sequence = np.lexsort((rank, native[repeated], id_code))
            later = np.ones(len(repeated), dtype=bool)
            heads = np.concatenate([[0], np.flatnonzero(np.diff(id_code[sequence])) + 1])
            later[sequence[heads]] = False
            keep[repeated[later]] = False
            dropped = int(later.sum())
            message = f"{dropped} rows with a repeated {event_id} removed"
            notes.append(
                Note(code="duplicate_events", count=dropped, subject=event_id, message=message)
            )
    if as_of_native is not None:
        late = native > as_of_native
        if (late & keep).any():
            count = int((late & keep).sum())
            notes.append(
                Note(
                    code="after_as_of",
                    count=count,
                    subject=time,
                    message=f"{count} events after as_of were excluded",
                )
            )
        keep &= ~late
    return keep, notes


def match_steps(column: pd.Series, names: list[str], strict_order: bool) -> tuple[Any, ...]:
    """(row, step) of the entries, one per step a row matches, and the step names present.

    The event names are coded once (the grouping helper) and each distinct name is mapped
    through a small table to the steps it fills. Entries come in row order, one block per
    repeat of a step name (a row matching a repeated name gives one entry per step), so a
    log sorted by user and time gives entries in nearly sorted order and the sort costs
    little. With ``strict_order`` an unmatched row gives a step-0 entry.
    """
    codes, uniques = factorize(column, sort=False)
    fills = {v: [j for j, n in enumerate(names, start=1) if n == v] for v in set(names)}
    per_code = [fills.get(v, []) if isinstance(v, str) else [] for v in uniques] + [[]]
    if strict_order:  # an unmatched row (or a missing name: code -1, the last slot) is step 0
        per_code = [found or [0] for found in per_code]
    table = np.full((len(per_code), max(map(len, per_code))), -1, dtype=np.int8)  # k ≤ 32
    for code, found in enumerate(per_code):  # a loop over distinct names, never rows
        table[code, : len(found)] = found
    blocks = np.empty((table.shape[1], len(codes)), dtype=np.int8)  # (repeat, row)
    for repeat in range(table.shape[1]):  # one block of rows per repeat of a step name
        np.take(np.ascontiguousarray(table[:, repeat]), codes, out=blocks[repeat])
    at = np.flatnonzero(blocks.ravel() >= 0)
    steps = blocks.ravel()[at]  # int8: the sort reads it into its packed key
    n = len(codes)
    cuts = np.searchsorted(at, np.arange(table.shape[1] + 1) * n).tolist()
    for repeat in range(1, table.shape[1]):  # repeat · n + row -> row, block by block
        at[cuts[repeat] : cuts[repeat + 1]] -= repeat * n
    present = {v for v in uniques if isinstance(v, str) and v in fills}
    return at.astype(np.int64, copy=False), steps, present


@attrs.frozen(kw_only=True, eq=False)
class Entries:
    """Sorted entries (unit, tick, step, rank) and the units they belong to."""

    unit: np.ndarray
    time: np.ndarray
    step: np.ndarray
    rank: np.ndarray | None
    n_units: int
    unit_codes: np.ndarray
    unit_table: pd.DataFrame
    present: set[str]


def unit_codes(
    frame: pd.DataFrame, unit_keys: list[str], workers: int = 1
) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes and the key table of the units (group keys, then user).

    A log grouped by user is coded by first appearance, one hash per run of equal ids;
    otherwise one user column of integers or short text is coded in sorted order by one
    sort of packed values (``sort_factorize``: no hash table, as fast in any row order),
    and other keys by first appearance (the sort's keys on ``workers`` runs of rows in
    threads). The codes differ only in order.
    """
    if len(unit_keys) > 1:
        units = group(frame, unit_keys, sort=False)
        return np.asarray(units.codes, dtype=np.int64), units.keys.reset_index(drop=True)
    column = frame[unit_keys[0]]
    head = column.iloc[:_SAMPLE].to_numpy()
    grouped = len(head) < 2 or int(np.count_nonzero(head[1:] != head[:-1])) * 2 < len(head)
    found = None if grouped else sort_factorize(column, workers)
    codes, uniques = found or factorize(column, sort=False, runs=True)
    table = pd.DataFrame({unit_keys[0]: pd.Series(uniques, copy=False)})
    return np.asarray(codes, dtype=np.int64), table


def entries(
    matched: tuple[Any, ...],
    codes_and_table: tuple[np.ndarray, pd.DataFrame],
    ticks: np.ndarray,
    *,
    options: tuple[str, ...],
    rank: np.ndarray | None,
    workers: int = 1,
) -> Entries:
    """Entries of the kept rows (``match_steps``), sorted by (unit, tick, step, rank).

    Entries that cannot change a level are dropped while sorting (``_sort.Prune``).
    """
    row, step, present = matched
    codes, table = codes_and_table
    restart = "strict_once" not in options and "strict_increase" not in options
    unit, time, step, e_rank = sort_entries(
        codes, ticks, step, rank, rows=row, prune="restart" if restart else "first", workers=workers
    )
    return Entries(
        unit=unit,
        time=time,
        step=step,
        rank=e_rank,
        n_units=len(table),
        unit_codes=codes,
        unit_table=table,
        present=present,
    )
