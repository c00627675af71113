"""Event funnels on Dask equal the pandas path (run in the Dask environment of the test command)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import creatorkit as ck

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

SCHEDULERS = ["sync", "threads"]
DASK_ONLY = ("shuffled_by_user", "median_unavailable_on_dask")
STEPS = ["view", "click", "cart", "buy"]


def _log(rows: int, users: int, seed: int, dupes: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    log = pd.DataFrame(
        {
            "user_id": pd.Series([f"u{i:04d}" for i in rng.integers(0, users, rows)]),
            "timestamp": pd.to_datetime(rng.integers(0, 40, rows) * 3_600, unit="s", utc=True),
            "event": rng.choice([*STEPS, "other"], rows, p=[0.35, 0.25, 0.15, 0.1, 0.15]),
            "campaign_id": rng.choice(["k1", "k2", None], rows),
            "creator_id": rng.choice(["c1", "c2", "c3"], rows),
            "event_id": [f"e{i}" for i in range(rows)],
        }
    )
    return pd.concat([log, log.iloc[: min(dupes, rows)]], ignore_index=True)  # re-sent rows


def _same(got: ck.funnel.FunnelResult, want: ck.funnel.FunnelResult) -> None:
    a = got.table.drop(columns="median_time_to_convert")
    b = want.table.drop(columns="median_time_to_convert")
    pd.testing.assert_frame_equal(a, b)  # counts and rates exactly
    assert got.table["median_time_to_convert"].isna().all()
    assert [n for n in got.warnings if n.code not in DASK_ONLY] == list(want.warnings)
    assert "median_unavailable_on_dask" in {n.code for n in got.warnings}
    assert got.method.spec_hash == want.method.spec_hash
    assert got.units is None
    assert got.by == want.by


OPTIONS = [
    {},
    {"by": "campaign_id"},
    {"mode": "strict_once", "attribution": "first_touch"},
    {"mode": ["strict_order", "strict_increase"], "attribution": "step1"},
    {"as_of": "1970-01-02T12:00:00+00:00", "exclude": "other", "attribution": "last_touch"},
]


@pytest.mark.parametrize("scheduler", SCHEDULERS)
@settings(deadline=None, max_examples=10, phases=[Phase.explicit, Phase.generate])
@given(
    rows=st.integers(0, 300),
    users=st.integers(1, 40),
    parts=st.integers(1, 5),
    seed=st.integers(0, 10_000),
    dupes=st.integers(0, 20),
    option=st.sampled_from(OPTIONS),
    window=st.sampled_from(["0s", "3h", "1D"]),
)
def test_funnel_on_dask_equals_pandas(scheduler, rows, users, parts, seed, dupes, option, window):
    frame = _log(rows, users, seed, dupes)
    ddf = dd.from_pandas(frame, npartitions=parts)
    local = ddf.compute()  # the partitions' dtypes (Arrow strings with pyarrow)
    with dask.config.set(scheduler=scheduler):
        got = ck.funnel.from_events(ddf, STEPS, window=window, **option)
    want = ck.funnel.from_events(local, STEPS, window=window, **option)
    _same(got, want)
    assert "shuffled_by_user" in {n.code for n in got.warnings}


def test_a_log_indexed_by_user_is_not_shuffled_and_a_funnel_preset_keeps_its_mode():
    frame = _log(2_000, 150, 1, dupes=30)
    ddf = dd.from_pandas(frame, npartitions=3).set_index("user_id")
    preset = ck.funnel.Funnel(
        stages=[ck.funnel.Stage(name=n.title(), event=n) for n in STEPS], mode="strict_once"
    )
    got = ck.funnel.from_events(ddf, preset, window="1D", by="campaign_id")
    want = ck.funnel.from_events(ddf.compute().reset_index(), preset, window="1D", by="campaign_id")
    _same(got, want)
    assert "shuffled_by_user" not in {n.code for n in got.warnings}
    assert got.table["name"].iloc[0] == "View"


def test_steps_that_never_occur_and_an_empty_log_give_the_pandas_notes():
    frame = _log(500, 30, 2)
    ddf = dd.from_pandas(frame, npartitions=4)
    steps = ["view", "clik", "buy"]
    _same(
        ck.funnel.from_events(ddf, steps, window="1D"),
        ck.funnel.from_events(frame, steps, window="1D"),
    )
    late = "1969-12-31T00:00:00+00:00"  # every event after as_of: an empty log
    got = ck.funnel.from_events(ddf, steps, window="1D", as_of=late)
    want = ck.funnel.from_events(frame, steps, window="1D", as_of=late)
    _same(got, want)
    assert [n.code for n in want.warnings] == ["after_as_of", "empty_log"]
    empty = dd.from_pandas(frame.iloc[:0], npartitions=1)
    res = ck.funnel.from_events(empty, steps, window="1D")
    assert res.table["users"].tolist() == [0, 0, 0]
    assert "empty_log" in {n.code for n in res.warnings}


def test_what_reaches_the_client_grows_with_groups_not_rows():
    from creatorkit.adapters.dask import reduce_partitions
    from creatorkit.funnel import _dask

    options = {
        "window": "1D", "by": "campaign_id", "user": "user_id", "time": "timestamp",
        "event": "event", "mode": "ordered", "as_of": None, "event_id": "event_id",
        "attribution": None, "creator": "creator_id", "exclude": None, "tiebreak": None,
        "level": 0.95, "workers": 1,
    }  # fmt: skip
    sizes = []
    for rows, users, parts in ((2_000, 200, 4), (200_000, 20_000, 16)):
        ddf = dd.from_pandas(_log(rows, users, 3), npartitions=parts).shuffle(on="user_id")
        whole = reduce_partitions(ddf, lambda p: _dask._part(p, STEPS, options), _dask._combine)
        assert len(whole.summary.table) == 3  # k1, k2 and the missing campaign
        sizes.append(len(pickle.dumps(whole)))
    assert sizes[1] < 1.5 * sizes[0]  # 100× the rows and users


def test_bad_input_on_dask_is_the_pandas_error_before_computing():
    frame = _log(100, 10, 4)
    ddf = dd.from_pandas(frame.drop(columns="event"), npartitions=2)
    with pytest.raises(ck.ValidationError, match="event") as err:
        ck.funnel.from_events(ddf, STEPS, window="1D")
    assert err.value.codes == ("missing_column",)
    naive = dd.from_pandas(frame.assign(timestamp=frame["timestamp"].dt.tz_localize(None)), 2)
    with pytest.raises(ck.ValidationError, match="timestamp"):
        ck.funnel.from_events(naive, STEPS, window="1D")
    with pytest.raises(ck.ValidationError, match="window"):
        ck.funnel.from_events(dd.from_pandas(frame, npartitions=2), STEPS, window=7)
    missing_user = frame.assign(user_id=frame["user_id"].where(frame.index != 5))
    with pytest.raises(ck.ValidationError, match="user_id"):
        ck.funnel.from_events(dd.from_pandas(missing_user, npartitions=2), STEPS, window="1D")


def _buckets(frame: pd.DataFrame, parts: int) -> list[pd.DataFrame]:
    """The log split into ``parts`` pieces by a hash of the user (as hash-partitioned files)."""
    bucket = pd.util.hash_pandas_object(frame["user_id"], index=False).to_numpy() % parts
    return [frame[bucket == b] for b in range(parts)]


@pytest.mark.parametrize("scheduler", SCHEDULERS)
@settings(deadline=None, max_examples=10, phases=[Phase.explicit, Phase.generate])
@given(
    rows=st.integers(0, 300),
    users=st.integers(1, 40),
    parts=st.integers(1, 5),
    seed=st.integers(0, 10_000),
    dupes=st.integers(0, 20),
    option=st.sampled_from(OPTIONS),
    window=st.sampled_from(["0s", "3h", "1D"]),
)
def test_a_log_declared_partitioned_by_user_runs_without_a_shuffle_and_equals_pandas(
    scheduler, rows, users, parts, seed, dupes, option, window
):
    frame = _log(rows, users, seed, dupes)
    pieces = _buckets(frame, parts)
    ddf = dd.from_map(lambda b: pieces[b], range(parts), meta=frame.iloc[:0])
    local = ddf.compute()  # the partitions' dtypes (Arrow strings with pyarrow)
    with dask.config.set(scheduler=scheduler):
        got = ck.funnel.from_events(ddf, STEPS, window=window, partitioned_by_user=True, **option)
    want = ck.funnel.from_events(local, STEPS, window=window, **option)
    _same(got, want)
    assert "shuffled_by_user" not in {n.code for n in got.warnings}
    assert got.method.runtime["partitioned_by_user"] == "verified"
    assert got.method.runtime["partitions"] == parts


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_a_user_split_across_partitions_is_shuffled_and_still_exact(scheduler):
    frame = _log(600, 20, 7).sort_values("timestamp", kind="stable", ignore_index=True)
    ddf = dd.from_pandas(frame, npartitions=4, sort=False)
    spans = ddf.map_partitions(lambda p: pd.Series(p["user_id"].unique())).compute()
    assert spans.duplicated().any()  # some user's events sit in two partitions or more
    with dask.config.set(scheduler=scheduler):
        got = ck.funnel.from_events(ddf, STEPS, window="1D", by="campaign_id")
    local = ddf.compute()
    _same(got, ck.funnel.from_events(local, STEPS, window="1D", by="campaign_id"))
    assert got.warnings[0].code == "shuffled_by_user"
    assert got.method.runtime["partitioned_by_user"] == "shuffled"


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_a_log_declared_partitioned_but_sharing_users_raises_naming_them(scheduler):
    frame = _log(400, 50, 8)
    pieces = _buckets(frame, 3)
    # one event of a user of bucket 0 copied into bucket 2: that user spans two partitions
    stray = pieces[0].iloc[:1]
    pieces[2] = pd.concat([pieces[2], stray], ignore_index=True)
    ddf = dd.from_map(lambda b: pieces[b], range(3), meta=frame.iloc[:0])
    with (
        dask.config.set(scheduler=scheduler),
        pytest.raises(ck.ValidationError, match="partitioned_by_user") as err,
    ):
        ck.funnel.from_events(ddf, STEPS, window="1D", partitioned_by_user=True)
    uid = stray["user_id"].iloc[0]
    assert f"{uid!r} in partitions [0, 2]" in str(err.value)
    assert "user_id" in str(err.value)
    assert err.value.codes == ("duplicate_key",)
    # undeclared, the same log is shuffled and exact
    got = ck.funnel.from_events(ddf, STEPS, window="1D")
    _same(got, ck.funnel.from_events(ddf.compute(), STEPS, window="1D"))


def test_an_indexed_log_is_verified_and_a_bad_flag_is_refused():
    frame = _log(800, 60, 9)
    ddf = dd.from_pandas(frame, npartitions=3).set_index("user_id")
    got = ck.funnel.from_events(ddf, STEPS, window="1D", partitioned_by_user=True)
    _same(got, ck.funnel.from_events(ddf.compute().reset_index(), STEPS, window="1D"))
    assert got.method.runtime["partitioned_by_user"] == "verified"
    with pytest.raises(ck.ValidationError, match="partitioned_by_user"):
        ck.funnel.from_events(ddf, STEPS, window="1D", partitioned_by_user="yes")
    # on pandas the flag changes nothing
    plain = ck.funnel.from_events(frame, STEPS, window="1D", partitioned_by_user=True)
    pd.testing.assert_frame_equal(
        plain.table, ck.funnel.from_events(frame, STEPS, window="1D").table
    )


def test_the_shuffle_carries_only_the_columns_the_funnel_reads():
    from creatorkit.funnel import _dask

    columns = ["user_id", "timestamp", "event", "campaign_id", "creator_id", "event_id", "x"]
    base = {
        "user": "user_id", "time": "timestamp", "event": "event", "event_id": "event_id",
        "by": None, "tiebreak": None, "attribution": None, "creator": "creator_id",
    }  # fmt: skip
    assert _dask._needed(columns, base) == ["user_id", "timestamp", "event", "event_id"]
    more = {**base, "by": "campaign_id", "attribution": "first_touch", "tiebreak": ["x"]}
    assert _dask._needed(columns, more) == columns
    assert _dask._needed(columns, {**base, "event_id": None}) == columns[:3]
