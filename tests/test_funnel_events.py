import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit.funnel import from_events, reference_level

MODES = [
    (),
    ("strict_order",),
    ("strict_deduplication",),
    ("strict_increase",),
    ("strict_once",),
    ("strict_order", "strict_once"),
    ("strict_deduplication", "strict_increase"),
    ("strict_order", "strict_increase"),
    ("strict_once", "strict_deduplication"),
    ("allow_reentry", "strict_order"),
    ("allow_reentry", "strict_order", "strict_once"),
    ("allow_reentry", "strict_increase", "strict_order"),
]


def _log(rows):
    users, times, events = zip(*rows, strict=True) if rows else ((), (), ())
    return pd.DataFrame(
        {
            "user_id": list(users),
            "timestamp": pd.to_datetime(list(times), unit="s", utc=True),
            "event": list(events),
        }
    )


def _levels(rows, steps, window, mode=()):
    res = from_events(
        _log(rows), steps, window=pd.Timedelta(seconds=window), mode=list(mode) or "ordered"
    )
    units = res.units.set_index("user_id")["level"]
    return units, res


# --- the design guide's reference cases -------------------------------------------------------

ABC = ["A", "B", "C"]


@pytest.mark.parametrize(
    ("events", "window", "mode", "expected"),
    [
        ([(0, "A"), (50, "B"), (100, "C")], 100, (), 3),
        ([(0, "A"), (90, "B"), (101, "C")], 100, (), 2),
        ([(0, "B"), (10, "A"), (20, "C")], 100, (), 1),
        ([(0, "B"), (1, "C")], 100, (), 0),
        ([(0, "A"), (0, "B"), (1, "C")], 100, (), 3),
        ([(0, "A"), (5, "B"), (10, "B"), (10, "C")], 100, ("strict_increase",), 3),
        ([(0, "A"), (1, "B"), (2, "X"), (3, "C")], 100, ("strict_order",), 2),
        ([(0, "A"), (1, "X"), (2, "A"), (3, "B"), (4, "C")], 100, ("strict_order",), 1),
        ([(0, "X"), (1, "A"), (2, "B"), (3, "C")], 100, ("strict_order",), 3),
        ([(0, "A"), (1, "B"), (2, "B"), (3, "C")], 100, ("strict_deduplication",), 2),
        ([(0, "A"), (200, "A"), (250, "B"), (260, "C")], 100, (), 3),
    ],
)
def test_design_guide_cases(events, window, mode, expected):
    rows = [("u", t, e) for t, e in events]
    units, _ = _levels(rows, ABC, window, mode)
    assert units.loc["u"] == expected
    assert (
        reference_level([t for t, _ in events], [e for _, e in events], ABC, window, mode)
        == expected
    )


def test_one_purchase_is_not_a_repurchase_in_strict_once():
    rows = [("u", 0, "purchase")]
    assert _levels(rows, ["purchase", "purchase"], 100)[0].loc["u"] == 2  # ClickHouse default
    assert _levels(rows, ["purchase", "purchase"], 100, ("strict_once",))[0].loc["u"] == 1
    two = [("u", 0, "purchase"), ("u", 5, "purchase")]
    assert _levels(two, ["purchase", "purchase"], 100, ("strict_once",))[0].loc["u"] == 2


# --- property: the vectorized engine equals the specification ---------------------------------

EVENTS = ["A", "B", "C", "X"]
STEP_LISTS = [
    ["A", "B", "C"],
    ["A", "B", "B"],
    ["A", "A"],
    ["A", "A", "A"],
    ["A", "B", "A"],
    ["B", "A", "C", "A"],
    ["A"],
]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["u1", "u2", "u3"]), st.integers(0, 12), st.sampled_from(EVENTS)),
        max_size=30,
    ),
    steps=st.sampled_from(STEP_LISTS),
    window=st.integers(0, 8),
    mode=st.sampled_from(MODES),
)
def test_engine_equals_reference_on_tied_logs(rows, steps, window, mode):
    if not rows:
        return
    units, _ = _levels(rows, steps, window, mode)  # window 0: same timestamp only
    w = window
    for user, got in units.items():
        mine = [(t, e) for u, t, e in rows if u == user]
        assert got == reference_level([t for t, _ in mine], [e for _, e in mine], steps, w, mode), (
            user,
            mine,
        )


