"""Properties of weighting under hypothesis: invariances, monotonicity, weights summing to 1."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from creatorkit import weighting as wt

VALUE = st.floats(0.5, 1000.0, allow_nan=False, allow_infinity=False)


@st.composite
def problems(draw, min_rows=3, max_rows=12):
    n = draw(st.integers(min_rows, max_rows))
    k = draw(st.integers(2, 5))
    x = draw(arrays(float, (n, k), elements=VALUE))
    benefit = draw(st.lists(st.booleans(), min_size=k, max_size=k))
    raw = draw(arrays(float, k, elements=st.floats(0.01, 1.0)))
    return x, benefit, raw / raw.sum()


@settings(deadline=None, max_examples=60)
@given(problems(), st.floats(0.01, 1000.0), st.sampled_from(["vector", "minmax"]), st.data())
def test_scaling_a_benefit_column_leaves_topsis_unchanged(problem, factor, normalization, data):
    x, benefit, w = problem
    j = data.draw(st.integers(0, x.shape[1] - 1))
    benefit[j] = True
    scaled = x.copy()
    scaled[:, j] *= factor
    before = wt.topsis(x, w, benefit, normalization=normalization)
    after = wt.topsis(scaled, w, benefit, normalization=normalization)
    np.testing.assert_allclose(after, before, rtol=1e-9, atol=1e-12)


@settings(deadline=None, max_examples=80)
@given(problems(), st.floats(0.0, 500.0), st.data())
def test_raising_a_benefit_value_never_lowers_the_score(problem, rise, data):
    x, benefit, w = problem
    i = data.draw(st.integers(0, x.shape[0] - 1))
    j = data.draw(st.integers(0, x.shape[1] - 1))
    benefit[j] = True
    raised = x.copy()
    raised[i, j] += rise
    for normalization in ("vector", "minmax"):
        before = wt.topsis(x, w, benefit, normalization=normalization)[i]
        after = wt.topsis(raised, w, benefit, normalization=normalization)[i]
        assert after >= before - 1e-12, normalization
    for normalization in ("minmax", "percentile", "max"):
        before = wt.weighted_sum(x, w, benefit, normalization=normalization)[i]
        after = wt.weighted_sum(raised, w, benefit, normalization=normalization)[i]
        assert after >= before - 1e-12, normalization


@settings(deadline=None, max_examples=60)
@given(problems())
def test_weights_always_sum_to_one(problem):
    x, benefit, w = problem
    k = x.shape[1]
    results = [
        wt.entropy(x),
        wt.critic(x, benefit),
        wt.std(x, benefit),
        wt.std(x, benefit, normalization="percentile"),
        wt.manual(w * 7.3),
        wt.equal(k),
        wt.roc(np.arange(k, 0, -1)),
        wt.rank_sum(np.arange(1, k + 1)),
        wt.ahp(
            w[:, None]
            / w[None, :]
            * np.exp(np.triu(np.full((k, k), 0.1), 1) - np.tril(np.full((k, k), 0.1), -1))
        ),
        wt.blend(w, wt.entropy(x), alpha=0.3),
    ]
    for res in results:
        assert abs(float(res.weights.sum()) - 1.0) <= 1e-12
        assert (res.weights >= 0).all()
        assert len(res.weights) == k


@settings(deadline=None, max_examples=60)
@given(problems(), st.randoms(use_true_random=False))
def test_row_order_changes_no_score(problem, random):
    x, benefit, w = problem
    perm = np.array(random.sample(range(len(x)), len(x)))
    for method, options in [
        ("weighted_sum", {"normalization": "minmax"}),
        ("weighted_sum", {"normalization": "percentile"}),
        ("weighted_product", {"normalization": "max"}),
        ("topsis", {"normalization": "vector"}),
        ("topsis", {"normalization": "minmax"}),
        ("vikor", {"v": 0.5}),
    ]:
        base = wt.aggregate(x, w, benefit, method=method, **options)
        moved = wt.aggregate(x[perm], w, benefit, method=method, **options)
        np.testing.assert_allclose(moved, base[perm], rtol=1e-10, atol=1e-12, err_msg=method)
    for method in ("entropy", "critic", "std"):
        a = getattr(wt, method)(x, benefit).weights
        b = getattr(wt, method)(x[perm], benefit).weights
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=method)


@settings(deadline=None, max_examples=40)
@given(
    problems(min_rows=4, max_rows=30), st.lists(st.sampled_from("abc"), min_size=30, max_size=30)
)
def test_grouped_normalization_equals_normalizing_each_group(problem, labels):
    x, benefit, _ = problem
    groups = np.array(labels[: len(x)])
    for method in ("minmax", "zscore", "robust", "percentile", "vector", "sum", "max", "log"):
        got = wt.normalize(x, method, benefit=benefit, groups=groups)
        for g in np.unique(groups):
            alone = wt.normalize(x[groups == g], method, benefit=benefit)
            np.testing.assert_allclose(
                got[groups == g], alone, rtol=1e-10, atol=1e-12, err_msg=method
            )


@settings(deadline=None, max_examples=40)
@given(problems())
def test_contributions_always_sum_to_the_score(problem):
    x, benefit, w = problem
    assume(len(x) >= 2)
    for method, options in [
        ("weighted_sum", {"normalization": "minmax"}),
        ("weighted_product", {"normalization": "max"}),
        ("topsis", {}),
        ("vikor", {"v": 0.4}),
    ]:
        scores = wt.aggregate(x, w, benefit, method=method, **options)
        parts = wt.contributions(x, w, benefit, method=method, **options)
        np.testing.assert_allclose(parts.sum(axis=1), scores, rtol=1e-9, atol=1e-12, err_msg=method)
