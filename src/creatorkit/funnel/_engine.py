"""Vectorized funnel levels: the state machine of ``_reference`` run for all units at once.

Entries are sorted by (unit, time, step, row) — one packed ``uint64`` key when the bits fit,
otherwise a lexsort — and the sort is skipped when the input is already in order. Units are
then processed in parallel, one entry position at a time; with units ordered by their number
of entries (longest first) the units still active at position ``p`` are a prefix, so each
pass works on contiguous slices. A level keeps the chain with the latest first step (the
best for the window); ``strict_increase`` only extends chains whose last step is strictly
earlier, by committing a timestamp's chains when the unit's time advances; ``strict_once``
keeps the best chain of two different rows per level, which is exact unless an event row
matches steps two or more positions apart and ties in time — such units are recomputed
with the reference specification.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
import numpy as np

NONE = np.iinfo(np.int64).min // 4
"""Sentinel for 'no chain' in int64 time arrays."""


@attrs.frozen(kw_only=True, eq=False)
class Levels:
    """Per-unit outcome: the level and, per level, the first time, reach time and start row."""

    level: np.ndarray
    first: np.ndarray
    reached: np.ndarray
    start_row: np.ndarray


def sort_entries(
    unit: np.ndarray, time: np.ndarray, step: np.ndarray, row: np.ndarray
) -> np.ndarray:
    """Permutation ordering entries by (unit, time, step, row); identity when already ordered."""
    n = len(unit)
    if n == 0:
        return np.arange(0)
    t0 = time - time.min()
    bits_unit = max(int(unit.max()).bit_length(), 1)
    bits_time = max(int(t0.max()).bit_length(), 1)
    bits_step = max(int(step.max()).bit_length(), 1)
    bits_row = max(int(row.max()).bit_length(), 1)
    if bits_unit + bits_time + bits_step + bits_row <= 64:
        key = unit.astype(np.uint64)
        for part, bits in ((t0, bits_time), (step, bits_step), (row, bits_row)):
            key = (key << np.uint64(bits)) | part.astype(np.uint64)
        if bool(np.all(key[1:] >= key[:-1])):
            return np.arange(n)
        return np.argsort(key, kind="stable")
    if bits_unit + bits_time + bits_step <= 64:
        key = unit.astype(np.uint64)
        for part, bits in ((t0, bits_time), (step, bits_step)):
            key = (key << np.uint64(bits)) | part.astype(np.uint64)
        if bool(np.all(key[1:] >= key[:-1])) and bool(
            np.all(np.diff(row)[key[1:] == key[:-1]] > 0)
        ):
            return np.arange(n)
        return np.lexsort((row, key))
    return np.lexsort((row, step, t0, unit))


def levels(
    unit: np.ndarray,
    time: np.ndarray,
    step: np.ndarray,
    row: np.ndarray,
    *,
    n_units: int,
    k: int,
    window: int,
    strict_order: bool,
    dedup: bool,
    increase: bool,
    once: bool,
) -> Levels:
    """Run the funnel state machine for every unit; entries must be sorted (``sort_entries``).

    Units are ranked by their number of entries (longest first) and the entries are laid out
    position-major (all first entries, then all second entries, ...), so pass ``p`` reads one
    contiguous block and updates the state of ranks ``0 .. c_p − 1``, also contiguous.
    """
    n = len(unit)
    counts = np.bincount(unit, minlength=n_units)
    order = np.argsort(-counts, kind="stable")  # rank -> unit
    rank_of = np.empty(n_units, dtype=np.int64)
    rank_of[order] = np.arange(n_units)
    sorted_counts = counts[order]
    max_len = int(sorted_counts[0]) if n_units and n else 0
    active = np.searchsorted(-sorted_counts, -np.arange(max_len), side="left")
    offset = np.concatenate([[0], np.cumsum(active)]).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    position = np.arange(n, dtype=np.int64) - starts[unit]
    dest = offset[position] + rank_of[unit] if n else np.zeros(0, dtype=np.int64)
    times, steps, rows = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n, np.int64)
    times[dest], steps[dest], rows[dest] = time, step, row

    first = np.full((n_units, k), NONE, dtype=np.int64)
    reached = np.full((n_units, k), NONE, dtype=np.int64)
    start_row = np.full((n_units, k), -1, dtype=np.int64)
    second = np.full((n_units, k), NONE, dtype=np.int64) if once else first
    second_start = np.full((n_units, k), -1, dtype=np.int64) if once else start_row
    best_row = np.full((n_units, k), -1, dtype=np.int64) if once else start_row
    pend = np.full((n_units, k), NONE, dtype=np.int64) if increase else first
    pend_start = np.full((n_units, k), -1, dtype=np.int64) if increase else start_row
    has = np.zeros((n_units, k), dtype=bool)
    done = np.zeros(n_units, dtype=bool)
    started = np.zeros(n_units, dtype=bool)
    current = np.full(n_units, NONE, dtype=np.int64)
    # flat views: index (rank, level) as rank * k + level (1-D gathers are much cheaper)
    first_f, start_f, reached_f, has_f = (
        first.reshape(-1),
        start_row.reshape(-1),
        reached.reshape(-1),
        has.reshape(-1),
    )
    second_f, second_start_f, best_row_f = (
        second.reshape(-1),
        second_start.reshape(-1),
        best_row.reshape(-1),
    )
    pend_f, pend_start_f = pend.reshape(-1), pend_start.reshape(-1)
    for p in range(max_len):
        c = int(active[p])
        block = slice(int(offset[p]), int(offset[p]) + c)
        t_all, j_all, r_all = times[block], steps[block], rows[block]
        live = ~done[:c]
        if increase:
            moved = np.flatnonzero(live & (t_all > current[:c]))
            if len(moved):
                better = pend[moved] > first[moved]
                first[moved] = np.where(better, pend[moved], first[moved])
                start_row[moved] = np.where(better, pend_start[moved], start_row[moved])
                pend[moved] = NONE
                current[moved] = t_all[moved]
        if strict_order:
            stop = live & (j_all == 0) & started[:c]
            done[:c] |= stop
            live &= ~stop & (j_all > 0)
        begin = np.flatnonzero(live & (j_all == 1))
        if len(begin):
            tb, rb = t_all[begin], r_all[begin]
            target = pend if increase else first
            target_start = pend_start if increase else start_row
            if once:
                second[begin, 0] = first[begin, 0]
                second_start[begin, 0] = start_row[begin, 0]
                best_row[begin, 0] = rb
            target[begin, 0] = tb
            target_start[begin, 0] = rb
            reached[begin, 0] = tb
            has[begin, 0] = True
            started[begin] = True
        u = np.flatnonzero(live & (j_all >= 2))
        if not len(u):
            continue
        t, r = t_all[u], r_all[u]
        cell = u * k + (j_all[u] - 1)  # flat (rank, level) of the step this entry fills
        if dedup:
            dup = has_f[cell]
            done[u[dup]] = True
            keep = ~dup
            u, t, cell, r = u[keep], t[keep], cell[keep], r[keep]
        if strict_order:
            broken = started[u] & ~has_f[cell - 1]
            done[u[broken]] = True
            keep = ~broken
            u, t, cell, r = u[keep], t[keep], cell[keep], r[keep]
        f = first_f[cell - 1]
        f_start = start_f[cell - 1]
        if once:
            clash = best_row_f[cell - 1] == r
            f = np.where(clash, second_f[cell - 1], f)
            f_start = np.where(clash, second_start_f[cell - 1], f_start)
        ok = (f != NONE) & (t <= f + window)
        if not ok.all():
            u, t, cell, r, f, f_start = u[ok], t[ok], cell[ok], r[ok], f[ok], f_start[ok]
        if not len(u):
            continue
        if increase:
            better = f > pend_f[cell]
            pend_f[cell[better]] = f[better]
            pend_start_f[cell[better]] = f_start[better]
        elif once:
            top = f > first_f[cell]
            same = best_row_f[cell] == r
            demote = cell[top & ~same]
            second_f[demote] = first_f[demote]
            second_start_f[demote] = start_f[demote]
            first_f[cell[top]] = f[top]
            start_f[cell[top]] = f_start[top]
            best_row_f[cell[top]] = r[top]
            runner = ~top & ~same & (f > second_f[cell])
            second_f[cell[runner]] = f[runner]
            second_start_f[cell[runner]] = f_start[runner]
        else:
            better = f > first_f[cell]
            first_f[cell[better]] = f[better]
            start_f[cell[better]] = f_start[better]
        reached_f[cell] = t
        has_f[cell] = True
        done[u[cell % k == k - 1]] = True
    if increase:
        better = pend > first
        first = np.where(better, pend, first)
        start_row = np.where(better, pend_start, start_row)
    return Levels(
        level=has.sum(axis=1).astype(np.int64)[rank_of],
        first=first[rank_of],
        reached=reached[rank_of],
        start_row=start_row[rank_of],
    )


def levels_split(
    unit: np.ndarray,
    time: np.ndarray,
    step: np.ndarray,
    row: np.ndarray,
    *,
    n_units: int,
    workers: int,
    **options: Any,
) -> Levels:
    """:func:`levels` on ``workers`` disjoint ranges of units, run in threads.

    Units are independent and numpy releases the GIL in the heavy array operations, so
    the ranges run in parallel; the per-unit outputs are concatenated back in unit order.
    """
    if workers < 2 or n_units < 2 * workers:
        return levels(unit, time, step, row, n_units=n_units, **options)
    bounds = np.linspace(0, n_units, workers + 1).astype(np.int64)
    cuts = np.searchsorted(unit, bounds)

    def part(i: int) -> Levels:
        lo, hi = int(cuts[i]), int(cuts[i + 1])
        first_unit, last_unit = int(bounds[i]), int(bounds[i + 1])
        return levels(
            unit[lo:hi] - first_unit,
            time[lo:hi],
            step[lo:hi],
            row[lo:hi],
            n_units=last_unit - first_unit,
            **options,
        )

    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(part, range(workers)))
    return Levels(
        level=np.concatenate([p.level for p in parts]),
        first=np.concatenate([p.first for p in parts]),
        reached=np.concatenate([p.reached for p in parts]),
        start_row=np.concatenate([p.start_row for p in parts]),
    )
