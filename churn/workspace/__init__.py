"""Workspaces: a client's analysis saved to disk so it survives a refresh or a restart.

A workspace holds everything needed to rebuild the exact state of an analysis: the
uploaded file's bytes and name (so the same customer table can be built again), the
confirmed :class:`~churn.settings.IntakeSettings` (column roles, sheet, snapshot date and
inactivity window), free settings, the trained model, saved what-if scenarios and notes.

Storage is SQLite (stdlib ``sqlite3``), one small database file per workspace in one
folder (``./workspaces/`` by default, ``CHURNLENS_WORKSPACES`` overrides). One file per
workspace means a damaged file only ever affects its own workspace: the others still
list and open, and deleting a workspace removes its bytes from disk. Each file runs in
WAL mode and every write is one short transaction, so several sessions can save at once.

Nothing stored is ever executed: settings, roles and scenarios are JSON, the model is a
skops file read through :func:`churn.model.load_model` (an explicit allow-list of types;
never pickle), and the model's evaluation scores are JSON columns. Every blob carries a
SHA-256 checksum, so a truncated or altered file or model is reported as damaged rather
than half-read.

Identifiers are ``secrets.token_urlsafe(24)`` (32 characters, 192 random bits): knowing
one workspace's id gives no way to guess another's. An id is checked against its exact
alphabet and length before it is used to name a file.

Import from ``churn.workspace`` itself; the submodules are where the code lives:

- :mod:`~churn.workspace.schema` -- the file's table (:data:`SCHEMA`), :data:`FORMAT`,
  ids (:func:`new_id`, :func:`is_valid_id`), the folder (:func:`default_folder`),
  timestamps, checksums and the JSON columns (intake settings included).
- :mod:`~churn.workspace.errors` -- :class:`WorkspaceError`, :class:`WorkspaceNotFound`
  and the "not found" / "damaged" sentences.
- :mod:`~churn.workspace.blobs` -- the trained model as a skops blob, its handle and its
  evaluation scores as JSON.
- :mod:`~churn.workspace.records` -- :class:`Workspace` (read back whole) and
  :class:`WorkspaceInfo` (one list line).
- :mod:`~churn.workspace.store` -- :class:`WorkspaceStore` (create, save, load, list,
  rename, duplicate, delete) and the :data:`KEEP` sentinel of ``save``.
- :mod:`~churn.workspace.snapshots` -- a workspace's series of snapshots (files of
  successive dates, roles confirmed once and reused): :func:`add_snapshot`,
  :func:`load_series`, :func:`snapshot_data`, kept in the ``settings`` JSON and the file
  columns through the store's public API.
- :mod:`~churn.workspace.postgres` -- :class:`PostgresWorkspaceStore`: the same store on
  one PostgreSQL table, what ``WorkspaceStore()`` is when ``CHURNLENS_DATABASE_URL`` is
  set (several app processes then share their workspaces); SQLite stays the default.

The constants are re-exported here as values: to change one at run time (a test), set it
on the submodule that reads it (e.g. ``churn.workspace.store.BUSY_TIMEOUT_S``).
"""

from __future__ import annotations

from churn.workspace.errors import WorkspaceError, WorkspaceNotFound
from churn.workspace.postgres import ENV_DATABASE, PostgresWorkspaceStore
from churn.workspace.records import Workspace, WorkspaceInfo
from churn.workspace.schema import BUSY_TIMEOUT_S as BUSY_TIMEOUT_S
from churn.workspace.schema import ENV_FOLDER, default_folder, is_valid_id, new_id
from churn.workspace.schema import FORMAT as FORMAT
from churn.workspace.schema import ID_BYTES as ID_BYTES
from churn.workspace.schema import MAX_NAME as MAX_NAME
from churn.workspace.schema import SUFFIX as SUFFIX
from churn.workspace.snapshots import (
    SnapshotEntry,
    SnapshotSeries,
    add_snapshot,
    carry_series,
    load_series,
    snapshot_data,
)
from churn.workspace.store import KEEP, WorkspaceStore

__all__ = [
    "ENV_DATABASE",
    "ENV_FOLDER",
    "KEEP",
    "PostgresWorkspaceStore",
    "SnapshotEntry",
    "SnapshotSeries",
    "Workspace",
    "WorkspaceError",
    "WorkspaceInfo",
    "WorkspaceNotFound",
    "WorkspaceStore",
    "add_snapshot",
    "carry_series",
    "default_folder",
    "is_valid_id",
    "load_series",
    "new_id",
    "snapshot_data",
]
# Also public, outside ``__all__`` as in the former single module: BUSY_TIMEOUT_S, FORMAT,
# ID_BYTES, MAX_NAME and SUFFIX (the ``X as X`` imports above).
