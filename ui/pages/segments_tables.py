"""Names and table settings of the Segments page, in the user's language.

Column titles and number formats for ``st.dataframe`` (``*_columns``), translated names
of the library's groups (RFM segments, warning signs, NPS levels) and chart labels, all
through ``ui.i18n.t``. Nothing here computes; ``ui.pages.segments`` uses them, and
:func:`show_shares` draws a table with its shares in the language's percent style.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from churn import segments as seg
from churn.charts import segments as charts
from ui.i18n import t
from ui.tables import percent_column, percent_view
from ui.widgets import show_table


def column_name(column: str) -> str:
    """A column's display name: canonical columns translated, user columns as they are."""
    if column in ("start_date", "tenure_days", "value"):
        return t(f"segments.col_{column}")
    return column


def chart_labels() -> dict[str, str]:
    """Translated labels for every builder of ``churn.charts.segments``."""
    return {k: t(f"segments.chart_{k}") for k in charts.DEFAULT_LABELS}


def rfm_names() -> dict[str, str]:
    """English RFM segment name -> translated name."""
    return {name: t(f"segments.rfm_{i}") for i, name in enumerate(seg.RFM_ORDER)}


def sign_names() -> dict[str, str]:
    return {s: t(f"segments.sign_{s}") for s in seg.WARNING_SIGNS}


def level_names() -> dict[str, str]:
    names = {lv: t(f"segments.nps_{i}") for i, lv in enumerate(seg.NPS_LEVELS)}
    names[seg.MISSING] = t("segments.missing")
    names[seg.OTHER] = t("segments.other")
    return names


#: The share columns (0..1) of the segment tables, shown in the language's percent style.
SHARE_COLUMNS = (
    "churn_rate", "ci_low", "ci_high", "value_share", "risk", "share_of_risk", "share",
    "revenue_share",
)  # fmt: skip


def show_shares(frame: pd.DataFrame, column_config: dict, **kwargs: Any) -> None:
    """``show_table`` of a segment table, its share columns scaled for
    ``ui.tables.percent_column`` (display only)."""
    shown, _ = percent_view(frame, SHARE_COLUMNS)
    show_table(shown, hide_index=True, column_config=column_config, **kwargs)


def rate_columns(extra: dict | None = None) -> dict:
    """``st.dataframe`` column settings for a rate table (percent, counts, flags)."""
    pct = st.column_config.NumberColumn
    cfg = {
        "segment": st.column_config.TextColumn(t("segments.chart_segment")),
        "tier": st.column_config.TextColumn(t("segments.tier")),
        "customers": pct(t("segments.chart_customers"), format="localized"),
        "labelled": pct(t("segments.labelled"), format="localized"),
        "churned": pct(t("segments.chart_churned"), format="localized"),
        "churn_rate": percent_column(t("segments.chart_churn_rate")),
        "ci_low": percent_column(t("segments.chart_ci_low")),
        "ci_high": percent_column(t("segments.chart_ci_high")),
        "lift": pct(t("segments.chart_lift"), format="%.2f"),
        "small": st.column_config.CheckboxColumn(t("segments.chart_small")),
        "p_value": pct(t("segments.p_value"), format="%.4f"),  # as churn.formatting.fmt_p
        "p_adjusted": pct(t("segments.chart_p_adjusted"), format="%.4f"),
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
    cfg["value_share"] = percent_column(t("segments.value_share"))
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
        "risk": percent_column(t("segments.risk")),
        "revenue_at_risk": _num("segments.revenue_at_risk"),
        "share_of_risk": percent_column(t("segments.share_of_risk")),
    }


def rfm_columns() -> dict:
    """Column settings of the RFM summary table."""
    return rate_columns(
        {
            "rfm_segment": t("segments.chart_rfm_segment"),
            "share": percent_column(t("segments.share")),
            "revenue": _num("segments.revenue"),
            "revenue_share": percent_column(t("segments.revenue_share")),
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
            "share": percent_column(t("segments.share")),
            "description": st.column_config.TextColumn(t("segments.description"), width="large"),
        }
    )


def tier_names(typed: str, n_tiers: int) -> tuple[tuple[str, ...], bool]:
    """The user's tier names (comma-separated, lowest first) or translated defaults.

    Returns the names and whether the typed list was usable.
    """
    names = tuple(x.strip() for x in (typed or "").split(",") if x.strip())
    if len(names) == n_tiers and len(set(names)) == n_tiers:
        return names, True
    defaults = tuple(t("segments.tier_n", i=i + 1) for i in range(n_tiers))
    return defaults, not names
