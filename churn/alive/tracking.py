"""How well BG/NBD tracks a purchase log, and the P(alive) map, as tidy frames for charts.

* :func:`tracking_frame`: fit on a calibration period, then compare, period by period,
  the repeat purchases the model expects of the calibration customers with those they
  made, through the calibration period and the holdout after it;
* :func:`p_alive_grid`: P(alive) for every frequency and recency at one age ``T``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from churn.alive.bgnbd import BetaGeoParams, expected_purchases_new, fit_bgnbd, p_alive
from churn.alive.history import WEEK_DAYS, purchase_days, rfm_summary
from churn.errors import ChurnDataError
from churn.roles import ColumnRoles
from churn.shapes.helpers import fmt_day, to_snapshot
from churn.text import msg

#: Columns of :func:`tracking_frame`'s ``frame``.
TRACKING_COLUMNS = (
    "period",
    "period_start",
    "phase",
    "actual",
    "expected",
    "actual_cumulative",
    "expected_cumulative",
)
PHASE_CALIBRATION = "calibration"
PHASE_HOLDOUT = "holdout"


@dataclass(frozen=True, eq=False)
class Tracking:
    """Expected against actual repeat purchases per period.

    Attributes
    ----------
    frame : :data:`TRACKING_COLUMNS`, one row per period (``period_days`` days from the
        first purchase of the calibration customers; the last may be shorter).
    params : BG/NBD fitted on the calibration period.
    calibration_end, snapshot : the last day of the calibration period and of the log.
    customers : customers whose first purchase is in the calibration period.
    """

    frame: pd.DataFrame
    params: BetaGeoParams
    calibration_end: pd.Timestamp
    snapshot: pd.Timestamp
    customers: int


def _expected_cumulative(
    params: BetaGeoParams, first: np.ndarray, ends: np.ndarray, unit_days: float
) -> np.ndarray:
    """Sum over customers of the repeat purchases expected by the end of each day ``ends``
    (day numbers; ``first`` = each customer's first purchase day, same numbering)."""
    days, count = np.unique(first, return_counts=True)
    # Customers who joined on one day share one curve: a (join day x period end) table.
    age = (ends[None, :] + 1 - days[:, None]) / unit_days
    curve = expected_purchases_new(params, np.where(age > 0, age, 0.0))
    return count @ curve


def tracking_frame(
    df: pd.DataFrame,
    roles: ColumnRoles,
    calibration_end: Any,
    snapshot: Any = None,
    period_days: int = 7,
    unit_days: float = WEEK_DAYS,
) -> Tracking:
    """Fit BG/NBD up to ``calibration_end`` and track it through ``snapshot``.

    Parameters
    ----------
    df, roles : the purchase log and its roles (``id``, ``event_date``).
    calibration_end : date-like
        The last day of the calibration period; must be before the snapshot.
    snapshot : date-like, optional
        The last day of the holdout (default: the latest purchase).
    period_days : int
        Days per period of the frame (7: weeks).
    unit_days : float
        Days per time unit of the fit.

    Returns
    -------
    Tracking
        ``actual`` counts the repeat purchase days (not the first purchase) of the
        customers who joined by ``calibration_end``; ``expected`` is the model's expectation
        for the same customers, each from their own first purchase day.
    """
    days = purchase_days(df, roles, snapshot)
    cal_end = to_snapshot(calibration_end)
    if cal_end is None or cal_end.normalize() >= days.snapshot:
        raise ChurnDataError(
            msg(
                "the calibration period must end before the snapshot {snapshot}",
                snapshot=fmt_day(days.snapshot),
            ),
            fix=msg("choose an earlier end of the calibration period"),
        )
    cal_end = cal_end.normalize()
    summary = rfm_summary(days, end=cal_end, unit_days=unit_days)
    x, t_x, big_t = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    params = fit_bgnbd(x, t_x, big_t, unit_days=unit_days)

    day = days.day.astype(np.int64)
    cust = days.customer
    first_of = np.full(len(days.ids), np.iinfo(np.int64).max)
    np.minimum.at(first_of, cust, day)
    cal_day = np.datetime64(cal_end.date(), "D").astype(np.int64)
    snap_day = np.datetime64(days.snapshot.date(), "D").astype(np.int64)
    cohort = first_of <= cal_day
    start = int(first_of[cohort].min())
    n_periods = (snap_day - start) // period_days + 1
    ends = np.minimum(start + period_days * np.arange(1, n_periods + 1) - 1, snap_day)
    repeat = cohort[cust] & (day > first_of[cust])
    actual = np.bincount((day[repeat] - start) // period_days, minlength=n_periods)
    expected_cum = _expected_cumulative(params, first_of[cohort], ends, unit_days)
    starts = start + period_days * np.arange(n_periods)
    frame = pd.DataFrame(
        {
            "period": np.arange(n_periods),
            "period_start": starts.astype("datetime64[D]").astype("datetime64[ns]"),
            "phase": np.where(ends <= cal_day, PHASE_CALIBRATION, PHASE_HOLDOUT),
            "actual": actual.astype(float),
            "expected": np.diff(expected_cum, prepend=0.0),
            "actual_cumulative": np.cumsum(actual).astype(float),
            "expected_cumulative": expected_cum,
        }
    )
    return Tracking(frame, params, cal_end, days.snapshot, int(cohort.sum()))


def p_alive_grid(
    params: BetaGeoParams, big_t: float, max_frequency: int = 20, recency_steps: int = 40
) -> pd.DataFrame:
    """P(alive) of a customer of age ``big_t`` (fit units) for every frequency 1..
    ``max_frequency`` and ``recency_steps + 1`` recencies from 0 to ``big_t``.

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``p_alive``: one row per cell, frequency-major.
        (Frequency 0 is left out: without a repeat purchase P(alive) is 1.)
    """
    if not big_t > 0 or max_frequency < 1 or recency_steps < 1:
        raise ValueError("big_t > 0, max_frequency >= 1 and recency_steps >= 1 are required")
    freq, rec = np.meshgrid(
        np.arange(1, max_frequency + 1, dtype=float),
        np.linspace(0.0, big_t, recency_steps + 1),
        indexing="ij",
    )
    freq, rec = freq.ravel(), rec.ravel()
    return pd.DataFrame(
        {
            "frequency": freq.astype(int),
            "recency": rec,
            "p_alive": p_alive(params, freq, rec, big_t),
        }
    )
