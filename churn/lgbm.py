"""LightGBM's classifier, trained on any column names (see :mod:`churn.feature_names`),
with native categories and monotone warning signs.

Imports lightgbm when imported: only :func:`churn.model.make_lightgbm` and the loading of
a saved LightGBM model import this module.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from lightgbm import LGBMClassifier

from churn.feature_names import safe_feature_names

#: Parameters of :class:`LGBMClassifierAnyNames` that LightGBM itself does not know.
_OWN_PARAMS = ("categorical_columns", "monotone_columns")


class LGBMClassifierAnyNames(LGBMClassifier):
    """``LGBMClassifier`` whose booster sees safe names, so any column name trains.

    ``fit`` on a DataFrame passes :func:`~churn.feature_names.safe_feature_names` to the
    booster as ``feature_name`` and keeps the frame's own names in ``input_names_``;
    ``feature_names_in_`` returns those. Everything else (parameters, predictions,
    ``booster_`` for shap's TreeExplainer, ``pred_contrib``) is LightGBM's, unchanged:
    the booster reads columns by position, not by name.

    Two parameters of its own:

    categorical_columns : the columns that hold category codes (the pipeline's
        ``OrdinalEncoder`` output; missing and unseen levels are NaN). ``fit`` passes
        their positions as LightGBM's ``categorical_feature``, so the trees split them
        as unordered categories (groups of levels), never as ordered numbers. Codes
        rather than pandas categories reach the booster so that the fitted pipeline and
        shap read the same numeric frame and the model file needs no new type.
    monotone_columns : ``((column, +1 or -1), ...)``, the directions proposed by name
        (:func:`churn.model.monotone.proposed_directions`). ``fit`` checks each against
        the data it is given (:func:`churn.model.monotone.monotone_plan`) and passes the
        ones that hold as ``monotone_constraints``; ``monotone_`` keeps the decisions
        (:meth:`~churn.model.monotone.MonotoneDecision.to_dict`).
    """

    # Defaults for estimators saved before these parameters existed.
    categorical_columns: tuple[str, ...] = ()
    monotone_columns: tuple[tuple[str, int], ...] = ()

    def __init__(
        self,
        *,
        categorical_columns: Sequence[str] = (),
        monotone_columns: Sequence[tuple[str, int]] = (),
        **kwargs,
    ):
        self.categorical_columns = categorical_columns
        self.monotone_columns = monotone_columns
        super().__init__(**kwargs)

    def fit(self, X, y, **kwargs):
        """LightGBM's ``fit``, naming the booster's features with safe names, with the
        categorical columns as categories and the monotone warning signs checked."""
        names = [str(c) for c in X.columns] if hasattr(X, "columns") else None
        self._fit_constraints = None
        self.monotone_ = []
        if names is not None:
            if kwargs.get("feature_name", "auto") == "auto":
                kwargs["feature_name"] = safe_feature_names(names)
            cats = set(self.categorical_columns or ())
            where = [i for i, c in enumerate(names) if c in cats]
            if where and kwargs.get("categorical_feature", "auto") == "auto":
                kwargs["categorical_feature"] = where
            if self.monotone_columns and "monotone_constraints" not in self._other_params:
                from churn.model.monotone import constraints_for, monotone_plan

                plan = monotone_plan(X, np.asarray(y), dict(self.monotone_columns))
                self.monotone_ = [p.to_dict() for p in plan]
                cons = constraints_for(names, plan)
                self._fit_constraints = cons if any(cons) else None
        super().fit(X, y, **kwargs)
        self.input_names_ = names
        return self

    def _process_params(self, stage: str):
        params = super()._process_params(stage)
        for key in _OWN_PARAMS:
            params.pop(key, None)
        cons = getattr(self, "_fit_constraints", None)
        if stage == "fit" and cons is not None:
            params["monotone_constraints"] = cons
            params.setdefault("monotone_constraints_method", "intermediate")
        return params

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
