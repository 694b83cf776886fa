"""Cached wrappers of :mod:`churn.whatif` for the What-if page (``ui.pages.whatif``).

One of the only places that cache (``ui/cache*.py``; see ``ui/cache.py``); nothing here
draws. Same conventions as ``ui/cache.py`` and ``ui/cache_model.py``: cached functions
are keyed on the model's settings (which start with ``Confirmed.key``: content hash +
roles + settings) plus this page's choices; the table and the fitted model are passed as
underscore arguments so Streamlit never hashes a large frame.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from churn import whatif as W
from churn.model import TrainedModel
from churn.table import CustomerTable
from ui import cache_model as cm
from ui.cache_explain import reference_of
from ui.i18n import current_lang, fmt_pct, t

_TTL = 4 * 3600
_SMALL = 64
_LISTS = 16


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _space(settings: cm.Settings, _tm: TrainedModel, _table: CustomerTable) -> pd.DataFrame:
    return W.feature_space(_table, _tm)


def space(h: dict, tm: TrainedModel, table: CustomerTable) -> pd.DataFrame:
    """``churn.whatif.feature_space`` for the current model."""
    return _space(cm.settings_of(h), tm, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _links(settings: cm.Settings, _tm: TrainedModel, _table: CustomerTable) -> pd.DataFrame:
    return W.linked_features(_table, _tm)


def links(h: dict, tm: TrainedModel, table: CustomerTable) -> pd.DataFrame:
    """``churn.whatif.linked_features`` (numbers that go with a category) for the model."""
    return _links(cm.settings_of(h), tm, table)


#: Customers offered in the what-if picker (the rest are found with the search box): a
#: selectbox of a million options takes seconds to draw on every rerun.
PICK_LIMIT = 1000


@st.cache_data(max_entries=_LISTS, ttl=_TTL, show_spinner=False)
def _choices(settings: cm.Settings, lang: str, limit: int, _h, _tm: TrainedModel, _table) -> dict:
    risk = cm.scores(_h, _tm, _table)
    status = _table.frame.set_index(_table.frame["customer_id"].astype(str))["label_status"]
    gone = (status.reindex(risk.index) == "churned").to_numpy()
    here = risk[~gone].nlargest(limit)
    rest = risk[gone].nlargest(max(limit - len(here), 0))
    return {str(k): customer_label(str(k), float(v)) for k, v in pd.concat([here, rest]).items()}


def riskiest(h: dict, tm: TrainedModel, table: CustomerTable) -> dict[str, str]:
    """customer id -> picker label of the :data:`PICK_LIMIT` riskiest customers still here
    (then churned ones when fewer are here), riskiest first; once per model and language."""
    return _choices(cm.settings_of(h), current_lang(), PICK_LIMIT, h, tm, table)


def customer_label(customer: str, risk: float) -> str:
    """A customer as the picker shows it: id and risk."""
    return t("whatif.customer_option", id=customer, risk=fmt_pct(risk))


@st.cache_resource(max_entries=8, ttl=_TTL, show_spinner=False)
def _explainer(settings, _tm, _table):
    """The shap explainer of the model (built once per model), or None without churn.explain."""
    try:
        from churn.explain import make_explainer
    except ImportError:
        return None
    return make_explainer(_tm, _table.frame)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _what_if(
    settings, customer, changes, lang, move_linked, _h, _tm, _table, _space
) -> W.WhatIfResult:
    ex = _explainer(settings, _tm, _table)
    return W.what_if(
        _tm, _table, customer, dict(changes), space=_space, explain=ex is not None,
        lang=lang, explainer=ex, move_linked=move_linked,
        links=_links(settings, _tm, _table), groups=_groups(settings, _tm, _table),
        reference=_reference(settings, _tm, _table),
        risk=cm.scores(_h, _tm, _table),  # honest "now", as the segment what-if
    )  # fmt: skip


@st.cache_resource(max_entries=8, ttl=_TTL, show_spinner=False)
def _groups(settings, _tm, _table):
    """The reference customers of the percentile mapping, once per model (shared)."""
    return W.reference_groups(_table, _tm)


def _reference(settings, _tm, _table):
    """The explanations' reference distributions (once per model)."""
    return reference_of(settings, _tm, _table)


def what_if(
    h, tm, table, sp, customer: str, changes: dict, lang: str, move_linked: bool = True
) -> W.WhatIfResult:
    """``churn.whatif.what_if`` with how the reasons moved (when explanations exist); the
    risk now is the customer's honest risk (:func:`ui.cache_model.scores`) and the risk
    after it shifted by the model's change, as in :func:`segment`.

    ``move_linked``: numbers that go with a changed category move with it (the page's
    checkbox)."""
    items = tuple(sorted((k, v) for k, v in changes.items()))
    return _what_if(cm.settings_of(h), customer, items, lang, bool(move_linked), h, tm, table, sp)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _suggest(
    settings, customer, target, actionable, move_linked, _tm, _table, _space
) -> W.Suggestions:
    return W.suggest(
        _tm, _table, customer, target, list(actionable), space=_space,
        move_linked=move_linked, links=_links(settings, _tm, _table),
        groups=_groups(settings, _tm, _table),
    )  # fmt: skip


def suggest(
    h, tm, table, sp, customer: str, target: float, actionable, move_linked: bool = True
) -> W.Suggestions:
    """``churn.whatif.suggest`` (up to three alternatives)."""
    return _suggest(
        cm.settings_of(h), customer, float(target), tuple(actionable), bool(move_linked),
        tm, table, sp,
    )  # fmt: skip


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _segment(settings, select, iv, money, move_linked, _h, _tm, _table, _space) -> W.SegmentResult:
    column, values, top_n = select
    risk = cm.scores(_h, _tm, _table)  # honest: out of fold for customers it learned from
    ids = W.segment_ids(_table, column=column, values=values, risk=risk, top_n=top_n)
    cost, acceptance, value = money
    return W.segment_scenario(
        _tm, _table, ids, W.Intervention(*iv), cost_per_customer=cost,
        acceptance=acceptance, value=value, space=_space, move_linked=move_linked,
        links=_links(settings, _tm, _table), groups=_groups(settings, _tm, _table),
        risk=risk,
    )  # fmt: skip


def segment(h, tm, table, sp, *, column, values, top_n, kind, target, amount, cost,
            acceptance, value, move_linked=True) -> W.SegmentResult:  # fmt: skip
    """``churn.whatif.segment_scenario`` on a filter (column values) or the top-N at risk.

    ``value`` None means the table's value column.
    """
    select = (column, tuple(values or ()), int(top_n) if top_n else None)
    money = (float(cost), float(acceptance), None if value is None else float(value))
    iv = (kind, target, amount)
    return _segment(cm.settings_of(h), select, iv, money, bool(move_linked), h, tm, table, sp)
