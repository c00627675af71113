"""Argument checks shared by the weighting family: matrices, directions and weights."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._validation import Problems, check_array, check_choice, check_numeric, fail
from creatorkit.errors import ErrorCode

DIRECTIONS = ("benefit", "cost")
WEIGHT_TOLERANCE = 1e-6
"""Weights given to an aggregator must sum to 1 within this tolerance."""


@attrs.frozen(kw_only=True, eq=False)
class Matrix:
    """A validated decision matrix: floats, alternatives in rows, criteria in columns."""

    values: np.ndarray
    criteria: tuple[str, ...]
    index: pd.Index
    sums: np.ndarray | None = None
    """Column sums (computed by the finiteness check; reused by entropy)."""


def _as_frame(argument: str, value: Any) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return value
    array = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=object)
    if array.ndim != 2:
        rule = "must be 2-D: one row per alternative, one column per criterion"
        fail(argument, rule, ErrorCode.INVALID_VALUE, value=f"{array.ndim}-D")
    return pd.DataFrame(array)


def check_matrix(argument: str, value: Any, *, min_rows: int = 2) -> Matrix:
    """A decision matrix as floats: finite, at least ``min_rows`` alternatives, one criterion.

    NaN and infinities are refused with the rows and columns where they are; text, True/False
    and dates are refused as not numbers.

    Example:
        >>> check_matrix("matrix", [[1, 2], [3, 4]]).values.tolist()
        [[1.0, 2.0], [3.0, 4.0]]
    """
    if value is None or isinstance(value, str | bytes | bool | int | float | Mapping):
        fail(argument, "must be a 2-D table of numbers", ErrorCode.WRONG_TYPE, value=value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf" and value.ndim == 2:
        values = value.astype(float, copy=False)
        criteria = tuple(str(j) for j in range(values.shape[1]))
        index: pd.Index = pd.RangeIndex(values.shape[0])
    else:
        frame = _as_frame(argument, value)
        values, criteria, index = _frame_values(argument, frame)
    n, k = values.shape
    if n == 0 or k == 0:
        fail(argument, "must have at least one alternative and one criterion", ErrorCode.EMPTY)
    if n < min_rows:
        rule = f"needs at least {min_rows} alternatives (rows) to compare"
        fail(argument, rule, ErrorCode.INVALID_VALUE, value=n)
    with np.errstate(over="ignore", invalid="ignore"):
        sums = values.sum(axis=0)  # one pass rules out NaN and inf (unless it overflowed)
    if not np.isfinite(sums).all() and not bool(np.isfinite(values).all()):
        frame = pd.DataFrame(values, index=index, columns=list(criteria))
        _frame_values(argument, frame)  # raises, naming rows and columns
    return Matrix(values=values, criteria=criteria, index=index, sums=sums)


def _frame_values(
    argument: str, frame: pd.DataFrame
) -> tuple[np.ndarray, tuple[str, ...], pd.Index]:
    problems = Problems(argument)
    criteria = tuple(str(c) for c in frame.columns)
    if len(set(criteria)) != len(criteria):
        fail(argument, "criterion (column) names must be unique", ErrorCode.DUPLICATE_NAME)
    columns = [check_numeric(problems, name, frame.iloc[:, j]) for j, name in enumerate(criteria)]
    problems.raise_if_any()
    values = np.column_stack(columns) if columns else np.empty((len(frame), 0))
    return values.astype(float, copy=False), criteria, frame.index


def check_directions(argument: str, value: Any, k: int) -> np.ndarray:
    """``True`` (benefit) / ``False`` (cost) per criterion from a bool, a name or a list of them.

    ``None`` means every criterion is a benefit. Words other than ``"benefit"`` and
    ``"cost"`` are refused with a did-you-mean (``"min"`` is never read as cost).

    Example:
        >>> check_directions("benefit", [True, "cost"], 2).tolist()
        [True, False]
    """
    if value is None:
        return np.ones(k, dtype=bool)
    items = value if _is_list(value) else [value] * k
    if len(items) != k:
        rule = f"must give one direction per criterion ({k})"
        fail(argument, rule, ErrorCode.INVALID_VALUE, value=len(items))
    return np.array([_direction(argument, item) for item in items], dtype=bool)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence | np.ndarray | pd.Series) and not isinstance(
        value, str | bytes
    )


def _direction(argument: str, item: Any) -> bool:
    if isinstance(item, bool | np.bool_):
        return bool(item)
    if isinstance(item, str):
        return check_choice(argument, item, DIRECTIONS) == "benefit"
    rule = "must be True (benefit), False (cost), 'benefit' or 'cost' (or a list of them)"
    fail(argument, rule, ErrorCode.WRONG_TYPE, value=item)


def check_weights(argument: str, value: Any, k: int, *, normalized: bool = True) -> np.ndarray:
    """Weights for ``k`` criteria: finite, non-negative, not all zero, of length ``k``.

    With ``normalized`` they must also sum to 1 (within 1e-6): aggregators never rescale
    weights silently; :func:`creatorkit.weighting.manual` normalizes with a note.

    Example:
        >>> check_weights("weights", [0.25, 0.75], 2).tolist()
        [0.25, 0.75]
    """
    weights = check_array(argument, value, low=0)
    if weights.ndim != 1 or len(weights) != k:
        rule = f"must have one weight per criterion ({k})"
        fail(argument, rule, ErrorCode.INVALID_VALUE, value=int(weights.size))
    total = float(weights.sum())
    if total <= 0:
        fail(argument, "must not all be zero", ErrorCode.INVALID_VALUE, value=weights.tolist())
    if normalized and abs(total - 1.0) > WEIGHT_TOLERANCE:
        rule = f"must sum to 1 (they sum to {total:.6g}); weighting.manual(...) normalizes them"
        fail(argument, rule, ErrorCode.INVALID_VALUE, value=weights.tolist())
    return weights
