"""Enumerations of the domain: platforms, content types, goals, statuses, severities."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AttributionType",
    "AudienceDimension",
    "ContentType",
    "Goal",
    "IdType",
    "OrderStatus",
    "Platform",
    "SampleStatus",
    "SettlementStatus",
    "Severity",
    "ViolationStatus",
]


class Platform(StrEnum):
    """Where the creator publishes.

    Example:
        >>> Platform("tiktok") is Platform.TIKTOK, Platform.TIKTOK == "tiktok"
        (True, True)
        >>> [p.value for p in Platform]
        ['tiktok', 'instagram', 'youtube', 'amazon']
    """

    TIKTOK = "tiktok"
    INSTAGRAM = "instagram"
    YOUTUBE = "youtube"
    AMAZON = "amazon"


class ContentType(StrEnum):
    """One piece of content: a short video, a live stream or a (photo) post.

    Example:
        >>> ContentType("live"), ContentType.VIDEO.value
        (<ContentType.LIVE: 'live'>, 'video')
    """

    VIDEO = "video"
    LIVE = "live"
    POST = "post"


class Goal(StrEnum):
    """Campaign goal: ``awareness`` (brand promotion) or ``sales``.

    Example:
        >>> Goal("sales") is Goal.SALES
        True
    """

    AWARENESS = "awareness"
    SALES = "sales"


class Severity(StrEnum):
    """Violation severity, from ``low`` to ``critical`` (ordered).

    Example:
        >>> order = list(Severity)
        >>> [s.value for s in order]
        ['low', 'medium', 'high', 'extreme', 'critical']
        >>> order.index(Severity("high")) > order.index(Severity.MEDIUM)
        True
    """

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    EXTREME = "extreme"
    CRITICAL = "critical"


class SampleStatus(StrEnum):
    """Life cycle of a product sample sent to a creator.

    Example:
        >>> SampleStatus("posted") is SampleStatus.POSTED
        True
        >>> [s.value for s in SampleStatus][:4]
        ['requested', 'shipped', 'received', 'posted']
    """

    REQUESTED = "requested"
    SHIPPED = "shipped"
    RECEIVED = "received"
    POSTED = "posted"
    CANCELLED = "cancelled"
    LOST = "lost"


class OrderStatus(StrEnum):
    """Status of an order line.

    Example:
        >>> OrderStatus("refunded") is OrderStatus.REFUNDED, OrderStatus.COMPLETED.value
        (True, 'completed')
    """

    PENDING = "pending"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class AttributionType(StrEnum):
    """How an order was attributed to a creator: organic content or paid traffic.

    Example:
        >>> AttributionType("paid") is AttributionType.PAID
        True
    """

    ORGANIC = "organic"
    PAID = "paid"


class ViolationStatus(StrEnum):
    """Status of a platform policy violation.

    Example:
        >>> ViolationStatus("appealed"), [s.value for s in ViolationStatus]
        (<ViolationStatus.APPEALED: 'appealed'>, ['active', 'appealed', 'overturned'])
    """

    ACTIVE = "active"
    APPEALED = "appealed"
    OVERTURNED = "overturned"


class SettlementStatus(StrEnum):
    """Commission settlement of an order line (TikTok Shop's creator-side states).

    ``ordered``: placed, commission estimated; ``settled``: commission paid (actual amount
    known); ``refunded``: refunded, no commission; ``frozen``: held (dispute, review);
    ``deducted``: commission taken back after settlement; ``cancelled``: never completed.

    Example:
        >>> SettlementStatus("settled") is SettlementStatus.SETTLED
        True
        >>> len(SettlementStatus)
        6
    """

    ORDERED = "ordered"
    SETTLED = "settled"
    REFUNDED = "refunded"
    FROZEN = "frozen"
    DEDUCTED = "deducted"
    CANCELLED = "cancelled"


class AudienceDimension(StrEnum):
    """A dimension of a creator's audience: market, age band or gender.

    Example:
        >>> AudienceDimension("age") is AudienceDimension.AGE
        True
    """

    COUNTRY = "country"
    AGE = "age"
    GENDER = "gender"


class IdType(StrEnum):
    """Kinds of creator identifiers found in exports and APIs.

    ``handle``: the public username (matched without ``@`` and case); ``platform_id``: the
    platform's creator id; ``open_id``: an id unique per app (TikTok's ``creator_open_id``),
    meaningful only with its ``app_id``.

    Example:
        >>> IdType("open_id") is IdType.OPEN_ID, IdType.HANDLE.value
        (True, 'handle')
    """

    HANDLE = "handle"
    PLATFORM_ID = "platform_id"
    OPEN_ID = "open_id"
