"""Random draws, ids and dates shared by the sample generators."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def pick(rng: np.random.Generator, n: int, shares) -> np.ndarray:
    """Indices drawn with the given (normalised) shares."""
    p = np.asarray(shares, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def make_ids(prefix: str, n: int) -> np.ndarray:
    """``C00001``-style ids, wide enough for ``n``."""
    width = max(5, len(str(n)))
    # Build the ASCII bytes column by column: far faster than formatting a million strings.
    number = np.arange(1, n + 1, dtype=np.int64)
    chars = np.empty((n, len(prefix) + width), dtype=np.uint8)
    chars[:, : len(prefix)] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    for k in range(width):
        chars[:, -1 - k] = 48 + (number // 10**k) % 10
    return chars.view(f"S{chars.shape[1]}").ravel().astype(str).astype(object)


def growth_offsets(rng: np.random.Generator, n: int, days: int, growth: float) -> np.ndarray:
    """Sorted day offsets in ``[0, days)`` whose density grows ``growth``-fold over time."""
    g = math.log(growth)
    u = rng.random(n)
    t = np.log1p(u * (growth - 1.0)) / g  # inverse CDF of a density proportional to e^(g t)
    return np.sort(np.minimum((t * days).astype(np.int64), days - 1))


def to_day(value) -> np.datetime64:
    """A date-like ``value`` as a ``datetime64[D]`` day."""
    return np.datetime64(pd.Timestamp(value).normalize().date(), "D")
