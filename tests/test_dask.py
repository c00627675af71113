"""The Dask path equals the pandas path (run in the Dask environment of the test command)."""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import creatorkit as ck

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

NAMES = ["views", "gmv", "ctr", "gpm", "engagement_rate", "like_rate", "cvr"]
SCHEDULERS = ["sync", "threads"]


def _content(rows: int, creators: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    views = rng.integers(1, 10_000, rows)
    clicks = rng.binomial(views, 0.02)
    return pd.DataFrame(
        {
            "creator_id": pd.Series([f"c{i:03d}" for i in rng.integers(0, creators, rows)]),
            "views": views,
            "likes": rng.binomial(views, 0.06),
            "comments": rng.binomial(views, 0.005),
            "shares": rng.binomial(views, 0.002),
            "saves": rng.binomial(views, 0.004),
            "clicks": clicks,
            "orders": rng.binomial(clicks, 0.1),
            "gmv": np.round(rng.gamma(2.0, 20.0, rows), 2),
        }
    )


@pytest.mark.parametrize("scheduler", SCHEDULERS)
@settings(deadline=None, max_examples=25)
@given(
    rows=st.integers(1, 400),
    creators=st.integers(1, 30),
    parts=st.integers(1, 6),
    seed=st.integers(0, 10_000),
)
def test_metrics_on_dask_equal_pandas(scheduler, rows, creators, parts, seed):
    frame = _content(rows, creators, seed)
    ddf = dd.from_pandas(frame, npartitions=parts)
    local = ddf.compute()  # the partitions' dtypes (Dask converts text to Arrow strings)
    with dask.config.set(scheduler=scheduler):
        got = ck.metrics.compute(ddf, NAMES, by="creator_id", ci="auto")
    want = ck.metrics.compute(local, NAMES, by="creator_id", ci="auto")
    counts = [c for c in want.table.columns if c.endswith("_n")]
    pd.testing.assert_frame_equal(got.table[counts], want.table[counts])
    pd.testing.assert_frame_equal(got.table, want.table, rtol=1e-12, atol=0)
    assert got.warnings == want.warnings
    assert got.method.spec_hash == want.method.spec_hash


def test_summaries_merge_on_workers_and_stay_small():
    small = dd.from_pandas(_content(2_000, 50, 1), npartitions=4)
    large = dd.from_pandas(_content(200_000, 50, 2), npartitions=16)
    a = ck.metrics.summarize(small, NAMES, by="creator_id", moments=True)
    b = ck.metrics.summarize(large, NAMES, by="creator_id", moments=True)
    assert len(a.table) == len(b.table) == 50
    # what reaches the client grows with the groups, not with the rows (100× more rows)
    assert len(pickle.dumps(b)) < 1.5 * len(pickle.dumps(a))
    whole = ck.metrics.summarize(large.compute(), NAMES, by="creator_id", moments=True)
    pd.testing.assert_frame_equal(b.table, whole.table, rtol=1e-12)


def test_comparison_summaries_on_dask_equal_pandas():
    frame = _content(3_000, 4, 3)
    ddf = dd.from_pandas(frame, npartitions=5)
    metric = ck.metrics.get("ctr")
    got = ck.compare.summarize(ddf, arm="creator_id", metrics=[metric, "gmv"])
    want = ck.compare.summarize(ddf.compute(), arm="creator_id", metrics=[metric, "gmv"])
    pd.testing.assert_frame_equal(got.table, want.table, rtol=1e-12)
    a = got.ratios("ctr", test="t").to_frame()
    b = want.ratios("ctr", test="t").to_frame()
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)


def test_reporting_currency_and_as_of_on_dask():
    data = ck.datasets.synthetic(seed=0, n_creators=200, n_events=200)
    ddf = dd.from_pandas(data.orders, npartitions=4)
    names = ["net_gmv", "refund_rate"]
    kwargs = {"by": "creator_id", "as_of": data.as_of, "currency": "USD", "fx": data.fx_rates}
    got = ck.metrics.compute(ddf, names, **kwargs)
    want = ck.metrics.compute(ddf.compute(), names, **kwargs)
    pd.testing.assert_frame_equal(got.table, want.table, rtol=1e-12)
    assert got.currency == "USD"


def test_bad_input_on_dask_is_the_pandas_error_before_computing():
    ddf = dd.from_pandas(_content(100, 5, 4).drop(columns="clicks"), npartitions=2)
    with pytest.raises(ck.ValidationError, match="clicks") as err:
        ck.metrics.compute(ddf, "ctr", by="creator_id")
    assert err.value.codes == ("missing_column",)
    with pytest.raises(ck.ValidationError, match="not available on Dask"):
        ck.metrics.compute(ddf, "product_count", by="creator_id")
    with pytest.raises(ck.ValidationError, match="not available on Dask"):
        ck.compare.summarize(ddf, arm="creator_id", metrics="gmv", winsorize=0.01)
    negative = dd.from_pandas(_content(100, 5, 5).assign(views=-1), npartitions=2)
    with pytest.raises(ck.ValidationError, match="views"):
        ck.metrics.compute(negative, "ctr", by="creator_id")
    empty = dd.from_pandas(_content(10, 2, 6).iloc[:0], npartitions=1)
    with pytest.raises(ck.ValidationError, match="at least one row"):
        ck.metrics.compute(empty, "ctr", by="creator_id")


