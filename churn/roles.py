"""Column roles: which column is the id, the label, the dates, the amount, the features.

``infer_roles(df)`` only *proposes*; the user confirms on the Data page (or with the
CLI's role flags), and every other library function takes the confirmed
:class:`ColumnRoles`. No function guesses a column by its name again (DESIGN rule 3).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from churn.text import msg

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
    tenure : a duration column (e.g. months as a customer) when there are no dates.
    tenure_unit : unit of ``tenure``: "days", "weeks", "months" or "years".
    reason : churn reason or status detail (voluntary vs involuntary churn).
    name, email : personal columns used for mail merge; never model features.
    features : columns the model and segment pages may use.
    categorical : the subset of ``features`` treated as categories.
    personal : other personal columns (phone, address): kept for exports only.
    excluded : (column, reason) pairs the user or the proposal left out.
    dayfirst : how to read ambiguous dates like 03/04/2024 (None: not ambiguous).
    """

    id: str | None = None
    label: str | None = None
    churned_values: tuple[str, ...] = ()
    active_values: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    event_date: str | None = None
    amount: str | None = None
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
        if "excluded" in clean:
            clean["excluded"] = tuple(tuple(p) for p in clean["excluded"])
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


def _is_generic_pair(churned: Sequence[str], active: Sequence[str]) -> bool:
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
    texts = series.map(label_text)
    counts = texts.value_counts(dropna=True)
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


# --------------------------------------------------------------------------------------
# Leakage: a single column that separates the label almost perfectly
# --------------------------------------------------------------------------------------

#: AUC above which one column alone is a leakage suspect.
LEAKAGE_AUC = 0.97
#: Share of rows a single pure level (100 % one class) must cover to be a suspect.
LEAKAGE_PURE_LEVEL = 0.5


def separation_auc(x: pd.Series, y: pd.Series) -> float:
    """How well a numeric column alone ranks churned above active customers.

    Returns max(AUC, 1 - AUC) in [0.5, 1] (direction does not matter); missing values
    of ``x`` count as their own lowest value. NaN when ``x`` is not numeric or either
    class has fewer than 5 customers.
    """
    mask = y.notna().to_numpy()
    xs = _as_number(x)
    if xs is None:
        return float("nan")
    xv = xs.to_numpy(dtype=float)[mask]
    yv = y.to_numpy(dtype=float)[mask]
    n1 = int((yv == 1).sum())
    n0 = int((yv == 0).sum())
    if n1 < 5 or n0 < 5:
        return float("nan")
    if np.isnan(xv).all():
        return 0.5
    low = np.nanmin(xv) - 1.0
    xv = np.where(np.isnan(xv), low, xv)
    ranks = pd.Series(xv).rank(method="average").to_numpy()
    auc = (ranks[yv == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)
    return float(max(auc, 1 - auc))


def leakage_detail(x: pd.Series, y: pd.Series) -> str | None:
    """Why ``x`` alone separates the label ``y`` (1.0/0.0/NaN) almost perfectly, or None.

    Two tests: a numeric column with AUC above :data:`LEAKAGE_AUC`; or a level of the
    column (missing counts as a level) with at least 5 customers, all of one class,
    covering at least half of the labelled customers (e.g. a "cancel code" that is empty
    for every active customer).
    """
    mask = y.notna()
    if mask.sum() < 10:
        return None
    if y[mask].nunique() < 2:  # one class only: nothing can separate it
        return None
    auc = separation_auc(x, y)
    if not np.isnan(auc) and auc > LEAKAGE_AUC:
        return msg("separates the label almost perfectly on its own (AUC {auc:.3f})", auc=auc)
    xs, ys = x[mask], y[mask].to_numpy(dtype=float)
    codes, uniques = pd.factorize(xs, use_na_sentinel=False)
    if len(uniques) < 2 or len(uniques) > 200:
        return None
    size = np.bincount(codes, minlength=len(uniques))
    pos = np.bincount(codes, weights=ys, minlength=len(uniques))
    pure = (size >= 5) & ((pos == 0) | (pos == size))
    if not pure.any():
        return None
    best = int(np.argmax(np.where(pure, size, 0)))
    share = size[best] / len(ys)
    if share >= LEAKAGE_PURE_LEVEL:
        level = msg("(missing)") if pd.isna(uniques[best]) else str(uniques[best])
        if pos[best] == size[best]:
            return msg(
                "value '{level}' covers {share:.0%} of customers and all of them are churned",
                level=level,
                share=share,
            )
        return msg(
            "value '{level}' covers {share:.0%} of customers and all of them are active",
            level=level,
            share=share,
        )
    return None


# --------------------------------------------------------------------------------------
# Role inference
# --------------------------------------------------------------------------------------

_SAMPLE = 1000  # values looked at for patterns (dates, e-mails, phones, names)

_DATE_RE = re.compile(
    r"^(\d{4}[-/.]\s?\d{1,2}[-/.]\s?\d{1,2}\.?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|\d{4}\s*년\s*\d{1,2}\s*월\s*\d{1,2}\s*일?"
    r"|\d{1,2}[ -][A-Za-z]{3,9}[ -,]+\d{2,4}"
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4})"
    r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([AaPp][Mm]|Z|[+-]\d{2}:?\d{2})?)?$"
)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE_RE = re.compile(r"^\+?[\d\s().\-]{7,24}$")
_PERSON_RE = re.compile(r"^([가-힣]{2,4}|[A-Z][a-z'’\-]+( [A-Z]\.?)?( [A-Z][a-z'’\-]+){1,2})$")
_NUMBER_STRIP = re.compile(r"[\s,$€£¥₩%]")

