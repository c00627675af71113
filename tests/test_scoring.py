"""Scorecards: scores against an independent pandas formula, gates, policies, explain."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit.errors import ValidationError
from creatorkit.scoring import Criterion, Gate, Scorecard, _shrink

AS_OF = "2026-06-30T00:00:00+00:00"


def _frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "creator_id": [f"c{i:03d}" for i in range(n)],
            "a": rng.integers(0, 20, n).astype(float),
            "b": rng.normal(size=n).round(3),
            "cat": rng.choice(["x", "y"], n),
            "mk": rng.choice(["p", "q", "r"], n),
            "followers": rng.integers(1_000, 200_000, n),
        }
    )


def test_weighted_sum_equals_pandas_rank_pct_within_groups():
    t = _frame()
    card = Scorecard(
        [
            Criterion(name="a", weight=0.7, peers=[["cat"]], min_group=1),
            Criterion(name="b", weight=0.3, direction="lower", peers=[["cat"]], min_group=1),
        ]
    )
    res = card.score(t, as_of=AS_OF).table.set_index("creator_id")
    a = t.groupby("cat")["a"].rank(pct=True)
    b = (t.groupby("cat")["b"].transform("size") + 1 - t.groupby("cat")["b"].rank()) / (
        t.groupby("cat")["b"].transform("size")
    )
    expected = pd.Series(100 * (0.7 * a + 0.3 * b).to_numpy(), index=t["creator_id"])
    np.testing.assert_allclose(res["score"].reindex(expected.index), expected, rtol=1e-12)
    np.testing.assert_allclose(res["contribution_a"].reindex(expected.index), 70 * a.to_numpy())
    parts = res[["contribution_a", "contribution_b"]].sum(axis=1)
    np.testing.assert_allclose(parts, res["score"], rtol=0, atol=1e-12)


def test_rank_ties_broken_by_id_and_percentile():
    t = pd.DataFrame({"creator_id": ["b", "a", "c"], "x": [1.0, 1.0, 2.0]})
    res = Scorecard([Criterion(name="x")]).score(t, as_of=AS_OF).top(3)
    assert res["creator_id"].tolist() == ["c", "a", "b"]
    assert res["rank"].tolist() == [1, 2, 3]
    np.testing.assert_allclose(res["percentile"], [100.0, 50.0, 50.0])


def test_fallback_follows_the_declared_order_and_is_flagged():
    t = pd.DataFrame(
        {
            "creator_id": list("abcdef"),
            "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "cat": ["u", "u", "u", "v", "v", "w"],
            "mk": ["p", "p", "q", "q", "q", "q"],
        }
    )
    card = Scorecard([Criterion(name="x", peers=[["cat", "mk"], ["cat"]], min_group=2)])
    res = card.score(t, as_of=AS_OF)
    table = res.table.set_index("creator_id")
    # (u, p) and (v, q) have 2 rows; c falls back to cat=u alone, f to all creators alone
    level = res.peers.set_index("group")["level"]
    assert level[table.loc[["a", "b", "d", "e"], "x_peer_group"]].tolist() == [0, 0, 0, 0]
    assert level[table.loc["c", "x_peer_group"]] == 1
    assert level[table.loc["f", "x_peer_group"]] == 2
    np.testing.assert_allclose(table.loc[["a", "b", "c", "f"], "score"], [50.0, 100.0, 100, 100])
    codes = {n.code for n in res.warnings}
    assert {"peer_fallback", "small_peer_group"} <= codes
    why = res.explain("f")
    assert why.table["fallback"].tolist() == [True]
    assert why.table["peer_group"].tolist() == ["all creators left after falling back"]


def test_gates_exclude_with_reasons_and_are_never_ranked():
    t = _frame().assign(gmv=lambda d: np.where(d.index == 0, 1e9, 10.0))
    t.loc[0, "followers"] = 10  # the best GMV is gated anyway
    card = Scorecard(
        [Criterion(name="gmv")],
        gates=[Gate.followers(20_000), Gate.market(["p", "q"]), Gate.block_list(["c001"])],
    )
    res = card.score(t.rename(columns={"mk": "country"}), as_of=AS_OF)
    ranked = set(res.table["creator_id"])
    gone = res.exclusions
    assert "c000" in set(gone["creator_id"])
    assert "c000" not in ranked
    assert not ranked & set(gone["creator_id"])
    assert set(gone.loc[gone["creator_id"] == "c001", "reason"]) >= {"block-listed"}
    assert "followers >= 20000" in set(gone["reason"])
    assert res.explain("c000").sentences[0] == "c000 is excluded: followers >= 20000."
    keep = (t["followers"] >= 20_000) & t["mk"].isin(["p", "q"]) & (t["creator_id"] != "c001")
    assert ranked == set(t.loc[keep, "creator_id"])


def test_missing_value_policies():
    t = pd.DataFrame({"creator_id": list("abcd"), "x": [1.0, 2.0, np.nan, 4.0]})
    score = {
        policy: Scorecard([Criterion(name="x", missing=policy)])
        .score(t, as_of=AS_OF)
        .table.set_index("creator_id")["score"]
        for policy in ("neutral", "penalize")
    }
    np.testing.assert_allclose(score["neutral"]["c"], 100 * (1 / 3 + 2 / 3 + 1) / 3)
    assert score["penalize"]["c"] == 0.0
    with pytest.raises(ValidationError, match="missing='error'"):
        Scorecard([Criterion(name="x", missing="error")]).score(t, as_of=AS_OF)


def test_all_nan_and_constant_columns_are_flagged_not_silent():
    t = pd.DataFrame({"creator_id": list("abc"), "x": [np.nan] * 3, "y": [2.0] * 3})
    res = Scorecard([Criterion(name="x"), Criterion(name="y")]).score(t, as_of=AS_OF)
    assert {"criterion_empty", "constant_criterion"} <= {n.code for n in res.warnings}
    assert np.isfinite(res.table["score"]).all()


def test_weights_normalized_with_a_note_and_negative_refused():
    t = _frame()
    res = Scorecard([Criterion(name="a", weight=2), Criterion(name="b", weight=6)]).score(
        t, as_of=AS_OF
    )
    assert res.weights == (0.25, 0.75)
    assert "weights_normalized" in {n.code for n in res.warnings}
    with pytest.raises(ValidationError, match="weight"):
        Criterion(name="a", weight=-1)
    with pytest.raises(ValidationError, match="must not all be 0"):
        Scorecard([Criterion(name="a", weight=0)]).score(t, as_of=AS_OF)


def test_unknown_names_have_did_you_mean():
    with pytest.raises(ValidationError, match="Did you mean 'followers'"):
        Scorecard([Criterion(name="folowers")]).score(_frame(), as_of=AS_OF)
    with pytest.raises(ValidationError, match="normalizer"):
        Criterion(name="a", normalizer="zscore")
    with pytest.raises(ValidationError, match="Did you mean"):
        Scorecard.preset("beuty/sales")
    with pytest.raises(ValidationError, match="versions"):
        Scorecard.preset("beauty/sales@9")


def test_explain_numbers_and_sentences():
    t = pd.DataFrame({"creator_id": list("abcd"), "x": [1.0, 2.0, 3.0, 4.0], "y": [4.0, 3, 2, 1]})
    res = Scorecard([Criterion(name="x", weight=0.5), Criterion(name="y", weight=0.5)]).score(
        t, as_of=AS_OF
    )
    why = res.explain("c")
    rows = why.table.set_index("criterion")
    assert rows.loc["x", "raw"] == 3.0
    assert rows.loc["x", "benchmark"] == 2.5
    assert rows.loc["x", "normalized"] == 0.75
    assert rows.loc["y", "contribution"] == 25.0
    assert why.score == rows["contribution"].sum() == 62.5
    assert why.sentences[0] == "c scores 62.5 (rank 3 of 4, percentile 62.5)."
    assert "= 37.50 points" in why.sentences[1]
    with pytest.raises(ValidationError, match="neither scored nor excluded"):
        res.explain("zz")
    ck.testing.check_result(res)
    ck.testing.check_result(why)


def test_beta_binomial_prior_matches_hand_computation():
    s = np.array([2.0, 10.0, 60.0, 5.0])
    t = np.array([2.0, 100.0, 200.0, 50.0])
    codes = np.zeros(4, dtype=np.intp)
    out = _shrink.rates(s, t, codes)
    others = [1, 2, 3]  # creator 0's prior uses only the others
    m = s[others].sum() / t[others].sum()
    p = s[others] / t[others]
    rho = (p.var() / (m * (1 - m)) - np.mean(1 / t[others])) / (1 - np.mean(1 / t[others]))
    kappa = 1 / rho - 1
    assert out.prior[0] == pytest.approx(m)
    assert out.strength[0] == pytest.approx(kappa)
    assert out.value[0] == pytest.approx((2 + kappa * m) / (2 + kappa))
    moved = _shrink.rates(np.array([0.0, 10, 60, 5]), t, codes)
    assert moved.prior[0] == out.prior[0]
    assert moved.strength[0] == out.strength[0]


def test_a_koc_with_two_lucky_posts_does_not_top_the_ranking():
    n = 40
    t = pd.DataFrame(
        {
            "creator_id": [f"c{i:02d}" for i in range(n)],
            "cvr": np.r_[1.0, np.linspace(0.05, 0.15, n - 1)],
            "cvr_trials": np.r_[2.0, np.full(n - 1, 400.0)],
            "cvr_n": np.r_[2.0, np.full(n - 1, 20.0)],
        }
    )
    t["cvr_low"] = t["cvr"] * 0.8
    t["cvr_high"] = t["cvr"] * 1.25
    t.loc[0, ["cvr_low", "cvr_high"]] = [0.3, 1.0]
    raw = Scorecard([Criterion(name="cvr")]).score(t, as_of=AS_OF).top(1)
    assert raw["creator_id"].iloc[0] == "c00"
    shrunk = Scorecard([Criterion(name="cvr", low_data="shrink", min_n=5)])
    res = shrunk.score(t, as_of=AS_OF).table.set_index("creator_id")
    assert res.loc["c00", "rank"] > 1
    assert bool(res.loc["c00", "low_data_cvr"])
    assert res.loc["c00", "cvr_shrunk"] < 1.0


def test_metrics_from_content_rows_and_low_data_gate():
    data = ck.datasets.synthetic(seed=1, n_creators=120)
    card = Scorecard(
        [
            Criterion(name="gpm", peers=[["category"]], low_data="shrink"),
            Criterion(name="like_rate", low_data="shrink"),
            Criterion(name="ctr", low_data="gate", min_n=6, where={"content_type": "video"}),
        ]
    )
    res = card.score(data, as_of=data.as_of)
    expected = ck.metrics.compute(
        data.content, ["gpm"], by="creator_id", as_of=data.as_of
    ).to_frame()
    got = res.table.set_index("creator_id")["gpm"]
    want = expected.set_index("creator_id")["gpm"].reindex(got.index)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert (res.table["ctr_n"] >= 6).all()
    assert set(res.exclusions["gate"]) == {"ctr"}
    assert res.method.parameters["scorecard_hash"] == card.spec_hash


def test_preset_scores_the_synthetic_world():
    data = ck.datasets.synthetic(seed=0, n_creators=400)
    card = Scorecard.preset("beauty", "sales")
    assert card.to_dict()["id"] == "beauty/sales"
    assert card.version == 1
    res = card.score(data, as_of=data.as_of)
    table = res.table
    assert len(table) > 0
    assert np.isfinite(table["score"]).all()
    gone = set(res.exclusions["creator_id"])
    creators = data.creators.set_index("creator_id")
    small = set(creators.index[creators["followers"] < 20_000])
    assert small <= gone
    weights = pd.Series(res.weights, index=res.criteria)
    assert weights.idxmax() == "cvr"  # beauty weighs conversion
    home = Scorecard.preset("home/sales@1")
    home_w = {c.name: c.weight for c in home.criteria}
    assert (
        home_w["completion_rate"]
        > dict(zip(res.criteria, res.weights, strict=True))["completion_rate"]
    )


def test_uncertainty_is_seeded_and_off_by_default():
    data = ck.datasets.synthetic(seed=2, n_creators=150)
    card = Scorecard([Criterion(name="cvr", low_data="shrink"), Criterion(name="gpm")])
    plain = card.score(data, as_of=data.as_of)
    assert "score_low" not in plain.table
    opts = {"draws": 40, "seed": 3, "top_k": 5, "by": "market"}
    a = card.score(data, as_of=data.as_of, uncertainty=opts).table
    b = card.score(data, as_of=data.as_of, uncertainty=opts).table
    pd.testing.assert_frame_equal(a, b)
    assert ((a["chance_top_k"] >= 0) & (a["chance_top_k"] <= 1)).all()
    assert (a["score_low"] <= a["score_high"]).all()
    assert (
        a.set_index("creator_id")["country"]
        == data.creators.set_index("creator_id")["country"].reindex(a["creator_id"])
    ).all()
    total = a.groupby("market")["chance_top_k"].sum()
    np.testing.assert_allclose(total, np.minimum(5, a.groupby("market").size()))
    with pytest.raises(ValidationError, match="unknown option"):
        card.score(data, as_of=data.as_of, uncertainty={"draw": 10})


def test_without_sampling_variation_the_interval_is_the_score():
    t = pd.DataFrame({"creator_id": list("abcd"), "x": [1.0, 2.0, 3.0, 4.0]})
    res = Scorecard([Criterion(name="x")]).score(t, as_of=AS_OF, uncertainty={"top_k": 2})
    table = res.table.set_index("creator_id")
    np.testing.assert_array_equal(table["score_low"], table["score"])
    np.testing.assert_array_equal(table["score_high"], table["score"])
    assert table["chance_top_k"].tolist() == [0.0, 0.0, 1.0, 1.0]
    assert res.method.parameters["uncertainty"]["draws"] == 200


def test_audience_fit_as_criterion_and_gate():
    from creatorkit import rules
    from creatorkit.scoring import audience_fit

    rule = audience_fit(
        {"country": {"TH": 0.5, "VN": 0.5}, "gender": {"female": 1.0}}, name="fit_t"
    )
    t = pd.DataFrame(
        {
            "country_TH": [0.5, 1.0, np.nan],
            "country_VN": [0.5, 0.0, np.nan],
            "country_US": [0.0, 0.0, np.nan],
            "gender_female": [1.0, 0.4, 0.5],
            "gender_male": [0.0, 0.6, 0.5],
        }
    )
    # creator 1: country TV = ½(0.5 + 0.5) = 0.5, gender TV = ½(0.6 + 0.6) = 0.6
    np.testing.assert_allclose(rule(t), [1.0, 1 - (0.5 + 0.6) / 2, np.nan])
    ck.testing.check_rule(rule, t)
    data = ck.datasets.synthetic(seed=0, n_creators=120)
    rules.registry.register("fit_t", rule)
    try:
        card = Scorecard(
            [Criterion(name="fit_t"), Criterion(name="gpm")],
            gates=[Gate(column="fit_t", op=">=", value=0.3)],
        )
        res = card.score(data, as_of=data.as_of)
        assert (res.table["fit_t"] >= 0.3).all()
        assert "fit_t >= 0.3" in set(res.exclusions["reason"])
    finally:
        rules.registry.unregister("fit_t")
    with pytest.raises(ValidationError, match="sum to 1"):
        audience_fit({"gender": {"female": 0.5}})


def test_compiled_scorecard_scores_raw_rows_as_score_does():
    data = ck.datasets.synthetic(seed=4, n_creators=160)
    card = Scorecard(
        [
            Criterion(name="gpm", weight=0.4, peers=[["tier", "market"], ["tier"]], min_group=8),
            Criterion(name="cvr", weight=0.3, normalizer="minmax", low_data="flag"),
            Criterion(name="completion_rate", weight=0.3, where={"content_type": "video"}),
        ],
        gates=[Gate.min_data("posts", 3)],
    )
    want = card.score(data, as_of=data.as_of)
    compiled = card.compile(data, as_of=data.as_of)
    got = compiled.score(data, as_of=data.as_of).set_index("creator_id")
    kept = got[got["excluded"].isna()]
    assert set(kept.index) == set(want.table["creator_id"])
    table = want.table.set_index("creator_id").reindex(kept.index)
    np.testing.assert_allclose(kept["score"], table["score"], rtol=1e-12, atol=1e-9)
    for c in want.criteria:
        np.testing.assert_allclose(kept[f"contribution_{c}"], table[f"contribution_{c}"], atol=1e-9)
    gone = want.exclusions.drop_duplicates("creator_id").set_index("creator_id")["reason"]
    assert got.loc[gone.index, "excluded"].tolist() == gone.tolist()
    # one creator from its own rows only: the same score as in the batch
    who = str(kept.index[0])
    one = {
        "creators": data.creators[data.creators["creator_id"] == who],
        "content": data.content[data.content["creator_id"] == who],
    }
    alone = compiled.score(one, as_of=data.as_of)
    np.testing.assert_allclose(alone["score"], [kept.loc[who, "score"]], rtol=1e-12)
    # a new creator's rows: computed, then placed in the frozen reference (no one moves)
    rows = data.content[data.content["creator_id"] == who].assign(creator_id="new")
    profile = data.creators[data.creators["creator_id"] == who].assign(creator_id="new")
    new = compiled.score({"creators": profile, "content": rows}, as_of=data.as_of)
    assert new["creator_id"].tolist() == ["new"]
    np.testing.assert_allclose(new["score"], alone["score"], rtol=1e-12)
    with pytest.raises(ValidationError, match="as_of"):
        compiled.score({"creators": profile, "content": rows})


def test_a_criterion_whose_selection_is_empty_gives_no_value_with_a_note():
    data = ck.datasets.synthetic(seed=4, n_creators=60)
    card = Scorecard(
        [Criterion(name="gpm"), Criterion(name="ctr", where={"content_type": ["no such type"]})]
    )
    res = card.score(data, as_of=data.as_of)
    assert res.table["ctr"].isna().all()
    assert (res.table["ctr_n"] == 0).all()
    assert "criterion_empty" in [n.code for n in res.warnings]
    neutral = res.table["ctr_normalized"].to_numpy()
    np.testing.assert_allclose(neutral, 0.5)  # the missing-value policy: neutral


def test_a_metric_criterion_without_its_rows_names_the_table_it_needs():
    frame = pd.DataFrame({"creator_id": ["a", "b"], "x": [1.0, 2.0]})
    for name, table in (("gmv", "content"), ("review_score", "reviews")):
        with pytest.raises(ValidationError, match=f"computed from a '{table}' table") as err:
            Scorecard([Criterion(name=name)]).score(frame, as_of=AS_OF)
        assert err.value.failure_cases["code"].tolist() == ["missing_column"]


def test_imputed_missing_values_carry_a_counted_note():
    t = pd.DataFrame(
        {"creator_id": list("abcd"), "x": [1.0, np.nan, 2.0, 5.0], "y": [1.0, np.nan, np.nan, 2.0]}
    )
    card = Scorecard([Criterion(name="x"), Criterion(name="y", missing="penalize")])
    notes = {(n.code, n.subject): n for n in card.score(t, as_of=AS_OF).warnings}
    assert notes[("missing_neutral", "x")].count == 1
    assert notes[("missing_penalize", "y")].count == 2
    assert notes[("missing_penalize", "y")].message == (
        "y: 2 creators have no value; imputed as 0 (penalized)"
    )
    full = Scorecard([Criterion(name="x")]).score(t.fillna(1.0), as_of=AS_OF)
    assert not [n for n in full.warnings if n.code.startswith("missing_")]


def test_creator_ids_checked_as_frames_validate_checks_them():
    t = pd.DataFrame({"creator_id": ["a", None, "c", "d"], "x": [1.0, 3.0, 2.0, 5.0]})
    card = Scorecard([Criterion(name="x")])
    with pytest.raises(ValidationError) as missing:
        card.score(t, as_of=AS_OF)
    cases = missing.value.failure_cases
    assert cases["column"].tolist() == ["creator_id"]
    assert cases["row"].tolist() == [1]
    assert cases["code"].tolist() == ["missing_value"]
    with pytest.raises(ValidationError) as lossy:
        card.score(t.assign(creator_id=[7.0, 8.0, 9.0, 1e5]), as_of=AS_OF)
    assert set(lossy.value.failure_cases["code"]) == {"lossy_id"}
    with pytest.raises(ValidationError) as same:
        ck.frames.validate(t.assign(creator_id=[7.0, 8.0, 9.0, 1e5]).drop(columns="x"), ck.Creator)
    assert "lossy_id" in set(same.value.failure_cases["code"])
    ints = t.assign(creator_id=[7, 8, 9, 10**17 + 1])
    ids = card.score(ints, as_of=AS_OF).table["creator_id"].tolist()
    assert ids == ["7", "8", "9", "100000000000000001"]


def test_top_share_groups_with_a_duplicated_column_is_refused():
    t = pd.DataFrame({"creator_id": list("abcd"), "x": [1.0, 3.0, 2.0, 5.0], "g": list("ppqq")})
    res = Scorecard([Criterion(name="x")]).score(t, as_of=AS_OF)
    with pytest.raises(ValidationError, match="groups"):
        ck.scoring.top_share(res, frac=0.5, by="g", groups=pd.concat([t, t[["g"]]], axis=1))
    with pytest.raises(ValidationError, match="groups"):
        ck.scoring.top_share(res, frac=0.5, by="g", groups=t.assign(creator_id=[1.5, 2, 3, 4]))
