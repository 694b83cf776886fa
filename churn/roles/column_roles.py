"""ColumnRoles (the confirmed meaning of a file's columns) and the label vocabulary.

:class:`ColumnRoles` is the explicit data every library function takes (DESIGN rule 3);
the label words decide which values of a churn column mean churned and which active.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

SHAPES = ("customers", "subscriptions", "events")

#: Roles that name at most one column, in the order the Data page shows them.
SINGLE_ROLES = (
    "id",
    "label",
    "start",
    "end",
    "event_date",
    "amount",
    "tenure",
    "reason",
    "name",
    "email",
)


@dataclass(frozen=True)
class ColumnRoles:
    """The confirmed meaning of a file's columns. Hashable, so it can key caches.

    Attributes
    ----------
    id : customer identifier column.
    label : churn flag or status column (shape 1). Values listed in ``churned_values``
        mean churned, values in ``active_values`` mean active; any other value is left
        out of labelled counts (e.g. "paused").
    churned_values, active_values : raw label values, compared as stripped strings.
    start, end : subscription start and end/cancel dates (shape 2; empty end = active).
    event_date : the date of each event in an event log (shape 3).
    amount : fee, revenue or order amount.
    amount_unit : what one value of ``amount`` is: "month" (per month), "year" (per
        year), "order" (per order or transaction) or "total" (a lifetime total so far);
        None when nobody has said (revenue figures then say the unit is unconfirmed).
    tenure : a duration column (e.g. months as a customer) when there are no dates.
    tenure_unit : unit of ``tenure``: "days", "weeks", "months" or "years".
    reason : churn reason or status detail (voluntary vs involuntary churn).
    name, email : personal columns used for mail merge; never model features.
    features : columns the model and segment pages may use.
    categorical : the subset of ``features`` treated as categories.
    personal : other personal columns (phone, address): kept for exports only.
    excluded : (column, reason) pairs the user or the proposal left out.
    dayfirst : how to read ambiguous dates like 03/04/2024 (None: not ambiguous).
    reasons : why each role was proposed, as ``(role, column, confidence, reason)``
        with confidence "high", "medium" or "low" (low: the Data page asks the user to
        check) and reason a translatable sentence. Shown to the user, never used to
        compute: left out of equality and hashing, so it does not key caches.
    """

    id: str | None = None
    label: str | None = None
    churned_values: tuple[str, ...] = ()
    active_values: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    event_date: str | None = None
    amount: str | None = None
    amount_unit: str | None = None
    tenure: str | None = None
    tenure_unit: str = "months"
    reason: str | None = None
    name: str | None = None
    email: str | None = None
    features: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    personal: tuple[str, ...] = ()
    excluded: tuple[tuple[str, str], ...] = field(default=())
    dayfirst: bool | None = None
    reasons: tuple[tuple[str, str, str, str], ...] = field(default=(), compare=False)

    @property
    def shape(self) -> str:
        """The input shape these roles describe: customers, subscriptions or events."""
        if self.event_date:
            return "events"
        if self.start and (self.end or not self.label):
            return "subscriptions"
        return "customers"

    def assigned(self) -> dict[str, str]:
        """Role -> column for every single-column role that is set."""
        return {r: getattr(self, r) for r in SINGLE_ROLES if getattr(self, r)}

    def with_(self, **changes: Any) -> ColumnRoles:
        """A copy with some roles changed (lists become tuples)."""
        clean = {k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}
        for key in ("excluded", "reasons"):
            if key in clean:
                clean[key] = tuple(tuple(p) for p in clean[key])
        return replace(self, **clean)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        d = asdict(self)
        d["excluded"] = {c: r for c, r in self.excluded}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnRoles:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        clean: dict[str, Any] = {}
        for k, v in data.items():
            if k not in names:
                continue
            if k == "excluded":
                items = v.items() if isinstance(v, dict) else v
                v = tuple((str(c), str(r)) for c, r in items)
            elif k == "reasons":
                v = tuple(tuple(r) for r in v)
            elif isinstance(v, list):
                v = tuple(v)
            clean[k] = v
        return cls(**clean)


# --------------------------------------------------------------------------------------
# Label values
# --------------------------------------------------------------------------------------

#: Label words that mean "churned" (compared after :func:`label_key`).
CHURNED_WORDS = frozenset(
    """
    yes y 1 true t churned churn churner exited exit attrited attrited_customer
    cancelled canceled cancel cancelled_customer canceled_customer lost inactive left
    leave gone terminated closed discontinued unsubscribed lapsed defected
    이탈 이탈함 이탈고객 해지 해지함 해지고객 탈퇴 탈퇴함 해약 예 네 o 있음
    """.split()
)
#: Label words that mean "active".
ACTIVE_WORDS = frozenset(
    """
    no n 0 false f active stay stayed retained existing existing_customer current
    remain remained renewed not_churned non_churned nonchurned loyal ongoing subscribed
    유지 유지함 유지고객 활성 정상 이용중 사용중 재계약 아니오 아니요 아니 x 없음
    """.split()
)
#: Churned words that only make sense as a label when the column is *named* like one
#: (Yes/No, 1/0 and True/False also describe ordinary flags such as "Partner").
_GENERIC_WORDS = frozenset(
    "yes y 1 true t no n 0 false f 예 네 아니오 아니요 아니 o x 있음 없음".split()
)


def label_text(value: Any) -> str | None:
    """The text form of a raw label value, as stored in ``churned_values``.

    Missing values give ``None``; booleans give ``"True"``/``"False"``; whole floats
    lose their ``.0`` (``1.0`` -> ``"1"``) so a label read as numbers still matches.
    """
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return None
        if float(value).is_integer():
            return str(int(value))
        return str(value)
    if isinstance(value, int | np.integer):
        return str(int(value))
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value).strip()
    return text or None


def label_texts(series: pd.Series) -> tuple[list[str | None], np.ndarray]:
    """The :func:`label_text` of each distinct non-missing value of ``series`` and how many
    rows hold that value, in order of first appearance.

    The column is factorised once and each distinct value converted once, so a label
    column of millions of rows costs a handful of conversions, not one per row. Two
    distinct values may share a text (``"Yes"`` and ``" Yes"``); blank text gives None.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return [label_text(u) for u in uniques], counts


