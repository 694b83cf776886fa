"""The executive summary: the report's first section, the story of the data in plain words.

Five points, each from numbers the later sections show in full: the churn rate and its
trend, the three strongest drivers (the model's, or without one the widest significant
spreads of :mod:`churn.report.evidence`), the active customers at risk and the value at
stake, and the recommended campaign with its expected return (:func:`recommend_campaign`,
priced by :func:`churn.whatif.segment_scenario`). Without a model the last two points say
what a model would add.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from churn.report.evidence import remember
from churn.report.formatting import fmt_int, fmt_money, fmt_pct, fmt_points, text
from churn.report.sections import (
    ReportInputs,
    Section,
    register_section,
    segment_choice,
)
from churn.table import ID, STATUS

#: the campaign's assumptions, stated in its sentence
ACCEPTANCE = 0.25
HORIZON_MONTHS = 12
#: a trend moves when the last three full months differ by at least this many points
STEADY_POINTS = 1.0
#: actionable attributes tried for the campaign, strongest driver first
CAMPAIGN_CANDIDATES = 4


@dataclass(frozen=True)
class Campaign:
    """A recommended campaign: set ``column`` to ``level`` for the at-risk customers who
    have another level, priced by :func:`churn.whatif.segment_scenario`."""

    column: str
    level: str
    targeted: int
    kept: float
    revenue_kept: float
    cost_per_customer: float
    campaign_cost: float
    net: float
    roi: float
    has_value: bool

    @property
    def pays(self) -> bool:
        """Worth recommending: a positive net return (without values: a customer kept)."""
        return self.net > 0 if self.has_value else self.kept >= 1


def drivers(inp: ReportInputs) -> Any:
    """The model's global drivers, computed once per report (shared with the drivers section)."""
    from churn.explain import global_drivers

    return remember(inp.memo, "drivers", lambda: global_drivers(inp.trained, inp.table))


def risk(inp: ReportInputs) -> pd.Series:
    """Every customer's churn risk from a model that did not learn from them (the at-risk
    list's numbers), indexed by customer id; computed once per report."""
    from churn.model import honest_risk

    return remember(inp.memo, "risk", lambda: honest_risk(inp.trained, inp.table))


