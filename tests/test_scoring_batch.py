"""Metric criteria over the same rows share one metrics.compute: values equal raw() alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit.scoring import _tables


@pytest.fixture(scope="module")
def data() -> ck.datasets.Dataset:
    return ck.datasets.synthetic(seed=3, n_creators=120, n_events=900)


def test_batched_raws_equal_one_criterion_at_a_time(data) -> None:
    card = ck.Scorecard.preset("beauty/sales")
    extra = [
        ck.Criterion(
            name="gpm", where={"content_type": ["live"]}, label="gpm_live"
        ),  # other rows: own batch
        ck.Criterion(name="ctr", window="30D", label="ctr_30d"),
        ck.Criterion(name="cvr", window="30D", label="cvr_30d"),
    ]
    criteria = [*card.criteria, *extra]
    named = _tables.as_tables(
        {"creators": data.creators, "content": data.content, "orders": data.orders}
    )
    when = pd.Timestamp(data.as_of)
    table = _tables.base(named, when, card.tier_scheme)
    together = _tables.raws(criteria, named, table, when, card.currency)
    assert list(together) == [c.key for c in criteria]
    for c in criteria:
        alone = _tables.raw(c, named, table, when, card.currency)
        for field in ("value", "n", "trials", "low", "high"):
            np.testing.assert_array_equal(getattr(together[c.key], field), getattr(alone, field))
        assert (together[c.key].kind, together[c.key].direction) == (alone.kind, alone.direction)


def test_an_empty_selection_is_missing_for_every_criterion_of_the_batch(data) -> None:
    where = {"content_type": ["no such type"]}
    criteria = [ck.Criterion(name="ctr", where=where), ck.Criterion(name="cvr", where=where)]
    named = _tables.as_tables({"creators": data.creators, "content": data.content})
    when = pd.Timestamp(data.as_of)
    table = _tables.base(named, when, "industry")
    got = _tables.raws(criteria, named, table, when, None)
    for c in criteria:
        assert np.isnan(got[c.key].value).all()
        assert (got[c.key].n == 0).all()
