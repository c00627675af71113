"""Two-sample comparisons of proportions (conversion rates), vectorized over arms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, cast

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
    tail,
    verdicts,
)
from creatorkit.compare._design import needs_proportions
from creatorkit.errors import ErrorCode
from creatorkit.metrics._intervals import wilson
from creatorkit.results import Note

TESTS = ("z_pooled", "z_unpooled", "chi2", "fisher", "barnard")
"""Tests of ``proportions``; never switched silently."""

BARNARD_MAX_N = 5_000
"""Largest arm for Barnard's test: its cost grows with n1 × n0 (and its memory too)."""

INTERVALS = ("newcombe", "agresti_caffo")
"""Intervals for the difference of proportions."""

LIFTS = ("fieller", "log", "delta")
"""Intervals for the relative lift ``p / p_versus − 1``."""


def _fisher(
    x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray, alternative: str
) -> np.ndarray:
    """Fisher's exact p (as scipy's ``fisher_exact``); NaN where an arm has no trials.

    One-sided: ``greater`` is ``P(X ≥ x1)``, ``less`` is ``P(X ≤ x1)``.
    """
    from scipy.stats import hypergeom

    empty = (n1 == 0) | (n0 == 0)
    total, successes = n1 + n0, x1 + x0
    if alternative == "greater":
        p = hypergeom.sf(x1 - 1, total, successes, n1)
    elif alternative == "less":
        p = hypergeom.cdf(x1, total, successes, n1)
    else:
        p = _fisher_two_sided(x1, n1, x0, n0)
    return np.where(empty, np.nan, np.minimum(p, 1.0))


def _fisher_two_sided(x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray) -> np.ndarray:
    """Two-sided Fisher exact p: the probability of tables no more likely than the observed.

    The table ``[[x1, n1 − x1], [x0, n0 − x0]]`` is conditioned on its margins; with
    ``X ~ Hypergeometric(N = n1 + n0, K = x1 + x0, draws = n1)`` the p-value sums
    ``P(X = k)`` over every ``k`` with ``P(X = k) ≤ P(X = x1) · (1 + 1e-7)``. The tail on the
    far side of the mode is found by a vectorized bisection (the pmf is unimodal).
    """
    from scipy.special import gammaln
    from scipy.stats import hypergeom

    total, successes, draws = n1 + n0, x1 + x0, n1

    def logpmf(k: np.ndarray) -> np.ndarray:
        return np.asarray(
            gammaln(successes + 1)
            - gammaln(k + 1)
            - gammaln(successes - k + 1)
            + gammaln(total - successes + 1)
            - gammaln(draws - k + 1)
            - gammaln(total - successes - draws + k + 1)
            - gammaln(total + 1)
            + gammaln(draws + 1)
            + gammaln(total - draws + 1),
            dtype=float,
        )

    low_k = np.maximum(0.0, draws - (total - successes))
    high_k = np.minimum(draws, successes)
    mode = np.clip(np.floor((draws + 1) * (successes + 1) / (total + 2)), low_k, high_k)
    limit = logpmf(x1) + np.log1p(1e-7)
    below = x1 < mode  # the observed value is left of the mode: search the right tail
    # right tail: the smallest k in (mode, high] with logpmf(k) <= limit;
    # left tail: the largest k in [low, mode) with logpmf(k) <= limit
    lo = np.where(below, mode, low_k - 1)
    hi = np.where(below, high_k + 1, mode)
    for _ in range(64):
        mid = np.floor((lo + hi) / 2)
        inside = logpmf(np.clip(mid, low_k, high_k)) <= limit
        # right tail: the boundary is the first k where inside becomes true
        move_hi = np.where(below, inside, ~inside)
        hi = np.where(move_hi & (hi - lo > 1), mid, hi)
        lo = np.where(~move_hi & (hi - lo > 1), mid, lo)
    own = np.where(
        below,
        hypergeom.cdf(x1, total, successes, draws),
        hypergeom.sf(x1 - 1, total, successes, draws),
    )
    other = np.where(
        below,
        hypergeom.sf(hi - 1, total, successes, draws),
        hypergeom.cdf(lo, total, successes, draws),
    )
    at_mode = np.abs(logpmf(x1) - logpmf(mode)) <= 1e-14
    return np.where(at_mode, 1.0, np.minimum(own + other, 1.0))


