"""Churn by segment: the rate of every segment with its interval, lift and a test against
the rest (adjusted for the number of segments), and the two-column heatmap."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from churn.segments.labels import (
    TableLike,
    binning_options,
    segment_column,
    segments_for,
    table_frame,
)
from churn.segments.stats import (
    ADJUST_METHOD,
    holm_adjust,
    rate_frame,
    require_labels,
    two_proportion_p_value,
)
from churn.table import CHURNED
from churn.text import msg


def churn_by_segment(
    table: TableLike, column: str, *, segments: pd.Series | None = None, **binning: Any
) -> pd.DataFrame:
    """Churn rate per segment of ``column``, with interval, lift and a test against the rest.

    Parameters
    ----------
    table : CustomerTable or pandas.DataFrame
        The customer table (a frame must have the canonical ``churned`` column).
    column : str
        The column to segment by (see :func:`segment_column`).
    segments : pandas.Series, optional
        The labels :func:`segment_column` gives ``column``, when the caller already has
        them (the binning options are then not used).
    **binning
        ``top_k``, ``bins``, ``edges``, ``date_freq`` as in :func:`segment_column`.

    Returns
    -------
    pandas.DataFrame
        One row per segment with labelled customers: ``segment``, ``customers`` (labelled
        customers), ``churned``, ``churn_rate``, ``ci_low``/``ci_high`` (Wilson 95 %),
        ``lift`` (rate / overall rate), ``small`` (fewer than 30 customers or 5 churned),
        ``p_value`` (vs all other customers; ``test`` says "z" or "fisher"),
        ``p_adjusted`` (Holm), ``significant`` (adjusted p < 0.05). Bins and dates keep
        their natural order; categories are sorted by churn rate, highest first.
        ``attrs`` holds ``column``, ``kind``, ``overall_rate``, ``overall_customers``,
        ``overall_churned``, ``adjust`` ("holm"), ``n_tests``, ``n_significant``,
        ``definition`` and ``note`` (the multiple-comparisons note in English).
    """
    frame = table_frame(table)
    seg = segments_for(table, column, segments, binning)
    kind = seg.attrs["kind"]
    lab_mask = frame[CHURNED].notna()
    require_labels(frame)
    keys = pd.DataFrame({"segment": seg[lab_mask]})
    out = rate_frame(keys, frame.loc[lab_mask, CHURNED].astype(float))
    n_all, k_all = int(out["customers"].sum()), int(out["churned"].sum())
    overall = k_all / n_all
    out["segment"] = out["segment"].astype(str)
    out["lift"] = out["churn_rate"] / overall if overall > 0 else np.nan
    tests = [
        two_proportion_p_value(k, n, k_all - k, n_all - n)
        for k, n in zip(out["churned"], out["customers"], strict=True)
    ]
    out["p_value"] = [p for p, _ in tests]
    out["test"] = [name for _, name in tests]
    out["p_adjusted"] = holm_adjust(out["p_value"].to_numpy())
    out["significant"] = out["p_adjusted"] < 0.05
    if kind == "category":
        out = out.sort_values(["churn_rate", "customers"], ascending=[False, False], kind="stable")
    out = out.reset_index(drop=True)
    n_tests = int(out["p_value"].notna().sum())
    n_sig = int(out["significant"].sum())
    out.attrs.update(
        column=column,
        kind=kind,
        overall_rate=overall,
        overall_customers=n_all,
        overall_churned=k_all,
        adjust=ADJUST_METHOD,
        n_tests=n_tests,
        n_significant=n_sig,
        definition=msg("churned / labelled customers (churned or active) in the segment"),
        note=msg(
            "Each segment is tested against all other customers (two-proportion z-test, or "
            "Fisher's exact test when an expected count is below 5). With {n_tests} tests, some "
            "differences look significant by chance alone, so p-values are adjusted with Holm's "
            "method (family-wise error 5 %): {n_significant} of {n_tests} segments differ at "
            "adjusted p < 0.05.",
            n_tests=n_tests,
            n_significant=n_sig,
        ),
    )
    return out


def churn_heatmap(table: TableLike, col_a: str, col_b: str, **binning: Any) -> pd.DataFrame:
    """Churn rate for every pair of segments of two columns (labelled customers).

    Returns
    -------
    pandas.DataFrame
        ``a``, ``b`` (segment labels, natural order), ``customers``, ``churned``,
        ``churn_rate``, ``ci_low``, ``ci_high``, ``small``; only pairs that occur.
        ``attrs`` holds ``col_a``, ``col_b``, ``order_a``, ``order_b`` and
        ``overall_rate``.
    """
    opts = binning_options(binning)
    frame = table_frame(table)
    lab = frame[CHURNED].notna()
    require_labels(frame)
    sa = segment_column(table, col_a, **opts)
    sb = segment_column(table, col_b, **opts)
    keys = pd.DataFrame({"a": sa[lab], "b": sb[lab]})
    out = rate_frame(keys, frame.loc[lab, CHURNED].astype(float))
    order_a = [c for c in sa.cat.categories if c in set(out["a"].astype(str))]
    order_b = [c for c in sb.cat.categories if c in set(out["b"].astype(str))]
    out["a"], out["b"] = out["a"].astype(str), out["b"].astype(str)
    out.attrs.update(
        col_a=col_a,
        col_b=col_b,
        order_a=order_a,
        order_b=order_b,
        overall_rate=float(frame.loc[lab, CHURNED].mean()),
    )
    return out
