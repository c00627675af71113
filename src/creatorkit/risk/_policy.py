"""The violation-points policy of DESIGN §2, every threshold a parameter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import pandas as pd

from creatorkit._time import parse_as_of, parse_window
from creatorkit._validation import Problems, check_choice, check_number, fail
from creatorkit.errors import ErrorCode
from creatorkit.models.enums import Severity

CLEARING = ("expiry", "periodic")
"""``expiry``: each point lapses ``period`` after its violation; ``periodic``: every point
is cleared at the end of each ``period``-long cycle counted from ``anchor``."""


@attrs.frozen(kw_only=True)
class PointsPolicy:
    """How violation points accumulate, clear and trigger penalties.

    The platform facts (DESIGN §2) are the defaults: points clear every 90 days and three
    strikes of extreme-to-critical violations close commerce privileges for 7 days. The
    point thresholds of penalties are the platform's to set: none are assumed.

    Attributes:
        clearing: ``"expiry"`` (per-point, rolling) or ``"periodic"`` (cycles from
            ``anchor``; strikes clear the same way).
        period: Clearing period (``"90D"``).
        anchor: Start of a cycle, required for ``periodic`` (timezone-aware).
        thresholds: ``(points, penalty)`` pairs; the penalty of the highest threshold
            reached applies.
        strike_severities: Severities that count as strikes.
        strikes: Strikes within the clearing rule that trigger a suspension.
        suspension: Length of a suspension (``"7D"``).
        count_appealed: Appealed (pending) violations count until decided.

    Example:
        >>> p = PointsPolicy(thresholds=((4, "warning"), (12, "restriction")))
        >>> p.clearing, p.period, p.strikes, p.suspension
        ('expiry', '90D', 3, '7D')
    """

    clearing: str = "expiry"
    period: Any = "90D"
    anchor: Any = None
    thresholds: tuple[tuple[float, str], ...] = ()
    strike_severities: tuple[str, ...] = ("extreme", "critical")
    strikes: int = 3
    suspension: Any = "7D"
    count_appealed: bool = True


@attrs.frozen(kw_only=True)
class Checked:
    """A policy with parsed values."""

    clearing: str
    period: pd.Timedelta
    anchor: pd.Timestamp | None
    points: tuple[float, ...]
    penalties: tuple[str, ...]
    strike_severities: tuple[str, ...]
    strikes: int
    suspension: pd.Timedelta
    count_appealed: bool


def _thresholds(value: Any) -> list[tuple[float, str]]:
    if isinstance(value, Mapping):
        value = list(value.items())
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
        fail("policy", "thresholds must be (points, penalty) pairs", ErrorCode.WRONG_TYPE)
    pairs = []
    for pair in value:
        if not isinstance(pair, list | tuple) or len(pair) != 2 or not isinstance(pair[1], str):
            fail("policy", "thresholds must be (points, penalty) pairs", ErrorCode.WRONG_TYPE)
        pairs.append((check_number("policy", pair[0], low=0, low_open=True), pair[1]))
    points = [p for p, _ in pairs]
    if len(set(points)) != len(points):
        fail("policy", "threshold points must be distinct", ErrorCode.DUPLICATE_NAME)
    return sorted(pairs)


def check_policy(policy: Any) -> Checked:
    """Validate a :class:`PointsPolicy` (or a mapping of its fields)."""
    if isinstance(policy, Mapping):
        try:
            policy = PointsPolicy(**policy)
        except TypeError:
            fail("policy", "has unknown fields", ErrorCode.UNKNOWN_NAME, value=sorted(policy))
    if not isinstance(policy, PointsPolicy):
        fail("policy", "must be a risk.PointsPolicy", ErrorCode.WRONG_TYPE, value=policy)
    clearing = check_choice("policy", policy.clearing, CLEARING)
    anchor = parse_as_of(policy.anchor, "policy")
    if clearing == "periodic" and anchor is None:
        fail("policy", "periodic clearing needs an anchor (a cycle start)", ErrorCode.MISSING_VALUE)
    severities: Any = policy.strike_severities
    if isinstance(severities, str) or not isinstance(severities, list | tuple):
        fail("policy", "strike_severities must be a list", ErrorCode.WRONG_TYPE)
    problems = Problems("policy")
    for name in severities:
        if name not in {s.value for s in Severity}:
            problems.add(
                "strike_severities", "unknown severity", ErrorCode.UNKNOWN_NAME, values=[name]
            )
    problems.raise_if_any()
    if not isinstance(policy.count_appealed, bool):
        fail("policy", "count_appealed must be True or False", ErrorCode.WRONG_TYPE)
    pairs = _thresholds(policy.thresholds)
    return Checked(
        clearing=clearing,
        period=parse_window(policy.period, "policy"),
        anchor=anchor,
        points=tuple(p for p, _ in pairs),
        penalties=tuple(n for _, n in pairs),
        strike_severities=tuple(severities),
        strikes=int(check_number("policy", policy.strikes, low=1, integer=True)),
        suspension=parse_window(policy.suspension, "policy"),
        count_appealed=policy.count_appealed,
    )


DEFAULT_POLICY = PointsPolicy()
"""Per-point expiry after 90 days, three strikes → 7 days, no penalty thresholds."""
