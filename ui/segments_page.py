"""The Segments page's controls and its five sections, one function each.

``pages/3_Segments.py`` draws the segment controls, then the sections as lazy tabs
(``ui.widgets.lazy_tabs``): only the open tab runs, so a change of the segment column
recomputes one tab's tables, not five. Widgets inside a tab keep their value while the
tab is closed through ``ui.state.persist`` / ``keep_choice``. Every table comes from
``ui.cache_segments``, which calls ``churn.segments`` once per dataset and setting.
"""

from __future__ import annotations

import streamlit as st

from churn import segments as seg
from churn.charts import segments as charts
from churn.table import CustomerTable
from ui import cache_segments as cache
from ui.cache_segments import Binning
from ui.i18n import fmt_int, fmt_money, fmt_pct, t
from ui.state import Confirmed, keep_choice, persist
from ui.widgets import fast, option_labels, show_table

#: The page's tabs, in order (``segments.tab_<id>`` names them).
SECTIONS = ("churn", "value", "rfm", "clusters", "signs")


def controls(table: CustomerTable, options: list[str]) -> tuple[str, Binning]:
    """The segment column and its binning, shared by the churn and value tabs."""
    c1, c2, c3 = st.columns([2, 1, 1])
    first = next((i for i, c in enumerate(options) if c in table.categorical), 0)
    by = c1.selectbox(
        t("segments.by"),
        options,
        format_func=option_labels(options, cache.column_name),
        key=keep_choice("segments.by", default=options[first]),
    )
    kind = seg.segment_kind(table, by)
    top_k, bins, edges, freq = 10, 5, None, "month"
    if kind == "category":
        top_k = c2.slider(t("segments.top_k"), 2, 20, key=persist("segments.top_k", 10))
    elif kind == "number":
        bins = c2.slider(t("segments.bins"), 2, 10, key=persist("segments.bins", 5))
        edges = cache.edges_input(c3)
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
    st.altair_chart(fast(charts.segment_bar_chart(res, labels)), width="stretch")
    small = res.loc[res["small"], "segment"].tolist()
    if small:
        st.warning(
            t("segments.small_words", n=len(small), names=", ".join(small),
              customers=seg.SMALL_CUSTOMERS, churned=seg.SMALL_CHURNED),
            icon=":material/visibility:",
        )  # fmt: skip
    show_table(res, hide_index=True, column_config=cache.rate_columns())
    st.caption(t("segments.mc_note", n_tests=a["n_tests"], n_significant=a["n_significant"]))
    cache.heatmap_section(conf, table, by, options, binning, labels)
    cache.segment_list(conf, table, by, res["segment"].tolist(), binning)


def value_section(
    conf: Confirmed, table: CustomerTable, by: str, binning: Binning, labels: dict
) -> None:
    """Value tiers, lifetime value by segment and revenue at risk by segment."""
    if not table.has_value:
        st.info(t("segments.no_value"), icon=":material/payments:")
        return
    c1, c2 = st.columns([1, 2])
    n_tiers = c1.slider(t("segments.n_tiers"), 2, 6, key=persist("segments.n_tiers", 4))
    typed = c2.text_input(t("segments.tier_names"), key=persist("segments.tier_names"))
    names, usable = cache.tier_names(typed, n_tiers)
    if not usable:
        st.warning(t("segments.tier_names_count", n=n_tiers), icon=":material/edit:")
    tiers = cache.value_tiers(conf, table, n_tiers, names)
    st.altair_chart(
        fast(charts.segment_bar_chart(
            tiers, {**labels, "segment": t("segments.tier")}, category="tier",
            overall_rate=table.churn_rate,
        )),
        width="stretch",
    )  # fmt: skip
    show_table(tiers, hide_index=True, column_config=cache.value_columns())
    st.caption(t("segments.tiers_caption", column=table.roles.amount or t("segments.col_value")))

    st.subheader(t("segments.clv_title"))
    if not table.has_tenure:
        st.info(t("segments.no_tenure"), icon=":material/schedule:")
    else:
        ltv = cache.lifetime_value(conf, table, by, binning)
        money = {"avg_monthly_value": 2, "clv": 2}  # cents at most, not 5,046,674.432
        show_table(ltv.round(money), hide_index=True, column_config=cache.ltv_columns())
        horizon = float(ltv["horizon_months"].iloc[0])
        st.caption(t("segments.clv_method", horizon=f"{horizon:.1f}"))

    st.subheader(t("segments.risk_title", column=cache.column_name(by)))
    risk = cache.revenue_at_risk(conf, table, by, binning)
    st.metric(t("segments.risk_total"), fmt_money(float(risk["revenue_at_risk"].sum())))
    money = {"active_value": 2, "revenue_at_risk": 2}
    show_table(risk.round(money), hide_index=True, column_config=cache.risk_columns())
    st.caption(t("segments.risk_method"))


def rfm_section(conf: Confirmed, table: CustomerTable, labels: dict) -> None:
    """Recency-frequency-monetary scores and named RFM segments."""
    if not seg.has_rfm_columns(table):
        st.info(t("segments.no_rfm"), icon=":material/receipt_long:")
        return
    summary, grid = cache.rfm(conf, table)
    rnames = cache.rfm_names()
    st.altair_chart(
        fast(charts.rfm_grid_chart(grid, labels, segment_names=rnames)), width="stretch"
    )
    shown = summary.assign(rfm_segment=summary["rfm_segment"].map(rnames))
    show_table(shown, hide_index=True, column_config=cache.rfm_columns())
    st.caption(t("segments.rfm_rules"))


def clusters_section(conf: Confirmed, table: CustomerTable, labels: dict) -> None:
    """Behaviour clusters on the numeric columns the user picks, run on request."""
    numeric = cache.numeric_options(table)
    if len(numeric) < 1:
        st.info(t("segments.no_numeric"), icon=":material/scatter_plot:")
        return
    c1, c2 = st.columns([3, 1])
    cols = c1.multiselect(
        t("segments.cluster_columns"), numeric,
        format_func=option_labels(numeric, cache.column_name),
        key=keep_choice("segments.cluster_columns", default=cache.default_cluster_columns(table)),
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
    show_table(
        summary, hide_index=True, column_config=cache.cluster_columns(),
        column_order=cache.CLUSTER_ORDER,
    )  # fmt: skip
    st.altair_chart(fast(charts.cluster_profile_chart(cl.traits, labels)), width="stretch")
    st.caption(t("segments.cluster_method"))


def signs_section(conf: Confirmed, table: CustomerTable, labels: dict) -> None:
    """Churn by level of the warning-sign columns the user confirms in an editor."""
    st.caption(t("segments.signs_intro"))
    mapping = cache.signs_mapping(cache.signs_editor(table, conf.key))
    if not mapping:
        st.info(t("segments.no_signs"), icon=":material/search_off:")
        return
    signs = cache.warning_signs(conf, table, mapping)
    st.altair_chart(
        fast(
            charts.warning_signs_chart(
                signs, labels, sign_names=cache.sign_names(), level_names=cache.level_names()
            )
        ),
    )
    st.caption(t("segments.signs_caption"))
