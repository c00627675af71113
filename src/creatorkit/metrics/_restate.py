"""``metrics.restate``: the collaboration table as it was known at a date.

Collaboration rows roll up results (GMV, refunds, commission, samples posted) that keep
changing for weeks: refunds and commission settle after the order, samples are posted
after they arrive. ``restate`` rebuilds those columns from the dated facts — order lines
and samples — as known at ``as_of``, so ROI, ROAS, refund rate and fulfillment computed
on the result are the numbers a brand could have seen that day (and a backtest uses
only what was known then).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from creatorkit._time import parse_window, require_as_of
from creatorkit._validation import Problems, check_frame
from creatorkit.errors import ErrorCode
from creatorkit.results import MethodCard, Note, TableResult

__all__ = ["restate"]

_KEYS = ["creator_id", "campaign_id"]


def _before(frame: pd.DataFrame, column: str, as_of: pd.Timestamp) -> np.ndarray:
    """Rows whose ``column`` is set and not after ``as_of``."""
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    return (frame[column] <= as_of).fillna(False).to_numpy(dtype=bool)


def _not_after(frame: pd.DataFrame, column: str, as_of: pd.Timestamp) -> np.ndarray:
    """Rows whose ``column`` is not after ``as_of``; an unknown date counts as known.

    This is the rule ``compute`` applies to refunds and settled commission.
    """
    if column not in frame:
        return np.ones(len(frame), dtype=bool)
    return ~(frame[column] > as_of).fillna(False).to_numpy(dtype=bool)


def _agreed(collabs: pd.DataFrame, as_of: pd.Timestamp) -> tuple[pd.DataFrame, list[Note]]:
    """Collaborations agreed by ``as_of``; later dates (posted, paid) blanked when later."""
    notes = []
    if "agreed_at" in collabs:
        later = (collabs["agreed_at"] > as_of).fillna(False).to_numpy(dtype=bool)
        if later.any():
            text = "{count} collaborations were agreed after as_of and are left out"
            notes.append(Note.counted("not_agreed_yet", text, count=int(later.sum())))
        collabs = collabs[~later]
    blank = {}
    for column in ("content_due_at", "posted_at", "paid_at"):
        if column in collabs:
            known = _before(collabs, column, as_of)
            blank[column] = collabs[column].where(known)
    return collabs.assign(**blank), notes


def _check_currency(collabs: pd.DataFrame, lines: pd.DataFrame) -> None:
    merged = lines[[*_KEYS, "currency"]].merge(
        collabs[[*_KEYS, "collaboration_id", "currency"]], on=_KEYS, suffixes=("", "_deal")
    )
    bad = (merged["currency"] != merged["currency_deal"]).to_numpy(dtype=bool)
    if bad.any():
        problems = Problems("orders")
        problems.add_mask(
            "currency",
            bad,
            merged.index,
            merged["collaboration_id"],
            "order lines must be in their collaboration's currency (convert them first)",
            ErrorCode.MIXED_CURRENCY,
        )
        problems.raise_if_any()


def _from_orders(
    collabs: pd.DataFrame, lines: pd.DataFrame, as_of: pd.Timestamp, window: pd.Timedelta | None
) -> tuple[pd.DataFrame, list[Note]]:
    """GMV, orders, new customers, refunds and commission per collaboration at ``as_of``."""
    lines = lines[_before(lines, "ordered_at", as_of)]
    _check_currency(collabs, lines)
    refunded = _not_after(lines, "refunded_at", as_of)
    settled = _not_after(lines, "settled_at", as_of)
    actual = lines.get("commission_actual")
    estimated = lines.get("commission_estimated")
    commission = pd.Series(np.nan, index=lines.index)
    if estimated is not None:
        commission = estimated.astype(float)
    if actual is not None:
        commission = commission.where(~(settled & actual.notna().to_numpy()), actual)
    new = (
        lines["new_customer"].to_numpy(dtype=bool)
        if "new_customer" in lines
        else np.zeros(len(lines), dtype=bool)
    )
    facts = pd.DataFrame(
        {
            "creator_id": lines["creator_id"],
            "campaign_id": lines["campaign_id"],
            "gmv": lines["gmv"].to_numpy(dtype=float),
            "refunds": np.where(refunded, lines["refunds"].to_numpy(dtype=float), 0.0)
            if "refunds" in lines
            else 0.0,
            "commission": commission.to_numpy(dtype=float),
            "order": lines["order_id"].to_numpy(dtype=object),
            "new_order": lines["order_id"]
            .where(pd.Series(new, index=lines.index))
            .to_numpy(dtype=object),
            "open": np.zeros(len(lines), dtype=bool)
            if window is None
            else (lines["ordered_at"] > as_of - window).to_numpy(dtype=bool),
        }
    )
    facts["gmv_refund_window_open"] = np.where(facts["open"], facts["gmv"], 0.0)
    grouped = facts.groupby(_KEYS, sort=False)
    sums = grouped[["gmv", "refunds", "gmv_refund_window_open"]].sum()
    sums["commission"] = grouped["commission"].sum(min_count=1)
    sums["orders"] = grouped["order"].nunique()
    sums["new_customers"] = grouped["new_order"].nunique()
    table = collabs.drop(columns=[c for c in sums.columns if c in collabs]).merge(
        sums.reset_index(), on=_KEYS, how="left"
    )
    table = table.fillna(dict.fromkeys(("gmv", "refunds", "gmv_refund_window_open"), 0.0))
    table = table.fillna({"orders": 0, "new_customers": 0})
    if "commission" in collabs:
        table["commission"] = table["commission"].fillna(
            pd.Series(collabs["commission"].to_numpy(), index=table.index)
        )
    table = table.astype({"orders": np.int64, "new_customers": np.int64})
    notes = []
    open_deals = int((table["gmv_refund_window_open"] > 0).sum())
    if open_deals:
        text = (
            "{count} collaborations have GMV whose refund window is still open at as_of: "
            "their refunds, ROI and refund rate are not final (gmv_refund_window_open)"
        )
        notes.append(Note.counted("immature_outcome", text, count=open_deals))
    return table, notes


def _from_samples(
    collabs: pd.DataFrame, samples: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Sample counts per collaboration as known at ``as_of``."""
    received = _before(samples, "received_at", as_of)
    due = _before(samples, "deadline", as_of)
    posted = _before(samples, "posted_at", as_of)
    on_time = posted & (samples["posted_at"] <= samples["deadline"]).fillna(False).to_numpy()
    counts = (
        pd.DataFrame(
            {
                "collaboration_id": samples["collaboration_id"],
                "samples_received_due": received & due,
                "samples_posted_due": received & due & posted,
                "samples_posted": posted,
                "samples_posted_on_time": on_time,
            }
        )
        .groupby("collaboration_id", sort=False)
        .sum()
    )
    table = collabs.drop(columns=[c for c in counts.columns if c in collabs]).merge(
        counts.reset_index(), on="collaboration_id", how="left"
    )
    return table.fillna(dict.fromkeys(counts.columns, 0)).astype(
        dict.fromkeys(counts.columns, np.int64)
    )


