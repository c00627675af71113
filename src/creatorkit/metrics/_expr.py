"""Row-level expressions whose group sums define metrics.

A metric divides two *sums over rows*. Each side is an expression evaluated per row:
either a polynomial of columns parsed from text (``"likes + comments + shares + saves"``,
``"completion * views"``, ``"1000 * gmv"``, ``"views * {cpm} / 1000"`` with a parameter
in braces, ``"1"`` for a row count), or a Python function of the table
(:class:`RowFunction`) for custom metrics. Named derived sums (``cost``, ``net_gmv``,
``engagements``) expand to their definition unless the table has a column of that name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import attrs
import numpy as np
import pandas as pd

from creatorkit._validation import fail
from creatorkit.errors import ErrorCode

Getter = Callable[[str], np.ndarray]
"""Returns the float values of a column (with as-of masking applied)."""

DERIVED: Mapping[str, str] = {
    "engagements": "likes + comments + shares + saves",
    "net_gmv": "gmv - refunds",
    "cost": (
        "fixed_fee + commission + bonus + sample_cost + shipping_cost + ads_spend + service_fee"
    ),
}
"""Named sums that expand to their definition unless the table has a column of that name."""

_TOKEN = re.compile(
    r"\s*(?:(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)|([A-Za-z_]\w*)|\{([A-Za-z_]\w*)\}|(.))"
)

Term = tuple[str, ...]  # sorted factors: column names and "{param}" placeholders


class Expr(Protocol):
    """What a metric side must offer."""

    @property
    def text(self) -> str:
        """Human-readable formula."""

    def columns(self, available: frozenset[str]) -> frozenset[str]:
        """Columns read when the table has ``available`` columns."""

    @property
    def params(self) -> frozenset[str]:
        """Parameters that must be supplied."""

    def evaluate(self, frame: pd.DataFrame, get: Getter, params: Mapping[str, float]) -> np.ndarray:
        """Per-row float values."""

    def key(self, available: frozenset[str]) -> str:
        """Canonical text: equal keys mean equal per-row values."""

    @property
    def is_count(self) -> bool:
        """Whether the expression is a plain sum of count columns with coefficient 1."""


def _mul(a: dict[Term, float], b: dict[Term, float]) -> dict[Term, float]:
    out: dict[Term, float] = {}
    for ta, ca in a.items():
        for tb, cb in b.items():
            term = tuple(sorted(ta + tb))
            out[term] = out.get(term, 0.0) + ca * cb
    return {t: c for t, c in out.items() if c != 0.0}


def _add(a: dict[Term, float], b: dict[Term, float], sign: float) -> dict[Term, float]:
    out = dict(a)
    for t, c in b.items():
        out[t] = out.get(t, 0.0) + sign * c
    return {t: c for t, c in out.items() if c != 0.0}


class _Parser:
    def __init__(self, text: str, available: frozenset[str] | None) -> None:
        self.text = text
        self.available = available
        self.tokens: list[tuple[str, str]] = []
        for number, name, param, other in _TOKEN.findall(text):
            if number:
                self.tokens.append(("num", number))
            elif name:
                self.tokens.append(("name", name))
            elif param:
                self.tokens.append(("param", param))
            elif other.strip():
                self.tokens.append(("op", other))
        self.pos = 0

    def error(self, what: str) -> None:
        fail("formula", f"cannot parse {self.text!r}: {what}", ErrorCode.INVALID_VALUE)

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            self.error("unexpected end")
            raise AssertionError  # pragma: no cover - error() raises
        self.pos += 1
        return token

    def parse(self) -> dict[Term, float]:
        poly = self.sum()
        if self.peek() is not None:
            self.error(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return poly

    def sum(self) -> dict[Term, float]:
        poly = self.product()
        while (tok := self.peek()) is not None and tok[1] in "+-":
            self.take()
            poly = _add(poly, self.product(), 1.0 if tok[1] == "+" else -1.0)
        return poly

    def product(self) -> dict[Term, float]:
        poly = self.atom()
        while (tok := self.peek()) is not None and tok[1] in "*/":
            self.take()
            right = self.atom()
            if tok[1] == "*":
                poly = _mul(poly, right)
            else:
                if len(right) != 1 or () not in right:
                    self.error("only division by a number is allowed")
                poly = {t: c / right[()] for t, c in poly.items()}
        return poly

    def atom(self) -> dict[Term, float]:
        kind, value = self.take()
        if kind == "num":
            return {(): float(value)}
        if kind == "param":
            return {(f"{{{value}}}",): 1.0}
        if kind == "name":
            expand = value in DERIVED and (self.available is None or value not in self.available)
            if expand:
                return _Parser(DERIVED[value], self.available).parse()
            return {(value,): 1.0}
        if value == "(":
            poly = self.sum()
            if self.take()[1] != ")":
                self.error("missing ')'")
            return poly
        if value == "-":
            return {t: -c for t, c in self.atom().items()}
        self.error(f"unexpected {value!r}")
        raise AssertionError  # pragma: no cover


def _format(poly: dict[Term, float]) -> str:
    parts = []
    for term in sorted(poly):
        coef = poly[term]
        factors = " * ".join(term) if term else ""
        if not factors:
            parts.append(f"{coef:g}")
        elif coef == 1.0:
            parts.append(factors)
        else:
            parts.append(f"{coef:g} * {factors}")
    return " + ".join(parts) if parts else "0"


@attrs.frozen
class Formula:
    """A polynomial of columns parsed from text.

    Example:
        >>> Formula("engagements").key(frozenset())
        'comments + likes + saves + shares'
    """

    text: str

    def __attrs_post_init__(self) -> None:
        self.poly(frozenset())  # parse once to fail early

    def poly(self, available: frozenset[str]) -> dict[Term, float]:
        """The expanded polynomial for a table with ``available`` columns.

        Keys are sorted factor tuples (columns and ``{param}`` placeholders), values their
        coefficients; ``()`` is the constant term.

        Example:
            >>> Formula("2 * likes + views / 4 + 1").poly(frozenset())
            {('likes',): 2.0, ('views',): 0.25, (): 1.0}
        """
        return _Parser(self.text, available).parse()

    def columns(self, available: frozenset[str]) -> frozenset[str]:
        """Columns read when the table has ``available`` columns.

        A derived name (``engagements``) expands unless the table has a column of that name.

        Example:
            >>> sorted(Formula("engagements").columns(frozenset()))
            ['comments', 'likes', 'saves', 'shares']
            >>> sorted(Formula("engagements").columns(frozenset({"engagements"})))
            ['engagements']
        """
        return frozenset(f for term in self.poly(available) for f in term if not f.startswith("{"))

    @property
    def params(self) -> frozenset[str]:
        """Parameters (``{name}``) that must be supplied.

        Example:
            >>> sorted(Formula("views * {cpm} / 1000 + {fee}").params)
            ['cpm', 'fee']
        """
        return frozenset(
            f[1:-1] for term in self.poly(frozenset()) for f in term if f.startswith("{")
        )

    def key(self, available: frozenset[str]) -> str:
        """Canonical text of the expansion.

        Example:
            >>> Formula("views * 2 + likes").key(frozenset())
            'likes + 2 * views'
        """
        return _format(self.poly(available))

    @property
    def is_count(self) -> bool:
        """A sum of columns (or a row count) with coefficient 1.

        Example:
            >>> Formula("likes + comments").is_count, Formula("1000 * gmv").is_count
            (True, False)
        """
        poly = self.poly(frozenset())
        return all(c == 1.0 and len(t) <= 1 for t, c in poly.items())

    def evaluate(self, frame: pd.DataFrame, get: Getter, params: Mapping[str, float]) -> np.ndarray:
        """Per-row values.

        Example:
            >>> df = pd.DataFrame({"views": [100, 200], "likes": [5, 8]})
            >>> get = lambda column: df[column].to_numpy(dtype=float)
            >>> Formula("likes + {w} * views").evaluate(df, get, {"w": 0.5}).tolist()
            [55.0, 108.0]
        """
        n = len(frame)
        out = np.zeros(n)
        for term, coef in self.poly(frozenset(map(str, frame.columns))).items():
            value = np.full(n, coef)
            for factor in term:
                value = value * (
                    float(params[factor[1:-1]]) if factor.startswith("{") else get(factor)
                )
            out = out + value
        return out


@attrs.frozen
class RowFunction:
    """A per-row value computed by a Python function of the table (for custom metrics).

    Attributes:
        func: ``func(frame, params) -> array-like`` of one float per row, vectorized.
        needs: Columns the function reads (checked before it is called).
        text: Description used in the catalog.
        count: Whether the values are counts (allows Wilson / Poisson intervals).
        param_names: Parameters the function reads from ``params``.

    Example:
        >>> big = RowFunction(func=lambda frame, p: frame["views"] > p["cut"],
        ...                   needs=("views",), text="big(row)", count=True, param_names=("cut",))
        >>> df = pd.DataFrame({"views": [100, 200]})
        >>> big.evaluate(df, lambda c: df[c].to_numpy(dtype=float), {"cut": 150}).tolist()
        [0.0, 1.0]
    """

    func: Callable[[pd.DataFrame, Mapping[str, float]], Any]
    needs: tuple[str, ...]
    text: str
    count: bool = False
    param_names: tuple[str, ...] = ()

    def columns(self, available: frozenset[str]) -> frozenset[str]:
        """Columns the function declared.

        Example:
            >>> f = RowFunction(func=lambda frame, p: frame["views"] > p["cut"], needs=("views",),
            ...                 text="big(row)", count=True, param_names=("cut",))
            >>> sorted(f.columns(frozenset()))
            ['views']
        """
        return frozenset(self.needs)

    @property
    def params(self) -> frozenset[str]:
        """Parameters the function declared.

        Example:
            >>> f = RowFunction(func=lambda frame, p: frame["views"] > p["cut"], needs=("views",),
            ...                 text="big(row)", count=True, param_names=("cut",))
            >>> sorted(f.params)
            ['cut']
        """
        return frozenset(self.param_names)

    def key(self, available: frozenset[str]) -> str:
        """Identity of the function: its text and the id of the function object.

        Example:
            >>> f = RowFunction(func=lambda frame, p: frame["views"] > p["cut"], needs=("views",),
            ...                 text="big(row)", count=True, param_names=("cut",))
            >>> f.key(frozenset()).startswith("big(row)@")
            True
        """
        return f"{self.text}@{id(self.func)}"

    @property
    def is_count(self) -> bool:
        """Whether the function returns counts.

        Example:
            >>> f = RowFunction(func=lambda frame, p: frame["views"] > p["cut"], needs=("views",),
            ...                 text="big(row)", count=True, param_names=("cut",))
            >>> f.is_count
            True
        """
        return self.count

    def evaluate(self, frame: pd.DataFrame, get: Getter, params: Mapping[str, float]) -> np.ndarray:
        """Call the function and check that it returns one value per row.

        Example:
            >>> f = RowFunction(func=lambda frame, p: frame["views"] > p["cut"], needs=("views",),
            ...                 text="big(row)", count=True, param_names=("cut",))
            >>> df = pd.DataFrame({"views": [100, 200]})
            >>> f.evaluate(df, lambda c: df[c].to_numpy(dtype=float), {"cut": 150}).tolist()
            [0.0, 1.0]
        """
        values = np.asarray(self.func(frame, params), dtype=float)
        if values.shape != (len(frame),):
            rule = f"must return one value per row ({len(frame)}), got shape {values.shape}"
            fail(self.text, rule, ErrorCode.INVALID_VALUE)
        return values


def as_expr(value: str | Expr | None) -> Expr | None:
    """Parse text into a :class:`Formula`; pass expressions through."""
    if value is None or isinstance(value, Formula | RowFunction):
        return value
    if isinstance(value, str):
        return Formula(value)
    fail("formula", "must be a formula string or a RowFunction", ErrorCode.WRONG_TYPE, value=value)
