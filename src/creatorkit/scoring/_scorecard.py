"""Scorecard: gates ► criteria (peer groups, low data, normalization) ► weights ► score."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._time import require_as_of
from creatorkit._validation import check_choice, fail
from creatorkit.errors import ErrorCode
from creatorkit.results import MethodCard, Note, merge_notes
from creatorkit.scoring import _engine, _tables, _uncertainty
from creatorkit.scoring._criterion import Criterion
from creatorkit.scoring._gate import Gate
from creatorkit.scoring._result import ScoreResult

AGGREGATORS = ("weighted_sum", "weighted_product", "topsis")
SPEC_KIND = "creatorkit.scorecard"
SPEC_VERSION = 1


def _criteria(value: Any) -> tuple[Criterion, ...]:
    items = (value,) if isinstance(value, Criterion) else value
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        fail("criteria", "must be a non-empty list of Criterion", ErrorCode.WRONG_TYPE)
    if not all(isinstance(c, Criterion) for c in items):
        fail("criteria", "must be a list of Criterion", ErrorCode.WRONG_TYPE)
    keys = [c.key for c in items]
    if len(set(keys)) != len(keys):
        fail(
            "criteria",
            "criterion names (labels) must be unique",
            ErrorCode.DUPLICATE_NAME,
            value=keys,
        )
    return tuple(items)


def _gates(value: Any) -> tuple[Gate, ...]:
    items = () if value is None else ((value,) if isinstance(value, Gate) else value)
    if not isinstance(items, Sequence) or not all(isinstance(g, Gate) for g in items):
        fail("gates", "must be a list of Gate", ErrorCode.WRONG_TYPE)
    return tuple(items)


def _table(cols: dict[str, Any]) -> pd.DataFrame:
    """The result table: ids, the float columns, then the others, none of them copied.

    Every array is the scorecard's own (fresh, never handed out), so the frame takes them
    as they are: ``copy=False`` keeps one block per column instead of consolidating.
    """
    floats = [k for k, v in cols.items() if k != "creator_id" and v.dtype == np.float64]
    rest = [k for k in cols if k != "creator_id" and k not in floats]
    return pd.DataFrame({k: cols[k] for k in ["creator_id", *floats, *rest]}, copy=False)


def _order(score: np.ndarray, ids: Any) -> np.ndarray:
    """Descending score, equal scores by id: only the tied creators' ids are compared."""
    order = np.argsort(-score)  # unstable: runs of ties are ordered by id below
    ranked = score[order]
    tie = np.zeros(len(score), dtype=bool)
    np.equal(ranked[1:], ranked[:-1], out=tie[1:])
    if not tie.any():
        return order
    tied = np.flatnonzero(tie | np.r_[tie[1:], False])  # every member of a run of ties
    run = np.cumsum(~tie)[tied]
    members = order[tied]
    order[tied] = members[np.lexsort((np.asarray(ids.take(members), dtype=object), run))]
    return order


def _percentile(score: np.ndarray, order: np.ndarray) -> np.ndarray:
    """100 × average ascending rank / n (ties averaged), from the descending ``order``."""
    n = len(score)
    ranked = score[order]
    start = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]]) if n else np.array([], int)
    end = np.r_[start[1:], n] - 1
    run = np.repeat(np.arange(len(start)), np.diff(np.r_[start, n]))
    out = np.empty(n)
    out[order] = (n - (start[run] + end[run]) / 2.0) / max(n, 1) * 100.0
    return out


