"""Write ``docs/metric-reference.md`` from the live catalog: ``python docs/_metric_reference.py``.

The page is committed, so it reads the same in a fresh clone as in the built docs; a test
fails when it no longer matches ``creatorkit.metrics.catalog()``.
"""

from __future__ import annotations

from pathlib import Path

PAGE = Path(__file__).with_name("metric-reference.md")

HEADER = """# Metric reference

This page is generated from `creatorkit.metrics.catalog()` by `python docs/_metric_reference.py`
and checked against the code by the test suite, so it always matches the catalog you have.
Every formula is a ratio of sums over the group's rows unless *mergeable* is **no**.
*Intervals* lists the methods that apply: `ci="auto"` uses `cluster` (over posts,
collaborations or order lines, Student t with rows − 1 degrees of freedom) and, for a
one-row group, the first trial-based one. *Cluster scale* is where that interval is built:
`log` keeps bounds above 0, `logit` keeps rates inside (0, 1), `identity` is for values of
either sign (see [Metrics](metrics.md)).
"""


def render() -> str:
    """The page's text."""
    from creatorkit.metrics import catalog

    table = catalog()
    lines = [
        HEADER,
        "| name | formula | kind | table | mergeable | intervals | cluster scale | window | params "
        "| source |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples(index=False):
        cells = [
            f"`{row.name}`",
            str(row.formula).replace("|", "\\|"),
            row.kind,
            row.table,
            "yes" if row.mergeable else "**no**",
            row.intervals or "—",
            row.interval_scale if row.intervals else "—",
            row.window or "—",
            row.params or "—",
            row.source,
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    lines += ["", "| name | direction | unit | layer | description |", "|---|---|---|---|---|"]
    for row in table.itertuples(index=False):
        cells = [f"`{row.name}`", row.direction, row.unit, row.layer, row.description]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    PAGE.write_text(render())
