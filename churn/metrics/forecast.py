"""The next months: expected churners and revenue at stake, month by month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.metrics.helpers import DAYS_PER_MONTH
from churn.metrics.survival import survival_at, survival_curves
from churn.money import unit_attrs, value_notes
from churn.table import CHURNED, ID, TENURE, VALUE, CustomerTable
from churn.text import msg


def forecast_next_months(
    table: CustomerTable,
    months: int = 6,
    scores: pd.Series | None = None,
    *,
    score_horizon_months: int | None = None,
    renewal_col: str | None = None,
) -> pd.DataFrame:
    """Expected churners and revenue at stake in each of the next months.

    Without ``scores``, each active customer's chance of leaving in month ``h`` is read
    from the overall Kaplan-Meier curve conditioned on the current tenure ``t``:
    ``(S(t + a) - S(t + b)) / S(t)`` for the month's window ``(a, b]`` in whole days
    (calendar months after the snapshot; 30, 61, 91... days without one). The curve is read
    half a day late so that tenures counted in whole months line up with the windows.
    Beyond the longest tenure seen the curve is flat, so very old customers are forecast
    to stay.
    With ``scores`` (a probability of churning per ``customer_id``, read as the chance of
    leaving within ``score_horizon_months``, default ``months``), a constant monthly hazard
    spreads each probability over the months.

    Parameters
    ----------
    table : the confirmed customer table.
    months : how many months ahead.
    scores : optional model scores indexed by ``customer_id``.
    score_horizon_months : the horizon the scores refer to.
    renewal_col : a column of ``table.frame`` holding days until each customer's renewal;
        its name is never guessed.

    Returns
    -------
    pandas.DataFrame
        ``month`` (1..months), ``window_start``, ``window_end`` (dates after the snapshot;
        NaT without a snapshot), ``days``, ``active_customers``, ``expected_churners``,
        ``revenue_at_stake`` (expected value per month lost; NaN without values; the
        notes and ``attrs["value_note"]`` say how the value per month was read), ``method``
        (``kaplan_meier`` or ``model_scores``); with ``renewal_col``: ``renewals`` and
        ``renewal_value`` (customers whose renewal falls in the window).
    """
    if months < 1:
        raise ChurnDataError(msg("months must be 1 or more."), fix=msg("use e.g. 6."))
    f = table.frame
    active = pd.to_numeric(f[CHURNED], errors="coerce") == 0
    tenure = pd.to_numeric(f[TENURE], errors="coerce")
    offsets, w_start, w_end = _month_windows(table.snapshot, months)
    value = pd.to_numeric(f[VALUE], errors="coerce") if VALUE in f else None
    has_value = value is not None and value[active].notna().any()

    if scores is None:
        act, probs = _survival_probabilities(table, active, tenure, offsets)
        method = "kaplan_meier"
    else:
        horizon = score_horizon_months or months
        act, probs = _score_probabilities(f, active, scores, horizon, months)
        method = "model_scores"
    out = pd.DataFrame(
        {
            "month": np.arange(1, months + 1),
            "window_start": pd.to_datetime(pd.Series(w_start)),
            "window_end": pd.to_datetime(pd.Series(w_end)),
            "days": np.diff(offsets).round().astype(int),
            "active_customers": int(act.sum()),
            "expected_churners": probs.sum(axis=0),
        }
    )
    if has_value:
        v = np.nan_to_num(value[act].to_numpy(dtype=float))
        out["revenue_at_stake"] = (probs * v[:, None]).sum(axis=0)
    else:
        out["revenue_at_stake"] = np.nan
    out["method"] = method
    if renewal_col is not None:
        _add_renewals(out, f, active, renewal_col, offsets, value)
    out.attrs["notes"] = (
        [
            msg(
                "Beyond the longest tenure seen the survival curve is flat, so customers "
                "older than that are forecast to stay."
            )
        ]
        if method == "kaplan_meier"
        else []
    ) + value_notes(table, has_value)
    out.attrs.update(unit_attrs(table))
    return out


def _month_windows(snap: object, months: int) -> tuple[np.ndarray, list, list]:
    """Day offsets of the month edges after the snapshot, and each month's first and last day.

    Calendar months after the snapshot; without one, average months (30, 61, 91... days)
    and no dates.
    """
    if snap is not None and not pd.isna(snap):
        snap = pd.Timestamp(snap).normalize()
        edges = [snap + pd.DateOffset(months=h) for h in range(months + 1)]
        offsets = np.array([(e - snap).days for e in edges], dtype=float)
        starts, ends = edges[:-1], edges[1:]
        # window h covers the days after edge h-1 up to and including edge h
        w_start = [s + pd.Timedelta(days=1) for s in starts]
        w_end = list(ends)
    else:
        offsets = np.round(np.arange(months + 1) * DAYS_PER_MONTH)
        w_start = w_end = [pd.NaT] * months
    return offsets, w_start, w_end


def _survival_probabilities(
    table: CustomerTable, active: pd.Series, tenure: pd.Series, offsets: np.ndarray
) -> tuple[pd.Series, np.ndarray]:
    """Customers forecast, and each one's chance of leaving in each month, from the
    overall Kaplan-Meier curve conditioned on their current tenure."""
    res = survival_curves(table)
    curve = res.curves
    act = active & tenure.notna()
    # Half a day of slack: tenures counted in whole months (a tenure column times the
    # days of a month) then land in the right calendar month, while whole-day tenures
    # from dates are unaffected.
    t = tenure[act].to_numpy(dtype=float) + 0.5
    grid = np.stack([survival_at(curve, t + o) for o in offsets], axis=1)
    s_now = grid[:, :1]
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = np.where(s_now > 0, grid / s_now, 1.0)
    probs = cond[:, :-1] - cond[:, 1:]
    return act, probs


def _score_probabilities(
    f: pd.DataFrame, active: pd.Series, scores: pd.Series, horizon: int, months: int
) -> tuple[pd.Series, np.ndarray]:
    """Customers forecast, and each one's chance of leaving in each month, spreading the
    model's probability over ``horizon`` months with a constant monthly hazard."""
    sc = pd.to_numeric(pd.Series(scores), errors="coerce")
    per = f[ID].astype(str).map(sc.rename(index=str))
    act = active & per.notna()
    p = per[act].clip(0, 1).to_numpy(dtype=float)
    hazard = 1 - np.power(1 - p, 1 / horizon)
    alive = np.power(1 - hazard[:, None], np.arange(months + 1)[None, :])
    probs = alive[:, :-1] - alive[:, 1:]
    return act, probs


def _add_renewals(
    out: pd.DataFrame,
    f: pd.DataFrame,
    active: pd.Series,
    renewal_col: str,
    offsets: np.ndarray,
    value: pd.Series | None,
) -> None:
    """Add ``renewals`` (and ``renewal_value``): active customers renewing in each month."""
    months = len(out)
    if renewal_col not in f.columns:
        raise ChurnDataError(
            msg("This renewal column is not in the customer table."),
            fix=msg("choose the column that holds days until renewal."),
            column=renewal_col,
        )
    days_to = pd.to_numeric(f.loc[active, renewal_col], errors="coerce")
    # month h holds renewals in (offset[h-1], offset[h]]; renewal day 0 goes to month 1
    bins = np.searchsorted(offsets[1:], days_to.to_numpy(dtype=float), side="left")
    ok = days_to.notna().to_numpy() & (days_to.to_numpy() >= 0) & (bins < months)
    out["renewals"] = np.bincount(bins[ok], minlength=months)[:months].astype(int)
    if value is not None:
        rv = np.nan_to_num(value[active].to_numpy(dtype=float))[ok]
        out["renewal_value"] = np.bincount(bins[ok], weights=rv, minlength=months)[:months]
