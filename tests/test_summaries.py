"""Foundation III-a: one summary type, one grouping, one registry, read-only results.

Each test here names the defect of 0.1 it guards against.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import creatorkit as ck
from creatorkit import compare, funnel, metrics, summaries
from creatorkit._grouping import fallback, group
from creatorkit.errors import CreatorkitDeprecationWarning, ValidationError
from creatorkit.metrics import Metric
from creatorkit.testing import check_metric, check_result

AS_OF = pd.Timestamp("2026-06-30", tz="UTC")


def _posts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator_id": ["a", "a", "a", "b", "b", "b", "c"],
            "views": [100, 200, 150, 300, 250, 400, 50],
            "likes": [9, 14, 12, 12, 11, 15, 5],
            "comments": [1, 2, 1, 1, 0, 2, 1],
            "shares": [0, 1, 0, 1, 1, 0, 0],
            "saves": [1, 0, 1, 0, 1, 1, 0],
            "clicks": [3, 5, 4, 6, 2, 9, 1],
            "gmv": [10.0, 0.0, 30.0, 12.0, 8.0, 50.0, 1.0],
            "published_at": pd.to_datetime(
                [
                    "2026-06-01",
                    "2026-06-10",
                    "2026-07-05",
                    "2026-06-02",
                    "2026-06-20",
                    "2026-06-25",
                    "2026-07-02",
                ],
                utc=True,
            ),
        }
    )


# --- one summary type ---------------------------------------------------------------------


def test_deprecated_summary_names_are_the_one_type_and_warn():
    with pytest.warns(CreatorkitDeprecationWarning, match="creatorkit.summaries.Summary"):
        assert metrics.MetricSummary is summaries.Summary
    with pytest.warns(CreatorkitDeprecationWarning, match="creatorkit.summaries.Summary"):
        assert compare.Summary is summaries.Summary
    assert isinstance(metrics.summarize(_posts(), "ctr"), summaries.Summary)
    assert isinstance(
        compare.summarize(_posts(), arm="creator_id", metrics="gmv"), summaries.Summary
    )


def test_ratio_and_plain_metric_of_one_name_do_not_merge():
    rows = _posts()
    plain = compare.summarize(rows, arm="creator_id", metrics={"x": "gmv"})
    ratio = compare.summarize(rows, arm="creator_id", metrics={"x": ("gmv", "views")})
    with pytest.raises(ValidationError, match="differ in definitions"):
        plain + ratio


def test_catalog_metric_compared_across_arms():
    rows = _posts()
    engagement = ck.metrics.get("engagement_rate")
    s = compare.summarize(rows, arm="creator_id", metrics=engagement)
    res = s.ratios("engagement_rate").to_frame()
    want = ck.metrics.compute(rows, "engagement_rate", by="creator_id").to_frame()
    np.testing.assert_allclose(res["value"], want["engagement_rate"], rtol=1e-12)
    # the same comparison from hand-made sums
    eng = rows[["likes", "comments", "shares", "saves"]].sum(axis=1)
    g = pd.DataFrame({"x": eng, "y": rows["views"], "arm": rows["creator_id"]})
    g = (
        g.assign(xx=g.x * g.x, yy=g.y * g.y, xy=g.x * g.y)
        .groupby("arm")
        .agg(
            n=("x", "size"),
            x=("x", "sum"),
            y=("y", "sum"),
            xx=("xx", "sum"),
            yy=("yy", "sum"),
            xy=("xy", "sum"),
        )
    )
    hand = compare.ratios(
        g.n, g.x, g.y, g.xx, g.yy, g.xy, labels=list(g.index), metric="engagement_rate"
    )
    np.testing.assert_allclose(
        res["p_value"], hand.to_frame()["p_value"], rtol=1e-12, equal_nan=True
    )


def test_summary_keeps_definitions_not_names():
    rows = _posts()
    first = Metric(name="tmp_rate", numerator="likes", denominator="views", kind="rate")
    second = Metric(name="tmp_rate", numerator="saves", denominator="views", kind="rate")
    metrics.register(first)
    try:
        built = metrics.summarize(rows, "tmp_rate")
        metrics.register(second, replace=True)
        value = built.compute().to_frame()["tmp_rate"].item()
        assert value == pytest.approx(rows["likes"].sum() / rows["views"].sum())
        card_1 = metrics.compute(rows, [first]).method.spec_hash
        card_2 = metrics.compute(rows, [second]).method.spec_hash
        assert card_1 != card_2
    finally:
        metrics.registry.unregister("tmp_rate")


def test_a_custom_function_metric_is_identified_by_its_code():
    def liked(frame, params):
        return (frame["likes"] > 10) * frame["views"]

    def saved(frame, params):
        return (frame["saves"] > 0) * frame["views"]

    from creatorkit.metrics import RowFunction

    a = Metric(
        name="m",
        numerator=RowFunction(func=liked, needs=("likes", "views"), text="m"),
        denominator="views",
    )
    b = Metric(
        name="m",
        numerator=RowFunction(func=saved, needs=("saves", "views"), text="m"),
        denominator="views",
    )
    assert a.fingerprint != b.fingerprint


def test_a_missing_value_gets_one_verdict_per_column():
    # views may not be missing in a content record or table: an error everywhere
    rows = _posts().assign(views=_posts()["views"].astype(float).where(lambda v: v != 200))
    for call in (
        lambda: metrics.compute(rows, "ctr"),
        lambda: funnel.from_counts(rows, ["views", "clicks"]),
        lambda: compare.summarize(rows, arm="creator_id", metrics="views"),
    ):
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.codes == ("missing_value",)
    # completion may be missing (the record's field is optional): excluded and counted
    optional = _posts().assign(completion=[None, 0.5, 0.4, 0.3, 0.2, 0.6, 0.1])
    res = metrics.compute(optional, "completion_rate")
    assert [(n.code, n.count) for n in res.warnings] == [("missing_values", 1)]


def test_compute_equals_summarize_then_compute():
    completion = [0.5, None, 0.4, 0.3, 0.2, 0.6, 0.1]  # a column that may miss values
    rows = _posts().assign(completion=completion)
    names = ["ctr", "gpm", "engagement_rate", "completion_rate"]
    direct = metrics.compute(rows, names, by="creator_id", as_of=AS_OF)
    staged = metrics.summarize(rows, names, by="creator_id", as_of=AS_OF).compute()
    pd.testing.assert_frame_equal(direct.table, staged.table)
    assert direct.method == staged.method
    assert direct.warnings == staged.warnings
    codes = {n.code for n in direct.warnings}
    assert {"after_as_of", "missing_values"} <= codes
    # with an interval: the summary needs moments
    direct = metrics.compute(rows, names, by="creator_id", as_of=AS_OF, ci="cluster")
    staged = metrics.summarize(rows, names, by="creator_id", as_of=AS_OF, moments=True)
    assert staged.compute(ci="cluster").method == direct.method
    pd.testing.assert_frame_equal(staged.compute(ci="cluster").table, direct.table)


def test_merged_summaries_add_note_counts():
    rows = _posts().assign(completion=[None, 0.5, 0.4, None, 0.2, 0.6, None])
    whole = metrics.summarize(rows, "completion_rate", by="creator_id")
    parts = metrics.summarize(rows.iloc[:4], "completion_rate", by="creator_id") + (
        metrics.summarize(rows.iloc[4:], "completion_rate", by="creator_id")
    )
    missing = [n for n in parts.warnings if n.code == "missing_values"]
    assert len(missing) == 1
    assert (
        missing[0].count == 3 == next(n for n in whole.warnings if n.code == "missing_values").count
    )
    assert missing[0].message.startswith("completion_rate: 3 rows")
    pd.testing.assert_frame_equal(parts.table, whole.table)


def test_windowed_non_mergeable_metric_keeps_after_as_of_note():
    content = ck.datasets.synthetic(seed=0, n_creators=30, n_events=100).content
    as_of = content["published_at"].quantile(0.5)
    res = metrics.compute(content, "product_count", by="creator_id", as_of=as_of)
    notes = [n for n in res.warnings if n.code == "after_as_of"]
    assert len(notes) == 1
    assert notes[0].count == int((content["published_at"] > as_of).sum())


def test_summaries_with_different_as_of_or_params_do_not_merge():
    rows = _posts()
    a = metrics.summarize(rows, "ctr", as_of=AS_OF)
    b = metrics.summarize(rows, "ctr", as_of=AS_OF + pd.Timedelta("1D"))
    with pytest.raises(ValidationError, match="as_of"):
        a + b
    c = metrics.summarize(rows, "emv_cpm", params={"cpm": 5.0})
    d = metrics.summarize(rows, "emv_cpm", params={"cpm": 6.0})
    with pytest.raises(ValidationError, match="params"):
        c + d
    with pytest.raises(ValidationError, match="by"):
        metrics.summarize(rows, "ctr") + metrics.summarize(rows, "ctr", by="creator_id")


def test_sum_of_many_summaries():
    rows = _posts()
    chunks = [metrics.summarize(rows.iloc[i : i + 2], "ctr", by="creator_id") for i in (0, 2, 4, 6)]
    total = sum(chunks)
    assert isinstance(total, summaries.Summary)
    pd.testing.assert_frame_equal(
        total.table, metrics.summarize(rows, "ctr", by="creator_id").table
    )
    with pytest.raises(TypeError):
        1 + chunks[0]  # type: ignore[operator]


def test_merge_of_many_equals_pairwise_adds():
    rows = _posts()
    chunks = [metrics.summarize(rows.iloc[[i]], ["ctr", "gpm"], by="creator_id") for i in range(7)]
    pairwise = chunks[0]
    for chunk in chunks[1:]:
        pairwise = pairwise + chunk
    pd.testing.assert_frame_equal(summaries.merge(chunks).table, pairwise.table)
    with pytest.raises(ValidationError, match="at least one Summary"):
        summaries.merge([])
    with pytest.raises(ValidationError, match="Summary objects"):
        summaries.merge([chunks[0], "x"])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="differ in by"):
        summaries.merge([chunks[0], metrics.summarize(rows, ["ctr", "gpm"])])


def test_trimmed_summaries_refuse_to_merge():
    rows = _posts()
    a = compare.summarize(rows, arm="creator_id", metrics="gmv", trim=0.2)
    with pytest.raises(ValidationError, match="do not merge"):
        a + a


def test_combine_keeps_every_method_card():
    a = compare.proportions([40, 60], [1000, 1000], metric="cvr")
    b = compare.proportions([40, 60], [1000, 1000], metric="cvr", test="fisher")
    parts = compare.combine([a, b]).method.parameters["parts"]
    assert [p["spec_hash"] for p in parts] == [a.method.spec_hash, b.method.spec_hash]
    with pytest.raises(ValidationError, match="ComparisonResult"):
        compare.combine([a, "b"])  # type: ignore[list-item]


def test_from_sums_round_trip_and_bad_sums():
    rows = _posts()
    s = metrics.summarize(rows, ["ctr", "gmv"], by="creator_id", moments=True)
    again = summaries.from_sums(s.table, ["ctr", "gmv"], by="creator_id")
    pd.testing.assert_frame_equal(again.table, s.table)
    assert again.identity() == s.identity()
    pd.testing.assert_frame_equal(again.compute(ci="cluster").table, s.compute(ci="cluster").table)
    bad = s.table.assign(ctr__num2=0.0)
    with pytest.raises(ValidationError, match="below sum"):
        summaries.from_sums(bad, ["ctr", "gmv"], by="creator_id")
    with pytest.raises(ValidationError, match="must be unique"):
        summaries.from_sums(pd.concat([s.table, s.table]), ["ctr", "gmv"], by="creator_id")
    with pytest.raises(ValidationError, match="whole number"):
        summaries.from_sums(s.table.assign(ctr__n=-1), ["ctr", "gmv"], by="creator_id")
    with pytest.raises(ValidationError, match="ctr__den"):
        summaries.from_sums(s.table.drop(columns="ctr__den"), ["ctr"], by="creator_id")


def test_deprecated_long_layout_still_reads():
    long = pd.DataFrame(
        {
            "metric": ["x", "x"],
            "arm": ["A", "B"],
            "n": [10, 10],
            "sum": [3.0, 6.0],
            "sum_sq": [3.0, 6.0],
        }
    )
    with pytest.warns(CreatorkitDeprecationWarning):
        s = summaries.Summary.from_table(long)
    assert s.proportions("x").to_frame()["estimate"].iloc[1] == pytest.approx(0.3)


@given(st.integers(min_value=1, max_value=6), st.permutations(list(range(7))))
def test_chunked_summaries_merge_to_the_whole(cut, order):
    rows = _posts().iloc[order].reset_index(drop=True)
    names = ["ctr", "gpm", "engagement_rate", "views"]
    whole = metrics.summarize(rows, names, by="creator_id", moments=True)
    parts = metrics.summarize(
        rows.iloc[:cut], names, by="creator_id", moments=True
    ) + metrics.summarize(rows.iloc[cut:], names, by="creator_id", moments=True)
    pd.testing.assert_frame_equal(parts.table, whole.table, check_exact=False, rtol=1e-12)


def test_one_summary_feeds_metrics_comparisons_and_count_funnels():
    rows = _posts()
    fun = funnel.from_counts(rows, ["views", "clicks"], by="creator_id")
    s = metrics.summarize(rows, ["views", "clicks"], by="creator_id")
    counts = fun.table.pivot(index="creator_id", columns="name", values="count")
    np.testing.assert_array_equal(counts["views"], s.table["views__num"])
    np.testing.assert_array_equal(counts["clicks"], s.table["clicks__num"])


def test_money_in_several_currencies_is_refused_by_comparisons_too():
    rows = _posts().assign(currency=["USD"] * 6 + ["IDR"])
    with pytest.raises(ValidationError, match="several currencies"):
        compare.summarize(rows.assign(creator_id="all"), arm="creator_id", metrics="gmv")


# --- one grouping -------------------------------------------------------------------------


def test_missing_keys_form_a_labelled_group_sorted_last_everywhere():
    rows = _posts().assign(creator_id=["b", "b", None, "a", "a", None, "a"])
    res = metrics.compute(rows, "views", by="creator_id")
    assert res.table["creator_id"].tolist()[:2] == ["a", "b"]
    assert pd.isna(res.table["creator_id"].iloc[2])
    assert [n.code for n in res.warnings] == ["missing_group_key"]
    fun = funnel.from_counts(rows, ["views", "clicks"], by="creator_id")
    assert pd.isna(fun.table["creator_id"].iloc[-1])
    log = pd.DataFrame(
        {
            "user_id": ["u1", "u1", "u2", "u2", "u3"],
            "creator_id": ["b", "b", None, None, "a"],
            "event": ["A", "B", "A", "B", "A"],
            "timestamp": pd.to_datetime([0, 1, 0, 1, 0], unit="s", utc=True),
        }
    )
    ev = funnel.from_events(log, ["A", "B"], window="1h", by="creator_id")
    keys = ev.table["creator_id"].tolist()
    assert keys[:4] == ["a", "a", "b", "b"]
    assert all(pd.isna(k) for k in keys[4:])
    assert "<none>" not in map(str, keys)
    assert any(n.code == "missing_group_key" for n in ev.warnings)


def test_multi_key_units_never_collide():
    log = pd.DataFrame(
        {
            "user_id": pd.Series([1, 1, "1", "1"], dtype=object),
            "creator_id": ["c", "c", "c", "c"],
            "event": ["A", "B", "A", "B"],
            "timestamp": pd.to_datetime([0, 1, 0, 1], unit="s", utc=True),
        }
    )
    ev = funnel.from_events(log, ["A", "B"], window="1h", by="creator_id")
    assert ev.table["users"].tolist() == [2, 2]
    assert len(ev.units) == 2
    arms = compare.summarize(
        pd.DataFrame({"arm": pd.Series([1, "1", 1], dtype=object), "x": [1.0, 2.0, 3.0]}),
        arm="arm",
        metrics="x",
    )
    assert arms.table["x__n"].tolist() == [2, 1]


def test_group_keeps_key_dtypes_and_sizes():
    df = pd.DataFrame(
        {
            "id": pd.Series(["9007199254740993", "12", "9007199254740993"], dtype="string"),
            "t": pd.to_datetime(["2026-01-02", "2026-01-01", "2026-01-02"], utc=True),
        }
    )
    g = group(df, ["id", "t"])
    assert g.keys["id"].tolist() == ["12", "9007199254740993"]
    assert g.keys.dtypes.tolist() == df.dtypes.tolist()
    assert g.sizes.tolist() == [1, 2]
    assert g.codes.tolist() == [1, 0, 1]


@given(
    st.lists(st.sampled_from(["x", "y", "z", None]), min_size=1, max_size=30),
    st.lists(st.integers(0, 3), min_size=30, max_size=30),
)
def test_group_matches_pandas_groupby(keys, other):
    df = pd.DataFrame({"k": keys, "j": other[: len(keys)]})
    g = group(df, ["k", "j"])
    want = df.groupby(["k", "j"], dropna=False, sort=True).size()
    assert g.sizes.tolist() == want.tolist()
    got = [tuple(r) for r in g.keys.astype(object).where(g.keys.notna(), None).to_numpy()]
    assert got == [(None if pd.isna(k) else k, j) for k, j in want.index]


def test_fallback_peer_groups():
    df = pd.DataFrame(
        {
            "tier": ["micro"] * 5 + ["mid"] * 3,
            "market": ["ID", "ID", "ID", "TH", "TH", "ID", "ID", "TH"],
        }
    )
    groups, level = fallback(df, [["tier", "market"], ["tier"], []], min_size=3)
    assert level.tolist() == [0, 0, 0, 1, 1, 1, 1, 1]
    keys = groups.keys
    assert keys["level"].tolist() == [0, 1, 1]
    assert keys["tier"].tolist() == ["micro", "micro", "mid"]
    assert keys["market"].iloc[0] == "ID"
    assert keys["market"].iloc[1:].isna().all()
    assert groups.sizes.tolist() == [3, 2, 3]
    assert groups.codes.tolist() == [0, 0, 0, 1, 1, 2, 2, 2]


# --- public registry and conformance checks -----------------------------------------------


def test_check_metric_passes_catalog_and_catches_broken_metrics():
    for name in ["ctr", "gpm", "like_rate", "engagement_rate", "product_count"]:
        check_metric(ck.metrics.get(name))
    broken = Metric(
        name="likes_per_view_wrong", numerator="views", denominator="likes", kind="rate"
    )
    with pytest.raises(AssertionError, match="left \\[0, 1\\]"):
        check_metric(broken)


def test_entry_points_register_metrics_only_when_asked(tmp_path, monkeypatch):
    package = tmp_path / "ck_plugin_demo"
    package.mkdir()
    (package / "__init__.py").write_text(
        textwrap.dedent("""
        from creatorkit.metrics import Metric
        hook_rate = Metric(name="hook_rate", numerator="likes", denominator="views",
                           kind="rate")
    """)
    )
    info = tmp_path / "ck_plugin_demo-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ck-plugin-demo\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[creatorkit.metrics]\nhook_rate = ck_plugin_demo:hook_rate\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "hook_rate" not in ck.metrics.registry
    try:
        assert ck.metrics.load_entry_points() == ("hook_rate",)
        assert ck.metrics.compute(_posts(), "hook_rate").table["hook_rate"].item() > 0
        with pytest.raises(ValidationError, match="already a registered"):
            ck.metrics.load_entry_points()
    finally:
        ck.metrics.registry.unregister("hook_rate")


def test_import_never_discovers_entry_points():
    code = textwrap.dedent("""
        import importlib.metadata as md
        def boom(*a, **k):
            raise SystemExit("entry points were read")
        md.entry_points = boom
        import creatorkit as ck
        import creatorkit.metrics, creatorkit.compare, creatorkit.summaries
        data = ck.datasets.synthetic(seed=0, n_creators=10, n_events=100)
        ck.metrics.compute(data.content, "ctr")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- results are read-only ----------------------------------------------------------------


