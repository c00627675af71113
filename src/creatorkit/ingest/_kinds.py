"""Formats as data: a :class:`Kind` maps an export's headers to the fields of one table.

A kind lists its fields (target column, header aliases per language, how the cell is
written: id, count, money, rate with its unit, time with its format, enum with its map),
the record type it ends in, the constants and derived columns it adds and its header
rules. Kinds live in the one :class:`~creatorkit.registry.Registry` (``KINDS``); users add
their own with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from creatorkit._validation import Problems, fail
from creatorkit.errors import ErrorCode
from creatorkit.ingest._parse import DECIMALS, RATE_UNITS
from creatorkit.models import Record
from creatorkit.registry import Registry

__all__ = ["KINDS", "MISSING", "PARSERS", "Field", "Kind", "register"]

PARSERS = ("id", "text", "count", "number", "money", "rate", "duration", "time", "enum", "currency")
"""How a field's cells are written (see :class:`Field`)."""

MISSING = frozenset({"", "--", "-", "N/A", "n/a"})
"""Cells that mean "no value" in exports."""


def _fields(value: Iterable[Field]) -> tuple[Field, ...]:
    return tuple(value)


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _aliases(value: Mapping[str, Any]) -> Mapping[str, tuple[str, ...]]:
    return {str(k): tuple(v) if not isinstance(v, str) else (v,) for k, v in value.items()}


@attrs.frozen(kw_only=True)
class Field:
    """One field of a kind: where it comes from and how its cells are written.

    Attributes:
        name: Target column (a column of the kind's record type, or an extra column).
        aliases: Headers by language code (``{"en": ("Order ID",), "th": (...)}``);
            matched ignoring case, spaces and a unit in brackets (``Revenue (Rp)``).
        parse: ``id``, ``text``, ``count``, ``number``, ``money``, ``rate``, ``duration``,
            ``time``, ``enum`` or ``currency``.
        unit: ``rate``: ``percent`` / ``fraction`` / ``hundredths``; ``time``: a strptime
            format or ``unix``; ``duration``: ``text`` / ``seconds`` / ``minutes``.
        values: ``enum``: export label → value; a label mapped to ``None`` excludes the row
            (counted in the report).
        required: The file must carry the field (one of its aliases).
        doc: What the field means in the export.

    Example:
        >>> Field(name="order_id", aliases={"en": "Order ID"}, parse="id").aliases
        {'en': ('Order ID',)}
    """

    name: str
    aliases: Mapping[str, tuple[str, ...]] = attrs.field(converter=_aliases)
    parse: str
    unit: str | None = None
    values: Mapping[str, str | None] = attrs.field(factory=dict)
    required: bool = False
    doc: str = ""

    def __attrs_post_init__(self) -> None:
        problems = Problems(f"Field {self.name!r}")
        if self.parse not in PARSERS:
            problems.add("parse", f"must be one of {list(PARSERS)}", ErrorCode.UNKNOWN_NAME)
        if self.parse == "rate" and self.unit not in RATE_UNITS:
            rule = f"a rate field declares its unit, one of {list(RATE_UNITS)}"
            problems.add("unit", rule, ErrorCode.INVALID_VALUE, values=[self.unit])
        if self.parse == "time" and not self.unit:
            problems.add("unit", "a time field declares its format", ErrorCode.MISSING_VALUE)
        if self.parse == "enum" and not self.values:
            problems.add("values", "an enum field maps its labels", ErrorCode.MISSING_VALUE)
        if not any(self.aliases.values()):
            problems.add("aliases", "at least one header is needed", ErrorCode.MISSING_VALUE)
        problems.raise_if_any()


