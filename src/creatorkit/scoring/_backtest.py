"""``scoring.backtest``: does the score at the end of a period predict the next period?"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._arith import divide
from creatorkit._time import aware_column, parse_window, require_as_of
from creatorkit._validation import as_str_list, check_number, did_you_mean, fail
from creatorkit.errors import ErrorCode
from creatorkit.results import Copied, MethodCard, Note, Result, merge_notes

INTERVAL = "fisher_z_bonett_wright"
"""Spearman interval: tanh(atanh(ρ) ± z·√((1 + ρ²/2)/(n − 3))) (Bonett & Wright, 2000)."""

_TIME = {"content": "published_at", "orders": "ordered_at", "violations": "occurred_at"}
_TABLE = {"content": "content", "order": "orders", "collaboration": "collaborations"}
_SCORED = ("creators", "content", "orders", "collaborations", "audience", "violations")


@attrs.frozen(kw_only=True, eq=False)
class Backtest(Result):
    """How well each ranking at a period's end predicted the next period's outcome.

    Attributes:
        table: One row per decision date and ranking: ``decided_at``, ``outcome_end``,
            ``ranking`` (``"score"`` or a naive ranking), ``n`` (creators scored with an
            outcome), ``spearman``, ``spearman_low``, ``spearman_high``, ``k``, ``hits``
            (of the ranking's top ``k``, how many are in the outcome's top ``k``),
            ``precision_at_k`` (hits / k), ``random_precision`` (k / n, its expectation
            under a random ranking) and ``lift`` (their ratio).
        summary: One row per ranking over every period: ``spearman`` pooled by Fisher z
            with inverse-variance weights (periods treated as independent), its interval,
            ``hits``, ``precision_at_k`` (Σ hits / Σ k), ``lift`` (Σ hits / Σ k²/n) and
            ``spearman_gain`` over the first naive ranking (``gmv`` by default).
        periods: One row per decision date: ``decided_at``, ``outcome_end``,
            ``outcome_known_at``, ``scored``, ``with_outcome``, ``no_outcome`` (scored but
            no outcome: not hired again, or no activity — the selection), ``not_matured``
            (outcome rows whose refund window was still open, left out) and
            ``outcome_not_scored`` (creators with an outcome that were excluded or absent).
        pairs: ``decided_at``, ``creator_id``, ``outcome`` and each ranking's value: the
            data behind every number, for plots and checks.
        outcome: The outcome metric; level: the interval level; k: the top-k size.

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import Criterion, Scorecard, backtest
        >>> when = pd.to_datetime(["2026-04-10"] * 3 + ["2026-05-10"] * 3, utc=True)
        >>> posts = pd.DataFrame({"creator_id": list("abcabc"), "published_at": when,
        ...                       "gmv": [1.0, 3.0, 2.0, 1.0, 4.0, 2.0]})
        >>> tables = {"creators": pd.DataFrame({"creator_id": list("abc")}), "content": posts}
        >>> bt = backtest(Scorecard([Criterion(name="gmv")]), tables, outcome="gmv", k=1,
        ...               naive=["gmv"], periods=["2026-04-30T00:00Z", "2026-05-31T00:00Z"])
        >>> bt.outcome, bt.table["hits"].tolist()
        ('gmv', [1, 1])
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    _summary: pd.DataFrame
    summary = Copied[pd.DataFrame]()
    _periods: pd.DataFrame
    periods = Copied[pd.DataFrame]()
    _pairs: pd.DataFrame
    pairs = Copied[pd.DataFrame]()
    outcome: str
    level: float
    k: int


def _stamp(value: Any, i: int) -> pd.Timestamp:
    return require_as_of(value, f"periods[{i}]")


