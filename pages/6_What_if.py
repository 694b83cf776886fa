"""What if: What would it take to keep this customer, and what would a campaign be worth?"""

from __future__ import annotations

import streamlit as st

from ui.errors import boundary
from ui.i18n import t
from ui.state import bootstrap
from ui.widgets import page_header, require_table

bootstrap("whatif")

with boundary("whatif"):
    page_header("whatif")
    table = require_table()
    st.info(t("common.coming", what=t("whatif.coming_what")), icon=":material/construction:")
