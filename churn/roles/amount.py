"""The value column and its unit: which column is money, and what one value of it is.

:func:`propose_amount` picks the column a customer's value comes from and says what one
value is (``AMOUNT_UNITS``: per month, per year, per order, or a lifetime total so far),
with a confidence and a reason. Names are the first evidence, values the second: a
column whose name or values say hours, a ratio, a share, a percentage, a count, a score
or an identifier is never money, whatever else its name says (``HourSpendOnApp``,
``Total_Amt_Chng_Q4_Q1``, ``Avg_Utilization_Ratio``, ``Total_Trans_Ct``).
:func:`amount_unit_for` judges one column a user chose (the CLI's ``--amount``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from churn.roles.facts import ColumnFacts, as_number, facts_of, sample_rows, str_columns
from churn.roles.names import AMOUNT_KO, AMOUNT_TOKENS, TENURE_EXACT, TENURE_KO
from churn.roles.scoring import id_score
from churn.text import Text, msg

#: What one value of the amount column is (``ColumnRoles.amount_unit``).
AMOUNT_UNITS = ("month", "year", "order", "total")

# Words of a name (snake_case tokens, see churn.roles.names) that say a column is not
# money: durations, counts, ratios, shares, changes, scores and codes.
NOT_MONEY_TOKENS = frozenset(
    """
    hour hours hr hrs minute minutes mins second seconds secs duration time times
    count counts cnt ct num number qty quantity units
    ratio ratios rate rates pct percent percentage share proportion utilization
    utilisation util chng change changes growth hike delta diff variation trend
    score scores nps rating ratings grade index idx satisfaction csat level rank
    id code zip lat lon latitude longitude age
    """.split()
)
NOT_MONEY_KO = (
    "시간", "횟수", "건수", "개수", "수량", "비율", "율", "률", "점수", "평점", "지수",
    "만족도", "번호", "코드", "변화", "증감", "증가", "나이", "연령",
)  # fmt: skip
# Money that is not what the customer is worth: paid to them, or a limit or a balance.
NOT_REVENUE_TOKENS = frozenset(
    "discount discounts cashback refund refunds rebate coupon coupons credit limit balance "
    "bal tax deposit salary income wage".split()
)
NOT_REVENUE_KO = ("할인", "환불", "캐시백", "쿠폰", "적립", "한도", "잔액", "잔고", "급여", "소득")
# Words that say what one value is.
MONTH_TOKENS = frozenset("monthly month mo mrr permonth".split())
YEAR_TOKENS = frozenset("annual annually yearly year yr arr peryear".split())
YEAR_KO = ("연간", "연회비", "연매출", "연요금", "연이용료", "연결제", "년간", "연평균")
TOTAL_TOKENS = frozenset("total lifetime cumulative ltv clv cltv alltime sum".split())
TOTAL_KO = ("누적", "총", "생애", "전체")
ORDER_TOKENS = frozenset("order orders purchase purchases transaction txn invoice basket".split())
ORDER_KO = ("주문", "구매", "거래", "건당")
# Recurring charges: with no period in the name, per month is the usual reading.
FEE_TOKENS = frozenset("fee fees charge charges bill billing subscription premium plan".split())
FEE_KO = ("요금", "이용료", "구독료", "회비", "월정액")


class AmountProposal(NamedTuple):
    """A proposed value column: ``unit`` is one of :data:`AMOUNT_UNITS` or None (not
    clear: the Data page asks), ``confidence`` "high", "medium" or "low", ``reason`` a
    translatable sentence."""

    column: str
    unit: str | None
    confidence: str
    reason: Text


class _Values(NamedTuple):
    """What the values of a numeric column say (missing values left out)."""

    n: int
    low: float
    high: float
    median: float
    p99: float
    distinct: int  # distinct values
    whole: float  # share of whole numbers
    cents: float  # share with at most two decimals
    negative: float  # share below zero
    unique_rows: bool  # one distinct value per row
    consecutive: bool  # whole numbers 1, 2, 3 ... (a row number)


def _values(s: pd.Series) -> _Values | None:
    num = as_number(s)
    if num is None:
        return None
    v = num.to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return None
    whole = np.isclose(v, np.round(v), rtol=0, atol=1e-9)
    scaled = v * 100
    cents = np.isclose(scaled, np.round(scaled), rtol=1e-9, atol=1e-6)
    distinct = np.unique(v)
    unique_rows = len(distinct) == len(v) and len(v) >= 20
    return _Values(
        n=len(v),
        low=float(v.min()),
        high=float(v.max()),
        median=float(np.median(v)),
        p99=float(np.quantile(v, 0.99)),
        distinct=len(distinct),
        whole=float(whole.mean()),
        cents=float(cents.mean()),
        negative=float((v < 0).mean()),
        unique_rows=unique_rows,
        consecutive=bool(unique_rows and whole.all() and v.max() - v.min() + 1 == len(v)),
    )


def _named(f: ColumnFacts, tokens: Collection[str], korean: tuple[str, ...] = ()) -> bool:
    return f.has(tokens) or f.contains(korean) or f.compact in tokens


def money_name(f: ColumnFacts) -> bool:
    """The name says money (fee, charges, revenue, 금액, 요금 ...)."""
    return f.has(AMOUNT_TOKENS) or f.contains(AMOUNT_KO) or _named(f, FEE_TOKENS, FEE_KO)


def not_money_name(f: ColumnFacts) -> bool:
    """The name says hours, a count, a ratio, a share, a change, a score or a code, or
    money the customer does not bring (a discount, cashback, a credit limit)."""
    return (
        _named(f, NOT_MONEY_TOKENS, NOT_MONEY_KO)
        or _named(f, NOT_REVENUE_TOKENS, NOT_REVENUE_KO)
        or id_score(f) >= 2
    )


def not_money_values(v: _Values) -> bool:
    """Values that are never money: a share (all between 0 and 1 with fractions), small
    numbers measured finer than cents (a ratio around 1, hours in a day), small whole
    numbers (a count or a score), mostly negative numbers (a change), or a row number."""
    if v.high <= 1 and v.low >= 0 and v.whole < 1:
        return True  # a 0-1 share or probability
    if v.low >= 0 and v.high <= 24 and v.cents < 0.9:
        return True  # 0.75, 1.335, 2.081 or 3.7 hours: not an amount in cents
    ratio_like = 0.2 <= v.median <= 5 and v.p99 <= 10 and v.low >= 0
    if ratio_like and v.cents < 0.9:
        return True  # a ratio around 1 with a few large outliers
    if v.whole == 1 and v.low >= 0 and v.high <= 10 and v.distinct >= 4:
        return True  # 0..10 in whole numbers: a count or a score
    if v.negative > 0.2:
        return True  # a change or a balance
    return v.consecutive


def _unit_from_name(f: ColumnFacts, events: bool) -> str | None:
    if f.has(MONTH_TOKENS) or ("월" in f.compact and "개월" not in f.compact):
        return "month"
    if f.has(YEAR_TOKENS) or f.contains(YEAR_KO):
        return "year"
    if _named(f, TOTAL_TOKENS, TOTAL_KO):
        return "total"
    if events or _named(f, ORDER_TOKENS, ORDER_KO):
        return "order"
    return None


def _tenure_link(
    df: pd.DataFrame, facts: Mapping[str, ColumnFacts], col: str
) -> tuple[str, float] | None:
    """A tenure column the amount rises with (correlation 0.8 or more): a lifetime total."""
    amount = as_number(df[col])
    if amount is None:
        return None
    for c, f in facts.items():
        if c == col or not f.is_numeric or f.kind == "bool":
            continue
        if not (f.compact in TENURE_EXACT or "tenure" in f.compact or f.contains(TENURE_KO)):
            continue
        tenure = as_number(df[c])
        if tenure is None:
            continue
        both = pd.DataFrame({"a": amount.to_numpy(), "t": tenure.to_numpy()}).dropna()
        if len(both) < 10 or both["a"].std() == 0 or both["t"].std() == 0:
            continue
        r = float(np.corrcoef(both["a"], both["t"])[0, 1])
        if r >= 0.8:
            return c, r
    return None


_UNIT_RANK = {"month": 3.0, "year": 2.5, "order": 2.5, None: 2.0, "total": 1.0}
_CONFIDENCE_RANK = {"high": 0.5, "medium": 0.25, "low": 0.0}


def _span(v: _Values) -> tuple[str, str]:
    """The lowest and highest value as short text (``5,900``, ``1,286.01``)."""
    low, high = (f"{x:,.2f}".rstrip("0").rstrip(".") for x in (v.low, v.high))
    return low, high


def _judge(
    df: pd.DataFrame, facts: Mapping[str, ColumnFacts], col: str, events: bool
) -> AmountProposal | None:
    """The unit, confidence and reason of one column named like money; None when its
    name or values say it is not money."""
    f = facts[col]
    if f.is_date or not f.is_numeric or f.kind == "bool" or not_money_name(f):
        return None
    v = _values(df[col])
    if v is None or not_money_values(v):
        return None
    low, high = _span(v)
    unit = _unit_from_name(f, events)
    if unit is None:
        link = _tenure_link(df, facts, col)
        if link is not None:
            reason = msg(
                "named like money and rises with the tenure in '{tenure}' (correlation "
                "{r:.2f}): read as a lifetime total so far",
                tenure=link[0],
                r=link[1],
            )
            return AmountProposal(col, "total", "medium", reason)
    if v.whole == 1 and v.high <= 100:
        reason = msg(
            "named like money, but its values are small whole numbers ({low} to {high}): "
            "please check that it is an amount",
            low=low,
            high=high,
        )
        return AmountProposal(col, unit, "low", reason)
    if v.negative > 0.01 and not events:
        reason = msg(
            "named like money, but {share:.0%} of its values are negative: please check "
            "that it is an amount",
            share=v.negative,
        )
        return AmountProposal(col, unit, "low", reason)
    return _with_unit(f, col, unit, events, low, high)


def _with_unit(
    f: ColumnFacts, col: str, unit: str | None, events: bool, low: str, high: str
) -> AmountProposal:
    """The proposal of a money column whose values look like amounts, by its unit."""
    if unit == "month":
        reason = msg("named like an amount per month; values {low} to {high}", low=low, high=high)
        return AmountProposal(col, unit, "high", reason)
    if unit == "year":
        reason = msg("named like an amount per year; values {low} to {high}", low=low, high=high)
        return AmountProposal(col, unit, "high", reason)
    if unit == "total":
        strong = f.has(TOTAL_TOKENS - {"total", "sum"}) or f.contains(("누적", "생애"))
        if events:
            reason = msg(
                "named like a lifetime total, but in an event log amounts are added up "
                "per customer: please check the unit"
            )
            return AmountProposal(col, unit, "low", reason)
        reason = msg(
            "named like a lifetime total so far; values {low} to {high}", low=low, high=high
        )
        return AmountProposal(col, unit, "high" if strong else "medium", reason)
    if unit == "order" and events:
        reason = msg(
            "an amount on each row of an event log: per order; values {low} to {high}",
            low=low,
            high=high,
        )
        return AmountProposal(col, unit, "high", reason)
    if unit == "order":
        reason = msg(
            "named like an amount per order, but the file has one row per customer, so the "
            "orders per month are unknown: please check the unit"
        )
        return AmountProposal(col, unit, "low", reason)
    if _named(f, FEE_TOKENS, FEE_KO):
        reason = msg("named like a fee with no period in its name: per month assumed, please check")
        return AmountProposal(col, "month", "low", reason)
    reason = msg(
        "named like money, but the name does not say per month, per year, per order or "
        "lifetime total: please choose the unit"
    )
    return AmountProposal(col, None, "low", reason)


def propose_amount(
    df: pd.DataFrame,
    facts: Mapping[str, ColumnFacts],
    *,
    taken: Collection[str] = (),
    events: bool = False,
) -> AmountProposal | None:
    """The value column and its unit, or None when no column is money.

    Parameters
    ----------
    df : DataFrame
        The file as read (a sample of rows is enough).
    facts : mapping
        :func:`churn.roles.facts_of` of ``df``.
    taken : columns that already have a role.
    events : whether the file is an event log (one row per order or transaction).

    Returns
    -------
    AmountProposal or None
        Only columns named like money are candidates, and a name or values that say
        hours, ratio, share, percentage, count, score or identifier rule a column out.
        Among the rest, an amount per month wins, then per year or per order, then an
        unclear unit, then a lifetime total; a more confident proposal wins a tie.
    """
    best: tuple[float, AmountProposal] | None = None
    for col, f in facts.items():
        if col in taken or not money_name(f):
            continue
        judged = _judge(df, facts, col, events)
        if judged is None:
            continue
        rank = _UNIT_RANK[judged.unit] + _CONFIDENCE_RANK[judged.confidence]
        if best is None or rank > best[0]:
            best = (rank, judged)
    return best[1] if best else None


def amount_unit_for(df: pd.DataFrame, column: str, *, events: bool = False) -> AmountProposal:
    """The unit of a value column the user chose, with a confidence and a reason.

    Unlike :func:`propose_amount` the column is kept whatever it looks like; when its
    name or values say it is not money, the unit is None with a low confidence.
    """
    df = sample_rows(str_columns(df))
    facts = facts_of(df)
    f = facts[column]
    judged = _judge(df, facts, column, events) if money_name(f) else None
    if judged is not None:
        return judged
    v = _values(df[column]) if f.is_numeric and f.kind != "bool" else None
    if money_name(f) or not_money_name(f) or v is None or not_money_values(v):
        reason = msg(
            "its name or values do not look like money (hours, a ratio, a count, a score "
            "or an identifier): revenue figures will not be shown as money"
        )
        return AmountProposal(column, None, "low", reason)
    unit = _unit_from_name(f, events)
    if unit is not None:
        return _with_unit(f, column, unit, events, *_span(v))
    reason = msg("the name does not say what one value is: please choose the unit")
    return AmountProposal(column, None, "low", reason)
