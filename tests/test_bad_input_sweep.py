"""Only ValidationError escapes: bad values that used to raise KeyError, TypeError, IndexError,
AttributeError, MemoryError or a numpy RuntimeWarning from public functions."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import creatorkit as ck
from creatorkit import compare, funnel
from creatorkit.errors import ValidationError
from creatorkit.metrics import economics

GMV = {"views": 1000.0, "ctr": 0.1, "cvr": 0.1, "aov": 10.0}

CASES = {
    "pace: text actual": (
        lambda: funnel.pace("x", 2.0, start="2026-01-01", end="2026-02-01", as_of="2026-01-10"),
        "actual",
    ),
    "pace: lengths": (
        lambda: funnel.pace(
            [1.0, 2.0], [3.0, 4.0, 5.0], start="2026-01-01", end="2026-02-01", as_of="2026-01-10"
        ),
        "actual",
    ),
    "commission: lengths": (lambda: economics.commission([1.0, 2.0], [0.1, 0.2, 0.3]), "gmv"),
    "power_proportions: text": (lambda: compare.power_proportions("x", 0.1, 100), "p0"),
    "power_proportions: n < 0": (lambda: compare.power_proportions(0.1, 0.02, -5), "n"),
    "power_means: std 0": (lambda: compare.power_means(0.1, 0.0, 100), "std"),
    "KPITree.evaluate: missing factor": (lambda: funnel.GMV_TREE.evaluate({"views": 1}), "values"),
    "bayes: prior a number": (
        lambda: compare.bayes_proportions([1, 2], [10, 10], prior=1.0),
        "prior",
    ),
    "bayes: prior of one": (
        lambda: compare.bayes_proportions([1, 2], [10, 10], prior=(1,)),
        "prior",
    ),
    "summarize: pair of one": (
        lambda: compare.summarize(
            pd.DataFrame({"a": ["A", "B"], "x": [1, 2]}), arm="a", metrics={"x": ("x",)}
        ),
        "metrics",
    ),
    "solve_target: tree as text": (
        lambda: funnel.solve_target(GMV, 10, ["views"], tree="gmv"),
        "tree",
    ),
    "combine: not results": (lambda: compare.combine([1]), "results"),
    "barnard: large counts": (
        lambda: compare.proportions([400_000, 500_000], [1_000_000, 1_000_000], test="barnard"),
        "test",
    ),
    "means: near 1e308": (lambda: compare.means([10, 10], [1e308, 1e308], [1e308, 1e308]), "mean"),
    "from_events: mode None": (
        lambda: funnel.from_events(
            pd.DataFrame(
                {
                    "user_id": ["u"],
                    "event": ["A"],
                    "timestamp": pd.to_datetime([0], unit="s", utc=True),
                }
            ),
            ["A"],
            window="1h",
            mode=None,
        ),
        "mode",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_raises_a_validation_error_naming_the_argument(case):
    call, argument = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy RuntimeWarning fails the test too
        with pytest.raises(ValidationError) as info:
            call()
    assert info.value.argument == argument
    assert info.value.codes


def test_fixed_offset_time_zone_in_the_sweep():
    with pytest.raises(ValidationError):
        ck.datasets.synthetic(seed=0, as_of="2026-06-30")  # naive


def test_errors_name_arguments_of_the_call():
    with pytest.raises(ValidationError) as info:
        compare.proportions([1], [10])
    assert info.value.argument == "successes"
    with pytest.raises(ValidationError) as info:
        compare.means([10], [1.0], [1.0])
    assert info.value.argument == "n"
    with pytest.raises(ValidationError) as info:
        compare.proportions([1, 2], [10, 10], correction="holmes")
    assert info.value.argument == "correction"
    assert "Did you mean 'holm'" in str(info.value)
    assert compare.adjust([0.01, 0.04]).round(2).tolist() == [0.02, 0.04]  # holm by default
    with pytest.raises(ValidationError) as info:
        compare.adjust([0.5, 2.0])
    assert info.value.argument == "p"
