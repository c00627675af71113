"""``funnel.from_events`` on a Dask DataFrame: the pandas engine per user partition, counts merged.

The log is first brought into user partitions. A log declared partitioned by user
(``partitioned_by_user=True``: hash-partitioned parquet files, one bucket per file) or
indexed by the user with known divisions is used as it is — no shuffle — and that claim is
*verified*: each partition also sends its sorted distinct users as 64-bit hashes, the merge
checks they never meet, and a user found in two partitions raises a ``ValidationError``
naming the ids and partitions (never a silently wrong count). Any other log is shuffled on
the user column, with a ``shuffled_by_user`` note, carrying only the columns the funnel
reads. Every partition then runs the pandas engine with
``workers=1`` (no thread pool inside a Dask task) and is reduced to a
:class:`~creatorkit.summaries.Summary` of per-group counts — units reaching each step and
units still open before it — which merge by addition in a tree on the workers. What
reaches the client is that summary (one row per group), never the events or the units.

Counts, conversions, intervals and notes equal the pandas path exactly. The median time
to convert does not merge: it is ``NaT`` on Dask with a ``median_unavailable_on_dask``
note, and ``units`` is ``None`` (the per-unit table stays on the workers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._time import aware_column, parse_as_of
from creatorkit._validation import as_str_list, did_you_mean, fail
from creatorkit.funnel._aggregate import step_table
from creatorkit.funnel._definition import Funnel, FunnelResult, step_names
from creatorkit.results import Note, merge_notes
from creatorkit.summaries import Summary

_FIRST = ("duplicate_events", "after_as_of")
"""Codes of the pandas path's first notes (dedupe stage), in its order."""
_GLOBAL = ("empty_log", "unknown_step")
"""Notes that describe the whole log; recomputed from the merged partitions."""


@attrs.frozen(kw_only=True, eq=False)
class _Part:
    """What one partition sends on: its counts, step names present, names seen, rows kept."""

    summary: Summary | None
    notes: tuple[Note, ...]
    present: frozenset[str]
    seen: tuple[str, ...]
    kept: int
    dtypes: dict[str, Any]
    plain: frozenset[tuple[str, str | None]]
    users: np.ndarray | None = None
    """Sorted distinct user hashes (``uint64``) when the partitioning is being verified."""
    shared: np.ndarray | None = None
    """User hashes found in two partitions (the first few), which stops the merge of users."""


def _templated(note: Note) -> Note:
    """A counted note whose message starts with its count merges with a correct message."""
    lead = str(note.count)
    if note.template or note.count is None or not note.message.startswith(lead):
        return note
    rest = note.message[len(lead) :].replace("{", "{{").replace("}", "}}")
    return attrs.evolve(note, template="{count}" + rest)


def _metrics(k: int) -> list[Any]:
    from creatorkit.metrics import column_metric

    return [column_metric(f"{w}_{s}", f"{w}_{s}") for w in ("users", "open") for s in range(k)]


def _hashes(values: pd.Series) -> np.ndarray:
    """Sorted distinct 64-bit hashes of user ids (the same id hashes alike in every task)."""
    return np.unique(pd.util.hash_pandas_object(values, index=False).to_numpy())


def _part(rows: pd.DataFrame, steps: Any, options: dict[str, Any], verify: bool = False) -> _Part:
    """The pandas engine on one user partition, reduced to per-group counts.

    With ``verify``, the partition's distinct users (hashed) come along for the overlap check.
    """
    from creatorkit.funnel._events import from_events
    from creatorkit.metrics import summarize

    res = from_events(rows, steps, **{**options, "workers": 1})
    table, keys, k = res._table, list(res.by), len(step_names(steps))
    g = len(table) // k
    wide = table[keys].iloc[::k].reset_index(drop=True) if keys else pd.DataFrame(index=range(g))
    for what in ("users", "open"):
        values = table[what].to_numpy().reshape(g, k)
        for s in range(k):
            wide[f"{what}_{s}"] = values[:, s]
    kept = [n for n in res.warnings if n.code not in _GLOBAL]
    plain = frozenset((n.code, n.subject) for n in kept if not n.template)
    summary = summarize(wide, _metrics(k), by=keys or None) if g else None
    times = aware_column(rows, options["time"], "events")
    stamp = parse_as_of(options["as_of"])
    names = rows[options["event"]] if stamp is None else rows[options["event"]][times <= stamp]
    seen = tuple(str(v) for v in pd.unique(names.dropna()))
    removed = sum(n.count or 0 for n in kept if n.code in _FIRST)
    return _Part(
        summary=None if summary is None else attrs.evolve(summary, warnings=()),
        notes=tuple(_templated(n) for n in kept),
        present=frozenset(step_names(steps)) & frozenset(seen),
        seen=seen,
        kept=len(rows) - removed,
        dtypes={key: table[key].dtype for key in keys},
        plain=plain,
        users=_hashes(rows[options["user"]]) if verify else None,
    )


