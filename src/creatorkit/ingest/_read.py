"""``read``: a source → raw chunks → converted, validated tables (or merged summaries)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from creatorkit._time import AMBIGUOUS, NONEXISTENT, parse_tz
from creatorkit._validation import Problems, check_choice, fail
from creatorkit.errors import ErrorCode, ValidationError
from creatorkit.frames import QUALITY_COLUMNS, validate
from creatorkit.ingest._builtin import generic
from creatorkit.ingest._convert import Options, convert
from creatorkit.ingest._header import Mapped, detect, map_headers, require
from creatorkit.ingest._kinds import KINDS, MISSING, Kind
from creatorkit.ingest._parse import DECIMALS
from creatorkit.ingest._result import REJECTED_COLUMNS, REPORT_COLUMNS, IngestResult
from creatorkit.ingest._source import Table, open_table
from creatorkit.models import MODELS
from creatorkit.results import MethodCard, Note

__all__ = ["read"]

ON_ERROR = ("raise", "exclude")


def _kind(kind: Any, model: Any, columns: Any, date_format: str | None) -> Kind | None:
    if kind is None or isinstance(kind, Kind):
        return kind
    if not isinstance(kind, str):
        fail(
            "kind", "must be a kind name or a Kind", ErrorCode.WRONG_TYPE, value=type(kind).__name__
        )
    if kind == "generic":
        if not (isinstance(model, type) and model in MODELS) or not isinstance(columns, Mapping):
            rule = "kind='generic' needs model= (a record class) and columns= {header: field}"
            fail("kind", rule, ErrorCode.MISSING_VALUE)
        extra = {"date_format": date_format} if date_format else {}
        return generic(model, dict(columns), **extra)
    return KINDS.get(kind)


def _description(raw: pd.DataFrame, kind: Kind, mapped: Mapped) -> bool:
    """Whether the first row describes the columns (text without digits where numbers go).

    Missing markers (``--``) are no description, and a row whose id cells hold digits is
    data: a first row of a video without sales (``--`` revenue) is kept.
    """
    if not kind.description_row or raw.empty:
        return False
    numeric = ("id", "count", "number", "money", "rate", "time")
    first = {
        f.name: (f.parse, str(raw[mapped.columns[f.name]].iloc[0]).strip())
        for f in kind.fields
        if f.parse in numeric and f.name in mapped.columns
    }
    cells = [c for _, c in first.values() if c not in MISSING]
    if any(p == "id" and any(ch.isdigit() for ch in c) for p, c in first.values()):
        return False
    wordy = [c for c in cells if not any(ch.isdigit() for ch in c)]
    return len(wordy) >= 2 and len(wordy) * 2 >= len(cells)


TOTALS = frozenset({"total", "totals", "grand total", "sum", "tổng", "tổng cộng", "jumlah",
                    "total keseluruhan", "รวม", "ทั้งหมด", "ยอดรวม"})  # fmt: skip
"""First cells of a summary row at the end of an export (compared in lower case)."""


def _totals(raw: pd.DataFrame, kind: Kind, mapped: Mapped) -> int:
    """How many trailing rows are summaries: a first cell ``Total`` and no id of their own.

    Only the last rows are looked at (a summary closes the export).
    """
    if raw.empty or raw.shape[1] == 0:
        return 0
    tail = raw.iloc[-3:]
    label = tail.iloc[:, 0].astype(str).str.strip().str.rstrip(":").str.strip().str.lower()
    total = np.array(label.isin(TOTALS), dtype=bool)
    for f in kind.fields:
        if f.parse == "id" and f.name in mapped.columns:
            cell = tail[mapped.columns[f.name]].astype(str).str.strip()
            empty = cell.isin(MISSING) | tail[mapped.columns[f.name]].isna()
            total &= (empty | (cell.str.lower().str.rstrip(":") == label)).to_numpy(dtype=bool)
    count = 0
    for flag in total[::-1]:  # the trailing run of summary rows
        if not flag:
            break
        count += 1
    return count


class _Reader:
    """Reads the chunks of one table, collecting tables, report lines and rejects."""

    def __init__(self, table: Table, kind: Kind, mapped: Mapped, opts: Options, on_error: str):
        self.table, self.kind, self.mapped, self.opts = table, kind, mapped, opts
        self.on_error = on_error
        self.frames: list[pd.DataFrame] = []
        self.quality: list[pd.DataFrame] = []
        self.report: list[dict[str, Any]] = []
        self.rejected: list[pd.DataFrame] = []
        self.reasons: dict[str, int] = {}
        self.ranged: dict[str, int] = {}
        self.rows = 0
        self.decimal = opts.decimal or kind.decimal["*"]

    def chunk(self, raw: pd.DataFrame, first: bool) -> pd.DataFrame | None:
        self.rows += len(raw)
        if first and _description(raw, self.kind, self.mapped):
            self._count("description row after the header", 1)
            raw = raw.iloc[1:]
        totals = _totals(raw, self.kind, self.mapped)
        if totals:
            self._count("summary row ('Total') at the end", totals)
            raw = raw.iloc[:-totals]
        problems = Problems("source")
        done = convert(raw, self.kind, self.mapped, self.opts, problems)
        self.report.extend(done.report)
        self.decimal = done.decimal
        for reason, count in done.reasons.items():
            self._count(reason, count)
        for name, count in done.ranged.items():
            self.ranged[name] = self.ranged.get(name, 0) + count
        frame = done.frame[~done.excluded]
        if problems and self.on_error == "raise":  # every problem at once: the table's too
            self._raise_all(frame, problems.error())
        kept = self._drop(frame, problems.error() if problems else None)
        try:
            checked = validate(kept, self.kind.model)
        except ValidationError as exc:
            checked = validate(self._drop(kept, exc), self.kind.model)
        self.quality.append(checked.quality)
        return checked.frame

    def _count(self, reason: str, count: int) -> None:
        self.reasons[reason] = self.reasons.get(reason, 0) + count

    def _raise_all(self, frame: pd.DataFrame, error: ValidationError) -> None:
        """Raise the parse problems with the table's problems (one error listing all).

        A cell that did not parse is not listed again as missing.
        """
        try:
            validate(frame, self.kind.model)
        except ValidationError as exc:
            field = {h: f for f, h in self.mapped.columns.items()}
            parsed = error.failure_cases
            seen = {
                (r, field.get(c, c)) for r, c in zip(parsed["row"], parsed["column"], strict=True)
            }
            more = exc.failure_cases
            fresh = [(r, c) not in seen for r, c in zip(more["row"], more["column"], strict=True)]
            problems = Problems("source")
            for (column, rule, code), part in more[fresh].groupby(
                ["column", "rule", "code"], sort=False, dropna=False
            ):
                rows = None if part["row"].isna().all() else list(part["row"])
                values = None if rows is None else list(part["value"])
                name = None if column is None else str(column)
                problems.add(name, str(rule), ErrorCode(str(code)), rows=rows, values=values)
            if problems:
                lines = [
                    *error.message.splitlines()[1:],
                    *problems.error().message.splitlines()[1:],
                ]
                cases = pd.concat([parsed, problems.error().failure_cases], ignore_index=True)
                head = f"source: {len(lines)} problem{'s' if len(lines) != 1 else ''}"
                raise ValidationError(
                    "\n".join([head, *lines]), argument="source", failure_cases=cases
                ) from None
        raise error

    def _drop(self, frame: pd.DataFrame, error: ValidationError | None) -> pd.DataFrame:
        """Leave out the rows an error names (``on_error="exclude"``), else raise it."""
        if error is None:
            return frame
        cases = error.failure_cases
        if self.on_error == "raise" or cases is None or cases["row"].isna().any():
            raise error
        cases = cases[list(REJECTED_COLUMNS)]
        self.rejected.append(cases)
        return frame[~frame.index.isin(list(cases["row"]))]


def _report(reader: _Reader) -> pd.DataFrame:
    lines = pd.DataFrame(reader.report, columns=list(REPORT_COLUMNS))
    keys = ["column", "field", "conversion"]
    merged = lines.fillna({"column": ""}).groupby(keys, sort=False, dropna=False).sum()
    out = merged.reset_index()
    table = reader.table
    where = f"header on line {table.header_line}" if table.header_line else "header: columns"
    if table.delimiter is not None:
        where += f", delimiter {table.delimiter!r}"
    extra = [("", "", f"{table.form}: {where}", 0, 0)]
    extra += [("", "", f"rows excluded: {r}", 0, n) for r, n in reader.reasons.items()]
    rejected = sum(len(set(r["row"])) for r in reader.rejected)
    if rejected:
        extra.append(("", "", "rows rejected (see .rejected)", 0, rejected))
    tail = pd.DataFrame(extra, columns=list(REPORT_COLUMNS))
    return pd.concat([out, tail], ignore_index=True)


def _notes(reader: _Reader, rejected: pd.DataFrame) -> list[Note]:
    notes = []
    for reason, count in reader.reasons.items():
        notes.append(
            Note.counted(
                "rows_excluded", "{count} rows excluded: {subject}", count=count, subject=reason
            )
        )
    for name, count in reader.ranged.items():
        if count:
            text = "{count} rows give {subject} only as a range (kept in its _low/_high bounds)"
            notes.append(Note.counted("value_range", text, count=count, subject=name))
    if len(rejected):
        count = int(rejected["row"].nunique())
        notes.append(
            Note.counted("rows_rejected", "{count} rows rejected (see .rejected)", count=count)
        )
    return notes


def read(
    source: Any,
    *,
    kind: str | Kind | None = None,
    tz: Any = None,
    currency: str | None = None,
    decimal: str | None = None,
    date_format: str | None = None,
    values: Mapping[str, Any] | None = None,
    on_error: str = "raise",
    chunksize: int | None = None,
    summarize: Mapping[str, Any] | None = None,
    sheet: str | None = None,
    model: Any = None,
    columns: Mapping[str, str] | None = None,
    ambiguous: str = "raise",
    nonexistent: str = "raise",
) -> IngestResult:
    r"""Read an export (CSV/TSV, XLSX, JSON payload or DataFrame) into a validated table.

    Args:
        source: A path, bytes, a file object, a parsed JSON payload or a DataFrame.
        kind: A registered kind name (see :func:`kinds`), a :class:`Kind`, ``"generic"``
            (with ``model=`` and ``columns=``) or ``None`` to detect it from the headers.
        tz: Zone of shop-local times (IANA name or ``"+07:00"``); required when the kind's
            times carry no zone. API kinds are UTC.
        currency: Currency of the money columns when the file names none (a currency
            column, a header unit ``(Rp)`` or symbols); a cell in another currency is an
            error.
        decimal: ``"."`` or ``","``; by default the kind's mark for the header language,
            else for the file's currency (IDR and VND write ``150.000``), else ``"."``.
        date_format: A strptime format replacing the kind's for every non-unix time.
        values: Columns the file lacks, as constants (``{"creator_id": "mai"}``).
        on_error: ``"raise"`` (every problem at once) or ``"exclude"`` (leave out the rows
            with problems, listed in ``.rejected`` and counted).
        chunksize: Read the file in chunks of this many lines (large files).
        summarize: Keep only merged summaries: ``{"metrics": [...], "by": ...}`` and other
            arguments of :func:`creatorkit.summaries.summarize`; each chunk is validated,
            summarized and added, so memory follows the chunk size.
        sheet: XLSX sheet name (default: the sheet whose header fits best).
        model: With ``kind="generic"``: the record class.
        columns: With ``kind="generic"``: ``{header: field}``.
        ambiguous: Local times that happen twice, as in ``frames.validate``.
        nonexistent: Local times that never happen, as in ``frames.validate``.

    Returns:
        :class:`IngestResult` with the table, the conversion report and the rejects.

    Raises:
        ValidationError: Unknown or ambiguous kind (the closest are listed), a missing
            required column (its aliases named), values that do not parse (with rows),
            an empty file, or any problem of ``frames.validate``.

    Example:
        >>> import creatorkit as ck
        >>> csv = ("Order ID,SKU ID,Payment Amount,Order Status,Creator Username,"
        ...        "Time Created,Standard commission rate,Currency\n"
        ...        "\t5770000000000000001,sku9,\"$1,234.56\",Completed,mai,"
        ...        "07/06/2026 12:00:00,10%,USD\n")
        >>> res = ck.ingest.read(csv.encode(), tz="America/New_York")
        >>> res.kind
        'tiktok_shop.affiliate_orders'
        >>> row = res.table.iloc[0]
        >>> print(row["order_id"], row["gmv"], row["commission_rate"], row["ordered_at"])
        5770000000000000001 1234.56 0.1 2026-06-07 12:00:00-04:00
    """
    chosen = _kind(kind, model, columns, date_format)
    zone = parse_tz(tz)
    check_choice("on_error", on_error, ON_ERROR)
    check_choice("ambiguous", ambiguous, AMBIGUOUS)
    check_choice("nonexistent", nonexistent, NONEXISTENT)
    if decimal is not None:
        check_choice("decimal", decimal, DECIMALS)
    _check_options(currency, date_format, values, chunksize, summarize)
    candidates = [chosen] if chosen is not None else [KINDS.get(n) for n in KINDS]
    table = open_table(source, candidates, sheet=sheet)
    chosen = chosen or detect(candidates, table.headers)
    mapped = map_headers(chosen, table.headers)
    require(chosen, mapped, tuple(values or ()))
    mark = decimal or chosen.decimal.get(mapped.language)
    opts = Options(
        tz=zone,
        currency=currency,
        decimal=mark,
        date_format=date_format,
        values=dict(values or {}),
        ambiguous=ambiguous,
        nonexistent=nonexistent,
        serials=table.numbers,
        epoch=table.epoch,
        typed=table.typed,
    )
    return _run(table, chosen, mapped, opts, on_error, chunksize, summarize)


def _check_options(
    currency: Any, date_format: Any, values: Any, chunksize: Any, summarize: Any
) -> None:
    if currency is not None and not (isinstance(currency, str) and len(currency) == 3):
        fail(
            "currency",
            "must be an ISO 4217 code such as 'IDR'",
            ErrorCode.INVALID_VALUE,
            value=currency,
        )
    if date_format is not None and not (isinstance(date_format, str) and "%" in date_format):
        fail(
            "date_format",
            "must be a strptime format such as '%d/%m/%Y %H:%M:%S'",
            ErrorCode.INVALID_VALUE,
            value=date_format,
        )
    if values is not None and not isinstance(values, Mapping):
        fail("values", "must be a mapping {column: value}", ErrorCode.WRONG_TYPE)
    if chunksize is not None and (
        isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1
    ):
        fail(
            "chunksize",
            "must be a positive whole number of lines",
            ErrorCode.INVALID_VALUE,
            value=chunksize,
        )
    if summarize is not None and not (isinstance(summarize, Mapping) and "metrics" in summarize):
        fail(
            "summarize", "must be a mapping with 'metrics' (and 'by', ...)", ErrorCode.INVALID_VALUE
        )


def _run(
    table: Table,
    kind: Kind,
    mapped: Mapped,
    opts: Options,
    on_error: str,
    chunksize: int | None,
    summarize: Mapping[str, Any] | None,
) -> IngestResult:
    from creatorkit import summaries

    reader = _Reader(table, kind, mapped, opts, on_error)
    summary: Any = None
    empty: pd.DataFrame | None = None
    for i, raw in enumerate(table.chunks(chunksize)):
        frame = reader.chunk(raw, first=i == 0)
        if frame is None or summarize is None:
            if frame is not None:
                reader.frames.append(frame)
            continue
        empty = frame.iloc[:0]
        args = {k: v for k, v in summarize.items() if k != "metrics"}
        part = summaries.summarize(frame, summarize["metrics"], **args)
        summary = part if summary is None else summary + part
    if reader.rows == 0:
        fail("source", "has a header but no rows", ErrorCode.EMPTY)
    frames = reader.frames or ([empty] if empty is not None else [])
    out = pd.concat(frames) if frames else pd.DataFrame()
    rejected = (
        pd.concat(reader.rejected, ignore_index=True)
        if reader.rejected
        else pd.DataFrame(columns=list(REJECTED_COLUMNS))
    )
    quality = (
        pd.concat(reader.quality, ignore_index=True)
        if reader.quality
        else pd.DataFrame(columns=list(QUALITY_COLUMNS))
    )
    excluded = sum(reader.reasons.values()) + int(rejected["row"].nunique())
    card = MethodCard.create(
        "ingest.read",
        runtime={"chunksize": chunksize},
        kind=kind.name,
        tz=str(opts.tz),
        currency=opts.currency,
        decimal=opts.decimal,
        date_format=opts.date_format,
        values=dict(opts.values),
        on_error=on_error,
        ambiguous=opts.ambiguous,
        nonexistent=opts.nonexistent,
        summarize=None if summarize is None else dict(summarize),
    )
    return IngestResult(
        table=out,
        report=_report(reader),
        rejected=rejected,
        quality=quality,
        kind=kind.name,
        model=kind.model.__name__,
        language=mapped.language,
        decimal=reader.decimal,
        rows_read=reader.rows,
        rows_excluded=excluded,
        summary=summary,
        method=card,
        warnings=_notes(reader, rejected),
    )
