"""Explanations: SHAP behind one seam, reasons in words, the playbook and the at-risk list.

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

The playbook
------------
``churn/playbook.csv`` maps drivers to actions (see :func:`load_playbook`); a consultant
may edit it or pass their own file. Reasons that raise risk and match a playbook row are
*actionable*; fixed traits (region, channel, account owner) match no row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import CHURNED, ID, START, STATUS, VALUE, CustomerTable
from churn.text import msg

#: Customers explained for the global drivers (a seeded sample of the table).
GLOBAL_SAMPLE = 2000
#: ... for the random forest, whose 200 deep trees explain about 60 customers per second
#: on one core (LightGBM: about 2,000 per second).
GLOBAL_SAMPLE_FOREST = 300
#: Background rows for the linear explainer (a seeded sample of the table).
LINEAR_BACKGROUND = 1000
PLAYBOOK_PATH = Path(__file__).with_name("playbook.csv")
PLAYBOOK_COLUMNS = (
    "key",
    "warning_sign",
    "pattern",
    "when",
    "action_en",
    "action_ko",
    "why_en",
    "why_ko",
)
LANGS = ("en", "ko")
CONTRIBUTION_METHOD = msg(
    "Contributions are SHAP values of the model, one per column (categories' levels added "
    "together). Models that work in log-odds are rescaled to probability: each customer's "
    "log-odds contributions are multiplied by the same factor, (risk - base risk) / (sum of "
    "log-odds contributions), so they keep their signs and order and add up exactly to the "
    "customer's risk."
)
_YES = {"yes", "y", "true", "t", "1", "예", "네", "o", "있음", "on"}


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

    import shap

    est = _est(trained)
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

    from churn.model import _threads

    return _threads() if n_rows > 256 else nullcontext()


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


# --------------------------------------------------------------------------- global
@dataclass(frozen=True, eq=False)
class GlobalDrivers:
    """What drives churn across customers, measured on a sample.

    Attributes
    ----------
    importance : ``feature``, ``mean_abs_contribution``, ``mean_contribution``, ``rank``
        (1 = strongest), ``n`` (customers explained); strongest first.
    points : long frame for the beeswarm and dependence charts: ``row``, ``customer_id``,
        ``feature``, ``value`` (text), ``value_number`` (NaN for categories),
        ``value_rank`` (0..1 rank of the value within its column; categories ranked by
        their mean contribution), ``contribution``.
    n_sample, n_total : customers explained, and customers in the table.
    base_risk : the explanation's base risk.
    """

    importance: pd.DataFrame
    points: pd.DataFrame
    n_sample: int
    n_total: int
    base_risk: float


def default_sample(trained) -> int:
    """Customers explained for the global drivers: fewer for the slow random forest."""
    return GLOBAL_SAMPLE_FOREST if trained.name == "random_forest" else GLOBAL_SAMPLE


def sample_rows(table: CustomerTable, n: int = GLOBAL_SAMPLE, seed: int = 0) -> pd.DataFrame:
    """A seeded sample of up to ``n`` rows of the table (all rows when it is smaller)."""
    frame = table.frame
    return frame if len(frame) <= n else frame.sample(n, random_state=seed).sort_index()


def global_drivers(
    trained,
    table: CustomerTable,
    *,
    explainer: Explainer | None = None,
    sample: int | None = None,
    seed: int = 0,
) -> GlobalDrivers:
    """Mean absolute contribution per column and the points of the beeswarm chart.

    Parameters
    ----------
    trained : churn.model.TrainedModel
    table : the confirmed customer table.
    explainer : from :func:`make_explainer` (built here when None).
    sample : customers explained (a seeded sample when the table is larger); default
        :func:`default_sample`.
    seed : the sample's seed.

    Returns
    -------
    GlobalDrivers
    """
    rows = sample_rows(table, default_sample(trained) if sample is None else sample, seed)
    if explainer is None:
        explainer = make_explainer(trained, rows)
    ex = explain(trained, rows, explainer=explainer)
    c = ex.contributions
    imp = pd.DataFrame(
        {
            "feature": c.columns,
            "mean_abs_contribution": c.abs().mean().to_numpy(),
            "mean_contribution": c.mean().to_numpy(),
            "n": len(c),
        }
    ).sort_values("mean_abs_contribution", ascending=False, kind="mergesort")
    imp["rank"] = np.arange(1, len(imp) + 1)
    imp = imp.reset_index(drop=True)[
        ["feature", "rank", "mean_abs_contribution", "mean_contribution", "n"]
    ]
    parts = []
    ids = ex.customer_id if ex.customer_id is not None else pd.Series(c.index.astype(str))
    for col in c.columns:
        v = ex.values[col]
        num = col not in trained.categorical and pd.api.types.is_numeric_dtype(v)
        if num:
            vn = pd.to_numeric(v, errors="coerce").astype(float)
            rank = vn.rank(pct=True)
        else:
            vn = pd.Series(np.nan, index=v.index)
            text = v.astype(object).where(v.notna(), None).map(_text_or_missing)
            order = c[col].groupby(text).mean().rank(pct=True)
            rank = text.map(order)
        parts.append(
            pd.DataFrame(
                {
                    "row": c.index,
                    "customer_id": ids.to_numpy(),
                    "feature": col,
                    "value": v.map(_value_text).to_numpy(),
                    "value_number": vn.to_numpy(),
                    "value_rank": rank.to_numpy(dtype=float),
                    "contribution": c[col].to_numpy(),
                }
            )
        )
    points = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return GlobalDrivers(imp, points, len(c), table.n_customers, ex.base_risk)


def _text_or_missing(v: Any) -> str:
    return "(missing)" if v is None else str(v)


# --------------------------------------------------------------------------- playbook
@dataclass(frozen=True)
class Playbook:
    """Drivers -> suggested actions, in file order (the first matching row wins).

    Attributes
    ----------
    rows : the playbook frame (:data:`PLAYBOOK_COLUMNS`).
    """

    rows: pd.DataFrame = field(repr=False)

    def default(self) -> pd.Series:
        """The row used when no reason is actionable (key ``default``, else the last)."""
        d = self.rows[self.rows["key"] == "default"]
        return d.iloc[0] if len(d) else self.rows.iloc[-1]

    def match(self, column: str) -> pd.Series | None:
        """The playbook row for a column, or None when the column is a fixed trait."""
        from churn.segments import _norm_name, recognise_warning_signs

        sign = recognise_warning_signs([column]).get(column)
        name = _norm_name(column)
        for _, row in self.rows.iterrows():
            if row["key"] == "default":
                continue
            if sign and row["warning_sign"] == sign:
                return row
            pat = row["pattern"]
            if pat and re.search(pat, name):
                return row
        return None

    def action(self, key: str, lang: str = "en") -> str:
        """The action text of the row ``key`` in ``lang``."""
        row = self.rows[self.rows["key"] == key].iloc[0]
        return str(row[f"action_{_lang(lang)}"])


def load_playbook(path: str | Path | None = None) -> Playbook:
    """Read the playbook CSV (default: ``churn/playbook.csv``, UTF-8).

    Columns: ``key`` (unique name), ``warning_sign`` (optional: a sign of
    :data:`churn.segments.WARNING_SIGNS`; columns recognised as that sign match),
    ``pattern`` (optional regular expression searched in the lower-cased column name,
    with ``_ - . /`` read as spaces; English and Korean), ``when`` (which values make the
    reason actionable: ``high`` = above the median, ``low`` = below it or missing,
    ``yes`` = a yes-like value, ``any``, or ``value:REGEX`` matched against the value's
    text), ``action_en``, ``action_ko``, ``why_en``, ``why_ko``. Rows are tried in file
    order; the row with key ``default`` is the action when no reason is actionable.

    Raises
    ------
    ChurnDataError
        A column is missing, a key repeats, a ``when`` or ``pattern`` is invalid.
    """
    path = Path(path) if path is not None else PLAYBOOK_PATH
    rows = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in PLAYBOOK_COLUMNS if c not in rows.columns]
    if missing:
        raise ChurnDataError(
            msg("the playbook file lacks the columns {missing}.", missing=", ".join(missing)),
            fix=msg("give it the columns {columns}.", columns=", ".join(PLAYBOOK_COLUMNS)),
        )
    rows = rows[list(PLAYBOOK_COLUMNS)].apply(lambda s: s.str.strip())
    if rows["key"].duplicated().any() or (rows["key"] == "").any():
        raise ChurnDataError(
            msg("every playbook row needs a unique key."),
            fix=msg("rename the repeated key."),
            column="key",
        )
    for _, r in rows.iterrows():
        w = r["when"]
        if not (w in ("high", "low", "yes", "any") or w.startswith("value:")):
            raise ChurnDataError(
                msg("row '{key}' has when = '{when}'.", key=r["key"], when=w),
                fix=msg("use high, low, yes, any or value:REGEX."),
                column="when",
            )
        for pat in (r["pattern"], w[6:] if w.startswith("value:") else ""):
            try:
                re.compile(pat)
            except re.error as exc:
                raise ChurnDataError(
                    msg(
                        "row '{key}' has an invalid pattern ({error}).",
                        key=r["key"],
                        error=str(exc),
                    ),
                    fix=msg("write a valid regular expression."),
                    column="pattern",
                ) from exc
    if rows.empty:
        raise ChurnDataError(
            msg("the playbook file has no rows."), fix=msg("add at least a default row.")
        )
    return Playbook(rows.reset_index(drop=True))


def playbook_table(playbook: Playbook | None = None, lang: str = "en") -> pd.DataFrame:
    """The playbook as shown on the page: ``key``, ``warning_sign``, ``when``, ``action``,
    ``why`` in ``lang``."""
    pb = playbook or load_playbook()
    r = pb.rows
    lg = _lang(lang)
    return pd.DataFrame(
        {
            "key": r["key"],
            "matches": np.where(r["warning_sign"] != "", r["warning_sign"], r["pattern"]),
            "when": r["when"],
            "action": r[f"action_{lg}"],
            "why": r[f"why_{lg}"],
        }
    )


def _lang(lang: str) -> str:
    return lang if lang in LANGS else "en"


# --------------------------------------------------------------------------- reasons
@dataclass(frozen=True, eq=False)
class Reference:
    """The comparison population for reason texts: every customer of the table.

    Build once per table with :func:`make_reference` (sorting a million values per
    column is the slow part) and pass it to :func:`reasons`.
    """

    n: int
    sorted_numbers: dict[str, np.ndarray] = field(repr=False)
    category_shares: dict[str, pd.Series] = field(repr=False)
    medians: dict[str, float] = field(repr=False)
    missing_share: dict[str, float] = field(repr=False)
    numeric: frozenset[str] = frozenset()


def make_reference(table: CustomerTable, features: Sequence[str] | None = None) -> Reference:
    """Sorted values (numbers) and value shares (categories) of every feature column."""
    frame = table.frame
    feats = [c for c in (features or table.features) if c in frame.columns]
    nums, cats, meds, miss = {}, {}, {}, {}
    numeric = set()
    for col in feats:
        s = frame[col]
        miss[col] = float(s.isna().mean()) if len(s) else float("nan")
        if col not in table.categorical and pd.api.types.is_numeric_dtype(s):
            v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
            v = np.sort(v[~np.isnan(v)])
            nums[col] = v
            meds[col] = float(np.median(v)) if len(v) else float("nan")
            numeric.add(col)
        else:
            cats[col] = _value_texts(s).value_counts(normalize=True, dropna=False)
    return Reference(len(frame), nums, cats, meds, miss, frozenset(numeric))


def _value_texts(s: pd.Series) -> pd.Series:
    """``s.map(_value_text)``, one call per distinct value (missing -> "(missing)")."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object)
    if isinstance(s.dtype, pd.CategoricalDtype) or (
        s.dtype == object and len({type(u) for u in uniq}) > 1
    ):
        # equal values of different types (True, 1) share one code but read differently;
        # a categorical maps to a categorical (its unused levels count too)
        return s.map(_value_text)
    texts = np.empty(len(uniq) + 1, dtype=object)
    texts[:-1] = [_value_text(u) for u in uniq]
    texts[-1] = _value_text(None)  # code -1: missing
    return pd.Series(texts[codes], index=s.index, name=s.name, dtype=object)


