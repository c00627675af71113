"""One-sided alternatives and the comparison fixes of issue 10, against scipy/statsmodels."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit import compare

scipy_stats = pytest.importorskip("scipy.stats")
sm_prop = pytest.importorskip("statsmodels.stats.proportion")
sm_power = pytest.importorskip("statsmodels.stats.power")

SM = {"greater": "larger", "less": "smaller", "two-sided": "two-sided"}
SIDES = ["two-sided", "greater", "less"]


def _row(res, i=1):
    return res.to_frame().iloc[i]


def _cases(seed, k=20):
    rng = np.random.default_rng(seed)
    n = rng.integers(20, 3000, size=(k, 2))
    p = rng.uniform(0.02, 0.6, size=(k, 2))
    x = rng.binomial(n, p)
    return x, n


# --- tests equal scipy / statsmodels one-sided results --------------------------------------


@pytest.mark.parametrize("alternative", SIDES)
def test_z_tests_one_sided_equal_statsmodels(alternative):
    x, n = _cases(1)
    for (x1, x0), (n1, n0) in zip(x, n, strict=True):
        pooled = _row(compare.proportions([x0, x1], [n0, n1], alternative=alternative))
        want = sm_prop.proportions_ztest([x1, x0], [n1, n0], alternative=SM[alternative])[1]
        assert pooled["p_value"] == pytest.approx(want, rel=1e-9, abs=1e-12)
        wald = _row(
            compare.proportions([x0, x1], [n0, n1], alternative=alternative, test="z_unpooled")
        )
        ref = sm_prop.test_proportions_2indep(
            x1,
            n1,
            x0,
            n0,
            method="wald",
            compare="diff",
            alternative=SM[alternative],
            correction=False,
        )
        assert wald["p_value"] == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("alternative", SIDES)
def test_fisher_and_barnard_one_sided_equal_scipy(alternative):
    rng = np.random.default_rng(2)
    for _ in range(15):
        n1, n0 = rng.integers(1, 40, size=2)
        x1, x0 = rng.integers(0, n1 + 1), rng.integers(0, n0 + 1)
        res = _row(compare.proportions([x0, x1], [n0, n1], test="fisher", alternative=alternative))
        table = [[x1, n1 - x1], [x0, n0 - x0]]
        want = scipy_stats.fisher_exact(table, alternative=alternative).pvalue
        assert res["p_value"] == pytest.approx(want, rel=1e-9, abs=1e-12)
    for x1, n1, x0, n0 in [(7, 12, 2, 11), (3, 9, 6, 10), (0, 5, 4, 8)]:
        res = _row(compare.proportions([x0, x1], [n0, n1], test="barnard", alternative=alternative))
        table = [[x1, x0], [n1 - x1, n0 - x0]]
        want = scipy_stats.barnard_exact(table, alternative=alternative).pvalue
        assert res["p_value"] == pytest.approx(want, rel=1e-9, abs=1e-12)


def test_chi2_is_two_sided_only():
    with pytest.raises(ck.ValidationError, match="alternative"):
        compare.proportions([3, 9], [40, 40], test="chi2", alternative="greater")


@pytest.mark.parametrize("alternative", SIDES)
def test_welch_one_sided_equals_scipy(alternative):
    rng = np.random.default_rng(3)
    for _ in range(10):
        a = rng.normal(10, 3, size=rng.integers(3, 60))
        b = rng.normal(11, 5, size=rng.integers(3, 60))
        res = _row(
            compare.means(
                [len(a), len(b)],
                [a.mean(), b.mean()],
                [a.std(ddof=1), b.std(ddof=1)],
                alternative=alternative,
                alpha=0.1,
            )
        )
        ref = scipy_stats.ttest_ind(b, a, equal_var=False, alternative=alternative)
        assert res["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
        low, high = ref.confidence_interval(0.9)
        assert res["ci_low"] == pytest.approx(low, rel=1e-9)
        assert res["ci_high"] == pytest.approx(high, rel=1e-9)


# --- one-sided intervals --------------------------------------------------------------------


@pytest.mark.parametrize("interval", ["newcombe", "agresti_caffo"])
def test_one_sided_difference_bound_equals_statsmodels(interval):
    method = {"newcombe": "newcomb", "agresti_caffo": "agresti-caffo"}[interval]
    x, n = _cases(4)
    for (x1, x0), (n1, n0) in zip(x, n, strict=True):
        low, high = sm_prop.confint_proportions_2indep(
            x1, n1, x0, n0, method=method, compare="diff", alpha=0.10
        )
        up = _row(compare.proportions([x0, x1], [n0, n1], interval=interval, alternative="greater"))
        assert up["ci_low"] == pytest.approx(low, rel=1e-9, abs=1e-12)
        assert up["ci_high"] == 1.0
        down = _row(compare.proportions([x0, x1], [n0, n1], interval=interval, alternative="less"))
        assert down["ci_high"] == pytest.approx(high, rel=1e-9, abs=1e-12)
        assert down["ci_low"] == -1.0
        assert down["lift_low"] == -1.0


@settings(deadline=None, max_examples=40)
@given(
    st.integers(5, 5000),
    st.integers(5, 5000),
    st.floats(0.05, 0.95),
    st.floats(0.05, 0.95),
    st.floats(0.01, 0.2),
)
def test_one_sided_is_one_side_of_the_two_sided_interval_at_twice_alpha(n1, n0, p1, p0, alpha):
    x1, x0 = round(n1 * p1), round(n0 * p0)
    two = _row(compare.proportions([x0, x1], [n0, n1], alpha=2 * alpha))
    up = _row(compare.proportions([x0, x1], [n0, n1], alpha=alpha, alternative="greater"))
    down = _row(compare.proportions([x0, x1], [n0, n1], alpha=alpha, alternative="less"))
    for name in ("ci_low", "lift_low"):
        assert up[name] == pytest.approx(two[name], rel=1e-12, nan_ok=True)
    for name in ("ci_high", "lift_high"):
        assert down[name] == pytest.approx(two[name], rel=1e-12, nan_ok=True)
    if np.isfinite(two["statistic"]):
        both = _row(compare.proportions([x0, x1], [n0, n1]))["p_value"]
        side = up if two["statistic"] > 0 else down
        assert side["p_value"] == pytest.approx(both / 2, rel=1e-9)
    assert np.isinf(up["lift_high"]) or np.isnan(up["lift_high"])


def test_means_and_ratios_one_sided_intervals_are_open_on_one_side():
    res = _row(compare.means([40, 40], [10.0, 11.0], [3.0, 3.0], alternative="greater"))
    assert np.isfinite(res["ci_low"])
    assert res["ci_high"] == np.inf
    assert res["lift_high"] == np.inf
    sums = ([100, 100], [500.0, 600.0], [1000.0, 1000.0], [4000.0, 5000.0])
    more = ([12000.0, 12000.0], [6000.0, 7000.0])
    for test in ("delta", "t"):
        down = _row(compare.ratios(*sums, *more, test=test, alternative="less"))
        assert down["ci_low"] == -np.inf
        assert np.isfinite(down["ci_high"])
        assert down["lift_low"] == -np.inf


def test_alternative_is_recorded_and_checked():
    res = compare.proportions([40, 60], [1000, 1000], alternative="greater")
    assert res.method.parameters["alternative"] == "greater"
    with pytest.raises(ck.ValidationError, match="alternative"):
        compare.proportions([40, 60], [1000, 1000], alternative="larger")
    with pytest.raises(ck.ValidationError, match="alpha"):
        compare.means([9, 9], [1.0, 2.0], [1.0, 1.0], alpha=0.6, alternative="less")
    json_ready = compare.means([9, 9], [1.0, 2.0], [1.0, 1.0], alternative="less").to_dict()
    assert json_ready["table"][1]["ci_low"] is None  # −∞ is not JSON: null


# --- power, sample size and MDE equal statsmodels -------------------------------------------


def _h(p1, p0):
    return 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p0))


@pytest.mark.parametrize("alternative", SIDES)
def test_design_helpers_equal_statsmodels(alternative):
    power = sm_power.NormalIndPower()
    rng = np.random.default_rng(5)
    sign = -1.0 if alternative == "less" else 1.0
    for _ in range(10):
        p0 = rng.uniform(0.02, 0.5)
        mde = sign * rng.uniform(0.005, 0.05)
        n, ratio = rng.integers(50, 20000), rng.uniform(0.5, 2.0)
        alpha, target = rng.uniform(0.01, 0.1), rng.uniform(0.6, 0.95)
        h = _h(p0 + mde, p0)
        sm = SM[alternative]
        got = compare.power_proportions(
            p0, mde, n, alpha=alpha, ratio=ratio, alternative=alternative
        )
        want = power.power(h, n, alpha, ratio=ratio, alternative=sm)
        assert float(got) == pytest.approx(want, rel=1e-9)
        got = compare.sample_size_proportions(
            p0, mde, alpha=alpha, power=target, ratio=ratio, alternative=alternative
        )
        want = power.solve_power(h, power=target, alpha=alpha, ratio=ratio, alternative=sm)
        assert float(got) == pytest.approx(want, rel=1e-6)
        reached = power.power(h, float(got), alpha, ratio=ratio, alternative=sm)
        assert reached == pytest.approx(target, rel=1e-9)
        d = compare.mde_means(
            1.0, n, alpha=alpha, power=target, ratio=ratio, alternative=alternative
        )
        want = sm_power.zt_ind_solve_power(
            nobs1=n, alpha=alpha, power=target, ratio=ratio, alternative=sm
        )
        # statsmodels' root finder for the effect stops early (~1e-5); its power at our
        # answer is the target to 1e-9
        assert float(d) == pytest.approx(sign * abs(want), rel=1e-4)
        reached = power.power(float(d), n, alpha, ratio=ratio, alternative=sm)
        assert reached == pytest.approx(target, rel=1e-9)
        got = compare.power_means(
            2.0 * mde, 2.0, n, alpha=alpha, ratio=ratio, alternative=alternative
        )
        assert float(got) == pytest.approx(
            power.power(mde, n, alpha, ratio=ratio, alternative=sm), rel=1e-9
        )
        found = float(
            compare.mde_proportions(
                p0, n, alpha=alpha, power=target, ratio=ratio, alternative=alternative
            )
        )
        if np.isfinite(found):
            achieved = compare.power_proportions(
                p0, found, n, alpha=alpha, ratio=ratio, alternative=alternative
            )
            assert float(achieved) == pytest.approx(target, rel=1e-9)


# --- findings of issue 10 -------------------------------------------------------------------


def test_sentence_states_the_level_of_the_interval():
    res = compare.proportions([40, 60], [1000, 1000], alpha=0.10)
    assert "(90% CI " in res.sentence()
    assert "95%" not in res.sentence()
    low, high = _row(res)[["ci_low", "ci_high"]]
    assert f"{100 * low:+.2f} pp to {100 * high:+.2f} pp" in res.sentence()
    one = compare.means([50, 50], [1.0, 2.0], [2.0, 2.0], alpha=0.01, alternative="greater")
    assert "(99% CI ≥ " in one.sentence()
    both = compare.combine([res, one])
    lines = both.sentence().splitlines()
    assert "(90% CI " in lines[0]
    assert "(99% CI ≥ " in lines[1]


def test_fisher_with_an_empty_arm_is_nan_and_left_out_of_holm():
    res = compare.proportions(
        [0, 3, 9], [0, 20, 20], labels=["A", "B", "C"], control="B", test="fisher"
    )
    table = res.to_frame().set_index("arm")
    assert np.isnan(table.loc["A", "p_value"])
    assert np.isnan(table.loc["A", "p_adjusted"])
    # a family of one: Holm leaves C's p-value as it is
    assert table.loc["C", "p_adjusted"] == table.loc["C", "p_value"]
    want = scipy_stats.fisher_exact([[9, 11], [3, 17]]).pvalue
    assert table.loc["C", "p_value"] == pytest.approx(want, rel=1e-12)
    assert table.loc["A", "verdict"] == "undefined"


def test_lift_divides_by_the_absolute_control():
    res = _row(compare.means([10, 10], [-10.0, -5.0], [1.0, 1.0]))
    assert res["estimate"] == 5.0
    assert res["lift"] == pytest.approx(0.5)
    assert res["verdict"] == "better"
    assert 0 < res["lift_low"] < 0.5 < res["lift_high"]
    worse = _row(compare.means([10, 10], [-10.0, -15.0], [1.0, 1.0]))
    assert worse["lift"] == pytest.approx(-0.5)
    assert worse["lift_high"] < 0
    # ratios with a negative control ratio (a loss per order)
    ratio = _row(
        compare.ratios(
            [50, 50],
            [-500.0, -250.0],
            [100.0, 100.0],
            [6000.0, 2000.0],
            [250.0, 250.0],
            [-1100.0, -600.0],
        )
    )
    assert ratio["estimate"] == pytest.approx(2.5)
    assert ratio["lift"] == pytest.approx(0.5)
    assert ratio["lift_low"] < 0.5 < ratio["lift_high"]


def test_degenerate_lift_interval_is_nan_with_a_note():
    res = compare.proportions([100, 100], [100, 100])
    row = _row(res)
    assert row["ci_low"] == pytest.approx(-row["ci_high"])
    assert row["ci_high"] > 0.03
    assert np.isnan(row["lift_low"])
    assert np.isnan(row["lift_high"])
    assert "degenerate_lift" in {n.code for n in res.warnings}
    one = _row(compare.proportions([5, 0], [100, 100]))
    assert np.isnan(one["lift_low"])
    assert one["lift"] == -1.0


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: compare.mde_proportions(0.05, 0), "n"),
        (lambda: compare.mde_means(10, 0), "n"),
        (lambda: compare.power_means(1, -10, 100), "std"),
        (lambda: compare.mde_means(-10, 100), "std"),
        (lambda: compare.sample_size_means(0, 1), "mde"),
        (lambda: compare.sample_size_proportions(0.05, 0), "mde"),
        (lambda: compare.power_proportions(0.05, 0.0, 100), "mde"),
        (lambda: compare.proportions([40, 60], [1000, 1000], mde=0), "mde"),
        (lambda: compare.means([9, 9], [1.0, 2.0], [1.0, 1.0], mde=0), "mde"),
        (lambda: compare.sample_size_proportions(0.0, 0.01), "p0"),
        (lambda: compare.mde_proportions(1.0, 100), "p0"),
        (lambda: compare.power_proportions(0.0, 0.01, 100), "p0"),
        (lambda: compare.sample_size_means(-1.0, 1.0, alternative="greater"), "mde"),
        (lambda: compare.sample_size_proportions(0.1, 0.01, alternative="less"), "mde"),
        (lambda: compare.sample_size_means(1.0, 1.0, power=0.04), "power"),
        (lambda: compare.mde_means(1.0, 10, power=0.01, alpha=0.05), "power"),
    ],
)
def test_design_helpers_refuse_impossible_inputs(call, argument):
    with pytest.raises(ck.ValidationError) as info:
        call()
    assert info.value.argument == argument


def test_unreachable_mde_is_nan_never_the_search_bound():
    assert np.isnan(compare.mde_proportions(0.99, 10))
    assert np.isnan(compare.mde_proportions(0.01, 10, alternative="less"))
    reachable = compare.mde_proportions([0.5, 0.99], [100, 10])
    assert np.isfinite(reachable[0])
    assert np.isnan(reachable[1])
    # the answer of a reachable case is where the power is reached, not an edge
    d = float(compare.mde_proportions(0.5, 100))
    assert float(compare.power_proportions(0.5, d, 100)) == pytest.approx(0.8, rel=1e-9)
    d = float(compare.mde_means(10.0, 1))
    assert sm_power.NormalIndPower().power(d / 10, 1, 0.05) == pytest.approx(0.8, rel=1e-9)


def test_needs_n_with_an_empty_or_flat_control_is_nan():
    res = compare.proportions([0, 5], [0, 100], mde=0.01).to_frame()
    assert np.isnan(res["needs_n"].iloc[1])
    flat = compare.means([9, 9], [1.0, 2.0], [0.0, 1.0], mde=0.5).to_frame()
    assert np.isnan(flat["needs_n"].iloc[1])
    one = compare.proportions([50, 55], [1000, 1000], mde=0.01, alternative="greater")
    want = compare.sample_size_proportions(0.05, 0.01, alternative="greater")
    assert one.to_frame()["needs_n"].iloc[1] == np.ceil(want) - 1000
