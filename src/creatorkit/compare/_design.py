"""Design of experiments: sample-ratio mismatch, power, sample size and MDE.

Power calculations use the normal approximation of statsmodels' ``NormalIndPower``
(two-sided, both tails counted): for proportions the effect size is Cohen's
``h = 2·asin(√p1) − 2·asin(√p0)``; for means ``d = δ / σ``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from creatorkit._validation import check_array, check_broadcast, check_labels, check_number, fail
from creatorkit.compare._core import Numbers, as_counts, check_alpha
from creatorkit.errors import ErrorCode
from creatorkit.results import MethodCard, TableResult

__all__ = [
    "mde_means",
    "mde_proportions",
    "power_means",
    "power_proportions",
    "sample_size_means",
    "sample_size_proportions",
    "srm",
]


def _h(p1: Any, p0: Any) -> np.ndarray:
    return np.asarray(2.0 * np.arcsin(np.sqrt(p1)) - 2.0 * np.arcsin(np.sqrt(p0)), dtype=float)


def _check_rate(name: str, value: Any) -> np.ndarray:
    array = check_array(name, value)
    if not ((array >= 0) & (array <= 1)).all():
        fail(name, "must be rates in [0, 1]", ErrorCode.OUT_OF_RANGE, value=value)
    return array


def _n(value: Any) -> np.ndarray:
    return check_array("n", value, low=0, low_open=True)


def _std(value: Any) -> np.ndarray:
    return check_array("std", value, low=0, low_open=True)


def _mde(value: Any) -> np.ndarray:
    return check_array("mde", value)


def _power(effect: np.ndarray, n: np.ndarray, ratio: float, alpha: float) -> np.ndarray:
    from scipy.special import ndtr, ndtri

    crit = float(ndtri(1.0 - alpha / 2.0))
    n_eff = n / (1.0 + 1.0 / ratio)
    shift = np.abs(effect) * np.sqrt(n_eff)
    return np.asarray(ndtr(shift - crit) + ndtr(-shift - crit), dtype=float)


def _smallest(
    enough: Callable[[np.ndarray], np.ndarray], low: np.ndarray, high: np.ndarray, steps: int = 80
) -> np.ndarray:
    """The smallest value in [low, high] where the monotone ``enough`` holds (bisection)."""
    for _ in range(steps):
        mid = (low + high) / 2.0
        ok = enough(mid)
        high = np.where(ok, mid, high)
        low = np.where(ok, low, mid)
    return np.asarray(high, dtype=float)


def _size(effect: np.ndarray, power: float, ratio: float, alpha: float) -> np.ndarray:
    """Control-arm size reaching ``power`` (solved exactly, both tails counted)."""
    from scipy.special import ndtri

    crit = float(ndtri(1.0 - alpha / 2.0))
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        base = ((crit + float(ndtri(power))) / np.where(effect != 0, np.abs(effect), np.nan)) ** 2
    if np.isinf(base).any():
        fail(
            "mde",
            "is too small to detect with any sample size a float can hold",
            ErrorCode.OUT_OF_RANGE,
        )
    n = base * (1.0 + 1.0 / ratio)
    # refine: the far tail adds a little power, so solve power(n) = target by bisection
    return _smallest(lambda m: _power(effect, m, ratio, alpha) >= power, n * 0.5, n * 1.0)


def _common(alpha: Any, ratio: Any, power: Any = 0.5) -> tuple[float, float, float]:
    return (
        check_alpha(alpha),
        check_number("ratio", ratio, low=0, low_open=True),
        check_number("power", power, low=0, high=1, low_open=True, high_open=True),
    )


def power_proportions(
    p0: Any, mde: Any, n: Any, *, alpha: float = 0.05, ratio: float = 1.0
) -> np.ndarray:
    """Power to detect an absolute difference ``mde`` from the control rate ``p0``.

    Args:
        p0: Control rate(s).
        mde: Minimum detectable effect: absolute difference in rate.
        n: Control-arm size; the other arm has ``ratio × n``.
        alpha: Two-sided significance level.
        ratio: Size of the other arm relative to the control.

    Example:
        >>> round(float(power_proportions(0.05, 0.01, 8000)), 4)
        0.793
    """
    alpha, ratio, _ = _common(alpha, ratio)
    p0 = _check_rate("p0", p0)
    p1 = _check_rate("mde", p0 + _mde(mde))
    return _power(_h(p1, p0), _n(n), ratio, alpha)


def sample_size_proportions(
    p0: Any, mde: Any, *, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0
) -> np.ndarray:
    """Control-arm size needed to detect ``mde`` with ``power`` (normal approximation, Cohen's h).

    Example:
        >>> round(float(sample_size_proportions(0.05, 0.01)))
        8143
    """
    alpha, ratio, power = _common(alpha, ratio, power)
    p0 = _check_rate("p0", p0)
    p1 = _check_rate("mde", p0 + _mde(mde))
    return _size(_h(p1, p0), power, ratio, alpha)


def mde_proportions(
    p0: Any, n: Any, *, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0
) -> np.ndarray:
    """Smallest absolute increase over ``p0`` detectable with ``n`` per control arm.

    Example:
        >>> round(float(mde_proportions(0.05, 8143)), 4)
        0.01
    """
    alpha, ratio, power = _common(alpha, ratio, power)
    p0 = _check_rate("p0", p0)
    n = _n(n)
    shape = check_broadcast({"p0": p0, "n": n})
    return _smallest(
        lambda d: _power(_h(p0 + d, p0), n, ratio, alpha) >= power,
        np.zeros(shape),
        np.broadcast_to(1.0 - p0, shape).astype(float),
    )


def power_means(
    mde: Any, std: Any, n: Any, *, alpha: float = 0.05, ratio: float = 1.0
) -> np.ndarray:
    """Power to detect a difference ``mde`` in means with standard deviation ``std``.

    Example:
        >>> round(float(power_means(1.0, 10.0, 1571)), 3)
        0.8
    """
    alpha, ratio, _ = _common(alpha, ratio)
    return _power(_mde(mde) / _std(std), _n(n), ratio, alpha)


def sample_size_means(
    mde: Any, std: Any, *, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0
) -> np.ndarray:
    """Control-arm size needed to detect ``mde`` in means (normal approximation).

    Example:
        >>> round(float(sample_size_means(1.0, 10.0)))
        1570
    """
    alpha, ratio, power = _common(alpha, ratio, power)
    return _size(_mde(mde) / _std(std), power, ratio, alpha)


def mde_means(
    std: Any, n: Any, *, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0
) -> np.ndarray:
    """Smallest difference in means detectable with ``n`` per control arm.

    Example:
        >>> round(float(mde_means(10.0, 1570)), 3)
        1.0
    """
    alpha, ratio, power = _common(alpha, ratio, power)
    std, n = _std(std), _n(n)
    d = _smallest(
        lambda e: _power(e, n, ratio, alpha) >= power, np.zeros(n.shape), np.full(n.shape, 100.0)
    )
    return np.asarray(d * std, dtype=float)


def srm(
    observed: Numbers,
    expected: Sequence[float] | None = None,
    *,
    labels: Iterable[Any] | None = None,
    alpha: float = 0.001,
) -> TableResult:
    """Sample-ratio mismatch: Pearson chi-square goodness of fit of arm sizes.

    Args:
        observed: Units (users, sessions) per arm.
        expected: Intended shares (any positive weights); equal by default.
        labels: Arm names.
        alpha: Threshold below which the split is flagged (0.001 is customary).

    Returns:
        A table with one row: ``statistic``, ``df``, ``p_value``, ``mismatch``, plus per-arm
        ``observed`` and ``expected`` in ``method`` parameters.

    Example:
        >>> res = srm([5000, 5230])
        >>> res.to_frame()[["statistic", "p_value", "mismatch"]].round(4).to_dict("records")
        [{'statistic': 5.1711, 'p_value': 0.023, 'mismatch': False}]
    """
    import pandas as pd
    from scipy.special import chdtrc

    counts = as_counts("observed", observed)
    if len(counts) < 2 or counts.sum() == 0:
        fail("observed", "need at least two arms and some units", ErrorCode.INVALID_VALUE)
    alpha = check_alpha(alpha)
    weights = (
        np.ones(len(counts))
        if expected is None
        else check_array("expected", expected, low=0.0, low_open=True)
    )
    if weights.shape != counts.shape:
        fail(
            "expected",
            "must be one positive weight per arm",
            ErrorCode.INVALID_VALUE,
            value=expected,
        )
    exp = counts.sum() * weights / weights.sum()
    stat = float(((counts - exp) ** 2 / exp).sum())
    df = len(counts) - 1
    p = float(chdtrc(df, stat))
    names = (
        check_labels("labels", labels, len(counts))
        if labels is not None
        else [str(i) for i in range(len(counts))]
    )
    table = pd.DataFrame({"statistic": [stat], "df": [df], "p_value": [p], "mismatch": [p < alpha]})
    card = MethodCard.create(
        "compare.srm",
        observed=dict(zip(names, counts.tolist(), strict=True)),
        expected=dict(zip(names, exp.tolist(), strict=True)),
        alpha=alpha,
    )
    return TableResult(table=table, method=card)
