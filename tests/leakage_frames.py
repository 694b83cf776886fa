"""Generated files for the leakage tests (issue 17, item 4): nothing here is a public file.

:func:`recency_frame` is the issue's example: a customer export with a ``recency`` column
(days since the last purchase) counted at export, long after churned customers cancelled,
so that it separates churners on its own (AUC about 0.96) while the honest features are
weak.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EXPORT = pd.Timestamp("2025-06-30")


def recency_frame(n: int = 3000, seed: int = 0, with_end: bool = True) -> pd.DataFrame:
    """Customers signed up 2022-01-01 .. 2025-03-31, exported on :data:`EXPORT`.

    Churn depends weakly on ``plan`` and ``support_calls``. A churned customer's last
    purchase falls a few days before the cancel date, an active customer's a few weeks
    before the export; ``recency`` = export - last purchase in days. With ``with_end`` the
    file has a ``cancel_date`` (blank for active customers).
    """
    rng = np.random.default_rng(seed)
    signup = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 1185, n), unit="D")
    plan = rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2])
    calls = rng.poisson(1.5, n)
    logit = -1.2 + 0.5 * (plan == "basic") + 0.2 * calls
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    span = (EXPORT - signup).days.to_numpy()
    left = signup + pd.to_timedelta((rng.random(n) * (span - 30) + 30).astype(int), unit="D")
    before_end = pd.to_timedelta(rng.exponential(15, n).astype(int), unit="D")
    before_export = pd.to_timedelta(rng.exponential(25, n).astype(int), unit="D")
    last = pd.DatetimeIndex(np.where(churned, left - before_end, EXPORT - before_export))
    last = pd.DatetimeIndex(np.maximum(last, signup))
    df = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "signup_date": signup.strftime("%Y-%m-%d"),
            "plan": plan,
            "support_calls": calls,
            "Marital status": rng.choice(["Married", "Single", "Divorced"], n),
            "recency": (EXPORT - last).days,
            "churn": np.where(churned, "Yes", "No"),
        }
    )
    if with_end:
        df.insert(2, "cancel_date", pd.Series(left.strftime("%Y-%m-%d")).where(churned))
    return df
