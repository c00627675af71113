"""KPI trees, exact decomposition of a change (Shapley, LMDI), target solving and pacing."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import divide as _div
from creatorkit._time import require_as_of
from creatorkit._validation import (
    Problems,
    as_str_list,
    check_array,
    check_broadcast,
    check_choice,
    check_columns,
    check_labels,
    check_number,
    fail,
)
from creatorkit.errors import ErrorCode
from creatorkit.results import Copied, MethodCard, Note, Result

METHODS = ("shapley", "lmdi")


def _children(value: Iterable[str | KPITree]) -> tuple[str | KPITree, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        fail("children", "must be a list of factor names or KPI trees", ErrorCode.WRONG_TYPE)
    out = tuple(value)
    if not out:
        fail("children", "a KPI node needs at least one child", ErrorCode.EMPTY)
    wrong = [type(c).__name__ for c in out if not isinstance(c, str | KPITree)]
    if wrong:
        fail("children", "must be factor names or KPI trees", ErrorCode.WRONG_TYPE, value=wrong)
    return out


@attrs.frozen(kw_only=True)
class KPITree:
    """A KPI as a product or a sum of factors, which may themselves be trees.

    Example:
        >>> tree = KPITree.product("gmv", ["views", "ctr", "cvr", "aov"])
        >>> tree.leaves(), tree.evaluate({"views": 1e5, "ctr": 0.02, "cvr": 0.05, "aov": 20.0})
        (['views', 'ctr', 'cvr', 'aov'], 2000.0)
    """

    name: str
    op: Literal["product", "sum"]
    children: tuple[str | KPITree, ...] = attrs.field(converter=_children)

    def __attrs_post_init__(self) -> None:
        check_choice("op", self.op, ("product", "sum"))
        leaves = self.leaves()
        if len(set(leaves)) != len(leaves):
            fail(
                "children",
                "a factor may appear once in a tree",
                ErrorCode.DUPLICATE_NAME,
                value=leaves,
            )

    @classmethod
    def product(cls, name: str, children: Iterable[str | KPITree]) -> KPITree:
        """A multiplicative node (GMV = views × CTR × CVR × AOV).

        Example:
            >>> tree = KPITree.product("gmv", ["views", "gmv_per_view"])
            >>> tree.op, tree.evaluate({"views": 1000, "gmv_per_view": 0.5})
            ('product', 500.0)
        """
        return cls(name=name, op="product", children=_children(children))

    @classmethod
    def sum(cls, name: str, children: Iterable[str | KPITree]) -> KPITree:
        """An additive node (GMV = content GMV + live GMV + ...).

        Example:
            >>> tree = KPITree.sum("gmv", ["content_gmv", "live_gmv"])
            >>> tree.op, tree.evaluate({"content_gmv": 300.0, "live_gmv": 200.0})
            ('sum', 500.0)
        """
        return cls(name=name, op="sum", children=_children(children))

    def leaves(self) -> list[str]:
        """Factor names, depth first.

        Example:
            >>> views = KPITree.sum("views", ["organic_views", "paid_views"])
            >>> KPITree.product("gmv", [views, "gmv_per_view"]).leaves()
            ['organic_views', 'paid_views', 'gmv_per_view']
        """
        out: list[str] = []
        for child in self.children:
            out.extend(child.leaves() if isinstance(child, KPITree) else [child])
        return out

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        """The node's value from leaf values (scalars or arrays).

        Example:
            >>> KPITree.product("gmv", ["views", "aov"]).evaluate({"views": 10, "aov": 2.5})
            25.0
        """
        if not isinstance(values, Mapping):
            fail("values", "must map factor names to values", ErrorCode.WRONG_TYPE)
        missing = [leaf for leaf in self.leaves() if leaf not in values]
        if missing:
            fail("values", f"factors of the tree are missing: {missing}", ErrorCode.MISSING_VALUE)
        parts = [c.evaluate(values) if isinstance(c, KPITree) else values[c] for c in self.children]
        if self.op == "product":
            return (
                math.prod(parts)
                if all(np.isscalar(p) for p in parts)
                else np.prod(np.stack(np.broadcast_arrays(*parts)), axis=0)
            )
        return (
            sum(parts)
            if all(np.isscalar(p) for p in parts)
            else np.sum(np.stack(np.broadcast_arrays(*parts)), axis=0)
        )


GMV_TREE = KPITree.product("gmv", ["views", "ctr", "cvr", "aov"])
"""GMV = views × CTR × CVR × AOV (clicks / views, orders / clicks, GMV / orders)."""


def _shapley_product(before: list[np.ndarray], after: list[np.ndarray]) -> list[np.ndarray]:
    """Shapley split of Π after − Π before among factors (exact, any signs, zeros allowed)."""
    n = len(before)
    out = [np.zeros_like(before[0]) for _ in range(n)]
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in itertools.combinations(others, size):
                changed = np.ones_like(before[0])
                for j in others:
                    changed = changed * (after[j] if j in subset else before[j])
                out[i] = out[i] + weight * changed * (after[i] - before[i])
    return out


def _lmdi_product(
    before: list[np.ndarray], after: list[np.ndarray], v0: np.ndarray, v1: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    """LMDI-I split; returns the contributions and the mask of groups where it applies."""
    with np.errstate(all="ignore"):
        logs = [
            np.log(np.where((b > 0) & (a > 0), a, 1.0))
            - np.log(np.where((b > 0) & (a > 0), b, 1.0))
            for b, a in zip(before, after, strict=True)
        ]
    tiny = np.finfo(float).tiny  # subnormal values lose the digits the logs need
    normal = [(b >= tiny) & (a >= tiny) for b, a in zip(before, after, strict=True)]
    positive = np.all(normal, axis=0)
    positive &= (v0 >= tiny) & (v1 >= tiny) & np.isfinite(v0) & np.isfinite(v1)
    positive &= np.all([np.isfinite(x) for x in logs], axis=0)
    safe_v0 = np.where(positive, v0, 1.0)
    safe_v1 = np.where(positive, v1, 1.0)
    same = np.isclose(safe_v1, safe_v0, rtol=1e-15, atol=0.0)
    log_ratio = np.log(safe_v1) - np.log(safe_v0)
    weight = np.where(same, safe_v0, (safe_v1 - safe_v0) / np.where(same, 1.0, log_ratio))
    out = [np.where(positive, weight * x, 0.0) for x in logs]
    return out, positive


def _split(
    tree: KPITree,
    before: Mapping[str, np.ndarray],
    after: Mapping[str, np.ndarray],
    method: str,
    fallback: np.ndarray,
) -> dict[str, np.ndarray]:
    """Contributions of every leaf to the change of ``tree`` (summing exactly to it)."""
    child_before = [
        c.evaluate(before) if isinstance(c, KPITree) else before[c] for c in tree.children
    ]
    child_after = [c.evaluate(after) if isinstance(c, KPITree) else after[c] for c in tree.children]
    child_before = [np.asarray(v, dtype=float) for v in child_before]
    child_after = [np.asarray(v, dtype=float) for v in child_after]
    if tree.op == "sum":
        shares = [a - b for b, a in zip(child_before, child_after, strict=True)]
    else:
        shares = _shapley_product(child_before, child_after)
        if method == "lmdi":
            v0 = np.prod(np.stack(child_before), axis=0)
            v1 = np.prod(np.stack(child_after), axis=0)
            lmdi, ok = _lmdi_product(child_before, child_after, v0, v1)
            fallback |= ~ok
            shares = [np.where(ok, lm, sh) for lm, sh in zip(lmdi, shares, strict=True)]
    out: dict[str, np.ndarray] = {}
    for child, share, b, a in zip(tree.children, shares, child_before, child_after, strict=True):
        if isinstance(child, KPITree):
            inner = _split(child, before, after, method, fallback)
            change = a - b
            scale = np.divide(share, change, out=np.zeros_like(share), where=change != 0)
            for leaf, value in inner.items():
                out[leaf] = value * scale
        else:
            out[child] = share
    return out


@attrs.frozen(kw_only=True, eq=False)
class DecompositionResult(Result):
    """Contributions of each factor to the change of a KPI.

    Attributes:
        table: Group keys, ``factor``, ``before``, ``after``, ``contribution`` (in KPI units;
            they sum exactly to the change) and ``share`` of the change; a ``total`` row per
            group holds the KPI itself.

    Example:
        >>> before = {"views": 100_000, "ctr": 0.02, "cvr": 0.05, "aov": 20.0}
        >>> after = {"views": 120_000, "ctr": 0.018, "cvr": 0.05, "aov": 22.0}
        >>> res = decompose(before, after)
        >>> res.table.set_index("factor")["contribution"].round(2).to_dict()
        {'views': 398.67, 'ctr': -231.33, 'cvr': 0.0, 'aov': 208.67, 'total': 376.0}
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()


