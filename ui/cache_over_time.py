"""Cached wrappers and display helpers for the Churn over time page.

Same conventions as ``ui/cache.py``: every cached function is keyed on the confirmed
dataset's text key (``Confirmed.key``: content hash + roles + settings) plus the page's
settings; the customer table itself is passed as an underscore argument, so Streamlit
never hashes a large frame (DESIGN rule 7).
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from churn import metrics
from churn.errors import ChurnDataError
from churn.table import CustomerTable
from ui.i18n import fmt_int, t
from ui.state import Confirmed

_TTL = 4 * 3600  # seconds
_SMALL = 64  # small result frames
_LISTS = 16  # customer lists (can be as long as the table)


@st.cache_resource(max_entries=_LISTS, ttl=_TTL, show_spinner=False)
def _dated(key: str, _table: CustomerTable):
    """The dated customer rows, once per dataset (shared, read only), or None when the
    table has no start dates (each table then raises its own message)."""
    try:
        return metrics.dated_rows(_table)
    except ChurnDataError:
        return None


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _periods(key: str, period: str, definition: str, _table: CustomerTable) -> pd.DataFrame:
    return metrics.period_table(_table, period, definition, dated=_dated(key, _table))


def period_table(
    conf: Confirmed, table: CustomerTable, period: str, definition: str
) -> pd.DataFrame:
    """``churn.metrics.period_table`` for the confirmed dataset."""
    return _periods(conf.key, period, definition, table)


@st.cache_data(max_entries=_LISTS, ttl=_TTL, show_spinner=False)
def _customers(
    key: str, label: str, period: str, which: str, _table: CustomerTable
) -> tuple[int, pd.DataFrame]:
    frame = metrics.customers_in_period(_table, label, period, which, dated=_dated(key, _table))
    return len(frame), frame.head(500)


def customers_in_period(
    conf: Confirmed, table: CustomerTable, label: str, period: str, which: str
) -> tuple[int, pd.DataFrame]:
    """(count, first 500 rows) of the customers behind one number."""
    return _customers(conf.key, label, period, which, table)


def customers_csv(table: CustomerTable, label: str, period: str, which: str):
    """A function writing those customers as Excel-safe CSV, called by the download
    button on click (not on every rerun)."""
    from churn.export import to_csv_bytes

    return lambda: to_csv_bytes(metrics.customers_in_period(table, label, period, which))


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _cohorts(key: str, max_months: int, min_cell: int, _table: CustomerTable) -> pd.DataFrame:
    return metrics.cohort_table(
        _table, max_months=max_months, min_cell=min_cell, dated=_dated(key, _table)
    )


def cohort_table(
    conf: Confirmed, table: CustomerTable, max_months: int = 24, min_cell: int = 20
) -> pd.DataFrame:
    """``churn.metrics.cohort_table`` for the confirmed dataset."""
    return _cohorts(conf.key, max_months, min_cell, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _survival(key: str, by: str | None, _table: CustomerTable) -> metrics.SurvivalResult:
    return metrics.survival_curves(_table, by=by)


def survival(
    conf: Confirmed, table: CustomerTable, by: str | None = None
) -> metrics.SurvivalResult:
    """``churn.metrics.survival_curves`` for the confirmed dataset (overall or by a column)."""
    return _survival(conf.key, by, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _forecast(
    key: str,
    months: int,
    renewal_col: str | None,
    model_key: str | None,
    _table: CustomerTable,
    _scores: pd.Series | None,
) -> pd.DataFrame:
    return metrics.forecast_next_months(
        _table, months=months, scores=_scores, renewal_col=renewal_col
    )


def forecast(
    conf: Confirmed,
    table: CustomerTable,
    months: int = 6,
    renewal_col: str | None = None,
    model: tuple[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """``churn.metrics.forecast_next_months`` for the dataset: from the survival curve, or
    from a trained model's scores when ``model`` (its key and scores) is given.
    """
    model_key, scores = model if model is not None else (None, None)
    return _forecast(conf.key, months, renewal_col, model_key, table, scores)


def model_scores(conf: Confirmed, table: CustomerTable) -> tuple[str, pd.Series] | None:
    """(model key, risk per customer_id) of the model trained on the Model page, or None.

    The Model page owns training; this only reads its cached model for this dataset.
    """
    try:
        from ui import cache_model
        from ui.state import MODEL, get_dataset

        handle = st.session_state.get(MODEL)
        model = cache_model.current_model(get_dataset(), conf)
        if model is None or not handle:
            return None
        return repr(cache_model.settings_of(handle)), cache_model.scores(handle, model, table)
    except (ImportError, AttributeError, KeyError, TypeError):
        return None  # no model page (or another version of it): the survival curve serves


# ------------------------------------------------------------------------------------
# Display helpers (translation and formatting only; no analysis here)
# ------------------------------------------------------------------------------------


def chart_labels() -> dict[str, str]:
    """Every chart label of ``churn.charts.over_time`` in the current language."""
    from churn.charts.over_time import DEFAULT_LABELS

    return {k: t(f"over_time.chart_{k}") for k in DEFAULT_LABELS}


def group_names() -> dict[str, str]:
    """Display names of the survival groups the library names itself."""
    return {
        metrics.OVERALL: t("over_time.group_all"),
        metrics.OTHER: t("over_time.group_other"),
        metrics.MISSING: t("over_time.group_missing"),
    }


def fmt_p(p: float) -> str:
    """A p-value as text: "< 0.001" when tiny."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def fmt_days(days: float) -> str:
    """A median lifetime: days and months, or "not reached"."""
    if days is None or not math.isfinite(days):
        return t("over_time.not_reached")
    return t("over_time.days_months", days=fmt_int(days), months=f"{days / (365 / 12):.1f}")


def groups_display(res: metrics.SurvivalResult) -> pd.DataFrame:
    """The survival groups as a small translated table for ``st.dataframe``."""
    names = group_names()
    g = res.groups
    return pd.DataFrame(
        {
            t("over_time.col_group"): g["group"].replace(names),
            t("over_time.col_customers"): g["customers"],
            t("over_time.col_churned"): g["churned"],
            t("over_time.col_median"): g["median_lifetime_days"].map(fmt_days),
        }
    )


def forecast_display(fc: pd.DataFrame) -> pd.DataFrame:
    """The forecast as a translated table for ``ui.widgets.show_table`` (which shows the
    window dates as dates)."""
    out = pd.DataFrame(
        {
            t("over_time.chart_month"): fc["month"],
            t("over_time.chart_window_start"): fc["window_start"],
            t("over_time.chart_window_end"): fc["window_end"],
            t("over_time.chart_expected_churners"): fc["expected_churners"].round(1),
            t("over_time.chart_revenue_at_stake"): fc["revenue_at_stake"].round(0),
        }
    )
    if "renewals" in fc:
        out[t("over_time.col_renewals")] = fc["renewals"]
    if "renewal_value" in fc:
        out[t("over_time.col_renewal_value")] = fc["renewal_value"].round(0)
    if fc["window_start"].isna().all():
        out = out.drop(columns=[t("over_time.chart_window_start"), t("over_time.chart_window_end")])
    if fc["revenue_at_stake"].isna().all():
        out = out.drop(columns=[t("over_time.chart_revenue_at_stake")])
    return out
