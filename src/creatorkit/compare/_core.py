"""Shared machinery of comparisons: input checks, arm layout, multiplicity, the result."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import divide as _div
from creatorkit._validation import (
    Problems,
    as_floats,
    check_array,
    check_choice,
    check_labels,
    check_number,
    check_numeric,
    fail,
)
from creatorkit.errors import ErrorCode
from creatorkit.results import Copied, MethodCard, Note, Result

Numbers = Sequence[float] | np.ndarray | pd.Series
"""One number per arm: a list, a numpy array or a pandas Series."""

CORRECTIONS = ("holm", "bonferroni", "bh", "none")
"""Multiplicity corrections over the comparisons of each metric."""

COMPARISONS = ("control", "all_pairs")
"""Which pairs are compared: every arm against the control, or every pair of arms."""

ALTERNATIVES = ("two-sided", "greater", "less")
"""Alternative hypotheses: ``greater`` means the arm's value exceeds the one it is compared with."""

UNITS = ("post", "collaboration")
"""Units of creator comparisons: each row of the input is one post or one collaboration."""

NOT_RANDOMIZED = (
    "Arms were not randomized (creators choose their audiences): differences are associations, "
    "not causal effects, and p-values assume exchangeable units."
)


def as_counts(name: str, value: Any, *, integer: bool = True) -> np.ndarray:
    """A 1-D float array of non-negative finite (whole) numbers; raises listing bad entries."""
    array = as_floats(name, value)
    if array.ndim != 1:
        fail(name, "must be one value per arm (1-D)", ErrorCode.INVALID_VALUE, value=array.shape)
    problems = Problems(name)
    flags = np.asarray(value).dtype.kind == "b"  # True/False are not counts
    raw = pd.Series(np.asarray(value) if flags else array)
    check_numeric(problems, name, raw, low=0.0, integer=integer)
    problems.raise_if_any()
    return array


MAX_MAGNITUDE = 1e75
"""Largest size of a mean, std or sum compared: its fourth power (Welch's degrees of freedom)
must stay a finite float."""


def as_values(name: str, value: Any, size: int) -> np.ndarray:
    """A 1-D float array of finite numbers with one value per arm."""
    array = as_floats(name, value)
    if array.shape != (size,):
        fail(
            name,
            f"must have one value per arm ({size})",
            ErrorCode.INVALID_VALUE,
            value=array.shape,
        )
    problems = Problems(name)
    problems.add_mask(
        name,
        ~np.isfinite(array),
        pd.RangeIndex(size),
        array,
        "must be finite",
        ErrorCode.NOT_FINITE,
    )
    with np.errstate(invalid="ignore"):
        huge = np.isfinite(array) & (np.abs(array) > MAX_MAGNITUDE)
    problems.add_mask(
        name,
        huge,
        pd.RangeIndex(size),
        array,
        f"is too large to compare safely (at most {MAX_MAGNITUDE:g} in size)",
        ErrorCode.OUT_OF_RANGE,
    )
    problems.raise_if_any()
    return array


def arm_labels(labels: Iterable[Any] | None, size: int, argument: str = "n") -> list[str]:
    """Labels of the arms: given (unique) or ``"0"``, ``"1"``, ..."""
    if size < 2:
        rule = "needs at least two arms (one value per arm) to compare"
        fail(argument, rule, ErrorCode.INVALID_VALUE, value=size)
    if labels is None:
        return [str(i) for i in range(size)]
    return check_labels("labels", labels, size)


def control_index(control: Any, labels: list[str]) -> int:
    """Position of the control arm, given as a position or a label."""
    if isinstance(control, bool):
        fail("control", "must be an arm position or label", ErrorCode.WRONG_TYPE, value=control)
    if isinstance(control, int | np.integer):
        if not 0 <= int(control) < len(labels):
            fail(
                "control",
                f"must be a position in [0, {len(labels) - 1}]",
                ErrorCode.OUT_OF_RANGE,
                value=control,
            )
        return int(control)
    name = str(control)
    if name not in labels:
        check_choice("control", name, labels)
    return labels.index(name)


def check_alpha(alpha: Any) -> float:
    """``alpha`` in (0, 1), large enough that the interval level ``1 − alpha`` is below 1."""
    value = check_number("alpha", alpha, low=0, high=1, low_open=True, high_open=True)
    if 1.0 - value == 1.0:  # below about 1.1e-16: a 100% interval, infinite critical values
        fail(
            "alpha",
            "must be at least 1.2e-16 (1 - alpha rounds to 1)",
            ErrorCode.OUT_OF_RANGE,
            value=alpha,
        )
    return value


