"""Monotone warning signs: which feature may only push risk one way, and why.

A tree model can learn, through an interaction, that *fewer* support tickets raise the
risk of some customers; a marketer reading "removing the failed payments raises the risk
by 1.5 points" stops trusting the model. For warning-sign columns whose direction is
known, LightGBM is therefore told (``monotone_constraints``) that risk may only rise with
the column (+1) or only fall (-1), whatever the other columns are:

- risk up (+1): support tickets, complaints, failed payments (and an engagement *drop*);
- risk down (-1): NPS, satisfaction, logins, visits, sessions, engagement (and its change).

The direction is first proposed from the column's name (the warning-sign names of
:func:`churn.segments.recognise_warning_signs`, plus activity levels such as logins), then
checked against the values the model is fitted on: the column must be numeric (a category
has no order) and the sign of its rank correlation with churn must agree. When it does
not, the column gets no constraint and the reason says so. :func:`monotone_plan` decides;
:class:`churn.lgbm.LGBMClassifierAnyNames` applies the plan at every fit, so evaluation
folds, the final model, tuning and cross-fitting all follow the same rule.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from churn.text import msg

#: Warning signs (as named by :func:`churn.segments.recognise_warning_signs`) and the
#: direction of risk as the column rises.
SIGN_DIRECTIONS = {
    "support_tickets": 1,
    "complaints": 1,
    "failed_payments": 1,
    "nps": -1,
    "satisfaction": -1,
    "engagement_change": -1,
}
# Activity levels (not in the warning-sign list): more use, less risk.
_ACTIVITY = re.compile(
    r"log\s*ins?\b|logins|\bvisits?\b|\bsessions?\b|engagement|active\s*days|"
    r"로그인|접속|방문|활동"
)
# A change column named for the bad direction ("logins drop") reads the other way.
_DROP = re.compile(r"drop|declin|decreas|fall|감소|하락")
#: Smallest absolute rank correlation taken as the data showing a direction.
MIN_CORRELATION = 0.005


def proposed_directions(features: Sequence[str], categorical: Sequence[str] = ()) -> dict:
    """Column -> (+1 or -1, sign name) for the numeric features whose name says which way
    risk goes (categorical columns are never constrained: a category has no order)."""
    from churn.segments import norm_name, recognise_warning_signs

    cats = set(categorical)
    nums = [c for c in features if c not in cats]
    signs = recognise_warning_signs(nums)
    out: dict[str, tuple[int, str]] = {}
    for col in nums:
        name = norm_name(col)
        sign = signs.get(col)
        if sign in SIGN_DIRECTIONS:
            d = SIGN_DIRECTIONS[sign]
            if sign == "engagement_change" and _DROP.search(name):
                d = 1
            out[col] = (d, sign)
        elif sign is None and _ACTIVITY.search(name):
            out[col] = (1 if _DROP.search(name) else -1, "activity")
    return out


@dataclass(frozen=True)
class MonotoneDecision:
    """One column's constraint: ``direction`` +1 (risk rises with it), -1 (risk falls) or
    0 (none), the direction its name ``proposed`` and the rank ``correlation`` with churn
    in the data it was checked on (NaN when the column does not vary)."""

    column: str
    proposed: int
    direction: int
    correlation: float

    @property
    def reason(self) -> str:
        """Why, in one sentence (a :func:`msg` text)."""
        return decision_reason(self.to_dict())

    def to_dict(self) -> dict:
        """Plain values (kept on the fitted estimator and in the model's metrics)."""
        r = self.correlation
        return {
            "column": self.column,
            "proposed": int(self.proposed),
            "direction": int(self.direction),
            "correlation": None if np.isnan(r) else round(float(r), 4),
        }


def decision_reason(d: dict) -> str:
    """The reason for one decision given as :meth:`MonotoneDecision.to_dict`."""
    col, way, r = d["column"], d["proposed"], d.get("correlation")
    if r is None:
        return msg(
            "no constraint on '{column}': it does not vary with churn in these data.",
            column=col,
        )
    if d["direction"]:
        rule = (
            msg("risk only rises as '{column}' rises", column=col)
            if way > 0
            else msg("risk only falls as '{column}' rises", column=col)
        )
        return msg(
            "{rule}: its name marks it as a warning sign and churn moves that way in the "
            "data (rank correlation {r:+.3f}).",
            rule=rule,
            r=r,
        )
    return msg(
        "no constraint on '{column}': its name suggests risk {way} as it rises, but in the "
        "data churn does not (rank correlation {r:+.3f}).",
        column=col,
        way=msg("rises") if way > 0 else msg("falls"),
        r=r,
    )


def _rank_correlation(x: pd.Series, y: np.ndarray) -> float:
    v = pd.to_numeric(x, errors="coerce").to_numpy(dtype=float)
    ok = ~np.isnan(v)
    if ok.sum() < 3:
        return float("nan")
    rx = pd.Series(v[ok]).rank().to_numpy()
    ry = pd.Series(np.asarray(y, dtype=float)[ok]).rank().to_numpy()
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def monotone_plan(
    X: pd.DataFrame, y: np.ndarray, proposed: Mapping[str, int]
) -> list[MonotoneDecision]:
    """Check each proposed direction against the data: kept when the rank correlation of
    the column with churn has the same sign (and is at least :data:`MIN_CORRELATION`),
    dropped otherwise (the decision's :attr:`~MonotoneDecision.reason` says why)."""
    out = []
    for col, d in proposed.items():
        if col not in X.columns:
            continue
        r = _rank_correlation(X[col], y)
        keep = not np.isnan(r) and r * d >= MIN_CORRELATION
        out.append(MonotoneDecision(col, d, d if keep else 0, r))
    return out


def constraints_for(columns: Sequence[str], plan: Sequence[MonotoneDecision]) -> list[int]:
    """LightGBM's ``monotone_constraints``: one entry per column of the fitted frame."""
    by_col = {p.column: p.direction for p in plan}
    return [int(by_col.get(str(c), 0)) for c in columns]