def _leaf_values(
    name: str, data: Mapping[str, Any] | pd.Series | pd.DataFrame, leaves: list[str]
) -> dict[str, np.ndarray]:
    if isinstance(data, pd.Series):
        data = {str(k): v for k, v in data.items()}
    if isinstance(data, pd.DataFrame):
        missing = [leaf for leaf in leaves if leaf not in data.columns]
        source: Any = data
    elif isinstance(data, Mapping):
        missing = [leaf for leaf in leaves if leaf not in data]
        source = data
    else:
        fail(
            name,
            "must be a mapping factor → value or a DataFrame",
            ErrorCode.WRONG_TYPE,
            value=type(data).__name__,
        )
    problems = Problems(name)
    for leaf in missing:
        problems.add(leaf, "factor of the KPI tree is missing", ErrorCode.MISSING_COLUMN)
    problems.raise_if_any()
    out = {}
    for leaf in leaves:
        values = np.atleast_1d(np.asarray(source[leaf], dtype=float))
        if not np.isfinite(values).all():
            fail(name, "must be finite", ErrorCode.NOT_FINITE, column=leaf)
        out[leaf] = values
    return out


def decompose(
    before: Mapping[str, Any] | pd.Series | pd.DataFrame,
    after: Mapping[str, Any] | pd.Series | pd.DataFrame,
    tree: KPITree = GMV_TREE,
    *,
    method: str = "shapley",
    by: str | Iterable[str] | None = None,
) -> DecompositionResult:
    """Split the change of a KPI between two periods among its factors.

    Both methods sum exactly to the change (to floating-point rounding) and split it
    differently: **Shapley** averages each factor's marginal effect over every order of
    changing the factors (works with zeros and signs); **LMDI** (log-mean Divisia, additive
    form) gives factor ``i`` the share ``L(V₁, V₀)·ln(xᵢ₁ / xᵢ₀)`` with the logarithmic mean
    ``L``. LMDI needs positive factors; a group with a zero or negative factor falls back
    to Shapley and a ``lmdi_fallback`` note says which. Sum nodes split additively; nested
    trees pass each subtree's share down to its factors in proportion.

    Args:
        before: Factor values of the first period (mapping or DataFrame with a row per group).
        after: Factor values of the second period, aligned with ``before``.
        tree: The KPI tree (default: GMV = views × CTR × CVR × AOV).
        method: ``shapley`` or ``lmdi``.
        by: Group key columns when ``before`` and ``after`` are DataFrames (aligned on them).

    Returns:
        A :class:`DecompositionResult`.

    Example:
        >>> b = {"views": 100_000, "ctr": 0.02, "cvr": 0.05, "aov": 20.0}
        >>> a = {"views": 120_000, "ctr": 0.018, "cvr": 0.05, "aov": 22.0}
        >>> res = decompose(b, a)
        >>> res.to_frame()[["factor", "contribution"]].round(2)
          factor  contribution
        0  views        398.67
        1    ctr       -231.33
        2    cvr          0.00
        3    aov        208.67
        4  total        376.00
    """
    check_choice("method", method, METHODS)
    if not isinstance(tree, KPITree):
        fail("tree", "must be a KPITree", ErrorCode.WRONG_TYPE, value=type(tree).__name__)
    keys = as_str_list("by", by)
    leaves = tree.leaves()
    key_table = pd.DataFrame(index=pd.RangeIndex(1))
    if keys:
        if not isinstance(before, pd.DataFrame) or not isinstance(after, pd.DataFrame):
            fail("by", "needs before and after as DataFrames", ErrorCode.INVALID_VALUE)
        for name, frame in (("before", before), ("after", after)):
            check_columns(name, frame, [*keys, *leaves])
            dup = frame.duplicated(keys).to_numpy()
            if dup.any():
                problems = Problems(name)
                problems.add_mask(
                    " + ".join(keys),
                    dup,
                    frame.index,
                    frame[keys[0]],
                    "must be unique: one row per group and period",
                    ErrorCode.DUPLICATE_KEY,
                )
                problems.raise_if_any()
        joined = before.merge(
            after, on=keys, how="outer", suffixes=("__before", "__after"), indicator=True
        )
        unmatched = int((joined["_merge"] != "both").sum())
        if unmatched:
            fail(
                "after",
                f"{unmatched} groups appear in only one period; align before and after",
                ErrorCode.INCONSISTENT,
            )
        joined = joined.sort_values(keys).reset_index(drop=True)
        key_table = joined[keys]
        before = joined.rename(columns={f"{c}__before": c for c in leaves})
        after = joined.rename(columns={f"{c}__after": c for c in leaves})
    b = _leaf_values("before", before, leaves)
    a = _leaf_values("after", after, leaves)
    lengths = {len(v) for v in [*b.values(), *a.values()]}
    if len(lengths) > 1:
        fail(
            "after",
            f"before and after must have the same number of rows per factor, got {sorted(lengths)}",
            ErrorCode.INCONSISTENT,
        )
    size = lengths.pop()
    b = {k: np.broadcast_to(v, (size,)).astype(float) for k, v in b.items()}
    a = {k: np.broadcast_to(v, (size,)).astype(float) for k, v in a.items()}
    fallback = np.zeros(size, dtype=bool)
    parts = _split(tree, b, a, method, fallback)
    total_before = np.asarray(tree.evaluate(b), dtype=float)
    total_after = np.asarray(tree.evaluate(a), dtype=float)
    change = total_after - total_before
    notes = []
    if fallback.any():
        notes.append(
            Note(
                code="lmdi_fallback",
                count=int(fallback.sum()),
                message=f"LMDI needs positive factors: {int(fallback.sum())} groups used Shapley",
            )
        )
    rows: list[pd.DataFrame] = []
    for leaf in [*leaves, "total"]:
        part = key_table.copy() if keys else pd.DataFrame(index=pd.RangeIndex(size))
        part["factor"] = leaf
        part["before"] = b[leaf] if leaf != "total" else total_before
        part["after"] = a[leaf] if leaf != "total" else total_after
        contribution = parts[leaf] if leaf != "total" else change
        part["contribution"] = contribution
        part["share"] = _div(contribution, change)
        part["_order"] = len(rows)
        rows.append(part)
    table = pd.concat(rows, ignore_index=True).sort_values([*keys, "_order"], kind="stable")
    table = table.drop(columns="_order").reset_index(drop=True)
    card = MethodCard.create("funnel.decompose", tree=_tree_text(tree), method=method, by=keys)
    return DecompositionResult(table=table, method=card, warnings=notes)


