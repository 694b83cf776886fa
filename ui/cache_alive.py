"""Cached wrappers of :mod:`churn.alive` (P(alive) of a purchase log) for the Data, Churn
over time, Explanations and Report pages.

One of the only places that cache (``ui/cache*.py``; see ``ui/cache.py``); nothing here
draws (the pages show a spinner around the first call). Same conventions as
``ui/cache.py``: every cached function is keyed on the confirmed dataset's text key
(``Confirmed.key``: content hash + roles + settings) plus its own settings (the horizon
in days, the end of the fitting period); the file's bytes and the settings object go in
as underscore arguments, so Streamlit never hashes them (DESIGN rule 7).

Only event logs (``ColumnRoles.shape == "events"``) have a P(alive); a fit that cannot
be made (e.g. nobody bought twice) raises its ``ChurnDataError`` afresh on every call,
from a cached JSON copy, like ``ui.cache`` does for a file that cannot be read.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from churn import alive as A
from churn.errors import ChurnDataError
from churn.table import VALUE, CustomerTable
from ui import cache
from ui.state import Confirmed, Dataset

_TTL = 4 * 3600  # seconds
_FITS = 16  # fitted logs (one row per customer)
_SMALL = 64  # tracking frames and maps


def _frame(ds: Dataset, conf: Confirmed) -> pd.DataFrame:
    return cache.read(ds.content_hash, ds.name, conf.sheet, ds.data).frame


@st.cache_data(max_entries=_FITS, ttl=_TTL, show_spinner=False)
def _fit(key: str, horizon_days: int, _ds: Dataset, _conf: Confirmed):
    """(AliveResult, None), or (None, the error as JSON)."""
    try:
        res = A.fit_alive(_frame(_ds, _conf), _conf.roles, _conf.snapshot, horizon_days)
    except ChurnDataError as exc:
        return None, exc.to_json()
    return res, None


def fit(ds: Dataset, conf: Confirmed, horizon_days: int) -> A.AliveResult:
    """BG/NBD (and Gamma-Gamma with an amount) fitted to the confirmed event log, every
    customer scored for ``horizon_days`` (``churn.alive.fit_alive``).

    Raises
    ------
    ChurnDataError
        The log cannot be fitted (the reason, in the user's terms).
    """
    if conf.roles.shape != "events":
        raise ValueError("P(alive) is only fitted to event logs")  # a page's mistake
    res, error = _fit(conf.key, int(horizon_days), ds, conf)
    if error is not None:
        raise ChurnDataError.from_json(error)
    return res


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _tracking(key: str, calibration_end: str, _ds: Dataset, _conf: Confirmed):
    try:
        tr = A.tracking_frame(_frame(_ds, _conf), _conf.roles, calibration_end, _conf.snapshot)
    except ChurnDataError as exc:
        return None, exc.to_json()
    return tr, None


def tracking(ds: Dataset, conf: Confirmed, calibration_end: Any) -> A.Tracking:
    """Expected against actual repeat purchases per week, the model fitted up to
    ``calibration_end`` (``churn.alive.tracking_frame``)."""
    day = pd.Timestamp(calibration_end).strftime("%Y-%m-%d")
    tr, error = _tracking(conf.key, day, ds, conf)
    if error is not None:
        raise ChurnDataError.from_json(error)
    return tr


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _map(key: str, horizon_days: int, _res: A.AliveResult) -> pd.DataFrame:
    return A.alive_map(_res)


def alive_map(conf: Confirmed, res: A.AliveResult) -> pd.DataFrame:
    """The frequency x recency P(alive) map of a fit (``churn.alive.alive_map``)."""
    return _map(conf.key, res.horizon_days, res)


@st.cache_resource(max_entries=_FITS, ttl=_TTL, show_spinner=False)
def _joined(
    key: str, horizon_days: int, _table: CustomerTable, _res: A.AliveResult
) -> pd.DataFrame:
    return A.join_alive(_table.frame, _res, after=VALUE)


def with_alive(conf: Confirmed, table: CustomerTable, res: A.AliveResult) -> pd.DataFrame:
    """The customer table's rows with the fit's P(alive) columns after ``value``
    (``churn.alive.join_alive``); a shallow copy of the shared cached frame."""
    return _joined(conf.key, res.horizon_days, table, res).copy(deep=False)
