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
from churn.contain.report import report_contained
from churn.table import CustomerTable
from ui import cache, jobs
from ui.state import Confirmed, Dataset

_TTL = 4 * 3600  # seconds
_REPORTS = 8  # built reports (HTML with charts can be a few hundred kB)


def _settings_text(obj: Any) -> str:
    """A stable text key for small settings (model handle, scenarios)."""
    return json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False)


#: the files the Report page offers (a PDF only where WeasyPrint is installed)
KINDS = ("html", "xlsx", "pdf")


@st.cache_data(max_entries=_REPORTS, ttl=_TTL, show_spinner=False)
def _build(
    key: str,
    sections: tuple[str, ...],
    lang: str,
    personal: bool,
    segments: tuple[str, ...] | None,
    survival_by: str | None,
    model_key: str,
    scenarios_key: str,
    alive_key: str,
    comparison_key: str | None,
    _table: CustomerTable,
    _trained: Any,
    _issues: Any,
    _scenarios: Any,
    _alive: Any,
    _alive_threshold: float | None,
    _comparison: Any = None,
) -> dict[str, tuple[bytes, tuple[str, ...], tuple[str, ...]]]:
    # in a worker process (churn.contain.report): charts, model and PDF off the server
    return report_contained(
        _table,
        _trained,
        sections=sections,
        lang=lang,
        issues=_issues,
        scenarios=_scenarios,
        segment_columns=segments,
        survival_by=survival_by,
        personal=personal,
        alive=_alive,
        alive_threshold=_alive_threshold,
        comparison=_comparison,
    )


@st.cache_data(max_entries=_REPORTS, ttl=_TTL, show_spinner=False)
def _choice(key: str, _table: CustomerTable) -> tuple[tuple[str, ...], str | None, Any, str]:
    c = R.choose_segments(_table)
    return c.columns, c.survival_by, c.evidence, c.reason


def segment_choice(conf: Confirmed, table: CustomerTable) -> R.SegmentChoice:
    """The segments and survival groups the evidence picks (:func:`churn.report.choose_segments`),
    cached per confirmed dataset."""
    return R.SegmentChoice(*_choice(conf.key, table))


def build(
    ds: Dataset,
    conf: Confirmed,
    table: CustomerTable,
    sections: tuple[str, ...],
    lang: str,
    personal: bool = False,
    *,
    segments: tuple[str, ...] | None = None,
    survival_by: str | None = None,
    trained: Any = None,
    handle: dict | None = None,
    scenarios: dict | None = None,
    alive: Any = None,
    alive_threshold: float | None = None,
    comparison: Any = None,
    comparison_key: str | None = None,
) -> dict[str, tuple[bytes, tuple[str, ...], tuple[str, ...]]]:
    """The report's files by kind (``html``, ``xlsx`` and, where WeasyPrint is installed,
    ``pdf``: the same HTML printed), each with the sections kept and the notes; one build.

    ``personal``: keep customers' names and contact details in the at-risk list.
    ``segments`` / ``survival_by``: the user's choice (None: chosen by evidence).
    ``trained`` is the model trained on the Model page (None: no model sections; never
    trains one) with its ``handle``; ``scenarios`` are the saved what-if scenarios;
    ``alive`` is an event log's P(alive) fit (``ui.cache_alive.fit``) with the threshold
    chosen on the Data page. ``comparison`` is the Changes page's comparison (in ``lang``)
    for the "changes" section, with ``comparison_key`` naming it (None: left out).
    """
    scenarios = dict(scenarios or {})
    issues = cache.validation_issues(ds, conf)
    keys = (
        conf.key,
        tuple(sections),
        lang,
        bool(personal),
        None if segments is None else tuple(segments),
        survival_by,
        _settings_text(handle),
        _settings_text(scenarios),
        _settings_text(None if alive is None else (alive.horizon_days, alive_threshold)),
        comparison_key if comparison is not None else None,
    )
    return jobs.once(  # the room asking for the same report builds it once
        ("report", *keys),
        lambda: _build(
            *keys, table, trained, issues, scenarios, alive, alive_threshold, comparison
        ),
    )
