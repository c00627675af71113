"""Run every benchmark and print one table: work, creatorkit, peer, ratio, target.

Usage: ``python3 dev.py bench [--quick] [name ...]`` (names: the ``bench_<name>.py`` files).
Peers (duckdb, chdb, statsmodels) come with the ``bench`` extra. Each line times creatorkit
and its peer in the same run and reports the median of several runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import print_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller data, fewer repeats")
    args = parser.parse_args()
    available = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    names = args.names or available
    unknown = sorted(set(names) - set(available))
    if unknown:
        parser.error(f"unknown benchmarks {unknown}; available: {available}")
    lines = []
    for name in names:
        module = importlib.import_module(f"bench_{name}")
        print(f"running {name} ...", file=sys.stderr, flush=True)
        lines.extend(module.run(args.quick))
    print_table(lines)


if __name__ == "__main__":
    main()
