"""Rows → per-group sums: checked columns, as-of masks, group codes and term sums."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from creatorkit._grouping import Groups, factorize, group
from creatorkit._time import aware_column, parse_as_of
from creatorkit._validation import (
    Problems,
    as_str_list,
    check_choice,
    check_frame,
    check_keys,
    check_number,
    check_numeric,
    did_you_mean,
    fail,
)
from creatorkit.errors import ErrorCode
from creatorkit.models import MODELS
from creatorkit.models._schema import BOUNDS, Kind
from creatorkit.results import Note

if TYPE_CHECKING:
    from creatorkit.metrics._metric import Metric

_AS_OF_COLUMNS = {"refunds": "refunded_at", "commission_actual": "settled_at"}
"""Money that counts only once it is known: the value is taken as 0 when its time is after as_of."""

_KINDS: dict[str, Kind] = {c.name: c.kind for model in MODELS for c in model.schema()}
_REQUIRED = frozenset(
    name
    for name in _KINDS
    if not any(c.nullable for model in MODELS for c in model.schema() if c.name == name)
)
"""Columns no record may leave missing: a missing value there is an error, as in validate."""
_MONEY = frozenset(c.name for model in MODELS for c in model.schema() if c.money)


def parts(metric: Metric, moments: bool) -> tuple[str, ...]:
    """Sum columns a summary keeps for ``metric``: ``<name>__<part>``."""
    ratio = metric.denominator is not None
    base = ("n", "num", "den") if ratio else ("n", "num")
    extra = (("num2", "den2", "cross") if ratio else ("num2",)) if moments else ()
    return base + extra


def resolve(metrics: Any, argument: str = "names") -> list[Metric]:
    """Metric definitions from names (looked up once, now) or :class:`Metric` objects."""
    from creatorkit.metrics._metric import Metric, registry

    items = [metrics] if isinstance(metrics, str | Metric) else metrics
    if isinstance(items, Mapping) or not isinstance(items, Iterable):
        fail(argument, "must be a metric name, a Metric or a list of them", ErrorCode.WRONG_TYPE)
    listed = list(items)
    if not listed:
        fail(argument, "name at least one metric", ErrorCode.EMPTY)
    problems = Problems(argument)
    for item in listed:
        if isinstance(item, str) and item not in registry:
            hint = did_you_mean(item, registry.names())
            problems.add(item, f"is not a registered metric.{hint}", ErrorCode.UNKNOWN_NAME)
        elif not isinstance(item, str | Metric):
            problems.add(
                None, "must be a metric name or a Metric", ErrorCode.WRONG_TYPE, values=[item]
            )
    problems.raise_if_any()
    resolved = [registry.get(m) if isinstance(m, str) else m for m in listed]
    names = [m.name for m in resolved]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        fail(
            argument, f"metric names must be unique; repeated: {repeated}", ErrorCode.DUPLICATE_NAME
        )
    return resolved


def check_params(metrics: list[Metric], params: Mapping[str, Any] | None) -> dict[str, float]:
    """The parameters the metrics need, each given and finite; no extras."""
    if params is not None and not isinstance(params, Mapping):
        fail("params", "must be a mapping name → number", ErrorCode.WRONG_TYPE, value=params)
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


class _Reader:
    """Reads numeric columns once, checking them and applying as-of masking."""

    def __init__(
        self, frame: pd.DataFrame, as_of: pd.Timestamp | None, blanked: frozenset[str]
    ) -> None:
        self.frame = frame
        self.as_of = as_of
        self.blanked = blanked
        self.cache: dict[str, np.ndarray] = {}
        self.nan: dict[str, bool] = {}
        self.problems = Problems("df")

    def check(self, columns: Iterable[str]) -> None:
        for column in sorted(set(columns)):
            self.get(column)
        self.problems.raise_if_any()

    def get(self, column: str) -> np.ndarray:
        if column in self.cache:
            return self.cache[column]
        kind = _KINDS.get(column)
        bounds = BOUNDS.get(kind) if kind is not None else None
        values = check_numeric(
            self.problems,
            column,
            self.frame[column],
            low=None if bounds is None else bounds.low,
            high=None if bounds is None else bounds.high,
            integer=bounds is not None and bounds.integer,
            # a required column may not miss values (as in validate); elsewhere a missing
            # value is excluded from the metric and counted; `blanked` columns were trimmed
            missing_ok=column not in _REQUIRED or column in self.blanked,
            booleans=kind in (None, Kind.BOOL),  # 0/1 flags, never a catalog count
        )
        with np.errstate(over="ignore", invalid="ignore"):
            finite_sum = bool(np.isfinite(values.sum()))  # one reduction rules NaN out
        self.nan[column] = not finite_sum and bool(np.isnan(values).any())
        stamp_column = _AS_OF_COLUMNS.get(column)
        if self.as_of is not None and stamp_column is not None and stamp_column in self.frame:
            later = (self.frame[stamp_column] > self.as_of).fillna(False).to_numpy(dtype=bool)
            values = np.where(later, 0.0, values)
        self.cache[column] = values
        return values


def _varies(series: pd.Series) -> bool:
    """Whether a column holds more than one value (missing counts as a value)."""
    first = series.iloc[0]
    if pd.isna(first):
        return bool(series.notna().any())
    if getattr(series.dtype, "storage", None) == "pyarrow":
        return bool(series.ne(first).to_numpy(dtype=bool, na_value=True).any())
    values = series.to_numpy(dtype=object)
    return bool(np.asarray(values != first, dtype=bool).any())


def _check_currency(frame: pd.DataFrame, metrics: list[Metric], groups: Groups) -> None:
    """Refuse sums of money over several currencies within one group."""
    available = frozenset(map(str, frame.columns))
    money = [m.name for m in metrics if m.columns(available) & _MONEY]
    if "currency" not in frame.columns or not money or len(frame) < 2:
        return
    if not _varies(frame["currency"]):
        return
    codes, uniques = factorize(frame["currency"], sort=True)
    pairs = pd.DataFrame({"g": groups.codes, "c": codes}).drop_duplicates()
    if pairs["g"].duplicated().any():
        rule = (
            f"money in several currencies {[str(u) for u in uniques]} would be summed by "
            f"{money}; convert first (creatorkit.metrics.economics.convert) or group by currency"
        )
        fail("df", rule, ErrorCode.MIXED_CURRENCY, column="currency")


def _check_metric_columns(
    frame: pd.DataFrame, metrics: list[Metric], available: frozenset[str], needed: list[str]
) -> None:
    """Missing columns, each with the metrics that read it and the table they belong to."""
    missing = [c for c in needed if c not in available]
    if not missing:
        return
    problems = Problems("df")
    tables = sorted({m.table for m in metrics})
    if len(tables) > 1:
        by_table = "; ".join(
            f"{t}: {', '.join(m.name for m in metrics if m.table == t)}" for t in tables
        )
        problems.add(
            None,
            f"the metrics read different tables ({by_table}); compute each on its own table",
            ErrorCode.INCONSISTENT,
        )
    present = [str(c) for c in frame.columns]
    for column in missing:
        users = [m for m in metrics if column in m.columns(available) or column == m.time_column]
        who = ", ".join(f"{m.name} ({m.table} table)" for m in users) or "the group keys"
        rule = f"required column is missing (read by {who}).{did_you_mean(column, present)}"
        problems.add(column, rule, ErrorCode.MISSING_COLUMN)
    problems.raise_if_any()


_FX_TIME = {"content": "published_at", "order": "ordered_at", "collaboration": "agreed_at"}
"""The time whose dated rate converts a table's money (``order_date`` and ``monthly_average``)."""


