"""compare.bayes_proportions: one quadrature for all arms, checked against quadrature per arm.

References are computed here, independently of the library: ``scipy.integrate.quad`` per arm
in the rate itself (not its logit) with scipy.stats' Beta density, and the exact finite sum
for P(X₁ > X₀) with whole-number parameters in pure Python.
"""

from __future__ import annotations

import math
import time
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creatorkit import compare
from creatorkit.compare import _bayes

integrate = pytest.importorskip("scipy.integrate")
special = pytest.importorskip("scipy.special")
stats = pytest.importorskip("scipy.stats")

COLUMNS = ["chance_to_beat_control", "chance_to_be_best", "expected_loss"]
LEVELS = [1e-14, 1e-9, 1e-5, 1e-3, 0.02, 0.16, 0.5, 0.84, 0.98, 1 - 1e-3, 1 - 1e-5, 1 - 1e-9]


# --- references (per arm, in the test only) ----------------------------------------------------
# Integrals run over t = logit(rate) (a change of variables that keeps rates near 0 and 1
# representable), with scipy.stats' Beta density mirrored for rates above ½.


def _posterior(successes, trials, prior=(1.0, 1.0)):
    x, n = np.asarray(successes, dtype=float), np.asarray(trials, dtype=float)
    return prior[0] + x, prior[1] + n - x


def _density(a, b, t):
    """Density of logit(rate) at a scalar ``t``."""
    x, y = special.expit(t), special.expit(-t)
    return (stats.beta.pdf(x, a, b) if t <= 0 else stats.beta.pdf(y, b, a)) * x * y


def _cdf(a, b, t):
    x, y = special.expit(t), special.expit(-t)
    return special.betainc(a, b, x) if t <= 0 else special.betaincc(b, a, y)


def _logit_quantile(a, b, level):
    q = stats.beta.ppf(level, a, b)
    return np.log(q) - np.log1p(-q)


def _range(a, b):
    return float(_logit_quantile(a, b, 1e-15)), float(-_logit_quantile(b, a, 1e-15))


def _breaks(a, b):
    a, b = np.atleast_1d(a)[:, None], np.atleast_1d(b)[:, None]
    low = [lv for lv in LEVELS if lv < 0.5]
    points = np.concatenate(
        [_logit_quantile(a, b, low).ravel(), -_logit_quantile(b, a, low).ravel()]
    )
    return np.unique(points[np.isfinite(points)])


def _quad(f, lo, hi, points):
    inner = [p for p in points if lo < p < hi]
    value, _ = integrate.quad(
        f, lo, hi, points=inner or None, limit=60 * (len(inner) + 1), epsabs=1e-13, epsrel=1e-12
    )
    return value


def reference(successes, trials, control=0, prior=(1.0, 1.0)):
    """Chance to beat control, to be best and expected loss by ``quad``, arm by arm."""
    a, b = _posterior(successes, trials, prior)
    points, k = _breaks(a, b), len(a)

    def others(t, i):
        return np.prod(np.delete(_cdf(a, b, t), i))

    best = [
        _quad(lambda t, i=i: _density(a[i], b[i], t) * others(t, i), *_range(a[i], b[i]), points)
        for i in range(k)
    ]
    # E[max] = ∫₀¹ (1 − Π F_j(x)) dx: 1 below the lowest break, 0 above the highest
    lo, hi = points[0], points[-1]
    grid = _quad(
        lambda t: (1.0 - np.prod(_cdf(a, b, t))) * special.expit(t) * special.expit(-t),
        lo,
        hi,
        points,
    )
    expected_max = special.expit(lo) + grid
    lo, hi = _range(a[control], b[control])
    beat = [
        np.nan
        if i == control
        else _quad(
            lambda t, i=i: _density(a[control], b[control], t) * (1.0 - _cdf(a[i], b[i], t)),
            lo,
            hi,
            points,
        )
        for i in range(k)
    ]
    return {
        "chance_to_beat_control": np.array(beat),
        "chance_to_be_best": np.array(best),
        "expected_loss": expected_max - a / (a + b),
    }


