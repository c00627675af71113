"""CLI ``score`` on a 1M-row content CSV (+ creators CSV) vs pd.read_csv + Scorecard in-process.

The command line runs as a user runs it: a subprocess ``python -m creatorkit score
creators.csv content.csv --preset beauty/sales --out ranked.csv``, so its wall time
includes starting the interpreter and importing creatorkit, recognizing each file by its
columns, ``frames.validate`` of both tables and writing the ranked CSV. The peer does the
least a Python user must: ``pd.read_csv`` of the same files (ids as text, the time column
parsed) and ``Scorecard.score`` in the running interpreter. The fixed cost of a run — starting
the interpreter and importing creatorkit, pandas and the scipy parts scoring uses — is
measured on an 800-row run and reported on its own.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import creatorkit as ck
from _harness import Line, median_time

AS_OF = "2026-06-30T23:59:59+00:00"
CATEGORIES = np.array(["beauty", "fashion", "home", "tech"])
COUNTRIES = np.array(["TH", "VN", "ID", "MY", "PH", "US", "GB"])


def make_files(folder: Path, rows: int, seed: int = 0) -> tuple[Path, Path]:
    """A creators CSV (rows / 8 creators) and a content CSV of ``rows`` posts, as exported."""
    rng = np.random.default_rng(seed)
    n = max(rows // 8, 10)
    ids = pd.Series([f"c{i:07d}" for i in range(n)])
    creators = pd.DataFrame({
        "creator_id": ids, "platform": "tiktok", "country": rng.choice(COUNTRIES, n),
        "category": rng.choice(CATEGORIES, n),
        "followers": np.exp(rng.normal(10.5, 1.5, n)).round().astype(np.int64),
    })  # fmt: skip
    who = rng.integers(0, n, rows)
    views = rng.integers(100, 200_000, rows)
    clicks = rng.binomial(views, 0.012)
    orders = rng.binomial(clicks, 0.08)
    seconds = rng.integers(0, 90 * 86_400, rows)
    published = pd.Timestamp("2026-04-01T23:59:59Z") + pd.to_timedelta(seconds, unit="s")
    content = pd.DataFrame({
        "content_id": (7_394_017_712_830_000_000 + np.arange(rows)).astype(str),
        "creator_id": ids.to_numpy()[who],
        "published_at": published,
        "content_type": rng.choice(np.array(["video", "live"]), rows, p=[0.9, 0.1]),
        "views": views,
        "likes": rng.binomial(views, 0.06),
        "comments": rng.binomial(views, 0.004),
        "shares": rng.binomial(views, 0.003),
        "saves": rng.binomial(views, 0.005),
        "completion": rng.beta(4, 6, rows).round(4),
        "clicks": clicks,
        "orders": orders,
        "gmv": (orders * rng.gamma(4.0, 6.0, rows)).round(2),
        "currency": "USD",
    })  # fmt: skip
    creators.to_csv(folder / "creators.csv", index=False)
    content.to_csv(folder / "content.csv", index=False)
    return folder / "creators.csv", folder / "content.csv"


PYCACHE = Path(tempfile.gettempdir()) / "creatorkit-bench-pycache"
"""Bytecode of the timed runs, out of the tree: an installed creatorkit has its .pyc files,
so the runs must not recompile every module (PYTHONDONTWRITEBYTECODE set in the shell)."""


def cli(*argv: str | Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(ck.__file__).resolve().parents[1])}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    done = subprocess.run(
        [sys.executable, "-m", "creatorkit", *map(str, argv)], capture_output=True, env=env
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode())


def peer(creators: Path, content: Path) -> ck.scoring.ScoreResult:
    """What a Python user writes: read both files (ids as text, times parsed), score."""
    people = pd.read_csv(creators, dtype={"creator_id": str})
    posts = pd.read_csv(
        content, dtype={"content_id": str, "creator_id": str}, parse_dates=["published_at"]
    )
    tables = {"creators": people, "content": posts}
    return ck.Scorecard.preset("beauty/sales").score(tables, as_of=AS_OF)


def _paired(ours: Any, theirs: Any, repeat: int = 3) -> tuple[float, float]:
    """Median times of ``ours`` and ``theirs`` run alternately (fair on a busy machine)."""
    a, b = [], []
    for _ in range(repeat):
        for fn, times in ((theirs, b), (ours, a)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def run(quick: bool) -> list[Line]:
    rows = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        creators, content = make_files(folder, rows)
        out = folder / "ranked.csv"
        args = ("score", creators, content, "--preset", "beauty/sales", "--as-of", AS_OF)
        cli(*args, "--out", out)
        got = pd.read_csv(out, dtype={"creator_id": str}, low_memory=False)
        want = peer(creators, content).table.sort_values("rank")
        scored = got[got["status"] == "scored"]
        assert scored["creator_id"].tolist() == want["creator_id"].tolist()
        np.testing.assert_allclose(scored["score"], want["score"], rtol=0, atol=1e-9)
        ours, theirs = _paired(lambda: cli(*args, "--out", out), lambda: peer(creators, content))
        size = sum(p.stat().st_size for p in (creators, content)) / 1e6
        tiny = folder / "tiny"
        tiny.mkdir()
        small = ("score", *make_files(tiny, 800), "--preset", "beauty/sales", "--as-of", AS_OF)
        start = median_time(lambda: cli(*small, "--out", tiny / "r.csv"), repeat=3)
    work = f"CLI score {rows / 1e6:g}M content rows + {rows // 8:,} creators (CSV, {size:.0f} MB)"
    note = (
        f"a subprocess: start, imports and writing ranked.csv included (a 800-row run takes "
        f"{start:.2f} s); less that fixed cost {(ours - start) / theirs:.3g}×; same scores"
    )
    return [
        Line(work, ours, theirs, "≤ 1.3× pd.read_csv + Scorecard.score", note=note),
        Line("CLI score on 800 content rows (start, imports, one run)", start, None, "report"),
    ]
