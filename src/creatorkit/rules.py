"""Custom rules: a per-creator table → a Series, usable anywhere a metric is (DESIGN §3).

A rule is any object with ``name``, ``direction`` (``"higher"`` or ``"lower"`` is better),
``needs`` (the columns it reads) and ``__call__(table) -> pd.Series`` returning one value
per row of ``table`` on the same index. Register it in :data:`registry` (directly or with
the :func:`register` decorator); a :class:`~creatorkit.Criterion` names it like a metric.
Rules published by installed packages under the entry-point group ``creatorkit.rules`` are
registered only when :func:`load_entry_points` is called — loading a scorecard spec never
imports a plugin. :func:`creatorkit.testing.check_rule` checks the contract.

Example:
    >>> import pandas as pd
    >>> from creatorkit import rules
    >>> @rules.register("saves_per_like_demo", needs=("saves", "likes"))
    ... def saves_per_like(table):
    ...     return table["saves"] / table["likes"].where(table["likes"] > 0)
    >>> rule = rules.registry.get("saves_per_like_demo")
    >>> rule(pd.DataFrame({"saves": [2], "likes": [4]})).tolist()
    [0.5]
    >>> rules.registry.unregister("saves_per_like_demo")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
import pandas as pd

from creatorkit._validation import check_choice, fail
from creatorkit.errors import ErrorCode
from creatorkit.registry import Registry

__all__ = ["FunctionRule", "Rule", "evaluate", "load_entry_points", "register", "registry"]

DIRECTIONS = ("higher", "lower")
ENTRY_POINT_GROUP = "creatorkit.rules"


@runtime_checkable
class Rule(Protocol):
    """The rule protocol: a per-creator table → one value per creator.

    Example:
        Any object with these attributes is a rule; it need not subclass anything:

        >>> class ViewsPerPost:
        ...     name = "views_per_post"
        ...     direction = "higher"
        ...     needs = ("views", "posts")
        ...     def __call__(self, table):
        ...         return table["views"] / table["posts"]
        >>> rule = ViewsPerPost()
        >>> isinstance(rule, Rule)
        True
        >>> rule(pd.DataFrame({"views": [900], "posts": [3]})).tolist()
        [300.0]
    """

    name: str
    direction: str
    needs: tuple[str, ...]

    def __call__(self, table: pd.DataFrame) -> pd.Series:
        """One value per row of ``table``, on its index."""


@attrs.frozen(kw_only=True)
class FunctionRule:
    """A rule made from a function (what :func:`register` builds).

    Attributes:
        name: Registry name (snake_case).
        function: ``function(table) -> Series``.
        direction: ``"higher"`` or ``"lower"`` is better.
        needs: Columns of the per-creator table the function reads.
        description: One line for the docs.

    Example:
        >>> r = FunctionRule(name="big", function=lambda t: t["followers"] * 2.0,
        ...                  needs=("followers",))
        >>> r(pd.DataFrame({"followers": [3]})).tolist()
        [6.0]
    """

    name: str
    function: Callable[[pd.DataFrame], Any]
    direction: str = "higher"
    needs: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    description: str = ""

    def __call__(self, table: pd.DataFrame) -> pd.Series:
        """Apply the function to ``table``."""
        return pd.Series(self.function(table), copy=False)


def _check_entry(name: str, obj: Any) -> None:
    if not isinstance(obj, Rule):
        rule = "must have name, direction, needs and be callable (the Rule protocol)"
        fail("rule", rule, ErrorCode.WRONG_TYPE, value=type(obj).__name__)
    if obj.name != name:
        rule = f"registered as {name!r} but the rule is named {obj.name!r}"
        fail("rule", rule, ErrorCode.INCONSISTENT, value=obj.name)
    if not name.isidentifier():
        fail("rule", "name must be snake_case", ErrorCode.INVALID_VALUE, value=name)
    check_choice("direction", obj.direction, DIRECTIONS)
    if not all(isinstance(c, str) for c in obj.needs):
        fail("needs", "must be column names", ErrorCode.WRONG_TYPE, value=list(obj.needs))


registry: Registry[Any] = Registry("rule", check=_check_entry)
"""The rule registry (thread-safe, freezable)."""


def register(
    name: str, *, direction: str = "higher", needs: Sequence[str] = (), replace: bool = False
) -> Callable[[Callable[[pd.DataFrame], Any]], FunctionRule]:
    """Decorator: register a function ``table -> Series`` as the rule ``name``.

    Args:
        name: Registry name (snake_case), the criterion name that refers to it.
        direction: ``"higher"`` or ``"lower"`` is better.
        needs: Columns of the per-creator table the function reads (checked at scoring).
        replace: Replace an existing rule of the same name.

    Returns:
        A decorator returning the registered :class:`FunctionRule`.

    Example:
        >>> @register("double_followers_demo", needs=("followers",))
        ... def double(table):
        ...     return table["followers"] * 2.0
        >>> double.name, double.needs
        ('double_followers_demo', ('followers',))
        >>> registry.unregister("double_followers_demo")
    """
    if not isinstance(name, str):
        fail("name", "must be a rule name", ErrorCode.WRONG_TYPE, value=name)
    check_choice("direction", direction, DIRECTIONS)
    columns = tuple(needs) if isinstance(needs, list | tuple) else (needs,)

    def wrap(function: Callable[[pd.DataFrame], Any]) -> FunctionRule:
        if not callable(function):
            fail("function", "must be callable", ErrorCode.WRONG_TYPE)
        doc = (getattr(function, "__doc__", None) or "").strip().splitlines()
        rule = FunctionRule(
            name=name,
            function=function,
            direction=direction,
            needs=columns,
            description=doc[0] if doc else "",
        )
        registry.register(name, rule, replace=replace)
        return rule

    return wrap


def load_entry_points(*, replace: bool = False) -> tuple[str, ...]:
    """Register the rules installed packages publish under ``creatorkit.rules``.

    Nothing is imported unless this is called.

    Returns:
        The names registered.

    Example:
        >>> isinstance(load_entry_points(), tuple)
        True
    """
    return registry.load_entry_points(ENTRY_POINT_GROUP, replace=replace)


def evaluate(rule: Any, table: pd.DataFrame) -> np.ndarray:
    """Apply ``rule`` to a per-creator table, refusing a mutation or a wrong index.

    Returns:
        The values as floats (NaN where the rule has none), in ``table``'s row order.

    Raises:
        ValidationError: Missing needed columns, a mutated table, a result that is not
            one number per row on ``table``'s index, or infinite values.

    Example:
        >>> evaluate(FunctionRule(name="f", function=lambda t: t["a"] + 1.0, needs=("a",)),
        ...          pd.DataFrame({"a": [1.0, 2.0]})).tolist()
        [2.0, 3.0]
    """
    from creatorkit._validation import check_columns, check_frame

    if not isinstance(rule, Rule):
        rule_text = "must follow the Rule protocol (name, direction, needs, callable)"
        fail("rule", rule_text, ErrorCode.WRONG_TYPE, value=type(rule).__name__)
    check_frame("table", table, allow_empty=True)
    check_columns("tables", table, rule.needs)
    view = table[list(rule.needs)] if rule.needs else table
    before = view.copy(deep=True)
    out = rule(view)
    if not before.equals(view):
        fail("rule", f"{rule.name!r} modified its input table", ErrorCode.INCONSISTENT)
    if not isinstance(out, pd.Series) or not out.index.equals(table.index):
        rule_text = f"{rule.name!r} must return a Series on the table's index"
        fail("rule", rule_text, ErrorCode.INCONSISTENT, value=type(out).__name__)
    values = pd.to_numeric(out, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values).any():
        fail("rule", f"{rule.name!r} returned infinite values", ErrorCode.NOT_FINITE)
    return values
