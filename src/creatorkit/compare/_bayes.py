"""Bayesian comparison of proportions with Beta priors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from creatorkit._arith import divide as _div
from creatorkit._validation import check_number, fail
from creatorkit.compare._core import (
    ComparisonResult,
    Numbers,
    arm_labels,
    as_counts,
    build,
    control_index,
    pairs,
)
from creatorkit.errors import ErrorCode
from creatorkit.results import Note

_MAX_TERMS = 20_000_000
_NODES = 400


def _log_beta(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    from scipy.special import gammaln

    return np.asarray(gammaln(a) + gammaln(b) - gammaln(a + b), dtype=float)


def _beat_exact(a1: np.ndarray, b1: np.ndarray, a0: np.ndarray, b0: np.ndarray) -> np.ndarray:
    """P(X₁ > X₀) for X ~ Beta, exact when ``a1`` is a whole number (a finite sum).

    P(X₁ > X₀) = Σ_{i=0}^{a1−1} B(a0 + i, b0 + b1) / ((b1 + i)·B(1 + i, b1)·B(a0, b0)),
    summed in log space, all pairs at once (terms are laid out with ``np.repeat``).
    """
    terms = a1.astype(np.int64)
    owner = np.repeat(np.arange(len(a1)), terms)
    i = np.arange(len(owner)) - np.repeat(np.cumsum(terms) - terms, terms)
    beta1, alpha0, beta0 = b1[owner], a0[owner], b0[owner]
    log_term = (
        _log_beta(alpha0 + i, beta0 + beta1)
        - np.log(beta1 + i)
        - _log_beta(1.0 + i, beta1)
        - _log_beta(alpha0, beta0)
    )
    return np.bincount(owner, weights=np.exp(log_term), minlength=len(a1))


def _grid(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Points in [0, 1] dense where any of the Beta(a, b) distributions has mass."""
    from scipy.special import betaincinv

    u = (np.arange(_NODES) + 0.5) / _NODES
    u = np.concatenate([u, [1e-12, 1e-9, 1e-6, 1 - 1e-6, 1 - 1e-9, 1 - 1e-12]])
    points = betaincinv(a[:, None], b[:, None], u[None, :]).ravel()
    return np.unique(np.concatenate([[0.0, 1.0], points]))


def _best(a: np.ndarray, b: np.ndarray, self_shift: float = 0.0) -> np.ndarray:
    """P(arm i has the largest rate) for every arm (Stieltjes quadrature on a shared grid).

    ``P(i best) = ∫ Π_{j≠i} F_j(p) dF_i(p)``: the increments of ``F_i`` between grid points
    are exact (regularized incomplete beta) and the product is averaged at both ends.
    ``self_shift`` adds to arm i's ``a`` (used for expected-loss moments).
    """
    from scipy.special import betainc

    grid = _grid(np.concatenate([a, a + self_shift]), np.concatenate([b, b]))
    cdf = betainc(a[:, None], b[:, None], grid[None, :])
    log_cdf = np.log(np.maximum(cdf, 1e-300))
    total = log_cdf.sum(axis=0)
    out = np.empty(len(a))
    for i in range(len(a)):  # one row of the k × grid matrix per arm (k is small)
        others = np.exp(total - log_cdf[i])
        own = betainc(a[i] + self_shift, b[i], grid)
        out[i] = float(np.sum(0.5 * (others[1:] + others[:-1]) * np.diff(own)))
    return out


