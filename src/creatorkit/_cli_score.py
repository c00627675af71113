"""``creatorkit score`` and ``creatorkit explain``: files in, a ranked table or reasons out."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._cli import CliError, Progress, blame, check_out, write_table
from creatorkit._cli_read import Inputs, latest, read_files

__all__ = ["add_parsers", "explain", "ranked", "score"]

_FILES = """\
Each FILE's kind is found from its columns: a creators table (creator_id, followers,
country, category, ...), content (content_id), order lines (order_id), collaborations
(collaboration_id), audience (dimension, segment, share), violations (violation_id), fx
rates (date, currency, rate) — as CSV, parquet (pyarrow) or Excel (openpyxl) — or a raw
export that creatorkit.ingest recognizes (a TikTok Shop video or orders export). Without
a creators table, the creators are the ids found in the other files.

--as-of defaults to the latest timestamp in the data (never the clock); a bare date such
as 2026-06-30 means the end of that day (in --tz, else UTC).

exit status: 0 done; 2 a bad argument, file or value (one line on standard error)."""

SCORE_EPILOG = f"""\
examples:
  creatorkit score creators.csv content.csv --preset beauty/sales --out ranked.csv
  creatorkit score creators.csv videos.csv orders.xlsx --preset beauty/sales --tz Asia/Jakarta
  creatorkit score *.csv --spec scorecard.json --as-of 2026-06-30 --top 0.10 --by market

{_FILES}"""

EXPLAIN_EPILOG = f"""\
examples:
  creatorkit explain creators.csv content.csv --preset beauty/sales --creator c000042

