"""Enumerations of the domain: platforms, content types, goals, statuses, severities."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AttributionType",
    "ContentType",
    "Goal",
    "OrderStatus",
    "Platform",
    "SampleStatus",
    "Severity",
    "ViolationStatus",
]


class Platform(StrEnum):
    """Where the creator publishes."""

    TIKTOK = "tiktok"
    INSTAGRAM = "instagram"
    YOUTUBE = "youtube"
    AMAZON = "amazon"


class ContentType(StrEnum):
    """One piece of content: a short video, a live stream or a (photo) post."""

    VIDEO = "video"
    LIVE = "live"
    POST = "post"


class Goal(StrEnum):
    """Campaign goal: ``awareness`` (brand promotion) or ``sales``."""

    AWARENESS = "awareness"
    SALES = "sales"


class Severity(StrEnum):
    """Violation severity, from ``low`` to ``critical`` (ordered)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    EXTREME = "extreme"
    CRITICAL = "critical"


class SampleStatus(StrEnum):
    """Life cycle of a product sample sent to a creator."""

    REQUESTED = "requested"
    SHIPPED = "shipped"
    RECEIVED = "received"
    POSTED = "posted"
    CANCELLED = "cancelled"
    LOST = "lost"


class OrderStatus(StrEnum):
    """Status of an order line."""

    PENDING = "pending"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class AttributionType(StrEnum):
    """How an order was attributed to a creator: organic content or paid traffic."""

    ORGANIC = "organic"
    PAID = "paid"


class ViolationStatus(StrEnum):
    """Status of a platform policy violation."""

    ACTIVE = "active"
    APPEALED = "appealed"
    OVERTURNED = "overturned"
