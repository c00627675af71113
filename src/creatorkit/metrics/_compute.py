"""``summarize`` and ``compute``: catalog metrics per group through the one summary type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._validation import check_number
from creatorkit.adapters import is_dask
from creatorkit.metrics._metric import Metric
from creatorkit.results import Copied, Result, merge_notes
from creatorkit.summaries import CI_METHODS, Summary
from creatorkit.summaries import _summary as _core
from creatorkit.summaries._build import Prepared, check_params, resolve

__all__ = ["CI_METHODS", "MetricResult", "compute", "summarize"]

Names = str | Metric | Iterable[str | Metric]
"""Metric names from the catalog, :class:`Metric` objects, or a list of them."""


@attrs.frozen(kw_only=True, eq=False)
class MetricResult(Result):
    """Metric values per group.

    Attributes:
        table: Group keys, then per metric ``<m>``, ``<m>_low``, ``<m>_high`` (when
            ``ci`` was asked), ``<m>_n`` (rows aggregated) and ``<m>_trials`` (the
            denominator sum, for ratios).
        metrics: The metric names, in request order.
        by: The group key columns.
        currency: The reporting currency money was converted to (``None``: as given).

    Example:
        >>> import creatorkit as ck
        >>> df = pd.DataFrame({"creator_id": ["c1", "c1", "c2"], "views": [1000, 3000, 500],
        ...                    "clicks": [10, 50, 5]})
        >>> res = ck.metrics.compute(df, "ctr", by="creator_id")
        >>> res.metrics, res.by
        (('ctr',), ('creator_id',))
        >>> res.table
          creator_id    ctr  ctr_n  ctr_trials
        0         c1  0.015      2      4000.0
        1         c2  0.010      1       500.0
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    metrics: tuple[str, ...]
    by: tuple[str, ...]
    currency: str | None = None


def summarize(
    df: pd.DataFrame,
    names: Names,
    *,
    by: str | Iterable[str] | None = None,
    as_of: Any = None,
    params: Mapping[str, float] | None = None,
    moments: bool = False,
    currency: str | None = None,
    fx: pd.DataFrame | None = None,
    fx_policy: str = "order_date",
) -> Summary:
    """Per-group sums of mergeable metrics, to be added across chunks and computed later.

    Args:
        df: The table the metrics read (content, collaboration, order or creator rows).
        names: Metric names (see :func:`catalog`) or :class:`Metric` objects; all must be
            mergeable. A summary keeps the definitions, not the names.
        by: Group key column(s); ``None`` for one overall group.
        as_of: Timezone-aware cut-off: rows after it are excluded and counted, windows end
            at it, refunds after it do not count. Never the clock.
        params: Values for metrics with parameters (``cpm`` for ``emv_cpm``, ...).
        moments: Also keep sums of squares and cross products (for ``ci="cluster"``).
        currency: Reporting currency (ISO 4217): money columns are converted with ``fx``
            before they are summed, so a group may mix currencies. Without it, money in
            several currencies within a group is an error.
        fx: Dated rates (``date``, ``currency``, ``rate`` = value of one unit in
            ``currency``), as for :func:`creatorkit.metrics.economics.convert`.
        fx_policy: Which dated rate converts: ``order_date`` (the row's own date:
            ``published_at``, ``ordered_at`` or ``agreed_at``), ``settlement_date``
            (``settled_at``) or ``monthly_average``. A missing rate is an error.

    Returns:
        A :class:`~creatorkit.summaries.Summary`; ``a + b`` merges summaries of disjoint
        chunks, and ``summarize(df).compute()`` equals ``compute(df)``.

    Example:
        >>> import pandas as pd
        >>> part = pd.DataFrame({"creator_id": ["a", "b"], "views": [100, 200], "clicks": [3, 2]})
        >>> s = summarize(part, "ctr", by="creator_id") + summarize(part, "ctr", by="creator_id")
        >>> s.compute().to_frame()[["creator_id", "ctr", "ctr_n"]].to_dict("list")
        {'creator_id': ['a', 'b'], 'ctr': [0.03, 0.01], 'ctr_n': [2, 2]}
    """
    return _core.summarize(
        df,
        names,
        by=by,
        as_of=as_of,
        params=params,
        moments=moments,
        currency=currency,
        fx=fx,
        fx_policy=fx_policy,
        name="metrics.summarize",
    )