_ID_EXACT = set(
    """id customerid custid clientid userid memberid accountid subscriberid customerno
    customernumber customercode accountnumber accountno memberno userno cid uid customerkey
    고객id 회원id 고객번호 회원번호 고객코드 회원코드 아이디 고객아이디 사용자id 계정id 고객no
    회원no""".split()
)
_ID_NOT_CUSTOMER = set(
    "order transaction invoice product item row session event sku line txn receipt".split()
)
_LABEL_EXACT = set(
    """churn churned churnflag churnlabel ischurn ischurned churnyn churnstatus exited
    attrition attritionflag attrited left haschurned churnvalue 이탈 이탈여부 해지여부
    탈퇴여부 이탈유무 해지유무 이탈yn 해지yn""".split()
)
_LABEL_TOKENS = {"churn", "churned", "attrition", "exited", "attrited"}
_LABEL_NOT = set(
    "date day days reason score prob probability risk category type month time at on "
    "predicted prediction propensity count".split()
)
_STATUS_EXACT = {
    "status",
    "state",
    "상태",
    "고객상태",
    "회원상태",
    "계약상태",
    "가입상태",
    "구독상태",
}
_START_TOKENS = set(
    "signup start started joined join registration registered created activation "
    "activated onboarded since opened subscribed begin first".split()
)
_START_KO = (
    "가입일",
    "시작일",
    "등록일",
    "개통일",
    "가입날짜",
    "계약시작",
    "개시일",
    "시작날짜",
    "첫구매",
)
_END_TOKENS = set(
    "cancel cancelled canceled cancellation end ended churn churned terminated "
    "termination closed exit expiry expired expiration stop stopped unsubscribed".split()
)
_END_KO = (
    "해지일",
    "종료일",
    "탈퇴일",
    "이탈일",
    "해약일",
    "만료일",
    "계약종료",
    "해지날짜",
    "이탈날짜",
)
_EVENT_TOKENS = set(
    "date order purchase transaction event invoice visit activity timestamp time day "
    "ordered purchased".split()
)
_EVENT_KO = ("주문일", "구매일", "거래일", "결제일", "일자", "날짜", "방문일", "이용일")
_AMOUNT_TOKENS = set(
    "amount amt fee fees revenue price charge charges spend spent sales value payment "
    "payments paid mrr arpu bill billing cost subtotal".split()
)
_AMOUNT_KO = ("매출", "금액", "요금", "결제액", "구매액", "가격", "월정액", "이용료")
_AMOUNT_NOT = set("nps score count discount rate pct percent ratio".split())
_TENURE_EXACT = {
    "tenure",
    "tenuremonths",
    "months",
    "monthsactive",
    "accountlength",
    "monthsascustomer",
    "monthsonbook",
    "개월",
    "개월수",
}
_TENURE_KO = ("가입기간", "이용기간", "가입개월", "이용개월", "가입월수", "이용월수", "근속")
_REASON_TOKENS = {"reason", "reasons", "cause"}
_NAME_EXACT = set(
    """name customername fullname firstname lastname surname clientname membername
    username contactname 이름 고객명 성명 회원명 고객이름 성함""".split()
)
_EMAIL_EXACT = {"email", "emailaddress", "mail", "이메일", "메일", "이메일주소", "전자우편"}
_PHONE_TOKENS = {"phone", "tel", "telephone", "mobile", "cell", "cellphone", "fax"}
_PHONE_KO = ("전화", "휴대폰", "연락처", "핸드폰", "휴대전화")
_PERSONAL_TOKENS = {"address", "street", "ssn", "passport", "ip", "birthday", "dob", "birthdate"}
_PERSONAL_KO = ("주소", "주민", "여권", "생년월일", "생일")
_LEAK_TOKENS = set(
    "churn churned cancel cancelled canceled cancellation exit exited attrition attrited "
    "reason status terminated termination".split()
)
_LEAK_KO = ("이탈", "해지", "탈퇴", "해약", "사유", "상태", "원인")
_CODE_TOKENS = set("code area zip postal region type category class segment group tier".split())
_CODE_KO = ("코드", "지역", "구분", "유형", "등급")

