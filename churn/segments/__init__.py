"""Who leaves more than others: churn by segment with honest uncertainty, value, RFM.

Every rate here comes with its numerator (``churned``), its denominator (``customers``,
the *labelled* customers of the segment: churned or active, never "too new" or
"excluded"), a Wilson 95 % interval and a flag for groups too small to judge, so that a
small group never looks like a discovery. Differences against the rest of the customers
are tested one segment at a time and the p-values are adjusted for the number of
segments tested (Holm's method).

Segments come from :func:`segment_column`:

* categories: the ``top_k`` largest values, the rest pooled as ``"other"``;
* numbers: quantile bins (or the user's edges) with readable, ordered labels
  ("10–25"); a number column with few distinct values keeps each value;
* dates: by month ("2024-03") or year ("2024");
* missing values: their own segment, ``"(missing)"``.

Import from ``churn.segments`` itself; the submodules are where the code lives:

- :mod:`~churn.segments.stats` -- Wilson intervals, two-proportion tests, Holm's
  adjustment and the rate table the views share.
- :mod:`~churn.segments.labels` -- segment labels and binning (:func:`segment_column`,
  :func:`segment_kind`, :func:`parse_edges`).
- :mod:`~churn.segments.tables` -- churn by segment (:func:`churn_by_segment`) and the
  two-column heatmap (:func:`churn_heatmap`).
- :mod:`~churn.segments.exports` -- one segment's customers and their Excel-safe CSV
  (:func:`customers_in_segment`, :func:`export_segment`, :func:`segment_formula_cells`).
- :mod:`~churn.segments.value` -- lifetime value (:func:`lifetime_value`) and revenue at
  risk (:func:`revenue_at_risk_by_segment`).
- :mod:`~churn.segments.tiers` -- value tiers (:func:`value_tiers`) and RFM
  (:func:`rfm_table`, :func:`rfm_summary`, :func:`rfm_grid`).
- :mod:`~churn.segments.clusters` -- behaviour clusters (:func:`behaviour_clusters`,
  :func:`cluster_descriptions`).
- :mod:`~churn.segments.signs` -- warning signs (:func:`recognise_warning_signs`,
  :func:`warning_signs`, :func:`norm_name`).

The constants are re-exported here as values: to change one at run time (a test), set it
on the submodule that reads it (e.g. ``churn.segments.stats.SMALL_CUSTOMERS``).
"""

from __future__ import annotations

from churn.segments.clusters import BehaviourClusters, behaviour_clusters, cluster_descriptions
from churn.segments.exports import customers_in_segment, export_segment, segment_formula_cells
from churn.segments.labels import (
    MISSING,
    OTHER,
    TableLike,
    parse_edges,
    segment_column,
    segment_kind,
)
from churn.segments.signs import (
    NPS_LEVELS,
    WARNING_SIGNS,
    norm_name,
    recognise_warning_signs,
    warning_signs,
)
from churn.segments.stats import (
    ADJUST_METHOD,
    SMALL_CHURNED,
    SMALL_CUSTOMERS,
    holm_adjust,
    two_proportion_p_value,
    wilson_interval,
)
from churn.segments.tables import churn_by_segment, churn_heatmap
from churn.segments.tiers import (
    RFM_ORDER,
    RFM_RULES,
    has_rfm_columns,
    quintile_score,
    rfm_grid,
    rfm_summary,
    rfm_table,
    value_tier_column,
    value_tiers,
)
from churn.segments.value import DAYS_PER_MONTH, lifetime_value, revenue_at_risk_by_segment

__all__ = [
    "ADJUST_METHOD",
    "DAYS_PER_MONTH",
    "MISSING",
    "NPS_LEVELS",
    "OTHER",
    "RFM_ORDER",
    "RFM_RULES",
    "SMALL_CHURNED",
    "SMALL_CUSTOMERS",
    "WARNING_SIGNS",
    "BehaviourClusters",
    "TableLike",
    "behaviour_clusters",
    "churn_by_segment",
    "churn_heatmap",
    "cluster_descriptions",
    "customers_in_segment",
    "export_segment",
    "has_rfm_columns",
    "holm_adjust",
    "lifetime_value",
    "norm_name",
    "parse_edges",
    "quintile_score",
    "recognise_warning_signs",
    "revenue_at_risk_by_segment",
    "rfm_grid",
    "rfm_summary",
    "rfm_table",
    "segment_column",
    "segment_formula_cells",
    "segment_kind",
    "two_proportion_p_value",
    "value_tier_column",
    "value_tiers",
    "warning_signs",
    "wilson_interval",
]
