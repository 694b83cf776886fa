"""The churn model: registry, training, honest evaluation, the contact decision, scoring.

Everything here works on a :class:`~churn.table.CustomerTable` (or plain arrays of
scores) and returns frozen dataclasses or tidy frames. Models are scikit-learn
``Pipeline(ColumnTransformer, estimator)`` objects built by a factory in :data:`MODELS`;
``set_output(transform="pandas")`` keeps the feature names so the explanations can name
the user's columns. Heavy libraries (lightgbm, the sklearn ensembles, skops) are imported
inside the functions that use them.

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

import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import CHURNED, ID, START, STATUS, CustomerTable
from churn.text import msg

if TYPE_CHECKING:  # pragma: no cover - typing only
    from sklearn.pipeline import Pipeline

#: Minimum data for a model worth showing (the gates in :func:`check_trainable`).
MIN_LABELLED = 100
MIN_PER_CLASS = 20
#: Share of the latest customers held out by the time-based split.
TIME_TEST_SHARE = 0.25
CV_FOLDS = 5
#: Canonical columns that are never features: they are the label or follow from it.
NEVER_FEATURES = (ID, CHURNED, STATUS, START, "end_date")
DEFAULT_MODEL = "lightgbm"
#: OpenMP threads per fit or prediction for LightGBM and HistGradientBoosting (env
#: CHURNLENS_THREADS). One by default: on the shared 2-core server, OpenMP's busy-waiting
#: made 2-thread fits 9 to 30 times *slower* as soon as other work ran (load average 10,
#: 10k customers: LightGBM 1.7 s with 1 thread vs 15.3 s with 2; HistGradientBoosting
#: 1.3 s vs 43 s), while an idle machine gains at most 1.6x from the second thread
#: (100k customers: LightGBM 2.5 s vs 1.6 s). The forest uses joblib threads, which do not
#: spin, so it keeps 2 jobs.
THREADS = max(1, int(os.environ.get("CHURNLENS_THREADS", "1") or 1))
#: Format version of saved model files.
FILE_FORMAT = 1


# --------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class ModelSpec:
    """A model the app can train.

    Attributes
    ----------
    name : registry key (``"lightgbm"``).
    label : display name.
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


def make_lightgbm(features: Sequence[str], categorical: Sequence[str], n_rows: int) -> Pipeline:
    """LightGBM, 200 shallow trees, integer-coded categories, 2 threads.

    The booster sees safe internal feature names, so any column name trains
    (:mod:`churn.feature_names`, :mod:`churn.lgbm`); everything else keeps the user's.
    """
    from churn.lgbm import LGBMClassifierAnyNames

    nums, cats = _split_features(features, categorical)
    est = LGBMClassifierAnyNames(
        n_estimators=200,
        learning_rate=0.05,
        num_leaves=15,
        min_child_samples=20,
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
        "LightGBM",
        make_lightgbm,
        "tree",
        msg("Gradient-boosted trees; fastest and as accurate as any here. The default."),
        concurrent_fits=True,  # n_jobs=THREADS on the estimator; LightGBM frees the GIL
    )
)
register_model(
    ModelSpec(
        "logistic",
        "Logistic regression",
        make_logistic,
        "linear",
        msg("A straight-line model on scaled numbers and one-hot categories; easy to read."),
    )
)
register_model(
    ModelSpec(
        "random_forest",
        "Random forest",
        make_random_forest,
        "tree",
        msg("200 trees of depth at most 10, so explanations stay fast."),
    )
)
register_model(
    ModelSpec(
        "hist_gb",
        "scikit-learn gradient boosting",
        make_hist_gb,
        "tree",
        msg("HistGradientBoosting with categories as integer codes."),
    )
)


def get_spec(name: str) -> ModelSpec:
    """The registry entry for ``name`` or a ChurnDataError listing the choices."""
    try:
        return MODELS[name]
    except KeyError:
        raise ChurnDataError(
            msg("there is no model called '{name}'.", name=name),
            fix=msg("choose one of {models}.", models=", ".join(MODELS)),
        ) from None


def _set_random_state(pipe: Pipeline, random_state: int) -> Pipeline:
    est = pipe.steps[-1][1]
    if "random_state" in est.get_params():
        est.set_params(random_state=random_state)
    return pipe


# --------------------------------------------------------------------------- features
def leakage_suspects(table: CustomerTable) -> list[tuple[str, str]]:
    """Columns intake flagged as possible leakage: ``(column, reason)`` pairs.

    Intake marks them in ``table.excluded`` with a reason starting with ``"leakage"``
    (e.g. a column that is only filled in for churned customers); the churn-reason column
    (``roles.reason``) is always one. They are never in ``table.features`` unless the user
    adds them back.
    """
    out = [(c, r) for c, r in table.excluded if str(r).lower().startswith("leakage")]
    reason = table.roles.reason
    if reason and reason in table.frame.columns and reason not in {c for c, _ in out}:
        # a churn reason is only written down once the customer has left
        out.append(
            (
                reason,
                msg("leakage: the churn reason is only recorded after a customer leaves"),
            )
        )
    return out


def _forbidden(table: CustomerTable) -> dict[str, str]:
    bad = {c: msg("it is part of the churn label") for c in NEVER_FEATURES}
    bad[START] = bad["end_date"] = msg("it is a raw date (use tenure or recency in days instead)")
    bad[ID] = msg("it is the customer id")
    for c in table.personal:
        bad[c] = msg("it is a personal column")
    return bad


