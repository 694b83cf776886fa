"""Leakage from evidence: a column's values decide, its name is only a hint.

:class:`LeakScreen` judges every candidate feature on a random sample of rows
(:data:`SCREEN_ROWS`, so a million-row file costs what a fifty-thousand-row one does):

- its **single-feature AUC** against the label (numbers: rank AUC; categories: the AUC
  of each level's churn rate, estimated out of fold so that rare levels cannot fake a
  separation). Above :data:`LEAKAGE_AUC` the column is left out with the figure; above
  :data:`FLAG_AUC` it stays with a note that gives the figure;
- a **leaky name** (churn_reason, cancel_code, status, 해지 ...) leaves a column out only
  when the evidence agrees (AUC of :data:`NAME_AGREES_AUC` or more); otherwise it stays
  with a low-confidence note. A status word inside a demographic name (marital status,
  혼인상태) is no leakage word at all (:func:`churn.roles.scoring.is_leaky_name`);
- **measured after the customer left**: a number that, among churned customers, grows
  with the time since their end date (rank correlation of :data:`AFTER_EXIT_RHO` or more
  with export date - end date), or, without end dates, one named like a time since the
  last activity (recency, days since last login, months inactive) that is higher for
  churners with an AUC of :data:`AFTER_EXIT_AUC` or more. Left out by default; the Data
  page's "Keep columns measured after the customer left" and the CLI's
  ``--keep-after-exit`` bring them back (:func:`keep_after_exit`).

Codes that look numeric are judged here too (:func:`code_exclusion`,
:func:`numeric_code`): zip, postal and area codes are categories (or left out when they
have too many values to group), latitude and longitude are left out.

Without a label or an end date there is no evidence: a leaky name then leaves the column
out (:data:`~churn.roles.leakage.REASON_LEAK_NAME`), as the safe side.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.io.dates import parse_dates
from churn.roles.column_roles import ColumnRoles
from churn.roles.facts import ColumnFacts, as_number
from churn.roles.leakage import (
    LEAKAGE_AUC,
    REASON_LEAK_NAME,
    REASON_LEAK_PREFIX,
    leakage_reason,
    pure_level_detail,
    rank_auc,
)
from churn.roles.names import (
    CODE_NUMBER_KO,
    CODE_NUMBER_TOKENS,
    COORD_EXACT,
    COORD_KO,
    COORD_TOKENS,
    POSTAL_KO,
    POSTAL_TOKENS,
    RECENCY_KO,
    RECENCY_LAST,
    RECENCY_TOKENS,
    RECENCY_WITH,
)
from churn.roles.scoring import id_score, is_leaky_name, too_many_levels
from churn.text import Text, msg

#: Rows the screen looks at (a seeded random sample of the rows role inference sees).
SCREEN_ROWS = 50_000
#: A kept feature that separates churners this well on its own gets a note with the figure.
FLAG_AUC = 0.90
#: A leaky name plus this much separation: left out.
NAME_AGREES_AUC = 0.75
#: Rank correlation with the time since the end date (churned customers) that means
#: "measured at export".
AFTER_EXIT_RHO = 0.8
#: Without end dates: a recency-named column higher for churners with at least this AUC.
AFTER_EXIT_AUC = 0.90
#: Churned customers with an end date and a value needed for the correlation test.
AFTER_EXIT_MIN_ROWS = 20
#: Levels of a category beyond which no level AUC is worked out.
MAX_LEVELS = 200
_PRIOR_WEIGHT = 2.0  # pseudo-customers pulling a level's churn rate to the overall rate

#: Start of the reason of a column measured after the customer left.
REASON_AFTER_EXIT_START = REASON_LEAK_PREFIX + "measured after the customer left"
REASON_COORDINATES = msg(
    "coordinates (latitude/longitude): left out rather than binned; as numbers their size "
    "means nothing to a churn model and as categories almost every value is its own group; "
    "a region or city column says the same better"
)


def code_reason(n: int) -> Text:
    """Why a code with ``n`` distinct values (a zip code) is left out."""
    return msg(
        "a code in digits (zip, postal, area or other code) with {n:,} different values: "
        "too many to group, and its size as a number means nothing; left out",
        n=n,
    )


@dataclass(frozen=True)
class Verdict:
    """What the screen says about one column: left out (``reason``), or kept with a
    ``note`` of the given ``confidence`` ("low" or "medium"), or kept silently."""

    reason: str | None = None
    note: str | None = None
    confidence: str = "low"
    auc: float = float("nan")


# --------------------------------------------------------------------------- names


def is_recency_name(f: ColumnFacts) -> bool:
    """Named like a time since the last activity: recency, days_since_last_login,
    months_inactive, last_purchase_days, 마지막구매경과일."""
    if f.has(RECENCY_TOKENS) or f.contains(RECENCY_KO):
        return True
    return f.has(RECENCY_LAST) and f.has(RECENCY_WITH)


def _named_code(f: ColumnFacts) -> bool:
    if f.contains(POSTAL_KO):
        return True
    named = f.has(CODE_NUMBER_TOKENS) or f.contains(CODE_NUMBER_KO)
    return named and id_score(f) < 2  # "customer_code" is an identifier


def _postal(f: ColumnFacts) -> bool:
    """Named like a place code (zip, postal, area code, 우편번호): digits even as text."""
    return f.has(POSTAL_TOKENS) or {"area", "code"} <= f.tokens or f.contains(POSTAL_KO)


def _is_coordinate(s: pd.Series, f: ColumnFacts) -> bool:
    named = f.has(COORD_TOKENS) or f.compact in COORD_EXACT or f.contains(COORD_KO)
    if not named or not f.is_numeric or f.kind == "bool":
        return False
    num = as_number(s)
    if num is None or num.isna().all():
        return False
    return bool(num.abs().max() <= 180)


def code_exclusion(s: pd.Series, f: ColumnFacts) -> str | None:
    """Why a code that looks numeric is left out (None: it may be a feature).

    Latitude and longitude are left out, not binned: binning needs a grid that fits the
    customers' geography, which a region or city column already gives. A zip, postal or
    area code with too many values to group is left out; with fewer it is a category
    (:func:`numeric_code`).
    """
    if _is_coordinate(s, f):
        return REASON_COORDINATES
    numeric = f.kind == "numeric" and _named_code(f)
    if (numeric or (f.kind == "text" and _postal(f))) and too_many_levels(f):
        return code_reason(f.nunique)
    return None


def numeric_code(f: ColumnFacts) -> bool:
    """A code stored as numbers (zip code, area code, 우편번호): a category, not an amount."""
    return f.kind == "numeric" and _named_code(f) and not too_many_levels(f)


# --------------------------------------------------------------------------- evidence


def level_auc(x: pd.Series, y: np.ndarray, half: np.ndarray) -> float:
    """AUC of each level's churn rate as a score (target encoding), out of fold.

    Each half of the rows (``half``, booleans) is scored with the rates of the other
    half (missing counts as a level; a level unseen there gets the overall rate), so a
    level held by one customer cannot separate anything. Never below 0.5. NaN with
    fewer than 2 or more than :data:`MAX_LEVELS` levels.
    """
    codes, uniques = pd.factorize(x, use_na_sentinel=False)
    n_levels = len(uniques)
    if n_levels < 2 or n_levels > MAX_LEVELS:
        return float("nan")
    score = np.empty(len(y))
    for side in (True, False):
        src, dst = half == side, half != side
        prior = y[src].mean() if src.any() else y.mean()
        size = np.bincount(codes[src], minlength=n_levels)
        pos = np.bincount(codes[src], weights=y[src], minlength=n_levels)
        rate = (pos + _PRIOR_WEIGHT * prior) / (size + _PRIOR_WEIGHT)
        score[dst] = rate[codes[dst]]
    return float(max(rank_auc(score, y), 0.5))


def _rank_corr(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation (NaN when either side is constant)."""
    ra = pd.Series(a).rank().to_numpy()
    rb = pd.Series(b).rank().to_numpy()
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def _end_days(end: pd.Series) -> np.ndarray | None:
    """End dates as days (float, NaN where empty), or None when they cannot be read.

    Parsed once per distinct value; day-first is only a guess here (the user decides it
    on the Data page), which is close enough to rank customers by their end date.
    """
    codes, uniques = pd.factorize(end, use_na_sentinel=True)
    if not len(uniques):
        return None
    for dayfirst in (None, True):
        try:
            dates = parse_dates(pd.Series(uniques, dtype=object), dayfirst=dayfirst)
        except ChurnDataError:
            continue
        days = dates.to_numpy(dtype="datetime64[ns]").astype("int64") / 86_400e9
        days = np.where(dates.isna().to_numpy(), np.nan, days)
        return np.append(days, np.nan)[codes]  # code -1 (empty) picks the NaN
    return None


