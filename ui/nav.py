"""The app's pages, in order, and a translated sidebar menu.

Streamlit's automatic menu names pages after their files ("app", "Churn over time") in
English only, so the config hides it and every page draws this one through
``bootstrap()`` with names from the i18n catalogues.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ui.i18n import t

HOME = "app.py"
PAGES = {
    "data": "pages/1_Data.py",
    "over_time": "pages/2_Churn_over_time.py",
    "segments": "pages/3_Segments.py",
    "model": "pages/4_Model.py",
    "explain": "pages/5_Explanations.py",
    "whatif": "pages/6_What_if.py",
    "report": "pages/7_Report.py",
    "changes": "pages/8_Changes.py",
}
ICONS = {
    "home": ":material/home:",
    "data": ":material/upload_file:",
    "over_time": ":material/timeline:",
    "segments": ":material/donut_small:",
    "model": ":material/model_training:",
    "explain": ":material/psychology:",
    "whatif": ":material/tune:",
    "report": ":material/description:",
    "changes": ":material/compare_arrows:",
}


def sidebar_menu() -> None:
    with st.sidebar:
        try:
            st.page_link(HOME, label=t("home.title"), icon=ICONS["home"])
            for ns, path in PAGES.items():
                st.page_link(path, label=t(f"{ns}.title"), icon=ICONS[ns])
        except StreamlitAPIException:
            # Only when a page runs as its own entrypoint (a unit test of one page file):
            # links are relative to app.py, which the real server always starts from.
            return
        st.divider()
