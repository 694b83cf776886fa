"""The three input shapes of a churn file become one customer table.

1. **customers**: one row per customer with a churn label (plus attributes);
2. **subscriptions**: start and end dates (an empty end means still active); the label
   and the tenure follow from the dates at the snapshot date;
3. **events**: a transaction or event log; a customer is churned when their last event
   is more than N days before the snapshot date.

:func:`build_customer_table` returns a :class:`~churn.table.CustomerTable` whatever the
shape; :func:`inactivity_preview` shows how an event log's churn rate moves with N.
Everything is vectorised (factorize, bincount, ufunc.at), so a log of millions of events takes
seconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.roles import (
    REASON_DATE,
    SINGLE_ROLES,
    ColumnRoles,
    _as_number,
    label_text,
    map_label,
    str_columns,
)
from churn.table import (
    CANONICAL,
    CHURNED,
    END,
    ID,
    START,
    STATUS,
    STATUS_ACTIVE,
    STATUS_CHURNED,
    STATUS_EXCLUDED,
    STATUS_TOO_NEW,
    TENURE,
    VALUE,
    CustomerTable,
)
from churn.text import msg

DAY = pd.Timedelta(days=1)
#: Days per tenure unit (a month is 365.25 / 12 days).
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12, "years": 365.25}
#: Window of the activity trend of event logs: orders in the last TREND_DAYS before the
#: cutoff minus orders in the TREND_DAYS before those.
TREND_DAYS = 90
#: Excluded-reason of the descriptive columns of an event log.
REASON_WINDOW = msg("describes the churn window (leakage)")
#: Share of unreadable dates above which a date column is refused.
MAX_BAD_DATES = 0.10

NEEDS_ROLES = msg("choose the churn column, or the start and end dates, or an event date")
DEFAULT_PREVIEW_DAYS = (30, 60, 90, 120, 180, 270, 365)


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _fmt_day(ts: pd.Timestamp | None) -> str:
    return "-" if ts is None or pd.isna(ts) else ts.strftime("%Y-%m-%d")


def _examples(values: Sequence[Any], k: int = 3) -> str:
    return ", ".join(f"'{v}'" for v in list(values)[:k])


def _clean_texts(uniques: Any) -> np.ndarray:
    """Distinct raw ids as stripped strings (1.0 -> "1"); blanks become None."""
    u = pd.Series(uniques)
    if len(u) == 0:
        return np.array([], dtype=object)
    if pd.api.types.is_bool_dtype(u) or (
        pd.api.types.is_object_dtype(u) and pd.api.types.infer_dtype(u) not in ("string",)
    ):
        return np.array([label_text(v) for v in u], dtype=object)  # mixed: rare and small
    if pd.api.types.is_float_dtype(u):
        whole = np.isfinite(u) & (u == np.floor(u))
        text = u.astype(str)
        text[whole] = u[whole].astype("int64").astype(str)
        return text.to_numpy(dtype=object)
    if pd.api.types.is_integer_dtype(u):
        return u.astype(str).to_numpy(dtype=object)
    text = u.astype(str).str.strip()
    return text.where(text != "", None).to_numpy(dtype=object)


def _id_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of clean ids (-1 = no id) and the clean id of each code.

    The column is factorised once; cleaning works on its distinct values, and values
    that clean to the same id (" a1" and "a1") share a code.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    clean = _clean_texts(uniques)
    c2, labels = pd.factorize(pd.Series(clean, dtype=object), use_na_sentinel=True)
    codes = np.append(c2, -1)[codes]
    return codes, np.asarray(labels, dtype=object)


def _clean_ids(s: pd.Series) -> pd.Series:
    """Ids as stripped strings (1.0 -> "1"); missing or blank ids become NaN."""
    codes, labels = _id_codes(s)
    return pd.Series(np.append(labels, None)[codes], index=s.index, dtype=object)


def _to_snapshot(snapshot: Any) -> pd.Timestamp | None:
    if snapshot is None or (isinstance(snapshot, str) and not snapshot.strip()):
        return None
    try:
        ts = pd.Timestamp(snapshot)
    except (ValueError, TypeError) as exc:
        raise ChurnDataError(
            msg("the snapshot date '{snapshot}' is not a date", snapshot=snapshot),
            fix=msg("give it as YYYY-MM-DD, e.g. 2024-06-30"),
        ) from exc
    if pd.isna(ts):
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts


_KO_DATE = re.compile(r"^\s*(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일?")
_DOT_DATE = re.compile(r"^\s*(\d{4})\.\s?(\d{1,2})\.\s?(\d{1,2})\.?")


def _fallback_parse(values: pd.Series, dayfirst: bool | None) -> pd.Series:
    """Date parsing used when ``churn.io.parse_dates`` is not available."""
    if pd.api.types.is_numeric_dtype(values):
        num = values.astype(float)
        serial = num.between(20000, 80000)  # Excel serial days since 1899-12-30
        out = pd.to_datetime(num.where(serial), unit="D", origin="1899-12-30", errors="coerce")
        return out
    text = values.astype(str).str.strip()
    text = text.str.replace(_KO_DATE, r"\1-\2-\3", regex=True)
    text = text.str.replace(_DOT_DATE, r"\1-\2-\3", regex=True)
    return pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=bool(dayfirst))


def parse_date_column(
    s: pd.Series, *, dayfirst: bool | None = None, column: str | None = None
) -> tuple[pd.Series, int]:
    """Parse a date column; each distinct value is parsed once.

    Uses ``churn.io.parse_dates`` (which asks about day-first vs month-first when that is
    ambiguous) and falls back to pandas when that module is absent.

    Returns
    -------
    dates : Series of datetime64[ns] (tz-naive), aligned with ``s``
    unreadable : int
        Non-empty cells that are not dates (they become NaT).

    Raises
    ------
    ChurnDataError
        When more than 10 % of the non-empty cells are not dates.
    """
    if pd.api.types.is_datetime64_any_dtype(s):
        out = pd.to_datetime(s)
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out.astype("datetime64[ns]"), 0
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
        # Blank text is missing, not unreadable.
        blank = np.array([str(u).strip() == "" for u in uniques], dtype=bool)
    else:
        blank = np.zeros(len(uniques), dtype=bool)
    if len(uniques) == 0:
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]"), 0
    u = pd.Series(uniques, dtype=s.dtype if s.dtype != object else object)
    try:
        from churn.io import parse_dates
    except ImportError:  # churn.io not written yet: read dates with pandas
        parse_dates = None
    if parse_dates is not None:
        parsed = parse_dates(u, dayfirst=dayfirst, column=column)
    else:
        parsed = _fallback_parse(u, dayfirst)
    parsed = pd.to_datetime(parsed, errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    pv = parsed.to_numpy(dtype="datetime64[ns]").copy()
    pv[blank] = np.datetime64("NaT")
    bad_u = np.isnat(pv) & ~blank
    values = np.append(pv, np.datetime64("NaT", "ns"))[codes]
    out = pd.Series(values, index=s.index, dtype="datetime64[ns]")
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    n_bad = int(counts[bad_u].sum())
    n_filled = int(counts[~blank].sum())
    if n_filled and n_bad / n_filled > MAX_BAD_DATES:
        raise ChurnDataError(
            msg(
                "{n_bad:,} of {n_filled:,} values in '{column}' are not dates (e.g. {examples})",
                n_bad=n_bad,
                n_filled=n_filled,
                column=column,
                examples=_examples(np.asarray(uniques)[bad_u]),
            ),
            fix=msg("check that this is the right date column, or choose another one"),
            column=column,
        )
    return out, n_bad


def _check_columns(df: pd.DataFrame, roles: ColumnRoles) -> None:
    cols = list(df.columns)
    for role in SINGLE_ROLES:
        col = getattr(roles, role)
        if col is not None and col not in cols:
            raise ChurnDataError(
                msg(
                    "column '{column}' (chosen as {role}) is not in the file", column=col, role=role
                ),
                fix=msg("choose one of: {columns}", columns=", ".join(map(str, cols[:30]))),
                column=col,
            )


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


# --------------------------------------------------------------------------------------
# The customer table
# --------------------------------------------------------------------------------------


def build_customer_table(
    df: pd.DataFrame,
    roles: ColumnRoles,
    *,
    snapshot: Any = None,
    inactivity_days: int | None = 90,
) -> CustomerTable:
    """Turn a file of any of the three shapes into one row per customer.

    Parameters
    ----------
    df : DataFrame
        The file as read; not modified.
    roles : ColumnRoles
        The confirmed roles; ``roles.shape`` picks the shape.
    snapshot : date-like, optional
        The "as of" date. Default: the latest date in the data (shapes 2 and 3).
    inactivity_days : int, default 90
        Event logs: a customer is churned when their last event is more than this many
        days before the snapshot.

    Returns
    -------
    CustomerTable
        Canonical columns (``customer_id``, ``churned``, ``label_status``,
        ``start_date``, ``end_date``, ``tenure_days``, ``value``) then attributes, with
        ``features``, ``excluded`` and plain-language ``notes``.

    Raises
    ------
    ChurnDataError
        When the roles needed for the shape are missing, a role names a column the file
        does not have, the label has no churned or no active value, or dates do not
        parse.
    """
    df = str_columns(df)
    if len(df) == 0:
        raise ChurnDataError(
            msg("the file has no data rows"), fix=msg("check that the right sheet is used")
        )
    _check_columns(df, roles)
    shape = _shape(roles)
    snap = _to_snapshot(snapshot)
    if shape == "events":
        return _from_events(df, roles, snap, inactivity_days)
    return _from_rows(df, roles, snap, shape)


def _ids_or_row_numbers(df: pd.DataFrame, roles: ColumnRoles, notes: list[str]) -> pd.Series:
    if roles.id:
        return _clean_ids(df[roles.id])
    notes.append(
        msg("No customer id column was chosen: each row is one customer, numbered from 1.")
    )
    return pd.Series([str(i + 1) for i in range(len(df))], index=df.index, dtype=object)


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
        found = df[col].map(label_text).dropna().unique()
        raise ChurnDataError(
            msg(
                "no row of '{column}' has a value meaning churned or active "
                "(values found: {examples})",
                column=col,
                examples=_examples(found, 8) or msg("none"),
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
    other = df[col].notna() & y.isna()
    if other.any():
        vals = df.loc[other, col].map(label_text).dropna().unique()
        notes.append(
            msg(
                "{n:,} rows have other values of '{column}' ({examples}) "
                "and are left out of the churn counts.",
                n=int(other.sum()),
                column=col,
                examples=_examples(vals, 5),
            )
        )
    if df[col].isna().any():
        notes.append(
            msg(
                "{n:,} rows have no value in '{column}' (not labelled).",
                n=int(df[col].isna().sum()),
                column=col,
            )
        )
    return y


def _status(y: pd.Series) -> pd.Series:
    return pd.Series(
        np.select([y == 1, y == 0], [STATUS_CHURNED, STATUS_ACTIVE], STATUS_EXCLUDED),
        index=y.index,
        dtype=object,
    )


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
        num = _as_number(frame[c])
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
    ids = _ids_or_row_numbers(df, roles, notes)
    keep_rows = ids.notna()
    if not keep_rows.all():
        notes.append(
            msg("{n:,} rows without a customer id were dropped.", n=int((~keep_rows).sum()))
        )
    src = df[keep_rows]
    ids = ids[keep_rows]

    # Dates.
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
    data_max = max(
        (d.max() for d in (start, end) if d is not None and d.notna().any()), default=None
    )
    if snap is None and data_max is not None:
        snap = data_max
        notes.append(
            msg("Snapshot date: {date} (the latest date in the data).", date=_fmt_day(snap))
        )
    elif snap is not None:
        notes.append(msg("Snapshot date: {date} (chosen).", date=_fmt_day(snap)))
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
        dup = ids.duplicated(keep="first")
        if dup.any():
            notes.append(
                msg(
                    "{n:,} rows repeat a customer id already seen and were dropped "
                    "(the first row of each id was kept).",
                    n=int(dup.sum()),
                )
            )
        sel = ~dup.to_numpy()
        ids, src = ids[sel], src[sel]
        y = y_rows[sel]
        start = start[sel] if start is not None else None
        end = end[sel] if end is not None else None
        out = pd.DataFrame({ID: ids.to_numpy()}, index=src.index)
        out[CHURNED] = y.to_numpy()
        out[STATUS] = _status(y).to_numpy()
        out[START] = start if start is not None else pd.NaT
        out[END] = end.where(y == 1) if end is not None else pd.NaT
        out[START] = out[START].astype("datetime64[ns]")
        out[END] = out[END].astype("datetime64[ns]")
        if roles.tenure:
            factor = UNIT_DAYS.get(roles.tenure_unit, UNIT_DAYS["months"])
            num = _as_number(src[roles.tenure])
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
        last_rows = src
    else:
        out, last_rows = _subscriptions(ids, src, start, end, y_rows, snap, notes)

    _finish_value(out, last_rows, roles, notes)
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
        notes=tuple(_summary_note(frame, shape) + notes),
    )


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
        num = _as_number(rows[roles.amount])
        if num is None:
            raise ChurnDataError(
                msg("'{column}' is not a number", column=roles.amount),
                fix=msg("choose an amount column that holds numbers, or none"),
                column=roles.amount,
            )
        out[VALUE] = num.to_numpy()
    else:
        out[VALUE] = np.nan


def _subscriptions(
    ids: pd.Series,
    src: pd.DataFrame,
    start: pd.Series | None,
    end: pd.Series | None,
    y_rows: pd.Series | None,
    snap: pd.Timestamp,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per customer from subscription rows (renewals are merged)."""
    n = len(src)
    start = start if start is not None else pd.Series(pd.NaT, index=src.index, dtype="M8[ns]")
    end = end if end is not None else pd.Series(pd.NaT, index=src.index, dtype="M8[ns]")
    not_yet = (start > snap).to_numpy()
    if not_yet.any():
        notes.append(
            msg(
                "{n:,} subscriptions start after the snapshot and were left out.",
                n=int(not_yet.sum()),
            )
        )
        sel = ~not_yet
        ids, src, start, end = ids[sel], src[sel], start[sel], end[sel]
        y_rows = y_rows[sel] if y_rows is not None else None
        if len(src) == 0:
            raise ChurnDataError(
                msg("every subscription starts after the snapshot date"),
                fix=msg("choose a later snapshot date"),
            )
    after = (end > snap).to_numpy()
    if after.any():
        notes.append(
            msg(
                "{n:,} end dates fall after the snapshot {date}: those "
                "subscriptions count as still active at the snapshot.",
                n=int(after.sum()),
                date=_fmt_day(snap),
            )
        )
    active_row = (end.isna() | (end > snap)).to_numpy()
    codes, uniq = pd.factorize(ids)
    g = pd.DataFrame(
        {"c": codes, "s": start.to_numpy(), "e": end.where(~active_row).to_numpy(), "a": active_row}
    ).groupby("c", sort=True)
    first_start = g["s"].min()
    last_end = g["e"].max()
    any_active = g["a"].max().astype(bool)
    # The latest subscription of each customer gives the attributes (current plan, fee).
    order = np.lexsort((start.to_numpy(dtype="M8[ns]").astype("int64"), codes))
    last_pos = order[np.r_[np.diff(codes[order]) != 0, True]]
    last_rows = src.iloc[last_pos]

    out = pd.DataFrame({ID: np.asarray(uniq, dtype=object)})
    ended = (~any_active).to_numpy()
    out[START] = first_start.to_numpy()
    out[END] = np.where(ended, last_end.to_numpy(), np.datetime64("NaT"))
    out[END] = out[END].astype("datetime64[ns]")
    out[START] = out[START].astype("datetime64[ns]")
    if y_rows is not None:
        y = pd.Series(y_rows.to_numpy()[last_pos])
        notes.append(
            msg(
                "The label column decides who churned; the dates give the tenure "
                "(for several subscriptions, the label of the latest one counts)."
            )
        )
    else:
        y = pd.Series(np.where(ended, 1.0, 0.0))
        notes.append(
            msg(
                "Churned = the last subscription ended on or before the snapshot; "
                "an empty end date means still active."
            )
        )
    out.insert(1, CHURNED, y.to_numpy(dtype=float))
    out.insert(2, STATUS, _status(y).to_numpy())
    stop = out[END].fillna(snap)
    out[TENURE] = (stop - out[START]) / DAY
    if len(out) < n:
        notes.append(
            msg(
                "{n:,} subscription rows were merged into {k:,} customers "
                "(first start, last end; active if any subscription is active).",
                n=n,
                k=len(out),
            )
        )
    return out, last_rows


