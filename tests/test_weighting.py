"""creatorkit.weighting: reference cases, pymcdm fixtures, AHP, results and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit import weighting as wt
from creatorkit.errors import ValidationError
from creatorkit.testing import check_result

FIXTURES = json.loads((Path(__file__).parent / "fixtures/weighting/pymcdm.json").read_text())
CASES = {case["name"]: case for case in FIXTURES["cases"]}

HY = np.array(CASES["hwang_yoon"]["matrix"])
HY.setflags(write=False)  # shared by the tests: a view that writes to it fails loudly
HY_BENEFIT = [True, True, True, False, True, True]
HY_WEIGHTS = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]


def _benefit(case):
    return [t > 0 for t in case["types"]]


# --- DESIGN §13: Hwang & Yoon ---------------------------------------------------------


def test_hwang_yoon_vector_normalization():
    got = wt.topsis(HY, HY_WEIGHTS, HY_BENEFIT)
    np.testing.assert_allclose(got, [0.6433, 0.2684, 0.6135, 0.3123], atol=5e-5)


def test_hwang_yoon_minmax_normalization():
    got = wt.topsis(HY, HY_WEIGHTS, HY_BENEFIT, normalization="minmax")
    np.testing.assert_allclose(got, [0.6127, 0.3660, 0.5306, 0.3517], atol=5e-5)


def test_topsis_cost_by_word_equals_cost_by_false():
    words = ["benefit", "benefit", "benefit", "cost", "benefit", "benefit"]
    np.testing.assert_array_equal(
        wt.topsis(HY, HY_WEIGHTS, words), wt.topsis(HY, HY_WEIGHTS, HY_BENEFIT)
    )


def test_topsis_on_a_normalized_matrix_does_not_normalize_again():
    normalized = wt.normalize(HY, "vector", benefit=HY_BENEFIT)
    again = wt.topsis(normalized, HY_WEIGHTS, normalization=None)
    np.testing.assert_allclose(again, wt.topsis(HY, HY_WEIGHTS, HY_BENEFIT), rtol=1e-12)
    raw_cost = wt.topsis(wt.normalize(HY, "vector"), HY_WEIGHTS, HY_BENEFIT, normalization=None)
    np.testing.assert_allclose(raw_cost, wt.topsis(HY, HY_WEIGHTS, HY_BENEFIT), rtol=1e-12)


# --- pymcdm 1.4.0 fixtures (matrices with cost criteria) ------------------------------


def test_fixtures_were_made_by_the_pinned_pymcdm():
    assert FIXTURES["pymcdm"] == "1.4.0"


@pytest.mark.parametrize("name", sorted(CASES))
def test_entropy_equals_pymcdm(name):
    case = CASES[name]
    np.testing.assert_allclose(wt.entropy(case["matrix"]).weights, case["entropy"], rtol=1e-10)


@pytest.mark.parametrize("name", sorted(CASES))
def test_critic_equals_pymcdm_when_all_criteria_are_benefits(name):
    case = CASES[name]
    np.testing.assert_allclose(wt.critic(case["matrix"]).weights, case["critic"], rtol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_critic_honours_cost_criteria(name):
    """pymcdm ignores cost criteria; an independent CRITIC on inverted columns is the truth."""
    case = CASES[name]
    x = pd.DataFrame(case["matrix"], dtype=float)
    benefit = _benefit(case)
    r = (x - x.min()) / (x.max() - x.min())
    for j, b in enumerate(benefit):
        if not b:
            r[j] = 1 - r[j]
    info = r.std(ddof=0) * (1 - r.corr(method="pearson")).sum()
    expected = (info / info.sum()).to_numpy()
    got = wt.critic(case["matrix"], benefit).weights
    np.testing.assert_allclose(got, expected, rtol=1e-10)
    assert np.abs(got - np.array(case["critic"])).max() > 0.01


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize(
    ("normalization", "key"), [("vector", "topsis_vector"), ("minmax", "topsis_minmax")]
)
def test_topsis_equals_pymcdm(name, normalization, key):
    case = CASES[name]
    got = wt.topsis(case["matrix"], case["weights"], _benefit(case), normalization=normalization)
    np.testing.assert_allclose(got, case[key], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize(("v", "key"), [(0.5, "vikor_q"), (0.3, "vikor_q_v0.3")])
def test_vikor_q_equals_pymcdm(name, v, key):
    case = CASES[name]
    got = wt.vikor(case["matrix"], case["weights"], _benefit(case), v=v)
    np.testing.assert_allclose(got.q, case[key], rtol=1e-12, atol=1e-15)
    assert got.s.shape == got.r.shape == got.q.shape


@pytest.mark.parametrize("name", sorted(CASES))
def test_std_is_taken_on_normalized_values_not_raw(name):
    case = CASES[name]
    x = np.array(case["matrix"])
    r = (x - x.min(0)) / (x.max(0) - x.min(0))
    expected = r.std(0) / r.std(0).sum()
    np.testing.assert_allclose(wt.std(x).weights, expected, rtol=1e-12)
    assert not np.allclose(wt.std(x).weights, case["std_raw"], atol=1e-3)


# --- AHP --------------------------------------------------------------------------------

PAIRWISE = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]


def test_ahp_textbook_case_literal_numbers():
    res = wt.ahp(PAIRWISE)
    np.testing.assert_allclose(res.weights, [0.637, 0.258, 0.105], atol=5e-4)
    assert res.lambda_max == pytest.approx(3.0385, abs=5e-5)
    assert res.consistency_index == pytest.approx(0.0193, abs=5e-5)
    assert res.random_index == 0.58
    assert res.random_index_table == "saaty1980"
    assert res.consistency_ratio == pytest.approx(0.0332, abs=5e-5)
    assert res.consistency_ratio == pytest.approx(res.consistency_index / 0.58, rel=1e-12)
    check_result(res)


def test_ahp_weights_equal_pymcdm_and_cr_differs_only_by_the_ri_table():
    res = wt.ahp(FIXTURES["ahp"]["pairwise"])
    np.testing.assert_allclose(res.weights, FIXTURES["ahp"]["weights"], rtol=1e-9)
    ri_pymcdm = res.consistency_index / FIXTURES["ahp"]["cr"]  # Tummala & Ling (1998)
    assert 0.57 < ri_pymcdm < 0.58


def test_ahp_consistent_matrix_has_cr_zero_and_ratio_weights():
    w = np.array([0.5, 0.3, 0.2])
    res = wt.ahp(w[:, None] / w[None, :])
    np.testing.assert_allclose(res.weights, w, rtol=1e-12)
    assert res.consistency_ratio == pytest.approx(0.0, abs=1e-12)


def test_ahp_custom_random_index_table():
    res = wt.ahp(PAIRWISE, random_index=[0, 0, 0.52])
    assert res.random_index_table == "custom"
    assert res.consistency_ratio == pytest.approx(res.consistency_index / 0.52)


@pytest.mark.parametrize(
    ("pairwise", "match"),
    [
        ([[1, 3], [3, 1]], "reciprocal"),
        ([[1, 0.33, 5], [3, 1, 3], [0.2, 1 / 3, 1]], "give 1/3"),
        ([[1, -2], [-0.5, 1]], "positive"),
        ([[2, 1], [1, 1]], "diagonal"),
        ([[1, 2, 3]], "square"),
        (np.ones((11, 11)), "stops at 10"),
    ],
)
def test_ahp_refuses_bad_pairwise_matrices(pairwise, match):
    with pytest.raises(ValidationError, match=match):
        wt.ahp(pairwise)


def test_ahp_unknown_table_has_did_you_mean():
    with pytest.raises(ValidationError, match="Did you mean 'saaty1980'"):
        wt.ahp(PAIRWISE, random_index="saaty1908")


# --- judgement methods ------------------------------------------------------------------


def test_manual_normalizes_with_a_note_and_names_criteria():
    res = wt.manual({"ctr": 2, "gpm": 1, "cvr": 1})
    assert res.weights.tolist() == [0.5, 0.25, 0.25]
    assert res.criteria == ("ctr", "gpm", "cvr")
    assert [n.code for n in res.warnings] == ["weights_normalized"]
    assert not wt.manual([0.5, 0.5]).warnings


def test_roc_and_rank_sum_literal_values():
    np.testing.assert_allclose(wt.roc([1, 2, 3, 4]).weights, [25 / 48, 13 / 48, 7 / 48, 3 / 48])
    np.testing.assert_allclose(wt.rank_sum([1, 2, 3, 4]).weights, [0.4, 0.3, 0.2, 0.1])
    np.testing.assert_allclose(wt.roc({"a": 2, "b": 1}).weights, [0.25, 0.75])


def test_tied_ranks_share_the_positions_they_occupy():
    tied = wt.roc([1, 1, 3]).weights
    full = wt.roc([1, 2, 3]).weights
    np.testing.assert_allclose(tied, [(full[0] + full[1]) / 2] * 2 + [full[2]])


def test_equal_and_blend():
    assert wt.equal(4).weights.tolist() == [0.25] * 4
    obj = wt.entropy(HY)
    mixed = wt.blend([1 / 6] * 6, obj, alpha=0.4)
    np.testing.assert_allclose(mixed.weights, 0.4 / 6 + 0.6 * obj.weights, rtol=1e-12)


def test_weight_results_honour_the_result_contract_and_pass_as_weights():
    for res in (
        wt.entropy(HY),
        wt.critic(HY, HY_BENEFIT),
        wt.std(HY),
        wt.manual([1, 2]),
        wt.roc([1, 2]),
    ):
        check_result(res)
        json.dumps(res.to_dict(), allow_nan=False)
    crit = wt.critic(HY, HY_BENEFIT)
    assert crit.correlation.shape == (6, 7)
    assert crit.method.parameters["correlation"] == "pearson"
    np.testing.assert_array_equal(
        wt.topsis(HY, crit, HY_BENEFIT), wt.topsis(HY, crit.weights, HY_BENEFIT)
    )


# --- constant columns -------------------------------------------------------------------


@pytest.mark.parametrize("method", [wt.entropy, wt.critic, wt.std])
def test_constant_column_gets_weight_zero_with_a_note(method):
    x = HY.copy()
    x[:, 2] = 7.0
    res = method(x)
    assert res.weights[2] == 0.0
    assert abs(res.weights.sum() - 1) < 1e-12
    assert np.isfinite(res.weights).all()
    assert ("constant_criterion", "2") in {(n.code, n.subject) for n in res.warnings}


@pytest.mark.parametrize("method", [wt.entropy, wt.critic, wt.std])
def test_all_constant_columns_fall_back_to_equal_weights(method):
    res = method(np.ones((4, 3)))
    assert res.weights.tolist() == [1 / 3] * 3
    assert "equal_weights" in {n.code for n in res.warnings}


def test_entropy_accepts_zeros_where_pymcdm_refuses_them():
    res = wt.entropy([[0.0, 1.0], [2.0, 3.0], [4.0, 3.0]])
    p = np.array([0.0, 2.0, 4.0]) / 6
    e0 = -(p[1:] * np.log(p[1:])).sum() / np.log(3)
    q = np.array([1.0, 3.0, 3.0]) / 7
    e1 = -(q * np.log(q)).sum() / np.log(3)
    np.testing.assert_allclose(res.weights, np.array([1 - e0, 1 - e1]) / (2 - e0 - e1))


# --- aggregators: contributions ---------------------------------------------------------


@pytest.mark.parametrize("method", ["weighted_sum", "weighted_product", "topsis", "vikor"])
def test_contributions_sum_to_the_score(method):
    options = {"normalization": "minmax"} if method in ("weighted_sum", "weighted_product") else {}
    x = HY + 0.5
    scores = wt.aggregate(x, HY_WEIGHTS, HY_BENEFIT, method=method, **options)
    parts = wt.contributions(x, HY_WEIGHTS, HY_BENEFIT, method=method, **options)
    assert parts.shape == x.shape
    np.testing.assert_allclose(parts.sum(axis=1), scores, rtol=1e-12, atol=1e-15)


def test_weighted_sum_contributions_are_exact():
    r = wt.normalize(HY, "minmax", benefit=HY_BENEFIT)
    parts = wt.contributions(r, HY_WEIGHTS)
    np.testing.assert_array_equal(parts, r * np.array(HY_WEIGHTS))
    np.testing.assert_allclose(wt.weighted_sum(r, HY_WEIGHTS), r @ HY_WEIGHTS, rtol=1e-15)


def test_weighted_product_is_the_weighted_geometric_mean():
    r = np.array([[0.5, 0.8], [1.0, 0.25], [0.0, 1.0]])
    got = wt.weighted_product(r, [0.3, 0.7])
    np.testing.assert_allclose(got, [0.5**0.3 * 0.8**0.7, 0.25**0.7, 0.0])


def test_weighted_sum_refuses_cost_criteria_on_an_unnormalized_matrix():
    with pytest.raises(ValidationError, match="normalization="):
        wt.weighted_sum(HY, HY_WEIGHTS, HY_BENEFIT)


# --- sensitivity ------------------------------------------------------------------------


def test_sensitivity_is_deterministic_and_bounded():
    a = wt.sensitivity(HY, HY_WEIGHTS, HY_BENEFIT, draws=300, seed=3)
    b = wt.sensitivity(HY, HY_WEIGHTS, HY_BENEFIT, draws=300, seed=3)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    table = a.to_frame()
    assert table["rank"].tolist() == [1, 4, 2, 3]
    assert table["stable_share"].between(0, 1).all()
    assert table["top_share"].sum() == pytest.approx(1.0)
    check_result(a)


@pytest.mark.parametrize("aggregator", ["weighted_sum", "weighted_product", "topsis", "vikor"])
def test_sensitivity_batch_equals_one_call_per_draw(aggregator):
    options = {"normalization": "minmax"} if aggregator.startswith("weighted") else {}
    res = wt.sensitivity(
        HY + 1, HY_WEIGHTS, HY_BENEFIT, aggregator=aggregator, draws=40, seed=1, k=0, **options
    )
    from creatorkit.weighting._sensitivity import _draw_weights

    drawn = _draw_weights(np.array(HY_WEIGHTS), 40, 0.2, 1)
    better = 1 if aggregator != "vikor" else -1
    base = wt.aggregate(HY + 1, HY_WEIGHTS, HY_BENEFIT, method=aggregator, **options)
    base_top = int(np.argmax(better * base))
    tops = [
        int(np.argmax(better * wt.aggregate(HY + 1, w, HY_BENEFIT, method=aggregator, **options)))
        for w in drawn
    ]
    assert res.top_change_share == pytest.approx(np.mean([t != base_top for t in tops]))


def test_sensitivity_reports_the_nearest_weights_that_change_the_top():
    x = [[1.0, 0.0], [0.0, 1.0]]
    res = wt.sensitivity(x, [0.52, 0.48], aggregator="weighted_sum", draws=500, seed=0)
    assert 0 < res.top_change_share < 1
    assert res.flip_weights is not None
    assert res.flip_weights[1] > res.flip_weights[0]
    stable = wt.sensitivity(
        [[1.0, 1.0], [0.0, 0.0]], [0.5, 0.5], aggregator="weighted_sum", draws=50
    )
    assert stable.flip_weights is None
    assert np.isnan(stable.flip_distance)


# --- bad input --------------------------------------------------------------------------


def test_nan_and_inf_in_the_matrix_are_named_by_row_and_column():
    x = pd.DataFrame(HY.copy(), columns=list("abcdef"), index=["A1", "A2", "A3", "A4"])
    x.loc["A2", "c"] = np.nan
    x.loc["A4", "e"] = np.inf
    with pytest.raises(ValidationError) as info:
        wt.topsis(x, HY_WEIGHTS, HY_BENEFIT)
    cases = info.value.failure_cases
    assert set(zip(cases["column"], cases["row"], strict=True)) == {("c", "A2"), ("e", "A4")}
    arr = HY.copy()
    arr[1, 3] = np.nan
    for call in (wt.entropy, wt.critic, wt.std):
        with pytest.raises(ValidationError, match=r"\['3'\].*rows \[1\]"):
            call(arr)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([0.5, 0.5, 0.5, -0.5, 0, 0], r"\[0, inf\]"),
        ([np.nan] * 6, "finite"),
        ([0] * 6, "all be zero"),
        ([0.5, 0.5], "one weight per criterion"),
        ([0.3] * 6, "sum to 1"),
    ],
)
def test_bad_weights_are_refused(weights, match):
    with pytest.raises(ValidationError, match=match):
        wt.topsis(HY, weights, HY_BENEFIT)


@pytest.mark.parametrize("bad", [-1, [1, -1], [np.nan, 1], [0, 0], []])
def test_manual_refuses_bad_weights(bad):
    with pytest.raises(ValidationError):
        wt.manual(bad)


def test_unknown_direction_is_never_read_as_min():
    with pytest.raises(ValidationError, match="Did you mean 'cost'") as info:
        wt.topsis(HY, HY_WEIGHTS, ["benefit"] * 3 + ["cots"] + ["benefit"] * 2)
    assert info.value.argument == "benefit"
    with pytest.raises(ValidationError, match="must be one of"):
        wt.topsis(HY, HY_WEIGHTS, ["max"] * 3 + ["min"] + ["max"] * 2)
    with pytest.raises(ValidationError, match="True"):
        wt.critic(HY, [1, 1, 1, -1, 1, 1])


def test_unknown_normalizer_has_did_you_mean():
    with pytest.raises(ValidationError, match="Did you mean 'minmax'"):
        wt.normalize([1.0, 2.0], "minmx")
    with pytest.raises(ValidationError, match="Did you mean 'vector'"):
        wt.topsis(HY, HY_WEIGHTS, HY_BENEFIT, normalization="vectr")


@pytest.mark.parametrize(
    "matrix", [[], [[]], np.empty((0, 3)), [[1.0, 2.0]], [1.0, 2.0], "x", None]
)
def test_empty_one_alternative_and_flat_matrices_are_refused(matrix):
    for call in (wt.entropy, wt.critic, lambda m: wt.topsis(m, [1.0], None)):
        with pytest.raises(ValidationError):
            call(matrix)


def test_text_and_booleans_in_the_matrix_are_refused():
    with pytest.raises(ValidationError, match="numeric"):
        wt.entropy([["1", "x"], ["2", "3"]])
    with pytest.raises(ValidationError, match="True/False"):
        wt.entropy(np.array([[True, False], [False, True]]))


def test_entropy_refuses_negative_values():
    with pytest.raises(ValidationError, match="non-negative"):
        wt.entropy([[1.0, -1.0], [2.0, 3.0]])


def test_inputs_are_not_changed():
    x = HY.copy()
    frame = pd.DataFrame(HY)
    wt.topsis(x, HY_WEIGHTS, HY_BENEFIT)
    wt.critic(x, HY_BENEFIT)
    wt.normalize(frame, "percentile", benefit=HY_BENEFIT)
    np.testing.assert_array_equal(x, HY)
    pd.testing.assert_frame_equal(frame, pd.DataFrame(HY))


# --- registries and conformance ---------------------------------------------------------


def test_every_builtin_passes_its_conformance_check():
    for name in wt.normalizers:
        options = {"target": 40.0} if name == "kpi" else {}
        ck.testing.check_normalizer(wt.normalizers.get(name), **options)
    for name in wt.weight_methods:
        ck.testing.check_weight_method(wt.weight_methods.get(name))
    for name in wt.aggregators:
        ck.testing.check_aggregator(wt.aggregators.get(name))


def test_a_custom_normalizer_registers_and_a_broken_one_fails_its_check():
    reg = ck.registry.Registry("normalizer", check=wt.normalizers._check)

    def rank_share(x, benefit, codes):
        return wt.normalizers.get("percentile").function(x, benefit, codes)

    reg.register("mine", wt.Normalizer(name="mine", function=rank_share))
    ck.testing.check_normalizer(reg.get("mine"))

    def ignores_direction(x, benefit, codes):
        return x / x.max(axis=0)

    with pytest.raises(AssertionError, match="not monotone"):
        ck.testing.check_normalizer(wt.Normalizer(name="bad", function=ignores_direction))
    with pytest.raises(ValidationError, match="must be a Normalizer"):
        wt.normalizers.register("oops", ignores_direction)  # type: ignore[arg-type]


def test_custom_aggregator_through_the_registry_name():
    def best_criterion(r, w, **_):
        return (r * w).max(axis=1)

    name = "test_best_criterion"
    wt.aggregators.register(name, wt.Aggregator(name=name, score=best_criterion), replace=True)
    try:
        got = wt.aggregate([[0.2, 0.9], [0.5, 0.5]], [0.5, 0.5], method=name)
        np.testing.assert_allclose(got, [0.45, 0.25])
        res = wt.sensitivity([[0.2, 0.9], [0.5, 0.5]], [0.5, 0.5], aggregator=name, draws=5)
        assert res.to_frame()["rank"].tolist() == [1, 2]
        ck.testing.check_aggregator(wt.aggregators.get(name))
    finally:
        wt.aggregators.unregister(name)


def test_weighting_is_a_lazy_subpackage():
    assert "weighting" in ck.__all__
    assert ck.weighting is wt


def test_ahp_with_one_or_two_criteria_is_always_consistent():
    two = wt.ahp([[1, 4], [0.25, 1]])
    np.testing.assert_allclose(two.weights, [0.8, 0.2])
    assert two.consistency_ratio == 0.0
    assert wt.ahp([[1]]).weights.tolist() == [1.0]


def test_weighted_product_refuses_negative_normalized_values():
    with pytest.raises(ValidationError, match="non-negative"):
        wt.weighted_product(HY, HY_WEIGHTS, HY_BENEFIT, normalization="zscore")


def test_topsis_of_identical_alternatives_is_one_half():
    assert wt.topsis(np.ones((3, 2)), [0.5, 0.5]).tolist() == [0.5, 0.5, 0.5]


def test_contributions_of_an_aggregator_without_attribution_are_refused():
    name = "test_no_attribution"
    wt.aggregators.register(name, wt.Aggregator(name=name, score=lambda r, w, **_: r @ w))
    try:
        with pytest.raises(ValidationError, match="no attribution"):
            wt.contributions([[0.1, 0.2], [0.3, 0.4]], [0.5, 0.5], method=name)
    finally:
        wt.aggregators.unregister(name)


def test_unknown_aggregator_option_and_sensitivity_limits():
    with pytest.raises(ValidationError, match="no option 'vv'"):
        wt.aggregate(HY, HY_WEIGHTS, HY_BENEFIT, method="vikor", vv=0.3)
    with pytest.raises(ValidationError, match="fewer draws"):
        wt.sensitivity(np.ones((100_000, 2)) + np.arange(2), [0.5, 0.5], draws=1000)
