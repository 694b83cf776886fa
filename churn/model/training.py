"""Training: evaluate a registry model honestly, then fit it on every labelled customer;
the leaderboard compares the models with the same cross-validation.

Class imbalance
---------------
Models are trained *unweighted*. Class weights (``class_weight="balanced"`` or
``scale_pos_weight``) push every predicted probability towards 0.5, which breaks the
meaning of a risk score: the contact decision multiplies risk by the offer's success
share and the customer's value, so the scores must be probabilities. Measured on Telco
(5-fold CV, 26.5 % churned): balanced weights left ROC AUC unchanged (0.845) but raised
the Brier score of the logistic model from 0.135 to 0.166 and of LightGBM from 0.136 to
0.159, and the mean predicted risk from 0.265 to about 0.40. Imbalance is handled where
it matters instead:
PR AUC is reported beside its base rate, and the contact threshold comes from the profit
curve, not from 0.5.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from churn.duplicates import CopySets, copy_sets
from churn.errors import ChurnDataError
from churn.model.evaluation import evaluate
from churn.model.features import check_trainable, feature_frame, label_vector, resolve_features
from churn.model.registry import DEFAULT_MODEL, MODELS, THREADS, ModelSpec, get_spec
from churn.model.splits import CV_FOLDS, SplitSpec, choose_split, cv_folds, time_split_masks
from churn.model.trained import TrainedModel, limit_threads, pipeline_risk
from churn.model.tuning import with_params
from churn.settings import DEFAULT_INACTIVITY_DAYS, IntakeSettings
from churn.table import ID, CustomerTable
from churn.text import msg

if TYPE_CHECKING:  # pragma: no cover - typing only
    from sklearn.pipeline import Pipeline


def _set_random_state(pipe: Pipeline, random_state: int) -> Pipeline:
    est = pipe.steps[-1][1]
    if "random_state" in est.get_params():
        est.set_params(random_state=random_state)
    return pipe


def _fit(
    spec: ModelSpec,
    X: pd.DataFrame,
    y: np.ndarray,
    feats,
    cats,
    random_state: int,
    limit: bool = True,
):
    pipe = _set_random_state(spec.factory(feats, cats, len(X)), random_state)
    if not limit:  # the caller holds the thread limits
        pipe.fit(X, y)
        return pipe
    with limit_threads():
        pipe.fit(X, y)
    return pipe


#: Makes one fit's training data (X, y).
_Data = Callable[[], tuple[pd.DataFrame, np.ndarray]]
#: Makes the rows a fit then scores (None: score nothing).
_Test = Callable[[], pd.DataFrame] | None


def _fit_many(
    spec: ModelSpec,
    data: Sequence[_Data],
    feats,
    cats,
    random_state: int,
) -> list[Pipeline]:
    """One fitted pipeline per ``data()`` (X, y), in order (:func:`_fit_score_many`)."""
    return [pipe for pipe, _ in _fit_score_many(spec, [(d, None) for d in data], feats, cats,
                                                random_state)]  # fmt: skip


def _fit_score_many(
    spec: ModelSpec,
    jobs: Sequence[tuple[_Data, _Test]],
    feats,
    cats,
    random_state: int,
) -> list[tuple[Pipeline, np.ndarray | None]]:
    """For each ``(data, test)``: the pipeline fitted on ``data()`` (X, y) and its risks
    for the rows ``test()`` (None without ``test``), in order.

    Two at a time in two threads when the model allows it (:attr:`ModelSpec.
    concurrent_fits`) and each fit uses one thread: the evaluation fits and the final fit
    of :func:`train` then share the two cores without OpenMP's busy-waiting (each fit has
    its own single thread), and each fold is scored in its own thread right after its fit,
    beside the next fit. Otherwise one after the other.
    """

    def serial(make: _Data, test: _Test) -> tuple[Pipeline, np.ndarray | None]:
        pipe = _fit(spec, *make(), feats, cats, random_state)
        return pipe, (pipeline_risk(pipe, test()) if test is not None else None)

    if not spec.concurrent_fits or THREADS > 1 or len(jobs) < 2:
        return [serial(make, test) for make, test in jobs]
    from concurrent.futures import ThreadPoolExecutor

    def one(job: tuple[_Data, _Test]) -> tuple[Pipeline, np.ndarray | None]:
        make, test = job
        pipe = _fit(spec, *make(), feats, cats, random_state, limit=False)
        if test is None:
            return pipe, None
        rows = test()
        # the caller holds the thread limits: predict directly (pipeline_risk enters them)
        return pipe, (pipe.predict_proba(rows)[:, 1] if len(rows) else np.array([]))

    # The process-wide limits are set once here: entering and leaving them in two threads
    # at once could leave them changed. The largest fits start first (the final fit on
    # every customer), so the two threads finish close together.
    with limit_threads(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="churn-fit") as pool:
        return list(pool.map(one, jobs))


def fit_many(
    spec: ModelSpec,
    data: Sequence[Callable[[], tuple[pd.DataFrame, np.ndarray]]],
    features: Sequence[str],
    categorical: Sequence[str],
    random_state: int = 0,
) -> list[Pipeline]:
    """One fitted pipeline of ``spec`` per ``data()`` (X, y), in order, two at a time on
    two cores when the model allows it (what :func:`train` does with its evaluation and
    final fits; cross-fitting can do the same)."""
    return _fit_many(spec, data, features, categorical, random_state)


def fit_score_many(
    spec: ModelSpec,
    jobs: Sequence[tuple[_Data, _Test]],
    features: Sequence[str],
    categorical: Sequence[str],
    random_state: int = 0,
) -> list[tuple[Pipeline, np.ndarray | None]]:
    """For each ``(data, test)``: the pipeline of ``spec`` fitted on ``data()`` (X, y) and
    its risks for the rows ``test()`` (or None), two at a time on two cores when the model
    allows it, each fold scored in its own thread right after its fit."""
    return _fit_score_many(spec, jobs, features, categorical, random_state)


def train(
    table: CustomerTable,
    model: str = DEFAULT_MODEL,
    features: Sequence[str] | None = None,
    split: SplitSpec | None = None,
    random_state: int = 0,
    params: dict[str, Any] | None = None,
) -> TrainedModel:
    """Evaluate a registry model honestly, then fit it on every labelled customer.

    Parameters
    ----------
    table : the confirmed customer table; unlabelled rows are never trained on.
    model : a key of :data:`MODELS`.
    features : feature columns (default ``table.features``: leakage suspects excluded).
    split : how to evaluate (default :func:`choose_split`).
    random_state : seed for the folds and the estimator.
    params : settings of the estimator that replace the registry's (a tuned LightGBM:
        ``tune(table).params``, :mod:`churn.model.tuning`); ``metrics["params"]`` keeps
        them and the label says "(tuned)". ``metrics["monotone"]`` lists the final
        model's warning-sign constraints (:mod:`churn.model.monotone`).

    Returns
    -------
    TrainedModel
    """
    import churn

    spec = with_params(get_spec(model), params)
    feats, cats = resolve_features(table, features)
    check_trainable(table, feats)
    split = split or choose_split(table)
    t0 = time.perf_counter()
    y = label_vector(table)
    # (only the feature columns of the labelled rows are copied, not the whole table)
    present = [c for c in feats if c in table.frame.columns]
    X = feature_frame(table.frame.loc[y.index, present], feats, cats)
    yv = y.to_numpy()
    ids = table.frame.loc[y.index, ID].astype(str).to_numpy()
    fit = (spec, X, yv, feats, cats, random_state)
    if split.kind == "time":
        final, score, fold, keep, fold_auc = _evaluate_on_hold_out(table, split, *fit)
    else:
        # copies of one customer under several ids stay in one fold, and the split says so
        copies = feature_copies(X, yv)
        split = split.with_copies(copies)
        final, score, fold, keep, fold_auc = _evaluate_by_folds(split, *fit, copies=copies)
    metrics = evaluate(yv[keep], score[keep])
    metrics["roc_auc_std"] = float(np.std(fold_auc)) if fold_auc else float("nan")
    metrics["roc_auc_folds"] = fold_auc
    metrics.update(_model_facts(final, params))
    seconds = time.perf_counter() - t0
    preds = pd.DataFrame(
        {ID: ids[keep], "churned": yv[keep], "score": score[keep], "fold": fold[keep]}
    )
    return TrainedModel(
        name=spec.name,
        label=spec.label,
        pipeline_=final,
        features=feats,
        categorical=cats,
        explainer=spec.explainer,
        split=split,
        metrics=metrics,
        predictions=preds,
        class_balance=_class_balance(yv),
        n_train=int(len(yv)),
        fit_seconds=seconds,
        random_state=random_state,
        version=churn.__version__,
        roles=table.roles.to_dict(),
        settings=table.settings or _table_settings(table),
    )


def _model_facts(final: Pipeline, params: dict[str, Any] | None) -> dict[str, Any]:
    """``params`` (the settings that replaced the registry's, or None) and ``monotone``
    (the final model's warning-sign decisions, :mod:`churn.model.monotone`)."""
    est = final.steps[-1][1]
    out: dict[str, Any] = {"monotone": list(getattr(est, "monotone_", None) or [])}
    if params:
        out["params"] = dict(params)
    return out


def _table_settings(table: CustomerTable) -> IntakeSettings:
    """The settings of a table made without ``build_customer_table`` (by hand)."""
    n = table.inactivity_days or DEFAULT_INACTIVITY_DAYS
    return IntakeSettings(table.roles, inactivity_days=n)


#: What an evaluation returns: the final pipeline (fitted on every labelled customer),
#: the evaluation score and fold of each labelled customer, which of them were evaluated,
#: and the ROC AUC of each fold (empty for a hold-out).
_Evaluated = tuple[Any, np.ndarray, np.ndarray, np.ndarray, list[float]]


def _evaluate_on_hold_out(
    table: CustomerTable,
    split: SplitSpec,
    spec: ModelSpec,
    X: pd.DataFrame,
    yv: np.ndarray,
    feats,
    cats,
    random_state: int,
) -> _Evaluated:
    """Fit on the earlier starters and score the latest ones (fold 1); fit the final model."""
    score = np.full(len(yv), np.nan)
    fold = np.zeros(len(yv), dtype=int)
    masks = time_split_masks(table, split.test_share)
    if masks is None:
        raise ChurnDataError(
            msg("a time-based split is not possible for this table."),
            fix=msg("use cross-validation instead."),
        )
    train_m = masks[0].to_numpy()
    test_m = masks[1].to_numpy()
    (final, _), (_, risk) = _fit_score_many(
        spec,
        [(lambda: (X, yv), None), (lambda: (X[train_m], yv[train_m]), lambda: X[test_m])],
        feats,
        cats,
        random_state,
    )
    score[test_m] = risk
    fold[test_m] = 1
    return final, score, fold, test_m, []


def _evaluate_by_folds(
    split: SplitSpec,
    spec: ModelSpec,
    X: pd.DataFrame,
    yv: np.ndarray,
    feats,
    cats,
    random_state: int,
    copies: CopySets | None = None,
) -> _Evaluated:
    """Score every customer out of fold (stratified k-fold, copies kept together); fit the
    final model."""
    from sklearn.metrics import roc_auc_score

    score = np.full(len(yv), np.nan)
    fold = np.zeros(len(yv), dtype=int)
    fold_auc: list[float] = []
    folds = cv_folds(yv, split.folds, random_state, copies)
    jobs: list[tuple[_Data, _Test]] = [
        (lambda tr=tr: (X.iloc[tr], yv[tr]), lambda te=te: X.iloc[te]) for tr, te in folds
    ]
    # the final fit first: the largest, so the two threads finish close together
    (final, _), *fitted = _fit_score_many(
        spec, [(lambda: (X, yv), None), *jobs], feats, cats, random_state
    )
    for i, ((_, te), (_, risk)) in enumerate(zip(folds, fitted, strict=True), start=1):
        score[te] = risk
        fold[te] = i
        fold_auc.append(float(roc_auc_score(yv[te], score[te])))
    return final, score, fold, np.ones(len(yv), dtype=bool), fold_auc


def feature_copies(X: pd.DataFrame, yv: np.ndarray) -> CopySets | None:
    """Copies among the labelled customers as the model sees them: rows equal in every
    feature and the label (:func:`churn.duplicates.copy_sets`)."""
    return copy_sets([X[c] for c in X.columns] + [yv])


def _class_balance(yv: np.ndarray) -> dict[str, Any]:
    """:attr:`TrainedModel.class_balance`: the class counts and how imbalance is handled."""
    n1 = int(yv.sum())
    return {
        "n_churned": n1,
        "n_active": int(len(yv) - n1),
        "base_rate": n1 / len(yv),
        "class_weights": None,
        "handling": msg(
            "{pct:.1%} of labelled customers churned ({n1:,} of {n:,}). The model is trained "
            "without class weights so that its scores stay probabilities (weights would "
            "inflate every risk); the imbalance is handled by judging it on PR AUC against "
            "the base rate and by choosing whom to contact from the profit curve rather than "
            "a 0.5 cut-off.",
            pct=n1 / len(yv),
            n1=n1,
            n=len(yv),
        ),
    }


def leaderboard(
    table: CustomerTable,
    models: Sequence[str] | None = None,
    folds: int = CV_FOLDS,
    features: Sequence[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    random_state: int = 0,
    tuned: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Compare registry models with the same stratified k-fold cross-validation (copies
    of one customer kept in one fold, as in :func:`train`).

    Returns one row per model, best ROC AUC first: ``model``, ``label``, ``roc_auc``,
    ``roc_auc_std``, ``pr_auc``, ``base_rate``, ``brier``, ``log_loss``,
    ``top_decile_lift``, ``fit_seconds`` (all folds), ``tuned`` (bool). ``tuned``, the
    settings of a tuned LightGBM (``tune(table).params``), adds the row
    ``lightgbm_tuned`` beside the default ``lightgbm``, on the same folds.
    ``progress(i, n, name)`` is called before each model (and once more with ``i == n``
    at the end).
    """
    from sklearn.metrics import roc_auc_score

    names = list(models or MODELS)
    specs = [(nm, get_spec(nm), False) for nm in names]
    if tuned:
        specs.append(("lightgbm_tuned", with_params(get_spec("lightgbm"), tuned), True))
    feats, cats = resolve_features(table, features)
    check_trainable(table, feats)
    y = label_vector(table)
    X = feature_frame(table.frame.loc[y.index], feats, cats)
    yv = y.to_numpy()
    splits = cv_folds(yv, folds, random_state, feature_copies(X, yv))
    rows = []
    for i, (nm, spec, is_tuned) in enumerate(specs):
        if progress:
            progress(i, len(specs), nm)
        t0 = time.perf_counter()
        oof = np.full(len(yv), np.nan)
        aucs = []
        jobs = [lambda tr=tr: (X.iloc[tr], yv[tr]) for tr, _ in splits]
        pipes = _fit_many(spec, jobs, feats, cats, random_state)
        for (_, te), pipe in zip(splits, pipes, strict=True):
            oof[te] = pipeline_risk(pipe, X.iloc[te])
            aucs.append(roc_auc_score(yv[te], oof[te]))
        m = evaluate(yv, oof)
        rows.append(
            {
                "model": nm,
                "label": spec.label,
                "roc_auc": float(np.mean(aucs)),
                "roc_auc_std": float(np.std(aucs)),
                "pr_auc": m["pr_auc"],
                "base_rate": m["base_rate"],
                "brier": m["brier"],
                "log_loss": m["log_loss"],
                "top_decile_lift": m["top_decile_lift"],
                "fit_seconds": time.perf_counter() - t0,
                "tuned": is_tuned,
            }
        )
    if progress:
        progress(len(specs), len(specs), "")
    out = pd.DataFrame(rows)
    return out.sort_values("roc_auc", ascending=False, kind="mergesort").reset_index(drop=True)
