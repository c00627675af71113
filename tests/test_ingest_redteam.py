"""Ingest defects a red-team found (f01-f05 and the misc list), each pinned by a test."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit._validation import Problems
from creatorkit.errors import ValidationError
from creatorkit.ingest import _parse

ORDERS = (
    "Order ID,SKU ID,Payment Amount,Order Status,Creator Username,Time Created,"
    "Standard commission rate,Currency\n"
)
ROW = '5770000000000000001,sku9,"$10.00",Completed,mai,07/06/2026 12:00:00,10%,USD\n'


def _xlsx(rows: list[list[Any]], formats: tuple[tuple[str, str], ...] = ()) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cell, fmt in formats:
        sheet[cell].number_format = fmt
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _orders_xlsx(rates: list[Any]) -> bytes:
    header = ORDERS.strip().split(",")
    rows = [
        [f"577000000000000000{i}", "sku1", 1234.56, "Completed", "mai", "07/06/2026 12:00:00",
         rate, "USD"]
        for i, rate in enumerate(rates)
    ]  # fmt: skip
    return _xlsx([header, *rows], tuple((f"G{i + 2}", "0%") for i in range(len(rates))))


def test_xlsx_percent_cells_are_fractions() -> None:
    """f01: a cell shown as 10% stores 0.1; it is the rate, not 0.1 percent."""
    res = ck.ingest.read(_orders_xlsx([0.1, 0.155]), tz="America/New_York")
    assert res.table["commission_rate"].tolist() == [0.1, 0.155]


def test_xlsx_mixed_rate_column_text_and_number_cells() -> None:
    """f01: text "10%" follows the percent rule, a number cell beside it is a fraction."""
    res = ck.ingest.read(_orders_xlsx([0.1, "12.5%", 0.025]), tz="America/New_York")
    assert res.table["commission_rate"].tolist() == [0.1, 0.125, 0.025]


def test_xlsx_number_cells_have_no_locale_decimal_mark() -> None:
    """f02: an IDR file's number cells are read as numbers, its text cells with ','."""
    header = ["Video ID", "Creator name", "Time", "VV", "Video Revenue (Rp)", "CO rate"]
    data = _xlsx(
        [
            header,
            ["7001", "mai", "2026/03/01 20:00:00", 1200, 12.345, 0.025],
            ["7002", "mai", "2026/03/01 21:00:00", 1300, "Rp150.000", "7,5%"],
        ],
        (("F2", "0.0%"),),
    )
    t = ck.ingest.read(data, tz="Asia/Jakarta").table
    assert t["gmv"].tolist() == [12.345, 150000.0]
    assert t["checkout_rate"].tolist() == [0.025, 0.075]
    assert t["views"].tolist() == [1200, 1300]


def test_first_data_row_with_missing_markers_is_kept() -> None:
    """f03: a first row of '--' metrics with a video id is data, not a description row."""
    csv = (
        b"Video name,Video post date,Creator username,Affiliate orders,GMV,"
        b"Affiliate refunded GMV,Affiliate CTR,Video ID,VV\n"
        b"No sales yet,2026/03/02 09:30:00,mai,--,--,--,--,7301000000000000102,980\n"
        b'My haul,2026/03/01 10:00:00,mai,3,"$205.33",$0.00,4.11%,7301000000000000201,"16,969"\n'
    )
    res = ck.ingest.read(csv, tz="America/Los_Angeles")
    assert res.table["content_id"].tolist() == ["7301000000000000102", "7301000000000000201"]
    assert res.rows_excluded == 0
    assert res.table["gmv"].tolist() == [0.0, 205.33]


def test_description_row_is_counted_as_excluded() -> None:
    """f03: the description row that is skipped is counted, with a note."""
    csv = (
        b"Creator username,Video name,Video ID,Video post date,GMV,Affiliate orders,VV\n"
        b"The creator handle,The title,The unique ID of the video,When posted,"
        b"Gross merchandise value,Orders from links,Total video views\n"
        b"mai,My haul,7301000000000000201,2026/03/01 10:00:00,$205.33,3,980\n"
    )
    res = ck.ingest.read(csv, tz="America/Los_Angeles")
    assert len(res.table) == 1
    assert res.rows_read == 2
    assert res.rows_excluded == 1
    assert any("description row" in str(w.message) for w in res.warnings)


def _api(*amounts: tuple[str, str]) -> dict[str, Any]:
    skus = [
        {"sku_id": f"s{i}", "payment_amount": {"amount": amount, "currency": cur}}
        for i, (amount, cur) in enumerate(amounts)
    ]
    order = {"id": "577012345678901234", "status": "PROCESSING", "creator_username": "mai",
             "create_time": 1780000000, "skus": skus}  # fmt: skip
    return {"data": {"orders": [order]}}


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("150000.50", "IDR", 150000.5), ("12.500", "IDR", 12.5), ("25000.000", "VND", 25000.0)],
)
def test_api_amounts_are_machine_decimals(amount: str, currency: str, expected: float) -> None:
    """f04: Open API amounts use '.' whatever the currency."""
    t = ck.ingest.read(_api((amount, currency))).table
    assert t["gmv"].tolist() == [expected]
    assert t["currency"].tolist() == [currency]


