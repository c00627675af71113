"""Bad-input sweep over the public functions, run by ``test_sweep.py`` in a child process.

For every public function a valid call is declared; each parameter of its signature is then
replaced, one at a time, by each value of :data:`BAD`. Every call must either succeed or
raise ``ValidationError`` (``MissingDependencyError`` for a missing extra); any other
exception, any warning that is not creatorkit's own (numpy's, pandas', Python's), a call that
takes over ``LIMIT`` seconds, or an allocation over the process's memory limit is a failure.
The valid call itself must succeed without a warning and leave the frames it is given as
they were. The child prints one line per failure.
"""

from __future__ import annotations

import inspect
import math
import signal
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import creatorkit as ck
from creatorkit import compare, frames, funnel, metrics, summaries, tiers
from creatorkit.errors import MissingDependencyError, ValidationError
from creatorkit.metrics import economics

LIMIT = 10

DATA = ck.datasets.synthetic(seed=0, n_creators=20, n_events=300)
CONTENT = DATA.content
COLLABS = DATA.collaborations
# the world with dated collaborations and orders in their collaboration's currency
WORLD = ck.datasets.synthetic(seed=0, n_creators=20, n_events=300, model="truth_model@1")
EVENTS = DATA.events
GMV = {"views": 1000.0, "ctr": 0.1, "cvr": 0.1, "aov": 10.0}
SUMS = pd.DataFrame(
    {"arm": ["A", "B"], "ctr__n": [2, 3], "ctr__num": [3.0, 4.0], "ctr__den": [300.0, 400.0]}
)
AWARE = "2026-06-30T00:00:00+00:00"
SUMMARY = metrics.summarize(CONTENT, ["ctr", "gpm"], by="creator_id", moments=True)
_ROWS = pd.DataFrame(
    {
        "arm": ["A", "A", "B", "B"],
        "bought": [0, 1, 1, 1],
        "gmv": [0.0, 20.0, 35.0, 15.0],
        "orders": [0, 1, 2, 1],
    }
)
ARMS = compare.summarize(
    _ROWS, arm="arm", metrics={"bought": "bought", "gmv": "gmv", "aov": ("gmv", "orders")}
)

_RULE = ck.rules.FunctionRule(name="x_twice", function=lambda t: t["x"] * 2.0, needs=("x",))
_PER_CREATOR = pd.DataFrame(
    {"creator_id": ["a", "b", "c", "d"], "x": [1.0, 3.0, 2.0, 5.0], "g": ["p", "p", "q", "q"]}
)
_CARD = ck.Scorecard(
    [ck.Criterion(name="x", peers=[["g"]], min_group=2), ck.Criterion(name="x", label="x_max")]
)
_MCDM = [[2.0, 1500, 5.5], [2.5, 2700, 6.5], [1.8, 2000, 4.5], [2.2, 1800, 5.0]]
_DIRS = [True, True, False]
_W = [0.5, 0.2, 0.3]

BAD: list[Any] = [
    None,
    "",
    "x",
    0,
    -1,
    2.5,
    math.nan,
    math.inf,
    1e300,
    1e-320,  # subnormal: dividing by it overflows
    1 + 1j,
    True,
    [],
    [1],
    {},
    object(),
    pd.DataFrame(),
    np.array([[1, 2], [3, 4]]),
]

