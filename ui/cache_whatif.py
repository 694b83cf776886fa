"""Cached wrappers and small display helpers for the What-if page.

Same conventions as ``ui/cache.py`` and ``ui/cache_model.py``: cached functions are keyed
on the model's settings (which start with ``Confirmed.key``: content hash + roles +
settings) plus this page's choices; the table and the fitted model are passed as
underscore arguments so Streamlit never hashes a large frame.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from churn import whatif as W
from churn.model import DEFAULT_MODEL, TrainedModel, feature_frame
from churn.table import CustomerTable
from ui import cache_model as cm
from ui.i18n import current_lang, fmt_int, fmt_money, fmt_pct, t
from ui.state import MODEL, Confirmed, keep_choice
from ui.widgets import fixed_labels, option_labels

_TTL = 4 * 3600
_SMALL = 64
_LISTS = 16

RESET = "whatif.reset_n"  # bumps every form key, so one click restores the real values


def handle() -> dict | None:
    return st.session_state.get(MODEL)


def train_default(conf: Confirmed, table: CustomerTable) -> None:
    """Ask for the default model with the table's features (the Model page's defaults)."""
    split = cm.split_for(conf, table, "auto").kind
    st.session_state[MODEL] = cm.make_handle(conf, DEFAULT_MODEL, tuple(table.features), split)


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
    return {str(k): _option(str(k), float(v)) for k, v in pd.concat([here, rest]).items()}


def _option(customer: str, risk: float) -> str:
    return t("whatif.customer_option", id=customer, risk=fmt_pct(risk))


def customer_choices(h: dict, tm: TrainedModel, table: CustomerTable) -> dict[str, str]:
    """customer id -> label for the picker: the PICK_LIMIT riskiest customers still here
    (then churned ones when fewer are here), riskiest first; the customer chosen before
    (found with the search box) stays on the list."""
    labels = _choices(cm.settings_of(h), current_lang(), PICK_LIMIT, h, tm, table)
    chosen = st.session_state.get(PICK_KEY)
    if chosen is not None and str(chosen) not in labels:
        risk = cm.scores(h, tm, table)
        if str(chosen) in risk.index:
            labels = {str(chosen): _option(str(chosen), float(risk[str(chosen)])), **labels}
    return labels


PICK_KEY = "whatif.customer"
SEARCH_KEY = "whatif.search"
_SEARCH_MISS = "whatif.search_miss"


def pick_searched(table: CustomerTable) -> None:
    """``on_change`` of the search box: choose the customer whose id (or name) matches."""
    from churn.explain import find_customer

    query = str(st.session_state.get(SEARCH_KEY) or "").strip()
    st.session_state[_SEARCH_MISS] = None
    if not query:
        return
    try:
        row = find_customer(table, query)[0]
    except ValueError:
        st.session_state[_SEARCH_MISS] = query
        return
    st.session_state[PICK_KEY] = str(table.frame.at[row, "customer_id"])


def search_miss() -> str | None:
    """The last search that matched no customer (None when it matched)."""
    return st.session_state.get(_SEARCH_MISS)


def customer_picker(where, h: dict, tm: TrainedModel, table: CustomerTable) -> str:
    """The customer choice (riskiest first) and the search box under it, in ``where``."""
    labels = customer_choices(h, tm, table)
    customer = where.selectbox(
        t("whatif.customer"),
        list(labels),
        key=keep_choice(PICK_KEY),
        format_func=fixed_labels(labels),
        help=t("whatif.customer_help", n=fmt_int(PICK_LIMIT)),
    )
    where.text_input(t("whatif.search"), key=SEARCH_KEY, on_change=pick_searched, args=(table,))
    if search_miss():
        where.warning(t("whatif.search_none", query=search_miss()))
    return customer


def current_values(tm: TrainedModel, table: CustomerTable, customer: str) -> dict[str, Any]:
    """The customer's real feature values as the model reads them (None when missing)."""
    frame = table.frame
    row = frame.iloc[W.customer_positions(frame, customer)[:1]]
    X = feature_frame(row, tm.features, tm.categorical)
    return {c: W._shown(X[c].iloc[0]) for c in tm.features}


