"""Data: upload a file or use a sample, check how it was read, confirm which column is what,
and see what could not be used and why.

:func:`render` draws the page top to bottom: the source (upload or sample), how the file
was read, the role editor and label mapping (``ui.pages.data_roles``), the draft table
and its checks (``ui.pages.data_table``), and the confirm step; after Confirm, P(alive)
beside the inactivity rule and the customer table (``ui.pages.data_alive``). Nothing here
computes an analysis: reading, proposing roles, building the customer table and
validating are ``churn.*`` calls made through ``ui.cache`` / ``ui.cache_data_page`` /
``ui.cache_alive``.

State rules (DESIGN rule 8): widget keys start with ``data.``; page bookkeeping that
must outlive a widget lives under ``data._*`` keys that no widget owns. A failed read
never touches the current dataset or its confirmation.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from churn.errors import ChurnDataError
from churn.table import CustomerTable
from ui import cache, workspace
from ui.errors import incident
from ui.i18n import (
    catalogue,
    current_lang,
    error_message,
    fmt_date,
    fmt_int,
    fmt_pct,
    lib_text,
    md_safe,
    t,
)
from ui.intake import SAMPLE_DIR, SAMPLES, confirm, load_file, load_sample
from ui.pages import data_alive, data_leakage, data_roles, data_server, data_table
from ui.state import Confirmed, Dataset, get_confirmed, get_dataset, set_confirmed
from ui.streamlit_words import uploader_note
from ui.widgets import PAGES, page_header, show_table

UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "parquet"]
PREVIEW_ROWS = 200

# Page bookkeeping (no widget owns these keys).
_UPLOAD_SEEN = "data._upload_seen"  # file_id of the last upload handled
_UPLOAD_ERROR = "data._upload_error"  # (file_id, name, message) of a failed read
_SAMPLE_ERROR = "data._sample_error"
_FOR_HASH = "data._for_hash"  # the dataset the sheet choice belongs to


def render() -> None:
    """The Data page, top to bottom; a section that the next ones need stops the page."""
    page_header("data")
    source_section()
    ds = get_dataset()
    if ds is None:
        st.info(t("data.start_hint"), icon=":material/upload_file:")
        st.stop()

    read = read_section(ds)
    if read is None:
        st.stop()
    result, sheet = read
    base = data_roles.base_roles(ds, sheet)

    st.subheader(t("data.roles_title"))
    st.caption(t("data.roles_caption"))
    roles = data_roles.role_editor(list(result.frame.columns), base)
    data_leakage.leakage_section(ds, sheet, base, roles)
    roles = data_roles.label_mapping(ds, sheet, roles, base)
    st.info(t("data.shape_is", shape=data_roles.shape_text(roles)), icon=":material/table_view:")

    # the headings count on without a gap: "4. Dates" only when there are dates to settle
    step = 5 if any((roles.start, roles.end, roles.event_date)) else 4
    dates = data_roles.dates_section(ds, sheet, roles, base)
    roles, n = dates.roles, dates.inactivity_days
    ready = dates.ready and data_roles.mapping_ready(roles)
    snapshot, ready = data_table.draft_section(ds, sheet, roles, n, ready)

    candidate = data_table.draft(ds, sheet, roles, snapshot, n)
    if ready:
        data_table.issues_section(cache.validation_issues(ds, candidate), step)
        step += 1

    st.subheader(t("data.confirm_title", n=step))
    confirm_section(ds, candidate, ready)


# --------------------------------------------------------------------------- source


def _try_load(name: str, data: bytes, *, is_sample: bool = False) -> str | None:
    """Read ``data``; only when that works make it the current dataset. Returns an error."""
    probe = Dataset.from_bytes(name, data, is_sample=is_sample)
    try:
        cache.read(probe.content_hash, name, None, data)
    except ChurnDataError as exc:
        return error_message(exc)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not lose the user's work
        # The exception's type and text stay in the server log (they can quote the file).
        return t("safety.read_unexpected", ref=incident("reading an upload", exc))
    load_file(name, data, is_sample=is_sample)
    return None


def _load_sample(kind: str) -> str | None:
    path = SAMPLE_DIR / SAMPLES[kind]
    if not path.is_file():
        return t("data.sample_missing", name=path.name)
    error = _try_load(path.name, path.read_bytes(), is_sample=True)
    if error is None:
        try:
            load_sample(kind)  # reads from the cache just filled; confirms the proposal
        except ChurnDataError as exc:
            set_confirmed(None)  # the file is loaded; the user fixes the roles below
            return error_message(exc)
    return error


def source_section() -> None:
    """File uploader and sample buttons. A bad file leaves the current dataset alone."""
    st.subheader(t("data.source_title"))
    left, right = st.columns([3, 2])
    upload = left.file_uploader(
        t("data.upload_label"), type=UPLOAD_TYPES, key="data.upload", help=t("data.upload_help")
    )
    uploader_note(left)  # Streamlit draws the uploader's own words in English
    with left:
        data_server.server_path_section()  # only when the administrator enabled server paths
    with right:
        st.caption(t("data.samples_title"))
        for kind in SAMPLES:
            if st.button(t(f"data.sample_{kind}"), key=f"data.sample.{kind}", width="stretch"):
                st.session_state[_SAMPLE_ERROR] = _load_sample(kind)
                if st.session_state[_SAMPLE_ERROR] is None:
                    st.session_state.pop(_UPLOAD_ERROR, None)
                    st.rerun()
    if st.session_state.get(_SAMPLE_ERROR):
        st.error(st.session_state[_SAMPLE_ERROR], icon=":material/error:")

    if upload is None:
        st.session_state.pop(_UPLOAD_ERROR, None)
        return
    if st.session_state.get(_UPLOAD_SEEN) != upload.file_id:
        st.session_state[_UPLOAD_SEEN] = upload.file_id
        st.session_state[_SAMPLE_ERROR] = None
        error = _try_load(upload.name, upload.getvalue())
        if error is None:
            st.session_state.pop(_UPLOAD_ERROR, None)
            st.rerun()  # so the sidebar and every section show the new file
        st.session_state[_UPLOAD_ERROR] = (upload.file_id, upload.name, error)
    failed = st.session_state.get(_UPLOAD_ERROR)
    if failed and failed[0] == upload.file_id:
        st.error(t("data.read_failed", name=failed[1], message=failed[2]), icon=":material/error:")
        if get_dataset() is not None:
            st.caption(t("data.kept_previous", name=get_dataset().name))


# --------------------------------------------------------------------------- reading


def _delimiter(d: str | None) -> str:
    if d is None or d == "":
        return "–"
    named = {"\t": "data.delim_tab", " ": "data.delim_space", r"\s+": "data.delim_space"}
    return t(named[d]) if d in named else f"`{d}`"


def _listing(value: Any) -> list[str]:
    """Conversions or notes as lines, whatever shape the reader gives them in."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = list(value.items())
    if isinstance(value, str):
        return [_note_text(value)]
    if isinstance(value, int | float):
        return [fmt_int(value)] if value else []
    return [
        f"`{v[0]}`: {lib_text(v[1])}" if isinstance(v, tuple) and len(v) == 2 else _note_text(v)
        for v in value
    ]