_SHOWN = 5
"""How many shared users an overlap error names."""


def _users(found: list[_Part]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The union of the parts' user hashes, or the hashes two of them share (first few)."""
    shared = [p.shared for p in found if p.shared is not None]
    if shared:
        return None, shared[0]
    if any(p.users is None for p in found):
        return None, None
    arrays = [p.users for p in found if p.users is not None]
    both = np.sort(np.concatenate(arrays))
    twice = both[1:][both[1:] == both[:-1]]
    if len(twice):
        return None, twice[:_SHOWN]
    return both, None


def _combine(parts: list[_Part | None]) -> _Part | None:
    """Two partitions' counts added, their step names and kept rows combined."""
    from creatorkit.summaries import merge

    found = [p for p in parts if p is not None]
    if len(found) < 2:
        return found[0] if found else None
    summaries = [p.summary for p in found if p.summary is not None]
    users, shared = _users(found)
    return _Part(
        summary=merge(summaries) if len(summaries) > 1 else next(iter(summaries), None),
        notes=merge_notes(n for p in found for n in p.notes),
        present=frozenset().union(*(p.present for p in found)),
        seen=tuple(dict.fromkeys(v for p in found for v in p.seen)),
        kept=sum(p.kept for p in found),
        dtypes=_dtypes([p.dtypes for p in found]),
        plain=frozenset().union(*(p.plain for p in found)),
        users=users,
        shared=shared,
    )


def _holders(rows: pd.DataFrame, user: str, shared: np.ndarray) -> list[str]:
    """The user ids of one partition whose hash is among ``shared``."""
    values = rows[user]
    hit = np.isin(pd.util.hash_pandas_object(values, index=False).to_numpy(), shared)
    return sorted({str(v) for v in values[hit]})


def _overlap(frame: Any, user: str, shared: np.ndarray) -> None:
    """Raise the error for users found in two partitions (a second, small pass names them)."""
    from creatorkit.adapters.dask import _dask
    from creatorkit.errors import ErrorCode

    dask = _dask()
    parts = frame[[user]].to_delayed()
    found = dask.compute(*[dask.delayed(_holders)(p, user, shared) for p in parts])
    where: dict[str, list[int]] = {}
    for number, ids in enumerate(found):
        for uid in ids:
            where.setdefault(uid, []).append(number)
    shown = "; ".join(f"{uid!r} in partitions {nums}" for uid, nums in sorted(where.items()))
    rule = (
        f"was declared, but users occur in more than one partition ({shown}): the "
        f"partitions must not share a {user!r} value (partition the files by the user, or "
        "leave partitioned_by_user=False to shuffle)"
    )
    fail("partitioned_by_user", rule, ErrorCode.DUPLICATE_KEY, column=user)


def _needed(columns: Sequence[str], options: dict[str, Any]) -> list[str]:
    """The columns the funnel reads (the shuffle carries only these), in frame order."""
    wanted = {options["user"], options["time"], options["event"], options["event_id"]}
    wanted |= set(as_str_list("by", options["by"]) if options["by"] is not None else [])
    wanted |= set(
        as_str_list("tiebreak", options["tiebreak"]) if options["tiebreak"] is not None else []
    )
    if options["attribution"] is not None:
        wanted.add(options["creator"])
    return [c for c in columns if c in wanted]


def _dtypes(given: list[dict[str, Any]]) -> dict[str, Any]:
    """Key dtypes of the partitions: a typed one wins over ``object`` (a partition of NA)."""
    out = dict(given[0])
    for dtypes in given[1:]:
        for key, dtype in dtypes.items():
            if pd.api.types.is_object_dtype(out[key]):
                out[key] = dtype
    return out


def _log_notes(whole: _Part, names: list[str], event: str) -> list[Note]:
    """The pandas path's notes on an empty log and on steps that never occur."""
    if not whole.kept:
        message = "the event log has no events (after duplicates and as_of): every count is 0"
        return [Note(code="empty_log", count=0, subject="events", message=message)]
    absent = [name for name in dict.fromkeys(names) if name not in whole.present]
    if not absent:
        return []
    hints = "".join(did_you_mean(name, list(whole.seen)) for name in absent)
    message = f"steps {absent} never occur in {event!r}; no unit reaches them.{hints}"
    return [Note(code="unknown_step", count=len(absent), subject=event, message=message)]


def _table(summary: Summary, keys: list[str], labels: list[str], level: float) -> pd.DataFrame:
    """The pandas path's funnel table from the merged counts (median time: ``NaT``)."""
    k, sums = len(labels), summary._table
    g = len(sums)
    key_table = sums[keys].reset_index(drop=True) if keys else pd.DataFrame(index=range(g))
    reach = np.column_stack([sums[f"users_{s}__num"].to_numpy(float) for s in range(k)])
    opened = np.column_stack([sums[f"open_{s}__num"].to_numpy(float) for s in range(k)])
    return step_table(key_table, labels, reach, opened, np.full((g, k), np.nan), level)


def _ordered(notes: Sequence[Note], keys: list[str]) -> list[Note]:
    """Merged notes in the pandas path's order: dedupe, whole-log, exclusions, keys."""

    def rank(note: Note) -> tuple[int, int]:
        if note.code in _FIRST:
            return (0, _FIRST.index(note.code))
        if note.code in _GLOBAL:
            return (1, 0)
        if note.code == "missing_group_key" and note.subject in keys:
            return (3, keys.index(note.subject))
        return (2, 0)

    return sorted(notes, key=rank)


def _untemplated(notes: Sequence[Note], plain: frozenset[tuple[str, str | None]]) -> list[Note]:
    """Merged notes without the templates :func:`_templated` gave them (as on pandas)."""
    return [attrs.evolve(n, template="") if (n.code, n.subject) in plain else n for n in notes]


def _dask_notes(user: str, shuffled: bool) -> list[Note]:
    """The notes only the Dask path gives: the shuffle by user and the missing median."""
    missing = "median_time_to_convert does not merge across partitions: NaT on Dask"
    notes = [
        Note(
            code="median_unavailable_on_dask",
            subject="median_time_to_convert",
            message=missing + " (compute it on a pandas frame of the users you need)",
        )
    ]
    if shuffled:
        message = (
            f"the log was not partitioned by {user!r} (no index with known divisions, "
            "partitioned_by_user not set): it was shuffled on that column first"
        )
        notes.insert(0, Note(code="shuffled_by_user", subject=user, message=message))
    return notes


def _partitions(events: Any, options: dict[str, Any], declared: bool) -> tuple[Any, Any, bool]:
    """The log in user partitions, its schema, and whether it was shuffled."""
    from creatorkit.adapters.dask import by_column

    user = options["user"]
    if declared:
        indexed = events.index.name == user and user not in events.columns
        frame = events.reset_index() if indexed else events
        return frame, frame._meta, False
    frame, meta, shuffled = by_column(events, user)
    if shuffled:  # carry only the columns the funnel reads through the shuffle
        keep = _needed(list(map(str, events.columns)), options)
        frame = events[keep].shuffle(on=user)
    return frame, meta, shuffled


def from_events(
    events: Any,
    steps: Sequence[str] | Funnel,
    *,
    partitioned_by_user: object = False,
    **options: Any,
) -> FunnelResult:
    """:func:`creatorkit.funnel.from_events` of a Dask DataFrame (see the module docstring).

    ``options`` are the keyword arguments of the pandas function, all given;
    ``partitioned_by_user`` declares that no user spans two partitions (verified). The
    example is in ``docs/scaling.md`` and ``creatorkit.adapters.dask`` (run where Dask is
    installed).
    """
    from creatorkit.adapters.dask import reduce_partitions
    from creatorkit.funnel._events import from_events as on_pandas

    if not isinstance(partitioned_by_user, bool):  # an untyped caller's "yes" or 1
        from creatorkit.errors import ErrorCode

        rule = "must be True or False"
        fail("partitioned_by_user", rule, ErrorCode.WRONG_TYPE, value=partitioned_by_user)
    frame, meta, shuffled = _partitions(events, options, partitioned_by_user)
    probe = on_pandas(meta, steps, **options)  # every check of the pandas path, on the schema
    verify = not shuffled and options["user"] in frame.columns
    whole = reduce_partitions(frame, lambda rows: _part(rows, steps, options, verify), _combine)
    if whole is not None and whole.shared is not None:
        _overlap(frame, options["user"], whole.shared)
    runtime = {"workers": 1, "engine": "dask", "partitions": int(frame.npartitions)}
    runtime["partitioned_by_user"] = "shuffled" if shuffled else "verified"
    method = attrs.evolve(probe.method, runtime={**probe.method.runtime, **runtime})
    extra = _dask_notes(options["user"], shuffled)
    if whole is None:
        return attrs.evolve(probe, units=None, method=method, warnings=(*extra, *probe.warnings))
    keys = list(probe.by)
    names = step_names(steps)
    labels = [s.name for s in steps.stages if s.nested] if isinstance(steps, Funnel) else names
    merged = _untemplated(merge_notes(whole.notes), whole.plain)
    notes = _ordered([*merged, *_log_notes(whole, names, options["event"])], keys)
    if whole.summary is None:  # no unit in any group: the pandas path's empty table
        table = probe._table.astype(whole.dtypes)
    else:
        table = _table(whole.summary, keys, labels, float(options["level"]))
        table = table.astype(whole.dtypes)
    return FunnelResult(
        table=table,
        units=None,
        kind="events",
        by=tuple(keys),
        method=method,
        warnings=[*extra, *notes],
    )
