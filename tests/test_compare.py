import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit import compare
from creatorkit.metrics import column_metric

scipy_stats = pytest.importorskip("scipy.stats")


def _row(res, i=1):
    return res.to_frame().iloc[i]


# --- design guide reference cases -------------------------------------------------------------


def test_two_proportions_reference():
    res = compare.proportions([42, 500], [104, 1009])
    assert _row(res)["p_value"] == pytest.approx(0.074866, abs=5e-7)


def test_welch_reference_from_sums():
    rows = pd.DataFrame(
        {
            "arm": ["control", "treatment"],
            "x__n": [3407, 3461],
            "x__num": [1396.87, 2422.7],
            "x__num2": [52377.9767, 134698.29],
        }
    )
    x = column_metric("x", "x")
    res = ck.summaries.from_sums(rows, [x], by="arm").means("x", control="control")
    row = _row(res)
    assert row["estimate"] == pytest.approx(0.29, abs=1e-9)
    assert row["ci_low"] == pytest.approx(0.04538, abs=5e-6)
    assert row["ci_high"] == pytest.approx(0.53462, abs=5e-6)
    assert row["p_value"] == pytest.approx(0.02016, abs=5e-6)


def test_ratio_reference():
    res = compare.ratios(
        [1966, 2034],
        [94605.79858780127, 99673.9364269569],
        [936, 947],
        [10463129.505392816, 11298745.182728939],
        [936, 947],
        [94605.79858780127, 99673.9364269569],
    )
    table = res.to_frame()
    assert table["value"].round(4).tolist() == [101.0746, 105.2523]
    row = table.iloc[1]
    assert row["lift"] == pytest.approx(0.041333, abs=5e-7)
    assert row["lift_se"] == pytest.approx(0.014051, abs=5e-7)
    assert row["p_value"] == pytest.approx(0.003264, abs=5e-7)
    assert row["estimate"] == pytest.approx(4.17774, abs=5e-6)
    assert row["se"] == pytest.approx(1.38926, abs=5e-6)


# --- random cases against statsmodels and scipy ------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_exact_and_chi2_tests_equal_scipy(seed):
    rng = np.random.default_rng(seed)
    n = rng.integers(3, 60, 8)
    n[1] = n[0]  # symmetric tables produce ties in the hypergeometric pmf
    x = rng.binomial(n, rng.uniform(0.05, 0.95, 8))
    fisher = compare.proportions(x, n, test="fisher").to_frame().iloc[1:]
    chi2 = compare.proportions(x, n, test="chi2").to_frame().iloc[1:]
    for row, i in enumerate(range(1, len(x))):
        table = [[x[i], n[i] - x[i]], [x[0], n[0] - x[0]]]
        assert fisher["p_value"].iloc[row] == pytest.approx(
            scipy_stats.fisher_exact(table).pvalue, rel=1e-9
        )
        if min(np.sum(table, axis=0)) > 0:
            expected = scipy_stats.chi2_contingency(table, correction=True).pvalue
            assert chi2["p_value"].iloc[row] == pytest.approx(expected, rel=1e-9)


def test_barnard_equals_scipy():
    res = compare.proportions([3, 9], [12, 13], test="barnard").to_frame()
    expected = scipy_stats.barnard_exact([[9, 3], [4, 9]]).pvalue
    assert res["p_value"].iloc[1] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_welch_equals_scipy(seed):
    rng = np.random.default_rng(seed)
    n = rng.integers(2, 400, 5)
    mean = rng.normal(10, 3, 5)
    std = rng.uniform(0.5, 8, 5)
    res = compare.means(n, mean, std, alpha=0.1).to_frame().iloc[1:]
    for row, i in enumerate(range(1, 5)):
        t, p = scipy_stats.ttest_ind_from_stats(
            mean[i], std[i], n[i], mean[0], std[0], n[0], equal_var=False
        )
        assert res["p_value"].iloc[row] == pytest.approx(p, rel=1e-10)
        assert res["statistic"].iloc[row] == pytest.approx(t, rel=1e-10)
        v1, v0 = std[i] ** 2 / n[i], std[0] ** 2 / n[0]
        df = (v1 + v0) ** 2 / (v1**2 / (n[i] - 1) + v0**2 / (n[0] - 1))
        half = scipy_stats.t.ppf(0.95, df) * np.sqrt(v1 + v0)
        assert res["ci_high"].iloc[row] == pytest.approx(mean[i] - mean[0] + half, rel=1e-10)


