"""Creator audiences: the latest snapshot as one row per creator, ready for fit criteria.

The audience table (:class:`~creatorkit.AudienceShare`, long format) holds shares by
country, age band and gender per snapshot date. :func:`profile` picks each creator's latest
snapshot known at ``as_of`` and spreads it into columns: ``country_<CC>``,
``age_<band>`` (``age_18_24``, ..., ``age_55_plus``), ``age_18_plus`` (every band but
13–17: for age-restricted products), ``gender_<g>``; a segment a creator's snapshot does
not list is 0 within a dimension it reports, NaN for a dimension it does not report.

Example:
    >>> import pandas as pd
    >>> aud = pd.DataFrame({"creator_id": ["c1"] * 4,
    ...                     "snapshot_at": ["2026-06-01T00:00:00+00:00"] * 4,
    ...                     "dimension": ["age", "age", "country", "country"],
    ...                     "segment": ["13-17", "18-24", "TH", "VN"],
    ...                     "share": [0.3, 0.7, 0.8, 0.2]})
    >>> row = profile(aud, as_of="2026-06-30T00:00:00+00:00").to_frame().iloc[0]
    >>> float(row["age_18_plus"]), float(row["country_TH"])
    (0.7, 0.8)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from creatorkit._time import require_as_of
from creatorkit.models import AGE_BANDS, AudienceShare
from creatorkit.results import MethodCard, Note, TableResult

__all__ = ["profile"]


def _column(dimension: str, segment: str) -> str:
    text = segment.replace("-", "_").replace("+", "_plus")
    return f"{dimension}_{text}"


def profile(audience: pd.DataFrame, *, as_of: Any) -> TableResult:
    """Each creator's latest audience snapshot at ``as_of``, one row per creator.

    Args:
        audience: An :class:`~creatorkit.AudienceShare` table (validated here: shares in
            [0, 1] summing to 1 per creator, snapshot and dimension within
            :data:`~creatorkit.models.AUDIENCE_TOLERANCE`; segments matching dimensions).
        as_of: Timezone-aware time; snapshots after it are not known yet (counted).

    Returns:
        A :class:`~creatorkit.results.TableResult`: ``creator_id``, ``snapshot_at`` and the
        share columns (sorted by creator), with ``age_18_plus`` when ages are reported.

    Raises:
        ValidationError: An invalid audience table or a naive ``as_of``.

    Example:
        >>> aud = pd.DataFrame({"creator_id": ["c1", "c1"], "dimension": ["gender"] * 2,
        ...                     "snapshot_at": ["2026-06-01T00:00:00+00:00"] * 2,
        ...                     "segment": ["female", "male"], "share": [0.65, 0.35]})
        >>> profile(aud, as_of="2026-07-01T00:00:00+00:00").to_frame()["gender_female"].tolist()
        [0.65]
    """
    from creatorkit.frames import validate

    when = require_as_of(as_of)
    frame = validate(audience, AudienceShare).frame
    known = (frame["snapshot_at"] <= when).to_numpy(dtype=bool)
    notes = []
    if (~known).any():
        text = "{count} audience rows are from snapshots after as_of (not known yet)"
        notes.append(Note.counted("after_as_of", text, count=int((~known).sum())))
    frame = frame[known]
    latest = frame.groupby("creator_id")["snapshot_at"].transform("max")
    frame = frame[(frame["snapshot_at"] == latest).to_numpy(dtype=bool)]
    names = [_column(d, s) for d, s in zip(frame["dimension"], frame["segment"], strict=True)]
    wide = (
        frame.assign(column=names)
        .pivot_table(index="creator_id", columns="column", values="share", aggfunc="sum")
        .sort_index(axis=1)
    )
    dims = frame.groupby(["creator_id", "dimension"]).size().unstack()
    for column in wide.columns:
        dimension = column.split("_", 1)[0]
        reported = dims.reindex(wide.index)[dimension].notna().to_numpy()
        wide[column] = np.where(reported, wide[column].fillna(0.0), np.nan)
    adult = [_column("age", b) for b in AGE_BANDS if b != "13-17" and _column("age", b) in wide]
    if "age" in dims.columns:
        reported = dims.reindex(wide.index)["age"].notna().to_numpy()
        wide["age_18_plus"] = np.where(reported, wide[adult].sum(axis=1), np.nan)
    snapshot = frame.groupby("creator_id")["snapshot_at"].max()
    out = wide.reset_index()
    out.columns.name = None
    out.insert(1, "snapshot_at", snapshot.reindex(wide.index).to_numpy())
    out["creator_id"] = out["creator_id"].astype("string")
    card = MethodCard.create("audience.profile", as_of=when)
    return TableResult(table=out, method=card, warnings=notes)
