"""Typed records: one frozen, slotted, keyword-only attrs class per domain entity.

Records are the typed edge of creatorkit (single entities, configs, service payloads);
computation happens on tables (``creatorkit.frames``). Every record validates all its
fields on construction and raises one :class:`~creatorkit.errors.ValidationError`
listing every problem. ``to_dict`` / ``from_dict`` round-trip through JSON.

Example:
    >>> from creatorkit import Creator
    >>> c = Creator(creator_id="c1", platform="tiktok", country="TH", category="beauty",
    ...             followers=52000)
    >>> c.platform
    <Platform.TIKTOK: 'tiktok'>
    >>> Creator.from_dict(c.to_dict()) == c
    True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar, Self

import attrs
import pandas as pd

from creatorkit._json import to_jsonable
from creatorkit._validation import Problems, did_you_mean, fail
from creatorkit.errors import ErrorCode
from creatorkit.models import _rules
from creatorkit.models._rules import Rule
from creatorkit.models._schema import Column, Kind, check_scalar, column, columns_of
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

__all__ = [
    "AudienceShare",
    "Campaign",
    "Collaboration",
    "Content",
    "Creator",
    "CreatorIdentity",
    "OrderLine",
    "RateCard",
    "Record",
    "Review",
    "Sample",
    "Violation",
]

Quality = tuple[str, str, str]
"""A plausibility check ``(code, column, bound)``: a row is flagged where column > bound."""


@attrs.frozen(kw_only=True)
class Record:
    """Base of the domain records: validation, schema and JSON round trip.

    Attributes:
        key: Columns that identify a row uniquely in a table.
        quality: Plausibility checks ``(code, column, bound)``; a table row is *flagged*
            (kept, reported) where ``column`` exceeds ``bound``.
        ordered: Pairs of time columns ``(earlier, later)``: a row where ``later`` is
            before ``earlier`` is impossible and raises.
        rules: Cross-column rules (settlement states against amounts, audience segments)
            and, for tables, cross-row rules (shares summing to 1, overlapping validity).

    Example:
        Every record type is a ``Record``; a value that breaks its column's rule raises:

        >>> from creatorkit.errors import ValidationError
        >>> issubclass(Creator, Record), Creator.key
        (True, ('creator_id',))
        >>> try:
        ...     Creator(creator_id="c1", platform="tiktok", country="ID", category="food",
        ...             followers=-5)
        ... except ValidationError as err:
        ...     print(err.codes, err.failure_cases["rule"].tolist())
        ('negative',) ['must be a whole number >= 0']
    """

    key: ClassVar[tuple[str, ...]] = ()
    quality: ClassVar[tuple[Quality, ...]] = ()
    ordered: ClassVar[tuple[tuple[str, str], ...]] = ()
    rules: ClassVar[tuple[Rule, ...]] = ()

    def __attrs_post_init__(self) -> None:
        problems = Problems(type(self).__name__)
        for col in self.schema():
            found = check_scalar(col, getattr(self, col.name))
            if found is not None:
                problems.add(col.name, found[0], found[1], values=[getattr(self, col.name)])
        if not problems:
            for earlier, later in self.ordered:
                first, second = getattr(self, earlier), getattr(self, later)
                if first is not None and second is not None and second < first:
                    rule = f"must not be before {earlier}"
                    problems.add(later, rule, ErrorCode.INCONSISTENT, values=[second])
        if not problems:
            self._check_rules(problems)
        problems.raise_if_any()

    def _check_rules(self, problems: Problems) -> None:
        """The row rules on this record, as a one-row table (the verdict tables get).

        A rule is skipped when the column it keys on (its first need) is empty.
        """
        rules = [r for r in self.rules if not r.table and getattr(self, r.needs[0]) is not None]
        if not rules:
            return
        names = dict.fromkeys(n for r in rules for n in (*r.needs, r.column))
        row = pd.DataFrame({name: [getattr(self, name)] for name in names})
        for rule in rules:
            if rule.check(row)[0]:
                problems.add(rule.column, rule.rule, rule.code, values=[getattr(self, rule.column)])

    @classmethod
    def schema(cls) -> tuple[Column, ...]:
        """The column schema of this record type (shared with its table).

        Example:
            >>> [c.name for c in Violation.schema()][:3]
            ['violation_id', 'creator_id', 'occurred_at']
        """
        return columns_of(cls)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (enums as values, times as ISO-8601 with offset).

        Example:
            >>> v = Violation(violation_id="v1", creator_id="c1", severity="low", points=1,
            ...               occurred_at="2026-05-01T07:00:00+07:00", status="active")
            >>> v.to_dict()["occurred_at"]
            '2026-05-01T07:00:00+07:00'
        """
        return {col.name: to_jsonable(getattr(self, col.name)) for col in self.schema()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build a record from :meth:`to_dict` output (or any mapping of field values).

        Raises:
            ValidationError: Unknown keys, missing required keys or invalid values.

        Example:
            >>> Creator.from_dict({"creator_id": "c2", "platform": "instagram", "country": "MY",
            ...                    "category": "food", "followers": 900}).country
            'MY'
        """
        if not isinstance(data, Mapping):
            fail(cls.__name__, "must be a mapping", ErrorCode.WRONG_TYPE, value=type(data).__name__)
        names = {c.name for c in cls.schema()}
        problems = Problems(cls.__name__)
        for key in data:
            if key not in names:
                problems.add(str(key), "is not a field", ErrorCode.UNKNOWN_NAME)
        for col in cls.schema():
            if col.required and col.name not in data:
                problems.add(col.name, "is required", ErrorCode.MISSING_VALUE)
        problems.raise_if_any()
        return cls(**data)


@attrs.frozen(kw_only=True, slots=True)
class Creator(Record):
    """A creator account (a profile snapshot).

    Example:
        >>> Creator(creator_id="c1", platform="youtube", country="GB", category="tech",
        ...         followers=12_000, followers_30d_ago=11_000).followers_30d_ago
        11000
    """

    key = ("creator_id",)
    creator_id: str = column(Kind.ID, "Creator id (a string, never a number).")
    platform: Platform = column(Kind.ENUM, "Platform.", enum=Platform)
    country: str = column(Kind.COUNTRY, "Market, ISO 3166-1 alpha-2.")
    category: str = column(Kind.TEXT, "Main content or product category.")
    followers: int = column(Kind.COUNT, "Followers at the snapshot.")
    followers_30d_ago: int | None = column(
        Kind.COUNT, "Followers 30 days before the snapshot.", default=None
    )
    handle: str | None = column(Kind.TEXT, "Public handle.", default=None)
    language: str | None = column(Kind.TEXT, "Main language (BCP 47).", default=None)
    snapshot_at: dt.datetime | None = column(
        Kind.TIME, "When the snapshot was taken.", default=None
    )


@attrs.frozen(kw_only=True, slots=True)
class Content(Record):
    """One video, live stream or post, with its performance counters.

    Example:
        >>> Content(content_id="7394017712830001234", creator_id="c1",
        ...         published_at="2026-03-01T20:00:00+07:00", content_type="live",
        ...         views=5000, orders=12, gmv=240.0, currency="USD").content_type.value
        'live'
    """

    key = ("content_id",)
    quality = (
        ("likes_above_views", "likes", "views"),
        ("clicks_above_views", "clicks", "views"),
        ("orders_above_clicks", "orders", "clicks"),
        ("paid_views_above_views", "paid_views", "views"),
        ("orders_paid_above_created", "orders_paid", "orders_created"),
        ("average_above_peak_viewers", "avg_concurrent_viewers", "peak_concurrent_viewers"),
        ("viewing_above_duration", "avg_view_seconds", "duration_seconds"),
    )
    content_id: str = column(Kind.ID, "Content id (19-digit ids stay strings).")
    creator_id: str = column(Kind.ID, "Creator who published it.")
    published_at: dt.datetime = column(Kind.TIME, "Publication time (timezone-aware).")
    content_type: ContentType = column(Kind.ENUM, "video, live or post.", enum=ContentType)
    views: int = column(Kind.COUNT, "Views (plays).")
    likes: int = column(Kind.COUNT, "Likes.", default=0)
    comments: int = column(Kind.COUNT, "Comments.", default=0)
    shares: int = column(Kind.COUNT, "Shares.", default=0)
    saves: int = column(Kind.COUNT, "Saves (favourites).", default=0)
    follows: int = column(Kind.COUNT, "Follows gained from the content.", default=0)
    completion: float | None = column(
        Kind.RATE, "Average share of the content watched.", default=None
    )
    followers_at_post: int | None = column(
        Kind.COUNT, "Creator followers when posted.", default=None
    )
    clicks: int = column(Kind.COUNT, "Product clicks.", default=0)
    add_to_carts: int = column(Kind.COUNT, "Add-to-cart events.", default=0)
    orders: int = column(Kind.COUNT, "Attributed orders.", default=0)
    units: int = column(Kind.COUNT, "Units sold.", default=0)
    gmv: float = column(Kind.AMOUNT, "Attributed GMV.", default=0.0, money=True)
    paid_views: int = column(Kind.COUNT, "Views bought with paid traffic.", default=0)
    currency: str | None = column(Kind.CURRENCY, "Currency of gmv.", default=None)
    campaign_id: str | None = column(Kind.ID, "Campaign it belongs to.", default=None)
    product_id: str | None = column(Kind.ID, "Main product promoted.", default=None)
    platform: Platform | None = column(Kind.ENUM, "Platform.", default=None, enum=Platform)
    duration_seconds: float | None = column(
        Kind.AMOUNT, "LIVE: length of the stream in seconds.", default=None
    )
    viewers: int | None = column(Kind.COUNT, "LIVE: distinct viewers.", default=None)
    avg_concurrent_viewers: float | None = column(
        Kind.AMOUNT, "LIVE: average concurrent viewers (ACU).", default=None
    )
    peak_concurrent_viewers: int | None = column(
        Kind.COUNT, "LIVE: peak concurrent viewers (PCU).", default=None
    )
    avg_view_seconds: float | None = column(
        Kind.AMOUNT, "LIVE: average viewing time per viewer, seconds.", default=None
    )
    orders_created: int | None = column(Kind.COUNT, "LIVE: orders created.", default=None)
    orders_paid: int | None = column(Kind.COUNT, "LIVE: orders paid.", default=None)


@attrs.frozen(kw_only=True, slots=True)
class Campaign(Record):
    """A brand's promotion with budget, goal, markets, dates and KPI targets.

    Example:
        >>> Campaign(campaign_id="k1", brand="B", goal="sales", category="beauty",
        ...          start="2026-04-01T00:00:00+00:00", end="2026-04-30T00:00:00+00:00",
        ...          budget=20_000.0, currency="USD", markets=["TH", "VN"],
        ...          kpi_targets={"gmv": 60_000}).markets
        ('TH', 'VN')
    """

    key = ("campaign_id",)
    ordered = (("start", "end"),)
    campaign_id: str = column(Kind.ID, "Campaign id.")
    brand: str = column(Kind.TEXT, "Brand or seller.")
    goal: Goal = column(Kind.ENUM, "awareness (brand promotion) or sales.", enum=Goal)
    category: str = column(Kind.TEXT, "Product category.")
    start: dt.datetime = column(Kind.TIME, "Start (timezone-aware).")
    end: dt.datetime = column(Kind.TIME, "End (timezone-aware).")
    budget: float = column(Kind.AMOUNT, "Budget.", money=True)
    currency: str = column(Kind.CURRENCY, "Currency of budget.")
    markets: tuple[str, ...] = column(Kind.COUNTRIES, "Target markets.", default=())
    kpi_targets: dict[str, float] = column(Kind.TARGETS, "KPI name → target value.", default={})


@attrs.frozen(kw_only=True, slots=True)
class Collaboration(Record):
    """One creator in one campaign: cost items, rolled-up results, samples and replies.

    Example:
        >>> Collaboration(collaboration_id="co1", creator_id="c1", campaign_id="k1",
        ...               currency="USD", fixed_fee=200.0, commission_rate=0.15).commission
    """

    key = ("collaboration_id",)
    ordered = (
        ("agreed_at", "content_due_at"),
        ("agreed_at", "posted_at"),
        ("agreed_at", "paid_at"),
    )
    quality = (
        ("refunds_above_gmv", "refunds", "gmv"),
        ("posted_above_received", "samples_posted_due", "samples_received_due"),
        ("on_time_above_posted", "samples_posted_on_time", "samples_posted"),
        ("replies_above_invitations", "replies", "invitations"),
    )
    collaboration_id: str = column(Kind.ID, "Collaboration id.")
    creator_id: str = column(Kind.ID, "Creator.")
    campaign_id: str = column(Kind.ID, "Campaign.")
    currency: str = column(Kind.CURRENCY, "Currency of every money column.")
    fixed_fee: float = column(Kind.AMOUNT, "Fixed (flat) fee.", default=0.0, money=True)
    guaranteed_minimum: float = column(
        Kind.AMOUNT, "Guaranteed minimum commission (a floor).", default=0.0, money=True
    )
    commission_rate: float = column(Kind.RATE, "Commission share of GMV (CPS).", default=0.0)
    commission: float | None = column(
        Kind.AMOUNT, "Commission actually owed; derived when missing.", default=None, money=True
    )
    bonus: float = column(Kind.AMOUNT, "Performance bonus.", default=0.0, money=True)
    sample_cost: float = column(Kind.AMOUNT, "Cost of samples.", default=0.0, money=True)
    shipping_cost: float = column(Kind.AMOUNT, "Sample shipping.", default=0.0, money=True)
    ads_spend: float = column(Kind.AMOUNT, "Paid traffic spend.", default=0.0, money=True)
    service_fee: float = column(Kind.AMOUNT, "Platform service fee.", default=0.0, money=True)
    margin: float | None = column(Kind.RATE, "Contribution margin rate of GMV.", default=None)
    views: int = column(Kind.COUNT, "Views of the collaboration's content.", default=0)
    clicks: int = column(Kind.COUNT, "Product clicks.", default=0)
    likes: int = column(Kind.COUNT, "Likes.", default=0)
    comments: int = column(Kind.COUNT, "Comments.", default=0)
    shares: int = column(Kind.COUNT, "Shares.", default=0)
    saves: int = column(Kind.COUNT, "Saves.", default=0)
    orders: int = column(Kind.COUNT, "Attributed orders.", default=0)
    new_customers: int = column(Kind.COUNT, "Orders from new customers.", default=0)
    gmv: float = column(Kind.AMOUNT, "Attributed GMV.", default=0.0, money=True)
    refunds: float = column(Kind.AMOUNT, "Refunds known at as_of.", default=0.0, money=True)
    samples_received_due: int = column(
        Kind.COUNT, "Samples received whose posting deadline has passed.", default=0
    )
    samples_posted_due: int = column(Kind.COUNT, "Of those, samples posted as agreed.", default=0)
    samples_posted: int = column(Kind.COUNT, "Samples posted (any time).", default=0)
    samples_posted_on_time: int = column(Kind.COUNT, "Samples posted by their deadline.", default=0)
    invitations: int = column(Kind.COUNT, "Invitations sent.", default=0)
    replies: int = column(Kind.COUNT, "Invitations answered.", default=0)
    reply_hours: float | None = column(Kind.AMOUNT, "Hours until the first reply.", default=None)
    agreed_at: dt.datetime | None = column(
        Kind.TIME, "When the deal was agreed (its cost items are committed then).", default=None
    )
    content_due_at: dt.datetime | None = column(Kind.TIME, "When the content is due.", default=None)
    posted_at: dt.datetime | None = column(
        Kind.TIME, "When the (first) content was posted.", default=None
    )
    paid_at: dt.datetime | None = column(Kind.TIME, "When the fixed cost was paid.", default=None)


@attrs.frozen(kw_only=True, slots=True)
class Sample(Record):
    """A product sample shipped to a creator, with its posting deadline.

    Example:
        >>> Sample(sample_id="s1", collaboration_id="co1", creator_id="c1", sku="sku9",
        ...        status="shipped", shipped_at="2026-04-02T09:00:00+00:00",
        ...        deadline="2026-04-23T09:00:00+00:00").status.value
        'shipped'
    """

    key = ("sample_id",)
    ordered = (("shipped_at", "received_at"), ("received_at", "posted_at"))
    sample_id: str = column(Kind.ID, "Sample id.")
    collaboration_id: str = column(Kind.ID, "Collaboration.")
    creator_id: str = column(Kind.ID, "Creator.")
    sku: str = column(Kind.ID, "Product SKU.")
    status: SampleStatus = column(Kind.ENUM, "Life-cycle status.", enum=SampleStatus)
    shipped_at: dt.datetime = column(Kind.TIME, "Shipped.")
    deadline: dt.datetime = column(Kind.TIME, "Posting deadline.")
    received_at: dt.datetime | None = column(Kind.TIME, "Received.", default=None)
    posted_at: dt.datetime | None = column(Kind.TIME, "Posted.", default=None)
    cost: float = column(Kind.AMOUNT, "Cost of goods and shipping.", default=0.0, money=True)


STAR_DIMENSIONS = (
    "content_quality",
    "engagement",
    "conversion",
    "timeliness",
    "compliance",
    "communication",
    "creativity",
)
"""The rating dimensions of a :class:`Review`, 1–5 stars each."""


@attrs.frozen(kw_only=True, slots=True)
class Review(Record):
    """A brand's structured rating of a creator after a collaboration (1–5 stars).

    Example:
        >>> Review(review_id="r1", creator_id="c1", reviewer_id="u7",
        ...        created_at="2026-05-03T10:00:00+00:00", conversion=2, timeliness=5,
        ...        would_rehire=True, tags=["on_time"]).tags
        ('on_time',)
    """

    key = ("review_id",)
    review_id: str = column(Kind.ID, "Review id.")
    creator_id: str = column(Kind.ID, "Creator reviewed.")
    reviewer_id: str = column(Kind.ID, "Who reviewed (brand staff).")
    created_at: dt.datetime = column(Kind.TIME, "When reviewed.")
    campaign_id: str | None = column(Kind.ID, "Campaign.", default=None)
    content_quality: float | None = column(Kind.STARS, "Content quality.", default=None)
    engagement: float | None = column(Kind.STARS, "Engagement.", default=None)
    conversion: float | None = column(Kind.STARS, "Conversion.", default=None)
    timeliness: float | None = column(Kind.STARS, "Timeliness.", default=None)
    compliance: float | None = column(Kind.STARS, "Compliance.", default=None)
    communication: float | None = column(Kind.STARS, "Communication.", default=None)
    creativity: float | None = column(Kind.STARS, "Creativity.", default=None)
    would_rehire: bool | None = column(Kind.BOOL, "Would hire again.", default=None)
    tags: tuple[str, ...] = column(Kind.TAGS, "Reason tags.", default=())
    text: str | None = column(Kind.TEXT, "Free text.", default=None)


@attrs.frozen(kw_only=True, slots=True)
class OrderLine(Record):
    """One SKU line of an attributed order (an order id repeats across its lines).

    Example:
        >>> OrderLine(order_id="5770000000000000001", line_id="2", sku="sku9",
        ...           creator_id="c1", ordered_at="2026-05-01T08:00:00+07:00",
        ...           gmv=350_000.0, currency="IDR", status="completed").attribution.value
        'organic'
    """

    key = ("order_id", "line_id")
    ordered = (("ordered_at", "refunded_at"), ("ordered_at", "settled_at"))
    quality = (("refunds_above_gmv", "refunds", "gmv"),)
    rules = (
        _rules.requires("settled", "commission_actual"),
        _rules.requires("settled", "settled_at"),
        _rules.requires("refunded", "refunded_at"),
        _rules.refunded_needs_refunds(),
        _rules.unsettled_has_no_actual(),
    )
    order_id: str = column(Kind.ID, "Order id (19 digits; repeats across lines).")
    line_id: str = column(Kind.ID, "Line within the order.")
    sku: str = column(Kind.ID, "Product SKU.")
    creator_id: str = column(Kind.ID, "Attributed creator.")
    ordered_at: dt.datetime = column(Kind.TIME, "Order time (timezone-aware).")
    gmv: float = column(Kind.AMOUNT, "Line revenue (GMV).", money=True)
    currency: str = column(Kind.CURRENCY, "Currency of the money columns.")
    status: OrderStatus = column(Kind.ENUM, "Line status.", enum=OrderStatus)
    attribution: AttributionType = column(
        Kind.ENUM, "organic or paid.", default=AttributionType.ORGANIC, enum=AttributionType
    )
    units: int = column(Kind.COUNT, "Units.", default=1)
    refunds: float = column(Kind.AMOUNT, "Refunded amount.", default=0.0, money=True)
    refunded_at: dt.datetime | None = column(Kind.TIME, "When refunded.", default=None)
    commission_estimated: float | None = column(
        Kind.AMOUNT, "Estimated commission.", default=None, money=True
    )
    commission_actual: float | None = column(
        Kind.AMOUNT, "Settled commission.", default=None, money=True
    )
    settled_at: dt.datetime | None = column(Kind.TIME, "Settlement time.", default=None)
    new_customer: bool = column(Kind.BOOL, "First order of this customer.", default=False)
    customer_id: str | None = column(Kind.ID, "Customer.", default=None)
    content_id: str | None = column(Kind.ID, "Attributed content.", default=None)
    campaign_id: str | None = column(Kind.ID, "Attributed campaign.", default=None)
    settlement_status: SettlementStatus | None = column(
        Kind.ENUM,
        "Commission settlement: ordered, settled, refunded, frozen, deducted, cancelled.",
        default=None,
        enum=SettlementStatus,
    )


@attrs.frozen(kw_only=True, slots=True)
class Violation(Record):
    """A platform policy violation with severity and points.

    Example:
        >>> Violation(violation_id="v1", creator_id="c1",
        ...           occurred_at="2026-05-01T00:00:00+00:00", severity="critical",
        ...           points=12, status="appealed").points
        12
    """

    key = ("violation_id",)
    violation_id: str = column(Kind.ID, "Violation id.")
    creator_id: str = column(Kind.ID, "Creator.")
    occurred_at: dt.datetime = column(Kind.TIME, "When it happened.")
    severity: Severity = column(Kind.ENUM, "low … critical.", enum=Severity)
    points: int = column(Kind.COUNT, "Penalty points.")
    status: ViolationStatus = column(
        Kind.ENUM, "active, appealed or overturned.", enum=ViolationStatus
    )
    policy: str | None = column(Kind.TEXT, "Policy name.", default=None)


@attrs.frozen(kw_only=True, slots=True)
class AudienceShare(Record):
    """One segment of a creator's audience at a snapshot (long format: one row per segment).

    The shares of one creator, snapshot and dimension sum to 1 within
    ``AUDIENCE_TOLERANCE`` (checked on tables). Age bands are ``13-17``, ``18-24``,
    ``25-34``, ``35-44``, ``45-54``, ``55+`` (18+ is every band but ``13-17``); genders
    ``female``, ``male``, ``other``; countries ISO 3166-1 alpha-2.

    Example:
        >>> AudienceShare(creator_id="c1", snapshot_at="2026-06-01T00:00:00+00:00",
        ...               dimension="age", segment="18-24", share=0.42).share
        0.42
    """

    key = ("creator_id", "snapshot_at", "dimension", "segment")
    rules = (_rules.audience_segments(), _rules.audience_sums())
    creator_id: str = column(Kind.ID, "Creator.")
    snapshot_at: dt.datetime = column(Kind.TIME, "When the audience was measured.")
    dimension: AudienceDimension = column(
        Kind.ENUM, "country, age or gender.", enum=AudienceDimension
    )
    segment: str = column(Kind.TEXT, "Country code, age band or gender.")
    share: float = column(Kind.RATE, "Share of the audience in the segment.")


@attrs.frozen(kw_only=True, slots=True)
class CreatorIdentity(Record):
    """One identifier of a creator (a handle, a platform id, a per-app open id) over time.

    An identifier maps to one creator at a time: rows with the same ``id_type``,
    ``platform``, ``app_id`` and ``value`` must not overlap in validity (checked on tables).

    Example:
        >>> CreatorIdentity(creator_id="c1", id_type="handle", value="glowwithmai",
        ...                 platform="tiktok", valid_from="2026-01-01T00:00:00+00:00").id_type
        <IdType.HANDLE: 'handle'>
    """

    key = ("id_type", "platform", "app_id", "value", "valid_from")
    ordered = (("valid_from", "valid_to"),)
    rules = (
        _rules.requires("open_id", "app_id", on="id_type"),
        _rules.no_overlap(("id_type", "platform", "app_id", "value"), "an identifier"),
    )
    creator_id: str = column(Kind.ID, "The creator it identifies.")
    id_type: IdType = column(Kind.ENUM, "handle, platform_id or open_id.", enum=IdType)
    value: str = column(Kind.ID, "The identifier as exports spell it (a string).")
    platform: Platform = column(Kind.ENUM, "Platform.", enum=Platform)
    valid_from: dt.datetime = column(Kind.TIME, "Valid from (inclusive).")
    valid_to: dt.datetime | None = column(
        Kind.TIME, "Valid until (exclusive); empty = still valid.", default=None
    )
    app_id: str | None = column(Kind.ID, "App of an open_id (open ids are per app).", default=None)


@attrs.frozen(kw_only=True, slots=True)
class RateCard(Record):
    """A creator's price for one content type over a validity period.

    Example:
        >>> RateCard(creator_id="c1", content_type="video", fixed_fee=300.0, currency="USD",
        ...          valid_from="2026-01-01T00:00:00+00:00").fixed_fee
        300.0
    """

    key = ("creator_id", "content_type", "valid_from")
    ordered = (("valid_from", "valid_to"),)
    rules = (_rules.no_overlap(("creator_id", "content_type"), "rate cards of a creator"),)
    creator_id: str = column(Kind.ID, "Creator.")
    content_type: ContentType = column(Kind.ENUM, "video, live or post.", enum=ContentType)
    fixed_fee: float = column(Kind.AMOUNT, "Fixed fee per piece of content.", money=True)
    currency: str = column(Kind.CURRENCY, "Currency of the fee.")
    valid_from: dt.datetime = column(Kind.TIME, "Valid from (inclusive).")
    valid_to: dt.datetime | None = column(
        Kind.TIME, "Valid until (exclusive); empty = still valid.", default=None
    )


def _named_arguments(model: type[Record]) -> None:
    """Missing or unknown keyword arguments raise ValidationError (all of them, by name).

    Without this, attrs' own ``__init__`` raises a ``TypeError`` naming only some of them.
    """
    init = model.__init__
    names = [c.name for c in model.schema()]
    required = [c.name for c in model.schema() if c.required]

    def checked_init(self: Record, *args: Any, **kwargs: Any) -> None:
        if not args:  # positional arguments stay a TypeError: the fields are keyword-only
            problems = Problems(model.__name__)
            for key in kwargs:
                if key not in names:
                    rule = f"is not a field of {model.__name__}.{did_you_mean(key, names)}"
                    problems.add(key, rule, ErrorCode.UNKNOWN_NAME)
            for name in required:
                if name not in kwargs:
                    problems.add(name, "is required", ErrorCode.MISSING_VALUE)
            problems.raise_if_any()
        init(self, *args, **kwargs)

    checked_init.__doc__ = init.__doc__
    checked_init.__name__ = checked_init.__qualname__ = "__init__"
    setattr(model, "__init__", checked_init)  # noqa: B010 - replaces attrs' generated __init__


RECORDS: tuple[type[Record], ...] = (
    Creator,
    Content,
    Campaign,
    Collaboration,
    Sample,
    Review,
    OrderLine,
    Violation,
    AudienceShare,
    CreatorIdentity,
    RateCard,
)
"""Every record type, in documentation order."""

for _model in RECORDS:
    _named_arguments(_model)
