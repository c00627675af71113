import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit.funnel import (
    GMV_TREE,
    Funnel,
    KPITree,
    Stage,
    decompose,
    from_counts,
    pace,
    solve_target,
)


def _content():
    return pd.DataFrame(
        {
            "creator_id": ["a", "a", "b", "c"],
            "views": [6000, 4000, 8000, 5000],
            "likes": [500, 300, 900, 100],
            "clicks": [200, 100, 400, 100],
            "add_to_carts": [60, 30, 100, 20],
            "orders": [20, 10, 40, 5],
            "repeat_orders": [2, 1, 8, 0],
            "gmv": [400.0, 200.0, 1000.0, 100.0],
        }
    )


def test_counts_funnel_rates_parents_and_side_branch():
    res = from_counts(_content(), Funnel.content_commerce(), by="creator_id")
    a = res.to_frame().query("creator_id == 'a'").set_index("name")
    assert a["count"].tolist() == [10000, 800, 300, 90, 30, 3]
    assert a.loc["interest", "parent"] == 10000  # side branch measured against exposure
    assert a.loc["click", "parent"] == 10000  # and not the parent of click
    assert a.loc["click", "conversion"] == pytest.approx(0.03)
    assert a.loc["add_to_cart", "conversion"] == pytest.approx(0.3)
    assert a.loc["repurchase", "conversion_from_start"] == pytest.approx(0.0003)
    assert a.loc["add_to_cart", "drop_off"] == 210
    ck.testing.check_result(res)


def test_wilson_for_nested_and_poisson_for_side_branch():
    smp = pytest.importorskip("statsmodels.stats.proportion")
    rates = pytest.importorskip("statsmodels.stats.rates")
    res = from_counts(_content(), Funnel.content_commerce(), by="creator_id").to_frame()
    row = res[(res["creator_id"] == "b") & (res["name"] == "click")].iloc[0]
    low, high = smp.proportion_confint(400, 8000, method="wilson")
    assert (row["conversion_low"], row["conversion_high"]) == pytest.approx((low, high), rel=1e-10)
    side = res[(res["creator_id"] == "b") & (res["name"] == "interest")].iloc[0]
    low, high = rates.confint_poisson(900, 8000, method="exact-c")
    assert (side["conversion_low"], side["conversion_high"]) == pytest.approx((low, high), rel=1e-9)


def test_stage_above_parent_is_flagged_and_kept():
    df = pd.DataFrame({"views": [100], "clicks": [150], "orders": [3]})
    res = from_counts(df, ["views", "clicks", "orders"])
    table = res.to_frame()
    assert table["above_parent"].tolist() == [False, True, False]
    assert table["count"].tolist() == [100, 150, 3]
    assert [n.code for n in res.warnings][:1] == ["above_parent"]


def test_bottleneck_against_peer_median_and_given_benchmark():
    res = from_counts(
        _content(), ["views", "clicks", "add_to_carts", "orders"], by="creator_id"
    ).to_frame()
    c = res[res["creator_id"] == "c"].set_index("name")
    # c: clicks 2% (peer median 3%), add_to_carts 20% (median 25%), orders 25% (median 33.3%)
    assert c["benchmark"]["clicks"] == pytest.approx(0.03)
    assert c.loc["clicks", "extra_conversions"] == pytest.approx(5 * (0.03 / 0.02 - 1))
    assert c.loc["clicks", "gmv_opportunity"] == pytest.approx(5 * 0.5 * 20.0)
    assert c["bottleneck"].sum() == 1
    given = from_counts(
        _content(), ["views", "clicks", "orders"], benchmark={"clicks": 0.1}
    ).to_frame()
    assert given["benchmark"].tolist()[1] == 0.1
    assert (
        "biggest leak"
        in from_counts(_content(), ["views", "clicks", "orders"], by="creator_id").explain()
    )


def test_counts_bad_input():
    with pytest.raises(ck.ValidationError, match="whole number >= 0"):
        from_counts(pd.DataFrame({"views": [-1], "clicks": [0]}), ["views", "clicks"])
    with pytest.raises(ck.ValidationError, match="required column is missing"):
        from_counts(pd.DataFrame({"views": [1]}), ["views", "clickz"])
    with pytest.raises(ck.ValidationError, match="unknown stages"):
        from_counts(_content(), ["views", "clicks"], benchmark={"orders": 0.1})
    with pytest.raises(ck.ValidationError, match="first stage must be nested"):
        Funnel(stages=[Stage(name="x", nested=False)])


# --- KPI trees ------------------------------------------------------------------------------


@given(
    st.lists(st.floats(0.0, 1e4, allow_nan=False), min_size=4, max_size=4),
    st.lists(st.floats(0.0, 1e4, allow_nan=False), min_size=4, max_size=4),
    st.sampled_from(["shapley", "lmdi"]),
)
def test_decompositions_sum_exactly_to_the_change(before, after, method):
    b = dict(zip(GMV_TREE.leaves(), before, strict=True))
    a = dict(zip(GMV_TREE.leaves(), after, strict=True))
    table = decompose(b, a, method=method).to_frame().set_index("factor")
    change = table.loc["total", "after"] - table.loc["total", "before"]
    contributions = table.drop(index="total")["contribution"]
    scale = max(abs(change), contributions.abs().max(), abs(table.loc["total", "before"]), 1e-300)
    assert abs(contributions.sum() - change) <= 1e-9 * scale


