"""A throw-away PostgreSQL server for the tests that need a real database.

``start_postgres(folder)`` creates a cluster in ``folder`` with Debian's ``initdb``, starts
it on a free loopback port with password-less local access, and returns a
:class:`PostgresServer` (its connection URL and a ``stop()``). Run as root, the cluster
belongs to the ``postgres`` system user (``initdb`` refuses root). The ``postgres_url``
fixture in ``tests/conftest.py`` starts one server for the whole test session.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path


def postgres_bin() -> Path | None:
    """The folder of the newest installed PostgreSQL server programs, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    url: str
    data: Path
    bindir: Path
    as_user: list[str]

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "fast",
                "stop",
            ],
            check=False,
            capture_output=True,
            timeout=60,
        )


def start_postgres(folder: Path) -> PostgresServer:
    """Start a new cluster under ``folder``; raise RuntimeError when it cannot start."""
    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    data = folder / "pgdata"
    sockets = folder / "pgsock"
    sockets.mkdir(parents=True, exist_ok=True)
    as_user: list[str] = []
    if os.geteuid() == 0:
        # initdb refuses to run as root: the cluster belongs to the postgres system user
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
        os.chmod(folder, 0o755)
    run = {"check": True, "capture_output": True, "timeout": 120, "text": True}
    try:
        subprocess.run(
            [
                *as_user,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "churnlens",
                "-E",
                "UTF8",
                "--no-instructions",
            ],
            **run,
        )
        port = _free_port()
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {sockets} -c fsync=off"
        subprocess.run(
            [
                *as_user,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "postgres.log"),
                "-w",
                "start",
            ],
            **run,
        )
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr or exc.stdout}") from exc
    server = PostgresServer(
        url=f"postgresql://churnlens@127.0.0.1:{port}/postgres",
        data=data,
        bindir=bindir,
        as_user=as_user,
    )
    return server
