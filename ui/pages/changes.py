"""Changes: who moved into high risk, who left since last month, and did the campaign work?

:func:`render` compares two monthly snapshots: the sample months by default (the page
works with no upload), or the user's two files with the campaign list. The comparison
(``churn.compare``) is cached by ``ui.cache_compare``; this controller only draws it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from churn import compare as C
from churn.charts import compare as charts
from ui import cache_compare as cc
from ui import vega
from ui.i18n import current_lang, fmt_date, fmt_int, fmt_pct, lib_text, md_safe, model_name, t
from ui.pages import changes_series
from ui.state import Dataset, get_confirmed, language_key
from ui.tables import percent_view
from ui.widgets import fixed_labels, page_header, show_table

SOURCES = ("sample", "upload")
BAND_KEYS = (*C.BANDS, C.FROM_NEW, C.TO_LEFT, "all")


def render() -> None:
    """The two snapshots, then the moves, the list's outcome, the campaign, top value."""
    page_header("changes")
    files = choose_files()
    if files is None:
        st.info(t("changes.upload_both"), icon=":material/upload_file:")
        st.stop()
    settings, confirmed = cc.settings_for(files, get_confirmed())
    st.caption(t("changes.roles_confirmed" if confirmed else "changes.roles_proposed"))
    cols = cc.column_changes(files)
    for kind in ("added", "removed"):
        if cols[kind]:
            st.caption(t(f"changes.columns_{kind}", columns=md_safe(", ".join(cols[kind]))))
    with st.spinner(t("changes.working")):
        comp, model = cc.comparison(files, settings, current_lang())
    cc.remember(files, settings)  # the Report page's "changes" section uses it
    if model:
        st.caption(
            t(
                "changes.model_used",
                model=model_name(model, recommended=False),
                old=fmt_date(comp.old_snapshot),
                new=fmt_date(comp.new_snapshot),
            )
        )
    headline(comp)
    transitions_section(comp)
    moved_section(comp)
    list_section(comp, files)
    campaign_section(comp)
    top_section(comp)
    changes_series.render(files, comp, confirmed, settings)  # the workspace's series
    if comp.notes:
        with st.expander(t("changes.notes_head")):
            for note in comp.notes:
                st.write(lib_text(note))


def choose_files() -> cc.Snapshots | None:
    """The sample pair or the user's uploads (None until both snapshots are uploaded)."""
    texts = {k: t(f"changes.source_{k}") for k in SOURCES}
    sources = list(SOURCES)
    if changes_series.available():  # the open workspace's last two snapshots
        sources.append(changes_series.SOURCE)
        texts[changes_series.SOURCE] = t("snapshots.source")
    source = st.radio(
        t("changes.source"),
        sources,
        format_func=fixed_labels(texts),
        horizontal=True,
        key=language_key("changes.source"),
    )
    if source == "sample":
        pairs = list(cc.SAMPLE_PAIRS)
        pair = st.selectbox(
            t("changes.sample_pair"),
            pairs,
            format_func=fixed_labels({p: t(f"changes.pair_{p}") for p in pairs}),
            key=language_key("changes.pair"),
        )
        return cc.sample_snapshots(pair)
    if source == changes_series.SOURCE:
        return changes_series.last_two()
    c1, c2, c3 = st.columns(3)
    old = c1.file_uploader(t("changes.old_file"), key="changes.old")
    new = c2.file_uploader(t("changes.new_file"), key="changes.new")
    contacted = c3.file_uploader(t("changes.contacted_file"), key="changes.contacted")
    if old is None or new is None:
        return None

    def as_dataset(upload):
        return None if upload is None else Dataset.from_bytes(upload.name, upload.getvalue())

    return cc.Snapshots(as_dataset(old), as_dataset(new), as_dataset(contacted))


def headline(comp: C.Comparison) -> None:
    c = comp.counts
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("changes.stayed"), fmt_int(c["stayed"]))
    m2.metric(
        t("changes.left"),
        fmt_int(c["left"]),
        help=t("changes.left_help", missing=fmt_int(c["left_missing"])),
    )
    m3.metric(t("changes.new"), fmt_int(c["new"]))
    if comp.risk_source is not None:
        m4.metric(t("changes.moved"), fmt_int(len(comp.moved)))


def _chart_labels() -> dict[str, str]:
    out = {k: t(f"changes.band_{k}") for k in BAND_KEYS}
    for k in ("from", "to", "customers", "share", "group", "retention", "contacted", "hold_out"):
        out[k] = t(f"changes.lab_{k}")
    out["stratum"] = t("changes.col_stratum")
    return out


