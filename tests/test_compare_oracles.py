"""Comparisons checked against statsmodels (a test oracle in the dev extra)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit import compare

sm_prop = pytest.importorskip("statsmodels.stats.proportion")
sm_multi = pytest.importorskip("statsmodels.stats.multitest")
sm_power = pytest.importorskip("statsmodels.stats.power")
scipy_stats = pytest.importorskip("scipy.stats")


def _random_arms(seed, k=6):
    rng = np.random.default_rng(seed)
    n = rng.integers(20, 5000, k)
    x = rng.binomial(n, rng.uniform(0.02, 0.6, k))
    return x, n


@pytest.mark.parametrize("seed", range(5))
def test_z_tests_and_intervals_equal_statsmodels(seed):
    x, n = _random_arms(seed)
    pooled = compare.proportions(x, n, test="z_pooled").to_frame().iloc[1:]
    unpooled = compare.proportions(x, n, test="z_unpooled").to_frame().iloc[1:]
    agresti = compare.proportions(x, n, interval="agresti_caffo", lift="log").to_frame().iloc[1:]
    for row, i in zip(range(len(pooled)), range(1, len(x)), strict=True):
        z, p = sm_prop.proportions_ztest([x[i], x[0]], [n[i], n[0]])
        assert pooled["p_value"].iloc[row] == pytest.approx(p, rel=1e-10, abs=1e-14)
        assert pooled["statistic"].iloc[row] == pytest.approx(z, rel=1e-10)
        wald = sm_prop.test_proportions_2indep(
            x[i], n[i], x[0], n[0], method="wald", correction=False
        )
        assert unpooled["p_value"].iloc[row] == pytest.approx(wald.pvalue, rel=1e-9, abs=1e-14)
        low, high = sm_prop.confint_proportions_2indep(x[i], n[i], x[0], n[0], method="newcomb")
        assert pooled["ci_low"].iloc[row] == pytest.approx(low, rel=1e-9, abs=1e-12)
        assert pooled["ci_high"].iloc[row] == pytest.approx(high, rel=1e-9, abs=1e-12)
        low, high = sm_prop.confint_proportions_2indep(
            x[i], n[i], x[0], n[0], method="agresti-caffo"
        )
        assert agresti["ci_low"].iloc[row] == pytest.approx(low, rel=1e-9, abs=1e-12)
        assert agresti["ci_high"].iloc[row] == pytest.approx(high, rel=1e-9, abs=1e-12)
        low, high = sm_prop.confint_proportions_2indep(
            x[i], n[i], x[0], n[0], compare="ratio", method="log"
        )
        assert agresti["lift_low"].iloc[row] == pytest.approx(low - 1, rel=1e-9, abs=1e-12)
        assert agresti["lift_high"].iloc[row] == pytest.approx(high - 1, rel=1e-9, abs=1e-12)


@given(
    st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=12),
    st.sampled_from(["holm", "bonferroni", "bh"]),
)
def test_multiplicity_equals_statsmodels(p, method):
    p = np.array(p)
    mapped = {"holm": "holm", "bonferroni": "bonferroni", "bh": "fdr_bh"}[method]
    expected = sm_multi.multipletests(p, method=mapped)[1]
    np.testing.assert_allclose(compare.adjust(p, method), expected, rtol=1e-12, atol=1e-15)


def test_power_and_sample_size_equal_statsmodels():
    power = sm_power.NormalIndPower()
    for p0, mde, n in [(0.05, 0.01, 8000), (0.2, -0.03, 1500), (0.5, 0.05, 300)]:
        h = 2 * np.arcsin(np.sqrt(p0 + mde)) - 2 * np.arcsin(np.sqrt(p0))
        assert float(compare.power_proportions(p0, mde, n)) == pytest.approx(
            power.power(h, n, 0.05), rel=1e-10
        )
        assert float(compare.sample_size_proportions(p0, mde)) == pytest.approx(
            power.solve_power(h, power=0.8, alpha=0.05), rel=1e-6
        )
    assert float(compare.sample_size_means(1.0, 10.0, ratio=2.0)) == pytest.approx(
        power.solve_power(0.1, power=0.8, alpha=0.05, ratio=2.0), rel=1e-6
    )
    assert float(
        compare.mde_proportions(0.05, compare.sample_size_proportions(0.05, 0.01))
    ) == pytest.approx(0.01, rel=1e-6)


def test_summary_comparisons_from_rows():
    data = ck.datasets.synthetic(seed=0, n_creators=200, n_events=500).orders
    data = data[data["currency"] == data["currency"].mode()[0]]  # money in one currency
    data = data.assign(
        arm=data["attribution"].astype(str), refunded=(data["refunds"] > 0).astype(int)
    )
    summary = compare.summarize(data, arm="arm", metrics={"refunded": "refunded", "gmv": "gmv"})
    res = summary.proportions("refunded", control="organic")
    g = data.groupby("arm")["refunded"].agg(["sum", "count"])
    _, p = sm_prop.proportions_ztest(
        [g.loc["paid", "sum"], g.loc["organic", "sum"]],
        [g.loc["paid", "count"], g.loc["organic", "count"]],
    )
    assert res.to_frame()["p_value"].iloc[1] == pytest.approx(p, rel=1e-10)
    welch = summary.means("gmv", control="organic").to_frame()
    _, p = scipy_stats.ttest_ind(
        data.loc[data["arm"] == "paid", "gmv"],
        data.loc[data["arm"] == "organic", "gmv"],
        equal_var=False,
    )
    assert welch["p_value"].iloc[1] == pytest.approx(p, rel=1e-8)
