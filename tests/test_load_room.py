"""bench/load_room.py (issue 25): its summary, percentiles and profile reading, by hand.

The browser run itself is the bench (minutes of Chromium); these are its pure parts.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def room():
    spec = importlib.util.spec_from_file_location("churn_load_room", ROOT / "bench/load_room.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_p95_and_summary_by_hand(room):
    assert room.p95([3.0, 1.0, 2.0]) == 3.0
    assert room.p95([float(i) for i in range(1, 21)]) == 19.0  # index round(0.95 * 19) = 18
    a, b = room.Participant(0), room.Participant(1)
    a.waits = {"upload": 2.0, "train": 10.0}
    b.waits = {"upload": 4.0, "train": 30.0}
    a.model_shown = a.finished = True
    b.errors = ["train: exception box: boom"]
    b.queue_seen = 3
    s = room.summary({"people": [a, b]})
    assert s["steps"] == {"upload": (3.0, 4.0, 2), "train": (20.0, 30.0, 2)}
    assert (s["median"], s["p95"]) == (7.0, 30.0)
    assert (s["errors"], s["finished"], s["models"], s["queue_seen"]) == (1, 1, 1, 1)


def test_profile_counts_busy_samples_only(room, tmp_path):
    raw = tmp_path / "profile.txt"
    raw.write_text(
        "run (threading.py:1);render (ui/pages/model.py:10);fit (lightgbm/basic.py:5) 30\n"
        "run (threading.py:1);render (ui/pages/model.py:10);save (churn/workspace/store.py:9) 10\n"
        "run (threading.py:1);Condition.wait (threading.py:320) 500\n"
        "_bootstrap (threading.py:1);PollingPathWatcher._schedule.<locals>.task (w.py:3) 200\n"
    )
    prof = room.profile_top(raw)
    assert prof["busy samples"] == [("", 40.0)]
    assert prof["project functions (inclusive)"] == [
        ("render (ui/pages/model.py)", 1.0),
        ("save (churn/workspace/store.py)", 0.25),
    ]
    assert prof["innermost functions (self)"] == [
        ("fit (lightgbm/basic.py)", 0.75),
        ("save (churn/workspace/store.py)", 0.25),
    ]
    assert room.profile_top(tmp_path / "missing.txt") == {}


def test_cpu_of_a_process_tree_counts_its_children(room):
    """tree_cpu: this process's CPU seconds, growing with work done here and in a child
    that was waited for (its cutime)."""
    import subprocess

    before = room.tree_cpu(os.getpid())
    t0 = time.process_time()
    while time.process_time() - t0 < 0.3:
        pass
    subprocess.run([sys.executable, "-c", "sum(range(30_000_000))"], check=True)
    after = room.tree_cpu(os.getpid())
    assert after - before >= 0.5  # 0.3 s here and the child's loop (about 0.5 s or more)
    cpu = room.machine_cpu()
    assert set(cpu) == {"normal", "nice", "system", "idle"} and cpu["normal"] > 0


def test_cpu_line_says_where_the_time_went(room):
    res = {
        "cores": 2,
        "wall": 100.0,
        "cpu_server": 30.0,
        "cpu_machine": {"normal": 40.0, "nice": 120.0, "system": 20.0, "idle": 20.0},
    }
    assert room.cpu_line(res) == (
        "CPU during the walk (2 cores x 100 s = 200 s): the server and its workers 30 s; "
        "at nice 19 (the browsers) 120 s; other user time 10 s; system 20 s; idle 20 s."
    )


def test_server_waits_from_the_trace_by_hand(room, tmp_path):
    a, b = room.Participant(0), room.Participant(1)
    a.windows = {"upload": (100.0, 110.0), "train": (110.0, 130.0), "Report": (130.0, 131.0)}
    b.windows = {"upload": (101.0, 115.0)}
    events = [
        {"event": "tag", "session": "A", "participant": "0"},
        {"event": "tag", "session": "B", "participant": "1"},
        {"event": "request", "session": "A", "t": 100.5},
        {"event": "done", "session": "A", "t": 103.0},
        {"event": "done", "session": "A", "t": 104.0},  # an st.rerun after the first run
        {"event": "request", "session": "B", "t": 102.0},
        {"event": "done", "session": "B", "t": 112.0},
        {"event": "done", "session": "A", "t": 121.0},  # train: its request before the trace
        {"event": "request", "session": "A", "t": 130.2},  # Report: no run ended inside
    ]
    path = tmp_path / "trace.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in events) + '\n{"torn', encoding="utf-8")
    room.server_waits(room.read_trace(path), [a, b])
    assert a.server == {"upload": 3.5, "train": 11.0}
    assert b.server == {"upload": 10.0}
    a.waits, b.waits = {"upload": 9.0, "train": 20.0, "Report": 1.0}, {"upload": 14.0}
    s = room.summary({"people": [a, b]})
    assert s["server_steps"] == {"upload": (6.75, 10.0, 2), "train": (11.0, 11.0, 1)}
    assert (s["server_median"], s["server_p95"]) == (10.0, 11.0)


def test_job_table_from_the_trace_by_hand(room):
    events = [
        {"event": "request", "session": "A", "t": 1.0},
        {"event": "job", "session": "A", "kind": "train", "led": True, "asked": 10.0,
         "started": 11.0, "t": 15.0},
        {"event": "job", "session": "B", "kind": "train", "led": False, "asked": 12.0,
         "started": None, "t": 15.5},
        {"event": "job", "session": "C", "kind": "train", "led": False, "asked": 13.0,
         "started": None, "t": 15.5},
        {"event": "job", "session": "A", "kind": "read", "led": True, "asked": 1.0,
         "started": 1.0, "t": 1.5},
        {"event": "job", "session": "B", "kind": "read", "led": True, "asked": 2.0,
         "started": 2.5, "t": 3.5},
    ]  # fmt: skip
    jobs = room.job_table(events)
    assert list(jobs) == ["train", "read"]  # the most run time first
    assert jobs["train"] == {
        "runs": 1, "run": 4.0, "run_total": 4.0, "queue": 1.0, "shared": 2, "wait": 3.0
    }  # fmt: skip
    assert jobs["read"]["runs"] == 2 and jobs["read"]["run"] == 0.75
    assert jobs["read"]["run_total"] == 1.5 and jobs["read"]["queue"] == 0.25
    assert jobs["read"]["shared"] == 0


def test_the_server_tree_is_found_and_put_first(room):
    """process_tree finds a child; realtime() puts a thread in SCHED_RR 1 (as root) and
    says False for a process that is gone."""
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in room.process_tree(os.getpid())
        assert room.process_tree(os.getpid())[0] == os.getpid()
        if os.geteuid() == 0:
            assert room.realtime(child.pid) is True
            assert os.sched_getscheduler(child.pid) == os.SCHED_RR
            assert os.sched_getparam(child.pid).sched_priority == 1
    finally:
        child.kill()
        child.wait()
    assert room.realtime(child.pid) is False
