"""Decisions on the synthetic world ``truth_model@1`` (fixed; not tuned for these checks).

**Backtest.** The ``beauty/sales`` preset (its criteria; one post minimum instead of its
follower gate, so every creator with a post is scored), scored at the end of March and April
2026 with only what was known then, against GMV, followers and raw engagement rate, each
predicting the next month's matured collaboration outcome (collaborations whose content
came out that month; June's had not matured by the world's ``as_of``). Measured gains in
pooled Spearman ρ of the preset over GMV-only ranking (seeds 0–4):

* ``contribution_margin`` (the brand's profit per creator): +0.063, +0.065, +0.094, +0.069,
  +0.050 — the preset beats GMV on every seed; the tests below assert it.
* ``roi`` (the default outcome): −0.005, −0.034, −0.061, +0.014, −0.093 — the preset does
  **not** beat GMV on ROI in this world: ~60% of ROI outcomes are −1 (no sale that month),
  a volume question the preset's rates do not answer, and fees grow sublinearly with reach
  (see ``test_backtest_roi_outcome_is_mostly_no_sale_and_rewards_volume``); the gains are
  reported, not asserted, and the world is not tuned. No scorecard tried beats GMV on ROI:
  volume predicts it, and orders alone ties GMV (see
  ``test_backtest_roi_is_predicted_by_volume_and_no_tried_ranking_beats_gmv``).

**Allocation.** The preset's top 50 (rate-card video prices in USD as references and
minimum-free), a budget of 50 × the median price, expected return = past GMV per post (USD).
Realized next-period return: each creator's next-month GMV per post × g(x / price) with
g = ln(1 + u)/ln 2 (the family ``allocate`` assumes), (1 − e^(−u))/(1 − e^(−1)) (saturating)
or √u (power). Measured totals (allocate / equal split / score-proportional), seeds 0–4,
log: 5039/4006/4005, 4595/4143/4156, 3670/3677/3721, 5819/4038/4035, 4883/4074/4093;
saturating and power alike — allocate wins on 4 of 5 seeds (seed 2 is a near tie, lost by
1%) and on the total over seeds, which the slow test asserts for each family.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit.metrics.economics import convert, price_at

ENDS = ["2026-03-31T23:59:59Z", "2026-04-30T23:59:59Z", "2026-05-31T23:59:59Z"]
FAMILIES = {
    "log": lambda u: np.log1p(u) / np.log(2),
    "exp": lambda u: -np.expm1(-u) / (1 - np.exp(-1)),
    "power": np.sqrt,
}


def _card() -> ck.Scorecard:
    base = ck.Scorecard.preset("beauty/sales", currency="USD")
    return ck.Scorecard(base.criteria, gates=[ck.Gate.min_data("posts", 1)], currency="USD")


@functools.cache
def _world(seed: int) -> ck.datasets.Dataset:
    return ck.datasets.synthetic(seed=seed, model="truth_model@1")


def _gain(seed: int, outcome: str) -> float:
    bt = ck.scoring.backtest(_card(), _world(seed), periods=ENDS, outcome=outcome, k=20)
    summary = bt.summary.set_index("ranking")
    assert bt.periods["no_outcome"].sum() > 0  # the selection is reported
    return float(summary.loc["score", "spearman_gain"])


def test_backtest_preset_beats_gmv_on_next_period_profit_fast() -> None:
    assert _gain(0, "contribution_margin") > 0.02  # measured +0.063


@pytest.mark.slow
def test_backtest_preset_beats_gmv_on_profit_over_five_seeds() -> None:
    gains = np.array([_gain(seed, "contribution_margin") for seed in range(5)])
    rng = np.random.default_rng(0)
    means = rng.choice(gains, size=(5000, len(gains))).mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    assert low > 0, (gains, low, high)


def test_backtest_roi_outcome_is_mostly_no_sale_and_rewards_volume() -> None:
    """Why the rate-based preset does not beat GMV on ROI (measured on seed 0, not tuned).

    Most next-month ROI outcomes are exactly −1 (no attributed sale that month: the whole
    cost lost), so ROI's Spearman is mostly "did the creator sell at all" — a volume
    question GMV answers and the preset's rates (cvr, gpm, ctr, ...) do not. Among the
    creators that did sell, GMV still ranks ROI better than the preset (fees grow as
    followers^0.8, GMV about linearly, so ROI rises with scale).
    """
    from scipy.stats import spearmanr

    bt = ck.scoring.backtest(_card(), _world(0), periods=ENDS, outcome="roi", k=20)
    y = bt.pairs["outcome"].to_numpy(dtype=float)
    lost = np.isclose(y, -1.0)
    assert lost.mean() > 0.5  # measured 0.60
    assert int(bt.periods["not_matured"].sum()) < 0.05 * len(y)  # maturity cut is negligible
    sold = ~lost
    score, gmv = (bt.pairs[c].to_numpy(dtype=float) for c in ("score", "gmv"))
    ok = np.isfinite(score) & np.isfinite(gmv) & sold
    rho_score = spearmanr(score[ok], y[ok])[0]
    rho_gmv = spearmanr(gmv[ok], y[ok])[0]
    assert rho_gmv > rho_score + 0.03, (rho_gmv, rho_score)  # measured 0.156 vs 0.079


def _prices(world: ck.datasets.Dataset) -> pd.Series:
    cards = price_at(world.rate_cards, at=world.as_of)
    cards = cards[cards["content_type"] == "video"].assign(priced_at=world.as_of)
    cards = convert(cards, world.fx_rates, to="USD", columns=["fixed_fee"], time="priced_at")
    return cards.set_index("creator_id")["fixed_fee"]


def _per_post(world: ck.datasets.Dataset, content: pd.DataFrame, ids: pd.Series) -> np.ndarray:
    until = content["published_at"].max()
    gmv = ck.metrics.compute(
        content, ["gmv"], by="creator_id", as_of=until, currency="USD", fx=world.fx_rates
    ).to_frame()
    per = (gmv["gmv"] / gmv["gmv_n"]).to_numpy()
    return pd.Series(per, index=gmv["creator_id"]).reindex(ids).fillna(0.0).to_numpy()


def _realized(seed: int) -> dict[str, tuple[float, float, float]]:
    """Realized next-period return of allocate, an equal split and a score split, per family."""
    world = _world(seed)
    price = _prices(world)
    creators = world.creators.assign(
        rate_card_price=price.reindex(world.creators["creator_id"]).to_numpy()
    )
    names = ("content", "orders", "collaborations", "violations", "fx_rates")
    tables = {n: getattr(world, n) for n in names} | {"creators": creators}
    sl = ck.scoring.shortlist(_card(), tables, campaign={}, k=50, as_of=world.as_of)
    ids = sl.table["creator_id"]
    past = _per_post(world, world.content, ids)
    future = _per_post(world, world.next_period, ids)
    p = sl.table["rate_card_price"].to_numpy()
    budget = float(np.median(p)) * len(p)
    plan = ck.scoring.allocate(sl, budget, expected=pd.Series(past, index=ids))
    assert plan.table["reference"].tolist() == p.tolist()  # the rate-card price
    score = sl.table["score"].to_numpy()
    splits = (
        plan.table["amount"].to_numpy(),
        np.full(len(p), budget / len(p)),
        budget * score / score.sum(),
    )
    return {
        family: tuple(float((future * g(x / p)).sum()) for x in splits)  # type: ignore[misc]
        for family, g in FAMILIES.items()
    }


def test_allocate_beats_equal_and_score_splits_fast() -> None:
    for family, (mine, equal, by_score) in _realized(0).items():
        assert mine > 1.1 * equal, family  # measured log 5039 vs 4006 and 4005
        assert mine > 1.1 * by_score, family


@pytest.mark.slow
def test_allocate_beats_equal_and_score_splits_over_five_seeds() -> None:
    totals = np.zeros((len(FAMILIES), 3))
    for seed in range(5):
        totals += np.array(list(_realized(seed).values()))
    for family, row in zip(FAMILIES, totals, strict=True):
        assert row[0] > row[1], family
        assert row[0] > row[2], family


def test_backtest_roi_is_predicted_by_volume_and_no_tried_ranking_beats_gmv() -> None:
    """Which ranking predicts ROI here: volume, and GMV is as good as any ranking tried.

    Chosen on seeds 5–7 (not the test seeds 0–4) among 13 scorecards — the preset, the
    preset + gmv, gmv mixed with gpm (two weights), cvr, aov, view_to_order_rate or past
    roi, orders, clicks, views, orders + gmv, past contribution_margin — none beat GMV on
    all three seeds; the best,
    orders alone, gained +0.021, +0.016, −0.013. On the test seeds orders gains +0.001,
    +0.015, −0.008, +0.014, +0.001: a tie with GMV, well inside the interval (half-width
    ~0.07), while GMV's own interval excludes 0 (ROI is predictable, by volume).
    """
    card = ck.Scorecard([ck.Criterion(name="orders")], gates=_card().gates, currency="USD")
    bt = ck.scoring.backtest(card, _world(0), periods=ENDS, outcome="roi", k=20)
    s = bt.summary.set_index("ranking")
    assert s.loc["gmv", "spearman_low"] > 0.05  # measured 0.109
    half = float(s.loc["gmv", "spearman_high"] - s.loc["gmv", "spearman_low"]) / 2
    assert half > 0.05  # measured 0.073
    gain = float(s.loc["score", "spearman_gain"])
    assert abs(gain) < 0.3 * half, gain  # measured +0.001: a tie, not a win
    assert s.loc["gmv", "spearman"] > s.loc["engagement_rate", "spearman"] + 0.1  # volume