def _value_text(v: Any) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "(missing)"
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, int | np.integer):
        return f"{int(v):,}"
    if isinstance(v, float | np.floating):
        f = float(v)
        if f.is_integer() and abs(f) < 1e15:
            return f"{int(f):,}"
        return f"{f:,.2f}".rstrip("0").rstrip(".") if abs(f) < 1e6 else f"{f:,.0f}"
    return str(v)


def _missing(v: Any) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v))


#: Reason sentences; {feature}, {value}, {share}, {points} are filled in.
TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "higher": "{feature} is {value}, higher than {share} of customers: {points} points of risk",
        "lower": "{feature} is {value}, lower than {share} of customers: {points} points of risk",
        "same": "{feature} is {value}, like {share} of customers: {points} points of risk",
        "missing": "{feature} is not recorded, like {share} of customers: {points} points of risk",
    },
    "ko": {
        "higher": "{feature} {value}: 고객의 {share}보다 높음, 이탈 위험 {points}%p",
        "lower": "{feature} {value}: 고객의 {share}보다 낮음, 이탈 위험 {points}%p",
        "same": "{feature} {value}: 고객의 {share}가 같은 값, 이탈 위험 {points}%p",
        "missing": "{feature} 값 없음: 고객의 {share}가 같음, 이탈 위험 {points}%p",
    },
}


