"""Tuning LightGBM within a time budget: a small, seeded search with early stopping.

How it searches
---------------
The labelled customers are split once: one stratified fifth (copies of a customer kept
on one side) is the *inner validation* set, the rest the search's training set; the
evaluation of :func:`churn.model.train` later judges the chosen settings on its own
folds, so this validation set only picks, it does not report. The categories are
encoded once and every trial fits on the encoded frame.

1. The default settings (:data:`~churn.model.registry.LIGHTGBM_PARAMS`, fitted as they
   are: the score to beat) and a seeded random sample of :data:`SEARCH_SPACE` (leaves,
   learning rate, minimum customers per leaf) are fitted on at most :data:`SCREEN_ROWS`
   training rows, the sampled settings with up to :data:`MAX_TREES` trees and early
   stopping on the validation log loss (:data:`PATIENCE` rounds): the number of trees
   is found, not searched.
2. Successive halving (larger files only): the default and the best third go on to the
   whole training set. The last round in which the default and a setting both finished
   decides: a setting wins only by beating the default's validation ROC AUC there.

Fits run two at a time in two threads, each single-threaded (as :func:`train` does).
Every fit checks the clock and ``cancel`` after each tree: at the deadline the trial in
progress stops and the best finished settings are returned (``TuneResult.stopped``).
Optuna was tried on paper and left out: with about a dozen fits in the budget a seeded
random sample with halving finds the same region and keeps the run deterministic.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from churn.duplicates import copy_sets
from churn.model.features import check_trainable, feature_frame, label_vector, resolve_features
from churn.model.registry import LIGHTGBM_PARAMS, ModelSpec, get_spec
from churn.model.splits import cv_folds
from churn.model.trained import limit_threads
from churn.table import CustomerTable
from churn.text import msg

#: Seconds the search may take by default (the whole of :func:`tune`).
TUNE_SECONDS = 20.0
#: The settings searched; the number of trees comes from early stopping.
SEARCH_SPACE: dict[str, tuple] = {
    "num_leaves": (7, 15, 31, 63, 127),
    "learning_rate": (0.03, 0.05, 0.1),
    "min_child_samples": (5, 10, 20, 50, 100),
}
#: Settings sampled for the first round.
CANDIDATES = 9
#: Training rows of the first round (a seeded stratified sample when there are more).
SCREEN_ROWS = 20_000
#: Most trees a trial may grow, and rounds without improvement before it stops.
MAX_TREES = 1000
PATIENCE = 30
#: Share of the budget kept for the work after the deadline (the stopped fits' scores).
DEADLINE_MARGIN = 0.1
#: Share of the labelled customers in the inner validation set.
VALIDATION_SHARE = 0.2

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class TuneResult:
    """What :func:`tune` found.

    Attributes
    ----------
    params : the LightGBM settings to train with (``n_estimators`` included: the trees
        early stopping kept, scaled up by a tenth for the larger final training set);
        the default's when nothing beat it.
    default_params : the default settings.
    default_auc, tuned_auc : ROC AUC on the inner validation set (selection, not report).
    improved : whether ``params`` differ from the default.
    trials : one row per fit: ``stage`` ("screen", "full"), the settings, ``trees``
        kept, ``val_auc``, ``val_log_loss``, ``seconds``, ``rows``, ``default`` (the
        default settings) and ``cut`` (stopped by the deadline: not compared).
    seconds : wall time of the whole search.
    budget_seconds : the budget it was given.
    stopped : why it ended early (``"budget"``, ``"cancelled"``) or ``""``.
    """

    params: dict[str, Any]
    default_params: dict[str, Any]
    default_auc: float
    tuned_auc: float
    improved: bool
    trials: pd.DataFrame = field(repr=False)
    seconds: float
    budget_seconds: float
    stopped: str = ""

    def summary(self) -> str:
        """One sentence: what was tried, in how long, and what won."""
        return msg(
            "Tried {n} settings in {s:.1f} s (budget {b:.0f} s): validation ROC AUC "
            "{tuned:.3f} tuned vs {default:.3f} default.",
            n=len(self.trials),
            s=self.seconds,
            b=self.budget_seconds,
            tuned=self.tuned_auc,
            default=self.default_auc,
        )


class _Clock:
    """The deadline and the cancel request, checked by every fit after each tree."""

    def __init__(self, budget: float, cancel, started: float | None = None) -> None:
        self.t0 = time.perf_counter() if started is None else started
        # a fit stopped at the deadline still scores the validation set: keep a margin
        self.deadline = self.t0 + budget * (1 - DEADLINE_MARGIN)
        if cancel is None:
            self._cancel: Callable[[], bool] = lambda: False
        elif isinstance(cancel, threading.Event) or hasattr(cancel, "is_set"):
            self._cancel = cancel.is_set
        else:
            self._cancel = cancel
        self.reason = ""

    def over(self) -> bool:
        if not self.reason:
            if self._cancel():
                self.reason = "cancelled"
            elif time.perf_counter() > self.deadline:
                self.reason = "budget"
        return bool(self.reason)

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def callback(self, cut: dict[str, bool]):
        """A LightGBM callback that stops the fit at the deadline (``cut["cut"] = True``)."""
        from lightgbm.callback import EarlyStopException

        def check(env) -> None:
            if self.over():
                cut["cut"] = True
                raise EarlyStopException(env.iteration, env.evaluation_result_list)

        check.order = 40  # after LightGBM's own early stopping (order 30)
        return check


def sample_space(n: int, random_state: int = 0) -> list[dict[str, Any]]:
    """``n`` distinct settings drawn from :data:`SEARCH_SPACE` with a seeded generator
    (the default's own combination excluded: it is always tried as it is)."""
    rng = np.random.default_rng(random_state)
    keys = list(SEARCH_SPACE)
    grid = [
        dict(zip(keys, combo, strict=True))
        for combo in np.array(np.meshgrid(*SEARCH_SPACE.values())).T.reshape(-1, len(keys))
    ]
    default = {k: LIGHTGBM_PARAMS[k] for k in keys}
    grid = [
        {k: type(LIGHTGBM_PARAMS[k])(v) for k, v in g.items()}
        for g in grid
        if any(g[k] != default[k] for k in keys)
    ]
    pick = rng.choice(len(grid), size=min(n, len(grid)), replace=False)
    return [grid[i] for i in pick]


def _stratified_take(y: np.ndarray, n: int, random_state: int) -> np.ndarray:
    """At most ``n`` positions of ``y``, the same churn share, seeded (sorted)."""
    if len(y) <= n:
        return np.arange(len(y))
    rng = np.random.default_rng(random_state)
    out = []
    for cls in (0, 1):
        pos = np.flatnonzero(y == cls)
        k = int(round(n * len(pos) / len(y)))
        out.append(rng.choice(pos, size=min(k, len(pos)), replace=False))
    return np.sort(np.concatenate(out))


def tune_frame(
    X: pd.DataFrame,
    y: np.ndarray,
    features: Sequence[str],
    categorical: Sequence[str],
    *,
    budget_seconds: float = TUNE_SECONDS,
    progress: Progress | None = None,
    cancel=None,
    random_state: int = 0,
    candidates: int = CANDIDATES,
    started: float | None = None,
) -> TuneResult:
    """:func:`tune` on a feature frame ``X`` (:func:`feature_frame`) and labels ``y``;
    ``started`` (a ``time.perf_counter()``) when the budget began before this call."""
    spec = _import_heavy()
    clock = _Clock(budget_seconds, cancel, started)
    y = np.asarray(y, dtype=int)
    copies = copy_sets([X[c] for c in X.columns] + [y])
    folds = max(2, int(round(1 / VALIDATION_SHARE)))
    tr, va = cv_folds(y, folds, random_state, copies)[0]
    template = spec.factory(features, categorical, len(tr))
    with limit_threads():
        prep = template[:-1].fit(X.iloc[tr])
        Xtr, Xva = prep.transform(X.iloc[tr]), prep.transform(X.iloc[va])
    ytr, yva = y[tr], y[va]
    screen = _stratified_take(ytr, SCREEN_ROWS, random_state)
    everyone = np.arange(len(tr))
    settings = sample_space(candidates, random_state)
    keep = max(1, len(settings) // 3)
    total = 1 + len(settings) + (1 + keep if len(screen) < len(tr) else 0)
    done = [0]
    rows: list[dict[str, Any]] = []

    def report(label: str) -> None:
        if progress:
            progress(min(done[0], total), total, label)

    def trial(stage: str, params: dict[str, Any] | None, idx: np.ndarray) -> dict[str, Any]:
        from sklearn.base import clone

        est = clone(template[-1])
        cut = {"cut": False}
        fit_kw: dict[str, Any] = {"callbacks": [clock.callback(cut)]}
        if params is not None:  # the default is fitted as it is (200 trees)
            from lightgbm import early_stopping

            est.set_params(**params, n_estimators=MAX_TREES)
            fit_kw["eval_X"] = (Xva,)
            fit_kw["eval_y"] = (yva,)
            fit_kw["callbacks"].insert(0, early_stopping(PATIENCE, verbose=False))
        t0 = time.perf_counter()
        est.fit(Xtr.iloc[idx], ytr[idx], **fit_kw)
        row = _judge(est, Xva, yva, stage, params or {}, len(idx), time.perf_counter() - t0)
        return {**row, "default": params is None, "cut": cut["cut"]}

    def finished(row: dict[str, Any]) -> None:  # in the caller's thread
        done[0] += 1
        report(row["stage"])

    report("screen")
    with limit_threads():
        # 1. the default and every sampled setting on the screening rows
        jobs = [lambda: trial("screen", None, screen)]
        jobs += [lambda s=s: trial("screen", s, screen) for s in settings]
        rows += _run_pair(jobs, clock, finished)
        # 2. successive halving: the default and the best third on every search row
        if len(screen) < len(tr):
            tried = [r for r in rows if not r["default"] and not r["cut"]]
            best = sorted(tried, key=lambda r: -r["val_auc"])[:keep]
            jobs = [lambda: trial("full", None, everyone)]
            jobs += [lambda r=r: trial("full", _settings(r), everyone) for r in best]
            rows += _run_pair(jobs, clock, finished)
    done[0] = total
    report("")
    return _result(rows, clock, budget_seconds)


def _import_heavy() -> ModelSpec:
    """Import lightgbm and scikit-learn's parts (a one-time cost of the process, seconds
    on a busy machine, that the budget does not count); LightGBM's registry entry."""
    import sklearn.base  # noqa: F401
    import sklearn.metrics  # noqa: F401

    spec = get_spec("lightgbm")
    spec.factory(["x"], [], 1)  # imports churn.lgbm, hence lightgbm
    return spec


def _settings(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in SEARCH_SPACE}


def _judge(est, Xva, yva, stage, params, n_rows, seconds) -> dict[str, Any]:
    from sklearn.metrics import log_loss, roc_auc_score

    trees = int(getattr(est, "best_iteration_", 0) or est.booster_.current_iteration())
    p = est.predict_proba(Xva, num_iteration=trees)[:, 1]
    return {
        "stage": stage,
        **{k: params.get(k, LIGHTGBM_PARAMS[k]) for k in SEARCH_SPACE},
        "trees": trees,
        "val_auc": float(roc_auc_score(yva, p)),
        "val_log_loss": float(log_loss(yva, np.clip(p, 1e-15, 1 - 1e-15))),
        "seconds": seconds,
        "rows": n_rows,
    }


def _run_pair(
    jobs: list[Callable[[], dict[str, Any]]],
    clock: _Clock,
    finished: Callable[[dict[str, Any]], None],
) -> list[dict[str, Any]]:
    """Run the trials two at a time (each single-threaded), in order of the jobs; none
    starts past the deadline or after a cancel. ``finished(row)`` is called in the
    caller's thread as each trial ends (a Streamlit progress bar can only be drawn there)."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    def guarded(job):
        return None if clock.over() else job()

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="churn-tune") as pool:
        futures = [pool.submit(guarded, job) for job in jobs]
        for fut in as_completed(futures):
            if fut.result() is not None:
                finished(fut.result())
        out = [f.result() for f in futures]
    return [r for r in out if r is not None]


def _result(rows: list[dict[str, Any]], clock: _Clock, budget: float) -> TuneResult:
    """The winner of the last stage where the default and a setting both finished
    (fits stopped by the deadline do not count): a setting only wins by beating the
    default on the same rows."""
    params = dict(LIGHTGBM_PARAMS)
    default_auc = tuned_auc = float("nan")
    improved = False
    for stage in ("full", "screen"):
        done = [r for r in rows if r["stage"] == stage and not r["cut"]]
        base = [r for r in done if r["default"]]
        others = [r for r in done if not r["default"]]
        if not base:
            continue
        default_auc = tuned_auc = base[0]["val_auc"]
        if not others:
            continue
        best = max(others, key=lambda r: r["val_auc"])
        if best["val_auc"] > default_auc:
            params = _settings(best)
            # the final model trains on every labelled customer: a tenth more trees
            params["n_estimators"] = max(10, int(round(best["trees"] * 1.1)))
            tuned_auc = best["val_auc"]
            improved = True
        break
    return TuneResult(
        params=params,
        default_params=dict(LIGHTGBM_PARAMS),
        default_auc=float(default_auc),
        tuned_auc=float(tuned_auc),
        improved=improved,
        trials=pd.DataFrame(rows),
        seconds=time.perf_counter() - clock.t0,
        budget_seconds=float(budget),
        stopped=clock.reason,
    )


def tune(
    table: CustomerTable,
    *,
    budget_seconds: float = TUNE_SECONDS,
    features: Sequence[str] | None = None,
    progress: Progress | None = None,
    cancel=None,
    random_state: int = 0,
) -> TuneResult:
    """Search LightGBM's settings for this table within ``budget_seconds``.

    Parameters
    ----------
    table : the confirmed customer table (labelled rows only are used).
    budget_seconds : wall-clock budget of the whole search (encoding included).
    features : feature columns (default ``table.features``).
    progress : ``progress(done, total, stage)`` after each fit.
    cancel : a ``threading.Event`` or a callable returning True to stop early; the best
        settings found so far are returned.
    random_state : seed of the split, the sample and the fits.

    Returns
    -------
    TuneResult
        Train with them: ``train(table, params=result.params)``.
    """
    _import_heavy()  # once per process: not the search's time
    started = time.perf_counter()  # the budget covers preparing the frame
    feats, cats = resolve_features(table, features)
    check_trainable(table, feats)
    y = label_vector(table)
    present = [c for c in feats if c in table.frame.columns]
    X = feature_frame(table.frame.loc[y.index, present], feats, cats)
    return tune_frame(
        X,
        y.to_numpy(),
        feats,
        cats,
        budget_seconds=budget_seconds,
        progress=progress,
        cancel=cancel,
        random_state=random_state,
        started=started,
    )


def with_params(spec: ModelSpec, params: dict[str, Any] | None) -> ModelSpec:
    """``spec`` whose factory sets ``params`` on the estimator (a tuned model)."""
    if not params:
        return spec
    factory = spec.factory

    def tuned(features, categorical, n_rows):
        pipe = factory(features, categorical, n_rows)
        pipe.set_params(**{f"model__{k}": v for k, v in params.items()})
        return pipe

    return replace(spec, factory=tuned, label=msg("{model} (tuned)", model=spec.label))
