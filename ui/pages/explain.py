"""Explanations: What drives churn here, why is this customer at risk, and what should we do?

:func:`render` needs the model trained on the Model page (or offers to train the
default one), then draws four sections: the global drivers on a sample, the at-risk list
(only its rows are explained), one customer's reasons and suggested action, and the
playbook the actions come from. Explanations are cached by ``ui.cache_explain``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from churn import explain as E
from churn import model as M
from churn.charts import explain as charts
from churn.table import CustomerTable
from ui import cache_compare as cc
from ui import cache_explain as ce
from ui import cache_model as cm
from ui import vega, workspace
from ui.i18n import current_lang, fmt_int, fmt_pct, lib_text, model_name, t
from ui.pages import data_alive
from ui.pages.data_amount import value_caption
from ui.state import MODEL, Confirmed, get_confirmed, get_dataset, language_key
from ui.tables import percent_column, percent_view
from ui.widgets import (
    NONE,
    fixed_labels,
    option_labels,
    page_header,
    require_table,
    show_table,
)

LIST_COLUMNS = ("risk_rank", "customer_id", "name", "email", "risk", "value", "value_at_risk")
LIST_COLUMNS += ("signup_date", "last_purchase", "reason_1", "reason_2", "reason_3")


def render() -> None:
    """The model used, then drivers, the at-risk list, one customer and the playbook."""
    page_header("explain")
    table = require_table()
    ds, conf = get_dataset(), get_confirmed()
    lang = current_lang()
    # Widgets whose choices are translated carry the language in their key: Streamlit 1.67
    # keeps a choice in the browser as its label text, which the other language's options
    # do not match. The new key starts from the choice made in the language before.
    with st.spinner(t("explain.training")):
        tm = workspace.current_model(ds, conf)
    if tm is None:
        st.info(t("explain.no_model"), icon=":material/model_training:")
        if st.button(t("explain.train_default"), key="explain.train", type="primary"):
            default_handle(conf, table)
            st.rerun()
        st.stop()
    handle = st.session_state[MODEL]
    lab = {k: t(f"explain.lab_{k}") for k in charts.DEFAULT_LABELS}
    st.caption(
        t(
            "explain.model_used",
            model=model_name(tm.name),
            auc=f"{tm.metrics['roc_auc']:.3f}",
        )
    )
    drivers_section(handle, tm, table, lab)
    listed = at_risk_section(handle, tm, table, conf, lang)
    customer_section(handle, tm, table, listed, lang, lab)
    with st.expander(t("explain.playbook_head")):
        show_playbook(lang)


def drivers_section(handle: dict, tm: M.TrainedModel, table: CustomerTable, lab: dict) -> None:
    """Global drivers on a seeded sample: importance, beeswarm and one dependence plot."""
    st.subheader(t("explain.drivers_head"))
    with st.spinner(t("explain.training")):
        drivers = ce.drivers(handle, tm, table)
    st.caption(t("explain.method", base=fmt_pct(drivers.base_risk)))
    st.caption(
        t("explain.drivers_caption", n=fmt_int(drivers.n_sample), total=fmt_int(drivers.n_total))
    )
    left, right = st.columns(2)
    vega.draw(left, charts.importance_chart(drivers.importance, lab), width="stretch")
    left.caption(t("explain.importance_caption"))
    order = list(drivers.importance["feature"].head(10))
    vega.draw(right, charts.beeswarm_chart(drivers.points, order, lab), width="stretch")
    right.caption(t("explain.beeswarm_caption"))
    col = st.selectbox(t("explain.dependence_pick"), order, key="explain.dependence")
    numeric = col not in tm.categorical
    vega.draw(st, charts.dependence_chart(drivers.points, col, numeric, lab), width="stretch")
    st.caption(t("explain.dependence_caption"))


def at_risk_section(
    handle: dict, tm: M.TrainedModel, table: CustomerTable, conf: Confirmed, lang: str
) -> pd.DataFrame:
    """The at-risk list with its filters and downloads (only its rows are explained);
    returns the list."""
    st.subheader(t("explain.list_head"))
    st.caption(t("explain.list_caption"))
    st.caption(lib_text(cm.scores_note(handle, tm, table)))  # risks are out of fold
    unit_line = value_caption(table) if table.has_value else None
    if unit_line:  # the value (and value at risk) is money per month, or not confirmed
        st.caption(unit_line)
    c1, c2, c3, c4 = st.columns(4)
    sorts = list(E.RISK_SORTS) if table.has_value else ["risk"]
    sort = c1.radio(
        t("explain.sort"),
        sorts,
        format_func=option_labels(sorts, lambda k: t(f"explain.sort_{k}")),
        key=language_key("explain.sort"),
    )
    top = c2.number_input(t("explain.top"), 10, 1000, 100, 10, key="explain.top")
    lo, hi = c3.slider(t("explain.band"), 0, 100, (0, 100), 5, key="explain.band")
    seg_options = [NONE, *table.categorical]
    seg_col = c4.selectbox(
        t("explain.segment"),
        seg_options,
        format_func=option_labels(seg_options, lambda c: c or t("explain.segment_none")),
        key=language_key("explain.segment"),
    )
    segment = None
    if seg_col:
        values = c4.multiselect(
            t("explain.segment_values"),
            ce.levels(conf, table, seg_col),
            key=f"explain.seg_values.{seg_col}",
            placeholder=t("widgets.choose_options"),
        )
        segment = (seg_col, tuple(values)) if values else None
    settings = {
        "sort": sort,
        "top": int(top),
        "band": (lo / 100, hi / 100),
        "segment": segment,
        "lang": lang,
    }
    listed = ce.at_risk(handle, tm, table, **settings)
    listed, alive = data_alive.with_at_risk(conf, table, listed)  # event logs: P(alive)
    days = alive.horizon_days if alive is not None else 0
    if listed.empty:
        st.info(t("explain.list_empty"))
    else:
        st.caption(t("explain.list_count", n=fmt_int(len(listed))))
        scaled, _ = percent_view(listed.drop(columns=["row", "because"]), ["risk", "p_alive"])
        shown = scaled.rename(
            columns={c: t(f"explain.col_{c}") for c in LIST_COLUMNS}
            | {"action": t("explain.col_action_short")}
            | (data_alive.column_names(days) if alive is not None else {})
        )
        show_table(
            shown,
            hide_index=True,
            width="stretch",
            height=320,
            column_config={
                t("explain.col_risk"): percent_column(progress=True),
            }
            | (data_alive.column_config(days) if alive is not None else {}),
        )
        hold = st.checkbox(  # a random hold-out, to measure the campaign on the Changes page
            t("changes.hold_out_export"), key="explain.hold_out", help=t("changes.hold_out_help")
        )
        out, tag = (cc.with_hold_out(listed), f"{days}:hold") if hold else (listed, str(days))
        d1, d2 = st.columns(2)
        d1.download_button(
            t("explain.dl_csv"),
            lambda: ce.export(handle, out, "csv", extra=tag, **settings),
            "at_risk_customers.csv",
            "text/csv",
            key="explain.dl_csv",
            help=t("explain.dl_help"),
        )
        d2.download_button(
            t("explain.dl_xlsx"),
            lambda: ce.export(handle, out, "xlsx", extra=tag, **settings),
            "at_risk_customers.xlsx",
            key="explain.dl_xlsx",
            help=t("explain.dl_help"),
        )
    return listed


def customer_section(
    handle: dict,
    tm: M.TrainedModel,
    table: CustomerTable,
    listed: pd.DataFrame,
    lang: str,
    lab: dict,
) -> None:
    """One customer, picked from the list or found by id or name: risk, reasons, action."""
    st.subheader(t("explain.one_head"))
    p1, p2 = st.columns(2)
    names = dict(zip(listed["row"], listed["customer_id"], strict=True))
    if "name" in listed.columns:
        names = {
            r: f"{c} · {n}"
            for r, c, n in zip(listed["row"], listed["customer_id"], listed["name"], strict=True)
        }
    picked = p1.selectbox(
        t("explain.pick"),
        list(names),
        format_func=fixed_labels(names),
        key="explain.pick",
        index=0 if names else None,
    )
    query = p2.text_input(t("explain.search"), key="explain.search").strip()
    row = picked
    if query:
        try:
            row = E.find_customer(table, query)[0]
        except ValueError:
            p2.warning(t("explain.search_none", query=query))
    if row is not None:
        one = ce.customer(handle, tm, table, row, lang, t("explain.other_columns"))
        m1, m2, m3 = st.columns(3)
        m1.metric(t("explain.risk"), fmt_pct(one["risk"]))
        m2.metric(t("explain.base"), fmt_pct(one["base_risk"]), help=t("explain.base_help"))
        m3.metric(
            t("explain.churn_rate"),
            fmt_pct(table.churn_rate),
            help=t(
                "explain.churn_rate_help",
                churned=fmt_int(table.n_churned),
                n=fmt_int(table.n_labelled),
            ),
        )
        w1, w2 = st.columns([3, 2])
        vega.draw(w1, charts.waterfall_chart(one["waterfall"], lab), width="stretch")
        w1.caption(t("explain.waterfall_caption"))
        w2.markdown(f"**{t('explain.reasons_head')}**")
        texts = one["reasons"]["text"].tolist()
        w2.markdown("\n".join(f"- {x}" for x in texts) if texts else t("explain.no_reasons"))
        w2.markdown(f"**{t('explain.action_head')}**")
        w2.success(one["action"]["action"], icon=":material/campaign:")
        because = one["action"]["because"]
        w2.caption(
            (t("explain.because", column=because) if because else t("explain.because_default"))
            + " "
            + one["action"]["why"]
        )


def show_playbook(lang: str) -> None:
    """The playbook as a table in ``lang``, its conditions (high / low / yes) translated."""
    st.caption(t("explain.playbook_caption"))
    book = E.playbook_table(ce.playbook(), lang)
    if "when" in book:
        book = book.assign(when=book["when"].map(lambda w: t(f"explain.when_{w}", w=w)))
    show_table(
        book.rename(columns={c: t(f"explain.col_{c}") for c in book.columns}),
        hide_index=True,
        width="stretch",
    )


def default_handle(conf: Confirmed, table: CustomerTable) -> dict:
    """The handle of the default model with the table's features (what the Model page
    would train first), stored in ``state.MODEL`` so every page shares it."""
    split = "time" if cm.split_for(conf, table, "auto").time_available else "cv"
    handle = cm.make_handle(conf, M.DEFAULT_MODEL, tuple(table.features), split)
    st.session_state[MODEL] = handle
    return handle
