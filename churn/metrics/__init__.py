"""Churn over time: churn by period, revenue churn, cohorts, survival and a short forecast.

Every function takes the confirmed :class:`~churn.table.CustomerTable` and works on its
canonical columns (``start_date``, ``end_date``, ``churned``, ``tenure_days``, ``value``);
nothing here guesses a column by its name. Rates come with their numerator, their
denominator, the definition used and a 95 % Wilson interval, so a page can say all four.

Exact definitions used throughout (dates are compared as calendar days):

* a customer is *active at the start* of period P when the start date is before P's first
  day and there is no end date or the end date is on or after P's first day;
* *new in P*: the start date falls within P;
* *churned in P*: the end date falls within P (``churned_from_start`` counts those of
  them who were active at the start of P);
* an end date after the snapshot is not a churn yet (the customer is still active on the
  snapshot date), and a row whose end date is before its start date is left out.

Submodules
----------
definitions : the periods and the registry of churn definitions (:data:`CHURN_DEFINITIONS`).
helpers : Wilson intervals, monthly rates, churn reasons, period labels and the dated rows
    every calendar table starts from (:func:`dated_rows`).
periods : :func:`period_table` (churn by period), :func:`headline_period` and the
    customers behind a number (:func:`customers_in_period`).
revenue : the revenue churn columns of the period table.
cohorts : :func:`cohort_table`, retention by signup month.
survival : Kaplan-Meier curves (:func:`survival_curves`, :func:`survival_at`).
forecast : :func:`forecast_next_months`, expected churners and revenue at stake.
"""

from __future__ import annotations

from churn.metrics.cohorts import cohort_table
from churn.metrics.definitions import (
    CHURN_DEFINITIONS,
    PERIODS,
    ChurnDefinition,
    register_definition,
)
from churn.metrics.forecast import forecast_next_months
from churn.metrics.helpers import (
    DAYS_PER_MONTH,
    INVOLUNTARY_PATTERN,
    classify_reason,
    dated_rows,
    monthly_equivalent,
    parse_period,
    period_label,
    wilson_interval,
)
from churn.metrics.periods import customers_in_period, headline_period, period_table
from churn.metrics.survival import (
    MISSING,
    OTHER,
    OVERALL,
    SurvivalResult,
    survival_at,
    survival_curves,
)

__all__ = [
    "CHURN_DEFINITIONS",
    "DAYS_PER_MONTH",
    "INVOLUNTARY_PATTERN",
    "MISSING",
    "OTHER",
    "OVERALL",
    "PERIODS",
    "ChurnDefinition",
    "SurvivalResult",
    "classify_reason",
    "cohort_table",
    "customers_in_period",
    "dated_rows",
    "forecast_next_months",
    "headline_period",
    "monthly_equivalent",
    "parse_period",
    "period_label",
    "period_table",
    "register_definition",
    "survival_at",
    "survival_curves",
    "wilson_interval",
]
