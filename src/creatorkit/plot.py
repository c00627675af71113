"""Optional matplotlib charts (install the ``plot`` extra). matplotlib loads on first call.

Example:
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from creatorkit import compare, plot
    >>> ax = plot.forest(compare.proportions([40, 60, 52], [1000, 1000, 1000]))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['1 vs 0', '2 vs 0']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from creatorkit._validation import fail
from creatorkit.errors import ErrorCode, MissingDependencyError

if TYPE_CHECKING:
    from creatorkit.compare import ComparisonResult
    from creatorkit.funnel import DecompositionResult, FunnelResult

__all__ = ["forest", "funnel", "waterfall"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            "creatorkit.plot needs matplotlib: pip install 'creatorkit[plot]'"
        ) from exc
    return plt


def forest(result: ComparisonResult, *, column: str = "estimate", ax: Any = None) -> Any:
    """Forest plot of a comparison: each arm's difference (or lift) with its interval.

    Args:
        result: A :class:`~creatorkit.compare.ComparisonResult`.
        column: ``estimate`` (difference, with ``ci_low``/``ci_high``) or ``lift``
            (with ``lift_low``/``lift_high``).
        ax: A matplotlib Axes to draw on; a new figure when ``None``.

    Returns:
        The matplotlib Axes.
    """
    from creatorkit.compare import ComparisonResult

    if not isinstance(result, ComparisonResult):
        fail(
            "result",
            "must be a ComparisonResult",
            ErrorCode.WRONG_TYPE,
            value=type(result).__name__,
        )
    low, high = ("ci_low", "ci_high") if column == "estimate" else ("lift_low", "lift_high")
    if column not in result.table or low not in result.table:
        fail(
            "column", f"the result has no {column!r} interval", ErrorCode.UNKNOWN_NAME, value=column
        )
    rows = result.table[result.table["versus"] != ""]
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.5 + 0.4 * len(rows)))
    labels = [f"{a} vs {v}" for a, v in zip(rows["arm"], rows["versus"], strict=True)]
    y = list(range(len(rows)))
    values = rows[column].to_numpy(dtype=float)
    ax.errorbar(
        values,
        y,
        xerr=[values - rows[low].to_numpy(dtype=float), rows[high].to_numpy(dtype=float) - values],
        fmt="o",
        capsize=3,
    )
    ax.axvline(0.0, color="grey", linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"{column} ({rows['metric'].iloc[0]})" if len(rows) else column)
    return ax


def funnel(result: FunnelResult, *, ax: Any = None) -> Any:
    """Horizontal bars of each stage's count (users), labelled with the step conversion.

    Args:
        result: A :class:`~creatorkit.funnel.FunnelResult` with one group (filter first).
        ax: A matplotlib Axes; a new figure when ``None``.

    Returns:
        The matplotlib Axes.

    Example:
        >>> import pandas as pd
        >>> from creatorkit.funnel import from_counts
        >>> res = from_counts(pd.DataFrame({"views": [1000], "clicks": [50], "orders": [5]}),
        ...                   ["views", "clicks", "orders"])
        >>> len(funnel(res).patches)
        3
    """
    from creatorkit.funnel import FunnelResult

    if not isinstance(result, FunnelResult):
        fail("result", "must be a FunnelResult", ErrorCode.WRONG_TYPE, value=type(result).__name__)
    table = result.table
    if result.by and len(table[list(result.by)].drop_duplicates()) > 1:
        fail("result", "has several groups; plot one group at a time", ErrorCode.INVALID_VALUE)
    count = "users" if "users" in table else "count"
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.6 + 0.5 * len(table)))
    y = list(range(len(table)))
    ax.barh(y, table[count].to_numpy(dtype=float))
    ax.set_yticks(y)
    ax.set_yticklabels([str(n) for n in table["name"]])
    ax.invert_yaxis()
    for i, (value, rate) in enumerate(zip(table[count], table["conversion"], strict=True)):
        ax.text(float(value), i, f" {rate:.1%}", va="center")
    ax.set_xlabel(count)
    return ax


def waterfall(result: DecompositionResult, *, ax: Any = None) -> Any:
    """Waterfall of a KPI change: before, each factor's contribution, after.

    Args:
        result: A :class:`~creatorkit.funnel.DecompositionResult` with one group.
        ax: A matplotlib Axes; a new figure when ``None``.

    Returns:
        The matplotlib Axes.

    Example:
        >>> from creatorkit.funnel import decompose
        >>> res = decompose({"views": 100.0, "ctr": 0.1, "cvr": 0.1, "aov": 10.0},
        ...                 {"views": 200.0, "ctr": 0.1, "cvr": 0.1, "aov": 12.0})
        >>> len(waterfall(res).patches)
        6
    """
    from creatorkit.funnel import DecompositionResult

    if not isinstance(result, DecompositionResult):
        fail(
            "result",
            "must be a DecompositionResult",
            ErrorCode.WRONG_TYPE,
            value=type(result).__name__,
        )
    table = result.table
    factors = table[table["factor"] != "total"]
    total = table[table["factor"] == "total"]
    if len(total) != 1:
        fail("result", "has several groups; plot one group at a time", ErrorCode.INVALID_VALUE)
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    start = float(total["before"].iloc[0])
    labels, bottoms, heights = ["before"], [0.0], [start]
    level = start
    for name, value in zip(factors["factor"], factors["contribution"], strict=True):
        labels.append(str(name))
        bottoms.append(level if value >= 0 else level + float(value))
        heights.append(abs(float(value)))
        level += float(value)
    labels.append("after")
    bottoms.append(0.0)
    heights.append(float(total["after"].iloc[0]))
    ax.bar(labels, heights, bottom=bottoms)
    ax.set_ylabel(str(result.method.parameters.get("tree", "KPI")).split(" =")[0])
    return ax
