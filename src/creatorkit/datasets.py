"""Deterministic synthetic data for docs, notebooks, tests and benchmarks.

``synthetic(seed)`` builds every table of the domain, generated with vectorized numpy
from one seeded generator, so the same seed gives the same data on every machine:

* creators with heavy-tailed followers across all tiers, engagement falling with tier,
  and a few fake-engagement accounts (very high like/view, few comments, follower spikes);
* content (videos, lives, posts) over the 90 days before ``as_of``, in USD;
* campaigns, collaborations with cost items and rolled-up results, samples (some never
  posted), reviews by lenient and harsh reviewers with inflated stars, multi-currency
  order lines (a sample of the content's attributed orders) with late refunds and
  settlements, violations, daily FX rates to USD;
* an event log (``event_id, user_id, timestamp, event, creator_id, campaign_id``) for
  funnels, with a few duplicated event ids.

``Dataset.truth`` holds the hidden labels (fake engagement, reviewer leniency) so that
risk and review methods can be checked against them.

Example:
    >>> from creatorkit.datasets import synthetic
    >>> data = synthetic(seed=0, n_creators=200, n_events=2_000)
    >>> len(data.creators), int(data.content["content_id"].str.len().max())
    (200, 19)
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._time import require_as_of
from creatorkit._validation import check_choice, check_number
from creatorkit.results import Copied, MethodCard, Result

__all__ = ["MODELS", "Dataset", "synthetic"]

MODELS = ("basic@0", "truth_model@1")
"""Versions of the generator; a version never changes what it generates."""

_COUNTRIES = np.array(["ID", "TH", "VN", "MY", "PH", "GB", "US"])
_COUNTRY_P = np.array([0.22, 0.18, 0.16, 0.12, 0.12, 0.1, 0.1])
_CURRENCY = {
    "ID": "IDR",
    "TH": "THB",
    "VN": "VND",
    "MY": "MYR",
    "PH": "PHP",
    "GB": "GBP",
    "US": "USD",
}
_USD_PER_UNIT = {
    "IDR": 1 / 16_000,
    "THB": 1 / 35,
    "VND": 1 / 25_000,
    "MYR": 1 / 4.6,
    "PHP": 1 / 57,
    "GBP": 1.27,
    "CNY": 1 / 7.2,
}
_CATEGORIES = np.array(["beauty", "home", "fashion", "food", "tech"])
_CATEGORY_P = np.array([0.3, 0.2, 0.25, 0.15, 0.1])
_PRICE_USD = np.array([18.0, 25.0, 22.0, 9.0, 45.0])
_MARGIN = np.array([0.55, 0.4, 0.5, 0.3, 0.25])
_PLATFORMS = np.array(["tiktok", "instagram", "youtube"])
_REVIEW_TAGS = np.array(
    ["on_time", "great_content", "late", "low_sales", "responsive", "off_brief"]
)
_STEPS = ("view", "click", "add_to_cart", "purchase", "purchase")
_NOISE_EVENTS = np.array(["view", "like", "follow", "view"])
_BASE_ID = 7_300_000_000_000_000_000


@attrs.frozen(kw_only=True, eq=False)
class Dataset(Result):
    """Every synthetic table (DataFrames validated by their schemas) plus hidden truth.

    Attributes:
        creators, content, campaigns, collaborations, samples, reviews, orders,
        violations: Tables of the matching record types.
        events: Event log for funnels.
        fx_rates: Daily rates (``date``, ``currency``, ``rate`` = USD per unit).
        audience: Audience shares by country, age band and gender, one snapshot per creator
            (:class:`~creatorkit.AudienceShare`).
        identities: Each creator's handle and platform id (:class:`~creatorkit.CreatorIdentity`).
        rate_cards: A video and a LIVE price per creator, raised once at the start of the
            last month (:class:`~creatorkit.RateCard`).
        next_period: ``truth_model@1``: the content of the 30 days after ``as_of`` (what a
            backtest predicts); empty for ``basic@0``.
        truth: Per creator: ``fake_engagement``; per reviewer: ``leniency`` (in ``reviewers``).
        reviewers: Reviewer ids with their hidden leniency and straight-lining habit.
        as_of: The snapshot time all windows refer to.

    Example:
        >>> data = synthetic(seed=0, n_creators=20, n_events=200)
        >>> len(data.creators), str(data.as_of)
        (20, '2026-06-30 23:59:59+00:00')
        >>> data.truth[data.truth["fake_engagement"]]["creator_id"].tolist()
        ['c000001']
    """

    _frame_field = "creators"
    _creators: pd.DataFrame
    creators = Copied[pd.DataFrame]()
    _content: pd.DataFrame
    content = Copied[pd.DataFrame]()
    _campaigns: pd.DataFrame
    campaigns = Copied[pd.DataFrame]()
    _collaborations: pd.DataFrame
    collaborations = Copied[pd.DataFrame]()
    _samples: pd.DataFrame
    samples = Copied[pd.DataFrame]()
    _reviews: pd.DataFrame
    reviews = Copied[pd.DataFrame]()
    _orders: pd.DataFrame
    orders = Copied[pd.DataFrame]()
    _violations: pd.DataFrame
    violations = Copied[pd.DataFrame]()
    _events: pd.DataFrame
    events = Copied[pd.DataFrame]()
    _fx_rates: pd.DataFrame
    fx_rates = Copied[pd.DataFrame]()
    _audience: pd.DataFrame
    audience = Copied[pd.DataFrame]()
    _identities: pd.DataFrame
    identities = Copied[pd.DataFrame]()
    _rate_cards: pd.DataFrame
    rate_cards = Copied[pd.DataFrame]()
    _next_period: pd.DataFrame = attrs.field(factory=pd.DataFrame)
    next_period = Copied[pd.DataFrame]()
    _truth: pd.DataFrame
    truth = Copied[pd.DataFrame]()
    _reviewers: pd.DataFrame
    reviewers = Copied[pd.DataFrame]()
    as_of: pd.Timestamp

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name.

        Example:
            >>> sorted(synthetic(seed=0, n_creators=20, n_events=200).tables())[-3:]
            ['samples', 'truth', 'violations']
        """
        return {
            f.alias: getattr(self, f.alias)
            for f in attrs.fields(type(self))
            if isinstance(getattr(self, f.name), pd.DataFrame)
        }


