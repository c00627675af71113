"""``from_events``: ordered event funnels with ClickHouse ``windowFunnel`` semantics."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from creatorkit._grouping import factorize, group
from creatorkit._time import aware_column, parse_as_of, parse_window
from creatorkit._validation import (
    Problems,
    as_str_list,
    check_choice,
    check_columns,
    check_frame,
    check_keys,
    did_you_mean,
    fail,
)
from creatorkit.errors import ErrorCode
from creatorkit.funnel._definition import Funnel, FunnelResult, parse_mode, step_names
from creatorkit.funnel._engine import NONE, levels_split, sort_entries
from creatorkit.funnel._reference import reference_level
from creatorkit.metrics._intervals import wilson
from creatorkit.results import MethodCard, Note

ATTRIBUTIONS = ("first_touch", "last_touch", "step1")
"""How a unit is attributed to a creator."""

MAX_STEPS = 32


def _times(frame: pd.DataFrame, column: str) -> pd.Series:
    series = aware_column(frame, column, "events")
    missing = series.isna().to_numpy()
    if missing.any():
        problems = Problems("events")
        problems.add_mask(
            column, missing, frame.index, series, "must not be missing", ErrorCode.MISSING_VALUE
        )
        problems.raise_if_any()
    return series


_NS_PER_UNIT = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def _as_int(series: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch (UTC), whatever the stored resolution."""
    factor = _NS_PER_UNIT.get(str(getattr(series.dtype, "unit", "ns")))
    if factor is None:  # pragma: no cover - pandas always reports s, ms, us or ns
        converted = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return np.asarray(converted.to_numpy(dtype="datetime64[ns]").astype(np.int64))
    return np.asarray(series.astype("int64").to_numpy(), dtype=np.int64) * factor


def _scale(offsets: np.ndarray) -> int:
    """The coarsest unit (s, ms, us, ns) in which every time offset is whole.

    The window is floor-divided by it: with whole offsets, ``t − f ≤ W`` holds exactly when
    ``(t − f) / scale ≤ ⌊W / scale⌋``.
    """
    for scale in (1_000_000_000, 1_000_000, 1_000):
        if not np.any(offsets % scale):
            return scale
    return 1


