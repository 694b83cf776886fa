"""Calibration: whether a model's risks need re-mapping so that 30 % means about 30 %.

The reliability check is cross-validated: the evaluation scores (hold-out or out-of-fold,
:attr:`TrainedModel.predictions`) are split into folds; on each fold a sigmoid (Platt)
map and an isotonic map fitted on the *other* folds re-map the scores, and the Brier
score of every choice (``none``, ``sigmoid``, ``isotonic``) is measured on the scores so
re-mapped. The choice with the lowest cross-validated Brier score wins; a map is used only
when it beats the raw scores by at least :data:`MIN_BRIER_GAIN` (a smaller gain is noise,
and the raw scores stay what the model says).

The fitted map is plain numbers (two coefficients, or the isotonic steps), so it needs no
pickle and is rebuilt from the predictions saved with a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from churn.text import Text, msg

__all__ = [
    "CALIBRATION_FOLDS",
    "CALIBRATION_METHODS",
    "MIN_BRIER_GAIN",
    "Calibration",
    "calibration_of",
    "choose_calibration",
    "fit_map",
]

#: Folds of the cross-validated reliability check.
CALIBRATION_FOLDS = 5
#: The choices, in the order ties are broken (raw scores first).
CALIBRATION_METHODS = ("none", "sigmoid", "isotonic")
#: A map must lower the cross-validated Brier score by at least this much to be used.
MIN_BRIER_GAIN = 0.0005
#: Fewer evaluated customers (or fewer per class) than this: no calibration is tried.
MIN_CALIBRATION_ROWS = 100
_EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def fit_map(method: str, scores: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """The parameters of one map fitted on (``scores``, ``y``): ``{"method": ...}`` plus
    ``a``, ``b`` (sigmoid: ``1 / (1 + exp(-(a logit(s) + b)))``) or ``x``, ``y`` (isotonic
    steps, read by linear interpolation and clipped at the ends)."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(y, dtype=float)
    if method == "none":
        return {"method": "none"}
    if method == "sigmoid":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=1e6, max_iter=1000).fit(_logit(s)[:, None], y)
        return {"method": "sigmoid", "a": float(lr.coef_[0, 0]), "b": float(lr.intercept_[0])}
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(s, y)
        return {
            "method": "isotonic",
            "x": [float(v) for v in iso.X_thresholds_],
            "y": [float(v) for v in iso.y_thresholds_],
        }
    raise ValueError(f"unknown calibration method {method!r}")


def apply_map(params: dict[str, Any], scores: np.ndarray) -> np.ndarray:
    """Scores re-mapped by :func:`fit_map`'s parameters."""
    s = np.asarray(scores, dtype=float)
    method = params.get("method", "none")
    if method == "sigmoid":
        return 1.0 / (1.0 + np.exp(-(params["a"] * _logit(s) + params["b"])))
    if method == "isotonic":
        return np.interp(s, np.asarray(params["x"]), np.asarray(params["y"]))
    return s.copy()


@dataclass(frozen=True, eq=False)
class Calibration:
    """The outcome of the reliability check.

    Attributes
    ----------
    method : ``none``, ``sigmoid`` or ``isotonic`` (the one used).
    cv_brier : cross-validated Brier score of every method tried (``none`` = raw scores).
    params : the chosen map fitted on every evaluated customer (:func:`fit_map`).
    cross_fitted : the evaluated customers' scores, each re-mapped by the chosen method
        fitted on the other folds (the "after" of the reliability chart), in the order of
        the scores given.
    reason : why no calibration was tried (too few customers), else None.
    """

    method: str
    cv_brier: dict[str, float]
    params: dict[str, Any]
    cross_fitted: np.ndarray = field(repr=False)
    reason: Text | None = None

    @property
    def used(self) -> bool:
        return self.method != "none"

    def apply(self, scores: np.ndarray) -> np.ndarray:
        """New scores (customers not among the evaluated ones) re-mapped."""
        return apply_map(self.params, scores)

    def words(self) -> Text:
        """The check and its outcome in one sentence."""
        if self.reason is not None:
            return self.reason
        briers = {m: self.cv_brier.get(m, float("nan")) for m in CALIBRATION_METHODS}
        if not self.used:
            return msg(
                "Calibration check: the raw risks are kept (cross-validated Brier score "
                "{none:.4f}; sigmoid {sigmoid:.4f}, isotonic {isotonic:.4f}).",
                none=briers["none"],
                sigmoid=briers["sigmoid"],
                isotonic=briers["isotonic"],
            )
        return msg(
            "Calibration check: the risks are re-mapped by {method} calibration "
            "(cross-validated Brier score {after:.4f} instead of {none:.4f}).",
            method=msg("sigmoid") if self.method == "sigmoid" else msg("isotonic"),
            after=briers[self.method],
            none=briers["none"],
        )


