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
            head_codes, uniques = pd.factorize(series.iloc[heads], use_na_sentinel=True)
            return np.asarray(head_codes)[np.cumsum(change) - 1], pd.Index(uniques)
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
