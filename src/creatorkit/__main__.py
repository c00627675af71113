"""Command line: ``python -m creatorkit demo`` prints what the library can do."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` when ``None``.

    Returns:
        0 on success; 2 on bad arguments (one line on standard error, no traceback).

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
        from creatorkit.errors import CreatorkitError

        try:
            run(seed=args.seed, out=sys.stdout)
            sys.stdout.flush()
        except CreatorkitError as exc:
            where = getattr(exc, "argument", None) or "input"
            detail = str(exc).splitlines()[-1].strip(" -")
            print(f"creatorkit: error: {where}: {detail}", file=sys.stderr)
            return 2
        except BrokenPipeError:  # piped into `head`: stop quietly, as Unix tools do
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 1
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
