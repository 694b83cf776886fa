"""Churn over time: How fast are we losing customers, is it getting better, and what is coming?"""

from __future__ import annotations

import streamlit as st

from ui.errors import boundary
from ui.i18n import t
from ui.state import bootstrap
from ui.widgets import page_header, require_table

bootstrap("over_time")

with boundary("over_time"):
    page_header("over_time")
    table = require_table()
    st.info(t("common.coming", what=t("over_time.coming_what")), icon=":material/construction:")
