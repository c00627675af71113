"""The built-in export kinds (formats as data), registered on import of ``creatorkit.ingest``.

Headers and formats come from ``EXPORTS.md`` (public documentation copies, SDKs and sellers'
scripts). Where a kind needs a column that document does not name (a table's required
field), the alias is marked ``assumed`` in the field's doc.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from creatorkit.ingest._kinds import Field, Kind
from creatorkit.models import Content, Creator, OrderLine, Record, Sample
from creatorkit.models._schema import Kind as ColumnKind

__all__ = ["BUILTIN", "generic"]

DMY = "%d/%m/%Y %H:%M:%S"
UNIX = "unix"
_ASSUMED = " (header assumed: not named in the public sources)"


def _f(name: str, parse: str, *aliases: str, **extra: Any) -> Field:
    """A field with English aliases; ``lang`` adds other languages' headers."""
    langs: dict[str, tuple[str, ...]] = {"en": aliases}
    for lang, more in extra.pop("lang", {}).items():
        langs[lang] = (more,) if isinstance(more, str) else tuple(more)
    return Field(name=name, parse=parse, aliases=langs, **extra)


LOCAL_DECIMALS = {"*": ".", "id": ",", "vi": ",", "IDR": ",", "VND": ","}
"""Decimal marks by header language, then by currency: Indonesian and Vietnamese files
(and rupiah or dong amounts) write ``150.000`` for 150,000."""

ORDER_STATUS: Mapping[str, str | None] = {
    "completed": "completed",
    "delivered": "completed",
    "shipped": "shipped",
    "in transit": "shipped",
    "to ship": "pending",
    "awaiting shipment": "pending",
    "awaiting collection": "pending",
    "processing": "pending",
    "pending": "pending",
    "unpaid": "pending",
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "refunded": "refunded",
}
SETTLEMENT: Mapping[str, str | None] = {
    "settled": "settled",
    "ชำระแล้ว": "settled",
    "pending": "ordered",
    "ordered": "ordered",
    "รอดำเนินการ": "ordered",
    "ineligible": "cancelled",
    "ไม่มีสิทธิ์": "cancelled",
    "refunded": "refunded",
    "frozen": "frozen",
    "deducted": "deducted",
}
STATUS_OF_SETTLEMENT = {
    "ordered": "pending",
    "settled": "completed",
    "refunded": "refunded",
    "frozen": "pending",
    "deducted": "refunded",
    "cancelled": "cancelled",
}

AFFILIATE_ORDERS = Kind(
    name="tiktok_shop.affiliate_orders",
    model=OrderLine,
    doc="TikTok Shop Seller Center 'Affiliate orders' export (US/ID): one row per SKU line; "
    "times DD/MM/YYYY HH:MM:SS in the shop's zone (pass tz=); money '$1,234.56'; rates '10%'.",
    decimal=LOCAL_DECIMALS,
    derived={"line_id": ("sku",)},
    fields=(
        _f("order_id", "id", "Order ID", required=True, lang={"th": "หมายเลขคำสั่งซื้อ"}),
        _f("product_id", "id", "Product ID"),
        _f("product_name", "text", "Product Name"),
        _f("sku", "id", "SKU ID", required=True, doc="Also the line id within the order."),
        _f("price", "money", "Price"),
        _f("gmv", "money", "Payment Amount", required=True),
        _f("units", "count", "Quantity"),
        _f("fully_refunded", "text", "Fully returned or refunded"),
        _f("payment_method", "text", "Payment method"),
        _f("status", "enum", "Order Status", values=ORDER_STATUS, required=True),
        _f("creator_id", "id", "Creator Username", required=True, doc="The creator's handle."),
        _f("content_type", "text", "Content Type", doc="Video, LIVE, External Traffic Program."),
        _f("content_id", "id", "Content ID", lang={"th": "รหัสเนื้อหา"}),
        _f("commission_model", "text", "commission model"),
        _f("commission_rate", "rate", "Standard commission rate", unit="percent"),
        _f("commission_base_estimated", "money", "Est. Commission Base"),
        _f("commission_estimated", "money", "Est. standard commission payment"),
        _f("commission_base_actual", "money", "Actual Commission Base"),
        _f("commission_actual", "money", "Actual Commission Payment"),
        _f("shop_ads_commission_rate", "rate", "Shop Ads commission rate", unit="percent"),
        _f("shop_ads_commission", "money", "Est./Actual Shop Ads commission payment"),
        _f("cofunded_bonus", "money", "Est./Actual co-funded creator bonus"),
        _f("ordered_at", "time", "Time Created", unit=DMY, required=True),
        _f("paid_at", "time", "Payment time", unit=DMY),
        _f("delivered_at", "time", "Order Delivery Time", unit=DMY),
        _f("settled_at", "time", "Time Commission Paid", unit=DMY),
        _f("currency", "currency", "Currency"),
        _f("platform_name", "text", "Platform"),
    ),
)

