"""The fork server: a small process with the readers loaded that forks one worker per job.

Why not multiprocessing: its "forkserver" and "spawn" children re-run the caller's
``__main__`` file, and under Streamlit that is the page script (Streamlit installs each
page as ``__main__``). The fork server here is a few lines instead: a single-threaded
process that loaded the readers once and forks one child per job. Requests are JSON;
the child's pid comes back with a pidfd (a handle on that very process, so a kill can
never reach a recycled pid), then its exit status when it ends. The worker's answers
travel on a pipe of its own as length-prefixed JSON. Nothing is unpickled anywhere.

The server is started as ``python -c "from churn.contain.server import serve; serve(fd)"``
with the caller's ``sys.path`` (:meth:`ForkServer._ensure`); :data:`SERVER` is the
caller's side of it, one per process.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from churn.contain.worker import child
from churn.io import Limits, read_table
from churn.roles import infer_roles

#: Imported once by the fork server, so each worker starts with them in memory.
PRELOAD = [
    "numpy",
    "pandas",
    "pyarrow",
    "pyarrow.compute",
    "pyarrow.csv",
    "pyarrow.ipc",
    "pyarrow.parquet",
    "python_calamine",
    "charset_normalizer",
    "churn.io",
    "churn.roles",
    "churn.contain",
    # training workers (churn.contain.train): about 2.5 s of imports saved per job, for
    # about 110 MB more in the server (shared with its workers until they write to it)
    "churn.model",
    "churn.model.persistence",
    "churn.contain.train",
    "skops.io",
    # explaining workers (churn.contain.explain): shap's own import takes about 1 s
    "shap",
    "churn.explain",
    "churn.contain.explain",
    # report workers (churn.contain.report): the report's modules and WeasyPrint (imports
    # only: no thread starts; vl-convert's engine starts in the worker, at first use)
    "churn.report",
    "churn.charts",
    "weasyprint",
    "churn.contain.report",
    "churn.contain.call",
]


class ForkServer:
    """The caller's side of the fork server: started on first use, restarted if it died."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.exit_hook = False

    def _ensure(self) -> socket.socket:
        if self.proc is not None and self.proc.poll() is None and self.control is not None:
            return self.control
        if self.control is not None:
            self.control.close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        paths = [os.getcwd() if p == "" else p for p in sys.path]
        code = (
            f"import sys; sys.path[:0] = {paths!r}; "
            f"from churn.contain.server import serve; serve({theirs.fileno()})"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        theirs.close()
        self.control = ours
        if not self.exit_hook:
            atexit.register(self.close)
            self.exit_hook = True
        return ours

    def close(self) -> None:
        """Stop the server (it ends when its control socket closes); at exit."""
        with self.lock:
            if self.control is not None:
                self.control.close()
                self.control = None
            if self.proc is not None:
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
                self.proc = None

    def _send(self, job: dict[str, Any], fds: list[int]) -> None:
        with self.lock:
            for attempt in (1, 2):  # a server that died is started again, once
                control = self._ensure()
                try:
                    socket.send_fds(control, [json.dumps(job).encode()], fds)
                    return
                except OSError:
                    if attempt == 2:
                        raise
                    self.proc = None

    def start(self) -> float:
        """Start the server if needed and wait until it is ready; seconds that took."""
        t0 = time.monotonic()
        a, b = socket.socketpair()
        with a, b:
            self._send({"ping": True}, [b.fileno()])
            b.close()
            a.recv(16)
        return time.monotonic() - t0

    def fork(self, job: dict[str, Any], pipe_w: int) -> tuple[int, int, socket.socket]:
        """A new worker for ``job``: (pid, pidfd, the socket its exit status comes on)."""
        a, b = socket.socketpair()
        try:
            self._send(job, [b.fileno(), pipe_w])
        finally:
            b.close()
        data, fds, _, _ = socket.recv_fds(a, 64, 1)
        if not data or not fds:  # the server itself went away
            a.close()
            raise OSError("the ChurnLens fork server did not start a worker")
        return int(data), fds[0], a

    @staticmethod
    def status(reply: socket.socket) -> int | None:
        status = b""
        while not status.endswith(b"\n"):
            chunk = reply.recv(64)
            if not chunk:  # the server went away before the worker ended
                return None
            status += chunk
        return int(status)


SERVER = ForkServer()


def start_server() -> float:
    """Start the fork server ahead of the first upload; seconds until it was ready.

    Optional: the first contained read starts it anyway (about a second: it imports
    pandas, pyarrow and the readers, then reads a tiny file once).
    """
    return SERVER.start()


def _warm_up() -> None:
    """Read a few small files once in the fork server, so the readers' first-use work
    (regular expressions compiled, catalogues loaded, lazy imports) is done before any
    worker is forked: the project's own sample generator makes a subscription export and
    an order log with the usual kinds of columns (ids, dates, money, labels, text)."""
    from churn.sample import generate_event_log, generate_subscriptions

    for frame in (generate_subscriptions(300), generate_event_log(300)):
        data = frame.to_csv(index=False, date_format="%Y-%m-%d").encode()
        infer_roles(read_table(data, name="warm-up.csv", limits=Limits()).frame)


def serve(control_fd: int) -> None:
    """The fork server's loop (in its own process): fork one worker per request."""
    import selectors

    for module in PRELOAD:
        try:
            importlib.import_module(module)
        except ImportError:
            pass
    try:
        _warm_up()
    except Exception:  # noqa: BLE001 - only a speed-up
        pass
    # Ctrl-C in the terminal reaches this process too: the server ends when its caller
    # closes the control socket, not before (its workers get the default back).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    control = socket.socket(fileno=control_fd)
    sel = selectors.DefaultSelector()
    sel.register(control, selectors.EVENT_READ, None)
    running: dict[int, tuple[int, socket.socket]] = {}  # pidfd -> (pid, reply socket)
    while True:
        for key, _ in sel.select():
            if key.data is not None:  # a worker ended: reap it, report how
                pid, reply = key.data
                _, status = os.waitpid(pid, 0)
                sel.unregister(key.fd)
                os.close(key.fd)
                del running[key.fd]
                with reply:
                    try:
                        reply.sendall(b"%d\n" % os.waitstatus_to_exitcode(status))
                    except OSError:
                        pass
                continue
            data, fds, _, _ = socket.recv_fds(control, 1 << 20, 2)
            if not data:  # the caller went away
                return
            reply = socket.socket(fileno=fds[0])
            job = json.loads(data)
            if job.get("ping"):
                with reply:
                    reply.sendall(b"ok")
                continue
            pipe_w = fds[1]
            pid = os.fork()
            if pid == 0:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                sel.close()
                control.close()
                reply.close()
                for fd, (_, other) in running.items():
                    os.close(fd)
                    other.close()
                child(job, pipe_w)
            os.close(pipe_w)
            pidfd = os.pidfd_open(pid)  # before any wait: the pid is still this child's
            try:
                socket.send_fds(reply, [b"%d" % pid], [pidfd])
            except OSError:
                pass
            running[pidfd] = (pid, reply)
            sel.register(pidfd, selectors.EVENT_READ, (pid, reply))