_DATA = [ck.datasets.synthetic(seed=s, n_creators=60, n_events=100) for s in (0, 1)]


def _data(seed: int, cut: int) -> Any:
    """A synthetic dataset whose content lacks the rows of ``cut`` creators (0 posts)."""
    data = _DATA[seed]
    ids = sorted(set(data.content["creator_id"]))[:cut]
    return attrs.evolve(data, content=data.content[~data.content["creator_id"].isin(ids)])


def _scorecard() -> ck.Scorecard:
    return ck.Scorecard(
        [
            ck.Criterion(name="ctr", low_data="shrink", min_n=3),
            ck.Criterion(name="gpm", window="30D"),
            ck.Criterion(name="engagement_rate", where={"content_type": ["video"]}),
            ck.Criterion(name="posts", direction="higher"),
            ck.Criterion(name="net_gmv"),
        ],
        currency="USD",
    )


@pytest.mark.parametrize("scheduler", SCHEDULERS)
@settings(deadline=None, max_examples=6, phases=[Phase.explicit, Phase.generate])
@given(seed=st.integers(0, 1), parts=st.integers(1, 5), cut=st.integers(0, 50))
def test_scorecard_criteria_on_dask_equal_pandas(scheduler, seed, parts, cut):
    data = _data(seed, cut)
    content = dd.from_pandas(data.content, npartitions=parts)
    orders = dd.from_pandas(data.orders, npartitions=parts)
    fx = data.fx_rates
    lazy = {"creators": data.creators, "content": content, "orders": orders, "fx_rates": fx}
    local = {**lazy, "content": content.compute(), "orders": orders.compute()}
    card = _scorecard()
    with dask.config.set(scheduler=scheduler):
        got = card.score(lazy, as_of=data.as_of)
    want = card.score(local, as_of=data.as_of)
    counts = [c for c in want.table.columns if c.endswith("_n") or c == "rank"]
    pd.testing.assert_frame_equal(got.table[counts], want.table[counts])
    pd.testing.assert_frame_equal(got.table, want.table, rtol=1e-12, atol=0)
    assert got.method.spec_hash == want.method.spec_hash


def test_scorecard_on_dask_refuses_a_lazy_creators_table_and_missing_columns():
    data = _DATA[1]
    card = ck.Scorecard([ck.Criterion(name="ctr", where={"content_type": ["video"]})])
    with pytest.raises(ck.ValidationError, match="creators"):
        card.score({"creators": dd.from_pandas(data.creators, npartitions=2)}, as_of=data.as_of)
    broken = dd.from_pandas(data.content.drop(columns="content_type"), npartitions=2)
    with pytest.raises(ck.ValidationError, match="content_type"):
        card.score({"creators": data.creators, "content": broken}, as_of=data.as_of)


def test_review_score_criterion_is_the_leniency_corrected_rating():
    data = _DATA[0]
    card = ck.Scorecard([ck.Criterion(name="review_score"), ck.Criterion(name="ctr")])
    tables = {"creators": data.creators, "content": data.content, "reviews": data.reviews}
    res = card.score(tables, as_of=data.as_of)
    rated = ck.reviews.aggregate(data.reviews[data.reviews["created_at"] <= data.as_of])
    expected = rated.creators.set_index("creator_id")["corrected"]
    explained = res.explain(str(expected.index[0])).to_frame().set_index("criterion")
    assert explained.loc["review_score", "raw"] == pytest.approx(expected.iloc[0], rel=1e-12)
    unrated = sorted(set(data.creators["creator_id"]) - set(expected.index))[0]
    assert np.isnan(
        res.explain(unrated).to_frame().set_index("criterion").loc["review_score", "raw"]
    )


def test_review_aggregation_on_dask_and_a_dask_reviews_table_in_a_scorecard():
    reviews = dd.from_pandas(_DATA[0].reviews, npartitions=2)
    got = ck.reviews.aggregate(reviews)  # full checks in test_dask_reviews.py
    want = ck.reviews.aggregate(_DATA[0].reviews)
    assert got.creators["corrected"].to_numpy() == pytest.approx(
        want.creators["corrected"].to_numpy(), abs=1e-9, nan_ok=True
    )
    card = ck.Scorecard([ck.Criterion(name="review_score")])
    with pytest.raises(ck.ValidationError, match="pandas DataFrame"):
        card.score({"creators": _DATA[0].creators, "reviews": reviews}, as_of=_DATA[0].as_of)