CREATOR_ORDERS = Kind(
    name="tiktok_shop.affiliate_creator_orders",
    model=OrderLine,
    doc="TikTok Shop creator-side affiliate orders export (EN/TH/ID): settlement status and "
    "final earned amount per line (Ineligible rows have none); pass the creator with "
    "values={'creator_id': ...}. Indonesian files write '150.000' (dot thousands).",
    decimal=LOCAL_DECIMALS,
    derived={"line_id": ("sku",), "status": ("settlement_status", STATUS_OF_SETTLEMENT)},
    fields=(
        _f(
            "order_id",
            "id",
            "Order ID",
            required=True,
            lang={"th": "หมายเลขคำสั่งซื้อ", "id": "ID Pesanan"},
        ),
        _f("content_id", "id", "Content ID", lang={"th": "รหัสเนื้อหา", "id": "ID Konten"}),
        _f(
            "settlement_status",
            "enum",
            "Order settlement status",
            values=SETTLEMENT,
            required=True,
            lang={"th": "สถานะการชำระคำสั่งซื้อ", "id": "Status penyelesaian"},
        ),
        _f(
            "commission_actual",
            "money",
            "Total final earned amount",
            lang={"th": "ยอดรายได้รวมสุดท้าย", "id": "Total pendapatan akhir"},
        ),
        _f(
            "settled_at",
            "time",
            "Commission settlement date",
            unit=DMY,
            lang={"th": "วันที่ชำระเงินค่าคอมมิชชั่น", "id": "Tanggal penyelesaian komisi"},
        ),
        _f("sku", "id", "SKU ID", required=True, lang={"id": "ID SKU"}, doc=_ASSUMED),
        _f("product_id", "id", "Product ID", lang={"id": "ID Produk"}),
        _f(
            "ordered_at",
            "time",
            "Time Created",
            "Order created time",
            unit=DMY,
            required=True,
            lang={"id": "Waktu Dibuat"},
            doc=_ASSUMED,
        ),
        _f(
            "gmv",
            "money",
            "Payment Amount",
            "GMV",
            required=True,
            lang={"id": "Jumlah Pembayaran"},
            doc=_ASSUMED,
        ),
        _f("units", "count", "Quantity", lang={"id": "Kuantitas"}),
        _f("refunds", "money", "Refund amount", lang={"id": "Jumlah pengembalian"}, doc=_ASSUMED),
        _f("refunded_at", "time", "Refund time", unit=DMY, doc=_ASSUMED),
        _f("commission_rate", "rate", "Standard commission rate", unit="percent"),
        _f("commission_estimated", "money", "Est. commission", "Estimated commission"),
        _f("currency", "currency", "Currency", lang={"id": "Mata uang"}),
    ),
)

