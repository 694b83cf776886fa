"""Cached wrappers and display helpers for the Segments page.

Same conventions as ``ui/cache.py``: every cached function is keyed on the confirmed
dataset's text key (``Confirmed.key``: content hash + roles + settings) plus the page's
settings; the customer table is passed as an underscore argument, so Streamlit never
hashes a large frame (DESIGN rule 7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from churn import segments as seg
from churn.charts import segments as charts
from churn.table import CustomerTable
from ui.i18n import fmt_int, t
from ui.state import Confirmed, keep_choice, persist
from ui.widgets import MISSING, NONE, customer_columns, fast, option_labels, show_table

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


def heatmap_section(
    conf: Confirmed, table: CustomerTable, by: str, options: list, binning: Binning, labels: dict
) -> None:
    """Churn rate by ``by`` and a second column the user picks (none by default)."""
    st.subheader(t("segments.heatmap_title"))
    others = [NONE, *(c for c in options if c != by)]
    b = st.selectbox(
        t("segments.second"), others, key=keep_choice("segments.second"),
        format_func=option_labels(others, lambda c: column_name(c) if c else t("segments.none")),
    )  # fmt: skip
    if b:
        heat = churn_heatmap(conf, table, by, b, binning)
        hl = {**labels, "a": column_name(by), "b": column_name(b)}
        st.altair_chart(fast(charts.segment_heatmap(heat, hl)), width="stretch")
        st.caption(t("segments.heatmap_caption", mark=labels["small_mark"]))


def segment_list(
    conf: Confirmed, table: CustomerTable, column: str, segments: list, binning: Binning
) -> None:
    """The customers of one chosen segment: a preview, the count and the CSV download."""
    st.subheader(t("segments.list_title"))
    pick = st.selectbox(t("segments.pick"), segments, key=persist("segments.pick"))
    n, neutralised, preview = segment_customers(conf, table, column, pick, binning)
    st.caption(t("segments.list_caption", n=fmt_int(n), segment=pick))
    show_table(preview, column_config=customer_columns(), hide_index=True, height=240)
    st.download_button(
        t("segments.download"), segment_csv(conf, table, column, pick, binning),
        file_name=f"segment_{column}_{pick}.csv"[:120], mime="text/csv",
        key="segments.download", icon=":material/download:",
    )  # fmt: skip
    if neutralised > 0:
        st.caption(t("segments.neutralised", n=fmt_int(neutralised)))


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


# ------------------------------------------------------------------- display helpers
def segment_options(table: CustomerTable) -> list[str]:
    """Columns a user may segment by: the features, then signup date, tenure and value."""
    extra = [
        c
        for c, ok in (
            ("start_date", table.has_dates),
            ("tenure_days", table.has_tenure),
            ("value", table.has_value),
        )
        if ok
    ]
    return list(table.features) + extra


def column_name(column: str) -> str:
    """A column's display name: canonical columns translated, user columns as they are."""
    if column in ("start_date", "tenure_days", "value"):
        return t(f"segments.col_{column}")
    return column


def chart_labels() -> dict[str, str]:
    """Translated labels for every builder of ``churn.charts.segments``."""
    from churn.charts.segments import DEFAULT_LABELS

    return {k: t(f"segments.chart_{k}") for k in DEFAULT_LABELS}


def rfm_names() -> dict[str, str]:
    """English RFM segment name -> translated name."""
    return {name: t(f"segments.rfm_{i}") for i, name in enumerate(seg.RFM_ORDER)}


def default_cluster_columns(table: CustomerTable) -> list[str]:
    """Up to four numeric features (canonical tenure/value only when there are none)."""
    return list(table.numeric_features[:4]) or numeric_options(table)[:2]


def edges_input(container) -> tuple[float, ...] | None:
    """The user's own bin edges; a typo gives a warning and quantile bins, not an error."""
    from churn.errors import ChurnDataError

    typed = container.text_input(t("segments.edges"), key=persist("segments.edges"))
    try:
        return seg.parse_edges(typed)
    except ChurnDataError:
        container.warning(t("segments.edges_bad"), icon=":material/edit:")
        return None


def numeric_options(table: CustomerTable) -> list[str]:
    """Numeric columns a user may cluster on."""
    allowed = set(table.numeric_features) | {"tenure_days", "value"}
    return [c for c in segment_options(table) if c in allowed]


def sign_names() -> dict[str, str]:
    return {s: t(f"segments.sign_{s}") for s in seg.WARNING_SIGNS}


def level_names() -> dict[str, str]:
    names = {lv: t(f"segments.nps_{i}") for i, lv in enumerate(seg.NPS_LEVELS)}
    names[seg.MISSING] = t("segments.missing")
    names[seg.OTHER] = t("segments.other")
    return names


