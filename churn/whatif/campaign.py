"""Segment scenarios: a campaign on a segment (set, scale or cap a feature) in expected
churners, customers kept, revenue kept, cost and return."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.money import basis_of, value_notes
from churn.table import ID, STATUS, CustomerTable
from churn.text import msg
from churn.whatif.edit import apply_changes
from churn.whatif.linked import (
    ReferenceGroups,
    integer_features,
    links_and_groups,
    plan_linked,
    set_linked,
)
from churn.whatif.space import feature_space, model_text, shown, specs_by_feature

if TYPE_CHECKING:  # pragma: no cover - typing only
    from churn.model import TrainedModel


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
        wanted = {model_text(v) for v in (values or ())}
        mask &= frame[column].map(model_text).isin(wanted)
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
    groups: ReferenceGroups | None = None,
    risk: pd.Series | None = None,
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
    space, links, groups : a precomputed :func:`feature_space`, :func:`linked_features`
        and :func:`reference_groups`.
    move_linked : move linked numeric features along with a changed category.
    risk : honest risks per ``customer_id`` (:func:`churn.model.honest_risk`): the risk
        before; the offer moves it by the model's own change (log-odds scale).

    Returns
    -------
    SegmentResult
    """
    _check_terms(acceptance, cost_per_customer)
    space = feature_space(table, trained) if space is None else space
    specs = specs_by_feature(space) or {}
    col = intervention.column
    _require_feature(col, specs)
    frame = table.frame
    sel = _selected(frame, rows)
    n_selected = int(sel.sum())
    target = frame[sel & frame[STATUS].isin(("active", "too_new")).to_numpy()]
    changed, new_level, contacted, rounding = _apply_offer(target, intervention, specs)
    linked, plan = [], {}
    if move_linked and specs[col]["kind"] == "categorical" and intervention.kind == "set":
        linked, plan = _move_linked(
            trained, table, target, changed, col, new_level, specs, links, groups
        )
    monthly, value_words = _monthly_values(table, target, value, value_col)
    unknown = int(np.isnan(monthly).sum())
    per = _per_customer(
        trained, target, changed, contacted, acceptance,
        np.nan_to_num(monthly, nan=0.0), horizon_months, cost_per_customer, plan, risk,
    )  # fmt: skip
    cost = float(per["cost"].sum())
    revenue = float(per["revenue_kept"].sum())
    n_targeted, n_contacted = len(per), int(contacted.sum())
    assumptions = _assumptions(
        intervention, n_targeted=n_targeted, n_selected=n_selected, n_contacted=n_contacted,
        acceptance=acceptance, horizon_months=horizon_months, value_words=value_words,
        cost_per_customer=cost_per_customer, unknown=unknown, rounding=rounding, linked=linked,
        honest=risk is not None,
    )  # fmt: skip
    if value is None and value_col is None:
        assumptions += value_notes(table, True)  # how the value per month was read
    return SegmentResult(
        intervention=intervention,
        per_customer=per,
        n_selected=n_selected,
        n_targeted=n_targeted,
        n_contacted=n_contacted,
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


def _check_terms(acceptance: float, cost_per_customer: float) -> None:
    """ChurnDataError for an acceptance share outside 0..1 or a negative cost."""
    if not 0 <= acceptance <= 1:
        raise ChurnDataError(
            msg("the acceptance share must be between 0 and 1."), fix=msg("use 0..1.")
        )
    if cost_per_customer < 0:
        raise ChurnDataError(msg("the cost per customer cannot be negative."))


def _require_feature(col: str, specs: Mapping[str, Any]) -> None:
    """ChurnDataError unless the campaign's column is a model feature."""
    if col not in specs:
        raise ChurnDataError(
            msg("cannot change '{column}': it is not a model feature.", column=col),
            fix=msg("choose one of the model's features."),
            column=col,
        )


def _selected(frame: pd.DataFrame, rows: pd.Series | Iterable[Any]) -> np.ndarray:
    """The selection as a boolean array over ``frame``: a mask, or the rows whose id is in
    an iterable of customer ids."""
    if isinstance(rows, pd.Series) and rows.dtype == bool:
        return rows.reindex(frame.index, fill_value=False).to_numpy()
    wanted = {str(i) for i in rows}
    return frame[ID].astype(str).isin(wanted).to_numpy()


def _apply_offer(
    target: pd.DataFrame, intervention: Intervention, specs: Mapping[str, Mapping[str, Any]]
) -> tuple[pd.DataFrame, pd.Series, np.ndarray, dict[str, Any] | None]:
    """The targeted rows with the offer applied and what it does to each.

    Returns ``(changed, new, contacted, rounding)``: the changed rows; the column's new
    values as the model reads them (before rounding); whether the offer changes each
    customer; and, when a whole-number column is scaled, the exact and rounded totals
    (else None).
    """
    from churn.model import feature_frame

    col = intervention.column
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
    return changed, b, contacted, rounding


def _move_linked(
    trained: TrainedModel,
    table: CustomerTable,
    target: pd.DataFrame,
    changed: pd.DataFrame,
    col: str,
    new: pd.Series,
    specs: Mapping[str, Mapping[str, Any]],
    links: pd.DataFrame | None,
    groups: ReferenceGroups | None,
) -> tuple[list[dict[str, Any]], dict[str, tuple[np.ndarray, list[str]]]]:
    """Move the numbers linked to the category ``col`` the offer sets (``new``: its new
    values as the model reads them), in ``changed`` (in place).

    Returns the summary of :attr:`SegmentResult.linked_changes` and the plan of
    :func:`plan_linked` (both empty when no customer is targeted)."""
    from churn.model import feature_frame

    if not len(target):
        return [], {}
    links, groups = links_and_groups(table, trained, links, groups=groups)
    XA = feature_frame(target, trained.features, trained.categorical)
    plan = plan_linked(XA, {col: new.iloc[0]}, [col], links, groups, integer_features(specs))
    set_linked(changed, plan)
    linked = []
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
                "min_after": shown(float(moved[m].min())),
                "max_after": shown(float(moved[m].max())),
            }
        )
    return linked, plan


