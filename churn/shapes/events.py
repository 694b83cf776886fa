"""Shape 3: event logs, one row per customer.

A customer is churned when their last event is more than N days before the snapshot
date. :func:`inactivity_preview` shows how the churn rate moves with N.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.roles import ColumnRoles, as_number, str_columns
from churn.settings import DEFAULT_INACTIVITY_DAYS, check_inactivity_days
from churn.shapes.helpers import (
    DAY,
    check_columns,
    clean_id_codes,
    fmt_day,
    parse_date_column,
    summary_note,
    to_snapshot,
)
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
    CustomerTable,
)
from churn.text import msg

#: Window of the activity trend of event logs: orders in the last TREND_DAYS before the
#: cutoff minus orders in the TREND_DAYS before those.
TREND_DAYS = 90
#: Excluded-reason of the descriptive columns of an event log.
REASON_WINDOW = msg("describes the churn window (leakage)")
DEFAULT_PREVIEW_DAYS = (30, 60, 90, 120, 180, 270, 365)


def _event_frame(
    df: pd.DataFrame,
    roles: ColumnRoles,
    snap: pd.Timestamp | None,
    notes: list[str] | None,
    counted: dict[str, int] | None = None,
) -> tuple[pd.DataFrame, pd.Index, pd.Timestamp]:
    """Events with integer customer codes, dates at midnight, amounts; and the snapshot.

    ``counted``, when given, receives the number of event dates after the snapshot (every
    row of the file, as validation counts them)."""
    if not roles.id:
        raise ChurnDataError(
            msg("an event log needs a customer id column to group events by customer"),
            fix=msg("choose the customer id column"),
        )
    id_codes, labels = clean_id_codes(df[roles.id])
    dates, n_bad = parse_date_column(
        df[roles.event_date], dayfirst=roles.dayfirst, column=roles.event_date
    )
    dates = dates.dt.normalize()
    ok = (id_codes >= 0) & dates.notna().to_numpy()
    if notes is not None and not ok.all():
        notes.append(
            msg(
                "{n:,} events without a customer id or a readable date were dropped.",
                n=int((~ok).sum()),
            )
        )
    if snap is None:
        if not ok.any():
            raise ChurnDataError(
                msg("no event has a readable date in '{column}'", column=roles.event_date),
                fix=msg("choose the event date column"),
                column=roles.event_date,
            )
        snap = dates[ok].max()
        if notes is not None:
            notes.append(msg("Snapshot date: {date} (the latest event).", date=fmt_day(snap)))
    else:
        snap = snap.normalize()
        after = ok & (dates > snap).to_numpy()
        if notes is not None:
            notes.append(msg("Snapshot date: {date} (chosen).", date=fmt_day(snap)))
            if after.any():
                notes.append(
                    msg("{n:,} events after the snapshot were ignored.", n=int(after.sum()))
                )
        ok &= ~after
    if counted is not None:
        counted[roles.event_date] = int((dates > snap).sum())
    # When every event is usable (the usual case), skip the ten-million-row copies.
    every = bool(ok.all())
    kept_codes = id_codes if every else id_codes[ok]
    # Renumber the customers that still have events 0..k-1 (first-seen order), O(n).
    present = np.bincount(kept_codes, minlength=len(labels)) > 0
    if present.all():
        codes, uniq = kept_codes, labels
    else:
        remap = np.cumsum(present) - 1
        codes = remap[kept_codes]
        uniq = labels[present]
    day_ns = dates.to_numpy(dtype="datetime64[ns]")
    ev = pd.DataFrame({"c": codes, "d": day_ns if every else day_ns[ok]}, copy=False)
    if roles.amount:
        num = as_number(df[roles.amount])
        if num is None:
            raise ChurnDataError(
                msg("'{column}' is not a number", column=roles.amount),
                fix=msg("choose an amount column that holds numbers, or none"),
                column=roles.amount,
            )
        ev["a"] = num.to_numpy() if every else num.to_numpy()[ok]
    ev.index = pd.RangeIndex(len(ok)) if every else pd.Index(np.flatnonzero(ok))
    if len(ev) == 0:
        raise ChurnDataError(
            msg("no event is on or before the snapshot date"),
            fix=msg("choose a later snapshot date"),
        )
    return ev, pd.Index(uniq), snap


def _first_last(codes: np.ndarray, dates: pd.Series, k: int) -> tuple[pd.Series, pd.Series]:
    """Earliest and latest date of each of ``k`` customers (NaT when a customer has none).

    ``np.minimum.at`` on the int64 nanoseconds: one pass, no sorting or hashing.
    """
    ns = dates.to_numpy(dtype="datetime64[ns]").view("int64")
    big = np.iinfo(np.int64).max
    lo = np.full(k, big, dtype=np.int64)
    hi = np.full(k, -big, dtype=np.int64)
    np.minimum.at(lo, codes, ns)
    np.maximum.at(hi, codes, ns)
    none = lo == big
    lo[none] = np.iinfo(np.int64).min  # the NaT value
    hi[none] = np.iinfo(np.int64).min
    return (
        pd.Series(lo.view("datetime64[ns]")),
        pd.Series(hi.view("datetime64[ns]")),
    )


def _most_frequent(
    customer: np.ndarray,
    values: np.ndarray | None,
    k: int,
    coded: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Each customer's most frequent value (ties: the value seen first); None if none.

    ``coded`` = (codes, levels) of the values, already factorised (-1 = missing), saves
    hashing millions of objects again; the levels are renumbered by first appearance in
    ``codes`` so that ties resolve as if ``values`` had been factorised here.
    """
    if coded is None:
        vcodes, levels = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    else:
        raw, raw_levels = coded
        vcodes, first_seen = pd.factorize(raw, use_na_sentinel=True)
        present = first_seen >= 0
        # raw == -1 (missing) becomes its own code: send it back to -1.
        if not present.all():
            missing_code = int(np.flatnonzero(~present)[0])
            vcodes = np.where(vcodes == missing_code, -1, vcodes)
            vcodes = vcodes - (vcodes > missing_code)
            first_seen = first_seen[present]
        levels = np.asarray(raw_levels, dtype=object)[first_seen]
    keep = vcodes >= 0
    cust, vcodes = customer[keep], vcodes[keep]
    nv = len(levels)
    out = np.full(k, None, dtype=object)
    if nv == 0 or len(cust) == 0:
        return out
    if k * nv <= 50_000_000:  # a dense customer x level count table
        counts = np.bincount(cust * nv + vcodes, minlength=k * nv).reshape(k, nv)
        best = counts.argmax(axis=1)
        has = counts.max(axis=1) > 0
    else:  # many levels: count pairs, then keep each customer's largest
        pairs = pd.DataFrame({"c": cust, "v": vcodes}).value_counts(sort=True).reset_index()
        pairs = pairs.drop_duplicates("c")
        best = np.zeros(k, dtype=np.int64)
        best[pairs["c"].to_numpy()] = pairs["v"].to_numpy()
        has = np.zeros(k, dtype=bool)
        has[pairs["c"].to_numpy()] = True
    out[has] = np.asarray(levels, dtype=object)[best[has]]
    return out


