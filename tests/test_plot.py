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