def _summary_note(frame: pd.DataFrame, shape: str) -> list[str]:
    lab = frame[CHURNED].dropna()
    kind = {
        "customers": msg("one row per customer with a churn label"),
        "subscriptions": msg("subscriptions with start and end dates"),
        "events": msg("an event log"),
    }[shape]
    rate = f"{lab.mean():.1%}" if len(lab) else "-"
    return [
        msg(
            "Built from {kind}: {n:,} customers, {churned:,} churned of "
            "{labelled:,} labelled ({rate}).",
            kind=kind,
            n=len(frame),
            churned=int((lab == 1).sum()),
            labelled=len(lab),
            rate=rate,
        )
    ]


# --------------------------------------------------------------------------------------
# Event logs
# --------------------------------------------------------------------------------------


def _event_frame(
    df: pd.DataFrame, roles: ColumnRoles, snap: pd.Timestamp | None, notes: list[str] | None
) -> tuple[pd.DataFrame, pd.Index, pd.Timestamp]:
    """Events with integer customer codes, dates at midnight, amounts; and the snapshot."""
    if not roles.id:
        raise ChurnDataError(
            msg("an event log needs a customer id column to group events by customer"),
            fix=msg("choose the customer id column"),
        )
    id_codes, labels = _id_codes(df[roles.id])
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
            notes.append(msg("Snapshot date: {date} (the latest event).", date=_fmt_day(snap)))
    else:
        snap = snap.normalize()
        after = ok & (dates > snap).to_numpy()
        if notes is not None:
            notes.append(msg("Snapshot date: {date} (chosen).", date=_fmt_day(snap)))
            if after.any():
                notes.append(
                    msg("{n:,} events after the snapshot were ignored.", n=int(after.sum()))
                )
        ok &= ~after
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
        num = _as_number(df[roles.amount])
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