def test_shapley_with_a_zero_factor_and_lmdi_fallback():
    b = {"views": 1000.0, "ctr": 0.0, "cvr": 0.1, "aov": 20.0}
    a = {"views": 1200.0, "ctr": 0.02, "cvr": 0.1, "aov": 20.0}
    shapley = decompose(b, a).to_frame().set_index("factor")["contribution"]
    assert shapley["ctr"] > 0
    assert shapley.drop("total").sum() == pytest.approx(shapley["total"])
    lmdi = decompose(b, a, method="lmdi")
    assert [n.code for n in lmdi.warnings] == ["lmdi_fallback"]
    pd.testing.assert_frame_equal(lmdi.to_frame(), decompose(b, a).to_frame())


def test_lmdi_known_values():
    b = {"views": 100.0, "ctr": 0.1, "cvr": 0.1, "aov": 10.0}
    a = {"views": 200.0, "ctr": 0.1, "cvr": 0.1, "aov": 20.0}
    table = decompose(b, a, method="lmdi").to_frame().set_index("factor")["contribution"]
    # V0 = 10, V1 = 40: L = 30 / ln 4; each doubled factor gets L·ln 2 = 15
    assert table["views"] == pytest.approx(15.0)
    assert table["aov"] == pytest.approx(15.0)
    assert table["ctr"] == 0.0


def test_nested_and_additive_trees_by_group():
    tree = KPITree.sum(
        "gmv", [KPITree.product("video_gmv", ["video_views", "video_gpv"]), "live_gmv"]
    )
    before = pd.DataFrame(
        {
            "creator_id": ["a", "b"],
            "video_views": [100.0, 50.0],
            "video_gpv": [2.0, 1.0],
            "live_gmv": [30.0, 0.0],
        }
    )
    after = before.assign(video_views=[150.0, 50.0], live_gmv=[10.0, 5.0])
    res = decompose(before, after, tree, by="creator_id").to_frame()
    a = res[res["creator_id"] == "a"].set_index("factor")["contribution"]
    assert a["video_views"] == pytest.approx(100.0)
    assert a["live_gmv"] == pytest.approx(-20.0)
    assert a["total"] == pytest.approx(80.0)


def test_solve_target_and_pace():
    now = {"views": 100_000.0, "ctr": 0.02, "cvr": 0.05, "aov": 20.0}
    table = solve_target(now, 2_420.0, ["ctr", "cvr"]).to_frame()
    assert table["required"].tolist() == pytest.approx([0.022, 0.055])
    assert GMV_TREE.evaluate({**now, "ctr": 0.022, "cvr": 0.055}) == pytest.approx(2420.0)
    res = pace(
        [61.0, 40.0],
        [100.0, 100.0],
        start="2026-04-01T00:00Z",
        end="2026-04-11T00:00Z",
        as_of="2026-04-06T12:00Z",
        kpi=["gmv", "orders"],
    )
    t = res.to_frame()
    assert t["elapsed"].tolist() == [0.55, 0.55]
    assert t["on_track"].tolist() == [True, False]
    assert "61% of target at 55% of the time" in res.sentence()
    with pytest.raises(ck.ValidationError, match="after start"):
        pace(
            1.0, 2.0, start="2026-04-02T00:00Z", end="2026-04-01T00:00Z", as_of="2026-04-01T00:00Z"
        )
    with pytest.raises(ck.ValidationError, match="timezone-aware") as info:
        pace(1.0, 2.0, start="2026-04-01T00:00Z", end="2026-04-11T00:00Z", as_of="2026-04-06")
    assert info.value.argument == "as_of"
    with pytest.warns(ck.errors.CreatorkitDeprecationWarning, match="naive"):
        pace(1.0, 2.0, start="2026-04-01", end="2026-04-11", as_of="2026-04-06")
    with pytest.raises(ck.ValidationError, match="timestamp"):
        pace(1.0, 2.0, start="garbage", end="2026-04-11T00:00Z", as_of="2026-04-06T00:00Z")
    with pytest.raises(ck.ValidationError, match="factors of the tree"):
        solve_target(now, 10.0, ["likes"])


def test_lmdi_with_subnormal_factors_falls_back_and_stays_exact():
    from creatorkit.funnel import decompose

    before = {"views": 1.0, "ctr": 1.0, "cvr": 1.0, "aov": 1.0}
    after = {"views": 1.0, "ctr": 0.0625, "cvr": 1e-07, "aov": 2.225073858507e-311}
    res = decompose(before, after, method="lmdi")
    table = res.to_frame()
    parts = table.loc[table["factor"] != "total", "contribution"].sum()
    change = table.loc[table["factor"] == "total", "contribution"].item()
    assert parts == pytest.approx(change, abs=1e-12)
    assert [n.code for n in res.warnings] == ["lmdi_fallback"]