VIDEO = Kind(
    name="tiktok_shop.video_performance",
    model=Content,
    doc="TikTok Shop Data Compass video list (EN/ID): title rows, header on row 3, '--' for "
    "missing, currency in the header 'Video Revenue (Rp)', times %Y/%m/%d %H:%M:%S local.",
    decimal=LOCAL_DECIMALS,
    constants={"content_type": "video", "platform": "tiktok"},
    description_row=True,
    fields=(
        _f(
            "creator_id",
            "id",
            "Creator name",
            "Creator username",
            required=True,
            lang={"id": "Nama Kreator", "vi": "Tên người dùng của nhà sáng tạo"},
        ),
        _f("title", "text", "Video Info", "Video name", lang={"id": "Informasi Video"}),
        _f("content_id", "id", "Video ID", required=True),
        _f(
            "published_at",
            "time",
            "Time",
            "Video post date",
            unit="%Y/%m/%d %H:%M:%S",
            required=True,
            lang={"id": "Waktu"},
        ),
        _f(
            "gmv",
            "money",
            "Video Revenue",
            "GMV",
            lang={"id": "Penghasilan Video", "vi": "GMV liên kết"},
        ),
        _f("units", "count", "Unit Sales"),
        _f("orders", "count", "Orders", "Affiliate orders"),
        _f("buyers", "count", "Buyers"),
        _f("refunds", "money", "Refunds", "Affiliate refunded GMV"),
        _f("checkout_rate", "rate", "CO rate", unit="percent"),
        _f("views", "count", "VV", required=True),
        _f("ctr", "rate", "CTR", "Affiliate CTR", unit="percent"),
        _f("view_to_live_rate", "rate", "V-to-L rate", unit="percent"),
        _f("finish_rate", "rate", "Video Finish Rate", unit="percent"),
        _f("commission_estimated", "money", "Est. commission", lang={"vi": "Hoa hồng ước tính"}),
        _f("currency", "currency", "Currency"),
    ),
)

LIVE = Kind(
    name="tiktok_shop.live_performance",
    model=Content,
    doc="TikTok Shop Data Compass LIVE list (EN/ID): launched time %Y/%m/%d/ %H:%M (with the "
    "stray slash), durations '1h2m3s', ACU/PCU, rates '13.99%'; one row per stream, its id "
    "built from the creator id and launch time when the file has none.",
    decimal=LOCAL_DECIMALS,
    constants={"content_type": "live", "platform": "tiktok"},
    derived={"content_id": ("creator_id", "published_at"), "orders": ("orders_paid",)},
    fields=(
        _f("content_id", "id", "LIVE ID", "Live ID", doc=_ASSUMED),
        _f("creator_id", "id", "Creator ID", required=True),
        _f("creator_name", "text", "Creator", lang={"id": "Kreator"}),
        _f(
            "published_at",
            "time",
            "Launched Time",
            unit="%Y/%m/%d/ %H:%M",
            required=True,
            lang={"id": "Waktu Live"},
        ),
        _f("duration_seconds", "duration", "Duration", unit="text", lang={"id": "Durasi"}),
        _f("gmv", "money", "Revenue", lang={"id": "Penghasilan"}),
        _f("orders_created", "count", "Orders Created", lang={"id": "Pesanan Dibuat"}),
        _f("orders_paid", "count", "Orders Paid", lang={"id": "Pesanan Dibayar"}),
        _f("avg_concurrent_viewers", "number", "ACU", lang={"id": "Rata-rata Penonton"}),
        _f("peak_concurrent_viewers", "count", "PCU", lang={"id": "Penonton Tertinggi"}),
        _f("avg_view_seconds", "duration", "Avg. Viewing Duration", unit="text"),
        _f("ctr", "rate", "CTR", unit="percent"),
        _f("checkout_rate", "rate", "CO rate", unit="percent"),
        _f(
            "views",
            "count",
            "Views",
            "Viewers",
            required=True,
            lang={"id": "Penonton"},
            doc=_ASSUMED,
        ),
        _f("currency", "currency", "Currency"),
    ),
)

