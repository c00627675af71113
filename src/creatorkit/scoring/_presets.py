"""Shipped presets as versioned data (``"<category>/<goal>@<version>"``).

Reasoning (documented in docs/scoring.md): the seed guidance of a TikTok Shop seller guide
is a follower band per goal (brand promotion 500K+, sales 20K+) and, by goal, what matters
most (awareness: interaction; sales: conversion and GPM); by category, beauty weighs
conversion and home weighs content quality. Every weight below is a judgement built from
that guidance, not a fitted value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from creatorkit._validation import check_choice, did_you_mean, fail
from creatorkit.errors import ErrorCode

if TYPE_CHECKING:
    from creatorkit.scoring._scorecard import Scorecard

CATEGORIES = {
    "beauty": ["beauty"],
    "fashion": ["fashion"],
    "home": ["home"],
    "electronics": ["electronics", "tech"],
    "pets": ["pets"],
    "food": ["food"],
}
GOALS = ("awareness", "sales")
_PEERS = [["tier", "market"], ["tier"]]
# Base weights per goal (a judgement from the seed guidance).
_BASE = {
    "sales": {
        "cvr": 0.30,
        "gpm": 0.30,
        "ctr": 0.15,
        "engagement_rate": 0.10,
        "completion_rate": 0.15,
    },
    "awareness": {
        "engagement_rate": 0.35,
        "views": 0.25,
        "completion_rate": 0.20,
        "share_rate": 0.20,
    },
}
# Category tilts added to the base, then renormalized (a judgement).
_TILT = {
    "beauty": {"cvr": 0.10},
    "fashion": {"engagement_rate": 0.05, "ctr": 0.05},
    "home": {"completion_rate": 0.10},
    "electronics": {"gpm": 0.05, "completion_rate": 0.05},
    "pets": {"engagement_rate": 0.10},
    "food": {"ctr": 0.05, "share_rate": 0.05},
}
_FOLLOWERS = {"sales": 20_000, "awareness": 500_000}
_SHRINK = {"cvr", "gpm", "ctr", "completion_rate", "engagement_rate", "share_rate"}


def _spec(category: str, goal: str) -> dict[str, Any]:
    weights = dict(_BASE[goal])
    for name, extra in _TILT[category].items():
        if name in weights:
            weights[name] += extra
    total = sum(weights.values())
    criteria = [
        {
            "name": name,
            "weight": round(w / total, 6),
            "peers": _PEERS,
            "min_group": 10,
            "low_data": "shrink" if name in _SHRINK else "flag",
            "min_n": 3,
            "normalizer": "percentile" if name != "views" else "log",
        }
        for name, w in weights.items()
    ]
    gates = [
        {"column": "category", "op": "in", "value": CATEGORIES[category]},
        {"column": "followers", "op": ">=", "value": _FOLLOWERS[goal]},
        {"column": "posts", "op": ">=", "value": 3},
    ]
    return {
        "kind": "creatorkit.scorecard",
        "schema_version": 1,
        "id": f"{category}/{goal}",
        "version": 1,
        "description": f"{category} × {goal} preset (weights are judgements)",
        "criteria": criteria,
        "gates": gates,
    }


PRESETS: dict[str, dict[int, dict[str, Any]]] = {
    f"{c}/{g}": {1: _spec(c, g)} for c in CATEGORIES for g in GOALS
}
"""Preset specs by id and version."""


def preset(category: str, goal: str | None = None, *, currency: str | None = None) -> Scorecard:
    """The preset ``category/goal`` (latest version) or ``category/goal@version``."""
    from creatorkit.scoring._specs import load

    if not isinstance(category, str):
        fail("category", "must be a category name or 'category/goal@version'", ErrorCode.WRONG_TYPE)
    name, version = category, None
    if goal is None:
        name, _, tail = category.partition("@")
        if tail:
            if not tail.isdigit():
                fail(
                    "category",
                    "the version after @ must be a whole number",
                    ErrorCode.INVALID_VALUE,
                    value=tail,
                )
            version = int(tail)
    else:
        check_choice("goal", goal, GOALS)
        name = f"{category}/{goal}"
    if name not in PRESETS:
        rule = f"{name!r} is not a preset.{did_you_mean(name, PRESETS)}"
        fail("category", rule, ErrorCode.UNKNOWN_NAME, value=name)
    versions = PRESETS[name]
    chosen = max(versions) if version is None else version
    if chosen not in versions:
        rule = f"{name} has versions {sorted(versions)}"
        fail("category", rule, ErrorCode.UNKNOWN_NAME, value=f"{name}@{chosen}")
    return load({**versions[chosen], "currency": currency})
