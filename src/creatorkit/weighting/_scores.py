"""The public aggregators: arrays in, arrays out (the fast path)."""

from __future__ import annotations

from typing import Any

import numpy as np

from creatorkit._validation import fail
from creatorkit.errors import ErrorCode
from creatorkit.weighting._aggregators import VikorScores, _check_v, _vikor_parts, run


def aggregate(
    matrix: Any, weights: Any, benefit: Any = None, *, method: str = "weighted_sum", **options: Any
) -> np.ndarray:
    """Scores of the alternatives (rows) by a registered aggregator.

    Args:
        matrix: Alternatives in rows, criteria in columns; finite.
        weights: One weight per criterion, non-negative, summing to 1 (a list or a
            :class:`WeightResult`).
        benefit: Directions per criterion (``None`` = all benefits).
        method: ``weighted_sum``, ``weighted_product``, ``topsis``, ``vikor`` or a name you
            registered.
        **options: The method's options (``normalization``, ``v``).

    Returns:
        One score per alternative (for ``vikor`` Q, where smaller is better).

    Example:
        >>> aggregate([[0.2, 1.0], [0.8, 0.0]], [0.5, 0.5]).tolist()
        [0.6, 0.4]
    """
    entry, _, prepared, w, settings = run(matrix, weights, benefit, method, options)
    with np.errstate(all="ignore"):
        return np.asarray(entry.score(prepared, w, **settings), dtype=float)


def contributions(
    matrix: Any, weights: Any, benefit: Any = None, *, method: str = "weighted_sum", **options: Any
) -> np.ndarray:
    """Each score split into per-criterion contributions that sum to it (``(n, k)``).

    Weighted sum: ``w_j · r_ij`` (exact). Weighted product: the score shared in proportion
    to ``w_j ln r_ij``. TOPSIS: the closeness shared in proportion to each criterion's part
    of the squared distance from the anti-ideal. VIKOR: Q's group-utility part shared by
    each criterion's part of S, its regret part given to the criterion of largest regret.
    An alternative with score 0 has contributions 0.

    Example:
        >>> contributions([[0.2, 1.0], [0.8, 0.0]], [0.5, 0.5]).tolist()
        [[0.1, 0.5], [0.4, 0.0]]
    """
    entry, _, prepared, w, settings = run(matrix, weights, benefit, method, options)
    if entry.attribute is None:
        fail("method", f"{method!r} has no attribution to criteria", ErrorCode.INVALID_VALUE)
    with np.errstate(all="ignore"):
        return np.asarray(entry.attribute(prepared, w, **settings), dtype=float)


def weighted_sum(
    matrix: Any, weights: Any, benefit: Any = None, *, normalization: str | None = None
) -> np.ndarray:
    """Σ_j w_j r_ij on a normalized matrix (contributions ``w_j r_ij`` sum exactly to it).

    Args:
        matrix: Normalized values (more is better), or raw values with ``normalization``.
        weights: One per criterion, summing to 1.
        benefit: Directions; a cost criterion needs ``normalization`` (the matrix is
            otherwise taken as already directed).
        normalization: A registered normalizer to apply first (``None``: the matrix is
            normalized already, e.g. within peer groups by a Scorecard).

    Example:
        >>> weighted_sum([[10, 1], [20, 3]], [0.5, 0.5], ["benefit", "cost"],
        ...              normalization="minmax").tolist()
        [0.5, 0.5]
    """
    return aggregate(matrix, weights, benefit, method="weighted_sum", normalization=normalization)


def weighted_product(
    matrix: Any, weights: Any, benefit: Any = None, *, normalization: str | None = None
) -> np.ndarray:
    """Π_j r_ij^w_j on a non-negative normalized matrix (a zero on a weighted criterion → 0).

    Example:
        >>> weighted_product([[0.25, 1.0], [1.0, 0.25]], [0.5, 0.5]).round(4).tolist()
        [0.5, 0.5]
    """
    return aggregate(
        matrix, weights, benefit, method="weighted_product", normalization=normalization
    )


def topsis(
    matrix: Any, weights: Any, benefit: Any = None, *, normalization: str | None = "vector"
) -> np.ndarray:
    """TOPSIS closeness (Hwang & Yoon 1981): D⁻ / (D⁺ + D⁻), in [0, 1], more is better.

    Each column is normalized (``vector`` by default, ``minmax`` also common; cost criteria
    inverted), weighted, and each alternative's Euclidean distances to the ideal (best of
    each column) and anti-ideal (worst) give its closeness. ``normalization=None`` takes
    the matrix as normalized already (cost columns still have their ideal at the minimum).

    Args:
        matrix: Alternatives in rows, criteria in columns; finite.
        weights: One per criterion, summing to 1.
        benefit: ``True``/``"benefit"`` or ``False``/``"cost"`` per criterion.
        normalization: A registered normalizer, or ``None``.

    Example:
        >>> m = [[2.0, 1500, 20000, 5.5, 5, 9], [2.5, 2700, 18000, 6.5, 3, 5],
        ...      [1.8, 2000, 21000, 4.5, 7, 7], [2.2, 1800, 20000, 5.0, 5, 5]]
        >>> benefit = [True, True, True, False, True, True]
        >>> w = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
        >>> topsis(m, w, benefit).round(4).tolist()
        [0.6433, 0.2684, 0.6135, 0.3123]
    """
    return aggregate(matrix, weights, benefit, method="topsis", normalization=normalization)


def vikor(matrix: Any, weights: Any, benefit: Any = None, *, v: float = 0.5) -> VikorScores:
    """VIKOR (Opricovic 1998): group utility S, individual regret R and compromise Q.

    With f* the best and f⁻ the worst value of each criterion, the regret is
    ``w_j (f*_j − x_ij) / (f*_j − f⁻_j)``; S is its sum, R its maximum, and
    ``Q = v (S − S*) / (S⁻ − S*) + (1 − v) (R − R*) / (R⁻ − R*)``. Smaller is better for
    all three (pymcdm returns Q). A constant criterion (or S or R equal for all) adds 0.

    Args:
        matrix: Alternatives in rows, criteria in columns; finite.
        weights: One per criterion, summing to 1.
        benefit: Directions per criterion.
        v: Weight of the group utility against the individual regret, in [0, 1].

    Returns:
        :class:`VikorScores` ``(s, r, q)``.

    Example:
        >>> res = vikor([[1, 3], [2, 2], [3, 1]], [0.5, 0.5])
        >>> res.q.tolist(), res.s.tolist()
        ([0.5, 0.0, 0.5], [0.5, 0.5, 0.5])
    """
    share = _check_v(v)
    _, _, regret, w, _ = run(matrix, weights, benefit, "vikor", {"v": share})
    return _vikor_parts(regret, w, share)
