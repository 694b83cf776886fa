"""Who leaves more than others: churn by segment with honest uncertainty, value, RFM.

Every rate here comes with its numerator (``churned``), its denominator (``customers``,
the *labelled* customers of the segment: churned or active, never "too new" or
"excluded"), a Wilson 95 % interval and a flag for groups too small to judge, so that a
small group never looks like a discovery. Differences against the rest of the customers
are tested one segment at a time and the p-values are adjusted for the number of
segments tested (Holm's method).

Segments come from :func:`segment_column`:

* categories: the ``top_k`` largest values, the rest pooled as ``"other"``;
* numbers: quantile bins (or the user's edges) with readable, ordered labels
  ("10–25"); a number column with few distinct values keeps each value;
* dates: by month ("2024-03") or year ("2024");
* missing values: their own segment, ``"(missing)"``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import CHURNED, ID, STATUS, STATUS_ACTIVE, TENURE, VALUE, CustomerTable
from churn.text import Text, msg

MISSING = "(missing)"
OTHER = "other"
#: A segment is too small to judge below this many labelled customers ...
SMALL_CUSTOMERS = 30
#: ... or below this many churned customers.
SMALL_CHURNED = 5
#: How p-values are adjusted for testing every segment against the rest.
ADJUST_METHOD = "holm"
DAYS_PER_MONTH = 365.25 / 12

TableLike = CustomerTable | pd.DataFrame


# --------------------------------------------------------------------------- helpers
def _frame(obj: TableLike) -> pd.DataFrame:
    return obj.frame if isinstance(obj, CustomerTable) else obj


def _categorical_cols(obj: TableLike) -> tuple[str, ...]:
    return obj.categorical if isinstance(obj, CustomerTable) else ()


def _require_column(frame: pd.DataFrame, column: str) -> None:
    if column not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:12]))
        raise ChurnDataError(
            msg("is not in the customer table."),
            fix=msg("pick one of the table's columns ({shown}, ...).", shown=shown),
            column=str(column),
        )


def _require_labels(frame: pd.DataFrame) -> None:
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


def _wilson_arrays(k: np.ndarray, n: np.ndarray, z: float = 1.96) -> tuple[np.ndarray, ...]:
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


def _fmt_edge(x: float, digits: int) -> str:
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    # fixed-point with about ``digits`` significant digits, never scientific notation
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x)))) if x else 0
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if decimals else text


def _whole_number_cuts(present: pd.Series, bins: int) -> list[float]:
    """Bin edges for whole numbers: runs of equal values, about 1/bins of customers each.

    A value is never split between bins, so a count column where most customers have 0
    gets a bin "0" of its own instead of one bin for everything. The first edge is the
    minimum minus one, so every bin is (a, b] and holds the whole numbers a+1..b.
    """
    counts = present.value_counts().sort_index()
    # each run of equal values goes to the quantile group its middle falls in
    middle = ((counts.cumsum() - counts / 2) / counts.sum()).to_numpy()
    group = np.minimum(bins - 1, np.floor(middle * bins + 1e-9)).astype(int)
    vals = counts.index.to_numpy(dtype=float)
    return [vals[0] - 1] + [float(vals[group == g].max()) for g in np.unique(group)]


def _bin_labels(edges: Sequence[float], integer: bool) -> list[str]:
    """Readable labels for bins (e0, e1], (e1, e2], ...

    Whole numbers: every bin is (a, b] and is labelled "a+1–b" (or "b" when a+1 = b).
    Other numbers: the first bin is closed [e0, e1], and labels show the edges.
    """
    for digits in range(3, 12):
        labels = []
        for i in range(len(edges) - 1):
            lo, hi = edges[i], edges[i + 1]
            if integer:
                lo = math.floor(lo) + 1  # (6, 20] holds the whole numbers 7..20
            if integer and lo == hi:
                labels.append(_fmt_edge(hi, digits))
            else:
                labels.append(f"{_fmt_edge(lo, digits)}–{_fmt_edge(hi, digits)}")
        if len(set(labels)) == len(labels):
            return labels
    return [f"{a!r}–{b!r}" for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _from_codes(codes: np.ndarray, order: list[str], index: pd.Index, name: str) -> pd.Series:
    """Ordered categorical labels from integer codes into ``order`` (-1: missing).

    Built from the codes, without a pass over a million text labels: missing values
    become the last category ``"(missing)"`` (or join a category of that name in
    ``order``).
    """
    codes = np.asarray(codes, dtype=np.int64)
    cats = list(order)
    lost = codes < 0
    if lost.any():
        if MISSING not in cats:
            cats.append(MISSING)
        codes = np.where(lost, cats.index(MISSING), codes)
    dtype = np.int8 if len(cats) < 127 else np.int16 if len(cats) < 32_000 else np.int32
    cat = pd.Categorical.from_codes(codes.astype(dtype), categories=cats, ordered=True)
    return pd.Series(cat, index=index, name=name)


def segment_kind(table_or_frame: TableLike, column: str, bins: int = 5) -> str:
    """How :func:`segment_column` segments ``column``: "category", "number" or "date"."""
    frame = _frame(table_or_frame)
    _require_column(frame, column)
    s = frame[column]
    if column in _categorical_cols(table_or_frame):
        return "category"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "date"
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        return "category"
    if s.nunique(dropna=True) <= max(bins, 2):
        return "category"  # a few distinct numbers (0/1, 1..4 tickets): one segment each
    return "number"


def segment_column(
    table_or_frame: TableLike,
    column: str,
    *,
    top_k: int = 10,
    bins: int = 5,
    edges: Sequence[float] | None = None,
    date_freq: str = "month",
) -> pd.Series:
    """Segment labels for every customer, by one column.

    Parameters
    ----------
    table_or_frame : CustomerTable or pandas.DataFrame
        The customer table (its ``categorical`` list decides which columns are categories).
    column : str
        The column to segment by.
    top_k : int, default 10
        Categories: keep the ``top_k`` most common values, pool the rest as ``"other"``.
    bins : int, default 5
        Numbers: the number of quantile bins (fewer when quantiles coincide).
    edges : sequence of float, optional
        Numbers: the user's bin edges instead of quantiles; the data's minimum and maximum
        are added when values fall outside them.
    date_freq : {"month", "year"}, default "month"
        Dates: group by calendar month or year.

    Returns
    -------
    pandas.Series
        An ordered categorical of text labels on the frame's index, named ``column``;
        missing values are the segment ``"(missing)"``. Category order is the natural
        order (bins low to high, dates in time, categories by size). ``attrs["kind"]``
        says how the column was segmented.
    """
    frame = _frame(table_or_frame)
    _require_column(frame, column)
    if top_k < 1 or bins < 1:
        raise ChurnDataError(msg("top_k and bins must be at least 1."), fix=msg("use 1 or more."))
    s = frame[column]
    kind = "number" if edges is not None else segment_kind(table_or_frame, column, bins)
    if kind == "number" and not pd.api.types.is_numeric_dtype(s):
        raise ChurnDataError(
            msg("holds text, so it cannot be cut at number edges."),
            fix=msg("segment it as categories (leave the edges empty)."),
            column=column,
        )

    if kind == "date":
        if date_freq not in ("month", "year"):
            raise ChurnDataError(
                msg("date_freq '{date_freq}' is unknown.", date_freq=date_freq),
                fix=msg("use month or year."),
            )
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)  # local calendar months, without a warning
        per = s.dt.to_period("M" if date_freq == "month" else "Y")
        codes, uniques = pd.factorize(per, use_na_sentinel=True)
        ranked = np.argsort(uniques.asi8, kind="stable")  # periods in time order
        rank = np.empty(len(ranked) + 1, dtype=np.int64)
        rank[ranked], rank[-1] = np.arange(len(ranked)), -1
        order = [str(uniques[i]) for i in ranked]
        out = _from_codes(rank[codes], order, frame.index, column)
    elif kind == "number":
        values = s.astype(float)
        present = values.dropna()
        if present.empty:
            out = _from_codes(np.full(len(frame), -1), [], frame.index, column)
        else:
            whole = bool(np.all(np.mod(present.to_numpy(), 1) == 0))
            if edges is not None:
                cuts = sorted({float(e) for e in edges})
                whole = whole and all(c.is_integer() for c in cuts)
                if present.min() < cuts[0] or (whole and present.min() == cuts[0]):
                    cuts.insert(0, float(present.min()) - (1 if whole else 0))
                if present.max() > cuts[-1]:
                    cuts.append(float(present.max()))
            elif whole:
                cuts = _whole_number_cuts(present, bins)
            else:
                qs = np.quantile(present.to_numpy(), np.linspace(0, 1, bins + 1))
                cuts = sorted({float(q) for q in qs})
            if len(cuts) == 1:
                labels_text = [_fmt_edge(cuts[0], 4)]
                codes = pd.Series(np.where(values.notna(), 0, -1), index=frame.index)
            else:
                labels_text = _bin_labels(cuts, whole)
                codes = pd.cut(values, cuts, include_lowest=True, labels=False)
                codes = codes.fillna(-1).astype(int)
            out = _from_codes(codes.to_numpy(), labels_text, frame.index, column)
    else:
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        codes, texts = _category_codes(s)
        # largest first; the same sort as ``value_counts`` (ties in first-seen order)
        sizes = np.bincount(codes[codes >= 0], minlength=len(texts))
        counts = pd.Series(sizes, index=pd.Index(texts, dtype=object)).sort_values(ascending=False)
        keep = list(counts.index[:top_k])
        if numeric:
            # numbers kept as categories read best in their own order: 0, 1, 2 tickets
            kept = set(keep)
            keep = [_category_text(v) for v in sorted(s.dropna().unique())]
            keep = [k for k in dict.fromkeys(keep) if k in kept]
        pooled = len(keep) < len(texts)
        order = keep + ([OTHER] if pooled and OTHER not in keep else [])
        # a value that reads "other" joins the pooled values instead of doubling the name
        place = {text: i for i, text in enumerate(order)}
        where = np.array([place.get(text, place.get(OTHER, -1)) for text in texts] + [-1])
        out = _from_codes(where[codes], order, frame.index, column)
    out.attrs["kind"] = kind
    return out


def _category_codes(s: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Every value's category text as codes into the distinct texts (first-seen order).

    The text is :func:`_category_text` of the value, computed once per distinct value;
    missing values and empty texts get the code -1.
    """
    raw, uniques = pd.factorize(s, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object)
    # Equal values of different types (True and 1, 1 and 1.0 in an object column) share one
    # code but may read differently: those columns go value by value.
    if s.dtype == object and len({type(u) for u in uniq}) > 1:
        text = s.astype(object).map(lambda v: v if pd.isna(v) else _category_text(v))
        codes, texts = pd.factorize(text.replace("", None), use_na_sentinel=True)
        return codes, list(texts)
    texts_of = np.asarray([_category_text(u) or None for u in uniq], dtype=object)
    per_value, texts = pd.factorize(texts_of, use_na_sentinel=True)
    return np.append(per_value, -1)[raw], list(texts)