# Why a column is left out of the features: English text that the app can translate (the
# values compare equal to the plain strings, so they also work as codes).
REASON_IDENTIFIER = msg("identifier")
REASON_PERSONAL = msg("personal data")
REASON_CONSTANT = msg("constant")
REASON_EMPTY = msg("mostly empty")
REASON_TEXT = msg("free text / too many levels")
REASON_DATE = msg("date (used as tenure/recency instead)")
REASON_LEAK_NAME = msg("leakage suspect: the name suggests it is recorded at or after churn")
#: Start of every leakage reason; the detail of :func:`leakage_reason` follows it.
REASON_LEAK_PREFIX = "leakage suspect: "


def leakage_reason(detail: str) -> str:
    """The excluded-reason of a column that separates the label (``detail`` from
    :func:`leakage_detail`): ``REASON_LEAK_PREFIX + detail``, translatable."""
    return msg("leakage suspect: {detail}", detail=detail)


def normalize_name(name: Any) -> str:
    """snake_case form of a column name used for matching (``customerID`` -> ``customer_id``)."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name))
    s = re.sub(r"[^\w]+", "_", s.casefold())
    return s.strip("_")


@dataclass
class _Facts:
    col: str
    tokens: frozenset
    compact: str
    n: int
    missing: float
    nunique: int
    unique_ratio: float
    kind: str  # "numeric" | "bool" | "datetime" | "text"
    integer: bool
    date_share: float = 0.0
    email_share: float = 0.0
    phone_share: float = 0.0
    person_share: float = 0.0
    numeric_text: bool = False

    def has(self, words: Iterable[str]) -> bool:
        return bool(self.tokens & set(words))

    def contains(self, parts: Iterable[str]) -> bool:
        return any(p in self.compact for p in parts)

    @property
    def is_date(self) -> bool:
        return self.kind == "datetime" or self.date_share >= 0.8

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("numeric", "bool") or self.numeric_text


_SERIAL_MIN, _SERIAL_MAX = 20_000, 80_000  # Excel serial days: 1954-10-03 .. 2119-01-10
_DATE_NAME_TOKENS = {"date", "dt", "day", "dated", "at", "on"}
_DATE_NAME_KO = ("일자", "날짜", "일시")


def _date_named(f: _Facts) -> bool:
    """The name plainly says "date" (``start_date``, ``created_at``, ``가입일``).

    Strict on purpose: amounts in won often fall in the serial-number range, so a name
    that only hints at a start or an end (``first_purchase``) or names money is not
    enough.
    """
    if f.has(_AMOUNT_TOKENS) or f.contains(_AMOUNT_KO):
        return False
    ko_days = tuple(w for w in _START_KO + _END_KO + _EVENT_KO if w.endswith("일"))
    return f.has(_DATE_NAME_TOKENS) or f.contains(_DATE_NAME_KO + ko_days)


def _as_number(x: pd.Series) -> pd.Series | None:
    """A numeric view of ``x`` (numbers stored as text are converted), or None."""
    if pd.api.types.is_bool_dtype(x):
        return x.astype(float)
    if pd.api.types.is_numeric_dtype(x):
        return x.astype(float)
    if not (pd.api.types.is_object_dtype(x) or pd.api.types.is_string_dtype(x)):
        return None
    # Convert each distinct value once: columns repeat their values a lot.
    codes, uniques = pd.factorize(x, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype(str).str.replace(_NUMBER_STRIP, "", regex=True)
    blank = (text == "").to_numpy()
    num = pd.to_numeric(text.where(~blank), errors="coerce").to_numpy(dtype=float)
    present = codes >= 0
    present[present] = ~blank[codes[present]]
    if not present.any():
        return None
    values = np.append(num, np.nan)[codes]  # code -1 (missing) picks the appended NaN
    if np.isnan(values[present]).mean() > 0.05:
        return None
    return pd.Series(values, index=x.index, dtype=float)


def _facts(s: pd.Series, col: str) -> _Facts:
    norm = normalize_name(col)
    n = len(s)
    text_like = pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)
    try:
        # Work on the distinct values: a column of millions of rows has few of them.
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists): describe them as text
        s = s.astype(str)
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    distinct = False
    if text_like:
        texts = pd.Series(uniques, dtype=object).astype(str).str.strip()
        filled = (texts != "").to_numpy()
        nn = int(counts[filled].sum())
        # Usually the distinct values are already stripped text: then the texts are
        # distinct too and need no second hashing (ids, e-mails: one text per row).
        distinct = bool((texts.to_numpy() == np.asarray(uniques, dtype=object)).all())
        nunique = int(filled.sum()) if distinct else int(texts[filled].nunique())
    else:
        filled = np.ones(len(uniques), dtype=bool)
        nn = int(counts.sum())
        nunique = len(uniques)
    if pd.api.types.is_bool_dtype(s):
        kind = "bool"
    elif pd.api.types.is_datetime64_any_dtype(s):
        kind = "datetime"
    elif pd.api.types.is_numeric_dtype(s):
        kind = "numeric"
    else:
        kind = "text"
    integer = False
    if kind == "numeric" and nn:
        vals = np.asarray(uniques, dtype=float)
        integer = bool(np.all(np.isfinite(vals)) and np.all(vals == np.round(vals)))
    f = _Facts(
        col=col,
        tokens=frozenset(norm.split("_")),
        compact=norm.replace("_", ""),
        n=n,
        missing=1.0 - nn / n if n else 1.0,
        nunique=nunique,
        unique_ratio=nunique / nn if nn else 0.0,
        kind=kind,
        integer=integer,
    )
    if kind == "text" and nn:
        # Patterns are judged on the most frequent distinct values, weighted by count
        # (at most _SAMPLE of them), which is what a sample of rows would show.
        weights = pd.Series(counts[filled], index=texts[filled].to_numpy())
        if not distinct:
            weights = weights.groupby(level=0, sort=False).sum()
        if distinct and len(weights) > _SAMPLE:
            # what ``nlargest`` returns here (its stable sort: ties in order of appearance)
            top = np.argsort(-weights.to_numpy(), kind="stable")[:_SAMPLE]
            weights = weights.iloc[top]
        else:
            weights = weights.nlargest(_SAMPLE)
        text = weights.index.to_series()
        w = weights.to_numpy() / weights.sum()

        def share(mask: pd.Series) -> float:
            return float((mask.to_numpy(dtype=bool) * w).sum())

        f.date_share = share(text.str.match(_DATE_RE))
        f.email_share = share(text.str.match(_EMAIL_RE))
        digits = text.str.count(r"\d")
        phone = (
            text.str.match(_PHONE_RE)
            & digits.between(7, 15)
            & text.str.contains(r"^\+|[\s().\-]", regex=True)
        )
        f.phone_share = share(phone)
        f.person_share = share(text.str.match(_PERSON_RE))
        if f.date_share < 0.8 and share(text.str.match(r"^0\d")) <= 0.5:
            f.numeric_text = _as_number(text.reset_index(drop=True)) is not None
    if nn and (kind == "numeric" or f.numeric_text) and _date_named(f):
        # Excel serial day numbers (1954-2119) under a date-like name, e.g. a CSV saved
        # from a sheet whose date cells lost their format: dates, not a numeric feature.
        vals = _as_number(pd.Series(np.asarray(uniques, dtype=object)[filled]))
        vals = vals.to_numpy(dtype=float) if vals is not None else np.array([])
        vals = vals[np.isfinite(vals)]
        if len(vals) and np.mean((vals >= _SERIAL_MIN) & (vals <= _SERIAL_MAX)) >= 0.95:
            f.date_share = 1.0
    return f


def str_columns(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with text column names; refuses a frame whose column names repeat.

    Raises
    ------
    ChurnDataError
        When two columns have the same name (after conversion to text).
    """
    cols = [str(c) for c in df.columns]
    seen: set[str] = set()
    twice = [c for c in cols if c in seen or seen.add(c)]
    if twice:
        from churn.errors import ChurnDataError

        raise ChurnDataError(
            msg("the column name '{column}' appears more than once", column=twice[0]),
            fix=msg("give every column its own name in the header row"),
            column=twice[0],
        )
    if any(not isinstance(c, str) for c in df.columns):
        df = df.set_axis(cols, axis=1)
    return df


