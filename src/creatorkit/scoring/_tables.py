"""Scoring input: tables → one row per creator, and each criterion's raw values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._time import aware_column, parse_window
from creatorkit._validation import Problems, check_columns, check_frame, did_you_mean, fail
from creatorkit.adapters import is_dask
from creatorkit.errors import ErrorCode
from creatorkit.scoring._criterion import Criterion

_KINDS = {"content": "content", "order": "orders", "collaboration": "collaborations"}
_TIME = {
    "content": "published_at",
    "orders": "ordered_at",
    "collaborations": "agreed_at",
    "reviews": "created_at",
}
REVIEW_SCORE = "review_score"
"""Criterion of the leniency-corrected overall rating, read from a ``reviews`` table."""
_TABLES = ("creators", "content", "orders", "collaborations", "audience", "violations", "reviews")
_LAZY = ("content", "orders", "collaborations")
"""Tables that may be Dask DataFrames (their criteria and counts merge per partition)."""


def as_tables(tables: Any, argument: str = "tables") -> dict[str, Any]:
    """A per-creator frame, a mapping of tables or a Dataset → a dict of named tables.

    ``argument`` names the argument in errors (``tables``, or ``groups`` of top_share).
    """
    if isinstance(tables, pd.DataFrame):
        return {"creators": check_frame(argument, tables)}
    if hasattr(tables, "creators") and hasattr(tables, "content") and hasattr(tables, "as_of"):
        names = (*_TABLES, "fx_rates")
        return {n: getattr(tables, n) for n in names if len(getattr(tables, n, ()))}
    if not isinstance(tables, Mapping):
        rule = "must be a per-creator DataFrame, a mapping of tables or a Dataset"
        fail(argument, rule, ErrorCode.WRONG_TYPE, value=type(tables).__name__)
    unknown = [k for k in tables if k not in (*_TABLES, "fx_rates")]
    if unknown:
        rule = f"unknown table {unknown[0]!r}.{did_you_mean(str(unknown[0]), _TABLES)}"
        fail(argument, rule, ErrorCode.UNKNOWN_NAME, value=unknown[0])
    if "creators" not in tables:
        fail(argument, "needs a 'creators' table (one row per creator)", ErrorCode.MISSING_COLUMN)
    lazy = [k for k, v in tables.items() if is_dask(v) and k not in _LAZY]
    if lazy:
        rule = f"must be a pandas DataFrame; only {list(_LAZY)} may be Dask DataFrames"
        fail(
            f"{argument}[{lazy[0]!r}]",
            rule,
            ErrorCode.WRONG_TYPE,
            value=type(tables[lazy[0]]).__name__,
        )
    return {
        k: v if is_dask(v) else check_frame(f"{argument}[{k!r}]", v, allow_empty=k != "creators")
        for k, v in tables.items()
    }


def _keep(
    part: pd.DataFrame, where: Mapping[str, Any], time: tuple[str, str] | None, span: Any
) -> pd.Series:
    """Rows of one frame (or partition) kept by ``where`` and the time span ``(low, high]``."""
    keep = np.ones(len(part), dtype=bool)
    for key, allowed in where.items():
        keep &= part[key].isin(list(allowed)).to_numpy(dtype=bool, na_value=False)
    if time is not None:
        when = aware_column(part, time[0], time[1])
        low, high = span
        inside = when <= high if low is None else (when > low) & (when <= high)
        keep &= inside.to_numpy(dtype=bool)
    return pd.Series(keep, index=part.index, name="keep")


def _filtered(
    part: pd.DataFrame, where: Mapping[str, Any], time: tuple[str, str] | None, span: Any
) -> pd.DataFrame:
    """One partition's rows kept by :func:`_keep`."""
    return part[_keep(part, where, time, span).to_numpy()]


def _rows(rows: Any, name: str, where: Mapping[str, Any], window: Any, as_of: pd.Timestamp) -> Any:
    """``rows`` filtered by ``where`` and the window ending at ``as_of`` (lazily on Dask).

    ``window=False`` keeps every row up to ``as_of``; ``None`` applies no time filter.
    """
    column = _TIME.get(name)
    time = None
    if window is not None and column is not None and column in rows.columns:
        time = (column, name)
    if where:
        check_columns(f"tables[{name!r}]", rows._meta if is_dask(rows) else rows, where)
    if not where and time is None:
        return rows
    span = (None if window is False or window is None else as_of - window, as_of)
    if not is_dask(rows):
        return rows[_keep(rows, where, time, span).to_numpy()]
    if time is not None and rows._meta[time[0]].dtype != object:
        aware_column(rows._meta, time[0], name)  # naive times refused before computing
    return rows.map_partitions(_filtered, where, time, span, meta=rows._meta)


