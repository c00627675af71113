"""The one grouping helper: key columns → sorted group codes, key table, sizes and notes.

Metrics, summaries, funnels and comparisons group rows here, and only here:

* codes follow the sorted order of the keys (lexicographic over several keys);
* a missing key is its own group, sorted last, labelled with the column's missing value
  and counted in a ``missing_group_key`` note — never dropped and never a made-up label;
* several keys combine as typed tuples, so the id ``1`` and the id ``"1"`` never collide
  and no key is turned into text;
* group sizes come along, and :func:`fallback` assigns rows of groups below a minimum size
  to coarser groups along a declared order (scoring's peer groups).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import CHUNK
from creatorkit._threads import chunk_groups, run
from creatorkit.results import Note

__all__ = ["Groups", "factorize", "fallback", "group"]


@attrs.frozen(kw_only=True, eq=False)
class Groups:
    """Rows assigned to groups.

    Attributes:
        codes: Group code of each row (``intp``), in ``0 .. n - 1``.
        keys: One row per group: the key columns, in code order.
        sizes: Rows per group.
        by: The key columns.
        notes: ``missing_group_key`` notes, one per key column with missing values.
    """

    codes: np.ndarray
    keys: pd.DataFrame
    sizes: np.ndarray
    by: tuple[str, ...]
    notes: tuple[Note, ...] = ()

    @property
    def n(self) -> int:
        """Number of groups."""
        return len(self.sizes)


def _runs(values: Any) -> np.ndarray | None:
    """Positions where a value differs from its predecessor, or None when runs do not pay."""
    n = len(values)
    change = np.ones(n, dtype=bool)
    change[1:] = np.asarray(values[1:] != values[:-1], dtype=bool)
    return change if int(change.sum()) <= n // 2 else None


def _sort_order(uniques: Any) -> np.ndarray | None:
    """Argsort of text uniques by code point (fast path), or None for other kinds."""
    index = pd.Index(uniques)
    if getattr(index.dtype, "storage", None) == "pyarrow" and index.dtype.kind in "OU":
        return np.asarray(index.argsort(), dtype=np.intp)  # Arrow sorts UTF-8 by code point
    objects = np.asarray(uniques, dtype=object)
    if pd.api.types.infer_dtype(objects, skipna=False) != "string":
        return None
    string_dtype = getattr(np.dtypes, "StringDType", None) if hasattr(np, "dtypes") else None
    if string_dtype is not None:
        return np.argsort(objects.astype(string_dtype()), kind="stable")
    items = objects.tolist()  # numpy < 2: sort the Python strings
    return np.asarray(sorted(range(len(items)), key=items.__getitem__), dtype=np.intp)


def factorize(
    values: pd.Series, *, sort: bool = True, runs: bool = False
) -> tuple[np.ndarray, pd.Index]:
    """Codes (``-1`` for a missing value) and the distinct values of one column.

    Args:
        values: The column.
        sort: Codes follow the sorted order of the values (else first appearance).
        runs: Hash one value per run of equal neighbours (logs grouped by user).

    Returns:
        ``(codes, uniques)`` with ``uniques[codes[i]] == values[i]`` where not missing.

    Example:
        >>> codes, uniques = factorize(pd.Series(["b", "a", None, "b"]))
        >>> codes.tolist(), uniques.tolist()
        ([1, 0, -1, 1], ['a', 'b'])
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if runs and len(series) > 1 and not sort:
        raw = series.array if isinstance(series.dtype, pd.StringDtype) else series.to_numpy()
        change = _runs(raw)
        if change is not None:
            heads = np.flatnonzero(change)
            run_codes = np.cumsum(change) - 1
            if raw.dtype.kind in "iu" and bool(np.all(raw[heads[1:]] > raw[heads[:-1]])):
                return run_codes, pd.Index(raw[heads])  # sorted integers: each run a new value
            head_codes, uniques = pd.factorize(series.iloc[heads], use_na_sentinel=True)
            return np.asarray(head_codes)[run_codes], pd.Index(uniques)
    codes, uniques = pd.factorize(series, sort=False, use_na_sentinel=True)
    codes = np.asarray(codes)
    if not sort or len(uniques) < 2:
        return codes, pd.Index(uniques)
    categorical = isinstance(series.dtype, pd.CategoricalDtype)
    order = None if categorical else _sort_order(uniques)
    if order is None:
        try:  # numbers, times, categories (in their declared order)
            codes, uniques = pd.factorize(series, sort=True, use_na_sentinel=True)
            return np.asarray(codes), pd.Index(uniques)
        except TypeError:  # values that do not compare (tuples and numbers): by type, then text
            keys = [(type(v).__name__, repr(v)) for v in uniques]
            order = np.asarray(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.intp)
    rank = np.empty(len(order) + 1, dtype=np.intp)  # the extra last slot maps -1 to -1
    rank[order] = np.arange(len(order))
    rank[-1] = -1
    codes = rank[codes]
    return codes, pd.Index(uniques).take(order)


