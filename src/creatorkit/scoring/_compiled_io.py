"""Compiled scorecards as versioned, safe data: ``to_dict`` / ``from_dict``.

The data holds the scorecard's spec (loaded by the safe spec loader: only registered names,
no code runs) and, per criterion, the frozen reference: the peer-group keys of every
fallback level, the sorted reference values of each group, the group statistics and the
shrinkage priors. Numbers are JSON numbers (NaN as ``null``), so ``json.dumps`` of the data
and ``json.loads`` back give the same compiled scorecard, digit for digit. Everything is
checked before use; each problem is reported with its JSON path.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from creatorkit._validation import Problems
from creatorkit.errors import ErrorCode

SCHEMA = "creatorkit.compiled_scorecard"
SCHEMA_VERSION = 1
_ARRAYS = ("values", "offsets", "low", "high", "neutral")
_FIELDS = {
    "key",
    "levels",
    "keys",
    *_ARRAYS,
    "benefit",
    "prior",
    "strength",
    "rate",
}


def _numbers(a: np.ndarray | None) -> list[float | None] | None:
    if a is None:
        return None
    return [None if v != v else float(v) for v in np.asarray(a, dtype=float).tolist()]


def _frozen_dict(key: str, f: Any) -> dict[str, Any]:
    keys = []
    for level, table in zip(f.levels, f.keys, strict=True):  # a loop over fallback levels
        cols = [*level, "_group"]
        rows = table[cols].astype(object).to_numpy().tolist() if len(table) else []
        keys.append([[_plain(v) for v in row] for row in rows])
    return {
        "key": key,
        "levels": [list(level) for level in f.levels],
        "keys": keys,
        "values": _numbers(f.sorted_values),
        "offsets": [int(v) for v in f.offsets],
        "low": _numbers(f.low),
        "high": _numbers(f.high),
        "neutral": _numbers(f.neutral),
        "benefit": bool(f.benefit),
        "prior": _numbers(f.prior),
        "strength": _numbers(f.strength),
        "rate": bool(f.rate),
    }


def _plain(v: Any) -> Any:
    """A JSON scalar of a key value (numpy scalars as Python ones)."""
    if isinstance(v, np.generic):
        return v.item()
    return v


def to_dict(compiled: Any) -> dict[str, Any]:
    """The compiled scorecard as JSON-ready data (see the module docstring)."""
    card = compiled.scorecard
    return {
        "kind": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "scorecard": card.to_dict(),
        "spec_hash": card.spec_hash,
        "reference_size": int(compiled.reference_size),
        "criteria": [_frozen_dict(c.key, compiled.frozen[c.key]) for c in card.criteria],
    }


def _keys_present(problems: Problems, path: str, data: dict[str, Any], fields: set[str]) -> None:
    """Unknown keys and missing keys, each by its JSON path."""
    for name in sorted(set(data) ^ fields, key=str):
        if name in data:
            problems.add(f"{path}.{name}", "unknown key", ErrorCode.UNKNOWN_NAME)
        else:
            problems.add(f"{path}.{name}", "required key is missing", ErrorCode.MISSING_COLUMN)


def _array(problems: Problems, path: str, data: Any, *, optional: bool = False) -> np.ndarray:
    if data is None and optional:
        return np.empty(0)
    if not isinstance(data, list) or not all(
        v is None or (isinstance(v, int | float) and not isinstance(v, bool)) for v in data
    ):
        problems.add(path, "must be a list of numbers (null for NaN)", ErrorCode.WRONG_TYPE)
        return np.empty(0)
    return np.array([np.nan if v is None else v for v in data], dtype=float)


def _keys_frame(problems: Problems, path: str, level: list[str], rows: Any, n: int) -> Any:
    scalar = (str, int, float, type(None))
    ok = isinstance(rows, list) and all(
        isinstance(r, list) and len(r) == len(level) + 1 and all(isinstance(v, scalar) for v in r)
        for r in rows
    )
    if not ok:
        rule = f"must be a list of [{', '.join(level)}, group] rows of plain values"
        problems.add(path, rule, ErrorCode.WRONG_TYPE)
        return None
    frame = pd.DataFrame(rows, columns=[*level, "_group"], dtype=object)
    group = pd.to_numeric(frame["_group"], errors="coerce").to_numpy(dtype=float)
    if len(group) and not (np.isin(group, np.arange(n))).all():
        problems.add(f"{path}[*][-1]", f"groups must be 0 .. {n - 1}", ErrorCode.OUT_OF_RANGE)
        return None
    return frame.assign(_group=group.astype(np.intp))


def _frozen(problems: Problems, path: str, data: Any, criterion: Any) -> Any:
    from creatorkit.scoring import _compiled

    if not isinstance(data, dict):
        problems.add(path, "must be an object", ErrorCode.WRONG_TYPE)
        return None
    _keys_present(problems, path, data, _FIELDS)
    if set(data) != _FIELDS:
        return None
    if data["key"] != criterion.key or data["levels"] != [list(lv) for lv in criterion.peers]:
        rule = f"must be the frozen reference of criterion {criterion.key!r} and its peers"
        problems.add(f"{path}.key", rule, ErrorCode.INCONSISTENT, values=[data["key"]])
        return None
    arrays = {k: _array(problems, f"{path}.{k}", data[k]) for k in _ARRAYS}
    shrink = {
        k: _array(problems, f"{path}.{k}", data[k], optional=True) for k in ("prior", "strength")
    }
    offsets = arrays["offsets"]
    n = len(offsets) - 1
    sizes_ok = (
        n >= 0
        and np.isfinite(offsets).all()
        and (np.diff(offsets) >= 0).all()
        and (offsets[:1] == 0).all()
        and offsets[-1:].tolist() == [len(arrays["values"])]
        and all(len(arrays[k]) == n for k in ("low", "high", "neutral"))
        and all(len(v) in (0, n) for v in shrink.values())
    )
    if not sizes_ok:
        rule = (
            "offsets must rise from 0 to len(values); low, high, neutral (and prior, "
            "strength) one per group"
        )
        problems.add(f"{path}.offsets", rule, ErrorCode.INCONSISTENT)
    if not isinstance(data["benefit"], bool) or not isinstance(data["rate"], bool):
        problems.add(
            f"{path}.benefit", "benefit and rate must be true or false", ErrorCode.WRONG_TYPE
        )
    tables = [
        _keys_frame(problems, f"{path}.keys[{i}]", list(lv), rows, max(n, 0))
        for i, (lv, rows) in enumerate(zip(criterion.peers, data["keys"], strict=False))
    ]
    if not isinstance(data["keys"], list) or len(data["keys"]) != len(criterion.peers):
        problems.add(f"{path}.keys", "one list of keys per peer level", ErrorCode.INCONSISTENT)
    if problems or any(t is None for t in tables):
        return None
    return _compiled.thaw(
        levels=criterion.peers,
        keys=tuple(tables),
        values=arrays["values"],
        offsets=offsets.astype(np.intp),
        low=arrays["low"],
        high=arrays["high"],
        neutral=arrays["neutral"],
        benefit=data["benefit"],
        prior=shrink["prior"] if len(shrink["prior"]) else None,
        strength=shrink["strength"] if len(shrink["strength"]) else None,
        rate=data["rate"],
    )


def from_dict(data: Any) -> Any:
    """A compiled scorecard from :func:`to_dict` data, checked (see the module docstring)."""
    from creatorkit.scoring._compiled import CompiledScorecard
    from creatorkit.scoring._specs import load

    problems = Problems("data")
    top = {"kind", "schema_version", "scorecard", "spec_hash", "reference_size", "criteria"}
    if not isinstance(data, dict):
        problems.add("$", "must be an object", ErrorCode.WRONG_TYPE, values=[type(data).__name__])
        problems.raise_if_any()
    _keys_present(problems, "$", data, top)
    problems.raise_if_any()
    if data["kind"] != SCHEMA or data["schema_version"] != SCHEMA_VERSION:
        rule = f"this library reads kind {SCHEMA!r}, schema_version {SCHEMA_VERSION}"
        problems.add("$.kind", rule, ErrorCode.INVALID_VALUE, values=[data["kind"]])
        problems.raise_if_any()
    card = load(data["scorecard"])
    if data["spec_hash"] != card.spec_hash:
        rule = f"does not match the scorecard's spec ({card.spec_hash})"
        problems.add("$.spec_hash", rule, ErrorCode.INCONSISTENT, values=[data["spec_hash"]])
    size = data["reference_size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        problems.add("$.reference_size", "must be a whole number ≥ 1", ErrorCode.INVALID_VALUE)
    items = data["criteria"]
    if not isinstance(items, list) or len(items) != len(card.criteria):
        rule = f"must hold one frozen reference per criterion ({len(card.criteria)})"
        problems.add("$.criteria", rule, ErrorCode.INCONSISTENT)
        problems.raise_if_any()
    frozen = {
        c.key: _frozen(problems, f"$.criteria[{i}]", item, c)
        for i, (c, item) in enumerate(zip(card.criteria, items, strict=True))
    }
    problems.raise_if_any()
    return CompiledScorecard(scorecard=card, frozen=frozen, reference_size=size)
