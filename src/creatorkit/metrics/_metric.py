"""The :class:`Metric` definition, the metric registry and the catalog view."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd

from creatorkit._time import parse_window
from creatorkit._validation import check_choice, fail
from creatorkit.errors import ErrorCode
from creatorkit.metrics._expr import Expr, Formula, RowFunction, as_expr
from creatorkit.registry import Registry

__all__ = [
    "ENTRY_POINT_GROUP",
    "KINDS",
    "Metric",
    "Reducer",
    "catalog",
    "get",
    "load_entry_points",
    "register",
    "registry",
]

KINDS = ("rate", "ratio", "amount", "count", "per_mille")
"""Metric kinds: a binomial share, a non-nested ratio, a sum of money, a count, per 1,000."""

Reducer = Callable[
    [pd.DataFrame, np.ndarray, int, Mapping[str, float]], tuple[np.ndarray, np.ndarray]
]
"""Non-mergeable metric: ``(frame, group codes, n groups, params) -> (values, trials)``."""

_TIME_COLUMNS = {"content": "published_at", "order": "ordered_at", "collaboration": "agreed_at"}


def _identity(func: Any) -> str:
    """Name and a hash of the code of a function, so two different functions never match."""
    code = getattr(func, "__code__", None)
    digest = ""
    if code is not None:
        payload = code.co_code + repr(code.co_consts).encode() + repr(code.co_names).encode()
        digest = hashlib.sha256(payload).hexdigest()[:12]
    name = f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"
    return f"{name}#{digest}" if digest else name


def _expr_definition(expr: Expr | None) -> Any:
    if expr is None:
        return None
    if isinstance(expr, RowFunction):
        return {"function": _identity(expr.func), "needs": list(expr.needs), "count": expr.count}
    return expr.key(frozenset())


SCALES = ("log", "logit", "identity")
"""Scales of cluster intervals (see :attr:`Metric.interval_scale`)."""


@functools.cache
def _count_columns() -> frozenset[str]:
    """Columns the record schemas declare as counts (never money)."""
    from creatorkit.models import MODELS, Kind

    return frozenset(c.name for m in MODELS for c in m.schema() if c.kind == Kind.COUNT)


def _counts_only(expr: Expr) -> bool:
    """Whether ``expr`` is a plain sum of declared count columns (Poisson applies)."""
    if isinstance(expr, RowFunction):
        return expr.count
    return expr.is_count and expr.columns(frozenset()) <= _count_columns()


def _default_intervals(metric: Metric) -> tuple[str, ...]:
    """Interval methods that apply: Poisson only to counts, never to money (DESIGN §5)."""
    if not metric.mergeable or metric.denominator is None:
        return ()
    if metric.kind == "rate":
        return ("wilson", "jeffreys", "cluster")
    if metric.kind in ("ratio", "per_mille") and _counts_only(metric.numerator):
        return ("poisson", "cluster")
    return ("cluster",)


def _non_negative(expr: Expr | None) -> bool:
    """Whether ``expr`` is a sum of columns with positive coefficients (or counts)."""
    if isinstance(expr, Formula):
        return all(c > 0 for c in expr.poly(frozenset()).values())
    return expr is None or expr.is_count


def _default_scale(metric: Metric) -> str:
    if metric.kind == "rate":
        return "logit"
    if _non_negative(metric.numerator) and _non_negative(metric.denominator):
        return "log"
    return "identity"


@attrs.frozen(kw_only=True)
class Metric:
    """A metric defined on sums: ``Σ numerator / Σ denominator`` over a group's rows.

    Attributes:
        name: Registry name, snake_case; result columns are ``<name>``, ``<name>_low``, ...
        numerator: Row expression summed over the group (text such as ``"likes + comments"``,
            or a :class:`~creatorkit.metrics.RowFunction`).
        denominator: Row expression of the denominator; ``None`` for plain sums.
        kind: ``rate`` (a binomial share, numerator within denominator), ``ratio`` (can
            exceed 1), ``amount`` (money), ``count`` or ``per_mille``.
        direction: ``higher`` is better, ``lower`` is better (costs), or ``neutral``.
        unit: Unit of the value (``"share"``, ``"currency"``, ``"posts"``).
        layer: Evaluation layer: content, intent, conversion, financial, reliability.
        table: The table it reads: ``content``, ``collaboration``, ``order`` or ``creator``.
        mergeable: Whether per-chunk sums add up to the whole (ratio of sums). Medians,
            distinct counts and concentration indices are not.
        source: Where the definition comes from.
        description: One sentence for the catalog.
        formula: Human-readable formula; generated from the expressions when empty.
        window: Look-back window ending at ``as_of`` (``"30D"``) for windowed metrics.
        time_column: Column that places a row in time (rows after ``as_of`` are excluded
            and counted); defaults by table (``published_at``, ``ordered_at``).
        reducer: Computation of a non-mergeable metric.
        reducer_columns: Columns the reducer reads.
        intervals: Interval methods that apply (default: Wilson, Jeffreys and cluster for
            rates; Poisson and cluster for ratios whose numerator sums declared count
            columns; cluster alone otherwise — money never gets a Poisson interval).
            ``ci="auto"`` uses ``cluster`` and, for one-row groups, the first trial-based one.
        interval_scale: Scale of the cluster interval: ``logit`` (rates; bounds stay in
            [0, 1]), ``log`` (sums of non-negative terms; bounds stay ≥ 0) or ``identity``
            (values of either sign, such as ROI). Empty: chosen from the kind and formula.

    Example:
        >>> m = Metric(name="hook_rate", numerator="views_3s", denominator="views",
        ...            kind="rate", layer="content")
        >>> m.formula, m.intervals
        ('views_3s / views', ('wilson', 'jeffreys', 'cluster'))
    """

    name: str
    numerator: Expr = attrs.field(converter=as_expr)
    denominator: Expr | None = attrs.field(default=None, converter=as_expr)
    kind: Literal["rate", "ratio", "amount", "count", "per_mille"] = "ratio"
    direction: Literal["higher", "lower", "neutral"] = "higher"
    unit: str = ""
    layer: str = ""
    table: str = "content"
    mergeable: bool = True
    source: str = ""
    description: str = ""
    formula: str = ""
    window: str | None = None
    time_column: str | None = None
    reducer: Reducer | None = None
    reducer_columns: tuple[str, ...] = ()
    intervals: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    interval_scale: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            fail(
                "name", "must be a snake_case identifier", ErrorCode.INVALID_VALUE, value=self.name
            )
        check_choice("kind", self.kind, KINDS)
        check_choice("direction", self.direction, ("higher", "lower", "neutral"))
        if self.window is not None:
            parse_window(self.window)
        if not self.mergeable and self.reducer is None:
            fail("reducer", "a non-mergeable metric needs a reducer", ErrorCode.MISSING_VALUE)
        if not self.formula:
            text = (
                self.numerator.text
                if self.denominator is None
                else (f"{self.numerator.text} / {self.denominator.text}")
            )
            object.__setattr__(self, "formula", text)
        if not self.intervals:
            object.__setattr__(self, "intervals", _default_intervals(self))
        if self.interval_scale:
            check_choice("interval_scale", self.interval_scale, SCALES)
        else:
            object.__setattr__(self, "interval_scale", _default_scale(self))
        if self.time_column is None and self.table in _TIME_COLUMNS:
            object.__setattr__(self, "time_column", _TIME_COLUMNS[self.table])

    @property
    def params(self) -> frozenset[str]:
        """Parameters the metric needs (``compute(..., params={...})``).

        Example:
            >>> sorted(Metric(name="emv", numerator="views * {cpm} / 1000", kind="amount").params)
            ['cpm']
        """
        found = set(self.numerator.params) | set(self.parameters)
        if self.denominator is not None:
            found |= self.denominator.params
        return frozenset(found)

    def definition(self) -> dict[str, Any]:
        """Everything that decides the metric's numbers, as JSON-ready data.

        Two metrics with equal definitions compute equal values on any table; a custom
        function is identified by its name and a hash of its code.

        Example:
            >>> get("ctr").definition()["numerator"], get("ctr").definition()["denominator"]
            ('clicks', 'views')
        """
        return {
            "name": self.name,
            "numerator": _expr_definition(self.numerator),
            "denominator": _expr_definition(self.denominator),
            "kind": self.kind,
            "table": self.table,
            "mergeable": self.mergeable,
            "window": self.window,
            "time_column": self.time_column,
            "reducer": None if self.reducer is None else _identity(self.reducer),
            "reducer_columns": list(self.reducer_columns),
            "parameters": sorted(self.params),
        }

    @property
    def fingerprint(self) -> str:
        """First 16 hex digits of the SHA-256 of :meth:`definition` (equal ⇔ same numbers).

        Example:
            >>> a = Metric(name="r", numerator="likes", denominator="views")
            >>> b = Metric(name="r", numerator="saves", denominator="views")
            >>> a.fingerprint == b.fingerprint
            False
        """
        text = json.dumps(self.definition(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def columns(self, available: frozenset[str]) -> frozenset[str]:
        """Columns the metric reads from a table with ``available`` columns.

        Example:
            >>> sorted(get("engagement_rate").columns(frozenset()))
            ['comments', 'likes', 'saves', 'shares', 'views']
        """
        cols = set(self.numerator.columns(available)) | set(self.reducer_columns)
        if self.denominator is not None:
            cols |= self.denominator.columns(available)
        return frozenset(cols)


def _check_entry(name: str, obj: Any) -> None:
    if not isinstance(obj, Metric):
        rule = f"{name!r} must be a Metric, got {type(obj).__name__}"
        fail("metric", rule, ErrorCode.WRONG_TYPE, value=type(obj).__name__)
    if obj.name != name:
        rule = f"registered as {name!r} but the metric is named {obj.name!r}"
        fail("metric", rule, ErrorCode.INCONSISTENT, value=obj.name)


def _column_expr(column: str) -> Expr:
    if column.isidentifier():
        return Formula(column)
    return RowFunction(
        func=lambda frame, params: pd.to_numeric(frame[column], errors="coerce"),
        needs=(column,),
        text=column,
    )


def column_metric(name: str, numerator: str, denominator: str | None = None) -> Metric:
    """An unregistered metric on columns of any name: ``Σ numerator`` or ``Σ num / Σ den``.

    Compared across arms, a metric without a denominator is a per-row mean.

    Example:
        >>> column_metric("revenue", "revenue (usd)").definition()["numerator"]["needs"]
        ['revenue (usd)']
    """
    for argument, value in (("numerator", numerator), ("denominator", denominator)):
        if not (isinstance(value, str) and value) and not (
            argument == "denominator" and value is None
        ):
            fail(argument, "must be a column name", ErrorCode.WRONG_TYPE, value=value)
    return Metric(
        name=name,
        numerator=_column_expr(numerator),
        denominator=None if denominator is None else _column_expr(denominator),
        kind="amount" if denominator is None else "ratio",
        table="rows",
    )


registry: Registry[Metric] = Registry("metric", check=_check_entry)
"""The metric registry (a :class:`creatorkit.registry.Registry`: thread-safe, freezable)."""

ENTRY_POINT_GROUP = "creatorkit.metrics"
"""Entry-point group whose objects :func:`load_entry_points` registers."""


def load_entry_points(*, replace: bool = False) -> tuple[str, ...]:
    """Register the metrics installed packages publish under ``creatorkit.metrics``.

    A package declares, in its ``pyproject.toml``::

        [project.entry-points."creatorkit.metrics"]
        hook_rate = "my_package.metrics:hook_rate"

    where ``my_package.metrics.hook_rate`` is a :class:`Metric` named ``hook_rate``.
    Discovery runs only when this is called, never on import.

    Returns:
        The names registered.

    Example:
        >>> isinstance(load_entry_points(), tuple)
        True
    """
    return registry.load_entry_points(ENTRY_POINT_GROUP, replace=replace)


def get(name: str) -> Metric:
    """Return the registered metric ``name`` (raises with a did-you-mean when unknown).

    Example:
        >>> get("gpm").formula
        '1000 * gmv / views'
    """
    return registry.get(name)


def register(metric: Metric | None = None, /, *, replace: bool = False, **fields: Any) -> Any:
    """Register a metric, directly or as a decorator of a per-row numerator function.

    Direct: ``register(Metric(...))``. Decorator: the decorated function maps the table
    (and the params) to one numerator value per row; ``fields`` are the other
    :class:`Metric` attributes and must include ``needs`` (the columns it reads).

    Args:
        metric: A ready :class:`Metric`.
        replace: Overwrite an existing metric of the same name.
        **fields: For the decorator form: ``name`` (defaults to the function name),
            ``needs``, ``denominator``, ``kind``, ...

    Returns:
        The metric, or a decorator that returns the function unchanged.

    Example:
        >>> import creatorkit as ck
        >>> @ck.metrics.register(needs=("views", "likes"), denominator="views",
        ...                      kind="rate", replace=True)
        ... def liked_views(frame, params):
        ...     return (frame["likes"] > 0) * frame["views"]
        >>> ck.metrics.get("liked_views").kind
        'rate'
        >>> ck.metrics.registry.unregister("liked_views")
    """
    if metric is not None:
        if fields:
            fail("register", "pass a Metric or fields, not both", ErrorCode.INVALID_VALUE)
        if not isinstance(metric, Metric):
            fail("metric", "must be a Metric", ErrorCode.WRONG_TYPE, value=type(metric).__name__)
        return registry.register(metric.name, metric, replace=replace)

    def wrap(func: Callable[[pd.DataFrame, Mapping[str, float]], Any]) -> Callable[..., Any]:
        options = dict(fields)
        needs = tuple(options.pop("needs", ()))
        if not needs:
            fail("needs", "name the columns the function reads", ErrorCode.MISSING_VALUE)
        name = options.pop("name", func.__name__)
        count = bool(options.pop("count", False))
        params = tuple(options.get("parameters", ()))
        numerator = RowFunction(
            func=func, needs=needs, text=f"{name}(row)", count=count, param_names=params
        )
        registry.register(name, Metric(name=name, numerator=numerator, **options), replace=replace)
        return func

    return wrap


def catalog() -> pd.DataFrame:
    """The registered metrics as a table.

    Returns:
        One row per metric: ``name``, ``formula``, ``kind``, ``direction``, ``unit``,
        ``layer``, ``table``, ``mergeable``, ``window``, ``intervals``, ``interval_scale``,
        ``params``,
        ``source`` and ``description``.

    Example:
        >>> cat = catalog()
        >>> cat.set_index("name").loc["ctr", ["formula", "kind"]].tolist()
        ['clicks / views', 'ratio']
    """
    rows = []
    for name in registry.names():
        m = registry.get(name)
        rows.append(
            {
                "name": m.name,
                "formula": m.formula,
                "kind": m.kind,
                "direction": m.direction,
                "unit": m.unit,
                "layer": m.layer,
                "table": m.table,
                "mergeable": m.mergeable,
                "window": m.window or "",
                "intervals": ", ".join(m.intervals),
                "interval_scale": m.interval_scale,
                "params": ", ".join(sorted(m.params)),
                "source": m.source,
                "description": m.description,
            }
        )
    return pd.DataFrame(rows)
