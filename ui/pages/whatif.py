"""What if: What would it take to keep this customer, and what would a campaign be worth?

:func:`render` needs the model trained on the Model page (or offers to train the
default one), then draws two tabs: one customer (change the features, see the risk and
the reasons move, ask for suggestions, save scenarios) and a segment campaign (who is
contacted, what changes, what it costs and brings). The what-if answers are cached by
``ui.cache_whatif``; the sentences come from ``ui.pages.whatif_words``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from churn import whatif as W
from churn.charts import whatif as charts
from churn.explain import find_customer
from churn.export import to_csv_bytes
from churn.model import DEFAULT_MODEL, TrainedModel, feature_frame
from churn.table import CustomerTable
from churn.whatif import compare_scenarios
from ui import cache_model as cm
from ui import cache_whatif as cw
from ui import vega, workspace
from ui.i18n import current_lang, fmt_int, fmt_money, fmt_pct, model_name, t
from ui.pages import whatif_words as words
from ui.pages.data_amount import value_caption
from ui.state import MODEL, SCENARIOS, Confirmed, get_confirmed, get_dataset, keep_choice
from ui.tables import percent_column, percent_view
from ui.widgets import fixed_labels, option_labels, page_header, require_table


def render() -> None:
    """The model used and the linked-features switch, then the two tabs."""
    page_header("whatif")
    table = require_table()
    conf = get_confirmed()
    with st.spinner(t("whatif.training")):
        tm = workspace.current_model(get_dataset(), conf)
    if tm is None:
        st.info(t("whatif.need_model"), icon=":material/model_training:")
        if st.button(t("whatif.train_default"), key="whatif.train", type="primary"):
            train_default(conf, table)
            st.rerun()
        st.stop()
    h = handle()
    sp = cw.space(h, tm, table)
    lab = words.chart_labels()
    st.caption(t("whatif.model_used", model=model_name(tm.name, recommended=False)))
    links = cw.links(h, tm, table)
    # numbers that go with a category (days to renewal with the contract) move with it
    move_linked = st.checkbox(
        t("whatif.move_linked"), value=True, key="whatif.move_linked",
        help=t("whatif.move_linked_help"),
    )  # fmt: skip
    one, seg = st.tabs([t("whatif.tab_one"), t("whatif.tab_segment")])
    with one:
        customer, acts, res = customer_section(h, tm, table, sp, lab, links, move_linked)
        suggestions_section(h, tm, table, sp, customer, acts, move_linked)
        scenarios_section(res, lab)
    with seg:
        segment_section(h, tm, table, sp, lab, links, move_linked, acts)


def customer_section(
    h: dict,
    tm: TrainedModel,
    table: CustomerTable,
    sp: pd.DataFrame,
    lab: dict,
    links: pd.DataFrame,
    move_linked: bool,
) -> tuple[str, list[str], W.WhatIfResult]:
    """One customer: the picker, the feature form, the risk before and after and how the
    reasons moved. Returns (customer, actionable features, the what-if result)."""
    left, right = st.columns([1, 2])
    customer = customer_picker(left, h, tm, table)
    acts = right.multiselect(
        t("whatif.actionable"),
        sp["feature"].tolist(),
        default=sp.loc[sp["actionable"], "feature"].tolist(),
        key="whatif.actionable",
        help=t("whatif_kinds.actionable_help"),
        placeholder=t("widgets.choose_options"),
    )
    right.caption(words.kinds_caption(sp))
    unlocked = st.toggle(t("whatif.unlock"), key="whatif.unlock")
    current = current_values(tm, table, customer)
    changes = feature_form(sp, current, acts, unlocked, customer)
    st.button(t("whatif.reset"), key="whatif.reset", on_click=reset, icon=":material/undo:")

    res = cw.what_if(h, tm, table, sp, customer, changes, current_lang(), move_linked)
    m1, m2, m3 = st.columns(3)
    m1.metric(t("whatif.before"), fmt_pct(res.before))
    m2.metric(
        t("whatif.after"),
        fmt_pct(res.after),
        # no arrow when the risk did not move by a tenth of a point ("+0.0" is no change)
        delta=t("whatif.points", points=f"{res.delta * 100:+.1f}")
        if round(res.delta * 100, 1) != 0
        else None,
        delta_color="inverse",
    )
    m3.metric(t("whatif.n_changes"), fmt_int(len(res.changes)))
    st.caption(res.note())
    if res.changes:
        st.caption(words.option_words(res.changes))
        linked_note = (
            words.linked_caption(res) if move_linked else words.linked_kept(links, changes, current)
        )
        if linked_note:
            st.caption(linked_note)
        if res.moved is not None:
            st.markdown(f"**{t('whatif.moved_head')}**")
            vega.draw(st, charts.moved_chart(res.moved, lab), width="stretch")
            r1, r2 = st.columns(2)
            r1.markdown(
                f"**{t('whatif.reasons_before')}**\n\n" + words.reason_texts(res.reasons_before)
            )
            r2.markdown(
                f"**{t('whatif.reasons_after')}**\n\n" + words.reason_texts(res.reasons_after)
            )
    if res.moved is None:
        st.caption(t("whatif.no_explain"))
    return customer, acts, res


def suggestions_section(
    h: dict,
    tm: TrainedModel,
    table: CustomerTable,
    sp: pd.DataFrame,
    customer: str,
    acts: list[str],
    move_linked: bool,
) -> None:
    """Up to three ways to bring the customer's risk under a target."""
    st.subheader(t("whatif.suggest_head"))
    target = st.slider(
        t("whatif.target"), 0, 100, 30, 1, key="whatif.target", format="%d%%"
    )  # fmt: skip
    if not acts:  # nothing to search: say what to do instead of an empty list
        st.info(t("whatif_kinds.none_actionable"), icon=":material/lock:")
        return
    sug = cw.suggest(h, tm, table, sp, customer, target / 100, acts, move_linked)
    lines = words.suggestion_lines(sug) if len(sug.options) else []
    if sug.before < sug.target:
        st.success(t("whatif.already_below", risk=fmt_pct(sug.before)))
    elif sug.reached and lines:
        st.success(t("whatif.reached", n=len(sug.options), target=fmt_pct(sug.target)))
        st.markdown("\n".join(f"- {line}" for line in lines))
    elif lines:
        st.warning(t("whatif.not_reached", target=fmt_pct(sug.target), best=fmt_pct(sug.best_risk)))
        st.markdown("\n".join(f"- {line}" for line in lines))
    else:
        st.warning(
            t(
                "whatif_kinds.not_reached_none",
                before=fmt_pct(sug.before),
                target=fmt_pct(sug.target),
            )
        )
    if sug.searched:
        st.caption(t("whatif.suggest_caption", n=fmt_int(sug.searched)))


