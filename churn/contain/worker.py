"""Inside the worker: run the reader on the job, send the frame, then the roles.

A worker is forked (from the caller, or from the fork server: :mod:`churn.contain.server`)
and never returns: :func:`child` runs the job and leaves with ``os._exit``. Native crash
reports and anything a reader prints go to the job's log file, never to the caller's
terminal.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

from churn.contain.transport import send_answer, write_frame
from churn.errors import ChurnDataError
from churn.io import Limits, ReadResult
from churn.roles import infer_roles
from churn.text import to_json

#: ``target(source, name=, sheet=, limits=) -> ReadResult``: what the worker runs.
Target = Callable[..., ReadResult]


def child(job: dict[str, Any], pipe_w: int) -> None:
    """A forked worker: run the job, then leave without running the parent's exit code."""
    code = 70
    try:
        # another job kind (``"module:function"``, e.g. training) names its own work
        work = import_target(job["work"]) if "work" in job else _work
        work(job, pipe_w)
        code = 0
    finally:
        os._exit(code)


def import_target(ref: str) -> Any:
    """The function ``"module:qualname"`` names (imported in the worker)."""
    module, _, qualname = ref.partition(":")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def isolate(job: dict[str, Any]) -> None:
    """Send the worker's output to the job's log and set its backstop alarm."""
    import faulthandler

    # Native crash reports (and anything a reader prints) go to a file the caller logs,
    # never to the caller's terminal (the command line promises one line of error).
    fd = os.open(job["log"], os.O_WRONLY | os.O_APPEND)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    faulthandler.enable(file=2)  # a native crash's Python stack, for the caller's log
    # A backstop should the caller be gone (nobody left to watch): the default action of
    # SIGALRM ends the process.
    signal.alarm(int(job["seconds"]) + 10)


def _work(job: dict[str, Any], pipe_w: int) -> None:
    """The worker's whole life: read and send the frame, then propose and send the roles."""
    isolate(job)
    try:
        src: Any = job["source"]
        if job["source_is_bytes"]:
            src = Path(src).read_bytes()
        target = import_target(job["target"])
        result = target(src, name=job["name"], sheet=job["sheet"], limits=Limits(**job["limits"]))
        del src
        if not job["propose"]:
            _send_frame(result, job, pipe_w)
            return
        # Writing the frame (~0.4 s at 1M rows, bound to one core by the GIL) runs in a
        # forked copy while this process proposes the roles, so the caller reads the frame
        # back while the roles are still being worked out.
        writer = os.fork()
        if writer == 0:
            _frame_writer(result, job, pipe_w)
        try:
            roles = infer_roles(result.frame)
        finally:  # nothing else goes down the pipe while the frame's answer may be on it
            _, status = os.waitpid(writer, 0)
        code = os.waitstatus_to_exitcode(status)
        if code < 0:  # the writer crashed: so does the worker, as the caller must hear
            signal.signal(-code, signal.SIG_DFL)
            os.kill(os.getpid(), -code)
        if code != 0:  # it said why (its error is the caller's first answer)
            return
        send_answer(
            pipe_w, {"roles": {f.name: to_json(getattr(roles, f.name)) for f in fields(roles)}}
        )
    except BaseException as exc:  # noqa: BLE001 - reported to the caller, which raises it
        send_failure(pipe_w, job, exc)


def send_failure(pipe_w: int, job: dict[str, Any], exc: BaseException) -> None:
    """Send why the job failed: the library's own error, running out of memory, or an
    exception nobody meant (a bug), which the caller raises."""
    if isinstance(exc, ChurnDataError):
        send_answer(pipe_w, {"error": exc.to_json()})
        return
    if isinstance(exc, MemoryError):
        send_answer(pipe_w, {"memory": True})
        return
    import traceback

    send_answer(
        pipe_w,
        {
            "name": job["name"],
            "unexpected": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        },
    )


def _send_frame(result: ReadResult, job: dict[str, Any], pipe_w: int) -> None:
    """Write the frame to the job's scratch file and send the rest of ``result`` as JSON."""
    t0 = time.perf_counter()
    columns = write_frame(result.frame, job["out"])
    meta = {f.name: to_json(getattr(result, f.name)) for f in fields(result)}
    del meta["frame"]  # notes are ReadNotes: churn.text knows how to carry them
    send_answer(
        pipe_w, {"result": meta, "frame": columns, "write_seconds": time.perf_counter() - t0}
    )


def _frame_writer(result: ReadResult, job: dict[str, Any], pipe_w: int) -> None:
    """The forked copy that sends the frame; it dies with the worker and never returns.

    The watchdog watches the worker: should it kill the worker, the kernel ends this copy
    too (``PR_SET_PDEATHSIG``), and the alarm ends it should it hang on its own.
    """
    import ctypes

    code = 70
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the worker was gone before the line above
            return
        signal.alarm(int(job["seconds"]) + 10)
        _send_frame(result, job, pipe_w)
        code = 0
    except BaseException as exc:  # noqa: BLE001 - reported to the caller, which raises it
        send_failure(pipe_w, job, exc)
    finally:
        os._exit(code)


def answer_job(job: dict[str, Any], pipe_w: int) -> None:
    """A worker that runs ``job["target"]`` (a function of the job returning the answer's
    JSON part) and sends its answer: explaining, the report and other calls (``"work"``
    names this). The target may send answers of its own first (progress) on
    ``job["pipe_w"]``."""
    isolate(job)
    try:
        t0 = time.perf_counter()
        job["pipe_w"] = pipe_w
        answer = import_target(job["target"])(job)
        answer["work_seconds"] = time.perf_counter() - t0
        send_answer(pipe_w, answer)
    except BaseException as exc:  # noqa: BLE001 - reported to the caller, which raises it
        send_failure(pipe_w, job, exc)
