"""The only place ``st.cache_data`` / ``st.cache_resource`` wrap library functions.

Every cached function is keyed on explicit text keys (a SHA-256 of the uploaded bytes,
plus the confirmed roles and settings), never on Streamlit's own hashing of a large
frame: arguments whose names start with ``_`` are not hashed (DESIGN rule 7). Caches are
bounded in entries and time so a long workshop day does not grow memory without limit.
"""

from __future__ import annotations

import streamlit as st

from churn.table import CustomerTable
from ui.state import Confirmed, Dataset

_TTL = 4 * 3600  # seconds
_FRAMES = 16  # cached reads / tables
_SMALL = 64  # cached small results


@st.cache_data(max_entries=_FRAMES, ttl=_TTL, show_spinner=False)
def read(content_hash: str, name: str, sheet: str | None, _data: bytes):
    """Read an uploaded file (``churn.io.read_table``), keyed on its content hash."""
    from churn.io import read_table

    return read_table(_data, name=name, sheet=sheet)


def read_dataset(ds: Dataset, sheet: str | None = None):
    return read(ds.content_hash, ds.name, sheet if sheet is not None else ds.sheet, ds.data)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def propose_roles(content_hash: str, name: str, sheet: str | None, _data: bytes):
    """Proposed column roles for a file (``churn.roles.infer_roles``)."""
    from churn.roles import infer_roles

    return infer_roles(read(content_hash, name, sheet, _data).frame)


@st.cache_data(max_entries=_FRAMES, ttl=_TTL, show_spinner=False)
def _table(key: str, _ds: Dataset, _conf: Confirmed) -> CustomerTable:
    from churn.shapes import build_customer_table

    frame = read(_ds.content_hash, _ds.name, _conf.sheet, _ds.data).frame
    return build_customer_table(
        frame,
        _conf.roles,
        snapshot=_conf.snapshot,
        inactivity_days=_conf.inactivity_days,
    )


def customer_table(ds: Dataset, conf: Confirmed) -> CustomerTable:
    """The confirmed customer table, keyed on content hash + roles + settings."""
    return _table(conf.key, ds, conf)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _issues(key: str, _ds: Dataset, _conf: Confirmed):
    from churn.validate import validate

    frame = read(_ds.content_hash, _ds.name, _conf.sheet, _ds.data).frame
    return validate(frame, _conf.roles, customer_table(_ds, _conf))


def validation_issues(ds: Dataset, conf: Confirmed):
    return _issues(conf.key, ds, conf)
