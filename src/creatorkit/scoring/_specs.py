"""Safe loading of scorecard specs: only known keys and types, no code, bounded sizes.

Every problem is reported with its JSON path (``$.criteria[2].weight``). Names resolve only
against registries already populated (metrics, rules); loading never imports a plugin or
runs anything but these checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from creatorkit._validation import Problems, fail
from creatorkit.errors import ErrorCode, ValidationError

if TYPE_CHECKING:
    from creatorkit.scoring._scorecard import Scorecard

MAX_DEPTH = 16
MAX_CRITERIA = 64
MAX_GATES = 64
MAX_LIST = 10_000

_TOP = {
    "kind": str,
    "schema_version": int,
    "id": str,
    "version": int,
    "description": str,
    "aggregator": str,
    "tier_scheme": str,
    "currency": (str, type(None)),
    "criteria": list,
    "gates": list,
}
_CRITERION = {
    "name": str,
    "weight": (int, float),
    "direction": (str, type(None)),
    "normalizer": str,
    "options": dict,
    "peers": (list, type(None)),
    "min_group": int,
    "missing": str,
    "low_data": str,
    "min_n": int,
    "where": (dict, type(None)),
    "window": (str, type(None)),
    "label": str,
}
_GATE = {"column": str, "op": str, "value": (int, float, str, list), "reason": str}
_REQUIRED = {
    "top": ("kind", "schema_version", "criteria"),
    "criterion": ("name",),
    "gate": ("column", "op", "value"),
}


def _check(
    problems: Problems, path: str, obj: Any, fields: dict[str, Any], required: tuple[str, ...]
) -> bool:
    if not isinstance(obj, dict):
        problems.add(path, "must be an object", ErrorCode.WRONG_TYPE, values=[type(obj).__name__])
        return False
    for key in obj:
        if key not in fields:
            from creatorkit._validation import did_you_mean

            problems.add(
                f"{path}.{key}",
                f"unknown key.{did_you_mean(str(key), fields)}",
                ErrorCode.UNKNOWN_NAME,
            )
    for key in required:
        if key not in obj:
            problems.add(f"{path}.{key}", "required key is missing", ErrorCode.MISSING_COLUMN)
    for key, kind in fields.items():
        if key in obj:
            value = obj[key]
            bad_bool = isinstance(value, bool) and bool not in (
                kind if isinstance(kind, tuple) else (kind,)
            )
            if bad_bool or not isinstance(value, kind):
                problems.add(
                    f"{path}.{key}",
                    f"must be {_kind_name(kind)}",
                    ErrorCode.WRONG_TYPE,
                    values=[type(value).__name__],
                )
    return True


def _kind_name(kind: Any) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {
        str: "text",
        int: "a whole number",
        float: "a number",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _build(spec: dict[str, Any], problems: Problems) -> Scorecard:
    from creatorkit.scoring._criterion import Criterion
    from creatorkit.scoring._gate import Gate
    from creatorkit.scoring._scorecard import Scorecard

    def make(path: str, factory: Any, data: dict[str, Any]) -> Any:
        try:
            return factory(**data)
        except ValidationError as exc:
            problems.add(path, str(exc).splitlines()[-1].strip(" -"), ErrorCode.INVALID_VALUE)
            return None

    criteria = [make(f"$.criteria[{i}]", Criterion, c) for i, c in enumerate(spec["criteria"])]
    gates = [make(f"$.gates[{i}]", Gate, g) for i, g in enumerate(spec.get("gates", []))]
    problems.raise_if_any()
    top = {
        k: v for k, v in spec.items() if k not in ("kind", "schema_version", "criteria", "gates")
    }
    card = make("$", lambda **kw: Scorecard(criteria, gates, **kw), top)
    problems.raise_if_any()
    assert isinstance(card, Scorecard)
    return card


def load(spec: Any) -> Scorecard:
    """Build a :class:`Scorecard` from spec data, or raise listing every problem by path."""
    from creatorkit.scoring._scorecard import SPEC_KIND, SPEC_VERSION

    problems = Problems("spec")
    if not _check(problems, "$", spec, _TOP, _REQUIRED["top"]):
        problems.raise_if_any()
    expected = {"kind": SPEC_KIND, "schema_version": SPEC_VERSION}
    for key, want in expected.items():
        if key in spec and spec[key] != want:
            rule = f"this library reads {key} {want!r}"
            problems.add(f"$.{key}", rule, ErrorCode.INVALID_VALUE, values=[spec[key]])
    lists = (
        ("criteria", MAX_CRITERIA, _CRITERION, "criterion"),
        ("gates", MAX_GATES, _GATE, "gate"),
    )
    for key, limit, fields, what in lists:
        items = spec.get(key, [])
        if not isinstance(items, list):
            continue  # reported by the type check
        if len(items) > limit:
            rule = f"at most {limit} items"
            problems.add(f"$.{key}", rule, ErrorCode.OUT_OF_RANGE, values=[len(items)])
            continue
        for i, item in enumerate(items):
            _check(problems, f"$.{key}[{i}]", item, fields, _REQUIRED[what])
    problems.raise_if_any()
    return _build(spec, problems)


def depth(data: bytes) -> int:
    """Largest nesting of ``[``/``{`` (brackets inside strings count too: conservative)."""
    b = np.frombuffer(data, dtype=np.uint8)
    step = (b == ord("[")).astype(np.int32) + (b == ord("{")) - (b == ord("]")) - (b == ord("}"))
    return int(np.cumsum(step).max(initial=0))


def load_json(text: Any, *, max_bytes: int = 1_000_000) -> Scorecard:
    """Parse a JSON spec after checking its size and nesting, then :func:`load` it."""
    import json

    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        fail(
            "max_bytes", "must be a positive whole number", ErrorCode.INVALID_VALUE, value=max_bytes
        )
    if isinstance(text, str):
        if len(text) > max_bytes:
            fail(
                "text",
                f"spec larger than max_bytes={max_bytes}",
                ErrorCode.OUT_OF_RANGE,
                value=len(text),
            )
        data = text.encode("utf-8", errors="replace")
    elif isinstance(text, bytes):
        data = text
    else:
        fail("text", "must be JSON text", ErrorCode.WRONG_TYPE, value=type(text).__name__)
    if len(data) > max_bytes:
        fail(
            "text",
            f"spec larger than max_bytes={max_bytes}",
            ErrorCode.OUT_OF_RANGE,
            value=len(data),
        )
    if depth(data) > MAX_DEPTH:
        fail("text", f"nested deeper than {MAX_DEPTH} levels", ErrorCode.OUT_OF_RANGE)
    try:
        spec = json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        fail("text", f"is not valid JSON: {str(exc)[:80]}", ErrorCode.INVALID_VALUE)
    return load(spec)


def _no_constant(name: str) -> Any:
    fail("text", f"{name} is not allowed in a spec", ErrorCode.NOT_FINITE, value=name)
