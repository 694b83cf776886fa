"""Honest evaluation: headline metrics with their baselines and the frames the charts draw
(ROC, precision-recall, calibration, gains, score histogram, confusion matrix)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.text import msg


def _as_arrays(y_true, y_score) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(y_score, dtype=float)
    if y.shape != s.shape:
        raise ChurnDataError(msg("labels and scores have different lengths."))
    keep = ~(np.isnan(y) | np.isnan(s))
    return y[keep].astype(int), s[keep]


def top_decile_lift(y_true, y_score, share: float = 0.1) -> float:
    """Churn rate among the top ``share`` by score divided by the overall churn rate."""
    y, s = _as_arrays(y_true, y_score)
    if len(y) == 0 or y.mean() == 0:
        return float("nan")
    k = max(1, int(math.ceil(len(y) * share)))
    top = np.argsort(-s, kind="mergesort")[:k]
    return float(y[top].mean() / y.mean())


def evaluate(y_true, y_score, threshold: float = 0.5) -> dict[str, Any]:
    """Headline metrics of risk scores against the truth, each with its baseline.

    Returns
    -------
    dict
        ``n``, ``n_churned``, ``base_rate``; ``roc_auc`` (0.5 = guessing); ``pr_auc``
        (average precision; guessing gives ``base_rate``); ``brier`` and
        ``brier_baseline`` (always predicting the base rate); ``log_loss`` and
        ``log_loss_baseline``; ``top_decile_lift``; ``threshold`` and the confusion
        matrix at it (``tp``, ``fp``, ``tn``, ``fn``), ``precision``, ``recall``.
    """
    from sklearn.metrics import (
        average_precision_score,
        brier_score_loss,
        log_loss,
        roc_auc_score,
    )

    y, s = _as_arrays(y_true, y_score)
    n, n1 = len(y), int(y.sum())
    base = n1 / n if n else float("nan")
    both = 0 < n1 < n
    clipped = np.clip(s, 1e-15, 1 - 1e-15)
    return {
        "n": n,
        "n_churned": n1,
        "base_rate": base,
        "roc_auc": float(roc_auc_score(y, s)) if both else float("nan"),
        "pr_auc": float(average_precision_score(y, s)) if both else float("nan"),
        "brier": float(brier_score_loss(y, s)) if n else float("nan"),
        "brier_baseline": base * (1 - base) if n else float("nan"),
        "log_loss": float(log_loss(y, clipped, labels=[0, 1])) if n else float("nan"),
        "log_loss_baseline": (
            float(-(base * math.log(base) + (1 - base) * math.log(1 - base)))
            if both
            else float("nan")
        ),
        "top_decile_lift": top_decile_lift(y, s),
        **threshold_counts(y, s, threshold),
    }


def threshold_counts(y_true, y_score, threshold: float = 0.5) -> dict[str, Any]:
    """The part of :func:`evaluate` that depends on the threshold: ``threshold``, the
    confusion matrix (``tp``, ``fp``, ``tn``, ``fn``; "churned" = risk >= threshold),
    ``precision`` and ``recall``. Cheap: a page moving a threshold slider calls only this."""
    y, s = _as_arrays(y_true, y_score)
    pred = s >= threshold
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    tn = int((~pred & (y == 0)).sum())
    return {
        "threshold": float(threshold),
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "recall": tp / (tp + fn) if tp + fn else float("nan"),
    }


def roc_frame(y_true, y_score) -> pd.DataFrame:
    """ROC curve: ``threshold``, ``false_positive_rate``, ``true_positive_rate``."""
    from sklearn.metrics import roc_curve

    y, s = _as_arrays(y_true, y_score)
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=True)
    return pd.DataFrame(
        {"threshold": np.minimum(thr, 1.0), "false_positive_rate": fpr, "true_positive_rate": tpr}
    )


def pr_frame(y_true, y_score) -> pd.DataFrame:
    """Precision-recall curve: ``threshold``, ``recall``, ``precision``, ``base_rate``."""
    from sklearn.metrics import precision_recall_curve

    y, s = _as_arrays(y_true, y_score)
    prec, rec, thr = precision_recall_curve(y, s, drop_intermediate=True)
    thr = np.append(thr, 1.0)
    return pd.DataFrame(
        {"threshold": thr, "recall": rec, "precision": prec, "base_rate": float(y.mean())}
    )


def calibration_frame(y_true, y_score, bins: int = 10) -> pd.DataFrame:
    """Reliability table: customers binned by predicted risk (equal-width bins).

    Columns: ``bin_low``, ``bin_high``, ``n``, ``mean_predicted``, ``observed_rate``,
    ``churned``. A calibrated model has ``observed_rate`` close to ``mean_predicted``.
    Empty bins are left out.
    """
    y, s = _as_arrays(y_true, y_score)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(s, edges[1:-1], right=False), 0, bins - 1)
    frame = pd.DataFrame({"bin": idx, "y": y, "s": s})
    g = frame.groupby("bin").agg(
        n=("y", "size"), churned=("y", "sum"), mean_predicted=("s", "mean")
    )
    g["observed_rate"] = g["churned"] / g["n"]
    g["bin_low"] = edges[g.index]
    g["bin_high"] = edges[g.index + 1]
    g["churned"] = g["churned"].astype(int)
    return g.reset_index(drop=True)[
        ["bin_low", "bin_high", "n", "mean_predicted", "observed_rate", "churned"]
    ]


def gains_frame(y_true, y_score, points: int = 100) -> pd.DataFrame:
    """Cumulative gains and lift when customers are contacted from the riskiest down.

    Columns: ``share_contacted`` (0..1), ``contacted``, ``churners_found``,
    ``share_of_churners`` (the gain), ``lift`` (churn rate among the contacted over the
    overall rate), ``random_share`` (the gain of a random order).
    """
    y, s = _as_arrays(y_true, y_score)
    n = len(y)
    order = np.argsort(-s, kind="mergesort")
    found = np.concatenate([[0], np.cumsum(y[order])])
    ks = np.unique(np.linspace(0, n, min(points, n) + 1).round().astype(int))
    total = max(int(y.sum()), 1)
    base = y.mean() if n else float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        lift = np.where(ks > 0, (found[ks] / np.maximum(ks, 1)) / base, np.nan)
    return pd.DataFrame(
        {
            "share_contacted": ks / n if n else ks * 0.0,
            "contacted": ks,
            "churners_found": found[ks].astype(int),
            "share_of_churners": found[ks] / total,
            "lift": lift,
            "random_share": ks / n if n else ks * 0.0,
        }
    )


def score_distribution(y_true, y_score, bins: int = 20) -> pd.DataFrame:
    """Histogram of scores by true class: ``bin_low``, ``bin_high``, ``outcome``, ``n``, ``share``.

    ``outcome`` is ``"churned"`` or ``"active"``; ``share`` is within the class.
    """
    y, s = _as_arrays(y_true, y_score)
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for cls, name in ((1, "churned"), (0, "active")):
        counts, _ = np.histogram(s[y == cls], bins=edges)
        tot = max(int(counts.sum()), 1)
        for i, c in enumerate(counts):
            rows.append((edges[i], edges[i + 1], name, int(c), c / tot))
    return pd.DataFrame(rows, columns=["bin_low", "bin_high", "outcome", "n", "share"])


def confusion_frame(y_true, y_score, threshold: float = 0.5) -> pd.DataFrame:
    """Confusion matrix at ``threshold``: rows ``actual``, ``predicted``, ``n``, ``share``."""
    m = threshold_counts(y_true, y_score, threshold)
    n = max(m["tp"] + m["fp"] + m["tn"] + m["fn"], 1)
    rows = [
        ("churned", "churned", m["tp"]),
        ("churned", "active", m["fn"]),
        ("active", "churned", m["fp"]),
        ("active", "active", m["tn"]),
    ]
    return pd.DataFrame(
        [(a, p, k, k / n) for a, p, k in rows], columns=["actual", "predicted", "n", "share"]
    )
