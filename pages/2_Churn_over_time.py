"""Churn over time: How fast are we losing customers, is it getting better, and what is coming?"""

from __future__ import annotations

import streamlit as st

from churn.charts import over_time as charts
from churn.metrics import CHURN_DEFINITIONS, PERIODS, headline_period
from ui import cache_over_time as cache
from ui.errors import boundary
from ui.i18n import fmt_int, fmt_money, fmt_pct, t
from ui.state import bootstrap, get_confirmed, keep_choice
from ui.widgets import (
    NONE,
    customer_columns,
    fast,
    option_labels,
    page_header,
    require_table,
    show_table,
)

bootstrap("over_time")

with boundary("over_time"):
    page_header("over_time")
    table = require_table()
    conf = get_confirmed()
    labels = cache.chart_labels()
    if not table.has_dates and not table.has_tenure:
        st.warning(t("over_time.no_time"), icon=":material/event_busy:")
        st.stop()

    # ---- Churn by period ------------------------------------------------------------
    st.header(t("over_time.periods_title"))
    if not table.has_dates:
        st.info(t("over_time.no_dates"), icon=":material/calendar_month:")
    else:
        c1, c2 = st.columns(2)
        period = c1.selectbox(
            t("over_time.period_label"),
            list(PERIODS),
            format_func=option_labels(PERIODS, lambda p: t(f"over_time.period_{p}")),
            key=keep_choice("over_time.period", default="month"),
        )
        definition = c2.selectbox(
            t("over_time.definition_label"),
            list(CHURN_DEFINITIONS),
            format_func=option_labels(CHURN_DEFINITIONS, lambda d: t(f"over_time.def_{d}")),
            key=keep_choice("over_time.definition"),
        )
        st.caption(t(f"over_time.def_{definition}_explain"))
        pt = cache.period_table(conf, table, period, definition)
        row = headline_period(pt)
        k1, k2, k3, k4 = st.columns(4)
        k1.metric(
            t("over_time.kpi_rate", period=row["period"]),
            fmt_pct(row["churn_rate"]),
            help=t(f"over_time.def_{definition}_explain"),
        )
        k2.metric(t("over_time.kpi_monthly"), fmt_pct(row["monthly_equivalent"]))
        k3.metric(t("over_time.kpi_new_lost"), f"{fmt_int(row['new'])} / {fmt_int(row['churned'])}")
        k4.metric(t("over_time.kpi_active_end"), fmt_int(row["active_end"]))
        st.caption(
            t(
                "over_time.kpi_caption",
                definition=t(f"over_time.def_{definition}"),
                period=row["period"],
                numerator=fmt_int(row["numerator"]),
                denominator=fmt_int(row["denominator"]),
                low=fmt_pct(row["ci_low"]),
                high=fmt_pct(row["ci_high"]),
            )
        )
        if "gross_revenue_churn" in pt:
            st.caption(
                t(
                    "over_time.revenue_caption",
                    rate=fmt_pct(row["gross_revenue_churn"]),
                    lost=fmt_money(row["revenue_lost"]),
                    start=fmt_money(row["revenue_start"]),
                )
                + " "
                + t("over_time.nrr_note")
            )
        if "churned_involuntary" in pt:
            st.caption(
                t(
                    "over_time.reasons_caption",
                    voluntary=fmt_int(row["churned_voluntary"]),
                    involuntary=fmt_int(row["churned_involuntary"]),
                )
            )
        if bool(pt["partial"].any()):
            st.caption(t("over_time.partial_note"))
        if not bool(pt.loc[~pt["partial"], "churn_final"].all()):
            st.caption(t("over_time.not_final_note", days=fmt_int(table.inactivity_days)))
        st.altair_chart(fast(charts.churn_rate_chart(pt, labels)), width="stretch")
        g1, g2 = st.columns(2)
        g1.altair_chart(fast(charts.new_vs_lost_chart(pt, labels)), width="stretch")
        g2.altair_chart(fast(charts.active_base_chart(pt, labels)), width="stretch")

        st.subheader(t("over_time.list_title"))
        l1, l2 = st.columns(2)
        label = l1.selectbox(
            t("over_time.list_period"),
            pt["period"].tolist()[::-1],
            key="over_time.list_period",
        )
        whiches = ["churned", "new", "active_start", "active_end"]
        which = l2.selectbox(
            t("over_time.list_which"),
            whiches,
            format_func=option_labels(whiches, lambda w: t(f"over_time.which_{w}")),
            key=keep_choice("over_time.list_which"),
        )
        n, preview = cache.customers_in_period(conf, table, label, period, which)
        st.caption(t("over_time.list_count", n=fmt_int(n), period=label))
        show_table(preview, column_config=customer_columns(), hide_index=True, height=240)
        st.download_button(
            t("over_time.download"),
            data=cache.customers_csv(table, label, period, which),
            file_name=f"customers_{which}_{label}.csv",
            mime="text/csv",
            key="over_time.download",
            disabled=n == 0,
        )

        # ---- Cohorts ----------------------------------------------------------------
        st.header(t("over_time.cohorts_title"))
        st.caption(t("over_time.cohorts_explain", min_cell=20))
        cohorts = cache.cohort_table(conf, table)
        value = "retention"
        if "revenue_retention" in cohorts:
            values = ["retention", "revenue_retention"]
            value = st.radio(
                t("over_time.cohort_value"),
                values,
                format_func=option_labels(values, lambda v: t(f"over_time.chart_{v}")),
                horizontal=True,
                key=keep_choice("over_time.cohort_value"),
            )
        st.altair_chart(fast(charts.cohort_heatmap(cohorts, labels, value=value)), width="stretch")

    # ---- Survival ---------------------------------------------------------------------
    st.header(t("over_time.survival_title"))
    st.caption(t("over_time.survival_explain"))
    by_options = [NONE, *table.categorical, *table.numeric_features]
    by = st.selectbox(
        t("over_time.by_label"),
        by_options,
        format_func=option_labels(by_options, lambda c: str(c) if c else t("over_time.by_none")),
        key=keep_choice("over_time.by"),
    )
    by = by or None
    res = cache.survival(conf, table, by)
    st.altair_chart(
        fast(charts.survival_chart(res.curves, labels, group_names=cache.group_names())),
        width="stretch",
    )
    show_table(cache.groups_display(res), hide_index=True)
    if res.customers_left_out:
        st.caption(t("over_time.left_out", n=fmt_int(res.customers_left_out)))
    if res.logrank_p is not None:
        key = "over_time.logrank_differ" if res.logrank_p < 0.05 else "over_time.logrank_same"
        st.info(t(key, p=cache.fmt_p(res.logrank_p), by=by), icon=":material/functions:")

    # ---- The next six months ------------------------------------------------------
    st.header(t("over_time.forecast_title"))
    renewal_options = [NONE, *table.numeric_features]
    renewal = st.selectbox(
        t("over_time.renewal_label"),
        renewal_options,
        format_func=option_labels(
            renewal_options, lambda c: str(c) if c else t("over_time.renewal_none")
        ),
        key=keep_choice("over_time.renewal"),
        help=t("over_time.renewal_help"),
    )
    renewal = renewal or None
    model = cache.model_scores(conf, table)
    source = "kaplan_meier"
    if model is not None:
        sources = ["kaplan_meier", "model_scores"]
        source = st.radio(
            t("over_time.source_label"),
            sources,
            format_func=option_labels(sources, lambda s: t(f"over_time.source_{s}")),
            horizontal=True,
            key=keep_choice("over_time.source"),
        )
    fc = cache.forecast(conf, table, 6, renewal, model if source == "model_scores" else None)
    f1, f2 = st.columns(2)
    f1.metric(t("over_time.kpi_expected"), fmt_int(fc["expected_churners"].sum()))
    if fc["revenue_at_stake"].notna().any():
        f2.metric(t("over_time.kpi_at_stake"), fmt_money(fc["revenue_at_stake"].sum()))
    st.caption(t(f"over_time.forecast_{source}", active=fmt_int(fc["active_customers"].iloc[0])))
    st.altair_chart(fast(charts.forecast_chart(fc, labels)), width="stretch")
    show_table(cache.forecast_display(fc), hide_index=True)
