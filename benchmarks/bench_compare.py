"""compare.proportions on 10,000 arms vs control against a loop over statsmodels;
compare.bayes_proportions on 1,000 arms against a numpy Monte Carlo (100k draws per arm)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from _harness import Line, median_time
from creatorkit import compare


def run(quick: bool) -> list[Line]:
    return [_proportions(quick), _bayes(quick)]


def _proportions(quick: bool) -> Line:
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
    return Line(
        f"compare.proportions, {arms:,} arms vs control (z, Newcombe, Holm)",
        mine,
        theirs,
        "≥ 100× faster than a statsmodels loop (ratio ≤ 0.01)",
        note="p-values equal statsmodels to 1e-10",
    )


def _monte_carlo(a: np.ndarray, b: np.ndarray, draws: int, seed: int) -> dict[str, np.ndarray]:
    """Chance to be best, to beat arm 0, expected loss and sd of the max, from Beta draws."""
    rng = np.random.default_rng(seed)
    arms, block = len(a), max(1, 10_000_000 // len(a))
    best, beat, total = np.zeros(arms), np.zeros(arms), np.zeros(arms)
    top, top_sq = 0.0, 0.0
    for done in range(0, draws, block):
        size = min(block, draws - done)
        sample = rng.beta(a[:, None], b[:, None], (arms, size))
        best += np.bincount(sample.argmax(axis=0), minlength=arms)
        beat += (sample > sample[0]).sum(axis=1)
        total += sample.sum(axis=1)
        largest = sample.max(axis=0)
        top, top_sq = top + largest.sum(), top_sq + largest @ largest
    mean_top = top / draws
    return {
        "chance_to_be_best": best / draws,
        "chance_to_beat_control": beat / draws,
        "expected_loss": mean_top - total / draws,
        "sd_max": np.sqrt(max(top_sq / draws - mean_top**2, 0.0)),
    }


def _bayes(quick: bool) -> Line:
    arms, draws = (200, 20_000) if quick else (1_000, 100_000)
    rng = np.random.default_rng(1)
    n = rng.integers(500, 50_000, arms)
    x = rng.binomial(n, rng.uniform(0.01, 0.1, arms))
    a, b = 1.0 + x, 1.0 + n - x
    columns = ["chance_to_be_best", "chance_to_beat_control", "expected_loss"]

    def ours() -> dict[str, np.ndarray]:
        table = compare.bayes_proportions(x, n).table
        return {c: np.nan_to_num(table[c].to_numpy()) for c in columns}

    time_ours = median_time(ours, repeat=3)
    start = time.perf_counter()
    theirs = _monte_carlo(a, b, draws, seed=3)
    time_peer = time.perf_counter() - start
    gaps = _agree(ours(), theirs, a, b, draws)
    return Line(
        f"compare.bayes_proportions, {arms:,} arms (best, beat control, loss)",
        time_ours,
        time_peer,
        "≤ 1× a numpy Monte Carlo, 100k draws per arm",
        note=f"every arm within 4 standard errors of {draws:,} draws per arm; largest gaps {gaps}",
    )


def _agree(
    mine: dict[str, np.ndarray], theirs: dict[str, np.ndarray], a: Any, b: Any, draws: int
) -> str:
    """Every arm within 4·√(p(1−p)/draws) of the Monte Carlo (p between the two figures,
    nearest ½); expected loss within 4·(sd(max) + sd(arm))/√draws."""
    for name in ("chance_to_be_best", "chance_to_beat_control"):
        lo, hi = np.minimum(mine[name], theirs[name]), np.maximum(mine[name], theirs[name])
        p = np.clip(0.5, lo, hi)
        off = hi - lo > 4 * np.sqrt(p * (1 - p) / draws) + 1e-12  # 1e-12: our own accuracy
        assert not off.any(), f"{name}: {int(off.sum())} arms disagree with the Monte Carlo"
    sd_arm = np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    bound = 4 * (theirs["sd_max"] + sd_arm) / np.sqrt(draws)
    off = np.abs(mine["expected_loss"] - theirs["expected_loss"]) > bound
    assert not off.any(), f"expected_loss: {int(off.sum())} arms disagree with the Monte Carlo"
    short = {"chance_to_be_best": "best", "chance_to_beat_control": "beat", "expected_loss": "loss"}
    return ", ".join(f"{short[k]} {np.abs(mine[k] - theirs[k]).max():.1e}" for k in short)