#: Rows looked at when describing columns of a very large file.
FACT_ROWS = 200_000


def sample_rows(df: pd.DataFrame, k: int = FACT_ROWS) -> pd.DataFrame:
    """At most ``k`` rows of ``df``, drawn at random (seeded) and kept in file order."""
    if len(df) <= k:
        return df
    pos = np.sort(np.random.default_rng(0).choice(len(df), size=k, replace=False))
    return df.iloc[pos]


def facts_of(df: pd.DataFrame) -> dict[str, _Facts]:
    """Column facts (type, distinct values, patterns), on a sample of very large frames."""
    df = sample_rows(df)
    return {str(c): _facts(df[c], str(c)) for c in df.columns}


def _id_score(f: _Facts) -> float:
    if f.compact in _ID_EXACT:
        return 3.0
    if "고객" in f.compact or "회원" in f.compact:
        if f.contains(("번호", "id", "코드")):
            return 3.0
    if "id" in f.tokens or f.compact.endswith("번호"):
        return 0.5 if f.has(_ID_NOT_CUSTOMER) else 2.0
    return 0.0


def _label_name_score(f: _Facts) -> float:
    if f.compact in _LABEL_EXACT:
        return 3.0
    if f.has(_LABEL_TOKENS) and not f.has(_LABEL_NOT):
        return 2.0
    if f.contains(("이탈", "해지", "탈퇴")) and not f.contains(
        ("일", "사유", "날짜", "점수", "확률", "유형", "원인")
    ):
        return 2.0
    if f.compact in _STATUS_EXACT or f.has({"status"}):
        return 1.0
    return 0.0


