import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit.datasets import synthetic
from creatorkit.metrics import catalog, compute, summarize

AS_OF = pd.Timestamp("2026-06-30 23:00", tz="UTC")
NAN = float("nan")


def _content() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator_id": ["a", "a", "b"],
            "published_at": [
                AS_OF - pd.Timedelta(days=10),
                AS_OF - pd.Timedelta(days=40),
                AS_OF - pd.Timedelta(days=1),
            ],
            "views": [1000, 3000, 400],
            "likes": [100, 150, 8],
            "comments": [10, 30, 0],
            "shares": [5, 15, 0],
            "saves": [20, 60, 4],
            "follows": [3, 9, 0],
            "completion": [0.4, 0.2, 0.5],
            "followers_at_post": [10_000, 10_000, 2_000],
            "clicks": [30, 60, 0],
            "add_to_carts": [9, 12, 0],
            "orders": [3, 6, 0],
            "units": [4, 6, 0],
            "gmv": [60.0, 90.0, 0.0],
            "paid_views": [200, 0, 100],
            "product_id": ["p1", "p2", "p3"],
        }
    )


def _orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator_id": ["a"] * 4,
            "order_id": ["o1", "o1", "o2", "o3"],
            "line_id": ["1", "2", "1", "1"],
            "ordered_at": [AS_OF - pd.Timedelta(days=20)] * 4,
            "gmv": [100.0, 50.0, 80.0, 20.0],
            "refunds": [0.0, 50.0, 80.0, 0.0],
            "refunded_at": [
                pd.NaT,
                AS_OF - pd.Timedelta(days=1),
                AS_OF + pd.Timedelta(days=5),
                pd.NaT,
            ],
            "customer_id": ["u1", "u1", "u1", "u2"],
            "new_customer": [True, True, False, True],
        }
    )


def _lives() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator_id": ["a", "a", "b"],
            "views": [5000, 100, 600],
            "gmv": [300.0, 5.0, 20.0],
            "duration_seconds": [5400.0, np.nan, 1800.0],
            "viewers": [1500, np.nan, 400],
            "orders_created": [12, np.nan, 2],
            "orders_paid": [9, np.nan, 2],
            "avg_view_seconds": [40.0, np.nan, 25.0],
            "avg_concurrent_viewers": [80.0, np.nan, 12.0],
        }
    )


def _collaborations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator_id": ["a", "b"],
            "fixed_fee": [100.0, 0.0],
            "commission": [30.0, 50.0],
            "bonus": [0.0, 0.0],
            "sample_cost": [20.0, 0.0],
            "shipping_cost": [5.0, 0.0],
            "ads_spend": [45.0, 0.0],
            "service_fee": [0.0, 0.0],
            "gmv": [600.0, 500.0],
            "refunds": [100.0, 0.0],
            "margin": [0.5, 0.4],
            "orders": [10, 0],
            "clicks": [200, 0],
            "views": [50_000, 0],
            "likes": [900, 0],
            "comments": [50, 0],
            "shares": [30, 0],
            "saves": [20, 0],
            "new_customers": [4, 0],
            "samples_received_due": [4, 0],
            "samples_posted_due": [3, 0],
            "samples_posted": [3, 0],
            "samples_posted_on_time": [2, 0],
            "invitations": [2, 1],
            "replies": [1, 1],
            "reply_hours": [10.0, 30.0],
        }
    )


def _creators() -> pd.DataFrame:
    return pd.DataFrame(
        {"creator_id": ["a", "b"], "followers": [1100, 900], "followers_30d_ago": [1000, 1000]}
    )


PARAMS = {
    "emv_cpm": {"cpm": 5.0},
    "emv_actions": {
        "value_view": 0.001,
        "value_like": 0.05,
        "value_comment": 0.2,
        "value_share": 0.5,
        "value_save": 0.1,
        "value_click": 0.3,
    },
    "effective_content_ratio": {"min_views": 1000},
}

