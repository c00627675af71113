"""Array arithmetic: the one safe division and the one split of long arrays into chunks.

:func:`divide` is ``a / b`` elementwise, NaN where ``b`` is 0, never a warning;
:func:`chunks` splits rows so that temporaries stay small.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["CHUNK", "chunks", "divide"]

CHUNK = 1 << 18
"""Rows per chunk where a whole-column temporary would cost more than the arithmetic
(fresh memory's page faults): 2 MB of ``int64``, resident in cache."""


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


def chunks(n: int, size: int | None = None) -> list[slice]:
    """Slices of ``size`` rows (default :data:`CHUNK`) covering ``0 .. n − 1`` in order.

    Example:
        >>> chunks(5, 2)
        [slice(0, 2, None), slice(2, 4, None), slice(4, 5, None)]
    """
    step = CHUNK if size is None else size
    return [slice(lo, min(lo + step, n)) for lo in range(0, n, step)]