{_FILES}"""

_NOTES = 5
_PROFILE = ("category", "followers", "country", "market", "tier", "platform", "language")
_NAMES = {
    "as_of": "--as-of",
    "currency": "--currency",
    "creator_id": "--creator",
    "frac": "--top",
    "by": "--by",
}


def _common(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("files", nargs="+", metavar="FILE", help="tables or exports to score")
    card = cmd.add_mutually_exclusive_group(required=True)
    card.add_argument(
        "--preset",
        metavar="CATEGORY/GOAL",
        help="a shipped scorecard: beauty/sales, home/awareness@1",
    )
    card.add_argument("--spec", metavar="SPEC.json", help="a scorecard spec (Scorecard.to_json)")
    cmd.add_argument(
        "--as-of", dest="as_of", metavar="DATE", help="cut-off (default: latest time in the data)"
    )
    cmd.add_argument(
        "--currency", metavar="CODE", help="reporting currency of money criteria (with fx rates)"
    )
    cmd.add_argument(
        "--tz", metavar="ZONE", help="zone of naive times in the files, e.g. Asia/Jakarta"
    )
    cmd.add_argument(
        "--export-currency", metavar="CODE", help="currency of an export that names none"
    )


def add_parsers(sub: Any) -> None:
    """Add ``score`` and ``explain`` to the subcommands ``sub``.

    Example:
        >>> from creatorkit._cli import Parser
        >>> parser = Parser(prog="creatorkit")
        >>> add_parsers(parser.add_subparsers(dest="command"))
        >>> args = parser.parse_args(["score", "a.csv", "--preset", "beauty/sales", "--top", "0.1"])
        >>> args.files, args.preset, args.top, args.as_of
        (['a.csv'], 'beauty/sales', 0.1, None)
    """
    raw = argparse.RawDescriptionHelpFormatter
    cmd = sub.add_parser(
        "score",
        help="score creators from tables or exports; write a ranked table",
        description="Score creators with a preset or a spec and rank them.",
        epilog=SCORE_EPILOG,
        formatter_class=raw,
    )
    _common(cmd)
    cmd.add_argument(
        "--by", metavar="COLUMN", help="group(s) for --top and group ranks (default: country)"
    )
    cmd.add_argument(
        "--top", type=float, metavar="SHARE", help="write only the top share of each group (0.10)"
    )
    cmd.add_argument("--out", metavar="PATH", help="ranked table: .csv, .parquet or .xlsx")
    why = sub.add_parser(
        "explain",
        help="explain one creator's score (or why it was excluded)",
        description="Score the creators, then explain one of them in sentences and numbers.",
        epilog=EXPLAIN_EPILOG,
        formatter_class=raw,
    )
    _common(why)
    why.add_argument("--creator", required=True, metavar="ID", help="the creator to explain")


def _scorecard(args: argparse.Namespace) -> Any:
    from creatorkit.scoring import Scorecard

    if args.preset is not None:
        with blame("--preset", {"currency": "--currency"}):
            return Scorecard.preset(args.preset, currency=args.currency)
    path = Path(args.spec)
    if not path.is_file():
        raise CliError("--spec", f"no such file: {args.spec!r}")
    with blame("--spec"):
        card = Scorecard.from_json(path.read_bytes())
    if args.currency is not None:
        with blame("--currency"):
            card = attrs.evolve(card, currency=args.currency)
    return card


def _as_of(value: str | None, tz: str | None, inputs: Inputs) -> tuple[pd.Timestamp, str]:
    """The cut-off and how it was chosen (the latest time in the data by default)."""
    from creatorkit._time import localize, parse_as_of, parse_tz
    from creatorkit._validation import Problems

    if value is None:
        found = latest(inputs.tables)
        if found is None:
            rule = "the files have no timestamps to take the latest of: give one (2026-06-30)"
            raise CliError("--as-of", rule)
        return found, "the latest timestamp in the data"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        with blame("--tz"):
            zone = parse_tz(tz or "UTC")
        assert zone is not None
        try:
            date = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise CliError("--as-of", f"{value.strip()!r} is not a date ({exc})") from None
        with blame("--as-of"):
            end = pd.Timestamp(date) + pd.Timedelta(days=1) - pd.Timedelta(1, "us")
            problems = Problems("--as-of")
            day = localize(pd.Series([end]), zone, column="--as-of", problems=problems)
            problems.raise_if_any()
        return pd.Timestamp(day.iloc[0]), f"the end of {value.strip()}"
    with blame("--as-of"):
        stamp = parse_as_of(value)
    assert stamp is not None
    return stamp, "given"


def _needs(card: Any, inputs: Inputs) -> None:
    """Each computed criterion's table is among the files (else say which is missing)."""
    from creatorkit import metrics
    from creatorkit.scoring._tables import _KINDS

    creators = inputs.tables["creators"]
    profile = sorted({g.column for g in card.gates} & set(_PROFILE))
    if inputs.derived_creators and profile:
        rule = (
            f"the scorecard's gates read {profile} of a creators table, and no creators table "
            "was given (add one: creator_id, country, category, followers, ...)"
        )
        raise CliError("FILE", rule)
    for c in card.criteria:
        if c.name in creators or c.name not in metrics.registry:
            continue
        table = _KINDS.get(metrics.registry.get(c.name).table)
        if table is not None and table not in inputs.tables:
            read = ", ".join(f"{f.path} ({f.table})" for f in inputs.files)
            rule = f"criterion {c.name!r} is computed from a {table} table; none of [{read}] is one"
            raise CliError("FILE", rule)


def _scored(args: argparse.Namespace, bar: Progress) -> tuple[Any, Any, Inputs, pd.Timestamp, str]:
    """(scorecard, result, inputs, as_of, how as_of was chosen)."""
    card = _scorecard(args)
    inputs = read_files(args.files, tz=args.tz, currency=args.export_currency, progress=bar)
    when, how = _as_of(args.as_of, args.tz, inputs)
    _needs(card, inputs)
    bar.step("scoring")
    with blame("FILE", {**_NAMES, "criteria": "--spec" if args.spec else "--preset"}):
        res = card.score(inputs.tables, as_of=when)
    return card, res, inputs, when, how


