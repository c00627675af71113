"""Scorecard specs (round trip, hostile input), presets and compiled scorecards."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit.errors import ValidationError
from creatorkit.scoring import PRESETS, Criterion, Gate, Scorecard

AS_OF = "2026-06-30T00:00:00+00:00"


def _card() -> Scorecard:
    return Scorecard(
        [
            Criterion(name="a", weight=0.6, peers=[["cat", "mk"], ["cat"]], min_group=3),
            Criterion(name="b", weight=0.4, direction="lower", normalizer="minmax"),
        ],
        gates=[Gate.followers(2_000), Gate.market(["p", "q"])],
        id="brand/test",
        version=3,
    )


def _frame(n: int = 80, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "creator_id": [f"c{i:03d}" for i in range(n)],
            "a": rng.integers(0, 30, n).astype(float),
            "b": rng.normal(size=n).round(2),
            "cat": rng.choice(["x", "y"], n),
            "country": rng.choice(["p", "q", "r"], n),
            "followers": rng.integers(1_000, 60_000, n),
        }
    ).assign(mk=lambda d: d["country"])


def test_spec_round_trips_through_json_with_the_same_scores_and_hash():
    card = _card()
    text = card.to_json()
    again = Scorecard.from_json(text)
    assert again == card
    assert again.spec_hash == card.spec_hash
    a = card.score(_frame(), as_of=AS_OF)
    b = again.score(_frame(), as_of=AS_OF)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.method.spec_hash == b.method.spec_hash
    assert json.loads(text)["version"] == 3
    json.dumps(a.to_dict(), allow_nan=False)


def test_every_preset_loads_and_round_trips():
    assert len(PRESETS) == 12
    for name, versions in PRESETS.items():
        card = Scorecard.preset(name)
        assert card.version == max(versions)
        assert Scorecard.from_dict(card.to_dict()) == card
        assert abs(sum(c.weight for c in card.criteria) - 1) < 1e-5


def test_hostile_specs_are_refused_with_json_paths():
    spec = _card().to_dict()
    spec["criteria"][1]["weight"] = "heavy"
    spec["criteria"][0]["code"] = "__import__('os')"
    spec["gates"][0]["op"] = 3
    spec["extra"] = 1
    with pytest.raises(ValidationError) as info:
        Scorecard.from_dict(spec)
    columns = set(info.value.failure_cases["column"])
    assert {"$.criteria[1].weight", "$.criteria[0].code", "$.gates[0].op", "$.extra"} <= columns
    bad = _card().to_dict() | {"schema_version": 99}
    with pytest.raises(ValidationError, match="reads schema_version 1"):
        Scorecard.from_dict(bad)
    with pytest.raises(ValidationError, match="criteria"):
        Scorecard.from_dict(_card().to_dict() | {"criteria": [{"name": "a", "weight": -1}]})
    with pytest.raises(ValidationError, match="must be an object"):
        Scorecard.from_dict([1, 2])


def test_deep_or_huge_json_is_refused_fast():
    started = time.perf_counter()
    with pytest.raises(ValidationError, match="nested deeper"):
        Scorecard.from_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValidationError, match="larger than max_bytes"):
        Scorecard.from_json(" " * 10_000_001)
    with pytest.raises(ValidationError, match="larger than max_bytes"):
        Scorecard.from_json(_card().to_json(), max_bytes=100)
    with pytest.raises(ValidationError, match="not valid JSON"):
        Scorecard.from_json("{")
    with pytest.raises(ValidationError, match="NaN is not allowed"):
        Scorecard.from_json('{"kind": NaN}')
    assert time.perf_counter() - started < 1.0


def test_loading_a_spec_never_imports_a_plugin(monkeypatch):
    import importlib.metadata

    def boom(**_: object) -> None:
        raise AssertionError("entry points were read")

    monkeypatch.setattr(importlib.metadata, "entry_points", boom)
    spec = _card().to_dict()
    spec["criteria"][0]["name"] = "some_plugin_rule"
    card = Scorecard.from_dict(spec)  # the name is data until scoring resolves it
    with pytest.raises(ValidationError, match="not a column, metric or rule"):
        card.score(_frame(), as_of=AS_OF)


def test_compiled_equals_score_on_the_reference_and_outliers_move_no_one():
    frame = _frame(300)
    card = _card()
    res = card.score(frame, as_of=AS_OF).table.set_index("creator_id")
    compiled = card.compile(frame, as_of=AS_OF)
    out = compiled.score(frame).set_index("creator_id")
    scored = out[out["excluded"].isna()]
    assert set(scored.index) == set(res.index)
    np.testing.assert_allclose(scored["score"], res["score"].reindex(scored.index), atol=1e-9)
    assert set(out.loc[out["excluded"].notna()].index).isdisjoint(res.index)
    outlier = frame.iloc[[0]].assign(creator_id="new", a=1e9, followers=50_000, country="p")
    again = compiled.score(pd.concat([frame, outlier.assign(mk="p")], ignore_index=True))
    np.testing.assert_array_equal(again["score"].to_numpy()[:-1], out["score"].to_numpy())
    assert again["score"].iloc[-1] <= 100.0


def test_compiled_batch_and_missing_columns():
    frame = _frame(200)
    compiled = _card().compile(frame, as_of=AS_OF)
    with pytest.raises(ValidationError, match="missing"):
        compiled.score(frame.drop(columns=["a"]))
    one = compiled.score(frame.iloc[[5]])
    assert one["creator_id"].tolist() == ["c005"]


def test_metric_criteria_reject_several_currencies_without_a_reporting_currency():
    data = ck.datasets.synthetic(seed=0, n_creators=80, model="truth_model@1")
    money = Scorecard([Criterion(name="cost")])
    with pytest.raises(ValidationError, match="currenc"):
        money.score(data, as_of=data.as_of)
    usd = Scorecard([Criterion(name="cost")], currency="USD").score(data, as_of=data.as_of)
    assert np.isfinite(usd.table["score"]).all()


def test_compiled_shrinks_new_rows_toward_the_frozen_group_prior():
    rng = np.random.default_rng(4)
    n = 200
    trials = rng.integers(50, 500, n).astype(float)
    ref = pd.DataFrame(
        {
            "creator_id": [f"c{i:03d}" for i in range(n)],
            "r": rng.binomial(trials.astype(int), 0.1) / trials,
            "r_trials": trials,
            "r_n": np.full(n, 10.0),
        }
    )
    card = Scorecard([Criterion(name="r", low_data="shrink")])
    table = card.score(ref, as_of=AS_OF).table
    compiled = card.compile(ref, as_of=AS_OF)
    prior = table["r_prior"].mean()
    kappa = table["r_strength"].mean()
    lucky = pd.DataFrame({"creator_id": ["koc"], "r": [1.0], "r_trials": [2.0], "r_n": [2.0]})
    shrunk = (2.0 + kappa * prior) / (2.0 + kappa)
    score = compiled.score(lucky)["score"].iloc[0]
    frozen = np.sort(table["r_shrunk"].to_numpy())
    expected = (np.searchsorted(frozen, shrunk) + 0.5) / n * 100  # between reference values
    assert score == pytest.approx(min(expected, 100.0))
    assert score < 100.0
    with pytest.raises(ValidationError, match="r_trials"):
        compiled.score(lucky.drop(columns=["r_trials", "r_n"]))


def _compiled_world() -> tuple[ck.scoring.CompiledScorecard, ck.datasets.Dataset]:
    data = ck.datasets.synthetic(seed=3, n_creators=400, model="truth_model@1")
    card = Scorecard.preset("beauty/sales", currency="USD")
    card = Scorecard(card.criteria, gates=[Gate.min_data("posts", 1)], currency="USD")
    return card.compile(data, as_of=data.as_of), data


def test_a_compiled_scorecard_round_trips_through_json_digit_for_digit():
    compiled, data = _compiled_world()
    text = json.dumps(compiled.to_dict(), allow_nan=False)
    back = ck.scoring.CompiledScorecard.from_dict(json.loads(text))
    assert back.scorecard.spec_hash == compiled.scorecard.spec_hash
    assert back.reference_size == compiled.reference_size
    expected = compiled.score(data, as_of=data.as_of)
    pd.testing.assert_frame_equal(back.score(data, as_of=data.as_of), expected)
    one = {"creators": data.creators.iloc[[7]], "content": data.content, "fx_rates": data.fx_rates}
    pd.testing.assert_frame_equal(
        back.score(one, as_of=data.as_of), compiled.score(one, as_of=data.as_of)
    )
    assert json.dumps(back.to_dict(), allow_nan=False) == text  # a fixed point


def test_a_hostile_compiled_scorecard_is_refused_with_json_paths():
    compiled, _ = _compiled_world()
    good = compiled.to_dict()

    def refused(change, path):
        data = json.loads(json.dumps(good))
        change(data)
        with pytest.raises(ValidationError) as err:
            ck.scoring.CompiledScorecard.from_dict(data)
        assert any(c.startswith(path) for c in err.value.failure_cases["column"]), str(err.value)

    refused(lambda d: d.update(extra=1), "$.extra")
    refused(lambda d: d.update(schema_version=2), "$.kind")
    refused(lambda d: d.update(spec_hash="0" * 16), "$.spec_hash")
    refused(lambda d: d["scorecard"]["criteria"][0].update(name="__import__"), "$.criteria")
    refused(lambda d: d["criteria"][0].update(values="1,2,3"), "$.criteria[0].values")
    refused(lambda d: d["criteria"][0]["offsets"].append(10**9), "$.criteria[0].offsets")
    refused(lambda d: d["criteria"][1]["keys"][0][0].__setitem__(-1, 10**6), "$.criteria[1].keys")
    refused(lambda d: d["criteria"][2].pop("prior"), "$.criteria[2].prior")
    refused(lambda d: d["criteria"].pop(), "$.criteria")
    with pytest.raises(ValidationError):
        ck.scoring.CompiledScorecard.from_dict([1, 2])
