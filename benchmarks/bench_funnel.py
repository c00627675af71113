"""funnel.from_events on 10M events, 5 steps, 7-day window vs chdb and DuckDB (ASOF chain).

Shapes of the same log as users have it (sorted by user and time or in random row order;
text user ids in pandas' default string dtype — Arrow-backed when pyarrow is installed —
or in Python storage, and integer ids); creatorkit runs with ``workers=2`` (the machine's
two cores; chdb uses them too). The peers read the same pandas frame (the user, timestamp
and event columns as they are; the SQL converts the time), so their reading time counts
like ours. Each line's note gives chdb's time on a frame prepared for it beforehand
(integer seconds, object ids; the preparation not timed), the most favourable reading.
Counts must be identical to chdb's ``windowFunnel`` and DuckDB's ASOF chain.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

import creatorkit as ck
from _harness import Line

STEPS = ["view", "click", "add_to_cart", "purchase", "purchase"]
WINDOW = 7 * 86_400


_TS = "epoch(timestamp)::BIGINT"  # DuckDB: seconds of the timestamp column as it is


def _duckdb_counts(frame: pd.DataFrame) -> np.ndarray:
    import duckdb

    joins = []
    for i, step in enumerate(STEPS[1:], start=2):
        joins.append(
            f"s{i} AS (SELECT s{i - 1}.*, e.ts AS t{i} FROM s{i - 1} ASOF LEFT JOIN "
            f"(SELECT user_id, {_TS} AS ts FROM events WHERE event = '{step}') e "
            f"ON s{i - 1}.user_id = e.user_id AND e.ts >= s{i - 1}.t{i - 1})"
        )
    level = " + ".join(
        f"(t{i} IS NOT NULL AND t{i} <= t1 + {WINDOW})::INT" for i in range(2, len(STEPS) + 1)
    )
    sql = (
        f"WITH s1 AS (SELECT user_id, {_TS} AS t1 FROM events "
        f"WHERE event = '{STEPS[0]}'), "
        + ", ".join(joins)
        + f", lv AS (SELECT user_id, max(1 + {level}) AS level "
        + f"FROM s{len(STEPS)} GROUP BY user_id) "
        + "SELECT "
        + ", ".join(f"count_if(level >= {s})" for s in range(1, len(STEPS) + 1))
        + " FROM lv"
    )
    with duckdb.connect() as con:
        con.register("events", frame)
        return np.array(con.execute(sql).fetchall()[0], dtype=np.int64)


def _chdb_counts(frame: pd.DataFrame) -> np.ndarray:
    import chdb

    ts = "toUInt32(ts)" if "ts" in frame else "toDateTime(timestamp)"  # prepared or as it is
    conds = ", ".join(f"event = '{s}'" for s in STEPS)
    sums = ", ".join(f"countIf(level >= {s})" for s in range(1, len(STEPS) + 1))
    sql = (
        f"SELECT {sums} FROM (SELECT user_id, "
        f"windowFunnel({WINDOW})({ts}, {conds}) AS level "
        f"FROM Python(frame) GROUP BY user_id)"
    )
    result = chdb.query(sql, "DataFrame")
    return result.to_numpy().ravel().astype(np.int64)


def _prepared(events: pd.DataFrame, user: pd.Series) -> pd.DataFrame:
    """The most favourable frame for chdb: integer seconds and object ids (not timed)."""
    return pd.DataFrame(
        {
            "user_id": user.to_numpy(),
            "ts": (events["timestamp"] - pd.Timestamp(0, tz="UTC"))
            .dt.total_seconds()
            .astype(np.int64)
            .to_numpy(),
            "event": events["event"].astype(str).to_numpy(dtype=object),
        }
    )


def _paired(
    ours: Callable[[], object], peer: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Median times of two functions run alternately (load on a shared machine hits both)."""
    ours(), peer()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((ours, times[0]), (peer, times[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def _shapes(events: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The log as users have it: sorted or in random row order, string or integer user ids."""
    numbers = events["user_id"].str.slice(1).astype(np.int64)
    order = np.random.default_rng(0).permutation(len(events))
    with_int = events.assign(user_id=numbers.to_numpy())
    python = events.assign(user_id=events["user_id"].astype("string[python]"))
    return {
        "sorted, string ids": events,
        "random order, string ids": events.iloc[order],
        "random order, string[python] ids": python.iloc[order],
        "sorted, integer ids": with_int,
        "random order, integer ids": with_int.iloc[order],
    }


def run(quick: bool) -> list[Line]:
    n_events = 1_000_000 if quick else 10_000_000
    repeat = 1 if quick else 5
    events = ck.datasets.synthetic(seed=0, n_creators=1_000, n_events=n_events).events
    events = events.drop_duplicates("event_id")  # peers have no dedup step; compare like for like
    users = events["user_id"].nunique()
    label = f"funnel.from_events {len(events) / 1e6:.0f}M events, {users / 1e6:.2f}M users"
    lines = []
    expected = None
    for shape, frame in _shapes(events).items():
        peer = frame[["user_id", "timestamp", "event"]]  # the same frame, columns as they are
        prepared = _prepared(frame, frame["user_id"].astype(str).astype(object))

        def ours(frame: pd.DataFrame = frame) -> np.ndarray:
            res = ck.funnel.from_events(frame, STEPS, window="7D", event_id=None, workers=2)
            return res.table["users"].to_numpy()

        got = ours()
        expected = got if expected is None else expected
        chd = _chdb_counts(peer)
        assert np.array_equal(got, chd), (got, chd)
        assert np.array_equal(got, expected), (got, expected)
        assert np.array_equal(_chdb_counts(prepared), chd)
        mine, t_chdb = _paired(ours, lambda peer=peer: _chdb_counts(peer), repeat)
        _, t_prep = _paired(ours, lambda p=prepared: _chdb_counts(p), max(repeat // 2, 1))
        target = "≤ 1.5× chdb windowFunnel" if shape.startswith("sorted") else "≤ 2× chdb"
        note = f"chdb on a prepared frame {t_prep:.2f} s ({mine / t_prep:.2f}×)"
        if not lines:
            note += f"; identical per-step counts {got.tolist()}"
        lines.append(Line(f"{label}, {shape} vs chdb", mine, t_chdb, target, note=note))
        if shape == "random order, string ids":
            duck = _duckdb_counts(peer)
            assert np.array_equal(got, duck), (got, duck)
            mine_d, t_duck = _paired(ours, lambda peer=peer: _duckdb_counts(peer), repeat)
            lines.append(Line(f"{label}, {shape} vs DuckDB", mine_d, t_duck, "≤ 0.5× DuckDB ASOF"))
    return lines