def from_events(
    df: pd.DataFrame, roles: ColumnRoles, snap: pd.Timestamp | None, inactivity_days: Any
) -> CustomerTable:
    """Shape 3: one row per customer of an event log (``roles.event_date`` is set)."""
    notes: list[str] = []
    n_days = check_inactivity_days(
        DEFAULT_INACTIVITY_DAYS if inactivity_days is None else inactivity_days
    )
    counted: dict[str, int] = {}
    ev, uniq, snap = _event_frame(df, roles, snap, notes, counted)
    k = len(uniq)
    cutoff = snap - pd.Timedelta(days=n_days)
    out, first, too_new = _window_frame(ev, uniq, snap, n_days)
    # Model features, measured at the cutoff (snapshot - N days): they cannot see the
    # window that decides the label.
    before = ev[ev["d"] < cutoff]
    bc = before["c"].to_numpy()
    features = _cutoff_features(out, before, first, cutoff, k)
    extra, categorical = _log_features(df, roles, ev, out, bc, cutoff, k)
    features += extra
    personal = _personal_firsts(df, roles, ev, out, k)
    excluded = tuple((c, REASON_WINDOW) for c in WINDOW_COLUMNS) + tuple(
        (c, why) for c, why in roles.excluded if c in df.columns
    )
    notes += event_notes(n_days, snap, cutoff, int(too_new.sum()))
    return CustomerTable(
        frame=out,
        roles=roles,
        shape="events",
        snapshot=snap,
        rows_in=len(df),
        features=tuple(features),
        categorical=tuple(categorical),
        excluded=excluded,
        personal=tuple(personal),
        inactivity_days=n_days,
        notes=tuple(summary_note(out, "events") + notes),
        dates_after_snapshot=tuple(counted.items()),
    )


#: Descriptive columns: they describe the churn window itself, so never features.
WINDOW_COLUMNS = ("first_event", "last_event", "recency_days", "frequency", "monetary")


