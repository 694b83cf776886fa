"""The workspace store: a folder of SQLite files, one per workspace, and what can be
done with them (create, save, load, list, rename, duplicate, delete).

Each file runs in WAL mode and every write is one short transaction on that file alone,
so several sessions can save at once and a damaged file only affects its own workspace.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from churn.errors import ChurnDataError
from churn.roles import ColumnRoles
from churn.settings import DEFAULT_INACTIVITY_DAYS, IntakeSettings
from churn.text import msg
from churn.workspace.blobs import model_columns, read_model
from churn.workspace.errors import (
    WorkspaceError,
    WorkspaceNotFound,
    damaged,
    error_sentence,
    not_found,
)
from churn.workspace.records import Workspace, WorkspaceInfo
from churn.workspace.schema import (
    BUSY_TIMEOUT_S,
    FORMAT,
    MAX_NAME,
    META_COLUMNS,
    SCHEMA,
    SUFFIX,
    checksum,
    default_folder,
    intake_columns,
    is_valid_id,
    json_text,
    new_id,
    utc_now,
)

if TYPE_CHECKING:
    from churn.model import TrainedModel

__all__ = ["DATABASE_BACKEND", "ENV_DATABASE", "KEEP", "WorkspaceStore"]

#: Environment variable: a PostgreSQL URL puts every workspace in that database
#: (``churn.workspace.postgres``) instead of SQLite files; unset, SQLite (the default).
ENV_DATABASE = "CHURNLENS_DATABASE_URL"
#: The database store's class, registered by ``churn.workspace.postgres`` when imported.
DATABASE_BACKEND: list[type] = []


class _Keep:
    """Sentinel: leave this part of the workspace as it is."""

    _instance: _Keep | None = None

    def __new__(cls) -> _Keep:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "KEEP"


#: Pass as a :meth:`WorkspaceStore.save` argument to leave that part unchanged (default).
KEEP: Any = _Keep()

#: List lines already read, by the identity of a workspace's file and of its write-ahead
#: log (path, then modification time, size and inode of each): a sidebar that lists the
#: workspaces on every rerun opens a database only when its file changed. Shared by
#: every store of the process, bounded, and emptied for a file this process writes.
_INFO_CACHE: OrderedDict[tuple, WorkspaceInfo] = OrderedDict()
_INFO_LOCK = threading.Lock()
_INFO_MAX = 2048


def _stamp(path: Path) -> tuple | None:
    """What identifies this version of a workspace file (None: there is no file)."""
    parts: list[tuple[int, int, int] | None] = []
    for p in (path, Path(f"{path}-wal")):
        try:
            st = p.stat()
        except OSError:
            parts.append(None)
        else:
            parts.append((st.st_mtime_ns, st.st_size, st.st_ino))
    return None if parts[0] is None else (str(path), *parts)


def _forget(path: Path) -> None:
    """Drop every cached list line of ``path`` (it was written or removed)."""
    with _INFO_LOCK:
        for key in [k for k in _INFO_CACHE if k[0] == str(path)]:
            del _INFO_CACHE[key]


class WorkspaceStore:
    """Workspaces in a folder of SQLite files: create, save, load, list, rename,
    duplicate and delete.

    Parameters
    ----------
    folder : where the workspace files live; default :func:`default_folder`. Created
        (owner-only permissions) on the first write.

    Examples
    --------
    >>> store = WorkspaceStore(tmp_path)  # doctest: +SKIP
    >>> ws_id = store.create("Acme", file_name="acme.csv", data=raw, roles=roles)
    >>> store.load(ws_id).roles == roles
    True
    """

    def __new__(cls, folder: str | os.PathLike[str] | None = None, **kwargs: Any):
        """``WorkspaceStore()`` without a folder is the database store when
        ``$CHURNLENS_DATABASE_URL`` is set (``churn.workspace.postgres``)."""
        if cls is WorkspaceStore and folder is None and DATABASE_BACKEND:
            if os.environ.get(ENV_DATABASE, "").strip():
                return super().__new__(DATABASE_BACKEND[0])
        return super().__new__(cls)

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()

    # ------------------------------------------------------------------ plumbing
    def path_of(self, ws_id: str) -> Path:
        """The file of workspace ``ws_id`` (raises WorkspaceNotFound for a malformed id)."""
        if not is_valid_id(ws_id):
            raise WorkspaceNotFound(
                str(ws_id)[:40],
                msg("this is not a workspace id."),
                fix=msg("open a workspace from the workspace list, or start from the Data page."),
            )
        return self.folder / f"{ws_id}{SUFFIX}"

    @contextmanager
    def _connect(self, path: Path, *, create: bool = False) -> Iterator[sqlite3.Connection]:
        if create:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            uri = f"file:{path}?mode=rwc"
        else:
            uri = f"file:{path}?mode=rw"  # never create a file by reading
        con = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            yield con
        finally:
            con.close()

    def _row(self, ws_id: str, columns: str = "*") -> sqlite3.Row:
        path = self.path_of(ws_id)
        if not path.is_file():
            raise not_found(ws_id)
        try:
            with self._connect(path) as con:
                con.row_factory = sqlite3.Row
                row = con.execute(f"SELECT {columns} FROM workspace WHERE id = ?", (ws_id,))
                row = row.fetchone()
        except sqlite3.Error as exc:
            raise damaged(ws_id, msg("its file is not a readable database"), exc) from exc
        if row is None:
            raise damaged(ws_id, msg("its file holds no workspace"))
        self._check_format(ws_id, row)
        return row

    @staticmethod
    def _check_format(ws_id: str, row: Any) -> None:
        fmt = row["format"] if "format" in row.keys() else FORMAT
        if not isinstance(fmt, int) or fmt > FORMAT:
            raise WorkspaceError(
                ws_id,
                msg("this workspace was saved by a newer ChurnLens (format {format}).", format=fmt),
                fix=msg("open it with the ChurnLens version that saved it."),
            )

    def _write(self, ws_id: str, sql: str, params: tuple, *, create: bool = False) -> None:
        """One short write transaction on the workspace's own file."""
        path = self.path_of(ws_id)
        _forget(path)
        if not create and not path.is_file():
            raise not_found(ws_id)
        try:
            with self._connect(path, create=create) as con:
                if create:
                    con.execute("PRAGMA journal_mode = WAL")
                    con.execute(SCHEMA)
                con.execute("BEGIN IMMEDIATE")
                try:
                    cur = con.execute(sql, params)
                    if cur.rowcount != 1:
                        raise sqlite3.DatabaseError("the workspace row is missing")
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            raise damaged(ws_id, msg("it could not be written"), exc) from exc
        if create:
            try:
                os.chmod(path, 0o600)  # customer data: owner only
            except OSError:
                pass

    # ------------------------------------------------------------------ create / save
    def create(
        self,
        name: str,
        *,
        file_name: str,
        data: bytes,
        sheet: str | None = None,
        is_sample: bool = False,
        roles: ColumnRoles | None = None,
        snapshot: str | None = None,
        inactivity_days: int | None = None,
        intake: IntakeSettings | None = None,
        settings: dict[str, Any] | None = None,
        model: TrainedModel | None = None,
        model_handle: dict[str, Any] | None = None,
        scenarios: dict[str, Any] | None = None,
        notes: str = "",
        rows: int | None = None,
        customers: int | None = None,
    ) -> str:
        """Save a new workspace and return its id (a fresh random token).

        Parameters
        ----------
        name : display name (trimmed; at most 120 characters).
        file_name, data, sheet, is_sample : the uploaded file exactly as given.
        roles, snapshot, inactivity_days : the confirmed roles and intake settings
            (default inactivity window :data:`~churn.settings.DEFAULT_INACTIVITY_DAYS`).
        intake : the same as one :class:`~churn.settings.IntakeSettings` (with the sheet);
            give either it or ``sheet``, ``roles``, ``snapshot`` and ``inactivity_days``.
        settings, model_handle, scenarios : JSON-ready dicts.
        model : a trained model, stored as a skops file.
        notes : free text.
        rows, customers : counts shown in the list.

        Returns
        -------
        str
            The new workspace's id.
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ChurnDataError(
                msg("the file to save is not bytes."), fix=msg("pass the file's bytes.")
            )
        data = bytes(data)
        if intake is None:
            n = DEFAULT_INACTIVITY_DAYS if inactivity_days is None else int(inactivity_days)
            parts = {
                "sheet": sheet,
                "roles": None if roles is None else json_text(roles.to_dict(), msg("column roles")),
                "intake": json_text({"snapshot": snapshot, "inactivity_days": n}, msg("intake")),
            }
        elif (sheet, roles, snapshot, inactivity_days) != (None, None, None, None):
            raise TypeError("give the intake settings or their parts, not both")
        else:
            parts = intake_columns(intake)
        ws_id = new_id()
        while self.exists(ws_id):  # pragma: no cover - 2**-192
            ws_id = new_id()
        now = utc_now()
        values = {
            "id": ws_id,
            "format": FORMAT,
            "name": self._clean_name(name),
            "created": now,
            "updated": now,
            "file_name": str(file_name),
            "file_bytes": data,
            "file_sha256": checksum(data),
            "is_sample": int(bool(is_sample)),
            "rows": rows,
            "customers": customers,
            **parts,
            "settings": json_text(settings or {}, msg("settings")),
            "scenarios": json_text(scenarios or {}, msg("scenarios")),
            "notes": str(notes or ""),
            **model_columns(model, model_handle),
        }
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self._write(
            ws_id,
            f"INSERT INTO workspace ({cols}) VALUES ({marks})",
            tuple(values.values()),
            create=True,
        )
        return ws_id

    @staticmethod
    def _clean_name(name: object) -> str:
        text = " ".join(str(name or "").split())[:MAX_NAME]
        if not text:
            raise ChurnDataError(msg("a workspace needs a name."), fix=msg("type a name."))
        return text

    def save(
        self,
        ws_id: str,
        *,
        name: Any = KEEP,
        roles: Any = KEEP,
        snapshot: Any = KEEP,
        inactivity_days: Any = KEEP,
        intake: Any = KEEP,
        settings: Any = KEEP,
        model: Any = KEEP,
        model_handle: Any = KEEP,
        scenarios: Any = KEEP,
        notes: Any = KEEP,
        rows: Any = KEEP,
        customers: Any = KEEP,
    ) -> None:
        """Update parts of workspace ``ws_id`` in one transaction; :data:`KEEP` (the
        default) leaves a part as it is. ``model=None`` removes the saved model.

        The file itself never changes: a different file is a different workspace
        (:meth:`create`). ``snapshot`` and ``inactivity_days`` are saved together; pass
        both when either changes. ``intake`` saves roles, sheet, snapshot and inactivity
        window at once (an :class:`~churn.settings.IntakeSettings`; None: no confirmed
        roles); give either it or its parts.
        """
        values: dict[str, Any] = {}
        if name is not KEEP:
            values["name"] = self._clean_name(name)
        if intake is not KEEP:
            if any(part is not KEEP for part in (roles, snapshot, inactivity_days)):
                raise TypeError("give the intake settings or their parts, not both")
            values.update({"roles": None} if intake is None else intake_columns(intake))
        if roles is not KEEP:
            values["roles"] = (
                None if roles is None else json_text(roles.to_dict(), msg("column roles"))
            )
        if snapshot is not KEEP or inactivity_days is not KEEP:
            current = self._intake(ws_id) if (snapshot is KEEP or inactivity_days is KEEP) else {}
            intake = {
                "snapshot": current.get("snapshot") if snapshot is KEEP else snapshot,
                "inactivity_days": int(
                    current.get("inactivity_days", DEFAULT_INACTIVITY_DAYS)
                    if inactivity_days is KEEP
                    else inactivity_days
                ),
            }
            values["intake"] = json_text(intake, msg("intake"))
        if settings is not KEEP:
            values["settings"] = json_text(settings or {}, msg("settings"))
        if model is not KEEP:
            values.update(model_columns(model, None if model_handle is KEEP else model_handle))
        elif model_handle is not KEEP:
            values["model_handle"] = json_text(model_handle or {}, msg("model settings"))
        if scenarios is not KEEP:
            values["scenarios"] = json_text(scenarios or {}, msg("scenarios"))
        if notes is not KEEP:
            values["notes"] = str(notes or "")
        if rows is not KEEP:
            values["rows"] = rows
        if customers is not KEEP:
            values["customers"] = customers
        values["updated"] = utc_now()
        sets = ", ".join(f"{k} = ?" for k in values)
        self._write(ws_id, f"UPDATE workspace SET {sets} WHERE id = ?", (*values.values(), ws_id))

    def _intake(self, ws_id: str) -> dict[str, Any]:
        row = self._row(ws_id, "format, intake")
        try:
            return json.loads(row["intake"])
        except (TypeError, ValueError):
            return {}

    # ------------------------------------------------------------------ read
    def exists(self, ws_id: str) -> bool:
        """True when a workspace file with this id exists (damaged or not)."""
        return is_valid_id(ws_id) and self.path_of(ws_id).is_file()

    def load(self, ws_id: str, *, with_model: bool = True, strict: bool = False) -> Workspace:
        """Read workspace ``ws_id`` back, never executing anything stored in it.

        The file, its roles and intake settings must be intact, else
        :class:`WorkspaceError` is raised (a damaged workspace never half-restores a
        table). Optional parts (model, scenarios, settings, notes) that are damaged are
        left out and described in ``Workspace.problems``; with ``strict=True`` they
        raise instead.

        Raises
        ------
        WorkspaceNotFound
            No workspace has this id.
        WorkspaceError
            The workspace is damaged.
        """
        row = self._row(ws_id)
        try:
            data = row["file_bytes"]
            if not isinstance(data, bytes):
                raise TypeError("the file is not stored as bytes")
            if checksum(data) != row["file_sha256"]:
                raise ValueError("the saved file does not match its checksum (truncated?)")
            roles = (
                None if row["roles"] is None else ColumnRoles.from_dict(json.loads(row["roles"]))
            )
            intake = json.loads(row["intake"])
            if not isinstance(intake, dict):
                raise TypeError("the intake settings are not a JSON object")
            base = {
                "id": ws_id,
                "name": str(row["name"]),
                "created": datetime.fromisoformat(row["created"]),
                "updated": datetime.fromisoformat(row["updated"]),
                "file_name": str(row["file_name"]),
                "data": data,
                "sheet": row["sheet"],
                "is_sample": bool(row["is_sample"]),
                "roles": roles,
                "snapshot": intake.get("snapshot"),
                "inactivity_days": int(intake.get("inactivity_days", DEFAULT_INACTIVITY_DAYS)),
                "rows": row["rows"],
                "customers": row["customers"],
            }
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise damaged(ws_id, msg("its file or column roles cannot be read"), exc) from exc

        ws = Workspace(**base)
        problems: list[str] = []
        parts: dict[str, Any] = {}
        for key, what in (
            ("settings", msg("settings")),
            ("scenarios", msg("saved scenarios")),
        ):
            try:
                value = json.loads(row[key])
                if not isinstance(value, dict):
                    raise TypeError("not a JSON object")
                parts[key] = value
            except (TypeError, ValueError) as exc:
                if strict:
                    raise damaged(ws_id, msg("its {what} cannot be read", what=what), exc) from exc
                problems.append(
                    msg(
                        "the {what} could not be read and were left out ({error}).",
                        what=what,
                        error=str(exc),
                    )
                )
        notes = row["notes"]
        parts["notes"] = notes if isinstance(notes, str) else ""
        if with_model and row["model"] is not None:
            try:
                parts.update(read_model(row))
            except (ChurnDataError, TypeError, ValueError, KeyError) as exc:
                if strict:
                    raise damaged(ws_id, msg("its trained model cannot be read"), exc) from exc
                problems.append(
                    msg(
                        "the saved model could not be read and was left out; train it again "
                        "on the Model page ({error}).",
                        error=error_sentence(exc),
                    )
                )
        return replace(ws, problems=tuple(problems), **parts)

    def info(self, ws_id: str) -> WorkspaceInfo:
        """The list line of one workspace; a damaged one comes back with ``problem`` set.

        Read from the file only when it changed since the last time (see ``_INFO_CACHE``).
        """
        path = self.path_of(ws_id)
        stamp = _stamp(path)
        with _INFO_LOCK:
            known = _INFO_CACHE.get(stamp) if stamp else None
            if known is not None:
                _INFO_CACHE.move_to_end(stamp)
                return known
        line = self._read_info(ws_id)
        if stamp and line.ok and _stamp(path) == stamp:  # unchanged while it was read
            with _INFO_LOCK:
                _INFO_CACHE[stamp] = line
                while len(_INFO_CACHE) > _INFO_MAX:
                    _INFO_CACHE.popitem(last=False)
        return line

    def _read_info(self, ws_id: str) -> WorkspaceInfo:
        try:
            return self.info_of(self._row(ws_id, META_COLUMNS))
        except WorkspaceNotFound:
            raise
        except (WorkspaceError, TypeError, ValueError) as exc:
            return WorkspaceInfo(
                id=ws_id,
                name=ws_id[:8],
                created=None,
                updated=self._mtime(ws_id),
                file_name="",
                rows=None,
                customers=None,
                problem=error_sentence(exc),
            )

    @staticmethod
    def info_of(row: Any) -> WorkspaceInfo:
        """The list line of a row read with :data:`~churn.workspace.schema.META_COLUMNS`."""
        return WorkspaceInfo(
            id=str(row["id"]),
            name=str(row["name"]),
            created=datetime.fromisoformat(row["created"]),
            updated=datetime.fromisoformat(row["updated"]),
            file_name=str(row["file_name"]),
            rows=row["rows"] if isinstance(row["rows"], int) else None,
            customers=row["customers"] if isinstance(row["customers"], int) else None,
            has_model=bool(row["has_model"]),
            confirmed=bool(row["has_roles"]),
        )

    def _mtime(self, ws_id: str) -> datetime | None:
        try:
            return datetime.fromtimestamp(self.path_of(ws_id).stat().st_mtime, UTC)
        except OSError:
            return None

    def list_workspaces(self) -> list[WorkspaceInfo]:
        """Every workspace in the folder, most recently updated first; damaged ones are
        listed too, with ``problem`` saying what is wrong."""
        if not self.folder.is_dir():
            return []
        out = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            ws_id = path.name[: -len(SUFFIX)]
            if not is_valid_id(ws_id):
                continue
            try:
                out.append(self.info(ws_id))
            except WorkspaceNotFound:  # deleted while listing
                continue
        epoch = datetime.min.replace(tzinfo=UTC)
        return sorted(out, key=lambda i: (i.updated or epoch, i.id), reverse=True)

    # ------------------------------------------------------------------ manage
    def rename(self, ws_id: str, name: str) -> None:
        """Give workspace ``ws_id`` a new display name."""
        self.save(ws_id, name=name)

    def duplicate(self, ws_id: str, name: str | None = None) -> str:
        """Copy workspace ``ws_id`` under a new id ("copy for a new client").

        The copy has the same file, roles, settings, model, scenarios and notes, a new
        random id, new timestamps, and ``name`` (default: the original's name + " (copy)").
        """
        row = self._row(ws_id)
        values = {k: row[k] for k in row.keys()}
        new = new_id()
        now = utc_now()
        values.update(
            id=new,
            format=FORMAT,
            name=self._clean_name(name or f"{values.get('name') or ''} (copy)"),
            created=now,
            updated=now,
        )
        cols = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self._write(
            new,
            f"INSERT INTO workspace ({cols}) VALUES ({marks})",
            tuple(values.values()),
            create=True,
        )
        return new

    def delete(self, ws_id: str) -> None:
        """Remove workspace ``ws_id`` and its files from disk (also a damaged one)."""
        path = self.path_of(ws_id)
        if not path.is_file():
            raise not_found(ws_id)
        _forget(path)
        for extra in ("-wal", "-shm", ""):
            try:
                Path(f"{path}{extra}").unlink()
            except FileNotFoundError:
                pass

    list = list_workspaces  # noqa: A003 - the store's vocabulary: create, save, load, list
