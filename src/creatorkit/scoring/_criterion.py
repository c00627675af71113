"""Criterion: one scored quantity (a catalog metric, a rule or a per-creator column)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from creatorkit._validation import check_choice, check_number, fail
from creatorkit.errors import ErrorCode

DIRECTIONS = ("higher", "lower")
MISSING = ("neutral", "penalize", "error")
LOW_DATA = ("none", "flag", "gate", "shrink")
NORMALIZERS = ("percentile", "minmax", "log", "max", "kpi")
"""Normalizers whose values lie in [0, 1], so the score lies in 0–100."""


def _levels(value: Any) -> tuple[tuple[str, ...], ...]:
    if value is None:
        return ((),)
    if isinstance(value, str) or not isinstance(value, Sequence):
        fail("peers", "must be a list of key lists, finest first", ErrorCode.WRONG_TYPE)
    levels = []
    for level in value:
        keys = (level,) if isinstance(level, str) else level
        if not isinstance(keys, Sequence) or not all(isinstance(k, str) for k in keys):
            fail("peers", "each level must be a list of column names", ErrorCode.WRONG_TYPE)
        levels.append(tuple(keys))
    if not levels or levels[-1] != ():
        levels.append(())  # the declared last resort: every creator
    return tuple(levels)


def _where(value: Any) -> Mapping[str, tuple[Any, ...]] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        fail("where", "must map column names to a value or a list", ErrorCode.WRONG_TYPE)
    out = {}
    for key, allowed in value.items():
        items = tuple(allowed) if isinstance(allowed, list | tuple) else (allowed,)
        if not all(isinstance(v, str | int | float | bool) for v in items):
            fail("where", f"{key!r} must be values or a list of values", ErrorCode.WRONG_TYPE)
        out[key] = items
    return out


@attrs.frozen(kw_only=True)
class Criterion:
    """One criterion of a scorecard.

    Attributes:
        name: What is scored: a catalog metric (computed per creator from its table through
            the summaries layer, or read from a per-creator column of that name with its
            ``_n``/``_trials``/``_low``/``_high`` companions), a registered rule, or a
            per-creator column.
        weight: Non-negative; a scorecard normalizes weights to sum to 1 (with a note).
        direction: ``"higher"`` or ``"lower"`` is better; ``None``: the metric's or rule's.
        normalizer: ``percentile`` (default), ``minmax``, ``log``, ``max`` or ``kpi``.
        options: Options of the normalizer (``target``, ``cap`` for ``kpi``).
        peers: Peer-group key lists from finest to coarsest, e.g.
            ``[["tier", "category", "market"], ["tier", "category"], ["tier"]]``; all
            creators are always the last level. ``None``: all creators.
        min_group: Smallest peer group used before falling back to the next level.
        missing: ``neutral`` (the peer group's mean normalized value), ``penalize`` (0) or
            ``error``.
        low_data: ``none``, ``flag``, ``gate`` (exclude) or ``shrink`` (toward the peer
            group, and flagged) below ``min_n`` posts.
        min_n: Posts (rows) below which a creator has low data for this criterion.
        where: Row filter before computing a metric, e.g. ``{"content_type": "video"}``.
        window: Window ending at ``as_of`` (``"30D"``) for a computed metric.
        label: Column suffix (``contribution_<label>``); defaults to ``name``.

    Example:
        >>> Criterion(name="gpm", weight=0.4, peers=[["category"]]).peers
        (('category',), ())
    """

    name: str
    weight: float = attrs.field(default=1.0)
    direction: str | None = None
    normalizer: str = "percentile"
    options: Mapping[str, Any] = attrs.field(factory=dict, converter=dict)
    peers: tuple[tuple[str, ...], ...] = attrs.field(default=None, converter=_levels)
    min_group: int = 5
    missing: str = "neutral"
    low_data: str = "none"
    min_n: int = 3
    where: Mapping[str, tuple[Any, ...]] | None = attrs.field(default=None, converter=_where)
    window: str | None = None
    label: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            fail("name", "must be a metric, rule or column name", ErrorCode.WRONG_TYPE)
        check_number("weight", self.weight, low=0)
        if self.direction is not None:
            check_choice("direction", self.direction, DIRECTIONS)
        check_choice("normalizer", self.normalizer, NORMALIZERS)
        check_choice("missing", self.missing, MISSING)
        check_choice("low_data", self.low_data, LOW_DATA)
        check_number("min_group", self.min_group, low=1, integer=True)
        check_number("min_n", self.min_n, low=0, integer=True)
        if self.window is not None and not isinstance(self.window, str):
            fail("window", "must be a duration like '30D'", ErrorCode.WRONG_TYPE)
        if not isinstance(self.label, str) or (self.label and not self.label.isidentifier()):
            fail("label", "must be a snake_case name", ErrorCode.INVALID_VALUE, value=self.label)

    @property
    def key(self) -> str:
        """The column suffix of this criterion in results: ``label``, else ``name``.

        Example:
            >>> Criterion(name="gpm").key, Criterion(name="gpm", window="30D", label="gpm_30d").key
            ('gpm', 'gpm_30d')
        """
        return self.label or self.name

    def to_dict(self) -> dict[str, Any]:
        """The criterion as spec data (every field, JSON-ready).

        Example:
            >>> Criterion(name="cvr").to_dict()["normalizer"]
            'percentile'
        """
        return {
            "name": self.name,
            "weight": float(self.weight),
            "direction": self.direction,
            "normalizer": self.normalizer,
            "options": dict(self.options),
            "peers": [list(level) for level in self.peers],
            "min_group": int(self.min_group),
            "missing": self.missing,
            "low_data": self.low_data,
            "min_n": int(self.min_n),
            "where": None if self.where is None else {k: list(v) for k, v in self.where.items()},
            "window": self.window,
            "label": self.label,
        }