API_ORDERS = Kind(
    name="tiktok_shop.api.affiliate_orders",
    model=OrderLine,
    doc="TikTok Shop Open API affiliate_seller orders search (JSON): one record per SKU of "
    "each order; 18-digit string ids; unix-second times (UTC); commission_rate in hundredths "
    "of a percent ('1550' = 15.50%); amounts as {amount, currency}, machine decimals "
    "('150000.50', a '.' decimal mark whatever the currency), the currency per amount.",
    tz="UTC",
    records=("data", "orders"),
    lines="skus",
    derived={"line_id": ("sku",), "status": ("settlement_status", STATUS_OF_SETTLEMENT)},
    fields=(
        _f("order_id", "id", "order.id", required=True),
        _f(
            "settlement_status",
            "enum",
            "order.status",
            required=True,
            values={
                "processing": "ordered",
                "completed": "settled",
                "cancelled": "cancelled",
                "frozen": "frozen",
                "deducted": "deducted",
            },
        ),
        _f("content_type", "text", "order.content_type"),
        _f("content_id", "id", "order.content_id"),
        _f("creator_id", "id", "order.creator_username", "order.creator_open_id", required=True),
        _f("ordered_at", "time", "order.create_time", unit=UNIX, required=True),
        _f("settled_at", "time", "order.settle_time", unit=UNIX, doc=_ASSUMED),
        _f("sku", "id", "sku_id", required=True),
        _f("product_id", "id", "product_id"),
        _f("units", "count", "quantity"),
        _f("refunded_units", "count", "refunded_quantity"),
        _f("gmv", "money", "payment_amount.amount", "price.amount", required=True, doc=_ASSUMED),
        _f("currency", "currency", "payment_amount.currency", "price.currency"),
        _f("commission_rate", "rate", "commission_rate", unit="hundredths"),
        _f("commission_estimated", "money", "estimated_paid_commission.amount"),
        _f("commission_actual", "money", "actual_paid_commission.amount"),
    ),
)

SAMPLE_STATUS: Mapping[str, str | None] = {
    "pending": None,
    "awaiting_shipment": None,
    "shipped": "shipped",
    "content_pending": "received",
    "completed": "posted",
    "seller_cancelled": None,
    "creator_cancelled": None,
    "system_cancelled": None,
}

SAMPLES = Kind(
    name="tiktok_shop.sample_applications",
    model=Sample,
    doc="TikTok Shop Open API sample applications (JSON or a CSV of its fields): commission "
    "rate a fraction '0.1', fulfillment '60.50' (percent), '' for metrics the app may not "
    "read, unix-second times. Applications never shipped (pending, awaiting shipment, "
    "cancelled) are excluded and counted.",
    tz="UTC",
    records=("data", "applications"),
    derived={"collaboration_id": ("sample_id",)},
    fields=(
        _f("sample_id", "id", "id", "application_id", required=True),
        _f("collaboration_id", "id", "collaboration_id", doc=_ASSUMED),
        _f("creator_id", "id", "creator_open_id", "creator_id", required=True),
        _f("sku", "id", "sku_id", "product_id", required=True),
        _f("status", "enum", "status", values=SAMPLE_STATUS, required=True),
        _f("shipped_at", "time", "ship_time", unit=UNIX, doc=_ASSUMED),
        _f("deadline", "time", "content_deadline_time", unit=UNIX, doc=_ASSUMED),
        _f("received_at", "time", "delivered_time", unit=UNIX, doc=_ASSUMED),
        _f("posted_at", "time", "content_post_time", unit=UNIX, doc=_ASSUMED),
        _f("commission_rate", "rate", "commission_rate", unit="fraction"),
        _f("fulfillment_rate", "rate", "fulfillment_percentage", unit="percent"),
    ),
)

AMAZON = Kind(
    name="amazon.associates_earnings",
    model=OrderLine,
    doc="Amazon Associates 'Fee-Earnings' report: a title line first, money in the header "
    "'Revenue($)'; one row per ASIN, tracking id, day and sale type (its order id is built "
    "from them); the tracking id identifies the creator.",
    constants={"status": "completed", "line_id": "1"},
    derived={"order_id": ("creator_id", "sku", "ordered_at", "price", "device", "direct_sale")},
    fields=(
        _f("category", "text", "Category"),
        _f("product_name", "text", "Name"),
        _f("sku", "id", "ASIN", required=True),
        _f("seller", "text", "Seller"),
        _f("creator_id", "id", "Tracking ID", "Tag", required=True),
        _f("ordered_at", "time", "Date Shipped", unit="%Y-%m-%d", required=True, doc=_ASSUMED),
        _f("price", "money", "Price"),
        _f("units", "count", "Items Shipped", "Qty"),
        _f("returns", "count", "Returns"),
        _f("gmv", "money", "Revenue", required=True),
        _f("commission_estimated", "money", "Ad Fees"),
        _f("device", "text", "Device Type Group"),
        _f("direct_sale", "text", "Direct Sale"),
    ),
)

