"""One validation path: a bad value gets the same verdict from every entry point."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit import compare, funnel, metrics
from creatorkit.errors import ValidationError

BAD = [2.5, -1, -2.5, 1e300, 2.0**63, True, "many", math.inf, -math.inf, math.nan]


def _content(views: object) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "content_id": ["1", "2"],
            "creator_id": ["c1", "c2"],
            "content_type": ["video", "video"],
            "published_at": pd.to_datetime(["2026-06-01", "2026-06-02"], utc=True),
            "views": pd.Series([views, 100] if not isinstance(views, bool) else [views, False]),
            "clicks": [1, 2],
        }
    )


def _codes(call) -> set[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        call()
    cases = info.value.failure_cases
    return set(cases.loc[cases["column"] == "views", "code"])


def _record(views: object) -> None:
    ck.Content(
        content_id="1",
        creator_id="c1",
        content_type="video",
        published_at="2026-06-01T00:00:00+00:00",
        views=views,
    )


@given(st.sampled_from(BAD))
def test_the_same_bad_count_gets_the_same_code_everywhere(bad):
    df = _content(bad)
    verdicts = {
        "validate": _codes(lambda: ck.validate(df, ck.Content)),
        "compute": _codes(lambda: metrics.compute(df, "ctr")),
        "from_counts": _codes(lambda: funnel.from_counts(df, ["views", "clicks"])),
        "compare": _codes(lambda: compare.summarize(df, arm="creator_id", metrics="views")),
        "record": _codes(lambda: _record(bad)),
    }
    assert len({frozenset(v) for v in verdicts.values()}) == 1, verdicts
    assert all(verdicts.values())


def test_whole_floats_are_counts_everywhere():
    df = _content(3.0)
    assert ck.validate(df, ck.Content).frame["views"].tolist() == [3, 100]
    assert metrics.compute(df, "views").table["views"].item() == 103
    record = ck.Content(
        content_id="1",
        creator_id="c1",
        content_type="video",
        published_at="2026-06-01T00:00:00+00:00",
        views=3.0,
    )
    assert record.views == 3
    assert isinstance(record.views, int)


def test_float_ids_are_refused_as_group_keys_not_merged():
    posts = pd.DataFrame(
        {"content_id": [7394017712830001234.0, 7394017712830001235.0], "views": [1234, 5]}
    )
    assert posts["content_id"].nunique() == 1  # the two ids are one float already
    with pytest.raises(ValidationError) as info:
        metrics.compute(posts, "views", by="content_id")
    assert info.value.codes == ("lossy_id",)
    log = pd.DataFrame(
        {
            "user_id": [7394017712830001234.0, 7394017712830001235.0],
            "event": ["A", "A"],
            "timestamp": pd.to_datetime([0, 1], unit="s", utc=True),
        }
    )
    with pytest.raises(ValidationError) as info:
        funnel.from_events(log, ["A"], window="1h")
    assert info.value.codes == ("lossy_id",)
    big = pd.DataFrame({"bucket": [2.0**60, 2.0**60 + 1], "views": [1, 2]})
    with pytest.raises(ValidationError, match="lose digits"):
        metrics.compute(big, "views", by="bucket")
    small = pd.DataFrame({"bucket": [1.5, 2.5], "views": [1, 2]})  # a float key that is no id
    assert metrics.compute(small, "views", by="bucket").table["views"].tolist() == [1.0, 2.0]


def test_metrics_of_several_tables_name_the_table_each_needs():
    data = ck.datasets.synthetic(seed=0, n_creators=10, n_events=100)
    with pytest.raises(ValidationError) as info:
        metrics.compute(data.content, ["ctr", "roas"], by="creator_id")
    text = str(info.value)
    assert "different tables (collaboration: roas; content: ctr)" in text
    assert "read by roas (collaboration table)" in text
