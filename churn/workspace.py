"""Workspaces: a client's analysis saved to disk so it survives a refresh or a restart.

A workspace holds everything needed to rebuild the exact state of an analysis: the
uploaded file's bytes and name (so the same customer table can be built again), the sheet,
the confirmed :class:`~churn.roles.ColumnRoles`, the intake settings (snapshot date and
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
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.roles import ColumnRoles
from churn.text import msg

if TYPE_CHECKING:
    from churn.model import TrainedModel

__all__ = [
    "ENV_FOLDER",
    "KEEP",
    "Workspace",
    "WorkspaceError",
    "WorkspaceInfo",
    "WorkspaceNotFound",
    "WorkspaceStore",
    "default_folder",
    "is_valid_id",
    "new_id",
]

#: Environment variable naming the folder of the workspace files.
ENV_FOLDER = "CHURNLENS_WORKSPACES"
#: Bumped when the table layout changes; a newer file is refused, never guessed at.
FORMAT = 1
SUFFIX = ".churnlens.sqlite"
ID_BYTES = 24  # -> 32 url-safe characters
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
MAX_NAME = 120
BUSY_TIMEOUT_S = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS workspace (
    id TEXT PRIMARY KEY,
    format INTEGER NOT NULL,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_bytes BLOB NOT NULL,
    file_sha256 TEXT NOT NULL,
    sheet TEXT,
    is_sample INTEGER NOT NULL DEFAULT 0,
    rows INTEGER,
    customers INTEGER,
    roles TEXT,
    intake TEXT NOT NULL,
    settings TEXT NOT NULL,
    model BLOB,
    model_sha256 TEXT,
    model_handle TEXT,
    model_scores TEXT,
    scenarios TEXT NOT NULL,
    notes TEXT NOT NULL
)
"""
_META_COLUMNS = (
    "id, format, name, created, updated, file_name, rows, customers, sheet, is_sample, "
    "model IS NOT NULL AS has_model, roles IS NOT NULL AS has_roles"
)


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


class WorkspaceError(ChurnDataError):
    """A workspace that cannot be read or written; names the workspace and the fix."""

    def __init__(self, ws_id: str, problem: str, fix: str | None = None) -> None:
        self.ws_id = ws_id
        super().__init__(problem, fix=fix)


class WorkspaceNotFound(WorkspaceError):
    """No workspace has this id (never saved, deleted, or not a workspace id at all)."""


def new_id() -> str:
    """A fresh workspace id: 32 url-safe characters from 192 random bits."""
    return secrets.token_urlsafe(ID_BYTES)


def is_valid_id(ws_id: object) -> bool:
    """True when ``ws_id`` has the exact shape of an id from :func:`new_id`."""
    return isinstance(ws_id, str) and bool(_ID_RE.fullmatch(ws_id))