def _barnard(
    x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray, alternative: str
) -> np.ndarray:
    """Barnard's exact unconditional test (scipy.stats.barnard_exact, pooled Wald statistic).

    It maximizes over a nuisance parameter for each table, so it is computed once per
    comparison with scipy; meant for the small samples where it matters.
    """
    from scipy.stats import barnard_exact

    largest = float(np.max(np.maximum(n1, n0))) if len(n1) else 0.0
    if largest > BARNARD_MAX_N:
        fail(
            "test",
            f"barnard is an exact test for small samples (at most {BARNARD_MAX_N:,} trials per "
            f"arm; got {largest:,.0f}); use 'z_pooled' or 'fisher' for large ones",
            ErrorCode.INVALID_VALUE,
        )
    side = cast(Literal["two-sided", "less", "greater"], alternative)
    out = np.full(len(x1), np.nan)
    for i in range(len(x1)):  # one numerical optimization per comparison (no closed form)
        if n1[i] > 0 and n0[i] > 0:
            table = [[int(x1[i]), int(x0[i])], [int(n1[i] - x1[i]), int(n0[i] - x0[i])]]
            out[i] = barnard_exact(table, alternative=side).pvalue
    return out


def _z_tests(
    test: str, x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray, alternative: str
) -> tuple[np.ndarray, np.ndarray]:
    from scipy.special import chdtrc

    p1, p0 = _div(x1, n1), _div(x0, n0)
    if test == "z_unpooled":
        se = np.sqrt(_div(p1 * (1 - p1), n1) + _div(p0 * (1 - p0), n0))
        z = _div(p1 - p0, se)
        return z, p_value(z, alternative)
    pooled = _div(x1 + x0, n1 + n0)
    se = np.sqrt(pooled * (1 - pooled) * (_div(np.ones_like(n1), n1) + _div(np.ones_like(n0), n0)))
    z = _div(p1 - p0, se)
    if test == "z_pooled":
        return z, p_value(z, alternative)
    if test == "chi2":
        # Pearson chi-square with Yates' continuity correction on the 2 × 2 table
        total = n1 + n0
        diff = np.abs(x1 * (n0 - x0) - x0 * (n1 - x1))
        numer = total * np.maximum(diff - total / 2.0, 0.0) ** 2
        denom = n1 * n0 * (x1 + x0) * (total - x1 - x0)
        stat = _div(numer, denom)
        return stat, np.where(np.isnan(stat), np.nan, chdtrc(1.0, stat))
    if test == "fisher":
        return np.full(len(x1), np.nan), _fisher(x1, n1, x0, n0, alternative)
    return np.full(len(x1), np.nan), _barnard(x1, n1, x0, n0, alternative)


