"""Vectorized funnel levels: the state machine of ``_reference`` run for all units at once.

Stage *levels* of the event-funnel engine (the others: ``_entries``, ``_sort``,
``_aggregate``): :func:`levels_split` runs one of two engines that agree on every output
(tests check both against each other and against the specification):

  - :func:`scan_levels`, for the modes without ``strict_increase`` / ``strict_once``
    (ClickHouse keeps one chain per level there): one pass per step, each a sorted search
    of the step's entries among the previous level's qualifying positions;
  - :func:`levels`, for chains: units are ranked by their number of entries (longest
    first) and the entries laid out position-major, so pass ``p`` reads one contiguous
    block and updates the state of ranks ``0 .. c_p − 1``. A level keeps the chain with the
    latest first step (the best for the window); ``strict_increase`` only extends chains
    whose last step is strictly earlier, by committing a timestamp's chains when the unit's
    time advances; ``strict_once`` keeps the best chain of two different rows per level,
    which is exact unless an event row matches steps two or more positions apart and ties
    in time — the caller recomputes such units with the reference specification.

Either engine runs on ``workers`` ranges of units in threads.

Times are integer ticks rebased to the earliest event (so every tick is ``≥ 0``) and the
window is at most the largest tick, so no sum or difference of times can overflow.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from creatorkit._threads import run

NONE = np.iinfo(np.int64).min // 4
"""Sentinel for 'no chain' in int64 time arrays."""


@attrs.frozen(kw_only=True)
class Options:
    """Engine flags: steps ``k``, window in ticks and the ClickHouse options."""

    k: int
    window: int
    strict_order: bool = False
    dedup: bool = False
    increase: bool = False
    once: bool = False
    reentry: bool = False


@attrs.frozen(kw_only=True, eq=False)
class Levels:
    """Per-unit outcome: the level and, per level, the first time, reach time and start row."""

    level: np.ndarray
    first: np.ndarray
    reached: np.ndarray
    start_row: np.ndarray | None
    """None when the entries carry no row ranks (nothing asks for start rows then)."""


def _empty(n_units: int, k: int, rows: bool) -> Levels:
    """Uninitialized per-unit outputs (filled by :func:`_outputs`); start rows if ``rows``."""
    shape = (n_units, k)
    return Levels(
        level=np.empty(n_units, dtype=np.int64),
        first=np.empty(shape, np.int64),
        reached=np.empty(shape, np.int64),
        start_row=np.empty(shape, np.int64) if rows else None,
    )


def _outputs(n_units: int, k: int, out: Levels | None, rows: bool) -> Levels:
    """``out`` (or new arrays) reset: level 0, no times, no start rows."""
    res = _empty(n_units, k, rows) if out is None else out
    res.level.fill(0)
    res.first.fill(NONE)
    res.reached.fill(NONE)
    if res.start_row is not None:
        res.start_row.fill(-1)
    return res


def _layout(unit: np.ndarray, n_units: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
    """Rank of each unit (longest first), active ranks per position, block offsets, slots."""
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
    return rank_of, active, offset, dest


class _State:
    """Per (rank, level) chain state; ``*_f`` are flat views indexed ``rank * k + level``."""

    def __init__(self, n_units: int, opts: Options) -> None:
        shape, k = (n_units, opts.k), opts.k

        def full(value: int) -> np.ndarray:
            return np.full(shape, value, dtype=np.int64)

        self.first, self.reached, self.start_row = full(NONE), full(NONE), full(-1)
        self.second = full(NONE) if opts.once else self.first
        self.second_start = full(-1) if opts.once else self.start_row
        self.best_row = full(-1) if opts.once else self.start_row
        self.pend = full(NONE) if opts.increase else self.first
        self.pend_start = full(-1) if opts.increase else self.start_row
        self.has = np.zeros(shape, dtype=bool)
        self.done = np.zeros(n_units, dtype=bool)
        self.started = np.zeros(n_units, dtype=bool)
        self.current = np.full(n_units, NONE, dtype=np.int64)
        self.k = k
        self.first_f, self.start_row_f = self.first.reshape(-1), self.start_row.reshape(-1)
        self.reached_f, self.has_f = self.reached.reshape(-1), self.has.reshape(-1)
        self.second_f, self.second_start_f = self.second.reshape(-1), self.second_start.reshape(-1)
        self.best_row_f = self.best_row.reshape(-1)
        self.pend_f, self.pend_start_f = self.pend.reshape(-1), self.pend_start.reshape(-1)


def _commit_time(s: _State, live: np.ndarray, t_all: np.ndarray) -> None:
    """``strict_increase``: when a unit's time advances, its pending chains become usable."""
    c = len(t_all)
    moved = np.flatnonzero(live & (t_all > s.current[:c]))
    if len(moved):
        better = s.pend[moved] > s.first[moved]
        s.first[moved] = np.where(better, s.pend[moved], s.first[moved])
        s.start_row[moved] = np.where(better, s.pend_start[moved], s.start_row[moved])
        s.pend[moved] = NONE
        s.current[moved] = t_all[moved]


