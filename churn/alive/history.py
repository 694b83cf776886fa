"""Purchase days of an event log and the summary BG/NBD needs at a date.

The customer table of an event log (``churn.shapes``) counts events; BG/NBD counts
*purchase days*: several purchases on one day are one transaction (their amounts are
added), and the first day is the customer's entry, not a repeat purchase. At a date
``end`` (the snapshot, or the end of a calibration period) each customer who had bought
by then has

* ``frequency``: repeat purchase days (days with a purchase after the first one);
* ``recency``: time from the first to the last purchase day;
* ``T``: time from the first purchase day to the end of day ``end`` (a customer whose
  first purchase is on ``end`` has ``T`` = one day);
* ``monetary_value``: mean amount of the repeat purchase days (NaN without repeats or
  without an amount).

Times are in units of ``unit_days`` days (7: weeks, the default of this package).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.roles import ColumnRoles, as_number, str_columns
from churn.shapes.helpers import (
    check_columns,
    clean_id_codes,
    fmt_day,
    parse_date_column,
    to_snapshot,
)
from churn.table import ID
from churn.text import Text, msg

#: Days per time unit of the fit: weeks.
WEEK_DAYS = 7.0
#: Columns of :func:`rfm_summary`.
SUMMARY_COLUMNS = (
    ID,
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "first_purchase",
    "last_purchase",
)


@dataclass(frozen=True, eq=False)
class PurchaseDays:
    """One row per customer and purchase day, sorted by customer then day.

    Attributes
    ----------
    ids : the clean customer id of each customer code (object array).
    customer : customer code (0..len(ids)-1) of each purchase day.
    day : the day (``datetime64[D]``).
    amount : the day's total amount (NaN when none of its amounts is known); None
        without an amount column.
    snapshot : the last day the log is read to (given, or the latest purchase).
    events : events used (rows with an id and a date on or before the snapshot).
    notes : how the log was read (dropped rows, the snapshot).
    """

    ids: np.ndarray
    customer: np.ndarray
    day: np.ndarray
    amount: np.ndarray | None
    snapshot: pd.Timestamp
    events: int
    notes: tuple[Text, ...] = field(default=())


def _check_roles(df: pd.DataFrame, roles: ColumnRoles) -> None:
    if not roles.id:
        raise ChurnDataError(
            msg("an event log needs a customer id column to group events by customer"),
            fix=msg("choose the customer id column"),
        )
    if not roles.event_date:
        raise ChurnDataError(
            msg("P(alive) needs a purchase log: one row per purchase with its date"),
            fix=msg("choose the event date column"),
        )
    check_columns(df, roles)


def _amounts(df: pd.DataFrame, roles: ColumnRoles) -> np.ndarray | None:
    if not roles.amount:
        return None
    num = as_number(df[roles.amount])
    if num is None:
        raise ChurnDataError(
            msg("'{column}' is not a number", column=roles.amount),
            fix=msg("choose an amount column that holds numbers, or none"),
            column=roles.amount,
        )
    return num.to_numpy(dtype=float)


def purchase_days(df: pd.DataFrame, roles: ColumnRoles, snapshot: Any = None) -> PurchaseDays:
    """Merge an event log into purchase days per customer, up to the snapshot.

    Parameters
    ----------
    df : DataFrame
        The event log; not modified.
    roles : ColumnRoles
        ``id`` and ``event_date`` are required; ``amount`` is optional.
    snapshot : date-like, optional
        The last day to read; default: the latest purchase. Later events are ignored.

    Raises
    ------
    ChurnDataError
        Without an id or event date role, when no event has a readable date, when no
        event is on or before the snapshot, or when the amount is not a number.
    """
    df = str_columns(df)
    _check_roles(df, roles)
    codes, labels = clean_id_codes(df[roles.id])
    dates, _ = parse_date_column(
        df[roles.event_date], dayfirst=roles.dayfirst, column=roles.event_date
    )
    day = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    ok = (codes >= 0) & ~np.isnat(day)
    notes: list[Text] = []
    if not ok.all():
        notes.append(
            msg(
                "{n:,} events without a customer id or a readable date were dropped.",
                n=int((~ok).sum()),
            )
        )
    if not ok.any():
        raise ChurnDataError(
            msg("no event has a readable date in '{column}'", column=roles.event_date),
            fix=msg("choose the event date column"),
            column=roles.event_date,
        )
    snap = to_snapshot(snapshot)
    if snap is None:
        snap = pd.Timestamp(day[ok].max())
        notes.append(msg("Snapshot date: {date} (the latest event).", date=fmt_day(snap)))
    else:
        notes.append(msg("Snapshot date: {date} (chosen).", date=fmt_day(snap)))
    snap = snap.normalize()
    after = ok & (day > np.datetime64(snap.date(), "D"))
    if after.any():
        notes.append(msg("{n:,} events after the snapshot were ignored.", n=int(after.sum())))
    ok &= ~after
    if not ok.any():
        raise ChurnDataError(
            msg("no event is on or before the snapshot date"),
            fix=msg("choose a later snapshot date"),
        )
    amount = _amounts(df, roles)
    return _merge_days(
        codes[ok], day[ok], None if amount is None else amount[ok], labels, snap, notes
    )


def _merge_days(
    codes: np.ndarray,
    day: np.ndarray,
    amount: np.ndarray | None,
    labels: np.ndarray,
    snap: pd.Timestamp,
    notes: list[Text],
) -> PurchaseDays:
    """Sort events by customer and day and add up each customer's day (one ``np.unique``)."""
    d = day.astype(np.int64)
    lo = d.min()
    span = int(d.max() - lo) + 1
    key = codes.astype(np.int64) * span + (d - lo)
    keys, inverse = np.unique(key, return_inverse=True)
    cust = keys // span
    total = None
    if amount is not None:
        known = ~np.isnan(amount)
        total = np.bincount(inverse[known], weights=amount[known], minlength=len(keys))
        total[np.bincount(inverse[known], minlength=len(keys)) == 0] = np.nan
    # Renumber the customers that still have purchases 0..k-1 (codes are first-seen order).
    present = np.zeros(len(labels), dtype=bool)
    present[cust] = True
    remap = np.cumsum(present) - 1
    return PurchaseDays(
        ids=np.asarray(labels, dtype=object)[present],
        customer=remap[cust],
        day=(keys % span + lo).astype("datetime64[D]"),
        amount=total,
        snapshot=snap,
        events=len(codes),
        notes=tuple(notes),
    )


