"""The event log to customer table aggregation, written once as an ibis expression.

:func:`customer_expr` is the portable twin of :func:`churn.shapes.events` (``from_events``):
the same columns, the same definitions and the same label, computed by whatever engine
holds the log (DuckDB on Parquet or CSV files, PostgreSQL, Spark). Only the customer table,
one row per customer, comes back. :func:`log_facts_expr` counts what the notes need (rows,
unusable rows, the latest date, dates after the snapshot).

Dates are whole days: an event's time of day is dropped, as the pandas path normalises it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from churn.shapes import TREND_DAYS
from churn.table import (
    CHURNED,
    END,
    ID,
    START,
    STATUS,
    STATUS_ACTIVE,
    STATUS_CHURNED,
    STATUS_TOO_NEW,
    TENURE,
    VALUE,
)


@dataclass(frozen=True)
class LogColumns:
    """The columns of the log that the aggregation reads (its confirmed roles)."""

    id: str
    event_date: str
    amount: str | None = None


def clean_id(raw: ir.Value) -> ir.Value:
    """A customer id as clean text (1.0 -> "1", blanks trimmed, blank -> null), as
    :func:`churn.shapes.clean_ids` cleans them."""
    if raw.type().is_floating():
        cid = ibis.ifelse(raw == raw.floor(), raw.cast("int64").cast("string"), raw.cast("string"))
    else:
        cid = raw.cast("string").strip()
    return ibis.ifelse(cid == "", ibis.null("string"), cid)


def event_day(t: ir.Table, cols: LogColumns) -> ir.Value:
    """The day of each event (time of day dropped; ISO text read as a timestamp)."""
    d = t[cols.event_date]
    if d.type().is_string():
        d = d.strip().nullif("").cast("timestamp")
    return d.cast("date")


def log_facts_expr(t: ir.Table, cols: LogColumns, snapshot: dt.date | None) -> ir.Table:
    """One row: ``rows`` (all), ``unusable`` (no id or no date), ``latest`` (latest usable
    day), ``after`` (days after ``snapshot``, every row with a date; 0 without one).

    Grouped by the raw id first: ids are cleaned once per distinct id, not once per event.
    """
    d = event_day(t, cols)
    after = d > (d if snapshot is None else ibis.date(snapshot))  # none without a snapshot
    g = t.group_by(k=t[cols.id]).aggregate(
        n=t.count(), dated=d.count(), latest=d.max(), after=ibis.ifelse(after, 1, 0).sum()
    )
    g = g.mutate(ok=clean_id(g.k).notnull())
    return g.aggregate(
        rows=g.n.sum(),
        unusable=ibis.ifelse(g.ok, g.n - g.dated, g.n).sum(),
        latest=g.latest.max(where=g.ok),
        after=g.after.sum(),
    )


def _days(later: ir.Value, earlier: ir.Value) -> ir.Value:
    """Whole days from ``earlier`` to ``later`` (dates), as float (null when either is)."""
    return later.delta(earlier, unit="day").cast("float64")


def customer_expr(t: ir.Table, cols: LogColumns, snapshot: dt.date, n_days: int) -> ir.Table:
    """One row per customer with at least one usable event on or before ``snapshot``.

    Columns (as the pandas path builds them): ``customer_id``, ``churned`` (1.0 when the
    last event is more than ``n_days`` before the snapshot, 0.0 when not, null when the
    first event is less than ``n_days`` before it: too new), ``label_status``,
    ``start_date``, ``end_date`` (the last event, churned customers only), ``tenure_days``,
    ``value`` (the sum of the known amounts), ``first_event``, ``last_event``,
    ``recency_days``, ``frequency``, ``monetary``; and the features measured at the cutoff
    (snapshot minus ``n_days``): ``recency_at_cutoff_days``, ``orders_before_cutoff``,
    ``spend_before_cutoff`` and ``avg_order_value`` (with an amount), ``tenure_at_cutoff_days``
    and ``activity_trend`` (orders in the last 90 days before the cutoff minus the 90 before).
    """
    snap = ibis.date(snapshot)
    cutoff_day = snapshot - dt.timedelta(days=n_days)
    cutoff = ibis.date(cutoff_day)
    recent_from = ibis.date(cutoff_day - dt.timedelta(days=TREND_DAYS))
    prev_from = ibis.date(cutoff_day - dt.timedelta(days=2 * TREND_DAYS))
    a = t[cols.amount].cast("float64") if cols.amount else ibis.null("float64")
    ev = t.select(k=t[cols.id], d=event_day(t, cols), a=a)
    ev = ev.filter(ev.d.notnull(), ev.d <= snap)
    before = ev.d < cutoff
    recent = before & (ev.d >= recent_from)
    prev = (ev.d >= prev_from) & (ev.d < recent_from)
    # Grouped by the raw id, then by the clean id: ids are cleaned once per distinct id,
    # and ids that clean alike (" a1", "a1") merge. Every aggregate here re-aggregates.
    g = ev.group_by("k").aggregate(
        first=ev.d.min(),
        last=ev.d.max(),
        frequency=ev.count(),
        monetary=ev.a.sum(),
        last_before=ev.d.max(where=before),
        orders=ibis.ifelse(before, 1, 0).sum(),
        spend=ibis.ifelse(before & ev.a.notnull(), ev.a, 0.0).sum(),
        recent=ibis.ifelse(recent, 1, 0).sum(),
        prev=ibis.ifelse(prev, 1, 0).sum(),
    )
    g = g.mutate(c=clean_id(g.k))
    g = g.filter(g.c.notnull())
    g = g.group_by("c").aggregate(
        first=g["first"].min(),
        last=g["last"].max(),
        frequency=g.frequency.sum(),
        monetary=g.monetary.sum(),
        last_before=g.last_before.max(),
        orders=g.orders.sum(),
        spend=g.spend.sum(),
        recent=g.recent.sum(),
        prev=g.prev.sum(),
    )
    recency = _days(snap, g["last"])
    too_new = _days(snap, g["first"]) < n_days
    gone = recency > n_days
    churned = ibis.ifelse(too_new, ibis.null("float64"), ibis.ifelse(gone, 1.0, 0.0))
    status = ibis.ifelse(too_new, STATUS_TOO_NEW, ibis.ifelse(gone, STATUS_CHURNED, STATUS_ACTIVE))
    left = ~too_new & gone
    end = ibis.ifelse(left, g["last"], ibis.null("date"))
    orders = g.orders.cast("float64")
    cols_out = {
        ID: g.c,
        CHURNED: churned,
        STATUS: status,
        START: g["first"],
        END: end,
        TENURE: ibis.ifelse(left, _days(g["last"], g["first"]), _days(snap, g["first"])),
        VALUE: g.monetary,
        "first_event": g["first"],
        "last_event": g["last"],
        "recency_days": recency,
        "frequency": g.frequency.cast("int64"),
        "monetary": g.monetary,
        "recency_at_cutoff_days": _days(cutoff, g.last_before),
        "orders_before_cutoff": orders,
    }
    if cols.amount:
        cols_out["spend_before_cutoff"] = g.spend.cast("float64")
        cols_out["avg_order_value"] = ibis.ifelse(
            g.orders > 0, g.spend.cast("float64") / orders, ibis.null("float64")
        )
    tenure_cut = _days(cutoff, g["first"])
    cols_out["tenure_at_cutoff_days"] = ibis.ifelse(tenure_cut < 0, 0.0, tenure_cut)
    cols_out["activity_trend"] = (g.recent - g.prev).cast("float64")
    return g.select(**cols_out).order_by(ID)
