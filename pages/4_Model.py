"""Model: Can we predict who leaves, how well, and how many customers should we contact?"""

from __future__ import annotations

import streamlit as st

from ui.errors import boundary
from ui.i18n import t
from ui.state import bootstrap
from ui.widgets import page_header, require_table

bootstrap("model")

with boundary("model"):
    page_header("model")
    table = require_table()
    st.info(t("common.coming", what=t("model.coming_what")), icon=":material/construction:")
