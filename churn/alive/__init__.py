"""Customers without a contract: P(alive), expected purchases and value (BG/NBD).

For purchase logs there is no cancel date. Besides the inactivity rule ("no purchase in
N days", ``churn.shapes``), this package fits the BG/NBD model of Fader, Hardie & Lee
(2005) to each customer's repeat purchase days and, when the log has an amount, the
Gamma-Gamma model of spend per purchase, both by maximum likelihood with scipy.

Import from ``churn.alive`` itself; the submodules are where the code lives:

- :mod:`~churn.alive.history` -- purchase days (same-day purchases merged) and the
  frequency / recency / T / monetary summary at a date (:func:`purchase_days`,
  :func:`rfm_summary`).
- :mod:`~churn.alive.bgnbd` -- the BG/NBD likelihood, its fit and closed forms
  (:func:`fit_bgnbd`, :func:`p_alive`, :func:`conditional_expected_purchases`,
  :func:`expected_purchases_new`).
- :mod:`~churn.alive.gamma_gamma` -- spend per purchase (:func:`fit_gamma_gamma`,
  :func:`expected_spend`).
- :mod:`~churn.alive.predict` -- the whole fit and the per-customer scores
  (:func:`fit_alive`, :func:`alive_table`).
- :mod:`~churn.alive.tracking` -- expected against actual repeat purchases per period
  (:func:`tracking_frame`) and the frequency/recency P(alive) map (:func:`p_alive_grid`).
- :mod:`~churn.alive.simulate` -- purchase logs drawn from the models, for benchmarks
  and tests (:func:`simulate_purchases`).
- :mod:`~churn.alive.views` -- what the app and the report show of a fit: the two churn
  rules side by side (:func:`rule_rates`), the P(alive) columns of other customer lists
  (:func:`join_alive`), the customers :func:`worth_a_call`, the parameters in words
  (:func:`parameter_sentences`), the tracking and map defaults (:func:`calibration_end`,
  :func:`alive_map`, :func:`tracking_totals`).
"""

from __future__ import annotations

from churn.alive.bgnbd import (
    PARAMETERS,
    BetaGeoParams,
    bgnbd_log_likelihood,
    conditional_expected_purchases,
    expected_purchases_new,
    fit_bgnbd,
    p_alive,
)
from churn.alive.gamma_gamma import (
    GammaGammaParams,
    expected_spend,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)
from churn.alive.history import (
    SUMMARY_COLUMNS,
    WEEK_DAYS,
    PurchaseDays,
    purchase_days,
    rfm_summary,
)
from churn.alive.predict import (
    DEFAULT_HORIZON_DAYS,
    MAX_HORIZON_DAYS,
    SCORE_COLUMNS,
    AliveResult,
    alive_table,
    check_horizon_days,
    fit_alive,
    score_customers,
)
from churn.alive.simulate import simulate_purchases
from churn.alive.tracking import (
    PHASE_CALIBRATION,
    PHASE_HOLDOUT,
    TRACKING_COLUMNS,
    Tracking,
    p_alive_grid,
    tracking_frame,
)
from churn.alive.views import (
    ALIVE_COLUMNS,
    CALL_COLUMNS,
    DEFAULT_P_ALIVE_THRESHOLD,
    RuleRates,
    alive_columns,
    alive_map,
    calibration_end,
    check_threshold,
    has_value,
    join_alive,
    parameter_sentences,
    rule_rates,
    tracking_totals,
    worth_a_call,
)

__all__ = [
    "ALIVE_COLUMNS",
    "CALL_COLUMNS",
    "DEFAULT_HORIZON_DAYS",
    "DEFAULT_P_ALIVE_THRESHOLD",
    "MAX_HORIZON_DAYS",
    "PARAMETERS",
    "PHASE_CALIBRATION",
    "PHASE_HOLDOUT",
    "SCORE_COLUMNS",
    "SUMMARY_COLUMNS",
    "TRACKING_COLUMNS",
    "WEEK_DAYS",
    "AliveResult",
    "BetaGeoParams",
    "GammaGammaParams",
    "PurchaseDays",
    "RuleRates",
    "Tracking",
    "alive_columns",
    "alive_map",
    "alive_table",
    "bgnbd_log_likelihood",
    "calibration_end",
    "check_threshold",
    "check_horizon_days",
    "conditional_expected_purchases",
    "expected_purchases_new",
    "expected_spend",
    "fit_alive",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "has_value",
    "join_alive",
    "p_alive",
    "p_alive_grid",
    "parameter_sentences",
    "purchase_days",
    "rfm_summary",
    "rule_rates",
    "score_customers",
    "simulate_purchases",
    "tracking_frame",
    "tracking_totals",
    "worth_a_call",
]
