"""Typed records of the domain and their enumerations.

Example:
    >>> from creatorkit.models import Violation
    >>> Violation(violation_id="v1", creator_id="c1", occurred_at="2026-03-01T00:00:00+00:00",
    ...           severity="high", points=4, status="active").severity.value
    'high'
"""

from creatorkit.models._schema import Column, Kind
from creatorkit.models.enums import (
    AttributionType,
    ContentType,
    Goal,
    OrderStatus,
    Platform,
    SampleStatus,
    Severity,
    ViolationStatus,
)
from creatorkit.models.records import (
    STAR_DIMENSIONS,
    Campaign,
    Collaboration,
    Content,
    Creator,
    OrderLine,
    Record,
    Review,
    Sample,
    Violation,
)

MODELS = (Creator, Content, Campaign, Collaboration, Sample, Review, OrderLine, Violation)
"""Every record type, in documentation order."""

__all__ = [
    "MODELS",
    "STAR_DIMENSIONS",
    "AttributionType",
    "Campaign",
    "Collaboration",
    "Column",
    "Content",
    "ContentType",
    "Creator",
    "Goal",
    "Kind",
    "OrderLine",
    "OrderStatus",
    "Platform",
    "Record",
    "Review",
    "Sample",
    "SampleStatus",
    "Severity",
    "Violation",
    "ViolationStatus",
]
