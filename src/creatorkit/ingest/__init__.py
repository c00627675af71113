r"""Reading real exports: TikTok Shop, Amazon Associates and TikTok Ads files into tables.

:func:`read` takes a path, bytes, a file object, a JSON payload or a DataFrame and a kind
(detected from the headers when omitted) and returns an :class:`IngestResult`: the table
validated by :func:`creatorkit.frames.validate` and a report of every conversion. Headers
are mapped by alias (English, Indonesian, Thai, Vietnamese where known), ids stay
strings digit for digit, every unit is declared per field of a kind — commission rates in
percent, fractions or hundredths of a percent; date formats; the decimal mark — and
never guessed per value. Kinds are data (:class:`Kind`, :class:`Field`) in one
:class:`~creatorkit.registry.Registry`; :func:`register` adds yours, :func:`kinds` lists
them.

Example:
    >>> import creatorkit as ck
    >>> data = ("Creator ID,Launched Time,Durasi,Revenue (Rp),Viewers\n"
    ...         "77001,2026/03/01/ 20:00,1h2m,\"1.250.000\",\"1,2K\"\n").encode()
    >>> res = ck.ingest.read(data, tz="Asia/Jakarta", decimal=",")
    >>> res.kind
    'tiktok_shop.live_performance'
    >>> row = res.table.iloc[0]
    >>> print(row["content_id"], row["duration_seconds"], row["gmv"], row["currency"])
    77001:2026/03/01/ 20:00 3720.0 1250000.0 IDR
    >>> print(row["views"], row["views_low"], row["views_high"])
    1200 1150.0 1250.0
"""

from __future__ import annotations

import pandas as pd

from creatorkit.ingest._builtin import BUILTIN, generic
from creatorkit.ingest._kinds import KINDS, Field, Kind, register
from creatorkit.ingest._read import read
from creatorkit.ingest._result import IngestResult

__all__ = ["KINDS", "Field", "IngestResult", "Kind", "generic", "kinds", "read", "register"]

for _kind in BUILTIN:
    if _kind.name not in KINDS:
        KINDS.register(_kind.name, _kind)


def kinds() -> pd.DataFrame:
    """The registered export kinds: name, record type, languages, fields and description.

    Example:
        >>> kinds().set_index("kind").loc["tiktok_shop.affiliate_orders", "model"]
        'OrderLine'
    """
    rows = [
        {
            "kind": k.name,
            "model": k.model.__name__,
            "languages": ", ".join(k.languages()),
            "fields": len(k.fields),
            "required": ", ".join(f.name for f in k.fields if f.required),
            "description": k.doc,
        }
        for k in (KINDS.get(name) for name in KINDS)
    ]
    return pd.DataFrame(rows)