def resolve_features(
    table: CustomerTable, features: Sequence[str] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The features to use and their categorical subset, checked against the table.

    ``features=None`` means ``table.features`` (leakage suspects are not in it). A column
    that is missing, an id, a personal column, the label or a raw date is refused.
    """
    feats = tuple(table.features if features is None else features)
    frame = table.frame
    forbidden = _forbidden(table)
    for c in feats:
        if c not in frame.columns:
            raise ChurnDataError(
                msg("this column is not in the customer table."),
                fix=msg("choose features from the table's columns."),
                column=c,
            )
        if c in forbidden:
            raise ChurnDataError(
                msg("cannot be a model feature: {reason}.", reason=forbidden[c]),
                fix=msg("leave it out of the features."),
                column=c,
            )
        if pd.api.types.is_datetime64_any_dtype(frame[c]):
            raise ChurnDataError(
                msg("a raw date cannot be a model feature."),
                fix=msg("use tenure or recency (days) instead of the date itself."),
                column=c,
            )
    declared = set(table.categorical)
    cats = tuple(
        c
        for c in feats
        if c in declared
        or not (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))
    )
    return feats, cats


def feature_frame(
    table: CustomerTable | pd.DataFrame,
    features: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The model's input X: categoricals as text (missing stays NaN), numerics as float.

    Parameters
    ----------
    table : a CustomerTable, or a plain frame holding the feature columns.
    features : columns to use (default: the table's features).
    categorical : the categorical subset (default: the table's, plus any text column).

    Returns
    -------
    pd.DataFrame
        A new frame, same index as the input; the input is not modified.
    """
    if isinstance(table, CustomerTable):
        if categorical is None:
            features, categorical = resolve_features(table, features)
        frame = table.frame
        features = table.features if features is None else features
    else:
        frame = table
        if features is None:
            raise ChurnDataError(
                msg("no features were given for a plain frame."), fix=msg("pass features.")
            )
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise ChurnDataError(
            msg(
                "the model needs column '{column}', which this file does not have (nor {others}).",
                column=missing[0],
                others=", ".join(missing[1:4]),
            )
            if len(missing) > 1
            else msg(
                "the model needs column '{column}', which this file does not have.",
                column=missing[0],
            ),
            fix=msg("use a file with the same columns as the one the model was trained on."),
            column=missing[0],
        )
    cats = set(categorical or ())
    out: dict[str, pd.Series] = {}
    for c in features:
        s = frame[c]
        if c in cats:
            out[c] = _category_texts(s)
        elif pd.api.types.is_bool_dtype(s):
            out[c] = s.astype(float)
        else:
            out[c] = pd.to_numeric(s, errors="coerce").astype(float)
    return pd.DataFrame(out, index=frame.index)


#: Missing-value types whose ``_category_text`` is NaN (what ``pd.factorize`` calls missing).
_PLAIN_NA_TYPES = (type(None), float, np.float64, np.float32, type(pd.NA), type(pd.NaT))


def _category_texts(s: pd.Series) -> pd.Series:
    """``s.map(_category_text)`` as an object column, one call per distinct value."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object)
    if s.dtype == object:
        # Equal values of different types (True, 1 and 1.0) share one code but read
        # differently, and odd missing markers (a Decimal NaN) read as text: value by value.
        same_type = len({type(u) for u in uniq}) <= 1
        na = s.to_numpy()[codes < 0]
        if not same_type or not {type(v) for v in na} <= set(_PLAIN_NA_TYPES):
            return s.astype(object).map(_category_text).astype(object)
    texts = np.empty(len(uniq) + 1, dtype=object)
    texts[:-1] = [_category_text(u) for u in uniq]
    texts[-1] = np.nan  # code -1: missing
    return pd.Series(texts[codes], index=s.index, name=s.name, dtype=object)


def _category_text(v: Any) -> Any:
    """One category value as text; missing stays NaN and 1.0 reads as "1" (so a column
    read as numbers in one file and as text in another gives the same categories)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return np.nan
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return np.nan
        if float(v).is_integer():
            return str(int(v))
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    return str(v).strip()


def label_vector(table: CustomerTable) -> pd.Series:
    """The label of the labelled rows: 1 churned, 0 active (unlabelled rows dropped)."""
    y = table.frame[CHURNED]
    return y[y.notna()].astype(int).rename("churned")


# --------------------------------------------------------------------------- gates
def check_trainable(table: CustomerTable, features: Sequence[str] | None = None) -> None:
    """Raise ChurnDataError unless the table can support a model worth showing.

    Needs at least :data:`MIN_LABELLED` labelled customers, both classes with at least
    :data:`MIN_PER_CLASS` customers each, and at least one feature.
    """
    y = label_vector(table)
    n, n1 = len(y), int(y.sum())
    n0 = n - n1
    if n < MIN_LABELLED:
        raise ChurnDataError(
            msg(
                "only {n} customers have a churn label; a model needs at least {minimum}.",
                n=n,
                minimum=MIN_LABELLED,
            ),
            fix=msg("use a longer history or more customers, or check the label column's values."),
        )
    if n1 == 0 or n0 == 0:
        raise ChurnDataError(
            msg("no churned customers among the {n} labelled ones: a model needs both.", n=n)
            if n1 == 0
            else msg("no active customers among the {n} labelled ones: a model needs both.", n=n),
            fix=msg("check which label values mean churned and active."),
        )
    if min(n0, n1) < MIN_PER_CLASS:
        raise ChurnDataError(
            msg(
                "only {churned} churned and {active} active customers; a model needs at least "
                "{minimum} of each to learn anything.",
                churned=n1,
                active=n0,
                minimum=MIN_PER_CLASS,
            ),
            fix=msg("add more customers or a longer period."),
        )
    feats = table.features if features is None else features
    if not feats:
        raise ChurnDataError(
            msg("there are no feature columns to learn from."),
            fix=msg("mark at least one attribute column as a feature on the Data page."),
        )


# --------------------------------------------------------------------------- split
@dataclass(frozen=True)
class SplitSpec:
    """How the model is evaluated.

    Attributes
    ----------
    kind : ``"time"`` (hold out the latest customers) or ``"cv"`` (stratified k-fold).
    folds : number of folds for ``"cv"``.
    test_share : share of labelled customers held out for ``"time"``.
    cutoff : first start date in the hold-out (``"time"`` only).
    n_train, n_test : labelled customers trained on and tested on (``"cv"``: per fold).
    time_available : whether a time-based split was possible for this table.
    description : the split in plain words (a :class:`churn.text.Text`, so the app can
        translate it; a plain str once read back from a saved model or workspace).
    train_rate, test_rate : churn rate among the trained-on and held-out customers
        (``"time"`` only). Newer customers have had less time to leave, so the hold-out
        rate is often lower: ranking (ROC AUC, lift) is then the fair measure, and the
        Brier score and log loss look worse than they will be on the whole table.
    """

    kind: Literal["time", "cv"]
    folds: int = CV_FOLDS
    test_share: float = TIME_TEST_SHARE
    cutoff: pd.Timestamp | None = None
    n_train: int = 0
    n_test: int = 0
    time_available: bool = False
    description: str = ""
    train_rate: float = float("nan")
    test_rate: float = float("nan")

    @property
    def rates_differ(self) -> bool:
        """True when the hold-out's churn rate is under 2/3 or over 3/2 of training's."""
        a, b = self.train_rate, self.test_rate
        if self.kind != "time" or not (a > 0 and b > 0):  # NaN compares False
            return False
        return not (2 / 3 <= b / a <= 3 / 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "folds": self.folds if self.kind == "cv" else None,
            "test_share": self.test_share if self.kind == "time" else None,
            "cutoff": None if self.cutoff is None else self.cutoff.date().isoformat(),
            "n_train": self.n_train,
            "n_test": self.n_test,
            "time_available": self.time_available,
            "description": self.description,
            "train_rate": None if math.isnan(self.train_rate) else self.train_rate,
            "test_rate": None if math.isnan(self.test_rate) else self.test_rate,
        }


def _time_order(table: CustomerTable) -> pd.Series | None:
    """Start dates of the labelled rows, when enough of them have one."""
    lab = table.frame.loc[table.frame[CHURNED].notna(), START]
    if not pd.api.types.is_datetime64_any_dtype(lab) or lab.notna().mean() < 0.9:
        return None
    if lab.nunique() < 10:
        return None
    return lab


def _time_split_masks(table: CustomerTable, test_share: float):
    """(train mask, test mask, cutoff) over the labelled rows; latest starters are test."""
    starts = _time_order(table)
    if starts is None:
        return None
    y = label_vector(table)
    order = starts.fillna(pd.Timestamp.min).sort_values(kind="mergesort")
    n_test = int(round(len(order) * test_share))
    cutoff = order.iloc[len(order) - n_test]
    # whole days go to one side, so "started on or after the cutoff" is the rule
    test = (starts >= cutoff).reindex(y.index, fill_value=False)
    train = ~test
    ok = all(
        int(y[m].sum()) >= MIN_PER_CLASS // 2 and int((1 - y[m]).sum()) >= MIN_PER_CLASS // 2
        for m in (train, test)
    )
    return (train, test, cutoff) if ok else None


def choose_split(
    table: CustomerTable,
    prefer: Literal["auto", "time", "cv"] = "auto",
    test_share: float = TIME_TEST_SHARE,
    folds: int = CV_FOLDS,
) -> SplitSpec:
    """Pick how to evaluate: a time-based hold-out when start dates allow, else k-fold CV.

    With start dates on at least 90 % of labelled customers, the model is trained on the
    customers who started earlier and tested on the latest ``test_share`` of them: the
    situation the model will face (predicting for newer customers). Without dates, or if
    the hold-out would have too few churned or active customers, stratified ``folds``-fold
    cross-validation is used. ``prefer="cv"`` forces cross-validation.
    """
    masks = _time_split_masks(table, test_share)
    n = len(label_vector(table))
    if masks is not None and prefer in ("auto", "time"):
        train, test, cutoff = masks
        y = label_vector(table)
        r_train, r_test = float(y[train].mean()), float(y[test].mean())
        desc = msg(
            "Time-based hold-out: trained on the {n_train:,} customers who started "
            "before {cutoff} and tested on the {n_test:,} who "
            "started on or after it (the latest {share:.0%}), as the model will be "
            "used on newer customers.",
            n_train=int(train.sum()),
            cutoff=cutoff.date().isoformat(),
            n_test=int(test.sum()),
            share=test_share,
        )
        if not (2 / 3 <= r_test / r_train <= 3 / 2):
            desc = msg(
                "{split} The newer customers churned at {test_rate:.1%} against "
                "{train_rate:.1%} before: they have had less time to leave, so judge the "
                "model on ranking (ROC AUC, lift); its Brier score and log loss on them "
                "understate it.",
                split=desc,
                test_rate=r_test,
                train_rate=r_train,
            )
        return SplitSpec(
            "time",
            folds=folds,
            test_share=test_share,
            cutoff=cutoff,
            n_train=int(train.sum()),
            n_test=int(test.sum()),
            time_available=True,
            description=desc,
            train_rate=r_train,
            test_rate=r_test,
        )
    desc = (
        msg(
            "Stratified {folds}-fold cross-validation on {n:,} labelled customers: each "
            "customer is scored once by a model that did not see them (a time-based split "
            "needs start dates and enough churned customers late on).",
            folds=folds,
            n=n,
        )
        if prefer == "time" and masks is None
        else msg(
            "Stratified {folds}-fold cross-validation on {n:,} labelled customers: each "
            "customer is scored once by a model that did not see them.",
            folds=folds,
            n=n,
        )
    )
    n_test = n // folds
    return SplitSpec(
        "cv",
        folds=folds,
        test_share=test_share,
        n_train=n - n_test,
        n_test=n_test,
        time_available=masks is not None,
        description=desc,
    )


# --------------------------------------------------------------------------- evaluation
def _as_arrays(y_true, y_score) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(y_score, dtype=float)
    if y.shape != s.shape:
        raise ChurnDataError(msg("labels and scores have different lengths."))
    keep = ~(np.isnan(y) | np.isnan(s))
    return y[keep].astype(int), s[keep]


def top_decile_lift(y_true, y_score, share: float = 0.1) -> float:
    """Churn rate among the top ``share`` by score divided by the overall churn rate."""
    y, s = _as_arrays(y_true, y_score)
    if len(y) == 0 or y.mean() == 0:
        return float("nan")
    k = max(1, int(math.ceil(len(y) * share)))
    top = np.argsort(-s, kind="mergesort")[:k]
    return float(y[top].mean() / y.mean())


def evaluate(y_true, y_score, threshold: float = 0.5) -> dict[str, Any]:
    """Headline metrics of risk scores against the truth, each with its baseline.

    Returns
    -------
    dict
        ``n``, ``n_churned``, ``base_rate``; ``roc_auc`` (0.5 = guessing); ``pr_auc``
        (average precision; guessing gives ``base_rate``); ``brier`` and
        ``brier_baseline`` (always predicting the base rate); ``log_loss`` and
        ``log_loss_baseline``; ``top_decile_lift``; ``threshold`` and the confusion
        matrix at it (``tp``, ``fp``, ``tn``, ``fn``), ``precision``, ``recall``.
    """
    from sklearn.metrics import (
        average_precision_score,
        brier_score_loss,
        log_loss,
        roc_auc_score,
    )

    y, s = _as_arrays(y_true, y_score)
    n, n1 = len(y), int(y.sum())
    base = n1 / n if n else float("nan")
    both = 0 < n1 < n
    clipped = np.clip(s, 1e-15, 1 - 1e-15)
    return {
        "n": n,
        "n_churned": n1,
        "base_rate": base,
        "roc_auc": float(roc_auc_score(y, s)) if both else float("nan"),
        "pr_auc": float(average_precision_score(y, s)) if both else float("nan"),
        "brier": float(brier_score_loss(y, s)) if n else float("nan"),
        "brier_baseline": base * (1 - base) if n else float("nan"),
        "log_loss": float(log_loss(y, clipped, labels=[0, 1])) if n else float("nan"),
        "log_loss_baseline": (
            float(-(base * math.log(base) + (1 - base) * math.log(1 - base)))
            if both
            else float("nan")
        ),
        "top_decile_lift": top_decile_lift(y, s),
        **threshold_counts(y, s, threshold),
    }


def threshold_counts(y_true, y_score, threshold: float = 0.5) -> dict[str, Any]:
    """The part of :func:`evaluate` that depends on the threshold: ``threshold``, the
    confusion matrix (``tp``, ``fp``, ``tn``, ``fn``; "churned" = risk >= threshold),
    ``precision`` and ``recall``. Cheap: a page moving a threshold slider calls only this."""
    y, s = _as_arrays(y_true, y_score)
    pred = s >= threshold
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    tn = int((~pred & (y == 0)).sum())
    return {
        "threshold": float(threshold),
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "recall": tp / (tp + fn) if tp + fn else float("nan"),
    }


def roc_frame(y_true, y_score) -> pd.DataFrame:
    """ROC curve: ``threshold``, ``false_positive_rate``, ``true_positive_rate``."""
    from sklearn.metrics import roc_curve

    y, s = _as_arrays(y_true, y_score)
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=True)
    return pd.DataFrame(
        {"threshold": np.minimum(thr, 1.0), "false_positive_rate": fpr, "true_positive_rate": tpr}
    )


