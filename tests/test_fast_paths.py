"""Fast paths of the CLI and the decisions equal their general paths exactly.

ISO times of one shape read by Arrow (``_time.parse_iso_uniform``) equal
``pd.to_datetime(format="ISO8601")``; the neighbour check of ``frames.duplicated_keys``
equals pandas' hashing; shortlist's reorder of few-label text equals ``array.take``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creatorkit._time import parse_iso_uniform
from creatorkit.frames import duplicated_keys

OFFSETS = ["", "Z", "+00:00", "+07:00", "-05:30", "-00:00", "+14:00"]
moments = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31))


def _text(moment: dt.datetime, separator: str, offset: str) -> str:
    return moment.strftime(f"%Y-%m-%d{separator}%H:%M:%S") + offset


@settings(deadline=None, max_examples=80)
@given(
    stamps=st.lists(st.one_of(st.none(), moments), min_size=1, max_size=40),
    separator=st.sampled_from(["T", " "]),
    offsets=st.lists(st.sampled_from(OFFSETS), min_size=1, max_size=2),
    odd=st.one_of(
        st.none(),
        st.sampled_from(
            [
                "2026-02-30 10:00:00",
                "2026-06-01 24:00:00",
                "2026-06-01 10:00:60",
                "2026-6-01 1",
                "2026-06-01 10:00:00.5",
                "not a time",
                "2026-13-01 00:00:00",
                "0000-01-01 00:00:00",
            ]
        ),
    ),
    storage=st.sampled_from(["pyarrow", "python"]),
)
def test_iso_times_of_one_shape_equal_pandas(stamps, separator, offsets, odd, storage) -> None:
    if storage == "pyarrow":
        pytest.importorskip("pyarrow")
    texts = [
        None if s is None else _text(s, separator, offsets[i % len(offsets)])
        for i, s in enumerate(stamps)
    ]
    if odd is not None:
        texts[len(texts) // 2] = odd + offsets[0]
    series = pd.Series(texts, dtype=pd.StringDtype(storage, na_value=np.nan), name="t")
    got = parse_iso_uniform(series)
    try:
        want = pd.to_datetime(series, format="ISO8601")
    except (ValueError, OverflowError):
        assert got is None  # pandas refuses (mixed offsets, a bad value): so does the fast path
        return
    if got is None:  # not its shape: the caller parses with pandas
        uniform = odd is None and len(set(offsets)) == 1 and storage == "pyarrow"
        present = [s for s in stamps if s is not None]
        assert not (uniform and present and min(present).year > 0)
        return
    pd.testing.assert_series_equal(got, want)


def test_iso_times_of_one_shape_exact_values() -> None:
    pytest.importorskip("pyarrow")
    texts = pd.Series(
        ["2026-06-19 17:24:55+07:00", None, "2024-02-29 00:00:00+07:00"], dtype="str", name="t"
    )
    got = parse_iso_uniform(texts)
    assert got is not None
    assert str(got.dtype) == "datetime64[us, UTC+07:00]"
    assert got.iloc[0] == pd.Timestamp("2026-06-19T10:24:55Z")
    assert pd.isna(got.iloc[1])
    assert got.iloc[2].isoformat() == "2024-02-29T00:00:00+07:00"
    utc = parse_iso_uniform(pd.Series(["2026-06-19T17:24:55Z"] * 3, dtype="str"))
    assert utc is not None
    assert str(utc.dtype) == "datetime64[us, UTC]"
    naive = parse_iso_uniform(pd.Series(["2026-06-19 17:24:55"] * 2, dtype="str"))
    assert naive is not None
    assert str(naive.dtype) == "datetime64[us]"
    mixed = pd.Series(["2026-06-19 17:24:55+07:00", "2026-06-19 17:24:55+00:00"], dtype="str")
    assert parse_iso_uniform(mixed) is None  # mixed offsets: pandas and frames.validate decide


keys = st.one_of(st.none(), st.sampled_from(["a", "b", "c", "ab", "é", ""]), st.text(max_size=4))


@settings(deadline=None, max_examples=80)
@given(
    values=st.lists(keys, max_size=30),
    order=st.sampled_from(["as is", "sorted", "reversed", "unique sorted"]),
    kind=st.sampled_from(["pyarrow", "python", "object", "int"]),
)
def test_duplicated_keys_equals_pandas(values, order, kind) -> None:
    if kind == "pyarrow":
        pytest.importorskip("pyarrow")
    if kind == "int":
        values = [None if v is None else len(v) * 7 + (ord(v[0]) if v else 0) for v in values]
    present = sorted(v for v in values if v is not None)
    if order == "sorted":
        values = present + [v for v in values if v is None]
    elif order == "reversed":
        values = present[::-1]
    elif order == "unique sorted":
        values = sorted(set(present))
    if kind == "int":
        series = pd.Series(values, dtype="float64" if None in values else "int64")
    elif kind == "object":
        series = pd.Series(values, dtype=object)
    else:
        series = pd.Series(values, dtype=pd.StringDtype(kind))
    want = series.duplicated(keep=False).to_numpy(dtype=bool)
    np.testing.assert_array_equal(duplicated_keys(series), want)
    frame = pd.DataFrame({"a": series, "b": 1})
    np.testing.assert_array_equal(duplicated_keys(frame), frame.duplicated(keep=False))


def test_duplicate_keys_are_named_the_same_sorted_or_not() -> None:
    import creatorkit as ck
    from creatorkit.errors import ValidationError

    base = {"platform": "tiktok", "country": "TH", "category": "home", "followers": 10}
    for ids in (["c1", "c2", "c2", "c3"], ["c2", "c1", "c3", "c2"]):
        frame = pd.DataFrame({"creator_id": pd.array(ids, dtype="string"), **base})
        with pytest.raises(ValidationError) as info:
            ck.frames.validate(frame, ck.Creator)
        cases = info.value.failure_cases
        assert cases["code"].tolist() == ["duplicate_key", "duplicate_key"]
        assert sorted(cases["value"]) == ["c2", "c2"]
    fine = pd.DataFrame({"creator_id": pd.array(["c1", "c2", "c3"], dtype="string"), **base})
    assert ck.frames.validate(fine, ck.Creator).frame["creator_id"].tolist() == ["c1", "c2", "c3"]


@settings(deadline=None, max_examples=40)
@given(
    labels=st.lists(st.one_of(st.none(), st.sampled_from(["TH", "VN", "ID", "é"])), max_size=12),
    size=st.integers(0, 5_000),
    seed=st.integers(0, 2**16),
    storage=st.sampled_from(["pyarrow", "python"]),
    na=st.sampled_from([np.nan, pd.NA]),
)
def test_shortlist_reorder_equals_array_take(labels, size, seed, storage, na) -> None:
    if storage == "pyarrow":
        pytest.importorskip("pyarrow")
    from creatorkit.scoring._shortlist import _take

    rng = np.random.default_rng(seed)
    pool = labels or ["x"]
    values = [pool[i] for i in rng.integers(0, len(pool), size)]
    series = pd.Series(values, dtype=pd.StringDtype(storage, na_value=na))
    rows = rng.permutation(size)[: rng.integers(0, size + 1)]
    got, want = _take(series, rows), series.array.take(rows)
    assert got.dtype == want.dtype
    pd.testing.assert_extension_array_equal(got, want)
    floats = pd.Series(rng.normal(size=size))
    np.testing.assert_array_equal(np.asarray(_take(floats, rows)), floats.to_numpy()[rows])
