"""Data model II: settlement states, dated collaborations, LIVE, audiences, identity, rate cards."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit.frames import validate
from creatorkit.identity import resolve
from creatorkit.metrics.economics import price_at

T0 = "2026-05-01T00:00:00+00:00"
T1 = "2026-05-20T00:00:00+00:00"
LINE = {
    "order_id": "5770000000000000001",
    "line_id": "1",
    "sku": "s1",
    "creator_id": "c1",
    "ordered_at": T0,
    "gmv": 100.0,
    "currency": "USD",
    "status": "completed",
}


@pytest.mark.parametrize(
    ("fields", "column"),
    [
        ({"settlement_status": "settled", "settled_at": T1}, "commission_actual"),
        ({"settlement_status": "settled", "commission_actual": 10.0}, "settled_at"),
        ({"settlement_status": "refunded", "refunded_at": T1}, "refunds"),
        ({"settlement_status": "refunded", "refunds": 100.0}, "refunded_at"),
        ({"settlement_status": "ordered", "commission_actual": 10.0}, "commission_actual"),
    ],
)
def test_settlement_states_that_contradict_amounts_fail_as_record_and_table(fields, column):
    with pytest.raises(ck.ValidationError) as record_error:
        ck.OrderLine(**LINE, **fields)
    assert column in set(record_error.value.failure_cases["column"])
    table = pd.DataFrame([{**LINE, **fields}])
    with pytest.raises(ck.ValidationError) as table_error:
        validate(table, ck.OrderLine)
    assert set(table_error.value.failure_cases["code"]) == {"inconsistent"}
    assert column in set(table_error.value.failure_cases["column"])


def test_consistent_settlement_states_pass():
    ok = ck.OrderLine(**LINE, settlement_status="settled", commission_actual=12.0, settled_at=T1)
    assert ok.settlement_status.value == "settled"
    frozen = ck.OrderLine(**LINE, settlement_status="frozen")
    assert frozen.commission_actual is None


def test_collaboration_dates_out_of_order_are_errors():
    base = {"collaboration_id": "co1", "creator_id": "c1", "campaign_id": "k1", "currency": "USD"}
    with pytest.raises(ck.ValidationError, match="must not be before agreed_at"):
        ck.Collaboration(**base, agreed_at=T1, posted_at=T0)
    table = pd.DataFrame([{**base, "agreed_at": T1, "paid_at": T0, "content_due_at": T0}])
    with pytest.raises(ck.ValidationError) as err:
        validate(table, ck.Collaboration)
    assert set(err.value.failure_cases["column"]) == {"paid_at", "content_due_at"}


def test_refund_before_order_is_an_error():
    with pytest.raises(ck.ValidationError, match="must not be before ordered_at"):
        ck.OrderLine(**{**LINE, "refunds": 5.0, "refunded_at": "2026-04-01T00:00:00+00:00"})


def test_live_fields_are_checked_and_implausible_ones_flagged():
    rows = pd.DataFrame(
        {
            "content_id": ["7394017712830001234", "7394017712830001235"],
            "creator_id": ["c1", "c1"],
            "published_at": [T0, T1],
            "content_type": ["live", "video"],
            "views": [5000, 100],
            "duration_seconds": [3600.0, None],
            "viewers": [2000, None],
            "avg_concurrent_viewers": [120.0, None],
            "peak_concurrent_viewers": [100, None],
            "orders_created": [30, None],
            "orders_paid": [31, None],
            "avg_view_seconds": [95.0, None],
        }
    )
    checked = validate(rows, ck.Content)
    assert set(checked.quality["check"]) == {
        "average_above_peak_viewers",
        "orders_paid_above_created",
    }
    with pytest.raises(ck.ValidationError, match="duration_seconds"):
        validate(rows.assign(duration_seconds=[-1.0, None]), ck.Content)


def _audience(shares: list[float], dimension: str = "age") -> pd.DataFrame:
    segments = {"age": ["18-24", "25-34", "35-44"], "gender": ["female", "male", "other"]}
    return pd.DataFrame(
        {
            "creator_id": "c1",
            "snapshot_at": T0,
            "dimension": dimension,
            "segment": segments[dimension][: len(shares)],
            "share": shares,
        }
    )


@pytest.mark.parametrize(
    ("shares", "ok"),
    [([0.5, 0.5], True), ([0.5, 0.49], True), ([0.5, 0.481], True), ([0.5, 0.47], False)],
)
def test_audience_shares_sum_to_one_within_the_named_tolerance(shares, ok):
    assert ck.models.AUDIENCE_TOLERANCE == 0.02
    if ok:
        validate(_audience(shares), ck.AudienceShare)
        return
    with pytest.raises(ck.ValidationError, match="sum to 1") as err:
        validate(_audience(shares), ck.AudienceShare)
    assert err.value.failure_cases["row"].tolist() == [0, 1]


def test_audience_segments_must_match_their_dimension():
    bad = _audience([0.5, 0.5]).assign(segment=["18-24", "male"])
    with pytest.raises(ck.ValidationError, match="age band") as err:
        validate(bad, ck.AudienceShare)
    assert err.value.failure_cases["row"].tolist() == [1]
    with pytest.raises(ck.ValidationError, match="age band"):
        ck.AudienceShare(
            creator_id="c1", snapshot_at=T0, dimension="country", segment="XX", share=1.0
        )


def test_audience_profile_uses_the_latest_snapshot_known_at_as_of():
    old = _audience([0.2, 0.8]).assign(snapshot_at="2026-04-01T00:00:00+00:00")
    new = _audience([0.6, 0.4])
    later = _audience([1.0]).assign(snapshot_at="2026-07-01T00:00:00+00:00")
    teen = pd.DataFrame(
        {
            "creator_id": "c2",
            "snapshot_at": T0,
            "dimension": "age",
            "segment": ["13-17", "18-24"],
            "share": [0.25, 0.75],
        }
    )
    res = ck.audience.profile(pd.concat([old, new, later, teen]), as_of=T1)
    table = res.to_frame().set_index("creator_id")
    assert table.loc["c1", "age_18_24"] == 0.6
    assert table.loc["c2", "age_18_plus"] == 0.75
    assert table.loc["c2", "age_13_17"] == 0.25
    assert table.loc["c1", "age_13_17"] == 0.0
    assert [n.count for n in res.warnings if n.code == "after_as_of"] == [1]


def _identities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator_id": ["c1", "c1", "c2", "c3", "c4"],
            "id_type": ["handle", "platform_id", "handle", "handle", "open_id"],
            "value": ["GlowWithMai", "6912345678901234567", "mai", "mai.old", "-000AbC"],
            "platform": ["tiktok"] * 5,
            "valid_from": [
                "2024-01-01T00:00:00+00:00",
                "2024-01-01T00:00:00+00:00",
                "2026-03-01T00:00:00+00:00",
                "2024-01-01T00:00:00+00:00",
                "2024-01-01T00:00:00+00:00",
            ],
            "valid_to": [None, None, None, "2026-03-01T00:00:00+00:00", None],
            "app_id": [None, None, None, None, "app9"],
        }
    )


def test_resolve_matches_handles_ids_and_open_ids_and_lists_the_rest():
    values = ["\t@glowwithmai ", "6912345678901234567", "-000AbC", "6912345678901234568", None]
    res = resolve(values, _identities(), at=T1)
    table = res.to_frame()
    assert table["creator_id"].tolist()[:3] == ["c1", "c1", "c4"]
    assert table["id_type"].tolist()[:3] == ["handle", "platform_id", "open_id"]
    assert table["status"].tolist() == ["resolved"] * 3 + ["unknown", "unknown"]
    assert res.unresolved["value"].tolist()[0] == "6912345678901234568"
    assert next(n for n in res.warnings if n.code == "unresolved").count == 2
    assert resolve(["-000abc"], _identities()).to_frame()["status"].tolist() == ["unknown"]


def test_resolve_respects_validity_and_reports_ambiguity():
    ids = _identities()
    ids.loc[3, "value"] = "mai"  # the handle "mai" belonged to c3 until March, then to c2
    assert resolve(["mai"], ids).to_frame()["status"].tolist() == ["ambiguous"]
    assert resolve(["mai"], ids, at="2026-02-01T00:00:00+00:00").table["creator_id"][0] == "c3"
    assert resolve(["mai"], ids, at=T1).table["creator_id"][0] == "c2"
    only_ids = resolve(["mai", "6912345678901234567"], ids, id_type="platform_id", at=T1)
    assert only_ids.table["status"].tolist() == ["unknown", "resolved"]


def test_an_identity_mapped_to_two_creators_at_once_is_an_error():
    ids = _identities()
    ids.loc[3, ["value", "valid_to"]] = ["mai", "2026-04-01T00:00:00+00:00"]  # overlaps c2
    with pytest.raises(ck.ValidationError, match="overlapping validity") as err:
        resolve(["mai"], ids)
    assert err.value.failure_cases["row"].tolist() == [2]
    with pytest.raises(ck.ValidationError, match="app_id"):
        validate(_identities().assign(app_id=None), ck.CreatorIdentity)


def test_resolve_refuses_numbers_for_ids():
    with pytest.raises(ck.ValidationError, match="must be strings"):
        resolve([6912345678901234567], _identities())


def _cards() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator_id": ["c1", "c1", "c1", "c2"],
            "content_type": ["video", "video", "live", "video"],
            "fixed_fee": [200.0, 260.0, 900.0, 50.0],
            "currency": ["USD", "USD", "USD", "THB"],
            "valid_from": [T0, "2026-06-01T00:00:00+00:00", T0, T1],
            "valid_to": ["2026-06-01T00:00:00+00:00", None, None, None],
        }
    )


def test_price_at_picks_the_card_valid_at_the_time():
    may = price_at(_cards(), at="2026-05-10T00:00:00+00:00")
    assert may[["creator_id", "content_type", "fixed_fee"]].values.tolist() == [
        ["c1", "live", 900.0],
        ["c1", "video", 200.0],
    ]
    june = price_at(_cards(), at="2026-06-01T00:00:00+00:00")
    assert june["fixed_fee"].tolist() == [900.0, 260.0, 50.0]


def test_overlapping_rate_cards_are_an_error():
    cards = _cards()
    cards.loc[0, "valid_to"] = "2026-06-02T00:00:00+00:00"
    with pytest.raises(ck.ValidationError, match="overlapping validity") as err:
        price_at(cards, at=T1)
    assert err.value.failure_cases["row"].tolist() == [1]


@settings(deadline=None, max_examples=60)
@given(
    spans=st.lists(st.tuples(st.integers(0, 50), st.integers(1, 20)), min_size=1, max_size=8),
    keys=st.lists(st.sampled_from(["a", "b"]), min_size=8, max_size=8),
)
def test_overlap_check_equals_a_pairwise_comparison(spans, keys):
    from creatorkit.models._rules import overlapping

    base = pd.Timestamp("2026-01-01", tz="UTC")
    frame = pd.DataFrame(
        {
            "k": keys[: len(spans)],
            "start": [base + pd.Timedelta(days=s) for s, _ in spans],
            "end": [base + pd.Timedelta(days=s + n) for s, n in spans],
        }
    )
    mask = overlapping(frame, ["k"], "start", "end")
    any_overlap = False
    for i in range(len(frame)):
        for j in range(len(frame)):
            same = frame.k[i] == frame.k[j] and i != j
            if same and frame.start[i] < frame.end[j] and frame.start[j] < frame.end[i]:
                any_overlap = True
    assert mask.any() == any_overlap