def check_alternative(alternative: Any, alpha: float) -> str:
    """``alternative`` among :data:`ALTERNATIVES`; a one-sided test needs ``alpha < 0.5``."""
    check_choice("alternative", alternative, ALTERNATIVES)
    if alternative != "two-sided" and alpha >= 0.5:
        fail(
            "alpha",
            "must be below 0.5 for a one-sided alternative",
            ErrorCode.OUT_OF_RANGE,
            value=alpha,
        )
    return str(alternative)


def tail(alpha: float, alternative: str) -> float:
    """Probability outside the interval on each bounded side (``alpha / 2`` when two-sided)."""
    return alpha / 2.0 if alternative == "two-sided" else alpha


def quantile(alpha: float, alternative: str, df: np.ndarray | None = None) -> np.ndarray:
    """Normal (``df`` None) or Student t quantile of a ``1 − alpha`` interval (one or two sides).

    Invalid degrees of freedom (NaN, ≤ 0) give NaN.
    """
    from scipy.special import ndtri, stdtrit

    upper = 1.0 - tail(alpha, alternative)
    if df is None:
        return np.asarray(ndtri(upper), dtype=float)
    ok = np.isfinite(df) & (df > 0)
    return np.where(ok, stdtrit(np.where(ok, df, 1.0), upper), np.nan)


def p_value(stat: np.ndarray, alternative: str, df: np.ndarray | None = None) -> np.ndarray:
    """P-value of a normal (``df`` None) or Student t statistic; NaN stays NaN.

    ``greater`` is the upper tail ``P(T ≥ t)``, ``less`` the lower tail, ``two-sided`` twice
    the smaller one (as scipy's ``alternative``).
    """
    from scipy.special import ndtr, stdtr

    ok = np.isfinite(stat)
    if df is not None:
        ok &= np.isfinite(df) & (df > 0)
    s = np.where(ok, stat, 0.0)
    signed = {"two-sided": -np.abs(s), "greater": -s, "less": s}[alternative]
    if df is None:
        cdf = np.asarray(ndtr(signed), dtype=float)
    else:
        cdf = np.asarray(stdtr(np.where(ok, df, 1.0), signed), dtype=float)
    scale = 2.0 if alternative == "two-sided" else 1.0
    return np.where(ok, np.minimum(scale * cdf, 1.0), np.nan)


def one_sided(
    low: np.ndarray,
    high: np.ndarray,
    alternative: str,
    limits: tuple[float, float] = (-np.inf, np.inf),
) -> tuple[np.ndarray, np.ndarray]:
    """Open the unbounded side of a one-sided interval: its bound becomes the range limit.

    ``greater`` keeps the lower bound (the upper one is ``limits[1]``), ``less`` the upper
    bound; a NaN interval stays NaN.
    """
    missing = np.isnan(low) | np.isnan(high)
    if alternative == "greater":
        high = np.where(missing, np.nan, limits[1])
    elif alternative == "less":
        low = np.where(missing, np.nan, limits[0])
    return low, high


def relative(value: np.ndarray, versus: np.ndarray) -> np.ndarray:
    """Relative difference ``(value − versus) / |versus|`` (NaN where ``versus`` is 0).

    Dividing by ``|versus|`` keeps the sign of the difference when the control is negative:
    −10 → −5 is a lift of +50%.
    """
    return _div(value - versus, np.abs(versus))


def pairs(size: int, control: int, comparisons: str) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays ``(arm, versus)`` of the comparisons to make."""
    check_choice("comparisons", comparisons, COMPARISONS)
    if comparisons == "control":
        arms = np.array([i for i in range(size) if i != control], dtype=np.intp)
        return arms, np.full(len(arms), control, dtype=np.intp)
    first, second = np.triu_indices(size, k=1)
    return second.astype(np.intp), first.astype(np.intp)


def adjust(p: Any, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiplicity (NaN entries are left out and stay NaN).

    ``holm`` (step-down), ``bonferroni``, ``bh`` (Benjamini–Hochberg) or ``none``;
    equal to statsmodels ``multipletests`` with ``holm``, ``bonferroni``, ``fdr_bh``.

    Example:
        >>> adjust([0.01, 0.04, float("nan")]).round(3).tolist()
        [0.02, 0.04, nan]
    """
    check_choice("method", method, CORRECTIONS)
    p = check_array("p", p, low=0.0, nan_ok=True)
    if (p[~np.isnan(p)] > 1).any():
        fail("p", "p-values must lie in [0, 1]", ErrorCode.OUT_OF_RANGE)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    values = p[ok]
    m = len(values)
    if m == 0 or method == "none":
        out[ok] = values
        return out
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    if method == "bonferroni":
        adjusted = np.minimum(ranked * m, 1.0)
    elif method == "holm":
        adjusted = np.minimum(np.maximum.accumulate(ranked * (m - np.arange(m))), 1.0)
    else:
        scaled = ranked * m / np.arange(1, m + 1)
        adjusted = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    result = np.empty(m)
    result[order] = adjusted
    out[ok] = result
    return out


