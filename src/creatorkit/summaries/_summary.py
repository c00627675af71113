"""The one mergeable summary type: per-group sums of metric definitions."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import divide as _div
from creatorkit._grouping import group
from creatorkit._time import parse_as_of
from creatorkit._validation import (
    Problems,
    as_str_list,
    check_choice,
    check_columns,
    check_frame,
    check_number,
    check_numeric,
    fail,
)
from creatorkit.adapters import is_dask
from creatorkit.errors import CreatorkitDeprecationWarning, ErrorCode
from creatorkit.results import Copied, MethodCard, Note, Result, merge_notes, read_only
from creatorkit.summaries._build import (
    Prepared,
    build,
    check_params,
    parts,
    resolve,
)

if TYPE_CHECKING:
    from creatorkit.compare._core import ComparisonResult
    from creatorkit.metrics._compute import MetricResult
    from creatorkit.metrics._metric import Metric

__all__ = ["CI_METHODS", "Summary", "from_sums", "merge", "summarize"]

CI_METHODS = ("auto", "wilson", "jeffreys", "poisson", "cluster")
"""Interval methods accepted by ``compute(ci=...)``."""


def _card(name: str, summary_fields: Mapping[str, Any], **extra: Any) -> MethodCard:
    return MethodCard.create(name, **summary_fields, **extra)


@attrs.frozen(kw_only=True, eq=False)
class Summary(Result):
    r"""Per-group sums of metrics; summaries of disjoint chunks add up with ``+``.

    The one summary type of creatorkit: :func:`creatorkit.metrics.summarize`,
    :func:`creatorkit.compare.summarize`, count funnels and :func:`from_sums` build it;
    :meth:`compute` turns it into metric values, and :meth:`proportions`, :meth:`means`,
    :meth:`ratios` and :meth:`bayes_proportions` compare its groups as arms.

    A summary holds the metric *definitions* it was built from (not names to look up
    again), so re-registering a name never changes a summary that exists.

    Attributes:
        table: Group keys, then per metric ``<m>__n`` (rows), ``<m>__num`` (Σ numerator),
            ``<m>__den`` (Σ denominator, ratio metrics) and, with moments, ``<m>__num2``,
            ``<m>__den2`` and ``<m>__cross`` (sums of squares and cross products).
        metrics: The metric definitions, in request order.
        by: The group key columns.
        moments: Whether sums of squares and cross products are kept.
        params: Metric parameters used.
        as_of: The cut-off the rows were read at (``None``: none).
        options: Settings that change the sums (``winsorize``, ``trim``).

    Example:
        >>> import creatorkit as ck
        >>> df = pd.DataFrame({"creator_id": ["a", "b", "a"], "views": [100, 200, 300],
        ...                    "clicks": [3, 2, 9]})
        >>> s = ck.metrics.summarize(df.iloc[:2], "ctr", by="creator_id") + \
        ...     ck.metrics.summarize(df.iloc[2:], "ctr", by="creator_id")
        >>> s.to_frame()
          creator_id  ctr__n  ctr__num  ctr__den
        0          a       2      12.0     400.0
        1          b       1       2.0     200.0
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    metrics: tuple[Metric, ...]
    by: tuple[str, ...]
    moments: bool = False
    params: Mapping[str, float] = attrs.field(factory=dict, converter=read_only)
    as_of: pd.Timestamp | None = None
    options: Mapping[str, Any] = attrs.field(factory=dict, converter=read_only)

    @property
    def names(self) -> tuple[str, ...]:
        """The metric names, in request order.

        Example:
            >>> import creatorkit as ck
            >>> df = pd.DataFrame({"views": [10, 20], "clicks": [1, 3]})
            >>> ck.metrics.summarize(df, ["views", "ctr"]).names
            ('views', 'ctr')
        """
        return tuple(m.name for m in self.metrics)

    @property
    def sums(self) -> pd.DataFrame:
        """Deprecated alias of :attr:`table` (``MetricSummary.sums``).

        Example:
            >>> import warnings
            >>> import creatorkit as ck
            >>> s = ck.metrics.summarize(pd.DataFrame({"views": [10], "clicks": [1]}), "ctr")
            >>> with warnings.catch_warnings(record=True) as caught:
            ...     warnings.simplefilter("always")
            ...     sums = s.sums
            >>> sums.equals(s.table), caught[0].category.__name__
            (True, 'CreatorkitDeprecationWarning')
        """
        warnings.warn(
            "Summary.sums is deprecated; use Summary.table",
            CreatorkitDeprecationWarning,
            stacklevel=2,
        )
        return self.table

    def metric(self, name: str) -> Metric:
        """The definition of metric ``name`` in this summary.

        Example:
            >>> import creatorkit as ck
            >>> df = pd.DataFrame({"views": [10], "clicks": [1]})
            >>> ck.metrics.summarize(df, "ctr").metric("ctr").formula
            'clicks / views'
        """
        if not isinstance(name, str):
            fail("metric", "must be a metric name", ErrorCode.WRONG_TYPE, value=type(name).__name__)
        for metric in self.metrics:
            if metric.name == name:
                return metric
        fail(
            "metric",
            f"is not in the summary; metrics are {list(self.names)}",
            ErrorCode.UNKNOWN_NAME,
            value=name,
        )

    def identity(self) -> dict[str, Any]:
        """What two summaries must share to merge (and what the method card records).

        Example:
            >>> import creatorkit as ck
            >>> df = pd.DataFrame({"views": [10], "clicks": [1]})
            >>> ck.metrics.summarize(df, "ctr").identity()["definitions"]
            {'ctr': '0828033935141929'}
        """
        return {
            "metrics": list(self.names),
            "definitions": {m.name: m.fingerprint for m in self.metrics},
            "by": list(self.by),
            "as_of": self.as_of,
            "params": dict(self.params),
            "moments": self.moments,
            "options": dict(self.options),
        }

    def __add__(self, other: object) -> Summary:
        if not isinstance(other, Summary):
            return NotImplemented
        return merge([self, other])

    def __radd__(self, other: object) -> Summary:
        """``0 + summary`` is the summary, so ``sum(summaries)`` works."""
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return NotImplemented

    def compute(
        self, *, ci: str | Mapping[str, str] | None = None, level: float = 0.95
    ) -> MetricResult:
        """Metric values and intervals from the sums.

        Args:
            ci: Interval method (see :func:`creatorkit.metrics.compute`); ``cluster`` needs
                a summary with ``moments=True``.
            level: Confidence level in (0, 1).

        Returns:
            A :class:`~creatorkit.metrics.MetricResult`, equal (table, method card and
            notes) to ``metrics.compute`` on the rows.

        Example:
            >>> import creatorkit as ck
            >>> df = pd.DataFrame({"likes": [3, 5], "views": [100, 100]})
            >>> s = ck.metrics.summarize(df, "like_rate", moments=True)
            >>> s.compute(ci="cluster").to_frame()[["like_rate", "like_rate_low"]].round(3)
               like_rate  like_rate_low
            0       0.04          0.002
        """
        from creatorkit.metrics._compute import MetricResult

        methods = ci_methods(list(self.metrics), ci)
        level = check_number("level", level, low=0, high=1, low_open=True, high_open=True)
        if needs_moments(methods) and not self.moments:
            fail(
                "ci",
                "the cluster interval (also used by ci='auto') needs a summary made with "
                "moments=True; or ask for a trial-based interval such as ci='wilson'",
                ErrorCode.INVALID_VALUE,
            )
        columns: dict[str, Any] = {k: self._table[k] for k in self.by}
        notes = list(self.warnings)
        for metric in self.metrics:
            values, more = _finish(metric, self._table, methods.get(metric.name), level)
            columns.update(values)
            notes += more
        table = pd.DataFrame(columns, index=pd.RangeIndex(len(self._table)), copy=False)
        currency = self.options.get("currency")
        card = compute_card(
            self.metrics, self.by, self.params, self.as_of, methods, level, currency
        )
        return MetricResult(
            table=table,
            metrics=self.names,
            by=self.by,
            currency=currency,
            method=card,
            warnings=notes,
        )

    def _arms(self, name: str) -> tuple[Metric, list[Any], dict[str, np.ndarray]]:
        if len(self.by) != 1:
            fail(
                "by",
                f"comparisons need one arm column; this summary is grouped by {list(self.by)}",
                ErrorCode.INVALID_VALUE,
            )
        metric = self.metric(name)
        sums = {
            p: self._table[f"{name}__{p}"].to_numpy(dtype=float)
            for p in parts(metric, self.moments)
        }
        return metric, self._table[self.by[0]].tolist(), sums

    def proportions(self, metric: str, **options: Any) -> ComparisonResult:
        """Compare the groups as arms with :func:`creatorkit.compare.proportions`.

        A metric without a denominator is a 0/1 column (successes out of rows); a rate
        compares Σ numerator out of Σ denominator (every trial independent: randomized
        users, not a creator's views).

        Example:
            >>> rows = pd.DataFrame({"arm": ["A"] * 4 + ["B"] * 4,
            ...                      "bought": [0, 1, 0, 0, 1, 1, 0, 1]})
            >>> from creatorkit.compare import summarize as by_arm
            >>> by_arm(rows, arm="arm", metrics="bought").proportions("bought").to_frame()[
            ...     ["arm", "value"]]
              arm  value
            0   A   0.25
            1   B   0.75
        """
        from creatorkit.compare._proportions import proportions

        successes, trials, labels = self._binary(metric)
        return proportions(successes, trials, labels=labels, metric=metric, **options)

    def bayes_proportions(self, metric: str, **options: Any) -> ComparisonResult:
        """Compare like :meth:`proportions` with :func:`creatorkit.compare.bayes_proportions`.

        Example:
            >>> sums = pd.DataFrame({"arm": ["A", "B"], "cvr__n": [2, 2],
            ...                      "cvr__num": [40.0, 60.0], "cvr__den": [1000.0, 1000.0]})
            >>> res = from_sums(sums, "cvr", by="arm").bayes_proportions("cvr")
            >>> round(float(res.to_frame()["chance_to_beat_control"].iloc[1]), 3)
            0.98
        """
        from creatorkit.compare._bayes import bayes_proportions

        successes, trials, labels = self._binary(metric)
        return bayes_proportions(successes, trials, labels=labels, metric=metric, **options)

    def _binary(self, name: str) -> tuple[np.ndarray, np.ndarray, list[Any]]:
        metric, labels, sums = self._arms(name)
        if metric.denominator is not None:
            return sums["num"], sums["den"], labels
        if "num2" not in sums:
            fail(
                "metric",
                f"{name!r}: a summary with moments=True is needed to check it is a 0/1 column",
                ErrorCode.INVALID_VALUE,
            )
        if not np.allclose(sums["num"], sums["num2"]) or (sums["num"] > sums["n"]).any():
            fail(
                "metric",
                f"{name!r} is not a 0/1 column (sum of squares differs from sum)",
                ErrorCode.INVALID_VALUE,
            )
        return sums["num"], sums["n"], labels

    def means(self, metric: str, **options: Any) -> ComparisonResult:
        """Compare a plain metric's per-row means with :func:`creatorkit.compare.means` (Welch).

        Example:
            >>> rows = pd.DataFrame({"arm": ["A", "A", "B", "B"], "gmv": [10.0, 14.0, 20.0, 26.0]})
            >>> from creatorkit.compare import summarize as by_arm
            >>> by_arm(rows, arm="arm", metrics="gmv").means("gmv").to_frame()["value"].tolist()
            [12.0, 23.0]
        """
        from creatorkit.compare._means import means

        found, labels, sums = self._arms(metric)
        if found.denominator is not None or "num2" not in sums:
            fail(
                "metric",
                f"{metric!r} needs a plain metric with moments (a ratio metric: use ratios())",
                ErrorCode.INVALID_VALUE,
            )
        n = sums["n"]
        mean = _div(sums["num"], n)
        with np.errstate(invalid="ignore", divide="ignore"):
            var = (sums["num2"] - n * mean * mean) / np.where(n > 1, n - 1, np.nan)
        std = np.sqrt(np.maximum(np.nan_to_num(var, nan=0.0), 0.0))
        return means(n, np.nan_to_num(mean), std, labels=labels, metric=metric, **options)

    def ratios(self, metric: str, **options: Any) -> ComparisonResult:
        """Compare a ratio metric with :func:`creatorkit.compare.ratios` (delta method).

        Example:
            >>> import creatorkit as ck
            >>> posts = pd.DataFrame({"creator_id": ["a", "a", "a", "b", "b", "b"],
            ...     "views": [100, 200, 150, 300, 250, 400], "likes": [9, 14, 12, 12, 11, 15],
            ...     "comments": [1, 2, 1, 1, 0, 2], "shares": [0, 1, 0, 1, 1, 0],
            ...     "saves": [1, 0, 1, 0, 1, 1]})
            >>> s = ck.compare.summarize(posts, arm="creator_id",
            ...                          metrics=ck.metrics.get("engagement_rate"))
            >>> s.ratios("engagement_rate").to_frame()[["arm", "value"]].round(4)
              arm   value
            0   a  0.0933
            1   b  0.0474
        """
        from creatorkit.compare._means import ratios

        found, labels, sums = self._arms(metric)
        if found.denominator is None or "cross" not in sums:
            fail(
                "metric",
                f"{metric!r} needs a ratio metric with moments (a plain metric: use means())",
                ErrorCode.INVALID_VALUE,
            )
        return ratios(
            sums["n"],
            sums["num"],
            sums["den"],
            sums["num2"],
            sums["den2"],
            sums["cross"],
            labels=labels,
            metric=metric,
            **options,
        )

    @classmethod
    def from_table(cls, table: pd.DataFrame) -> Summary:
        """Deprecated: a summary from the long layout of 0.1 (use :func:`from_sums`).

        The layout has ``metric, arm, n, sum, sum_sq`` and, for ratios, ``den_sum,
        den_sum_sq, cross``.

        Example:
            >>> import warnings
            >>> long = pd.DataFrame({"metric": ["x", "x"], "arm": ["A", "B"], "n": [2, 2],
            ...                      "sum": [1.0, 2.0], "sum_sq": [1.0, 2.0]})
            >>> with warnings.catch_warnings():
            ...     warnings.simplefilter("ignore")
            ...     Summary.from_table(long).names
            ('x',)
        """
        warnings.warn(
            "Summary.from_table is deprecated; use creatorkit.summaries.from_sums",
            CreatorkitDeprecationWarning,
            stacklevel=2,
        )
        return _from_long(table)


