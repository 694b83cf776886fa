"""Value tiers and RFM: customers ranked by value, and recency / frequency / monetary
scores with named RFM segments."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.segments.labels import (
    MISSING,
    TableLike,
    labels_from_codes,
    require_column,
    table_frame,
    whole_number_cuts,
)
from churn.segments.stats import SMALL_CHURNED, SMALL_CUSTOMERS, wilson_arrays
from churn.segments.value import value_series
from churn.table import CHURNED, ID
from churn.text import msg


# ----------------------------------------------------------------------- value tiers
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
    frame = table_frame(table)
    values, col = value_series(table, column)
    present = values.dropna()
    if bool(np.all(np.mod(present.to_numpy(), 1) == 0)):
        # whole amounts (list prices) often tie: keep each amount in one tier
        cuts = whole_number_cuts(present, n_tiers)
    else:
        qs = np.quantile(present, np.linspace(0, 1, n_tiers + 1))
        cuts = sorted({float(q) for q in qs})
    if len(cuts) < 2:
        cuts = [cuts[0], cuts[0] + 1]
    k = len(cuts) - 1
    labels = list(names[:k]) if names is not None else _default_tier_names(k)
    codes = pd.cut(values, cuts, include_lowest=True, labels=False).fillna(-1).astype(int)
    out = labels_from_codes(codes.to_numpy(), labels, frame.index, "value_tier")
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
    frame = table_frame(table)
    tiers = value_tier_column(table, n_tiers, names, column)
    values, col = value_series(table, column)
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
    low, high = wilson_arrays(out["churned"].to_numpy(), out["labelled"].to_numpy())
    out["ci_low"], out["ci_high"] = low, high
    out["small"] = (out["labelled"] < SMALL_CUSTOMERS) | (out["churned"] < SMALL_CHURNED)
    cols = [
        "tier", "customers", "value_min", "value_max", "value_total", "value_share",
        "labelled", "churned", "churn_rate", "ci_low", "ci_high", "small", "value_lost",
    ]  # fmt: skip
    out = out[cols]
    out.attrs.update(column=col, edges=tiers.attrs["edges"])
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
    frame = table_frame(table)
    for col in (recency_col, frequency_col, monetary_col):
        require_column(frame, col)
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
    low, high = wilson_arrays(out["churned"].to_numpy(), out["labelled"].to_numpy())
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
    frame = table_frame(table)
    cols = (recency_col, frequency_col, monetary_col)
    return all(c in frame.columns and pd.api.types.is_numeric_dtype(frame[c]) for c in cols)