def degenerate_note(metric: str, mask: np.ndarray, why: str) -> list[Note]:
    """A ``degenerate`` note when some comparisons have undefined tests (else nothing)."""
    count = int(mask.sum())
    if not count:
        return []
    message = f"{metric}: {count} comparisons {why}; their tests are NaN"
    return [Note(code="degenerate", count=count, subject=metric, message=message)]


def verdicts(estimate: np.ndarray, p_adjusted: np.ndarray, alpha: float) -> np.ndarray:
    """``better`` / ``worse`` where the adjusted p-value is below alpha, else ``inconclusive``."""
    significant = p_adjusted < alpha
    out = np.where(significant & (estimate > 0), "better", "inconclusive")
    out = np.where(significant & (estimate < 0), "worse", out)
    return np.where(np.isnan(p_adjusted), "undefined", out).astype(object)


@attrs.frozen(kw_only=True, eq=False)
class ComparisonResult(Result):
    """A comparison of arms: one tidy row per arm (per pair with ``all_pairs``) and metric.

    Attributes:
        table: Columns ``metric``, ``arm``, ``versus`` (the arm it is compared with;
            empty on the control row), ``n``, ``value`` (the arm's rate, mean or ratio),
            ``estimate`` (difference ``value − versus value``), ``ci_low``, ``ci_high``,
            ``lift`` (relative difference), ``lift_low``, ``lift_high``, ``statistic``,
            ``p_value``, ``p_adjusted``, ``verdict``; Bayesian comparisons have
            ``chance_to_beat_control``, ``chance_to_be_best`` and ``expected_loss``.
            The control row carries NaN tests.
        randomized: Whether arms were randomized; when not, ``warnings`` says so.
        unit: What one observation is when it is not a trial or a row of a randomized test:
            ``"post"`` or ``"collaboration"`` for creator comparisons (``None`` otherwise).

    Example:
        >>> from creatorkit.compare import proportions
        >>> res = proportions([40, 60], [1000, 1000], labels=["A", "B"])
        >>> res.table[["arm", "versus", "value", "estimate", "verdict"]].round(3)
          arm versus  value  estimate  verdict
        0   A          0.04       NaN  control
        1   B      A   0.06      0.02   better
        >>> res.randomized, res.unit
        (True, None)
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    randomized: bool = True
    unit: str | None = None

    def sentence(self) -> str:
        """One sentence per non-control row, for reports, with the interval's real level.

        Example:
            >>> from creatorkit.compare import proportions
            >>> res = proportions([40, 60], [1000, 1000], labels=["A", "B"])
            >>> res.sentence().splitlines()[0]
            'conversion: B vs A: +2.00 pp (95% CI +0.08 pp to +3.95 pp), p_adj = 0.0402: better'
            >>> proportions([40, 60], [1000, 1000], alpha=0.1).sentence()[:36]
            'conversion: 1 vs 0: +2.00 pp (90% CI'
        """
        lines = []
        for row in self.table.to_dict("records"):
            if row["versus"] == "":
                continue
            card = _card_of(self.method, str(row["metric"]))
            est = _estimate_text(row, card)
            p = float(row.get("p_adjusted", float("nan")))
            lines.append(
                f"{row['metric']}: {row['arm']} vs {row['versus']}: {est}, p_adj = {p:.3g}: "
                f"{row['verdict']}"
            )
        return "\n".join(lines)


def _card_of(card: MethodCard, metric: str) -> dict[str, Any]:
    """The parameters of the comparison that made ``metric``'s rows (combined results too)."""
    parameters = dict(card.parameters)
    for part in parameters.get("parts", ()):
        inner = dict(part.get("parameters", {}))
        if inner.get("metric") == metric:
            return inner
    return parameters


def _estimate_text(row: dict[Any, Any], card: dict[str, Any]) -> str:
    """``+2.00 pp (95% CI +0.08 pp to +3.95 pp)``; one-sided: ``(95% CI ≥ +0.08 pp)``."""
    value = [float(row.get(k, float("nan"))) for k in ("estimate", "ci_low", "ci_high")]
    pp = card.get("kind") == "proportions"
    if pp:
        value = [100 * v for v in value]

    def text(v: float) -> str:
        return f"{v:+.2f} pp" if pp else f"{v:+.4g}"

    alpha = card.get("alpha")
    level = f"{100 * (1 - float(alpha)):.4g}% CI" if alpha is not None else "CI"
    alternative = card.get("alternative", "two-sided")
    if alternative == "greater":
        interval = f"{level} ≥ {text(value[1])}"
    elif alternative == "less":
        interval = f"{level} ≤ {text(value[2])}"
    else:
        interval = f"{level} {text(value[1])} to {text(value[2])}"
    return f"{text(value[0])} ({interval})"