def pr_frame(y_true, y_score) -> pd.DataFrame:
    """Precision-recall curve: ``threshold``, ``recall``, ``precision``, ``base_rate``."""
    from sklearn.metrics import precision_recall_curve

    y, s = _as_arrays(y_true, y_score)
    prec, rec, thr = precision_recall_curve(y, s, drop_intermediate=True)
    thr = np.append(thr, 1.0)
    return pd.DataFrame(
        {"threshold": thr, "recall": rec, "precision": prec, "base_rate": float(y.mean())}
    )


def calibration_frame(y_true, y_score, bins: int = 10) -> pd.DataFrame:
    """Reliability table: customers binned by predicted risk (equal-width bins).

    Columns: ``bin_low``, ``bin_high``, ``n``, ``mean_predicted``, ``observed_rate``,
    ``churned``. A calibrated model has ``observed_rate`` close to ``mean_predicted``.
    Empty bins are left out.
    """
    y, s = _as_arrays(y_true, y_score)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(s, edges[1:-1], right=False), 0, bins - 1)
    frame = pd.DataFrame({"bin": idx, "y": y, "s": s})
    g = frame.groupby("bin").agg(
        n=("y", "size"), churned=("y", "sum"), mean_predicted=("s", "mean")
    )
    g["observed_rate"] = g["churned"] / g["n"]
    g["bin_low"] = edges[g.index]
    g["bin_high"] = edges[g.index + 1]
    g["churned"] = g["churned"].astype(int)
    return g.reset_index(drop=True)[
        ["bin_low", "bin_high", "n", "mean_predicted", "observed_rate", "churned"]
    ]