def beat_exact(a1, b1, a0, b0):
    """P(X₁ > X₀), X ~ Beta, ``a1`` whole: Σ_i B(a0+i, b0+b1) / ((b1+i) B(1+i, b1) B(a0, b0))."""

    def lbeta(p, q):
        return math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)

    return math.fsum(
        math.exp(lbeta(a0 + i, b0 + b1) - math.log(b1 + i) - lbeta(1 + i, b1) - lbeta(a0, b0))
        for i in range(int(a1))
    )


def ours(successes, trials, **options):
    table = compare.bayes_proportions(successes, trials, **options).table
    return {c: table[c].to_numpy(dtype=float) for c in COLUMNS}


def _close(got, want, atol):
    for name in COLUMNS:
        np.testing.assert_allclose(got[name], want[name], rtol=0, atol=atol, err_msg=name)


def _by_arm(res, labels):
    """Result columns in the order of ``labels`` (the table puts the control first)."""
    table = res.table.set_index("arm").loc[labels]
    return {c: table[c].to_numpy(dtype=float) for c in COLUMNS}


# --- accuracy against quadrature per arm -------------------------------------------------------

EXTREME = {
    "zero successes, huge trials": ([0, 0, 3], [10**7, 10**5, 10**7]),
    "all successes": ([10**7, 5, 999], [10**7, 5, 1000]),
    "tiny rates, 1e7 trials": ([3, 12, 0, 40, 7], [10**7] * 5),
    "very unequal arms": ([1, 500, 4000, 2, 0], [3, 1000, 10**7, 10**6, 0]),
    "no data at all": ([0, 0, 0], [0, 0, 0]),
    "1e9 trials": ([318710475, 633148791, 155263, 5], [10**9, 10**9, 10**7, 12]),
    "ten arms": (list(range(0, 100, 10)), [1000] * 10),
}


@pytest.mark.parametrize("case", list(EXTREME))
@pytest.mark.parametrize("prior", [(1.0, 1.0), (0.5, 0.5)])
def test_extreme_posteriors_equal_quadrature_per_arm(case, prior):
    x, n = EXTREME[case]
    _close(ours(x, n, prior=prior), reference(x, n, prior=prior), atol=1e-6)


TRIALS = st.one_of(
    st.sampled_from([0, 1, 2, 7, 100, 10**5, 10**7]), st.integers(min_value=0, max_value=5000)
)
SHARES = st.one_of(
    st.just(0.0), st.just(1.0), st.floats(0, 1), st.floats(1e-7, 1e-4), st.floats(0.999, 1)
)


@st.composite
def experiments(draw, max_arms=10):
    k = draw(st.integers(2, max_arms))
    n = draw(st.lists(TRIALS, min_size=k, max_size=k))
    shares = draw(st.lists(SHARES, min_size=k, max_size=k))
    return [round(s * m) for s, m in zip(shares, n, strict=True)], n


@settings(max_examples=20, deadline=None)
@given(
    experiments(),
    st.sampled_from([(1.0, 1.0), (0.5, 0.5), (2.0, 30.0)]),
    st.integers(0, 9),
)
def test_random_posteriors_equal_quadrature_per_arm(arms, prior, control):
    x, n = arms
    control = control % len(x)
    got = ours(x, n, prior=prior, control=control)
    want = reference(x, n, control=control, prior=prior)
    order = [control] + [i for i in range(len(x)) if i != control]  # the table's row order
    _close(got, {k: v[order] for k, v in want.items()}, atol=1e-6)