def merge(parts: Iterable[Summary]) -> Summary:
    """Add up many summaries at once (one regrouping instead of one per ``+``).

    Args:
        parts: Summaries of disjoint chunks, all built alike (definitions, keys,
            parameters, moments, options and ``as_of``).

    Returns:
        The summary of the whole; notes with the same code and subject add their counts.

    Raises:
        ValidationError: The summaries differ, or are winsorized or trimmed.

    Example:
        >>> import creatorkit as ck
        >>> df = pd.DataFrame({"creator_id": ["a", "b", "a"], "views": [1, 2, 3]})
        >>> chunks = [ck.metrics.summarize(df.iloc[[i]], "views", by="creator_id")
        ...           for i in range(3)]
        >>> merge(chunks).to_frame()["views__num"].tolist()
        [4.0, 2.0]
    """
    if not isinstance(parts, Iterable) or isinstance(parts, Summary | str):
        fail("parts", "must be a list of Summary objects", ErrorCode.WRONG_TYPE)
    listed = list(parts)
    if not listed:
        fail("parts", "must hold at least one Summary", ErrorCode.EMPTY)
    wrong = [type(p).__name__ for p in listed if not isinstance(p, Summary)]
    if wrong:
        fail("parts", "must all be Summary objects", ErrorCode.WRONG_TYPE, value=wrong)
    first = listed[0]
    mine = first.identity()
    for other in listed[1:]:
        theirs = other.identity()
        differ = [k for k in mine if mine[k] != theirs[k]]
        if differ:
            detail = "; ".join(f"{k}: {mine[k]!r} vs {theirs[k]!r}" for k in differ)
            fail(
                "other",
                f"summaries must match to merge; they differ in {detail}",
                ErrorCode.INCONSISTENT,
            )
    if len(listed) > 1 and any(first.options.get(k) is not None for k in ("winsorize", "trim")):
        fail(
            "other",
            "winsorized or trimmed summaries do not merge: each chunk's cut is its own "
            "pooled quantile; summarize the whole table instead",
            ErrorCode.INVALID_VALUE,
        )
    both = pd.concat([p._table for p in listed], ignore_index=True)
    groups = group(both, list(first.by))
    columns: dict[str, Any] = {str(k): groups.keys[k] for k in first.by}
    for column in both.columns.drop(list(first.by)):
        values = both[column].to_numpy()
        total = np.bincount(groups.codes, weights=values.astype(float), minlength=groups.n)
        columns[column] = total.astype(values.dtype) if values.dtype.kind in "iu" else total
    table = pd.DataFrame(columns, index=pd.RangeIndex(groups.n), copy=False)
    hashes = {p.method.spec_hash for p in listed}
    card = (
        first.method
        if len(hashes) == 1
        else _card("summaries.merge", mine, parts=[p.method.to_dict() for p in listed])
    )
    notes = _ordered(merge_notes(n for p in listed for n in p.warnings))
    return attrs.evolve(first, table=table, method=card, warnings=notes)