def _share_text(x: float, lang: str) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    sep = "" if lang == "ko" else " "
    return f"{x * 100:.0f}{sep}%"


def _compare(ref: Reference, col: str, v: Any) -> tuple[str, float, float]:
    """(kind, percentile, share for the sentence) of one value against all customers.

    ``percentile`` is the share of customers with a lower value (numbers) or the same
    value (categories); ``share`` is what the sentence quotes.
    """
    if _missing(v):
        share = ref.missing_share.get(col, float("nan"))
        return "missing", float("nan"), share
    if col in ref.numeric:
        arr = ref.sorted_numbers[col]
        n = len(arr)
        if n == 0:
            return "same", float("nan"), float("nan")
        x = float(v)
        lower = np.searchsorted(arr, x, side="left") / n
        higher = 1.0 - np.searchsorted(arr, x, side="right") / n
        if lower >= higher:
            return "higher", float(lower), float(lower)
        return "lower", float(lower), float(higher)
    shares = ref.category_shares.get(col)
    share = float(shares.get(_value_text(v), 0.0)) if shares is not None else float("nan")
    return "same", share, share


def reason_text(
    feature: str, value: Any, contribution: float, kind: str, share: float, lang: str = "en"
) -> str:
    """One reason as a sentence in ``lang`` ("en" or "ko").

    >>> reason_text("support_tickets", 7, 0.12, "higher", 0.92)
    'support_tickets is 7, higher than 92 % of customers: +12.0 points of risk'
    """
    lang = _lang(lang)
    return TEMPLATES[lang][kind].format(
        feature=feature,
        value=_value_text(value),
        share=_share_text(share, lang),
        points=f"{contribution * 100:+.1f}",
    )