def test_api_mixed_currency_payload_keeps_each_rows_currency() -> None:
    """f04: a USD and an IDR amount in one payload, each with its own currency."""
    t = ck.ingest.read(_api(("19.99", "USD"), ("150000.50", "IDR"))).table
    assert t["gmv"].tolist() == [19.99, 150000.5]
    assert t["currency"].tolist() == ["USD", "IDR"]


def test_marketplace_range_rows_keep_their_currency() -> None:
    """f05: alias columns of one field are coalesced row by row."""
    payload = {"data": {"creators": [
        {"creator_open_id": "oid1", "follower_count": 125000, "region": "US",
         "category": "beauty", "gmv": {"currency": "USD", "amount": "3434.23"}},
        {"creator_open_id": "oid2", "follower_count": 5000, "region": "US", "category": "home",
         "gmv_range": {"currency": "USD", "minimum_amount": "0", "maximum_amount": "100",
                       "formatted_range": "$0-$100"}},
    ]}}  # fmt: skip
    t = ck.ingest.read(payload).table
    assert [str(c) for c in t["currency"]] == ["USD", "USD"]
    assert t["gmv_low"].tolist() == [3434.23, 0.0]
    assert t["gmv_high"].tolist() == [3434.23, 100.0]


def test_accounting_parentheses_are_negative_amounts() -> None:
    """'($10.00)' is -10.00 (not another currency); gmv then refuses it as negative."""
    amount, cur, _ = _parse.money(
        pd.Series(["($10.00)", "(Rp1.500)", "$3"]),
        column="x", problems=(p := Problems("f")), decimal=".", currency=None,
    )  # fmt: skip
    assert not p
    assert amount.tolist() == [-10.0, -1.5, 3.0]
    assert cur.tolist() == ["USD", "IDR", "USD"]
    with pytest.raises(ValidationError) as info:
        ck.ingest.read((ORDERS + ROW.replace('"$10.00"', '"($10.00)"')).encode(),
                       tz="America/New_York")  # fmt: skip
    text = str(info.value)
    assert "must be >= 0" in text
    assert "mixed_currency" not in text


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=99),
    st.sampled_from(["$", "Rp", "", "€"]),
)
def test_parentheses_property(whole: int, cents: int, symbol: str) -> None:
    """money('(X)') is exactly -money('X'), with the same currency."""
    text = f"{symbol}{whole:,}.{cents:02d}"
    cells = pd.Series([text, f"({text})"])
    p = Problems("f")
    amount, cur, _ = _parse.money(cells, column="x", problems=p, decimal=".", currency=None)
    assert not p
    assert amount.iloc[1] == -amount.iloc[0]
    assert str(cur.iloc[1]) == str(cur.iloc[0])


def test_raise_lists_parse_and_table_problems() -> None:
    """on_error='raise': one ValidationError with the parse and the validation problems."""
    body = ROW.replace('"$10.00"', '"$x10.00"').replace(",mai,", ",,")
    with pytest.raises(ValidationError) as info:
        ck.ingest.read((ORDERS + body).encode(), tz="America/New_York")
    cases = info.value.failure_cases
    assert set(cases["code"]) == {"invalid_value", "missing_value"}
    assert set(cases["column"]) == {"Payment Amount", "creator_id"}
    assert "2 problems" in str(info.value)


@pytest.mark.parametrize("label", ["Total", "Grand total", "TOTAL:"])
def test_trailing_total_row_is_excluded_and_counted(label: str) -> None:
    data = (ORDERS + ROW + f'{label},,"$10.00",,,,,\n').encode()
    res = ck.ingest.read(data, tz="America/New_York")
    assert res.table["gmv"].tolist() == [10.0]
    assert res.rows_read == 2
    assert res.rows_excluded == 1
    assert any("summary row" in str(w.message) for w in res.warnings)


def test_total_row_with_an_id_is_data() -> None:
    """A row with its own order id is no summary, whatever its first cell."""
    with pytest.raises(ValidationError):
        ck.ingest.read((ORDERS + ROW + 'Total,sku2,"$1.00",,,,,\n').encode(),
                       tz="America/New_York")  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_csv_is_decoded(encoding: str, tmp_path: Path) -> None:
    text = ORDERS + ROW
    data = text.encode(encoding)
    if encoding != "utf-16":  # write the byte-order mark the way Excel does
        data = "\ufeff".encode(encoding) + data
    for source in (data, tmp_path / "orders.csv"):
        if isinstance(source, Path):
            source.write_bytes(data)
        t = ck.ingest.read(source, tz="America/New_York").table
        assert t["order_id"].tolist() == ["5770000000000000001"]
        assert t["gmv"].tolist() == [10.0]


def test_api_payload_json_still_reads_after_changes() -> None:
    """A payload given as JSON bytes reads the same as the parsed payload."""
    payload = _api(("150000.50", "IDR"))
    a = ck.ingest.read(payload).table
    b = ck.ingest.read(json.dumps(payload).encode()).table
    pd.testing.assert_frame_equal(a, b)
