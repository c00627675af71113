"""Funnel definitions (``Stage``, ``Funnel``, the content-commerce preset) and ``FunnelResult``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._validation import Problems, did_you_mean, fail
from creatorkit.errors import ErrorCode
from creatorkit.funnel._reference import OPTIONS, REENTRY_RULE
from creatorkit.results import Copied, Result


@attrs.frozen(kw_only=True)
class Stage:
    """One stage of a funnel.

    Attributes:
        name: Stage name shown in results.
        column: Count column for :func:`~creatorkit.funnel.from_counts` (defaults to ``name``).
        event: Event name for :func:`~creatorkit.funnel.from_events` (defaults to ``name``).
        nested: Whether the stage is a subset of the previous nested stage. A side branch
            (``nested=False``, e.g. interest = likes and follows) is measured against the
            previous nested stage but is not a parent of the next one, and is not a step of
            event funnels.

    Example:
        >>> Stage(name="click", column="clicks").column
        'clicks'
    """

    name: str
    column: str | None = None
    event: str | None = None
    nested: bool = True

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            fail("name", "a stage needs a non-empty name", ErrorCode.INVALID_VALUE, value=self.name)
        if self.column is None:
            object.__setattr__(self, "column", self.name)
        if self.event is None:
            object.__setattr__(self, "event", self.name)


def _stages(value: Sequence[Stage | str]) -> tuple[Stage, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        fail(
            "stages",
            "must be a list of stage names or Stage objects (a string is one name, not a list)",
            ErrorCode.WRONG_TYPE,
            value=value,
        )
    out = tuple(v if isinstance(v, Stage) else Stage(name=str(v)) for v in value)
    if not out:
        fail("stages", "a funnel needs at least one stage", ErrorCode.EMPTY)
    if not out[0].nested:
        fail(
            "stages",
            "the first stage must be nested (it is the funnel's entry)",
            ErrorCode.INVALID_VALUE,
        )
    return out


def parse_mode(mode: str | Iterable[str]) -> tuple[str, ...]:
    """Options from ``"ordered"`` (none), one option name, or several."""
    if mode is None or not isinstance(mode, str | list | tuple):
        fail("mode", "must be 'ordered' or option names", ErrorCode.WRONG_TYPE, value=mode)
    names = [mode] if isinstance(mode, str) else list(mode)
    if not all(isinstance(n, str) for n in names):
        fail("mode", "option names must be text", ErrorCode.WRONG_TYPE, value=names)
    problems = Problems("mode")
    for name in names:
        if name != "ordered" and name not in OPTIONS:
            hint = did_you_mean(str(name), [*OPTIONS, "ordered"])
            rule = f"must be 'ordered' or options among {list(OPTIONS)}.{hint}"
            problems.add(str(name), rule, ErrorCode.UNKNOWN_NAME)
    problems.raise_if_any()
    chosen = tuple(sorted({n for n in names if n != "ordered"}))
    if "allow_reentry" in chosen and "strict_order" not in chosen:
        fail("mode", REENTRY_RULE, ErrorCode.INCONSISTENT, value=list(chosen))
    return chosen


def _mode(value: Any) -> tuple[str, ...]:
    return () if isinstance(value, tuple) and not value else parse_mode(value)


@attrs.frozen(kw_only=True)
class Funnel:
    """An ordered list of stages.

    Example:
        >>> f = Funnel.content_commerce()
        >>> [s.name for s in f.stages]
        ['exposure', 'interest', 'click', 'add_to_cart', 'purchase', 'repurchase']
        >>> f.events
        ('view', 'click', 'add_to_cart', 'purchase', 'purchase')
    """

    stages: tuple[Stage, ...] = attrs.field(converter=_stages)
    name: str = "funnel"
    mode: tuple[str, ...] = attrs.field(default=(), converter=_mode)

    @classmethod
    def content_commerce(cls) -> Funnel:
        """Exposure → (interest) → click → add to cart → purchase → repurchase.

        Counts use the columns ``views``, ``likes`` (interest, a side branch), ``clicks``,
        ``add_to_carts``, ``orders`` and ``repeat_orders``; events use ``view``, ``click``,
        ``add_to_cart``, ``purchase``, ``purchase`` with ``strict_once``, so a repurchase is a
        second, distinct purchase.

        Example:
            >>> f = Funnel.content_commerce()
            >>> f.name, f.mode, f.stages[1].nested
            ('content_commerce', ('strict_once',), False)
        """
        return cls(
            name="content_commerce",
            mode=("strict_once",),
            stages=(
                Stage(name="exposure", column="views", event="view"),
                Stage(name="interest", column="likes", event="like", nested=False),
                Stage(name="click", column="clicks", event="click"),
                Stage(name="add_to_cart", column="add_to_carts", event="add_to_cart"),
                Stage(name="purchase", column="orders", event="purchase"),
                Stage(name="repurchase", column="repeat_orders", event="purchase"),
            ),
        )

    @property
    def events(self) -> tuple[str, ...]:
        """Event names of the nested stages, in order (the steps of an event funnel).

        Example:
            >>> side = Stage(name="like", nested=False)
            >>> Funnel(stages=[Stage(name="view"), side, Stage(name="buy")]).events
            ('view', 'buy')
        """
        return tuple(str(s.event) for s in self.stages if s.nested)


def step_names(steps: Sequence[str] | Funnel) -> list[str]:
    """Step event names from a list of names or a :class:`Funnel`."""
    if isinstance(steps, Funnel):
        return list(steps.events)
    if isinstance(steps, str) or not isinstance(steps, Sequence):
        fail(
            "steps", "must be a list of event names or a Funnel", ErrorCode.WRONG_TYPE, value=steps
        )
    names = [s.event if isinstance(s, Stage) else s for s in steps]
    bad = [s for s in names if not isinstance(s, str) or not s]
    if bad:
        fail("steps", "step names must be non-empty strings", ErrorCode.WRONG_TYPE, value=bad)
    return [str(s) for s in names]


@attrs.frozen(kw_only=True, eq=False)
class FunnelResult(Result):
    """A funnel per group: one row per group and stage.

    Attributes:
        table: Group keys, ``step``, ``name``, then ``users`` (event funnels) or ``count``
            (count funnels), ``conversion`` (from the parent stage), its interval,
            ``conversion_from_start``, ``drop_off`` (a count) and ``drop_off_rate``; event
            funnels add ``open`` and ``median_time_to_convert``; count funnels add
            ``parent``, ``nested``, ``above_parent``, ``benchmark``, ``gmv_opportunity`` and
            ``bottleneck``.
        units: Event funnels: one row per unit (group keys, user, ``level``, ``excluded``).
        kind: ``events`` or ``counts``.
        by: The group key columns of ``table``.

    Example:
        >>> import pandas as pd
        >>> from creatorkit.funnel import from_events
        >>> log = pd.DataFrame({"user_id": ["u1", "u1", "u2"], "event": ["view", "buy", "view"],
        ...                     "timestamp": pd.to_datetime([0, 60, 0], unit="s", utc=True)})
        >>> res = from_events(log, ["view", "buy"], window="1h")
        >>> res.kind, res.table[["name", "users"]].to_dict("list")
        ('events', {'name': ['view', 'buy'], 'users': [2, 1]})
        >>> res.units["level"].tolist()
        [2, 1]
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    _units: pd.DataFrame | None = None
    units = Copied[pd.DataFrame | None]()
    kind: str = "events"
    by: tuple[str, ...] = ()

    def to_dict(self, *, units: bool = False) -> dict[str, Any]:
        """JSON-ready data; the per-unit table only when ``units=True``.

        An event funnel over a million users has a million unit rows, which a service
        rarely wants in its answer: they are left out by default (``units`` is ``None``
        and ``units_count`` says how many there are).

        Example:
            >>> from creatorkit.funnel import from_events
            >>> log = pd.DataFrame({"user_id": ["u1", "u1"], "event": ["A", "B"],
            ...                     "timestamp": pd.to_datetime([0, 5], unit="s", utc=True)})
            >>> res = from_events(log, ["A", "B"], window="1h")
            >>> res.to_dict()["units"], res.to_dict()["units_count"]
            (None, 1)
            >>> res.to_dict(units=True)["units"][0]["level"]
            2
        """
        if not isinstance(units, bool):
            fail("units", "must be True or False", ErrorCode.WRONG_TYPE, value=units)
        out = super().to_dict()
        stored = self._units
        out["units_count"] = None if stored is None else len(stored)
        if not units:
            out["units"] = None
        return out

    def explain(self) -> str:
        """One sentence on the biggest leak of each group.

        Example:
            >>> from creatorkit.funnel import from_counts
            >>> df = pd.DataFrame({"views": [10_000], "clicks": [300], "orders": [9]})
            >>> print(from_counts(df, ["views", "clicks", "orders"]).explain())
            biggest leak: views → clicks keeps 3.0% (9,700 lost)
        """
        table = self.table
        keys = list(self.by)
        lines = []
        groups = table.groupby(keys, sort=False, dropna=False) if keys else [((), table)]
        for key, rows in groups:
            steps = rows[rows["step"] > 1]
            if "nested" in steps:
                steps = steps[steps["nested"].astype(bool)]
            if steps.empty:
                continue
            if "gmv_opportunity" in steps and steps["gmv_opportunity"].notna().any():
                worst = steps.iloc[
                    int(np.nanargmax(steps["gmv_opportunity"].to_numpy(dtype=float)))
                ]
                extra = (
                    f"; at the benchmark {worst['benchmark']:.1%} it would add "
                    f"{worst['gmv_opportunity']:,.0f} GMV"
                )
            else:
                worst = steps.iloc[int(np.argmax(steps["drop_off"].to_numpy(dtype=float)))]
                extra = ""
            previous = (
                rows[rows["step"] == worst["parent_step"]]["name"].iloc[0]
                if "parent_step" in rows
                else rows[rows["step"] == worst["step"] - 1]["name"].iloc[0]
            )
            label = ", ".join(
                f"{k}={v}"
                for k, v in zip(keys, key if isinstance(key, tuple) else (key,), strict=False)
            )
            head = f"{label}: " if label else ""
            lines.append(
                f"{head}biggest leak: {previous} → {worst['name']} keeps {worst['conversion']:.1%} "
                f"({int(worst['drop_off']):,} lost){extra}"
            )
        return "\n".join(lines)


def stage_list(stages: Sequence[Stage | str] | Funnel) -> tuple[Stage, ...]:
    """Stages from a :class:`Funnel` or a list of stages or column names."""
    if isinstance(stages, Funnel):
        return stages.stages
    return _stages(stages)
