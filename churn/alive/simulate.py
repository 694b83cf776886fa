"""Purchase logs drawn from the BG/NBD and Gamma-Gamma models themselves.

For benchmarks and tests: a fit on a log drawn with known parameters should find them
again. Each customer gets a purchase rate ``lambda ~ gamma(r, alpha)`` (per day) and a
drop-out probability ``p ~ beta(a, b)``, a first purchase on a random day of the
acquisition window, then Poisson purchases until the snapshot, dropping out after each
repeat purchase with probability ``p``. With amounts, each customer's mean spend comes
from the Gamma-Gamma model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.alive.bgnbd import BetaGeoParams
from churn.alive.gamma_gamma import GammaGammaParams


def _repeat_offsets(rng: np.random.Generator, lam: np.ndarray, life: np.ndarray) -> tuple:
    """Owner and offset (days after the first purchase) of every repeat purchase.

    Given n Poisson arrivals in (0, T] their times are n sorted uniforms; a customer
    who drops out after repeat purchase K keeps only the first K of them.
    """
    n = rng.poisson(lam * life)
    owner = np.repeat(np.arange(len(n)), n)
    u = rng.random(len(owner)) * life[owner]
    order = np.lexsort((u, owner))
    owner, u = owner[order], u[order]
    starts = np.concatenate(([0], np.cumsum(n)[:-1]))
    rank = np.arange(len(owner)) - np.repeat(starts, n)
    return owner, u, rank


def simulate_purchases(
    n_customers: int,
    params: BetaGeoParams,
    spend: GammaGammaParams | None = None,
    *,
    acquisition_days: int = 84,
    snapshot: str = "2025-12-31",
    observed_days: int = 364,
    seed: int = 0,
) -> pd.DataFrame:
    """A purchase log of ``n_customers`` drawn from BG/NBD (and Gamma-Gamma).

    Parameters
    ----------
    n_customers : int
    params : BetaGeoParams
        ``alpha`` is read in the unit ``params.unit_days`` days.
    spend : GammaGammaParams, optional
        Adds an ``amount`` column.
    acquisition_days : int
        First purchases fall on the first ``acquisition_days`` days of the log.
    snapshot : date
        The last day of the log.
    observed_days : int
        Days from the first possible first purchase to the snapshot, inclusive.
    seed : int

    Returns
    -------
    DataFrame
        ``customer_id`` (``C0000001``...), ``date`` (datetime64) and, with ``spend``,
        ``amount``; one row per purchase (several may fall on one day), sorted by
        customer and date.
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params.r, 1.0 / params.alpha, n_customers) / params.unit_days  # per day
    p = rng.beta(params.a, params.b, n_customers)
    first = rng.integers(0, acquisition_days, n_customers)
    life = (observed_days - first).astype(float)  # observed days of each customer
    owner, offset, rank = _repeat_offsets(rng, lam, life)
    keep_k = rng.geometric(p)  # repeat purchases made before dropping out
    keep = rank < keep_k[owner]
    owner, offset = owner[keep], offset[keep]
    cust = np.concatenate((np.arange(n_customers), owner))
    day = np.concatenate((first, first[owner] + np.floor(offset).astype(np.int64)))
    order = np.lexsort((day, cust))
    cust, day = cust[order], day[order]
    start = np.datetime64(snapshot, "D") - np.timedelta64(observed_days - 1, "D")
    out = pd.DataFrame(
        {
            "customer_id": np.char.add("C", np.char.zfill(cust.astype(str), 7)).astype(object),
            "date": (start + day.astype("m8[D]")).astype("datetime64[ns]"),
        }
    )
    if spend is not None:
        nu = rng.gamma(spend.q, 1.0 / spend.gamma, n_customers)
        out["amount"] = np.round(rng.gamma(spend.p, 1.0 / nu[cust]), 2)
    return out
