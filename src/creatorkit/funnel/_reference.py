"""The executable specification of event-funnel levels for one unit (a user).

This scalar function states the semantics plainly; the vectorized engine
(``creatorkit.funnel._events``) must agree with it, and the tests check that on
generated logs. It follows ClickHouse ``windowFunnel``:

* every event row adds one *entry* per step it matches (a row can match several steps when
  step names repeat); with ``strict_order`` a row matching no step adds a non-step entry;
* entries are ordered by ``(timestamp, step, row)``, so events with the same timestamp are
  taken in step order and may chain, and a non-step event sorts before step events of the
  same timestamp;
* a step-1 entry starts a chain; a step-``j`` entry extends every chain that has reached
  step ``j − 1`` if its timestamp is within ``window`` of the chain's first entry
  (inclusive) — all chains are kept, so the latest qualifying step-1 event may restart a
  chain;
* ``strict_deduplication``: a step entry whose step some chain already reached ends the scan;
* ``strict_order``: once a chain has started, a non-step entry, or a step entry whose
  previous step no chain has reached, ends the scan;
* ``allow_reentry`` (only with ``strict_order``): a step entry whose previous step no chain
  has reached is skipped instead of ending the scan (a non-step entry still ends it);
* ``strict_increase``: each step needs a timestamp strictly greater than the chain's
  previous step (the correct reading, not ClickHouse's defect #52844, which compares with
  the most recently stored chain only);
* ``strict_once``: one event row fills at most one step of a chain.

The level is the largest step any chain reached when the scan ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

OPTIONS = (
    "strict_order",
    "strict_deduplication",
    "strict_increase",
    "strict_once",
    "allow_reentry",
)
"""Options that can be combined; none of them is ClickHouse's default mode (``ordered``)."""


CLICKHOUSE_VERSION = "26.9.2.1"
"""The ClickHouse version (bundled with chdb 4.4.0) whose ``windowFunnel`` was checked."""

REENTRY_RULE = "allow_reentry needs strict_order (as in ClickHouse)"


def _checked(times: Any, events: Any, steps: Any, window: Any, options: Any) -> tuple[Any, ...]:
    """The specification's inputs, checked: whole times, one name per time, known options."""
    from creatorkit._validation import check_array, check_number, fail
    from creatorkit.errors import ErrorCode

    def names(argument: str, value: Any) -> list[str]:
        if isinstance(value, str) or not isinstance(value, Sequence):
            fail(argument, "must be a list of names", ErrorCode.WRONG_TYPE, value=value)
        if not all(isinstance(v, str) for v in value):
            fail(argument, "must be names (text)", ErrorCode.WRONG_TYPE, value=list(value))
        return list(value)

    if isinstance(times, str) or not isinstance(times, Sequence):
        fail("times", "must be a list of whole timestamps", ErrorCode.WRONG_TYPE, value=times)
    stamps = check_array("times", list(times))
    if (stamps != stamps.round()).any():
        fail("times", "must be whole numbers", ErrorCode.NOT_INTEGER)
    listed = names("events", events)
    if len(listed) != len(stamps):
        fail("events", "must hold one name per timestamp", ErrorCode.INCONSISTENT)
    chain = names("steps", steps)
    if not chain:
        fail("steps", "must name at least one step", ErrorCode.EMPTY)
    span = check_number("window", window, low=0, integer=True)
    chosen = names("options", options)
    unknown = [o for o in chosen if o not in OPTIONS]
    if unknown:
        fail("options", f"must be among {list(OPTIONS)}", ErrorCode.UNKNOWN_NAME, value=unknown)
    if "allow_reentry" in chosen and "strict_order" not in chosen:
        fail("options", REENTRY_RULE, ErrorCode.INCONSISTENT, value=chosen)
    return [int(t) for t in stamps], listed, chain, int(span), chosen


def reference_level(
    times: Sequence[int],
    events: Sequence[str],
    steps: Sequence[str],
    window: int,
    options: Sequence[str] = (),
) -> int:
    """Funnel level of one unit's events (a readable, quadratic-time specification).

    Args:
        times: Event timestamps (integers, any unit), in the order the rows arrive.
        events: Event names, one per timestamp.
        steps: The funnel's step names, in order (names may repeat).
        window: Maximum time from a chain's first step to a later step (inclusive).
        options: Any of :data:`OPTIONS`.

    Returns:
        The largest step reached (0 when step 1 never happens).

    Example:
        >>> reference_level([0, 50, 100], ["A", "B", "C"], ["A", "B", "C"], 100)
        3
        >>> reference_level([0, 90, 101], ["A", "B", "C"], ["A", "B", "C"], 100)
        2
    """
    times, events, steps, window, options = _checked(times, events, steps, window, options)
    strict_order = "strict_order" in options
    dedup = "strict_deduplication" in options
    increase = "strict_increase" in options
    once = "strict_once" in options
    reentry = "allow_reentry" in options
    entries = []
    for row, (time, event) in enumerate(zip(times, events, strict=True)):
        matched = [j + 1 for j, step in enumerate(steps) if step == event]
        for j in matched:
            entries.append((time, j, row))
        if strict_order and not matched:
            entries.append((time, 0, row))
    entries.sort()
    k = len(steps)
    # chains[level] holds (first time, last time, rows used) of every chain reaching that level
    chains: list[list[tuple[int, int, frozenset[int]]]] = [[] for _ in range(k)]
    started = False
    for time, step, row in entries:
        if step == 0:
            if started:
                break
            continue
        level = step - 1
        if level == 0:
            chains[0].append((time, time, frozenset([row])))
            started = True
            continue
        if dedup and chains[level]:
            break
        if strict_order and started and not chains[level - 1]:
            if reentry:
                continue
            break
        for first, last, rows in list(chains[level - 1]):
            if time > first + window:
                continue
            if increase and not last < time:
                continue
            if once and row in rows:
                continue
            chains[level].append((first, time, rows | {row}))
        if chains[k - 1]:
            break
    return max((level + 1 for level in range(k) if chains[level]), default=0)
