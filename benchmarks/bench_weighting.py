"""weighting: TOPSIS, entropy and CRITIC on 1M × 10 against bare numpy; grouped percentiles."""

from __future__ import annotations

import numpy as np
import pandas as pd

import creatorkit as ck
from _harness import Line, median_time

K = 10
WEIGHTS = np.full(K, 1.0 / K)
BENEFIT = np.array([True] * 7 + [False] * 3)


def make_matrix(rows: int) -> np.ndarray:
    """Creator-like criteria: counts, rates and money on very different scales."""
    rng = np.random.default_rng(0)
    scales = np.array([1e6, 1e4, 1.0, 0.1, 100.0, 1e3, 5.0, 50.0, 2.0, 1e5])
    return rng.gamma(2.0, 1.0, size=(rows, K)) * scales + 1.0


def numpy_topsis(x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """Textbook vector TOPSIS in bare numpy (no validation)."""
    r = x / np.sqrt((x**2).sum(axis=0))
    v = r * w
    ideal = np.where(benefit, v.max(axis=0), v.min(axis=0))
    anti = np.where(benefit, v.min(axis=0), v.max(axis=0))
    plus = np.sqrt(((v - ideal) ** 2).sum(axis=1))
    minus = np.sqrt(((v - anti) ** 2).sum(axis=1))
    return minus / (plus + minus)


def numpy_entropy(x: np.ndarray) -> np.ndarray:
    p = x / x.sum(axis=0)
    e = -(p * np.log(p)).sum(axis=0) / np.log(len(x))
    return (1 - e) / (1 - e).sum()


def numpy_critic(x: np.ndarray) -> np.ndarray:
    r = (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0))
    c = r.std(axis=0) * (1 - np.corrcoef(r, rowvar=False)).sum(axis=0)
    return c / c.sum()


def run(quick: bool) -> list[Line]:
    rows = 100_000 if quick else 1_000_000
    repeat = 3 if quick else 5
    x = make_matrix(rows)
    label = f"{rows / 1e6:g}M × {K}"

    ours = median_time(lambda: ck.weighting.topsis(x, WEIGHTS, BENEFIT), repeat=repeat)
    peer = median_time(lambda: numpy_topsis(x, WEIGHTS, BENEFIT), repeat=repeat)
    np.testing.assert_allclose(
        ck.weighting.topsis(x, WEIGHTS, BENEFIT), numpy_topsis(x, WEIGHTS, BENEFIT), rtol=1e-9
    )
    lines = [
        Line(
            f"weighting.topsis {label}, validation on",
            ours,
            peer,
            "≤ 1.2× bare numpy vector TOPSIS",
            note="3 cost criteria; equal to the numpy result to 1e-9",
        )
    ]
    for name, ours_fn, peer_fn in (
        ("entropy", lambda: ck.weighting.entropy(x), lambda: numpy_entropy(x)),
        ("critic", lambda: ck.weighting.critic(x), lambda: numpy_critic(x)),
    ):
        np.testing.assert_allclose(ours_fn().weights, peer_fn(), rtol=1e-9)
        lines.append(
            Line(
                f"weighting.{name} {label}",
                median_time(ours_fn, repeat=repeat),
                median_time(peer_fn, repeat=repeat),
                "≤ 1.2× bare numpy",
                note="a WeightResult with diagnostics; weights equal numpy's to 1e-9",
            )
        )
    lines.append(_grouped_percentile(rows, repeat))
    return lines


def _grouped_percentile(rows: int, repeat: int) -> Line:
    rng = np.random.default_rng(1)
    values = pd.Series(rng.gamma(2.0, 100.0, rows).round(1))  # ties, as real counts have
    groups = pd.Series(rng.choice([f"market-{i:02d}" for i in range(20)], rows))

    def ours() -> np.ndarray:
        return np.asarray(ck.weighting.normalize(values, "percentile", groups=groups))

    def peer() -> np.ndarray:
        return values.groupby(groups).rank(pct=True).to_numpy()

    np.testing.assert_allclose(ours(), peer(), rtol=1e-15)
    return Line(
        f"weighting.normalize percentile, {rows / 1e6:g}M values in 20 groups",
        median_time(ours, repeat=repeat),
        median_time(peer, repeat=repeat),
        "≤ 0.5× pandas groupby().rank(pct=True)",
        note="string group labels; ties averaged; equal to pandas",
    )