# metric: (table, {creator a, creator b}) — hand-computed from the tables above.
HAND = {
    "views": (_content, [4000, 400]),
    "likes": (_content, [250, 8]),
    "comments": (_content, [40, 0]),
    "shares": (_content, [20, 0]),
    "saves": (_content, [80, 4]),
    "clicks": (_content, [90, 0]),
    "orders": (_content, [9, 0]),
    "units": (_content, [10, 0]),
    "gmv": (_content, [150.0, 0.0]),
    "interaction_rate": (_content, [0.1, 0.02]),
    "like_rate": (_content, [0.0625, 0.02]),
    "save_rate": (_content, [0.02, 0.01]),
    "follow_rate": (_content, [0.003, 0.0]),
    "comment_rate": (_content, [0.01, 0.0]),
    "share_rate": (_content, [0.005, 0.0]),
    "engagement_rate": (_content, [0.0975, 0.03]),
    "engagement_rate_followers": (_content, [0.0195, 0.006]),
    "completion_rate": (_content, [0.25, 0.5]),
    "ctr": (_content, [0.0225, 0.0]),
    "add_to_cart_rate": (_content, [21 / 90, NAN]),
    "cvr": (_content, [0.1, NAN]),
    "view_to_order_rate": (_content, [0.00225, 0.0]),
    "aov": (_content, [150 / 9, NAN]),
    "gpm": (_content, [37.5, 0.0]),
    "paid_share": (_content, [0.05, 0.25]),
    "emv_cpm": (_content, [20.0, 2.0]),
    "emv_actions": (_content, [69.5, 1.2]),
    "posting_cadence": (_content, [1, 1]),
    "product_count": (_content, [1, 1]),
    "effective_content_ratio": (_content, [1.0, 0.0]),
    "net_gmv": (_orders, [200.0]),
    "refund_rate": (_orders, [0.2]),
    "new_customer_share": (_orders, [2 / 3]),
    "repurchase_rate": (_orders, [0.5]),
    "cost": (_collaborations, [200.0, 50.0]),
    "roas": (_collaborations, [3.0, 10.0]),
    "roi": (_collaborations, [0.25, 3.0]),
    "contribution_margin": (_collaborations, [50.0, 150.0]),
    "cpa": (_collaborations, [20.0, NAN]),
    "cpc": (_collaborations, [1.0, NAN]),
    "cpm": (_collaborations, [4.0, NAN]),
    "cpe": (_collaborations, [0.2, NAN]),
    "cac": (_collaborations, [50.0, NAN]),
    "fulfillment_rate": (_collaborations, [0.75, NAN]),
    "on_time_rate": (_collaborations, [2 / 3, NAN]),
    "reply_rate": (_collaborations, [0.5, 1.0]),
    "median_reply_hours": (_collaborations, [10.0, 30.0]),
    "follower_growth_rate": (_creators, [0.1, -0.1]),
    # LIVE rows only (the video row of creator a has no duration or viewers)
    "gmv_per_hour": (_lives, [200.0, 40.0]),
    "live_gpm": (_lives, [200.0, 50.0]),
    "paid_order_share": (_lives, [0.75, 1.0]),
    "avg_viewing_seconds": (_lives, [40.0, 25.0]),
    "concurrent_viewers": (_lives, [80.0, 12.0]),
}


def test_every_builtin_metric_has_a_hand_computed_case():
    builtin = set(catalog()["name"]) - {"creator_concentration"}
    assert builtin == set(HAND)


@pytest.mark.parametrize("name", sorted(HAND))
def test_hand_computed(name):
    make, expected = HAND[name]
    res = compute(make(), name, by="creator_id", as_of=AS_OF, params=PARAMS.get(name))
    np.testing.assert_allclose(res.table[name].to_numpy(dtype=float), expected, rtol=1e-12)
    ck.testing.check_result(res)


def test_overall_group_and_median_not_mergeable():
    res = compute(_collaborations(), ["cost", "roas", "roi", "median_reply_hours", "reply_rate"])
    row = res.table.iloc[0]
    assert row["cost"] == 250.0
    assert row["roas"] == pytest.approx(4.4)
    assert row["roi"] == pytest.approx(0.8)
    assert row["median_reply_hours"] == 20.0
    assert row["reply_rate"] == pytest.approx(2 / 3)
    assert row["reply_rate_trials"] == 3.0


