"""Revenue churn: the value of the customers lost, next to their count, in the period table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from churn.text import Text, msg

if TYPE_CHECKING:  # periods imports this module
    from churn.metrics.periods import PeriodSlots


def add_revenue_columns(out: pd.DataFrame, slots: PeriodSlots, value: np.ndarray) -> list[Text]:
    """Add the revenue columns to a period table (in place) when customers have values.

    ``revenue_start`` (value of customers active at start), ``revenue_new``,
    ``revenue_lost`` (value of customers active at start who left in the period) and
    ``gross_revenue_churn`` (= revenue_lost / revenue_start). Returns the note saying why
    net revenue retention is not given (none without values).
    """
    if not np.isfinite(value).any():
        return []
    has_end, from_start = slots.has_end, slots.from_start
    v = np.nan_to_num(value, nan=0.0)
    rev_new = slots.count(slots.start, v)
    rev_churned = slots.count(slots.end[has_end], v[has_end])
    out["revenue_start"] = np.concatenate([[0.0], np.cumsum(rev_new - rev_churned)[:-1]])
    out["revenue_new"] = rev_new
    out["revenue_lost"] = slots.count(slots.end[from_start], v[from_start])
    with np.errstate(divide="ignore", invalid="ignore"):
        out["gross_revenue_churn"] = np.where(
            out["revenue_start"] > 0, out["revenue_lost"] / out["revenue_start"], np.nan
        )
    return [
        msg(
            "Net revenue retention is not shown: with one value per customer, expansion "
            "and contraction cannot be seen, only revenue lost with churned customers."
        )
    ]