def gains_frame(y_true, y_score, points: int = 100) -> pd.DataFrame:
    """Cumulative gains and lift when customers are contacted from the riskiest down.

    Columns: ``share_contacted`` (0..1), ``contacted``, ``churners_found``,
    ``share_of_churners`` (the gain), ``lift`` (churn rate among the contacted over the
    overall rate), ``random_share`` (the gain of a random order).
    """
    y, s = _as_arrays(y_true, y_score)
    n = len(y)
    order = np.argsort(-s, kind="mergesort")
    found = np.concatenate([[0], np.cumsum(y[order])])
    ks = np.unique(np.linspace(0, n, min(points, n) + 1).round().astype(int))
    total = max(int(y.sum()), 1)
    base = y.mean() if n else float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        lift = np.where(ks > 0, (found[ks] / np.maximum(ks, 1)) / base, np.nan)
    return pd.DataFrame(
        {
            "share_contacted": ks / n if n else ks * 0.0,
            "contacted": ks,
            "churners_found": found[ks].astype(int),
            "share_of_churners": found[ks] / total,
            "lift": lift,
            "random_share": ks / n if n else ks * 0.0,
        }
    )


def score_distribution(y_true, y_score, bins: int = 20) -> pd.DataFrame:
    """Histogram of scores by true class: ``bin_low``, ``bin_high``, ``outcome``, ``n``, ``share``.

    ``outcome`` is ``"churned"`` or ``"active"``; ``share`` is within the class.
    """
    y, s = _as_arrays(y_true, y_score)
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for cls, name in ((1, "churned"), (0, "active")):
        counts, _ = np.histogram(s[y == cls], bins=edges)
        tot = max(int(counts.sum()), 1)
        for i, c in enumerate(counts):
            rows.append((edges[i], edges[i + 1], name, int(c), c / tot))
    return pd.DataFrame(rows, columns=["bin_low", "bin_high", "outcome", "n", "share"])


def confusion_frame(y_true, y_score, threshold: float = 0.5) -> pd.DataFrame:
    """Confusion matrix at ``threshold``: rows ``actual``, ``predicted``, ``n``, ``share``."""
    m = threshold_counts(y_true, y_score, threshold)
    n = max(m["tp"] + m["fp"] + m["tn"] + m["fn"], 1)
    rows = [
        ("churned", "churned", m["tp"]),
        ("churned", "active", m["fn"]),
        ("active", "churned", m["fp"]),
        ("active", "active", m["tn"]),
    ]
    return pd.DataFrame(
        [(a, p, k, k / n) for a, p, k in rows], columns=["actual", "predicted", "n", "share"]
    )


