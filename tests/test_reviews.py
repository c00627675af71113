"""reviews.aggregate and reviews.diagnose: reference values, hand-computed posteriors,
leniency correction against scipy's LSQR and against the synthetic world's truth."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import creatorkit as ck
from creatorkit.errors import ValidationError

Z95 = 1.959963984540054


def _reviews(
    groups: dict[str, list[int]], rehire: dict[str, list[int]] | None = None
) -> pd.DataFrame:
    rows = [(c, f"r{i % 3}", s) for c, stars in groups.items() for i, s in enumerate(stars)]
    frame = pd.DataFrame(rows, columns=["creator_id", "reviewer_id", "conversion"])
    if rehire is not None:
        frame["would_rehire"] = [v for c in groups for v in rehire[c]]
    return frame


def test_wilson_reference_cases_for_would_rehire() -> None:
    cases = {"a": (209, 259), "b": (118, 143), "c": (2, 2), "d": (600, 1000)}
    groups = {c: [4] * n for c, (_, n) in cases.items()}
    rehire = {c: [1] * x + [0] * (n - x) for c, (x, n) in cases.items()}
    res = ck.reviews.aggregate(_reviews(groups, rehire), ridge=1.0)
    low = res.creators.set_index("creator_id")["would_rehire_low"].round(4).to_dict()
    assert low == {"a": 0.7545, "b": 0.7546, "c": 0.3424, "d": 0.5693}


def test_wilson_equals_statsmodels() -> None:
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    res = ck.reviews.aggregate(_reviews({"a": [4] * 7}, {"a": [1, 1, 0, 1, 1, 0, 1]}))
    low, high = proportion.proportion_confint(5, 7, alpha=0.05, method="wilson")
    row = res.creators.iloc[0]
    assert row["would_rehire_low"] == pytest.approx(low, abs=1e-12)
    assert row["would_rehire_high"] == pytest.approx(high, abs=1e-12)


def test_imdb_reference_cases() -> None:
    out = ck.reviews.bayesian_average([5.0, 5.0, 4.8], [1, 3, 20], C=4.2, m=5)
    assert np.round(out, 3).tolist() == [4.333, 4.5, 4.68]
    groups = {"one": [5], "three": [5, 5, 5], "twenty": [5] * 16 + [4] * 4}
    res = ck.reviews.aggregate(_reviews(groups), imdb=(4.2, 5))
    imdb = res.creators.set_index("creator_id")["imdb"]
    assert imdb["one"] == pytest.approx(26 / 6, abs=1e-12)
    assert imdb["three"] == pytest.approx(4.5, abs=1e-12)
    assert imdb["twenty"] == pytest.approx(4.68, abs=1e-12)


def test_dirichlet_uniform_prior_hand_computed() -> None:
    mean, low = ck.reviews.dirichlet([0, 0, 0, 0, 3])
    # alpha = (1, 1, 1, 1, 4), A = 8: mean 30/8, E[k²] = 130/8, var = (130/8 − (30/8)²) / 9
    assert mean[0] == pytest.approx(3.75, abs=1e-12)
    assert low[0] == pytest.approx(3.75 - Z95 * math.sqrt((130 / 8 - 3.75**2) / 9), abs=1e-12)
    assert round(float(low[0]), 4) == 2.7837


def test_dirichlet_category_prior_hand_computed() -> None:
    mean, low = ck.reviews.dirichlet([[0, 1, 0, 2, 1]], prior=[1, 1, 2, 4, 2], level=0.9)
    # alpha = (1, 2, 2, 6, 3), A = 14: mean 50/14, E[k²] = 198/14
    z90 = 1.6448536269514722
    var = (198 / 14 - (50 / 14) ** 2) / 15
    assert mean[0] == pytest.approx(50 / 14, abs=1e-12)
    assert low[0] == pytest.approx(50 / 14 - z90 * math.sqrt(var), abs=1e-12)


def test_aggregate_dirichlet_uses_the_dimension_star_shares() -> None:
    frame = _reviews({"a": [5, 5, 4], "b": [3, 2], "c": [1, 4, 4, 5]})
    res = ck.reviews.aggregate(frame, prior_strength=5.0)
    counts = np.array([[0, 0, 0, 1, 2], [0, 1, 1, 0, 0], [1, 0, 0, 2, 1]], float)
    prior = counts.sum(axis=0) / counts.sum() * 5.0
    mean, low = ck.reviews.dirichlet(counts, prior=prior)
    got = res.creators.set_index("creator_id")
    assert got["dirichlet"].isna().all()  # overall mean stars are not star levels
    rating = res.ratings[res.ratings["dimension"] == "conversion"]
    np.testing.assert_allclose(rating["dirichlet"], mean, atol=1e-12)
    np.testing.assert_allclose(rating["dirichlet_low"], low, atol=1e-12)


def test_empirical_prior_method_of_moments() -> None:
    frame = _reviews({"a": [5, 4], "b": [2, 3, 1], "c": [4]})
    res = ck.reviews.aggregate(frame)
    prior = res.priors.set_index("dimension").loc["conversion"]
    stars = [5, 4, 2, 3, 1, 4]
    within = ((5 - 4.5) ** 2 + (4 - 4.5) ** 2 + (2 - 2) ** 2 + (3 - 2) ** 2 + (1 - 2) ** 2) / (
        6 - 3
    )
    means = np.array([4.5, 2.0, 4.0])
    between = means.var(ddof=1) - np.mean(within / np.array([2, 3, 1]))
    assert prior["prior_mean"] == pytest.approx(np.mean(stars), abs=1e-12)
    assert prior["within_variance"] == pytest.approx(within, abs=1e-12)
    assert prior["between_variance"] == pytest.approx(between, abs=1e-12)
    m = within / between
    bayes = res.creators.set_index("creator_id")["bayes"]
    assert bayes["a"] == pytest.approx((9 + m * np.mean(stars)) / (2 + m), abs=1e-12)


def _lsqr_effects(frame: pd.DataFrame, column: str, ridge: float) -> np.ndarray:
    sparse = pytest.importorskip("scipy.sparse")
    linalg = pytest.importorskip("scipy.sparse.linalg")
    rated = frame[frame[column].notna()]
    cre, creators = pd.factorize(rated["creator_id"], sort=True)
    rev, reviewers = pd.factorize(rated["reviewer_id"], sort=True)
    n = len(rated)
    design = sparse.hstack(
        [
            sparse.csr_matrix((np.ones(n), (np.arange(n), cre)), shape=(n, len(creators))),
            sparse.csr_matrix((np.ones(n), (np.arange(n), rev)), shape=(n, len(reviewers))),
        ]
    ).tocsr()
    y = rated[column].to_numpy(float)
    solution = linalg.lsqr(design, y - y.mean(), damp=math.sqrt(ridge), atol=1e-14, btol=1e-14)
    return y.mean() + solution[0][: len(creators)]


def test_leniency_correction_equals_lsqr_on_the_same_model() -> None:
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame(
        {
            "creator_id": [f"c{i:03d}" for i in rng.integers(0, 60, n)],
            "reviewer_id": [f"r{i}" for i in rng.integers(0, 7, n)],
            "conversion": rng.integers(1, 6, n).astype(float),
            "timeliness": rng.integers(1, 6, n).astype(float),
        }
    )
    frame.loc[rng.random(n) < 0.2, "timeliness"] = np.nan
    res = ck.reviews.aggregate(frame, ridge=2.0, tol=1e-12)
    for column in ("conversion", "timeliness"):
        rows = res.ratings[res.ratings["dimension"] == column]
        expected = _lsqr_effects(frame, column, 2.0)
        rated = rows["n"].to_numpy() > 0
        np.testing.assert_allclose(rows["corrected"].to_numpy()[rated], expected, atol=1e-8)


@pytest.fixture(scope="module")
def world() -> ck.datasets.Dataset:
    return ck.datasets.synthetic(0, n_events=500, model="truth_model@1")


def test_corrected_rating_recovers_quality_better_than_the_raw_mean(world) -> None:
    stats = pytest.importorskip("scipy.stats")
    res = ck.reviews.aggregate(world.reviews)
    table = res.creators.merge(world.truth, on="creator_id")
    raw = stats.spearmanr(table["mean"], table["review_quality"])[0]
    corrected = stats.spearmanr(table["corrected"], table["review_quality"])[0]
    # measured on truth_model@1 seed 0: raw 0.593, corrected 0.867
    assert corrected > raw + 0.2
    assert corrected > 0.8


def test_flagged_lenient_reviewers_are_the_lenient_ones(world) -> None:
    res = ck.reviews.aggregate(world.reviews)
    flags = res.reviewers.merge(world.reviewers, on="reviewer_id", suffixes=("", "_true"))
    lenient = set(flags.loc[flags["flag"] == "lenient", "reviewer_id"])
    harsh = set(flags.loc[flags["flag"] == "harsh", "reviewer_id"])
    assert lenient == set(world.reviewers.loc[world.reviewers["leniency"] > 0.5, "reviewer_id"])
    assert harsh == set(world.reviewers.loc[world.reviewers["leniency"] < -0.5, "reviewer_id"])
    assert np.corrcoef(flags["leniency"], flags["leniency_true"])[0, 1] > 0.99


def test_rank_shift_is_raw_rank_minus_corrected_rank() -> None:
    frame = pd.DataFrame(
        {
            "creator_id": ["a", "a", "b", "b", "z", "z"],
            "reviewer_id": ["easy", "easy", "hard", "hard", "easy", "hard"],
            "conversion": [5, 5, 4, 4, 5, 3],
        }
    )
    res = ck.reviews.aggregate(frame, ridge=0.1)
    table = res.creators.set_index("creator_id")
    assert table["rank_raw"].tolist() == [1.0, 2.0, 3.0]  # b and z tie at 4: by id
    assert table["rank_shift"].tolist() == (table["rank_raw"] - table["rank_corrected"]).tolist()
    assert table.loc["b", "rank_corrected"] == 1.0  # 4★ from the harsh reviewer is the best


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"conversion": [6, 4, 3]}, "out_of_range"),
        ({"conversion": [3.5, 4, 3]}, "not_integer"),
        ({"reviewer_id": ["x", None, "y"]}, "missing_value"),
        ({"conversion": ["5", "four", 3]}, "wrong_type"),
    ],
)
def test_bad_stars_and_ids_raise(change, code) -> None:
    frame = pd.DataFrame(
        {"creator_id": ["a", "b", "c"], "reviewer_id": ["x", "y", "y"], "conversion": [5, 4, 3]}
    )
    for column, values in change.items():
        frame[column] = values
    with pytest.raises(ValidationError) as info:
        ck.reviews.aggregate(frame)
    assert info.value.argument == "reviews"
    assert code in set(info.value.failure_cases["code"])


def test_unknown_dimension_and_missing_column_raise() -> None:
    frame = pd.DataFrame({"creator_id": ["a"], "reviewer_id": ["x"], "conversion": [5]})
    with pytest.raises(ValidationError, match="Did you mean 'conversion'") as info:
        ck.reviews.aggregate(frame, dimensions=["convertion"])
    assert info.value.argument == "dimensions"
    with pytest.raises(ValidationError, match="reviewer_id"):
        ck.reviews.aggregate(frame.drop(columns="reviewer_id"))


def test_one_review_and_zero_variance_reviewers_are_flagged_without_warnings() -> None:
    frame = pd.DataFrame(
        {
            "creator_id": ["a", "b", "c", "a", "b", "c"],
            "reviewer_id": ["once", "flat", "flat", "flat", "x", "x"],
            "conversion": [5, 4, 4, 4, 2, 5],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = ck.reviews.aggregate(frame)
        diag = ck.reviews.diagnose(frame)
    flags = res.reviewers.set_index("reviewer_id")["flag"]
    assert flags["once"] == "one_review"
    assert flags["flat"] == "no_variance"
    assert np.isfinite(res.reviewers["leniency"]).all()
    assert diag.reviewers.set_index("reviewer_id")["reviews"].to_dict() == {
        "flat": 3,
        "once": 1,
        "x": 2,
    }


def test_dirichlet_prior_within_the_creators_category() -> None:
    frame = _reviews({"a": [5, 5], "b": [4], "c": [1, 2], "d": [2]})
    frame["category"] = frame["creator_id"].map(
        {"a": "beauty", "b": "beauty", "c": "home", "d": "home"}
    )
    res = ck.reviews.aggregate(frame, prior_by="category", prior_strength=2.0)
    beauty = np.array([0, 0, 0, 1, 2]) / 3 * 2.0  # beauty's stars: 5, 5, 4
    home = np.array([1, 2, 0, 0, 0]) / 3 * 2.0  # home's stars: 1, 2, 2
    rows = res.ratings[res.ratings["dimension"] == "conversion"].set_index("creator_id")
    for creator, counts, prior in [
        ("a", [0, 0, 0, 0, 2], beauty),
        ("b", [0, 0, 0, 1, 0], beauty),
        ("d", [0, 1, 0, 0, 0], home),
    ]:
        mean, low = ck.reviews.dirichlet(counts, prior=prior)
        assert rows.loc[creator, "dirichlet"] == pytest.approx(mean[0], abs=1e-12)
        assert rows.loc[creator, "dirichlet_low"] == pytest.approx(max(low[0], 1.0), abs=1e-12)
    frame.loc[0, "category"] = "home"
    with pytest.raises(ValidationError) as info:
        ck.reviews.aggregate(frame, prior_by="category")
    assert info.value.argument == "prior_by"


def test_a_review_id_seen_twice_is_refused_not_counted_twice() -> None:
    frame = _reviews({"a": [5, 4, 3]}).assign(review_id=["x1", "x2", "x3"])
    assert int(ck.reviews.aggregate(frame).to_frame()["reviews"].iloc[0]) == 3
    with pytest.raises(ValidationError) as info:
        ck.reviews.aggregate(pd.concat([frame, frame.iloc[:1]], ignore_index=True))
    cases = info.value.failure_cases
    assert cases["row"].tolist() == [0, 3]
    assert set(cases["code"]) == {"duplicate_key"}
    missing = frame.assign(review_id=[None, None, "x3"])  # missing ids are not duplicates
    assert int(ck.reviews.aggregate(missing).to_frame()["reviews"].iloc[0]) == 3
