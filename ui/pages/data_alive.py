"""The Data page after Confirm: P(alive) beside the inactivity rule (event logs), and the
customer table with its downloads.

The customer table's label stays the inactivity rule ("no purchase in N days"); P(alive)
below a threshold is an additional view: its rate is shown beside the label's, with the
one-time buyers counted (BG/NBD gives them P(alive) = 100 %, which is why the two rates
differ so much), and P(alive), expected purchases and expected value become columns of
the customer table, the at-risk list and the report. The threshold and the horizon are
chosen here and kept under ``state.ALIVE_VIEW`` for the other pages
(:func:`view_settings`). The fit goes through ``ui.cache_alive``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from churn import alive as A
from churn.errors import ChurnDataError
from churn.export import frame_bytes
from churn.table import CustomerTable
from ui import cache_alive
from ui.i18n import current_lang, error_message, fmt_int, fmt_pct, lib_text, t
from ui.state import ALIVE_VIEW, Confirmed, Dataset, get_dataset, persist
from ui.tables import percent_column, percent_view
from ui.widgets import customer_columns, show_table

THRESHOLD_KEY = "data.alive_threshold"  # percent, 5..95
HORIZON_KEY = "data.alive_horizon"  # days
#: Rows of the customer table shown on the page (the downloads hold every row).
TABLE_ROWS = 500
#: Rows an XLSX sheet holds below its header.
XLSX_ROWS = 1_048_575


def view_settings() -> tuple[float, int]:
    """(P(alive) threshold, horizon in days) chosen on the Data page, or the defaults."""
    view = st.session_state.get(ALIVE_VIEW)
    if view:
        return view
    return A.DEFAULT_P_ALIVE_THRESHOLD, A.DEFAULT_HORIZON_DAYS


def fitted(ds: Dataset, conf: Confirmed, horizon_days: int) -> A.AliveResult | None:
    """The P(alive) fit (a spinner while it runs), or None with a warning saying why."""
    with st.spinner(t("alive.fitting")):
        try:
            return cache_alive.fit(ds, conf, horizon_days)
        except ChurnDataError as exc:
            st.warning(t("alive.failed", message=error_message(exc)), icon=":material/warning:")
            return None


def column_names(days: int) -> dict[str, str]:
    """Translated headers of the P(alive) columns (``churn.alive.ALIVE_COLUMNS``)."""
    return {c: t(f"alive.col_{c}", days=fmt_int(days)) for c in A.ALIVE_COLUMNS}


def column_config(days: int) -> dict:
    """``st.dataframe`` settings of the P(alive) columns under their translated names
    (P(alive) scaled by ``ui.tables.percent_view``)."""
    names = column_names(days)
    return {
        names["p_alive"]: percent_column(),
        names["expected_purchases"]: st.column_config.NumberColumn(format="%.2f"),
        names["expected_value"]: st.column_config.NumberColumn(format="localized"),
    }


def view_caption(res: A.AliveResult) -> None:
    """One line on other pages: the Data page's P(alive) settings these figures use."""
    threshold, _ = view_settings()
    st.caption(
        t("alive.view_caption", threshold=fmt_pct(threshold, 0), days=fmt_int(res.horizon_days))
    )