CALLS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "metrics.compute": (
        metrics.compute,
        {
            "df": CONTENT,
            "names": ["ctr", "gpm"],
            "by": "creator_id",
            "ci": "cluster",
            "as_of": AWARE,
            "level": 0.9,
            "params": None,
        },
    ),
    "metrics.summarize": (
        metrics.summarize,
        {
            "df": CONTENT,
            "names": "ctr",
            "by": "creator_id",
            "as_of": AWARE,
            "params": None,
            "moments": True,
        },
    ),
    "summaries.summarize": (
        summaries.summarize,
        {
            "df": CONTENT,
            "metrics": "ctr",
            "by": "creator_id",
            "as_of": AWARE,
            "params": None,
            "moments": False,
        },
    ),
    "metrics.get": (metrics.get, {"name": "ctr"}),
    "metrics.column_metric": (
        metrics.column_metric,
        {"name": "x", "numerator": "views", "denominator": "likes"},
    ),
    "summaries.from_sums": (
        summaries.from_sums,
        {"frame": SUMS, "metrics": "ctr", "by": "arm", "as_of": None, "params": None},
    ),
    "summaries.merge": (summaries.merge, {"parts": [metrics.summarize(CONTENT, "ctr")] * 2}),
    "economics.commission": (
        economics.commission,
        {"gmv": [100.0, 50.0], "commission_rate": 0.1, "guaranteed_minimum": 0.0},
    ),
    "economics.break_even_commission": (
        economics.break_even_commission,
        {
            "gmv": 1000.0,
            "margin": 0.4,
            "other_costs": 10.0,
            "refund_rate": 0.1,
            "guaranteed_minimum": 0.0,
        },
    ),
    "economics.contribution": (economics.contribution, {"df": COLLABS, "by": "creator_id"}),
    "economics.with_costs": (economics.with_costs, {"df": COLLABS}),
    "economics.total_cost": (economics.total_cost, {"df": COLLABS}),
    "economics.emv": (
        economics.emv,
        {"df": CONTENT, "cpm": 5.0, "values": {"like": 0.1}, "by": "creator_id"},
    ),
    "economics.convert": (
        economics.convert,
        {"df": DATA.orders, "rates": DATA.fx_rates, "to": "USD"},
    ),
    "compare.proportions": (
        compare.proportions,
        {
            "successes": [40, 60],
            "trials": [1000, 1000],
            "labels": ["A", "B"],
            "control": 0,
            "test": "z_pooled",
            "correction": "holm",
            "alpha": 0.05,
            "alternative": "greater",
        },
    ),
    "compare.bayes_proportions": (
        compare.bayes_proportions,
        {
            "successes": [40, 60],
            "trials": [1000, 1000],
            "labels": ["A", "B"],
            "control": 0,
            "prior": (1.0, 1.0),
            "threshold": 0.95,
            "level": 0.95,
        },
    ),
    "compare.means": (
        compare.means,
        {
            "n": [100, 100],
            "mean": [10.0, 11.0],
            "std": [5.0, 5.0],
            "labels": ["A", "B"],
            "alpha": 0.05,
            "alternative": "less",
        },
    ),
    "compare.ratios": (
        compare.ratios,
        {
            "n": [100, 100],
            "sum_x": [500.0, 600.0],
            "sum_y": [1000.0, 1000.0],
            "sum_x2": [4000.0, 5000.0],
            "sum_y2": [12000.0, 12000.0],
            "sum_xy": [6000.0, 7000.0],
            "test": "t",
            "alternative": "greater",
            "df": [99.0, 99.0],
            "unit": "post",
        },
    ),
    "compare.adjust": (compare.adjust, {"p": [0.01, 0.04], "method": "holm"}),
    "compare.srm": (
        compare.srm,
        {"observed": [5000, 5230], "expected": [1.0, 1.0], "labels": ["A", "B"], "alpha": 0.001},
    ),
    "compare.power_proportions": (
        compare.power_proportions,
        {"p0": 0.05, "mde": 0.01, "n": 8000, "alpha": 0.05, "ratio": 1.0, "alternative": "less"},
    ),
    "compare.sample_size_proportions": (
        compare.sample_size_proportions,
        {
            "p0": 0.05,
            "mde": 0.01,
            "alpha": 0.05,
            "power": 0.8,
            "ratio": 1.0,
            "alternative": "greater",
        },
    ),
    "compare.mde_proportions": (
        compare.mde_proportions,
        {"p0": 0.05, "n": 8000, "power": 0.8, "alternative": "less"},
    ),
    "compare.power_means": (
        compare.power_means,
        {"mde": 1.0, "std": 10.0, "n": 1571, "alternative": "greater"},
    ),
    "compare.sample_size_means": (
        compare.sample_size_means,
        {"mde": 1.0, "std": 10.0, "power": 0.8, "alternative": "greater"},
    ),
    "compare.mde_means": (
        compare.mde_means,
        {"std": 10.0, "n": 1570, "power": 0.8, "alternative": "two-sided"},
    ),
    "compare.summarize": (
        compare.summarize,
        {"df": CONTENT, "arm": "content_type", "metrics": "gmv", "winsorize": None, "trim": None},
    ),
    "compare.combine": (compare.combine, {"results": [compare.proportions([4, 6], [10, 10])]}),
    "compare.creators": (
        compare.creators,
        {
            "rows": CONTENT,
            "metrics": [metrics.get("cvr"), metrics.get("gpm")],
            "creator": "creator_id",
            "unit": "post",
            "among": ["c000001", "c000002", "c000003"],
            "control": "c000001",
            "alpha": 0.05,
            "alternative": "two-sided",
            "correction": "holm",
            "comparisons": "control",
        },
    ),
    "funnel.from_counts": (
        funnel.from_counts,
        {
            "df": CONTENT,
            "stages": ["views", "clicks"],
            "by": "creator_id",
            "benchmark": None,
            "value": None,
            "level": 0.95,
        },
    ),
    "funnel.from_events": (
        funnel.from_events,
        {
            "events": EVENTS,
            "steps": ["view", "click", "purchase"],
            "window": "7D",
            "by": None,
            "as_of": AWARE,
        },
    ),
    "funnel.decompose": (
        funnel.decompose,
        {"before": GMV, "after": {**GMV, "ctr": 0.2}, "method": "shapley"},
    ),
    "funnel.solve_target": (
        funnel.solve_target,
        {"current": GMV, "target": 200.0, "levers": ["ctr"]},
    ),
    "funnel.pace": (
        funnel.pace,
        {
            "actual": 50.0,
            "target": 100.0,
            "start": "2026-04-01T00:00Z",
            "end": "2026-04-11T00:00Z",
            "as_of": "2026-04-06T00:00Z",
            "kpi": "gmv",
        },
    ),
    "frames.validate": (frames.validate, {"df": CONTENT, "model": ck.Content, "tz": None}),
    "frames.schema": (frames.schema, {"model": ck.Content}),
    "tiers.tier": (tiers.tier, {"followers": [500, 5_000, 50_000], "scheme": "seller_guide"}),
    "ingest.read": (
        ck.ingest.read,
        {
            "source": b"Video ID,Creator name,Time,VV\n7001,mai,2026/03/01 20:00:00,1.2K\n",
            "kind": "tiktok_shop.video_performance",
            "tz": "Asia/Jakarta",
            "currency": "IDR",
            "decimal": ".",
            "date_format": "%Y/%m/%d %H:%M:%S",
            "values": {"title": "x"},
            "on_error": "raise",
            "chunksize": 10,
            "summarize": {"metrics": ["views"], "by": "creator_id"},
        },
    ),
    "ingest.kinds": (ck.ingest.kinds, {}),
    "ingest.register": (
        ck.ingest.register,
        {
            "kind": ck.ingest.generic(ck.Content, {"Post": "content_id"}, name="sweep"),
            "replace": True,
        },
    ),
    "ingest.generic": (
        ck.ingest.generic,
        {
            "model": ck.Content,
            "columns": {"Post": "content_id", "Plays": "views"},
            "date_format": "%Y-%m-%d",
            "rate_unit": "percent",
            "name": "sweep.generic",
        },
    ),
    "datasets.synthetic": (ck.datasets.synthetic, {"seed": 0, "n_creators": 10, "n_events": 100}),
    "Summary.compute": (SUMMARY.compute, {"ci": "cluster", "level": 0.95}),
    "Summary.proportions": (ARMS.proportions, {"metric": "bought", "control": 0}),
    "Summary.means": (ARMS.means, {"metric": "gmv", "control": 0}),
    "Summary.ratios": (ARMS.ratios, {"metric": "aov", "control": 0}),
    "Summary.bayes_proportions": (ARMS.bayes_proportions, {"metric": "bought"}),
    "Summary.metric": (SUMMARY.metric, {"name": "ctr"}),
    "KPITree.evaluate": (funnel.GMV_TREE.evaluate, {"values": GMV}),
    "KPITree.product": (funnel.KPITree.product, {"name": "gmv", "children": ["views", "aov"]}),
    "Funnel": (funnel.Funnel, {"stages": ["view", "click"], "name": "f", "mode": "strict_once"}),
    "Stage": (funnel.Stage, {"name": "click", "column": "clicks", "nested": True}),
    "Content": (
        ck.Content,
        {
            "content_id": "1",
            "creator_id": "c1",
            "content_type": "video",
            "published_at": AWARE,
            "views": 10,
            "likes": 1,
        },
    ),
    "Creator": (
        ck.Creator,
        {
            "creator_id": "c1",
            "platform": "tiktok",
            "country": "TH",
            "category": "beauty",
            "followers": 1000,
        },
    ),
    "frames.from_frame": (frames.from_frame, {"df": DATA.creators, "model": ck.Creator}),
    "Registry": (ck.registry.Registry, {"kind": "thing", "check": None}),
    "testing.check_metric": (ck.testing.check_metric, {"metric": metrics.get("ctr")}),
    "metrics.register": (metrics.register, {"metric": None, "replace": True}),
    "metrics.load_entry_points": (metrics.load_entry_points, {"replace": False}),
    "metrics.catalog": (metrics.catalog, {}),
    "funnel.reference_level": (
        funnel.reference_level,
        {
            "times": [0, 50, 100],
            "events": ["A", "B", "C"],
            "steps": ["A", "B", "C"],
            "window": 100,
            "options": (),
        },
    ),
    "funnel.parse_window": (funnel.parse_window, {"value": "7D"}),
    "identity.resolve": (
        ck.identity.resolve,
        {"values": ["creator1", "x"], "identities": DATA.identities, "at": AWARE},
    ),
    "audience.profile": (ck.audience.profile, {"audience": DATA.audience, "as_of": AWARE}),
    "reviews.aggregate": (
        ck.reviews.aggregate,
        {"reviews": DATA.reviews, "imdb": (4.2, 5), "ridge": 1.0, "tol": 1e-8, "max_iter": 100},
    ),
    "reviews.diagnose": (
        ck.reviews.diagnose,
        {"reviews": DATA.reviews, "collaborations": COLLABS, "violations": DATA.violations},
    ),
    "reviews.bayesian_average": (
        ck.reviews.bayesian_average,
        {"mean": [5.0, 4.8], "n": [1, 20], "C": 4.2, "m": 5},
    ),
    "reviews.dirichlet": (ck.reviews.dirichlet, {"counts": [0, 0, 0, 0, 3], "prior": 1.0}),
    "risk.violation_points": (
        ck.risk.violation_points,
        {"violations": DATA.violations, "as_of": AWARE, "policy": ck.risk.DEFAULT_POLICY},
    ),
    "risk.flags": (
        ck.risk.flags,
        {
            "creators": WORLD.creators,
            "content": WORLD.content,
            "as_of": AWARE,
            "samples": WORLD.samples,
            "collaborations": WORLD.collaborations,
            "z": 3.0,
            "min_views": 100,
        },
    ),
    "risk.rehire": (
        ck.risk.rehire,
        {
            "reviews": ck.reviews.aggregate(DATA.reviews),
            "points": ck.risk.violation_points(DATA.violations, as_of=AWARE),
            "block": ["c0001"],
        },
    ),
    "economics.price_at": (economics.price_at, {"cards": DATA.rate_cards, "at": AWARE}),
    "metrics.restate": (
        metrics.restate,
        {
            "collaborations": WORLD.collaborations,
            "as_of": AWARE,
            "orders": WORLD.orders,
            "samples": WORLD.samples,
            "refund_window": "30D",
        },
    ),
    "frames.to_frame": (
        frames.to_frame,
        {
            "records": [
                ck.Creator(
                    creator_id="c1",
                    platform="tiktok",
                    country="TH",
                    category="beauty",
                    followers=1000,
                )
            ]
        },
    ),
    "testing.check_result": (ck.testing.check_result, {"result": compare.srm([10, 12])}),
    "testing.check_normalizer": (
        ck.testing.check_normalizer,
        {"normalizer": ck.weighting.normalizers.get("minmax")},
    ),
    "testing.check_weight_method": (
        ck.testing.check_weight_method,
        {"method": ck.weighting.weight_methods.get("critic")},
    ),
    "testing.check_aggregator": (
        ck.testing.check_aggregator,
        {"aggregator": ck.weighting.aggregators.get("topsis")},
    ),
    "testing.check_rule": (ck.testing.check_rule, {"rule": _RULE, "table": _PER_CREATOR}),
    "testing.check_kind": (
        ck.testing.check_kind,
        {"kind": ck.ingest.KINDS.get("tiktok_ads.report"), "values": ()},
    ),
    "rules.evaluate": (ck.rules.evaluate, {"rule": _RULE, "table": _PER_CREATOR}),
    "rules.load_entry_points": (ck.rules.load_entry_points, {"replace": False}),
    "rules.register": (
        ck.rules.register,
        {"name": "sweep_rule", "direction": "higher", "needs": ("x",), "replace": True},
    ),
    "scoring.Scorecard.score": (
        _CARD.score,
        {"tables": _PER_CREATOR, "as_of": AWARE, "uncertainty": {"draws": 5, "by": "g"}},
    ),
    "scoring.Scorecard.score(dataset)": (
        ck.Scorecard([ck.Criterion(name="ctr"), ck.Criterion(name="gpm")]).score,
        {"tables": DATA, "as_of": AWARE},
    ),
    "scoring.Scorecard.compile": (_CARD.compile, {"reference": _PER_CREATOR, "as_of": AWARE}),
    "scoring.CompiledScorecard.score": (
        _CARD.compile(_PER_CREATOR, as_of=AWARE).score,
        {"rows": {"creators": _PER_CREATOR}, "as_of": AWARE},
    ),
    "plot.forest": (
        ck.plot.forest,
        {"result": compare.proportions([4, 6], [100, 100]), "ax": None},
    ),
    "plot.funnel": (
        ck.plot.funnel,
        {"result": funnel.from_counts(pd.DataFrame({"v": [10], "c": [2]}), ["v", "c"]), "ax": None},
    ),
    "plot.waterfall": (ck.plot.waterfall, {"result": funnel.decompose(GMV, GMV), "ax": None}),
    "plot.score_breakdown": (
        ck.plot.score_breakdown,
        {"result": _CARD.score(_PER_CREATOR, as_of=AWARE), "top": 3, "ax": None},
    ),
    "plot.score_ranks": (
        ck.plot.score_ranks,
        {"result": _CARD.score(_PER_CREATOR, as_of=AWARE), "top": 3, "ax": None},
    ),
    "scoring.Scorecard.from_dict": (ck.Scorecard.from_dict, {"spec": _CARD.to_dict()}),
    "scoring.Scorecard.from_json": (
        ck.Scorecard.from_json,
        {"text": _CARD.to_json(), "max_bytes": 100_000},
    ),
    "scoring.Scorecard.preset": (
        ck.Scorecard.preset,
        {"category": "beauty", "goal": "sales", "currency": "USD"},
    ),
    "scoring.Criterion": (
        ck.Criterion,
        {"name": "x", "weight": 0.5, "peers": [["g"]], "min_group": 2, "low_data": "flag"},
    ),
    "scoring.Gate": (ck.Gate, {"column": "x", "op": ">=", "value": 1.0}),
    "scoring.shortlist": (
        ck.scoring.shortlist,
        {
            "scorecard": _CARD,
            "tables": _PER_CREATOR.assign(country=["TH", "TH", "VN", "TH"]),
            "campaign": {"markets": ["TH"]},
            "k": 2,
            "as_of": AWARE,
        },
    ),
    "scoring.backtest": (
        ck.scoring.backtest,
        {
            "scorecard": ck.Scorecard([ck.Criterion(name="gpm")]),
            "tables": {"creators": DATA.creators, "content": DATA.content},
            "periods": ["2026-05-01T00:00:00+00:00", "2026-05-31T00:00:00+00:00"],
            "outcome": "gmv",
            "k": 3,
            "naive": ["followers"],
            "as_of": DATA.as_of,
            "maturity": "10D",
            "level": 0.9,
        },
    ),
    "scoring.allocate": (
        ck.scoring.allocate,
        {
            "result": _CARD.score(_PER_CREATOR, as_of=AWARE),
            "budget": 1000.0,
            "min_per_creator": 10.0,
            "max_per_creator": 600.0,
            "response": "exp",
            "expected": "score",
            "reference": 100.0,
            "curvature": None,
            "by": None,
            "prices": {"a": 20.0, "b": 20.0, "c": 20.0, "d": 20.0},
        },
    ),
    "scoring.top_share": (
        ck.scoring.top_share,
        {
            "result": _CARD.score(_PER_CREATOR, as_of=AWARE),
            "frac": 0.5,
            "by": "g",
            "previous": _CARD.score(_PER_CREATOR.assign(x=[5.0, 1.0, 2.0, 3.0]), as_of=AWARE),
            "groups": _PER_CREATOR,
        },
    ),
    "scoring.audience_fit": (
        ck.scoring.audience_fit,
        {"target": {"gender": {"female": 0.7, "male": 0.3}}, "name": "fit", "measure": "1-tv"},
    ),
    **{
        f"weighting.{name}": (getattr(ck.weighting, name), valid)
        for name, valid in {
            "normalize": {
                "values": _MCDM,
                "method": "percentile",
                "benefit": _DIRS,
                "groups": [1, 1, 2, 2],
            },
            "entropy": {"matrix": _MCDM, "benefit": None},
            "critic": {"matrix": _MCDM, "benefit": _DIRS},
            "std": {"matrix": _MCDM, "benefit": _DIRS, "normalization": "minmax"},
            "manual": {"weights": [2, 1, 1]},
            "equal": {"criteria": 3},
            "roc": {"ranking": [1, 3, 2]},
            "rank_sum": {"ranking": [1, 3, 2]},
            "ahp": {
                "pairwise": [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]],
                "random_index": "saaty1980",
            },
            "blend": {"subjective": [0.5, 0.25, 0.25], "objective": [0.2, 0.3, 0.5], "alpha": 0.5},
            "weighted_sum": {
                "matrix": _MCDM,
                "weights": _W,
                "benefit": _DIRS,
                "normalization": "minmax",
            },
            "weighted_product": {
                "matrix": _MCDM,
                "weights": _W,
                "benefit": _DIRS,
                "normalization": "max",
            },
            "topsis": {"matrix": _MCDM, "weights": _W, "benefit": _DIRS, "normalization": "vector"},
            "vikor": {"matrix": _MCDM, "weights": _W, "benefit": _DIRS, "v": 0.5},
            "aggregate": {"matrix": _MCDM, "weights": _W, "benefit": _DIRS, "method": "topsis"},
            "contributions": {"matrix": _MCDM, "weights": _W, "benefit": _DIRS, "method": "vikor"},
            "sensitivity": {
                "matrix": _MCDM,
                "weights": _W,
                "benefit": _DIRS,
                "aggregator": "topsis",
                "draws": 50,
                "seed": 0,
                "k": 1,
                "spread": 0.2,
            },
        }.items()
    },
    "FunnelResult.to_dict": (
        funnel.from_events(EVENTS, ["view", "click"], window="7D").to_dict,
        {"units": False},
    ),
}


