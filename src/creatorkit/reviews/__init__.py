"""Review ratings that correct inflation and reviewer harshness, and their diagnostics.

:func:`aggregate` gives per creator and dimension the raw mean, a Bayesian average with an
empirically estimated prior (and the IMDb form with given C, m), the Dirichlet star
posterior (mean and lower bound), the leniency-corrected rating (additive creator +
reviewer effects, ridge-regularized, solved sparsely) with the rank shift it causes, and
would-rehire with its Wilson interval. :func:`diagnose` reports inflation, straight-lining,
review completion, contradictions with measured data and reason tags.

Example:
    >>> import creatorkit as ck
    >>> world = ck.datasets.synthetic(0, n_events=500, model="truth_model@1")
    >>> res = ck.reviews.aggregate(world.reviews)
    >>> res.reviewers["flag"].tolist()
    ['lenient', 'harsh', '', 'lenient', 'harsh', '', 'lenient', 'harsh']
"""

from creatorkit.reviews._aggregate import ReviewAggregate, aggregate
from creatorkit.reviews._api import bayesian_average, dirichlet
from creatorkit.reviews._diagnose import ReviewDiagnosis, diagnose

__all__ = [
    "ReviewAggregate",
    "ReviewDiagnosis",
    "aggregate",
    "bayesian_average",
    "diagnose",
    "dirichlet",
]