def _tree_text(tree: KPITree) -> str:
    op = " × " if tree.op == "product" else " + "
    inner = op.join(_tree_text(c) if isinstance(c, KPITree) else c for c in tree.children)
    return f"{tree.name} = ({inner})"


def solve_target(
    current: Mapping[str, float],
    target: float,
    levers: Sequence[str],
    *,
    tree: KPITree = GMV_TREE,
) -> Result:
    """What the levers must become for the KPI to reach ``target``, moving all by the same factor.

    Every lever is multiplied by one common factor ``r`` (found by bisection, so sum nodes
    are handled too) while the other factors stay at their current values.

    Args:
        current: Current factor values.
        target: Target KPI value (> 0).
        levers: Factors allowed to move.
        tree: The KPI tree (default GMV = views × CTR × CVR × AOV).

    Returns:
        A table result: ``lever``, ``current``, ``required``, ``change`` (relative).

    Example:
        >>> now = {"views": 100_000, "ctr": 0.02, "cvr": 0.05, "aov": 20.0}
        >>> solve_target(now, 2_420.0, ["ctr", "cvr"]).to_frame().round(4)
          lever  current  required  change
        0   ctr     0.02     0.022     0.1
        1   cvr     0.05     0.055     0.1
    """
    from creatorkit.results import TableResult

    if not isinstance(tree, KPITree):
        fail("tree", "must be a KPITree", ErrorCode.WRONG_TYPE, value=type(tree).__name__)
    leaves = tree.leaves()
    values = _leaf_values("current", current, leaves)
    target = check_number("target", target, low=0, low_open=True)
    chosen = as_str_list("levers", levers)
    unknown = [lever for lever in chosen if lever not in leaves]
    if not chosen or unknown:
        fail(
            "levers",
            f"must be factors of the tree {leaves}",
            ErrorCode.UNKNOWN_NAME,
            value=unknown or chosen,
        )
    if any(len(v) != 1 for v in values.values()):
        fail(
            "current",
            "must hold one value per factor (one KPI); solve each row separately",
            ErrorCode.INVALID_VALUE,
        )
    base = {k: float(v[0]) for k, v in values.items()}
    if any(base[lever] <= 0 for lever in chosen):
        fail("current", "levers must be positive to scale", ErrorCode.OUT_OF_RANGE)

    def value_at(r: float) -> float:
        return float(tree.evaluate({k: v * r if k in chosen else v for k, v in base.items()}))

    low, high = 0.0, 1.0
    while value_at(high) < target:
        high *= 2.0
        if high > 1e12:
            fail(
                "target",
                "cannot be reached by scaling the levers",
                ErrorCode.OUT_OF_RANGE,
                value=target,
            )
    for _ in range(200):
        mid = (low + high) / 2.0
        if value_at(mid) < target:
            low = mid
        else:
            high = mid
    r = (low + high) / 2.0
    table = pd.DataFrame(
        {
            "lever": chosen,
            "current": [base[k] for k in chosen],
            "required": [base[k] * r for k in chosen],
            "change": [r - 1.0] * len(chosen),
        }
    )
    card = MethodCard.create(
        "funnel.solve_target", tree=_tree_text(tree), target=target, levers=chosen
    )
    return TableResult(table=table, method=card)


