"""Issue 25: identical work done once across sessions, a bounded job queue with places.

``churn.contain.SingleFlight`` and ``churn.contain.JobQueue`` on their own, then the real
cached path of the app (``ui.cache`` / ``ui.cache_model`` through ``ui.jobs``): two
sessions (threads) on the same bytes read once and train once, and get one model object.
"""

from __future__ import annotations

import threading
import time

import pytest

from churn.contain import JobCancelled, JobQueue, SingleFlight


def _together(n: int, fn):
    """Run ``fn(i)`` in ``n`` threads released at the same moment; their results/errors."""
    gate = threading.Barrier(n)
    out: list = [None] * n

    def run(i: int) -> None:
        gate.wait()
        try:
            out[i] = fn(i)
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    return out


# --------------------------------------------------------------------------- single flight
def test_concurrent_calls_for_one_key_compute_once_and_share_the_object():
    flight, calls = SingleFlight(), []

    def work():
        calls.append(1)
        time.sleep(0.3)
        return object()

    got = _together(4, lambda i: flight.do("k", work, poll=0.05))
    assert len(calls) == 1
    assert all(g is got[0] for g in got)
    assert flight.running() == 0
    # later calls (after the one result) compute again: the cache behind keeps results
    flight.do("k", work)
    assert len(calls) == 2


def test_other_keys_do_not_wait_and_errors_reach_every_waiter():
    flight = SingleFlight()

    def fail():
        time.sleep(0.2)
        raise ValueError("bad bytes")

    got = _together(3, lambda i: flight.do("bad", fail, poll=0.05) if i < 2 else flight.do(i, int))
    assert [type(g) for g in got[:2]] == [ValueError, ValueError]
    assert got[2] == 0
    assert flight.runs == 2  # "bad" once, key 2 once


class Left(BaseException):
    """Like Streamlit's StopException: the leader's session ended."""


def test_a_leader_that_leaves_hands_the_work_to_a_waiter():
    flight, calls = SingleFlight(), []

    def work(i):
        calls.append(i)
        time.sleep(0.2)
        if i == 0:
            raise Left()
        return f"done by {i}"

    first = threading.Thread(target=lambda: _swallow(lambda: flight.do("k", lambda: work(0))))
    first.start()
    time.sleep(0.05)  # thread 0 leads
    assert flight.do("k", lambda: work(1), poll=0.02) == "done by 1"
    first.join()
    assert calls == [0, 1]


def _swallow(fn):
    try:
        fn()
    except Left:
        pass


# --------------------------------------------------------------------------- job queue
def test_queue_runs_at_most_its_slots_and_reports_places():
    queue = JobQueue(1)
    places: dict[int, list[int]] = {1: [], 2: []}
    order: list[int] = []
    release = threading.Event()

    def job(i):
        if i:
            time.sleep(0.05 * i)  # join in order 0, 1, 2
        with queue.slot(f"s{i}", i, on_wait=places.get(i, []).append, poll=0.02):
            order.append(i)
            if i == 0:
                release.wait(5)
                time.sleep(0.05)

    threads = [threading.Thread(target=job, args=(i,)) for i in range(3)]
    for th in threads:
        th.start()
    time.sleep(0.4)
    assert queue.running() == 1 and queue.queued() == 2
    release.set()
    for th in threads:
        th.join(10)
    assert order == [0, 1, 2]
    assert places[1][0] == 1  # the running job ahead of it
    assert places[2][0] == 2  # the running one and job 1
    assert queue.counts == {"started": 3, "finished": 3, "failed": 0, "left": 0}