def _difference_interval(
    method: str, x1: np.ndarray, n1: np.ndarray, x0: np.ndarray, n0: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided interval of ``p1 − p0`` at ``level``.

    A one-sided bound at ``1 − α`` is one side of the two-sided interval at ``1 − 2α``.
    """
    from scipy.special import ndtri

    z = float(ndtri(0.5 + level / 2))
    if method == "newcombe":
        p1, p0 = _div(x1, n1), _div(x0, n0)
        l1, u1 = wilson(x1, n1, level)
        l0, u0 = wilson(x0, n0, level)
        d = p1 - p0
        return d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), d + np.sqrt(
            (u1 - p1) ** 2 + (p0 - l0) ** 2
        )
    q1, q0 = _div(x1 + 1, n1 + 2), _div(x0 + 1, n0 + 2)
    d = q1 - q0
    se = np.sqrt(_div(q1 * (1 - q1), n1 + 2) + _div(q0 * (1 - q0), n0 + 2))
    return d - z * se, d + z * se


def lift_interval(
    method: str,
    m1: np.ndarray,
    v1: np.ndarray,
    m0: np.ndarray,
    v0: np.ndarray,
    q: float | np.ndarray,
    log_var: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Interval of the lift ``(m1 − m0) / |m0|`` of independent estimates (variances v1, v0).

    ``q`` is the quantile of each bounded side (normal or t). The ratio ``R = m1 / m0`` gets
    ``fieller``: the set of R with ``(m1 − R m0)² ≤ q² (v1 + R² v0)`` (unbounded → NaN);
    ``log``: ``exp(log R ± q·se_log)`` with ``log_var`` the variances of the logs;
    ``delta``: ``R ± q·|R|·sqrt(v1/m1² + v0/m0²)``. The lift is ``R − 1`` for a positive
    control and ``1 − R`` for a negative one, so its bounds follow the sign of ``m0``.
    """
    ratio = _div(m1, m0)
    if method == "fieller":
        a = m0 * m0 - q * q * v0
        b = m0 * m1
        c = m1 * m1 - q * q * v1
        disc = b * b - a * c
        ok = (a > 0) & (disc >= 0)
        root = np.sqrt(np.where(ok, disc, 0.0))
        low = np.where(ok, _div(b - root, a), np.nan)
        high = np.where(ok, _div(b + root, a), np.nan)
    elif method == "log":
        assert log_var is not None
        se = np.sqrt(log_var[0] + log_var[1])
        with np.errstate(divide="ignore", invalid="ignore"):
            center = np.where(ratio > 0, np.log(np.where(ratio > 0, ratio, 1.0)), np.nan)
        low, high = np.exp(center - q * se), np.exp(center + q * se)
    else:
        se = np.abs(ratio) * np.sqrt(_div(v1, m1 * m1) + _div(v0, m0 * m0))
        low, high = ratio - q * se, ratio + q * se
    negative = m0 < 0
    return np.where(negative, 1.0 - high, low - 1.0), np.where(negative, 1.0 - low, high - 1.0)


def _lift(
    method: str,
    x: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    alpha: float,
    alternative: str,
    metric: str,
) -> tuple[np.ndarray, np.ndarray, list[Note]]:
    """Lift interval of two proportions; NaN with a note where an arm's variance estimate is 0.

    With all or no successes in an arm, ``p(1 − p)/n = 0`` and every lift interval built on
    it collapses to a point although the difference interval (Wilson based) does not.
    """
    x1, n1, x0, n0 = x
    p1, p0 = _div(x1, n1), _div(x0, n0)
    v1, v0 = _div(p1 * (1 - p1), n1), _div(p0 * (1 - p0), n0)
    log_var = (_div(1 - p1, x1), _div(1 - p0, x0))
    q = quantile(alpha, alternative)
    low, high = lift_interval(method, p1, v1, p0, v0, q, log_var)
    flat = (n1 > 0) & (n0 > 0) & ((v1 == 0) | (v0 == 0))
    low, high = np.where(flat, np.nan, low), np.where(flat, np.nan, high)
    low, high = one_sided(low, high, alternative, (-1.0, np.inf))
    notes = []
    if flat.any():
        count = int(flat.sum())
        message = (
            f"{metric}: {count} comparisons have an arm with all or no successes; their lift "
            "interval is NaN (a variance estimate of 0 would make it a single point), while "
            "the difference interval stays valid"
        )
        notes.append(Note(code="degenerate_lift", count=count, subject=metric, message=message))
    return low, high, notes


def proportions(
    successes: Numbers,
    trials: Numbers,
    *,
    labels: Iterable[Any] | None = None,
    control: int | str = 0,
    test: str = "z_pooled",
    correction: str = "holm",
    alpha: float = 0.05,
    alternative: str = "two-sided",
    interval: str = "newcombe",
    lift: str = "fieller",
    comparisons: str = "control",
    metric: str = "conversion",
    randomized: bool = True,
    mde: float | None = None,
    power: float = 0.8,
) -> ComparisonResult:
    """Compare conversion rates of 2..k arms against a control (or all pairs), trial by trial.

    Every trial (visitor, user) counts as an independent unit: right for randomized
    user-level A/B tests. To compare *creators*, whose clicks and views come in posts, use
    :func:`creatorkit.compare.creators` (posts as units, cluster-robust t).

    Args:
        successes: Successes per arm (orders, clicks, ...): non-negative whole numbers.
        trials: Trials per arm (visitors, views, ...), at least the successes.
        labels: Arm names (default ``"0"``, ``"1"``, ...).
        control: The control arm, by position or label.
        test: ``z_pooled`` (default; equals Pearson chi-square without Yates),
            ``z_unpooled`` (Wald), ``chi2`` (Pearson with Yates' correction, as scipy's
            ``chi2_contingency``; two-sided only), ``fisher`` (exact, conditional) or
            ``barnard`` (exact unconditional). Never switched silently.
        correction: ``holm`` (default), ``bonferroni``, ``bh`` or ``none``, over the
            comparisons of this metric.
        alpha: Significance level in (0, 1) (below 0.5 when one-sided); intervals have
            level ``1 − alpha``.
        alternative: ``two-sided`` (default), ``greater`` (the arm's rate exceeds the one it
            is compared with) or ``less``. One-sided intervals keep the tested side: the
            other bound is the range limit (1 or −1 for the difference, ∞ or −1 for the
            lift).
        interval: Difference interval: ``newcombe`` (hybrid Wilson score, default) or
            ``agresti_caffo``.
        lift: Relative-lift interval: ``fieller`` (default; consistent with the unpooled
            test), ``log`` (Katz log ratio) or ``delta``. NaN with a note when an arm has
            all or no successes (its variance estimate is 0).
        comparisons: ``control`` (many-to-one) or ``all_pairs``.
        metric: Name of the metric in the result.
        randomized: Whether arms were randomized; when not, the result says so.
        mde: Minimum detectable effect of interest (absolute difference in rate, not 0).
            When given, ``needs_n`` is the additional trials per arm needed to detect it
            with ``power`` — never derived from the observed effect.
        power: Power for ``needs_n``.

    Returns:
        A :class:`ComparisonResult` (``value`` is each arm's rate, ``estimate`` the
        difference in rate, ``lift`` the relative difference).

    Raises:
        ValidationError: Successes above trials, negative or fractional counts, fewer than
            two arms, unknown control, alpha outside (0, 1), a one-sided ``chi2``. Arms with
            zero trials give NaN tests (every test) with a note; they are left out of the
            multiplicity correction.

    Example:
        >>> res = proportions([42, 500], [104, 1009], labels=["A", "B"], control="B")
        >>> round(float(res.to_frame().loc[1, "p_value"]), 6)
        0.074866
        >>> one = proportions([42, 500], [104, 1009], control=1, alternative="less")
        >>> round(float(one.to_frame().loc[1, "p_value"]), 6), one.to_frame().loc[1, "ci_low"]
        (0.037433, np.float64(-1.0))
    """
    x, n = _counts(successes, trials)
    names = arm_labels(labels, len(x), "successes")
    ctrl = control_index(control, names)
    alpha = check_alpha(alpha)
    alternative = check_alternative(alternative, alpha)
    check_choice("test", test, TESTS)
    if test == "chi2" and alternative != "two-sided":
        fail(
            "alternative",
            "chi2 is two-sided; use test='z_pooled' (the same test without Yates' correction)",
            ErrorCode.INVALID_VALUE,
            value=alternative,
        )
    check_choice("interval", interval, INTERVALS)
    check_choice("lift", lift, LIFTS)
    check_choice("correction", correction, CORRECTIONS)
    arm, versus = pairs(len(x), ctrl, comparisons)
    cells = (x[arm], n[arm], x[versus], n[versus])
    columns, notes = _columns(cells, test, interval, lift, alpha, alternative, correction, metric)
    parameters: dict[str, Any] = {
        "test": test,
        "correction": correction,
        "alpha": alpha,
        "alternative": alternative,
        "interval": interval,
        "lift": lift,
        "comparisons": comparisons,
    }
    if mde is not None:
        p0 = _div(cells[2], cells[3])
        needed = needs_proportions(p0, mde, alpha=alpha, power=power, alternative=alternative)
        columns["needs_n"] = np.maximum(np.ceil(needed) - np.minimum(cells[1], cells[3]), 0.0)
        parameters.update(mde=mde, power=power)
    return build(
        kind="proportions",
        metric=metric,
        labels=names,
        control=ctrl,
        n=n,
        value=_div(x, n),
        arm=arm,
        versus=versus,
        columns=columns,
        randomized=randomized,
        notes=_zero_trials(n, names, metric) + notes,
        parameters=parameters,
    )


def _counts(successes: Numbers, trials: Numbers) -> tuple[np.ndarray, np.ndarray]:
    x = as_counts("successes", successes)
    n = as_counts("trials", trials)
    if x.shape != n.shape:
        fail("trials", "must have one value per arm, like successes", ErrorCode.INVALID_VALUE)
    if (x > n).any():
        bad = np.flatnonzero(x > n).tolist()
        fail(
            "successes",
            f"must not exceed trials (arms {bad})",
            ErrorCode.OUT_OF_RANGE,
            value=x[x > n].tolist(),
        )
    return x, n


def _zero_trials(n: np.ndarray, names: list[str], metric: str) -> list[Note]:
    empty = np.flatnonzero(n == 0)
    if not len(empty):
        return []
    message = f"{metric}: arms {[names[i] for i in empty]} have no trials; tests are NaN"
    return [Note(code="zero_trials", count=len(empty), subject=metric, message=message)]


def _columns(
    cells: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    test: str,
    interval: str,
    lift: str,
    alpha: float,
    alternative: str,
    correction: str,
    metric: str,
) -> tuple[dict[str, np.ndarray], list[Note]]:
    """Tests, intervals and verdicts of the comparisons ``(x1, n1, x0, n0)``."""
    x1, n1, x0, n0 = cells
    stat, p = _z_tests(test, x1, n1, x0, n0, alternative)
    level = 1.0 - 2.0 * tail(alpha, alternative)
    low, high = _difference_interval(interval, x1, n1, x0, n0, level)
    low, high = one_sided(low, high, alternative, (-1.0, 1.0))
    lift_low, lift_high, notes = _lift(lift, cells, alpha, alternative, metric)
    zero_variance = np.isnan(p) & (n1 > 0) & (n0 > 0)
    notes = degenerate_note(metric, zero_variance, "have zero variance (all or no successes)") + (
        notes
    )
    p_adj = adjust(p, correction)
    p1, p0 = _div(x1, n1), _div(x0, n0)
    estimate = p1 - p0
    columns: dict[str, np.ndarray] = {
        "estimate": estimate,
        "ci_low": low,
        "ci_high": high,
        "lift": relative(p1, p0),
        "lift_low": lift_low,
        "lift_high": lift_high,
        "statistic": stat,
        "p_value": p,
        "p_adjusted": p_adj,
        "verdict": verdicts(estimate, p_adj, alpha),
    }
    return columns, notes
