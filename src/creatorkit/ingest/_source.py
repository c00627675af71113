"""Reading sources into tables of raw cells: CSV/TSV text, XLSX, JSON payloads, DataFrames.

Every source becomes a :class:`Table`: its headers and a function yielding chunks of raw
cells (strings; numbers and times of typed sources kept typed) whose row labels are line
numbers of the file (blank lines aside), so that every problem names the row a person
finds in the file. CSV is read by pandas' C parser with ``dtype=str`` in chunks; the
header row (title rows above it), the delimiter (tab, comma or semicolon) and a UTF-8
byte-order mark are found from the first lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import attrs
import numpy as np
import pandas as pd

from creatorkit._validation import Problems, fail
from creatorkit.errors import ErrorCode, MissingDependencyError
from creatorkit.ingest._header import find_header
from creatorkit.ingest._kinds import Kind

__all__ = ["Table", "open_table", "serial_days"]

_HEAD_BYTES = 1 << 16
_DELIMITERS = ("\t", ",", ";")
_EXACT = 2**53


@attrs.frozen(kw_only=True)
class Table:
    """Headers and raw chunks of one source.

    Attributes:
        headers: The header cells.
        chunks: ``chunks(size)`` yields raw frames of at most ``size`` rows (all at once
            when ``None``).
        form: ``csv``, ``xlsx``, ``json`` or ``frame``.
        header_line: 1-based line of the header (0 for frames and payloads).
        delimiter: The CSV delimiter.
        numbers: XLSX columns holding only number cells (in a time field: Excel serial
            dates, days since ``epoch``).
        epoch: The workbook's day zero (``1899-12-30``, or ``1904-01-01`` for the Mac
            date system).
        typed: XLSX: which cells of each column holding number cells are number cells
            (a boolean frame on the table's row labels; ``None`` for text sources). A
            number cell has no decimal mark and, in a percent field, is already a fraction.
    """

    headers: tuple[str, ...]
    chunks: Callable[[int | None], Iterator[pd.DataFrame]]
    form: str
    header_line: int = 0
    delimiter: str | None = None
    numbers: frozenset[str] = frozenset()
    epoch: str = "1899-12-30"
    typed: pd.DataFrame | None = None


class _Number(str):
    """The exact text of an XLSX number cell (a date column of them holds serial days)."""

    __slots__ = ()


def _unique(headers: Sequence[Any]) -> tuple[str, ...]:
    """Header cells as unique names: a repeated header gets `` (2)``, `` (3)``."""
    seen: dict[str, int] = {}
    out = []
    for cell in headers:
        name = "" if cell is None else str(cell)
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return tuple(out)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers of a typed source as exact strings (floats lose no digit), times kept."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_bool_dtype(col.dtype):
            out[name] = col.astype("string").str.lower()
        elif pd.api.types.is_integer_dtype(col.dtype):
            out[name] = col.astype("string")
        elif pd.api.types.is_float_dtype(col.dtype):
            values = col.to_numpy(dtype=float, na_value=np.nan)
            whole = np.isfinite(values) & (np.round(values) == values) & (np.abs(values) < _EXACT)
            text = pd.Series(values.astype(str), index=col.index, dtype=object)
            ints = pd.Series(np.where(whole, values, 0).astype(np.int64), index=col.index)
            text = text.where(~whole, ints.astype(str)).where(np.isfinite(values) | ~col.isna())
            out[name] = text
        else:
            out[name] = col
    return pd.DataFrame(out, index=frame.index)


def _whole(frame: pd.DataFrame, form: str) -> Table:
    headers = tuple(str(c) for c in frame.columns)
    frame = frame.set_axis(list(headers), axis=1)

    def chunks(size: int | None) -> Iterator[pd.DataFrame]:
        step = size or max(len(frame), 1)
        for start in range(0, len(frame), step):
            yield frame.iloc[start : start + step]

    return Table(headers=headers, chunks=chunks, form=form)


def _no_header(rows: list[list[Any]], kinds: Sequence[Kind], code: ErrorCode) -> NoReturn:
    """Refuse a source without a header: what its first row holds and which kinds were tried."""
    first = next((r for r in rows if any(str(c).strip() for c in r if c is not None)), [])
    cells = [str(c) for c in first if c is not None and str(c).strip()][:8]
    names = ", ".join(k.name for k in kinds)
    rule = (
        f"no header row found: no cell is a known column name (first row: {cells}; "
        f"kinds tried: {names})"
    )
    fail("source", rule, code)


def _from_rows(
    rows: list[list[Any]], kinds: Sequence[Kind], form: str, epoch: str = "1899-12-30"
) -> Table:
    where, _ = find_header(rows[:50], kinds)
    if where < 0:
        _no_header(rows, kinds, ErrorCode.EMPTY)
    header = list(_unique(rows[where]))
    body = [list(r) + [None] * (len(header) - len(r)) for r in rows[where + 1 :]]
    frame = pd.DataFrame([r[: len(header)] for r in body], columns=header, dtype=object)
    frame.index = pd.RangeIndex(where + 2, where + 2 + len(frame))
    frame, numbers, typed = _typed_cells(frame.where(frame.notna(), ""), epoch)
    table = _whole(frame, form)
    return attrs.evolve(table, header_line=where + 1, numbers=numbers, epoch=epoch, typed=typed)


def _typed_cells(
    frame: pd.DataFrame, epoch: str
) -> tuple[pd.DataFrame, frozenset[str], pd.DataFrame]:
    """Columns of date cells become naive times; columns of number cells are named.

    Also returns, for every column holding a number cell, which of its cells are numbers.

    A column of date cells and numbers holds serial dates in its number cells; a column
    mixing date cells with text stays text (its dates then fail the kind's format, by row).
    """
    numbers = set()
    out = {}
    typed = {}
    for name in frame.columns:  # one pass per column; the cells of an XLSX are Python objects
        col = frame[name]
        filled = col[col.map(lambda v: not isinstance(v, str) or v != "")]
        dates = filled.map(lambda v: isinstance(v, pd.Timestamp)).astype(bool)
        counted = filled.map(lambda v: isinstance(v, _Number)).astype(bool)
        if len(filled) and dates.any() and (dates | counted).all():
            problems = Problems("source")
            serials = serial_days(filled[counted], epoch, column=str(name), problems=problems)
            problems.raise_if_any()
            stamps = pd.to_datetime(filled[dates]).astype("datetime64[us]")
            col = pd.concat([stamps, serials]).reindex(col.index)
        else:
            if len(filled) and counted.all():
                numbers.add(str(name))
            if counted.any():
                typed[name] = counted.reindex(col.index, fill_value=False)
        out[name] = col
    cells = pd.DataFrame(typed, index=frame.index, columns=list(typed), dtype=bool)
    return pd.DataFrame(out, index=frame.index), frozenset(numbers), cells


def serial_days(texts: pd.Series, epoch: str, *, column: str, problems: Problems) -> pd.Series:
    """Excel serial dates (days since the workbook's epoch, a fraction for the time of day).

    Rounded to the millisecond: a day's fraction is not exact in binary (12:00:01 is
    0.5000115...). Serials outside 1 to 2,958,465 (year 9999) are listed as problems.

    Example:
        >>> serial_days(pd.Series(["46180.5"]), "1899-12-30", column="Date",
        ...              problems=Problems("file")).iloc[0]
        Timestamp('2026-06-07 12:00:00')
    """
    days = pd.to_numeric(texts.astype(object), errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(days) & (days >= 1) & (days <= 2_958_465)
    rule = "must be an Excel serial date (days since the workbook's epoch)"
    problems.add_mask(column, texts.notna().to_numpy() & ~ok, texts.index, texts, rule,
                      ErrorCode.INVALID_VALUE)  # fmt: skip
    millis = np.round(np.where(ok, days, 0.0) * 86_400_000).astype(np.int64)
    stamps = np.datetime64(epoch, "ms") + millis.astype("timedelta64[ms]")
    stamps[~ok] = np.datetime64("NaT")
    return pd.Series(stamps.astype("datetime64[us]"), index=texts.index, name=texts.name)


def _cell(value: Any) -> Any:
    """An XLSX cell: dates kept as times, numbers as their exact text, the rest as text."""
    if isinstance(value, dt.datetime | dt.date):
        return pd.Timestamp(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        exact = isinstance(value, float) and value.is_integer() and abs(value) < _EXACT
        return _Number(str(int(value)) if exact else str(value))
    return "" if value is None else str(value)


def _xlsx(data: bytes | str | os.PathLike[str], kinds: Sequence[Kind], sheet: str | None) -> Table:
    try:
        import openpyxl  # type: ignore[import-untyped]
    except ImportError as exc:
        raise MissingDependencyError(
            "reading XLSX needs openpyxl: pip install 'creatorkit[excel]'"
        ) from exc
    handle = io.BytesIO(data) if isinstance(data, bytes) else data
    book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    names = book.sheetnames if sheet is None else [sheet]
    if sheet is not None and sheet not in book.sheetnames:
        fail(
            "sheet",
            f"must be one of the workbook's sheets {book.sheetnames}",
            ErrorCode.UNKNOWN_NAME,
        )
    best: tuple[int, list[list[Any]]] = (-1, [])
    for name in names:
        rows = [[_cell(v) for v in row] for row in book[name].iter_rows(values_only=True)]
        hits = find_header(rows[:50], kinds)[1]
        if hits > best[0]:
            best = (hits, rows)
    epoch = f"{book.epoch:%Y-%m-%d}"
    book.close()
    return _from_rows(best[1], kinds, "xlsx", epoch)


def _walk(payload: Any, kind: Kind) -> list[Any]:
    node = payload
    for key in kind.records:
        if isinstance(node, Mapping) and key in node:
            node = node[key]
    if not isinstance(node, list):
        rule = f"a {kind.name} payload holds its records under {'.'.join(kind.records)}"
        fail("source", rule, ErrorCode.MISSING_COLUMN)
    return node


def _json_frame(payload: Any, kind: Kind) -> pd.DataFrame:
    records = _walk(payload, kind)
    if not all(isinstance(r, Mapping) for r in records):
        fail("source", "the payload's records must be JSON objects", ErrorCode.WRONG_TYPE)
    frame = pd.json_normalize(records, sep=".") if records else pd.DataFrame()
    if kind.lines is not None and kind.lines in frame.columns:
        lists = frame.pop(kind.lines)
        counts = lists.map(lambda v: len(v) if isinstance(v, list) else 0).to_numpy()
        items = [item for v in lists if isinstance(v, list) for item in v]
        if not all(isinstance(item, Mapping) for item in items):
            fail(
                "source", f"the items of {kind.lines!r} must be JSON objects", ErrorCode.WRONG_TYPE
            )
        outer = frame.add_prefix("order.").iloc[np.repeat(np.arange(len(frame)), counts)]
        inner = pd.json_normalize(items, sep=".")
        frame = pd.concat([outer.reset_index(drop=True), inner], axis=1)
    return _typed(frame)


def _payload(payload: Any, kinds: Sequence[Kind]) -> Table:
    from creatorkit.ingest._header import detect

    shaped = [k for k in kinds if k.records] or list(kinds)
    if len(shaped) > 1:
        frames = {}
        for k in shaped:
            try:
                frames[k.name] = _json_frame(payload, k)
            except ValueError:
                continue
        fits = [k for k in shaped if k.name in frames]
        if not fits:
            fail("source", "the payload holds no known kind's records", ErrorCode.UNKNOWN_NAME)
        chosen = detect(fits, list(frames[fits[0].name].columns)) if len(fits) > 1 else fits[0]
        frame = frames[chosen.name]
    else:
        frame = _json_frame(payload, shaped[0])
    return _whole(frame, "json")


def _head_rows(head: str, delimiter: str) -> list[list[str]]:
    lines = head.splitlines()[:50]
    return list(csv.reader(lines, delimiter=delimiter))


_UTF16 = (b"\xff\xfe", b"\xfe\xff")


def _csv(data: bytes | str | os.PathLike[str], kinds: Sequence[Kind]) -> Table:
    if isinstance(data, bytes):
        head_bytes = data[:_HEAD_BYTES]
    else:
        with open(data, "rb") as handle:
            head_bytes = handle.read(_HEAD_BYTES)
    if head_bytes[:2] in _UTF16:  # a UTF-16 text (its byte-order mark): read as UTF-8
        whole = data if isinstance(data, bytes) else Path(data).read_bytes()
        try:
            return _csv(whole.decode("utf-16").encode("utf-8"), kinds)
        except UnicodeDecodeError as exc:
            fail("source", f"is not well-formed UTF-16 text: {exc}", ErrorCode.INVALID_VALUE)
    head = head_bytes.decode("utf-8-sig", errors="ignore")
    if not head.strip():
        fail("source", "is empty: no header and no rows", ErrorCode.EMPTY)
    scored = []
    for delimiter in _DELIMITERS:
        rows = _head_rows(head, delimiter)
        where, hits = find_header(rows, kinds)
        scored.append((hits, delimiter, where, rows))
    hits, delimiter, where, rows = max(scored, key=lambda t: t[0])
    if hits == 0:  # show the first row split where it splits most
        widest = max(scored, key=lambda t: len(t[3][0]) if t[3] else 0)[3]
        _no_header(widest, kinds, ErrorCode.UNKNOWN_NAME)
    headers = _unique(rows[where])

    def read(size: int | None) -> Iterator[pd.DataFrame]:
        handle: Any = io.BytesIO(data) if isinstance(data, bytes) else data
        reader: Any = pd.read_csv(
            handle,
            sep=delimiter,
            skiprows=where,
            header=0,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",
            chunksize=size,
            engine="c",
        )
        line = where + 2
        for part in reader if size else [reader]:
            part.columns = list(headers)[: part.shape[1]] + list(part.columns[len(headers) :])
            part.index = pd.RangeIndex(line, line + len(part))
            line += len(part)
            yield part

    def chunks(size: int | None) -> Iterator[pd.DataFrame]:
        try:
            yield from read(size)
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            fail("source", f"is not a well-formed table: {detail}", ErrorCode.INVALID_VALUE)

    return Table(
        headers=headers, chunks=chunks, form="csv", header_line=where + 1, delimiter=delimiter
    )


def open_table(source: Any, kinds: Sequence[Kind], *, sheet: str | None = None) -> Table:
    r"""A :class:`Table` from a path, bytes, a file object, a JSON payload or a DataFrame.

    Example:
        >>> from creatorkit.ingest._builtin import AMAZON
        >>> t = open_table(b"Fee-Earnings\nASIN,Tracking ID\nB0001,tag-20\n", [AMAZON])
        >>> t.headers, t.header_line, next(t.chunks(None)).index.tolist()
        (('ASIN', 'Tracking ID'), 2, [3])
    """
    if isinstance(source, pd.DataFrame):
        return _whole(_typed(source), "frame")
    if isinstance(source, Mapping | list):
        return _payload(source, kinds)
    if hasattr(source, "read"):
        content = source.read()
        source = content.encode("utf-8") if isinstance(content, str) else content
    if isinstance(source, str | os.PathLike) and not isinstance(source, bytes):
        path = Path(source)
        if not path.is_file():
            fail("source", "must be an existing file", ErrorCode.INVALID_VALUE, value=str(source))
        if path.stat().st_size == 0:
            fail("source", "is empty: no header and no rows", ErrorCode.EMPTY)
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            return _xlsx(path, kinds, sheet)
        if suffix == ".json":
            return _payload(json.loads(path.read_text(encoding="utf-8-sig")), kinds)
        return _csv(path, kinds)
    if isinstance(source, bytes):
        if source[:2] == b"PK":
            return _xlsx(source, kinds, sheet)
        if source.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] in (b"{", b"["):
            return _payload(json.loads(source.decode("utf-8-sig")), kinds)
        return _csv(source, kinds)
    fail(
        "source",
        "must be a path, a file object, bytes, a JSON payload or a DataFrame",
        ErrorCode.WRONG_TYPE,
        value=type(source).__name__,
    )
