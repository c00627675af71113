"""Rank stability under random perturbations of the weights (all draws at once)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from creatorkit._validation import check_number, fail
from creatorkit.errors import ErrorCode
from creatorkit.results import MethodCard
from creatorkit.weighting._aggregators import Aggregator, run
from creatorkit.weighting._results import SensitivityResult

MAX_CELLS = 50_000_000
"""Largest alternatives × draws table one call builds."""


def _ranks(scores: np.ndarray, higher_is_better: bool) -> np.ndarray:
    """Rank 1 = best per column; ties go to the earlier row."""
    key = -scores if higher_is_better else scores
    order = np.argsort(key, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, len(scores) + 1)[:, None], axis=0)
    return ranks


def _draw_weights(w: np.ndarray, draws: int, spread: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1.0 - spread, 1.0 + spread, size=(draws, len(w)))
    moved = w * factors
    return np.asarray(moved / moved.sum(axis=1, keepdims=True))


def _batch(
    entry: Aggregator, prepared: np.ndarray, weights: np.ndarray, settings: dict[str, Any]
) -> np.ndarray:
    if entry.batch is not None:
        return np.asarray(entry.batch(prepared, weights, **settings), dtype=float)
    columns = [entry.score(prepared, row, **settings) for row in weights]  # custom aggregators
    return np.column_stack(columns)


def sensitivity(
    matrix: Any,
    weights: Any,
    benefit: Any = None,
    *,
    aggregator: str = "topsis",
    draws: int = 1000,
    seed: int = 0,
    k: int = 1,
    spread: float = 0.2,
    **options: Any,
) -> SensitivityResult:
    """How stable the ranking is when every weight moves by up to ±``spread`` (relative).

    Each draw multiplies every weight by an independent uniform factor in
    [1 − spread, 1 + spread] and renormalizes (a zero weight stays zero); all draws are
    scored at once (one matrix product for weighted sum, weighted product and TOPSIS).

    Args:
        matrix: Alternatives in rows, criteria in columns.
        weights: The weights to perturb (summing to 1).
        benefit: Directions per criterion.
        aggregator: A registered aggregator.
        draws: Number of perturbed weight vectors.
        seed: Seed of the random generator (the result is deterministic).
        k: A rank "stays" when it moves by at most ``k`` places.
        spread: Largest relative change of each weight, in (0, 1].
        **options: Options of the aggregator (``normalization``, ``v``).

    Returns:
        :class:`SensitivityResult`.

    Example:
        >>> res = sensitivity([[1, 9], [5, 6], [9, 1]], [0.6, 0.4], draws=200, k=0)
        >>> res.to_frame()["stable_share"].round(2).tolist(), res.top_change_share
        ([1.0, 1.0, 1.0], 0.0)
    """
    n_draws = int(check_number("draws", draws, low=1, high=1_000_000, integer=True))
    n_seed = int(check_number("seed", seed, low=0, high=2**63 - 1, integer=True))
    places = int(check_number("k", k, low=0, high=1_000_000, integer=True))
    share = check_number("spread", spread, low=0, low_open=True, high=1)
    entry, m, prepared, w, settings = run(matrix, weights, benefit, aggregator, options)
    if len(m.values) * n_draws > MAX_CELLS:
        rule = f"alternatives × draws must stay within {MAX_CELLS:,} (use fewer draws)"
        fail("draws", rule, ErrorCode.OUT_OF_RANGE, value=n_draws)
    drawn = _draw_weights(w, n_draws, share, n_seed)
    with np.errstate(all="ignore"):
        base = np.asarray(entry.score(prepared, w, **settings), dtype=float)
        scores = _batch(entry, prepared, drawn, settings)
    base_rank = _ranks(base[:, None], entry.higher_is_better)[:, 0]
    ranks = _ranks(scores, entry.higher_is_better)
    top = int(np.argmin(base_rank))
    changed = ranks[top] != 1
    distance = np.abs(drawn - w).sum(axis=1)
    flip = int(np.argmin(np.where(changed, distance, np.inf))) if changed.any() else None
    table = pd.DataFrame(
        {
            "alternative": m.index,
            "score": base,
            "rank": base_rank,
            "stable_share": (np.abs(ranks - base_rank[:, None]) <= places).mean(axis=1),
            "top_share": (ranks == 1).mean(axis=1),
        }
    )
    card = MethodCard.create(
        "weighting.sensitivity",
        aggregator=aggregator,
        draws=n_draws,
        seed=n_seed,
        k=places,
        spread=share,
        weights=w.tolist(),
        perturbation="uniform relative factor, renormalized",
        **settings,
    )
    return SensitivityResult(
        table=table,
        method=card,
        top_change_share=float(changed.mean()),
        flip_weights=None if flip is None else tuple(drawn[flip].tolist()),
        flip_distance=float("nan") if flip is None else float(distance[flip]),
    )
