"""Confidence intervals for metrics, vectorized over groups (scipy.special only).

All functions take arrays and return ``(low, high)`` arrays; undefined cases (an empty
denominator, fewer than two rows for ``cluster``) give NaN without numpy warnings.
"""

from __future__ import annotations

import numpy as np

from creatorkit._arith import divide as _safe_div


def _z(level: float) -> float:
    from scipy.special import ndtri

    return float(ndtri(0.5 + level / 2.0))


def wilson(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``x`` successes in ``n`` trials (as statsmodels' ``wilson``)."""
    z = _z(level)
    p = _safe_div(x, n)
    z2n = _safe_div(np.full_like(n, z * z, dtype=float), n)
    denom = 1.0 + z2n
    center = (p + z2n / 2.0) / denom
    inv_n = _safe_div(np.ones_like(p), n)
    # z²/(4n²), the usual (z²/n)² / (4z²) without dividing by z (z is 0 for a level near 0)
    spread = np.sqrt(np.maximum(p * (1.0 - p), 0.0) * inv_n + (z * inv_n) ** 2 / 4.0)
    half = z * spread / denom
    return np.clip(center - half, 0.0, 1.0), np.clip(center + half, 0.0, 1.0)


def jeffreys(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Jeffreys equal-tailed interval: Beta(x + ½, n − x + ½) quantiles.

    As statsmodels' ``jeffreys``: the bounds are not forced to 0 at x = 0 or 1 at x = n.
    """
    from scipy.special import betaincinv

    alpha = 1.0 - level
    ok = n > 0
    a = np.where(ok, x + 0.5, 1.0)
    b = np.where(ok, n - x + 0.5, 1.0)
    low = np.where(ok, betaincinv(a, b, alpha / 2.0), np.nan)
    high = np.where(ok, betaincinv(a, b, 1.0 - alpha / 2.0), np.nan)
    return low, high


def poisson(x: np.ndarray, exposure: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) Poisson interval for the rate ``x / exposure``.

    ``low = χ²(α/2; 2x) / 2 / exposure`` (0 when x = 0) and
    ``high = χ²(1 − α/2; 2x + 2) / 2 / exposure``, computed with the inverse regularized
    gamma function.
    """
    from scipy.special import gammaincinv

    alpha = 1.0 - level
    ok = exposure > 0
    shape_low = np.where(x > 0, x, 1.0)
    low_count = np.where(x > 0, gammaincinv(shape_low, alpha / 2.0), 0.0)
    high_count = gammaincinv(x + 1.0, 1.0 - alpha / 2.0)
    return (
        np.where(ok, _safe_div(low_count, exposure), np.nan),
        np.where(ok, _safe_div(high_count, exposure), np.nan),
    )


SCALES = ("log", "logit", "identity")
"""Scales a cluster interval is built on: ``log`` for values that cannot be negative,
``logit`` for rates in [0, 1], ``identity`` for values of either sign."""


_NOISE = 1e-12
"""Relative size below which ``Σ(yᵢ − R xᵢ)²`` computed from sums is rounding noise."""


def cluster_se(
    num: np.ndarray,
    den: np.ndarray,
    num2: np.ndarray,
    den2: np.ndarray,
    cross: np.ndarray,
    m: np.ndarray,
) -> np.ndarray:
    """Delta-method standard error of ``R = Σy / Σx`` over ``m`` rows (NaN below two rows).

    ``Var(R) ≈ m / (m − 1) · Σ(yᵢ − R xᵢ)² / (Σx)²`` with
    ``Σ(yᵢ − R xᵢ)² = Σy² − 2RΣxy + R²Σx²`` (the sample-variance form ``compare.ratios`` uses);
    a residual within 1e-12 of the size of its terms is rounding noise and taken as zero, so
    rows that lie on one line (every post with the same ratio) give se = 0 in any unit.
    """
    ratio = _safe_div(num, den)
    terms = (num2, 2.0 * ratio * cross, ratio * ratio * den2)
    resid = terms[0] - terms[1] + terms[2]
    # below the rounding noise of the three terms the residual is zero (rows on one line)
    noise = _NOISE * (np.abs(terms[0]) + np.abs(terms[1]) + np.abs(terms[2]))
    resid = np.where(resid > noise, resid, 0.0)
    several = m > 1
    factor = _safe_div(m, np.where(several, m - 1.0, 1.0))
    se = _safe_div(np.sqrt(np.where(several, factor * resid, np.nan)), np.abs(den))
    return np.where(several & np.isfinite(ratio), se, np.nan)


def _transformed(ratio: np.ndarray, half: np.ndarray, scale: str) -> tuple[np.ndarray, np.ndarray]:
    """Bounds ``g⁻¹(g(R) ± half · g'(R))`` on the scale ``g``; a boundary estimate keeps its end.

    On the log and logit scales an estimate on the edge of the range (0; or 1 for a rate)
    has no interval on that scale: the bound at the edge is the edge itself, the other is NaN.
    """
    if scale == "identity":
        return ratio - half, ratio + half
    from scipy.special import expit, logit

    with np.errstate(divide="ignore", invalid="ignore"):
        if scale == "log":
            inside = ratio > 0
            step = np.where(inside, half / np.where(inside, ratio, 1.0), np.nan)
            low, high = ratio * np.exp(-step), ratio * np.exp(step)
            low = np.where(ratio == 0, 0.0, low)
        else:
            inside = (ratio > 0) & (ratio < 1)
            safe = np.where(inside, ratio, 0.5)
            step = np.where(inside, half / (safe * (1.0 - safe)), np.nan)
            centre = logit(safe)
            low, high = expit(centre - step), expit(centre + step)
            low = np.where(ratio == 0, 0.0, low)
            high = np.where(ratio == 1, 1.0, high)
    return low, high


def cluster(
    num: np.ndarray,
    den: np.ndarray,
    num2: np.ndarray,
    den2: np.ndarray,
    cross: np.ndarray,
    m: np.ndarray,
    level: float,
    scale: str = "identity",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cluster interval of a ratio of sums over ``m`` rows (the posts of a creator).

    The standard error is :func:`cluster_se`; the half-width is ``t(m − 1) · se`` with the
    Student t quantile on ``m − 1`` degrees of freedom, applied on ``scale``
    (:func:`_transformed`): ``log`` gives ``R · exp(±t·se/R)``, ``logit`` gives
    ``expit(logit R ± t·se / (R(1 − R)))``, ``identity`` gives ``R ± t·se``. Scaling the
    numerator or the denominator (a currency unit) scales the bounds alike. Groups with fewer
    than two rows get NaN.

    Returns:
        ``(low, high, se)``.
    """
    from scipy.special import stdtrit

    ratio = _safe_div(num, den)
    se = cluster_se(num, den, num2, den2, cross, m)
    df = np.where(m > 1, m - 1.0, 1.0)
    quantile = stdtrit(df, 0.5 + level / 2.0)
    low, high = _transformed(ratio, quantile * se, scale)
    ok = np.isfinite(se)
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan), se
