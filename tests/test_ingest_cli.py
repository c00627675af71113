"""`python -m creatorkit ingest FILE --out OUT`: writes the validated table; errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from creatorkit.__main__ import main

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def test_ingest_writes_csv_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, report = tmp_path / "t.csv", tmp_path / "r.csv"
    source = FIXTURES / "tiktok_shop_affiliate_orders_us.csv"
    code = main([
        "ingest", str(source), "--tz", "America/Los_Angeles", "--out", str(out),
        "--report", str(report),
    ])  # fmt: skip
    assert code == 0
    assert "read 2 rows of tiktok_shop.affiliate_orders (OrderLine)" in capsys.readouterr().out
    table = pd.read_csv(out, dtype=str)
    assert table["order_id"].tolist() == ["5770001234567890123"] * 2
    assert table["row"].tolist() == ["2", "3"]
    assert "field" in pd.read_csv(report).columns


def test_ingest_json_out_and_kind(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    source = FIXTURES / "tiktok_shop_api_affiliate_orders.json"
    assert (
        main(
            ["ingest", str(source), "--kind", "tiktok_shop.api.affiliate_orders", "--out", str(out)]
        )
        == 0
    )
    rows = json.loads(out.read_text())
    assert rows[0]["order_id"] == "577000123456789012"


@pytest.mark.parametrize(
    "argv",
    [
        ["ingest", str(FIXTURES / "tiktok_shop_video_performance_id.csv"), "--out", "x.csv"],
        ["ingest", "/no/such.csv", "--out", "x.csv"],
        ["ingest", str(FIXTURES / "tiktok_ads_report.csv"), "--out", "x.parquet"],
        ["ingest", str(FIXTURES / "tiktok_ads_report.csv"), "--kind", "nope", "--out", "x.csv"],
    ],
)
def test_ingest_errors_are_one_line_exit_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("creatorkit: error: ")
    assert "\n" not in err
    assert "Traceback" not in err


def test_ingest_errors_name_the_option_and_list_what_was_expected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("foo,bar\n1,2\n", encoding="utf-8")
    ads = str(FIXTURES / "tiktok_ads_report.csv")
    cases = [
        (["ingest", str(unknown), "--out", "x.csv"],
         f"{unknown}: no header row found: no cell is a known column name (first row: "
         "['foo', 'bar']; kinds tried: tiktok_shop.affiliate_orders,"),
        (["ingest", ads, "--kind", "nope", "--out", "x.csv"],
         "--kind: 'nope' is not a registered ingest kind. Registered: "
         "tiktok_shop.affiliate_orders,"),
        (["ingest", ads, "--on-error", "maybe", "--out", "x.csv"], "--on-error: must be one of"),
    ]  # fmt: skip
    for argv, expected in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"creatorkit: error: {expected}"), err


def test_demo_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("creatorkit ")
