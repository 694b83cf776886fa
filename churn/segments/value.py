"""Value: customer lifetime value (Kaplan-Meier restricted mean lifetime) and revenue at
risk per segment."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.money import basis_of, unit_attrs
from churn.segments.labels import TableLike, require_column, segments_for, table_frame
from churn.segments.tables import churn_by_segment
from churn.table import CHURNED, ID, STATUS, STATUS_ACTIVE, TENURE, VALUE
from churn.text import msg

DAYS_PER_MONTH = 365.25 / 12


def value_series(table: TableLike, column: str | None) -> tuple[pd.Series, str]:
    """The value column (default ``value``: money per month, see :mod:`churn.money`) as
    numbers, and its name; ChurnDataError when it has none, or when the amount's unit
    cannot become money per month (the error says why)."""
    frame = table_frame(table)
    col = column or VALUE
    if column is None:
        basis = basis_of(table)
        if basis.note is not None and not basis.usable:
            raise ChurnDataError(
                msg("{message}", message=basis.note),
                fix=msg("choose the unit of the amount column on the Data page."),
                column=basis.column,
            )
    require_column(frame, col)
    values = pd.to_numeric(frame[col], errors="coerce")
    if values.notna().sum() == 0:
        raise ChurnDataError(
            msg("has no numbers, so customers cannot be ranked by value."),
            fix=msg("set a fee, revenue or amount column as the amount role on the Data page."),
            column=col,
        )
    return values, col


def lifetime_value(
    table: TableLike,
    *,
    by: str | None = None,
    horizon_months: float | None = None,
    value_column: str | None = None,
    segments: pd.Series | None = None,
    **binning: Any,
) -> pd.DataFrame:
    """Customer lifetime value: average monthly value times expected lifetime.

    The expected lifetime is the restricted mean of the Kaplan-Meier survival curve of
    tenure, churn being the event and active customers censored (the same number as
    lifelines' ``restricted_mean_survival_time``; see :func:`_restricted_mean`).

    Parameters
    ----------
    table : CustomerTable or pandas.DataFrame
        Needs ``tenure_days``, ``churned`` and a value column.
    by : str, optional
        Also one row per segment of this column.
    horizon_months : float, optional
        Upper limit of the restricted mean (default: the longest observed tenure).
    value_column : str, optional
        A numeric column read as value per month instead of ``value``.
    segments : pandas.Series, optional
        The labels of ``by`` when the caller has them (see :func:`churn_by_segment`).

    Returns
    -------
    pandas.DataFrame
        ``segment`` ("all" first, then the segments), ``customers``, ``churned``,
        ``avg_monthly_value``, ``expected_lifetime_months``, ``clv``,
        ``horizon_months``; ``attrs["method"]`` states the method in words, naming how
        the value per month was read from the amount and its unit; ``attrs["unit"]``,
        ``attrs["per_month"]`` (False when the unit is not confirmed) and
        ``attrs["value_note"]`` (see :func:`churn.money.value_basis`).
    """
    frame = table_frame(table)
    values, col = value_series(table, value_column)
    if TENURE not in frame.columns or frame[TENURE].notna().sum() == 0:
        raise ChurnDataError(
            msg("No tenure is known, so an expected lifetime cannot be estimated."),
            fix=msg("set start/end dates or a tenure column on the Data page."),
            column=TENURE,
        )
    ok = frame[CHURNED].notna() & frame[TENURE].notna()
    if not ok.any():
        raise ChurnDataError(
            msg("No customer has both a known outcome and a tenure."),
            fix=msg("check the label and the dates or tenure column on the Data page."),
            column=TENURE,
        )
    months = frame.loc[ok, TENURE].astype(float).clip(lower=0) / DAYS_PER_MONTH
    event = frame.loc[ok, CHURNED].astype(float)
    horizon = float(horizon_months) if horizon_months else float(months.max())
    if horizon <= 0:
        raise ChurnDataError(
            msg("Every tenure is zero."), column=TENURE, fix=msg("check the dates.")
        )
    vals = values[ok]
    df = pd.DataFrame({"d": months.to_numpy(), "e": event.to_numpy(), "v": vals.to_numpy()})
    groups = [("all", *_km_counts(df), len(df), float(event.sum()), float(vals.mean()))]
    if by is not None:
        seg = segments_for(table, by, segments, binning)[ok]
        df["g"] = seg.cat.codes.to_numpy()
        sizes = df.groupby("g", sort=True).agg(n=("e", "size"), k=("e", "sum"), v=("v", "mean"))
        blocks = _km_counts(df, by="g")
        for code, (times, deaths, totals) in blocks.items():
            n, k, v = sizes.loc[code, ["n", "k", "v"]]
            groups.append((str(seg.cat.categories[code]), times, deaths, totals, n, k, v))
    rows = []
    for name, times, deaths, totals, n, k, avg in groups:
        life = _restricted_mean(times, deaths, totals, horizon)
        rows.append(
            dict(
                segment=name,
                customers=int(n),
                churned=int(k),
                avg_monthly_value=float(avg),
                expected_lifetime_months=life,
                clv=float(avg) * life,
                horizon_months=horizon,
            )
        )
    out = pd.DataFrame(rows)
    out.attrs.update(method=_clv_method(table, value_column, horizon, col), column=col, by=by)
    out.attrs.update(_unit_attrs(table, value_column))
    return out


def _unit_attrs(table: TableLike, value_column: str | None) -> dict[str, Any]:
    """``unit`` (of the amount column), ``per_month`` (the values are money per month)
    and ``value_note`` (how they were read) for a result's ``attrs``."""
    if value_column is not None:
        return {"unit": None, "per_month": True, "value_note": None}
    return unit_attrs(table)


def _clv_method(table: TableLike, value_column: str | None, horizon: float, col: str) -> str:
    """How the lifetime value was computed, naming how the value per month was read."""
    note = basis_of(table).note if value_column is None else None
    if note is None:
        return msg(
            "Customer lifetime value = average monthly value x expected lifetime. The "
            "expected lifetime is the restricted mean survival time: the area under the "
            "Kaplan-Meier survival curve of tenure up to {horizon:.1f} months (customers "
            "still active are censored at their current tenure), so it is a lower bound when "
            "many customers stay longer than that. The value column ('{column}') is read as "
            "value per month.",
            horizon=horizon,
            column=col,
        )
    return msg(
        "Customer lifetime value = average monthly value x expected lifetime. The expected "
        "lifetime is the restricted mean survival time: the area under the Kaplan-Meier "
        "survival curve of tenure up to {horizon:.1f} months (customers still active are "
        "censored at their current tenure), so it is a lower bound when many customers stay "
        "longer than that. {value_note}",
        horizon=horizon,
        value_note=note,
    )


def _km_counts(df: pd.DataFrame, by: str | None = None):
    """Distinct tenures (``d``) with their churned (``e`` = 1) and total counts, sorted by
    tenure: ``(times, deaths, totals)``, or a dict of them per value of ``by``."""
    keys = ["d"] if by is None else [by, "d"]
    agg = df.groupby(keys, sort=True)["e"].agg(["sum", "size"])
    times = agg.index.get_level_values("d").to_numpy(dtype=float)
    deaths, totals = agg["sum"].to_numpy(dtype=float), agg["size"].to_numpy(dtype=float)
    if by is None:
        return times, deaths, totals
    codes = agg.index.get_level_values(by).to_numpy()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    return {
        int(codes[a]): (times[a:b], deaths[a:b], totals[a:b])
        for a, b in zip(starts, ends, strict=True)
    }


def _restricted_mean(
    times: np.ndarray, deaths: np.ndarray, totals: np.ndarray, horizon: float
) -> float:
    """Area under the Kaplan-Meier curve from 0 to ``horizon``: the restricted mean.

    The product-limit estimate from counts per distinct tenure (sorted): at risk at a
    tenure are all customers whose tenure is that long or longer, so customers still
    active at that tenure count as at risk. The same number as lifelines'
    ``restricted_mean_survival_time`` of a ``KaplanMeierFitter`` (checked in the tests);
    computed here because lifelines spends about 10 ms per fit, 0.4 s for the 36 signup
    months of a three-year table.
    """
    at_risk = totals[::-1].cumsum()[::-1]
    survival = np.cumprod(1.0 - deaths / at_risk)  # just after each tenure
    edges = np.minimum(np.r_[0.0, times, horizon], horizon)
    heights = np.r_[1.0, survival]  # on [0, t0), [t0, t1), ..., [t_last, horizon)
    return float((heights * np.diff(np.maximum.accumulate(edges))).sum())


def revenue_at_risk_by_segment(
    table: TableLike,
    column: str,
    scores: pd.Series | None = None,
    *,
    value_column: str | None = None,
    segments: pd.Series | None = None,
    **binning: Any,
) -> pd.DataFrame:
    """Value of the active customers expected to leave, per segment.

    Parameters
    ----------
    table : CustomerTable or pandas.DataFrame
    column : str
        Segment column.
    scores : pandas.Series, optional
        Churn probabilities of customers, indexed like the table's frame or by
        ``customer_id``. Without scores, each active customer's risk is the churn rate of
        their segment so far.
    value_column : str, optional
        Numeric column to use instead of ``value``.
    segments : pandas.Series, optional
        The labels of ``column`` when the caller has them (see :func:`churn_by_segment`).

    Returns
    -------
    pandas.DataFrame
        ``segment``, ``active_customers``, ``active_value``, ``risk`` (mean probability
        of leaving), ``revenue_at_risk`` (sum of value x probability), ``share_of_risk``;
        sorted by revenue at risk, largest first. ``attrs["method"]`` says "scores" or
        "segment_rate"; ``attrs["unit"]``, ``attrs["per_month"]`` and
        ``attrs["value_note"]`` as for :func:`lifetime_value`.
    """
    frame = table_frame(table)
    values, col = value_series(table, value_column)
    seg = segments_for(table, column, segments, binning)
    active = frame[STATUS] == STATUS_ACTIVE if STATUS in frame.columns else frame[CHURNED] == 0
    if scores is not None:
        if scores.index.equals(frame.index):
            prob = scores.astype(float)
        elif len(scores) == len(frame) and np.array_equal(
            scores.index.to_numpy(dtype=object), frame[ID].astype(str).to_numpy(dtype=object)
        ):  # scored in the table's own order (churn.model.score): no lookup needed
            prob = pd.Series(scores.to_numpy(dtype=float), index=frame.index)
        else:
            prob = frame[ID].map(scores.astype(float))
            prob.index = frame.index
        method = "scores"
    else:
        rates = churn_by_segment(table, column, segments=seg).set_index("segment")["churn_rate"]
        # each customer's segment rate, looked up by category code (-1 cannot occur)
        per_category = rates.reindex(seg.cat.categories.astype(str)).to_numpy(dtype=float)
        prob = pd.Series(per_category[seg.cat.codes.to_numpy()], index=frame.index)
        method = "segment_rate"
    df = pd.DataFrame({"segment": seg, "v": values, "p": prob})[active]
    df["risk_value"] = df["v"] * df["p"]
    g = df.groupby("segment", observed=True, sort=True)
    out = g.agg(
        active_customers=("v", "size"),
        active_value=("v", "sum"),
        risk=("p", "mean"),
        revenue_at_risk=("risk_value", "sum"),
    ).reset_index()
    out["segment"] = out["segment"].astype(str)
    total = float(out["revenue_at_risk"].sum())
    out["share_of_risk"] = out["revenue_at_risk"] / total if total else np.nan
    out = out.sort_values("revenue_at_risk", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs.update(method=method, column=col, by=column)
    out.attrs.update(_unit_attrs(table, value_column))
    return out
