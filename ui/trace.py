"""The server's own clock on each page run, for the load bench (off unless asked for).

In a workshop bench the browsers share the machine with the server, so the wait a browser
sees mixes the server's answer time with the browser's own drawing (bench/RESULTS.md:
thirty Chromiums used ten times the server's CPU). With ``CHURNLENS_TRACE`` naming a
file, the server appends one JSON line per event to it:

- ``{"event": "request", "session": id, "t": time}``: a rerun request reached the server
  (a click, an upload, a page change);
- ``{"event": "done", "session": id, "t": time}``: a script run (or a fragment's run) of
  that session ended and its last message was queued for the browser;
- ``{"event": "job", "session": id, "t": time, "kind": ..., "led": ..., "asked": ...,
  "started": ...}``: a heavy job (:func:`ui.jobs.once`) answered that session, after it
  ran it (``led``) or waited for another session's run of it;
- ``{"event": "tag", "session": id, "participant": text}``: the session's first page was
  opened with ``?participant=<text>`` in its URL (the bench's name for that browser).

``bench/load_room.py`` reads the file: a step's server time runs from its first request to
its last ``done`` inside the step. Nothing is written without the variable; the app's
behaviour does not change with it. Streamlit has no public hook for either moment, so
:func:`install` wraps two methods of ``AppSession`` (recheck on upgrades: the bench's test
fails when they move).
"""

from __future__ import annotations

import json
import os
import threading
import time
from typing import Any

import streamlit as st
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner.script_runner import ScriptRunnerEvent

#: Environment variable: the file the trace is appended to (unset: no trace).
ENV_TRACE = "CHURNLENS_TRACE"
#: The URL parameter that names a browser session in the trace.
PARAM = "participant"

_DONE_EVENTS = frozenset(
    {ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS, ScriptRunnerEvent.FRAGMENT_STOPPED_WITH_SUCCESS}
)
_LOCK = threading.Lock()
_TAGGED: set[str] = set()
_ORIGINAL: dict[str, Any] = {}


def path() -> str | None:
    """The trace file, or None when tracing is off."""
    return os.environ.get(ENV_TRACE) or None


def write(event: str, session: str, **extra: Any) -> None:
    """Append one event line (a no-op without ``CHURNLENS_TRACE``)."""
    target = path()
    if target is None:
        return
    line = json.dumps({"event": event, "session": session, "t": time.time(), **extra})
    with _LOCK, open(target, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def job(session: str, kind: str, *, led: bool, asked: float, started: float | None) -> None:
    """A heavy job's span (``ui.jobs.once``, not a cache hit): ``kind`` (its key's first
    part: "train", "drivers", ...), ``led`` (this session ran it; otherwise it waited for
    another's run), ``asked`` / ``started`` / ``t`` (asked for, its queue slot taken,
    answered)."""
    write("job", session, kind=kind, led=led, asked=asked, started=started)


def _handle_backmsg(self: AppSession, msg: Any) -> None:
    if msg.WhichOneof("type") == "rerun_script":
        write("request", self.id)
    _ORIGINAL["handle_backmsg"](self, msg)


def _on_scriptrunner_event(self: AppSession, sender: Any, event: Any, *args, **kwargs) -> None:
    _ORIGINAL["_on_scriptrunner_event"](self, sender, event, *args, **kwargs)
    if event in _DONE_EVENTS:
        write("done", self.id)


def install() -> bool:
    """Wrap the two ``AppSession`` methods once, when tracing is on; True when on."""
    if path() is None:
        return False
    with _LOCK:
        if not _ORIGINAL:
            _ORIGINAL["handle_backmsg"] = AppSession.handle_backmsg
            _ORIGINAL["_on_scriptrunner_event"] = AppSession._on_scriptrunner_event
            AppSession.handle_backmsg = _handle_backmsg  # type: ignore[method-assign]
            AppSession._on_scriptrunner_event = _on_scriptrunner_event  # type: ignore[method-assign]
    return True


def uninstall() -> None:
    """Give ``AppSession`` its own methods back (tests)."""
    with _LOCK:
        for name, method in _ORIGINAL.items():
            setattr(AppSession, name, method)
        _ORIGINAL.clear()
        _TAGGED.clear()


def on_bootstrap() -> None:
    """Every page's first step (``ui/shell.py``): install the trace and name this session
    once, from ``?participant=`` in the URL. Does nothing when tracing is off."""
    if not install():
        return
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or ctx.session_id in _TAGGED:
        return
    _TAGGED.add(ctx.session_id)
    write("tag", ctx.session_id, participant=st.query_params.get(PARAM, ""))
