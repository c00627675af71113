"""``risk.violation_points``: points, strikes and suspensions per creator, with the timeline."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._grouping import group
from creatorkit._time import aware_column, require_as_of
from creatorkit._validation import (
    Problems,
    check_columns,
    check_frame,
    check_keys,
    check_numeric,
    did_you_mean,
    fail,
)
from creatorkit.errors import ErrorCode
from creatorkit.models.enums import Severity, ViolationStatus
from creatorkit.results import Copied, MethodCard, Note, Result
from creatorkit.risk._policy import DEFAULT_POLICY, Checked, check_policy

_REQUIRED = ["creator_id", "occurred_at", "severity", "points", "status"]


@attrs.frozen(kw_only=True, eq=False)
class ViolationPoints(Result):
    """Result of ``risk.violation_points``.

    Attributes:
        creators: One row per creator at ``as_of``: live points and strikes, the penalty
            reached, suspension, when points next clear.
        timeline: One row per violation in time order: counted or why not, the live points
            and strikes after it, the penalty then, the suspension it started.

    Example:
        >>> v = pd.DataFrame({"violation_id": ["v1", "v2"], "creator_id": "c1",
        ...     "occurred_at": pd.to_datetime(["2026-01-01", "2026-02-01"], utc=True),
        ...     "severity": ["low", "high"], "points": [2, 4], "status": "active"})
        >>> res = violation_points(v, as_of="2026-04-20T00:00:00+00:00")
        >>> res.timeline["live_points"].tolist()
        [2.0, 6.0]
        >>> row = res.creators.iloc[0]
        >>> print(row["points"], row["clears_at"])
        4.0 2026-05-02 00:00:00+00:00
    """

    _frame_field = "creators"
    _creators: pd.DataFrame
    creators = Copied[pd.DataFrame]()
    _timeline: pd.DataFrame
    timeline = Copied[pd.DataFrame]()


def _labels(problems: Problems, frame: pd.DataFrame, column: str, allowed: list[str]) -> None:
    values = frame[column].astype("string")
    bad = (~values.isin(allowed) | values.isna()).to_numpy(dtype=bool)
    if bad.any():
        first = str(values[bad].iloc[0])
        rule = f"must be one of {allowed}.{did_you_mean(first, allowed)}"
        problems.add_mask(column, bad, frame.index, values, rule, ErrorCode.UNKNOWN_NAME)


def read_violations(violations: Any) -> tuple[pd.DataFrame, np.ndarray]:
    """Checked violations with ``_t`` (UTC ns) and points; and their times."""
    frame = check_frame("violations", violations, allow_empty=True)
    check_columns("violations", frame, _REQUIRED)
    check_keys("violations", frame, ["creator_id"])
    problems = Problems("violations")
    missing = frame["creator_id"].isna().to_numpy(dtype=bool)
    problems.add_mask(
        "creator_id",
        missing,
        frame.index,
        frame["creator_id"],
        "must not be missing",
        ErrorCode.MISSING_VALUE,
    )
    points = check_numeric(problems, "points", frame["points"], low=0, integer=True)
    _labels(problems, frame, "severity", [s.value for s in Severity])
    _labels(problems, frame, "status", [s.value for s in ViolationStatus])
    when = aware_column(frame, "occurred_at", "violations") if len(frame) else None
    if when is not None:
        problems.add_mask(
            "occurred_at",
            when.isna().to_numpy(dtype=bool),
            frame.index,
            when,
            "must not be missing",
            ErrorCode.MISSING_VALUE,
        )
    problems.raise_if_any()
    times = (
        np.zeros(0, np.int64)
        if when is None
        else when.dt.tz_convert("UTC").dt.as_unit("ns").astype("int64").to_numpy()
    )
    return frame.assign(_points=points), times


def _window_sums(code: np.ndarray, t: np.ndarray, weight: np.ndarray, pol: Checked) -> np.ndarray:
    """Live sum of ``weight`` after each row (rows sorted by creator, time, id).

    ``expiry``: rows of the creator in (t − period, t]; ``periodic``: rows of the creator
    in the same cycle, up to this one.
    """
    total = np.concatenate([[0.0], np.cumsum(weight)])
    n = len(t)
    if pol.clearing == "periodic":
        cycle = _cycle(t, pol)
        change = np.ones(n, dtype=bool)
        change[1:] = (code[1:] != code[:-1]) | (cycle[1:] != cycle[:-1])
        start = np.maximum.accumulate(np.where(change, np.arange(n), 0))
    else:
        uniques = np.unique(t)
        rank = np.searchsorted(uniques, t)
        low = np.searchsorted(uniques, t - pol.period.value, side="right")
        size = len(uniques) + 1
        key = code.astype(np.int64) * size + rank
        start = np.searchsorted(key, code.astype(np.int64) * size + low, side="left")
    return np.asarray(total[np.arange(1, n + 1)] - total[start])


def _cycle(t: np.ndarray, pol: Checked) -> np.ndarray:
    assert pol.anchor is not None
    anchor = pol.anchor.tz_convert("UTC").as_unit("ns").value
    return np.asarray(np.floor_divide(t - anchor, pol.period.value))


def _clears(t: np.ndarray, pol: Checked) -> np.ndarray:
    """When the points of a violation at ``t`` lapse."""
    if pol.clearing == "periodic":
        assert pol.anchor is not None
        anchor = pol.anchor.tz_convert("UTC").as_unit("ns").value
        return np.asarray(anchor + (_cycle(t, pol) + 1) * pol.period.value)
    return np.asarray(t + pol.period.value)


def _stamps(values: np.ndarray, keep: np.ndarray) -> pd.Series:
    stamps = pd.Series(pd.to_datetime(np.where(keep, values, 0), unit="ns", utc=True))
    return stamps.where(keep)


def _penalty(points: np.ndarray, pol: Checked) -> np.ndarray:
    names = np.array(["", *pol.penalties], dtype=object)
    return names[np.searchsorted(np.asarray(pol.points, float), points, side="right")]


def _timeline(frame: pd.DataFrame, t: np.ndarray, as_of: pd.Timestamp, pol: Checked):  # type: ignore[no-untyped-def]
    """Sorted violations with their live points, strikes, penalty and suspension."""
    creators = group(frame, ["creator_id"])
    ids = group(frame, ["violation_id"]).codes if "violation_id" in frame.columns else None
    order = np.lexsort((np.arange(len(t)) if ids is None else ids, t, creators.codes))
    rows = frame.iloc[order]
    t, code = t[order], creators.codes[order]
    status = rows["status"].astype("string").to_numpy(dtype=object)
    reason = np.select(
        [
            t > as_of.value,
            status == "overturned",
            (status == "appealed") & (not pol.count_appealed),
        ],
        ["after_as_of", "overturned", "appealed_not_counted"],
        "",
    )
    counted = reason == ""
    points = np.where(counted, rows["_points"].to_numpy(dtype=float), 0.0)
    strike = counted & rows["severity"].astype("string").isin(pol.strike_severities).to_numpy(bool)
    live = _window_sums(code, t, points, pol)
    strikes = _window_sums(code, t, strike.astype(float), pol)
    suspends = strike & (strikes >= pol.strikes)
    clears = _clears(t, pol)
    table = pd.DataFrame({"creator_id": rows["creator_id"].to_numpy()})
    if ids is not None:
        table["violation_id"] = rows["violation_id"].to_numpy()
    table["occurred_at"] = _stamps(t, np.ones(len(t), bool))
    table["severity"] = rows["severity"].astype("string").to_numpy()
    table["status"] = status
    table["points"] = rows["_points"].to_numpy(dtype=float).astype(np.int64)
    table["counted"] = counted
    table["excluded"] = reason
    table["live_points"] = np.where(counted, live, np.nan)
    table["live_strikes"] = np.where(counted, strikes, np.nan)
    table["penalty"] = np.where(counted, _penalty(live, pol), "")
    table["clears_at"] = _stamps(clears, counted)
    table["suspended_until"] = _stamps(t + pol.suspension.value, suspends)
    return table, creators, code, t, counted, points, strike, suspends, clears


def violation_points(
    violations: pd.DataFrame, *, as_of: Any, policy: Any = DEFAULT_POLICY
) -> ViolationPoints:
    """Violation points, strikes and suspensions per creator as of a date.

    Points of counted violations (not ``overturned``; ``appealed`` ones until decided
    unless ``policy.count_appealed`` is False; none after ``as_of``) accumulate and clear
    per ``policy.clearing``: ``expiry`` — each point lapses ``period`` after its violation;
    ``periodic`` — all points clear at the end of each cycle of ``period`` from
    ``anchor``. Strikes (violations of ``strike_severities``) clear the same way; a strike
    that brings the live strikes to ``strikes`` or more starts a suspension of
    ``suspension``. The penalty is that of the highest threshold the live points reach.
    Simultaneous violations are ordered by ``violation_id``.

    Args:
        violations: Violations (``creator_id``, ``occurred_at``, ``severity``, ``points``,
            ``status``; ``violation_id`` when present).
        as_of: Timezone-aware cut-off (required; never the clock).
        policy: :class:`PointsPolicy` (or a mapping of its fields).

    Returns:
        :class:`ViolationPoints` (``creators`` at ``as_of`` and the ``timeline``).

    Raises:
        ValidationError: Missing columns, dates or ids; unknown severities or statuses; an
            ``as_of`` before every violation; a malformed policy.

    Example:
        >>> import pandas as pd
        >>> from creatorkit.risk import PointsPolicy
        >>> v = pd.DataFrame({"violation_id": ["v1", "v2", "v3"], "creator_id": "c1",
        ...     "occurred_at": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-04-15"],
        ...                                   utc=True),
        ...     "severity": ["low", "high", "low"], "points": [2, 4, 2],
        ...     "status": ["active", "active", "appealed"]})
        >>> res = violation_points(v, as_of="2026-04-20T00:00:00+00:00",
        ...                        policy=PointsPolicy(thresholds=((6, "warning"),)))
        >>> res.timeline[["violation_id", "live_points", "penalty"]]
          violation_id  live_points  penalty
        0           v1          2.0
        1           v2          6.0  warning
        2           v3          6.0  warning
        >>> res.creators[["creator_id", "points", "penalty"]]
          creator_id  points  penalty
        0         c1     6.0  warning
    """
    pol = check_policy(policy)
    stamp = require_as_of(as_of)
    frame, t = read_violations(violations)
    if len(t) and stamp.value < int(t.min()):
        fail("as_of", "is before every violation", ErrorCode.OUT_OF_RANGE, value=str(stamp))
    table, creators, code, t, counted, points, strike, suspends, clears = _timeline(
        frame, t, stamp, pol
    )
    alive = counted & (clears > stamp.value)
    result = creators.keys.reset_index(drop=True).copy()
    now = np.bincount(code, np.where(alive, points, 0.0), creators.n)
    result["points"] = now
    result["strikes"] = np.bincount(code, (alive & strike).astype(float), creators.n)
    result["penalty"] = _penalty(now, pol)
    ends = np.where(suspends, t + pol.suspension.value, -1)
    latest = _extreme(np.maximum, code, np.where(ends > stamp.value, ends, -1), creators.n, -1)
    first_clear = _extreme(np.minimum, code, np.where(alive, clears, _NEVER), creators.n, _NEVER)
    result["suspended"] = latest > 0
    result["suspended_until"] = _stamps(latest, latest > 0)
    result["clears_at"] = _stamps(first_clear, now > 0)
    result["counted"] = np.bincount(code, counted.astype(float), creators.n).astype(np.int64)
    result["excluded"] = np.bincount(code, (~counted).astype(float), creators.n).astype(np.int64)
    return ViolationPoints(
        creators=result, timeline=table, method=_card(stamp, pol), warnings=_notes(table)
    )


_NEVER = np.iinfo(np.int64).max


def _extreme(
    ufunc: np.ufunc, code: np.ndarray, values: np.ndarray, k: int, start: int
) -> np.ndarray:
    """Per-creator maximum or minimum of int64 ``values`` (``start`` where a creator has none)."""
    out = np.full(k, start, dtype=np.int64)
    ufunc.at(out, code, values.astype(np.int64))
    return out


def _notes(table: pd.DataFrame) -> tuple[Note, ...]:
    excluded = table["excluded"].to_numpy()
    return tuple(
        Note.counted(
            f"violations_{name}",
            "{count} violations not counted: {subject}",
            count=int((excluded == name).sum()),
            subject=name,
        )
        for name in ("after_as_of", "overturned", "appealed_not_counted")
        if bool((excluded == name).any())
    )


def _card(stamp: pd.Timestamp, pol: Checked) -> MethodCard:
    return MethodCard.create(
        "risk.violation_points",
        as_of=stamp,
        clearing=pol.clearing,
        period=str(pol.period),
        anchor=pol.anchor,
        thresholds=list(zip(pol.points, pol.penalties, strict=True)),
        strike_severities=list(pol.strike_severities),
        strikes=pol.strikes,
        suspension=str(pol.suspension),
        count_appealed=pol.count_appealed,
    )