@attrs.frozen
class Scorecard:
    """An explainable creator score: gates first, then weighted peer-normalized criteria.

    Args:
        criteria: The :class:`Criterion` list (weights normalized to sum to 1, with a note).
        gates: :class:`Gate` list; a creator failing any is excluded with the reason and
            never ranked, whatever its other values.
        aggregator: ``weighted_sum`` (contributions ``100 w_j r_ij``, exact),
            ``weighted_product`` or ``topsis`` (their documented attributions in
            :func:`creatorkit.weighting.contributions`).
        tier_scheme: Follower-tier scheme of the ``tier`` column (``seller_guide``,
            ``industry``).
        currency: Reporting currency of money criteria (converted with the ``fx_rates``
            table); ``None``: money in several currencies is an error.
        id: Spec id (``"beauty/sales"`` for presets); version: spec version.

    Example:
        >>> import pandas as pd
        >>> t = pd.DataFrame({"creator_id": ["a", "b", "c"], "gpm": [10.0, 30.0, 20.0],
        ...                   "followers": [5_000, 50_000, 20_000]})
        >>> card = Scorecard([Criterion(name="gpm")], gates=[Gate.followers(10_000)])
        >>> res = card.score(t, as_of="2026-06-30T00:00:00Z")
        >>> res.table[["creator_id", "score", "rank"]].values.tolist()
        [['b', 100.0, 1], ['c', 50.0, 2]]
        >>> res.exclusions["reason"].tolist()
        ['followers >= 10000']
    """

    criteria: tuple[Criterion, ...] = attrs.field(converter=_criteria)
    gates: tuple[Gate, ...] = attrs.field(default=(), converter=_gates)
    aggregator: str = "weighted_sum"
    tier_scheme: str = "seller_guide"
    currency: str | None = None
    id: str = "custom"
    version: int = 1
    description: str = ""

    def __attrs_post_init__(self) -> None:
        check_choice("aggregator", self.aggregator, AGGREGATORS)
        from creatorkit.tiers import TIER_SCHEMES

        check_choice("tier_scheme", self.tier_scheme, TIER_SCHEMES)
        if self.currency is not None and not (
            isinstance(self.currency, str) and len(self.currency) == 3
        ):
            fail(
                "currency",
                "must be an ISO 4217 code such as 'USD'",
                ErrorCode.INVALID_VALUE,
                value=self.currency,
            )

    # --- specs -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The scorecard as versioned, JSON-ready spec data.

        Example:
            >>> Scorecard([Criterion(name="cvr")]).to_dict()["kind"]
            'creatorkit.scorecard'
        """
        return {
            "kind": SPEC_KIND,
            "schema_version": SPEC_VERSION,
            "id": self.id,
            "version": int(self.version),
            "description": self.description,
            "aggregator": self.aggregator,
            "tier_scheme": self.tier_scheme,
            "currency": self.currency,
            "criteria": [c.to_dict() for c in self.criteria],
            "gates": [g.to_dict() for g in self.gates],
        }

    @property
    def spec_hash(self) -> str:
        """First 16 hex digits of the SHA-256 of the canonical JSON spec.

        Example:
            >>> len(Scorecard([Criterion(name="cvr")]).spec_hash)
            16
        """
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @classmethod
    def from_dict(cls, spec: Any) -> Scorecard:
        """A scorecard from spec data (safe: only registered names, no code runs).

        Raises:
            ValidationError: Unknown keys, wrong types or an unknown version, each with its
                JSON path.

        Example:
            >>> card = Scorecard([Criterion(name="cvr", weight=2.0)])
            >>> Scorecard.from_dict(card.to_dict()) == card
            True
        """
        from creatorkit.scoring._specs import load

        return load(spec)

    @classmethod
    def from_json(cls, text: str | bytes, *, max_bytes: int = 1_000_000) -> Scorecard:
        """A scorecard from JSON text, refusing more than ``max_bytes`` or deep nesting.

        Example:
            >>> card = Scorecard([Criterion(name="cvr")])
            >>> Scorecard.from_json(card.to_json()).spec_hash == card.spec_hash
            True
        """
        from creatorkit.scoring._specs import load_json

        return load_json(text, max_bytes=max_bytes)

    def to_json(self) -> str:
        """The spec as JSON text.

        Example:
            >>> Scorecard([Criterion(name="cvr")]).to_json().startswith('{"aggregator"')
            True
        """
        return json.dumps(self.to_dict(), sort_keys=True, allow_nan=False)

    @classmethod
    def preset(
        cls, category: str, goal: str | None = None, *, currency: str | None = None
    ) -> Scorecard:
        """A shipped preset: ``preset("beauty", "sales")`` or ``preset("beauty/sales@1")``.

        Without ``@version`` the latest version is used (recorded in ``version``).
        ``currency``: the reporting currency of money criteria (GPM), for tables in
        several currencies (converted with their ``fx_rates``).

        Example:
            >>> card = Scorecard.preset("beauty", "sales")
            >>> card.id, card.version
            ('beauty/sales', 1)
        """
        from creatorkit.scoring._presets import preset

        return preset(category, goal, currency=currency)

    def compile(self, reference: Any, *, as_of: Any) -> Any:
        """Freeze the reference population: score new creators against it in milliseconds.

        Example:
            >>> import pandas as pd
            >>> t = pd.DataFrame({"creator_id": ["a", "b"], "x": [1.0, 3.0]})
            >>> cc = Scorecard([Criterion(name="x")]).compile(t, as_of="2026-06-30T00:00:00Z")
            >>> cc.score(pd.DataFrame({"creator_id": ["n"], "x": [2.0]}))["score"].tolist()
            [75.0]
        """
        from creatorkit.scoring._compiled import compile_scorecard

        return compile_scorecard(self, reference, as_of=as_of)

    # --- scoring -----------------------------------------------------------------------
    def score(self, tables: Any, *, as_of: Any, uncertainty: Any = None) -> ScoreResult:
        """Score creators: gates, then criteria normalized within peer groups, then weights.

        Args:
            tables: A per-creator DataFrame (``creator_id`` and criterion columns), a
                mapping of tables (``creators`` and any of ``content``, ``orders``,
                ``collaborations``, ``audience``, ``violations``, ``fx_rates``) or a
                :class:`~creatorkit.datasets.Dataset`.
            as_of: Timezone-aware cut-off: metrics, posts, risk and audience as known then.
            uncertainty: Off by default. ``True`` or options ``draws`` (200), ``seed`` (0),
                ``level`` (0.95), ``top_k`` (10), ``top_share`` (0.1), ``by`` (a group
                column such as ``"market"``; all creators by default): adds ``score_low``,
                ``score_high``, ``chance_top_k`` and ``chance_top_share`` from the criteria's
                sampling variation with posts as units (see ``scoring._uncertainty``).

        Returns:
            :class:`ScoreResult`.

        Raises:
            ValidationError: Bad tables, unknown criterion names (did-you-mean), missing
                values under ``missing="error"``, a rule that mutates its input.

        Example:
            >>> import pandas as pd
            >>> t = pd.DataFrame({"creator_id": ["a", "b"], "x": [1.0, 2.0]})
            >>> res = Scorecard([Criterion(name="x")]).score(t, as_of="2026-06-30T00:00:00Z")
            >>> res.table["rank"].tolist()
            [2, 1]
        """
        when = require_as_of(as_of)
        named = _tables.as_tables(tables)
        table = _tables.base(named, when, self.tier_scheme)
        raws = _tables.raws(self.criteria, named, table, when, self.currency)
        opts = _uncertainty.options(uncertainty)
        keep, exclusions = self._gate(table, raws)
        result = self._rank(table, raws, keep, exclusions, when)
        if opts is None or not keep.any():
            return result
        scored = result.table
        sub = table.loc[keep].reset_index(drop=True)
        extra = _uncertainty.intervals(self, scored, raws, keep, sub, opts)
        card = MethodCard.create(
            result.method.name, **dict(result.method.parameters), uncertainty=opts
        )
        return attrs.evolve(result, table=pd.concat([scored, extra], axis=1), method=card)

    def _gate(self, table: pd.DataFrame, raws: dict[str, Any]) -> tuple[np.ndarray, pd.DataFrame]:
        ids = table["creator_id"].array
        parts, keep = [], np.ones(len(table), dtype=bool)
        tests = [(f"gates[{i}]", g.reason, g.passes(table)) for i, g in enumerate(self.gates)]
        for c in self.criteria:
            if c.low_data == "gate":
                tests.append(
                    (c.key, f"{c.key}: fewer than {c.min_n} posts", ~(raws[c.key].n < c.min_n))
                )
        for name, reason, ok in tests:
            keep &= ok
            if not ok.all():
                gone = np.asarray(ids[~ok], dtype=object)
                parts.append(pd.DataFrame({"creator_id": gone, "gate": name, "reason": reason}))
        empty = pd.DataFrame(
            {
                "creator_id": pd.Series(dtype=object),
                "gate": pd.Series(dtype=object),
                "reason": pd.Series(dtype=object),
            }
        )
        exclusions = pd.concat(parts, ignore_index=True) if parts else empty
        return keep, exclusions

    def _criteria(
        self, table: pd.DataFrame, raws: dict[str, Any], keep: np.ndarray
    ) -> list[_engine.Scored]:
        """Each criterion scored; peer groups computed once per (levels, min_group)."""
        sub = table if keep.all() else table.loc[keep].reset_index(drop=True)
        cache: dict[Any, _engine.Peers] = {}
        for c in self.criteria:
            if (c.peers, c.min_group) not in cache:
                cache[(c.peers, c.min_group)] = _engine.peer_groups(c, sub)
        return [
            _engine.criterion(c, raws[c.key], sub, keep, cache[(c.peers, c.min_group)])
            for c in self.criteria
        ]

    def _rank(
        self,
        table: pd.DataFrame,
        raws: dict[str, Any],
        keep: np.ndarray,
        exclusions: pd.DataFrame,
        when: pd.Timestamp,
    ) -> ScoreResult:
        w, notes = _engine.weights(self.criteria)
        all_notes: list[Note] = list(notes)
        ids = table["creator_id"].array[keep]
        scored = self._criteria(table, raws, keep)
        n = int(keep.sum())
        parts = _engine.contributions([s.normalized for s in scored], w, self.aggregator)
        score = _engine.total(parts, n)
        order = _order(score, ids)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(1, n + 1)
        pct = _percentile(score, order)
        cols: dict[str, Any] = {"creator_id": ids, "score": score, "rank": rank, "percentile": pct}
        for key in ("tier", "country", "market"):  # the usual groups of a ranking
            if key in table:
                cols[key] = table[key].array[keep]
        for j, c in enumerate(self.criteria):
            cols[f"contribution_{c.key}"] = parts[j]
        flags = [s.columns[f"low_data_{c.key}"] for s, c in zip(scored, self.criteria, strict=True)]
        cols["low_data"] = np.logical_or.reduce(flags) if flags and n else np.zeros(n, dtype=bool)
        for s in scored:
            cols |= s.columns
            all_notes.extend(s.notes)
        if len(exclusions):
            text = "{count} creators were excluded by gates"
            all_notes.append(Note.counted("excluded", text, count=int((~keep).sum())))
        frame = _table(cols)
        peers = pd.concat([s.peers for s in scored], ignore_index=True)
        card = MethodCard.create(
            "scoring.Scorecard.score",
            spec=self.to_dict(),
            scorecard_hash=self.spec_hash,
            as_of=when,
        )
        return ScoreResult(
            table=frame,
            exclusions=exclusions,
            peers=peers,
            criteria=tuple(c.key for c in self.criteria),
            weights=tuple(float(x) for x in w),
            spec_hash=self.spec_hash,
            method=card,
            warnings=merge_notes(all_notes),
        )