def rate_columns(extra: dict | None = None) -> dict:
    """``st.dataframe`` column settings for a rate table (percent, counts, flags)."""
    pct = st.column_config.NumberColumn
    cfg = {
        "segment": st.column_config.TextColumn(t("segments.chart_segment")),
        "tier": st.column_config.TextColumn(t("segments.tier")),
        "customers": pct(t("segments.chart_customers"), format="localized"),
        "labelled": pct(t("segments.labelled"), format="localized"),
        "churned": pct(t("segments.chart_churned"), format="localized"),
        "churn_rate": pct(t("segments.chart_churn_rate"), format="percent"),
        "ci_low": pct(t("segments.chart_ci_low"), format="percent"),
        "ci_high": pct(t("segments.chart_ci_high"), format="percent"),
        "lift": pct(t("segments.chart_lift"), format="%.2f"),
        "small": st.column_config.CheckboxColumn(t("segments.chart_small")),
        "p_value": pct(t("segments.p_value"), format="%.3g"),
        "p_adjusted": pct(t("segments.chart_p_adjusted"), format="%.3g"),
        "test": None,
        "significant": st.column_config.CheckboxColumn(t("segments.significant")),
    }
    cfg.update(extra or {})
    return cfg


def _num(key: str, fmt: str = "localized"):
    return st.column_config.NumberColumn(t(key), format=fmt)


def value_columns() -> dict:
    """Column settings of the value-tier table."""
    cfg = {
        c: _num(f"segments.{c}") for c in ("value_min", "value_max", "value_total", "value_lost")
    }
    cfg["value_share"] = _num("segments.value_share", "percent")
    return rate_columns(cfg)


def ltv_columns() -> dict:
    """Column settings of the lifetime-value table."""
    return {
        "segment": t("segments.chart_segment"),
        "customers": _num("segments.chart_customers"),
        "churned": _num("segments.chart_churned"),
        "avg_monthly_value": _num("segments.avg_monthly_value"),
        "expected_lifetime_months": _num("segments.expected_lifetime", "%.1f"),
        "clv": _num("segments.clv"),
        "horizon_months": None,
    }


def risk_columns() -> dict:
    """Column settings of the revenue-at-risk table."""
    return {
        "segment": t("segments.chart_segment"),
        "active_customers": _num("segments.active_customers"),
        "active_value": _num("segments.active_value"),
        "risk": _num("segments.risk", "percent"),
        "revenue_at_risk": _num("segments.revenue_at_risk"),
        "share_of_risk": _num("segments.share_of_risk", "percent"),
    }


def rfm_columns() -> dict:
    """Column settings of the RFM summary table."""
    return rate_columns(
        {
            "rfm_segment": t("segments.chart_rfm_segment"),
            "share": _num("segments.share", "percent"),
            "revenue": _num("segments.revenue"),
            "revenue_share": _num("segments.revenue_share", "percent"),
            "recency_median": _num("segments.recency_median", "%.0f"),
            "frequency_median": _num("segments.frequency_median", "%.1f"),
        }
    )


#: Columns of the cluster table, the description first so it is never cut off.
CLUSTER_ORDER = (
    "cluster", "description", "customers", "share", "churned", "churn_rate", "ci_low",
    "ci_high", "small",
)  # fmt: skip


def cluster_columns() -> dict:
    """Column settings of the cluster summary table."""
    return rate_columns(
        {
            "cluster": t("segments.chart_cluster"),
            "share": _num("segments.share", "percent"),
            "description": st.column_config.TextColumn(t("segments.description"), width="large"),
        }
    )


def signs_editor(table: CustomerTable, data_key: str) -> pd.DataFrame:
    """Feature columns with their proposed warning sign: the user confirms or changes it.

    The user's edits outlive a closed tab or another page: Streamlit drops the editor's
    state then, so the editor starts again from the mapping it last showed
    (``data_key``: the confirmed dataset's key; another dataset starts from the proposal).
    """
    editor = f"segments.signs_editor.{data_key[:12]}"
    base_key, last_key = "cl.segments.signs_base", "cl.segments.signs_last"
    stored = st.session_state.get(base_key)
    if stored is not None and stored[0] == data_key:
        base = stored[1]
    else:
        base = seg.recognise_warning_signs(table.features)
    last = st.session_state.get(last_key)
    if editor not in st.session_state and last is not None and last[0] == data_key:
        base = last[1]  # the editor was not drawn on the last run: start from its last edit
    st.session_state[base_key] = (data_key, base)
    names = sign_names()
    edited = st.data_editor(
        pd.DataFrame(
            {"column": list(table.features), "sign": [base.get(c) for c in table.features]}
        ),
        hide_index=True,
        key=editor,
        placeholder=MISSING,
        disabled=["column"],
        column_config={
            "column": t("segments.chart_column"),
            "sign": st.column_config.SelectboxColumn(
                t("segments.chart_sign"),
                options=list(seg.WARNING_SIGNS),
                format_func=lambda s: names.get(s, s),
            ),
        },
    )
    st.session_state[last_key] = (data_key, dict(signs_mapping(edited)))
    return edited


def signs_mapping(edited: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    """The confirmed (column, sign) pairs of the editor, as a hashable cache key."""
    rows = edited.dropna(subset=["sign"])
    return tuple(zip(rows["column"].astype(str), rows["sign"].astype(str), strict=True))


def tier_names(typed: str, n_tiers: int) -> tuple[tuple[str, ...], bool]:
    """The user's tier names (comma-separated, lowest first) or translated defaults.

    Returns the names and whether the typed list was usable.
    """
    names = tuple(x.strip() for x in (typed or "").split(",") if x.strip())
    if len(names) == n_tiers and len(set(names)) == n_tiers:
        return names, True
    defaults = tuple(t("segments.tier_n", i=i + 1) for i in range(n_tiers))
    return defaults, not names
