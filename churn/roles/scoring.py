"""Scoring of candidate roles: how much a column's name and values suggest each role."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.roles.facts import ColumnFacts
from churn.roles.names import (
    AMOUNT_KO,
    AMOUNT_NOT,
    AMOUNT_TOKENS,
    CODE_KO,
    CODE_TOKENS,
    DEMOGRAPHIC_KO,
    DEMOGRAPHIC_TOKENS,
    ID_EXACT,
    ID_NOT_CUSTOMER,
    LABEL_EXACT,
    LABEL_NOT,
    LABEL_TOKENS,
    LEAK_KO,
    LEAK_TOKENS,
    PERSONAL_KO,
    PERSONAL_TOKENS,
    PHONE_KO,
    PHONE_TOKENS,
    POSTAL_KO,
    STATUS_EXACT,
    STATUS_KO,
    STATUS_WORDS,
)


def id_score(f: ColumnFacts) -> float:
    if f.contains(POSTAL_KO):  # 우편번호 (a postal code) ends like 고객번호
        return 0.0
    if f.compact in ID_EXACT:
        return 3.0
    if "고객" in f.compact or "회원" in f.compact:
        if f.contains(("번호", "id", "코드")):
            return 3.0
    if "id" in f.tokens or f.compact.endswith("번호"):
        return 0.5 if f.has(ID_NOT_CUSTOMER) else 2.0
    return 0.0


def label_name_score(f: ColumnFacts) -> float:
    if f.compact in LABEL_EXACT:
        return 3.0
    if f.has(LABEL_TOKENS) and not f.has(LABEL_NOT):
        return 2.0
    if f.contains(("이탈", "해지", "탈퇴")) and not f.contains(
        ("일", "사유", "날짜", "점수", "확률", "유형", "원인")
    ):
        return 2.0
    if f.compact in STATUS_EXACT or f.has({"status"}):
        return 1.0
    return 0.0


def amount_score(f: ColumnFacts) -> float:
    if not f.is_numeric or f.kind == "bool":
        return 0.0
    if not ((f.has(AMOUNT_TOKENS) and not f.has(AMOUNT_NOT)) or f.contains(AMOUNT_KO)):
        return 0.0
    score = 2.0
    if f.has({"monthly", "month", "mrr"}) or "월" in f.compact:
        score += 1.0
    if f.has({"total", "lifetime", "cumulative", "ltv", "clv", "cltv"}) or f.contains(
        ("누적", "총")
    ):
        score -= 1.0
    return score


def tenure_unit(f: ColumnFacts) -> str:
    if f.has({"day", "days"}) or "일" in f.compact:
        return "days"
    if f.has({"week", "weeks", "wk"}) or "주" in f.compact:
        return "weeks"
    if f.has({"year", "years", "yr", "yrs"}) or "년" in f.compact:
        return "years"
    return "months"


def is_personal_name(f: ColumnFacts) -> bool:
    named = f.has(PERSONAL_TOKENS) or f.contains(PERSONAL_KO)
    return named and f.unique_ratio >= 0.3


def is_phone(f: ColumnFacts) -> bool:
    named = f.has(PHONE_TOKENS) or f.contains(PHONE_KO)
    # "PhoneService: Yes/No" is named like a phone but holds no numbers.
    return f.phone_share >= 0.8 or (named and (f.phone_share >= 0.3 or f.unique_ratio >= 0.5))


def is_leaky_name(f: ColumnFacts) -> bool:
    """Named like something recorded at or after churn (cancel, exit, reason, status,
    해지 ...): a hint only, evidence decides (:mod:`churn.roles.screen`). A status word
    inside a demographic name (marital status, employment status, 혼인상태) is not one."""
    words = f.tokens & LEAK_TOKENS
    parts = {p for p in LEAK_KO if p in f.compact}
    if not words and not parts:
        return False
    demographic = f.has(DEMOGRAPHIC_TOKENS) or f.contains(DEMOGRAPHIC_KO)
    only_status = words <= STATUS_WORDS and parts <= set(STATUS_KO)
    return not (demographic and only_status)


def is_code(f: ColumnFacts) -> bool:
    """A numeric column that is really a category: a 0/1 flag or a code like an area code."""
    if f.kind != "numeric" or not f.integer:
        return False
    if f.nunique <= 2:
        return True
    if f.nunique <= 20 and (f.has(CODE_TOKENS) or f.contains(CODE_KO)):
        return True
    return False


def code_like_values(s: pd.Series, f: ColumnFacts) -> bool:
    """Few large, non-consecutive integers (408, 415, 510): codes rather than amounts."""
    if f.kind != "numeric" or not f.integer or not 2 < f.nunique <= 10:
        return False
    vals = np.unique(s.dropna().to_numpy(dtype=float))
    return bool(vals.min() >= 100 and (vals.max() - vals.min() + 1) > 4 * len(vals))


def too_many_levels(f: ColumnFacts) -> bool:
    return f.nunique > min(100, max(20, 0.5 * (f.n - f.missing * f.n)))
