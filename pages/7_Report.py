"""Report: What do we hand over at the end of the workshop?"""

from __future__ import annotations

import streamlit as st

from ui.errors import boundary
from ui.i18n import t
from ui.state import bootstrap
from ui.widgets import page_header, require_table

bootstrap("report")

with boundary("report"):
    page_header("report")
    table = require_table()
    st.info(t("common.coming", what=t("report.coming_what")), icon=":material/construction:")