def _text(*parts: Any) -> pd.Series:
    """Element-wise concatenation of strings and arrays into a pandas string Series."""
    n = max(len(p) for p in parts if not isinstance(p, str))
    out = pd.Series([""] * n, dtype=object)
    for part in parts:
        out = out + (
            part if isinstance(part, str) else pd.Series(np.asarray(part)).astype(str).to_numpy()
        )
    return out.astype("string")


def _ids(prefix: str, n: int, width: int) -> pd.Series:
    numbers = pd.Series(np.arange(1, n + 1), dtype=np.int64).astype(str).str.zfill(width)
    return (prefix + numbers).astype("string")


def _long_ids(rng: np.random.Generator, n: int, salt: int) -> pd.Series:
    steps = rng.integers(1, 1_000, size=n, dtype=np.int64)
    return pd.Series((_BASE_ID + salt * 10**15 + np.cumsum(steps)).astype(str), dtype="string")


def _time(base: pd.Timestamp, seconds: np.ndarray) -> pd.Series:
    return pd.Series(base + pd.to_timedelta(np.round(seconds).astype(np.int64), unit="s"))


def _creators(
    rng: np.random.Generator, n: int, as_of: pd.Timestamp
) -> tuple[pd.DataFrame, np.ndarray]:
    followers = np.minimum(np.round(1_000 * (1 + rng.pareto(0.75, n))), 60_000_000).astype(np.int64)
    fake = rng.random(n) < 0.03
    growth = np.clip(rng.normal(0.03, 0.04, n), -0.05, 0.4)
    growth = np.where(fake, rng.uniform(0.8, 3.0, n), growth)
    country = rng.choice(_COUNTRIES, size=n, p=_COUNTRY_P)
    frame = pd.DataFrame(
        {
            "creator_id": _ids("c", n, 6),
            "platform": pd.Series(
                rng.choice(_PLATFORMS, size=n, p=[0.7, 0.15, 0.15]), dtype="string"
            ),
            "country": pd.Series(country, dtype="string"),
            "category": pd.Series(rng.choice(_CATEGORIES, size=n, p=_CATEGORY_P), dtype="string"),
            "followers": followers,
            "followers_30d_ago": np.round(followers / (1 + growth)).astype(np.int64),
            "handle": pd.Series(_text("@creator", np.arange(1, n + 1)), dtype="string"),
            "snapshot_at": pd.Series(pd.DatetimeIndex([as_of] * n)),
        }
    )
    return frame, fake