def _windows(periods: Any) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """(decision date, outcome end) pairs from boundaries or (start, end) pairs."""
    if isinstance(periods, str) or not isinstance(periods, Sequence | pd.Index | np.ndarray):
        rule = "must be a list of period ends (at least two) or of (start, end) pairs"
        fail("periods", rule, ErrorCode.WRONG_TYPE, value=type(periods).__name__)
    items = list(periods)
    if items and all(isinstance(p, tuple | list) for p in items):
        if any(len(p) != 2 for p in items):
            fail("periods", "each pair must be (start, end)", ErrorCode.INVALID_VALUE)
        pairs = [(_stamp(a, i), _stamp(b, i)) for i, (a, b) in enumerate(items)]
    else:
        ends = [_stamp(p, i) for i, p in enumerate(items)]
        pairs = list(itertools.pairwise(ends))
    if not pairs:
        fail("periods", "needs at least two period ends (one outcome period)", ErrorCode.EMPTY)
    for i, (start, end) in enumerate(pairs):
        if end <= start:
            rule = f"period {i} ends ({end}) before it starts ({start}): no outcome window"
            fail("periods", rule, ErrorCode.INVALID_VALUE, value=str(end))
        if i and start < pairs[i - 1][1]:
            rule = f"period {i} starts ({start}) before period {i - 1} ends: periods overlap"
            fail("periods", rule, ErrorCode.INVALID_VALUE, value=str(start))
    return pairs


def _named(tables: Any) -> dict[str, pd.DataFrame]:
    if isinstance(tables, pd.DataFrame) or not (
        isinstance(tables, Mapping) or hasattr(tables, "as_of")
    ):
        rule = "must be a mapping of tables or a Dataset (a backtest needs dated rows)"
        fail("tables", rule, ErrorCode.WRONG_TYPE, value=type(tables).__name__)
    names = (*_SCORED, "fx_rates", "samples")
    if isinstance(tables, Mapping):
        unknown = [str(k) for k in tables if k not in names]
        if unknown:
            rule = f"unknown table {unknown[0]!r}.{did_you_mean(unknown[0], names)}"
            fail("tables", rule, ErrorCode.UNKNOWN_NAME, value=unknown[0])
        return {k: v for k, v in tables.items() if v is not None}
    return {n: getattr(tables, n) for n in names if len(getattr(tables, n, ()))}


