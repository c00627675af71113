"""Design of experiments: sample-ratio mismatch, power, sample size and MDE.

Power calculations use the normal approximation of statsmodels' ``NormalIndPower``: for
proportions the effect size is Cohen's ``h = 2·asin(√p1) − 2·asin(√p0)``; for means
``d = δ / σ``. ``alternative="two-sided"`` counts both tails (as statsmodels);
``"greater"`` / ``"less"`` are one-sided (statsmodels' ``"larger"`` / ``"smaller"``).

Impossible inputs are errors: ``n ≤ 0``, ``std ≤ 0``, a baseline rate outside (0, 1),
``mde = 0``, an ``mde`` against a one-sided alternative (it can never be detected) and
``power ≤ alpha``. An MDE that no difference within the rate's range reaches is NaN, never
the edge of the search.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from creatorkit._arith import divide
from creatorkit._validation import check_array, check_broadcast, check_labels, check_number, fail
from creatorkit.compare._core import (
    Numbers,
    as_counts,
    check_alpha,
    check_alternative,
    quantile,
)
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


def _baseline(value: Any) -> np.ndarray:
    """Baseline rates strictly inside (0, 1): at 0 or 1 no difference has a variance."""
    array = check_array("p0", value)
    if not ((array > 0) & (array < 1)).all():
        fail("p0", "must be rates in (0, 1)", ErrorCode.OUT_OF_RANGE, value=value)
    return array


def _target(p0: np.ndarray, mde: np.ndarray) -> np.ndarray:
    p1 = np.asarray(p0 + mde, dtype=float)
    if not ((p1 >= 0) & (p1 <= 1)).all():
        fail("mde", "must keep p0 + mde within [0, 1]", ErrorCode.OUT_OF_RANGE, value=mde)
    return p1


def _n(value: Any) -> np.ndarray:
    return check_array("n", value, low=0, low_open=True)


def _std(value: Any) -> np.ndarray:
    return check_array("std", value, low=0, low_open=True)


def _mde(value: Any, alternative: str | None = None) -> np.ndarray:
    """A non-zero effect; for a sample size also one on the side of a one-sided test."""
    array = check_array("mde", value)
    if (array == 0).any():
        fail("mde", "must not be 0 (no sample size detects no effect)", ErrorCode.OUT_OF_RANGE)
    if alternative not in ("greater", "less"):
        return array
    wrong = array < 0 if alternative == "greater" else array > 0
    if wrong.any():
        side = "positive" if alternative == "greater" else "negative"
        rule = f"must be {side} for alternative={alternative!r}: it could never be detected"
        fail("mde", rule, ErrorCode.OUT_OF_RANGE, value=value)
    return array


def _power(
    effect: np.ndarray, n: np.ndarray, ratio: float, alpha: float, alternative: str
) -> np.ndarray:
    from scipy.special import ndtr

    crit = quantile(alpha, alternative)
    shift = effect * np.sqrt(n / (1.0 + 1.0 / ratio))
    if alternative == "greater":
        return np.asarray(ndtr(shift - crit), dtype=float)
    if alternative == "less":
        return np.asarray(ndtr(-shift - crit), dtype=float)
    return np.asarray(ndtr(np.abs(shift) - crit) + ndtr(-np.abs(shift) - crit), dtype=float)


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


def _shift(alpha: float, power: float, alternative: str) -> float:
    """``z_crit + z_power``: the standardized effect a one-sided test needs per √n_eff."""
    from scipy.special import ndtri

    return float(quantile(alpha, alternative)) + float(ndtri(power))


def _size(
    effect: np.ndarray, power: float, ratio: float, alpha: float, alternative: str
) -> np.ndarray:
    """Control-arm size reaching ``power`` (closed form one-sided; both tails two-sided)."""
    if not np.isfinite(effect).all():
        fail("std", "is too small for mde: mde / std overflows", ErrorCode.OUT_OF_RANGE)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        base = (_shift(alpha, power, alternative) / np.abs(effect)) ** 2
    if np.isinf(base).any():
        fail(
            "mde",
            "is too small to detect with any sample size a float can hold",
            ErrorCode.OUT_OF_RANGE,
        )
    n = base * (1.0 + 1.0 / ratio)
    if alternative != "two-sided":
        return np.asarray(n, dtype=float)
    # the far tail adds a little power, so solve power(n) = target by bisection
    return _smallest(lambda m: _power(effect, m, ratio, alpha, alternative) >= power, n * 0.5, n)


def _common(
    alpha: Any, ratio: Any, alternative: Any, power: Any = None
) -> tuple[float, float, str, float]:
    alpha = check_alpha(alpha)
    ratio = check_number("ratio", ratio, low=0, low_open=True)
    alternative = check_alternative(alternative, alpha)
    if power is None:
        return alpha, ratio, alternative, float("nan")
    power = check_number("power", power, low=0, high=1, low_open=True, high_open=True)
    if power <= alpha:
        fail("power", "must exceed alpha", ErrorCode.OUT_OF_RANGE, value=power)
    return alpha, ratio, alternative, power


def power_proportions(
    p0: Any,
    mde: Any,
    n: Any,
    *,
    alpha: float = 0.05,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> np.ndarray:
    """Power to detect an absolute difference ``mde`` from the control rate ``p0``.

    Args:
        p0: Control rate(s), in (0, 1).
        mde: Difference in rate to detect (not 0; ``p0 + mde`` within [0, 1]).
        n: Control-arm size (> 0); the other arm has ``ratio × n``.
        alpha: Significance level.
        ratio: Size of the other arm relative to the control.
        alternative: ``two-sided`` (both tails counted), ``greater`` or ``less``.

    Example:
        >>> round(float(power_proportions(0.05, 0.01, 8000)), 4)
        0.793
        >>> round(float(power_proportions(0.05, 0.01, 8000, alternative="greater")), 4)
        0.8712
    """
    alpha, ratio, alternative, _ = _common(alpha, ratio, alternative)
    p0 = _baseline(p0)
    p1 = _target(p0, _mde(mde))
    return _power(_h(p1, p0), _n(n), ratio, alpha, alternative)


def sample_size_proportions(
    p0: Any,
    mde: Any,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> np.ndarray:
    """Control-arm size needed to detect ``mde`` with ``power`` (normal approximation, Cohen's h).

    Example:
        >>> round(float(sample_size_proportions(0.05, 0.01)))
        8143
        >>> round(float(sample_size_proportions(0.05, -0.01, alternative="less")))
        5298
    """
    alpha, ratio, alternative, power = _common(alpha, ratio, alternative, power)
    p0 = _baseline(p0)
    p1 = _target(p0, _mde(mde, alternative))
    return _size(_h(p1, p0), power, ratio, alpha, alternative)


def needs_proportions(
    p0: np.ndarray, mde: Any, *, alpha: float, power: float, alternative: str
) -> np.ndarray:
    """Sample size per arm for ``proportions(mde=...)``.

    NaN where ``p0`` is not in (0, 1) or ``p0 + mde`` leaves [0, 1] (an empty or flat
    control); impossible ``mde``, ``alpha`` or ``power`` are errors.
    """
    alpha, _, alternative, power = _common(alpha, 1.0, alternative, power)
    effect = np.asarray(_mde(mde, alternative), dtype=float)
    p1 = p0 + effect
    ok = (p0 > 0) & (p0 < 1) & (p1 >= 0) & (p1 <= 1)
    h = _h(np.where(ok, p1, 0.75), np.where(ok, p0, 0.5))
    return np.where(ok, _size(h, power, 1.0, alpha, alternative), np.nan)


def mde_proportions(
    p0: Any,
    n: Any,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> np.ndarray:
    """Smallest change from ``p0`` detectable with ``n`` per control arm.

    An increase for ``two-sided`` and ``greater``, a decrease (negative) for ``less``. NaN
    where no rate on that side of ``p0`` (up to 1, or down to 0 for ``less``) is far enough
    (for example ``p0 = 0.99`` with a small ``n``): never the edge of the search.

    Example:
        >>> round(float(mde_proportions(0.05, 8143)), 4)
        0.01
        >>> float(mde_proportions(0.99, 10))
        nan
    """
    alpha, ratio, alternative, power = _common(alpha, ratio, alternative, power)
    p0, n = _baseline(p0), _n(n)
    shape = check_broadcast({"p0": p0, "n": n})
    sign = -1.0 if alternative == "less" else 1.0
    room = np.broadcast_to(p0 if sign < 0 else 1.0 - p0, shape).astype(float)

    def enough(d: np.ndarray) -> np.ndarray:
        return _power(_h(p0 + sign * d, p0), n, ratio, alpha, alternative) >= power

    found = _smallest(enough, np.zeros(shape), room)
    return np.asarray(np.where(enough(room), sign * found, np.nan), dtype=float)


def power_means(
    mde: Any,
    std: Any,
    n: Any,
    *,
    alpha: float = 0.05,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> np.ndarray:
    """Power to detect a difference ``mde`` (not 0) in means with standard deviation ``std`` > 0.

    Example:
        >>> round(float(power_means(1.0, 10.0, 1571)), 3)
        0.8
        >>> round(float(power_means(1.0, 10.0, 1571, alternative="greater")), 3)
        0.877
    """
    alpha, ratio, alternative, _ = _common(alpha, ratio, alternative)
    return _power(divide(_mde(mde), _std(std)), _n(n), ratio, alpha, alternative)


def sample_size_means(
    mde: Any,
    std: Any,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> np.ndarray:
    """Control-arm size needed to detect ``mde`` in means (normal approximation).

    Example:
        >>> round(float(sample_size_means(1.0, 10.0)))
        1570
        >>> round(float(sample_size_means(1.0, 10.0, alternative="greater")))
        1237
    """
    alpha, ratio, alternative, power = _common(alpha, ratio, alternative, power)
    return _size(divide(_mde(mde, alternative), _std(std)), power, ratio, alpha, alternative)


def needs_means(
    mde: Any, std: np.ndarray, *, alpha: float, power: float, alternative: str
) -> np.ndarray:
    """Sample size per arm for ``means(mde=...)``: NaN where the control's std is not > 0."""
    alpha, _, alternative, power = _common(alpha, 1.0, alternative, power)
    effect = np.asarray(_mde(mde, alternative), dtype=float)
    ok = std > 0
    d = effect / np.where(ok, std, 1.0)
    return np.where(ok, _size(d, power, 1.0, alpha, alternative), np.nan)


def mde_means(
    std: Any,
    n: Any,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> np.ndarray:
    """Smallest difference in means detectable with ``n`` per control arm (negative for ``less``).

    Example:
        >>> round(float(mde_means(10.0, 1570)), 3)
        1.0
    """
    alpha, ratio, alternative, power = _common(alpha, ratio, alternative, power)
    std, n = _std(std), _n(n)
    shape = check_broadcast({"std": std, "n": n})
    # one-sided: closed form; two-sided: the far tail only helps, so the one-sided answer at
    # alpha / 2 is an upper bound of the bisection
    per_unit = _shift(alpha, power, alternative) / np.sqrt(n / (1.0 + 1.0 / ratio))
    high = np.broadcast_to(np.maximum(per_unit, 0.0), shape).astype(float)
    if alternative == "two-sided":
        high = _smallest(
            lambda e: _power(e, n, ratio, alpha, alternative) >= power, np.zeros(shape), high
        )
    sign = -1.0 if alternative == "less" else 1.0
    return np.asarray(sign * high * std, dtype=float)


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