def _actionable(row: pd.Series | None, ref: Reference, col: str, v: Any) -> bool:
    """Whether the value is on the side of the playbook row's ``when``."""
    return bool(_actionable_mask(row, ref, col, np.array([v], dtype=object))[0])


def _actionable_mask(
    row: pd.Series | None, ref: Reference, col: str, values: np.ndarray
) -> np.ndarray:
    """:func:`_actionable` for an array of values of one column."""
    n = len(values)
    if row is None:
        return np.zeros(n, dtype=bool)
    when = row["when"]
    if when == "any":
        return np.ones(n, dtype=bool)
    missing = pd.isna(pd.Series(values, dtype=object)).to_numpy()
    if when in ("high", "low"):
        if col not in ref.numeric:
            return np.zeros(n, dtype=bool)
        x = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
        med = ref.medians.get(col, float("nan"))
        with np.errstate(invalid="ignore"):
            side = x > med if when == "high" else x < med
        return side | missing if when == "low" else side & ~missing
    texts = [_value_text(v).strip().lower() for v in values]
    if when == "yes":
        hit = np.array([x in _YES for x in texts], dtype=bool)
    else:
        pat = re.compile(when[6:], flags=re.IGNORECASE)
        hit = np.array([bool(pat.search(x)) for x in texts], dtype=bool)
    return hit & ~missing


