"""Evidence about the churn label and its outcome.

- :func:`label_pick` says why a label column was proposed and how sure the proposal is;
- :func:`unclear_values` lists the values with no clear meaning (paused, on hold,
  suspended, frozen, trial, 일시정지, 휴면 ...): the Data page asks about each one;
- :func:`label_choice_rates` gives, for each such value, the churn rate each choice
  (churned, active, left out) would give, so the user sees what the choice changes;
- :func:`no_churn_issue` is the warning shown before Confirm when a file with a status,
  label or end-date column ends up counting no churned customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ValidationIssue
from churn.roles.column_roles import (
    ACTIVE_WORDS,
    CHURNED_WORDS,
    ColumnRoles,
    is_generic_pair,
    label_key,
    label_text,
    normalize_label_values,
)
from churn.roles.evidence import HIGH, LOW, MEDIUM, end_named, filled_mask
from churn.roles.facts import ColumnFacts, column_facts, sample_rows
from churn.roles.scoring import label_name_score
from churn.text import Text, msg

#: Choices for a label value, in the order the Data page offers them.
CHOICES = ("churned", "active", "left_out")
_KNOWN = CHURNED_WORDS | ACTIVE_WORDS
_MAX_LEVELS = 12  # a status or label column has few distinct values


def _listed(values: Iterable[Any], k: int = 6) -> str:
    vals = [f"'{v}'" for v in values]
    return ", ".join(vals[:k]) + (", ..." if len(vals) > k else "")


def unclear_values(values: Iterable[Any]) -> tuple[str, ...]:
    """The values (in :func:`label_text` form, first seen first) that the label vocabulary
    does not know: neither churned nor active words, e.g. "paused", "trial", "휴면"."""
    out: list[str] = []
    for v in values:
        text = label_text(v)
        if text is not None and text not in out and label_key(text) not in _KNOWN:
            out.append(text)
    return tuple(out)


def label_pick(
    f: ColumnFacts,
    churned: tuple[str, ...],
    active: tuple[str, ...],
    unclear: tuple[str, ...],
) -> tuple[str, Text]:
    """Confidence and reason of the label proposal of column ``f``.

    The name counts (:func:`~churn.roles.scoring.label_name_score`: a churn flag's name,
    a churn word, a status, or the values alone); ``churned`` and ``active`` are the
    values mapped to each side and ``unclear`` the values left to ask.
    """
    name_score = label_name_score(f)
    if not churned or not active:
        side = churned or active
        return LOW, msg(
            "named like a churn column, but all its values ({values}) mean the same "
            "thing: check the mapping below",
            values=_listed(side),
        )
    if unclear:
        return MEDIUM, msg(
            "churned: {churned}; active: {active}; no clear meaning, to be chosen: {unclear}",
            churned=_listed(churned),
            active=_listed(active),
            unclear=_listed(unclear),
        )
    if name_score >= 2:
        return HIGH, msg(
            "named like a churn flag; churned: {churned}, active: {active}",
            churned=_listed(churned),
            active=_listed(active),
        )
    if name_score >= 1:
        return HIGH, msg(
            "a status column; churned: {churned}, active: {active}",
            churned=_listed(churned),
            active=_listed(active),
        )
    return MEDIUM, msg(
        "its values say churned ({churned}) or active ({active}), although the name does "
        "not say churn",
        churned=_listed(churned),
        active=_listed(active),
    )


def label_choice_rates(
    values: pd.DataFrame,
    choices: Mapping[str, str] | None = None,
    asked: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The churn rate each choice for an unclear label value would give.

    Parameters
    ----------
    values : DataFrame
        The label's distinct values with ``value``, ``count`` and ``meaning``
        ("churned", "active" or "left_out"), as :func:`~churn.roles.label_value_counts`
        returns them.
    choices : mapping, optional
        value -> meaning chosen on screen, overriding ``meaning``.
    asked : iterable of str, optional
        The values to give rates for; default :func:`unclear_values` of ``values``.

    Returns
    -------
    DataFrame
        One row per asked value: ``value``, ``count`` and the churn rate (churned rows /
        labelled rows of the label column) if that value meant ``churned``, ``active``
        or was ``left_out``, every other value keeping its meaning; NaN when nothing
        would be labelled.

    Examples
    --------
    60 cancelled, 120 active, 20 paused: paused as churned gives 80 / 200 = 0.4, as
    active 60 / 200 = 0.3, left out 60 / 180.
    """
    vals = [str(v) for v in values["value"]]
    counts = values["count"].to_numpy(dtype=float)
    meaning = [
        (choices or {}).get(v, m) if (choices or {}).get(v) in CHOICES else m
        for v, m in zip(vals, values["meaning"], strict=True)
    ]
    asked = unclear_values(vals) if asked is None else tuple(str(a) for a in asked)
    is_churned = np.array([m == "churned" for m in meaning], dtype=bool)
    is_active = np.array([m == "active" for m in meaning], dtype=bool)
    rows = []
    for v in asked:
        if v not in vals:
            continue
        i = vals.index(v)
        k = counts[i]
        others = np.arange(len(vals)) != i
        c = float(counts[others & is_churned].sum())
        a = float(counts[others & is_active].sum())
        rows.append(
            {
                "value": v,
                "count": int(k),
                "churned": _rate(c + k, c + a + k),
                "active": _rate(c, c + a + k),
                "left_out": _rate(c, c + a),
            }
        )
    columns = ["value", "count", *CHOICES]
    return pd.DataFrame(rows, columns=columns).astype({"count": int})


