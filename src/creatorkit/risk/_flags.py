"""``risk.flags``: anomaly flags with their evidence (value, benchmark, robust z or rule)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import divide
from creatorkit._grouping import group
from creatorkit._time import aware_column, parse_window, require_as_of
from creatorkit._validation import (
    Problems,
    check_columns,
    check_frame,
    check_keys,
    check_number,
    check_numeric,
    did_you_mean,
    fail,
)
from creatorkit.errors import ErrorCode
from creatorkit.results import Copied, MethodCard, Note, Result

PEER_FLAGS = ("engagement", "follower_spike", "like_view", "comment_like", "views_without_sales")
"""Flags judged by a robust z within the creator's tier."""
RULE_FLAGS = ("unposted_samples", "reply_collapse")
"""Flags judged by a rule on counts."""
FLAGS = PEER_FLAGS + RULE_FLAGS

DEFAULT_Z = {
    "engagement": 4.0,
    "follower_spike": 2.5,
    "like_view": 4.0,
    "comment_like": 3.0,
    "views_without_sales": 4.0,
}
"""Robust-z thresholds chosen on ``synthetic(0, model="truth_model@1")`` (the best F1 of
"any peer flag" against ``truth.fake_engagement`` over a grid of 2.5–5); measured on seeds
1–5 on the risk page."""

_MAD_SCALE = 1.4826
_EVIDENCE = ["creator_id", "flag", "value", "benchmark", "z", "threshold", "rule", "sentence"]


@attrs.frozen(kw_only=True, eq=False)
class RiskFlags(Result):
    """Result of ``risk.flags``.

    Attributes:
        evidence: One row per raised flag: value, peer benchmark, z (NaN for rules),
            threshold, rule and a sentence.
        creators: One row per creator: tier, the number of flags and their names.
        measures: One row per creator: every measure with its benchmark and z.

    Example:
        The one creator with fake engagement in the synthetic data is flagged most:

        >>> import creatorkit as ck
        >>> w = ck.datasets.synthetic(0, n_creators=20, n_events=200)
        >>> res = ck.risk.flags(w.creators, w.content, as_of=w.as_of)
        >>> top = res.creators.sort_values("flags", ascending=False).iloc[0]
        >>> print(top["creator_id"], top["flags"], top["which"])
        c000001 5 comment_like, engagement, follower_spike, like_view, views_without_sales
        >>> w.truth[w.truth["fake_engagement"]]["creator_id"].tolist()
        ['c000001']
    """

    _frame_field = "evidence"
    _evidence: pd.DataFrame
    evidence = Copied[pd.DataFrame]()
    _creators: pd.DataFrame
    creators = Copied[pd.DataFrame]()
    _measures: pd.DataFrame
    measures = Copied[pd.DataFrame]()


def robust_z(values: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value − peer median) / (1.4826 · peer MAD) within groups; NaN where MAD is 0.

    Returns ``(z, median)``; missing values are left out of the peer statistics.
    """
    series = pd.Series(values)
    by = series.groupby(codes)
    median = by.transform("median").to_numpy(dtype=float)
    spread = (series - median).abs().groupby(codes).transform("median").to_numpy(dtype=float)
    return divide(values - median, _MAD_SCALE * spread), median


def _thresholds(z: Any) -> dict[str, float]:
    if z is None:
        return dict(DEFAULT_Z)
    if isinstance(z, Mapping):
        problems = Problems("z")
        for name in z:
            if name not in PEER_FLAGS:
                hint = did_you_mean(str(name), PEER_FLAGS)
                problems.add(None, f"unknown flag.{hint}", ErrorCode.UNKNOWN_NAME, values=[name])
        problems.raise_if_any()
        base = dict(DEFAULT_Z)
        base.update({k: check_number("z", v, low=0, low_open=True) for k, v in z.items()})
        return base
    value = check_number("z", z, low=0, low_open=True)
    return dict.fromkeys(PEER_FLAGS, value)


def _log(values: np.ndarray) -> np.ndarray:
    """Natural log where positive, NaN elsewhere (no warning)."""
    return np.log(np.where(values > 0, values, np.nan))


def _content_sums(content: pd.DataFrame, ids: pd.Series, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per creator Σviews, Σlikes, Σcomments, Σorders, Σengagements up to ``as_of``."""
    from creatorkit import metrics

    columns = ["views", "likes", "comments", "orders", "engagements"]
    if not len(content):
        return pd.DataFrame(np.nan, index=pd.Index(ids, name="creator_id"), columns=columns)
    names = ["views", "likes", "comments", "orders", "engagement_rate"]
    table = metrics.compute(content, names, by="creator_id", as_of=as_of).table
    table["engagements"] = table["engagement_rate"] * table["views"]
    frame = table.set_index("creator_id")[columns]
    return frame.reindex(pd.Index(ids, name="creator_id"))


