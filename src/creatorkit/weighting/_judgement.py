"""Judgement weight methods: what a person gives (weights, a ranking) → weights summing to 1."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from creatorkit._validation import check_array, check_number, fail
from creatorkit.errors import ErrorCode
from creatorkit.results import Note
from creatorkit.weighting._checks import check_weights
from creatorkit.weighting._results import WeightResult, weight_result

MAX_CRITERIA = 100_000
"""The most criteria ``equal`` builds weights for (a bound against runaway sizes)."""
SUM_TOLERANCE = 1e-12


def _named(argument: str, value: Any) -> tuple[Any, tuple[str, ...] | None]:
    if isinstance(value, Mapping):
        if not value:
            fail(argument, "must name at least one criterion", ErrorCode.EMPTY)
        return list(value.values()), tuple(str(k) for k in value)
    if isinstance(value, WeightResult):
        return value.weights, value.criteria
    return value, None


def _criteria(names: tuple[str, ...] | None, k: int) -> tuple[str, ...]:
    return names if names is not None else tuple(str(j) for j in range(k))


def manual(weights: Any) -> WeightResult:
    """Weights given by a person: checked, and normalized (with a note) when they do not sum to 1.

    Args:
        weights: A list of non-negative numbers, or a mapping criterion → weight.

    Returns:
        :class:`WeightResult`; a ``weights_normalized`` note records the sum given.

    Raises:
        ValidationError: Negative, NaN or infinite weights, all zeros, or none.

    Example:
        >>> manual({"ctr": 3, "gpm": 1}).weights.tolist()
        [0.75, 0.25]
    """
    raw, names = _named("weights", weights)
    given = check_array("weights", raw, low=0)
    if given.ndim != 1 or given.size == 0:
        fail("weights", "must be a non-empty list of weights", ErrorCode.INVALID_VALUE)
    values = check_weights("weights", given, len(given), normalized=False)
    total = float(values.sum())
    notes: tuple[Note, ...] = ()
    if abs(total - 1.0) > SUM_TOLERANCE:
        notes = (
            Note(
                code="weights_normalized",
                message=f"the weights given sum to {total:.6g}; they were divided by it",
                count=len(values),
            ),
        )
    return weight_result(
        "manual",
        values / total,
        _criteria(names, len(values)),
        notes=notes,
        parameters={"given": values.tolist()},
    )


def equal(criteria: Any) -> WeightResult:
    """Equal weights, 1 / k each.

    Args:
        criteria: The number of criteria, or their names.

    Example:
        >>> equal(["ctr", "gpm", "cvr", "aov"]).weights.tolist()
        [0.25, 0.25, 0.25, 0.25]
    """
    if isinstance(criteria, int | np.integer) and not isinstance(criteria, bool):
        k = int(check_number("criteria", criteria, low=1, high=MAX_CRITERIA, integer=True))
        names = tuple(str(j) for j in range(k))
    elif (
        isinstance(criteria, list | tuple)
        and criteria
        and all(isinstance(c, str) for c in criteria)
    ):
        names = tuple(criteria)
        if len(set(names)) != len(names):
            fail("criteria", "names must be unique", ErrorCode.DUPLICATE_NAME, value=list(names))
        k = len(names)
    else:
        rule = "must be a number of criteria (>= 1) or a list of their names"
        fail("criteria", rule, ErrorCode.WRONG_TYPE, value=criteria)
    return weight_result("equal", np.full(k, 1.0 / k), names, parameters={"k": k})


def _positions(ranking: Any) -> tuple[np.ndarray, tuple[str, ...]]:
    raw, names = _named("ranking", ranking)
    ranks = check_array("ranking", raw, low=1)
    if ranks.ndim != 1 or ranks.size == 0:
        fail("ranking", "must be a non-empty list of ranks (1 = most important)", ErrorCode.EMPTY)
    if not np.all(ranks == np.floor(ranks)):
        fail("ranking", "ranks must be whole numbers", ErrorCode.NOT_INTEGER, value=ranks.tolist())
    return ranks, _criteria(names, len(ranks))


def _by_rank(ranks: np.ndarray, position_weight: np.ndarray) -> np.ndarray:
    """Weights of positions 1..k given to criteria in rank order; tied criteria share the mean."""
    k = len(ranks)
    order = np.argsort(ranks, kind="stable")
    sorted_ranks = ranks[order]
    tie = np.r_[True, sorted_ranks[1:] != sorted_ranks[:-1]]
    block = np.cumsum(tie) - 1
    shared = np.bincount(block, weights=position_weight) / np.bincount(block)
    out = np.empty(k)
    out[order] = shared[block]
    return out


def roc(ranking: Any) -> WeightResult:
    """Rank-order centroid weights (Barron & Barrett 1996): w_i = (1/k) Σ_{j=i..k} 1/j.

    Args:
        ranking: The rank of each criterion (1 = most important), as a list or a mapping
            criterion → rank. Only the order matters; tied criteria share the mean weight of
            the positions they occupy.

    Example:
        >>> roc([1, 2, 3]).weights.round(4).tolist()
        [0.6111, 0.2778, 0.1111]
    """
    ranks, names = _positions(ranking)
    k = len(ranks)
    position = np.cumsum((1.0 / np.arange(1, k + 1))[::-1])[::-1] / k
    weights = _by_rank(ranks, position)
    return weight_result(
        "roc", weights, names, diagnostics={"rank": ranks}, parameters={"ranking": ranks.tolist()}
    )


def rank_sum(ranking: Any) -> WeightResult:
    """Rank-sum weights: w_i = 2 (k + 1 − i) / (k (k + 1)) for the criterion at position i.

    Args:
        ranking: As for :func:`roc`.

    Example:
        >>> rank_sum([2, 1, 3]).weights.round(4).tolist()
        [0.3333, 0.5, 0.1667]
    """
    ranks, names = _positions(ranking)
    k = len(ranks)
    position = 2.0 * (k + 1 - np.arange(1, k + 1)) / (k * (k + 1))
    weights = _by_rank(ranks, position)
    return weight_result(
        "rank_sum",
        weights,
        names,
        diagnostics={"rank": ranks},
        parameters={"ranking": ranks.tolist()},
    )


def blend(subjective: Any, objective: Any, alpha: float = 0.5) -> WeightResult:
    """A blend of judgement and data: w = α · subjective + (1 − α) · objective.

    Args:
        subjective: Weights summing to 1 (a list or a :class:`WeightResult`).
        objective: Weights summing to 1, of the same length.
        alpha: Share of the subjective weights, in [0, 1].

    Example:
        >>> blend([0.5, 0.5], [0.9, 0.1], alpha=0.25).weights.tolist()
        [0.8, 0.2]
    """
    share = check_number("alpha", alpha, low=0, high=1)
    raw, names = _named("subjective", subjective)
    first = check_array("subjective", raw, low=0)
    if first.ndim != 1 or first.size == 0:
        fail("subjective", "must be a non-empty list of weights", ErrorCode.INVALID_VALUE)
    s = check_weights("subjective", first, len(first))
    other, other_names = _named("objective", objective)
    o = check_weights("objective", other, len(s))
    weights = share * s + (1.0 - share) * o
    return weight_result(
        "blend",
        weights / weights.sum(),
        _criteria(names or other_names, len(s)),
        diagnostics={"subjective": s, "objective": o},
        parameters={"alpha": share},
    )
