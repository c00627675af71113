"""reviews.diagnose on hand-built tables, and properties of reviews.aggregate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creatorkit as ck


def _reviews() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "review_id": ["v1", "v2", "v3", "v4"],
            "creator_id": ["a", "a", "b", "c"],
            "reviewer_id": ["x", "y", "x", "y"],
            "campaign_id": ["k1", "k2", "k1", "k1"],
            "created_at": pd.to_datetime(
                ["2026-03-05", "2026-04-02", "2026-03-20", "2026-04-10"], utc=True
            ),
            "conversion": [5, 3, 5, 2],
            "timeliness": [5, 3, 4, 5],
            "compliance": [5, 3, 5, 5],
            "tags": [("fast", "creative"), (), ("fast",), ("late", "rude")],
        }
    )


def _collaborations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator_id": ["a", "a", "b", "c", "d"],
            "campaign_id": ["k1", "k2", "k1", "k1", "k1"],
            "orders": [0, 4, 2, 1, 0],
            "content_due_at": pd.to_datetime(["2026-03-01"] * 5, utc=True),
            "posted_at": pd.to_datetime(
                ["2026-03-03", "2026-02-27", "2026-02-20", None, None], utc=True
            ),
        }
    )


def test_top_box_and_straight_lining_per_reviewer() -> None:
    res = ck.reviews.diagnose(_reviews())
    table = res.reviewers.set_index("reviewer_id")
    # x: stars 5,5,5 and 5,4,5 → 5 top-box of 6; v1 straight-lined (5,5,5)
    assert table.loc["x", "top_box_share"] == pytest.approx(5 / 6)
    assert table.loc["x", "straight_lined"] == 1
    # y: 3,3,3 and 2,5,5 → 2 of 6; v2 straight-lined
    assert table.loc["y", "top_box_share"] == pytest.approx(2 / 6)
    assert table.loc["y", "straight_line_share"] == pytest.approx(0.5)
    months = res.over_time.set_index("month")
    assert months["top_box_share"].to_dict() == pytest.approx({"2026-03": 5 / 6, "2026-04": 2 / 6})


def test_completion_per_campaign() -> None:
    res = ck.reviews.diagnose(_reviews(), collaborations=_collaborations())
    table = res.completion.set_index("campaign_id")
    assert table["collaborations"].to_dict() == {"k1": 4, "k2": 1}
    assert table["unreviewed"].to_dict() == {"k1": 1, "k2": 0}  # d never reviewed
    campaigns = pd.DataFrame({"campaign_id": ["k1", "k2"], "brand": ["Acme", "Acme"]})
    brands = ck.reviews.diagnose(
        _reviews(), collaborations=_collaborations(), campaigns=campaigns
    ).completion
    assert brands[["brand", "collaborations", "reviewed"]].to_dict("records") == [
        {"brand": "Acme", "collaborations": 5, "reviewed": 4}
    ]


def test_contradictions_with_measured_data() -> None:
    violations = pd.DataFrame(
        {
            "creator_id": ["a", "b", "c"],
            "occurred_at": pd.to_datetime(["2026-03-01", "2026-03-25", "2026-04-01"], utc=True),
            "status": ["active", "active", "overturned"],
        }
    )
    res = ck.reviews.diagnose(_reviews(), collaborations=_collaborations(), violations=violations)
    found = res.contradictions[["review_id", "dimension", "value"]]
    # v1: 5★ conversion with 0 orders; 5★ timeliness posted 2 days late; 5★ compliance with
    # a's active violation of 03-01. v3: b's violation came after the review; v4: c never
    # posted but was reviewed after the due date; c's violation is overturned.
    assert found.to_dict("records") == [
        {"review_id": "v1", "dimension": "compliance", "value": 1.0},
        {"review_id": "v1", "dimension": "conversion", "value": 0.0},
        {"review_id": "v1", "dimension": "timeliness", "value": 2.0},
        {"review_id": "v4", "dimension": "timeliness", "value": pytest.approx(np.nan, nan_ok=True)},
    ]


def test_reason_tags_of_praise_and_complaints() -> None:
    res = ck.reviews.diagnose(_reviews(), praise_at=4.5, complain_at=4.0)
    tags = res.tags.set_index(["kind", "tag"])
    # praise: v1 (mean 5), v3 (4.67); complaints: v2 (3, no tags), v4 (4)
    assert tags["reviews"].to_dict() == {
        ("complaint", "late"): 1,
        ("complaint", "rude"): 1,
        ("praise", "fast"): 2,
        ("praise", "creative"): 1,
    }
    assert tags.loc[("complaint", "late"), "share"] == pytest.approx(0.5)
    assert tags.loc[("praise", "fast"), "share"] == pytest.approx(1.0)


def _random_reviews(
    draw_stars: list[int], creators: list[int], reviewers: list[int]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator_id": [f"c{i}" for i in creators],
            "reviewer_id": [f"r{i}" for i in reviewers],
            "conversion": draw_stars,
        }
    )


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(2, 40))
    stars = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    creators = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    reviewers = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    return _random_reviews(stars, creators, reviewers)


@settings(deadline=None, max_examples=60)
@given(tables(), st.randoms(use_true_random=False))
def test_row_order_never_changes_ratings(frame: pd.DataFrame, rnd) -> None:
    order = list(range(len(frame)))
    rnd.shuffle(order)
    a = ck.reviews.aggregate(frame, ridge=1.0, imdb=(3.0, 2.0)).ratings
    b = ck.reviews.aggregate(frame.iloc[order], ridge=1.0, imdb=(3.0, 2.0)).ratings
    cols = ["n", "mean", "imdb", "bayes", "dirichlet", "corrected", "rank_corrected"]
    pd.testing.assert_frame_equal(a[cols], b[cols], atol=1e-8)


@settings(deadline=None, max_examples=60)
@given(tables())
def test_bayes_lies_between_the_mean_and_the_prior(frame: pd.DataFrame) -> None:
    res = ck.reviews.aggregate(frame, ridge=1.0)
    rows = res.ratings[res.ratings["dimension"] == "conversion"]
    c = float(res.priors.set_index("dimension").loc["conversion", "prior_mean"])
    low = np.minimum(rows["mean"], c) - 1e-12
    high = np.maximum(rows["mean"], c) + 1e-12
    assert ((rows["bayes"] >= low) & (rows["bayes"] <= high)).all()
    ends = res.ratings[["bayes_low", "bayes_high", "corrected_low", "corrected_high"]]
    assert (ends.isna() | ((ends >= 1) & (ends <= 5))).all().all()
