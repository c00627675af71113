"""risk.violation_points on hand-worked timelines (both clearing readings), bad input and a
brute-force property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit.errors import ValidationError
from creatorkit.risk import PointsPolicy

THRESHOLDS = ((6, "warning"), (12, "restriction"))


def _violations() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "violation_id": ["v1", "v2", "v3", "v4", "v5"],
            "creator_id": "c1",
            "occurred_at": pd.to_datetime(
                ["2026-01-01", "2026-02-15", "2026-03-01", "2026-03-20", "2026-04-05"], utc=True
            ),
            "severity": ["low", "extreme", "critical", "medium", "extreme"],
            "points": [2, 4, 6, 1, 3],
            "status": ["active", "active", "appealed", "overturned", "active"],
        }
    )


def _ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_expiry_timeline_hand_worked() -> None:
    res = ck.risk.violation_points(
        _violations(), as_of="2026-04-10T00:00:00+00:00", policy=PointsPolicy(thresholds=THRESHOLDS)
    )
    line = res.timeline.set_index("violation_id")
    # v1 2; v2 2+4 = 6 (warning); v3 12 (restriction, appealed counts); v4 overturned;
    # v5 on 04-05: v1 lapsed on 04-01 → 4 + 6 + 3 = 13; strikes v2, v3, v5 → suspended 7 days
    assert line["live_points"].tolist()[:3] == [2.0, 6.0, 12.0]
    assert np.isnan(line.loc["v4", "live_points"])
    assert line.loc["v4", "excluded"] == "overturned"
    assert line.loc["v5", "live_points"] == 13.0
    assert line["penalty"].tolist() == ["", "warning", "restriction", "", "restriction"]
    assert line.loc["v5", "live_strikes"] == 3.0
    assert line.loc["v5", "suspended_until"] == _ts("2026-04-12")
    assert line["suspended_until"].isna().sum() == 4
    assert line.loc["v1", "clears_at"] == _ts("2026-04-01")
    now = res.creators.iloc[0]
    assert now["points"] == 13.0
    assert now["strikes"] == 3.0
    assert now["penalty"] == "restriction"
    assert bool(now["suspended"])
    assert now["suspended_until"] == _ts("2026-04-12")
    assert now["clears_at"] == _ts("2026-05-16")  # v2 lapses first


def test_appealed_not_counted_when_the_caller_says_so() -> None:
    policy = PointsPolicy(thresholds=THRESHOLDS, count_appealed=False)
    res = ck.risk.violation_points(_violations(), as_of="2026-04-10T00:00:00+00:00", policy=policy)
    line = res.timeline.set_index("violation_id")
    assert line.loc["v3", "excluded"] == "appealed_not_counted"
    assert line.loc["v5", "live_points"] == 7.0  # 4 + 3
    assert line.loc["v5", "penalty"] == "warning"
    assert line.loc["v5", "live_strikes"] == 2.0
    assert not bool(res.creators.iloc[0]["suspended"])
    assert {n.code for n in res.warnings} == {
        "violations_overturned",
        "violations_appealed_not_counted",
    }


def test_periodic_clearing_timeline_hand_worked() -> None:
    policy = PointsPolicy(
        clearing="periodic", anchor="2026-01-01T00:00:00+00:00", thresholds=THRESHOLDS
    )
    res = ck.risk.violation_points(_violations(), as_of="2026-04-10T00:00:00+00:00", policy=policy)
    line = res.timeline.set_index("violation_id")
    # cycles [01-01, 04-01) and [04-01, 06-30): v5 starts the second one alone
    assert line["live_points"].tolist() == [2.0, 6.0, 12.0, pytest.approx(np.nan, nan_ok=True), 3.0]
    assert line.loc["v5", "live_strikes"] == 1.0
    assert line["suspended_until"].isna().all()
    assert line.loc["v2", "clears_at"] == _ts("2026-04-01")
    now = res.creators.iloc[0]
    assert (now["points"], now["strikes"], now["penalty"]) == (3.0, 1.0, "")
    assert now["clears_at"] == _ts("2026-06-30")


def test_violations_after_as_of_are_excluded_and_counted() -> None:
    res = ck.risk.violation_points(_violations(), as_of="2026-03-10T00:00:00+00:00")
    line = res.timeline.set_index("violation_id")
    assert line.loc["v5", "excluded"] == "after_as_of"
    assert line.loc["v4", "excluded"] == "after_as_of"
    assert res.creators.iloc[0]["points"] == 12.0
    assert res.creators.iloc[0]["penalty"] == ""  # no thresholds given: no penalty assumed


def test_three_strikes_at_the_same_time_are_ordered_by_id() -> None:
    frame = pd.DataFrame(
        {
            "violation_id": ["b", "a", "c"],
            "creator_id": "c1",
            "occurred_at": pd.to_datetime(["2026-01-01"] * 3, utc=True),
            "severity": ["critical"] * 3,
            "points": [1, 1, 1],
            "status": "active",
        }
    )
    res = ck.risk.violation_points(frame, as_of="2026-01-02T00:00:00+00:00")
    assert res.timeline["violation_id"].tolist() == ["a", "b", "c"]
    assert res.timeline["live_strikes"].tolist() == [1.0, 2.0, 3.0]
    assert res.timeline["suspended_until"].notna().tolist() == [False, False, True]


@pytest.mark.parametrize(
    ("change", "argument", "code"),
    [
        (
            {"severity": ["low", "extrem", "critical", "medium", "extreme"]},
            "violations",
            "unknown_name",
        ),
        (
            {"status": ["active", "pending", "appealed", "overturned", "active"]},
            "violations",
            "unknown_name",
        ),
        (
            {
                "occurred_at": pd.to_datetime(
                    ["2026-01-01", None, "2026-03-01", "2026-03-20", "2026-04-05"], utc=True
                )
            },
            "violations",
            "missing_value",
        ),
        ({"points": [2, -4, 6, 1, 3]}, "violations", "negative"),
        ({"occurred_at": pd.to_datetime(["2026-01-01"] * 5)}, "violations", "naive_timestamp"),
    ],
)
def test_bad_violations_raise(change, argument, code) -> None:
    frame = _violations().assign(**change)
    with pytest.raises(ValidationError) as info:
        ck.risk.violation_points(frame, as_of="2026-04-10T00:00:00+00:00")
    assert info.value.argument == argument
    assert code in set(info.value.failure_cases["code"])


def test_unknown_severity_suggests_the_closest() -> None:
    frame = _violations().assign(severity=["low", "extrem", "critical", "medium", "extreme"])
    with pytest.raises(ValidationError, match="Did you mean 'extreme'"):
        ck.risk.violation_points(frame, as_of="2026-04-10T00:00:00+00:00")


def test_as_of_before_all_data_and_periodic_without_anchor_raise() -> None:
    with pytest.raises(ValidationError) as info:
        ck.risk.violation_points(_violations(), as_of="2025-12-01T00:00:00+00:00")
    assert info.value.argument == "as_of"
    with pytest.raises(ValidationError, match="anchor"):
        ck.risk.violation_points(
            _violations(),
            as_of="2026-04-10T00:00:00+00:00",
            policy=PointsPolicy(clearing="periodic"),
        )
    with pytest.raises(ValidationError) as info:
        ck.risk.violation_points(_violations(), as_of="2026-04-10")
    assert info.value.argument == "as_of"


@st.composite
def timelines(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 25))
    days = draw(st.lists(st.integers(0, 400), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "violation_id": [f"v{i:02d}" for i in range(n)],
            "creator_id": draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n)),
            "occurred_at": pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(days, unit="D"),
            "severity": draw(
                st.lists(
                    st.sampled_from(["low", "high", "extreme", "critical"]), min_size=n, max_size=n
                )
            ),
            "points": draw(st.lists(st.integers(0, 12), min_size=n, max_size=n)),
            "status": draw(
                st.lists(
                    st.sampled_from(["active", "appealed", "overturned"]), min_size=n, max_size=n
                )
            ),
        }
    )


@settings(deadline=None, max_examples=80)
@given(timelines())
def test_expiry_points_equal_a_brute_force_sum(frame: pd.DataFrame) -> None:
    as_of = pd.Timestamp("2026-03-01", tz="UTC")
    res = ck.risk.violation_points(frame, as_of=as_of)
    counted = frame[frame["status"] != "overturned"]
    window = pd.Timedelta("90D")
    for row in res.timeline[res.timeline["counted"]].itertuples():
        same = counted[counted["creator_id"] == row.creator_id]
        earlier = (same["occurred_at"] < row.occurred_at) | (
            (same["occurred_at"] == row.occurred_at) & (same["violation_id"] <= row.violation_id)
        )
        live = same[earlier & (same["occurred_at"] > row.occurred_at - window)]
        assert row.live_points == live["points"].sum()
        strikes = live["severity"].isin(["extreme", "critical"]).sum()
        assert row.live_strikes == strikes
    for row in res.creators.itertuples():
        same = counted[
            (counted["creator_id"] == row.creator_id) & (counted["occurred_at"] <= as_of)
        ]
        assert row.points == same.loc[same["occurred_at"] > as_of - window, "points"].sum()
