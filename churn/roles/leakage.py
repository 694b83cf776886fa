"""Leakage screening: a single column that separates the label almost perfectly.

The measures themselves (:func:`rank_auc`, :func:`separation_auc`,
:func:`pure_level_detail`, :func:`leakage_detail`) and the words of a leakage reason
(:data:`REASON_LEAK_PREFIX`, :func:`leakage_reason`). How role inference uses them, with
names only as a hint, is :mod:`churn.roles.screen`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.roles.facts import as_number
from churn.text import msg

#: AUC above which one column alone is a leakage suspect.
LEAKAGE_AUC = 0.97
#: Share of rows a single pure level (100 % one class) must cover to be a suspect.
LEAKAGE_PURE_LEVEL = 0.5

REASON_LEAK_NAME = msg("leakage suspect: the name suggests it is recorded at or after churn")
#: Start of every leakage reason; the detail of :func:`leakage_reason` follows it.
REASON_LEAK_PREFIX = "leakage suspect: "


def leakage_reason(detail: str) -> str:
    """The excluded-reason of a column that separates the label (``detail`` from
    :func:`leakage_detail`): ``REASON_LEAK_PREFIX + detail``, translatable."""
    return msg("leakage suspect: {detail}", detail=detail)


def rank_auc(values: np.ndarray, y: np.ndarray) -> float:
    """The chance that a churned row (``y == 1``) has a higher value than an active one
    (``y == 0``), ties counting half: the ROC AUC of ``values`` as a score.

    ``values`` are floats without NaN; ``y`` holds only 1.0 and 0.0. Works on the
    distinct values (one sort), so it is fast on a sample of any size. NaN when a
    class is empty.
    """
    uniq, inv = np.unique(values, return_inverse=True)
    pos = np.bincount(inv, weights=y, minlength=len(uniq))
    neg = np.bincount(inv, minlength=len(uniq)) - pos
    n1, n0 = pos.sum(), neg.sum()
    if n1 == 0 or n0 == 0:
        return float("nan")
    below = np.cumsum(neg) - neg  # actives with a strictly lower value
    return float(((pos * below).sum() + 0.5 * (pos * neg).sum()) / (n1 * n0))


def separation_auc(x: pd.Series, y: pd.Series) -> float:
    """How well a numeric column alone ranks churned above active customers.

    Returns max(AUC, 1 - AUC) in [0.5, 1] (direction does not matter); missing values
    of ``x`` count as their own lowest value. NaN when ``x`` is not numeric or either
    class has fewer than 5 customers.
    """
    mask = y.notna().to_numpy()
    xs = as_number(x)
    if xs is None:
        return float("nan")
    xv = xs.to_numpy(dtype=float)[mask]
    yv = y.to_numpy(dtype=float)[mask]
    n1 = int((yv == 1).sum())
    n0 = int((yv == 0).sum())
    if n1 < 5 or n0 < 5:
        return float("nan")
    if np.isnan(xv).all():
        return 0.5
    low = np.nanmin(xv) - 1.0
    auc = rank_auc(np.where(np.isnan(xv), low, xv), yv)
    return float(max(auc, 1 - auc))


def pure_level_detail(x: pd.Series, y: np.ndarray) -> str | None:
    """A level of ``x`` (missing counts as a level) with at least 5 customers, all of one
    class of ``y`` (1.0/0.0, no NaN), covering at least :data:`LEAKAGE_PURE_LEVEL` of
    the rows (e.g. a "cancel code" empty for every active customer); None otherwise."""
    codes, uniques = pd.factorize(x, use_na_sentinel=False)
    if len(uniques) < 2 or len(uniques) > 200:
        return None
    size = np.bincount(codes, minlength=len(uniques))
    pos = np.bincount(codes, weights=y, minlength=len(uniques))
    pure = (size >= 5) & ((pos == 0) | (pos == size))
    if not pure.any():
        return None
    best = int(np.argmax(np.where(pure, size, 0)))
    share = size[best] / len(y)
    if share < LEAKAGE_PURE_LEVEL:
        return None
    level = msg("(missing)") if pd.isna(uniques[best]) else str(uniques[best])
    if pos[best] == size[best]:
        return msg(
            "value '{level}' covers {share:.0%} of customers and all of them are churned",
            level=level,
            share=share,
        )
    return msg(
        "value '{level}' covers {share:.0%} of customers and all of them are active",
        level=level,
        share=share,
    )


def leakage_detail(x: pd.Series, y: pd.Series) -> str | None:
    """Why ``x`` alone separates the label ``y`` (1.0/0.0/NaN) almost perfectly, or None.

    Two tests: a numeric column with AUC above :data:`LEAKAGE_AUC`; or a level of the
    column (missing counts as a level) with at least 5 customers, all of one class,
    covering at least half of the labelled customers (e.g. a "cancel code" that is empty
    for every active customer).
    """
    mask = y.notna()
    if mask.sum() < 10:
        return None
    if y[mask].nunique() < 2:  # one class only: nothing can separate it
        return None
    auc = separation_auc(x, y)
    if not np.isnan(auc) and auc > LEAKAGE_AUC:
        return msg("separates the label almost perfectly on its own (AUC {auc:.3f})", auc=auc)
    return pure_level_detail(x[mask], y[mask].to_numpy(dtype=float))
