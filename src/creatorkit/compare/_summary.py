"""Per-arm sufficient statistics that merge with ``+``, from raw rows or given directly."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._validation import Problems, check_columns, check_frame, check_number, fail
from creatorkit.compare._bayes import bayes_proportions
from creatorkit.compare._core import ComparisonResult
from creatorkit.compare._means import means, ratios
from creatorkit.compare._proportions import proportions
from creatorkit.errors import ErrorCode
from creatorkit.results import MethodCard, Note, Result

SUMMARY_COLUMNS = ("metric", "arm", "n", "sum", "sum_sq", "den_sum", "den_sum_sq", "cross")
"""Columns of :attr:`Summary.table`; the ``den_*`` and ``cross`` sums are NaN for non-ratios."""


@attrs.frozen(kw_only=True, eq=False)
class Summary(Result):
    """Sufficient statistics per metric and arm; summaries of disjoint chunks add with ``+``.

    Attributes:
        table: One row per (metric, arm) with :data:`SUMMARY_COLUMNS`.

    Example:
        >>> sums = pd.DataFrame({"metric": ["cvr", "cvr"], "arm": ["A", "B"], "n": [1000, 1000],
        ...                      "sum": [40, 60], "sum_sq": [40, 60]})
        >>> s = Summary.from_table(sums)
        >>> s.proportions("cvr").to_frame().loc[1, "estimate"]
        np.float64(0.02)
    """

    table: pd.DataFrame

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> Summary:
        """Build a summary from sums computed elsewhere (SQL, Spark, a dashboard export).

        ``den_sum``, ``den_sum_sq`` and ``cross`` may be omitted for non-ratio metrics.
        """
        frame = check_frame("table", table)
        check_columns("table", frame, ["metric", "arm", "n", "sum", "sum_sq"])
        out = frame.copy()
        for column in ("den_sum", "den_sum_sq", "cross"):
            if column not in out:
                out[column] = np.nan
        out = out[list(SUMMARY_COLUMNS)]
        out["metric"] = out["metric"].astype(str)
        out["arm"] = out["arm"].astype(str)
        problems = Problems("table")
        for column in ("n", "sum", "sum_sq"):
            values = pd.to_numeric(out[column], errors="coerce").to_numpy(
                dtype=float, na_value=np.nan
            )
            problems.add_mask(
                column,
                ~np.isfinite(values),
                out.index,
                out[column],
                "must be finite numbers",
                ErrorCode.NOT_FINITE,
            )
            out[column] = values
        n = out["n"].to_numpy(dtype=float)
        problems.add_mask(
            "n",
            (n < 0) | (n != np.round(n)),
            out.index,
            n,
            "must be a whole number >= 0",
            ErrorCode.NEGATIVE,
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            floor = out["sum"].to_numpy() ** 2 / np.where(n > 0, n, np.nan)
        impossible = out["sum_sq"].to_numpy() < floor - 1e-9 * np.maximum(np.abs(floor), 1.0)
        problems.add_mask(
            "sum_sq",
            impossible,
            out.index,
            out["sum_sq"],
            "impossible: below sum² / n",
            ErrorCode.INCONSISTENT,
        )
        dup = out.duplicated(["metric", "arm"]).to_numpy()
        problems.add_mask(
            "metric + arm", dup, out.index, out["arm"], "must be unique", ErrorCode.DUPLICATE_KEY
        )
        problems.raise_if_any()
        card = MethodCard.create("compare.Summary.from_table")
        return cls(table=out.sort_values(["metric", "arm"]).reset_index(drop=True), method=card)

    def __add__(self, other: object) -> Summary:
        if not isinstance(other, Summary):
            return NotImplemented
        both = pd.concat([self.table, other.table], ignore_index=True)
        sums = both.groupby(["metric", "arm"], sort=True).sum(min_count=1).reset_index()
        return attrs.evolve(
            self, table=sums[list(SUMMARY_COLUMNS)], warnings=[*self.warnings, *other.warnings]
        )

    def _metric(self, metric: str) -> pd.DataFrame:
        rows = self.table[self.table["metric"] == metric]
        if rows.empty:
            names = sorted(self.table["metric"].unique())
            fail(
                "metric",
                f"is not in the summary; metrics are {names}",
                ErrorCode.UNKNOWN_NAME,
                value=metric,
            )
        return rows

    def proportions(self, metric: str, **options: Any) -> ComparisonResult:
        """Compare a 0/1 metric with :func:`~creatorkit.compare.proportions`."""
        rows = self._metric(metric)
        if not np.allclose(rows["sum"], rows["sum_sq"]) or (rows["sum"] > rows["n"]).any():
            fail(
                "metric",
                f"{metric!r} is not a 0/1 column (sum of squares differs from sum)",
                ErrorCode.INVALID_VALUE,
            )
        return proportions(
            rows["sum"].to_numpy(),
            rows["n"].to_numpy(),
            labels=rows["arm"].tolist(),
            metric=metric,
            **options,
        )

    def bayes_proportions(self, metric: str, **options: Any) -> ComparisonResult:
        """Compare a 0/1 metric with :func:`~creatorkit.compare.bayes_proportions`."""
        rows = self._metric(metric)
        return bayes_proportions(
            rows["sum"].to_numpy(),
            rows["n"].to_numpy(),
            labels=rows["arm"].tolist(),
            metric=metric,
            **options,
        )

    def means(self, metric: str, **options: Any) -> ComparisonResult:
        """Compare a metric's means with :func:`~creatorkit.compare.means` (Welch)."""
        rows = self._metric(metric)
        n = rows["n"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = rows["sum"].to_numpy() / np.where(n > 0, n, np.nan)
            var = (rows["sum_sq"].to_numpy() - n * mean * mean) / np.where(n > 1, n - 1, np.nan)
        std = np.sqrt(np.maximum(np.nan_to_num(var, nan=0.0), 0.0))
        return means(
            n, np.nan_to_num(mean), std, labels=rows["arm"].tolist(), metric=metric, **options
        )

    def ratios(self, metric: str, **options: Any) -> ComparisonResult:
        """Compare a ratio metric with :func:`~creatorkit.compare.ratios` (delta method)."""
        rows = self._metric(metric)
        if rows["den_sum"].isna().any():
            fail(
                "metric",
                f"{metric!r} is not a ratio metric (no denominator sums)",
                ErrorCode.INVALID_VALUE,
            )
        return ratios(
            rows["n"].to_numpy(),
            rows["sum"].to_numpy(),
            rows["den_sum"].to_numpy(),
            rows["sum_sq"].to_numpy(),
            rows["den_sum_sq"].to_numpy(),
            rows["cross"].to_numpy(),
            labels=rows["arm"].tolist(),
            metric=metric,
            **options,
        )


def summarize(
    df: pd.DataFrame,
    *,
    arm: str,
    metrics: str | Iterable[str] | Mapping[str, str | tuple[str, str]],
    winsorize: float | None = None,
    trim: float | None = None,
) -> Summary:
    """Sufficient statistics per arm from raw rows (one row per unit: user, order, post).

    Args:
        df: Raw rows (not modified).
        arm: Column naming each row's arm.
        metrics: Column names (one metric each), or a mapping ``name → column`` or
            ``name → (numerator, denominator)`` for ratio metrics.
        winsorize: Upper-tail share (e.g. ``0.01``): values of non-ratio metrics above the
            pooled ``1 − winsorize`` quantile are clipped to it; the cut and the count of
            clipped values are reported in ``warnings``.
        trim: Upper-tail share: rows above the pooled quantile are excluded from that
            metric; the cut and the count are reported in ``warnings``.

    Returns:
        A :class:`Summary`.

    Example:
        >>> rows = pd.DataFrame({"arm": ["A", "A", "B", "B"], "bought": [0, 1, 1, 1],
        ...                      "revenue": [0.0, 20.0, 35.0, 15.0], "orders": [0, 1, 2, 1]})
        >>> spec = {"bought": "bought", "aov": ("revenue", "orders")}
        >>> s = summarize(rows, arm="arm", metrics=spec)
        >>> s.to_frame()[["metric", "arm", "n", "sum", "den_sum"]]
          metric arm  n   sum  den_sum
        0    aov   A  2  20.0      1.0
        1    aov   B  2  50.0      3.0
        2 bought   A  2   1.0      NaN
        3 bought   B  2   2.0      NaN
    """
    frame = check_frame("df", df)
    if isinstance(metrics, str):
        specs: dict[str, str | tuple[str, str]] = {metrics: metrics}
    elif isinstance(metrics, Mapping):
        specs = dict(metrics)
    else:
        specs = {m: m for m in metrics}
    if not specs:
        fail("metrics", "name at least one metric", ErrorCode.EMPTY)
    if winsorize is not None and trim is not None:
        fail("trim", "use winsorize or trim, not both", ErrorCode.INVALID_VALUE)
    share = None
    for name, value in (("winsorize", winsorize), ("trim", trim)):
        if value is not None:
            share = check_number(name, value, low=0, high=0.5, low_open=True, high_open=True)
    columns = {c for spec in specs.values() for c in ((spec,) if isinstance(spec, str) else spec)}
    check_columns("df", frame, [arm, *sorted(columns)])
    problems = Problems("df")
    values: dict[str, np.ndarray] = {}
    for column in sorted(columns):
        series = frame[column]
        data = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        problems.add_mask(
            column,
            ~np.isfinite(data) & series.notna().to_numpy(),
            frame.index,
            series,
            "must be finite numbers",
            ErrorCode.NOT_FINITE,
        )
        problems.add_mask(
            column,
            series.isna().to_numpy(),
            frame.index,
            series,
            "must not be missing",
            ErrorCode.MISSING_VALUE,
        )
        values[column] = data
    arms = frame[arm]
    problems.add_mask(
        arm,
        arms.isna().to_numpy(),
        frame.index,
        arms,
        "must not be missing",
        ErrorCode.MISSING_VALUE,
    )
    problems.raise_if_any()
    codes, labels = pd.factorize(arms.astype(str), sort=True)
    k = len(labels)
    notes: list[Note] = []
    parts = []
    for name, spec in specs.items():
        if isinstance(spec, str):
            x = values[spec]
            keep = np.ones(len(x), dtype=bool)
            if share is not None:
                cut = float(np.quantile(x, 1.0 - share))
                above = x > cut
                if winsorize is not None:
                    x = np.minimum(x, cut)
                    verb = "clipped to"
                else:
                    keep = ~above
                    verb = "excluded above"
                notes.append(
                    Note(
                        code="winsorized" if winsorize is not None else "trimmed",
                        subject=name,
                        count=int(above.sum()),
                        message=(
                            f"{name}: {int(above.sum())} values {verb} {cut:g} "
                            f"(pooled {1 - share:.0%} quantile)"
                        ),
                    )
                )
            w = keep.astype(float)
            xs = np.where(keep, x, 0.0)
            parts.append(
                pd.DataFrame(
                    {
                        "metric": name,
                        "arm": labels,
                        "n": np.bincount(codes, weights=w, minlength=k).astype(np.int64),
                        "sum": np.bincount(codes, weights=xs, minlength=k),
                        "sum_sq": np.bincount(codes, weights=xs * xs, minlength=k),
                        "den_sum": np.nan,
                        "den_sum_sq": np.nan,
                        "cross": np.nan,
                    }
                )
            )
        else:
            x, y = values[spec[0]], values[spec[1]]
            parts.append(
                pd.DataFrame(
                    {
                        "metric": name,
                        "arm": labels,
                        "n": np.bincount(codes, minlength=k).astype(np.int64),
                        "sum": np.bincount(codes, weights=x, minlength=k),
                        "sum_sq": np.bincount(codes, weights=x * x, minlength=k),
                        "den_sum": np.bincount(codes, weights=y, minlength=k),
                        "den_sum_sq": np.bincount(codes, weights=y * y, minlength=k),
                        "cross": np.bincount(codes, weights=x * y, minlength=k),
                    }
                )
            )
    table = (
        pd.concat(parts, ignore_index=True).sort_values(["metric", "arm"]).reset_index(drop=True)
    )
    card = MethodCard.create(
        "compare.summarize",
        arm=arm,
        metrics={k: list(v) if not isinstance(v, str) else v for k, v in specs.items()},
        winsorize=winsorize,
        trim=trim,
    )
    return Summary(table=table, method=card, warnings=notes)
