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
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar, Generic, TypeVar, overload

import attrs
import pandas as pd

from creatorkit._json import to_jsonable
from creatorkit._version import __version__

__all__ = [
    "SCHEMA_VERSION",
    "Copied",
    "MethodCard",
    "Note",
    "Result",
    "TableResult",
    "handout",
    "merge_notes",
    "read_only",
]

SCHEMA_VERSION = 1
"""Version of the ``to_dict`` shape; bumped on any incompatible change."""


class Frozen(Mapping[str, Any]):
    """A read-only mapping that pickles (results travel between processes and workers).

    >>> Frozen({"a": 1})["a"]
    1
    """

    __slots__ = ("_data",)
    _data: dict[str, Any]

    def __init__(self, data: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_data", dict(data))

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Frozen({self._data!r})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Frozen mappings are read-only")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Frozen, (self._data,))


def _deep(value: Any) -> Any:
    kind = type(value)
    if kind is dict or kind is Frozen or isinstance(value, Mapping):
        return Frozen({str(k): _deep(v) for k, v in value.items()})
    if kind is list or kind is tuple:
        if not any(type(v) in _NESTED for v in value):  # JSON-ready lists are mostly flat
            return tuple(value)
        return tuple(_deep(v) for v in value)
    return value


_NESTED = (dict, list, tuple, Frozen)


def read_only(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only copy of a mapping (nested mappings and lists included), for result fields.

    Example:
        >>> frozen = read_only({"by": ["creator_id"]})
        >>> frozen["by"]
        ('creator_id',)
    """
    return _freeze(mapping or {})


def _freeze(params: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only copy, nested mappings and lists included."""
    return Frozen({str(k): _deep(params[k]) for k in sorted(params)})


def handout(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` that a caller may change without touching the original.

    Under copy-on-write (pandas 3, or pandas 2.2 with the option on) a shallow copy is
    enough and costs nothing; otherwise the data is copied.

    Example:
        >>> stored = pd.DataFrame({"a": [1]})
        >>> given = handout(stored)
        >>> given.iloc[0, 0] = 9
        >>> int(stored.iloc[0, 0])
        1
    """
    return frame.copy(deep=not _copy_on_write())


def _copy_on_write() -> bool:
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return pd.options.mode.copy_on_write is True


F = TypeVar("F", bound="pd.DataFrame | None")


class Copied(Generic[F]):
    """A read-only view of the table stored in the private field of the same name.

    ``table = Copied[pd.DataFrame]()`` next to the field ``_table: pd.DataFrame`` makes
    ``result.table`` return a copy (:func:`handout`), so nothing a caller does to it
    changes the result.

    Example:
        >>> import creatorkit as ck
        >>> res = ck.compare.srm([5000, 5600])
        >>> given = res.table
        >>> given.loc[0, "mismatch"] = False
        >>> bool(res.table.loc[0, "mismatch"]), type(TableResult.table).__name__
        (True, 'Copied')
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.public = name
        self.private = f"_{name}"
        self.__doc__ = f"A copy of the stored ``{name}`` table (changing it changes no result)."

    @overload
    def __get__(self, obj: None, owner: type) -> Copied[F]: ...

    @overload
    def __get__(self, obj: object, owner: type) -> F: ...

    def __get__(self, obj: object, owner: type) -> Any:
        if obj is None:
            return self
        value = getattr(obj, self.private)
        return handout(value) if isinstance(value, pd.DataFrame) else value


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
    runtime: Mapping[str, Any] = attrs.field(factory=dict, converter=_freeze)

    @classmethod
    def create(
        cls, name: str, /, runtime: Mapping[str, Any] | None = None, **parameters: Any
    ) -> MethodCard:
        """Build a card, converting parameters to JSON-ready values and hashing them.

        Args:
            name: Dotted name of the public function.
            runtime: Settings that change no number (a thread count): recorded in
                ``runtime`` but not hashed.
            **parameters: Every parameter that can change a number, defaults included.

        Example:
            >>> dict(MethodCard.create("x", when=pd.Timestamp("2026-01-01", tz="UTC")).parameters)
            {'when': '2026-01-01T00:00:00+00:00'}
            >>> a = MethodCard.create("x", runtime={"workers": 1}, level=0.9)
            >>> a.spec_hash == MethodCard.create("x", runtime={"workers": 4}, level=0.9).spec_hash
            True
        """
        params = {k: to_jsonable(v) for k, v in parameters.items()}
        canonical = json.dumps({"name": name, "parameters": params}, sort_keys=True, default=str)
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
        extra = {k: to_jsonable(v) for k, v in (runtime or {}).items()}
        return cls(name=name, parameters=params, spec_hash=digest, runtime=extra)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary of the card.

        Example:
            >>> card = MethodCard.create("metrics.compute", level=0.9).to_dict()
            >>> sorted(card), card["parameters"]
            (['name', 'parameters', 'runtime', 'spec_hash', 'version'], {'level': 0.9})
        """
        return {
            "name": self.name,
            "version": self.version,
            "spec_hash": self.spec_hash,
            "parameters": to_jsonable(self.parameters),
            "runtime": to_jsonable(self.runtime),
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
    template: str = ""

    @classmethod
    def counted(cls, code: str, template: str, *, count: int, subject: str | None = None) -> Note:
        """A note whose message is ``template`` filled with ``count`` and ``subject``.

        Notes made this way merge by adding their counts (:func:`merge_notes`).

        Example:
            >>> Note.counted("missing_values", "{count} rows lack {subject}", count=3,
            ...              subject="views").message
            '3 rows lack views'
        """
        message = template.format(count=count, subject=subject)
        return cls(code=code, message=message, count=count, subject=subject, template=template)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary of the note.

        Example:
            >>> note = Note(code="low_sample", message="2 groups have under 30 rows", count=2)
            >>> note.to_dict()  # doctest: +NORMALIZE_WHITESPACE
            {'code': 'low_sample', 'message': '2 groups have under 30 rows', 'count': 2,
             'subject': None}
        """
        return {
            "code": self.code,
            "message": self.message,
            "count": self.count,
            "subject": self.subject,
        }


def merge_notes(notes: Iterable[Note]) -> tuple[Note, ...]:
    """Merge notes with the same ``(code, subject)``, adding their counts, in first-seen order.

    Example:
        >>> a = Note.counted("after_as_of", "{count} rows after as_of", count=2)
        >>> b = Note.counted("after_as_of", "{count} rows after as_of", count=3)
        >>> [n.message for n in merge_notes([a, b])]
        ['5 rows after as_of']
    """
    merged: dict[tuple[str, str | None], Note] = {}
    for note in notes:
        key = (note.code, note.subject)
        seen = merged.get(key)
        if seen is None:
            merged[key] = note
        elif note.count is not None and seen.count is not None:
            total = seen.count + note.count
            message = (
                seen.template.format(count=total, subject=seen.subject)
                if seen.template
                else f"{seen.message} ({total} in all)"
            )
            merged[key] = attrs.evolve(seen, count=total, message=message)
    return tuple(merged.values())


def _notes(notes: Iterable[Note]) -> tuple[Note, ...]:
    return tuple(notes)


@attrs.frozen(kw_only=True, eq=False)
class Result:
    """Base of every result: a method card, notes, and the main table named by ``_frame_field``.

    Subclasses are frozen, keyword-only attrs classes (``eq=False``); each table is a
    private field with a public :class:`Copied` view of the same name (the constructor
    still takes ``ranks=``), and ``_frame_field`` names the main table. A private table
    field without its view is refused when the class is made.

    Example:
        >>> @attrs.frozen(kw_only=True, eq=False)
        ... class Ranking(Result):
        ...     _frame_field = "ranks"
        ...     _ranks: pd.DataFrame
        ...     ranks = Copied[pd.DataFrame]()
        >>> r = Ranking(ranks=pd.DataFrame({"creator_id": ["c1"], "rank": [1]}),
        ...             method=MethodCard.create("my.ranking"))
        >>> r.to_dict()["ranks"]
        [{'creator_id': 'c1', 'rank': 1}]
    """

    _frame_field: ClassVar[str] = "table"
    method: MethodCard
    warnings: tuple[Note, ...] = attrs.field(default=(), converter=_notes)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in getattr(cls, "__annotations__", {}):
            private = name.startswith("_") and not name.startswith("__")
            if (
                private
                and name != "_frame_field"
                and not isinstance(cls.__dict__.get(name[1:]), Copied)
            ):
                raise TypeError(f"{cls.__name__}.{name} needs a public Copied view")

    def _stored(self) -> Any:
        """The stored main table (not a copy): for the library's own reading."""
        private = f"_{self._frame_field}"
        return getattr(self, private if hasattr(self, private) else self._frame_field)

    def to_frame(self) -> pd.DataFrame:
        """Return a copy of the main table.

        Example:
            >>> res = TableResult(table=pd.DataFrame({"a": [1]}), method=MethodCard.create("x"))
            >>> res.to_frame()
               a
            0  1
        """
        frame = self._stored()
        if not isinstance(frame, pd.DataFrame):  # pragma: no cover - subclass contract
            raise TypeError(f"{type(self).__name__}.{self._frame_field} is not a DataFrame")
        return handout(frame)

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
            out[field.alias or field.name] = to_jsonable(getattr(self, field.name))
        return out

    def _repr_html_(self) -> str:
        frame = self._stored()
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
        frame = self._stored()
        shape = f"{frame.shape[0]}×{frame.shape[1]}" if isinstance(frame, pd.DataFrame) else "?"
        return (
            f"<{type(self).__name__} {self.method.name} table={shape} "
            f"warnings={len(self.warnings)}>"
        )


@attrs.frozen(kw_only=True, eq=False)
class TableResult(Result):
    """A result whose content is one table.

    Attributes:
        table: The result table (a copy on each access).

    Example:
        >>> import creatorkit as ck
        >>> res = ck.compare.srm([5000, 5600])
        >>> type(res).__name__, res.method.name
        ('TableResult', 'compare.srm')
        >>> res.table[["df", "mismatch"]]
           df  mismatch
        0   1      True
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