def _results() -> list[ck.Result]:
    data = ck.datasets.synthetic(seed=0, n_creators=20, n_events=200)
    return [
        metrics.compute(data.content, ["ctr", "gpm"], by="creator_id"),
        metrics.summarize(data.content, "ctr", by="creator_id"),
        compare.proportions([40, 60], [1000, 1000]),
        funnel.from_counts(data.content, ["views", "clicks", "orders"], by="creator_id"),
        funnel.from_events(data.events, ["view", "click", "purchase"], window="7D"),
        ck.frames.validate(data.content, ck.Content),
        data,
    ]


@pytest.mark.parametrize("index", range(7))
def test_results_are_read_only(index):
    result = _results()[index]
    check_result(result)  # mutates what the result hands out and reads it again


def test_table_cell_written_by_a_caller_does_not_stick():
    res = metrics.compute(_posts(), ["views", "ctr"], by="creator_id")
    handed = res.table
    handed.iloc[0, 1] = 777
    assert res.table.iloc[0, 1] == 450
    with pytest.raises(TypeError):
        res.method.parameters["by"] = ["x"]  # type: ignore[index]


def test_funnel_to_dict_leaves_units_out_by_default():
    data = ck.datasets.synthetic(seed=0, n_creators=20, n_events=2000)
    res = funnel.from_events(data.events, ["view", "click", "purchase"], window="7D")
    small, full = res.to_dict(), res.to_dict(units=True)
    assert small["units"] is None
    assert small["units_count"] == len(res.units)
    assert len(full["units"]) == len(res.units)
    assert len(json.dumps(small)) < len(json.dumps(full)) / 10


