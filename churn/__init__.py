"""ChurnLens' analysis library: DataFrames in, tidy DataFrames or dataclasses out.

Nothing here imports Streamlit; heavy libraries (shap, lifelines, lightgbm) are
imported inside the functions that use them so that ``import churn`` stays fast.
"""

from __future__ import annotations

from churn.errors import ChurnDataError, ValidationIssue
from churn.roles import ColumnRoles
from churn.settings import DEFAULT_INACTIVITY_DAYS, IntakeSettings
from churn.table import CustomerTable

__all__ = [
    "DEFAULT_INACTIVITY_DAYS",
    "ChurnDataError",
    "ColumnRoles",
    "CustomerTable",
    "IntakeSettings",
    "ValidationIssue",
]
__version__ = "0.1.0"