def _category_text(v: Any) -> str:
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


def _binning(binning: Mapping[str, Any]) -> dict[str, Any]:
    allowed = {"top_k", "bins", "edges", "date_freq"}
    unknown = set(binning) - allowed
    if unknown:
        raise TypeError(f"unknown binning options: {sorted(unknown)}")
    return dict(binning)


def _segments_for(
    table: TableLike, column: str, segments: pd.Series | None, binning: Mapping[str, Any]
) -> pd.Series:
    """``segments`` when given (labels of :func:`segment_column` computed once by the
    caller), else the labels of ``column`` with these binning options."""
    opts = _binning(binning)
    if segments is None:
        return segment_column(table, column, **opts)
    if not isinstance(segments.dtype, pd.CategoricalDtype) or not segments.index.equals(
        _frame(table).index
    ):
        raise TypeError("segments must be segment_column's labels for this table")
    return segments


# ------------------------------------------------------------------ churn by segment
def _rate_frame(keys: pd.DataFrame, churned: pd.Series) -> pd.DataFrame:
    """customers / churned / rate / interval / small for each group of ``keys``."""
    grouped = churned.groupby([keys[c] for c in keys.columns], observed=True, sort=True)
    out = grouped.agg(customers="size", churned="sum").reset_index()
    out["customers"] = out["customers"].astype(int)
    out["churned"] = out["churned"].round().astype(int)
    out["churn_rate"] = out["churned"] / out["customers"]
    low, high = _wilson_arrays(out["churned"].to_numpy(), out["customers"].to_numpy())
    out["ci_low"], out["ci_high"] = low, high
    out["small"] = (out["customers"] < SMALL_CUSTOMERS) | (out["churned"] < SMALL_CHURNED)
    return out


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
    frame = _frame(table)
    seg = _segments_for(table, column, segments, binning)
    kind = seg.attrs["kind"]
    lab_mask = frame[CHURNED].notna()
    _require_labels(frame)
    keys = pd.DataFrame({"segment": seg[lab_mask]})
    out = _rate_frame(keys, frame.loc[lab_mask, CHURNED].astype(float))
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
    opts = _binning(binning)
    frame = _frame(table)
    lab = frame[CHURNED].notna()
    _require_labels(frame)
    sa = segment_column(table, col_a, **opts)
    sb = segment_column(table, col_b, **opts)
    keys = pd.DataFrame({"a": sa[lab], "b": sb[lab]})
    out = _rate_frame(keys, frame.loc[lab, CHURNED].astype(float))
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