def _counts(frame: Any, table: str, ids: pd.Index, as_of: pd.Timestamp) -> np.ndarray:
    """Rows per creator up to ``as_of`` (on Dask: a groupby count; only counts reach here)."""
    if is_dask(frame):
        check_columns(f"tables[{table!r}]", frame._meta, ["creator_id"])
    rows = _rows(frame, table, {}, False, as_of)
    counts = rows["creator_id"].value_counts()
    if is_dask(counts):
        counts = counts.compute()
        counts.index = counts.index.astype(str)
    return np.asarray(counts.reindex(ids, fill_value=0).to_numpy(dtype=float))


def creator_ids(creators: pd.DataFrame, argument: str = "tables") -> pd.Series:
    """The ``creator_id`` column as text, checked as :func:`creatorkit.frames.validate` does.

    The one id check of :class:`~creatorkit.Creator`'s schema: a missing id is refused
    (naming the column and rows), float ids are refused (floats lose digits), integer ids
    become their digits; the result holds Python strings (object dtype).
    """
    from creatorkit.frames import _Checker
    from creatorkit.models import Creator

    if "creator_id" not in creators:
        rule = "the creators table needs a creator_id column"
        fail(argument, rule, ErrorCode.MISSING_COLUMN)
    column = next(col for col in Creator.schema() if col.name == "creator_id")
    problems = Problems(argument)
    checker = _Checker(creators, None, problems, "raise", "raise")
    checked = checker.column(column, creators["creator_id"])
    problems.raise_if_any()
    ids: pd.Series = checked.astype(str)
    return ids


def base(tables: dict[str, Any], as_of: pd.Timestamp, tier_scheme: str) -> pd.DataFrame:
    """One row per creator: the creators table plus tier, market, posts, risk, audience."""
    from creatorkit import tiers
    from creatorkit.frames import duplicated_keys

    creators = check_frame("tables", tables["creators"])
    ids = creator_ids(creators)
    if duplicated_keys(ids).any():
        dup = ids[ids.duplicated()].tolist()[:5]
        fail(
            "tables",
            "creator_id must be unique (one row per creator)",
            ErrorCode.DUPLICATE_KEY,
            value=dup,
        )
    out = creators.reset_index(drop=True).assign(creator_id=ids.array)
    if "tier" not in out and "followers" in out:
        out["tier"] = tiers.tier(out["followers"], scheme=tier_scheme).astype(str).array
    if "market" not in out and "country" in out:
        out["market"] = out["country"].array
    index = pd.Index(out["creator_id"])
    for name, column in (("content", "posts"), ("collaborations", "collaborations")):
        if name in tables and column not in out:
            out[column] = _counts(tables[name], name, index, as_of)
    if "violations" in tables and "points" not in out:
        out = out.join(_risk(tables["violations"], index, as_of))
    if "audience" in tables:
        from creatorkit.audience import profile

        shares = profile(tables["audience"], as_of=as_of).to_frame().set_index("creator_id")
        shares = shares.drop(columns=[c for c in shares if c in out or c == "snapshot_at"])
        out = out.join(shares.reindex(index).reset_index(drop=True))
    return out


def _reviews(c: Criterion, table: pd.DataFrame, ids: pd.Index, as_of: pd.Timestamp) -> pd.DataFrame:
    """``review_score`` (``_low``, ``_high``, ``_n``): the corrected overall rating to ``as_of``.

    The rating is ``reviews.aggregate``'s ``corrected`` (μ + creator effect of the additive
    creator + reviewer model, so a lenient reviewer does not lift a creator); ``_n`` counts
    the creator's reviews. Creators without reviews get NaN (the criterion's missing policy).
    The criterion's ``where`` and ``window`` (on ``created_at``) select the reviews.
    """
    from creatorkit import reviews

    span = False if c.window is None else parse_window(c.window, "window")
    rows = _rows(table, "reviews", c.where or {}, span, as_of)
    names = {"corrected": "", "corrected_low": "_low", "corrected_high": "_high", "reviews": "_n"}
    columns = {f"{REVIEW_SCORE}{suffix}": pd.Series(np.nan, index=ids) for suffix in names.values()}
    if len(rows):
        rated = reviews.aggregate(rows).creators
        rated = rated.set_index(rated["creator_id"].astype(str))
        for source, suffix in names.items():
            columns[f"{REVIEW_SCORE}{suffix}"] = rated[source].astype(float).reindex(ids)
    out = pd.DataFrame(columns, index=ids).reset_index(drop=True)
    out[f"{REVIEW_SCORE}_n"] = out[f"{REVIEW_SCORE}_n"].fillna(0.0)
    return out


