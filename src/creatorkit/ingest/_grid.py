"""Decimal numbers read as a grid of characters in numpy: the fast path of the parsers.

Short cells (prices, counts, rates) become rows of a fixed-width character array; digits,
thousands separators and the decimal mark are checked with array operations, and the value
is the written digits as one integer divided by a power of ten — the float nearest the
written decimal, like ``float(text)``. Cells this path cannot prove well-formed (longer
than :data:`WIDTH`, more than 15 digits, other characters) are left to the string path.
Text held by pyarrow (pandas' default string type when pyarrow is installed) is read by
pyarrow's compute kernels under the same rules instead, without a copy into numpy.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._grouping import factorize

__all__ = ["WIDTH", "Decimals", "arrow_backed", "arrow_edges", "decimals"]

WIDTH = 32
_POW10 = 10 ** np.arange(19, dtype=np.int64)


def arrow_backed(series: pd.Series) -> bool:
    """Whether ``series`` is text held by pyarrow (its compute kernels then apply).

    Example:
        >>> arrow_backed(pd.Series(["1"], dtype=object))
        False
    """
    dtype = series.dtype
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


_EDGE = np.zeros(256, dtype=bool)
_EDGE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True  # ASCII characters str.strip removes
_EDGE[128:] = True  # the first or last byte of a non-ASCII character: maybe a space


def arrow_edges(series: pd.Series) -> tuple[bool, int]:
    r"""Whether a cell of pyarrow-held text may need stripping, and the shortest cell's bytes.

    Reads the first and last byte of every cell from the UTF-8 buffers: a cell that
    begins or ends with an ASCII space or any non-ASCII byte may need stripping (the
    answer errs towards ``True``). Missing cells count as empty.

    Example:
        >>> arrow_edges(pd.Series(["\t1", "22"], dtype="string[pyarrow]"))
        (True, 2)
    """
    pa = importlib.import_module("pyarrow")
    whole = pa.array(series.array)
    if isinstance(whole, pa.ChunkedArray):  # one pass over one buffer (a cheap copy)
        whole = whole.combine_chunks()
    spaced, shortest = False, -1
    for part in [whole]:
        n = len(part)
        if n == 0:
            continue
        _, offsets_buf, data_buf = part.buffers()
        wide = pa.types.is_large_string(part.type)
        offsets = np.frombuffer(offsets_buf, dtype=np.int64 if wide else np.int32)
        offsets = offsets[part.offset : part.offset + n + 1].astype(np.int64)
        size = np.where(part.is_null().to_numpy(zero_copy_only=False), 0, np.diff(offsets))
        low = int(size.min())
        shortest = low if shortest < 0 else min(shortest, low)
        if data_buf is None or spaced:
            continue
        data = np.frombuffer(data_buf, dtype=np.uint8)
        filled = size > 0
        start = offsets[:-1][filled]
        edge = np.concatenate([data[start], data[start + size[filled] - 1]])
        spaced = bool(_EDGE[edge].any())
    return spaced, max(shortest, 0)


def _rules(decimal: str) -> str:
    """The grid's rules as one pattern: a prefix, digits grouped in threes, one mark."""
    mark, sep = re.escape(decimal), re.escape("," if decimal == "." else ".")
    return rf"^(?s:[^0-9]*)(?:[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+|[0-9]+)(?:{mark}[0-9]+)?$"


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
    groups: tuple[np.ndarray, np.ndarray] | None = None

    def values(self, shift: int = 0) -> np.ndarray:
        """The numbers divided by ``10**shift`` (one correctly rounded division)."""
        return self.mantissa.astype(float) / 10.0 ** (self.places + shift)

    def prefixes(self) -> tuple[np.ndarray, np.ndarray]:
        """Codes of each cell's prefix and the distinct prefixes (few: ``""``, ``"$"``)."""
        if self.groups is not None:
            return self.groups
        codes, distinct = factorize(pd.Series(self.prefix, dtype=object), sort=False)
        return np.asarray(codes), np.asarray(distinct, dtype=object)