def test_srm_equals_scipy_chisquare():
    res = compare.srm([5000, 5230, 4900], expected=[1, 1, 1]).to_frame()
    expected = scipy_stats.chisquare([5000, 5230, 4900])
    assert res["statistic"].item() == pytest.approx(expected.statistic)
    assert res["p_value"].item() == pytest.approx(expected.pvalue)
    assert bool(compare.srm([5000, 5600]).to_frame()["mismatch"].item())


# --- Bayesian -----------------------------------------------------------------------------------


def test_bayes_beat_control_exact_vs_monte_carlo_and_quadrature():
    res = compare.bayes_proportions([40, 60, 45], [1000, 1000, 900]).to_frame()
    rng = np.random.default_rng(0)
    draws = np.stack(
        [rng.beta(1 + x, 1 + n - x, 400_000) for x, n in [(40, 1000), (60, 1000), (45, 900)]]
    )
    beat = (draws[1:] > draws[0]).mean(axis=1)
    np.testing.assert_allclose(res["chance_to_beat_control"].iloc[1:], beat, atol=3e-3)
    best = np.bincount(draws.argmax(axis=0), minlength=3) / draws.shape[1]
    np.testing.assert_allclose(res["chance_to_be_best"], best, atol=3e-3)
    loss = (draws.max(axis=0)[None, :] - draws).mean(axis=1)
    np.testing.assert_allclose(res["expected_loss"], loss, atol=2e-4)
    two = compare.bayes_proportions([40, 60], [1000, 1000]).to_frame()
    assert two["chance_to_be_best"].iloc[1] == pytest.approx(
        two["chance_to_beat_control"].iloc[1], abs=1e-6
    )
    assert res["chance_to_be_best"].sum() == pytest.approx(1.0, abs=1e-6)


def test_bayes_non_integer_prior_uses_quadrature():
    a = compare.bayes_proportions([40, 60], [1000, 1000], prior=(0.5, 0.5)).to_frame()
    b = compare.bayes_proportions([40, 60], [1000, 1000], prior=(1, 1)).to_frame()
    assert a["chance_to_beat_control"].iloc[1] == pytest.approx(
        b["chance_to_beat_control"].iloc[1], abs=2e-3
    )


# --- summaries ------------------------------------------------------------------------------


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.integers(0, 1),
            st.floats(0, 500, allow_nan=False),
            st.integers(1, 4),
        ),
        min_size=6,
        max_size=40,
    ),
    st.data(),
)
def test_merged_summaries_equal_the_whole(rows, data):
    df = pd.DataFrame(rows, columns=["arm", "bought", "revenue", "orders"])
    cut = data.draw(st.integers(1, len(df) - 1))
    spec = {"bought": "bought", "revenue": "revenue", "rpo": ("revenue", "orders")}
    whole = compare.summarize(df, arm="arm", metrics=spec)
    parts = compare.summarize(df.iloc[:cut], arm="arm", metrics=spec) + compare.summarize(
        df.iloc[cut:], arm="arm", metrics=spec
    )
    pd.testing.assert_frame_equal(
        whole.table, parts.table, check_exact=False, rtol=1e-9, check_dtype=False
    )


def test_winsorize_and_trim_report_the_cut():
    df = pd.DataFrame({"arm": ["A"] * 50 + ["B"] * 50, "revenue": np.arange(100.0)})
    w = compare.summarize(df, arm="arm", metrics="revenue", winsorize=0.1)
    assert w.warnings[0].code == "winsorized"
    assert w.warnings[0].count == 10
    assert "89.1" in w.warnings[0].message
    t = compare.summarize(df, arm="arm", metrics="revenue", trim=0.1)
    assert t.table["revenue__n"].tolist() == [50, 40]
    assert [n.code for n in t.warnings] == ["trimmed"]


# --- structure, verdicts, degenerate and bad input --------------------------------------------


def test_result_contract_and_vocabulary():
    res = compare.proportions(
        [40, 60, 55], [1000, 1000, 1000], labels=["A", "B", "C"], randomized=False
    )
    ck.testing.check_result(res)
    table = res.to_frame()
    assert list(table.columns[:5]) == ["metric", "arm", "versus", "n", "value"]
    for column in ("estimate", "ci_low", "ci_high", "p_value", "p_adjusted", "verdict"):
        assert column in table
    assert np.isnan(table.loc[0, "p_value"])
    assert table.loc[0, "verdict"] == "control"
    assert [n.code for n in res.warnings] == ["not_randomized"]
    assert res.method.parameters["test"] == "z_pooled"
    assert res.method.parameters["correction"] == "holm"


