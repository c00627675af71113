"""creatorkit: score social-media creators for cross-border content commerce.

``import creatorkit`` loads numpy, pandas and attrs only and is cheap: the everyday names
below (records, ``validate``, ``to_frame``, subpackages) load on first access, and
subpackages that need scipy (metric intervals, comparisons) load scipy on first use.

Example:
    >>> import creatorkit as ck
    >>> ck.__version__
    '0.1.0'
    >>> ck.Creator(creator_id="c1", platform="tiktok", country="ID", category="beauty",
    ...            followers=48_000).followers
    48000
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import attrs  # noqa: F401 - part of the documented import footprint
import numpy  # noqa: F401
import pandas  # noqa: F401

from creatorkit import errors
from creatorkit._version import __version__
from creatorkit.errors import CreatorkitError, ValidationError

if TYPE_CHECKING:
    from creatorkit import (
        audience,
        compare,
        datasets,
        frames,
        funnel,
        identity,
        ingest,
        metrics,
        models,
        plot,
        registry,
        results,
        reviews,
        risk,
        rules,
        scoring,
        summaries,
        testing,
        tiers,
        weighting,
    )
    from creatorkit.frames import from_frame, to_frame, validate
    from creatorkit.models import (
        AudienceShare,
        Campaign,
        Collaboration,
        Content,
        Creator,
        CreatorIdentity,
        OrderLine,
        RateCard,
        Review,
        Sample,
        Violation,
    )
    from creatorkit.results import MethodCard, Note, Result, TableResult
    from creatorkit.scoring import Criterion, Gate, Scorecard

_SUBMODULES = frozenset(
    {
        "audience",
        "compare",
        "datasets",
        "frames",
        "funnel",
        "identity",
        "ingest",
        "metrics",
        "models",
        "plot",
        "registry",
        "results",
        "reviews",
        "risk",
        "rules",
        "scoring",
        "summaries",
        "testing",
        "tiers",
        "weighting",
    }
)
_NAMES = {
    **dict.fromkeys(
        [
            "AudienceShare",
            "Campaign",
            "Collaboration",
            "Content",
            "Creator",
            "CreatorIdentity",
            "OrderLine",
            "RateCard",
            "Review",
            "Sample",
            "Violation",
        ],
        "creatorkit.models",
    ),
    **dict.fromkeys(["from_frame", "to_frame", "validate"], "creatorkit.frames"),
    **dict.fromkeys(["MethodCard", "Note", "Result", "TableResult"], "creatorkit.results"),
    **dict.fromkeys(["Criterion", "Gate", "Scorecard"], "creatorkit.scoring"),
}

__all__ = [
    "AudienceShare",
    "Campaign",
    "Collaboration",
    "Content",
    "Creator",
    "CreatorIdentity",
    "CreatorkitError",
    "Criterion",
    "Gate",
    "MethodCard",
    "Note",
    "OrderLine",
    "RateCard",
    "Result",
    "Review",
    "Sample",
    "Scorecard",
    "TableResult",
    "ValidationError",
    "Violation",
    "__version__",
    "audience",
    "compare",
    "datasets",
    "errors",
    "frames",
    "from_frame",
    "funnel",
    "identity",
    "ingest",
    "metrics",
    "models",
    "plot",
    "registry",
    "results",
    "reviews",
    "risk",
    "rules",
    "scoring",
    "summaries",
    "testing",
    "tiers",
    "to_frame",
    "validate",
    "weighting",
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        value: Any = importlib.import_module(f"creatorkit.{name}")
    elif name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
    else:
        raise AttributeError(f"module 'creatorkit' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES | set(_NAMES))