def _key_codes(series: pd.Series, sort: bool, runs: bool) -> tuple[np.ndarray, pd.Series, int]:
    """Codes with a missing value as the last code, the key values and the missing count."""
    codes, uniques = factorize(series, sort=sort, runs=runs)
    missing = codes < 0
    count = int(missing.sum())
    values = pd.Series(uniques, dtype=series.dtype, copy=False)
    if count:
        codes = np.where(missing, len(uniques), codes)
        values = pd.concat([values, pd.Series([None], dtype=series.dtype)], ignore_index=True)
    return codes.astype(np.intp), values.reset_index(drop=True), count


def group(
    frame: pd.DataFrame, by: Sequence[str], *, sort: bool = True, runs: bool = False
) -> Groups:
    """Group the rows of ``frame`` by the columns ``by``.

    Args:
        frame: The rows (not modified).
        by: Key columns; empty for one group of all rows.
        sort: Codes follow the sorted keys (missing last); else first appearance.
        runs: Hash keys one run of equal neighbours at a time (grouped logs).

    Returns:
        :class:`Groups`.

    Example:
        >>> df = pd.DataFrame({"a": [2, 1, None, 2], "b": ["x", "1", "y", "x"]})
        >>> g = group(df, ["a", "b"])
        >>> g.codes.tolist(), g.keys.to_dict("list"), g.sizes.tolist()
        ([1, 0, 2, 1], {'a': [1.0, 2.0, nan], 'b': ['1', 'x', 'y']}, [1, 2, 1])
    """
    keys = list(by)
    n = len(frame)
    if not keys:
        return Groups(
            codes=np.zeros(n, dtype=np.intp),
            keys=pd.DataFrame(index=pd.RangeIndex(1)),
            sizes=np.array([n], dtype=np.int64),
            by=(),
        )
    notes = []
    per_key = []
    for key in keys:
        codes, values, missing = _key_codes(frame[key], sort, runs and len(keys) == 1)
        per_key.append((codes, values))
        if missing:
            notes.append(
                Note.counted(
                    "missing_group_key",
                    "{count} rows have no {subject}; they form their own group",
                    count=missing,
                    subject=key,
                )
            )
    codes = per_key[0][0]
    combos = np.arange(len(per_key[0][1]), dtype=np.intp).reshape(-1, 1)
    for next_codes, values in per_key[1:]:
        width = len(values)
        combined = codes.astype(np.int64) * width + next_codes
        new_codes, uniques = pd.factorize(combined, sort=sort)
        uniques = np.asarray(uniques, dtype=np.int64)
        combos = np.column_stack([combos[uniques // width], uniques % width])
        codes = np.asarray(new_codes, dtype=np.intp)
    key_table = pd.DataFrame(
        {
            key: values.take(combos[:, j]).reset_index(drop=True)
            for j, (key, (_, values)) in enumerate(zip(keys, per_key, strict=True))
        }
    )
    sizes = np.bincount(codes, minlength=len(key_table)).astype(np.int64)
    return Groups(codes=codes, keys=key_table, sizes=sizes, by=tuple(keys), notes=tuple(notes))


def fallback(
    frame: pd.DataFrame, levels: Sequence[Sequence[str]], *, min_size: int
) -> tuple[Groups, np.ndarray]:
    """Groups that fall back to coarser keys when they have fewer than ``min_size`` rows.

    Each row joins the first level (finest first) at which its group has at least
    ``min_size`` rows; the last level takes every row that is left, whatever its size.
    Keys a level drops are missing in its rows of the key table; the ``level`` column
    tells which level a group comes from.

    Args:
        frame: The rows.
        levels: Key lists from finest to coarsest, e.g. ``[["tier", "market"], ["tier"], []]``.
        min_size: Smallest group accepted at a level above the last.

    Returns:
        ``(groups, level)``: the groups (with a ``level`` key column) and each row's level.

    Example:
        >>> df = pd.DataFrame({"tier": ["a", "a", "a", "b"], "market": ["x", "x", "y", "y"]})
        >>> g, level = fallback(df, [["tier", "market"], ["tier"], []], min_size=2)
        >>> level.tolist(), g.keys.to_dict("list")
        ([0, 0, 1, 2], {'level': [0, 1, 2], 'tier': ['a', 'a', nan], 'market': ['x', nan, nan]})
    """
    if not levels:
        raise ValueError("levels must name at least one level")  # pragma: no cover - internal
    columns = list(dict.fromkeys(k for level in levels for k in level))
    level = np.full(len(frame), len(levels) - 1, dtype=np.intp)
    open_rows = np.ones(len(frame), dtype=bool)
    for i, keys in enumerate(levels[:-1]):
        g = group(frame, keys)
        big = open_rows & (g.sizes[g.codes] >= min_size)
        level[big] = i
        open_rows &= ~big
    labelled = frame[columns].copy()
    for i, keys in enumerate(levels):
        dropped = [c for c in columns if c not in keys]
        rows = level == i
        for column in dropped:
            labelled.loc[rows, column] = None
    labelled.insert(0, "level", level)
    groups = group(labelled, ["level", *columns])
    notes = tuple(n for n in group(frame, columns).notes)
    return attrs.evolve(groups, by=tuple(columns), notes=notes), level


def _int_key(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Integers rebased to their minimum (``uint64``) and the number of key values."""
    low, high = int(values.min()), int(values.max())
    key = values.astype(np.int64, copy=False) - np.int64(low) if low else values
    return key.astype(np.uint64, copy=False), high - low + 1


def _words(array: Any, workers: int = 1) -> tuple[np.ndarray, int] | None:
    """Each string of Arrow text as one little-endian ``uint64``, and the longest length.

    Bytes past a string's end are zero; the length is in bytes. None when a string is
    missing or longer than 8 bytes, or the text holds a NUL byte (the padding must rank
    below every byte). Chunks of rows on ``workers`` threads: the words are the only large
    array written.
    """
    pieces = array.chunks if hasattr(array, "chunks") else [array]
    arr = pieces[0] if len(pieces) == 1 else array.combine_chunks()
    n = len(arr)
    if arr.null_count or not n or str(arr.type) not in ("string", "large_string"):
        return None
    width = np.int64 if str(arr.type) == "large_string" else np.int32
    offsets = np.frombuffer(arr.buffers()[1], dtype=width)[arr.offset : arr.offset + n + 1]
    data = arr.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    raw = raw[offsets[0] : offsets[-1]]
    if np.count_nonzero(raw) < len(raw):
        return None
    padded = np.zeros(len(raw) + 8, dtype=np.uint8)  # the last few strings: read from here
    tail = min(len(raw), 8)
    padded[len(raw) - tail : len(raw)] = raw[len(raw) - tail :]
    words = np.ndarray((max(len(raw) - 7, 0),), dtype="<u8", buffer=raw, strides=(1,))
    late = np.ndarray((tail + 1,), dtype="<u8", buffer=padded[len(raw) - tail :], strides=(1,))
    masks = np.array([(1 << (8 * b)) - 1 for b in range(8)] + [2**64 - 1], dtype=np.uint64)
    word = np.empty(n, dtype=np.uint64)

    def build(group: list[slice]) -> int:
        start = np.empty(CHUNK + 1, dtype=np.int64)
        longest = 0
        for rows in group:
            m = rows.stop - rows.start
            begin = start[: m + 1]
            np.copyto(begin, offsets[rows.start : rows.stop + 1])
            begin -= offsets[0]
            length = np.diff(begin)
            longest = max(longest, int(length.max()))
            if longest > 8:
                return longest
            first, cut = begin[:m], int(np.searchsorted(begin[:m], len(raw) - 7))
            out = word[rows]
            out[:cut] = words[first[:cut]]  # 8 bytes from any offset: an unaligned view
            out[cut:] = late[first[cut:] - (len(raw) - tail)]
            out &= np.take(masks, length, mode="clip")
        return longest

    longest = max(run(build, chunk_groups(n, workers), workers))
    return None if longest > 8 else (word, longest)


def _text_key(array: Any, workers: int = 1) -> tuple[np.ndarray, int] | None:
    """Packed, order-preserving key of Arrow text up to 8 UTF-8 bytes, or None.

    Each pair of byte positions of every string is replaced by its rank among the pairs
    present there (a missing byte, past the end, ranks first), and the ranks are the digits
    of one mixed-radix number, the first pair most significant: the key orders like the
    text (by code point), two strings share a key only when they are equal, and the keys
    fill ``0 .. space − 1`` with ``space`` the product of the pairs present per position.
    Chunks keep temporaries small: page faults of fresh memory cost as much as the arithmetic;
    ``workers`` threads share the chunks.
    """
    found = _words(array, workers)
    if found is None:
        return None
    word, longest = found
    n = len(word)
    pairs = word.view(np.uint16).reshape(n, 4)  # bytes (2j, 2j + 1): b0 + 256 * b1
    used = range((longest + 1) // 2)
    groups = chunk_groups(n, workers)

    def mark(group: list[slice]) -> np.ndarray:
        present = np.zeros((len(used), 65536), dtype=bool)
        at = np.empty(CHUNK, dtype=np.intp)  # one index buffer per thread, reused
        for rows in group:  # small temporaries: cache-resident, no fresh memory
            index = at[: rows.stop - rows.start]
            for j in used:
                np.copyto(index, pairs[rows, j], casting="unsafe")
                present[j][index] = True
        return present

    present = _union(run(mark, groups, workers))
    digits, space = [], 1
    for j in used:
        grid = present[j].reshape(256, 256).T  # [first byte, second byte]: the text's order
        count = int(grid.sum())
        if count > 1:
            rank = (np.cumsum(grid.ravel()) - 1).astype(np.uint64)
            digits.append((j, rank.reshape(256, 256).T.ravel(), np.uint64(count)))
            space *= count

    def build(group: list[slice]) -> None:
        at, digit = np.empty(CHUNK, dtype=np.intp), np.empty(CHUNK, dtype=np.uint64)
        whole = np.empty(CHUNK, dtype=np.uint64)
        for rows in group:  # each chunk's key overwrites its words, read just before
            m = rows.stop - rows.start
            index, value, key = at[:m], digit[:m], whole[:m]
            key.fill(0)
            for j, ranks, radix in digits:
                np.copyto(index, pairs[rows, j], casting="unsafe")
                np.take(ranks, index, out=value, mode="clip")  # "raise" buffers out
                key *= radix
                key += value
            word[rows] = key

    run(build, groups, workers)
    return word, space


def _exact_key(series: pd.Series, workers: int = 1) -> tuple[np.ndarray, int] | None:
    """An order-preserving exact ``uint64`` key of integers or short text and its range.

    Returns ``(key, space)`` with every key in ``0 .. space − 1``, or None.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return None
    if dtype.kind in "iu" and not series.hasnans:
        values = series.to_numpy()
        if dtype.kind == "u" and values.dtype.itemsize == 8 and int(values.max()) >= 2**63:
            return None
        return _int_key(values.astype(np.int64, copy=False))
    if dtype.kind not in "OSU" and not isinstance(dtype, pd.StringDtype):
        return None
    try:
        import pyarrow  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return None
    array = getattr(series.array, "_pa_array", None)
    if array is None:
        try:
            array = pyarrow.array(series.to_numpy(dtype=object), type=pyarrow.large_string())
        except (pyarrow.ArrowInvalid, pyarrow.ArrowTypeError):
            return None  # not only text
    return _text_key(array, workers)


def sort_factorize(values: pd.Series, workers: int = 1) -> tuple[np.ndarray, pd.Index] | None:
    """:func:`factorize` (``sort=True``) of integers or short text, without hashing.

    For integer columns and text of up to 8 UTF-8 bytes (Arrow strings, or Python strings
    when pyarrow is importable) without missing values, each row gets an exact
    order-preserving key in ``0 .. space − 1``. When the key range is at most twice the
    rows, the codes are counted (one pass marks the keys present, a running sum ranks
    them); otherwise each key is packed with its row number into one ``uint64`` and the
    packed values are sorted (no permutation). Neither hashes, so both cost the same for
    rows in any order. Other columns give None (call :func:`factorize`). Text keys and
    counted codes are built on ``workers`` runs of rows in threads (the same codes).

    Args:
        values: The column.
        workers: Threads (1: the calling thread only).

    Returns:
        ``(codes, uniques)`` equal to ``factorize(values)``, or None.

    Example:
        >>> codes, uniques = sort_factorize(pd.Series([30, 10, 30, 20]))
        >>> codes.tolist(), uniques.tolist()
        ([2, 0, 2, 1], [10, 20, 30])
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    n = len(series)
    found = _exact_key(series, workers) if n > 1 else None
    if found is None:
        return None
    key, space = found
    coded = _counted(key, space, workers) if space <= 2 * n else _sorted(key, space)
    if coded is None:
        return None
    codes, rows = coded
    uniques = series.array.take(rows)
    return codes, pd.Index(uniques, dtype=object if series.dtype == object else None)


def _counted(key: np.ndarray, space: int, workers: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Codes by rank among the keys present, and one row per code (a counting pass)."""
    index = key.view(np.intp)  # keys < space: an intp index needs no conversion
    groups = chunk_groups(len(key), workers)

    def mark(group: list[slice]) -> np.ndarray:
        present = np.zeros(space, dtype=bool)
        for rows in group:
            present[index[rows]] = True
        return present

    present = _union(run(mark, groups, workers))
    small = np.int32 if len(key) < 2**31 else np.intp  # a smaller rank table: fewer faults
    rank: np.ndarray = np.cumsum(present, dtype=small)
    rank -= 1
    codes = np.empty(len(key), dtype=np.intp)

    def code(group: list[slice]) -> None:
        ranks = np.empty(CHUNK, dtype=small)  # one buffer per thread, reused
        for rows in group:
            found = ranks[: rows.stop - rows.start]
            np.take(rank, index[rows], out=found, mode="clip")
            codes[rows] = found

    run(code, groups, workers)
    rows = np.empty(int(rank[-1]) + 1, dtype=np.intp)
    rows[codes] = np.arange(len(key), dtype=np.intp)  # any row of each code: they are equal
    return codes, rows


def _union(marks: list[np.ndarray]) -> np.ndarray:
    """The elementwise or of boolean tables (the first one, updated)."""
    for other in marks[1:]:
        marks[0] |= other
    return marks[0]


def _sorted(key: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes and the first row of each code, by one sort of keys packed with row numbers."""
    n = len(key)
    row_bits = max(n - 1, 1).bit_length()
    if (space - 1).bit_length() + row_bits > 64:
        return None
    packed = key  # a fresh array of the caller's: shifted in place
    rows = np.arange(n, dtype=np.intp)
    packed <<= np.uint64(row_bits)
    packed |= rows.view(np.uint64)
    packed.sort()  # values, not a permutation (several times faster than an argsort)
    np.bitwise_and(packed, np.uint64((1 << row_bits) - 1), out=rows.view(np.uint64))
    packed >>= np.uint64(row_bits)
    change = np.empty(n, dtype=bool)
    change[0] = True
    np.not_equal(packed[1:], packed[:-1], out=change[1:])
    sorted_codes = np.cumsum(change, out=packed.view(np.intp))
    sorted_codes -= 1
    codes = np.empty(n, dtype=np.intp)
    codes[rows] = sorted_codes
    return codes, rows[change]
