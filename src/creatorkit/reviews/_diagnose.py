"""``reviews.diagnose``: inflation, straight-lining, completion, contradictions, reason tags."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import divide
from creatorkit._grouping import group
from creatorkit._time import aware_column
from creatorkit._validation import check_columns, check_frame, check_number
from creatorkit.metrics._intervals import wilson
from creatorkit.results import Copied, MethodCard, Note, Result
from creatorkit.reviews._input import Stars, frame_of, read_stars, sums, with_overall


@attrs.frozen(kw_only=True, eq=False)
class ReviewDiagnosis(Result):
    """Diagnostics of ``reviews.diagnose`` (each table described there).

    Example:
        Reviewer ``x`` gives 5 stars on every dimension (straight-lining):

        >>> df = pd.DataFrame({"creator_id": ["a", "a", "b", "b"],
        ...                    "reviewer_id": ["x", "y", "x", "y"],
        ...                    "conversion": [5, 4, 5, 2], "timeliness": [5, 2, 5, 3]})
        >>> res = diagnose(df)
        >>> res.reviewers[["reviewer_id", "top_box_share", "straight_line_share"]]
          reviewer_id  top_box_share  straight_line_share
        0           x            1.0                  1.0
        1           y            0.0                  0.0
    """

    _frame_field = "reviewers"
    _reviewers: pd.DataFrame
    reviewers = Copied[pd.DataFrame]()
    _over_time: pd.DataFrame
    over_time = Copied[pd.DataFrame]()
    _completion: pd.DataFrame
    completion = Copied[pd.DataFrame]()
    _contradictions: pd.DataFrame
    contradictions = Copied[pd.DataFrame]()
    _tags: pd.DataFrame
    tags = Copied[pd.DataFrame]()


def _share(yes: np.ndarray, n: np.ndarray, level: float, name: str) -> dict[str, np.ndarray]:
    low, high = wilson(yes, n, level)
    some = n > 0
    return {
        name: divide(yes, n),
        f"{name}_low": np.where(some, low, np.nan),
        f"{name}_high": np.where(some, high, np.nan),
    }


def _inflation(data: Stars, level: float) -> pd.DataFrame:
    """Per reviewer: top-box (5★) share of the stars given, straight-lined reviews."""
    rev, k = data.reviewers.codes, data.reviewers.n
    rated = np.isfinite(data.stars)
    given = sums(rev, rated.astype(float), k).sum(axis=1)
    top = sums(rev, (data.stars == 5).astype(float), k).sum(axis=1)
    dims = rated.sum(axis=1)
    low = np.where(rated, data.stars, np.inf).min(axis=1)
    high = np.where(rated, data.stars, -np.inf).max(axis=1)
    straight = ((dims >= 2) & (low == high)).astype(float)
    reviews = np.bincount(rev, minlength=k).astype(float)
    multi = np.bincount(rev, (dims >= 2).astype(float), k)
    return frame_of(
        data.reviewers.keys,
        {
            "reviews": reviews.astype(np.int64),
            "stars_given": given.astype(np.int64),
            **_share(top, given, level, "top_box_share"),
            "straight_lined": np.bincount(rev, straight, k).astype(np.int64),
            **_share(np.bincount(rev, straight, k), multi, level, "straight_line_share"),
        },
    )


def _over_time(reviews: pd.DataFrame, data: Stars, level: float) -> pd.DataFrame:
    """Top-box share per calendar month of ``created_at`` (UTC)."""
    if "created_at" not in reviews.columns:
        return pd.DataFrame(columns=["month", "reviews", "top_box_share"])
    when = aware_column(reviews, "created_at", "reviews").dt.tz_convert("UTC")
    month = pd.DataFrame({"month": when.dt.strftime("%Y-%m")})
    g = group(month, ["month"])
    rated = np.isfinite(data.stars)
    given = sums(g.codes, rated.astype(float), g.n).sum(axis=1)
    top = sums(g.codes, (data.stars == 5).astype(float), g.n).sum(axis=1)
    return frame_of(
        g.keys,
        {
            "reviews": g.sizes,
            "stars_given": given.astype(np.int64),
            **_share(top, given, level, "top_box_share"),
        },
    )


def _completion(
    reviews: pd.DataFrame,
    collaborations: pd.DataFrame | None,
    campaigns: pd.DataFrame | None,
    by: str,
    level: float,
) -> pd.DataFrame:
    """Collaborations with and without a review, per brand (or campaign) and reviewer."""
    if collaborations is None:
        return pd.DataFrame(columns=["campaign_id", "collaborations", "reviewed"])
    check_columns("collaborations", collaborations, [by, "campaign_id"])
    check_columns("reviews", reviews, ["campaign_id"])
    done = reviews[[by, "campaign_id"]].drop_duplicates().assign(_reviewed=1.0)
    joined = collaborations.merge(done, on=[by, "campaign_id"], how="left")
    keys = ["campaign_id"]
    if campaigns is not None:
        check_frame("campaigns", campaigns, allow_empty=True)
        check_columns("campaigns", campaigns, ["campaign_id", "brand"])
        brands = campaigns[["campaign_id", "brand"]].drop_duplicates("campaign_id")
        joined = joined.merge(brands, on="campaign_id", how="left")
        keys = ["brand"]
    keys += ["reviewer_id"] if "reviewer_id" in collaborations.columns else []
    g = group(joined, keys)
    reviewed = np.bincount(g.codes, joined["_reviewed"].fillna(0.0).to_numpy(), g.n)
    return frame_of(
        g.keys,
        {
            "collaborations": g.sizes,
            "reviewed": reviewed.astype(np.int64),
            "unreviewed": (g.sizes - reviewed).astype(np.int64),
            **_share(reviewed, g.sizes.astype(float), level, "completion"),
        },
    )


_CONTRADICTION_COLUMNS = ["review_id", "creator", "dimension", "stars", "measure", "value", "rule"]


def _five(reviews: pd.DataFrame, data: Stars, dimension: str, by: str) -> pd.DataFrame:
    """The reviews giving 5★ on ``dimension`` (empty when the dimension is not rated)."""
    if dimension not in data.dims:
        return reviews.iloc[:0]
    column = data.stars[:, data.dims.index(dimension)]
    five: pd.DataFrame = reviews.loc[column == 5]
    return five


def _rows(
    hits: pd.DataFrame, by: str, dimension: str, measure: str, value: Any, rule: str
) -> pd.DataFrame:
    """Contradiction rows of the reviews ``hits`` (one row each)."""
    ids = hits["review_id"] if "review_id" in hits.columns else pd.Series(hits.index)
    return pd.DataFrame(
        {
            "review_id": ids.to_numpy(),
            "creator": hits[by].to_numpy(),
            "dimension": dimension,
            "stars": 5,
            "measure": measure,
            "value": np.asarray(value, dtype=float),
            "rule": rule,
        }
    )


def _no_orders(reviews: pd.DataFrame, data: Stars, collabs: pd.DataFrame, by: str) -> pd.DataFrame:
    keys = [by, "campaign_id"]
    five = _five(reviews, data, "conversion", by)
    hit = five.merge(collabs[[*keys, "orders"]], on=keys, how="inner")
    hit = hit[hit["orders"].to_numpy(dtype=float) == 0]
    rule = "5★ conversion for a collaboration with zero orders"
    return _rows(hit, by, "conversion", "orders", hit["orders"], rule)


def _late(reviews: pd.DataFrame, data: Stars, collabs: pd.DataFrame, by: str) -> pd.DataFrame:
    keys = [by, "campaign_id"]
    five = _five(reviews, data, "timeliness", by)
    hit = five.merge(collabs[[*keys, "posted_at", "content_due_at"]], on=keys)
    due = aware_column(hit, "content_due_at", "collaborations") if len(hit) else None
    if due is None:
        return _rows(hit, by, "timeliness", "days_late", [], "")
    posted = aware_column(hit, "posted_at", "collaborations")
    late = (posted > due).fillna(False).to_numpy(dtype=bool)
    never = posted.isna().to_numpy(dtype=bool)
    if "created_at" in hit.columns:
        after = aware_column(hit, "created_at", "reviews") > due
        never = never & after.fillna(False).to_numpy(dtype=bool)
    days = ((posted - due).dt.total_seconds() / 86_400).to_numpy(dtype=float)
    keep = late | never
    rule = "5★ timeliness for content posted after its due date (NaN days: never posted)"
    return _rows(hit[keep], by, "timeliness", "days_late", days[keep], rule)


def _violated(
    reviews: pd.DataFrame, data: Stars, violations: pd.DataFrame, by: str
) -> pd.DataFrame:
    check_frame("violations", violations, allow_empty=True)
    check_columns("violations", violations, ["creator_id", "status", "occurred_at"])
    five = _five(reviews, data, "compliance", by).reset_index(drop=True)
    five = five.assign(_review=np.arange(len(five)))
    active = violations[violations["status"].astype("string").to_numpy() == "active"]
    when = aware_column(active, "occurred_at", "violations") if len(active) else None
    if when is None or not len(five):
        return _rows(five.iloc[:0], by, "compliance", "active_violations", [], "")
    stood = pd.DataFrame({by: active["creator_id"].to_numpy(), "_occurred": when.to_numpy()})
    hit = five.merge(stood, on=by)
    if "created_at" in hit.columns:
        before = hit["_occurred"] <= aware_column(hit, "created_at", "reviews")
        hit = hit[before.to_numpy(dtype=bool)]
    counts = np.bincount(hit["_review"].to_numpy(), minlength=len(five))
    first = five[counts > 0]
    rule = "5★ compliance while an active violation (on or before the review) stood"
    return _rows(first, by, "compliance", "active_violations", counts[counts > 0], rule)


def _contradictions(
    reviews: pd.DataFrame,
    data: Stars,
    collaborations: pd.DataFrame | None,
    violations: pd.DataFrame | None,
    by: str,
) -> pd.DataFrame:
    """Stars contradicted by measured data (see ``diagnose``), sorted by creator."""
    parts = []
    if collaborations is not None:
        check_columns("reviews", reviews, ["campaign_id"])
        if "orders" in collaborations.columns:
            parts.append(_no_orders(reviews, data, collaborations, by))
        if {"posted_at", "content_due_at"} <= set(collaborations.columns):
            parts.append(_late(reviews, data, collaborations, by))
    if violations is not None:
        parts.append(_violated(reviews, data, violations, by))
    if not parts:
        return pd.DataFrame(columns=_CONTRADICTION_COLUMNS).rename(columns={"creator": by})
    table = pd.concat(parts, ignore_index=True).rename(columns={"creator": by})
    return table.sort_values([by, "dimension", "review_id"], kind="stable").reset_index(drop=True)


def _tags(
    reviews: pd.DataFrame, data: Stars, praise_at: float, complain_at: float, top: int
) -> pd.DataFrame:
    """The most frequent reason tags of praising and complaining reviews."""
    if "tags" not in reviews.columns:
        return pd.DataFrame(columns=["kind", "tag", "reviews", "share"])
    overall = with_overall(data.stars)[:, -1]
    kind = np.where(
        overall >= praise_at, "praise", np.where(overall <= complain_at, "complaint", "")
    )
    frame = pd.DataFrame({"kind": kind, "tags": reviews["tags"].to_numpy()})
    frame = frame[frame["kind"] != ""]
    totals = frame["kind"].value_counts()
    exploded = frame.explode("tags").dropna(subset=["tags"])
    counts = exploded.groupby(["kind", "tags"]).size().rename("reviews").reset_index()
    counts = counts.rename(columns={"tags": "tag"})
    counts["share"] = divide(
        counts["reviews"].to_numpy(), totals.reindex(counts["kind"]).to_numpy()
    )
    counts = counts.sort_values(
        ["kind", "reviews", "tag"], ascending=[True, False, True], kind="stable"
    )
    return counts.groupby("kind", sort=True).head(top).reset_index(drop=True)


def diagnose(
    reviews: pd.DataFrame,
    *,
    collaborations: pd.DataFrame | None = None,
    violations: pd.DataFrame | None = None,
    campaigns: pd.DataFrame | None = None,
    by: str = "creator_id",
    dimensions: Any = None,
    level: float = 0.95,
    praise_at: float = 4.0,
    complain_at: float = 2.0,
    top_tags: int = 10,
) -> ReviewDiagnosis:
    """Where stars mislead: inflation, straight-lining, missing reviews, contradictions.

    Tables (shares carry Wilson intervals at ``level``):

    * ``reviewers``: per reviewer, the top-box share (5★ of all stars given) and the
      straight-lined reviews (two or more dimensions rated, all with the same stars);
    * ``over_time``: the top-box share per month of ``created_at`` (UTC);
    * ``completion``: with ``collaborations``, per brand (with ``campaigns``, which name
      each campaign's ``brand``; else per campaign) and per reviewer when the
      collaborations name one, the collaborations with and without a review (matched on
      ``by`` and ``campaign_id``);
    * ``contradictions``: 5★ conversion for a collaboration with zero orders, 5★
      timeliness for content posted after ``content_due_at`` (or never, when the review
      came after the due date), 5★ compliance while an ``active`` violation that occurred
      on or before the review stood — one row per review and dimension with the measure;
    * ``tags``: the ``top_tags`` most frequent reason tags of praising reviews (mean stars
      ≥ ``praise_at``) and complaining ones (≤ ``complain_at``), with their share of
      those reviews.

    Args:
        reviews: Reviews as for :func:`~creatorkit.reviews.aggregate` (plus ``created_at``,
            ``campaign_id``, ``tags`` where the tables need them).
        collaborations: Collaborations (``orders``, ``posted_at``, ``content_due_at``).
        violations: Violations (``creator_id``, ``occurred_at``, ``status``).
        campaigns: Campaigns (``campaign_id``, ``brand``) for completion per brand.
        by: Creator key column.
        dimensions: Star columns (default: every dimension present).
        level: Interval level.
        praise_at: Mean stars from which a review praises.
        complain_at: Mean stars up to which a review complains.
        top_tags: Tags listed per kind.

    Returns:
        :class:`ReviewDiagnosis`.

    Example:
        >>> import creatorkit as ck
        >>> world = ck.datasets.synthetic(0, n_creators=200, n_events=500, model="truth_model@1")
        >>> res = ck.reviews.diagnose(world.reviews, collaborations=world.collaborations)
        >>> res.reviewers[["reviewer_id", "straight_line_share"]].round(2).head(4)
          reviewer_id  straight_line_share
        0        r001                 0.29
        1        r002                 0.00
        2        r003                 0.08
        3        r004                 1.00
    """
    check_number("level", level, low=0, high=1, low_open=True, high_open=True)
    check_number("praise_at", praise_at, low=1, high=5)
    check_number("complain_at", complain_at, low=1, high=5)
    check_number("top_tags", top_tags, low=1, integer=True)
    data = read_stars(reviews, by=by, dimensions=dimensions)
    if collaborations is not None:
        check_frame("collaborations", collaborations, allow_empty=True)
    notes: list[Note] = list(data.creators.notes)
    card = MethodCard.create(
        "reviews.diagnose",
        by=by,
        dimensions=list(data.dims),
        level=level,
        praise_at=praise_at,
        complain_at=complain_at,
        top_tags=top_tags,
        top_box="5 stars",
        interval="Wilson",
    )
    return ReviewDiagnosis(
        reviewers=_inflation(data, float(level)),
        over_time=_over_time(reviews, data, float(level)),
        completion=_completion(reviews, collaborations, campaigns, by, float(level)),
        contradictions=_contradictions(reviews, data, collaborations, violations, by),
        tags=_tags(reviews, data, float(praise_at), float(complain_at), int(top_tags)),
        method=card,
        warnings=tuple(notes),
    )
