"""Suggestions (counterfactuals): the smallest changes to actionable features that bring
one customer's risk below a target."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import ID, CustomerTable
from churn.text import msg
from churn.whatif.edit import current_value, customer_rows
from churn.whatif.linked import (
    ReferenceGroups,
    integer_features,
    linked_list,
    links_and_groups,
    plan_linked,
)
from churn.whatif.space import PAIR_VALUES_PER_FEATURE, feature_space, shown, specs_by_feature

if TYPE_CHECKING:  # pragma: no cover - typing only
    from churn.model import TrainedModel


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


#: The columns of :attr:`Suggestions.options`.
OPTION_COLUMNS = ["option", "n_changes", "changes", "distance", "risk", "delta", "linked"]

#: A combination of changes, ``((column, value), ...)``, with its normalised distance.
Combo = tuple[tuple[tuple[str, Any], ...], float]


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
    groups: ReferenceGroups | None = None,
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
    specs = specs_by_feature(space) or {}
    acts = _actionable_features(actionable, specs)
    row = customer_rows(table, customer_id)
    cust = str(row[ID].iloc[0])
    X0 = feature_frame(row, trained.features, trained.categorical)
    before = float(score(trained, row).iloc[0])
    linker = _linker(trained, table, X0, specs, links, groups) if move_linked else None
    if before < target:
        return Suggestions(
            cust, before, target, True, before, pd.DataFrame(columns=OPTION_COLUMNS), 0,
            msg(
                "risk {before:.1%} is already below the target {target:.1%}.",
                before=before,
                target=target,
            ),
        )  # fmt: skip
    combos, risks = _search(trained, row, X0, acts, specs, linker, max_changes)
    if not combos:
        return Suggestions(
            cust, before, target, False, before, pd.DataFrame(columns=OPTION_COLUMNS), 0,
            msg("no actionable feature can change for this customer."),
        )  # fmt: skip
    ok, best_risk = _pick_options(combos, risks, target, n)
    reached = best_risk < target
    out = _options_frame(ok, X0, before, linker)
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
    return Suggestions(cust, before, target, reached, best_risk, out, len(combos), message)


def _actionable_features(
    actionable: Iterable[str] | None, specs: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """The features that may change (default: those marked actionable); ChurnDataError for
    one that is not a model feature."""
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
    return acts


def _search(
    trained, row: pd.DataFrame, X0: pd.DataFrame, acts: list[str], specs, linker, max_changes: int
) -> tuple[list[Combo], np.ndarray]:
    """Every single change of an actionable feature, then (with ``max_changes`` >= 2) pairs
    across two features, with the risk each gives: ``(combos, risks)`` in the same order."""
    singles: list[Combo] = []
    for c in acts:
        cur = current_value(X0, c)
        for v, d in _candidates(specs[c], cur):
            singles.append((((c, v),), d))
    combos = list(singles)
    risks = _score_combos(trained, row, singles, specs, linker) if singles else np.array([])
    if max_changes >= 2 and len(acts) >= 2 and singles:
        pairs = _pairs(singles, risks)
        if pairs:
            risks = np.concatenate([risks, _score_combos(trained, row, pairs, specs, linker)])
            combos += pairs
    return combos, risks


def _pairs(singles: list[Combo], risks: np.ndarray) -> list[Combo]:
    """The best values of each feature alone, then every pair across two features."""
    best: dict[str, list[tuple[Any, float, float]]] = {}
    for (ch, d), r in zip(singles, risks, strict=True):
        best.setdefault(ch[0][0], []).append((ch[0][1], d, float(r)))
    for c in best:
        best[c] = sorted(best[c], key=lambda x: x[2])[:PAIR_VALUES_PER_FEATURE]
    pairs = []
    for a, b in itertools.combinations(best, 2):
        for (va, da, _), (vb, db, _) in itertools.product(best[a], best[b]):
            pairs.append((((a, va), (b, vb)), da + db))
    return pairs


def _pick_options(
    combos: list[Combo], risks: np.ndarray, target: float, n: int
) -> tuple[pd.DataFrame, float]:
    """The ``n`` options to show, each on its own set of features, and the lowest risk.

    Reached: fewest changes, then smallest distance, then lowest risk, among the options
    under ``target``. Not reached: the lowest risks."""
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
    if best_risk < target:
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
    return ok.drop_duplicates("features").head(n), best_risk


def _options_frame(ok: pd.DataFrame, X0: pd.DataFrame, before: float, linker) -> pd.DataFrame:
    """:attr:`Suggestions.options` from the picked candidates."""
    out = pd.DataFrame(
        {
            "option": range(1, len(ok) + 1),
            "n_changes": ok["n_changes"].to_numpy(),
            "changes": [
                [{"column": c, "before": current_value(X0, c), "after": shown(v)} for c, v in ch]
                for ch in ok["combo"]
            ],
            "distance": ok["distance"].to_numpy(dtype=float),
            "risk": ok["risk"].to_numpy(dtype=float),
        }
    )
    out["delta"] = out["risk"] - before
    out["linked"] = [linker(ch) if linker else [] for ch in ok["combo"]]
    return out


def _linker(trained, table, X0: pd.DataFrame, specs, links, groups=None):
    """combination of changes -> the linked moves :func:`what_if` would make (cached), or
    None when the model has no categorical feature."""
    if not trained.categorical:
        return None
    links, groups = links_and_groups(table, trained, links, groups=groups)
    ints = integer_features(specs)
    linked_feats = set(links["feature"])
    cache: dict[tuple, list[dict[str, Any]]] = {}

    def moves(ch) -> list[dict[str, Any]]:
        new = tuple(sorted((c, v) for c, v in ch if c in trained.categorical))
        if not new:
            return []
        key = (new, tuple(sorted(c for c, _ in ch if c in linked_feats)))
        if key not in cache:
            plan = plan_linked(X0, dict(new), [c for c, _ in ch], links, groups, ints)
            cache[key] = linked_list(X0, plan, links)
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
