"""Score uncertainty: intervals and chances to be in the top, from sampling variation.

Each criterion's value is redrawn from its sampling distribution with posts as units: on the
log scale with the standard error of its cluster interval (``_low``/``_high``), or, for a
rate with only trials, the binomial standard error of ``log p``; a criterion without either
is held fixed. Each draw is normalized within the same peer groups and aggregated with the
same weights (seeded, vectorized over creators; a loop over draws and criteria only), giving
per creator a score interval and the chance to rank in the top ``k`` and in the top share
of its group (``by``, e.g. ``"market"``; all scored creators by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from creatorkit._validation import check_number, fail
from creatorkit.errors import ErrorCode
from creatorkit.scoring import _engine
from creatorkit.scoring._shrink import Z95

DEFAULTS = {"draws": 200, "seed": 0, "level": 0.95, "top_k": 10, "top_share": 0.1, "by": None}


def options(value: Any) -> dict[str, Any] | None:
    """``uncertainty=`` as checked options (``None``/``False``: off; ``True``: defaults)."""
    if value is None or value is False:
        return None
    given = {} if value is True else value
    if not isinstance(given, Mapping):
        fail("uncertainty", "must be True, None or a mapping of options", ErrorCode.WRONG_TYPE)
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        fail("uncertainty", f"unknown option {unknown[0]!r}", ErrorCode.UNKNOWN_NAME)
    out = {**DEFAULTS, **given}
    check_number("draws", out["draws"], low=2, high=10_000, integer=True)
    check_number("seed", out["seed"], low=0, integer=True)
    check_number("level", out["level"], low=0, high=1, low_open=True, high_open=True)
    check_number("top_k", out["top_k"], low=1, integer=True)
    check_number("top_share", out["top_share"], low=0, high=1, low_open=True)
    if out["by"] is not None and not isinstance(out["by"], str):
        fail("uncertainty", "by must be a column name", ErrorCode.WRONG_TYPE, value=out["by"])
    return out


def _spread(r: Any, keep: np.ndarray) -> np.ndarray:
    """Standard error of log(value) per creator (0 where unknown)."""
    low, high, value = r.low[keep], r.high[keep], r.value[keep]
    ok = (low > 0) & (high > 0) & np.isfinite(low) & np.isfinite(high)
    se = np.where(
        ok, (np.log(np.where(ok, high, 1.0)) - np.log(np.where(ok, low, 1.0))) / (2 * Z95), 0.0
    )
    trials = r.trials[keep]
    s = value * trials
    rate = ~ok & np.isfinite(s) & (s > 0) & (value < 1) & (r.kind in ("rate", "column"))
    binomial = np.sqrt(np.where(rate, (1.0 - value) / np.where(rate, s, 1.0), 0.0))
    return np.where(rate, binomial, se)


def _posterior(c: Any, r: Any, keep: np.ndarray, table: pd.DataFrame) -> np.ndarray:
    """The spread of the value scored.

    A shrunk value keeps the share ``w = exposure / (exposure + strength)`` of its data,
    so its spread is ``se · √w``.
    """
    se = _spread(r, keep)
    if c.low_data != "shrink":
        return se
    trials = r.trials[keep]
    exposure = np.where(np.isfinite(trials) & (trials > 0), trials, r.n[keep])
    strength = table[f"{c.key}_strength"].to_numpy(dtype=float)
    share = np.where(
        exposure + strength > 0, exposure / np.maximum(exposure + strength, 1e-300), 1.0
    )
    return np.asarray(se * np.sqrt(np.clip(share, 0.0, 1.0)))


def _top(
    scores: np.ndarray, groups: np.ndarray, k: int, share: float
) -> tuple[np.ndarray, np.ndarray]:
    """Boolean top-k and top-share membership of one draw within groups."""
    order = np.lexsort((-scores, groups))
    sizes = np.bincount(groups)
    start = (np.cumsum(sizes) - sizes)[groups[order]]
    position = np.empty(len(scores), dtype=np.int64)
    position[order] = np.arange(len(scores)) - start
    cut = np.maximum(np.ceil(share * sizes), 1)[groups]
    return position < k, position < cut


def intervals(
    card: Any,
    table: pd.DataFrame,
    raws: dict[str, Any],
    keep: np.ndarray,
    sub: pd.DataFrame,
    opts: dict[str, Any],
) -> pd.DataFrame:
    """``score_low``, ``score_high``, ``chance_top_k``, ``chance_top_share`` per creator."""
    rng = np.random.default_rng(int(opts["seed"]))
    w, _ = _engine.weights(card.criteria)
    n, draws = len(table), int(opts["draws"])
    groups = np.zeros(n, dtype=np.intp)
    if opts["by"] is not None:
        from creatorkit._grouping import group
        from creatorkit._validation import check_columns

        check_columns("tables", sub, [opts["by"]])
        groups = group(sub, [opts["by"]]).codes
    scores = np.empty((draws, n))
    in_k = np.zeros(n)
    in_share = np.zeros(n)
    ids = table["creator_id"]
    fixed = [  # per criterion: the value scored, its spread, its peer groups, its direction
        (
            c,
            table[f"{c.key}_shrunk" if c.low_data == "shrink" else c.key].to_numpy(dtype=float),
            _posterior(c, raws[c.key], keep, table),
            table[f"{c.key}_peer_group"].to_numpy(),
            raws[c.key].direction == "higher",
        )
        for c in card.criteria
    ]
    for d in range(draws):  # a loop over draws (and criteria inside), never over creators
        columns = []
        for c, used, spread, codes, benefit in fixed:
            drawn = used * np.exp(spread * rng.standard_normal(n))
            col = _engine.normalize_column(c, drawn, codes, benefit)
            _engine._missing(c, col, codes, ids)
            columns.append(col)
        scores[d] = _engine.total(_engine.contributions(columns, w, card.aggregator), n)
        k, share = _top(scores[d], groups, int(opts["top_k"]), float(opts["top_share"]))
        in_k += k
        in_share += share
    tail = (1.0 - float(opts["level"])) / 2.0
    low, high = np.quantile(scores, [tail, 1.0 - tail], axis=0)
    return pd.DataFrame(
        {
            "score_low": low,
            "score_high": high,
            "chance_top_k": in_k / draws,
            "chance_top_share": in_share / draws,
        }
    )
