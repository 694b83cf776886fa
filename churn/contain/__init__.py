"""Reading a user's file in a separate, limited process, so nothing in it can stop the server.

The readers behind :func:`churn.io.read_table` are native code (pandas' and Arrow's C/C++
parsers, python-calamine's Rust): a hostile or just unlucky file can make one crash (a
segmentation fault, a Rust abort) or allocate memory without end. In the server process
that would end every user's session, and no ``except`` can catch it. :func:`read_contained`
runs :func:`~churn.io.read_table` and :func:`~churn.roles.infer_roles` in a fresh worker
process instead, watched from the caller:

* **memory**: a watchdog thread reads the worker's resident memory (``/proc/<pid>/statm``)
  every 20 ms and kills it (``SIGKILL``) above a cap that grows with the file's size,
  between a floor and a ceiling (``CHURNLENS_WORKER_MEMORY``). Resident memory, not
  ``RLIMIT_AS``: an address-space limit makes native engines abort on the large *virtual*
  reservations they make up front (allocator arenas, thread stacks), long before they use
  the memory;
* **time**: the worker is killed after ``CHURNLENS_WORKER_SECONDS``;
* **transport**: nothing the worker sends is unpickled. The frame comes back as an Arrow
  IPC file (in ``/dev/shm`` when there is room) with each column's type spelled out in
  JSON; the read's notes, the proposed roles and any :class:`~churn.errors.ChurnDataError`
  come back as JSON that keeps their translatable templates (:func:`churn.text.to_json`).
  The frame is sent as soon as it is read, so the caller unpacks it while the worker
  proposes the roles.

A crash, the memory cap or the time limit becomes one :class:`ChurnDataError` for the
user who sent the file; the details go to the ``churnlens.contain`` log. Each job is a
fresh process, forked from a small fork server that has pandas, pyarrow and the readers
loaded (a new worker in about 20 ms, and safe from a multi-threaded server), or forked
directly from a single-threaded caller such as the command line.
``CHURNLENS_CONTAIN=off`` reads in the calling process (for debugging).

Import from ``churn.contain`` itself; the submodules are where the code lives:

- :mod:`~churn.contain.api` -- :func:`read_contained` (the caller's side of one read) and
  :data:`LAST_RUN`.
- :mod:`~churn.contain.limits` -- :class:`WorkerLimits`, :func:`contained`,
  :func:`footprint` (what a file may need) and :func:`unsafe_error`.
- :mod:`~churn.contain.watchdog` -- the thread that kills a worker over its memory or time.
- :mod:`~churn.contain.process` -- :class:`~churn.contain.process.Worker`, the caller's
  handle on one worker process, and :class:`ReaderError`.
- :mod:`~churn.contain.server` -- the fork server (:func:`start_server`); it is started
  as ``python -c "from churn.contain.server import serve; ..."``.
- :mod:`~churn.contain.worker` -- what runs inside the worker.
- :mod:`~churn.contain.transport` -- the frame as an Arrow IPC file, the answers as JSON.
- :mod:`~churn.contain.train` -- :func:`~churn.contain.train.train_contained`: training
  in a worker, the model back as a skops file.
- :mod:`~churn.contain.explain` -- :func:`~churn.contain.explain.drivers_contained` and
  :func:`~churn.contain.explain.at_risk_contained`: SHAP (the global drivers, the at-risk
  list) in a worker.
- :mod:`~churn.contain.report` -- :func:`~churn.contain.report.report_contained`: the
  report's files built in a worker.
- :mod:`~churn.contain.call` -- :func:`~churn.contain.call.call_contained`: a library
  function (the model comparison, the tuning) in a worker, its progress heard as it goes.
- :mod:`~churn.contain.pack` -- the library's objects (dataclasses with frames, a trained
  model) to a worker and back, without pickle.
- :mod:`~churn.contain.flight` -- :class:`SingleFlight`: concurrent calls for one key
  compute once, the others wait for that result.
- :mod:`~churn.contain.jobs` -- :class:`JobQueue`: at most ``slots`` heavy jobs at once
  (``CHURNLENS_JOBS``, default the cores), the others wait in order and know their place.

To change a constant at run time (a test), set it on the submodule that reads it.
"""

from __future__ import annotations

from churn.contain.api import LAST_RUN, read_contained
from churn.contain.flight import SingleFlight
from churn.contain.jobs import ENV_JOBS, JobCancelled, JobQueue, Ticket, default_slots
from churn.contain.limits import (
    DEFAULT_MEMORY,
    DEFAULT_SECONDS,
    ENV_CONTAIN,
    ENV_MEMORY,
    ENV_SECONDS,
    FACTOR_PACKED,
    FACTOR_TEXT,
    FACTOR_ZIP,
    MEMORY_FLOOR,
    POLL_SECONDS,
    WorkerLimits,
    contained,
    footprint,
    unsafe_error,
)
from churn.contain.process import ReaderError
from churn.contain.server import PRELOAD, start_server
from churn.contain.transport import read_frame, write_frame
from churn.contain.worker import Target

__all__ = [
    "DEFAULT_MEMORY",
    "DEFAULT_SECONDS",
    "ENV_CONTAIN",
    "ENV_JOBS",
    "ENV_MEMORY",
    "ENV_SECONDS",
    "FACTOR_PACKED",
    "FACTOR_TEXT",
    "FACTOR_ZIP",
    "JobCancelled",
    "JobQueue",
    "LAST_RUN",
    "MEMORY_FLOOR",
    "POLL_SECONDS",
    "PRELOAD",
    "ReaderError",
    "SingleFlight",
    "Target",
    "Ticket",
    "WorkerLimits",
    "contained",
    "default_slots",
    "footprint",
    "read_contained",
    "read_frame",
    "start_server",
    "unsafe_error",
    "write_frame",
]
