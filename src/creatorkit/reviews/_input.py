"""Reading a reviews table: the checked columns, group codes and stars as a matrix."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._grouping import Groups, group
from creatorkit._validation import (
    Problems,
    as_str_list,
    check_columns,
    check_frame,
    check_keys,
    check_numeric,
    did_you_mean,
)
from creatorkit.errors import ErrorCode
from creatorkit.models.records import STAR_DIMENSIONS

OVERALL = "overall"
"""The pseudo-dimension: the mean of the stars a review gives (not an integer)."""


@attrs.frozen(kw_only=True, eq=False)
class Stars:
    """Checked reviews: stars as an (reviews × dimensions) float matrix, NaN where unrated.

    Attributes:
        dims: Rated dimensions, in the order of the matrix columns.
        stars: The stars (NaN where a dimension is not rated).
        creators: Groups of the ``by`` key.
        reviewers: Groups of ``reviewer_id``.
        rehire: would-rehire as 1.0 / 0.0, NaN where not answered (None without the column).
        category: Each creator's prior group (``prior_by``), or None for one pooled prior.
    """

    dims: tuple[str, ...]
    stars: np.ndarray
    creators: Groups
    reviewers: Groups
    rehire: np.ndarray | None
    category: Groups | None = None
    creator_category: np.ndarray | None = None


def _dimensions(reviews: pd.DataFrame, dimensions: Any) -> list[str]:
    dims = as_str_list("dimensions", dimensions)
    if dimensions is not None and not dims:
        problems = Problems("dimensions")
        problems.add(None, "must name at least one dimension", ErrorCode.EMPTY)
        problems.raise_if_any()
    problems = Problems("dimensions")
    for name in dims:
        if name not in STAR_DIMENSIONS:
            hint = did_you_mean(name, STAR_DIMENSIONS)
            rule = f"unknown dimension; one of {list(STAR_DIMENSIONS)}.{hint}"
            problems.add(None, rule, ErrorCode.UNKNOWN_NAME, values=[name])
    problems.raise_if_any()
    found = dims or [d for d in STAR_DIMENSIONS if d in reviews.columns]
    if not found:
        problems = Problems("reviews")
        rule = f"has no star column; name one of {list(STAR_DIMENSIONS)}"
        problems.add(None, rule, ErrorCode.MISSING_COLUMN)
        problems.raise_if_any()
    return found


def _category(
    frame: pd.DataFrame, by: str, prior_by: Any, creators: Groups
) -> tuple[Groups, np.ndarray]:
    """The prior group of each creator; refused unless constant per creator."""
    if not isinstance(prior_by, str) or prior_by not in frame.columns:
        hint = did_you_mean(str(prior_by), [str(c) for c in frame.columns])
        problems = Problems("prior_by")
        problems.add(
            None,
            f"must name a column of reviews.{hint}",
            ErrorCode.MISSING_COLUMN,
            values=[prior_by],
        )
        problems.raise_if_any()
    groups = group(frame, [prior_by])
    if group(frame, [by, prior_by]).n != creators.n:
        problems = Problems("prior_by")
        problems.add(
            prior_by, "must be the same for every review of a creator", ErrorCode.INCONSISTENT
        )
        problems.raise_if_any()
    of_creator = np.zeros(creators.n, dtype=np.intp)
    of_creator[creators.codes] = groups.codes
    return groups, of_creator


def read_stars(
    reviews: Any,
    *,
    by: Any,
    dimensions: Any,
    prior_by: Any = None,
    argument: str = "reviews",
    allow_empty: bool = False,
) -> Stars:
    """Check ``reviews`` and return its stars, creators and reviewers (see :class:`Stars`).

    Stars must be whole numbers 1–5 (missing: not rated); every review needs its ``by``
    key and a ``reviewer_id``. ``allow_empty`` checks a schema (a Dask frame's ``_meta``).
    """
    frame = check_frame(argument, reviews, allow_empty=allow_empty)
    if not isinstance(by, str):
        problems = Problems("by")
        problems.add(None, "must be a column name", ErrorCode.WRONG_TYPE, values=[by])
        problems.raise_if_any()
    dims = _dimensions(frame, dimensions)
    check_columns(argument, frame, [by, "reviewer_id", *dims])
    check_keys(argument, frame, [by, "reviewer_id"])
    problems = Problems(argument)
    for key in dict.fromkeys([by, "reviewer_id"]):
        missing = frame[key].isna().to_numpy(dtype=bool)
        problems.add_mask(
            key, missing, frame.index, frame[key], "must not be missing", ErrorCode.MISSING_VALUE
        )
    if "review_id" in frame.columns:  # a review counted twice would weigh twice
        from creatorkit.frames import duplicated_keys

        ids = frame["review_id"]
        repeated = duplicated_keys(ids) & ids.notna().to_numpy(dtype=bool)
        rule = "must be unique (one row per review)"
        problems.add_mask("review_id", repeated, frame.index, ids, rule, ErrorCode.DUPLICATE_KEY)
    columns = [
        check_numeric(problems, d, frame[d], low=1, high=5, integer=True, missing_ok=True)
        for d in dims
    ]
    rehire = None
    if "would_rehire" in frame.columns:
        rehire = check_numeric(
            problems,
            "would_rehire",
            frame["would_rehire"],
            low=0,
            high=1,
            integer=True,
            missing_ok=True,
            booleans=True,
        )
    problems.raise_if_any()
    stars = np.column_stack(columns)
    creators = group(frame, [by])
    category, of_creator = (None, None)
    if prior_by is not None:
        category, of_creator = _category(frame, by, prior_by, creators)
    return Stars(
        dims=tuple(dims),
        stars=stars,
        creators=creators,
        reviewers=group(frame, ["reviewer_id"]),
        rehire=rehire,
        category=category,
        creator_category=of_creator,
    )


def with_overall(stars: np.ndarray) -> np.ndarray:
    """Append the per-review mean of the rated stars as the last column (NaN if none)."""
    rated = np.isfinite(stars)
    total = np.where(rated, stars, 0.0).sum(axis=1)
    count = rated.sum(axis=1)
    out = np.full(len(stars), np.nan)
    np.divide(total, count, out=out, where=count > 0)
    return np.column_stack([stars, out])


def flat_codes(codes: np.ndarray, width: int) -> np.ndarray:
    """Codes of each cell of a (rows × width) matrix: ``code · width + column``."""
    return (codes[:, None] * width + np.arange(width)).ravel()


def sums(
    codes: np.ndarray, values: np.ndarray, size: int, *, flat: np.ndarray | None = None
) -> np.ndarray:
    """Per-group column sums of a (rows × columns) matrix: one bincount for all columns.

    ``flat`` (from :func:`flat_codes`) saves building the cell codes on repeated calls.
    """
    width = values.shape[1]
    cells = flat_codes(codes, width) if flat is None else flat
    return np.bincount(cells, weights=values.ravel(), minlength=size * width).reshape(size, width)


def frame_of(keys: pd.DataFrame, columns: dict[str, Any]) -> pd.DataFrame:
    """The key table with the given columns appended (keys first)."""
    out = keys.reset_index(drop=True).copy()
    for name, values in columns.items():
        out[name] = values
    return out
