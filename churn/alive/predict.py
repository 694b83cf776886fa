"""P(alive), expected purchases and expected value of each customer of a purchase log.

:func:`fit_alive` reads the log into purchase days (:mod:`churn.alive.history`), fits
BG/NBD on every customer's history at the snapshot and, when the log has an amount,
Gamma-Gamma on the repeat buyers' spend, then scores each customer for a horizon:

* ``p_alive``: the probability the customer is still a customer at the snapshot;
* ``expected_purchases``: purchase days expected in the ``horizon_days`` after it;
* ``expected_spend``: expected amount per purchase (Gamma-Gamma);
* ``expected_value``: ``expected_spend * expected_purchases``, undiscounted, in the
  amount's unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from churn.alive.bgnbd import BetaGeoParams, conditional_expected_purchases, fit_bgnbd, p_alive
from churn.alive.gamma_gamma import GammaGammaParams, expected_spend, fit_gamma_gamma
from churn.alive.history import WEEK_DAYS, purchase_days, rfm_summary
from churn.errors import ChurnDataError
from churn.roles import ColumnRoles
from churn.settings import DEFAULT_HORIZON_DAYS, IntakeSettings
from churn.shapes.helpers import fmt_day
from churn.table import ID
from churn.text import Text, msg

#: Longest horizon accepted (ten years).
MAX_HORIZON_DAYS = 3650
#: Correlation between spend and frequency above which the Gamma-Gamma note warns.
SPEND_CORRELATION_WARN = 0.3
#: Columns :func:`score_customers` adds to a summary.
SCORE_COLUMNS = ("p_alive", "expected_purchases", "expected_spend", "expected_value")


@dataclass(frozen=True, eq=False)
class AliveResult:
    """A fitted purchase log.

    Attributes
    ----------
    params : the BG/NBD parameters (time unit ``params.unit_days`` days).
    spend : the Gamma-Gamma parameters; None without an amount or when spend could not
        be modelled (``notes`` says why).
    customers : one row per customer: ``customer_id``, ``frequency`` (repeat purchase
        days), ``recency`` and ``T`` (in the fit's unit), ``monetary_value`` (mean
        repeat amount), ``first_purchase``, ``last_purchase`` and :data:`SCORE_COLUMNS`
        (the spend and value columns are NaN without a spend model).
    snapshot : the date the customers are judged at.
    horizon_days : the horizon of ``expected_purchases`` and ``expected_value``.
    notes : how the log was read and fitted.
    """

    params: BetaGeoParams
    spend: GammaGammaParams | None
    customers: pd.DataFrame
    snapshot: pd.Timestamp
    horizon_days: int
    notes: tuple[Text, ...]


def check_horizon_days(horizon_days: Any) -> int:
    """The horizon as whole days, 1..:data:`MAX_HORIZON_DAYS`."""
    try:
        days = int(horizon_days)
        ok = days == float(horizon_days) and 1 <= days <= MAX_HORIZON_DAYS
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise ChurnDataError(
            msg("the horizon '{value}' is not a whole number of days", value=horizon_days),
            fix=msg("give a number of days from 1 to {most}", most=MAX_HORIZON_DAYS),
        )
    return days


def score_customers(
    summary: pd.DataFrame,
    params: BetaGeoParams,
    spend: GammaGammaParams | None,
    horizon_days: int,
) -> pd.DataFrame:
    """``summary`` (from :func:`~churn.alive.history.rfm_summary`) with
    :data:`SCORE_COLUMNS` added for a horizon of ``horizon_days`` days."""
    out = summary.copy()
    x, t_x, big_t = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    t = horizon_days / params.unit_days
    out["p_alive"] = p_alive(params, x, t_x, big_t)
    out["expected_purchases"] = conditional_expected_purchases(params, t, x, t_x, big_t)
    if spend is None:
        out["expected_spend"] = np.nan
    else:
        out["expected_spend"] = expected_spend(spend, x, summary["monetary_value"].to_numpy())
    out["expected_value"] = out["expected_spend"] * out["expected_purchases"]
    return out


def _spend_model(summary: pd.DataFrame) -> tuple[GammaGammaParams | None, list[Text]]:
    """Gamma-Gamma on the repeat buyers, or None with the reason."""
    x = summary["frequency"].to_numpy(dtype=float)
    m = summary["monetary_value"].to_numpy(dtype=float)
    notes: list[Text] = []
    not_positive = int(((x > 0) & (m <= 0)).sum())
    if not_positive:
        notes.append(
            msg(
                "{n:,} repeat buyers whose mean purchase amount is zero or less are left "
                "out of the spend model and get the average spend.",
                n=not_positive,
            )
        )
    try:
        spend = fit_gamma_gamma(x, m)
    except ChurnDataError as exc:
        return None, [*notes, exc.problem]
    if spend.q <= 1:
        notes.append(
            msg(
                "Spend per purchase varies too much to have a finite average under the "
                "Gamma-Gamma model, so expected values are not shown."
            )
        )
        return None, notes
    use = (x > 0) & (m > 0)
    if use.sum() > 2 and np.ptp(x[use]) > 0:
        corr = float(np.corrcoef(x[use], m[use])[0, 1])
        if abs(corr) > SPEND_CORRELATION_WARN:
            notes.append(
                msg(
                    "Spend per purchase and the number of purchases are correlated "
                    "({corr:.2f}); the spend model assumes they are not, so expected "
                    "values are rough.",
                    corr=corr,
                )
            )
    return spend, notes


def fit_alive(
    df: pd.DataFrame,
    roles: ColumnRoles,
    snapshot: Any = None,
    horizon_days: Any = DEFAULT_HORIZON_DAYS,
    unit_days: float = WEEK_DAYS,
) -> AliveResult:
    """Fit BG/NBD (and Gamma-Gamma with an amount) to a purchase log and score customers.

    Parameters
    ----------
    df : DataFrame
        The event log, one row per purchase; not modified.
    roles : ColumnRoles
        ``id`` and ``event_date``; ``amount`` (optional) adds the spend model.
    snapshot : date-like, optional
        The date customers are judged at (default: the latest purchase).
    horizon_days : int
        Days ahead for ``expected_purchases`` and ``expected_value``.
    unit_days : float
        Days per time unit of the fit (7: weeks); predictions do not depend on it.

    Raises
    ------
    ChurnDataError
        Bad roles, no readable dates, no repeat buyer, or a bad horizon.
    """
    horizon = check_horizon_days(horizon_days)
    days = purchase_days(df, roles, snapshot)
    summary = rfm_summary(days, unit_days=unit_days)
    x, t_x, big_t = (summary[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T"))
    params = fit_bgnbd(x, t_x, big_t, unit_days=unit_days)
    notes = list(days.notes)
    notes.append(
        msg(
            "BG/NBD fitted on {n:,} customers, {repeat:,} of whom bought on more than one "
            "day; purchases on the same day count as one.",
            n=len(summary),
            repeat=int((x > 0).sum()),
        )
    )
    spend = None
    if days.amount is not None:
        spend, spend_notes = _spend_model(summary)
        notes += spend_notes
    customers = score_customers(summary, params, spend, horizon)
    notes.append(
        msg(
            "Expected purchases and value are for the {days} days after {snapshot}; "
            "values are not discounted.",
            days=horizon,
            snapshot=fmt_day(days.snapshot),
        )
    )
    return AliveResult(params, spend, customers, days.snapshot, horizon, tuple(notes))


def alive_table(
    df: pd.DataFrame, settings: IntakeSettings, horizon_days: Any = DEFAULT_HORIZON_DAYS
) -> pd.DataFrame:
    """The P(alive) columns of each customer of a purchase log, indexed by customer id.

    The ids are cleaned as in the customer table (``churn.shapes``), so the frame joins
    on its ``customer_id`` column. Columns: ``frequency``, ``p_alive``,
    ``expected_purchases``, ``expected_spend``, ``expected_value``.
    """
    res = fit_alive(df, settings.roles, settings.snapshot, horizon_days)
    cols = ["frequency", *SCORE_COLUMNS]
    return res.customers.set_index(ID)[cols]