def compute_card(
    metrics: Iterable[Metric],
    by: Iterable[str],
    params: Mapping[str, float],
    as_of: pd.Timestamp | None,
    methods: Mapping[str, str],
    level: float,
    currency: str | None = None,
) -> MethodCard:
    """The method card of ``metrics.compute`` (the same from rows or from a summary)."""
    listed = list(metrics)
    return MethodCard.create(
        "metrics.compute",
        metrics=[m.name for m in listed],
        definitions={m.name: m.fingerprint for m in listed},
        by=list(by),
        ci=dict(methods) or None,
        intervals={m.name: interval_plan(m, methods[m.name]) for m in listed if m.name in methods}
        or None,
        level=level,
        as_of=as_of,
        params=dict(params),
        currency=currency,
    )


def ci_methods(metrics: list[Metric], ci: str | Mapping[str, str] | None) -> dict[str, str]:
    """The interval method per metric name (``auto`` kept: it is resolved per group)."""
    if ci is None:
        return {}
    names = {m.name: m for m in metrics}
    if isinstance(ci, str):
        check_choice("ci", ci, CI_METHODS)
        requested = {m.name: ci for m in metrics if m.intervals}
        bad = [n for n, m in names.items() if m.intervals and not _applies(m, ci)]
        if bad:
            fail(
                "ci",
                f"{ci!r} does not apply to {bad}; use 'auto' or a mapping per metric",
                ErrorCode.INVALID_VALUE,
                value=ci,
            )
    elif isinstance(ci, Mapping):
        requested = dict(ci)
        problems = Problems("ci")
        for name, method in requested.items():
            if name not in names:
                problems.add(name, "is not a requested metric", ErrorCode.UNKNOWN_NAME)
            elif not _applies(names[name], method):
                allowed = list(names[name].intervals) or "none"
                problems.add(
                    name,
                    f"interval {method!r} does not apply (allowed: {allowed} or 'auto')",
                    ErrorCode.INVALID_VALUE,
                )
        problems.raise_if_any()
    else:
        fail(
            "ci",
            "must be None, a method name or a mapping metric → method",
            ErrorCode.WRONG_TYPE,
            value=ci,
        )
    return {name: method for name, method in requested.items() if names[name].intervals}


