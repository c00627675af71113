"""Conformance checks for results, metrics and other extensions (usable in your own tests).

Example:
    >>> import pandas as pd
    >>> from creatorkit.results import MethodCard, TableResult
    >>> res = TableResult(table=pd.DataFrame({"a": [1.0]}), method=MethodCard.create("x"))
    >>> check_result(res)
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit.results import SCHEMA_VERSION, Result

__all__ = [
    "check_aggregator",
    "check_kind",
    "check_metric",
    "check_normalizer",
    "check_result",
    "check_rule",
    "check_weight_method",
]


def _tables(result: Result) -> dict[str, pd.DataFrame]:
    """The tables a result hands out, by public name."""
    out = {}
    for field in attrs.fields(type(result)):
        public = field.alias or field.name
        value = getattr(result, field.name)
        if isinstance(value, pd.DataFrame):
            out[public] = value
    return out


def _check_read_only(result: Result) -> None:
    for public, stored in _tables(result).items():
        before = stored.copy(deep=True)
        handed = getattr(result, public)
        assert handed is not stored, f"{public} hands out the stored table itself"
        if handed.shape[0] and handed.shape[1]:
            handed.iloc[0, 0] = None
        handed["__changed__"] = 1
        again = getattr(result, public)
        assert "__changed__" not in again.columns, f"a column added to {public} stuck"
        pd.testing.assert_frame_equal(again, before, obj=f"{public} after a caller changed it")
    frame = result.to_frame()
    if frame.shape[0] and frame.shape[1]:
        frame.iloc[0, 0] = None
    pd.testing.assert_frame_equal(result.to_frame(), result._stored(), obj="to_frame()")


def _check_frozen_mapping(mapping: Any, what: str) -> None:
    """No key can be set and no nested list or mapping can be changed."""
    try:
        mapping["__changed__"] = 1
    except TypeError:
        pass
    else:  # pragma: no cover - contract failure
        raise AssertionError(f"{what} can be changed")
    for key, value in mapping.items():
        assert not isinstance(value, list | dict | set), f"{what}[{key!r}] is mutable"
        if hasattr(value, "items"):
            _check_frozen_mapping(value, f"{what}[{key!r}]")


def check_result(result: Result) -> None:
    """Assert that ``result`` honours the result contract.

    Checks: frozen attrs instance; ``to_frame()`` and every table attribute hand out copies
    that a caller may change without changing the result; the method card's parameters
    are read-only; ``to_dict()`` survives ``json.dumps(..., allow_nan=False)`` and carries
    ``schema_version``, ``kind``, ``method`` and ``warnings``; the method card has a version
    and a hash; ``_repr_html_`` returns text.

    Args:
        result: Any creatorkit result.

    Raises:
        AssertionError: The first broken clause of the contract.

    Example:
        >>> from creatorkit.metrics import compute
        >>> check_result(compute(pd.DataFrame({"views": [10]}), "views"))
    """
    cls = type(result)
    assert attrs.has(cls), f"{cls.__name__} is not an attrs class"
    assert isinstance(result, Result), f"{cls.__name__} does not derive from Result"
    first = attrs.fields(cls)[0].name
    try:
        setattr(result, first, None)
    except attrs.exceptions.FrozenInstanceError:
        pass
    else:  # pragma: no cover - contract failure
        raise AssertionError(f"{cls.__name__} is not frozen")
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame), "to_frame() must return a DataFrame"
    _check_read_only(result)
    _check_frozen_mapping(result.method.parameters, "method card parameters")
    data = result.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["schema_version"] == SCHEMA_VERSION
    for key in ("kind", "method", "warnings"):
        assert key in data, f"to_dict() lacks {key!r}"
    assert result.method.version, "method card has no version"
    assert result.method.spec_hash, "method card has no spec hash"
    html_text = result._repr_html_()
    assert isinstance(html_text, str)
    assert html_text.startswith("<div")


def _sample(metric: Any) -> pd.DataFrame:
    from creatorkit.datasets import synthetic

    data = synthetic(seed=0, n_creators=60, n_events=200)
    tables = {
        "content": data.content,
        "order": data.orders,
        "collaboration": data.collaborations,
        "creator": data.creators,
    }
    frame = tables.get(metric.table, data.content)
    if "currency" in frame and frame["currency"].nunique() > 1:
        frame = frame[frame["currency"] == frame["currency"].mode()[0]]
    return frame.reset_index(drop=True)


def check_metric(
    metric: Any,
    frame: pd.DataFrame | None = None,
    *,
    by: str = "creator_id",
    params: dict[str, float] | None = None,
    as_of: Any = None,
) -> None:
    """Assert that a metric definition works with the summaries layer.

    Checks: a :class:`~creatorkit.metrics.Metric` with a snake_case name and a stable
    fingerprint; it computes on ``frame`` (by default the synthetic table it reads);
    values respect its kind (a ``rate`` stays in [0, 1], a ``count`` is not negative);
    for a mergeable metric, summaries of two chunks added up give exactly the values of
    the whole; a non-mergeable metric is
    refused by ``summarize``; the result's method card and ``to_dict`` are JSON-safe.
    The metric need not be registered.

    Args:
        metric: The metric to check.
        frame: Rows it reads; defaults to a synthetic table of its ``table`` kind.
        by: Group column of ``frame``.
        params: Values of its parameters.
        as_of: Cut-off, for windowed metrics (defaults to the synthetic data's).

    Raises:
        AssertionError: The first broken clause.

    Example:
        >>> import creatorkit as ck
        >>> check_metric(ck.metrics.Metric(name="hook_rate", numerator="likes",
        ...                                denominator="views", kind="rate"))
    """
    from creatorkit import errors
    from creatorkit.datasets import synthetic
    from creatorkit.metrics import Metric, compute, summarize

    assert isinstance(metric, Metric), f"{type(metric).__name__} is not a Metric"
    assert metric.name.isidentifier(), f"{metric.name!r} is not snake_case"
    assert metric.fingerprint == Metric(**attrs.asdict(metric, recurse=False)).fingerprint
    rows = _sample(metric) if frame is None else frame
    if as_of is None and metric.window is not None:
        as_of = synthetic(seed=0, n_creators=60, n_events=200).as_of
    result = compute(rows, [metric], by=by, params=params, as_of=as_of)
    check_result(result)
    values = result.table[metric.name].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    if metric.kind == "rate":
        assert ((finite >= 0) & (finite <= 1)).all(), f"{metric.name}: a rate left [0, 1]"
    if metric.kind == "count":
        assert (finite >= 0).all(), f"{metric.name}: a count is negative"
    if metric.mergeable and len(rows) >= 2:
        cut = len(rows) // 2
        parts = summarize(rows.iloc[:cut], [metric], by=by, params=params, as_of=as_of)
        parts = parts + summarize(rows.iloc[cut:], [metric], by=by, params=params, as_of=as_of)
        merged = parts.compute().table[metric.name].to_numpy(dtype=float)
        np.testing.assert_allclose(merged, values, rtol=1e-12, equal_nan=True)
    elif not metric.mergeable:
        try:
            summarize(rows, [metric], by=by, params=params, as_of=as_of)
        except errors.ValidationError:
            pass
        else:  # pragma: no cover - contract failure
            raise AssertionError(f"{metric.name}: a non-mergeable metric was summarized")
    json.dumps(result.to_dict(), allow_nan=False)


def _mcdm_sample(n: int = 24, k: int = 3, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(1.0, 100.0, size=(n, k)).round(1)


def check_normalizer(normalizer: Any, **options: Any) -> None:
    """Assert that a normalizer honours the normalizer contract.

    Checks, on a sample of 24 alternatives × 3 criteria (values in [1, 100], ties
    included): an ``(n, k)`` finite result; benefit columns keep the order of the values
    and cost columns reverse it; within peer groups the result equals normalizing each
    group on its own; permuting rows permutes the result; the input is not changed.

    Args:
        normalizer: A :class:`~creatorkit.weighting.Normalizer` (registered or not).
        **options: Values of its options (``target`` for ``kpi``).

    Raises:
        AssertionError: The first broken clause.

    Example:
        >>> from creatorkit import weighting
        >>> check_normalizer(weighting.normalizers.get("percentile"))
        >>> check_normalizer(weighting.normalizers.get("kpi"), target=50.0)
    """
    from creatorkit.weighting import Normalizer

    assert isinstance(normalizer, Normalizer), f"{type(normalizer).__name__} is no Normalizer"
    x = _mcdm_sample()
    x[3] = x[5]  # ties
    before = x.copy()
    benefit = np.array([True, False, True])
    settings = {**normalizer.options, **options}
    out = np.asarray(normalizer.function(x, benefit, None, **settings), dtype=float)
    np.testing.assert_array_equal(x, before, err_msg="the normalizer changed its input")
    assert out.shape == x.shape, f"shape {out.shape}, expected {x.shape}"
    assert np.isfinite(out).all(), "non-finite normalized values"
    for j in range(x.shape[1]):
        order = np.argsort(x[:, j], kind="stable")
        steps = np.diff(out[order, j])
        ok = (steps >= -1e-12).all() if benefit[j] else (steps <= 1e-12).all()
        assert ok, f"column {j} ({'benefit' if benefit[j] else 'cost'}) is not monotone"
    codes = np.arange(len(x)) % 3
    grouped = np.asarray(normalizer.function(x, benefit, codes, **settings), dtype=float)
    for g in range(3):
        alone = normalizer.function(x[codes == g], benefit, None, **settings)
        np.testing.assert_allclose(grouped[codes == g], alone, rtol=1e-12, atol=1e-12)
    perm = np.random.default_rng(1).permutation(len(x))
    moved = normalizer.function(x[perm], benefit, None, **settings)
    np.testing.assert_allclose(moved, out[perm], rtol=1e-12, atol=1e-12)


def check_weight_method(method: Any) -> None:
    """Assert that a weight method honours the weight-method contract.

    Checks: it returns a :class:`~creatorkit.weighting.WeightResult` that honours the
    result contract, with finite, non-negative weights summing to 1, one per criterion;
    an objective method gives the same weights whatever the row order and leaves its input
    unchanged; a judgement method is called with its ``example``.

    Args:
        method: A :class:`~creatorkit.weighting.WeightMethod` (registered or not).

    Raises:
        AssertionError: The first broken clause.

    Example:
        >>> from creatorkit import weighting
        >>> check_weight_method(weighting.weight_methods.get("critic"))
        >>> check_weight_method(weighting.weight_methods.get("ahp"))
    """
    from creatorkit.weighting import WeightMethod, WeightResult

    assert isinstance(method, WeightMethod), f"{type(method).__name__} is no WeightMethod"
    if method.family == "objective":
        x = _mcdm_sample()
        before = x.copy()
        result = method.function(x, [True, False, True])
        np.testing.assert_array_equal(x, before, err_msg="the method changed its input")
        perm = np.random.default_rng(1).permutation(len(x))
        again = method.function(x[perm], [True, False, True])
        np.testing.assert_allclose(again.weights, result.weights, rtol=1e-10, atol=1e-12)
    else:
        result = method.function(method.example)
    assert isinstance(result, WeightResult), f"{type(result).__name__} is no WeightResult"
    check_result(result)
    weights = np.asarray(result.weights, dtype=float)
    assert weights.ndim == 1, "weights must be a flat array"
    assert len(weights) == len(result.criteria), "one weight per criterion"
    assert np.isfinite(weights).all(), "weights must be finite"
    assert (weights >= 0).all(), "weights must be >= 0"
    assert abs(float(weights.sum()) - 1.0) <= 1e-12, f"weights sum to {weights.sum()!r}"


def check_aggregator(aggregator: Any, **options: Any) -> None:
    """Assert that an aggregator honours the aggregator contract.

    Checks, on a normalized sample (24 alternatives × 3 criteria in [0, 1]): one finite
    score per alternative; ``batch`` equals ``score`` for each weight row; contributions
    (when the aggregator attributes) sum to the score; permuting rows permutes the scores;
    raising one alternative's value never makes its score worse.

    Args:
        aggregator: A :class:`~creatorkit.weighting.Aggregator` (registered or not).
        **options: Values of its options.

    Raises:
        AssertionError: The first broken clause.

    Example:
        >>> from creatorkit import weighting
        >>> check_aggregator(weighting.aggregators.get("vikor"), v=0.3)
    """
    from creatorkit.weighting import Aggregator
    from creatorkit.weighting._aggregators import directed

    assert isinstance(aggregator, Aggregator), f"{type(aggregator).__name__} is no Aggregator"
    settings = {**aggregator.options, **options}
    x = _mcdm_sample() / 100.0
    benefit = np.ones(x.shape[1], dtype=bool)
    w = np.array([0.5, 0.3, 0.2])
    prepare = aggregator.prepare or directed

    def scores(matrix: np.ndarray, weights: np.ndarray) -> np.ndarray:
        prepared = prepare(matrix, benefit, **settings)
        return np.asarray(aggregator.score(prepared, weights, **settings), dtype=float)

    base = scores(x, w)
    assert base.shape == (len(x),), "one score per row"
    assert np.isfinite(base).all(), "scores must be finite"
    prepared = prepare(x, benefit, **settings)
    rows = np.array([w, [0.2, 0.2, 0.6], [1.0, 0.0, 0.0]])
    if aggregator.batch is not None:
        batch = np.asarray(aggregator.batch(prepared, rows, **settings), dtype=float)
        for d, row in enumerate(rows):
            np.testing.assert_allclose(batch[:, d], scores(x, row), rtol=1e-10, atol=1e-12)
    if aggregator.attribute is not None:
        parts = np.asarray(aggregator.attribute(prepared, w, **settings), dtype=float)
        np.testing.assert_allclose(parts.sum(axis=1), base, rtol=1e-10, atol=1e-12)
    perm = np.random.default_rng(1).permutation(len(x))
    np.testing.assert_allclose(scores(x[perm], w), base[perm], rtol=1e-10, atol=1e-12)
    raised = x.copy()
    raised[4, 0] = min(1.0, raised[4, 0] + 0.3)
    after = scores(raised, w)[4]
    worse = after < base[4] - 1e-12 if aggregator.higher_is_better else after > base[4] + 1e-12
    assert not worse, "raising a benefit value made the score worse"


def _rule_sample() -> pd.DataFrame:
    from creatorkit.datasets import synthetic

    data = synthetic(seed=0, n_creators=60, n_events=200)
    creators = data.creators.reset_index(drop=True)
    posts = data.content["creator_id"].value_counts()
    sums = data.content.groupby("creator_id")[
        ["views", "likes", "comments", "shares", "saves", "clicks", "orders", "gmv"]
    ].sum()
    table = creators.join(sums, on="creator_id").assign(
        posts=posts.reindex(creators["creator_id"]).fillna(0).to_numpy(dtype=float)
    )
    return table.set_axis(pd.Index([f"r{i}" for i in range(len(table))]), axis=0)


def check_rule(rule: Any, table: pd.DataFrame | None = None) -> None:
    """Assert that a custom rule keeps the :class:`creatorkit.rules.Rule` contract.

    Checks: the protocol (``name`` snake_case, ``direction`` ``"higher"``/``"lower"``,
    ``needs`` column names, callable); the input table is not modified; the result is a
    Series on the table's index (a shuffled table gives the shuffled result, a
    non-default index is kept); it is deterministic; values are numbers, finite or NaN
    (NaN is the documented "no value", handled by a criterion's missing policy). Speed
    belongs in benchmarks, not here.

    Args:
        rule: The rule to check (need not be registered).
        table: A per-creator table it reads; by default synthetic creators with their
            content sums (``views``, ``likes``, ..., ``gmv``) and ``posts``.

    Raises:
        AssertionError: The first broken clause.

    Example:
        >>> from creatorkit.rules import FunctionRule
        >>> check_rule(FunctionRule(name="likes_per_post", needs=("likes", "posts"),
        ...            function=lambda t: t["likes"] / t["posts"].where(t["posts"] > 0)))
    """
    from creatorkit.rules import DIRECTIONS, Rule

    assert isinstance(rule, Rule), f"{type(rule).__name__} does not follow the Rule protocol"
    assert isinstance(rule.name, str), "name must be text"
    assert rule.name.isidentifier(), "name must be snake_case"
    assert rule.direction in DIRECTIONS, f"direction must be one of {DIRECTIONS}"
    assert all(isinstance(c, str) for c in rule.needs), "needs must be column names"
    from creatorkit._validation import check_frame

    rows = _rule_sample() if table is None else check_frame("table", table)
    missing = [c for c in rule.needs if c not in rows]
    assert not missing, f"the table lacks needed columns {missing}"
    before = rows.copy(deep=True)
    out = rule(rows)
    assert before.equals(rows), f"{rule.name}: the rule modified its input"
    assert isinstance(out, pd.Series), f"{rule.name}: must return a Series"
    assert out.index.equals(rows.index), f"{rule.name}: the result must keep the table's index"
    values = pd.to_numeric(out, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    assert not np.isinf(values).any(), f"{rule.name}: infinite values"
    assert (np.isnan(values) == out.isna().to_numpy()).all(), f"{rule.name}: values must be numbers"
    again = rule(rows.copy(deep=True))
    pd.testing.assert_series_equal(again, out, check_names=False, obj=f"{rule.name} (rerun)")
    perm = np.random.default_rng(0).permutation(len(rows))
    shuffled = rule(rows.iloc[perm])
    assert shuffled.index.equals(rows.index[perm]), f"{rule.name}: index of a shuffled table"
    np.testing.assert_array_equal(
        pd.to_numeric(shuffled, errors="coerce").to_numpy(dtype=float, na_value=np.nan),
        values[perm],
        err_msg=f"{rule.name}: row order changed the values",
    )


_PARSES_FOR = {  # a model column kind → the ways an export may write it
    "id": {"id"},
    "count": {"count"},
    "amount": {"money", "number", "duration", "count"},
    "number": {"money", "number", "duration", "count"},
    "rate": {"rate"},
    "time": {"time"},
    "enum": {"enum"},
    "currency": {"currency"},
    "country": {"text", "id", "enum"},
    "text": {"text", "id", "enum"},
    "bool": {"enum", "text"},
}
_WHEN = pd.Timestamp("2026-06-07 12:34:56")
_WHEN_UTC = pd.Timestamp("2026-06-07 12:34:56", tz="UTC")


def _kind_problems(kind: Any, values: tuple[str, ...]) -> list[str]:
    """Everything a kind declares wrongly (aliases, fields, units, enums, formats)."""
    from creatorkit.ingest._header import normalize

    problems = []
    seen: dict[str, str] = {}
    for field in kind.fields:
        for alias in {normalize(a) for group in field.aliases.values() for a in group}:
            if seen.setdefault(alias, field.name) != field.name:
                twice = f"{seen[alias]!r} and {field.name!r}"
                problems.append(f"header {alias!r} is an alias of two fields, {twice}")
    schema = {c.name: c for c in kind.model.schema()}
    given = {f.name for f in kind.fields} | set(kind.constants) | set(kind.derived) | set(values)
    if any(f.parse == "money" for f in kind.fields):  # from a header unit or currency=
        given.add("currency")
    feeds = {n for spec in kind.derived.values() for n in spec if isinstance(n, str)}
    for col in schema.values():
        if col.required and col.name not in given:
            hint = "no field, constant or derived column gives it (or declare it in values=)"
            problems.append(f"{kind.model.__name__} needs {col.name!r}: {hint}")
    for field in kind.fields:
        problems += _field_problems(kind, field, schema.get(field.name), feeds)
    return problems


def _field_problems(kind: Any, field: Any, col: Any, feeds: set[str]) -> list[str]:
    name = f"field {field.name!r}"
    out = []
    if field.required and col is None and field.name not in feeds:
        out.append(f"{name} is required but is no column of {kind.model.__name__} "
                   "and no derived column is built from it")  # fmt: skip
    allowed = _PARSES_FOR.get(str(col.kind)) if col is not None else None
    if allowed is not None and field.parse not in allowed:
        out.append(f"{name} is a {col.kind} column of the model but is read as {field.parse!r}")
    if field.parse == "rate" and field.unit not in ("percent", "fraction", "hundredths"):
        out.append(f"{name} is a rate without its unit (percent, fraction or hundredths)")
    if field.parse == "time":
        unit = field.unit or ""
        try:
            text = _WHEN.strftime(unit)
            ok = unit == "unix" or (
                "%" in unit and dt.datetime.strptime(text, unit).strftime(unit) == text
            )
        except ValueError:
            ok = False
        if not ok:
            out.append(f"{name}: {unit!r} is no date format that writes and reads back a time")
    if field.parse == "enum" and col is not None and col.enum is not None:
        legal = {e.value for e in col.enum}
        wrong = sorted({str(v) for v in field.values.values() if v is not None} - legal)
        if wrong:
            out.append(f"{name} maps labels to {wrong}, not values of {col.enum.__name__}")
    return out


def _sample_cell(field: Any, decimal: str, country: bool) -> tuple[str, Any]:
    """A cell of ``field`` as an export writes it, and the value it must read back as."""
    mark = "," if decimal == "," else "."
    if country:
        return "US", "US"
    if field.parse == "id":
        return "\t5770001234567890123", "5770001234567890123"
    if field.parse in ("count", "number"):
        return "3", 3
    if field.parse == "money":
        return f"12{mark}50", 12.5
    if field.parse == "rate":
        return {"percent": "10%", "fraction": f"0{mark}1", "hundredths": "1000"}[field.unit], 0.1
    if field.parse == "duration":
        return ("1m28s", 88.0) if field.unit in (None, "text") else ("88", 88.0)
    if field.parse == "time":
        if field.unit == "unix":
            return str(int(_WHEN_UTC.timestamp())), _WHEN_UTC
        text = _WHEN.strftime(field.unit)
        return text, pd.Timestamp(dt.datetime.strptime(text, field.unit), tz="UTC")
    if field.parse == "enum":
        label, value = next(((k, v) for k, v in field.values.items() if v is not None), ("", None))
        return str(label), value
    if field.parse == "currency":
        return "USD", "USD"
    return "sample text", "sample text"


def check_kind(kind: Any, *, values: Any = ()) -> None:
    """Assert that an ingest kind is well declared and reads a file of its own headers.

    Checks: no header is an alias of two fields; every required field is a column of
    the kind's record type and every column the record type requires comes from a
    field, a constant, a derived column or ``values``; each field is read the way its
    model column is typed (ids as ids, times as times, ...); rate fields declare their
    unit; time fields a date format that writes and reads back a time; enum maps lead
    to values of the model's enum; and a one-row CSV written from the kind's first
    aliases (a 19-digit id padded with a tab, ``12.50``, ``10%``, the declared date
    format, an enum label) reads back to those values (when a row of every field
    breaks a rule between columns, a row of the required fields).

    Args:
        kind: A :class:`creatorkit.ingest.Kind` (registered or not).
        values: Columns users give with ``read(..., values=...)`` (the creator of a
            creator-side export).

    Raises:
        AssertionError: Every broken clause, one per line.
        ValidationError: ``values`` is not a list of column names.

    Example:
        >>> from creatorkit import Content
        >>> from creatorkit.ingest import Field, Kind
        >>> check_kind(Kind(name="my.posts", model=Content, doc="Posts.",
        ...     constants={"content_type": "post"}, fields=(
        ...     Field(name="content_id", aliases={"en": "Post"}, parse="id", required=True),
        ...     Field(name="creator_id", aliases={"en": "Who"}, parse="id", required=True),
        ...     Field(name="published_at", aliases={"en": "When"}, parse="time",
        ...           unit="%d.%m.%Y %H:%M", required=True),
        ...     Field(name="views", aliases={"en": "Plays"}, parse="count"))))
    """
    from creatorkit.ingest import Kind

    if not isinstance(kind, Kind):
        raise AssertionError(f"{type(kind).__name__} is not an ingest Kind")
    given = _column_names(values)
    problems = _kind_problems(kind, given)
    if not problems:
        problems = _read_back(kind, given)
    if problems:  # raised, not asserted: the check also runs under python -O
        raise AssertionError(f"kind {kind.name!r}:\n  " + "\n  ".join(problems))


def _column_names(values: Any) -> tuple[str, ...]:
    from creatorkit._validation import fail
    from creatorkit.errors import ErrorCode

    names = (values,) if isinstance(values, str) else values
    if not isinstance(names, list | tuple | set | frozenset) or not all(
        isinstance(n, str) for n in names
    ):
        fail("values", "must be column names", ErrorCode.WRONG_TYPE, value=repr(values)[:40])
    return tuple(names)


def _read_back(kind: Any, values: tuple[str, ...]) -> list[str]:
    """Write one row under the kind's first aliases, read it, compare every field.

    A row of every field may break a rule between columns (an actual commission on an
    order not settled yet); then a row of the required fields only must read.
    """
    fields = [f for f in kind.fields if f.name not in values]
    unread, problems = _read_row(kind, fields, values)
    if unread:
        needed = {c.name for c in kind.model.schema() if c.required}
        least = [f for f in fields if f.required or f.name in needed]
        unread, problems = _read_row(kind, least, values)
    return problems


def _placeholder(col: Any) -> Any:
    """A valid value of a model column, for the columns users give in ``values=``."""
    if col is not None and col.enum is not None:
        return next(iter(col.enum)).value
    return "US" if col is not None and str(col.kind) == "country" else "x"


def _read_row(kind: Any, fields: list[Any], values: tuple[str, ...]) -> tuple[bool, list[str]]:
    import csv
    import io

    import creatorkit as ck

    decimal = kind.decimal["*"]
    countries = {c.name for c in kind.model.schema() if str(c.kind) == "country"}
    headers = [next(a for group in f.aliases.values() for a in group) for f in fields]
    cells = [_sample_cell(f, decimal, f.name in countries) for f in fields]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, [c for c, _ in cells]])
    try:
        options = {"tz": "UTC", "currency": "USD", "decimal": decimal}
        schema = {c.name: c for c in kind.model.schema()}
        given = {n: _placeholder(schema.get(n)) for n in values}
        table = ck.ingest.read(buffer.getvalue().encode(), kind=kind, values=given, **options).table
    except ck.ValidationError as exc:
        return True, [f"a file of its own headers does not read: {exc}"]
    out = []
    for field, (_, want) in zip(fields, cells, strict=True):
        got = table[field.name].iloc[0] if field.name in table else None
        same = want is None or got == want
        if field.parse == "time" and got is not None and not pd.isna(got):
            same = pd.Timestamp(got).tz_convert("UTC") == want
        if not bool(same):
            out.append(f"field {field.name!r} read back as {got!r}, not {want!r}")
    return False, out
