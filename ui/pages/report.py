"""Report: What do we hand over at the end of the workshop?

:func:`render` draws the choice of sections, language and personal data, a preview of
the contents, and the build button; the built HTML and Excel files are kept in session
state with the settings they were built for, and offered as downloads while those
settings stand. Reports are built (and cached) by ``ui.cache_report``, with the model
trained on the Model page (never a new one) and the saved what-if scenarios.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from churn import report as R
from churn.table import CustomerTable
from ui import cache_report as cr
from ui import workspace
from ui.i18n import LANGUAGES, current_lang, md_safe, t
from ui.pages import data_alive
from ui.state import MODEL, SCENARIOS, Confirmed, Dataset, get_confirmed, get_dataset, persist
from ui.widgets import page_header, require_table

BUILT = "report.built"  # (settings, {kind: (bytes, kept, notes)}) of the last build
LANG_NAMES = LANGUAGES  # code -> the language's name in itself
MODEL_SECTIONS = ("model", "drivers", "at_risk")
ALIVE_SECTIONS = ("alive",)  # event logs only


def render() -> None:
    """The report's settings and preview, then the build button and the downloads."""
    page_header("report")
    table = require_table()
    ds, conf = get_dataset(), get_confirmed()
    names = section_names(table)

    st.subheader(t("report.sections_head"))
    trained = workspace.current_model(ds, conf)
    has_model = trained is not None
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

    alive_view = data_alive.view_settings() if table.shape == "events" else None
    settings = (conf.key, chosen, lang, has_model, personal, alive_view)
    build_section(ds, conf, table, trained, settings)


def build_section(
    ds: Dataset, conf: Confirmed, table: CustomerTable, trained: Any, settings: tuple
) -> None:
    """The build button, the report's notes and the two downloads (HTML and Excel)."""
    _, chosen, lang, _, personal, alive_view = settings
    if st.button(t("report.build"), key="report.build", type="primary", icon=":material/build:"):
        handle = st.session_state.get(MODEL) if trained is not None else None
        scenarios = dict(st.session_state.get(SCENARIOS) or {})
        alive, threshold = None, None
        if alive_view is not None and {"alive", "at_risk"} & set(chosen):
            threshold = alive_view[0]
            alive = data_alive.fitted(ds, conf, alive_view[1])  # event logs: P(alive)
        with st.spinner(t("report.building")):
            st.session_state[BUILT] = (
                settings,
                {
                    kind: cr.build(
                        ds,
                        conf,
                        table,
                        kind,
                        chosen,
                        lang,
                        personal,
                        trained=trained,
                        handle=handle,
                        scenarios=scenarios,
                        alive=alive,
                        alive_threshold=threshold,
                    )  # fmt: skip
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
        file_name=file_name("html", lang),
        mime="text/html",
        key="report.download_html",
        icon=":material/download:",
    )
    b.download_button(
        t("report.download_xlsx"),
        data=outputs["xlsx"][0],
        file_name=file_name("xlsx", lang),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="report.download_xlsx",
        icon=":material/download:",
    )
    st.caption(t("report.offline"))


def section_names(table: CustomerTable | None = None) -> list[str]:
    """Every section the report can hold for ``table``, in order (P(alive) only for an
    event log)."""
    events = table is None or table.shape == "events"
    return [n for n in R.SECTIONS if events or n not in ALIVE_SECTIONS]


def file_name(kind: str, lang: str) -> str:
    """Download file name, e.g. ``churn_report_en.html``."""
    return f"churn_report_{lang}.{kind}"
