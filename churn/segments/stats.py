"""Honest rates: Wilson intervals, two-proportion tests, Holm's adjustment, and the
rate table every segment view shares (customers, churned, rate, interval, small)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import CHURNED
from churn.text import msg

#: A segment is too small to judge below this many labelled customers ...
SMALL_CUSTOMERS = 30
#: ... or below this many churned customers.
SMALL_CHURNED = 5
#: How p-values are adjusted for testing every segment against the rest.
ADJUST_METHOD = "holm"


def require_labels(frame: pd.DataFrame) -> None:
    """Raise unless some customer has a churn label (checked without copying the frame)."""
    if not frame[CHURNED].notna().any():
        raise ChurnDataError(
            msg(
                "No customer has a churn label (churned or active), so no churn rate can be "
                "computed."
            ),
            fix=msg("confirm the label column and its churned values on the Data page."),
            column=CHURNED,
        )


def wilson_interval(k: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion ``k / n`` (no continuity correction).

    Parameters
    ----------
    k : float
        Number of successes (here: churned customers).
    n : float
        Number of trials (labelled customers).
    z : float, default 1.96
        Normal quantile; 1.96 gives a 95 % interval.

    Returns
    -------
    tuple of float
        ``(low, high)``, both within [0, 1]; ``(nan, nan)`` when ``n`` is 0.
    """
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low = 0.0 if k <= 0 else max(0.0, centre - half)
    high = 1.0 if k >= n else min(1.0, centre + half)
    return (low, high)


def wilson_arrays(k: np.ndarray, n: np.ndarray, z: float = 1.96) -> tuple[np.ndarray, ...]:
    """:func:`wilson_interval` of every pair: ``(low, high)`` arrays."""
    pairs = [wilson_interval(float(a), float(b), z) for a, b in zip(k, n, strict=True)]
    if not pairs:
        return np.array([], dtype=float), np.array([], dtype=float)
    low, high = zip(*pairs, strict=True)
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def holm_adjust(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment of p-values (NaN stays NaN and is not counted).

    Parameters
    ----------
    p_values : sequence of float

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order, capped at 1.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for i, idx in enumerate(order):
        running = max(running, min(1.0, (m - i) * p[idx]))
        out[idx] = running
    return out


def two_proportion_p_value(k1: int, n1: int, k2: int, n2: int) -> tuple[float, str]:
    """Two-sided p-value for "rate 1 differs from rate 2", and the test used.

    A pooled two-proportion z-test, or Fisher's exact test when any expected count of the
    2x2 table is below 5. Returns ``(nan, "none")`` when a group is empty.
    """
    from scipy import stats

    if n1 <= 0 or n2 <= 0:
        return (math.nan, "none")
    n = n1 + n2
    k = k1 + k2
    expected = [n1 * k / n, n1 * (n - k) / n, n2 * k / n, n2 * (n - k) / n]
    if min(expected) < 5:
        res = stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]], alternative="two-sided")
        return (float(res.pvalue), "fisher")
    pooled = k / n
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return (1.0, "z")
    zval = (k1 / n1 - k2 / n2) / se
    return (float(2 * stats.norm.sf(abs(zval))), "z")


def rate_frame(keys: pd.DataFrame, churned: pd.Series) -> pd.DataFrame:
    """customers / churned / rate / interval / small for each group of ``keys``."""
    grouped = churned.groupby([keys[c] for c in keys.columns], observed=True, sort=True)
    out = grouped.agg(customers="size", churned="sum").reset_index()
    out["customers"] = out["customers"].astype(int)
    out["churned"] = out["churned"].round().astype(int)
    out["churn_rate"] = out["churned"] / out["customers"]
    low, high = wilson_arrays(out["churned"].to_numpy(), out["customers"].to_numpy())
    out["ci_low"], out["ci_high"] = low, high
    out["small"] = (out["customers"] < SMALL_CUSTOMERS) | (out["churned"] < SMALL_CHURNED)
    return out