def test_runtime_settings_are_recorded_not_hashed():
    a = ck.MethodCard.create("x", runtime={"workers": 1}, level=0.9)
    b = ck.MethodCard.create("x", runtime={"workers": 2}, level=0.9)
    assert a.spec_hash == b.spec_hash
    assert a.runtime != b.runtime
    assert b.to_dict()["runtime"] == {"workers": 2}


# --- one home per primitive ---------------------------------------------------------------

SRC = Path(ck.__file__).parent


def _modules() -> dict[str, object]:
    import ast

    return {str(p.relative_to(SRC)): ast.parse(p.read_text()) for p in SRC.rglob("*.py")}


def test_each_primitive_has_one_home_module():
    import ast

    homes = {"grouping": "_grouping.py", "registry": "registry.py"}
    found: dict[str, set[str]] = {"summary": set(), "grouping": set(), "registry": set()}
    for path, tree in _modules().items():
        for node in ast.walk(tree):  # type: ignore[arg-type]
            if isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
                if "Result" in bases and "__add__" in methods:
                    found["summary"].add(path)
                if node.name.endswith("Registry") or "Registry" in bases:
                    found["registry"].add(path)
            if isinstance(node, ast.Call):
                # pd.factorize, Series.factorize, MultiIndex.factorize, groupby().ngroup,
                # np.unique(return_inverse=True): rows → codes outside the helper
                method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
                inverse = any(k.arg == "return_inverse" for k in node.keywords)
                if method in ("factorize", "ngroup") or inverse:
                    found["grouping"].add(path)
            if isinstance(node, ast.Attribute) and node.attr in ("Lock", "RLock"):
                found["registry"].add(path)
    assert found["summary"] == {"summaries/_summary.py"}
    assert found["grouping"] == {homes["grouping"]}
    assert found["registry"] == {homes["registry"]}


