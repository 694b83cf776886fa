"""Opening an event log where it lives: an ibis table bound to the engine that aggregates it.

* files (a folder or a glob of Parquet or CSV): an embedded DuckDB with a memory limit and a
  thread count, reading the files where they are (out of core: a log larger than memory is
  streamed, spilling to a temporary folder);
* a connection URL (``postgresql://user@host/db``) and a table name: the database itself,
  with the password from the environment (:mod:`churn.eventlog.paths`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from churn.errors import ChurnDataError
from churn.eventlog.paths import FILE_KINDS, PASSWORD_ENV, files_of, is_url, resolve_url
from churn.text import msg

#: DuckDB's default memory limit and threads for a log read from files.
DEFAULT_MEMORY_LIMIT = "3GB"
DEFAULT_THREADS = 2


@dataclass(frozen=True)
class LogSource:
    """An opened event log: the ibis table and how to name it in messages (no secrets)."""

    table: ir.Table
    shown: str
    kind: str  # "parquet", "csv" or "database"


def duckdb_backend(
    memory_limit: str = DEFAULT_MEMORY_LIMIT, threads: int = DEFAULT_THREADS, ordered: bool = False
):
    """An embedded DuckDB with a memory cap (it spills to a temporary folder beyond it).
    ``ordered`` keeps the files' row order (a sample is then the first rows, the same each
    time); grouping does not need it and runs leaner without."""
    return ibis.duckdb.connect(
        memory_limit=memory_limit, threads=int(threads), preserve_insertion_order=ordered
    )


def open_files(
    source: str | list[str],
    *,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int = DEFAULT_THREADS,
    ordered: bool = False,
) -> LogSource:
    """The Parquet or CSV files at ``source`` (a folder, a glob, or a list of files from
    :func:`~churn.eventlog.paths.files_of`) as one DuckDB table."""
    found = files_of(source) if isinstance(source, str) else list(source)
    kind = FILE_KINDS[Path(found[0]).suffix.lower()]
    con = duckdb_backend(memory_limit, threads, ordered)
    if kind == "parquet":
        t = con.read_parquet(found)
    else:
        t = con.read_csv(found)
    shown = source if isinstance(source, str) else f"{len(found)} {kind} files"
    return LogSource(t, shown, kind)


def open_database(source: str, table: str, **kwargs: Any) -> LogSource:
    """``table`` in the database at the URL ``source`` (see :func:`resolve_url`)."""
    url, shown = resolve_url(source)
    try:
        con = ibis.connect(url, **kwargs)
        t = con.table(table)
    except Exception as exc:  # noqa: BLE001 - the driver's error may quote the URL: never shown
        raise ChurnDataError(
            msg(
                "cannot read table '{table}' at {url} ({kind})",
                table=table,
                url=shown,
                kind=type(exc).__name__,
            ),
            fix=msg("check the URL, the table name and {name}", name=PASSWORD_ENV),
        ) from None
    return LogSource(t, f"{shown} {table}", "database")


def open_log(source: str, table: str | None = None, **kwargs: Any) -> LogSource:
    """Open an event log: a database table (``source`` a URL and ``table`` given), else the
    Parquet or CSV files at ``source`` (``kwargs`` go to DuckDB: ``memory_limit``,
    ``threads``)."""
    if is_url(source):
        if not table:
            raise ChurnDataError(
                msg("a connection URL needs a table name"), fix=msg("add --table NAME")
            )
        return open_database(source, table)
    if table:
        raise ChurnDataError(
            msg("--table goes with a connection URL, not with files"),
            fix=msg("give a URL such as postgresql://user@host/db, or leave --table out"),
        )
    return open_files(source, **kwargs)