def scenarios_section(res: W.WhatIfResult, lab: dict) -> None:
    """Save the current what-if under a name; compare the saved ones."""
    st.subheader(t("whatif.scenarios_head"))
    store = st.session_state[SCENARIOS]
    a, b = st.columns([3, 1])
    name = a.text_input(
        t("whatif.scenario_name"),
        key="whatif.scenario_name",
        placeholder=t("whatif.scenario_placeholder"),
    )
    b.write("")
    if b.button(t("whatif.save"), key="whatif.save", icon=":material/bookmark_add:"):
        if name.strip():
            save_scenario(store, name.strip(), res)
            st.toast(t("whatif.saved", name=name.strip()))
        else:
            st.warning(t("whatif.need_name"))
    if store:
        compared = compare_scenarios(list(store.values()))
        shown, _ = percent_view(
            words.compare_display(compared), [t("whatif.col_before"), t("whatif.col_after")]
        )
        st.dataframe(
            shown,
            hide_index=True,
            column_config={
                t("whatif.col_before"): percent_column(),
                t("whatif.col_after"): percent_column(),
                t("whatif.col_delta"): st.column_config.NumberColumn(format="%+.1f"),
            },
        )
        vega.draw(st, charts.scenarios_chart(compared, lab), width="stretch")
        if st.button(t("whatif.clear"), key="whatif.clear"):
            store.clear()
            st.rerun()
    else:
        st.caption(t("whatif.no_scenarios"))


