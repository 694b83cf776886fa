"""LightGBM's classifier, trained on any column names (see :mod:`churn.feature_names`).

Imports lightgbm when imported: only :func:`churn.model.make_lightgbm` and the loading of
a saved LightGBM model import this module.
"""

from __future__ import annotations

import numpy as np
from lightgbm import LGBMClassifier

from churn.feature_names import safe_feature_names


class LGBMClassifierAnyNames(LGBMClassifier):
    """``LGBMClassifier`` whose booster sees safe names, so any column name trains.

    ``fit`` on a DataFrame passes :func:`~churn.feature_names.safe_feature_names` to the
    booster as ``feature_name`` and keeps the frame's own names in ``input_names_``;
    ``feature_names_in_`` returns those. Everything else (parameters, predictions,
    ``booster_`` for shap's TreeExplainer, ``pred_contrib``) is LightGBM's, unchanged:
    the booster reads columns by position, not by name.
    """

    def fit(self, X, y, **kwargs):
        """LightGBM's ``fit``, naming the booster's features with safe names."""
        names = [str(c) for c in X.columns] if hasattr(X, "columns") else None
        if names is not None and kwargs.get("feature_name", "auto") == "auto":
            kwargs["feature_name"] = safe_feature_names(names)
        super().fit(X, y, **kwargs)
        self.input_names_ = names
        return self

    @property
    def feature_names_in_(self) -> np.ndarray:
        """The column names of the frame ``fit`` saw (the user's names)."""
        names = getattr(self, "input_names_", None)
        if names is None:
            return LGBMClassifier.feature_names_in_.fget(self)
        return np.asarray(names, dtype=object)

    @feature_names_in_.deleter
    def feature_names_in_(self) -> None:
        # scikit-learn's validation may try to delete it; LightGBM ignores that as well
        pass
