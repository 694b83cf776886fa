"""Shared widgets and page furniture."""

from __future__ import annotations

import streamlit as st

from churn.table import CustomerTable
from ui import cache
from ui.i18n import t
from ui.nav import PAGES
from ui.state import get_confirmed, get_dataset


def page_header(ns: str) -> None:
    """The page title and the one question it answers."""
    st.title(t(f"{ns}.title"))
    st.caption(t(f"{ns}.question"))


def require_table() -> CustomerTable:
    """The confirmed customer table, or a pointer to the Data page and a stop."""
    ds, conf = get_dataset(), get_confirmed()
    if ds is None or conf is None:
        st.info(t("common.need_data"), icon=":material/upload_file:")
        st.page_link(PAGES["data"], label=t("common.go_data"), icon=":material/arrow_forward:")
        st.stop()
    return cache.customer_table(ds, conf)
