"""Aggregators: normalized matrix + weights → scores, registered by name.

Every aggregator runs in two steps: ``prepare`` turns the (checked) matrix into a
weight-free matrix once — the directed normalized matrix for weighted sum, weighted product
and TOPSIS, the regret matrix for VIKOR — and ``score`` combines it with weights. ``batch``
scores many weight vectors at once (a matrix product where the method allows it), which is
what :func:`creatorkit.weighting.sensitivity` uses; ``attribute`` splits each score into
per-criterion contributions that sum to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import divide
from creatorkit._validation import check_choice, check_number, did_you_mean, fail
from creatorkit.errors import ErrorCode
from creatorkit.registry import Registry
from creatorkit.results import read_only
from creatorkit.weighting import _normalizers
from creatorkit.weighting._checks import Matrix, check_directions, check_matrix, check_weights


@attrs.frozen(kw_only=True)
class Aggregator:
    """A registered aggregator.

    Attributes:
        name: Registry name.
        score: ``score(prepared, weights, **options) -> (n,)`` scores.
        prepare: ``prepare(x, benefit, **options) -> prepared``, the weight-free matrix
            (default: :func:`directed` — normalized with ``normalization=`` when given).
        batch: ``batch(prepared, W, **options) -> (n, d)`` for ``d`` weight rows
            (default: ``score`` once per row).
        attribute: ``attribute(prepared, weights, **options) -> (n, k)`` contributions that
            sum to the score, or ``None`` when the method has no attribution.
        higher_is_better: ``False`` for methods where the smallest score ranks first (VIKOR).
        options: Option names and their defaults.
        attribution: How a score is split among criteria, in words (for the docs).

    Example:
        >>> from creatorkit.weighting import aggregators
        >>> vikor = aggregators.get("vikor")
        >>> vikor.higher_is_better, dict(vikor.options)
        (False, {'v': 0.5})
        >>> aggregators.get("weighted_sum").attribution
        'exact: contribution_j = w_j · r_ij'
    """

    name: str
    score: Callable[..., np.ndarray]
    prepare: Callable[..., np.ndarray] | None = None
    batch: Callable[..., np.ndarray] | None = None
    attribute: Callable[..., np.ndarray] | None = None
    higher_is_better: bool = True
    options: Mapping[str, Any] = attrs.field(factory=dict, converter=read_only)
    attribution: str = ""


class VikorScores(NamedTuple):
    """VIKOR's three measures per alternative (smaller is better for each).

    Example:
        >>> from creatorkit.weighting import vikor
        >>> res = vikor([[1, 3], [2, 2], [3, 1]], [0.5, 0.5])
        >>> res.q.tolist(), res.r.tolist()
        ([0.5, 0.0, 0.5], [0.5, 0.25, 0.5])
    """

    s: np.ndarray
    """Group utility S: the weighted sum of normalized regrets."""
    r: np.ndarray
    """Individual regret R: the largest weighted normalized regret."""
    q: np.ndarray
    """Compromise Q = v (S − S*) / (S⁻ − S*) + (1 − v) (R − R*) / (R⁻ − R*)."""


def directed(
    x: np.ndarray, benefit: np.ndarray, *, normalization: str | None = None, **_: Any
) -> np.ndarray:
    """The matrix normalized with ``normalization`` (cost inverted), or as given when None."""
    if normalization is None:
        if not benefit.all():
            rule = (
                "this aggregator takes a normalized matrix (more is better); pass "
                "normalization='minmax' (or another normalizer) to normalize cost criteria here"
            )
            fail("benefit", rule, ErrorCode.INVALID_VALUE, value=benefit.tolist())
        return x
    entry = _normalizers.normalizers.get(normalization)
    m = Matrix(
        values=x, criteria=tuple(str(j) for j in range(x.shape[1])), index=pd.RangeIndex(len(x))
    )
    return _normalizers.apply(m, entry, benefit, None, {})


# --- weighted sum and product -----------------------------------------------------------


def _sum_score(r: np.ndarray, w: np.ndarray, **_: Any) -> np.ndarray:
    return np.asarray(r @ w)


def _sum_batch(r: np.ndarray, w: np.ndarray, **_: Any) -> np.ndarray:
    return np.asarray(r @ w.T)


def _sum_attribute(r: np.ndarray, w: np.ndarray, **_: Any) -> np.ndarray:
    return np.asarray(r * w)


def _positive(x: np.ndarray, benefit: np.ndarray, **options: Any) -> np.ndarray:
    r = directed(x, benefit, **options)
    if (r < 0).any():
        rows = np.flatnonzero((r < 0).any(axis=1))
        rule = "weighted_product needs non-negative normalized values (use minmax, max, sum, ...)"
        fail("matrix", rule, ErrorCode.NEGATIVE, value=rows[:5].tolist())
    return r


def _logs(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    zero = r == 0
    with np.errstate(divide="ignore"):
        logs = np.log(np.where(zero, 1.0, r))
    return logs, zero


def _product_batch(r: np.ndarray, w: np.ndarray, **_: Any) -> np.ndarray:
    logs, zero = _logs(r)
    vanish = (zero.astype(float) @ (w > 0).T.astype(float)) > 0
    with np.errstate(over="ignore"):
        scores = np.exp(logs @ w.T)
    return np.where(vanish, 0.0, scores)


def _product_score(r: np.ndarray, w: np.ndarray, **_: Any) -> np.ndarray:
    return _product_batch(r, w[None, :])[:, 0]


def _product_attribute(r: np.ndarray, w: np.ndarray, **_: Any) -> np.ndarray:
    logs = _logs(r)[0]
    terms = logs * w
    total = terms.sum(axis=1, keepdims=True)
    score = _product_score(r, w)[:, None]
    shares = divide(terms, np.broadcast_to(total, terms.shape))
    fallback = np.broadcast_to(w / w.sum(), terms.shape)
    shares = np.where(np.isnan(shares), fallback, shares)
    return np.where(score == 0, 0.0, score * shares)


# --- TOPSIS ---------------------------------------------------------------------------


def _topsis_prepare(
    x: np.ndarray, benefit: np.ndarray, *, normalization: str | None = "vector", **_: Any
) -> np.ndarray:
    if normalization is None:  # an already normalized matrix: cost columns are read as they are
        r = x.copy()
        if not benefit.all():
            r[:, ~benefit] = -r[:, ~benefit]  # ideal = smallest; distances are unchanged
        return r
    return directed(x, benefit, normalization=normalization)


def _distances(r: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    best = r.max(axis=0)
    worst = r.min(axis=0)
    to_best = (best - r) * w
    to_worst = (r - worst) * w
    return to_best, to_worst


def _gap(r: np.ndarray, target: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted Euclidean distance of each row from ``target`` (one temporary matrix)."""
    t = r - target
    t *= w
    return np.asarray(np.sqrt(np.einsum("ij,ij->i", t, t)))


