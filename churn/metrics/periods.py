"""The period table: customers active, new and lost in each period, with the churn rate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.metrics.definitions import ChurnDefinition, get_definition, period_freq
from churn.metrics.helpers import (
    DatedRows,
    judged_until,
    monthly_equivalent,
    parse_period,
    period_label,
    period_ordinals,
    rows_with_dates,
    wilson_interval,
)
from churn.metrics.revenue import add_revenue_columns
from churn.money import unit_attrs, value_notes
from churn.table import CustomerTable
from churn.text import Text, msg


def period_table(
    table: CustomerTable,
    period: str = "month",
    definition: str = "start",
    *,
    dated: DatedRows | None = None,
) -> pd.DataFrame:
    """Customers active, new and lost in each period, with the churn rate.

    Parameters
    ----------
    table : the confirmed customer table; it needs start dates.
    period : ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``.
    definition : a key of :data:`CHURN_DEFINITIONS`.

    Returns
    -------
    pandas.DataFrame
        One row per period from the first start to the snapshot's period, with columns
        ``period`` (label), ``period_start``, ``period_end`` (last day), ``days``,
        ``days_observed`` (up to the snapshot), ``active_start``, ``new``, ``churned``,
        ``churned_from_start``, ``active_end`` (= active_start + new - churned),
        ``definition``, ``numerator``, ``denominator``, ``churn_rate``, ``ci_low``,
        ``ci_high`` (95 % Wilson), ``retention`` (1 - rate), ``monthly_equivalent``
        (over the days observed), ``partial`` (the unfinished period holding the
        snapshot) and ``churn_final`` (False for the partial period and, in an event log
        with an inactivity window of N days, for periods ending less than N days before
        the snapshot, whose churn cannot be seen yet). With values: ``revenue_start`` (value of customers active at start),
        ``revenue_new``, ``revenue_lost`` (value of customers active at start who left in
        the period) and ``gross_revenue_churn`` (= revenue_lost / revenue_start). With a
        reason column: ``churned_voluntary`` and ``churned_involuntary``.
        ``attrs["notes"]`` lists what was left out and why; net revenue retention is not
        given because one value per customer shows no expansion or contraction. The
        values are money per month (see :mod:`churn.money`): the notes say how they were
        read from the amount and its unit, and ``attrs["unit"]``, ``attrs["per_month"]``
        and ``attrs["value_note"]`` carry the same for a caption.
    """
    freq = period_freq(period)
    spec = get_definition(definition)
    d = dated if dated is not None else rows_with_dates(table, msg("period table"))
    first = d.frame["start"].min().to_period(freq)
    last = d.snapshot.to_period(freq)
    periods = pd.period_range(first, last, freq=freq)
    slots = period_slots(d, freq, first.ordinal, len(periods))
    out = _count_columns(periods, period, d.snapshot, slots)
    _rate_columns(out, spec)
    out["partial"] = out["period_end"] > d.snapshot
    notes = list(d.notes)
    notes += _final_columns(out, table, d.snapshot)
    notes += add_revenue_columns(out, slots, d.frame["value"].to_numpy(dtype=float))
    notes += value_notes(table, "revenue_start" in out)  # the amount's unit, in words
    out.attrs.update(unit_attrs(table))
    if "kind" in d.frame:
        invol = slots.has_end & (d.frame["kind"] == "involuntary").to_numpy()
        out["churned_involuntary"] = slots.count(slots.end[invol]).astype(int)
        out["churned_voluntary"] = out["churned"] - out["churned_involuntary"]
    out.attrs["notes"] = notes
    out.attrs["snapshot"] = f"{d.snapshot:%Y-%m-%d}"
    return out


@dataclass(frozen=True, eq=False)
class PeriodSlots:
    """Where each dated customer starts and ends among the ``n`` periods of the table.

    Attributes
    ----------
    n : periods in the table.
    start : the period (0..n-1) of each customer's start date.
    end : the period of each end date (-1 without one).
    has_end : the customer has an end date.
    from_start : the end falls in a later period than the start (active at its start).
    """

    n: int
    start: np.ndarray
    end: np.ndarray
    has_end: np.ndarray
    from_start: np.ndarray

    def count(self, idx: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Customers (or their ``weights`` summed) per period, for period numbers ``idx``."""
        return np.bincount(idx, weights=weights, minlength=self.n)[: self.n]


def period_slots(d: DatedRows, freq: str, first: int, n: int) -> PeriodSlots:
    """The period of each customer's start and end, counted from period ordinal ``first``."""
    s_idx = period_ordinals(d.frame["start"], freq) - first
    has_end = d.frame["end"].notna().to_numpy()
    e_idx = np.where(has_end, period_ordinals(d.frame["end"], freq) - first, -1)
    from_start = has_end & (s_idx < e_idx)
    return PeriodSlots(n, s_idx, e_idx, has_end, from_start)


