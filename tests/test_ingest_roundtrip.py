"""No silent loss: random tables → export files in a drawn dialect → ingest.read → same values.

The writer below does not use ``creatorkit.ingest``: headers and cell formats are written
literally as EXPORTS.md describes them (BOM, tab or comma, ids padded with a tab, money
``"$1,234.56"`` / ``"Rp9.900"``, rates ``"10%"`` or hundredths of a percent, DD/MM/YYYY or
the US ``MM/DD/YYYY hh:mm:ss AM`` with ``date_format=``, ``%Y/%m/%d/ %H:%M`` with the stray
slash, durations ``1h2m3s``, unix seconds, title rows, Indonesian/Thai headers). Each example
draws one dialect; ids must come back digit for digit and every value exactly (rates to the
float nearest the written decimal).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creatorkit as ck

T0 = pd.Timestamp("2025-01-01")
IDS = st.integers(10**17, 9_200_000_000_000_000_000).map(str)
HANDLES = st.text("abcdefghijklmnopqrstuvwxyz0123456789._", min_size=1, max_size=12).filter(
    lambda h: re.fullmatch(r"\d+\.0+", h) is None
)  # a handle read into an id column: "123.0" is undone to "123" by design (``ids``)
SECONDS = st.integers(0, 2 * 365 * 86_400)


def _thousands(whole: int, sep: str) -> str:
    return f"{whole:,}".replace(",", sep)


def money_text(cents: int, style: str) -> str:
    """``usd``: "$1,234.56"; ``plain``: "1234.56"; ``idr``: "Rp1.234.500" (whole rupiah)."""
    if style == "idr":
        return "Rp" + _thousands(cents, ".")
    if style == "plain":
        return f"{cents // 100}.{cents % 100:02d}"
    return f"${_thousands(cents // 100, ',')}.{cents % 100:02d}"


def money_value(cents: int, style: str) -> float:
    return float(cents) if style == "idr" else cents / 100


def percent_text(bp: int, decimal: str = ".") -> str:
    text = f"{bp // 100}.{bp % 100:02d}%"
    return text.replace(".", decimal)


def percent_value(bp: int) -> float:
    return float(f"{bp // 100}.{bp % 100:02d}e-2")


def when(seconds: int) -> pd.Timestamp:
    return T0 + pd.Timedelta(seconds=seconds)


def write_csv(header: list[str], rows: list[list[str]], d: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    for title in d.get("titles", []):
        buffer.write(title + d.get("newline", "\n"))
    writer = csv.writer(
        buffer, delimiter=d.get("delimiter", ","), lineterminator=d.get("newline", "\n")
    )
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    return (("\ufeff" if d.get("bom") else "") + text).encode("utf-8")


def write_xlsx(header: list[str], rows: list[list[str]], d: dict[str, Any]) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for title in d.get("titles", []):
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


DIALECT = st.fixed_dictionaries(
    {
        "delimiter": st.sampled_from([",", "\t"]),
        "bom": st.booleans(),
        "newline": st.sampled_from(["\n", "\r\n"]),
        "pad": st.booleans(),
        "form": st.sampled_from(["csv", "csv", "csv", "frame"]),
    }
)


def _source(header: list[str], rows: list[list[str]], d: dict[str, Any]) -> Any:
    if d.get("form") == "frame":
        return pd.DataFrame(rows, columns=header, dtype=object)
    if d.get("form") == "xlsx":
        return write_xlsx(header, rows, d)
    return write_csv(header, rows, d)


# ------------------------------------------------------------------ affiliate orders

ORDER = st.fixed_dictionaries(
    {
        "order": IDS,
        "sku": IDS,
        "content": st.one_of(st.none(), IDS),
        "creator": HANDLES,
        "cents": st.integers(0, 10**9),
        "commission": st.integers(0, 10**8),
        "qty": st.integers(1, 9),
        "bp": st.integers(0, 10_000),
        "t": SECONDS,
        "status": st.sampled_from(["Completed", "Shipped", "To ship", "Canceled"]),
    }
)
STATUS = {
    "Completed": "completed",
    "Shipped": "shipped",
    "To ship": "pending",
    "Canceled": "cancelled",
}


def _orders_file(rows: list[dict[str, Any]], d: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    style = d["money"]
    header = [
        "Order ID", "SKU ID", "Payment Amount", "Quantity", "Order Status", "Creator Username",
        "Content ID", "Standard commission rate", "Est. standard commission payment",
        "Time Created", "Currency",
    ]  # fmt: skip
    pad = "\t" if d["pad"] and d["delimiter"] == "," else ""
    us = d["dates"] == "us"
    fmt = "%m/%d/%Y %I:%M:%S %p" if us else "%d/%m/%Y %H:%M:%S"
    body = [
        [
            pad + r["order"], pad + r["sku"], money_text(r["cents"], style), str(r["qty"]),
            r["status"], r["creator"], "--" if r["content"] is None else pad + r["content"],
            percent_text(r["bp"], "," if style == "idr" else "."),
            money_text(r["commission"], style), when(r["t"]).strftime(fmt),
            "IDR" if style == "idr" else "USD",
        ]
        for r in rows
    ]  # fmt: skip
    kw = {"tz": "Asia/Jakarta" if style == "idr" else "+00:00"}
    if us:
        kw["date_format"] = fmt
    return _source(header, body, d), kw


def _check_orders(rows: list[dict[str, Any]], d: dict[str, Any], table: pd.DataFrame) -> None:
    style = d["money"]
    assert table["order_id"].tolist() == [r["order"] for r in rows]
    assert table["sku"].tolist() == [r["sku"] for r in rows]
    assert table["content_id"].tolist() == [
        pd.NA if r["content"] is None else r["content"] for r in rows
    ]
    assert table["creator_id"].tolist() == [r["creator"] for r in rows]
    assert table["gmv"].tolist() == [money_value(r["cents"], style) for r in rows]
    assert table["commission_estimated"].tolist() == [
        money_value(r["commission"], style) for r in rows
    ]
    assert table["commission_rate"].tolist() == [percent_value(r["bp"]) for r in rows]
    assert table["units"].tolist() == [r["qty"] for r in rows]
    assert table["status"].tolist() == [STATUS[r["status"]] for r in rows]
    zone = "Asia/Jakarta" if style == "idr" else "UTC"
    got = table["ordered_at"].dt.tz_convert("UTC").dt.tz_localize(None)
    expected = [when(r["t"]).tz_localize(zone).tz_convert("UTC").tz_localize(None) for r in rows]
    assert got.tolist() == expected


def _unique_orders(rows: list[dict[str, Any]]) -> bool:
    keys = [(r["order"], r["sku"]) for r in rows]
    return len(set(keys)) == len(keys)


@settings(deadline=None, max_examples=40)
@given(
    rows=st.lists(ORDER, min_size=1, max_size=6).filter(_unique_orders),
    d=DIALECT.flatmap(
        lambda base: st.fixed_dictionaries(
            {
                "money": st.sampled_from(["usd", "plain", "idr"]),
                "dates": st.sampled_from(["dmy", "us"]),
            }
        ).map(lambda extra: {**base, **extra})
    ),
)
def test_affiliate_orders_round_trip(rows: list[dict[str, Any]], d: dict[str, Any]) -> None:
    source, kw = _orders_file(rows, d)
    res = ck.ingest.read(source, **kw)
    assert res.kind == "tiktok_shop.affiliate_orders"
    _check_orders(rows, d, res.table)


# ------------------------------------------------------------------ video and LIVE lists

VIDEO = st.fixed_dictionaries(
    {
        "video": IDS,
        "creator": HANDLES,
        "t": SECONDS,
        "rupiah": st.one_of(st.none(), st.integers(0, 10**10)),
        "views": st.integers(0, 10**9),
        "orders": st.integers(0, 10**5),
        "ctr_bp": st.integers(0, 10_000),
    }
)
VIDEO_HEADERS = {
    "en": ["Creator name", "Video ID", "Time", "Video Revenue (Rp)", "Orders", "VV", "CTR"],
    "id": ["Nama Kreator", "Video ID", "Waktu", "Penghasilan Video (Rp)", "Orders", "VV", "CTR"],
}


@settings(deadline=None, max_examples=30)
@given(
    rows=st.lists(VIDEO, min_size=1, max_size=6, unique_by=lambda r: r["video"]),
    d=DIALECT,
    lang=st.sampled_from(["en", "id"]),
    titles=st.integers(0, 2),
)
def test_video_performance_round_trip(
    rows: list[dict[str, Any]], d: dict[str, Any], lang: str, titles: int
) -> None:
    d = {**d, "titles": ["Data Compass - Video", "Periode: 2026/03/01 ~ 2026/03/07"][:titles]}
    body = [
        [
            r["creator"], r["video"], when(r["t"]).strftime("%Y/%m/%d %H:%M:%S"),
            "--" if r["rupiah"] is None else _thousands(r["rupiah"], "."), str(r["orders"]),
            _thousands(r["views"], "."), percent_text(r["ctr_bp"], ","),
        ]
        for r in rows
    ]  # fmt: skip
    if d["form"] == "frame":
        d = {**d, "form": "csv"}  # title rows belong to files
    res = ck.ingest.read(_source(VIDEO_HEADERS[lang], body, d), tz="Asia/Jakarta", decimal=",")
    t = res.table
    assert res.kind == "tiktok_shop.video_performance"
    assert t["content_id"].tolist() == [r["video"] for r in rows]
    assert t["creator_id"].tolist() == [r["creator"] for r in rows]
    assert t["gmv"].tolist() == [float(r["rupiah"] or 0) for r in rows]
    assert t["views"].tolist() == [r["views"] for r in rows]
    assert t["orders"].tolist() == [r["orders"] for r in rows]
    assert t["ctr"].tolist() == [percent_value(r["ctr_bp"]) for r in rows]
    assert (t["currency"] == "IDR").all()
    got = t["published_at"].dt.tz_localize(None).tolist()
    assert got == [when(r["t"]) for r in rows]


def _duration(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return (f"{h}h" if h else "") + (f"{m}m" if m else "") + (f"{s}s" if s or not (h or m) else "")


LIVE = st.fixed_dictionaries(
    {
        "creator": IDS,
        "minute": st.integers(0, 2 * 365 * 1440),
        "duration": st.integers(0, 12 * 3600),
        "rupiah": st.integers(0, 10**10),
        "viewers": st.integers(0, 10**7),
        "pcu": st.integers(0, 10**6),
    }
)


@settings(deadline=None, max_examples=25)
@given(
    rows=st.lists(LIVE, min_size=1, max_size=5, unique_by=lambda r: (r["creator"], r["minute"])),
    d=DIALECT,
    lang=st.sampled_from(["en", "id"]),
)
def test_live_performance_round_trip(
    rows: list[dict[str, Any]], d: dict[str, Any], lang: str
) -> None:
    header = {
        "en": ["Creator ID", "Launched Time", "Duration", "Revenue (Rp)", "PCU", "Viewers"],
        "id": ["Creator ID", "Waktu Live", "Durasi", "Penghasilan (Rp)", "Penonton Tertinggi", "Penonton"],  # noqa: E501
    }[lang]  # fmt: skip
    body = [
        [
            r["creator"], (T0 + pd.Timedelta(minutes=r["minute"])).strftime("%Y/%m/%d/ %H:%M"),
            _duration(r["duration"]), "Rp" + _thousands(r["rupiah"], "."), str(r["pcu"]),
            _thousands(r["viewers"], "."),
        ]
        for r in rows
    ]  # fmt: skip
    res = ck.ingest.read(_source(header, body, d), tz="Asia/Jakarta")
    t = res.table
    assert res.kind == "tiktok_shop.live_performance"
    assert t["creator_id"].tolist() == [r["creator"] for r in rows]
    assert t["duration_seconds"].tolist() == [float(r["duration"]) for r in rows]
    assert t["gmv"].tolist() == [float(r["rupiah"]) for r in rows]
    assert t["views"].tolist() == [r["viewers"] for r in rows]
    assert t["peak_concurrent_viewers"].tolist() == [r["pcu"] for r in rows]
    got = t["published_at"].dt.tz_localize(None).tolist()
    assert got == [T0 + pd.Timedelta(minutes=r["minute"]) for r in rows]


# ------------------------------------------------------------------ creator-side orders

CREATOR_ORDER = st.fixed_dictionaries(
    {
        "order": IDS,
        "sku": IDS,
        "content": IDS,
        "cents": st.integers(1, 10**8),
        "earned": st.integers(0, 10**7),
        "t": SECONDS,
        "settle": st.integers(0, 60 * 86_400),
        "state": st.sampled_from(["Settled", "Pending", "Ineligible"]),
    }
)
CREATOR_HEADERS = {
    "en": ["Order ID", "Content ID", "SKU ID", "Time Created", "Payment Amount",
           "Order settlement status", "Total final earned amount", "Commission settlement date"],
    "th": ["หมายเลขคำสั่งซื้อ", "รหัสเนื้อหา", "SKU ID", "Time Created", "Payment Amount",
           "สถานะการชำระคำสั่งซื้อ", "ยอดรายได้รวมสุดท้าย", "วันที่ชำระเงินค่าคอมมิชชั่น"],
}  # fmt: skip


@settings(deadline=None, max_examples=25)
@given(
    rows=st.lists(
        CREATOR_ORDER, min_size=1, max_size=6, unique_by=lambda r: (r["order"], r["sku"])
    ),
    d=DIALECT,
    lang=st.sampled_from(["en", "th"]),
)
def test_creator_orders_round_trip(
    rows: list[dict[str, Any]], d: dict[str, Any], lang: str
) -> None:
    fmt = "%d/%m/%Y %H:%M:%S"
    body = [
        [
            r["order"], r["content"], r["sku"], when(r["t"]).strftime(fmt),
            "฿" + f"{_thousands(r['cents'] // 100, ',')}.{r['cents'] % 100:02d}", r["state"],
            f"{r['earned'] // 100}.{r['earned'] % 100:02d}" if r["state"] == "Settled" else "",
            when(r["t"] + r["settle"]).strftime(fmt) if r["state"] == "Settled" else "",
        ]
        for r in rows
    ]  # fmt: skip
    res = ck.ingest.read(
        _source(CREATOR_HEADERS[lang], body, d), tz="Asia/Bangkok", currency="THB",
        values={"creator_id": "mai"},
    )  # fmt: skip
    t = res.table
    assert res.kind == "tiktok_shop.affiliate_creator_orders"
    assert t["order_id"].tolist() == [r["order"] for r in rows]
    assert t["content_id"].tolist() == [r["content"] for r in rows]
    state = {"Settled": "settled", "Pending": "ordered", "Ineligible": "cancelled"}
    assert t["settlement_status"].tolist() == [state[r["state"]] for r in rows]
    assert t["gmv"].tolist() == [r["cents"] / 100 for r in rows]
    earned = [r["earned"] / 100 if r["state"] == "Settled" else None for r in rows]
    got = [None if np.isnan(v) else v for v in t["commission_actual"]]
    assert got == earned


# ------------------------------------------------------------------ JSON payloads


@settings(deadline=None, max_examples=25)
@given(
    orders=st.lists(
        st.fixed_dictionaries(
            {
                "id": IDS,
                "t": st.integers(1_600_000_000, 1_900_000_000),
                "skus": st.lists(
                    st.fixed_dictionaries(
                        {"sku": IDS, "cents": st.integers(0, 10**8), "rate": st.integers(0, 10_000),
                         "qty": st.integers(1, 9)}
                    ),
                    min_size=1, max_size=3, unique_by=lambda s: s["sku"],
                ),
            }
        ),
        min_size=1, max_size=4, unique_by=lambda o: o["id"],
    ),
    as_text=st.booleans(),
)  # fmt: skip
def test_api_orders_round_trip(orders: list[dict[str, Any]], as_text: bool) -> None:
    payload = {
        "code": 0,
        "data": {
            "orders": [
                {
                    "id": o["id"], "status": "PROCESSING", "creator_username": "mai",
                    "create_time": o["t"],
                    "skus": [
                        {"sku_id": s["sku"], "quantity": s["qty"], "commission_rate": str(s["rate"]),  # noqa: E501
                         "price": {"amount": f"{s['cents'] // 100}.{s['cents'] % 100:02d}",
                                   "currency": "USD"}}
                        for s in o["skus"]
                    ],
                }
                for o in orders
            ]
        },
    }  # fmt: skip
    source = json.dumps(payload).encode() if as_text else payload
    t = ck.ingest.read(source).table
    lines = [(o, s) for o in orders for s in o["skus"]]
    assert t["order_id"].tolist() == [o["id"] for o, _ in lines]
    assert t["sku"].tolist() == [s["sku"] for _, s in lines]
    assert t["gmv"].tolist() == [s["cents"] / 100 for _, s in lines]
    assert t["commission_rate"].tolist() == [float(f"{s['rate']}e-4") for _, s in lines]
    assert t["ordered_at"].tolist() == [pd.Timestamp(o["t"], unit="s", tz="UTC") for o, _ in lines]


@settings(deadline=None, max_examples=25)
@given(
    creators=st.lists(
        st.fixed_dictionaries(
            {"id": IDS, "followers": st.integers(0, 10**8), "rate": st.integers(0, 10_000),
             "gmv": st.one_of(st.integers(0, 10**9), st.tuples(st.integers(0, 10**6),
                                                               st.integers(0, 10**6)))}
        ),
        min_size=1, max_size=5, unique_by=lambda c: c["id"],
    ),
    as_text=st.booleans(),
)  # fmt: skip
def test_marketplace_creators_round_trip(creators: list[dict[str, Any]], as_text: bool) -> None:
    def gmv(c: dict[str, Any]) -> dict[str, Any]:
        if isinstance(c["gmv"], int):
            return {"gmv": {"currency": "USD", "amount": f"{c['gmv'] // 100}.{c['gmv'] % 100:02d}"}}
        low, high = sorted(c["gmv"])
        return {"gmv_range": {"minimum_amount": str(low), "maximum_amount": str(high),
                              "formatted_range": f"${low}-${high}"}}  # fmt: skip

    payload = {"data": {"creators": [
        {"creator_open_id": c["id"], "follower_count": c["followers"], "region": "ID",
         "category": "beauty", "avg_commission_rate": str(c["rate"]), **gmv(c)}
        for c in creators
    ]}}  # fmt: skip
    source = json.dumps(payload).encode() if as_text else payload
    t = ck.ingest.read(source, currency="USD").table
    assert t["creator_id"].tolist() == [c["id"] for c in creators]
    assert t["followers"].tolist() == [c["followers"] for c in creators]
    assert t["avg_commission_rate"].tolist() == [float(f"{c['rate']}e-4") for c in creators]
    exact = [c["gmv"] / 100 if isinstance(c["gmv"], int) else None for c in creators]
    assert [None if np.isnan(v) else v for v in t["gmv"]] == exact
    low = [
        e if e is not None else float(min(c["gmv"])) for e, c in zip(exact, creators, strict=True)
    ]
    high = [
        e if e is not None else float(max(c["gmv"])) for e, c in zip(exact, creators, strict=True)
    ]
    assert t["gmv_low"].tolist() == low
    assert t["gmv_high"].tolist() == high


# ------------------------------------------------------------------ Amazon and ads

AMAZON_ROW = st.fixed_dictionaries(
    {
        "asin": st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=10, max_size=10),
        "day": st.integers(0, 700),
        "cents": st.integers(0, 10**7),
        "fee": st.integers(0, 10**6),
        "items": st.integers(0, 50),
    }
)


@settings(deadline=None, max_examples=20)
@given(rows=st.lists(AMAZON_ROW, min_size=1, max_size=5, unique_by=lambda r: (r["asin"], r["day"])),
       d=DIALECT)  # fmt: skip
def test_amazon_earnings_round_trip(rows: list[dict[str, Any]], d: dict[str, Any]) -> None:
    header = ["Category", "Name", "ASIN", "Seller", "Tracking ID", "Date Shipped", "Price($)",
              "Items Shipped", "Returns", "Revenue($)", "Ad Fees($)", "Device Type Group",
              "Direct Sale"]  # fmt: skip
    body = [
        ["Beauty", "Item", r["asin"], "Amazon.com", "mai-20",
         (T0 + pd.Timedelta(days=r["day"])).strftime("%Y-%m-%d"), "1.00", str(r["items"]), "0",
         f"{_thousands(r['cents'] // 100, ',')}.{r['cents'] % 100:02d}",
         f"{r['fee'] // 100}.{r['fee'] % 100:02d}", "DESKTOP", "Y"]
        for r in rows
    ]  # fmt: skip
    if d["form"] != "frame":
        d = {**d, "titles": ["Fee-Earnings report"]}
    t = ck.ingest.read(_source(header, body, d), tz="UTC").table
    assert t["sku"].tolist() == [r["asin"] for r in rows]
    assert t["gmv"].tolist() == [r["cents"] / 100 for r in rows]
    assert t["commission_estimated"].tolist() == [r["fee"] / 100 for r in rows]
    assert t["units"].tolist() == [r["items"] for r in rows]


@settings(deadline=None, max_examples=20)
@given(
    rows=st.lists(
        st.fixed_dictionaries({"ad": IDS, "day": st.integers(0, 700), "cents": st.integers(0, 10**8),  # noqa: E501
                               "plays": st.integers(0, 10**8), "ctr": st.integers(0, 10_000)}),
        min_size=1, max_size=5, unique_by=lambda r: (r["ad"], r["day"]),
    ),
    d=DIALECT,
)  # fmt: skip
def test_ads_report_round_trip(rows: list[dict[str, Any]], d: dict[str, Any]) -> None:
    header = ["stat_time_day", "ad_id", "advertiser_id", "spend", "ctr", "video_play_actions"]
    body = [
        [(T0 + pd.Timedelta(days=r["day"])).strftime("%Y-%m-%d %H:%M:%S"), r["ad"], "7000000000000000001",  # noqa: E501
         f"{r['cents'] // 100}.{r['cents'] % 100:02d}", f"{r['ctr'] // 100}.{r['ctr'] % 100:02d}",
         str(r["plays"])]
        for r in rows
    ]  # fmt: skip
    t = ck.ingest.read(_source(header, body, d), tz="+07:00", currency="USD").table
    assert t["ad_id"].tolist() == [r["ad"] for r in rows]
    assert t["spend"].tolist() == [r["cents"] / 100 for r in rows]
    assert t["ctr"].tolist() == [percent_value(r["ctr"]) for r in rows]
    assert t["views"].tolist() == [r["plays"] for r in rows]


# ------------------------------------------------------------------ XLSX once per kind

FIXED: dict[str, Callable[[], tuple[list[str], list[list[str]], dict[str, Any]]]] = {
    "tiktok_shop.affiliate_orders": lambda: (
        ["Order ID", "SKU ID", "Payment Amount", "Order Status", "Creator Username", "Time Created",
         "Currency"],
        [["5770001234567890123", "1729384756102938476", "$1,234.56", "Completed", "mai",
          "07/06/2026 12:00:00", "USD"]],
        {"tz": "UTC"},
    ),
    "tiktok_shop.video_performance": lambda: (
        ["Nama Kreator", "Video ID", "Waktu", "Penghasilan Video (Rp)", "VV"],
        [["siti", "7394017712830001111", "2026/03/01 19:30:05", "1.250.000", "1.200"]],
        {"tz": "Asia/Jakarta"},
    ),
    "tiktok_shop.live_performance": lambda: (
        ["Creator ID", "Waktu Live", "Durasi", "Penghasilan (Rp)", "Penonton"],
        [["6912345678901234567", "2026/03/01/ 20:00", "1h2m3s", "9.900.000", "15.230"]],
        {"tz": "Asia/Jakarta"},
    ),
    "tiktok_shop.affiliate_creator_orders": lambda: (
        CREATOR_HEADERS["th"],
        [["5770009876543210001", "7394017712830005555", "1729384756102930001", "01/07/2026 10:00:00",  # noqa: E501
          "฿1,290.00", "Settled", "฿129.00", "20/07/2026 00:00:00"]],
        {"tz": "Asia/Bangkok", "values": {"creator_id": "mai"}},
    ),
    "tiktok_shop.sample_applications": lambda: (
        ["id", "creator_open_id", "sku_id", "status", "commission_rate", "ship_time",
         "content_deadline_time"],
        [["7300000000000000001", "open1", "1729384756102932001", "SHIPPED", "0.1", "1780000000",
          "1781000000"]],
        {},
    ),
    "amazon.associates_earnings": lambda: (
        ["Category", "Name", "ASIN", "Seller", "Tracking ID", "Date Shipped", "Price($)",
         "Items Shipped", "Returns", "Revenue($)", "Ad Fees($)", "Device Type Group", "Direct Sale"],  # noqa: E501
        [["Beauty", "Serum", "B0C1234567", "Amazon.com", "mai-20", "2026-06-03", "24.99", "2", "0",
          "49.98", "1.50", "DESKTOP", "Y"]],
        {"tz": "UTC"},
    ),
    "tiktok_ads.report": lambda: (
        ["stat_time_day", "ad_id", "advertiser_id", "spend", "video_play_actions"],
        [["2026-06-01 00:00:00", "1770000000000000001", "7000000000000000001", "125.50", "30000"]],
        {"tz": "+07:00", "currency": "USD"},
    ),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(FIXED))
def test_xlsx_once_per_kind_equals_csv(kind: str) -> None:
    pytest.importorskip("openpyxl")
    header, rows, kw = FIXED[kind]()
    from_csv = ck.ingest.read(write_csv(header, rows, {}), **kw)
    from_xlsx = ck.ingest.read(write_xlsx(header, rows, {"titles": ["A title row"]}), **kw)
    assert from_csv.kind == from_xlsx.kind == kind
    pd.testing.assert_frame_equal(
        from_csv.table.reset_index(drop=True), from_xlsx.table.reset_index(drop=True)
    )


# ------------------------------------------------------------------ XLSX date cells

DATE_CELLS = {  # the time columns of FIXED and the format their text is written in
    "tiktok_shop.affiliate_orders": {"Time Created": "%d/%m/%Y %H:%M:%S"},
    "tiktok_shop.video_performance": {"Waktu": "%Y/%m/%d %H:%M:%S"},
    "tiktok_shop.live_performance": {"Waktu Live": "%Y/%m/%d/ %H:%M"},
    "tiktok_shop.affiliate_creator_orders": {
        "Time Created": "%d/%m/%Y %H:%M:%S",
        "วันที่ชำระเงินค่าคอมมิชชั่น": "%d/%m/%Y %H:%M:%S",
    },
    "amazon.associates_earnings": {"Date Shipped": "%Y-%m-%d"},
    "tiktok_ads.report": {"stat_time_day": "%Y-%m-%d %H:%M:%S"},
}


def _with_date_cells(kind: str) -> tuple[list[str], list[list[Any]], dict[str, Any]]:
    import datetime as dt

    header, rows, kw = FIXED[kind]()
    formats = DATE_CELLS[kind]
    typed = [
        [
            dt.datetime.strptime(cell, formats[name]) if name in formats else cell
            for name, cell in zip(header, row, strict=True)
        ]
        for row in rows
    ]
    return header, typed, kw


@pytest.mark.parametrize("kind", sorted(DATE_CELLS))
def test_xlsx_date_cells_read_in_the_kinds_zone(kind: str) -> None:
    pytest.importorskip("openpyxl")
    header, rows, kw = FIXED[kind]()
    from_csv = ck.ingest.read(write_csv(header, rows, {}), **kw)
    header, typed, kw = _with_date_cells(kind)
    from_xlsx = ck.ingest.read(write_xlsx(header, typed, {}), **kw)
    pd.testing.assert_frame_equal(
        from_csv.table.reset_index(drop=True), from_xlsx.table.reset_index(drop=True)
    )


def test_xlsx_date_cells_of_a_utc_kind_are_utc() -> None:
    pytest.importorskip("openpyxl")
    import datetime as dt

    header = ["id", "creator_open_id", "sku_id", "status", "ship_time", "content_deadline_time"]
    row = ["7300000000000000001", "open1", "17293847", "SHIPPED",
           dt.datetime(2026, 6, 7, 12, 0), dt.datetime(2026, 6, 21)]  # fmt: skip
    t = ck.ingest.read(write_xlsx(header, [row], {}), tz="Asia/Jakarta").table
    assert t["shipped_at"].tolist() == [pd.Timestamp("2026-06-07 12:00", tz="UTC")]


@pytest.mark.parametrize(("mac", "serial"), [(False, 46180.5), (True, 44718.5)])
def test_xlsx_serial_numbers_in_a_date_column(mac: bool, serial: float) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = openpyxl.Workbook()
    if mac:
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["Order ID", "SKU ID", "Payment Amount", "Order Status", "Creator Username",
                  "Time Created", "Currency"])  # fmt: skip
    sheet.append(["5770001234567890123", "sku1", 12.5, "Completed", "mai", serial, "USD"])
    sheet.append(["5770001234567890123", "sku2", 3, "Completed", "mai", 46180 + 1 / 86400, "USD"])
    out = io.BytesIO()
    book.save(out)
    res = ck.ingest.read(out.getvalue(), tz="Asia/Jakarta")
    got = res.table["ordered_at"].tolist()
    assert got[0] == pd.Timestamp("2026-06-07 12:00", tz="Asia/Jakarta")
    offset = pd.Timedelta(days=1462) if mac else pd.Timedelta(0)  # 1904 vs 1900 system
    assert got[1] == pd.Timestamp("2026-06-07 00:00:01", tz="Asia/Jakarta") + offset
    assert res.table["gmv"].tolist() == [12.5, 3.0]
    assert "Excel serial days" in res.report.set_index("field").loc["ordered_at", "conversion"]


def test_xlsx_serial_out_of_range_is_refused() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Order ID", "SKU ID", "Payment Amount", "Order Status", "Creator Username",
                  "Time Created", "Currency"])  # fmt: skip
    sheet.append(["1", "sku1", 1, "Completed", "mai", -5, "USD"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ck.ValidationError, match="Excel serial date") as info:
        ck.ingest.read(out.getvalue(), tz="UTC")
    assert info.value.failure_cases["row"].tolist() == [2]


def test_xlsx_date_cells_and_serials_in_one_column() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Video ID", "Creator name", "Time", "VV"])
    sheet.append(["7001", "mai", dt.datetime(2026, 3, 1, 19, 30, 5), 10])
    sheet.append(["7002", "mai", 46082.25, 20])  # 2026-03-01 06:00
    out = io.BytesIO()
    book.save(out)
    t = ck.ingest.read(out.getvalue(), tz="UTC").table
    assert t["published_at"].tolist() == [
        pd.Timestamp("2026-03-01 19:30:05", tz="UTC"),
        pd.Timestamp("2026-03-01 06:00", tz="UTC"),
    ]
    assert t["views"].tolist() == [10, 20]
