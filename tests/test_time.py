"""One time module: as_of, windows, time zones, DST choices, aware columns of any zone."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit import funnel, metrics
from creatorkit._time import parse_as_of, parse_tz, parse_window
from creatorkit.errors import ValidationError


def _log() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": ["u1", "u1", "u2"],
            "event": ["A", "B", "A"],
            "timestamp": pd.to_datetime([0, 30, 0], unit="s", utc=True),
        }
    )


def _content() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "content_id": ["1", "2"],
            "creator_id": ["c1", "c1"],
            "content_type": ["video", "video"],
            "published_at": ["2026-06-01 10:00", "2026-06-02 11:00"],
            "views": [100, 200],
        }
    )


def test_an_integer_is_not_a_time_zone():
    with pytest.raises(ValidationError, match="a number is not a time zone") as info:
        ck.validate(_content(), ck.Content, tz=7)
    assert info.value.argument == "tz"
    with pytest.raises(ValidationError, match="time zone name"):
        ck.validate(_content(), ck.Content, tz="Mars/Olympus")


def test_fixed_offsets_and_names_localize_alike():
    by_offset = ck.validate(_content(), ck.Content, tz="+07:00").frame["published_at"]
    by_name = ck.validate(_content(), ck.Content, tz="Asia/Bangkok").frame["published_at"]
    assert (by_offset == by_name).all()
    assert by_offset.iloc[0] == pd.Timestamp("2026-06-01 03:00", tz="UTC")
    assert parse_tz("UTC-05:30") == dt.timezone(-dt.timedelta(hours=5, minutes=30))
    with pytest.raises(ValidationError, match="14:00"):
        parse_tz("+15:00")


def test_windows_need_a_unit():
    for bad in ("100", 100, 7.0, np.int64(3), True, np.timedelta64(5)):
        with pytest.raises(ValidationError) as info:
            funnel.from_events(_log(), ["A", "B"], window=bad)
        assert info.value.argument == "window"
    res = funnel.from_events(_log(), ["A", "B"], window=np.timedelta64(30, "s"))
    assert res.table["users"].tolist() == [2, 1]
    assert parse_window(dt.timedelta(hours=6)) == pd.Timedelta("6h")
    with pytest.raises(ValidationError, match="positive"):
        parse_window("-1h")
    with pytest.raises(ValidationError, match="no unit"):
        metrics.Metric(name="w", numerator="views", window="30")


def test_as_of_errors_are_validation_errors():
    for bad, code in (
        ("garbage", "wrong_type"),
        (1_700_000_000, "wrong_type"),
        ("2026-06-30", "naive_timestamp"),
        (pd.NaT, "missing_value"),
    ):
        with pytest.raises(ValidationError) as info:
            funnel.from_events(_log(), ["A", "B"], window="1h", as_of=bad)
        assert info.value.codes == (code,)
        with pytest.raises(ValidationError) as info:
            metrics.compute(
                _content().assign(published_at=pd.Timestamp("2026-06-01", tz="UTC")),
                "views",
                as_of=bad,
            )
        assert info.value.codes == (code,)
    assert parse_as_of("2026-06-30T23:59:59+07:00") == pd.Timestamp("2026-06-30 16:59:59", tz="UTC")


def test_dst_choices_when_localizing():
    frame = pd.DataFrame(
        {
            "content_id": ["1", "2", "3"],
            "creator_id": ["c1", "c1", "c1"],
            "content_type": ["video", "video", "video"],
            "published_at": ["2026-11-01 01:30", "2026-03-08 02:30", "2026-06-01 12:00"],
            "views": [1, 2, 3],
        }
    )
    with pytest.raises(ValidationError) as info:
        ck.validate(frame, ck.Content, tz="America/New_York")
    cases = info.value.failure_cases
    assert cases["row"].tolist() == [0, 1]
    assert "happens twice" in cases["rule"].iloc[0]
    assert "never happens" in cases["rule"].iloc[1]
    ok = ck.validate(
        frame, ck.Content, tz="America/New_York", ambiguous="latest", nonexistent="shift_forward"
    ).frame["published_at"]
    assert ok.iloc[0] == pd.Timestamp("2026-11-01 06:30", tz="UTC")  # second 01:30, EST
    assert ok.iloc[1] == pd.Timestamp("2026-03-08 07:00", tz="UTC")  # 03:00 EDT
    early = ck.validate(
        frame, ck.Content, tz="America/New_York", ambiguous="earliest", nonexistent="NaT"
    ).frame["published_at"]
    assert early.iloc[0] == pd.Timestamp("2026-11-01 05:30", tz="UTC")
    assert pd.isna(early.iloc[1])
    with pytest.raises(ValidationError, match="ambiguous"):
        ck.validate(frame, ck.Content, tz="America/New_York", ambiguous="first")


def test_a_bad_timestamp_gives_one_error_not_two():
    frame = _content().assign(published_at=["2026-06-01 10:00", "yesterday"])
    with pytest.raises(ValidationError) as info:
        ck.validate(frame, ck.Content, tz="Asia/Bangkok")
    assert info.value.failure_cases["rule"].tolist() == ["must be an ISO-8601 timestamp"]


def test_aware_columns_of_any_zone_are_read():
    stamps = [
        pd.Timestamp("2026-06-01 10:00", tz="Asia/Bangkok"),
        pd.Timestamp("2026-06-01 10:00", tz="UTC"),
    ]
    content = pd.DataFrame(
        {
            "creator_id": ["c1", "c1"],
            "views": [1, 2],
            "published_at": pd.Series(stamps, dtype=object),
        }
    )
    as_of = pd.Timestamp("2026-06-01 05:00", tz="UTC")  # after Bangkok's 03:00 UTC only
    res = metrics.compute(content, "views", as_of=as_of)
    assert res.table["views"].item() == 1
    assert [n.code for n in res.warnings] == ["after_as_of"]


def test_arrow_timestamps_are_aware():
    pa = pytest.importorskip("pyarrow")
    times = pd.Series(pd.to_datetime([0, 30, 0], unit="s", utc=True)).astype(
        pd.ArrowDtype(pa.timestamp("us", tz="UTC"))
    )
    res = funnel.from_events(_log().assign(timestamp=times), ["A", "B"], window="1min")
    assert res.table["users"].tolist() == [2, 1]


def test_records_keep_their_zone_and_nullable_counts_on_the_round_trip():
    record = ck.Content(
        content_id="1",
        creator_id="c1",
        content_type="video",
        published_at="2026-06-01T10:00:00+07:00",
        views=3,
    )
    frame = ck.to_frame([record])
    assert str(frame["published_at"].iloc[0]) == "2026-06-01 10:00:00+07:00"
    assert ck.from_frame(frame, ck.Content) == [record]
    nullable = frame.assign(followers_at_post=pd.array([pd.NA], dtype="Int64"))
    assert ck.from_frame(nullable, ck.Content)[0].followers_at_post is None


@settings(deadline=None, max_examples=60)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2099, 1, 1)).map(
                lambda d: d.strftime("%d/%m/%Y %H:%M:%S")
            ),
            st.text(alphabet="0123456789/: é年", min_size=0, max_size=21),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_text_held_by_pyarrow_reads_the_same_times_as_python_strings(values):
    pytest.importorskip("pyarrow")
    from creatorkit._time import _fixed_width

    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%Y%m%d"):  # times, dates, no separators
        width = len(dt.datetime(2026, 1, 1).strftime(fmt))
        cut = [v if v is None else v[:width] for v in values]
        python = _fixed_width(pd.Series(cut, dtype=object), fmt)
        arrow = _fixed_width(pd.Series(cut, dtype="string[pyarrow]"), fmt)
        pd.testing.assert_series_equal(arrow, python)