def _reasons(exclusions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Excluded creators (sorted) and their reasons joined by '; ', in the gates' order.

    Each creator's failed reasons are a bit mask over the distinct reasons (vectorized);
    only the few distinct masks are spelled out.
    """
    from creatorkit._grouping import factorize

    codes, found = factorize(exclusions["creator_id"].astype(str), sort=True)
    which, reasons = factorize(exclusions["reason"].astype(str), sort=False)  # gates' order
    ids = np.asarray(found, dtype=object)
    if len(reasons) > 62:  # more reasons than bits: one pass per reason
        text = np.full(len(ids), "", dtype=object)
        for r, reason in enumerate(reasons):  # a loop over reasons, never over creators
            has = np.zeros(len(ids), dtype=bool)
            has[codes[which == r]] = True
            text[has] = np.where(text[has] == "", "", text[has] + "; ") + str(reason)
        return ids, text
    mask = np.zeros(len(ids), dtype=np.int64)
    np.add.at(mask, codes, np.left_shift(np.int64(1), which.astype(np.int64)))  # pairs unique
    back, distinct = factorize(pd.Series(mask), sort=True)
    spelled = [
        "; ".join(str(reasons[r]) for r in range(len(reasons)) if int(m) >> r & 1)
        for m in distinct  # a loop over distinct combinations of reasons
    ]
    return ids, np.asarray(spelled, dtype=object)[back]


def ranked(res: Any) -> pd.DataFrame:
    """The ranked table: scored creators by rank, then the excluded ones with reasons.

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import Criterion, Gate, Scorecard
        >>> t = pd.DataFrame({"creator_id": ["a", "b", "c"], "gpm": [1.0, 3.0, 2.0],
        ...                   "followers": [10, 50_000, 30_000]})
        >>> card = Scorecard([Criterion(name="gpm")], gates=[Gate.followers(20_000)])
        >>> res = card.score(t, as_of="2026-06-30T00:00:00Z")
        >>> ranked(res)[["rank", "creator_id", "score", "status", "reason"]].values.tolist()
        [[1, 'b', 100.0, 'scored', ''], [2, 'c', 50.0, 'scored', ''], \
[<NA>, 'a', nan, 'excluded', 'followers >= 20000']]
    """
    table = res.table
    order = np.argsort(table["rank"].to_numpy(), kind="stable")
    head = ["rank", "creator_id", "score", "percentile", "tier"]
    parts = [f"contribution_{c}" for c in res.criteria] + list(res.criteria) + ["low_data"]
    keep = [c for c in head + parts if c in table]
    scored: pd.DataFrame = table[keep].take(order).reset_index(drop=True)
    scored["rank"] = scored["rank"].astype("Int64")
    scored["status"], scored["reason"] = "scored", ""
    ids, why = _reasons(res.exclusions)
    excluded = pd.DataFrame({"creator_id": ids, "status": "excluded", "reason": why})
    if not len(excluded):
        return scored
    out = pd.concat([scored, excluded], ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    columns: pd.DataFrame = out[scored.columns]
    return columns


def _by(value: str | None, res: Any, creators: pd.DataFrame) -> list[str]:
    """The ``--by`` columns, each a column of the result or of the creators table."""
    from creatorkit._validation import did_you_mean

    names = [n.strip() for n in (value or "country").split(",") if n.strip()]
    known = [*map(str, creators.columns), *map(str, res.table.columns)]
    known += ["market"] if "country" in creators else []
    for name in names:
        if name not in known:
            hint = did_you_mean(name, known)
            raise CliError("--by", f"{name!r} is not a column of the creators table.{hint}")
    return names


def _grouped(args: argparse.Namespace, res: Any, inputs: Inputs) -> tuple[pd.DataFrame, Any]:
    """The table to write: the ranking (with group ranks under ``--by``) or the top share."""
    from creatorkit.scoring import top_share

    table = ranked(res)
    if args.by is None and args.top is None:
        return table, None
    creators = inputs.tables["creators"]
    by = _by(args.by, res, creators)
    with blame("--top", _NAMES):
        top = top_share(res, 1.0 if args.top is None else args.top, by=by, groups=creators)
    if args.top is not None:
        chosen = top.table
        return chosen.drop(columns=["status"]) if chosen["status"].isna().all() else chosen, top
    groups = top.table[[*by, "creator_id", "group_rank"]]
    merged = table.merge(groups, on="creator_id", how="left", validate="one_to_one")
    merged["group_rank"] = merged["group_rank"].astype("Int64")
    front = ["rank", "creator_id", *by, "group_rank"]
    return merged[front + [c for c in merged if c not in front]], None


def _top_lines(top: Any) -> str:
    groups = top.groups
    lines = [
        f"top {top.frac:.0%} per {' × '.join(top.by) or 'all'}: {int(groups['top_count'].sum()):,}"
        f" creators in {len(groups):,} groups (ceil of the share of each group's scored creators)"
    ]
    if len(groups):
        lines.append(groups.drop(columns=["entrants", "leavers"]).to_string(index=False))
    return "\n".join(lines)


def _summary(res: Any, inputs: Inputs, when: pd.Timestamp, how: str, card: Any) -> str:
    table = res.table
    total = len(table) + res.exclusions["creator_id"].nunique()
    lines = [f"read {len(inputs.files)} file{'s' if len(inputs.files) != 1 else ''}:"]
    lines.append(inputs.describe())
    lines.append(
        f"scored {len(table):,} of {total:,} creators with {card.id}@{card.version} "
        f"as of {when.isoformat()} ({how})"
    )
    if len(res.exclusions):
        counts = res.exclusions["reason"].value_counts(sort=False)
        shown = ", ".join(f"{r} ({n:,})" for r, n in counts.items())
        lines.append(f"excluded {total - len(table):,} (by gate; one may fail several): {shown}")
    notes = list(res.warnings)
    lines.extend(f"note: {note.message}" for note in notes[:_NOTES])
    if len(notes) > _NOTES:
        lines.append(f"note: ... and {len(notes) - _NOTES} more notes (ScoreResult.warnings)")
    return "\n".join(lines)


def _size(paths: list[str]) -> int:
    return sum(Path(p).stat().st_size for p in paths if Path(p).is_file())


def score(args: argparse.Namespace) -> int:
    """``creatorkit score``: read, score, write the ranked table (or print the top).

    Example:
        >>> import argparse
        >>> args = argparse.Namespace(out="ranked.txt", files=[])
        >>> score(args)
        Traceback (most recent call last):
        ...
        creatorkit._cli.CliError: --out: must end in .csv, .parquet or .xlsx, got 'ranked.txt'
    """
    out = check_out(args.out)
    steps = len(args.files) + 1 + (out is not None)
    bar = Progress(steps, sys.stderr, size=_size(args.files))
    card, res, inputs, when, how = _scored(args, bar)
    table, top = _grouped(args, res, inputs)
    if out is not None:
        bar.step(f"writing {out.name}")
        write_table(table, out)
    bar.done()
    print(_summary(res, inputs, when, how, card))
    if top is not None:
        print(_top_lines(top))
    if out is not None:
        what = "in the top share" if top is not None else f"{len(res.table):,} ranked"
        print(f"wrote {len(table):,} rows ({what}) → {out}")
    elif top is not None:
        print(table.round(2).to_string(index=False, max_rows=40))
    else:
        top = ranked(res).head(min(10, len(res.table)))
        shown = [c for c in ("rank", "creator_id", "score", "percentile", "tier") if c in top]
        print("top 10:" if len(top) else "no creator passed the gates")
        if len(top):
            print(top[shown].round(2).to_string(index=False))
    return 0


def explain(args: argparse.Namespace) -> int:
    """``creatorkit explain``: score, then explain one creator in sentences and a table.

    Example:
        >>> import argparse
        >>> args = argparse.Namespace(files=[], preset="beuaty/sales", currency=None)
        >>> explain(args)
        Traceback (most recent call last):
        ...
        creatorkit._cli.CliError: --preset: 'beuaty/sales' is not a preset. Did you mean ...
    """
    bar = Progress(len(args.files) + 1, sys.stderr, size=_size(args.files))
    _, res, _, when, how = _scored(args, bar)
    bar.done()
    with blame("--creator", _NAMES):
        why = res.explain(args.creator)
    print(f"as of {when.isoformat()} ({how}):")
    for sentence in why.sentences:
        print(sentence)
    print()
    print(why.table.round(4).to_string(index=False))
    return 0