# --------------------------------------------------------------------------- training
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

    def predict_risk(self, X: pd.DataFrame) -> np.ndarray:
        """Churn probability for a feature frame (see :func:`feature_frame`)."""
        return _proba(self.pipeline_, X[list(self.features)])


def _threads():
    """Cap OpenMP/BLAS threads (HistGradientBoosting, numpy) at :data:`THREADS`."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=THREADS)


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
    with _threads():
        pipe.fit(X, y)
    return pipe


def _fit_many(
    spec: ModelSpec,
    data: Sequence[Callable[[], tuple[pd.DataFrame, np.ndarray]]],
    feats,
    cats,
    random_state: int,
) -> list[Pipeline]:
    """One fitted pipeline per ``data()`` (X, y), in order.

    Two at a time in two threads when the model allows it (:attr:`ModelSpec.
    concurrent_fits`) and each fit uses one thread: the evaluation fit and the final fit
    of :func:`train` then share the two cores without OpenMP's busy-waiting (each fit has
    its own single thread). Otherwise one after the other, as before.
    """
    if not spec.concurrent_fits or THREADS > 1 or len(data) < 2:
        return [_fit(spec, *make(), feats, cats, random_state) for make in data]
    from concurrent.futures import ThreadPoolExecutor

    def one(make: Callable[[], tuple[pd.DataFrame, np.ndarray]]) -> Pipeline:
        return _fit(spec, *make(), feats, cats, random_state, limit=False)

    # The process-wide limits are set once here: entering and leaving them in two threads
    # at once could leave them changed.
    with _threads(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="churn-fit") as pool:
        return list(pool.map(one, data))


#: Rows from which :func:`_proba` scores a LightGBM model in two halves at once.
CONCURRENT_PREDICT_ROWS = 50_000


def _single_threaded_lightgbm(pipe: Pipeline) -> bool:
    est = pipe.steps[-1][1]
    lightgbm = any(c.__name__ == "LGBMClassifier" for c in type(est).__mro__)
    return lightgbm and est.get_params().get("n_jobs") == 1


def _proba(pipe: Pipeline, X: pd.DataFrame) -> np.ndarray:
    if len(X) < CONCURRENT_PREDICT_ROWS or THREADS > 1 or not _single_threaded_lightgbm(pipe):
        with _threads():
            return pipe.predict_proba(X)[:, 1]
    # Each row's score depends on that row alone: two halves in two single-threaded
    # workers give the same numbers in about half the time on two cores (LightGBM frees
    # the GIL while it predicts; no OpenMP team, so no busy-waiting under load).
    from concurrent.futures import ThreadPoolExecutor

    half = len(X) // 2
    parts = (X.iloc[:half], X.iloc[half:])
    with _threads(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="churn-score") as pool:
        out = list(pool.map(lambda part: pipe.predict_proba(part)[:, 1], parts))
    return np.concatenate(out)


def train(
    table: CustomerTable,
    model: str = DEFAULT_MODEL,
    features: Sequence[str] | None = None,
    split: SplitSpec | None = None,
    random_state: int = 0,
) -> TrainedModel:
    """Evaluate a registry model honestly, then fit it on every labelled customer.

    Parameters
    ----------
    table : the confirmed customer table; unlabelled rows are never trained on.
    model : a key of :data:`MODELS`.
    features : feature columns (default ``table.features``: leakage suspects excluded).
    split : how to evaluate (default :func:`choose_split`).
    random_state : seed for the folds and the estimator.

    Returns
    -------
    TrainedModel
    """
    import churn

    spec = get_spec(model)
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
    score = np.full(len(y), np.nan)
    fold = np.zeros(len(y), dtype=int)
    fold_auc: list[float] = []
    if split.kind == "time":
        masks = _time_split_masks(table, split.test_share)
        if masks is None:
            raise ChurnDataError(
                msg("a time-based split is not possible for this table."),
                fix=msg("use cross-validation instead."),
            )
        train_m = masks[0].to_numpy()
        test_m = masks[1].to_numpy()
        pipe, final = _fit_many(
            spec, [lambda: (X[train_m], yv[train_m]), lambda: (X, yv)], feats, cats, random_state
        )
        score[test_m] = _proba(pipe, X[test_m])
        fold[test_m] = 1
        keep = test_m
    else:
        from sklearn.metrics import roc_auc_score
        from sklearn.model_selection import StratifiedKFold

        skf = StratifiedKFold(n_splits=split.folds, shuffle=True, random_state=random_state)
        folds = list(skf.split(X, yv))
        jobs: list[Callable[[], tuple[pd.DataFrame, np.ndarray]]] = [
            lambda tr=tr: (X.iloc[tr], yv[tr]) for tr, _ in folds
        ]
        *pipes, final = _fit_many(spec, [*jobs, lambda: (X, yv)], feats, cats, random_state)
        for i, ((_, te), pipe) in enumerate(zip(folds, pipes, strict=True), start=1):
            score[te] = _proba(pipe, X.iloc[te])
            fold[te] = i
            fold_auc.append(float(roc_auc_score(yv[te], score[te])))
        keep = np.ones(len(y), dtype=bool)
    metrics = evaluate(yv[keep], score[keep])
    metrics["roc_auc_std"] = float(np.std(fold_auc)) if fold_auc else float("nan")
    metrics["roc_auc_folds"] = fold_auc
    seconds = time.perf_counter() - t0
    preds = pd.DataFrame(
        {ID: ids[keep], "churned": yv[keep], "score": score[keep], "fold": fold[keep]}
    )
    n1 = int(yv.sum())
    balance = {
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
        class_balance=balance,
        n_train=int(len(yv)),
        fit_seconds=seconds,
        random_state=random_state,
        version=churn.__version__,
        roles=table.roles.to_dict(),
    )


def leaderboard(
    table: CustomerTable,
    models: Sequence[str] | None = None,
    folds: int = CV_FOLDS,
    features: Sequence[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    random_state: int = 0,
) -> pd.DataFrame:
    """Compare registry models with the same stratified k-fold cross-validation.

    Returns one row per model, best ROC AUC first: ``model``, ``label``, ``roc_auc``,
    ``roc_auc_std``, ``pr_auc``, ``base_rate``, ``brier``, ``log_loss``,
    ``top_decile_lift``, ``fit_seconds`` (all folds). ``progress(i, n, name)`` is called
    before each model (and once more with ``i == n`` at the end).
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    names = list(models or MODELS)
    for nm in names:
        get_spec(nm)
    feats, cats = resolve_features(table, features)
    check_trainable(table, feats)
    y = label_vector(table)
    X = feature_frame(table.frame.loc[y.index], feats, cats)
    yv = y.to_numpy()
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    splits = list(skf.split(X, yv))
    rows = []
    for i, nm in enumerate(names):
        if progress:
            progress(i, len(names), nm)
        spec = MODELS[nm]
        t0 = time.perf_counter()
        oof = np.full(len(yv), np.nan)
        aucs = []
        for tr, te in splits:
            pipe = _fit(spec, X.iloc[tr], yv[tr], feats, cats, random_state)
            oof[te] = _proba(pipe, X.iloc[te])
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
            }
        )
    if progress:
        progress(len(names), len(names), "")
    out = pd.DataFrame(rows)
    return out.sort_values("roc_auc", ascending=False, kind="mergesort").reset_index(drop=True)


