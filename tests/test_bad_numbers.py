"""Numbers at the edges of the float range and of the number line, refused or handled.

Each case failed before: a numpy RuntimeWarning or ComplexWarning reached the user, a
result was silently wrong, or bad money went through ``economics.convert`` unchecked.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit import compare, funnel
from creatorkit.metrics import economics

TINY = 1e-320  # a subnormal float: dividing by it overflows


@pytest.fixture(autouse=True)
def _warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_tiny_denominators_give_limits_without_warnings():
    assert np.isnan(economics.break_even_commission(gmv=TINY, margin=0.4, other_costs=10.0))
    assert float(compare.power_means(1.0, TINY, 100)) == 1.0  # any test detects it
    res = funnel.pace(actual=50.0, target=TINY, start="2026-04-01T00:00Z",
                      end="2026-04-11T00:00Z", as_of="2026-04-06T00:00Z")  # fmt: skip
    assert np.isinf(res.table["attainment"].iloc[0])


def test_a_level_near_zero_gives_the_point_estimate():
    res = funnel.from_counts(pd.DataFrame({"v": [10], "c": [2]}), ["v", "c"], level=TINY)
    row = res.table.iloc[1]
    assert row["conversion_low"] == row["conversion_high"] == pytest.approx(0.2)


def test_wilson_equals_the_textbook_form():
    from creatorkit.metrics._intervals import wilson

    x, n, z = np.array([0.0, 3.0, 10.0]), np.array([10.0, 10.0, 10.0]), 1.959963984540054
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    low, high = wilson(x, n, 0.95)
    np.testing.assert_allclose(low, np.clip(centre - half, 0, 1), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(high, np.clip(centre + half, 0, 1), rtol=1e-12)


@pytest.mark.parametrize("alpha", [TINY, 1e-300, 1e-17])
def test_alpha_whose_level_rounds_to_one_is_refused(alpha):
    with pytest.raises(ck.ValidationError, match=r"(?s)alpha.*1 - alpha rounds to 1"):
        compare.proportions([40, 60], [1000, 1000], alpha=alpha)


def test_an_effect_that_overflows_is_refused_by_name():
    with pytest.raises(ck.ValidationError, match=r"(?s)std.*overflows"):
        compare.sample_size_means(1.0, TINY)


@pytest.mark.parametrize("value", [[1 + 1j], np.array([2.0 + 0j])])
def test_complex_numbers_are_refused(value):
    with pytest.raises(ck.ValidationError, match=r"(?s)gmv.*real numbers"):
        economics.commission(gmv=value, commission_rate=0.1)
    with pytest.raises(ck.ValidationError, match="real numbers"):
        compare.proportions(value * 2, [10, 10])


def test_convert_checks_amounts_like_every_table_and_names_rows():
    orders = pd.DataFrame({
        "gmv": [np.inf, -3.0, np.nan, 10.0], "currency": ["USD"] * 4,
        "ordered_at": pd.to_datetime(["2026-05-02"] * 4, utc=True),
    })  # fmt: skip
    fx = pd.DataFrame({"date": ["2026-05-02"], "currency": ["THB"], "rate": [1 / 35]})
    with pytest.raises(ck.ValidationError) as info:
        economics.convert(orders, fx, to="USD")
    cases = info.value.failure_cases
    assert sorted(zip(cases["row"], cases["code"], strict=True)) == [
        (0, "not_finite"),
        (1, "negative"),
    ]
    kept = economics.convert(orders.iloc[2:], fx, to="USD")  # a missing amount stays missing
    assert kept["gmv"].isna().tolist() == [True, False]


def test_equal_weights_have_an_upper_bound():
    with pytest.raises(ck.ValidationError, match="criteria"):
        ck.weighting.equal(10**12)
    assert len(ck.weighting.equal(3).weights) == 3


@pytest.mark.parametrize("seed", [1.0, np.float64(1.0), np.int32(1)])
def test_a_whole_float_seed_is_the_same_seed(seed):
    a = ck.datasets.synthetic(seed=seed, n_creators=20, n_events=200)
    b = ck.datasets.synthetic(seed=1, n_creators=20, n_events=200)
    pd.testing.assert_frame_equal(a.content, b.content)