def _applies(metric: Metric, method: Any) -> bool:
    return method in metric.intervals or (method == "auto" and bool(metric.intervals))


def needs_moments(methods: Mapping[str, str]) -> bool:
    """Whether the interval methods need sums of squares (cluster, or auto)."""
    return any(m in ("cluster", "auto") for m in methods.values())


_UNITS = {"content": "posts", "collaboration": "collaborations", "order": "order lines"}
_TRIAL = ("wilson", "jeffreys", "poisson")
_MOMENTS = ("num2", "den2", "cross")


def interval_plan(metric: Metric, method: str) -> dict[str, Any]:
    """What an interval request means for ``metric``: the method, its unit, scale, fallback."""
    fallback = next((m for m in metric.intervals if m in _TRIAL), None)
    plan: dict[str, Any] = {"method": "cluster" if method == "auto" else method}
    if plan["method"] == "cluster":
        plan["unit"] = _UNITS.get(metric.table, "rows")
        plan["scale"] = metric.interval_scale
        plan["df"] = "rows - 1"
        plan["single_row"] = fallback if method == "auto" else None
    return plan


def _interval(
    metric: Metric, sums: pd.DataFrame, method: str, level: float
) -> tuple[np.ndarray, np.ndarray, list[Note]]:
    """Bounds of one metric's interval per group, with notes on groups it could not serve."""
    from creatorkit.metrics import _intervals

    name = metric.name
    num = sums[f"{name}__num"].to_numpy(dtype=float)
    den = sums[f"{name}__den"].to_numpy(dtype=float)
    plan = interval_plan(metric, method)
    if plan["method"] != "cluster":
        low, high = getattr(_intervals, plan["method"])(num, den, level)
        return low, high, []
    m = sums[f"{name}__n"].to_numpy(dtype=float)
    num2, den2, cross = (sums[f"{name}__{k}"].to_numpy(dtype=float) for k in _MOMENTS)
    low, high, _ = _intervals.cluster(num, den, num2, den2, cross, m, level, plan["scale"])
    single = (m == 1) & (den != 0)
    if not single.any():
        return low, high, []
    post, fallback = plan["unit"][:-1], plan["single_row"]
    if fallback:
        low_1, high_1 = getattr(_intervals, fallback)(num, den, level)
        low, high = np.where(single, low_1, low), np.where(single, high_1, high)
        code = "single_row_fallback"
        text = f"{{count}} groups have one {post}; their interval is {fallback}, which ignores "
        text += f"{post}-to-{post} variation"
    else:
        code = "single_row"
        text = f"{{count}} groups have one {post}; a cluster interval needs two or more, so "
        text += "their bounds are NaN"
    notes = [Note.counted(code, "{subject}: " + text, count=int(single.sum()), subject=name)]
    return low, high, notes


