"""Cohorts: retention by signup month, ``k`` calendar months later."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.metrics.helpers import (
    DatedRows,
    judged_until,
    period_ordinals,
    rows_with_dates,
    wilson_interval,
)
from churn.money import unit_attrs, value_notes
from churn.table import CustomerTable
from churn.text import msg


def cohort_table(
    table: CustomerTable,
    max_months: int = 24,
    min_cell: int = 20,
    *,
    dated: DatedRows | None = None,
) -> pd.DataFrame:
    """Retention by signup-month cohort, ``k`` calendar months later.

    A customer of cohort ``c`` (month of the start date) counts as active ``k`` months
    later when there is no end date or the end date is on or after the first day of
    month ``c + k``; ``k = 0`` is the whole cohort.

    Parameters
    ----------
    table : the confirmed customer table; it needs start dates.
    max_months : the largest ``k`` shown.
    min_cell : cohorts smaller than this are flagged ``small``.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``cohort`` (``2024-03``), ``cohort_start``, ``months_since``,
        ``cohort_size``, ``active``, ``retention`` (= active / cohort_size), ``ci_low``,
        ``ci_high`` (95 % Wilson), ``small`` and ``observable`` (month ``c + k`` has begun
        by the snapshot; ``active`` and ``retention`` are NaN when not). With values:
        ``revenue_start``, ``revenue_active`` and ``revenue_retention``.
    """
    if max_months < 0:
        raise ChurnDataError(msg("max_months must be 0 or more."), fix=msg("use e.g. 24."))
    d = dated if dated is not None else rows_with_dates(table, msg("cohort table"))
    c = period_ordinals(d.frame["start"], "M")
    has_end = d.frame["end"].notna().to_numpy()
    e = period_ordinals(d.frame["end"], "M")
    # Months the customer stays (capped at max_months + 1, meaning "beyond the table").
    stay = np.where(has_end, e - c, max_months + 1)
    stay = np.clip(stay, 0, max_months + 1)
    first = int(c.min())
    last = d.snapshot.to_period("M").ordinal
    n_c = last - first + 1
    width = max_months + 2
    flat = (c - first) * width + stay
    counts = np.bincount(flat, minlength=n_c * width).reshape(n_c, width)
    # active(c, k) = customers with stay >= k: a reverse cumulative sum along k.
    active = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1][:, : max_months + 1]
    value = d.frame["value"].to_numpy(dtype=float)
    has_value = bool(np.isfinite(value).any())
    if has_value:
        vsum = np.bincount(flat, weights=np.nan_to_num(value), minlength=n_c * width)
        vsum = vsum.reshape(n_c, width)
        vactive = np.cumsum(vsum[:, ::-1], axis=1)[:, ::-1][:, : max_months + 1]

    ks = np.arange(max_months + 1)
    cohorts = pd.period_range(pd.Period(ordinal=first, freq="M"), periods=n_c, freq="M")
    out = pd.DataFrame(
        {
            "cohort": np.repeat([str(p) for p in cohorts], len(ks)),
            "cohort_start": np.repeat(cohorts.start_time, len(ks)),
            "months_since": np.tile(ks, n_c),
            "cohort_size": np.repeat(active[:, 0], len(ks)).astype(int),
        }
    )
    out["observable"] = (np.repeat(np.arange(n_c) + first, len(ks)) + out["months_since"]) <= last
    out["active"] = np.where(out["observable"], active.ravel(), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["retention"] = out["active"] / out["cohort_size"]
    out["ci_low"], out["ci_high"] = wilson_interval(out["active"], out["cohort_size"])
    out["small"] = out["cohort_size"] < min_cell
    if has_value:
        out["revenue_start"] = np.repeat(vactive[:, 0], len(ks))
        out["revenue_active"] = np.where(out["observable"], vactive.ravel(), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["revenue_retention"] = np.where(
                out["revenue_start"] > 0, out["revenue_active"] / out["revenue_start"], np.nan
            )
    out = out[out["cohort_size"] > 0].reset_index(drop=True)
    notes = list(d.notes)
    cutoff = judged_until(table, d.snapshot)
    if cutoff < d.snapshot:
        notes.append(
            msg(
                "A customer counts as lost only after {days} days without an event, so "
                "retention in months after {cutoff:%Y-%m-%d} reads high.",
                days=table.inactivity_days,
                cutoff=cutoff,
            )
        )
    out.attrs["notes"] = notes + value_notes(table, has_value)
    out.attrs["snapshot"] = f"{d.snapshot:%Y-%m-%d}"
    out.attrs.update(unit_attrs(table))
    return out
