"""Churn over time: How fast are we losing customers, is it getting better, and what is coming?

:func:`render` draws four sections: churn by period (with the customers behind a number)
and cohorts when the table has start dates, then survival curves and the forecast of
the next six months; for an event log, a fifth: BG/NBD's expected against actual
purchases and the P(alive) map (``ui.pages.over_time_alive``). Every table comes from
``ui.cache_over_time`` (and ``ui.cache_alive``).
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from churn import formatting, metrics
from churn.charts import over_time as charts
from churn.metrics import CHURN_DEFINITIONS, PERIODS, headline_period
from churn.model import honest_note
from churn.table import CustomerTable
from ui import cache_model, vega, workspace
from ui import cache_over_time as cache
from ui.i18n import fmt_int, fmt_money, fmt_pct, lib_text, t
from ui.pages import over_time_alive
from ui.pages.data_amount import value_caption
from ui.state import MODEL, Confirmed, get_confirmed, get_dataset, keep_choice
from ui.widgets import (
    NONE,
    customer_columns,
    option_labels,
    page_header,
    require_table,
    show_table,
)


def render() -> None:
    """The page's sections, top to bottom; without start dates only survival and forecast."""
    page_header("over_time")
    table = require_table()
    conf = get_confirmed()
    labels = chart_labels()
    if not table.has_dates and not table.has_tenure:
        st.warning(t("over_time.no_time"), icon=":material/event_busy:")
        st.stop()

    st.header(t("over_time.periods_title"))
    if not table.has_dates:
        st.info(t("over_time.no_dates"), icon=":material/calendar_month:")
    else:
        pt, period = periods_section(conf, table, labels)
        customer_list(conf, table, pt, period)
        cohorts_section(conf, table, labels)
    survival_section(conf, table, labels)
    forecast_section(conf, table, labels)
    over_time_alive.alive_section(conf, table)  # event logs: BG/NBD tracking and P(alive) map


def periods_section(
    conf: Confirmed, table: CustomerTable, labels: dict
) -> tuple[pd.DataFrame, str]:
    """Churn by period: the period and definition, the latest full period's numbers and the
    charts. Returns the period table and the period chosen."""
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
        unit_line = value_caption(pt)  # what the revenue figures are: money per month or not
        if unit_line:
            st.caption(unit_line)
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
    vega.draw(st, charts.churn_rate_chart(pt, labels), width="stretch")
    g1, g2 = st.columns(2)
    vega.draw(g1, charts.new_vs_lost_chart(pt, labels), width="stretch")
    vega.draw(g2, charts.active_base_chart(pt, labels), width="stretch")
    return pt, period


def customer_list(conf: Confirmed, table: CustomerTable, pt: pd.DataFrame, period: str) -> None:
    """The customers behind one number of the period table, with a CSV download."""
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


def cohorts_section(conf: Confirmed, table: CustomerTable, labels: dict) -> None:
    """Retention (or revenue retention) by signup cohort."""
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
    vega.draw(st, charts.cohort_heatmap(cohorts, labels, value=value), width="stretch")


def survival_section(conf: Confirmed, table: CustomerTable, labels: dict) -> None:
    """Survival curves, overall or by a column, with the log-rank test."""
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
    vega.draw(
        st, charts.survival_chart(res.curves, labels, group_names=group_names()), width="stretch"
    )
    show_table(groups_display(res), hide_index=True)
    if res.customers_left_out:
        st.caption(t("over_time.left_out", n=fmt_int(res.customers_left_out)))
    if res.logrank_p is not None:
        key = "over_time.logrank_differ" if res.logrank_p < 0.05 else "over_time.logrank_same"
        st.info(t(key, p=fmt_p(res.logrank_p), by=by), icon=":material/functions:")


