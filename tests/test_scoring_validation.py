"""Next-period validation on the synthetic world truth_model@1 (fixed; not tuned for this).

Outcome: each creator's next-period GMV in USD (the world has next-period content but no
next-period costs, so GMV stands in for profit). Measured on 5 seeds.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

import creatorkit as ck

SEEDS = range(5)


def _card(shrink: bool) -> ck.Scorecard:
    base = ck.Scorecard.preset("beauty/sales", currency="USD")
    low = "shrink" if shrink else "flag"
    criteria = [ck.Criterion(**{**c.to_dict(), "low_data": low}) for c in base.criteria]
    return ck.Scorecard(criteria, gates=[ck.Gate.min_data("posts", 1)], currency="USD")


@functools.cache
def _gains() -> pd.DataFrame:
    rows = []
    for seed in SEEDS:
        data = ck.datasets.synthetic(seed=seed, model="truth_model@1")
        until = data.next_period["published_at"].max()
        nxt = ck.metrics.compute(
            data.next_period,
            ["gmv"],
            by="creator_id",
            as_of=until,
            currency="USD",
            fx=data.fx_rates,
        ).to_frame()
        outcome = nxt.set_index("creator_id")["gmv"]
        scored = {
            s: _card(s).score(data, as_of=data.as_of).table.set_index("creator_id")
            for s in (True, False)
        }
        ids = scored[True].index
        y = outcome.reindex(ids).fillna(0.0)
        few = (scored[True]["cvr_n"] < 6).to_numpy()
        rho = {s: spearmanr(t["score"].reindex(ids)[few], y[few])[0] for s, t in scored.items()}
        rho_all = {s: spearmanr(t["score"].reindex(ids), y)[0] for s, t in scored.items()}
        rows.append({"few": rho[True] - rho[False], "all": rho_all[True] - rho_all[False]})
    return pd.DataFrame(rows)


def _bootstrap_low(gains: np.ndarray, draws: int = 2000) -> float:
    rng = np.random.default_rng(0)
    means = rng.choice(gains, size=(draws, len(gains)), replace=True).mean(axis=1)
    return float(np.quantile(means, 0.025))


def test_shrinkage_improves_the_ranking_of_creators_with_few_posts():
    gains = _gains()
    assert _bootstrap_low(gains["few"].to_numpy()) > 0
    assert _bootstrap_low(gains["all"].to_numpy()) > 0
