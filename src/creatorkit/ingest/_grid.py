"""Decimal numbers read as a grid of characters in numpy: the fast path of the parsers.

Short cells (prices, counts, rates) become rows of a fixed-width character array; digits,
thousands separators and the decimal mark are checked with array operations, and the value
is the written digits as one integer divided by a power of ten — the float nearest the
written decimal, like ``float(text)``. Cells this path cannot prove well-formed (longer
than :data:`WIDTH`, more than 15 digits, other characters) are left to the string path.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

__all__ = ["WIDTH", "Decimals", "decimals"]

WIDTH = 32
_POW10 = 10 ** np.arange(19, dtype=np.int64)


@attrs.frozen(kw_only=True)
class Decimals:
    """The fast reading of a column of cells.

    Attributes:
        mantissa: The digits as one integer (sign included).
        places: Digits after the decimal mark.
        ok: Cells read here (well-formed, with at most 15 digits).
        prefix: What precedes the first digit (a sign, a currency symbol), as text.
    """

    mantissa: np.ndarray
    places: np.ndarray
    ok: np.ndarray
    prefix: np.ndarray

    def values(self, shift: int = 0) -> np.ndarray:
        """The numbers divided by ``10**shift`` (one correctly rounded division)."""
        return self.mantissa.astype(float) / 10.0 ** (self.places + shift)


def decimals(text: pd.Series, decimal: str) -> Decimals:
    """Read cells such as ``1,234.56`` (``decimal="."``) or ``1.234,56`` (``decimal=","``).

    Example:
        >>> d = decimals(pd.Series(["$1,234.56", "-7", "1,23"]), ".")
        >>> d.values().tolist(), d.ok.tolist(), d.prefix.tolist()
        ([1234.56, -7.0, 123.0], [True, True, False], ['$', '', ''])
    """
    cells = text.to_numpy(dtype=object)
    n = len(cells)
    lengths = np.fromiter(map(len, cells), dtype=np.int64, count=n)
    width = int(min(WIDTH, lengths.max(initial=1)))  # as wide as the column needs
    grid = np.array(cells, dtype=f"U{width}").view(np.uint32).reshape(n, width)
    at = np.arange(width)[None, :]
    inside = at < lengths[:, None]
    digit = (grid >= 48) & (grid <= 57) & inside
    first = np.where(digit.any(axis=1), digit.argmax(axis=1), width)
    body = (at >= first[:, None]) & inside
    mark = (grid == ord(decimal)) & body
    sep = (grid == ord("," if decimal == "." else ".")) & body
    ok = (first < width) & (lengths <= width) & ~(body & ~(digit | mark | sep)).any(axis=1)
    marks = mark.sum(axis=1)
    point = np.where(marks == 1, mark.argmax(axis=1), lengths)
    last = grid[np.arange(n), np.clip(lengths - 1, 0, width - 1)]
    ok &= (marks <= 1) & (last >= 48) & (last <= 57)
    ok &= ~(sep & (at > point[:, None])).any(axis=1)
    ahead = np.concatenate([digit, np.zeros((n, 4), dtype=bool)], axis=1)
    stops = np.concatenate([mark | sep | ~inside, np.ones((n, 4), dtype=bool)], axis=1)
    group = ahead[:, 1:-3] & ahead[:, 2:-2] & ahead[:, 3:-1] & stops[:, 4:]
    ok &= ~(sep & ~group).any(axis=1)
    has_sep = sep.any(axis=1)
    lead = np.where(has_sep, sep.argmax(axis=1), width) - first
    ok &= ~has_sep | (lead <= 3)
    count = digit.sum(axis=1)
    ok &= count <= 15
    rank = np.clip(count[:, None] - np.cumsum(digit, axis=1), 0, 18)
    mantissa = np.where(digit, (grid.astype(np.int64) - 48) * _POW10[rank], 0).sum(axis=1)
    places = (digit & (at > point[:, None])).sum(axis=1)
    before = np.where(at < first[:, None], grid, 0).astype(np.uint32)
    prefix = np.ascontiguousarray(before).view(f"U{width}").ravel()
    negative = np.char.startswith(prefix, "-")
    prefix = np.where(negative, np.char.lstrip(prefix, "-"), prefix)
    return Decimals(
        mantissa=np.where(negative, -mantissa, mantissa),
        places=places,
        ok=ok,
        prefix=np.char.strip(prefix),
    )
