"""The confirmed customer table every analysis works on.

Whatever the input shape (one row per customer, subscriptions with dates, or an event
log), ``churn.shapes.build_customer_table`` turns it into one row per customer with the
canonical columns below, plus the user's attribute columns under their own names.
Analysis functions take a :class:`CustomerTable` (or its ``frame``) and never guess
columns by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from churn.roles import ColumnRoles
from churn.settings import IntakeSettings

# Canonical columns of CustomerTable.frame. A user column with one of these names is
# renamed with the suffix " (original)" so nothing is lost or overwritten.
ID = "customer_id"  # str, unique
CHURNED = "churned"  # float: 1.0 churned, 0.0 active, NaN not labelled
STATUS = "label_status"  # "churned" | "active" | "too_new" | "excluded"
START = "start_date"  # datetime64[ns] or NaT
END = "end_date"  # datetime64[ns]: churn date; NaT while active
TENURE = "tenure_days"  # float days as a customer (to end date or snapshot)
VALUE = "value"  # float: monthly fee / amount per customer (NaN when unknown)
CANONICAL = (ID, CHURNED, STATUS, START, END, TENURE, VALUE)

STATUS_CHURNED = "churned"
STATUS_ACTIVE = "active"
STATUS_TOO_NEW = "too_new"
STATUS_EXCLUDED = "excluded"


@dataclass(frozen=True, eq=False)
class CustomerTable:
    """One row per customer, ready for every analysis.

    Attributes
    ----------
    frame : the table: canonical columns (see module constants) then attributes.
    roles : the confirmed roles it was built from (column names of the *source*).
    shape : "customers", "subscriptions" or "events".
    snapshot : the "as of" date (None when the data has no dates).
    rows_in : rows in the source file.
    features : columns of ``frame`` a model may use (ids, personal columns, raw dates
        and leakage suspects are never here unless the user overrides).
    categorical : the subset of ``features`` that are categories.
    excluded : (column, reason) pairs: columns kept out of ``features`` and why.
    personal : personal columns kept for exports (name, e-mail, phone...).
    inactivity_days : N for event logs (churned = no event in the last N days).
    notes : plain-language notes on how the table was built (shown on the Data page).
    settings : the intake settings it was built with (roles, snapshot as asked, inactivity
        window; set by ``build_customer_table``): a model trained on the table keeps them.
    dates_after_snapshot : (date column, dates after the snapshot) for the date columns
        the build read on every row of the file; validation counts from here instead of
        reading those dates again.
    """

    frame: pd.DataFrame
    roles: ColumnRoles
    shape: str
    snapshot: pd.Timestamp | None = None
    rows_in: int = 0
    features: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    excluded: tuple[tuple[str, str], ...] = ()
    personal: tuple[str, ...] = ()
    inactivity_days: int | None = None
    notes: tuple[str, ...] = field(default=())
    settings: IntakeSettings | None = field(default=None, repr=False)
    dates_after_snapshot: tuple[tuple[str, int], ...] = field(default=(), repr=False)

    @property
    def labelled(self) -> pd.DataFrame:
        """Rows with a known label (churned or active)."""
        return self.frame[self.frame[CHURNED].notna()]

    @property
    def n_customers(self) -> int:
        return int(len(self.frame))

    @property
    def n_labelled(self) -> int:
        """Customers with a known label (churned or active), counted without a copy."""
        return int(self.frame[CHURNED].notna().sum())

    @property
    def n_churned(self) -> int:
        return int((self.frame[CHURNED] == 1).sum())

    @property
    def churn_rate(self) -> float:
        """Churned / labelled customers (NaN when nobody is labelled)."""
        lab = self.frame[CHURNED].dropna()
        return float(lab.mean()) if len(lab) else float("nan")

    @property
    def has_dates(self) -> bool:
        return bool(self.frame[START].notna().any())

    @property
    def has_tenure(self) -> bool:
        return bool(self.frame[TENURE].notna().any())

    @property
    def has_value(self) -> bool:
        return bool(self.frame[VALUE].notna().any())

    @property
    def numeric_features(self) -> tuple[str, ...]:
        return tuple(c for c in self.features if c not in self.categorical)
