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
from creatorkit.errors import ErrorCode

if TYPE_CHECKING:
    from creatorkit.compare import ComparisonResult

__all__ = ["forest"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        fail("plot", "needs matplotlib: pip install 'creatorkit[plot]'", ErrorCode.MISSING_VALUE)
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