# --------------------------------------------------------------------------- decision
@dataclass(frozen=True)
class Decision:
    """The recommended campaign from a profit curve.

    Attributes
    ----------
    n_contact : customers to contact (the riskiest first).
    n_total : customers ranked.
    threshold : the lowest risk among those contacted (NaN when nobody is contacted).
    expected_saved : customers the campaign is expected to keep.
    value_saved : expected value kept.
    campaign_cost : contacts x offer cost.
    expected_profit : value saved - campaign cost.
    roi : expected profit / campaign cost (NaN when the cost is 0).
    limited_by_capacity : True when the capacity, not the profit, set ``n_contact``.
    """

    n_contact: int
    n_total: int
    threshold: float
    expected_saved: float
    value_saved: float
    campaign_cost: float
    expected_profit: float
    roi: float
    limited_by_capacity: bool

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def profit_curve(
    y_score,
    y_true=None,
    value_per_customer: float | Sequence[float] | np.ndarray = 1.0,
    offer_cost: float = 0.0,
    success_rate: float = 0.2,
    capacity: int | None = None,
) -> pd.DataFrame:
    """Expected profit of contacting the k riskiest customers, for k = 0 .. n.

    A contacted customer with risk ``p`` and value ``v`` is expected to be kept with
    probability ``p * success_rate`` (the offer only matters for someone who would have
    left), so contacting them is worth ``p * success_rate * v - offer_cost``. Customers
    are ranked by risk, highest first.

    Parameters
    ----------
    y_score : risk scores (probabilities).
    y_true : optional true labels; adds ``churners_contacted``.
    value_per_customer : value of keeping a customer: a constant or one per customer
        (missing values count as 0).
    offer_cost : cost of one contact or offer.
    success_rate : share of contacted would-be churners the offer keeps (0..1).
    capacity : the most customers that can be contacted (None: no limit).

    Returns
    -------
    pd.DataFrame
        ``contacted`` (0..n), ``threshold`` (risk of the last one contacted),
        ``expected_saved``, ``value_saved``, ``cost``, ``expected_profit``,
        ``within_capacity`` and, with ``y_true``, ``churners_contacted``.
    """
    s = np.asarray(y_score, dtype=float)
    if not 0 <= success_rate <= 1:
        raise ChurnDataError(
            msg("the offer's success share must be between 0 and 1."),
            fix=msg("e.g. 0.2 for 20 %."),
        )
    if offer_cost < 0:
        raise ChurnDataError(msg("the offer cost cannot be negative."))
    v = np.broadcast_to(np.asarray(value_per_customer, dtype=float), s.shape).copy()
    v[np.isnan(v)] = 0.0
    s = np.where(np.isnan(s), 0.0, s)
    order = np.argsort(-s, kind="mergesort")
    ss, vv = s[order], v[order]
    saved = np.concatenate([[0.0], np.cumsum(ss * success_rate)])
    value = np.concatenate([[0.0], np.cumsum(ss * success_rate * vv)])
    k = np.arange(len(s) + 1)
    cost = k * float(offer_cost)
    out = pd.DataFrame(
        {
            "contacted": k,
            "threshold": np.concatenate([[np.nan], ss]),
            "expected_saved": saved,
            "value_saved": value,
            "cost": cost,
            "expected_profit": value - cost,
            "within_capacity": k <= (capacity if capacity is not None else len(s)),
        }
    )
    if y_true is not None:
        yt = np.asarray(y_true, dtype=float)[order]
        out["churners_contacted"] = np.concatenate([[0.0], np.cumsum(np.nan_to_num(yt))])
    return out


def table_profit_curve(
    table: CustomerTable,
    risk: pd.Series,
    *,
    value_per_customer: float | None = None,
    offer_cost: float = 0.0,
    success_rate: float = 0.2,
    capacity: int | None = None,
) -> pd.DataFrame:
    """:func:`profit_curve` over the customers of ``table`` who have not churned.

    Churned customers are already gone, so only the others can be contacted.
    ``value_per_customer=None`` takes each customer's ``value`` column (missing = 0);
    a number uses the same value for everyone. ``risk`` comes from :func:`score`.
    """
    frame = table.frame
    keep = (frame[CHURNED] != 1).to_numpy()
    ids = frame[ID].astype(str).to_numpy()[keep]
    scores = risk.reindex(ids).to_numpy()
    values = frame["value"].to_numpy()[keep] if value_per_customer is None else value_per_customer
    return profit_curve(
        scores,
        value_per_customer=values,
        offer_cost=offer_cost,
        success_rate=success_rate,
        capacity=capacity,
    )