def reporting(
    frame: pd.DataFrame, metrics: list[Metric], currency: Any, fx: Any, policy: Any
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table with the metrics' money converted to ``currency`` (DESIGN §5), and how.

    Without a reporting currency the table is returned as it is (and money in several
    currencies within a group stays an error, raised later).
    """
    if currency is None:
        if fx is not None:
            fail(
                "currency",
                "name the reporting currency that fx converts to",
                ErrorCode.MISSING_VALUE,
            )
        return frame, {}
    from creatorkit.metrics.economics import FX_POLICIES, row_rates
    from creatorkit.models._codes import CURRENCIES

    if not isinstance(currency, str) or currency not in CURRENCIES:
        fail(
            "currency", "must be an ISO 4217 currency code", ErrorCode.INVALID_VALUE, value=currency
        )
    check_choice("fx_policy", policy, FX_POLICIES)
    if fx is None:
        fail("fx", f"converting to {currency!r} needs a dated rate table", ErrorCode.MISSING_VALUE)
    available = frozenset(map(str, frame.columns))
    # absent columns are reported by name later, with the metrics that read them
    money = sorted(set().union(*(m.columns(available) for m in metrics)) & _MONEY & available)
    tables = {m.table for m in metrics}
    time = "settled_at" if policy == "settlement_date" else _FX_TIME.get(min(tables), "")
    if not money:
        return frame, {"currency": currency, "fx_policy": policy}
    reader = _Reader(frame, None, frozenset())
    reader.check(money)  # amounts are numbers before they are converted
    rate = row_rates(frame, fx, to=currency, policy=policy, time=time or None, columns=money)
    one = pd.Series(np.full(len(frame), currency, dtype=object), index=frame.index)
    converted = {c: reader.get(c) * rate for c in money}
    out = frame.assign(**converted, currency=one)
    return out, {"currency": currency, "fx_policy": policy}


class Prepared:
    """A checked table, its groups and the per-metric row masks (as_of, windows)."""

    def __init__(
        self,
        df: Any,
        metrics: list[Metric],
        by: Any,
        as_of: Any,
        blanked: frozenset[str] = frozenset(),
        currency: tuple[Any, Any, Any] = (None, None, "order_date"),
    ) -> None:
        frame = check_frame("df", df)
        frame, self.reporting = reporting(frame, metrics, *currency)
        self.by = as_str_list("by", by)
        self.as_of = parse_as_of(as_of)
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
        _check_metric_columns(frame, metrics, available, sorted(needed))
        check_keys("df", frame, self.by)
        windowed = [m.name for m in metrics if m.window is not None]
        if windowed and self.as_of is None:
            fail(
                "as_of",
                f"is required by the windowed metrics {windowed} (the clock is never used)",
                ErrorCode.MISSING_VALUE,
            )
        self.frame = frame
        self.available = available
        self.reader = _Reader(frame, self.as_of, blanked)
        self.reader.check(numeric)
        self.groups = group(frame, self.by)
        self.notes: list[Note] = list(self.groups.notes)
        if not self.reporting.get("currency"):
            _check_currency(frame, metrics, self.groups)
        self._time_masks: dict[tuple[str, str | None], np.ndarray] = {}
        self._noted: set[str] = set()

    def time_mask(self, metric: Metric) -> np.ndarray | None:
        """Rows the metric may read at ``as_of`` (None: all); notes later rows once."""
        column = metric.time_column
        if self.as_of is None or column is None or column not in self.frame:
            return None
        key = (column, metric.window)
        if key not in self._time_masks:
            times = aware_column(self.frame, column)
            mask = (times <= self.as_of).to_numpy(dtype=bool, na_value=False)
            after = int((times > self.as_of).sum())
            if after and column not in self._noted:
                self._noted.add(column)
                self.notes.append(
                    Note.counted(
                        "after_as_of",
                        "{count} rows with {subject} after as_of are excluded",
                        count=after,
                        subject=column,
                    )
                )
            if metric.window is not None:
                start = self.as_of - pd.Timedelta(metric.window)
                mask = mask & (times > start).to_numpy(dtype=bool, na_value=False)
            self._time_masks[key] = mask
        return self._time_masks[key]


class _Sums:
    """Group sums of row terms, each computed once per (term, row mask)."""

    def __init__(self, prep: Prepared, params: Mapping[str, float]) -> None:
        self.prep = prep
        self.params = params
        self.cache: dict[tuple[str, str], np.ndarray] = {}

    def of(self, key: str, token: str, values: Any, mask: np.ndarray | None) -> np.ndarray:
        """Σ ``values()`` per group over the rows in ``mask``."""
        if (key, token) not in self.cache:
            g = self.prep.groups
            if key == "1":
                weights = None if mask is None else mask.astype(float)
                if weights is None:
                    total = g.sizes.astype(float)
                else:
                    total = np.bincount(g.codes, weights=weights, minlength=g.n)
            else:
                row = values()
                weights = row if mask is None else np.where(mask, row, 0.0)
                total = np.bincount(g.codes, weights=weights, minlength=g.n)
            self.cache[key, token] = total
        return self.cache[key, token]

    def expression(self, expr: Any, token: str, mask: np.ndarray | None) -> np.ndarray:
        """Σ of a row expression: a polynomial sums term by term (shared across metrics)."""
        from creatorkit.metrics._expr import Formula

        if not isinstance(expr, Formula):
            key = expr.key(self.prep.available)
            return self.of(key, token, lambda: self.rows(expr), mask)
        total = np.zeros(self.prep.groups.n)
        for term, coef in expr.poly(self.prep.available).items():
            key = "*".join(term) if term else "1"
            total = total + coef * self.of(key, token, lambda t=term: self.term(t), mask)
        return total

    def term(self, term: tuple[str, ...]) -> np.ndarray:
        if len(term) == 1 and not term[0].startswith("{"):
            return self.prep.reader.get(term[0])  # a plain column: no copy
        value: np.ndarray | float = 1.0
        for factor in term:
            if factor.startswith("{"):
                value = value * float(self.params[factor[1:-1]])
            else:
                value = value * self.prep.reader.get(factor)
        return np.broadcast_to(np.asarray(value, dtype=float), (len(self.prep.frame),))

    def rows(self, expr: Any) -> np.ndarray:
        return np.asarray(expr.evaluate(self.prep.frame, self.prep.reader.get, self.params))


def build(
    prep: Prepared, metrics: list[Metric], params: Mapping[str, float], moments: bool
) -> tuple[dict[str, np.ndarray], list[Note]]:
    """Per-group sum columns ``<metric>__<part>`` and notes on excluded rows."""
    from creatorkit.metrics._expr import Formula

    sums = _Sums(prep, params)
    out: dict[str, np.ndarray] = {}
    notes: list[Note] = []
    for metric in metrics:
        name = metric.name
        mask = prep.time_mask(metric)
        token = "" if mask is None else f"{metric.time_column}|{metric.window}"
        exprs = [metric.numerator, *([metric.denominator] if metric.denominator else [])]
        rows = None if all(isinstance(e, Formula) for e in exprs) else [sums.rows(e) for e in exprs]
        if rows is not None:
            finite: np.ndarray | None = np.logical_and.reduce([np.isfinite(r) for r in rows])
        else:
            columns = sorted(metric.columns(prep.available))
            nan = [np.isnan(prep.reader.get(c)) for c in columns if prep.reader.nan[c]]
            finite = ~np.logical_or.reduce(nan) if nan else None
        if finite is not None and not finite.all():
            dropped = int((~finite if mask is None else ~finite & mask).sum())
            if dropped:
                notes.append(
                    Note.counted(
                        "missing_values",
                        "{subject}: {count} rows with missing values are excluded",
                        count=dropped,
                        subject=name,
                    )
                )
            mask = finite if mask is None else mask & finite
            token = f"{token}|finite({','.join(sorted(metric.columns(prep.available)))})"
        out[f"{name}__n"] = sums.of("1", token, None, mask).astype(np.int64)
        if rows is None:
            out[f"{name}__num"] = sums.expression(metric.numerator, token, mask)
            if metric.denominator is not None:
                out[f"{name}__den"] = sums.expression(metric.denominator, token, mask)
        else:
            clean = [np.where(np.isfinite(r), r, 0.0) for r in rows]
            out[f"{name}__num"] = sums.of(f"num:{name}", token, clean[0].copy, mask)
            if metric.denominator is not None:
                out[f"{name}__den"] = sums.of(f"den:{name}", token, clean[1].copy, mask)
        if moments:
            _moments(sums, metric, token, mask, out)
        overflow = [k for k in out if k.startswith(f"{name}__") and not np.isfinite(out[k]).all()]
        if overflow:
            fail(
                "df",
                f"{name}: the sums overflow the float range ({', '.join(overflow)}); "
                "rescale the columns",
                ErrorCode.OUT_OF_RANGE,
            )
    return out, notes


def _moments(
    sums: _Sums, metric: Metric, token: str, mask: np.ndarray | None, out: dict[str, np.ndarray]
) -> None:
    """Sums of squares and cross products of the row values (for cluster intervals)."""
    name = metric.name
    num = np.nan_to_num(sums.rows(metric.numerator))
    den = None if metric.denominator is None else np.nan_to_num(sums.rows(metric.denominator))
    largest = max(
        float(np.abs(num).max(initial=0.0)),
        0.0 if den is None else float(np.abs(den).max(initial=0.0)),
    )
    if largest > 1e150:  # squares would overflow to infinity
        fail(
            "df",
            f"{name}: values above 1e150 are too large for sums of squares (interval, "
            "comparison); rescale the column",
            ErrorCode.OUT_OF_RANGE,
            value=largest,
        )
    out[f"{name}__num2"] = sums.of(f"sq:{name}:num", token, lambda: num * num, mask)
    if den is not None:
        out[f"{name}__den2"] = sums.of(f"sq:{name}:den", token, lambda: den * den, mask)
        out[f"{name}__cross"] = sums.of(f"x:{name}", token, lambda: num * den, mask)
