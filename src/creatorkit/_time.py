"""The one time module: ``as_of`` cut-offs, windows, time zones and timestamp columns.

* A time zone is an IANA name (``"Asia/Bangkok"``, ``"UTC"``), a fixed offset
  (``"+07:00"``, ``"-05:30"``) or a ``tzinfo``; a number is refused (``7`` is not a zone).
* ``as_of`` is a timezone-aware moment (a timestamp, a datetime or an ISO-8601 string with
  an offset); naive moments and bare numbers are refused — never the clock.
* A window is a duration with a unit (``"7D"``, ``"6h"``, ``pd.Timedelta``,
  ``datetime.timedelta``, ``np.timedelta64(30, "s")``); a bare or unit-less number is refused.
* A timestamp column is aware in any zone or backend (numpy or Arrow); mixed zones in one
  column are read as one instant each and converted to UTC.
* Naive local times are localized with a declared choice for the hour that repeats or is
  skipped at a daylight-saving change (``ambiguous=`` / ``nonexistent=``).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

import numpy as np
import pandas as pd

from creatorkit._validation import Problems, fail
from creatorkit.errors import ErrorCode

__all__ = [
    "AMBIGUOUS",
    "NONEXISTENT",
    "aware_column",
    "localize",
    "parse_as_of",
    "parse_formatted",
    "parse_tz",
    "parse_window",
    "require_as_of",
]

AMBIGUOUS = ("raise", "earliest", "latest", "NaT")
"""Choices for a local time that happens twice (clocks set back): refuse, first or second."""

NONEXISTENT = ("raise", "shift_forward", "shift_backward", "NaT")
"""Choices for a local time that never happens (clocks set forward)."""

_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_UNIT = re.compile(r"[A-Za-z]")


def parse_tz(tz: Any, argument: str = "tz") -> dt.tzinfo | None:
    """A ``tzinfo`` from an IANA name, a fixed offset such as ``"+07:00"`` or a tzinfo.

    Example:
        >>> parse_tz("+07:00")
        datetime.timezone(datetime.timedelta(seconds=25200))
        >>> parse_tz("Asia/Bangkok")
        zoneinfo.ZoneInfo(key='Asia/Bangkok')
    """
    if tz is None:
        return None
    if isinstance(tz, dt.tzinfo):
        return tz
    rule = "must be a time zone name such as 'Asia/Bangkok' or 'UTC', or an offset like '+07:00'"
    if not isinstance(tz, str) or not tz.strip():
        fail(argument, f"{rule} (a number is not a time zone)", ErrorCode.WRONG_TYPE, value=tz)
    text = tz.strip()
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        if hours > 14 or minutes >= 60:
            fail(argument, "an offset must lie within ±14:00", ErrorCode.OUT_OF_RANGE, value=tz)
        delta = dt.timedelta(hours=hours, minutes=minutes)
        return dt.timezone(-delta if sign == "-" else delta)
    if text.upper() in ("UTC", "Z", "GMT"):
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        fail(argument, rule, ErrorCode.INVALID_VALUE, value=tz)


def parse_as_of(value: Any, argument: str = "as_of") -> pd.Timestamp | None:
    """A timezone-aware cut-off, or None; one clear error for anything else.

    Example:
        >>> parse_as_of("2026-06-30T23:59:59+07:00")
        Timestamp('2026-06-30 23:59:59+0700', tz='UTC+07:00')
    """
    if value is None:
        return None
    if isinstance(value, bool | int | float | np.number):
        fail(
            argument,
            "must be a timezone-aware timestamp, not a number",
            ErrorCode.WRONG_TYPE,
            value=value,
        )
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError):
        fail(
            argument,
            "must be a timestamp such as '2026-06-30T23:59:59+07:00'",
            ErrorCode.WRONG_TYPE,
            value=value,
        )
    if pd.isna(stamp):
        fail(argument, "must be a timestamp, not missing", ErrorCode.MISSING_VALUE, value=value)
    if stamp.tzinfo is None:
        fail(
            argument,
            "must be a timezone-aware timestamp (never the clock); add an offset or a zone",
            ErrorCode.NAIVE_TIMESTAMP,
            value=value,
        )
    return stamp


def require_as_of(value: Any, argument: str = "as_of") -> pd.Timestamp:
    """Like :func:`parse_as_of`, for a cut-off that must be given.

    Example:
        >>> require_as_of(pd.Timestamp("2026-06-30", tz="UTC")).year
        2026
    """
    stamp = parse_as_of(value, argument)
    if stamp is None:
        fail(argument, "is required (the clock is never used)", ErrorCode.MISSING_VALUE)
    return stamp


def parse_window(value: Any, argument: str = "window", *, zero: bool = False) -> pd.Timedelta:
    """A positive duration (zero too when ``zero``) from a value that carries a unit.

    Example:
        >>> parse_window("7D"), parse_window(np.timedelta64(30, "s"))
        (Timedelta('7 days 00:00:00'), Timedelta('0 days 00:00:30'))
    """
    rule = "must be a duration with a unit such as '7D', '6h' or pd.Timedelta(hours=6)"
    if isinstance(value, np.timedelta64):  # a numpy integer subclass: check it first
        if np.datetime_data(value.dtype)[0] == "generic":
            fail(argument, f"{rule}; this timedelta64 has no unit", ErrorCode.WRONG_TYPE)
    elif isinstance(value, bool | int | float | np.integer | np.floating):
        fail(argument, f"{rule}, not a bare number", ErrorCode.WRONG_TYPE, value=value)
    if isinstance(value, str) and not _UNIT.search(value):
        fail(argument, f"{rule}; {value!r} has no unit", ErrorCode.WRONG_TYPE, value=value)
    if not isinstance(value, str | pd.Timedelta | dt.timedelta | np.timedelta64):
        fail(argument, rule, ErrorCode.WRONG_TYPE, value=value)
    try:
        span = pd.Timedelta(value)
    except (TypeError, ValueError, OverflowError):
        fail(argument, rule, ErrorCode.WRONG_TYPE, value=value)
    if pd.isna(span) or span < pd.Timedelta(0) or (span == pd.Timedelta(0) and not zero):
        low = "zero or more" if zero else "positive"
        fail(argument, f"must be a {low} duration", ErrorCode.OUT_OF_RANGE, value=value)
    return span


def aware_column(frame: pd.DataFrame, column: str, argument: str = "df") -> pd.Series:
    """A timestamp column as pandas' timezone-aware dtype, whatever its zone or backend.

    Arrow timestamps with a zone convert to the numpy-backed dtype; an object column of
    aware timestamps in several zones converts to UTC. Naive timestamps are refused.

    Example:
        >>> df = pd.DataFrame({"t": [pd.Timestamp("2026-01-01", tz="Asia/Bangkok"),
        ...                          pd.Timestamp("2026-01-01", tz="UTC")]})
        >>> aware_column(df, "t").dt.hour.tolist()
        [17, 0]
    """
    series = frame[column]
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return series
    pyarrow_type = getattr(dtype, "pyarrow_dtype", None)
    if pyarrow_type is not None and getattr(pyarrow_type, "tz", None):
        return series.astype(pd.DatetimeTZDtype(unit=pyarrow_type.unit, tz=pyarrow_type.tz))
    if pd.api.types.is_object_dtype(dtype) and bool(series.notna().any()):
        values = series.dropna()
        aware = values.map(lambda v: isinstance(v, dt.datetime) and v.tzinfo is not None)
        if bool(aware.all()):
            return pd.to_datetime(series, utc=True)
    fail(
        argument,
        "must be timezone-aware timestamps (see frames.validate(tz=...))",
        ErrorCode.NAIVE_TIMESTAMP,
        column=column,
    )


def localize(
    series: pd.Series,
    tz: dt.tzinfo,
    *,
    column: str,
    problems: Problems,
    ambiguous: str = "raise",
    nonexistent: str = "raise",
) -> pd.Series:
    """Localize naive timestamps; times that repeat or never happen follow the choices.

    With ``"raise"`` such rows are listed in ``problems``; ``"earliest"`` / ``"latest"``
    pick the first or second of a repeated hour, ``"shift_forward"`` /
    ``"shift_backward"`` move a skipped time to the nearest real one, ``"NaT"`` leaves it
    missing. Missing inputs stay missing and are not reported here.

    Example:
        >>> naive = pd.Series(pd.to_datetime(["2026-11-01 01:30"]))
        >>> local = localize(naive, parse_tz("America/New_York"), column="t",
        ...                  problems=Problems("df"), ambiguous="earliest")
        >>> str(local.iloc[0])
        '2026-11-01 01:30:00-04:00'
    """
    if ambiguous not in AMBIGUOUS:
        fail("ambiguous", f"must be one of {list(AMBIGUOUS)}", ErrorCode.INVALID_VALUE)
    if nonexistent not in NONEXISTENT:
        fail("nonexistent", f"must be one of {list(NONEXISTENT)}", ErrorCode.INVALID_VALUE)
    present = series.notna().to_numpy()
    dst = np.ones(len(series), dtype=bool)  # True: the first (daylight-saving) reading
    first = series.dt.tz_localize(tz, ambiguous=dst, nonexistent="NaT")
    second = series.dt.tz_localize(tz, ambiguous=~dst, nonexistent="NaT")
    repeated = (first != second).to_numpy(dtype=bool) & present & first.notna().to_numpy()
    skipped = present & first.isna().to_numpy()
    out = first if ambiguous in ("earliest", "raise", "NaT") else second
    if ambiguous == "NaT":
        out = out.mask(repeated)
    if skipped.any() and nonexistent in ("shift_forward", "shift_backward"):
        shifted = series.dt.tz_localize(tz, ambiguous=dst, nonexistent=nonexistent)
        out = out.where(~skipped, shifted)
    if ambiguous == "raise":
        rule = "happens twice in this zone (clocks set back); pass ambiguous='earliest' or 'latest'"
        problems.add_mask(column, repeated, series.index, series, rule, ErrorCode.INVALID_VALUE)
    if nonexistent == "raise":
        rule = "never happens in this zone (clocks set forward); pass nonexistent='shift_forward'"
        problems.add_mask(column, skipped, series.index, series, rule, ErrorCode.INVALID_VALUE)
    return pd.Series(out, index=series.index, name=series.name)


_WIDTH = {"%Y": 4, "%m": 2, "%d": 2, "%H": 2, "%M": 2, "%S": 2}


def _arrow_grid(texts: pd.Series, width: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Rows of ``width`` bytes as an ``(n, width)`` byte grid, straight from Arrow's buffer.

    Only for text held by pyarrow (``None`` otherwise, and the caller builds the grid from
    Python strings): the values of ``width`` bytes are taken into one array, whose data
    buffer then *is* the grid. Rows of another byte length (a multi-byte character, another
    shape) are marked as not fitting, as in the caller's own path.
    """
    dtype = texts.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]

    array = pa.array(texts.array)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None
    fits = pc.fill_null(pc.equal(pc.binary_length(array), width), False)
    mask = np.asarray(fits.to_numpy(zero_copy_only=False), dtype=bool)
    every = bool(mask.all())
    kept = array if every else array.filter(fits)
    if len(kept):
        kind = np.int64 if pa.types.is_large_string(kept.type) else np.int32
        offsets = np.frombuffer(kept.buffers()[1], dtype=kind)[kept.offset :]
        start = int(offsets[0])
        data = np.frombuffer(kept.buffers()[2], dtype=np.uint8)[start : start + len(kept) * width]
        if every:  # every value fits: the buffer is the grid (read, never written)
            return mask, data.reshape(len(kept), width)
        grid = np.zeros((len(array), width), dtype=np.uint8)
        grid[mask] = data.reshape(len(kept), width)
        return mask, grid
    return mask, np.zeros((len(array), width), dtype=np.uint8)


