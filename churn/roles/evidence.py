"""Evidence for role proposals: what in a column's name *and values* points to a role,
and how sure the proposal is.

:func:`~churn.roles.infer.infer_roles` asks these helpers which column to propose for
the id, the dates, the tenure, the reason, the name and the e-mail, and records each
answer as a :class:`Pick`: the column, a confidence ("high", "medium" or "low": low
makes the Data page ask the user to check) and a reason sentence (:func:`msg`, so the
page shows it translated). The helpers judge values as well as names:

- an **end date** is a date column filled only for the rows whose label means churned
  (or one named like an end: cancelled, deleted, terminated, 해지, 종료, 탈퇴 ...);
  dates filled for active rows too (``updated_at``, a last purchase) are not end dates;
- **ids** come from names, short ones included (``cust``, ``member``, ``user``,
  ``account``, 회원번호 ...), when the values agree, or from values alone (a text or
  whole-number code unique on every row);
- **tenure** comes from names (``tenure``, ``Lifetime``, ``Months_on_book``, 가입기간 ...)
  when the values are numbers of zero or more.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from churn.roles.column_roles import ColumnRoles, map_label
from churn.roles.facts import ColumnFacts, as_number
from churn.roles.names import (
    EMAIL_EXACT,
    END_KO,
    END_TOKENS,
    EVENT_KO,
    EVENT_TOKENS,
    NAME_EXACT,
    REASON_TOKENS,
    START_KO,
    START_TOKENS,
    TENURE_EXACT,
    TENURE_KO,
)
from churn.roles.scoring import id_score, tenure_unit
from churn.text import Text, msg

HIGH, MEDIUM, LOW = "high", "medium", "low"
CONFIDENCES = (HIGH, MEDIUM, LOW)

#: Words of a date column's name that say the customer ended then (beyond END_TOKENS).
END_WORDS = END_TOKENS | set(
    "deleted deletion removed deactivated deactivation lapsed quit left withdrawn "
    "withdrawal closure unsubscribe churndate".split()
)
END_PARTS_KO = (*END_KO, "해지", "종료", "탈퇴", "해약", "이탈")
#: Short or unusual names that mean "the customer" when the values look like codes.
ID_SHORT = set(
    """cust customer member user account client subscriber acct custno custnum custcode
    clientno clientcode memberno membernumber membercode userno usercode accountcode
    subscriberno 회원 고객 가입자 가입자번호 가입자id 회원코드 고객코드 고객키""".split()
)
#: Whole tenure names (underscores removed) beyond TENURE_EXACT.
TENURE_NAMES = TENURE_EXACT | set(
    """lifetime lifetimemonths lifetimedays customerlifetime monthsonbook daysonbook
    monthswithcompany monthsasmember membershipmonths subscriptionmonths accountage
    accountagemonths accountagedays customeragemonths customeragedays daysascustomer
    yearsascustomer weeksascustomer daysactive weeksactive seniority 회원기간 거래기간
    가입연수 가입개월수""".split()
)
_UNIT_WORDS = {"months", "month", "days", "day", "weeks", "week", "years", "year"}
#: Words of a recency (time since the last activity), which is never a tenure.
_RECENCY_WORDS = {"last", "latest", "recent", "recency", "inactive", "inactivity", "idle"}
_MONEY_WORDS = {"value", "revenue", "spend", "spent", "ltv", "clv", "amount", "sales", "orders"}
_PLAUSIBLE_MAX = {"days": 36_500, "weeks": 5_200, "months": 1_200, "years": 100}
_UNIT_TEXT = {
    "days": msg("days"),
    "weeks": msg("weeks"),
    "months": msg("months"),
    "years": msg("years"),
}
#: An end date is "filled only for ended rows" when at least this share of the churned
#: rows have one and at most ``_ACTIVE_FILLED_MAX`` of the active rows.
_CHURNED_FILLED_MIN = 0.8
_ACTIVE_FILLED_MAX = 0.05


class Pick(NamedTuple):
    """A proposed column with the confidence and the reason of the proposal."""

    column: str
    confidence: str
    reason: Text


def filled_mask(s: pd.Series) -> np.ndarray:
    """True where ``s`` holds a value (blank text counts as empty)."""
    mask = s.notna().to_numpy().copy()
    if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        blank = np.array([str(u).strip() == "" for u in uniques] + [True], dtype=bool)
        mask &= ~blank[codes]
    return mask


# ------------------------------------------------------------------------ ids


def _short_id_name(f: ColumnFacts) -> bool:
    """A short name (cust, member, 회원 ...) with values that look like customer codes."""
    if f.compact not in ID_SHORT:
        return False
    codes = f.kind == "text" or (f.kind == "numeric" and f.integer)
    return codes and not f.is_date and f.nunique >= 3


def _id_reason(f: ColumnFacts, named: str) -> tuple[str, Text]:
    """Confidence and reason of an id named like one (``named``: "id", "short", "other")."""
    per = 1 / f.unique_ratio if f.unique_ratio else 0.0
    unique = f.unique_ratio >= 0.95
    if named == "other":
        return LOW, msg(
            "named like the id of an order, item or event rather than of a customer; "
            "check that '{column}' identifies customers",
            column=f.col,
        )
    if named == "short":
        if unique:
            return HIGH, msg(
                "the name '{column}' usually means the customer, and its values are "
                "unique in {share:.1%} of rows",
                column=f.col,
                share=f.unique_ratio,
            )
        return MEDIUM, msg(
            "the name '{column}' usually means the customer; each value appears on "
            "{per:.1f} rows on average (several rows per customer)",
            column=f.col,
            per=per,
        )
    if unique:
        return HIGH, msg(
            "named like a customer id and unique in {share:.1%} of rows", share=f.unique_ratio
        )
    return HIGH, msg(
        "named like a customer id; each value appears on {per:.1f} rows on average "
        "(several rows per customer)",
        per=per,
    )


def pick_id(facts: dict[str, ColumnFacts], taken: set[str]) -> Pick | None:
    """The customer id: by name (short names when the values agree), else by values (a
    text or whole-number code unique on every row)."""
    scores: dict[str, tuple[float, str]] = {}
    for c, f in facts.items():
        if c in taken or f.is_date or not f.nunique:
            continue
        s = id_score(f)
        if s > 0:
            scores[c] = (s, "other" if s < 1 else "id")
        elif _short_id_name(f):
            scores[c] = (2.5, "short")
    if scores:
        best = max(s for s, _ in scores.values())
        c = next(c for c, (s, _) in scores.items() if s == best)
        return Pick(c, *_id_reason(facts[c], scores[c][1]))
    unique = [
        c
        for c, f in facts.items()
        if c not in taken and not f.is_date and f.missing == 0 and f.unique_ratio == 1.0
        if f.n >= 2 and (f.kind == "text" or f.integer)
    ]
    texts = [c for c in unique if facts[c].kind == "text"]
    if texts:
        return Pick(
            texts[0],
            MEDIUM,
            msg("unique in {share:.1%} of rows, looks like an id", share=1.0),
        )
    if unique:
        return Pick(
            unique[0],
            LOW,
            msg(
                "whole numbers unique on every row: an id, or only a row number? "
                "check that '{column}' identifies customers",
                column=unique[0],
            ),
        )
    return None


# ---------------------------------------------------------------------- dates


def end_named(f: ColumnFacts) -> bool:
    """The name says the customer ended then (cancel, deleted, terminated, 해지 ...)."""
    return f.has(END_WORDS) or f.contains(END_PARTS_KO)


def start_named(f: ColumnFacts) -> bool:
    return f.has(START_TOKENS) or f.contains(START_KO)


def event_named(f: ColumnFacts) -> bool:
    return f.has(EVENT_TOKENS) or f.contains(EVENT_KO)


class LabelRows(NamedTuple):
    """Which rows the proposed label calls churned and active (None: no label)."""

    column: str
    churned: np.ndarray
    active: np.ndarray


def label_rows(
    df: pd.DataFrame, label: str | None, churned: tuple, active: tuple
) -> LabelRows | None:
    """The rows the label ``label`` (with its churned/active values) calls churned and
    active; None without a label or when no row means churned."""
    if not label or label not in df.columns or not churned:
        return None
    y = map_label(df[label], churned, active).to_numpy()
    rows = LabelRows(label, y == 1, y == 0)
    return rows if rows.churned.any() else None


def _start_pick(f: ColumnFacts) -> Pick:
    share = 1.0 - f.missing
    if share >= 0.95:
        return Pick(
            f.col, HIGH, msg("named like a start date, filled in {share:.1%} of rows", share=share)
        )
    return Pick(
        f.col,
        MEDIUM,
        msg("named like a start date, but empty in {share:.1%} of rows", share=f.missing),
    )


def _end_pick(df: pd.DataFrame, f: ColumnFacts, lab: LabelRows | None) -> Pick | None:
    """Whether the date column ``f`` is the end date, judged on its values and name."""
    named = end_named(f)
    if lab is None:
        if not named:
            return None
        if f.missing > 0:
            return Pick(
                f.col,
                HIGH,
                msg(
                    "named like an end date and empty in {share:.1%} of rows (still active)",
                    share=f.missing,
                ),
            )
        return Pick(
            f.col,
            MEDIUM,
            msg(
                "named like an end date and filled on every row: dates after the snapshot "
                "count as still active"
            ),
        )
    filled = filled_mask(df[f.col])
    n_churned = int(lab.churned.sum())
    in_churned = float(filled[lab.churned].mean())
    in_active = float(filled[lab.active].mean()) if lab.active.any() else 0.0
    ended_only = in_churned >= _CHURNED_FILLED_MIN and in_active <= _ACTIVE_FILLED_MAX
    if ended_only:
        reason = msg(
            "filled for {share:.1%} of the {n:,} rows whose '{label}' means churned and "
            "empty for the active ones: the date they ended",
            share=in_churned,
            n=n_churned,
            label=lab.column,
        )
        return Pick(f.col, HIGH if named else MEDIUM, reason)
    if not named:
        return None  # e.g. updated_at, last purchase: filled for active customers too
    return Pick(
        f.col,
        LOW,
        msg(
            "named like an end date, but filled for {active:.1%} of the active rows and "
            "{churned:.1%} of the churned rows of '{label}': check that it is when "
            "customers ended",
            active=in_active,
            churned=in_churned,
            label=lab.column,
        ),
    )


_RANK = {HIGH: 0, MEDIUM: 1, LOW: 2}


def pick_dates(
    df: pd.DataFrame, facts: dict[str, ColumnFacts], taken: set[str], lab: LabelRows | None
) -> tuple[Pick | None, Pick | None]:
    """The start and end dates (None: no such column), from names and values.

    The start date is named like one. The end date is a date column filled only for the
    rows the label calls churned (named like an end or not), else one named like an end
    (cancelled, deleted, 해지 ...): the most convincing one. A column named like an end and
    empty on every row is the end date of a file where nobody has ended yet.
    """
    dates = [c for c, f in facts.items() if c not in taken and f.is_date]
    start = next((_start_pick(facts[c]) for c in dates if start_named(facts[c])), None)
    ends = [
        p
        for c in dates
        if (start is None or c != start.column) and (p := _end_pick(df, facts[c], lab)) is not None
    ]
    end = min(ends, key=lambda p: _RANK[p.confidence]) if ends else None
    if end is None:
        for c, f in facts.items():
            if c not in taken and f.missing == 1.0 and end_named(f):
                if lab is None:
                    reason = msg(
                        "named like an end date and empty on every row: nobody has ended yet"
                    )
                    end = Pick(c, MEDIUM, reason)
                else:
                    reason = msg(
                        "named like an end date but empty on every row, although '{label}' "
                        "says some customers churned: check",
                        label=lab.column,
                    )
                    end = Pick(c, LOW, reason)
                break
    return start, end


def event_pick(f: ColumnFacts, repeated_ids: bool, per: float) -> Pick:
    """Why the date column ``f`` is proposed as the event date of an event log."""
    if not event_named(f):
        return Pick(
            f.col,
            LOW,
            msg("the first date column of a file with several rows per customer: check"),
        )
    if repeated_ids:
        return Pick(
            f.col,
            HIGH,
            msg(
                "named like an event date, and customers have {per:.1f} rows each on average",
                per=per,
            ),
        )
    return Pick(
        f.col,
        MEDIUM,
        msg("named like an event date; the file has no churn label or start date"),
    )


# ----------------------------------------------------------------- tenure, reason


def _tenure_named(f: ColumnFacts) -> str | None:
    """ "exact" (a name that means tenure), "part" (it holds a tenure word) or None."""
    if f.compact in TENURE_NAMES or f.contains(TENURE_KO):
        return "exact"
    if "tenure" in f.compact:
        return "part"
    if "lifetime" in f.tokens and not f.tokens & _MONEY_WORDS:
        return "part"
    units = f.tokens & _UNIT_WORDS
    if units and f.has({"age"}) and f.has({"account", "customer", "membership", "client"}):
        return "part"  # customer_age_months; a bare "Customer_Age" is the person's age
    if f.has(_RECENCY_WORDS):
        return None  # days_since_last_visit: time since the last activity, not a tenure
    if units and (f.has({"book"}) or f.has({"since"}) and f.has(START_TOKENS - {"since"})):
        return "part"  # months_on_book, days_since_signup
    return None


def pick_tenure(
    df: pd.DataFrame, facts: dict[str, ColumnFacts], skip: set[str]
) -> tuple[Pick, str] | None:
    """The tenure column and its unit: named like a duration, with values of zero or more."""
    for c, f in facts.items():
        if c in skip or not f.is_numeric or f.kind == "bool":
            continue
        named = _tenure_named(f)
        if named is None:
            continue
        num = as_number(df[c])
        vals = num.dropna().to_numpy() if num is not None else np.array([])
        if not len(vals) or vals.min() < 0:
            continue  # negative durations: not a tenure
        unit = tenure_unit(f)
        top = float(vals.max())
        if top > _PLAUSIBLE_MAX[unit]:
            reason = msg(
                "named like a tenure, but values reach {top:,.0f}, long for {unit}: check "
                "the column and its unit",
                top=top,
                unit=_UNIT_TEXT.get(unit, unit),
            )
            return Pick(c, LOW, reason), unit
        reason = msg(
            "named like a tenure; values from {low:,.0f} to {top:,.0f}, read as {unit}",
            low=float(vals.min()),
            top=top,
            unit=_UNIT_TEXT.get(unit, unit),
        )
        return Pick(c, HIGH if named == "exact" else MEDIUM, reason), unit
    return None


def pick_reason(
    df: pd.DataFrame, facts: dict[str, ColumnFacts], skip: set[str], lab: LabelRows | None
) -> Pick | None:
    """The churn reason: a text column named like one (reason, cause, 사유, 원인)."""
    for c, f in facts.items():
        if c in skip or f.is_date or f.kind != "text":
            continue
        if not (f.has(REASON_TOKENS) or f.contains(("사유", "원인"))):
            continue
        if lab is not None:
            filled = filled_mask(df[c])
            in_active = float(filled[lab.active].mean()) if lab.active.any() else 0.0
            if filled[lab.churned].any() and in_active <= _ACTIVE_FILLED_MAX:
                return Pick(
                    c,
                    HIGH,
                    msg(
                        "named like a churn reason and filled only for churned rows of '{label}'",
                        label=lab.column,
                    ),
                )
        return Pick(
            c,
            MEDIUM,
            msg("named like a churn reason; filled in {share:.1%} of rows", share=1 - f.missing),
        )
    return None


# ------------------------------------------------------------------- personal


def email_pick(f: ColumnFacts) -> Pick:
    """Why ``f`` is proposed as the e-mail column."""
    if f.email_share >= 0.8:
        return Pick(
            f.col,
            HIGH,
            msg("{share:.1%} of the values are e-mail addresses", share=f.email_share),
        )
    if f.compact in EMAIL_EXACT and f.missing == 1:
        return Pick(f.col, MEDIUM, msg("named like an e-mail column; empty on every row"))
    return Pick(
        f.col,
        LOW,
        msg(
            "named like an e-mail column, but only {share:.1%} of the values are e-mail "
            "addresses: check",
            share=f.email_share,
        ),
    )


def name_pick(f: ColumnFacts) -> Pick:
    """Why ``f`` is proposed as the customer's name."""
    if f.compact in NAME_EXACT:
        if f.person_share >= 0.5:
            return Pick(
                f.col,
                HIGH,
                msg(
                    "named like a person's name, and {share:.1%} of the values look like one",
                    share=f.person_share,
                ),
            )
        return Pick(f.col, MEDIUM, msg("named like a person's name"))
    return Pick(
        f.col,
        MEDIUM,
        msg("{share:.1%} of the values look like person names", share=f.person_share),
    )


def reasons_in_use(roles: ColumnRoles) -> tuple[tuple[str, str, str, str], ...]:
    """The ``(role, column, confidence, reason)`` of ``roles.reasons`` whose column still
    has that role (a reason for a column the user replaced no longer applies)."""
    return tuple(r for r in roles.reasons if getattr(roles, r[0], None) == r[1])
