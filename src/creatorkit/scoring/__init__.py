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

from creatorkit.scoring._allocate import Allocation, allocate
from creatorkit.scoring._audience import audience_fit
from creatorkit.scoring._backtest import Backtest, backtest
from creatorkit.scoring._compiled import CompiledScorecard
from creatorkit.scoring._criterion import Criterion
from creatorkit.scoring._gate import Gate
from creatorkit.scoring._presets import PRESETS
from creatorkit.scoring._result import Explanation, ScoreResult
from creatorkit.scoring._scorecard import Scorecard
from creatorkit.scoring._shortlist import Shortlist, shortlist
from creatorkit.scoring._top_share import TopShare, top_share

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