def test_counts_equal_per_level_counts_and_vocabulary():
    rows = [("u1", 0, "A"), ("u1", 1, "B"), ("u2", 0, "A"), ("u3", 5, "B")]
    _, res = _levels(rows, ABC, 10)
    table = res.to_frame()
    assert table["users"].tolist() == [2, 1, 0]
    assert table["drop_off"].tolist() == [0, 1, 1]
    assert table["conversion"].tolist()[1] == 0.5
    assert {
        "step",
        "users",
        "conversion",
        "conversion_from_start",
        "drop_off",
        "drop_off_rate",
    } <= set(table)
    ck.testing.check_result(res)


def test_chunks_split_by_user_add_up():
    data = ck.datasets.synthetic(seed=2, n_creators=100, n_events=20_000).events
    steps = ["view", "click", "add_to_cart", "purchase", "purchase"]
    whole = from_events(data, steps, window="7D", mode="strict_once").to_frame()["users"].to_numpy()
    users = data["user_id"].unique()
    half = set(users[: len(users) // 2])
    mask = data["user_id"].isin(half)
    a = (
        from_events(data[mask], steps, window="7D", mode="strict_once")
        .to_frame()["users"]
        .to_numpy()
    )
    b = (
        from_events(data[~mask], steps, window="7D", mode="strict_once")
        .to_frame()["users"]
        .to_numpy()
    )
    np.testing.assert_array_equal(whole, a + b)


def test_synthetic_log_equals_reference_per_user():
    data = ck.datasets.synthetic(seed=1, n_creators=50, n_events=3_000).events
    steps = ["view", "click", "add_to_cart", "purchase", "purchase"]
    for mode in [(), ("strict_once",), ("strict_increase",), ("strict_order",)]:
        res = from_events(data, steps, window="3D", mode=list(mode) or "ordered")
        levels = res.units.set_index("user_id")["level"]
        dedup = data.drop_duplicates("event_id")
        seconds = (dedup["timestamp"] - dedup["timestamp"].min()).dt.total_seconds().astype(int)
        for user, rows in dedup.assign(s=seconds).groupby("user_id"):
            expected = reference_level(
                rows["s"].tolist(), rows["event"].tolist(), steps, 3 * 86_400, mode
            )
            assert levels.loc[user] == expected, (mode, user)


def test_duplicates_as_of_open_windows_and_time_to_convert():
    log = pd.DataFrame(
        {
            "event_id": ["e1", "e1", "e2", "e3", "e4"],
            "user_id": ["u1", "u1", "u1", "u2", "u2"],
            "timestamp": pd.to_datetime(
                [
                    "2026-06-01 00:00",
                    "2026-06-01 00:00",
                    "2026-06-01 06:00",
                    "2026-06-29 00:00",
                    "2026-07-05 00:00",
                ],
                utc=True,
            ),
            "event": ["view", "view", "click", "view", "click"],
        }
    )
    res = from_events(log, ["view", "click"], window="7D", as_of="2026-06-30T00:00:00+00:00")
    table = res.to_frame()
    assert table["users"].tolist() == [2, 1]
    assert table["open"].tolist() == [0, 1]  # u2 can still click until July 6
    assert table["median_time_to_convert"].iloc[1] == pd.Timedelta(hours=6)
    codes = {n.code: n.count for n in res.warnings}
    assert codes == {"duplicate_events": 1, "after_as_of": 1}


def test_by_groups_attribution_and_exclusion():
    log = pd.DataFrame(
        {
            "user_id": ["u1", "u1", "u1", "u2", "u2", "u3"],
            "campaign_id": ["k1"] * 6,
            "creator_id": ["c1", "c2", "c2", "c2", "c2", "c1"],
            "timestamp": pd.to_datetime([0, 10, 20, 0, 5, 0], unit="s", utc=True),
            "event": ["view", "view", "click", "view", "refund", "view"],
        }
    )
    first = from_events(
        log,
        ["view", "click"],
        window="1D",
        by="campaign_id",
        attribution="first_touch",
        exclude="refund",
    ).to_frame()
    assert first[["creator_id", "step", "users"]].values.tolist() == [["c1", 1, 2], ["c1", 2, 1]]
    step1 = from_events(log, ["view", "click"], window="1D", attribution="step1").to_frame()
    # u1's best chain starts at its latest view (by c2); u2 and u3 attribute to their own views
    got = step1[step1["step"] == 1].set_index("creator_id")["users"].to_dict()
    assert got == {"c1": 1, "c2": 2}
    last = from_events(log, ["view", "click"], window="1D", attribution="last_touch").to_frame()
    assert last[last["step"] == 2].set_index("creator_id")["users"].to_dict() == {"c1": 0, "c2": 1}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"window": 3600}, "bare number"),
        ({"window": "-1D"}, "zero or more"),
        ({"window": "7D", "mode": "strict_ordr"}, "Did you mean 'strict_order'"),
        ({"window": "7D", "by": "nope"}, "required column is missing"),
        ({"window": "7D", "attribution": "linear"}, "must be one of"),
    ],
)
def test_bad_arguments(kwargs, match):
    log = _log([("u", 0, "A")])
    with pytest.raises(ck.ValidationError, match=match):
        from_events(log, ["A", "B"], **kwargs)


