"""decisions: shortlist + top_share on 1M creators against the Scorecard alone; backtest."""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np
import pandas as pd

import creatorkit as ck
from _harness import Line
from bench_scoring import AS_OF, card, make_creators

MARKETS = ["ID", "TH", "VN", "MY", "PH", "GB", "US"]


def _with_markets(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    frame = make_creators(rows)
    frame["country"] = rng.choice(MARKETS, rows)
    frame["followers"] = (rng.pareto(1.2, rows) * 2_000).round().astype(np.int64) + 1_000
    return frame


def _decisions(frame: pd.DataFrame, scorecard: ck.Scorecard) -> ck.scoring.TopShare:
    campaign = {"markets": MARKETS, "followers": 1_000}  # every creator passes: pure overhead
    shortlisted = ck.scoring.shortlist(scorecard, frame, campaign=campaign, as_of=AS_OF)
    return ck.scoring.top_share(shortlisted, 0.10, by="country")


def _paired(ours: Any, peer: Any, repeat: int = 5) -> tuple[float, float]:
    """Median times of ``ours`` and ``peer`` run alternately (fair when the machine is busy)."""
    ours(), peer()
    a, b = [], []
    for _ in range(repeat):
        for fn, out in ((peer, b), (ours, a)):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def _content(creators: int, months: int, seed: int = 0) -> pd.DataFrame:
    """One to two posts per creator and month, unsorted, string ids, USD."""
    rng = np.random.default_rng(seed)
    rows = int(creators * months * 1.5)
    owner = rng.integers(0, creators, rows)
    start = pd.Timestamp("2025-06-30T00:00:00Z")
    seconds = rng.integers(0, months * 30 * 86_400, rows)
    views = rng.gamma(2.0, 2_000.0, rows).round() + 1
    clicks = rng.binomial(views.astype(np.int64), 0.02)
    orders = rng.binomial(clicks, 0.05)
    likes = rng.binomial(views.astype(np.int64), 0.06)
    return pd.DataFrame(
        {
            "content_id": [f"p{i:09d}" for i in range(rows)],
            "creator_id": np.char.add("c", np.char.zfill(owner.astype(str), 7)).astype(object),
            "published_at": start + pd.to_timedelta(seconds, unit="s"),
            "views": views.astype(np.int64),
            "likes": likes,
            "comments": rng.binomial(likes, 0.05),
            "shares": rng.binomial(likes, 0.02),
            "saves": rng.binomial(likes, 0.03),
            "clicks": clicks,
            "orders": orders,
            "gmv": (orders * rng.gamma(4.0, 5.0, rows)).round(2),
            "currency": "USD",
        }
    )


def _backtest(creators: int) -> Line:
    months = 13
    content = _content(creators, months)
    frame = make_creators(creators)[["creator_id"]]
    frame["followers"] = np.random.default_rng(2).integers(1_000, 1_000_000, creators)
    scorecard = ck.Scorecard(
        [ck.Criterion(name=n) for n in ("gpm", "cvr", "ctr", "engagement_rate")]
    )
    ends = pd.date_range("2025-07-30T00:00:00Z", periods=months, freq="30D")
    tables = {"creators": frame, "content": content}
    start = time.perf_counter()
    bt = ck.scoring.backtest(
        scorecard, tables, periods=list(ends), outcome="gmv", k=100, as_of=ends[-1]
    )
    took = time.perf_counter() - start
    rho = bt.summary.set_index("ranking")["spearman"]
    return Line(
        f"backtest {len(ends) - 1} monthly periods, {creators / 1e3:g}k creators, "
        f"{len(content) / 1e6:.2g}M posts",
        took,
        None,
        "report",
        note=f"4 metric criteria + 3 naive rankings each period; pooled ρ score {rho['score']:.3f}",
    )


def run(quick: bool) -> list[Line]:
    rows = 100_000 if quick else 1_000_000
    frame = _with_markets(rows)
    scorecard = card()
    top = _decisions(frame, scorecard)
    assert len(top.table) == int(top.groups["top_count"].sum())
    ours, peer = _paired(
        lambda: _decisions(frame, scorecard), lambda: scorecard.score(frame, as_of=AS_OF)
    )
    lines = [
        Line(
            f"shortlist + top_share(0.10, by=country), {rows / 1e6:g}M creators × 10",
            ours,
            peer,
            "≤ 1.2× Scorecard.score alone",
            note="campaign gates (markets, follower band; all pass), ranking, top 10% per market",
        ),
        _backtest(10_000 if quick else 100_000),
    ]
    return lines
