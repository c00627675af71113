"""Creator identity: resolve handles, platform ids and per-app open ids to ``creator_id``.

The same creator appears under a username in one export (``Creator Username``), a platform
id in another (``Creator ID``) and an open id (unique per app) in API answers. An identity
table (:class:`~creatorkit.CreatorIdentity` rows, with validity dates) maps each of them
to one ``creator_id``; :func:`resolve` looks values up and lists every one it could not
resolve, with the reason.

Matching: values are compared as strings with surrounding whitespace (and the tabs exports
pad values with) removed; handles also without a leading ``@`` and without case.

Example:
    >>> import pandas as pd
    >>> ids = pd.DataFrame({"creator_id": ["c1", "c1", "c2"],
    ...                     "id_type": ["handle", "platform_id", "handle"],
    ...                     "value": ["GlowWithMai", "6912345678901234567", "bo.cooks"],
    ...                     "platform": ["tiktok"] * 3,
    ...                     "valid_from": ["2026-01-01T00:00:00+00:00"] * 3})
    >>> res = resolve(["@glowwithmai", "6912345678901234567", "nobody"], ids)
    >>> res.to_frame()[["value", "creator_id", "status"]]
                     value creator_id    status
    0         @glowwithmai         c1  resolved
    1  6912345678901234567         c1  resolved
    2               nobody       <NA>   unknown
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._time import parse_as_of
from creatorkit._validation import Problems, check_choice, fail
from creatorkit.errors import ErrorCode
from creatorkit.models import CreatorIdentity, IdType, Platform
from creatorkit.results import Copied, MethodCard, Note, Result

__all__ = ["Resolved", "resolve"]

STATUSES = ("resolved", "unknown", "ambiguous")
"""``status`` of a looked-up value."""


@attrs.frozen(kw_only=True, eq=False)
class Resolved(Result):
    """Values resolved to creators, in input order.

    Attributes:
        table: ``value`` (as given), ``creator_id`` (``<NA>`` unless resolved), ``id_type``
            (the kind of identifier that matched) and ``status``: ``resolved``, ``unknown``
            (no identifier matches) or ``ambiguous`` (matches several creators — pass
            ``at=`` or ``id_type=`` to decide).

    Example:
        >>> ids = pd.DataFrame({"creator_id": ["c1", "c2"], "id_type": ["handle", "platform_id"],
        ...                     "value": ["mai", "7001"], "platform": "tiktok",
        ...                     "valid_from": "2026-01-01T00:00:00+00:00"})
        >>> res = resolve(["@Mai", "7001", "x"], ids)
        >>> res.table
          value creator_id      id_type    status
        0  @Mai         c1       handle  resolved
        1  7001         c2  platform_id  resolved
        2     x       <NA>         <NA>   unknown
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()

    @property
    def unresolved(self) -> pd.DataFrame:
        """The rows whose status is not ``resolved``.

        Example:
            >>> ids = pd.DataFrame({"creator_id": ["c1"], "id_type": ["handle"],
            ...                     "value": ["mai"], "platform": ["tiktok"],
            ...                     "valid_from": ["2026-01-01T00:00:00+00:00"]})
            >>> resolve(["mai", "x"], ids).unresolved["value"].tolist()
            ['x']
        """
        table = self._table
        return table[table["status"] != "resolved"].copy()


def _key(values: pd.Series, handle: bool) -> pd.Series:
    text = values.astype("string").str.strip()
    if handle:
        text = text.str.lstrip("@").str.casefold()
    return text


def _values(values: Any) -> pd.Series:
    if isinstance(values, str) or not isinstance(values, Iterable):
        fail("values", "must be a list or Series of identifiers", ErrorCode.WRONG_TYPE)
    series = pd.Series(list(values) if not isinstance(values, pd.Series) else values.to_numpy())
    problems = Problems("values")
    bad = ~series.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False).astype(bool)
    problems.add_mask(
        "values",
        bad.to_numpy() & series.notna().to_numpy(),
        series.index,
        series,
        "identifiers must be strings (ids read as numbers lose digits: read with dtype=str)",
        ErrorCode.WRONG_TYPE,
    )
    problems.raise_if_any()
    return series.reset_index(drop=True)


