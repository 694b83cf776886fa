"""Warning signs: columns recognised by name as the domain brief's warning signs, and the
churn rate by level of each, the strongest first."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.segments.labels import (
    TableLike,
    labels_from_codes,
    require_column,
    segment_column,
    table_frame,
)
from churn.segments.stats import rate_frame, require_labels
from churn.table import CHURNED
from churn.text import msg

WARNING_SIGNS = (
    "support_tickets",
    "complaints",
    "nps",
    "satisfaction",
    "engagement_change",
    "newsletter_unsubscribed",
    "discount_requested",
    "failed_payments",
)
# Name patterns, most specific first; names are lower-cased and "_"/"-" read as spaces.
_SIGN_PATTERNS: tuple[tuple[str, str], ...] = (
    ("nps", r"\bnps\b|net promoter|promoter score|추천\s*(의향|지수|점수)|순추천"),
    (
        "failed_payments",
        r"(fail|declin|bounce|reject)\w*\s*(payment|charge|billing)|"
        r"(payment|charge|billing)s?\s*(fail|declin|bounce|reject)|"
        r"결제\s*(실패|오류|거절)|미납|연체",
    ),
    (
        "discount_requested",
        r"discount\w*\s*(request|ask)|(request|ask)\w*\s*discount|price\s*(cut|reduction|"
        r"request|negotiat)|할인\s*(요청|문의|요구)|가격\s*(인하|협상)",
    ),
    (
        "newsletter_unsubscribed",
        r"unsubscri|opt\s*out|opted\s*out|newsletter|수신\s*거부|구독\s*(해지|취소)|뉴스레터",
    ),
    ("complaints", r"complain|grievance|불만|민원|클레임|항의"),
    (
        "support_tickets",
        r"ticket|support\s*(call|request|case|contact)|service\s*(call|request|contact)|"
        r"help\s*desk|cust\s*serv|\bcs\s*(call|contact)|문의|상담|고객\s*센터|티켓",
    ),
    ("satisfaction", r"satisf|\bcsat\b|만족"),
    (
        "engagement_change",
        r"(login|log in|visit|session|usage|use|engagement|activity|purchase|order|"
        r"접속|방문|이용|사용|구매|활동|로그인)\w*\s*(change|trend|drop|delta|decline|diff)|"
        r"(change|drop|decline)\s*in\s*(login|visit|session|usage|engagement|activity|"
        r"purchase|order)|"
        r"(접속|방문|이용|사용|구매|활동|로그인)\s*(변화|감소|증감|추세)",
    ),
)


def norm_name(name: str) -> str:
    """A column name lower-cased, with ``_ - . /`` read as spaces (what the sign patterns
    and the playbook's patterns are searched in)."""
    return re.sub(r"[_\-./]+", " ", str(name)).lower().strip()


def recognise_warning_signs(columns: Iterable[str]) -> dict[str, str]:
    """Propose which columns are the domain brief's warning signs, by name.

    English and Korean names are recognised (e.g. ``support_tickets``, ``NPS``,
    ``만족도``, ``결제 실패 횟수``). Like ``infer_roles`` this only *proposes*: the user
    confirms or changes the mapping, and :func:`warning_signs` takes the confirmed one.

    Parameters
    ----------
    columns : iterable of str

    Returns
    -------
    dict
        column -> sign, the sign being one of :data:`WARNING_SIGNS`.
    """
    found: dict[str, str] = {}
    for col in columns:
        name = norm_name(col)
        for sign, pattern in _SIGN_PATTERNS:
            if re.search(pattern, name):
                found[col] = sign
                break
    return found


NPS_LEVELS = ("detractors (0-6)", "passives (7-8)", "promoters (9-10)")


def _sign_levels(table: TableLike, column: str, sign: str) -> pd.Series:
    frame = table_frame(table)
    s = frame[column]
    if sign == "nps":
        # float: a nullable column (Int64 from Parquet) compares to a masked array, which
        # np.select refuses; its missing values become NaN, which fall in no level
        v = pd.to_numeric(s, errors="coerce").astype(float).where(lambda x: (x >= 0) & (x <= 10))
        level = np.select([v <= 6, v <= 8, v <= 10], [0, 1, 2], default=-1)
        present = [i for i in range(len(NPS_LEVELS)) if (level == i).any()]
        renumber = np.full(len(NPS_LEVELS) + 1, -1)  # levels seen, in order; -1 stays -1
        renumber[present] = np.arange(len(present))
        order = [NPS_LEVELS[i] for i in present]
        return labels_from_codes(renumber[level], order, frame.index, column)
    return segment_column(table, column, bins=4, top_k=6)


def warning_signs(table: TableLike, mapping: Mapping[str, str]) -> pd.DataFrame:
    """Churn rate by level of each confirmed warning-sign column, the strongest first.

    Parameters
    ----------
    table : CustomerTable or pandas.DataFrame
    mapping : mapping of str to str
        column -> sign (see :func:`recognise_warning_signs`), as the user confirmed it.

    Returns
    -------
    pandas.DataFrame
        Long frame: ``column``, ``sign``, ``level`` (natural order; NPS as detractors /
        passives / promoters), ``level_order``, ``customers``, ``churned``,
        ``churn_rate``, ``ci_low``, ``ci_high``, ``small``, and per column ``spread``
        (highest minus lowest churn rate among levels that are not small; all levels
        when every one is small), ``chi2``, ``p_value`` (chi-square test of
        independence), ``rank`` (1 = largest spread). Sorted by rank, then level.
    """
    from scipy import stats

    frame = table_frame(table)
    lab = frame[CHURNED].notna()
    require_labels(frame)
    parts = []
    for column, sign in mapping.items():
        require_column(frame, column)
        if sign not in WARNING_SIGNS:
            raise ChurnDataError(
                msg("'{sign}' is not a known warning sign.", sign=sign),
                fix=msg("use one of {choices}.", choices=", ".join(WARNING_SIGNS)),
                column=column,
            )
        levels = _sign_levels(table, column, sign)
        keys = pd.DataFrame({"level": levels[lab]})
        res = rate_frame(keys, frame.loc[lab, CHURNED].astype(float))
        order = list(levels.cat.categories)
        res["level"] = res["level"].astype(str)
        res["level_order"] = [order.index(v) for v in res["level"]]
        judged = res[~res["small"]] if (~res["small"]).sum() >= 2 else res
        spread = float(judged["churn_rate"].max() - judged["churn_rate"].min())
        table2 = np.column_stack([res["churned"], res["customers"] - res["churned"]])
        table2 = table2[:, table2.sum(axis=0) > 0]
        if len(res) >= 2 and table2.shape[1] == 2:
            chi = stats.chi2_contingency(table2, correction=False)
            chi2, p = float(chi.statistic), float(chi.pvalue)
        else:
            chi2, p = math.nan, math.nan
        res.insert(0, "sign", sign)
        res.insert(0, "column", column)
        res["spread"], res["chi2"], res["p_value"] = spread, chi2, p
        parts.append(res)
    cols = [
        "column", "sign", "level", "level_order", "customers", "churned", "churn_rate",
        "ci_low", "ci_high", "small", "spread", "chi2", "p_value", "rank",
    ]  # fmt: skip
    if not parts:
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, ignore_index=True)
    strength = out.groupby("column", sort=False)["spread"].first()
    rank = strength.sort_values(ascending=False, kind="stable").rank(
        method="first", ascending=False
    )
    out["rank"] = out["column"].map(rank).astype(int)
    out = out.sort_values(["rank", "level_order"], kind="stable").reset_index(drop=True)
    return out[cols]
