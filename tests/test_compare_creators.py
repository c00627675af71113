"""Creator comparisons with posts (or collaborations) as units (issue 10, item 2)."""

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit import compare

scipy_stats = pytest.importorskip("scipy.stats")


def _by_post(posts, creator, num, den):
    """Independent reference: the delta method over per-post sums, t with posts − 1 df."""
    rows = posts[posts["creator_id"] == creator]
    y, x = rows[num].to_numpy(float), rows[den].to_numpy(float)
    n = len(rows)
    ratio = y.sum() / x.sum()
    var = n / (n - 1) * ((y - ratio * x) ** 2).sum() / x.sum() ** 2
    return ratio, var, n


def _reference(posts, arm, control, num, den, alpha, alternative):
    r1, v1, n1 = _by_post(posts, arm, num, den)
    r0, v0, n0 = _by_post(posts, control, num, den)
    se = np.sqrt(v1 + v0)
    if not se > 0:
        return {"se": se}
    df = (v1 + v0) ** 2 / (v1**2 / (n1 - 1) + v0**2 / (n0 - 1))
    t = (r1 - r0) / se
    dist = scipy_stats.t(df)
    p = {
        "two-sided": 2 * dist.sf(abs(t)),
        "greater": dist.sf(t),
        "less": dist.cdf(t),
    }[alternative]
    q = dist.ppf(1 - (alpha / 2 if alternative == "two-sided" else alpha))
    low, high = r1 - r0 - q * se, r1 - r0 + q * se
    if alternative == "greater":
        high = np.inf
    if alternative == "less":
        low = -np.inf
    return {"estimate": r1 - r0, "se": se, "df": df, "p_value": p, "ci_low": low, "ci_high": high}


posts_strategy = st.integers(2, 4).flatmap(
    lambda k: st.lists(
        st.tuples(st.integers(0, k - 1), st.integers(1, 5000), st.floats(0.0, 0.4)),
        min_size=3 * k,
        max_size=12 * k,
    ).filter(lambda rows: all(sum(1 for r in rows if r[0] == i) >= 2 for i in range(k)))
)


@settings(deadline=None, max_examples=60)
@given(posts_strategy, st.sampled_from(["two-sided", "greater", "less"]), st.floats(0.01, 0.2))
def test_standard_errors_and_bounds_equal_an_independent_delta_method(rows, alternative, alpha):
    posts = pd.DataFrame(rows, columns=["arm", "clicks", "share"])
    posts["creator_id"] = "c" + posts["arm"].astype(str)
    posts["orders"] = np.floor(posts["clicks"] * posts["share"])
    res = compare.creators(
        posts, {"cvr": ("orders", "clicks")}, alpha=alpha, alternative=alternative
    ).to_frame()
    for _, row in res.iloc[1:].iterrows():
        want = _reference(posts, row["arm"], "c0", "orders", "clicks", alpha, alternative)
        if not want["se"] > 0:
            assert np.isnan(row["p_value"])
            continue
        for name in ("estimate", "se", "df", "p_value", "ci_low", "ci_high"):
            assert row[name] == pytest.approx(want[name], rel=1e-9, abs=1e-12), name


def test_the_issue_case_is_inconclusive_with_posts_as_units():
    content = ck.datasets.synthetic(seed=0).content
    campaign = content[content["campaign_id"] == "k003"]
    per = ck.metrics.compute(campaign, ["clicks", "orders"], by="creator_id").to_frame()
    top = per.sort_values(["orders", "creator_id"], ascending=[False, True]).head(4)
    trials = compare.proportions(
        top["orders"], top["clicks"], labels=top["creator_id"], control="c000296"
    ).to_frame()
    per_click = trials.set_index("arm").loc["c001433"]
    assert per_click["p_adjusted"] < 1e-10  # every click an independent trial: "worse"
    assert per_click["verdict"] == "worse"
    res = compare.creators(
        campaign, ck.metrics.get("cvr"), among=top["creator_id"], control="c000296"
    )
    row = res.to_frame().set_index("arm").loc["c001433"]
    assert row["verdict"] == "inconclusive"
    assert row["p_adjusted"] >= 0.0625  # the normal delta method's 0.0625, t is wider
    want = _reference(campaign, "c001433", "c000296", "orders", "clicks", 0.05, "two-sided")
    assert row["p_value"] == pytest.approx(want["p_value"], rel=1e-9)
    assert row["p_adjusted"] == pytest.approx(min(3 * want["p_value"], 1.0), rel=1e-9)
    assert res.randomized is False
    assert res.unit == "post"
    card = res.method.parameters
    assert card["unit"] == "post"
    assert card["test"] == "t"
    assert card["df"] == "welch_satterthwaite"
    assert card["randomized"] is False
    assert "not_randomized" in {n.code for n in res.warnings}