def recommend(profit: pd.DataFrame) -> Decision:
    """The most profitable number of contacts within capacity (fewest on a tie)."""
    ok = profit[profit["within_capacity"]]
    best_i = int(ok["expected_profit"].to_numpy().argmax())
    row = ok.iloc[best_i]
    unconstrained = int(profit["expected_profit"].to_numpy().argmax())
    k = int(row["contacted"])
    cost = float(row["cost"])
    return Decision(
        n_contact=k,
        n_total=int(profit["contacted"].max()),
        threshold=float(row["threshold"]),
        expected_saved=float(row["expected_saved"]),
        value_saved=float(row["value_saved"]),
        campaign_cost=cost,
        expected_profit=float(row["expected_profit"]),
        roi=float(row["expected_profit"]) / cost if cost > 0 else float("nan"),
        limited_by_capacity=bool(int(profit["contacted"].iloc[unconstrained]) > k),
    )


# --------------------------------------------------------------------------- scoring
def score(trained: TrainedModel, frame_or_table: CustomerTable | pd.DataFrame) -> pd.Series:
    """Churn risk (0..1) for every row of a customer table or a frame with the features.

    A CustomerTable's risks are indexed by ``customer_id``; a plain frame keeps its index.
    A missing feature column raises ChurnDataError naming it.
    """
    if isinstance(frame_or_table, CustomerTable):
        frame = frame_or_table.frame
        index = pd.Index(frame[ID].astype(str), name=ID)
    else:
        frame = frame_or_table
        index = frame.index
    X = feature_frame(frame, trained.features, trained.categorical)
    risk = _proba(trained.pipeline_, X) if len(X) else np.array([])
    return pd.Series(risk, index=index, name="risk")


def _raw_scoring_frame(frame: pd.DataFrame, roles) -> pd.DataFrame:
    """A one-row-per-customer file without a usable label, as the model's input.

    Attribute columns keep their names; ``customer_id``, ``value`` and ``tenure_days`` are
    derived from the id, amount and tenure roles the way intake derives them.
    """
    from churn.shapes import UNIT_DAYS

    out = frame.copy()
    if roles.id and roles.id in frame.columns:
        out[ID] = frame[roles.id].astype(str).str.strip()
    else:
        out[ID] = [str(i + 1) for i in range(len(frame))]
    if roles.amount and roles.amount in frame.columns:
        out["value"] = pd.to_numeric(frame[roles.amount], errors="coerce").astype(float)
    if roles.tenure and roles.tenure in frame.columns:
        days = UNIT_DAYS.get(roles.tenure_unit, UNIT_DAYS["months"])
        out["tenure_days"] = pd.to_numeric(frame[roles.tenure], errors="coerce") * days
    return out


def score_new_file(
    trained: TrainedModel,
    source: str | Path | bytes,
    *,
    name: str | None = None,
    sheet: str | None = None,
    roles: Any = None,
    snapshot: Any = None,
    inactivity_days: int = 90,
) -> pd.DataFrame:
    """Score every customer of a new file that has the training file's columns.

    The file is read with :func:`churn.io.read_table` and turned into a customer table
    with ``roles`` (default: the roles saved with the model). A file without the label
    (customers still to be judged) is scored from its columns directly.

    Returns
    -------
    pd.DataFrame
        ``customer_id``, the file's id column (same values, under its own name, for
        joining back), ``risk`` (0..1) and ``risk_rank`` (1 = riskiest), in file order.
    """
    from churn.io import read_table
    from churn.roles import ColumnRoles
    from churn.shapes import build_customer_table

    frame = read_table(source, name=name, sheet=sheet).frame
    if roles is None:
        roles = ColumnRoles.from_dict(trained.roles) if trained.roles else ColumnRoles()
    usable_label = bool(roles.label) and roles.label in frame.columns
    source_frame: CustomerTable | pd.DataFrame
    try:
        if not usable_label and roles.label:
            roles = roles.with_(label=None, churned_values=(), active_values=())
        source_frame = build_customer_table(
            frame, roles, snapshot=snapshot, inactivity_days=inactivity_days
        )
    except ChurnDataError:
        if roles.shape != "customers":
            raise
        source_frame = _raw_scoring_frame(frame, roles)
    risk = score(trained, source_frame)
    ids = source_frame.frame[ID] if isinstance(source_frame, CustomerTable) else source_frame[ID]
    out = pd.DataFrame({ID: ids.astype(str).to_numpy()})
    if roles.id and roles.id != ID:
        out[roles.id] = out[ID]
    out["risk"] = risk.to_numpy()
    out["risk_rank"] = out["risk"].rank(ascending=False, method="first").astype(int)
    return out


def transformed_features(trained: TrainedModel, X: pd.DataFrame) -> pd.DataFrame:
    """The last step's input (after encoding) for a feature frame: what shap explains."""
    return trained.pipeline_[:-1].transform(X[list(trained.features)])


def feature_map(trained: TrainedModel) -> dict[str, str]:
    """Transformed column -> the user's column (one-hot levels map to their column)."""
    prep = trained.pipeline_.named_steps["prep"]
    out: dict[str, str] = {}
    for name, trans, cols in prep.transformers_:
        if name == "remainder" or isinstance(trans, str):
            out.update({c: c for c in cols} if trans == "passthrough" else {})
            continue
        names = list(trans.get_feature_names_out(cols))
        if len(names) == len(cols):
            out.update(zip(names, cols, strict=True))
            continue
        enc = trans[-1] if hasattr(trans, "steps") else trans
        n_out = []
        infrequent = getattr(enc, "infrequent_categories_", [None] * len(cols))
        for cats, inf in zip(enc.categories_, infrequent, strict=True):
            n_out.append(len(cats) - (0 if inf is None else len(inf) - 1))
        it = iter(names)
        for col, k in zip(cols, n_out, strict=True):
            for _ in range(k):
                out[next(it)] = col
    return out


# --------------------------------------------------------------------------- save / load
#: Types a ChurnLens model file may contain beyond skops' defaults. Anything else is
#: refused: loading would run code the file chose.
ALLOWED_TYPES = frozenset(
    {
        "numpy.dtype",
        "collections.OrderedDict",
        "lightgbm.basic.Booster",
        "lightgbm.sklearn.LGBMClassifier",
        "churn.lgbm.LGBMClassifierAnyNames",
        "churn.feature_names.LevelNames",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.tree._tree.Tree",
        "sklearn.ensemble._forest.RandomForestClassifier",
        "sklearn.tree._classes.DecisionTreeClassifier",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.pipeline.Pipeline",
        "sklearn.compose._column_transformer.ColumnTransformer",
        "sklearn.preprocessing._encoders.OneHotEncoder",
        "sklearn.preprocessing._encoders.OrdinalEncoder",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._function_transformer.FunctionTransformer",
        "sklearn.impute._base.SimpleImputer",
        "sklearn.utils._bunch.Bunch",
        "builtins.slice",
    }
)


