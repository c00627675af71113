"""``summarize`` and ``compute``: per-group sums, then ratios and intervals."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._grouping import group_codes
from creatorkit._validation import (
    Problems,
    as_str_list,
    check_choice,
    check_columns,
    check_frame,
    check_number,
    did_you_mean,
    fail,
)
from creatorkit.errors import ErrorCode
from creatorkit.metrics import _intervals
from creatorkit.metrics._metric import Metric, registry
from creatorkit.models import MODELS
from creatorkit.models._schema import BOUNDS, Kind
from creatorkit.results import MethodCard, Note, Result

__all__ = ["CI_METHODS", "MetricResult", "MetricSummary", "compute", "summarize"]

CI_METHODS = ("auto", "wilson", "jeffreys", "poisson", "cluster")
"""Interval methods accepted by ``compute(ci=...)``."""

_AS_OF_COLUMNS = {"refunds": "refunded_at", "commission_actual": "settled_at"}
"""Money that counts only once it is known: the value is taken as 0 when its time is after as_of."""

_KINDS: dict[str, Kind] = {c.name: c.kind for model in MODELS for c in model.schema()}
_MONEY = frozenset(c.name for model in MODELS for c in model.schema() if c.money)
_PARTS = ("num", "den", "n")
_MOMENTS = ("num2", "den2", "cross")


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.full(len(a), np.nan)
    np.divide(a, b, out=out, where=b != 0)
    return out


def _resolve(names: str | Iterable[str]) -> list[Metric]:
    listed = as_str_list("names", names)
    if not listed:
        fail("names", "name at least one metric", ErrorCode.EMPTY)
    problems = Problems("names")
    for name in listed:
        if name not in registry:
            hint = did_you_mean(name, registry.names())
            problems.add(name, f"is not a registered metric.{hint}", ErrorCode.UNKNOWN_NAME)
    problems.raise_if_any()
    return [registry.get(name) for name in listed]


def _check_params(metrics: list[Metric], params: Mapping[str, Any] | None) -> dict[str, float]:
    given = dict(params or {})
    problems = Problems("params")
    needed = sorted({p for m in metrics for p in m.params})
    for name in needed:
        if name not in given:
            users = ", ".join(m.name for m in metrics if name in m.params)
            problems.add(
                name, f"is required by {users} (no hidden defaults)", ErrorCode.MISSING_VALUE
            )
    problems.raise_if_any()
    for name in sorted(set(given) - set(needed)):
        fail(
            "params",
            f"{name!r} is not used by the requested metrics {needed}",
            ErrorCode.UNKNOWN_NAME,
        )
    return {k: check_number(f"params[{k!r}]", given[k]) for k in needed}


def _as_of(value: Any) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        fail("as_of", "must be a timestamp", ErrorCode.WRONG_TYPE, value=value)
    if pd.isna(stamp) or stamp.tzinfo is None:
        fail(
            "as_of",
            "must be a timezone-aware timestamp (never the clock)",
            ErrorCode.NAIVE_TIMESTAMP,
            value=value,
        )
    return stamp


class _Reader:
    """Reads numeric columns once, checking them and applying as-of masking."""

    def __init__(self, frame: pd.DataFrame, as_of: pd.Timestamp | None) -> None:
        self.frame = frame
        self.as_of = as_of
        self.cache: dict[str, np.ndarray] = {}
        self.problems = Problems("df")

    def check(self, columns: Iterable[str]) -> None:
        for column in sorted(set(columns)):
            self.get(column)
        self.problems.raise_if_any()

    def get(self, column: str) -> np.ndarray:
        if column in self.cache:
            return self.cache[column]
        series = self.frame[column]
        if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
            values = series.to_numpy(dtype=float, na_value=np.nan)
        else:
            converted = pd.to_numeric(series, errors="coerce")
            values = converted.to_numpy(dtype=float, na_value=np.nan)
            bad = np.isnan(values) & series.notna().to_numpy()
            self.problems.add_mask(
                column, bad, self.frame.index, series, "must be numeric", ErrorCode.WRONG_TYPE
            )
        self.problems.add_mask(
            column,
            np.isinf(values),
            self.frame.index,
            values,
            "must be finite",
            ErrorCode.NOT_FINITE,
        )
        kind = _KINDS.get(column)
        bounds = BOUNDS.get(kind) if kind is not None else None
        if bounds is not None and bounds.low is not None:
            with np.errstate(invalid="ignore"):
                low = values < bounds.low
                high = (
                    values > bounds.high if bounds.high is not None else np.zeros(len(values), bool)
                )
            code = ErrorCode.NEGATIVE if bounds.high is None else ErrorCode.OUT_OF_RANGE
            self.problems.add_mask(
                column, low | high, self.frame.index, values, bounds.rule(), code
            )
        stamp_column = _AS_OF_COLUMNS.get(column)
        if self.as_of is not None and stamp_column is not None and stamp_column in self.frame:
            later = (self.frame[stamp_column] > self.as_of).fillna(False).to_numpy(dtype=bool)
            values = np.where(later, 0.0, values)
        self.cache[column] = values
        return values


def _check_currency(
    frame: pd.DataFrame, metrics: list[Metric], codes: np.ndarray, reader_cols: set[str]
) -> None:
    if "currency" not in frame.columns or not (reader_cols & _MONEY):
        return
    currency_codes, uniques = pd.factorize(frame["currency"], use_na_sentinel=True)
    if len(uniques) <= 1:
        return
    pairs = pd.DataFrame({"g": codes, "c": currency_codes}).drop_duplicates()
    mixed_groups = pairs["g"].value_counts()
    mixed_groups = mixed_groups[mixed_groups > 1]
    if len(mixed_groups):
        names = [m.name for m in metrics if m.columns(frozenset(frame.columns)) & _MONEY]
        rule = (
            f"money in several currencies {sorted(map(str, uniques))} would be summed by {names}; "
            "convert first (creatorkit.metrics.economics.convert) or group by currency"
        )
        fail("df", rule, ErrorCode.MIXED_CURRENCY, column="currency")


@attrs.frozen(kw_only=True, eq=False)
class MetricResult(Result):
    """Metric values per group.

    Attributes:
        table: Group keys, then per metric ``<m>``, ``<m>_low``, ``<m>_high`` (when
            ``ci`` was asked), ``<m>_n`` (rows aggregated) and ``<m>_trials`` (the
            denominator sum, for ratios).
        metrics: The metric names, in request order.
        by: The group key columns.
    """

    table: pd.DataFrame
    metrics: tuple[str, ...]
    by: tuple[str, ...]


@attrs.frozen(kw_only=True, eq=False)
class MetricSummary(Result):
    """Per-group sums of mergeable metrics: add summaries of chunks with ``+``.

    ``sums`` holds the group keys and, per metric, ``<m>__num``, ``<m>__den`` and
    ``<m>__n`` (plus ``<m>__num2``, ``<m>__den2``, ``<m>__cross`` with ``moments=True``,
    needed by the cluster interval). Summaries of disjoint chunks of a table add up to
    the summary of the whole; :meth:`compute` turns them into metric values.
    """

    _frame_field = "sums"
    sums: pd.DataFrame
    metrics: tuple[str, ...]
    by: tuple[str, ...]
    moments: bool
    params: Mapping[str, float] = attrs.field(factory=dict)

    def __add__(self, other: object) -> MetricSummary:
        if not isinstance(other, MetricSummary):
            return NotImplemented
        same = (self.metrics, self.by, self.moments, dict(self.params)) == (
            other.metrics,
            other.by,
            other.moments,
            dict(other.params),
        )
        if not same:
            fail(
                "other",
                "summaries must have the same metrics, by, moments and params",
                ErrorCode.INCONSISTENT,
            )
        both = pd.concat([self.sums, other.sums], ignore_index=True)
        if self.by:
            sums = both.groupby(list(self.by), sort=True, dropna=False).sum().reset_index()
        else:
            sums = both.sum().to_frame().T
        return attrs.evolve(self, sums=sums, warnings=[*self.warnings, *other.warnings])

    def compute(
        self, *, ci: str | Mapping[str, str] | None = None, level: float = 0.95
    ) -> MetricResult:
        """Metric values and intervals from the sums.

        Args:
            ci: Interval method (see :func:`compute`); ``cluster`` needs ``moments=True``.
            level: Confidence level in (0, 1).

        Returns:
            A :class:`MetricResult`.

        Example:
            >>> df = pd.DataFrame({"likes": [3, 5], "views": [100, 100]})
            >>> s = summarize(df, "like_rate", moments=True)
            >>> s.compute(ci="cluster").to_frame()[["like_rate", "like_rate_low"]].round(3)
               like_rate  like_rate_low
            0       0.04           0.02
        """
        metrics = [registry.get(m) for m in self.metrics]
        methods = _ci_methods(metrics, ci)
        level = check_number("level", level, low=0, high=1, low_open=True, high_open=True)
        if "cluster" in methods.values() and not self.moments:
            fail(
                "ci",
                "the cluster interval needs a summary made with moments=True",
                ErrorCode.INVALID_VALUE,
            )
        table = self.sums[list(self.by)].copy() if self.by else pd.DataFrame(index=self.sums.index)
        notes = list(self.warnings)
        for metric in metrics:
            columns, note = _finish(metric, self.sums, methods.get(metric.name), level)
            for key, values in columns.items():
                table[key] = values
            if note is not None:
                notes.append(note)
        card = MethodCard.create(
            "metrics.compute",
            metrics=list(self.metrics),
            by=list(self.by),
            ci=dict(methods) or None,
            level=level,
            params=dict(self.params),
        )
        return MetricResult(
            table=table.reset_index(drop=True),
            metrics=self.metrics,
            by=self.by,
            method=card,
            warnings=notes,
        )


def _ci_methods(metrics: list[Metric], ci: str | Mapping[str, str] | None) -> dict[str, str]:
    if ci is None:
        return {}
    if isinstance(ci, str):
        check_choice("ci", ci, CI_METHODS)
        requested = {m.name: ci for m in metrics if m.intervals}
        if ci != "auto":
            bad = [m.name for m in metrics if m.intervals and ci not in m.intervals]
            if bad:
                fail(
                    "ci",
                    f"{ci!r} does not apply to {bad}; use 'auto' or a mapping per metric",
                    ErrorCode.INVALID_VALUE,
                    value=ci,
                )
    elif isinstance(ci, Mapping):
        requested = dict(ci)
        names = {m.name: m for m in metrics}
        problems = Problems("ci")
        for name, method in requested.items():
            if name not in names:
                problems.add(name, "is not a requested metric", ErrorCode.UNKNOWN_NAME)
            elif method != "auto" and method not in names[name].intervals:
                allowed = list(names[name].intervals) or "none"
                problems.add(
                    name,
                    f"interval {method!r} does not apply (allowed: {allowed})",
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
    return {
        name: (registry.get(name).intervals[0] if method == "auto" else method)
        for name, method in requested.items()
        if registry.get(name).intervals
    }


def _finish(
    metric: Metric, sums: pd.DataFrame, method: str | None, level: float
) -> tuple[dict[str, np.ndarray], Note | None]:
    name = metric.name
    num = sums[f"{name}__num"].to_numpy(dtype=float)
    n = sums[f"{name}__n"].to_numpy(dtype=float)
    out: dict[str, np.ndarray] = {}
    note = None
    if metric.denominator is None:
        out[name] = num
    else:
        den = sums[f"{name}__den"].to_numpy(dtype=float)
        value = _div(num, den)
        zero = int((den == 0).sum())
        if zero:
            note = Note(
                code="zero_denominator",
                subject=name,
                count=zero,
                message=f"{name}: {zero} groups have a zero denominator; value is NaN",
            )
        out[name] = value
        if method is not None:
            if method == "wilson":
                low, high = _intervals.wilson(num, den, level)
            elif method == "jeffreys":
                low, high = _intervals.jeffreys(num, den, level)
            elif method == "poisson":
                low, high = _intervals.poisson(num, den, level)
            else:
                low, high, _ = _intervals.cluster(
                    num,
                    den,
                    sums[f"{name}__num2"].to_numpy(dtype=float),
                    sums[f"{name}__den2"].to_numpy(dtype=float),
                    sums[f"{name}__cross"].to_numpy(dtype=float),
                    n,
                    level,
                )
                if metric.kind == "rate":
                    low, high = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
            out[f"{name}_low"] = low
            out[f"{name}_high"] = high
    out[f"{name}_n"] = n.astype(np.int64)
    if metric.denominator is not None:
        out[f"{name}_trials"] = sums[f"{name}__den"].to_numpy(dtype=float)
    return out, note


class _Prepared:
    """A validated table, its group codes and the per-metric row masks."""

    def __init__(self, df: Any, metrics: list[Metric], by: Any, as_of: Any) -> None:
        frame = check_frame("df", df)
        self.by = as_str_list("by", by)
        self.as_of = _as_of(as_of)
        available = frozenset(map(str, frame.columns))
        needed: set[str] = set(self.by)
        numeric: set[str] = set()
        for metric in metrics:
            cols = metric.columns(available)
            needed |= cols
            numeric |= cols - set(metric.reducer_columns)
            if metric.window is not None or (
                self.as_of is not None and metric.time_column in available
            ):
                needed.add(str(metric.time_column))
        check_columns("df", frame, sorted(needed))
        windowed = [m.name for m in metrics if m.window is not None]
        if windowed and self.as_of is None:
            fail(
                "as_of",
                f"is required by the windowed metrics {windowed} (the clock is never used)",
                ErrorCode.MISSING_VALUE,
            )
        self.frame = frame
        self.reader = _Reader(frame, self.as_of)
        self.reader.check(numeric)
        self.codes, self.keys, self.notes = group_codes(frame, self.by)
        self.ngroups = len(self.keys)
        if not self.by:
            self.ngroups = 1
        _check_currency(frame, metrics, self.codes, needed)
        self._time_masks: dict[tuple[str, str | None], np.ndarray | None] = {}

    def time_mask(self, metric: Metric) -> np.ndarray | None:
        if self.as_of is None or metric.time_column is None or metric.time_column not in self.frame:
            return None
        key = (metric.time_column, metric.window)
        if key not in self._time_masks:
            times = self.frame[metric.time_column]
            if not isinstance(times.dtype, pd.DatetimeTZDtype):
                fail(
                    "df",
                    "must be timezone-aware timestamps (see frames.validate(tz=...))",
                    ErrorCode.NAIVE_TIMESTAMP,
                    column=metric.time_column,
                )
            mask = (times <= self.as_of).to_numpy(dtype=bool, na_value=False)
            after = int((times > self.as_of).sum())
            if after:
                self.notes.append(
                    Note(
                        code="after_as_of",
                        subject=metric.time_column,
                        count=after,
                        message=f"{after} rows with {metric.time_column} after as_of are excluded",
                    )
                )
            if metric.window is not None:
                start = self.as_of - pd.Timedelta(metric.window)
                mask = mask & (times > start).to_numpy(dtype=bool, na_value=False)
            self._time_masks[key] = mask
        return self._time_masks[key]


def _summarize(
    prep: _Prepared, metrics: list[Metric], params: dict[str, float], moments: bool
) -> tuple[pd.DataFrame, list[Note]]:
    frame, codes, ngroups = prep.frame, prep.codes, prep.ngroups
    sums: dict[str, np.ndarray] = {}
    notes: list[Note] = []
    values_cache: dict[str, np.ndarray] = {}
    totals_cache: dict[tuple[str, str], np.ndarray] = {}
    available = frozenset(map(str, frame.columns))

    def row_values(key: str, expr: Any) -> np.ndarray:
        if key not in values_cache:
            values_cache[key] = expr.evaluate(frame, prep.reader.get, params)
        return values_cache[key]

    def total(
        key: str, token: str, values: Callable[[], np.ndarray], mask: np.ndarray | None
    ) -> np.ndarray:
        """Group sums of ``values()``, computed once per (row expression, row mask)."""
        if (key, token) not in totals_cache:
            weights = values() if mask is None else np.where(mask, values(), 0.0)
            totals_cache[key, token] = np.bincount(codes, weights=weights, minlength=ngroups)
        return totals_cache[key, token]

    for metric in metrics:
        name = metric.name
        num_key = metric.numerator.key(available)
        num = row_values(num_key, metric.numerator)
        den_key = "" if metric.denominator is None else metric.denominator.key(available)
        den = None if metric.denominator is None else row_values(den_key, metric.denominator)
        mask = prep.time_mask(metric)
        token = "" if mask is None else f"{metric.time_column}|{metric.window}"
        finite = np.isfinite(num) if den is None else np.isfinite(num) & np.isfinite(den)
        if not finite.all():
            dropped = int((~finite if mask is None else ~finite & mask).sum())
            if dropped:
                notes.append(
                    Note(
                        code="missing_values",
                        subject=name,
                        count=dropped,
                        message=f"{name}: {dropped} rows with missing values are excluded",
                    )
                )
            mask = finite if mask is None else mask & finite
            token = f"{token}|finite({num_key}; {den_key})"
            num = np.where(finite, num, 0.0)
            den = None if den is None else np.where(finite, den, 0.0)
        d = np.zeros(len(num)) if den is None else den
        sums[f"{name}__num"] = total(num_key, token, partial(np.asarray, num), mask)
        sums[f"{name}__den"] = total(den_key, token, partial(np.asarray, d), mask)
        sums[f"{name}__n"] = total("1", token, partial(np.ones, len(num)), mask).astype(np.int64)
        if moments:
            sums[f"{name}__num2"] = total(
                f"({num_key})^2", token, partial(np.multiply, num, num), mask
            )
            sums[f"{name}__den2"] = total(f"({den_key})^2", token, partial(np.multiply, d, d), mask)
            sums[f"{name}__cross"] = total(
                f"({num_key})*({den_key})", token, partial(np.multiply, num, d), mask
            )
    table = prep.keys.copy() if prep.by else pd.DataFrame(index=pd.RangeIndex(1))
    for key, values in sums.items():
        table[key] = values
    return table, notes


def summarize(
    df: pd.DataFrame,
    names: str | Iterable[str],
    *,
    by: str | Iterable[str] | None = None,
    as_of: Any = None,
    params: Mapping[str, float] | None = None,
    moments: bool = False,
) -> MetricSummary:
    """Per-group sums of mergeable metrics, to be added across chunks and computed later.

    Args:
        df: The table the metrics read (content, collaboration, order or creator rows).
        names: Metric names (see :func:`catalog`); all must be mergeable.
        by: Group key column(s); ``None`` for one overall group.
        as_of: Timezone-aware cut-off: rows after it are excluded and counted, windows end
            at it, refunds after it do not count. Never the clock.
        params: Values for metrics with parameters (``cpm`` for ``emv_cpm``, ...).
        moments: Also keep sums of squares and cross products (for ``ci="cluster"``).

    Returns:
        A :class:`MetricSummary`; ``a + b`` merges summaries of disjoint chunks.

    Example:
        >>> import pandas as pd
        >>> part = pd.DataFrame({"creator_id": ["a", "b"], "views": [100, 200], "clicks": [3, 2]})
        >>> s = summarize(part, "ctr", by="creator_id") + summarize(part, "ctr", by="creator_id")
        >>> s.compute().to_frame()[["creator_id", "ctr", "ctr_n"]].to_dict("list")
        {'creator_id': ['a', 'b'], 'ctr': [0.03, 0.01], 'ctr_n': [2, 2]}
    """
    metrics = _resolve(names)
    not_mergeable = [m.name for m in metrics if not m.mergeable]
    if not_mergeable:
        fail("names", f"{not_mergeable} are not mergeable; use compute()", ErrorCode.INVALID_VALUE)
    values = _check_params(metrics, params)
    prep = _Prepared(df, metrics, by, as_of)
    sums, notes = _summarize(prep, metrics, values, moments)
    card = MethodCard.create(
        "metrics.summarize",
        metrics=[m.name for m in metrics],
        by=prep.by,
        as_of=prep.as_of,
        params=values,
        moments=moments,
    )
    return MetricSummary(
        sums=sums,
        metrics=tuple(m.name for m in metrics),
        by=tuple(prep.by),
        moments=moments,
        params=values,
        method=card,
        warnings=[*prep.notes, *notes],
    )


def compute(
    df: pd.DataFrame,
    names: str | Iterable[str],
    *,
    by: str | Iterable[str] | None = None,
    ci: str | Mapping[str, str] | None = None,
    as_of: Any = None,
    level: float = 0.95,
    params: Mapping[str, float] | None = None,
) -> MetricResult:
    """Compute catalog metrics per group as ratios of sums, with optional intervals.

    Args:
        df: The table the metrics read. Only the columns the metrics use are checked
            (numeric, finite, within bounds); rows with missing values in them are
            excluded from that metric and counted in ``warnings``.
        names: Metric name(s) from :func:`catalog`.
        by: Group key column(s); ``None`` for one overall group. Missing keys form their
            own group (counted). Groups are sorted by key.
        ci: ``None`` (no interval), ``"auto"`` (each metric's first applicable method:
            Wilson for rates, Poisson for count ratios, cluster otherwise), ``"wilson"``,
            ``"jeffreys"``, ``"poisson"``, ``"cluster"``, or a mapping metric → method.
            Wilson and Poisson treat every view as an independent trial — far too narrow
            to rank creators with several posts; ``"cluster"`` (delta method over the
            group's rows) reflects post-to-post variation.
        as_of: Timezone-aware cut-off (rows after it excluded and counted; windows end at
            it; refunds after it do not count). Required by windowed metrics.
        level: Confidence level in (0, 1).
        params: Values for metrics with parameters.

    Returns:
        A :class:`MetricResult` with ``<m>``, ``<m>_low``, ``<m>_high``, ``<m>_n`` and
        ``<m>_trials`` per metric. 0 / 0 is NaN with a ``zero_denominator`` note.

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
        0          a  0.0225      2     0.0750         0.0672
        1          b  0.0000      1     0.0225         0.0119
    """
    metrics = _resolve(names)
    methods = _ci_methods(metrics, ci)
    level = check_number("level", level, low=0, high=1, low_open=True, high_open=True)
    values = _check_params(metrics, params)
    prep = _Prepared(df, metrics, by, as_of)
    mergeable = [m for m in metrics if m.mergeable]
    moments = "cluster" in methods.values()
    sums, notes = _summarize(prep, mergeable, values, moments)
    summary = MetricSummary(
        sums=sums,
        metrics=tuple(m.name for m in mergeable),
        by=tuple(prep.by),
        moments=moments,
        params=values,
        method=MethodCard.create("metrics.summarize"),
        warnings=[*prep.notes, *notes],
    )
    partial = summary.compute(
        ci={k: v for k, v in methods.items() if k in summary.metrics} or None, level=level
    )
    table = partial.table
    for metric in metrics:
        if metric.mergeable:
            continue
        mask = prep.time_mask(metric)
        frame, codes = (
            (prep.frame, prep.codes) if mask is None else (prep.frame[mask], prep.codes[mask])
        )
        value, trials = metric.reducer(frame, codes, prep.ngroups, values)  # type: ignore[misc]
        table[metric.name] = value
        table[f"{metric.name}_n"] = np.bincount(codes, minlength=prep.ngroups).astype(np.int64)
        table[f"{metric.name}_trials"] = trials
    ordered = [*prep.by]
    for metric in metrics:
        ordered += [
            c
            for c in (
                metric.name,
                f"{metric.name}_low",
                f"{metric.name}_high",
                f"{metric.name}_n",
                f"{metric.name}_trials",
            )
            if c in table.columns
        ]
    card = MethodCard.create(
        "metrics.compute",
        metrics=[m.name for m in metrics],
        by=prep.by,
        ci=methods or None,
        level=level,
        as_of=prep.as_of,
        params=values,
    )
    return MetricResult(
        table=table[ordered],
        metrics=tuple(m.name for m in metrics),
        by=tuple(prep.by),
        method=card,
        warnings=partial.warnings,
    )
