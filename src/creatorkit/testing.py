"""Conformance checks for results, rules and extensions (usable in your own tests).

Example:
    >>> import pandas as pd
    >>> from creatorkit.results import MethodCard, TableResult
    >>> res = TableResult(table=pd.DataFrame({"a": [1.0]}), method=MethodCard.create("x"))
    >>> check_result(res)
"""

from __future__ import annotations

import json

import attrs
import pandas as pd

from creatorkit.results import SCHEMA_VERSION, Result

__all__ = ["check_result"]


def check_result(result: Result) -> None:
    """Assert that ``result`` honours the result contract.

    Checks: frozen attrs instance; ``to_frame()`` returns a new DataFrame equal to the
    stored table; ``to_dict()`` survives ``json.dumps(..., allow_nan=False)`` and carries
    ``schema_version``, ``kind``, ``method`` and ``warnings``; the method card has a
    version and a hash; ``_repr_html_`` returns text.

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
    assert frame is not getattr(result, result._frame_field), "to_frame() must return a copy"
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
