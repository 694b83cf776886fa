"""Cached wrappers of :mod:`churn.metrics` for the Churn over time page
(``ui.pages.over_time``).

One of the only places that cache (``ui/cache*.py``; see ``ui/cache.py``); nothing here
draws. Same conventions as ``ui/cache.py``: every cached function is keyed on the confirmed
dataset's text key (``Confirmed.key``: content hash + roles + settings) plus the page's
settings; the customer table itself is passed as an underscore argument, so Streamlit
never hashes a large frame (DESIGN rule 7).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from churn import metrics
from churn.errors import ChurnDataError
from churn.table import CustomerTable
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
