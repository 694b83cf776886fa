"""What-if: edit one customer, search for the smallest saving changes, price a campaign.

Everything scores through :func:`churn.model.score` with the trained pipeline, so a
what-if risk is the same number the Model page would give the edited customer. The
choices offered come from the data (:func:`feature_space`): seen levels for categories,
seen values between the 1st and 99th percentile for numbers, so a suggestion never asks
for a value no customer has.

Linked features: a number that depends on a category (days to renewal on the contract,
the fee on the plan) moves with it. :func:`linked_features` finds them in the data (eta
squared of the number by the category >= :data:`LINK_THRESHOLD`); when a category
changes, each linked number not set by hand goes to the value at the customer's
within-group percentile among customers with the new level (:func:`map_percentile`), so
"monthly renewing in 12 days" becomes "annual renewing in about 117 days", not "annual
renewing in 12 days". Numbers that record the past or who the customer is (tenure, totals,
age: :func:`is_history`) never move. It is an option (``move_linked``, on by default) and
the moves are always reported. Scaled counts stay whole numbers
(:func:`round_keeping_total`).

How the reasons moved uses :mod:`churn.explain` when it is installed; the core what-if
works without it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import ID, STATUS, CustomerTable
from churn.text import msg

if TYPE_CHECKING:  # pragma: no cover - typing only
    from churn.model import TrainedModel

#: Name fragments (lower case, letters and digits only) of features a business can act on.
ACTIONABLE_PATTERNS = (
    "contract",
    "plan",
    "support",
    "ticket",
    "complain",
    "discount",
    "promo",
    "coupon",
    "engag",
    "login",
    "session",
    "usage",
    "newsletter",
    "unsubscrib",
    "payment",
    "paperless",
    "billing",
    "nps",
    "satisf",
    "security",
    "backup",
    "protection",
    "streaming",
    "internetservice",
    "multiplelines",
    "fee",
    "monthlycharge",
    "price",
    "계약",
    "요금제",
    "플랜",
    "상담",
    "문의",
    "지원",
    "불만",
    "할인",
    "로그인",
    "접속",
    "뉴스레터",
    "수신",
    "결제",
    "추천",
    "만족",
    "월요금",
)
#: Fragments of features that describe who the customer is or their history: fixed.
FIXED_PATTERNS = (
    "age",
    "gender",
    "sex",
    "senior",
    "partner",
    "dependent",
    "region",
    "city",
    "state",
    "country",
    "signup",
    "join",
    "tenure",
    "birth",
    "total",
    "channel",
    "owner",
    "renewal",
    "나이",
    "연령",
    "성별",
    "지역",
    "가입",
    "기간",
    "채널",
    "담당",
    "갱신",
    "누적",
)
#: Numeric features with more distinct values than this get quantile candidates.
MAX_NUMERIC_CANDIDATES = 21
#: Best single values per feature kept when pairs are searched.
PAIR_VALUES_PER_FEATURE = 6

Kind = Literal["categorical", "integer", "float"]


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z가-힣]", "", str(name).lower())


def is_actionable(name: str) -> bool:
    """Default marking of a feature by its name (English and Korean patterns).

    A fixed pattern wins (``total_charges`` is history, ``signup_date`` who they are);
    names matching neither list are fixed, so a suggestion never touches an unknown column.
    """
    n = _norm(name)
    if any(p in n for p in FIXED_PATTERNS):
        return False
    return any(p in n for p in ACTIONABLE_PATTERNS)


def _text(v: Any) -> Any:
    from churn.model import _category_text

    return _category_text(v)


# --------------------------------------------------------------------------- feature space
def feature_space(table: CustomerTable, trained: TrainedModel) -> pd.DataFrame:
    """What each model feature can be set to, learned from the data.

    Parameters
    ----------
    table : the confirmed customer table.
    trained : the trained model (its features and categorical subset are used).

    Returns
    -------
    pd.DataFrame
        One row per model feature, in the model's order: ``feature``, ``kind``
        (``categorical`` | ``integer`` | ``float``), ``levels`` (seen categories as text,
        most common first; for numbers the candidate values, all seen), ``min`` and
        ``max`` (1st and 99th percentile, seen values), ``data_min`` / ``data_max`` (the
        whole range), ``step`` (1 for integers), ``missing`` (share missing) and
        ``actionable`` (default marking by name, see :func:`is_actionable`).
    """
    from churn.model import feature_frame

    X = feature_frame(table.frame, trained.features, trained.categorical)
    rows = []
    for c in trained.features:
        s = X[c]
        present = s.dropna()
        row: dict[str, Any] = {"feature": c, "missing": float(s.isna().mean())}
        if c in trained.categorical:
            counts = present.value_counts(sort=True)
            # most common first, ties by text so the order is stable
            order = sorted(counts.index, key=lambda v: (-counts[v], str(v)))
            row.update(
                kind="categorical",
                levels=[str(v) for v in order],
                min=np.nan,
                max=np.nan,
                data_min=np.nan,
                data_max=np.nan,
                step=np.nan,
            )
        else:
            vals = present.to_numpy(dtype=float)
            integer = bool(len(vals)) and bool(np.all(np.equal(np.mod(vals, 1), 0)))
            if len(vals):
                lo = float(np.quantile(vals, 0.01, method="nearest"))
                hi = float(np.quantile(vals, 0.99, method="nearest"))
                inside = np.unique(vals[(vals >= lo) & (vals <= hi)])
                if len(inside) > MAX_NUMERIC_CANDIDATES:
                    qs = np.linspace(0, 1, MAX_NUMERIC_CANDIDATES)
                    inside = np.unique(
                        np.quantile(vals[(vals >= lo) & (vals <= hi)], qs, method="nearest")
                    )
                levels = [float(v) for v in inside]
                dmin, dmax = float(vals.min()), float(vals.max())
            else:
                lo = hi = dmin = dmax = np.nan
                levels = []
            step = 1.0 if integer else (_nice_step((hi - lo) / 100) if hi > lo else 0.1)
            row.update(
                kind="integer" if integer else "float",
                levels=levels,
                min=lo,
                max=hi,
                data_min=dmin,
                data_max=dmax,
                step=step,
            )
        row["actionable"] = is_actionable(c)
        rows.append(row)
    cols = ["feature", "kind", "levels", "min", "max", "data_min", "data_max", "step"]
    return pd.DataFrame(rows, columns=cols + ["missing", "actionable"])


def _nice_step(x: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``x``."""
    if not x > 0:
        return 0.1
    p = 10 ** math.floor(math.log10(x))
    for m in (5, 2, 1):
        if m * p <= x:
            return float(m * p)
    return float(p)


