"""Point in time (restate), reporting currency and LIVE metrics — Data model II."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit.frames import validate
from creatorkit.metrics import compute, restate

DEAL = pd.DataFrame(
    {
        "collaboration_id": ["co1", "co2"],
        "creator_id": ["c1", "c2"],
        "campaign_id": ["k1", "k1"],
        "currency": ["USD", "USD"],
        "fixed_fee": [100.0, 50.0],
        "guaranteed_minimum": [0.0, 0.0],
        "bonus": [0.0, 0.0],
        "sample_cost": [0.0, 0.0],
        "shipping_cost": [0.0, 0.0],
        "ads_spend": [0.0, 0.0],
        "service_fee": [0.0, 0.0],
        "margin": [0.5, 0.5],
        "agreed_at": ["2026-05-01T00:00:00+00:00", "2026-06-05T00:00:00+00:00"],
        "posted_at": ["2026-05-02T00:00:00+00:00", "2026-06-06T00:00:00+00:00"],
    }
)
LINES = pd.DataFrame(
    {
        "order_id": ["o1", "o2", "o3"],
        "line_id": ["1", "1", "1"],
        "sku": ["s", "s", "s"],
        "creator_id": ["c1", "c1", "c1"],
        "campaign_id": ["k1", "k1", "k1"],
        "ordered_at": [
            "2026-05-03T00:00:00+00:00",
            "2026-05-10T00:00:00+00:00",
            "2026-06-02T00:00:00+00:00",
        ],
        "gmv": [200.0, 100.0, 300.0],
        "currency": ["USD", "USD", "USD"],
        "status": ["completed", "refunded", "pending"],
        "settlement_status": ["settled", "refunded", "ordered"],
        "refunds": [0.0, 100.0, 0.0],
        "refunded_at": [None, "2026-05-20T00:00:00+00:00", None],
        "commission_estimated": [20.0, 10.0, 30.0],
        "commission_actual": [18.0, 0.0, None],
        "settled_at": ["2026-05-25T00:00:00+00:00", "2026-05-20T00:00:00+00:00", None],
    }
)
TYPED = validate(LINES, ck.OrderLine).frame


@pytest.mark.parametrize(
    ("as_of", "gmv", "refunds", "commission", "roi", "refund_rate"),
    [
        # o1 and o2 ordered; nothing refunded or settled yet: estimates 20 + 10
        ("2026-05-15T00:00:00+00:00", 300.0, 0.0, 30.0, (150 - 130) / 130, 0.0),
        # o2 refunded (its commission settled at 0), o1 settled at 18
        ("2026-05-31T00:00:00+00:00", 300.0, 100.0, 18.0, (100 - 118) / 118, 1 / 3),
        # o3 ordered, estimated at 30
        ("2026-06-10T00:00:00+00:00", 600.0, 100.0, 48.0, (250 - 148) / 148, 1 / 6),
    ],
)
def test_a_hand_worked_history_restates_at_three_dates(
    as_of, gmv, refunds, commission, roi, refund_rate
):
    res = restate(DEAL, orders=LINES, as_of=as_of)
    table = res.table.set_index("collaboration_id")
    row = table.loc["co1"]
    assert row["gmv"] == gmv
    assert row["refunds"] == refunds
    assert row["commission"] == commission
    values = compute(res.table, ["roi", "refund_rate"], by="collaboration_id").table
    first = values.set_index("collaboration_id").loc["co1"]
    assert first["roi"] == pytest.approx(roi, rel=1e-12)
    assert first["refund_rate"] == pytest.approx(refund_rate, rel=1e-12)


def test_collaborations_agreed_later_are_not_known_yet():
    res = restate(DEAL, orders=LINES, as_of="2026-05-15T00:00:00+00:00")
    assert res.table["collaboration_id"].tolist() == ["co1"]
    assert next(n for n in res.warnings if n.code == "not_agreed_yet").count == 1
    later = restate(DEAL, as_of="2026-06-05T12:00:00+00:00").table.set_index("collaboration_id")
    assert pd.isna(later.loc["co2", "posted_at"])
    deals = validate(DEAL.assign(commission=0.0), ck.Collaboration).frame
    counted = compute(deals, "cost", by="creator_id", as_of="2026-05-15T00:00:00+00:00")
    assert counted.table["cost_n"].tolist() == [1, 0]
    assert any(n.code == "after_as_of" for n in counted.warnings)


def test_open_refund_windows_are_flagged_not_silently_final():
    res = restate(DEAL, orders=LINES, as_of="2026-06-10T00:00:00+00:00", refund_window="30D")
    row = res.table.set_index("collaboration_id").loc["co1"]
    assert row["gmv_refund_window_open"] == 300.0  # o3, ordered 8 days before as_of
    note = next(n for n in res.warnings if n.code == "immature_outcome")
    assert note.count == 1
    assert res.method.parameters["refund_window"] == "30D"


def test_order_lines_in_another_currency_are_refused():
    with pytest.raises(ck.ValidationError, match="convert them first"):
        restate(DEAL, orders=LINES.assign(currency="THB"), as_of="2026-06-10T00:00:00+00:00")


def test_samples_restate_fulfillment():
    samples = pd.DataFrame(
        {
            "sample_id": ["s1", "s2"],
            "collaboration_id": ["co1", "co1"],
            "creator_id": ["c1", "c1"],
            "sku": ["x", "x"],
            "status": ["posted", "received"],
            "shipped_at": ["2026-05-01T00:00:00+00:00"] * 2,
            "received_at": ["2026-05-03T00:00:00+00:00"] * 2,
            "deadline": ["2026-05-10T00:00:00+00:00"] * 2,
            "posted_at": ["2026-05-08T00:00:00+00:00", "2026-05-20T00:00:00+00:00"],
        }
    )
    early = restate(DEAL, samples=samples, as_of="2026-05-12T00:00:00+00:00").table
    late = restate(DEAL, samples=samples, as_of="2026-05-25T00:00:00+00:00").table
    assert early.loc[0, ["samples_received_due", "samples_posted_due"]].tolist() == [2, 1]
    assert late.loc[0, ["samples_posted", "samples_posted_on_time"]].tolist() == [2, 1]
    rate = compute(early, "fulfillment_rate", by="collaboration_id").table["fulfillment_rate"]
    assert rate.tolist()[0] == 0.5


FX = pd.DataFrame(
    {
        "date": ["2026-05-03", "2026-05-10", "2026-06-02"],
        "currency": ["THB", "THB", "THB"],
        "rate": [1 / 35, 1 / 36, 1 / 34],
    }
)


def test_reporting_currency_converts_before_summing():
    lines = TYPED.assign(currency=["THB", "USD", "THB"])
    with pytest.raises(ck.ValidationError, match="several currencies"):
        compute(lines, "net_gmv", by="creator_id")
    res = compute(lines, ["net_gmv", "refund_rate"], by="creator_id", currency="USD", fx=FX)
    expected = 200 / 35 + 100 + 300 / 34 - 100
    assert res.table["net_gmv"].tolist() == [pytest.approx(expected, rel=1e-12)]
    assert res.currency == "USD"
    assert res.method.parameters["currency"] == "USD"


def test_reporting_currency_errors_are_clear():
    lines = TYPED.assign(currency=["THB", "USD", "THB"])
    with pytest.raises(ck.ValidationError, match="no order_date rate"):
        compute(lines, "net_gmv", currency="USD", fx=FX.iloc[:1])
    with pytest.raises(ck.ValidationError, match="needs a dated rate table"):
        compute(lines, "net_gmv", currency="USD")
    with pytest.raises(ck.ValidationError, match="reporting currency"):
        compute(lines, "net_gmv", fx=FX)
    with pytest.raises(ck.ValidationError, match="fx_policy"):
        compute(lines, "net_gmv", currency="USD", fx=FX, fx_policy="today")


def test_summaries_in_different_reporting_currencies_never_merge():
    lines = TYPED.assign(currency=["THB", "USD", "THB"])
    usd = ck.metrics.summarize(lines, "net_gmv", currency="USD", fx=FX)
    thb_fx = FX.assign(currency="USD", rate=[35.0, 36.0, 34.0])
    thb = ck.metrics.summarize(lines, "net_gmv", currency="THB", fx=thb_fx)
    assert usd.options["currency"] == "USD"
    with pytest.raises(ck.ValidationError):
        usd + thb
    assert usd.compute().currency == "USD"


def test_reporting_currency_overhead_is_one_conversion():
    """Converted sums equal converting by hand, then computing."""
    lines = TYPED.assign(currency=["THB", "USD", "THB"])
    by_hand = ck.metrics.economics.convert(lines, FX, to="USD")
    a = compute(by_hand, ["net_gmv", "refund_rate"], by="creator_id").table
    b = compute(lines, ["net_gmv", "refund_rate"], by="creator_id", currency="USD", fx=FX).table
    pd.testing.assert_frame_equal(a, b)


LIVE = pd.DataFrame(
    {
        "creator_id": ["c1", "c1", "c1", "c2"],
        "content_type": ["live", "live", "video", "live"],
        "views": [5000, 8000, 100, 400],
        "gmv": [300.0, 500.0, 10.0, 40.0],
        "duration_seconds": [3600.0, 7200.0, None, 1800.0],
        "viewers": [2000, 3000, None, 300],
        "orders_created": [20, 30, None, 4],
        "orders_paid": [18, 25, None, 4],
        "avg_view_seconds": [60.0, 90.0, None, 30.0],
        "avg_concurrent_viewers": [100.0, 150.0, None, 10.0],
    }
)


def test_live_metrics_by_hand():
    names = [
        "gmv_per_hour",
        "live_gpm",
        "paid_order_share",
        "avg_viewing_seconds",
        "concurrent_viewers",
    ]
    res = compute(LIVE, names, by="creator_id")
    row = res.table.set_index("creator_id").loc["c1"]
    assert row["gmv_per_hour"] == pytest.approx(800 / 3)  # 800 in 3 hours; the video is out
    assert row["live_gpm"] == pytest.approx(1000 * 800 / 5000)
    assert row["paid_order_share"] == pytest.approx(43 / 50)
    assert row["avg_viewing_seconds"] == pytest.approx((60 * 2000 + 90 * 3000) / 5000)
    assert row["concurrent_viewers"] == pytest.approx((100 * 3600 + 150 * 7200) / 10800)
    assert row["gmv_per_hour_n"] == 2
    excluded = {n.subject: n.count for n in res.warnings if n.code == "missing_values"}
    assert excluded["gmv_per_hour"] == 1


def test_live_metrics_have_kinds_and_range_respecting_intervals():
    assert ck.metrics.get("paid_order_share").kind == "rate"
    assert ck.metrics.get("gmv_per_hour").intervals == ("cluster",)  # money: never Poisson
    res = compute(LIVE, ["gmv_per_hour", "paid_order_share"], by="creator_id", ci="auto").table
    assert (res["gmv_per_hour_low"].dropna() > 0).all()
    assert np.isnan(res.loc[1, "gmv_per_hour_low"])  # c2 streamed once
    assert res.loc[1, "paid_order_share_high"] == 1.0 or res.loc[1, "paid_order_share"] == 1.0


@pytest.fixture(scope="module")
def demo_text() -> str:
    """The demo's output, run once for the checks below."""
    import io

    from creatorkit import _demo

    out = io.StringIO()
    _demo.run(seed=0, out=out)
    return out.getvalue()


@pytest.mark.parametrize(
    "expected",
    [
        "GPM's lower bound",  # ranked by the lower bound of the post-level interval
        "As known at a date, in USD (metrics.restate, truth_model@1)",
        "intervals containing each creator's true CTR",
        "→ corrected",  # reviews corrected for harsh reviewers
        "risk flags: {",
        "order id 5770001234567890123 (all 19 digits)",  # an export read digit for digit
        "beauty/sales@1 (spec",  # scoring with a preset
        "P(top 10)",
        "excluded: {",
        "eligible for {'markets': ['ID', 'TH', 'VN']",  # a campaign shortlist
        "monthly top 10% per market (ceil of 10% of n): ID 2/14",
        "every funded creator's marginal return is",  # a budget split at equal margins
    ],
)
def test_demo_shows_each_capability(demo_text, expected):
    assert expected in demo_text