def forecast_section(conf: Confirmed, table: CustomerTable, labels: dict) -> None:
    """Expected churners and revenue at stake in the next six months."""
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
    model = model_scores(conf, table)
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
    if model is not None and source == "model_scores":  # the risks are out of fold
        st.caption(lib_text(honest_note(model[1])))
    # what the revenue at stake is (money per month or not), or why there is none
    shown = bool(fc["revenue_at_stake"].notna().any())
    unit_line = value_caption(fc if shown else table) if shown or table.roles.amount else None
    if unit_line and (shown or not table.has_value):
        st.caption(unit_line)
    vega.draw(st, charts.forecast_chart(fc, labels), width="stretch")
    show_table(forecast_display(fc), hide_index=True)


def model_scores(conf: Confirmed, table: CustomerTable) -> tuple[str, pd.Series] | None:
    """(model key, risk per customer_id) of the model trained on the Model page, or None.

    The Model page owns training; this only reads its cached model for this dataset.
    """
    try:
        handle = st.session_state.get(MODEL)
        model = workspace.current_model(get_dataset(), conf)
        if model is None or not handle:
            return None
        return repr(cache_model.settings_of(handle)), cache_model.scores(handle, model, table)
    except (ImportError, AttributeError, KeyError, TypeError):
        return None  # no model (or a handle of another version): the survival curve serves


# ------------------------------------------------------------------------------------
# Display helpers (translation and formatting only; no analysis here)
# ------------------------------------------------------------------------------------


def chart_labels() -> dict[str, str]:
    """Every chart label of ``churn.charts.over_time`` in the current language."""
    return {k: t(f"over_time.chart_{k}") for k in charts.DEFAULT_LABELS}


def group_names() -> dict[str, str]:
    """Display names of the survival groups the library names itself."""
    return {
        metrics.OVERALL: t("over_time.group_all"),
        metrics.OTHER: t("over_time.group_other"),
        metrics.MISSING: t("over_time.group_missing"),
    }


def fmt_p(p: float) -> str:
    """A p-value as the page words it: three decimals, "< 0.001" when tiny (no "= ")."""
    return formatting.fmt_p(p, 3, equals=False)


def fmt_days(days: float) -> str:
    """A median lifetime: days and months, or "not reached"."""
    if days is None or not math.isfinite(days):
        return t("over_time.not_reached")
    return t("over_time.days_months", days=fmt_int(days), months=f"{days / (365 / 12):.1f}")


def groups_display(res: metrics.SurvivalResult) -> pd.DataFrame:
    """The survival groups as a small translated table for ``st.dataframe``."""
    names = group_names()
    g = res.groups
    return pd.DataFrame(
        {
            t("over_time.col_group"): g["group"].replace(names),
            t("over_time.col_customers"): g["customers"],
            t("over_time.col_churned"): g["churned"],
            t("over_time.col_median"): g["median_lifetime_days"].map(fmt_days),
        }
    )


def forecast_display(fc: pd.DataFrame) -> pd.DataFrame:
    """The forecast as a translated table for ``ui.widgets.show_table`` (which shows the
    window dates as dates)."""
    out = pd.DataFrame(
        {
            t("over_time.chart_month"): fc["month"],
            t("over_time.chart_window_start"): fc["window_start"],
            t("over_time.chart_window_end"): fc["window_end"],
            t("over_time.chart_expected_churners"): fc["expected_churners"].round(1),
            t("over_time.chart_revenue_at_stake"): fc["revenue_at_stake"].round(0),
        }
    )
    if "renewals" in fc:
        out[t("over_time.col_renewals")] = fc["renewals"]
    if "renewal_value" in fc:
        out[t("over_time.col_renewal_value")] = fc["renewal_value"].round(0)
    if fc["window_start"].isna().all():
        out = out.drop(columns=[t("over_time.chart_window_start"), t("over_time.chart_window_end")])
    if fc["revenue_at_stake"].isna().all():
        out = out.drop(columns=[t("over_time.chart_revenue_at_stake")])
    return out