def test_naive_and_missing_timestamps_and_empty_steps():
    log = _log([("u", 0, "A")])
    with pytest.raises(ck.ValidationError, match="timezone-aware"):
        from_events(log.assign(timestamp=log["timestamp"].dt.tz_localize(None)), ["A"], window="1D")
    nat = pd.Series(pd.NaT, index=log.index, dtype="datetime64[ns, UTC]")
    with pytest.raises(ck.ValidationError, match="must not be missing"):
        from_events(log.assign(timestamp=nat), ["A"], window="1D")
    with pytest.raises(ck.ValidationError, match="1 to 32 steps"):
        from_events(log, [], window="1D")
    empty = from_events(log.iloc[:0], ["A", "B"], window="1D")  # was refused
    assert empty.to_frame()["users"].tolist() == [0, 0]
    assert [n.code for n in empty.warnings] == ["empty_log"]


def test_unknown_step_names_are_reported_with_a_hint():
    log = _log([("u", 0, "view"), ("u", 1, "purchase")])
    res = from_events(log, ["view", "purchse"], window="1D")
    assert res.to_frame()["users"].tolist() == [1, 0]
    note = res.warnings[0]
    assert note.code == "unknown_step"
    assert "Did you mean 'purchase'" in note.message


def test_threaded_engine_equals_single_thread():
    from creatorkit.funnel._engine import Options, levels, levels_split
    from creatorkit.funnel._sort import sort_entries

    rng = np.random.default_rng(7)
    n = 20_000
    unit = rng.integers(0, 3_000, n)
    time = rng.integers(0, 50, n)
    step = rng.integers(0, 4, n)
    row = np.random.default_rng(8).permutation(n)
    args = sort_entries(unit, time, step, row)
    opts = Options(k=3, window=10, strict_order=True, once=True)
    one = levels(*args, n_units=3_000, opts=opts)
    two = levels_split(*args, n_units=3_000, workers=3, opts=opts)
    for name in ("level", "first", "reached", "start_row"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))


@pytest.mark.parametrize(
    "flags",
    [
        {},
        {"strict_order": True},
        {"strict_order": True, "reentry": True},
        {"dedup": True},
        {"dedup": True, "strict_order": True},
    ],
)
@pytest.mark.parametrize("window", [0, 3, 40])
def test_scan_engine_equals_the_position_engine(flags, window):
    from creatorkit.funnel._engine import Options, levels, levels_split, scan_levels
    from creatorkit.funnel._sort import sort_entries

    rng = np.random.default_rng(11)
    n = 30_000
    unit, time = rng.integers(0, 2_000, n), rng.integers(0, 60, n)
    step = rng.integers(0 if flags.get("strict_order") else 1, 5, n)
    args = sort_entries(unit, time, step, rng.permutation(n))
    opts = Options(k=4, window=window, **flags)
    one = levels(*args, n_units=2_000, opts=opts)
    two = scan_levels(*args, n_units=2_000, opts=opts)
    three = levels_split(*args, n_units=2_000, workers=2, opts=opts)
    for name in ("level", "first", "reached", "start_row"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name), err_msg=name)
        np.testing.assert_array_equal(getattr(one, name), getattr(three, name), err_msg=name)


def _no_op_entries(unit, step, restart):
    """Independent reference: entries before a unit's first step 1, and overwritten step 1s."""
    frame = pd.DataFrame({"unit": unit, "one": step == 1})
    seen = frame.groupby("unit")["one"].cummax().to_numpy()
    overwritten = np.zeros(len(unit), dtype=bool)
    if restart:
        nxt = frame.shift(-1)
        same = nxt["unit"].eq(frame["unit"])
        overwritten = (frame["one"] & nxt["one"].eq(True) & same).to_numpy()
    return ~seen | overwritten


