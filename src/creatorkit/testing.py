"""Conformance checks for results, metrics and other extensions (usable in your own tests).

Example:
    >>> import pandas as pd
    >>> from creatorkit.results import MethodCard, TableResult
    >>> res = TableResult(table=pd.DataFrame({"a": [1.0]}), method=MethodCard.create("x"))
    >>> check_result(res)
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit.results import SCHEMA_VERSION, Result

__all__ = ["check_metric", "check_result"]


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
