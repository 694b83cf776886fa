"""ui/trace.py: the server's clock for the load bench, off unless CHURNLENS_TRACE is set."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner.script_runner import ScriptRunnerEvent

from ui import trace


@pytest.fixture
def traced(tmp_path, monkeypatch):
    out = tmp_path / "trace.jsonl"
    monkeypatch.setenv(trace.ENV_TRACE, str(out))
    yield out
    trace.uninstall()


def _lines(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_off_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(trace.ENV_TRACE, raising=False)
    own = AppSession.handle_backmsg
    assert trace.install() is False
    trace.write("request", "s1")
    assert AppSession.handle_backmsg is own
    assert list(tmp_path.iterdir()) == []


def test_requests_and_ends_of_runs_are_written(traced):
    own_msg, own_event = AppSession.handle_backmsg, AppSession._on_scriptrunner_event
    assert trace.install() is True and trace.install() is True  # once
    assert AppSession.handle_backmsg is not own_msg
    seen = []
    real = dict(trace._ORIGINAL)
    trace._ORIGINAL["handle_backmsg"] = lambda self, msg: seen.append(msg.WhichOneof("type"))
    trace._ORIGINAL["_on_scriptrunner_event"] = lambda self, sender, event, **kw: seen.append(event)
    session = SimpleNamespace(id="abc")
    rerun, beat = BackMsg(), BackMsg()
    rerun.rerun_script.query_string = "participant=3"
    beat.app_heartbeat = True
    AppSession.handle_backmsg(session, rerun)
    AppSession.handle_backmsg(session, beat)  # not a run: not written
    AppSession._on_scriptrunner_event(session, None, ScriptRunnerEvent.SCRIPT_STARTED)
    AppSession._on_scriptrunner_event(
        session, None, ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS, forward_msg=None
    )
    # the app's own handling still ran for every message and event
    assert seen == [
        "rerun_script",
        "app_heartbeat",
        ScriptRunnerEvent.SCRIPT_STARTED,
        ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS,
    ]
    lines = _lines(traced)
    assert [(x["event"], x["session"]) for x in lines] == [("request", "abc"), ("done", "abc")]
    assert lines[0]["t"] <= lines[1]["t"]
    trace._ORIGINAL.update(real)
    trace.uninstall()
    assert AppSession.handle_backmsg is own_msg
    assert AppSession._on_scriptrunner_event is own_event


def test_a_heavy_job_is_written_led_or_shared(traced):
    """ui.jobs.once writes one "job" line per call that was not a cache hit: the session
    that ran it (led, with the moment its queue slot was taken) and one that waited."""
    import threading

    from ui import jobs

    key = ("bench-trace-job", object())
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(5)
        return 42

    out = []
    leader = threading.Thread(target=lambda: out.append(jobs.once(key, slow)))
    leader.start()
    assert started.wait(5)
    follower = threading.Thread(target=lambda: out.append(jobs.once(key, lambda: 42)))
    follower.start()
    while jobs.FLIGHTS.waiting(key) == 0:
        threading.Event().wait(0.01)
    release.set()
    leader.join(5)
    follower.join(5)
    assert out == [42, 42]
    jobs.once(key, lambda: 42)  # done once: a cache hit, not written
    lines = [x for x in _lines(traced) if x["event"] == "job"]
    assert sorted(x["led"] for x in lines) == [False, True]
    assert {x["kind"] for x in lines} == {"bench-trace-job"}
    led = next(x for x in lines if x["led"])
    shared = next(x for x in lines if not x["led"])
    assert led["asked"] <= led["started"] <= led["t"]
    assert shared["started"] is None and shared["asked"] <= shared["t"]
    jobs.forget(key)
