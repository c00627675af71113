"""``compare.summarize``: per-arm sums from raw rows, as the one summary type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from creatorkit._validation import (
    Problems,
    check_choice,
    check_columns,
    check_frame,
    check_number,
    fail,
)
from creatorkit.adapters import is_dask
from creatorkit.compare._core import UNITS, ComparisonResult, combine
from creatorkit.errors import ErrorCode
from creatorkit.metrics._metric import Metric, column_metric
from creatorkit.results import Note
from creatorkit.summaries import Summary
from creatorkit.summaries import _summary as _core
from creatorkit.summaries._build import Prepared

SUMMARY_COLUMNS = ("metric", "arm", "n", "sum", "sum_sq", "den_sum", "den_sum_sq", "cross")
"""Columns of the long layout read by the deprecated ``Summary.from_table``."""

Spec = str | tuple[str, str] | Metric


def _metric(name: str, spec: Spec) -> Metric:
    """A metric for one spec: a column, a (numerator, denominator) pair or a Metric."""
    if isinstance(spec, Metric):
        return spec if spec.name == name else attrs.evolve(spec, name=name)
    if isinstance(spec, str):
        return column_metric(name, spec)
    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(c, str) for c in spec):
        return column_metric(name, spec[0], spec[1])
    fail(
        "metrics",
        f"{name!r} must map to a column, a (numerator, denominator) pair or a Metric",
        ErrorCode.WRONG_TYPE,
        value=spec,
    )


def _name(spec: Any) -> str:
    return spec.name if isinstance(spec, Metric) else str(spec)


def _specs(metrics: Any) -> list[Metric]:
    if isinstance(metrics, str | Metric):
        items: list[tuple[str, Spec]] = [(_name(metrics), metrics)]
    elif isinstance(metrics, Mapping):
        items = list(metrics.items())
    elif isinstance(metrics, Iterable):
        items = [(_name(m), m) for m in metrics]
    else:
        fail("metrics", "must be columns, a mapping or Metric objects", ErrorCode.WRONG_TYPE)
    if not items:
        fail("metrics", "name at least one metric", ErrorCode.EMPTY)
    names = [str(name) for name, _ in items]
    bad = [n for n in names if not n.isidentifier()]
    if bad:
        fail(
            "metrics",
            f"metric names must be snake_case identifiers (use a mapping name → column): {bad}",
            ErrorCode.INVALID_VALUE,
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        fail(
            "metrics",
            f"metric names must be unique; repeated: {repeated}",
            ErrorCode.DUPLICATE_NAME,
        )
    return [_metric(name, spec) for name, (_, spec) in zip(names, items, strict=True)]


def _cut(
    frame: pd.DataFrame, metrics: list[Metric], share: float, winsorize: bool
) -> tuple[pd.DataFrame, list[Note]]:
    """Clip (winsorize) or blank out (trim) the upper tail of each plain metric's column."""
    notes = []
    changed = {}
    for metric in metrics:
        if metric.denominator is not None or metric.table != "rows":
            continue
        column = sorted(metric.columns(frozenset(map(str, frame.columns))))[0]
        x = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(x)
        if not ok.any():
            continue
        cut = float(np.quantile(x[ok], 1.0 - share))
        above = ok & (x > cut)
        changed[column] = np.where(above, cut if winsorize else np.nan, x)
        verb = "clipped to" if winsorize else "excluded above"
        notes.append(
            Note(
                code="winsorized" if winsorize else "trimmed",
                subject=metric.name,
                count=int(above.sum()),
                message=(
                    f"{metric.name}: {int(above.sum())} values {verb} {cut:g} "
                    f"(pooled {1 - share:.0%} quantile)"
                ),
            )
        )
    return frame.assign(**changed) if changed else frame, notes


