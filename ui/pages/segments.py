"""Segments: Which customers leave more than others, and which of them matter most?

:func:`render` draws the segment controls, then the page's five sections as lazy tabs
(``ui.widgets.lazy_tabs``): only the open tab runs, so a change of the segment column
recomputes one tab's tables, not five. Widgets inside a tab keep their value while the
tab is closed through ``ui.state.persist`` / ``keep_choice``. Every table comes from
``ui.cache_segments``, which calls ``churn.segments`` once per dataset and setting;
column settings and translated names are in ``ui.pages.segments_tables``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from churn import segments as seg
from churn.charts import segments as charts
from churn.errors import ChurnDataError
from churn.table import CustomerTable
from ui import cache_segments as cache
from ui import vega
from ui.cache_segments import Binning
from ui.i18n import fmt_int, fmt_money, fmt_pct, t
from ui.pages.data_amount import value_caption
from ui.pages.segments_tables import (
    CLUSTER_ORDER,
    chart_labels,
    cluster_columns,
    column_name,
    level_names,
    ltv_columns,
    rate_columns,
    rfm_columns,
    rfm_names,
    risk_columns,
    show_shares,
    sign_names,
    tier_names,
    value_columns,
)
from ui.state import Confirmed, get_confirmed, keep_choice, persist
from ui.widgets import (
    MISSING,
    NONE,
    customer_columns,
    lazy_tabs,
    option_labels,
    page_header,
    require_table,
    show_table,
)

#: The page's tabs, in order (``segments.tab_<id>`` names them).
SECTIONS = ("churn", "value", "rfm", "clusters", "signs")


def render() -> None:
    """The segment controls, then one lazy tab per section (only the open one runs)."""
    page_header("segments")
    table = require_table()
    conf = get_confirmed()
    labels = chart_labels()
    options = segment_options(table)
    if not options:
        st.info(t("segments.no_columns"), icon=":material/view_column:")
        st.stop()
    # The segment column serves the first two tabs, so it sits above them. Only the open
    # tab runs: a change recomputes one tab's tables, not five.
    by, binning = controls(table, options)
    tabs = lazy_tabs("segments.section", SECTIONS, lambda s: t(f"segments.tab_{s}"))
    if tabs["churn"].open:
        with tabs["churn"]:
            churn_section(conf, table, by, binning, options, labels)
    if tabs["value"].open:
        with tabs["value"]:
            value_section(conf, table, by, binning, labels)
    if tabs["rfm"].open:
        with tabs["rfm"]:
            rfm_section(conf, table, labels)
    if tabs["clusters"].open:
        with tabs["clusters"]:
            clusters_section(conf, table, labels)
    if tabs["signs"].open:
        with tabs["signs"]:
            signs_section(conf, table, labels)


def controls(table: CustomerTable, options: list[str]) -> tuple[str, Binning]:
    """The segment column and its binning, shared by the churn and value tabs."""
    c1, c2, c3 = st.columns([2, 1, 1])
    first = next((i for i, c in enumerate(options) if c in table.categorical), 0)
    by = c1.selectbox(
        t("segments.by"),
        options,
        format_func=option_labels(options, column_name),
        key=keep_choice("segments.by", default=options[first]),
    )
    kind = seg.segment_kind(table, by)
    top_k, bins, edges, freq = 10, 5, None, "month"
    if kind == "category":
        top_k = c2.slider(t("segments.top_k"), 2, 20, key=persist("segments.top_k", 10))
    elif kind == "number":
        bins = c2.slider(t("segments.bins"), 2, 10, key=persist("segments.bins", 5))
        edges = edges_input(c3)
    else:
        freqs = ["month", "year"]
        freq = c2.radio(
            t("segments.date_freq"), freqs, key=keep_choice("segments.freq"),
            format_func=option_labels(freqs, lambda f: t(f"segments.freq_{f}")),
            horizontal=True,
        )  # fmt: skip
    return by, (top_k, bins, edges, freq)


def churn_section(
    conf: Confirmed, table: CustomerTable, by: str, binning: Binning, options: list[str],
    labels: dict,
) -> None:  # fmt: skip
    """Churn rate per segment with intervals and tests, the heatmap and the customer list."""
    res = cache.churn_by_segment(conf, table, by, binning)
    a = res.attrs
    st.markdown(
        t(
            "segments.overall",
            rate=fmt_pct(a["overall_rate"]),
            churned=fmt_int(a["overall_churned"]),
            customers=fmt_int(a["overall_customers"]),
        )
    )
    vega.draw(st, charts.segment_bar_chart(res, labels), width="stretch")
    small = res.loc[res["small"], "segment"].tolist()
    if small:
        st.warning(
            t("segments.small_words", n=len(small), names=", ".join(small),
              customers=seg.SMALL_CUSTOMERS, churned=seg.SMALL_CHURNED),
            icon=":material/visibility:",
        )  # fmt: skip
    show_shares(res, rate_columns())
    st.caption(t("segments.mc_note", n_tests=a["n_tests"], n_significant=a["n_significant"]))
    heatmap_section(conf, table, by, options, binning, labels)
    segment_list(conf, table, by, res["segment"].tolist(), binning)


def heatmap_section(
    conf: Confirmed, table: CustomerTable, by: str, options: list, binning: Binning, labels: dict
) -> None:
    """Churn rate by ``by`` and a second column the user picks (none by default)."""
    st.subheader(t("segments.heatmap_title"))
    others = [NONE, *(c for c in options if c != by)]
    b = st.selectbox(
        t("segments.second"), others, key=keep_choice("segments.second"),
        format_func=option_labels(others, lambda c: column_name(c) if c else t("segments.none")),
    )  # fmt: skip
    if b:
        heat = cache.churn_heatmap(conf, table, by, b, binning)
        hl = {**labels, "a": column_name(by), "b": column_name(b)}
        vega.draw(st, charts.segment_heatmap(heat, hl), width="stretch")
        st.caption(t("segments.heatmap_caption", mark=labels["small_mark"]))


def segment_list(
    conf: Confirmed, table: CustomerTable, column: str, segments: list, binning: Binning
) -> None:
    """The customers of one chosen segment: a preview, the count and the CSV download."""
    st.subheader(t("segments.list_title"))
    pick = st.selectbox(t("segments.pick"), segments, key=persist("segments.pick"))
    n, neutralised, preview = cache.segment_customers(conf, table, column, pick, binning)
    st.caption(t("segments.list_caption", n=fmt_int(n), segment=pick))
    show_table(preview, column_config=customer_columns(), hide_index=True, height=240)
    st.download_button(
        t("segments.download"), cache.segment_csv(conf, table, column, pick, binning),
        file_name=f"segment_{column}_{pick}.csv"[:120], mime="text/csv",
        key="segments.download", icon=":material/download:",
    )  # fmt: skip
    if neutralised > 0:
        st.caption(t("segments.neutralised", n=fmt_int(neutralised)))


def value_section(
    conf: Confirmed, table: CustomerTable, by: str, binning: Binning, labels: dict
) -> None:
    """Value tiers, lifetime value by segment and revenue at risk by segment."""
    if not table.has_value:
        why = value_caption(table)  # an amount whose unit cannot give money per month
        st.info(why or t("segments.no_value"), icon=":material/payments:")
        return
    c1, c2 = st.columns([1, 2])
    n_tiers = c1.slider(t("segments.n_tiers"), 2, 6, key=persist("segments.n_tiers", 4))
    typed = c2.text_input(t("segments.tier_names"), key=persist("segments.tier_names"))
    names, usable = tier_names(typed, n_tiers)
    if not usable:
        st.warning(t("segments.tier_names_count", n=n_tiers), icon=":material/edit:")
    tiers = cache.value_tiers(conf, table, n_tiers, names)
    chart = charts.segment_bar_chart(
        tiers, {**labels, "segment": t("segments.tier")}, category="tier",
        overall_rate=table.churn_rate,
    )  # fmt: skip
    vega.draw(st, chart, width="stretch")
    show_shares(tiers, value_columns())
    st.caption(t("segments.tiers_caption", column=table.roles.amount or t("segments.col_value")))

    st.subheader(t("segments.clv_title"))
    if not table.has_tenure:
        st.info(t("segments.no_tenure"), icon=":material/schedule:")
    else:
        ltv = cache.lifetime_value(conf, table, by, binning)
        money = {"avg_monthly_value": 2, "clv": 2}  # cents at most, not 5,046,674.432
        show_table(ltv.round(money), hide_index=True, column_config=ltv_columns())
        horizon = float(ltv["horizon_months"].iloc[0])
        st.caption(t("segments.clv_method", horizon=f"{horizon:.1f}"))
        unit_line = value_caption(ltv)
        if unit_line:
            st.caption(unit_line)

    st.subheader(t("segments.risk_title", column=column_name(by)))
    risk = cache.revenue_at_risk(conf, table, by, binning)
    st.metric(t("segments.risk_total"), fmt_money(float(risk["revenue_at_risk"].sum())))
    money = {"active_value": 2, "revenue_at_risk": 2}
    show_shares(risk.round(money), risk_columns())
    st.caption(t("segments.risk_method"))
    unit_line = value_caption(risk)
    if unit_line:
        st.caption(unit_line)


def rfm_section(conf: Confirmed, table: CustomerTable, labels: dict) -> None:
    """Recency-frequency-monetary scores and named RFM segments."""
    if not seg.has_rfm_columns(table):
        st.info(t("segments.no_rfm"), icon=":material/receipt_long:")
        return
    summary, grid = cache.rfm(conf, table)
    rnames = rfm_names()
    vega.draw(st, charts.rfm_grid_chart(grid, labels, segment_names=rnames), width="stretch")
    shown = summary.assign(rfm_segment=summary["rfm_segment"].map(rnames))
    show_shares(shown, rfm_columns())
    st.caption(t("segments.rfm_rules"))


def clusters_section(conf: Confirmed, table: CustomerTable, labels: dict) -> None:
    """Behaviour clusters on the numeric columns the user picks, run on request."""
    numeric = numeric_options(table)
    if len(numeric) < 1:
        st.info(t("segments.no_numeric"), icon=":material/scatter_plot:")
        return
    c1, c2 = st.columns([3, 1])
    cols = c1.multiselect(
        t("segments.cluster_columns"), numeric,
        format_func=option_labels(numeric, column_name),
        key=keep_choice("segments.cluster_columns", default=default_cluster_columns(table)),
        placeholder=t("widgets.choose_options"),
    )  # fmt: skip
    ks = [0, *range(2, 9)]  # 0: let the data choose
    k = c2.selectbox(
        t("segments.k"), ks, key=keep_choice("segments.k"),
        format_func=option_labels(ks, lambda v: str(v) if v else t("segments.k_auto")),
    )  # fmt: skip
    if not (cols and st.toggle(t("segments.cluster_run"), key=persist("segments.cluster_run"))):
        return
    with st.spinner(t("segments.cluster_wait")):
        cl = cache.clusters(conf, table, tuple(cols), k or None)
    words = seg.cluster_descriptions(
        cl, higher=t("segments.higher"), lower=t("segments.lower"), typical=t("segments.typical")
    )
    st.markdown(t("segments.cluster_found", k=cl.k))
    summary = cl.summary.assign(description=cl.summary["cluster"].map(words))
    show_shares(summary, cluster_columns(), column_order=CLUSTER_ORDER)
    vega.draw(st, charts.cluster_profile_chart(cl.traits, labels), width="stretch")
    st.caption(t("segments.cluster_method"))


def signs_section(conf: Confirmed, table: CustomerTable, labels: dict) -> None:
    """Churn by level of the warning-sign columns the user confirms in an editor."""
    st.caption(t("segments.signs_intro"))
    mapping = signs_mapping(signs_editor(table, conf.key))
    if not mapping:
        st.info(t("segments.no_signs"), icon=":material/search_off:")
        return
    signs = cache.warning_signs(conf, table, mapping)
    vega.draw(
        st,
        charts.warning_signs_chart(
            signs, labels, sign_names=sign_names(), level_names=level_names()
        ),
    )
    st.caption(t("segments.signs_caption"))


def signs_editor(table: CustomerTable, data_key: str) -> pd.DataFrame:
    """Feature columns with their proposed warning sign: the user confirms or changes it.

    The user's edits outlive a closed tab or another page: Streamlit drops the editor's
    state then, so the editor starts again from the mapping it last showed
    (``data_key``: the confirmed dataset's key; another dataset starts from the proposal).
    """
    editor = f"segments.signs_editor.{data_key[:12]}"
    base_key, last_key = "cl.segments.signs_base", "cl.segments.signs_last"
    stored = st.session_state.get(base_key)
    if stored is not None and stored[0] == data_key:
        base = stored[1]
    else:
        base = seg.recognise_warning_signs(table.features)
    last = st.session_state.get(last_key)
    if editor not in st.session_state and last is not None and last[0] == data_key:
        base = last[1]  # the editor was not drawn on the last run: start from its last edit
    st.session_state[base_key] = (data_key, base)
    names = sign_names()
    edited = st.data_editor(
        pd.DataFrame(
            {"column": list(table.features), "sign": [base.get(c) for c in table.features]}
        ),
        hide_index=True,
        key=editor,
        placeholder=MISSING,
        disabled=["column"],
        column_config={
            "column": t("segments.chart_column"),
            "sign": st.column_config.SelectboxColumn(
                t("segments.chart_sign"),
                options=list(seg.WARNING_SIGNS),
                format_func=lambda s: names.get(s, s),
            ),
        },
    )
    st.session_state[last_key] = (data_key, dict(signs_mapping(edited)))
    return edited


def signs_mapping(edited: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """The confirmed (column, sign) pairs of the editor, as a hashable cache key."""
    rows = edited.dropna(subset=["sign"])
    return tuple(zip(rows["column"].astype(str), rows["sign"].astype(str), strict=True))


def segment_options(table: CustomerTable) -> list[str]:
    """Columns a user may segment by: the features, then signup date, tenure and value."""
    extra = [
        c
        for c, ok in (
            ("start_date", table.has_dates),
            ("tenure_days", table.has_tenure),
            ("value", table.has_value),
        )
        if ok
    ]
    return list(table.features) + extra


def numeric_options(table: CustomerTable) -> list[str]:
    """Numeric columns a user may cluster on."""
    allowed = set(table.numeric_features) | {"tenure_days", "value"}
    return [c for c in segment_options(table) if c in allowed]


def default_cluster_columns(table: CustomerTable) -> list[str]:
    """Up to four numeric features (canonical tenure/value only when there are none)."""
    return list(table.numeric_features[:4]) or numeric_options(table)[:2]


def edges_input(container) -> tuple[float, ...] | None:
    """The user's own bin edges; a typo gives a warning and quantile bins, not an error."""
    typed = container.text_input(t("segments.edges"), key=persist("segments.edges"))
    try:
        return seg.parse_edges(typed)
    except ChurnDataError:
        container.warning(t("segments.edges_bad"), icon=":material/edit:")
        return None