def test_a_crash_or_a_cancel_costs_only_that_job():
    queue = JobQueue(1)
    go, bye = threading.Event(), threading.Event()
    done: list[str] = []

    def job(name):
        with queue.slot(name, name, poll=0.02):
            go.wait(5)
            if name == "crash":
                raise RuntimeError("worker died")
            done.append(name)

    def left(name):  # a participant who closes the tab while queued
        def on_wait(ahead):
            if bye.is_set():
                raise Left()

        with queue.slot(name, name, on_wait=on_wait, poll=0.02):
            done.append(name)

    runs = [
        threading.Thread(target=_swallow_all, args=(job, "crash")),
        threading.Thread(target=_swallow_all, args=(left, "leaves")),
        threading.Thread(target=_swallow_all, args=(job, "cancelled")),
        threading.Thread(target=_swallow_all, args=(job, "ok")),
    ]
    for th in runs:
        th.start()
        time.sleep(0.05)
    assert queue.cancel("cancelled") == 1  # its session ended: its place is given up
    bye.set()
    time.sleep(0.2)  # "leaves" notices on its next poll
    assert queue.queued() == 1  # only "ok" waits
    go.set()
    for th in runs:
        th.join(10)
    assert done == ["ok"]
    assert queue.counts == {"started": 2, "finished": 1, "failed": 1, "left": 2}
    assert queue.running() == 0 and queue.queued() == 0
    assert isinstance(ERRORS["cancelled"], JobCancelled)
    assert isinstance(ERRORS["crash"], RuntimeError)


ERRORS: dict[str, BaseException] = {}


def _swallow_all(fn, name):
    try:
        fn(name)
    except BaseException as exc:  # noqa: BLE001
        ERRORS[name] = exc


def test_a_rerun_keeps_the_place_and_a_job_inside_a_job_needs_no_second_slot():
    queue = JobQueue(1, grace=5)
    hold = threading.Event()
    t0 = threading.Thread(target=lambda: _run_in(queue, "a", hold))
    t0.start()
    time.sleep(0.1)
    seen: list[int] = []

    def first_wait(ahead):
        seen.append(ahead)
        raise Left()  # a rerun: the place is kept

    with pytest.raises(Left):
        with queue.slot("b", "k", on_wait=first_wait, keep_place=lambda e: True, poll=0.02):
            pass
    order: list[str] = []
    later = threading.Thread(target=lambda: _run_in(queue, "c", hold, order=order))
    later.start()  # joins behind b's kept place
    time.sleep(0.1)
    hold.set()
    with queue.slot("b", "k", poll=0.02) as ticket:  # back: the same place, before "c"
        order.append("b")
        assert ticket.ran  # it waited, then ran
        with queue.slot("b", "inner"):  # nested: runs in b's slot
            order.append("inner")
    later.join(5)
    t0.join(5)
    assert seen == [1] and order == ["b", "inner", "c"]
    assert queue.counts["left"] == 0 and queue.counts["finished"] == 3  # a, b, c


def _run_in(queue, owner, hold, order=None):
    with queue.slot(owner, owner, poll=0.02):
        if order is not None:
            order.append(owner)
        hold.wait(5)


# --------------------------------------------------------------------------- the app's path
class FakeModel:
    """What the patched trainer returns: one object per training, compared by identity."""

    def __init__(self, features):
        self.features = list(features)


@pytest.fixture
def confirmed_sample():
    """A small generated file (its own seed: a fresh cache key), read and confirmed."""
    from churn.roles import infer_roles
    from churn.sample import generate_subscriptions
    from ui.state import Confirmed, Dataset

    seed = int(time.time() * 1000) % 100_000
    data = generate_subscriptions(400, seed=seed).to_csv(index=False).encode()
    ds = Dataset.from_bytes(f"room-{seed}.csv", data)
    from churn.io import read_table

    roles = infer_roles(read_table(data, name=ds.name).frame)
    return ds, Confirmed(ds.content_hash, None, roles)