@attrs.frozen(kw_only=True, eq=False)
class PacingResult(Result):
    """KPI attainment and pace against a target by date.

    Attributes:
        table: ``kpi``, ``actual``, ``target``, ``attainment`` (actual / target), ``elapsed``
            (share of the period gone), ``pace`` (attainment / elapsed), ``projected``
            (actual / elapsed, a straight-line projection), ``on_track``.

    Example:
        >>> res = pace(61.0, 100.0, start="2026-04-01T00:00Z", end="2026-04-11T00:00Z",
        ...            as_of="2026-04-06T00:00Z")
        >>> res.table[["pace", "on_track"]].to_dict("records")
        [{'pace': 1.22, 'on_track': True}]
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()

    def sentence(self) -> str:
        """One line per KPI, e.g. ``GMV +20% this quarter: 61% of target at 55% of the time``.

        Example:
            >>> res = pace(73_200.0, 120_000.0, start="2026-04-01T00:00+07:00",
            ...            end="2026-06-30T00:00+07:00", as_of="2026-05-20T12:00+07:00",
            ...            kpi="GMV +20% this quarter")
            >>> print(res.sentence())  # doctest: +NORMALIZE_WHITESPACE
            GMV +20% this quarter: 61% of target at 55% of the time
            (on track; projected 111% of target)
        """
        lines = []
        for row in self.table.to_dict("records"):
            status = "on track" if row["on_track"] else "behind"
            lines.append(
                f"{row['kpi']}: {row['attainment']:.0%} of target at "
                f"{row['elapsed']:.0%} of the time "
                f"({status}; projected {row['projected'] / row['target']:.0%} of target)"
            )
        return "\n".join(lines)


def _pace_times(start: Any, end: Any, as_of: Any) -> tuple[pd.Timestamp, ...]:
    """Aware start, end and as_of; naive ones all three still work in 0.2, with a warning."""
    import warnings

    from creatorkit.errors import CreatorkitDeprecationWarning

    values = {"start": start, "end": end, "as_of": as_of}
    try:
        naive = all(pd.Timestamp(v).tzinfo is None for v in values.values())
    except (TypeError, ValueError):
        naive = False
    if not naive:
        return tuple(require_as_of(v, k) for k, v in values.items())
    warnings.warn(
        "pace() with naive start, end and as_of is deprecated and will be an error in 0.3; "
        "pass timezone-aware times such as '2026-04-01T00:00+07:00'",
        CreatorkitDeprecationWarning,
        stacklevel=3,
    )
    return tuple(pd.Timestamp(v) for v in values.values())


def pace(
    actual: float | Sequence[float] | np.ndarray,
    target: float | Sequence[float] | np.ndarray,
    *,
    start: Any,
    end: Any,
    as_of: Any,
    kpi: str | Sequence[str] = "kpi",
) -> PacingResult:
    """Attainment and pacing of KPIs against targets over a period (a straight-line pace).

    Args:
        actual: Value reached so far (per KPI).
        target: Target for the whole period (per KPI, > 0). For a growth target pass
            ``baseline × (1 + growth)``.
        start: Period start, a timezone-aware timestamp (``"2026-04-01T00:00+07:00"``).
        end: Period end (after ``start``), timezone-aware.
        as_of: The moment the actual value refers to, timezone-aware (never the clock).
        kpi: KPI label(s).

    Returns:
        A :class:`PacingResult`.

    Example:
        >>> res = pace(61.0, 100.0, start="2026-04-01T00:00Z", end="2026-04-11T00:00Z",
        ...            as_of="2026-04-06T12:00Z", kpi="gmv")
        >>> res.to_frame()[["kpi", "attainment", "elapsed", "on_track"]].to_dict("records")
        [{'kpi': 'gmv', 'attainment': 0.61, 'elapsed': 0.55, 'on_track': True}]
    """
    actual_v = np.atleast_1d(check_array("actual", actual))
    target_v = np.atleast_1d(check_array("target", target, low=0, low_open=True))
    check_broadcast({"actual": actual_v, "target": target_v})
    actual_v, target_v = (np.array(v, dtype=float) for v in np.broadcast_arrays(actual_v, target_v))
    t0, t1, now = _pace_times(start, end, as_of)
    if t1 <= t0:
        fail("end", "must be after start", ErrorCode.INCONSISTENT)
    elapsed = float(np.clip((now - t0) / (t1 - t0), 0.0, 1.0))
    labels = (
        [kpi] * len(actual_v) if isinstance(kpi, str) else check_labels("kpi", kpi, len(actual_v))
    )
    attainment = _div(actual_v, target_v)  # inf for a tiny target, never a warning
    with np.errstate(divide="ignore", invalid="ignore"):
        pace_ratio = attainment / elapsed if elapsed > 0 else np.full(len(actual_v), np.nan)
        projected = actual_v / elapsed if elapsed > 0 else np.full(len(actual_v), np.nan)
    table = pd.DataFrame(
        {
            "kpi": labels,
            "actual": actual_v,
            "target": target_v,
            "attainment": attainment,
            "elapsed": elapsed,
            "pace": pace_ratio,
            "projected": projected,
            "on_track": np.nan_to_num(projected) >= target_v,
        }
    )
    card = MethodCard.create("funnel.pace", start=t0, end=t1, as_of=now)
    return PacingResult(table=table, method=card)
