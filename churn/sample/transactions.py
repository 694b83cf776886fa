"""The order-log samples: an e-commerce transaction log and benchmark-sized event logs.

Customers come in monthly cohorts, buy at their own rhythm and go quiet after a random
lifetime: the data for the inactivity definition of churn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.sample.helpers import growth_offsets, make_ids, pick, to_day

# The e-commerce log: category, Korean, share of customers, typical order (KRW),
# mean days between orders, relative time before going quiet.
CATEGORIES = (
    ("Fashion", "패션", 0.25, 62000, 45, 0.9),
    ("Beauty", "뷰티", 0.20, 38000, 35, 1.0),
    ("Grocery", "식품", 0.20, 45000, 20, 1.5),
    ("Home", "생활용품", 0.15, 55000, 60, 1.0),
    ("Electronics", "전자제품", 0.10, 240000, 110, 0.55),
    ("Books", "도서", 0.10, 21000, 50, 1.1),
)
_ONE_TIME_SHARE = 0.18  # customers who buy once and never come back
_MEAN_LIFETIME_DAYS = 480.0  # before going quiet, for a mid-spend customer


def _customer_plan(rng: np.random.Generator, n: int, days: int) -> dict[str, np.ndarray]:
    """Per-customer parameters of the order log and the number of orders each makes."""
    first = growth_offsets(rng, n, days, 2.0)
    category = pick(rng, n, [c[2] for c in CATEGORIES])
    spend = np.exp(rng.normal(0.0, 0.5, n))  # relative spend level
    gap = np.array([c[4] for c in CATEGORIES], dtype=float)[category] * np.exp(
        rng.normal(0.0, 0.5, n)
    )
    tercile = np.digitize(spend, np.exp([-0.215, 0.215]))  # 0 low, 1 mid, 2 high spenders
    life_mult = np.array([c[5] for c in CATEGORIES])[category] * np.array([0.5, 1.0, 1.5])[tercile]
    lifetime = rng.exponential(_MEAN_LIFETIME_DAYS * life_mult)
    lifetime[rng.random(n) < _ONE_TIME_SHARE] = 0.0
    last = np.minimum(first + lifetime, days - 1.0)
    span = last - first
    count = 1 + rng.poisson(span / gap)
    return {"first": first, "category": category, "spend": spend, "span": span, "count": count}


def _orders(
    rng: np.random.Generator, plan: dict[str, np.ndarray], start: np.datetime64, prefix: str
) -> pd.DataFrame:
    """Expand per-customer plans into one row per order, sorted by customer and date."""
    count = plan["count"]
    n = len(count)
    owner = np.repeat(np.arange(n, dtype=np.int64), count)
    # Order times: the first order, then the others uniform over the active span (a
    # Poisson process at the customer's own rhythm), sorted within each customer.
    offset = rng.random(len(owner)) * plan["span"][owner]
    starts = np.concatenate(([0], np.cumsum(count)[:-1]))
    offset[starts] = 0.0
    key = np.sort(owner * 4096.0 + offset)  # spans are < 4096 days: sorts within customers
    day = plan["first"][owner] + np.floor(key - owner * 4096.0).astype(np.int64)

    own_cat = plan["category"][owner]
    other = rng.integers(0, len(CATEGORIES), len(owner))
    category = np.where(rng.random(len(owner)) < 0.7, own_cat, other)
    typical = np.array([c[3] for c in CATEGORIES], dtype=float)[category]
    amount = typical * plan["spend"][owner] * np.exp(rng.normal(0.0, 0.35, len(owner)))
    amount = np.maximum(np.round(amount / 100.0) * 100, 1000).astype(np.int64)
    amount[rng.random(len(owner)) < 0.004] = 0  # free samples and full-coupon orders

    ids = make_ids(prefix, n)
    names = pd.Categorical.from_codes(category, [c[0] for c in CATEGORIES])
    return pd.DataFrame(
        {
            "customer_id": ids[owner],
            "order_date": (start + day.astype("m8[D]")).astype("datetime64[ns]"),
            "amount": amount,
            "category": names,
        }
    )


def generate_transactions(
    n_customers: int = 3000, seed: int = 11, start="2024-01-01", end="2025-12-31"
) -> pd.DataFrame:
    """An e-commerce order log: customer_id, order_date, amount (KRW), category.

    Customers' first orders spread over the window with growth (many monthly cohorts);
    each customer buys at an own rhythm from a main category, about a fifth buy only
    once, and the others go quiet after a random lifetime that is shorter for
    electronics and low spenders and longer for groceries and high spenders.

    Parameters
    ----------
    n_customers : int
        Number of customers (each has at least one order).
    seed : int
        Seed of the random generator.
    start, end : str or Timestamp
        First and last possible order date.

    Returns
    -------
    pandas.DataFrame
        One row per order, sorted by customer and date; ``category`` is a pandas
        Categorical, ``amount`` whole won (a few free orders are 0).
    """
    if n_customers < 1:
        raise ValueError("n_customers must be at least 1")
    rng = np.random.default_rng(seed)
    first, last = to_day(start), to_day(end)
    days = int((last - first).astype(np.int64)) + 1
    if days < 2:
        raise ValueError("end must be after start")
    plan = _customer_plan(rng, n_customers, days)
    frame = _orders(rng, plan, first, "M")
    frame["category"] = frame["category"].astype(object)
    return frame


def generate_event_log(
    n_rows: int, seed: int = 0, start="2024-01-01", end="2025-12-31"
) -> pd.DataFrame:
    """A large order log with exactly ``n_rows`` rows, for benchmarks.

    The same process as :func:`generate_transactions`; the number of customers follows
    from ``n_rows`` (about 8 orders per customer). ``category`` stays a Categorical to
    keep ten million rows light.

    Parameters
    ----------
    n_rows : int
        Number of rows (orders) wanted.
    seed : int
        Seed of the random generator.
    start, end : str or Timestamp
        First and last possible order date.

    Returns
    -------
    pandas.DataFrame
        Columns ``customer_id, order_date, amount, category``.
    """
    if n_rows < 1:
        raise ValueError("n_rows must be at least 1")
    rng = np.random.default_rng(seed)
    first, last = to_day(start), to_day(end)
    days = int((last - first).astype(np.int64)) + 1
    plan = _customer_plan(rng, max(16, int(n_rows / 4) + 16), days)
    total = np.cumsum(plan["count"])
    while total[-1] < n_rows:  # too few orders drawn (tiny windows): draw more customers
        more = _customer_plan(rng, len(total), days)
        plan = {k: np.concatenate([plan[k], more[k]]) for k in plan}
        total = np.cumsum(plan["count"])
    keep = int(np.searchsorted(total, n_rows)) + 1
    plan = {k: v[:keep].copy() for k, v in plan.items()}
    plan["count"][-1] -= int(total[keep - 1] - n_rows)
    return _orders(rng, plan, first, "M")