def default_folder() -> Path:
    """``$CHURNLENS_WORKSPACES`` if set, else ``./workspaces`` in the working directory."""
    env = os.environ.get(ENV_FOLDER, "").strip()
    return Path(env).expanduser() if env else Path.cwd() / "workspaces"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _plain(obj: Any) -> Any:
    """JSON-ready copy of ``obj``: numpy scalars, timestamps, tuples and sets made plain."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return _plain(obj.item())
    if obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, pd.Timestamp | datetime):
        return obj.isoformat()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, str | int | float | bool):
        return obj
    raise TypeError(f"{type(obj).__name__} cannot be saved in a workspace")


def _dumps(obj: Any, what: str) -> str:
    """``obj`` as JSON; ``what`` names it in the error (a :func:`msg` text)."""
    try:
        return json.dumps(_plain(obj), ensure_ascii=False, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ChurnDataError(
            msg("the {what} could not be saved: {error}.", what=what, error=str(exc)),
            fix=msg("keep only numbers, text, dates, lists and dicts in it."),
        ) from exc


def _error_sentence(exc: BaseException) -> str:
    """``str(exc)``; for a ``ChurnDataError`` as translatable text (problem, column, fix)."""
    return exc.as_text() if isinstance(exc, ChurnDataError) else str(exc)


def _model_bytes(model: TrainedModel) -> bytes:
    """``churn.model.save_model`` as bytes (skops, never pickle)."""
    from churn.model import save_model

    with tempfile.TemporaryDirectory() as tmp:
        return save_model(model, Path(tmp) / "model.skops").read_bytes()


def _model_from_bytes(data: bytes) -> TrainedModel:
    """``churn.model.load_model`` (allow-listed types only) from bytes."""
    from churn.model import load_model

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.skops"
        path.write_bytes(data)
        return load_model(path)


#: dtypes the evaluation scores may have; anything else is stored as text.
_SCORE_DTYPES = ("float64", "int64", "bool")


def _scores_json(frame: pd.DataFrame) -> str:
    """The model's evaluation scores as column lists with their dtypes (exact floats)."""
    cols = []
    for name in frame.columns:
        s = frame[name]
        dtype = str(s.dtype)
        if dtype in _SCORE_DTYPES:
            values = [None if isinstance(v, float) and math.isnan(v) else v for v in s.tolist()]
        else:
            dtype = "str"
            values = [None if pd.isna(v) else str(v) for v in s.tolist()]
        cols.append({"name": str(name), "dtype": dtype, "values": values})
    return json.dumps({"columns": cols}, allow_nan=False)


def _scores_frame(text: str) -> pd.DataFrame:
    data = json.loads(text)
    out = {}
    for col in data["columns"]:
        dtype, values = col["dtype"], col["values"]
        if dtype == "float64":
            out[col["name"]] = pd.Series([np.nan if v is None else v for v in values], dtype=float)
        elif dtype in ("int64", "bool"):
            out[col["name"]] = pd.Series(values, dtype=dtype)
        elif dtype == "str":
            out[col["name"]] = pd.Series(values, dtype=object)
        else:
            raise ValueError(f"unexpected column type {dtype!r}")
    return pd.DataFrame(out)