@pytest.mark.parametrize("trials", [10**4, 10**7, 10**12, 2**53])
def test_all_successes_against_arms_without_data_in_closed_form(trials):
    """X ~ Beta(n + 1, 1) against k uniforms (and Beta(4, 9), far below it): P(X best) =
    E[X^k] = (n + 1) / (n + 1 + k); a uniform beats Beta(4, 9) with chance 1 − 4/13; the
    largest of k uniforms has mean k / (k + 1)."""
    k = 3
    res = ours([3, trials] + [0] * k, [11, trials] + [0] * k)
    best = (trials + 1.0) / (trials + 1.0 + k)
    assert res["chance_to_be_best"][1] == pytest.approx(best, abs=1e-9)
    np.testing.assert_allclose(res["chance_to_be_best"][2:], (1 - best) / k, atol=1e-9)
    np.testing.assert_allclose(res["chance_to_beat_control"][2:], 1 - 4 / 13, atol=1e-9)
    assert res["chance_to_beat_control"][1] == pytest.approx(1.0, abs=1e-9)
    without_big = ours([0] * k, [0] * k)
    assert without_big["expected_loss"][1] == pytest.approx(k / (k + 1) - 0.5, abs=1e-9)


@pytest.mark.parametrize("trials", [10**10, 10**11, 10**12, 10**14, 9 * 10**18])
def test_huge_counts_where_scipys_incomplete_beta_loses_digits(trials):
    """At 10¹¹ trials and a rate of ½ ``betainc`` is off by 1e-3: such posteriors are
    normal to within their skewness (≤ 1e-5), so P(B > A) = Φ(0.5 / √0.5)."""
    half = trials // 2
    step = round(0.5 * math.sqrt(trials))
    res = ours([half, half + step], [trials, trials])
    want = special.ndtr(step / math.sqrt(2 * half * (trials - half) / trials))
    assert res["chance_to_beat_control"][1] == pytest.approx(want, abs=1e-6)
    assert res["chance_to_be_best"][1] == pytest.approx(want, abs=1e-6)
    assert res["chance_to_be_best"].sum() == pytest.approx(1.0, abs=1e-7)


def test_chance_to_beat_control_equals_the_exact_finite_sum():
    x, n = [40, 60, 45, 0, 1000], [1000, 1000, 900, 50, 1000]
    a, b = _posterior(x, n)
    exact = [beat_exact(a[i], b[i], a[0], b[0]) for i in range(1, len(x))]
    got = ours(x, n)["chance_to_beat_control"][1:]
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-10)


