"""Value parsers of export cells: ids, numbers, money, rates, durations, enums.

Every parser takes a column of stripped strings (missing tokens already ``NA``), parses
each *distinct* value once (exports repeat prices, statuses and dates a lot) and maps the
result back, so the cost follows the number of distinct values. A value that does not
parse is listed in ``problems`` with its row; nothing is guessed per value: the decimal
mark, the rate unit and the date format are declared by the kind (or the caller).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from creatorkit._grouping import factorize
from creatorkit._validation import Problems
from creatorkit.errors import ErrorCode
from creatorkit.ingest._grid import arrow_backed, arrow_edges, decimals

__all__ = [
    "DECIMALS",
    "RATE_UNITS",
    "SYMBOLS",
    "clean",
    "durations",
    "enums",
    "ids",
    "money",
    "numbers",
    "rates",
]

DECIMALS = (".", ",")
"""Decimal marks: ``"."`` reads ``1,234.56``; ``","`` reads ``1.234,56`` and ``150.000``."""

RATE_UNITS = ("percent", "fraction", "hundredths")
"""Rate units: ``"10%"`` / ``"10"`` (percent), ``"0.1"`` (fraction), ``"1000"`` (hundredths of
a percent, the TikTok Shop API's unit); declared per field, never guessed per value."""

SYMBOLS: Mapping[str, str] = {
    "$": "USD",
    "us$": "USD",
    "rp": "IDR",
    "฿": "THB",
    "₫": "VND",
    "đ": "VND",
    "rm": "MYR",
    "₱": "PHP",
    "£": "GBP",
    "¥": "CNY",
    "￥": "CNY",
    "€": "EUR",
    "s$": "SGD",
}
"""Currency symbols found in exports (lower case) → ISO 4217 code."""

_DOLLARS = frozenset({"USD", "SGD", "AUD", "CAD", "NZD", "HKD", "TWD", "MXN"})
_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "rb": 1e3, "ribu": 1e3, "jt": 1e6, "juta": 1e6}

_NUMBER = {
    ".": r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+",
    ",": r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?",
}
_SCIENTIFIC = re.compile(r"^(\d)\.(\d+)[eE]\+?(\d+)$")
_FLOAT_ID = re.compile(r"^(\d+)\.0+$")
_DURATION = re.compile(
    r"^(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m(?:in)?)?\s*(?:(?P<s>\d+(?:\.\d+)?)\s*s)?$"
    r"|^(?P<H>\d+):(?P<M>[0-5]\d):(?P<S>[0-5]\d(?:\.\d+)?)$"
)


_SPACES = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
"""Every character Python's ``str.strip`` removes (pyarrow's trim is given the same set)."""


def _strip(cells: np.ndarray, missing: frozenset[str]) -> np.ndarray:
    """Strip cells (numpy's C loop for short ones); the missing tokens become None."""
    if len(cells) and max(map(len, cells)) <= 64:
        text = np.char.strip(np.asarray(cells, dtype=str)).astype(object)  # a new array
    else:  # long free text: no fixed-width copy; a writable copy of the result
        text = np.array(pd.Series(cells, dtype=object).str.strip(), dtype=object)
    text[np.isin(text, list(missing))] = np.nan
    return text