def restate(
    collaborations: pd.DataFrame,
    *,
    as_of: Any,
    orders: pd.DataFrame | None = None,
    samples: pd.DataFrame | None = None,
    refund_window: Any = None,
) -> TableResult:
    """The collaboration table as known at ``as_of`` (point in time).

    * Collaborations agreed after ``as_of`` are left out (counted); ``posted_at``,
      ``paid_at`` and ``content_due_at`` after it are blanked. Cost items count from the
      agreement (they are committed then), paid or not.
    * With ``orders`` (order lines attributed by ``creator_id`` + ``campaign_id``): ``gmv``,
      ``orders`` (distinct order ids), ``new_customers``, ``refunds`` (only those refunded
      by ``as_of``) and ``commission`` (the actual amount where settled by ``as_of``, else
      the estimate) are rebuilt from the lines ordered by ``as_of``. With ``refund_window``
      (e.g. ``"30D"``), ``gmv_refund_window_open`` holds the GMV whose refund window is
      still open and an ``immature_outcome`` note counts those collaborations.
    * With ``samples``: the sample counts behind fulfillment and on-time rates are rebuilt
      from the samples' dates (received, deadline, posted) as known at ``as_of``.

    Args:
        collaborations: A :class:`~creatorkit.Collaboration` table (validated here).
        as_of: Timezone-aware date of knowledge (never the clock).
        orders: An :class:`~creatorkit.OrderLine` table in the collaborations' currencies.
        samples: A :class:`~creatorkit.Sample` table.
        refund_window: How long refunds stay possible after an order (``"30D"``).

    Returns:
        A :class:`~creatorkit.results.TableResult` with the restated collaboration table
        (same columns; ``gmv_refund_window_open`` with a refund window), to pass to
        :func:`compute` for ROI, ROAS, refund rate and fulfillment as known then.

    Raises:
        ValidationError: Invalid tables, order lines in another currency than their
            collaboration, a naive ``as_of``.

    Example:
        >>> import pandas as pd, creatorkit as ck
        >>> deal = pd.DataFrame({"collaboration_id": ["co1"], "creator_id": ["c1"],
        ...     "campaign_id": ["k1"], "currency": ["USD"], "cost": [100.0],
        ...     "agreed_at": ["2026-05-01T00:00:00+00:00"]})
        >>> lines = pd.DataFrame({"order_id": ["o1", "o2"], "line_id": ["1", "1"],
        ...     "sku": ["s", "s"], "creator_id": ["c1", "c1"], "campaign_id": ["k1", "k1"],
        ...     "ordered_at": ["2026-05-03T00:00:00+00:00", "2026-05-20T00:00:00+00:00"],
        ...     "gmv": [150.0, 150.0], "currency": ["USD", "USD"],
        ...     "status": ["completed", "completed"]})
        >>> early = restate(deal, orders=lines, as_of="2026-05-10T00:00:00+00:00").table
        >>> float(ck.metrics.compute(early, "roas").table["roas"][0])
        1.5
    """
    from creatorkit.frames import validate
    from creatorkit.models import Collaboration, OrderLine, Sample

    when = require_as_of(as_of)
    window = None if refund_window is None else parse_window(refund_window, "refund_window")
    collabs = validate(check_frame("collaborations", collaborations), Collaboration).frame
    table, notes = _agreed(collabs, when)
    if orders is not None:
        lines = validate(check_frame("orders", orders, allow_empty=True), OrderLine).frame
        table, more = _from_orders(table, lines, when, window)
        notes += more
    if samples is not None:
        sample_table = validate(check_frame("samples", samples, allow_empty=True), Sample).frame
        table = _from_samples(table, sample_table, when)
    card = MethodCard.create(
        "metrics.restate",
        as_of=when,
        refund_window=None if window is None else str(refund_window),
        orders=orders is not None,
        samples=samples is not None,
    )
    return TableResult(table=table.reset_index(drop=True), method=card, warnings=notes)