def save_model(trained: TrainedModel, path: str | Path) -> Path:
    """Write a trained model as a skops file (never pickle) with its metadata as JSON.

    The evaluation predictions are not saved; metrics, split, class balance, features,
    roles and the ChurnLens version are.
    """
    import skops.io as sio

    meta = {
        "format": FILE_FORMAT,
        "kind": "churnlens.model",
        "name": trained.name,
        "label": trained.label,
        "features": list(trained.features),
        "categorical": list(trained.categorical),
        "explainer": trained.explainer,
        "split": trained.split.to_dict(),
        "metrics": trained.metrics,
        "class_balance": trained.class_balance,
        "n_train": trained.n_train,
        "fit_seconds": trained.fit_seconds,
        "random_state": trained.random_state,
        "version": trained.version,
        "roles": trained.roles,
    }
    text = json.dumps(_json_safe(meta), ensure_ascii=False, allow_nan=False)
    path = Path(path)
    sio.dump({"churnlens": text, "pipeline": trained.pipeline_}, path)
    return path


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def load_model(path: str | Path) -> TrainedModel:
    """Read a model written by :func:`save_model`, refusing anything else.

    The file's types are checked against :data:`ALLOWED_TYPES` *before* loading; a file
    that is not a skops archive, holds other types, or lacks ChurnLens metadata raises
    ChurnDataError.
    """
    import skops.io as sio

    path = Path(path)
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not our file"
        raise ChurnDataError(
            msg("this file is not a ChurnLens model (not a readable skops file)."),
            fix=msg(
                "choose a .skops file saved by ChurnLens (Model page or "
                "'python -m churn train --save')."
            ),
        ) from exc
    foreign = sorted(set(untrusted) - ALLOWED_TYPES)
    if foreign:
        raise ChurnDataError(
            msg(
                "this file is not a ChurnLens model: it contains types ChurnLens does not "
                "load ({types}).",
                types=", ".join(foreign[:3]),
            ),
            fix=msg(
                "choose a .skops file saved by ChurnLens (Model page or "
                "'python -m churn train --save')."
            ),
        )
    try:
        obj = sio.load(path, trusted=list(untrusted))
    except Exception as exc:  # noqa: BLE001
        raise ChurnDataError(
            msg("this file is not a ChurnLens model (it could not be read)."),
            fix=msg(
                "choose a .skops file saved by ChurnLens (Model page or "
                "'python -m churn train --save')."
            ),
        ) from exc
    if not isinstance(obj, dict) or "churnlens" not in obj or "pipeline" not in obj:
        raise ChurnDataError(
            msg("this file is not a ChurnLens model (no ChurnLens metadata)."),
            fix=msg(
                "choose a .skops file saved by ChurnLens (Model page or "
                "'python -m churn train --save')."
            ),
        )
    try:
        meta = json.loads(obj["churnlens"])
    except (TypeError, ValueError) as exc:
        raise ChurnDataError(
            msg("this file is not a ChurnLens model (broken metadata)."),
            fix=msg(
                "choose a .skops file saved by ChurnLens (Model page or "
                "'python -m churn train --save')."
            ),
        ) from exc
    if meta.get("kind") != "churnlens.model" or not hasattr(obj["pipeline"], "predict_proba"):
        raise ChurnDataError(
            msg("this file is not a ChurnLens model (no ChurnLens metadata)."),
            fix=msg(
                "choose a .skops file saved by ChurnLens (Model page or "
                "'python -m churn train --save')."
            ),
        )
    sp = meta.get("split") or {}
    cutoff = pd.Timestamp(sp["cutoff"]) if sp.get("cutoff") else None
    split = SplitSpec(
        kind=sp.get("kind", "cv"),
        folds=sp.get("folds") or CV_FOLDS,
        test_share=sp.get("test_share") or TIME_TEST_SHARE,
        cutoff=cutoff,
        n_train=sp.get("n_train", 0),
        n_test=sp.get("n_test", 0),
        time_available=bool(sp.get("time_available")),
        description=sp.get("description", ""),
        train_rate=float("nan") if sp.get("train_rate") is None else sp["train_rate"],
        test_rate=float("nan") if sp.get("test_rate") is None else sp["test_rate"],
    )
    metrics = {k: (float("nan") if v is None else v) for k, v in meta["metrics"].items()}
    return TrainedModel(
        name=meta["name"],
        label=meta.get("label", meta["name"]),
        pipeline_=obj["pipeline"],
        features=tuple(meta["features"]),
        categorical=tuple(meta["categorical"]),
        explainer=meta.get("explainer", "tree"),
        split=split,
        metrics=metrics,
        predictions=pd.DataFrame(columns=[ID, "churned", "score", "fold"]),
        class_balance=meta.get("class_balance", {}),
        n_train=int(meta.get("n_train", 0)),
        fit_seconds=float(meta.get("fit_seconds", 0.0)),
        random_state=int(meta.get("random_state", 0)),
        version=str(meta.get("version", "")),
        roles=meta.get("roles", {}),
    )


# --------------------------------------------------------------------------- export
def write_scores(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a scored list as CSV (UTF-8 with BOM) or XLSX that cannot run formulas.

    Uses :mod:`churn.export`: text cells starting with ``= + - @``, tab or CR (and the
    full-width forms) get a leading apostrophe; XLSX is written by xlsxwriter with
    formula and URL conversion off.
    """
    path = Path(path)
    path.write_bytes(scores_bytes(frame, path.suffix.lower().lstrip(".")))
    return path


def scores_bytes(frame: pd.DataFrame, kind: str) -> bytes:
    """The formula-safe export of :func:`write_scores` as bytes (``kind``: csv or xlsx)."""
    from churn.export import to_csv_bytes, to_xlsx_bytes

    if kind == "csv":
        return to_csv_bytes(frame)
    if kind == "xlsx":
        return to_xlsx_bytes({"scores": frame})
    raise ChurnDataError(
        msg("cannot write a '.{kind}' file.", kind=kind),
        fix=msg("use a name ending in .csv or .xlsx."),
    )
