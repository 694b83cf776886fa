"""The shared cached wrappers: the file read, the proposed roles, the customer table and
its validation.

This module and its siblings ``ui/cache_<page>.py`` are the only places that use
``st.cache_data`` / ``st.cache_resource``; they only wrap ``churn`` calls and never draw.
The page controllers (``ui.pages``) call them:

- ``ui/cache_data_page.py``: label values, ambiguous dates, the inactivity preview;
- ``ui/cache_over_time.py``: periods, customer lists, cohorts, survival, forecast;
- ``ui/cache_segments.py``: churn by segment, value tiers, RFM, clusters, warning signs;
- ``ui/cache_model.py``: training (``st.cache_resource``), evaluation, scores, exports;
- ``ui/cache_explain.py``: the explainer, drivers, the at-risk list, one customer;
- ``ui/cache_whatif.py``: what-if, suggestions and segment scenarios;
- ``ui/cache_report.py``: the built report;
- ``ui/cache_alive.py``: P(alive) of an event log (BG/NBD), its tracking frame and map.

Every cached function is keyed on explicit text keys (a SHA-256 of the uploaded bytes,
plus the confirmed roles and settings), never on Streamlit's own hashing of a large
frame: arguments whose names start with ``_`` are not hashed (DESIGN rule 7). Caches are
bounded in entries and time so a long workshop day does not grow memory without limit.

The file read and the customer table are ``st.cache_resource``: ``st.cache_data`` would
unpickle a fresh copy on every call, about 0.5 s per call for a million-row table, on
every rerun of every page. The cached objects are shared by every session, so their
arrays are made read-only (an in-place write raises instead of changing another user's
data) and callers get a shallow copy (adding or replacing a column stays local).

Uploads are read in a worker process (``churn.contain``): one worker reads the file and
proposes its roles, and both answers share one cache entry.

The heavy calls (reading, the customer table, training, SHAP, the leaderboard) go through
``ui.jobs.once``: sessions asking for the same key at the same moment compute it once
(the others wait for that result), in a bounded queue whose place a waiting participant
sees.
"""

from __future__ import annotations

import dataclasses
import json
import threading

import numpy as np
import pandas as pd
import streamlit as st

from churn.errors import ChurnDataError
from churn.table import CustomerTable
from churn.text import from_json, to_json
from ui import jobs
from ui.state import Confirmed, Dataset

_TTL = 4 * 3600  # seconds
_FRAMES = 16  # cached reads / tables
_SMALL = 64  # cached small results