def build(
    *,
    kind: str,
    metric: str,
    labels: list[str],
    control: int,
    n: np.ndarray,
    value: np.ndarray,
    arm: np.ndarray,
    versus: np.ndarray,
    columns: dict[str, np.ndarray],
    randomized: bool,
    notes: list[Note],
    parameters: dict[str, Any],
    arm_columns: dict[str, np.ndarray] | None = None,
    unit: str | None = None,
) -> ComparisonResult:
    """Assemble the tidy table: the control (or reference) row first, then one row per pair.

    ``unit`` (``"post"``, ``"collaboration"``) is recorded on the result and in its card.
    """
    size = len(labels)
    rows = len(arm)
    control_row = {
        "metric": [metric],
        "arm": [labels[control]],
        "versus": [""],
        "n": [n[control]],
        "value": [value[control]],
    }
    body = {
        "metric": [metric] * rows,
        "arm": [labels[i] for i in arm],
        "versus": [labels[j] for j in versus],
        "n": n[arm],
        "value": value[arm],
    }
    head = pd.DataFrame(control_row)
    tail = pd.DataFrame(body)
    for name, values in columns.items():
        head[name] = [np.nan] if values.dtype != object else [""]
        tail[name] = values
    if parameters.get("comparisons") == "all_pairs":
        others = [i for i in range(size) if i != control]
        extra = pd.DataFrame(
            {
                "metric": [metric] * len(others),
                "arm": [labels[i] for i in others],
                "versus": [""] * len(others),
                "n": n[others],
                "value": value[others],
            }
        )
        for name, values in columns.items():
            extra[name] = np.nan if values.dtype != object else ""
        head = pd.concat([head, extra], ignore_index=True)
    head_arms = (
        [control]
        if parameters.get("comparisons") != "all_pairs"
        else [control] + [i for i in range(size) if i != control]
    )
    for name, values in (arm_columns or {}).items():
        head[name] = values[head_arms]
        tail[name] = values[arm]
    if "verdict" in tail:
        head["verdict"] = "control" if parameters.get("comparisons") != "all_pairs" else "reference"
    table = pd.concat([head, tail], ignore_index=True)
    table["n"] = table["n"].astype(np.int64) if np.all(np.isfinite(table["n"])) else table["n"]
    if not randomized:
        notes = [*notes, Note(code="not_randomized", message=NOT_RANDOMIZED)]
    recorded = {**parameters, **({"unit": unit} if unit is not None else {})}
    card = MethodCard.create(
        f"compare.{kind}",
        kind=kind,
        metric=metric,
        labels=labels,
        control=labels[control],
        randomized=randomized,
        **recorded,
    )
    return ComparisonResult(
        table=table, randomized=randomized, unit=unit, method=card, warnings=notes
    )


def combine(results: Sequence[ComparisonResult]) -> ComparisonResult:
    """Stack results of several metrics into one (every method card is kept, in order).

    Example:
        >>> from creatorkit.compare import proportions, means
        >>> a = proportions([40, 60], [1000, 1000], metric="cvr")
        >>> b = means([1000, 1000], [10.0, 11.0], [5.0, 5.0], metric="aov")
        >>> combine([a, b]).to_frame()["metric"].unique().tolist()
        ['cvr', 'aov']
    """
    listed = list(results) if isinstance(results, Sequence) else []
    if not listed:
        fail("results", "must hold at least one result", ErrorCode.EMPTY)
    wrong = [type(r).__name__ for r in listed if not isinstance(r, ComparisonResult)]
    if wrong:
        fail("results", "must all be ComparisonResult objects", ErrorCode.WRONG_TYPE, value=wrong)
    results = listed
    table = pd.concat([r.table for r in results], ignore_index=True)
    notes = [note for r in results for note in r.warnings]
    card = MethodCard.create(
        "compare.combine",
        parts=[r.method.to_dict() for r in results],
    )
    units = {r.unit for r in results}
    return ComparisonResult(
        table=table,
        randomized=all(r.randomized for r in results),
        unit=units.pop() if len(units) == 1 else None,
        method=card,
        warnings=list(dict.fromkeys(notes)),
    )
