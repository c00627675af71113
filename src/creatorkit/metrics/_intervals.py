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
    spread = np.sqrt(
        np.maximum(p * (1.0 - p), 0.0) * _safe_div(np.ones_like(p), n) + z2n * z2n / (4.0 * z * z)
    )
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


def cluster(
    num: np.ndarray,
    den: np.ndarray,
    num2: np.ndarray,
    den2: np.ndarray,
    cross: np.ndarray,
    m: np.ndarray,
    level: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Delta-method interval of a ratio of sums over ``m`` rows (posts of a creator).

    With ``R = Σy / Σx`` over the group's rows, ``Var(R) ≈ m / (m − 1) · Σ(yᵢ − R xᵢ)² / (Σx)²``,
    where ``Σ(yᵢ − R xᵢ)² = Σy² − 2RΣxy + R²Σx²``. The interval is ``R ± z·se``; it
    reflects row-to-row variation and needs at least two rows.

    Returns:
        ``(low, high, se)``.
    """
    z = _z(level)
    ratio = _safe_div(num, den)
    resid = np.maximum(num2 - 2.0 * ratio * cross + ratio * ratio * den2, 0.0)
    factor = _safe_div(m, m - 1.0)
    se = _safe_div(np.sqrt(np.where(m > 1, factor * resid, np.nan)), np.abs(den))
    se = np.where(m > 1, se, np.nan)
    return ratio - z * se, ratio + z * se, se
