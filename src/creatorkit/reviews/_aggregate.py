"""``reviews.aggregate``: ratings per creator and dimension, corrected for reviewer leniency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import divide
from creatorkit._validation import Problems, check_number
from creatorkit.errors import ErrorCode
from creatorkit.metrics._intervals import _z, wilson
from creatorkit.results import Copied, MethodCard, Note, Result
from creatorkit.reviews._estimators import Prior, dirichlet_stars, empirical_prior, shrink
from creatorkit.reviews._input import (
    OVERALL,
    Stars,
    flat_codes,
    frame_of,
    read_stars,
    sums,
    with_overall,
)
from creatorkit.reviews._leniency import Effects, solve


@attrs.frozen(kw_only=True, eq=False)
class ReviewAggregate(Result):
    """Ratings of ``reviews.aggregate``.

    Attributes:
        creators: One row per creator: the ``overall`` ratings and would-rehire (Wilson).
        ratings: One row per creator and dimension (``overall`` included).
        reviewers: One row per reviewer: reviews, leniency with its interval, flags.
        priors: One row per dimension: the empirical prior (C, σ², τ², m) and the ridge.

    Example:
        >>> df = pd.DataFrame({"creator_id": ["a", "a", "b", "b", "c", "c"],
        ...                    "reviewer_id": ["x", "y", "x", "y", "x", "y"],
        ...                    "conversion": [5, 4, 4, 3, 3, 2]})
        >>> res = aggregate(df)
        >>> res.creators[["creator_id", "reviews", "mean", "bayes"]].round(2)
          creator_id  reviews  mean  bayes
        0          a        2   4.5   4.25
        1          b        2   3.5   3.50
        2          c        2   2.5   2.75
        >>> res.reviewers[["reviewer_id", "leniency"]].round(2)
          reviewer_id  leniency
        0           x      0.41
        1           y     -0.41
    """

    _frame_field = "creators"
    _creators: pd.DataFrame
    creators = Copied[pd.DataFrame]()
    _ratings: pd.DataFrame
    ratings = Copied[pd.DataFrame]()
    _reviewers: pd.DataFrame
    reviewers = Copied[pd.DataFrame]()
    _priors: pd.DataFrame
    priors = Copied[pd.DataFrame]()


def _imdb(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    if not isinstance(value, tuple | list) or len(value) != 2:
        problems = Problems("imdb")
        problems.add(None, "must be a pair (C, m)", ErrorCode.WRONG_TYPE, values=[value])
        problems.raise_if_any()
    c = check_number("imdb", value[0], low=1, high=5)
    m = check_number("imdb", value[1], low=0)
    return c, m


def _check(level: Any, ridge: Any, strength: Any, tol: Any, max_iter: Any, margin: Any) -> None:
    check_number("level", level, low=0, high=1, low_open=True, high_open=True)
    if ridge is not None:
        check_number("ridge", ridge, low=0, low_open=True)
    if strength is not None:
        check_number("prior_strength", strength, low=0, low_open=True)
    check_number("tol", tol, low=0, high=1, low_open=True, high_open=True)
    check_number("max_iter", max_iter, low=1, integer=True)
    check_number("lenient_at", margin, low=0)


def _stars_range(center: np.ndarray, half: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A normal interval kept on the 1–5 star scale (NaN stays NaN)."""
    return np.clip(center - half, 1.0, 5.0), np.clip(center + half, 1.0, 5.0)


def _rank(values: np.ndarray) -> np.ndarray:
    """Rank 1 = best in each column; ties by creator (the key order), missing values last.

    Values are compared rounded to 1e-10 stars, so a tie stays a tie whatever the order in
    which the stars were summed (rows, or partitions on Dask).
    """
    key = np.where(np.isnan(values), np.inf, -np.round(values, 10))
    order = np.argsort(key, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, len(values) + 1)[:, None], axis=0)
    return ranks.astype(float)


@attrs.frozen(kw_only=True, eq=False)
class Totals:
    """The sums every statistic of ``aggregate`` reads (rows or merged pair sums).

    Attributes:
        moments: Per creator × dimension (``overall`` last): stars given, Σ, Σ².
        levels: Per creator × star dimension × level 1…5: reviews giving that star.
        reviewer: Per reviewer: overall stars given, Σ, Σ², five-star ratings, ratings.
        rehire: Per creator: would-rehire yes and answered (None without the column).
    """

    moments: tuple[np.ndarray, np.ndarray, np.ndarray]
    levels: np.ndarray
    reviewer: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    rehire: tuple[np.ndarray, np.ndarray] | None


