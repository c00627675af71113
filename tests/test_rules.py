"""Custom rules: protocol, registry, entry points on request, check_rule, use in scorecards."""

from __future__ import annotations

import importlib.metadata

import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit import rules
from creatorkit.errors import ValidationError
from creatorkit.rules import FunctionRule

AS_OF = "2026-06-30T00:00:00+00:00"
TABLE = pd.DataFrame(
    {"creator_id": ["a", "b", "c"], "likes": [10.0, 40.0, 5.0], "posts": [2.0, 4.0, 0.0]}
)


def _per_post(t: pd.DataFrame) -> pd.Series:
    return t["likes"] / t["posts"].where(t["posts"] > 0)


def test_a_registered_rule_is_a_criterion():
    rule = rules.register("likes_per_post_t", needs=("likes", "posts"), replace=True)(_per_post)
    try:
        assert isinstance(rule, rules.Rule)
        ck.testing.check_rule(rule)
        card = ck.Scorecard([ck.Criterion(name="likes_per_post_t", missing="penalize")])
        res = card.score(TABLE, as_of=AS_OF).table.set_index("creator_id")
        assert res.loc[["a", "b"], "likes_per_post_t"].tolist() == [5.0, 10.0]
        assert res.loc["c", "score"] == 0.0
        assert res.loc["b", "score"] == 100.0
    finally:
        rules.registry.unregister("likes_per_post_t")


def test_check_rule_refuses_mutation_wrong_index_and_infinities():
    def mutate(t: pd.DataFrame) -> pd.Series:
        t["likes"] = 0.0
        return t["likes"]

    bad = [
        FunctionRule(name="mutates", function=mutate, needs=("likes",)),
        FunctionRule(name="reindexes", function=lambda t: t["likes"].reset_index(drop=True)),
        FunctionRule(name="infinite", function=lambda t: t["likes"] / 0.0, needs=("likes",)),
    ]
    for rule in bad:
        with pytest.raises(AssertionError):
            ck.testing.check_rule(rule)
        with pytest.raises(ValidationError):
            rules.evaluate(rule, TABLE.set_index(pd.Index(["x", "y", "z"])))


def test_a_mutating_rule_is_refused_at_scoring_time():
    def mutate(t: pd.DataFrame) -> pd.Series:
        t.loc[t.index[0], "likes"] = -1.0
        return t["likes"]

    rules.register("mutating_t", needs=("likes",), replace=True)(mutate)
    try:
        with pytest.raises(ValidationError, match="modified its input"):
            ck.Scorecard([ck.Criterion(name="mutating_t")]).score(TABLE, as_of=AS_OF)
        assert TABLE["likes"].tolist() == [10.0, 40.0, 5.0]
    finally:
        rules.registry.unregister("mutating_t")


def test_entry_points_load_only_when_called(monkeypatch):
    calls = []

    class Point:
        name = "plugin_rule"
        value = "pkg:rule"

        def load(self) -> FunctionRule:
            return FunctionRule(name="plugin_rule", function=lambda t: t["likes"] * 1.0)

    def entry_points(*, group: str) -> list[Point]:
        calls.append(group)
        return [Point()]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    ck.Scorecard.from_dict(ck.Scorecard([ck.Criterion(name="plugin_rule")]).to_dict())
    assert calls == []
    try:
        assert rules.load_entry_points() == ("plugin_rule",)
        assert calls == ["creatorkit.rules"]
        assert "plugin_rule" in rules.registry
    finally:
        rules.registry.unregister("plugin_rule")


def test_registry_refuses_non_rules_and_bad_directions():
    with pytest.raises(ValidationError):
        rules.registry.register("x", object())
    with pytest.raises(ValidationError, match="direction"):
        rules.register("y", direction="up")
    with pytest.raises(ValidationError, match="named"):
        rules.registry.register("z", FunctionRule(name="other", function=_per_post))
    values = rules.evaluate(FunctionRule(name="n", function=_per_post), TABLE)
    np.testing.assert_array_equal(values, [5.0, 10.0, np.nan])