def _check_days(inactivity_days: Any) -> int:
    try:
        n = int(inactivity_days)
    except (TypeError, ValueError) as exc:
        raise ChurnDataError(
            msg(
                "the inactivity window '{days}' is not a whole number of days",
                days=inactivity_days,
            ),
            fix=msg("give a number of days such as 90"),
        ) from exc
    if n < 1:
        raise ChurnDataError(
            msg("the inactivity window must be at least 1 day, not {n}", n=n),
            fix=msg("give a number of days such as 90"),
        )
    return n


def _from_events(
    df: pd.DataFrame, roles: ColumnRoles, snap: pd.Timestamp | None, inactivity_days: Any
) -> CustomerTable:
    notes: list[str] = []
    n_days = _check_days(90 if inactivity_days is None else inactivity_days)
    ev, uniq, snap = _event_frame(df, roles, snap, notes)
    k = len(uniq)
    c_all = ev["c"].to_numpy()
    first, last = _first_last(c_all, ev["d"], k)
    frequency = pd.Series(np.bincount(c_all, minlength=k))
    cutoff = snap - pd.Timedelta(days=n_days)

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
    has_amount = "a" in ev
    monetary = np.full(k, np.nan)
    if has_amount:
        a = ev["a"].to_numpy(dtype=float)
        known = ~np.isnan(a)
        total = np.bincount(c_all[known], weights=a[known], minlength=k)
        monetary = np.where(np.bincount(c_all[known], minlength=k) > 0, total, np.nan)
    out[VALUE] = monetary

    # Descriptive columns: they describe the churn window itself, so never features.
    out["first_event"] = first.to_numpy()
    out["last_event"] = last.to_numpy()
    out["recency_days"] = recency.to_numpy(dtype=float)
    out["frequency"] = frequency.to_numpy()
    out["monetary"] = monetary
    window = ("first_event", "last_event", "recency_days", "frequency", "monetary")

    # Model features, measured at the cutoff (snapshot - N days): they cannot see the
    # window that decides the label.
    before = ev[ev["d"] < cutoff]
    bc = before["c"].to_numpy()
    orders = np.bincount(bc, minlength=k).astype(float)
    _, last_before = _first_last(bc, before["d"], k)
    features: list[str] = []
    out["recency_at_cutoff_days"] = ((cutoff - last_before) / DAY).to_numpy(dtype=float)
    out["orders_before_cutoff"] = orders
    features += ["recency_at_cutoff_days", "orders_before_cutoff"]
    if has_amount:
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
    categorical: list[str] = []

    # Other columns of the log: the most frequent category, or the sum of a count.
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
    excluded = tuple((c, REASON_WINDOW) for c in window) + tuple(
        (c, why) for c, why in roles.excluded if c in df.columns
    )

    n_new = int(too_new.sum())
    notes.append(
        msg(
            "Churned = no event in the {days} days before the snapshot {snapshot} "
            "(last event before {cutoff}).",
            days=n_days,
            snapshot=_fmt_day(snap),
            cutoff=_fmt_day(cutoff),
        )
    )
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
            cutoff=_fmt_day(cutoff),
            days=n_days,
        )
    )
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
        notes=tuple(_summary_note(out, "events") + notes),
    )


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
    _check_columns(df, roles)
    ev, uniq, snap = _event_frame(df, roles, _to_snapshot(snapshot), None)
    first, last = _first_last(ev["c"].to_numpy(), ev["d"], len(uniq))
    age = ((snap - first) / DAY).to_numpy(dtype=float)
    rec = ((snap - last) / DAY).to_numpy(dtype=float)
    rows = []
    for n in sorted({_check_days(x) for x in days}):  # a handful of N, not customers
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