def _fixed_width(texts: pd.Series, fmt: str) -> pd.Series:
    """Zero-padded times of ``fmt`` read without strptime.

    ``07/06/2026 12:00:00`` in ``%d/%m/%Y %H:%M:%S`` is read digit by digit from a numpy
    array of characters and assembled with numpy's calendar (no per-value Python); a value
    of another shape is NaT here (the caller tries strptime on it), an impossible date
    (31/02) stays NaT.
    """
    tokens = re.findall(r"%.|[^%]", fmt)
    nat = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us]")
    if not {t for t in tokens if t.startswith("%")} <= set(_WIDTH) or "%Y" not in tokens:
        return nat
    where: dict[str, int] = {}
    literal: list[tuple[int, str]] = []
    width = 0
    for token in tokens:
        if token in _WIDTH:
            where[token] = width
            width += _WIDTH[token]
        else:
            literal.append((width, token))
            width += 1
    found = _arrow_grid(texts, width) if fmt.isascii() else None
    if found is None:
        text = texts.astype(object).where(texts.notna(), "")
        fits = (text.str.len() == width).to_numpy(dtype=bool)
        if not fits.any():
            return nat
        cells = np.array(text.where(fits, "").tolist(), dtype=f"U{width}")
        grid: np.ndarray = cells.view(np.uint32).reshape(len(cells), width)
    else:
        fits, grid = found
        if not fits.any():
            return nat
    digits = [where[t] + k for t in where for k in range(_WIDTH[t])]
    ok = fits & ((grid[:, digits] >= 48) & (grid[:, digits] <= 57)).all(axis=1)
    for at, char in literal:
        ok &= grid[:, at] == ord(char)

    def number(token: str, default: int) -> np.ndarray:
        if token not in where:
            return np.full(len(grid), default, dtype=np.int64)
        size = _WIDTH[token]
        block = grid[:, where[token] : where[token] + size].astype(np.int64) - 48
        return np.asarray(block @ (10 ** np.arange(size - 1, -1, -1)), dtype=np.int64)

    year, month, day = number("%Y", 1970), number("%m", 1), number("%d", 1)
    hour, minute, second = number("%H", 0), number("%M", 0), number("%S", 0)
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    ok &= (hour < 24) & (minute < 60) & (second < 60)
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    dates = months.astype("datetime64[D]") + np.where(ok, day - 1, 0).astype("timedelta64[D]")
    ok &= dates.astype("datetime64[M]") == months  # 31/02 is not a date
    clock = (hour * 3600 + minute * 60 + second).astype("timedelta64[s]")
    stamps = (dates.astype("datetime64[s]") + clock).astype("datetime64[us]")
    stamps[~ok] = np.datetime64("NaT")
    return pd.Series(stamps, index=texts.index)


