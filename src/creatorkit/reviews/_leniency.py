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
from creatorkit.reviews._input import sums


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
    a: np.ndarray,
    b: np.ndarray,
    cre: np.ndarray,
    rev: np.ndarray,
    mask: np.ndarray,
    lam: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    fit = (a[cre] + b[rev]) * mask
    return sums(cre, fit, len(a)) + lam * a, sums(rev, fit, len(b)) + lam * b


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
    rhs = (sums(cre, y, shape[0]), sums(rev, y, shape[1]))
    diag = (sums(cre, mask, shape[0]) + lam, sums(rev, mask, shape[1]) + lam)
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
        q = _apply(p[0], p[1], cre, rev, mask, lam)
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
    resid = (y - x[0][cre] - x[1][rev]) * mask
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
