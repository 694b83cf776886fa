"""Run the portable aggregation on the engine that holds the log; a ``CustomerTable`` back.

:func:`customer_table_from_log` is :func:`churn.shapes.build_customer_table` for an event
log that stays where it lives (an ibis table on DuckDB, PostgreSQL, Spark ...): the engine
groups the events, and only one row per customer comes into pandas. The table it returns
has the columns, features, exclusions and notes of the pandas path, so every page and
command treats it like an uploaded event log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import ibis.expr.types as ir
import pandas as pd

from churn.errors import ChurnDataError
from churn.eventlog.query import LogColumns, customer_expr, log_facts_expr
from churn.money import with_monthly_value
from churn.settings import IntakeSettings, check_inactivity_days
from churn.shapes import REASON_WINDOW
from churn.shapes.events import WINDOW_COLUMNS, event_notes
from churn.shapes.helpers import fmt_day, summary_note, to_snapshot
from churn.table import END, ID, START, STATUS, CustomerTable
from churn.text import msg

#: Date columns of the customer table (whole days from the engine, datetime64[ns] here).
DATE_COLUMNS = (START, END, "first_event", "last_event")


def log_columns(t: ir.Table, settings: IntakeSettings) -> LogColumns:
    """The id, date and amount columns the confirmed roles name, checked against ``t``."""
    roles = settings.roles
    if not roles.id:
        raise ChurnDataError(
            msg("an event log needs a customer id column to group events by customer"),
            fix=msg("choose the customer id column"),
        )
    if not roles.event_date:
        raise ChurnDataError(
            msg("the event log has no event date column"),
            fix=msg("choose the event date column"),
        )
    have = list(t.columns)
    for col in (roles.id, roles.event_date, roles.amount):
        if col and col not in have:
            raise ChurnDataError(
                msg("column '{column}' is not in the event log", column=col),
                fix=msg("choose one of: {columns}", columns=", ".join(have[:30])),
                column=col,
            )
    return LogColumns(roles.id, roles.event_date, roles.amount)


def customer_frame(t: ir.Table, cols: LogColumns, snapshot: dt.date, n_days: int) -> pd.DataFrame:
    """Execute :func:`~churn.eventlog.query.customer_expr` and give its result the pandas
    path's dtypes (dates as datetime64[ns], numbers as float64, frequency as int64)."""
    frame = customer_expr(t, cols, snapshot, n_days).to_pandas()
    for c in DATE_COLUMNS:
        frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
    for c in frame.columns:
        if c == "frequency":
            frame[c] = frame[c].astype("int64")
        elif c not in (ID, STATUS, *DATE_COLUMNS):
            frame[c] = frame[c].astype("float64")
    frame[ID] = frame[ID].astype("str")
    frame[STATUS] = frame[STATUS].astype("str")
    return frame.reset_index(drop=True)


def _facts(t: ir.Table, cols: LogColumns, snap: pd.Timestamp | None) -> dict:
    day = None if snap is None else snap.date()
    return log_facts_expr(t, cols, day).to_pandas().iloc[0].to_dict()


def customer_table_from_log(
    t: ir.Table, settings: IntakeSettings, *, rows_note: bool = True
) -> CustomerTable:
    """One row per customer of the event log ``t``, aggregated by ``t``'s own engine.

    Parameters
    ----------
    t : ibis Table
        The event log where it lives (see :func:`churn.eventlog.open_log`).
    settings : IntakeSettings
        Confirmed roles (``id``, ``event_date``, optional ``amount``), the snapshot and the
        inactivity window. Other roles of the log (attributes, personal columns) are not
        read: the customer table holds the event features only.
    rows_note : bool
        Add the note on rows without an id or a date.

    Raises
    ------
    ChurnDataError
        A role names a column the log does not have, or no event is usable.
    """
    roles = settings.roles
    cols = log_columns(t, settings)
    n_days = check_inactivity_days(settings.inactivity_days)
    asked = to_snapshot(settings.snapshot)
    facts = _facts(t, cols, asked)
    notes: list[str] = []
    unusable = int(facts["unusable"] or 0)
    if rows_note and unusable:
        notes.append(
            msg(
                "{n:,} events without a customer id or a readable date were dropped.",
                n=unusable,
            )
        )
    if asked is None:
        if pd.isna(facts["latest"]):
            raise ChurnDataError(
                msg("no event has a readable date in '{column}'", column=cols.event_date),
                fix=msg("choose the event date column"),
                column=cols.event_date,
            )
        snap = pd.Timestamp(facts["latest"]).normalize()
        notes.append(msg("Snapshot date: {date} (the latest event).", date=fmt_day(snap)))
        after = 0
    else:
        snap = asked.normalize()
        notes.append(msg("Snapshot date: {date} (chosen).", date=fmt_day(snap)))
        after = int(facts["after"] or 0)
        if after:
            notes.append(msg("{n:,} events after the snapshot were ignored.", n=after))
    frame = customer_frame(t, cols, snap.date(), n_days)
    if len(frame) == 0:
        raise ChurnDataError(
            msg("no event is on or before the snapshot date"),
            fix=msg("choose a later snapshot date"),
        )
    features = ["recency_at_cutoff_days", "orders_before_cutoff"]
    if cols.amount:
        features += ["spend_before_cutoff", "avg_order_value"]
    features += ["tenure_at_cutoff_days", "activity_trend"]
    cutoff = snap - pd.Timedelta(days=n_days)
    n_new = int(frame[STATUS].eq("too_new").sum())
    notes += event_notes(n_days, snap, cutoff, n_new)
    table = CustomerTable(
        frame=frame,
        roles=roles,
        shape="events",
        snapshot=snap,
        rows_in=int(facts["rows"]),
        features=tuple(features),
        excluded=tuple((c, REASON_WINDOW) for c in WINDOW_COLUMNS),
        inactivity_days=n_days,
        notes=tuple(summary_note(frame, "events") + notes),
        dates_after_snapshot=((cols.event_date, after),),
    )
    return replace(with_monthly_value(table), settings=settings)