class LeakScreen:
    """The evidence every candidate feature of one file is judged on.

    Parameters
    ----------
    df : DataFrame
        The rows role inference looks at.
    y : Series, optional
        The label on those rows: 1.0 churned, 0.0 active, NaN otherwise. Without one,
        an end date stands in for it (filled = churned).
    end : str, optional
        The end (cancel) date column, for the "measured after the customer left" test.
    """

    def __init__(self, df: pd.DataFrame, y: pd.Series | None, end: str | None = None) -> None:
        n = len(df)
        rng = np.random.default_rng(17)
        pos = np.arange(n) if n <= SCREEN_ROWS else np.sort(rng.choice(n, SCREEN_ROWS, False))
        self.pos = pos
        self.end_days = _end_days(df[end].iloc[pos]) if end and end in df.columns else None
        if y is not None:
            yv = y.iloc[pos].to_numpy(dtype=float)
        elif self.end_days is not None:
            yv = (~np.isnan(self.end_days)).astype(float)
        else:
            yv = np.full(len(pos), np.nan)
        self.labelled = ~np.isnan(yv)
        self.y = yv[self.labelled]
        n1 = int((self.y == 1).sum())
        self.usable = n1 >= 5 and len(self.y) - n1 >= 5
        self.half = rng.random(len(self.y)) < 0.5
        if self.end_days is not None:
            self.end_days = self.end_days[self.labelled]

    def judge(self, s: pd.Series, f: ColumnFacts) -> Verdict:
        """The verdict on column ``s`` (all rows of the frame given) with facts ``f``."""
        leaky = is_leaky_name(f)
        if not self.usable:
            return Verdict(reason=REASON_LEAK_NAME) if leaky else Verdict()
        x = s.iloc[self.pos][self.labelled]
        num = None
        if f.is_numeric:
            conv = as_number(x)
            num = None if conv is None else conv.to_numpy(dtype=float)
        up = float("nan")  # AUC with "higher means churned"
        auc = float("nan")
        if num is not None and not np.isnan(num).all():
            up = rank_auc(np.where(np.isnan(num), np.nanmin(num) - 1.0, num), self.y)
            auc = float(max(up, 1 - up))
        if num is None or f.nunique <= 50:
            by_level = level_auc(x, self.y, self.half)
            if np.isnan(auc) or by_level > auc:
                auc = by_level
        after = self._after_exit(num, f, up, auc)
        if after is not None:
            return Verdict(reason=leakage_reason(after), auc=auc)
        if auc > LEAKAGE_AUC:
            detail = msg("separates churners on its own: AUC {auc:.2f}", auc=auc)
            return Verdict(reason=leakage_reason(detail), auc=auc)
        pure = pure_level_detail(x, self.y)
        if pure is not None:
            return Verdict(reason=leakage_reason(pure), auc=auc)
        return self._hint(leaky, auc)

    def _hint(self, leaky: bool, auc: float) -> Verdict:
        """A leaky name with the evidence agreeing, or a kept column's note."""
        if np.isnan(auc):  # no figure (e.g. empty on the sample): the name is all there is
            return Verdict(reason=REASON_LEAK_NAME) if leaky else Verdict()
        if leaky and auc >= NAME_AGREES_AUC:
            detail = msg(
                "named like something recorded at or after churn, and it separates "
                "churners: AUC {auc:.2f}",
                auc=auc,
            )
            return Verdict(reason=leakage_reason(detail), auc=auc)
        if leaky:
            note = msg(
                "named like something recorded at or after churn, but it does not separate "
                "churners (AUC {auc:.2f}): kept; check that it is known before a customer "
                "leaves",
                auc=auc,
            )
            return Verdict(note=note, confidence="low", auc=auc)
        if auc >= FLAG_AUC:
            note = msg(
                "separates churners on its own: AUC {auc:.2f}; check that it is known "
                "before a customer leaves",
                auc=auc,
            )
            return Verdict(note=note, confidence="medium", auc=auc)
        return Verdict(auc=auc)

    def _after_exit(self, num, f: ColumnFacts, up: float, auc: float) -> Text | None:
        """Why a number looks measured at export rather than at the cut-off, or None."""
        if num is None or np.isnan(up):
            return None
        if self.end_days is not None:
            rows = (self.y == 1) & ~np.isnan(self.end_days) & ~np.isnan(num)
            if rows.sum() >= AFTER_EXIT_MIN_ROWS:
                # export date - end date: the export date is the same for everybody
                rho = _rank_corr(num[rows], -self.end_days[rows])
                if np.isnan(rho) or rho < AFTER_EXIT_RHO:
                    return None
                return msg(
                    "measured after the customer left: among churned customers it grows "
                    "with the time since their end date (rank correlation {rho:.2f}); on its "
                    "own it separates churners with AUC {auc:.2f}",
                    rho=rho,
                    auc=auc,
                )
        if is_recency_name(f) and up >= AFTER_EXIT_AUC:
            return msg(
                "measured after the customer left: it is named like a time since the last "
                "activity, is higher for churners and on its own separates them with AUC "
                "{auc:.2f}; counted at export, it keeps growing after a customer leaves",
                auc=up,
            )
        return None


# --------------------------------------------------------------------------- the switch


def after_exit_columns(roles: ColumnRoles) -> tuple[str, ...]:
    """Columns ``roles`` leaves out as measured after the customer left."""
    return tuple(c for c, why in roles.excluded if str(why).startswith(REASON_AFTER_EXIT_START))


def keep_after_exit(roles: ColumnRoles) -> ColumnRoles:
    """``roles`` with the columns measured after the customer left back in the features
    (the Data page's switch, the CLI's ``--keep-after-exit``)."""
    back = after_exit_columns(roles)
    if not back:
        return roles
    return roles.with_(
        features=[*roles.features, *(c for c in back if c not in roles.features)],
        excluded=[(c, why) for c, why in roles.excluded if c not in back],
    )
