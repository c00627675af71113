"""Gate: a hard condition that excludes a creator, with the reason, before ranking."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._validation import check_choice, check_columns, check_number, fail
from creatorkit.errors import ErrorCode

OPS = (">=", "<=", ">", "<", "==", "in", "not_in", "between")
_NUMERIC = {">=": np.greater_equal, "<=": np.less_equal, ">": np.greater, "<": np.less}


def _value(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(sorted(value, key=str)) if isinstance(value, set | frozenset) else tuple(value)
    return value


@attrs.frozen(kw_only=True)
class Gate:
    """A hard condition on a per-creator column; creators failing it are excluded.

    The columns a scorecard provides besides the creators table: ``tier`` (follower tier
    by the scorecard's scheme), ``market`` (the creator's ``country``), ``posts`` (content
    rows up to ``as_of``), ``collaborations``, ``points`` and ``strikes`` (active, from
    :func:`creatorkit.risk.violation_points`; 0 without violations) and the audience shares
    of :func:`creatorkit.audience.profile` (``age_18_plus``, ``country_TH``, ``gender_female``,
    ...). The column may also name a registered rule (e.g. an
    :func:`~creatorkit.scoring.audience_fit`). A missing value fails the gate (no data is no
    pass).

    Attributes:
        column: The column tested.
        op: ``>=``, ``<=``, ``>``, ``<``, ``==``, ``in``, ``not_in`` or ``between`` (inclusive).
        value: A number, a label, a list of labels, or ``(low, high)`` for ``between``.
        reason: The exclusion reason; generated from the condition when empty.

    Example:
        >>> Gate.followers(20_000).reason
        'followers >= 20000'
    """

    column: str
    op: str
    value: Any = attrs.field(converter=_value)
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            fail("column", "must be a column name", ErrorCode.WRONG_TYPE, value=self.column)
        check_choice("op", self.op, OPS)
        if self.op in _NUMERIC:
            check_number("value", self.value)
        elif self.op == "between":
            if not isinstance(self.value, tuple) or len(self.value) != 2:
                fail("value", "between needs (low, high)", ErrorCode.INVALID_VALUE)
            low = check_number("value", self.value[0])
            check_number("value", self.value[1], low=low)
        elif self.op in ("in", "not_in") and not isinstance(self.value, tuple):
            fail("value", f"{self.op} needs a list of values", ErrorCode.WRONG_TYPE)
        if not isinstance(self.reason, str):
            fail("reason", "must be text", ErrorCode.WRONG_TYPE, value=self.reason)
        if not self.reason:
            object.__setattr__(self, "reason", self._describe())

    def _describe(self) -> str:
        if self.op == "between":
            return f"{self.column} between {self.value[0]:g} and {self.value[1]:g}"
        if self.op in ("in", "not_in"):
            shown = ", ".join(map(str, self.value))
            return f"{self.column} {'in' if self.op == 'in' else 'not in'} [{shown}]"
        shown = f"{self.value:g}" if isinstance(self.value, int | float) else str(self.value)
        return f"{self.column} {self.op} {shown}"

    @classmethod
    def market(cls, markets: Sequence[str]) -> Gate:
        """Only creators whose market is in ``markets``.

        Example:
            >>> Gate.market(["TH", "VN"]).reason
            'market in [TH, VN]'
        """
        return cls(column="market", op="in", value=tuple(markets))

    @classmethod
    def category(cls, categories: Sequence[str]) -> Gate:
        """Only creators in ``categories``.

        Example:
            >>> Gate.category(["beauty"]).op
            'in'
        """
        return cls(column="category", op="in", value=tuple(categories))

    @classmethod
    def followers(cls, low: float, high: float | None = None) -> Gate:
        """A follower band for the goal (``high`` inclusive; ``None``: no upper bound).

        Example:
            >>> Gate.followers(500_000).value
            500000
        """
        if high is None:
            return cls(column="followers", op=">=", value=low)
        return cls(column="followers", op="between", value=(low, high))

    @classmethod
    def audience(cls, share: str, op: str, value: float) -> Gate:
        """An audience threshold, e.g. ``Gate.audience("age_18_plus", ">=", 0.8)``.

        Example:
            >>> Gate.audience("age_18_plus", ">=", 0.8).reason
            'age_18_plus >= 0.8'
        """
        check_number("value", value, low=0, high=1)
        return cls(column=share, op=op, value=value)

    @classmethod
    def max_points(cls, points: float = 0, *, strikes: bool = False) -> Gate:
        """At most ``points`` active violation points (or strikes with ``strikes=True``).

        Example:
            >>> Gate.max_points(3).reason
            'points <= 3'
        """
        return cls(column="strikes" if strikes else "points", op="<=", value=points)

    @classmethod
    def block_list(cls, creator_ids: Sequence[str]) -> Gate:
        """Never these creators.

        Example:
            >>> Gate.block_list(["c9"]).reason
            'block-listed'
        """
        return cls(
            column="creator_id", op="not_in", value=tuple(creator_ids), reason="block-listed"
        )

    @classmethod
    def min_data(cls, column: str, at_least: float) -> Gate:
        """Minimum data: ``posts``, ``views``, ``collaborations``, ... at least ``at_least``.

        Example:
            >>> Gate.min_data("posts", 3).reason
            'posts >= 3'
        """
        return cls(column=column, op=">=", value=at_least)

    def passes(self, table: pd.DataFrame) -> np.ndarray:
        """Boolean mask of the rows of ``table`` that pass (missing values fail).

        Example:
            >>> Gate.followers(10).passes(pd.DataFrame({"followers": [5, 50, None]})).tolist()
            [False, True, False]
        """
        from creatorkit import rules

        if self.column not in table and self.column in rules.registry:  # a rule as a gate
            column = pd.Series(rules.evaluate(rules.registry.get(self.column), table))
        else:
            check_columns("tables", table, [self.column])
            column = table[self.column]
        if self.op in ("in", "not_in", "=="):
            allowed = self.value if self.op != "==" else (self.value,)
            inside = column.isin(list(allowed)).to_numpy(dtype=bool)
            ok = inside if self.op != "not_in" else ~inside
            return np.asarray(ok & column.notna().to_numpy(dtype=bool))
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            if self.op == "between":
                return np.asarray((values >= self.value[0]) & (values <= self.value[1]))
            return np.asarray(_NUMERIC[self.op](values, float(self.value)))

    def to_dict(self) -> dict[str, Any]:
        """The gate as spec data.

        Example:
            >>> Gate.market(["TH"]).to_dict()["value"]
            ['TH']
        """
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"column": self.column, "op": self.op, "value": value, "reason": self.reason}