def _prefixes(pa: Any, pc: Any, cells: Any, body: Any) -> pd.Series:
    """What precedes the first digit of each cell (``""`` for a missing one), as text.

    ``body`` is each cell from its first digit on, so the prefix is the cell's first
    ``len(cell) - len(body)`` bytes: gathered from the UTF-8 buffer in numpy rather than
    by a second regex over every cell.
    """
    n = len(cells)
    cut = pc.subtract(pc.binary_length(cells), pc.binary_length(body))
    size = np.asarray(pc.fill_null(cut, 0).to_numpy(zero_copy_only=False), dtype=np.int64)
    _, offsets_buf, data_buf = cells.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[cells.offset : cells.offset + n + 1]
    data = (
        np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    )
    ends = np.cumsum(size)
    total = int(ends[-1]) if n else 0
    at = np.repeat(offsets[:-1] - (ends - size), size) + np.arange(total, dtype=np.int64)
    bounds = np.concatenate([np.zeros(1, dtype=np.int64), ends])
    head = pa.LargeStringArray.from_buffers(n, pa.py_buffer(bounds), pa.py_buffer(data[at]))
    return pd.Series(pd.arrays.ArrowStringArray(head))


def _arrow_decimals(text: pd.Series, decimal: str) -> Decimals:
    """:func:`decimals` by pyarrow's kernels: the same cells accepted, the same numbers."""
    pa = importlib.import_module("pyarrow")
    pc: Any = importlib.import_module("pyarrow.compute")
    sep = "," if decimal == "." else "."
    cells = pa.array(text.array).cast(pa.large_string())
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    ok = pc.fill_null(pc.match_substring_regex(cells, _rules(decimal)), False)
    body = pc.replace_substring_regex(cells, "^(?s:[^0-9]*)", "")
    digits = pc.replace_substring(pc.replace_substring(body, sep, ""), decimal, "")
    count = pc.utf8_length(digits).to_numpy(zero_copy_only=False)
    size = pc.utf8_length(cells).to_numpy(zero_copy_only=False)
    okay = np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool)
    okay &= (np.nan_to_num(count, nan=99) <= 15) & (np.nan_to_num(size, nan=99) <= WIDTH)
    at = pc.find_substring(body, decimal).to_numpy(zero_copy_only=False)
    length = pc.utf8_length(body).to_numpy(zero_copy_only=False)
    places = np.where(okay & (at >= 0), length - at - 1, 0).astype(np.int64)
    zero = pa.scalar("0", pa.large_string())
    mantissa = pc.cast(pc.if_else(pa.array(okay), digits, zero), pa.int64())
    mantissa = np.asarray(mantissa.to_numpy(zero_copy_only=False), dtype=np.int64)
    codes, uniques = factorize(_prefixes(pa, pc, cells, body), sort=False)
    codes = np.asarray(codes, dtype=np.intp)
    raw = np.asarray(uniques, dtype=object)
    negative = np.array([p.startswith("-") for p in raw], dtype=bool)  # per distinct prefix
    distinct = np.array([p.lstrip("-").strip() for p in raw], dtype=object)
    inverse, labels = factorize(pd.Series(distinct, dtype=object), sort=True)
    names = np.asarray(labels, dtype=object)
    merged = np.asarray(inverse, dtype=np.intp)[codes] if len(raw) else codes
    return Decimals(
        mantissa=np.where(negative[codes], -mantissa, mantissa) if len(raw) else mantissa,
        places=places,
        ok=okay,
        prefix=names.astype(object)[merged] if len(raw) else np.full(len(codes), "", object),
        groups=(merged, names.astype(object)),
    )


def decimals(text: pd.Series, decimal: str) -> Decimals:
    """Read cells such as ``1,234.56`` (``decimal="."``) or ``1.234,56`` (``decimal=","``).

    Example:
        >>> d = decimals(pd.Series(["$1,234.56", "-7", "1,23"]), ".")
        >>> d.values()[d.ok].tolist(), d.ok.tolist(), d.prefix.tolist()
        ([1234.56, -7.0], [True, True, False], ['$', '', ''])
    """
    if arrow_backed(text) and len(text):
        return _arrow_decimals(text, decimal)
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