# --------------------------------------------------------------------------- linked features
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
    n = _norm(name)
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
    links, _ = _links_and_groups(table, trained, None, threshold)
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
    :class:`_Groups` holds): no sort and no quantile pass over a large group per call."""
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


class _Groups:
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


def _plan_linked(
    current: pd.DataFrame,
    new: Mapping[str, Any],
    explicit: Iterable[str],
    links: pd.DataFrame,
    groups: _Groups,
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


def reference_groups(table: CustomerTable, trained: TrainedModel) -> _Groups:
    """The reference customers of the percentile mapping (the whole table as the model
    reads it): compute once per model and pass as ``groups=`` to :func:`what_if`,
    :func:`suggest` and :func:`segment_scenario` (a million-row table takes a second)."""
    from churn.model import feature_frame

    return _Groups(feature_frame(table.frame, trained.features, trained.categorical))


def _links_and_groups(
    table: CustomerTable,
    trained: TrainedModel,
    links: pd.DataFrame | None,
    threshold: float = LINK_THRESHOLD,
    groups: _Groups | None = None,
) -> tuple[pd.DataFrame, _Groups]:
    """:func:`linked_features` (unless given) and the reference groups (the whole table)."""
    from churn.model import feature_frame

    if links is not None and groups is not None:
        return links, groups
    X = feature_frame(table.frame, trained.features, trained.categorical)
    if links is None:
        cats = [c for c in trained.features if c in trained.categorical]
        nums = [c for c in trained.features if c not in trained.categorical and not is_history(c)]
        links = find_links(X, cats, nums, threshold)
    return links, groups if groups is not None else _Groups(X)


def _integer_features(specs: Mapping[str, Mapping[str, Any]] | None) -> set[str]:
    return {f for f, s in (specs or {}).items() if s["kind"] == "integer"}


def _set_linked(rows: pd.DataFrame, plan: Mapping[str, tuple[np.ndarray, list[str]]]) -> None:
    """Write the moved values of :func:`_plan_linked` into ``rows`` (in place)."""
    for f, (moved, _) in plan.items():
        col = pd.to_numeric(rows[f], errors="coerce").astype(float).to_numpy().copy()
        m = ~np.isnan(moved)
        col[m] = moved[m]
        rows[f] = pd.Series(col, index=rows.index, dtype=float)


def _linked_list(
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
                "before": _shown(current[f].iloc[0]),
                "after": _shown(float(moved[0])),
                "linked_to": list(used),
                "eta_sq": round(float(eta.max()), 4),
            }
        )
    return out


# --------------------------------------------------------------------------- editing
def _coerce(col: str, value: Any, spec: Mapping[str, Any] | None) -> Any:
    """``value`` as the model will read it, or ChurnDataError naming column and value."""
    if spec is None:
        return value
    if spec["kind"] == "categorical":
        text = _text(value)
        levels = list(spec["levels"])
        if text is np.nan or (isinstance(text, float) and math.isnan(text)):
            return np.nan
        if text not in levels:
            shown = ", ".join(f"'{v}'" for v in levels[:15])
            raise ChurnDataError(
                msg(
                    "value '{value}' is not one of the values seen in column '{column}' "
                    "({values}).",
                    value=value,
                    column=col,
                    values=shown,
                ),
                fix=msg("choose a value that occurs in the data."),
                column=col,
            )
        return text
    try:
        num = float(value)
    except (TypeError, ValueError):
        raise ChurnDataError(
            msg("value '{value}' for column '{column}' is not a number.", value=value, column=col),
            fix=msg("give a number."),
            column=col,
        ) from None
    if math.isnan(num):
        return np.nan
    if spec["kind"] == "integer" and not float(num).is_integer():
        raise ChurnDataError(
            msg(
                "value '{value}' for column '{column}' must be a whole number.",
                value=value,
                column=col,
            ),
            fix=msg("give a whole number."),
            column=col,
        )
    lo, hi = spec["data_min"], spec["data_max"]
    if not (math.isnan(lo) or lo <= num <= hi):
        raise ChurnDataError(
            msg(
                "value '{value}' for column '{column}' is outside the values seen "
                "({low} to {high}).",
                value=value,
                column=col,
                low=_num(lo),
                high=_num(hi),
            ),
            fix=msg("choose a value within the range of the data."),
            column=col,
        )
    return num


def _num(x: float) -> str:
    return f"{x:g}"


def _specs(space: pd.DataFrame | None) -> dict[str, dict[str, Any]] | None:
    if space is None:
        return None
    return {r["feature"]: r for r in space.to_dict("records")}


def apply_changes(
    frame_rows: pd.DataFrame,
    changes: Mapping[str, Any],
    space: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A copy of ``frame_rows`` with every column in ``changes`` set to its new value.

    Parameters
    ----------
    frame_rows : rows of a customer table's frame (not modified).
    changes : column -> new value.
    space : :func:`feature_space` of the model; when given, a column that is not a model
        feature, a category not seen in the data, a non-number for a number, a fraction
        for a whole-number column or a number outside the data's range is refused.

    Returns
    -------
    pd.DataFrame

    Raises
    ------
    ChurnDataError
        Naming the column and the value.
    """
    specs = _specs(space)
    out = frame_rows.copy()
    for col, value in changes.items():
        if col not in frame_rows.columns or (specs is not None and col not in specs):
            known = list(specs) if specs is not None else list(frame_rows.columns)
            raise ChurnDataError(
                msg(
                    "cannot set column '{column}' to '{value}': it is not a model feature "
                    "(features: {features}).",
                    column=col,
                    value=value,
                    features=", ".join(map(str, known[:20])),
                ),
                fix=msg("use one of the model's feature columns."),
                column=col,
            )
        new = _coerce(col, value, specs.get(col) if specs else None)
        if specs is not None and specs[col]["kind"] == "categorical":
            out[col] = pd.Series([new] * len(out), index=out.index, dtype=object)
        elif specs is not None:
            out[col] = pd.Series(float(new), index=out.index, dtype=float)
        else:
            out[col] = pd.Series([new] * len(out), index=out.index)
    return out


