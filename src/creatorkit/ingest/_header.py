"""Header detection: which row is the header, which kind it is, which column is which field.

Headers are matched by alias, ignoring case, spaces, a byte-order mark and a unit in
brackets (``Revenue (Rp)``, ``Price($)``, ``Order created time(UTC)``); the unit is kept:
a currency for money columns, ``UTC`` for times. Never by position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

from creatorkit._validation import Problems, fail
from creatorkit.errors import ErrorCode
from creatorkit.ingest._kinds import Field, Kind
from creatorkit.ingest._parse import SYMBOLS

__all__ = ["Mapped", "detect", "find_header", "map_headers", "normalize"]

_UNIT = re.compile(r"^(.*?)\s*[(（]([^()（）]*)[)）]\s*$")
_SPACE = re.compile(r"\s+")


def normalize(header: object) -> str:
    r"""A header as it is compared: no BOM or quotes, one space, lower case.

    Example:
        >>> normalize("\ufeff Order  ID ")
        'order id'
    """
    text = str(header).replace("\ufeff", "").strip().strip('"').strip()
    return _SPACE.sub(" ", text).lower()


def _split_unit(header: str) -> tuple[str, str | None]:
    match = _UNIT.match(header)
    if match is None:
        return header, None
    return match.group(1).strip(), match.group(2).strip()


@attrs.frozen(kw_only=True)
class Mapped:
    """The columns of a file matched to a kind's fields.

    Attributes:
        columns: field name → the file's header.
        units: field name → the unit found in the header's brackets.
        language: The language most headers matched in.
        unmatched: Headers no field claimed (kept as they are).
        alternates: field name → further headers that are aliases of the same field
            (``gmv.currency`` and ``gmv_range.currency``); a row missing the first takes
            the next one's cell (coalesced row by row). They are also kept as they are.
    """

    columns: dict[str, str]
    units: dict[str, str]
    language: str
    unmatched: tuple[str, ...]
    alternates: dict[str, tuple[str, ...]] = attrs.field(factory=dict)


def _alias_table(kind: Kind) -> dict[str, tuple[Field, str]]:
    table: dict[str, tuple[Field, str]] = {}
    for field in kind.fields:
        for lang, aliases in field.aliases.items():
            for alias in aliases:
                table.setdefault(normalize(alias), (field, lang))
    return table


def map_headers(kind: Kind, headers: Sequence[object]) -> Mapped:
    """Match ``headers`` to the fields of ``kind`` (exact alias, then without its unit).

    Example:
        >>> from creatorkit.ingest._builtin import VIDEO
        >>> m = map_headers(VIDEO, ["Video ID", "Penghasilan Video (Rp)", "Standard"])
        >>> m.columns, m.units, m.unmatched
        ({'content_id': 'Video ID', 'gmv': 'Penghasilan Video (Rp)'}, {'gmv': 'Rp'}, ('Standard',))
    """
    table = _alias_table(kind)
    columns: dict[str, str] = {}
    units: dict[str, str] = {}
    votes: dict[str, int] = {}
    unmatched = []
    alternates: dict[str, tuple[str, ...]] = {}
    for header in headers:
        text = normalize(header)
        hit = table.get(text)
        unit = None
        if hit is None:
            base, unit = _split_unit(text)
            hit = table.get(base) if unit is not None else None
        if hit is not None and hit[0].name in columns:
            alternates[hit[0].name] = (*alternates.get(hit[0].name, ()), str(header))
        if hit is None or hit[0].name in columns:
            unmatched.append(str(header))
            continue
        field, lang = hit
        columns[field.name] = str(header)
        if unit is not None:
            units[field.name] = _split_unit(str(header).strip())[1] or unit
        votes[lang] = votes.get(lang, 0) + 1
    spoken = {k: v for k, v in votes.items() if k not in ("en", "*")}
    language = max(sorted(spoken), key=lambda k: spoken[k]) if spoken else "en"
    return Mapped(
        columns=columns,
        units=units,
        language=language,
        unmatched=tuple(unmatched),
        alternates=alternates,
    )


def missing_required(kind: Kind, mapped: Mapped) -> list[Field]:
    """Required fields without a column (and not derivable or constant)."""
    return [
        f
        for f in kind.fields
        if f.required
        and f.name not in mapped.columns
        and f.name not in kind.constants
        and f.name not in kind.derived
    ]


def require(kind: Kind, mapped: Mapped, values: Sequence[str] = ()) -> None:
    """Raise naming every required field missing from the header, with its aliases."""
    problems = Problems("source")
    for field in missing_required(kind, mapped):
        if field.name in values:
            continue
        aliases = [a for group in field.aliases.values() for a in group]
        rule = f"{kind.name} needs a column {field.name!r}: one of the headers {aliases}"
        problems.add(field.name, rule, ErrorCode.MISSING_COLUMN)
    problems.raise_if_any()


def _score(kind: Kind, headers: Sequence[object]) -> tuple[int, int]:
    """(required fields found and all present?, fields matched)."""
    mapped = map_headers(kind, headers)
    complete = not missing_required(kind, mapped)
    return int(complete), len(mapped.columns)


def detect(kinds: Sequence[Kind], headers: Sequence[object]) -> Kind:
    """The one kind whose required fields the headers carry and that matches the most.

    Raises:
        ValidationError: No kind fits (the closest are listed), or two fit equally well.

    Example:
        >>> from creatorkit.ingest._builtin import BUILTIN
        >>> detect(BUILTIN, ["Video ID", "Creator name", "Time", "VV"]).name
        'tiktok_shop.video_performance'
    """
    scored = sorted(
        ((_score(k, headers), k.name, k) for k in kinds), key=lambda t: (-t[0][0], -t[0][1], t[1])
    )
    closest = [name for score, name, _ in scored[:3] if score[1] > 0]
    if not scored or scored[0][0][0] == 0:
        rule = f"its headers match no known kind; closest: {closest or 'none'}; pass kind="
        fail("source", rule, ErrorCode.UNKNOWN_NAME, value=[str(h) for h in headers][:8])
    best = scored[0][0]
    tied = [name for score, name, _ in scored if score == best]
    if len(tied) > 1:
        fail("source", f"its headers fit several kinds {tied}; pass kind=", ErrorCode.UNKNOWN_NAME)
    return scored[0][2]


def find_header(rows: Sequence[Sequence[object]], kinds: Sequence[Kind]) -> tuple[int, int]:
    """Index of the header among the leading ``rows`` and how many aliases it matched.

    The header is the first row matching the most aliases of any candidate kind (title
    rows above it are skipped); ``(-1, 0)`` when no row matches any alias.

    Example:
        >>> from creatorkit.ingest._builtin import AMAZON
        >>> find_header([["Fee-Earnings report"], ["Category", "ASIN", "Tracking ID"]], [AMAZON])
        (1, 3)
    """
    tables = [_alias_table(k) for k in kinds]
    best, where = 0, -1
    for i, row in enumerate(rows):
        texts = [normalize(c) for c in row]
        bases = [_split_unit(t)[0] for t in texts]
        hits = max(
            (
                sum(1 for t, b in zip(texts, bases, strict=True) if t in tab or b in tab)
                for tab in tables
            ),
            default=0,
        )
        if hits > best:
            best, where = hits, i
    return where, best


def currency_of_unit(unit: str | None) -> str | None:
    """The currency a header unit names (``Rp`` → IDR, ``$`` → USD, ``IDR``), if any.

    Example:
        >>> currency_of_unit("Rp"), currency_of_unit("%")
        ('IDR', None)
    """
    if unit is None:
        return None
    text = unit.strip().lower()
    if text in SYMBOLS:
        return SYMBOLS[text]
    return text.upper() if re.fullmatch(r"[a-z]{3}", text) and text != "utc" else None
