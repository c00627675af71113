"""Interval rules of DESIGN §5, checked against independent computations.

Each rule of the issue "Numbers a brand can rank creators by" has a test here: unit
invariance, Student t on (posts − 1) degrees of freedom, range-respecting bounds, NaN and a
note for one-post groups, ``ci="auto"`` = cluster wherever a group has several rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import expit, logit

import creatorkit as ck
from creatorkit.datasets import synthetic
from creatorkit.metrics import compute, get

DATA = synthetic(seed=0)
MONEY = [
    "fixed_fee",
    "guaranteed_minimum",
    "commission",
    "bonus",
    "sample_cost",
    "shipping_cost",
    "ads_spend",
    "service_fee",
    "gmv",
    "refunds",
]


def _rescaled(frame: pd.DataFrame, factor: float) -> pd.DataFrame:
    money = [c for c in MONEY if c in frame.columns]
    return frame.assign(**{c: frame[c] * factor for c in money})


def _reference(frame: pd.DataFrame, y: str, x: str, scale: str, level: float) -> pd.DataFrame:
    """Cluster bounds computed directly from per-post values (pandas + scipy.stats)."""
    out = {}
    for key, rows in frame.groupby("creator_id", sort=True):
        yy, xx = rows[y].to_numpy(float), rows[x].to_numpy(float)
        m = len(yy)
        r = yy.sum() / xx.sum() if xx.sum() > 0 else np.nan
        if m < 2 or not 0 < r < np.inf:
            out[key] = (r, np.nan, np.nan, np.nan)
            continue
        se = np.sqrt(m / (m - 1) * ((yy - r * xx) ** 2).sum()) / xx.sum()
        t = stats.t.ppf(0.5 + level / 2, m - 1)
        if scale == "log":
            low, high = r * np.exp(-t * se / r), r * np.exp(t * se / r)
        elif scale == "logit":
            step = t * se / (r * (1 - r))
            low, high = expit(logit(r) - step), expit(logit(r) + step)
        else:
            low, high = r - t * se, r + t * se
        out[key] = (r, low, high, se)
    return pd.DataFrame.from_dict(out, orient="index", columns=["value", "low", "high", "se"])


def test_money_metrics_never_get_a_poisson_interval():
    for name in ("roas", "gpm", "aov", "refund_rate", "cpa", "cpc", "roi"):
        assert "poisson" not in get(name).intervals, name
    assert get("ctr").intervals == ("poisson", "cluster")
    with pytest.raises(ck.ValidationError, match="does not apply"):
        compute(DATA.collaborations, "roas", by="creator_id", ci="poisson")


@pytest.mark.parametrize("factor", [100.0, 16_000.0])
@pytest.mark.parametrize(
    ("table", "names"),
    [
        ("collaborations", ["roas", "cpa", "roi"]),
        ("content", ["gpm", "aov"]),
        ("orders", ["refund_rate"]),
    ],
)
def test_units_never_change_the_relative_interval(table, names, factor):
    """c000010's ROAS interval in USD, cents and at IDR scale: the same relative width."""
    frame = getattr(DATA, table)
    base = compute(frame, names, by="creator_id", ci="auto").table
    scaled = compute(_rescaled(frame, factor), names, by="creator_id", ci="auto").table
    for name in names:
        for end in ("low", "high"):
            a = base[f"{name}_{end}"] / base[name]
            b = scaled[f"{name}_{end}"] / scaled[name]
            np.testing.assert_allclose(a, b, rtol=1e-9, equal_nan=True)


def test_c000010_roas_interval_is_the_same_in_usd_and_cents():
    frame = DATA.collaborations
    usd = compute(frame, "roas", by="creator_id", ci="auto").table.set_index("creator_id")
    cents = compute(_rescaled(frame, 100.0), "roas", by="creator_id", ci="auto").table
    cents = cents.set_index("creator_id")
    row, row_c = usd.loc["c000010"], cents.loc["c000010"]
    assert row["roas"] == pytest.approx(1.578896, abs=1e-6)
    assert row["roas_low"] == pytest.approx(row_c["roas_low"], rel=1e-12)
    assert row["roas_high"] == pytest.approx(row_c["roas_high"], rel=1e-12)
    # two collaborations: t with one degree of freedom, so the interval is very wide
    assert row["roas_n"] == 2
    assert row["roas_high"] / row["roas"] > 100


