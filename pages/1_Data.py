"""Data: Upload a file or use a sample, check how it was read, confirm which column is what, and see what could not be used and why."""

from __future__ import annotations

import streamlit as st

from ui.errors import boundary
from ui.i18n import t
from ui.state import bootstrap
from ui.widgets import page_header, require_table

bootstrap("data")

with boundary("data"):
    page_header("data")
    table = require_table()
    st.info(t("common.coming", what=t("data.coming_what")), icon=":material/construction:")
