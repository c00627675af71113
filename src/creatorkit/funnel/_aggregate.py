"""Stage *aggregate* of the event-funnel engine: attribution and per-group step counts."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import divide
from creatorkit._grouping import group
from creatorkit.funnel._engine import NONE, Levels
from creatorkit.metrics._intervals import wilson
from creatorkit.results import Note


def attribute(
    how: str,
    creators: np.ndarray,
    unit_codes: np.ndarray,
    ticks: np.ndarray,
    rank: np.ndarray,
    out: Levels,
    level: np.ndarray,
) -> np.ndarray:
    """Creator of each unit (``first_touch``, ``last_touch`` or ``step1``).

    ``first_touch`` takes the unit's first event, ``last_touch`` its last event up to the
    time it reached its level, ``step1`` the step-1 event of its best chain. Rows at one
    time are ordered by the tie rank ``rank`` (a permutation), never by row position.
    """
    n_units = len(level)
    row_of_rank = np.empty(len(rank), dtype=np.int64)
    row_of_rank[rank] = np.arange(len(rank))
    if how == "step1":
        chosen = np.full(n_units, -1, dtype=np.int64)
        idx = np.flatnonzero(level > 0)
        starts = out.start_row
        if starts is None:  # pragma: no cover - attribution always gives entries a rank
            raise AssertionError("step1 attribution needs the start rows of the chains")
        chosen[idx] = row_of_rank[starts[idx, level[idx] - 1]]
    else:
        order = np.lexsort((rank, ticks, unit_codes))
        u_sorted = unit_codes[order]
        if how == "first_touch":
            first_pos = np.searchsorted(u_sorted, np.arange(n_units), side="left")
            chosen = np.where(
                first_pos < len(order), order[np.minimum(first_pos, len(order) - 1)], -1
            )
        else:
            limit = np.full(n_units, np.iinfo(np.int64).max)
            idx = np.flatnonzero(level > 0)
            limit[idx] = out.reached[idx, level[idx] - 1]
            positions = np.flatnonzero(ticks[order] <= limit[u_sorted])
            chosen = np.full(n_units, -1, dtype=np.int64)
            chosen[u_sorted[positions]] = order[positions]  # the last position wins
    result = np.full(n_units, None, dtype=object)
    has = chosen >= 0
    result[has] = creators[chosen[has]]
    return result


@attrs.frozen(kw_only=True)
class Counting:
    """What the counts need besides the levels: step labels, keys, level, time and as_of."""

    names: list[str]
    group_keys: list[str]
    level: float
    tick_ns: int
    open_after: int | None


def _open(lv: np.ndarray, first: np.ndarray, s: int, c: Counting) -> np.ndarray:
    """Units stopped just before step ``s`` whose window is still open at ``as_of``."""
    if c.open_after is None or s == 1:
        return np.zeros(len(lv), dtype=bool)
    start = first[:, s - 2]
    mask: np.ndarray = (lv == s - 1) & (start != NONE) & (start > c.open_after)
    return mask


def _median_delay(
    out: Levels,
    idx: np.ndarray | slice,
    lv: np.ndarray,
    codes: np.ndarray,
    g: int,
    s: int,
    tick_ns: int,
) -> np.ndarray:
    """Median time (ns, float) from step 1 to step ``s`` per group, over units reaching it."""
    reached = lv >= s
    delay = (out.reached[idx, s - 1] - out.first[idx, s - 1])[reached].astype(float) * tick_ns
    if g == 1:
        return np.array([np.median(delay) if len(delay) else np.nan])
    series = pd.Series(delay).groupby(codes[reached]).median()
    return np.asarray(series.reindex(np.arange(g)).to_numpy(dtype=float))


def step_table(
    key_table: pd.DataFrame,
    names: Sequence[str],
    reach: np.ndarray,
    opened: np.ndarray,
    medians: np.ndarray,
    level: float,
) -> pd.DataFrame:
    """The funnel table: one row per group and step, from per-group counts (g × k arrays).

    ``reach[:, s - 1]`` is the number of units reaching step ``s``, ``opened`` the units
    still in their window before it, ``medians`` the median time to convert in ns (NaN when
    unknown). The pandas engine and the Dask merge both build their tables here.
    """
    g, k = reach.shape
    parts = []
    for s in range(1, k + 1):  # a loop over steps, never over groups or units
        users, start = reach[:, s - 1], reach[:, 0]
        parent = reach[:, s - 2] if s > 1 else users
        conversion = divide(users, parent)
        low, high = wilson(users, parent, level)
        part = key_table.copy()
        part["step"] = s
        part["name"] = names[s - 1]
        part["users"] = users.astype(np.int64)
        part["conversion"] = conversion
        part["conversion_low"] = low if s > 1 else np.nan
        part["conversion_high"] = high if s > 1 else np.nan
        part["conversion_from_start"] = divide(users, start)
        part["drop_off"] = (parent - users).astype(np.int64)
        part["drop_off_rate"] = 1.0 - conversion
        part["open"] = opened[:, s - 1].astype(np.int64)
        part["median_time_to_convert"] = pd.to_timedelta(medians[:, s - 1], unit="ns")
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    order = np.lexsort((table["step"].to_numpy(), np.tile(np.arange(g), k)))
    return table.iloc[order].reset_index(drop=True)


def aggregate(
    units: pd.DataFrame, out: Levels, level: np.ndarray, included: np.ndarray, c: Counting
) -> tuple[pd.DataFrame, tuple[Note, ...]]:
    """One row per group and step: users, conversion (Wilson at ``c.level``), drop-off, open."""
    k = len(c.names)
    idx: np.ndarray | slice = slice(None) if included.all() else np.flatnonzero(included)
    lv = level[idx]
    groups = group(units, c.group_keys)
    codes, key_table, g = groups.codes, groups.keys, groups.n
    per_level = np.bincount(codes * (k + 1) + lv, minlength=g * (k + 1)).reshape(g, k + 1)
    reach = np.cumsum(per_level[:, ::-1], axis=1)[:, ::-1][:, 1:].astype(float)  # level ≥ s
    first = out.first[idx]
    opened = np.column_stack(
        [np.bincount(codes, weights=_open(lv, first, s, c), minlength=g) for s in range(1, k + 1)]
    )
    medians = np.column_stack(
        [_median_delay(out, idx, lv, codes, g, s, c.tick_ns) for s in range(1, k + 1)]
    )
    table = step_table(key_table, c.names, reach, opened, medians, c.level)
    return table, groups.notes
