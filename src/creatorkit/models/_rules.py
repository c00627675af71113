"""Cross-column and cross-row rules of records and tables, vectorized over frames.

A :class:`Rule` names the column it reports, the rule text, the error code and the
columns it needs; ``bad(frame)`` returns a mask of the rows that break it. Row rules
run on every record (as a one-row frame) and every table, so a record and a table give
the same verdict; table rules (sums across rows, overlapping validity) run on tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs
import numpy as np
import pandas as pd

from creatorkit.errors import ErrorCode

AUDIENCE_TOLERANCE = 0.02
"""How far the shares of one audience dimension may sum from 1 (exports round shares)."""

AGE_BANDS = ("13-17", "18-24", "25-34", "35-44", "45-54", "55+")
"""Age bands of an audience; ``18+`` is every band but ``13-17``."""

GENDERS = ("female", "male", "other")
"""Gender segments of an audience."""


@attrs.frozen(kw_only=True)
class Rule:
    """A check over several columns; rows where ``bad`` is true are errors.

    Attributes:
        column: Column the error names.
        rule: What the row should satisfy, as the error states it.
        code: Stable error code.
        needs: Columns the check reads; it is skipped when a table lacks one.
        bad: ``frame -> bool mask`` of the rows that break the rule.
        table: Whether the rule looks across rows (tables only, not single records).
    """

    column: str
    rule: str
    code: ErrorCode
    needs: tuple[str, ...]
    bad: Callable[[pd.DataFrame], np.ndarray]
    table: bool = False

    def check(self, frame: pd.DataFrame) -> np.ndarray:
        """The mask of bad rows (all False when a needed column is absent)."""
        if not set(self.needs) <= set(map(str, frame.columns)):
            return np.zeros(len(frame), dtype=bool)
        return np.asarray(self.bad(frame), dtype=bool)


def _is(frame: pd.DataFrame, column: str, value: str) -> np.ndarray:
    return frame[column].astype("string").eq(value).fillna(False).to_numpy(dtype=bool)


def _missing(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Missing values; an absent optional column is missing everywhere."""
    if column not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return frame[column].isna().to_numpy(dtype=bool)


def _amount(frame: pd.DataFrame, column: str) -> np.ndarray:
    """An amount column as floats; an absent one is its default, 0."""
    if column not in frame.columns:
        return np.zeros(len(frame))
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def requires(status: str, column: str, *, on: str = "settlement_status") -> Rule:
    """Rows with ``on == status`` must have ``column`` set."""
    return Rule(
        column=column,
        rule=f"is required when {on} is {status!r}",
        code=ErrorCode.INCONSISTENT,
        needs=(on,),
        bad=lambda f: _is(f, on, status) & _missing(f, column),
    )


def refunded_needs_refunds() -> Rule:
    """A refunded line must carry the refunded amount."""
    return Rule(
        column="refunds",
        rule="must be above 0 when settlement_status is 'refunded'",
        code=ErrorCode.INCONSISTENT,
        needs=("settlement_status",),
        bad=lambda f: _is(f, "settlement_status", "refunded") & ~(_amount(f, "refunds") > 0),
    )


def unsettled_has_no_actual() -> Rule:
    """An actual (settled) commission contradicts the state ``ordered``."""
    return Rule(
        column="commission_actual",
        rule="must be empty while settlement_status is 'ordered' (not settled yet)",
        code=ErrorCode.INCONSISTENT,
        needs=("settlement_status", "commission_actual"),
        bad=lambda f: _is(f, "settlement_status", "ordered") & ~_missing(f, "commission_actual"),
    )


def _segment_bad(frame: pd.DataFrame) -> np.ndarray:
    from creatorkit.models._codes import COUNTRIES

    segment = frame["segment"].astype("string")
    allowed = {"age": set(AGE_BANDS), "gender": set(GENDERS), "country": set(COUNTRIES)}
    bad = np.zeros(len(frame), dtype=bool)
    for dimension, values in allowed.items():
        bad |= _is(frame, "dimension", dimension) & ~segment.isin(values).to_numpy(dtype=bool)
    return bad


def audience_segments() -> Rule:
    """Segments must belong to their dimension (age bands, genders, country codes)."""
    return Rule(
        column="segment",
        rule=f"must be an age band {list(AGE_BANDS)}, a gender {list(GENDERS)} or an ISO "
        "3166-1 alpha-2 code, matching the dimension",
        code=ErrorCode.INVALID_VALUE,
        needs=("dimension", "segment"),
        bad=_segment_bad,
    )


def _sum_bad(frame: pd.DataFrame) -> np.ndarray:
    keys = ["creator_id", "snapshot_at", "dimension"]
    total = frame.groupby(keys, sort=False, dropna=False)["share"].transform("sum")
    values = total.to_numpy(dtype=float, na_value=np.nan)
    return ~(np.abs(values - 1.0) <= AUDIENCE_TOLERANCE)


def audience_sums() -> Rule:
    """The shares of one creator, snapshot and dimension sum to 1 (within the tolerance)."""
    return Rule(
        column="share",
        rule=f"shares of one creator, snapshot and dimension must sum to 1 "
        f"(± {AUDIENCE_TOLERANCE:g})",
        code=ErrorCode.INCONSISTENT,
        needs=("creator_id", "snapshot_at", "dimension", "share"),
        bad=_sum_bad,
        table=True,
    )


def overlapping(frame: pd.DataFrame, keys: Sequence[str], start: str, end: str) -> np.ndarray:
    """Rows whose ``[start, end)`` validity overlaps an earlier row with the same keys.

    A missing ``end`` is open (valid until further notice). Vectorized: rows are sorted by
    key and start, and each start is compared with the latest end seen before it.
    """
    from creatorkit._grouping import group

    codes = group(frame, list(keys)).codes
    begin = frame[start].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    if end not in frame.columns:
        finish = np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[ns]")
    else:
        finish = frame[end].to_numpy(dtype="datetime64[ns]")
    finish = np.where(np.isnat(finish), np.iinfo(np.int64).max, finish.astype(np.int64))
    order = np.lexsort((begin, codes))
    c, b, f = codes[order], begin[order], finish[order]
    first = np.concatenate([[True], c[1:] != c[:-1]])
    previous_end = np.where(first, np.iinfo(np.int64).min, np.roll(f, 1))
    latest = pd.Series(previous_end).groupby(np.cumsum(first)).cummax().to_numpy()
    bad_sorted = b < latest
    out = np.zeros(len(frame), dtype=bool)
    out[order] = bad_sorted
    return out


def no_overlap(keys: tuple[str, ...], what: str) -> Rule:
    """Rows with the same ``keys`` must not be valid at the same time."""
    return Rule(
        column="valid_from",
        rule=f"{what} must not have overlapping validity (same {' + '.join(keys)})",
        code=ErrorCode.INCONSISTENT,
        needs=(keys[0], "valid_from"),
        bad=lambda f: overlapping(f, [k for k in keys if k in f.columns], "valid_from", "valid_to"),
        table=True,
    )
