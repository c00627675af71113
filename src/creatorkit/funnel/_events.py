"""``from_events``: ordered event funnels with ClickHouse ``windowFunnel`` semantics.

The engine runs in five named stages, each a small function:

1. **parse** (:func:`_parse`): arguments and columns checked, times read as integers;
2. **dedupe** (``_entries.dedupe``): repeated event ids and events after ``as_of`` removed;
3. **entries** (``_entries.entries``, sorted by ``_sort.sort_entries``): one (unit, tick,
   step) entry per matched step, sorted, without the entries that cannot change a level;
4. **levels** (:func:`_levels`, on ``_engine.levels_split``): the state machine per unit;
5. **aggregate** (``_aggregate.aggregate``): per-group step counts and intervals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._threads import run
from creatorkit._time import aware_column, parse_as_of, parse_window
from creatorkit._validation import (
    Problems,
    as_str_list,
    check_choice,
    check_columns,
    check_frame,
    check_keys,
    check_number,
    did_you_mean,
    fail,
)
from creatorkit.errors import ErrorCode
from creatorkit.funnel import _entries as stage
from creatorkit.funnel._aggregate import Counting, aggregate, attribute
from creatorkit.funnel._definition import Funnel, FunnelResult, parse_mode, step_names
from creatorkit.funnel._engine import Levels, Options, levels_split
from creatorkit.funnel._reference import CLICKHOUSE_VERSION, reference_level
from creatorkit.results import MethodCard, Note

ATTRIBUTIONS = ("first_touch", "last_touch", "step1")
"""How a unit is attributed to a creator."""

MAX_STEPS = 32
MAX_WORKERS = 64


@attrs.frozen(kw_only=True, eq=False)
class _Spec:
    """The checked call: the rows, step names, options and column roles."""

    frame: pd.DataFrame
    native: np.ndarray
    unit_ns: int
    names: list[str]
    labels: list[str]
    options: tuple[str, ...]
    span: pd.Timedelta
    keys: list[str]
    exclude: list[str]
    stamp: pd.Timestamp | None
    columns: dict[str, Any]
    tiebreak: list[str]
    level: float
    workers: int
    user_dtype: Any  # the user column's own dtype (units are reported in it)

    def tie_columns(self) -> list[str]:
        """The declared order of rows at one time: event id, tiebreak, event, creator."""
        c = self.columns
        chosen = [c["event_id"], *self.tiebreak, c["event"]]
        if c["attribution"] is not None:
            chosen.append(c["creator"])
        return [x for x in dict.fromkeys(chosen) if x is not None]

    def dedupe_columns(self) -> list[str]:
        """Order of the copies of one event id after their time: ties, then every column."""
        ties = self.tie_columns()[1:]
        rest = [c for c in self.frame.columns if c not in (self.columns["event_id"], *ties)]
        return [*ties, *(c for c in rest if c != self.columns["time"])]


def _missing(frame: pd.DataFrame, column: str, values: pd.Series) -> None:
    mask = values.isna().to_numpy()
    if mask.any():
        problems = Problems("events")
        problems.add_mask(
            column, mask, frame.index, values, "must not be missing", ErrorCode.MISSING_VALUE
        )
        problems.raise_if_any()


def _arrow_text(values: pd.Series) -> pd.Series:
    """Text stored as Python strings, as Arrow text (the same values), when pyarrow is there.

    Reading ten million scattered Python strings costs seconds per pass; converted once,
    the missing check reads a validity bitmap and the unit codes read the bytes in place.
    """
    dtype = values.dtype
    if not isinstance(dtype, pd.StringDtype) or dtype.storage != "python":
        return values
    try:
        import pyarrow  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return values
    objects = values.to_numpy(dtype=object)  # missing: pd.NA or NaN, null in Arrow
    array = pyarrow.array(objects, type=pyarrow.large_string(), from_pandas=True)
    text = pd.arrays.ArrowStringArray(array)
    return pd.Series(text, index=values.index, name=values.name, copy=False)


def _parse(events: Any, steps: Any, **given: Any) -> _Spec:
    """Stage 1: every argument and column checked; times as integers of their own unit."""
    frame = check_frame("events", events, allow_empty=True)
    names = step_names(steps)
    labels = [s.name for s in steps.stages if s.nested] if isinstance(steps, Funnel) else names
    if not 1 <= len(names) <= MAX_STEPS:
        rule = f"must hold 1 to {MAX_STEPS} steps"
        fail("steps", rule, ErrorCode.INVALID_VALUE, value=len(names))
    preset = steps.mode if isinstance(steps, Funnel) else ()
    options = parse_mode([*preset, *parse_mode(given["mode"])] or "ordered")
    level = check_number("level", given["level"], low=0, high=1, low_open=True, high_open=True)
    workers = int(check_number("workers", given["workers"], low=1, high=MAX_WORKERS, integer=True))
    if given["attribution"] is not None:
        check_choice("attribution", given["attribution"], ATTRIBUTIONS)
    c = {k: given[k] for k in ("user", "time", "event", "event_id", "attribution", "creator")}
    keys, tiebreak = as_str_list("by", given["by"]), as_str_list("tiebreak", given["tiebreak"])
    needed = [c["user"], c["time"], c["event"], *keys, *tiebreak]
    needed += [c["creator"]] if c["attribution"] is not None else []
    if c["event_id"] is not None and (c["event_id"] != "event_id" or "event_id" in frame):
        needed.append(c["event_id"])
    else:
        c["event_id"] = None
    check_columns("events", frame, needed)
    check_keys("events", frame, [c["user"], *keys])
    span = parse_window(given["window"], zero=True)
    stamp = parse_as_of(given["as_of"])
    user = _arrow_text(frame[c["user"]])
    _missing(frame, c["user"], user)
    times = aware_column(frame, c["time"], "events")
    _missing(frame, c["time"], times)
    native, unit_ns = stage.native_ticks(times)
    used = frame[list(dict.fromkeys(needed))]
    return _Spec(
        frame=used if user is frame[c["user"]] else used.assign(**{c["user"]: user}),
        native=native,
        unit_ns=unit_ns,
        names=names,
        labels=labels,
        options=options,
        span=span,
        keys=keys,
        exclude=as_str_list("exclude", given["exclude"]),
        stamp=stamp,
        columns=c,
        tiebreak=tiebreak,
        level=level,
        workers=workers,
        user_dtype=frame[c["user"]].dtype,
    )


def _notes(spec: _Spec, frame: pd.DataFrame, present: set[str]) -> list[Note]:
    """Notes on an empty log and on steps that never occur."""
    event = spec.columns["event"]
    if not len(frame):
        message = "the event log has no events (after duplicates and as_of): every count is 0"
        return [Note(code="empty_log", count=0, subject="events", message=message)]
    absent = [name for name in dict.fromkeys(spec.names) if name not in present]
    if not absent:
        return []
    seen = [str(v) for v in pd.unique(frame[event].dropna())]
    hints = "".join(did_you_mean(name, seen) for name in absent)
    message = f"steps {absent} never occur in {event!r}; no unit reaches them.{hints}"
    return [Note(code="unknown_step", count=len(absent), subject=event, message=message)]


def _excluded(spec: _Spec, frame: pd.DataFrame, ent: stage.Entries) -> tuple[Any, list[Note]]:
    """Units with an exclusion event, and the note counting them."""
    excluded = np.zeros(ent.n_units, dtype=bool)
    if not spec.exclude:
        return excluded, []
    hit = frame[spec.columns["event"]].isin(spec.exclude).to_numpy(dtype=bool, na_value=False)
    excluded[ent.unit_codes[hit]] = True
    if not excluded.any():
        return excluded, []
    count = int(excluded.sum())
    message = f"{count} units had an exclusion event {spec.exclude} and were removed"
    return excluded, [
        Note(code="excluded_users", count=count, subject=spec.columns["event"], message=message)
    ]


def _far_repeats(names: Sequence[str]) -> bool:
    """Whether some step name appears at positions two or more apart."""
    first: dict[str, int] = {}
    return any(i - first.setdefault(name, i) >= 2 for i, name in enumerate(names))


def _levels(
    spec: _Spec, ent: stage.Entries, clock: stage.Clock, frame: pd.DataFrame, rank: Any
) -> Levels:
    """Stage 4: levels of every unit; rare tied ``strict_once`` units by the specification."""
    o = spec.options
    opts = Options(
        k=len(spec.names),
        window=clock.window,
        strict_order="strict_order" in o,
        dedup="strict_deduplication" in o,
        increase="strict_increase" in o,
        once="strict_once" in o,
        reentry="allow_reentry" in o,
    )
    out = levels_split(
        ent.unit,
        ent.time,
        ent.step,
        ent.rank,
        n_units=ent.n_units,
        workers=spec.workers,
        opts=opts,
    )
    if not (opts.once and _far_repeats(spec.names)) or ent.rank is None:
        return out  # (strict_once always has a rank: the row identity)
    u, t, r = ent.unit, ent.time, ent.rank
    tied = np.unique(u[1:][(u[1:] == u[:-1]) & (t[1:] == t[:-1]) & (r[1:] != r[:-1])])
    if not len(tied):
        return out
    level = out.level.copy()
    row_of_rank = np.argsort(rank)
    names = frame[spec.columns["event"]].to_numpy(dtype=object).astype(str)
    lo, hi = np.searchsorted(u, tied), np.searchsorted(u, tied, side="right")
    for unit, a, b in zip(tied, lo, hi, strict=True):  # rare units: the exact specification
        rows = row_of_rank[np.unique(r[a:b])]
        level[unit] = reference_level(
            clock.ticks[rows].tolist(), names[rows].tolist(), spec.names, clock.window, o
        )
    return attrs.evolve(out, level=level)


def _units(spec: _Spec, frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Unit codes of the kept rows; hashed in a thread while steps are matched (workers > 1)."""
    user = spec.columns["user"]
    codes, table = stage.unit_codes(frame, [*spec.keys, user], spec.workers)
    if table[user].dtype != spec.user_dtype:  # read as Arrow text: reported as given
        table[user] = table[user].astype(spec.user_dtype)
    return codes, table