@pytest.mark.parametrize(
    ("name", "y", "x", "scale"),
    [
        ("ctr", "clicks", "views", "log"),
        ("like_rate", "likes", "views", "logit"),
        ("cvr", "orders", "clicks", "log"),
    ],
)
@pytest.mark.parametrize("level", [0.8, 0.95])
def test_cluster_bounds_follow_the_documented_transform_with_t(name, y, x, scale, level):
    frame = synthetic(seed=3, n_creators=150, n_events=500).content
    res = compute(frame, name, by="creator_id", ci="cluster", level=level).table
    ref = _reference(frame, y, x, scale, level)
    ours = res.set_index("creator_id")
    np.testing.assert_allclose(ours[name], ref["value"], rtol=1e-12, equal_nan=True)
    inside = (ref["value"] > 0) & (ref["value"] < (1 if scale == "logit" else np.inf))
    np.testing.assert_allclose(ours[f"{name}_low"][inside], ref["low"][inside], rtol=1e-9)
    np.testing.assert_allclose(ours[f"{name}_high"][inside], ref["high"][inside], rtol=1e-9)
    assert res.attrs == {}
    assert ours.index.tolist() == ref.index.tolist()


def test_roi_uses_the_identity_scale_with_t():
    frame = DATA.collaborations
    res = compute(frame, "roi", by="creator_id", ci="cluster")
    assert get("roi").interval_scale == "identity"
    assert res.method.parameters["intervals"]["roi"]["scale"] == "identity"
    table = res.table
    several = table["roi_n"] >= 2
    assert table.loc[several, "roi_low"].notna().all()
    assert (table.loc[~several, "roi_low"].isna()).all()


@settings(deadline=None, max_examples=40)
@given(
    posts=st.lists(
        st.tuples(st.integers(1, 10_000), st.integers(0, 500), st.floats(0.0, 1e4)),
        min_size=2,
        max_size=12,
    ),
    factor=st.sampled_from([1.0, 100.0, 16_000.0]),
)
def test_cluster_standard_error_equals_delta_method_over_posts(posts, factor):
    views, clicks, gmv = (np.array(v, dtype=float) for v in zip(*posts, strict=True))
    clicks = np.minimum(clicks, views)
    frame = pd.DataFrame({"views": views, "clicks": clicks, "gmv": gmv * factor})
    res = compute(frame, ["ctr", "gpm"], ci="cluster").table.iloc[0]
    m = len(views)
    for name, y, x in (("ctr", clicks, views), ("gpm", 1000 * gmv * factor, views)):
        r = y.sum() / x.sum()
        se = np.sqrt(m / (m - 1) * ((y - r * x) ** 2).sum()) / x.sum()
        t = stats.t.ppf(0.975, m - 1)
        if r > 0 and se > 0:
            assert res[f"{name}_high"] == pytest.approx(r * np.exp(t * se / r), rel=1e-9)
            assert res[f"{name}_low"] == pytest.approx(r * np.exp(-t * se / r), rel=1e-9)
        assert res[f"{name}_low"] >= 0 or np.isnan(res[f"{name}_low"])


def test_bounds_respect_the_range_on_real_sized_data():
    """GPM, CVR and CTR lower bounds went below zero for hundreds of creators."""
    table = compute(DATA.content, ["gpm", "cvr", "ctr", "like_rate"], by="creator_id", ci="auto")
    t = table.table
    for name in ("gpm", "cvr", "ctr", "like_rate"):
        low = t[f"{name}_low"].dropna()
        assert (low >= 0).all(), name
    assert (t["like_rate_high"].dropna() <= 1).all()


def test_a_zero_estimate_keeps_zero_as_its_lower_bound():
    frame = pd.DataFrame({"views": [100, 200, 300], "clicks": [0, 0, 0]})
    row = compute(frame, "ctr", ci="cluster").table.iloc[0]
    assert row["ctr_low"] == 0.0
    assert np.isnan(row["ctr_high"])


