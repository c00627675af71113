"""Low-data shrinkage toward the peer group, with leave-one-out empirical-Bayes priors.

* **Rates** (successes / trials): a beta-binomial prior per peer group. Its mean is the
  pooled rate of the *other* creators of the group; its strength κ comes from the method
  of moments on their rates, net of sampling noise: with ρ = 1 / (κ + 1) and h the mean
  of 1 / trials, ``var(p) = m (1 − m) (ρ + (1 − ρ) h)``. Posts, not views, are the units of
  a creator's evidence: when the rates come with cluster intervals over posts, each
  creator's trials are deflated by the design effect of post-to-post variation (φ, pooled
  from the other creators' intervals) before both the moments and the shrinkage, so 100k
  views in two posts are not taken for certain. Shrunk rate ``(p t' + κ m) / (t' + κ)``.
* **Ratios** (log scale): a normal prior on ``log x`` with the other creators' mean μ and
  between-creator variance τ² (their variance of ``log x`` less their mean sampling
  variance, floored at a twentieth of it). A creator's sampling variance is the larger of
  ``v_posts / posts`` and ``v_exposure / exposure`` (exposure: the ratio's denominator sum,
  ``_trials``, else posts), each ``v`` the other creators' ``se² × unit`` read from their
  cluster intervals with the Student t quantile the intervals were built with.
  Shrunk ``exp(w log x + (1 − w) μ)`` with ``w = τ² / (τ² + noise)``.
  Values ≤ 0 are not shrunk (no log); they stay below every positive value.

Leaving each creator out of its own prior keeps its shrunk value increasing in its own
data. A group where no other creator has data leaves the value as it is (flagged).
"""

from __future__ import annotations

import attrs
import numpy as np

from creatorkit._arith import divide

Z95 = 1.959963984540054


@attrs.frozen(kw_only=True, eq=False)
class Shrunk:
    """Shrunk values and their priors (one per creator)."""

    value: np.ndarray
    prior: np.ndarray
    strength: np.ndarray