def test_the_rule_has_converged(monkeypatch):
    """A rule four times finer (and of order 24) changes no figure by more than 1e-9."""
    x, n = EXTREME["very unequal arms"]
    coarse = ours(x, n)
    monkeypatch.setattr(_bayes, "WIDTH", _bayes.WIDTH / 4)
    monkeypatch.setattr(_bayes, "ORDER", 24)
    _close(coarse, ours(x, n), atol=1e-9)


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(experiments(max_arms=30), st.sampled_from([(1.0, 1.0), (0.5, 0.5)]))
def test_chances_to_be_best_sum_to_one_and_losses_order_like_means(arms, prior):
    x, n = arms
    res = compare.bayes_proportions(x, n, prior=prior).table
    assert res["chance_to_be_best"].sum() == pytest.approx(1.0, abs=1e-9)
    loss, value = res["expected_loss"].to_numpy(), res["value"].to_numpy()
    assert (loss >= 0).all()
    # E[max] − mean_i: the difference of two losses is the difference of the means
    np.testing.assert_allclose(loss - loss[0], value[0] - value, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(experiments(max_arms=8), st.randoms(use_true_random=False), st.integers(0, 7))
def test_permuting_arms_permutes_results_and_labels_change_nothing(arms, rnd, control):
    x, n = arms
    k = len(x)
    labels = [f"arm{i}" for i in range(k)]
    control = labels[control % k]
    base = compare.bayes_proportions(x, n, labels=labels, control=control)
    order = list(range(k))
    rnd.shuffle(order)
    shuffled = compare.bayes_proportions(
        [x[i] for i in order],
        [n[i] for i in order],
        labels=[labels[i] for i in order],
        control=control,
    )
    _close(_by_arm(shuffled, labels), _by_arm(base, labels), atol=1e-12)
    renamed = compare.bayes_proportions(
        x, n, labels=[f"creator {i}" for i in range(k)], control=labels.index(control)
    )
    for name in COLUMNS:
        np.testing.assert_array_equal(renamed.table[name], base.table[name])


def test_two_arms_chance_to_be_best_is_chance_to_beat_control():
    res = ours([40, 61], [1000, 1000])
    assert res["chance_to_be_best"][1] == pytest.approx(res["chance_to_beat_control"][1], abs=1e-10)


@pytest.mark.parametrize("arms", [5, 1_000])
def test_identical_arms_are_even(arms):
    """The largest of 1,000 arms varies faster than any one of them: panels follow."""
    res = ours([50] * arms, [1000] * arms)
    np.testing.assert_allclose(res["chance_to_beat_control"][1:], 0.5, atol=1e-10)
    np.testing.assert_allclose(res["chance_to_be_best"], 1 / arms, atol=1e-11)


def test_chunked_evaluation_gives_the_same_figures(monkeypatch):
    x, n = EXTREME["very unequal arms"]
    whole = ours(x, n)
    monkeypatch.setattr(_bayes, "CHUNK", 37)  # many chunks; log CDFs recomputed, not kept
    _close(ours(x, n), whole, atol=1e-13)


def test_priors_far_below_one_keep_their_mass():
    """Beta(0.01, 0.01) puts mass on rates below 1e-304: tails in closed form, nothing lost."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = ours([0, 0, 5], [0, 10, 10], prior=(0.01, 0.01))
    assert res["chance_to_be_best"].sum() == pytest.approx(1.0, abs=1e-7)
    assert res["chance_to_beat_control"][2] == pytest.approx(0.5, abs=1e-3)


def test_method_card_names_the_quadrature():
    card = compare.bayes_proportions([40, 60, 45], [1000, 1000, 900]).method.parameters
    rule = card["quadrature"]
    assert rule["rule"] == "gauss-legendre"
    assert rule["variable"] == "logit(rate)"
    assert rule["order"] == _bayes.ORDER
    assert rule["tail"] == _bayes.TAIL
    for part in ("best", "beat_control"):
        assert rule[part]["nodes"] == rule[part]["panels"] * rule["order"] > 0


# --- the finding: 100 arms took 20 s and 400 arms 304 s ----------------------------------------


def _many(arms, seed=1):
    rng = np.random.default_rng(seed)
    n = rng.integers(500, 50_000, arms)
    return rng.binomial(n, rng.uniform(0.01, 0.1, arms)), n


def test_a_thousand_arms_take_well_under_a_second_of_work():
    x, n = _many(1_000)
    start = time.perf_counter()
    res = compare.bayes_proportions(x, n)
    assert time.perf_counter() - start < 10.0  # 0.2 s on the benchmark machine
    table = res.table
    assert table["chance_to_be_best"].sum() == pytest.approx(1.0, abs=1e-9)
    a, b = _posterior(x, n)
    for i in (1, 17, int(np.argmax(x / n))):  # beat control of some arms, quad per pair
        want = _quad(
            lambda t, i=i: _density(a[0], b[0], t) * (1.0 - _cdf(a[i], b[i], t)),
            *_range(a[0], b[0]),
            _breaks(a[[0, i]], b[[0, i]]),
        )
        assert table["chance_to_beat_control"].iloc[i] == pytest.approx(want, abs=1e-6)
    top = int(np.argmax(table["chance_to_be_best"].to_numpy()))
    want = _quad(
        lambda t: _density(a[top], b[top], t) * np.prod(np.delete(_cdf(a, b, t), top)),
        *_range(a[top], b[top]),
        _breaks(a[[top]], b[[top]]),
    )
    assert table["chance_to_be_best"].iloc[top] == pytest.approx(want, abs=1e-6)


def test_memory_stays_bounded_for_many_arms():
    x, n = _many(10_000)
    tracemalloc.start()
    try:
        compare.bayes_proportions(x, n)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20  # about 60 MiB
