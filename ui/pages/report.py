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
from ui import cache_compare as cc
from ui import cache_report as cr
from ui import workspace
from ui.i18n import LANGUAGES, current_lang, fmt_pct, md_safe, t
from ui.pages import data_alive
from ui.state import MODEL, SCENARIOS, Confirmed, Dataset, get_confirmed, get_dataset, persist
from ui.widgets import page_header, require_table

BUILT = "report.built"  # (settings, {kind: (bytes, kept, notes)}) of the last build
MIME = {
    "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
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
    segments, survival_by = segment_widgets(conf, table) if "segments" in names else (None, None)

    st.subheader(t("report.preview_head"))
    if not chosen:
        st.warning(t("report.none_chosen"))
        st.stop()
    changes = cc.comparison_key()  # the comparison last shown on the Changes page
    lines = []
    for i, n in enumerate(chosen, 1):
        left_out = n in MODEL_SECTIONS and not has_model
        suffix = t("report.needs_model") if left_out else ""
        if n == "changes" and changes is None:
            suffix = t("report.needs_comparison")
        lines.append(f"{i}. {t(f'report.sec_{n}')}{suffix}")
    st.markdown("\n".join(lines))
    pair = cc.last_files() if "changes" in chosen else None
    if pair is not None:
        st.caption(t("report.changes_from", old=md_safe(pair.old.name), new=md_safe(pair.new.name)))

    alive_view = data_alive.view_settings() if table.shape == "events" else None
    settings = (conf.key, chosen, lang, has_model, personal, alive_view, segments, survival_by)
    settings += (changes,)
    build_section(ds, conf, table, trained, settings)


def build_section(
    ds: Dataset, conf: Confirmed, table: CustomerTable, trained: Any, settings: tuple
) -> None:
    """The build button, the report's notes and the two downloads (HTML and Excel)."""
    _, chosen, lang, _, personal, alive_view, segments, survival_by, changes = settings
    if st.button(t("report.build"), key="report.build", type="primary", icon=":material/build:"):
        handle = st.session_state.get(MODEL) if trained is not None else None
        scenarios = dict(st.session_state.get(SCENARIOS) or {})
        alive, threshold = None, None
        if alive_view is not None and {"alive", "at_risk"} & set(chosen):
            threshold = alive_view[0]
            alive = data_alive.fitted(ds, conf, alive_view[1])  # event logs: P(alive)
        last = cc.last_comparison(lang) if changes and "changes" in chosen else None
        with st.spinner(t("report.building")):
            st.session_state[BUILT] = (
                settings,
                cr.build(
                    ds,
                    conf,
                    table,
                    chosen,
                    lang,
                    personal,
                    segments=segments,
                    survival_by=survival_by,
                    trained=trained,
                    handle=handle,
                    scenarios=scenarios,
                    alive=alive,
                    alive_threshold=threshold,
                    comparison=None if last is None else last[0],
                    comparison_key=changes,
                ),  # fmt: skip
            )
    built = st.session_state.get(BUILT)
    if not built or built[0] != settings:
        st.caption(t("report.build_first"))
        st.stop()
    outputs = built[1]
    for note in outputs["html"][2]:
        st.caption(md_safe(note))
    st.success(t("report.ready", n=len(outputs["html"][1])), icon=":material/task_alt:")
    cols = st.columns(3)
    for col, kind in zip(cols, cr.KINDS, strict=True):
        if kind not in outputs:  # no PDF writer on this machine: say so where the button goes
            col.caption(t("report.no_pdf"))
            continue
        col.download_button(
            t(f"report.download_{kind}"),
            data=outputs[kind][0],
            file_name=file_name(kind, lang),
            mime=MIME[kind],
            key=f"report.download_{kind}",
            icon=":material/download:",
        )
    st.caption(t("report.offline"))


def segment_widgets(
    conf: Confirmed, table: CustomerTable
) -> tuple[tuple[str, ...] | None, str | None]:
    """The segments and the survival groups of the report: proposed by evidence (the widest
    significant churn-rate spreads), changeable here. Returns (None, None) while the user
    keeps the proposal, so the report says why those were chosen."""
    choice = cr.segment_choice(conf, table)
    options = list(table.categorical)
    if not options:
        return None, None
    st.subheader(t("report.segments_head"))
    if len(choice.evidence):
        top = choice.evidence.iloc[0]
        st.caption(
            md_safe(
                t(
                    "report.segments_why",
                    columns=", ".join(choice.columns),
                    column=top["column"],
                    low=fmt_pct(top["low_rate"]),
                    high=fmt_pct(top["high_rate"]),
                )
            )
        )
    segs = st.multiselect(
        t("report.segments"),
        options,
        default=[c for c in choice.columns if c in options],
        key="report.segments",
        placeholder=t("report.segments_placeholder"),
        help=t("report.segments_help"),
    )
    by_options = segs or options
    default_by = choice.survival_by if choice.survival_by in by_options else by_options[0]
    by = st.selectbox(
        t("report.survival_by"),
        by_options,
        index=by_options.index(default_by),
        key="report.survival_by",
    )
    if tuple(segs) == tuple(choice.columns) and by == choice.survival_by:
        return None, None  # the evidence's choice, stated as such in the report
    return tuple(segs), by


def section_names(table: CustomerTable | None = None) -> list[str]:
    """Every section the report can hold for ``table``, in order (P(alive) only for an
    event log)."""
    events = table is None or table.shape == "events"
    return [n for n in R.SECTIONS if events or n not in ALIVE_SECTIONS]


def file_name(kind: str, lang: str) -> str:
    """Download file name, e.g. ``churn_report_en.html``."""
    return f"churn_report_{lang}.{kind}"