# --- bad input to the new functions (review of a fresh clone) -----------------------------


def _df() -> pd.DataFrame:
    return pd.DataFrame({"g": ["a", "b"], "views": [10, 20], "clicks": [1, 2]})


@pytest.mark.parametrize("params", [[1], "ab", 5])
def test_params_must_be_a_mapping(params):
    with pytest.raises(ValidationError, match="mapping") as info:
        metrics.compute(_df(), "ctr", params=params)
    assert info.value.argument == "params"


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("clicks", pd.to_datetime(["2024-01-01"] * 2)),
        ("clicks", pd.to_timedelta([1, 2], unit="s")),
        ("clicks", np.array([1j, 2])),
        ("views", [True, False]),
        ("clicks", [0.5, 1.0]),
        ("views", [1e300, 1.0]),
    ],
)
def test_numeric_columns_get_one_verdict(column, values):
    with pytest.raises(ValidationError) as info:
        metrics.compute(_df().assign(**{column: values}), "ctr", by="g")
    assert set(info.value.failure_cases["column"]) == {column}
    with pytest.raises(ValidationError):
        funnel.from_counts(_df().assign(**{column: values}), ["views", "clicks"], by="g")


def test_from_sums_refuses_impossible_sums():
    s = pd.DataFrame(
        {"g": ["a", "b"], "ctr__n": [2, 1], "ctr__num": [3.0, 3.0], "ctr__den": [300.0, 300.0]}
    )
    bad = {
        "negative": s.assign(ctr__den=[-5.0, 1.0]),
        "is 0 while": s.assign(ctr__n=[0, 1]),
        "not_integer": s.assign(ctr__n=[1.5, 1]),
        "64-bit": s.assign(ctr__n=[1e20, 1]),
    }
    for match, frame in bad.items():
        with pytest.raises(ValidationError) as info:
            summaries.from_sums(frame, "ctr", by="g")
        assert match in str(info.value) or match in info.value.codes
    rate = s.rename(columns=lambda c: c.replace("ctr", "like_rate")).assign(like_rate__num=500.0)
    with pytest.raises(ValidationError, match="cannot exceed"):
        summaries.from_sums(rate, "like_rate", by="g")
    moments = s.assign(ctr__num2=[5.0, 9.0], ctr__den2=[50000.0, 90000.0], ctr__cross=1e9)
    with pytest.raises(ValidationError, match="num2 × den2"):
        summaries.from_sums(moments, "ctr", by="g")
    with pytest.raises(ValidationError, match="one row"):
        summaries.from_sums(s.drop(columns="g"), "ctr")
    with pytest.raises(ValidationError, match="not mergeable"):
        summaries.from_sums(s, "repurchase_rate", by="g")


