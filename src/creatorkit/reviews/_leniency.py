"""Reviewer leniency: star − μ = creator + reviewer + ε with a ridge penalty, solved by CG.

The normal equations (XᵀX + λI)β = Xᵀy of the two one-hot blocks are solved for every
dimension at once by conjugate gradients preconditioned with their diagonal (review counts
+ λ). The reviews are summed per (creator, reviewer) pair first; a product XᵀXβ is then
two gathers and two bincounts over the pairs, so the cost per iteration is linear in the
number of pairs (at most the reviews); no loop over creators or reviewers.
"""

from __future__ import annotations

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import divide
from creatorkit._grouping import group
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
    """(XᵀX + λI) p for the two blocks (creators, reviewers); ``mask`` weights the pairs."""
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
    """Ridge-regularized additive effects of creators and reviewers (see the module).

    The reviews are first summed per (creator, reviewer) pair, in the order of the pairs'
    keys, and the model is solved on those sums (:func:`solve_pairs`): the same system, in
    the same order, as the Dask path solves from merged partition sums.
    """
    # one integer per pair, in (creator, reviewer) order: a one-key grouping is fast
    pair = cre.astype(np.int64) * max(shape[1], 1) + rev
    pairs = group(pd.DataFrame({"pair": pair}), ["pair"])
    first = pairs.keys["pair"].to_numpy(np.int64)
    mask = np.isfinite(stars)
    values = np.where(mask, stars, 0.0)
    flat = flat_codes(pairs.codes, stars.shape[1])
    moments = tuple(
        sums(pairs.codes, v, pairs.n, flat=flat) for v in (mask.astype(float), values, values**2)
    )
    return solve_pairs(
        (moments[0], moments[1], moments[2]),
        (first // max(shape[1], 1)).astype(np.intp),
        (first % max(shape[1], 1)).astype(np.intp),
        shape,
        lam,
        tol=tol,
        max_iter=max_iter,
    )


def solve_pairs(
    moments: tuple[np.ndarray, np.ndarray, np.ndarray],
    cre: np.ndarray,
    rev: np.ndarray,
    shape: tuple[int, int],
    lam: np.ndarray,
    *,
    tol: float,
    max_iter: int,
) -> Effects:
    """The same solve from per (creator, reviewer) pair sums: stars given, Σ stars, Σ stars².

    Every review of a pair has the same fitted value, so XᵀX p weights each pair's fit by
    its stars given, Xᵀy is the pairs' Σ(stars − μ) and the residual sum of squares is the
    within-pair sum of squares plus n·(pair mean − μ − fit)² — the reviews themselves are
    not needed (a Dask path merges these sums across partitions).
    """
    weight, total, square = moments
    count = weight.sum(axis=0)
    mu = divide(total.sum(axis=0), count)
    rated_pair = weight > 0
    y = np.where(rated_pair, total - mu * weight, 0.0)
    codes = (cre, rev)
    flat = (flat_codes(cre, weight.shape[1]), flat_codes(rev, weight.shape[1]))
    rhs = (sums(cre, y, shape[0], flat=flat[0]), sums(rev, y, shape[1], flat=flat[1]))
    diag = (
        sums(cre, weight, shape[0], flat=flat[0]) + lam,
        sums(rev, weight, shape[1], flat=flat[1]) + lam,
    )
    sparse_mask = None if bool((weight == 1).all()) else weight
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
    fit = np.take(x[0], cre, axis=0) + np.take(x[1], rev, axis=0)
    mean = np.where(rated_pair, divide(total, weight), 0.0)
    within = np.maximum(np.where(rated_pair, square - mean * total, 0.0), 0.0)
    resid2 = within + weight * np.where(rated_pair, mean - mu - fit, 0.0) ** 2
    rated = (diag[0] > lam).sum(0) + (diag[1] > lam).sum(0)
    dof = count - rated
    sigma2 = np.where(dof > 0, divide(resid2.sum(0), np.maximum(dof, 1)), np.nan)
    return Effects(
        mu=mu,
        creator=x[0],
        reviewer=x[1],
        sigma2=sigma2,
        iterations=it,
        converged=bool(done.all()),
    )
