"""scoring: Scorecard on 1M creators × 10 criteria (percentile in 20 peer groups) and compiled."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import creatorkit as ck
from _harness import Line, median_time

K = 10
AS_OF = "2026-06-30T00:00:00+00:00"
NAMES = [f"m{j}" for j in range(K)]
WEIGHTS = np.linspace(1.0, 2.0, K) / np.linspace(1.0, 2.0, K).sum()


def make_creators(rows: int, seed: int = 0) -> pd.DataFrame:
    """Per-creator criteria as users have them: string ids and peer labels, ties in values."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {name: rng.gamma(2.0, 10.0 ** (j % 4), rows).round(2) for j, name in enumerate(NAMES)}
    )
    frame.insert(0, "peer", rng.choice([f"tier-{i:02d}" for i in range(20)], rows))
    frame.insert(0, "creator_id", [f"c{i:07d}" for i in range(rows)])
    return frame


def card() -> ck.Scorecard:
    return ck.Scorecard(
        [
            ck.Criterion(name=n, weight=float(w), peers=[["peer"]])
            for n, w in zip(NAMES, WEIGHTS, strict=True)
        ]
    )


def pandas_peer(frame: pd.DataFrame) -> pd.Series:
    """The peer: groupby().rank(pct=True) per criterion and a weighted sum."""
    ranks = frame.groupby("peer")[NAMES].rank(pct=True)
    return 100.0 * (ranks * WEIGHTS).sum(axis=1)


def run(quick: bool) -> list[Line]:
    rows = 100_000 if quick else 1_000_000
    repeat = 3
    frame = make_creators(rows)
    scorecard = card()
    res = scorecard.score(frame, as_of=AS_OF).table.set_index("creator_id")["score"]
    want = pandas_peer(frame).set_axis(frame["creator_id"])
    np.testing.assert_allclose(res.reindex(want.index), want, rtol=1e-12)
    lines = [
        Line(
            f"Scorecard.score {rows / 1e6:g}M creators × {K}, percentile in 20 peer groups",
            median_time(lambda: scorecard.score(frame, as_of=AS_OF), repeat=repeat),
            median_time(lambda: pandas_peer(frame), repeat=repeat),
            "≤ 0.5× pandas groupby().rank(pct=True) + weighted sum",
            note="rank, percentile, contributions and explain columns included; equal to pandas",
        )
    ]
    compiled = scorecard.compile(frame, as_of=AS_OF)
    one = frame.iloc[[12_345]]
    times = []
    for _ in range(300):
        start = time.perf_counter()
        compiled.score(one)
        times.append(time.perf_counter() - start)
    p99 = float(np.percentile(times, 99))
    lines.append(
        Line(
            f"compiled Scorecard: one creator vs a frozen {rows / 1e6:g}M reference (p99)",
            p99,
            None,
            "p99 ≤ 2 ms",
            note=f"median {np.median(times) * 1e3:.2f} ms over 300 calls",
        )
    )
    batch = make_creators(10_000, seed=1)
    t = median_time(lambda: compiled.score(batch), repeat=repeat)
    lines.append(
        Line(
            f"compiled Scorecard: batch of 10k vs a frozen {rows / 1e6:g}M reference",
            t,
            None,
            "report",
            note=f"{t / 10_000 * 1e6:.1f} µs per creator",
        )
    )
    lines.extend(_raw_rows(rows))
    lines.append(_chance_top_k(10_000 if quick else 100_000))
    return lines


RAW = ["ctr", "cvr", "engagement_rate", "completion_rate", "share_rate"]


def _raw_rows(rows: int) -> list[Line]:
    """Compiled scoring from raw content rows: metrics computed per new creator, then frozen."""
    world = ck.datasets.synthetic(seed=1, n_creators=10_000)
    per = ck.metrics.compute(world.content, RAW, by="creator_id", as_of=world.as_of).to_frame()
    per = per.merge(world.creators[["creator_id", "followers", "country"]], on="creator_id")
    rng = np.random.default_rng(3)
    reference = per.iloc[rng.integers(0, len(per), rows)].reset_index(drop=True)
    for name in RAW:  # a reference of `rows` creators like the world's, values jittered
        reference[name] = reference[name] * rng.uniform(0.9, 1.1, rows)
    reference["creator_id"] = [f"r{i:07d}" for i in range(rows)]
    scorecard = ck.Scorecard(
        [ck.Criterion(name=n, peers=[["tier", "market"], ["tier"]], min_group=20) for n in RAW]
    )
    compiled = scorecard.compile(
        reference[["creator_id", "followers", "country", *RAW]], as_of=AS_OF
    )
    batch = {"creators": world.creators, "content": world.content}
    t = median_time(lambda: compiled.score(batch, as_of=world.as_of), repeat=3)
    who = world.creators["creator_id"].iloc[7]
    one = {
        "creators": world.creators[world.creators["creator_id"] == who],
        "content": world.content[world.content["creator_id"] == who],
    }
    times = []
    for _ in range(100):
        start = time.perf_counter()
        compiled.score(one, as_of=world.as_of)
        times.append(time.perf_counter() - start)
    n_rows = len(one["content"])
    return [
        Line(
            f"compiled Scorecard from raw rows: 10k creators ({len(world.content) / 1e3:.0f}k "
            f"posts) vs a frozen {rows / 1e6:g}M reference",
            t,
            None,
            "report",
            note=f"{t / 10_000 * 1e6:.1f} µs per creator; {len(RAW)} metrics via metrics.compute",
        ),
        Line(
            f"compiled Scorecard from raw rows: one creator ({n_rows} posts), p99",
            float(np.percentile(times, 99)),
            None,
            "report",
            note=f"median {np.median(times) * 1e3:.2f} ms over 100 calls",
        ),
    ]


def _chance_top_k(rows: int) -> Line:
    """Score intervals and chance_top_k: 200 draws of every criterion (log-normal spreads)."""
    frame = make_creators(rows, seed=2)
    for name in NAMES:
        frame[f"{name}_low"] = frame[name] * 0.8
        frame[f"{name}_high"] = frame[name] * 1.25
    scorecard = card()
    opts = {"draws": 200, "seed": 0, "top_k": 100, "by": "peer"}
    t = median_time(lambda: scorecard.score(frame, as_of=AS_OF, uncertainty=opts), repeat=1)
    return Line(
        f"Scorecard.score uncertainty: chance_top_k, {rows / 1e3:g}k creators × {K}, 200 draws",
        t,
        None,
        "report",
        note="score interval and chance in the top 100 of each of 20 peer groups",
    )