UNIX_SECONDS = "unix"
"""The declared format of times given as seconds since 1970-01-01 UTC (APIs)."""


def parse_formatted(texts: pd.Series, fmt: str, *, column: str, problems: Problems) -> pd.Series:
    """Parse strings in one *declared* format; never guessed from the data.

    ``fmt`` is a ``strptime`` format (``"%d/%m/%Y %H:%M:%S"``) or ``"unix"`` (seconds since
    the epoch, returned in UTC). Missing inputs stay missing; every present value that does
    not match the format is listed in ``problems`` with its row. Naive results are
    localized by the caller (:func:`localize`).

    Example:
        >>> p = Problems("file")
        >>> out = parse_formatted(pd.Series(["07/06/2026 12:00:00", "2026-06-07"]),
        ...                       "%d/%m/%Y %H:%M:%S", column="Time Created", problems=p)
        >>> str(out.iloc[0]), bool(p)
        ('2026-06-07 12:00:00', True)
    """
    present = texts.notna().to_numpy()
    if fmt == UNIX_SECONDS:
        seconds = pd.to_numeric(texts, errors="coerce")
        seconds = seconds.where(seconds.abs() < 1e11)  # beyond year 5000: not seconds
        out = pd.to_datetime(seconds, unit="s", utc=True)
        rule = "must be whole seconds since 1970-01-01 (unix time)"
    else:
        out = _fixed_width(texts, fmt)
        slow = present & out.isna().to_numpy()
        if slow.any():  # not zero-padded, or another directive: strptime for those rows
            out = out.where(~slow, pd.to_datetime(texts.where(slow), format=fmt, errors="coerce"))
        rule = f"does not match the declared date format {fmt!r}"
    bad = present & out.isna().to_numpy()
    problems.add_mask(column, bad, texts.index, texts, rule, ErrorCode.INVALID_VALUE)
    return pd.Series(out, index=texts.index, name=texts.name)


