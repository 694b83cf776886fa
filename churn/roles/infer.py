"""infer_roles: propose a role for every column, and a reason for each one left out.

The proposal goes in steps, each a helper below: personal data first, then the customer
id, the label, the dates, amount/tenure/reason, and last the features (or a reason to
leave a column out).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from churn.roles.amount import propose_amount
from churn.roles.column_roles import (
    ColumnRoles,
    is_generic_pair,
    map_label,
    normalize_label_values,
)
from churn.roles.evidence import (
    email_pick,
    event_pick,
    label_rows,
    name_pick,
    pick_dates,
    pick_id,
    pick_reason,
    pick_tenure,
)
from churn.roles.facts import ColumnFacts, facts_of, sample_rows, str_columns
from churn.roles.label_evidence import label_pick, unclear_values
from churn.roles.names import (
    EMAIL_EXACT,
    EVENT_KO,
    EVENT_TOKENS,
    NAME_EXACT,
)
from churn.roles.scoring import (
    code_like_values,
    id_score,
    is_code,
    is_leaky_name,
    is_personal_name,
    is_phone,
    label_name_score,
    too_many_levels,
)
from churn.roles.screen import LeakScreen, code_exclusion, numeric_code
from churn.text import msg

# Why a column is left out of the features: English text that the app can translate (the
# values compare equal to the plain strings, so they also work as codes).
REASON_IDENTIFIER = msg("identifier")
REASON_PERSONAL = msg("personal data")
REASON_CONSTANT = msg("constant")
REASON_EMPTY = msg("mostly empty")
REASON_TEXT = msg("free text / too many levels")
REASON_DATE = msg("date (used as tenure/recency instead)")


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
    draft = _Draft()
    _propose_personal(facts, draft)
    repeated_ids = _propose_id(facts, draft)
    _propose_label(df, facts, draft)
    _propose_dates(df, facts, draft, repeated_ids)
    events = "event_date" in draft.roles
    _propose_amount_tenure_reason(df, facts, draft, events)
    _propose_tenure_reason(df, facts, draft, events)
    _propose_features(df, facts, draft, events)
    return ColumnRoles(**draft.roles, reasons=tuple(draft.reasons))


@dataclass
class _Draft:
    """The proposal so far: roles given, columns taken by a role, personal columns, and
    why each role was given (``(role, column, confidence, reason)``, see
    :attr:`ColumnRoles.reasons`)."""

    roles: dict[str, Any] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)
    personal: list[str] = field(default_factory=list)
    reasons: list[tuple[str, str, str, str]] = field(default_factory=list)

    def take(self, role: str, col: str, confidence: str = "", reason: str = "") -> None:
        self.roles[role] = col
        self.taken.add(col)
        if reason:
            self.say(role, col, confidence, reason)

    def say(self, role: str, col: str, confidence: str, reason: str) -> None:
        """Record why ``col`` was proposed for ``role`` (confidence: high, medium, low)."""
        if confidence not in ("high", "medium", "low"):
            raise ValueError(f"confidence must be high, medium or low, not {confidence!r}")
        self.reasons = [r for r in self.reasons if r[:2] != (role, col)]
        self.reasons.append((role, col, confidence, reason))


def _propose_personal(facts: dict[str, ColumnFacts], draft: _Draft) -> None:
    """Step 1. Personal data first: whatever else they look like, they are never features."""
    roles, taken, personal, take = draft.roles, draft.taken, draft.personal, draft.take
    for c, f in facts.items():
        is_email = f.compact in EMAIL_EXACT or f.email_share >= 0.8
        if is_email and f.kind == "text" or (f.compact in EMAIL_EXACT and f.missing == 1):
            if "email" not in roles:
                take("email", *email_pick(f))
            else:
                personal.append(c)
                taken.add(c)
        elif f.kind == "text" and (is_phone(f) or is_personal_name(f)) and not f.is_date:
            personal.append(c)
            taken.add(c)
    for c, f in facts.items():
        if c in taken or f.kind != "text":
            continue
        if f.compact in NAME_EXACT or (
            f.person_share >= 0.8 and f.unique_ratio >= 0.5 and f.nunique >= 5
        ):
            if "name" not in roles:
                take("name", *name_pick(f))
            else:
                personal.append(c)
                taken.add(c)


def _propose_id(facts: dict[str, ColumnFacts], draft: _Draft) -> bool:
    """Step 2. Customer id: by name, else the first column unique on every row.

    Returns whether the id repeats (several rows per customer: an event log).
    """
    pick = pick_id(facts, draft.taken)
    if pick is not None:
        draft.take("id", *pick)
    id_col = draft.roles.get("id")
    return bool(id_col and facts[id_col].unique_ratio < 0.95)


def _propose_label(df: pd.DataFrame, facts: dict[str, ColumnFacts], draft: _Draft) -> None:
    """Step 3. Label: named like one and with values that map to churned and active."""
    label_candidates: list[tuple[float, str, tuple, tuple]] = []
    for c, f in facts.items():
        if c in draft.taken or f.is_date or f.nunique < 1 or f.nunique > 12:
            continue
        uniques = df[c].dropna().unique()
        churned, active = normalize_label_values(uniques)
        score = label_name_score(f)
        if not churned or not active:
            # A column named like the label whose values all mean one thing (everybody
            # churned, or nobody did) is still the label: proposing it lets the build say
            # exactly what is missing instead of "no label".
            if score >= 2 and (churned or active):
                label_candidates.append((score / 10, c, churned, active))
            continue
        if score == 0:
            if is_generic_pair(churned, active) or f.nunique > 2:
                continue
            score = 0.5  # "Churned/Active", "이탈/유지" values under another name
        label_candidates.append((score, c, churned, active))
    if label_candidates:
        best = max(s for s, *_ in label_candidates)
        _, c, churned, active = next(x for x in label_candidates if x[0] == best)
        unclear = unclear_values(df[c].dropna().unique())
        confidence, reason = label_pick(facts[c], churned, active, unclear)
        draft.take("label", c, confidence, reason)
        draft.roles["churned_values"], draft.roles["active_values"] = churned, active


def _propose_dates(
    df: pd.DataFrame, facts: dict[str, ColumnFacts], draft: _Draft, repeated_ids: bool
) -> None:
    """Step 4. Dates: start, end, or an event log.

    The end date is judged on its values (filled only for the rows the label calls
    churned) as well as its name (cancelled, deleted, 해지 ...), so ``updated_at`` or a
    last purchase date, filled for active customers too, is never the end date.
    """
    roles, taken, take = draft.roles, draft.taken, draft.take
    lab = label_rows(
        df, roles.get("label"), roles.get("churned_values", ()), roles.get("active_values", ())
    )
    start, end = pick_dates(df, facts, taken, lab)
    for role, pick in (("start", start), ("end", end)):
        if pick is not None:
            take(role, *pick)
    if "start" not in roles and "end" not in roles:
        rest = [c for c, f in facts.items() if c not in taken and f.is_date]
        named = [c for c in rest if facts[c].has(EVENT_TOKENS) or facts[c].contains(EVENT_KO)]
        pick = (named or rest)[:1]
        if pick and (repeated_ids or ("label" not in roles and named)):
            id_col = roles.get("id")
            ratio = facts[id_col].unique_ratio if id_col else 0.0
            take(
                "event_date", *event_pick(facts[pick[0]], repeated_ids, 1 / ratio if ratio else 0.0)
            )


def _propose_amount_tenure_reason(
    df: pd.DataFrame, facts: dict[str, ColumnFacts], draft: _Draft, events: bool
) -> None:
    """Step 5. The value column and its unit (see :mod:`churn.roles.amount`)."""
    amount = propose_amount(df, facts, taken=draft.taken, events=events)
    if amount is not None:  # not taken: a fee stays a model feature too
        draft.roles["amount"], draft.roles["amount_unit"] = amount.column, amount.unit
        draft.say("amount", amount.column, amount.confidence, amount.reason)


def _propose_tenure_reason(
    df: pd.DataFrame, facts: dict[str, ColumnFacts], draft: _Draft, events: bool
) -> None:
    """Step 5b. Tenure (named like a duration, values of zero or more) and the churn reason."""
    roles, taken = draft.roles, draft.taken
    if not events:
        tenure = pick_tenure(df, facts, taken | {roles.get("amount")})
        if tenure is not None:
            pick, roles["tenure_unit"] = tenure
            roles["tenure"] = pick.column  # not taken: a tenure stays a model feature too
            draft.say("tenure", *pick)
    lab = label_rows(
        df, roles.get("label"), roles.get("churned_values", ()), roles.get("active_values", ())
    )
    reason = pick_reason(df, facts, taken, lab)
    if reason is not None:
        draft.take("reason", *reason)


def _propose_features(
    df: pd.DataFrame, facts: dict[str, ColumnFacts], draft: _Draft, events: bool
) -> None:
    """Step 6. Everything else: a feature, or excluded with a reason."""
    roles, taken, personal = draft.roles, draft.taken, draft.personal
    y = None
    if "label" in roles:
        y = map_label(df[roles["label"]], roles["churned_values"], roles["active_values"])
    # Leakage from evidence (names only a hint), on a sample: churn.roles.screen.
    screen = LeakScreen(df, None if events else y, None if events else roles.get("end"))
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
        verdict = screen.judge(df[c], f) if not (reason := _exclusion(df[c], f)) else None
        if verdict is not None and verdict.note:
            draft.say("features", c, verdict.confidence, verdict.note)
        reason = reason or (verdict.reason if verdict is not None else None)
        if reason:
            excluded.append((c, reason))
            continue
        features.append(c)
        if f.kind in ("text", "bool") and not f.numeric_text:
            categorical.append(c)
        elif is_code(f) or code_like_values(df[c], f) or numeric_code(f):
            categorical.append(c)

    roles["features"] = tuple(features)
    roles["categorical"] = tuple(categorical)
    roles["personal"] = tuple(personal)
    roles["excluded"] = tuple(excluded)


def _exclusion(s: pd.Series, f: ColumnFacts) -> str | None:
    """Why a column should not be a feature (None: it may be one, if the leakage screen
    agrees)."""
    if f.is_date:
        return REASON_DATE
    if f.missing > 0.5:
        return REASON_EMPTY
    if f.nunique <= 1:
        return REASON_CONSTANT
    if code := code_exclusion(s, f):  # before ids: 우편번호 ends like an id
        return code
    if id_score(f) >= 2:
        return REASON_IDENTIFIER
    # A column named like a leak (churn_score) is judged by the leakage screen, whose
    # verdict says more than "identifier" when it gives the answer away.
    unique = f.n >= 20 and not is_leaky_name(f)
    if unique and f.unique_ratio >= 0.95 and (f.kind == "text" and not f.numeric_text):
        return REASON_IDENTIFIER
    if unique and f.integer and f.unique_ratio == 1.0:
        vals = s.dropna().to_numpy(dtype=float)
        if vals.max() - vals.min() + 1 == len(vals):  # 1, 2, 3, ...: a row number
            return REASON_IDENTIFIER
    if f.kind == "text" and not f.numeric_text and too_many_levels(f):
        return REASON_TEXT
    return None