def customers_in_segment(
    table: TableLike,
    column: str,
    segment: str,
    *,
    segments: pd.Series | None = None,
    limit: int | None = None,
    **binning: Any,
) -> pd.DataFrame:
    """All customers (labelled or not) whose segment of ``column`` is ``segment``.

    ``segments``: the labels of ``column`` when the caller has them (see
    :func:`churn_by_segment`). ``limit``: only the first rows, for a preview.

    Returns
    -------
    pandas.DataFrame
        A copy of the table's rows for that segment, all columns, ``segment`` first.
    """
    seg = _require_segment(table, column, segment, segments, binning)
    frame = _frame(table)
    rows = frame.iloc[np.flatnonzero((seg == segment).to_numpy())[:limit]]
    rows.insert(0, "segment", segment)
    return rows


def segment_formula_cells(
    table: TableLike,
    column: str,
    segment: str,
    *,
    segments: pd.Series | None = None,
    per_row: np.ndarray | None = None,
    **binning: Any,
) -> int:
    """How many cells the Excel-safe export of one segment neutralises, without the export.

    The same count as :func:`churn.export.count_formula_cells` of
    :func:`customers_in_segment`. ``per_row``: :func:`churn.export.formula_cells_per_row`
    of the table's frame, when the caller keeps it for every segment.
    """
    from churn.export import formula_cells_per_row, neutralise

    seg = _require_segment(table, column, segment, segments, binning)
    frame = _frame(table)
    if per_row is None:
        per_row = formula_cells_per_row(frame)
    inside = (seg == segment).to_numpy()
    names = ["segment", *map(str, frame.columns)]
    n = sum(1 for c in names if neutralise(c) != c)
    n += int(inside.sum()) if neutralise(segment) != segment else 0  # the segment column
    return n + int(per_row[inside].sum())


def _require_segment(
    table: TableLike, column: str, segment: str, segments: pd.Series | None, binning: Mapping
) -> pd.Series:
    seg = _segments_for(table, column, segments, binning)
    if segment not in set(seg.cat.categories):
        shown = ", ".join(map(str, list(seg.cat.categories)[:10]))
        raise ChurnDataError(
            msg("has no segment '{segment}'.", segment=segment),
            fix=msg("pick one of: {shown}.", shown=shown),
            column=column,
        )
    return seg


def parse_edges(text: str) -> tuple[float, ...] | None:
    """Bin edges typed by a user ("12, 24, 36" or "12 24 36"); None when empty.

    Raises
    ------
    ChurnDataError
        When a part is not a number.
    """
    parts = [p for p in re.split(r"[,;\s]+", str(text or "").strip()) if p]
    if not parts:
        return None
    try:
        return tuple(sorted({float(p) for p in parts}))
    except ValueError:
        raise ChurnDataError(
            msg("'{text}' is not a list of numbers.", text=text),
            fix=msg("type edges like 12, 24, 36."),
        ) from None


def export_segment(
    table: TableLike,
    column: str,
    segment: str,
    *,
    segments: pd.Series | None = None,
    **binning: Any,
) -> tuple[pd.DataFrame, bytes, int]:
    """The customers of one segment as Excel-safe CSV bytes.

    Returns
    -------
    tuple
        ``(rows, csv_bytes, neutralised)``: the rows (see :func:`customers_in_segment`),
        the UTF-8 CSV written by :func:`churn.export.to_csv_bytes` (cells starting with
        ``= + - @``, a tab or a carriage return get a leading apostrophe), and how many
        cells were neutralised that way, so the page can say so.
    """
    from churn.export import count_formula_cells, to_csv_bytes

    rows = customers_in_segment(table, column, segment, segments=segments, **binning)
    return rows, to_csv_bytes(rows), count_formula_cells(rows)


# ----------------------------------------------------------------------------- value
def _value_series(table: TableLike, column: str | None) -> tuple[pd.Series, str]:
    frame = _frame(table)
    col = column or VALUE
    _require_column(frame, col)
    values = pd.to_numeric(frame[col], errors="coerce")
    if values.notna().sum() == 0:
        raise ChurnDataError(
            msg("has no numbers, so customers cannot be ranked by value."),
            fix=msg("set a fee, revenue or amount column as the amount role on the Data page."),
            column=col,
        )
    return values, col


def value_tier_column(
    table: TableLike,
    n_tiers: int = 4,
    names: Sequence[str] | None = None,
    column: str | None = None,
) -> pd.Series:
    """The value tier of every customer: quantile tiers of ``value`` (or ``column``).

    Tiers run from the lowest value to the highest; ``names`` (lowest first) rename them.
    When many customers share a value, quantiles coincide and there are fewer tiers (the
    first names are used). Customers without a value are ``"(missing)"``.
    """
    if n_tiers < 2:
        raise ChurnDataError(
            msg("needs at least 2 value tiers."), fix=msg("choose 2 or more tiers.")
        )
    if names is not None and len(names) != n_tiers:
        raise ChurnDataError(
            msg(
                "{given} tier names were given for {n_tiers} tiers.",
                given=len(names),
                n_tiers=n_tiers,
            ),
            fix=msg("give one name per tier, lowest value first."),
        )
    if names is not None and len(set(names)) != len(names):
        raise ChurnDataError(
            msg("Two value tiers have the same name."),
            fix=msg("give every tier its own name."),
        )
    frame = _frame(table)
    values, col = _value_series(table, column)
    present = values.dropna()
    if bool(np.all(np.mod(present.to_numpy(), 1) == 0)):
        # whole amounts (list prices) often tie: keep each amount in one tier
        cuts = _whole_number_cuts(present, n_tiers)
    else:
        qs = np.quantile(present, np.linspace(0, 1, n_tiers + 1))
        cuts = sorted({float(q) for q in qs})
    if len(cuts) < 2:
        cuts = [cuts[0], cuts[0] + 1]
    k = len(cuts) - 1
    labels = list(names[:k]) if names is not None else _default_tier_names(k)
    codes = pd.cut(values, cuts, include_lowest=True, labels=False).fillna(-1).astype(int)
    out = _from_codes(codes.to_numpy(), labels, frame.index, "value_tier")
    out.attrs.update(kind="value_tier", column=col, edges=cuts)
    return out


def _default_tier_names(k: int) -> list[str]:
    if k == 4:
        return ["low", "medium", "high", "top"]
    if k == 3:
        return ["low", "medium", "high"]
    return [f"tier {i + 1}" for i in range(k)]


