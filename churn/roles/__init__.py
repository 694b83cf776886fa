"""Column roles: which column is the id, the label, the dates, the amount, the features.

``infer_roles(df)`` only *proposes*; the user confirms on the Data page (or with the
CLI's role flags), and every other library function takes the confirmed
:class:`ColumnRoles`. No function guesses a column by its name again (DESIGN rule 3).

Import from ``churn.roles`` itself; the submodules are where the code lives:

- :mod:`~churn.roles.column_roles` -- :class:`ColumnRoles` and the label vocabulary
  (which values mean churned or active: :func:`normalize_label_values`, :func:`map_label`).
- :mod:`~churn.roles.names` -- the English and Korean words in column names that point
  to each role.
- :mod:`~churn.roles.facts` -- facts about columns (:class:`ColumnFacts`,
  :func:`facts_of`), :func:`str_columns`, :func:`as_number`.
- :mod:`~churn.roles.scoring` -- scoring of candidate roles from a column's facts.
- :mod:`~churn.roles.leakage` -- leakage screening: one column that separates the label.
- :mod:`~churn.roles.infer` -- :func:`infer_roles` and the reasons a column is left out
  of the features (``REASON_*``).
"""

from __future__ import annotations

from churn.roles.column_roles import (
    ACTIVE_WORDS,
    CHURNED_WORDS,
    SHAPES,
    SINGLE_ROLES,
    ColumnRoles,
    label_key,
    label_text,
    label_value_counts,
    map_label,
    normalize_label_values,
)
from churn.roles.facts import (
    FACT_ROWS,
    ColumnFacts,
    as_number,
    column_facts,
    facts_of,
    normalize_name,
    sample_rows,
    str_columns,
)
from churn.roles.infer import (
    REASON_CONSTANT,
    REASON_DATE,
    REASON_EMPTY,
    REASON_IDENTIFIER,
    REASON_LEAK_NAME,
    REASON_LEAK_PREFIX,
    REASON_PERSONAL,
    REASON_TEXT,
    infer_roles,
    leakage_reason,
)
from churn.roles.leakage import (
    LEAKAGE_AUC,
    LEAKAGE_PURE_LEVEL,
    leakage_detail,
    separation_auc,
)
from churn.roles.scoring import is_leaky_name, tenure_unit

__all__ = [
    "ACTIVE_WORDS",
    "CHURNED_WORDS",
    "FACT_ROWS",
    "LEAKAGE_AUC",
    "LEAKAGE_PURE_LEVEL",
    "REASON_CONSTANT",
    "REASON_DATE",
    "REASON_EMPTY",
    "REASON_IDENTIFIER",
    "REASON_LEAK_NAME",
    "REASON_LEAK_PREFIX",
    "REASON_PERSONAL",
    "REASON_TEXT",
    "SHAPES",
    "SINGLE_ROLES",
    "ColumnFacts",
    "ColumnRoles",
    "as_number",
    "column_facts",
    "facts_of",
    "infer_roles",
    "is_leaky_name",
    "label_key",
    "label_text",
    "label_value_counts",
    "leakage_detail",
    "leakage_reason",
    "map_label",
    "normalize_label_values",
    "normalize_name",
    "sample_rows",
    "separation_auc",
    "str_columns",
    "tenure_unit",
]