def transitions_section(comp: C.Comparison) -> None:
    if comp.transitions.empty:
        return
    st.subheader(t("changes.transitions_head"))
    st.caption(
        t(
            "changes.bands_caption",
            medium=fmt_pct(C.MEDIUM_FROM, 0),
            high=fmt_pct(C.HIGH_FROM, 0),
        )
    )
    vega.draw(st, charts.transition_chart(comp.transitions, _chart_labels()))
    st.caption(t("changes.transitions_caption"))


def _band_names(frame: pd.DataFrame, columns) -> pd.DataFrame:
    names = {k: t(f"changes.band_{k}") for k in BAND_KEYS}
    out = cc.table_of(frame)
    for col in columns:
        out[col] = out[col].map(lambda v: names.get(v, v))
    return out


def _headers(frame: pd.DataFrame) -> dict:
    return {c: t(f"changes.col_{c}") for c in frame.columns if c != "customer_id"} | {
        "customer_id": t("common.col_customer_id")
    }


def moved_section(comp: C.Comparison) -> None:
    if comp.risk_source is None:
        return
    st.subheader(t("changes.moved_head"))
    if comp.moved.empty:
        st.write(t("changes.moved_none"))
        return
    st.caption(
        t("changes.moved_caption", n=fmt_int(len(comp.moved)), limit=fmt_int(C.EXPLAIN_LIMIT))
    )
    headers = _headers(comp.moved)
    shown, pct = percent_view(
        _band_names(comp.moved, ["band_old"]), ("risk_old", "risk_new", "change"), headers
    )
    show_table(
        shown,
        column_config=_money_columns(shown, headers) | pct,
        hide_index=True,
        key="changes.moved_table",
    )


def _money_columns(shown, headers: dict) -> dict:
    """Every column its translated header; values (``value`` in the name, and ``now_was``:
    their value then) with thousands separators (Streamlit's "localized" number format)."""
    return {
        c: st.column_config.NumberColumn(headers[c], format="localized")
        if "value" in str(c) or c == "now_was"
        else st.column_config.Column(headers[c])
        for c in shown.columns
    }


def list_section(comp: C.Comparison, files: cc.Snapshots) -> None:
    out = comp.outcome
    if out is None:
        return
    st.subheader(t("changes.list_head"))
    source = "campaign" if files.contacted is not None else "band"
    st.caption(t(f"changes.list_source_{source}"))
    m1, m2, m3 = st.columns(3)
    m1.metric(t("changes.precision"), fmt_pct(out["precision"]), help=t("changes.precision_help"))
    m2.metric(t("changes.recall"), fmt_pct(out["recall"]), help=t("changes.recall_help"))
    m3.metric(t("changes.base_rate"), fmt_pct(out["base_rate"]))
    st.write(
        t(
            "changes.list_words",
            hits=fmt_int(out["hits"]),
            listed=fmt_int(out["listed"]),
            left=fmt_int(out["left"]),
        )
    )
    if "hold_out" in out:
        st.write(t("changes.hold_out_words", share=fmt_pct(out["hold_out"]["precision"])))


def campaign_section(comp: C.Comparison) -> None:
    st.subheader(t("changes.campaign_head"))
    e = comp.campaign
    if e is None:
        st.info(t("changes.campaign_none"), icon=":material/campaign:")
        return
    st.caption(t("changes.campaign_caption"))
    verdict = " ".join(lib_text(s) for s in e.sentences)
    if e.verdict == C.HELPED:
        st.success(verdict, icon=":material/check_circle:")
    elif e.verdict == C.TOO_SMALL:
        st.info(verdict, icon=":material/help:")
    else:
        st.warning(verdict, icon=":material/warning:")
    if len(e.strata):
        vega.draw(st, charts.campaign_chart(e.strata, _chart_labels()))
        named = _band_names(e.strata, ["stratum"])
        headers = _headers(named)
        shares = [c for c in named.columns if c.startswith("retention") or c == "difference"]
        shown, pct = percent_view(named, shares, headers)
        show_table(
            shown,
            column_config={c: st.column_config.Column(headers[c]) for c in shown.columns} | pct,
            hide_index=True,
            key="changes.campaign_table",
        )


def top_section(comp: C.Comparison) -> None:
    st.subheader(t("changes.top_head"))
    shown = cc.table_of(comp.top_value)
    names = {s: t(f"changes.status_{s}") for s in ("stayed", "left", "new")}
    shown["then_status"] = shown["then_status"].map(lambda v: names.get(v, v))
    headers = _headers(shown)
    show_table(
        shown,
        column_config=_money_columns(shown, headers),
        hide_index=True,
        key="changes.top_table",
    )
