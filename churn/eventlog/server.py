"""Event logs on the server, for the Data page: a sample to confirm roles on, then the
customer table aggregated from every file.

Only when the administrator sets ``CHURNLENS_SERVER_DATA`` to a folder, and only Parquet or
CSV files inside it (:func:`churn.eventlog.paths.server_files`). The page shows a sample
of the log (its first rows) where an upload shows the whole file: roles, preview and checks
work on it; on Confirm, :func:`server_log_table` groups every event with DuckDB (memory
bounded) and only the customer table comes back.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field

import pyarrow.parquet as pq

from churn.eventlog.build import customer_table_from_log
from churn.eventlog.paths import server_files
from churn.eventlog.sources import open_files
from churn.settings import IntakeSettings
from churn.table import CustomerTable

#: Rows of a server log shown and used to propose the roles.
SAMPLE_ROWS = 10_000


@dataclass(frozen=True)
class ServerLog:
    """A sample of a server log as Parquet bytes, and a fingerprint of its files (the
    pattern, then each file's path, size and modification time: a changed file is a new
    dataset)."""

    pattern: str
    files: int
    fingerprint: str
    data: bytes = field(repr=False)


def server_log_sample(pattern: str, rows: int = SAMPLE_ROWS) -> ServerLog:
    """The first ``rows`` rows of the server log ``pattern`` (see :func:`server_files`)."""
    _, found = server_files(pattern)
    digest = hashlib.sha256(pattern.strip().encode())
    for f in found:
        st = os.stat(f)
        digest.update(f"\0{f}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    sample = open_files(found, threads=1, ordered=True).table.limit(rows).to_pyarrow()
    buf = io.BytesIO()
    pq.write_table(sample, buf)
    return ServerLog(pattern.strip(), len(found), digest.hexdigest(), buf.getvalue())


def server_log_table(pattern: str, settings: IntakeSettings) -> CustomerTable:
    """The customer table of every event in the server log ``pattern`` (DuckDB)."""
    _, found = server_files(pattern)
    return customer_table_from_log(open_files(found).table, settings)
