"""The metric catalog: exact, documented formulas defined on sums, with intervals.

A metric divides two sums over a group's rows (CTR = Σ clicks / Σ views), so it is exact
per group and merges across chunks — a ratio of sums, never a mean of ratios. The few
that cannot merge (medians, distinct counts, concentration) say so in :func:`catalog`.

Example:
    >>> import pandas as pd
    >>> import creatorkit as ck
    >>> df = pd.DataFrame({"views": [1000, 3000], "gmv": [50.0, 70.0]})
    >>> ck.metrics.compute(df, "gpm").to_frame()["gpm"].item()
    30.0
"""

from typing import Any

from creatorkit._compat import moved
from creatorkit.metrics import (
    _catalog,  # noqa: F401 - registers the built-in metrics
    economics,
)
from creatorkit.metrics._compute import CI_METHODS, MetricResult, compute, summarize
from creatorkit.metrics._expr import DERIVED, Formula, RowFunction
from creatorkit.metrics._metric import (
    ENTRY_POINT_GROUP,
    KINDS,
    Metric,
    Reducer,
    catalog,
    column_metric,
    get,
    load_entry_points,
    register,
    registry,
)
from creatorkit.metrics._restate import restate

__all__ = [
    "CI_METHODS",
    "DERIVED",
    "ENTRY_POINT_GROUP",
    "KINDS",
    "Formula",
    "Metric",
    "MetricResult",
    "Reducer",
    "RowFunction",
    "catalog",
    "column_metric",
    "compute",
    "economics",
    "get",
    "load_entry_points",
    "register",
    "registry",
    "restate",
    "summarize",
]


def __getattr__(name: str) -> Any:
    if name == "MetricSummary":
        return moved("creatorkit.metrics.MetricSummary", "creatorkit.summaries.Summary")
    raise AttributeError(f"module 'creatorkit.metrics' has no attribute {name!r}")