ADS = Kind(
    name="tiktok_ads.report",
    model=Content,
    doc="TikTok Ads reporting API rows (metrics as strings): one row per ad and day, "
    "stat_time_day in the account's fixed zone without an offset (pass tz='+07:00'); ctr in "
    "percent; spend in the account currency (pass currency=).",
    constants={"content_type": "video", "platform": "tiktok"},
    derived={"content_id": ("ad_id", "published_at"), "paid_views": ("views",)},
    records=("data", "list"),
    fields=(
        _f("ad_id", "id", "ad_id", "dimensions.ad_id", required=True),
        _f(
            "creator_id",
            "id",
            "identity_id",
            "advertiser_id",
            "dimensions.advertiser_id",
            required=True,
        ),
        _f(
            "published_at",
            "time",
            "stat_time_day",
            "dimensions.stat_time_day",
            unit="%Y-%m-%d %H:%M:%S",
            required=True,
        ),
        _f("spend", "money", "spend", "metrics.spend"),
        _f("impressions", "count", "impressions", "metrics.impressions"),
        _f("clicks", "count", "clicks", "metrics.clicks"),
        _f("ctr", "rate", "ctr", "metrics.ctr", unit="percent"),
        _f("cpm", "money", "cpm", "metrics.cpm"),
        _f("reach", "count", "reach", "metrics.reach"),
        _f("views", "count", "video_play_actions", "metrics.video_play_actions", required=True),
        _f("watched_2s", "count", "video_watched_2s", "metrics.video_watched_2s"),
        _f("watched_6s", "count", "video_watched_6s", "metrics.video_watched_6s"),
        _f("avg_play_seconds", "number", "average_video_play", "metrics.average_video_play"),
        _f("views_p25", "count", "video_views_p25", "metrics.video_views_p25"),
        _f("views_p50", "count", "video_views_p50", "metrics.video_views_p50"),
        _f("views_p75", "count", "video_views_p75", "metrics.video_views_p75"),
        _f("views_p100", "count", "video_views_p100", "metrics.video_views_p100"),
        _f("engaged_views", "count", "engaged_view", "metrics.engaged_view"),
        _f("likes", "count", "likes", "metrics.likes"),
        _f("comments", "count", "comments", "metrics.comments"),
        _f("shares", "count", "shares", "metrics.shares"),
        _f("follows", "count", "follows", "metrics.follows"),
        _f("profile_visits", "count", "profile_visits", "metrics.profile_visits"),
    ),
)

MARKETPLACE_CREATORS = Kind(
    name="tiktok_shop.api.marketplace_creators",
    model=Creator,
    doc="TikTok Shop Open API marketplace creator search (JSON): gmv as {amount, currency}, "
    "or only gmv_range {minimum_amount, maximum_amount, formatted_range '$0-$100'} when the "
    "creator does not share precise data (kept as gmv_low/gmv_high, gmv missing); "
    "avg_commission_rate and ec_video_engagement_rate in hundredths of a percent. Give the "
    "market and category with values= when the payload lacks them.",
    tz="UTC",
    records=("data", "creators"),
    constants={"platform": "tiktok"},
    ranges={"gmv": ("gmv_low", "gmv_high")},
    fields=(
        _f("creator_id", "id", "creator_open_id", "open_id", required=True),
        _f("handle", "text", "username", doc=_ASSUMED),
        _f("followers", "count", "follower_count", "followers", required=True, doc=_ASSUMED),
        _f("country", "text", "region", "country", required=True, doc=_ASSUMED),
        _f("category", "text", "category", "main_category", required=True, doc=_ASSUMED),
        _f("gmv", "money", "gmv.amount"),
        _f("currency", "currency", "gmv.currency", "gmv_range.currency"),
        _f("gmv_low", "money", "gmv_range.minimum_amount", doc="Lower bound of the GMV range."),
        _f("gmv_high", "money", "gmv_range.maximum_amount", doc="Upper bound of the GMV range."),
        _f("gmv_range", "text", "gmv_range.formatted_range", doc="The range as displayed."),
        _f("avg_commission_rate", "rate", "avg_commission_rate", unit="hundredths"),
        _f("video_engagement_rate", "rate", "ec_video_engagement_rate", unit="hundredths"),
    ),
)

