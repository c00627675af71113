import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit.datasets import synthetic
from creatorkit.metrics import economics


def test_commission_floor_is_a_maximum_not_an_addition():
    assert economics.commission([0.0, 1000.0, 5000.0], 0.1, 200.0).tolist() == [200.0, 200.0, 500.0]
    with pytest.raises(ck.ValidationError, match="commission_rate"):
        economics.commission(100.0, 1.5)
    with pytest.raises(ck.ValidationError, match=">= 0"):
        economics.commission(-1.0, 0.1)


def test_with_costs_fills_missing_commission_only():
    df = pd.DataFrame(
        {
            "gmv": [1000.0, 1000.0],
            "commission_rate": [0.1, 0.1],
            "guaranteed_minimum": [0.0, 300.0],
            "commission": [np.nan, 50.0],
            "fixed_fee": [20.0, 0.0],
        }
    )
    out = economics.with_costs(df)
    assert out["commission"].tolist() == [100.0, 50.0]
    assert out["cost"].tolist() == [120.0, 50.0]
    assert np.isnan(df.loc[0, "commission"])  # input unchanged
    assert economics.total_cost(df).tolist() == [120.0, 50.0]


def test_break_even_pure_cps_and_with_minimum():
    # 10,000 GMV, 40% margin, 1,000 other costs: (4000 - 1000) / 10000
    assert float(
        economics.break_even_commission(10_000.0, 0.4, other_costs=1000.0)
    ) == pytest.approx(0.3)
    # 10% refunds: (10000 * 0.9 * 0.4 - 1000) / 10000 = 0.26
    assert float(
        economics.break_even_commission(10_000.0, 0.4, other_costs=1000.0, refund_rate=0.1)
    ) == pytest.approx(0.26)
    # a floor that alone loses money: no break-even rate
    assert np.isnan(
        economics.break_even_commission(
            10_000.0, 0.4, other_costs=1000.0, guaranteed_minimum=3500.0
        )
    )
    # a floor that fits: the same rate as pure CPS
    assert float(
        economics.break_even_commission(
            10_000.0, 0.4, other_costs=1000.0, guaranteed_minimum=2000.0
        )
    ) == pytest.approx(0.3)
    # costs above contribution: none
    assert np.isnan(economics.break_even_commission(1000.0, 0.1, other_costs=500.0))
    rates = economics.break_even_commission(np.array([10_000.0, 0.0]), 0.4)
    assert rates[0] == pytest.approx(0.4)
    assert np.isnan(rates[1])


def test_contribution_by_creator():
    collabs = synthetic(seed=1, n_creators=200, n_events=500).collaborations
    res = economics.contribution(collabs).table.set_index("creator_id")
    full = economics.with_costs(collabs)
    expected = (
        ((full["gmv"] - full["refunds"]) * full["margin"] - full["cost"])
        .groupby(full["creator_id"])
        .sum()
    )
    np.testing.assert_allclose(
        res["contribution_margin"], expected.loc[res.index], rtol=1e-9, atol=1e-9
    )


def test_emv_needs_explicit_rates():
    df = pd.DataFrame(
        {
            "views": [20_000],
            "likes": [1000],
            "comments": [10],
            "shares": [5],
            "saves": [50],
            "clicks": [100],
        }
    )
    res = economics.emv(df, cpm=5.0, values={"like": 0.05, "click": 0.3}).table
    assert res["emv_cpm"].item() == 100.0
    assert res["emv_actions"].item() == pytest.approx(80.0)
    with pytest.raises(ck.ValidationError, match="no standard"):
        economics.emv(df)
    with pytest.raises(ck.ValidationError, match="must be one of"):
        economics.emv(df, values={"likes": 0.1})


def _orders():
    return pd.DataFrame(
        {
            "gmv": [350.0, 700.0, 10.0],
            "refunds": [0.0, 70.0, 0.0],
            "currency": ["THB", "THB", "USD"],
            "ordered_at": pd.to_datetime(
                ["2026-05-02 23:30", "2026-05-20 10:00", "2026-05-02 11:00"]
            ).tz_localize("Asia/Bangkok"),
            "settled_at": pd.to_datetime(["2026-05-25", "2026-06-10", "2026-05-25"]).tz_localize(
                "Asia/Bangkok"
            ),
        }
    )


def _fx():
    return pd.DataFrame(
        {
            "date": ["2026-05-02", "2026-05-20", "2026-05-25", "2026-06-10"],
            "currency": ["THB"] * 4,
            "rate": [1 / 35, 1 / 35, 1 / 34, 1 / 36],
        }
    )


def test_convert_by_order_date_uses_local_calendar_date():
    out = economics.convert(_orders(), _fx(), to="USD")
    np.testing.assert_allclose(out["gmv"], [10.0, 20.0, 10.0])
    np.testing.assert_allclose(out["refunds"], [0.0, 2.0, 0.0])
    assert out["currency"].tolist() == ["USD"] * 3
    assert _orders()["currency"].tolist() == ["THB", "THB", "USD"]


def test_convert_policies():
    settle = economics.convert(_orders(), _fx(), to="USD", policy="settlement_date")
    np.testing.assert_allclose(settle["gmv"], [350 / 34, 700 / 36, 10.0])
    monthly = economics.convert(
        _orders(), _fx(), to="USD", policy="monthly_average", columns=["gmv"]
    )
    may = np.mean([1 / 35, 1 / 35, 1 / 34])
    np.testing.assert_allclose(monthly["gmv"], [350 * may, 700 * may, 10.0])


def test_missing_rate_is_an_error_listing_pairs():
    fx = _fx().iloc[1:]
    with pytest.raises(ck.ValidationError) as info:
        economics.convert(_orders(), fx, to="USD")
    assert info.value.codes == ("missing_rate",)
    assert "THB@2026-05-02" in str(info.value)
    with pytest.raises(ck.ValidationError, match="Did you mean 'order_date'"):
        economics.convert(_orders(), _fx(), to="USD", policy="order_dat")


def test_convert_then_sum_across_currencies():
    data = synthetic(seed=0, n_creators=100, n_events=500)
    with pytest.raises(ck.ValidationError, match="several currencies"):
        ck.metrics.compute(data.orders, "net_gmv")
    usd = economics.convert(data.orders, data.fx_rates, to="USD")
    total = ck.metrics.compute(usd, "net_gmv", as_of=data.as_of).table["net_gmv"].item()
    assert total > 0
