"""metrics.compute by creator on 10M content rows, 10 metrics, vs hand-written pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd

import creatorkit as ck
from _harness import Line, median_time

NAMES = [
    "views",
    "likes",
    "gmv",
    "ctr",
    "gpm",
    "engagement_rate",
    "like_rate",
    "cvr",
    "aov",
    "completion_rate",
]


def make_content(rows: int) -> pd.DataFrame:
    """Tile synthetic content (realistic distributions) up to ``rows`` rows, new creator ids."""
    base = ck.datasets.synthetic(seed=0, n_creators=20_000, posts_per_creator=10, n_events=100)
    content = base.content
    copies = int(np.ceil(rows / len(content)))
    parts = []
    for k in range(copies):
        part = content.copy()
        part["creator_id"] = part["creator_id"] + f"-{k}"
        parts.append(part)
    return pd.concat(parts, ignore_index=True).iloc[:rows]


def pandas_peer(df: pd.DataFrame) -> pd.DataFrame:
    work = df[
        [
            "creator_id",
            "views",
            "likes",
            "comments",
            "shares",
            "saves",
            "clicks",
            "orders",
            "gmv",
            "completion",
        ]
    ].copy()
    work["eng"] = work["likes"] + work["comments"] + work["shares"] + work["saves"]
    work["cw"] = work["completion"] * work["views"]
    s = work.groupby("creator_id").sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame(
            {
                "views": s["views"],
                "likes": s["likes"],
                "gmv": s["gmv"],
                "ctr": s["clicks"] / s["views"],
                "gpm": 1000 * s["gmv"] / s["views"],
                "engagement_rate": s["eng"] / s["views"],
                "like_rate": s["likes"] / s["views"],
                "cvr": s["orders"] / s["clicks"],
                "aov": s["gmv"] / s["orders"],
                "completion_rate": s["cw"] / s["views"],
            }
        )


def run(quick: bool) -> list[Line]:
    rows = 1_000_000 if quick else 10_000_000
    df = make_content(rows)
    repeat = 3
    ours = median_time(lambda: ck.metrics.compute(df, NAMES, by="creator_id"), repeat=repeat)
    peer = median_time(lambda: pandas_peer(df), repeat=repeat)
    got = ck.metrics.compute(df, NAMES, by="creator_id").to_frame().set_index("creator_id")
    want = pandas_peer(df)
    expected = want.loc[got.index, NAMES].to_numpy(float)
    np.testing.assert_allclose(got[NAMES].to_numpy(float), expected, rtol=1e-9)
    label = f"metrics.compute by creator, {rows / 1e6:.0f}M rows, 10 metrics"
    chunks = np.array_split(np.arange(len(df)), 10)

    def merged() -> pd.DataFrame:
        parts = [ck.metrics.summarize(df.iloc[c], NAMES, by="creator_id") for c in chunks]
        return ck.summaries.merge(parts).compute().table

    chunked = median_time(merged, repeat=repeat)
    np.testing.assert_allclose(merged()[NAMES].to_numpy(float), expected, rtol=1e-9)
    currency_line = _reporting_currency(df, rows, ours, repeat)
    return [
        currency_line,
        Line(
            label,
            ours,
            peer,
            "≤ 1.0× pandas groupby-sum + divide",
            note=f"{df['creator_id'].nunique():,} creators; values equal the peer to 1e-9",
        ),
        Line(
            f"metrics.summarize of 10 chunks + summaries.merge, {rows / 1e6:.0f}M rows",
            chunked,
            peer,
            "≤ 2.5× pandas groupby-sum of the whole",
            note="merged summaries equal the whole table to 1e-9",
        ),
    ]


def _reporting_currency(df: pd.DataFrame, rows: int, plain: float, repeat: int) -> Line:
    """The same call with money in seven currencies converted through daily FX rates."""
    data = ck.datasets.synthetic(seed=0, n_creators=20, n_events=100)
    fx = data.fx_rates
    codes = np.array(["USD", "IDR", "THB", "VND", "MYR", "PHP", "GBP"])
    currency = codes[pd.util.hash_array(df["creator_id"].to_numpy()) % len(codes)]
    local = df.assign(currency=pd.array(currency, dtype="string"))
    call = lambda: ck.metrics.compute(  # noqa: E731
        local, NAMES, by="creator_id", currency="USD", fx=fx
    )
    timed = median_time(call, repeat=repeat)
    by_hand = ck.metrics.economics.convert(
        local, fx, to="USD", columns=["gmv"], time="published_at"
    )
    want = ck.metrics.compute(by_hand, NAMES, by="creator_id").table
    np.testing.assert_allclose(call().table["gpm"], want["gpm"], rtol=1e-12)
    return Line(
        f"metrics.compute with currency='USD' (7 currencies, daily FX), {rows / 1e6:.0f}M rows",
        timed,
        plain,
        "report the overhead against the same call without conversion",
        note="peer = the same call on one currency; values equal converting by hand first",
    )
