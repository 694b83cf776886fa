"""The Changes page's series of snapshots: the open workspace keeps this month's and last
month's files (``churn.workspace.snapshots``), the roles confirmed once and reused while
the columns match; the page lists the series (date, file, rows, customers, columns added
and removed) and compares its last two files without uploading them again.

Drawn by ``ui.pages.changes``; the store is ``ui.workspace.store()``. No file bytes are
shown or logged.
"""

from __future__ import annotations

import logging
from datetime import date

import streamlit as st

from churn import compare as C
from churn.errors import ChurnDataError
from churn.workspace import (
    SnapshotSeries,
    WorkspaceError,
    add_snapshot,
    load_series,
    snapshot_data,
)
from ui import cache, workspace
from ui import cache_compare as cc
from ui.i18n import error_message, fmt_date, md_safe, t
from ui.state import WORKSPACE, Dataset
from ui.widgets import show_table

log = logging.getLogger(__name__)
SOURCE = "series"


#: Session key: (workspace id, its last update) and the series read then.
_KEPT = "changes.series_kept"


def current() -> SnapshotSeries | None:
    """The open workspace's series (None: no workspace is open or it cannot be read).

    The workspace (file bytes included) is read again only when it was saved since: its
    list line (``store.info``, cheap) tells when; a page run asks several times."""
    s, ws_id = workspace.store(), st.session_state.get(WORKSPACE)
    if s is None or not ws_id:
        return None
    try:
        stamp = (ws_id, s.info(ws_id).updated)
        kept = st.session_state.get(_KEPT)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        series = load_series(s, ws_id)
    except WorkspaceError as exc:
        log.warning("The series of workspace %s could not be read: %s", ws_id[:8], exc)
        return None
    st.session_state[_KEPT] = (stamp, series)
    return series


def available() -> bool:
    """True when the open workspace's series has two files to compare."""
    series = current()
    return series is not None and len(series.entries) >= 2


def last_two() -> cc.Snapshots | None:
    """The series' last two files, as the page's two snapshots."""
    series, s = current(), workspace.store()
    if series is None or s is None or len(series.entries) < 2:
        return None
    old, new = series.entries[-2:]
    return cc.Snapshots(
        Dataset.from_bytes(old.file_name, snapshot_data(s, old), sheet=old.sheet),
        Dataset.from_bytes(new.file_name, snapshot_data(s, new), sheet=new.sheet),
    )


def render(files: cc.Snapshots, comp: C.Comparison, confirmed: bool, settings) -> None:
    """The series table and, for two uploaded files, the button that adds them to it."""
    st.subheader(t("snapshots.head"))
    series = current()
    if series is None:
        st.caption(t("snapshots.no_workspace"))
        return
    if series.entries:
        shown = series.as_frame()
        show_table(
            shown,
            column_config={c: st.column_config.Column(t(f"snapshots.col_{c}")) for c in shown},
            hide_index=True,
            key="snapshots.table",
        )
        for change in series.column_changes():
            for kind in ("added", "removed"):
                if change[kind]:
                    words = md_safe(", ".join(change[kind]))
                    when = fmt_date(change["date"])
                    st.caption(t(f"snapshots.columns_{kind}", date=when, columns=words))
        if series.intake is not None:
            st.caption(t("snapshots.roles_reused"))
    else:
        st.caption(t("snapshots.empty"))
    saved = {e.sha256 for e in series.entries}
    if files.old.is_sample or {files.old.content_hash, files.new.content_hash} <= saved:
        return
    add_form(files, comp, confirmed, settings, series)


def _day(value, key: str) -> date | None:
    default = None if value is None else value.date()
    return st.date_input(t(f"snapshots.date_{key}"), value=default, key=f"snapshots.date_{key}")


def add_form(files, comp: C.Comparison, confirmed: bool, settings, series) -> None:
    """Two dates (the files' own "as of" dates by default) and the add button."""
    c1, c2 = st.columns(2)
    with c1:
        old_day = _day(comp.old_snapshot, "old")
    with c2:
        new_day = _day(comp.new_snapshot, "new")
    if not st.button(t("snapshots.add"), key="snapshots.add", icon=":material/library_add:"):
        return
    if old_day is None or new_day is None:
        st.warning(t("snapshots.need_dates"))
        return
    # the roles confirmed on the Data page become the series'; else the series' own are
    # reused (a proposal is never saved as confirmed roles)
    intake = settings if confirmed else None
    s, ws_id = workspace.store(), st.session_state.get(WORKSPACE)
    try:
        for d, day in ((files.old, old_day), (files.new, new_day)):
            add_snapshot(
                s,
                ws_id,
                date=day,
                file_name=d.name,
                data=d.data,
                frame=cache.read_dataset(d).frame,
                intake=intake,
                sheet=d.sheet,
            )
    except ChurnDataError as exc:
        st.warning(t("snapshots.failed", message=error_message(exc)))
        return
    st.success(t("snapshots.added"))
    st.rerun()
