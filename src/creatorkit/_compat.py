"""Deprecated names kept importable for one release (SemVer 0.x), each with a warning."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from creatorkit.errors import CreatorkitDeprecationWarning

__all__ = ["moved"]


def moved(old: str, new: str, *, removal: str = "0.3") -> Any:
    """The object now at the dotted path ``new``, with a warning that ``old`` is deprecated.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     obj = moved("creatorkit.compare.Summary", "creatorkit.summaries.Summary")
        >>> obj.__name__, caught[0].category.__name__
        ('Summary', 'CreatorkitDeprecationWarning')
    """
    module, _, name = new.rpartition(".")
    warnings.warn(
        f"{old} is deprecated and will be removed in {removal}; use {new}",
        CreatorkitDeprecationWarning,
        stacklevel=3,
    )
    return getattr(importlib.import_module(module), name)
