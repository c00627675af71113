"""Weights and normalization: normalizers, weight methods and aggregators (MCDM).

Three families, one signature each (DESIGN §3):

* **normalizers** — values (+ peer groups) → values where more is better
  (:func:`normalize`; cost criteria are inverted by the normalizer);
* **weight methods** — *objective*: matrix (+ benefit) → weights (:func:`entropy`,
  :func:`critic`, :func:`std`); *judgement*: what a person gives → weights
  (:func:`manual`, :func:`equal`, :func:`roc`, :func:`rank_sum`, :func:`ahp`,
  :func:`blend`). Each returns a :class:`WeightResult` (weights summing to 1 and the
  method's diagnostics), usable wherever weights are expected;
* **aggregators** — normalized matrix + weights → scores (:func:`weighted_sum`,
  :func:`weighted_product`, :func:`topsis`, :func:`vikor`; :func:`contributions` splits a
  score among criteria).

Each family lives in a :class:`~creatorkit.registry.Registry` (:data:`normalizers`,
:data:`weight_methods`, :data:`aggregators`) with a conformance check in
:mod:`creatorkit.testing`. :func:`sensitivity` measures rank stability under weight
perturbation.

Example:
    >>> from creatorkit import weighting
    >>> m = [[120.0, 0.05], [80.0, 0.09], [100.0, 0.07]]
    >>> w = weighting.entropy(m)
    >>> scores = weighting.topsis(m, w, ["benefit", "benefit"])
    >>> scores.round(3).tolist()
    [0.257, 0.743, 0.5]
"""

from __future__ import annotations

from creatorkit.weighting._aggregators import Aggregator, VikorScores, aggregators
from creatorkit.weighting._ahp import RANDOM_INDEX, ahp
from creatorkit.weighting._judgement import blend, equal, manual, rank_sum, roc
from creatorkit.weighting._methods import WeightMethod, weight_methods
from creatorkit.weighting._normalizers import Normalizer, normalize, normalizers
from creatorkit.weighting._objective import critic, entropy, std
from creatorkit.weighting._results import AHPResult, SensitivityResult, WeightResult
from creatorkit.weighting._scores import (
    aggregate,
    contributions,
    topsis,
    vikor,
    weighted_product,
    weighted_sum,
)
from creatorkit.weighting._sensitivity import sensitivity

__all__ = [
    "RANDOM_INDEX",
    "AHPResult",
    "Aggregator",
    "Normalizer",
    "SensitivityResult",
    "VikorScores",
    "WeightMethod",
    "WeightResult",
    "aggregate",
    "aggregators",
    "ahp",
    "blend",
    "contributions",
    "critic",
    "entropy",
    "equal",
    "manual",
    "normalize",
    "normalizers",
    "rank_sum",
    "roc",
    "sensitivity",
    "std",
    "topsis",
    "vikor",
    "weight_methods",
    "weighted_product",
    "weighted_sum",
]