def _alarm(signum: int, frame: Any) -> None:
    raise TimeoutError(f"over {LIMIT} s")


def _outcome(call: Callable[..., Any], kwargs: dict[str, Any]) -> str | None:
    """None when the call succeeds or raises a clear error; else what went wrong."""
    signal.alarm(LIMIT)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # numpy's, pandas' and Python's warnings alike
            warnings.simplefilter("default", ck.errors.CreatorkitWarning)
            call(**kwargs)
    except (ValidationError, MissingDependencyError):
        return None
    except AssertionError as exc:  # conformance checks (creatorkit.testing) assert
        if getattr(call, "__module__", "") == "creatorkit.testing":
            return None
        return f"AssertionError: {exc}"
    except BaseException as exc:  # the sweep records whatever else escapes
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
    finally:
        signal.alarm(0)
    return None


PUBLIC = {
    "metrics": metrics,
    "economics": economics,
    "compare": compare,
    "funnel": funnel,
    "summaries": summaries,
    "frames": frames,
    "tiers": tiers,
    "datasets": ck.datasets,
    "identity": ck.identity,
    "audience": ck.audience,
    "reviews": ck.reviews,
    "risk": ck.risk,
    "weighting": ck.weighting,
    "scoring": ck.scoring,
    "rules": ck.rules,
    "ingest": ck.ingest,
    "plot": ck.plot,
}
NOT_FUNCTIONS = {"Reducer"}  # a type alias in metrics.__all__