def test_compare_summarize_names_and_arms():
    rows = pd.DataFrame({"arm": ["A", "B"], "b": [0, 1]})
    with pytest.raises(ValidationError, match="unique"):
        compare.summarize(rows, arm="arm", metrics=["b", "b"])
    with pytest.raises(ValidationError) as info:
        compare.summarize(rows, arm=["arm"], metrics="b")  # type: ignore[arg-type]
    assert info.value.argument == "arm"
    m = ck.metrics.get("ctr")
    s = compare.summarize(_df(), arm="g", metrics={"first": m, "second": m})
    assert s.names == ("first", "second")
    with pytest.raises(ValidationError, match="snake_case"):
        compare.summarize(rows, arm="arm", metrics=["Bad Name"])
    with pytest.raises(ValidationError, match="column name"):
        ck.metrics.column_metric("x", 3)  # type: ignore[arg-type]


def test_results_hold_no_mutable_parameters():
    res = metrics.compute(_df(), "ctr", by="g")
    with pytest.raises(AttributeError):
        res.method.parameters["by"].append("zzz")  # a tuple now
    s = metrics.summarize(_df(), "ctr", by="g")
    with pytest.raises(TypeError):
        s.options["winsorize"] = 0.1  # type: ignore[index]
    check_result(res)


