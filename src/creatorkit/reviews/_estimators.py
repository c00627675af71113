"""Closed-form rating estimators: Bayesian averages, empirical priors, Dirichlet stars."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from creatorkit._arith import divide


@attrs.frozen(kw_only=True)
class Prior:
    """An empirical normal prior of one dimension (method of moments).

    Attributes:
        mean: C, the mean of all stars.
        within: σ², the pooled within-creator variance of stars.
        between: τ², the variance of true creator means (0 when the data show none).
        weight: m = σ² / τ² (infinite when τ² is 0, NaN when σ² is unknown).
    """

    mean: float
    within: float
    between: float
    weight: float


def shrink(total: Any, n: Any, prior_mean: Any, weight: Any) -> np.ndarray:
    """(Σ stars + m·C) / (n + m), C where m is infinite; NaN where n + m is 0."""
    total, n = np.asarray(total, float), np.asarray(n, float)
    c, m = np.asarray(prior_mean, float), np.asarray(weight, float)
    finite = np.isfinite(m)
    mixed = divide(total + np.where(finite, m, 0.0) * c, n + np.where(finite, m, 0.0))
    return np.where(finite, mixed, c + 0.0 * n)


def empirical_prior(total: np.ndarray, square: np.ndarray, n: np.ndarray) -> Prior:
    """Method-of-moments prior from per-creator sums, sums of squares and counts.

    σ² = Σ(Σx² − (Σx)²/n) / (N − K) over the K creators with reviews;
    τ² = max(0, var(creator means) − mean(σ²/n)); m = σ²/τ².
    """
    rated = n > 0
    k = int(rated.sum())
    big_n = float(n.sum())
    mean = float(divide(total.sum(), big_n))
    ss = float(np.where(rated, square - divide(total * total, n), 0.0).sum())
    within = float(divide(ss, big_n - k)) if big_n > k else float("nan")
    means = divide(total, n)[rated]
    if k < 2 or not np.isfinite(within):
        return Prior(mean=mean, within=within, between=float("nan"), weight=float("nan"))
    spread = float(means.var(ddof=1)) - float(np.mean(within / n[rated]))
    between = max(spread, 0.0)
    weight = float(divide(within, between)) if between > 0 else float("inf")
    return Prior(mean=mean, within=within, between=between, weight=weight)


def dirichlet_stars(
    counts: np.ndarray, prior: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean star and its lower bound under Dirichlet(prior + counts).

    ``counts`` and ``prior`` have the five star levels on their last axis. With
    α = prior + counts, A = Σα, p̄ = α / A: mean = Σ k p̄_k and
    low = mean − z·√((Σ k² p̄_k − mean²) / (A + 1)).
    """
    alpha = counts + prior
    total = alpha.sum(axis=-1)
    stars = np.arange(1.0, 6.0)
    share = divide(alpha, total[..., None])
    mean = (share * stars).sum(axis=-1)
    second = (share * stars**2).sum(axis=-1)
    var = divide(np.maximum(second - mean**2, 0.0), total + 1.0)
    return mean, mean - z * np.sqrt(var)
