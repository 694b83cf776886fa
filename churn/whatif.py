"""What-if: edit one customer, search for the smallest saving changes, price a campaign.

Everything scores through :func:`churn.model.score` with the trained pipeline, so a
what-if risk is the same number the Model page would give the edited customer. The
choices offered come from the data (:func:`feature_space`): seen levels for categories,
seen values between the 1st and 99th percentile for numbers, so a suggestion never asks
for a value no customer has.

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
                f"value '{value}' is not one of the values seen in column '{col}' ({shown}).",
                fix="choose a value that occurs in the data.",
                column=col,
            )
        return text
    try:
        num = float(value)
    except (TypeError, ValueError):
        raise ChurnDataError(
            f"value '{value}' for column '{col}' is not a number.",
            fix="give a number.",
            column=col,
        ) from None
    if math.isnan(num):
        return np.nan
    if spec["kind"] == "integer" and not float(num).is_integer():
        raise ChurnDataError(
            f"value '{value}' for column '{col}' must be a whole number.",
            fix="give a whole number.",
            column=col,
        )
    lo, hi = spec["data_min"], spec["data_max"]
    if not (math.isnan(lo) or lo <= num <= hi):
        raise ChurnDataError(
            f"value '{value}' for column '{col}' is outside the values seen "
            f"({_num(lo)} to {_num(hi)}).",
            fix="choose a value within the range of the data.",
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
                f"cannot set column '{col}' to '{value}': it is not a model feature "
                f"(features: {', '.join(map(str, known[:20]))}).",
                fix="use one of the model's feature columns.",
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


def _customer_rows(table: CustomerTable, customer_id: Any) -> pd.DataFrame:
    frame = table.frame
    rows = frame[frame[ID].astype(str) == str(customer_id)]
    if rows.empty:
        raise ChurnDataError(
            f"customer '{customer_id}' is not in the table.",
            fix="give an id from the customer id column.",
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
    """

    customer: str
    before: float
    after: float
    delta: float
    changes: list[dict[str, Any]]
    moved: pd.DataFrame | None = field(default=None, repr=False)
    reasons_before: pd.DataFrame | None = field(default=None, repr=False)
    reasons_after: pd.DataFrame | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """``{customer, before, after, delta, changes}`` (what the CLI prints)."""
        return {
            "customer": self.customer,
            "before": self.before,
            "after": self.after,
            "delta": self.delta,
            "changes": self.changes,
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
) -> WhatIfResult:
    """Risk of one customer before and after changing some of their features.

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

    Returns
    -------
    WhatIfResult
    """
    from churn.model import feature_frame, score

    space = feature_space(table, trained) if space is None else space
    row = _customer_rows(table, customer_id)
    changed = apply_changes(row, changes, space)
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
        moved, rb, ra = _reasons_moved(trained, table, both, lang, explainer)
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
    )


