"""Decisions: shortlist, top_share, backtest and allocate — hand-worked cases and properties."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize
from scipy.stats import spearmanr

import creatorkit as ck
from creatorkit.errors import ValidationError
from creatorkit.scoring import Criterion, Gate, Scorecard, allocate, backtest, shortlist, top_share

AS_OF = "2026-06-30T00:00:00+00:00"
CARD = Scorecard([Criterion(name="gmv")])


def _creators() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator_id": ["a", "b", "c", "d", "e", "f"],
            "gmv": [6.0, 5.0, 5.0, 3.0, 2.0, 1.0],
            "country": ["TH", "TH", "TH", "VN", "TH", "TH"],
            "category": ["beauty", "beauty", "beauty", "beauty", "home", "beauty"],
            "followers": [30_000, 40_000, 50_000, 60_000, 70_000, 5_000],
        }
    )


# --- shortlist -------------------------------------------------------------------------
def test_shortlist_gates_from_the_campaign_with_reasons_and_ties_by_id() -> None:
    campaign = {"markets": ["TH"], "category": "beauty", "goal": "sales", "campaign_id": "k1"}
    sl = shortlist(CARD, _creators(), campaign=campaign, k=10, as_of=AS_OF)
    # d is in VN, e in home, f below the 20K sales band; b and c tie on gmv: b before c
    assert sl.table["creator_id"].tolist() == ["a", "b", "c"]
    assert sl.table["rank"].tolist() == [1, 2, 3]
    assert sl.table["country"].tolist() == ["TH"] * 3
    gone = sl.exclusions.set_index("creator_id")
    assert gone.loc["d", "gate"] == "campaign.market"
    assert gone.loc["e", "gate"] == "campaign.category"
    assert gone.loc["f", "reason"] == "followers >= 20000"
    assert sl.eligible == 3
    assert sl.reasons["creators"].sum() == 3
    assert dict(sl.campaign)["campaign_id"] == "k1"
    json.dumps(sl.to_dict(), allow_nan=False)


def test_shortlist_keeps_k_and_counts_the_rest() -> None:
    sl = shortlist(CARD, _creators(), campaign={}, k=2, as_of=AS_OF)
    assert sl.table["creator_id"].tolist() == ["a", "b"]
    below = [n for n in sl.warnings if n.code == "below_k"]
    assert below
    assert below[0].count == 4


def test_shortlist_awareness_band_and_explicit_band() -> None:
    sl = shortlist(CARD, _creators(), campaign={"goal": "awareness"}, as_of=AS_OF)
    assert sl.table.empty
    assert sl.reasons["creators"].tolist() == [6]
    band = shortlist(CARD, _creators(), campaign={"followers": (35_000, 60_000)}, as_of=AS_OF)
    assert sorted(band.table["creator_id"]) == ["b", "c", "d"]


def test_shortlist_empty_when_no_creator_is_eligible_with_reasons_counted() -> None:
    sl = shortlist(CARD, _creators(), campaign={"markets": ["ID"], "goal": "sales"}, as_of=AS_OF)
    assert sl.table.empty
    assert sl.eligible == 0
    counts = dict(zip(sl.reasons["gate"], sl.reasons["creators"], strict=True))
    assert counts == {"campaign.market": 6, "campaign.followers": 1}
    assert any(n.code == "empty_shortlist" for n in sl.warnings)


def test_shortlist_budget_against_rate_cards_in_another_currency() -> None:
    cards = pd.DataFrame(
        {
            "creator_id": ["a", "b", "c", "d"],
            "content_type": ["video"] * 4,
            "fixed_fee": [90.0, 3_500.0, 120.0, 50.0],
            "currency": ["USD", "THB", "USD", "USD"],
            "valid_from": ["2026-01-01T00:00:00+00:00"] * 4,
            "valid_to": [None] * 4,
        }
    )
    fx = pd.DataFrame({"date": ["2026-06-30"], "currency": ["THB"], "rate": [0.03]})
    tables = {"creators": _creators(), "rate_cards": cards, "fx_rates": fx}
    campaign = {"budget_per_creator": 100.0, "currency": "USD"}
    sl = shortlist(CARD, tables, campaign=campaign, as_of=AS_OF)
    # b: 3500 THB × 0.03 = 105 USD > 100; c: 120 > 100; e, f: no card
    assert sl.table["creator_id"].tolist() == ["a", "d"]
    assert sl.table["rate_card_price"].tolist() == [90.0, 50.0]
    gone = sl.exclusions["creator_id"].tolist()
    assert sorted(gone) == ["b", "c", "e", "f"]
    assert set(sl.exclusions["gate"]) == {"campaign.budget_per_creator"}


def test_shortlist_budget_without_rate_cards_is_noted_not_checked() -> None:
    sl = shortlist(CARD, _creators(), campaign={"budget_per_creator": 10.0}, as_of=AS_OF)
    assert len(sl.table) == 6
    assert any(n.code == "budget_not_checked" for n in sl.warnings)


def test_shortlist_takes_a_campaign_record_and_refuses_unknown_keys() -> None:
    record = ck.Campaign(
        campaign_id="k1",
        brand="B",
        goal="sales",
        category="beauty",
        start="2026-07-01T00:00:00+00:00",
        end="2026-07-31T00:00:00+00:00",
        budget=1000.0,
        currency="USD",
        markets=["TH"],
    )
    sl = shortlist(CARD, _creators(), campaign=record, as_of=AS_OF)
    assert sl.table["creator_id"].tolist() == ["a", "b", "c"]
    with pytest.raises(ValidationError, match="Did you mean 'markets'"):
        shortlist(CARD, _creators(), campaign={"market": ["TH"]}, as_of=AS_OF)
    with pytest.raises(ValidationError, match="k"):
        shortlist(CARD, _creators(), campaign={}, k=0, as_of=AS_OF)


def test_shortlist_keeps_the_scorecards_own_gates() -> None:
    card = Scorecard([Criterion(name="gmv")], gates=[Gate.block_list(["a"])])
    sl = shortlist(card, _creators(), campaign={"markets": ["TH"]}, as_of=AS_OF)
    assert "a" not in sl.table["creator_id"].tolist()
    assert sl.exclusions.set_index("creator_id").loc["a", "gate"] == "gates[0]"


def test_shortlist_table_is_the_same_when_columns_are_gathered_in_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from creatorkit.scoring import _shortlist

    rng = np.random.default_rng(3)
    n = 5_000
    frame = pd.DataFrame(
        {
            "creator_id": [f"c{i:05d}" for i in range(n)],
            "gmv": rng.gamma(2.0, 10.0, n).round(1),  # many ties, broken by id
            "cvr": rng.random(n),
            "country": pd.Series(rng.choice(["TH", "VN", "ID"], n), dtype="str"),
            "followers": rng.integers(1_000, 90_000, n),
        }
    )
    card = Scorecard([Criterion(name="gmv"), Criterion(name="cvr")])
    campaign = {"markets": ["TH", "VN"], "followers": 20_000}
    monkeypatch.setattr(_shortlist, "_PARALLEL", 10**9)
    sl = shortlist(card, frame, campaign=campaign, k=2_000, as_of=AS_OF)
    alone = sl.table
    monkeypatch.setattr(_shortlist, "_PARALLEL", 0)
    threaded = shortlist(card, frame, campaign=campaign, k=2_000, as_of=AS_OF).table
    pd.testing.assert_frame_equal(threaded, alone)
    assert list(alone.columns[:7]) == [
        *("creator_id", "score", "rank", "percentile", "country", "market", "followers")
    ]
    assert alone["market"].tolist() == alone["country"].tolist()
    assert sl.eligible > 2_000
    assert alone["rank"].tolist() == list(range(1, 2_001))
    ids = frame.set_index("creator_id").loc[alone["creator_id"]]
    assert (alone["followers"].to_numpy() == ids["followers"].to_numpy()).all()  # right rows
    assert (alone["followers"] >= 20_000).all()
    assert alone["country"].tolist() == ids["country"].tolist()


# --- top_share -------------------------------------------------------------------------
def _population(n_th: int, n_vn: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_th + n_vn
    return pd.DataFrame(
        {
            "creator_id": [f"c{i:03d}" for i in range(n)],
            "gmv": rng.permutation(n).astype(float),
            "country": ["TH"] * n_th + ["VN"] * n_vn,
        }
    )


def test_top_share_count_is_ceil_of_frac_times_n() -> None:
    pop = _population(30, 25)
    top = top_share(CARD.score(pop, as_of=AS_OF), 0.10, groups=pop)
    groups = top.groups.set_index("country")
    assert groups.loc["TH", "top_count"] == 3  # 0.1 × 30 = 3 exactly, not 4
    assert groups.loc["VN", "top_count"] == 3  # ceil(2.5)
    assert len(top.table) == 6
    assert top.rounding == "ceil"
    one = _population(1, 0)
    assert len(top_share(CARD.score(one, as_of=AS_OF), 0.10, groups=one).table) == 1


def test_top_share_members_are_the_best_of_their_group() -> None:
    pop = _population(12, 9, seed=3)
    top = top_share(CARD.score(pop, as_of=AS_OF), 0.25, groups=pop)
    for country, rows in pop.groupby("country"):
        k = math.ceil(0.25 * len(rows))
        best = rows.sort_values(["gmv", "creator_id"], ascending=[False, True]).head(k)
        got = top.table[top.table["country"] == country]
        assert got["creator_id"].tolist() == best["creator_id"].tolist()
        assert got["group_rank"].tolist() == list(range(1, k + 1))


def test_top_share_entrants_and_leavers_with_the_criterion_that_moved() -> None:
    card = Scorecard([Criterion(name="gmv", weight=0.5), Criterion(name="cvr", weight=0.5)])
    may = pd.DataFrame(
        {
            "creator_id": ["a", "b", "c", "d"],
            "gmv": [4.0, 3.0, 2.0, 1.0],
            "cvr": [4.0, 3.0, 2.0, 1.0],
            "country": ["TH"] * 4,
        }
    )
    june = may.assign(cvr=[1.0, 3.0, 4.0, 2.0])  # a's conversion collapses, c's rises
    old = card.score(may, as_of="2026-05-31T00:00:00+00:00")
    new = card.score(june, as_of=AS_OF)
    top = top_share(new, 0.5, previous=old, groups=june)
    now = new.table.set_index("creator_id")
    then = old.table.set_index("creator_id")
    expected = now["score"].sort_values(ascending=False).index[:2].tolist()
    # percentile normalization: June scores a 62.5, b 75, c 75, d 37.5 — b and c tie: by id
    assert top.table["creator_id"].tolist() == expected == ["b", "c"]
    assert top.table["status"].tolist() == ["stayed", "entered"]
    left = top.leavers.iloc[0]
    assert left["creator_id"] == "a"
    assert left["reason_criterion"] == "cvr"  # gmv did not change
    change = now.loc["a", "contribution_cvr"] - then.loc["a", "contribution_cvr"]
    assert change == pytest.approx(-37.5)
    assert left["reason_change"] == pytest.approx(change)
    assert left["reason"].startswith(f"left: cvr contribution {change:+.2f} points")
    entered = top.entrants.iloc[0]
    assert entered["creator_id"] == "c"
    assert entered["reason_criterion"] == "cvr"
    assert entered["reason_change"] == pytest.approx(25.0)
    assert entered["previous_score"] == pytest.approx(then.loc["c", "score"]) == 50.0
    assert entered["score"] == pytest.approx(now.loc["c", "score"]) == 75.0
    assert top.groups[["entrants", "leavers"]].values.tolist() == [[1, 1]]
    json.dumps(top.to_dict(), allow_nan=False)
    html = top_share(card.score(june.assign(country="<b>"), as_of=AS_OF), 0.5)._repr_html_()
    assert "&lt;" in html
    # the result carries each creator's country: groups= is not needed for the default
    pd.testing.assert_frame_equal(top_share(new, 0.5).table, top_share(new, 0.5, groups=june).table)
    same = top_share(old, 0.5, previous=old, groups=may)
    assert same.entrants.empty
    assert same.leavers.empty


def test_top_share_leaver_excluded_by_a_gate_names_the_gate() -> None:
    pop = _population(4, 0)
    old = CARD.score(pop, as_of=AS_OF)
    best = old.top(1)["creator_id"].iloc[0]
    gated = Scorecard([Criterion(name="gmv")], gates=[Gate.block_list([best])])
    top = top_share(gated.score(pop, as_of=AS_OF), 0.25, previous=old, groups=pop)
    assert top.leavers["reason"].tolist() == ["left: excluded now: block-listed"]


def test_top_share_bad_input() -> None:
    pop = _population(3, 3)
    res = CARD.score(pop, as_of=AS_OF)
    for frac in (0.0, -0.1, 1.5, float("nan")):
        with pytest.raises(ValidationError, match="frac"):
            top_share(res, frac, groups=pop)
    with pytest.raises(ValidationError, match="groups="):
        top_share(res, by="platform")  # not a column of the result: groups= names it
    with pytest.raises(ValidationError, match="neither the result nor groups= has a 'platform'"):
        top_share(res, by="platform", groups=pop)
    with pytest.raises(ValidationError, match="result"):
        top_share(pop)
    assert len(top_share(res, 1.0, by=None).table) == 6


def test_top_share_of_a_shortlist_reads_its_country() -> None:
    sl = shortlist(CARD, _creators(), campaign={}, as_of=AS_OF)
    top = top_share(sl, 0.5)
    assert top.table.groupby("country")["creator_id"].apply(list).to_dict() == {
        "TH": ["a", "b", "c"],
        "VN": ["d"],
    }


@settings(deadline=None, max_examples=25)
@given(
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=4),
    frac=st.floats(0.01, 1.0),
    seed=st.integers(0, 1000),
)
def test_top_share_counts_property(sizes: list[int], frac: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    pop = pd.DataFrame(
        {
            "creator_id": [f"c{i}" for i in range(n)],
            "gmv": rng.integers(0, 5, n).astype(float),
            "country": np.repeat([f"m{i}" for i in range(len(sizes))], sizes),
        }
    )
    top = top_share(CARD.score(pop, as_of=AS_OF), frac, groups=pop)
    counts = top.table.groupby("country").size()
    for i, size in enumerate(sizes):
        expected = math.ceil(round(frac * size, 9))
        assert counts[f"m{i}"] == expected
    assert (top.table["group_rank"] <= top.table["top_count"]).all()


# --- backtest --------------------------------------------------------------------------
T0, T1 = "2026-05-31T00:00:00+00:00", "2026-06-30T00:00:00+00:00"


def _dated() -> dict[str, pd.DataFrame]:
    """Six creators, one post before T0 and one after (plus a late outlier before T1)."""
    ids = [f"c{i}" for i in range(6)]
    before = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    after = [2.0, 1.0, 4.0, 3.0, 6.0, 5.0]
    rows = pd.DataFrame(
        {
            "content_id": [f"p{i}" for i in range(12)],
            "creator_id": ids + ids,
            "published_at": pd.to_datetime(
                ["2026-05-15T00:00:00Z"] * 6 + ["2026-06-15T00:00:00Z"] * 6
            ),
            "views": [1000] * 12,
            "gmv": before + after,
            "currency": ["USD"] * 12,
        }
    )
    creators = pd.DataFrame({"creator_id": ids, "followers": [600, 500, 400, 300, 200, 100]})
    return {"creators": creators, "content": rows}


def test_backtest_hand_case_against_scipy_and_by_hand() -> None:
    bt = backtest(
        CARD, _dated(), periods=[T0, T1], outcome="gmv", k=2, naive=["followers"], as_of=T1
    )
    row = bt.table.set_index("ranking")
    # the score at T0 ranks by May GMV (the June post is not known then)
    rho = spearmanr([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5]).statistic
    assert row.loc["score", "spearman"] == pytest.approx(rho)
    half = 1.959963984540054 * math.sqrt((1 + rho**2 / 2) / 3)
    assert row.loc["score", "spearman_low"] == pytest.approx(math.tanh(math.atanh(rho) - half))
    assert row.loc["score", "spearman_high"] == pytest.approx(math.tanh(math.atanh(rho) + half))
    # top 2 by score: c5, c4; top 2 by outcome: c4, c5 → 2 hits; random 2/6
    assert row.loc["score", ["hits", "precision_at_k"]].tolist() == [2, 1.0]
    assert row.loc["score", "lift"] == pytest.approx(3.0)
    assert row.loc["followers", "spearman"] == pytest.approx(-rho)
    assert row.loc["followers", "hits"] == 0
    periods = bt.periods.iloc[0]
    assert periods[["scored", "with_outcome", "no_outcome"]].tolist() == [6, 6, 0]
    pairs = bt.pairs
    assert pairs["outcome"].tolist() == [2.0, 1.0, 4.0, 3.0, 6.0, 5.0]


def test_backtest_uses_only_data_known_at_each_decision() -> None:
    tables = _dated()
    late = (
        tables["content"]
        .iloc[[0]]
        .assign(content_id="late", gmv=1000.0, published_at=pd.Timestamp("2026-06-01T00:00:00Z"))
    )
    tables["content"] = pd.concat([tables["content"], late], ignore_index=True)
    bt = backtest(CARD, tables, periods=[T0, T1], outcome="gmv", k=2, naive=[], as_of=T1)
    scores = bt.pairs.set_index("creator_id")["score"]
    cut = _dated()  # the 1000 GMV post of June 1 is unknown at May 31
    cut["content"] = cut["content"][cut["content"]["published_at"] <= pd.Timestamp(T0)]
    alone = CARD.score(cut, as_of=T0).table.set_index("creator_id")["score"]
    assert scores.to_dict() == alone.to_dict()
    assert scores["c0"] == scores.min()
    assert bt.pairs.set_index("creator_id").loc["c0", "outcome"] == 1002.0


def test_backtest_reports_creators_without_an_outcome() -> None:
    tables = _dated()
    content = tables["content"]
    tables["content"] = content[~((content["creator_id"] == "c0") & (content["gmv"] == 2.0))]
    bt = backtest(CARD, tables, periods=[T0, T1], outcome="gmv", k=2, naive=[], as_of=T1)
    assert bt.periods.iloc[0][["scored", "with_outcome", "no_outcome"]].tolist() == [6, 5, 1]
    assert any(n.code == "no_outcome" and n.count == 1 for n in bt.warnings)


def test_backtest_bad_periods() -> None:
    tables = _dated()
    pairs = [(T0, T1), ("2026-06-15T00:00:00+00:00", "2026-07-15T00:00:00+00:00")]
    with pytest.raises(ValidationError, match="overlap"):
        backtest(CARD, tables, periods=pairs, outcome="gmv", as_of="2026-08-01T00:00:00+00:00")
    with pytest.raises(ValidationError, match="no outcome"):
        backtest(CARD, tables, periods=[T0, T1], outcome="gmv", as_of="2026-06-01T00:00:00Z")
    with pytest.raises(ValidationError, match="no scored creator has an outcome"):
        backtest(CARD, tables, periods=[T1, "2026-07-30T00:00:00Z"], outcome="gmv", naive=[])
    with pytest.raises(ValidationError, match="before it starts"):
        backtest(CARD, tables, periods=[(T1, T0)], outcome="gmv")
    with pytest.raises(ValidationError, match="at least two"):
        backtest(CARD, tables, periods=[T0], outcome="gmv")
    with pytest.raises(ValidationError, match="Did you mean 'roi'"):
        backtest(CARD, tables, periods=[T0, T1], outcome="rio")
    with pytest.raises(ValidationError, match="tables"):
        backtest(CARD, tables["creators"], periods=[T0, T1])


def test_backtest_roi_counts_outcomes_not_matured() -> None:
    world = ck.datasets.synthetic(seed=2, n_creators=300, model="truth_model@1")
    card = Scorecard([Criterion(name="gpm"), Criterion(name="cvr")], currency="USD")
    ends = ["2026-04-30T23:59:59+00:00", "2026-05-31T23:59:59+00:00", "2026-06-30T23:59:59Z"]
    with pytest.raises(ValidationError, match="no scored creator has an outcome"):
        backtest(card, world, periods=ends, outcome="roi", k=5)  # June: none matured yet
    bt = backtest(card, world, periods=ends[:2], outcome="roi", k=5, maturity="45D")
    info = bt.periods
    assert (info["scored"] == info["with_outcome"] + info["no_outcome"]).all()
    assert info["not_matured"].iloc[-1] > 0  # late-May posts: sales and refunds still open
    assert info["outcome_known_at"].iloc[-1] == world.as_of
    assert any(n.code == "immature_outcome" for n in bt.warnings)
    assert bt.summary["ranking"].tolist() == ["score", "gmv", "followers", "engagement_rate"]
    json.dumps(bt.to_dict(), allow_nan=False)


# --- allocate --------------------------------------------------------------------------
def _three() -> pd.DataFrame:
    return pd.DataFrame({"creator_id": ["a", "b", "c"], "ret": [300.0, 200.0, 100.0]})


def test_allocate_three_creators_by_hand() -> None:
    # b = 100, a_i = E_i / ln 2; all funded: Σ(a_i/λ − b) = 300 → λ = Σa / 600 = 1/ln 2
    res = allocate(_three(), 300.0, expected="ret", reference=100.0, curvature=100.0)
    t = res.table
    assert res.marginal == pytest.approx(1 / math.log(2))
    assert t["a"].tolist() == pytest.approx(
        [300 / math.log(2), 200 / math.log(2), 100 / math.log(2)]
    )
    assert t["amount"].tolist() == pytest.approx([200.0, 100.0, 0.0])
    assert t["share"].sum() == pytest.approx(1.0)
    assert t["marginal_return"].tolist() == pytest.approx([1 / math.log(2)] * 3)
    assert t["expected_return"].iloc[0] == pytest.approx(300 / math.log(2) * math.log(3))


def test_allocate_with_a_cap_by_hand() -> None:
    # a capped at 150; b, c share 150: λ = (300/ln2) / (150 + 200)
    res = allocate(
        _three(), 300.0, expected="ret", reference=100.0, curvature=100.0, max_per_creator=150.0
    )
    t = res.table.set_index("creator_id")
    lam = (300 / math.log(2)) / 350
    assert res.marginal == pytest.approx(lam)
    assert t["amount"].tolist() == pytest.approx([150.0, 350 * 2 / 3 - 100, 350 / 3 - 100])
    assert t.loc["a", "status"] == "at_cap"
    assert t.loc["a", "marginal_return"] > lam
    assert t.loc[["b", "c"], "marginal_return"].tolist() == pytest.approx([lam, lam])


def test_allocate_minimums_prices_and_budget_below_minimums() -> None:
    prices = {"a": 10.0, "b": 10.0, "c": 80.0}
    res = allocate(
        _three(),
        300.0,
        expected="ret",
        reference=100.0,
        curvature=100.0,
        prices=prices,
        min_per_creator=20.0,
    )
    t = res.table.set_index("creator_id")
    assert (t["amount"] >= t["lower"] - 1e-9).all()
    assert t.loc["c", "lower"] == 80.0
    assert t.loc["c", "status"] == "at_minimum"
    assert t.loc["c", "marginal_return"] < res.marginal
    assert t["amount"].sum() == pytest.approx(300.0)
    with pytest.raises(ValidationError, match=r"budget 100 is below the sum of minimums 120"):
        allocate(
            _three(), 100.0, expected="ret", reference=100.0, prices=prices, min_per_creator=20.0
        )
    with pytest.raises(ValidationError, match="caps must be at least"):
        allocate(_three(), 300.0, expected="ret", min_per_creator=50.0, max_per_creator=10.0)


def test_allocate_exp_response_equalizes_marginal_returns() -> None:
    res = allocate(
        _three(), 300.0, expected="ret", reference=100.0, curvature=100.0, response="exp"
    )
    t = res.table
    funded = t[t["status"] == "funded"]
    assert funded["marginal_return"].tolist() == pytest.approx([res.marginal] * len(funded))
    a = t["a"].to_numpy()
    assert a[0] == pytest.approx(300 / (1 - math.exp(-1)))
    assert t["amount"].sum() == pytest.approx(300.0)


def test_allocate_pools_curvature_per_peer_group_by_median_reference() -> None:
    frame = pd.DataFrame(
        {
            "creator_id": list("abcde"),
            "ret": [1.0, 2.0, 3.0, 4.0, 5.0],
            "price": [10.0, 30.0, 20.0, 100.0, 300.0],
            "tier": ["s", "s", "s", "m", "m"],
        }
    )
    res = allocate(frame, 500.0, expected="ret", reference="price", by="tier")
    assert res.table["b"].tolist() == [20.0, 20.0, 20.0, 200.0, 200.0]


def test_allocate_unspent_budget_when_every_cap_is_reached() -> None:
    res = allocate(_three(), 1000.0, expected="ret", reference=100.0, max_per_creator=100.0)
    assert res.spent == pytest.approx(300.0)
    assert any(n.code == "budget_unspent" for n in res.warnings)


def test_allocate_of_an_empty_shortlist_funds_no_one_and_says_so() -> None:
    sl = shortlist(CARD, _creators(), campaign={"markets": ["US"]}, as_of=AS_OF)
    assert sl.eligible == 0
    res = allocate(sl, 1000.0)
    assert len(res.table) == 0
    assert res.spent == 0.0
    unspent = [n for n in res.warnings if n.code == "budget_unspent"]
    assert unspent[0].count == 1000
    assert "empty shortlist" in unspent[0].message


def test_scorecard_on_content_before_any_post_gives_no_values_not_an_error() -> None:
    content = pd.DataFrame(
        {
            "content_id": ["p1", "p2"],
            "creator_id": ["a", "b"],
            "published_at": pd.to_datetime(["2026-07-02", "2026-07-03"], utc=True),
            "views": [100, 200],
            "orders": [1, 4],
            "clicks": [10, 20],
            "gmv": [5.0, 20.0],
        }
    )
    tables = {"creators": _creators()[["creator_id"]], "content": content}
    card = Scorecard([Criterion(name="cvr"), Criterion(name="gmv")])
    res = card.score(tables, as_of=AS_OF)  # every post is after as_of
    assert res.table["cvr"].isna().all()
    assert any(n.code == "criterion_empty" and n.subject == "cvr" for n in res.warnings)
    empty = card.score({**tables, "content": content.iloc[:0]}, as_of=AS_OF)
    assert empty.table["cvr"].isna().all()


def test_allocate_bad_input_names_the_argument() -> None:
    with pytest.raises(ValidationError, match="response"):
        allocate(_three(), 100.0, expected="ret", response="linear")
    with pytest.raises(ValidationError, match="expected"):
        allocate(_three(), 100.0, expected={"a": 1.0})  # b and c missing
    with pytest.raises(ValidationError, match="budget"):
        allocate(_three(), 0.0, expected="ret")
    with pytest.raises(ValidationError, match="expected"):
        allocate(_three().assign(ret=[1.0, -1.0, 2.0]), 100.0, expected="ret")


def test_allocate_from_a_score_result_is_deterministic_and_leaves_inputs_alone() -> None:
    pop = _population(5, 5)
    res = CARD.score(pop, as_of=AS_OF)
    before = res.table
    one = allocate(res, 1000.0, min_per_creator=10.0)
    two = allocate(res, 1000.0, min_per_creator=10.0)
    pd.testing.assert_frame_equal(one.table, two.table)
    pd.testing.assert_frame_equal(before, res.table)
    json.dumps(one.to_dict(), allow_nan=False)


@settings(deadline=None, max_examples=30)
@given(
    ret=st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 1000.0)), min_size=2, max_size=6),
    budget=st.floats(10.0, 2000.0),
    cap=st.floats(50.0, 2000.0),
    response=st.sampled_from(["log", "exp"]),
)
def test_allocate_matches_a_numerical_optimizer(
    ret: list[float], budget: float, cap: float, response: str
) -> None:
    frame = pd.DataFrame({"creator_id": [f"c{i}" for i in range(len(ret))], "ret": ret})
    if sum(ret) == 0:
        return
    res = allocate(
        frame,
        budget,
        expected="ret",
        reference=100.0,
        curvature=100.0,
        max_per_creator=cap,
        response=response,
    )
    a = res.table["a"].to_numpy()
    x = res.table["amount"].to_numpy()

    def total(v: np.ndarray) -> float:
        u = np.maximum(v, 0) / 100.0
        return float(-(a * (np.log1p(u) if response == "log" else -np.expm1(-u))).sum())

    spend = min(budget, cap * sum(r > 0 for r in ret))  # no return: only the minimum
    start = np.full(len(ret), spend / len(ret))
    best = minimize(
        total,
        start,
        bounds=[(0, cap)] * len(ret),
        constraints=[{"type": "eq", "fun": lambda v: v.sum() - spend}],
        method="SLSQP",
        options={"ftol": 1e-12, "maxiter": 500},
    )
    assert -total(x) >= -best.fun - 1e-6 * max(1.0, abs(best.fun))
    assert x.sum() == pytest.approx(spend, rel=1e-9)
    funded = res.table["status"] == "funded"
    assert np.allclose(res.table["marginal_return"][funded], res.marginal, rtol=1e-6)
    assert (
        res.table["marginal_return"][res.table["status"] == "at_minimum"]
        <= res.marginal * (1 + 1e-9)
    ).all()
