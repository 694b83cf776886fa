"""Where an event log lives, checked without opening it (no ibis, no engine): file
patterns, connection URLs and their secrets, and the guard of server paths.

Credentials come from the environment only: the password of a URL is
``CHURNLENS_DB_PASSWORD`` (or the driver's own variable, e.g. ``PGPASSWORD``), or the whole
URL is read from a variable named by ``env:NAME``. A URL typed with a password in it is
refused, and :func:`mask_url` hides any password in what is shown.

:func:`server_files` is the Data page's guard for paths on the server: off unless
``CHURNLENS_SERVER_DATA`` names a folder, and then only Parquet or CSV files inside it.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from churn.errors import ChurnDataError
from churn.text import msg
from churn.urls import mask_url  # noqa: F401 (re-exported: the engine's callers use it)

#: Environment variable holding the password of a database URL.
PASSWORD_ENV = "CHURNLENS_DB_PASSWORD"
#: Environment variable naming the one server folder the Data page may read logs from.
SERVER_DATA_ENV = "CHURNLENS_SERVER_DATA"
FILE_KINDS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def is_url(source: str) -> bool:
    """Whether ``source`` is a connection URL (``scheme://...``) or ``env:NAME``."""
    return "://" in source or source.startswith("env:")


def is_log_source(source: str, table: str | None = None) -> bool:
    """Whether ``source`` needs the engine: a URL, a table, a folder or a glob pattern."""
    if table or is_url(source):
        return True
    if Path(source).is_file():  # a file named "sales [2024].csv" is a file, not a pattern
        return False
    return Path(source).is_dir() or glob.has_magic(source)


def resolve_url(source: str) -> tuple[str, str]:
    """The URL to connect with (password from the environment) and the URL to show.

    Raises
    ------
    ChurnDataError
        ``env:NAME`` names an unset variable, or a typed URL holds a password.
    """
    if source.startswith("env:"):
        name = source[4:]
        url = os.environ.get(name, "")
        if not url:
            raise ChurnDataError(
                msg("the environment variable '{name}' is not set", name=name),
                fix=msg("export {name}=<connection URL> before starting", name=name),
            )
        return url, mask_url(url)
    parts = urlsplit(source)
    if parts.password is not None:
        raise ChurnDataError(
            msg("the connection URL holds a password: {url}", url=mask_url(source)),
            fix=msg("leave the password out of the URL and set it in {name}", name=PASSWORD_ENV),
        )
    secret = os.environ.get(PASSWORD_ENV)
    if secret and parts.username:
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        netloc = f"{quote(parts.username, safe='')}:{quote(secret, safe='')}@{host}"
        url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
        return url, source
    return source, source


def files_of(source: str) -> list[str]:
    """The Parquet or CSV files of a folder (every level below it) or a glob pattern.

    Raises
    ------
    ChurnDataError
        Nothing matches, or the files mix kinds (Parquet and CSV) or are neither.
    """
    if Path(source).is_dir():
        found = [
            str(p)
            for p in sorted(Path(source).rglob("*"))
            if p.is_file() and p.suffix.lower() in FILE_KINDS
        ]
    else:
        found = sorted(p for p in glob.glob(source, recursive=True) if Path(p).is_file())
    if not found:
        raise ChurnDataError(
            msg("no Parquet or CSV file found at '{source}'", source=source),
            fix=msg("give a folder of .parquet or .csv files, or a pattern such as logs/*.parquet"),
        )
    kinds = {FILE_KINDS.get(Path(p).suffix.lower()) for p in found}
    if len(kinds) != 1 or None in kinds:
        raise ChurnDataError(
            msg("'{source}' holds files of several kinds or not Parquet/CSV", source=source),
            fix=msg("keep one kind of file (.parquet or .csv) in the folder or pattern"),
        )
    return found


def server_root() -> Path | None:
    """The folder server paths may be read from (``CHURNLENS_SERVER_DATA``); None: off."""
    root = os.environ.get(SERVER_DATA_ENV, "").strip()
    if not root:
        return None
    path = Path(root).resolve()
    return path if path.is_dir() else None


def server_files(pattern: str) -> tuple[Path, list[str]]:
    """The files a server path typed on the Data page names, inside the allowed folder.

    ``pattern`` is a folder or a glob, relative to the allowed folder (or absolute inside
    it). Every matching file must resolve (after symbolic links) inside that folder and be
    Parquet or CSV.

    Raises
    ------
    ChurnDataError
        Server paths are off, or the pattern leaves the allowed folder or matches nothing.
    """
    root = server_root()
    if root is None:
        raise ChurnDataError(
            msg("reading files on the server is off"),
            fix=msg("upload a file, or ask the administrator to set {name}", name=SERVER_DATA_ENV),
        )
    typed = pattern.strip()
    full = typed if os.path.isabs(typed) else str(root / typed)
    outside = ChurnDataError(
        msg("'{path}' is outside the folder the server allows", path=typed),
        fix=msg("give a path inside {root}", root=str(root)),
    )
    if ".." in Path(typed).parts or not Path(os.path.abspath(full)).is_relative_to(root):
        raise outside
    found = files_of(full)
    for f in found:
        if not Path(f).resolve().is_relative_to(root):
            raise outside
    return root, found
