"""ScoreResult and its explanations (numbers and sentences)."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._validation import did_you_mean, fail
from creatorkit.errors import ErrorCode
from creatorkit.results import Copied, Result


@attrs.frozen(kw_only=True, eq=False)
class Explanation(Result):
    """Why a creator got its score: one row per criterion, and the same in sentences.

    Attributes:
        creator_id: The creator.
        table: ``criterion``, ``raw``, ``peer_group``, ``fallback``, ``peer_size``,
            ``benchmark`` (the peer group's median raw value), ``shrunk``, ``prior``,
            ``normalized``, ``weight``, ``contribution`` (score points).
        sentences: The explanation in words (the exclusion reasons for a gated creator).
        score: The score (NaN for an excluded creator).

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import Criterion, Scorecard
        >>> t = pd.DataFrame({"creator_id": ["a", "b"], "x": [1.0, 3.0]})
        >>> res = Scorecard([Criterion(name="x")]).score(t, as_of="2026-06-30T00:00:00Z")
        >>> ex = res.explain("b")
        >>> ex.creator_id, ex.score
        ('b', 100.0)
    """

    creator_id: str
    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    sentences: tuple[str, ...]
    score: float

    @property
    def text(self) -> str:
        """The sentences joined into one paragraph.

        Example:
            >>> import pandas as pd
            >>> from creatorkit.scoring import Criterion, Scorecard
            >>> t = pd.DataFrame({"creator_id": ["a", "b"], "x": [1.0, 3.0]})
            >>> res = Scorecard([Criterion(name="x")]).score(t, as_of="2026-06-30T00:00:00Z")
            >>> res.explain("b").text.startswith("b scores 100")
            True
        """
        return " ".join(self.sentences)


def _median(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if len(finite) else float("nan")


def _sentence(row: dict[str, Any]) -> str:
    raw = row["raw"]
    shown = "no value" if raw != raw else f"{raw:.4g}"
    text = f"{row['criterion']}: {shown} against a peer median of {row['benchmark']:.4g}"
    text += f" ({row['peer_group']}, {row['peer_size']} creators"
    text += ", after falling back)" if row["fallback"] else ")"
    if row["shrunk"] == row["shrunk"]:
        text += f", shrunk to {row['shrunk']:.4g} toward a prior of {row['prior']:.4g}"
    text += (
        f"; normalized {row['normalized']:.3f} × weight {row['weight']:.3f}"
        f" = {row['contribution']:.2f} points."
    )
    return text


@attrs.frozen(kw_only=True, eq=False)
class ScoreResult(Result):
    """Scores of the creators that passed the gates, and the exclusions with reasons.

    Attributes:
        table: One row per scored creator, in input order (:meth:`top` sorts by rank):
            ``creator_id``, ``score`` (0–100),
            ``rank`` (1 = best, ties broken by id), ``percentile`` (0–100], ``tier``,
            ``contribution_<criterion>`` (summing to ``score``), ``low_data`` (any
            criterion flagged), then per criterion its raw value, ``_n`` (posts),
            ``_shrunk``/``_prior``/``_strength`` (when shrunk), ``_normalized``,
            ``_peer_group`` (a group of :attr:`peers`) and ``low_data_<criterion>``.
        exclusions: ``creator_id``, ``gate`` (its index, or the criterion of a low-data
            gate) and ``reason``; a creator failing several gates has several rows.
        peers: Peer groups per criterion: ``criterion``, ``group``, ``level`` (0 = the
            finest), ``peers`` (its keys), ``size``. The peer benchmark (the group's
            median raw value) is computed by :meth:`explain`, for the groups it shows.
        criteria: Criterion keys in order; weights: their weights (summing to 1).
        spec_hash: Hash of the scorecard spec (equal specs, equal hash).

    Example:
        >>> import pandas as pd
        >>> from creatorkit.scoring import Criterion, Scorecard
        >>> t = pd.DataFrame({"creator_id": ["a", "b"], "x": [1.0, 3.0]})
        >>> res = Scorecard([Criterion(name="x")]).score(t, as_of="2026-06-30T00:00:00Z")
        >>> res.criteria, res.table["rank"].tolist()
        (('x',), [2, 1])
    """

    _frame_field = "table"
    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    _exclusions: pd.DataFrame
    exclusions = Copied[pd.DataFrame]()
    _peers: pd.DataFrame
    peers = Copied[pd.DataFrame]()
    criteria: tuple[str, ...]
    weights: tuple[float, ...]
    spec_hash: str

    def top(self, k: int = 10) -> pd.DataFrame:
        """The ``k`` best-ranked creators (``creator_id``, ``score``, ``rank``, contributions).

        Example:
            >>> import pandas as pd
            >>> from creatorkit.scoring import Criterion, Scorecard
            >>> t = pd.DataFrame({"creator_id": ["a", "b"], "x": [1.0, 2.0]})
            >>> res = Scorecard([Criterion(name="x")]).score(t, as_of="2026-06-30T00:00:00Z")
            >>> res.top(1)["creator_id"].tolist()
            ['b']
        """
        table = self._table
        keep = ["creator_id", "score", "rank", "percentile", "tier"]
        keep += [f"contribution_{c}" for c in self.criteria]
        best = np.argsort(table["rank"].to_numpy(), kind="stable")[: max(int(k), 0)]
        return table[[c for c in keep if c in table]].take(best).reset_index(drop=True)

    def explain(self, creator_id: str) -> Explanation:
        """Why ``creator_id`` got its score (or why it was excluded).

        Per criterion: raw value, peer group (and fallback), benchmark, shrunk value,
        normalized value, weight and contribution — as a table and as sentences.

        Example:
            >>> import pandas as pd
            >>> from creatorkit.scoring import Criterion, Scorecard
            >>> t = pd.DataFrame({"creator_id": ["a", "b"], "x": [1.0, 2.0]})
            >>> res = Scorecard([Criterion(name="x")]).score(t, as_of="2026-06-30T00:00:00Z")
            >>> res.explain("b").table[["criterion", "raw", "contribution"]].to_dict("records")
            [{'criterion': 'x', 'raw': 2.0, 'contribution': 100.0}]
        """
        key = str(creator_id)
        table = self._table
        rows = np.flatnonzero(table["creator_id"].to_numpy() == key)
        if not len(rows):
            return self._excluded(key)
        row = table.iloc[int(rows[0])]
        records = []
        for c, w in zip(self.criteria, self.weights, strict=True):
            group = int(row[f"{c}_peer_group"])
            peer = self._peers[
                (self._peers["criterion"] == c) & (self._peers["group"] == group)
            ].iloc[0]
            records.append(
                {
                    "criterion": c,
                    "raw": float(row[c]),
                    "peer_group": str(peer["peers"]),
                    "fallback": bool(int(peer["level"]) > 0),
                    "peer_size": int(peer["size"]),
                    "benchmark": _median(
                        table[c].to_numpy(dtype=float)[table[f"{c}_peer_group"].to_numpy() == group]
                    ),
                    "shrunk": float(row.get(f"{c}_shrunk", np.nan)),
                    "prior": float(row.get(f"{c}_prior", np.nan)),
                    "normalized": float(row[f"{c}_normalized"]),
                    "weight": float(w),
                    "contribution": float(row[f"contribution_{c}"]),
                }
            )
        frame = pd.DataFrame(records)
        head = (
            f"{key} scores {float(row['score']):.1f} (rank {int(row['rank'])} of "
            f"{len(table)}, percentile {float(row['percentile']):.1f})."
        )
        sentences = (head, *(_sentence(r) for r in records))
        return Explanation(
            creator_id=key,
            table=frame,
            sentences=sentences,
            score=float(row["score"]),
            method=self.method,
        )

    def _excluded(self, key: str) -> Explanation:
        gone = self._exclusions[self._exclusions["creator_id"] == key]
        if not len(gone):
            known = [
                *self._table["creator_id"].head(1000),
                *self._exclusions["creator_id"].head(1000),
            ]
            rule = f"{key!r} is neither scored nor excluded.{did_you_mean(key, known)}"
            fail("creator_id", rule, ErrorCode.UNKNOWN_NAME, value=key)
        reasons = tuple(f"{key} is excluded: {r}." for r in gone["reason"])
        return Explanation(
            creator_id=key,
            table=gone.reset_index(drop=True),
            sentences=reasons,
            score=float("nan"),
            method=self.method,
        )
