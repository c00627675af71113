"""The synthetic world with known truth (``truth_model@1``): its documented properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit import frames
from creatorkit.datasets import synthetic

WORLD = synthetic(
    seed=1, n_creators=300, posts_per_creator=200, n_events=200, model="truth_model@1"
)
SMALL = synthetic(seed=2, n_creators=400, n_events=500, model="truth_model@1")
MODELS = {
    "creators": ck.Creator,
    "content": ck.Content,
    "next_period": ck.Content,
    "campaigns": ck.Campaign,
    "collaborations": ck.Collaboration,
    "samples": ck.Sample,
    "reviews": ck.Review,
    "orders": ck.OrderLine,
    "violations": ck.Violation,
    "audience": ck.AudienceShare,
    "identities": ck.CreatorIdentity,
    "rate_cards": ck.RateCard,
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_table_is_valid(name):
    frames.validate(getattr(SMALL, name), MODELS[name])


def test_the_world_is_versioned_and_deterministic():
    again = synthetic(seed=2, n_creators=400, n_events=500, model="truth_model@1")
    pd.testing.assert_frame_equal(again.content, SMALL.content)
    pd.testing.assert_frame_equal(again.truth, SMALL.truth)
    assert SMALL.method.parameters["model"] == "truth_model@1"
    with pytest.raises(ck.ValidationError, match="model"):
        synthetic(seed=0, model="truth_model@2")


def test_long_run_ctr_and_cvr_recover_the_truth_within_sampling_error():
    res = ck.metrics.compute(WORLD.content, ["ctr", "cvr"], by="creator_id", ci="cluster")
    table = res.table.set_index("creator_id")
    truth = WORLD.truth.set_index("creator_id").reindex(table.index)
    for name in ("ctr", "cvr"):
        inside = (table[f"{name}_low"] <= truth[name]) & (truth[name] <= table[f"{name}_high"])
        assert 0.92 <= inside.mean() <= 0.99, name  # 95% cluster intervals cover the truth
        ratio = table[name] / truth[name]
        assert abs(ratio.median() - 1) < 0.02, name


def test_fake_engagement_is_not_separable_by_like_per_view_alone():
    from scipy.stats import mannwhitneyu

    sums = WORLD.content.groupby("creator_id")[["likes", "views"]].sum()
    like_rate = sums["likes"] / sums["views"]
    fake = WORLD.truth.set_index("creator_id")["fake_engagement"].reindex(like_rate.index)
    assert 5 <= fake.sum() <= 30
    auc = mannwhitneyu(like_rate[fake], like_rate[~fake]).statistic / (fake.sum() * (~fake).sum())
    assert 0.55 < auc < 0.95  # informative, not a separator
    thresholds = np.quantile(like_rate, np.linspace(0, 1, 101))
    youden = max((like_rate[fake] >= t).mean() - (like_rate[~fake] >= t).mean() for t in thresholds)
    assert youden < 0.8


def test_categories_markets_and_currencies():
    creators = SMALL.creators
    assert set(creators["category"]) == {"beauty", "fashion", "home", "electronics", "pets", "food"}
    merged = SMALL.content.merge(creators[["creator_id", "country"]], on="creator_id")
    pairs = set(zip(merged["country"], merged["currency"], strict=True))
    assert ("ID", "IDR") in pairs
    assert ("TH", "THB") in pairs
    assert all(ck.datasets._CURRENCY[c] == cur for c, cur in pairs)


def test_several_monthly_periods_and_a_next_period():
    times = SMALL.content["published_at"]
    span = (times.max() - times.min()).days
    assert span > 100
    starts = SMALL.campaigns["start"]
    assert (starts.max() - starts.min()).days > 60
    following = SMALL.next_period["published_at"]
    assert (following > SMALL.as_of).all()
    assert (following <= SMALL.as_of + pd.Timedelta(days=30)).all()


def test_settlements_lag_orders_and_refunds_follow_propensity():
    orders = WORLD.orders
    age = (WORLD.as_of - orders["ordered_at"]).dt.days
    settled = orders["settlement_status"].isin(["settled", "refunded"])
    assert settled[age > 50].mean() == 1.0
    assert settled[age < 10].mean() < 0.2
    old = orders[age > 30]
    refunded = old.groupby("creator_id")["settlement_status"].apply(
        lambda s: (s == "refunded").mean()
    )
    propensity = WORLD.truth.set_index("creator_id")["refund_propensity"].reindex(refunded.index)
    assert np.corrcoef(refunded, propensity)[0, 1] > 0.3


def test_the_collaboration_snapshot_equals_a_restatement_at_as_of():
    again = ck.metrics.restate(
        SMALL.collaborations, orders=SMALL.orders, samples=SMALL.samples, as_of=SMALL.as_of
    ).table
    for column in ("gmv", "refunds", "orders", "samples_posted_due"):
        np.testing.assert_allclose(again[column], SMALL.collaborations[column])


def test_fulfillment_and_reviews_follow_the_truth():
    truth = WORLD.truth.set_index("creator_id")
    rate = ck.metrics.compute(WORLD.collaborations, "fulfillment_rate", by="creator_id").table
    rate = rate.set_index("creator_id")["fulfillment_rate"].dropna()
    assert np.corrcoef(rate, truth["fulfillment_propensity"].reindex(rate.index))[0, 1] > 0.3
    reviews = WORLD.reviews
    assert reviews["content_quality"].mean() > 3.6  # inflated stars
    lenient = WORLD.reviewers.set_index("reviewer_id")["leniency"]
    by_reviewer = reviews.groupby("reviewer_id")["content_quality"].mean()
    assert np.corrcoef(by_reviewer, lenient.reindex(by_reviewer.index))[0, 1] > 0.8
