"""ingest.read of a 1M-line TikTok Shop affiliate-orders export vs pd.read_csv(dtype=str).

The file has the quirks of real exports (EXPORTS.md): a UTF-8 byte-order mark, ids padded
with a tab, money as ``"$1,234.56"``, rates ``"10%"``, ``--`` for missing, DD/MM/YYYY times,
28 columns. The peer only splits the same file into strings; creatorkit also parses every
column, checks it and validates the table.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

import creatorkit as ck
from _harness import Line, median_time

HEADERS = [
    "Order ID", "Product ID", "Product Name", "SKU ID", "Price", "Payment Amount", "Quantity",
    "Fully returned or refunded", "Payment method", "Order Status", "Creator Username",
    "Content Type", "Content ID", "commission model", "Standard commission rate",
    "Est. Commission Base", "Est. standard commission payment", "Actual Commission Base",
    "Actual Commission Payment", "Shop Ads commission rate",
    "Est./Actual Shop Ads commission payment", "Est./Actual co-funded creator bonus",
    "Time Created", "Payment time", "Order Delivery Time", "Time Commission Paid", "Currency",
    "Platform",
]  # fmt: skip


def _money(cents: np.ndarray) -> pd.Series:
    whole = pd.Series(cents // 100)
    text = whole.map("{:,}".format)
    return '"$' + text + "." + pd.Series(cents % 100).astype(str).str.zfill(2) + '"'


def _time(seconds: np.ndarray) -> pd.Series:
    stamps = pd.Series(pd.to_datetime(seconds, unit="s"))
    return stamps.dt.strftime("%d/%m/%Y %H:%M:%S")


def make_export(path: Path, rows: int, seed: int = 0) -> None:
    """Write a realistic affiliate-orders export of ``rows`` lines to ``path``."""
    rng = np.random.default_rng(seed)
    order = 5_770_000_000_000_000_000 + np.arange(rows) // 2
    product = 1_729_384_756_102_900_000 + rng.integers(0, 5_000, rows)
    sku = product * 2 + np.arange(rows) % 2  # two lines per order, distinct SKUs
    price = rng.integers(199, 250_000, rows)
    qty = rng.integers(1, 4, rows)
    paid = price * qty
    rate = rng.choice(np.array(["5%", "10%", "12.5%", "15%", "20%"]), rows)
    est = paid // 10
    settled = rng.random(rows) < 0.6
    created = 1_780_000_000 + rng.integers(0, 60 * 86_400, rows)
    status = rng.choice(np.array(["Completed", "Shipped", "To ship", "Canceled"]), rows)
    missing = pd.Series(["--"] * rows)
    content = 7_394_017_712_830_000_000 + rng.integers(0, 10**6, rows)
    cols = {
        "Order ID": "\t" + pd.Series(order).astype(str),
        "Product ID": "\t" + pd.Series(product).astype(str),
        "Product Name": pd.Series(rng.choice(np.array(["Glow Serum", '"Mask, 5 pack"']), rows)),
        "SKU ID": "\t" + pd.Series(sku).astype(str),
        "Price": _money(price),
        "Payment Amount": _money(paid),
        "Quantity": pd.Series(qty).astype(str),
        "Fully returned or refunded": pd.Series(np.where(status == "Canceled", "Yes", "No")),
        "Payment method": pd.Series(["Card"] * rows),
        "Order Status": pd.Series(status),
        "Creator Username": "creator" + pd.Series(rng.integers(0, 20_000, rows)).astype(str),
        "Content Type": pd.Series(rng.choice(np.array(["Video", "LIVE", "Showcase"]), rows)),
        "Content ID": "\t" + pd.Series(content).astype(str),
        "commission model": pd.Series(["Standard"] * rows),
        "Standard commission rate": pd.Series(rate),
        "Est. Commission Base": _money(paid),
        "Est. standard commission payment": _money(est),
        "Actual Commission Base": _money(paid).where(settled, "--"),
        "Actual Commission Payment": _money(est).where(settled, "--"),
        "Shop Ads commission rate": missing,
        "Est./Actual Shop Ads commission payment": missing,
        "Est./Actual co-funded creator bonus": missing,
        "Time Created": _time(created),
        "Payment time": _time(created + 60),
        "Order Delivery Time": _time(created + 3 * 86_400).where(settled, "--"),
        "Time Commission Paid": _time(created + 20 * 86_400).where(settled, "--"),
        "Currency": pd.Series(["USD"] * rows),
        "Platform": pd.Series(["TikTok"] * rows),
    }  # fmt: skip
    body = cols[HEADERS[0]]
    for name in HEADERS[1:]:
        body = body + "," + cols[name]
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        handle.write(",".join(HEADERS) + "\r\n")
        handle.write("\r\n".join(body.tolist()) + "\r\n")


def run(quick: bool) -> list[Line]:
    rows = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "affiliate_orders.csv"
        make_export(path, rows)
        size = os.path.getsize(path) / 1e6

        def ours() -> object:
            return ck.ingest.read(
                path, kind="tiktok_shop.affiliate_orders", tz="America/Los_Angeles"
            )

        def peer() -> object:
            return pd.read_csv(path, dtype=str)

        result = ours()
        assert len(result.table) == rows
        repeat = 3 if quick else 1
        t_ours = median_time(ours, repeat=repeat, warmup=0)
        t_peer = median_time(peer, repeat=repeat, warmup=0)
    return [
        Line(
            f"ingest.read affiliate orders, {rows:,} lines ({size:.0f} MB)",
            t_ours,
            t_peer,
            "≤ 2.5×",
            "peer: pd.read_csv(dtype=str) of the same file",
        )
    ]


if __name__ == "__main__":
    import sys

    from _harness import print_table

    print_table(run("--quick" in sys.argv))
