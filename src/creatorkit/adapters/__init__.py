"""Optional adapters to other engines; each loads its engine only when it is used.

``creatorkit.adapters.dask`` runs summaries, metrics and comparison summaries on Dask
DataFrames (extra ``dask``); nothing here imports Dask on ``import creatorkit``.
"""

from typing import Any

__all__ = ["is_dask"]


def is_dask(obj: Any) -> bool:
    """Whether ``obj`` is a Dask collection (checked by its type, without importing Dask).

    Example:
        >>> import pandas as pd
        >>> is_dask(pd.DataFrame())
        False
    """
    return type(obj).__module__.split(".")[0] == "dask"
