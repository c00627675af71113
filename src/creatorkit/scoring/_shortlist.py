"""``scoring.shortlist``: the campaign's gates, then the scorecard's ranking."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._threads import GATHER_WORKERS, run
from creatorkit._time import require_as_of
from creatorkit._validation import check_choice, check_number, did_you_mean, fail
from creatorkit.errors import ErrorCode
from creatorkit.results import Copied, MethodCard, Note, Result, merge_notes, read_only
from creatorkit.scoring._gate import Gate
from creatorkit.scoring._top_share import rank_order

USED: tuple[str, ...] = ("markets", "category", "goal", "followers", "budget_per_creator")
USED += ("currency", "content_type")
RECORDED = ("campaign_id", "brand", "start", "end", "budget", "kpi_targets", "name")
GOAL_FOLLOWERS = {"sales": 20_000, "awareness": 500_000}
"""Follower band per goal (DESIGN §2 seed guidance: sales 20K+, brand promotion 500K+)."""

_KEEP = ("country", "market", "category", "followers", "tier", "rate_card_price")


@attrs.frozen(kw_only=True, eq=False)
class Shortlist(Result):
    """The creators to invite, in rank order, and why every other creator is not on it.

    Attributes:
        table: The shortlisted creators (the best ``k``, ties broken by id): ``creator_id``,
            ``score``, ``rank`` (among eligible creators), ``percentile``, ``country``,
            ``market``, ``category``, ``followers``, ``tier``, ``rate_card_price`` (when a
            budget per creator was checked) and ``contribution_<criterion>``.
        exclusions: ``creator_id``, ``gate`` (``campaign.<rule>`` for the campaign's
            gates, the scorecard's gate index otherwise) and ``reason``; one row per gate
            a creator fails.
        reasons: ``gate``, ``reason`` and ``creators`` (how many it excluded), most first.
        eligible: Creators that passed every gate (``len(table)`` is at most ``k`` of them).
        criteria: Criterion keys; weights: their weights.
        campaign: The campaign fields used and recorded.
        scores: The full :class:`~creatorkit.scoring.ScoreResult` of the eligible creators.

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import Criterion, Scorecard, shortlist
        >>> t = pd.DataFrame({"creator_id": ["a", "b", "c"], "gmv": [1.0, 3.0, 2.0],
        ...                   "country": ["TH", "TH", "VN"]})
        >>> sl = shortlist(Scorecard([Criterion(name="gmv")]), t, campaign={"markets": ["TH"]},
        ...                as_of="2026-06-30T00:00:00Z")
        >>> sl.eligible, sl.table["creator_id"].tolist()
        (2, ['b', 'a'])
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    _exclusions: pd.DataFrame
    exclusions = Copied[pd.DataFrame]()
    _reasons: pd.DataFrame
    reasons = Copied[pd.DataFrame]()
    eligible: int
    criteria: tuple[str, ...]
    weights: tuple[float, ...]
    campaign: Mapping[str, Any] = attrs.field(converter=read_only)
    scores: Any = None


def _campaign(campaign: Any) -> dict[str, Any]:
    """The campaign as a dict: a mapping, a Campaign record or a campaigns-table row."""
    if isinstance(campaign, pd.Series):
        campaign = campaign.to_dict()
    elif attrs.has(type(campaign)):
        campaign = attrs.asdict(campaign, recurse=False)
    if not isinstance(campaign, Mapping):
        rule = "must be a mapping, a Campaign record or a row of a campaigns table"
        fail("campaign", rule, ErrorCode.WRONG_TYPE, value=type(campaign).__name__)
    fields = dict(campaign)
    for key in fields:
        if key not in USED + RECORDED:
            hint = did_you_mean(str(key), USED)
            rule = f"unknown key {key!r}; the campaign uses {list(USED)}.{hint}"
            fail("campaign", rule, ErrorCode.UNKNOWN_NAME, value=key)
    return {k: v for k, v in fields.items() if v is not None}


def _labels(name: str, value: Any) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, list | tuple | set | frozenset | np.ndarray) or not len(items):
        fail(f"campaign[{name!r}]", "must be a non-empty list of labels", ErrorCode.WRONG_TYPE)
    return tuple(sorted(str(v) for v in items))