def value_tiers(
    table: TableLike,
    n_tiers: int = 4,
    names: Sequence[str] | None = None,
    column: str | None = None,
) -> pd.DataFrame:
    """Customers, value and churn per value tier (lowest tier first).

    Parameters
    ----------
    table : CustomerTable or pandas.DataFrame
    n_tiers : int, default 4
        Quantile tiers (quartiles by default).
    names : sequence of str, optional
        Tier names, lowest value first (default "low", "medium", "high", "top").
    column : str, optional
        A numeric column to rank by instead of the canonical ``value``.

    Returns
    -------
    pandas.DataFrame
        ``tier``, ``customers``, ``value_min``, ``value_max``, ``value_total``,
        ``value_share`` (of all customers' value), ``labelled``, ``churned``,
        ``churn_rate``, ``ci_low``, ``ci_high``, ``small``, ``value_lost`` (value of the
        churned customers). ``attrs["column"]`` names the value column.
    """
    frame = _frame(table)
    tiers = value_tier_column(table, n_tiers, names, column)
    values, col = _value_series(table, column)
    df = pd.DataFrame({"tier": tiers, "v": values, "c": frame[CHURNED].astype(float)})
    g = df.groupby("tier", observed=True, sort=True)
    out = g.agg(
        customers=("v", "size"),
        value_min=("v", "min"),
        value_max=("v", "max"),
        value_total=("v", "sum"),
        labelled=("c", "count"),
        churned=("c", "sum"),
    ).reset_index()
    lost = df["v"].where(df["c"] == 1, 0.0).groupby(df["tier"], observed=True, sort=True).sum()
    out["value_lost"] = lost.to_numpy()
    out["tier"] = out["tier"].astype(str)
    out["churned"] = out["churned"].astype(int)
    total = float(values.sum())
    out["value_share"] = out["value_total"] / total if total else np.nan
    out["churn_rate"] = np.where(
        out["labelled"] > 0, out["churned"] / out["labelled"].where(out["labelled"] > 0), np.nan
    )
    low, high = _wilson_arrays(out["churned"].to_numpy(), out["labelled"].to_numpy())
    out["ci_low"], out["ci_high"] = low, high
    out["small"] = (out["labelled"] < SMALL_CUSTOMERS) | (out["churned"] < SMALL_CHURNED)
    cols = [
        "tier", "customers", "value_min", "value_max", "value_total", "value_share",
        "labelled", "churned", "churn_rate", "ci_low", "ci_high", "small", "value_lost",
    ]  # fmt: skip
    out = out[cols]
    out.attrs.update(column=col, edges=tiers.attrs["edges"])
    return out


def lifetime_value(
    table: TableLike,
    *,
    by: str | None = None,
    horizon_months: float | None = None,
    value_column: str | None = None,
    segments: pd.Series | None = None,
    **binning: Any,
) -> pd.DataFrame:
    """Customer lifetime value: average monthly value times expected lifetime.

    The expected lifetime is the restricted mean of the Kaplan-Meier survival curve of
    tenure, churn being the event and active customers censored (the same number as
    lifelines' ``restricted_mean_survival_time``; see :func:`_restricted_mean`).

    Parameters
    ----------
    table : CustomerTable or pandas.DataFrame
        Needs ``tenure_days``, ``churned`` and a value column.
    by : str, optional
        Also one row per segment of this column.
    horizon_months : float, optional
        Upper limit of the restricted mean (default: the longest observed tenure).
    value_column : str, optional
        A numeric column read as value per month instead of ``value``.
    segments : pandas.Series, optional
        The labels of ``by`` when the caller has them (see :func:`churn_by_segment`).

    Returns
    -------
    pandas.DataFrame
        ``segment`` ("all" first, then the segments), ``customers``, ``churned``,
        ``avg_monthly_value``, ``expected_lifetime_months``, ``clv``,
        ``horizon_months``; ``attrs["method"]`` states the method in words.
    """
    frame = _frame(table)
    values, col = _value_series(table, value_column)
    if TENURE not in frame.columns or frame[TENURE].notna().sum() == 0:
        raise ChurnDataError(
            msg("No tenure is known, so an expected lifetime cannot be estimated."),
            fix=msg("set start/end dates or a tenure column on the Data page."),
            column=TENURE,
        )
    ok = frame[CHURNED].notna() & frame[TENURE].notna()
    if not ok.any():
        raise ChurnDataError(
            msg("No customer has both a known outcome and a tenure."),
            fix=msg("check the label and the dates or tenure column on the Data page."),
            column=TENURE,
        )
    months = frame.loc[ok, TENURE].astype(float).clip(lower=0) / DAYS_PER_MONTH
    event = frame.loc[ok, CHURNED].astype(float)
    horizon = float(horizon_months) if horizon_months else float(months.max())
    if horizon <= 0:
        raise ChurnDataError(
            msg("Every tenure is zero."), column=TENURE, fix=msg("check the dates.")
        )
    vals = values[ok]
    df = pd.DataFrame({"d": months.to_numpy(), "e": event.to_numpy(), "v": vals.to_numpy()})
    groups = [("all", *_km_counts(df), len(df), float(event.sum()), float(vals.mean()))]
    if by is not None:
        seg = _segments_for(table, by, segments, binning)[ok]
        df["g"] = seg.cat.codes.to_numpy()
        sizes = df.groupby("g", sort=True).agg(n=("e", "size"), k=("e", "sum"), v=("v", "mean"))
        blocks = _km_counts(df, by="g")
        for code, (times, deaths, totals) in blocks.items():
            n, k, v = sizes.loc[code, ["n", "k", "v"]]
            groups.append((str(seg.cat.categories[code]), times, deaths, totals, n, k, v))
    rows = []
    for name, times, deaths, totals, n, k, avg in groups:
        life = _restricted_mean(times, deaths, totals, horizon)
        rows.append(
            dict(
                segment=name,
                customers=int(n),
                churned=int(k),
                avg_monthly_value=float(avg),
                expected_lifetime_months=life,
                clv=float(avg) * life,
                horizon_months=horizon,
            )
        )
    out = pd.DataFrame(rows)
    method = msg(
        "Customer lifetime value = average monthly value x expected lifetime. The expected "
        "lifetime is the restricted mean survival time: the area under the Kaplan-Meier "
        "survival curve of tenure up to {horizon:.1f} months (customers still active are "
        "censored at their current tenure), so it is a lower bound when many customers stay "
        "longer than that. The value column ('{column}') is read as value per month.",
        horizon=horizon,
        column=col,
    )
    out.attrs.update(method=method, column=col, by=by)
    return out


def _km_counts(df: pd.DataFrame, by: str | None = None):
    """Distinct tenures (``d``) with their churned (``e`` = 1) and total counts, sorted by
    tenure: ``(times, deaths, totals)``, or a dict of them per value of ``by``."""
    keys = ["d"] if by is None else [by, "d"]
    agg = df.groupby(keys, sort=True)["e"].agg(["sum", "size"])
    times = agg.index.get_level_values("d").to_numpy(dtype=float)
    deaths, totals = agg["sum"].to_numpy(dtype=float), agg["size"].to_numpy(dtype=float)
    if by is None:
        return times, deaths, totals
    codes = agg.index.get_level_values(by).to_numpy()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    return {
        int(codes[a]): (times[a:b], deaths[a:b], totals[a:b])
        for a, b in zip(starts, ends, strict=True)
    }


