"""Reasons in words: each contribution compared with all customers, and the actions."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from churn.explain.playbook import Playbook, load_playbook
from churn.explain.seam import Explanation
from churn.formatting import fmt_pct
from churn.languages import norm_lang
from churn.table import CustomerTable
from churn.text import TableSet, table

_YES = {"yes", "y", "true", "t", "1", "예", "네", "o", "있음", "on"}


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
            cats[col] = value_texts(s).value_counts(normalize=True, dropna=False)
    return Reference(len(frame), nums, cats, meds, miss, frozenset(numeric))


def value_texts(s: pd.Series) -> pd.Series:
    """``s.map(value_text)``, one call per distinct value (missing -> "(missing)")."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    uniq = np.asarray(uniques, dtype=object)
    if isinstance(s.dtype, pd.CategoricalDtype) or (
        s.dtype == object and len({type(u) for u in uniq}) > 1
    ):
        # equal values of different types (True, 1) share one code but read differently;
        # a categorical maps to a categorical (its unused levels count too)
        return s.map(value_text)
    texts = np.empty(len(uniq) + 1, dtype=object)
    texts[:-1] = [value_text(u) for u in uniq]
    texts[-1] = value_text(None)  # code -1: missing
    return pd.Series(texts[codes], index=s.index, name=s.name, dtype=object)


def value_text(v: Any) -> str:
    """A value as the reasons and filters show it: "(missing)", yes/no, 1,234, 12.5."""
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


def is_missing(v: Any) -> bool:
    """Whether a single value is missing (None, NaN, NaT, NA; never a string)."""
    return v is None or (not isinstance(v, str) and pd.isna(v))


#: Reason sentences by language (keys ``higher``, ``lower``, ``same``, ``missing``);
#: {feature}, {value}, {share}, {points} are filled in. The keyed table ``reasons`` of
#: ``churn/locales/<lang>/tables/``.
TEMPLATES = TableSet("reasons")


def _compare(ref: Reference, col: str, v: Any) -> tuple[str, float, float]:
    """(kind, percentile, share for the sentence) of one value against all customers.

    ``percentile`` is the share of customers with a lower value (numbers) or the same
    value (categories); ``share`` is what the sentence quotes.
    """
    if is_missing(v):
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
    share = float(shares.get(value_text(v), 0.0)) if shares is not None else float("nan")
    return "same", share, share


def reason_text(
    feature: str, value: Any, contribution: float, kind: str, share: float, lang: str = "en"
) -> str:
    """One reason as a sentence in ``lang`` (one of :data:`churn.languages.LANGUAGES`).

    >>> reason_text("support_tickets", 7, 0.12, "higher", 0.92)
    'support_tickets is 7, higher than 92 % of customers: +12.0 points of risk'
    """
    lang = norm_lang(lang)
    if kind in ("higher", "lower") and share == share:
        # rounded down, never up: the top customer of 5,000 is higher than 99.98 %, which
        # "100 %" would overstate (nobody is higher than every customer, themselves included)
        share = math.floor(share * 100 + 1e-9) / 100
    return table(lang, "reasons")[kind].format(
        feature=feature,
        value=value_text(value),
        share=fmt_pct(share, 0, lang),
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
    texts = [value_text(v).strip().lower() for v in values]
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
    lang : one of :data:`churn.languages.LANGUAGES` (another reads as the default).
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
    lang = norm_lang(lang)
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
    lang = norm_lang(lang)
    matches, act_matrix = _actionable_matrix(explanation, pb, ref)
    strength = np.where(act_matrix, c.to_numpy(), -np.inf)
    best = strength.argmax(axis=1) if strength.shape[1] else np.zeros(len(c), dtype=int)
    has = np.isfinite(strength[np.arange(len(c)), best]) if strength.shape[1] else best > 0
    cols = list(c.columns)
    default_key = pb.default()["key"]
    keys = [matches[cols[j]]["key"] if h else default_key for j, h in zip(best, has, strict=True)]
    because = [cols[j] if h else "" for j, h in zip(best, has, strict=True)]
    rows = pb.rows.set_index("key")
    # one look-up per playbook row, not per customer
    action = {k: str(rows.at[k, f"action_{lang}"]) for k in set(keys)}
    why = {k: str(rows.at[k, f"why_{lang}"]) for k in set(keys)}
    return pd.DataFrame(
        {
            "playbook_key": keys,
            "action": [action[k] for k in keys],
            "why": [why[k] for k in keys],
            "because": because,
        },
        index=c.index,
    )
