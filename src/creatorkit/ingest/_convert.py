"""Conversion of one table of raw export cells into the kind's typed columns, reported.

Each mapped column is cleaned (spaces, tabs, missing tokens), parsed by its field's
declared parser and unit, and every conversion is written to the report: which header
became which field, the unit converted, how many cells were missing or rounded, ids
repaired, rows excluded. Values that do not parse are collected in ``problems``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._time import localize, parse_formatted, parse_tz
from creatorkit._validation import Problems
from creatorkit.errors import ErrorCode
from creatorkit.ingest import _parse
from creatorkit.ingest._header import Mapped, currency_of_unit
from creatorkit.ingest._kinds import MISSING, Field, Kind
from creatorkit.ingest._source import serial_days

__all__ = ["Options", "convert"]


@attrs.frozen(kw_only=True)
class Options:
    """The caller's declarations that override or complete a kind's."""

    tz: dt.tzinfo | None = None
    currency: str | None = None
    decimal: str | None = None
    date_format: str | None = None
    values: Mapping[str, Any] = attrs.field(factory=dict)
    ambiguous: str = "raise"
    nonexistent: str = "raise"
    serials: frozenset[str] = frozenset()
    epoch: str = "1899-12-30"
    typed: pd.DataFrame | None = None


@attrs.define
class Converted:
    """A converted chunk: typed columns, report lines, rows to exclude (with reasons)."""

    frame: pd.DataFrame
    report: list[dict[str, Any]]
    excluded: np.ndarray
    reasons: dict[str, int]
    decimal: str
    ranged: dict[str, int] = attrs.field(factory=dict)


def _defaults(kind: Kind) -> dict[str, Any]:
    """Numeric defaults of the record's non-nullable optional columns (``gmv`` → 0.0)."""
    out = {}
    for col in kind.model.schema():
        if col.required or col.nullable:
            continue
        default = attrs.fields_dict(kind.model)[col.name].default
        if isinstance(default, int | float) and not isinstance(default, bool):
            out[col.name] = default
    return out


def _is_text(series: pd.Series) -> bool:
    return series.dtype == object or isinstance(series.dtype, pd.StringDtype)


def _coalesce(first: pd.Series, other: pd.Series) -> pd.Series:
    """``first``, with ``other``'s cell where ``first``'s is missing (alias columns)."""
    gap = first.isna() | first.astype(str).str.strip().isin(MISSING)
    return first.astype(object).where(~gap, other.astype(object))


def _join(parts: tuple[Any, ...], others: tuple[Any, ...], index: pd.Index) -> tuple[Any, ...]:
    """Results of a parser on two parts of a column, joined in the column's row order.

    A part without rounded displays (``None``) has its values as both bounds.
    """
    out: list[Any] = []
    for a, b in zip(parts, others, strict=True):
        if a is None and b is None:
            out.append(None)
            continue
        if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
            pairs = []
            for bound, values in ((a, parts[0]), (b, others[0])):
                same = pd.DataFrame({"low": values, "high": values})
                pairs.append(same if bound is None else bound)
            a, b = pairs
        out.append(pd.concat([a, b]).reindex(index))
    return tuple(out)


def _line(
    header: str | None, field: str, conversion: str, *, missing: int = 0, changed: int = 0
) -> dict[str, Any]:
    """One report line: ``changed`` counts ids repaired, displays rounded, rows excluded."""
    return {
        "column": header,
        "field": field,
        "conversion": conversion,
        "missing": missing,
        "changed": changed,
    }