def _ratings(
    data: Stars,
    totals: Totals,
    priors: list[Prior],
    fx: Effects,
    lam: np.ndarray,
    z: float,
    *,
    imdb: tuple[float, float] | None,
    strength: float | None,
) -> tuple[pd.DataFrame, list[Note]]:
    """The long table: one row per creator and dimension (see ``aggregate``)."""
    k = data.creators.n
    n, total = totals.moments[0], totals.moments[1]
    c = np.array([p.mean for p in priors])
    m = np.array([p.weight for p in priors])
    within = np.array([p.within for p in priors])
    cols: dict[str, np.ndarray] = {"n": n, "mean": divide(total, n)}
    cols["bayes"] = shrink(total, n, c, m)
    bayes_se = np.sqrt(divide(within + 0 * n, n + np.where(np.isfinite(m), m, np.inf)))
    cols["bayes_low"], cols["bayes_high"] = _stars_range(cols["bayes"], z * bayes_se)
    if imdb is not None:
        cols["imdb"] = shrink(total, n, imdb[0], imdb[1])
    dmean, dlow, notes = _dirichlet(data, totals.levels, m, strength, z)
    cols["dirichlet"], cols["dirichlet_low"] = dmean, np.clip(dlow, 1.0, 5.0)
    corrected = fx.mu + fx.creator
    se = np.sqrt(divide(fx.sigma2 + 0 * n, n + lam))
    cols["corrected"] = np.where(n > 0, corrected, np.nan)
    cols["corrected_low"], cols["corrected_high"] = _stars_range(cols["corrected"], z * se)
    cols["rank_raw"] = _rank(cols["mean"])
    cols["rank_corrected"] = _rank(cols["corrected"])
    cols["rank_shift"] = cols["rank_raw"] - cols["rank_corrected"]
    dims = [*data.dims, OVERALL]
    keys = data.creators.keys.loc[np.repeat(np.arange(k), len(dims))].reset_index(drop=True)
    table = frame_of(keys, {"dimension": pd.Series(np.tile(dims, k), dtype="string")})
    for name, array in cols.items():
        table[name] = array.ravel() if name != "n" else array.ravel().astype(np.int64)
    return table, notes


def _shares(data: Stars, counts: np.ndarray) -> np.ndarray:
    """Star shares of each dimension: pooled (d × 5) or per creator's prior group (k × d × 5)."""
    if data.category is None or data.creator_category is None:
        return divide(counts.sum(axis=0), counts.sum(axis=(0, 2))[:, None])
    k, d, _ = counts.shape
    size = data.category.n
    per = sums(data.creator_category, counts.reshape(k, d * 5), size).reshape(size, d, 5)
    shares = divide(per, per.sum(axis=2, keepdims=True))
    return np.asarray(shares[data.creator_category])


def _levels(data: Stars, stars: np.ndarray) -> np.ndarray:
    """Reviews per creator, star dimension and star level (k × d × 5)."""
    k, d = data.creators.n, len(data.dims)
    rated = np.isfinite(stars[:, :d])
    level = np.where(rated, stars[:, :d], 1.0).astype(np.intp) - 1
    cell = (data.creators.codes[:, None] * d + np.arange(d)) * 5 + level
    return np.bincount(cell[rated], minlength=k * d * 5).astype(float).reshape(k, d, 5)


def _dirichlet(
    data: Stars,
    counts: np.ndarray,
    m: np.ndarray,
    strength: float | None,
    z: float,
) -> tuple[np.ndarray, np.ndarray, list[Note]]:
    """Dirichlet posterior mean and lower bound per creator and star dimension (not overall)."""
    k, d = data.creators.n, len(data.dims)
    shares = _shares(data, counts)
    weight = np.full(d, float(strength)) if strength is not None else m[:d].copy()
    notes = []
    bad = ~np.isfinite(weight)
    if bad.any():
        weight[bad] = 5.0
        notes.append(
            Note.counted(
                "prior_strength_fallback",
                "{count} dimensions have no estimable prior weight; their Dirichlet prior has "
                "total weight 5 (one review per star level)",
                count=int(bad.sum()),
            )
        )
    mean, low = dirichlet_stars(counts, np.nan_to_num(shares * weight[:, None]), z)
    empty = counts.sum(axis=2) == 0
    mean, low = np.where(empty, np.nan, mean), np.where(empty, np.nan, low)
    nan = np.full((k, 1), np.nan)
    return np.hstack([mean, nan]), np.hstack([low, nan]), notes


