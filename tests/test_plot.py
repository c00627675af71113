import numpy as np
import pandas as pd
import pytest

import creatorkit as ck

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def test_forest_plot_draws_every_comparison():
    res = ck.compare.proportions([40, 60, 52], [1000, 1000, 1000], labels=["A", "B", "C"])
    ax = ck.plot.forest(res, column="lift")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B vs A", "C vs A"]
    assert "lift" in ax.get_xlabel()


def test_forest_rejects_other_results():
    with pytest.raises(ck.ValidationError, match="ComparisonResult"):
        ck.plot.forest("nope")  # type: ignore[arg-type]


def test_funnel_and_waterfall_charts():
    counts = pd.DataFrame({"views": [1000], "clicks": [50], "orders": [5]})
    ax = ck.plot.funnel(ck.funnel.from_counts(counts, ["views", "clicks", "orders"]))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["views", "clicks", "orders"]
    res = ck.funnel.decompose(
        {"views": 100.0, "ctr": 0.1, "cvr": 0.1, "aov": 10.0},
        {"views": 200.0, "ctr": 0.1, "cvr": 0.1, "aov": 12.0},
    )
    ax = ck.plot.waterfall(res)
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "before",
        "views",
        "ctr",
        "cvr",
        "aov",
        "after",
    ]
    two = pd.DataFrame({"g": ["a", "b"], "views": [10, 10], "clicks": [1, 2]})
    with pytest.raises(ck.ValidationError, match="several groups"):
        ck.plot.funnel(ck.funnel.from_counts(two, ["views", "clicks"], by="g"))


def _scores(uncertainty=None):
    t = pd.DataFrame(
        {
            "creator_id": [f"c{i}" for i in range(6)],
            "x": [1.0, 4.0, 2.0, 6.0, 5.0, 3.0],
            "y": [3.0, 1.0, 6.0, 2.0, 5.0, 4.0],
            "x_low": [0.8, 3.0, 1.5, 5.0, 4.5, 2.0],
            "x_high": [1.3, 5.0, 2.5, 7.5, 6.0, 4.0],
        }
    )
    card = ck.Scorecard([ck.Criterion(name="x", weight=0.6), ck.Criterion(name="y", weight=0.4)])
    return card.score(t, as_of="2026-06-30T00:00:00+00:00", uncertainty=uncertainty)


def test_score_breakdown_bars_are_the_contributions_of_the_top_creators():
    res = _scores()
    ax = ck.plot.score_breakdown(res, top=4)
    best = res.top(4)
    assert [t.get_text() for t in ax.get_yticklabels()] == best["creator_id"].tolist()
    x_bars, y_bars = ax.containers
    np.testing.assert_allclose([p.get_width() for p in x_bars], best["contribution_x"])
    np.testing.assert_allclose([p.get_width() for p in y_bars], best["contribution_y"])
    np.testing.assert_allclose([p.get_x() for p in y_bars], best["contribution_x"])  # stacked
    right = [p.get_x() + p.get_width() for p in y_bars]
    np.testing.assert_allclose(right, best["score"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "y"]


def test_score_ranks_error_bars_span_the_score_interval():
    res = _scores({"draws": 50, "seed": 1})
    ax = ck.plot.score_ranks(res, top=5)
    best = res.table.sort_values("rank").head(5)
    container = ax.containers[0]
    x, y = container.lines[0].get_data()
    np.testing.assert_allclose(x, best["rank"])
    np.testing.assert_allclose(y, best["score"])
    segments = container.lines[2][0].get_segments()
    np.testing.assert_allclose([s[0][1] for s in segments], best["score_low"])
    np.testing.assert_allclose([s[1][1] for s in segments], best["score_high"])
    assert "95% interval" in ax.get_title()
    plain = ck.plot.score_ranks(_scores())
    assert plain.containers[0].has_yerr is False
    assert "uncertainty" in plain.get_title()


def test_score_plots_refuse_other_results_and_bad_top():
    with pytest.raises(ck.ValidationError, match="ScoreResult"):
        ck.plot.score_breakdown("nope")  # type: ignore[arg-type]
    with pytest.raises(ck.ValidationError, match="top"):
        ck.plot.score_ranks(_scores(), top=0)
