"""A/B and creator-vs-creator comparisons with the right statistics for small and large samples.

Everything is vectorized over arms (no loop per comparison); the normal and t distributions
come from ``scipy.special``. Defaults, named in every result's method card: proportions by
pooled z (equals chi-square without Yates) with Newcombe intervals and Fieller lifts — for
randomized user-level tests, every trial independent; means by Welch; ratios by the delta
method; Holm over the many-to-one comparisons of each metric; two-sided unless
``alternative=`` says ``greater`` or ``less``. Creators are compared by :func:`creators` with
posts (or collaborations) as units: cluster-robust delta method with Student t,
Welch–Satterthwaite degrees of freedom from posts − 1 per creator.

Example:
    >>> import creatorkit as ck
    >>> res = ck.compare.proportions([120, 150, 90], [4000, 4000, 4000], labels=["A", "B", "C"])
    >>> res.to_frame()[["arm", "value", "p_adjusted", "verdict"]].round(4)
      arm   value  p_adjusted       verdict
    0   A  0.0300         NaN       control
    1   B  0.0375      0.0718  inconclusive
    2   C  0.0225      0.0718  inconclusive
"""

from typing import Any

from creatorkit._compat import moved
from creatorkit.compare._bayes import bayes_proportions
from creatorkit.compare._core import (
    ALTERNATIVES,
    COMPARISONS,
    CORRECTIONS,
    UNITS,
    ComparisonResult,
    adjust,
    combine,
)
from creatorkit.compare._design import (
    mde_means,
    mde_proportions,
    power_means,
    power_proportions,
    sample_size_means,
    sample_size_proportions,
    srm,
)
from creatorkit.compare._means import RATIO_TESTS, means, ratios
from creatorkit.compare._proportions import INTERVALS, LIFTS, TESTS, proportions
from creatorkit.compare._summary import SUMMARY_COLUMNS, creators, summarize

__all__ = [
    "ALTERNATIVES",
    "COMPARISONS",
    "CORRECTIONS",
    "INTERVALS",
    "LIFTS",
    "RATIO_TESTS",
    "SUMMARY_COLUMNS",
    "TESTS",
    "UNITS",
    "ComparisonResult",
    "adjust",
    "bayes_proportions",
    "combine",
    "creators",
    "mde_means",
    "mde_proportions",
    "means",
    "power_means",
    "power_proportions",
    "proportions",
    "ratios",
    "sample_size_means",
    "sample_size_proportions",
    "srm",
    "summarize",
]


def __getattr__(name: str) -> Any:
    if name == "Summary":
        return moved("creatorkit.compare.Summary", "creatorkit.summaries.Summary")
    raise AttributeError(f"module 'creatorkit.compare' has no attribute {name!r}")