#: Reader notes the page already states in its own lines.
_NOTES_SHOWN_ELSEWHERE = {"blank_cells", "converted"}


def _note_text(note: Any) -> str:
    """A reader note in the user's language when ``data.io_<code>`` translates it; the
    reader's English text otherwise (or when the note lacks a value the text needs)."""
    code = getattr(note, "code", None)
    text = catalogue(current_lang()).get(f"data.io_{code}") if code else None
    if not text:
        return lib_text(note)
    params = getattr(note, "params", None) or {}
    values = {k: fmt_int(v) if isinstance(v, int) else v for k, v in params.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return str(note)


def read_section(ds: Dataset) -> tuple[Any, str | None] | None:
    """The sheet choice, how the file was read, and a preview. Returns (result, sheet)."""
    if st.session_state.get(_FOR_HASH) != ds.content_hash:
        data_roles.forget(("data.sheet",))
        st.session_state[_FOR_HASH] = ds.content_hash
    first = cache.read_dataset(ds)
    result, sheet = first, first.sheet
    sheets = list(getattr(first, "sheets", None) or [])
    st.subheader(t("data.read_title"))
    if len(sheets) > 1:
        conf = get_confirmed()
        data_roles.seed("data.sheet", conf.sheet if conf and conf.sheet in sheets else first.sheet)
        sheet = st.selectbox(
            t("data.sheet"), sheets, key="data.sheet", help=t("data.sheet_help", n=len(sheets))
        )
        if sheet != first.sheet:
            try:
                result = cache.read(ds.content_hash, ds.name, sheet, ds.data)
            except ChurnDataError as exc:
                st.error(t("data.sheet_failed", sheet=sheet, message=error_message(exc)))
                return None
    frame = result.frame
    lines = [
        t("data.read_file", name=ds.name, kind=str(getattr(result, "kind", "") or "–")),
        t("data.read_size", rows=fmt_int(len(frame)), cols=fmt_int(frame.shape[1])),
    ]
    if getattr(result, "encoding", None):
        lines.append(t("data.read_encoding", encoding=result.encoding))
    if getattr(result, "delimiter", None):
        lines.append(t("data.read_delimiter", delimiter=_delimiter(result.delimiter)))
    if sheet:
        lines.append(t("data.read_sheet", sheet=sheet))
    lines.append(t("data.read_blank", n=fmt_int(getattr(result, "blank_cells", 0) or 0)))
    conversions = _listing(getattr(result, "converted", None))
    notes = [
        _note_text(n)
        for n in getattr(result, "notes", None) or ()
        if getattr(n, "code", None) not in _NOTES_SHOWN_ELSEWHERE
    ]
    st.markdown("\n".join(f"- {line}" for line in lines))
    if conversions:
        st.markdown(
            t("data.read_converted") + "\n" + "\n".join(f"  - {md_safe(c)}" for c in conversions)
        )
    for note in notes:
        st.caption(md_safe(note))
    with st.expander(t("data.preview_title", n=fmt_int(min(PREVIEW_ROWS, len(frame))))):
        show_table(frame.head(PREVIEW_ROWS), hide_index=True)
    return result, sheet


# --------------------------------------------------------------------------- roles


# --------------------------------------------------------------------------- confirm


def confirm_section(ds: Dataset, candidate: Confirmed, ready: bool) -> None:
    """The confirm button, and the summary of the confirmed table."""
    conf = get_confirmed()
    current = conf is not None and conf.key == candidate.key
    if conf is not None and not current:
        st.info(t("data.changed_since_confirm"), icon=":material/edit:")
    clicked = st.button(
        t("data.confirm_again" if current else "data.confirm"),
        key="data.confirm",
        type="primary",
        disabled=not ready,
        icon=":material/check:",
    )
    if clicked:
        table, error = data_table.try_table(ds, candidate)
        if error is not None:
            st.error(t("data.confirm_failed", message=error), icon=":material/error:")
            return
        confirm(
            ds,
            candidate.roles,
            sheet=candidate.sheet,
            snapshot=candidate.snapshot,
            inactivity_days=candidate.inactivity_days,
        )
        workspace.autosave("roles")  # the workspace (and the URL's ?ws=) follow the confirmation
        st.rerun()  # the sidebar and the other pages pick the confirmation up
    if current:
        table, error = data_table.try_table(ds, conf)
        if table is not None:
            summary(table)
            # event logs: P(alive) beside N (not for a server log: the app holds a sample)
            res = None if ds.log_source else data_alive.alive_section(ds, conf, table)
            data_alive.customer_table_section(conf, table, res)
            next_links()


def summary(table: CustomerTable) -> None:
    """Success summary: customers, churned, churn rate and its denominator, too new."""
    c = data_table.table_counts(table)
    st.success(t("data.confirmed_ok"), icon=":material/task_alt:")
    cols = st.columns(4)
    cols[0].metric(t("data.m_customers"), fmt_int(c["customers"]))
    cols[1].metric(t("data.m_churned"), fmt_int(c["churned"]))
    cols[2].metric(t("data.m_rate"), fmt_pct(table.churn_rate))
    if table.shape == "events":
        cols[3].metric(t("data.m_too_new"), fmt_int(c["too_new"]))
    else:
        cols[3].metric(t("data.m_left_out"), fmt_int(c["left_out"]))
    st.caption(
        t(
            "data.rate_over",
            churned=fmt_int(c["churned"]),
            labelled=fmt_int(c["labelled"]),
            too_new=fmt_int(c["too_new"]),
            left_out=fmt_int(c["left_out"]),
        )
    )
    if table.snapshot is not None:
        st.caption(t("data.snapshot_used", date=fmt_date(table.snapshot)))
    if table.notes:
        with st.expander(t("data.table_notes")):
            st.markdown("\n".join(f"- {lib_text(note)}" for note in table.notes))


def next_links() -> None:
    """Where to go next: the three analysis pages."""
    st.markdown(t("data.next_title"))
    links = st.columns(3)
    for col, ns in zip(links, ("over_time", "segments", "model"), strict=True):
        col.page_link(PAGES[ns], label=t(f"{ns}.title"), icon=":material/arrow_forward:")