def _rate(num: float, den: float) -> float:
    return num / den if den else float("nan")


# ------------------------------------------------------------ nothing churned


def no_churn_issue(
    df: pd.DataFrame,
    roles: ColumnRoles,
    n_churned: int,
    snapshot: pd.Timestamp | None = None,
) -> ValidationIssue | None:
    """The warning for a result that counts no churned customer although the file has a
    status, label or end-date column (None when someone churned or no such column).

    It names the column to look at and what to check: the label's mapping, a status
    column that is not the label, an end date the roles do not use, or an end date that
    is empty or falls after the snapshot.
    """
    if n_churned > 0:
        return None
    # an end date with dates (after the snapshot) is the most precise thing to say; an
    # empty end date comes after a status column that says who left
    found = (
        _label_problem(df, roles)
        or _end_problem(df, roles, snapshot, empty=False)
        or _other_column(df, roles)
        or _end_problem(df, roles, snapshot, empty=True)
    )
    if found is None:
        return None
    column, message, fix = found
    return ValidationIssue("warning", "no_churned", column, message, fix, 0)


def _label_problem(df: pd.DataFrame, roles: ColumnRoles) -> tuple[str, Text, Text] | None:
    col = roles.label
    if not col or col not in df.columns or roles.shape == "events":
        return None
    present = [v for v in dict.fromkeys(sample_rows(df)[col].dropna().map(label_text)) if v]
    if not roles.churned_values:
        return (
            col,
            msg(
                "No customer counts as churned: no value of the label '{column}' is mapped to "
                "churned (its values: {values}).",
                column=col,
                values=_listed(present, 8),
            ),
            msg(
                "Map the value that means a customer left (for example cancelled) to churned, "
                "or choose the column that says who left."
            ),
        )
    return (
        col,
        msg(
            "No customer counts as churned, although {values} of the label '{column}' are "
            "mapped to churned.",
            values=_listed(roles.churned_values),
            column=col,
        ),
        msg(
            "Check that '{column}' is the churn column and that its values are mapped right.",
            column=col,
        ),
    )


