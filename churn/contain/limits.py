"""How much memory and time a reading worker may use, and the error when it used more.

:class:`WorkerLimits` (from ``CHURNLENS_WORKER_MEMORY`` and ``CHURNLENS_WORKER_SECONDS``)
caps one worker; :func:`footprint` sizes what a file may need; :func:`contained` says
whether reads run in workers at all; :func:`unsafe_error` is the one error a user sees
when a worker crashed or was stopped.
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from dataclasses import dataclass, field
from typing import Any

from churn.errors import ChurnDataError
from churn.io.limits import env_size, size_text
from churn.text import msg

ENV_MEMORY = "CHURNLENS_WORKER_MEMORY"
ENV_SECONDS = "CHURNLENS_WORKER_SECONDS"
ENV_CONTAIN = "CHURNLENS_CONTAIN"

GB = 1000**3
#: Default ceiling of a worker's resident memory, whatever the file's size.
DEFAULT_MEMORY = 6 * GB
#: Default time limit of one read, in seconds.
DEFAULT_SECONDS = 300
#: Every worker may use this much, however small the file (a worker starts at about
#: 150 MB resident: the interpreter, pandas, pyarrow and the readers).
MEMORY_FLOOR = 1 * GB
#: Resident memory allowed per byte of what is read, about twice the worst measured peak
#: of read + roles over the worker's own 0.12 GB (measured on 2026-12-03):
#: text files per byte of file: 5.1 x for the 1M-row bench CSV (148 MB, peak 0.86 GB),
#: 10.6 x for single digits, 18.8 x for rows of empty cells (1 byte per cell);
FACTOR_TEXT = 40
#: zip workbooks (XLSX, ODS) per byte of their declared *uncompressed* content: 4.1 x for
#: the 100k-row bench XLSX (9.6 MB, 77 MB inside, peak 0.44 GB); sparse sheets need more
#: (churn.io.guard refuses the sparsest);
FACTOR_ZIP = 25
#: XLS and Parquet per byte of file (Parquet content is compressed; not parsed here).
FACTOR_PACKED = 100
#: How often the watchdog looks at the worker, in seconds.
POLL_SECONDS = 0.02


@dataclass(frozen=True)
class WorkerLimits:
    """Memory and time a reading worker may use.

    ``memory`` (the ceiling, bytes) and ``seconds`` come from ``CHURNLENS_WORKER_MEMORY``
    (e.g. ``6G``; ``K``/``M``/``G`` suffixes are powers of 1000) and
    ``CHURNLENS_WORKER_SECONDS`` when the object is created; the cap for one file is
    :meth:`cap`.
    """

    memory: int = field(default_factory=lambda: env_size(ENV_MEMORY, DEFAULT_MEMORY))
    seconds: int = field(default_factory=lambda: env_size(ENV_SECONDS, DEFAULT_SECONDS))
    floor: int = MEMORY_FLOOR

    def cap(self, size: int, factor: float = FACTOR_TEXT) -> int:
        """Resident-memory cap for ``size`` bytes read: ``min(ceiling, max(floor, factor
        x size))`` (see :func:`footprint` for the size and the factor of a file)."""
        return int(min(self.memory, max(self.floor, factor * size)))


def contained() -> bool:
    """Whether reads run in a worker: on Linux, unless ``CHURNLENS_CONTAIN`` is ``off``.

    ``0``, ``false`` and ``no`` mean off too. Workers need Linux (``fork``, ``/proc`` for
    resident memory, pidfds); elsewhere reads run in the calling process.
    """
    if os.environ.get(ENV_CONTAIN, "").strip().lower() in ("off", "0", "false", "no"):
        return False
    return sys.platform.startswith("linux") and hasattr(os, "pidfd_open")


def footprint(source: bytes | str) -> tuple[int, float]:
    """(bytes, factor) whose product is the memory a read of ``source`` may need.

    Text: the file's size, times :data:`FACTOR_TEXT`. A zip workbook: the uncompressed
    size its directory declares (read with :mod:`zipfile`, pure Python; nothing is
    decompressed), times :data:`FACTOR_ZIP`. XLS and Parquet: the file's size, times
    :data:`FACTOR_PACKED`. A path that cannot be opened counts 0 bytes (the worker then
    reports it as :func:`~churn.io.read_table` does).
    """
    try:
        fh = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    except OSError:
        return 0, FACTOR_TEXT
    with fh:
        size = fh.seek(0, os.SEEK_END)
        fh.seek(0)
        head = fh.read(8)
        if head.startswith(b"PK\x03\x04"):
            content = _zip_content(fh, size)
            if content:
                return max(content, size), FACTOR_ZIP
            return size, FACTOR_PACKED
        if head.startswith((b"\xd0\xcf\x11\xe0", b"PAR1")):
            return size, FACTOR_PACKED
        return size, FACTOR_TEXT


def _zip_content(fh: Any, size: int) -> int:
    """Declared uncompressed size of a zip's members; 0 when unknown or when the zip has
    more members than a workbook (its directory is then not parsed here at all)."""
    fh.seek(max(0, size - 65_557))  # the end record: 22 bytes + a comment of up to 64 KB
    tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22 or int.from_bytes(tail[at + 10 : at + 12], "little") > 10_000:
        return 0
    try:
        fh.seek(0)
        with zipfile.ZipFile(fh) as zf:
            return sum(max(info.file_size, 0) for info in zf.infolist())
    except Exception:  # noqa: BLE001 - only sizes a limit; the worker judges the file
        return 0


def over_limit(
    reason: str, *, cap: int, worker: WorkerLimits, crashed: Any
) -> tuple[Any, str, Any]:
    """Why a worker was stopped, in words, and the setting that raises its limit.

    Returns ``(why, var, example)``: ``why`` is "it needed more than 2 GB of memory", "it
    took longer than 300 s" or ``crashed`` (the caller's sentence for a crash); ``var``
    and ``example`` name the environment variable to raise and a value twice the limit.
    """
    if reason == "memory":
        why = msg("it needed more than {cap} of memory", cap=size_text(cap))
    elif reason == "time":
        why = msg("it took longer than {seconds} s", seconds=worker.seconds)
    else:
        why = crashed
    if reason == "time":
        return why, ENV_SECONDS, 2 * worker.seconds
    return why, ENV_MEMORY, f"{max(2 * worker.memory // GB, 1)}G"


def unsafe_error(reason: str, *, cap: int, worker: WorkerLimits) -> ChurnDataError:
    """The one error a user sees when a worker crashed, hit its memory cap or its time.

    Its ``reason`` attribute says which: ``"crash"``, ``"memory"`` or ``"time"``.
    """
    why, var, example = over_limit(
        reason, cap=cap, worker=worker, crashed=msg("the reader crashed")
    )
    # A limit worth raising: the time, or the memory ceiling itself. A small file that
    # wants more than its proportional cap is not a big file but a strange one.
    raise_it = reason == "time" or (reason == "memory" and cap >= worker.memory)
    error = ChurnDataError(
        msg("This file could not be read safely: {why}.", why=why),
        fix=msg(
            "save it again as CSV or upload a smaller extract; or raise the limit by setting "
            "the environment variable {var} (e.g. {var}={example}) before starting the app.",
            var=var,
            example=example,
        )
        if raise_it
        else msg(
            "open it in the program that made it, delete any empty rows and columns after "
            "the data, save it again as CSV (UTF-8) and upload that file."
        ),
    )
    error.reason = reason  # "crash", "memory" or "time" (a cache may retry a time-out)
    return error
