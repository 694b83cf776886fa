"""Month over month: two snapshots of the same customers compared, and the campaign measured.

Submodules
----------
match : :func:`match_snapshots` (stayed / left / new by customer id), :func:`status_counts`,
    the old at-risk list's realised precision and recall (:func:`list_outcome`) and the
    top customers by value then and now (:func:`top_by_value`).
bands : risk bands (:data:`BANDS`, :func:`risk_band`), :func:`with_bands`, the
    :func:`transition_table` of bands from one snapshot to the next and the customers
    who :func:`moved_into_high`.
reasons : the top reason then and now of the customers who moved (:func:`reason_changes`).
campaign : contacted against hold-out of similar risk (:func:`campaign_groups`,
    :func:`campaign_effect`, :class:`CampaignEffect`).
compare : all of it at once (:func:`compare_snapshots`, :class:`Comparison`); reusing the
    confirmed roles on the next month's file (:func:`check_reusable`, :func:`column_changes`).
report : the pieces of a report section (:func:`report_parts`).
"""

from __future__ import annotations

from churn.compare.bands import (
    BANDS,
    FROM_NEW,
    HIGH,
    HIGH_FROM,
    LOW,
    MEDIUM,
    MEDIUM_FROM,
    TO_LEFT,
    moved_into_high,
    risk_band,
    transition_table,
    transition_wide,
    with_bands,
)
from churn.compare.campaign import (
    CONTACTED,
    HELPED,
    HOLD_OUT,
    HURT,
    MAX_WIDTH,
    MIN_GROUP,
    TOO_SMALL,
    UNCLEAR,
    CampaignEffect,
    campaign_effect,
    campaign_groups,
)
from churn.compare.compare import (
    FROM_COLUMN,
    FROM_MODEL,
    Comparison,
    as_table,
    check_reusable,
    column_changes,
    column_risk,
    compare_frames,
    compare_snapshots,
    snapshot_tables,
)
from churn.compare.match import (
    GONE_BEFORE,
    LEFT,
    MATCH_COLUMNS,
    NEW,
    NEW_LEFT,
    STATUSES,
    STAYED,
    active_ids,
    list_outcome,
    match_snapshots,
    status_counts,
    top_by_value,
)
from churn.compare.reasons import EXPLAIN_LIMIT, reason_changes
from churn.compare.report import REPORT_MOVED, report_parts

__all__ = [
    "BANDS",
    "CONTACTED",
    "EXPLAIN_LIMIT",
    "FROM_COLUMN",
    "FROM_MODEL",
    "FROM_NEW",
    "GONE_BEFORE",
    "HELPED",
    "HIGH",
    "HIGH_FROM",
    "HOLD_OUT",
    "HURT",
    "LEFT",
    "LOW",
    "MATCH_COLUMNS",
    "MAX_WIDTH",
    "MEDIUM",
    "MEDIUM_FROM",
    "MIN_GROUP",
    "NEW",
    "NEW_LEFT",
    "REPORT_MOVED",
    "STATUSES",
    "STAYED",
    "TOO_SMALL",
    "TO_LEFT",
    "UNCLEAR",
    "CampaignEffect",
    "Comparison",
    "active_ids",
    "as_table",
    "campaign_effect",
    "campaign_groups",
    "check_reusable",
    "column_changes",
    "column_risk",
    "compare_frames",
    "compare_snapshots",
    "list_outcome",
    "match_snapshots",
    "moved_into_high",
    "reason_changes",
    "report_parts",
    "risk_band",
    "snapshot_tables",
    "status_counts",
    "top_by_value",
    "transition_table",
    "transition_wide",
    "with_bands",
]
