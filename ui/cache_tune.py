"""Cached wrappers of :mod:`churn.model.tuning`: the search and the default-vs-tuned
comparison of the Model page's "Tune" control. Draws nothing (see ``ui/cache.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from churn import model as M
from churn.contain import WorkerLimits
from churn.contain.call import call_contained
from churn.model.tuning import TuneResult, tune
from churn.table import CustomerTable
from ui import cache_model as cm
from ui import jobs
from ui.state import Confirmed

_TTL = 4 * 3600  # seconds
_SMALL = 16

Progress = Callable[[int, int, str], None]


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _tune(
    key: str, features: tuple[str, ...], budget: float, _table: CustomerTable, _progress
) -> TuneResult:
    # in a worker process (churn.contain.call), given the budget and two minutes more
    limits = WorkerLimits()
    limits = WorkerLimits(memory=limits.memory, seconds=max(limits.seconds, int(budget) + 120))
    return call_contained(
        tune,
        _table,
        budget_seconds=budget,
        features=list(features),
        progress=_progress,
        size=cm.table_bytes(_table),
        worker=limits,
    )


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
    return call_contained(
        M.leaderboard,
        _table,
        models=["lightgbm"],
        features=list(features),
        tuned=dict(params),
        progress=_progress,
        size=cm.table_bytes(_table),
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
