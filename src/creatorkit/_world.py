"""``truth_model@1``: a synthetic world whose creators have known true rates.

Every creator draws latent values first — true CTR, CVR, AOV (USD), refund propensity,
fulfillment propensity, review quality, like rate, fake engagement — and those values
drive everything observed: content and LIVE streams over several monthly periods, the
month after ``as_of`` (``next_period``), collaborations in local currencies, order lines
with settlement delays and refunds, samples, and review stars. The model is fixed: tests
of scoring and reviews compare estimates with ``Dataset.truth`` and must not tune it.

Post-to-post variation is multiplicative with mean one (a Gamma factor), so a creator's
long-run observed CTR (Σclicks / Σviews) and CVR (Σorders / Σclicks) converge to the
true values; fake accounts inflate views and likes but their like rate overlaps the
genuine range, so no single ratio separates them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from creatorkit import datasets as _d
from creatorkit.models import STAR_DIMENSIONS

MODEL = "truth_model@1"
PERIODS = 4
"""Monthly periods (30 days each) of content and campaigns before ``as_of``."""

CATEGORIES = np.array(["beauty", "fashion", "home", "electronics", "pets", "food"])
_CATEGORY_P = np.array([0.25, 0.2, 0.15, 0.1, 0.1, 0.2])
_PRICE_USD = np.array([18.0, 24.0, 28.0, 60.0, 20.0, 9.0])
_CTR_SHIFT = np.array([0.1, 0.0, -0.1, -0.3, 0.1, 0.2])
_CVR_SHIFT = np.array([0.1, -0.1, 0.0, -0.4, 0.2, 0.3])
_REFUND_A = np.array([2.0, 4.0, 2.0, 2.5, 1.5, 1.0])
_MARGIN = np.array([0.55, 0.5, 0.4, 0.25, 0.45, 0.3])
_DAY = 86_400


def _expit(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _gamma(rng: np.random.Generator, shape: float, size: int) -> np.ndarray:
    """A positive factor with mean 1 (post-to-post variation)."""
    return rng.gamma(shape, 1.0 / shape, size)


def _creators(rng: np.random.Generator, n: int, as_of: pd.Timestamp) -> pd.DataFrame:
    followers = np.minimum(np.round(1_000 * (1 + rng.pareto(0.75, n))), 60_000_000)
    fake = rng.random(n) < 0.04
    growth = np.where(
        fake, rng.uniform(0.02, 0.6, n), np.clip(rng.normal(0.03, 0.04, n), -0.05, 0.3)
    )
    country = rng.choice(_d._COUNTRIES, size=n, p=_d._COUNTRY_P)
    return pd.DataFrame(
        {
            "creator_id": _d._ids("c", n, 6),
            "platform": pd.Series(
                rng.choice(_d._PLATFORMS, size=n, p=[0.7, 0.15, 0.15]), dtype="string"
            ),
            "country": pd.Series(country, dtype="string"),
            "category": pd.Series(rng.choice(CATEGORIES, size=n, p=_CATEGORY_P), dtype="string"),
            "followers": followers.astype(np.int64),
            "followers_30d_ago": np.round(followers / (1 + growth)).astype(np.int64),
            "handle": pd.Series(_d._text("@creator", np.arange(1, n + 1)), dtype="string"),
            "snapshot_at": pd.Series(pd.DatetimeIndex([as_of] * n)),
            "_fake": fake,
        }
    )


def _truth(rng: np.random.Generator, creators: pd.DataFrame) -> pd.DataFrame:
    n = len(creators)
    cat = pd.Categorical(creators["category"], categories=CATEGORIES).codes
    tier = np.log10(creators["followers"].to_numpy(dtype=float)) - 3
    fake = creators["_fake"].to_numpy()
    ctr = _expit(rng.normal(_logit(0.012) - 0.1 * tier + _CTR_SHIFT[cat], 0.45))
    cvr = _expit(rng.normal(_logit(0.06) + _CVR_SHIFT[cat], 0.5))
    fulfillment = np.where(fake, rng.beta(3, 3, n), rng.beta(8, 1.5, n))
    like = np.where(
        fake,
        _expit(rng.normal(_logit(0.09), 0.35, n)),
        _expit(rng.normal(_logit(0.06) - 0.15 * tier, 0.5)),
    )
    return pd.DataFrame(
        {
            "creator_id": creators["creator_id"],
            "ctr": np.where(fake, 0.4 * ctr, ctr),
            "cvr": np.where(fake, 0.4 * cvr, cvr),
            "aov_usd": _PRICE_USD[cat] * rng.lognormal(0.0, 0.25, n),
            "refund_propensity": rng.beta(_REFUND_A[cat], 30.0),
            "fulfillment_propensity": fulfillment,
            "review_quality": rng.normal(0.0, 0.6, n) + 1.5 * (fulfillment - 0.84),
            "like_rate": like,
            "comment_per_like": np.where(
                fake, rng.uniform(0.01, 0.06, n), rng.uniform(0.03, 0.12, n)
            ),
            "fake_engagement": fake,
        }
    )


def _posts(
    rng: np.random.Generator,
    creators: pd.DataFrame,
    truth: pd.DataFrame,
    rate: float,
    start: pd.Timestamp,
    days: float,
) -> pd.DataFrame:
    """Content of every creator over ``days`` from ``start``, driven by the truth."""
    per = rng.poisson(rate, len(creators))
    owner = np.repeat(np.arange(len(creators)), per)
    m = len(owner)
    t = truth.iloc[owner]
    followers = creators["followers"].to_numpy(dtype=float)[owner]
    fake = t["fake_engagement"].to_numpy()
    reach = np.exp(rng.normal(np.log(0.6) - 0.45 * (np.log10(followers) - 3), 0.9))
    views = np.maximum(np.round(followers * reach * np.where(fake, 1.5, 1.0)), 10).astype(np.int64)
    ctr = np.minimum(t["ctr"].to_numpy() * _gamma(rng, 8.0, m), 1.0)
    clicks = rng.binomial(views, ctr)
    cvr = np.minimum(t["cvr"].to_numpy() * _gamma(rng, 10.0, m), 1.0)
    orders = rng.binomial(clicks, cvr)
    like = np.minimum(t["like_rate"].to_numpy() * _gamma(rng, 12.0, m), 1.0)
    likes = rng.binomial(views, like)
    country = creators["country"].to_numpy()[owner]
    currency = pd.Series(country).map(_d._CURRENCY).to_numpy()
    usd_per = pd.Series(currency).map({**_d._USD_PER_UNIT, "USD": 1.0}).to_numpy(dtype=float)
    gmv_usd = orders * t["aov_usd"].to_numpy() * rng.uniform(0.9, 1.1, m)
    kind = rng.choice(np.array(["video", "live", "post"]), size=m, p=[0.8, 0.15, 0.05])
    live = kind == "live"
    duration = np.where(live, np.round(rng.uniform(30, 180, m) * 60), np.nan)
    watch = np.where(live, np.round(rng.uniform(30, 180, m)), np.nan)
    viewers = np.where(live, np.round(views * rng.uniform(0.3, 0.6, m)), np.nan)
    acu = np.where(live, np.round(viewers * watch / np.where(live, duration, 1.0), 1), np.nan)
    frame = pd.DataFrame(
        {
            "content_id": _d._long_ids(rng, m, 3),
            "creator_id": creators["creator_id"].to_numpy()[owner],
            "published_at": _d._time(start, rng.uniform(0, days * _DAY, m)),
            "content_type": pd.Series(kind, dtype="string"),
            "views": views,
            "likes": likes,
            "comments": rng.binomial(likes, t["comment_per_like"].to_numpy()),
            "shares": rng.binomial(views, like * 0.05),
            "saves": rng.binomial(views, like * 0.1),
            "follows": rng.binomial(views, np.where(fake, 0.0001, 0.002)),
            "completion": np.clip(rng.beta(2.2, 3.0, m) * np.where(live, 0.5, 1.0), 0, 1),
            "followers_at_post": followers.astype(np.int64),
            "clicks": clicks,
            "add_to_carts": np.maximum(orders, rng.binomial(clicks, 0.3)),
            "orders": orders,
            "units": orders + rng.binomial(orders, 0.2),
            "gmv": np.round(gmv_usd / usd_per, 2),
            "paid_views": np.where(rng.random(m) < 0.2, rng.binomial(views, 0.3), 0),
            "currency": pd.Series(currency, dtype="string"),
            "product_id": pd.Series(_d._text("p", rng.integers(1, 80, m)), dtype="string"),
            "platform": creators["platform"].to_numpy()[owner],
            "duration_seconds": duration,
            "viewers": viewers,
            "avg_concurrent_viewers": acu,
            "peak_concurrent_viewers": np.where(
                live, np.ceil(acu * rng.uniform(1.5, 3.0, m)), np.nan
            ),
            "avg_view_seconds": watch,
            "orders_created": np.where(live, orders + rng.binomial(orders, 0.2), np.nan),
            "orders_paid": np.where(live, orders, np.nan),
        }
    )
    return frame.sort_values("published_at", kind="stable").reset_index(drop=True)


def _campaigns(rng: np.random.Generator, n: int, as_of: pd.Timestamp) -> pd.DataFrame:
    period = np.arange(n) % PERIODS
    start = as_of - pd.to_timedelta(
        (period + 1) * 30 * _DAY - rng.uniform(0, 8, n) * _DAY, unit="s"
    )
    length = pd.to_timedelta(np.round(rng.uniform(14, 21, n) * _DAY), unit="s")
    budget = np.round(rng.uniform(5_000, 80_000, n), -2)
    return pd.DataFrame(
        {
            "campaign_id": _d._ids("k", n, 3),
            "brand": pd.Series(_d._text("Brand ", np.arange(1, n + 1)), dtype="string"),
            "goal": pd.Series(
                np.where(np.arange(n) % 3 == 2, "awareness", "sales"), dtype="string"
            ),
            "category": pd.Series(rng.choice(CATEGORIES, size=n, p=_CATEGORY_P), dtype="string"),
            "start": pd.Series(start).dt.round("s"),
            "end": (pd.Series(start) + length).dt.round("s"),
            "budget": budget,
            "currency": pd.Series(["USD"] * n, dtype="string"),
            "markets": pd.Series([tuple(sorted(_d._COUNTRIES[:5]))] * n, dtype=object),
            "kpi_targets": pd.Series([{"gmv": float(b * 3)} for b in budget], dtype=object),
        }
    )


def _deals(
    rng: np.random.Generator,
    creators: pd.DataFrame,
    content: pd.DataFrame,
    campaigns: pd.DataFrame,
    cards: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Collaborations (creator × campaign) and the content attached to them."""
    n, k = len(creators), len(campaigns)
    per = max(3, min(n, int(0.1 * n)))
    who = np.concatenate([rng.choice(n, size=per, replace=False) for _ in range(k)])
    which = np.repeat(np.arange(k), per)
    m = len(who)
    start, end = campaigns["start"].to_numpy()[which], campaigns["end"].to_numpy()[which]
    owner = pd.Index(creators["creator_id"]).get_indexer(content["creator_id"])
    published = content["published_at"].to_numpy()
    pairs = pd.DataFrame({"post": np.arange(len(content)), "creator": owner})
    deals = pd.DataFrame({"deal": np.arange(m), "creator": who, "start": start, "end": end})
    joined = pairs.merge(deals, on="creator")
    when = pd.Series(published[joined["post"].to_numpy()], index=joined.index)
    inside = ((when >= joined["start"]) & (when <= joined["end"])).to_numpy(dtype=bool)
    joined = joined[inside & (rng.random(len(joined)) < 0.7)].drop_duplicates("post")
    deal_of_post = np.full(len(content), -1)
    deal_of_post[joined["post"].to_numpy()] = joined["deal"].to_numpy()
    campaign_ids = campaigns["campaign_id"].to_numpy()
    content = content.assign(
        campaign_id=pd.Series(
            np.where(deal_of_post >= 0, campaign_ids[which[np.maximum(deal_of_post, 0)]], None),
            dtype="string",
        )
    )
    attached = deal_of_post >= 0
    sums = content[attached].assign(deal=deal_of_post[attached]).groupby("deal")
    cols = ["views", "clicks", "likes", "comments", "shares", "saves", "orders"]
    rolled = sums[cols].sum().reindex(np.arange(m), fill_value=0)
    first_post = sums["published_at"].min().reindex(np.arange(m))
    country = creators["country"].to_numpy()[who]
    currency = pd.Series(country).map(_d._CURRENCY).to_numpy()
    usd_per = pd.Series(currency).map({**_d._USD_PER_UNIT, "USD": 1.0}).to_numpy(dtype=float)
    video = cards[(cards["content_type"] == "video") & cards["valid_to"].notna()]
    fee_usd = (
        video.set_index("creator_id")["fixed_fee"].reindex(creators["creator_id"]).to_numpy()[who]
    )
    cat = pd.Categorical(campaigns["category"].to_numpy()[which], categories=CATEGORIES).codes
    agreed = pd.Series(start) - pd.to_timedelta(np.round(rng.uniform(3, 10, m) * _DAY), unit="s")
    frame = pd.DataFrame(
        {
            "collaboration_id": _d._ids("co", m, 7),
            "creator_id": creators["creator_id"].to_numpy()[who],
            "campaign_id": campaign_ids[which],
            "currency": pd.Series(currency, dtype="string"),
            "fixed_fee": np.where(rng.random(m) < 0.6, np.round(fee_usd / usd_per, 2), 0.0),
            "guaranteed_minimum": np.zeros(m),
            "commission_rate": rng.choice(np.array([0.1, 0.15, 0.2]), size=m),
            "bonus": np.zeros(m),
            "ads_spend": np.where(
                rng.random(m) < 0.3, np.round(rng.uniform(50, 500, m) / usd_per, 2), 0.0
            ),
            "service_fee": np.zeros(m),
            "margin": _MARGIN[cat],
            **{c: rolled[c].to_numpy().astype(np.int64) for c in cols},
            "invitations": np.ones(m, dtype=np.int64),
            "replies": (rng.random(m) < 0.8).astype(np.int64),
            "agreed_at": agreed,
            "content_due_at": pd.Series(start) + pd.Timedelta(days=14),
            "posted_at": first_post.to_numpy(),
        }
    )
    frame["reply_hours"] = np.where(
        frame["replies"] == 1, np.round(rng.lognormal(2.5, 1.0, m), 1), np.nan
    )
    frame["paid_at"] = (frame["agreed_at"] + pd.Timedelta(days=30)).where(frame["fixed_fee"] > 0)
    return frame, content