def _begin(s: _State, begin: np.ndarray, tb: np.ndarray, rb: np.ndarray, opts: Options) -> None:
    """Step-1 entries start a chain (the latest one wins a level: the best for the window)."""
    target = s.pend if opts.increase else s.first
    target_start = s.pend_start if opts.increase else s.start_row
    if opts.once:
        s.second[begin, 0] = s.first[begin, 0]
        s.second_start[begin, 0] = s.start_row[begin, 0]
        s.best_row[begin, 0] = rb
    target[begin, 0] = tb
    target_start[begin, 0] = rb
    s.reached[begin, 0] = tb
    s.has[begin, 0] = True
    s.started[begin] = True


def _gate(s: _State, u: np.ndarray, cell: np.ndarray, opts: Options) -> np.ndarray:
    """Keep-mask of step entries that do not end the scan; ends it for the others."""
    keep = np.ones(len(u), dtype=bool)
    if opts.dedup:
        dup = s.has_f[cell]
        s.done[u[dup]] = True
        keep &= ~dup
    if opts.strict_order:
        broken = keep & s.started[u] & ~s.has_f[cell - 1]
        if not opts.reentry:  # allow_reentry skips the out-of-order step instead
            s.done[u[broken]] = True
        keep &= ~broken
    return keep


def _store(
    s: _State, cell: np.ndarray, f: np.ndarray, f_start: np.ndarray, r: np.ndarray, opts: Options
) -> None:
    """Record the chains an entry extends: the best (latest) first time per level."""
    if opts.increase:
        better = f > s.pend_f[cell]
        s.pend_f[cell[better]] = f[better]
        s.pend_start_f[cell[better]] = f_start[better]
    elif opts.once:
        top = f > s.first_f[cell]
        same = s.best_row_f[cell] == r
        demote = cell[top & ~same]
        s.second_f[demote] = s.first_f[demote]
        s.second_start_f[demote] = s.start_row_f[demote]
        s.first_f[cell[top]] = f[top]
        s.start_row_f[cell[top]] = f_start[top]
        s.best_row_f[cell[top]] = r[top]
        runner = ~top & ~same & (f > s.second_f[cell])
        s.second_f[cell[runner]] = f[runner]
        s.second_start_f[cell[runner]] = f_start[runner]
    else:
        better = f > s.first_f[cell]
        s.first_f[cell[better]] = f[better]
        s.start_row_f[cell[better]] = f_start[better]


def _extend(
    s: _State, u: np.ndarray, t: np.ndarray, j: np.ndarray, r: np.ndarray, opts: Options
) -> None:
    """Entries of steps ≥ 2 extend the chain of the previous level within the window."""
    cell = u * opts.k + (j - 1)  # flat (rank, level) of the step this entry fills
    keep = _gate(s, u, cell, opts)
    if not keep.all():
        u, t, cell, r = u[keep], t[keep], cell[keep], r[keep]
    f, f_start = s.first_f[cell - 1], s.start_row_f[cell - 1]
    if opts.once:
        clash = s.best_row_f[cell - 1] == r
        f = np.where(clash, s.second_f[cell - 1], f)
        f_start = np.where(clash, s.second_start_f[cell - 1], f_start)
    ok = (f != NONE) & (t - np.maximum(f, 0) <= opts.window)  # ticks ≥ 0: no overflow
    if not ok.all():
        u, t, cell, r, f, f_start = u[ok], t[ok], cell[ok], r[ok], f[ok], f_start[ok]
    if not len(u):
        return
    _store(s, cell, f, f_start, r, opts)
    s.reached_f[cell] = t
    s.has_f[cell] = True
    s.done[u[cell % opts.k == opts.k - 1]] = True