def _reasons_moved(trained, table, both: pd.DataFrame, lang: str, explainer=None):
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
        rs = E.reasons(ex, table, top=3, lang=lang)
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
        number), ``risk``, ``delta``; fewest changes first, then smallest distance, then
        lowest risk. When not reached: the options with the lowest risk.
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
            f"'{unknown[0]}' is not a model feature, so it cannot be changed.",
            fix="mark only model features as actionable.",
            column=unknown[0],
        )
    row = _customer_rows(table, customer_id)
    cust = str(row[ID].iloc[0])
    X0 = feature_frame(row, trained.features, trained.categorical)
    before = float(score(trained, row).iloc[0])
    cols = ["option", "n_changes", "changes", "distance", "risk", "delta"]
    if before < target:
        return Suggestions(
            cust, before, target, True, before, pd.DataFrame(columns=cols), 0,
            f"risk {before:.1%} is already below the target {target:.1%}.",
        )  # fmt: skip
    singles: list[tuple[tuple[tuple[str, Any], ...], float]] = []
    for c in acts:
        cur = _current(X0, c)
        for v, d in _candidates(specs[c], cur):
            singles.append((((c, v),), d))
    combos = list(singles)
    risks = _score_combos(trained, row, singles, specs) if singles else np.array([])
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
            risks = np.concatenate([risks, _score_combos(trained, row, pairs, specs)])
            combos += pairs
            searched += len(pairs)
    if not combos:
        return Suggestions(
            cust, before, target, False, before, pd.DataFrame(columns=cols), 0,
            "no actionable feature can change for this customer.",
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
    if reached:
        msg = f"{len(out)} way(s) to bring the risk from {before:.1%} below {target:.1%}."
    else:
        msg = (
            f"no change of up to {max_changes} actionable feature(s) brings the risk below "
            f"{target:.1%}; the lowest reachable is {best_risk:.1%} (now {before:.1%})."
        )
    return Suggestions(cust, before, target, reached, best_risk, out, searched, msg)


def _score_combos(trained, row: pd.DataFrame, combos, specs) -> np.ndarray:
    """Risk of every combination of changes, in one prediction call."""
    from churn.model import score

    rep = pd.concat([row] * len(combos), ignore_index=True)
    for col in {c for ch, _ in combos for c, _ in ch}:
        if specs[col]["kind"] == "categorical":
            rep[col] = rep[col].astype(object)
        else:
            rep[col] = pd.to_numeric(rep[col], errors="coerce").astype(float)
    for i, (ch, _) in enumerate(combos):
        for c, v in ch:
            rep.at[i, c] = v
    return score(trained, rep).to_numpy()


# --------------------------------------------------------------------------- scenarios
@dataclass(frozen=True)
class Scenario:
    """A named what-if for one customer, as saved by the page."""

    name: str
    customer: str
    changes: dict[str, Any]
    before: float
    after: float

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
        )

    @classmethod
    def from_result(cls, name: str, result: WhatIfResult) -> Scenario:
        """A scenario from a :class:`WhatIfResult` (only the columns that changed)."""
        changes = {c["column"]: c["after"] for c in result.changes}
        return cls(name, result.customer, changes, result.before, result.after)


def compare_scenarios(scenarios: Sequence[Scenario | Mapping[str, Any]]) -> pd.DataFrame:
    """Saved scenarios side by side, one row each.

    Returns
    -------
    pd.DataFrame
        ``scenario``, ``customer``, ``before``, ``after``, ``delta``, ``n_changes``, then
        one column per feature changed in any scenario holding its new value (empty
        where that scenario leaves it alone).
    """
    items = [s if isinstance(s, Scenario) else Scenario.from_dict(s) for s in scenarios]
    changed = list(dict.fromkeys(c for s in items for c in s.changes))
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
        row.update({c: s.changes.get(c) for c in changed})
        rows.append(row)
    base = ["scenario", "customer", "before", "after", "delta", "n_changes"]
    return pd.DataFrame(rows, columns=base + changed)


# --------------------------------------------------------------------------- segments
@dataclass(frozen=True)
class Intervention:
    """What a campaign changes: ``set`` a column to a value, ``scale`` or ``cap`` a number."""

    kind: Literal["set", "scale", "cap"]
    column: str
    value: Any

    def describe(self) -> str:
        if self.kind == "set":
            return f"set {self.column} to {self.value}"
        if self.kind == "scale":
            return f"multiply {self.column} by {float(self.value):g}"
        return f"cap {self.column} at {float(self.value):g}"