def customer_positions(frame: pd.DataFrame, customer_id: Any) -> np.ndarray:
    """Row positions whose customer id reads as ``customer_id`` (text ids are compared
    without converting a million ids to text first)."""
    ids = frame[ID]
    key = str(customer_id)
    if ids.dtype == object or pd.api.types.is_string_dtype(ids):
        hit = ids.to_numpy(dtype=object) == key
        if hit.any():
            return np.flatnonzero(hit)
    return np.flatnonzero((ids.astype(str) == key).to_numpy())


def _customer_rows(table: CustomerTable, customer_id: Any) -> pd.DataFrame:
    frame = table.frame
    rows = frame.iloc[customer_positions(frame, customer_id)[:1]]
    if rows.empty:
        raise ChurnDataError(
            msg("customer '{customer}' is not in the table.", customer=customer_id),
            fix=msg("give an id from the customer id column."),
            column=table.roles.id,
        )
    return rows.iloc[:1]


def _shown(v: Any) -> Any:
    """A value for JSON and tables: NaN -> None, numpy scalars -> Python."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if v.is_integer():
            return int(v)
    return v


def _current(X: pd.DataFrame, col: str) -> Any:
    return _shown(X[col].iloc[0])


@dataclass(frozen=True)
class WhatIfResult:
    """One customer before and after a set of changes.

    Attributes
    ----------
    customer : the customer id.
    before, after : churn risk (probability 0..1) with the real and the changed values.
    delta : ``after - before`` (probability; times 100 = percentage points).
    changes : ``[{column, before, after}]`` for every column whose value changed.
    moved : how each feature's contribution moved (``feature``, ``before``, ``after``,
        ``change``; probability units) when :mod:`churn.explain` is available, else None.
    reasons_before, reasons_after : :func:`churn.explain.reasons` frames, or None.
    linked_changes : linked numeric features moved along with a changed category
        (``[{column, before, after, linked_to, eta_sq}]``, see :func:`what_if`); ``after``
        already includes them. Empty when the option is off or nothing is linked.
    move_linked : whether linked features were allowed to move.
    """

    customer: str
    before: float
    after: float
    delta: float
    changes: list[dict[str, Any]]
    moved: pd.DataFrame | None = field(default=None, repr=False)
    reasons_before: pd.DataFrame | None = field(default=None, repr=False)
    reasons_after: pd.DataFrame | None = field(default=None, repr=False)
    linked_changes: list[dict[str, Any]] = field(default_factory=list)
    move_linked: bool = True

    def to_dict(self) -> dict[str, Any]:
        """``{customer, before, after, delta, changes, move_linked, linked_changes}`` (what
        the CLI prints)."""
        return {
            "customer": self.customer,
            "before": self.before,
            "after": self.after,
            "delta": self.delta,
            "changes": self.changes,
            "move_linked": self.move_linked,
            "linked_changes": self.linked_changes,
        }


def what_if(
    trained: TrainedModel,
    table: CustomerTable,
    customer_id: Any,
    changes: Mapping[str, Any],
    *,
    space: pd.DataFrame | None = None,
    explain: bool = False,
    lang: str = "en",
    explainer: Any = None,
    move_linked: bool = True,
    links: pd.DataFrame | None = None,
    groups: _Groups | None = None,
    reference: Any = None,
) -> WhatIfResult:
    """Risk of one customer before and after changing some of their features.

    Linked features: some numbers only make sense together with a category (days to
    renewal run 1..31 for a monthly contract and 1..365 for an annual one; the fee follows
    the plan). Changing the category alone would describe a customer nobody has (an annual
    contract renewing in 12 days). With ``move_linked`` (the default) every numeric feature
    linked to a changed category (:func:`linked_features`: eta squared >=
    :data:`LINK_THRESHOLD`) and not set explicitly in ``changes`` moves to the value at the
    same within-group percentile among customers with the new level
    (:func:`map_percentile`; whole numbers stay whole). The moves are listed in
    ``linked_changes``; an explicit value in ``changes`` always wins.

    Parameters
    ----------
    trained : the trained model.
    table : the customer table the customer is in.
    customer_id : the customer's id (as text or as in the table).
    changes : column -> new value (validated against :func:`feature_space`).
    space : a precomputed :func:`feature_space` (computed when omitted).
    explain : also compute how the reasons moved (needs :mod:`churn.explain`).
    lang : language of the reason texts.
    explainer : a :func:`churn.explain.make_explainer` result to reuse (built when None,
        with the table as background for a linear model).
    move_linked : move linked numeric features along with a changed category.
    links : a precomputed :func:`linked_features` (computed when omitted).
    groups : a precomputed :func:`reference_groups` (computed when needed and omitted).
    reference : a :func:`churn.explain.make_reference` result for the reason texts.

    Returns
    -------
    WhatIfResult
    """
    from churn.model import feature_frame, score

    space = feature_space(table, trained) if space is None else space
    row = _customer_rows(table, customer_id)
    changed = apply_changes(row, changes, space)
    linked: list[dict[str, Any]] = []
    if move_linked and any(c in trained.categorical for c in changes):
        links, groups = _links_and_groups(table, trained, links, groups=groups)
        X0 = feature_frame(row, trained.features, trained.categorical)
        X1 = feature_frame(changed, trained.features, trained.categorical)
        new = {c: X1[c].iloc[0] for c in changes if c in trained.categorical}
        plan = _plan_linked(X0, new, changes, links, groups, _integer_features(_specs(space)))
        _set_linked(changed, plan)
        linked = _linked_list(X0, plan, links)
    both = pd.concat([row, changed], ignore_index=True)
    risk = score(trained, both).to_numpy()
    X = feature_frame(both, trained.features, trained.categorical)
    listed = []
    for col in changes:
        a, b = _shown(X[col].iloc[0]), _shown(X[col].iloc[1])
        if not (a == b or (a is None and b is None)):
            listed.append({"column": col, "before": a, "after": b})
    moved = rb = ra = None
    if explain:
        moved, rb, ra = _reasons_moved(trained, table, both, lang, explainer, reference)
    before, after = float(risk[0]), float(risk[1])
    return WhatIfResult(
        customer=str(row[ID].iloc[0]),
        before=before,
        after=after,
        delta=after - before,
        changes=listed,
        moved=moved,
        reasons_before=rb,
        reasons_after=ra,
        linked_changes=linked,
        move_linked=bool(move_linked),
    )


def _reasons_moved(trained, table, both: pd.DataFrame, lang: str, explainer=None, reference=None):
    """(moved, reasons before, reasons after) from churn.explain, or Nones without it."""
    try:
        from churn import explain as E
    except ImportError:
        return None, None, None
    if explainer is None:
        explainer = E.make_explainer(trained, table.frame)
    ex = E.explain(trained, both.reset_index(drop=True), explainer=explainer)
    contrib = ex.contributions
    moved = pd.DataFrame(
        {
            "feature": [str(c) for c in contrib.columns],
            "before": contrib.iloc[0].to_numpy(dtype=float),
            "after": contrib.iloc[1].to_numpy(dtype=float),
        }
    )
    moved["change"] = moved["after"] - moved["before"]
    moved = moved.reindex(moved["change"].abs().sort_values(ascending=False).index)
    moved = moved.reset_index(drop=True)
    rb = ra = None
    try:
        rs = E.reasons(ex, table, top=3, lang=lang, reference=reference)
        rb = rs[rs["row"] == 0].reset_index(drop=True)
        ra = rs[rs["row"] == 1].reset_index(drop=True)
    except (KeyError, ValueError, TypeError, AttributeError):
        # the reason texts are a bonus; the contributions above already tell the story
        rb = ra = None
    return moved, rb, ra


# --------------------------------------------------------------------------- suggestions
@dataclass(frozen=True)
class Suggestions:
    """The smallest changes that bring one customer's risk below a target.

    Attributes
    ----------
    customer, before, target : the customer, their risk now and the target (0..1).
    reached : whether at least one option brings the risk below the target.
    best_risk : the lowest risk any searched option gives.
    options : ``option`` (1..n), ``n_changes``, ``changes`` (list of
        ``{column, before, after}``), ``distance`` (sum over the changes of the
        normalised size: 1 for a category, |new - old| / (99th - 1st percentile) for a
        number), ``risk``, ``delta``, ``linked`` (the linked features moved with the
        changes, as in :attr:`WhatIfResult.linked_changes`; they count neither as changes
        nor in the distance); fewest changes first, then smallest distance, then lowest
        risk. When not reached: the options with the lowest risk.
    searched : number of candidate rows scored.
    message : one English sentence (the UI writes its own from the fields).
    """

    customer: str
    before: float
    target: float
    reached: bool
    best_risk: float
    options: pd.DataFrame = field(repr=False)
    searched: int
    message: str


def _candidates(space_row: Mapping[str, Any], current: Any) -> list[tuple[Any, float]]:
    """(value, normalised distance) for every seen value other than the current one."""
    out = []
    if space_row["kind"] == "categorical":
        for lv in space_row["levels"]:
            if lv != current:
                out.append((lv, 1.0))
        return out
    span = space_row["max"] - space_row["min"]
    span = span if span > 0 else 1.0
    for lv in space_row["levels"]:
        if current is None:
            out.append((lv, 1.0))
        elif lv != current:
            out.append((lv, abs(lv - float(current)) / span))
    return out


def suggest(
    trained: TrainedModel,
    table: CustomerTable,
    customer_id: Any,
    target: float = 0.3,
    actionable: Iterable[str] | None = None,
    max_changes: int = 2,
    n: int = 3,
    *,
    space: pd.DataFrame | None = None,
    move_linked: bool = True,
    links: pd.DataFrame | None = None,
    groups: _Groups | None = None,
) -> Suggestions:
    """Search the smallest changes to actionable features that bring risk below ``target``.

    Single changes to every seen value of every actionable feature are scored first, then
    pairs of changes on two features (the best :data:`PAIR_VALUES_PER_FEATURE` values of
    each), all in one prediction call per step. Options are ranked by the number of
    changes, then the normalised size of the change, then the resulting risk; each option
    uses a different set of features (the smallest change per set is kept).

    Parameters
    ----------
    trained, table, customer_id : the model, the table and the customer.
    target : the risk to get under (probability 0..1; strictly below).
    actionable : features that may change (default: those :func:`feature_space` marks).
    max_changes : 1 or 2 features changed at once.
    n : options to return.
    space : a precomputed :func:`feature_space`.
    move_linked, links, groups : as in :func:`what_if`: a changed category moves its
        linked numeric features, so each option's risk is what :func:`what_if` gives for it.

    Returns
    -------
    Suggestions
    """
    from churn.model import feature_frame, score

    space = feature_space(table, trained) if space is None else space
    specs = _specs(space) or {}
    if actionable is None:
        actionable = [f for f, s in specs.items() if s["actionable"]]
    acts = [c for c in actionable if c in specs]
    unknown = [c for c in actionable if c not in specs]
    if unknown:
        raise ChurnDataError(
            msg("'{column}' is not a model feature, so it cannot be changed.", column=unknown[0]),
            fix=msg("mark only model features as actionable."),
            column=unknown[0],
        )
    row = _customer_rows(table, customer_id)
    cust = str(row[ID].iloc[0])
    X0 = feature_frame(row, trained.features, trained.categorical)
    before = float(score(trained, row).iloc[0])
    cols = ["option", "n_changes", "changes", "distance", "risk", "delta", "linked"]
    linker = _linker(trained, table, X0, specs, links, groups) if move_linked else None
    if before < target:
        return Suggestions(
            cust, before, target, True, before, pd.DataFrame(columns=cols), 0,
            msg(
                "risk {before:.1%} is already below the target {target:.1%}.",
                before=before,
                target=target,
            ),
        )  # fmt: skip
    singles: list[tuple[tuple[tuple[str, Any], ...], float]] = []
    for c in acts:
        cur = _current(X0, c)
        for v, d in _candidates(specs[c], cur):
            singles.append((((c, v),), d))
    combos = list(singles)
    risks = _score_combos(trained, row, singles, specs, linker) if singles else np.array([])
    searched = len(singles)
    if max_changes >= 2 and len(acts) >= 2 and singles:
        # the best values of each feature alone, then every pair across two features
        best: dict[str, list[tuple[Any, float, float]]] = {}
        for (ch, d), r in zip(singles, risks, strict=True):
            best.setdefault(ch[0][0], []).append((ch[0][1], d, float(r)))
        for c in best:
            best[c] = sorted(best[c], key=lambda x: x[2])[:PAIR_VALUES_PER_FEATURE]
        pairs = []
        for a, b in itertools.combinations(best, 2):
            for (va, da, _), (vb, db, _) in itertools.product(best[a], best[b]):
                pairs.append((((a, va), (b, vb)), da + db))
        if pairs:
            risks = np.concatenate([risks, _score_combos(trained, row, pairs, specs, linker)])
            combos += pairs
            searched += len(pairs)
    if not combos:
        return Suggestions(
            cust, before, target, False, before, pd.DataFrame(columns=cols), 0,
            msg("no actionable feature can change for this customer."),
        )  # fmt: skip
    cand = pd.DataFrame(
        {
            "combo": [c for c, _ in combos],
            "n_changes": [len(c) for c, _ in combos],
            "distance": [d for _, d in combos],
            "risk": risks,
        }
    )
    cand["features"] = cand["combo"].map(lambda ch: tuple(sorted(c for c, _ in ch)))
    best_risk = float(cand["risk"].min())
    reached = best_risk < target
    if reached:
        ok = cand[cand["risk"] < target]
        ok = ok.sort_values(["n_changes", "distance", "risk"], kind="mergesort")
        # a pair only counts when neither of its features alone already reaches the target
        done: set[str] = set()
        keep = []
        for i, r in ok.iterrows():
            if r["n_changes"] > 1 and any(f in done for f in r["features"]):
                continue
            if r["n_changes"] == 1:
                done.add(r["features"][0])
            keep.append(i)
        ok = ok.loc[keep]
    else:
        ok = cand.sort_values(["risk", "n_changes", "distance"], kind="mergesort")
    ok = ok.drop_duplicates("features").head(n)
    out = pd.DataFrame(
        {
            "option": range(1, len(ok) + 1),
            "n_changes": ok["n_changes"].to_numpy(),
            "changes": [
                [{"column": c, "before": _current(X0, c), "after": _shown(v)} for c, v in ch]
                for ch in ok["combo"]
            ],
            "distance": ok["distance"].to_numpy(dtype=float),
            "risk": ok["risk"].to_numpy(dtype=float),
        }
    )
    out["delta"] = out["risk"] - before
    out["linked"] = [linker(ch) if linker else [] for ch in ok["combo"]]
    if reached:
        message = msg(
            "{n} way(s) to bring the risk from {before:.1%} below {target:.1%}.",
            n=len(out),
            before=before,
            target=target,
        )
    else:
        message = msg(
            "no change of up to {max_changes} actionable feature(s) brings the risk below "
            "{target:.1%}; the lowest reachable is {best:.1%} (now {before:.1%}).",
            max_changes=max_changes,
            target=target,
            best=best_risk,
            before=before,
        )
    return Suggestions(cust, before, target, reached, best_risk, out, searched, message)


def _linker(trained, table, X0: pd.DataFrame, specs, links, groups=None):
    """combination of changes -> the linked moves :func:`what_if` would make (cached), or
    None when the model has no categorical feature."""
    if not trained.categorical:
        return None
    links, groups = _links_and_groups(table, trained, links, groups=groups)
    ints = _integer_features(specs)
    linked_feats = set(links["feature"])
    cache: dict[tuple, list[dict[str, Any]]] = {}

    def moves(ch) -> list[dict[str, Any]]:
        new = tuple(sorted((c, v) for c, v in ch if c in trained.categorical))
        if not new:
            return []
        key = (new, tuple(sorted(c for c, _ in ch if c in linked_feats)))
        if key not in cache:
            plan = _plan_linked(X0, dict(new), [c for c, _ in ch], links, groups, ints)
            cache[key] = _linked_list(X0, plan, links)
        return cache[key]

    return moves


def _score_combos(trained, row: pd.DataFrame, combos, specs, linker=None) -> np.ndarray:
    """Risk of every combination of changes (with their linked moves), in one call."""
    from churn.model import score

    if linker is not None:
        combos = [
            (tuple(ch) + tuple((m["column"], m["after"]) for m in linker(ch)), d)
            for ch, d in combos
        ]
    # one row repeated (a single take, not hundreds of one-row frames concatenated), then
    # each changed column written once from an array
    rep = row.iloc[np.zeros(len(combos), dtype=np.intp)].reset_index(drop=True)
    arrays: dict[str, np.ndarray] = {}
    for col in {c for ch, _ in combos for c, _ in ch}:
        if specs[col]["kind"] == "categorical":
            arrays[col] = rep[col].astype(object).to_numpy(copy=True)
        else:
            arrays[col] = pd.to_numeric(rep[col], errors="coerce").astype(float).to_numpy(copy=True)
    for i, (ch, _) in enumerate(combos):
        for c, v in ch:
            arrays[c][i] = np.nan if v is None and arrays[c].dtype.kind == "f" else v
    for col, values in arrays.items():
        rep[col] = values
    return score(trained, rep).to_numpy()


# --------------------------------------------------------------------------- scenarios
@dataclass(frozen=True)
class Scenario:
    """A named what-if for one customer, as saved by the page.

    ``linked`` holds the linked features that moved with the changes (column -> new value;
    empty when none moved or the option was off); ``after`` includes them.
    """

    name: str
    customer: str
    changes: dict[str, Any]
    before: float
    after: float
    linked: dict[str, Any] = field(default_factory=dict)

    @property
    def delta(self) -> float:
        return self.after - self.before

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Scenario:
        return cls(
            str(d["name"]),
            str(d["customer"]),
            dict(d["changes"]),
            float(d["before"]),
            float(d["after"]),
            dict(d.get("linked") or {}),
        )

    @classmethod
    def from_result(cls, name: str, result: WhatIfResult) -> Scenario:
        """A scenario from a :class:`WhatIfResult` (only the columns that changed)."""
        changes = {c["column"]: c["after"] for c in result.changes}
        linked = {c["column"]: c["after"] for c in result.linked_changes}
        return cls(name, result.customer, changes, result.before, result.after, linked)


def compare_scenarios(scenarios: Sequence[Scenario | Mapping[str, Any]]) -> pd.DataFrame:
    """Saved scenarios side by side, one row each.

    Returns
    -------
    pd.DataFrame
        ``scenario``, ``customer``, ``before``, ``after``, ``delta``, ``n_changes``, then
        one column per feature changed in any scenario holding its new value (empty
        where that scenario leaves it alone). When some scenario moved linked features,
        those features get a column too (after the changed ones) and a last column
        ``linked`` names the features each scenario moved that way (``n_changes`` counts
        only the changes made by hand).
    """
    items = [s if isinstance(s, Scenario) else Scenario.from_dict(s) for s in scenarios]
    changed = list(dict.fromkeys(c for s in items for c in s.changes))
    moved = [c for c in dict.fromkeys(c for s in items for c in s.linked) if c not in changed]
    rows = []
    for s in items:
        row = {
            "scenario": s.name,
            "customer": s.customer,
            "before": s.before,
            "after": s.after,
            "delta": s.delta,
            "n_changes": len(s.changes),
        }
        row.update({c: s.changes[c] if c in s.changes else s.linked.get(c) for c in changed})
        row.update({c: s.linked.get(c) for c in moved})
        if any(x.linked for x in items):
            row["linked"] = ", ".join(map(str, s.linked))
        rows.append(row)
    base = ["scenario", "customer", "before", "after", "delta", "n_changes"]
    extra = ["linked"] if any(x.linked for x in items) else []
    return pd.DataFrame(rows, columns=base + changed + moved + extra)


# --------------------------------------------------------------------------- segments
@dataclass(frozen=True)
class Intervention:
    """What a campaign changes: ``set`` a column to a value, ``scale`` or ``cap`` a number."""

    kind: Literal["set", "scale", "cap"]
    column: str
    value: Any

    def describe(self) -> str:
        if self.kind == "set":
            return msg("set {column} to {value}", column=self.column, value=self.value)
        if self.kind == "scale":
            return msg(
                "multiply {column} by {value:g}", column=self.column, value=float(self.value)
            )
        return msg("cap {column} at {value:g}", column=self.column, value=float(self.value))


@dataclass(frozen=True)
class SegmentResult:
    """A campaign on a segment, in expected customers and money.

    ``per_customer`` has one row per targeted (not churned) customer: ``customer_id``,
    ``contacted`` (the intervention changes them), ``risk_before``, ``risk_if_accepted``,
    ``risk_expected``, ``kept`` (= before - expected), ``monthly_value``,
    ``revenue_kept`` (= kept * monthly value * horizon months) and ``cost``; every total
    is the sum of that column. A linked feature moved with the change adds a column
    ``linked_<feature>``: the value the model used for that customer (empty where it did
    not move).

    ``linked_changes`` summarises those moves, one dict per feature: ``column``,
    ``linked_to``, ``eta_sq``, ``n_moved``, ``mean_before`` / ``mean_after`` (over the
    customers moved), ``min_after`` / ``max_after``. ``rounding`` is set when a scaled
    whole-number column was rounded: ``column``, ``exact_total`` (the unrounded scaled
    sum over the targeted customers) and ``rounded_total``.
    """

    intervention: Intervention
    per_customer: pd.DataFrame = field(repr=False)
    n_selected: int
    n_targeted: int
    n_contacted: int
    churners_before: float
    churners_after: float
    customers_kept: float
    revenue_kept: float
    campaign_cost: float
    net: float
    roi: float
    acceptance: float
    cost_per_customer: float
    horizon_months: int
    assumptions: list[str]
    linked_changes: list[dict[str, Any]] = field(default_factory=list)
    move_linked: bool = True
    rounding: dict[str, Any] | None = None

    def totals(self) -> dict[str, Any]:
        keys = (
            "n_selected",
            "n_targeted",
            "n_contacted",
            "churners_before",
            "churners_after",
            "customers_kept",
            "revenue_kept",
            "campaign_cost",
            "net",
            "roi",
        )
        return {k: getattr(self, k) for k in keys}


def segment_ids(
    table: CustomerTable,
    *,
    column: str | None = None,
    values: Iterable[Any] | None = None,
    risk: pd.Series | None = None,
    top_n: int | None = None,
) -> list[str]:
    """Ids of not-churned customers in a segment: ``column`` in ``values``, and/or the
    ``top_n`` highest ``risk`` (a Series indexed by customer_id)."""
    frame = table.frame
    mask = frame[STATUS].isin(("active", "too_new"))
    if column is not None:
        if column not in frame.columns:
            raise ChurnDataError(msg("this column is not in the table."), column=column)
        wanted = {_text(v) for v in (values or ())}
        mask &= frame[column].map(_text).isin(wanted)
    ids = frame.loc[mask, ID].astype(str)
    if top_n is not None and risk is not None:
        r = risk.reindex(ids.to_numpy()).sort_values(ascending=False, kind="mergesort")
        return [str(i) for i in r.index[: int(top_n)]]
    return ids.tolist()


def segment_scenario(
    trained: TrainedModel,
    table: CustomerTable,
    rows: pd.Series | Iterable[Any],
    intervention: Intervention,
    *,
    cost_per_customer: float,
    acceptance: float,
    value_col: str | None = None,
    value: float | None = None,
    horizon_months: int = 12,
    space: pd.DataFrame | None = None,
    move_linked: bool = True,
    links: pd.DataFrame | None = None,
    groups: _Groups | None = None,
) -> SegmentResult:
    """Expected churners, customers kept, revenue kept and return of a campaign.

    An offer that sets a category moves the category's linked numeric features for every
    customer it changes, as :func:`what_if` does (each customer keeps their percentile
    within their current group); ``move_linked=False`` keeps them. Scaling a column that
    holds only whole numbers (a count) gives whole numbers again: see
    :func:`round_keeping_total`. Capping such a column caps at the whole number below.

    Parameters
    ----------
    trained, table : the model and the customer table.
    rows : a boolean mask aligned with ``table.frame`` or an iterable of customer ids.
        Churned customers in it are dropped: only customers still here can be kept.
    intervention : the change the campaign offers.
    cost_per_customer : cost of contacting one customer the offer changes.
    acceptance : share (0..1) of contacted customers who accept.
    value_col : a column with monthly revenue per customer (default the table's
        ``value`` column when ``value`` is not given).
    value : a constant monthly revenue per customer instead of a column.
    horizon_months : months of revenue counted for a kept customer (12 = a year).
    space : a precomputed :func:`feature_space`.
    move_linked : move linked numeric features along with a changed category.
    links : a precomputed :func:`linked_features`.
    groups : a precomputed :func:`reference_groups`.

    Returns
    -------
    SegmentResult
    """
    from churn.model import feature_frame, score

    if not 0 <= acceptance <= 1:
        raise ChurnDataError(
            msg("the acceptance share must be between 0 and 1."), fix=msg("use 0..1.")
        )
    if cost_per_customer < 0:
        raise ChurnDataError(msg("the cost per customer cannot be negative."))
    space = feature_space(table, trained) if space is None else space
    specs = _specs(space) or {}
    col = intervention.column
    if col not in specs:
        raise ChurnDataError(
            msg("cannot change '{column}': it is not a model feature.", column=col),
            fix=msg("choose one of the model's features."),
            column=col,
        )
    frame = table.frame
    if isinstance(rows, pd.Series) and rows.dtype == bool:
        sel = rows.reindex(frame.index, fill_value=False).to_numpy()
    else:
        wanted = {str(i) for i in rows}
        sel = frame[ID].astype(str).isin(wanted).to_numpy()
    n_selected = int(sel.sum())
    target = frame[sel & frame[STATUS].isin(("active", "too_new")).to_numpy()]
    changed = _intervene(target, intervention, specs)
    categorical = specs[col]["kind"] == "categorical"
    rounding = None
    if intervention.kind == "scale" and specs[col]["kind"] == "integer":
        # who the offer applies to follows the exact scaled value, not its rounding
        exact = _intervene(target, intervention, specs, whole=False)
        rounding = {
            "column": col,
            "exact_total": float(np.nansum(exact[col].to_numpy(dtype=float))),
            "rounded_total": float(np.nansum(changed[col].to_numpy(dtype=float))),
        }
    else:
        exact = changed
    X0 = feature_frame(target, [col], [col] if categorical else [])
    X1 = feature_frame(exact, [col], [col] if categorical else [])
    a, b = X0[col], X1[col]
    contacted = ~((a == b) | (a.isna() & b.isna())).to_numpy()
    linked: list[dict[str, Any]] = []
    plan: dict[str, tuple[np.ndarray, list[str]]] = {}
    if move_linked and categorical and intervention.kind == "set" and len(target):
        links, groups = _links_and_groups(table, trained, links, groups=groups)
        XA = feature_frame(target, trained.features, trained.categorical)
        plan = _plan_linked(
            XA, {col: X1[col].iloc[0]}, [col], links, groups, _integer_features(specs)
        )
        _set_linked(changed, plan)
        for f, (moved, used) in plan.items():
            m = ~np.isnan(moved)
            eta = links[(links["feature"] == f) & links["category"].isin(used)]["eta_sq"]
            linked.append(
                {
                    "column": f,
                    "linked_to": list(used),
                    "eta_sq": round(float(eta.max()), 4),
                    "n_moved": int(m.sum()),
                    "mean_before": float(XA[f].to_numpy(dtype=float)[m].mean()),
                    "mean_after": float(moved[m].mean()),
                    "min_after": _shown(float(moved[m].min())),
                    "max_after": _shown(float(moved[m].max())),
                }
            )
    before = score(trained, target).to_numpy()
    after = score(trained, changed).to_numpy()
    # a customer the offer does not change is not contacted and keeps their risk
    after = np.where(contacted, after, before)
    expected = acceptance * after + (1 - acceptance) * before
    if value is not None:
        monthly = np.full(len(target), float(value))
        value_words = msg(
            "every customer brings {value:,.2f} a month (a constant)", value=float(value)
        )
    else:
        vcol = value_col or "value"
        if vcol not in frame.columns:
            raise ChurnDataError(
                msg("there is no value column for revenue."),
                fix=msg("give a constant monthly value instead."),
                column=vcol,
            )
        monthly = pd.to_numeric(target[vcol], errors="coerce").to_numpy(dtype=float)
        value_words = msg("column '{column}' is each customer's monthly revenue", column=vcol)
    unknown = int(np.isnan(monthly).sum())
    monthly = np.nan_to_num(monthly, nan=0.0)
    kept = before - expected
    per = pd.DataFrame(
        {
            ID: target[ID].astype(str).to_numpy(),
            "contacted": contacted,
            "risk_before": before,
            "risk_if_accepted": after,
            "risk_expected": expected,
            "kept": kept,
            "monthly_value": monthly,
            "revenue_kept": kept * monthly * horizon_months,
            "cost": np.where(contacted, float(cost_per_customer), 0.0),
        }
    )
    for f, (moved, _) in plan.items():
        per[f"linked_{f}"] = moved
    cost = float(per["cost"].sum())
    revenue = float(per["revenue_kept"].sum())
    n_targeted = len(per)
    assumptions = [
        msg("The campaign offers: {offer}.", offer=intervention.describe()),
        msg(
            "Only customers who have not churned are targeted: {n:,} of the {selected:,} selected.",
            n=n_targeted,
            selected=n_selected,
        ),
        msg(
            "Customers the offer does not change are not contacted and cost nothing: "
            "{n:,} are contacted.",
            n=int(contacted.sum()),
        ),
        msg(
            "{acceptance:.0%} of contacted customers accept; their risk becomes the model's risk "
            "with the change, the others keep their current risk.",
            acceptance=acceptance,
        ),
        msg(
            "Expected churners are the sum of the model's risks; the model's risk is read as "
            "the chance of leaving, and the change is assumed to cause the drop it predicts."
        ),
        msg(
            "Revenue kept = (risk before - expected risk after) x monthly revenue x "
            "{months} months, summed over customers; {value_words}.",
            months=horizon_months,
            value_words=value_words,
        ),
        msg(
            "Each contacted customer costs {cost:,.2f}; return = (revenue kept - cost) / cost.",
            cost=float(cost_per_customer),
        ),
    ]
    if unknown:
        assumptions.append(msg("{n:,} customers have no known value and count as 0.", n=unknown))
    if rounding is not None:
        assumptions.append(
            msg(
                "'{column}' holds whole numbers, so each scaled value is rounded down or up to a "
                "neighbouring whole number (the largest fractions up), which keeps the segment's "
                "total close to the exact scaled total ({exact:,.1f} -> {rounded:,.0f}).",
                column=col,
                exact=rounding["exact_total"],
                rounded=rounding["rounded_total"],
            )
        )
    elif intervention.kind == "scale":
        assumptions.append(msg("Scaled numbers are not rounded (an average effect)."))
    for lk in linked:
        assumptions.append(
            msg(
                "'{column}' goes with '{categories}' in the data "
                "(eta squared {eta_sq:.2f}), so it moves with the change for "
                "{n:,} customers, each keeping their place (percentile) within their "
                "group: average {before:,.1f} -> {after:,.1f}.",
                column=lk["column"],
                categories=", ".join(lk["linked_to"]),
                eta_sq=lk["eta_sq"],
                n=lk["n_moved"],
                before=lk["mean_before"],
                after=lk["mean_after"],
            )
        )
    return SegmentResult(
        intervention=intervention,
        per_customer=per,
        n_selected=n_selected,
        n_targeted=n_targeted,
        n_contacted=int(contacted.sum()),
        churners_before=float(per["risk_before"].sum()),
        churners_after=float(per["risk_expected"].sum()),
        customers_kept=float(per["kept"].sum()),
        revenue_kept=revenue,
        campaign_cost=cost,
        net=revenue - cost,
        roi=(revenue - cost) / cost if cost > 0 else float("nan"),
        acceptance=float(acceptance),
        cost_per_customer=float(cost_per_customer),
        horizon_months=int(horizon_months),
        assumptions=assumptions,
        linked_changes=linked,
        move_linked=bool(move_linked),
        rounding=rounding,
    )


def round_keeping_total(x: Sequence[float] | np.ndarray) -> np.ndarray:
    """Whole numbers close to ``x`` whose sum stays close to ``sum(x)``.

    Largest remainders: every value is rounded down, then the ``round(sum of the
    fractions)`` values with the largest fractions (ties: the earlier row) go up by one. So
    each result is the whole number just below or just above its value, and the total
    differs from the exact total by at most 0.5 (rounding each value on its own can be off
    by up to half the number of values: 0.5 tickets for 1,000 customers with one ticket each
    cut by half would give 1,000 or 0, not 500). Missing values stay missing.
    """
    v = np.asarray(x, dtype=float)
    out = v.copy()
    ok = ~np.isnan(v)
    if not ok.any():
        return out
    vals = v[ok]
    low = np.floor(vals)
    frac = vals - low
    k = int(math.floor(float(frac.sum()) + 0.5))
    up = np.zeros(len(vals), dtype=bool)
    up[np.argsort(-frac, kind="stable")[:k]] = True
    out[ok] = low + up
    return out


def _intervene(
    rows: pd.DataFrame,
    iv: Intervention,
    specs: Mapping[str, Mapping[str, Any]],
    whole: bool = True,
) -> pd.DataFrame:
    """A copy of ``rows`` with the intervention applied.

    With ``whole``, a column that holds only whole numbers stays whole: scaled values go
    through :func:`round_keeping_total`, a cap is the whole number at or below it."""
    spec = specs[iv.column]
    if iv.kind == "set":
        return apply_changes(rows, {iv.column: iv.value}, pd.DataFrame([spec]))
    if iv.kind not in ("scale", "cap"):
        raise ChurnDataError(
            msg("unknown intervention '{kind}'.", kind=iv.kind), fix=msg("use set, scale or cap.")
        )  # fmt: skip
    if spec["kind"] == "categorical":
        raise ChurnDataError(
            msg("cannot scale a category.")
            if iv.kind == "scale"
            else msg("cannot cap a category."),
            fix=msg("use 'set' for a categorical column."),
            column=iv.column,
        )
    try:
        x = float(iv.value)
    except (TypeError, ValueError):
        raise ChurnDataError(
            msg("'{value}' is not a number.", value=iv.value),
            fix=msg("give a number."),
            column=iv.column,
        ) from None
    if x < 0 or math.isnan(x):
        raise ChurnDataError(
            msg("scale needs a number of 0 or more.")
            if iv.kind == "scale"
            else msg("cap needs a number of 0 or more."),
            column=iv.column,
        )
    out = rows.copy()
    num = pd.to_numeric(rows[iv.column], errors="coerce").astype(float)
    whole = whole and spec["kind"] == "integer"
    if iv.kind == "scale":
        scaled = num * x
        out[iv.column] = (
            pd.Series(round_keeping_total(scaled.to_numpy()), index=rows.index) if whole else scaled
        )
    else:
        out[iv.column] = num.clip(upper=math.floor(x) if whole else x)
    return out
