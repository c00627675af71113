"""Funnels: stage rates from counts, ClickHouse-exact event funnels, KPI trees and pacing.

Example:
    >>> import pandas as pd
    >>> from creatorkit import funnel
    >>> counts = pd.DataFrame({"views": [20_000], "clicks": [400], "orders": [12]})
    >>> funnel.from_counts(counts, ["views", "clicks", "orders"]).to_frame()[["name", "conversion"]]
         name  conversion
    0   views        1.00
    1  clicks        0.02
    2  orders        0.03
"""

from creatorkit._time import parse_window
from creatorkit.funnel._counts import from_counts
from creatorkit.funnel._definition import Funnel, FunnelResult, Stage
from creatorkit.funnel._events import ATTRIBUTIONS, from_events
from creatorkit.funnel._kpi import (
    GMV_TREE,
    METHODS,
    DecompositionResult,
    KPITree,
    PacingResult,
    decompose,
    pace,
    solve_target,
)
from creatorkit.funnel._reference import OPTIONS, reference_level

__all__ = [
    "ATTRIBUTIONS",
    "GMV_TREE",
    "METHODS",
    "OPTIONS",
    "DecompositionResult",
    "Funnel",
    "FunnelResult",
    "KPITree",
    "PacingResult",
    "Stage",
    "decompose",
    "from_counts",
    "from_events",
    "pace",
    "parse_window",
    "reference_level",
    "solve_target",
]