def _amount_score(f: _Facts) -> float:
    if not f.is_numeric or f.kind == "bool":
        return 0.0
    if not ((f.has(_AMOUNT_TOKENS) and not f.has(_AMOUNT_NOT)) or f.contains(_AMOUNT_KO)):
        return 0.0
    score = 2.0
    if f.has({"monthly", "month", "mrr"}) or "월" in f.compact:
        score += 1.0
    if f.has({"total", "lifetime", "cumulative", "ltv", "clv", "cltv"}) or f.contains(
        ("누적", "총")
    ):
        score -= 1.0
    return score


def _tenure_unit(f: _Facts) -> str:
    if f.has({"day", "days"}) or "일" in f.compact:
        return "days"
    if f.has({"week", "weeks", "wk"}) or "주" in f.compact:
        return "weeks"
    if f.has({"year", "years", "yr", "yrs"}) or "년" in f.compact:
        return "years"
    return "months"


def _is_personal_name(f: _Facts) -> bool:
    named = f.has(_PERSONAL_TOKENS) or f.contains(_PERSONAL_KO)
    return named and f.unique_ratio >= 0.3


def _is_phone(f: _Facts) -> bool:
    named = f.has(_PHONE_TOKENS) or f.contains(_PHONE_KO)
    # "PhoneService: Yes/No" is named like a phone but holds no numbers.
    return f.phone_share >= 0.8 or (named and (f.phone_share >= 0.3 or f.unique_ratio >= 0.5))


def _is_leaky_name(f: _Facts) -> bool:
    return f.has(_LEAK_TOKENS) or f.contains(_LEAK_KO)


def _is_code(f: _Facts) -> bool:
    """A numeric column that is really a category: a 0/1 flag or a code like an area code."""
    if f.kind != "numeric" or not f.integer:
        return False
    if f.nunique <= 2:
        return True
    if f.nunique <= 20 and (f.has(_CODE_TOKENS) or f.contains(_CODE_KO)):
        return True
    return False