def test_creator_concentration():
    df = pd.DataFrame({"creator_id": ["a", "a", "b"], "gmv": [100.0, 50.0, 50.0], "k": ["x"] * 3})
    assert compute(df, "creator_concentration").table[
        "creator_concentration"
    ].item() == pytest.approx(0.625)
    by_creator = compute(df, "creator_concentration", by="creator_id").table
    assert by_creator["creator_concentration"].tolist() == [1.0, 1.0]


def test_net_gmv_without_as_of_counts_every_refund():
    assert compute(_orders(), "net_gmv").table["net_gmv"].item() == 120.0


def test_rows_after_as_of_are_excluded_and_counted():
    df = _content()
    res = compute(df, ["views"], by="creator_id", as_of=AS_OF - pd.Timedelta(days=5))
    assert res.table["views"].tolist() == [4000, 0]
    assert res.table["views_n"].tolist() == [2, 0]
    notes = {n.code: n.count for n in res.warnings}
    assert notes == {"after_as_of": 1}


def test_windowed_metric_needs_as_of():
    with pytest.raises(ck.ValidationError, match="as_of"):
        compute(_content(), "interaction_rate")
    with pytest.raises(ck.ValidationError, match="timezone-aware"):
        compute(_content(), "interaction_rate", as_of="2026-06-30")


def test_zero_denominator_is_nan_with_note():
    res = compute(_content(), "cvr", by="creator_id")
    assert np.isnan(res.table["cvr"].iloc[1])
    assert [(n.code, n.count, n.subject) for n in res.warnings] == [("zero_denominator", 1, "cvr")]


def test_result_columns_follow_vocabulary():
    res = compute(_content(), ["ctr", "like_rate", "views"], by="creator_id", ci="auto")
    assert list(res.table.columns) == [
        "creator_id",
        "ctr",
        "ctr_low",
        "ctr_high",
        "ctr_n",
        "ctr_trials",
        "like_rate",
        "like_rate_low",
        "like_rate_high",
        "like_rate_n",
        "like_rate_trials",
        "views",
        "views_n",
    ]
    assert res.method.parameters["ci"] == {"ctr": "auto", "like_rate": "auto"}
    plans = res.method.parameters["intervals"]
    assert plans["ctr"]["method"] == "cluster"
    assert plans["ctr"]["single_row"] == "poisson"
    assert plans["like_rate"]["scale"] == "logit"
    assert plans["like_rate"]["single_row"] == "wilson"
    json.dumps(res.to_dict(), allow_nan=False)


# --- independent ratio of sums on synthetic data -------------------------------------------


def test_equal_to_plain_ratio_of_sums_on_synthetic_data():
    data = synthetic(seed=5, n_creators=300, n_events=500)
    content = data.content
    res = compute(
        content,
        ["ctr", "gpm", "engagement_rate", "completion_rate", "aov", "cvr"],
        by=["creator_id", "content_type"],
    ).table.set_index(["creator_id", "content_type"])
    g = content.assign(
        cw=content["completion"] * content["views"],
        eng=content[["likes", "comments", "shares", "saves"]].sum(axis=1),
    )
    sums = g.groupby(["creator_id", "content_type"])[
        ["clicks", "views", "gmv", "eng", "cw", "orders"]
    ].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = pd.DataFrame(
            {
                "ctr": sums["clicks"] / sums["views"],
                "gpm": 1000 * sums["gmv"] / sums["views"],
                "engagement_rate": sums["eng"] / sums["views"],
                "completion_rate": sums["cw"] / sums["views"],
                "aov": (sums["gmv"] / sums["orders"]).where(sums["orders"] > 0),
                "cvr": (sums["orders"] / sums["clicks"]).where(sums["clicks"] > 0),
            }
        )
    got = res.loc[expected.index, expected.columns]
    np.testing.assert_allclose(
        got.to_numpy(dtype=float), expected.to_numpy(dtype=float), rtol=1e-12
    )


