"""Comparisons of means (Welch) and of ratio metrics (delta method), vectorized over arms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from creatorkit._arith import divide as _div
from creatorkit._validation import check_choice, fail
from creatorkit.compare._core import (
    CORRECTIONS,
    UNITS,
    ComparisonResult,
    Numbers,
    adjust,
    arm_labels,
    as_counts,
    as_values,
    build,
    check_alpha,
    check_alternative,
    control_index,
    degenerate_note,
    one_sided,
    p_value,
    pairs,
    quantile,
    relative,
    verdicts,
)
from creatorkit.compare._design import needs_means
from creatorkit.compare._proportions import LIFTS, lift_interval
from creatorkit.errors import ErrorCode
from creatorkit.results import Note

RATIO_TESTS = ("delta", "t")
"""Tests of ``ratios``: ``delta`` (normal, on the lift) or ``t`` (cluster-robust, on the
difference, Welch–Satterthwaite degrees of freedom from per-arm ``n − 1``)."""


def _unit(unit: Any) -> str | None:
    return None if unit is None else check_choice("unit", unit, UNITS)


def welch_df(v1: np.ndarray, d1: np.ndarray, v0: np.ndarray, d0: np.ndarray) -> np.ndarray:
    """Welch–Satterthwaite degrees of freedom of ``v1 + v0`` with ``d1``, ``d0`` per part."""
    return _div((v1 + v0) ** 2, _div(v1 * v1, d1) + _div(v0 * v0, d0))


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
    alternative: str = "two-sided",
    lift: str = "fieller",
    comparisons: str = "control",
    metric: str = "mean",
    randomized: bool = True,
    unit: str | None = None,
    mde: float | None = None,
    power: float = 0.8,
) -> ComparisonResult:
    """Compare means of 2..k arms by Welch's t-test (sample std, ddof = 1).

    The difference ``mean − mean_versus`` has standard error ``√(s₁²/n₁ + s₀²/n₀)`` and
    Welch–Satterthwaite degrees of freedom; the interval uses the t quantile. The relative
    lift ``(mean − mean_versus) / |mean_versus|`` gets Fieller's interval (default), ``log``
    or ``delta`` with the same t quantile, so a Fieller lift interval excludes 0 exactly
    when the test rejects.

    Args:
        n: Rows per arm (at least 2 for a variance).
        mean: Mean per arm.
        std: Sample standard deviation (ddof = 1) per arm.
        labels: Arm names (default ``"0"``, ``"1"``, ...).
        control: The control arm, by position or label.
        correction: ``holm`` (default), ``bonferroni``, ``bh`` or ``none``.
        alpha: Significance level in (0, 1) (below 0.5 when one-sided); intervals have
            level ``1 − alpha``.
        alternative: ``two-sided`` (default), ``greater`` or ``less`` (as scipy's
            ``ttest_ind``); a one-sided interval's other bound is ±∞.
        lift: Relative-lift interval: ``fieller`` (default), ``log`` or ``delta``.
        comparisons: ``control`` (many-to-one) or ``all_pairs``.
        metric: Name of the metric in the result.
        randomized: Whether arms were randomized (a note says so when not).
        unit: ``"post"`` or ``"collaboration"`` when rows are a creator's posts or
            collaborations (recorded on the result); ``None`` otherwise.
        mde: Minimum difference of interest (absolute, not 0); adds ``needs_n`` (more rows
            per arm to detect it with ``power``, normal approximation with the control std).
        power: Power for ``needs_n``.

    Returns:
        A :class:`ComparisonResult`.

    Example:
        >>> res = means([3407, 3461], [1396.87 / 3407, 2422.7 / 3461],
        ...             [((52377.9767 - 1396.87**2 / 3407) / 3406) ** 0.5,
        ...              ((134698.29 - 2422.7**2 / 3461) / 3460) ** 0.5])
        >>> res.to_frame().loc[1, ["estimate", "ci_low", "ci_high", "p_value"]].round(5).tolist()
        [0.29, 0.04538, 0.53462, 0.02016]
        >>> means([10, 10], [-10.0, -5.0], [1.0, 1.0]).to_frame().loc[1, "lift"]
        np.float64(0.5)
    """
    counts = as_counts("n", n)
    names = arm_labels(labels, len(counts))
    mu = as_values("mean", mean, len(counts))
    sd = as_values("std", std, len(counts))
    if (sd < 0).any():
        fail("std", "must be >= 0", ErrorCode.NEGATIVE, value=sd.tolist())
    ctrl = control_index(control, names)
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative, alpha)
    check_choice("lift", lift, LIFTS)
    check_choice("correction", correction, CORRECTIONS)
    unit = _unit(unit)
    arm, versus = pairs(len(counts), ctrl, comparisons)
    notes = _low_n(counts, names, metric, 2)
    columns = _welch_columns(counts, mu, sd, arm, versus, lift, alpha, alternative)
    ok = counts >= 2
    zero = np.isnan(columns["p_value"]) & ok[arm] & ok[versus]
    notes += degenerate_note(metric, zero, "have zero variance")
    columns["p_adjusted"] = adjust(columns["p_value"], correction)
    columns["verdict"] = verdicts(columns["estimate"], columns["p_adjusted"], alpha)
    parameters: dict[str, Any] = {
        "test": "welch",
        "correction": correction,
        "alpha": alpha,
        "alternative": alternative,
        "lift": lift,
        "comparisons": comparisons,
    }
    if mde is not None:
        needed = needs_means(mde, sd[versus], alpha=alpha, power=power, alternative=alternative)
        columns["needs_n"] = np.maximum(
            np.ceil(needed) - np.minimum(counts[arm], counts[versus]), 0.0
        )
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
        unit=unit,
    )


def _welch_columns(
    counts: np.ndarray,
    mu: np.ndarray,
    sd: np.ndarray,
    arm: np.ndarray,
    versus: np.ndarray,
    lift: str,
    alpha: float,
    alternative: str,
) -> dict[str, np.ndarray]:
    """Welch's test, its t interval and the lift interval (same t quantile) per comparison."""
    var = np.where(counts >= 2, _div(sd * sd, counts), np.nan)
    v1, v0 = var[arm], var[versus]
    diff = mu[arm] - mu[versus]
    se = np.sqrt(v1 + v0)
    df = welch_df(v1, counts[arm] - 1, v0, counts[versus] - 1)
    t = _div(diff, se)
    q = quantile(alpha, alternative, df)
    log_var = (_div(v1, mu[arm] ** 2), _div(v0, mu[versus] ** 2))
    lift_low, lift_high = one_sided(
        *lift_interval(lift, mu[arm], v1, mu[versus], v0, q, log_var), alternative
    )
    low, high = one_sided(diff - q * se, diff + q * se, alternative)
    return {
        "estimate": diff,
        "ci_low": low,
        "ci_high": high,
        "lift": relative(mu[arm], mu[versus]),
        "lift_low": lift_low,
        "lift_high": lift_high,
        "statistic": t,
        "df": df,
        "p_value": p_value(t, alternative, df),
    }


