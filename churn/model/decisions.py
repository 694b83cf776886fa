"""The contact decision: the expected profit of contacting the k riskiest customers and
the recommended campaign size within capacity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import CHURNED, ID, CustomerTable
from churn.text import msg


@dataclass(frozen=True)
class Decision:
    """The recommended campaign from a profit curve.

    Attributes
    ----------
    n_contact : customers to contact (the riskiest first).
    n_total : customers ranked.
    threshold : the lowest risk among those contacted (NaN when nobody is contacted).
    expected_saved : customers the campaign is expected to keep.
    value_saved : expected value kept.
    campaign_cost : contacts x offer cost.
    expected_profit : value saved - campaign cost.
    roi : expected profit / campaign cost (NaN when the cost is 0).
    limited_by_capacity : True when the capacity, not the profit, set ``n_contact``.
    """

    n_contact: int
    n_total: int
    threshold: float
    expected_saved: float
    value_saved: float
    campaign_cost: float
    expected_profit: float
    roi: float
    limited_by_capacity: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def profit_curve(
    y_score,
    y_true=None,
    value_per_customer: float | Sequence[float] | np.ndarray = 1.0,
    offer_cost: float = 0.0,
    success_rate: float = 0.2,
    capacity: int | None = None,
) -> pd.DataFrame:
    """Expected profit of contacting the k riskiest customers, for k = 0 .. n.

    A contacted customer with risk ``p`` and value ``v`` is expected to be kept with
    probability ``p * success_rate`` (the offer only matters for someone who would have
    left), so contacting them is worth ``p * success_rate * v - offer_cost``. Customers
    are ranked by risk, highest first.

    Parameters
    ----------
    y_score : risk scores (probabilities).
    y_true : optional true labels; adds ``churners_contacted``.
    value_per_customer : value of keeping a customer: a constant or one per customer
        (missing values count as 0).
    offer_cost : cost of one contact or offer.
    success_rate : share of contacted would-be churners the offer keeps (0..1).
    capacity : the most customers that can be contacted (None: no limit).

    Returns
    -------
    pd.DataFrame
        ``contacted`` (0..n), ``threshold`` (risk of the last one contacted),
        ``expected_saved``, ``value_saved``, ``cost``, ``expected_profit``,
        ``within_capacity`` and, with ``y_true``, ``churners_contacted``.
    """
    s = np.asarray(y_score, dtype=float)
    if not 0 <= success_rate <= 1:
        raise ChurnDataError(
            msg("the offer's success share must be between 0 and 1."),
            fix=msg("e.g. 0.2 for 20 %."),
        )
    if offer_cost < 0:
        raise ChurnDataError(msg("the offer cost cannot be negative."))
    v = np.broadcast_to(np.asarray(value_per_customer, dtype=float), s.shape).copy()
    v[np.isnan(v)] = 0.0
    s = np.where(np.isnan(s), 0.0, s)
    order = np.argsort(-s, kind="mergesort")
    ss, vv = s[order], v[order]
    saved = np.concatenate([[0.0], np.cumsum(ss * success_rate)])
    value = np.concatenate([[0.0], np.cumsum(ss * success_rate * vv)])
    k = np.arange(len(s) + 1)
    cost = k * float(offer_cost)
    out = pd.DataFrame(
        {
            "contacted": k,
            "threshold": np.concatenate([[np.nan], ss]),
            "expected_saved": saved,
            "value_saved": value,
            "cost": cost,
            "expected_profit": value - cost,
            "within_capacity": k <= (capacity if capacity is not None else len(s)),
        }
    )
    if y_true is not None:
        yt = np.asarray(y_true, dtype=float)[order]
        out["churners_contacted"] = np.concatenate([[0.0], np.cumsum(np.nan_to_num(yt))])
    return out


def table_profit_curve(
    table: CustomerTable,
    risk: pd.Series,
    *,
    value_per_customer: float | None = None,
    offer_cost: float = 0.0,
    success_rate: float = 0.2,
    capacity: int | None = None,
) -> pd.DataFrame:
    """:func:`profit_curve` over the customers of ``table`` who have not churned.

    Churned customers are already gone, so only the others can be contacted.
    ``value_per_customer=None`` takes each customer's ``value`` column (missing = 0);
    a number uses the same value for everyone. ``risk`` comes from :func:`score`.
    """
    frame = table.frame
    keep = (frame[CHURNED] != 1).to_numpy()
    ids = frame[ID].astype(str).to_numpy()[keep]
    scores = risk.reindex(ids).to_numpy()
    values = frame["value"].to_numpy()[keep] if value_per_customer is None else value_per_customer
    return profit_curve(
        scores,
        value_per_customer=values,
        offer_cost=offer_cost,
        success_rate=success_rate,
        capacity=capacity,
    )


def recommend(profit: pd.DataFrame) -> Decision:
    """The most profitable number of contacts within capacity (fewest on a tie)."""
    ok = profit[profit["within_capacity"]]
    best_i = int(ok["expected_profit"].to_numpy().argmax())
    row = ok.iloc[best_i]
    unconstrained = int(profit["expected_profit"].to_numpy().argmax())
    k = int(row["contacted"])
    cost = float(row["cost"])
    return Decision(
        n_contact=k,
        n_total=int(profit["contacted"].max()),
        threshold=float(row["threshold"]),
        expected_saved=float(row["expected_saved"]),
        value_saved=float(row["value_saved"]),
        campaign_cost=cost,
        expected_profit=float(row["expected_profit"]),
        roi=float(row["expected_profit"]) / cost if cost > 0 else float("nan"),
        limited_by_capacity=bool(int(profit["contacted"].iloc[unconstrained]) > k),
    )
