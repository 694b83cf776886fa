"""The workspace file's layout and codecs: the table, the format number, ids, the folder,
timestamps, checksums and the JSON columns.

Every workspace file holds one row of the ``workspace`` table (:data:`SCHEMA`). The layout
never changes silently: :data:`FORMAT` is bumped when it does, and a file of a newer
format is refused, never guessed at.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.settings import IntakeSettings
from churn.text import msg

__all__ = [
    "BUSY_TIMEOUT_S",
    "ENV_FOLDER",
    "FORMAT",
    "ID_BYTES",
    "MAX_NAME",
    "META_COLUMNS",
    "SCHEMA",
    "SUFFIX",
    "checksum",
    "default_folder",
    "intake_columns",
    "is_valid_id",
    "json_text",
    "new_id",
    "utc_now",
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

#: The one table of a workspace file (one row: the workspace).
SCHEMA = """
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
#: The columns a workspace list line reads (no blobs).
META_COLUMNS = (
    "id, format, name, created, updated, file_name, rows, customers, sheet, is_sample, "
    "model IS NOT NULL AS has_model, roles IS NOT NULL AS has_roles"
)


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


def utc_now() -> str:
    """The current UTC time as the table stores it (ISO 8601, microseconds)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def checksum(data: bytes) -> str:
    """The SHA-256 hex digest every stored blob carries."""
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


def json_text(obj: Any, what: str) -> str:
    """``obj`` as JSON; ``what`` names it in the error (a :func:`msg` text)."""
    try:
        return json.dumps(_plain(obj), ensure_ascii=False, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise ChurnDataError(
            msg("the {what} could not be saved: {error}.", what=what, error=str(exc)),
            fix=msg("keep only numbers, text, dates, lists and dicts in it."),
        ) from exc


def intake_columns(intake: IntakeSettings) -> dict[str, Any]:
    """The settings as the workspace table holds them: roles and sheet in their own
    columns, the rest (snapshot, inactivity window) as the ``intake`` JSON. Every
    workspace ever saved has this layout, so old and new files read the same way."""
    rest = intake.to_dict()
    roles, sheet = rest.pop("roles"), rest.pop("sheet")
    return {
        "roles": json_text(roles, msg("column roles")),
        "sheet": sheet,
        "intake": json_text(rest, msg("intake")),
    }
