"""Behaviour clusters: k-means on standardised behaviour columns, with churn per cluster
and what sets each cluster apart, in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.segments.labels import TableLike, require_column, table_frame
from churn.segments.stats import SMALL_CHURNED, SMALL_CUSTOMERS, wilson_arrays
from churn.table import CHURNED
from churn.text import Text, msg


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
    frame = table_frame(table)
    raw, notes = _behaviour_data(frame, columns)
    mean, sd = raw.mean(), raw.std(ddof=0)
    z = ((raw - mean) / sd).to_numpy()
    n = len(z)
    if n < 3:
        raise ChurnDataError(
            msg("Too few customers to form clusters."), fix=msg("load more customers.")
        )
    sil: dict[int, float] = {}
    if k is None:
        k, sil = _best_k(z, k_range, sample, seed)
    if not 1 <= k < n:
        raise ChurnDataError(msg("k = {k} clusters is not possible for {n} customers.", k=k, n=n))
    labels = _fit_labels(z, k, seed, frame.index)
    summary = _cluster_summary(frame, labels, n)
    result = BehaviourClusters(
        k=int(k),
        columns=tuple(raw.columns),
        silhouette=sil,
        labels=labels,
        summary=summary,
        traits=_cluster_traits(raw, labels, mean, sd),
        notes=tuple(notes),
    )
    summary["description"] = cluster_descriptions(result).reindex(summary["cluster"]).to_numpy()
    return result


def _behaviour_data(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, list[Text]]:
    """The chosen columns as floats (missing values set to the median, constant columns
    left out) and notes saying so; ChurnDataError for a text column or when none varies."""
    if not columns:
        raise ChurnDataError(
            msg("No behaviour column was chosen."), fix=msg("pick at least one column.")
        )
    notes: list[Text] = []
    data = {}
    for col in columns:
        require_column(frame, col)
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
    return pd.DataFrame(data, index=frame.index), notes


def _best_k(
    z: np.ndarray, k_range: tuple[int, int], sample: int, seed: int
) -> tuple[int, dict[int, float]]:
    """The k in ``k_range`` with the best mean silhouette on a random sample of ``z`` (2
    when none can be measured), and the silhouette of every k tried."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = len(z)
    rng = np.random.default_rng(seed)
    sil: dict[int, float] = {}
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
    return (max(sil, key=sil.get) if sil else 2), sil


def _fit_labels(z: np.ndarray, k: int, seed: int, index: pd.Index) -> pd.Series:
    """K-means cluster of every row, numbered 1..k by size (the largest is cluster 1)."""
    from sklearn.cluster import KMeans

    fit = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(z)
    # number clusters 1..k by size so that the largest is cluster 1
    sizes = np.bincount(fit.labels_, minlength=k)
    rank = {old: new + 1 for new, old in enumerate(np.argsort(-sizes, kind="stable"))}
    return pd.Series([rank[v] for v in fit.labels_], index=index, name="cluster")


def _cluster_summary(frame: pd.DataFrame, labels: pd.Series, n: int) -> pd.DataFrame:
    """Customers, share and churn (with interval and the small flag) per cluster."""
    churned = frame[CHURNED].astype(float) if CHURNED in frame.columns else pd.Series(np.nan)
    summ = pd.DataFrame({"cluster": labels, "c": churned})
    g = summ.groupby("cluster")
    summary = g.agg(customers=("c", "size"), labelled=("c", "count"), churned=("c", "sum"))
    summary = summary.reset_index()
    summary["churned"] = summary["churned"].astype(int)
    summary["share"] = summary["customers"] / n
    summary["churn_rate"] = summary["churned"] / summary["labelled"].where(summary["labelled"] > 0)
    low, high = wilson_arrays(summary["churned"].to_numpy(), summary["labelled"].to_numpy())
    summary["ci_low"], summary["ci_high"] = low, high
    summary["small"] = (summary["labelled"] < SMALL_CUSTOMERS) | (
        summary["churned"] < SMALL_CHURNED
    )
    return summary


def _cluster_traits(
    raw: pd.DataFrame, labels: pd.Series, mean: pd.Series, sd: pd.Series
) -> pd.DataFrame:
    """:attr:`BehaviourClusters.traits`: each cluster's mean of every column against the
    overall mean, the columns that set it apart most first."""
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
    return pd.DataFrame(trait_rows)


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
