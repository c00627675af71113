"""Comparisons of means (Welch) and of ratio metrics (delta method), vectorized over arms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from creatorkit._arith import divide as _div
from creatorkit._validation import check_choice, fail
from creatorkit.compare._core import (
    CORRECTIONS,
    ComparisonResult,
    Numbers,
    adjust,
    arm_labels,
    as_counts,
    as_values,
    build,
    check_alpha,
    control_index,
    degenerate_note,
    pairs,
    verdicts,
)
from creatorkit.compare._design import sample_size_means
from creatorkit.compare._proportions import LIFTS, _two_sided, lift_interval
from creatorkit.errors import ErrorCode
from creatorkit.results import Note


def _low_n(n: np.ndarray, names: list[str], metric: str, minimum: int) -> list[Note]:
    few = np.flatnonzero(n < minimum)
    if not len(few):
        return []
    return [
        Note(
            code="low_sample",
            count=len(few),
            subject=metric,
            message=f"{metric}: arms {[names[i] for i in few]} have fewer than {minimum} rows; "
            "their variance is undefined and their tests are NaN",
        )
    ]


def means(
    n: Numbers,
    mean: Numbers,
    std: Numbers,
    *,
    labels: Iterable[Any] | None = None,
    control: int | str = 0,
    correction: str = "holm",
    alpha: float = 0.05,
    lift: str = "fieller",
    comparisons: str = "control",
    metric: str = "mean",
    randomized: bool = True,
    mde: float | None = None,
    power: float = 0.8,
) -> ComparisonResult:
    """Compare means of 2..k arms by Welch's t-test (sample std, ddof = 1).

    The difference ``mean − mean_versus`` has standard error ``√(s₁²/n₁ + s₀²/n₀)`` and
    Welch–Satterthwaite degrees of freedom; the interval uses the t quantile. The relative
    lift interval is Fieller's (default), ``log`` or ``delta`` with normal quantiles.

    Args:
        n: Rows per arm (at least 2 for a variance).
        mean: Mean per arm.
        std: Sample standard deviation (ddof = 1) per arm.
        labels: Arm names (default ``"0"``, ``"1"``, ...).
        control: The control arm, by position or label.
        correction: ``holm`` (default), ``bonferroni``, ``bh`` or ``none``.
        alpha: Significance level in (0, 1); intervals have level ``1 − alpha``.
        lift: Relative-lift interval: ``fieller`` (default), ``log`` or ``delta``.
        comparisons: ``control`` (many-to-one) or ``all_pairs``.
        metric: Name of the metric in the result.
        randomized: Whether arms were randomized (a note says so when not).
        mde: Minimum difference of interest (absolute); adds ``needs_n`` (more rows per
            arm to detect it with ``power``, normal approximation with the control std).
        power: Power for ``needs_n``.

    Returns:
        A :class:`ComparisonResult`.

    Example:
        >>> res = means([3407, 3461], [1396.87 / 3407, 2422.7 / 3461],
        ...             [((52377.9767 - 1396.87**2 / 3407) / 3406) ** 0.5,
        ...              ((134698.29 - 2422.7**2 / 3461) / 3460) ** 0.5])
        >>> res.to_frame().loc[1, ["estimate", "ci_low", "ci_high", "p_value"]].round(5).tolist()
        [0.29, 0.04538, 0.53462, 0.02016]
    """
    from scipy.special import stdtr, stdtrit

    counts = as_counts("n", n)
    names = arm_labels(labels, len(counts))
    mu = as_values("mean", mean, len(counts))
    sd = as_values("std", std, len(counts))
    if (sd < 0).any():
        fail("std", "must be >= 0", ErrorCode.NEGATIVE, value=sd.tolist())
    ctrl = control_index(control, names)
    alpha = check_alpha(alpha)
    check_choice("lift", lift, LIFTS)
    arm, versus = pairs(len(counts), ctrl, comparisons)
    notes = _low_n(counts, names, metric, 2)
    ok = counts >= 2
    var = np.where(ok, _div(sd * sd, counts), np.nan)
    v1, v0 = var[arm], var[versus]
    n1, n0 = counts[arm], counts[versus]
    diff = mu[arm] - mu[versus]
    se = np.sqrt(v1 + v0)
    df = _div((v1 + v0) ** 2, _div(v1 * v1, n1 - 1) + _div(v0 * v0, n0 - 1))
    t = _div(diff, se)
    valid = np.isfinite(t) & np.isfinite(df) & (df > 0)
    df_safe = np.where(valid, df, 1.0)
    p = np.where(valid, 2.0 * stdtr(df_safe, -np.abs(np.where(valid, t, 0.0))), np.nan)
    q = np.where(valid, stdtrit(df_safe, 1.0 - alpha / 2.0), np.nan)
    notes += degenerate_note(metric, ~valid & ok[arm] & ok[versus], "have zero variance")
    log_var = (_div(v1, mu[arm] ** 2), _div(v0, mu[versus] ** 2))
    lift_low, lift_high = lift_interval(lift, mu[arm], v1, mu[versus], v0, 1.0 - alpha, log_var)
    p_adj = adjust(p, check_choice("correction", correction, CORRECTIONS))
    columns: dict[str, np.ndarray] = {
        "estimate": diff,
        "ci_low": diff - q * se,
        "ci_high": diff + q * se,
        "lift": _div(mu[arm], mu[versus]) - 1.0,
        "lift_low": lift_low,
        "lift_high": lift_high,
        "statistic": t,
        "df": df,
        "p_value": p,
        "p_adjusted": p_adj,
        "verdict": verdicts(diff, p_adj, alpha),
    }
    parameters: dict[str, Any] = {
        "test": "welch",
        "correction": correction,
        "alpha": alpha,
        "lift": lift,
        "comparisons": comparisons,
    }
    if mde is not None:
        needed = sample_size_means(
            mde, np.where(sd[versus] > 0, sd[versus], np.nan), alpha=alpha, power=power
        )
        columns["needs_n"] = np.maximum(np.ceil(needed) - np.minimum(n1, n0), 0.0)
        parameters.update(mde=mde, power=power)
    return build(
        kind="means",
        metric=metric,
        labels=names,
        control=ctrl,
        n=counts,
        value=mu,
        arm=arm,
        versus=versus,
        columns=columns,
        randomized=randomized,
        notes=notes,
        parameters=parameters,
    )


def ratios(
    n: Numbers,
    sum_x: Numbers,
    sum_y: Numbers,
    sum_x2: Numbers,
    sum_y2: Numbers | None = None,
    sum_xy: Numbers | None = None,
    *,
    known_denominator: bool = False,
    labels: Iterable[Any] | None = None,
    control: int | str = 0,
    correction: str = "holm",
    alpha: float = 0.05,
    comparisons: str = "control",
    metric: str = "ratio",
    randomized: bool = True,
) -> ComparisonResult:
    """Compare ratio metrics ``Σx / Σy`` (revenue per order, ROAS, CPA) by the delta method.

    Per arm, with sample moments (ddof = 1) over its ``n`` rows,
    ``Var(R) = (s_x² − 2R·s_xy + R²·s_y²) / (n·ȳ²)``. With ``known_denominator=True`` the
    denominator is a fixed, known total (cost in ROAS) and only the numerator varies:
    ``s_y² = s_xy = 0``. The difference ``R − R_versus`` gets a normal interval with
    ``se = √(Var₁ + Var₀)``; the relative lift ``R/R_versus − 1`` gets the delta-method
    interval ``se = (R/R_versus)·√(Var₁/R² + Var₀/R_versus²)``, and the p-value tests the
    lift with that standard error (normal).

    Args:
        n: Rows per arm (orders, creators, days).
        sum_x: Sum of the numerator per arm.
        sum_y: Sum of the denominator per arm.
        sum_x2: Sum of squared numerators.
        sum_y2: Sum of squared denominators (may be omitted with ``known_denominator``).
        sum_xy: Sum of numerator × denominator (may be omitted with ``known_denominator``).
        known_denominator: Treat the denominator as known (no sampling variance).
        labels: Arm names (default ``"0"``, ``"1"``, ...).
        control: The control arm, by position or label.
        correction: ``holm`` (default), ``bonferroni``, ``bh`` or ``none``.
        alpha: Significance level in (0, 1); intervals have level ``1 − alpha``.
        comparisons: ``control`` (many-to-one) or ``all_pairs``.
        metric: Name of the metric in the result.
        randomized: Whether arms were randomized (a note says so when not).

    Returns:
        A :class:`ComparisonResult` (``se`` and ``lift_se`` columns included).

    Raises:
        ValidationError: Impossible summaries (Σx² below (Σx)²/n), negative counts, ...

    Example:
        >>> res = ratios([1966, 2034], [94605.79858780127, 99673.9364269569], [936, 947],
        ...              [10463129.505392816, 11298745.182728939], [936, 947],
        ...              [94605.79858780127, 99673.9364269569])
        >>> columns = ["estimate", "se", "lift", "lift_se", "p_value"]
        >>> res.to_frame().loc[1, columns].round(6).tolist()
        [4.177738, 1.389263, 0.041333, 0.014051, 0.003264]
    """
    counts = as_counts("n", n)
    names = arm_labels(labels, len(counts))
    size = len(counts)
    sx = as_values("sum_x", sum_x, size)
    sy = as_values("sum_y", sum_y, size)
    sxx = as_values("sum_x2", sum_x2, size)
    if known_denominator:
        syy = (
            sy * sy / np.where(counts > 0, counts, 1.0)
            if sum_y2 is None
            else as_values("sum_y2", sum_y2, size)
        )
        sxy = (
            sx * sy / np.where(counts > 0, counts, 1.0)
            if sum_xy is None
            else as_values("sum_xy", sum_xy, size)
        )
    else:
        if sum_y2 is None or sum_xy is None:
            fail(
                "sum_y2",
                "sum_y2 and sum_xy are required unless known_denominator=True",
                ErrorCode.MISSING_VALUE,
            )
        syy = as_values("sum_y2", sum_y2, size)
        sxy = as_values("sum_xy", sum_xy, size)
    with np.errstate(invalid="ignore", divide="ignore"):
        nn = np.where(counts > 0, counts, np.nan)
        vx = (sxx - sx * sx / nn) / (nn - 1)
        vy = (syy - sy * sy / nn) / (nn - 1)
        cxy = (sxy - sx * sy / nn) / (nn - 1)
    tolerance = 1e-9 * np.maximum(np.abs(sxx), 1.0)
    if (sxx - sx * sx / nn < -tolerance).any() or (
        syy - sy * sy / nn < -1e-9 * np.maximum(np.abs(syy), 1.0)
    ).any():
        fail(
            "sum_x2",
            "impossible summary: a sum of squares is below (sum)² / n",
            ErrorCode.INCONSISTENT,
        )
    ctrl = control_index(control, names)
    alpha = check_alpha(alpha)
    arm, versus = pairs(size, ctrl, comparisons)
    notes = _low_n(counts, names, metric, 2)
    ratio = _div(sx, sy)
    mean_y = _div(sy, counts)
    if known_denominator:
        vy = np.zeros(size)
        cxy = np.zeros(size)
    var = np.where(
        counts >= 2,
        _div(vx - 2 * ratio * cxy + ratio * ratio * vy, counts * mean_y * mean_y),
        np.nan,
    )
    var = np.maximum(var, 0.0)
    from scipy.special import ndtri

    z = float(ndtri(1.0 - alpha / 2.0))
    r1, r0, v1, v0 = ratio[arm], ratio[versus], var[arm], var[versus]
    diff = r1 - r0
    se = np.sqrt(v1 + v0)
    rel = _div(r1, r0)
    lift_se = np.abs(rel) * np.sqrt(_div(v1, r1 * r1) + _div(v0, r0 * r0))
    lift = rel - 1.0
    stat = _div(lift, lift_se)
    p = _two_sided(stat)
    notes += degenerate_note(
        metric,
        np.isnan(p) & (counts[arm] >= 2) & (counts[versus] >= 2),
        "have an undefined ratio or zero variance",
    )
    p_adj = adjust(p, check_choice("correction", correction, CORRECTIONS))
    columns: dict[str, np.ndarray] = {
        "estimate": diff,
        "se": se,
        "ci_low": diff - z * se,
        "ci_high": diff + z * se,
        "lift": lift,
        "lift_se": lift_se,
        "lift_low": lift - z * lift_se,
        "lift_high": lift + z * lift_se,
        "statistic": stat,
        "p_value": p,
        "p_adjusted": p_adj,
        "verdict": verdicts(lift, p_adj, alpha),
    }
    parameters: dict[str, Any] = {
        "test": "delta_lift",
        "correction": correction,
        "alpha": alpha,
        "known_denominator": known_denominator,
        "comparisons": comparisons,
    }
    return build(
        kind="ratios",
        metric=metric,
        labels=names,
        control=ctrl,
        n=counts,
        value=ratio,
        arm=arm,
        versus=versus,
        columns=columns,
        randomized=randomized,
        notes=notes,
        parameters=parameters,
    )
