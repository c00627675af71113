"""Economics of a collaboration: costs, break-even, contribution, EMV and currency conversion.

Commission deals: a pure CPS deal pays ``commission_rate × GMV``; a deal with a
guaranteed minimum pays ``max(guaranteed_minimum, commission_rate × GMV)`` (the minimum
is a floor, not an addition); a fixed fee is a separate, additive cost item.

Example:
    >>> from creatorkit.metrics import economics
    >>> float(economics.commission(gmv=1000.0, commission_rate=0.1, guaranteed_minimum=150.0))
    150.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from creatorkit._arith import divide
from creatorkit._validation import (
    Problems,
    as_str_list,
    check_broadcast,
    check_choice,
    check_columns,
    check_frame,
    check_mapping,
    check_number,
    check_numeric,
    fail,
)
from creatorkit.errors import ErrorCode
from creatorkit.metrics._compute import MetricResult, compute
from creatorkit.models import MODELS

__all__ = [
    "COST_ITEMS",
    "FX_POLICIES",
    "break_even_commission",
    "commission",
    "contribution",
    "convert",
    "emv",
    "price_at",
    "total_cost",
    "with_costs",
]

COST_ITEMS = (
    "fixed_fee",
    "commission",
    "bonus",
    "sample_cost",
    "shipping_cost",
    "ads_spend",
    "service_fee",
)
"""The cost items of a collaboration; ``cost`` is their sum."""

FX_POLICIES = ("order_date", "settlement_date", "monthly_average")
"""Which dated rate converts an amount (see :func:`convert`)."""

_MONEY = tuple(sorted({c.name for m in MODELS for c in m.schema() if c.money}))


def _array(name: str, value: Any, *, missing_ok: bool = False) -> np.ndarray:
    """``value`` (a number or one per row) as floats >= 0, checked by the one column checker."""
    if isinstance(value, pd.DataFrame) or np.ndim(value) > 1:
        fail(name, "must be a number or one number per row", ErrorCode.INVALID_VALUE)
    series = value if isinstance(value, pd.Series) else pd.Series(np.atleast_1d(value))
    problems = Problems(name)
    values = check_numeric(problems, name, series, low=0, missing_ok=missing_ok)
    problems.raise_if_any()
    return values if isinstance(value, pd.Series) or np.ndim(value) else values.reshape(())


def commission(gmv: Any, commission_rate: Any, guaranteed_minimum: Any = 0.0) -> np.ndarray:
    """Commission owed: ``max(guaranteed_minimum, commission_rate × gmv)``, elementwise.

    Args:
        gmv: GMV the commission is paid on (scalar or array).
        commission_rate: Share of GMV in [0, 1].
        guaranteed_minimum: Floor paid whatever the sales (0 for pure CPS).

    Returns:
        The commission as a float array (0-d for scalars).

    Example:
        >>> commission([1000.0, 3000.0], 0.1, 150.0).tolist()
        [150.0, 300.0]
    """
    rate = _array("commission_rate", commission_rate)
    if (rate > 1).any():
        fail("commission_rate", "must be in [0, 1]", ErrorCode.OUT_OF_RANGE)
    floor = _array("guaranteed_minimum", guaranteed_minimum)
    sales = _array("gmv", gmv)
    check_broadcast({"gmv": sales, "commission_rate": rate, "guaranteed_minimum": floor})
    return np.asarray(np.maximum(floor, rate * sales), dtype=float)


def with_costs(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a collaboration table with ``commission`` completed and ``cost`` added.

    Missing ``commission`` values (or a missing column) are derived from ``gmv``,
    ``commission_rate`` and ``guaranteed_minimum``; absent cost items count as 0. A
    ``cost`` column the caller gives is kept; only its missing values are derived.

    Example:
        >>> df = pd.DataFrame({"gmv": [1000.0], "commission_rate": [0.2], "fixed_fee": [50.0]})
        >>> with_costs(df)[["commission", "cost"]].to_dict("records")
        [{'commission': 200.0, 'cost': 250.0}]
    """
    frame = check_frame("df", df).copy()
    derived = commission(
        frame.get("gmv", 0.0),
        frame.get("commission_rate", 0.0),
        frame.get("guaranteed_minimum", 0.0),
    )
    derived = np.broadcast_to(derived, (len(frame),))
    if "commission" in frame:
        given = frame["commission"].to_numpy(dtype=float, na_value=np.nan)
        frame["commission"] = np.where(np.isnan(given), derived, given)
    else:
        frame["commission"] = derived
    total = np.zeros(len(frame))
    for item in COST_ITEMS:
        if item in frame:
            total = total + _array(item, frame[item])
    if "cost" in frame:  # a cost the caller gives is kept; only missing ones are derived
        given = _array("cost", frame["cost"], missing_ok=True)
        total = np.where(np.isnan(given), total, given)
    frame["cost"] = total
    return frame


