"""Typed records of the domain and their enumerations.

Example:
    >>> from creatorkit.models import Violation
    >>> Violation(violation_id="v1", creator_id="c1", occurred_at="2026-03-01T00:00:00+00:00",
    ...           severity="high", points=4, status="active").severity.value
    'high'
"""

from creatorkit.models._rules import AGE_BANDS, AUDIENCE_TOLERANCE, GENDERS
from creatorkit.models._schema import Column, Kind
from creatorkit.models.enums import (
    AttributionType,
    AudienceDimension,
    ContentType,
    Goal,
    IdType,
    OrderStatus,
    Platform,
    SampleStatus,
    SettlementStatus,
    Severity,
    ViolationStatus,
)
from creatorkit.models.records import (
    RECORDS,
    STAR_DIMENSIONS,
    AudienceShare,
    Campaign,
    Collaboration,
    Content,
    Creator,
    CreatorIdentity,
    OrderLine,
    RateCard,
    Record,
    Review,
    Sample,
    Violation,
)

MODELS = RECORDS
"""Every record type, in documentation order."""

__all__ = [
    "AGE_BANDS",
    "AUDIENCE_TOLERANCE",
    "GENDERS",
    "MODELS",
    "STAR_DIMENSIONS",
    "AttributionType",
    "AudienceDimension",
    "AudienceShare",
    "Campaign",
    "Collaboration",
    "Column",
    "Content",
    "ContentType",
    "Creator",
    "CreatorIdentity",
    "Goal",
    "IdType",
    "Kind",
    "OrderLine",
    "OrderStatus",
    "Platform",
    "RateCard",
    "Record",
    "Review",
    "Sample",
    "SampleStatus",
    "SettlementStatus",
    "Severity",
    "Violation",
    "ViolationStatus",
]