def _risk(violations: pd.DataFrame, ids: pd.Index, as_of: pd.Timestamp) -> pd.DataFrame:
    from creatorkit.risk import violation_points

    points = violation_points(violations, as_of=as_of).to_frame().set_index("creator_id")
    points = points[["points", "strikes"]].reindex(ids).fillna(0.0)
    return points.reset_index(drop=True)


@attrs.frozen(kw_only=True, eq=False)
class Raw:
    """A criterion's raw values per creator and what shrinkage needs."""

    value: np.ndarray
    n: np.ndarray  # posts behind each value (NaN: unknown, never low data)
    trials: np.ndarray
    low: np.ndarray
    high: np.ndarray
    kind: str
    direction: str


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), np.nan)
    problems = Problems("tables")
    from creatorkit._validation import check_numeric

    values = check_numeric(problems, name, frame[name], missing_ok=True)
    problems.raise_if_any()
    return values


def _batch_key(c: Criterion, metric: Any) -> tuple[str, str, str | None]:
    """Criteria with the same key read the same rows (table, ``where``, ``window``)."""
    where = repr(sorted((str(k), repr(v)) for k, v in (c.where or {}).items()))
    return (str(metric.table), where, None if c.window is None else str(c.window))


def _computed(
    c: Criterion,
    metric: Any,
    tables: dict[str, Any],
    out: pd.DataFrame,
    as_of: pd.Timestamp,
    currency: str | None,
    together: tuple[tuple[Criterion, Any], ...] = (),
) -> pd.DataFrame:
    """The metric of ``c`` per creator of ``out`` (and those of ``together``, same rows).

    ``together`` holds further (criterion, metric) pairs with the same :func:`_batch_key`:
    their metrics come from the same ``metrics.compute`` call (one grouping of the rows).
    """
    from creatorkit import metrics

    name = _KINDS[metric.table]
    span = None if c.window is None else parse_window(c.window, "window")
    if span is not None:
        table = tables[name]
        check_columns(f"tables[{name!r}]", table._meta if is_dask(table) else table, [_TIME[name]])
    rows = _rows(tables[name], name, c.where or {}, span, as_of)
    pairs = ((c, metric), *together)
    for crit, met in pairs:  # a loop over criteria: each money one in one currency
        money = str(met.unit).startswith("currency")
        if currency is None and money and "currency" in rows.columns:
            seen = rows["currency"].dropna().unique()
            seen = seen.compute() if is_dask(seen) else seen
            if len(seen) > 1:
                rule = (
                    f"{crit.name} is money in several currencies ({', '.join(map(str, seen[:5]))});"
                    " creators are compared in one reporting currency: give "
                    "Scorecard(currency=...) and an fx_rates table"
                )
                fail("tables", rule, ErrorCode.MIXED_CURRENCY, value=crit.name)
    names = list(dict.fromkeys(met.name for _, met in pairs))
    if not is_dask(rows) and not len(rows):  # an empty table or selection: no values
        ids = pd.Index(out["creator_id"])  # no creator has a value (a criterion_empty note)
        empty = {col: value for n in names for col, value in ((n, np.nan), (f"{n}_n", 0.0))}
        return pd.DataFrame(empty, index=ids)
    fx = tables.get("fx_rates") if currency is not None else None
    res = metrics.compute(
        rows, names, by="creator_id", ci="auto", as_of=as_of, currency=currency, fx=fx
    ).to_frame()
    res["creator_id"] = res["creator_id"].astype(str)
    return res.set_index("creator_id").reindex(pd.Index(out["creator_id"]))