def _band(fields: dict[str, Any]) -> Gate | None:
    if "followers" in fields:
        band = fields["followers"]
        if isinstance(band, list | tuple):
            if len(band) != 2:
                fail("campaign['followers']", "must be low or (low, high)", ErrorCode.WRONG_TYPE)
            low = check_number("campaign['followers']", band[0], low=0)
            return Gate.followers(low, check_number("campaign['followers']", band[1], low=low))
        return Gate.followers(check_number("campaign['followers']", band, low=0))
    if "goal" in fields:
        goal = check_choice("campaign['goal']", str(fields["goal"]), tuple(GOAL_FOLLOWERS))
        return Gate.followers(GOAL_FOLLOWERS[goal])
    return None


def _gates(fields: dict[str, Any]) -> list[tuple[str, Gate]]:
    """The campaign's gates, named ``campaign.<rule>``."""
    gates = []
    if "markets" in fields:
        gates.append(("campaign.market", Gate.market(_labels("markets", fields["markets"]))))
    if "category" in fields:
        gates.append(("campaign.category", Gate.category(_labels("category", fields["category"]))))
    band = _band(fields)
    if band is not None:
        gates.append(("campaign.followers", band))
    if "budget_per_creator" in fields:
        budget = check_number("campaign['budget_per_creator']", fields["budget_per_creator"], low=0)
        what = fields.get("content_type", "video")
        reason = (
            f"no {what} rate card at or below the budget per creator "
            f"({budget:g} {fields.get('currency', '')})".replace(" )", ")")
        )
        gate = Gate(column="rate_card_price", op="<=", value=budget, reason=reason)
        gates.append(("campaign.budget_per_creator", gate))
    return gates


def _split(tables: Any, rate_cards: Any) -> tuple[dict[str, Any], Any]:
    """The tables to score and the rate cards (taken out: the scorecard does not read them)."""
    from creatorkit.scoring import _tables

    cards = rate_cards
    if isinstance(tables, Mapping):
        named = dict(tables)
        found = named.pop("rate_cards", None)
        return _tables.as_tables(named), found if cards is None else cards
    found = getattr(tables, "rate_cards", None) if not isinstance(tables, pd.DataFrame) else None
    return _tables.as_tables(tables), found if cards is None else cards


def _prices(
    cards: pd.DataFrame, ids: pd.Series, fields: dict[str, Any], fx: Any, when: pd.Timestamp
) -> np.ndarray:
    """Each creator's rate-card fee at ``when`` for the campaign's content type (NaN: none)."""
    from creatorkit.metrics.economics import convert, price_at

    valid = price_at(cards, at=when)
    valid = valid[valid["content_type"].astype(str) == str(fields.get("content_type", "video"))]
    target = fields.get("currency")
    if target is not None and (valid["currency"] != target).any():
        if fx is None:
            rule = (
                f"rate cards in {sorted(set(valid['currency']) - {target})} need an fx_rates "
                f"table to be compared with a budget in {target}"
            )
            fail("tables", rule, ErrorCode.MIXED_CURRENCY, value=target)
        priced = valid.assign(priced_at=when)
        valid = convert(priced, fx, to=str(target), columns=["fixed_fee"], time="priced_at")
    fee = valid.set_index(valid["creator_id"].astype(str))["fixed_fee"]
    return np.asarray(fee.reindex(pd.Index(ids.astype(str))).to_numpy(dtype=float))


def _reasons(exclusions: pd.DataFrame) -> pd.DataFrame:
    counts = exclusions.groupby(["gate", "reason"], sort=True).size().rename("creators")
    table = counts.reset_index()
    order = np.lexsort((table["gate"].to_numpy(dtype=str), -table["creators"].to_numpy()))
    return table.take(order).reset_index(drop=True)