@dataclass(frozen=True)
class SegmentResult:
    """A campaign on a segment, in expected customers and money.

    ``per_customer`` has one row per targeted (not churned) customer: ``customer_id``,
    ``contacted`` (the intervention changes them), ``risk_before``, ``risk_if_accepted``,
    ``risk_expected``, ``kept`` (= before - expected), ``monthly_value``,
    ``revenue_kept`` (= kept * monthly value * horizon months) and ``cost``; every total
    is the sum of that column.
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
            raise ChurnDataError("this column is not in the table.", column=column)
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
) -> SegmentResult:
    """Expected churners, customers kept, revenue kept and return of a campaign.

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

    Returns
    -------
    SegmentResult
    """
    from churn.model import feature_frame, score

    if not 0 <= acceptance <= 1:
        raise ChurnDataError("the acceptance share must be between 0 and 1.", fix="use 0..1.")
    if cost_per_customer < 0:
        raise ChurnDataError("the cost per customer cannot be negative.")
    space = feature_space(table, trained) if space is None else space
    specs = _specs(space) or {}
    col = intervention.column
    if col not in specs:
        raise ChurnDataError(
            f"cannot change '{col}': it is not a model feature.",
            fix="choose one of the model's features.",
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
    before = score(trained, target).to_numpy()
    after = score(trained, changed).to_numpy()
    X0 = feature_frame(target, [col], [col] if specs[col]["kind"] == "categorical" else [])
    X1 = feature_frame(changed, [col], [col] if specs[col]["kind"] == "categorical" else [])
    a, b = X0[col], X1[col]
    contacted = ~((a == b) | (a.isna() & b.isna())).to_numpy()
    # a customer the offer does not change is not contacted and keeps their risk
    after = np.where(contacted, after, before)
    expected = acceptance * after + (1 - acceptance) * before
    if value is not None:
        monthly = np.full(len(target), float(value))
        value_words = f"every customer brings {float(value):,.2f} a month (a constant)"
    else:
        vcol = value_col or "value"
        if vcol not in frame.columns:
            raise ChurnDataError(
                "there is no value column for revenue.",
                fix="give a constant monthly value instead.",
                column=vcol,
            )
        monthly = pd.to_numeric(target[vcol], errors="coerce").to_numpy(dtype=float)
        value_words = f"column '{vcol}' is each customer's monthly revenue"
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
    cost = float(per["cost"].sum())
    revenue = float(per["revenue_kept"].sum())
    n_targeted = len(per)
    assumptions = [
        f"The campaign offers: {intervention.describe()}.",
        f"Only customers who have not churned are targeted: {n_targeted:,} of the "
        f"{n_selected:,} selected.",
        f"Customers the offer does not change are not contacted and cost nothing: "
        f"{int(contacted.sum()):,} are contacted.",
        f"{acceptance:.0%} of contacted customers accept; their risk becomes the model's risk "
        "with the change, the others keep their current risk.",
        "Expected churners are the sum of the model's risks; the model's risk is read as "
        "the chance of leaving, and the change is assumed to cause the drop it predicts.",
        f"Revenue kept = (risk before - expected risk after) x monthly revenue x "
        f"{horizon_months} months, summed over customers; {value_words}.",
        f"Each contacted customer costs {float(cost_per_customer):,.2f}; return = "
        "(revenue kept - cost) / cost.",
    ]
    if unknown:
        assumptions.append(f"{unknown:,} customers have no known value and count as 0.")
    if intervention.kind == "scale":
        assumptions.append("Scaled numbers are not rounded (an average effect).")
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
    )


def _intervene(
    rows: pd.DataFrame, iv: Intervention, specs: Mapping[str, Mapping[str, Any]]
) -> pd.DataFrame:
    """A copy of ``rows`` with the intervention applied."""
    spec = specs[iv.column]
    if iv.kind == "set":
        return apply_changes(rows, {iv.column: iv.value}, pd.DataFrame([spec]))
    if iv.kind not in ("scale", "cap"):
        raise ChurnDataError(
            f"unknown intervention '{iv.kind}'.", fix="use set, scale or cap."
        )  # fmt: skip
    if spec["kind"] == "categorical":
        raise ChurnDataError(
            f"cannot {iv.kind} a category.",
            fix="use 'set' for a categorical column.",
            column=iv.column,
        )
    try:
        x = float(iv.value)
    except (TypeError, ValueError):
        raise ChurnDataError(
            f"'{iv.value}' is not a number.", fix="give a number.", column=iv.column
        ) from None
    if x < 0 or math.isnan(x):
        raise ChurnDataError(f"{iv.kind} needs a number of 0 or more.", column=iv.column)
    out = rows.copy()
    num = pd.to_numeric(rows[iv.column], errors="coerce").astype(float)
    out[iv.column] = num * x if iv.kind == "scale" else num.clip(upper=x)
    return out
