"""Dask DataFrames: one summary per partition, merged by a tree of additions.

Every partition is summarized where it lives (the same ``summarize`` as for pandas, in the
worker) and the per-partition summaries are added pairwise — what reaches the client is the
merged :class:`~creatorkit.summaries.Summary`, whose size grows with the number of groups,
never with the number of rows. Sums equal the pandas path up to the order of floating-point
additions (1e-12 relative); counts and notes are exact.

Not available on Dask (clear errors, never a silent fallback): non-mergeable metrics
(medians, distinct counts, concentration — compute them on a pandas frame of the groups
you need) and winsorized or trimmed comparison summaries (their cut is a pooled quantile).

Example:
    >>> import pandas as pd, creatorkit as ck
    >>> import dask.dataframe as dd
    >>> rows = pd.DataFrame({"creator_id": ["a", "b", "a", "b"], "views": [100, 200, 300, 400],
    ...                      "clicks": [1, 4, 3, 6]})
    >>> ck.metrics.compute(dd.from_pandas(rows, npartitions=2), "ctr", by="creator_id").table
      creator_id    ctr  ctr_n  ctr_trials
    0          a  0.010      2       400.0
    1          b  0.017      2       600.0

Event funnels run the pandas engine on user partitions (``funnel/_dask.py``; a log not
indexed by the user is shuffled on it first, with a note) and merge per-group counts the
same way; the median time to convert does not merge (``NaT`` and a note), ``units`` stays
on the workers (``None``). Scorecards accept Dask ``content``, ``orders`` and
``collaborations`` tables (``scoring/_tables.py``). ``reviews.aggregate`` reduces each
partition to per (creator, reviewer) pair sums, merged the same way, and solves its
leniency model on that pair table (``reviews/_dask.py``).

    >>> log = pd.DataFrame({"user_id": ["u1", "u1", "u2"], "event": ["view", "buy", "view"],
    ...                     "timestamp": pd.to_datetime([0, 60, 0], unit="s", utc=True)})
    >>> res = ck.funnel.from_events(dd.from_pandas(log, npartitions=2), ["view", "buy"],
    ...                             window="1h")
    >>> res.table[["name", "users", "conversion"]]
       name  users  conversion
    0  view      2         1.0
    1   buy      1         0.5
    >>> [n.code for n in res.warnings], res.units
    (['shuffled_by_user', 'median_unavailable_on_dask'], None)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from creatorkit._validation import as_str_list, fail
from creatorkit.errors import ErrorCode, MissingDependencyError
from creatorkit.summaries import Summary

if TYPE_CHECKING:
    from creatorkit.metrics._metric import Metric

__all__ = ["by_column", "reduce_partitions", "summarize_partitions"]


def _dask() -> Any:
    import importlib

    try:
        return importlib.import_module("dask")
    except ImportError as exc:  # pragma: no cover - the extra is installed in tests
        raise MissingDependencyError(
            "Dask DataFrames need the 'dask' extra: pip install 'creatorkit[dask]'"
        ) from exc


def _merged(parts: list[Summary | None]) -> Summary | None:
    from creatorkit.summaries import merge

    found = [p for p in parts if p is not None]
    if not found:
        return None
    return found[0] if len(found) == 1 else merge(found)


def summarize_partitions(
    ddf: Any, summarize: Callable[[Any], Summary], metrics: Sequence[Metric], by: Any
) -> Summary:
    """``summarize`` on every partition of ``ddf``, merged pairwise into one summary.

    Args:
        ddf: A Dask DataFrame.
        summarize: The pandas summarize call for one partition (a closure with the
            caller's arguments); empty partitions are skipped.
        metrics: The metrics the call reads; their columns and ``by`` are checked on the
            Dask frame's schema first, with the pandas path's error.
        by: Group key column(s).

    Returns:
        The merged summary, computed with Dask's current scheduler.

    Raises:
        ValidationError: Missing columns (before computing), an empty frame, or anything
            the pandas path refuses in a partition.

    Example:
        >>> import pandas as pd, dask.dataframe as dd
        >>> from creatorkit import metrics, summaries
        >>> rows = pd.DataFrame({"creator_id": ["a", "b", "a"], "views": [1, 2, 3],
        ...                      "clicks": [0, 1, 1]})
        >>> ctr = [metrics.get("ctr")]
        >>> s = summarize_partitions(dd.from_pandas(rows, npartitions=2),
        ...                          lambda part: summaries.summarize(part, ctr, by="creator_id"),
        ...                          ctr, "creator_id")
        >>> s.compute().table["ctr"].round(3).tolist()
        [0.25, 0.5]
    """
    from creatorkit.summaries._build import _check_metric_columns

    meta = ddf._meta  # the empty pandas frame with the collection's columns and dtypes
    available = frozenset(map(str, meta.columns))
    needed = set(as_str_list("by", by))
    for metric in metrics:
        needed |= set(metric.columns(available))
    _check_metric_columns(meta, list(metrics), available, sorted(needed))

    result = reduce_partitions(ddf, summarize, _merged)
    if not isinstance(result, Summary):
        fail("df", "must have at least one row", ErrorCode.EMPTY)
    return result


def _one(part: Any, each: Callable[[Any], Any]) -> Any:
    """``each`` of one partition (``None`` if empty) in a one-cell object Series."""
    return pd.Series([None if len(part) == 0 else each(part)], dtype=object)


def _cell(series: Any) -> Any:
    return series.iloc[0]


def reduce_partitions(
    ddf: Any, each: Callable[[Any], Any], combine: Callable[[list[Any]], Any]
) -> Any:
    """``each`` on every non-empty partition, combined pairwise in a tree on the workers.

    Args:
        ddf: A Dask DataFrame.
        each: Maps one pandas partition to a small mergeable value.
        combine: Merges a list of such values (``None`` for an empty partition) into one.

    Returns:
        The combined value, computed with Dask's current scheduler (``None`` when every
        partition is empty). Only that value reaches the client.

    Example:
        >>> import pandas as pd, dask.dataframe as dd
        >>> parts = dd.from_pandas(pd.DataFrame({"x": [1, 2, 3, 4]}), npartitions=2)
        >>> reduce_partitions(parts, len, lambda v: sum(x for x in v if x is not None))
        4
    """
    dask = _dask()

    # ``each`` runs inside a blockwise task fused with whatever made the partition (a
    # read, a shuffle's output), so a partition is reduced as soon as it exists instead of
    # waiting in memory for a separate task; only the one-cell results are delayed.
    small = ddf.map_partitions(_one, each, meta=pd.Series(dtype=object))
    level = [dask.delayed(_cell)(p) for p in small.to_delayed()]
    while len(level) > 1:
        level = [dask.delayed(combine)(level[i : i + 2]) for i in range(0, len(level), 2)]
    (result,) = dask.compute(level[0])
    return result


def by_column(ddf: Any, column: str) -> tuple[Any, Any, bool]:
    """``ddf`` with every value of ``column`` in one partition, its schema and whether it moved.

    A frame indexed by ``column`` with known divisions is already partitioned that way
    (the index becomes a column again); any other frame is hash-shuffled on ``column``
    (``DataFrame.shuffle``), which moves rows between workers but never to the client.

    Args:
        ddf: A Dask DataFrame.
        column: The column whose values must not span partitions (a user id).

    Returns:
        ``(frame, meta, shuffled)``: the lazy frame (unchanged when the column is absent,
        so the caller's check reports it), its empty pandas schema, and whether a shuffle
        was added.

    Example:
        >>> import pandas as pd, dask.dataframe as dd
        >>> log = dd.from_pandas(pd.DataFrame({"user_id": ["a", "b", "a"]}), npartitions=2)
        >>> by_column(log, "user_id")[2], by_column(log.set_index("user_id"), "user_id")[2]
        (True, False)
    """
    if ddf.index.name == column and column not in ddf.columns and ddf.known_divisions:
        frame = ddf.reset_index()
        return frame, frame._meta, False
    if column not in ddf.columns:
        return ddf, ddf._meta, False
    return ddf.shuffle(on=column), ddf._meta, True
