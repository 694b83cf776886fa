"""Generated customer tables with known signal for the model tests of issue 18 (tuning,
monotone warning signs, the first answer)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.roles import ColumnRoles
from churn.table import CustomerTable

FEATURES = ("support_tickets", "nps", "logins_30d", "plan", "region", "monthly_fee")
CATEGORICAL = ("plan", "region")
#: Plans whose churn is high, in no order the plan names' codes would give.
RISKY_PLANS = ("b", "e", "g")


def signal_frame(n: int = 2000, seed: int = 0, interaction: float = 0.0) -> pd.DataFrame:
    """Customers whose churn rises with tickets, falls with NPS, depends on a set of plans
    that is not an interval of their codes, and (``interaction`` > 0) whose tickets
    matter less, even the other way, for promoters on the risky plans."""
    rng = np.random.default_rng(seed)
    tickets = rng.poisson(2.0, n).astype(float)
    nps = rng.integers(0, 11, n).astype(float)
    plan = rng.choice(list("abcdefgh"), n)
    risky = np.isin(plan, RISKY_PLANS)
    logins = rng.poisson(12, n).astype(float)
    fee = np.round(rng.normal(40, 10, n), 2)
    logit = -1.0 + 0.6 * (tickets - 2) - 0.25 * (nps - 5) + 1.4 * risky - 0.05 * (logins - 12)
    logit -= interaction * (tickets - 2) * (risky & (nps >= 8))
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "churned": churned,
            "label_status": np.where(churned == 1, "churned", "active"),
            "support_tickets": tickets,
            "nps": nps,
            "logins_30d": logins,
            "plan": plan,
            "region": rng.choice(["north", "south", "east"], n),
            "monthly_fee": fee,
        }
    )


def signal_table(n: int = 2000, seed: int = 0, interaction: float = 0.0) -> CustomerTable:
    """:func:`signal_frame` as a confirmed customer table (no dates: cross-validation)."""
    frame = signal_frame(n, seed, interaction)
    frame["start_date"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    frame["end_date"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return CustomerTable(
        frame=frame,
        roles=ColumnRoles(id="id", label="status"),
        shape="customers",
        snapshot=None,
        rows_in=n,
        features=FEATURES,
        categorical=CATEGORICAL,
    )
