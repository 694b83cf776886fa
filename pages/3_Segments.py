"""Segments: Which customers leave more than others, and which of them matter most?"""

from __future__ import annotations

import streamlit as st

from ui.errors import boundary
from ui.i18n import t
from ui.state import bootstrap
from ui.widgets import page_header, require_table

bootstrap("segments")

with boundary("segments"):
    page_header("segments")
    table = require_table()
    st.info(t("common.coming", what=t("segments.coming_what")), icon=":material/construction:")
