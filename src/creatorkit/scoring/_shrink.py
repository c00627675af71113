"""Low-data shrinkage toward the peer group, with leave-one-out empirical-Bayes priors.

* **Rates** (successes / trials): a beta-binomial prior per peer group. Its mean is the
  pooled rate of the *other* creators of the group; its strength κ comes from the method
  of moments on their rates, net of binomial noise: with ρ = 1 / (κ + 1) and h the mean
  of 1 / trials, ``var(p) = m (1 − m) (ρ + (1 − ρ) h)``. Shrunk rate
  ``(s + κ m) / (t + κ)``.
* **Ratios** (log scale): a normal prior on ``log x`` with the other creators' mean μ and
  between-creator variance τ² (their variance of ``log x`` less the mean sampling
  variance, floored at a twentieth of it); the sampling variance of a creator is
  ``v / exposure`` — exposure is the ratio's denominator sum (``_trials``: clicks, views)
  where known, else its posts — with ``v`` the others' variance per unit of exposure read
  from their cluster intervals (posts as units), so 2 clicks weigh as 2 clicks.
  Shrunk ``exp(w log x + (1 − w) μ)`` with ``w = τ² / (τ² + v / exposure)``.
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


def rates(s: np.ndarray, t: np.ndarray, codes: np.ndarray) -> Shrunk:
    """Beta-binomial shrinkage of ``s / t`` within groups (leave-one-out priors)."""
    valid = np.isfinite(s) & np.isfinite(t) & (t > 0)
    p = np.where(valid, divide(s, t), 0.0)
    big_s, _ = _loo(np.where(valid, s, 0.0), valid, codes)
    big_t, count = _loo(np.where(valid, t, 0.0), valid, codes)
    m = divide(big_s, big_t)
    sum_p, _ = _loo(p, valid, codes)
    sum_p2, _ = _loo(p * p, valid, codes)
    sum_h, _ = _loo(np.where(valid, divide(1.0, t), 0.0), valid, codes)
    mean_p = divide(sum_p, count)
    var_p = np.maximum(divide(sum_p2, count) - mean_p * mean_p, 0.0)
    h = divide(sum_h, count)
    rho = np.clip(divide(divide(var_p, m * (1.0 - m)) - h, 1.0 - h), 1e-6, 1.0 - 1e-6)
    kappa = np.where(np.isfinite(rho) & (count >= 2), 1.0 / rho - 1.0, 0.0)
    kappa = np.where(np.isfinite(m) & (m > 0) & (m < 1), kappa, 0.0)
    shrunk = divide(s + kappa * np.nan_to_num(m), t + kappa)
    value = np.where(valid & (kappa > 0), shrunk, divide(s, t))
    return Shrunk(value=value, prior=m, strength=kappa)


def ratios(
    x: np.ndarray, exposure: np.ndarray, low: np.ndarray, high: np.ndarray, codes: np.ndarray
) -> Shrunk:
    """Normal shrinkage of ``log x`` within groups (leave-one-out priors)."""
    positive = np.isfinite(x) & (x > 0) & (exposure > 0)
    y = np.log(np.where(positive, x, 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        se = (np.log(np.where(high > 0, high, np.nan)) - np.log(np.where(low > 0, low, np.nan))) / (
            2 * Z95
        )
    per_post = se * se * exposure
    has_v = positive & np.isfinite(per_post)
    sum_v, count_v = _loo(np.where(has_v, per_post, 0.0), has_v, codes)
    v = divide(sum_v, count_v)
    sum_y, count = _loo(y, positive, codes)
    sum_y2, _ = _loo(y * y, positive, codes)
    sum_inv, _ = _loo(np.where(positive, divide(1.0, exposure), 0.0), positive, codes)
    mu = divide(sum_y, count)
    var_y = np.maximum(divide(sum_y2, count) - mu * mu, 0.0)
    tau2 = np.maximum(var_y - v * divide(sum_inv, count), var_y / 20.0)
    noise = divide(v, exposure)
    w = divide(tau2, tau2 + noise)
    ok = positive & np.isfinite(w) & (count >= 2)
    value = np.where(ok, np.exp(np.where(ok, w * y + (1.0 - w) * np.nan_to_num(mu), 0.0)), x)
    return Shrunk(value=value, prior=np.exp(mu), strength=np.where(ok, divide(v, tau2), 0.0))
