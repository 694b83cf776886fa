"""Start ``streamlit run app.py`` on a free loopback port, wait until it is healthy, stop it.

The one place that starts a test server: the browser tests (``tests/e2e/conftest.py``),
the soak script (``bench/soak.py``) and the cold-start benchmark (``bench/run.py``) all
use :class:`AppServer`, so a change to how the app is started is made once.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ServerError(RuntimeError):
    """The server exited or did not become healthy in time (the message has the log tail)."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str, timeout: float = 2.0) -> bool:
    """True when ``url``'s ``/_stcore/health`` answers 200."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def log_tail(path: Path | None, lines: int = 40) -> str:
    if path is None:
        return "(no server log)"
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


class AppServer:
    """``streamlit run app.py`` as a child process; use as a context manager.

    Parameters
    ----------
    env : extra environment variables for the server (merged over ``os.environ``).
    log_path : where the server's output goes (``None``: discarded).
    address : the interface it listens on (loopback by default).
    args : extra ``streamlit run`` options, e.g. ``["--server.maxUploadSize", "10"]``.
    """

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        address: str = "127.0.0.1",
        port: int | None = None,
        args: Sequence[str] = (),
        root: Path = ROOT,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://{address}:{self.port}"
        self.log_path = log_path
        self.root = root
        self.env = {**os.environ, **(env or {})}
        self.cmd = [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(self.port), "--server.address", address,
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            *args,
        ]  # fmt: skip
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None, "the server is not started"
        return self.proc.pid

    def start(self, timeout: float = 90.0) -> AppServer:
        """Start the server and wait for ``/_stcore/health``; raise :class:`ServerError`."""
        out = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                self.cmd, cwd=self.root, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        finally:
            if out is not subprocess.DEVNULL:
                out.close()  # the child has its own copy of the descriptor
        deadline = time.monotonic() + timeout
        while not healthy(self.url):
            if self.proc.poll() is not None:
                raise ServerError(
                    f"streamlit exited with code {self.proc.returncode}:\n{log_tail(self.log_path)}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise ServerError(
                    f"streamlit did not answer {self.url}/_stcore/health within {timeout:.0f} s:"
                    f"\n{log_tail(self.log_path)}"
                )
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop within 10 s)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