def _restricted_mean(
    times: np.ndarray, deaths: np.ndarray, totals: np.ndarray, horizon: float
) -> float:
    """Area under the Kaplan-Meier curve from 0 to ``horizon``: the restricted mean.

    The product-limit estimate from counts per distinct tenure (sorted): at risk at a
    tenure are all customers whose tenure is that long or longer, so customers still
    active at that tenure count as at risk. The same number as lifelines'
    ``restricted_mean_survival_time`` of a ``KaplanMeierFitter`` (checked in the tests);
    computed here because lifelines spends about 10 ms per fit, 0.4 s for the 36 signup
    months of a three-year table.
    """
    at_risk = totals[::-1].cumsum()[::-1]
    survival = np.cumprod(1.0 - deaths / at_risk)  # just after each tenure
    edges = np.minimum(np.r_[0.0, times, horizon], horizon)
    heights = np.r_[1.0, survival]  # on [0, t0), [t0, t1), ..., [t_last, horizon)
    return float((heights * np.diff(np.maximum.accumulate(edges))).sum())


def revenue_at_risk_by_segment(
    table: TableLike,
    column: str,
    scores: pd.Series | None = None,
    *,
    value_column: str | None = None,
    segments: pd.Series | None = None,
    **binning: Any,
) -> pd.DataFrame:
    """Value of the active customers expected to leave, per segment.

    Parameters
    ----------
    table : CustomerTable or pandas.DataFrame
    column : str
        Segment column.
    scores : pandas.Series, optional
        Churn probabilities of customers, indexed like the table's frame or by
        ``customer_id``. Without scores, each active customer's risk is the churn rate of
        their segment so far.
    value_column : str, optional
        Numeric column to use instead of ``value``.
    segments : pandas.Series, optional
        The labels of ``column`` when the caller has them (see :func:`churn_by_segment`).

    Returns
    -------
    pandas.DataFrame
        ``segment``, ``active_customers``, ``active_value``, ``risk`` (mean probability
        of leaving), ``revenue_at_risk`` (sum of value x probability), ``share_of_risk``;
        sorted by revenue at risk, largest first. ``attrs["method"]`` says "scores" or
        "segment_rate".
    """
    frame = _frame(table)
    values, col = _value_series(table, value_column)
    seg = _segments_for(table, column, segments, binning)
    active = frame[STATUS] == STATUS_ACTIVE if STATUS in frame.columns else frame[CHURNED] == 0
    if scores is not None:
        if scores.index.equals(frame.index):
            prob = scores.astype(float)
        elif len(scores) == len(frame) and np.array_equal(
            scores.index.to_numpy(dtype=object), frame[ID].astype(str).to_numpy(dtype=object)
        ):  # scored in the table's own order (churn.model.score): no lookup needed
            prob = pd.Series(scores.to_numpy(dtype=float), index=frame.index)
        else:
            prob = frame[ID].map(scores.astype(float))
            prob.index = frame.index
        method = "scores"
    else:
        rates = churn_by_segment(table, column, segments=seg).set_index("segment")["churn_rate"]
        # each customer's segment rate, looked up by category code (-1 cannot occur)
        per_category = rates.reindex(seg.cat.categories.astype(str)).to_numpy(dtype=float)
        prob = pd.Series(per_category[seg.cat.codes.to_numpy()], index=frame.index)
        method = "segment_rate"
    df = pd.DataFrame({"segment": seg, "v": values, "p": prob})[active]
    df["risk_value"] = df["v"] * df["p"]
    g = df.groupby("segment", observed=True, sort=True)
    out = g.agg(
        active_customers=("v", "size"),
        active_value=("v", "sum"),
        risk=("p", "mean"),
        revenue_at_risk=("risk_value", "sum"),
    ).reset_index()
    out["segment"] = out["segment"].astype(str)
    total = float(out["revenue_at_risk"].sum())
    out["share_of_risk"] = out["revenue_at_risk"] / total if total else np.nan
    out = out.sort_values("revenue_at_risk", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs.update(method=method, column=col, by=column)
    return out


# ------------------------------------------------------------------------------- RFM
#: Named RFM segments, first match wins: (name, R scores, FM scores), where
#: FM = ceil((F + M) / 2). Recent customers (R 4-5) are champions, loyal, potential
#: loyalists or new by how much they buy; R 3 is loyal, potential loyalist or
#: hibernating; the lapsed (R 1-2) who bought a lot are "can't lose them", the middling
#: ones "at risk", the rest hibernating (R 2) or lost (R 1).
RFM_RULES: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...] = (
    ("champions", (4, 5), (4, 5)),
    ("loyal", (3, 4, 5), (3, 4, 5)),
    ("potential loyalists", (3, 4, 5), (2,)),
    ("new", (4, 5), (1,)),
    ("can't lose them", (1, 2), (4, 5)),
    ("at risk", (1, 2), (3,)),
    ("hibernating", (2, 3), (1, 2)),
    ("lost", (1,), (1, 2)),
)
RFM_ORDER = tuple(name for name, _, _ in RFM_RULES)


def quintile_score(values: pd.Series, reverse: bool = False) -> pd.Series:
    """Scores 1-5 by quintile of rank: ``floor(5 * (min_rank - 1) / n) + 1``.

    Tied values share a score (the lowest rank of the tie decides); ``reverse`` gives
    the smallest values the score 5 (recency: fewer days since the last order is
    better). Missing values get no score.
    """
    v = pd.to_numeric(values, errors="coerce")
    ranked = (-v if reverse else v).rank(method="min")
    n = int(v.notna().sum())
    if n == 0:
        return pd.Series(pd.NA, index=values.index, dtype="Int64")
    score = np.floor(5 * (ranked - 1) / n) + 1
    return score.clip(1, 5).astype("Int64")


