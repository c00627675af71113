"""Benchmark harness: time creatorkit against a peer in the same run and print ratios."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    work: str
    ours: float
    peer: float | None
    target: str
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return None if self.peer is None or self.peer == 0 else self.ours / self.peer


def median_time(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1e3:9.1f} ms" if seconds < 10 else f"{seconds:9.2f} s "


def print_table(lines: list[Line]) -> None:
    header = f"{'work':58} {'creatorkit':>12} {'peer':>12} {'ratio':>8}  target"
    print(header)
    print("-" * len(header))
    for line in lines:
        ratio = "—" if line.ratio is None else f"{line.ratio:7.3g}×"
        print(
            f"{line.work:58} {_fmt(line.ours):>12} {_fmt(line.peer):>12} {ratio:>8}  {line.target}"
        )
        if line.note:
            print(f"{'':58}   {line.note}")
