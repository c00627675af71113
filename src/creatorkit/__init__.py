"""creatorkit: score social-media creators for cross-border content commerce.

``import creatorkit`` loads numpy, pandas and attrs only. Subpackages that need scipy
(metric intervals, comparisons) load on first attribute access.

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

from creatorkit import errors, frames, models
from creatorkit._version import __version__
from creatorkit.errors import CreatorkitError, ValidationError
from creatorkit.frames import from_frame, to_frame, validate
from creatorkit.models import (
    Campaign,
    Collaboration,
    Content,
    Creator,
    OrderLine,
    Review,
    Sample,
    Violation,
)
from creatorkit.results import MethodCard, Note, Result, TableResult

if TYPE_CHECKING:
    from creatorkit import datasets, metrics, testing, tiers

_SUBMODULES = frozenset({"datasets", "metrics", "testing", "tiers"})

__all__ = [
    "Campaign",
    "Collaboration",
    "Content",
    "Creator",
    "CreatorkitError",
    "MethodCard",
    "Note",
    "OrderLine",
    "Result",
    "Review",
    "Sample",
    "TableResult",
    "ValidationError",
    "Violation",
    "__version__",
    "datasets",
    "errors",
    "frames",
    "from_frame",
    "metrics",
    "models",
    "testing",
    "tiers",
    "to_frame",
    "validate",
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"creatorkit.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'creatorkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
