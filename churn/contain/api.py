"""read_contained: read a file and propose its roles in a worker process.

The caller's side of a contained read: the source is written to a scratch file (in
``/dev/shm`` when there is room), the job goes to a :class:`~churn.contain.process.Worker`,
and its answers come back as a :class:`~churn.io.ReadResult` and
:class:`~churn.roles.ColumnRoles`; a worker that crashed or was stopped becomes
:func:`~churn.contain.limits.unsafe_error`. Scratch files are always removed.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import fields
from pathlib import Path
from typing import Any

import churn.io
from churn.contain.limits import WorkerLimits, contained, footprint, unsafe_error
from churn.contain.process import Stopped, Worker, log_stopped
from churn.contain.scratch import remove_files
from churn.contain.scratch import scratch_dir as _scratch_dir
from churn.contain.scratch import scratch_file as _scratch_file
from churn.contain.transport import read_frame
from churn.contain.watchdog import cpu_seconds
from churn.contain.worker import Target
from churn.io import Limits, ReadResult
from churn.roles import ColumnRoles, infer_roles
from churn.text import from_json

log = logging.getLogger("churnlens.contain")


def read_contained(
    source: Any,
    *,
    name: str | None = None,
    sheet: str | None = None,
    limits: Limits | None = None,
    propose: bool = True,
    worker: WorkerLimits | None = None,
    target: Target | None = None,
    method: str | None = None,
) -> tuple[ReadResult, ColumnRoles | None]:
    """Read a file and propose its roles in a separate process with memory and time limits.

    Parameters
    ----------
    source : path, bytes or file-like
        As for :func:`churn.io.read_table`.
    name, sheet, limits
        As for :func:`churn.io.read_table` (``limits`` is settled here, in the caller).
    propose : bool
        Also run :func:`churn.roles.infer_roles` on the frame (else ``None`` comes back).
    worker : WorkerLimits, optional
        Memory ceiling and time limit; default from the environment.
    target : callable, optional
        What the worker runs instead of :func:`churn.io.read_table` (same signature): a
        module-level function, which a worker of the fork server imports by name. Tests
        use it to crash a worker on purpose.
    method : "fork" or "forkserver", optional
        Default: ``fork`` when the caller runs a single thread, else the fork server.

    Returns
    -------
    (ReadResult, ColumnRoles or None)
        Equal to ``target`` and ``infer_roles`` run in the calling process: the same frame
        (dtypes, names, values), notes with their codes and templates, the same roles.

    Raises
    ------
    ChurnDataError
        The reader's own errors, unchanged; or "This file could not be read safely: ..."
        when the worker crashed, needed more memory than its cap or ran out of time.
    ReaderError
        Any other exception in the worker (its type and message; traceback in the log).
    """
    limits = limits or Limits()
    target = target or churn.io.read_table  # looked up now: the package's current reader
    if not contained():
        result = target(source, name=name, sheet=sheet, limits=limits)
        return result, infer_roles(result.frame) if propose else None
    worker = worker or WorkerLimits()
    ref = f"{target.__module__}:{target.__qualname__}"
    if "<" in ref:  # a lambda or a nested function: a worker could not import it
        raise ValueError("target must be a module-level function (the worker imports it)")
    data, path, name = _source(source, name)
    size, factor = footprint(data if data is not None else path)
    cap = worker.cap(size, factor)
    scratch = _scratch_dir(4 * size + 64 * 1000**2)
    made: list[str] = []
    try:
        if data is not None:
            path = _scratch_file(scratch, "in", made)
            Path(path).write_bytes(data)
            del data
        job = {
            "source": path,
            "source_is_bytes": path in made,
            "name": name,
            "sheet": sheet,
            "limits": {f.name: getattr(limits, f.name) for f in fields(limits)},
            "propose": propose,
            "target": ref,
            "out": _scratch_file(scratch, "frame", made),
            "log": _scratch_file(scratch, "log", made),
            "seconds": worker.seconds,
        }
        return _run(job, cap, worker, method)
    finally:
        remove_files(made)


def _source(source: Any, name: str | None) -> tuple[bytes | None, str | None, str | None]:
    """(the bytes to send, or None; the path to read, or None; the file's name)."""
    data: bytes | None = None
    path: str | None = None
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif hasattr(source, "getvalue") or hasattr(source, "read"):
        name = name or getattr(source, "name", None)
        data = source.getvalue() if hasattr(source, "getvalue") else source.read()
    else:
        path = os.fspath(source)
    return data, path, name


def _run(
    job: dict[str, Any], cap: int, worker: WorkerLimits, method: str | None
) -> tuple[ReadResult, ColumnRoles | None]:
    """Run ``job`` in a worker under its watchdog: its answers, or the one error."""
    name = job["name"]
    try:
        with Worker(job, cap, worker.seconds, method) as w:
            result = _result(w.receive(), job)
            roles = _roles(w.receive()) if job["propose"] else None
            cpu = cpu_seconds(w.pid)  # best effort: the worker is ending now
        w.run.seconds = time.monotonic() - w.started
        log.debug(
            "Read %r in a worker: %.2f s (frame transfer %.2f s), peak resident memory %s",
            name, w.run.seconds, w.run.transfer, w.run.peak,
        )  # fmt: skip
        LAST_RUN.clear()
        LAST_RUN.update(
            seconds=w.run.seconds, transfer=w.run.transfer, peak=w.run.peak, cap=cap, cpu=cpu
        )
        return result, roles
    except Stopped as stop:
        log_stopped(f"Reading {name!r}", stop, cap, job["log"])
        raise unsafe_error(stop.reason, cap=cap, worker=worker) from None


#: Figures of the last successful contained read (for the benchmark): seconds, transfer
#: (writing + reading the frame), peak resident memory of the worker, its cap and the
#: worker's CPU seconds (None when it had ended before they were read).
LAST_RUN: dict[str, float | None] = {}


def _result(answer: dict[str, Any], job: dict[str, Any]) -> ReadResult:
    """The ReadResult the worker sent: its frame from the Arrow file, the rest from JSON."""
    t0 = time.perf_counter()
    frame = read_frame(job["out"], answer["frame"])
    os.unlink(job["out"])  # free the shared memory now, not after the roles
    meta = {k: from_json(v) for k, v in answer["result"].items()}
    answer["run"].transfer = answer["write_seconds"] + time.perf_counter() - t0
    return ReadResult(frame=frame, **meta)


def _roles(answer: dict[str, Any]) -> ColumnRoles:
    """The roles the worker proposed, from JSON."""
    return ColumnRoles(**{k: from_json(v) for k, v in answer["roles"].items()})
