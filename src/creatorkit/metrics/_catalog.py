"""The built-in metric catalog (design guide §5). Every formula is a ratio of sums unless noted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from creatorkit._arith import divide as _ratio
from creatorkit.metrics._expr import RowFunction
from creatorkit.metrics._metric import Metric, Reducer, registry

_GUIDE = "creatorkit design guide §5"
_SELLER = "TikTok Shop seller guide (interaction rate = likes / views, last 30 days)"
_FINANCE = "standard marketing finance definition"


def _frame(**columns: Any) -> pd.DataFrame:
    return pd.DataFrame(columns)


def _distinct(column: str) -> Reducer:
    def reduce(
        frame: pd.DataFrame, codes: np.ndarray, ngroups: int, params: Mapping[str, float]
    ) -> tuple[np.ndarray, np.ndarray]:
        values = frame[column]
        ok = values.notna().to_numpy()
        pairs = _frame(g=codes[ok], v=values.to_numpy()[ok]).drop_duplicates()
        counts = np.bincount(pairs["g"].to_numpy(), minlength=ngroups).astype(float)
        return counts, np.bincount(codes[ok], minlength=ngroups).astype(float)

    return reduce


def _repurchase(
    frame: pd.DataFrame, codes: np.ndarray, ngroups: int, params: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    ok = (frame["customer_id"].notna() & frame["order_id"].notna()).to_numpy()
    pairs = _frame(
        g=codes[ok],
        c=frame["customer_id"].to_numpy()[ok],
        o=frame["order_id"].to_numpy()[ok],
    ).drop_duplicates()
    orders = pairs.groupby(["g", "c"], sort=False).size()
    g = orders.index.get_level_values("g").to_numpy()
    customers = np.bincount(g, minlength=ngroups).astype(float)
    repeaters = np.bincount(g, weights=(orders.to_numpy() >= 2).astype(float), minlength=ngroups)
    return _ratio(repeaters, customers), customers


def _new_customer_share(
    frame: pd.DataFrame, codes: np.ndarray, ngroups: int, params: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    orders = (
        _frame(
            g=codes, o=frame["order_id"].to_numpy(), n=frame["new_customer"].to_numpy(dtype=bool)
        )
        .groupby(["g", "o"], sort=False)["n"]
        .max()
    )
    g = orders.index.get_level_values("g").to_numpy()
    total = np.bincount(g, minlength=ngroups).astype(float)
    new = np.bincount(g, weights=orders.to_numpy(dtype=float), minlength=ngroups)
    return _ratio(new, total), total


def _concentration(
    frame: pd.DataFrame, codes: np.ndarray, ngroups: int, params: Mapping[str, float]
) -> tuple[np.ndarray, np.ndarray]:
    per = (
        _frame(g=codes, c=frame["creator_id"].to_numpy(), v=frame["gmv"].to_numpy(dtype=float))
        .groupby(["g", "c"], sort=False)["v"]
        .sum()
    )
    g = per.index.get_level_values("g").to_numpy()
    total = np.bincount(g, weights=per.to_numpy(), minlength=ngroups)
    share = _ratio(per.to_numpy(), total[g])
    hhi = np.bincount(g, weights=np.nan_to_num(share * share), minlength=ngroups)
    return np.where(total > 0, hhi, np.nan), total


def _median(column: str) -> Reducer:
    def reduce(
        frame: pd.DataFrame, codes: np.ndarray, ngroups: int, params: Mapping[str, float]
    ) -> tuple[np.ndarray, np.ndarray]:
        values = frame[column].to_numpy(dtype=float, na_value=np.nan)
        ok = ~np.isnan(values)
        med = _frame(g=codes[ok], v=values[ok]).groupby("g")["v"].median()
        out = np.full(ngroups, np.nan)
        out[med.index.to_numpy()] = med.to_numpy()
        return out, np.bincount(codes[ok], minlength=ngroups).astype(float)

    return reduce


def _effective(frame: pd.DataFrame, params: Mapping[str, float]) -> np.ndarray:
    return (frame["views"].to_numpy(dtype=float) >= float(params["min_views"])).astype(float)


def _sum(name: str, kind: Literal["count", "amount"], layer: str, table: str = "content") -> Metric:
    return Metric(
        name=name,
        numerator=name,
        kind=kind,
        layer=layer,
        table=table,
        unit="currency" if kind == "amount" else name,
        source=_GUIDE,
        description=f"Σ {name}",
    )


BUILTIN: tuple[Metric, ...] = (
    *(_sum(n, "count", "content") for n in ("views", "likes", "comments", "shares", "saves")),
    _sum("clicks", "count", "intent"),
    _sum("orders", "count", "conversion"),
    _sum("units", "count", "conversion"),
    _sum("gmv", "amount", "financial"),
    Metric(
        name="interaction_rate",
        numerator="likes",
        denominator="views",
        kind="rate",
        layer="content",
        window="30D",
        unit="share",
        source=_SELLER,
        description="Likes per view over the 30 days up to as_of (the seller guide's definition).",
    ),
    Metric(
        name="like_rate",
        numerator="likes",
        denominator="views",
        kind="rate",
        layer="content",
        unit="share",
        source=_GUIDE,
        description="Likes per view.",
    ),
    Metric(
        name="save_rate",
        numerator="saves",
        denominator="views",
        kind="rate",
        layer="content",
        unit="share",
        source=_GUIDE,
        description="Saves per view.",
    ),
    Metric(
        name="follow_rate",
        numerator="follows",
        denominator="views",
        kind="rate",
        layer="content",
        unit="share",
        source=_GUIDE,
        description="Follows gained per view.",
    ),
    Metric(
        name="comment_rate",
        numerator="comments",
        denominator="views",
        kind="ratio",
        layer="content",
        unit="per view",
        source=_GUIDE,
        description="Comments per view (a viewer may comment more than once).",
    ),
    Metric(
        name="share_rate",
        numerator="shares",
        denominator="views",
        kind="ratio",
        layer="content",
        unit="per view",
        source=_GUIDE,
        description="Shares per view.",
    ),
    Metric(
        name="engagement_rate",
        numerator="engagements",
        denominator="views",
        kind="ratio",
        layer="content",
        unit="per view",
        source=_GUIDE,
        description="(likes + comments + shares + saves) per view.",
    ),
    Metric(
        name="engagement_rate_followers",
        numerator="engagements",
        denominator="followers_at_post",
        kind="ratio",
        layer="content",
        unit="per follower",
        source=_GUIDE,
        description="Engagements per follower at posting time.",
    ),
    Metric(
        name="completion_rate",
        numerator="completion * views",
        denominator="views",
        kind="rate",
        layer="content",
        unit="share",
        source=_GUIDE,
        description="View-weighted average completion (share of the content watched).",
    ),
    Metric(
        name="ctr",
        numerator="clicks",
        denominator="views",
        kind="ratio",
        layer="intent",
        unit="per view",
        source=_GUIDE,
        description="Product clicks per view.",
    ),
    Metric(
        name="add_to_cart_rate",
        numerator="add_to_carts",
        denominator="clicks",
        kind="ratio",
        layer="intent",
        unit="per click",
        source=_GUIDE,
        description="Add-to-carts per product click.",
    ),
    Metric(
        name="cvr",
        numerator="orders",
        denominator="clicks",
        kind="ratio",
        layer="conversion",
        unit="per click",
        source=_GUIDE,
        description="Orders per product click.",
    ),
    Metric(
        name="view_to_order_rate",
        numerator="orders",
        denominator="views",
        kind="ratio",
        layer="conversion",
        unit="per view",
        source=_GUIDE,
        description="Orders per view.",
    ),
    Metric(
        name="aov",
        numerator="gmv",
        denominator="orders",
        kind="amount",
        layer="financial",
        unit="currency",
        source=_FINANCE,
        description="Average order value: GMV per order.",
    ),
    Metric(
        name="gpm",
        numerator="1000 * gmv",
        denominator="views",
        kind="per_mille",
        formula="1000 * gmv / views",
        layer="financial",
        unit="currency per 1,000 views",
        source=_GUIDE,
        description="GMV per 1,000 views.",
    ),
    Metric(
        name="gmv_per_hour",
        numerator="3600 * gmv",
        denominator="duration_seconds",
        kind="ratio",
        formula="3600 * gmv / duration_seconds",
        layer="financial",
        unit="currency per LIVE hour",
        source=_GUIDE,
        description="LIVE: GMV per hour streamed (rows without a duration, videos, are left out).",
    ),
    Metric(
        name="live_gpm",
        numerator="1000 * gmv",
        denominator="viewers",
        kind="per_mille",
        formula="1000 * gmv / viewers",
        layer="financial",
        unit="currency per 1,000 LIVE viewers",
        source=_GUIDE,
        description="LIVE: GMV per 1,000 distinct viewers (only rows with viewers: LIVE streams).",
    ),
    Metric(
        name="paid_order_share",
        numerator="orders_paid",
        denominator="orders_created",
        kind="rate",
        layer="conversion",
        unit="share",
        source=_GUIDE,
        description="LIVE: share of the orders created in the stream that were paid.",
    ),
    Metric(
        name="avg_viewing_seconds",
        numerator="avg_view_seconds * viewers",
        denominator="viewers",
        kind="ratio",
        formula="Σ(avg_view_seconds × viewers) / Σ viewers",
        layer="content",
        unit="seconds per viewer",
        source=_GUIDE,
        description="LIVE: average viewing time per viewer, weighted by viewers.",
    ),
    Metric(
        name="concurrent_viewers",
        numerator="avg_concurrent_viewers * duration_seconds",
        denominator="duration_seconds",
        kind="ratio",
        formula="Σ(avg_concurrent_viewers × duration_seconds) / Σ duration_seconds",
        layer="content",
        unit="viewers",
        source=_GUIDE,
        description="LIVE: average concurrent viewers (ACU), weighted by stream length.",
    ),
    Metric(
        name="paid_share",
        numerator="paid_views",
        denominator="views",
        kind="rate",
        layer="content",
        unit="share",
        direction="neutral",
        source=_GUIDE,
        description="Share of views bought with paid traffic.",
    ),
    Metric(
        name="net_gmv",
        numerator="net_gmv",
        kind="amount",
        layer="financial",
        table="order",
        unit="currency",
        source=_GUIDE,
        description="GMV minus refunds known at as_of (refunds after as_of do not count).",
    ),
    Metric(
        name="refund_rate",
        numerator="refunds",
        denominator="gmv",
        kind="ratio",
        layer="financial",
        table="order",
        direction="lower",
        unit="share of GMV",
        source=_GUIDE,
        description="Refunded amount per unit of GMV (as of as_of).",
    ),
    Metric(
        name="new_customer_share",
        numerator="1",
        kind="rate",
        layer="conversion",
        table="order",
        mergeable=False,
        reducer=_new_customer_share,
        reducer_columns=("order_id", "new_customer"),
        formula="distinct new-customer orders / distinct orders",
        unit="share",
        source=_GUIDE,
        description="Share of orders from new customers; merges only when chunks split by order.",
    ),
    Metric(
        name="repurchase_rate",
        numerator="1",
        kind="rate",
        layer="conversion",
        table="order",
        mergeable=False,
        reducer=_repurchase,
        reducer_columns=("customer_id", "order_id"),
        formula="customers with >= 2 orders / customers",
        unit="share",
        source=_GUIDE,
        description="Share of customers with two or more distinct orders (not mergeable).",
    ),
    Metric(
        name="cost",
        numerator="cost",
        kind="amount",
        layer="financial",
        table="collaboration",
        direction="lower",
        unit="currency",
        source=_GUIDE,
        description=(
            "Σ cost items: fixed fee, commission, bonus, samples, shipping, ads, service fee."
        ),
    ),
    Metric(
        name="roas",
        numerator="gmv",
        denominator="cost",
        kind="ratio",
        layer="financial",
        table="collaboration",
        unit="GMV per cost",
        source=_FINANCE,
        description="Return on ad spend: attributed GMV per unit of cost.",
    ),
    Metric(
        name="roi",
        numerator="net_gmv * margin - cost",
        denominator="cost",
        kind="ratio",
        formula="(net_gmv × margin − cost) / cost",
        layer="financial",
        table="collaboration",
        unit="per cost",
        source=_FINANCE,
        description="Return on investment with the row's contribution margin rate.",
    ),
    Metric(
        name="contribution_margin",
        numerator="net_gmv * margin - cost",
        kind="amount",
        formula="Σ (net_gmv × margin − cost)",
        layer="financial",
        table="collaboration",
        unit="currency",
        source=_FINANCE,
        description="Contribution after creator cost.",
    ),
    Metric(
        name="cpa",
        numerator="cost",
        denominator="orders",
        kind="amount",
        direction="lower",
        layer="financial",
        table="collaboration",
        unit="currency per order",
        source=_FINANCE,
        description="Cost per order.",
    ),
    Metric(
        name="cpc",
        numerator="cost",
        denominator="clicks",
        kind="amount",
        direction="lower",
        layer="financial",
        table="collaboration",
        unit="currency per click",
        source=_FINANCE,
        description="Cost per product click.",
    ),
    Metric(
        name="cpm",
        numerator="1000 * cost",
        denominator="views",
        kind="amount",
        formula="1000 * cost / views",
        direction="lower",
        layer="financial",
        table="collaboration",
        unit="currency per 1,000 views",
        source=_FINANCE,
        description="Cost per 1,000 views.",
    ),
    Metric(
        name="cpe",
        numerator="cost",
        denominator="engagements",
        kind="amount",
        direction="lower",
        layer="financial",
        table="collaboration",
        unit="currency per engagement",
        source=_FINANCE,
        description="Cost per engagement (likes + comments + shares + saves).",
    ),
    Metric(
        name="cac",
        numerator="cost",
        denominator="new_customers",
        kind="amount",
        direction="lower",
        layer="financial",
        table="collaboration",
        unit="currency per new customer",
        source=_FINANCE,
        description="Cost per new customer.",
    ),
    Metric(
        name="emv_cpm",
        numerator="views * {cpm} / 1000",
        kind="amount",
        formula="views × cpm / 1000",
        layer="financial",
        unit="currency",
        source=_GUIDE,
        description="Earned media value at a user-given CPM (params: cpm).",
    ),
    Metric(
        name="emv_actions",
        numerator=(
            "views * {value_view} + likes * {value_like} + comments * {value_comment}"
            " + shares * {value_share} + saves * {value_save} + clicks * {value_click}"
        ),
        kind="amount",
        formula="Σ count × value per action",
        layer="financial",
        unit="currency",
        source=_GUIDE,
        description="Earned media value with user-given values per action (0 to ignore one).",
    ),
    Metric(
        name="fulfillment_rate",
        numerator="samples_posted_due",
        denominator="samples_received_due",
        kind="rate",
        layer="reliability",
        table="collaboration",
        unit="share",
        source="TikTok Shop fulfillment rate; " + _GUIDE,
        description="Of samples received whose deadline passed, the share posted as agreed.",
    ),
    Metric(
        name="on_time_rate",
        numerator="samples_posted_on_time",
        denominator="samples_posted",
        kind="rate",
        layer="reliability",
        table="collaboration",
        unit="share",
        source=_GUIDE,
        description="Posted samples that were posted by their deadline.",
    ),
    Metric(
        name="reply_rate",
        numerator="replies",
        denominator="invitations",
        kind="rate",
        layer="reliability",
        table="collaboration",
        unit="share",
        source=_GUIDE,
        description="Invitations answered.",
    ),
    Metric(
        name="median_reply_hours",
        numerator="reply_hours",
        kind="amount",
        mergeable=False,
        reducer=_median("reply_hours"),
        reducer_columns=("reply_hours",),
        formula="median(reply_hours)",
        direction="lower",
        layer="reliability",
        table="collaboration",
        unit="hours",
        source=_GUIDE,
        description="Median hours to the first reply (not mergeable).",
    ),
    Metric(
        name="posting_cadence",
        numerator="1",
        kind="count",
        window="30D",
        formula="posts in (as_of − 30 days, as_of]",
        layer="reliability",
        unit="posts",
        source=_GUIDE,
        description="Posts (videos, lives and posts) in the 30 days up to as_of.",
    ),
    Metric(
        name="product_count",
        numerator="1",
        kind="count",
        window="28D",
        mergeable=False,
        reducer=_distinct("product_id"),
        reducer_columns=("product_id",),
        formula="distinct product_id in (as_of − 28 days, as_of]",
        layer="intent",
        unit="products",
        source=_GUIDE,
        description="Distinct products promoted in the 28 days up to as_of (not mergeable).",
    ),
    Metric(
        name="follower_growth_rate",
        numerator="followers - followers_30d_ago",
        denominator="followers_30d_ago",
        kind="ratio",
        table="creator",
        layer="content",
        unit="per follower",
        source=_GUIDE,
        description="Follower growth over 30 days.",
    ),
    Metric(
        name="effective_content_ratio",
        numerator=RowFunction(
            func=_effective,
            needs=("views",),
            text="[views >= {min_views}]",
            count=True,
            param_names=("min_views",),
        ),
        denominator="1",
        kind="rate",
        formula="posts with views >= min_views / posts",
        layer="content",
        unit="share",
        source=_GUIDE,
        description="Share of posts reaching a given view threshold (params: min_views).",
    ),
    Metric(
        name="creator_concentration",
        numerator="gmv",
        kind="ratio",
        mergeable=False,
        reducer=_concentration,
        reducer_columns=("creator_id", "gmv"),
        formula="Σ_creators (gmv_c / Σ gmv)²",
        direction="lower",
        layer="financial",
        unit="Herfindahl index",
        source="Herfindahl–Hirschman index",
        description="Concentration of GMV on few creators (1 = one creator has it all).",
    ),
)

for _metric in BUILTIN:
    registry.register(_metric.name, _metric)
