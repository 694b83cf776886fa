"""Cached wrappers of :mod:`churn.model.tuning`: the search and the default-vs-tuned
comparison of the Model page's "Tune" control. Draws nothing (see ``ui/cache.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from churn import model as M
from churn.model.tuning import TuneResult, tune
from churn.table import CustomerTable
from ui import jobs
from ui.state import Confirmed

_TTL = 4 * 3600  # seconds
_SMALL = 16

Progress = Callable[[int, int, str], None]


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _tune(
    key: str, features: tuple[str, ...], budget: float, _table: CustomerTable, _progress
) -> TuneResult:
    return tune(_table, budget_seconds=budget, features=list(features), progress=_progress)


def tuned(
    conf: Confirmed, table: CustomerTable, features: tuple[str, ...], budget: float, progress
) -> TuneResult:
    """``churn.model.tuning.tune`` within ``budget`` seconds, once per dataset, features
    and budget; ``progress(done, total, stage)`` after each fit."""
    feats = tuple(features)
    return jobs.once(
        ("tune", conf.key, feats, budget), lambda: _tune(conf.key, feats, budget, table, progress)
    )


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _compare(
    key: str, features: tuple[str, ...], params: tuple, _table: CustomerTable, _progress
) -> pd.DataFrame:
    return M.leaderboard(
        _table, models=["lightgbm"], features=list(features), tuned=dict(params), progress=_progress
    )


def compare(
    conf: Confirmed,
    table: CustomerTable,
    features: tuple[str, ...],
    params: dict,
    progress: Progress,
) -> pd.DataFrame:
    """The leaderboard's two LightGBM rows, default and tuned, on the same folds."""
    feats = tuple(features)
    items = tuple(sorted(params.items()))
    return jobs.once(
        ("tune_compare", conf.key, feats, items),
        lambda: _compare(conf.key, feats, items, table, progress),
    )
