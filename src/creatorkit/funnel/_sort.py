"""Stage *sort* of the event-funnel engine: entries ordered by (unit, time, step, tie rank).

The fields are packed into one ``uint64`` when their bits fit (the unit most significant),
built chunk by chunk straight from the per-row columns (no whole-column gathers), and the
packed values are sorted directly (no permutation). Keys in random order are first moved
into ``workers`` ranges of units, each sorted in its own thread (numpy's sort releases the
GIL); a log sorted by user and time gives keys out of order only at ties, which timsort's
natural runs sort in one thread. The fields are then read back from the sorted keys chunk
by chunk, dropping on the way the entries that cannot change a level (``prune``, see
:func:`first_step_onward`): each chunk's temporaries stay in cache and the outputs are the
only large arrays written (fresh memory's page faults cost as much as the arithmetic). The
unit field is written over the sorted keys themselves. Keys that do not fit fall back to a
lexsort.
"""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np

from creatorkit._arith import CHUNK, chunks
from creatorkit._threads import chunk_groups, run

Prune = Literal["none", "first", "restart"]
"""Entries dropped after sorting: none; those before their unit's first step-1 entry;
those and every step-1 entry directly followed by another step-1 entry of its unit."""

Sorted = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]

_PARALLEL_SORT = 1 << 20
"""Entries from which the packed sort runs on ``workers`` ranges of units in threads."""


def bits(values: np.ndarray) -> int:
    """Bits of the largest of non-negative ``values`` (at least 1)."""
    return max(int(values.max()).bit_length(), 1) if len(values) else 1


def useful(
    unit: np.ndarray,
    step: np.ndarray,
    *,
    restart: bool,
    carry: int = -1,
    after: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, int]:
    """Keep-mask of sorted entries that can change a level, and the carry for what follows.

    An entry is kept when its unit has a step-1 entry at or before it: units ascend, so
    that holds exactly when the running maximum of the units of step-1 entries equals its
    unit (``carry``: that maximum before the first entry). With ``restart`` a step-1 entry
    directly followed by another of its unit is dropped too (``after``: the units and steps
    of the entries following each one, when they differ from the next ones in the arrays).
    """
    one = step == 1
    seen = np.where(one, unit, np.int64(-1)).astype(np.int64, copy=False)
    np.maximum.accumulate(seen, out=seen)
    np.maximum(seen, carry, out=seen)
    keep: np.ndarray = seen == unit
    next_unit, next_step = (unit[1:], step[1:]) if after is None else after
    c = len(next_unit)
    if restart and c:
        keep[:c] &= ~(one[:c] & (next_step == 1) & (next_unit == unit[:c]))
    return keep, int(seen[-1]) if len(seen) else carry


def first_step_onward(unit: np.ndarray, step: np.ndarray, *, restart: bool) -> np.ndarray:
    """Mask of sorted entries that can change a level (:func:`useful` on whole arrays).

    Entries before their unit's first step-1 entry are no-ops; with ``restart`` (no
    ``strict_once`` / ``strict_increase``) a step-1 entry directly followed by another of the
    same unit is overwritten before anything reads it.
    """
    return useful(unit, step, restart=restart)[0]


def sort_entries(
    unit: np.ndarray,
    time: np.ndarray,
    step: np.ndarray,
    rank: np.ndarray | None,
    *,
    rows: np.ndarray | None = None,
    prune: Prune = "none",
    workers: int = 1,
) -> Sorted:
    """``(unit, time, step, rank)`` ordered by those fields (``rank`` only when given).

    All inputs are non-negative integers; new outputs are ``int64``. With ``rows``, the
    ``unit``, ``time`` and ``rank`` arrays hold one value per event row and entry ``i``
    belongs to row ``rows[i]`` (``step`` holds one value per entry). ``prune`` drops the
    entries that cannot change a level (:data:`Prune`). Returns new arrays, or the inputs
    when they are already in order and nothing is gathered or dropped. The result does
    not depend on ``workers``.
    """
    parts = [unit, time, step] if rank is None else [unit, time, step, rank]
    widths = [bits(p) for p in parts]
    if sum(widths) > 64:
        return _lexsorted(parts, rows, prune)
    key, descents = _pack(parts, widths, rows, workers)
    n = len(key)
    if not descents and rows is None and prune == "none":
        return unit, time, step, rank
    nearly = descents * 64 < max(n, 1)  # (no entries: one empty span)
    spare, (key, spans) = key, ((key, [(0, n)]) if nearly else _unit_ranges(key, widths, workers))
    fields = [key.view(np.int64)] + [np.empty(n, dtype=np.int64) for _ in widths[1:]]
    if spare is not key:  # the keys before regrouping: free memory for a field
        fields[1] = spare.view(np.int64)

    def sort_span(span: tuple[int, int]) -> int:
        lo, hi = span
        if descents:
            key[lo:hi].sort(kind="stable" if nearly else "quicksort")
        return _unpack(key, span, widths, fields, prune)

    total = _close_gaps(fields, spans, run(sort_span, spans))
    out = [field[:total] for field in fields]
    return out[0], out[1], out[2], (out[3] if rank is not None else None)


def _fields(widths: list[int]) -> tuple[list[np.uint64], list[np.uint64]]:
    """Shift and mask of each packed field (the first field most significant)."""
    shifts = [np.uint64(sum(widths[i + 1 :])) for i in range(len(widths))]
    return shifts, [np.uint64((1 << w) - 1) for w in widths]