class _Converter:
    """Parses the mapped columns of one chunk, in field order."""

    def __init__(
        self, raw: pd.DataFrame, kind: Kind, mapped: Mapped, opts: Options, problems: Problems
    ) -> None:
        self.raw, self.kind, self.mapped, self.opts = raw, kind, mapped, opts
        self.problems = problems
        self.out: dict[str, Any] = {}
        self.texts: dict[str, pd.Series] = {}
        self.report: list[dict[str, Any]] = []
        self.excluded = np.zeros(len(raw), dtype=bool)
        self.reasons: dict[str, int] = {}
        self.currency: pd.Series | str | None = None
        self.decimal = opts.decimal or kind.decimal["*"]
        self.schema = {c.name for c in kind.model.schema()}
        self.defaults = _defaults(kind)
        self.parsed: list[
            tuple[pd.Series, Any, str, tuple[pd.Series, pd.Series, pd.DataFrame | None]]
        ] = []

    def text(self, field: Field) -> pd.Series:
        header = self.mapped.columns[field.name]
        series = self.raw[header]
        for other in self.mapped.alternates.get(field.name, ()):
            series = _coalesce(series, self.raw[other])
        cleaned = _parse.clean(series, MISSING) if _is_text(series) else series
        self.texts[field.name] = cleaned
        return cleaned

    def declared_currency(self) -> None:
        """The currency of money columns: the file's column, a header unit, or the caller's."""
        units = {
            currency_of_unit(self.mapped.units.get(f.name))
            for f in self.kind.fields
            if f.parse == "money" and f.name in self.mapped.columns
        } - {None}
        if "currency" in self.mapped.columns:
            field = self.kind.field("currency")
            codes = self.text(field).str.upper()
            if self.opts.currency is not None:  # rows naming no currency: the caller's
                codes = codes.astype(object).fillna(self.opts.currency)
            self.out["currency"] = codes.astype("string")
            self.currency = codes.astype("category")  # compared by its few codes
            self.report.append(_line(self.mapped.columns["currency"], "currency", "upper case"))
            self.decimal_of(set(codes.dropna().unique()))
            return
        given = self.opts.currency
        if len(units) > 1 or (units and given is not None and given not in units):
            named = sorted(str(u) for u in (units | {given}) if u is not None)
            rule = f"money headers name different currencies {named}"
            self.problems.add(None, rule, ErrorCode.MIXED_CURRENCY)
        self.currency = next(iter(units)) if units else given
        self.decimal_of({self.currency} - {None})

    def decimal_of(self, currencies: set[Any]) -> None:
        """Without a declared mark (caller or header language), the kind's per currency."""
        if self.opts.decimal is not None:
            return
        marks = {self.kind.decimal.get(str(c), self.kind.decimal["*"]) for c in currencies}
        if len(marks) > 1:
            rule = "currencies written with different decimal marks: pass decimal="
            self.problems.add("currency", rule, ErrorCode.MIXED_CURRENCY)
        elif marks:
            self.decimal = marks.pop()

    def parse(self, field: Field) -> None:
        header = self.mapped.columns[field.name]
        texts = self.text(field)
        missing = int(texts.isna().sum())
        args: dict[str, Any] = {"column": header, "problems": self.problems}
        decimal = self.decimal
        conversion = field.parse
        changed = 0
        if field.parse == "id":
            self.out[field.name], changed = _parse.ids(texts, **args)
            conversion = "id kept as text ('.0' and E-notation undone where lossless)"
        elif field.parse == "text":
            self.out[field.name] = texts.astype("string")
        elif field.parse in ("count", "number"):
            value, rounded = self.split(
                header,
                texts,
                lambda part, typed: _parse.numbers(
                    part, decimal="." if typed else decimal, integer=field.parse == "count", **args
                ),
            )
            self.out[field.name] = value
            if rounded is not None:
                changed = self.bounds(field, rounded)
                conversion = "number; rounded displays (K/M/Rb/Jt) kept as ranges _low/_high"
        elif field.parse == "money":
            amount, found, rounded = self.split(
                header,
                texts,
                lambda part, typed: self.money(part, "." if typed else decimal, args),
            )
            self.out[field.name] = amount
            if self.currency is None:
                self.currency = found
            conversion = f"money (decimal mark {decimal!r})"
            if rounded is not None:
                changed = self.bounds(field, rounded)
                conversion += "; rounded displays (K/M/Rb/Jt) kept as ranges _low/_high"
        elif field.parse == "rate":
            unit = field.unit or "fraction"
            (self.out[field.name],) = self.split(
                header,
                texts,
                lambda part, typed: (
                    _parse.rates(
                        part,
                        unit="fraction" if typed and unit == "percent" else unit,
                        decimal="." if typed else decimal,
                        **args,
                    ),
                ),
            )
            conversion = f"rate from {unit} to a fraction"
        elif field.parse == "duration":
            unit = field.unit or "text"
            self.out[field.name] = _parse.durations(texts, unit=unit, **args)
            conversion = "duration to seconds"
        elif field.parse == "enum":
            values, drop = _parse.enums(texts, mapping=field.values, **args)
            self.out[field.name] = values
            self._exclude(field, texts, drop)
            changed = int(drop.sum())
            conversion = "labels mapped to values"
        elif field.parse == "time":
            conversion = self.time(field, texts)
        conversion += self.finish(field, texts)
        self.report.append(_line(header, field.name, conversion, missing=missing, changed=changed))

    def split(
        self, header: str, texts: pd.Series, parse: Callable[[pd.Series, bool], tuple[Any, ...]]
    ) -> tuple[Any, ...]:
        """``parse(cells, typed)`` on text cells and on XLSX number cells apart, joined.

        A number cell has no decimal mark (it is read with ``.``) and a percent-formatted
        one holds the fraction (10% is 0.1); text cells follow the declared mark and unit.
        """
        cells = self.opts.typed
        if cells is None or header not in cells.columns:
            return parse(texts, False)
        typed = cells[header].reindex(texts.index, fill_value=False).to_numpy(dtype=bool)
        if typed.all() or not typed.any():
            return parse(texts, bool(typed.any()))
        return _join(parse(texts[~typed], False), parse(texts[typed], True), texts.index)

    def money(
        self, texts: pd.Series, decimal: str, args: dict[str, Any]
    ) -> tuple[pd.Series, pd.Series, pd.DataFrame | None]:
        """:func:`_parse.money`, once per distinct column of the chunk.

        Exports repeat a column (a payment amount that is also the commission base): one
        equal cell for cell to a column already read without problems, in the same
        currency and decimal mark, reuses its result.
        """
        currency = self.currency
        if isinstance(currency, pd.Series) and len(currency) != len(texts):  # a part
            currency = currency.loc[texts.index]
        for seen, given, mark, done in self.parsed:
            if given is self.currency and mark == decimal and seen.equals(texts):
                return done
        clean = not self.problems
        done = _parse.money(texts, decimal=decimal, currency=currency, **args)
        if clean and not self.problems:  # a column with problems is read (and listed) again
            self.parsed.append((texts, self.currency, decimal, done))
        return done

    def bounds(self, field: Field, rounded: pd.DataFrame) -> int:
        """Keep the range of rounded displays as ``<field>_low`` / ``<field>_high``."""
        self.out[f"{field.name}_low"] = rounded["low"]
        self.out[f"{field.name}_high"] = rounded["high"]
        return int((rounded["low"] != rounded["high"]).sum())

    def finish(self, field: Field, texts: pd.Series) -> str:
        """Fill missing cells of a defaulted column; type whole-number extra columns.

        A missing cell of a column with a default (``--`` revenue is 0) takes it, and the
        report says so; extra count columns become nullable integers.
        """
        default = self.defaults.get(field.name)
        value = self.out[field.name]
        if default is not None and field.parse in ("count", "number", "money"):
            gaps = texts.isna() & value.isna()
            if bool(gaps.any()):
                self.out[field.name] = value.where(~gaps, default)
                return f"; missing cells are {default!r}, the column's default"
        if field.parse == "count" and field.name not in self.schema:
            self.out[field.name] = value.astype("Int64")
        return ""

    def _exclude(self, field: Field, texts: pd.Series, drop: np.ndarray) -> None:
        if not drop.any():
            return
        self.excluded |= drop
        labels = texts[drop].str.lower().value_counts()
        for label, count in labels.items():
            key = f"{field.name} = {label}"
            self.reasons[key] = self.reasons.get(key, 0) + int(count)

    def time(self, field: Field, texts: pd.Series) -> str:
        header = self.mapped.columns[field.name]
        fmt = self.opts.date_format if self.opts.date_format and field.unit != "unix" else None
        fmt = fmt or field.unit or ""
        if isinstance(texts.dtype, pd.DatetimeTZDtype):
            self.out[field.name] = texts
            return "aware timestamps kept"
        if pd.api.types.is_datetime64_dtype(texts.dtype):
            parsed = texts
            fmt = "date cells"
        elif header in self.opts.serials and field.unit != "unix":
            parsed = serial_days(texts, self.opts.epoch, column=header, problems=self.problems)
            fmt = f"Excel serial days since {self.opts.epoch}"
        else:
            parsed = parse_formatted(texts, fmt, column=header, problems=self.problems)
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            self.out[field.name] = parsed
            return f"format {fmt!r}, UTC"
        utc = self.kind.tz == "UTC" or (self.mapped.units.get(field.name) or "").upper() == "UTC"
        zone = parse_tz("UTC") if utc else self.opts.tz
        if zone is None:
            rule = f"{self.kind.name} writes shop-local times without a zone: pass tz="
            self.problems.add(header, rule, ErrorCode.NAIVE_TIMESTAMP)
            self.out[field.name] = parsed
            return f"format {fmt!r}"
        self.out[field.name] = localize(
            parsed,
            zone,
            column=header,
            problems=self.problems,
            ambiguous=self.opts.ambiguous,
            nonexistent=self.opts.nonexistent,
        )
        return f"format {fmt!r} in {zone}"

    def derive(self) -> None:
        for target, spec in self.kind.derived.items():
            if target in self.out:
                continue
            if len(spec) == 2 and isinstance(spec[1], Mapping):
                source, mapping = spec
                if source in self.out:
                    self.out[target] = self.out[source].map(mapping).astype("string")
                    self.report.append(_line(None, target, f"derived from {source}"))
            elif all(name in self.texts for name in spec):
                joined = self.written(spec[0])
                if len(spec) == 1:
                    self.out[target] = self.out[spec[0]]
                else:
                    for name in spec[1:]:
                        joined = joined + ":" + self.written(name)
                    self.out[target] = joined
                self.report.append(_line(None, target, f"built from {' + '.join(spec)}"))

    def written(self, name: str) -> pd.Series:
        """A field's cells as text; date cells (XLSX) as the kind's format writes them."""
        texts = self.texts[name]
        unit = self.kind.field(name).unit if name in self.mapped.columns else None
        unit = self.opts.date_format if self.opts.date_format and unit != "unix" else unit
        if pd.api.types.is_datetime64_dtype(texts.dtype) and unit and "%" in unit:
            return pd.Series(texts.dt.strftime(unit), dtype="string")
        return texts.astype("string")

    def ranges(self) -> dict[str, int]:
        """Values given only as a range keep it; exact values become both bounds."""
        counts = {}
        for name, (low, high) in self.kind.ranges.items():
            if not {name, low, high} & set(self.out):
                continue
            empty = pd.Series(np.nan, index=self.raw.index)
            lo, hi = self.out.get(low, empty), self.out.get(high, empty)
            value = self.out.get(name, empty)
            only = value.isna() & (lo.notna() | hi.notna())
            exact = value.notna() & lo.isna() & hi.isna()
            self.out[low], self.out[high] = lo.where(~exact, value), hi.where(~exact, value)
            self.out.setdefault(name, value)
            counts[name] = int(only.sum())
            rule = f"given as a range {low} to {high} where the file has no exact value"
            self.report.append(_line(None, name, rule, missing=int(only.sum())))
        return counts

    def constants(self) -> None:
        given = {**self.kind.constants, **self.opts.values}
        for name, value in given.items():
            if name in self.out and name in self.opts.values:
                rule = "is given in values= but the file has the column"
                self.problems.add(name, rule, ErrorCode.INVALID_VALUE)
            elif name not in self.out:
                self.out[name] = pd.Series([value] * len(self.raw), index=self.raw.index)
                self.report.append(_line(None, name, f"constant {value!r}"))
        if "currency" not in self.out and self.currency is not None:
            cur = self.currency
            column = cur if isinstance(cur, pd.Series) else [cur] * len(self.raw)
            self.out["currency"] = pd.Series(column, index=self.raw.index, dtype="string")
            self.report.append(_line(None, "currency", "from the money headers or currency="))