def bayes_proportions(
    successes: Numbers,
    trials: Numbers,
    *,
    labels: Iterable[Any] | None = None,
    control: int | str = 0,
    prior: tuple[float, float] = (1.0, 1.0),
    threshold: float = 0.95,
    level: float = 0.95,
    metric: str = "conversion",
    randomized: bool = True,
) -> ComparisonResult:
    """Bayesian comparison of conversion rates with a Beta prior.

    Each arm's rate has posterior ``Beta(a + successes, b + failures)``.

    * ``chance_to_beat_control`` = P(rate > control rate): exact finite sum when the
      posterior ``a`` is a whole number (as with the default Beta(1, 1) prior), otherwise
      quadrature.
    * ``chance_to_be_best`` = P(the arm's rate is the largest of all k), by quadrature on a
      grid built from every posterior's quantiles (accurate to about 1e-6).
    * ``expected_loss`` = E[max_j rate_j − rate_i]: what choosing the arm costs, in rate,
      if it is not the best.

    Args:
        successes: Successes per arm.
        trials: Trials per arm.
        labels: Arm names (default ``"0"``, ``"1"``, ...).
        control: The control arm, by position or label.
        metric: Name of the metric in the result.
        randomized: Whether arms were randomized (a note says so when not).
        prior: Beta prior ``(a, b)``, both > 0.
        threshold: ``verdict`` is ``likely better`` when the chance to beat control is at
            least this, ``likely worse`` when at most ``1 − threshold``.
        level: Level of each arm's equal-tailed credible interval (``value_low/high``).

    Returns:
        A :class:`ComparisonResult`; ``value`` is the posterior mean.

    Example:
        >>> res = bayes_proportions([40, 60], [1000, 1000])
        >>> round(float(res.to_frame().loc[1, "chance_to_beat_control"]), 4)
        0.9797
    """
    from scipy.special import betaincinv

    x = as_counts("successes", successes)
    n = as_counts("trials", trials)
    if x.shape != n.shape or (x > n).any():
        fail("successes", "must not exceed trials, one value per arm", ErrorCode.OUT_OF_RANGE)
    names = arm_labels(labels, len(x), "successes")
    ctrl = control_index(control, names)
    if isinstance(prior, str) or not isinstance(prior, tuple | list) or len(prior) != 2:
        fail("prior", "must be a pair (a, b) of Beta parameters", ErrorCode.WRONG_TYPE, value=prior)
    a0 = check_number("prior", prior[0], low=0, low_open=True)
    b0 = check_number("prior", prior[1], low=0, low_open=True)
    threshold = check_number("threshold", threshold, low=0.5, high=1, high_open=True)
    level = check_number("level", level, low=0, high=1, low_open=True, high_open=True)
    a, b = a0 + x, b0 + n - x
    arm, versus = pairs(len(x), ctrl, "control")
    a1, b1, ac, bc = a[arm], b[arm], a[versus], b[versus]
    beat = np.full(len(arm), np.nan)
    whole = (a1 == np.round(a1)) & (ac == np.round(ac))
    small_first = a1 <= ac
    exact = whole & (np.minimum(a1, ac).sum() <= _MAX_TERMS)
    if exact.any():
        s = small_first & exact
        if s.any():
            beat[s] = _beat_exact(a1[s], b1[s], ac[s], bc[s])
        t = ~small_first & exact
        if t.any():
            beat[t] = 1.0 - _beat_exact(ac[t], bc[t], a1[t], b1[t])
    for i in np.flatnonzero(~exact):
        beat[i] = _best(np.array([a1[i], ac[i]]), np.array([b1[i], bc[i]]))[0]
    best = _best(a, b)
    mean = a / (a + b)
    expected_max = float(np.sum(mean * _best(a, b, self_shift=1.0)))
    loss = np.maximum(expected_max - mean, 0.0)
    low = betaincinv(a, b, (1 - level) / 2)
    high = betaincinv(a, b, 1 - (1 - level) / 2)
    verdict = np.where(
        beat >= threshold,
        "likely better",
        np.where(beat <= 1 - threshold, "likely worse", "inconclusive"),
    ).astype(object)
    notes: list[Note] = []
    columns = {
        "estimate": mean[arm] - mean[versus],
        "lift": _div(mean[arm], mean[versus]) - 1.0,
        "chance_to_beat_control": np.clip(beat, 0.0, 1.0),
        "verdict": verdict,
    }
    arm_columns = {
        "value_low": low,
        "value_high": high,
        "chance_to_be_best": np.clip(best, 0.0, 1.0),
        "expected_loss": loss,
    }
    parameters: dict[str, Any] = {
        "prior": [a0, b0],
        "threshold": threshold,
        "level": level,
        "comparisons": "control",
    }
    return build(
        kind="bayes_proportions",
        metric=metric,
        labels=names,
        control=ctrl,
        n=n,
        value=mean,
        arm=arm,
        versus=versus,
        columns=columns,
        randomized=randomized,
        notes=notes,
        parameters=parameters,
        arm_columns=arm_columns,
    )
