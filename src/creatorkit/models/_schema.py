"""Column kinds: one definition drives record validation, table schemas and docs.

Each record field is declared with :func:`column`, which attaches a :class:`Column`
(kind, nullability, enum, money flag, description) as attrs metadata. Records check
their values with :func:`check_scalar`; ``creatorkit.frames`` checks whole columns with
the same bounds (:data:`BOUNDS`), so a rule is written once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit.errors import ErrorCode
from creatorkit.models._codes import COUNTRIES, CURRENCIES


class Kind(StrEnum):
    """What a column holds; decides its dtype and its checks.

    Example:
        >>> from creatorkit.models import Content
        >>> views = next(c for c in Content.schema() if c.name == "views")
        >>> views.kind is Kind.COUNT, Kind("amount")
        (True, <Kind.AMOUNT: 'amount'>)
    """

    ID = "id"
    TEXT = "text"
    COUNT = "count"
    AMOUNT = "amount"
    RATE = "rate"
    STARS = "stars"
    NUMBER = "number"
    BOOL = "bool"
    TIME = "time"
    ENUM = "enum"
    COUNTRY = "country"
    CURRENCY = "currency"
    COUNTRIES = "countries"
    TAGS = "tags"
    TARGETS = "targets"


@attrs.frozen(kw_only=True)
class Bounds:
    """Numeric bounds of a kind (inclusive) and whether values must be whole."""

    low: float | None = None
    high: float | None = None
    integer: bool = False

    def rule(self) -> str:
        """Human-readable statement of the bounds."""
        parts = []
        if self.integer:
            parts.append("a whole number")
        if self.low is not None and self.high is not None:
            parts.append(f"in [{self.low:g}, {self.high:g}]")
        elif self.low is not None:
            parts.append(f">= {self.low:g}")
        return "must be " + " ".join(parts) if parts else "must be a finite number"

    def code(self, value: float) -> ErrorCode:
        """The error code for a value that breaks the bounds."""
        if self.low == 0 and self.high is None and value < 0:
            return ErrorCode.NEGATIVE
        if self.integer and not float(value).is_integer():
            return ErrorCode.NOT_INTEGER
        return ErrorCode.OUT_OF_RANGE


BOUNDS: Mapping[Kind, Bounds] = {
    Kind.COUNT: Bounds(low=0, integer=True),
    Kind.AMOUNT: Bounds(low=0),
    Kind.RATE: Bounds(low=0, high=1),
    Kind.STARS: Bounds(low=1, high=5),
    Kind.NUMBER: Bounds(),
}
"""Numeric kinds and their bounds; shared by records and tables."""

NUMERIC = frozenset(BOUNDS)


@attrs.frozen(kw_only=True)
class Column:
    """Schema of one column (one record field).

    Attributes:
        name: Column name (the record field name).
        kind: What the column holds.
        required: Whether a table must have the column (the field has no default).
        nullable: Whether missing values are allowed (the field defaults to ``None``).
        enum: The enumeration of an ``enum`` column.
        money: Whether the column holds money in the row's ``currency``.
        doc: One-line description.

    Example:
        >>> from creatorkit.models import OrderLine
        >>> gmv = next(c for c in OrderLine.schema() if c.name == "gmv")
        >>> gmv.kind.value, gmv.required, gmv.money, gmv.doc
        ('amount', True, True, 'Line revenue (GMV).')
    """

    name: str
    kind: Kind
    required: bool
    nullable: bool
    enum: type[StrEnum] | None = None
    money: bool = False
    doc: str = ""


_META = "creatorkit.column"


def _to_time(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _to_count(value: Any) -> Any:
    """A whole float (``3.0``, as tables often hold counts) becomes the int it is."""
    whole = isinstance(value, float | np.floating) and math.isfinite(value)
    if whole and float(value).is_integer() and abs(value) < 2.0**63:
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _to_enum(enum: type[StrEnum]) -> Any:
    def convert(value: Any) -> Any:
        try:
            return enum(value)
        except ValueError:
            return value

    return convert


def to_tuple(value: Any) -> Any:
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(value)
    return value


def to_targets(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(sorted(value.items()))
    return value


def column(
    kind: Kind,
    doc: str,
    *,
    default: Any = attrs.NOTHING,
    enum: type[StrEnum] | None = None,
    money: bool = False,
) -> Any:
    """Declare a record field of ``kind``; ``default=None`` makes it nullable."""
    converter: Any = None
    if kind is Kind.COUNT:
        converter = _to_count
    elif kind is Kind.TIME:
        converter = _to_time
    elif kind is Kind.ENUM:
        assert enum is not None
        converter = _to_enum(enum)
    elif kind in (Kind.COUNTRIES, Kind.TAGS):
        converter = to_tuple
    elif kind is Kind.TARGETS:
        converter = to_targets
    meta = {
        _META: {
            "kind": kind,
            "required": default is attrs.NOTHING,
            "nullable": default is None,
            "enum": enum,
            "money": money,
            "doc": doc,
        }
    }
    if kind in (Kind.TAGS, Kind.COUNTRIES) and default == ():
        return attrs.field(factory=tuple, converter=converter, metadata=meta)
    if kind is Kind.TARGETS and default == {}:
        return attrs.field(factory=dict, converter=converter, metadata=meta)
    return attrs.field(default=default, converter=converter, metadata=meta)


def columns_of(model: type) -> tuple[Column, ...]:
    """The column schema of a record class, in field order."""
    return tuple(
        Column(name=f.name, **f.metadata[_META]) for f in attrs.fields(model) if _META in f.metadata
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def check_scalar(col: Column, value: Any) -> tuple[str, ErrorCode] | None:
    """Check one value against its column; return ``(rule, code)`` or ``None`` when valid."""
    if value is None:
        return None if col.nullable else ("is required", ErrorCode.MISSING_VALUE)
    kind = col.kind
    if kind in NUMERIC:
        if not _is_number(value):
            return "must be a number", ErrorCode.WRONG_TYPE
        if kind is Kind.COUNT and not isinstance(value, int | np.integer):
            number = float(value)  # the same verdicts as frames.validate gives a column
            if math.isnan(number):
                return None if col.nullable else ("must not be missing", ErrorCode.MISSING_VALUE)
            if math.isinf(number):
                return "must be finite", ErrorCode.NOT_FINITE
            if number.is_integer():
                return "is too large for a 64-bit whole number", ErrorCode.OUT_OF_RANGE
            return BOUNDS[kind].rule(), BOUNDS[kind].code(number)
        if kind is Kind.COUNT and abs(int(value)) >= 2**63:
            return "is too large for a 64-bit whole number", ErrorCode.OUT_OF_RANGE
        number = float(value)
        if not math.isfinite(number):
            return "must be finite", ErrorCode.NOT_FINITE
        bounds = BOUNDS[kind]
        low_bad = bounds.low is not None and number < bounds.low
        high_bad = bounds.high is not None and number > bounds.high
        if low_bad or high_bad:
            return bounds.rule(), bounds.code(number)
        return None
    if kind in (Kind.ID, Kind.TEXT):
        if not isinstance(value, str):
            return "must be a string", ErrorCode.WRONG_TYPE
        if kind is Kind.ID and not value:
            return "must be a non-empty string", ErrorCode.INVALID_VALUE
        return None
    if kind is Kind.BOOL:
        return None if isinstance(value, bool) else ("must be True or False", ErrorCode.WRONG_TYPE)
    if kind is Kind.TIME:
        if not isinstance(value, dt.datetime):
            return "must be a datetime or ISO-8601 string", ErrorCode.WRONG_TYPE
        if value.tzinfo is None or value.utcoffset() is None:
            return "must be timezone-aware", ErrorCode.NAIVE_TIMESTAMP
        return None
    if kind is Kind.ENUM:
        assert col.enum is not None
        if isinstance(value, col.enum):
            return None
        return f"must be one of {[e.value for e in col.enum]}", ErrorCode.INVALID_VALUE
    if kind is Kind.COUNTRY:
        ok = isinstance(value, str) and value in COUNTRIES
        return None if ok else ("must be an ISO 3166-1 alpha-2 code", ErrorCode.INVALID_VALUE)
    if kind is Kind.CURRENCY:
        ok = isinstance(value, str) and value in CURRENCIES
        return None if ok else ("must be an ISO 4217 currency code", ErrorCode.INVALID_VALUE)
    if kind is Kind.COUNTRIES:
        ok = isinstance(value, tuple) and all(v in COUNTRIES for v in value)
        return None if ok else ("must be ISO 3166-1 alpha-2 codes", ErrorCode.INVALID_VALUE)
    if kind is Kind.TAGS:
        ok = isinstance(value, tuple) and all(isinstance(v, str) for v in value)
        return None if ok else ("must be a sequence of strings", ErrorCode.WRONG_TYPE)
    ok = isinstance(value, dict) and all(
        isinstance(k, str) and _is_number(v) and math.isfinite(float(v)) for k, v in value.items()
    )
    return None if ok else ("must map names to finite numbers", ErrorCode.WRONG_TYPE)