def _freeze(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark the frame's numpy arrays read-only (shared cache entries are never edited)."""
    for block in frame._mgr.blocks:
        values = getattr(block, "values", None)
        if isinstance(values, np.ndarray):
            values.flags.writeable = False
    return frame


def _shallow(obj, **changes):
    """A copy of the dataclass ``obj`` whose frame is a shallow copy of the cached one."""
    return dataclasses.replace(obj, frame=obj.frame.copy(deep=False), **changes)


#: The name the shared read is given. The reader takes the file's kind from its bytes and
#: uses the name only in its sentences, so the same bytes under thirty names are read once
#: (keyed on content hash + sheet) and each session's own name is put back afterwards.
_SHARED_NAME = "<shared-upload>"


@st.cache_resource(max_entries=_FRAMES, ttl=_TTL, show_spinner=False)
def _read(content_hash: str, sheet: str | None, _data: bytes):
    """(ReadResult, proposed roles, None), or (None, None, the error as JSON).

    One worker process reads the file and proposes its roles (``churn.contain``), so a
    file that crashes a reader or runs away with memory fails for its user alone. A
    ``ChurnDataError`` is cached too (as JSON, raised afresh each time): the same bytes
    fail the same way, and a file that crashed a worker is not read again on every rerun.
    """
    from churn.contain import read_contained

    try:
        res, roles = read_contained(_data, name=_SHARED_NAME, sheet=sheet)
    except ChurnDataError as exc:
        if getattr(exc, "reason", None) == "time":
            raise  # a busy machine may be the cause: the next attempt reads again
        return None, None, exc.to_json()
    _freeze(res.frame)
    if sheet is None and res.sheet is not None:
        _remember_sheet(content_hash, res.sheet)
    return res, roles, None


#: content hash -> the sheet a read without a sheet picked. Asking for that sheet by name
#: reuses the same entry (same frame, same roles) instead of reading it again.
_PICKED: dict[str, str] = {}


_PICKED_LOCK = threading.Lock()


def _remember_sheet(content_hash: str, sheet: str) -> None:
    with _PICKED_LOCK:
        _PICKED[content_hash] = sheet
        while len(_PICKED) > 4 * _FRAMES:
            _PICKED.pop(next(iter(_PICKED)))


def _relabel(value, name: str):
    """``value`` (JSON data of ``churn.text.to_json``) with the shared name replaced by
    the session's own file name."""
    text = json.dumps(value)
    if _SHARED_NAME not in text:
        return value
    return json.loads(text.replace(_SHARED_NAME, json.dumps(name or "")[1:-1]))


def _entry(content_hash: str, name: str, sheet: str | None, data: bytes):
    if sheet is not None and _PICKED.get(content_hash) == sheet:
        sheet = None
    res, roles, error = jobs.once(
        ("read", content_hash, sheet), lambda: _read(content_hash, sheet, data)
    )
    if error is not None:
        raise ChurnDataError.from_json(_relabel(error, name))
    if any(_SHARED_NAME in str(note) for note in res.notes):
        res = dataclasses.replace(res, notes=from_json(_relabel(to_json(res.notes), name)))
    return res, roles


def read(content_hash: str, name: str, sheet: str | None, _data: bytes):
    """Read an uploaded file (``churn.io.read_table``), keyed on its content hash and
    sheet (the name only labels the sentences: the same bytes under two names read once)."""
    return _shallow(_entry(content_hash, name, sheet, _data)[0])


def read_dataset(ds: Dataset, sheet: str | None = None):
    return read(ds.content_hash, ds.name, sheet if sheet is not None else ds.sheet, ds.data)


def propose_roles(content_hash: str, name: str, sheet: str | None, _data: bytes):
    """Proposed column roles for a file (``churn.roles.infer_roles``), from the same
    cached worker answer as :func:`read` (a frozen ``ColumnRoles``, safe to share)."""
    return _entry(content_hash, name, sheet, _data)[1]


@st.cache_resource(max_entries=_FRAMES, ttl=_TTL, show_spinner=False)
def _table(key: str, _ds: Dataset, _conf: Confirmed) -> CustomerTable:
    from churn.shapes import build_customer_table

    if _ds.log_source is not None:  # an event log on the server: DuckDB groups every file
        from churn.eventlog import server_log_table  # ibis: seconds to import

        table = server_log_table(_ds.log_source, _conf.settings)
        _freeze(table.frame)
        return table
    frame = read(_ds.content_hash, _ds.name, _conf.sheet, _ds.data).frame
    # the whole settings object: the table (and a model trained on it) records the sheet too
    table = build_customer_table(frame, _conf.settings)
    _freeze(table.frame)
    return table


def customer_table(ds: Dataset, conf: Confirmed) -> CustomerTable:
    """The confirmed customer table, keyed on content hash + roles + settings."""
    return _shallow(jobs.once(("table", conf.key), lambda: _table(conf.key, ds, conf)))


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _issues(key: str, _ds: Dataset, _conf: Confirmed):
    from churn.validate import validate

    frame = read(_ds.content_hash, _ds.name, _conf.sheet, _ds.data).frame
    return validate(frame, _conf.roles, customer_table(_ds, _conf))


def validation_issues(ds: Dataset, conf: Confirmed):
    return _issues(conf.key, ds, conf)
