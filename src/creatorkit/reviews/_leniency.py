"""Reviewer leniency: star − μ = creator + reviewer + ε with a ridge penalty, solved by CG.

The normal equations (XᵀX + λI)β = Xᵀy of the two one-hot blocks are solved for every
dimension at once by conjugate gradients preconditioned with their diagonal (review counts
+ λ). A product XᵀXβ is two gathers and two bincounts over the reviews, so the cost per
iteration is linear in the number of reviews; no loop over creators or reviewers.
"""

from __future__ import annotations

import attrs
import numpy as np

from creatorkit._arith import divide
from creatorkit.reviews._input import flat_codes, sums


@attrs.frozen(kw_only=True, eq=False)
class Effects:
    """Solved effects (columns are dimensions).

    Attributes:
        mu: Grand mean per dimension (not penalized).
        creator: Creator effects (creators × dimensions).
        reviewer: Reviewer effects (reviewers × dimensions).
        sigma2: Residual variance per dimension (NaN without residual degrees of freedom).
        iterations: CG iterations used.
        converged: Whether every dimension met the tolerance.
    """

    mu: np.ndarray
    creator: np.ndarray
    reviewer: np.ndarray
    sigma2: np.ndarray
    iterations: int
    converged: bool


def _apply(
    p: tuple[np.ndarray, np.ndarray],
    codes: tuple[np.ndarray, np.ndarray],
    flat: tuple[np.ndarray, np.ndarray],
    mask: np.ndarray | None,
    lam: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(XᵀX + λI) p for the two blocks (creators, reviewers)."""
    fit = np.take(p[0], codes[0], axis=0) + np.take(p[1], codes[1], axis=0)
    if mask is not None:
        fit *= mask
    return (
        sums(codes[0], fit, len(p[0]), flat=flat[0]) + lam * p[0],
        sums(codes[1], fit, len(p[1]), flat=flat[1]) + lam * p[1],
    )


def solve(
    stars: np.ndarray,
    cre: np.ndarray,
    rev: np.ndarray,
    shape: tuple[int, int],
    lam: np.ndarray,
    *,
    tol: float,
    max_iter: int,
) -> Effects:
    """Ridge-regularized additive effects of creators and reviewers (see the module)."""
    mask = np.isfinite(stars).astype(float)
    count = mask.sum(axis=0)
    mu = divide(np.where(mask > 0, stars, 0.0).sum(axis=0), count)
    y = np.where(mask > 0, stars - mu, 0.0)
    codes = (cre, rev)
    flat = (flat_codes(cre, stars.shape[1]), flat_codes(rev, stars.shape[1]))
    rhs = (sums(cre, y, shape[0], flat=flat[0]), sums(rev, y, shape[1], flat=flat[1]))
    diag = (
        sums(cre, mask, shape[0], flat=flat[0]) + lam,
        sums(rev, mask, shape[1], flat=flat[1]) + lam,
    )
    sparse_mask = None if bool((mask > 0).all()) else mask
    x = [np.zeros_like(rhs[0]), np.zeros_like(rhs[1])]
    r = [rhs[0].copy(), rhs[1].copy()]
    z = [r[0] / diag[0], r[1] / diag[1]]
    p = [z[0].copy(), z[1].copy()]
    rz = (r[0] * z[0]).sum(0) + (r[1] * z[1]).sum(0)
    scale = np.sqrt((rhs[0] ** 2).sum(0) + (rhs[1] ** 2).sum(0))
    done = np.sqrt((r[0] ** 2).sum(0) + (r[1] ** 2).sum(0)) <= tol * scale
    it = 0
    while not done.all() and it < max_iter:
        it += 1
        q = _apply((p[0], p[1]), codes, flat, sparse_mask, lam)
        step = np.where(done, 0.0, divide(rz, (p[0] * q[0]).sum(0) + (p[1] * q[1]).sum(0)))
        step = np.nan_to_num(step)
        for i in (0, 1):
            x[i] += step * p[i]
            r[i] -= step * q[i]
            z[i] = r[i] / diag[i]
        rz_new = (r[0] * z[0]).sum(0) + (r[1] * z[1]).sum(0)
        beta = np.nan_to_num(divide(rz_new, rz))
        p = [z[0] + beta * p[0], z[1] + beta * p[1]]
        rz = rz_new
        done |= np.sqrt((r[0] ** 2).sum(0) + (r[1] ** 2).sum(0)) <= tol * scale
    resid = (y - np.take(x[0], cre, axis=0) - np.take(x[1], rev, axis=0)) * mask
    rated = (diag[0] > lam).sum(0) + (diag[1] > lam).sum(0)
    dof = count - rated
    sigma2 = np.where(dof > 0, divide((resid**2).sum(0), np.maximum(dof, 1)), np.nan)
    return Effects(
        mu=mu,
        creator=x[0],
        reviewer=x[1],
        sigma2=sigma2,
        iterations=it,
        converged=bool(done.all()),
    )
