"""Cached report building (:mod:`churn.report`) for the Report page (``ui.pages.report``).

One of the only places that cache (``ui/cache*.py``; see ``ui/cache.py``); nothing here
draws. Same conventions as ``ui/cache.py``: keyed on the confirmed dataset's text key
(``Confirmed.key``) plus the report's settings (sections, language, the model's settings
and the saved scenarios as JSON text); the table and the model are underscore arguments,
so Streamlit never hashes them.
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from churn import report as R
from churn.table import CustomerTable
from ui import cache
from ui.state import Confirmed, Dataset

_TTL = 4 * 3600  # seconds
_REPORTS = 8  # built reports (HTML with charts can be a few hundred kB)


def _settings_text(obj: Any) -> str:
    """A stable text key for small settings (model handle, scenarios)."""
    return json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False)


@st.cache_data(max_entries=_REPORTS, ttl=_TTL, show_spinner=False)
def _build(
    key: str,
    kind: str,
    sections: tuple[str, ...],
    lang: str,
    personal: bool,
    model_key: str,
    scenarios_key: str,
    alive_key: str,
    _table: CustomerTable,
    _trained: Any,
    _issues: Any,
    _scenarios: Any,
    _alive: Any,
    _alive_threshold: float | None,
) -> tuple[bytes, tuple[str, ...], tuple[str, ...]]:
    rep = R.build_report(
        _table,
        _trained,
        sections=sections,
        lang=lang,
        issues=_issues,
        scenarios=_scenarios,
        charts=kind == "html",
        personal=personal,
        alive=_alive,
        alive_threshold=_alive_threshold,
    )
    data = rep.to_html().encode("utf-8") if kind == "html" else rep.to_xlsx()
    return data, tuple(rep.names), tuple(rep.notes())


def build(
    ds: Dataset,
    conf: Confirmed,
    table: CustomerTable,
    kind: str,
    sections: tuple[str, ...],
    lang: str,
    personal: bool = False,
    *,
    trained: Any = None,
    handle: dict | None = None,
    scenarios: dict | None = None,
    alive: Any = None,
    alive_threshold: float | None = None,
) -> tuple[bytes, tuple[str, ...], tuple[str, ...]]:
    """The report as bytes (``kind`` "html" or "xlsx"), the sections kept and the notes.
    ``personal``: keep customers' names and contact details in the at-risk list.

    ``trained`` is the model trained on the Model page (None: no model sections; never
    trains one) with its ``handle``; ``scenarios`` are the saved what-if scenarios;
    ``alive`` is an event log's P(alive) fit (``ui.cache_alive.fit``) with the threshold
    chosen on the Data page.
    """
    scenarios = dict(scenarios or {})
    issues = cache.validation_issues(ds, conf)
    return _build(
        conf.key,
        kind,
        tuple(sections),
        lang,
        bool(personal),
        _settings_text(handle),
        _settings_text(scenarios),
        _settings_text(None if alive is None else (alive.horizon_days, alive_threshold)),
        table,
        trained,
        issues,
        scenarios,
        alive,
        alive_threshold,
    )
