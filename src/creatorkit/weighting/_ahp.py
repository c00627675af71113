"""AHP: weights from a pairwise comparison matrix, with Saaty's consistency ratio."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from creatorkit._validation import check_array, check_choice, fail
from creatorkit.errors import ErrorCode
from creatorkit.results import read_only
from creatorkit.weighting._checks import check_matrix
from creatorkit.weighting._results import AHPResult, weight_result

RANDOM_INDEX: Mapping[str, tuple[float, ...]] = read_only(
    {
        # Saaty (1980), The Analytic Hierarchy Process, for n = 1 .. 10.
        "saaty1980": (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49),
    }
)
"""Random-index tables by name: RI for n = 1, 2, ... (selectable with ``random_index=``)."""

RECIPROCAL_TOLERANCE = 1e-6


def _table(random_index: Any) -> tuple[str, tuple[float, ...]]:
    if isinstance(random_index, str):
        name = check_choice("random_index", random_index, RANDOM_INDEX)
        return name, tuple(RANDOM_INDEX[name])
    if isinstance(random_index, Sequence | np.ndarray):
        values = check_array("random_index", random_index, low=0)
        if values.ndim != 1 or values.size < 3 or (values[2:] <= 0).any():
            rule = "a custom table lists RI for n = 1, 2, 3, ... (positive from n = 3)"
            fail("random_index", rule, ErrorCode.INVALID_VALUE, value=values.tolist())
        return "custom", tuple(values.tolist())
    rule = f"must be a table name {sorted(RANDOM_INDEX)} or a list of RI values"
    fail("random_index", rule, ErrorCode.WRONG_TYPE, value=random_index)


def _check_pairwise(a: np.ndarray, criteria: tuple[str, ...]) -> None:
    k = a.shape[0]
    if a.shape != (k, k):
        fail(
            "pairwise",
            "must be square (criteria × criteria)",
            ErrorCode.INVALID_VALUE,
            value=a.shape,
        )
    if (a <= 0).any():
        fail("pairwise", "judgements must be positive", ErrorCode.OUT_OF_RANGE)
    product = a * a.T
    off = np.abs(product - 1.0) > RECIPROCAL_TOLERANCE
    if off.any() or (np.abs(np.diag(a) - 1.0) > RECIPROCAL_TOLERANCE).any():
        i, j = np.argwhere(off | np.diag(np.abs(np.diag(a) - 1.0) > RECIPROCAL_TOLERANCE))[0]
        rule = (
            "must be reciprocal with ones on the diagonal (a[j, i] = 1 / a[i, j]; "
            f"give 1/3, not 0.33): {criteria[i]} vs {criteria[j]} is {a[i, j]:g}, "
            f"the reverse {a[j, i]:g}"
        )
        fail("pairwise", rule, ErrorCode.INCONSISTENT, value=[float(a[i, j]), float(a[j, i])])


def ahp(pairwise: Any, *, random_index: Any = "saaty1980") -> AHPResult:
    """AHP weights: the principal eigenvector of a positive reciprocal pairwise matrix.

    ``pairwise[i, j]`` says how much more important criterion i is than j (Saaty's 1–9
    scale), with ``pairwise[j, i] = 1 / pairwise[i, j]``. λmax is the principal eigenvalue,
    CI = (λmax − n) / (n − 1) and CR = CI / RI(n) from the named random-index table;
    CR below 0.10 is Saaty's usual acceptance. For n ≤ 2 every reciprocal matrix is
    consistent: CI = CR = 0.

    Args:
        pairwise: A square matrix (list of lists, array or DataFrame, whose column names
            become the criteria).
        random_index: ``"saaty1980"`` (n ≤ 10) or a list of RI values for n = 1, 2, ...

    Returns:
        :class:`AHPResult` with ``weights``, ``consistency_ratio``, ``consistency_index``,
        ``lambda_max``, ``random_index`` and ``random_index_table``.

    Raises:
        ValidationError: Not square, not positive, not reciprocal, or larger than the table.

    Example:
        >>> res = ahp([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
        >>> res.weights.round(3).tolist(), round(res.consistency_ratio, 4)
        ([0.637, 0.258, 0.105], 0.0332)
    """
    name, table = _table(random_index)
    m = check_matrix("pairwise", pairwise, min_rows=1)
    a = m.values
    _check_pairwise(a, m.criteria)
    k = a.shape[0]
    if k > len(table):
        rule = f"has {k} criteria; the {name} random-index table stops at {len(table)}"
        fail("pairwise", rule, ErrorCode.OUT_OF_RANGE, value=k)
    values, vectors = np.linalg.eig(a)
    top = int(np.argmax(values.real))
    vector = np.abs(vectors[:, top].real)
    weights = vector / vector.sum()
    lambda_max = float(values[top].real)
    ci = max(0.0, (lambda_max - k) / (k - 1)) if k > 2 else 0.0
    ri = float(table[k - 1])
    cr = ci / ri if k > 2 else 0.0
    return weight_result(
        "ahp",
        weights,
        m.criteria,
        cls=AHPResult,
        parameters={"random_index": name, "table": list(table), "method": "eigenvector"},
        consistency_ratio=cr,
        consistency_index=ci,
        lambda_max=lambda_max,
        random_index=ri,
        random_index_table=name,
    )
