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
