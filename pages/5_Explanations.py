"""Explanations: What drives churn here, why is this customer at risk, and what should we do?"""

from __future__ import annotations

import streamlit as st

from ui.errors import boundary
from ui.i18n import t
from ui.state import bootstrap
from ui.widgets import page_header, require_table

bootstrap("explain")

with boundary("explain"):
    page_header("explain")
    table = require_table()
    st.info(t("common.coming", what=t("explain.coming_what")), icon=":material/construction:")