def _measures(creators: pd.DataFrame, content: pd.DataFrame, as_of: pd.Timestamp, scheme: Any):  # type: ignore[no-untyped-def]
    """Measures per creator (log scale for rates) and the tier codes."""
    from creatorkit.frames import duplicated_keys
    from creatorkit.tiers import tier

    check_frame("creators", creators)
    check_columns("creators", creators, ["creator_id", "followers"])
    check_keys("creators", creators, ["creator_id"])
    problems = Problems("creators")
    ids = creators["creator_id"]
    rule = "must be unique (one row per creator)"
    repeated = duplicated_keys(ids)
    problems.add_mask("creator_id", repeated, creators.index, ids, rule, ErrorCode.DUPLICATE_KEY)
    followers = check_numeric(problems, "followers", creators["followers"], low=0, integer=True)
    before = None
    if "followers_30d_ago" in creators.columns:
        before = check_numeric(
            problems,
            "followers_30d_ago",
            creators["followers_30d_ago"],
            low=0,
            integer=True,
            missing_ok=True,
        )
    problems.raise_if_any()
    check_frame("content", content, allow_empty=True)
    check_columns("content", content, ["creator_id", "views", "likes", "comments", "orders"])
    if len(content) and "published_at" in content.columns:
        first = aware_column(content, "published_at", "content").min()
        if pd.notna(first) and as_of < first:
            fail(
                "as_of", "is before every post of content", ErrorCode.OUT_OF_RANGE, value=str(as_of)
            )
    sums = _content_sums(content, creators["creator_id"], as_of)
    views, likes = sums["views"].to_numpy(float), sums["likes"].to_numpy(float)
    values = {
        "engagement": _log(divide(sums["engagements"].to_numpy(float), views)),
        "like_view": _log(divide(likes, views)),
        "comment_like": _log(divide(sums["comments"].to_numpy(float), likes)),
        "views_without_sales": _log(divide(sums["orders"].to_numpy(float) + 0.5, views)),
    }
    values["follower_spike"] = (
        divide(followers, before) - 1.0 if before is not None else np.full(len(followers), np.nan)
    )
    tiers = pd.DataFrame({"tier": tier(pd.Series(followers), scheme=scheme).to_numpy()})
    return values, group(tiers, ["tier"]), views


def _unposted(samples: pd.DataFrame | None, ids: pd.Series, as_of: pd.Timestamp) -> np.ndarray:
    """Samples received whose posting deadline passed by ``as_of`` without a post."""
    if samples is None:
        return np.full(len(ids), np.nan)
    check_frame("samples", samples, allow_empty=True)
    check_columns("samples", samples, ["creator_id", "received_at", "deadline", "posted_at"])
    if not len(samples):
        return np.zeros(len(ids))
    received = aware_column(samples, "received_at", "samples").notna()
    deadline = aware_column(samples, "deadline", "samples")
    posted = aware_column(samples, "posted_at", "samples")
    late = received & (deadline <= as_of) & ~(posted <= as_of).fillna(False)
    who = pd.Index(ids).get_indexer(samples["creator_id"])
    keep = late.fillna(False).to_numpy(dtype=bool) & (who >= 0)
    return np.bincount(who[keep], minlength=len(ids)).astype(float)


