"""``creatorkit ingest FILE --out OUT``: an export read into a validated table."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_parser", "ingest"]


def add_parser(sub: Any) -> None:
    """Add ``ingest`` to the subcommands ``sub``.

    Example:
        >>> from creatorkit._cli import Parser
        >>> parser = Parser(prog="creatorkit")
        >>> add_parser(parser.add_subparsers(dest="command"))
        >>> parser.parse_args(["ingest", "orders.csv", "--out", "t.csv"]).kind is None
        True
    """
    cmd = sub.add_parser(
        "ingest",
        help="read an export into a validated table",
        description="Read an export (CSV/TSV, XLSX or JSON) into a validated table.",
        epilog=(
            "example:\n  creatorkit ingest orders.csv --tz Asia/Jakarta --out order_lines.csv"
            " --report report.csv\n\nexit status: 0 done; 2 a bad argument, file or value"
            " (one line on standard error)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmd.add_argument("file", help="the export: CSV/TSV, XLSX or JSON")
    cmd.add_argument("--kind", default=None, help="export kind (default: detected from headers)")
    cmd.add_argument("--out", required=True, help="where to write the table (.csv or .json)")
    cmd.add_argument("--report", default=None, help="also write the conversion report (.csv)")
    cmd.add_argument("--tz", default=None, help="zone of shop-local times, e.g. Asia/Jakarta")
    cmd.add_argument("--currency", default=None, help="currency when the file names none")
    cmd.add_argument("--decimal", default=None, help="decimal mark: '.' or ','")
    cmd.add_argument("--date-format", default=None, help="strptime format of the dates")
    cmd.add_argument("--on-error", default="raise", help="raise (default) or exclude")


def ingest(args: argparse.Namespace) -> int:
    """Read, validate, write the table, print a summary.

    Example:
        >>> import argparse
        >>> ingest(argparse.Namespace(out="table.parquet"))
        Traceback (most recent call last):
        ...
        creatorkit.errors.ValidationError: --out: 1 problem
          - must end in .csv or .json [invalid_value]; got 'table.parquet'
    """
    from pathlib import Path

    from creatorkit import ingest
    from creatorkit._cli import blame
    from creatorkit._validation import fail
    from creatorkit.errors import ErrorCode

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".json"):
        fail("--out", "must end in .csv or .json", ErrorCode.INVALID_VALUE, value=args.out)
    names = {"ingest kind": "--kind", "kind": "--kind", "on_error": "--on-error", "tz": "--tz"}
    names |= {"currency": "--currency", "decimal": "--decimal", "date_format": "--date-format"}
    with blame(str(args.file), names):
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
