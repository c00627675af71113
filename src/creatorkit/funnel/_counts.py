"""``from_counts``: funnels from aggregate stage counts, with intervals and the bottleneck."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from creatorkit import summaries
from creatorkit._arith import divide as _div
from creatorkit._validation import (
    Problems,
    as_str_list,
    check_columns,
    check_frame,
    check_mapping,
    check_number,
    check_numeric,
    fail,
)
from creatorkit.errors import ErrorCode
from creatorkit.funnel._definition import Funnel, FunnelResult, Stage, stage_list
from creatorkit.metrics._intervals import poisson, wilson
from creatorkit.metrics._metric import column_metric
from creatorkit.results import MethodCard, Note


def from_counts(
    df: pd.DataFrame,
    stages: Sequence[Stage | str] | Funnel,
    *,
    by: str | Iterable[str] | None = None,
    benchmark: Mapping[str, float] | None = None,
    value: str | float | None = None,
    level: float = 0.95,
) -> FunnelResult:
    """Stage conversion from count columns (views, clicks, add-to-carts, orders, ...).

    Counts are summed per group. Each stage is measured against its parent, the previous
    *nested* stage; a side branch (``nested=False``) is measured against the previous nested
    stage but is not the parent of the next one.

    Args:
        df: Rows with one count column per stage (not modified).
        stages: Column names in order, :class:`Stage` objects, or a :class:`Funnel`.
        by: Group key column(s) (creator, content, campaign).
        benchmark: Conversion benchmark per stage name; by default the peer median of the
            stage's conversion across groups (needs at least two groups).
        value: GMV per final-stage unit: a column summed per group (GMV / final count), a
            number, or ``None`` to use a ``gmv`` column when there is one.
        level: Interval level.

    Returns:
        A :class:`FunnelResult` with ``count``, ``parent``, ``conversion`` (Wilson interval
        for nested stages, Poisson rate interval for side branches and for counts above
        their parent), ``conversion_from_start``, ``drop_off``, ``drop_off_rate``,
        ``above_parent`` (flag), ``benchmark``, ``extra_conversions`` (final-stage units
        gained if the stage reached its benchmark), ``gmv_opportunity`` and ``bottleneck``
        (the stage with the largest opportunity in its group).

    Example:
        >>> df = pd.DataFrame({"creator_id": ["a", "b"], "views": [10_000, 8_000],
        ...                    "clicks": [300, 400], "orders": [9, 20], "gmv": [270.0, 600.0]})
        >>> res = from_counts(df, ["views", "clicks", "orders"], by="creator_id")
        >>> res.to_frame()[["creator_id", "name", "count", "conversion", "bottleneck"]]
          creator_id    name  count  conversion  bottleneck
        0          a   views  10000        1.00       False
        1          a  clicks    300        0.03        True
        2          a  orders      9        0.03       False
        3          b   views   8000        1.00       False
        4          b  clicks    400        0.05       False
        5          b  orders     20        0.05       False
    """
    frame = check_frame("df", df)
    stage_objs = stage_list(stages)
    keys = as_str_list("by", by)
    level = check_number("level", level, low=0, high=1, low_open=True, high_open=True)
    columns = [str(s.column) for s in stage_objs]
    if len({s.name for s in stage_objs}) != len(stage_objs):
        fail(
            "stages",
            "stage names must be unique",
            ErrorCode.DUPLICATE_NAME,
            value=[s.name for s in stage_objs],
        )
    numeric = isinstance(value, int | float | np.integer | np.floating)
    if isinstance(value, str) and not value:
        fail("value", "must be a column name, a number or None", ErrorCode.INVALID_VALUE)
    if (
        value is not None
        and not isinstance(value, str)
        and (not numeric or isinstance(value, bool))
    ):
        fail(
            "value",
            "must be a column name, a number or None",
            ErrorCode.WRONG_TYPE,
            value=value,
        )
    value_column = (
        value
        if isinstance(value, str)
        else ("gmv" if value is None and "gmv" in frame.columns else None)
    )
    check_columns("df", frame, [*keys, *columns, *([value_column] if value_column else [])])
    problems = Problems("df")
    sums_input: dict[str, np.ndarray] = {}
    for column in dict.fromkeys([*columns, *([value_column] if value_column else [])]):
        # stage columns are counts (whole, >= 0); the value column is money (>= 0)
        sums_input[column] = check_numeric(
            problems, column, frame[column], low=0.0, integer=column in columns
        )
    problems.raise_if_any()
    summed = list(sums_input)
    summary = summaries.summarize(
        frame, [column_metric(f"c{i}", c) for i, c in enumerate(summed)], by=keys or None
    )
    sums = summary._table
    key_table = sums[keys].reset_index(drop=True) if keys else pd.DataFrame(index=pd.RangeIndex(1))
    notes = list(summary.warnings)
    g = len(sums)
    totals = {c: sums[f"c{i}__num"].to_numpy(dtype=float) for i, c in enumerate(summed)}
    counts = np.stack([totals[c] for c in columns], axis=1)
    parent_index = []
    last_nested = 0
    for i, stage in enumerate(stage_objs):
        parent_index.append(last_nested if i > 0 else 0)
        if stage.nested:
            last_nested = i
    parent = counts[:, parent_index]
    conversion = _div(counts, parent)
    nested = np.array([s.nested for s in stage_objs])
    above = nested[None, :] & (counts > parent)
    above[:, 0] = False
    if above.any():
        notes.append(
            Note(
                code="above_parent",
                count=int(above.sum()),
                message=f"{int(above.sum())} stage counts exceed their parent (kept)",
            )
        )
    w_low, w_high = wilson(np.minimum(counts, parent), parent, level)
    p_low, p_high = poisson(counts, parent, level)
    use_wilson = nested[None, :] & ~above
    low = np.where(use_wilson, w_low, p_low)
    high = np.where(use_wilson, w_high, p_high)
    low[:, 0] = np.nan
    high[:, 0] = np.nan
    from_start = _div(counts, counts[:, [0]])
    bench = _benchmarks(stage_objs, conversion, benchmark, g, notes)
    final = counts[:, -1] if nested[-1] else counts[:, np.flatnonzero(nested)[-1]]
    chain = np.flatnonzero(nested)
    extra = np.full(counts.shape, np.nan)
    for i in chain[1:]:
        ratio = _div(np.maximum(bench[:, i], conversion[:, i]), conversion[:, i])
        extra[:, i] = final * (ratio - 1.0)
    if numeric and not isinstance(value, bool):
        per_final = np.full(g, check_number("value", value, low=0))
    elif value_column is not None:
        per_final = _div(totals[value_column], final)
    else:
        per_final = np.full(g, np.nan)
    opportunity = extra * per_final[:, None]
    score = (
        np.where(np.isnan(opportunity), extra, opportunity)
        if np.isnan(per_final).all()
        else opportunity
    )
    filled = np.where(np.isnan(score), -np.inf, score)
    best = np.argmax(filled, axis=1)
    bottleneck = np.zeros(counts.shape, dtype=bool)
    has_any = np.isfinite(filled).any(axis=1) & (filled.max(axis=1) > 0)
    bottleneck[np.flatnonzero(has_any), best[has_any]] = True
    parts = []
    for i, stage in enumerate(stage_objs):
        part = key_table.copy()
        part["step"] = i + 1
        part["name"] = stage.name
        part["count"] = (
            counts[:, i].astype(np.int64)
            if np.all(counts[:, i] == np.round(counts[:, i]))
            else counts[:, i]
        )
        part["parent"] = parent[:, i]
        part["parent_step"] = parent_index[i] + 1
        part["nested"] = stage.nested
        part["above_parent"] = above[:, i]
        part["conversion"] = conversion[:, i]
        part["conversion_low"] = low[:, i]
        part["conversion_high"] = high[:, i]
        part["conversion_from_start"] = from_start[:, i]
        part["drop_off"] = parent[:, i] - counts[:, i]
        part["drop_off_rate"] = 1.0 - conversion[:, i]
        part["benchmark"] = bench[:, i]
        part["extra_conversions"] = extra[:, i]
        part["gmv_opportunity"] = opportunity[:, i]
        part["bottleneck"] = bottleneck[:, i]
        parts.append(part)
    table = (
        pd.concat(parts, ignore_index=True)
        .sort_values([*keys, "step"], kind="stable")
        .reset_index(drop=True)
    )
    card = MethodCard.create(
        "funnel.from_counts",
        stages=[s.name for s in stage_objs],
        columns=columns,
        by=keys,
        benchmark=dict(benchmark) if benchmark else "peer median",
        value=value if value is not None else value_column,
        level=level,
    )
    return FunnelResult(table=table, kind="counts", by=tuple(keys), method=card, warnings=notes)


def _benchmarks(
    stages: tuple[Stage, ...],
    conversion: np.ndarray,
    given: Mapping[str, float] | None,
    groups: int,
    notes: list[Note],
) -> np.ndarray:
    if given is not None:
        given = check_mapping("benchmark", given)
        names = {s.name for s in stages}
        unknown = sorted(set(given) - names)
        if unknown:
            fail(
                "benchmark",
                f"unknown stages {unknown}; stages are {[s.name for s in stages]}",
                ErrorCode.UNKNOWN_NAME,
            )
        row = np.array(
            [
                check_number(f"benchmark[{s.name!r}]", given[s.name], low=0)
                if s.name in given
                else np.nan
                for s in stages
            ]
        )
        return np.broadcast_to(row, conversion.shape).copy()
    if groups < 2:
        notes.append(
            Note(
                code="no_benchmark",
                message="one group only: no peer median benchmark; pass benchmark=",
            )
        )
        return np.full(conversion.shape, np.nan)
    with np.errstate(all="ignore"):
        finite = np.where(np.isfinite(conversion), conversion, np.nan)
        counts = np.isfinite(finite).sum(axis=0)
        median = np.full(conversion.shape[1], np.nan)
        ok = counts > 0
        median[ok] = np.nanmedian(finite[:, ok], axis=0)
    return np.broadcast_to(median, conversion.shape).copy()