def _finish(
    metric: Metric, sums: pd.DataFrame, method: str | None, level: float
) -> tuple[dict[str, np.ndarray], list[Note]]:
    name = metric.name
    num = sums[f"{name}__num"].to_numpy(dtype=float)
    n = sums[f"{name}__n"].to_numpy()
    out: dict[str, np.ndarray] = {}
    notes: list[Note] = []
    if metric.denominator is None:
        out[name] = num
    else:
        den = sums[f"{name}__den"].to_numpy(dtype=float)
        out[name] = _div(num, den)
        zero = int((den == 0).sum())
        if zero:
            text = "{subject}: {count} groups have a zero denominator; value is NaN"
            notes.append(Note.counted("zero_denominator", text, count=zero, subject=name))
        if method is not None:
            low, high, more = _interval(metric, sums, method, level)
            out[f"{name}_low"], out[f"{name}_high"] = low, high
            notes += more
    out[f"{name}_n"] = n.astype(np.int64)
    if metric.denominator is not None:
        out[f"{name}_trials"] = sums[f"{name}__den"].to_numpy(dtype=float)
    return out, notes


def summarize(
    df: pd.DataFrame,
    metrics: Any,
    *,
    by: str | Iterable[str] | None = None,
    as_of: Any = None,
    params: Mapping[str, float] | None = None,
    moments: bool = False,
    currency: str | None = None,
    fx: pd.DataFrame | None = None,
    fx_policy: str = "order_date",
    name: str = "summaries.summarize",
) -> Summary:
    """Per-group sums of mergeable metrics from rows (one row per post, order, user).

    Args:
        df: The rows (not modified). Only the columns the metrics use are checked.
        metrics: Metric names (looked up now) or :class:`~creatorkit.metrics.Metric`
            objects; all must be mergeable.
        by: Group key column(s); ``None`` for one group. Missing keys form their own group.
        as_of: Timezone-aware cut-off: later rows are excluded (counted), windows end at
            it, refunds after it do not count. Never the clock.
        params: Values for metrics with parameters.
        moments: Also keep sums of squares and cross products (cluster intervals,
            comparisons of means and ratios).
        currency: Reporting currency (ISO 4217): money columns are converted with ``fx``
            before they are summed, so a group may mix currencies. Without it, money in
            several currencies within a group is an error.
        fx: Dated rates (``date``, ``currency``, ``rate`` = value of one unit in
            ``currency``), as for :func:`creatorkit.metrics.economics.convert`.
        fx_policy: Which dated rate converts: ``order_date`` (the row's own date:
            ``published_at``, ``ordered_at`` or ``agreed_at``), ``settlement_date``
            (``settled_at``) or ``monthly_average``. A missing rate is an error.
        name: Name of the public function, for the method card.

    Returns:
        A :class:`Summary`.

    Example:
        >>> df = pd.DataFrame({"views": [100, 300], "likes": [5, 9]})
        >>> summarize(df, "like_rate").to_frame()
           like_rate__n  like_rate__num  like_rate__den
        0             2            14.0           400.0
    """
    found = resolve(metrics)
    if not isinstance(moments, bool):
        fail("moments", "must be True or False", ErrorCode.WRONG_TYPE, value=moments)
    not_mergeable = [m.name for m in found if not m.mergeable]
    if not_mergeable:
        fail(
            "names",
            f"{not_mergeable} are not mergeable; use metrics.compute()",
            ErrorCode.INVALID_VALUE,
        )
    values = check_params(found, params)
    if is_dask(df):
        from creatorkit.adapters.dask import summarize_partitions

        def part(rows: pd.DataFrame) -> Summary:
            return summarize(
                rows,
                found,
                by=by,
                as_of=as_of,
                params=params,
                moments=moments,
                currency=currency,
                fx=fx,
                fx_policy=fx_policy,
                name=name,
            )

        return summarize_partitions(df, part, found, by)
    prep = Prepared(df, found, by, as_of, currency=(currency, fx, fx_policy))
    return from_prepared(prep, found, values, moments, name)