@pytest.mark.parametrize(
    ("time_bits", "with_rank"),
    [(10, True), (10, False), (30, True), (45, True), (62, True), (62, False)],
)
@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("prune", ["none", "first", "restart"])
@pytest.mark.parametrize("by_row", [False, True])
def test_sort_entries_equals_a_lexsort_whatever_the_bit_budget(
    time_bits, with_rank, workers, prune, by_row, monkeypatch
):
    from creatorkit import _arith
    from creatorkit.funnel import _sort
    from creatorkit.funnel._sort import sort_entries

    monkeypatch.setattr(_sort, "_PARALLEL_SORT", 0)  # ranges of units at any size
    monkeypatch.setattr(_sort, "CHUNK", 256)  # many chunks: carries across their bounds
    monkeypatch.setattr(_arith, "CHUNK", 256)

    rng = np.random.default_rng(time_bits)
    n = 5_000
    unit, step = rng.integers(0, 2**12, n), rng.integers(0, 6, n)
    unit[: n // 2] = np.sort(unit[: n // 2])  # runs of one unit with repeated step-1 entries
    step[: n // 4] = 1
    time = rng.integers(0, 2**time_bits, n)
    time[::7] = time[0]  # ties in time
    rank = rng.permutation(n) if with_rank else None
    rows = None
    args = (unit, time, step, rank)
    if by_row:  # per-row columns and one entry per row of rows (some rows twice, some never)
        rows = rng.integers(0, n, n)
        row_unit, row_time = np.zeros(n, np.int64), np.zeros(n, np.int64)
        row_unit[rows], row_time[rows] = unit, time
        row_rank = rng.permutation(n) if with_rank else None
        args = (row_unit, row_time, step, row_rank)
        unit, time = row_unit[rows], row_time[rows]
        rank = None if row_rank is None else row_rank[rows]
    got = sort_entries(*args, rows=rows, prune=prune, workers=workers)
    keys = (step, time, unit) if rank is None else (rank, step, time, unit)
    order = np.lexsort(keys)
    want = [unit[order], time[order], step[order]] + ([rank[order]] if with_rank else [])
    if prune != "none":
        keep = ~_no_op_entries(want[0], want[2], prune == "restart")
        assert keep.sum() < n  # the case prunes something
        want = [w[keep] for w in want]
    for mine, column in zip(got, want, strict=False):
        np.testing.assert_array_equal(mine, column)
        assert mine.dtype == np.int64
    assert (got[3] is None) == (not with_rank)
    if prune == "none" and not by_row:  # already in order: as is when the key is packed
        ordered = sort_entries(*got)
        assert (ordered[0] is got[0]) == (12 + time_bits + 3 <= 64)


@pytest.mark.parametrize("workers", [1, 2])
def test_sort_entries_at_the_edges(workers, monkeypatch):
    from creatorkit.funnel import _sort
    from creatorkit.funnel._sort import sort_entries

    monkeypatch.setattr(_sort, "_PARALLEL_SORT", 0)
    empty = np.zeros(0, dtype=np.int64)
    for prune in ("none", "first", "restart"):  # no entries: empty int64 fields
        got = sort_entries(empty, empty, empty, None, rows=empty, prune=prune, workers=workers)
        assert [len(g) for g in got[:3]] == [0, 0, 0]
        assert got[3] is None
    # widths 1 + 62 + 1 = 64 bits and a top unit of all ones: the last range reaches 2**64
    unit, time, step = (
        np.array([1, 0, 1, 0]),
        np.array([2**62 - 1, 0, 5, 3]),
        np.array([1, 1, 0, 1]),
    )
    got = sort_entries(unit, time, step, None, workers=workers)
    order = np.lexsort((step, time, unit))
    for mine, column in zip(got[:3], (unit, time, step), strict=True):
        np.testing.assert_array_equal(mine, column[order])


# --- sort_factorize: the hash-free coding of user ids -------------------------------------

_TEXT = st.text(alphabet=st.sampled_from(["a", "b", "z", "é", "中", "\U0001f600", "0", "9"]))


def _storages():
    kinds = ["object", "string[python]"]
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return kinds
    return [*kinds, "string[pyarrow]"]


@settings(deadline=None, max_examples=60)
@given(values=st.lists(_TEXT.filter(lambda s: len(s.encode()) <= 8), min_size=2, max_size=40))
def test_sort_factorize_equals_factorize_on_short_text(values):
    from creatorkit._grouping import factorize, sort_factorize

    for dtype in _storages():
        series = pd.Series(values, dtype=dtype)
        expected_codes, expected_uniques = factorize(series)
        found = sort_factorize(series)
        if found is None:  # no pyarrow: the hashing path
            assert dtype != "string[pyarrow]"
            continue
        codes, uniques = found
        assert codes.tolist() == expected_codes.tolist()
        assert uniques.tolist() == expected_uniques.tolist()
        assert uniques.dtype == expected_uniques.dtype


@settings(deadline=None, max_examples=40)
@given(
    values=st.lists(st.integers(-(2**40), 2**40), min_size=2, max_size=40),
    dtype=st.sampled_from(["int64", "int32", "Int64", "uint32"]),
)
def test_sort_factorize_equals_factorize_on_integers(values, dtype):
    from creatorkit._grouping import factorize, sort_factorize

    if dtype in ("int32", "uint32"):
        values = [v % 2**31 for v in values]
    series = pd.Series(values, dtype=dtype)
    codes, uniques = sort_factorize(series)
    expected_codes, expected_uniques = factorize(series)
    assert codes.tolist() == expected_codes.tolist()
    assert uniques.tolist() == expected_uniques.tolist()


def test_sort_factorize_declines_what_it_cannot_code_exactly():
    from creatorkit._grouping import sort_factorize

    pytest.importorskip("pyarrow")
    assert sort_factorize(pd.Series(["a", None, "b"], dtype="string[pyarrow]")) is None
    assert sort_factorize(pd.Series(["123456789", "1"], dtype="string[pyarrow]")) is None
    assert sort_factorize(pd.Series(["a\x00", "a"], dtype="string[pyarrow]")) is None  # NUL
    assert sort_factorize(pd.Series(["1", 1], dtype=object)) is None  # not only text
    assert sort_factorize(pd.Series([1.0, 2.0])) is None
    assert sort_factorize(pd.Series([2**63, 1], dtype="uint64")) is None
    assert sort_factorize(pd.Series(["a", "b"], dtype="category")) is None
    # 8-byte strings at the very end of the buffer are read without overrunning it
    codes, uniques = sort_factorize(pd.Series(["zzzzzzzz", "a", "zzzzzzzy"], dtype="string"))
    assert codes.tolist() == [2, 0, 1]
    assert uniques.tolist() == ["a", "zzzzzzzy", "zzzzzzzz"]


@settings(deadline=None, max_examples=25)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["u1", "u10", "u2", "é", "zz", "u9999999"]),
            st.integers(0, 30),
            st.sampled_from(["A", "B", "C", "X"]),
        ),
        min_size=1,
        max_size=30,
    ),
    seed=st.integers(0, 3),
)
def test_random_row_order_and_id_storage_give_identical_results(rows, seed):
    log = _log(rows)
    order = np.random.default_rng(seed).permutation(len(log))
    expected = from_events(log, ["A", "B", "C"], window="10s")
    for dtype in _storages():
        shuffled = log.iloc[order].assign(user_id=lambda f, d=dtype: f["user_id"].astype(d))
        got = from_events(shuffled, ["A", "B", "C"], window="10s")
        pd.testing.assert_frame_equal(got.table, expected.table)
        levels = got.units.set_index("user_id")["level"]
        want = expected.units.set_index("user_id")["level"]
        assert levels.sort_index().tolist() == want.sort_index().tolist()
        assert sorted(map(str, levels.index)) == sorted(map(str, want.index))
        assert got.units["user_id"].dtype == shuffled["user_id"].dtype  # reported as given