@attrs.frozen(kw_only=True)
class Kind:
    """A registered export format: fields, target record type and header rules.

    Attributes:
        name: Registry name such as ``"tiktok_shop.affiliate_orders"``.
        model: The record type of the table it ends in (validated by ``frames.validate``).
        fields: The fields, mapped by header alias (never by position).
        doc: What the export is and where it comes from.
        constants: Columns set on every row (``{"content_type": "video"}``).
        derived: Columns computed from others: ``{"status": ("settlement_status",
            {"settled": "completed"})}`` maps a parsed field's values; a tuple of several
            fields (``("creator_id", "published_at")``) joins their raw cells with ``":"``
            into an id. Used only when the file lacks the column.
        tz: ``"UTC"`` when the format's times are UTC; ``None`` when they are shop-local
            (the caller passes ``tz=``).
        decimal: Decimal mark by header language (``"id"``), then by the file's currency
            (``"IDR"``); ``"*"`` for the rest.
        header_rows: How many leading rows may hold titles before the header.
        description_row: A row describing each column may follow the header.
        records: JSON payloads: the keys leading to the list of records
            (``("data", "orders")``).
        lines: JSON payloads: a list inside each record whose items are the rows (an
            order's ``skus``); the record's own fields get the prefix ``order.``.
        ranges: Values a file may give only as a range: ``{"gmv": ("gmv_low",
            "gmv_high")}`` names the fields of its bounds. A row with the bounds and no
            value keeps the value missing and the range (counted in the report and the
            warnings); a row with the value gets it as both bounds.

    Example:
        >>> from creatorkit import Content
        >>> k = Kind(name="my.videos", model=Content, doc="My videos.", fields=(
        ...     Field(name="content_id", aliases={"en": "Video ID"}, parse="id", required=True),
        ... ))
        >>> k.field("content_id").parse
        'id'
    """

    name: str
    model: type[Record]
    fields: tuple[Field, ...] = attrs.field(converter=_fields)
    doc: str
    constants: Mapping[str, Any] = attrs.field(factory=dict)
    derived: Mapping[str, Any] = attrs.field(factory=dict)
    tz: str | None = None
    decimal: Mapping[str, str] = attrs.field(factory=lambda: {"*": "."})
    header_rows: int = 10
    description_row: bool = False
    records: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    lines: str | None = None
    ranges: Mapping[str, tuple[str, str]] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        problems = Problems(f"Kind {self.name!r}")
        model: Any = self.model
        if not (isinstance(model, type) and issubclass(model, Record)):
            problems.add("model", "must be a record class", ErrorCode.WRONG_TYPE)
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names) or not names:
            problems.add("fields", "need unique, at least one", ErrorCode.DUPLICATE_NAME)
        bounds = [b for pair in self.ranges.values() for b in pair]
        if not all(len(p) == 2 for p in self.ranges.values()) or not set(bounds) <= set(names):
            rule = "maps a field to the two fields of its bounds (low, high)"
            problems.add("ranges", rule, ErrorCode.INVALID_VALUE)
        if not set(self.decimal.values()) <= set(DECIMALS) or "*" not in self.decimal:
            rule = f"maps languages (and '*') to one of {list(DECIMALS)}"
            problems.add("decimal", rule, ErrorCode.INVALID_VALUE)
        problems.raise_if_any()

    def field(self, name: str) -> Field:
        """The field called ``name``.

        Example:
            >>> from creatorkit.ingest import KINDS
            >>> KINDS.get("tiktok_shop.affiliate_orders").field("order_id").name
            'order_id'
        """
        for f in self.fields:
            if f.name == name:
                return f
        fail(self.name, f"has no field {name!r}", ErrorCode.UNKNOWN_NAME, value=name)

    def languages(self) -> tuple[str, ...]:
        """Languages its aliases cover.

        Example:
            >>> from creatorkit.ingest import KINDS
            >>> "en" in KINDS.get("tiktok_shop.affiliate_orders").languages()
            True
        """
        return tuple(sorted({lang for f in self.fields for lang in f.aliases}))


def _check(name: str, obj: Any) -> None:
    if not isinstance(obj, Kind) or obj.name != name:
        fail("kind", f"must be an ingest Kind named {name!r}", ErrorCode.WRONG_TYPE, value=name)


KINDS: Registry[Kind] = Registry("ingest kind", check=_check)
"""The registry of export kinds."""


def register(kind: Kind, *, replace: bool = False) -> Kind:
    """Register an export kind so that :func:`~creatorkit.ingest.read` knows it.

    Args:
        kind: The :class:`Kind`.
        replace: Overwrite a registered kind of the same name.

    Returns:
        ``kind``.

    Raises:
        ValidationError: Not a Kind, or the name is taken and not ``replace``.

    Example:
        >>> from creatorkit import Content
        >>> k = Kind(name="doc.example", model=Content, doc="An example.", fields=(
        ...     Field(name="content_id", aliases={"en": "Post"}, parse="id", required=True),))
        >>> register(k).name
        'doc.example'
        >>> KINDS.unregister("doc.example")
    """
    if not isinstance(kind, Kind):
        fail("kind", "must be an ingest Kind", ErrorCode.WRONG_TYPE, value=type(kind).__name__)
    if not isinstance(replace, bool):
        fail("replace", "must be True or False", ErrorCode.WRONG_TYPE, value=type(replace).__name__)
    return KINDS.register(kind.name, kind, replace=replace)