def _monthly_values(
    table: CustomerTable, target: pd.DataFrame, value: float | None, value_col: str | None
) -> tuple[np.ndarray, str]:
    """Each targeted customer's monthly revenue (NaN when unknown) and how it was read.

    The table's own ``value`` is money per month by the amount's unit (``churn.money``);
    a unit that cannot become money per month is refused with its reason.
    """
    if value is not None:
        monthly = np.full(len(target), float(value))
        value_words = msg(
            "every customer brings {value:,.2f} a month (a constant)", value=float(value)
        )
        return monthly, value_words
    frame = table.frame
    vcol = value_col or "value"
    basis = basis_of(table) if value_col is None else None
    if basis is not None and basis.note is not None and not basis.usable:
        raise ChurnDataError(
            msg("{message}", message=basis.note),
            fix=msg("give a constant monthly value instead."),
            column=basis.column,
        )
    if vcol not in frame.columns:
        raise ChurnDataError(
            msg("there is no value column for revenue."),
            fix=msg("give a constant monthly value instead."),
            column=vcol,
        )
    monthly = pd.to_numeric(target[vcol], errors="coerce").to_numpy(dtype=float)
    if basis is not None and basis.column and not basis.per_month:
        value_words = msg(
            "column '{column}' is read as each customer's monthly revenue, but the unit of "
            "'{amount}' is not confirmed",
            column=vcol,
            amount=basis.column,
        )
        return monthly, value_words
    value_words = msg("column '{column}' is each customer's monthly revenue", column=vcol)
    return monthly, value_words


def _per_customer(
    trained: TrainedModel,
    target: pd.DataFrame,
    changed: pd.DataFrame,
    contacted: np.ndarray,
    acceptance: float,
    monthly: np.ndarray,
    horizon_months: int,
    cost_per_customer: float,
    plan: Mapping[str, tuple[np.ndarray, list[str]]],
    risk: pd.Series | None = None,
) -> pd.DataFrame:
    """:attr:`SegmentResult.per_customer`: each targeted customer's risks, the share of a
    customer kept, revenue kept and cost."""
    from churn.model import score, shift_risk

    before = score(trained, target).to_numpy()
    after = score(trained, changed).to_numpy()
    if risk is not None:
        honest = risk.reindex(target[ID].astype(str).to_numpy()).to_numpy(dtype=float)
        honest = np.where(np.isnan(honest), before, honest)
        after = shift_risk(honest, before, after)
        before = honest
    # a customer the offer does not change is not contacted and keeps their risk
    after = np.where(contacted, after, before)
    expected = acceptance * after + (1 - acceptance) * before
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
    return per


def _assumptions(
    intervention: Intervention,
    *,
    n_targeted: int,
    n_selected: int,
    n_contacted: int,
    acceptance: float,
    horizon_months: int,
    value_words: str,
    cost_per_customer: float,
    unknown: int,
    rounding: dict[str, Any] | None,
    linked: list[dict[str, Any]],
    honest: bool = False,
) -> list[str]:
    """The campaign's assumptions in words (:attr:`SegmentResult.assumptions`)."""
    col = intervention.column
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
            n=n_contacted,
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
    if honest:
        assumptions.append(
            msg(
                "Risks before are out of fold for the customers the model learned from; the "
                "offer moves each by the change the model predicts for it."
            )
        )
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
    return assumptions


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
