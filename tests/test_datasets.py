import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit.datasets import synthetic
from creatorkit.tiers import tier

MODELS = {
    "creators": ck.Creator,
    "content": ck.Content,
    "campaigns": ck.Campaign,
    "collaborations": ck.Collaboration,
    "samples": ck.Sample,
    "reviews": ck.Review,
    "orders": ck.OrderLine,
    "violations": ck.Violation,
}


@pytest.fixture(scope="module")
def data():
    return synthetic(seed=0)


def test_deterministic_for_a_seed():
    a = synthetic(seed=7, n_creators=150, n_events=1_000)
    b = synthetic(seed=7, n_creators=150, n_events=1_000)
    c = synthetic(seed=8, n_creators=150, n_events=1_000)
    for name, table in a.tables().items():
        pd.testing.assert_frame_equal(table, b.tables()[name])
    assert not a.content["views"].equals(c.content["views"])


def test_every_table_validates(data):
    for name, model in MODELS.items():
        ck.validate(getattr(data, name), model)


def test_ids_are_strings_with_19_digits(data):
    assert data.content["content_id"].str.fullmatch(r"\d{19}").all()
    assert data.orders["order_id"].str.fullmatch(r"\d{19}").all()
    assert data.orders["order_id"].duplicated().any()


def test_heavy_tail_covers_every_tier(data):
    counts = tier(data.creators["followers"], scheme="industry").value_counts()
    assert (counts[["nano", "micro", "mid", "macro", "mega"]] > 0).all()


def test_engagement_falls_with_tier(data):
    content = data.content.merge(data.creators[["creator_id", "followers"]], on="creator_id")
    real = ~content["creator_id"].isin(data.truth.loc[data.truth["fake_engagement"], "creator_id"])
    content = content[real].assign(
        tier=tier(content.loc[real, "followers"], scheme="industry").to_numpy()
    )
    rates = ck.metrics.compute(content, "like_rate", by="tier").table.set_index("tier")["like_rate"]
    assert rates["nano"] > rates["micro"] > rates["mid"]


def test_fake_engagement_accounts_stand_out(data):
    rates = ck.metrics.compute(data.content, ["like_rate", "comment_rate"], by="creator_id").table
    rates = rates.merge(data.truth, on="creator_id")
    fake = rates[rates["fake_engagement"]]
    real = rates[~rates["fake_engagement"]]
    assert 0 < len(fake) < 0.1 * len(rates)
    assert fake["like_rate"].median() > 3 * real["like_rate"].median()
    assert (fake["comment_rate"] / fake["like_rate"]).median() < 0.1 * (
        real["comment_rate"] / real["like_rate"]
    ).median()


def test_reviews_are_inflated_with_lenient_and_harsh_reviewers(data):
    reviews = data.reviews.merge(data.reviewers, on="reviewer_id")
    mean = reviews.groupby("leniency")["content_quality"].mean()
    assert mean.iloc[-1] > mean.iloc[0] + 0.8
    assert (data.reviews["content_quality"] >= 4).mean() > 0.5


def test_multi_currency_orders_with_late_refunds(data):
    orders = data.orders
    assert orders["currency"].nunique() >= 5
    refunded = orders["refunded_at"].notna()
    assert (orders.loc[refunded, "refunded_at"] > data.as_of).any()
    assert (orders.loc[refunded, "refunded_at"] <= data.as_of).any()


def test_unposted_samples_and_violations(data):
    assert (data.samples["posted_at"].isna() & data.samples["received_at"].notna()).any()
    assert set(data.violations["severity"]) == {"low", "medium", "high", "extreme", "critical"}


def test_event_log_has_funnel_steps_and_duplicates(data):
    events = data.events
    assert {"view", "click", "add_to_cart", "purchase"} <= set(events["event"])
    assert events["event_id"].duplicated().sum() > 0
    assert isinstance(events["timestamp"].dtype, pd.DatetimeTZDtype)
    assert 90_000 < len(events) < 110_000


def test_size_knobs_and_bad_arguments():
    small = synthetic(seed=0, n_creators=10, n_campaigns=1, n_events=100, posts_per_creator=1)
    assert len(small.creators) == 10
    with pytest.raises(ck.ValidationError, match="n_creators"):
        synthetic(n_creators=5)
    with pytest.raises(ck.ValidationError, match="timezone-aware"):
        synthetic(as_of="2026-01-01")
    ck.testing.check_result(small)


def test_tiers():
    assert tier([0, 999, 1000, 19_999, 20_000, 500_000, 1_000_000]).tolist() == [
        "<1K",
        "<1K",
        "1K-20K",
        "1K-20K",
        "20K-100K",
        "500K-1M",
        "1M+",
    ]
    custom = tier([5, 50], scheme=[(0, "small"), (10, "big")])
    assert custom.tolist() == ["small", "big"]
    assert custom.cat.ordered
    with pytest.raises(ck.ValidationError) as info:
        tier([5, -1])
    assert info.value.failure_cases[["column", "row", "code"]].values.tolist() == [
        ["followers", 1, "negative"]
    ]
    with pytest.raises(ck.ValidationError, match="increasing from 0"):
        tier([1], scheme=[(5, "a")])
    assert np.array_equal(tier(pd.Series([5], index=["x"])).index, ["x"])
