"""The one parameter- and data-validation path of creatorkit.

Every check funnels into :class:`Problems`, which collects failure cases and raises a
single :class:`~creatorkit.errors.ValidationError` with one message shape::

    <argument>: <n> problem(s)
      - <argument>['<column>']: <rule> [<code>]; rows [<labels>] (<count> rows); values [...]
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from creatorkit.errors import FAILURE_COLUMNS, ErrorCode, ValidationError

_SHOWN = 5


def _distance(a: str, b: str) -> int:
    """Edit distance with transpositions (optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or an empty string.

    Case is ignored; the closest choice by edit distance (a swap of two neighbours counts
    once) is suggested when at most a third of the name's letters differ (1 to 3 edits).

    Example:
        >>> did_you_mean("crt", ["cvr", "ctr"]), did_you_mean("GPM", ["gpm"])
        (" Did you mean 'ctr'?", " Did you mean 'gpm'?")
        >>> did_you_mean("conversion_rate", ["completion_rate", "cvr"])
        ''
    """
    text = str(name).lower()
    listed = [str(c) for c in choices]
    if not listed or not text:
        return ""
    scored = sorted((_distance(text, c.lower()), c) for c in listed)
    best, choice = scored[0]
    return f" Did you mean {choice!r}?" if best <= max(1, min(3, len(text) // 3)) else ""


def _short(values: Sequence[Any]) -> str:
    shown = ", ".join(repr(v) for v in values[:_SHOWN])
    return f"[{shown}{', ...' if len(values) > _SHOWN else ''}]"


class Problems:
    """Collects every problem with one argument, then raises them together.

    Args:
        argument: Name of the argument being validated, used in the message.
    """

    def __init__(self, argument: str) -> None:
        self.argument = argument
        self._parts: list[pd.DataFrame] = []
        self._lines: list[str] = []

    def __bool__(self) -> bool:
        return bool(self._lines)

    def add(
        self,
        column: str | None,
        rule: str,
        code: ErrorCode,
        *,
        rows: Sequence[Any] | pd.Index | None = None,
        values: Sequence[Any] | np.ndarray | None = None,
    ) -> None:
        """Record one rule broken by ``column`` at ``rows`` (row labels) with ``values``."""
        row_list: list[Any] = [None] if rows is None else list(rows)
        value_list: list[Any]
        if values is None:
            value_list = [None] * len(row_list)
        else:
            value_list = list(values.tolist() if isinstance(values, np.ndarray) else values)
        self._parts.append(
            pd.DataFrame(
                {
                    "column": pd.Series([column] * len(row_list), dtype=object),
                    "row": pd.Series(row_list, dtype=object),
                    "value": pd.Series(value_list, dtype=object),
                    "rule": pd.Series([rule] * len(row_list), dtype=object),
                    "code": pd.Series([code.value] * len(row_list), dtype=object),
                }
            )
        )
        where = f"{self.argument}[{column!r}]: " if column is not None else ""
        line = f"  - {where}{rule} [{code.value}]"
        if rows is not None:
            line += f"; rows {_short(row_list)} ({len(row_list)} rows)"
            if values is not None:
                line += f"; values {_short(value_list)}"
        elif values is not None:
            line += f"; got {value_list[0]!r}"
        self._lines.append(line)

    def add_mask(
        self,
        column: str,
        mask: np.ndarray,
        index: pd.Index,
        values: np.ndarray | pd.Series,
        rule: str,
        code: ErrorCode,
    ) -> None:
        """Record ``rule`` broken wherever the boolean ``mask`` is true (no-op when none)."""
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        raw = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
        self.add(column, rule, code, rows=index[positions], values=raw[positions])

    def error(self) -> ValidationError:
        """Build the :class:`ValidationError` for everything recorded so far."""
        cases = None
        if self._parts:
            cases = pd.concat(self._parts, ignore_index=True).astype(object)
            cases = cases.where(cases.notna(), None)
        count = len(self._lines)
        head = f"{self.argument}: {count} problem{'s' if count != 1 else ''}"
        return ValidationError(
            "\n".join([head, *self._lines]), argument=self.argument, failure_cases=cases
        )

    def raise_if_any(self) -> None:
        """Raise the collected problems, if any."""
        if self:
            raise self.error()


def check_keys(argument: str, frame: pd.DataFrame, columns: Iterable[str]) -> None:
    """Refuse key columns whose ids were read as floats (19-digit ids lose digits).

    A float key column is refused when its name says it holds ids (``*_id``, ``user``) or
    when any value is beyond 2^53, where floats stop holding every whole number: two
    different video ids would silently become one group.

    Example:
        >>> check_keys("df", pd.DataFrame({"video_id": [7394017712830001234.0]}), ["video_id"])
        Traceback (most recent call last):
        ...
        creatorkit.errors.ValidationError: df: 1 problem
          - df['video_id']: ids read as floats lose digits; read them as text (dtype=str) ...
    """
    problems = Problems(argument)
    for column in columns:
        series = frame[column]
        if not pd.api.types.is_float_dtype(series.dtype):
            continue
        values = series.to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            large = np.abs(values) >= 2.0**53
        id_like = column.endswith("_id") or column in ("user", "id")
        bad = np.isfinite(values) if id_like else large
        rule = "ids read as floats lose digits; read them as text (dtype=str)"
        problems.add_mask(column, bad, frame.index, series, rule, ErrorCode.LOSSY_ID)
    problems.raise_if_any()


INT64_LIMIT = 2.0**63
"""Whole numbers at or above this do not fit a 64-bit count (they would wrap around)."""


def check_numeric(
    problems: Problems,
    column: str,
    series: pd.Series,
    *,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    missing_ok: bool = False,
    booleans: bool = False,
) -> np.ndarray:
    """The one checker of numeric columns: values as floats (NaN where missing).

    Records every broken rule in ``problems``, the same verdict wherever a column of a
    kind is read (``frames.validate``, ``metrics.compute``, summaries, funnels,
    comparisons): text that is not a number (``wrong_type``), True/False where a number is
    meant (``wrong_type``, unless ``booleans``), missing values (``missing_value``, unless
    ``missing_ok``), infinities (``not_finite``), values below ``low`` (``negative`` when
    ``low`` is 0 and there is no ``high``) or above ``high`` (``out_of_range``), fractions
    where whole numbers are meant (``not_integer``) and whole numbers too large for 64 bits.

    Example:
        >>> p = Problems("df")
        >>> check_numeric(p, "views", pd.Series([3, 2.5, -1]), low=0, integer=True).tolist()
        [3.0, 2.5, -1.0]
        >>> sorted(p.error().codes)
        ['negative', 'not_integer']
    """
    index = series.index
    dtype = series.dtype
    if (
        pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
        or pd.api.types.is_complex_dtype(dtype)
        or isinstance(dtype, pd.PeriodDtype | pd.IntervalDtype)
    ):
        rule = f"must be real numbers, not {dtype}"
        problems.add_mask(
            column, np.ones(len(series), bool), index, series, rule, ErrorCode.WRONG_TYPE
        )
        return np.full(len(series), np.nan)
    if pd.api.types.is_bool_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        if not booleans:
            rule = "must be a number, not True/False"
            problems.add_mask(
                column, series.notna().to_numpy(), index, series, rule, ErrorCode.WRONG_TYPE
            )
        return values
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
    else:
        converted = pd.to_numeric(series, errors="coerce")
        values = np.asarray(converted.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        bad = np.isnan(values) & series.notna().to_numpy()
        problems.add_mask(column, bad, index, series, "must be numeric", ErrorCode.WRONG_TYPE)
    if not len(values):
        return values
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(values.sum())
    clean = math.isfinite(total) or (  # one pass rules out NaN and inf (unless it overflowed)
        not np.isnan(total) and bool(np.isfinite(values).all())
    )
    if not clean:
        missing = np.isnan(values) & series.isna().to_numpy()  # text already reported
        if not missing_ok:
            problems.add_mask(
                column, missing, index, series, "must not be missing", ErrorCode.MISSING_VALUE
            )
        problems.add_mask(
            column, np.isinf(values), index, series, "must be finite", ErrorCode.NOT_FINITE
        )
    real = None if clean else np.isfinite(values)
    if real is None:
        smallest, largest = float(values.min()), float(values.max())
    elif real.any():
        smallest, largest = float(values[real].min()), float(values[real].max())
    else:
        smallest, largest = math.inf, -math.inf
    rule = _bounds_rule(low, high, integer)
    below = None
    if low is not None and smallest < low:  # masks only when a bound is broken
        below = values < low if real is None else (values < low) & real
        code = ErrorCode.NEGATIVE if low == 0 and high is None else ErrorCode.OUT_OF_RANGE
        problems.add_mask(column, below, index, series, rule, code)
    if high is not None and largest > high:
        above = values > high if real is None else (values > high) & real
        problems.add_mask(column, above, index, series, rule, ErrorCode.OUT_OF_RANGE)
    if integer and not pd.api.types.is_integer_dtype(dtype):  # integer dtypes are whole
        finite = np.isfinite(values) if real is None else real
        with np.errstate(invalid="ignore"):
            fraction = (values != np.floor(values)) & finite
            huge = (np.abs(values) >= INT64_LIMIT) & finite
        if below is not None:
            fraction &= ~below
        problems.add_mask(column, fraction, index, series, rule, ErrorCode.NOT_INTEGER)
        problems.add_mask(
            column,
            huge,
            index,
            series,
            "is too large for a 64-bit whole number",
            ErrorCode.OUT_OF_RANGE,
        )
    return values


def _bounds_rule(low: float | None, high: float | None, integer: bool) -> str:
    parts = ["a whole number"] if integer else []
    if low is not None and high is not None:
        parts.append(f"in [{low:g}, {high:g}]")
    elif low is not None:
        parts.append(f">= {low:g}")
    return "must be " + " ".join(parts) if parts else "must be a finite number"


def fail(
    argument: str,
    rule: str,
    code: ErrorCode,
    *,
    value: Any = None,
    column: str | None = None,
) -> NoReturn:
    """Raise a :class:`ValidationError` for one problem with ``argument``."""
    problems = Problems(argument)
    problems.add(column, rule, code, values=None if value is None else [value])
    raise problems.error()


def check_choice(argument: str, value: Any, choices: Collection[str]) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise raise with a did-you-mean."""
    if not isinstance(value, str) or value not in choices:
        hint = did_you_mean(str(value), choices)
        rule = f"must be one of {sorted(choices)}.{hint}"
        fail(argument, rule, ErrorCode.UNKNOWN_NAME, value=value)
    return value


def check_number(
    argument: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> float:
    """Return ``value`` as a float after checking that it is a finite number in range."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        fail(argument, "must be a real number", ErrorCode.WRONG_TYPE, value=value)
    number = float(value)
    if not math.isfinite(number):
        fail(argument, "must be finite", ErrorCode.NOT_FINITE, value=value)
    if integer and not number.is_integer():
        fail(argument, "must be a whole number", ErrorCode.NOT_INTEGER, value=value)
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        span = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        fail(argument, f"must be in {span}", ErrorCode.OUT_OF_RANGE, value=value)
    return number


def as_floats(argument: str, value: Any) -> np.ndarray:
    """``value`` as a float array; text, objects and complex numbers are refused by name.

    Example:
        >>> as_floats("n", [1, 2]).tolist()
        [1.0, 2.0]
    """
    if np.iscomplexobj(value):  # a cast to float would drop the imaginary part
        fail(argument, "must be real numbers", ErrorCode.WRONG_TYPE, value=value)
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        fail(argument, "must be numbers", ErrorCode.WRONG_TYPE, value=value)


def check_array(
    argument: str,
    value: Any,
    *,
    low: float | None = None,
    low_open: bool = False,
    high: float | None = None,
    nan_ok: bool = False,
) -> np.ndarray:
    """A scalar or a list of numbers as a float array: real, finite and within bounds.

    Example:
        >>> check_array("n", [100, 200], low=0, low_open=True).tolist()
        [100.0, 200.0]
    """
    if isinstance(value, str | bytes | bool | np.bool_) or value is None:
        fail(argument, "must be numbers", ErrorCode.WRONG_TYPE, value=value)
    array = as_floats(argument, value)
    if array.ndim > 1:
        fail(argument, "must be a number or a flat list of numbers", ErrorCode.INVALID_VALUE)
    if np.isinf(array).any() or (np.isnan(array).any() and not nan_ok):
        fail(argument, "must be finite", ErrorCode.NOT_FINITE, value=value)
    real = array[~np.isnan(array)]
    too_low = low is not None and bool((real <= low if low_open else real < low).any())
    too_high = high is not None and bool((real > high).any())
    if too_low or too_high:
        left = "(" if low_open else "["
        span = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}]"
        fail(argument, f"must be in {span}", ErrorCode.OUT_OF_RANGE, value=value)
    return array


def check_labels(argument: str, labels: Any, size: int) -> list[str]:
    """``size`` distinct labels (as text) from a list; one clear error otherwise.

    Example:
        >>> check_labels("labels", ["A", "B"], 2)
        ['A', 'B']
    """
    if isinstance(labels, str | bytes) or not isinstance(labels, Iterable):
        fail(argument, "must be a list of names, one per arm", ErrorCode.WRONG_TYPE, value=labels)
    names = [str(v) for v in labels]
    if len(names) != size:
        rule = f"must have one label per arm ({size})"
        fail(argument, rule, ErrorCode.INVALID_VALUE, value=len(names))
    if len(set(names)) != size:
        fail(argument, "must be unique", ErrorCode.DUPLICATE_NAME, value=names)
    return names


def check_mapping(argument: str, value: Any) -> dict[Any, Any]:
    """A mapping argument as a dict, or one clear error.

    Example:
        >>> check_mapping("values", {"like": 0.1})
        {'like': 0.1}
    """
    from collections.abc import Mapping

    if not isinstance(value, Mapping):
        fail(argument, "must be a mapping (a dict)", ErrorCode.WRONG_TYPE, value=value)
    return dict(value)


def check_broadcast(arguments: dict[str, np.ndarray]) -> tuple[int, ...]:
    """The common shape of arrays given together, or one clear error naming them.

    Example:
        >>> check_broadcast({"gmv": np.ones(3), "rate": np.ones(1)})
        (3,)
    """
    try:
        return np.broadcast(*arguments.values()).shape
    except ValueError:
        sizes = {k: int(np.size(v)) for k, v in arguments.items()}
        first = next(iter(arguments))
        fail(first, f"lengths do not match: {sizes}", ErrorCode.INCONSISTENT)


def check_frame(argument: str, df: Any, *, allow_empty: bool = False) -> pd.DataFrame:
    """Return ``df`` if it is a DataFrame (non-empty unless allowed) with unique column names."""
    if not isinstance(df, pd.DataFrame):
        fail(argument, "must be a pandas DataFrame", ErrorCode.WRONG_TYPE, value=type(df).__name__)
    if not allow_empty and len(df) == 0:
        fail(argument, "must have at least one row", ErrorCode.EMPTY)
    duplicated = df.columns[df.columns.duplicated()]
    if len(duplicated):
        fail(
            argument, "column names must be unique", ErrorCode.DUPLICATE_KEY, value=list(duplicated)
        )
    return df


def check_columns(argument: str, df: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise listing every column of ``columns`` that ``df`` lacks (with did-you-mean)."""
    problems = Problems(argument)
    present = [str(c) for c in df.columns]
    for column in columns:
        if column not in df.columns:
            rule = f"required column is missing.{did_you_mean(column, present)}"
            problems.add(column, rule, ErrorCode.MISSING_COLUMN)
    problems.raise_if_any()


def as_str_list(argument: str, value: str | Iterable[str] | None) -> list[str]:
    """Normalize ``None``, one name or an iterable of names to a list of unique strings."""
    if value is None:
        return []
    if not isinstance(value, str) and not isinstance(value, Iterable):
        fail(argument, "must be a name or a list of names", ErrorCode.WRONG_TYPE, value=value)
    names = [value] if isinstance(value, str) else list(value)
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        fail(argument, "must be a name or a list of names", ErrorCode.WRONG_TYPE, value=bad[0])
    if len(set(names)) != len(names):
        fail(argument, "names must be unique", ErrorCode.DUPLICATE_NAME, value=names)
    return names


__all__ = [
    "FAILURE_COLUMNS",
    "Problems",
    "as_str_list",
    "check_choice",
    "check_columns",
    "check_frame",
    "check_number",
    "did_you_mean",
    "fail",
]
