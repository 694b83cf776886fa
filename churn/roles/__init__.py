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
- :mod:`~churn.roles.amount` -- the value column and its unit (:func:`propose_amount`,
  :func:`amount_unit_for`): never hours, ratios, shares, counts, scores or identifiers.
- :mod:`~churn.roles.leakage` -- leakage screening: one column that separates the label.
- :mod:`~churn.roles.screen` -- leakage from evidence, names only a hint
  (:class:`LeakScreen`), columns measured after the customer left
  (:func:`after_exit_columns`, :func:`keep_after_exit`), codes that look numeric.
- :mod:`~churn.roles.evidence` -- why each role is proposed and how sure (:class:`Pick`):
  ids, dates (an end date from its values), tenure, reason, name and e-mail.
- :mod:`~churn.roles.label_evidence` -- the label's unclear values and the churn rate each
  choice gives (:func:`label_choice_rates`), and the warning when nobody churned
  (:func:`no_churn_issue`).
- :mod:`~churn.roles.infer` -- :func:`infer_roles` and the reasons a column is left out
  of the features (``REASON_*``).
"""

from __future__ import annotations

from churn.roles.amount import AMOUNT_UNITS, AmountProposal, amount_unit_for, propose_amount
from churn.roles.column_roles import (
    ACTIVE_WORDS,
    CHURNED_WORDS,
    SHAPES,
    SINGLE_ROLES,
    ColumnRoles,
    label_key,
    label_text,
    label_texts,
    label_value_counts,
    map_label,
    normalize_label_values,
)
from churn.roles.evidence import CONFIDENCES, Pick, filled_mask, reasons_in_use
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
    REASON_PERSONAL,
    REASON_TEXT,
    infer_roles,
)
from churn.roles.label_evidence import (
    label_choice_rates,
    no_churn_issue,
    no_end_issue,
    unclear_values,
)
from churn.roles.leakage import (
    LEAKAGE_AUC,
    LEAKAGE_PURE_LEVEL,
    REASON_LEAK_NAME,
    REASON_LEAK_PREFIX,
    leakage_detail,
    leakage_reason,
    separation_auc,
)
from churn.roles.scoring import is_leaky_name, tenure_unit
from churn.roles.screen import (
    REASON_AFTER_EXIT_START,
    REASON_COORDINATES,
    LeakScreen,
    after_exit_columns,
    keep_after_exit,
)

__all__ = [
    "ACTIVE_WORDS",
    "AMOUNT_UNITS",
    "CHURNED_WORDS",
    "CONFIDENCES",
    "FACT_ROWS",
    "LEAKAGE_AUC",
    "LEAKAGE_PURE_LEVEL",
    "REASON_AFTER_EXIT_START",
    "REASON_CONSTANT",
    "REASON_COORDINATES",
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
    "AmountProposal",
    "ColumnRoles",
    "LeakScreen",
    "Pick",
    "after_exit_columns",
    "amount_unit_for",
    "as_number",
    "column_facts",
    "facts_of",
    "filled_mask",
    "infer_roles",
    "is_leaky_name",
    "keep_after_exit",
    "label_choice_rates",
    "label_key",
    "label_text",
    "label_texts",
    "label_value_counts",
    "leakage_detail",
    "leakage_reason",
    "map_label",
    "no_churn_issue",
    "no_end_issue",
    "normalize_label_values",
    "normalize_name",
    "propose_amount",
    "reasons_in_use",
    "sample_rows",
    "separation_auc",
    "str_columns",
    "tenure_unit",
    "unclear_values",
]
