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

from creatorkit._validation import check_number, fail
from creatorkit.errors import ErrorCode, MissingDependencyError

if TYPE_CHECKING:
    import pandas as pd

    from creatorkit.compare import ComparisonResult
    from creatorkit.funnel import DecompositionResult, FunnelResult
    from creatorkit.scoring import ScoreResult

__all__ = ["forest", "funnel", "score_breakdown", "score_ranks", "waterfall"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            "creatorkit.plot needs matplotlib: pip install 'creatorkit[plot]'"
        ) from exc
    return plt


def _axes(ax: Any, size: tuple[float, float]) -> Any:
    """The Axes to draw on: ``ax`` when it is a matplotlib Axes, a new figure for None."""
    plt = _pyplot()
    if ax is None:
        return plt.subplots(figsize=size)[1]
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        fail(
            "ax", "must be a matplotlib Axes or None", ErrorCode.WRONG_TYPE, value=type(ax).__name__
        )
    return ax


def forest(result: ComparisonResult, *, column: str = "estimate", ax: Any = None) -> Any:
    """Forest plot of a comparison: each arm's difference (or lift) with its interval.

    Args:
        result: A :class:`~creatorkit.compare.ComparisonResult`.
        column: ``estimate`` (difference, with ``ci_low``/``ci_high``) or ``lift``
            (with ``lift_low``/``lift_high``).
        ax: A matplotlib Axes to draw on; a new figure when ``None``.

    Returns:
        The matplotlib Axes.

    Example:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from creatorkit import compare
        >>> ax = forest(compare.proportions([40, 60], [1000, 1000]), column="lift")
        >>> ax.get_xlabel()
        'lift (conversion)'
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
    ax = _axes(ax, (6, 0.5 + 0.4 * len(rows)))
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
    ax = _axes(ax, (6, 0.6 + 0.5 * len(table)))
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
    ax = _axes(ax, (7, 4))
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


def _best(result: ScoreResult, top: Any) -> pd.DataFrame:
    """The ``top`` best-ranked rows of a score result's table (rank 1 first)."""
    from creatorkit.scoring import ScoreResult

    if not isinstance(result, ScoreResult):
        fail("result", "must be a ScoreResult", ErrorCode.WRONG_TYPE, value=type(result).__name__)
    k = int(check_number("top", top, low=1, high=1_000, integer=True))
    table = result.table
    return table.take(table["rank"].to_numpy().argsort(kind="stable")[:k]).reset_index(drop=True)


def score_breakdown(result: ScoreResult, *, top: int = 10, ax: Any = None) -> Any:
    """Stacked horizontal bars: each top creator's score split into criterion contributions.

    Bar segments are the ``contribution_<criterion>`` columns (score points, summing to the
    score for the weighted sum), one colour per criterion, best rank at the top.

    Args:
        result: A :class:`~creatorkit.scoring.ScoreResult`.
        top: How many of the best-ranked creators to draw (1 to 1,000).
        ax: A matplotlib Axes; a new figure when ``None``.

    Returns:
        The matplotlib Axes (one bar container per criterion, in the result's order).

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import Criterion, Scorecard
        >>> t = pd.DataFrame({"creator_id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0],
        ...                   "y": [3.0, 1.0, 2.0]})
        >>> res = Scorecard([Criterion(name="x"), Criterion(name="y")]).score(
        ...     t, as_of="2026-06-30T00:00:00Z")
        >>> ax = score_breakdown(res, top=2)
        >>> [round(float(p.get_width()), 2) for p in ax.containers[0]]  # x: c, then a
        [50.0, 16.67]
    """
    rows = _best(result, top)
    ax = _axes(ax, (7, 0.6 + 0.35 * len(rows)))
    y = list(range(len(rows)))
    left = rows["score"].to_numpy(dtype=float) * 0.0
    for name in result.criteria:  # a loop over criteria (one bar series each)
        width = rows[f"contribution_{name}"].to_numpy(dtype=float)
        ax.barh(y, width, left=left, label=str(name))
        left = left + width
    ax.set_yticks(y)
    ax.set_yticklabels([str(i) for i in rows["creator_id"]])
    ax.invert_yaxis()
    ax.set_xlabel("score points (contribution per criterion)")
    ax.legend(loc="lower right", fontsize="small")
    return ax


def score_ranks(result: ScoreResult, *, top: int = 50, ax: Any = None) -> Any:
    """Score against rank, with each creator's score interval when it was requested.

    With ``score(..., uncertainty=...)`` the error bars span ``score_low`` to
    ``score_high``; without it the points are drawn alone and the title says so.

    Args:
        result: A :class:`~creatorkit.scoring.ScoreResult`.
        top: How many of the best-ranked creators to draw (1 to 1,000).
        ax: A matplotlib Axes; a new figure when ``None``.

    Returns:
        The matplotlib Axes (its first container is the error-bar container).

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import Criterion, Scorecard
        >>> t = pd.DataFrame({"creator_id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0]})
        >>> res = Scorecard([Criterion(name="x")]).score(t, as_of="2026-06-30T00:00:00Z")
        >>> score_ranks(res).get_title()
        'no score intervals: score(..., uncertainty=True) adds them'
    """
    rows = _best(result, top)
    ax = _axes(ax, (7, 4))
    rank = rows["rank"].to_numpy(dtype=float)
    score = rows["score"].to_numpy(dtype=float)
    if "score_low" in rows and "score_high" in rows:
        below = score - rows["score_low"].to_numpy(dtype=float)
        above = rows["score_high"].to_numpy(dtype=float) - score
        ax.errorbar(rank, score, yerr=[below, above], fmt="o", capsize=2)
        level = result.method.parameters.get("uncertainty", {}).get("level", 0.95)
        ax.set_title(f"score with its {float(level):.0%} interval")
    else:
        ax.errorbar(rank, score, fmt="o")
        ax.set_title("no score intervals: score(..., uncertainty=True) adds them")
    ax.set_xlabel("rank")
    ax.set_ylabel("score (0–100)")
    return ax