def from_events(
    events: pd.DataFrame,
    steps: Sequence[str] | Funnel,
    *,
    window: Any,
    by: str | Iterable[str] | None = None,
    user: str = "user_id",
    time: str = "timestamp",
    event: str = "event",
    mode: str | Iterable[str] = "ordered",
    as_of: Any = None,
    event_id: str | None = "event_id",
    attribution: str | None = None,
    creator: str = "creator_id",
    exclude: str | Iterable[str] | None = None,
) -> FunnelResult:
    """Ordered funnel of raw events, per user, with ClickHouse ``windowFunnel`` semantics.

    Each unit (a user, within each ``by`` group) reaches a *level*: the number of steps it
    completed in order within ``window`` of its step-1 event. ``users`` at step ``s`` counts
    units whose level is at least ``s`` — exactly what
    ``countIf(windowFunnel(window)(time, event = s1, ...) >= s)`` returns per group.

    Semantics (see the docs page for worked examples): the window starts at the step-1 event
    and is inclusive; the latest qualifying step-1 event may restart a chain; events with
    the same timestamp are taken in step order and may chain (A@0 B@0 C@1 → 3). Options
    (``mode``, combinable): ``strict_order`` (once a chain started, the first event matching
    no step, or a step whose previous step was not reached, ends the scan; A B X C → 2),
    ``strict_deduplication`` (a repeated step ends the scan), ``strict_increase`` (steps need
    strictly increasing timestamps — the correct reading, not ClickHouse's defect #52844),
    ``strict_once`` (one event fills at most one step, so two purchases make a repurchase).

    Args:
        events: One row per event (not modified).
        steps: Step event names in order (names may repeat), or a :class:`Funnel` (its
            nested stages' events).
        window: Duration from step 1 (``pd.Timedelta`` or ``"7D"``; never a bare number).
        by: Group key column(s) (campaign, content); each (group, user) is one unit.
        user: User column.
        time: Timezone-aware timestamp column.
        event: Event name column.
        mode: ``"ordered"`` (ClickHouse's default) or option names (see above).
        as_of: Timezone-aware cut-off: later events are excluded (counted); ``open`` counts
            units that dropped before a step while their window is still open at ``as_of``.
        event_id: Column of event ids; duplicates are removed first and counted. Ignored
            when the column is absent (and it is the default name).
        attribution: Attribute each unit to a creator (an extra group key, ``creator``):
            ``first_touch`` (creator of the unit's first event), ``last_touch`` (of its last
            event up to the time it reached its level) or ``step1`` (of the step-1 event that
            started its best chain).
        creator: Creator column used by ``attribution``.
        exclude: Event names that remove a unit from the funnel (any occurrence); removed
            units are counted.

    Returns:
        A :class:`FunnelResult` with ``step``, ``name``, ``users``, ``conversion``,
        ``conversion_low``, ``conversion_high`` (Wilson), ``conversion_from_start``,
        ``drop_off``, ``drop_off_rate``, ``open`` and ``median_time_to_convert`` per group,
        and ``units``: one row per unit with its ``level``.

    Example:
        >>> log = pd.DataFrame({
        ...     "user_id": ["u1", "u1", "u1", "u2", "u2"],
        ...     "timestamp": pd.to_datetime([0, 50, 100, 0, 90], unit="s", utc=True),
        ...     "event": ["A", "B", "C", "A", "B"]})
        >>> res = from_events(log, ["A", "B", "C"], window="100s")
        >>> res.to_frame()[["step", "name", "users", "conversion"]]
           step name  users  conversion
        0     1    A      2         1.0
        1     2    B      2         1.0
        2     3    C      1         0.5
    """
    frame = check_frame("events", events)
    names = step_names(steps)
    labels = [s.name for s in steps.stages if s.nested] if isinstance(steps, Funnel) else names
    if not 1 <= len(names) <= MAX_STEPS:
        fail(
            "steps", f"must hold 1 to {MAX_STEPS} steps", ErrorCode.INVALID_VALUE, value=len(names)
        )
    span = parse_window(window)
    options = parse_mode(mode)
    keys = as_str_list("by", by)
    excluded_names = as_str_list("exclude", exclude)
    if attribution is not None:
        check_choice("attribution", attribution, ATTRIBUTIONS)
    needed = [user, time, event, *keys]
    if attribution is not None:
        needed.append(creator)
    explicit_id = event_id is not None and event_id != "event_id"
    if explicit_id:
        needed.append(str(event_id))
    check_columns("events", frame, needed)
    check_keys("events", frame, [user, *keys])
    stamp = parse_as_of(as_of)
    missing_user = frame[user].isna().to_numpy()
    if missing_user.any():
        problems = Problems("events")
        problems.add_mask(
            user,
            missing_user,
            frame.index,
            frame[user],
            "must not be missing",
            ErrorCode.MISSING_VALUE,
        )
        problems.raise_if_any()
    times = _times(frame, time)
    notes: list[Note] = []
    keep = np.ones(len(frame), dtype=bool)
    if event_id is not None and event_id in frame.columns:
        dup = (
            frame[event_id].duplicated(keep="first").to_numpy() & frame[event_id].notna().to_numpy()
        )
        if dup.any():
            notes.append(
                Note(
                    code="duplicate_events",
                    count=int(dup.sum()),
                    subject=event_id,
                    message=f"{int(dup.sum())} events with a repeated {event_id} were removed",
                )
            )
        keep &= ~dup
    if stamp is not None:
        late = (times > stamp).to_numpy()
        if (late & keep).any():
            notes.append(
                Note(
                    code="after_as_of",
                    count=int((late & keep).sum()),
                    subject=time,
                    message=f"{int((late & keep).sum())} events after as_of were excluded",
                )
            )
        keep &= ~late
    used = list(
        dict.fromkeys(c for c in [*needed, event_id] if c is not None and c in frame.columns)
    )
    if not keep.all():
        frame = frame.loc[keep, used]
        times = times[keep]
    unit_keys = [*keys, user]
    event_column = frame[event]

    def factorize_units() -> tuple[Any, Any]:
        if len(unit_keys) > 1:
            units = group(frame, unit_keys, sort=False)
            return units.codes, units.keys
        return factorize(frame[user], sort=False, runs=True)

    # hashing the users (the costliest step) runs in a thread while events are matched
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(factorize_units) if _workers(len(frame)) > 1 else None
        ns = _as_int(times)
        origin = int(ns.min()) if len(ns) else 0
        offsets = ns - origin
        scale = _scale(offsets)
        ticks = offsets // scale if scale > 1 else offsets
        window_ticks = span.value // scale
        masks = {
            name: (event_column == name).to_numpy(dtype=bool, na_value=False)
            for name in dict.fromkeys(names)
        }
        e_row, e_step = _entries(masks, names, len(frame), "strict_order" in options)
        codes, uniques = pending.result() if pending is not None else factorize_units()
    unit_codes = np.asarray(codes, dtype=np.int64)
    n_units = len(uniques)
    unit_table = (
        uniques.reset_index(drop=True)
        if isinstance(uniques, pd.DataFrame)
        else pd.DataFrame({user: pd.Series(uniques, copy=False)})
    )
    excluded = np.zeros(n_units, dtype=bool)
    if excluded_names:
        hit = event_column.isin(excluded_names).to_numpy(dtype=bool, na_value=False)
        excluded[unit_codes[hit]] = True
        if excluded.any():
            notes.append(
                Note(
                    code="excluded_users",
                    count=int(excluded.sum()),
                    subject=event,
                    message=f"{int(excluded.sum())} units had an exclusion event {excluded_names} "
                    "and were removed",
                )
            )
    absent = [name for name, mask in masks.items() if not mask.any()]
    if absent:
        seen = [str(v) for v in pd.unique(event_column.dropna())]
        hints = "".join(did_you_mean(name, seen) for name in absent)
        notes.append(
            Note(
                code="unknown_step",
                count=len(absent),
                subject=event,
                message=f"steps {absent} never occur in {event!r}; no unit reaches them.{hints}",
            )
        )
    strict_order = "strict_order" in options
    e_unit, e_time = unit_codes[e_row], ticks[e_row]
    order = sort_entries(e_unit, e_time, e_step, e_row)
    e_unit, e_time, e_step, e_row = e_unit[order], e_time[order], e_step[order], e_row[order]
    useful = _from_first_step(e_unit, e_step, n_units)
    if "strict_once" not in options and "strict_increase" not in options and len(e_step) > 1:
        # a step-1 entry directly followed by another step-1 entry of the same unit is
        # overwritten before anything reads it (its chain restarts at the next one)
        superseded = np.zeros(len(e_step), dtype=bool)
        superseded[:-1] = (e_step[:-1] == 1) & (e_step[1:] == 1) & (e_unit[:-1] == e_unit[1:])
        useful &= ~superseded
    e_unit, e_time, e_step, e_row = e_unit[useful], e_time[useful], e_step[useful], e_row[useful]
    out = levels_split(
        e_unit,
        e_time,
        e_step,
        e_row,
        n_units=n_units,
        workers=_workers(len(e_unit)),
        k=len(names),
        window=int(window_ticks),
        strict_order=strict_order,
        dedup="strict_deduplication" in options,
        increase="strict_increase" in options,
        once="strict_once" in options,
    )
    level = out.level.copy()
    if "strict_once" in options and _far_repeats(names):
        same_time = (
            (e_unit[1:] == e_unit[:-1]) & (e_time[1:] == e_time[:-1]) & (e_row[1:] != e_row[:-1])
        )
        tied = np.unique(e_unit[1:][same_time])
        if len(tied):
            bounds = np.searchsorted(e_unit, tied), np.searchsorted(e_unit, tied, side="right")
            for u, lo, hi in zip(
                tied, *bounds, strict=True
            ):  # rare tied units: exact specification
                seg = slice(lo, hi)
                rows_u = np.unique(e_row[seg])
                level[u] = reference_level(
                    ticks[rows_u].tolist(),
                    event_column.to_numpy(dtype=object)[rows_u].astype(str).tolist(),
                    names,
                    int(window_ticks),
                    options,
                )
    level[excluded] = 0
    unit_table["level"] = level
    unit_table["excluded"] = excluded
    group_keys = list(keys)
    if attribution is not None:
        unit_table[creator] = _attribute(
            attribution, frame, creator, unit_codes, ticks, out, level, n_units
        )
        group_keys.append(creator)
    table, key_notes = _aggregate(
        unit_table[~excluded],
        out,
        level,
        ~excluded,
        labels,
        group_keys,
        scale,
        None if stamp is None else (stamp.value - origin) // scale,
        int(window_ticks),
    )
    card = MethodCard.create(
        "funnel.from_events",
        runtime={"workers": _workers(len(e_unit))},
        steps=list(names),
        window=span,
        by=keys,
        user=user,
        time=time,
        event=event,
        mode=list(options) or "ordered",
        as_of=stamp,
        event_id=event_id,
        attribution=attribution,
        exclude=excluded_names,
    )
    return FunnelResult(
        table=table,
        units=unit_table,
        kind="events",
        by=tuple(group_keys),
        method=card,
        warnings=[*notes, *key_notes],
    )