def _replies(
    collaborations: pd.DataFrame | None, ids: pd.Series, as_of: pd.Timestamp, recent: pd.Timedelta
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reply rate (Σreplies / Σinvitations) before and within the last ``recent``."""
    nan = np.full(len(ids), np.nan)
    if collaborations is None:
        return nan, nan, nan
    check_frame("collaborations", collaborations, allow_empty=True)
    check_columns(
        "collaborations", collaborations, ["creator_id", "invitations", "replies", "agreed_at"]
    )
    problems = Problems("collaborations")
    sent = check_numeric(problems, "invitations", collaborations["invitations"], low=0)
    got = check_numeric(problems, "replies", collaborations["replies"], low=0)
    problems.raise_if_any()
    when = (
        aware_column(collaborations, "agreed_at", "collaborations") if len(collaborations) else None
    )
    if when is None:
        return nan, nan, nan
    who = pd.Index(ids).get_indexer(collaborations["creator_id"])
    known = (who >= 0) & (when <= as_of).fillna(False).to_numpy(dtype=bool)
    late = (when > as_of - recent).fillna(False).to_numpy(dtype=bool)
    k = len(ids)

    def rate(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        m = known & mask
        n = np.bincount(who[m], sent[m], k)
        return divide(np.bincount(who[m], got[m], k), n), n

    before, _ = rate(~late)
    now, asked = rate(late)
    return before, now, asked


def _check_rules(min_views: Any, unposted_at: Any, drop_at: Any, invitations: Any) -> None:
    check_number("min_views", min_views, low=0)
    check_number("unposted_at", unposted_at, low=0, low_open=True)
    check_number("reply_drop_at", drop_at, low=0, high=1, low_open=True)
    check_number("min_invitations", invitations, low=0)


_SIDE = {
    "engagement": 0,
    "follower_spike": 1,
    "like_view": 0,
    "comment_like": 0,
    "views_without_sales": -1,
}
_WHAT = {
    "engagement": "engagement rate (log)",
    "follower_spike": "30-day follower growth",
    "like_view": "likes per view (log)",
    "comment_like": "comments per like (log)",
    "views_without_sales": "orders per view (log of (orders + ½) / views)",
}


def _peer_rows(
    ids: np.ndarray,
    name: str,
    value: np.ndarray,
    tiers: Any,
    cut: float,
    views: np.ndarray,
    min_views: float,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    enough = views >= min_views if name != "follower_spike" else np.ones(len(value), bool)
    z, median = robust_z(np.where(enough, value, np.nan), tiers.codes)
    side = _SIDE[name]
    score = np.abs(z) if side == 0 else side * z
    hit = np.flatnonzero(np.nan_to_num(score, nan=-np.inf) >= cut)
    tier = tiers.keys["tier"].to_numpy()[tiers.codes[hit]].astype(str)
    direction = {0: "|z|", 1: "z", -1: "−z"}[side]
    text = (
        f"{_WHAT[name]} "
        + pd.Series(value[hit]).round(4).astype(str)
        + " against the tier "
        + pd.Series(tier)
        + " median "
        + pd.Series(median[hit]).round(4).astype(str)
        + ": robust z "
        + pd.Series(z[hit]).round(2).astype(str)
        + f" ({direction} ≥ {cut:g})"
    )
    rows = pd.DataFrame(
        {
            "creator_id": ids[hit],
            "flag": name,
            "value": value[hit],
            "benchmark": median[hit],
            "z": z[hit],
            "threshold": cut,
            "rule": f"{direction} ≥ {cut:g} within tier",
            "sentence": text.to_numpy(dtype=object),
        }
    )
    return rows, z, median


def _rule_rows(
    ids: np.ndarray,
    name: str,
    value: np.ndarray,
    benchmark: np.ndarray,
    hit: np.ndarray,
    cut: float,
    rule: str,
    text: pd.Series,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator_id": ids[hit],
            "flag": name,
            "value": value[hit],
            "benchmark": benchmark[hit],
            "z": np.nan,
            "threshold": cut,
            "rule": rule,
            "sentence": text.to_numpy(dtype=object)[hit]
            if len(text)
            else np.array([], dtype=object),
        }
    )


def _rules(
    ids: np.ndarray,
    unposted: np.ndarray,
    replies: tuple[np.ndarray, ...],
    unposted_at: float,
    drop_at: float,
    min_invitations: float,
) -> list[pd.DataFrame]:
    """Rows of the rule flags: unposted samples and a collapse of the reply rate."""
    before, now, asked = replies
    hit = np.nan_to_num(unposted) >= unposted_at
    text = (
        pd.Series(unposted).fillna(0).astype(int).astype(str)
        + " samples received and not posted past their deadline"
    )
    drop = before - now
    collapse = (np.nan_to_num(drop, nan=-np.inf) >= drop_at) & (
        np.nan_to_num(asked) >= min_invitations
    )
    said = (
        "reply rate "
        + pd.Series(now).round(3).astype(str)
        + " recently against "
        + pd.Series(before).round(3).astype(str)
        + " before"
    )
    return [
        _rule_rows(
            ids,
            "unposted_samples",
            unposted,
            np.zeros(len(ids)),
            hit,
            unposted_at,
            f"unposted samples past deadline ≥ {unposted_at:g}",
            text,
        ),
        _rule_rows(
            ids,
            "reply_collapse",
            now,
            before,
            collapse,
            drop_at,
            f"reply rate drop ≥ {drop_at:g} with ≥ {min_invitations:g} recent invitations",
            said,
        ),
    ]


def flags(
    creators: pd.DataFrame,
    content: pd.DataFrame,
    *,
    as_of: Any,
    samples: pd.DataFrame | None = None,
    collaborations: pd.DataFrame | None = None,
    z: float | Mapping[str, float] | None = None,
    scheme: Any = "seller_guide",
    min_views: float = 1_000,
    unposted_at: float = 1,
    reply_drop_at: float = 0.5,
    min_invitations: float = 3,
    recent: Any = "30D",
) -> RiskFlags:
    """Anomaly flags with their evidence, never bare booleans.

    Peer flags compare a creator with its follower tier (``scheme``) by the robust z
    (value − tier median) / (1.4826 · tier MAD), on creators with ``min_views`` views:
    ``engagement`` (log engagement rate, either side), ``follower_spike`` (30-day growth
    followers / followers_30d_ago − 1, high side), ``like_view`` and ``comment_like``
    (log ratios, either side), ``views_without_sales`` (log((orders + ½) / views), low
    side); a flag is raised at ``z`` (one number, or a mapping per flag over
    :data:`DEFAULT_Z`, the thresholds chosen on seed 0 of the synthetic world). Rule flags:
    ``unposted_samples`` (samples received whose deadline passed by ``as_of`` without a
    post, at ``unposted_at`` or more) and ``reply_collapse`` (the reply rate of
    collaborations agreed in the last ``recent`` fell by ``reply_drop_at`` or more from
    before, with ``min_invitations`` recent invitations). Fake engagement overlaps the
    genuine ranges: the flags' precision and recall on the synthetic world are on the
    risk page.

    Args:
        creators: ``creator_id``, ``followers`` (``followers_30d_ago`` for spikes).
        content: Posts (``creator_id``, ``views``, ``likes``, ``comments``, ``orders``,
            ``published_at``); posts after ``as_of`` are left out.
        as_of: Timezone-aware cut-off.
        samples: Samples (``creator_id``, ``received_at``, ``deadline``, ``posted_at``).
        collaborations: With ``invitations``, ``replies``, ``agreed_at``.
        z: Robust-z thresholds of the peer flags (default :data:`DEFAULT_Z`).
        scheme: Tier scheme (see :func:`creatorkit.tiers.tier`).
        min_views: Views a creator needs for the content flags.
        unposted_at: Unposted samples that raise the flag.
        reply_drop_at: Drop of the reply rate that raises the flag.
        min_invitations: Recent invitations the reply flag needs.
        recent: The recent window of the reply flag.

    Returns:
        :class:`RiskFlags`.

    Example:
        >>> import creatorkit as ck
        >>> w = ck.datasets.synthetic(0, n_events=500, model="truth_model@1")
        >>> res = ck.risk.flags(w.creators, w.content, as_of=w.as_of, samples=w.samples)
        >>> sorted(set(res.evidence["flag"]))
        ['comment_like', 'follower_spike', 'unposted_samples', 'views_without_sales']
        >>> res.evidence.iloc[1][["value", "benchmark", "z"]].astype(float).round(3).to_dict()
        {'value': 0.161, 'benchmark': 0.031, 'z': 2.923}
    """
    stamp = require_as_of(as_of)
    cuts = _thresholds(z)
    _check_rules(min_views, unposted_at, reply_drop_at, min_invitations)
    window = parse_window(recent, "recent")
    values, tiers, views = _measures(creators, content, stamp, scheme)
    ids = creators["creator_id"].to_numpy()
    parts, measures = [], {"creator_id": ids, "tier": tiers.keys["tier"].to_numpy()[tiers.codes]}
    for name in PEER_FLAGS:
        rows, zs, median = _peer_rows(
            ids, name, values[name], tiers, cuts[name], views, float(min_views)
        )
        parts.append(rows)
        measures.update({name: values[name], f"{name}_benchmark": median, f"{name}_z": zs})
    unposted = _unposted(samples, creators["creator_id"], stamp)
    replies = _replies(collaborations, creators["creator_id"], stamp, window)
    measures.update(
        {
            "unposted_samples": unposted,
            "reply_rate_before": replies[0],
            "reply_rate_recent": replies[1],
        }
    )
    parts += _rules(
        ids, unposted, replies, float(unposted_at), float(reply_drop_at), float(min_invitations)
    )
    evidence = pd.concat(parts, ignore_index=True)
    evidence = evidence.sort_values(["creator_id", "flag"], kind="stable").reset_index(drop=True)
    notes = (
        []
        if samples is not None
        else [Note(code="no_samples", message="no samples given: unposted_samples not checked")]
    )
    card = _card(
        stamp, cuts, scheme, window, min_views, unposted_at, reply_drop_at, min_invitations
    )
    return RiskFlags(
        evidence=evidence,
        creators=_summary(evidence, ids, measures["tier"]),
        measures=pd.DataFrame(measures),
        method=card,
        warnings=tuple(notes),
    )


def _card(
    stamp: pd.Timestamp, cuts: dict[str, float], scheme: Any, window: pd.Timedelta, *rules: Any
) -> MethodCard:
    min_views, unposted_at, reply_drop_at, min_invitations = rules
    return MethodCard.create(
        "risk.flags",
        as_of=stamp,
        z=cuts,
        scheme=scheme if isinstance(scheme, str) else list(scheme),
        min_views=min_views,
        unposted_at=unposted_at,
        reply_drop_at=reply_drop_at,
        min_invitations=min_invitations,
        recent=str(window),
        benchmark="tier median",
        spread="1.4826 × MAD",
    )


def _summary(evidence: pd.DataFrame, ids: np.ndarray, tiers: np.ndarray) -> pd.DataFrame:
    """One row per creator: tier, how many flags and which."""
    count = evidence.groupby("creator_id").size().reindex(ids, fill_value=0).to_numpy()
    names = evidence.groupby("creator_id")["flag"].agg(", ".join).reindex(ids, fill_value="")
    return pd.DataFrame(
        {
            "creator_id": ids,
            "tier": tiers,
            "flags": count,
            "flagged": count > 0,
            "which": names.to_numpy(),
        }
    )
