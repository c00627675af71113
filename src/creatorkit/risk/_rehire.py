"""``risk.rehire``: hire again, try with a small budget, or do not hire — with the reasons."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from creatorkit._validation import check_number, fail
from creatorkit.errors import ErrorCode
from creatorkit.results import MethodCard, TableResult

DECISIONS = ("hire_again", "try_small_budget", "do_not_hire")
"""The three answers of :func:`rehire`."""


def _typed(name: str, value: Any, kind: type, hint: str) -> None:
    if value is not None and not isinstance(value, kind):
        fail(name, f"must be {hint}", ErrorCode.WRONG_TYPE, value=type(value).__name__)


def _scores(scores: Any) -> pd.Series | None:
    if scores is None:
        return None
    if isinstance(scores, pd.DataFrame):
        if not {"creator_id", "score"} <= set(scores.columns):
            fail("scores", "needs creator_id and score columns", ErrorCode.MISSING_COLUMN)
        scores = scores.set_index("creator_id")["score"]
    if not isinstance(scores, pd.Series):
        fail("scores", "must be a Series by creator_id or a table", ErrorCode.WRONG_TYPE)
    values = pd.to_numeric(scores, errors="coerce")
    if bool(values.isna().any()) or not values.index.is_unique:
        fail("scores", "must be one number per creator", ErrorCode.INVALID_VALUE)
    return values.astype(float)


def _block(block: Any) -> pd.Index:
    if isinstance(block, str) or not isinstance(
        block, list | tuple | set | frozenset | pd.Index | pd.Series
    ):
        fail("block", "must be a list of creator ids", ErrorCode.WRONG_TYPE, value=block)
    ids = list(block)
    if any(not isinstance(i, str) for i in ids):
        fail("block", "creator ids must be text", ErrorCode.WRONG_TYPE)
    index: pd.Index = pd.Index(ids, dtype=object)
    return index


def _frame(
    ids: pd.Index, reviews: Any, flags: Any, points: Any, scores: pd.Series | None
) -> pd.DataFrame:
    """Every input joined on creator_id (missing where an input does not know a creator)."""
    out = pd.DataFrame(index=ids)
    if reviews is not None:
        table = reviews._creators.set_index("creator_id")
        cols = ["reviews", "corrected", "corrected_low", "corrected_high"]
        cols += [c for c in ("would_rehire", "would_rehire_low", "would_rehire_high") if c in table]
        out = out.join(table[cols])
    if flags is not None:
        out = out.join(flags._creators.set_index("creator_id")[["flags", "which"]])
    if points is not None:
        out = out.join(
            points._creators.set_index("creator_id")[["points", "strikes", "penalty", "suspended"]]
        )
    if scores is not None:
        out = out.join(scores.rename("score"))
    return out


def _reasons(parts: list[tuple[np.ndarray, Any]], n: int) -> np.ndarray:
    text = pd.Series([""] * n, dtype=object)
    for mask, words in parts:
        text = text.where(~mask, text + np.where(text == "", "", "; ") + words)
    return text.to_numpy(dtype=object)


def rehire(
    *,
    reviews: Any = None,
    flags: Any = None,
    points: Any = None,
    scores: Any = None,
    block: Any = (),
    good_rating: float = 4.0,
    poor_rating: float = 3.0,
    min_score: float | None = None,
) -> TableResult:
    """Advice per creator: ``hire_again``, ``try_small_budget`` or ``do_not_hire``, with why.

    ``do_not_hire`` when the creator is on the ``block`` list (honoured whatever else is
    known), suspended or at a penalty threshold (``points``), rated confidently below
    ``poor_rating`` (the upper end of the corrected rating's interval), or a confident
    majority of reviewers would not rehire (upper Wilson bound below ½). ``hire_again``
    when none of that holds, no risk flag is raised, the corrected rating is at least
    ``good_rating``, at least half would rehire and (with ``scores``) the score reaches
    ``min_score``. Everything else — too few reviews, a flag, a middling rating — is
    ``try_small_budget``. Creators known to any input (or the block list) get a row.

    Args:
        reviews: :class:`~creatorkit.reviews.ReviewAggregate`.
        flags: :class:`~creatorkit.risk.RiskFlags`.
        points: :class:`~creatorkit.risk.ViolationPoints`.
        scores: Scores by creator (a Series indexed by creator_id or a table with
            ``creator_id`` and ``score``).
        block: Creator ids never to hire.
        good_rating: Corrected stars for *hire again*.
        poor_rating: Corrected stars the interval must clear to avoid *do not hire*.
        min_score: Score needed for *hire again* (with ``scores``).

    Returns:
        A table result: ``creator_id``, ``decision``, ``reasons`` and the evidence.

    Example:
        >>> import pandas as pd, creatorkit as ck
        >>> df = pd.DataFrame({"creator_id": ["a", "a", "b", "b"], "reviewer_id": ["x", "y"] * 2,
        ...                    "conversion": [5, 5, 2, 1], "would_rehire": [1, 1, 0, 0]})
        >>> res = rehire(reviews=ck.reviews.aggregate(df, ridge=1.0), block=["c"])
        >>> res.table["decision"].tolist()
        ['hire_again', 'try_small_budget', 'do_not_hire']
        >>> res.table["reasons"].tolist()[1:]
        ['corrected rating below 4; fewer than half would rehire', 'block-listed']
    """
    from creatorkit.reviews import ReviewAggregate
    from creatorkit.risk._flags import RiskFlags
    from creatorkit.risk._points import ViolationPoints

    _typed("reviews", reviews, ReviewAggregate, "a reviews.aggregate result")
    _typed("flags", flags, RiskFlags, "a risk.flags result")
    _typed("points", points, ViolationPoints, "a risk.violation_points result")
    good = check_number("good_rating", good_rating, low=1, high=5)
    poor = check_number("poor_rating", poor_rating, low=1, high=5)
    if poor > good:
        fail("poor_rating", "must not exceed good_rating", ErrorCode.INVALID_VALUE, value=poor)
    floor = None if min_score is None else check_number("min_score", min_score)
    score = _scores(scores)
    blocked = _block(block)
    known = [blocked]
    for res in (reviews, flags, points):
        if res is not None:
            known.append(pd.Index(res._creators["creator_id"].astype(object)))
    if score is not None:
        known.append(pd.Index(score.index.astype(object)))
    ids = known[0].append(known[1:]).unique().sort_values()
    table = _frame(ids, reviews, flags, points, score)
    given = {"reviews": reviews, "flags": flags, "points": points, "scores": score}
    card = MethodCard.create(
        "risk.rehire",
        good_rating=good,
        poor_rating=poor,
        min_score=floor,
        block=sorted(blocked),
        inputs=[k for k, v in given.items() if v is not None],
    )
    return TableResult(table=_decide(table, blocked, good, poor, floor), method=card)


def _column(table: pd.DataFrame, name: str) -> np.ndarray:
    if name not in table:
        return np.full(len(table), np.nan)
    return table[name].to_numpy(dtype=float, na_value=np.nan)


def _decide(
    table: pd.DataFrame,
    blocked: pd.Index,
    good: float,
    poor: float,
    floor: float | None,
) -> pd.DataFrame:
    """The decision and its reasons per creator (see ``rehire``)."""
    n = len(table)
    is_blocked = table.index.isin(blocked)
    suspended = _column(table, "suspended") > 0
    penalty = _text(table, "penalty")
    rating, high = _column(table, "corrected"), _column(table, "corrected_high")
    yes, yes_high = _column(table, "would_rehire"), _column(table, "would_rehire_high")
    flagged = np.nan_to_num(_column(table, "flags")) > 0
    score = _column(table, "score")
    bad_rating = high < poor
    refused = yes_high < 0.5
    stop = is_blocked | suspended | (penalty != "") | bad_rating | refused
    unrated = np.isnan(rating)
    low_score = (score < floor) if floor is not None else np.zeros(n, bool)
    hire = ~stop & ~flagged & (rating >= good) & ~(yes < 0.5) & ~low_score & ~unrated
    decision = np.where(stop, "do_not_hire", np.where(hire, "hire_again", "try_small_budget"))
    which = _text(table, "which")
    reasons = _reasons(
        [
            (is_blocked, "block-listed"),
            (suspended, "suspended (three strikes)"),
            (penalty != "", "penalty threshold reached: " + penalty.astype(object)),
            (bad_rating, f"corrected rating confidently below {poor:g}"),
            (refused, "most reviewers would not rehire"),
            (~stop & unrated, "no reviews"),
            (~stop & ~unrated & (rating < good), f"corrected rating below {good:g}"),
            (~stop & ~(yes >= 0.5) & ~np.isnan(yes), "fewer than half would rehire"),
            (~stop & flagged, "risk flags: " + which.astype(object)),
            (~stop & low_score, f"score below {floor}"),
        ],
        n,
    )
    out = table.reset_index(names="creator_id")
    out.insert(1, "decision", pd.Series(decision, dtype="string"))
    out.insert(2, "reasons", pd.Series(reasons, dtype="string"))
    out["blocked"] = is_blocked
    return out


def _text(table: pd.DataFrame, name: str) -> np.ndarray:
    if name not in table:
        return np.full(len(table), "", dtype=object)
    return table[name].fillna("").astype(str).to_numpy(dtype=object)
