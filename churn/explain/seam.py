"""SHAP behind one seam: the explainer of a model and its contributions in probability.

How contributions are made to add up in probability
----------------------------------------------------
shap explains LightGBM, HistGradientBoosting and logistic regression in the model's
*margin* (log-odds) and the random forest directly in probability (class 1). A marketer
reads "points of risk", so every contribution is turned into probability units:

1. one-hot levels are summed back to the user's column (:func:`churn.model.feature_map`);
   summing commutes with step 2, so the order does not matter;
2. margin models: with base margin ``b``, the customer's log-odds contributions
   ``phi_j`` (sum ``S``), the customer's risk ``p`` (the model's own ``predict_proba``)
   and the base risk ``p0 = sigmoid(b)``, each contribution is scaled by the same factor
   ``(p - p0) / S``. Since the sigmoid is increasing this factor is positive: signs and
   the ranking of reasons are kept, and ``p0 + sum(contributions) == p`` exactly. When
   ``|S|`` is below 1e-9 the factor is its limit, the sigmoid's slope at ``b``;
3. probability models (the forest): the factor is ``(p - p0) / S`` as well, which only
   removes shap's rounding (it is 1 up to about 1e-7).

Whatever rounding is left (at most about 1e-12) is spread over the features in
proportion to their absolute contributions, so ``base_risk + contributions.sum(axis=1)``
equals ``risk`` to 1e-9 for every customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import ID
from churn.text import msg

#: Background rows for the linear explainer (a seeded sample of the table).
LINEAR_BACKGROUND = 1000
CONTRIBUTION_METHOD = msg(
    "Contributions are SHAP values of the model, one per column (categories' levels added "
    "together). Models that work in log-odds are rescaled to probability: each customer's "
    "log-odds contributions are multiplied by the same factor, (risk - base risk) / (sum of "
    "log-odds contributions), so they keep their signs and order and add up exactly to the "
    "customer's risk."
)


# --------------------------------------------------------------------------- explainer
@dataclass(frozen=True, eq=False)
class Explainer:
    """A shap explainer built once per model.

    Attributes
    ----------
    kind : ``"tree"`` or ``"linear"``.
    output : ``"margin"`` (log-odds) or ``"probability"``.
    shap_explainer : the shap object (never mutated after construction).
    base_margin : the explainer's expected value in its own output unit.
    columns : the transformed feature columns it explains, in order.
    """

    kind: str
    output: Literal["margin", "probability"]
    shap_explainer: Any = field(repr=False)
    base_margin: float
    columns: tuple[str, ...]


class LightGBMContributions:
    """A LightGBM booster's own TreeSHAP in the shape of shap's explainer:
    ``shap_values(X)`` (log-odds contributions, one column per input column) and
    ``expected_value`` (the base margin). The same numbers as ``shap.TreeExplainer``,
    which calls ``pred_contrib`` for LightGBM (tests/test_explain.py)."""

    def __init__(self, booster) -> None:
        self.booster = booster
        k = booster.num_feature()
        self.expected_value = float(
            booster.predict(np.full((1, k), np.nan), pred_contrib=True)[0, -1]
        )

    def shap_values(self, X, check_additivity: bool = False) -> np.ndarray:
        return np.asarray(self.booster.predict(X, pred_contrib=True))[:, :-1]


def _est(trained):
    return trained.pipeline_[-1]


def _transformed(trained, frame: pd.DataFrame) -> pd.DataFrame:
    from churn.model import feature_frame, transformed_features

    X = feature_frame(frame, trained.features, trained.categorical)
    return transformed_features(trained, X)


def make_explainer(trained, background: pd.DataFrame | None = None) -> Explainer:
    """Build the shap explainer of a trained model (do it once per model, then reuse).

    Parameters
    ----------
    trained : churn.model.TrainedModel
    background : rows of the customer table (user columns). Required for the linear
        explainer (logistic regression), whose base value is the average over these
        rows; a sample of up to :data:`LINEAR_BACKGROUND` rows is used. Tree explainers
        use the trees' own training statistics and ignore it.

    Returns
    -------
    Explainer
    """
    import warnings

    est = _est(trained)
    if trained.explainer == "tree" and hasattr(est, "booster_"):
        # LightGBM: its own TreeSHAP (pred_contrib), what shap's TreeExplainer calls for
        # it anyway; shap itself (about 2 s to import) is then not needed.
        contrib = LightGBMContributions(est.booster_)
        cols = tuple(trained.pipeline_[:-1].get_feature_names_out())
        return Explainer("tree", "margin", contrib, contrib.expected_value, cols)
    import shap

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if trained.explainer == "linear":
            if background is None or len(background) == 0:
                raise ChurnDataError(
                    msg("a linear model needs background customers to explain it."),
                    fix=msg("pass rows of the customer table as background."),
                )
            bg = background
            if len(bg) > LINEAR_BACKGROUND:
                bg = bg.sample(LINEAR_BACKGROUND, random_state=0)
            Xb = _transformed(trained, bg)
            # every background row counts (shap's default masker keeps only 100)
            masker = shap.maskers.Independent(Xb, max_samples=len(Xb))
            exp = shap.LinearExplainer(est, masker)
            output = "margin"
            cols = tuple(Xb.columns)
        else:
            exp = shap.TreeExplainer(est)
            output = "probability" if trained.name == "random_forest" else "margin"
            cols = tuple(trained.pipeline_[:-1].get_feature_names_out())
    base = np.atleast_1d(np.asarray(exp.expected_value, dtype=float))
    return Explainer(trained.explainer, output, exp, float(base[-1]), cols)


def _threads_for(n_rows: int):
    """The model's OpenMP thread cap for big batches only: setting it costs about 8 ms,
    more than explaining one customer."""
    from contextlib import nullcontext

    from churn.model import limit_threads

    return limit_threads() if n_rows > 256 else nullcontext()


def _raw_shap(explainer: Explainer, Xt: pd.DataFrame) -> np.ndarray:
    import warnings

    with warnings.catch_warnings(), _threads_for(len(Xt)):
        warnings.simplefilter("ignore")
        if explainer.kind == "tree":
            vals = explainer.shap_explainer.shap_values(Xt, check_additivity=False)
        else:
            vals = explainer.shap_explainer.shap_values(Xt)
    vals = np.asarray(vals, dtype=float)
    if vals.ndim == 3:  # (rows, features, classes): the churned class
        vals = vals[:, :, 1]
    return vals.reshape(len(Xt), -1)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# --------------------------------------------------------------------------- explain
@dataclass(frozen=True, eq=False)
class Explanation:
    """Why the model gives these customers their risk.

    Attributes
    ----------
    base_risk : the model's risk for the reference customer (probability 0..1).
    risk : each customer's risk (the model's ``predict_proba``), index = frame index.
    contributions : one column per user feature, in probability units (+0.12 = +12
        points of risk); ``base_risk + contributions.sum(axis=1) == risk`` to 1e-9.
    values : the customers' feature values (user columns, as in the table).
    customer_id : the customers' ids (index = frame index), when the frame has them.
    method : how margin contributions were turned into probability (see module doc).
    """

    base_risk: float
    risk: pd.Series
    contributions: pd.DataFrame
    values: pd.DataFrame
    customer_id: pd.Series | None = None
    method: str = CONTRIBUTION_METHOD


def _to_probability(
    phi: np.ndarray, base: float, risk: np.ndarray, output: str
) -> tuple[float, np.ndarray]:
    """Rescale (rows, features) contributions so base + row sums == risk exactly."""
    base_risk = float(_sigmoid(base)) if output == "margin" else float(base)
    s = phi.sum(axis=1)
    slope = base_risk * (1 - base_risk) if output == "margin" else 1.0
    small = np.abs(s) < 1e-9
    factor = np.where(small, slope, (risk - base_risk) / np.where(small, 1.0, s))
    out = phi * factor[:, None]
    # rounding left over: spread in proportion to |contribution| (equally if all zero)
    rest = risk - base_risk - out.sum(axis=1)
    w = np.abs(out)
    tot = w.sum(axis=1)
    k = out.shape[1] if out.shape[1] else 1
    share = np.where(tot[:, None] > 0, w / np.where(tot > 0, tot, 1.0)[:, None], 1.0 / k)
    return base_risk, out + rest[:, None] * share


def explain(trained, frame: pd.DataFrame, *, explainer: Explainer | None = None) -> Explanation:
    """SHAP contributions of every user feature for the rows of ``frame``, in probability.

    Parameters
    ----------
    trained : churn.model.TrainedModel
    frame : rows of the customer table (``CustomerTable.frame`` rows, or any frame with
        the model's feature columns). Only these rows are explained.
    explainer : from :func:`make_explainer` (built here when None; for a logistic model
        the frame itself is then the background).

    Returns
    -------
    Explanation
        ``base_risk + contributions.sum(axis=1) == risk`` for every row (to 1e-9).
    """
    from churn.model import feature_frame, feature_map

    if explainer is None:
        explainer = make_explainer(trained, frame)
    feats = list(trained.features)
    if len(frame) == 0:
        empty = pd.DataFrame(columns=feats, index=frame.index, dtype=float)
        return Explanation(
            base_risk=float(_sigmoid(explainer.base_margin))
            if explainer.output == "margin"
            else explainer.base_margin,
            risk=pd.Series(dtype=float, index=frame.index, name="risk"),
            contributions=empty,
            values=frame.reindex(columns=feats).copy(),
        )
    X = feature_frame(frame, trained.features, trained.categorical)
    Xt = trained.pipeline_[:-1].transform(X[feats])
    phi = _raw_shap(explainer, Xt)
    fmap = feature_map(trained)
    grouped = np.zeros((len(Xt), len(feats)))
    pos = {c: i for i, c in enumerate(feats)}
    for j, col in enumerate(Xt.columns):
        grouped[:, pos[fmap.get(col, col)]] += phi[:, j]
    with _threads_for(len(Xt)):
        risk = _est(trained).predict_proba(Xt)[:, 1]
    base_risk, contrib = _to_probability(grouped, explainer.base_margin, risk, explainer.output)
    ids = frame[ID].astype(str) if ID in frame.columns else None
    return Explanation(
        base_risk=base_risk,
        risk=pd.Series(risk, index=frame.index, name="risk"),
        contributions=pd.DataFrame(contrib, index=frame.index, columns=feats),
        values=frame[feats].copy(),
        customer_id=ids,
    )