def convert(
    raw: pd.DataFrame, kind: Kind, mapped: Mapped, opts: Options, problems: Problems
) -> Converted:
    r"""Parse every mapped column of ``raw``; unmatched columns are kept as text.

    Example:
        >>> from creatorkit.ingest._builtin import VIDEO
        >>> from creatorkit.ingest._header import map_headers
        >>> raw = pd.DataFrame({"Video ID": ["\t7001"], "VV": ["1.2K"]})
        >>> done = convert(raw, VIDEO, map_headers(VIDEO, raw.columns), Options(),
        ...                Problems("source"))
        >>> done.frame[["content_id", "views", "views_low"]].to_dict("records")
        [{'content_id': '7001', 'views': 1200.0, 'views_low': 1150.0}]
    """
    work = _Converter(raw, kind, mapped, opts, problems)
    work.declared_currency()
    for field in kind.fields:
        if field.name in mapped.columns and field.name != "currency":
            work.parse(field)
    work.derive()
    ranged = work.ranges()
    work.constants()
    for header in mapped.unmatched:
        name = header if header not in work.out else f"{header} (raw)"
        column = raw[header]
        work.out[name] = (
            _parse.clean(column, MISSING).astype("string") if _is_text(column) else column
        )
        work.report.append(_line(header, name, "kept as it is (no field)"))
    frame = pd.DataFrame(work.out, index=raw.index)
    return Converted(
        frame=frame,
        report=work.report,
        excluded=work.excluded,
        reasons=work.reasons,
        decimal=work.decimal,
        ranged=ranged,
    )