def test_collaborations_as_units_and_several_metrics():
    data = ck.datasets.synthetic(seed=0)
    collabs = data.collaborations
    many = collabs.groupby("creator_id").size()
    ids = many[many >= 3].index[:3].tolist()
    res = compare.creators(collabs, ck.metrics.get("roas"), unit="collaboration", among=ids)
    assert res.unit == "collaboration"
    assert res.method.parameters["unit"] == "collaboration"
    assert res.to_frame()["n"].tolist() == many[ids].tolist()
    both = compare.creators(
        data.content, [ck.metrics.get("ctr"), "gmv"], among=["c000001", "c000002"]
    )
    assert both.unit == "post"
    assert both.randomized is False
    table = both.to_frame()
    assert table["metric"].tolist() == ["ctr", "ctr", "gmv", "gmv"]
    parts = [dict(p["parameters"]) for p in both.method.parameters["parts"]]
    assert [p["test"] for p in parts] == ["t", "welch"]
    # the plain column is a per-post mean compared by Welch's t
    gmv = data.content.set_index("creator_id")["gmv"]
    ref = scipy_stats.ttest_ind(gmv["c000002"], gmv["c000001"], equal_var=False)
    assert table["p_value"].iloc[3] == pytest.approx(ref.pvalue, rel=1e-9)


def test_summary_ratios_forward_the_t_test():
    posts = pd.DataFrame(
        {
            "creator_id": ["a"] * 3 + ["b"] * 4,
            "views": [100, 200, 150, 300, 250, 400, 90],
            "likes": [9, 14, 12, 12, 11, 15, 3],
        }
    )
    like_rate = {"like_rate": ("likes", "views")}
    summary = compare.summarize(posts, arm="creator_id", metrics=like_rate)
    via_summary = summary.ratios("like_rate", test="t", unit="post", randomized=False)
    direct = compare.creators(posts, like_rate)
    pd.testing.assert_frame_equal(via_summary.to_frame(), direct.to_frame())


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"unit": "video"}, "unit"),
        ({"among": ["a", "zz"]}, "among"),
        ({"among": ["a"]}, "among"),
        ({"among": "a"}, "among"),
        ({"creator": "owner"}, "rows"),
        ({"alternative": "bigger"}, "alternative"),
    ],
)
def test_creators_bad_input(kwargs, argument):
    posts = pd.DataFrame({"creator_id": ["a", "a", "b", "b"], "x": [1, 2, 3, 5], "y": [4, 4, 4, 6]})
    with pytest.raises(ck.ValidationError) as info:
        compare.creators(posts, {"r": ("x", "y")}, **kwargs)
    assert info.value.argument == argument


def test_ratios_t_and_df_checks():
    sums = ([5, 6], [50.0, 90.0], [500.0, 600.0], [600.0, 1500.0], [52000.0, 62000.0])
    res = compare.ratios(*sums, [5500.0, 9300.0], test="t", df=[2.0, 3.0]).to_frame()
    v1, v0 = 3.5e-4, 1e-4  # worked by hand in the docstring's example
    assert res["se"].iloc[1] == pytest.approx(np.sqrt(v1 + v0), rel=1e-12)
    assert res["df"].iloc[1] == pytest.approx((v1 + v0) ** 2 / (v1**2 / 3 + v0**2 / 2))
    with pytest.raises(ck.ValidationError, match="test='t'"):
        compare.ratios(*sums, [5500.0, 9300.0], df=[2.0, 3.0])
    with pytest.raises(ck.ValidationError, match="> 0"):
        compare.ratios(*sums, [5500.0, 9300.0], test="t", df=[0.0, 3.0])


def test_fieller_lift_of_the_t_test_agrees_with_its_p_value():
    rng = np.random.default_rng(7)
    for _ in range(40):
        k = 10
        posts = pd.DataFrame(
            {
                "creator_id": np.repeat(["a", "b"], k),
                "clicks": rng.integers(50, 2000, 2 * k),
            }
        )
        posts["orders"] = rng.binomial(posts["clicks"], np.repeat(rng.uniform(0.05, 0.2, 2), k))
        row = compare.creators(posts, {"cvr": ("orders", "clicks")}).to_frame().iloc[1]
        if np.isnan(row["lift_low"]):
            continue
        excludes = row["lift_low"] > 0 or row["lift_high"] < 0
        assert excludes == (row["p_value"] < 0.05)


def test_demo_compares_creators_by_post():
    from creatorkit import _demo

    out = io.StringIO()
    _demo.run(seed=0, out=out)
    text = out.getvalue()
    assert "posts as units" in text
    assert "compare.creators" in text
