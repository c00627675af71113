"""The one mergeable summary type: rows → per-group sums → metrics, comparisons, funnels.

Every capability that aggregates rows builds a :class:`Summary`: per-group counts, sums,
sums of squares and cross products of metric *definitions*. Summaries of disjoint chunks
(files, partitions, SQL results) add up with ``+`` to the summary of the whole, and
incompatible summaries (other definitions, keys, parameters or ``as_of``) refuse to.

Example:
    >>> import pandas as pd
    >>> import creatorkit as ck
    >>> rows = pd.DataFrame({"arm": ["A", "A", "B"], "views": [100, 200, 300],
    ...                      "likes": [5, 4, 30], "comments": [1, 0, 3],
    ...                      "shares": [0, 0, 1], "saves": [0, 1, 2]})
    >>> s = ck.summaries.summarize(rows, "engagement_rate", by="arm", moments=True)
    >>> s.compute().to_frame()[["arm", "engagement_rate"]]
      arm  engagement_rate
    0   A         0.036667
    1   B         0.120000
"""

from creatorkit.summaries._summary import CI_METHODS, Summary, from_sums, merge, summarize

__all__ = ["CI_METHODS", "Summary", "from_sums", "merge", "summarize"]
