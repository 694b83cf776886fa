"""Watching a worker from the caller: its resident memory, its time, its CPU seconds."""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from dataclasses import dataclass

from churn.contain.limits import POLL_SECONDS


@dataclass
class Run:
    """What the caller saw of one worker."""

    reason: str | None = None  # "memory" or "time" when the watchdog killed the worker
    peak: int = 0  # highest resident memory seen, bytes
    seconds: float = 0.0
    status: int | None = None  # exit code, or -signal
    transfer: float = 0.0  # seconds spent writing and reading the frame's Arrow file


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_memory(pid: int) -> int | None:
    """Resident memory of ``pid`` in bytes (None once it is gone or without ``/proc``)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def exited(pidfd: int) -> bool:
    return bool(select.select([pidfd], [], [], 0)[0])


class Watchdog(threading.Thread):
    """Kills the worker when its resident memory passes ``cap`` or ``seconds`` pass."""

    def __init__(self, pid: int, pidfd: int, cap: int, seconds: float, run: Run):
        super().__init__(name="churnlens-watchdog", daemon=True)
        self.pid, self.pidfd, self.cap, self.seconds, self.run_ = pid, pidfd, cap, seconds, run
        self.started = time.monotonic()
        self.done = threading.Event()

    def kill(self, reason: str) -> None:
        if self.run_.reason is None:
            self.run_.reason = reason
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except OSError:  # already gone
            pass

    def run(self) -> None:
        while not self.done.wait(POLL_SECONDS):
            if exited(self.pidfd):
                return
            rss = resident_memory(self.pid)
            if rss is not None:
                self.run_.peak = max(self.run_.peak, rss)
                if rss > self.cap:
                    self.kill("memory")
                    return
            if time.monotonic() - self.started > self.seconds:
                self.kill("time")
                return

    def stop(self) -> None:
        self.done.set()
        self.join()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` so far (``/proc/<pid>/stat``), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields_ = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None
