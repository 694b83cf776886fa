"""Scratch files shared with a worker process: where they go, how they are made, the log.

Reading (:mod:`churn.contain.api`) and training (:mod:`churn.contain.train`) hand a worker
its input and take its output through private files: in ``/dev/shm`` (memory, no disk)
when it has room, else the temp dir; the worker's stderr goes to a log file whose two
ends are kept for the server's log when the worker is stopped.
"""

from __future__ import annotations

import os
import tempfile

__all__ = ["log_tail", "remove_files", "scratch_dir", "scratch_file"]


def scratch_dir(need: int) -> str:
    """``/dev/shm`` (memory, no disk) when it has room for ``need`` bytes, else the temp dir."""
    shm = "/dev/shm"
    try:
        st = os.statvfs(shm)
        if os.access(shm, os.W_OK) and st.f_bavail * st.f_frsize > need:
            return shm
    except OSError:
        pass
    return tempfile.gettempdir()


def scratch_file(folder: str, what: str, made: list[str]) -> str:
    """A new private file in ``folder`` (mode 0600; its path is added to ``made``)."""
    fd, p = tempfile.mkstemp(prefix=f"churnlens-{what}-", dir=folder)
    os.close(fd)
    made.append(p)
    return p


def remove_files(made: list[str]) -> None:
    """Remove the scratch files of a job (those already gone are skipped)."""
    for p in made:
        try:
            os.unlink(p)
        except OSError:
            pass


def log_tail(p: str, limit: int = 8000) -> str:
    """The worker's log file as text: its first and last ``limit // 2`` bytes when longer.

    A crash report starts with what happened ("Fatal Python error: Segmentation fault")
    and can end with a long list of loaded extension modules: keep both ends.
    """
    try:
        with open(p, "rb") as fh:
            data = fh.read()
    except OSError:
        return ""
    if len(data) > limit:
        data = data[: limit // 2] + b"\n...\n" + data[-(limit // 2) :]
    return data.decode("utf-8", "replace").strip()
