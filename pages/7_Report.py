"""Report: What do we hand over at the end of the workshop?"""

from __future__ import annotations

import streamlit as st

from ui import cache_report as cr
from ui.errors import boundary
from ui.i18n import current_lang, md_safe, t
from ui.state import bootstrap, get_confirmed, get_dataset, persist
from ui.widgets import page_header, require_table

BUILT = "report.built"  # (settings, {kind: (bytes, kept, notes)}) of the last build
LANG_NAMES = {"en": "English", "ko": "한국어"}
MODEL_SECTIONS = ("model", "drivers", "at_risk")

bootstrap("report")

with boundary("report"):
    page_header("report")
    table = require_table()
    ds, conf = get_dataset(), get_confirmed()
    names = cr.section_names()

    st.subheader(t("report.sections_head"))
    has_model = cr.has_model(ds, conf)
    if not has_model:
        st.info(t("report.no_model"), icon=":material/model_training:")
    cols = st.columns(3)
    chosen = tuple(
        n
        for i, n in enumerate(names)
        if cols[i % 3].checkbox(
            t(f"report.sec_{n}"), value=True, key=f"report.sec_{n}", help=t(f"report.help_{n}")
        )
    )
    ui_lang = current_lang() if current_lang() in LANG_NAMES else next(iter(LANG_NAMES))
    # The report speaks the app's language until the user picks another; switching the
    # app's language switches the report's too.
    if st.session_state.get("report.lang_ui") != ui_lang:
        st.session_state["report.lang_ui"] = ui_lang
        st.session_state["report.lang"] = ui_lang
    lang = st.radio(
        t("report.lang"),
        list(LANG_NAMES),
        format_func=LANG_NAMES.get,
        horizontal=True,
        key="report.lang",
    )
    personal = st.toggle(
        t("report.personal"), key=persist("report.personal", False), help=t("report.personal_help")
    )

    st.subheader(t("report.preview_head"))
    if not chosen:
        st.warning(t("report.none_chosen"))
        st.stop()
    lines = []
    for i, n in enumerate(chosen, 1):
        left_out = n in MODEL_SECTIONS and not has_model
        suffix = t("report.needs_model") if left_out else ""
        lines.append(f"{i}. {t(f'report.sec_{n}')}{suffix}")
    st.markdown("\n".join(lines))

    settings = (conf.key, chosen, lang, has_model, personal)
    if st.button(t("report.build"), key="report.build", type="primary", icon=":material/build:"):
        with st.spinner(t("report.building")):
            st.session_state[BUILT] = (
                settings,
                {
                    kind: cr.build(ds, conf, table, kind, chosen, lang, personal)
                    for kind in ("html", "xlsx")
                },
            )
    built = st.session_state.get(BUILT)
    if not built or built[0] != settings:
        st.caption(t("report.build_first"))
        st.stop()
    outputs = built[1]
    for note in outputs["html"][2]:
        st.caption(md_safe(note))
    st.success(t("report.ready", n=len(outputs["html"][1])), icon=":material/task_alt:")
    a, b = st.columns(2)
    a.download_button(
        t("report.download_html"),
        data=outputs["html"][0],
        file_name=cr.file_name("html", lang),
        mime="text/html",
        key="report.download_html",
        icon=":material/download:",
    )
    b.download_button(
        t("report.download_xlsx"),
        data=outputs["xlsx"][0],
        file_name=cr.file_name("xlsx", lang),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="report.download_xlsx",
        icon=":material/download:",
    )
    st.caption(t("report.offline"))