def _moments(
    counts: np.ndarray,
    sums: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    known_denominator: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Ratio ``Σx / Σy`` and its delta-method variance per arm.

    ``Var(R) = (s_x² − 2R·s_xy + R²·s_y²) / (n·ȳ²) = n/(n−1)·Σ(xᵢ − R yᵢ)² / (Σy)²``
    with sample moments (ddof = 1); NaN below two rows.
    """
    sx, sy, sxx, syy, sxy = sums
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
    ratio = _div(sx, sy)
    mean_y = _div(sy, counts)
    if known_denominator:
        vy = np.zeros(len(counts))
        cxy = np.zeros(len(counts))
    var = np.where(
        counts >= 2,
        _div(vx - 2 * ratio * cxy + ratio * ratio * vy, counts * mean_y * mean_y),
        np.nan,
    )
    return ratio, np.maximum(var, 0.0)


def _ratio_sums(
    counts: np.ndarray,
    sum_x: Numbers,
    sum_y: Numbers,
    sum_x2: Numbers,
    sum_y2: Numbers | None,
    sum_xy: Numbers | None,
    known_denominator: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    size = len(counts)
    sx = as_values("sum_x", sum_x, size)
    sy = as_values("sum_y", sum_y, size)
    sxx = as_values("sum_x2", sum_x2, size)
    per = np.where(counts > 0, counts, 1.0)
    if not known_denominator and (sum_y2 is None or sum_xy is None):
        fail(
            "sum_y2",
            "sum_y2 and sum_xy are required unless known_denominator=True",
            ErrorCode.MISSING_VALUE,
        )
    syy = sy * sy / per if sum_y2 is None else as_values("sum_y2", sum_y2, size)
    sxy = sx * sy / per if sum_xy is None else as_values("sum_xy", sum_xy, size)
    return sx, sy, sxx, syy, sxy


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
    test: str = "delta",
    correction: str = "holm",
    alpha: float = 0.05,
    alternative: str = "two-sided",
    df: Numbers | None = None,
    comparisons: str = "control",
    metric: str = "ratio",
    randomized: bool = True,
    unit: str | None = None,
) -> ComparisonResult:
    """Compare ratio metrics ``Σx / Σy`` (revenue per order, ROAS, CPA) by the delta method.

    Per arm, with sample moments (ddof = 1) over its ``n`` rows (units: orders, posts,
    collaborations), ``Var(R) = (s_x² − 2R·s_xy + R²·s_y²) / (n·ȳ²)``, which equals
    ``n/(n−1)·Σ(xᵢ − R·yᵢ)² / (Σy)²`` — cluster-robust when each row is a cluster (a post
    and its views). With ``known_denominator=True`` the denominator is a fixed, known total
    (cost in ROAS) and only the numerator varies: ``s_y² = s_xy = 0``.

    ``test="delta"`` (default, large samples): normal interval of the difference with
    ``se = √(Var₁ + Var₀)``; the relative lift gets the delta-method interval
    ``se = |R/R_versus|·√(Var₁/R² + Var₀/R_versus²)`` and the p-value tests the lift.
    ``test="t"`` (few rows, creators by post): the p-value tests the difference with
    ``t = (R − R_versus) / se`` and Student t degrees of freedom combined by
    Welch–Satterthwaite from ``n − 1`` per arm (``df`` overrides them); the difference
    interval uses that t quantile and the lift interval is Fieller's with it (so it
    excludes 0 exactly when the test rejects).

    Args:
        n: Rows per arm (orders, posts, collaborations, days).
        sum_x: Sum of the numerator per arm.
        sum_y: Sum of the denominator per arm.
        sum_x2: Sum of squared numerators.
        sum_y2: Sum of squared denominators (may be omitted with ``known_denominator``).
        sum_xy: Sum of numerator × denominator (may be omitted with ``known_denominator``).
        known_denominator: Treat the denominator as known (no sampling variance).
        labels: Arm names (default ``"0"``, ``"1"``, ...).
        control: The control arm, by position or label.
        test: ``delta`` (normal) or ``t`` (Student t, Welch–Satterthwaite).
        correction: ``holm`` (default), ``bonferroni``, ``bh`` or ``none``.
        alpha: Significance level in (0, 1) (below 0.5 when one-sided); intervals have
            level ``1 − alpha``.
        alternative: ``two-sided`` (default), ``greater`` or ``less``; a one-sided
            interval's other bound is ±∞.
        df: Degrees of freedom per arm for ``test="t"`` (default ``n − 1``), e.g. when rows
            are not the independent units.
        comparisons: ``control`` (many-to-one) or ``all_pairs``.
        metric: Name of the metric in the result.
        randomized: Whether arms were randomized (a note says so when not).
        unit: ``"post"`` or ``"collaboration"`` when each row is one (recorded on the
            result and in its card); ``None`` otherwise.

    Returns:
        A :class:`ComparisonResult` (``se`` and ``lift_se`` columns included; ``df`` with
        ``test="t"``).

    Raises:
        ValidationError: Impossible summaries (Σx² below (Σx)²/n), negative counts, ...

    Example:
        >>> res = ratios([1966, 2034], [94605.79858780127, 99673.9364269569], [936, 947],
        ...              [10463129.505392816, 11298745.182728939], [936, 947],
        ...              [94605.79858780127, 99673.9364269569])
        >>> columns = ["estimate", "se", "lift", "lift_se", "p_value"]
        >>> res.to_frame().loc[1, columns].round(6).tolist()
        [4.177738, 1.389263, 0.041333, 0.014051, 0.003264]
        >>> t = ratios([5, 6], [50.0, 90.0], [500.0, 600.0], [600.0, 1500.0], [52000.0, 62000.0],
        ...            [5500.0, 9300.0], test="t")
        >>> t.to_frame().loc[1, ["estimate", "df"]].round(4).tolist()
        [0.05, 7.5]
    """
    counts = as_counts("n", n)
    names = arm_labels(labels, len(counts))
    sums = _ratio_sums(counts, sum_x, sum_y, sum_x2, sum_y2, sum_xy, known_denominator)
    ratio, var = _moments(counts, sums, known_denominator)
    ctrl = control_index(control, names)
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative, alpha)
    check_choice("test", test, RATIO_TESTS)
    check_choice("correction", correction, CORRECTIONS)
    unit = _unit(unit)
    per_arm = _degrees(df, counts, test)
    arm, versus = pairs(len(counts), ctrl, comparisons)
    notes = _low_n(counts, names, metric, 2)
    columns = _ratio_columns(ratio, var, per_arm, arm, versus, test, alpha, alternative)
    ok = (counts[arm] >= 2) & (counts[versus] >= 2)
    notes += degenerate_note(
        metric, np.isnan(columns["p_value"]) & ok, "have an undefined ratio or zero variance"
    )
    columns["p_adjusted"] = adjust(columns["p_value"], correction)
    columns["verdict"] = verdicts(columns["estimate"], columns["p_adjusted"], alpha)
    parameters: dict[str, Any] = {
        "test": test,
        "correction": correction,
        "alpha": alpha,
        "alternative": alternative,
        "known_denominator": known_denominator,
        "comparisons": comparisons,
        "lift": "fieller" if test == "t" else "delta",
    }
    if test == "t":
        parameters["df"] = "welch_satterthwaite" if df is None else "given"
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
        unit=unit,
    )


def _degrees(df: Numbers | None, counts: np.ndarray, test: str) -> np.ndarray:
    """Degrees of freedom per arm: ``n − 1`` or the given positive numbers (``test="t"``)."""
    if df is None:
        return counts - 1.0
    if test != "t":
        fail("df", "is used by test='t' only", ErrorCode.INVALID_VALUE, value=test)
    given = as_values("df", df, len(counts))
    if (given <= 0).any():
        fail("df", "must be > 0", ErrorCode.OUT_OF_RANGE, value=given.tolist())
    return given


def _ratio_columns(
    ratio: np.ndarray,
    var: np.ndarray,
    per_arm: np.ndarray,
    arm: np.ndarray,
    versus: np.ndarray,
    test: str,
    alpha: float,
    alternative: str,
) -> dict[str, np.ndarray]:
    r1, r0, v1, v0 = ratio[arm], ratio[versus], var[arm], var[versus]
    diff = r1 - r0
    se = np.sqrt(v1 + v0)
    lift = relative(r1, r0)
    lift_se = np.abs(_div(r1, r0)) * np.sqrt(_div(v1, r1 * r1) + _div(v0, r0 * r0))
    columns: dict[str, np.ndarray] = {"estimate": diff, "se": se}
    if test == "t":
        df = welch_df(v1, per_arm[arm], v0, per_arm[versus])
        stat = _div(diff, se)
        q = quantile(alpha, alternative, df)
        lift_low, lift_high = lift_interval("fieller", r1, v1, r0, v0, q)
    else:
        df = None
        stat = _div(lift, lift_se)
        q = quantile(alpha, alternative)
        lift_low, lift_high = lift - q * lift_se, lift + q * lift_se
    columns["ci_low"], columns["ci_high"] = one_sided(diff - q * se, diff + q * se, alternative)
    columns["lift"], columns["lift_se"] = lift, lift_se
    columns["lift_low"], columns["lift_high"] = one_sided(lift_low, lift_high, alternative)
    columns["statistic"] = stat
    if df is not None:
        columns["df"] = df
    columns["p_value"] = p_value(stat, alternative, df)
    return columns
