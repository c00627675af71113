"""Normalizers: values (+ peer groups) → values, registered by name.

A normalizer turns each criterion (column) into a score where more is better: cost
criteria (``benefit=False``) are inverted *here*, never by a sign trick of the caller.
Within peer groups, every statistic (minimum, maximum, mean, median, rank, sum) is taken
per group on the codes of :func:`creatorkit._grouping.group`, with no loop over groups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import divide
from creatorkit._validation import Problems, check_array, check_number, did_you_mean, fail
from creatorkit.errors import ErrorCode
from creatorkit.registry import Registry
from creatorkit.results import read_only
from creatorkit.weighting import _peers
from creatorkit.weighting._checks import Matrix, check_directions, check_matrix

NormalizerFunction = Callable[..., np.ndarray]
MAD_SCALE = 1.482602218505602
"""1 / Φ⁻¹(3/4): the scaled MAD estimates the standard deviation of normal data."""


@attrs.frozen(kw_only=True)
class Normalizer:
    """A registered normalizer.

    Attributes:
        name: Registry name.
        function: ``function(x, benefit, codes, **options)``: ``x`` is an ``(n, k)`` float
            array, ``benefit`` a ``(k,)`` bool array, ``codes`` ``None`` or the peer-group
            code of each row (``0 .. g - 1``); returns an ``(n, k)`` array, more is better.
        options: Option names and their defaults.
        low: Smallest value the normalizer accepts (``None``: any finite value).
        cost_positive: Cost criteria must be strictly positive (reciprocals).
        description: One line for the docs and ``repr``.

    Example:
        >>> minmax = normalizers.get("minmax")
        >>> minmax.description
        '(x − min) / (max − min); cost: (max − x) / (max − min); no spread → 0.5.'
        >>> x = np.array([[1.0, 10.0], [3.0, 20.0]])
        >>> minmax.function(x, np.array([True, False]), None).tolist()
        [[0.0, 1.0], [1.0, 0.0]]
    """

    name: str
    function: NormalizerFunction
    options: Mapping[str, Any] = attrs.field(factory=dict, converter=read_only)
    low: float | None = None
    cost_positive: bool = False
    description: str = ""


def _invert(
    r: np.ndarray, benefit: np.ndarray, flip: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    if not benefit.all():
        r[:, ~benefit] = flip(r[:, ~benefit])
    return r


def _fill(r: np.ndarray, value: float) -> np.ndarray:
    r[np.isnan(r)] = value
    return r


def minmax(x: np.ndarray, benefit: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    """(x − min) / (max − min); cost: (max − x) / (max − min); no spread → 0.5."""
    low, high = _peers.extreme(x, codes)
    r = _fill(divide(x - low, high - low), 0.5)
    return _invert(r, benefit, lambda v: 1.0 - v)


def zscore(x: np.ndarray, benefit: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    """(x − mean) / std (ddof = 0, as ``scipy.stats.zscore``); cost negated; no spread → 0."""
    low, high = _peers.extreme(x, codes)  # equal values: a std of rounding noise is no spread
    spread = np.where(high > low, _peers.std(x, codes), 0.0)
    r = _fill(divide(x - _peers.mean(x, codes), spread), 0.0)
    return _invert(r, benefit, np.negative)


def robust(x: np.ndarray, benefit: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    """(x − median) / (1.4826 · MAD); cost negated; MAD of 0 → 0."""
    centre = _peers.median(x, codes)
    mad = _peers.median(np.abs(x - centre), codes) * MAD_SCALE
    r = _fill(divide(x - centre, mad), 0.0)
    return _invert(r, benefit, np.negative)


def percentile(x: np.ndarray, benefit: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    """Rank / n with ties averaged (pandas ``rank(pct=True)``); cost: (n + 1 − rank) / n."""
    out = np.empty_like(x)
    for j in range(x.shape[1]):  # a loop over criteria, never over rows or groups
        _peers.percentile(x[:, j], codes, bool(benefit[j]), out=out[:, j])
    return out


def log(x: np.ndarray, benefit: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    """Min-max of log1p(x) (counts, x ≥ 0); cost inverted; no spread → 0.5."""
    return minmax(np.log1p(x), benefit, codes)


def vector(x: np.ndarray, benefit: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    """Divide by √Σx² (Hwang & Yoon); cost: 1 − x / √Σx²; a zero column → 0 (cost: 1)."""
    with np.errstate(over="ignore"):
        squares = (
            np.einsum("ij,ij->j", x, x)[None, :] if codes is None else _peers.total(x * x, codes)
        )
    norm = np.sqrt(squares)
    if not np.isfinite(norm).all():  # squares beyond float range: scale first
        peak = np.abs(x).max(axis=0, keepdims=True)
        norm = peak * np.sqrt(_peers.total((x / peak) ** 2, codes))
    scale = _fill(divide(1.0, norm), 0.0)
    r = x * np.where(benefit, scale, -scale)  # one pass; a cost column becomes 1 − x / ‖x‖
    if not benefit.all():
        r += np.where(benefit, 0.0, 1.0)
    return r


def sum_(x: np.ndarray, benefit: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    """Shares: x / Σx (x ≥ 0); cost: (1/x) / Σ(1/x) (x > 0); a zero column → 1 / n."""
    y = x.copy()
    if not benefit.all():
        y[:, ~benefit] = 1.0 / y[:, ~benefit]
    share = divide(y, _peers.total(y, codes))
    nan = np.isnan(share)
    if nan.any():
        share[nan] = np.broadcast_to(1.0 / _peers.size(codes, len(x)), share.shape)[nan]
    return share


def max_(x: np.ndarray, benefit: np.ndarray, codes: np.ndarray | None) -> np.ndarray:
    """Divide by the maximum: x / max (x ≥ 0); cost: 1 − x / max; a zero column → 0 (cost: 1)."""
    r = _fill(divide(x, _peers.extreme(x, codes)[1]), 0.0)
    return _invert(r, benefit, lambda v: 1.0 - v)


def kpi(
    x: np.ndarray,
    benefit: np.ndarray,
    codes: np.ndarray | None,
    *,
    target: Any = None,
    cap: float = 1.0,
) -> np.ndarray:
    """KPI-target attainment: min(x / target, cap), at least 0; cost: min(target / x, cap).

    A cost value of 0 or less (a cost below any target) attains ``cap``.
    """
    if target is None:
        fail(
            "target", "kpi normalization needs target= (one or one per criterion)", ErrorCode.EMPTY
        )
    goal = check_array("target", target, low=0, low_open=True)
    if goal.ndim == 1 and len(goal) not in (1, x.shape[1]):
        rule = f"must be one target or one per criterion ({x.shape[1]})"
        fail("target", rule, ErrorCode.INVALID_VALUE, value=len(goal))
    ceiling = check_number("cap", cap, low=0, low_open=True)
    ratio = np.where(benefit, x / goal, divide(goal, np.where(x > 0, x, 0.0)))
    return np.asarray(np.clip(_fill(ratio, ceiling), 0.0, ceiling))


def _check_entry(name: str, obj: Any) -> None:
    if not isinstance(obj, Normalizer):
        rule = f"{name!r} must be a Normalizer, got {type(obj).__name__}"
        fail("normalizer", rule, ErrorCode.WRONG_TYPE, value=type(obj).__name__)
    if obj.name != name:
        rule = f"registered as {name!r} but the normalizer is named {obj.name!r}"
        fail("normalizer", rule, ErrorCode.INCONSISTENT, value=obj.name)
    if not callable(obj.function):
        fail("normalizer", "function must be callable", ErrorCode.WRONG_TYPE, value=name)


normalizers: Registry[Normalizer] = Registry("normalizer", check=_check_entry)
"""The normalizer registry (thread-safe, freezable)."""

for _name, _fn, _low, _cost_positive, _options in (
    ("minmax", minmax, None, False, {}),
    ("zscore", zscore, None, False, {}),
    ("robust", robust, None, False, {}),
    ("percentile", percentile, None, False, {}),
    ("log", log, 0.0, False, {}),
    ("vector", vector, None, False, {}),
    ("sum", sum_, 0.0, True, {}),
    ("max", max_, 0.0, False, {}),
    ("kpi", kpi, None, False, {"target": None, "cap": 1.0}),
):
    normalizers.register(
        _name,
        Normalizer(
            name=_name,
            function=_fn,
            options=_options,
            low=_low,
            cost_positive=_cost_positive,
            description=(_fn.__doc__ or "").splitlines()[0],
        ),
    )


def _check_domain(entry: Normalizer, m: Matrix, benefit: np.ndarray) -> None:
    problems = Problems("values")
    for j, name in enumerate(m.criteria):
        column = m.values[:, j]
        if entry.low is not None:
            rule = f"{entry.name} normalization needs values >= {entry.low:g}"
            problems.add_mask(name, column < entry.low, m.index, column, rule, ErrorCode.NEGATIVE)
        if entry.cost_positive and not benefit[j]:
            rule = f"{entry.name} normalization of a cost criterion needs values > 0"
            bad = (column <= 0) & (column >= (entry.low if entry.low is not None else -np.inf))
            problems.add_mask(name, bad, m.index, column, rule, ErrorCode.OUT_OF_RANGE)
    problems.raise_if_any()


def apply(
    m: Matrix,
    entry: Normalizer,
    benefit: np.ndarray,
    codes: np.ndarray | None,
    options: dict[str, Any],
) -> np.ndarray:
    """Run a normalizer on a checked matrix (domain checked, options named)."""
    unknown = sorted(set(options) - set(entry.options))
    if unknown:
        rule = (
            f"{entry.name} has no option {unknown[0]!r}.{did_you_mean(unknown[0], entry.options)}"
        )
        fail("options", rule, ErrorCode.UNKNOWN_NAME, value=unknown[0])
    _check_domain(entry, m, benefit)
    with np.errstate(all="ignore"):  # every division is explicit; this guards custom code
        out = np.asarray(entry.function(m.values, benefit, codes, **options), dtype=float)
    if out.shape != m.values.shape:
        rule = f"normalizer {entry.name!r} returned shape {out.shape}, expected {m.values.shape}"
        fail("method", rule, ErrorCode.INCONSISTENT, value=entry.name)
    return out


def normalize(
    values: Any,
    method: str = "minmax",
    *,
    benefit: Any = True,
    groups: Any = None,
    **options: Any,
) -> Any:
    """Normalize values (one criterion, or each column of a matrix) so that more is better.

    Args:
        values: A list, 1-D array or Series (one criterion), or a 2-D array or DataFrame
            (alternatives in rows, criteria in columns). Must be finite.
        method: A registered normalizer: ``minmax``, ``zscore``, ``robust`` (median/MAD),
            ``percentile`` (ties averaged), ``log`` (min-max of log1p, counts), ``vector``,
            ``sum``, ``max`` or ``kpi`` (attainment of ``target=``, capped at ``cap=``).
        benefit: ``True``/``"benefit"`` or ``False``/``"cost"``, or one per column; cost
            criteria are inverted by the normalizer.
        groups: Peer-group labels, one per row (or a frame of key columns): every statistic
            is taken within each group.
        **options: Options of the normalizer (``target``, ``cap`` for ``kpi``).

    Returns:
        The same shape and kind as ``values`` (array, Series or DataFrame), as floats.

    Raises:
        ValidationError: Non-finite values (rows and columns named), an unknown method or
            direction (did-you-mean), values outside the normalizer's domain.

    Example:
        >>> normalize([1.0, 2.0, 4.0], "minmax").tolist()
        [0.0, 0.3333333333333333, 1.0]
        >>> normalize([10, 20, 20, 40], "percentile", benefit="cost").tolist()
        [1.0, 0.625, 0.625, 0.25]
        >>> normalize([1.0, 3.0, 10.0, 30.0], groups=["a", "a", "b", "b"]).tolist()
        [0.0, 1.0, 0.0, 1.0]
    """
    entry = normalizers.get(method)
    one = isinstance(values, pd.Series) or (
        not isinstance(values, pd.DataFrame) and np.ndim(values) == 1
    )
    frame = values if isinstance(values, pd.DataFrame) else None
    if one:
        name = (
            str(values.name)
            if isinstance(values, pd.Series) and values.name is not None
            else "values"
        )
        shaped = (
            pd.DataFrame({name: values}) if isinstance(values, pd.Series) else np.asarray(values)
        )
        m = check_matrix(
            "values", shaped if isinstance(shaped, pd.DataFrame) else _column(shaped), min_rows=1
        )
    else:
        m = check_matrix("values", values, min_rows=1)
    direction = check_directions("benefit", benefit, len(m.criteria))
    codes = _peers.codes_of(groups, len(m.values))
    out = apply(m, entry, direction, codes, options)
    if isinstance(values, pd.Series):
        return pd.Series(out[:, 0], index=values.index, name=values.name)
    if frame is not None:
        return pd.DataFrame(out, index=frame.index, columns=frame.columns)
    return out[:, 0] if one else out


def _column(array: np.ndarray) -> Any:
    return array.reshape(-1, 1) if array.dtype.kind in "iuf" else pd.DataFrame({"values": array})