def _topsis_score(r: np.ndarray, w: np.ndarray, **_: Any) -> np.ndarray:
    plus = _gap(r, r.max(axis=0), w)
    minus = _gap(r, r.min(axis=0), w)
    closeness = divide(minus, plus + minus)
    closeness[np.isnan(closeness)] = 0.5  # every alternative at once ideal and anti-ideal
    return closeness


def _topsis_batch(r: np.ndarray, w: np.ndarray, **_: Any) -> np.ndarray:
    gap_best = (r.max(axis=0) - r) ** 2
    gap_worst = (r - r.min(axis=0)) ** 2
    plus = np.sqrt(gap_best @ (w * w).T)
    minus = np.sqrt(gap_worst @ (w * w).T)
    closeness = divide(minus, plus + minus)
    closeness[np.isnan(closeness)] = 0.5
    return closeness


def _topsis_attribute(r: np.ndarray, w: np.ndarray, **_: Any) -> np.ndarray:
    to_worst = _distances(r, w)[1]
    squared = to_worst * to_worst
    total = squared.sum(axis=1, keepdims=True)
    shares = divide(squared, np.broadcast_to(total, squared.shape))
    score = _topsis_score(r, w)[:, None]
    fallback = np.broadcast_to(w / w.sum(), squared.shape)
    return score * np.where(np.isnan(shares), fallback, shares)


# --- VIKOR ----------------------------------------------------------------------------


def _vikor_prepare(x: np.ndarray, benefit: np.ndarray, **_: Any) -> np.ndarray:
    best = np.where(benefit, x.max(axis=0), x.min(axis=0))
    worst = np.where(benefit, x.min(axis=0), x.max(axis=0))
    regret = divide(best - x, np.broadcast_to(best - worst, x.shape))
    regret[np.isnan(regret)] = 0.0  # a constant criterion: nobody regrets it
    return regret


def _rescale(values: np.ndarray) -> np.ndarray:
    low = values.min(axis=0)
    span = values.max(axis=0) - low
    out = divide(values - low, np.broadcast_to(span, values.shape))
    out[np.isnan(out)] = 0.0
    return out


def _vikor_parts(regret: np.ndarray, w: np.ndarray, v: float) -> VikorScores:
    terms = regret * w
    s = terms.sum(axis=1)
    r = terms.max(axis=1)
    q = v * _rescale(s) + (1.0 - v) * _rescale(r)
    return VikorScores(s=s, r=r, q=q)


def _check_v(v: Any) -> float:
    return check_number("v", v, low=0, high=1)


