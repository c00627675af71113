"""Command line: ``creatorkit demo | score | explain | ingest`` (also ``python -m creatorkit``).

``score FILE [FILE ...] --preset beauty/sales`` scores creators from tables or raw exports
and writes a ranked table; ``explain ... --creator ID`` says why; ``ingest FILE --out OUT``
reads an export into a validated table; ``demo`` shows what the library can do. Every
problem is one line ``creatorkit: error: <argument>: <detail>`` and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

EPILOG = """\
examples:
  creatorkit score creators.csv content.csv --preset beauty/sales --out ranked.csv
  creatorkit explain creators.csv content.csv --preset beauty/sales --creator c000042
  creatorkit ingest orders.csv --tz Asia/Jakarta --out order_lines.csv
  creatorkit demo

Run 'creatorkit <command> --help' for each command's options. Exit status: 0 done; 2 a
bad argument, file or value (one line on standard error, no traceback)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` when ``None``.

    Returns:
        0 on success; 2 on bad arguments, files or data (one line on standard error, no
        traceback); 1 when standard output was closed early (piped into ``head``); 3 on
        an internal error (a bug, also one line).

    Example:
        >>> main(["--version"])  # doctest: +ELLIPSIS
        creatorkit ...
        0
    """
    from creatorkit import __version__, _cli, _cli_ingest, _cli_score

    parser = _cli.Parser(
        prog="creatorkit",
        description="Score social-media creators from the files you have.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="{demo,score,explain,ingest}")
    demo = sub.add_parser("demo", help="run the demo on embedded synthetic data")
    demo.add_argument("--seed", type=int, default=0, help="seed of the synthetic data")
    _cli_score.add_parsers(sub)
    _cli_ingest.add_parser(sub)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    except _cli.CliError as exc:
        print(f"creatorkit: error: {exc}", file=sys.stderr)
        return 2
    commands = {
        "score": _cli_score.score,
        "explain": _cli_score.explain,
        "ingest": _cli_ingest.ingest,
        "demo": _demo,
    }
    if args.version:
        print(f"creatorkit {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return 0
    return _cli.guarded(lambda: commands[args.command](args))


def _demo(args: object) -> int:
    from creatorkit._demo import run

    run(seed=getattr(args, "seed", 0), out=sys.stdout)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