def reasons(
    explanation: Explanation,
    table: CustomerTable,
    *,
    top: int | None = 3,
    lang: str = "en",
    order: Literal["risk", "abs"] = "risk",
    playbook: Playbook | None = None,
    reference: Reference | None = None,
) -> pd.DataFrame:
    """The reasons behind each explained customer's risk, in words, with actions.

    Parameters
    ----------
    explanation : from :func:`explain`.
    table : the customer table the customers come from (the comparison population).
    top : reasons per customer (None = all features).
    lang : ``"en"`` or ``"ko"``.
    order : ``"risk"``: only reasons that *raise* risk, strongest first (why is this
        customer at risk); ``"abs"``: every feature, largest absolute contribution first
        (the CLI's full breakdown).
    playbook : default :func:`load_playbook`.
    reference : from :func:`make_reference` (built here when None).

    Returns
    -------
    pandas.DataFrame
        ``row`` (frame index), ``customer_id``, ``rank``, ``feature``, ``value``,
        ``contribution`` (probability units), ``percentile`` (numbers: share of customers
        with a lower value; categories: share with the same value), ``text``,
        ``actionable`` (raises risk and matches a playbook row on the right side),
        ``playbook_key`` and ``action`` (empty when not actionable).
    """
    pb = playbook or load_playbook()
    c = explanation.contributions
    ref = reference or make_reference(table, list(c.columns))
    lang = _lang(lang)
    matches, act_matrix = _actionable_matrix(explanation, pb, ref)
    ids = (
        explanation.customer_id.to_numpy()
        if explanation.customer_id is not None
        else c.index.astype(str).to_numpy()
    )
    vals = c.to_numpy()
    values = explanation.values[list(c.columns)].to_numpy(dtype=object)
    cols = list(c.columns)
    actions = {
        col: ("", "") if m is None else (m["key"], str(m[f"action_{lang}"]))
        for col, m in matches.items()
    }
    out = []
    for i, row in enumerate(c.index):
        v = vals[i]
        if order == "abs":
            idx = np.argsort(-np.abs(v), kind="mergesort")
        else:
            idx = np.argsort(-v, kind="mergesort")
            idx = idx[v[idx] > 0]
        if top is not None:
            idx = idx[:top]
        for rank, j in enumerate(idx, start=1):
            col = cols[j]
            value = values[i, j]
            kind, pct, share = _compare(ref, col, value)
            act = bool(act_matrix[i, j])
            key, action = actions[col] if act else ("", "")
            text = reason_text(col, value, float(v[j]), kind, share, lang)
            out.append((row, ids[i], rank, col, value, float(v[j]), pct, text, act, key, action))
    return pd.DataFrame(
        out,
        columns=[
            "row",
            "customer_id",
            "rank",
            "feature",
            "value",
            "contribution",
            "percentile",
            "text",
            "actionable",
            "playbook_key",
            "action",
        ],
    )


def _actionable_matrix(
    explanation: Explanation, pb: Playbook, ref: Reference
) -> tuple[dict[str, pd.Series | None], np.ndarray]:
    """Playbook row per column, and (rows, features): raises risk and is actionable."""
    c = explanation.contributions
    matches = {col: pb.match(col) for col in c.columns}
    out = c.to_numpy() > 0
    for j, col in enumerate(c.columns):
        values = explanation.values[col].to_numpy(dtype=object)
        out[:, j] &= _actionable_mask(matches[col], ref, col, values)
    return matches, out