@st.cache_resource(max_entries=8, ttl=_TTL, show_spinner=False)
def _explainer(settings, _tm, _table):
    """The shap explainer of the model (built once per model), or None without churn.explain."""
    try:
        from churn.explain import make_explainer
    except ImportError:
        return None
    return make_explainer(_tm, _table.frame)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _what_if(settings, customer, changes, lang, move_linked, _tm, _table, _space) -> W.WhatIfResult:
    ex = _explainer(settings, _tm, _table)
    return W.what_if(
        _tm, _table, customer, dict(changes), space=_space, explain=ex is not None,
        lang=lang, explainer=ex, move_linked=move_linked,
        links=_links(settings, _tm, _table), groups=_groups(settings, _tm, _table),
        reference=_reference(settings, _tm, _table),
    )  # fmt: skip


@st.cache_resource(max_entries=8, ttl=_TTL, show_spinner=False)
def _groups(settings, _tm, _table):
    """The reference customers of the percentile mapping, once per model (shared)."""
    return W.reference_groups(_table, _tm)


def _reference(settings, _tm, _table):
    """The explanations' reference distributions (once per model), or None without them."""
    try:
        from ui.cache_explain import reference_of
    except ImportError:
        return None
    return reference_of(settings, _tm, _table)


def what_if(
    h, tm, table, sp, customer: str, changes: dict, lang: str, move_linked: bool = True
) -> W.WhatIfResult:
    """``churn.whatif.what_if`` with how the reasons moved (when explanations exist).

    ``move_linked``: numbers that go with a changed category move with it (the page's
    checkbox)."""
    items = tuple(sorted((k, v) for k, v in changes.items()))
    return _what_if(cm.settings_of(h), customer, items, lang, bool(move_linked), tm, table, sp)


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
    risk = None
    if top_n:
        risk = cm.scores(_h, _tm, _table)
    ids = W.segment_ids(_table, column=column, values=values, risk=risk, top_n=top_n)
    cost, acceptance, value = money
    return W.segment_scenario(
        _tm, _table, ids, W.Intervention(*iv), cost_per_customer=cost,
        acceptance=acceptance, value=value, space=_space, move_linked=move_linked,
        links=_links(settings, _tm, _table), groups=_groups(settings, _tm, _table),
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


def _num_widget(col, label, spec, current, key, disabled):
    integer = spec["kind"] == "integer"
    cast = int if integer else float
    lo, hi = spec["data_min"], spec["data_max"]
    bounds = {} if math.isnan(lo) else {"min_value": cast(lo), "max_value": cast(hi)}
    value = None if current is None else cast(current)
    step = 1 if integer else float(spec["step"])
    return col.number_input(label, value=value, step=step, key=key, disabled=disabled, **bounds)


def feature_form(sp: pd.DataFrame, current: dict, actionable, unlocked: bool, customer: str):
    """One widget per feature (actionable first; fixed ones locked unless unlocked).

    Returns the changes: feature -> new value, for the widgets that differ from the
    customer's real value.
    """
    acts = set(actionable)
    order = [r for r in sp.to_dict("records") if r["feature"] in acts]
    order += [r for r in sp.to_dict("records") if r["feature"] not in acts]
    n = st.session_state.get(RESET, 0)
    cols = st.columns(3)
    changes: dict[str, Any] = {}
    for i, spec in enumerate(order):
        f = spec["feature"]
        fixed = f not in acts
        label = f"{f} 🔒" if fixed and not unlocked else f
        key = f"whatif.f.{n}.{customer}.{f}"
        cur = current.get(f)
        col = cols[i % 3]
        if spec["kind"] == "categorical":
            levels = list(spec["levels"])
            idx = levels.index(cur) if cur in levels else None
            v = col.selectbox(label, levels, index=idx, key=key, disabled=fixed and not unlocked)
        else:
            v = _num_widget(col, label, spec, cur, key, fixed and not unlocked)
        if v is not None and (cur is None or W._shown(v) != cur):
            changes[f] = W._shown(v)
    return changes


def reason_texts(frame: pd.DataFrame | None) -> str:
    """Reason sentences as a markdown list (empty text when there are none)."""
    if frame is None or frame.empty:
        return t("whatif.no_reasons")
    return "\n".join(f"- {x}" for x in frame["text"])


def option_words(changes: list[dict]) -> str:
    """``column: before → after`` for each change of a suggestion."""
    return "; ".join(
        t("whatif.change_words", column=c["column"], before=_v(c["before"]), after=_v(c["after"]))
        for c in changes
    )


def _v(x: Any) -> str:
    return t("whatif.missing") if x is None else str(x)


def _n(x: Any) -> str:
    """A number with thousands separators (whole numbers without decimals)."""
    if x is None:
        return t("whatif.missing")
    return f"{x:,}" if isinstance(x, int) else f"{float(x):,.1f}"


def linked_words(linked: list[dict]) -> str:
    """``column: before → after (goes with contract)`` for each linked feature moved."""
    return "; ".join(
        t(
            "whatif.linked_words",
            column=c["column"],
            before=_v(c["before"]),
            after=_v(c["after"]),
            category=", ".join(map(str, c["linked_to"])),
        )
        for c in linked
    )


def linked_caption(res: W.WhatIfResult) -> str | None:
    """The caption under a one-customer what-if about linked features, or None."""
    if res.linked_changes:
        return t("whatif.linked_moved", moves=linked_words(res.linked_changes))
    return None


def linked_kept(lk: pd.DataFrame, changes: dict, current: dict) -> str | None:
    """With the option off: which numbers usually go with the changed categories, or None."""
    changed = {c for c, v in changes.items() if current.get(c) != v}
    feats = [f for f in dict.fromkeys(lk.loc[lk["category"].isin(changed), "feature"])]
    feats = [f for f in feats if f not in changes]
    if not feats:
        return None
    return t("whatif.linked_off", columns=", ".join(map(str, feats)))


def segment_linked_lines(res: W.SegmentResult) -> list[str]:
    """One line per linked feature a segment offer moved (average before → after)."""
    return [
        t(
            "whatif.seg_linked",
            column=c["column"],
            category=", ".join(map(str, c["linked_to"])),
            n=fmt_int(c["n_moved"]),
            before=f"{c['mean_before']:,.1f}",
            after=f"{c['mean_after']:,.1f}",
            low=_n(c["min_after"]),
            high=_n(c["max_after"]),
        )
        for c in res.linked_changes
    ]


def assumptions(res: W.SegmentResult, value_words: str) -> list[str]:
    """The campaign's assumptions in the user's language."""
    iv = res.intervention
    if res.rounding is not None:
        first = t(
            "whatif.as_scale_int",
            column=iv.column,
            value=iv.value,
            exact=f"{res.rounding['exact_total']:,.1f}",
            rounded=f"{res.rounding['rounded_total']:,.0f}",
        )
    else:
        first = t(f"whatif.as_{iv.kind}", column=iv.column, value=iv.value)
    out = [
        first,
        t("whatif.as_targeted", n=fmt_int(res.n_targeted), selected=fmt_int(res.n_selected)),
        t("whatif.as_contacted", n=fmt_int(res.n_contacted)),
        t("whatif.as_acceptance", pct=fmt_pct(res.acceptance, 0)),
        t("whatif.as_risk"),
        t("whatif.as_revenue", months=res.horizon_months, value=value_words),
        t("whatif.as_cost", cost=fmt_money(res.cost_per_customer)),
    ]
    if res.linked_changes:
        out.append(t("whatif.as_linked"))
    return out


def chart_labels() -> dict[str, str]:
    from churn.charts.whatif import DEFAULT_LABELS

    return {k: t(f"whatif.chart_{k}") for k in DEFAULT_LABELS}


def reset() -> None:
    """Back to the customer's real values (every form widget gets a fresh key)."""
    st.session_state[RESET] = st.session_state.get(RESET, 0) + 1


def save_scenario(store: dict, name: str, res: W.WhatIfResult) -> None:
    """Keep the current what-if under ``name`` (a plain dict, as session state holds it)."""
    store[name] = W.Scenario.from_result(name, res).to_dict()
    from ui.workspace import autosave

    autosave("scenario")  # the saved workspace keeps the scenarios too


def _cell_text(v: object) -> str:
    """A changed value as text: "–" when unchanged, whole numbers without ".0"."""
    if v is None or v != v or v == "":
        return "–"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def compare_display(compared: pd.DataFrame) -> pd.DataFrame:
    """Saved scenarios with translated titles for the fixed columns."""
    fixed = ("scenario", "customer", "before", "after", "delta", "n_changes")
    # changed-feature columns mix numbers, text and None: show them as text, "–" = unchanged
    out = compared.copy()
    out["delta"] = out["delta"] * 100  # percentage points, as the metric above says
    for c in out.columns:
        if c not in fixed:
            out[c] = out[c].map(_cell_text)
    names = {c: t(f"whatif.col_{c}") for c in fixed}
    if "linked" in out.columns:  # the features each scenario moved with a category
        names["linked"] = t("whatif.col_linked")
    return out.rename(columns=names)


def suggestion_lines(sug: W.Suggestions) -> list[str]:
    """One line per suggested option: the changes, the new risk and the change in points
    (and the linked features that move with the changes)."""

    def words(o: dict) -> str:
        moved = o.get("linked") or []
        if not isinstance(moved, list) or not moved:
            return option_words(o["changes"])
        return option_words(o["changes"]) + "; " + linked_words(moved)

    return [
        t(
            "whatif.option_line",
            i=int(o["option"]),
            changes=words(o),
            risk=fmt_pct(o["risk"]),
            points=f"{o['delta'] * 100:+.1f}",
        )
        for o in sug.options.to_dict("records")
    ]


def _levels(sp: pd.DataFrame, col: str) -> list:
    return list(sp.set_index("feature").loc[col, "levels"])


def segment_controls(sp: pd.DataFrame, acts: list[str], table: CustomerTable) -> dict:
    """The segment tab's widgets: who, what changes, and the money; returns their values."""
    mode = st.radio(
        t("whatif.seg_mode"), ["filter", "top"], key=keep_choice("whatif.seg_mode"),
        horizontal=True, format_func=option_labels(["filter", "top"], lambda k: t(f"whatif.seg_mode_{k}")),
    )  # fmt: skip
    out: dict[str, Any] = {"column": None, "values": (), "top_n": None}
    if mode == "filter":
        a, b = st.columns(2)
        col = a.selectbox(t("whatif.seg_column"), sp["feature"].tolist(), key="whatif.seg_column")
        levels = _levels(sp, col)
        out["column"] = col
        out["values"] = b.multiselect(
            t("whatif.seg_values"), levels, default=levels[:1], key=f"whatif.seg_values.{col}"
        )
    else:
        out["top_n"] = st.number_input(
            t("whatif.seg_top"), 1, len(table.frame), min(200, len(table.frame)), 10,
            key="whatif.seg_top",
        )  # fmt: skip
    c1, c2, c3 = st.columns(3)
    kinds = ["set", "scale", "cap"]
    kind = c1.radio(
        t("whatif.iv_kind"), kinds, key=keep_choice("whatif.iv_kind"),
        format_func=option_labels(kinds, lambda k: t(f"whatif.iv_{k}")),
    )  # fmt: skip
    numeric = sp.loc[sp["kind"] != "categorical", "feature"].tolist()
    choices = [c for c in acts if kind == "set" or c in numeric] or (
        sp["feature"].tolist() if kind == "set" else numeric
    )
    target = c2.selectbox(t("whatif.iv_column"), choices, key=f"whatif.iv_column.{kind}")
    if kind == "set":
        levels = _levels(sp, target)
        # the second most common value by default, so the first view already shows a change
        amount = c3.selectbox(
            t("whatif.iv_value"), levels, index=min(1, len(levels) - 1), key=f"whatif.iv_v.{target}"
        )
    elif kind == "scale":
        amount = c3.slider(t("whatif.iv_factor"), 0.0, 2.0, 0.7, 0.05, key="whatif.iv_factor")
        words = "whatif.iv_factor_less" if amount <= 1 else "whatif.iv_factor_more"
        c3.caption(t(words, pct=fmt_pct(abs(1 - amount), 0)))
    else:
        hi = sp.set_index("feature").loc[target, "max"]
        amount = c3.number_input(
            t("whatif.iv_cap_at"), 0.0, value=float(hi), key=f"whatif.cap.{target}"
        )
    d1, d2, d3 = st.columns(3)
    median = (
        pd.to_numeric(table.frame["value"], errors="coerce").median() if table.has_value else None
    )
    out["cost"] = d1.number_input(
        t("whatif.cost"), 0.0, value=float(median) if median and median == median else 20.0,
        key="whatif.cost", help=t("whatif.cost_help"),
    )  # fmt: skip
    out["acceptance"] = (
        d2.slider(t("whatif.acceptance"), 0, 100, 30, 5, key="whatif.acceptance", format="%d%%")
        / 100
    )
    sources = ["column", "constant"] if table.has_value else ["constant"]
    src = d3.radio(t("whatif.value_source"), sources, key=keep_choice("whatif.value_source"),
                   format_func=option_labels(sources, lambda k: t(f"whatif.value_{k}")))  # fmt: skip
    const = d3.number_input(t("whatif.value"), 0.0, value=100.0, key="whatif.value",
                            disabled=src == "column")  # fmt: skip
    out["value"] = None if src == "column" else float(const)
    out.update(kind=kind, target=target, amount=amount)
    out["value_words"] = (
        t("whatif.value_words_column")
        if src == "column"
        else t("whatif.value_words_constant", value=fmt_money(const))
    )
    return out
