"""What the app and the report show of a P(alive) fit.

A fit (:class:`~churn.alive.predict.AliveResult`) gives every customer of a purchase log
a probability of still being a customer. This module turns it into what people read:

* :func:`rule_rates`: the churn rate of the inactivity rule ("no purchase in N days",
  the customer table's label) beside the rate of "P(alive) below a threshold", with
  the one-time buyers counted (BG/NBD gives them P(alive) = 1, which is why the second
  rate is so much lower);
* :func:`join_alive`: P(alive), expected purchases and expected value as columns of
  another customer list (the customer table, the at-risk list);
* :func:`worth_a_call`: the customers with a low P(alive) who are worth the most;
* :func:`parameter_sentences`: the fitted parameters in plain words;
* :func:`calibration_end`, :func:`alive_map` and :func:`tracking_totals`: the defaults
  and the figures of the tracking chart and the P(alive) map.

The threshold's default is written once here (:data:`DEFAULT_P_ALIVE_THRESHOLD`); the
horizon's is :data:`churn.alive.predict.DEFAULT_HORIZON_DAYS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from churn.alive.predict import AliveResult
from churn.alive.tracking import PHASE_CALIBRATION, PHASE_HOLDOUT, Tracking, p_alive_grid
from churn.errors import ChurnDataError
from churn.formatting import fmt_money, fmt_num, fmt_pct
from churn.languages import DEFAULT_LANGUAGE
from churn.table import CHURNED, ID, CustomerTable
from churn.text import localize, msg

#: P(alive) below this counts as lost under the P(alive) rule, unless the user says otherwise.
DEFAULT_P_ALIVE_THRESHOLD = 0.5
#: The columns :func:`join_alive` adds (``expected_value`` only with a spend model).
ALIVE_COLUMNS = ("p_alive", "expected_purchases", "expected_value")
#: Columns of :func:`worth_a_call`.
CALL_COLUMNS = (ID, "frequency", "last_purchase", *ALIVE_COLUMNS)
#: Days in a year, for purchase rates per year.
YEAR_DAYS = 365.25


def check_threshold(threshold: Any) -> float:
    """The P(alive) threshold as a number strictly between 0 and 1.

    Raises
    ------
    ChurnDataError
        Not a number, or not between 0 and 1.
    """
    try:
        value = float(threshold)
        ok = 0.0 < value < 1.0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ChurnDataError(
            msg("the P(alive) threshold '{value}' is not a share between 0 and 1", value=threshold),
            fix=msg("give a share such as 0.5 (50 %)"),
        )
    return value


@dataclass(frozen=True)
class RuleRates:
    """The two churn rules side by side.

    Attributes
    ----------
    customers : customers the P(alive) fit scored.
    one_time : those who bought on one day only (BG/NBD: P(alive) = 1).
    one_time_inactive : one-time buyers the inactivity rule counts as churned.
    threshold : the P(alive) threshold.
    alive_lost : customers whose P(alive) is below the threshold.
    alive_rate : ``alive_lost / customers``.
    repeat_rate : the same share among the repeat buyers only (NaN without any).
    inactivity_days : the inactivity window N of the customer table.
    inactivity_lost, inactivity_labelled, inactivity_rate : churned and labelled
        customers of the customer table (customers too new to judge are not labelled).
    """

    customers: int
    one_time: int
    one_time_inactive: int
    threshold: float
    alive_lost: int
    alive_rate: float
    repeat_rate: float
    inactivity_days: int | None
    inactivity_lost: int
    inactivity_labelled: int
    inactivity_rate: float


def rule_rates(table: CustomerTable, result: AliveResult, threshold: Any) -> RuleRates:
    """Churn by the inactivity rule (``table``'s label) and by P(alive) below ``threshold``."""
    thr = check_threshold(threshold)
    c = result.customers
    p = c["p_alive"].to_numpy(dtype=float)
    one = c["frequency"].to_numpy(dtype=float) == 0
    lost = p < thr
    repeat = int((~one).sum())
    churned = table.frame.set_index(table.frame[ID].astype(str))[CHURNED]
    inactive = churned.reindex(c.loc[one, ID].astype(str)).to_numpy(dtype=float) == 1
    return RuleRates(
        customers=len(c),
        one_time=int(one.sum()),
        one_time_inactive=int(inactive.sum()),
        threshold=thr,
        alive_lost=int(lost.sum()),
        alive_rate=float(lost.mean()) if len(c) else float("nan"),
        repeat_rate=float(lost[~one].mean()) if repeat else float("nan"),
        inactivity_days=table.inactivity_days,
        inactivity_lost=table.n_churned,
        inactivity_labelled=table.n_labelled,
        inactivity_rate=table.churn_rate,
    )


def has_value(result: AliveResult) -> bool:
    """Whether the fit has expected values (an amount and a spend model)."""
    return result.spend is not None and bool(result.customers["expected_value"].notna().any())


def alive_columns(result: AliveResult) -> tuple[str, ...]:
    """:data:`ALIVE_COLUMNS` this fit fills (``expected_value`` only with a spend model)."""
    return ALIVE_COLUMNS if has_value(result) else ALIVE_COLUMNS[:2]


def join_alive(
    frame: pd.DataFrame, result: AliveResult, *, after: str | None = None
) -> pd.DataFrame:
    """``frame`` with the P(alive) columns of its customers (matched on ``customer_id``).

    Customers the fit does not know (no purchase by the snapshot) get NaN. The columns
    go right after the column ``after`` when ``frame`` has it, else at the end; a column
    ``frame`` already has is replaced.
    """
    cols = alive_columns(result)
    scores = result.customers.set_index(result.customers[ID].astype(str))[list(cols)]
    ids = frame[ID].astype(str)
    out = frame.drop(columns=[c for c in cols if c in frame.columns])
    at = list(out.columns).index(after) + 1 if after in out.columns else len(out.columns)
    for i, col in enumerate(cols):
        out.insert(at + i, col, scores[col].reindex(ids).to_numpy())
    return out


def worth_a_call(result: AliveResult, threshold: Any, top: int = 20) -> pd.DataFrame:
    """Customers whose P(alive) is below ``threshold``, worth the most first.

    Ranked by expected value when the fit has one, else by expected purchases (ties: the
    higher P(alive) first). Columns: :data:`CALL_COLUMNS` (without ``expected_value``
    when the fit has none).
    """
    thr = check_threshold(threshold)
    c = result.customers
    low = c[c["p_alive"] < thr]
    first = "expected_value" if has_value(result) else "expected_purchases"
    ranked = low.sort_values([first, "p_alive"], ascending=False, kind="mergesort")
    shown = alive_columns(result)
    cols = [col for col in CALL_COLUMNS if col in shown or col not in ALIVE_COLUMNS]
    return ranked.head(int(top))[cols].reset_index(drop=True)


def parameter_sentences(result: AliveResult, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """The fitted parameters in plain words, in ``lang``.

    The mean purchase rate of the gamma distribution (``r / alpha`` per time unit) as
    purchase days a year, the mean drop-out chance after a purchase (``a / (a + b)``),
    and with a spend model the mean amount per purchase (``p gamma / (q - 1)``).
    """
    prm = result.params
    per_year = prm.r / prm.alpha * YEAR_DAYS / prm.unit_days
    out = [
        msg(
            "While still a customer, a typical customer buys on about {per_year} days a year "
            "(BG/NBD: r = {r}, alpha = {alpha}).",
            per_year=fmt_num(per_year, 1, lang),
            r=fmt_num(prm.r, 3, lang),
            alpha=fmt_num(prm.alpha, 3, lang),
        ),
        msg(
            "After each purchase a customer leaves for good with a chance of {drop} on "
            "average (a = {a}, b = {b}); a customer who never came back shows no sign of "
            "leaving, so P(alive) stays at 100 % for them.",
            drop=fmt_pct(prm.a / (prm.a + prm.b), 1, lang),
            a=fmt_num(prm.a, 3, lang),
            b=fmt_num(prm.b, 3, lang),
        ),
    ]
    spend = result.spend
    if spend is not None and spend.q > 1:
        out.append(
            msg(
                "A repeat purchase is worth {spend} on average (Gamma-Gamma: p = {p}, "
                "q = {q}, gamma = {gamma}).",
                spend=fmt_money(spend.mean_spend, lang),
                p=fmt_num(spend.p, 3, lang),
                q=fmt_num(spend.q, 3, lang),
                gamma=fmt_num(spend.gamma, 3, lang),
            )
        )
    return [localize(s, lang) for s in out]


def calibration_end(result: AliveResult) -> pd.Timestamp:
    """The default end of the tracking chart's fitting period: halfway between the first
    purchase in the log and the snapshot (the holdout is the second half)."""
    first = pd.Timestamp(result.customers["first_purchase"].min()).normalize()
    snapshot = pd.Timestamp(result.snapshot).normalize()
    half = (snapshot - first).days // 2
    return min(first + pd.Timedelta(days=max(half, 1)), snapshot - pd.Timedelta(days=1))


def alive_map(result: AliveResult, max_frequency: int | None = None) -> pd.DataFrame:
    """P(alive) for every number of repeat purchases and every recency, at the median age.

    The age ``T`` is the median ``T`` of the fit's customers rounded to whole time units
    (at least 1); recency runs from 0 to ``T`` in steps of one unit (a week). Without
    ``max_frequency`` the rows go up to the 99th percentile of the repeat purchases
    (between 5 and 30).

    Returns
    -------
    DataFrame
        ``frequency``, ``recency``, ``p_alive`` (as :func:`~churn.alive.p_alive_grid`)
        and ``T`` (the same on every row), all in the fit's time unit.
    """
    c = result.customers
    big_t = max(1, int(round(float(np.median(c["T"])))))
    if max_frequency is None:
        q99 = float(np.quantile(c["frequency"], 0.99)) if len(c) else 0.0
        max_frequency = int(min(30, max(5, round(q99))))
    grid = p_alive_grid(result.params, float(big_t), max_frequency, recency_steps=big_t)
    grid["recency"] = grid["recency"].round(6)
    grid["T"] = big_t
    return grid


def tracking_totals(tracking: Tracking) -> dict[str, float]:
    """Actual and expected repeat purchases of the fitting period and of the holdout, and
    the number of periods in each: ``calibration_actual``, ``calibration_expected``,
    ``calibration_periods``, ``holdout_actual``, ``holdout_expected``, ``holdout_periods``."""
    f = tracking.frame
    out: dict[str, float] = {}
    for phase, name in ((PHASE_CALIBRATION, "calibration"), (PHASE_HOLDOUT, "holdout")):
        rows = f[f["phase"] == phase]
        out[f"{name}_actual"] = float(rows["actual"].sum())
        out[f"{name}_expected"] = float(rows["expected"].sum())
        out[f"{name}_periods"] = int(len(rows))
    return out