@pytest.mark.parametrize("na_value", [pd.NA, np.nan])
def test_python_stored_user_ids_missing_are_refused_with_their_rows(na_value) -> None:
    try:
        dtype = pd.StringDtype("python", na_value=na_value)
    except TypeError:  # pandas < 2.3: one python string dtype, missing is pd.NA
        dtype = pd.StringDtype("python")
    events = pd.DataFrame({
        "user_id": pd.Series(["u1", None, "u2", None], dtype=dtype),
        "timestamp": pd.to_datetime(["2026-01-01"] * 4, utc=True),
        "event": ["view"] * 4,
    })  # fmt: skip
    with pytest.raises(ck.ValidationError, match=r"user_id.*must not be missing.*rows \[1, 3\]"):
        from_events(events, ["view"], window="1D")


@pytest.mark.parametrize("flag", ["yes", 1, None])
def test_partitioned_by_user_must_be_a_bool_on_pandas_too(flag) -> None:
    events = pd.DataFrame({
        "user_id": ["u1"], "timestamp": pd.to_datetime(["2026-01-01"], utc=True),
        "event": ["view"],
    })  # fmt: skip
    with pytest.raises(ck.errors.ValidationError, match="partitioned_by_user"):
        ck.funnel.from_events(events, ["view", "buy"], window="1D", partitioned_by_user=flag)


