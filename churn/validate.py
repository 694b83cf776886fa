"""Soft problems in a churn file, as a list of :class:`~churn.errors.ValidationIssue`.

Each issue has a stable ``code`` (translated by the UI), a severity (``error``: the
analysis cannot be trusted as it is; ``warning``: look at this; ``info``: good to know),
the column concerned, an English message and a suggested fix (both :func:`churn.text.msg`
texts, so the UI can show them in another language when it has no text for a code).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.duplicates import copies_issue
from churn.errors import ChurnDataError, ValidationIssue
from churn.roles import (
    FACT_ROWS,
    REASON_LEAK_NAME,
    REASON_LEAK_PREFIX,
    ColumnRoles,
    facts_of,
    is_leaky_name,
    label_key,
    label_texts,
    leakage_detail,
    map_label,
    no_churn_issue,
    no_end_issue,
    str_columns,
)
from churn.table import CHURNED, END, STATUS, STATUS_TOO_NEW, CustomerTable
from churn.text import msg

#: Below these counts a churn model is not worth training.
MIN_ROWS = 100
MIN_PER_CLASS = 20
#: Missing share from which a missing-values issue is a warning rather than info.
MISSING_WARN = 0.2
#: Customers the leakage check looks at in a larger table (a seeded random sample).
LEAKAGE_ROWS = 50_000


def _sample_positions(n: int, k: int) -> np.ndarray | None:
    """Sorted positions of a seeded random sample of ``k`` of ``n`` rows; None when
    ``n <= k`` (every row is used)."""
    if n <= k:
        return None
    return np.sort(np.random.default_rng(0).choice(n, size=k, replace=False))


def validate(
    df: pd.DataFrame, roles: ColumnRoles, table: CustomerTable | None = None
) -> list[ValidationIssue]:
    """Check a file and its confirmed roles for problems the user should know about.

    Parameters
    ----------
    df : DataFrame
        The file as read; not modified.
    roles : ColumnRoles
        The confirmed (or proposed) roles.
    table : CustomerTable, optional
        The table built from ``df`` and ``roles``; built here when not given (a build
        failure becomes an ``error`` issue instead of an exception).

    Returns
    -------
    list of ValidationIssue
        Errors first, then warnings, then info. Codes: ``duplicate_ids``,
        ``duplicate_rows`` (the same customer under two ids),
        ``conflicting_labels``, ``missing_values``, ``constant_column``,
        ``id_like_column``, ``personal_column``, ``leakage_name``,
        ``leakage_separates``, ``date_after_snapshot``, ``too_few_rows``,
        ``too_few_churned``, ``no_churned``, ``churned_without_end``,
        ``unknown_label_values``, ``too_new``,
        ``label_missing``, ``build_failed``.
    """
    df = str_columns(df)
    issues: list[ValidationIssue] = []
    add = issues.append
    if table is None:
        from churn.shapes import build_customer_table

        try:
            table = build_customer_table(df, roles)
        except ChurnDataError as exc:
            add(ValidationIssue("error", "build_failed", exc.column, exc.as_text(), exc.fix or ""))
    shape = table.shape if table is not None else roles.shape

    _check_label(df, roles, shape, add, table)
    _check_ids(df, roles, shape, add, table)
    _check_columns(df, roles, shape, add)
    if table is not None:
        _check_table(df, roles, table, add)
        # a status, label or end date, yet nobody churned: say which column to check
        nobody = no_churn_issue(df, roles, table.n_churned, table.snapshot)
        n_ended = int(table.frame[END][table.frame[CHURNED] == 1].notna().sum())
        no_end = no_end_issue(df, roles, table.n_churned, n_ended)
        for issue in (nobody, no_end):
            if issue is not None:
                add(issue)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(issues, key=lambda i: order[i.severity])


def _one_customer_per_row(df, roles: ColumnRoles, shape: str, table: CustomerTable | None) -> bool:
    """Whether ``table`` (built from ``df`` with ``roles``) made every row a customer of its
    own: then no id is empty or repeated, and the checks of ids need not hash them again."""
    return (
        table is not None
        and table.shape == shape
        and table.roles == roles
        and table.rows_in == len(df) == table.n_customers
    )


def _check_label(df, roles: ColumnRoles, shape: str, add, table: CustomerTable | None) -> None:
    if not roles.label and not roles.start and not roles.end and not roles.event_date:
        add(
            ValidationIssue(
                "error",
                "label_missing",
                None,
                msg("No churn label and no dates: churn cannot be measured."),
                msg("Choose the churn column, or the start and end dates, or an event date."),
            )
        )
        return
    if not roles.label or shape == "events" or roles.label not in df.columns:
        return
    if _one_customer_per_row(df, roles, shape, table) and table.n_labelled == len(df):
        return  # every row labelled churned or active: no missing or unknown label value
    col = roles.label
    s = df[col]
    n_missing = int(s.isna().sum())
    if n_missing:
        add(
            ValidationIssue(
                "warning",
                "label_missing",
                col,
                msg(
                    "{n:,} rows have no value in the label column '{column}'; "
                    "they are not labelled.",
                    n=n_missing,
                    column=col,
                ),
                msg("Fill the label in the source file, or accept that these rows are left out."),
                n_missing,
            )
        )
    known = {label_key(v) for v in (*roles.churned_values, *roles.active_values)}
    # one conversion per distinct value, not per row
    texts, counts = label_texts(s)
    unknown = np.array([label_key(t) not in known for t in texts], dtype=bool)
    n_unknown = int(counts[unknown].sum()) if len(texts) else 0
    if n_unknown:
        named = unknown & np.array([t is not None for t in texts], dtype=bool)
        vals = (
            pd.Series(counts[named], index=pd.Index(np.asarray(texts, dtype=object)[named]))
            .groupby(level=0, sort=False)
            .sum()
            .sort_values(ascending=False, kind="stable")  # as ``value_counts`` orders them
        )
        listed = ", ".join(f"'{v}' ({n:,})" for v, n in vals.head(6).items())
        add(
            ValidationIssue(
                "warning",
                "unknown_label_values",
                col,
                msg(
                    "{n:,} rows of '{column}' have values that mean neither churned nor "
                    "active: {values}. They are left out of the churn counts.",
                    n=n_unknown,
                    column=col,
                    values=listed,
                ),
                msg("Map each value to churned, active or leave out on the Data page."),
                n_unknown,
            )
        )


def _check_ids(df, roles: ColumnRoles, shape: str, add, table: CustomerTable | None) -> None:
    if not roles.id or roles.id not in df.columns or shape == "events":
        return
    if _one_customer_per_row(df, roles, shape, table):
        return
    from churn.shapes import clean_id_codes

    codes, labels = clean_id_codes(df[roles.id])  # integers: no second hashing of the ids
    known = codes >= 0
    per_id = np.bincount(codes[known], minlength=len(labels))
    repeated = per_id > 1
    if not repeated.any():
        return
    n_ids = int(repeated.sum())
    n_extra = int((per_id[repeated] - 1).sum())
    if shape == "customers":
        add(
            ValidationIssue(
                "warning",
                "duplicate_ids",
                roles.id,
                msg(
                    "{n_ids:,} customer ids appear more than once ({n_extra:,} extra rows); "
                    "only the first row of each id is kept.",
                    n_ids=n_ids,
                    n_extra=n_extra,
                ),
                msg(
                    "Remove duplicate rows in the source file, or check that the id column is "
                    "right."
                ),
                n_extra,
            )
        )
    else:
        add(
            ValidationIssue(
                "info",
                "duplicate_ids",
                roles.id,
                msg(
                    "{n_ids:,} customers have more than one subscription row ({n_extra:,} extra "
                    "rows); they are merged into one customer each.",
                    n_ids=n_ids,
                    n_extra=n_extra,
                ),
                msg("Nothing to do if these are renewals."),
                n_extra,
            )
        )
    if roles.label and roles.label in df.columns:
        y = map_label(df[roles.label], roles.churned_values, roles.active_values).to_numpy()
        n = len(labels)
        # an id with a churned row and an active row (y is 1.0, 0.0 or NaN)
        has_churned = np.bincount(codes[known & (y == 1)], minlength=n) > 0
        has_active = np.bincount(codes[known & (y == 0)], minlength=n) > 0
        n_conf = int((has_churned & has_active).sum())
        if n_conf:
            add(
                ValidationIssue(
                    "warning" if shape == "subscriptions" else "error",
                    "conflicting_labels",
                    roles.label,
                    msg(
                        "{n:,} customer ids appear with different labels (churned in one "
                        "row, active in another).",
                        n=n_conf,
                    ),
                    msg("Keep one row per customer in the source file, or check the id column."),
                    n_conf,
                )
            )


def _role_columns(roles: ColumnRoles) -> set[str]:
    return {c for c in roles.assigned().values()}


def _check_columns(df, roles: ColumnRoles, shape: str, add) -> None:
    n = len(df)
    features = set(roles.features)
    role_cols = _role_columns(roles)
    personal = {c for c in (roles.name, roles.email, *roles.personal) if c}
    # The facts of a role column serve only to count blank text in a small file: a large
    # one is described without its ids, names and e-mails (the costly columns).
    described = df if n <= FACT_ROWS else df[[c for c in df.columns if c not in role_cols]]
    facts = facts_of(described) if n else {}
    for c in df.columns:
        s = df[c]
        if n == 0:
            break
        f = facts.get(c)
        n_missing = int(s.isna().sum())
        if n <= FACT_ROWS and f.kind == "text":  # blank text counts as missing too
            n_missing = int(round(f.missing * n))
        # An empty end date means still active; an empty reason means nobody said why.
        allowed_empty = c in (roles.end, roles.reason)
        if n_missing and not allowed_empty:
            share = n_missing / n
            add(
                ValidationIssue(
                    "warning" if share >= MISSING_WARN else "info",
                    "missing_values",
                    c,
                    msg(
                        "'{column}' is empty in {n_missing:,} of {n:,} rows ({share:.1%}).",
                        column=c,
                        n_missing=n_missing,
                        n=n,
                        share=share,
                    ),
                    msg(
                        "Missing values are kept as missing; fill them in the source file if "
                        "they have a meaning (e.g. 0)."
                    ),
                    n_missing,
                )
            )
        if c not in role_cols and f.nunique <= 1:
            add(
                ValidationIssue(
                    "info",
                    "constant_column",
                    c,
                    msg(
                        "'{column}' has the same value in every row; it cannot explain churn.",
                        column=c,
                    ),
                    msg("Nothing to do: it is left out of the model."),
                )
            )
        if c in personal:
            add(
                ValidationIssue(
                    "warning" if c in features else "info",
                    "personal_column",
                    c,
                    msg(
                        "'{column}' holds personal data: kept for exports and mail merge, never "
                        "used as a model feature.",
                        column=c,
                    ),
                    msg("Remove it from the features.") if c in features else "",
                )
            )
        elif c != roles.id and c not in role_cols and _id_like(s, f, shape):
            add(
                ValidationIssue(
                    "warning" if c in features else "info",
                    "id_like_column",
                    c,
                    msg(
                        "'{column}' has a different value in almost every row, like an identifier.",
                        column=c,
                    ),
                    msg("Leave it out of the features.") if c in features else "",
                )
            )
        if c not in role_cols and is_leaky_name(f):
            used = c in features
            add(
                ValidationIssue(
                    "warning" if used else "info",
                    "leakage_name",
                    c,
                    msg(
                        "'{column}' is named like something recorded at or after churn (cancel, "
                        "exit, reason, status...); a model using it would look better than it is.",
                        column=c,
                    ),
                    msg("Leave it out of the features.")
                    if used
                    else msg(
                        "It is left out of the features; add it back only if it is known "
                        "before the customer churns."
                    ),
                )
            )


def _id_like(s: pd.Series, f, shape: str) -> bool:
    if shape == "events" or f.n < 20:
        return False
    if f.kind == "text" and not f.numeric_text:
        return f.unique_ratio >= 0.95
    if f.integer and f.unique_ratio == 1.0:
        vals = s.dropna().to_numpy(dtype=float)
        return bool(vals.max() - vals.min() + 1 == len(vals))
    return False


def _check_table(df, roles: ColumnRoles, table: CustomerTable, add) -> None:
    frame = table.frame
    lab = frame[CHURNED].dropna()
    n_churned = int((lab == 1).sum())
    n_active = int((lab == 0).sum())
    _check_counts(roles, len(frame), n_churned, n_active, add)
    if table.shape == "events":
        _check_too_new(roles, table, add)
    else:  # the same customer twice under two ids (an event log's rows are events)
        copies = copies_issue(table)
        if copies is not None:
            add(copies)
    if table.snapshot is not None:
        known = dict(table.dates_after_snapshot) if table.roles == roles else {}
        _check_dates_after_snapshot(df, roles, table.snapshot, add, known)
    # A single feature that separates the label almost perfectly.
    if len(lab) >= 10 and n_churned and n_active:
        _check_leakage(table, add)


def _check_counts(roles: ColumnRoles, n: int, n_churned: int, n_active: int, add) -> None:
    """Too few customers, or too few of one class, for rates and a model."""
    if n < MIN_ROWS:
        add(
            ValidationIssue(
                "warning",
                "too_few_rows",
                None,
                msg(
                    "Only {n:,} customers: rates and a model on so few are unreliable "
                    "(at least {needed} are needed).",
                    n=n,
                    needed=MIN_ROWS,
                ),
                msg("Use a larger export if you have one."),
                n,
            )
        )
    if n_churned < MIN_PER_CLASS or n_active < MIN_PER_CLASS:
        add(
            ValidationIssue(
                "warning",
                "too_few_churned",
                roles.label,
                msg(
                    "{n_churned:,} churned and {n_active:,} active customers: a model needs at "
                    "least {needed} of each.",
                    n_churned=n_churned,
                    n_active=n_active,
                    needed=MIN_PER_CLASS,
                ),
                msg(
                    "Use a longer period, a larger export or, for event logs, another inactivity "
                    "window."
                ),
                min(n_churned, n_active),
            )
        )


def _check_too_new(roles: ColumnRoles, table: CustomerTable, add) -> None:
    """Event logs: customers whose first event is too recent to judge."""
    n_new = int((table.frame[STATUS] == STATUS_TOO_NEW).sum())
    if n_new:
        add(
            ValidationIssue(
                "info",
                "too_new",
                roles.event_date,
                msg(
                    "{n:,} customers started less than {days} days before "
                    "the snapshot: too new to judge, shown apart and not labelled.",
                    n=n_new,
                    days=table.inactivity_days,
                ),
                msg("Nothing to do, or choose a shorter inactivity window."),
                n_new,
            )
        )


def _check_dates_after_snapshot(
    df, roles: ColumnRoles, snap: pd.Timestamp, add, known: dict[str, int]
) -> None:
    """Dates in the start, end or event column that fall after the snapshot (``known``:
    the counts the table's build made on every row, by column)."""
    for col in (roles.start, roles.end, roles.event_date):
        if not col or col not in df.columns:
            continue
        from churn.shapes import parse_date_column

        if col in known:
            n_after = known[col]
        else:
            try:
                dates, _ = parse_date_column(df[col], dayfirst=roles.dayfirst, column=col)
            except ChurnDataError:
                continue
            n_after = int((dates.dt.normalize() > snap.normalize()).sum())
        if n_after:
            add(
                ValidationIssue(
                    "warning",
                    "date_after_snapshot",
                    col,
                    msg(
                        "{n:,} dates in '{column}' fall after the snapshot "
                        "{date}; those rows count as they stood at the snapshot.",
                        n=n_after,
                        column=col,
                        date=f"{snap:%Y-%m-%d}",
                    ),
                    msg("Check the snapshot date, or the date column."),
                    n_after,
                )
            )


def _check_leakage(table: CustomerTable, add) -> None:
    """Features that separate the label on their own, and columns left out for that.

    Judged on a seeded sample of :data:`LEAKAGE_ROWS` customers in a large table: an AUC
    of 0.97 shows as plainly on fifty thousand customers as on a million.
    """
    frame = table.frame
    pos = _sample_positions(len(frame), LEAKAGE_ROWS)
    y = frame[CHURNED] if pos is None else frame[CHURNED].iloc[pos]
    for c in table.features:
        if c not in frame.columns:
            continue
        detail = leakage_detail(frame[c] if pos is None else frame[c].iloc[pos], y)
        if detail:
            add(
                ValidationIssue(
                    "warning",
                    "leakage_separates",
                    c,
                    msg(
                        "'{column}' {detail}: it is probably recorded at or after churn.",
                        column=c,
                        detail=detail,
                    ),
                    msg(
                        "Leave it out of the features unless it is known before the customer "
                        "churns."
                    ),
                )
            )
    for c, why in table.excluded:
        if why.startswith(REASON_LEAK_PREFIX) and why != REASON_LEAK_NAME:
            # the detail of churn.roles.leakage_reason (translatable), else the plain text
            detail = getattr(why, "params", {}).get("detail")
            if detail is None:
                detail = why.removeprefix(REASON_LEAK_PREFIX)
            add(
                ValidationIssue(
                    "info",
                    "leakage_separates",
                    c,
                    msg(
                        "'{column}' was left out of the features: {detail}.",
                        column=c,
                        detail=detail,
                    ),
                    msg("Add it back only if it is known before the customer churns."),
                )
            )
