"""A fitted model with its evidence (:class:`TrainedModel`) and how a pipeline predicts:
thread limits and scoring large frames in two halves at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from churn.model.registry import THREADS
from churn.model.splits import SplitSpec
from churn.roles import ColumnRoles
from churn.settings import IntakeSettings

if TYPE_CHECKING:  # pragma: no cover - typing only
    from sklearn.pipeline import Pipeline


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """A fitted model with the evidence of how good it is.

    Attributes
    ----------
    name, label : registry key and display name.
    pipeline_ : the Pipeline refitted on *all* labelled customers after evaluation.
    features, categorical : the input columns and their categorical subset.
    explainer : ``"tree"`` or ``"linear"`` (which shap explainer fits the last step).
    split : how the metrics were measured.
    metrics : :func:`evaluate` on the hold-out or the pooled out-of-fold scores, plus
        ``roc_auc_std`` (across folds; NaN for a hold-out).
    predictions : ``customer_id``, ``churned``, ``score``, ``fold`` for every evaluated
        customer (hold-out or out-of-fold): what the evaluation charts draw.
    class_balance : ``n_churned``, ``n_active``, ``base_rate`` and ``handling`` (words).
    n_train : labelled customers the final model was fitted on.
    fit_seconds : wall time of evaluation plus the final fit.
    random_state : the seed used.
    version : the ChurnLens version that trained it.
    roles : the roles of the training table as a dict (:meth:`ColumnRoles.to_dict`).
    settings : the intake settings it was trained with (roles, snapshot, inactivity
        window); None for a model file saved before models kept them (see
        :meth:`intake_settings`).
    """

    name: str
    label: str
    pipeline_: Any = field(repr=False)
    features: tuple[str, ...]
    categorical: tuple[str, ...]
    explainer: str
    split: SplitSpec
    metrics: dict[str, Any]
    predictions: pd.DataFrame = field(repr=False)
    class_balance: dict[str, Any]
    n_train: int
    fit_seconds: float
    random_state: int = 0
    version: str = ""
    roles: dict[str, Any] = field(default_factory=dict, repr=False)
    settings: IntakeSettings | None = field(default=None, repr=False)

    def predict_risk(self, X: pd.DataFrame) -> np.ndarray:
        """Churn probability for a feature frame (see :func:`feature_frame`)."""
        return pipeline_risk(self.pipeline_, X[list(self.features)])

    def intake_settings(self) -> IntakeSettings:
        """The settings it was trained with; for an older model file that did not keep
        them, its roles with the default snapshot and inactivity window."""
        if self.settings is not None:
            return self.settings
        return IntakeSettings(ColumnRoles.from_dict(self.roles or {}))


def limit_threads():
    """Cap OpenMP/BLAS threads (HistGradientBoosting, numpy) at :data:`THREADS`."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=THREADS)


#: Rows from which :func:`pipeline_risk` scores a LightGBM model in two halves at once.
CONCURRENT_PREDICT_ROWS = 50_000


def _single_threaded_lightgbm(pipe: Pipeline) -> bool:
    est = pipe.steps[-1][1]
    lightgbm = any(c.__name__ == "LGBMClassifier" for c in type(est).__mro__)
    return lightgbm and est.get_params().get("n_jobs") == 1


def pipeline_risk(pipe: Pipeline, X: pd.DataFrame) -> np.ndarray:
    """Churn probability of each row of ``X`` from a fitted pipeline, threads limited.

    A large frame scored by a single-threaded LightGBM model goes in two halves at once.
    """
    if len(X) < CONCURRENT_PREDICT_ROWS or THREADS > 1 or not _single_threaded_lightgbm(pipe):
        with limit_threads():
            return pipe.predict_proba(X)[:, 1]
    # Each row's score depends on that row alone: two halves in two single-threaded
    # workers give the same numbers in about half the time on two cores (LightGBM frees
    # the GIL while it predicts; no OpenMP team, so no busy-waiting under load).
    from concurrent.futures import ThreadPoolExecutor

    half = len(X) // 2
    parts = (X.iloc[:half], X.iloc[half:])
    with (
        limit_threads(),
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="churn-score") as pool,
    ):
        out = list(pool.map(lambda part: pipe.predict_proba(part)[:, 1], parts))
    return np.concatenate(out)