def test_all_pairs():
    res = compare.proportions(
        [40, 60, 55], [1000, 1000, 1000], labels=["A", "B", "C"], comparisons="all_pairs"
    )
    pairs = res.to_frame().dropna(subset=["p_value"])[["arm", "versus"]].values.tolist()
    assert pairs == [["B", "A"], ["C", "A"], ["C", "B"]]


def test_fieller_interval_agrees_with_unpooled_test():
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = rng.integers(50, 3000, 2)
        x = rng.binomial(n, rng.uniform(0.05, 0.5, 2))
        res = compare.proportions(x, n, test="z_unpooled", lift="fieller").to_frame().iloc[1]
        if np.isnan(res["lift_low"]) or np.isnan(res["p_value"]):
            continue
        excludes = res["lift_low"] > 0 or res["lift_high"] < 0
        assert excludes == (res["p_value"] < 0.05)


def test_needs_n_from_declared_effect_only():
    res = compare.proportions([50, 55], [1000, 1000], mde=0.01).to_frame()
    needed = compare.sample_size_proportions(0.05, 0.01)
    assert res["needs_n"].iloc[1] == np.ceil(needed) - 1000
    same = compare.proportions([50, 90], [1000, 1000], mde=0.01).to_frame()
    assert same["needs_n"].iloc[1] == res["needs_n"].iloc[1]


def test_degenerate_arms_give_nan_with_a_note():
    res = compare.proportions([0, 5, 10], [0, 10, 10], labels=["A", "B", "C"], control="B")
    table = res.to_frame()
    assert np.isnan(table.loc[table["arm"] == "A", "p_value"]).all()
    assert {n.code for n in res.warnings} == {"zero_trials", "degenerate_lift"}
    flat = compare.proportions([10, 10], [10, 10])
    assert {n.code for n in flat.warnings} == {"degenerate", "degenerate_lift"}
    assert compare.means([1, 5], [1.0, 2.0], [0.0, 1.0]).warnings[0].code == "low_sample"


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: compare.proportions([5, 11], [10, 10]), "must not exceed trials"),
        (lambda: compare.proportions([-1, 1], [10, 10]), ">= 0"),
        (lambda: compare.proportions([1.5, 1], [10, 10]), "whole number"),
        (lambda: compare.proportions([1], [10]), "at least two arms"),
        (
            lambda: compare.proportions([1, 2], [10, 10], control="Z", labels=["A", "B"]),
            "must be one of",
        ),
        (lambda: compare.proportions([1, 2], [10, 10], alpha=1.5), "alpha"),
        (lambda: compare.proportions([1, 2], [10, 10], test="z_pooledd"), "Did you mean"),
        (lambda: compare.means([10, 10], [1.0, 2.0], [-1.0, 1.0]), ">= 0"),
        (
            lambda: compare.ratios(
                [10, 10], [5.0, 5.0], [2.0, 2.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]
            ),
            "impossible",
        ),
        (lambda: compare.proportions([1, 2], [10, 10], labels=["A", "A"]), "unique"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ck.ValidationError, match=match):
        call()


def test_summary_from_table_rejects_impossible_sums():
    rows = pd.DataFrame(
        {"arm": ["A", "B"], "x__n": [10, 10], "x__num": [50.0, 5.0], "x__num2": [10.0, 5.0]}
    )
    with pytest.raises(ck.ValidationError, match="impossible"):
        ck.summaries.from_sums(rows, [column_metric("x", "x")], by="arm")


def test_combine_metrics():
    a = compare.proportions([40, 60], [1000, 1000], metric="cvr")
    b = compare.ratios(
        [100, 100],
        [500.0, 600.0],
        [1000.0, 1000.0],
        [3000.0, 4200.0],
        known_denominator=True,
        metric="roas",
    )
    res = compare.combine([a, b])
    assert res.to_frame()["metric"].tolist() == ["cvr", "cvr", "roas", "roas"]
    ck.testing.check_result(res)


def test_ratio_with_zero_denominator_is_nan_with_note():
    res = compare.ratios([10, 10], [5.0, 5.0], [0.0, 2.0], [3.0, 3.0], [0.0, 1.0], [0.0, 1.0])
    assert np.isnan(res.to_frame()["p_value"].iloc[1])
    assert [n.code for n in res.warnings] == ["degenerate"]