def uncovered() -> list[str]:
    """Public functions of the modules above that the sweep has no valid call for."""
    missing = []
    for prefix, module in PUBLIC.items():
        for name in module.__all__:
            obj = getattr(module, name)
            if name in NOT_FUNCTIONS or isinstance(obj, type) or not callable(obj):
                continue
            if f"{prefix}.{name}" not in CALLS:
                missing.append(f"{prefix}.{name}")
    return missing


def _copies(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v.copy(deep=True) for k, v in kwargs.items() if isinstance(v, pd.DataFrame | pd.Series)
    }


def _valid(name: str, call: Callable[..., Any], kwargs: dict[str, Any]) -> list[str]:
    """The declared valid call must succeed outright (no error, no warning of numpy or pandas)
    and leave every frame it was given as it was."""
    before = _copies(kwargs)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            warnings.simplefilter("default", ck.errors.CreatorkitWarning)
            call(**kwargs)
    except MissingDependencyError:  # an extra not installed here: every call says so, clearly
        return []
    except BaseException as exc:
        return [f"{name}: the valid call fails: {type(exc).__name__}: {str(exc)[:160]}"]
    changed = [k for k, v in before.items() if not v.equals(kwargs[k])]
    return [f"{name}: the valid call modified {changed}"] if changed else []


def main() -> int:
    signal.signal(signal.SIGALRM, _alarm)
    failures = [f"{name}: no valid call in the sweep" for name in uncovered()]
    calls = 0
    for name, (call, valid) in CALLS.items():
        problems = _valid(name, call, valid)
        if problems:
            failures.extend(problems)
            continue
        params = [p for p in inspect.signature(call).parameters if p in valid]
        for param in params:
            for bad in BAD:
                calls += 1
                found = _outcome(call, {**valid, param: bad})
                if found is not None:
                    failures.append(f"{name}({param}={bad!r:.40}): {found}")
    for line in failures:
        print(line)
    print(f"sweep: {calls} calls, {len(failures)} failures", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