def rfm_table(
    table: TableLike,
    recency_col: str = "recency_days",
    frequency_col: str = "frequency",
    monetary_col: str = "monetary",
) -> pd.DataFrame:
    """RFM scores and named segments for every customer.

    Parameters
    ----------
    table : CustomerTable or pandas.DataFrame
        An event-log table (which has ``recency_days``, ``frequency`` and ``monetary``)
        or any table with such columns.
    recency_col, frequency_col, monetary_col : str
        Days since the last order, number of orders, and total spend.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``recency``, ``frequency``, ``monetary``, ``r_score``,
        ``f_score``, ``m_score`` (1-5 by quintile, recency reversed, see
        :func:`quintile_score`), ``fm_score`` (ceil of the mean of F and M),
        ``rfm_segment`` (see :data:`RFM_RULES`), ``churned``.
    """
    frame = _frame(table)
    for col in (recency_col, frequency_col, monetary_col):
        _require_column(frame, col)
    out = pd.DataFrame(
        {
            "customer_id": frame[ID] if ID in frame.columns else frame.index.astype(str),
            "recency": pd.to_numeric(frame[recency_col], errors="coerce"),
            "frequency": pd.to_numeric(frame[frequency_col], errors="coerce"),
            "monetary": pd.to_numeric(frame[monetary_col], errors="coerce"),
        },
        index=frame.index,
    )
    out["r_score"] = quintile_score(out["recency"], reverse=True)
    out["f_score"] = quintile_score(out["frequency"])
    out["m_score"] = quintile_score(out["monetary"])
    out["fm_score"] = (out["f_score"] + out["m_score"] + 1) // 2
    r = out["r_score"].astype(float).to_numpy()
    fm = out["fm_score"].astype(float).to_numpy()
    conds = [np.isin(r, rs) & np.isin(fm, fs) for _, rs, fs in RFM_RULES]
    seg = np.select(conds, list(RFM_ORDER), default=MISSING)
    out["rfm_segment"] = pd.Categorical(seg, categories=[*RFM_ORDER, MISSING], ordered=True)
    out["churned"] = frame[CHURNED].astype(float) if CHURNED in frame.columns else np.nan
    return out


def rfm_summary(rfm: pd.DataFrame) -> pd.DataFrame:
    """Customers, churn and revenue per named RFM segment (rules' order).

    Parameters
    ----------
    rfm : pandas.DataFrame
        The result of :func:`rfm_table`.

    Returns
    -------
    pandas.DataFrame
        ``rfm_segment``, ``customers``, ``share``, ``labelled``, ``churned``,
        ``churn_rate``, ``ci_low``, ``ci_high``, ``small``, ``revenue``,
        ``revenue_share``, ``recency_median``, ``frequency_median``.
    """
    g = rfm.groupby("rfm_segment", observed=True, sort=True)
    out = g.agg(
        customers=("customer_id", "size"),
        labelled=("churned", "count"),
        churned=("churned", "sum"),
        revenue=("monetary", "sum"),
        recency_median=("recency", "median"),
        frequency_median=("frequency", "median"),
    ).reset_index()
    out["rfm_segment"] = out["rfm_segment"].astype(str)
    out["churned"] = out["churned"].astype(int)
    out["share"] = out["customers"] / len(rfm)
    out["churn_rate"] = out["churned"] / out["labelled"].where(out["labelled"] > 0)
    low, high = _wilson_arrays(out["churned"].to_numpy(), out["labelled"].to_numpy())
    out["ci_low"], out["ci_high"] = low, high
    out["small"] = (out["labelled"] < SMALL_CUSTOMERS) | (out["churned"] < SMALL_CHURNED)
    total = float(rfm["monetary"].sum())
    out["revenue_share"] = out["revenue"] / total if total else np.nan
    cols = [
        "rfm_segment", "customers", "share", "labelled", "churned", "churn_rate", "ci_low",
        "ci_high", "small", "revenue", "revenue_share", "recency_median", "frequency_median",
    ]  # fmt: skip
    return out[cols]


def rfm_grid(rfm: pd.DataFrame) -> pd.DataFrame:
    """Customers and churn rate in every cell of the R score x FM score grid.

    Returns
    -------
    pandas.DataFrame
        ``r_score``, ``fm_score``, ``rfm_segment`` (the rule that names the cell),
        ``customers``, ``labelled``, ``churned``, ``churn_rate``; only cells with customers.
    """
    scored = rfm.dropna(subset=["r_score", "fm_score"])
    g = scored.groupby(["r_score", "fm_score"], observed=True, sort=True)
    out = g.agg(
        rfm_segment=("rfm_segment", "first"),
        customers=("customer_id", "size"),
        labelled=("churned", "count"),
        churned=("churned", "sum"),
    ).reset_index()
    out["r_score"] = out["r_score"].astype(int)
    out["fm_score"] = out["fm_score"].astype(int)
    out["rfm_segment"] = out["rfm_segment"].astype(str)
    out["churned"] = out["churned"].astype(int)
    out["churn_rate"] = out["churned"] / out["labelled"].where(out["labelled"] > 0)
    return out


def has_rfm_columns(
    table: TableLike,
    recency_col: str = "recency_days",
    frequency_col: str = "frequency",
    monetary_col: str = "monetary",
) -> bool:
    """Whether the table has the three RFM columns, as numbers."""
    frame = _frame(table)
    cols = (recency_col, frequency_col, monetary_col)
    return all(c in frame.columns and pd.api.types.is_numeric_dtype(frame[c]) for c in cols)


# -------------------------------------------------------------------------- clusters
@dataclass(frozen=True, eq=False)
class BehaviourClusters:
    """K-means behaviour clusters and what sets each apart.

    Attributes
    ----------
    k : number of clusters.
    columns : the standardised columns used.
    silhouette : k -> mean silhouette on the sample (empty when k was set).
    labels : cluster number (1..k, by size) of every customer, on the frame's index.
    summary : one row per cluster: ``cluster``, ``customers``, ``share``, ``labelled``,
        ``churned``, ``churn_rate``, ``ci_low``, ``ci_high``, ``small``, ``description``.
    traits : long frame: ``cluster``, ``column``, ``cluster_mean``, ``overall_mean``,
        ``z`` ((cluster mean - overall mean) / overall sd), ``rank`` (1 = sets it apart
        most).
    notes : how missing values and constant columns were handled.
    """

    k: int
    columns: tuple[str, ...]
    silhouette: dict[int, float]
    labels: pd.Series
    summary: pd.DataFrame
    traits: pd.DataFrame
    notes: tuple[str, ...] = field(default=())


def behaviour_clusters(
    table: TableLike,
    columns: Sequence[str],
    k: int | None = None,
    k_range: tuple[int, int] = (2, 8),
    sample: int = 20000,
    seed: int = 0,
) -> BehaviourClusters:
    """Group customers by behaviour with k-means on standardised numeric columns.

    Parameters
    ----------
    table : CustomerTable or pandas.DataFrame
    columns : sequence of str
        Numeric behaviour columns (missing values are filled with the column median).
    k : int, optional
        Number of clusters; by default the k in ``k_range`` with the best mean
        silhouette, measured on a random sample.
    k_range : (int, int), default (2, 8)
        Smallest and largest k tried (inclusive).
    sample : int, default 20000
        Rows used to choose k (the silhouette itself uses at most 3,000 of them).
    seed : int, default 0

    Returns
    -------
    BehaviourClusters
    """
    import sklearn.cluster  # noqa: F401 - load its OpenMP runtime before limiting threads
    import sklearn.metrics  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # k-means threads fight over 2 shared cores: 10x slower
        return _behaviour_clusters(table, columns, k, k_range, sample, seed)