def from_prepared(
    prep: Prepared,
    metrics: list[Metric],
    params: Mapping[str, float],
    moments: bool,
    name: str,
    options: Mapping[str, Any] | None = None,
) -> Summary:
    """The summary of checked rows (shared by every summarize)."""
    sums, notes = build(prep, metrics, params, moments)
    keys = prep.groups.keys if prep.by else pd.DataFrame(index=pd.RangeIndex(1))
    columns: dict[str, Any] = {str(k): keys[k].reset_index(drop=True) for k in keys}
    columns.update(sums)
    table = pd.DataFrame(columns, index=pd.RangeIndex(len(keys)), copy=False)
    return _made(
        name,
        table=table,
        metrics=tuple(metrics),
        by=tuple(prep.by),
        moments=moments,
        params=dict(params),
        as_of=prep.as_of,
        options={**dict(options or {}), **prep.reporting},
        warnings=_ordered([*prep.notes, *notes]),
    )


def _made(name: str, **fields: Any) -> Summary:
    """A summary whose method card (named ``name``) records its identity."""
    draft = Summary(method=MethodCard.create(name), **fields)
    return attrs.evolve(draft, method=_card(name, draft.identity()))


def _ordered(notes: Iterable[Note]) -> tuple[Note, ...]:
    """Notes of a summary in one canonical order (by code, then subject), chunks or not."""
    return tuple(sorted(notes, key=lambda n: (n.code, n.subject or "")))


