"""The models the app can train: :class:`ModelSpec`, :data:`MODELS`, the factories.

Models are scikit-learn ``Pipeline(ColumnTransformer, estimator)`` objects built by a
factory in :data:`MODELS`; ``set_output(transform="pandas")`` keeps the feature names so
the explanations can name the user's columns. Heavy libraries (lightgbm, the sklearn
ensembles) are imported inside the factories.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from churn.errors import ChurnDataError
from churn.languages import DEFAULT_LANGUAGE
from churn.text import localize, msg

if TYPE_CHECKING:  # pragma: no cover - typing only
    from sklearn.pipeline import Pipeline

#: The model :func:`churn.model.training.train` uses when none is named.
DEFAULT_MODEL = "lightgbm"
#: OpenMP threads per fit or prediction for LightGBM and HistGradientBoosting (env
#: CHURNLENS_THREADS). One by default: on the shared 2-core server, OpenMP's busy-waiting
#: made 2-thread fits 9 to 30 times *slower* as soon as other work ran (load average 10,
#: 10k customers: LightGBM 1.7 s with 1 thread vs 15.3 s with 2; HistGradientBoosting
#: 1.3 s vs 43 s), while an idle machine gains at most 1.6x from the second thread
#: (100k customers: LightGBM 2.5 s vs 1.6 s). The forest uses joblib threads, which do not
#: spin, so it keeps 2 jobs.
THREADS = max(1, int(os.environ.get("CHURNLENS_THREADS", "1") or 1))


@dataclass(frozen=True)
class ModelSpec:
    """A model the app can train.

    Attributes
    ----------
    name : registry key (``"lightgbm"``).
    label : display name in English, written with ``msg()`` so that
        :func:`model_label` finds it in the language catalogues
        (``churn/locales/<lang>/*.json``). The one place a model's name is written.
    factory : ``factory(features, categorical, n_rows) -> Pipeline`` (unfitted).
    explainer : ``"tree"`` (shap.TreeExplainer on the last step) or ``"linear"``
        (shap.LinearExplainer on the last step, margin = log-odds).
    notes : one sentence on how the model treats categories, missing values and size.
    concurrent_fits : True when two fits may run at the same time in two threads (each
        single-threaded, with its thread count set on the estimator itself, not through
        process-wide limits): :func:`train` then runs its evaluation fit(s) and the final
        fit side by side. Same models, as each fit is deterministic on its own.
    """

    name: str
    label: str
    factory: Callable[[Sequence[str], Sequence[str], int], Pipeline]
    explainer: Literal["tree", "linear"]
    notes: str
    concurrent_fits: bool = False


def _numeric_imputer():
    from sklearn.impute import SimpleImputer

    # keep_empty_features: an all-missing column stays (as 0) so feature names are stable
    return SimpleImputer(strategy="median", keep_empty_features=True)


def _ordinal(impute: bool):
    """Categories as integer codes (no native categorical splits: shap cannot explain them).

    Missing and unseen categories become -1 for the forest (which gets no NaN) and NaN for
    the boosters, which route missing values themselves.
    """
    from sklearn.preprocessing import OrdinalEncoder

    code = -1 if impute else np.nan
    return OrdinalEncoder(
        handle_unknown="use_encoded_value",
        unknown_value=code,
        encoded_missing_value=code,
        dtype=np.float64,
    )


def _identity():
    """Numbers as they are (the boosters handle missing values themselves)."""
    from sklearn.preprocessing import FunctionTransformer

    return FunctionTransformer(feature_names_out="one-to-one")


def _prep(numeric: Sequence[str], categorical: Sequence[str], num, cat):
    from sklearn.compose import ColumnTransformer

    parts = []
    if numeric:
        parts.append(("num", num, list(numeric)))
    if categorical:
        parts.append(("cat", cat, list(categorical)))
    return ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=False)


def _split_features(features: Sequence[str], categorical: Sequence[str]):
    cats = [c for c in features if c in set(categorical)]
    nums = [c for c in features if c not in set(categorical)]
    return nums, cats


def _pipeline(prep, estimator) -> Pipeline:
    from sklearn.pipeline import Pipeline

    return Pipeline([("prep", prep), ("model", estimator)]).set_output(transform="pandas")


def make_logistic(features: Sequence[str], categorical: Sequence[str], n_rows: int) -> Pipeline:
    """Logistic regression: imputed + scaled numerics, one-hot categories (<= 30 levels each)."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from churn.feature_names import LevelNames

    nums, cats = _split_features(features, categorical)
    num = Pipeline([("impute", _numeric_imputer()), ("scale", StandardScaler())])
    cat = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="(missing)")),
            (
                "onehot",
                OneHotEncoder(
                    handle_unknown="ignore",
                    sparse_output=False,
                    max_categories=30,
                    # never two outputs of one name, whatever the columns are called
                    feature_name_combiner=LevelNames(features, cats),
                ),
            ),
        ]
    )
    est = LogisticRegression(C=1.0, max_iter=2000)
    return _pipeline(_prep(nums, cats, num, cat), est)


def make_random_forest(
    features: Sequence[str], categorical: Sequence[str], n_rows: int
) -> Pipeline:
    """Random forest capped at depth 10 and 200 trees; at most 20,000 rows per tree."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline

    nums, cats = _split_features(features, categorical)
    cat = Pipeline(
        [
            ("impute", SimpleImputer(strategy="constant", fill_value="(missing)")),
            ("codes", _ordinal(impute=True)),
        ]
    )
    est = RandomForestClassifier(
        n_estimators=200,
        max_depth=10,
        min_samples_leaf=5,
        max_samples=min(1.0, 20_000 / n_rows) if n_rows > 20_000 else None,
        n_jobs=2,
        random_state=0,
    )
    return _pipeline(_prep(nums, cats, _numeric_imputer(), cat), est)


def make_hist_gb(features: Sequence[str], categorical: Sequence[str], n_rows: int) -> Pipeline:
    """scikit-learn HistGradientBoosting on integer-coded categories (no native splits)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    nums, cats = _split_features(features, categorical)
    est = HistGradientBoostingClassifier(
        max_iter=100,
        learning_rate=0.1,
        max_leaf_nodes=31,
        categorical_features=None,
        early_stopping=False,
        random_state=0,
    )
    return _pipeline(_prep(nums, cats, _identity(), _ordinal(impute=False)), est)


#: The default LightGBM's settings that tuning searches (:mod:`churn.model.tuning`).
LIGHTGBM_PARAMS = {
    "n_estimators": 200,
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_child_samples": 20,
}


def make_lightgbm(features: Sequence[str], categorical: Sequence[str], n_rows: int) -> Pipeline:
    """LightGBM, 200 shallow trees, native categories, monotone warning signs.

    Categories reach the booster as codes flagged ``categorical_feature`` (split as
    groups of levels, not as ordered numbers); warning signs whose direction the name
    gives and the data confirm get ``monotone_constraints``
    (:mod:`churn.model.monotone`). The booster sees safe internal feature names, so any
    column name trains (:mod:`churn.feature_names`, :mod:`churn.lgbm`); everything else
    keeps the user's. :data:`LIGHTGBM_PARAMS` are the settings a tuned model changes.
    """
    from churn.lgbm import LGBMClassifierAnyNames
    from churn.model.monotone import proposed_directions

    nums, cats = _split_features(features, categorical)
    directions = proposed_directions(features, categorical)
    est = LGBMClassifierAnyNames(
        categorical_columns=tuple(cats),
        monotone_columns=tuple((c, d) for c, (d, _) in directions.items()),
        **LIGHTGBM_PARAMS,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        n_jobs=THREADS,
        random_state=0,
        verbose=-1,
    )
    return _pipeline(_prep(nums, cats, _identity(), _ordinal(impute=False)), est)


MODELS: dict[str, ModelSpec] = {}


def register_model(spec: ModelSpec) -> ModelSpec:
    """Add a model to :data:`MODELS` (the built-ins register the same way)."""
    MODELS[spec.name] = spec
    return spec


register_model(
    ModelSpec(
        "lightgbm",
        msg("LightGBM"),
        make_lightgbm,
        "tree",
        msg("Gradient-boosted trees; fastest and as accurate as any here. The default."),
        concurrent_fits=True,  # n_jobs=THREADS on the estimator; LightGBM frees the GIL
    )
)
register_model(
    ModelSpec(
        "logistic",
        msg("Logistic regression"),
        make_logistic,
        "linear",
        msg("A straight-line model on scaled numbers and one-hot categories; easy to read."),
    )
)
register_model(
    ModelSpec(
        "random_forest",
        msg("Random forest"),
        make_random_forest,
        "tree",
        msg("200 trees of depth at most 10, so explanations stay fast."),
    )
)
register_model(
    ModelSpec(
        "hist_gb",
        msg("Gradient boosting (scikit-learn)"),
        make_hist_gb,
        "tree",
        msg("HistGradientBoosting with categories as integer codes."),
    )
)


def model_label(name: str, lang: str = DEFAULT_LANGUAGE, default: str | None = None) -> str:
    """The display name of the registered model ``name`` in ``lang``.

    ``default`` (else ``name`` itself) when no model of that name is registered, e.g. a
    saved model of a plug-in this process does not have.
    """
    spec = MODELS.get(name)
    if spec is None:
        return name if default is None else default
    return localize(spec.label, lang)


def get_spec(name: str) -> ModelSpec:
    """The registry entry for ``name`` or a ChurnDataError listing the choices."""
    try:
        return MODELS[name]
    except KeyError:
        raise ChurnDataError(
            msg("there is no model called '{name}'.", name=name),
            fix=msg("choose one of {models}.", models=", ".join(MODELS)),
        ) from None