def _folds(y: np.ndarray, folds: int, random_state: int) -> list[np.ndarray]:
    from sklearn.model_selection import StratifiedKFold

    k = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    return [te for _, te in k.split(np.zeros(len(y)), y)]


def cross_fitted_map(
    method: str, scores: np.ndarray, y: np.ndarray, test_folds: list[np.ndarray]
) -> np.ndarray:
    """Each fold's scores re-mapped by ``method`` fitted on the other folds."""
    s = np.asarray(scores, dtype=float)
    out = s.copy()
    for te in test_folds:
        train = np.ones(len(s), dtype=bool)
        train[te] = False
        out[te] = apply_map(fit_map(method, s[train], y[train]), s[te])
    return out


def choose_calibration(
    y: np.ndarray,
    scores: np.ndarray,
    *,
    folds: int = CALIBRATION_FOLDS,
    random_state: int = 0,
    min_gain: float = MIN_BRIER_GAIN,
) -> Calibration:
    """Run the reliability check on evaluation scores and choose the map.

    Parameters
    ----------
    y : 0/1 outcomes of the evaluated customers.
    scores : their evaluation (hold-out or out-of-fold) risks.
    folds, random_state : the stratified folds of the check.
    min_gain : the least drop in cross-validated Brier score that makes a map worth using.
    """
    y = np.asarray(y, dtype=float)
    s = np.asarray(scores, dtype=float)
    keep = ~np.isnan(s)
    y, s = y[keep], s[keep]
    n_small = int(min(y.sum(), len(y) - y.sum())) if len(y) else 0
    if len(y) < MIN_CALIBRATION_ROWS or n_small < folds:
        return Calibration(
            "none", {}, {"method": "none"}, s.copy(),
            msg(
                "Calibration check skipped: {n:,} evaluated customers are too few to judge it.",
                n=len(y),
            ),
        )  # fmt: skip
    test_folds = _folds(y.astype(int), folds, random_state)
    mapped = {m: cross_fitted_map(m, s, y, test_folds) for m in CALIBRATION_METHODS}
    brier = {m: float(np.mean((mapped[m] - y) ** 2)) for m in CALIBRATION_METHODS}
    best = min(CALIBRATION_METHODS, key=lambda m: (brier[m], CALIBRATION_METHODS.index(m)))
    if best != "none" and brier["none"] - brier[best] < min_gain:
        best = "none"
    return Calibration(best, brier, fit_map(best, s, y), mapped[best])


def calibration_of(trained: Any, random_state: int | None = None) -> Calibration:
    """:func:`choose_calibration` on a trained model's evaluation scores
    (:attr:`TrainedModel.predictions`), aligned with its rows. Skipped (``none``, with the
    reason) for a time hold-out whose churn rate differs from training's
    (:attr:`SplitSpec.rates_differ`): there the gap is time to leave, not miscalibration."""
    p = trained.predictions
    seed = trained.random_state if random_state is None else random_state
    y = p["churned"].to_numpy(dtype=float)
    s = p["score"].to_numpy(dtype=float)
    if getattr(trained.split, "rates_differ", False):
        # a time hold-out whose churn rate differs from training's (newer customers have
        # had less time to leave): a map fitted on it would move every risk by the gap
        s = s[~np.isnan(s)]
        return Calibration(
            "none", {}, {"method": "none"}, s.copy(),
            msg(
                "Calibration check skipped: the hold-out's churn rate differs from the "
                "training customers', so a map fitted on it would shift every risk."
            ),
        )  # fmt: skip
    return choose_calibration(y, s, random_state=seed)