def test_two_sessions_on_the_same_bytes_read_once_and_train_once(confirmed_sample, monkeypatch):
    import churn.contain
    import churn.model
    from ui import cache, jobs
    from ui import cache_model as cm

    ds, conf = confirmed_sample
    reads, trains = [], []
    real_read = churn.contain.read_contained

    def counted_read(*a, **k):
        reads.append(1)
        return real_read(*a, **k)

    def counted_train(table, *, model, features, split, **_):
        trains.append((model, tuple(features), split.kind))
        time.sleep(0.3)  # both sessions are surely inside at once
        return FakeModel(features)  # churn.model.train itself is tested in test_model.py

    monkeypatch.setattr(churn.contain, "read_contained", counted_read)
    monkeypatch.setattr(churn.model, "train", counted_train)
    # training in this process, so the counting stand-in above is what runs (training in
    # a worker process is tested in tests/test_contain_train.py)
    monkeypatch.setenv("CHURNLENS_CONTAIN", "off")

    def session(i):
        frame = cache.read_dataset(ds).frame
        table = cache.customer_table(ds, conf)
        handle = cm.make_handle(conf, "logistic", tuple(table.features), "auto")
        return frame, cm.train(handle, table)

    got = _together(2, session)
    assert not [g for g in got if isinstance(g, BaseException)], got
    assert len(reads) == 1 and len(trains) == 1
    assert trains[0][:2] == ("logistic", tuple(cache.customer_table(ds, conf).features))
    (frame_a, model_a), (frame_b, model_b) = got
    assert model_a is model_b  # one shared, read-only model object
    assert frame_a is not frame_b and frame_a.equals(frame_b)  # shallow copies of one read
    # a third session later: a cache hit, no queue, no training
    table = cache.customer_table(ds, conf)
    handle = cm.make_handle(conf, "logistic", tuple(table.features), "auto")
    assert jobs.QUEUE.running() == 0
    assert cm.train(handle, table) is model_a
    assert len(trains) == 1


def test_a_queued_participant_sees_the_jobs_ahead_of_theirs(monkeypatch):
    """AppTest: with the one slot busy, the page shows "1 job ahead of yours" while it
    waits, then runs the job (the line is kept here to be read: it is normally removed)."""
    from streamlit.testing.v1 import AppTest

    from ui import jobs

    monkeypatch.setattr(jobs, "QUEUE", JobQueue(1))
    monkeypatch.setattr(jobs._Place, "clear", lambda self: None)
    release = threading.Event()
    busy = threading.Thread(target=lambda: _run_in(jobs.QUEUE, "other", release))
    busy.start()

    def release_when_queued():  # the page's job has waited (and drawn) for a while
        deadline = time.monotonic() + 20
        while jobs.QUEUE.queued() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.6)
        release.set()

    threading.Thread(target=release_when_queued).start()

    def page():
        import streamlit as st

        from ui import jobs

        st.write(jobs.once(("page-test", 1), lambda: "trained"))

    at = AppTest.from_function(page, default_timeout=30).run()
    busy.join(5)
    assert not at.exception
    assert [i.value for i in at.info] == [
        "Your request is queued: 1 job ahead of yours. This page will go on by itself."
    ]
    assert at.markdown[-1].value == "trained"
    assert jobs.QUEUE.counts["finished"] == 2


def test_the_shared_model_is_serialised_once_for_every_workspace(monkeypatch):
    """A room autosaves one shared model into N workspaces: skops runs once per model."""
    import pandas as pd

    from churn.workspace import blobs

    made = []
    monkeypatch.setattr(blobs, "model_bytes", lambda m: made.append(m) or b"skops-bytes")

    class Model:
        predictions = pd.DataFrame({"churned": [0.0, 1.0], "score": [0.25, 0.75]})

    shared, other = Model(), Model()
    first = blobs.model_columns(shared, {"model": "lightgbm"})
    again = blobs.model_columns(shared, {"model": "lightgbm", "by": "another session"})
    assert made == [shared]
    assert again["model"] == first["model"] == b"skops-bytes"
    assert again["model_scores"] == first["model_scores"]
    assert '"by": "another session"' in again["model_handle"]  # the handle is not cached
    blobs.model_columns(other, None)
    assert made == [shared, other]