def _window_frame(
    ev: pd.DataFrame, uniq: pd.Index, snap: pd.Timestamp, n_days: int
) -> tuple[pd.DataFrame, pd.Series, np.ndarray]:
    """The canonical and descriptive columns of each customer, their first event and
    whether they are too new to judge."""
    k = len(uniq)
    c_all = ev["c"].to_numpy()
    first, last = _first_last(c_all, ev["d"], k)
    frequency = pd.Series(np.bincount(c_all, minlength=k))

    recency = (snap - last) / DAY
    age = (snap - first) / DAY
    too_new = (age < n_days).to_numpy()
    churned_b = (recency > n_days).to_numpy()
    y = np.where(too_new, np.nan, np.where(churned_b, 1.0, 0.0))
    status = np.where(too_new, STATUS_TOO_NEW, np.where(churned_b, STATUS_CHURNED, STATUS_ACTIVE))

    out = pd.DataFrame({ID: np.asarray(uniq, dtype=object)})
    out[CHURNED] = y
    out[STATUS] = status
    out[START] = first.to_numpy()
    out[END] = np.where(y == 1, last.to_numpy(), np.datetime64("NaT"))
    out[END] = out[END].astype("datetime64[ns]")
    out[TENURE] = ((out[END].fillna(snap) - out[START]) / DAY).astype(float)
    monetary = np.full(k, np.nan)
    if "a" in ev:
        a = ev["a"].to_numpy(dtype=float)
        known = ~np.isnan(a)
        total = np.bincount(c_all[known], weights=a[known], minlength=k)
        monetary = np.where(np.bincount(c_all[known], minlength=k) > 0, total, np.nan)
    out[VALUE] = monetary

    out["first_event"] = first.to_numpy()
    out["last_event"] = last.to_numpy()
    out["recency_days"] = recency.to_numpy(dtype=float)
    out["frequency"] = frequency.to_numpy()
    out["monetary"] = monetary
    return out, first, too_new


def _cutoff_features(
    out: pd.DataFrame, before: pd.DataFrame, first: pd.Series, cutoff: pd.Timestamp, k: int
) -> list[str]:
    """Add the features measured on the events ``before`` the cutoff; their names."""
    bc = before["c"].to_numpy()
    orders = np.bincount(bc, minlength=k).astype(float)
    _, last_before = _first_last(bc, before["d"], k)
    features: list[str] = []
    out["recency_at_cutoff_days"] = ((cutoff - last_before) / DAY).to_numpy(dtype=float)
    out["orders_before_cutoff"] = orders
    features += ["recency_at_cutoff_days", "orders_before_cutoff"]
    if "a" in before:
        spend = np.bincount(bc, weights=before["a"].fillna(0).to_numpy(), minlength=k)
        out["spend_before_cutoff"] = spend
        with np.errstate(invalid="ignore", divide="ignore"):
            out["avg_order_value"] = np.where(orders > 0, spend / np.maximum(orders, 1), np.nan)
        features += ["spend_before_cutoff", "avg_order_value"]
    out["tenure_at_cutoff_days"] = ((cutoff - first) / DAY).clip(lower=0).to_numpy(dtype=float)
    d = before["d"]
    recent = (d >= cutoff - pd.Timedelta(days=TREND_DAYS)).to_numpy()
    prev = ((d >= cutoff - pd.Timedelta(days=2 * TREND_DAYS)) & ~recent).to_numpy()
    out["activity_trend"] = np.bincount(bc[recent], minlength=k) - np.bincount(
        bc[prev], minlength=k
    ).astype(float)
    features += ["tenure_at_cutoff_days", "activity_trend"]
    return features


