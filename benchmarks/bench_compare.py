"""compare.proportions on 10,000 arms vs control against a loop over statsmodels."""

from __future__ import annotations

import numpy as np

from _harness import Line, median_time
from creatorkit import compare


def run(quick: bool) -> list[Line]:
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    arms = 1_000 if quick else 10_000
    rng = np.random.default_rng(0)
    n = rng.integers(500, 50_000, arms)
    x = rng.binomial(n, rng.uniform(0.01, 0.1, arms))

    def ours() -> np.ndarray:
        res = compare.proportions(x, n)
        return res.table["p_value"].to_numpy()[1:]

    def peer() -> np.ndarray:
        p = np.empty(arms - 1)
        for i in range(1, arms):
            p[i - 1] = proportions_ztest([x[i], x[0]], [n[i], n[0]])[1]
            confint_proportions_2indep(x[i], n[i], x[0], n[0], method="newcomb")
        multipletests(p, method="holm")
        return p

    np.testing.assert_allclose(ours(), peer(), rtol=1e-10, atol=1e-14)
    mine = median_time(ours, repeat=5)
    theirs = median_time(peer, repeat=1, warmup=0)
    return [
        Line(
            f"compare.proportions, {arms:,} arms vs control (z, Newcombe, Holm)",
            mine,
            theirs,
            "≥ 100× faster than a statsmodels loop (ratio ≤ 0.01)",
            note="p-values equal statsmodels to 1e-10",
        )
    ]