@dataclass(frozen=True)
class WorkspaceInfo:
    """One line of the workspace list (no blobs are read to make it).

    ``problem`` is None for a healthy workspace, else a sentence saying what is wrong
    (the other attributes then hold whatever could be read).
    """

    id: str
    name: str
    created: datetime | None
    updated: datetime | None
    file_name: str
    rows: int | None
    customers: int | None
    has_model: bool = False
    confirmed: bool = False
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True, eq=False)
class Workspace:
    """A saved analysis, as read back by :meth:`WorkspaceStore.load`.

    Attributes
    ----------
    id, name : the workspace's id (secret token) and its display name.
    created, updated : UTC timestamps.
    file_name, data, sheet, is_sample : the uploaded file exactly as given.
    roles : the confirmed column roles, or None when roles were never confirmed.
    snapshot, inactivity_days : the intake settings used with the roles.
    settings : free JSON settings (language, page choices...).
    model : the trained model (None when there is none or it could not be read).
    model_handle : the settings that identify the model (the Model page's handle).
    scenarios : saved what-if scenarios (JSON).
    notes : free text.
    rows, customers : rows in the file and customers in its table (None if unknown).
    problems : parts that were damaged and left out (each a sentence); empty when whole.
    """

    id: str
    name: str
    created: datetime
    updated: datetime
    file_name: str
    data: bytes = field(repr=False)
    sheet: str | None = None
    is_sample: bool = False
    roles: ColumnRoles | None = None
    snapshot: str | None = None
    inactivity_days: int = 90
    settings: dict[str, Any] = field(default_factory=dict)
    model: TrainedModel | None = field(default=None, repr=False)
    model_handle: dict[str, Any] | None = None
    scenarios: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    rows: int | None = None
    customers: int | None = None
    problems: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        """SHA-256 of the file bytes (the same key the app's caches use)."""
        return _sha(self.data)


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

    def _missing(self, ws_id: str) -> WorkspaceNotFound:
        return WorkspaceNotFound(
            ws_id,
            msg("no workspace with this id was found (it may have been deleted)."),
            fix=msg("open another workspace from the list, or load a file on the Data page."),
        )

    def _damaged(self, ws_id: str, what: str, exc: BaseException | None = None) -> WorkspaceError:
        """``what`` (a :func:`msg` text) is the damaged part; ``exc`` the technical cause."""
        return WorkspaceError(
            ws_id,
            msg(
                "this workspace is damaged: {what} ({error}).",
                what=what,
                error=f"{type(exc).__name__}: {exc}",
            )
            if exc is not None
            else msg("this workspace is damaged: {what}.", what=what),
            fix=msg(
                "delete it from the workspace list and load the file again; "
                "the other workspaces are not affected."
            ),
        )

    def _row(self, ws_id: str, columns: str = "*") -> sqlite3.Row:
        path = self.path_of(ws_id)
        if not path.is_file():
            raise self._missing(ws_id)
        try:
            with self._connect(path) as con:
                con.row_factory = sqlite3.Row
                row = con.execute(f"SELECT {columns} FROM workspace WHERE id = ?", (ws_id,))
                row = row.fetchone()
        except sqlite3.Error as exc:
            raise self._damaged(ws_id, msg("its file is not a readable database"), exc) from exc
        if row is None:
            raise self._damaged(ws_id, msg("its file holds no workspace"))
        fmt = row["format"] if "format" in row.keys() else FORMAT
        if not isinstance(fmt, int) or fmt > FORMAT:
            raise WorkspaceError(
                ws_id,
                msg("this workspace was saved by a newer ChurnLens (format {format}).", format=fmt),
                fix=msg("open it with the ChurnLens version that saved it."),
            )
        return row

    def _write(self, ws_id: str, sql: str, params: tuple, *, create: bool = False) -> None:
        """One short write transaction on the workspace's own file."""
        path = self.path_of(ws_id)
        if not create and not path.is_file():
            raise self._missing(ws_id)
        try:
            with self._connect(path, create=create) as con:
                if create:
                    con.execute("PRAGMA journal_mode = WAL")
                    con.execute(_SCHEMA)
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
            raise self._damaged(ws_id, msg("it could not be written"), exc) from exc
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
        inactivity_days: int = 90,
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
        roles, snapshot, inactivity_days : the confirmed roles and intake settings.
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
        ws_id = new_id()
        while self.path_of(ws_id).exists():  # pragma: no cover - 2**-192
            ws_id = new_id()
        now = _now()
        values = {
            "id": ws_id,
            "format": FORMAT,
            "name": self._clean_name(name),
            "created": now,
            "updated": now,
            "file_name": str(file_name),
            "file_bytes": data,
            "file_sha256": _sha(data),
            "sheet": sheet,
            "is_sample": int(bool(is_sample)),
            "rows": rows,
            "customers": customers,
            "roles": None if roles is None else _dumps(roles.to_dict(), msg("column roles")),
            "intake": _dumps(
                {"snapshot": snapshot, "inactivity_days": int(inactivity_days)}, msg("intake")
            ),
            "settings": _dumps(settings or {}, msg("settings")),
            "scenarios": _dumps(scenarios or {}, msg("scenarios")),
            "notes": str(notes or ""),
            **self._model_values(model, model_handle),
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
    def _model_values(model: TrainedModel | None, handle: dict[str, Any] | None) -> dict:
        if model is None:
            return {"model": None, "model_sha256": None, "model_handle": None, "model_scores": None}
        blob = _model_bytes(model)
        return {
            "model": blob,
            "model_sha256": _sha(blob),
            "model_handle": _dumps(handle or {}, msg("model settings")),
            "model_scores": _scores_json(model.predictions),
        }

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
        both when either changes.
        """
        values: dict[str, Any] = {}
        if name is not KEEP:
            values["name"] = self._clean_name(name)
        if roles is not KEEP:
            values["roles"] = (
                None if roles is None else _dumps(roles.to_dict(), msg("column roles"))
            )
        if snapshot is not KEEP or inactivity_days is not KEEP:
            current = self._intake(ws_id) if (snapshot is KEEP or inactivity_days is KEEP) else {}
            intake = {
                "snapshot": current.get("snapshot") if snapshot is KEEP else snapshot,
                "inactivity_days": int(
                    current.get("inactivity_days", 90)
                    if inactivity_days is KEEP
                    else inactivity_days
                ),
            }
            values["intake"] = _dumps(intake, msg("intake"))
        if settings is not KEEP:
            values["settings"] = _dumps(settings or {}, msg("settings"))
        if model is not KEEP:
            values.update(self._model_values(model, None if model_handle is KEEP else model_handle))
        elif model_handle is not KEEP:
            values["model_handle"] = _dumps(model_handle or {}, msg("model settings"))
        if scenarios is not KEEP:
            values["scenarios"] = _dumps(scenarios or {}, msg("scenarios"))
        if notes is not KEEP:
            values["notes"] = str(notes or "")
        if rows is not KEEP:
            values["rows"] = rows
        if customers is not KEEP:
            values["customers"] = customers
        values["updated"] = _now()
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
            if _sha(data) != row["file_sha256"]:
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
                "inactivity_days": int(intake.get("inactivity_days", 90)),
                "rows": row["rows"],
                "customers": row["customers"],
            }
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise self._damaged(ws_id, msg("its file or column roles cannot be read"), exc) from exc

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
                    raise self._damaged(
                        ws_id, msg("its {what} cannot be read", what=what), exc
                    ) from exc
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
                parts.update(self._load_model(row))
            except (ChurnDataError, TypeError, ValueError, KeyError) as exc:
                if strict:
                    raise self._damaged(
                        ws_id, msg("its trained model cannot be read"), exc
                    ) from exc
                problems.append(
                    msg(
                        "the saved model could not be read and was left out; train it again "
                        "on the Model page ({error}).",
                        error=_error_sentence(exc),
                    )
                )
        return replace(ws, problems=tuple(problems), **parts)

    @staticmethod
    def _load_model(row: sqlite3.Row) -> dict[str, Any]:
        blob = row["model"]
        if not isinstance(blob, bytes) or _sha(blob) != row["model_sha256"]:
            raise ValueError("the model bytes do not match their checksum (truncated?)")
        model = _model_from_bytes(blob)
        if row["model_scores"]:
            model = replace(model, predictions=_scores_frame(row["model_scores"]))
        handle = json.loads(row["model_handle"]) if row["model_handle"] else None
        if handle is not None and not isinstance(handle, dict):
            raise TypeError("the model settings are not a JSON object")
        return {"model": model, "model_handle": handle}

    def info(self, ws_id: str) -> WorkspaceInfo:
        """The list line of one workspace; a damaged one comes back with ``problem`` set."""
        try:
            row = self._row(ws_id, _META_COLUMNS)
            return WorkspaceInfo(
                id=ws_id,
                name=str(row["name"]),
                created=datetime.fromisoformat(row["created"]),
                updated=datetime.fromisoformat(row["updated"]),
                file_name=str(row["file_name"]),
                rows=row["rows"] if isinstance(row["rows"], int) else None,
                customers=row["customers"] if isinstance(row["customers"], int) else None,
                has_model=bool(row["has_model"]),
                confirmed=bool(row["has_roles"]),
            )
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
                problem=_error_sentence(exc),
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
        now = _now()
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
            raise self._missing(ws_id)
        for extra in ("-wal", "-shm", ""):
            try:
                Path(f"{path}{extra}").unlink()
            except FileNotFoundError:
                pass

    list = list_workspaces  # noqa: A003 - the store's vocabulary: create, save, load, list
