"""Survival: Kaplan-Meier curves of time to churn, overall or by group."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import CHURNED, TENURE, CustomerTable
from churn.text import Text, msg

#: Label of the one group of an overall survival curve.
OVERALL = "all"
#: Label of the group that collects the smaller groups of a ``by`` column.
OTHER = "other"
#: Label of the group of customers with no value in the ``by`` column.
MISSING = "(missing)"


@dataclass(frozen=True, eq=False)
class SurvivalResult:
    """Kaplan-Meier curves of time to churn, overall or by group.

    Attributes
    ----------
    curves : tidy frame ``group, time_days, survival, ci_low, ci_high, at_risk``.
    groups : ``group, customers, churned, median_lifetime_days, median_reached``
        (the median is ``inf`` when more than half the group is still active at the end
        of the curve: "not reached").
    logrank_p : p-value of the multivariate log-rank test across groups (None overall
        or with fewer than two groups).
    by : the grouping column, or None.
    ci : confidence level of the bands.
    customers_used, customers_left_out : rows with and without a usable tenure and label.
    notes : plain-language notes (what was left out, how groups were formed).
    """

    curves: pd.DataFrame
    groups: pd.DataFrame
    logrank_p: float | None
    by: str | None
    ci: float
    customers_used: int
    customers_left_out: int
    notes: tuple[str, ...] = ()


def _groups_of(series: pd.Series, max_groups: int) -> pd.Series:
    """Group labels: the largest ``max_groups - 1`` values + "other"; numbers in quartiles."""
    s = series
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        if s.nunique(dropna=True) > max_groups:
            try:
                binned = pd.qcut(s, q=4, duplicates="drop")
            except ValueError:
                binned = s
            labels = binned.astype("string")
            return labels.fillna(MISSING).astype(str)
    labels = s.astype("string").str.strip().fillna(MISSING).replace("", MISSING).astype(str)
    top = labels.value_counts()
    if len(top) > max_groups:
        keep = set(top.index[: max_groups - 1])
        labels = labels.where(labels.isin(keep), OTHER)
    return labels


def survival_curves(
    table: CustomerTable, by: str | None = None, ci: float = 0.95, max_groups: int = 6
) -> SurvivalResult:
    """Kaplan-Meier survival (share of customers not yet churned) against tenure in days.

    Active customers are censored at their current tenure (at the snapshot). Works from
    dates or from a tenure column alone (e.g. Telco's months as a customer).

    Parameters
    ----------
    table : the confirmed customer table (needs ``tenure_days`` and ``churned``).
    by : a column of ``table.frame`` to compare groups; the ``max_groups - 1`` largest
        values are kept and the rest become "other"; numbers with many values are cut
        into quartiles.
    ci : confidence level of the bands (0.95 = 95 %).
    max_groups : the most curves drawn.

    Returns
    -------
    SurvivalResult
    """
    from lifelines.statistics import multivariate_logrank_test

    f = table.frame
    _check_inputs(table, by, ci)
    dur, event, ok = _durations(f)
    notes: list[Text] = []
    dropped = int((~ok).sum())
    if dropped:
        notes.append(
            msg(
                "{n:,} customers without a tenure or a churned/active label "
                "(e.g. too new to judge) are left out.",
                n=dropped,
            )
        )
    dur, event = dur[ok].astype(float), event[ok].astype(int)
    if by is None:
        groups = pd.Series(OVERALL, index=dur.index)
    else:
        groups = _groups_of(f.loc[ok, by], max_groups)
    curve_parts, rows = [], []
    order = groups.value_counts().index
    for g in order:
        m = (groups == g).to_numpy()
        part, row = _fit_group(g, dur, event, m, ci)
        curve_parts.append(part)
        rows.append(row)
    curves = pd.concat(curve_parts, ignore_index=True)
    curves["at_risk"] = curves["at_risk"].fillna(0).astype(int)
    groups_frame = pd.DataFrame(rows)
    p_value = None
    if by is not None and groups.nunique() >= 2:
        test = multivariate_logrank_test(dur, groups, event)
        p_value = float(test.p_value)
    if by is not None and (groups == OTHER).any():
        notes.append(
            msg("Only the {n} largest groups are drawn; the rest are 'other'.", n=max_groups - 1)
        )
    return SurvivalResult(
        curves=curves,
        groups=groups_frame,
        logrank_p=p_value,
        by=by,
        ci=ci,
        customers_used=int(ok.sum()),
        customers_left_out=dropped,
        notes=tuple(notes),
    )


def _check_inputs(table: CustomerTable, by: str | None, ci: float) -> None:
    """Raise when the table has no durations, ``ci`` is not a level or ``by`` is unknown."""
    f = table.frame
    if not table.has_tenure and not table.has_dates:
        raise ChurnDataError(
            msg(
                "Survival curves need how long each customer has been (or was) a customer, "
                "and this table has no dates and no tenure column."
            ),
            fix=msg("confirm a start date (and end date) or a tenure column on the Data page."),
            column=TENURE,
        )
    if not 0 < ci < 1:
        raise ChurnDataError(
            msg("Confidence level {ci} is not between 0 and 1.", ci=ci), fix=msg("use 0.95.")
        )
    if by is not None and by not in f.columns:
        raise ChurnDataError(
            msg("This column is not in the customer table."),
            fix=msg("choose one of the table's attribute columns."),
            column=by,
        )


def _durations(f: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Tenure, churned label and which rows have both (raises when none has)."""
    dur = pd.to_numeric(f[TENURE], errors="coerce")
    event = pd.to_numeric(f[CHURNED], errors="coerce")
    ok = dur.notna() & (dur >= 0) & event.isin([0.0, 1.0])
    if not ok.any():
        raise ChurnDataError(
            msg(
                "No customer has both a tenure and a churned/active label, so there is no "
                "survival curve to draw."
            ),
            fix=msg("check the label and date (or tenure) roles on the Data page."),
            column=TENURE,
        )
    return dur, event, ok


def _fit_group(
    g: object, dur: pd.Series, event: pd.Series, m: np.ndarray, ci: float
) -> tuple[pd.DataFrame, dict]:
    """One group's Kaplan-Meier curve (tidy rows) and its row of the groups frame."""
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter(alpha=1 - ci)
    kmf.fit(dur[m], event_observed=event[m])
    sf = kmf.survival_function_.iloc[:, 0]
    band = kmf.confidence_interval_survival_function_
    at_risk = kmf.event_table["at_risk"].reindex(sf.index)
    curve = pd.DataFrame(
        {
            "group": str(g),
            "time_days": sf.index.to_numpy(dtype=float),
            "survival": sf.to_numpy(dtype=float),
            "ci_low": band.iloc[:, 0].to_numpy(dtype=float),
            "ci_high": band.iloc[:, 1].to_numpy(dtype=float),
            "at_risk": at_risk.to_numpy(dtype=float),
        }
    )
    median = float(kmf.median_survival_time_)
    row = {
        "group": str(g),
        "customers": int(m.sum()),
        "churned": int(event[m].sum()),
        "median_lifetime_days": median,
        "median_reached": bool(math.isfinite(median)),
    }
    return curve, row


def survival_at(curve: pd.DataFrame, times: np.ndarray | float) -> np.ndarray:
    """Evaluate one group's Kaplan-Meier step curve (``time_days``, ``survival``) at ``times``."""
    t = np.asarray(curve["time_days"], dtype=float)
    s = np.asarray(curve["survival"], dtype=float)
    idx = np.searchsorted(t, np.asarray(times, dtype=float), side="right") - 1
    return np.where(idx >= 0, s[np.clip(idx, 0, None)], 1.0)
