"""Segment labels: how a column becomes segments (categories, number bins, dates) and
the table helpers every segment view uses."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import CustomerTable
from churn.text import msg

#: The segment of customers without a value.
MISSING = "(missing)"
#: The segment the categories beyond ``top_k`` are pooled into.
OTHER = "other"

TableLike = CustomerTable | pd.DataFrame


# --------------------------------------------------------------------- table helpers
def table_frame(obj: TableLike) -> pd.DataFrame:
    """The frame of a CustomerTable, or the frame itself."""
    return obj.frame if isinstance(obj, CustomerTable) else obj


def _categorical_cols(obj: TableLike) -> tuple[str, ...]:
    return obj.categorical if isinstance(obj, CustomerTable) else ()


def require_column(frame: pd.DataFrame, column: str) -> None:
    """ChurnDataError naming ``column`` and some of the table's columns unless it is one."""
    if column not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:12]))
        raise ChurnDataError(
            msg("is not in the customer table."),
            fix=msg("pick one of the table's columns ({shown}, ...).", shown=shown),
            column=str(column),
        )


# --------------------------------------------------------------------------- binning
def _fmt_edge(x: float, digits: int) -> str:
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    # fixed-point with about ``digits`` significant digits, never scientific notation
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x)))) if x else 0
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if decimals else text


def whole_number_cuts(present: pd.Series, bins: int) -> list[float]:
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


def labels_from_codes(codes: np.ndarray, order: list[str], index: pd.Index, name: str) -> pd.Series:
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
    frame = table_frame(table_or_frame)
    require_column(frame, column)
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
    frame = table_frame(table_or_frame)
    require_column(frame, column)
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
        out = _date_labels(s, column, date_freq)
    elif kind == "number":
        out = _number_labels(s.astype(float), column, bins, edges)
    else:
        out = _category_labels(s, column, top_k)
    out.attrs["kind"] = kind
    return out


def _date_labels(s: pd.Series, column: str, date_freq: str) -> pd.Series:
    """Dates by calendar month ("2024-03") or year ("2024"), in time order."""
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
    return labels_from_codes(rank[codes], order, s.index, column)


def _number_labels(
    values: pd.Series, column: str, bins: int, edges: Sequence[float] | None
) -> pd.Series:
    """Numbers in bins (the user's ``edges``, runs of whole numbers, or quantiles) with
    readable labels, low to high."""
    present = values.dropna()
    if present.empty:
        return labels_from_codes(np.full(len(values), -1), [], values.index, column)
    cuts, whole = _number_cuts(present, bins, edges)
    if len(cuts) == 1:
        labels_text = [_fmt_edge(cuts[0], 4)]
        codes = pd.Series(np.where(values.notna(), 0, -1), index=values.index)
    else:
        labels_text = _bin_labels(cuts, whole)
        codes = pd.cut(values, cuts, include_lowest=True, labels=False)
        codes = codes.fillna(-1).astype(int)
    return labels_from_codes(codes.to_numpy(), labels_text, values.index, column)


def _number_cuts(
    present: pd.Series, bins: int, edges: Sequence[float] | None
) -> tuple[list[float], bool]:
    """The bin edges of the present values, and whether the bins hold whole numbers.

    The user's ``edges`` get the data's minimum and maximum added when values fall outside
    them; whole numbers are cut between runs of equal values; others at quantiles.
    """
    whole = bool(np.all(np.mod(present.to_numpy(), 1) == 0))
    if edges is not None:
        cuts = sorted({float(e) for e in edges})
        whole = whole and all(c.is_integer() for c in cuts)
        if present.min() < cuts[0] or (whole and present.min() == cuts[0]):
            cuts.insert(0, float(present.min()) - (1 if whole else 0))
        if present.max() > cuts[-1]:
            cuts.append(float(present.max()))
    elif whole:
        cuts = whole_number_cuts(present, bins)
    else:
        qs = np.quantile(present.to_numpy(), np.linspace(0, 1, bins + 1))
        cuts = sorted({float(q) for q in qs})
    return cuts, whole


def _category_labels(s: pd.Series, column: str, top_k: int) -> pd.Series:
    """The ``top_k`` most common values (numbers in their own order), the rest pooled as
    ``"other"``."""
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
    return labels_from_codes(where[codes], order, s.index, column)


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


def binning_options(binning: Mapping[str, Any]) -> dict[str, Any]:
    """The binning options of :func:`segment_column` (TypeError for any other)."""
    allowed = {"top_k", "bins", "edges", "date_freq"}
    unknown = set(binning) - allowed
    if unknown:
        raise TypeError(f"unknown binning options: {sorted(unknown)}")
    return dict(binning)


def segments_for(
    table: TableLike, column: str, segments: pd.Series | None, binning: Mapping[str, Any]
) -> pd.Series:
    """``segments`` when given (labels of :func:`segment_column` computed once by the
    caller), else the labels of ``column`` with these binning options."""
    opts = binning_options(binning)
    if segments is None:
        return segment_column(table, column, **opts)
    if not isinstance(segments.dtype, pd.CategoricalDtype) or not segments.index.equals(
        table_frame(table).index
    ):
        raise TypeError("segments must be segment_column's labels for this table")
    return segments


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