def test_collaboration_costs_equal_plain_sums():
    collabs = synthetic(seed=2, n_creators=300, n_events=500).collaborations
    res = compute(collabs, ["cost", "roas"], by="campaign_id").table.set_index("campaign_id")
    items = [
        "fixed_fee",
        "commission",
        "bonus",
        "sample_cost",
        "shipping_cost",
        "ads_spend",
        "service_fee",
    ]
    cost = (
        collabs.assign(cost=collabs[items].sum(axis=1))
        .groupby("campaign_id")[["cost", "gmv"]]
        .sum()
    )
    np.testing.assert_allclose(res["cost"], cost["cost"], rtol=1e-12)
    np.testing.assert_allclose(res["roas"], cost["gmv"] / cost["cost"], rtol=1e-12)


# --- intervals -------------------------------------------------------------------------------


def test_design_guide_interval_reference_cases():
    df = pd.DataFrame({"g": ["x", "y"], "likes": [12, 0], "views": [400, 50]})
    w = compute(df, "like_rate", by="g", ci="wilson").table
    assert w["like_rate_low"].round(4).tolist() == [0.0172, 0.0]
    assert w["like_rate_high"].round(4).tolist() == [0.0517, 0.0713]
    j = compute(df, "like_rate", by="g", ci="jeffreys").table
    assert j["like_rate_low"].iloc[0].round(4) == 0.0165
    assert j["like_rate_high"].iloc[0].round(4) == 0.0502


@pytest.mark.parametrize(
    ("x", "n", "low"), [(209, 259, 0.7545), (118, 143, 0.7546), (2, 2, 0.3424), (600, 1000, 0.5693)]
)
def test_wilson_lower_bounds(x, n, low):
    df = pd.DataFrame({"likes": [x], "views": [n]})
    assert compute(df, "like_rate", ci="wilson").table["like_rate_low"].item() == pytest.approx(
        low, abs=5e-5
    )


def test_rate_intervals_equal_statsmodels():
    smp = pytest.importorskip("statsmodels.stats.proportion")
    rng = np.random.default_rng(1)
    n = rng.integers(1, 5000, 200)
    x = rng.binomial(n, rng.uniform(0, 1, 200))
    x[:5] = 0
    x[5:10] = n[5:10]
    df = pd.DataFrame({"g": np.arange(200), "likes": x, "views": n})
    for method in ("wilson", "jeffreys"):
        res = compute(df, "like_rate", by="g", ci=method, level=0.9).table
        low, high = smp.proportion_confint(x, n, alpha=0.1, method=method)
        np.testing.assert_allclose(res["like_rate_low"], low, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(res["like_rate_high"], high, rtol=1e-10, atol=1e-14)


def test_poisson_interval_equals_statsmodels_exact():
    rates = pytest.importorskip("statsmodels.stats.rates")
    rng = np.random.default_rng(2)
    views = rng.integers(1, 100_000, 100)
    comments = rng.poisson(views * 0.01)
    comments[:3] = 0
    df = pd.DataFrame({"g": np.arange(100), "comments": comments, "views": views})
    res = compute(df, "comment_rate", by="g", ci="poisson").table
    low, high = rates.confint_poisson(comments, views, method="exact-c")
    np.testing.assert_allclose(res["comment_rate_low"], low, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(res["comment_rate_high"], high, rtol=1e-9)


def test_cluster_interval_equals_direct_delta_method():
    from scipy import stats

    data = synthetic(seed=4, n_creators=60, n_events=500).content
    res = compute(data, "ctr", by="creator_id", ci="cluster").table.set_index("creator_id")
    for creator, rows in data.groupby("creator_id"):
        y = rows["clicks"].to_numpy(float)
        x = rows["views"].to_numpy(float)
        m = len(y)
        r = y.sum() / x.sum()
        if m < 2:
            assert np.isnan(res.loc[creator, "ctr_low"])
            continue
        se = np.sqrt(((y - r * x) ** 2).sum() / (m * (m - 1) * x.mean() ** 2))
        t = stats.t.ppf(0.975, m - 1)
        assert res.loc[creator, "ctr_high"] == pytest.approx(r * np.exp(t * se / r), rel=1e-9)


def test_cluster_interval_is_wider_than_wilson_for_creators():
    data = synthetic(seed=4, n_creators=200, n_events=500).content
    w = compute(data, "like_rate", by="creator_id", ci="wilson").table
    c = compute(data, "like_rate", by="creator_id", ci="cluster").table
    several = c["like_rate_n"] >= 3
    width_w = (w["like_rate_high"] - w["like_rate_low"])[several]
    width_c = (c["like_rate_high"] - c["like_rate_low"])[several]
    assert (width_c > width_w).mean() > 0.8


def test_ci_method_must_apply():
    with pytest.raises(ck.ValidationError, match="does not apply"):
        compute(_content(), ["ctr"], ci="wilson")
    with pytest.raises(ck.ValidationError, match="Did you mean 'wilson'"):
        compute(_content(), ["like_rate"], ci="wilsen")
    res = compute(_content(), ["ctr", "like_rate"], ci={"ctr": "cluster"})
    assert "like_rate_low" not in res.table


# --- summaries merge -------------------------------------------------------------------------


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.integers(0, 10_000),
            st.integers(0, 500),
            st.floats(0, 1000, allow_nan=False),
        ),
        min_size=2,
        max_size=40,
    ),
    st.data(),
)
def test_summaries_of_chunks_add_up_to_the_whole(rows, data):
    df = pd.DataFrame(rows, columns=["creator_id", "views", "clicks", "gmv"])
    cut = data.draw(st.integers(1, len(df) - 1))
    names = ["ctr", "gpm", "views"]
    whole = summarize(df, names, by="creator_id", moments=True)
    parts = summarize(df.iloc[:cut], names, by="creator_id", moments=True) + summarize(
        df.iloc[cut:], names, by="creator_id", moments=True
    )
    a = whole.compute(ci="cluster").table
    b = parts.compute(ci="cluster").table
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-9)
    direct = compute(df, names, by="creator_id", ci="cluster").table
    pd.testing.assert_frame_equal(a, direct, check_exact=False, rtol=1e-9, atol=1e-9)


