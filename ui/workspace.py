"""Workspaces in the app: the ``?ws=<id>`` URL parameter, autosave, restore, and the list.

This module owns autosave: the only code that writes the session's analysis to its
workspace is :func:`autosave` here, and the model is handed to pages only through
:func:`trained_model` / :func:`current_model`, which save it the first time.

- :func:`on_bootstrap` (called by ``ui.state.bootstrap`` on every page): when the URL
  carries ``?ws=<id>`` and the session has no dataset yet (a refresh, a reopened tab, a
  bookmarked link), the workspace is restored into session state: the file, the
  confirmed roles, the model handle under ``ui.state.MODEL`` and the trained model
  itself under ``ui.state.RESTORED_MODEL`` (:func:`trained_model` uses it instead of
  retraining), and the saved scenarios. Afterwards it keeps the URL pointing
  at the session's workspace (Streamlit's page links drop query parameters).
- :func:`autosave` is called at each step that matters: roles confirmed (the Data page's
  confirm button, ``ui.intake.load_sample``), model trained (:func:`trained_model`, which
  every page that uses a model asks), scenario saved (the What-if page). The first save
  of a file creates a workspace; later saves of the same file update it.
- :func:`sidebar` draws the workspace list: reopen, rename, duplicate, delete (with a
  confirmation step) and notes.

Storage is ``churn.workspace.WorkspaceStore`` (SQLite files in ``./workspaces/`` or
``$CHURNLENS_WORKSPACES``). ``CHURNLENS_WORKSPACES=off`` switches workspaces off.

Who sees which workspace (:func:`list_enabled`): on a shared server every visitor would
otherwise see, open, rename and delete everybody's workspaces, so the full list is shown
only when the server listens on the loopback address alone (Streamlit's
``server.address`` is ``127.0.0.1``, ``localhost`` or ``::1``: one person's machine) or
when the operator sets ``CHURNLENS_WORKSPACE_LIST=on``; ``CHURNLENS_WORKSPACE_LIST=off``
hides it everywhere. Without the full list a session lists only its own workspaces: the
ones it saved, duplicated or opened from a ``?ws=<id>`` link (the link works like a
password).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import os
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from churn.errors import ChurnDataError
from churn.model import TrainedModel
from churn.table import CustomerTable
from churn.workspace import (
    WorkspaceError,
    WorkspaceNotFound,
    WorkspaceStore,
    carry_series,
    is_valid_id,
)
from ui import cache, save_parts
from ui import cache_model as cm
from ui.errors import incident
from ui.i18n import error_message, fmt_date, fmt_int, lib_text, t
from ui.state import (
    MODEL,
    RESTORED_MODEL,
    SCENARIOS,
    WORKSPACE,
    Confirmed,
    Dataset,
    get_confirmed,
    get_dataset,
    keep_choice,
    set_confirmed,
    set_dataset,
)

log = logging.getLogger("churnlens")

PARAM = "ws"  # the URL query parameter
ENV_LIST = "CHURNLENS_WORKSPACE_LIST"
# Bookkeeping keys (no widget owns them).
_SAVED = "cl.ws_saved"  # what the current workspace holds: {"id", "hash", "model"}
_TRIED = "cl.ws_tried"  # the URL id already tried (a bad id is tried once)
_NOTICE = "cl.ws_notice"  # (kind, text) shown once in the sidebar
_NOTES = "cl.ws_notes"  # the current workspace's notes
_DELETE = "cl.ws_delete"  # id waiting for the delete confirmation
_MINE = "cl.ws_mine"  # ids this session saved, duplicated or opened (its own workspaces)
_ON, _OFF = {"on", "1", "true", "yes"}, {"off", "0", "false", "no"}


def store() -> WorkspaceStore | None:
    """The workspace store, or None when workspaces are switched off."""
    if os.environ.get("CHURNLENS_WORKSPACES", "").strip().lower() == "off":
        return None
    return WorkspaceStore()


def _loopback_only() -> bool:
    """True when Streamlit listens on a loopback address only (nobody else can connect).

    An unset or empty ``server.address`` means every interface: a shared server.
    """
    from streamlit import config

    address = str(config.get_option("server.address") or "").strip().strip("[]").lower()
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:  # empty (all interfaces) or a host name
        return False


def list_enabled() -> bool:
    """Whether the sidebar lists every workspace on the server (not only the session's own).

    ``CHURNLENS_WORKSPACE_LIST=off`` always hides it and ``=on`` shows it; otherwise it is
    shown only when the server listens on a loopback address alone.
    """
    setting = os.environ.get(ENV_LIST, "").strip().lower()
    if setting in _OFF:
        return False
    if setting in _ON:
        return True
    return _loopback_only()


def _mine() -> list[str]:
    return list(st.session_state.get(_MINE) or [])


def _own(ws_id: str | None) -> None:
    """Remember ``ws_id`` as one of this session's own workspaces."""
    if ws_id and ws_id not in (mine := _mine()):
        st.session_state[_MINE] = [*mine, ws_id]


def _disown(ws_id: str) -> None:
    st.session_state[_MINE] = [i for i in _mine() if i != ws_id]


def _allowed(ws_id: str | None) -> bool:
    """A list action may touch ``ws_id``: the full list is on, or it is the session's own."""
    return bool(ws_id) and (list_enabled() or ws_id in _mine())


def _notice(kind: str, text: str) -> None:
    st.session_state[_NOTICE] = (kind, text)


def _handle_settings(handle: dict | None) -> list | None:
    """A model handle as a JSON-comparable list (None when there is no model)."""
    if not handle:
        return None
    # a tuned model's settings are part of what identifies it (ui.cache_model.settings_of)
    params = [list(p) for p in cm.params_key(handle.get("params"))]
    return [handle["key"], handle["model"], list(handle["features"]), handle["split"], params]


# --------------------------------------------------------------------------- restore
def restore(ws_id: str, s: WorkspaceStore | None = None) -> bool:
    """Load workspace ``ws_id`` into the session; False (and a notice) when it cannot."""
    s = s or store()
    if s is None:
        return False
    try:
        ws = s.load(ws_id)
    except WorkspaceNotFound:
        _notice("warning", t("workspace.not_found"))
        return False
    except WorkspaceError as exc:
        # exc_info: the cause (a database or decoder error) is only in the log, never shown
        log.warning("Workspace %s could not be opened: %s", ws_id[:8], exc, exc_info=exc)
        _notice("error", t("workspace.damaged", message=error_message(exc)))
        return False
    ds = Dataset.from_bytes(
        ws.file_name, ws.data, sheet=ws.settings.get("dataset_sheet"), is_sample=ws.is_sample
    )
    if ws.settings.get("dataset_log_source"):  # a server log: its sample, and where it lives
        ds = dataclasses.replace(ds, log_source=ws.settings["dataset_log_source"])
    set_dataset(ds)
    conf = None
    if ws.roles is not None:
        conf = Confirmed(ds.content_hash, ws.sheet, ws.roles, ws.snapshot, ws.inactivity_days)
    set_confirmed(conf)
    st.session_state[MODEL] = None
    st.session_state[RESTORED_MODEL] = None
    handle = dict(ws.model_handle or {})
    if ws.model is not None and conf is not None and handle.get("key") == conf.key:
        handle["features"] = tuple(handle["features"])
        if handle.get("params"):  # JSON gives lists; the handle keeps hashable pairs
            handle["params"] = cm.params_key(handle["params"])
        st.session_state[MODEL] = handle
        st.session_state[RESTORED_MODEL] = (cm.settings_of(handle), ws.model)
        # The Model page's choices show what was trained (widgets without a default).
        st.session_state.setdefault("model.choice", handle["model"])
        st.session_state.setdefault("model.split", handle["split"])
    else:
        handle = {}
    st.session_state[SCENARIOS] = dict(ws.scenarios)
    st.session_state[WORKSPACE] = ws_id
    _own(ws_id)
    st.session_state[_NOTES] = ws.notes
    st.session_state[_SAVED] = {
        "id": ws_id,
        "hash": ds.content_hash,
        "model": _handle_settings(handle),
    }
    st.session_state.pop("ws.notes", None)
    text = t("workspace.restored", name=ws.name)
    if ws.problems:
        _notice("warning", text + " " + t("workspace.partly", problems=" ".join(ws.problems)))
    else:
        _notice("success", text)
    return True


def on_bootstrap() -> None:
    """Restore the URL's workspace into an empty session; keep the URL on the current one."""
    s = store()
    if s is None:
        return
    url_id = st.query_params.get(PARAM)
    if url_id and get_dataset() is None and st.session_state.get(_TRIED) != url_id:
        st.session_state[_TRIED] = url_id
        if not restore(url_id, s):
            st.query_params.pop(PARAM, None)  # a refresh should not repeat the message
            return
    current = st.session_state.get(WORKSPACE)
    if current and st.query_params.get(PARAM) != current:
        st.query_params[PARAM] = current


def link_params() -> dict[str, str] | None:
    """``query_params`` for ``st.page_link`` so links keep ``?ws=<id>`` (None: no workspace)."""
    current = st.session_state.get(WORKSPACE)
    return {PARAM: current} if current else None


# --------------------------------------------------------------------------- autosave
def _default_name(ds: Dataset) -> str:
    now = datetime.now(UTC)
    return t("workspace.default_name", file=ds.name, date=now.strftime("%Y-%m-%d %H:%M"))


def autosave(reason: str, *, model: Any = None, handle: dict | None = None) -> str | None:
    """Save the session's confirmed analysis to its workspace; returns the workspace id.

    ``reason`` is ``"roles"`` (roles confirmed), ``"model"`` (pass the trained ``model``
    and its ``handle``) or ``"scenario"`` (after ``ui.state.SCENARIOS`` changed). The
    first save of a file creates a workspace, later saves update it; the URL then
    carries ``?ws=<id>``. Does nothing without a confirmed dataset, and when a model is
    already saved under the same settings it is not written again; of the other parts only
    those that changed since this session's last save are written (none: no write). A failure never
    breaks the page: it is logged and shown as a short message.
    """
    s = store()
    ds, conf = get_dataset(), get_confirmed()
    if s is None or ds is None or conf is None:
        return None
    if handle is None:
        handle = st.session_state.get(MODEL)
    if not handle or handle.get("key") != conf.key:
        handle, model = None, None
    saved = st.session_state.get(_SAVED) or {}
    ws_id = st.session_state.get(WORKSPACE)
    same = bool(ws_id) and saved.get("id") == ws_id and saved.get("hash") == ds.content_hash
    want = _handle_settings(handle)
    if reason == "model" and same and want == saved.get("model"):
        return ws_id  # this model is already in the workspace
    parts: dict[str, Any] = {
        "roles": conf.roles,
        "snapshot": conf.snapshot,
        "inactivity_days": conf.inactivity_days,
        "settings": {
            "dataset_sheet": ds.sheet,
            "dataset_log_source": ds.log_source,
            "reason": reason,
        },
        "scenarios": st.session_state.get(SCENARIOS) or {},
    }
    try:
        table = cache.customer_table(ds, conf)
        parts.update(rows=table.rows_in, customers=table.n_customers)
    except Exception:  # noqa: BLE001 - counts are a nicety; the save must still happen
        pass
    digests, full = save_parts.digests(parts), dict(parts)
    if same:  # only the parts that changed since the last save of this session
        parts = save_parts.changed_only(parts, saved.get("parts") or {}, digests)
    stored = saved.get("model") if same else None
    if want != stored:
        if want is None:
            parts["model"] = None
            stored = None
        elif model is not None:
            parts.update(model=model, model_handle=handle)
            stored = want
        # else: the model is saved when trained_model next hands it out
    try:
        if same and not parts:
            return ws_id  # nothing changed since the last save: no write
        if same and s.exists(ws_id):
            if "settings" in parts:
                # the series of snapshots in its settings stays (churn.workspace.snapshots)
                parts["settings"] = carry_series(s, ws_id, parts["settings"])
            s.save(ws_id, **parts)
        else:
            parts = {**full, **parts}  # a new workspace gets every part
            parts.setdefault("model", None)
            if parts["model"] is None:
                parts.pop("model_handle", None)
            ws_id = s.create(
                _default_name(ds),
                file_name=ds.name,
                data=ds.data,
                sheet=conf.sheet,
                is_sample=ds.is_sample,
                notes=st.session_state.get(_NOTES, ""),
                **parts,
            )
            stored = want if parts["model"] is not None else None
    except ChurnDataError as exc:
        log.warning("Autosave (%s) failed: %s", reason, exc)
        _notice("warning", t("workspace.save_failed", message=error_message(exc)))
        return None
    except OSError as exc:  # its text names server paths: log it, show a reference
        ref = incident(f"autosave ({reason})", exc)
        _notice("warning", t("workspace.save_failed", message=t("safety.incident_short", ref=ref)))
        return None
    st.session_state[WORKSPACE] = ws_id
    _own(ws_id)
    st.session_state[_SAVED] = {
        "id": ws_id,
        "hash": ds.content_hash,
        "model": stored,
        "parts": digests,
    }
    st.session_state[_TRIED] = ws_id
    st.query_params[PARAM] = ws_id
    return ws_id


# --------------------------------------------------------------------------- the model
def trained_model(handle: dict, table: CustomerTable) -> TrainedModel:
    """The fitted model for ``handle`` (``ui.cache_model``: trained once per dataset key
    and settings), saved to the workspace the first time it is handed out.

    A model read back from the saved workspace is used as it is when its settings match,
    instead of training again (it is in the workspace already).
    """
    restored = cm.restored_model(handle)
    if restored is not None:
        return restored
    tm = cm.train(handle, table)
    autosave("model", model=tm, handle=handle)  # no-op once this model is saved
    return tm


def current_model(ds: Dataset | None, conf: Confirmed | None) -> TrainedModel | None:
    """The model the user trained on the Model page for this dataset, or None.

    For other pages (Explanations, What-if, Report, Churn over time): the same cached
    object, never a retrain unless the cache expired.
    """
    handle = st.session_state.get(MODEL)
    if not handle or ds is None or conf is None or handle.get("key") != conf.key:
        return None
    return trained_model(handle, cache.customer_table(ds, conf))


# --------------------------------------------------------------------------- the list
def _forget_current() -> None:
    for key in (WORKSPACE, _SAVED, _NOTES):
        st.session_state.pop(key, None)
    st.query_params.pop(PARAM, None)


def _on_open() -> None:
    ws_id = st.session_state.get("ws.pick")
    s = store()
    if s is not None and _allowed(ws_id) and restore(ws_id, s):
        st.query_params[PARAM] = ws_id
        st.session_state[_TRIED] = ws_id


def _on_duplicate(name: str) -> None:
    s, ws_id = store(), st.session_state.get("ws.pick")
    if s is None or not _allowed(ws_id):
        return
    try:
        new = s.duplicate(ws_id, t("workspace.copy_name", name=name))
    except ChurnDataError as exc:
        _notice("error", t("workspace.action_failed", message=error_message(exc)))
        return
    _own(new)
    st.session_state["ws.pick"] = new
    _notice("success", t("workspace.duplicated", name=name))


def _on_rename() -> None:
    s, ws_id = store(), st.session_state.get("ws.pick")
    name = st.session_state.get("ws.new_name", "")
    if s is None or not _allowed(ws_id):
        return
    try:
        s.rename(ws_id, name)
    except ChurnDataError as exc:
        _notice("error", t("workspace.action_failed", message=error_message(exc)))
        return
    st.session_state["ws.new_name"] = ""
    _notice("success", t("workspace.renamed", name=" ".join(name.split())))


def _on_delete_confirmed(ws_id: str) -> None:
    s = store()
    st.session_state.pop(_DELETE, None)
    if s is None or not _allowed(ws_id):
        return
    try:
        s.delete(ws_id)
    except ChurnDataError as exc:
        _notice("error", t("workspace.action_failed", message=error_message(exc)))
        return
    _disown(ws_id)
    if st.session_state.get(WORKSPACE) == ws_id:
        _forget_current()
    st.session_state.pop("ws.pick", None)
    _notice("success", t("workspace.deleted"))


def _on_save_notes() -> None:
    s, ws_id = store(), st.session_state.get(WORKSPACE)
    text = st.session_state.get("ws.notes", "")
    if s is None or not ws_id:
        return
    try:
        s.save(ws_id, notes=text)
    except ChurnDataError as exc:
        _notice("error", t("workspace.action_failed", message=error_message(exc)))
        return
    st.session_state[_NOTES] = text
    _notice("success", t("workspace.notes_saved"))


def _label(info) -> str:
    if not info.ok:
        return t("workspace.item_damaged", name=info.name)
    return t(
        "workspace.item",
        name=info.name,
        date=fmt_date(info.updated),
        rows=fmt_int(info.customers if info.customers is not None else info.rows),
    )


def sidebar() -> None:
    """The workspace box in the sidebar: status, notices, and the list with its actions."""
    s = store()
    if s is None:
        return
    notice = st.session_state.pop(_NOTICE, None)
    if notice is not None:
        kind, text = notice
        getattr(st.sidebar, kind)(text)
    current = st.session_state.get(WORKSPACE)
    with st.sidebar.expander(t("workspace.title"), icon=":material/folder_open:"):
        if current:
            st.caption(t("workspace.current_saved"))
        else:
            st.caption(t("workspace.current_none"))
        if current:
            if "ws.notes" not in st.session_state:
                st.session_state["ws.notes"] = st.session_state.get(_NOTES, "")
            st.text_area(
                t("workspace.notes"),
                key="ws.notes",
                height=80,
                placeholder=t("workspace.notes_placeholder"),
            )
            st.button(t("workspace.save_notes"), key="ws.save_notes", on_click=_on_save_notes)
        full = list_enabled()
        if not full:
            st.caption(t("workspace.list_off"))
        _list_widget(s, current, full)


def _own_infos(s: WorkspaceStore) -> list:
    """The list lines of this session's own workspaces (deleted ones are forgotten)."""
    infos = []
    for ws_id in _mine():
        try:
            infos.append(s.info(ws_id))
        except WorkspaceNotFound:
            _disown(ws_id)
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(infos, key=lambda i: (i.updated or epoch, i.id), reverse=True)


def _list_widget(s: WorkspaceStore, current: str | None, full: bool) -> None:
    try:
        infos = s.list() if full else _own_infos(s)
    except OSError as exc:  # its text names server paths: log it, show a reference
        ref = incident("workspace list", exc)
        st.warning(t("workspace.action_failed", message=t("safety.incident_short", ref=ref)))
        return
    if not infos:
        st.caption(t("workspace.empty"))
        return
    by_id = {i.id: i for i in infos}
    if st.session_state.get("ws.pick") not in by_id:
        st.session_state["ws.pick"] = current if current in by_id else infos[0].id
    labels = {
        i.id: _label(i) + (t("workspace.is_current") if i.id == current else "") for i in infos
    }
    # A radio, not a selectbox: the sidebar's only selectbox stays the language picker.
    pick = st.radio(
        t("workspace.pick"), list(by_id), format_func=labels.get, key=keep_choice("ws.pick")
    )
    info = by_id[pick]
    if not info.ok:
        st.warning(t("workspace.damaged", message=lib_text(info.problem or "")))
    c1, c2 = st.columns(2)
    c1.button(
        t("workspace.open"),
        key="ws.open",
        on_click=_on_open,
        disabled=pick == current or not info.ok,
        width="stretch",
    )
    c2.button(
        t("workspace.duplicate"),
        key="ws.duplicate",
        on_click=_on_duplicate,
        args=(info.name,),
        disabled=not info.ok,
        width="stretch",
        help=t("workspace.duplicate_help"),
    )
    st.text_input(t("workspace.new_name"), key="ws.new_name", max_chars=120)
    st.button(
        t("workspace.rename"),
        key="ws.rename",
        on_click=_on_rename,
        disabled=not info.ok or not st.session_state.get("ws.new_name", "").strip(),
    )
    if st.session_state.get(_DELETE) != pick:
        st.button(
            t("workspace.delete"),
            key="ws.delete",
            icon=":material/delete:",
            on_click=lambda: st.session_state.__setitem__(_DELETE, pick),
        )
        return
    st.warning(t("workspace.delete_confirm", name=info.name))
    d1, d2 = st.columns(2)
    d1.button(
        t("workspace.delete_yes"),
        key="ws.delete_yes",
        type="primary",
        on_click=_on_delete_confirmed,
        args=(pick,),
    )
    d2.button(
        t("workspace.delete_no"),
        key="ws.delete_no",
        on_click=lambda: st.session_state.pop(_DELETE, None),
    )


__all__ = [
    "PARAM",
    "autosave",
    "current_model",
    "is_valid_id",
    "link_params",
    "list_enabled",
    "on_bootstrap",
    "restore",
    "sidebar",
    "store",
    "trained_model",
]
