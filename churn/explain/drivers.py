"""Global drivers: what drives churn across customers, measured on a seeded sample."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from churn.explain.seam import Explainer, explain, make_explainer
from churn.explain.wording import value_text
from churn.table import CustomerTable

#: Customers explained for the global drivers (a seeded sample of the table).
GLOBAL_SAMPLE = 2000
#: ... for the random forest, whose 200 deep trees explain about 60 customers per second
#: on one core (LightGBM: about 2,000 per second).
GLOBAL_SAMPLE_FOREST = 300


# --------------------------------------------------------------------------- global
@dataclass(frozen=True, eq=False)
class GlobalDrivers:
    """What drives churn across customers, measured on a sample.

    Attributes
    ----------
    importance : ``feature``, ``mean_abs_contribution``, ``mean_contribution``, ``rank``
        (1 = strongest), ``n`` (customers explained); strongest first.
    points : long frame for the beeswarm and dependence charts: ``row``, ``customer_id``,
        ``feature``, ``value`` (text), ``value_number`` (NaN for categories),
        ``value_rank`` (0..1 rank of the value within its column; categories ranked by
        their mean contribution), ``contribution``.
    n_sample, n_total : customers explained, and customers in the table.
    base_risk : the explanation's base risk.
    """

    importance: pd.DataFrame
    points: pd.DataFrame
    n_sample: int
    n_total: int
    base_risk: float


def default_sample(trained) -> int:
    """Customers explained for the global drivers: fewer for the slow random forest."""
    return GLOBAL_SAMPLE_FOREST if trained.name == "random_forest" else GLOBAL_SAMPLE


def sample_rows(table: CustomerTable, n: int = GLOBAL_SAMPLE, seed: int = 0) -> pd.DataFrame:
    """A seeded sample of up to ``n`` rows of the table (all rows when it is smaller)."""
    frame = table.frame
    return frame if len(frame) <= n else frame.sample(n, random_state=seed).sort_index()


def global_drivers(
    trained,
    table: CustomerTable,
    *,
    explainer: Explainer | None = None,
    sample: int | None = None,
    seed: int = 0,
) -> GlobalDrivers:
    """Mean absolute contribution per column and the points of the beeswarm chart.

    Parameters
    ----------
    trained : churn.model.TrainedModel
    table : the confirmed customer table.
    explainer : from :func:`make_explainer` (built here when None).
    sample : customers explained (a seeded sample when the table is larger); default
        :func:`default_sample`.
    seed : the sample's seed.

    Returns
    -------
    GlobalDrivers
    """
    rows = sample_rows(table, default_sample(trained) if sample is None else sample, seed)
    if explainer is None:
        explainer = make_explainer(trained, rows)
    ex = explain(trained, rows, explainer=explainer)
    c = ex.contributions
    imp = pd.DataFrame(
        {
            "feature": c.columns,
            "mean_abs_contribution": c.abs().mean().to_numpy(),
            "mean_contribution": c.mean().to_numpy(),
            "n": len(c),
        }
    ).sort_values("mean_abs_contribution", ascending=False, kind="mergesort")
    imp["rank"] = np.arange(1, len(imp) + 1)
    imp = imp.reset_index(drop=True)[
        ["feature", "rank", "mean_abs_contribution", "mean_contribution", "n"]
    ]
    parts = []
    ids = ex.customer_id if ex.customer_id is not None else pd.Series(c.index.astype(str))
    for col in c.columns:
        v = ex.values[col]
        num = col not in trained.categorical and pd.api.types.is_numeric_dtype(v)
        if num:
            vn = pd.to_numeric(v, errors="coerce").astype(float)
            rank = vn.rank(pct=True)
        else:
            vn = pd.Series(np.nan, index=v.index)
            text = v.astype(object).where(v.notna(), None).map(_text_or_missing)
            order = c[col].groupby(text).mean().rank(pct=True)
            rank = text.map(order)
        parts.append(
            pd.DataFrame(
                {
                    "row": c.index,
                    "customer_id": ids.to_numpy(),
                    "feature": col,
                    "value": v.map(value_text).to_numpy(),
                    "value_number": vn.to_numpy(),
                    "value_rank": rank.to_numpy(dtype=float),
                    "contribution": c[col].to_numpy(),
                }
            )
        )
    points = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return GlobalDrivers(imp, points, len(c), table.n_customers, ex.base_risk)


def _text_or_missing(v: Any) -> str:
    return "(missing)" if v is None else str(v)