def _content(
    rng: np.random.Generator,
    creators: pd.DataFrame,
    fake: np.ndarray,
    posts: float,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    per = rng.poisson(posts, len(creators))
    owner = np.repeat(np.arange(len(creators)), per)
    m = len(owner)
    followers = creators["followers"].to_numpy()[owner].astype(float)
    log_f = np.log10(followers)
    category = pd.Categorical(creators["category"].to_numpy()[owner], categories=_CATEGORIES).codes
    reach = np.exp(rng.normal(np.log(0.6) - 0.45 * (log_f - 3), 0.9))
    views = np.maximum(np.round(followers * reach), 10).astype(np.int64)
    like_p = np.clip(0.09 - 0.012 * (log_f - 3) + rng.normal(0, 0.01, m), 0.005, 0.5)
    is_fake = fake[owner]
    like_p = np.where(is_fake, rng.uniform(0.25, 0.45, m), like_p)
    comment_p = np.where(is_fake, like_p * 0.002, like_p * rng.uniform(0.03, 0.12, m))
    likes = rng.binomial(views, like_p)
    ctr = np.clip(rng.normal(0.012, 0.006, m) * (1.0 - 0.3 * (category == 4)), 0.0005, 0.2)
    clicks = rng.binomial(views, np.where(is_fake, ctr * 0.2, ctr))
    carts = rng.binomial(clicks, 0.3)
    orders = rng.binomial(carts, np.clip(rng.normal(0.35, 0.1, m), 0.01, 0.9))
    units = orders + rng.binomial(orders, 0.2)
    price = _PRICE_USD[category] * rng.uniform(0.7, 1.3, m)
    content_type = rng.choice(np.array(["video", "live", "post"]), size=m, p=[0.8, 0.15, 0.05])
    completion = np.clip(rng.beta(2.2, 3.0, m) * np.where(content_type == "live", 0.5, 1.0), 0, 1)
    boosted = rng.random(m) < 0.2
    seconds = -rng.uniform(0, 90 * 86_400, m)
    return pd.DataFrame(
        {
            "content_id": _long_ids(rng, m, 1),
            "creator_id": creators["creator_id"].to_numpy()[owner],
            "published_at": _time(as_of, seconds),
            "content_type": pd.Series(content_type, dtype="string"),
            "views": views,
            "likes": likes,
            "comments": rng.binomial(views, comment_p),
            "shares": rng.binomial(views, like_p * 0.05),
            "saves": rng.binomial(views, like_p * 0.1),
            "follows": rng.binomial(views, np.where(is_fake, 0.0001, 0.002)),
            "completion": completion,
            "followers_at_post": followers.astype(np.int64),
            "clicks": clicks,
            "add_to_carts": carts,
            "orders": orders,
            "units": units,
            "gmv": np.round(orders * price, 2),
            "paid_views": np.where(boosted, rng.binomial(views, 0.3), 0),
            "currency": pd.Series(["USD"] * m, dtype="string"),
            "product_id": pd.Series(
                _text(_CATEGORIES[category], rng.integers(1, 60, m)),
                dtype="string",
            ),
            "platform": creators["platform"].to_numpy()[owner],
        }
    )


def synthetic(
    seed: int = 0,
    *,
    n_creators: int = 2_000,
    posts_per_creator: float = 8.0,
    n_campaigns: int = 8,
    n_events: int = 100_000,
    n_reviewers: int = 8,
    orders_per_creator: float = 10.0,
    as_of: Any = "2026-06-30T23:59:59+00:00",
    model: str = "basic@0",
) -> Dataset:
    """Build a deterministic synthetic data set.

    Args:
        seed: Seed of the generator; the same seed always gives the same data.
        n_creators: Creators (up to millions; content has about
            ``n_creators × posts_per_creator`` rows).
        posts_per_creator: Mean posts per creator over the 90 days before ``as_of``.
        n_campaigns: Campaigns.
        n_events: Approximate rows of the event log (about 8 events per user).
        n_reviewers: Brand reviewers (a third lenient, a third harsh).
        orders_per_creator: Orders (1–3 lines each) drawn from the content's orders, per
            creator on average; the order table samples the attributed orders so that it
            stays proportional to ``n_creators`` (never more than the content's orders).
        as_of: Timezone-aware snapshot time.
        model: The generator: ``basic@0`` (the default of 0.1, kept so earlier results
            reproduce) or ``truth_model@1``, the world with known truth that scoring and
            review methods are tested against (see the datasets page; the default from
            0.2). ``orders_per_creator`` applies to ``basic@0`` only: ``truth_model@1``
            has one line per attributed order of campaign content.

    Returns:
        A :class:`Dataset`.

    Example:
        >>> data = synthetic(seed=1, n_creators=100, n_events=1_000)
        >>> sorted(data.orders["currency"].unique())[:3]
        ['GBP', 'IDR', 'MYR']
    """
    n_creators = int(check_number("n_creators", n_creators, low=10, high=10_000_000, integer=True))
    posts = check_number("posts_per_creator", posts_per_creator, low=0.5, high=1_000)
    n_campaigns = int(check_number("n_campaigns", n_campaigns, low=1, high=10_000, integer=True))
    n_events = int(check_number("n_events", n_events, low=100, high=1_000_000_000, integer=True))
    n_reviewers = int(check_number("n_reviewers", n_reviewers, low=3, high=1_000, integer=True))
    per_order = check_number("orders_per_creator", orders_per_creator, low=0.1, high=10_000)
    seed = int(check_number("seed", seed, low=0, high=2**63 - 1, integer=True))  # 1.0 → 1
    stamp = require_as_of(as_of)
    check_choice("model", model, MODELS)
    if model == "truth_model@1":
        return _truth_world(seed, n_creators, posts, n_campaigns, n_events, n_reviewers, stamp)
    rng = np.random.default_rng(seed)
    creators, fake = _creators(rng, n_creators, stamp)
    content = _content(rng, creators, fake, posts, stamp)
    campaigns = _campaigns(rng, n_campaigns, stamp)
    collaborations, content = _collaborations(rng, creators, content, campaigns)
    samples, collaborations = _samples(rng, collaborations, campaigns, stamp)
    reviewers = _reviewers(rng, n_reviewers)
    reviews = _reviews(rng, collaborations, campaigns, reviewers, fake, creators)
    orders = _orders(rng, content, creators, collaborations, stamp, per_order)
    violations = _violations(rng, creators, stamp)
    events = _events(rng, n_events, creators, campaigns, stamp)
    fx = _fx(rng, stamp)
    side = np.random.default_rng([seed, 11])  # own stream: the tables above stay as they were
    audience = _audience(side, creators, stamp)
    identities = _identities(side, creators)
    rate_cards = _rate_cards(side, creators, stamp)
    truth = pd.DataFrame({"creator_id": creators["creator_id"], "fake_engagement": fake})
    card = MethodCard.create(
        "datasets.synthetic",
        seed=seed,
        n_creators=n_creators,
        posts_per_creator=posts,
        n_campaigns=n_campaigns,
        n_events=n_events,
        n_reviewers=n_reviewers,
        orders_per_creator=per_order,
        as_of=stamp,
    )
    return Dataset(
        creators=creators,
        content=content,
        campaigns=campaigns,
        collaborations=collaborations,
        samples=samples,
        reviews=reviews,
        orders=orders,
        violations=violations,
        events=events,
        fx_rates=fx,
        audience=audience,
        identities=identities,
        rate_cards=rate_cards,
        truth=truth,
        reviewers=reviewers,
        as_of=stamp,
        method=card,
    )


def _truth_world(
    seed: int,
    n_creators: int,
    posts: float,
    n_campaigns: int,
    n_events: int,
    n_reviewers: int,
    as_of: pd.Timestamp,
) -> Dataset:
    """The ``truth_model@1`` world (:mod:`creatorkit._world`) as a :class:`Dataset`."""
    from creatorkit import _world

    tables = _world.build(seed, n_creators, posts, n_campaigns, n_events, n_reviewers, as_of)
    card = MethodCard.create(
        "datasets.synthetic",
        model=_world.MODEL,
        seed=seed,
        n_creators=n_creators,
        posts_per_creator=posts,
        n_campaigns=n_campaigns,
        n_events=n_events,
        n_reviewers=n_reviewers,
        as_of=as_of,
    )
    return Dataset(**tables, as_of=as_of, method=card)


def _campaigns(rng: np.random.Generator, n: int, as_of: pd.Timestamp) -> pd.DataFrame:
    start_days = rng.uniform(30, 85, n)
    length = rng.uniform(14, 45, n)
    category = rng.choice(_CATEGORIES, size=n, p=_CATEGORY_P)
    goal = np.where(np.arange(n) % 3 == 2, "awareness", "sales")
    markets = [
        tuple(sorted(rng.choice(_COUNTRIES[:5], size=rng.integers(1, 4), replace=False).tolist()))
        for _ in range(n)
    ]
    budget = np.round(rng.uniform(5_000, 80_000, n), -2)
    return pd.DataFrame(
        {
            "campaign_id": _ids("k", n, 3),
            "brand": pd.Series(_text("Brand ", np.arange(1, n + 1)), dtype="string"),
            "goal": pd.Series(goal, dtype="string"),
            "category": pd.Series(category, dtype="string"),
            "start": _time(as_of, -start_days * 86_400),
            "end": _time(as_of, (-start_days + length) * 86_400),
            "budget": budget,
            "currency": pd.Series(["USD"] * n, dtype="string"),
            "markets": pd.Series(markets, dtype=object),
            "kpi_targets": pd.Series(
                [{"gmv": float(b * 3), "views": float(b * 400)} for b in budget], dtype=object
            ),
        }
    )


def _collaborations(
    rng: np.random.Generator, creators: pd.DataFrame, content: pd.DataFrame, campaigns: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_creators, n_campaigns = len(creators), len(campaigns)
    per = max(5, min(n_creators, int(0.08 * n_creators)))
    creator_idx = np.concatenate(
        [rng.choice(n_creators, size=per, replace=False) for _ in range(n_campaigns)]
    )
    campaign_idx = np.repeat(np.arange(n_campaigns), per)
    m = len(creator_idx)
    collab_ids = _ids("co", m, 7)
    # attach part of each participating creator's content to the campaign
    pair = pd.DataFrame({"creator": creator_idx, "campaign": campaign_idx}).drop_duplicates(
        "creator"
    )
    creator_pos = pd.Series(np.arange(n_creators), index=creators["creator_id"].to_numpy())
    owner = creator_pos.loc[content["creator_id"].to_numpy()].to_numpy()
    camp_of_creator = np.full(n_creators, -1)
    camp_of_creator[pair["creator"].to_numpy()] = pair["campaign"].to_numpy()
    content_camp = camp_of_creator[owner]
    attach = (content_camp >= 0) & (rng.random(len(content)) < 0.6)
    content = content.assign(
        campaign_id=pd.Series(
            np.where(
                attach, campaigns["campaign_id"].to_numpy()[np.maximum(content_camp, 0)], None
            ),
            dtype="string",
        )
    )
    key = np.where(attach, owner * n_campaigns + content_camp, -1)
    sums = pd.DataFrame({"key": key[attach]})
    for col in ("views", "clicks", "likes", "comments", "shares", "saves", "orders", "gmv"):
        sums[col] = content[col].to_numpy()[attach]
    sums = sums.groupby("key").sum()
    rolled = sums.reindex(creator_idx * n_campaigns + campaign_idx, fill_value=0)
    followers = creators["followers"].to_numpy()[creator_idx]
    category = pd.Categorical(
        campaigns["category"].to_numpy()[campaign_idx], categories=_CATEGORIES
    ).codes
    gmv = rolled["gmv"].to_numpy(dtype=float)
    rate = rng.choice(np.array([0.1, 0.15, 0.2]), size=m)
    floor = np.where(rng.random(m) < 0.25, np.round(rng.uniform(50, 400, m), 0), 0.0)
    fee = np.where(
        rng.random(m) < 0.6, np.round(20 + 0.004 * followers * rng.uniform(0.5, 1.5, m), 0), 0.0
    )
    orders = rolled["orders"].to_numpy().astype(np.int64)
    invited = np.ones(m, dtype=np.int64)
    replied = (rng.random(m) < 0.75).astype(np.int64)
    frame = pd.DataFrame(
        {
            "collaboration_id": collab_ids,
            "creator_id": creators["creator_id"].to_numpy()[creator_idx],
            "campaign_id": campaigns["campaign_id"].to_numpy()[campaign_idx],
            "currency": pd.Series(["USD"] * m, dtype="string"),
            "fixed_fee": fee,
            "guaranteed_minimum": floor,
            "commission_rate": rate,
            "commission": np.round(np.maximum(floor, rate * gmv), 2),
            "bonus": np.where(gmv > 5_000, 100.0, 0.0),
            "sample_cost": np.zeros(m),
            "shipping_cost": np.zeros(m),
            "ads_spend": np.where(rng.random(m) < 0.3, np.round(rng.uniform(50, 500, m), 0), 0.0),
            "service_fee": np.round(0.02 * gmv, 2),
            "margin": _MARGIN[category],
            "views": rolled["views"].to_numpy().astype(np.int64),
            "clicks": rolled["clicks"].to_numpy().astype(np.int64),
            "likes": rolled["likes"].to_numpy().astype(np.int64),
            "comments": rolled["comments"].to_numpy().astype(np.int64),
            "shares": rolled["shares"].to_numpy().astype(np.int64),
            "saves": rolled["saves"].to_numpy().astype(np.int64),
            "orders": orders,
            "new_customers": rng.binomial(orders, 0.6),
            "gmv": gmv,
            "refunds": np.round(gmv * rng.beta(1, 15, m), 2),
            "invitations": invited,
            "replies": replied,
            "reply_hours": np.where(replied == 1, np.round(rng.lognormal(2.5, 1.0, m), 1), np.nan),
        }
    )
    return frame, content


def _samples(
    rng: np.random.Generator, collabs: pd.DataFrame, campaigns: pd.DataFrame, as_of: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame]:
    count = rng.integers(1, 3, len(collabs))
    owner = np.repeat(np.arange(len(collabs)), count)
    m = len(owner)
    start = pd.Series(campaigns["start"].to_numpy(), index=campaigns["campaign_id"].to_numpy())
    base = start.loc[collabs["campaign_id"].to_numpy()[owner]].reset_index(drop=True)
    shipped = base + pd.to_timedelta(np.round(rng.uniform(0, 5, m) * 86_400), unit="s")
    received_ok = rng.random(m) < 0.93
    received = shipped + pd.to_timedelta(np.round(rng.uniform(2, 7, m) * 86_400), unit="s")
    deadline = shipped + pd.Timedelta(days=21)
    unreliable = rng.random(len(collabs))[owner] < 0.15
    posted_ok = received_ok & (rng.random(m) < np.where(unreliable, 0.3, 0.9))
    posted = received + pd.to_timedelta(np.round(rng.gamma(2.0, 5.0, m) * 86_400), unit="s")
    posted_ok &= (posted <= as_of).to_numpy()
    received_ok &= (received <= as_of).to_numpy()
    posted_ok &= received_ok
    status = np.where(
        posted_ok,
        "posted",
        np.where(received_ok, "received", np.where(rng.random(m) < 0.3, "lost", "shipped")),
    )
    frame = pd.DataFrame(
        {
            "sample_id": _ids("s", m, 7),
            "collaboration_id": collabs["collaboration_id"].to_numpy()[owner],
            "creator_id": collabs["creator_id"].to_numpy()[owner],
            "sku": pd.Series(_text("sku", rng.integers(1, 500, m)), dtype="string"),
            "status": pd.Series(status, dtype="string"),
            "shipped_at": shipped,
            "deadline": deadline,
            "received_at": received.where(received_ok),
            "posted_at": posted.where(posted_ok),
            "cost": np.round(rng.uniform(5, 40, m), 2),
        }
    )
    due = received_ok & (deadline <= as_of).to_numpy()
    on_time = posted_ok & (posted <= deadline).to_numpy()
    agg = pd.DataFrame(
        {
            "o": owner,
            "due": due,
            "posted_due": due & posted_ok & on_time,
            "posted": posted_ok,
            "on_time": on_time,
            "cost": frame["cost"].to_numpy(),
        }
    )
    agg = agg.groupby("o").sum().reindex(np.arange(len(collabs)), fill_value=0)
    collabs = collabs.assign(
        sample_cost=agg["cost"].to_numpy(),
        shipping_cost=np.round(4.0 * count, 2),
        samples_received_due=agg["due"].to_numpy().astype(np.int64),
        samples_posted_due=agg["posted_due"].to_numpy().astype(np.int64),
        samples_posted=agg["posted"].to_numpy().astype(np.int64),
        samples_posted_on_time=agg["on_time"].to_numpy().astype(np.int64),
    )
    return frame, collabs


def _reviewers(rng: np.random.Generator, n: int) -> pd.DataFrame:
    leniency = np.tile(np.array([0.9, -0.9, 0.0]), n // 3 + 1)[:n] + rng.normal(0, 0.1, n)
    return pd.DataFrame(
        {
            "reviewer_id": _ids("r", n, 3),
            "leniency": leniency,
            "straight_liner": np.arange(n) % 4 == 3,
        }
    )


def _reviews(
    rng: np.random.Generator,
    collabs: pd.DataFrame,
    campaigns: pd.DataFrame,
    reviewers: pd.DataFrame,
    fake: np.ndarray,
    creators: pd.DataFrame,
) -> pd.DataFrame:
    done = np.flatnonzero(rng.random(len(collabs)) < 0.7)
    m = len(done)
    who = rng.integers(0, len(reviewers), m)
    creator_pos = pd.Series(np.arange(len(creators)), index=creators["creator_id"].to_numpy())
    owner = creator_pos.loc[collabs["creator_id"].to_numpy()[done]].to_numpy()
    quality = np.random.default_rng(rng.integers(2**32)).normal(0, 0.7, len(creators))[owner]
    leniency = reviewers["leniency"].to_numpy()[who]
    straight = reviewers["straight_liner"].to_numpy()[who]
    inflation = 0.7
    base = 3.2 + quality + leniency + inflation
    dims = (
        "content_quality",
        "engagement",
        "conversion",
        "timeliness",
        "compliance",
        "communication",
        "creativity",
    )
    end = pd.Series(campaigns["end"].to_numpy(), index=campaigns["campaign_id"].to_numpy())
    frame = pd.DataFrame(
        {
            "review_id": _ids("rv", m, 7),
            "creator_id": collabs["creator_id"].to_numpy()[done],
            "reviewer_id": reviewers["reviewer_id"].to_numpy()[who],
            "created_at": (
                end.loc[collabs["campaign_id"].to_numpy()[done]].reset_index(drop=True)
                + pd.to_timedelta(np.round(rng.uniform(1, 10, m) * 86_400), unit="s")
            ),
            "campaign_id": collabs["campaign_id"].to_numpy()[done],
        }
    )
    first = None
    total = np.zeros(m)
    for i, dim in enumerate(dims):
        noise = rng.normal(0, 0.6, m)
        stars = np.clip(np.round(base + noise), 1, 5)
        if i == 0:
            first = stars
        else:
            assert first is not None
            stars = np.where(straight, first, stars)
        if dim == "conversion":
            stars = np.where(fake[owner] & (rng.random(m) < 0.5), 5.0, stars)
        total += stars
        frame[dim] = np.where(rng.random(m) < 0.05, np.nan, stars)
    frame["would_rehire"] = total / len(dims) >= 3.8
    frame["tags"] = pd.Series(
        [
            tuple(rng.choice(_REVIEW_TAGS, size=k, replace=False).tolist())
            for k in rng.integers(0, 3, m)
        ],
        dtype=object,
    )
    return frame


def _orders(
    rng: np.random.Generator,
    content: pd.DataFrame,
    creators: pd.DataFrame,
    collabs: pd.DataFrame,
    as_of: pd.Timestamp,
    per_creator: float,
) -> pd.DataFrame:
    counts = content["orders"].to_numpy()
    total = int(counts.sum())
    n_orders = min(total, round(per_creator * len(creators)))
    if n_orders == 0:
        counts = np.ones(len(content), dtype=np.int64)
        n_orders, total = 1, len(content)
    src = np.sort(rng.choice(len(content), size=n_orders, p=counts / total))
    lines = rng.choice(np.array([1, 1, 1, 2, 3]), size=n_orders)
    order_of_line = np.repeat(np.arange(n_orders), lines)
    line_no = np.arange(len(order_of_line)) - np.repeat(np.cumsum(lines) - lines, lines) + 1
    row = src[order_of_line]
    m = len(row)
    owner = pd.Index(creators["creator_id"]).get_indexer(content["creator_id"])
    country = creators["country"].to_numpy()[owner[row]]
    currency = pd.Series(country).map(_CURRENCY).to_numpy()
    usd_per = pd.Series(currency).map({**_USD_PER_UNIT, "USD": 1.0}).to_numpy(dtype=float)
    per_order = content["gmv"].to_numpy() / np.maximum(counts, 1)
    usd = per_order[row] / lines[order_of_line] * rng.uniform(0.9, 1.1, m)
    local = np.round(usd / usd_per, 2)
    published = content["published_at"].iloc[row].reset_index(drop=True)
    ordered = published + pd.to_timedelta(
        np.round(rng.exponential(1.5, n_orders)[order_of_line] * 86_400), unit="s"
    )
    status_draw = rng.random(n_orders)[order_of_line]
    status = np.where(
        status_draw < 0.06,
        "refunded",
        np.where(
            status_draw < 0.09, "cancelled", np.where(status_draw < 0.2, "shipped", "completed")
        ),
    )
    refunded = status == "refunded"
    refunded_at = ordered + pd.to_timedelta(np.round(rng.uniform(3, 45, m) * 86_400), unit="s")
    settled_at = ordered + pd.to_timedelta(np.round(rng.uniform(15, 30, m) * 86_400), unit="s")
    rate_of = collabs.drop_duplicates("creator_id").set_index("creator_id")["commission_rate"]
    rate = rate_of.reindex(content["creator_id"].to_numpy()[row]).fillna(0.1).to_numpy()
    pool = max(50, n_orders // 3)
    customer = rng.zipf(1.6, n_orders) % pool
    first_seen = ~pd.Series(customer).duplicated().to_numpy()
    settled = (settled_at <= as_of).to_numpy() & (status != "cancelled")
    return pd.DataFrame(
        {
            "order_id": pd.Series(
                (_BASE_ID + 2 * 10**15 + np.arange(n_orders, dtype=np.int64) * 7919).astype(str)[
                    order_of_line
                ],
                dtype="string",
            ),
            "line_id": pd.Series(line_no.astype(str), dtype="string"),
            "sku": pd.Series(content["product_id"].to_numpy()[row], dtype="string"),
            "creator_id": content["creator_id"].to_numpy()[row],
            "ordered_at": ordered,
            "gmv": local,
            "currency": pd.Series(currency, dtype="string"),
            "status": pd.Series(status, dtype="string"),
            "attribution": pd.Series(
                np.where(content["paid_views"].to_numpy()[row] > 0, "paid", "organic"),
                dtype="string",
            ),
            "units": np.ones(m, dtype=np.int64),
            "refunds": np.where(refunded, local, 0.0),
            "refunded_at": refunded_at.where(refunded),
            "commission_estimated": np.round(local * rate, 2),
            "commission_actual": np.where(settled & ~refunded, np.round(local * rate, 2), np.nan),
            "settled_at": settled_at.where(settled),
            "new_customer": first_seen[order_of_line],
            "customer_id": pd.Series(
                _text("u", country, customer[order_of_line]),
                dtype="string",
            ),
            "content_id": content["content_id"].to_numpy()[row],
            "campaign_id": content["campaign_id"].to_numpy()[row],
        }
    )


def _violations(
    rng: np.random.Generator, creators: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    who = np.flatnonzero(rng.random(len(creators)) < 0.06)
    count = rng.integers(1, 5, len(who))
    owner = np.repeat(who, count)
    m = len(owner)
    severity = rng.choice(
        np.array(["low", "medium", "high", "extreme", "critical"]),
        size=m,
        p=[0.4, 0.3, 0.18, 0.08, 0.04],
    )
    points = (
        pd.Series(severity)
        .map({"low": 1, "medium": 2, "high": 4, "extreme": 8, "critical": 12})
        .to_numpy()
    )
    return pd.DataFrame(
        {
            "violation_id": _ids("v", m, 6),
            "creator_id": creators["creator_id"].to_numpy()[owner],
            "occurred_at": _time(as_of, -rng.uniform(0, 180 * 86_400, m)),
            "severity": pd.Series(severity, dtype="string"),
            "points": points.astype(np.int64),
            "status": pd.Series(
                rng.choice(
                    np.array(["active", "appealed", "overturned"]), size=m, p=[0.75, 0.15, 0.1]
                ),
                dtype="string",
            ),
            "policy": pd.Series(
                rng.choice(
                    np.array(["misleading_claims", "prohibited_product", "spam", "ip"]), size=m
                ),
                dtype="string",
            ),
        }
    )


def _events(
    rng: np.random.Generator,
    n_events: int,
    creators: pd.DataFrame,
    campaigns: pd.DataFrame,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    n_users = max(10, n_events // 8)
    depth = np.minimum(rng.geometric(0.45, n_users), len(_STEPS))
    noise = rng.poisson(np.maximum(n_events / n_users - depth.mean(), 0.0), n_users)
    chain_user = np.repeat(np.arange(n_users), depth)
    chain_pos = np.arange(len(chain_user)) - np.repeat(np.cumsum(depth) - depth, depth)
    start = rng.uniform(-60 * 86_400, 0, n_users)
    gaps = rng.exponential(1.5 * 86_400, len(chain_user)) * (chain_pos > 0)
    gaps = np.where(rng.random(len(chain_user)) < 0.02, 0.0, gaps)
    offsets = np.cumsum(gaps)
    offsets -= np.repeat(offsets[np.cumsum(depth) - depth], depth)
    chain_time = start[chain_user] + offsets
    noise_user = np.repeat(np.arange(n_users), noise)
    noise_time = start[noise_user] + rng.uniform(-5 * 86_400, 12 * 86_400, len(noise_user))
    user = np.concatenate([chain_user, noise_user])
    seconds = np.minimum(np.concatenate([chain_time, noise_time]), 0.0)
    event = np.concatenate(
        [np.array(_STEPS)[chain_pos], rng.choice(_NOISE_EVENTS, size=len(noise_user))]
    )
    creator_of_user = rng.integers(0, len(creators), n_users)
    campaign_of_user = rng.integers(0, len(campaigns), n_users)
    touch = np.where(
        rng.random(len(user)) < 0.85,
        creator_of_user[user],
        rng.integers(0, len(creators), len(user)),
    )
    order = np.lexsort((seconds, user))
    frame = pd.DataFrame(
        {
            "event_id": _ids("e", len(user), 9),
            "user_id": _text("u", user[order]),
            "timestamp": _time(as_of, seconds[order]),
            "event": pd.Series(event[order], dtype="string"),
            "creator_id": creators["creator_id"].to_numpy()[touch[order]],
            "campaign_id": campaigns["campaign_id"].to_numpy()[campaign_of_user[user[order]]],
        }
    )
    dup = rng.choice(len(frame), size=max(1, len(frame) // 1000), replace=False)
    return pd.concat([frame, frame.iloc[dup]], ignore_index=True)


def _fx(rng: np.random.Generator, as_of: pd.Timestamp) -> pd.DataFrame:
    days = pd.date_range(
        as_of.normalize().tz_localize(None) - pd.Timedelta(days=130),
        as_of.normalize().tz_localize(None) + pd.Timedelta(days=60),
        freq="D",
    )
    parts = []
    for currency, base in _USD_PER_UNIT.items():
        walk = base * np.exp(np.cumsum(rng.normal(0, 0.003, len(days))))
        parts.append(pd.DataFrame({"date": days, "currency": currency, "rate": walk}))
    out = pd.concat(parts, ignore_index=True)
    out["currency"] = out["currency"].astype("string")
    return out


def _shares(rng: np.random.Generator, n: int, k: int, concentration: float) -> np.ndarray:
    """``n`` rows of ``k`` shares summing to 1, rounded to 4 decimals (as exports do)."""
    raw = rng.dirichlet(np.full(k, concentration), size=n)
    rounded = np.round(raw, 4)
    rounded[:, -1] = np.round(1.0 - rounded[:, :-1].sum(axis=1), 4)
    return np.clip(rounded, 0.0, 1.0)


def _audience(
    rng: np.random.Generator, creators: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    from creatorkit.models import AGE_BANDS, GENDERS

    n = len(creators)
    home = creators["country"].to_numpy()
    others = np.array(list(_COUNTRIES))
    abroad = others[rng.integers(0, len(others), n)]
    home_share = np.round(rng.uniform(0.55, 0.95, n), 4)
    same = abroad == home
    country_rows = [
        (home, np.where(same, 1.0, home_share)),
        (abroad, np.where(same, np.nan, np.round(1.0 - home_share, 4))),
    ]
    parts = []
    for segment, share in country_rows:
        parts.append(("country", segment, share))
    ages = _shares(rng, n, len(AGE_BANDS), 2.0)
    parts += [("age", np.full(n, band), ages[:, i]) for i, band in enumerate(AGE_BANDS)]
    genders = _shares(rng, n, len(GENDERS), 3.0)
    parts += [("gender", np.full(n, g), genders[:, i]) for i, g in enumerate(GENDERS)]
    frame = pd.concat(
        [
            pd.DataFrame(
                {"creator_id": creators["creator_id"], "dimension": d, "segment": seg, "share": sh}
            )
            for d, seg, sh in parts
        ],
        ignore_index=True,
    )
    frame = frame[frame["share"].notna()].sort_values(["creator_id", "dimension", "segment"])
    frame.insert(1, "snapshot_at", as_of - pd.Timedelta(days=7))
    return frame.reset_index(drop=True).astype(
        {"dimension": "string", "segment": "string", "creator_id": "string"}
    )


def _identities(rng: np.random.Generator, creators: pd.DataFrame) -> pd.DataFrame:
    n = len(creators)
    since = pd.Timestamp("2024-01-01", tz="UTC")
    platform_ids = pd.Series(
        (6_900_000_000_000_000_000 + rng.integers(0, 10**17, n, dtype=np.int64)).astype(str)
    )
    handle = creators["handle"].astype("string").str.lstrip("@")
    frame = pd.DataFrame(
        {
            "creator_id": np.concatenate([creators["creator_id"], creators["creator_id"]]),
            "id_type": np.repeat(["handle", "platform_id"], n),
            "value": np.concatenate([handle.to_numpy(), platform_ids.to_numpy()]),
            "platform": np.concatenate([creators["platform"], creators["platform"]]),
        }
    ).astype("string")
    frame["valid_from"] = since
    frame["valid_to"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    return frame


def _rate_cards(
    rng: np.random.Generator, creators: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    n = len(creators)
    followers = creators["followers"].to_numpy(dtype=float)
    video = np.round(np.maximum(20.0, 8.0 * (followers / 1000) ** 0.8 * rng.lognormal(0, 0.3, n)))
    change = (as_of - pd.Timedelta(days=30)).normalize()
    rows = []
    first = as_of - pd.Timedelta(days=365)
    for content_type, fee in (("video", video), ("live", np.round(video * 2.5))):
        for start, end, factor in ((first, change, 1.0), (change, pd.NaT, 1.1)):
            rows.append(
                pd.DataFrame(
                    {
                        "creator_id": creators["creator_id"],
                        "content_type": content_type,
                        "fixed_fee": np.round(fee * factor, 2),
                        "currency": "USD",
                        "valid_from": pd.Series(start, index=creators.index).dt.tz_convert("UTC"),
                        "valid_to": pd.Series(
                            end, index=creators.index, dtype="datetime64[ns, UTC]"
                        ),
                    }
                )
            )
    frame = pd.concat(rows, ignore_index=True)
    frame = frame.sort_values(["creator_id", "content_type", "valid_from"], kind="stable")
    return frame.reset_index(drop=True).astype(
        {"creator_id": "string", "content_type": "string", "currency": "string"}
    )
