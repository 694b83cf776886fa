"""A library function called in a worker process, its progress heard as it goes.

The Model page's model comparison (five-fold cross-validation of every model), its
LightGBM tuning (a search within a time budget) and the honest risks (the labelled
customers a time split did not evaluate, cross-fitted) are training: seconds to tens of
seconds of native code. :func:`call_contained` runs such a function in a worker of the fork server, with
the training worker's memory cap and time limit: its arguments and its result travel
through :mod:`churn.contain.pack` (frames as Arrow, the library's dataclasses as JSON,
nothing pickled), and each ``progress(i, n, label)`` the function reports comes back on
the worker's pipe and is handed to the caller's own ``progress`` in the calling thread
(the page draws it). A crash, the memory cap or the time limit becomes
:func:`~churn.contain.train.training_error`. ``CHURNLENS_CONTAIN=off`` calls it here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from churn.contain.limits import WorkerLimits, contained
from churn.contain.pack import Packer, unpack
from churn.contain.process import Stopped, Worker, log_stopped
from churn.contain.scratch import remove_files, scratch_dir, scratch_file
from churn.contain.train import TRAIN_FACTOR, TRAIN_FLOOR, training_error
from churn.contain.transport import send_answer

log = logging.getLogger("churnlens.contain")

#: ``progress(i, n, label)``: a step of ``n`` begins (or, with ``i == n``, all are done).
Progress = Callable[[int, int, str], None]

#: Figures of the last contained call (for measurements).
LAST_CALL: dict[str, Any] = {}


def call_contained(
    fn: Callable[..., Any],
    *args: Any,
    progress: Progress | None = None,
    size: int = 0,
    worker: WorkerLimits | None = None,
    method: str | None = None,
    **kwargs: Any,
) -> Any:
    """``fn(*args, **kwargs)`` in a worker process (with ``progress=`` when one is given);
    its result.

    Parameters
    ----------
    fn : a module-level function (the worker imports it by name) that takes ``progress``
        when one is given.
    args, kwargs : what :mod:`churn.contain.pack` can send (frames, the library's
        dataclasses, plain values).
    progress : called in this thread with each ``(i, n, label)`` the worker reports.
    size : bytes of the largest input (the memory cap is the training worker's:
        ``min(ceiling, max(2 GB, 40 x size))``).
    worker, method : limits (default from the environment) and ``"forkserver"`` (the
        default: a caller that has run LightGBM must not fork itself).

    Raises
    ------
    ChurnDataError
        The function's own errors, unchanged; or "Training could not finish safely: ..."
        when the worker crashed, ran out of memory or time.
    """
    if not contained():
        return fn(*args, **kwargs, **({} if progress is None else {"progress": progress}))
    ref = f"{fn.__module__}:{fn.__qualname__}"
    if "<" in ref:
        raise ValueError("fn must be a module-level function (the worker imports it)")
    worker, method = worker or WorkerLimits(), method or "forkserver"
    cap = int(min(worker.memory, max(TRAIN_FLOOR, TRAIN_FACTOR * size)))
    folder = scratch_dir(4 * size + 64 * 1000**2)
    made: list[str] = []
    try:
        job = {
            "work": "churn.contain.worker:answer_job",
            "name": fn.__qualname__,
            "target": f"{__name__}:call_job",
            "fn": ref,
            "progress": progress is not None,
            "args": Packer(folder, made).pack({"args": args, "kwargs": kwargs}),
            "folder": folder,
            "log": scratch_file(folder, "call-log", made),
            "seconds": worker.seconds,
        }
        return _receive(job, cap, worker, method, progress, made)
    finally:
        remove_files(made)


def _receive(job, cap, worker, method, progress, made) -> Any:
    try:
        with Worker(job, cap, worker.seconds, method) as w:
            answer = w.receive()
            while "progress" in answer:
                if progress is not None:
                    progress(*answer["progress"])
                answer = w.receive()
            made += answer["made"]  # the result's scratch files: removed by the caller
            result = unpack(answer["result"])
        LAST_CALL.clear()
        LAST_CALL.update(
            name=job["name"],
            seconds=time.monotonic() - w.started,
            work=answer["work_seconds"],
            peak=w.run.peak,
            cap=cap,
        )
        return result
    except Stopped as stop:
        log_stopped(job["name"], stop, cap, job["log"])
        raise training_error(stop.reason, cap=cap, worker=worker) from None


def call_job(job: dict[str, Any]) -> dict[str, Any]:
    """Inside the worker: call the function, report its progress on the pipe, pack its
    result into new scratch files (named in the answer, for the caller to remove)."""
    from churn.contain.worker import import_target

    pipe_w = job["pipe_w"]

    def report(i: int, n: int, label: str) -> None:
        send_answer(pipe_w, {"progress": [int(i), int(n), str(label)]})

    fn = import_target(job["fn"])
    inputs = unpack(job["args"])
    extra = {"progress": report} if job["progress"] else {}
    result = fn(*inputs["args"], **inputs["kwargs"], **extra)
    made: list[str] = []
    return {"result": Packer(job["folder"], made).pack(result), "made": made}
