"""Objective weight methods: matrix (+ benefit) → weights summing to 1 (pymcdm conventions)."""

from __future__ import annotations

from typing import Any

import numpy as np

from creatorkit._arith import divide
from creatorkit._validation import Problems, check_choice
from creatorkit.errors import ErrorCode
from creatorkit.results import Note
from creatorkit.weighting import _normalizers
from creatorkit.weighting._checks import Matrix, check_directions, check_matrix
from creatorkit.weighting._results import WeightResult, weight_result


def _constant_notes(m: Matrix, constant: np.ndarray, method: str) -> tuple[Note, ...]:
    notes = [
        Note(
            code="constant_criterion",
            message=f"{name!r} is the same for every alternative: {method} gives it weight 0",
            count=1,
            subject=name,
        )
        for name, flag in zip(m.criteria, constant.tolist(), strict=True)
        if flag
    ]
    if constant.all():
        notes.append(
            Note(
                code="equal_weights",
                message=f"no criterion varies: {method} falls back to equal weights",
                count=len(m.criteria),
            )
        )
    return tuple(notes)


def _redundant_note(information: np.ndarray, constant: np.ndarray) -> tuple[Note, ...]:
    """CRITIC's note when criteria vary but all C_j are 0 (perfectly correlated, same way)."""
    if constant.all() or float(information.sum()) > 0:
        return ()
    message = (
        "the criteria that vary are perfectly correlated (C_j = 0 for every criterion): "
        "critic falls back to equal weights"
    )
    return (Note(code="equal_weights", message=message, count=len(information)),)


def _share(information: np.ndarray) -> np.ndarray:
    """Weights proportional to ``information``; equal weights when it is all zero."""
    total = float(information.sum())
    if total <= 0:
        return np.full(len(information), 1.0 / len(information))
    return information / total