def test_summary_rejects_non_mergeable_and_mismatch():
    with pytest.raises(ck.ValidationError, match="not mergeable"):
        summarize(_content(), "product_count", as_of=AS_OF)
    a = summarize(_content(), "ctr")
    with pytest.raises(ck.ValidationError, match="differ in metrics"):
        a + summarize(_content(), "gpm")
    with pytest.raises(ck.ValidationError, match="moments=True"):
        a.compute(ci="cluster")


@given(st.permutations(list(range(8))))
def test_permutation_invariance(order):
    data = synthetic(seed=0, n_creators=20, n_events=200).content.head(8)
    a = compute(data, ["ctr", "gpm"], by="creator_id").table
    b = compute(data.iloc[list(order)], ["ctr", "gpm"], by="creator_id").table
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)


# --- bad input -------------------------------------------------------------------------------


def test_unknown_names_listed_with_did_you_mean():
    with pytest.raises(ck.ValidationError) as info:
        compute(_content(), ["ctrr", "gpn", "views"])
    assert info.value.failure_cases["column"].tolist() == ["ctrr", "gpn"]
    assert "Did you mean 'ctr'" in str(info.value)


def test_bad_values_listed_and_input_unchanged():
    df = _content()
    df.loc[0, "views"] = -1
    df["clicks"] = df["clicks"].astype(float)
    df.loc[1, "clicks"] = np.inf
    before = df.copy()
    with pytest.raises(ck.ValidationError) as info:
        compute(df, ["ctr"], by="creator_id")
    cases = info.value.failure_cases
    assert sorted(zip(cases["column"], cases["code"], strict=True)) == [
        ("clicks", "not_finite"),
        ("views", "negative"),
    ]
    pd.testing.assert_frame_equal(df, before)


def test_missing_columns_and_non_numeric():
    with pytest.raises(ck.ValidationError, match="required column is missing"):
        compute(_content().drop(columns="views"), "ctr", by="nope")
    df = _content().assign(views=["1000", "x", "400"])
    with pytest.raises(ck.ValidationError, match="must be numeric"):
        compute(df, "ctr")


def test_missing_values_are_excluded_and_counted():
    df = _content().assign(completion=[0.4, NAN, 0.5])
    res = compute(df, "completion_rate", by="creator_id")
    assert res.table["completion_rate"].tolist() == [0.4, 0.5]
    assert res.table["completion_rate_n"].tolist() == [1, 1]
    assert [(n.code, n.count) for n in res.warnings] == [("missing_values", 1)]


