"""The Churn over time page's P(alive) section (event logs): how well BG/NBD tracks the
purchases, week by week, and the frequency/recency P(alive) map.

The fit and the tracking frame come from ``ui.cache_alive``; the charts from
``churn.charts.alive``; the horizon and threshold are the Data page's
(``ui.pages.data_alive.view_settings``).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from churn import alive as A
from churn.charts import alive as charts
from churn.errors import ChurnDataError
from churn.table import CustomerTable
from ui import cache_alive, vega
from ui.i18n import error_message, fmt_date, fmt_int, t
from ui.pages.data_alive import fitted, view_caption, view_settings
from ui.state import Confirmed, get_dataset, persist


def chart_labels() -> dict[str, str]:
    """Every label of ``churn.charts.alive`` in the current language."""
    return {k: t(f"alive.chart_{k}") for k in charts.DEFAULT_LABELS}


def alive_section(conf: Confirmed, table: CustomerTable) -> None:
    """Event logs: the tracking chart (fitting period and holdout) and the P(alive) map."""
    if table.shape != "events":
        return
    ds = get_dataset()
    st.header(t("alive.ot_title"))
    st.caption(t("alive.ot_intro"))
    res = fitted(ds, conf, view_settings()[1])
    if res is None:
        return
    view_caption(res)
    labels = chart_labels()
    tracking_part(ds, conf, res, labels)
    st.subheader(t("alive.map_title"))
    grid = cache_alive.alive_map(conf, res)
    vega.draw(st, charts.p_alive_heatmap(grid, labels), width="stretch")
    st.caption(t("alive.map_caption", weeks=fmt_int(grid["T"].iloc[0])))


def tracking_part(ds, conf: Confirmed, res: A.AliveResult, labels: dict) -> None:
    """The end of the fitting period, the tracking chart and what it shows in one line."""
    st.subheader(t("alive.tracking_title"))
    default = A.calibration_end(res).date()
    end = st.date_input(
        t("alive.calibration_end"),
        key=persist(f"over_time.alive_end.{conf.key[:16]}", default),
        min_value=dt.date(1900, 1, 1),
        max_value=dt.date(2100, 12, 31),
        help=t("alive.calibration_help", date=fmt_date(default)),
    )
    try:
        with st.spinner(t("alive.fitting")):
            tr = cache_alive.tracking(ds, conf, pd.Timestamp(end))
    except ChurnDataError as exc:
        st.warning(t("alive.tracking_failed", message=error_message(exc)))
        return
    vega.draw(st, charts.tracking_chart(tr.frame, labels), width="stretch")
    tot = A.tracking_totals(tr)
    st.caption(
        t(
            "alive.tracking_caption",
            customers=fmt_int(tr.customers),
            cal_weeks=fmt_int(tot["calibration_periods"]),
            cal_expected=fmt_int(tot["calibration_expected"]),
            cal_actual=fmt_int(tot["calibration_actual"]),
            hold_weeks=fmt_int(tot["holdout_periods"]),
            hold_expected=fmt_int(tot["holdout_expected"]),
            hold_actual=fmt_int(tot["holdout_actual"]),
            end=fmt_date(tr.calibration_end),
        )
    )