BUILTIN = (
    AFFILIATE_ORDERS,
    VIDEO,
    LIVE,
    CREATOR_ORDERS,
    SAMPLES,
    API_ORDERS,
    AMAZON,
    ADS,
    MARKETPLACE_CREATORS,
)

_BY_COLUMN_KIND = {
    ColumnKind.ID: "id",
    ColumnKind.COUNT: "count",
    ColumnKind.RATE: "rate",
    ColumnKind.TIME: "time",
    ColumnKind.CURRENCY: "currency",
}


def _check_generic(model: Any, columns: Any, date_format: Any, rate_unit: Any, name: Any) -> None:
    from creatorkit._validation import Problems, check_choice
    from creatorkit.errors import ErrorCode
    from creatorkit.ingest._parse import RATE_UNITS
    from creatorkit.models import MODELS

    problems = Problems("generic")
    if not (isinstance(model, type) and model in MODELS):
        problems.add("model", "must be a record class such as ck.Content", ErrorCode.WRONG_TYPE)
    if not isinstance(columns, Mapping) or not columns:
        problems.add("columns", "must map headers to fields", ErrorCode.WRONG_TYPE)
    elif not all(isinstance(k, str) and isinstance(v, str) and v for k, v in columns.items()):
        problems.add("columns", "headers and fields must be strings", ErrorCode.WRONG_TYPE)
    if not (isinstance(date_format, str) and "%" in date_format):
        problems.add("date_format", "must be a strptime format", ErrorCode.INVALID_VALUE)
    if not isinstance(name, str) or not name:
        problems.add("name", "must be a non-empty string", ErrorCode.WRONG_TYPE)
    problems.raise_if_any()
    check_choice("rate_unit", rate_unit, RATE_UNITS)


def generic(
    model: type[Record],
    columns: Mapping[str, str],
    *,
    date_format: str = "%Y-%m-%d %H:%M:%S",
    rate_unit: str = "fraction",
    name: str = "generic",
) -> Kind:
    """A kind for any file: ``columns`` maps its headers to ``model``'s columns.

    How each cell is read follows the column's schema: ids stay strings, counts are whole
    numbers, money columns read money strings, rates use ``rate_unit``, times
    ``date_format`` and enums their values (any case).

    Example:
        >>> from creatorkit import Content
        >>> k = generic(Content, {"Post": "content_id", "Plays": "views"})
        >>> [(f.name, f.parse) for f in k.fields]
        [('content_id', 'id'), ('views', 'count')]
    """
    _check_generic(model, columns, date_format, rate_unit, name)
    schema = {c.name: c for c in model.schema()}
    fields: list[Field] = []
    for header, target in columns.items():
        col = schema.get(target)
        parse, unit, values = "text", None, {}
        if col is not None:
            parse = _BY_COLUMN_KIND.get(col.kind, "text")
            if col.money or col.kind in (ColumnKind.AMOUNT,):
                parse = "money" if col.money else "number"
            if col.enum is not None:
                parse, values = "enum", {e.value: e.value for e in col.enum}
            unit = {"rate": rate_unit, "time": date_format}.get(parse)
        fields.append(
            Field(
                name=target,
                aliases={"*": (header,)},
                parse=parse,
                unit=unit,
                values=values,
                required=col is not None and col.required,
            )
        )
    return Kind(name=name, model=model, fields=tuple(fields), doc="A user-supplied mapping.")
