"""Workspaces in PostgreSQL: the store several app processes (or machines) share.

When ``CHURNLENS_DATABASE_URL`` holds a connection URL (``postgresql://user:password@host:
5432/db``), ``WorkspaceStore()`` is a :class:`PostgresWorkspaceStore`: the same public API
(create, save, load, list, rename, duplicate, delete, info, exists), the same columns and
checks, but one ``workspace`` table in that database instead of one SQLite file per
workspace. Several app processes behind a proxy then see each other's workspaces.
SQLite stays the default; a store made with a folder (``WorkspaceStore(path)``) is always
SQLite.

Listing is one query over the table's small columns (no blobs), ordered by the index on
``updated``. Connections are reused (a few idle ones per URL). The URL's password is never
written anywhere: the log names the database as :func:`redacted` shows it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

import psycopg
from psycopg.rows import dict_row

from churn.text import msg
from churn.urls import mask_url
from churn.workspace.errors import WorkspaceError, WorkspaceNotFound, damaged, not_found
from churn.workspace.records import WorkspaceInfo
from churn.workspace.schema import META_COLUMNS, SCHEMA, is_valid_id
from churn.workspace.store import DATABASE_BACKEND, ENV_DATABASE, WorkspaceStore

__all__ = ["ENV_DATABASE", "PG_SCHEMA", "PostgresWorkspaceStore", "redacted"]

log = logging.getLogger("churnlens.workspace")

#: The SQLite table in PostgreSQL's types (blobs are ``bytea``), and the list's index.
PG_SCHEMA = SCHEMA.replace(" BLOB", " BYTEA") + (
    ";\nCREATE INDEX IF NOT EXISTS workspace_updated ON workspace (updated DESC)"
)
_IDLE = 4  # idle connections kept per URL
_POOL: dict[str, list[psycopg.Connection]] = {}
_READY: set[str] = set()  # URLs whose table exists
_LOCK = threading.Lock()


def redacted(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for logs and messages)."""
    return mask_url(url)


def unreachable(ws_id: str, exc: BaseException) -> WorkspaceError:
    """The error when the workspace database does not answer (the cause goes to the log)."""
    log.warning("The workspace database did not answer: %s", type(exc).__name__)
    return WorkspaceError(
        ws_id,
        msg("the workspace database could not be reached."),
        fix=msg("try again in a moment; if it keeps happening, tell whoever runs this server."),
    )