def total_cost(df: pd.DataFrame) -> pd.Series:
    """Total cost per row: the sum of :data:`COST_ITEMS` (commission derived when missing).

    Example:
        >>> total_cost(pd.DataFrame({"fixed_fee": [100.0], "ads_spend": [20.0]})).tolist()
        [120.0]
    """
    cost: pd.Series = with_costs(df)["cost"]
    return cost


def break_even_commission(
    gmv: Any,
    margin: Any,
    *,
    other_costs: Any = 0.0,
    refund_rate: Any = 0.0,
    guaranteed_minimum: Any = 0.0,
) -> np.ndarray:
    """Highest commission rate at which a collaboration still breaks even.

    Contribution is ``gmv × (1 − refund_rate) × margin − other_costs − commission``.
    For pure CPS the break-even rate is ``(gmv × (1 − refund_rate) × margin − other_costs) / gmv``.
    With a guaranteed minimum ``G`` the commission is ``max(G, rate × gmv)``: if even ``G``
    alone loses money there is no break-even rate (NaN); otherwise the rate above is
    the answer (it pays at least ``G``). A negative result means no rate breaks even (NaN).

    Args:
        gmv: Expected GMV (> 0).
        margin: Contribution margin rate of GMV before creator cost, in [0, 1].
        other_costs: Fixed fee, samples, shipping, ads and fees (not commission).
        refund_rate: Expected share of GMV refunded, in [0, 1].
        guaranteed_minimum: Commission floor of the deal.

    Returns:
        Break-even commission rates (NaN where none exists).

    Example:
        >>> break_even_commission(10_000.0, 0.4, other_costs=1000.0).round(4).tolist()
        0.3
        >>> break_even_commission(10_000.0, 0.4, other_costs=1000.0, guaranteed_minimum=3500.0)
        array(nan)
    """
    g = _array("gmv", gmv)
    m = _array("margin", margin)
    r = _array("refund_rate", refund_rate)
    if (m > 1).any() or (r > 1).any():
        fail("margin", "margin and refund_rate must be in [0, 1]", ErrorCode.OUT_OF_RANGE)
    other = _array("other_costs", other_costs)
    floor = _array("guaranteed_minimum", guaranteed_minimum)
    contribution_before = g * (1.0 - r) * m - other
    rate = divide(contribution_before, g)  # ±inf for a tiny gmv, never a warning
    feasible = (contribution_before - floor >= 0) & (rate >= 0)
    return np.where(feasible, rate, np.nan)


def contribution(
    df: pd.DataFrame, *, by: str | Iterable[str] | None = "creator_id", as_of: Any = None
) -> MetricResult:
    """Contribution margin per group from a collaboration table.

    Computes ``gmv``, ``net_gmv``, ``cost``, ``contribution_margin`` (Σ net_gmv × margin −
    cost) and ``roi`` with :func:`creatorkit.metrics.compute`, after completing costs with
    :func:`with_costs`.

    Example:
        >>> df = pd.DataFrame({"creator_id": ["a"], "gmv": [1000.0], "refunds": [100.0],
        ...                    "margin": [0.5], "fixed_fee": [200.0], "commission": [50.0]})
        >>> contribution(df).to_frame()[["creator_id", "contribution_margin", "roi"]]
          creator_id  contribution_margin  roi
        0          a                200.0  0.8
    """
    return compute(
        with_costs(df), ["gmv", "net_gmv", "cost", "contribution_margin", "roi"], by=by, as_of=as_of
    )


