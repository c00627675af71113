"""``reviews.aggregate`` on Dask equals the pandas path (run in the Dask environment)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit.errors import ValidationError

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

SCHEDULERS = ["sync", "threads"]
FIELDS = ("creators", "ratings", "reviewers", "priors")


def _same(
    got: ck.reviews.ReviewAggregate, want: ck.reviews.ReviewAggregate, *, ranks: bool = True
) -> None:
    for field in FIELDS:
        a, b = getattr(got, field), getattr(want, field)
        if not ranks:  # exact ties (copied creators) may break either way at 1e-14
            a, b = (x.drop(columns=[c for c in x.columns if c.startswith("rank")]) for x in (a, b))
        assert list(a.columns) == list(b.columns)
        # key dtypes may differ (Dask may turn text into Arrow strings); values may not
        pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9, atol=1e-9)
        for column in a.columns:
            if pd.api.types.is_integer_dtype(b[column]):
                assert (a[column].to_numpy() == b[column].to_numpy()).all()  # counts exactly
    assert list(got.warnings) == list(want.warnings)
    assert got.method.runtime["engine"] == "dask"
    assert got.method.runtime["iterations"] == want.method.runtime["iterations"]


def _on_dask(frame: pd.DataFrame, parts: int, scheduler: str, **options: object) -> object:
    with dask.config.set(scheduler=scheduler):
        return ck.reviews.aggregate(dd.from_pandas(frame, npartitions=parts, sort=False), **options)


def _hand() -> pd.DataFrame:
    """Three creators, two reviewers; pair (a, x) twice, one missing star, rows interleaved."""
    return pd.DataFrame(
        {
            "creator_id": ["a", "b", "a", "c", "b", "a", "c"],
            "reviewer_id": ["x", "x", "y", "x", "y", "x", "y"],
            "conversion": [5.0, 4.0, 4.0, 3.0, 3.0, 4.0, np.nan],
            "timeliness": [4.0, 4.0, 5.0, 2.0, 3.0, 4.0, 1.0],
            "would_rehire": pd.array([True, False, True, None, True, True, False], dtype="boolean"),
        }
    )


def _dense_corrected(frame: pd.DataFrame, column: str, lam: float) -> tuple[np.ndarray, float]:
    """μ + creator effects and σ² by a dense ridge solve over the rated reviews (independent)."""
    rated = frame[frame[column].notna()]
    creators = sorted(frame["creator_id"].unique())
    reviewers = sorted(frame["reviewer_id"].unique())
    x = np.zeros((len(rated), len(creators) + len(reviewers)))
    for row, (c, r) in enumerate(zip(rated["creator_id"], rated["reviewer_id"], strict=True)):
        x[row, creators.index(c)] = 1.0
        x[row, len(creators) + reviewers.index(r)] = 1.0
    y = rated[column].to_numpy(float)
    mu = y.mean()
    beta = np.linalg.solve(x.T @ x + lam * np.eye(x.shape[1]), x.T @ (y - mu))
    resid = y - mu - x @ beta
    present = (x.sum(axis=0) > 0).sum()
    return mu + beta[: len(creators)], float((resid**2).sum() / (len(y) - present))


@pytest.mark.parametrize("scheduler", SCHEDULERS)
@pytest.mark.parametrize("parts", [1, 2, 3, 7])
def test_hand_case_equals_pandas_and_a_dense_solve(scheduler: str, parts: int) -> None:
    frame = _hand()
    want = ck.reviews.aggregate(frame, ridge=1.0, imdb=(4.0, 2.0), tol=1e-13)
    got = _on_dask(frame, parts, scheduler, ridge=1.0, imdb=(4.0, 2.0), tol=1e-13)
    _same(got, want)
    ratings = got.ratings.set_index(["creator_id", "dimension"])
    for column in ("conversion", "timeliness"):
        corrected, _ = _dense_corrected(frame, column, 1.0)
        assert ratings.xs(column, level="dimension")["corrected"].to_numpy() == pytest.approx(
            corrected, abs=1e-10
        )
    # hand sums: creator a has conversion 5, 4, 4 (mean 13/3) and would-rehire 3 of 3
    a = got.creators.set_index("creator_id").loc["a"]
    assert ratings.loc[("a", "conversion"), "n"] == 3
    assert ratings.loc[("a", "conversion"), "mean"] == pytest.approx(13 / 3, abs=1e-12)
    assert ratings.loc[("a", "conversion"), "imdb"] == pytest.approx((13 + 8) / 5, abs=1e-12)
    assert (a["would_rehire_n"], a["would_rehire"]) == (3, 1.0)
    c = got.creators.set_index("creator_id").loc["c"]
    assert (c["would_rehire_n"], c["would_rehire"]) == (1, 0.0)  # one unanswered
    reviewers = got.reviewers.set_index("reviewer_id")
    assert reviewers.loc["x", "reviews"] == 4
    # x gave 5,4 | 4,4 | 3,2 | 4,4: one five among eight stars
    assert reviewers.loc["x", "top_box_share"] == pytest.approx(1 / 8, abs=1e-12)


def test_residual_variance_matches_the_dense_solve() -> None:
    frame = _hand()
    got = _on_dask(frame, 3, "sync", ridge=1.0, tol=1e-13)
    _, sigma2 = _dense_corrected(frame, "timeliness", 1.0)
    # the corrected interval's half width is z·σ/√(n + λ); creator b has 2 ratings
    b = got.ratings.set_index(["creator_id", "dimension"]).loc[("b", "timeliness")]
    z = 1.959963984540054
    assert (b["corrected_high"] - b["corrected"]) == pytest.approx(
        z * np.sqrt(sigma2 / 3.0), abs=1e-9
    )


@pytest.mark.parametrize(("scheduler", "parts"), [("sync", 1), ("sync", 9), ("threads", 4)])
def test_synthetic_reviews_equal_pandas(scheduler: str, parts: int) -> None:
    reviews = ck.datasets.synthetic(seed=3).reviews
    _same(_on_dask(reviews, parts, scheduler), ck.reviews.aggregate(reviews))


def test_creator_split_across_partitions_and_prior_by() -> None:
    reviews = ck.datasets.synthetic(seed=5).reviews
    busiest = reviews["creator_id"].value_counts().index[0]
    mine = reviews[reviews["creator_id"] == busiest]
    rest = reviews[reviews["creator_id"] != busiest]
    # the busiest creator's reviews in the first and the last partition
    frame = pd.concat([mine.iloc[:1], rest, mine.iloc[1:]])
    assert len(mine) > 1
    frame = frame.assign(group=frame["creator_id"].str[-1:].isin(list("01234")))
    parts = dd.from_pandas(frame, npartitions=5, sort=False)
    options = {"prior_by": "group", "prior_strength": 3.0}
    with dask.config.set(scheduler="sync"):
        got = ck.reviews.aggregate(parts, **options)
    _same(got, ck.reviews.aggregate(frame, **options))


def test_repeated_pairs_solve_the_same_system_as_pandas() -> None:
    base = ck.datasets.synthetic(seed=0).reviews
    # every pair reviewed many times: the CG runs on the same pair sums on both paths (only
    # the order of adding the non-integer overall stars differs)
    copies = [
        base.assign(
            creator_id=base["creator_id"] + f"_{i % 5}", review_id=base["review_id"] + f"_{i}"
        )
        for i in range(25)
    ]
    frame = pd.concat(copies, ignore_index=True)
    want = ck.reviews.aggregate(frame)
    got = _on_dask(frame, 6, "threads")
    _same(got, want, ranks=False)
    diff = (got.ratings["corrected"] - want.ratings["corrected"]).abs()
    overall = want.ratings["dimension"] == "overall"
    assert diff[~overall].max() == 0.0  # whole stars sum exactly: the very same solve
    assert diff[overall].max() < 1e-9  # means of stars: rounding, amplified by the solve


def test_what_reaches_the_client_is_the_pair_table() -> None:
    reviews = ck.datasets.synthetic(seed=2).reviews
    doubled = pd.concat([reviews, reviews.assign(review_id=reviews["review_id"] + "b")])
    doubled = doubled.reset_index(drop=True)
    with dask.config.set(scheduler="sync"):
        got = ck.reviews.aggregate(dd.from_pandas(doubled, npartitions=4))
    pairs = len(reviews.drop_duplicates(["creator_id", "reviewer_id"]))
    assert got.method.runtime["pairs"] == pairs < len(doubled)


@settings(deadline=None, max_examples=20, phases=[Phase.explicit, Phase.generate])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["c1", "c2", "c3", "c4"]),
            st.sampled_from(["r1", "r2", "r3"]),
            st.one_of(st.none(), st.integers(1, 5)),
            st.integers(1, 5),
            st.one_of(st.none(), st.booleans()),
        ),
        min_size=1,
        max_size=40,
    ),
    parts=st.integers(1, 6),
)
def test_random_reviews_equal_pandas(rows: list[tuple[object, ...]], parts: int) -> None:
    frame = pd.DataFrame(
        rows, columns=["creator_id", "reviewer_id", "conversion", "timeliness", "would_rehire"]
    )
    frame["conversion"] = frame["conversion"].astype(float)
    frame["would_rehire"] = frame["would_rehire"].astype("boolean")
    want = ck.reviews.aggregate(frame, ridge=0.5)
    got = _on_dask(frame, min(parts, len(frame)), "sync", ridge=0.5)
    _same(got, want)


def _error(call: object) -> str:
    with pytest.raises(ValidationError) as info:
        call()  # type: ignore[operator]
    return str(info.value)


def _never(part: pd.DataFrame) -> pd.DataFrame:
    raise AssertionError("computed")  # pragma: no cover - the check must come first


def test_missing_column_is_the_pandas_error_before_computing() -> None:
    frame = _hand().drop(columns="reviewer_id")
    lazy = dd.from_pandas(frame, npartitions=2).map_partitions(_never, meta=frame.iloc[:0])
    want = _error(lambda: ck.reviews.aggregate(frame))
    assert _error(lambda: ck.reviews.aggregate(lazy)) == want
    assert "reviewer_id" in want
    bad_dims = _error(lambda: ck.reviews.aggregate(lazy, dimensions=["convertion"]))
    assert bad_dims == _error(lambda: ck.reviews.aggregate(frame, dimensions=["convertion"]))
    whole = _hand()
    lazy_whole = dd.from_pandas(whole, npartitions=2).map_partitions(_never, meta=whole.iloc[:0])
    bad_prior = _error(lambda: ck.reviews.aggregate(lazy_whole, prior_by="nope"))
    assert bad_prior == _error(lambda: ck.reviews.aggregate(whole, prior_by="nope"))
    assert "prior_by" in bad_prior


def test_bad_rows_and_parameters_raise_the_pandas_error() -> None:
    frame = _hand()
    frame.loc[4, "timeliness"] = 6.0  # in one partition
    want = _error(lambda: ck.reviews.aggregate(frame))
    assert _error(lambda: _on_dask(frame, 3, "sync")) == want
    assert "timeliness" in want
    good = _hand()
    assert _error(lambda: _on_dask(good, 2, "sync", level=2.0)) == _error(
        lambda: ck.reviews.aggregate(good, level=2.0)
    )
    mixed = good.assign(group=["u", "v", "v", "u", "v", "u", "u"])  # creator a in two
    assert _error(lambda: _on_dask(mixed, 2, "sync", prior_by="group")) == _error(
        lambda: ck.reviews.aggregate(mixed, prior_by="group")
    )


def test_empty_frame_is_refused() -> None:
    empty = _hand().iloc[:0]
    message = _error(lambda: _on_dask(empty, 1, "sync"))
    assert "at least one row" in message
