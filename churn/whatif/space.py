"""The feature space: what each model feature can be set to, which features a business
can act on, and how values read (as the model reads a category, as shown in a table).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from churn.table import CustomerTable
from churn.whatif.kinds import ACTIONABLE_KINDS, FIXED_KINDS, KIND_NAME_PATTERNS, feature_kind

if TYPE_CHECKING:  # pragma: no cover - typing only
    from churn.model import TrainedModel

#: Name fragments of features a business can act on, and of fixed ones (who the customer
#: is, their tenure and history): every pattern of :data:`churn.whatif.kinds.
#: KIND_NAME_PATTERNS`, by whether its kind is actionable.
ACTIONABLE_PATTERNS = tuple(p for k in ACTIONABLE_KINDS for p in KIND_NAME_PATTERNS[k])
FIXED_PATTERNS = tuple(p for k in FIXED_KINDS for p in KIND_NAME_PATTERNS[k])
#: Numeric features with more distinct values than this get quantile candidates.
MAX_NUMERIC_CANDIDATES = 21
#: Best single values per feature kept when pairs are searched.
PAIR_VALUES_PER_FEATURE = 6

Kind = Literal["categorical", "integer", "float"]


def compact_name(name: str) -> str:
    """``name`` in lower case with letters and digits only: what the patterns are sought in."""
    return re.sub(r"[^0-9a-z가-힣]", "", str(name).lower())


def is_actionable(name: str, values: Iterable[Any] | None = None) -> bool:
    """Default marking of a feature by its kind (:func:`churn.whatif.kinds.feature_kind`:
    its name in English or Korean, else its values).

    Plan, contract, products, payment method, activity and engagement, discounts and
    prices are actionable; who the customer is, tenure and history are fixed (a fixed
    pattern wins: ``total_charges`` is history, ``signup_date`` tenure); a column of no
    known kind is fixed, so a suggestion never touches an unknown column.
    """
    return feature_kind(name, values) in ACTIONABLE_KINDS


def model_text(v: Any) -> Any:
    """A category value as the model reads it (:func:`churn.model.category_text`)."""
    from churn.model import category_text

    return category_text(v)


def feature_space(table: CustomerTable, trained: TrainedModel) -> pd.DataFrame:
    """What each model feature can be set to, learned from the data.

    Parameters
    ----------
    table : the confirmed customer table.
    trained : the trained model (its features and categorical subset are used).

    Returns
    -------
    pd.DataFrame
        One row per model feature, in the model's order: ``feature``, ``kind``
        (``categorical`` | ``integer`` | ``float``), ``levels`` (seen categories as text,
        most common first; for numbers the candidate values, all seen), ``min`` and
        ``max`` (1st and 99th percentile, seen values), ``data_min`` / ``data_max`` (the
        whole range), ``step`` (1 for integers), ``missing`` (share missing) and
        ``actionable`` (default marking by kind, see :func:`is_actionable`) and ``use``
        (the kind: plan, contract, products, payment, activity, discount; demographic,
        tenure, history; unknown).
    """
    from churn.model import feature_frame

    X = feature_frame(table.frame, trained.features, trained.categorical)
    rows = []
    for c in trained.features:
        s = X[c]
        present = s.dropna()
        row: dict[str, Any] = {"feature": c, "missing": float(s.isna().mean())}
        if c in trained.categorical:
            counts = present.value_counts(sort=True)
            # most common first, ties by text so the order is stable
            order = sorted(counts.index, key=lambda v: (-counts[v], str(v)))
            row.update(
                kind="categorical",
                levels=[str(v) for v in order],
                min=np.nan,
                max=np.nan,
                data_min=np.nan,
                data_max=np.nan,
                step=np.nan,
            )
        else:
            vals = present.to_numpy(dtype=float)
            integer = bool(len(vals)) and bool(np.all(np.equal(np.mod(vals, 1), 0)))
            if len(vals):
                lo = float(np.quantile(vals, 0.01, method="nearest"))
                hi = float(np.quantile(vals, 0.99, method="nearest"))
                inside = np.unique(vals[(vals >= lo) & (vals <= hi)])
                if len(inside) > MAX_NUMERIC_CANDIDATES:
                    qs = np.linspace(0, 1, MAX_NUMERIC_CANDIDATES)
                    inside = np.unique(
                        np.quantile(vals[(vals >= lo) & (vals <= hi)], qs, method="nearest")
                    )
                levels = [float(v) for v in inside]
                dmin, dmax = float(vals.min()), float(vals.max())
            else:
                lo = hi = dmin = dmax = np.nan
                levels = []
            step = 1.0 if integer else (_nice_step((hi - lo) / 100) if hi > lo else 0.1)
            row.update(
                kind="integer" if integer else "float",
                levels=levels,
                min=lo,
                max=hi,
                data_min=dmin,
                data_max=dmax,
                step=step,
            )
        text_values = row["levels"] if c in trained.categorical else None
        row["use"] = feature_kind(c, text_values)
        row["actionable"] = row["use"] in ACTIONABLE_KINDS
        rows.append(row)
    cols = ["feature", "kind", "levels", "min", "max", "data_min", "data_max", "step"]
    return pd.DataFrame(rows, columns=cols + ["missing", "actionable", "use"])


def _nice_step(x: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``x``."""
    if not x > 0:
        return 0.1
    p = 10 ** math.floor(math.log10(x))
    for m in (5, 2, 1):
        if m * p <= x:
            return float(m * p)
    return float(p)


def specs_by_feature(space: pd.DataFrame | None) -> dict[str, dict[str, Any]] | None:
    """The rows of a :func:`feature_space` by feature name (None for None)."""
    if space is None:
        return None
    return {r["feature"]: r for r in space.to_dict("records")}


def shown(v: Any) -> Any:
    """A value for JSON and tables: NaN -> None, numpy scalars -> Python."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if v.is_integer():
            return int(v)
    return v