def emv(
    df: pd.DataFrame,
    *,
    cpm: float | None = None,
    values: Mapping[str, float] | None = None,
    by: str | Iterable[str] | None = None,
) -> MetricResult:
    """Earned media value with user-given rates (there is no standard, so no default).

    Args:
        df: Content rows.
        cpm: Value of 1,000 views: ``emv_cpm = Σ views × cpm / 1000``.
        values: Value per action, keys among ``view``, ``like``, ``comment``, ``share``,
            ``save``, ``click`` (missing keys count 0): ``emv_actions = Σ count × value``.
        by: Group key column(s).

    Returns:
        ``emv_cpm`` and/or ``emv_actions`` per group.

    Example:
        >>> df = pd.DataFrame({"views": [20_000], "likes": [1000], "comments": [10],
        ...                    "shares": [5], "saves": [50], "clicks": [100]})
        >>> res = emv(df, cpm=5.0, values={"like": 0.05, "click": 0.3})
        >>> res.to_frame().round(2).to_dict("records")
        [{'emv_cpm': 100.0, 'emv_cpm_n': 1, 'emv_actions': 80.0, 'emv_actions_n': 1}]
    """
    names: list[str] = []
    params: dict[str, float] = {}
    if cpm is not None:
        names.append("emv_cpm")
        params["cpm"] = check_number("cpm", cpm, low=0)
    if values is not None:
        values = check_mapping("values", values)
        actions = ("view", "like", "comment", "share", "save", "click")
        problems = Problems("values")
        for key in values:
            if key not in actions:
                problems.add(str(key), f"must be one of {list(actions)}", ErrorCode.UNKNOWN_NAME)
        problems.raise_if_any()
        names.append("emv_actions")
        for action in actions:
            params[f"value_{action}"] = check_number(
                f"values[{action!r}]", values.get(action, 0.0), low=0
            )
    if not names:
        fail("cpm", "give cpm, values or both (EMV has no standard rate)", ErrorCode.MISSING_VALUE)
    return compute(df, names, by=by, params=params)


def _dates(frame: pd.DataFrame, column: str) -> pd.Series:
    """Calendar dates of an aware time column, each in its own zone (the one time parser)."""
    from creatorkit._time import aware_column

    days: pd.Series = aware_column(frame, column).dt.tz_localize(None).dt.normalize()
    return days


