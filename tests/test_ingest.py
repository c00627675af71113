"""creatorkit.ingest: one golden file per kind read digit for digit; quirks; bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit.errors import ValidationError
from creatorkit.ingest import Field, Kind

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def read(name: str, **kw: object) -> ck.ingest.IngestResult:
    return ck.ingest.read(FIXTURES / name, **kw)


def ts(text: str, tz: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_localize(tz)


# ---------------------------------------------------------------- one file per kind


def test_affiliate_orders_us_bom_tabs_money_rates_dmy() -> None:
    res = read("tiktok_shop_affiliate_orders_us.csv", tz="America/Los_Angeles")
    t = res.table
    assert res.kind == "tiktok_shop.affiliate_orders"
    assert res.model == "OrderLine"
    assert t["order_id"].tolist() == ["5770001234567890123"] * 2
    assert t["sku"].tolist() == ["1729384756102938476", "1729384756102938477"]
    assert t["line_id"].tolist() == t["sku"].tolist()
    assert t["content_id"].tolist()[0] == "7394017712830001234"
    assert pd.isna(t["content_id"].iloc[1])  # "--" is missing
    assert t["gmv"].tolist() == [1234.56, 19.90]
    assert t["commission_rate"].tolist() == [0.10, 0.155]
    assert t["commission_estimated"].tolist() == [123.46, 3.08]
    assert t["commission_actual"].iloc[0] == 123.46
    assert np.isnan(t["commission_actual"].iloc[1])
    assert t["shop_ads_commission_rate"].iloc[1] == 0.05
    assert t["status"].tolist() == ["completed", "shipped"]
    assert t["currency"].tolist() == ["USD", "USD"]
    # DD/MM/YYYY even for US: 07/06 is 7 June; 13/06 could not be a month
    assert t["ordered_at"].tolist() == [
        ts("2026-06-07 12:00:00", "America/Los_Angeles"),
        ts("2026-06-13 23:59:59", "America/Los_Angeles"),
    ]
    assert t.index.tolist() == [2, 3]  # lines of the file
    assert t["content_type"].tolist() == ["Video", "External Traffic Program"]


def test_affiliate_orders_indonesian_tab_delimited_dot_thousands() -> None:
    res = read("tiktok_shop_affiliate_orders_id.tsv", tz="Asia/Jakarta")
    t = res.table
    assert res.decimal == ","  # IDR amounts: declared per currency, not guessed per value
    assert t["gmv"].tolist() == [150_000.0, 1_250_000.0]
    assert t["commission_estimated"].tolist() == [15_000.0, 125_000.0]
    assert t["status"].tolist() == ["completed", "cancelled"]
    assert t["ordered_at"].iloc[0] == ts("2026-07-07 12:00:00", "Asia/Jakarta")
    assert "delimiter '\\t'" in " ".join(res.report["conversion"])


def test_creator_orders_thai_settlement_kept_apart() -> None:
    res = read(
        "tiktok_shop_affiliate_creator_orders_th.csv",
        tz="Asia/Bangkok",
        values={"creator_id": "mai"},
    )
    t = res.table
    assert res.language == "th"
    assert t["order_id"].tolist() == [
        "5770009876543210001",
        "5770009876543210002",
        "5770009876543210003",
    ]
    assert t["settlement_status"].tolist() == ["settled", "ordered", "cancelled"]
    assert t["status"].tolist() == ["completed", "pending", "cancelled"]
    assert t["commission_actual"].iloc[0] == 129.0
    assert t["commission_actual"].iloc[1:].isna().all()  # Ineligible rows have no final amount
    assert t["gmv"].tolist() == [1290.0, 590.0, 99.0]
    assert t["settled_at"].iloc[0] == ts("2026-07-20", "Asia/Bangkok")
    # the colliding headers "Standard" and "Standard commission" stay two columns
    assert t["Standard"].tolist() == ["x"] * 3
    assert t["Standard commission"].tolist() == ["y"] * 3
    assert (t["creator_id"] == "mai").all()


def test_video_performance_indonesian_title_rows_rounded_counts() -> None:
    res = read("tiktok_shop_video_performance_id.csv", tz="Asia/Jakarta")
    t = res.table
    assert res.kind == "tiktok_shop.video_performance"
    assert res.language == "id"
    assert t.index.tolist() == [4, 5]  # header on line 3
    assert t["content_id"].tolist() == ["7394017712830001111", "7394017712830001112"]
    assert t["gmv"].tolist() == [1_250_000.0, 0.0]  # "--" revenue: the column's default, reported
    assert t["currency"].tolist() == ["IDR", "IDR"]  # from the header "(Rp)"
    assert t["views"].tolist() == [1200, 2_300_000]
    assert t["views_low"].tolist() == [1150.0, 2_250_000.0]
    assert t["views_high"].tolist() == [1250.0, 2_350_000.0]
    assert t["ctr"].tolist() == [0.0411, 0.01]
    assert t["checkout_rate"].iloc[0] == 0.025
    assert t["published_at"].iloc[0] == ts("2026-03-01 19:30:05", "Asia/Jakarta")
    line = res.report.set_index("field").loc["gmv"]
    assert line["missing"] == 1
    assert "default" in line["conversion"]
    assert res.report.set_index("field").loc["views", "changed"] == 2


def test_video_performance_us_description_row() -> None:
    res = read("tiktok_shop_video_performance_us.csv", tz="America/Los_Angeles")
    t = res.table
    assert len(t) == 1
    assert t.index.tolist() == [3]
    assert t["gmv"].iloc[0] == 205.33
    assert t["currency"].iloc[0] == "USD"
    assert t["views"].iloc[0] == 1740
    assert t["views_low"].iloc[0] == 1735.0
    assert t["ctr"].iloc[0] == 0.0411
    assert "rows excluded: description row after the header" in res.report["conversion"].tolist()
    assert res.rows_excluded == 1


def test_live_performance_stray_slash_durations() -> None:
    res = read("tiktok_shop_live_performance_id.csv", tz="Asia/Jakarta")
    row = res.table.iloc[0]
    assert res.kind == "tiktok_shop.live_performance"
    assert row["creator_id"] == "6912345678901234567"
    assert row["published_at"] == ts("2026-03-01 20:00", "Asia/Jakarta")
    assert row["duration_seconds"] == 3723.0
    assert row["avg_view_seconds"] == 88.0
    assert row["gmv"] == 9_900_000.0
    assert row["currency"] == "IDR"
    assert row["avg_concurrent_viewers"] == 85.5
    assert row["peak_concurrent_viewers"] == 412
    assert row["ctr"] == 0.1399
    assert row["views"] == 15230
    assert row["orders_paid"] == 110
    assert row["orders"] == 110
    assert row["content_type"] == "live"


def test_api_affiliate_orders_json_lines_hundredths_unix() -> None:
    res = read("tiktok_shop_api_affiliate_orders.json")
    t = res.table
    assert res.kind == "tiktok_shop.api.affiliate_orders"
    assert t["order_id"].tolist() == ["577000123456789012"] * 2 + ["577000123456789013"]
    assert t["sku"].tolist() == [
        "1729384756102931001",
        "1729384756102931002",
        "1729384756102931003",
    ]
    assert t["commission_rate"].tolist() == [0.155, 0.10, 0.08]  # "1550" = 15.50 %
    assert t["settlement_status"].tolist() == ["settled", "settled", "ordered"]
    assert t["commission_estimated"].tolist() == [3.88, 1.05, 8.00]
    assert t["commission_actual"].iloc[0] == 3.87
    assert np.isnan(t["commission_actual"].iloc[2])
    assert t["ordered_at"].iloc[0] == pd.Timestamp(1_780_000_000, unit="s", tz="UTC")
    assert t["units"].tolist() == [1, 2, 1]


def test_sample_applications_excluded_statuses_counted() -> None:
    res = read("tiktok_shop_sample_applications.json")
    t = res.table
    assert t["sample_id"].tolist() == ["7300000000000000001", "7300000000000000002"]
    assert t["status"].tolist() == ["posted", "shipped"]
    assert t["commission_rate"].tolist() == [0.1, 0.15]  # fractions
    assert t["fulfillment_rate"].iloc[0] == 0.605
    assert np.isnan(t["fulfillment_rate"].iloc[1])
    assert res.rows_read == 3
    assert res.rows_excluded == 1
    assert [n.code for n in res.warnings] == ["rows_excluded"]
    assert "status = pending" in res.warnings[0].message


def test_amazon_earnings_title_line_money_in_header() -> None:
    res = read("amazon_associates_earnings.csv", tz="America/Los_Angeles")
    t = res.table
    assert res.kind == "amazon.associates_earnings"
    assert t.index.tolist() == [3, 4]
    assert t["sku"].tolist() == ["B0C1234567", "B0C7654321"]
    assert t["gmv"].tolist() == [49.98, 1099.0]
    assert t["commission_estimated"].tolist() == [1.50, 32.97]
    assert t["currency"].tolist() == ["USD", "USD"]
    assert t["creator_id"].tolist() == ["glowwithmai-20"] * 2
    assert t["order_id"].is_unique


def test_tiktok_ads_report_fixed_offset() -> None:
    res = read("tiktok_ads_report.csv", tz="+07:00", currency="USD")
    t = res.table
    assert res.kind == "tiktok_ads.report"
    assert t["spend"].tolist() == [125.50, 98.25]
    assert t["ctr"].tolist() == [0.02, 0.018]
    assert t["views"].tolist() == [30000, 26000]
    assert t["paid_views"].tolist() == [30000, 26000]
    assert str(t["published_at"].iloc[0]) == "2026-06-01 00:00:00+07:00"
    assert t["content_id"].is_unique


def test_marketplace_creators_gmv_range_kept_with_provenance() -> None:
    res = read("tiktok_shop_api_marketplace_creators.json", currency="USD")
    t = res.table
    assert res.kind == "tiktok_shop.api.marketplace_creators"
    assert res.model == "Creator"
    assert t["creator_id"].tolist() == [
        "7494000000000000001",
        "7494000000000000002",
        "7494000000000000003",
    ]
    assert t["gmv"].iloc[0] == 3434.23
    assert t["gmv"].iloc[1:].isna().all()  # not shared: no exact value is invented
    assert t["gmv_low"].tolist() == [3434.23, 0.0, 10_000.0]
    assert t["gmv_high"].tolist() == [3434.23, 100.0, 50_000.0]
    assert t["gmv_range"].tolist()[1:] == ["$0-$100", "$10K-$50K"]
    assert t["avg_commission_rate"].tolist() == [0.155, 0.10, 0.08]  # hundredths of a percent
    assert t["video_engagement_rate"].iloc[0] == 0.30
    assert np.isnan(t["video_engagement_rate"].iloc[1])  # "" = not authorized
    assert t["currency"].tolist() == ["USD"] * 3  # the range rows name none: currency=
    assert t["platform"].tolist() == ["tiktok"] * 3
    line = res.report[res.report["conversion"].str.startswith("given as a range")]
    assert line[["field", "missing"]].values.tolist() == [["gmv", 2]]
    assert [(n.code, n.count) for n in res.warnings] == [("value_range", 2)]


def test_a_range_field_must_name_fields_of_the_kind() -> None:
    with pytest.raises(ValidationError, match="ranges"):
        Kind(name="x.y", model=ck.Creator, doc="x", ranges={"gmv": ("lo", "hi")}, fields=(
            Field(name="creator_id", aliases={"en": "id"}, parse="id"),))  # fmt: skip


def test_rounded_money_displays_kept_as_ranges() -> None:
    data = (
        b"Nama Kreator,Video ID,Waktu,Penghasilan Video (Rp),VV\n"
        b'siti,7001,2026/03/01 19:30:05,"Rp1,2Jt",10\n'
        b'siti,7002,2026/03/01 19:30:06,"1.250.000",10\n'
        b"siti,7003,2026/03/01 19:30:07,350Rb,10\n"
    )
    res = ck.ingest.read(data, tz="Asia/Jakarta")
    t = res.table
    assert t["gmv"].tolist() == [1_200_000.0, 1_250_000.0, 350_000.0]
    assert t["gmv_low"].tolist() == [1_150_000.0, 1_250_000.0, 349_500.0]
    assert t["gmv_high"].tolist() == [1_250_000.0, 1_250_000.0, 350_500.0]
    line = res.report.set_index("field").loc["gmv"]
    assert line["changed"] == 2
    assert "rounded displays" in line["conversion"]
    err = _error(data.replace(b"Rp1,2Jt", b"$1,2Jt"), tz="Asia/Jakarta")
    assert "mixed_currency" in err.codes  # a rounded display still names its currency


def test_dataframe_and_file_object_sources() -> None:
    raw = pd.read_csv(
        FIXTURES / "tiktok_shop_affiliate_orders_us.csv", dtype=str, keep_default_na=False
    )
    a = ck.ingest.read(raw, tz="America/Los_Angeles").table
    with open(FIXTURES / "tiktok_shop_affiliate_orders_us.csv", "rb") as handle:
        b = ck.ingest.read(handle, tz="America/Los_Angeles").table
    assert a["order_id"].tolist() == b["order_id"].tolist()
    assert a["gmv"].tolist() == b["gmv"].tolist()
    payload = json.loads((FIXTURES / "tiktok_shop_api_affiliate_orders.json").read_text())
    c = ck.ingest.read(payload).table
    assert c["order_id"].iloc[0] == "577000123456789012"


def test_float_ids_in_dataframe_lossless_or_refused() -> None:
    df = pd.DataFrame(
        {
            "Video ID": [7001.0, 7002.0],
            "Creator name": ["a", "b"],
            "Time": ["2026/03/01 20:00:00"] * 2,
            "VV": [10, 20],
        }
    )
    t = ck.ingest.read(df, tz="UTC").table
    assert t["content_id"].tolist() == ["7001", "7002"]
    df["Video ID"] = [7394017712830001234.0, 7.0]
    with pytest.raises(ValidationError) as info:
        ck.ingest.read(df, tz="UTC")
    assert "lossy_id" in info.value.codes


def test_streaming_small_chunks_equals_whole() -> None:
    lines = ["Order ID,SKU ID,Payment Amount,Order Status,Creator Username,Time Created,Currency"]
    for i in range(3000):
        lines.append(
            f"\t{5770000000000000000 + i},{1729384756102930000 + i % 7},"
            f'"${i % 97},{i % 1000:03d}.{i % 100:02d}",'
            f"Completed,c{i % 13},{1 + i % 28:02d}/06/2026 {i % 24:02d}:00:00,USD"
        )
    data = ("\n".join(lines) + "\n").encode()
    whole = ck.ingest.read(data, tz="UTC")
    parts = ck.ingest.read(data, tz="UTC", chunksize=128)
    pd.testing.assert_frame_equal(whole.table, parts.table)
    assert parts.table["order_id"].iloc[-1] == "5770000000000002999"
    assert parts.rows_read == 3000
    summary = ck.ingest.read(
        data, tz="UTC", chunksize=500, summarize={"metrics": ["gmv"], "by": "creator_id"}
    )
    assert summary.table.empty
    assert summary.summary is not None
    expected = whole.table.groupby("creator_id")["gmv"].sum()
    got = summary.summary.compute().to_frame().set_index("creator_id")["gmv"]
    np.testing.assert_allclose(got.sort_index().to_numpy(), expected.sort_index().to_numpy())


def test_xlsx_once() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Fee-Earnings report"])
    sheet.append(
        [
            "Category",
            "Name",
            "ASIN",
            "Seller",
            "Tracking ID",
            "Date Shipped",
            "Price($)",
            "Items Shipped",
            "Returns",
            "Revenue($)",
            "Ad Fees($)",
            "Device Type Group",
            "Direct Sale",
        ]
    )
    sheet.append(
        [
            "Beauty",
            "Serum",
            "B0C1234567",
            "Amazon.com",
            "mai-20",
            "2026-06-03",
            24.99,
            2,
            0,
            49.98,
            1.5,
            "DESKTOP",
            "Y",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    t = ck.ingest.read(buffer.getvalue(), tz="UTC").table
    assert t["gmv"].tolist() == [49.98]
    assert t["units"].tolist() == [2]


def test_generic_kind_and_register() -> None:
    df = pd.DataFrame(
        {
            "Post": ["p1"],
            "Who": ["c1"],
            "When": ["2026-01-02 03:04:05"],
            "Type": ["VIDEO"],
            "Plays": ["1,000"],
        }
    )
    res = ck.ingest.read(
        df,
        kind="generic",
        model=ck.Content,
        tz="UTC",
        columns={
            "Post": "content_id",
            "Who": "creator_id",
            "When": "published_at",
            "Type": "content_type",
            "Plays": "views",
        },
    )
    assert res.table["views"].tolist() == [1000]
    assert res.table["content_type"].tolist() == ["video"]
    kind = Kind(
        name="test.mine",
        model=ck.Content,
        doc="Mine.",
        constants={"content_type": "post"},
        fields=(
            Field(name="content_id", aliases={"en": "Post"}, parse="id", required=True),
            Field(name="creator_id", aliases={"en": "Who"}, parse="id", required=True),
            Field(
                name="published_at",
                aliases={"en": "When"},
                parse="time",
                unit="%Y-%m-%d %H:%M:%S",
                required=True,
            ),
            Field(name="views", aliases={"en": "Plays"}, parse="count", required=True),
        ),
    )
    ck.ingest.register(kind)
    try:
        assert "test.mine" in ck.ingest.kinds()["kind"].tolist()
        got = ck.ingest.read(df[["Post", "Who", "When", "Plays"]], tz="UTC").table
        assert got["content_type"].tolist() == ["post"]
    finally:
        ck.ingest.KINDS.unregister("test.mine")


def test_kinds_lists_every_builtin() -> None:
    names = set(ck.ingest.kinds()["kind"])
    assert {
        "tiktok_shop.affiliate_orders",
        "tiktok_shop.video_performance",
        "tiktok_shop.live_performance",
        "tiktok_shop.affiliate_creator_orders",
        "tiktok_shop.sample_applications",
        "tiktok_shop.api.affiliate_orders",
        "amazon.associates_earnings",
        "tiktok_ads.report",
        "tiktok_shop.api.marketplace_creators",
    } <= names


def test_on_error_exclude_lists_rejected_rows() -> None:
    data = (
        b"Video ID,Creator name,Time,VV\n"
        b"7001,a,2026/03/01 20:00:00,10\n"
        b"7002,a,01/03/2026 20:00,10\n"
        b"7003,a,2026/03/01 21:00:00,ten\n"
    )
    res = ck.ingest.read(data, tz="UTC", on_error="exclude")
    assert res.table["content_id"].tolist() == ["7001"]
    assert sorted(res.rejected["row"].tolist()) == [3, 4]
    assert res.rows_excluded == 2


# ---------------------------------------------------------------- bad input


def _error(data: bytes | str, **kw: object) -> ValidationError:
    source = data.encode() if isinstance(data, str) else data
    with pytest.raises(ValidationError) as info:
        ck.ingest.read(source, **kw)
    return info.value


def test_unknown_kind_lists_closest() -> None:
    err = _error("Foo,Bar\n1,2\n")
    assert err.argument == "source"
    err = _error("Order ID,Foo\n1,2\n")
    assert "closest" in str(err)
    assert "tiktok_shop" in str(err)


def test_unknown_kind_name_did_you_mean() -> None:
    err = _error("Order ID\n1\n", kind="tiktok_shop.affiliate_order")
    assert "Did you mean 'tiktok_shop.affiliate_orders'" in str(err)


def test_missing_required_column_names_aliases() -> None:
    err = _error(
        "Order ID,SKU ID,Order Status\n1,2,Completed\n", kind="tiktok_shop.affiliate_orders"
    )
    assert "missing_column" in err.codes
    assert "'Payment Amount'" in str(err)
    assert "'Time Created'" in str(err)


def test_date_not_in_the_kinds_format() -> None:
    err = _error("Video ID,Creator name,Time,VV\n7001,a,03/01/2026 20:00,10\n", tz="UTC")
    assert "does not match the declared date format '%Y/%m/%d %H:%M:%S'" in str(err)
    assert err.failure_cases["row"].tolist() == [2]


def test_naive_times_need_tz() -> None:
    err = _error("Video ID,Creator name,Time,VV\n7001,a,2026/03/01 20:00:00,10\n")
    assert "naive_timestamp" in err.codes
    assert "tz=" in str(err)


def test_rate_above_100_percent() -> None:
    err = _error(
        "Video ID,Creator name,Time,VV,CTR\n7001,a,2026/03/01 20:00:00,10,150%\n", tz="UTC"
    )
    assert "out_of_range" in err.codes


def test_rate_with_percent_sign_in_a_fraction_field() -> None:
    kind = ck.ingest.KINDS.get("tiktok_shop.sample_applications")
    df = pd.DataFrame(
        {
            "id": ["s1"],
            "creator_id": ["c"],
            "sku_id": ["k"],
            "status": ["SHIPPED"],
            "commission_rate": ["10%"],
            "ship_time": ["1780000000"],
            "content_deadline_time": ["1781000000"],
        }
    )
    with pytest.raises(ValidationError, match="fraction"):
        ck.ingest.read(df, kind=kind)


def test_money_in_another_currency() -> None:
    data = "Video ID,Creator name,Time,VV,Video Revenue (Rp)\n7001,a,2026/03/01 20:00:00,10,$5\n"
    err = _error(data, tz="UTC")
    assert "mixed_currency" in err.codes
    data = (
        "Order ID,SKU ID,Payment Amount,Order Status,Creator Username,Time Created,Currency\n"
        "1,2,฿5.00,Completed,c,01/01/2026 00:00:00,USD\n"
    )
    assert "mixed_currency" in _error(data, tz="UTC").codes


@pytest.mark.parametrize("value", ["5.77000123456789E+18", "5770001234567890000.0"])
def test_id_that_only_exists_as_a_lossy_float(value: str) -> None:
    data = f"Video ID,Creator name,Time,VV\n{value},a,2026/03/01 20:00:00,10\n"
    err = _error(data, tz="UTC")
    assert "lossy_id" in err.codes


def test_lossless_scientific_id_is_repaired() -> None:
    data = "Video ID,Creator name,Time,VV\n1.2345E+4,a,2026/03/01 20:00:00,10\n"
    assert ck.ingest.read(data.encode(), tz="UTC").table["content_id"].tolist() == ["12345"]


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match="empty"):
        ck.ingest.read(empty)
    assert "empty" in _error(b"   \n").codes
    assert "empty" in _error("Video ID,Creator name,Time,VV\n", tz="UTC").codes


def test_bad_arguments_are_validation_errors() -> None:
    data = b"Video ID,Creator name,Time,VV\n1,a,2026/03/01 20:00:00,1\n"
    for kw in (
        {"tz": 7},
        {"on_error": "skip"},
        {"decimal": ";"},
        {"chunksize": 0},
        {"currency": "dollars"},
        {"date_format": "dd/mm"},
        {"kind": 3},
        {"summarize": {"by": "x"}},
        {"values": ["x"]},
    ):
        with pytest.raises(ValidationError):
            ck.ingest.read(data, **kw)
    with pytest.raises(ValidationError):
        ck.ingest.read(12)
    with pytest.raises(ValidationError):
        ck.ingest.read("/no/such/file.csv")


def test_malformed_csv_is_a_validation_error() -> None:
    err = _error("Video ID,Creator name,Time,VV\n1,a,2026/03/01 20:00:00,1,9,9\n", tz="UTC")
    assert err.argument == "source"


def test_report_and_result_contract() -> None:
    res = read("tiktok_shop_affiliate_orders_us.csv", tz="America/Los_Angeles")
    rep = res.report
    assert list(rep.columns) == ["column", "field", "conversion", "missing", "changed"]
    line = rep.set_index("field").loc["commission_rate"]
    assert line["column"] == "Standard commission rate"
    assert "percent" in line["conversion"]
    assert rep.set_index("field").loc["order_id", "changed"] == 0
    json.dumps(res.to_dict(), allow_nan=False)
    assert res.method.parameters["kind"] == "tiktok_shop.affiliate_orders"
    assert "IngestResult" in res._repr_html_()


def test_impossible_date_is_refused_not_rolled_over() -> None:
    data = (
        "Order ID,SKU ID,Payment Amount,Order Status,Creator Username,Time Created,Currency\n"
        "1,2,$5.00,Completed,c,31/02/2026 10:00:00,USD\n"
        "1,3,$5.00,Completed,c,7/6/2026 10:00:00,USD\n"
    )
    err = _error(data, tz="UTC")
    assert err.failure_cases["row"].tolist() == [2]  # 7/6/2026 is a valid unpadded %d/%m/%Y


# ---------------------------------------------------------------- text held by pyarrow


def _grid_cells() -> st.SearchStrategy[tuple[list[str], str]]:
    def written(n: int, places: int, prefix: str, group: bool, decimal: str) -> str:
        whole, frac = divmod(n, 10**places)
        sep = "," if decimal == "." else "."
        text = f"{whole:,}".replace(",", sep) if group else str(whole)
        return prefix + text + (decimal + str(frac).zfill(places) if places else "")

    number = st.builds(
        written,
        st.integers(0, 10**17),
        st.integers(0, 6),
        st.sampled_from(["", "$", "-$", "Rp", "- Rp", "-", "US$ ", "."]),
        st.booleans(),
        st.just("."),
    )
    junk = st.text(st.sampled_from(list("0123456789,.$- Rp฿x+%")), min_size=1, max_size=40)
    cells = st.lists(st.one_of(number, junk), min_size=1, max_size=25)
    return st.tuples(cells, st.sampled_from([".", ","]))


@settings(deadline=None, max_examples=150)
@given(case=_grid_cells())
def test_pyarrow_kernels_read_cells_as_the_numpy_grid(case: tuple[list[str], str]) -> None:
    pytest.importorskip("pyarrow")
    from creatorkit.ingest._grid import decimals

    cells, decimal = case
    grid = decimals(pd.Series(cells, dtype=object), decimal)
    arrow = decimals(pd.Series(cells, dtype="string[pyarrow]"), decimal)
    assert arrow.ok.tolist() == grid.ok.tolist()
    ok = grid.ok
    assert arrow.values()[ok].tolist() == grid.values()[ok].tolist()
    assert arrow.prefix[ok].tolist() == grid.prefix[ok].tolist()


@pytest.mark.parametrize(
    ("name", "kw"),
    [
        ("tiktok_shop_affiliate_orders_us.csv", {"tz": "America/Los_Angeles"}),
        ("tiktok_shop_affiliate_orders_id.tsv", {"tz": "Asia/Jakarta"}),
        ("tiktok_shop_video_performance_id.csv", {"tz": "Asia/Jakarta"}),
        ("amazon_associates_earnings.csv", {"tz": "America/Los_Angeles"}),
    ],
)
def test_pyarrow_text_reads_like_python_text(name: str, kw: dict[str, str]) -> None:
    pytest.importorskip("pyarrow")
    base = read(name, **kw)
    header = base.report["conversion"].str.extract(r"header on line (\d+)")[0].dropna()
    skip = int(header.iloc[0]) - 1
    sep = "\t" if name.endswith(".tsv") else ","
    frames = [
        pd.read_csv(FIXTURES / name, dtype=dtype, keep_default_na=False, skiprows=skip, sep=sep)
        for dtype in (object, "string[pyarrow]")
    ]
    python, arrow = (ck.ingest.read(f, **kw) for f in frames)
    pd.testing.assert_frame_equal(arrow.table, python.table)
    pd.testing.assert_frame_equal(arrow.report, python.report)


# ---------------------------------------------------------------- check_kind


@pytest.mark.parametrize("name", sorted(ck.ingest.KINDS))
def test_check_kind_passes_every_builtin(name: str) -> None:
    kind = ck.ingest.KINDS.get(name)
    given = ("creator_id",) if name == "tiktok_shop.affiliate_creator_orders" else ()
    ck.testing.check_kind(kind, values=given)


def _mine(*extra: Field, **kw: object) -> Kind:
    fields = (
        Field(name="content_id", aliases={"en": "Post"}, parse="id", required=True),
        Field(name="creator_id", aliases={"en": "Who"}, parse="id", required=True),
        Field(name="published_at", aliases={"en": "When"}, parse="time",
              unit="%Y-%m-%d %H:%M", required=True),
        Field(name="views", aliases={"en": "Plays"}, parse="count"),
    )  # fmt: skip
    args: dict[str, object] = {"constants": {"content_type": "post"}, **kw}
    return Kind(name="test.check", model=ck.Content, doc="x", fields=fields + extra, **args)  # type: ignore[arg-type]


def _refused(kind: object, *, values: tuple[str, ...] = ()) -> str:
    with pytest.raises(AssertionError) as info:
        ck.testing.check_kind(kind, values=values)
    return str(info.value)


def test_check_kind_accepts_a_sound_kind_and_refuses_broken_ones() -> None:
    ck.testing.check_kind(_mine())
    assert "not an ingest Kind" in _refused("tiktok_ads.report")
    twice = _mine(Field(name="likes", aliases={"en": "plays "}, parse="count"))
    assert "'plays' is an alias of two fields, 'views' and 'likes'" in _refused(twice)
    stray = _mine(Field(name="vibe", aliases={"en": "Vibe"}, parse="text", required=True))
    assert "'vibe' is required but is no column of Content" in _refused(stray)
    lacking = _mine(constants={})
    assert "Content needs 'content_type'" in _refused(lacking)
    ck.testing.check_kind(lacking, values=("content_type",))
    typed = _mine(Field(name="likes", aliases={"en": "Likes"}, parse="money"))
    assert "'likes' is a count column of the model but is read as 'money'" in _refused(typed)
    enum = _mine(Field(name="platform", aliases={"en": "App"}, parse="enum",
                       values={"TT": "tiktok", "Snap": "snapchat"}))  # fmt: skip
    assert "maps labels to ['snapchat']" in _refused(enum)
    unit = Field(name="ctr", aliases={"en": "CTR"}, parse="rate", unit="percent")
    object.__setattr__(unit, "unit", None)  # a field changed after it was checked
    assert "'ctr' is a rate without its unit" in _refused(_mine(unit))
    when = Field(name="deleted_at", aliases={"en": "Gone"}, parse="time", unit="%Y-%m-%d")
    object.__setattr__(when, "unit", "yyyy-mm-dd")
    assert "'yyyy-mm-dd' is no date format" in _refused(_mine(when))
    unreadable = _mine(constants={"content_type": "podcast"})
    assert "a file of its own headers does not read" in _refused(unreadable)


_CELLS = ["\t123", "--", " N/A ", "123", "", "a b", "\u3000x", "x\xa0", "-", "abcd", "฿12", "\x1cq"]


@settings(deadline=None, max_examples=100)
@given(
    cells=st.lists(st.one_of(st.sampled_from(_CELLS), st.text(max_size=6)), max_size=30),
    cut=st.integers(0, 30),
)
def test_pyarrow_clean_strips_and_blanks_like_python(cells: list[str], cut: int) -> None:
    pa = pytest.importorskip("pyarrow")
    from creatorkit.ingest._kinds import MISSING
    from creatorkit.ingest._parse import clean

    chunks = pa.chunked_array([cells[:cut], cells[cut:]], type=pa.string())  # as read_csv gives
    arrow = clean(pd.Series(pd.arrays.ArrowStringArray(chunks)), MISSING)
    python = [None if c.strip() in MISSING else c.strip() for c in cells]
    assert [None if pd.isna(v) else v for v in arrow.tolist()] == python


def test_large_file_repeated_and_duplicate_money_columns_read_exactly() -> None:
    pytest.importorskip("pyarrow")
    rows = 6_000  # above the size where columns are sampled for repeats
    cents = (np.arange(rows) * 7919) % 1_000 + 100
    paid = pd.Series([f'"${c // 100:,}.{c % 100:02d}"' for c in cents])
    paid_cells = paid.tolist()
    base_cells = list(paid_cells)
    base_cells[4_321] = '"€1.00"'  # the commission base differs from the payment in one row
    lines = [
        "Order ID,SKU ID,Payment Amount,Est. Commission Base,Order Status,Creator Username,"
        "Time Created,Standard commission rate,Currency"
    ]
    for i in range(rows):
        lines.append(
            f"\t{5770000000000000000 + i},sku{i},{paid_cells[i]},{base_cells[i]},Completed,"
            f"mai,07/06/2026 12:00:00,10%,USD"
        )
    data = ("\r\n".join(lines) + "\r\n").encode()
    with pytest.raises(ValidationError) as info:
        ck.ingest.read(data, tz="UTC")
    cases = info.value.failure_cases
    assert cases is not None
    assert cases[["column", "row", "value"]].values.tolist() == [
        ["Est. Commission Base", 4_323, "€1.00"]  # line 4,323: the header is line 1
    ]
    base_cells[4_321] = paid_cells[4_321]  # now equal cell for cell: read once, reused
    lines = lines[:1] + [line.replace('"€1.00"', paid_cells[4_321]) for line in lines[1:]]
    res = ck.ingest.read(("\r\n".join(lines) + "\r\n").encode(), tz="UTC")
    expected = cents / 100
    assert res.table["gmv"].tolist() == expected.tolist()
    assert res.table["commission_base_estimated"].tolist() == expected.tolist()
    assert res.table["order_id"].iloc[-1] == str(5770000000000000000 + rows - 1)
