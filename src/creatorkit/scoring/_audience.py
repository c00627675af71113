"""Audience fit: similarity between a creator's audience and a target audience."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from creatorkit._validation import check_number, fail
from creatorkit.errors import ErrorCode
from creatorkit.rules import FunctionRule

DIMENSIONS = ("country", "age", "gender")
MEASURES = ("1-tv",)


def _target(target: Any) -> dict[str, dict[str, float]]:
    if not isinstance(target, Mapping) or not target:
        fail("target", "must map dimensions to {segment: share}", ErrorCode.WRONG_TYPE)
    out = {}
    for dim, shares in target.items():
        if dim not in DIMENSIONS:
            fail(
                "target",
                f"unknown dimension {dim!r}; use {list(DIMENSIONS)}",
                ErrorCode.UNKNOWN_NAME,
            )
        if not isinstance(shares, Mapping) or not shares:
            fail("target", f"{dim} must map segments to shares", ErrorCode.WRONG_TYPE)
        values = {str(s): check_number("target", v, low=0, high=1) for s, v in shares.items()}
        if abs(sum(values.values()) - 1.0) > 1e-6:
            fail(
                "target",
                f"{dim} shares must sum to 1",
                ErrorCode.INVALID_VALUE,
                value=sum(values.values()),
            )
        out[str(dim)] = values
    return out


def audience_fit(target: Any, *, name: str = "audience_fit", measure: str = "1-tv") -> FunctionRule:
    """A rule: 1 − total variation distance to ``target``, averaged over its dimensions.

    Per dimension, ``TV = ½ Σ |p_s − q_s|`` over every segment, a creator's segments outside
    the target counting fully; a dimension the creator's audience does not report makes the
    fit NaN (the criterion's missing policy applies). Register the rule to name it in a
    :class:`Criterion` or a :class:`Gate` (``Gate(column=name, op=">=", value=0.7)``); it
    reads the share columns of :func:`creatorkit.audience.profile` that a scorecard adds
    when given an ``audience`` table.

    Example:
        >>> rule = audience_fit({"gender": {"female": 0.8, "male": 0.2}})
        >>> t = pd.DataFrame({"gender_female": [0.8, 0.5], "gender_male": [0.2, 0.5]})
        >>> rule(t).round(3).tolist()
        [1.0, 0.7]
    """
    from creatorkit._validation import check_choice
    from creatorkit.audience import _column

    check_choice("measure", measure, MEASURES)
    goal = _target(target)
    columns = {dim: {s: _column(dim, s) for s in shares} for dim, shares in goal.items()}

    def fit(table: pd.DataFrame) -> pd.Series:
        parts = []
        for dim, shares in goal.items():
            listed = [c for c in table.columns if str(c).startswith(f"{dim}_")]
            if dim == "age":
                listed = [c for c in listed if c != "age_18_plus"]
            reported = (
                table[listed].notna().any(axis=1).to_numpy()
                if listed
                else np.zeros(len(table), bool)
            )
            inside = np.zeros(len(table))
            gap = np.zeros(len(table))
            for segment, want in shares.items():  # a loop over target segments
                col = columns[dim][segment]
                have = (
                    table[col].to_numpy(dtype=float, na_value=np.nan)
                    if col in table
                    else np.zeros(len(table))
                )
                have = np.nan_to_num(have)
                inside += have
                gap += np.abs(have - want)
            tv = 0.5 * (gap + np.clip(1.0 - inside, 0.0, None))
            parts.append(np.where(reported, 1.0 - tv, np.nan))
        return pd.Series(np.mean(parts, axis=0), index=table.index, name=name)

    needed = tuple(c for dim in columns.values() for c in dim.values())
    return FunctionRule(
        name=name,
        function=fit,
        direction="higher",
        needs=(),
        description=f"1 − TV distance to the target on {', '.join(goal)}; reads {needed}",
    )