def _lines(
    rng: np.random.Generator,
    content: pd.DataFrame,
    deals: pd.DataFrame,
    truth: pd.DataFrame,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """One line per attributed order of campaign content, as known at ``as_of``."""
    attached = content["campaign_id"].notna().to_numpy()
    counts = np.where(attached, content["orders"].to_numpy(), 0)
    row = np.repeat(np.arange(len(content)), counts)
    m = len(row)
    gmv = content["gmv"].to_numpy()[row] / np.maximum(counts[row], 1) * rng.uniform(0.9, 1.1, m)
    gmv = np.round(gmv, 2)
    who = pd.Index(truth["creator_id"]).get_indexer(content["creator_id"].to_numpy()[row])
    key = pd.MultiIndex.from_arrays([deals["creator_id"], deals["campaign_id"]])
    deal = key.get_indexer(
        pd.MultiIndex.from_arrays(
            [content["creator_id"].to_numpy()[row], content["campaign_id"].to_numpy()[row]]
        )
    )
    rate = deals["commission_rate"].to_numpy()[deal]
    ordered = content["published_at"].iloc[row].reset_index(drop=True) + pd.to_timedelta(
        np.round(rng.exponential(1.5, m) * _DAY), unit="s"
    )
    keep = (ordered <= as_of).to_numpy()
    refund = rng.random(m) < truth["refund_propensity"].to_numpy()[who]
    refunded_at = ordered + pd.to_timedelta(np.round(rng.uniform(2, 25, m) * _DAY), unit="s")
    settled_at = ordered + pd.to_timedelta(np.round(rng.uniform(15, 45, m) * _DAY), unit="s")
    refunded = refund & (refunded_at <= as_of).to_numpy()
    settled = ~refunded & (settled_at <= as_of).to_numpy()
    estimated = np.round(gmv * rate, 2)
    state = np.where(refunded, "refunded", np.where(settled, "settled", "ordered"))
    frame = pd.DataFrame(
        {
            "order_id": pd.Series(
                (_d._BASE_ID + 4 * 10**15 + np.arange(m) * 7919).astype(str), dtype="string"
            ),
            "line_id": pd.Series(["1"] * m, dtype="string"),
            "sku": content["product_id"].to_numpy()[row],
            "creator_id": content["creator_id"].to_numpy()[row],
            "ordered_at": ordered,
            "gmv": gmv,
            "currency": content["currency"].to_numpy()[row],
            "status": pd.Series(
                np.where(refunded, "refunded", np.where(settled, "completed", "shipped")),
                dtype="string",
            ),
            "units": np.ones(m, dtype=np.int64),
            "refunds": np.where(refunded, gmv, 0.0),
            "refunded_at": refunded_at.where(refunded),
            "commission_estimated": estimated,
            "commission_actual": np.where(refunded, 0.0, np.where(settled, estimated, np.nan)),
            "settled_at": refunded_at.where(refunded, settled_at.where(settled)),
            "settlement_status": pd.Series(state, dtype="string"),
            "new_customer": rng.random(m) < 0.6,
            "customer_id": pd.Series(
                _d._text("u", rng.integers(0, max(50, m // 2), m)), dtype="string"
            ),
            "content_id": content["content_id"].to_numpy()[row],
            "campaign_id": content["campaign_id"].to_numpy()[row],
        }
    )
    return frame[keep].reset_index(drop=True)


def _samples(
    rng: np.random.Generator, deals: pd.DataFrame, truth: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    count = rng.integers(1, 3, len(deals))
    owner = np.repeat(np.arange(len(deals)), count)
    m = len(owner)
    who = pd.Index(truth["creator_id"]).get_indexer(deals["creator_id"].to_numpy()[owner])
    shipped = deals["agreed_at"].iloc[owner].reset_index(drop=True) + pd.to_timedelta(
        np.round(rng.uniform(0, 3, m) * _DAY), unit="s"
    )
    received = shipped + pd.to_timedelta(np.round(rng.uniform(2, 7, m) * _DAY), unit="s")
    deadline = shipped + pd.Timedelta(days=21)
    posts = rng.random(m) < truth["fulfillment_propensity"].to_numpy()[who]
    posted = received + pd.to_timedelta(np.round(rng.gamma(2.0, 5.0, m) * _DAY), unit="s")
    got = (rng.random(m) < 0.96) & (received <= as_of).to_numpy()
    done = got & posts & (posted <= as_of).to_numpy()
    status = np.where(done, "posted", np.where(got, "received", "shipped"))
    return pd.DataFrame(
        {
            "sample_id": _d._ids("s", m, 7),
            "collaboration_id": deals["collaboration_id"].to_numpy()[owner],
            "creator_id": deals["creator_id"].to_numpy()[owner],
            "sku": pd.Series(_d._text("sku", rng.integers(1, 500, m)), dtype="string"),
            "status": pd.Series(status, dtype="string"),
            "shipped_at": shipped,
            "deadline": deadline,
            "received_at": received.where(got),
            "posted_at": posted.where(done),
            "cost": np.round(rng.uniform(5, 40, m), 2),
        }
    )


def _stars(
    rng: np.random.Generator,
    deals: pd.DataFrame,
    campaigns: pd.DataFrame,
    truth: pd.DataFrame,
    reviewers: pd.DataFrame,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """Reviews after ended campaigns: quality + reviewer leniency + inflation + noise."""
    end = campaigns.set_index("campaign_id")["end"].reindex(deals["campaign_id"]).to_numpy()
    created = pd.Series(end) + pd.to_timedelta(
        np.round(rng.uniform(1, 10, len(deals)) * _DAY), unit="s"
    )
    done = np.flatnonzero((created <= as_of).to_numpy() & (rng.random(len(deals)) < 0.7))
    m = len(done)
    who = rng.integers(0, len(reviewers), m)
    owner = pd.Index(truth["creator_id"]).get_indexer(deals["creator_id"].to_numpy()[done])
    base = (
        3.4
        + 0.6
        + truth["review_quality"].to_numpy()[owner]
        + reviewers["leniency"].to_numpy()[who]
    )
    frame = pd.DataFrame(
        {
            "review_id": _d._ids("rv", m, 7),
            "creator_id": deals["creator_id"].to_numpy()[done],
            "reviewer_id": reviewers["reviewer_id"].to_numpy()[who],
            "created_at": created.iloc[done].reset_index(drop=True),
            "campaign_id": deals["campaign_id"].to_numpy()[done],
        }
    )
    straight = reviewers["straight_liner"].to_numpy()[who]
    first = np.clip(np.round(base + rng.normal(0, 0.5, m)), 1, 5)
    for dim in STAR_DIMENSIONS:
        stars = np.clip(np.round(base + rng.normal(0, 0.5, m)), 1, 5)
        frame[dim] = np.where(straight, first, stars)
    frame["would_rehire"] = frame["content_quality"].to_numpy() >= 4
    frame["tags"] = pd.Series([()] * m, dtype=object)
    return frame


def build(
    seed: int,
    n_creators: int,
    posts: float,
    n_campaigns: int,
    n_events: int,
    n_reviewers: int,
    as_of: pd.Timestamp,
) -> dict[str, Any]:
    """Every table of the world (see the module docstring), plus its truth."""
    rng = np.random.default_rng([seed, 1])
    creators = _creators(rng, n_creators, as_of)
    truth = _truth(rng, creators)
    creators = creators.drop(columns="_fake")
    window = PERIODS * 30
    content = _posts(rng, creators, truth, posts, as_of - pd.Timedelta(days=window), window)
    content = content[content["published_at"] <= as_of].reset_index(drop=True)
    following = _posts(rng, creators, truth, posts / PERIODS, as_of, 30)
    side = np.random.default_rng([seed, 11])
    cards = _d._rate_cards(side, creators, as_of)
    campaigns = _campaigns(rng, n_campaigns, as_of)
    deals, content = _deals(rng, creators, content, campaigns, cards)
    orders = _lines(rng, content, deals, truth, as_of)
    samples = _samples(rng, deals, truth, as_of)
    reviewers = _d._reviewers(rng, n_reviewers)
    return {
        "creators": creators,
        "content": content,
        "campaigns": campaigns,
        "collaborations": _rolled(deals, orders, samples, as_of),
        "samples": samples,
        "reviews": _stars(rng, deals, campaigns, truth, reviewers, as_of),
        "orders": orders,
        "violations": _d._violations(rng, creators, as_of),
        "events": _d._events(rng, n_events, creators, campaigns, as_of),
        "fx_rates": _d._fx(rng, as_of),
        "audience": _d._audience(side, creators, as_of),
        "identities": _d._identities(side, creators),
        "rate_cards": cards,
        "next_period": following,
        "truth": truth,
        "reviewers": reviewers,
    }


def _rolled(
    deals: pd.DataFrame, orders: pd.DataFrame, samples: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    """The collaboration snapshot at ``as_of``: results rolled up from lines and samples."""
    from creatorkit.metrics import restate

    table = restate(deals, orders=orders, samples=samples, as_of=as_of).table
    per = samples.groupby("collaboration_id")["cost"].agg(["sum", "size"])
    per = per.reindex(table["collaboration_id"], fill_value=0)
    return table.assign(
        commission=table["commission"].fillna(0.0),
        sample_cost=np.round(per["sum"].to_numpy(dtype=float), 2),
        shipping_cost=4.0 * per["size"].to_numpy(dtype=float),
    )
