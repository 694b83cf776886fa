"""Edits of one customer: set some features, score before and after, say how the
reasons moved."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import ID, CustomerTable
from churn.text import msg
from churn.whatif.linked import (
    ReferenceGroups,
    integer_features,
    linked_list,
    links_and_groups,
    plan_linked,
    set_linked,
)
from churn.whatif.space import feature_space, model_text, shown, specs_by_feature

if TYPE_CHECKING:  # pragma: no cover - typing only
    from churn.model import TrainedModel


def _coerce(col: str, value: Any, spec: Mapping[str, Any] | None) -> Any:
    """``value`` as the model will read it, or ChurnDataError naming column and value."""
    if spec is None:
        return value
    if spec["kind"] == "categorical":
        text = model_text(value)
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
    specs = specs_by_feature(space)
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


def customer_rows(table: CustomerTable, customer_id: Any) -> pd.DataFrame:
    """The customer's (first) row of the table, or ChurnDataError naming the id."""
    frame = table.frame
    rows = frame.iloc[customer_positions(frame, customer_id)[:1]]
    if rows.empty:
        raise ChurnDataError(
            msg("customer '{customer}' is not in the table.", customer=customer_id),
            fix=msg("give an id from the customer id column."),
            column=table.roles.id,
        )
    return rows.iloc[:1]


def current_value(X: pd.DataFrame, col: str) -> Any:
    """The first row's value of ``col`` as :func:`shown` gives it."""
    return shown(X[col].iloc[0])


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
    model_before, model_after : the model's own risks of the real and the changed row.
    honest : ``before`` is the customer's honest (out-of-fold) risk and ``after`` that
        risk moved by the model's change (:func:`churn.model.shift_risk`); else both are
        the model's own risks.
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
    model_before: float | None = None
    model_after: float | None = None
    honest: bool = False

    def note(self) -> str:
        """One sentence: where "now" and "after" come from."""
        if self.honest:
            return msg(
                "Risk now is this customer's out-of-fold risk (from models that did not learn "
                "from them, as in the counts elsewhere); the new risk moves it by the change "
                "the model predicts for these edits."
            )
        return msg("Risks are the model's own scores of this customer.")

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
    groups: ReferenceGroups | None = None,
    reference: Any = None,
    risk: pd.Series | None = None,
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
    risk : honest risks per ``customer_id`` (:func:`churn.model.honest_risk`). When the
        customer has one, ``before`` is it and ``after`` is it shifted by the model's change
        (:func:`churn.model.shift_risk`), as :func:`segment_scenario` does.

    Returns
    -------
    WhatIfResult
    """
    from churn.model import feature_frame, score, shift_risk

    space = feature_space(table, trained) if space is None else space
    row = customer_rows(table, customer_id)
    changed = apply_changes(row, changes, space)
    linked: list[dict[str, Any]] = []
    if move_linked and any(c in trained.categorical for c in changes):
        links, groups = links_and_groups(table, trained, links, groups=groups)
        X0 = feature_frame(row, trained.features, trained.categorical)
        X1 = feature_frame(changed, trained.features, trained.categorical)
        new = {c: X1[c].iloc[0] for c in changes if c in trained.categorical}
        plan = plan_linked(
            X0, new, changes, links, groups, integer_features(specs_by_feature(space))
        )
        set_linked(changed, plan)
        linked = linked_list(X0, plan, links)
    both = pd.concat([row, changed], ignore_index=True)
    scores = score(trained, both).to_numpy(dtype=float)
    X = feature_frame(both, trained.features, trained.categorical)
    listed = []
    for col in changes:
        a, b = shown(X[col].iloc[0]), shown(X[col].iloc[1])
        if not (a == b or (a is None and b is None)):
            listed.append({"column": col, "before": a, "after": b})
    moved = rb = ra = None
    if explain:
        moved, rb, ra = _reasons_moved(trained, table, both, lang, explainer, reference)
    model_before, model_after = float(scores[0]), float(scores[1])
    before, after, honest = model_before, model_after, False
    customer = str(row[ID].iloc[0])
    if risk is not None and customer in risk.index and not pd.isna(risk[customer]):
        before, honest = float(risk[customer]), True
        after = float(shift_risk(np.array([before]), scores[:1], scores[1:])[0])
    return WhatIfResult(
        customer=customer,
        before=before,
        after=after,
        delta=after - before,
        changes=listed,
        moved=moved,
        reasons_before=rb,
        reasons_after=ra,
        linked_changes=linked,
        move_linked=bool(move_linked),
        model_before=model_before,
        model_after=model_after,
        honest=honest,
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