def _metric_frame(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """One metric's columns of a computed frame, its post count 0 where it has no rows."""
    named = [name, *(f"{name}{end}" for end in ("_low", "_high", "_n", "_trials"))]
    keep = [col for col in named if col in frame.columns]
    part = frame[keep].reset_index(drop=True)
    part[f"{name}_n"] = part[f"{name}_n"].fillna(0)  # no rows: 0 posts
    return part


def raws(
    criteria: Any,
    tables: dict[str, Any],
    out: pd.DataFrame,
    as_of: pd.Timestamp,
    currency: str | None,
) -> dict[str, Raw]:
    """:func:`raw` of every criterion, keyed by criterion key, in the criteria's order.

    Metric criteria that read the same rows (same table, ``where`` and ``window``) share
    one ``metrics.compute`` call — the rows are grouped by creator once, not once per
    criterion; each value is the same as :func:`raw` alone gives.
    """
    from creatorkit import metrics, rules

    batches: dict[tuple[str, str, str | None], list[tuple[Criterion, Any]]] = {}
    for c in criteria:  # a loop over criteria
        if c.name in rules.registry or c.name not in metrics.registry or c.name in out:
            continue
        metric = metrics.registry.get(c.name)
        if _KINDS.get(metric.table) in tables:
            batches.setdefault(_batch_key(c, metric), []).append((c, metric))
    frames: dict[str, pd.DataFrame] = {}
    for batch in batches.values():
        if len(batch) > 1:
            (first, metric), *rest = batch
            shared = _computed(first, metric, tables, out, as_of, currency, tuple(rest))
            frames |= {c.key: _metric_frame(shared, c.name) for c, _ in batch}
    return {c.key: raw(c, tables, out, as_of, currency, frames.get(c.key)) for c in criteria}


def raw(
    c: Criterion,
    tables: dict[str, Any],
    out: pd.DataFrame,
    as_of: pd.Timestamp,
    currency: str | None,
    computed: pd.DataFrame | None = None,
) -> Raw:
    """The raw values of criterion ``c`` for the creators of ``out``.

    ``computed``: the criterion's metric columns already computed by :func:`raws`.
    """
    from creatorkit import metrics, rules

    if c.name in rules.registry:
        rule = rules.registry.get(c.name)
        value = rules.evaluate(rule, out)
        nan = np.full(len(out), np.nan)
        n = _column(out, "posts") if "posts" in out else nan
        return Raw(
            value=value,
            n=n,
            trials=nan,
            low=nan,
            high=nan,
            kind="rule",
            direction=c.direction or rule.direction,
        )
    metric = metrics.registry.get(c.name) if c.name in metrics.registry else None
    if c.name == REVIEW_SCORE and "reviews" in tables and c.name not in out:
        frame, prefix = _reviews(c, tables["reviews"], pd.Index(out["creator_id"]), as_of), c.name
    elif metric is not None and _KINDS.get(metric.table) in tables and c.name not in out:
        if computed is None:
            computed = _metric_frame(_computed(c, metric, tables, out, as_of, currency), c.name)
        frame, prefix = computed, c.name
    else:
        needed = "reviews" if c.name == REVIEW_SCORE else None
        needed = _KINDS.get(metric.table) if metric is not None else needed
        if c.name not in out and needed is not None:  # known, but its rows are not given
            rule_text = (
                f"{c.name!r} is computed from a {needed!r} table: give tables[{needed!r}] "
                f"(or a per-creator {c.name!r} column)"
            )
            fail("tables", rule_text, ErrorCode.MISSING_COLUMN, value=c.name)
        if c.name not in out:
            names = [*map(str, out.columns), *metrics.registry, *rules.registry, REVIEW_SCORE]
            rule_text = f"{c.name!r} is not a column, metric or rule.{did_you_mean(c.name, names)}"
            fail("criteria", rule_text, ErrorCode.UNKNOWN_NAME, value=c.name)
        frame, prefix = out, c.name
    value = _column(frame, prefix)
    if np.isinf(value).any():
        fail("tables", f"{c.name}: values must be finite", ErrorCode.NOT_FINITE, column=c.name)
    direction = c.direction or (metric.direction if metric is not None else "higher")
    return Raw(
        value=value,
        n=_column(frame, f"{prefix}_n" if f"{prefix}_n" in frame else "posts"),
        trials=_column(frame, f"{prefix}_trials"),
        low=_column(frame, f"{prefix}_low"),
        high=_column(frame, f"{prefix}_high"),
        kind=metric.kind if metric is not None else "column",
        direction="lower" if direction == "lower" else "higher",
    )
