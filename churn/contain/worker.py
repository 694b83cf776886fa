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
        _work(job, pipe_w)
        code = 0
    finally:
        os._exit(code)


def _target(ref: str) -> Target:
    """The function ``"module:qualname"`` names (imported in the worker)."""
    module, _, qualname = ref.partition(":")
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _work(job: dict[str, Any], pipe_w: int) -> None:
    """The worker's whole life: read and send the frame, then propose and send the roles."""
    import faulthandler
    import traceback

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
    try:
        src: Any = job["source"]
        if job["source_is_bytes"]:
            src = Path(src).read_bytes()
        target = _target(job["target"])
        result = target(src, name=job["name"], sheet=job["sheet"], limits=Limits(**job["limits"]))
        del src
        t0 = time.perf_counter()
        columns = write_frame(result.frame, job["out"])
        meta = {f.name: to_json(getattr(result, f.name)) for f in fields(result)}
        del meta["frame"]  # notes are ReadNotes: churn.text knows how to carry them
        send_answer(
            pipe_w, {"result": meta, "frame": columns, "write_seconds": time.perf_counter() - t0}
        )
        if job["propose"]:
            roles = infer_roles(result.frame)
            send_answer(
                pipe_w, {"roles": {f.name: to_json(getattr(roles, f.name)) for f in fields(roles)}}
            )
    except ChurnDataError as exc:
        send_answer(pipe_w, {"error": exc.to_json()})
    except MemoryError:
        send_answer(pipe_w, {"memory": True})
    except BaseException as exc:  # noqa: BLE001 - reported to the caller, which raises it
        send_answer(
            pipe_w,
            {
                "name": job["name"],
                "unexpected": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc(),
            },
        )
