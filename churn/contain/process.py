"""The caller's handle on one worker process: started, watched, heard, ended.

:class:`Worker` forks the worker (directly from a single-threaded caller, else through
the fork server), starts its :class:`~churn.contain.watchdog.Watchdog` and turns its
answers into results or errors: the reader's own :class:`~churn.errors.ChurnDataError`,
:class:`ReaderError` for a bug, :class:`Stopped` when it crashed or was killed.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

from churn.contain.scratch import log_tail
from churn.contain.server import SERVER
from churn.contain.transport import receive_answer
from churn.contain.watchdog import Run, Watchdog, exited
from churn.contain.worker import child
from churn.errors import ChurnDataError

log = logging.getLogger("churnlens.contain")


def log_stopped(what: str, stop: Stopped, cap: int, log_path: str) -> None:
    """Write to the ``churnlens.contain`` log how a worker ended without an answer: why,
    its exit status, time, peak resident memory and cap, and the two ends of its output."""
    log.warning(
        "%s was stopped (%s): exit status %s, %.1f s, peak resident memory %s bytes, "
        "cap %s bytes. Worker output:\n%s",
        what, stop.reason, stop.run.status, stop.run.seconds, stop.run.peak, cap,
        log_tail(log_path) or "(none)",
    )  # fmt: skip


class ReaderError(RuntimeError):
    """An unexpected exception in the worker (a bug, not the user's data)."""


class Stopped(Exception):
    """The worker ended without an answer: crashed, or killed by the watchdog."""

    def __init__(self, reason: str, run: Run):
        super().__init__(reason)
        self.reason, self.run = reason, run


def choose_method(method: str | None) -> str:
    """``fork`` from a single-threaded caller (the command line), else the fork server."""
    if method is None:
        method = "fork" if threading.active_count() == 1 else "forkserver"
    if method not in ("fork", "forkserver"):
        raise ValueError(f"method must be 'fork' or 'forkserver', not {method!r}")
    return method


class Worker:
    """One worker process under its watchdog: :meth:`receive` its answers, then close."""

    def __init__(self, job: dict[str, Any], cap: int, seconds: float, method: str | None):
        self.run = Run()
        self.started = time.monotonic()
        self.reply: socket.socket | None = None
        r, w = os.pipe()
        try:
            if choose_method(method) == "fork":
                pid = os.fork()
                if pid == 0:  # the child: never returns
                    os.close(r)
                    child(job, w)
                # Our own child is not reaped before we wait, so its pidfd cannot miss.
                self.pid, self.pidfd = pid, os.pidfd_open(pid)
            else:
                self.pid, self.pidfd, self.reply = SERVER.fork(job, w)
        except BaseException:
            os.close(r)
            raise
        finally:
            os.close(w)
        self.answers = os.fdopen(r, "rb")
        self.dog = Watchdog(self.pid, self.pidfd, cap, seconds, self.run)
        self.dog.start()

    def receive(self) -> dict[str, Any]:
        """The worker's next answer; raises its error, or :class:`Stopped` if it died."""
        data = receive_answer(self.answers)
        if data is None:  # the worker ended (or was killed) before a whole answer
            raise self._stopped()
        if "error" in data:
            raise ChurnDataError.from_json(data["error"])
        if "unexpected" in data:
            log.error(
                "Reading %r failed in the worker: %s\n%s",
                data.get("name"), data["unexpected"], data.get("traceback", ""),
            )  # fmt: skip
            raise ReaderError(data["unexpected"])
        if "memory" in data:  # a MemoryError in the worker
            self.run.reason = "memory"
            raise self._stopped()
        data["run"] = self.run
        return data

    def _stopped(self) -> Stopped:
        self._wait()
        return Stopped(self.run.reason or "crash", self.run)

    def _wait(self) -> None:
        if self.run.status is not None:
            return
        if self.reply is None:
            _, status = os.waitpid(self.pid, 0)
            self.run.status = os.waitstatus_to_exitcode(status)
        else:
            self.run.status = SERVER.status(self.reply)
        self.run.seconds = time.monotonic() - self.started

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            own = (ChurnDataError, ReaderError, Stopped)  # answers: the worker ends itself
            if exc[0] is not None and not issubclass(exc[0], own) and not exited(self.pidfd):
                self.dog.kill("abandoned")  # the caller gave up (its own error): no orphan
            if exc[0] is not None or self.reply is None:
                self._wait()  # a child of ours is reaped here; a failure needs its status
            # else: every answer is in and the worker is leaving (freeing its memory takes
            # ~0.1 s at 1M rows); the fork server reaps it, nobody needs to wait.
        finally:
            self.dog.stop()
            self.answers.close()
            os.close(self.pidfd)
            if self.reply is not None:
                self.reply.close()
