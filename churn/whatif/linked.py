"""Linked numbers and reference groups: a number that depends on a category (days to
renewal on the contract, the fee on the plan) moves with it, to the same within-group
percentile among the customers with the new level."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from churn.table import CustomerTable
from churn.whatif.space import compact_name, shown

if TYPE_CHECKING:  # pragma: no cover - typing only
    from churn.model import TrainedModel

#: A numeric feature is *linked* to a categorical one when the category explains at least
#: this share of its variance (eta squared, the correlation ratio squared).
LINK_THRESHOLD = 0.3
#: Groups (category levels) with fewer customers are left out of eta squared, and a linked
#: feature is not moved into or out of a group this small (too few values for percentiles).
MIN_LINK_GROUP = 5
LINK_COLUMNS = ["category", "feature", "eta_sq", "n_groups", "n_rows"]
#: Name fragments (as in :func:`is_actionable`) of numbers that record the customer's past
#: or who they are: they never move with a category (a contract signed today does not change
#: how long someone has been a customer, nor what they have paid so far), however strongly
#: they differ between its levels.
HISTORY_PATTERNS = (
    "tenure",
    "total",
    "cumulative",
    "lifetime",
    "signup",
    "join",
    "since",
    "birth",
    "가입",
    "누적",
    "나이",
    "연령",
)
#: Whole words (any case, snake_case or CamelCase) of such numbers ("age" but not "usage").
HISTORY_WORDS = ("age", "ages")


def correlation_ratio(
    values: Sequence[float] | np.ndarray | pd.Series,
    groups: Sequence[Any] | np.ndarray | pd.Series,
    min_group: int = MIN_LINK_GROUP,
) -> float:
    """Eta squared: the share of the variance of ``values`` explained by ``groups``.

    ``eta² = Σ_g n_g (mean_g - mean)² / Σ_i (x_i - mean)²`` over the rows where both the value
    and the group are present and whose group has at least ``min_group`` rows (so a
    category with one customer per level does not explain everything by chance). 0 when
    fewer than two groups are left or the values do not vary; 1 when every group is constant.
    """
    x = pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="coerce")
    codes, _ = pd.factorize(pd.Series(np.asarray(groups, dtype=object)))
    return _eta(x.to_numpy(dtype=float), codes, min_group)


def _eta(x: np.ndarray, codes: np.ndarray, min_group: int) -> float:
    """:func:`correlation_ratio` on float values and group codes (-1 = missing)."""
    ok = ~np.isnan(x) & (codes >= 0)
    x, codes = x[ok], codes[ok]
    if not len(x):
        return 0.0
    keep = np.bincount(codes)[codes] >= min_group
    x, codes = x[keep], codes[keep]
    n_g = np.bincount(codes)
    used = n_g > 0
    if used.sum() < 2:
        return 0.0
    mean = float(x.mean())
    total = float(((x - mean) ** 2).sum())
    if not total > 0:
        return 0.0
    means = np.bincount(codes, weights=x)[used] / n_g[used]
    between = float((n_g[used] * (means - mean) ** 2).sum())
    return min(1.0, max(0.0, between / total))


def find_links(
    X: pd.DataFrame,
    categorical: Sequence[str],
    numeric: Sequence[str],
    threshold: float = LINK_THRESHOLD,
    min_group: int = MIN_LINK_GROUP,
) -> pd.DataFrame:
    """Pairs (categorical, numeric) of columns of ``X`` whose eta squared is >= ``threshold``.

    Returns
    -------
    pd.DataFrame
        ``category``, ``feature`` (the numeric column), ``eta_sq``, ``n_groups`` (levels
        with at least ``min_group`` rows) and ``n_rows`` (rows used); strongest first.
    """
    nums = {f: pd.to_numeric(X[f], errors="coerce").to_numpy(dtype=float) for f in numeric}
    rows = []
    for c in categorical:
        codes, _ = pd.factorize(X[c].astype(object))
        present = codes[codes >= 0]
        sizes = np.bincount(present) if len(present) else np.array([], dtype=int)
        if int((sizes >= min_group).sum()) < 2:
            continue
        big = (codes >= 0) & (sizes[np.maximum(codes, 0)] >= min_group)
        for f in numeric:
            if f == c:
                continue
            eta = _eta(nums[f], codes, min_group)
            if eta >= threshold:
                rows.append(
                    {"category": c, "feature": f, "eta_sq": eta,
                     "n_groups": int((sizes >= min_group).sum()),
                     "n_rows": int((big & ~np.isnan(nums[f])).sum())}
                )  # fmt: skip
    out = pd.DataFrame(rows, columns=LINK_COLUMNS)
    if len(out):
        out = out.sort_values(["eta_sq", "category", "feature"], ascending=[False, True, True])
    return out.reset_index(drop=True)


def is_history(name: str) -> bool:
    """Whether a numeric feature's name says it records the past or who the customer is
    (tenure, totals so far, sign-up, age...): such a number never moves with a category."""
    n = compact_name(name)
    if any(p in n for p in HISTORY_PATTERNS):
        return True
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+", str(name))
    return any(w.lower() in HISTORY_WORDS for w in words)


def linked_features(
    table: CustomerTable, trained: TrainedModel, threshold: float = LINK_THRESHOLD
) -> pd.DataFrame:
    """:func:`find_links` between the model's categorical and numeric features, measured on
    the whole customer table as the model reads it (the same customers as
    :func:`feature_space`). Numbers that record the past or who the customer is
    (:func:`is_history`) are left out: they differ by category because of who chose it, not
    because the category sets them."""
    links, _ = links_and_groups(table, trained, None, threshold)
    return links


def within_percentile(value: Any, values: Sequence[float] | np.ndarray) -> Any:
    """Mid-rank percentile (0..1) of ``value`` among ``values``.

    ``(number of values below + half the number equal) / n``: the k-th smallest of n
    distinct values sits at ``(k - 0.5) / n``, the plotting position that
    :func:`value_at_percentile` (numpy's ``hazen`` quantile) inverts exactly. Accepts one
    value or an array; NaN for a missing value or an empty group.
    """
    ref = np.sort(np.asarray(values, dtype=float))
    ref = ref[~np.isnan(ref)]
    v = np.asarray(value, dtype=float)
    if len(ref) == 0:
        return np.full(v.shape, np.nan) if v.ndim else float("nan")
    below = np.searchsorted(ref, v, side="left")
    upto = np.searchsorted(ref, v, side="right")
    p = (below + 0.5 * (upto - below)) / len(ref)
    p = np.where(np.isnan(v), np.nan, p)
    return p if v.ndim else float(p)


def value_at_percentile(p: Any, values: Sequence[float] | np.ndarray, integer: bool = False) -> Any:
    """The value at percentile ``p`` of ``values`` (numpy's ``hazen`` quantile: linear
    between the k-th smallest at ``(k - 0.5) / n``, the smallest / largest beyond the ends).
    With ``integer`` the result is rounded half up to a whole number, which stays within the
    group's range. Accepts one percentile or an array."""
    ref = np.asarray(values, dtype=float)
    ref = ref[~np.isnan(ref)]
    q = np.asarray(p, dtype=float)
    if len(ref) == 0:
        return np.full(q.shape, np.nan) if q.ndim else float("nan")
    out = np.full(q.shape, np.nan)
    ok = ~np.isnan(q)
    out[ok] = np.quantile(ref, np.clip(q[ok], 0.0, 1.0), method="hazen")
    if integer:
        out = np.floor(out + 0.5)
    return out if q.ndim else float(out)


def map_percentile(
    value: Any,
    from_values: Sequence[float] | np.ndarray,
    to_values: Sequence[float] | np.ndarray,
    integer: bool = False,
) -> Any:
    """``value``'s place in ``from_values`` carried to the same place in ``to_values``.

    :func:`within_percentile` then :func:`value_at_percentile`: 12 days to renewal, a bit
    below the middle of monthly customers' 1..31 days, becomes a bit below the middle of
    annual customers' 1..365 days. A group mapped to itself gives the value back.
    """
    return value_at_percentile(within_percentile(value, from_values), to_values, integer)


def _map_sorted(value: np.ndarray, src: np.ndarray, dst: np.ndarray, integer: bool) -> np.ndarray:
    """:func:`map_percentile` for reference values already sorted and without NaN (what
    :class:`ReferenceGroups` holds): no sort and no quantile pass over a large group per call."""
    v = np.asarray(value, dtype=float)
    below, upto = np.searchsorted(src, v, "left"), np.searchsorted(src, v, "right")
    p = np.clip((below + 0.5 * (upto - below)) / len(src), 0.0, 1.0)  # within_percentile
    # numpy's "hazen" quantile, computed as numpy does: 0-based virtual index n * p - 0.5
    # clipped to the ends, then numpy's two-sided linear interpolation
    h = np.clip(p * len(dst) + 0.5 - 1, 0, len(dst) - 1)
    lo = np.floor(h).astype(int)
    hi = np.minimum(lo + 1, len(dst) - 1)
    t = h - lo
    a, b = dst[lo], dst[hi]
    out = np.where(t >= 0.5, b - (b - a) * (1 - t), a + (b - a) * t)
    out = np.where(np.isnan(v), np.nan, out)
    return np.floor(out + 0.5) if integer else out


class ReferenceGroups:
    """Sorted values of a numeric feature among the customers sharing some category levels
    (the reference distributions of the percentile mapping), cached."""

    def __init__(self, X: pd.DataFrame):
        self._cols = {c: X[c].to_numpy() for c in X.columns}
        self._n = len(X)
        self._cache: dict[tuple, np.ndarray] = {}

    def values(self, feature: str, cats: tuple[str, ...], levels: tuple[Any, ...]) -> np.ndarray:
        key = (feature, cats, levels)
        if key not in self._cache:
            mask = np.ones(self._n, dtype=bool)
            for c, lv in zip(cats, levels, strict=True):
                mask &= self._cols[c] == lv
            v = self._cols[feature][mask].astype(float)
            self._cache[key] = np.sort(v[~np.isnan(v)])
        return self._cache[key]


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def plan_linked(
    current: pd.DataFrame,
    new: Mapping[str, Any],
    explicit: Iterable[str],
    links: pd.DataFrame,
    groups: ReferenceGroups,
    integer: Iterable[str] = (),
) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Where the linked numeric features of changed categories move, row by row.

    Parameters
    ----------
    current : the rows as the model reads them (every feature), before the change.
    new : categorical column -> the new level (as the model reads it), the same for every row.
    explicit : columns the user set themselves: never moved.
    links : :func:`find_links` / :func:`linked_features`.
    groups : the reference customers.
    integer : features whose moved value is rounded to a whole number.

    Returns
    -------
    dict
        feature -> (new values, NaN where the row does not move; the categories it followed).
        A row moves when at least one of the feature's linked categories really changes for
        it (the row has a level and it differs from the new one). The groups are the customers
        sharing the row's current levels of *all* those changed categories and the customers
        with all the new levels; when either has fewer than :data:`MIN_LINK_GROUP` customers,
        only the most strongly linked category is used; if that is still too small, or the
        row's value is missing, the row keeps its value.
    """
    skip = set(explicit)
    ints = set(integer)
    out: dict[str, tuple[np.ndarray, list[str]]] = {}
    if links is None or not len(links) or not new:
        return out
    lk = links[links["category"].isin(list(new)) & ~links["feature"].isin(skip)]
    lk = lk[lk["feature"].isin(current.columns)]
    for f, sub in lk.groupby("feature", sort=False):
        cats = [c for c in sub.sort_values("eta_sq", ascending=False)["category"]]
        vals = current[f].to_numpy(dtype=float)
        moved = np.full(len(current), np.nan)
        used: list[str] = []
        keys = current[cats].astype(object).to_numpy()
        seen: dict[tuple, list[int]] = {}
        for i, key in enumerate(map(tuple, keys)):
            seen.setdefault(key, []).append(i)
        for key, rows in seen.items():
            idx = np.asarray(rows, dtype=int)
            active = [
                c for c, lv in zip(cats, key, strict=True) if not _missing(lv) and lv != new[c]
            ]
            if not active:
                continue
            for tried in (active, active[:1]):
                src = groups.values(f, tuple(tried), tuple(key[cats.index(c)] for c in tried))
                dst = groups.values(f, tuple(tried), tuple(new[c] for c in tried))
                if len(src) >= MIN_LINK_GROUP and len(dst) >= MIN_LINK_GROUP:
                    break
            else:
                continue
            moved[idx] = _map_sorted(vals[idx], src, dst, integer=f in ints)
            used += [c for c in tried if c not in used]
        moved = np.where(np.isnan(vals) | (moved == vals), np.nan, moved)
        if not np.isnan(moved).all():
            out[str(f)] = (moved, used)
    return out


def reference_groups(table: CustomerTable, trained: TrainedModel) -> ReferenceGroups:
    """The reference customers of the percentile mapping (the whole table as the model
    reads it): compute once per model and pass as ``groups=`` to :func:`what_if`,
    :func:`suggest` and :func:`segment_scenario` (a million-row table takes a second)."""
    from churn.model import feature_frame

    return ReferenceGroups(feature_frame(table.frame, trained.features, trained.categorical))


def links_and_groups(
    table: CustomerTable,
    trained: TrainedModel,
    links: pd.DataFrame | None,
    threshold: float = LINK_THRESHOLD,
    groups: ReferenceGroups | None = None,
) -> tuple[pd.DataFrame, ReferenceGroups]:
    """:func:`linked_features` (unless given) and the reference groups (the whole table)."""
    from churn.model import feature_frame

    if links is not None and groups is not None:
        return links, groups
    X = feature_frame(table.frame, trained.features, trained.categorical)
    if links is None:
        cats = [c for c in trained.features if c in trained.categorical]
        nums = [c for c in trained.features if c not in trained.categorical and not is_history(c)]
        links = find_links(X, cats, nums, threshold)
    return links, groups if groups is not None else ReferenceGroups(X)


def integer_features(specs: Mapping[str, Mapping[str, Any]] | None) -> set[str]:
    """The features that hold whole numbers (their moved values are rounded)."""
    return {f for f, s in (specs or {}).items() if s["kind"] == "integer"}


def set_linked(rows: pd.DataFrame, plan: Mapping[str, tuple[np.ndarray, list[str]]]) -> None:
    """Write the moved values of :func:`plan_linked` into ``rows`` (in place)."""
    for f, (moved, _) in plan.items():
        col = pd.to_numeric(rows[f], errors="coerce").astype(float).to_numpy().copy()
        m = ~np.isnan(moved)
        col[m] = moved[m]
        rows[f] = pd.Series(col, index=rows.index, dtype=float)


def linked_list(
    current: pd.DataFrame, plan: Mapping[str, tuple[np.ndarray, list[str]]], links: pd.DataFrame
) -> list[dict[str, Any]]:
    """``[{column, before, after, linked_to, eta_sq}]`` for the first row of a plan."""
    out = []
    for f, (moved, used) in plan.items():
        if np.isnan(moved[0]):
            continue
        eta = links[(links["feature"] == f) & links["category"].isin(used)]["eta_sq"]
        out.append(
            {
                "column": f,
                "before": shown(current[f].iloc[0]),
                "after": shown(float(moved[0])),
                "linked_to": list(used),
                "eta_sq": round(float(eta.max()), 4),
            }
        )
    return out
