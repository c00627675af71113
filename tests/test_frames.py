import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit.datasets import synthetic
from creatorkit.frames import schema, validate


def _content(**overrides):
    base = {
        "content_id": ["7394017712830001234", "7394017712830001235", "7394017712830001236"],
        "creator_id": ["c1", "c1", "c2"],
        "published_at": pd.to_datetime(
            ["2026-03-01 10:00", "2026-03-02 10:00", "2026-03-03 10:00"]
        ).tz_localize("UTC"),
        "content_type": ["video", "live", "post"],
        "views": [1000, 50, 10],
        "likes": [100, 70, 1],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_valid_table_is_typed_and_input_unchanged():
    raw = _content(content_id=[7394017712830001234, 7394017712830001235, 7394017712830001236])
    before = raw.copy()
    out = validate(raw, ck.Content)
    pd.testing.assert_frame_equal(raw, before)
    frame = out.frame
    assert frame["content_id"].tolist() == [
        "7394017712830001234",
        "7394017712830001235",
        "7394017712830001236",
    ]
    assert isinstance(frame["content_id"].dtype, pd.StringDtype)
    assert frame["views"].dtype == np.int64
    assert isinstance(frame["published_at"].dtype, pd.DatetimeTZDtype)
    ck.testing.check_result(out)


def test_quality_flags_are_reported_and_rows_kept():
    out = validate(_content(), ck.Content)
    assert len(out.frame) == 3
    assert out.quality[["check", "column", "row", "value", "bound"]].to_dict("records") == [
        {"check": "likes_above_views", "column": "likes", "row": 1, "value": 70.0, "bound": 50.0}
    ]
    assert [(n.code, n.count) for n in out.warnings] == [("likes_above_views", 1)]


def test_ids_read_as_floats_are_rejected():
    raw = _content(content_id=[7.394017712830001e18, 7.394017712830002e18, 7.394017712830003e18])
    with pytest.raises(ck.ValidationError) as info:
        validate(raw, ck.Content)
    cases = info.value.failure_cases
    assert set(cases["code"]) == {"lossy_id"}
    assert cases["row"].tolist() == [0, 1, 2]


def test_naive_timestamps_need_tz():
    raw = _content(published_at=["2026-03-01 10:00", "2026-03-02 10:00", "2026-03-03 10:00"])
    with pytest.raises(ck.ValidationError, match="pass tz="):
        validate(raw, ck.Content)
    out = validate(raw, ck.Content, tz="Asia/Bangkok").frame
    assert out["published_at"].iloc[0] == pd.Timestamp("2026-03-01 03:00", tz="UTC")
    with pytest.raises(ck.ValidationError, match="time zone name"):
        validate(raw, ck.Content, tz="Mars/Olympus")


def test_mixed_naive_and_aware_timestamps_are_rejected():
    raw = _content(
        published_at=["2026-03-01T10:00:00+07:00", "2026-03-02 10:00", "2026-03-03T10:00Z"]
    )
    with pytest.raises(ck.ValidationError) as info:
        validate(raw, ck.Content, tz="UTC")
    assert info.value.failure_cases["row"].tolist() == [1]


def test_aware_strings_with_offsets_are_parsed():
    raw = _content(
        published_at=["2026-03-01T10:00:00+07:00", "2026-03-02T10:00:00+00:00", "2026-03-03T10:00Z"]
    )
    out = validate(raw, ck.Content).frame
    assert out["published_at"].iloc[0] == pd.Timestamp("2026-03-01 03:00", tz="UTC")


def test_every_problem_listed_at_once():
    raw = _content(
        views=[1000, -5, np.nan], likes=[np.inf, 1, 2], content_type=["video", "reel", "post"]
    )
    raw["completion"] = [0.5, 1.5, np.nan]
    raw = raw.drop(columns=["creator_id"])
    with pytest.raises(ck.ValidationError) as info:
        validate(raw, ck.Content)
    cases = info.value.failure_cases
    got = sorted(zip(cases["column"], cases["row"].map(str), cases["code"], strict=True))
    assert got == sorted(
        [
            ("creator_id", "None", "missing_column"),
            ("views", "1", "negative"),
            ("views", "2", "missing_value"),
            ("likes", "0", "not_finite"),
            ("content_type", "1", "invalid_value"),
            ("completion", "1", "out_of_range"),
        ]
    )
    assert info.value.argument == "df"


def test_fractional_counts_and_strings_in_numbers():
    raw = _content(views=[1000.5, "12", "many"])
    with pytest.raises(ck.ValidationError) as info:
        validate(raw, ck.Content)
    codes = dict(
        zip(info.value.failure_cases["row"], info.value.failure_cases["code"], strict=True)
    )
    assert codes == {0: "not_integer", 2: "wrong_type"}


def test_duplicate_composite_keys():
    orders = synthetic(seed=0, n_creators=30, n_events=200).orders.head(6)
    dup = pd.concat([orders, orders.iloc[[2]]], ignore_index=True)
    with pytest.raises(ck.ValidationError) as info:
        validate(dup, ck.OrderLine)
    cases = info.value.failure_cases
    assert set(cases["code"]) == {"duplicate_key"}
    assert cases["row"].tolist() == [2, 6]
    assert cases["column"].iloc[0] == "order_id + line_id"


def test_order_id_repeats_across_lines_is_fine():
    orders = synthetic(seed=0, n_creators=30, n_events=200).orders
    assert orders["order_id"].duplicated().any()
    validate(orders, ck.OrderLine)


def test_empty_wrong_type_and_unknown_model():
    with pytest.raises(ck.ValidationError, match="at least one row"):
        validate(_content().iloc[:0], ck.Content)
    with pytest.raises(ck.ValidationError, match="pandas DataFrame"):
        validate([1, 2], ck.Content)  # type: ignore[arg-type]
    with pytest.raises(ck.ValidationError, match="record class"):
        validate(_content(), dict)  # type: ignore[arg-type]


def test_missing_column_did_you_mean():
    with pytest.raises(ck.ValidationError, match="Did you mean 'view'"):
        validate(_content().rename(columns={"views": "view"}), ck.Content)


def test_impossible_time_order_is_an_error():
    samples = synthetic(seed=0, n_creators=30, n_events=200).samples.head(3).copy()
    samples.loc[0, "received_at"] = samples.loc[0, "shipped_at"] - pd.Timedelta(days=1)
    with pytest.raises(ck.ValidationError, match="must not be before shipped_at"):
        validate(samples, ck.Sample)


@pytest.mark.parametrize("model", ck.models.MODELS, ids=lambda m: m.__name__)
def test_records_to_frame_and_back(model):
    data = synthetic(seed=3, n_creators=40, n_events=200)
    name = {
        ck.Creator: "creators",
        ck.Content: "content",
        ck.Campaign: "campaigns",
        ck.Collaboration: "collaborations",
        ck.Sample: "samples",
        ck.Review: "reviews",
        ck.OrderLine: "orders",
        ck.Violation: "violations",
        ck.AudienceShare: "audience",
        ck.CreatorIdentity: "identities",
        ck.RateCard: "rate_cards",
    }[model]
    table = getattr(data, name)
    if model is ck.AudienceShare:  # whole creators: shares sum to 1 per dimension
        table = table[table["creator_id"].isin(table["creator_id"].unique()[:2])]
    table = table.head(25).reset_index(drop=True)
    records = ck.from_frame(table, model)
    again = ck.to_frame(records)
    assert len(records) == len(table)
    assert all(isinstance(r, model) for r in records)
    for column in [c for c in again.columns if c in table.columns]:
        left = again[column].astype(object).where(again[column].notna(), None).tolist()
        right = validate(table, model).frame[column].astype(object)
        right = right.where(right.notna(), None).tolist()
        assert left == right, column


def test_to_frame_rejects_mixed_and_empty():
    creator = ck.from_frame(
        synthetic(seed=0, n_creators=20, n_events=200).creators.head(1), ck.Creator
    )[0]
    with pytest.raises(ck.ValidationError, match="non-empty"):
        ck.to_frame([])
    violation = ck.Violation(
        violation_id="v",
        creator_id="c",
        occurred_at="2026-01-01T00:00:00+00:00",
        severity="low",
        points=1,
        status="active",
    )
    with pytest.raises(ck.ValidationError, match="one type"):
        ck.to_frame([creator, violation])


def test_schema_table():
    table = schema(ck.OrderLine).set_index("column")
    assert table.loc["order_id", "required"]
    assert table.loc["gmv", "money"]
    assert table.loc["status", "values"] == "pending, shipped, completed, cancelled, refunded"