def _loo(q: np.ndarray, valid: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-out sum and count of ``q`` over the valid rows of each row's group."""
    g = int(codes.max(initial=0)) + 1
    w = np.where(valid, q, 0.0)
    total = np.bincount(codes, weights=w, minlength=g)[codes] - w
    count = np.bincount(codes, weights=valid.astype(float), minlength=g)[codes] - valid
    return total, count


def _t_quantile(posts: np.ndarray) -> np.ndarray:
    """The 97.5% quantile behind a 95% cluster interval over ``posts`` (z when unknown)."""
    from scipy.special import stdtrit

    known = np.isfinite(posts) & (posts >= 2)
    return np.where(known, stdtrit(np.where(known, posts - 1.0, 1.0), 0.975), Z95)


def _log_se(x: np.ndarray, low: np.ndarray, high: np.ndarray, posts: np.ndarray) -> np.ndarray:
    """Standard error of ``log x`` read back from a 95% interval (NaN where it has none).

    The interval's own scale is read from its shape (DESIGN §5 gives every cluster
    interval on the log or logit scale): a geometric midpoint at ``x`` means log, else
    logit for values in (0, 1), else a symmetric interval; its half-width is divided by
    the Student t quantile of its posts − 1 degrees of freedom, as it was built.
    """
    t = _t_quantile(posts)
    ok = np.isfinite(x) & (x > 0) & np.isfinite(low) & np.isfinite(high) & (low > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_half = np.where(ok, (np.log(high) - np.log(low)) / 2.0, np.nan)
        geometric = np.abs(np.log(high * low) / 2.0 - np.log(x)) <= 1e-6 * (1.0 + log_half)
        inside = ok & (x < 1) & (high < 1)
        safe = np.where(inside, x, 0.5)
        logit_half = (np.log(high / (1 - high)) - np.log(low / (1 - low))) / 2.0
        natural = np.where(geometric, x * log_half, (high - low) / 2.0)
        natural = np.where(~geometric & inside, safe * (1 - safe) * logit_half, natural)
    return np.where(ok & (natural > 0), divide(natural, x * t), np.nan)


def _overdispersion(
    p: np.ndarray, t: np.ndarray, se: np.ndarray, posts: np.ndarray, codes: np.ndarray
) -> np.ndarray:
    """Post-to-post relative variance φ of a rate, leave-one-out per group (≥ 0).

    A creator's rate varies between its posts beyond binomial noise, so its sampling
    variance is ``p (1 − p) / trials + φ p² / posts``; each other creator with two or more
    posts gives ``φ_j = posts_j (se_j² − p_j (1 − p_j) / trials_j) / p_j²`` from its cluster
    interval (posts as units), and the group's φ is their mean.
    """
    valid = np.isfinite(se) & (posts >= 2) & (p > 0) & (p < 1) & (t > 0)
    binomial = divide(p * (1.0 - p), t)
    phi = np.where(valid, divide(posts * ((se * p) ** 2 - binomial), p * p), 0.0)
    total, count = _loo(phi, valid, codes)
    return np.asarray(np.maximum(np.nan_to_num(divide(total, count)), 0.0))


def rates(
    s: np.ndarray,
    t: np.ndarray,
    codes: np.ndarray,
    *,
    low: np.ndarray | None = None,
    high: np.ndarray | None = None,
    posts: np.ndarray | None = None,
) -> Shrunk:
    """Beta-binomial shrinkage of ``s / t`` within groups (leave-one-out priors).

    With the rates' cluster intervals and posts, trials are first deflated by the design
    effect of post-to-post variation (:func:`_overdispersion`): ``t_eff = m (1 − m) / var``,
    so that a creator with many views but two posts is not taken for certain. ``strength``
    is ``κ · t / t_eff`` (the prior's weight in trials, ``w = t / (t + strength)``).
    """
    valid = np.isfinite(s) & np.isfinite(t) & (t > 0)
    p = np.where(valid, divide(s, t), 0.0)
    big_s, _ = _loo(np.where(valid, s, 0.0), valid, codes)
    big_t, count = _loo(np.where(valid, t, 0.0), valid, codes)
    m = divide(big_s, big_t)
    deff = np.ones(len(p))
    if low is not None and high is not None and posts is not None:
        se = _log_se(p, low, high, posts)
        phi = _overdispersion(p, t, se, posts, codes)
        known = valid & np.isfinite(posts) & (posts >= 1) & (m > 0) & (m < 1)
        extra = divide(phi * m * t, (1.0 - m) * np.where(known, posts, 1.0))
        deff = np.where(known, 1.0 + extra, 1.0)
    t_eff = divide(t, deff)
    sum_p, _ = _loo(p, valid, codes)
    sum_p2, _ = _loo(p * p, valid, codes)
    sum_h, _ = _loo(np.where(valid, divide(1.0, t_eff), 0.0), valid, codes)
    mean_p = divide(sum_p, count)
    var_p = np.maximum(divide(sum_p2, count) - mean_p * mean_p, 0.0)
    h = divide(sum_h, count)
    rho = np.clip(divide(divide(var_p, m * (1.0 - m)) - h, 1.0 - h), 1e-6, 1.0 - 1e-6)
    kappa = np.where(np.isfinite(rho) & (count >= 2), 1.0 / rho - 1.0, 0.0)
    kappa = np.where(np.isfinite(m) & (m > 0) & (m < 1), kappa, 0.0)
    shrunk = divide(p * t_eff + kappa * np.nan_to_num(m), t_eff + kappa)
    value = np.where(valid & (kappa > 0), shrunk, divide(s, t))
    return Shrunk(value=value, prior=m, strength=kappa * deff)


def _pooled(se: np.ndarray, unit: np.ndarray, valid: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The other creators' mean ``se² · unit``: a variance per unit of exposure."""
    has = valid & np.isfinite(se) & np.isfinite(unit) & (unit > 0)
    total, count = _loo(np.where(has, se * se * unit, 0.0), has, codes)
    return np.asarray(divide(total, count))


def ratios(
    x: np.ndarray,
    exposure: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    codes: np.ndarray,
    posts: np.ndarray | None = None,
) -> Shrunk:
    """Normal shrinkage of ``log x`` within groups (leave-one-out priors).

    The sampling variance of ``log x`` is the larger of two pooled models, each fitted on
    the other creators' cluster intervals (read back with the t quantile they were built
    with): ``v_posts / posts`` (posts as units: post-to-post variation) and
    ``v_exposure / exposure`` (the ratio's denominator: 2 clicks weigh as 2 clicks). A
    creator is trusted no more than the weaker of its two sample sizes allows. ``strength``
    is ``noise / τ²`` times the creator's exposure (``w = exposure / (exposure + strength)``).
    """
    n = np.full(len(x), np.nan) if posts is None else np.asarray(posts, dtype=float)
    positive = np.isfinite(x) & (x > 0) & (exposure > 0)
    y = np.log(np.where(positive, x, 1.0))
    se = _log_se(x, low, high, n)
    noise = divide(_pooled(se, exposure, positive, codes), exposure)
    by_posts = divide(_pooled(se, n, positive & (n >= 2), codes), n)
    noise = np.where(np.isfinite(by_posts), np.fmax(noise, by_posts), noise)
    sum_y, count = _loo(y, positive, codes)
    sum_y2, _ = _loo(y * y, positive, codes)
    sum_noise, _ = _loo(np.where(positive & np.isfinite(noise), noise, 0.0), positive, codes)
    mu = divide(sum_y, count)
    var_y = np.maximum(divide(sum_y2, count) - mu * mu, 0.0)
    tau2 = np.maximum(var_y - divide(sum_noise, count), var_y / 20.0)
    w = divide(tau2, tau2 + noise)
    ok = positive & np.isfinite(w) & (count >= 2)
    value = np.where(ok, np.exp(np.where(ok, w * y + (1.0 - w) * np.nan_to_num(mu), 0.0)), x)
    strength = np.where(ok, divide(noise * exposure, tau2), 0.0)
    return Shrunk(value=value, prior=np.exp(mu), strength=strength)
