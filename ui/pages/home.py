"""Home: what the app answers, the dataset's status, and where to go next (``app.py``)."""

from __future__ import annotations

import streamlit as st

from ui import intake
from ui.i18n import t
from ui.state import get_confirmed, get_dataset
from ui.widgets import PAGES


def render() -> None:
    """The pitch, the dataset's status with a one-click sample, and a line per page."""
    st.title("ChurnLens")
    st.markdown(t("home.pitch"))
    st.caption(t("home.audience"))

    ds, conf = get_dataset(), get_confirmed()
    with st.container(border=True):
        st.subheader(t("home.status_title"))
        if ds is None:
            st.write(t("home.status_none"))
        elif conf is None:
            st.write(t("home.status_unconfirmed", name=ds.name))
        else:
            st.write(t("home.status_ready", name=ds.name))
        cols = st.columns(2)
        if cols[0].button(t("home.try_sample"), key="home.try_sample", type="primary"):
            with st.spinner(t("home.loading_sample")):
                intake.load_sample("subscriptions")
            st.rerun()
        cols[1].page_link(PAGES["data"], label=t("home.own_file"), icon=":material/upload:")

    st.subheader(t("home.pages_title"))
    for ns, path in PAGES.items():
        c1, c2 = st.columns([1, 3])
        c1.page_link(path, label=t(f"{ns}.title"))
        c2.write(t(f"{ns}.question"))
