"""``scoring.allocate``: split a budget by expected return with diminishing returns (KKT)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import divide
from creatorkit._grouping import group
from creatorkit._validation import (
    Problems,
    as_str_list,
    check_choice,
    check_columns,
    check_number,
    fail,
)
from creatorkit.errors import ErrorCode
from creatorkit.results import Copied, MethodCard, Note, Result, merge_notes

RESPONSES = ("log", "exp")
"""Response families: ``log`` a·ln(1 + x/b); ``exp`` (saturating) a·(1 − exp(−x/b))."""

_ITERATIONS = 200  # bisection steps on log λ before the exact closed-form step


@attrs.frozen(kw_only=True, eq=False)
class Allocation(Result):
    """A budget split across creators, with each share explained.

    Attributes:
        table: One row per creator, in the result's order: ``creator_id``, ``expected``
            (the expected return at ``reference``), ``reference`` (the spend it refers to),
            ``a`` and ``b`` (the response's scale and pooled curvature), ``lower`` and
            ``upper`` (minimum and cap), ``amount``, ``share`` (of the budget),
            ``expected_return`` (r(amount)), ``marginal_return`` (r'(amount)), ``status``
            (``funded``, ``at_minimum``, ``at_cap``) and ``reason``.
        budget: The budget; spent: what was allocated (less when every cap is reached).
        marginal: λ, the marginal return every ``funded`` creator ends at (KKT).
        response: The response family.

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import allocate
        >>> t = pd.DataFrame({"creator_id": ["a", "b"], "ret": [200.0, 100.0]})
        >>> res = allocate(t, 100.0, expected="ret", reference=100.0, curvature=100.0)
        >>> res.budget, res.table["status"].tolist()
        (100.0, ['funded', 'at_minimum'])
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    budget: float
    spent: float
    marginal: float
    response: str


def _frame(result: Any) -> pd.DataFrame:
    from creatorkit.scoring._result import ScoreResult
    from creatorkit.scoring._shortlist import Shortlist

    if isinstance(result, Shortlist | ScoreResult):
        frame: pd.DataFrame = result._table
        return frame
    if isinstance(result, pd.DataFrame) and "creator_id" in result:
        return result.assign(creator_id=result["creator_id"].astype(str))
    rule = "must be a Shortlist, a ScoreResult or a frame with creator_id"
    fail("result", rule, ErrorCode.WRONG_TYPE, value=type(result).__name__)


def _per_creator(
    name: str, value: Any, frame: pd.DataFrame, default: float | None = None
) -> np.ndarray:
    """A number per creator from a column name, a Series/mapping by id, or a scalar."""
    ids = pd.Index(frame["creator_id"].astype(str))
    if value is None:
        return np.full(len(ids), np.nan if default is None else default)
    if isinstance(value, str):
        if value not in frame:
            fail(name, f"the result has no column {value!r}", ErrorCode.MISSING_COLUMN, value=value)
        column = pd.to_numeric(frame[value], errors="coerce")
        return np.asarray(column.to_numpy(dtype=float, na_value=np.nan))
    if isinstance(value, Mapping | pd.Series):
        series = pd.Series(value, dtype=float) if isinstance(value, Mapping) else value
        series.index = series.index.astype(str)
        return np.asarray(series.reindex(ids).to_numpy(dtype=float))
    return np.full(len(ids), check_number(name, value, low=0))


def _checked(name: str, values: np.ndarray, ids: pd.Index, *, positive: bool) -> None:
    problems = Problems(name)
    bad = ~np.isfinite(values) | (values <= 0 if positive else values < 0)
    rule = "must be a finite number " + ("> 0" if positive else ">= 0") + " for every creator"
    problems.add_mask(name, bad, ids, values, rule, ErrorCode.OUT_OF_RANGE)
    problems.raise_if_any()


def _shape(response: str, u: np.ndarray) -> np.ndarray:
    """The curve's shape at u = x / b: ln(1 + u) or 1 − exp(−u)."""
    return np.asarray(np.log1p(u) if response == "log" else -np.expm1(-u))


def _slope(response: str, a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """r'(x): a / (b + x) or (a / b)·exp(−x / b)."""
    if response == "log":
        return divide(a, b + x)
    return np.asarray(divide(a, b) * np.exp(-np.minimum(divide(x, b), 700.0)))


def _spend(response: str, a: np.ndarray, b: np.ndarray, lam: float) -> np.ndarray:
    """The unconstrained spend whose marginal return is λ (r'(x) = λ)."""
    if response == "log":
        return np.asarray(a / lam - b)
    ratio = divide(a, b * lam)
    return np.where(ratio > 0, b * np.log(np.where(ratio > 0, ratio, 1.0)), -np.inf)


def _pooled(reference: np.ndarray, frame: pd.DataFrame, by: list[str]) -> np.ndarray:
    """Curvature b per creator: the median reference spend of its peer group."""
    if not len(reference):
        return np.zeros(0)
    g = group(frame, by)
    order = np.lexsort((reference, g.codes))
    starts = np.r_[0, np.cumsum(g.sizes)[:-1]].astype(np.int64)
    ranked = reference[order]
    low, high = starts + (g.sizes - 1) // 2, starts + g.sizes // 2
    median = ranked[np.minimum(low, len(ranked) - 1)] + ranked[np.minimum(high, len(ranked) - 1)]
    return np.asarray(median[g.codes] / 2.0)


def _solve(
    response: str, a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray, budget: float
) -> tuple[np.ndarray, float]:
    """The KKT optimum: x_i = clip(r_i'^{-1}(λ), lo_i, hi_i) with Σ x_i = budget."""
    tiny = np.finfo(float).tiny
    useful = _slope(response, a, b, lo) > tiny  # a return to gain (not lost to underflow)
    most = np.where(useful, hi, lo)
    if most.sum() <= budget:  # every useful creator at its cap: the rest stays unspent
        return most, float(np.min(_slope(response, a, b, most)[useful], initial=np.inf))
    cap = np.minimum(hi, lo + budget)
    top = np.log(np.max(_slope(response, a, b, lo)[useful]))
    bottom = np.log(max(float(np.min(_slope(response, a, b, cap)[useful])), tiny)) - 1.0
    for _ in range(_ITERATIONS):  # bisection on log λ, vectorized over creators
        mid = (top + bottom) / 2
        if np.clip(_spend(response, a, b, np.exp(mid)), lo, hi).sum() > budget:
            bottom = mid
        else:
            top = mid
    x = np.clip(_spend(response, a, b, np.exp(top)), lo, hi)
    free = useful & (x > lo) & (x < hi)
    rest = budget - x[~free].sum()
    if free.any():  # the exact λ on the active set found
        if response == "log":
            lam = a[free].sum() / (rest + b[free].sum())
        else:
            lam = np.exp((np.sum(b[free] * np.log(a[free] / b[free])) - rest) / b[free].sum())
        exact = np.clip(_spend(response, a, b, lam), lo, hi)
        if abs(exact.sum() - budget) <= abs(x.sum() - budget) + 1e-9 * budget:
            return exact, float(lam)
    return x, float(np.exp(top))


def _reasons(status: np.ndarray, marginal: np.ndarray, lam: float) -> np.ndarray:
    at = np.char.mod("%.4g", marginal).astype(str)  # str even when empty (older numpy)
    level = f"{lam:.4g}"
    funded = f"funded until its marginal return fell to λ = {level}, like every funded creator"
    low = np.char.add(
        np.char.add("kept at its minimum: marginal return there ", at), f" ≤ λ = {level}"
    )
    cap = np.char.add(np.char.add("held at its cap: marginal return there ", at), f" ≥ λ = {level}")
    return np.where(status == "funded", funded, np.where(status == "at_cap", cap, low))


def allocate(
    result: Any,
    budget: float,
    *,
    min_per_creator: Any = 0,
    max_per_creator: Any = None,
    response: str = "log",
    expected: Any = "score",
    reference: Any = None,
    curvature: float | None = None,
    by: str | list[str] | None = None,
    prices: Any = None,
) -> Allocation:
    """Split ``budget`` across the creators of ``result`` by expected return.

    Each creator's return on a spend ``x`` follows a declared family with diminishing
    returns: ``log`` (default) r_i(x) = a_i·ln(1 + x/b), or ``exp`` (saturating)
    r_i(x) = a_i·(1 − exp(−x/b)). Most creators have one collaboration, so a creator's
    own curvature cannot be estimated: ``b`` is pooled — the median ``reference`` spend
    of the creator's peer group (``by``; all creators by default), i.e. returns start to
    saturate at the group's typical deal size — unless ``curvature`` gives it. The scale
    ``a_i`` makes the curve pass through the creator's ``expected`` return at its
    ``reference`` spend: a_i = expected_i / ln(1 + reference_i / b). The optimum (KKT)
    gives every creator between its minimum and cap the same marginal return λ
    (a_i / (b + x_i) = λ for ``log``), creators at their minimum a lower one and at their
    cap a higher one; it is found by bisection on λ vectorized over creators, then λ is
    solved exactly on the active set. Deterministic.

    Args:
        result: A :class:`~creatorkit.scoring.Shortlist`, a
            :class:`~creatorkit.scoring.ScoreResult` or a frame with ``creator_id``.
        budget: The budget (> 0), in the currency of ``expected`` and the limits.
        min_per_creator: Minimum per creator (a number, a column or a Series by id).
        max_per_creator: Cap per creator (same forms; ``None``: no cap).
        response: ``log`` or ``exp``.
        expected: Expected return at ``reference``: a column (``"score"`` by default,
            which makes returns score points), a Series or mapping by creator id.
        reference: The spend ``expected`` refers to (same forms); default: the
            ``rate_card_price`` column when present, else ``budget / n``.
        curvature: ``b`` given instead of pooled.
        by: Peer-group column(s) of the result's table for pooling ``b``.
        prices: Rate-card prices (same forms): a creator gets at least its price.

    Returns:
        :class:`Allocation`.

    Raises:
        ValidationError: A budget below the sum of minimums (naming both), caps below
            minimums, missing or negative values, an unknown response.

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import allocate
        >>> t = pd.DataFrame({"creator_id": ["a", "b", "c"], "ret": [300.0, 200.0, 100.0]})
        >>> res = allocate(t, 300.0, expected="ret", reference=100.0, curvature=100.0)
        >>> res.table["amount"].round(2).tolist()
        [200.0, 100.0, 0.0]
        >>> res.table["marginal_return"].round(4).tolist()[:2], round(res.marginal, 4)
        ([1.4427, 1.4427], 1.4427)
    """
    frame = _frame(result)
    ids = pd.Index(frame["creator_id"].astype(str))
    total = check_number("budget", budget, low=0, low_open=True)
    family = check_choice("response", response, RESPONSES)
    keys = as_str_list("by", by)
    check_columns("by", frame, keys)
    exp_ = _per_creator("expected", expected, frame)
    _checked("expected", exp_, ids, positive=False)
    if reference is None and "rate_card_price" in frame:
        reference = "rate_card_price"
    ref = _per_creator("reference", reference, frame, total / max(len(ids), 1))
    _checked("reference", ref, ids, positive=True)
    lo = _per_creator("min_per_creator", min_per_creator, frame)
    _checked("min_per_creator", lo, ids, positive=False)
    if prices is not None:
        price = _per_creator("prices", prices, frame)
        _checked("prices", price, ids, positive=False)
        lo = np.maximum(lo, price)
    hi = _per_creator("max_per_creator", max_per_creator, frame, np.inf)
    _checked("max_per_creator", np.where(np.isinf(hi), 0.0, hi), ids, positive=False)
    _limits(lo, hi, ids, total)
    if curvature is not None:
        b = np.full(len(ids), check_number("curvature", curvature, low=0, low_open=True))
    else:
        b = _pooled(ref, frame, keys)
    a = divide(exp_, _shape(family, divide(ref, b)))
    x, lam = _solve(family, a, b, lo, hi, total) if len(ids) else (np.zeros(0), np.nan)
    return _allocation(frame, family, total, exp_, ref, a, b, lo, hi, x, lam, keys, curvature)


def _limits(lo: np.ndarray, hi: np.ndarray, ids: pd.Index, budget: float) -> None:
    problems = Problems("max_per_creator")
    rule = "caps must be at least the minimum (min_per_creator or the rate-card price)"
    problems.add_mask("max_per_creator", hi < lo, ids, hi, rule, ErrorCode.INCONSISTENT)
    problems.raise_if_any()
    floor = float(lo.sum())
    if floor > budget:
        rule = (
            f"budget {budget:g} is below the sum of minimums {floor:g} over {len(ids)} "
            "creators (min_per_creator and rate-card prices): raise the budget or "
            "shortlist fewer creators"
        )
        fail("budget", rule, ErrorCode.INCONSISTENT, value=budget)


def _allocation(
    frame: pd.DataFrame,
    family: str,
    total: float,
    expected: np.ndarray,
    ref: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    x: np.ndarray,
    lam: float,
    keys: list[str],
    curvature: float | None,
) -> Allocation:
    marginal = _slope(family, a, b, x)
    tol = 1e-9 * max(total, 1.0)
    status = np.where(x <= lo + tol, "at_minimum", np.where(x >= hi - tol, "at_cap", "funded"))
    status = np.where((x > lo + tol) & (x >= hi - tol), "at_cap", status)
    table = pd.DataFrame(
        {
            "creator_id": frame["creator_id"].astype(str).to_numpy(),
            "expected": expected,
            "reference": ref,
            "a": a,
            "b": b,
            "lower": lo,
            "upper": hi,
            "amount": x,
            "share": x / total,
            "expected_return": a * _shape(family, divide(x, b)),
            "marginal_return": marginal,
            "status": status.astype(object),
            "reason": _reasons(status, marginal, lam).astype(object),
        }
    )
    spent = float(x.sum())
    notes = []
    if not len(x):
        text = "no creator to fund (an empty shortlist): {count} of the budget left unspent"
        notes.append(Note.counted("budget_unspent", text, count=round(total)))
    elif spent < total - tol:
        text = "{count} of the budget left unspent: every creator with a return is at its cap"
        notes.append(Note.counted("budget_unspent", text, count=round(total - spent)))
    zero = int((expected == 0).sum())
    if zero:
        text = "{count} creators have an expected return of 0 and get only their minimum"
        notes.append(Note.counted("zero_expected", text, count=zero))
    card = MethodCard.create(
        "scoring.allocate",
        budget=total,
        response=family,
        curvature="median reference spend per peer group" if curvature is None else curvature,
        by=keys,
        solver=f"bisection on log λ ({_ITERATIONS} steps), then exact λ on the active set",
    )
    return Allocation(
        table=table,
        budget=total,
        spent=spent,
        marginal=lam,
        response=family,
        method=card,
        warnings=merge_notes(notes),
    )