def _entries(
    masks: dict[str, np.ndarray],
    names: list[str],
    n_rows: int,
    strict_order: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """(row, step) of the entries in row order, one per step a row matches.

    Step names may repeat (a row then gives one entry per step); with ``strict_order`` an
    unmatched row gives a step-0 entry. Logs grouped by user and ordered by time need no sort.
    """
    distinct = list(masks)
    steps_of = [[j for j, n in enumerate(names, start=1) if n == name] for name in distinct]
    width = max(len(v) for v in steps_of)
    table = np.zeros((len(distinct) + 1, width), dtype=np.int64)
    multiplicity = np.zeros(len(distinct) + 1, dtype=np.int64)
    multiplicity[0] = 1 if strict_order else 0
    name_id = np.zeros(n_rows, dtype=np.int64)
    for i, (name, steps) in enumerate(zip(distinct, steps_of, strict=True), start=1):
        table[i, : len(steps)] = steps
        multiplicity[i] = len(steps)
        name_id[masks[name]] = i
    repeat = multiplicity[name_id]
    row = np.repeat(np.arange(n_rows, dtype=np.int64), repeat)
    offset = np.arange(len(row), dtype=np.int64) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    step = table[name_id[row], offset]
    return row, step


def _workers(entries: int) -> int:
    """Threads for the level engine: two on multi-core machines for large logs."""
    return 2 if entries >= 200_000 and (os.cpu_count() or 1) >= 2 else 1


def _from_first_step(unit: np.ndarray, step: np.ndarray, n_units: int) -> np.ndarray:
    """Mask of sorted entries at or after their unit's first step-1 entry (the rest are no-ops)."""
    ones = np.flatnonzero(step == 1)
    first = np.full(n_units, len(unit), dtype=np.int64)
    if len(ones):
        owners = unit[ones]
        starts = np.concatenate([[0], np.flatnonzero(owners[1:] != owners[:-1]) + 1])
        first[owners[starts]] = ones[starts]
    keep: np.ndarray = np.arange(len(unit)) >= first[unit]
    return keep


def _far_repeats(names: Sequence[str]) -> bool:
    """Whether some step name appears at positions two or more apart."""
    first: dict[str, int] = {}
    return any(i - first.setdefault(name, i) >= 2 for i, name in enumerate(names))


def _attribute(
    how: str,
    frame: pd.DataFrame,
    creator: str,
    unit_codes: np.ndarray,
    ticks: np.ndarray,
    out: Any,
    level: np.ndarray,
    n_units: int,
) -> np.ndarray:
    creators = frame[creator].to_numpy(dtype=object)
    if how == "step1":
        chosen = np.full(n_units, -1, dtype=np.int64)
        reached_any = level > 0
        idx = np.flatnonzero(reached_any)
        chosen[idx] = out.start_row[idx, level[idx] - 1]
    else:
        order = np.lexsort((np.arange(len(ticks)), ticks, unit_codes))
        u_sorted = unit_codes[order]
        if how == "first_touch":
            first_pos = np.searchsorted(u_sorted, np.arange(n_units), side="left")
            chosen = np.where(
                first_pos < len(order), order[np.minimum(first_pos, len(order) - 1)], -1
            )
        else:
            limit = np.full(n_units, np.iinfo(np.int64).max)
            idx = np.flatnonzero(level > 0)
            limit[idx] = out.reached[idx, level[idx] - 1]
            ok = ticks[order] <= limit[u_sorted]
            positions = np.flatnonzero(ok)
            last = np.full(n_units, -1, dtype=np.int64)
            last[u_sorted[positions]] = order[positions]  # later positions overwrite earlier ones
            chosen = last
    result = np.full(n_units, None, dtype=object)
    has = chosen >= 0
    result[has] = creators[chosen[has]]
    return result


def _aggregate(
    units: pd.DataFrame,
    out: Any,
    level: np.ndarray,
    included: np.ndarray,
    names: list[str],
    group_keys: list[str],
    scale: int,
    as_of_ticks: int | None,
    window_ticks: int,
) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    k = len(names)
    idx: np.ndarray | slice = slice(None) if included.all() else np.flatnonzero(included)
    lv = level[idx]
    groups = group(units, group_keys)
    codes, key_table, g = groups.codes, groups.keys, groups.n
    reach = np.stack(
        [np.bincount(codes, weights=(lv >= s).astype(float), minlength=g) for s in range(1, k + 1)],
        axis=1,
    )
    parts = []
    for s in range(1, k + 1):
        users = reach[:, s - 1]
        parent = reach[:, s - 2] if s > 1 else users
        start = reach[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            conversion = np.where(parent > 0, users / np.where(parent > 0, parent, 1), np.nan)
            from_start = np.where(start > 0, users / np.where(start > 0, start, 1), np.nan)
        low, high = wilson(users, parent, 0.95)
        if as_of_ticks is not None and s > 1:
            at_prev = lv == s - 1
            first_prev = out.first[idx, s - 2]
            open_units = at_prev & (first_prev != NONE) & (first_prev + window_ticks > as_of_ticks)
            open_count = np.bincount(codes, weights=open_units.astype(float), minlength=g).astype(
                np.int64
            )
        else:
            open_count = np.zeros(g, dtype=np.int64)
        reached_s = lv >= s
        delay = (out.reached[idx, s - 1] - out.first[idx, s - 1])[reached_s] * scale
        if g == 1:
            med = pd.Series([np.median(delay) if len(delay) else np.nan])
        else:
            med = pd.Series(delay).groupby(codes[reached_s]).median().reindex(np.arange(g))
        part = key_table.copy()
        part["step"] = s
        part["name"] = names[s - 1]
        part["users"] = users.astype(np.int64)
        part["conversion"] = conversion
        part["conversion_low"] = np.where(s > 1, low, np.nan)
        part["conversion_high"] = np.where(s > 1, high, np.nan)
        part["conversion_from_start"] = from_start
        part["drop_off"] = (parent - users).astype(np.int64)
        part["drop_off_rate"] = 1.0 - conversion
        part["open"] = open_count.astype(np.int64)
        part["median_time_to_convert"] = pd.to_timedelta(med.to_numpy(dtype=float), unit="ns")
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    order = np.lexsort((table["step"].to_numpy(), np.tile(np.arange(g), k)))
    return table.iloc[order].reset_index(drop=True), groups.notes
