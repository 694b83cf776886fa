"""Honest risks: every customer's risk scored by a model that did not learn from them.

The final model (:attr:`TrainedModel.pipeline_`) is fitted on every labelled customer, so
its risks for those same customers are in-sample: too sure of itself (on Telco the
expected churners among active customers came out 8.7 % lower than out of fold). Counts
and sums over those customers (expected churners, revenue at risk, the profit curve,
campaign returns, the at-risk list) therefore use :func:`honest_risk`:

- customers of the evaluation (every labelled customer under k-fold cross-validation,
  the hold-out under a time split) get their out-of-fold score
  (:attr:`TrainedModel.predictions`);
- the other labelled customers (the earlier starters of a time split, fitted on by both
  models) are *cross-fitted*: split into :data:`CROSS_FIT_FOLDS` folds (two from
  :data:`LARGE_CROSS_FIT` such customers), each scored by the same model fitted on every
  other labelled customer;
- customers the model never learned from (no label yet) get the final model's risk.

Then, when the reliability check calls for it (:mod:`churn.model.calibration`), the
risks are re-mapped: evaluated customers by the map fitted on the other folds, the rest
by the map fitted on all evaluated customers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from churn.model.calibration import Calibration, calibration_of
from churn.model.features import feature_frame, label_vector
from churn.model.registry import get_spec
from churn.model.scoring import score
from churn.model.splits import cv_folds
from churn.model.training import feature_copies, fit_score_many
from churn.model.tuning import with_params
from churn.table import CHURNED, ID, VALUE, CustomerTable
from churn.text import Text, msg

if TYPE_CHECKING:  # pragma: no cover - typing only
    from churn.model.trained import TrainedModel

__all__ = [
    "CROSS_FIT_FOLDS",
    "LARGE_CROSS_FIT",
    "RISK_SOURCES",
    "expected_among_active",
    "honest_note",
    "honest_risk",
    "shift_risk",
]

#: Folds for cross-fitting labelled customers outside the evaluation (time split).
CROSS_FIT_FOLDS = 3
#: From this many customers to cross-fit, two folds: each fold's model still learns from
#: half of them and every evaluated customer (tens of thousands of rows), and on two cores
#: the two fits are one round instead of two.
LARGE_CROSS_FIT = 20_000
#: Where a customer's risk comes from (``attrs["sources"]`` of :func:`honest_risk`).
RISK_SOURCES = ("out_of_fold", "cross_fitted", "model")


def _cross_fit(
    trained: TrainedModel, X: pd.DataFrame, yv: np.ndarray, rest: np.ndarray, folds: int
) -> np.ndarray:
    """Scores of the labelled rows ``rest`` (positions in X), each fold of them scored by
    the model fitted on every other labelled row."""
    # the same settings as the final model (a tuned model's own, not the registry's)
    spec = with_params(get_spec(trained.name), trained.metrics.get("params"))
    out = np.full(len(rest), np.nan)
    k = int(min(folds, yv[rest].sum(), len(rest) - yv[rest].sum()))
    if k < 2:  # one class only among them: split without stratifying
        parts = np.array_split(np.arange(len(rest)), max(min(folds, len(rest)), 1))
    else:
        copies = feature_copies(X.iloc[rest], yv[rest])
        parts = [te for _, te in cv_folds(yv[rest], k, trained.random_state, copies)]
    parts = [te for te in parts if len(te)]
    trains = []
    for te in parts:
        train = np.ones(len(yv), dtype=bool)
        train[rest[te]] = False
        trains.append(train)
    # the folds' fits two at a time on two cores (as train() fits its own folds), each
    # fold scored in its thread right after its fit
    fitted = fit_score_many(
        spec,
        [
            (lambda m=m: (X[m], yv[m]), lambda te=te: X.iloc[rest[te]])
            for m, te in zip(trains, parts, strict=True)
        ],
        trained.features,
        trained.categorical,
        trained.random_state,
    )
    for te, (_, risk) in zip(parts, fitted, strict=True):
        out[te] = risk
    return out


def honest_risk(
    trained: TrainedModel,
    table: CustomerTable,
    *,
    calibrate: bool = True,
    folds: int | None = None,
    calibration: Calibration | None = None,
) -> pd.Series:
    """Every customer's risk (0..1) from a model that did not learn from them.

    Parameters
    ----------
    trained : the model trained on ``table`` (its predictions hold the evaluation scores).
    table : the customer table.
    calibrate : re-map the risks when the reliability check calls for it.
    folds : folds for cross-fitting labelled customers outside the evaluation (default
        :data:`CROSS_FIT_FOLDS`, or 2 from :data:`LARGE_CROSS_FIT` of them).
    calibration : a precomputed :func:`calibration_of` ``trained``.

    Returns
    -------
    pd.Series
        ``risk`` indexed by ``customer_id`` (as :func:`churn.model.score`).
        ``attrs["sources"]`` counts customers per source (:data:`RISK_SOURCES`),
        ``attrs["calibration"]`` names the map used (``none``, ``sigmoid``, ``isotonic``).
    """
    frame = table.frame
    ids = frame[ID].astype(str).to_numpy()
    values = np.full(len(ids), np.nan)
    source = np.full(len(ids), "model", dtype=object)

    preds = trained.predictions
    preds = preds[preds["score"].notna()]
    oof = pd.Series(preds["score"].to_numpy(dtype=float), index=preds[ID].astype(str))
    oof = oof[~oof.index.duplicated()]
    y = label_vector(table)
    labelled_ids = frame.loc[y.index, ID].astype(str).to_numpy()
    if trained_on(trained, labelled_ids, oof.index):
        pos = oof.index.get_indexer(pd.Index(ids))
    else:
        # another file (or a model file without its evaluation): the model never learned
        # from these customers, so its own risks are honest
        pos = np.full(len(ids), -1)
        labelled_ids = labelled_ids[:0]
    evaluated = pos >= 0
    values[evaluated] = oof.to_numpy()[pos[evaluated]]
    source[evaluated] = "out_of_fold"
    rest_mask = ~_member(labelled_ids, oof.index)
    if rest_mask.any():
        present = [c for c in trained.features if c in frame.columns]
        X = feature_frame(frame.loc[y.index, present], trained.features, trained.categorical)
        yv = y.to_numpy()
        rest = np.flatnonzero(rest_mask)
        if folds is None:
            folds = 2 if len(rest) >= LARGE_CROSS_FIT else CROSS_FIT_FOLDS
        crossed = _cross_fit(trained, X, yv, rest, folds)
        where = pd.Index(ids).get_indexer(labelled_ids[rest])
        ok = where >= 0
        values[where[ok]] = crossed[ok]
        source[where[ok]] = "cross_fitted"
    # the final model scores only the customers nobody else scored (no label yet)
    own = np.flatnonzero(source == "model")
    if len(own):
        values[own] = score(trained, frame.iloc[own]).to_numpy()

    method = "none"
    if calibrate:
        cal = calibration if calibration is not None else calibration_of(trained)
        if cal.used:
            method = cal.method
            others = ~evaluated
            values[others] = cal.apply(values[others])
            mapped = pd.Series(cal.cross_fitted, index=preds[ID].astype(str).to_numpy())
            mapped = mapped[~mapped.index.duplicated()]
            values[evaluated] = mapped.to_numpy()[pos[evaluated]]
    out = pd.Series(values, index=pd.Index(ids, name=ID), name="risk")
    out.attrs["sources"] = {s: int((source == s).sum()) for s in RISK_SOURCES}
    out.attrs["calibration"] = method
    return out


def trained_on(trained: TrainedModel, labelled_ids: np.ndarray, evaluated: pd.Index) -> bool:
    """Whether these labelled customers are the ones ``trained`` was fitted on: as many as
    it was trained on, and every customer of its evaluation among them."""
    if len(evaluated) == 0 or len(labelled_ids) != trained.n_train:
        return False
    return bool(_member(evaluated, labelled_ids).all())


def _member(values, pool) -> np.ndarray:
    """Whether each of ``values`` is in ``pool`` (ids as text).

    A hash lookup through ``get_indexer``: ``Index.isin`` on Arrow-backed text compares
    in a Python loop (0.8 s for 100,000 ids against 0.03 s this way).
    """
    return pd.Index(pool).unique().get_indexer(pd.Index(values)) >= 0


def honest_note(risk: pd.Series) -> Text:
    """One sentence saying where the risks of :func:`honest_risk` come from."""
    src = risk.attrs.get("sources") or {}
    n_oof, n_cross = src.get("out_of_fold", 0), src.get("cross_fitted", 0)
    n_model = src.get("model", 0)
    if n_oof + n_cross == 0:
        return msg(
            "The model did not learn from these {n:,} customers: every risk is the final "
            "model's own.",
            n=n_model,
        )
    note = msg(
        "Counts and sums use out-of-fold risks: each of the {fitted:,} customers the model "
        "learned from is scored by a model fitted without them ({cross:,} of them "
        "cross-fitted); {other:,} customers without a label are scored by the final model.",
        fitted=n_oof + n_cross,
        cross=n_cross,
        other=n_model,
    )
    method = risk.attrs.get("calibration", "none")
    if method != "none":
        note = msg(
            "{note} Risks are calibrated ({method}).",
            note=note,
            method=msg("sigmoid") if method == "sigmoid" else msg("isotonic"),
        )
    return note


def expected_among_active(table: CustomerTable, risk: pd.Series) -> dict[str, float]:
    """Expected churners among the customers still active (label 0), from ``risk`` per
    ``customer_id`` (use :func:`honest_risk`): ``active`` (customers), ``expected`` (sum
    of their risks) and ``value_at_risk`` (sum of risk x value per month; NaN without
    values)."""
    f = table.frame
    active = (pd.to_numeric(f[CHURNED], errors="coerce") == 0).to_numpy()
    ids = f.loc[active, ID].astype(str)
    r = risk.reindex(ids.to_numpy()).to_numpy(dtype=float)
    out = {"active": float(active.sum()), "expected": float(np.nansum(r))}
    value = pd.to_numeric(f.loc[active, VALUE], errors="coerce") if VALUE in f else None
    if value is not None and value.notna().any():
        out["value_at_risk"] = float(np.nansum(r * value.to_numpy(dtype=float)))
    else:
        out["value_at_risk"] = float("nan")
    return out


def shift_risk(base: np.ndarray, model_before: np.ndarray, model_after: np.ndarray) -> np.ndarray:
    """``base`` moved by the model's change from ``model_before`` to ``model_after`` on the
    log-odds scale (so it stays between 0 and 1; equal to ``model_after`` when ``base`` is
    ``model_before``)."""
    eps = 1e-9

    def logit(p: np.ndarray) -> np.ndarray:
        p = np.clip(np.asarray(p, dtype=float), eps, 1 - eps)
        return np.log(p / (1 - p))

    z = logit(base) + logit(model_after) - logit(model_before)
    out = 1.0 / (1.0 + np.exp(-z))
    return np.where(model_after == model_before, base, out)