def from_sums(
    frame: pd.DataFrame,
    metrics: Any,
    *,
    by: str | Iterable[str] | None = None,
    as_of: Any = None,
    params: Mapping[str, float] | None = None,
) -> Summary:
    """A summary from sums computed elsewhere (SQL, a warehouse, Spark, a dashboard).

    ``frame`` has the key columns and, per metric, ``<m>__n`` (rows), ``<m>__num``
    (Σ numerator), ``<m>__den`` (Σ denominator, ratio metrics) and optionally the
    moments ``<m>__num2`` (Σ numerator²) and, for ratios, ``<m>__den2`` and ``<m>__cross``
    (all metrics or none).

    Args:
        frame: The sums, one row per group.
        metrics: Metric names or :class:`~creatorkit.metrics.Metric` objects.
        by: Key columns of ``frame``; keys must be unique.
        as_of: The cut-off the sums were taken at, if any.
        params: Metric parameters used.

    Returns:
        A :class:`Summary`.

    Raises:
        ValidationError: Missing columns, non-finite or negative counts, impossible sums of
            squares (below sum² / n), duplicate keys.

    Example:
        >>> sums = pd.DataFrame({"arm": ["A", "B"], "cvr__n": [3, 3],
        ...                      "cvr__num": [6.0, 9.0], "cvr__den": [300.0, 300.0]})
        >>> from_sums(sums, "cvr", by="arm").compute().to_frame()["cvr"].tolist()
        [0.02, 0.03]
    """
    table = check_frame("frame", frame)
    found = resolve(metrics, "metrics")
    keys = as_str_list("by", by)
    not_mergeable = [m.name for m in found if not m.mergeable]
    if not_mergeable:
        fail("metrics", f"{not_mergeable} are not mergeable", ErrorCode.INVALID_VALUE)
    moments = any(
        f"{m.name}__{p}" in table.columns
        for m in found
        for p in parts(m, True)
        if p not in parts(m, False)
    )
    columns = [f"{m.name}__{p}" for m in found for p in parts(m, moments)]
    check_columns("frame", table, [*keys, *columns])
    if not keys and len(table) != 1:
        fail("frame", "without by, the sums must be one row (one group)", ErrorCode.INVALID_VALUE)
    problems = Problems("frame")
    out = table[keys].reset_index(drop=True)
    rates = {m.name for m in found if m.kind == "rate"}
    for column in columns:
        name, part = column.rsplit("__", 1)
        low = 0.0 if part in ("n", "den", "num2", "den2") or name in rates else None
        values = check_numeric(problems, column, table[column], low=low, integer=part == "n")
        out[column] = values
    problems.raise_if_any()
    for metric in found:
        n = out[f"{metric.name}__n"].to_numpy()
        sums = [out[f"{metric.name}__{p}"].to_numpy() for p in parts(metric, moments)[1:]]
        empty = (n == 0) & np.logical_or.reduce([s != 0 for s in sums])
        rule = "is 0 while the sums are not"
        problems.add_mask(f"{metric.name}__n", empty, table.index, n, rule, ErrorCode.INCONSISTENT)
        if metric.name in rates:
            above = out[f"{metric.name}__num"].to_numpy() > out[f"{metric.name}__den"].to_numpy()
            rule = "a rate's numerator cannot exceed its denominator"
            problems.add_mask(
                f"{metric.name}__num", above, table.index, n, rule, ErrorCode.INCONSISTENT
            )
        out[f"{metric.name}__n"] = n.astype(np.int64)
    if moments:
        _check_moments(out, found, table.index, problems)
    if keys:
        dup = out.duplicated(keys).to_numpy()
        problems.add_mask(
            " + ".join(keys),
            dup,
            table.index,
            out[keys[0]],
            "must be unique",
            ErrorCode.DUPLICATE_KEY,
        )
    problems.raise_if_any()
    order = group(out, keys)
    if keys:
        out = out.iloc[np.argsort(order.codes, kind="stable")].reset_index(drop=True)
    return _made(
        "summaries.from_sums",
        table=out,
        metrics=tuple(found),
        by=tuple(keys),
        moments=moments,
        params=check_params(found, params),
        as_of=parse_as_of(as_of),
        warnings=order.notes,
    )