def _log_features(
    df: pd.DataFrame,
    roles: ColumnRoles,
    ev: pd.DataFrame,
    out: pd.DataFrame,
    bc: np.ndarray,
    cutoff: pd.Timestamp,
    k: int,
) -> tuple[list[str], list[str]]:
    """Other columns of the log: the most frequent category, or the sum of a count.

    Adds them to ``out`` (from the events before the cutoff, customer codes ``bc``);
    returns the feature names and the categorical ones.
    """
    features: list[str] = []
    categorical: list[str] = []
    consumed = {c for c in (roles.id, roles.event_date, roles.amount, roles.label) if c}
    consumed |= {c for c in (roles.start, roles.end) if c}
    extra_feats = [c for c in roles.features if c in df.columns and c not in consumed]
    rows = None if isinstance(ev.index, pd.RangeIndex) else ev.index.to_numpy()
    in_before = (ev["d"] < cutoff).to_numpy()
    for c in extra_feats:
        if c in roles.categorical or not pd.api.types.is_numeric_dtype(df[c]):
            # Factorise the whole column once (integers are cheaper to move than objects).
            raw, levels = pd.factorize(df[c], use_na_sentinel=True)
            raw = (raw if rows is None else raw[rows])[in_before]
            name = f"top_{c}"
            out[name] = _most_frequent(bc, None, k, coded=(raw, np.asarray(levels, dtype=object)))
            categorical.append(name)
        else:
            col = df[c].to_numpy()
            col = (col if rows is None else col[rows])[in_before]
            name = f"{c}_before_cutoff"
            out[name] = np.bincount(bc, weights=np.nan_to_num(col.astype(float)), minlength=k)
        features.append(name)
    return features, categorical


def _personal_firsts(
    df: pd.DataFrame, roles: ColumnRoles, ev: pd.DataFrame, out: pd.DataFrame, k: int
) -> list[str]:
    """Add each customer's first non-empty personal values (name, e-mail...); their columns."""
    personal = [c for c in (roles.name, roles.email, *roles.personal) if c and c in df.columns]
    if personal:
        firsts = (
            df.iloc[ev.index.to_numpy()][personal]
            .set_axis(ev["c"].to_numpy(), axis=0)
            .groupby(level=0)
            .first()
            .reindex(range(k))
        )
        for c in personal:
            out[c if c not in out.columns else f"{c} (original)"] = firsts[c].to_numpy()
    return personal


def event_notes(n_days: int, snap: pd.Timestamp, cutoff: pd.Timestamp, n_new: int) -> list[str]:
    """How the churn label and the features of an event log were defined."""
    notes = [
        msg(
            "Churned = no event in the {days} days before the snapshot {snapshot} "
            "(last event before {cutoff}).",
            days=n_days,
            snapshot=fmt_day(snap),
            cutoff=fmt_day(cutoff),
        )
    ]
    if n_new:
        notes.append(
            msg(
                "{n:,} customers whose first event is less than {days} days before the "
                "snapshot are too new to judge: shown apart and not labelled.",
                n=n_new,
                days=n_days,
            )
        )
    notes.append(
        msg(
            "Model features are measured at the cutoff {cutoff} (snapshot minus "
            "{days} days), so they cannot contain the label; first/last event, recency, "
            "frequency and monetary value describe the churn window and are not features.",
            cutoff=fmt_day(cutoff),
            days=n_days,
        )
    )
    return notes


def inactivity_preview(
    df: pd.DataFrame,
    roles: ColumnRoles,
    days: Sequence[int] = DEFAULT_PREVIEW_DAYS,
    snapshot: Any = None,
) -> pd.DataFrame:
    """How the churn rate of an event log moves with the inactivity window N.

    Parameters
    ----------
    df : DataFrame
        The event log; not modified.
    roles : ColumnRoles
        Confirmed roles with ``id`` and ``event_date``.
    days : sequence of int
        The values of N to try.
    snapshot : date-like, optional
        Default: the latest event.

    Returns
    -------
    DataFrame
        One row per N: ``inactivity_days``, ``customers`` (all), ``too_new`` (first
        event less than N days before the snapshot), ``labelled`` (customers -
        too_new), ``churned`` (last event more than N days before the snapshot),
        ``active`` and ``churn_rate`` (churned / labelled; NaN when nobody is labelled).
    """
    if not roles.event_date:
        raise ChurnDataError(
            msg("the inactivity preview needs an event log"),
            fix=msg("choose the event date column"),
        )
    df = str_columns(df)
    check_columns(df, roles)
    ev, uniq, snap = _event_frame(df, roles, to_snapshot(snapshot), None)
    first, last = _first_last(ev["c"].to_numpy(), ev["d"], len(uniq))
    age = ((snap - first) / DAY).to_numpy(dtype=float)
    rec = ((snap - last) / DAY).to_numpy(dtype=float)
    rows = []
    for n in sorted({check_inactivity_days(x) for x in days}):  # a handful of N, not customers
        new = age < n
        churned = int(((rec > n) & ~new).sum())
        labelled = int((~new).sum())
        rows.append(
            {
                "inactivity_days": n,
                "customers": len(uniq),
                "too_new": int(new.sum()),
                "labelled": labelled,
                "churned": churned,
                "active": labelled - churned,
                "churn_rate": churned / labelled if labelled else float("nan"),
            }
        )
    return pd.DataFrame(rows)
