"""The one thread pool helper: a task over a few items (ranges, columns) in threads.

numpy's sorts, scans and gathers and pyarrow's kernels release the GIL, so a handful of
threads over disjoint items use the cores without copying data to processes. Results
never depend on the number of threads: each item's task is the same computation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from creatorkit._arith import chunks

__all__ = ["GATHER_WORKERS", "chunk_groups", "run"]

T = TypeVar("T")

GATHER_WORKERS = 2
"""Threads for column-wise gathers of large tables (a reorder is memory-bound, and two
threads already keep the memory system busy)."""


def run(task: Callable[[T], Any], items: Sequence[T], workers: int | None = None) -> list[Any]:
    """``[task(item) for item in items]``, in up to ``workers`` threads when there are several.

    ``workers=None`` gives each item its own thread; with one item or ``workers=1`` the
    tasks run in the calling thread. Results keep the order of ``items``.

    Example:
        >>> run(lambda x: x * x, [1, 2, 3], workers=2)
        [1, 4, 9]
    """
    pool_size = len(items) if workers is None else min(workers, len(items))
    if pool_size < 2:
        return [task(item) for item in items]
    with ThreadPoolExecutor(max_workers=pool_size) as pool:
        return list(pool.map(task, items))


def chunk_groups(n: int, workers: int) -> list[list[slice]]:
    """:func:`~creatorkit._arith.chunks` of ``n`` rows dealt into at most ``workers`` runs.

    Each run is a contiguous list of chunks for one thread (small temporaries per chunk,
    disjoint rows per thread); one worker gets every chunk.

    Example:
        >>> [len(group) for group in chunk_groups(5 * (1 << 18), 2)]
        [3, 2]
    """
    parts = chunks(n)
    size = max(-(-len(parts) // max(workers, 1)), 1)
    return [parts[i : i + size] for i in range(0, len(parts), size)]
