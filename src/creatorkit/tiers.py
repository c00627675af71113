"""Follower-size tiers. Both shipped schemes are configurable conventions, not platform rules.

* ``seller_guide``: 1K–20K, 20K–100K, 100K–500K, 500K–1M, 1M+ (the bands of a TikTok Shop
  seller guide, which suggests 500K+ for brand promotion and 20K+ for sales);
* ``industry``: nano 1K–10K, micro 10K–100K, mid 100K–500K, macro 500K–1M, mega 1M+.

Accounts under 1,000 followers fall in ``<1K`` in both schemes. Lower bounds are
inclusive: 20,000 followers is ``20K-100K``.

Example:
    >>> tier([999, 1_000, 20_000, 2_500_000], scheme="industry").tolist()
    ['<1K', 'nano', 'micro', 'mega']
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from creatorkit._validation import Problems, check_choice, check_numeric, fail
from creatorkit.errors import ErrorCode

__all__ = ["TIER_SCHEMES", "tier"]

TIER_SCHEMES: Mapping[str, tuple[tuple[float, str], ...]] = {
    "seller_guide": (
        (0, "<1K"),
        (1_000, "1K-20K"),
        (20_000, "20K-100K"),
        (100_000, "100K-500K"),
        (500_000, "500K-1M"),
        (1_000_000, "1M+"),
    ),
    "industry": (
        (0, "<1K"),
        (1_000, "nano"),
        (10_000, "micro"),
        (100_000, "mid"),
        (500_000, "macro"),
        (1_000_000, "mega"),
    ),
}
"""Tier schemes: ``(lower bound, label)`` pairs in increasing order."""


def tier(
    followers: Any,
    *,
    scheme: str | Sequence[tuple[float, str]] = "seller_guide",
) -> pd.Series:
    """Assign follower counts to tiers.

    Args:
        followers: Follower counts (array-like or Series; its index is kept).
        scheme: A name in :data:`TIER_SCHEMES` or your own ``(lower bound, label)`` pairs,
            increasing, starting at 0.

    Returns:
        An ordered categorical Series of tier labels.

    Raises:
        ValidationError: Negative or missing counts, an unknown or malformed scheme.

    Example:
        >>> tier(pd.Series([50_000], index=["c9"])).to_dict()
        {'c9': '20K-100K'}
    """
    if isinstance(scheme, str):
        bands = TIER_SCHEMES[check_choice("scheme", scheme, TIER_SCHEMES)]
    else:
        pairs = isinstance(scheme, Sequence) and all(
            isinstance(p, tuple | list)
            and len(p) == 2
            and isinstance(p[1], str)
            and isinstance(p[0], int | float)
            and not isinstance(p[0], bool)
            for p in scheme
        )
        if not pairs:
            fail(
                "scheme",
                f"must be a scheme name {sorted(TIER_SCHEMES)} or (lower bound, label) pairs",
                ErrorCode.WRONG_TYPE,
            )
        bands = tuple((float(b), str(label)) for b, label in scheme)
        bounds = [b for b, _ in bands]
        if not bands or bounds[0] != 0 or any(b >= c for b, c in itertools.pairwise(bounds)):
            fail(
                "scheme",
                "must be (lower bound, label) pairs increasing from 0",
                ErrorCode.INVALID_VALUE,
            )
    if isinstance(followers, pd.DataFrame) or np.ndim(followers) > 1:
        fail("followers", "must be one count per creator (1-D)", ErrorCode.INVALID_VALUE)
    series = followers if isinstance(followers, pd.Series) else pd.Series(followers)
    problems = Problems("followers")  # the one column checker: bad rows listed
    values = check_numeric(problems, "followers", series, low=0)
    problems.raise_if_any()
    lower = np.array([b for b, _ in bands], dtype=float)
    labels = [label for _, label in bands]
    codes = np.searchsorted(lower, values, side="right") - 1
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=pd.Index(labels), ordered=True),
        index=series.index,
        name="tier",
    )