def suggested_actions(
    explanation: Explanation,
    table: CustomerTable,
    *,
    lang: str = "en",
    playbook: Playbook | None = None,
    reference: Reference | None = None,
) -> pd.DataFrame:
    """Each customer's action: that of their strongest *actionable* reason, else the default.

    Every reason that raises risk is considered (not only the top three).

    Returns
    -------
    pandas.DataFrame
        Index = the explanation's index; ``playbook_key``, ``action``, ``why``,
        ``because`` (the feature behind it; empty for the default).
    """
    pb = playbook or load_playbook()
    c = explanation.contributions
    ref = reference or make_reference(table, list(c.columns))
    lang = _lang(lang)
    matches, act_matrix = _actionable_matrix(explanation, pb, ref)
    strength = np.where(act_matrix, c.to_numpy(), -np.inf)
    best = strength.argmax(axis=1) if strength.shape[1] else np.zeros(len(c), dtype=int)
    has = np.isfinite(strength[np.arange(len(c)), best]) if strength.shape[1] else best > 0
    cols = list(c.columns)
    default_key = pb.default()["key"]
    keys = [matches[cols[j]]["key"] if h else default_key for j, h in zip(best, has, strict=True)]
    because = [cols[j] if h else "" for j, h in zip(best, has, strict=True)]
    rows = pb.rows.set_index("key")
    return pd.DataFrame(
        {
            "playbook_key": keys,
            "action": [str(rows.at[k, f"action_{lang}"]) for k in keys],
            "why": [str(rows.at[k, f"why_{lang}"]) for k in keys],
            "because": because,
        },
        index=c.index,
    )


# --------------------------------------------------------------------------- one customer
def find_customer(table: CustomerTable, query: str) -> pd.Index:
    """Rows whose id equals ``query``, else whose name contains it (case-insensitive).

    Raises ChurnDataError when nothing matches.
    """
    frame = table.frame
    q = str(query).strip()
    hit = frame.index[frame[ID].astype(str) == q]
    if len(hit):
        return hit
    name = name_column(table)
    if name and q:
        hit = frame.index[frame[name].astype(str).str.contains(q, case=False, regex=False)]
        if len(hit):
            return hit
    raise ChurnDataError(
        msg("there is no customer '{customer}'.", customer=q),
        fix=msg("give a customer id from the table (or part of a name)."),
        column=ID,
    )


def customer_breakdown(
    trained,
    table: CustomerTable,
    customer: str,
    *,
    explainer: Explainer | None = None,
    lang: str = "en",
    playbook: Playbook | None = None,
    reference: Reference | None = None,
) -> dict[str, Any]:
    """One customer's full explanation: every feature, strongest |contribution| first.

    Returns
    -------
    dict
        ``customer``, ``risk``, ``base_risk``, ``reasons`` (list of ``feature``,
        ``value``, ``contribution``, ``text``), ``action``: what the CLI prints.
    """
    rows = find_customer(table, customer)
    frame = table.frame.loc[rows[:1]]
    if explainer is None:
        explainer = make_explainer(trained, sample_rows(table, LINEAR_BACKGROUND))
    ex = explain(trained, frame, explainer=explainer)
    pb = playbook or load_playbook()
    ref = reference or make_reference(table, trained.features)
    r = reasons(ex, table, top=None, lang=lang, order="abs", playbook=pb, reference=ref)
    act = suggested_actions(ex, table, lang=lang, playbook=pb, reference=ref)
    return {
        "customer": str(frame[ID].iloc[0]),
        "risk": float(ex.risk.iloc[0]),
        "base_risk": float(ex.base_risk),
        "reasons": [
            {
                "feature": x.feature,
                "value": _json_value(x.value),
                "contribution": float(x.contribution),
                "text": x.text,
            }
            for x in r.itertuples()
        ],
        "action": str(act["action"].iloc[0]),
    }


