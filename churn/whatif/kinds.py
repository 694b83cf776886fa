"""What kind of thing each feature is, and so whether a business can act on it.

A business can change a customer's plan, contract, products, payment method, activity and
engagement (support, logins, newsletters, satisfaction) and discounts or prices; it cannot
change who the customer is (demographics), how long they have been a customer (tenure) or
their history (totals, balances, scores earned over time). :func:`feature_kind` reads a
column's *name* (English and Korean, split into words so ``age`` never matches ``usage``)
and, when the name says nothing, its *values* (``Month-to-month`` is a contract,
``Electronic check`` a payment method, ``Female`` a demographic). A column of no known kind
is ``unknown`` and fixed, so a suggestion never touches a column nobody has vouched for;
the user can mark any column actionable on the What-if page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from churn.text import Text, msg

__all__ = [
    "ACTIONABLE_KINDS",
    "FIXED_KINDS",
    "KIND_NAME_PATTERNS",
    "feature_kind",
    "kind_label",
    "name_words",
]

#: Kinds a business can act on, in the order they are proposed.
ACTIONABLE_KINDS = ("plan", "contract", "products", "payment", "activity", "discount")
#: Kinds that describe the customer or their past: never changed by a suggestion.
FIXED_KINDS = ("demographic", "tenure", "history")

#: Name patterns of each kind, checked fixed kinds first (``TotalCharges`` is history
#: before ``charge`` makes it a price). A pattern of four letters or more matches anywhere
#: in the name; a shorter one must start a word (``age`` in ``Age`` or ``age_band``, not in
#: ``usage``). Korean patterns match anywhere.
KIND_NAME_PATTERNS: dict[str, tuple[str, ...]] = {
    "tenure": ("tenure", "signup", "joined", "since", "renewal", "가입", "기간", "갱신"),
    "demographic": (
        "age", "gender", "sex", "senior", "partner", "dependent", "married", "marital",
        "region", "city", "state", "country", "geograph", "location", "birth", "salary",
        "income", "education", "occupation", "나이", "연령", "성별", "지역", "결혼", "소득",
        "연봉",
    ),
    "history": (
        "total", "lifetime", "balance", "creditscore", "cumulative", "channel", "owner",
        "누적", "잔액", "신용", "채널", "담당",
    ),
    "contract": ("contract", "commitment", "계약", "약정"),
    "plan": ("plan", "tier", "package", "subscription", "membership", "요금제", "플랜", "등급"),
    "payment": (
        "payment", "billing", "paperless", "autopay", "invoice", "결제", "청구", "납부",
    ),
    "discount": (
        "discount", "promo", "coupon", "offer", "fee", "price", "charge", "할인", "쿠폰",
        "월요금", "요금",
    ),
    "products": (
        "product", "service", "card", "addon", "security", "backup", "protection",
        "streaming", "multiplelines", "상품", "서비스", "카드",
    ),
    "activity": (
        "active", "activity", "engag", "login", "session", "usage", "visit", "support",
        "ticket", "complain", "newsletter", "unsubscrib", "nps", "satisf", "referr",
        "로그인", "접속", "활동", "이용", "상담", "문의", "지원", "불만", "뉴스레터", "수신",
        "만족", "추천",
    ),
}  # fmt: skip

#: Values that tell a column's kind when its name does not (lower case, compacted).
KIND_VALUE_PATTERNS: dict[str, tuple[str, ...]] = {
    "contract": ("monthtomonth", "oneyear", "twoyear", "annual", "monthly", "월간", "연간"),
    "payment": (
        "electroniccheck", "mailedcheck", "banktransfer", "creditcard", "paypal",
        "directdebit", "계좌이체", "신용카드",
    ),
    "demographic": ("female", "male", "여성", "남성", "여자", "남자"),
    "plan": ("basic", "premium", "standard", "gold", "silver", "bronze", "enterprise"),
}  # fmt: skip

_WORD_CUT = re.compile(r"[^0-9a-z\uac00-\ud7a3]+")


def name_words(name: str) -> list[str]:
    """A column name's words in lower case: ``NumOfProducts`` -> num, of, products."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    return [w for w in _WORD_CUT.split(text.lower()) if w]


def _matches(pattern: str, words: list[str], compact: str) -> bool:
    if len(pattern) >= 4 or not pattern.isascii():
        return pattern in compact
    return any(w.startswith(pattern) for w in words)


def _kind_by_name(name: str) -> str | None:
    words = name_words(name)
    compact = "".join(words)
    for kind, patterns in KIND_NAME_PATTERNS.items():
        if any(_matches(p, words, compact) for p in patterns):
            return kind
    return None


def _kind_by_values(values: Iterable[Any]) -> str | None:
    seen = {re.sub(r"[^0-9a-z\uac00-\ud7a3]", "", str(v).lower()) for v in values}
    seen.discard("")
    for kind, patterns in KIND_VALUE_PATTERNS.items():
        if any(any(p in v for p in patterns) for v in seen):
            return kind
    return None


def feature_kind(name: str, values: Iterable[Any] | None = None) -> str:
    """The kind of a feature: one of :data:`ACTIONABLE_KINDS`, :data:`FIXED_KINDS` or
    ``unknown``, from its name, else from its (text) values.

    Examples
    --------
    >>> feature_kind("NumOfProducts"), feature_kind("IsActiveMember"), feature_kind("Age")
    ('products', 'activity', 'demographic')
    >>> feature_kind("engagement_score"), feature_kind("TotalCharges")
    ('activity', 'history')
    >>> feature_kind("X7", ["Month-to-month", "One year"])
    'contract'
    """
    kind = _kind_by_name(name)
    if kind is None and values is not None:
        kind = _kind_by_values(values)
    return kind or "unknown"


def kind_label(kind: str) -> Text:
    """A kind in words (for lists and messages)."""
    labels = {
        "plan": msg("plan"),
        "contract": msg("contract"),
        "products": msg("products"),
        "payment": msg("payment method"),
        "activity": msg("activity and engagement"),
        "discount": msg("discounts and prices"),
        "demographic": msg("who the customer is"),
        "tenure": msg("tenure"),
        "history": msg("history"),
    }
    return labels.get(kind, msg("unknown"))
