"""Cached wrappers of :mod:`churn.explain` for the Explanations page (and What-if).

One of the only places that cache (``ui/cache*.py``; see ``ui/cache.py``); nothing here
draws. Same conventions as ``ui/cache.py`` and ``ui/cache_model.py``: keys are the model's
settings (``cache_model.settings_of(handle)``: dataset key + model + features + split)
plus this page's own settings; the model and the table go in as underscore arguments so
Streamlit never hashes a large frame. The shap explainer and the comparison reference
are built once per model (``st.cache_resource``: shared, never mutated) for one
customer's explanation; the global drivers and the at-risk list (SHAP on thousands and
hundreds of rows) are computed in a worker process (``churn.contain.explain``), once per
key across sessions (``ui.jobs.once``); explanations are computed only for the rows shown.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from churn import explain as E
from churn import model as M
from churn.contain.explain import at_risk_contained, drivers_contained
from churn.table import CustomerTable
from ui import cache_model as cm
from ui import jobs
from ui.state import Confirmed

_TTL = 4 * 3600  # seconds
_MODELS = 8
_SMALL = 64
_LISTS = 16


@st.cache_resource(max_entries=_MODELS, ttl=_TTL, show_spinner=False)
def _explainer(settings: cm.Settings, _tm: M.TrainedModel, _table: CustomerTable) -> E.Explainer:
    return E.make_explainer(_tm, E.sample_rows(_table, E.LINEAR_BACKGROUND))


def explainer(handle: dict, tm: M.TrainedModel, table: CustomerTable) -> E.Explainer:
    """The model's shap explainer, built once per model."""
    s = cm.settings_of(handle)
    return jobs.once(("explainer", *s), lambda: _explainer(s, tm, table))


@st.cache_resource(max_entries=_MODELS, ttl=_TTL, show_spinner=False)
def _reference(settings: cm.Settings, _tm: M.TrainedModel, _table: CustomerTable) -> E.Reference:
    return E.make_reference(_table, _tm.features)


def reference(handle: dict, tm: M.TrainedModel, table: CustomerTable) -> E.Reference:
    """Sorted values of every feature: what "higher than 90 % of customers" is measured on."""
    return _reference(cm.settings_of(handle), tm, table)


def reference_of(settings: cm.Settings, tm: M.TrainedModel, table: CustomerTable) -> E.Reference:
    """:func:`reference` for a model's settings (``cache_model.settings_of``)."""
    return _reference(settings, tm, table)


@st.cache_resource(max_entries=1, ttl=_TTL, show_spinner=False)
def playbook() -> E.Playbook:
    """The built-in playbook (churn/playbook.csv)."""
    return E.load_playbook()


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _drivers(settings: cm.Settings, _tm: M.TrainedModel, _table: CustomerTable) -> E.GlobalDrivers:
    # in a worker process (churn.contain.explain): seconds of SHAP off the server's thread
    return drivers_contained(_tm, _table)


def drivers(handle: dict, tm: M.TrainedModel, table: CustomerTable) -> E.GlobalDrivers:
    """Global drivers on a seeded sample (``churn.explain.default_sample``)."""
    s = cm.settings_of(handle)
    return jobs.once(("drivers", *s), lambda: _drivers(s, tm, table))


@st.cache_data(max_entries=_LISTS, ttl=_TTL, show_spinner=False)
def _at_risk(
    settings: cm.Settings,
    sort: str,
    top: int,
    band: tuple[float, float],
    segment: tuple[str, tuple[str, ...]] | None,
    lang: str,
    _tm: M.TrainedModel,
    _table: CustomerTable,
    _risk: pd.Series,
) -> pd.DataFrame:
    # in a worker process, with the built-in playbook and the table's reference values
    return at_risk_contained(
        _tm, _table, _risk, sort=sort, top=top, band=band, segment=segment, lang=lang
    )


def at_risk(
    handle: dict,
    tm: M.TrainedModel,
    table: CustomerTable,
    *,
    sort: str,
    top: int,
    band: tuple[float, float],
    segment: tuple[str, tuple[str, ...]] | None,
    lang: str,
) -> pd.DataFrame:
    """The at-risk list for these settings (only its rows are explained)."""
    risk = cm.scores(handle, tm, table)
    s, top = cm.settings_of(handle), int(top)
    return jobs.once(
        ("at_risk", *s, sort, top, band, segment, lang),
        lambda: _at_risk(s, sort, top, band, segment, lang, tm, table, risk),
    )


@st.cache_data(max_entries=_LISTS, ttl=_TTL, show_spinner=False)
def _export(
    settings: cm.Settings,
    sort: str,
    top: int,
    band,
    segment,
    lang: str,
    kind: str,
    extra: str,
    _frame,
) -> bytes:
    return E.at_risk_bytes(_frame, kind)


def export(
    handle: dict, frame: pd.DataFrame, kind: str, *, extra: str = "", **settings: Any
) -> bytes:
    """The shown at-risk list as formula-safe CSV or XLSX bytes. ``extra`` keys anything
    else that changed the list's columns (the P(alive) horizon of an event log)."""
    s = settings
    return _export(
        cm.settings_of(handle),
        s["sort"],
        s["top"],
        s["band"],
        s["segment"],
        s["lang"],
        kind,
        extra,
        frame,
    )


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _customer(
    settings: cm.Settings, row: Any, lang: str, other: str, _tm: M.TrainedModel, _table
) -> dict:
    ex = E.explain(_tm, _table.frame.loc[[row]], explainer=_explainer(settings, _tm, _table))
    ref = _reference(settings, _tm, _table)
    rs = E.reasons(ex, _table, top=3, lang=lang, playbook=playbook(), reference=ref)
    act = E.suggested_actions(ex, _table, lang=lang, playbook=playbook(), reference=ref)
    return {
        "risk": float(ex.risk.iloc[0]),
        "base_risk": ex.base_risk,
        "reasons": rs,
        "action": act.iloc[0].to_dict(),
        "waterfall": E.waterfall_frame(ex, row, other_label=other),
    }


def customer(
    handle: dict, tm: M.TrainedModel, table: CustomerTable, row: Any, lang: str, other: str
) -> dict:
    """One customer's risk, base risk, top reasons, action and waterfall steps."""
    return _customer(cm.settings_of(handle), row, lang, other, tm, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _levels(key: str, column: str, _table: CustomerTable) -> list[str]:
    return E.filter_levels(_table, column)


def levels(conf: Confirmed, table: CustomerTable, column: str) -> list[str]:
    """The values a segment filter offers for ``column`` (most frequent first)."""
    return _levels(conf.key, column, table)