def _reviewer_sums(
    data: Stars, stars: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per reviewer: overall stars given, Σ, Σ², five-star ratings and ratings given."""
    rev, k = data.reviewers.codes, data.reviewers.n
    overall = stars[:, -1:]
    rated = np.isfinite(overall)
    n = sums(rev, rated.astype(float), k)[:, 0]
    total = sums(rev, np.where(rated, overall, 0.0), k)[:, 0]
    square = sums(rev, np.where(rated, overall, 0.0) ** 2, k)[:, 0]
    star_rated = np.isfinite(stars[:, :-1])
    top = sums(rev, (stars[:, :-1] == 5).astype(float), k).sum(axis=1)
    given = sums(rev, star_rated.astype(float), k).sum(axis=1)
    return n, total, square, top, given


def _reviewers(
    data: Stars, totals: Totals, fx: Effects, lam: np.ndarray, z: float, margin: float
) -> pd.DataFrame:
    """One row per reviewer: reviews, mean stars, overall leniency with its interval, flags."""
    k = data.reviewers.n
    n, total, square, top, given = totals.reviewer
    spread = np.maximum(square - divide(total * total, n), 0.0)
    leniency = fx.reviewer[:, -1]
    se = np.sqrt(divide(np.full(k, fx.sigma2[-1]), n + lam[-1]))
    low, high = leniency - z * se, leniency + z * se
    one = n == 1
    flat = (n > 1) & (spread <= 1e-12 * np.maximum(n, 1.0))
    lenient = (leniency >= margin) & (low > 0)
    harsh = (leniency <= -margin) & (high < 0)
    flag = np.where(lenient, "lenient", np.where(harsh, "harsh", ""))
    flag = np.where(one, "one_review", np.where(flat, "no_variance", flag))
    return frame_of(
        data.reviewers.keys,
        {
            "reviews": n.astype(np.int64),
            "mean": divide(total, n),
            "top_box_share": divide(top, given),
            "leniency": leniency,
            "leniency_low": low,
            "leniency_high": high,
            "flag": pd.Series(flag, dtype="string"),
        },
    )


def _rehire(data: Stars) -> tuple[np.ndarray, np.ndarray] | None:
    """Per creator: would-rehire yes and answered (None without the column)."""
    if data.rehire is None:
        return None
    k = data.creators.n
    answered = np.isfinite(data.rehire)
    yes = np.bincount(data.creators.codes, np.where(answered, data.rehire, 0.0), k)
    return yes, np.bincount(data.creators.codes, answered.astype(float), k)


def _creators(ratings: pd.DataFrame, totals: Totals, level: float) -> pd.DataFrame:
    """One row per creator: the overall ratings plus would-rehire with its Wilson interval."""
    overall = ratings[ratings["dimension"] == OVERALL].drop(columns="dimension")
    table = overall.reset_index(drop=True).rename(columns={"n": "reviews"})
    if totals.rehire is None:
        return table
    yes, asked = totals.rehire
    low, high = wilson(yes, asked, level)
    answered_any = asked > 0
    table["would_rehire_n"] = asked.astype(np.int64)
    table["would_rehire"] = divide(yes, asked)
    table["would_rehire_low"] = np.where(answered_any, low, np.nan)
    table["would_rehire_high"] = np.where(answered_any, high, np.nan)
    return table


def aggregate(
    reviews: pd.DataFrame,
    *,
    by: str = "creator_id",
    dimensions: Any = None,
    level: float = 0.95,
    imdb: tuple[float, float] | None = None,
    prior_strength: float | None = None,
    prior_by: str | None = None,
    ridge: float | None = None,
    lenient_at: float = 0.5,
    tol: float = 1e-10,
    max_iter: int = 1_000,
) -> ReviewAggregate:
    """Ratings per creator and dimension, honest about sample size and reviewer leniency.

    Per dimension (and for ``overall``, the mean of the stars of each review):

    * ``mean``: the raw mean of ``n`` stars;
    * ``bayes`` (``_low``, ``_high``): (Σ stars + m·C) / (n + m) with the empirical prior
      of the dimension — C the mean of all stars, m = σ² / τ² (within-creator variance
      over between-creator variance, method of moments; see ``priors``) — and a normal
      interval of standard error σ / √(n + m) (every interval is kept within 1–5 stars);
    * ``imdb``: the same form with a given ``imdb=(C, m)``;
    * ``dirichlet`` / ``dirichlet_low``: posterior mean star and lower bound under a
      Dirichlet prior of the dimension's star shares — over all reviews, or within the
      creator's category (``prior_by``, a column constant per creator) — times
      ``prior_strength`` (default m);
      mean − z·√((Σk²p̄ₖ − mean²)/(A + 1)) with A the posterior total;
    * ``corrected`` (``_low``, ``_high``): μ + creator effect of the additive model
      star = μ + creator + reviewer + ε (μ the mean of all stars, ridge λ = ``ridge`` or
      m on both effects), solved by preconditioned conjugate gradients to relative
      residual ``tol``; standard error σ_ε / √(n + λ) (reviewer effects taken as known);
    * ``rank_raw``, ``rank_corrected``, ``rank_shift`` (positive: moved up by the correction).

    ``creators`` adds would-rehire with its Wilson interval; ``reviewers`` gives each
    reviewer's leniency (the reviewer effect of ``overall``) with its interval and a flag:
    ``lenient`` / ``harsh`` when the leniency is at least ``lenient_at`` stars from 0 and
    its interval excludes 0,
    ``one_review``, ``no_variance`` (every review the same overall stars).

    Args:
        reviews: One row per review: ``by``, ``reviewer_id``, star columns (whole 1–5,
            missing = not rated), optionally ``would_rehire``.
        by: Creator key column.
        dimensions: Star columns (default: every dimension of :class:`~creatorkit.Review`
            present).
        level: Interval level.
        imdb: ``(C, m)`` for the IMDb-style average, or None.
        prior_strength: Total Dirichlet prior weight (default: m of the dimension).
        prior_by: Column of ``reviews`` (constant per creator, such as its category)
            whose star shares form each creator's Dirichlet prior (default: all reviews).
        ridge: λ of the leniency model (default: m of the dimension).
        lenient_at: Stars of leniency (either sign) from which a reviewer is flagged.
        tol: Relative residual of the conjugate-gradient solve.
        max_iter: Iteration limit of the solve (a note when reached).

    Returns:
        :class:`ReviewAggregate`.

    Raises:
        ValidationError: Missing columns or ids, stars outside 1–5 or not whole, unknown
            dimensions, bad parameters.

    Example:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"creator_id": ["a", "a", "b", "b", "c", "c"],
        ...                    "reviewer_id": ["x", "y", "x", "y", "x", "y"],
        ...                    "conversion": [5, 4, 4, 3, 3, 2]})
        >>> res = aggregate(df, imdb=(4.2, 5), ridge=1.0)
        >>> res.creators[["creator_id", "mean", "imdb", "corrected"]].round(3)
          creator_id  mean   imdb  corrected
        0          a   4.5  4.286      4.167
        1          b   3.5  4.000      3.500
        2          c   2.5  3.714      2.833
    """
    from creatorkit.adapters import is_dask

    _check(level, ridge, prior_strength, tol, max_iter, lenient_at)
    _imdb(imdb)
    options = {
        "by": by,
        "level": level,
        "imdb": imdb,
        "prior_strength": prior_strength,
        "ridge": ridge,
        "lenient_at": lenient_at,
        "tol": tol,
        "max_iter": max_iter,
    }
    if is_dask(reviews):
        from creatorkit.reviews._dask import aggregate as on_dask

        return on_dask(reviews, dimensions=dimensions, prior_by=prior_by, options=options)
    data = read_stars(reviews, by=by, dimensions=dimensions, prior_by=prior_by)
    stars = with_overall(data.stars)
    totals = Totals(
        moments=_moments(data, stars),
        levels=_levels(data, stars),
        reviewer=_reviewer_sums(data, stars),
        rehire=_rehire(data),
    )

    def leniency(lam: np.ndarray) -> Effects:
        codes = (data.creators.codes, data.reviewers.codes)
        shape = (data.creators.n, data.reviewers.n)
        return solve(stars, *codes, shape, lam, tol=float(tol), max_iter=int(max_iter))

    return finish(data, totals, leniency, options, runtime={})


def finish(
    data: Stars,
    totals: Totals,
    leniency: Callable[[np.ndarray], Effects],
    options: dict[str, Any],
    *,
    runtime: dict[str, Any],
) -> ReviewAggregate:
    """The statistics of ``aggregate`` from its sums (the pandas and the Dask path).

    ``data`` holds the groups (its codes index the rows the sums came from: reviews, or
    creator × reviewer pairs) and ``leniency`` solves the effects for a ridge per dimension.
    """
    level, ridge, tol = options["level"], options["ridge"], options["tol"]
    max_iter, prior_strength = options["max_iter"], options["prior_strength"]
    spec = _imdb(options["imdb"])
    z = _z(float(level))
    priors = _priors(totals.moments)
    m = np.array([p.weight for p in priors])
    lam = np.full(len(priors), float(ridge)) if ridge is not None else m
    lam = np.where(np.isfinite(lam) & (lam > 0), lam, 1.0)
    fx = leniency(lam)
    strength = None if prior_strength is None else float(prior_strength)
    ratings, notes = _ratings(data, totals, priors, fx, lam, z, imdb=spec, strength=strength)
    ratings = _blank_unrated(ratings)
    notes += _solve_notes(fx, int(max_iter), priors, data)
    card = MethodCard.create(
        "reviews.aggregate",
        runtime={"iterations": fx.iterations, **runtime},
        by=options["by"],
        dimensions=list(data.dims),
        level=level,
        imdb=spec,
        prior_strength=prior_strength,
        ridge=ridge,
        lenient_at=options["lenient_at"],
        tol=tol,
        max_iter=max_iter,
        solver="preconditioned conjugate gradients (Jacobi)",
        interval="normal, within 1-5 stars (bayes, corrected); Wilson (would_rehire)",
    )
    return ReviewAggregate(
        creators=_creators(ratings, totals, float(level)),
        ratings=ratings,
        reviewers=_reviewers(data, totals, fx, lam, z, float(options["lenient_at"])),
        priors=_prior_table(data, priors, lam),
        method=card,
        warnings=(*data.creators.notes, *notes),
    )


def _moments(data: Stars, stars: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per creator and dimension: stars given, their sum and their sum of squares."""
    cre, k = data.creators.codes, data.creators.n
    rated = np.isfinite(stars)
    values = np.where(rated, stars, 0.0)
    flat = flat_codes(cre, stars.shape[1])
    return (
        sums(cre, rated.astype(float), k, flat=flat),
        sums(cre, values, k, flat=flat),
        sums(cre, values * values, k, flat=flat),
    )