def segment_section(
    h: dict,
    tm: TrainedModel,
    table: CustomerTable,
    sp: pd.DataFrame,
    lab: dict,
    links: pd.DataFrame,
    move_linked: bool,
    acts: list[str],
) -> None:
    """A campaign on a segment or the riskiest customers: churners before and after,
    revenue kept, cost and return, with its assumptions."""
    st.caption(t("whatif.seg_intro"))
    ctl = segment_controls(sp, acts, table)
    sres = cw.segment(
        h,
        tm,
        table,
        sp,
        column=ctl["column"],
        values=ctl["values"],
        top_n=ctl["top_n"],
        kind=ctl["kind"],
        target=ctl["target"],
        amount=ctl["amount"],
        cost=ctl["cost"],
        acceptance=ctl["acceptance"],
        value=ctl["value"],
        move_linked=move_linked,
    )
    left, right = st.columns([2, 1])
    r1 = left.columns(3)
    r1[0].metric(t("whatif.m_before"), f"{sres.churners_before:,.1f}")
    r1[1].metric(t("whatif.m_after"), f"{sres.churners_after:,.1f}")
    r1[2].metric(t("whatif.m_kept"), f"{sres.customers_kept:,.1f}")
    r2 = left.columns(3)
    r2[0].metric(t("whatif.m_revenue"), fmt_money(sres.revenue_kept))
    r2[1].metric(t("whatif.m_cost"), fmt_money(sres.campaign_cost))
    roi = fmt_pct(sres.roi, 0) if sres.campaign_cost > 0 else "–"
    r2[2].metric(t("whatif.m_roi"), roi, help=t("whatif.m_roi_help"))
    left.caption(
        t(
            "whatif.seg_counts",
            selected=fmt_int(sres.n_selected),
            targeted=fmt_int(sres.n_targeted),
            contacted=fmt_int(sres.n_contacted),
        )
    )
    unit_line = value_caption(table) if ctl["value"] is None else None
    if unit_line:  # revenue kept from the table's value: money per month or not confirmed
        left.caption(unit_line)
    for line in words.segment_linked_lines(sres):
        left.caption(line)
    if not move_linked and ctl["kind"] == "set":
        kept = words.linked_kept(links, {ctl["target"]: ctl["amount"]}, {})
        if kept:
            left.caption(kept)
    vega.draw(
        left, charts.churners_chart(sres.churners_before, sres.churners_after, lab), width="stretch"
    )
    right.markdown(f"**{t('whatif.assumptions_head')}**")
    lines = words.assumptions(sres, ctl["value_words"])
    right.markdown("\n".join(f"- {s}" for s in lines))
    right.download_button(
        t("whatif.download"),
        lambda: to_csv_bytes(sres.per_customer),
        "whatif_segment.csv",
        "text/csv",
        key="whatif.download",
    )


# ------------------------------------------------------------------------------------
# The model, the customer picker and the forms
# ------------------------------------------------------------------------------------


def handle() -> dict | None:
    """The current model's handle (``ui.state.MODEL``)."""
    return st.session_state.get(MODEL)


def train_default(conf: Confirmed, table: CustomerTable) -> None:
    """Ask for the default model with the table's features (the Model page's defaults)."""
    split = cm.split_for(conf, table, "auto").kind
    st.session_state[MODEL] = cm.make_handle(conf, DEFAULT_MODEL, tuple(table.features), split)


PICK_KEY = "whatif.customer"
SEARCH_KEY = "whatif.search"
_SEARCH_MISS = "whatif.search_miss"


def customer_choices(h: dict, tm: TrainedModel, table: CustomerTable) -> dict[str, str]:
    """customer id -> label for the picker: the ``cw.PICK_LIMIT`` riskiest customers still here
    (then churned ones when fewer are here), riskiest first; the customer chosen before
    (found with the search box) stays on the list."""
    labels = cw.riskiest(h, tm, table)
    chosen = st.session_state.get(PICK_KEY)
    if chosen is not None and str(chosen) not in labels:
        risk = cm.scores(h, tm, table)
        if str(chosen) in risk.index:
            labels = {
                str(chosen): cw.customer_label(str(chosen), float(risk[str(chosen)])),
                **labels,
            }
    return labels


def pick_searched(table: CustomerTable) -> None:
    """``on_change`` of the search box: choose the customer whose id (or name) matches."""
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
        help=t("whatif.customer_help", n=fmt_int(cw.PICK_LIMIT)),
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
    return {c: W.shown(X[c].iloc[0]) for c in tm.features}


RESET = "whatif.reset_n"  # bumps every form key, so one click restores the real values


def reset() -> None:
    """Back to the customer's real values (every form widget gets a fresh key)."""
    st.session_state[RESET] = st.session_state.get(RESET, 0) + 1


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
        if v is not None and (cur is None or W.shown(v) != cur):
            changes[f] = W.shown(v)
    return changes


def save_scenario(store: dict, name: str, res: W.WhatIfResult) -> None:
    """Keep the current what-if under ``name`` (a plain dict, as session state holds it)."""
    store[name] = W.Scenario.from_result(name, res).to_dict()
    workspace.autosave("scenario")  # the saved workspace keeps the scenarios too


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
            t("whatif.seg_values"), levels, default=levels[:1], key=f"whatif.seg_values.{col}",
            placeholder=t("widgets.choose_options"),
        )  # fmt: skip
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