def _card(spec: _Spec) -> MethodCard:
    """Every parameter that can change a number (``workers`` only in ``runtime``)."""
    c = spec.columns
    roles = {k: c[k] for k in ("user", "time", "event", "event_id")}
    if c["attribution"] is not None:  # unused options are left out of the card
        roles |= {"attribution": c["attribution"], "creator": c["creator"]}
    if spec.tiebreak:
        roles["tiebreak"] = spec.tiebreak
    return MethodCard.create(
        "funnel.from_events",
        runtime={"workers": spec.workers},
        steps=list(spec.names),
        window=spec.span,
        by=spec.keys,
        mode=list(spec.options) or "ordered",
        as_of=spec.stamp,
        exclude=spec.exclude,
        level=spec.level,
        clickhouse=CLICKHOUSE_VERSION,
        **roles,
    )


def _dedupe_and_entries(spec: _Spec) -> tuple[Any, ...]:
    """Stages 2 and 3: the kept rows, their clock and tie rank, the sorted entries, notes."""
    c = spec.columns
    keep, notes = stage.dedupe(
        spec.frame,
        spec.native,
        event_id=c["event_id"],
        order=spec.dedupe_columns(),
        as_of_native=stage.native_bound(spec.stamp, spec.unit_ns),
        time=c["time"],
    )
    frame = spec.frame if keep.all() else spec.frame.loc[keep]

    def steps() -> tuple[stage.Clock, Any]:
        native = spec.native if len(frame) == len(spec.frame) else spec.native[keep]
        clock = stage.clock(native, spec.unit_ns, spec.span)
        strict = "strict_order" in spec.options
        return clock, stage.match_steps(frame[c["event"]], spec.names, strict)

    # users are hashed while steps match (in two threads with workers >= 2)
    units, (clock, matched) = run(
        lambda task: task(), [lambda: _units(spec, frame), steps], spec.workers
    )
    rank = None
    if c["attribution"] is not None:  # the declared order of tied rows
        rank = stage.tied_rank(frame, spec.tie_columns(), units[0], clock.ticks)
    elif "strict_once" in spec.options:  # only the identity of rows matters
        rank = np.arange(len(frame), dtype=np.int64)
    ent = stage.entries(
        matched, units, clock.ticks, options=spec.options, rank=rank, workers=spec.workers
    )
    return frame, clock, rank, ent, notes