def trend_sentence(inp: ReportInputs) -> str:
    """The monthly churn rate of the last three full months against the three before."""
    from churn.metrics import period_table

    lang = inp.lang
    if inp.table.frame["start_date"].notna().sum() == 0:
        return text("summary.no_dates", lang)
    periods = period_table(inp.table, "month", "start")
    rates = periods.loc[~periods["partial"].astype(bool), "churn_rate"].dropna()
    if len(rates) < 2:
        return text("summary.short", lang)
    k = min(3, len(rates) // 2)
    last, before = rates.iloc[-k:].mean(), rates.iloc[-2 * k : -k].mean()
    diff = (last - before) * 100
    key = (
        "summary.steady"
        if abs(diff) < STEADY_POINTS
        else ("summary.up" if diff > 0 else "summary.down")
    )
    return text(
        key,
        lang,
        months=fmt_int(k),
        rate=fmt_pct(last, lang=lang),
        before=fmt_pct(before, lang=lang),
        diff=fmt_points(abs(diff), lang),
    )


def drivers_sentence(inp: ReportInputs) -> str:
    """The three strongest drivers (the model's), or the three widest spreads."""
    lang = inp.lang
    if inp.trained is not None:
        imp = drivers(inp).importance.head(3)
        items = [
            text("summary.driver", lang, name=r.feature, points=fmt_points(r.mean_abs_contribution * 100, lang))
            for r in imp.itertuples()
        ]  # fmt: skip
        return text("summary.drivers", lang, drivers=", ".join(items))
    ev = segment_choice(inp).evidence
    ev = ev[ev["significant"]].head(3)
    if ev.empty:
        return text("summary.no_drivers", lang)
    items = [
        text(
            "summary.spread",
            lang,
            name=r.column,
            low=fmt_pct(r.low_rate, lang=lang),
            high=fmt_pct(r.high_rate, lang=lang),
        )
        for r in ev.itertuples()
    ]
    return text("summary.drivers_spread", lang, drivers=", ".join(items))


def at_risk_ids(inp: ReportInputs) -> tuple[pd.Series, float]:
    """Risk of the active customers at or above the model's threshold, and the threshold."""
    frame = inp.table.frame
    threshold = float(inp.trained.metrics.get("threshold", 0.5))
    active = frame.loc[frame[STATUS].isin(("active", "too_new")), ID].astype(str)
    r = risk(inp).reindex(active.to_numpy())
    return r[r >= threshold], threshold


def monthly_value(inp: ReportInputs) -> pd.Series | None:
    """Each customer's value per month by id, or None when the data has none."""
    frame = inp.table.frame
    if "value" not in frame.columns:
        return None
    v = pd.to_numeric(frame["value"], errors="coerce")
    if v.notna().sum() == 0:
        return None
    return pd.Series(v.to_numpy(), index=frame[ID].astype(str).to_numpy())


def at_risk_sentence(inp: ReportInputs) -> str:
    """How many active customers are at risk, and the value at stake."""
    lang = inp.lang
    at_risk, threshold = at_risk_ids(inp)
    frame = inp.table.frame
    n_active = int(frame[STATUS].isin(("active", "too_new")).sum())
    values = {
        "n": fmt_int(len(at_risk)),
        "active": fmt_int(n_active),
        "threshold": fmt_pct(threshold, 0, lang=lang),
    }
    value = monthly_value(inp)
    if value is None:
        return text("summary.at_risk_no_value", lang, **values)
    v = value.reindex(at_risk.index).fillna(0.0)
    return text(
        "summary.at_risk",
        lang,
        value=fmt_money(float(v.sum()), lang),
        expected=fmt_money(float((v * at_risk).sum()), lang),
        **values,
    )


def recommend_campaign(inp: ReportInputs) -> Campaign | None:  # long: tries a few offers
    """The best-paying offer among the strongest actionable categorical drivers: set the
    attribute to one of its two lowest-churn levels for the at-risk customers without it
    (the highest net return; without values, the most customers kept). Check
    :attr:`Campaign.pays` before recommending it.

    Assumes :data:`ACCEPTANCE` accept, each offer costs one month of the targeted
    customers' median value, and a kept customer counts :data:`HORIZON_MONTHS` months.
    None when no attribute can be offered or nobody is at risk.
    """
    from churn.segments import churn_by_segment
    from churn.whatif import Intervention, feature_space, is_actionable, segment_scenario

    t, tm = inp.table, inp.trained
    at_risk, _ = at_risk_ids(inp)
    if at_risk.empty:
        return None
    value = monthly_value(inp)
    cats = set(t.categorical)
    order = [f for f in drivers(inp).importance["feature"] if f in cats and is_actionable(f)]
    space = feature_space(t, tm)
    best: Campaign | None = None
    for col in order[:CAMPAIGN_CANDIDATES]:
        seg = churn_by_segment(t, col)
        seg = seg[~seg["small"].astype(bool)].sort_values("churn_rate", kind="mergesort")
        ids_col = t.frame.set_index(t.frame[ID].astype(str))[col].map(str)
        for level in seg["segment"].astype(str).head(2):
            ids = [i for i in at_risk.index if ids_col.get(i) != level]
            if not ids:
                continue
            cost = float(np.nanmedian(value.reindex(ids))) if value is not None else 0.0
            cost = cost if np.isfinite(cost) else 0.0
            res = segment_scenario(
                tm, t, ids, Intervention("set", col, level),
                cost_per_customer=cost, acceptance=ACCEPTANCE,
                value=None if value is not None else 0.0,
                horizon_months=HORIZON_MONTHS, space=space,
            )  # fmt: skip
            found = Campaign(
                col, level, res.n_targeted, res.customers_kept, res.revenue_kept, cost,
                res.campaign_cost, res.net, res.roi, value is not None,
            )  # fmt: skip
            better = best is None or (
                (found.net, found.kept) > (best.net, best.kept)
                if value is not None
                else found.kept > best.kept
            )
            if better:
                best = found
    return best


def campaign_sentence(inp: ReportInputs) -> str:
    """The recommended campaign and its expected return, in words."""
    lang = inp.lang
    c = remember(inp.memo, "campaign", lambda: recommend_campaign(inp))
    if c is None:
        return text("summary.no_campaign", lang)
    if not c.pays:
        return text(
            "summary.campaign_does_not_pay",
            lang,
            column=c.column,
            level=c.level,
            kept=fmt_int(c.kept),
            net=fmt_money(c.net, lang),
            acceptance=fmt_pct(ACCEPTANCE, 0, lang=lang),
        )
    values = {
        "column": c.column,
        "level": c.level,
        "n": fmt_int(c.targeted),
        "acceptance": fmt_pct(ACCEPTANCE, 0, lang=lang),
        "kept": fmt_int(c.kept),
        "months": fmt_int(HORIZON_MONTHS),
    }
    if not c.has_value:
        return text("summary.campaign_no_value", lang, **values)
    return text(
        "summary.campaign",
        lang,
        cost=fmt_money(c.cost_per_customer, lang),
        revenue=fmt_money(c.revenue_kept, lang),
        campaign_cost=fmt_money(c.campaign_cost, lang),
        net=fmt_money(c.net, lang),
        roi=fmt_pct(c.roi, 0, lang=lang),
        **values,
    )


@register_section("summary", first=True)
def summary_section(inp: ReportInputs) -> Section:
    """The executive summary (first in the report)."""
    t, lang = inp.table, inp.lang
    s = Section("summary", text("summary.title", lang))
    c = t.frame["churned"]
    labelled, churned = int(c.notna().sum()), int((c == 1).sum())
    rate = fmt_pct(churned / labelled if labelled else float("nan"), lang=lang)
    s.bullets.append(
        text("summary.rate", lang, churned=fmt_int(churned), labelled=fmt_int(labelled), rate=rate)
        + " "
        + trend_sentence(inp)
    )
    s.bullets.append(drivers_sentence(inp))
    if inp.trained is None:
        s.bullets.append(text("summary.no_model", lang))
    else:
        s.bullets.append(at_risk_sentence(inp))
        s.bullets.append(campaign_sentence(inp))
    return s
