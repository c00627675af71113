"""creatorkit: score social-media creators for cross-border content commerce.

``import creatorkit`` loads numpy, pandas and attrs only. Subpackages that need scipy
(metrics intervals, comparisons) load on first attribute access.

Example:
    >>> import creatorkit
    >>> creatorkit.__version__
    '0.1.0'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from creatorkit import errors
from creatorkit._version import __version__
from creatorkit.errors import CreatorkitError, ValidationError
from creatorkit.results import MethodCard, Note, Result, TableResult

if TYPE_CHECKING:
    from creatorkit import testing

_SUBMODULES = frozenset({"testing"})

__all__ = [
    "CreatorkitError",
    "MethodCard",
    "Note",
    "Result",
    "TableResult",
    "ValidationError",
    "__version__",
    "errors",
    "testing",
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"creatorkit.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'creatorkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
