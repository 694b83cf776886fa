"""Sections: the registry of section builders and the built-in builders, in report order.

Each section is made by a builder in :data:`SECTIONS`; a builder whose inputs are missing
raises :class:`SectionSkipped` and the report keeps a one-line note instead of the section.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from churn.report.catalogue import GLOSSARY_TERMS, SEVERITY
from churn.report.evidence import SegmentChoice, choice_sentence, choose_segments, remember
from churn.report.formatting import (
    chart_labels,
    fmt_int,
    fmt_num,
    fmt_p,
    fmt_pct,
    header,
    issue_code,
    restyle,
    text,
    text_n,
)
from churn.report.meanings import metric_meaning
from churn.table import CustomerTable
from churn.text import localize

CHART_WIDTH = 640


class SectionSkipped(Exception):
    """Raised by a builder whose inputs are missing; the message says why in words."""


@dataclass(frozen=True)
class ReportInputs:
    """Everything a section builder may use; each builder takes only what it needs."""

    table: CustomerTable
    trained: Any = None
    issues: Sequence[Any] = ()
    scenarios: Sequence[Mapping[str, Any]] = ()
    lang: str = "en"
    segment_columns: Sequence[str] | None = None
    top_at_risk: int = 20
    charts: bool = True
    personal: bool = False
    #: event logs: the P(alive) fit (``churn.alive.fit_alive``) and its threshold
    alive: Any = None
    alive_threshold: float | None = None
    #: the attribute that splits the survival curves (default: the first segment chosen)
    survival_by: str | None = None
    #: month over month: a :class:`churn.compare.Comparison` (None: the section is left out)
    comparison: Any = None
    #: what several sections need, made once (:func:`churn.report.evidence.remember`)
    memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def segment_choice(inp: ReportInputs) -> SegmentChoice:
    """The segments and survival groups of the report (by evidence unless chosen)."""
    return remember(
        inp.memo,
        "segments",
        lambda: choose_segments(inp.table, inp.segment_columns, inp.survival_by),
    )


@dataclass
class Section:
    """One section: a title, plain-words paragraphs, named tables and Altair charts."""

    name: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: list[Any] = field(default_factory=list)
    #: a shorter view of a table for the HTML page (the XLSX keeps the full table)
    display: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: key points shown as a list after the paragraphs (the executive summary)
    bullets: list[str] = field(default_factory=list)


Builder = Callable[[ReportInputs], Section]
#: name -> builder, in report order.
SECTIONS: dict[str, Builder] = {}


def register_section(name: str, *, first: bool = False) -> Callable[[Builder], Builder]:
    """Decorator adding a section builder to :data:`SECTIONS` under ``name`` (at the end,
    or before every other section with ``first=True``)."""

    def deco(fn: Builder) -> Builder:
        SECTIONS[name] = fn
        if first:
            rest = [(k, v) for k, v in SECTIONS.items() if k != name]
            SECTIONS.clear()
            SECTIONS.update([(name, fn), *rest])
        return fn

    return deco


def section_title(name: str, lang: str = "en") -> str:
    """The translated title of a registered section."""
    return text(f"{name}.title", lang)


def _labelled(table: CustomerTable) -> tuple[int, int]:
    c = table.frame["churned"]
    return int(c.notna().sum()), int((c == 1).sum())


@register_section("data")
def _data(inp: ReportInputs) -> Section:
    t, lang = inp.table, inp.lang
    labelled, churned = _labelled(t)
    s = Section("data", text("data.title", lang))
    s.paragraphs.append(
        text(
            "data.p1",
            lang,
            rows=fmt_int(t.rows_in),
            shape=text(f"shape.{t.shape}", lang),
            customers=fmt_int(len(t.frame)),
            churned=fmt_int(churned),
            labelled=fmt_int(labelled),
            rate=fmt_pct(churned / labelled if labelled else float("nan"), lang=lang),
        )
    )
    s.paragraphs.extend(restyle(localize(n, lang), lang) for n in t.notes)
    if inp.issues:
        n = len(inp.issues)
        s.paragraphs.append(text_n("data.p2", n, lang, issues=fmt_int(n)))
        s.tables["issues"] = pd.DataFrame(
            [
                {
                    "severity": SEVERITY.get(lang, {}).get(i.severity, i.severity),
                    "code": issue_code(i.code, lang),
                    "column": i.column,
                    "message": restyle(localize(i.message, lang), lang),
                    "fix": restyle(localize(i.fix, lang), lang),
                    "count": i.count,
                }
                for i in inp.issues
            ]
        )
    else:
        s.paragraphs.append(text("data.none", lang))
    return s


@register_section("over_time")
def _over_time(inp: ReportInputs) -> Section:
    from churn.metrics import period_table

    if inp.table.frame["start_date"].notna().sum() == 0:
        raise SectionSkipped(text("over_time.no_dates", inp.lang))
    periods = period_table(inp.table, "month", "start")
    s = Section("over_time", text("over_time.title", inp.lang))
    full = periods[~periods["partial"].astype(bool)]
    last = full.iloc[-1] if len(full) else periods.iloc[-1]
    s.paragraphs.append(
        text(
            "over_time.p1",
            inp.lang,
            lost=fmt_int(last["numerator"]),
            at_risk=fmt_int(last["denominator"]),
            rate=fmt_pct(last["churn_rate"], lang=inp.lang),
        )
    )
    cols = ["period", "active_start", "new", "churned", "numerator", "denominator"]
    cols += ["churn_rate", "ci_low", "ci_high", "partial"]
    s.tables["churn_by_month"] = periods[cols].assign(period=periods["period"].astype(str))
    if inp.charts:
        from churn.charts.over_time import churn_rate_chart

        s.charts.append(
            churn_rate_chart(periods, chart_labels(inp.lang)).properties(width=CHART_WIDTH)
        )
    return s


@register_section("cohorts")
def _cohorts(inp: ReportInputs) -> Section:
    from churn.metrics import cohort_table, survival_curves

    t, lang = inp.table, inp.lang
    if t.frame["tenure_days"].notna().sum() == 0:
        raise SectionSkipped(text("over_time.no_dates", lang))
    s = Section("cohorts", text("cohorts.title", lang))
    overall = survival_curves(t)
    med = overall.groups["median_lifetime_days"].iloc[0]
    median = (
        text("cohorts.not_reached", lang)
        if not math.isfinite(med)
        else text("cohorts.days", lang, n=fmt_int(med))
    )
    s.paragraphs.append(
        text("cohorts.p1", lang, used=fmt_int(overall.customers_used), median=median)
    )
    by = segment_choice(inp).survival_by
    res = survival_curves(t, by=by) if by else overall
    if by and res.logrank_p is not None:
        s.paragraphs.append(text("cohorts.p2", lang, by=by, p=fmt_p(res.logrank_p, lang=lang)))
    s.tables["survival_groups"] = res.groups
    if t.frame["start_date"].notna().any():
        coh = cohort_table(t)
        s.tables["cohorts"] = coh
        if len(coh):
            months = [m for m in (0, 1, 3, 6, 12, 24) if m in set(coh["months_since"])]
            wide = coh[coh["months_since"].isin(months)].pivot_table(
                index="cohort", columns="months_since", values="retention", aggfunc="first"
            )
            wide.columns = [f"retention_{m}" for m in wide.columns]
            s.display["cohorts"] = wide.reset_index().assign(
                cohort=lambda d: d["cohort"].astype(str)
            )
    if inp.charts:
        from churn.charts.over_time import survival_chart

        s.charts.append(
            survival_chart(res.curves, chart_labels(lang)).properties(width=CHART_WIDTH)
        )
    return s


@register_section("alive")
def _alive(inp: ReportInputs) -> Section:
    from churn import alive as A

    t, lang, res = inp.table, inp.lang, inp.alive
    if t.shape != "events":
        raise SectionSkipped(text("alive.not_events", lang))
    if res is None:
        raise SectionSkipped(text("alive.not_fitted", lang))
    thr = A.DEFAULT_P_ALIVE_THRESHOLD if inp.alive_threshold is None else inp.alive_threshold
    rates = A.rule_rates(t, res, thr)
    s = Section("alive", text("alive.title", lang))
    s.paragraphs.extend(A.parameter_sentences(res, lang))
    values = {
        "days": fmt_int(rates.inactivity_days),
        "lost": fmt_int(rates.inactivity_lost),
        "labelled": fmt_int(rates.inactivity_labelled),
        "rate": fmt_pct(rates.inactivity_rate, lang=lang),
        "threshold": fmt_pct(rates.threshold, 0, lang=lang),
        "alive_lost": fmt_int(rates.alive_lost),
        "customers": fmt_int(rates.customers),
        "alive_rate": fmt_pct(rates.alive_rate, lang=lang),
        "one_time": fmt_int(rates.one_time),
        "one_time_inactive": fmt_int(rates.one_time_inactive),
        "repeat_rate": fmt_pct(rates.repeat_rate, lang=lang),
        "horizon": fmt_int(res.horizon_days),
    }
    s.paragraphs.append(text("alive.p_rates", lang, **values))
    s.paragraphs.append(text("alive.p_one_time", lang, **values))
    s.paragraphs.extend(localize(n, lang) for n in res.notes)
    s.tables["churn_rules"] = pd.DataFrame(
        {
            "rule": [
                text("alive.rule_inactivity", lang, **values),
                text("alive.rule_p_alive", lang, **values),
            ],
            "lost": [rates.inactivity_lost, rates.alive_lost],
            "customers": [rates.inactivity_labelled, rates.customers],
            "churn_rate": [rates.inactivity_rate, rates.alive_rate],
        }
    )
    prm = {k: getattr(res.params, k) for k in ("r", "alpha", "a", "b", "log_likelihood")}
    if res.spend is not None:
        prm |= {k: getattr(res.spend, k) for k in ("p", "q", "gamma")}
    s.tables["alive_parameters"] = pd.DataFrame(
        {"parameter": list(prm), "estimate": [float(v) for v in prm.values()]}
    )
    calls = A.worth_a_call(res, thr, top=inp.top_at_risk)
    key = "alive.p_call_value" if A.has_value(res) else "alive.p_call_purchases"
    s.paragraphs.append(text(key, lang, n=fmt_int(len(calls)), **values))
    s.tables["worth_a_call"] = calls
    return s


@register_section("segments")
def _segments(inp: ReportInputs) -> Section:
    from churn.segments import churn_by_segment, recognise_warning_signs, warning_signs

    t, lang = inp.table, inp.lang
    if t.frame["churned"].notna().sum() == 0:
        raise SectionSkipped(text("segments.none", lang))
    choice = segment_choice(inp)
    cols = list(choice.columns)
    if not cols:
        raise SectionSkipped(text("segments.none", lang))
    s = Section("segments", text("segments.title", lang))
    s.paragraphs.append(choice_sentence(choice, lang))
    frames = []
    for col in cols:
        seg = churn_by_segment(t, col)
        frames.append(seg.assign(column=col)[["column", *seg.columns]])
    out = pd.concat(frames, ignore_index=True)
    labelled, churned = _labelled(t)
    s.paragraphs.append(text("segments.p1", lang, rate=fmt_pct(churned / labelled, lang=lang)))
    s.tables["churn_by_segment"] = out
    # the page shows the adjusted p-value only; the Excel file keeps every column
    s.display["churn_by_segment"] = out.drop(columns=["p_value", "test"], errors="ignore")
    signs = recognise_warning_signs(t.frame.columns)
    if signs:
        # level_order only sorts the levels; the reader needs the levels themselves
        table = warning_signs(t, signs).drop(columns=["level_order"], errors="ignore")
        s.tables["warning_signs"] = table
    return s


def _need_model(inp: ReportInputs) -> Any:
    if inp.trained is None:
        raise SectionSkipped(text("model.none", inp.lang))
    return inp.trained


@register_section("model")
def _model(inp: ReportInputs) -> Section:
    from churn.model.registry import model_label

    tm, lang = _need_model(inp), inp.lang
    m = tm.metrics
    s = Section("model", text("model.title", lang))
    # PR AUC's guessing baseline is the churn rate of the customers it was measured on
    base = m.get("base_rate", tm.class_balance.get("base_rate", float("nan")))
    split = getattr(tm.split, "description", None) or str(getattr(tm.split, "kind", tm.split))
    split = localize(split, lang)
    s.paragraphs.append(
        text(
            "model.p1",
            lang,
            model=model_label(tm.name, lang, default=tm.label),
            split=split.rstrip(". "),
            auc=fmt_num(m.get("roc_auc")),
            pr=fmt_num(m.get("pr_auc")),
            base=fmt_pct(base, lang=lang),
            brier=fmt_num(m.get("brier")),
            lift=fmt_num(m.get("top_decile_lift"), 2),
        )
    )
    rows = [
        {
            "metric": k,
            "label": header(f"m.{k}", lang).removeprefix("m."),
            "value": float(v),
            "meaning": localize(metric_meaning(k) or "", lang),
        }
        for k, v in m.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    ]
    cols = ["metric", "label", "value", "meaning"]
    s.tables["model_metrics"] = pd.DataFrame(rows, columns=cols)
    s.display["model_metrics"] = s.tables["model_metrics"][["label", "value", "meaning"]]
    if inp.charts:
        from churn.charts.model import roc_chart
        from churn.model import roc_frame

        p = tm.predictions
        roc = roc_chart(roc_frame(p["churned"], p["score"]), chart_labels(lang))
        s.charts.append(roc.properties(width=CHART_WIDTH // 2, height=CHART_WIDTH // 2))
    return s


def _explain_module(lang: str) -> Any:
    try:
        from churn import explain
    except ImportError as exc:  # the module is optional while it is being written
        raise SectionSkipped(text("drivers.missing", lang)) from exc
    return explain


@register_section("drivers")
def _drivers(inp: ReportInputs) -> Section:
    tm = _need_model(inp)
    E = _explain_module(inp.lang)
    g = remember(inp.memo, "drivers", lambda: E.global_drivers(tm, inp.table))
    s = Section("drivers", text("drivers.title", inp.lang))
    s.paragraphs.append(text("drivers.p1", inp.lang, n=fmt_int(g.n_sample)))
    imp = g.importance.copy()
    for c in ("mean_abs_contribution", "mean_contribution"):
        imp[c] = imp[c] * 100  # points of risk
    s.tables["drivers"] = imp
    return s


@register_section("at_risk")
def _at_risk(inp: ReportInputs) -> Section:
    from churn.model import honest_risk

    tm = _need_model(inp)
    E = _explain_module(inp.lang)
    risk = remember(
        inp.memo, "risk", lambda: honest_risk(tm, inp.table)
    )  # out of fold for the customers it learned from
    lst = E.at_risk_list(tm, inp.table, risk, top=inp.top_at_risk, lang=inp.lang)
    s = Section("at_risk", text("at_risk.title", inp.lang))
    s.paragraphs.append(text("at_risk.p1", inp.lang, n=fmt_int(len(lst))))
    if not inp.personal:  # a handed-over report names customers by id only
        private = {"name", "email", *getattr(inp.table, "personal", ())} - {"customer_id"}
        lst = lst.drop(columns=[c for c in lst.columns if c in private])
        s.paragraphs.append(text("at_risk.no_personal", inp.lang))
    if inp.alive is not None and inp.table.shape == "events":
        from churn.alive import join_alive

        lst = join_alive(lst, inp.alive, after="value_at_risk")
    s.tables["at_risk"] = lst
    keep = ["risk_rank", "customer_id", "name", "risk", "value_at_risk", "p_alive"]
    keep += ["reason_1", "reason_2", "reason_3", "action"]
    s.display["at_risk"] = lst[[c for c in keep if c in lst.columns]]
    return s


@register_section("scenarios")
def _scenarios(inp: ReportInputs) -> Section:
    if not inp.scenarios:
        raise SectionSkipped(text("scenarios.none", inp.lang))
    try:  # scenarios saved by the What-if page: churn.whatif lays them side by side
        from churn.whatif import compare_scenarios

        frame = compare_scenarios(list(inp.scenarios))
    except Exception:  # any other list of dicts: one row each, nested values as text
        frame = pd.DataFrame([{k: _flat(v) for k, v in sc.items()} for sc in inp.scenarios])
    s = Section("scenarios", text("scenarios.title", inp.lang))
    s.paragraphs.append(text("scenarios.p1", inp.lang, n=fmt_int(len(frame))))
    s.tables["scenarios"] = frame
    return s


def _flat(v: Any) -> Any:
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


@register_section("glossary")
def _glossary(inp: ReportInputs) -> Section:
    lang = inp.lang
    s = Section("glossary", text("glossary.title", lang))
    s.tables["glossary"] = pd.DataFrame(
        {
            text("col.term", lang): [text(f"g.{k}", lang) for k in GLOSSARY_TERMS],
            text("col.definition", lang): [text(f"g.{k}_d", lang) for k in GLOSSARY_TERMS],
        }
    )
    return s
