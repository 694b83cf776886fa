"""Data: upload a file or use a sample, check how it was read, confirm which column is what,
and see what could not be used and why."""

from __future__ import annotations

import streamlit as st

from ui import cache
from ui import data_page as dp
from ui.errors import boundary
from ui.i18n import t
from ui.state import bootstrap, get_dataset
from ui.widgets import page_header

bootstrap("data")

with boundary("data"):
    page_header("data")
    dp.source_section()
    ds = get_dataset()
    if ds is None:
        st.info(t("data.start_hint"), icon=":material/upload_file:")
        st.stop()

    read = dp.read_section(ds)
    if read is None:
        st.stop()
    result, sheet = read
    base = dp.base_roles(ds, sheet)

    st.subheader(t("data.roles_title"))
    st.caption(t("data.roles_caption"))
    roles = dp.role_editor(list(result.frame.columns), base)
    roles = dp.label_mapping(ds, sheet, roles, base)
    st.info(t("data.shape_is", shape=dp.shape_text(roles)), icon=":material/table_view:")

    dates = dp.dates_section(ds, sheet, roles, base)
    roles, n = dates.roles, dates.inactivity_days
    ready = dates.ready and dp.mapping_ready(roles)
    snapshot, ready = dp.draft_section(ds, sheet, roles, n, ready)

    candidate = dp.draft(ds, sheet, roles, snapshot, n)
    if ready:
        dp.issues_section(cache.validation_issues(ds, candidate))

    st.subheader(t("data.confirm_title"))
    dp.confirm_section(ds, candidate, ready)