def _known(named: dict[str, pd.DataFrame], when: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The tables as known at ``when``: dated rows up to it, collaborations restated."""
    from creatorkit.metrics import restate

    out = {k: v for k, v in named.items() if k in (*_SCORED, "fx_rates")}
    for name, column in _TIME.items():
        if name in out and column in out[name]:
            keep = (aware_column(out[name], column, name) <= when).to_numpy(dtype=bool)
            out[name] = out[name][keep]
    if "collaborations" in named:
        out["collaborations"] = restate(
            named["collaborations"],
            as_of=when,
            orders=named.get("orders"),
            samples=named.get("samples"),
        ).table
    return out


def _spearman(x: np.ndarray, y: np.ndarray, level: float) -> tuple[float, float, float]:
    """Spearman ρ (average ranks) with the Fisher z / Bonett–Wright interval."""
    from scipy.special import ndtri

    n = len(x)
    if n < 4:
        return np.nan, np.nan, np.nan
    rx = pd.Series(x).rank(method="average").to_numpy()  # average ranks of ties
    ry = pd.Series(y).rank(method="average").to_numpy()
    cx, cy = rx - rx.mean(), ry - ry.mean()
    rho = float(divide((cx * cy).sum(), np.sqrt((cx * cx).sum() * (cy * cy).sum())))
    if not np.isfinite(rho):
        return np.nan, np.nan, np.nan
    half = float(ndtri(0.5 + level / 2)) * np.sqrt((1 + rho * rho / 2) / (n - 3))
    z = np.arctanh(np.clip(rho, -1 + 1e-12, 1 - 1e-12))
    return rho, float(np.tanh(z - half)), float(np.tanh(z + half))


def _hits(ids: np.ndarray, value: np.ndarray, outcome: np.ndarray, k: int) -> int:
    """Of the top ``k`` by ``value``, how many are in the top ``k`` by ``outcome`` (ties: id)."""
    mine = np.lexsort((ids, -np.nan_to_num(value, nan=-np.inf)))[:k]
    best = np.lexsort((ids, -outcome))[:k]
    return int(np.isin(mine, best).sum())


def _between(frame: pd.DataFrame, column: str, name: str, start: Any, end: Any) -> pd.DataFrame:
    when = aware_column(frame, column, name)
    out: pd.DataFrame = frame[((when > start) & (when <= end)).to_numpy(dtype=bool)]
    return out


def _per_creator(
    rows: pd.DataFrame, name: str, when: pd.Timestamp, currency: str | None, fx: Any
) -> pd.Series:
    from creatorkit import metrics

    if not len(rows):
        return pd.Series(dtype=float)
    res = metrics.compute(
        rows, [name], by="creator_id", as_of=when, currency=currency, fx=fx
    ).to_frame()
    return pd.Series(res[name].to_numpy(dtype=float), index=res["creator_id"].astype(str))


def _outcome(
    named: dict[str, pd.DataFrame],
    metric: Any,
    window: tuple[pd.Timestamp, pd.Timestamp],
    known_at: pd.Timestamp,
    maturity: pd.Timedelta,
    currency: str | None,
) -> tuple[pd.Series, int]:
    """The outcome per creator over ``window`` as known at ``known_at``; rows not matured."""
    from creatorkit.metrics import restate

    start, end = window
    table = _TABLE[metric.table]
    if table not in named:
        rule = f"outcome {metric.name!r} needs a {table!r} table"
        fail("tables", rule, ErrorCode.MISSING_COLUMN, value=metric.name)
    fx = named.get("fx_rates")
    if table != "collaborations":
        column = _TIME[table]
        rows = _between(named[table], column, table, start, end)
        return _per_creator(rows, metric.name, known_at, currency, fx), 0
    state = restate(
        named[table],
        as_of=known_at,
        orders=named.get("orders"),
        samples=named.get("samples"),
        refund_window=maturity,
    ).table
    out = _content_date(state)
    inside = ((out > start) & (out <= end)).fillna(False).to_numpy(dtype=bool)
    state = state[inside]
    open_ = state["gmv_refund_window_open"].to_numpy(dtype=float) > 0
    open_ |= ~(out[inside] <= known_at - maturity).fillna(False).to_numpy(dtype=bool)
    matured = state[~open_]
    return _per_creator(matured, metric.name, known_at, currency, fx), int(open_.sum())


def _content_date(state: pd.DataFrame) -> pd.Series:
    """When a collaboration's content came out: posted, else due, else agreed (as known)."""
    out = state["agreed_at"] if "agreed_at" in state else pd.Series(pd.NaT, index=state.index)
    for column in ("content_due_at", "posted_at"):
        if column in state:
            out = state[column].where(state[column].notna(), out)
    return pd.to_datetime(out, utc=True)


def _naive(
    names: list[str],
    known: dict[str, pd.DataFrame],
    ids: pd.Index,
    when: pd.Timestamp,
    currency: str | None,
) -> dict[str, np.ndarray]:
    """Each naive ranking's values for ``ids``: a creators column or a metric known at ``when``."""
    from creatorkit import metrics

    creators = known["creators"].set_index(known["creators"]["creator_id"].astype(str))
    out = {}
    for name in names:  # a loop over rankings (a handful)
        if name in creators:
            values = pd.to_numeric(creators[name], errors="coerce").reindex(ids)
            out[name] = values.to_numpy(dtype=float)
            continue
        if name not in metrics.registry:
            known_names = [*map(str, creators.columns), *metrics.registry]
            rule = (
                f"{name!r} is not a creators column or a metric.{did_you_mean(name, known_names)}"
            )
            fail("naive", rule, ErrorCode.UNKNOWN_NAME, value=name)
        table = _TABLE.get(metrics.registry.get(name).table, "")
        rows = known.get(table, pd.DataFrame())
        per = _per_creator(rows, name, when, currency, known.get("fx_rates"))
        out[name] = per.reindex(ids).to_numpy(dtype=float)
    return out


def _rows(
    decided: pd.Timestamp,
    values: dict[str, np.ndarray],
    ids: np.ndarray,
    y: np.ndarray,
    k: int,
    level: float,
) -> list[dict[str, Any]]:
    """One row per ranking for one decision date (creators with an outcome only)."""
    n = len(y)
    top = min(k, n)
    out = []
    for name, v in values.items():  # a loop over rankings (a handful)
        ranked = np.nan_to_num(v, nan=-np.inf)
        rho, low, high = _spearman(ranked, y, level)
        hits = _hits(ids, v, y, top) if top else 0
        chance = top / n if n else np.nan
        precision = hits / top if top else np.nan
        out.append(
            {
                "decided_at": decided,
                "ranking": name,
                "n": n,
                "spearman": rho,
                "spearman_low": low,
                "spearman_high": high,
                "k": top,
                "hits": hits,
                "precision_at_k": precision,
                "random_precision": chance,
                "lift": float(divide(precision, chance)) if n else np.nan,
            }
        )
    return out


def _summary(table: pd.DataFrame, level: float, baseline: str | None) -> pd.DataFrame:
    """Per ranking: Fisher-z pooled Spearman (inverse-variance weights), precision, lift."""
    from scipy.special import ndtri

    rho = table["spearman"].to_numpy(dtype=float)
    ok = np.isfinite(rho)
    z = np.where(ok, np.arctanh(np.clip(np.nan_to_num(rho), -1 + 1e-12, 1 - 1e-12)), 0.0)
    w = np.where(ok, divide(table["n"].to_numpy(dtype=float) - 3, 1 + rho**2 / 2), 0.0)
    expected = divide(table["k"].to_numpy(dtype=float) ** 2, table["n"].to_numpy(dtype=float))
    frame = pd.DataFrame(
        {
            "ranking": table["ranking"].to_numpy(),
            "wz": w * z,
            "w": w,
            "hits": table["hits"].to_numpy(),
            "k": table["k"].to_numpy(),
            "expected": np.nan_to_num(expected),
            "periods": ok.astype(np.int64),
        }
    )
    sums = frame.groupby("ranking", sort=False).sum()
    pooled = divide(sums["wz"].to_numpy(), sums["w"].to_numpy())
    half = float(ndtri(0.5 + level / 2)) * np.sqrt(divide(1.0, sums["w"].to_numpy()))
    out = pd.DataFrame(
        {
            "ranking": sums.index.to_numpy(),
            "periods": sums["periods"].to_numpy(),
            "spearman": np.tanh(pooled),
            "spearman_low": np.tanh(pooled - half),
            "spearman_high": np.tanh(pooled + half),
            "hits": sums["hits"].to_numpy(),
            "precision_at_k": divide(sums["hits"].to_numpy(), sums["k"].to_numpy()),
            "lift": divide(sums["hits"].to_numpy(), sums["expected"].to_numpy()),
        }
    )
    base = out["spearman"].to_numpy()[out["ranking"].to_numpy() == baseline]
    out["spearman_gain"] = out["spearman"].to_numpy() - (base[0] if len(base) else np.nan)
    return out


def _period(
    scorecard: Any,
    named: dict[str, pd.DataFrame],
    window: tuple[pd.Timestamp, pd.Timestamp],
    known_at: pd.Timestamp,
    opts: dict[str, Any],
) -> tuple[dict[str, Any], pd.DataFrame, list[Note]]:
    """Score at the window's start with what was known then; the outcome over the window."""
    decided = window[0]
    known = _known(named, decided)
    res = scorecard.score(known, as_of=decided)
    scored = res._table
    ids = scored["creator_id"].to_numpy(dtype=object)
    y_all, open_rows = _outcome(
        named, opts["metric"], window, known_at, opts["maturity"], scorecard.currency
    )
    y = y_all.reindex(pd.Index(ids)).to_numpy(dtype=float)
    has = np.isfinite(y)
    values = {"score": scored["score"].to_numpy(dtype=float)}
    values |= _naive(opts["naive"], known, pd.Index(ids), decided, scorecard.currency)
    finite = np.isfinite(y_all.to_numpy(dtype=float))
    info = {
        "decided_at": decided,
        "outcome_end": window[1],
        "outcome_known_at": known_at,
        "scored": len(ids),
        "with_outcome": int(has.sum()),
        "no_outcome": int((~has).sum()),
        "not_matured": open_rows,
        "outcome_not_scored": int((~y_all.index[finite].isin(ids)).sum()),
    }
    pairs = pd.DataFrame({"decided_at": decided, "creator_id": ids[has], "outcome": y[has]})
    for name, v in values.items():  # a loop over rankings
        pairs[name] = v[has]
    return info, pairs, list(res.warnings)


def backtest(
    scorecard: Any,
    tables: Any,
    *,
    periods: Any,
    outcome: str = "roi",
    k: int = 10,
    naive: str | list[str] = ("gmv", "followers", "engagement_rate"),  # type: ignore[assignment]
    as_of: Any = None,
    maturity: Any = "30D",
    level: float = 0.95,
) -> Backtest:
    """Score at the end of each period with only the data known then; compare with the next.

    At each decision date ``t`` the tables are cut to what was known at ``t`` (content,
    orders and violations dated up to ``t``; collaborations agreed by ``t`` and restated
    with :func:`creatorkit.metrics.restate` — refunds, commission, samples as known then)
    and scored. The outcome is ``outcome`` (a catalog metric) per creator over the next
    period ``(t, end]``, as known at ``min(end + maturity, as_of)``: collaboration metrics
    (``roi``, ``roas``) read the collaborations whose content came out in the period
    (posted, else due, else agreed) — so outcomes exist only for creators hired again, and
    ``periods.no_outcome`` counts the scored creators without one (the selection is
    reported, not hidden) — and leave out those whose content came out less than
    ``maturity`` before ``known_at`` or whose GMV is still inside its refund window
    (``not_matured``: sales and refunds keep coming); content metrics (``gmv``) read the
    posts of the period. Each ranking — the score and the ``naive`` ones computed from
    the same known data (a creator without the value ranks last) — is compared with the
    outcome on the same creators: Spearman's ρ with a Fisher-z interval using the
    Bonett–Wright variance (1 + ρ²/2)/(n − 3), top-``k`` precision (ties broken by id)
    and its lift over a random ranking (expected precision k/n).

    Args:
        scorecard: The :class:`~creatorkit.scoring.Scorecard` to test.
        tables: A mapping of dated tables (``creators``, ``content``, ``orders``,
            ``collaborations``, ``samples``, ``violations``, ``audience``, ``fx_rates``)
            or a ``Dataset``. The creators table is a profile snapshot (used as it is).
        periods: Period ends ``[t0, t1, ..., tm]`` (decisions at t0 … t(m−1), outcomes
            over the following period) or ``(start, end)`` pairs (decision at ``start``,
            outcome over ``(start, end]``), in order and not overlapping.
        outcome: The metric to predict (``roi``, ``roas``, ``gmv``, ``net_gmv``, ...).
        k: Top-k size (capped at the creators with an outcome).
        naive: Naive rankings: creators columns or catalog metrics.
        as_of: When the tables were extracted (default: the Dataset's ``as_of``, else the
            last period's end): nothing later is known.
        maturity: How long an outcome takes to settle (refund window), e.g. ``"30D"``.
        level: Interval level.

    Returns:
        :class:`Backtest`.

    Raises:
        ValidationError: Overlapping periods, a period that ends after ``as_of`` (no
            outcome yet) or in which no scored creator has an outcome, unknown names.

    Example:
        >>> import creatorkit as ck
        >>> world = ck.datasets.synthetic(seed=1, n_creators=300, model="truth_model@1")
        >>> card = ck.Scorecard([ck.Criterion(name="gpm"), ck.Criterion(name="cvr")],
        ...                     currency="USD")
        >>> bt = ck.scoring.backtest(card, world, outcome="contribution_margin", k=10,
        ...     periods=["2026-04-30T23:59:59Z", "2026-05-31T23:59:59Z"])
        >>> bt.periods[["scored", "with_outcome", "no_outcome"]].values.tolist()
        [[300, 57, 243]]
        >>> bt.summary["ranking"].tolist()
        ['score', 'gmv', 'followers', 'engagement_rate']
    """
    from creatorkit import metrics
    from creatorkit.scoring._scorecard import Scorecard

    if not isinstance(scorecard, Scorecard):
        rule = "must be a Scorecard"
        fail("scorecard", rule, ErrorCode.WRONG_TYPE, value=type(scorecard).__name__)
    named = _named(tables)
    windows = _windows(periods)
    top = int(check_number("k", k, low=1, integer=True))
    share = check_number("level", level, low=0, high=1, low_open=True, high_open=True)
    span = parse_window(maturity, "maturity", zero=True)
    names = as_str_list("naive", naive)
    if (
        not isinstance(outcome, str)
        or outcome not in metrics.registry
        or metrics.registry.get(outcome).table not in _TABLE
    ):
        known = [m for m in metrics.registry if metrics.registry.get(m).table in _TABLE]
        rule = (
            f"must be a content, order or collaboration metric.{did_you_mean(str(outcome), known)}"
        )
        fail("outcome", rule, ErrorCode.UNKNOWN_NAME, value=outcome)
    extracted = require_as_of(as_of) if as_of is not None else getattr(tables, "as_of", None)
    last = windows[-1][1] if extracted is None else require_as_of(extracted)
    opts = {"metric": metrics.registry.get(outcome), "maturity": span, "naive": names}
    infos, pairs, notes = [], [], []
    for i, window in enumerate(windows):  # a loop over periods (a dozen)
        if window[1] > last:
            rule = f"period {i} ends at {window[1]}, after the tables' as_of {last}: no outcome"
            fail("periods", rule, ErrorCode.INVALID_VALUE, value=str(window[1]))
        info, pair, found = _period(scorecard, named, window, min(window[1] + span, last), opts)
        if not info["with_outcome"]:
            rule = f"period {i} ({window[0]} to {window[1]}): no scored creator has an outcome"
            fail("periods", rule, ErrorCode.EMPTY, value=str(window[0]))
        infos.append(info)
        pairs.append(pair)
        notes.extend(found)
    return _result(scorecard, infos, pairs, notes, opts, top, share, outcome, windows, last)


def _result(
    scorecard: Any,
    infos: list[dict[str, Any]],
    pairs: list[pd.DataFrame],
    notes: list[Note],
    opts: dict[str, Any],
    k: int,
    level: float,
    outcome: str,
    windows: list[tuple[pd.Timestamp, pd.Timestamp]],
    last: pd.Timestamp,
) -> Backtest:
    rankings = ["score", *opts["naive"]]
    rows: list[dict[str, Any]] = []
    for info, pair in zip(infos, pairs, strict=True):  # a loop over periods
        values = {r: pair[r].to_numpy(dtype=float) for r in rankings}
        ids = pair["creator_id"].to_numpy(dtype=object)
        y = pair["outcome"].to_numpy(dtype=float)
        found = _rows(info["decided_at"], values, ids, y, k, level)
        rows.extend({**r, "outcome_end": info["outcome_end"]} for r in found)
    table = pd.DataFrame(rows)
    table.insert(1, "outcome_end", table.pop("outcome_end"))
    period_table = pd.DataFrame(infos)
    own = [
        Note.counted(
            "no_outcome",
            "{count} scored creator-periods have no outcome (not hired again or no activity): "
            "the backtest reads only creators with one (selection)",
            count=int(period_table["no_outcome"].sum()),
            subject=outcome,
        )
    ]
    immature = int(period_table["not_matured"].sum())
    if immature:
        text = "{count} outcome rows had not matured (refund window open) and were left out"
        own.append(Note.counted("immature_outcome", text, count=immature, subject=outcome))
    card = MethodCard.create(
        "scoring.backtest",
        spec=scorecard.to_dict(),
        periods=[[a, b] for a, b in windows],
        outcome=outcome,
        k=k,
        naive=opts["naive"],
        as_of=last,
        maturity=opts["maturity"],
        level=level,
        interval=INTERVAL,
    )
    baseline = opts["naive"][0] if opts["naive"] else None
    return Backtest(
        table=table,
        summary=_summary(table, level, baseline),
        periods=period_table,
        pairs=pd.concat(pairs, ignore_index=True),
        outcome=outcome,
        level=level,
        k=k,
        method=card,
        warnings=merge_notes([*own, *notes]),
    )