@settings(deadline=None, max_examples=40)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 6), st.sampled_from(["A", "B", "C", "X", "P"])),
        min_size=1,
        max_size=40,
    ),
    mode=st.sampled_from(MODES),
    text=st.booleans(),
    seed=st.integers(0, 3),
)
def test_sorted_log_fast_path_equals_shuffled_general_path(rows, mode, text, seed):
    # a log sorted by (user, time): run-coded users, nearly sorted entries (timsort) —
    # the same result as the shuffled log (hashed users, a full sort); ties and repeats
    log = _log(sorted(rows)).assign(event_id=[f"e{i % 7}" for i in range(len(rows))])
    if not text:
        log["user_id"] = log["user_id"].astype(np.int64)
    steps = ["A", "B", "P", "P", "C"]  # a repeated step name: two entries per row
    order = np.random.default_rng(seed).permutation(len(log))
    kw = {"window": "3s", "mode": list(mode) or "ordered", "attribution": None}
    fast = from_events(log, steps, **kw, event_id=None)
    slow = from_events(log.iloc[order], steps, **kw, event_id=None)
    pd.testing.assert_frame_equal(fast.table, slow.table)
    got = fast.units.set_index("user_id")["level"].sort_index()
    want = slow.units.set_index("user_id")["level"].sort_index()
    pd.testing.assert_series_equal(got, want)
    for user, level in got.items():
        mine = sorted((t, e) for u, t, e in rows if u == user)
        times, names = [t for t, _ in mine], [e for _, e in mine]
        assert level == reference_level(times, names, steps, 3, mode) or len(set(times)) < len(
            times
        )


def test_sorted_integer_users_are_coded_by_runs():
    from creatorkit._grouping import factorize

    codes, uniques = factorize(pd.Series([3, 3, 7, 9, 9, 9]), sort=False, runs=True)
    assert codes.tolist() == [0, 0, 1, 2, 2, 2]
    assert uniques.tolist() == [3, 7, 9]
    codes, uniques = factorize(pd.Series([9, 9, 9, 3, 3, 9]), sort=False, runs=True)
    assert codes.tolist() == [0, 0, 0, 1, 1, 0]
    assert uniques.tolist() == [9, 3]


@settings(deadline=None, max_examples=60)
@given(keys=st.lists(st.integers(0, 200), min_size=2, max_size=60), spare=st.integers(0, 50))
def test_sort_factorize_counting_and_sorting_paths_agree(keys, spare):
    from creatorkit._grouping import _counted, _sorted

    key = np.asarray(keys, dtype=np.uint64)
    space = max(keys) + 1 + spare
    counted = _counted(key.copy(), space)
    found = _sorted(key.copy(), space)
    assert found is not None
    expected = np.unique(key, return_inverse=True)[1]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("creatorkit._arith.CHUNK", 5)  # runs of chunks in 2 threads
        threaded = _counted(key.copy(), space, workers=2)
    for codes, rows in (counted, found, threaded):
        assert codes.tolist() == expected.tolist()
        assert key[rows].tolist() == sorted(set(keys))  # one row per code, in code order


def test_sort_factorize_text_key_in_chunks(monkeypatch):
    import creatorkit._arith as arith
    import creatorkit._grouping as grouping

    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(5)
    alphabet = np.array(list("ab9é中"))
    values = ["".join(rng.choice(alphabet, rng.integers(0, 4))) for _ in range(500)]
    series = pd.Series(values, dtype="string[pyarrow]")
    whole = grouping.sort_factorize(series)
    monkeypatch.setattr(arith, "CHUNK", 7)  # many chunks, the last one short
    chunked = grouping.sort_factorize(series)
    threaded = [grouping.sort_factorize(series, workers=w) for w in (2, 3, 64)]
    expected_codes, expected_uniques = grouping.factorize(series)
    for codes, uniques in (whole, chunked, *threaded):
        assert codes.tolist() == expected_codes.tolist()
        assert uniques.tolist() == expected_uniques.tolist()