def test_one_post_gets_nan_and_a_note_under_cluster():
    frame = pd.DataFrame({"creator_id": ["a", "b", "b"], "views": [100, 200, 300]})
    frame["likes"] = [10, 20, 25]
    res = compute(frame, "like_rate", by="creator_id", ci="cluster")
    table = res.table
    assert np.isnan(table.loc[0, "like_rate_low"])
    assert np.isnan(table.loc[0, "like_rate_high"])
    assert table.loc[1, "like_rate_low"] < table.loc[1, "like_rate"]
    notes = {n.code: n for n in res.warnings}
    assert notes["single_row"].count == 1
    assert "one post" in notes["single_row"].message


def test_auto_is_cluster_for_several_posts_and_trial_based_for_one():
    frame = synthetic(seed=5, n_creators=120, n_events=500).content
    frame = pd.concat([frame, frame.tail(1).assign(creator_id="zz_one_post")], ignore_index=True)
    auto = compute(frame, ["like_rate", "ctr"], by="creator_id", ci="auto")
    cluster = compute(frame, ["like_rate", "ctr"], by="creator_id", ci="cluster").table
    wilson = compute(frame, "like_rate", by="creator_id", ci="wilson").table
    poisson = compute(frame, "ctr", by="creator_id", ci="poisson").table
    table = auto.table
    several = table["like_rate_n"] >= 2
    assert several.any()
    assert (~several).any()
    for name, single in (("like_rate", wilson), ("ctr", poisson)):
        for end in ("low", "high"):
            column = f"{name}_{end}"
            np.testing.assert_allclose(table.loc[several, column], cluster.loc[several, column])
            np.testing.assert_allclose(table.loc[~several, column], single.loc[~several, column])
    note = next(n for n in auto.warnings if n.code == "single_row_fallback")
    assert note.count == int((~several).sum())
    assert "ignores post-to-post" in note.message


def test_auto_gives_money_metrics_with_one_row_nan_and_a_note():
    frame = DATA.collaborations
    res = compute(frame, "roas", by="creator_id", ci="auto")
    table = res.table
    single = table["roas_n"] == 1
    assert table.loc[single, "roas_low"].isna().all()
    note = next(n for n in res.warnings if n.code == "single_row")
    assert note.count == int(single.sum()) == 701
    assert "one collaboration" in note.message


def test_two_posts_use_t_with_one_degree_of_freedom_not_the_normal():
    frame = pd.DataFrame({"views": [1000.0, 1000.0], "clicks": [10.0, 30.0]})
    row = compute(frame, "ctr", ci="cluster").table.iloc[0]
    r, se = 0.02, np.sqrt(2 * (100 + 100)) / 2000  # residuals −10 and +10
    # scipy's t quantile is accurate to ~1e-10 on older releases (1.12)
    assert row["ctr_high"] == pytest.approx(r * np.exp(12.706204736174698 * se / r), rel=1e-9)


def test_level_is_recorded_and_changes_the_width():
    frame = DATA.content
    wide = compute(frame, "ctr", by="creator_id", ci="auto", level=0.99)
    narrow = compute(frame, "ctr", by="creator_id", ci="auto", level=0.8)
    assert wide.method.parameters["level"] == 0.99
    width = lambda r: (r.table["ctr_high"] - r.table["ctr_low"]).dropna()  # noqa: E731
    assert (width(wide) > width(narrow)).all()


def test_summary_without_moments_refuses_auto_clearly():
    summary = ck.metrics.summarize(DATA.content, "ctr", by="creator_id")
    with pytest.raises(ck.ValidationError, match="moments=True"):
        summary.compute(ci="auto")
    assert summary.compute(ci="poisson").table["ctr_low"].notna().all()


def test_summary_compute_equals_compute_with_auto():
    frame = DATA.content.head(3000)
    summary = ck.metrics.summarize(frame, ["ctr", "gpm"], by="creator_id", moments=True)
    a = summary.compute(ci="auto")
    b = compute(frame, ["ctr", "gpm"], by="creator_id", ci="auto")
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.warnings == b.warnings
    assert a.method.parameters["intervals"] == b.method.parameters["intervals"]


def test_order_lines_are_the_units_of_order_metrics():
    res = compute(DATA.orders, "refund_rate", by="creator_id", ci="auto")
    plan = res.method.parameters["intervals"]["refund_rate"]
    assert plan["unit"] == "order lines"
    assert plan["scale"] == "log"