def test_ordered_categories_and_uncomparable_keys_sort_deterministically():
    cats = pd.Categorical(["hi", "lo", "mid"], categories=["lo", "mid", "hi"], ordered=True)
    res = metrics.compute(_df().iloc[[0, 1, 0]].assign(g=cats), "views", by="g")
    assert res.table["g"].tolist() == ["lo", "mid", "hi"]
    mixed = _df().assign(g=pd.Series([(1,), 2.5], dtype=object))
    assert metrics.compute(mixed, "views", by="g").table["views"].tolist() == [20.0, 10.0]


def test_merged_notes_come_in_the_order_of_the_whole():
    rows = pd.DataFrame({"a": [None, 1.0], "b": [1.0, None], "views": [1, 2]})
    whole = metrics.summarize(rows, "views", by=["a", "b"])
    chunks = [metrics.summarize(rows.iloc[[i]], "views", by=["a", "b"]) for i in (1, 0)]
    assert summaries.merge(chunks).warnings == whole.warnings


def test_check_metric_on_one_row_and_registry_arguments():
    check_metric(ck.metrics.get("ctr"), _df().iloc[:1], by="g")
    from creatorkit.registry import Registry

    with pytest.raises(ValidationError, match="kind"):
        Registry(3)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="check"):
        Registry("x", check=3)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="group"):
        Registry("x").load_entry_points("")


