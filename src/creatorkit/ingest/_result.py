"""The result of :func:`creatorkit.ingest.read`: validated table, conversion report, rejects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import pandas as pd

from creatorkit.results import Copied, Result

__all__ = ["REJECTED_COLUMNS", "REPORT_COLUMNS", "TABLE_NAMES", "IngestResult"]

REPORT_COLUMNS = ("column", "field", "conversion", "missing", "changed")
"""Columns of :attr:`IngestResult.report`."""

REJECTED_COLUMNS = ("row", "column", "value", "rule", "code")
"""Columns of :attr:`IngestResult.rejected`."""

TABLE_NAMES = {
    "OrderLine": "order_lines",
    "Content": "content",
    "Sample": "samples",
    "Collaboration": "collaborations",
    "Creator": "creators",
}
"""The name of each record type's table in :attr:`IngestResult.tables`."""


@attrs.frozen(kw_only=True, eq=False)
class IngestResult(Result):
    r"""A read export: the validated table and a report of every conversion.

    Attributes:
        table: The validated table (``frames.validate`` of the kind's record type); row
            labels are the lines of the file. Empty when only summaries were asked for.
        report: One row per conversion: ``column`` (the file's header, empty for derived
            or constant columns), ``field``, ``conversion`` (unit, format, currency),
            ``missing`` (cells without a value) and ``changed`` (ids repaired, rounded
            displays kept as ranges, rows excluded by a label); then lines about the file
            (header line, delimiter, description row, rows excluded, rows rejected).
        rejected: With ``on_error="exclude"``: every value that could not be read or
            broke a rule — ``row``, ``column``, ``value``, ``rule``, ``code`` — whose rows
            were left out (counted in ``warnings``).
        quality: Implausible but possible rows (kept), as ``frames.validate`` reports.
        kind: Name of the kind read.
        model: Record type of the table.
        language: Language of the headers.
        decimal: Decimal mark used.
        rows_read: Data rows in the file.
        rows_excluded: Rows left out (labels that exclude a row, rejected rows).
        summary: The merged :class:`~creatorkit.summaries.Summary` when ``summarize=`` was
            given, else ``None``.

    Example:
        >>> import creatorkit as ck
        >>> data = b"Video ID,Creator name,Time,VV\n7001,mai,2026/03/01 20:00:00,10\n"
        >>> res = ck.ingest.read(data, tz="Asia/Jakarta")
        >>> res.kind, res.model, res.rows_read
        ('tiktok_shop.video_performance', 'Content', 1)
        >>> res.report.loc[res.report["field"] == "views", ["column", "conversion"]]
          column conversion
        3     VV      count
    """

    _table: pd.DataFrame
    table = Copied[pd.DataFrame]()
    _report: pd.DataFrame
    report = Copied[pd.DataFrame]()
    _rejected: pd.DataFrame
    rejected = Copied[pd.DataFrame]()
    _quality: pd.DataFrame
    quality = Copied[pd.DataFrame]()
    kind: str
    model: str
    language: str
    decimal: str
    rows_read: int
    rows_excluded: int
    summary: Any = None

    @property
    def tables(self) -> Mapping[str, pd.DataFrame]:
        r"""The tables by name (``order_lines``, ``content``, ``samples``), as copies.

        Example:
            >>> import creatorkit as ck
            >>> data = b"Video ID,Creator name,Time,VV\n7001,mai,2026/03/01 20:00:00,10\n"
            >>> res = ck.ingest.read(data, tz="Asia/Jakarta")
            >>> list(res.tables)
            ['content']
        """
        return {TABLE_NAMES.get(self.model, self.model.lower()): self.table}
