"""The only place ``st.cache_data`` / ``st.cache_resource`` wrap library functions.

Every cached function is keyed on explicit text keys (a SHA-256 of the uploaded bytes,
plus the confirmed roles and settings), never on Streamlit's own hashing of a large
frame: arguments whose names start with ``_`` are not hashed (DESIGN rule 7). Caches are
bounded in entries and time so a long workshop day does not grow memory without limit.

The file read and the customer table are ``st.cache_resource``: ``st.cache_data`` would
unpickle a fresh copy on every call, about 0.5 s per call for a million-row table, on
every rerun of every page. The cached objects are shared by every session, so their
arrays are made read-only (an in-place write raises instead of changing another user's
data) and callers get a shallow copy (adding or replacing a column stays local).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

from churn.table import CustomerTable
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


@st.cache_resource(max_entries=_FRAMES, ttl=_TTL, show_spinner=False)
def _read(content_hash: str, name: str, sheet: str | None, _data: bytes):
    from churn.io import read_table

    res = read_table(_data, name=name, sheet=sheet)
    _freeze(res.frame)
    return res


def read(content_hash: str, name: str, sheet: str | None, _data: bytes):
    """Read an uploaded file (``churn.io.read_table``), keyed on its content hash."""
    return _shallow(_read(content_hash, name, sheet, _data))


def read_dataset(ds: Dataset, sheet: str | None = None):
    return read(ds.content_hash, ds.name, sheet if sheet is not None else ds.sheet, ds.data)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def propose_roles(content_hash: str, name: str, sheet: str | None, _data: bytes):
    """Proposed column roles for a file (``churn.roles.infer_roles``)."""
    from churn.roles import infer_roles

    return infer_roles(read(content_hash, name, sheet, _data).frame)


@st.cache_resource(max_entries=_FRAMES, ttl=_TTL, show_spinner=False)
def _table(key: str, _ds: Dataset, _conf: Confirmed) -> CustomerTable:
    from churn.shapes import build_customer_table

    frame = read(_ds.content_hash, _ds.name, _conf.sheet, _ds.data).frame
    table = build_customer_table(
        frame,
        _conf.roles,
        snapshot=_conf.snapshot,
        inactivity_days=_conf.inactivity_days,
    )
    _freeze(table.frame)
    return table


def customer_table(ds: Dataset, conf: Confirmed) -> CustomerTable:
    """The confirmed customer table, keyed on content hash + roles + settings."""
    return _shallow(_table(conf.key, ds, conf))


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _issues(key: str, _ds: Dataset, _conf: Confirmed):
    from churn.validate import validate

    frame = read(_ds.content_hash, _ds.name, _conf.sheet, _ds.data).frame
    return validate(frame, _conf.roles, customer_table(_ds, _conf))


def validation_issues(ds: Dataset, conf: Confirmed):
    return _issues(conf.key, ds, conf)