def _behaviour_clusters(
    table: TableLike,
    columns: Sequence[str],
    k: int | None,
    k_range: tuple[int, int],
    sample: int,
    seed: int,
) -> BehaviourClusters:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    frame = _frame(table)
    if not columns:
        raise ChurnDataError(
            msg("No behaviour column was chosen."), fix=msg("pick at least one column.")
        )
    notes: list[Text] = []
    data = {}
    for col in columns:
        _require_column(frame, col)
        s = frame[col]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise ChurnDataError(
                msg("is not numeric, so it cannot be used for behaviour clusters."),
                fix=msg("pick numeric columns (counts, amounts, days)."),
                column=col,
            )
        s = s.astype(float)
        if s.isna().any():
            notes.append(
                msg(
                    "{column}: {n} missing values set to the median",
                    column=col,
                    n=int(s.isna().sum()),
                )
            )
            s = s.fillna(s.median())
        if not s.std(ddof=0) > 0:
            notes.append(msg("{column}: the same for every customer, left out", column=col))
            continue
        data[col] = s
    if not data:
        raise ChurnDataError(
            msg("No chosen column varies between customers."), fix=msg("pick others.")
        )
    raw = pd.DataFrame(data, index=frame.index)
    mean, sd = raw.mean(), raw.std(ddof=0)
    z = ((raw - mean) / sd).to_numpy()
    n = len(z)
    if n < 3:
        raise ChurnDataError(
            msg("Too few customers to form clusters."), fix=msg("load more customers.")
        )
    rng = np.random.default_rng(seed)
    sil: dict[int, float] = {}
    if k is None:
        idx = rng.choice(n, size=min(n, sample), replace=False)
        zs = z[idx]
        lo, hi = max(2, k_range[0]), min(k_range[1], len(zs) - 1)
        for kk in range(lo, hi + 1):
            lab = KMeans(n_clusters=kk, n_init=4, random_state=seed).fit_predict(zs)
            if len(set(lab)) < 2:
                continue
            sil[kk] = float(
                silhouette_score(zs, lab, sample_size=min(len(zs), 3000), random_state=seed)
            )
        k = max(sil, key=sil.get) if sil else 2
    if not 1 <= k < n:
        raise ChurnDataError(msg("k = {k} clusters is not possible for {n} customers.", k=k, n=n))
    fit = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(z)
    # number clusters 1..k by size so that the largest is cluster 1
    sizes = np.bincount(fit.labels_, minlength=k)
    rank = {old: new + 1 for new, old in enumerate(np.argsort(-sizes, kind="stable"))}
    labels = pd.Series([rank[v] for v in fit.labels_], index=frame.index, name="cluster")

    churned = frame[CHURNED].astype(float) if CHURNED in frame.columns else pd.Series(np.nan)
    summ = pd.DataFrame({"cluster": labels, "c": churned})
    g = summ.groupby("cluster")
    summary = g.agg(customers=("c", "size"), labelled=("c", "count"), churned=("c", "sum"))
    summary = summary.reset_index()
    summary["churned"] = summary["churned"].astype(int)
    summary["share"] = summary["customers"] / n
    summary["churn_rate"] = summary["churned"] / summary["labelled"].where(summary["labelled"] > 0)
    low, high = _wilson_arrays(summary["churned"].to_numpy(), summary["labelled"].to_numpy())
    summary["ci_low"], summary["ci_high"] = low, high
    summary["small"] = (summary["labelled"] < SMALL_CUSTOMERS) | (
        summary["churned"] < SMALL_CHURNED
    )
    means = raw.groupby(labels).mean()
    trait_rows = []
    for cl, row in means.iterrows():
        zrow = (row - mean) / sd
        order = zrow.abs().sort_values(ascending=False, kind="stable").index
        for r, col in enumerate(order, start=1):
            trait_rows.append(
                dict(
                    cluster=int(cl),
                    column=col,
                    cluster_mean=float(row[col]),
                    overall_mean=float(mean[col]),
                    z=float(zrow[col]),
                    rank=r,
                )
            )
    traits = pd.DataFrame(trait_rows)
    result = BehaviourClusters(
        k=int(k),
        columns=tuple(raw.columns),
        silhouette=sil,
        labels=labels,
        summary=summary,
        traits=traits,
        notes=tuple(notes),
    )
    summary["description"] = cluster_descriptions(result).reindex(summary["cluster"]).to_numpy()
    return result


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2g}" if abs(x) < 1 else f"{x:,.1f}"


def _trait_text(template: str | None, higher: bool, column: str, value: str, overall: str) -> str:
    """One column of a cluster description: the caller's template, or the English one."""
    if template is not None:
        return template.format(column=column, value=value, overall=overall)
    if higher:
        return msg(
            "{column} higher than average ({value} vs {overall})",
            column=column,
            value=value,
            overall=overall,
        )
    return msg(
        "{column} lower than average ({value} vs {overall})",
        column=column,
        value=value,
        overall=overall,
    )


def cluster_descriptions(
    clusters: BehaviourClusters,
    *,
    top: int = 3,
    min_z: float = 0.25,
    higher: str | None = None,
    lower: str | None = None,
    typical: str | None = None,
    sep: str | None = None,
) -> pd.Series:
    """Each cluster in words: the columns whose mean differs most from the overall mean.

    The templates take ``{column}``, ``{value}`` and ``{overall}``, so a page can pass
    translated ones; by default they are "{column} higher than average ({value} vs
    {overall})", "{column} lower than average ({value} vs {overall})", "close to average
    on every column" and the separator "; ", built with :func:`churn.text.msg` so that
    the descriptions can be translated later. Columns less than ``min_z`` standard
    deviations from the overall mean are not mentioned.

    Returns
    -------
    pandas.Series
        Description text indexed by cluster number.
    """
    tr = clusters.traits
    sel = tr[(tr["rank"] <= top) & (tr["z"].abs() >= min_z)]
    out = {}
    for cl in sorted(tr["cluster"].unique()):
        parts = [
            _trait_text(
                higher if r.z > 0 else lower,
                r.z > 0,
                column=r.column,
                value=_num(r.cluster_mean),
                overall=_num(r.overall_mean),
            )
            for r in sel[sel["cluster"] == cl].itertuples()
        ]
        if not parts:
            out[int(cl)] = msg("close to average on every column") if typical is None else typical
        elif sep is not None:
            out[int(cl)] = sep.join(parts)
        else:
            text = parts[0]
            for part in parts[1:]:
                text = msg("{first}; {then}", first=text, then=part)
            out[int(cl)] = text
    return pd.Series(out, name="description", dtype=object)


