"""The model's input: which columns may be features, the feature frame X, the label y,
and the gates a table must pass before a model is worth training."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import CHURNED, ID, START, STATUS, CustomerTable
from churn.text import msg

#: Minimum data for a model worth showing (the gates in :func:`check_trainable`).
MIN_LABELLED = 100
MIN_PER_CLASS = 20
#: Canonical columns that are never features: they are the label or follow from it.
NEVER_FEATURES = (ID, CHURNED, STATUS, START, "end_date")


def leakage_suspects(table: CustomerTable) -> list[tuple[str, str]]:
    """Columns intake flagged as possible leakage: ``(column, reason)`` pairs.

    Intake marks them in ``table.excluded`` with a reason starting with ``"leakage"``
    (e.g. a column that is only filled in for churned customers); the churn-reason column
    (``roles.reason``) is always one. They are never in ``table.features`` unless the user
    adds them back.
    """
    out = [(c, r) for c, r in table.excluded if str(r).lower().startswith("leakage")]
    reason = table.roles.reason
    if reason and reason in table.frame.columns and reason not in {c for c, _ in out}:
        # a churn reason is only written down once the customer has left
        out.append(
            (
                reason,
                msg("leakage: the churn reason is only recorded after a customer leaves"),
            )
        )
    return out


def _forbidden(table: CustomerTable) -> dict[str, str]:
    bad = {c: msg("it is part of the churn label") for c in NEVER_FEATURES}
    bad[START] = bad["end_date"] = msg("it is a raw date (use tenure or recency in days instead)")
    bad[ID] = msg("it is the customer id")
    for c in table.personal:
        bad[c] = msg("it is a personal column")
    return bad


def resolve_features(
    table: CustomerTable, features: Sequence[str] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The features to use and their categorical subset, checked against the table.

    ``features=None`` means ``table.features`` (leakage suspects are not in it). A column
    that is missing, an id, a personal column, the label or a raw date is refused.
    """
    feats = tuple(table.features if features is None else features)
    frame = table.frame
    forbidden = _forbidden(table)
    for c in feats:
        if c not in frame.columns:
            raise ChurnDataError(
                msg("this column is not in the customer table."),
                fix=msg("choose features from the table's columns."),
                column=c,
            )
        if c in forbidden:
            raise ChurnDataError(
                msg("cannot be a model feature: {reason}.", reason=forbidden[c]),
                fix=msg("leave it out of the features."),
                column=c,
            )
        if pd.api.types.is_datetime64_any_dtype(frame[c]):
            raise ChurnDataError(
                msg("a raw date cannot be a model feature."),
                fix=msg("use tenure or recency (days) instead of the date itself."),
                column=c,
            )
    declared = set(table.categorical)
    cats = tuple(
        c
        for c in feats
        if c in declared
        or not (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))
    )
    return feats, cats


def feature_frame(
    table: CustomerTable | pd.DataFrame,
    features: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The model's input X: categoricals as text (missing stays NaN), numerics as float.

    Parameters
    ----------
    table : a CustomerTable, or a plain frame holding the feature columns.
    features : columns to use (default: the table's features).
    categorical : the categorical subset (default: the table's, plus any text column).

    Returns
    -------
    pd.DataFrame
        A new frame, same index as the input; the input is not modified.
    """
    if isinstance(table, CustomerTable):
        if categorical is None:
            features, categorical = resolve_features(table, features)
        frame = table.frame
        features = table.features if features is None else features
    else:
        frame = table
        if features is None:
            raise ChurnDataError(
                msg("no features were given for a plain frame."), fix=msg("pass features.")
            )
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise ChurnDataError(
            msg(
                "the model needs column '{column}', which this file does not have (nor {others}).",
                column=missing[0],
                others=", ".join(missing[1:4]),
            )
            if len(missing) > 1
            else msg(
                "the model needs column '{column}', which this file does not have.",
                column=missing[0],
            ),
            fix=msg("use a file with the same columns as the one the model was trained on."),
            column=missing[0],
        )
    cats = set(categorical or ())
    out: dict[str, pd.Series] = {}
    for c in features:
        s = frame[c]
        if c in cats:
            out[c] = _category_texts(s)
        elif pd.api.types.is_bool_dtype(s):
            out[c] = s.astype(float)
        else:
            out[c] = pd.to_numeric(s, errors="coerce").astype(float)
    return pd.DataFrame(out, index=frame.index)


#: Missing-value types whose ``category_text`` is NaN (what ``pd.factorize`` calls missing).
_PLAIN_NA_TYPES = (type(None), float, np.float64, np.float32, type(pd.NA), type(pd.NaT))


def _category_texts(s: pd.Series) -> pd.Series:
    """``s.map(category_text)`` as an object column, one call per distinct value."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object)
    if s.dtype == object:
        # Equal values of different types (True, 1 and 1.0) share one code but read
        # differently, and odd missing markers (a Decimal NaN) read as text: value by value.
        same_type = len({type(u) for u in uniq}) <= 1
        na = s.to_numpy()[codes < 0]
        if not same_type or not {type(v) for v in na} <= set(_PLAIN_NA_TYPES):
            return s.astype(object).map(category_text).astype(object)
    texts = np.empty(len(uniq) + 1, dtype=object)
    texts[:-1] = [category_text(u) for u in uniq]
    texts[-1] = np.nan  # code -1: missing
    return pd.Series(texts[codes], index=s.index, name=s.name, dtype=object)


def category_text(v: Any) -> Any:
    """One category value as text; missing stays NaN and 1.0 reads as "1" (so a column
    read as numbers in one file and as text in another gives the same categories)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return np.nan
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return np.nan
        if float(v).is_integer():
            return str(int(v))
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    return str(v).strip()


def label_vector(table: CustomerTable) -> pd.Series:
    """The label of the labelled rows: 1 churned, 0 active (unlabelled rows dropped)."""
    y = table.frame[CHURNED]
    return y[y.notna()].astype(int).rename("churned")


# --------------------------------------------------------------------------- gates
def check_trainable(table: CustomerTable, features: Sequence[str] | None = None) -> None:
    """Raise ChurnDataError unless the table can support a model worth showing.

    Needs at least :data:`MIN_LABELLED` labelled customers, both classes with at least
    :data:`MIN_PER_CLASS` customers each, and at least one feature.
    """
    y = label_vector(table)
    n, n1 = len(y), int(y.sum())
    n0 = n - n1
    if n < MIN_LABELLED:
        raise ChurnDataError(
            msg(
                "only {n} customers have a churn label; a model needs at least {minimum}.",
                n=n,
                minimum=MIN_LABELLED,
            ),
            fix=msg("use a longer history or more customers, or check the label column's values."),
        )
    if n1 == 0 or n0 == 0:
        raise ChurnDataError(
            msg("no churned customers among the {n} labelled ones: a model needs both.", n=n)
            if n1 == 0
            else msg("no active customers among the {n} labelled ones: a model needs both.", n=n),
            fix=msg("check which label values mean churned and active."),
        )
    if min(n0, n1) < MIN_PER_CLASS:
        raise ChurnDataError(
            msg(
                "only {churned} churned and {active} active customers; a model needs at least "
                "{minimum} of each to learn anything.",
                churned=n1,
                active=n0,
                minimum=MIN_PER_CLASS,
            ),
            fix=msg("add more customers or a longer period."),
        )
    feats = table.features if features is None else features
    if not feats:
        raise ChurnDataError(
            msg("there are no feature columns to learn from."),
            fix=msg("mark at least one attribute column as a feature on the Data page."),
        )