def _pack(
    parts: list[np.ndarray], widths: list[int], rows: np.ndarray | None, workers: int
) -> tuple[np.ndarray, int]:
    """The packed keys of the entries and their number of descents (chunks in threads)."""
    n = len(parts[2])
    key = np.empty(n, dtype=np.uint64)
    shifts = _fields(widths)[0]
    groups = chunk_groups(n, workers)

    def build(group: list[slice]) -> int:
        value = np.empty(CHUNK, dtype=np.uint64)
        descents = 0
        for at in group:
            out, buffer = key[at], value[: at.stop - at.start]
            out.fill(0)
            for i, (part, shift) in enumerate(zip(parts, shifts, strict=True)):
                # step holds one value per entry, the other fields one per row
                source = (
                    part[at] if rows is None or i == 2 else np.take(part, rows[at], mode="clip")
                )
                np.copyto(buffer, source, casting="unsafe")
                buffer <<= shift
                out |= buffer
            descents += int(np.count_nonzero(out[1:] < out[:-1]))
        return descents

    descents = sum(run(build, groups, workers))
    starts = np.array([at.start for group in groups for at in group][1:], dtype=np.intp)
    descents += int(np.count_nonzero(key[starts] < key[starts - 1])) if len(starts) else 0
    return key, descents


def _unit_ranges(
    key: np.ndarray, widths: list[int], workers: int
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Packed ``key`` regrouped into ``workers`` ranges of units, and the ranges' bounds.

    The unit is the key's top field, so a range of units is a range of keys: each key is
    moved to its range's block (keys keep their order within a block), and sorting each
    block sorts the whole.
    """
    n = len(key)
    if workers < 2 or n < _PARALLEL_SORT:
        return key, [(0, n)]
    low = sum(widths[1:])
    top = int(key.max() >> np.uint64(low)) + 1
    cuts = [((top * i) // workers) << low for i in range(workers + 1)]
    grouped, bounds = np.empty_like(key), [0]
    for lo, hi in itertools.pairwise(cuts):  # a loop over workers, never rows
        inside = key >= np.uint64(lo)
        if hi < 1 << 64:  # (the last cut is 2**64 when the key uses all 64 bits)
            inside &= key < np.uint64(hi)
        size = int(np.count_nonzero(inside))
        np.compress(inside, key, out=grouped[bounds[-1] : bounds[-1] + size])
        bounds.append(bounds[-1] + size)
    return grouped, list(itertools.pairwise(bounds))


def _unpack(
    key: np.ndarray,
    span: tuple[int, int],
    widths: list[int],
    fields: list[np.ndarray],
    prune: Prune,
) -> int:
    """Fields of the sorted keys of ``span``, pruned, written from the span's start.

    Chunk by chunk; the kept entries of a chunk are written at or before its start, after
    the chunk (and the one key past it) was read, so ``fields[0]`` may be ``key`` itself.
    Returns the number of entries written.
    """
    lo, hi = span
    shifts, masks = _fields(widths)

    def unit_and_step(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return (keys >> shifts[0]).view(np.int64), (keys >> shifts[2]) & masks[2]

    write, carry = lo, -1
    for at in chunks(hi - lo):
        a, b = lo + at.start, lo + at.stop
        chunk = key[a:b]
        if prune != "none":
            after = unit_and_step(key[a + 1 : min(b + 1, hi)])  # the entry after each
            keep, carry = useful(
                *unit_and_step(chunk), restart=prune == "restart", carry=carry, after=after
            )
            chunk = chunk[keep]
        m = len(chunk)
        for i in reversed(range(len(widths))):  # the unit last: it may overwrite the keys
            out = fields[i][write : write + m].view(np.uint64)
            np.right_shift(chunk, shifts[i], out=out)
            if i:
                out &= masks[i]
        write += m
    return write - lo


def _close_gaps(fields: list[np.ndarray], spans: list[tuple[int, int]], kept: list[int]) -> int:
    """Move each span's entries right after the previous span's; the total kept."""
    total = kept[0] if kept else 0
    for (lo, _), m in zip(spans[1:], kept[1:], strict=True):
        for at in chunks(m):  # forward, chunk by chunk: the target lies before the source
            for field in fields:
                field[total + at.start : total + at.stop] = field[lo + at.start : lo + at.stop]
        total += m
    return total


def _lexsorted(parts: list[np.ndarray], rows: np.ndarray | None, prune: Prune) -> Sorted:
    """:func:`sort_entries` by a lexsort, for fields whose bits do not fit one key."""
    if rows is not None:
        parts = [p if i == 2 else p[rows] for i, p in enumerate(parts)]
    parts = [np.asarray(p, dtype=np.int64) for p in parts]
    unit, time, step = parts[:3]
    rank = parts[3] if len(parts) > 3 else None
    order: np.ndarray | None = None
    if rank is not None and sum(bits(p) for p in parts[:3]) <= 64:  # rank apart
        key = unit.astype(np.uint64)
        key <<= np.uint64(bits(time))
        key |= time.view(np.uint64)
        key <<= np.uint64(bits(step))
        key |= step.view(np.uint64)
        ties = key[1:] == key[:-1]
        ordered = bool(np.all(key[1:] >= key[:-1]))
        if not (ordered and bool(np.all(rank[1:][ties] > rank[:-1][ties]))):
            order = np.lexsort((rank, key))
    else:
        order = np.lexsort(tuple(reversed(parts)))
    if order is not None:
        parts = [p[order] for p in parts]
    if prune != "none":
        keep = first_step_onward(parts[0], parts[2], restart=prune == "restart")
        parts = [p[keep] for p in parts]
    return parts[0], parts[1], parts[2], (parts[3] if rank is not None else None)
