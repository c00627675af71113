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
* ``strict_increase``: each step needs a timestamp strictly greater than the chain's
  previous step (the correct reading, not ClickHouse's defect #52844, which compares with
  the most recently stored chain only);
* ``strict_once``: one event row fills at most one step of a chain.

The level is the largest step any chain reached when the scan ended.
"""

from __future__ import annotations

from collections.abc import Sequence

OPTIONS = ("strict_order", "strict_deduplication", "strict_increase", "strict_once")
"""Options that can be combined; none of them is ClickHouse's default mode (``ordered``)."""


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
    strict_order = "strict_order" in options
    dedup = "strict_deduplication" in options
    increase = "strict_increase" in options
    once = "strict_once" in options
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
