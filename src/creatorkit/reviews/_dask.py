"""``reviews.aggregate`` on a Dask DataFrame: per-pair sums per partition, merged, then solved.

Every partition is checked and read as on pandas (``read_stars``, so a bad row raises the
pandas path's error) and reduced to one :class:`~creatorkit.summaries.Summary` row per
(creator, reviewer) pair — stars given, Σ stars and Σ stars² per dimension (``overall``
included), reviews per star level, would-rehire yes / answered. The summaries merge by
addition in a tree on the workers (a creator or pair split across partitions adds up);
what reaches the client is the pair table, whose size grows with the pairs, not the
reviews. Creator, reviewer and level sums are sums of that table, and the leniency model
is solved on it (:func:`~creatorkit.reviews._leniency.solve_pairs`), so every statistic
equals the pandas path up to the order of floating-point additions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from creatorkit._grouping import group
from creatorkit._validation import fail
from creatorkit.errors import ErrorCode
from creatorkit.reviews._aggregate import ReviewAggregate, Totals, finish
from creatorkit.reviews._input import OVERALL, Stars, _category, read_stars, sums, with_overall
from creatorkit.reviews._leniency import Effects, solve_pairs
from creatorkit.summaries import Summary


def _columns(dims: tuple[str, ...], rehire: bool) -> list[str]:
    """The pair sums, in a fixed order: n/s/q per dimension, level counts, rehire."""
    names = [f"{w}_{d}" for w in ("n", "s", "q") for d in (*dims, OVERALL)]
    names += [f"c_{d}_{level}" for d in dims for level in range(1, 6)]
    return names + (["yes", "asked"] if rehire else [])


def _keys(by: str, prior_by: str | None) -> list[str]:
    return list(dict.fromkeys([by, "reviewer_id", *([prior_by] if prior_by else [])]))


def _part(
    rows: pd.DataFrame, by: str, dimensions: Any, prior_by: str | None, names: list[str]
) -> Summary:
    """One partition's checked reviews reduced to per-pair sums."""
    from creatorkit.metrics import column_metric, summarize

    data = read_stars(rows, by=by, dimensions=dimensions, prior_by=prior_by)
    stars = with_overall(data.stars)
    rated = np.isfinite(stars)
    values = np.where(rated, stars, 0.0)
    d = len(data.dims)
    level = np.where(rated[:, :d], stars[:, :d], 0.0)
    wide = rows[_keys(by, prior_by)].reset_index(drop=True)
    columns = [rated.astype(float), values, values * values]
    columns.append((level[:, :, None] == np.arange(1, 6)).reshape(len(rows), d * 5))
    if data.rehire is not None:
        answered = np.isfinite(data.rehire)
        columns.append(np.column_stack([np.where(answered, data.rehire, 0.0), answered]))
    matrix = np.hstack([np.asarray(c, dtype=float) for c in columns])
    sums_frame = pd.DataFrame(matrix[:, : len(names)], columns=names)
    wide = pd.concat([wide, sums_frame], axis=1)
    metrics = [column_metric(name, name) for name in names]
    return summarize(wide, metrics, by=_keys(by, prior_by))


def _merged(parts: list[Summary | None]) -> Summary | None:
    from creatorkit.summaries import merge

    found = [p for p in parts if p is not None]
    if len(found) < 2:
        return found[0] if found else None
    return merge(found)


def aggregate(
    reviews: Any, *, dimensions: Any, prior_by: Any, options: dict[str, Any]
) -> ReviewAggregate:
    """:func:`creatorkit.reviews.aggregate` of a Dask DataFrame (see the module docstring).

    ``options`` are the pandas function's other keyword arguments, already checked.
    """
    from creatorkit.adapters.dask import reduce_partitions

    by = options["by"]
    meta = reviews._meta  # every column check of the pandas path, on the schema
    schema = read_stars(meta, by=by, dimensions=dimensions, prior_by=prior_by, allow_empty=True)
    names = _columns(schema.dims, "would_rehire" in meta.columns)
    merged = reduce_partitions(
        reviews, lambda rows: _part(rows, by, dimensions, prior_by, names), _merged
    )
    if merged is None:
        fail("reviews", "must have at least one row", ErrorCode.EMPTY)
    return _from_pairs(merged._table, schema.dims, names, prior_by, options, reviews.npartitions)


def _from_pairs(
    table: pd.DataFrame,
    dims: tuple[str, ...],
    names: list[str],
    prior_by: str | None,
    options: dict[str, Any],
    partitions: int,
) -> ReviewAggregate:
    """The pandas path's statistics from the merged pair table."""
    by = options["by"]
    values = {name: table[f"{name}__num"].to_numpy(float) for name in names}
    everything = (*dims, OVERALL)

    def block(what: str) -> np.ndarray:
        return np.column_stack([values[f"{what}_{d}"] for d in everything])

    creators = group(table, [by])
    reviewers = group(table, ["reviewer_id"])
    category, of_creator = (None, None)
    if prior_by is not None:
        category, of_creator = _category(table, by, prior_by, creators)
    data = Stars(
        dims=dims,
        stars=np.empty((0, len(dims))),
        creators=creators,
        reviewers=reviewers,
        rehire=None,
        category=category,
        creator_category=of_creator,
    )
    pair = (block("n"), block("s"), block("q"))
    cre, rev, k, r = creators.codes, reviewers.codes, creators.n, reviewers.n
    levels = np.column_stack([values[f"c_{d}_{v}"] for d in dims for v in range(1, 6)])
    per_level = sums(rev, levels, r).reshape(r, len(dims), 5)
    reviewer = (
        *(sums(rev, part[:, -1:], r)[:, 0] for part in pair),
        per_level[:, :, 4].sum(axis=1),
        sums(rev, pair[0][:, :-1], r).sum(axis=1),
    )
    rehire = None
    if "yes" in values:
        both = sums(cre, np.column_stack([values["yes"], values["asked"]]), k)
        rehire = (both[:, 0], both[:, 1])
    totals = Totals(
        moments=(sums(cre, pair[0], k), sums(cre, pair[1], k), sums(cre, pair[2], k)),
        levels=sums(cre, levels, k).reshape(k, len(dims), 5),
        reviewer=reviewer,
        rehire=rehire,
    )

    def leniency(lam: np.ndarray) -> Effects:
        tol, max_iter = float(options["tol"]), int(options["max_iter"])
        return solve_pairs(pair, cre, rev, (k, r), lam, tol=tol, max_iter=max_iter)

    runtime = {"engine": "dask", "partitions": int(partitions), "pairs": len(table)}
    return finish(data, totals, leniency, options, runtime=runtime)
