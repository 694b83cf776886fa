"""The customer table: :func:`build_customer_table`, and shape 1 (one row per customer).

Shape 2 (subscriptions) shares the row handling here and merges renewals in
:mod:`churn.shapes.subscriptions`; shape 3 (event logs) lives in :mod:`churn.shapes.events`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.money import with_monthly_value
from churn.roles import (
    REASON_DATE,
    ColumnRoles,
    as_number,
    label_key,
    label_texts,
    map_label,
    str_columns,
)
from churn.settings import DEFAULT_INACTIVITY_DAYS, IntakeSettings
from churn.shapes.events import from_events
from churn.shapes.helpers import (
    DAY,
    UNIT_DAYS,
    check_columns,
    clean_id_codes,
    first_rows,
    fmt_day,
    ids_of_codes,
    label_status,
    parse_date_column,
    quote_examples,
    summary_note,
    to_snapshot,
)
from churn.shapes.subscriptions import merge_subscriptions
from churn.table import (
    CANONICAL,
    CHURNED,
    END,
    ID,
    START,
    STATUS,
    TENURE,
    VALUE,
    CustomerTable,
)
from churn.text import msg

NEEDS_ROLES = msg("choose the churn column, or the start and end dates, or an event date")


def _renamer(df: pd.DataFrame, consumed: set[str]) -> dict[str, str]:
    """User columns named like a canonical column get the suffix " (original)"."""
    return {c: f"{c} (original)" for c in df.columns if c in CANONICAL and c not in consumed}


def _shape(roles: ColumnRoles) -> str:
    shape = roles.shape
    if shape == "customers" and not roles.label:
        if roles.end:
            return "subscriptions"
        raise ChurnDataError(
            msg("the file has no churn label and no dates to derive one from"),
            fix=msg("choose the churn column, or the start and end dates, or an event date"),
        )
    return shape


def build_customer_table(
    df: pd.DataFrame,
    roles: ColumnRoles | IntakeSettings,
    *,
    snapshot: Any = None,
    inactivity_days: int | None = None,
) -> CustomerTable:
    """Turn a file of any of the three shapes into one row per customer.

    Parameters
    ----------
    df : DataFrame
        The file as read; not modified.
    roles : ColumnRoles or IntakeSettings
        The confirmed roles; ``roles.shape`` picks the shape. Or the whole intake settings
        (roles, snapshot and inactivity window in one object; then leave ``snapshot``
        and ``inactivity_days`` out).
    snapshot : date-like, optional
        The "as of" date. Default: the latest date in the data (shapes 2 and 3).
    inactivity_days : int, optional
        Event logs: a customer is churned when their last event is more than this many
        days before the snapshot. Default :data:`churn.settings.DEFAULT_INACTIVITY_DAYS`.

    Returns
    -------
    CustomerTable
        Canonical columns (``customer_id``, ``churned``, ``label_status``,
        ``start_date``, ``end_date``, ``tenure_days``, ``value``) then attributes, with
        ``features``, ``excluded``, plain-language ``notes`` and the ``settings`` it was
        built with.

    Raises
    ------
    ChurnDataError
        When the roles needed for the shape are missing, a role names a column the file
        does not have, the label has no churned or no active value, or dates do not
        parse.
    """
    if isinstance(roles, IntakeSettings):
        if snapshot is not None or inactivity_days is not None:
            raise TypeError("give the snapshot and inactivity window inside the settings")
        settings = roles
    else:
        settings = None
        if inactivity_days is None:
            inactivity_days = DEFAULT_INACTIVITY_DAYS
    df = str_columns(df)
    if len(df) == 0:
        raise ChurnDataError(
            msg("the file has no data rows"), fix=msg("check that the right sheet is used")
        )
    if settings is not None:
        roles, snapshot, inactivity_days = (
            settings.roles,
            settings.snapshot,
            settings.inactivity_days,
        )
    check_columns(df, roles)
    shape = _shape(roles)
    snap = to_snapshot(snapshot)
    if shape == "events":
        table = from_events(df, roles, snap, inactivity_days)
    else:
        table = _from_rows(df, roles, snap, shape)
    table = with_monthly_value(table)  # value as money per month, by the amount's unit
    if settings is None:
        settings = IntakeSettings(roles, snapshot=snapshot, inactivity_days=inactivity_days)
    return replace(table, settings=settings)


def _ids_or_row_numbers(
    df: pd.DataFrame, roles: ColumnRoles, notes: list[str]
) -> tuple[pd.Series, np.ndarray]:
    """The clean id of each row (NaN: none) and its integer code (-1: none), the codes
    numbered by first appearance."""
    if roles.id:
        codes, labels = clean_id_codes(df[roles.id])
        return pd.Series(ids_of_codes(labels, codes), index=df.index, copy=False), codes
    notes.append(
        msg("No customer id column was chosen: each row is one customer, numbered from 1.")
    )
    numbers = pd.array(np.arange(1, len(df) + 1).astype(str), dtype="str")
    return pd.Series(numbers, index=df.index, copy=False), np.arange(len(df))


def _label(df: pd.DataFrame, roles: ColumnRoles, notes: list[str]) -> pd.Series:
    col = roles.label
    if not roles.churned_values and not roles.active_values:
        raise ChurnDataError(
            msg("no value of '{column}' is marked as meaning churned", column=col),
            fix=msg(
                "say which values of '{column}' mean churned and which mean active", column=col
            ),
            column=col,
        )
    y = map_label(df[col], roles.churned_values, roles.active_values)
    # A file of only churned (or only active) customers is a real answer, not an error:
    # a list of cancellations, or an export of current subscribers. It is summarised at
    # 100 % or 0 % with a note; only training a model needs both kinds.
    labelled = y.notna()
    if not labelled.any():
        found = [t for t in dict.fromkeys(label_texts(df[col])[0]) if t is not None]
        raise ChurnDataError(
            msg(
                "no row of '{column}' has a value meaning churned or active "
                "(values found: {examples})",
                column=col,
                examples=quote_examples(found, 8) or msg("none"),
            ),
            fix=msg(
                "check which values of '{column}' mean churned and which mean active",
                column=col,
            ),
            column=col,
        )
    n = int(labelled.sum())
    if not (y == 0.0).any():
        notes.append(
            msg(
                "Every one of the {n:,} labelled customers is marked churned in '{column}': "
                "the churn rate is 100 %. Check that the file is not only a list of "
                "cancellations; a model needs active customers too.",
                n=n,
                column=col,
            )
        )
    elif not (y == 1.0).any():
        notes.append(
            msg(
                "None of the {n:,} labelled customers is marked churned in '{column}': the "
                "churn rate is 0 %. Check that the file is not only current customers and "
                "that the churned values are chosen; a model needs churned customers too.",
                n=n,
                column=col,
            )
        )
    churned = ", ".join(f"'{v}'" for v in roles.churned_values) or msg("none")
    active = ", ".join(f"'{v}'" for v in roles.active_values) or msg("none")
    notes.append(
        msg(
            "Label from '{column}': {churned} = churned, {active} = active.",
            column=col,
            churned=churned,
            active=active,
        )
    )
    n_missing = int(df[col].isna().sum())
    n_other = len(df) - n_missing - n  # a value, but neither a churned nor an active one
    if n_other:
        mapped = {label_key(v) for v in (*roles.churned_values, *roles.active_values)} - {None}
        texts = label_texts(df[col])[0]  # each distinct value once, in order of appearance
        vals = [t for t in dict.fromkeys(texts) if t is not None and label_key(t) not in mapped]
        notes.append(
            msg(
                "{n:,} rows have other values of '{column}' ({examples}) "
                "and are left out of the churn counts.",
                n=n_other,
                column=col,
                examples=quote_examples(vals, 5),
            )
        )
    if n_missing:
        notes.append(
            msg(
                "{n:,} rows have no value in '{column}' (not labelled).",
                n=n_missing,
                column=col,
            )
        )
    return y


def _attribute_lists(
    df: pd.DataFrame, roles: ColumnRoles, consumed: set[str], rename: dict[str, str]
) -> tuple[list[str], tuple, tuple, tuple, tuple]:
    """Attribute columns kept in the table, and features/categorical/excluded/personal."""
    keep = [c for c in df.columns if c not in consumed]
    r = rename.get
    personal_src = [c for c in (roles.name, roles.email, *roles.personal) if c and c in keep]
    personal = tuple(dict.fromkeys(r(c, c) for c in personal_src))
    excluded = [(r(c, c), why) for c, why in roles.excluded if c in keep]
    # Personal columns and raw dates are never features, whatever the roles say.
    dates = [c for c in roles.features if c in keep and pd.api.types.is_datetime64_any_dtype(df[c])]
    listed = {c for c, _ in excluded}
    excluded += [(r(c, c), REASON_DATE) for c in dates if r(c, c) not in listed]
    usable = [c for c in roles.features if c in keep and c not in personal_src and c not in dates]
    features = tuple(r(c, c) for c in usable)
    categorical = tuple(r(c, c) for c in roles.categorical if c in usable)
    return keep, features, categorical, tuple(excluded), personal


def _numeric_features(frame: pd.DataFrame, features, categorical, notes: list[str]) -> tuple:
    """Numeric features stored as text ("1,234", " ") become numbers; others categorical."""
    categorical = list(categorical)
    for c in features:
        if c in categorical or pd.api.types.is_numeric_dtype(frame[c]):
            continue
        num = as_number(frame[c])
        if num is None:
            categorical.append(c)
            continue
        lost = int((num.isna() & frame[c].notna()).sum())
        frame[c] = num
        if lost:
            notes.append(
                msg(
                    "'{column}': {n:,} blank or non-numeric cells read as missing.",
                    column=c,
                    n=lost,
                )
            )
    return tuple(categorical)


def _from_rows(
    df: pd.DataFrame, roles: ColumnRoles, snap: pd.Timestamp | None, shape: str
) -> CustomerTable:
    """Shapes 1 (customers) and 2 (subscriptions)."""
    notes: list[str] = []
    rows_in = len(df)
    ids, codes = _ids_or_row_numbers(df, roles, notes)
    keep_rows = codes >= 0
    src = df  # no copy of the whole file when every row has an id (the usual case)
    if not keep_rows.all():
        notes.append(
            msg("{n:,} rows without a customer id were dropped.", n=int((~keep_rows).sum()))
        )
        src, ids, codes = df[keep_rows], ids[keep_rows], codes[keep_rows]

    start, end = _read_dates(src, roles, notes)
    snap = _snapshot_of_rows(start, end, snap, notes)
    if shape == "subscriptions" and snap is None:
        raise ChurnDataError(
            msg("the start and end date columns hold no dates"),
            fix=msg("choose the date columns again, or the churn column"),
            column=roles.end or roles.start,
        )

    y_rows = _label(src, roles, notes) if roles.label else None
    consumed = {c for c in (roles.id, roles.label, roles.start, roles.end) if c}
    rename = _renamer(src, consumed)
    keep, features, categorical, excluded, personal = _attribute_lists(src, roles, consumed, rename)

    if shape == "customers":
        out, last_rows = _customer_rows(ids, codes, src, start, end, y_rows, snap, roles, notes)
    else:
        out, last_rows = merge_subscriptions(ids, src, start, end, y_rows, snap, notes, codes=codes)

    _finish_value(out, last_rows, roles, notes)
    after = _after_snapshot(((roles.start, start), (roles.end, end)), snap) if src is df else ()
    attrs = last_rows[keep].rename(columns=rename).set_axis(out.index, axis=0)
    frame = pd.concat([out, attrs], axis=1).reset_index(drop=True)
    frame[TENURE] = frame[TENURE].astype(float)
    categorical = _numeric_features(frame, features, categorical, notes)
    return CustomerTable(
        frame=frame,
        roles=roles,
        shape=shape,
        snapshot=snap,
        rows_in=rows_in,
        features=features,
        categorical=categorical,
        excluded=excluded,
        personal=personal,
        inactivity_days=None,
        notes=tuple(summary_note(frame, shape) + notes),
        dates_after_snapshot=after,
    )


def _after_snapshot(
    dates: tuple[tuple[str | None, pd.Series | None], ...], snap: pd.Timestamp | None
) -> tuple[tuple[str, int], ...]:
    """(column, dates after the snapshot) of each date column read, for validation."""
    if snap is None:
        return ()
    day = snap.normalize()
    return tuple(
        (col, int((d.dt.normalize() > day).sum())) for col, d in dates if col and d is not None
    )


def _read_dates(
    src: pd.DataFrame, roles: ColumnRoles, notes: list[str]
) -> tuple[pd.Series | None, pd.Series | None]:
    """The start and end dates (None without the role); unreadable dates become NaT."""
    start = end = None
    bad: list[tuple[int, str]] = []
    if roles.start:
        start, n_bad = parse_date_column(
            src[roles.start], dayfirst=roles.dayfirst, column=roles.start
        )
        if n_bad:
            bad.append((n_bad, roles.start))
    if roles.end:
        end, n_bad = parse_date_column(src[roles.end], dayfirst=roles.dayfirst, column=roles.end)
        if n_bad:
            bad.append((n_bad, roles.end))
    if len(bad) == 1:
        notes.append(
            msg(
                "Unreadable dates were treated as missing: {n:,} in '{column}'.",
                n=bad[0][0],
                column=bad[0][1],
            )
        )
    elif bad:
        notes.append(
            msg(
                "Unreadable dates were treated as missing: {n_start:,} in '{start}', "
                "{n_end:,} in '{end}'.",
                n_start=bad[0][0],
                start=bad[0][1],
                n_end=bad[1][0],
                end=bad[1][1],
            )
        )
    return start, end


def _snapshot_of_rows(
    start: pd.Series | None,
    end: pd.Series | None,
    snap: pd.Timestamp | None,
    notes: list[str],
) -> pd.Timestamp | None:
    """The chosen snapshot, else the latest start or end date (None: no dates at all)."""
    data_max = max(
        (d.max() for d in (start, end) if d is not None and d.notna().any()), default=None
    )
    if snap is None and data_max is not None:
        snap = data_max
        notes.append(
            msg("Snapshot date: {date} (the latest date in the data).", date=fmt_day(snap))
        )
    elif snap is not None:
        notes.append(msg("Snapshot date: {date} (chosen).", date=fmt_day(snap)))
    return snap


def _customer_rows(
    ids: pd.Series,
    codes: np.ndarray,
    src: pd.DataFrame,
    start: pd.Series | None,
    end: pd.Series | None,
    y_rows: pd.Series,
    snap: pd.Timestamp | None,
    roles: ColumnRoles,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shape 1: the first row of each customer id; the canonical columns and those rows.

    ``codes`` are the ids' integer codes (by first appearance, no -1).
    """
    sel = first_rows(codes)
    y = y_rows
    if not sel.all():  # rows are copied only when some repeat an id
        notes.append(
            msg(
                "{n:,} rows repeat a customer id already seen and were dropped "
                "(the first row of each id was kept).",
                n=int((~sel).sum()),
            )
        )
        ids, src = ids[sel], src[sel]
        y = y_rows[sel]
        start = start[sel] if start is not None else None
        end = end[sel] if end is not None else None
    out = pd.DataFrame({ID: ids.array}, index=src.index)
    out[CHURNED] = y.to_numpy()
    out[STATUS] = label_status(y).array
    out[START] = start if start is not None else pd.NaT
    out[END] = end.where(y == 1) if end is not None else pd.NaT
    out[START] = out[START].astype("datetime64[ns]")
    out[END] = out[END].astype("datetime64[ns]")
    if roles.tenure:
        factor = UNIT_DAYS.get(roles.tenure_unit, UNIT_DAYS["months"])
        num = as_number(src[roles.tenure])
        if num is None:
            raise ChurnDataError(
                msg("'{column}' is not a number", column=roles.tenure),
                fix=msg("choose a tenure column that holds numbers, or none"),
                column=roles.tenure,
            )
        out[TENURE] = num * factor
        notes.append(_tenure_note(roles.tenure, roles.tenure_unit))
    elif start is not None and snap is not None:
        stop = out[END].fillna(snap)
        out[TENURE] = (stop - out[START]) / DAY
    else:
        out[TENURE] = np.nan
    return out, src


def _tenure_note(column: str, unit: str) -> str:
    """How the tenure was read from a duration column (the unit as a word)."""
    if unit == "days":
        return msg("Tenure from '{column}' in days.", column=column)
    if unit == "weeks":
        return msg("Tenure from '{column}' in weeks.", column=column)
    if unit == "years":
        return msg("Tenure from '{column}' in years.", column=column)
    if unit == "months":
        return msg("Tenure from '{column}' in months.", column=column)
    return msg("Tenure from '{column}' in {unit}.", column=column, unit=unit)


def _finish_value(out: pd.DataFrame, rows: pd.DataFrame, roles: ColumnRoles, notes) -> None:
    if roles.amount:
        num = as_number(rows[roles.amount])
        if num is None:
            raise ChurnDataError(
                msg("'{column}' is not a number", column=roles.amount),
                fix=msg("choose an amount column that holds numbers, or none"),
                column=roles.amount,
            )
        out[VALUE] = num.to_numpy()
    else:
        out[VALUE] = np.nan
