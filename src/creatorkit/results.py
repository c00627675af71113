"""The result contract shared by every creatorkit result.

Every result is a frozen attrs class that offers:

* ``.to_frame()`` — the main table as a new DataFrame (group keys are ordinary columns);
* ``.to_dict()`` — JSON-ready data that survives ``json.dumps(..., allow_nan=False)``:
  NaN becomes ``null``, times are ISO-8601 with their offset, and a ``schema_version``
  tells consumers which shape to expect;
* ``.method`` — a :class:`MethodCard` with the library version, the function and every
  parameter *including the defaults used*, and a hash of them;
* ``.warnings`` — data-quality :class:`Note` objects as data;
* ``_repr_html_`` — a notebook view in which every name and value is HTML-escaped.

Example:
    >>> import json, pandas as pd
    >>> card = MethodCard.create("demo.toy", alpha=0.05)
    >>> res = TableResult(table=pd.DataFrame({"x": [1.0, float("nan")]}), method=card)
    >>> json.dumps(res.to_dict()["table"], allow_nan=False)
    '[{"x": 1.0}, {"x": null}]'
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import attrs
import pandas as pd

from creatorkit._json import to_jsonable
from creatorkit._version import __version__

__all__ = ["SCHEMA_VERSION", "MethodCard", "Note", "Result", "TableResult"]

SCHEMA_VERSION = 1
"""Version of the ``to_dict`` shape; bumped on any incompatible change."""


def _freeze(params: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): params[k] for k in sorted(params)}


@attrs.frozen(kw_only=True)
class MethodCard:
    """How a result was computed: library version, function and every parameter used.

    Attributes:
        name: Dotted name of the public function (``"metrics.compute"``).
        parameters: Every parameter, defaults included, as JSON-ready values.
        version: creatorkit version that computed the result.
        spec_hash: First 16 hex digits of the SHA-256 of the canonical JSON of
            ``name`` and ``parameters``: equal hashes mean the same method.

    Example:
        >>> card = MethodCard.create("metrics.compute", ci="wilson", level=0.95)
        >>> card.parameters["ci"], len(card.spec_hash)
        ('wilson', 16)
    """

    name: str
    parameters: Mapping[str, Any] = attrs.field(converter=_freeze)
    version: str = __version__
    spec_hash: str = ""

    @classmethod
    def create(cls, name: str, **parameters: Any) -> MethodCard:
        """Build a card, converting parameters to JSON-ready values and hashing them.

        Example:
            >>> MethodCard.create("x", when=pd.Timestamp("2026-01-01", tz="UTC")).parameters
            {'when': '2026-01-01T00:00:00+00:00'}
        """
        params = {k: to_jsonable(v) for k, v in parameters.items()}
        canonical = json.dumps({"name": name, "parameters": params}, sort_keys=True, default=str)
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
        return cls(name=name, parameters=params, spec_hash=digest)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary of the card."""
        return {
            "name": self.name,
            "version": self.version,
            "spec_hash": self.spec_hash,
            "parameters": to_jsonable(self.parameters),
        }


@attrs.frozen(kw_only=True)
class Note:
    """A data-quality note carried by a result (a warning as data).

    Attributes:
        code: Stable machine-readable code (``"zero_denominator"``, ``"low_sample"``).
        message: One human-readable sentence.
        count: How many rows or groups the note concerns, when that applies.
        subject: The column, metric or group the note is about.

    Example:
        >>> Note(code="zero_denominator", message="ctr: 2 groups have 0 views", count=2).count
        2
    """

    code: str
    message: str
    count: int | None = None
    subject: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary of the note."""
        return {
            "code": self.code,
            "message": self.message,
            "count": self.count,
            "subject": self.subject,
        }


def _notes(notes: Iterable[Note]) -> tuple[Note, ...]:
    return tuple(notes)


@attrs.frozen(kw_only=True, eq=False)
class Result:
    """Base of every result: a method card, notes, and the main table named by ``_frame_field``.

    Subclasses add their fields and set ``_frame_field`` to the attribute that holds
    the main table.

    Example:
        >>> @attrs.frozen(kw_only=True, eq=False)
        ... class Ranking(Result):
        ...     _frame_field = "ranks"
        ...     ranks: pd.DataFrame
        >>> r = Ranking(ranks=pd.DataFrame({"creator_id": ["c1"], "rank": [1]}),
        ...             method=MethodCard.create("my.ranking"))
        >>> r.to_dict()["ranks"]
        [{'creator_id': 'c1', 'rank': 1}]
    """

    _frame_field: ClassVar[str] = "table"
    method: MethodCard
    warnings: tuple[Note, ...] = attrs.field(default=(), converter=_notes)

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the main table.

        Example:
            >>> res = TableResult(table=pd.DataFrame({"a": [1]}), method=MethodCard.create("x"))
            >>> res.to_frame()
               a
            0  1
        """
        frame = getattr(self, self._frame_field)
        if not isinstance(frame, pd.DataFrame):  # pragma: no cover - subclass contract
            raise TypeError(f"{type(self).__name__}.{self._frame_field} is not a DataFrame")
        return frame.copy()

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-ready data: ``schema_version``, ``kind`` and every field.

        Example:
            >>> table = pd.DataFrame({"a": [float("nan")]})
            >>> res = TableResult(table=table, method=MethodCard.create("x"))
            >>> res.to_dict()["table"], res.to_dict()["schema_version"]
            ([{'a': None}], 1)
        """
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "kind": type(self).__name__}
        for field in attrs.fields(type(self)):
            out[field.name] = to_jsonable(getattr(self, field.name))
        return out

    def _repr_html_(self) -> str:
        frame = getattr(self, self._frame_field)
        parts = [
            f"<div class='creatorkit-result'><strong>{html.escape(type(self).__name__)}</strong>"
        ]
        parts.append(
            f"<div><small>{html.escape(self.method.name)}"
            f" · creatorkit {html.escape(self.method.version)}"
            f" · spec {html.escape(self.method.spec_hash)}</small></div>"
        )
        if isinstance(frame, pd.DataFrame):
            parts.append(frame.to_html(escape=True, max_rows=30, index=False, na_rep="NaN"))
        if self.warnings:
            items = "".join(
                f"<li><code>{html.escape(n.code)}</code> {html.escape(n.message)}</li>"
                for n in self.warnings
            )
            parts.append(f"<ul class='creatorkit-warnings'>{items}</ul>")
        parts.append("</div>")
        return "".join(parts)

    def __repr__(self) -> str:
        frame = getattr(self, self._frame_field)
        shape = f"{frame.shape[0]}×{frame.shape[1]}" if isinstance(frame, pd.DataFrame) else "?"
        return (
            f"<{type(self).__name__} {self.method.name} table={shape} "
            f"warnings={len(self.warnings)}>"
        )


@attrs.frozen(kw_only=True, eq=False)
class TableResult(Result):
    """A result whose content is one table.

    Attributes:
        table: The result table.
    """

    table: pd.DataFrame