def summarize(
    df: pd.DataFrame,
    *,
    arm: str,
    metrics: str | Metric | Iterable[str | Metric] | Mapping[str, Spec],
    winsorize: float | None = None,
    trim: float | None = None,
) -> Summary:
    """Sufficient statistics per arm from raw rows (one row per unit: user, order, post).

    Args:
        df: Raw rows (not modified).
        arm: Column naming each row's arm (must not be missing).
        metrics: Column names (a per-row mean each), catalog metrics such as
            ``ck.metrics.get("engagement_rate")`` (ratios of sums), or a mapping
            ``name → column``, ``name → (numerator, denominator)`` or ``name → Metric``.
            Strings always mean columns here.
        winsorize: Upper-tail share (e.g. ``0.01``): values of column metrics above the
            pooled ``1 − winsorize`` quantile are clipped to it; the cut and the count of
            clipped values are reported in ``warnings``.
        trim: Upper-tail share: rows above the pooled quantile are excluded from that
            metric; the cut and the count are reported in ``warnings``.

    Returns:
        A :class:`~creatorkit.summaries.Summary` grouped by ``arm``, with moments: compare
        with its ``proportions``, ``means``, ``ratios`` or ``bayes_proportions``.

    Example:
        >>> rows = pd.DataFrame({"arm": ["A", "A", "B", "B"], "bought": [0, 1, 1, 1],
        ...                      "revenue": [0.0, 20.0, 35.0, 15.0], "orders": [0, 1, 2, 1]})
        >>> spec = {"bought": "bought", "aov": ("revenue", "orders")}
        >>> s = summarize(rows, arm="arm", metrics=spec)
        >>> s.to_frame()[["arm", "bought__n", "bought__num", "aov__num", "aov__den"]]
          arm  bought__n  bought__num  aov__num  aov__den
        0   A          2          1.0      20.0       1.0
        1   B          2          2.0      50.0       3.0
        >>> s.ratios("aov").to_frame()[["arm", "value"]].round(2)
          arm  value
        0   A  20.00
        1   B  16.67
    """
    if not isinstance(arm, str):
        fail("arm", "must be one column name", ErrorCode.WRONG_TYPE, value=arm)
    found = _specs(metrics)
    if is_dask(df):
        return _on_dask(df, arm, found, winsorize, trim)
    frame = check_frame("df", df)
    if winsorize is not None and trim is not None:
        fail("trim", "use winsorize or trim, not both", ErrorCode.INVALID_VALUE)
    share = None
    for name, value in (("winsorize", winsorize), ("trim", trim)):
        if value is not None:
            share = check_number(name, value, low=0, high=0.5, low_open=True, high_open=True)
    check_columns("df", frame, [arm])
    missing = frame[arm].isna().to_numpy()
    if missing.any():
        problems = Problems("df")
        problems.add_mask(
            arm, missing, frame.index, frame[arm], "must not be missing", ErrorCode.MISSING_VALUE
        )
        problems.raise_if_any()
    prep = Prepared(frame, found, arm, None)
    notes: list[Note] = []
    if share is not None:
        cut_frame, notes = _cut(frame, found, share, winsorize is not None)
        prep = Prepared(cut_frame, found, arm, None, blanked=frozenset(cut_frame.columns))
    options = {"winsorize": winsorize, "trim": trim}
    summary = _core.from_prepared(prep, found, {}, True, "compare.summarize", options)
    if trim is not None:
        summary = attrs.evolve(summary, warnings=_untrimmed(summary.warnings, notes))
    return attrs.evolve(summary, warnings=[*summary.warnings, *notes])


def _on_dask(ddf: Any, arm: str, found: list[Metric], winsorize: Any, trim: Any) -> Summary:
    """``summarize`` per partition of a Dask DataFrame, merged (no winsorizing: it is pooled)."""
    from creatorkit.adapters.dask import summarize_partitions

    if winsorize is not None or trim is not None:
        rule = "is not available on Dask DataFrames (the cut is a pooled quantile)"
        fail("winsorize" if winsorize is not None else "trim", rule, ErrorCode.INVALID_VALUE)

    def part(rows: pd.DataFrame) -> Summary:
        return summarize(rows, arm=arm, metrics=found)

    return summarize_partitions(ddf, part, found, arm)


def _untrimmed(existing: Iterable[Note], trimmed: list[Note]) -> list[Note]:
    """Missing-value notes less the rows that trimming blanked out (reported on their own)."""
    cut = {n.subject: n.count or 0 for n in trimmed}
    out = []
    for note in existing:
        if note.code == "missing_values" and note.subject in cut:
            left = (note.count or 0) - cut[note.subject]
            if left <= 0:
                continue
            note = Note.counted("missing_values", note.template, count=left, subject=note.subject)
        out.append(note)
    return out