def label_key(value: Any) -> str | None:
    """Case-, space- and punctuation-insensitive key of a label value (for matching)."""
    text = label_text(value)
    if text is None:
        return None
    if re.fullmatch(r"[+-]?\d+\.0+", text):
        text = text.split(".")[0]
    key = re.sub(r"[\s\-_/]+", "_", text.casefold()).strip("_")
    return key or None


def normalize_label_values(values: Iterable[Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split a label column's distinct values into churned and active ones.

    Parameters
    ----------
    values : iterable
        The distinct raw values of the label column (missing values are ignored).

    Returns
    -------
    churned_values, active_values : tuple of str
        The values (in :func:`label_text` form) recognised as meaning churned and
        active. Values the vocabulary does not know (e.g. "paused", "trial") are in
        neither: the user maps them or leaves them out.

    Examples
    --------
    >>> normalize_label_values(["Yes", "No"])
    (('Yes',), ('No',))
    >>> normalize_label_values(["active", "cancelled", "paused"])
    (('cancelled',), ('active',))
    """
    churned: list[str] = []
    active: list[str] = []
    seen: set[str] = set()
    for v in values:
        text = label_text(v)
        if text is None or text in seen:
            continue
        seen.add(text)
        key = label_key(text)
        if key in CHURNED_WORDS:
            churned.append(text)
        elif key in ACTIVE_WORDS:
            active.append(text)
    return tuple(churned), tuple(active)


def is_generic_pair(churned: Sequence[str], active: Sequence[str]) -> bool:
    return all(label_key(v) in _GENERIC_WORDS for v in (*churned, *active))


def map_label(
    series: pd.Series, churned_values: Sequence[str], active_values: Sequence[str]
) -> pd.Series:
    """1.0 where the value is a churned value, 0.0 where active, NaN otherwise.

    Matching is case- and space-insensitive, so ``--churned-value yes`` matches "Yes".
    """
    churned = {label_key(v) for v in churned_values} - {None}
    active = {label_key(v) for v in active_values} - {None}
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    lookup = np.full(len(uniques) + 1, np.nan)
    for i, u in enumerate(uniques):
        key = label_key(u)
        if key in churned:
            lookup[i] = 1.0
        elif key in active:
            lookup[i] = 0.0
    return pd.Series(lookup[codes], index=series.index, dtype=float)


def label_value_counts(series: pd.Series, roles: ColumnRoles | None = None) -> pd.DataFrame:
    """Distinct label values with their counts and the proposed (or confirmed) meaning.

    Returns a frame with columns ``value``, ``count`` and ``meaning`` ("churned",
    "active" or "left_out"), most frequent first: what the Data page's label mapping
    editor shows.
    """
    texts, n = label_texts(series)
    counts = (
        pd.Series(n, index=pd.Index(texts, dtype=object), dtype="int64")
        .loc[[t is not None for t in texts]]
        .groupby(level=0, sort=False)
        .sum()
        .sort_values(ascending=False, kind="stable")  # as ``value_counts`` orders them
    )
    if roles is not None and (roles.churned_values or roles.active_values):
        churned, active = roles.churned_values, roles.active_values
    else:
        churned, active = normalize_label_values(counts.index)
    ck = {label_key(v) for v in churned}
    ak = {label_key(v) for v in active}
    meaning = [
        "churned" if label_key(v) in ck else "active" if label_key(v) in ak else "left_out"
        for v in counts.index
    ]
    return pd.DataFrame(
        {"value": list(counts.index), "count": counts.to_numpy(dtype=int), "meaning": meaning}
    )