def test_validation_time_and_division_have_one_home():
    import ast

    homes = {
        "_validation.py": {
            "Problems",
            "check_numeric",
            "check_keys",
            "check_array",
            "check_broadcast",
            "check_number",
            "check_frame",
            "check_columns",
        },
        "_time.py": {
            "parse_tz",
            "parse_as_of",
            "require_as_of",
            "parse_window",
            "aware_column",
            "localize",
        },
        "_arith.py": {"divide"},
    }
    owner = {name: home for home, names in homes.items() for name in names}
    strays = []
    for path, tree in _modules().items():
        for node in ast.walk(tree):  # type: ignore[arg-type]
            named = isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in owner
            if named and owner[node.name] != path:  # type: ignore[union-attr]
                strays.append(f"{path}: defines {node.name}")  # type: ignore[union-attr]
            if isinstance(node, ast.FunctionDef) and len(node.body) <= 4 and path != "_arith.py":
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and getattr(call.func, "attr", "") == "divide"
                        and any(k.arg == "where" for k in call.keywords)
                    ):
                        strays.append(f"{path}: {node.name} is a safe division of its own")
            if isinstance(node, ast.Call) and path != "_time.py":
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                first = node.args[0] if node.args else None
                localizes = name == "tz_localize" and not (
                    isinstance(first, ast.Constant) and first.value is None
                )
                if name == "ZoneInfo" or localizes:
                    strays.append(f"{path}: parses time zones ({name})")
    assert strays == []


def test_a_broken_plugin_is_a_plugin_error_and_registers_nothing(tmp_path, monkeypatch):
    from creatorkit.errors import PluginError

    info = tmp_path / "ck_broken-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ck-broken\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[creatorkit.metrics]\nbroken_rate = ck_no_such_module:broken_rate\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    before = ck.metrics.registry.names()
    with pytest.raises(PluginError, match="broken_rate") as err:
        ck.metrics.load_entry_points()
    assert isinstance(err.value.__cause__, ImportError)
    assert ck.metrics.registry.names() == before
