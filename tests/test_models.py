import datetime as dt
import json

import attrs
import pytest

import creatorkit as ck
from creatorkit.models import MODELS, Platform, Severity

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)

MINIMAL = {
    ck.Creator: {
        "creator_id": "c1",
        "platform": "tiktok",
        "country": "TH",
        "category": "beauty",
        "followers": 52_000,
    },
    ck.Content: {
        "content_id": "7394017712830001234",
        "creator_id": "c1",
        "published_at": T0,
        "content_type": "video",
        "views": 1000,
    },
    ck.Campaign: {
        "campaign_id": "k1",
        "brand": "B",
        "goal": "sales",
        "category": "beauty",
        "start": T0,
        "end": T0 + dt.timedelta(days=30),
        "budget": 1000.0,
        "currency": "USD",
        "markets": ["TH", "VN"],
        "kpi_targets": {"gmv": 5000},
    },
    ck.Collaboration: {
        "collaboration_id": "co1",
        "creator_id": "c1",
        "campaign_id": "k1",
        "currency": "USD",
        "fixed_fee": 100.0,
    },
    ck.Sample: {
        "sample_id": "s1",
        "collaboration_id": "co1",
        "creator_id": "c1",
        "sku": "sku1",
        "status": "posted",
        "shipped_at": T0,
        "deadline": T0 + dt.timedelta(days=21),
        "received_at": T0 + dt.timedelta(days=3),
        "posted_at": T0 + dt.timedelta(days=9),
    },
    ck.Review: {
        "review_id": "r1",
        "creator_id": "c1",
        "reviewer_id": "u1",
        "created_at": T0,
        "content_quality": 4,
        "conversion": 2.5,
        "would_rehire": True,
        "tags": ["late"],
    },
    ck.OrderLine: {
        "order_id": "5770000000000000001",
        "line_id": "1",
        "sku": "sku1",
        "creator_id": "c1",
        "ordered_at": T0,
        "gmv": 250000.0,
        "currency": "IDR",
        "status": "completed",
    },
    ck.Violation: {
        "violation_id": "v1",
        "creator_id": "c1",
        "occurred_at": T0,
        "severity": "extreme",
        "points": 8,
        "status": "active",
    },
    ck.AudienceShare: {
        "creator_id": "c1",
        "snapshot_at": T0,
        "dimension": "age",
        "segment": "18-24",
        "share": 0.4,
    },
    ck.CreatorIdentity: {
        "creator_id": "c1",
        "id_type": "open_id",
        "value": "-000Ab9",
        "platform": "tiktok",
        "valid_from": T0,
        "app_id": "app1",
    },
    ck.RateCard: {
        "creator_id": "c1",
        "content_type": "live",
        "fixed_fee": 300.0,
        "currency": "USD",
        "valid_from": T0,
    },
}


def test_every_model_has_a_minimal_example():
    assert set(MINIMAL) == set(MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_json_round_trip(model):
    record = model(**MINIMAL[model])
    text = json.dumps(record.to_dict(), allow_nan=False)
    again = model.from_dict(json.loads(text))
    assert again == record
    assert attrs.has(model)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(record, model.schema()[0].name, "x")


def test_enums_convert_from_strings():
    c = ck.Creator(**MINIMAL[ck.Creator])
    assert c.platform is Platform.TIKTOK
    v = ck.Violation(**MINIMAL[ck.Violation])
    assert v.severity is Severity.EXTREME
    assert c.to_dict()["platform"] == "tiktok"


def test_keyword_only():
    with pytest.raises(TypeError):
        ck.Creator("c1", "tiktok", "TH", "beauty", 10)  # type: ignore[misc]


def test_every_problem_is_listed():
    with pytest.raises(ck.ValidationError) as info:
        ck.Content(
            content_id=7394017712830001234,
            creator_id="",
            published_at="2026-03-01T00:00",
            content_type="reel",
            views=-1,
            likes=2.5,
            completion=1.5,
            currency="usd",
        )
    cases = info.value.failure_cases.set_index("column")["code"].to_dict()
    assert cases == {
        "content_id": "wrong_type",
        "creator_id": "invalid_value",
        "published_at": "naive_timestamp",
        "content_type": "invalid_value",
        "views": "negative",
        "likes": "not_integer",
        "completion": "out_of_range",
        "currency": "invalid_value",
    }


def test_stars_and_countries():
    with pytest.raises(ck.ValidationError, match="must be in \\[1, 5\\]"):
        ck.Review(**{**MINIMAL[ck.Review], "engagement": 6})
    with pytest.raises(ck.ValidationError, match="ISO 3166"):
        ck.Creator(**{**MINIMAL[ck.Creator], "country": "XX"})
    with pytest.raises(ck.ValidationError, match="ISO 3166"):
        ck.Campaign(**{**MINIMAL[ck.Campaign], "markets": ["TH", "Thailand"]})


def test_time_order_is_checked():
    with pytest.raises(ck.ValidationError, match="must not be before start"):
        ck.Campaign(**{**MINIMAL[ck.Campaign], "end": T0 - dt.timedelta(days=1)})
    with pytest.raises(ck.ValidationError, match="must not be before shipped_at"):
        ck.Sample(**{**MINIMAL[ck.Sample], "received_at": T0 - dt.timedelta(days=1)})


def test_from_dict_rejects_unknown_and_missing_keys():
    with pytest.raises(ck.ValidationError) as info:
        ck.Creator.from_dict({"creator_id": "c1", "followerz": 3})
    codes = info.value.failure_cases.set_index("column")["code"].to_dict()
    assert codes["followerz"] == "unknown_name"
    assert codes["followers"] == "missing_value"
    with pytest.raises(ck.ValidationError, match="must be a mapping"):
        ck.Creator.from_dict([1, 2])  # type: ignore[arg-type]


def test_bool_is_not_a_count():
    with pytest.raises(ck.ValidationError, match="must be a number"):
        ck.Creator(**{**MINIMAL[ck.Creator], "followers": True})


def test_missing_and_unknown_fields_are_validation_errors():
    with pytest.raises(ck.ValidationError) as info:
        ck.Creator(creator_id="c1", folowers=3)  # type: ignore[call-arg]
    cases = info.value.failure_cases.set_index("column")["code"].to_dict()
    assert cases == {
        "folowers": "unknown_name",
        "platform": "missing_value",
        "country": "missing_value",
        "category": "missing_value",
        "followers": "missing_value",
    }
    assert "Did you mean 'followers'" in str(info.value)