def creators(
    rows: pd.DataFrame,
    metrics: str | Metric | Iterable[str | Metric] | Mapping[str, Spec],
    *,
    creator: str = "creator_id",
    unit: str = "post",
    among: Iterable[Any] | None = None,
    control: int | str = 0,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    correction: str = "holm",
    comparisons: str = "control",
) -> ComparisonResult:
    """Compare creators with their posts (or collaborations) as the units.

    A creator's clicks, views and orders come in posts, and posts differ far more than
    independent trials would: a per-trial test (:func:`proportions`) of two creators is
    overconfident by orders of magnitude. Here each row is one unit; a ratio metric
    (CTR, CVR, GPM, ROAS) is the ratio of per-unit sums with the cluster-robust
    delta-method variance ``n/(n−1)·Σ(xᵢ − R·yᵢ)²/(Σy)²`` and Student t with ``n − 1``
    degrees of freedom per creator, combined by Welch–Satterthwaite for the difference
    (:func:`ratios` with ``test="t"``); a plain column is a per-unit mean compared by
    Welch's t (:func:`means`). Results say ``randomized=False`` and name the ``unit``.

    Args:
        rows: One row per post (``unit="post"``, a content table) or per collaboration
            (``unit="collaboration"``), with the creator column and the metrics' columns.
        metrics: As in :func:`summarize`: catalog metrics (``ck.metrics.get("cvr")``),
            ``name → (numerator, denominator)`` pairs, or column names (per-unit means).
        creator: The column naming each row's creator.
        unit: ``"post"`` or ``"collaboration"``: what one row is.
        among: The creators to compare (default: every creator in ``rows``).
        control: The reference creator, by id or by position among the sorted ids.
        alpha: Significance level; intervals have level ``1 − alpha``.
        alternative: ``two-sided``, ``greater`` or ``less``.
        correction: ``holm`` (default), ``bonferroni``, ``bh`` or ``none``, per metric.
        comparisons: ``control`` (many-to-one) or ``all_pairs``.

    Returns:
        A :class:`ComparisonResult` (several metrics are stacked as by :func:`combine`).

    Example:
        >>> import creatorkit as ck
        >>> posts = pd.DataFrame({"creator_id": ["a"] * 4 + ["b"] * 4,
        ...     "clicks": [120, 300, 80, 500, 90, 60, 150, 40],
        ...     "orders": [10, 33, 5, 48, 12, 4, 21, 3]})
        >>> res = creators(posts, {"cvr": ("orders", "clicks")})
        >>> res.unit, res.randomized, res.method.parameters["test"]
        ('post', False, 't')
        >>> res.to_frame()[["arm", "n", "value", "df", "p_value"]].round(4)
          arm  n   value     df  p_value
        0   a  4  0.0960    NaN      NaN
        1   b  4  0.1176  3.727   0.3039
    """
    frame = check_frame("rows", rows)
    if not isinstance(creator, str):
        fail("creator", "must be one column name", ErrorCode.WRONG_TYPE, value=creator)
    unit = check_choice("unit", unit, UNITS)
    check_columns("rows", frame, [creator])
    if among is not None:
        frame = _among(frame, creator, among)
    summary = summarize(frame, arm=creator, metrics=metrics)
    options: dict[str, Any] = {
        "control": control,
        "alpha": alpha,
        "alternative": alternative,
        "correction": correction,
        "comparisons": comparisons,
        "randomized": False,
        "unit": unit,
    }
    results = [
        summary.ratios(m.name, test="t", **options)
        if m.denominator is not None
        else summary.means(m.name, **options)
        for m in summary.metrics
    ]
    if len(results) == 1:
        return results[0]
    combined = combine(results)
    return attrs.evolve(combined, warnings=[*combined.warnings, *summary.warnings])


def _among(frame: pd.DataFrame, creator: str, among: Iterable[Any]) -> pd.DataFrame:
    """Rows of the listed creators; ids that have no rows are an error."""
    if isinstance(among, str | bytes) or not isinstance(among, Iterable):
        fail("among", "must be a list of creator ids", ErrorCode.WRONG_TYPE, value=among)
    items = list(among)
    if not all(pd.api.types.is_scalar(item) for item in items):
        fail("among", "must be a flat list of creator ids", ErrorCode.WRONG_TYPE, value=among)
    wanted = pd.Index(items, dtype=object)
    if wanted.has_duplicates or len(wanted) < 2:
        fail("among", "must name at least two distinct creators", ErrorCode.INVALID_VALUE)
    present = wanted.isin(frame[creator])
    if not present.all():
        fail(
            "among",
            "names creators without rows",
            ErrorCode.INVALID_VALUE,
            value=wanted[~present].tolist(),
        )
    return frame[frame[creator].isin(wanted)]