def _unit_table(
    spec: _Spec,
    frame: pd.DataFrame,
    ent: stage.Entries,
    clock: stage.Clock,
    rank: Any,
    out: Levels,
    excluded: np.ndarray,
) -> tuple[pd.DataFrame, list[str]]:
    """One row per unit (keys, user, level, excluded, creator) and the result's group keys."""
    c = spec.columns
    level_of = np.where(excluded, 0, out.level)
    table = ent.unit_table.assign(level=level_of, excluded=excluded)
    group_keys = list(spec.keys)
    if c["attribution"] is not None and rank is not None:
        creators = frame[c["creator"]].to_numpy(dtype=object)
        table[c["creator"]] = attribute(
            c["attribution"], creators, ent.unit_codes, clock.ticks, rank, out, level_of
        )
        group_keys.append(c["creator"])
    return table, group_keys


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
    tiebreak: str | Iterable[str] | None = None,
    level: float = 0.95,
    workers: int = 1,
    partitioned_by_user: bool = False,
) -> FunnelResult:
    """Ordered funnel of raw events, per user, with ClickHouse ``windowFunnel`` semantics.

    Each unit (a user, within each ``by`` group) reaches a *level*: the number of steps it
    completed in order within ``window`` of its step-1 event. ``users`` at step ``s`` counts
    units whose level is at least ``s`` — exactly what
    ``countIf(windowFunnel(window)(time, event = s1, ...) >= s)`` returns per group.

    Semantics (see the docs page for worked examples; checked against
    ClickHouse 26.9.2.1, the build bundled with chdb 4.4.0): the window starts at the step-1
    event and is inclusive (a zero window means "same timestamp only"); the latest
    qualifying step-1 event may restart a chain; events with the same timestamp are taken in
    step order and may chain (A@0 B@0 C@1 → 3). Options (``mode``, combinable):
    ``strict_order`` (once a chain started, the first event matching no step, or a step
    whose previous step was not reached, ends the scan; A B X C → 2), ``allow_reentry``
    (with ``strict_order`` only: a step whose previous step was not reached is skipped
    instead of ending the scan; A C B C → 3), ``strict_deduplication`` (a repeated step ends
    the scan), ``strict_increase`` (steps need strictly increasing timestamps — the correct
    reading, not ClickHouse's defect #52844), ``strict_once`` (one event fills at most one
    step, so two purchases make a repurchase). A :class:`Funnel`'s own ``mode`` always
    applies (the content-commerce preset's ``strict_once``); ``mode`` adds options to it.

    Ties are never broken by row order: rows of one user at one timestamp are ordered by the
    event id, then the ``tiebreak`` columns, then the event name and the creator. That order
    picks the copy kept among rows with a repeated event id (the earliest, then the first in
    that order) and the creator of ``first_touch`` (first), ``last_touch`` and ``step1``
    (last), so shuffling the rows never changes a result.

    Args:
        events: One row per event (not modified). An empty log gives zero counts and an
            ``empty_log`` note (ClickHouse returns 0).
        steps: Step event names in order (names may repeat), or a :class:`Funnel` (its
            nested stages' events and its mode).
        window: Duration from step 1 (``pd.Timedelta`` or ``"7D"``; never a bare number);
            zero or more, up to ``pd.Timedelta.max``.
        by: Group key column(s) (campaign, content); each (group, user) is one unit.
        user: User column.
        time: Timezone-aware timestamp column (any resolution: s, ms, us or ns).
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
        tiebreak: Column(s) that order rows at one timestamp after the event id (a sequence
            number, an ingestion time); see above.
        level: Level of the Wilson interval of ``conversion`` (recorded in the method card).
        workers: Threads (1 to 64; default 1): with 2 or more, users are hashed while
            events are matched, and the chain engine of ``strict_once`` /
            ``strict_increase`` runs on ranges of units in parallel. Results are identical
            for every value; it is recorded in the card's ``runtime``, not hashed.
        partitioned_by_user: Dask logs only (ignored for pandas): no user spans two
            partitions (hash-partitioned files), so the engine runs per partition without a
            shuffle; verified, and a user found in two partitions raises (docs/scaling.md).

    Returns:
        A :class:`FunnelResult` with ``step``, ``name``, ``users``, ``conversion``,
        ``conversion_low``, ``conversion_high`` (Wilson at ``level``),
        ``conversion_from_start``, ``drop_off``, ``drop_off_rate``, ``open`` and
        ``median_time_to_convert`` per group, and ``units``: one row per unit with its
        ``level``.

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
    from creatorkit.adapters import is_dask

    flag: object = partitioned_by_user  # an untyped caller's "yes": the same verdict as on Dask
    if not isinstance(flag, bool):
        fail("partitioned_by_user", "must be True or False", ErrorCode.WRONG_TYPE, value=flag)
    if is_dask(events):  # per user partition on the workers, counts merged (funnel/_dask.py)
        from creatorkit.funnel._dask import from_events as on_dask

        return on_dask(
            events, steps, window=window, by=by, user=user, time=time, event=event, mode=mode,
            as_of=as_of, event_id=event_id, attribution=attribution, creator=creator,
            exclude=exclude, tiebreak=tiebreak, level=level, workers=workers,
            partitioned_by_user=partitioned_by_user,
        )  # fmt: skip
    spec = _parse(
        events,
        steps,
        window=window,
        by=by,
        user=user,
        time=time,
        event=event,
        mode=mode,
        as_of=as_of,
        event_id=event_id,
        attribution=attribution,
        creator=creator,
        exclude=exclude,
        tiebreak=tiebreak,
        level=level,
        workers=workers,
    )
    frame, clock, rank, ent, notes = _dedupe_and_entries(spec)
    out = _levels(spec, ent, clock, frame, rank)
    excluded, more = _excluded(spec, frame, ent)
    units, group_keys = _unit_table(spec, frame, ent, clock, rank, out, excluded)
    counting = Counting(
        names=spec.labels,
        group_keys=group_keys,
        level=spec.level,
        tick_ns=clock.tick_ns,
        open_after=clock.as_of_threshold(spec.stamp),
    )
    table, key_notes = aggregate(
        units[~excluded], out, units["level"].to_numpy(), ~excluded, counting
    )
    return FunnelResult(
        table=table,
        units=units,
        kind="events",
        by=tuple(group_keys),
        method=_card(spec),
        warnings=[*notes, *_notes(spec, frame, ent.present), *more, *key_notes],
    )