def _count_columns(
    periods: pd.PeriodIndex, period: str, snapshot: pd.Timestamp, slots: PeriodSlots
) -> pd.DataFrame:
    """The period columns and the counts: active at start, new, churned, active at end."""
    new = slots.count(slots.start)
    churned = slots.count(slots.end[slots.has_end])
    churned_from_start = slots.count(slots.end[slots.from_start])
    active_start = np.concatenate([[0], np.cumsum(new - churned)[:-1]])

    out = pd.DataFrame(
        {
            "period": [period_label(p, period) for p in periods],
            "period_start": periods.start_time,
            "period_end": periods.end_time.normalize(),
        }
    )
    out["days"] = (out["period_end"] - out["period_start"]).dt.days + 1
    observed_end = out["period_end"].clip(upper=snapshot)
    out["days_observed"] = (observed_end - out["period_start"]).dt.days + 1
    out["active_start"] = active_start.astype(int)
    out["new"] = new.astype(int)
    out["churned"] = churned.astype(int)
    out["churned_from_start"] = churned_from_start.astype(int)
    out["active_end"] = out["active_start"] + out["new"] - out["churned"]
    return out


def _rate_columns(out: pd.DataFrame, spec: ChurnDefinition) -> None:
    """Add the definition's numerator and denominator, the rate and its interval (in place)."""
    num, den = spec.function(out)
    out["definition"] = spec.name
    out["numerator"] = np.asarray(num, dtype=int)
    out["denominator"] = np.asarray(den, dtype=int)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(out["denominator"] > 0, out["numerator"] / out["denominator"], np.nan)
    out["churn_rate"] = rate
    out["ci_low"], out["ci_high"] = wilson_interval(out["numerator"], out["denominator"])
    out["retention"] = 1 - out["churn_rate"]
    out["monthly_equivalent"] = monthly_equivalent(out["churn_rate"], out["days_observed"])


def _final_columns(out: pd.DataFrame, table: CustomerTable, snapshot: pd.Timestamp) -> list[Text]:
    """Add ``churn_final`` (in place); the note when recent churn cannot be seen yet."""
    cutoff = judged_until(table, snapshot)
    out["churn_final"] = ~out["partial"] & (out["period_end"] <= cutoff)
    if cutoff < snapshot:
        return [
            msg(
                "A customer counts as lost only after {days} days without an event, so churn "
                "in periods ending after {cutoff:%Y-%m-%d} is not final yet.",
                days=table.inactivity_days,
                cutoff=cutoff,
            )
        ]
    return []


def headline_period(periods: pd.DataFrame) -> pd.Series:
    """The row of :func:`period_table` to headline: the last one whose churn is final
    (the last row when none is).
    """
    final = periods[periods["churn_final"]] if "churn_final" in periods else periods
    return (final if len(final) else periods).iloc[-1]


def customers_in_period(
    table: CustomerTable,
    period_label: str,
    period: str = "month",
    which: str = "churned",
    *,
    dated: DatedRows | None = None,
) -> pd.DataFrame:
    """The customers behind one number of :func:`period_table` (for a download).

    Parameters
    ----------
    table : the confirmed customer table.
    period_label : a label from the ``period`` column (``2024-03``, ``2024-W10``...).
    period : the period length used to make the label.
    which : ``"churned"``, ``"churned_from_start"``, ``"new"``, ``"active_start"`` or
        ``"active_end"``.

    Returns
    -------
    pandas.DataFrame
        The matching rows of ``table.frame`` (a copy), canonical columns first.
    """
    choices = ("churned", "churned_from_start", "new", "active_start", "active_end")
    if which not in choices:
        raise ChurnDataError(
            msg("Unknown customer list '{which}'.", which=which),
            fix=msg("use one of {choices}.", choices=choices),
        )
    freq = period_freq(period)
    p = parse_period(period_label, period)
    d = dated if dated is not None else rows_with_dates(table, msg("list of customers by period"))
    s = period_ordinals(d.frame["start"], freq)
    has_end = d.frame["end"].notna().to_numpy()
    e = np.where(has_end, period_ordinals(d.frame["end"], freq), np.iinfo(np.int64).max)
    o = p.ordinal
    masks = {
        "churned": has_end & (e == o),
        "churned_from_start": has_end & (e == o) & (s < o),
        "new": s == o,
        "active_start": (s < o) & (e >= o),
        "active_end": (s <= o) & (e > o),
    }
    rows = d.frame.index[masks[which]]
    return table.frame.loc[rows].copy().reset_index(drop=True)
