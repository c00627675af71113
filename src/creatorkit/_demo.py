"""The demo behind ``python -m creatorkit demo``: one section per capability."""

from __future__ import annotations

from typing import TextIO


def _section(out: TextIO, title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 72 - len(title)), file=out)


def run(*, seed: int = 0, out: TextIO) -> None:
    """Print what creatorkit does, computed on embedded synthetic data."""
    from creatorkit import __version__

    print(f"creatorkit {__version__} — creator scoring for cross-border content commerce", file=out)
    _section(out, "Result contract")
    import json

    import pandas as pd

    from creatorkit.results import MethodCard, TableResult

    table = pd.DataFrame({"creator_id": ["c1", "c2"], "ctr": [0.031, float("nan")]})
    res = TableResult(table=table, method=MethodCard.create("demo.toy", seed=seed))
    print("Every result is a frozen object with to_frame(), to_dict() and a method card:", file=out)
    print(json.dumps(res.to_dict(), allow_nan=False)[:160] + " ...", file=out)