def _other_column(df: pd.DataFrame, roles: ColumnRoles) -> tuple[str, Text, Text] | None:
    """A status-like column with churned values, or an end-like date, that no role uses."""
    used = set(roles.assigned().values())
    sample = sample_rows(df)
    for c in sample.columns:
        c = str(c)
        if c in used:
            continue
        s = sample[c]
        f = column_facts(s, c)
        if f.is_date and end_named(f) and f.missing < 1:
            n = int(filled_mask(df[c]).sum())
            return (
                c,
                msg(
                    "No customer counts as churned, yet '{column}' looks like an end date and "
                    "is filled on {n:,} rows.",
                    column=c,
                    n=n,
                ),
                msg("Choose '{column}' as the end date if it is when customers left.", column=c),
            )
        if f.is_date or not 2 <= f.nunique <= _MAX_LEVELS:
            continue
        churned, active = normalize_label_values(s.dropna().unique())
        if not churned or (is_generic_pair(churned, active) and label_name_score(f) == 0):
            continue
        keys = {label_key(v) for v in churned}
        codes, uniques = pd.factorize(df[c], use_na_sentinel=True)
        hit = np.array([label_key(u) in keys for u in uniques] + [False], dtype=bool)
        n = int(hit[codes].sum())
        return (
            c,
            msg(
                "No customer counts as churned, yet '{column}' holds {values} on {n:,} rows, "
                "which usually means a customer left.",
                column=c,
                values=_listed(churned),
                n=n,
            ),
            msg(
                "Choose '{column}' as the churn label, or check the end date and the snapshot.",
                column=c,
            ),
        )
    return None


def _end_problem(
    df: pd.DataFrame, roles: ColumnRoles, snapshot: pd.Timestamp | None, *, empty: bool
) -> tuple[str, Text, Text] | None:
    """The end date is empty (``empty``) or its dates all fall after the snapshot."""
    col = roles.end
    if not col or col not in df.columns:
        return None
    n = int(filled_mask(df[col]).sum())
    if (n == 0) != empty:
        return None
    if n == 0:
        return (
            col,
            msg(
                "No customer counts as churned: the end date '{column}' is empty on every row.",
                column=col,
            ),
            msg(
                "If customers did leave, choose the column that holds the date they left "
                "(filled only for those who left)."
            ),
        )
    when = "-" if snapshot is None else pd.Timestamp(snapshot).strftime("%Y-%m-%d")
    return (
        col,
        msg(
            "No customer counts as churned: none of the {n:,} dates in '{column}' falls on or "
            "before the snapshot {date}.",
            n=n,
            column=col,
            date=when,
        ),
        msg("Choose a later snapshot date, or check that '{column}' is the end date.", column=col),
    )


def no_end_issue(
    df: pd.DataFrame, roles: ColumnRoles, n_churned: int, n_ended: int
) -> ValidationIssue | None:
    """The warning for churned customers with a start date but no end date: churn over
    time (the period table, cohorts) would count nobody lost. ``n_ended`` is how many
    churned customers have an end date. Names a date column of ``df`` that looks like the
    end date when there is one. None when there is nothing to say."""
    if not roles.start or roles.shape == "events" or n_churned == 0 or n_ended > 0:
        return None
    used = set(roles.assigned().values())
    sample = sample_rows(df)
    candidate = next(
        (
            str(c)
            for c in sample.columns
            if str(c) not in used
            and (f := column_facts(sample[c], str(c))).is_date
            and end_named(f)
            and f.missing < 1
        ),
        None,
    )
    message = msg(
        "{n:,} customers are churned but none has an end date, so churn over time "
        "(periods, cohorts) counts no customer lost.",
        n=n_churned,
    )
    if candidate is not None:
        fix = msg(
            "Choose '{column}' as the end date if it is when customers left.", column=candidate
        )
    else:
        fix = msg(
            "Choose the column with the date customers ended as the end date (a date filled "
            "only for those who left)."
        )
    column = candidate or roles.end or roles.label
    return ValidationIssue("warning", "churned_without_end", column, message, fix, n_churned)
