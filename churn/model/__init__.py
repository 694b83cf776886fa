"""The churn model: registry, training, honest evaluation, the contact decision, scoring.

Everything here works on a :class:`~churn.table.CustomerTable` (or plain arrays of
scores) and returns frozen dataclasses or tidy frames. Heavy libraries (lightgbm, the
sklearn ensembles, skops) are imported inside the functions that use them. Import from
``churn.model`` itself; the submodules are where the code lives:

- :mod:`~churn.model.registry` -- :class:`ModelSpec`, :data:`MODELS`, :func:`register_model`,
  :func:`model_label` (a model's display name in a language)
  and the built-in factories (LightGBM, logistic regression, random forest, HistGB).
- :mod:`~churn.model.features` -- which columns may be features, the feature frame X,
  the label y and the gates a table must pass (:func:`check_trainable`).
- :mod:`~churn.model.splits` -- :class:`SplitSpec` and :func:`choose_split` (time-based
  hold-out or stratified k-fold).
- :mod:`~churn.model.evaluation` -- metrics with their baselines and the chart frames.
- :mod:`~churn.model.trained` -- :class:`TrainedModel` and how a pipeline predicts
  (thread limits, scoring large frames in two halves).
- :mod:`~churn.model.training` -- :func:`train` (and why models are trained unweighted)
  and :func:`leaderboard`.
- :mod:`~churn.model.decisions` -- profit curves and the recommended campaign
  (:class:`Decision`).
- :mod:`~churn.model.scoring` -- :func:`score`, :func:`score_new_file`, what the
  explanations need from the pipeline, and the scored list as CSV or XLSX.
- :mod:`~churn.model.tuning` -- :func:`tune`: LightGBM's settings searched within a time
  budget (early stopping, successive halving), :class:`TuneResult`.
- :mod:`~churn.model.monotone` -- warning signs whose direction is known get monotone
  constraints (:func:`proposed_directions`, :func:`monotone_plan`).
- :mod:`~churn.model.calibration` -- the cross-validated reliability check and its map
  (:func:`calibration_of`, :class:`Calibration`: none, sigmoid or isotonic by Brier score).
- :mod:`~churn.model.honest` -- :func:`honest_risk`: out-of-fold (cross-fitted) risks for
  every count or sum over customers the model learned from, calibrated when needed.
- :mod:`~churn.model.persistence` -- :func:`save_model` / :func:`load_model` (skops with
  the :data:`ALLOWED_TYPES` allow-list).

The constants are re-exported here as values: to change one at run time (a test), set it
on the submodule that reads it (e.g. ``churn.model.trained.CONCURRENT_PREDICT_ROWS``).
"""

from __future__ import annotations

from churn.model.calibration import (
    CALIBRATION_METHODS,
    Calibration,
    calibration_of,
    choose_calibration,
)
from churn.model.decisions import Decision, profit_curve, recommend, table_profit_curve
from churn.model.evaluation import (
    calibration_frame,
    confusion_frame,
    evaluate,
    gains_frame,
    pr_frame,
    roc_frame,
    score_distribution,
    threshold_counts,
    top_decile_lift,
)
from churn.model.features import (
    MIN_LABELLED,
    MIN_PER_CLASS,
    NEVER_FEATURES,
    category_text,
    check_trainable,
    feature_frame,
    label_vector,
    leakage_suspects,
    resolve_features,
)
from churn.model.honest import (
    CROSS_FIT_FOLDS,
    LARGE_CROSS_FIT,
    expected_among_active,
    honest_note,
    honest_risk,
    shift_risk,
)
from churn.model.monotone import MonotoneDecision, monotone_plan, proposed_directions
from churn.model.persistence import ALLOWED_TYPES, FILE_FORMAT, load_model, save_model
from churn.model.registry import (
    DEFAULT_MODEL,
    MODELS,
    THREADS,
    ModelSpec,
    get_spec,
    make_hist_gb,
    make_lightgbm,
    make_logistic,
    make_random_forest,
    model_label,
    register_model,
)
from churn.model.scoring import (
    feature_map,
    score,
    score_new_file,
    scores_bytes,
    transformed_features,
    write_scores,
)
from churn.model.splits import CV_FOLDS, TIME_TEST_SHARE, SplitSpec, choose_split
from churn.model.trained import CONCURRENT_PREDICT_ROWS, TrainedModel, limit_threads
from churn.model.training import leaderboard, train
from churn.model.tuning import TUNE_SECONDS, TuneResult, tune

# The name churn.explain.seam still imports from before the split; new code uses
# limit_threads.
_threads = limit_threads

__all__ = [
    "ALLOWED_TYPES",
    "CALIBRATION_METHODS",
    "CROSS_FIT_FOLDS",
    "LARGE_CROSS_FIT",
    "Calibration",
    "calibration_of",
    "choose_calibration",
    "expected_among_active",
    "honest_note",
    "honest_risk",
    "CONCURRENT_PREDICT_ROWS",
    "CV_FOLDS",
    "DEFAULT_MODEL",
    "FILE_FORMAT",
    "MIN_LABELLED",
    "MIN_PER_CLASS",
    "MODELS",
    "NEVER_FEATURES",
    "THREADS",
    "TIME_TEST_SHARE",
    "Decision",
    "ModelSpec",
    "SplitSpec",
    "TrainedModel",
    "calibration_frame",
    "category_text",
    "check_trainable",
    "choose_split",
    "confusion_frame",
    "evaluate",
    "feature_frame",
    "feature_map",
    "gains_frame",
    "get_spec",
    "label_vector",
    "leaderboard",
    "leakage_suspects",
    "limit_threads",
    "load_model",
    "make_hist_gb",
    "make_lightgbm",
    "make_logistic",
    "make_random_forest",
    "model_label",
    "pr_frame",
    "profit_curve",
    "recommend",
    "register_model",
    "resolve_features",
    "roc_frame",
    "save_model",
    "shift_risk",
    "score",
    "score_distribution",
    "score_new_file",
    "scores_bytes",
    "table_profit_curve",
    "threshold_counts",
    "top_decile_lift",
    "train",
    "tune",
    "TUNE_SECONDS",
    "TuneResult",
    "MonotoneDecision",
    "monotone_plan",
    "proposed_directions",
    "transformed_features",
    "write_scores",
]
