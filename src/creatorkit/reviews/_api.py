"""The rating estimators on their own: the IMDb-style average and the Dirichlet bound."""

from __future__ import annotations

from typing import Any

import numpy as np

from creatorkit._validation import check_array, check_number, fail
from creatorkit.errors import ErrorCode
from creatorkit.metrics._intervals import _z
from creatorkit.reviews._estimators import dirichlet_stars, shrink


def bayesian_average(mean: Any, n: Any, *, C: float, m: float) -> np.ndarray:  # noqa: N803
    """IMDb-style Bayesian average (n·mean + m·C) / (n + m).

    Args:
        mean: Mean stars per item (1–5).
        n: Ratings per item (≥ 0; an item without ratings gets C).
        C: Prior mean (1–5).
        m: Prior weight in ratings (≥ 0).

    Returns:
        The averages.

    Example:
        >>> bayesian_average([5.0, 5.0, 4.8], [1, 3, 20], C=4.2, m=5).round(3).tolist()
        [4.333, 4.5, 4.68]
    """
    means = check_array("mean", mean, low=1, high=5)
    counts = check_array("n", n, low=0)
    if means.shape != counts.shape and means.size != 1 and counts.size != 1:
        fail("n", "must have the length of mean", ErrorCode.INVALID_VALUE, value=counts.size)
    c = check_number("C", C, low=1, high=5)
    weight = check_number("m", m, low=0)
    if weight == 0 and bool((counts == 0).any()):
        fail("n", "must be positive where m is 0", ErrorCode.OUT_OF_RANGE, value=0)
    return np.asarray(shrink(means * counts, counts, c, weight))


def dirichlet(counts: Any, *, prior: Any = 1.0, level: float = 0.95) -> tuple[np.ndarray, ...]:
    """Posterior mean star and lower bound of star counts under a Dirichlet prior.

    With α = prior + counts over the five star levels, A = Σα and p̄ = α / A:
    mean = Σ k·p̄ₖ and low = mean − z·√((Σ k²·p̄ₖ − mean²) / (A + 1)), z the normal
    quantile of the two-sided ``level`` (Evan Miller's bound; prior 1 is his uniform one).

    Args:
        counts: Reviews with 1…5 stars: five counts, or rows of five.
        prior: Pseudo-counts: one number for every level or five (a category's star
            shares times a strength).
        level: Two-sided level of the bound.

    Returns:
        ``(mean, low)`` arrays (one value per row).

    Example:
        >>> mean, low = dirichlet([0, 0, 0, 0, 3])
        >>> round(float(mean[0]), 4), round(float(low[0]), 4)
        (3.75, 2.7837)
    """
    try:
        table = np.asarray(counts, dtype=float)
    except (TypeError, ValueError):
        fail("counts", "must be counts of 1…5 stars", ErrorCode.WRONG_TYPE, value=counts)
    if table.ndim not in (1, 2) or table.shape[-1] != 5:
        fail("counts", "must have five counts (1…5 stars) per row", ErrorCode.INVALID_VALUE)
    check_array("counts", table.ravel(), low=0)
    if table.ndim == 1:
        table = table[None, :]
    alpha = check_array("prior", prior, low=0)
    if alpha.size not in (1, 5):
        fail("prior", "must be one number or five", ErrorCode.INVALID_VALUE, value=alpha.size)
    z = _z(check_number("level", level, low=0, high=1, low_open=True, high_open=True))
    if bool(((table.sum(axis=1) + alpha.sum() * (5 if alpha.size == 1 else 1)) <= 0).any()):
        fail("prior", "must be positive where a row has no counts", ErrorCode.OUT_OF_RANGE)
    return dirichlet_stars(table, np.broadcast_to(alpha, (5,)), z)