def _spread(m: Matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    low = m.values.min(axis=0)
    high = m.values.max(axis=0)
    return low, high, high == low


def _entropy(x: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """−Σ p ln p per column with p = x / Σx, as ln S − Σ x ln x / S (0 · ln 0 = 0).

    One logarithm pass and one fused multiply-sum, without the matrix of shares; only
    columns holding zeros take a second, masked pass.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        weighted = np.einsum("ij,ij->j", x, np.log(x))
        log_sums = np.log(np.where(sums > 0, sums, 1.0))
    for j in np.flatnonzero(np.isnan(weighted)):  # columns with zeros (a loop over criteria)
        column = x[:, j]
        if (column < 0).any():
            continue  # stays NaN: refused by the caller, naming the rows
        positive = column > 0
        weighted[j] = float(column[positive] @ np.log(column[positive]))
    return np.asarray(log_sums - divide(weighted, sums))


def _constant(x: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Which candidate columns hold one value (checked exactly, only where suspected)."""
    constant = np.zeros(x.shape[1], dtype=bool)
    for j in np.flatnonzero(candidates):  # a loop over the few suspected criteria
        constant[j] = bool((x[:, j] == x[0, j]).all())
    return constant


def _refuse_negative(m: Matrix, suspects: np.ndarray) -> None:
    problems = Problems("matrix")
    for j in np.flatnonzero(suspects):  # a negative value made the logarithm NaN
        rule = "entropy weights need non-negative values"
        column = m.values[:, j]
        problems.add_mask(m.criteria[j], column < 0, m.index, column, rule, ErrorCode.NEGATIVE)
    problems.raise_if_any()


def entropy(matrix: Any, benefit: Any = None) -> WeightResult:
    """Entropy weights: criteria whose values differ more across alternatives weigh more.

    p_ij = x_ij / Σ_i x_ij; E_j = −Σ_i p_ij ln p_ij / ln m (0 · ln 0 = 0); weights ∝ 1 − E_j.
    As in pymcdm, the shares are taken on the raw values, so the direction of a criterion
    does not change its weight (``benefit`` is accepted for the common signature and
    checked). A constant column has E = 1 and weight 0, with a note.

    Args:
        matrix: Alternatives in rows, criteria in columns; finite, non-negative.
        benefit: Directions (checked; they do not change entropy weights).

    Returns:
        :class:`WeightResult` with ``entropy`` and ``divergence`` (1 − E) per criterion.

    Example:
        >>> entropy([[1, 10], [2, 10], [3, 10]]).weights.tolist()
        [1.0, 0.0]
    """
    m = check_matrix("matrix", matrix)
    check_directions("benefit", benefit, len(m.criteria))
    n = len(m.values)
    sums = m.sums if m.sums is not None else m.values.sum(axis=0)
    e = _entropy(m.values, sums) / np.log(n)
    _refuse_negative(m, np.isnan(e))
    constant = _constant(m.values, (e > 1.0 - 1e-9) | (sums == 0))
    e[constant] = 1.0  # a constant (or all-zero) column is uninformative
    divergence = np.clip(1.0 - e, 0.0, None)
    return weight_result(
        "entropy",
        _share(divergence),
        m.criteria,
        diagnostics={"entropy": e, "divergence": divergence},
        notes=_constant_notes(m, constant, "entropy"),
        parameters={"shares": "x / column sum (raw values)", "log": "natural, over ln m"},
    )


def critic(matrix: Any, benefit: Any = None) -> WeightResult:
    """CRITIC weights (Diakoulaki et al. 1995), honouring cost criteria.

    The matrix is min-max normalized *with directions* (a cost column is inverted), then
    C_j = σ_j Σ_k (1 − r_jk) with σ the population standard deviation of the normalized
    column and r the Pearson correlation of normalized columns; weights ∝ C. With every
    criterion a benefit this equals pymcdm's ``critic_weights``; pymcdm ignores cost
    criteria, which flips the sign of their correlations. A constant column has σ = 0 and
    weight 0 (its correlations are taken as 0), with a note.

    Args:
        matrix: Alternatives in rows, criteria in columns; finite.
        benefit: ``True``/``False`` (or ``"benefit"``/``"cost"``) per criterion; ``None``
            = all benefits.

    Returns:
        :class:`WeightResult` with ``std`` and ``information`` (C) per criterion and the
        ``correlation`` matrix.

    Example:
        >>> res = critic([[1, 5, 2], [2, 3, 2], [4, 1, 9]], benefit=[True, "cost", True])
        >>> res.weights.round(4).tolist()
        [0.1674, 0.3417, 0.4909]
    """
    m = check_matrix("matrix", matrix)
    direction = check_directions("benefit", benefit, len(m.criteria))
    low, high, constant = _spread(m)
    n = len(m.values)
    # Min-max scaling and inverting a cost column are affine: correlations of the normalized
    # columns are those of the raw ones (sign flipped between a cost and a benefit) and
    # σ(normalized) = σ(raw) / (max − min). So no normalized matrix is built.
    sums = m.sums if m.sums is not None else m.values.sum(axis=0)
    centred = m.values - sums / n
    covariance = centred.T @ centred / n
    spread = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    sigma = divide(spread, high - low)
    sigma[constant] = 0.0
    sign = np.where(direction, 1.0, -1.0)
    correlation = divide(covariance, np.outer(spread, spread)) * np.outer(sign, sign)
    correlation[np.isnan(correlation)] = 0.0
    correlation[constant, :] = 0.0
    correlation[:, constant] = 0.0
    np.fill_diagonal(correlation, np.where(constant, 0.0, 1.0))
    correlation = np.clip(correlation, -1.0, 1.0)
    information = sigma * (1.0 - correlation).sum(axis=0)
    information[constant] = 0.0
    return weight_result(
        "critic",
        _share(information),
        m.criteria,
        diagnostics={"std": sigma, "information": information},
        correlation=correlation,
        notes=_constant_notes(m, constant, "critic") + _redundant_note(information, constant),
        parameters={"benefit": direction.tolist(), "correlation": "pearson"},
    )


def std(matrix: Any, benefit: Any = None, *, normalization: str = "minmax") -> WeightResult:
    """Standard-deviation weights on the *normalized* matrix: weights ∝ σ_j.

    pymcdm takes σ on raw values, where a column in followers (millions) takes all the
    weight from a rate (fractions); here each column is first normalized (min-max by
    default), so the weight reflects spread relative to the column's own range. A constant
    column has weight 0, with a note.

    Args:
        matrix: Alternatives in rows, criteria in columns; finite.
        benefit: Directions (a cost column is inverted; its σ is unchanged).
        normalization: A registered normalizer applied to each column first.

    Returns:
        :class:`WeightResult` with ``std`` per criterion.

    Example:
        >>> std([[1, 1000], [2, 3000], [3, 2000]]).weights.round(4).tolist()
        [0.5, 0.5]
    """
    m = check_matrix("matrix", matrix)
    direction = check_directions("benefit", benefit, len(m.criteria))
    check_choice("normalization", normalization, _normalizers.normalizers.names())
    entry = _normalizers.normalizers.get(normalization)
    r = _normalizers.apply(m, entry, direction, None, {})
    sigma = r.std(axis=0)
    constant = _spread(m)[2]
    sigma[constant] = 0.0
    return weight_result(
        "std",
        _share(sigma),
        m.criteria,
        diagnostics={"std": sigma},
        notes=_constant_notes(m, constant, "std"),
        parameters={"normalization": normalization, "ddof": 0},
    )
