"""Results of weight methods and of the sensitivity analysis (the one result contract)."""

from __future__ import annotations

from typing import Any, TypeVar

import attrs
import numpy as np
import pandas as pd

from creatorkit.results import Copied, MethodCard, Note, Result


def _names(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _frozen_array(value: Any) -> np.ndarray:
    array = np.array(value, dtype=float)
    array.setflags(write=False)
    return array


@attrs.frozen(kw_only=True, eq=False)
class WeightResult(Result):
    """Weights summing to 1, one per criterion, with the method's diagnostics.

    Usable wherever weights are expected (``np.asarray(result)`` gives the weights).

    Attributes:
        weights: The weights (a read-only float array), in criterion order.
        criteria: Criterion names.
        table: One row per criterion: ``criterion``, ``weight`` and the method's
            diagnostics (``entropy`` and ``divergence`` for entropy; ``std`` and
            ``information`` for CRITIC; ``std`` for std; ``rank`` for ROC and rank-sum).
        correlation: CRITIC's correlation matrix (Pearson, on the directed min-max matrix);
            ``None`` for other methods.

    Example:
        >>> from creatorkit import weighting
        >>> res = weighting.manual([1, 1, 2])
        >>> res.weights.tolist(), [n.code for n in res.warnings]
        ([0.25, 0.25, 0.5], ['weights_normalized'])
    """

    _frame_field = "table"
    weights: np.ndarray = attrs.field(converter=_frozen_array)
    criteria: tuple[str, ...] = attrs.field(converter=_names)
    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    _correlation: pd.DataFrame | None = None
    correlation = Copied[pd.DataFrame | None]()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.array(self.weights, dtype=dtype)

    def __len__(self) -> int:
        return len(self.weights)


W = TypeVar("W", bound=WeightResult)


@attrs.frozen(kw_only=True, eq=False)
class AHPResult(WeightResult):
    """AHP weights (principal eigenvector) with Saaty's consistency diagnostics.

    Attributes:
        consistency_ratio: CI / RI (0 for 1 or 2 criteria, where RI is 0 and every
            reciprocal matrix is consistent); below 0.10 is Saaty's usual threshold.
        consistency_index: (λmax − n) / (n − 1).
        lambda_max: Principal eigenvalue of the pairwise matrix.
        random_index: The random index used, from ``random_index_table``.
        random_index_table: Name of the table (``"saaty1980"`` by default).

    Example:
        >>> from creatorkit.weighting import ahp
        >>> res = ahp([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
        >>> res.weights.round(3).tolist(), round(res.lambda_max, 4), res.random_index
        ([0.637, 0.258, 0.105], 3.0385, 0.58)
        >>> res.consistency_ratio < 0.10, res.random_index_table
        (True, 'saaty1980')
    """

    consistency_ratio: float
    consistency_index: float
    lambda_max: float
    random_index: float
    random_index_table: str


@attrs.frozen(kw_only=True, eq=False)
class SensitivityResult(Result):
    """Rank stability of each alternative under random perturbations of the weights.

    Attributes:
        table: One row per alternative: ``alternative``, ``score``, ``rank`` (1 = best, ties
            by row order), ``stable_share`` (share of draws whose rank stays within ``±k``),
            ``top_share`` (share of draws in which it ranks first).
        top_change_share: Share of draws in which the top alternative changes.
        flip_weights: Among those draws, the weights closest (L1) to the given ones, or
            ``None`` when the top never changed.
        flip_distance: Their L1 distance from the given weights (``NaN`` when none).

    Example:
        >>> from creatorkit.weighting import sensitivity
        >>> res = sensitivity([[1, 9], [5, 6], [9, 1]], [0.6, 0.4], draws=200)
        >>> res.table[["alternative", "rank", "top_share"]]
           alternative  rank  top_share
        0            0     3      0.000
        1            1     2      0.075
        2            2     1      0.925
        >>> res.top_change_share, [round(w, 3) for w in res.flip_weights]
        (0.075, [0.534, 0.466])
    """

    _frame_field = "table"
    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    top_change_share: float
    flip_weights: tuple[float, ...] | None
    flip_distance: float


def weight_result(
    name: str,
    weights: np.ndarray,
    criteria: tuple[str, ...],
    *,
    diagnostics: dict[str, np.ndarray] | None = None,
    correlation: np.ndarray | None = None,
    notes: tuple[Note, ...] = (),
    cls: type[W] = WeightResult,  # type: ignore[assignment]
    parameters: dict[str, Any] | None = None,
    **extra: Any,
) -> W:
    """Build a weight result: the table, the card and the notes."""
    table = pd.DataFrame({"criterion": list(criteria), "weight": weights, **(diagnostics or {})})
    corr = None
    if correlation is not None:
        corr = pd.DataFrame(correlation, columns=list(criteria))
        corr.insert(0, "criterion", list(criteria))
    card = MethodCard.create(f"weighting.{name}", **(parameters or {}))
    return cls(
        weights=weights,
        criteria=criteria,
        table=table,
        correlation=corr,
        method=card,
        warnings=notes,
        **extra,
    )
