"""Explanations: SHAP behind one seam, reasons in words, the playbook and the at-risk list.

Submodules
----------
seam : the shap explainer of a model (:func:`make_explainer`) and :func:`explain`, whose
    contributions add up to each customer's risk in probability (how: see its docstring).
drivers : :func:`global_drivers`, what drives churn across a seeded sample of customers.
playbook : ``churn/playbook.csv``, drivers mapped to actions (:func:`load_playbook`).
wording : reasons in words (:func:`reasons`, :func:`reason_text`) and each customer's
    suggested action (:func:`suggested_actions`).
customer : one customer: :func:`find_customer`, :func:`customer_breakdown` and the
    :func:`waterfall_frame` of a chart.
at_risk : the at-risk list (:func:`select_at_risk`, :func:`at_risk_list`), its download
    (:func:`at_risk_bytes`) and the segment filter's levels.
hold_out : a seeded random hold-out marked in the at-risk list (:func:`mark_hold_out`).
"""

from __future__ import annotations

from churn.explain.at_risk import (
    RISK_SORTS,
    at_risk_bytes,
    at_risk_list,
    email_column,
    filter_levels,
    name_column,
    plan_columns,
    select_at_risk,
)
from churn.explain.customer import customer_breakdown, find_customer, waterfall_frame
from churn.explain.drivers import (
    GLOBAL_SAMPLE,
    GLOBAL_SAMPLE_FOREST,
    GlobalDrivers,
    default_sample,
    global_drivers,
    sample_rows,
)
from churn.explain.hold_out import (
    DEFAULT_HOLD_OUT,
    HOLD_OUT_COLUMN,
    HOLD_OUT_NO,
    HOLD_OUT_YES,
    mark_hold_out,
)
from churn.explain.playbook import (
    LANGS,
    PLAYBOOK_COLUMNS,
    PLAYBOOK_PATH,
    Playbook,
    load_playbook,
    playbook_table,
)
from churn.explain.seam import (
    CONTRIBUTION_METHOD,
    LINEAR_BACKGROUND,
    Explainer,
    Explanation,
    explain,
    make_explainer,
)
from churn.explain.wording import (
    TEMPLATES,
    Reference,
    make_reference,
    reason_text,
    reasons,
    suggested_actions,
)

__all__ = [
    "CONTRIBUTION_METHOD",
    "DEFAULT_HOLD_OUT",
    "GLOBAL_SAMPLE",
    "GLOBAL_SAMPLE_FOREST",
    "LANGS",
    "LINEAR_BACKGROUND",
    "PLAYBOOK_COLUMNS",
    "PLAYBOOK_PATH",
    "RISK_SORTS",
    "TEMPLATES",
    "Explainer",
    "Explanation",
    "GlobalDrivers",
    "HOLD_OUT_COLUMN",
    "HOLD_OUT_NO",
    "HOLD_OUT_YES",
    "Playbook",
    "Reference",
    "at_risk_bytes",
    "at_risk_list",
    "customer_breakdown",
    "default_sample",
    "email_column",
    "explain",
    "filter_levels",
    "find_customer",
    "global_drivers",
    "load_playbook",
    "make_explainer",
    "make_reference",
    "mark_hold_out",
    "name_column",
    "plan_columns",
    "playbook_table",
    "reason_text",
    "reasons",
    "sample_rows",
    "select_at_risk",
    "suggested_actions",
    "waterfall_frame",
]
