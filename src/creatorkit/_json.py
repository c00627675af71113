"""Conversion of results to JSON-ready Python objects (NaN → null, ISO-8601 times)."""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd


def _float(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _column_values(series: pd.Series) -> list[Any]:
    """Convert one column to JSON-ready values, vectorized where the dtype allows."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        mask = series.isna().to_numpy()
        text = series.map(lambda t: t.isoformat(), na_action="ignore")
        return [None if m else v for m, v in zip(mask, text.tolist(), strict=True)]
    if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.BooleanDtype):
        return [bool(v) for v in series.to_numpy()]
    if pd.api.types.is_integer_dtype(dtype) and not isinstance(
        dtype, pd.api.extensions.ExtensionDtype
    ):
        return [int(v) for v in series.to_numpy()]
    if pd.api.types.is_float_dtype(dtype) and not isinstance(
        dtype, pd.api.extensions.ExtensionDtype
    ):
        values = series.to_numpy(dtype=float)
        finite = np.isfinite(values)
        return [float(v) if f else None for v, f in zip(values.tolist(), finite, strict=True)]
    return [to_jsonable(v) for v in series.tolist()]


def to_jsonable(obj: Any) -> Any:
    """Return ``obj`` as plain Python data that ``json.dumps(..., allow_nan=False)`` accepts.

    NaN, infinities, ``None``, ``pd.NA`` and ``NaT`` become ``None``; timestamps become
    ISO-8601 strings (with their UTC offset when they are timezone-aware); timedeltas
    become ISO-8601 durations; DataFrames become lists of row records (the index is
    dropped: group keys are ordinary columns); attrs instances use their ``to_dict``.
    """
    if isinstance(obj, enum.Enum):
        return to_jsonable(obj.value)
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, np.timedelta64 | np.datetime64):  # numpy integers in disguise
        if np.isnat(obj):
            return None
        return to_jsonable(
            pd.Timedelta(obj) if isinstance(obj, np.timedelta64) else pd.Timestamp(obj)
        )
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return _float(float(obj))
    if isinstance(obj, np.bool_):
        return bool(obj)
    if obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, pd.Timestamp | dt.datetime | dt.date | dt.time):
        return obj.isoformat()
    if isinstance(obj, pd.Timedelta):
        return obj.isoformat()
    if isinstance(obj, dt.timedelta):
        return pd.Timedelta(obj).isoformat()
    if isinstance(obj, pd.DataFrame):
        columns = [str(c) for c in obj.columns]
        values = [_column_values(obj.iloc[:, i]) for i in range(obj.shape[1])]
        return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
    if isinstance(obj, pd.Series):
        return dict(zip((str(k) for k in obj.index), _column_values(obj), strict=True))
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        items = sorted(obj, key=repr) if isinstance(obj, set | frozenset) else obj
        return [to_jsonable(v) for v in items]
    to_dict = getattr(obj, "to_dict", None)
    if attrs.has(type(obj)) and callable(to_dict):
        return to_dict()
    if attrs.has(type(obj)):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in attrs.fields(type(obj))}
    if callable(obj):
        return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"
    return str(obj)