_ISO_OFFSET = re.compile(r"(?:Z|[+-](\d\d):(\d\d))?")
_CHECKED = 64  # the first values pandas also reads: the fast result must agree with them


def parse_iso_uniform(texts: pd.Series) -> pd.Series | None:
    """ISO-8601 text of one shape and one offset, read by Arrow; None for anything else.

    The common export shape — ``2026-06-19 17:24:55+00:00`` (``T`` or a space between
    date and time; ``Z``, ``±HH:MM`` or no offset), every value with the first one's
    separator and offset — gives what ``pd.to_datetime(texts, format="ISO8601")`` gives
    (the same instants, unit and zone: UTC for ``Z`` and ``+00:00``, that fixed offset
    otherwise, naive without one), parsed in Arrow's C++ instead of per value. It
    returns None, and the caller parses with pandas, whenever the result could differ:
    text not held by pyarrow, a value of another length, separator or offset (mixed
    offsets), fractions of a second, a value Arrow refuses (an impossible date or time),
    or pandas reading the first values otherwise. Missing values stay missing.

    Example:
        >>> texts = pd.Series(["2026-06-19 17:24:55+07:00", "2026-06-20 01:00:00+07:00"])
        >>> fast = parse_iso_uniform(texts)
        >>> fast is None or fast.equals(pd.to_datetime(texts, format="ISO8601"))
        True
        >>> parse_iso_uniform(pd.Series(["2026-06-19 17:24:55+07:00", "2026-06-19"])) is None
        True
    """
    dtype = texts.dtype
    if not (len(texts) and isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None
    present = texts.notna().to_numpy()
    if not present.any():
        return None
    first = texts.iloc[int(np.argmax(present))]
    if len(first) < 19 or not first.isascii():
        return None
    separator, suffix = first[10], first[19:]
    offset = _ISO_OFFSET.fullmatch(suffix)
    found = _arrow_grid(texts, len(first))
    if separator not in "T " or offset is None or found is None:
        return None
    fits, grid = found
    positions = [4, 7, 10, 13, 16, *range(19, len(first))]  # - - sep : : and the offset
    expected = np.frombuffer(first.encode(), dtype=np.uint8)[positions]
    same = fits & (grid[:, positions] == expected).all(axis=1)
    if (present & ~same).any():
        return None
    import pyarrow as pa  # type: ignore[import-untyped,import-not-found,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,import-not-found,unused-ignore]

    try:
        want = pd.to_datetime(texts.iloc[:_CHECKED], format="ISO8601")
        stamps = pc.cast(pa.array(texts.array), pa.timestamp("us", tz="UTC" if suffix else None))
    except (ValueError, TypeError, OverflowError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    out = pd.Series(stamps.to_pandas(), index=texts.index, name=texts.name)
    zone = getattr(want.dtype, "tz", None)
    if zone is not None and isinstance(out.dtype, pd.DatetimeTZDtype):
        out = out.dt.tz_convert(zone)
    if out.dtype != want.dtype or not out.iloc[:_CHECKED].equals(want):
        return None
    return out