def _vikor_score(regret: np.ndarray, w: np.ndarray, *, v: float = 0.5, **_: Any) -> np.ndarray:
    return _vikor_parts(regret, w, _check_v(v)).q


def _vikor_batch(regret: np.ndarray, w: np.ndarray, *, v: float = 0.5, **_: Any) -> np.ndarray:
    share = _check_v(v)
    s = regret @ w.T
    chunk = max(1, 4_000_000 // max(1, regret.size))
    r = np.concatenate(
        [
            (regret[:, None, :] * w[None, i : i + chunk, :]).max(axis=2)
            for i in range(0, len(w), chunk)
        ],
        axis=1,
    )
    return share * _rescale(s) + (1.0 - share) * _rescale(r)


def _vikor_attribute(regret: np.ndarray, w: np.ndarray, *, v: float = 0.5, **_: Any) -> np.ndarray:
    share = _check_v(v)
    terms = regret * w
    parts = _vikor_parts(regret, w, share)
    s_part = share * _rescale(parts.s)
    r_part = (1.0 - share) * _rescale(parts.r)
    split = divide(terms, np.broadcast_to(parts.s[:, None], terms.shape))
    split = np.where(np.isnan(split), np.broadcast_to(w / w.sum(), terms.shape), split)
    first_max = np.zeros_like(terms)
    first_max[np.arange(len(terms)), np.argmax(terms, axis=1)] = 1.0
    return np.asarray(s_part[:, None] * split + r_part[:, None] * first_max)


def _check_entry(name: str, obj: Any) -> None:
    if not isinstance(obj, Aggregator):
        rule = f"{name!r} must be an Aggregator, got {type(obj).__name__}"
        fail("aggregator", rule, ErrorCode.WRONG_TYPE, value=type(obj).__name__)
    if obj.name != name:
        rule = f"registered as {name!r} but the aggregator is named {obj.name!r}"
        fail("aggregator", rule, ErrorCode.INCONSISTENT, value=obj.name)


aggregators: Registry[Aggregator] = Registry("aggregator", check=_check_entry)
"""The aggregator registry (thread-safe, freezable)."""

aggregators.register(
    "weighted_sum",
    Aggregator(
        name="weighted_sum",
        score=_sum_score,
        batch=_sum_batch,
        attribute=_sum_attribute,
        options={"normalization": None},
        attribution="exact: contribution_j = w_j · r_ij",
    ),
)
aggregators.register(
    "weighted_product",
    Aggregator(
        name="weighted_product",
        score=_product_score,
        prepare=_positive,
        batch=_product_batch,
        attribute=_product_attribute,
        options={"normalization": None},
        attribution="log shares: contribution_j = score · w_j ln r_ij / Σ_k w_k ln r_ik",
    ),
)
aggregators.register(
    "topsis",
    Aggregator(
        name="topsis",
        score=_topsis_score,
        prepare=_topsis_prepare,
        batch=_topsis_batch,
        attribute=_topsis_attribute,
        options={"normalization": "vector"},
        attribution="shares of the squared distance to the anti-ideal: score · d⁻_ij² / D⁻_i²",
    ),
)
aggregators.register(
    "vikor",
    Aggregator(
        name="vikor",
        score=_vikor_score,
        prepare=_vikor_prepare,
        batch=_vikor_batch,
        attribute=_vikor_attribute,
        higher_is_better=False,
        options={"v": 0.5},
        attribution=(
            "Q's S part split by each criterion's share of S; its R part to the criterion "
            "with the largest weighted regret"
        ),
    ),
)


def run(
    matrix: Any, weights: Any, benefit: Any, method: str, options: dict[str, Any]
) -> tuple[Aggregator, Matrix, np.ndarray, np.ndarray, dict[str, Any]]:
    """Check everything an aggregator needs and prepare its weight-free matrix."""
    entry = aggregators.get(method)
    unknown = sorted(set(options) - set(entry.options))
    if unknown:
        rule = f"{method} has no option {unknown[0]!r}.{did_you_mean(unknown[0], entry.options)}"
        fail("options", rule, ErrorCode.UNKNOWN_NAME, value=unknown[0])
    settings = {**entry.options, **options}
    if settings.get("normalization") is not None:
        check_choice("normalization", settings["normalization"], _normalizers.normalizers.names())
    m = check_matrix("matrix", matrix)
    w = check_weights("weights", weights, len(m.criteria))
    direction = check_directions("benefit", benefit, len(m.criteria))
    prepare = entry.prepare or directed
    with np.errstate(all="ignore"):  # divisions are explicit; this guards custom code
        prepared = np.asarray(prepare(m.values, direction, **settings), dtype=float)
    return entry, m, prepared, w, settings