def _rate_table(rates: pd.DataFrame) -> pd.DataFrame:
    frame = check_frame("rates", rates)
    check_columns("rates", frame, ["date", "currency", "rate"])
    dates = pd.to_datetime(frame["date"], errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    values = pd.to_numeric(frame["rate"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    problems = Problems("rates")
    problems.add_mask(
        "date",
        dates.isna().to_numpy(),
        frame.index,
        frame["date"],
        "must be a date",
        ErrorCode.WRONG_TYPE,
    )
    problems.add_mask(
        "rate",
        ~(np.isfinite(values) & (values > 0)),
        frame.index,
        frame["rate"],
        "must be a positive finite number",
        ErrorCode.OUT_OF_RANGE,
    )
    table = pd.DataFrame(
        {"date": dates.dt.normalize(), "currency": frame["currency"].astype(str), "rate": values}
    )
    dup = table.duplicated(["date", "currency"], keep=False).to_numpy()
    problems.add_mask(
        "date + currency",
        dup,
        frame.index,
        table["currency"],
        "must be unique",
        ErrorCode.DUPLICATE_KEY,
    )
    problems.raise_if_any()
    return table


def convert(
    df: pd.DataFrame,
    rates: pd.DataFrame,
    *,
    to: str,
    policy: str = "order_date",
    columns: str | Iterable[str] | None = None,
    time: str | None = None,
) -> pd.DataFrame:
    """Convert money columns to one currency with a dated rate table.

    Args:
        df: Rows with a ``currency`` column and money columns (not modified).
        rates: Columns ``date``, ``currency``, ``rate`` where ``rate`` is the value of one
            unit of ``currency`` in ``to``. ``to`` itself converts at 1.
        to: Target currency (ISO 4217).
        policy: ``order_date`` (the rate of the calendar date of ``ordered_at``),
            ``settlement_date`` (of ``settled_at``), or ``monthly_average`` (the mean rate
            of the calendar month of ``ordered_at``). Dates are read in each timestamp's
            own time zone.
        columns: Money columns to convert; default: every schema money column present.
        time: Override the timestamp column the policy reads.

    Returns:
        A converted copy: amounts in ``to``, ``currency`` set to ``to``, ``fx_rate`` the
        rate applied to each row.

    Raises:
        ValidationError: A missing rate (every missing currency and date is listed),
            unknown policy, malformed rate table, amounts that are not numbers >= 0
            (missing amounts stay missing).

    Example:
        >>> orders = pd.DataFrame({"gmv": [350.0, 10.0], "currency": ["THB", "USD"],
        ...     "ordered_at": pd.to_datetime(["2026-05-02 10:00", "2026-05-02 11:00"], utc=True)})
        >>> fx = pd.DataFrame({"date": ["2026-05-02"], "currency": ["THB"], "rate": [1 / 35]})
        >>> convert(orders, fx, to="USD")[["gmv", "currency", "fx_rate"]].round(4).to_dict("list")
        {'gmv': [10.0, 10.0], 'currency': ['USD', 'USD'], 'fx_rate': [0.0286, 1.0]}
    """
    frame = check_frame("df", df)
    check_choice("policy", policy, FX_POLICIES)
    if not isinstance(to, str) or len(to) != 3:
        fail("to", "must be an ISO 4217 currency code", ErrorCode.INVALID_VALUE, value=to)
    amount_columns = as_str_list("columns", columns) or [c for c in _MONEY if c in frame.columns]
    rate = row_rates(frame, rates, to=to, policy=policy, time=time, columns=amount_columns)
    problems = Problems("df")  # amounts as every table reads them: >= 0, finite, missing kept
    amounts = {
        c: check_numeric(problems, c, frame[c], low=0, missing_ok=True) for c in amount_columns
    }
    problems.raise_if_any()
    out = frame.copy()
    for column, values in amounts.items():
        out[column] = values * rate
    out["currency"] = pd.Series(to, index=out.index, dtype="string")
    out["fx_rate"] = rate
    return out


def row_rates(
    frame: pd.DataFrame,
    rates: pd.DataFrame,
    *,
    to: str,
    policy: str,
    time: str | None,
    columns: Iterable[str] = (),
) -> np.ndarray:
    """The rate that converts each row of ``frame`` to ``to`` (the core of :func:`convert`).

    One dense lookup table (currency × day) instead of a join: the row's currency code and
    its day offset index it directly. Every missing rate is listed in one error.

    Example:
        >>> rows = pd.DataFrame({"currency": ["THB", "USD"], "ordered_at": pd.to_datetime(
        ...     ["2026-05-02 10:00", "2026-05-02 11:00"], utc=True)})
        >>> fx = pd.DataFrame({"date": ["2026-05-02"], "currency": ["THB"], "rate": [0.5]})
        >>> row_rates(rows, fx, to="USD", policy="order_date", time=None).tolist()
        [0.5, 1.0]
    """
    from creatorkit._grouping import factorize

    time_column = time or ("settled_at" if policy == "settlement_date" else "ordered_at")
    check_columns("df", frame, ["currency", time_column, *columns])
    table = _rate_table(rates)
    stamps = frame[time_column]
    known = stamps.notna().to_numpy()
    day = _dates(frame, time_column).to_numpy(dtype="datetime64[D]")
    table_day = table["date"].to_numpy(dtype="datetime64[D]")
    if policy == "monthly_average":
        day = day.astype("datetime64[M]").astype("datetime64[D]")
        table_day = table_day.astype("datetime64[M]").astype("datetime64[D]")
        table = table.assign(date=table_day).groupby(["date", "currency"], as_index=False).mean()
        table_day = table["date"].to_numpy(dtype="datetime64[D]")
    codes, uniques = factorize(frame["currency"].astype("string"), sort=False)
    names = [str(u) for u in uniques]
    currencies = pd.Index(table["currency"].astype(str).unique())
    first = table_day.min() if len(table_day) else np.datetime64("1970-01-01")
    width = int((table_day.max() - first).astype(int)) + 1 if len(table_day) else 1
    lut = np.full((len(currencies) + 1, width), np.nan)
    lut[currencies.get_indexer(table["currency"].astype(str)), (table_day - first).astype(int)] = (
        table["rate"].to_numpy(dtype=float)
    )
    where = currencies.get_indexer(pd.Index(names))
    where = np.where(where < 0, len(currencies), where)
    offset = np.where(known, (day - first).astype("int64"), -1)
    inside = (offset >= 0) & (offset < width) & (codes >= 0)
    rate = np.full(len(frame), np.nan)
    rate[inside] = lut[where[codes[inside]], offset[inside]]
    is_to = np.array([n == to for n in names], dtype=bool)
    rate = np.where((codes >= 0) & is_to[np.maximum(codes, 0)], 1.0, rate)
    _missing_rates(frame, rate, codes, names, day, known, to, policy, time_column)
    return rate


def _missing_rates(
    frame: pd.DataFrame,
    rate: np.ndarray,
    codes: np.ndarray,
    names: list[str],
    day: np.ndarray,
    known: np.ndarray,
    to: str,
    policy: str,
    time_column: str,
) -> None:
    """One error listing every currency and date without a rate (and rows without a time)."""
    missing = np.isnan(rate) & known
    unknown_time = ~known & (rate != 1.0)
    if not (missing.any() or unknown_time.any()):
        return
    label = np.array([*names, "<missing>"], dtype=object)[np.where(codes >= 0, codes, len(names))]
    problems = Problems("rates")
    if missing.any():
        pairs = sorted({f"{c}@{d!s}" for c, d in zip(label[missing], day[missing], strict=True)})
        problems.add_mask(
            "rate",
            missing,
            frame.index,
            pd.Series(label, index=frame.index),
            f"no {policy} rate to {to} for {pairs[:10]}{' ...' if len(pairs) > 10 else ''}",
            ErrorCode.MISSING_RATE,
        )
    problems.add_mask(
        time_column,
        unknown_time,
        frame.index,
        frame[time_column],
        f"is needed to pick the {policy} rate",
        ErrorCode.MISSING_VALUE,
    )
    problems.raise_if_any()


def price_at(cards: pd.DataFrame, *, at: Any) -> pd.DataFrame:
    """The rate card valid at ``at`` for each creator and content type.

    Args:
        cards: A :class:`~creatorkit.RateCard` table (validated here: overlapping validity
            for one creator and content type is an error).
        at: Timezone-aware time (a card is valid from ``valid_from`` inclusive to
            ``valid_to`` exclusive; an empty ``valid_to`` is open).

    Returns:
        ``creator_id``, ``content_type``, ``fixed_fee``, ``currency``, ``valid_from``,
        ``valid_to`` — one row per creator and content type with a card at ``at``, sorted.

    Example:
        >>> cards = pd.DataFrame({"creator_id": ["c1", "c1"], "content_type": ["video"] * 2,
        ...                       "fixed_fee": [200.0, 260.0], "currency": ["USD"] * 2,
        ...                       "valid_from": ["2026-01-01T00:00:00+00:00",
        ...                                      "2026-07-01T00:00:00+00:00"],
        ...                       "valid_to": ["2026-07-01T00:00:00+00:00", None]})
        >>> price_at(cards, at="2026-06-30T00:00:00+00:00")["fixed_fee"].tolist()
        [200.0]
    """
    from creatorkit._time import require_as_of
    from creatorkit.frames import validate
    from creatorkit.models import RateCard

    when = require_as_of(at, "at")
    frame = validate(cards, RateCard).frame
    ends = frame["valid_to"] if "valid_to" in frame else pd.Series(pd.NaT, index=frame.index)
    valid = (frame["valid_from"] <= when) & (ends.isna() | (ends > when))
    columns = ["creator_id", "content_type", "fixed_fee", "currency", "valid_from"]
    out = frame.loc[valid.to_numpy(dtype=bool), columns].assign(valid_to=ends[valid])
    return out.sort_values(["creator_id", "content_type"], kind="stable").reset_index(drop=True)