def _previous(sorted_pos: np.ndarray, query: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Index into ``sorted_pos`` of the last position before each query in its unit, or -1."""
    at = np.searchsorted(sorted_pos, query) - 1
    found = at >= 0
    found[found] = unit[sorted_pos[at[found]]] == unit[query[found]]
    return np.where(found, at, -1)


def _first_per_unit(unit: np.ndarray, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(units, first position) of sorted ``positions``, one per unit that has any."""
    owners = unit[positions]
    heads = np.concatenate([[True], owners[1:] != owners[:-1]]) if len(positions) else owners > 0
    return owners[heads], positions[heads]


def _ends(
    unit: np.ndarray,
    step: np.ndarray,
    q: dict[int, np.ndarray],
    miss: np.ndarray,
    n_units: int,
    opts: Options,
) -> np.ndarray:
    """First entry not processed, per unit: a break or just after completing step ``k``."""
    stops = []
    if opts.strict_order:
        odd = np.concatenate([np.flatnonzero(step == 0), [] if opts.reentry else miss])
        odd = np.sort(odd.astype(np.int64))
        stops.append(odd[_previous(q[1], odd, unit) >= 0])  # only once a chain started
    if opts.dedup:
        for j in range(2, opts.k + 1):
            cand = np.flatnonzero(step == j)
            stops.append(cand[_previous(q[j], cand, unit) >= 0])  # a repeated step
    end = np.full(n_units, len(unit), dtype=np.int64)
    owners, first = _first_per_unit(unit, q[opts.k])
    end[owners] = first + 1  # the scan stops once step k is reached
    for positions in stops:  # each list is sorted; keep the earliest per unit
        owners, first = _first_per_unit(unit, positions)
        end[owners] = np.minimum(end[owners], first)
    return end


def scan_levels(
    unit: np.ndarray,
    time: np.ndarray,
    step: np.ndarray,
    row: np.ndarray | None,
    *,
    n_units: int,
    opts: Options,
    out: Levels | None = None,
) -> Levels:
    """:func:`levels` without ``strict_increase`` / ``strict_once``, one pass per step.

    Level ``j``'s state is overwritten by each qualifying step-``j`` entry, so the chain an
    entry extends is the one of the last qualifying step-``(j − 1)`` entry before it in its
    unit (a sorted search over the qualifying positions). A break or the completion of step
    ``k`` ends a unit's scan: entries from there on are ignored, which changes nothing before.
    """
    q = {1: np.flatnonzero(step == 1)}  # positions of qualifying entries, per level
    src = {1: q[1]}  # the step-1 entry of the chain each one extends
    misses = []
    for j in range(2, opts.k + 1):
        cand = np.flatnonzero(step == j)
        at = _previous(q[j - 1], cand, unit)
        origin = np.zeros(len(cand), dtype=np.int64)
        origin[at >= 0] = src[j - 1][at[at >= 0]]
        ok = (at >= 0) & (time[cand] - time[origin] <= opts.window)
        q[j], src[j] = cand[ok], origin[ok]
        misses.append(cand[at < 0])  # its previous step was never reached before it
    miss = np.concatenate(misses) if misses else np.zeros(0, dtype=np.int64)
    end = _ends(unit, step, q, miss, n_units, opts)
    res = _outputs(n_units, opts.k, out, row is not None)  # in place: a range of the caller's
    first, reached, start_row, level = res.first, res.reached, res.start_row, res.level
    for j in range(1, opts.k + 1):
        kept = q[j] < end[unit[q[j]]]
        positions, origins = q[j][kept], src[j][kept]
        if not len(positions):
            break  # no unit reached level j, nor any later level
        last = np.concatenate([unit[positions][1:] != unit[positions][:-1], [True]])
        owners, at, origin = unit[positions[last]], positions[last], origins[last]
        first[owners, j - 1], reached[owners, j - 1] = time[origin], time[at]
        if start_row is not None and row is not None:
            start_row[owners, j - 1] = row[origin]
        level[owners] = j
    return res


def levels(
    unit: np.ndarray,
    time: np.ndarray,
    step: np.ndarray,
    row: np.ndarray | None,
    *,
    n_units: int,
    opts: Options,
    out: Levels | None = None,
) -> Levels:
    """Run the funnel state machine for every unit; entries sorted by ``_sort.sort_entries``.

    With ``out``, the per-unit results are written into its arrays (and it is returned).
    """
    rank_of, active, offset, dest = _layout(unit, n_units)
    n = len(unit)
    times, steps = np.empty(n, np.int64), np.empty(n, np.int64)
    times[dest], steps[dest] = time, step
    rows = np.zeros(n, np.int64)  # no rank needed: every entry has rank 0
    if row is not None:
        rows[dest] = row
    s = _State(n_units, opts)
    for p in range(len(active)):
        c = int(active[p])
        block = slice(int(offset[p]), int(offset[p]) + c)
        t_all, j_all, r_all = times[block], steps[block], rows[block]
        live = ~s.done[:c]
        if opts.increase:
            _commit_time(s, live, t_all)
        if opts.strict_order:
            stop = live & (j_all == 0) & s.started[:c]
            s.done[:c] |= stop
            live &= ~stop & (j_all > 0)
        begin = np.flatnonzero(live & (j_all == 1))
        if len(begin):
            _begin(s, begin, t_all[begin], r_all[begin], opts)
        u = np.flatnonzero(live & (j_all >= 2))
        if len(u):
            _extend(s, u, t_all[u], j_all[u], r_all[u], opts)
    first, start_row = s.first, s.start_row
    if opts.increase:
        better = s.pend > first
        first = np.where(better, s.pend, first)
        start_row = np.where(better, s.pend_start, start_row)
    res = _empty(n_units, opts.k, row is not None) if out is None else out  # all written below
    np.take(s.has.sum(axis=1), rank_of, out=res.level, mode="clip")
    for target, source in ((res.first, first), (res.reached, s.reached)):
        np.take(source, rank_of, axis=0, out=target, mode="clip")
    if res.start_row is not None:
        np.take(start_row, rank_of, axis=0, out=res.start_row, mode="clip")
    return res


def levels_split(
    unit: np.ndarray,
    time: np.ndarray,
    step: np.ndarray,
    row: np.ndarray | None,
    *,
    n_units: int,
    workers: int,
    opts: Options,
) -> Levels:
    """Levels of every unit, the engine chosen by the options.

    :func:`scan_levels` when no option needs whole chains, else :func:`levels`, on
    ``workers`` disjoint ranges of units, run in threads.

    Units are independent and numpy releases the GIL in the heavy array operations, so
    the ranges run in parallel; each range writes its units' rows of one set of output
    arrays (no concatenation), so the result is identical to ``workers=1``.
    """
    engine = levels if opts.increase or opts.once else scan_levels
    if workers < 2 or n_units < 2 * workers:
        return engine(unit, time, step, row, n_units=n_units, opts=opts)
    bounds = np.linspace(0, n_units, workers + 1).astype(np.int64)
    cuts = np.searchsorted(unit, bounds)

    whole = _empty(n_units, opts.k, row is not None)

    def part(i: int) -> None:
        lo, hi = int(cuts[i]), int(cuts[i + 1])
        units = slice(int(bounds[i]), int(bounds[i + 1]))
        view = Levels(
            level=whole.level[units],
            first=whole.first[units],
            reached=whole.reached[units],
            start_row=None if whole.start_row is None else whole.start_row[units],
        )
        engine(
            unit[lo:hi] - units.start,
            time[lo:hi],
            step[lo:hi],
            None if row is None else row[lo:hi],
            n_units=units.stop - units.start,
            opts=opts,
            out=view,
        )

    run(part, list(range(workers)))
    return whole