def _code_like_values(s: pd.Series, f: _Facts) -> bool:
    """Few large, non-consecutive integers (408, 415, 510): codes rather than amounts."""
    if f.kind != "numeric" or not f.integer or not 2 < f.nunique <= 10:
        return False
    vals = np.unique(s.dropna().to_numpy(dtype=float))
    return bool(vals.min() >= 100 and (vals.max() - vals.min() + 1) > 4 * len(vals))


def _too_many_levels(f: _Facts) -> bool:
    return f.nunique > min(100, max(20, 0.5 * (f.n - f.missing * f.n)))


def infer_roles(df: pd.DataFrame) -> ColumnRoles:
    """Propose a role for every column, from its name (English or Korean) and its values.

    Parameters
    ----------
    df : DataFrame
        The file as read (``churn.io.read_table(...).frame``); not modified.

    Returns
    -------
    ColumnRoles
        A proposal: id, label with its churned/active values, start/end or event
        dates, amount, tenure, reason, name, e-mail, personal columns, model features
        (with the categorical subset) and excluded columns with a reason each. The user
        confirms or changes every role; nothing downstream guesses again.

    Notes
    -----
    Names are matched on a normalised form (``customerID`` -> ``customer_id``) so that
    "Churn", "churn_flag", "Exited", "이탈여부" all propose a label. Values decide too: a
    column of e-mails is personal whatever its name, a column whose values are dates is
    never a feature, and a label is only proposed when its values can be mapped to
    churned and active.
    """
    df = str_columns(df)
    df = sample_rows(df)  # a proposal: a large random sample of rows is enough
    facts = facts_of(df)
    taken: set[str] = set()
    roles: dict[str, Any] = {}
    personal: list[str] = []

    def take(role: str, col: str) -> None:
        roles[role] = col
        taken.add(col)

    # 1. Personal data first: whatever else they look like, they are never features.
    for c, f in facts.items():
        is_email = f.compact in _EMAIL_EXACT or f.email_share >= 0.8
        if is_email and f.kind == "text" or (f.compact in _EMAIL_EXACT and f.missing == 1):
            if "email" not in roles:
                take("email", c)
            else:
                personal.append(c)
                taken.add(c)
        elif f.kind == "text" and (_is_phone(f) or _is_personal_name(f)) and not f.is_date:
            personal.append(c)
            taken.add(c)
    for c, f in facts.items():
        if c in taken or f.kind != "text":
            continue
        if f.compact in _NAME_EXACT or (
            f.person_share >= 0.8 and f.unique_ratio >= 0.5 and f.nunique >= 5
        ):
            if "name" not in roles:
                take("name", c)
            else:
                personal.append(c)
                taken.add(c)

    # 2. Customer id: by name, else the first column unique on every row.
    id_scores = {c: _id_score(f) for c, f in facts.items() if c not in taken}
    id_scores = {
        c: s for c, s in id_scores.items() if s > 0 and not facts[c].is_date and facts[c].nunique
    }
    if id_scores:
        best = max(id_scores.values())
        take("id", next(c for c, s in id_scores.items() if s == best))
    else:
        for c, f in facts.items():
            if c in taken or f.is_date or f.missing > 0:
                continue
            if (f.kind == "text" or f.integer) and f.unique_ratio == 1.0 and f.n >= 2:
                take("id", c)
                break
    id_col = roles.get("id")
    repeated_ids = bool(id_col and facts[id_col].unique_ratio < 0.95)

    # 3. Label: named like one and with values that map to churned and active.
    label_candidates: list[tuple[float, str, tuple, tuple]] = []
    for c, f in facts.items():
        if c in taken or f.is_date or f.nunique < 1 or f.nunique > 12:
            continue
        uniques = df[c].dropna().unique()
        churned, active = normalize_label_values(uniques)
        score = _label_name_score(f)
        if not churned or not active:
            # A column named like the label whose values all mean one thing (everybody
            # churned, or nobody did) is still the label: proposing it lets the build say
            # exactly what is missing instead of "no label".
            if score >= 2 and (churned or active):
                label_candidates.append((score / 10, c, churned, active))
            continue
        if score == 0:
            if _is_generic_pair(churned, active) or f.nunique > 2:
                continue
            score = 0.5  # "Churned/Active", "이탈/유지" values under another name
        label_candidates.append((score, c, churned, active))
    if label_candidates:
        best = max(s for s, *_ in label_candidates)
        _, c, churned, active = next(x for x in label_candidates if x[0] == best)
        take("label", c)
        roles["churned_values"], roles["active_values"] = churned, active

    # 4. Dates: start, end, or an event log.
    dates = [c for c, f in facts.items() if c not in taken and f.is_date]
    for c in dates:
        f = facts[c]
        if "start" not in roles and (f.has(_START_TOKENS) or f.contains(_START_KO)):
            take("start", c)
        elif "end" not in roles and (f.has(_END_TOKENS) or f.contains(_END_KO)):
            take("end", c)
    if "end" not in roles:  # an end date column that is empty (nobody has left yet)
        for c, f in facts.items():
            if c not in taken and f.missing == 1.0 and (f.has(_END_TOKENS) or f.contains(_END_KO)):
                take("end", c)
                break
    if "start" not in roles and "end" not in roles:
        rest = [c for c in dates if c not in taken]
        named = [c for c in rest if facts[c].has(_EVENT_TOKENS) or facts[c].contains(_EVENT_KO)]
        pick = (named or rest)[:1]
        if pick and (repeated_ids or ("label" not in roles and named)):
            take("event_date", pick[0])
    events = "event_date" in roles

    # 5. Amount, tenure, reason.
    amount = {c: _amount_score(f) for c, f in facts.items() if c not in taken}
    amount = {c: s for c, s in amount.items() if s > 0}
    if amount:
        best = max(amount.values())
        roles["amount"] = next(c for c, s in amount.items() if s == best)
    if not events:
        for c, f in facts.items():
            if c in taken or c == roles.get("amount") or not f.is_numeric:
                continue
            if f.compact in _TENURE_EXACT or "tenure" in f.compact or f.contains(_TENURE_KO):
                roles["tenure"] = c
                roles["tenure_unit"] = _tenure_unit(f)
                break
    for c, f in facts.items():
        if c in taken or f.is_date:
            continue
        if f.kind == "text" and (f.has(_REASON_TOKENS) or f.contains(("사유", "원인"))):
            take("reason", c)
            break

    # 6. Everything else: a feature, or excluded with a reason.
    y = None
    if "label" in roles:
        y = map_label(df[roles["label"]], roles["churned_values"], roles["active_values"])
    excluded: list[tuple[str, str]] = []
    features: list[str] = []
    categorical: list[str] = []
    for c in personal + [roles[r] for r in ("name", "email") if r in roles]:
        excluded.append((c, REASON_PERSONAL))
    for c, f in facts.items():
        if c in taken:
            continue
        if events and c == roles.get("amount"):
            continue  # summed into monetary value, not a feature of its own
        reason = _exclusion(df[c], f, y, id_col, events)
        if reason:
            excluded.append((c, reason))
            continue
        features.append(c)
        if f.kind in ("text", "bool") and not f.numeric_text:
            categorical.append(c)
        elif _is_code(f) or _code_like_values(df[c], f):
            categorical.append(c)

    roles["features"] = tuple(features)
    roles["categorical"] = tuple(categorical)
    roles["personal"] = tuple(personal)
    roles["excluded"] = tuple(excluded)
    return ColumnRoles(**roles)


def _exclusion(s: pd.Series, f: _Facts, y: pd.Series | None, id_col, events: bool) -> str | None:
    """Why a column should not be a feature (None: it may be one)."""
    if f.is_date:
        return REASON_DATE
    if f.missing > 0.5:
        return REASON_EMPTY
    if f.nunique <= 1:
        return REASON_CONSTANT
    if _id_score(f) >= 2:
        return REASON_IDENTIFIER
    if _is_leaky_name(f):
        return REASON_LEAK_NAME
    if f.n >= 20 and f.unique_ratio >= 0.95 and (f.kind == "text" and not f.numeric_text):
        return REASON_IDENTIFIER
    if f.n >= 20 and f.integer and f.unique_ratio == 1.0:
        vals = s.dropna().to_numpy(dtype=float)
        if vals.max() - vals.min() + 1 == len(vals):  # 1, 2, 3, ...: a row number
            return REASON_IDENTIFIER
    if f.kind == "text" and not f.numeric_text and _too_many_levels(f):
        return REASON_TEXT
    if y is not None and not events:
        detail = leakage_detail(s, y)
        if detail:
            return leakage_reason(detail)
    return None
