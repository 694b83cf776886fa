"""Cached wrappers of :mod:`churn.segments` for the Segments page (``ui.pages.segments``).

One of the only places that cache (``ui/cache*.py``; see ``ui/cache.py``); nothing here
draws. Same conventions as ``ui/cache.py``: every cached function is keyed on the confirmed
dataset's text key (``Confirmed.key``: content hash + roles + settings) plus the page's
settings; the customer table is passed as an underscore argument, so Streamlit never
hashes a large frame (DESIGN rule 7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from churn import segments as seg
from churn.table import CustomerTable
from ui.state import Confirmed

_TTL = 4 * 3600  # seconds
_SMALL = 64  # small result frames
_LISTS = 16  # customer lists (can be as long as the table)

#: Binning settings as a hashable tuple: (top_k, bins, edges or None, date_freq).
Binning = tuple[int, int, tuple[float, ...] | None, str]


def _opts(binning: Binning) -> dict:
    top_k, bins, edges, date_freq = binning
    return {"top_k": top_k, "bins": bins, "edges": edges, "date_freq": date_freq}


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _labels(key: str, column: str, binning: Binning, _table: CustomerTable) -> pd.Series:
    return seg.segment_column(_table, column, **_opts(binning))


def segment_labels(
    conf: Confirmed, table: CustomerTable, column: str, binning: Binning
) -> pd.Series:
    """Every customer's segment of ``column``, computed once for all the page's tables."""
    return _labels(conf.key, column, binning, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _by_segment(key: str, column: str, binning: Binning, _table: CustomerTable) -> pd.DataFrame:
    labels = _labels(key, column, binning, _table)
    return seg.churn_by_segment(_table, column, segments=labels)


def churn_by_segment(
    conf: Confirmed, table: CustomerTable, column: str, binning: Binning
) -> pd.DataFrame:
    """``churn.segments.churn_by_segment`` for the confirmed dataset."""
    return _by_segment(conf.key, column, binning, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _heatmap(key: str, a: str, b: str, binning: Binning, _table: CustomerTable) -> pd.DataFrame:
    return seg.churn_heatmap(_table, a, b, **_opts(binning))


def churn_heatmap(
    conf: Confirmed, table: CustomerTable, a: str, b: str, binning: Binning
) -> pd.DataFrame:
    """``churn.segments.churn_heatmap`` for the confirmed dataset."""
    return _heatmap(conf.key, a, b, binning, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _formula_rows(key: str, _table: CustomerTable) -> np.ndarray:
    from churn.export import formula_cells_per_row

    return formula_cells_per_row(_table.frame)


@st.cache_data(max_entries=_LISTS, ttl=_TTL, show_spinner=False)
def _export(
    key: str, column: str, segment: str, binning: Binning, _table: CustomerTable
) -> tuple[int, int, pd.DataFrame]:
    labels = _labels(key, column, binning, _table)
    preview = seg.customers_in_segment(_table, column, segment, segments=labels, limit=500)
    n = int((labels == segment).sum())
    per_row = _formula_rows(key, _table)  # once per dataset: any segment's count is a sum
    cells = seg.segment_formula_cells(_table, column, segment, segments=labels, per_row=per_row)
    return n, cells, preview


def segment_customers(
    conf: Confirmed, table: CustomerTable, column: str, segment: str, binning: Binning
) -> tuple[int, int, pd.DataFrame]:
    """(customers, cells the export neutralises, first 500 rows) of one segment."""
    return _export(conf.key, column, segment, binning, table)


def segment_csv(conf: Confirmed, table: CustomerTable, column: str, segment: str, binning: Binning):
    """A function writing the segment's Excel-safe CSV: the download button calls it on
    click, so a million-row table does not write a CSV on every rerun."""

    def write() -> bytes:
        labels = segment_labels(conf, table, column, binning)
        return seg.export_segment(table, column, segment, segments=labels)[1]

    return write


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _tiers(key: str, n_tiers: int, names: tuple[str, ...] | None, _table: CustomerTable):
    return seg.value_tiers(_table, n_tiers=n_tiers, names=names)


def value_tiers(
    conf: Confirmed, table: CustomerTable, n_tiers: int, names: tuple[str, ...] | None
) -> pd.DataFrame:
    """``churn.segments.value_tiers`` for the confirmed dataset."""
    return _tiers(conf.key, n_tiers, names, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _ltv(key: str, by: str | None, binning: Binning, _table: CustomerTable) -> pd.DataFrame:
    labels = None if by is None else _labels(key, by, binning, _table)
    return seg.lifetime_value(_table, by=by, segments=labels)


def lifetime_value(
    conf: Confirmed, table: CustomerTable, by: str | None, binning: Binning
) -> pd.DataFrame:
    """``churn.segments.lifetime_value`` (overall and by ``by``) for the confirmed dataset."""
    return _ltv(conf.key, by, binning, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _at_risk(key: str, column: str, binning: Binning, _table: CustomerTable) -> pd.DataFrame:
    labels = _labels(key, column, binning, _table)
    return seg.revenue_at_risk_by_segment(_table, column, segments=labels)


def revenue_at_risk(
    conf: Confirmed, table: CustomerTable, column: str, binning: Binning
) -> pd.DataFrame:
    """``churn.segments.revenue_at_risk_by_segment`` (segment churn rates as the risk)."""
    return _at_risk(conf.key, column, binning, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _rfm(key: str, _table: CustomerTable) -> tuple[pd.DataFrame, pd.DataFrame]:
    scored = seg.rfm_table(_table)
    return seg.rfm_summary(scored), seg.rfm_grid(scored)


def rfm(conf: Confirmed, table: CustomerTable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary per named segment, R x FM grid) for the confirmed dataset."""
    return _rfm(conf.key, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _clusters(
    key: str, columns: tuple[str, ...], k: int | None, _table: CustomerTable
) -> seg.BehaviourClusters:
    return seg.behaviour_clusters(_table, list(columns), k=k)


def clusters(
    conf: Confirmed, table: CustomerTable, columns: tuple[str, ...], k: int | None
) -> seg.BehaviourClusters:
    """``churn.segments.behaviour_clusters`` for the confirmed dataset."""
    return _clusters(conf.key, columns, k, table)


@st.cache_data(max_entries=_SMALL, ttl=_TTL, show_spinner=False)
def _signs(key: str, mapping: tuple[tuple[str, str], ...], _table: CustomerTable):
    return seg.warning_signs(_table, dict(mapping))


def warning_signs(
    conf: Confirmed, table: CustomerTable, mapping: tuple[tuple[str, str], ...]
) -> pd.DataFrame:
    """``churn.segments.warning_signs`` for the confirmed mapping (column, sign) pairs."""
    return _signs(conf.key, mapping, table)
