"""Files → named scoring tables, each file's kind found from its columns.

A file is one of creatorkit's own tables when it carries the table's key column(s)
(``order_id`` → order lines, ``content_id`` → content, ...; the first match of
:data:`TABLES` wins) and is then checked by :func:`creatorkit.frames.validate` against
its record type; any other file is read by :func:`creatorkit.ingest.read`, whose header
detection recognizes raw exports (a TikTok Shop video or order export). A file that is
neither is an error listing what was found and what was expected.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._cli import CliError, Progress, blame, one_line

__all__ = ["TABLES", "TIMES", "Inputs", "latest", "read_files"]

TABLES: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("reviews", ("review_id",), None),
    ("samples", ("sample_id",), None),
    ("events", ("event_id",), None),
    ("orders", ("order_id",), "OrderLine"),
    ("collaborations", ("collaboration_id",), "Collaboration"),
    ("content", ("content_id",), "Content"),
    ("violations", ("violation_id",), "Violation"),
    ("audience", ("dimension", "segment", "share"), "AudienceShare"),
    ("fx_rates", ("date", "currency", "rate"), None),
    ("creators", ("creator_id",), "Creator"),
)
"""(table, the columns that identify it, record type), in the order files are tested."""

USED = ("creators", "content", "orders", "collaborations", "audience", "violations", "fx_rates")
"""The tables scoring reads."""

TIMES = {
    "creators": ("snapshot_at",),
    "content": ("published_at",),
    "orders": ("ordered_at", "refunded_at", "settled_at"),
    "collaborations": ("agreed_at", "posted_at", "paid_at"),
    "violations": ("occurred_at",),
    "audience": ("snapshot_at",),
}
"""The event times of each table; the latest of them is the default ``--as-of``."""

_EXPORT_TABLES = {"order_lines": "orders"}
_TEXT = ("id", "text", "enum", "country", "currency")
_CSV = (".csv", ".tsv", ".txt")
_EXPECTED = (
    "a creators table (creator_id, ...), content (content_id), order lines (order_id), "
    "collaborations (collaboration_id), audience (dimension, segment, share), violations "
    "(violation_id), fx rates (date, currency, rate), or an export creatorkit.ingest knows"
)


@attrs.frozen(kw_only=True)
class File:
    """One file read: its path, the table it became, how it was recognized, its rows."""

    path: str
    table: str
    kind: str
    rows: int
    excluded: int = 0


@attrs.frozen(kw_only=True, eq=False)
class Inputs:
    """The tables read, by name, and what each file was."""

    tables: dict[str, pd.DataFrame]
    files: tuple[File, ...]
    derived_creators: bool

    def describe(self) -> str:
        """One line per file: path, table, kind, rows (and rows the export excluded).

        Example:
            >>> files = (File(path="a.csv", table="content", kind="table", rows=3),)
            >>> Inputs(tables={"creators": pd.DataFrame()}, files=files,
            ...        derived_creators=False).describe()
            '  a.csv: content, 3 rows'
        """
        lines = []
        for f in self.files:
            how = f.table if f.kind == "table" else f"{f.table}, export {f.kind}"
            extra = f"; {f.excluded:,} rows excluded by the export" if f.excluded else ""
            lines.append(f"  {f.path}: {how}, {f.rows:,} rows{extra}")
        if self.derived_creators:
            count = len(self.tables["creators"])
            lines.append(f"  (no creators table: {count:,} creators from the other tables' ids)")
        return "\n".join(lines)


def _columns(path: Path) -> list[str]:
    suffix = path.suffix.lower()
    if suffix in _CSV:
        sep = "\t" if suffix == ".tsv" else ","
        try:
            head = pd.read_csv(path, nrows=0, sep=sep, encoding="utf-8-sig")
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise CliError(str(path), f"is not a readable CSV: {one_line(exc)}") from None
        return [str(c) for c in head.columns]
    if suffix == ".parquet":
        return [str(c) for c in _parquet(path, columns=[]).columns]
    if suffix in (".xlsx", ".xlsm"):
        return [str(c) for c in _excel(path, nrows=0).columns]
    return []


def _parquet(path: Path, **options: Any) -> pd.DataFrame:
    try:
        import pyarrow  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        raise CliError(str(path), "reading parquet needs pyarrow: pip install pyarrow") from None
    if options.get("columns") == []:
        import pyarrow.parquet as pq  # type: ignore[import-untyped,import-not-found,unused-ignore]

        return pd.DataFrame(columns=list(pq.read_schema(path).names))
    return pd.read_parquet(path, **options)


def _excel(path: Path, **options: Any) -> pd.DataFrame:
    try:
        import openpyxl  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
    except ImportError:
        rule = "reading Excel needs openpyxl: pip install 'creatorkit[excel]'"
        raise CliError(str(path), rule) from None
    frame: pd.DataFrame = pd.read_excel(path, **options)
    return frame


def _which(columns: Sequence[str]) -> tuple[str, str | None] | None:
    present = set(columns)
    for table, keys, model in TABLES:
        if present.issuperset(keys):
            return table, model
    return None


def _text_columns(columns: Sequence[str], model: Any) -> dict[str, Any]:
    kinds = {c.name: c.kind.value for c in model.schema()} if model is not None else {}
    return {
        c: str for c in columns if kinds.get(c) in _TEXT or c.endswith("_id") or c == "creator_id"
    }


def _times(columns: Sequence[str], model: Any) -> list[str]:
    names = {c.name for c in model.schema() if c.kind.value == "time"} if model else set()
    return [c for c in columns if c in names]


def _load(path: Path, columns: Sequence[str], model: Any) -> pd.DataFrame:
    """The file as a frame: text columns as text, row labels the lines of the file.

    CSV time columns are typed by the reader when every value is ISO-8601 of one kind
    (all with the same offset, or all naive); otherwise they stay text and
    ``frames.validate`` names the rows that are not (mixed, other formats).
    """
    suffix = path.suffix.lower()
    dtype = _text_columns(columns, model)
    if suffix == ".parquet":
        frame = _parquet(path)
        frame.index = pd.RangeIndex(1, len(frame) + 1)
        return frame
    if suffix in _CSV:
        fast = _arrow_csv(path, "\t" if suffix == ".tsv" else ",", columns, dtype, model)
        if fast is not None:
            fast.index = pd.RangeIndex(2, len(fast) + 2)
            return fast
        frame = pd.read_csv(
            path,
            sep="\t" if suffix == ".tsv" else ",",
            dtype=dtype,
            parse_dates=_times(columns, model),
            date_format="ISO8601",
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8-sig",
        )
    else:  # Excel cells keep their types: a 19-digit id stored as a number is refused
        frame = _excel(path)
        _excel_ids(path, frame, list(dtype))
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame


def _arrow_csv(
    path: Path, sep: str, columns: Sequence[str], dtype: dict[str, Any], model: Any
) -> pd.DataFrame | None:
    """The CSV read by pyarrow (parallel, ~4× faster), or None where pandas must read it.

    Gives what the pandas reader of :func:`_load` gives: text columns as text, an empty
    field as missing, ``True``/``False`` as booleans, the time columns parsed when every
    value is ISO-8601 of one kind (else left as text). A file with anything else — a
    number column holding text, a column with no values, duplicate or blank column
    names, quoted line breaks, bytes that are not UTF-8 — returns None and is read by
    pandas (the same result, or the reader's own error).
    """
    try:
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
        import pyarrow.csv as pcsv  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - pyarrow comes with pandas' text dtype
        return None
    from creatorkit._time import parse_iso_uniform

    times = _times(columns, model)
    if len(set(columns)) != len(columns) or any(not c or c.startswith("Unnamed:") for c in columns):
        return None
    text = {c: pa.string() for c in (*dtype, *times)}
    convert = pcsv.ConvertOptions(
        column_types=text,
        null_values=[""],
        strings_can_be_null=True,
        true_values=["True", "TRUE", "true"],
        false_values=["False", "FALSE", "false"],
    )
    try:
        table = pcsv.read_csv(
            path, parse_options=pcsv.ParseOptions(delimiter=sep), convert_options=convert
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
    if [str(c) for c in table.column_names] != list(columns):
        return None
    plain = (pa.types.is_integer, pa.types.is_floating, pa.types.is_boolean)
    for field in table.schema:
        if field.name not in text and not any(test(field.type) for test in plain):
            return None  # text where numbers were expected, dates, an empty column
    frame: pd.DataFrame = table.to_pandas()
    for column in times:
        fast = parse_iso_uniform(frame[column])  # one shape and offset: Arrow parses it
        if fast is not None:
            frame[column] = fast
            continue
        # what read_csv(parse_dates=..., date_format="ISO8601") does: mixed or other
        # formats stay text, and frames.validate names their rows
        with contextlib.suppress(ValueError, TypeError, OverflowError):
            frame[column] = pd.to_datetime(frame[column], format="ISO8601")
    return frame


def _excel_ids(path: Path, frame: pd.DataFrame, columns: list[str]) -> None:
    """Refuse ids that Excel stored as numbers beyond 2^53 (their last digits are gone)."""
    for column in columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
            big = np.abs(values.to_numpy(dtype=float, na_value=0.0)) >= 2.0**53
            if big.any():
                line = int(np.flatnonzero(big)[0]) + 2
                rule = (
                    f"column {column!r}: ids stored as numbers lose their last digits in Excel "
                    f"(line {line}: {values.iloc[int(np.flatnonzero(big)[0])]}); store them as text"
                )
                raise CliError(str(path), rule)


def _table(path: Path, table: str, model_name: str | None, tz: Any) -> pd.DataFrame:
    from creatorkit import frames, models
    from creatorkit._validation import Problems, check_keys
    from creatorkit.errors import ErrorCode, ValidationError

    columns = _columns(path)
    model = getattr(models, model_name) if model_name else None
    frame = _load(path, columns, model)
    if len(frame) == 0:
        raise CliError(str(path), f"is a {table} table without rows")
    complete = model is not None and all(
        c.name in frame.columns for c in model.schema() if c.required
    )
    if model is not None and (complete or table != "creators"):
        try:  # an incomplete table fails here, naming every missing column
            return frames.validate(frame, model, tz=tz).frame
        except ValidationError as exc:
            where = "--tz" if exc.argument == "tz" else str(path)
            raise CliError(where, one_line(exc) + _tz_hint(exc)) from None
    if "creator_id" in frame:
        with blame(str(path)):
            check_keys(str(path), frame, ["creator_id"])  # ids read as floats lose digits
        problems = Problems(str(path))
        missing = frame["creator_id"].isna().to_numpy()
        problems.add_mask(
            "creator_id", missing, frame.index, frame["creator_id"], "must not be missing",
            ErrorCode.MISSING_VALUE,
        )  # fmt: skip
        with blame(str(path)):
            problems.raise_if_any()
    return frame


def _tz_hint(exc: Any) -> str:
    from creatorkit._cli import HINTS

    codes = getattr(exc, "codes", ())
    return "".join(f"; {HINTS[c]}" for c in codes if c in HINTS)


def _export(path: Path, tz: Any, currency: str | None) -> tuple[pd.DataFrame, str, str, int]:
    """A raw export through ``ingest.read``: (frame, table, kind, rows excluded)."""
    from creatorkit import ingest
    from creatorkit.errors import ValidationError

    try:
        res = ingest.read(path, tz=tz, currency=currency)
    except ValidationError as exc:
        unknown = exc.argument == "source" and (
            "unknown_name" in exc.codes or "no header row" in str(exc)
        )
        if unknown:
            found = _columns(path)[:8]
            head = f"its columns {found} match no table; " if found else ""
            detail = f"{head}expected {_EXPECTED} ({one_line(exc)})"
            raise CliError(str(path), detail) from None
        names = {"tz": "--tz", "currency": "--export-currency"}
        where = names.get(str(exc.argument), str(path))
        raise CliError(where, f"{one_line(exc)} (read as a raw export{_tz_hint(exc)})") from None
    ((name, frame),) = res.tables.items()
    return frame, _EXPORT_TABLES.get(name, name), res.kind, res.rows_excluded


def _read_one(path: Path, tz: Any, currency: str | None) -> tuple[pd.DataFrame, File]:
    if not path.is_file():
        raise CliError(str(path), "no such file")
    if path.stat().st_size == 0:
        raise CliError(str(path), "is empty: no header and no rows")
    found = _which(_columns(path))
    excluded = 0
    if found is not None:
        table, model = found
        kind = "table"
        if table not in USED:
            rule = f"is a {table} table; score reads {', '.join(USED)}"
            raise CliError(str(path), rule)
        frame = _table(path, table, model, tz)
    else:
        frame, table, kind, excluded = _export(path, tz, currency)
        if table not in USED:
            rule = f"is a {table} export ({kind}); score reads {', '.join(USED)}"
            raise CliError(str(path), rule)
    info = File(path=str(path), table=table, kind=kind, rows=len(frame), excluded=excluded)
    return frame, info


def _creators(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    ids = [t["creator_id"].astype("string") for t in tables.values() if "creator_id" in t]
    if not ids:
        rule = "no file has a creator_id column: give a creators table or exports with creators"
        raise CliError("FILE", rule)
    every = pd.concat(ids, ignore_index=True).dropna()
    return pd.DataFrame({"creator_id": np.sort(every.drop_duplicates().to_numpy(dtype=object))})


def _combine(table: str, frames: list[pd.DataFrame], paths: list[str]) -> pd.DataFrame:
    from creatorkit import models

    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    model = {t: m for t, _, m in TABLES}.get(table)
    key = list(getattr(models, model).key) if model and len(frames) > 1 else []
    if table == "creators" and len(frames) > 1:
        key = ["creator_id"]
    if key and all(k in out for k in key):
        dup = out.duplicated(subset=key, keep=False).to_numpy()
        if dup.any():
            first = out.loc[dup, key].iloc[0].tolist()
            rule = f"{' + '.join(key)} {first} appears in more than one of {paths}"
            raise CliError("FILE", f"{table}: {rule} (a key must be unique)")
    return out.reset_index(drop=True)


def read_files(
    paths: Sequence[str], *, tz: Any, currency: str | None, progress: Progress
) -> Inputs:
    r"""Read every file into the named tables scoring takes (see the module docstring).

    Example:
        >>> import io, tempfile
        >>> where = Path(tempfile.mkdtemp())
        >>> _ = (where / "people.csv").write_text("creator_id,gpm\n007,1.5\n008,2.5\n")
        >>> _ = (where / "posts.csv").write_text(
        ...     "content_id,creator_id,published_at,content_type,views\n"
        ...     "1,007,2026-06-01T10:00:00+07:00,video,100\n")
        >>> got = read_files([str(where / "people.csv"), str(where / "posts.csv")], tz=None,
        ...                  currency=None, progress=Progress(2, io.StringIO(), size=0))
        >>> sorted(got.tables), got.tables["creators"]["creator_id"].tolist()
        (['content', 'creators'], ['007', '008'])
        >>> latest(got.tables)
        Timestamp('2026-06-01 03:00:00+0000', tz='UTC')
    """
    parts: dict[str, list[pd.DataFrame]] = {}
    where: dict[str, list[str]] = {}
    files = []
    for raw in paths:
        progress.step(f"reading {os.path.basename(raw)}")
        frame, info = _read_one(Path(raw), tz, currency)
        parts.setdefault(info.table, []).append(frame)
        where.setdefault(info.table, []).append(info.path)
        files.append(info)
    tables = {t: _combine(t, frames, where[t]) for t, frames in parts.items()}
    derived = "creators" not in tables
    if derived:
        tables["creators"] = _creators(tables)
    return Inputs(tables=tables, files=tuple(files), derived_creators=derived)


def latest(tables: dict[str, pd.DataFrame]) -> pd.Timestamp | None:
    """The latest event time of any table (:data:`TIMES`), in UTC; None without any.

    Example:
        >>> latest({"creators": pd.DataFrame({"creator_id": ["a"]})}) is None
        True
    """
    from creatorkit._time import aware_column

    found = []
    for table, columns in TIMES.items():
        frame = tables.get(table)
        for column in columns if frame is not None else ():
            assert frame is not None
            if column in frame and frame[column].notna().any():
                with blame("--as-of"):
                    found.append(aware_column(frame, column).max().tz_convert("UTC"))
    return max(found) if found else None
