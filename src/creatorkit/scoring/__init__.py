"""Scorecards: gates, peer-normalized criteria, low-data shrinkage, explainable scores.

:class:`Scorecard` ``(criteria, gates, aggregator)`` scores creators in five steps
(DESIGN §6): **gates** exclude creators with a reason (never averaged away); each
:class:`Criterion` is computed per creator (a catalog metric through the summaries layer,
a registered rule, or a column), grouped into **peer groups** with a declared fallback
(:func:`creatorkit._grouping.fallback`), optionally **shrunk** toward its peer group
(leave-one-out empirical-Bayes priors), **normalized** within the group
(:func:`creatorkit.weighting.normalize`), then **weighted and aggregated** into a 0–100
score whose ``contribution_<criterion>`` columns sum to it. :meth:`ScoreResult.explain`
tells why, in numbers and sentences. Specs are versioned, safe data
(:meth:`Scorecard.to_dict`, :meth:`Scorecard.from_dict`, :meth:`Scorecard.from_json`);
presets are such specs (:meth:`Scorecard.preset`); :meth:`Scorecard.compile` freezes a
reference population.

Example:
    >>> import creatorkit as ck
    >>> data = ck.datasets.synthetic(seed=0, n_creators=300)
    >>> card = ck.Scorecard([ck.Criterion(name="gpm", peers=[["category"]], low_data="shrink"),
    ...                      ck.Criterion(name="cvr", low_data="shrink")],
    ...                     gates=[ck.Gate.min_data("posts", 3)])
    >>> res = card.score(data, as_of=data.as_of)
    >>> parts = res.table.filter(like="contribution_").sum(axis=1)
    >>> bool((res.table["score"] - parts).abs().max() < 1e-9)
    True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from creatorkit.scoring._audience import audience_fit  # registers the audience_fit rule
from creatorkit.scoring._criterion import Criterion
from creatorkit.scoring._gate import Gate
from creatorkit.scoring._presets import PRESETS
from creatorkit.scoring._result import Explanation, ScoreResult
from creatorkit.scoring._scorecard import Scorecard

if TYPE_CHECKING:
    from creatorkit.scoring._allocate import Allocation, allocate
    from creatorkit.scoring._backtest import Backtest, backtest
    from creatorkit.scoring._compiled import CompiledScorecard
    from creatorkit.scoring._shortlist import Shortlist, shortlist
    from creatorkit.scoring._top_share import TopShare, top_share

_LAZY = {
    "Allocation": "_allocate",
    "allocate": "_allocate",
    "Backtest": "_backtest",
    "backtest": "_backtest",
    "CompiledScorecard": "_compiled",
    "Shortlist": "_shortlist",
    "shortlist": "_shortlist",
    "TopShare": "_top_share",
    "top_share": "_top_share",
}
"""The decisions, loaded on first use (``creatorkit score`` starts without them)."""

__all__ = [
    "PRESETS",
    "Allocation",
    "Backtest",
    "CompiledScorecard",
    "Criterion",
    "Explanation",
    "Gate",
    "ScoreResult",
    "Scorecard",
    "Shortlist",
    "TopShare",
    "allocate",
    "audience_fit",
    "backtest",
    "shortlist",
    "top_share",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'creatorkit.scoring' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"creatorkit.scoring.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
