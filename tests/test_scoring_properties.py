"""Properties of scorecards under hypothesis (the issue's "Done when" list)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creatorkit.errors import ValidationError
from creatorkit.scoring import Criterion, Gate, Scorecard

AS_OF = "2026-06-30T00:00:00+00:00"


@st.composite
def tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(2, 30))
    values = st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1))
    trials = draw(st.lists(st.integers(1, 500), min_size=n, max_size=n))
    rate = draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "creator_id": [f"c{i:02d}" for i in range(n)],
            "a": draw(st.lists(values, min_size=n, max_size=n)),
            "b": draw(st.lists(values, min_size=n, max_size=n)),
            "g": draw(st.lists(st.sampled_from(["x", "y", "z"]), min_size=n, max_size=n)),
            "h": draw(st.lists(st.sampled_from(["p", "q"]), min_size=n, max_size=n)),
            "followers": draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n)),
            "r": np.round(np.array(rate) * np.array(trials)) / np.array(trials),
            "r_trials": np.array(trials, dtype=float),
            "r_n": np.array(trials, dtype=float) // 10 + 1,
        }
    )


def _card(normalizer: str = "percentile", shrink: bool = False) -> Scorecard:
    return Scorecard(
        [
            Criterion(name="a", weight=0.5, normalizer=normalizer, peers=[["g", "h"], ["g"]]),
            Criterion(name="b", weight=0.2, direction="lower", normalizer=normalizer),
            Criterion(name="r", weight=0.3, low_data="shrink" if shrink else "flag", min_n=3),
        ],
        gates=[Gate.followers(1_000)],
    )


def _scores(card: Scorecard, t: pd.DataFrame) -> pd.Series:
    return card.score(t, as_of=AS_OF).table.set_index("creator_id")["score"]


@settings(deadline=None, max_examples=40)
@given(tables(), st.data(), st.sampled_from(["percentile", "minmax", "log"]), st.booleans())
def test_raising_a_benefit_criterion_never_lowers_the_score(t, data, normalizer, shrink):
    card = _card(normalizer, shrink)
    before = _scores(card, t)
    i = data.draw(st.integers(0, len(t) - 1))
    raised = t.copy()
    raised.loc[i, "a"] += data.draw(st.floats(0.1, 50))
    after = _scores(card, raised)
    who = t.loc[i, "creator_id"]
    if who in before.index:
        assert after[who] >= before[who] - 1e-9
    if shrink:  # more successes in the same trials: the shrunk rate never falls
        more = t.copy()
        more.loc[i, "r"] = min(1.0, more.loc[i, "r"] + 1.0 / more.loc[i, "r_trials"])
        table = card.score(more, as_of=AS_OF).table.set_index("creator_id")
        base = card.score(t, as_of=AS_OF).table.set_index("creator_id")
        if who in base.index:
            assert table.loc[who, "r_shrunk"] >= base.loc[who, "r_shrunk"] - 1e-12


@settings(deadline=None, max_examples=40)
@given(tables(), st.randoms(use_true_random=False), st.booleans())
def test_row_order_changes_no_score(t, rnd, shrink):
    card = _card(shrink=shrink)
    order = list(range(len(t)))
    rnd.shuffle(order)
    a = card.score(t, as_of=AS_OF).table
    b = card.score(t.iloc[order], as_of=AS_OF).table
    a = a.sort_values("creator_id", ignore_index=True)
    b = b.sort_values("creator_id", ignore_index=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12, atol=1e-12)


@settings(deadline=None, max_examples=40)
@given(tables(), st.sampled_from(["weighted_sum", "weighted_product", "topsis"]), st.booleans())
def test_contributions_sum_to_the_score_and_gated_creators_are_never_ranked(t, agg, shrink):
    base = _card(shrink=shrink)
    card = Scorecard(base.criteria, gates=base.gates, aggregator=agg)
    if agg == "topsis" and (t["followers"] >= 1_000).sum() == 1:
        with pytest.raises(ValidationError, match="at least 2"):
            card.score(t, as_of=AS_OF)
        return
    res = card.score(t, as_of=AS_OF)
    table = res.table
    parts = table[[f"contribution_{c}" for c in res.criteria]].sum(axis=1)
    np.testing.assert_allclose(parts, table["score"], rtol=0, atol=1e-9)
    assert ((table["score"] >= -1e-9) & (table["score"] <= 100 + 1e-9)).all()
    gated = set(t.loc[t["followers"] < 1_000, "creator_id"])
    assert gated.isdisjoint(table["creator_id"])
    assert gated == set(res.exclusions["creator_id"])
    assert sorted(table["rank"]) == list(range(1, len(table) + 1))


@settings(deadline=None, max_examples=40)
@given(tables(), st.sampled_from(["percentile", "minmax", "log", "max"]))
def test_a_compiled_scorecard_equals_score_on_the_reference(t, normalizer):
    card = _card(normalizer)
    expected = _scores(card, t)
    if expected.empty:
        with pytest.raises(ValidationError, match="passes the gates"):
            card.compile(t, as_of=AS_OF)
        return
    out = card.compile(t, as_of=AS_OF).score(t).set_index("creator_id")
    kept = out[out["excluded"].isna()]["score"]
    assert set(kept.index) == set(expected.index)
    np.testing.assert_allclose(kept, expected.reindex(kept.index), rtol=1e-12, atol=1e-9)