def alive_section(ds: Dataset, conf: Confirmed, table: CustomerTable) -> A.AliveResult | None:
    """Event logs: the threshold and horizon, the two churn rates side by side with one
    sentence each, and the one-time buyers. Returns the fit (None for other shapes or
    when it cannot be made)."""
    if table.shape != "events":
        return None
    st.subheader(t("alive.title"))
    st.caption(t("alive.intro"))
    c1, c2 = st.columns(2)
    default_pct = round(A.DEFAULT_P_ALIVE_THRESHOLD * 100)
    pct = c1.slider(
        t("alive.threshold"),
        5,
        95,
        step=5,
        key=persist(THRESHOLD_KEY, default_pct),
        help=t("alive.threshold_help"),
    )
    horizon = c2.number_input(
        t("alive.horizon"),
        1,
        A.MAX_HORIZON_DAYS,
        step=1,
        key=persist(HORIZON_KEY, A.DEFAULT_HORIZON_DAYS),
        help=t("alive.horizon_help"),
    )
    threshold = pct / 100
    st.session_state[ALIVE_VIEW] = (threshold, int(horizon))
    res = fitted(ds, conf, int(horizon))
    if res is None:
        return None
    rates = A.rule_rates(table, res, threshold)
    values = {
        "days": fmt_int(rates.inactivity_days),
        "lost": fmt_int(rates.inactivity_lost),
        "labelled": fmt_int(rates.inactivity_labelled),
        "threshold": fmt_pct(threshold, 0),
        "alive_lost": fmt_int(rates.alive_lost),
        "customers": fmt_int(rates.customers),
        "one_time": fmt_int(rates.one_time),
        "one_time_inactive": fmt_int(rates.one_time_inactive),
        "repeat_rate": fmt_pct(rates.repeat_rate),
    }
    left, right = st.columns(2)
    left.metric(t("alive.m_inactivity", **values), fmt_pct(rates.inactivity_rate))
    left.caption(t("alive.inactivity_means", **values))
    right.metric(t("alive.m_p_alive", **values), fmt_pct(rates.alive_rate))
    right.caption(t("alive.p_alive_means", **values))
    st.info(t("alive.one_time", **values), icon=":material/person_search:")
    with st.expander(t("alive.notes")):
        lines = A.parameter_sentences(res, current_lang()) + [lib_text(n) for n in res.notes]
        st.markdown("\n".join(f"- {line}" for line in lines))
    return res


def customer_table_section(
    conf: Confirmed, table: CustomerTable, res: A.AliveResult | None
) -> None:
    """The confirmed customer table (with the P(alive) columns of an event log) in an
    expander, and its CSV and XLSX downloads (every row, formula-safe)."""
    frame = cache_alive.with_alive(conf, table, res) if res is not None else table.frame
    with st.expander(t("alive.table_title", n=fmt_int(len(frame)))):
        if res is not None:
            st.caption(t("alive.table_caption_alive", days=fmt_int(res.horizon_days)))
        st.caption(t("alive.table_caption", shown=fmt_int(min(TABLE_ROWS, len(frame)))))
        names = customer_columns()
        config: dict = {}
        if res is not None:
            names |= column_names(res.horizon_days)
            config = column_config(res.horizon_days)
        shown, _ = percent_view(frame.head(TABLE_ROWS), ["p_alive"])  # the column's percent
        show_table(
            shown.rename(columns=names),
            hide_index=True,
            height=320,
            column_config=config,
        )
        d1, d2 = st.columns(2)
        d1.download_button(
            t("alive.dl_csv"),
            data=lambda: frame_bytes(frame, "csv"),
            file_name="customer_table.csv",
            mime="text/csv",
            key="data.table_csv",
            icon=":material/download:",
        )
        d2.download_button(
            t("alive.dl_xlsx"),
            data=lambda: frame_bytes(frame, "xlsx", sheet="customers"),
            file_name="customer_table.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="data.table_xlsx",
            icon=":material/download:",
            disabled=len(frame) > XLSX_ROWS,
        )


def with_at_risk(
    conf: Confirmed, table: CustomerTable, listed: pd.DataFrame
) -> tuple[pd.DataFrame, A.AliveResult | None]:
    """Event logs: the at-risk list with P(alive), expected purchases and expected value
    after the value at risk, and a line saying which settings they use; other shapes (or
    a log that cannot be fitted): the list as it is and None."""
    if table.shape != "events" or listed.empty:
        return listed, None
    res = fitted(get_dataset(), conf, view_settings()[1])
    if res is None:
        return listed, None
    view_caption(res)
    return A.join_alive(listed, res, after="value_at_risk"), res
