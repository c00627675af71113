"""The one safe division: ``a / b`` elementwise, NaN where ``b`` is 0, never a warning."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["divide"]


def divide(a: Any, b: Any) -> np.ndarray:
    """``a / b`` broadcast elementwise; NaN where ``b == 0`` (0 / 0 is NaN, never 0).

    A quotient beyond the float range (a tiny denominator) is ±inf, without a warning.

    Example:
        >>> divide(np.array([1.0, 0.0, 3.0]), np.array([2.0, 0.0, 0.0])).tolist()
        [0.5, nan, nan]
    """
    a_arr = np.asarray(a, dtype=float)
    b_arr = np.asarray(b, dtype=float)
    out = np.full(np.broadcast(a_arr, b_arr).shape, np.nan)
    with np.errstate(over="ignore"):
        np.divide(a_arr, b_arr, out=out, where=b_arr != 0)
    return out
