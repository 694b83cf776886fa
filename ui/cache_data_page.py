"""Cached library calls the Data page needs beyond the shared ones in ``ui/cache.py``.

One of the only places that cache (``ui/cache*.py``; see ``ui/cache.py``); nothing here
draws. Same conventions as ``ui/cache.py``: every cached function is keyed on text (the file's
content hash, the sheet, a column name, the roles as JSON); big inputs travel in
underscore-prefixed arguments that Streamlit does not hash (DESIGN rule 7).
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from churn.roles import ColumnRoles
from ui import cache
from ui.state import Dataset

_TTL = 4 * 3600  # seconds
_FRAMES = 16
_SMALL = 64

#: A label column with more distinct values than this is not a churn flag; the
#: mapping shows the most common ones and leaves the rest out.
MAX_LABEL_VALUES = 50

#: The inactivity windows (days) the event-log preview compares.
PREVIEW_DAYS = (14, 30, 60, 90, 120, 180, 270, 365)


def roles_key(roles: ColumnRoles) -> str:
    """A stable text form of ``roles`` for cache keys."""
    return json.dumps(roles.to_dict(), sort_keys=True, default=str)


def capped_label_values(
    series: pd.Series, roles: ColumnRoles | None = None, limit: int = MAX_LABEL_VALUES
) -> pd.DataFrame:
    """The label column's distinct values as the mapping shows them, at most ``limit``.

    A thin cap over :func:`churn.roles.label_value_counts` (columns ``value``, ``count``,
    ``meaning``; most frequent first; ``meaning`` from ``roles`` when it maps values,
    else from the label vocabulary). ``attrs["n"]`` holds the number of distinct values
    before the cap, so the page can say how many were not listed.
    """
    from churn.roles import label_value_counts

    full = label_value_counts(series, roles)
    out = full.head(limit).reset_index(drop=True)
    out.attrs["n"] = int(len(full))
    return out


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _label_values(
    content_hash: str,
    name: str,
    sheet: str | None,
    column: str,
    mapping: str,
    _data: bytes,
    _roles: ColumnRoles | None,
) -> pd.DataFrame:
    frame = cache.read(content_hash, name, sheet, _data).frame
    return capped_label_values(frame[column], _roles)


def label_values(
    ds: Dataset, sheet: str | None, column: str, roles: ColumnRoles | None
) -> pd.DataFrame:
    """Distinct values of the label ``column`` with their meaning under ``roles`` (or the
    vocabulary's proposal when ``roles`` is None), cached on file, sheet and mapping."""
    mapping = json.dumps([roles.churned_values, roles.active_values] if roles is not None else None)
    return _label_values(ds.content_hash, ds.name, sheet, column, mapping, ds.data, roles)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def ambiguous_date_columns(
    content_hash: str, name: str, sheet: str | None, columns: tuple[str, ...], _data: bytes
) -> tuple[str, ...]:
    """The columns among ``columns`` whose dates read both day-first and month-first."""
    from churn.io import date_order_ambiguous

    frame = cache.read(content_hash, name, sheet, _data).frame
    return tuple(c for c in columns if c in frame.columns and date_order_ambiguous(frame[c]))


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _preview(
    content_hash: str,
    name: str,
    sheet: str | None,
    roles_json: str,
    snapshot: str | None,
    _data: bytes,
    _roles: ColumnRoles,
) -> pd.DataFrame:
    from churn.shapes import inactivity_preview as preview

    frame = cache.read(content_hash, name, sheet, _data).frame
    return preview(frame, _roles, days=PREVIEW_DAYS, snapshot=snapshot)


def inactivity_preview(
    ds: Dataset, sheet: str | None, roles: ColumnRoles, snapshot: str | None
) -> pd.DataFrame:
    """Customers, churned, too-new and churn rate for several inactivity windows N."""
    return _preview(ds.content_hash, ds.name, sheet, roles_key(roles), snapshot, ds.data, roles)