def shortlist(
    scorecard: Any,
    tables: Any,
    *,
    campaign: Any,
    k: int | None = None,
    as_of: Any,
    rate_cards: pd.DataFrame | None = None,
) -> Shortlist:
    """Whom to invite: the campaign's gates, the scorecard's gates, then the ranking.

    The campaign adds gates before anything is ranked (DESIGN §6): ``markets`` (a
    creator's market is its ``country``), ``category``, a follower band — ``followers``
    (``low`` or ``(low, high)``) or, from ``goal``, 20K+ for ``sales`` and 500K+ for
    ``awareness`` — and ``budget_per_creator``: the creator's rate-card fee for
    ``content_type`` (``"video"`` by default) valid at ``as_of``, converted to the
    campaign's ``currency`` with the tables' ``fx_rates`` when needed, must not exceed it
    (no card: excluded). The eligible creators are then scored together (peer groups and
    normalization among them) and the best ``k`` kept, ties broken by id. A campaign no
    creator passes gives an empty shortlist with every exclusion reason counted.

    Args:
        scorecard: A :class:`~creatorkit.scoring.Scorecard`.
        tables: What :meth:`Scorecard.score` takes; a mapping may also hold
            ``rate_cards`` and a ``Dataset``'s rate cards are used.
        campaign: A mapping, a :class:`~creatorkit.Campaign` or a row of a campaigns
            table. Used keys: ``markets``, ``category``, ``goal``, ``followers``,
            ``budget_per_creator``, ``currency``, ``content_type``; ``campaign_id``,
            ``brand``, ``start``, ``end``, ``budget``, ``kpi_targets`` are recorded.
        k: How many to shortlist (``None``: every eligible creator).
        as_of: Timezone-aware date of knowledge (scores and rate cards as of then).
        rate_cards: A :class:`~creatorkit.RateCard` table (overrides the tables' own).

    Returns:
        :class:`Shortlist`.

    Raises:
        ValidationError: Unknown campaign keys (did-you-mean), a bad ``k``, rate cards in
            another currency without ``fx_rates``, anything :meth:`Scorecard.score` refuses.

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import Criterion, Scorecard, shortlist
        >>> t = pd.DataFrame({"creator_id": ["a", "b", "c", "d"], "gmv": [4.0, 3.0, 2.0, 1.0],
        ...                   "country": ["TH", "VN", "TH", "TH"],
        ...                   "followers": [30_000, 90_000, 50_000, 5_000]})
        >>> sl = shortlist(Scorecard([Criterion(name="gmv")]), t,
        ...                campaign={"markets": ["TH"], "goal": "sales"}, k=5,
        ...                as_of="2026-06-30T00:00:00Z")
        >>> sl.table["creator_id"].tolist()
        ['a', 'c']
        >>> sl.reasons[["gate", "creators"]].values.tolist()
        [['campaign.followers', 1], ['campaign.market', 1]]
    """
    from creatorkit.scoring._scorecard import Scorecard

    if not isinstance(scorecard, Scorecard):
        fail(
            "scorecard", "must be a Scorecard", ErrorCode.WRONG_TYPE, value=type(scorecard).__name__
        )
    when = require_as_of(as_of)
    if k is not None:
        k = int(check_number("k", k, low=1, integer=True))
    fields = _campaign(campaign)
    named, cards = _split(tables, rate_cards)
    named_gates = _gates(fields)
    notes: list[Note] = []
    creators = named["creators"]
    if "budget_per_creator" in fields:
        if cards is None or not len(cards):
            named_gates = [g for g in named_gates if g[0] != "campaign.budget_per_creator"]
            text = "budget_per_creator was not checked: no rate cards were given"
            notes.append(Note(code="budget_not_checked", message=text, subject="rate_cards"))
        else:
            price = _prices(cards, creators["creator_id"], fields, named.get("fx_rates"), when)
            named["creators"] = creators.assign(rate_card_price=price)
    card = attrs.evolve(scorecard, gates=(*scorecard.gates, *(g for _, g in named_gates)))
    return _ranked(card, named, named_gates, fields, k, when, notes, len(scorecard.gates))


_SAMPLE = 2_048
_PARALLEL = 1 << 16  # rows from which a table's columns are gathered in threads
_FEW = 256


