"""Event logs read where they live: one portable aggregation to the customer table.

An event log too big for pandas (hundreds of millions of rows in Parquet files or a
warehouse) is grouped by the engine that holds it; only one row per customer comes back.
The same ibis expression runs on DuckDB (embedded, memory bounded, out of core on Parquet
or CSV), on a SQL database such as PostgreSQL, and on Spark.

- :mod:`~churn.eventlog.query` -- :func:`customer_expr`, the aggregation as an ibis
  expression (the twin of the pandas event-log shape), and :func:`log_facts_expr`.
- :mod:`~churn.eventlog.build` -- :func:`customer_table_from_log`: run it, get a
  :class:`~churn.table.CustomerTable` like the pandas path's.
- :mod:`~churn.eventlog.sources` -- :func:`open_log`: a folder or glob of Parquet/CSV
  files on DuckDB, or a URL and a table.
- :mod:`~churn.eventlog.server` -- :func:`server_log_sample` and :func:`server_log_table`,
  the Data page's server paths (a sample to confirm on, then every event).
- :mod:`~churn.eventlog.paths` -- checks that need no engine: :func:`is_log_source`,
  :func:`mask_url`, :func:`resolve_url` (credentials from the environment only) and
  :func:`server_files`, the guard for server paths typed on the Data page.

ibis takes seconds to import, so the names of ``query``, ``build`` and ``sources`` load on
first use (``churn.eventlog.open_log`` imports ibis then); ``paths`` is plain Python.
"""

from __future__ import annotations

import importlib
from typing import Any

from churn.eventlog.paths import (
    FILE_KINDS,
    PASSWORD_ENV,
    SERVER_DATA_ENV,
    files_of,
    is_log_source,
    is_url,
    mask_url,
    resolve_url,
    server_files,
    server_root,
)

#: Names loaded on first use (they import ibis), and the module holding each.
_LAZY = {
    "LogColumns": "query",
    "customer_expr": "query",
    "log_facts_expr": "query",
    "customer_frame": "build",
    "customer_table_from_log": "build",
    "log_columns": "build",
    "LogSource": "sources",
    "duckdb_backend": "sources",
    "open_log": "sources",
    "ServerLog": "server",
    "server_log_sample": "server",
    "server_log_table": "server",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"churn.eventlog.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'churn.eventlog' has no attribute {name!r}")


__all__ = [
    "FILE_KINDS",
    "PASSWORD_ENV",
    "SERVER_DATA_ENV",
    "LogColumns",
    "LogSource",
    "customer_expr",
    "customer_frame",
    "customer_table_from_log",
    "duckdb_backend",
    "files_of",
    "is_log_source",
    "is_url",
    "log_columns",
    "log_facts_expr",
    "mask_url",
    "open_log",
    "resolve_url",
    "server_files",
    "server_log_sample",
    "server_log_table",
    "server_root",
    "ServerLog",
]
