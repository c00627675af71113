"""Command line: ``python -m creatorkit demo`` prints what the library can do.

``python -m creatorkit ingest FILE --out table.csv`` reads an export into a validated table.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any


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
    _ingest_parser(sub)
    args = parser.parse_args(argv)
    if args.version:
        print(f"creatorkit {__version__}")
        return 0
    if args.command == "ingest":
        return _guarded(lambda: _ingest(args))
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


def _guarded(run: Callable[[], int]) -> int:
    """Run a subcommand: a creatorkit error is one line on standard error and status 2."""
    from creatorkit.errors import CreatorkitError

    try:
        return run()
    except CreatorkitError as exc:
        where = getattr(exc, "argument", None) or "input"
        lines = [line.strip(" -") for line in str(exc).splitlines()]
        detail = lines[1] if len(lines) > 1 else lines[0]
        print(f"creatorkit: error: {where}: {detail}", file=sys.stderr)
        return 2


def _ingest_parser(sub: Any) -> None:
    cmd = sub.add_parser("ingest", help="read an export into a validated table")
    cmd.add_argument("file", help="the export: CSV/TSV, XLSX or JSON")
    cmd.add_argument("--kind", default=None, help="export kind (default: detected from headers)")
    cmd.add_argument("--out", required=True, help="where to write the table (.csv or .json)")
    cmd.add_argument("--report", default=None, help="also write the conversion report (.csv)")
    cmd.add_argument("--tz", default=None, help="zone of shop-local times, e.g. Asia/Jakarta")
    cmd.add_argument("--currency", default=None, help="currency when the file names none")
    cmd.add_argument("--decimal", default=None, help="decimal mark: '.' or ','")
    cmd.add_argument("--date-format", default=None, help="strptime format of the dates")
    cmd.add_argument("--on-error", default="raise", help="raise (default) or exclude")


def _ingest(args: argparse.Namespace) -> int:
    """``creatorkit ingest FILE --out OUT``: read, validate, write the table, print a summary."""
    from pathlib import Path

    from creatorkit import ingest
    from creatorkit._validation import fail
    from creatorkit.errors import ErrorCode

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".json"):
        fail("--out", "must end in .csv or .json", ErrorCode.INVALID_VALUE, value=args.out)
    res = ingest.read(
        Path(args.file),
        kind=args.kind,
        tz=args.tz,
        currency=args.currency,
        decimal=args.decimal,
        date_format=args.date_format,
        on_error=args.on_error,
    )
    table = res.to_frame()
    if out.suffix.lower() == ".json":
        out.write_text(table.to_json(orient="records", date_format="iso"), encoding="utf-8")
    else:
        table.to_csv(out, index_label="row")
    if args.report:
        res.report.to_csv(args.report, index=False)
    print(
        f"read {res.rows_read} rows of {res.kind} ({res.model}); "
        f"{res.rows_excluded} excluded → {out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