class PostgresWorkspaceStore(WorkspaceStore):
    """:class:`~churn.workspace.WorkspaceStore` on one PostgreSQL table.

    Parameters
    ----------
    folder : ignored (the SQLite store's argument; kept so the two are made alike).
    url : the connection URL; default ``$CHURNLENS_DATABASE_URL``.
    """

    def __init__(self, folder: Any = None, *, url: str | None = None) -> None:
        del folder
        self.url = url or getattr(self, "url", None) or os.environ.get(ENV_DATABASE, "").strip()
        if not self.url:
            raise ValueError(f"no database URL (set {ENV_DATABASE})")
        self.folder = PurePosixPath("/postgresql")  # a name for messages, never a real path

    def __repr__(self) -> str:
        return f"PostgresWorkspaceStore({redacted(self.url)!r})"

    # ------------------------------------------------------------------ plumbing
    @contextmanager
    def _conn(self, ws_id: str = "") -> Iterator[psycopg.Connection]:
        """A connection (reused when one is idle); returned to the pool when healthy."""
        with _LOCK:
            idle = _POOL.setdefault(self.url, [])
            con = idle.pop() if idle else None
        try:
            if con is None or con.closed:
                con = psycopg.connect(self.url, autocommit=True, row_factory=dict_row)
                log.debug("Connected to the workspace database %s", redacted(self.url))
            if self.url not in _READY:
                with con.transaction():
                    for statement in PG_SCHEMA.split(";"):
                        con.execute(statement)
                _READY.add(self.url)
        except psycopg.OperationalError as exc:
            raise unreachable(ws_id, exc) from exc
        healthy = False
        try:
            yield con
            healthy = True
        finally:
            ok = healthy and not con.closed and con.info.transaction_status == 0  # IDLE
            with _LOCK:
                if ok and len(_POOL[self.url]) < _IDLE:
                    _POOL[self.url].append(con)
                    con = None
            if con is not None:
                con.close()

    def path_of(self, ws_id: str) -> PurePosixPath:
        """A name for the workspace (raises WorkspaceNotFound for a malformed id)."""
        super().path_of(ws_id)  # checks the id
        return self.folder / ws_id

    def _row(self, ws_id: str, columns: str = "*") -> dict[str, Any]:
        self.path_of(ws_id)
        try:
            with self._conn(ws_id) as con:
                row = con.execute(
                    f"SELECT {columns} FROM workspace WHERE id = %s", (ws_id,)
                ).fetchone()
        except psycopg.OperationalError as exc:
            raise unreachable(ws_id, exc) from exc
        except psycopg.Error as exc:
            raise damaged(ws_id, msg("its file is not a readable database"), exc) from exc
        if row is None:
            raise not_found(ws_id)
        self._check_format(ws_id, row)
        return row

    def _write(self, ws_id: str, sql: str, params: tuple, *, create: bool = False) -> None:
        """One short transaction on the workspace's row (``?`` marks become ``%s``)."""
        self.path_of(ws_id)
        try:
            with self._conn(ws_id) as con, con.transaction():
                cur = con.execute(sql.replace("?", "%s"), params)
                if cur.rowcount != 1:
                    if not create:
                        raise _Missing()
                    raise psycopg.DatabaseError("the workspace row is missing")
        except _Missing:
            raise not_found(ws_id) from None
        except psycopg.OperationalError as exc:
            raise unreachable(ws_id, exc) from exc
        except psycopg.Error as exc:
            raise damaged(ws_id, msg("it could not be written"), exc) from exc

    # ------------------------------------------------------------------ read
    def exists(self, ws_id: str) -> bool:
        if not is_valid_id(ws_id):
            return False
        with self._conn(ws_id) as con:
            return (
                con.execute("SELECT 1 FROM workspace WHERE id = %s", (ws_id,)).fetchone()
                is not None
            )

    def info(self, ws_id: str) -> WorkspaceInfo:
        """The list line of one workspace (one query on its small columns)."""
        return self._read_info(ws_id)

    def _mtime(self, ws_id: str) -> datetime | None:
        return None

    def list_workspaces(self) -> list[WorkspaceInfo]:
        """Every workspace, most recently updated first: one query, no blobs read."""
        try:
            with self._conn() as con:
                rows = con.execute(
                    f"SELECT {META_COLUMNS} FROM workspace ORDER BY updated DESC, id DESC"
                ).fetchall()
        except WorkspaceError:
            raise
        except psycopg.Error as exc:
            raise unreachable("", exc) from exc
        out = []
        for row in rows:
            try:
                self._check_format(row["id"], row)
                out.append(self.info_of(row))
            except (WorkspaceError, TypeError, ValueError):
                out.append(self._read_info(row["id"]))  # the damaged line, with its problem
        return out

    list = list_workspaces  # noqa: A003 - the store's vocabulary

    # ------------------------------------------------------------------ manage
    def delete(self, ws_id: str) -> None:
        """Remove workspace ``ws_id`` (its row, file and model) from the database."""
        self.path_of(ws_id)
        try:
            with self._conn(ws_id) as con:
                cur = con.execute("DELETE FROM workspace WHERE id = %s", (ws_id,))
        except psycopg.OperationalError as exc:
            raise unreachable(ws_id, exc) from exc
        if cur.rowcount != 1:
            raise WorkspaceNotFound(ws_id, not_found(ws_id).problem, fix=not_found(ws_id).fix)


class _Missing(Exception):
    """No row had the id (an update of a workspace that is gone)."""


DATABASE_BACKEND.append(PostgresWorkspaceStore)