def _candidates(
    values: pd.Series, table: pd.DataFrame, types: list[str], at: pd.Timestamp | None
) -> pd.DataFrame:
    """Every (position, creator, id_type) whose identifier matches, valid at ``at``."""
    parts = []
    for kind in types:
        rows = table[table["id_type"] == kind]
        if rows.empty:
            continue
        handle = kind == IdType.HANDLE.value
        lookup = pd.DataFrame({"pos": np.arange(len(values)), "key": _key(values, handle)})
        side = rows.assign(key=_key(rows["value"], handle))
        parts.append(lookup.merge(side, on="key", how="inner"))
    if not parts:
        return pd.DataFrame({"pos": [], "creator_id": [], "id_type": []})
    found = pd.concat(parts, ignore_index=True)
    if at is not None:
        ends = found["valid_to"] if "valid_to" in found else pd.Series(pd.NaT, index=found.index)
        valid = (found["valid_from"] <= at) & (ends.isna() | (ends > at))
        found = found[valid.to_numpy(dtype=bool)]
    return found[["pos", "creator_id", "id_type"]]


def resolve(
    values: Iterable[str] | pd.Series,
    identities: pd.DataFrame,
    *,
    id_type: str | None = None,
    platform: str | None = None,
    app_id: str | None = None,
    at: Any = None,
) -> Resolved:
    """Resolve identifiers (handles, platform ids, open ids) to ``creator_id``.

    Args:
        values: Identifiers as exports spell them (strings; ``"@Mai"`` matches the handle
            ``mai``). Missing values are ``unknown``.
        identities: A :class:`~creatorkit.CreatorIdentity` table (validated here: an
            identifier mapped to two creators at once is an error).
        id_type: Match only ``handle``, ``platform_id`` or ``open_id``; default: all.
        platform: Match only identities of this platform.
        app_id: The app of open ids (open ids are unique per app only).
        at: Timezone-aware time at which identities must be valid (handles change hands);
            without it, validity dates are ignored and a value that belonged to several
            creators over time is ``ambiguous``.

    Returns:
        :class:`Resolved`, one row per value in input order, with an ``unresolved`` note
        counting the values that did not resolve.

    Raises:
        ValidationError: Non-string values, an invalid identity table, unknown
            ``id_type`` or ``platform``, a naive ``at``.

    Example:
        >>> ids = pd.DataFrame({"creator_id": ["c1", "c2"], "id_type": ["handle", "handle"],
        ...                     "value": ["mai", "mai"], "platform": ["tiktok", "tiktok"],
        ...                     "valid_from": ["2025-01-01T00:00:00+00:00",
        ...                                    "2026-03-01T00:00:00+00:00"],
        ...                     "valid_to": ["2026-03-01T00:00:00+00:00", None]})
        >>> resolve(["mai"], ids).to_frame()["status"].tolist()
        ['ambiguous']
        >>> resolve(["mai"], ids, at="2026-06-01T00:00:00+00:00").to_frame()["creator_id"].tolist()
        ['c2']
    """
    from creatorkit.frames import validate

    series = _values(values)
    table = validate(identities, CreatorIdentity).frame
    types = [e.value for e in IdType]
    if id_type is not None:
        types = [check_choice("id_type", id_type, types)]
    if platform is not None:
        check_choice("platform", platform, [e.value for e in Platform])
        table = table[table["platform"] == platform]
    if app_id is not None:
        table = table[table["app_id"] == app_id] if "app_id" in table else table.iloc[:0]
    when = None if at is None else parse_as_of(at, argument="at")
    found = _candidates(series, table, types, when).drop_duplicates()
    per = found.groupby("pos")["creator_id"].nunique()
    counts = np.zeros(len(series), dtype=np.int64)
    counts[per.index.to_numpy(dtype=np.int64)] = per.to_numpy()
    first = found.sort_values(["pos", "id_type"], kind="stable").drop_duplicates("pos")
    creator = pd.array([pd.NA] * len(series), dtype="string")
    kind = pd.array([pd.NA] * len(series), dtype="string")
    one = first[counts[first["pos"].to_numpy(dtype=np.int64)] == 1]
    creator[one["pos"].to_numpy(dtype=np.int64)] = one["creator_id"].to_numpy()
    kind[one["pos"].to_numpy(dtype=np.int64)] = one["id_type"].to_numpy()
    status = np.where(counts == 1, "resolved", np.where(counts == 0, "unknown", "ambiguous"))
    out = pd.DataFrame({"value": series, "creator_id": creator, "id_type": kind})
    out["status"] = pd.array(status, dtype="string")
    notes = []
    missed = int((counts != 1).sum())
    if missed:
        text = "{count} identifiers did not resolve to one creator (see .unresolved)"
        notes.append(Note.counted("unresolved", text, count=missed))
    card = MethodCard.create(
        "identity.resolve", id_type=id_type, platform=platform, app_id=app_id, at=when
    )
    return Resolved(table=out, method=card, warnings=notes)
