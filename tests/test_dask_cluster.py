"""Metrics, funnels and scorecards through a ``distributed`` LocalCluster (2 workers)."""

from __future__ import annotations

import pandas as pd
import pytest

import creatorkit as ck

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")  # the extra: dask[dataframe,distributed]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_local_cluster_gives_the_pandas_results(client):
    data = ck.datasets.synthetic(seed=3, n_creators=80, n_events=2_000)
    content = dd.from_pandas(data.content, npartitions=4)
    names = ["ctr", "gpm", "engagement_rate"]
    got = ck.metrics.compute(content, names, by="creator_id", ci="auto")
    want = ck.metrics.compute(content.compute(), names, by="creator_id", ci="auto")
    pd.testing.assert_frame_equal(got.table, want.table, rtol=1e-12, atol=0)
    events = dd.from_pandas(data.events, npartitions=4)
    steps = ck.funnel.Funnel.content_commerce()
    a = ck.funnel.from_events(events, steps, window="7D", by="campaign_id")
    b = ck.funnel.from_events(events.compute(), steps, window="7D", by="campaign_id")
    drop = ["median_time_to_convert"]
    pd.testing.assert_frame_equal(a.table.drop(columns=drop), b.table.drop(columns=drop))
    assert a.table["users"].sum() > 0
    card = ck.Scorecard([ck.Criterion(name="ctr"), ck.Criterion(name="posts")])
    lazy = {"creators": data.creators, "content": content}
    x = card.score(lazy, as_of=data.as_of).table
    y = card.score({**lazy, "content": content.compute()}, as_of=data.as_of).table
    pd.testing.assert_frame_equal(x, y, rtol=1e-12, atol=0)
