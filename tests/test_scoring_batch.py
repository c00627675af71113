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


def test_a_compiled_scorecard_shares_the_batched_metric_pass_with_identical_scores(
    data, monkeypatch
) -> None:
    from creatorkit import metrics

    card = ck.Scorecard(
        [
            ck.Criterion(name="gpm", weight=0.4),
            ck.Criterion(name="cvr", weight=0.3, low_data="shrink"),
            ck.Criterion(name="ctr", weight=0.2, normalizer="minmax"),
            ck.Criterion(name="completion_rate", weight=0.1, where={"content_type": "video"}),
        ]
    )
    tables = {"creators": data.creators, "content": data.content, "orders": data.orders}
    calls = []
    compute = metrics.compute

    def counted(*args, **kwargs):
        calls.append(1)
        return compute(*args, **kwargs)

    monkeypatch.setattr(metrics, "compute", counted)
    compiled = card.compile(tables, as_of=data.as_of)
    assert len(calls) == 2  # gpm, cvr, ctr in one pass; completion_rate (video rows) in its own
    batched = compiled.score(tables, as_of=data.as_of)
    assert len(calls) == 4

    def alone(criteria, named, table, when, currency):  # the per-criterion path
        return {c.key: _tables.raw(c, named, table, when, currency) for c in criteria}

    monkeypatch.setattr(_tables, "raws", alone)
    one_by_one = card.compile(tables, as_of=data.as_of)
    assert len(calls) == 8
    pd.testing.assert_frame_equal(batched, one_by_one.score(tables, as_of=data.as_of))
    pd.testing.assert_frame_equal(batched, compiled.score(tables, as_of=data.as_of))