def _check_moments(
    out: pd.DataFrame, metrics: list[Metric], index: pd.Index, problems: Problems
) -> None:
    """Σx² can never be below (Σx)² / n, nor (Σxy)² above Σx²·Σy² (Cauchy–Schwarz)."""
    for metric in metrics:
        if metric.denominator is not None:
            name = metric.name
            cross = out[f"{name}__cross"].to_numpy(dtype=float)
            bound = out[f"{name}__num2"].to_numpy(dtype=float) * out[f"{name}__den2"].to_numpy(
                dtype=float
            )
            impossible = cross * cross > bound * (1 + 1e-9) + 1e-12
            problems.add_mask(
                f"{name}__cross",
                impossible,
                index,
                cross,
                "impossible: its square exceeds num2 × den2",
                ErrorCode.INCONSISTENT,
            )
        for total, square in (("num", "num2"), ("den", "den2")):
            if f"{metric.name}__{square}" not in out:
                continue
            n = out[f"{metric.name}__n"].to_numpy(dtype=float)
            x = out[f"{metric.name}__{total}"].to_numpy(dtype=float)
            sq = out[f"{metric.name}__{square}"].to_numpy(dtype=float)
            floor = _div(x * x, n)
            impossible = sq < np.nan_to_num(floor) - 1e-9 * np.maximum(
                np.abs(np.nan_to_num(floor)), 1.0
            )
            problems.add_mask(
                f"{metric.name}__{square}",
                impossible,
                index,
                sq,
                "impossible: below sum² / n",
                ErrorCode.INCONSISTENT,
            )


def _from_long(table: pd.DataFrame) -> Summary:
    """Convert the long compare layout into a wide summary with plain and ratio metrics."""
    from creatorkit.metrics._metric import Metric

    frame = check_frame("table", table)
    check_columns("table", frame, ["metric", "arm", "n", "sum", "sum_sq"])
    long = frame.copy()
    for column in ("den_sum", "den_sum_sq", "cross"):
        if column not in long:
            long[column] = np.nan
    dup = long.duplicated(["metric", "arm"]).to_numpy()
    problems = Problems("table")
    problems.add_mask(
        "metric + arm", dup, long.index, long["arm"], "must be unique", ErrorCode.DUPLICATE_KEY
    )
    problems.raise_if_any()
    arms = pd.DataFrame({"arm": sorted(long["arm"].astype(str).unique())})
    metrics = []
    wide = arms.copy()
    for name in sorted(long["metric"].astype(str).unique()):
        rows = long[long["metric"].astype(str) == name].assign(arm=lambda d: d["arm"].astype(str))
        rows = arms.merge(rows, on="arm", how="left")
        ratio = bool(rows["den_sum"].notna().any())
        metrics.append(
            Metric(
                name=name,
                numerator=name,
                denominator=f"{name}_den" if ratio else None,
                kind="ratio" if ratio else "amount",
            )
        )
        wide[f"{name}__n"] = rows["n"]
        wide[f"{name}__num"] = rows["sum"]
        if ratio:
            wide[f"{name}__den"] = rows["den_sum"]
        wide[f"{name}__num2"] = rows["sum_sq"]
        if ratio:
            wide[f"{name}__den2"] = rows["den_sum_sq"]
            wide[f"{name}__cross"] = rows["cross"]
    return from_sums(wide, metrics, by="arm")
