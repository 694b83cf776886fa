"""Saving and loading models: a skops file (never pickle) read through an allow-list of
types, with the model's metadata as JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.model.splits import CV_FOLDS, TIME_TEST_SHARE, SplitSpec
from churn.model.trained import TrainedModel
from churn.settings import IntakeSettings
from churn.table import ID
from churn.text import msg

#: Format version of saved model files.
FILE_FORMAT = 1
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
    roles, the intake settings and the ChurnLens version are.
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
        "settings": None if trained.settings is None else trained.settings.to_dict(),
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
    obj = _load_allowed(Path(path))
    meta = _metadata(obj)
    metrics = {k: (float("nan") if v is None else v) for k, v in meta["metrics"].items()}
    return TrainedModel(
        name=meta["name"],
        label=meta.get("label", meta["name"]),
        pipeline_=obj["pipeline"],
        features=tuple(meta["features"]),
        categorical=tuple(meta["categorical"]),
        explainer=meta.get("explainer", "tree"),
        split=_split_from_meta(meta.get("split") or {}),
        metrics=metrics,
        predictions=pd.DataFrame(columns=[ID, "churned", "score", "fold"]),
        class_balance=meta.get("class_balance", {}),
        n_train=int(meta.get("n_train", 0)),
        fit_seconds=float(meta.get("fit_seconds", 0.0)),
        random_state=int(meta.get("random_state", 0)),
        version=str(meta.get("version", "")),
        roles=meta.get("roles", {}),
        settings=_settings_from_meta(meta.get("settings")),
    )


def _settings_from_meta(data: Any) -> IntakeSettings | None:
    """The intake settings saved with the model; None in files saved before they were."""
    if not isinstance(data, dict):
        return None
    try:
        return IntakeSettings.from_dict(data)
    except (ChurnDataError, TypeError, ValueError, AttributeError) as exc:
        raise ChurnDataError(
            msg("this file is not a ChurnLens model (broken metadata)."),
            fix=msg(
                "choose a .skops file saved by ChurnLens (Model page or "
                "'python -m churn train --save')."
            ),
        ) from exc


def _load_allowed(path: Path) -> Any:
    """The skops file's object, loaded only when all its types are in :data:`ALLOWED_TYPES`."""
    import skops.io as sio

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
        return sio.load(path, trusted=list(untrusted))
    except Exception as exc:  # noqa: BLE001
        raise ChurnDataError(
            msg("this file is not a ChurnLens model (it could not be read)."),
            fix=msg(
                "choose a .skops file saved by ChurnLens (Model page or "
                "'python -m churn train --save')."
            ),
        ) from exc


def _metadata(obj: Any) -> dict[str, Any]:
    """The ChurnLens metadata of a loaded file, checked (a dict with a pipeline and JSON)."""
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
    return meta


def _split_from_meta(sp: dict[str, Any]) -> SplitSpec:
    """The :class:`SplitSpec` saved by :meth:`SplitSpec.to_dict` (defaults for old files)."""
    cutoff = pd.Timestamp(sp["cutoff"]) if sp.get("cutoff") else None
    return SplitSpec(
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
        copies=int(sp.get("copies") or 0),
        copy_sets=int(sp.get("copy_sets") or 0),
    )