def _take(values: pd.Series, rows: np.ndarray) -> Any:
    """``values.array.take(rows)``: the same values and dtype, text of few labels faster.

    Taking a million strings in a new order reads all over memory; a column of few
    distinct labels (a country, a tier) is taken as small codes, then from its distinct
    labels. Whether a column has few is judged on its first values (a guess that decides
    only the speed, never the result).
    """
    array = values.array
    if not isinstance(values.dtype, pd.StringDtype) or len(values) <= _SAMPLE:
        return array.take(rows)
    if values.iloc[:_SAMPLE].nunique(dropna=False) > _FEW:
        return array.take(rows)
    from creatorkit._grouping import factorize

    codes, uniques = factorize(values, sort=False)
    labels: Any = uniques.astype(values.dtype).array
    return labels.take(codes[rows], allow_fill=True)  # code -1 (missing) stays missing


def _gather(sources: dict[str, tuple[pd.Series, np.ndarray]]) -> dict[str, Any]:
    """Each column taken at its rows; a large table's columns are taken in threads.

    A reorder is memory-bound and numpy's and pyarrow's takes release the GIL, so
    :data:`~creatorkit._threads.GATHER_WORKERS` threads share the columns (the values
    never depend on it).
    """
    items = list(sources.values())
    large = bool(items) and len(items[0][1]) >= _PARALLEL
    taken = run(lambda item: _take(*item), items, GATHER_WORKERS if large else 1)
    return dict(zip(sources, taken, strict=True))


def _positions(creators: pd.DataFrame, exclusions: pd.DataFrame) -> np.ndarray:
    """Positions in ``creators`` of the scored creators (the score table keeps input order)."""
    if not len(exclusions):
        return np.arange(len(creators))
    ids = creators["creator_id"].astype(str)
    gone = ids.isin(exclusions["creator_id"].unique()).to_numpy(dtype=bool)
    return np.flatnonzero(~gone)


def _ranked(
    card: Any,
    named: dict[str, Any],
    named_gates: list[tuple[str, Gate]],
    fields: dict[str, Any],
    k: int | None,
    when: pd.Timestamp,
    notes: list[Note],
    own: int,
) -> Shortlist:
    res = card.score(named, as_of=when)
    scored = res._table
    order = rank_order(scored["rank"].to_numpy())[: len(scored) if k is None else k]
    creators = named["creators"]
    rows = _positions(creators, res._exclusions)[order]
    head = ("creator_id", "score", "rank", "percentile")
    extra = [c for c in _KEEP if c in creators and c != "tier"]
    tail = [c for c in ("tier", *(f"contribution_{c}" for c in res.criteria)) if c in scored]
    sources = {c: (scored[c], order) for c in head} | {c: (creators[c], rows) for c in extra}
    columns = _gather(sources | {c: (scored[c], order) for c in tail})  # no concat
    if "market" not in columns and "country" in columns:
        columns["market"] = columns["country"]  # a creator's market is its country
    ordered = [*head, *(c for c in _KEEP if c in columns and c != "tier"), *tail]
    table = pd.DataFrame({c: columns[c] for c in ordered}, copy=False)
    exclusions = res._exclusions.copy()
    names = {f"gates[{own + i}]": name for i, (name, _) in enumerate(named_gates)}
    exclusions["gate"] = exclusions["gate"].map(lambda g: names.get(g, g)).astype(object)
    below = len(scored) - len(table)
    if below:
        text = "{count} eligible creators ranked below the shortlist's k"
        notes.append(Note.counted("below_k", text, count=below))
    if not len(scored):
        text = "no creator passed every gate: the shortlist is empty (see reasons)"
        notes.append(Note.counted("empty_shortlist", text, count=0))
    method = MethodCard.create(
        "scoring.shortlist",
        spec=card.to_dict(),
        campaign=fields,
        k=k,
        as_of=when,
        content_type=fields.get("content_type", "video"),
    )
    return Shortlist(
        table=table,
        exclusions=exclusions,
        reasons=_reasons(exclusions),
        eligible=len(scored),
        criteria=res.criteria,
        weights=res.weights,
        campaign=fields,
        scores=res,
        method=method,
        warnings=merge_notes([*res.warnings, *notes]),
    )
