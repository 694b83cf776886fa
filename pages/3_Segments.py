"""Segments: Which customers leave more than others, and which of them matter most?"""

from __future__ import annotations

import streamlit as st

from ui import cache_segments as cache
from ui import segments_page as view
from ui.errors import boundary
from ui.i18n import t
from ui.state import bootstrap, get_confirmed
from ui.widgets import lazy_tabs, page_header, require_table

bootstrap("segments")

with boundary("segments"):
    page_header("segments")
    table = require_table()
    conf = get_confirmed()
    labels = cache.chart_labels()
    options = cache.segment_options(table)
    if not options:
        st.info(t("segments.no_columns"), icon=":material/view_column:")
        st.stop()
    # The segment column serves the first two tabs, so it sits above them. Only the open
    # tab runs: a change recomputes one tab's tables, not five.
    by, binning = view.controls(table, options)
    tabs = lazy_tabs("segments.section", view.SECTIONS, lambda s: t(f"segments.tab_{s}"))
    if tabs["churn"].open:
        with tabs["churn"]:
            view.churn_section(conf, table, by, binning, options, labels)
    if tabs["value"].open:
        with tabs["value"]:
            view.value_section(conf, table, by, binning, labels)
    if tabs["rfm"].open:
        with tabs["rfm"]:
            view.rfm_section(conf, table, labels)
    if tabs["clusters"].open:
        with tabs["clusters"]:
            view.clusters_section(conf, table, labels)
    if tabs["signs"].open:
        with tabs["signs"]:
            view.signs_section(conf, table, labels)