def rfm_summary(days: PurchaseDays, end: Any = None, unit_days: float = WEEK_DAYS) -> pd.DataFrame:
    """Frequency, recency, T and monetary value of each customer at the end of day ``end``.

    Parameters
    ----------
    days : PurchaseDays
        From :func:`purchase_days`.
    end : date-like, optional
        The last day of the observation (calibration) period; default: the snapshot.
        Customers whose first purchase is after ``end`` are left out.
    unit_days : float
        Days per time unit of ``recency`` and ``T`` (7: weeks).

    Returns
    -------
    DataFrame
        :data:`SUMMARY_COLUMNS`, one row per customer in customer-code order.
    """
    end_day = np.datetime64(
        (days.snapshot if end is None else to_snapshot(end)).normalize().date(), "D"
    )
    keep = days.day <= end_day
    cust, day = days.customer[keep], days.day[keep].astype(np.int64)
    k = len(days.ids)
    count = np.bincount(cust, minlength=k)
    seen = count > 0
    starts = np.concatenate(([0], np.cumsum(count[seen])[:-1]))
    ends = np.cumsum(count[seen]) - 1
    first, last = day[starts], day[ends]
    out = pd.DataFrame({ID: days.ids[seen]})
    out["frequency"] = count[seen] - 1
    out["recency"] = (last - first) / unit_days
    out["T"] = (end_day.astype(np.int64) + 1 - first) / unit_days
    out["monetary_value"] = np.nan
    if days.amount is not None:
        amount = days.amount[keep].copy()
        amount[starts] = np.nan  # the first day is the entry, not a repeat purchase
        known = ~np.isnan(amount)
        cs = cust[known]
        total = np.bincount(cs, weights=amount[known], minlength=k)[seen]
        n = np.bincount(cs, minlength=k)[seen]
        with np.errstate(invalid="ignore", divide="ignore"):
            out["monetary_value"] = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    out["first_purchase"] = first.astype("datetime64[D]").astype("datetime64[ns]")
    out["last_purchase"] = last.astype("datetime64[D]").astype("datetime64[ns]")
    return out