# --------------------------------------------------------------------- warning signs
WARNING_SIGNS = (
    "support_tickets",
    "complaints",
    "nps",
    "satisfaction",
    "engagement_change",
    "newsletter_unsubscribed",
    "discount_requested",
    "failed_payments",
)
# Name patterns, most specific first; names are lower-cased and "_"/"-" read as spaces.
_SIGN_PATTERNS: tuple[tuple[str, str], ...] = (
    ("nps", r"\bnps\b|net promoter|promoter score|추천\s*(의향|지수|점수)|순추천"),
    (
        "failed_payments",
        r"(fail|declin|bounce|reject)\w*\s*(payment|charge|billing)|"
        r"(payment|charge|billing)s?\s*(fail|declin|bounce|reject)|"
        r"결제\s*(실패|오류|거절)|미납|연체",
    ),
    (
        "discount_requested",
        r"discount\w*\s*(request|ask)|(request|ask)\w*\s*discount|price\s*(cut|reduction|"
        r"request|negotiat)|할인\s*(요청|문의|요구)|가격\s*(인하|협상)",
    ),
    (
        "newsletter_unsubscribed",
        r"unsubscri|opt\s*out|opted\s*out|newsletter|수신\s*거부|구독\s*(해지|취소)|뉴스레터",
    ),
    ("complaints", r"complain|grievance|불만|민원|클레임|항의"),
    (
        "support_tickets",
        r"ticket|support\s*(call|request|case|contact)|service\s*(call|request|contact)|"
        r"help\s*desk|cust\s*serv|\bcs\s*(call|contact)|문의|상담|고객\s*센터|티켓",
    ),
    ("satisfaction", r"satisf|\bcsat\b|만족"),
    (
        "engagement_change",
        r"(login|log in|visit|session|usage|use|engagement|activity|purchase|order|"
        r"접속|방문|이용|사용|구매|활동|로그인)\w*\s*(change|trend|drop|delta|decline|diff)|"
        r"(change|drop|decline)\s*in\s*(login|visit|session|usage|engagement|activity|"
        r"purchase|order)|"
        r"(접속|방문|이용|사용|구매|활동|로그인)\s*(변화|감소|증감|추세)",
    ),
)


def _norm_name(name: str) -> str:
    return re.sub(r"[_\-./]+", " ", str(name)).lower().strip()


def recognise_warning_signs(columns: Iterable[str]) -> dict[str, str]:
    """Propose which columns are the domain brief's warning signs, by name.

    English and Korean names are recognised (e.g. ``support_tickets``, ``NPS``,
    ``만족도``, ``결제 실패 횟수``). Like ``infer_roles`` this only *proposes*: the user
    confirms or changes the mapping, and :func:`warning_signs` takes the confirmed one.

    Parameters
    ----------
    columns : iterable of str

    Returns
    -------
    dict
        column -> sign, the sign being one of :data:`WARNING_SIGNS`.
    """
    found: dict[str, str] = {}
    for col in columns:
        name = _norm_name(col)
        for sign, pattern in _SIGN_PATTERNS:
            if re.search(pattern, name):
                found[col] = sign
                break
    return found


NPS_LEVELS = ("detractors (0-6)", "passives (7-8)", "promoters (9-10)")


def _sign_levels(table: TableLike, column: str, sign: str) -> pd.Series:
    frame = _frame(table)
    s = frame[column]
    if sign == "nps":
        v = pd.to_numeric(s, errors="coerce").where(lambda x: (x >= 0) & (x <= 10))
        level = np.select([v <= 6, v <= 8, v <= 10], [0, 1, 2], default=-1)
        present = [i for i in range(len(NPS_LEVELS)) if (level == i).any()]
        renumber = np.full(len(NPS_LEVELS) + 1, -1)  # levels seen, in order; -1 stays -1
        renumber[present] = np.arange(len(present))
        order = [NPS_LEVELS[i] for i in present]
        return _from_codes(renumber[level], order, frame.index, column)
    return segment_column(table, column, bins=4, top_k=6)


def warning_signs(table: TableLike, mapping: Mapping[str, str]) -> pd.DataFrame:
    """Churn rate by level of each confirmed warning-sign column, the strongest first.

    Parameters
    ----------
    table : CustomerTable or pandas.DataFrame
    mapping : mapping of str to str
        column -> sign (see :func:`recognise_warning_signs`), as the user confirmed it.

    Returns
    -------
    pandas.DataFrame
        Long frame: ``column``, ``sign``, ``level`` (natural order; NPS as detractors /
        passives / promoters), ``level_order``, ``customers``, ``churned``,
        ``churn_rate``, ``ci_low``, ``ci_high``, ``small``, and per column ``spread``
        (highest minus lowest churn rate among levels that are not small; all levels
        when every one is small), ``chi2``, ``p_value`` (chi-square test of
        independence), ``rank`` (1 = largest spread). Sorted by rank, then level.
    """
    from scipy import stats

    frame = _frame(table)
    lab = frame[CHURNED].notna()
    _require_labels(frame)
    parts = []
    for column, sign in mapping.items():
        _require_column(frame, column)
        if sign not in WARNING_SIGNS:
            raise ChurnDataError(
                msg("'{sign}' is not a known warning sign.", sign=sign),
                fix=msg("use one of {choices}.", choices=", ".join(WARNING_SIGNS)),
                column=column,
            )
        levels = _sign_levels(table, column, sign)
        keys = pd.DataFrame({"level": levels[lab]})
        res = _rate_frame(keys, frame.loc[lab, CHURNED].astype(float))
        order = list(levels.cat.categories)
        res["level"] = res["level"].astype(str)
        res["level_order"] = [order.index(v) for v in res["level"]]
        judged = res[~res["small"]] if (~res["small"]).sum() >= 2 else res
        spread = float(judged["churn_rate"].max() - judged["churn_rate"].min())
        table2 = np.column_stack([res["churned"], res["customers"] - res["churned"]])
        table2 = table2[:, table2.sum(axis=0) > 0]
        if len(res) >= 2 and table2.shape[1] == 2:
            chi = stats.chi2_contingency(table2, correction=False)
            chi2, p = float(chi.statistic), float(chi.pvalue)
        else:
            chi2, p = math.nan, math.nan
        res.insert(0, "sign", sign)
        res.insert(0, "column", column)
        res["spread"], res["chi2"], res["p_value"] = spread, chi2, p
        parts.append(res)
    cols = [
        "column", "sign", "level", "level_order", "customers", "churned", "churn_rate",
        "ci_low", "ci_high", "small", "spread", "chi2", "p_value", "rank",
    ]  # fmt: skip
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    strength = out.groupby("column", sort=False)["spread"].first()
    rank = strength.sort_values(ascending=False, kind="stable").rank(
        method="first", ascending=False
    )
    out["rank"] = out["column"].map(rank).astype(int)
    out = out.sort_values(["rank", "level_order"], kind="stable").reset_index(drop=True)
    return out[cols]