def _dense(raw: pd.Series) -> bool:
    """Whether most cells differ (ids, times): then grouping equal cells saves nothing.

    Text held by pyarrow is grouped cheaply (its hash kernel), so it is parsed cell by
    cell only when a strided sample of about 50,000 cells has almost no repeat: prices
    repeat across a large file even where its first lines all differ.
    """
    if len(raw) <= 5000:
        return False
    if arrow_backed(raw):
        sample = raw.iloc[:: max(1, len(raw) // 50_000)]
        filled = int(sample.notna().sum())
        return filled > 0 and sample.nunique() > 0.97 * filled
    head = raw.iloc[:2000]
    return bool(head.nunique() * 2 > len(head))


def clean(raw: pd.Series, missing: frozenset[str]) -> pd.Series:
    r"""Strip spaces and tabs; the missing tokens (``--``, ``-``, ``N/A``, ``""``) become NA.

    A column of repeated cells comes back categorical (each distinct cell once), so the
    parsers read every distinct value once; a column of mostly distinct cells (ids,
    times) stays plain text.

    Example:
        >>> clean(pd.Series(["\t123", "--", " N/A ", "123"]), frozenset({"", "--", "N/A"})).tolist()
        ['123', nan, nan, '123']
    """
    if arrow_backed(raw):  # pyarrow's kernels on the whole column: no copy, no grouping
        spaced, shortest = arrow_edges(raw)  # most columns: no cell to strip, no token
        stripped = raw.str.strip(_SPACES) if spaced else raw
        if spaced or shortest <= max((len(m.encode()) for m in missing), default=-1):
            gone = stripped.isin(list(missing))
            return stripped.where(~gone) if bool(gone.any()) else stripped
        return stripped
    if _dense(raw):
        cells = raw.to_numpy(dtype=object)
        present = raw.notna().to_numpy(dtype=bool)
        out = np.full(len(cells), np.nan, dtype=object)
        kept = cells[present]
        if pd.api.types.infer_dtype(kept, skipna=True) not in ("string", "empty"):
            kept = kept.astype(str).astype(object)
        out[present] = _strip(kept, missing)
        return pd.Series(out, index=raw.index, name=raw.name, dtype=object)
    codes, uniques = factorize(raw, sort=False)
    cells = np.asarray(uniques, dtype=object)
    if pd.api.types.infer_dtype(cells, skipna=True) not in ("string", "empty"):
        cells = cells.astype(str).astype(object)  # typed cells of a DataFrame
    text = _strip(cells, missing)
    inner, distinct = factorize(pd.Series(text, dtype=object), sort=False)  # "\t1" = "1"
    mapped = np.where(codes >= 0, inner[np.maximum(codes, 0)], -1) if len(inner) else codes
    categories = pd.Index(np.asarray(distinct, dtype=object), dtype=object)
    values = pd.Categorical.from_codes(mapped, categories=categories)
    return pd.Series(values, index=raw.index, name=raw.name)


def _distinct(
    texts: pd.Series, parse: Callable[[pd.Series], tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply ``parse`` (distinct values → values, ok mask) and map back to every row.

    Returns the values, the rows that failed to parse and the rows that were present.
    """
    if isinstance(texts.dtype, pd.CategoricalDtype):
        codes = texts.cat.codes.to_numpy()
        uniques = texts.cat.categories
    elif (texts.dtype == object or arrow_backed(texts)) and _dense(texts):  # parse every cell
        present = texts.notna().to_numpy(dtype=bool)
        codes = np.where(present, np.cumsum(present) - 1, -1)
        uniques = pd.Index(texts[present])
    else:
        codes, uniques = factorize(texts, sort=False)
    if arrow_backed(texts):  # the distinct cells stay in pyarrow for its kernels
        cells = pd.Series(uniques.array, dtype=texts.dtype)
    else:
        cells = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    values, ok = parse(cells)
    present = codes >= 0
    where = np.maximum(codes, 0)
    if len(uniques) == 0:  # nothing present: one placeholder row to index
        values = np.full((1, *values.shape[1:]), np.nan, dtype=values.dtype)
        ok = np.ones(1, dtype=bool)
    out = values[where]
    bad = present & ~ok[where]
    return out, bad, present


def _report(problems: Problems, column: str, texts: pd.Series, bad: np.ndarray, rule: str) -> None:
    problems.add_mask(column, bad, texts.index, texts, rule, ErrorCode.INVALID_VALUE)


def ids(texts: pd.Series, *, column: str, problems: Problems) -> tuple[pd.Series, int]:
    """Ids as strings; ``.0`` and scientific notation are undone only when provably lossless.

    ``"123.0"`` loses nothing up to 15 digits (a float holds them exactly); a longer id
    with ``.0`` went through a float and may have lost digits, so it is refused, as is
    ``"5.77E+18"`` unless every digit is written (``1.234E+3``). Returns the ids and how
    many were repaired.

    Example:
        >>> p = Problems("file")
        >>> out, fixed = ids(pd.Series(["577000000000000001", "1234.0", "1.2345E+4"]),
        ...                  column="Order ID", problems=p)
        >>> out.tolist(), fixed, bool(p)
        (['577000000000000001', '1234', '12345'], 2, False)
    """

    def parse(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        out = np.asarray(uniques, dtype=object).copy()
        ok = np.ones(len(uniques), dtype=bool)
        dotted = np.asarray(uniques.str.contains(".", regex=False), dtype=bool)
        if not dotted.any():  # the usual case: no ".0" and no E-notation to undo
            return out, ok
        text = uniques.where(dotted, "0")
        floaty = text.str.match(_FLOAT_ID)
        if floaty.any():
            whole = text.str.extract(_FLOAT_ID, expand=False)
            short = floaty & (whole.str.len() <= 15)
            out[short] = np.asarray(whole[short], dtype=object)
            ok &= ~(floaty & ~short)
        sci = text.str.match(_SCIENTIFIC)
        if sci.any():
            parts = text.str.extract(_SCIENTIFIC)
            written = parts[1].str.len().fillna(-1).to_numpy()
            exponent = pd.to_numeric(parts[2], errors="coerce").fillna(-2).to_numpy()
            exact = sci & (written == exponent)
            out[exact] = np.asarray((parts[0] + parts[1])[exact], dtype=object)
            ok &= ~(sci & ~exact)
        return out, ok

    if arrow_backed(texts) and not texts.str.contains(".", regex=False).any():
        return texts.astype("string"), 0  # the usual case: nothing to undo, no copy
    values, bad, present = _distinct(texts, parse)
    rule = "id was read as a float and may have lost digits (export the column as text)"
    problems.add_mask(column, bad, texts.index, texts, rule, ErrorCode.LOSSY_ID)
    fixed = present & ~bad & (values != np.asarray(texts, dtype=object))
    result = pd.Series(values, index=texts.index, dtype=object).where(present)
    return result.astype("string"), int(fixed.sum())


def _plain(text: pd.Series, decimal: str) -> tuple[pd.Series, np.ndarray]:
    """Numbers as plain ``1234.5`` text, and where they were written in the declared format."""
    ok = np.array(text.str.fullmatch(_NUMBER[decimal]), dtype=bool)
    thousands = "," if decimal == "." else "."
    plain = text.str.replace(thousands, "", regex=False)
    if decimal == ",":
        plain = plain.str.replace(",", ".", regex=False)
    return plain.where(ok, "nan"), ok


def _slow_floats(text: pd.Series, decimal: str, digits: int) -> tuple[np.ndarray, np.ndarray]:
    """The string path: any cell the grid could not read (a ``+`` sign, ``.5``, 16+ digits)."""
    plain, ok = _plain(text, decimal)
    lengths = plain.str.extract(r"\.(\d*)$", expand=False).str.len()
    places = np.nan_to_num(lengths.to_numpy(dtype=float, na_value=np.nan))
    whole = pd.to_numeric(plain.str.replace(".", "", regex=False), errors="coerce")
    if digits == 0:
        return pd.to_numeric(plain, errors="coerce").to_numpy(float), ok
    return whole.to_numpy(float) / 10.0 ** (places + digits), ok


def _shifted(text: pd.Series, decimal: str, digits: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Numbers divided by ``10**digits`` exactly: ``4.11`` % is the float nearest 0.0411.

    The written digits become one integer divided by a power of ten (one correctly
    rounded division), not a parsed float divided again (``4.11 / 100`` is
    0.041100000000000005). Most cells are read by the numpy grid; the rest as strings.
    """
    fast = decimals(text, decimal)
    codes, prefixes = fast.prefixes()
    good = fast.ok & (prefixes == "")[codes] if len(prefixes) else fast.ok.copy()
    values, ok = fast.values(digits), good.copy()
    if not good.all():
        values[~good], ok[~good] = _slow_floats(text[~good], decimal, digits)
    return values, ok


def _floats(text: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """Numbers written with the declared decimal mark (and its thousands separator)."""
    return _shifted(text, decimal, 0)


def numbers(
    texts: pd.Series, *, column: str, problems: Problems, decimal: str, integer: bool = False
) -> tuple[pd.Series, pd.DataFrame | None]:
    """Numbers in the declared format; ``1.74K``, ``1.2M``, ``3Rb``, ``2Jt`` become ranges.

    A rounded display stands for every value that rounds to it: ``1.74K`` is 1,735 to
    1,745. The value kept is the display (1,740) and the range is returned as a frame of
    ``low`` and ``high`` (``None`` when no value was rounded).

    Example:
        >>> p = Problems("file")
        >>> value, rounded = numbers(pd.Series(["1,234", "1.74K"]), column="VV",
        ...                          problems=p, decimal=".")
        >>> value.tolist(), rounded.loc[1].tolist()
        ([1234.0, 1740.0], [1735.0, 1745.0])
    """
    suffix = re.compile(r"^(.*?)\s*(k|m|b|rb|ribu|jt|juta)$", re.IGNORECASE)

    def parse(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        text = uniques
        parts = text.str.extract(suffix)
        has = parts[0].notna().to_numpy()
        head = pd.Series(np.where(has, parts[0].fillna(""), text), dtype=object)
        values, ok = _floats(head, decimal)
        mult = parts[1].str.lower().map(_SUFFIX).to_numpy(dtype=float, na_value=np.nan)
        mult = np.where(np.isnan(mult), 1.0, mult)
        after = head.str.extract(re.escape(decimal) + r"(\d+)$", expand=False).str.len()
        places = np.where(has, np.nan_to_num(after.to_numpy(dtype=float, na_value=np.nan)), np.nan)
        half = np.where(has, 0.5 * 10.0 ** (-places) * mult, 0.0)
        out = np.column_stack([values * mult, values * mult - half, values * mult + half])
        return out, ok

    values, bad, present = _distinct(texts, parse)
    what = "whole number" if integer else "number"
    _report(problems, column, texts, bad, f"must be a {what} written like {_example(decimal)}")
    main = np.where(present & ~bad, values[:, 0], np.nan)
    if integer:
        frac = present & ~bad & (np.round(main) != main)
        _report(problems, column, texts, frac, "must be a whole number")
    index = texts.index
    rounded = present & ~bad & (values[:, 1] != values[:, 2])
    series = pd.Series(main, index=index, name=texts.name)
    if not rounded.any():
        return series, None
    bounds = np.where(present[:, None], values[:, 1:], np.nan)
    return series, pd.DataFrame(bounds, index=index, columns=["low", "high"])


def _example(decimal: str) -> str:
    return "1,234.5" if decimal == "." else "1.234,5"


_MONEY = re.compile(r"^(-?)\s*([^\d\s.,+-]*)\s*(-?[\d.,]+)\s*([A-Za-z]{3}|[^\d\s.,A-Za-z]*)$")


def _money_fast(
    text: pd.Series, decimal: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A sign and a known symbol in front of a number (the usual spelling), on the grid.

    Returns the amounts, the currency code of each cell (``""`` without a symbol) as an
    index into the returned codes, and where the cell was read.
    """
    fast = decimals(text, decimal)
    codes, prefixes = fast.prefixes()
    named = np.array([SYMBOLS.get(p.lower(), "?") if p else "" for p in prefixes], dtype=object)
    known = named != "?"
    ok = fast.ok & known[codes] if len(prefixes) else fast.ok.copy()
    return fast.values(), np.asarray(codes, dtype=np.int64), named, ok


def _money_regex(text: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """Any spelling: a sign, a symbol or ISO code before or after the number, spaces."""
    parts = text.str.extract(_MONEY)
    matched = parts[2].notna().to_numpy()
    values, ok = _floats(parts[2].fillna("x").astype(object), decimal)
    sign = np.where(parts[0].fillna("") == "-", -1.0, 1.0)
    mark = (parts[1].fillna("") + parts[3].fillna("")).str.strip().str.lower()
    named = mark.map(lambda m: SYMBOLS.get(m, m.upper() if len(m) == 3 else "?"))
    code = np.where(mark == "", "", named.astype(object))
    return np.column_stack([values * sign, code]), ok & matched & (code != "?")


def money(
    texts: pd.Series,
    *,
    column: str,
    problems: Problems,
    decimal: str,
    currency: pd.Series | str | None,
) -> tuple[pd.Series, pd.Series, pd.DataFrame | None]:
    """Money strings (``"$1,234.56"``, ``"Rp9.900"``, ``"150.000"``) and their currency.

    A symbol or code in the cell must agree with ``currency`` (the row's currency column, the
    header's unit or the caller's), else the row is an error. Returns the amounts, the
    currency of each row (the declared one, or the symbol's where none was declared) and,
    when a cell is a rounded display (``Rp1,2Jt``), the range each amount stands for
    (``low``, ``high``; else ``None``), as :func:`numbers` does.

    Example:
        >>> p = Problems("file")
        >>> amount, cur, rounded = money(pd.Series(["Rp9.900", "Rp1,2Jt"]), column="GMV",
        ...                              problems=p, decimal=",", currency="IDR")
        >>> amount.tolist(), cur.tolist(), rounded.loc[1].tolist()
        ([9900.0, 1200000.0], ['IDR', 'IDR'], [1150000.0, 1250000.0])
    """
    labels: list[str] = []

    def parse(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        amount, code, named, ok = _money_fast(uniques, decimal)
        half = np.zeros(len(uniques))
        slow = ~ok
        if slow.any():  # other spellings (codes, suffixes, spaces, 1,2Jt): one regex each
            more_amount, more_code, fine, half[slow] = _money_slow(uniques[slow], decimal)
            extra, more = factorize(pd.Series(more_code.astype(str), dtype=object), sort=False)
            amount[slow], ok[slow] = more_amount, fine
            code[slow] = len(named) + extra
            named = np.concatenate([named, np.asarray(more, dtype=object)])
        index, names = factorize(pd.Series(named.astype(str), dtype=object), sort=True)
        labels.extend(str(n) for n in names)
        shown = np.asarray(index, dtype=float)[code]
        return np.column_stack([amount, shown, amount - half, amount + half]), ok

    values, bad, present = _distinct(texts, parse)
    _report(problems, column, texts, bad, f"must be an amount written like {_example(decimal)}")
    good = present & ~bad
    amount = np.where(good, values[:, 0], np.nan)
    names = [*labels, ""]  # the last: no currency written in the cell (or not read)
    found = np.where(good, values[:, 1], len(names) - 1).astype(np.int64)
    if currency is None or isinstance(currency, str):  # one currency: compare the few labels
        fits = np.array([_agrees(n, currency or "") for n in names], dtype=bool)
        clash = good & ~fits[found]
        given: list[Any] = [currency] if currency else []
        declared = np.full(len(texts), 0 if currency else -1, dtype=np.int64)
    else:  # the row's currency column: compare the few (found, declared) pairs
        declared, distinct = factorize(currency, sort=False)
        pairs = [[_agrees(n, str(d)) for d in distinct] + [True] for n in names]
        clash = good & ~np.array(pairs, dtype=bool)[found, declared]
        given = list(np.asarray(distinct, dtype=object))
    rule = "is in another currency than the column's"
    problems.add_mask(column, clash, texts.index, texts, rule, ErrorCode.MIXED_CURRENCY)
    codes = _currencies(declared, given, found, names, texts.index)
    series = pd.Series(amount, index=texts.index, name=texts.name)
    if not (good & (values[:, 2] != values[:, 3])).any():
        return series, codes, None
    bounds = np.where(good[:, None], values[:, 2:], np.nan)
    return series, codes, pd.DataFrame(bounds, index=texts.index, columns=["low", "high"])


def _currencies(
    declared: np.ndarray, given: list[Any], found: np.ndarray, names: list[str], index: pd.Index
) -> pd.Series:
    """Each row's currency: the declared one (code into ``given``), else the cell's symbol.

    Built as a categorical from the few distinct codes, not a column of Python strings.
    """
    categories = list(dict.fromkeys([*given, *(n for n in names if n)]))
    where = {c: i for i, c in enumerate(categories)}
    symbol = np.array([where[n] if n else -1 for n in names], dtype=np.int64)[found]
    if len(given):
        named = np.array([where[g] for g in given], dtype=np.int64)[np.maximum(declared, 0)]
        symbol = np.where(declared >= 0, named, symbol)
    values = pd.Categorical.from_codes(symbol, categories=pd.Index(categories, dtype=object))
    return pd.Series(values, index=index)


_PAREN = re.compile(r"^\(\s*[^()]*\d[^()]*\)$")
_ROUNDED = re.compile(r"^(.*\d)\s*(k|m|b|rb|ribu|jt|juta)$", re.IGNORECASE)


def _money_slow(
    text: pd.Series, decimal: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Any spelling, and rounded displays (``Rp1,2Jt``, ``$1.74K``) with their half width.

    An amount in parentheses (``($10.00)``, accounting style) is negative.

    Returns the amounts, the currency codes (text), where the cell was read and half the
    width of the range a rounded display stands for (0 for exact amounts).
    """
    paren = np.array(text.str.match(_PAREN), dtype=bool)
    if paren.any():
        text = text.where(~paren, text.str.slice(1, -1).str.strip())
    out, ok = _money_regex(text, decimal)
    amount, code = out[:, 0].astype(float), out[:, 1]
    half = np.zeros(len(text))
    parts = text.str.extract(_ROUNDED)
    shown = parts[0].notna().to_numpy() & ~ok
    if shown.any():
        head = parts[0][shown].astype(object)
        read, fine = _money_regex(head, decimal)
        mult = parts[1][shown].str.lower().map(_SUFFIX).to_numpy(dtype=float)
        after = head.str.extract(re.escape(decimal) + r"(\d+)$", expand=False).str.len()
        places = np.nan_to_num(after.to_numpy(dtype=float, na_value=np.nan))
        amount[shown], code[shown] = read[:, 0].astype(float) * mult, read[:, 1]
        ok[shown], half[shown] = fine, 0.5 * 10.0 ** (-places) * mult
    if paren.any():  # "(-$10)" is no spelling of an amount
        ok &= ~(paren & (amount < 0))
        amount = np.where(paren, -amount, amount)
    return amount, code, ok, half


def _agrees(found: str, declared: str) -> bool:
    """A cell's symbol fits the column's currency (``$`` fits every dollar)."""
    return (
        not found or not declared or found == declared or (found == "USD" and declared in _DOLLARS)
    )


def rates(
    texts: pd.Series, *, column: str, problems: Problems, unit: str, decimal: str
) -> pd.Series:
    """Rates as fractions from the field's declared unit; above 100 % is an error.

    Example:
        >>> p = Problems("file")
        >>> rates(pd.Series(["1550"]), column="commission_rate", problems=p,
        ...       unit="hundredths", decimal=".").tolist()
        [0.155]
    """

    def parse(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        text = uniques
        percent = text.str.endswith("%")
        head = text.str.rstrip("%").str.strip()
        values, ok = _shifted(head, decimal, {"percent": 2, "fraction": 0, "hundredths": 4}[unit])
        if unit != "percent":
            ok = ok & ~np.asarray(percent, dtype=bool)
        return values, ok

    values, bad, present = _distinct(texts, parse)
    shown = {"percent": "10% or 10", "fraction": "0.1", "hundredths": "1000 (= 10%)"}[unit]
    _report(problems, column, texts, bad, f"must be a rate written like {shown} ({unit})")
    out = np.where(present & ~bad, values, np.nan)
    above = present & ~bad & ((out > 1.0) | (out < 0.0))
    rule = "must be a rate between 0% and 100%"
    problems.add_mask(column, above, texts.index, texts, rule, ErrorCode.OUT_OF_RANGE)
    return pd.Series(out, index=texts.index, name=texts.name)


def durations(texts: pd.Series, *, column: str, problems: Problems, unit: str) -> pd.Series:
    """Durations in seconds from ``1m28s``, ``1h2m``, ``01:01:28`` or numbers in ``unit``.

    Example:
        >>> durations(pd.Series(["1m28s", "01:00:05"]), column="Durasi",
        ...           problems=Problems("file"), unit="text").tolist()
        [88.0, 3605.0]
    """

    def parse(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        text = uniques.astype(str).str.lower()
        if unit != "text":
            values, ok = _floats(text, ".")
            return values * (60.0 if unit == "minutes" else 1.0), ok
        parts = text.str.extract(_DURATION)
        nums = parts.apply(pd.to_numeric, errors="coerce").fillna(0.0).to_numpy(float)
        ok = parts.notna().any(axis=1).to_numpy()
        h, m, s = nums[:, 0] + nums[:, 3], nums[:, 1] + nums[:, 4], nums[:, 2] + nums[:, 5]
        return h * 3600.0 + m * 60.0 + s, ok

    values, bad, present = _distinct(texts, parse)
    _report(problems, column, texts, bad, "must be a duration like 1m28s or 01:01:28")
    return pd.Series(np.where(present & ~bad, values, np.nan), index=texts.index)


def enums(
    texts: pd.Series, *, column: str, problems: Problems, mapping: Mapping[str, str | None]
) -> tuple[pd.Series, np.ndarray]:
    """Map export labels (any case) to values; labels mapped to ``None`` exclude the row.

    Returns the values and the mask of rows to exclude.

    Example:
        >>> p = Problems("file")
        >>> out, drop = enums(pd.Series(["Completed", "UNPAID"]), column="Order Status",
        ...                   problems=p, mapping={"completed": "completed", "unpaid": None})
        >>> out.tolist(), drop.tolist()
        (['completed', <NA>], [False, True])
    """
    table = {str(k).strip().lower(): v for k, v in mapping.items()}

    def parse(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        keys = uniques.astype(str).str.lower()
        known = np.asarray(keys.isin(list(table)), dtype=bool)
        values = np.asarray(keys.map(lambda k: table.get(k) or ""), dtype=object)
        return values, known

    values, bad, present = _distinct(texts, parse)
    allowed = sorted({str(k) for k in mapping})
    shown = ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
    _report(problems, column, texts, bad, f"must be one of: {shown}")
    excluded = present & ~bad & (values == "")
    out = pd.Series(values, index=texts.index, dtype=object).where(present & ~bad & ~excluded)
    return out.astype("string"), excluded