def _json_value(v: Any) -> Any:
    if _missing(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def waterfall_frame(
    explanation: Explanation,
    row: Any,
    *,
    top: int = 8,
    other_label: str = msg("other columns"),
) -> pd.DataFrame:
    """Steps of a waterfall chart for one customer: base -> contributions -> risk.

    The ``top`` largest |contributions| get their own bar; the rest are pooled into one
    bar named ``other_label``.

    Returns
    -------
    pandas.DataFrame
        ``step`` (0..), ``label``, ``kind`` (``base``, ``up``, ``down``, ``risk``),
        ``start``, ``end``, ``contribution``; the last ``end`` is the customer's risk.
    """
    c = explanation.contributions.loc[row]
    order = c.abs().sort_values(ascending=False, kind="mergesort").index
    keep = list(order[:top])
    rest = float(c.drop(keep).sum()) if len(order) > top else None
    items = [(str(k), float(c[k])) for k in keep]
    if rest is not None:
        items.append((other_label, rest))
    base = float(explanation.base_risk)
    recs = [(0, "base", "base", 0.0, base, base)]
    level = base
    for i, (lab, x) in enumerate(items, start=1):
        recs.append((i, lab, "up" if x > 0 else "down", level, level + x, x))
        level += x
    risk = float(explanation.risk.loc[row])
    recs.append((len(items) + 1, "risk", "risk", 0.0, risk, risk))
    return pd.DataFrame(recs, columns=["step", "label", "kind", "start", "end", "contribution"])


# --------------------------------------------------------------------------- at-risk list
def name_column(table: CustomerTable) -> str | None:
    """The frame column holding the customer's name (from the roles), if any."""
    return _role_column(table, table.roles.name)


def email_column(table: CustomerTable) -> str | None:
    """The frame column holding the customer's e-mail (from the roles), if any."""
    return _role_column(table, table.roles.email)


def _role_column(table: CustomerTable, col: str | None) -> str | None:
    if not col:
        return None
    for c in (col, f"{col} (original)"):
        if c in table.frame.columns:
            return c
    return None


_PLAN_LIKE = re.compile(r"plan|tier|contract|product|package|요금제|계약|등급|상품|플랜")


def plan_columns(table: CustomerTable) -> list[str]:
    """Feature columns that describe the customer's plan or contract (for mail merge)."""
    from churn.segments import _norm_name

    return [c for c in table.categorical if _PLAN_LIKE.search(_norm_name(c))]


RISK_SORTS = ("risk", "value_at_risk")


def select_at_risk(
    table: CustomerTable,
    risk: pd.Series,
    *,
    sort: str = "risk",
    top: int | None = 100,
    band: tuple[float, float] | None = None,
    segment: tuple[str, Sequence[Any]] | None = None,
) -> pd.DataFrame:
    """Active customers ranked by risk or expected value at risk, before any explanation.

    Parameters
    ----------
    table : the customer table.
    risk : every customer's risk, indexed by ``customer_id`` (``churn.model.score``).
    sort : ``"risk"`` or ``"value_at_risk"`` (risk x value; customers with no value
        count as 0).
    top : keep this many (None = all that pass the filters).
    band : keep risks in ``[low, high]``.
    segment : ``(column, values)``: keep customers whose column is one of the values
        (compared as text).

    Returns
    -------
    pandas.DataFrame
        The kept rows of ``table.frame`` (same index) plus ``risk``, ``value_at_risk`` and
        ``risk_rank`` (1 = first in the chosen order), in that order.
    """
    if sort not in RISK_SORTS:
        raise ChurnDataError(
            msg("cannot sort by '{sort}'.", sort=sort),
            fix=msg("use one of {choices}.", choices=", ".join(RISK_SORTS)),
        )
    frame = table.frame
    keep = (frame[CHURNED] != 1).to_numpy() & (frame[STATUS] != "churned").to_numpy()
    if segment is not None:
        col, values = segment
        if col not in frame.columns:
            raise ChurnDataError(
                msg("is not in the customer table."), fix=msg("pick another column."), column=col
            )
        wanted = {str(v) for v in values}
        keep &= (
            frame[col].map(_value_text).isin(wanted).to_numpy()
            | frame[col].astype(str).isin(wanted).to_numpy()
        )
    # Rank on the two numbers alone, then copy only the kept rows of the table (copying
    # and sorting every column of a million customers to keep a hundred was the slow part).
    pos = np.flatnonzero(keep)
    r = risk.reindex(frame[ID].iloc[pos].astype(str)).to_numpy(dtype=float)
    value = frame[VALUE].iloc[pos].fillna(0.0).astype(float).to_numpy()
    rank = pd.DataFrame({"risk": r, "value_at_risk": r * value, "pos": pos})
    if band is not None:
        lo, hi = band
        rank = rank[(rank["risk"] >= lo) & (rank["risk"] <= hi)]
    rank = rank[rank["risk"].notna()]
    rank = rank.sort_values(sort, ascending=False, kind="mergesort")
    if top is not None:
        rank = rank.head(int(top))
    out = frame.iloc[rank["pos"].to_numpy()].assign(risk=rank["risk"].to_numpy())
    out["value_at_risk"] = rank["value_at_risk"].to_numpy()
    out["risk_rank"] = np.arange(1, len(out) + 1)
    return out


def at_risk_list(
    trained,
    table: CustomerTable,
    risk: pd.Series,
    *,
    explainer: Explainer | None = None,
    sort: str = "risk",
    top: int | None = 100,
    band: tuple[float, float] | None = None,
    segment: tuple[str, Sequence[Any]] | None = None,
    lang: str = "en",
    playbook: Playbook | None = None,
    reference: Reference | None = None,
) -> pd.DataFrame:
    """The at-risk list with the top three reasons and the suggested action.

    Only the selected rows are explained (see :func:`select_at_risk` for the choice).

    Returns
    -------
    pandas.DataFrame
        One row per customer, in list order: ``risk_rank``, ``customer_id``, ``name`` and
        ``email`` (when the roles have them), the plan-like columns, ``signup_date`` (or
        ``last_purchase`` for event logs), ``risk``, ``value``, ``value_at_risk``,
        ``reason_1``..``reason_3``, ``action``, ``because``, ``row`` (table index).
    """
    sel = select_at_risk(table, risk, sort=sort, top=top, band=band, segment=segment)
    out = pd.DataFrame({"risk_rank": sel["risk_rank"].to_numpy()}, index=sel.index)
    out["customer_id"] = sel[ID].astype(str)
    for role, col in (("name", name_column(table)), ("email", email_column(table))):
        if col:
            out[role] = sel[col]
    for col in plan_columns(table):
        if col not in out.columns:
            out[col] = sel[col]
    if "last_event" in sel.columns and table.shape == "events":
        out["last_purchase"] = sel["last_event"]
    elif sel[START].notna().any():
        out["signup_date"] = sel[START]
    out["risk"] = sel["risk"]
    out["value"] = sel[VALUE]
    out["value_at_risk"] = sel["value_at_risk"]
    for k in (1, 2, 3):
        out[f"reason_{k}"] = ""
    out["action"] = ""
    out["because"] = ""
    if len(sel):
        if explainer is None:
            explainer = make_explainer(trained, sample_rows(table, LINEAR_BACKGROUND))
        pb = playbook or load_playbook()
        ref = reference or make_reference(table, trained.features)
        ex = explain(trained, sel, explainer=explainer)
        r = reasons(ex, table, top=3, lang=lang, playbook=pb, reference=ref)
        wide = r.pivot(index="row", columns="rank", values="text")
        for k in (1, 2, 3):
            if k in wide.columns:
                out[f"reason_{k}"] = wide[k].reindex(out.index).fillna("")
        act = suggested_actions(ex, table, lang=lang, playbook=pb, reference=ref)
        out["action"] = act["action"]
        out["because"] = act["because"]
    out["row"] = out.index
    return out.reset_index(drop=True)


def at_risk_bytes(frame: pd.DataFrame, kind: str) -> bytes:
    """The at-risk list as formula-safe CSV or XLSX bytes (``kind``: csv or xlsx)."""
    from churn.export import to_csv_bytes, to_xlsx_bytes

    data = frame.drop(columns=["row"], errors="ignore")
    if kind == "csv":
        return to_csv_bytes(data)
    if kind == "xlsx":
        return to_xlsx_bytes({"at_risk": data})
    raise ChurnDataError(
        msg("cannot write a '.{kind}' file.", kind=kind), fix=msg("use .csv or .xlsx.")
    )


def filter_levels(table: CustomerTable, column: str, limit: int = 50) -> list[str]:
    """The ``limit`` most frequent values of a column, as text (for a segment filter)."""
    if column not in table.frame.columns:
        raise ChurnDataError(
            msg("is not in the customer table."), fix=msg("pick another column."), column=column
        )
    counts = table.frame[column].map(_value_text).value_counts()
    return [str(v) for v in counts.index[:limit]]