def _priors(moments: tuple[np.ndarray, np.ndarray, np.ndarray]) -> list[Prior]:
    n, total, square = moments
    return [empirical_prior(total[:, j], square[:, j], n[:, j]) for j in range(n.shape[1])]


def _prior_table(data: Stars, priors: list[Prior], lam: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dimension": pd.Series([*data.dims, OVERALL], dtype="string"),
            "prior_mean": [p.mean for p in priors],
            "within_variance": [p.within for p in priors],
            "between_variance": [p.between for p in priors],
            "prior_weight": [p.weight for p in priors],
            "ridge": lam,
        }
    )


def _blank_unrated(ratings: pd.DataFrame) -> pd.DataFrame:
    """Estimates of a creator in a dimension it was never rated in are NaN, not the prior."""
    unrated = ratings["n"].to_numpy() == 0
    if unrated.any():
        cols = [c for c in ratings.columns if c.startswith(("bayes", "imdb", "corrected"))]
        ratings.loc[unrated, cols] = np.nan
    return ratings


def _solve_notes(fx: Effects, max_iter: int, priors: list[Prior], data: Stars) -> list[Note]:
    notes = []
    if not fx.converged:
        notes.append(
            Note(
                code="not_converged",
                message=f"the leniency solve stopped at max_iter={max_iter} before reaching tol",
            )
        )
    if bool(np.isnan(fx.sigma2).any()):
        notes.append(
            Note.counted(
                "no_residual_df",
                "{count} dimensions have no more stars than creator and reviewer effects; "
                "their corrected ratings have no interval (NaN)",
                count=int(np.isnan(fx.sigma2).sum()),
            )
        )
    flat = [d for d, p in zip([*data.dims, OVERALL], priors, strict=True) if p.weight == np.inf]
    if flat:
        notes.append(
            Note.counted(
                "no_between_variance",
                "{count} dimensions show no variation between creators beyond noise; "
                "their Bayesian averages equal the prior mean",
                count=len(flat),
            )
        )
    return notes
