"""No silent wrong values: each case returned a wrong number, or dropped data, without a word."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit import compare, funnel
from creatorkit.errors import ValidationError
from creatorkit.metrics import economics


def test_contribution_keeps_a_cost_the_caller_gave():
    df = pd.DataFrame(
        {
            "creator_id": ["a", "b"],
            "gmv": [1000.0, 500.0],
            "margin": [0.5, 0.5],
            "refunds": [0.0, 0.0],
            "cost": [300.0, np.nan],
            "fixed_fee": [0.0, 100.0],
        }
    )
    res = economics.contribution(df).to_frame().set_index("creator_id")
    assert res.loc["a", "cost"] == 300.0  # it was replaced by the sum of cost items, 0.0
    assert res.loc["b", "cost"] == 100.0  # a missing cost is derived from the items
    given = ck.metrics.compute(df.iloc[[0]], "cost", by="creator_id").table.loc[0, "cost"]
    assert res.loc["a", "cost"] == given


def test_decompose_by_group_refuses_missing_factors_and_duplicate_keys():
    before = pd.DataFrame(
        {
            "creator_id": ["a", "b"],
            "views": [100.0, 200.0],
            "ctr": [0.1, 0.1],
            "cvr": [0.1, 0.2],
            "aov": [10.0, 20.0],
        }
    )
    after = before.drop(columns="aov").assign(views=[150.0, 250.0])
    with pytest.raises(ValidationError, match="aov") as info:
        funnel.decompose(before, after, by="creator_id")
    assert info.value.argument == "after"
    twice = pd.concat([before, before.iloc[[0]]])
    with pytest.raises(ValidationError, match="must be unique"):
        funnel.decompose(twice, before, by="creator_id")


def test_decompose_refuses_one_row_broadcast_over_many():
    before = pd.DataFrame(
        {"views": [100.0, 200.0], "ctr": [0.1, 0.1], "cvr": [0.1, 0.2], "aov": [10.0, 20.0]}
    )
    after = {"views": 150.0, "ctr": 0.1, "cvr": 0.1, "aov": 10.0}
    with pytest.raises(ValidationError, match="same number of rows"):
        funnel.decompose(before, after)


def test_solve_target_refuses_several_rows():
    current = pd.DataFrame(
        {"views": [1000.0, 2000.0, 3000.0], "ctr": [0.1] * 3, "cvr": [0.1] * 3, "aov": [10.0] * 3}
    )
    with pytest.raises(ValidationError, match="one value per factor"):
        funnel.solve_target(current, 2000.0, ["views"])


def test_from_counts_reads_numpy_numbers_as_the_value():
    df = pd.DataFrame({"views": [100], "clicks": [10], "orders": [2]})
    bench = {"clicks": 0.2, "orders": 0.5}
    plain = funnel.from_counts(df, ["views", "clicks", "orders"], value=20, benchmark=bench)
    numpy = funnel.from_counts(
        df, ["views", "clicks", "orders"], value=np.int64(20), benchmark=bench
    )
    pd.testing.assert_frame_equal(plain.table, numpy.table)
    assert plain.table["gmv_opportunity"].tolist()[1:] == [40.0, 60.0]
    with pytest.raises(ValidationError, match="column name, a number"):
        funnel.from_counts(df, ["views", "clicks", "orders"], value=[20])


def test_bayes_proportions_refuses_a_count_as_zero_one():
    rows = pd.DataFrame({"arm": ["A", "A", "B", "B"], "orders": [0, 3, 1, 2]})
    s = compare.summarize(rows, arm="arm", metrics="orders")
    with pytest.raises(ValidationError, match="not a 0/1 column"):
        s.bayes_proportions("orders")
    plain = ck.metrics.summarize(rows.assign(views=1), "orders", by="arm")  # no moments
    with pytest.raises(ValidationError, match="moments=True"):
        plain.proportions("orders")


def test_srm_refuses_repeated_labels():
    with pytest.raises(ValidationError, match="must be unique"):
        compare.srm([100, 120], labels=["a", "a"])
    with pytest.raises(ValidationError, match="one label per arm"):
        compare.srm([100, 120], labels=["a"])


def test_funnel_stages_and_mode_are_checked():
    with pytest.raises(ValidationError, match="a string is one name"):
        funnel.Funnel(stages="abc")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="strict_order"):
        funnel.Funnel(stages=["a", "b"], mode="strict_oder")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="mode"):
        funnel.Funnel(stages=["a", "b"], mode=None)  # type: ignore[arg-type]
    log = pd.DataFrame(
        {"user_id": ["u"], "event": ["a"], "timestamp": pd.to_datetime([0], unit="s", utc=True)}
    )
    with pytest.raises(ValidationError, match="mode"):
        funnel.from_events(log, ["a"], window="1h", mode=None)  # type: ignore[arg-type]
    assert funnel.Funnel(stages=["a", "b"], mode="strict_once").mode == ("strict_once",)
