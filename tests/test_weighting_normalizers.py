"""weighting.normalize against independent formulas (pandas, scipy), within peer groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from creatorkit import weighting as wt
from creatorkit.errors import ValidationError

RNG = np.random.default_rng(12)
VALUES = RNG.gamma(2.0, 50.0, 300).round(0)  # ties included
GROUPS = RNG.choice(["ID/beauty", "TH/home", "VN/beauty", "MY/food"], 300)


def _by_group(function):
    frame = pd.DataFrame({"v": VALUES, "g": GROUPS})
    return frame.groupby("g")["v"].transform(function).to_numpy()


def test_percentile_equals_pandas_rank_pct_within_groups():
    got = wt.normalize(VALUES, "percentile", groups=GROUPS)
    expected = pd.Series(VALUES).groupby(GROUPS).rank(pct=True).to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_percentile_of_a_cost_is_the_descending_rank():
    got = wt.normalize(VALUES, "percentile", benefit=False, groups=GROUPS)
    expected = (-pd.Series(VALUES)).groupby(GROUPS).rank(pct=True).to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_zscore_equals_scipy_within_groups():
    got = wt.normalize(VALUES, "zscore", groups=GROUPS)
    np.testing.assert_allclose(got, _by_group(lambda s: stats.zscore(s.to_numpy())), rtol=1e-12)
    cost = wt.normalize(VALUES, "zscore", benefit="cost")
    np.testing.assert_allclose(cost, -stats.zscore(VALUES), rtol=1e-12)


def test_robust_equals_median_and_normal_scaled_mad():
    def robust(s):
        x = s.to_numpy()
        return (x - np.median(x)) / stats.median_abs_deviation(x, scale="normal")

    got = wt.normalize(VALUES, "robust", groups=GROUPS)
    np.testing.assert_allclose(got, _by_group(robust), rtol=1e-9)


def test_minmax_log_vector_sum_max_within_groups():
    cases = {
        "minmax": lambda s: (s - s.min()) / (s.max() - s.min()),
        "log": lambda s: (
            (np.log1p(s) - np.log1p(s).min()) / (np.log1p(s).max() - np.log1p(s).min())
        ),
        "vector": lambda s: s / np.sqrt((s**2).sum()),
        "sum": lambda s: s / s.sum(),
        "max": lambda s: s / s.max(),
    }
    for method, formula in cases.items():
        got = wt.normalize(VALUES, method, groups=GROUPS)
        np.testing.assert_allclose(got, _by_group(formula), rtol=1e-12, err_msg=method)


def test_cost_forms_follow_pymcdm():
    x = np.array([4.0, 1.0, 2.0, 8.0])
    np.testing.assert_allclose(wt.normalize(x, "minmax", benefit=False), (8 - x) / 7)
    np.testing.assert_allclose(
        wt.normalize(x, "vector", benefit=False), 1 - x / np.sqrt((x**2).sum())
    )
    np.testing.assert_allclose(wt.normalize(x, "sum", benefit=False), (1 / x) / (1 / x).sum())
    np.testing.assert_allclose(wt.normalize(x, "max", benefit=False), 1 - x / 8)


def test_kpi_attainment_is_capped():
    x = np.array([50.0, 100.0, 150.0, 0.0])
    np.testing.assert_allclose(wt.normalize(x, "kpi", target=100.0), [0.5, 1.0, 1.0, 0.0])
    np.testing.assert_allclose(wt.normalize(x, "kpi", target=100.0, cap=1.2), [0.5, 1.0, 1.2, 0.0])
    cpa = np.array([5.0, 10.0, 20.0, 0.0])  # cost per order against a target of 10
    np.testing.assert_allclose(
        wt.normalize(cpa, "kpi", benefit="cost", target=10.0), [1.0, 1.0, 0.5, 1.0]
    )
    with pytest.raises(ValidationError, match="target"):
        wt.normalize(x, "kpi")
    with pytest.raises(ValidationError, match="no option 'targte'"):
        wt.normalize(x, "kpi", targte=1.0)


def test_constant_groups_get_documented_values_without_warnings():
    x = np.array([3.0, 3.0, 3.0])
    assert wt.normalize(x, "minmax").tolist() == [0.5] * 3
    assert wt.normalize(x, "zscore").tolist() == [0.0] * 3
    assert wt.normalize(x, "robust").tolist() == [0.0] * 3
    assert wt.normalize(x, "percentile").tolist() == [2 / 3] * 3
    assert wt.normalize(np.zeros(2), "sum").tolist() == [0.5, 0.5]
    assert wt.normalize(np.zeros(2), "vector").tolist() == [0.0, 0.0]


def test_matrix_frames_and_series_keep_their_shape_and_labels():
    frame = pd.DataFrame({"gmv": [10.0, 20.0, 30.0], "cpa": [3.0, 1.0, 2.0]}, index=["a", "b", "c"])
    out = wt.normalize(frame, "minmax", benefit=["benefit", "cost"])
    assert list(out.columns) == ["gmv", "cpa"]
    assert list(out.index) == ["a", "b", "c"]
    assert out["cpa"].tolist() == [0.0, 1.0, 0.5]
    series = wt.normalize(frame["gmv"], "percentile")
    assert series.name == "gmv"
    assert list(series.index) == ["a", "b", "c"]


def test_groups_from_a_frame_of_keys_and_missing_keys_form_their_own_group():
    keys = pd.DataFrame({"tier": ["a", "a", "b", "b", None], "market": ["x", "x", "x", "x", "x"]})
    got = wt.normalize([1.0, 2.0, 3.0, 5.0, 9.0], "minmax", groups=keys)
    assert got.tolist() == [0.0, 1.0, 0.0, 1.0, 0.5]


def test_huge_values_do_not_overflow_the_vector_norm():
    got = wt.normalize([1e200, 1e200], "vector")
    np.testing.assert_allclose(got, [2**-0.5, 2**-0.5])


@pytest.mark.parametrize(
    ("values", "options", "match"),
    [
        ([1.0, np.nan], {}, "missing"),
        ([1.0, np.inf], {}, "finite"),
        ([1.0, -1.0], {"method": "log"}, ">= 0"),
        ([1.0, 0.0], {"method": "sum", "benefit": False}, "> 0"),
        ([], {}, "at least one"),
        (["a", "b"], {}, "numeric"),
        ([1.0, 2.0], {"groups": ["a"]}, "one label per row"),
        ([1.0, 2.0], {"benefit": "min"}, "must be one of"),
    ],
)
def test_bad_values_are_refused(values, options, match):
    method = options.pop("method", "minmax")
    with pytest.raises(ValidationError, match=match):
        wt.normalize(values, method, **options)


@settings(deadline=None, max_examples=60)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.0, 1.0, 2.5, -3.0, 1e300, -1e300, 1e16, 1e16 + 2]),
            st.integers(0, 4),
        ),
        min_size=1,
        max_size=40,
    ),
    st.booleans(),
)
def test_percentile_within_groups_equals_pandas_rank_with_ties(rows, benefit):
    values = np.array([v for v, _ in rows])
    labels = np.array([f"g{g}" for _, g in rows])
    got = wt.normalize(values, "percentile", benefit=benefit, groups=labels)
    by = pd.Series(values).groupby(labels)
    rank, size = by.rank().to_numpy(), by.transform("size").to_numpy()
    want = rank / size if benefit else (size + 1 - rank) / size
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


def test_zscore_of_equal_values_is_zero_despite_rounding_noise():
    """0.1 × 3 has a float std of 1.4e-17: it is no spread, not a z of ±1."""
    assert wt.normalize([0.1] * 3, "zscore").tolist() == [0.0, 0.0, 0.0]
    got = wt.normalize([0.1, 0.1, 0.1, 1.0, 2.0], "zscore", groups=list("aaabb"))
    assert got.tolist() == [0.0, 0.0, 0.0, -1.0, 1.0]


@pytest.mark.parametrize("method", ["vector", "max"])
def test_a_zero_cost_column_scores_one(method):
    assert wt.normalize([0.0, 0.0], method, benefit=False).tolist() == [1.0, 1.0]
    assert wt.normalize([0.0, 0.0], method).tolist() == [0.0, 0.0]


def test_critic_notes_its_fallback_when_varying_criteria_are_redundant():
    for matrix, benefit in (([[1, 1], [2, 2], [3, 3.0]], None),
                            ([[2, 4], [2, 4], [4, 2], [3, 3]], ["benefit", "cost"])):  # fmt: skip
        res = wt.critic(matrix, benefit)
        assert res.weights.tolist() == [0.5, 0.5]
        assert [n.code for n in res.warnings] == ["equal_weights"]
