"""Hypothesis over the core entry points: any cell value gives a result or a ValidationError."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit import compare, funnel, metrics, summaries
from creatorkit.errors import ValidationError

CELL = st.one_of(
    st.integers(min_value=-5, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=3),
    st.booleans(),
    st.none(),
)
ROWS = st.lists(
    st.tuples(st.sampled_from(["a", "b", None]), CELL, CELL, CELL), min_size=1, max_size=6
)


def _frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    keys, views, clicks, gmv = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "creator_id": pd.Series(keys, dtype=object),
            "views": pd.Series(views, dtype=object),
            "clicks": pd.Series(clicks, dtype=object),
            "gmv": pd.Series(gmv, dtype=object),
        }
    )


def _clear(call) -> None:  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with contextlib.suppress(ValidationError):
            call()


ENTRY_POINTS = {
    "metrics.compute": lambda df: metrics.compute(
        df, ["ctr", "gpm", "views"], by="creator_id", ci="auto"
    ),
    "metrics.compute cluster": lambda df: metrics.compute(df, "ctr", ci="cluster"),
    "metrics.summarize + merge": lambda df: summaries.merge(
        [
            metrics.summarize(df.iloc[:1], "ctr", by="creator_id"),
            metrics.summarize(df, "ctr", by="creator_id"),
        ]
    ).compute(),
    "funnel.from_counts": lambda df: funnel.from_counts(
        df, ["views", "clicks"], by="creator_id", value="gmv"
    ),
    "compare.summarize": lambda df: compare.summarize(
        df.fillna({"creator_id": "z"}),
        arm="creator_id",
        metrics={"v": "views", "r": ("gmv", "views")},
    ),
    "compare.summarize ratios": lambda df: compare.summarize(
        df.fillna({"creator_id": "z"}), arm="creator_id", metrics=ck.metrics.get("ctr")
    ).ratios("ctr"),
    "frames.validate": lambda df: ck.validate(
        df.assign(
            content_id=[str(i) for i in range(len(df))],
            content_type="video",
            published_at=pd.Timestamp("2026-06-01", tz="UTC"),
        ),
        ck.Content,
    ),
    "summaries.from_sums": lambda df: summaries.from_sums(
        df.rename(columns={"views": "ctr__den", "clicks": "ctr__num", "gmv": "ctr__n"})
        .drop_duplicates("creator_id")
        .dropna(subset=["creator_id"]),
        "ctr",
        by="creator_id",
    ),
}


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=ROWS)
def test_any_cell_gives_a_result_or_a_validation_error(name, rows):
    df = _frame(rows)
    _clear(lambda: ENTRY_POINTS[name](df))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["u1", "u2", None]),
            st.sampled_from(["A", "B", "C", None]),
            st.one_of(st.integers(-10, 10**6), st.none()),
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["1h", "0s", "-1h", 5, "x"]),
)
def test_event_funnels_give_a_result_or_a_validation_error(events, window):
    users, names, seconds = zip(*events, strict=True)
    log = pd.DataFrame(
        {
            "user_id": pd.Series(users, dtype=object),
            "event": pd.Series(names, dtype=object),
            "timestamp": pd.to_datetime(pd.Series(seconds, dtype="float"), unit="s", utc=True),
        }
    )
    _clear(lambda: funnel.from_events(log, ["A", "B", "C"], window=window))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.integers(-3, 10**7), st.floats(allow_nan=True)), min_size=1, max_size=5),
    st.lists(st.one_of(st.integers(-3, 10**7), st.floats(allow_nan=True)), min_size=1, max_size=5),
)
def test_comparisons_give_a_result_or_a_validation_error(successes, trials):
    _clear(lambda: compare.proportions(successes, trials))
    _clear(lambda: compare.bayes_proportions(successes, trials))
    _clear(lambda: compare.means(trials, successes, np.abs(np.nan_to_num(successes)) + 1.0))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.integers(-3, 10**12), st.floats(allow_nan=True), st.text(max_size=2)),
        min_size=1,
        max_size=5,
    )
)
def test_tiers_and_economics_give_a_result_or_a_validation_error(values):
    _clear(lambda: ck.tiers.tier(values))
    _clear(lambda: ck.metrics.economics.commission(values, 0.1))
