"""Validated pandas tables: one schema per record type, checked column by column.

``validate(df, Model)`` returns a :class:`Validated` result holding a *typed copy* of the
table (the caller's DataFrame is never modified) and a quality report of implausible
but possible rows, which are kept. Every hard problem — missing columns, wrong types,
ids read as floats, NaN or infinities, negative counts, rates outside [0, 1], stars
outside 1–5, duplicate keys, naive or mixed timestamps, impossible time order — is
listed in one :class:`~creatorkit.errors.ValidationError`.

Dtypes after validation: ids, text, enums and codes are pandas ``string``; counts are
``int64`` (``float64`` when the column is nullable and has gaps); amounts, rates, stars
and numbers are ``float64``; booleans ``bool``; times ``datetime64[*, tz]``.

Example:
    >>> import pandas as pd
    >>> from creatorkit import Content
    >>> raw = pd.DataFrame({
    ...     "content_id": [7394017712830001234, 7394017712830001235],
    ...     "creator_id": ["c1", "c1"],
    ...     "published_at": ["2026-03-01 20:00", "2026-03-02 20:00"],
    ...     "content_type": ["video", "live"],
    ...     "views": [1000, 50], "likes": [80, 70],
    ... })
    >>> checked = validate(raw, Content, tz="Asia/Bangkok")
    >>> checked.frame["content_id"].tolist()
    ['7394017712830001234', '7394017712830001235']
    >>> checked.quality[["check", "row"]].to_dict("records")
    [{'check': 'likes_above_views', 'row': 1}]
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
import pandas as pd

from creatorkit._time import AMBIGUOUS, NONEXISTENT, aware_column, localize, parse_tz
from creatorkit._validation import (
    INT64_LIMIT,
    Problems,
    check_choice,
    check_frame,
    check_numeric,
    did_you_mean,
    fail,
)
from creatorkit.errors import ErrorCode
from creatorkit.models import MODELS, Record
from creatorkit.models._codes import COUNTRIES, CURRENCIES
from creatorkit.models._schema import (
    BOUNDS,
    NUMERIC,
    Column,
    Kind,
    check_scalar,
    to_targets,
    to_tuple,
)
from creatorkit.results import Copied, MethodCard, Note, Result

__all__ = ["QUALITY_COLUMNS", "Validated", "from_frame", "schema", "to_frame", "validate"]

R = TypeVar("R", bound=Record)

QUALITY_COLUMNS = ("check", "column", "row", "value", "bound")
"""Columns of :attr:`Validated.quality`."""

_OFFSET = re.compile(r"(Z|[+-]\d\d:?\d\d)$")


@attrs.frozen(kw_only=True, eq=False)
class Validated(Result):
    """A validated table and its quality report.

    Attributes:
        frame: The typed copy of the table (rows and their labels unchanged).
        quality: One row per flagged cell: ``check`` (code), ``column``, ``row`` (label),
            ``value`` and ``bound`` (the value it should not exceed). Rows are kept.
        model: Name of the record type the table was validated against.

    Example:
        >>> import pandas as pd
        >>> from creatorkit import Creator
        >>> table = pd.DataFrame({"creator_id": ["c1"], "platform": ["tiktok"], "country": ["TH"],
        ...                       "category": ["beauty"], "followers": [12_000]})
        >>> checked = validate(table, Creator)
        >>> checked.model, len(checked.frame), len(checked.quality)
        ('Creator', 1, 0)
    """

    _frame_field = "frame"
    _frame: pd.DataFrame
    frame = Copied[pd.DataFrame]()
    _quality: pd.DataFrame
    quality = Copied[pd.DataFrame]()
    model: str


def schema(model: type[Record]) -> pd.DataFrame:
    """The table schema of a record type as a DataFrame.

    Args:
        model: A record class such as :class:`~creatorkit.Content`.

    Returns:
        One row per column: ``column``, ``kind``, ``required``, ``nullable``, ``money``,
        ``values`` (allowed enum values) and ``description``.

    Example:
        >>> from creatorkit import OrderLine
        >>> schema(OrderLine).set_index("column").loc["order_id", "kind"]
        'id'
    """
    _check_model(model)
    return pd.DataFrame(
        [
            {
                "column": c.name,
                "kind": c.kind.value,
                "required": c.required,
                "nullable": c.nullable,
                "money": c.money,
                "values": ", ".join(e.value for e in c.enum) if c.enum else "",
                "description": c.doc,
            }
            for c in model.schema()
        ]
    )


def _check_model(model: Any) -> None:
    if not (isinstance(model, type) and issubclass(model, Record) and model is not Record):
        names = [m.__name__ for m in MODELS]
        fail("model", f"must be a record class, one of {names}", ErrorCode.WRONG_TYPE, value=model)


class _Checker:
    """Coerces and checks the columns of one table, collecting every problem."""

    def __init__(
        self, df: pd.DataFrame, tz: Any, problems: Problems, ambiguous: str, nonexistent: str
    ) -> None:
        self.df = df
        self.index = df.index
        self.tz = tz
        self.problems = problems
        self.ambiguous = ambiguous
        self.nonexistent = nonexistent

    def flag(self, col: Column, mask: Any, values: Any, rule: str, code: ErrorCode) -> None:
        self.problems.add_mask(
            col.name, np.asarray(mask, dtype=bool), self.index, values, rule, code
        )

    def missing(self, col: Column, series: pd.Series) -> np.ndarray:
        isna = series.isna().to_numpy()
        if not col.nullable:
            self.flag(col, isna, series, "must not be missing", ErrorCode.MISSING_VALUE)
        return isna

    def strings(self, col: Column, series: pd.Series) -> pd.Series:
        isna = self.missing(col, series)
        if pd.api.types.is_float_dtype(series.dtype):
            rule = "ids must be read as strings (floats lose digits: read with dtype=str)"
            code = ErrorCode.LOSSY_ID if col.kind is Kind.ID else ErrorCode.WRONG_TYPE
            self.flag(col, ~isna, series, rule, code)
            return series
        if pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            if pd.api.types.is_bool_dtype(series.dtype):
                self.flag(col, ~isna, series, "must be text", ErrorCode.WRONG_TYPE)
            return series.astype("string")
        if not isinstance(series.dtype, pd.StringDtype):
            inferred = pd.api.types.infer_dtype(series, skipna=True)
            if inferred not in ("string", "empty"):
                is_str = series.map(lambda v: isinstance(v, str), na_action="ignore")
                bad = ~isna & ~is_str.fillna(True).to_numpy(dtype=bool)
                self.flag(col, bad, series, "must be text (a str)", ErrorCode.WRONG_TYPE)
                if bad.any():
                    return series
        out = series.astype("string")
        if col.kind is Kind.ID:
            self.flag(
                col,
                (out == "").fillna(False).to_numpy(dtype=bool),
                series,
                "must be a non-empty string",
                ErrorCode.INVALID_VALUE,
            )
        return out

    def members(
        self, col: Column, series: pd.Series, allowed: frozenset[str], what: str
    ) -> pd.Series:
        out = self.strings(col, series)
        if out is series and not isinstance(series.dtype, pd.StringDtype):
            return series
        isin = out.isin(list(allowed)).to_numpy(dtype=bool)
        bad = ~isin & out.notna().to_numpy()
        self.flag(col, bad, out, f"must be {what}", ErrorCode.INVALID_VALUE)
        return out

    def numbers(self, col: Column, series: pd.Series) -> pd.Series:
        bounds = BOUNDS[col.kind]
        values = check_numeric(
            self.problems,
            col.name,
            series,
            low=bounds.low,
            high=bounds.high,
            integer=bounds.integer,
            missing_ok=col.nullable,
        )
        if pd.api.types.is_bool_dtype(series.dtype):
            return series
        whole = bool(np.isfinite(values).all()) and bool((values == np.floor(values)).all())
        fits = bool((np.abs(values) < INT64_LIMIT).all())
        if col.kind is Kind.COUNT and whole and fits:
            if pd.api.types.is_integer_dtype(series.dtype):
                return series.astype(np.int64)
            return pd.Series(values.astype(np.int64), index=series.index, name=series.name)
        return pd.Series(values, index=series.index, name=series.name)

    def booleans(self, col: Column, series: pd.Series) -> pd.Series:
        isna = self.missing(col, series)
        if pd.api.types.is_bool_dtype(series.dtype) and not isna.any():
            return series.astype(bool)
        ok = series.isin([True, False, 0, 1]).to_numpy(dtype=bool)
        self.flag(col, ~ok & ~isna, series, "must be True/False (or 0/1)", ErrorCode.WRONG_TYPE)
        if isna.any():
            return series.astype("boolean") if ok[~isna].all() else series
        return series.astype(bool) if ok.all() else series

    def times(self, col: Column, series: pd.Series) -> pd.Series:
        isna = self.missing(col, series)
        if isna.all() and not isinstance(series.dtype, pd.DatetimeTZDtype):
            return pd.Series(
                pd.NaT, index=series.index, name=series.name, dtype="datetime64[ns, UTC]"
            )
        if isinstance(series.dtype, pd.DatetimeTZDtype) or getattr(
            getattr(series.dtype, "pyarrow_dtype", None), "tz", None
        ):
            return aware_column(self.df, col.name)
        if pd.api.types.is_datetime64_dtype(series.dtype):
            return self._localize(col, series, isna)
        if pd.api.types.is_numeric_dtype(series.dtype) and not isna.all():
            self.flag(col, ~isna, series, "must be timestamps, not numbers", ErrorCode.WRONG_TYPE)
            return series
        aware = series.map(_is_aware, na_action="ignore").astype(object)
        aware_mask = (aware == True).to_numpy(dtype=bool)  # noqa: E712 - object comparison
        naive_mask = (aware == False).to_numpy(dtype=bool)  # noqa: E712
        if aware_mask.any() and naive_mask.any():
            self.flag(
                col,
                naive_mask,
                series,
                "mixes naive and timezone-aware timestamps",
                ErrorCode.NAIVE_TIMESTAMP,
            )
            return series
        parsed = pd.to_datetime(
            series, errors="coerce", utc=bool(aware_mask.any()), format="ISO8601"
        )
        bad = parsed.isna().to_numpy() & ~isna
        self.flag(col, bad, series, "must be an ISO-8601 timestamp", ErrorCode.WRONG_TYPE)
        if aware_mask.any():
            return _one_zone(series, parsed)
        return self._localize(col, parsed, isna)

    def _localize(self, col: Column, series: pd.Series, isna: np.ndarray) -> pd.Series:
        if self.tz is None:
            rule = "naive timestamps: pass tz= (the shop's time zone) to localize them"
            self.flag(col, ~isna, series, rule, ErrorCode.NAIVE_TIMESTAMP)
            return series
        return localize(
            series,
            self.tz,
            column=col.name,
            problems=self.problems,
            ambiguous=self.ambiguous,
            nonexistent=self.nonexistent,
        )

    def objects(self, col: Column, series: pd.Series) -> pd.Series:
        isna = self.missing(col, series)
        converted = series.map(_OBJECT_CONVERTERS[col.kind], na_action="ignore")
        found = [None if m else check_scalar(col, v) for m, v in zip(isna, converted, strict=True)]
        bad = np.array([f is not None for f in found], dtype=bool)
        if bad.any():
            rule, code = next(f for f in found if f is not None)
            self.flag(col, bad, series, rule, code)
        return converted

    def column(self, col: Column, series: pd.Series) -> pd.Series:
        if col.kind in NUMERIC:
            return self.numbers(col, series)
        if col.kind in (Kind.ID, Kind.TEXT):
            return self.strings(col, series)
        if col.kind is Kind.ENUM:
            assert col.enum is not None
            allowed = frozenset(e.value for e in col.enum)
            return self.members(col, series, allowed, f"one of {sorted(allowed)}")
        if col.kind is Kind.COUNTRY:
            return self.members(col, series, COUNTRIES, "an ISO 3166-1 alpha-2 code")
        if col.kind is Kind.CURRENCY:
            return self.members(col, series, CURRENCIES, "an ISO 4217 currency code")
        if col.kind is Kind.BOOL:
            return self.booleans(col, series)
        if col.kind is Kind.TIME:
            return self.times(col, series)
        return self.objects(col, series)


_OBJECT_CONVERTERS = {Kind.COUNTRIES: to_tuple, Kind.TAGS: to_tuple, Kind.TARGETS: to_targets}


def _one_zone(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    """Keep the zone of datetimes that all share one (records round-trip with +07:00)."""
    zones = {v.tzinfo for v in raw.dropna() if isinstance(v, dt.datetime)}
    if len(zones) == 1 and raw.dropna().map(lambda v: isinstance(v, dt.datetime)).all():
        zone = next(iter(zones))
        if zone is not None:
            converted: pd.Series = parsed.dt.tz_convert(zone)
            return converted
    return parsed


def _is_aware(value: Any) -> bool | None:
    if isinstance(value, dt.datetime):
        return value.tzinfo is not None and value.utcoffset() is not None
    if isinstance(value, str):
        return bool(_OFFSET.search(value.strip()))
    return None


def validate(
    df: pd.DataFrame,
    model: type[Record],
    *,
    tz: Any = None,
    ambiguous: str = "raise",
    nonexistent: str = "raise",
) -> Validated:
    """Check a table against the schema of ``model`` and return a typed copy.

    Args:
        df: The table; one row per entity. Not modified. Extra columns are kept as they are.
        model: The record type, e.g. :class:`~creatorkit.Content` or :class:`~creatorkit.OrderLine`.
        tz: Time zone used to localize naive timestamps (exports carry shop-local naive
            times): an IANA name such as ``"Asia/Bangkok"`` or a fixed offset such as
            ``"+07:00"`` (a number is an error). Without it, naive timestamps are an error.
            Aware timestamps of any zone or backend are kept.
        ambiguous: A local time that happens twice (clocks set back): ``"raise"`` (an
            error listing the rows), ``"earliest"``, ``"latest"`` or ``"NaT"``.
        nonexistent: A local time that never happens (clocks set forward): ``"raise"``,
            ``"shift_forward"``, ``"shift_backward"`` or ``"NaT"``.

    Returns:
        :class:`Validated` with the typed ``frame``, the ``quality`` report and notes.

    Raises:
        ValidationError: Every hard problem at once, with a failure-cases table.

    Example:
        >>> import pandas as pd
        >>> from creatorkit import Creator
        >>> bad = pd.DataFrame({"creator_id": [1.0, 2.0], "platform": ["tiktok", "tik tok"],
        ...                     "country": ["TH", "XX"], "category": ["beauty", "home"],
        ...                     "followers": [-5, 100]})
        >>> try:
        ...     validate(bad, Creator)
        ... except ValueError as exc:
        ...     print(sorted(set(exc.failure_cases["code"])))
        ['invalid_value', 'lossy_id', 'negative']
    """
    _check_model(model)
    check_frame("df", df)
    zone = parse_tz(tz)
    check_choice("ambiguous", ambiguous, AMBIGUOUS)
    check_choice("nonexistent", nonexistent, NONEXISTENT)
    problems = Problems("df")
    cols = model.schema()
    present = [str(c) for c in df.columns]
    for col in cols:
        if col.required and col.name not in df.columns:
            rule = (
                f"required column of {model.__name__} is missing.{did_you_mean(col.name, present)}"
            )
            problems.add(col.name, rule, ErrorCode.MISSING_COLUMN)
    checker = _Checker(df, zone, problems, ambiguous, nonexistent)
    out = {name: df[name] for name in df.columns}
    for col in cols:
        if col.name in df.columns:
            out[col.name] = checker.column(col, df[col.name])
    frame = pd.DataFrame(out, index=df.index)
    key = [k for k in model.key if k in frame.columns]
    if key and len(key) == len(model.key):
        # one key column: Series.duplicated hashes it directly (several times faster)
        keyed = frame[key[0]] if len(key) == 1 else frame[key]
        dup = duplicated_keys(keyed)
        values = frame[key[0]] if len(key) == 1 or not dup.any() else _joined(frame[key])
        problems.add_mask(
            " + ".join(key),
            dup,
            frame.index,
            values,
            "must be unique (a key)",
            ErrorCode.DUPLICATE_KEY,
        )
    problems.raise_if_any()
    for earlier, later in model.ordered:
        if earlier in frame.columns and later in frame.columns:
            bad = (frame[later] < frame[earlier]).fillna(False).to_numpy(dtype=bool)
            problems.add_mask(
                later,
                bad,
                frame.index,
                frame[later],
                f"must not be before {earlier}",
                ErrorCode.INCONSISTENT,
            )
    for check in model.rules:
        bad = check.check(frame)
        if bad.any():
            column = frame.get(check.column, pd.Series(None, index=frame.index, dtype=object))
            problems.add_mask(check.column, bad, frame.index, column, check.rule, check.code)
    problems.raise_if_any()
    quality, notes = _quality(frame, model)
    card = MethodCard.create(
        "frames.validate",
        model=model.__name__,
        tz=str(zone) if zone is not None else None,
        ambiguous=ambiguous,
        nonexistent=nonexistent,
    )
    return Validated(
        frame=frame, quality=quality, model=model.__name__, method=card, warnings=notes
    )


def duplicated_keys(keys: pd.Series | pd.DataFrame) -> np.ndarray:
    """Rows whose key appears more than once: ``keys.duplicated(keep=False)``, often faster.

    A key column whose values rise (or fall) strictly from row to row, with none missing,
    has no duplicate — one comparison of neighbours (Arrow's for text held by pyarrow)
    instead of hashing every value, for exports sorted by id. Any other column, and
    several key columns, are hashed by pandas. The answer is the same either way.

    Args:
        keys: One key column, or a frame of several.

    Returns:
        A boolean array, True for each row whose key is not unique (missing keys are
        equal to each other, as in pandas).

    Example:
        >>> duplicated_keys(pd.Series(["a", "b", "c"])).tolist()
        [False, False, False]
        >>> duplicated_keys(pd.Series(["b", "a", "b"])).tolist()
        [True, False, True]
    """
    if isinstance(keys, pd.Series) and _monotonic(keys):
        return np.zeros(len(keys), dtype=bool)
    return np.asarray(keys.duplicated(keep=False).to_numpy(dtype=bool), dtype=bool)


def _monotonic(values: pd.Series) -> bool:
    """True when ``values`` strictly rise or strictly fall and none is missing (no duplicate).

    Only decided for text held by pyarrow and numpy numbers (False otherwise: hash them).
    """
    if len(values) < 2:
        return True
    dtype = values.dtype
    if getattr(dtype, "storage", None) == "pyarrow" or getattr(dtype, "pyarrow_dtype", None):
        import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
        import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]

        arr = pa.array(values.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if arr.null_count or not (
            pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
        ):
            return False
        head, tail = arr[:-1], arr[1:]
        return bool(pc.all(pc.less(head, tail)).as_py() or pc.all(pc.greater(head, tail)).as_py())
    if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        raw = values.to_numpy()
        head, tail = raw[:-1], raw[1:]
        return bool((head < tail).all() or (head > tail).all())  # NaN compares False
    return False


def _joined(frame: pd.DataFrame) -> pd.Series:
    """Key columns as one text per row, ``a|b`` (missing parts as ``<NA>``)."""
    parts = [frame[c].astype("string").fillna("<NA>") for c in frame.columns]
    out = parts[0]
    for part in parts[1:]:
        out = out + "|" + part
    return out


def _quality(frame: pd.DataFrame, model: type[Record]) -> tuple[pd.DataFrame, list[Note]]:
    parts = []
    notes = []
    for code, column, bound in model.quality:
        if column not in frame.columns or bound not in frame.columns:
            continue
        value = frame[column].to_numpy(dtype=float, na_value=np.nan)
        limit = frame[bound].to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            mask = value > limit
        if not mask.any():
            continue
        parts.append(
            pd.DataFrame(
                {
                    "check": code,
                    "column": column,
                    "row": pd.Series(frame.index[mask], dtype=object),
                    "value": value[mask],
                    "bound": limit[mask],
                }
            )
        )
        count = int(mask.sum())
        notes.append(
            Note(
                code=code,
                message=f"{count} rows have {column} above {bound} (kept)",
                count=count,
                subject=column,
            )
        )
    if parts:
        return pd.concat(parts, ignore_index=True), notes
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in QUALITY_COLUMNS})
    return empty, notes


def to_frame(records: Sequence[Record]) -> pd.DataFrame:
    """Turn records of one type into a typed, validated table.

    Args:
        records: A non-empty sequence of records of the same type.

    Returns:
        One row per record, columns in schema order, dtypes as :func:`validate` gives.

    Example:
        >>> from creatorkit import Creator
        >>> rows = [Creator(creator_id=f"c{i}", platform="tiktok", country="VN",
        ...                 category="home", followers=1000 * i) for i in (1, 2)]
        >>> to_frame(rows)[["creator_id", "followers"]]
          creator_id  followers
        0         c1       1000
        1         c2       2000
    """
    if isinstance(records, Record) or not isinstance(records, Sequence) or not records:
        fail("records", "must be a non-empty sequence of records", ErrorCode.EMPTY)
    types = {type(r) for r in records}
    if len(types) != 1 or not issubclass(next(iter(types)), Record):
        names = sorted(t.__name__ for t in types)
        fail("records", "must all be records of one type", ErrorCode.WRONG_TYPE, value=names)
    model = next(iter(types))
    data = {
        c.name: pd.Series([_plain(getattr(r, c.name)) for r in records], dtype=object)
        for c in model.schema()
    }
    return validate(pd.DataFrame(data), model).frame


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value)
    return value.value if isinstance(value, enum.Enum) else value


def from_frame(
    df: pd.DataFrame,
    model: type[R],
    *,
    tz: Any = None,
    ambiguous: str = "raise",
    nonexistent: str = "raise",
) -> list[R]:
    """Validate a table and turn each row into a record of type ``model``.

    Args:
        df: The table (not modified).
        model: The record type.
        tz: Time zone for naive timestamps, as in :func:`validate`.
        ambiguous: Choice for repeated local times, as in :func:`validate`.
        nonexistent: Choice for skipped local times, as in :func:`validate`.

    Returns:
        One record per row, in row order.

    Example:
        >>> from creatorkit import Creator
        >>> rows = from_frame(pd.DataFrame({"creator_id": ["c1"], "platform": ["youtube"],
        ...     "country": ["GB"], "category": ["tech"], "followers": [12]}), Creator)
        >>> rows[0].followers
        12
    """
    frame = validate(df, model, tz=tz, ambiguous=ambiguous, nonexistent=nonexistent).frame
    names = [c.name for c in model.schema() if c.name in frame.columns]
    objects = frame[names].astype(object)
    objects = objects.where(frame[names].notna(), None)
    out: list[R] = []
    for row in objects.itertuples(index=False, name=None):
        values = {n: _native(v) for n, v in zip(names, row, strict=True)}
        out.append(model(**values))
    return out


def _native(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