def test_missing_group_keys_form_their_own_group():
    df = _content().assign(creator_id=["a", None, "b"])
    res = compute(df, "views", by="creator_id")
    assert res.table["views"].tolist() == [1000, 400, 3000]
    assert [(n.code, n.count) for n in res.warnings] == [("missing_group_key", 1)]


def test_mixed_currencies_are_an_error_unless_grouped():
    df = pd.DataFrame({"gmv": [10.0, 20.0], "refunds": [0.0, 0.0], "currency": ["USD", "THB"]})
    with pytest.raises(ck.ValidationError, match="several currencies"):
        compute(df, "net_gmv")
    assert compute(df, "net_gmv", by="currency").table["net_gmv"].tolist() == [20.0, 10.0]


def test_params_required_and_checked():
    with pytest.raises(ck.ValidationError, match="no hidden defaults"):
        compute(_content(), "emv_cpm")
    with pytest.raises(ck.ValidationError, match="not used"):
        compute(_content(), "views", params={"cpm": 3})
    with pytest.raises(ck.ValidationError, match="finite"):
        compute(_content(), "emv_cpm", params={"cpm": float("inf")})


def test_empty_and_wrong_type():
    with pytest.raises(ck.ValidationError, match="at least one row"):
        compute(_content().iloc[:0], "views")
    with pytest.raises(ck.ValidationError, match="DataFrame"):
        compute({"views": [1]}, "views")  # type: ignore[arg-type]
    with pytest.raises(ck.ValidationError, match="at least one metric"):
        compute(_content(), [])
    with pytest.raises(ck.ValidationError, match="level"):
        compute(_content(), "like_rate", ci="wilson", level=1.5)


# --- registry --------------------------------------------------------------------------------


def test_register_custom_metric_direct_and_decorator():
    metric = ck.metrics.Metric(
        name="hook_rate", numerator="views_3s", denominator="views", kind="rate"
    )
    ck.metrics.register(metric, replace=True)
    with pytest.raises(ck.ValidationError, match="already a registered metric"):
        ck.metrics.register(metric)

    @ck.metrics.register(needs=("views", "likes"), denominator="views", kind="rate", replace=True)
    def liked_views(frame, params):
        return (frame["likes"] > 50) * frame["views"]

    try:
        df = _content().assign(views_3s=[500, 600, 100])
        res = compute(df, ["hook_rate", "liked_views"], by="creator_id", ci="auto").table
        assert res["hook_rate"].tolist() == [0.275, 0.25]
        assert res["liked_views"].tolist() == [1.0, 0.0]
        assert ck.metrics.get("liked_views").intervals == ("wilson", "jeffreys", "cluster")
    finally:
        ck.metrics.registry.unregister("hook_rate")
        ck.metrics.registry.unregister("liked_views")


def test_catalog_has_every_field():
    cat = catalog()
    assert {"name", "formula", "kind", "table", "mergeable", "source"} <= set(cat.columns)
    assert not cat.set_index("name").loc["repurchase_rate", "mergeable"]
    assert cat["source"].str.len().min() > 0


def test_metrics_import_does_not_load_scipy_stats():
    code = (
        "import creatorkit, sys\ncreatorkit.metrics.compute\n"
        "print(any(m.startswith('scipy.stats') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_names_and_by_of_the_wrong_type():
    with pytest.raises(ck.ValidationError, match="a metric name, a Metric or a list"):
        compute(_content(), 5)  # type: ignore[arg-type]
    with pytest.raises(ck.ValidationError, match="a name or a list of names"):
        compute(_content(), "views", by=3)  # type: ignore[arg-type]


def test_a_missing_money_column_is_named_also_with_a_reporting_currency():
    data = ck.datasets.synthetic(seed=0, n_creators=30)
    orders = data.orders.drop(columns=["refunds"])
    for currency in (None, "USD"):
        fx = None if currency is None else data.fx_rates
        with pytest.raises(ck.errors.ValidationError) as err:
            ck.metrics.compute(orders, "net_gmv", by="creator_id", currency=currency, fx=fx)
        assert err.value.failure_cases["column"].tolist() == ["refunds"]
