"""What-if: edit one customer, search for the smallest saving changes, price a campaign.

Everything scores through :func:`churn.model.score` with the trained pipeline, so a
what-if risk is the same number the Model page would give the edited customer. The
choices offered come from the data (:func:`feature_space`): seen levels for categories,
seen values between the 1st and 99th percentile for numbers, so a suggestion never asks
for a value no customer has.

Linked features: a number that depends on a category (days to renewal on the contract,
the fee on the plan) moves with it. :func:`linked_features` finds them in the data (eta
squared of the number by the category >= :data:`LINK_THRESHOLD`); when a category
changes, each linked number not set by hand goes to the value at the customer's
within-group percentile among customers with the new level (:func:`map_percentile`), so
"monthly renewing in 12 days" becomes "annual renewing in about 117 days", not "annual
renewing in 12 days". Numbers that record the past or who the customer is (tenure, totals,
age: :func:`is_history`) never move. It is an option (``move_linked``, on by default) and
the moves are always reported. Scaled counts stay whole numbers
(:func:`round_keeping_total`).

How the reasons moved uses :mod:`churn.explain` when it is installed; the core what-if
works without it.

Import from ``churn.whatif`` itself; the submodules are where the code lives:

- :mod:`~churn.whatif.kinds` -- what kind of thing a feature is (:func:`feature_kind`:
  plan, contract, products, payment, activity, discount are actionable; demographic,
  tenure, history fixed), from its name or values.
- :mod:`~churn.whatif.space` -- the feature space (:func:`feature_space`), which features
  are actionable (:func:`is_actionable`) and how values read (:func:`shown`).
- :mod:`~churn.whatif.linked` -- linked numbers (:func:`linked_features`, eta squared),
  the percentile mapping and the reference groups (:func:`reference_groups`).
- :mod:`~churn.whatif.edit` -- one customer edited: :func:`apply_changes`,
  :func:`what_if` and :class:`WhatIfResult`.
- :mod:`~churn.whatif.suggestions` -- counterfactuals: :func:`suggest` and
  :class:`Suggestions`.
- :mod:`~churn.whatif.scenarios` -- saved scenarios: :class:`Scenario`,
  :func:`compare_scenarios`.
- :mod:`~churn.whatif.campaign` -- segment scenarios and campaign value:
  :class:`Intervention`, :func:`segment_ids`, :func:`segment_scenario`,
  :class:`SegmentResult`, :func:`round_keeping_total`.

The constants are re-exported here as values: to change one at run time (a test), set it
on the submodule that reads it (e.g. ``churn.whatif.space.MAX_NUMERIC_CANDIDATES``).
"""

from __future__ import annotations

from churn.whatif.campaign import (
    Intervention,
    SegmentResult,
    round_keeping_total,
    segment_ids,
    segment_scenario,
)
from churn.whatif.edit import WhatIfResult, apply_changes, customer_positions, what_if
from churn.whatif.kinds import ACTIONABLE_KINDS, FIXED_KINDS, feature_kind, kind_label
from churn.whatif.linked import (
    HISTORY_PATTERNS,
    HISTORY_WORDS,
    LINK_COLUMNS,
    LINK_THRESHOLD,
    MIN_LINK_GROUP,
    ReferenceGroups,
    correlation_ratio,
    find_links,
    is_history,
    linked_features,
    map_percentile,
    reference_groups,
    value_at_percentile,
    within_percentile,
)
from churn.whatif.scenarios import Scenario, compare_scenarios
from churn.whatif.space import (
    ACTIONABLE_PATTERNS,
    FIXED_PATTERNS,
    MAX_NUMERIC_CANDIDATES,
    PAIR_VALUES_PER_FEATURE,
    Kind,
    feature_space,
    is_actionable,
    shown,
)
from churn.whatif.suggestions import Suggestions, suggest

__all__ = [
    "ACTIONABLE_KINDS",
    "ACTIONABLE_PATTERNS",
    "FIXED_KINDS",
    "FIXED_PATTERNS",
    "HISTORY_PATTERNS",
    "HISTORY_WORDS",
    "LINK_COLUMNS",
    "LINK_THRESHOLD",
    "MAX_NUMERIC_CANDIDATES",
    "MIN_LINK_GROUP",
    "PAIR_VALUES_PER_FEATURE",
    "Intervention",
    "Kind",
    "ReferenceGroups",
    "Scenario",
    "SegmentResult",
    "Suggestions",
    "WhatIfResult",
    "apply_changes",
    "compare_scenarios",
    "correlation_ratio",
    "customer_positions",
    "feature_kind",
    "feature_space",
    "find_links",
    "is_actionable",
    "is_history",
    "kind_label",
    "linked_features",
    "map_percentile",
    "reference_groups",
    "round_keeping_total",
    "segment_ids",
    "segment_scenario",
    "shown",
    "suggest",
    "value_at_percentile",
    "what_if",
    "within_percentile",
]
