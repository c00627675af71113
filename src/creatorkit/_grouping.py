"""Group codes shared by metrics and funnels: factorized keys, sorted, missing keys kept."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creatorkit.results import Note


def group_codes(frame: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame, list[Note]]:
    """Group codes (sorted by key), the key table and notes on missing keys.

    Rows with a missing key form their own group (counted in a note), never dropped.
    """
    n = len(frame)
    if not by:
        return np.zeros(n, dtype=np.intp), pd.DataFrame(index=pd.RangeIndex(1)), []
    notes = []
    codes = np.zeros(n, dtype=np.int64)
    uniques = []
    for key in by:
        key_codes, key_uniques = pd.factorize(frame[key], sort=True, use_na_sentinel=False)
        missing = int(frame[key].isna().sum())
        if missing:
            notes.append(
                Note(
                    code="missing_group_key",
                    count=missing,
                    subject=key,
                    message=f"{missing} rows have no {key}; they form their own group",
                )
            )
        codes = codes * len(key_uniques) + key_codes
        uniques.append(key_uniques)
    if len(by) == 1:
        return codes.astype(np.intp), pd.DataFrame({by[0]: uniques[0]}), notes
    combined, inverse = np.unique(codes, return_inverse=True)
    columns = {}
    for key, values in zip(reversed(by), reversed(uniques), strict=True):
        columns[key] = np.asarray(values)[combined % len(values)]
        combined = combined // len(values)
    keys = pd.DataFrame({k: pd.Series(columns[k]).astype(frame[k].dtype) for k in by})
    return inverse.astype(np.intp), keys, notes