def compute(
    df: pd.DataFrame,
    names: Names,
    *,
    by: str | Iterable[str] | None = None,
    ci: str | Mapping[str, str] | None = None,
    as_of: Any = None,
    level: float = 0.95,
    params: Mapping[str, float] | None = None,
    currency: str | None = None,
    fx: pd.DataFrame | None = None,
    fx_policy: str = "order_date",
) -> MetricResult:
    """Compute catalog metrics per group as ratios of sums, with optional intervals.

    Args:
        df: The table the metrics read. Only the columns the metrics use are checked
            (numeric, finite, within bounds). A missing value is an error in a column no
            record may leave empty (views, clicks, gmv, ...), as in ``frames.validate``;
            in a column that may be empty (completion, margin) or one the schema does not
            know, the row is excluded from that metric and counted in ``warnings``.
        names: Metric name(s) from :func:`catalog`, or :class:`Metric` objects.
        by: Group key column(s); ``None`` for one overall group. Missing keys form their
            own group (counted). Groups are sorted by key.
        ci: ``None`` (no interval), ``"auto"``, ``"cluster"``, ``"wilson"``,
            ``"jeffreys"``, ``"poisson"``, or a mapping metric → method. ``"cluster"`` is
            the delta method over the group's rows (posts), Student t with rows − 1
            degrees of freedom, on the metric's ``interval_scale`` (log or logit, so
            bounds stay in range); NaN with a note for one-row groups. ``"auto"`` is
            cluster wherever a group has several rows and the trial-based interval
            (Wilson for rates, Poisson for count ratios; none for money) for one-row
            groups, with a note. Wilson and Poisson treat every view as an independent
            trial — far too narrow to rank creators with several posts.
        as_of: Timezone-aware cut-off (rows after it excluded and counted; windows end at
            it; refunds after it do not count). Required by windowed metrics.
        level: Confidence level in (0, 1).
        params: Values for metrics with parameters.
        currency: Reporting currency (ISO 4217): money columns are converted with ``fx``
            before they are summed, so a group may mix currencies. Without it, money in
            several currencies within a group is an error.
        fx: Dated rates (``date``, ``currency``, ``rate`` = value of one unit in
            ``currency``), as for :func:`creatorkit.metrics.economics.convert`.
        fx_policy: Which dated rate converts: ``order_date`` (the row's own date:
            ``published_at``, ``ordered_at`` or ``agreed_at``), ``settlement_date``
            (``settled_at``) or ``monthly_average``. A missing rate is an error.

    Returns:
        A :class:`MetricResult` with ``<m>``, ``<m>_low``, ``<m>_high``, ``<m>_n`` and
        ``<m>_trials`` per metric. 0 / 0 is NaN with a ``zero_denominator`` note. For
        mergeable metrics it equals ``summarize(df, ...).compute(...)``: table, method
        card and notes.

    Raises:
        ValidationError: Unknown metric names (did-you-mean), missing columns, non-numeric,
            infinite or negative values, money in several currencies within a group,
            missing parameters, a naive ``as_of``.

    Example:
        >>> import pandas as pd
        >>> content = pd.DataFrame({"creator_id": ["a", "a", "b"], "views": [1000, 3000, 400],
        ...                         "clicks": [30, 60, 0], "likes": [100, 200, 9]})
        >>> res = compute(content, ["ctr", "like_rate"], by="creator_id", ci="auto")
        >>> res.to_frame()[["creator_id", "ctr", "ctr_n", "like_rate", "like_rate_low"]].round(4)
          creator_id     ctr  ctr_n  like_rate  like_rate_low
        0          a  0.0225      2     0.0750         0.0081
        1          b  0.0000      1     0.0225         0.0119
    """
    metrics = resolve(names)
    methods = _core.ci_methods(metrics, ci)
    level = check_number("level", level, low=0, high=1, low_open=True, high_open=True)
    values = check_params(metrics, params)
    if is_dask(df):
        return _on_dask(df, metrics, by, as_of, params, methods, level, (currency, fx, fx_policy))
    prep = Prepared(df, metrics, by, as_of, currency=(currency, fx, fx_policy))
    mergeable = [m for m in metrics if m.mergeable]
    moments = _core.needs_moments(methods)
    summary = _core.from_prepared(prep, mergeable, values, moments, "metrics.summarize")
    known = len(prep.notes)
    partial = summary.compute(
        ci={k: v for k, v in methods.items() if k in summary.names} or None, level=level
    )
    columns = {c: partial._table[c] for c in partial._table.columns}
    for metric in metrics:
        if not metric.mergeable:
            columns.update(_reduce(prep, metric, values))
    ordered = [*prep.by]
    for metric in metrics:
        suffixes = ("", "_low", "_high", "_n", "_trials")
        ordered += [f"{metric.name}{s}" for s in suffixes if f"{metric.name}{s}" in columns]
    return MetricResult(
        table=pd.DataFrame(
            {c: columns[c] for c in ordered}, index=partial._table.index, copy=False
        ),
        metrics=tuple(m.name for m in metrics),
        by=tuple(prep.by),
        currency=prep.reporting.get("currency"),
        method=_core.compute_card(
            metrics, prep.by, values, prep.as_of, methods, level, prep.reporting.get("currency")
        ),
        warnings=merge_notes([*partial.warnings, *prep.notes[known:]]),
    )


def _on_dask(
    ddf: Any,
    metrics: list[Metric],
    by: Any,
    as_of: Any,
    params: Mapping[str, float] | None,
    methods: dict[str, str],
    level: float,
    money: tuple[Any, Any, Any],
) -> MetricResult:
    """``compute`` on a Dask DataFrame: the merged summary of its partitions, computed."""
    from creatorkit._validation import fail
    from creatorkit.errors import ErrorCode

    refused = [m.name for m in metrics if not m.mergeable]
    if refused:
        rule = (
            f"{refused} are not mergeable and are not available on Dask DataFrames; "
            "compute them on a pandas frame"
        )
        fail("names", rule, ErrorCode.INVALID_VALUE)
    summary = _core.summarize(
        ddf,
        metrics,
        by=by,
        as_of=as_of,
        params=params,
        moments=_core.needs_moments(methods),
        currency=money[0],
        fx=money[1],
        fx_policy=money[2],
        name="metrics.summarize",
    )
    return summary.compute(ci=methods or None, level=level)


def _reduce(prep: Prepared, metric: Metric, params: Mapping[str, float]) -> dict[str, Any]:
    """Value, row count and trials of a non-mergeable metric (medians, distinct counts)."""
    groups = prep.groups
    mask = prep.time_mask(metric)
    frame, codes = (
        (prep.frame, groups.codes) if mask is None else (prep.frame[mask], groups.codes[mask])
    )
    value, trials = metric.reducer(frame, codes, groups.n, params)  # type: ignore[misc]
    return {
        metric.name: value,
        f"{metric.name}_n": np.bincount(codes, minlength=groups.n).astype(np.int64),
        f"{metric.name}_trials": trials,
    }
