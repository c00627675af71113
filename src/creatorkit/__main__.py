"""Command line: ``python -m creatorkit demo`` prints what the library can do."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` when ``None``.

    Returns:
        0 on success.

    Example:
        >>> main(["--version"])  # doctest: +ELLIPSIS
        creatorkit ...
        0
    """
    from creatorkit import __version__

    parser = argparse.ArgumentParser(prog="creatorkit", description=__doc__)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="run the demo on embedded synthetic data")
    demo.add_argument("--seed", type=int, default=0, help="seed of the synthetic data")
    args = parser.parse_args(argv)
    if args.version:
        print(f"creatorkit {__version__}")
        return 0
    if args.command == "demo":
        from creatorkit._demo import run

        run(seed=args.seed, out=sys.stdout)
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
