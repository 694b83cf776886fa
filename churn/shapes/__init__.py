"""The three input shapes of a churn file become one customer table.

1. **customers**: one row per customer with a churn label (plus attributes);
2. **subscriptions**: start and end dates (an empty end means still active); the label
   and the tenure follow from the dates at the snapshot date;
3. **events**: a transaction or event log; a customer is churned when their last event
   is more than N days before the snapshot date.

:func:`build_customer_table` returns a :class:`~churn.table.CustomerTable` whatever the
shape; :func:`inactivity_preview` shows how an event log's churn rate moves with N.
Everything is vectorised (factorize, bincount, ufunc.at), so a log of millions of events takes
seconds.

Import from ``churn.shapes`` itself; the submodules are where the code lives:

- :mod:`~churn.shapes.customers` -- :func:`build_customer_table` and shape 1 (customer
  rows: ids, the label, attributes and features).
- :mod:`~churn.shapes.subscriptions` -- shape 2: subscription rows merged into customers.
- :mod:`~churn.shapes.events` -- shape 3: event logs, and :func:`inactivity_preview`.
- :mod:`~churn.shapes.helpers` -- ids, dates (:func:`parse_date_column`), the snapshot,
  column checks and the summary note shared by the shapes.
"""

from __future__ import annotations

from churn.shapes.customers import NEEDS_ROLES, build_customer_table
from churn.shapes.events import (
    DEFAULT_PREVIEW_DAYS,
    REASON_WINDOW,
    TREND_DAYS,
    inactivity_preview,
)
from churn.shapes.helpers import (
    DAY,
    MAX_BAD_DATES,
    UNIT_DAYS,
    clean_id_codes,
    clean_ids,
    parse_date_column,
)

__all__ = [
    "DAY",
    "DEFAULT_PREVIEW_DAYS",
    "MAX_BAD_DATES",
    "NEEDS_ROLES",
    "REASON_WINDOW",
    "TREND_DAYS",
    "UNIT_DAYS",
    "build_customer_table",
    "clean_id_codes",
    "clean_ids",
    "inactivity_preview",
    "parse_date_column",
]
