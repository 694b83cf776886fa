"""A report of the analysis to hand over: sections in a registry, HTML and XLSX output.

A :class:`Report` is built by :func:`build_report` from what the analysis already has (the
confirmed table, a trained model or None, validation issues, saved scenarios). Each section
is made by a builder in :data:`SECTIONS`; a builder whose inputs are missing raises
:class:`SectionSkipped` and the report keeps a one-line note instead of the section.

The HTML is one self-contained file: inline CSS, charts as SVG images inside ``data:`` URIs
(rendered offline by vl-convert), every data-derived text escaped.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from churn.table import CustomerTable
from churn.text import localize

LANGS = ("en", "ko")
CHART_WIDTH = 640
#: columns shown as percentages in the HTML
PCT_COLUMNS = {"churn_rate", "ci_low", "ci_high", "retention", "risk", "base_rate"}
PCT_COLUMNS |= {"before", "after", "delta"}
#: columns in percentage points of risk, shown with one decimal
POINT_COLUMNS = {"mean_abs_contribution", "mean_contribution"}
PCT_COLUMNS |= {f"retention_{m}" for m in (0, 1, 3, 6, 12, 24)}

#: table and column headers, English and Korean (others are shown as they are)
HEADERS: dict[str, dict[str, str]] = {
    "en": {},
    "ko": {
        "issues": "검증 문제",
        "severity": "심각도",
        "code": "코드",
        "column": "열",
        "message": "내용",
        "fix": "해결 방법",
        "count": "건수",
        "churn_by_month": "월별 이탈",
        "period": "기간",
        "active_start": "기초 활성",
        "new": "신규",
        "churned": "이탈",
        "numerator": "분자",
        "denominator": "분모",
        "churn_rate": "이탈률",
        "ci_low": "구간 하한",
        "ci_high": "구간 상한",
        "partial": "미완결",
        "survival_groups": "그룹별 생존",
        "group": "그룹",
        "customers": "고객 수",
        "median_lifetime_days": "중앙 수명(일)",
        "median_reached": "중앙값 도달",
        "cohorts": "코호트",
        "cohort": "코호트",
        "retention_0": "유지율 0개월",
        "retention_1": "유지율 1개월",
        "retention_3": "유지율 3개월",
        "retention_6": "유지율 6개월",
        "retention_12": "유지율 12개월",
        "retention_24": "유지율 24개월",
        "churn_by_segment": "세그먼트별 이탈",
        "segment": "세그먼트",
        "lift": "리프트",
        "small": "소규모",
        "p_value": "p값",
        "p_adjusted": "보정 p값",
        "significant": "유의함",
        "warning_signs": "경고 신호",
        "model_metrics": "모델 지표",
        "metric": "지표",
        "value": "값",
        "drivers": "요인",
        "feature": "속성",
        "rank": "순위",
        "mean_abs_contribution": "평균 절대 기여도(%p)",
        "mean_contribution": "평균 기여도(%p)",
        "at_risk": "위험 고객",
        "risk_rank": "위험 순위",
        "customer_id": "고객 ID",
        "name": "이름",
        "risk": "위험도",
        "value_at_risk": "위험 매출",
        "reason_1": "이유 1",
        "reason_2": "이유 2",
        "reason_3": "이유 3",
        "action": "권장 조치",
        "scenarios": "시나리오",
        "scenario": "시나리오",
        "customer": "고객",
        "before": "변경 전 위험도",
        "after": "변경 후 위험도",
        "delta": "변화",
        "n_changes": "변경 수",
        "glossary": "용어",
        "m.n": "평가 고객 수",
        "m.roc_auc": "ROC AUC",
        "m.pr_auc": "PR AUC",
        "label": "설명",
        "m.n_churned": "평가 중 이탈 고객",
        "m.base_rate": "기준 이탈률",
        "m.brier_baseline": "브라이어 기준선",
        "m.log_loss": "로그 손실",
        "m.log_loss_baseline": "로그 손실 기준선",
        "m.top_decile_lift": "상위 10% 리프트",
        "m.threshold": "임계값",
        "m.tp": "맞게 찾은 이탈(TP)",
        "m.fp": "잘못 표시(FP)",
        "m.tn": "맞게 제외(TN)",
        "m.fn": "놓친 이탈(FN)",
        "m.precision": "정밀도",
        "m.recall": "재현율",
        "m.brier": "브라이어 점수",
        "m.roc_auc_std": "ROC AUC 표준편차",
        "sign": "신호",
        "level": "수준",
        "spread": "이탈률 차이(최고-최저)",
        "chi2": "카이제곱",
        "test": "검정",
    },
}
HEADERS["en"] = {k: k.removeprefix("m.").replace("_", " ") for k in HEADERS["ko"]}
HEADERS["en"].update(
    {
        "ci_low": "interval low",
        "ci_high": "interval high",
        "median_lifetime_days": "median lifetime (days)",
        "mean_abs_contribution": "mean |contribution| (points)",
        "mean_contribution": "mean contribution (points)",
        "churn_by_month": "churn by month",
        "retention_0": "retention month 0",
        "retention_1": "retention month 1",
        "retention_3": "retention month 3",
        "retention_6": "retention month 6",
        "retention_12": "retention month 12",
        "retention_24": "retention month 24",
        "p_value": "p-value",
        "p_adjusted": "adjusted p",
        "customer_id": "customer ID",
        "before": "risk before",
        "after": "risk after",
        "delta": "change",
        "n_changes": "changes",
        "m.n": "customers evaluated",
        "m.roc_auc": "ROC AUC",
        "m.pr_auc": "PR AUC",
        "m.n_churned": "churned among them",
        "m.base_rate": "base rate (guessing)",
        "m.top_decile_lift": "lift in the top 10 %",
        "m.tp": "churners caught (TP)",
        "m.fp": "flagged wrongly (FP)",
        "m.tn": "left alone rightly (TN)",
        "m.fn": "churners missed (FN)",
        "m.brier": "Brier score",
        "m.roc_auc_std": "ROC AUC std across folds",
    }
)


#: Korean titles for the chart builders' ``labels`` (English uses their defaults)
CHART_LABELS_KO: dict[str, str] = {
    "period": "기간",
    "churn_rate": "이탈률",
    "numerator": "이탈(분자)",
    "denominator": "위험 고객(분모)",
    "active_start": "기초 활성",
    "active_end": "기말 활성",
    "new": "신규",
    "churned": "이탈",
    "status": "상태",
    "partial": "진행 중인 기간",
    "not_final": "아직 확정되지 않음",
    "complete": "완결된 기간",
    "ci_low": "95% 구간 하한",
    "ci_high": "95% 구간 상한",
    "customers": "고객 수",
    "series": "계열",
    "group": "그룹",
    "time_days": "가입 후 일수",
    "survival": "잔존 고객 비율",
    "at_risk": "관측 중인 고객",
    "false_positive_rate": "잘못 표시된 유지 고객(위양성률)",
    "true_positive_rate": "찾아낸 이탈 고객(재현율)",
    "guessing": "무작위 추측",
    "model": "모델",
}


#: Severity of a validation issue, as the Korean report names it.
SEVERITY = {"ko": {"error": "오류", "warning": "경고", "info": "참고"}}


def chart_labels(lang: str) -> dict[str, str] | None:
    """Labels for the chart builders in ``lang`` (None = their English defaults)."""
    return dict(CHART_LABELS_KO) if lang == "ko" else None


def header(name: str, lang: str = "en") -> str:
    """A table or column header in ``lang`` (the raw name when it has no translation)."""
    return HEADERS["ko" if lang == "ko" else "en"].get(str(name), str(name))


#: Report texts, English and Korean, with identical keys and placeholders.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "report_title": "Customer churn report",
        "generated": "Snapshot date: {snapshot}. Sections: {n}.",
        "generated_nodate": "Sections: {n}.",
        "skipped": "Left out: {title}: {reason}",
        "contents": "Contents",
        "data.title": "The data and its caveats",
        "shape.customers": "customer",
        "shape.subscriptions": "subscription",
        "shape.events": "event log",
        "data.p1": (
            "The file has {rows} rows, read as {shape} data, giving {customers} customers. "
            "{churned} of {labelled} labelled customers churned ({rate})."
        ),
        "data.p2": "{issues} validation issues were found; they are listed below.",
        "data.none": "No validation issues were found.",
        "over_time.title": "Churn over time",
        "over_time.p1": (
            "Churn rate per month: customers lost in the month divided by the customers "
            "active at its start. The last full month: {lost} lost of {at_risk} ({rate})."
        ),
        "over_time.no_dates": "the data has no start dates",
        "cohorts.title": "Cohorts and survival",
        "cohorts.p1": (
            "Kaplan-Meier survival of {used} customers; the median lifetime is {median}."
        ),
        "cohorts.p2": "Log-rank test across groups of {by}: p {p}.",
        "cohorts.not_reached": "not reached (more than half are still active)",
        "cohorts.days": "{n} days",
        "segments.title": "Segments",
        "segments.p1": (
            "Churn rate by segment, with a Wilson 95 % interval and the lift over the "
            "overall rate ({rate}). Small groups are flagged, not hidden."
        ),
        "segments.none": "there is no categorical attribute with labelled customers",
        "model.title": "Model quality",
        "model.p1": (
            "Model: {model}. Measured on {split}. ROC AUC {auc} (a random guess gives "
            "0.5), PR AUC {pr} (a random guess gives the churn rate, {base}), Brier score "
            "{brier}, lift in the top 10 % {lift}."
        ),
        "model.none": "no model was trained",
        "drivers.title": "What drives churn",
        "drivers.p1": (
            "Mean absolute contribution of each attribute to the churn risk, in "
            "percentage points, on {n} customers."
        ),
        "drivers.missing": "the explanation module is not available",
        "at_risk.title": "Customers most at risk",
        "at_risk.p1": "The {n} customers with the highest risk, with reasons and an action.",
        "at_risk.no_personal": (
            "Names and contact details are left out of this report; customers are listed by "
            "id. Include them only when the report stays with the people allowed to see them."
        ),
        "scenarios.title": "Saved what-if scenarios",
        "scenarios.p1": "{n} scenarios were saved.",
        "scenarios.none": "no scenario was saved",
        "glossary.title": "Glossary",
        "col.term": "term",
        "col.definition": "definition",
        "col.sheet": "sheet",
        "col.contents": "contents",
        "col.metric": "metric",
        "col.value": "value",
        "cover": "Cover",
        "g.churn_start": "Churn rate (start of period)",
        "g.churn_start_d": (
            "Customers lost in a period divided by the customers active at its start; "
            "customers who join and leave inside the period are left out."
        ),
        "g.churn_label": "Churn rate (labelled)",
        "g.churn_label_d": "Churned customers divided by all customers with a churn label.",
        "g.wilson": "Wilson interval",
        "g.wilson_d": (
            "A 95 % range for a rate that stays sensible for small groups and rates "
            "near 0 or 100 %."
        ),
        "g.km": "Kaplan-Meier survival",
        "g.km_d": (
            "The share of customers not yet churned after a given tenure; customers still "
            "active count until the snapshot date (censored)."
        ),
        "g.median": "Median lifetime",
        "g.median_d": "The tenure at which half the customers have churned.",
        "g.logrank": "Log-rank test",
        "g.logrank_d": "Tests whether survival curves of groups differ; small p = differ.",
        "g.lift": "Lift",
        "g.lift_d": "A group's churn rate divided by the overall churn rate.",
        "g.roc": "ROC AUC",
        "g.roc_d": (
            "The chance that a random churner gets a higher risk than a random stayer "
            "(0.5 = guessing, 1 = perfect)."
        ),
        "g.pr": "PR AUC",
        "g.pr_d": "Average precision over all contact list sizes; guessing gives the churn rate.",
        "g.brier": "Brier score",
        "g.brier_d": "Mean squared gap between the predicted risk and the outcome (lower is "
        "better).",
        "g.shap": "Contribution in points",
        "g.shap_d": (
            "How many percentage points of risk one attribute adds to or removes from a "
            "customer's risk compared with the average customer (SHAP)."
        ),
    },
    "ko": {
        "report_title": "고객 이탈 분석 보고서",
        "generated": "기준일: {snapshot}. 섹션 {n}개.",
        "generated_nodate": "섹션 {n}개.",
        "skipped": "제외됨: {title}: {reason}",
        "contents": "목차",
        "data.title": "데이터와 유의 사항",
        "shape.customers": "고객별",
        "shape.subscriptions": "구독",
        "shape.events": "이벤트 로그",
        "data.p1": (
            "파일의 {rows}개 행을 {shape} 형태로 읽어 고객 {customers}명을 얻었습니다. "
            "이탈 여부가 있는 고객 {labelled}명 중 {churned}명이 이탈했습니다({rate})."
        ),
        "data.p2": "검증에서 문제 {issues}건이 발견되었으며 아래 표에 정리했습니다.",
        "data.none": "검증에서 발견된 문제가 없습니다.",
        "over_time.title": "기간별 이탈",
        "over_time.p1": (
            "월별 이탈률: 그 달에 이탈한 고객 수를 월초 활성 고객 수로 나눈 값입니다. "
            "마지막 완결 월: {at_risk}명 중 {lost}명 이탈({rate})."
        ),
        "over_time.no_dates": "데이터에 시작일이 없습니다",
        "cohorts.title": "코호트와 생존 분석",
        "cohorts.p1": "고객 {used}명의 카플란-마이어 생존 곡선입니다. 중앙 수명은 {median}입니다.",
        "cohorts.p2": "{by} 그룹 간 로그순위 검정: p {p}.",
        "cohorts.not_reached": "도달하지 않음(절반 이상이 아직 활성 상태)",
        "cohorts.days": "{n}일",
        "segments.title": "세그먼트",
        "segments.p1": (
            "세그먼트별 이탈률과 윌슨 95% 구간, 전체 이탈률({rate}) 대비 리프트입니다. "
            "규모가 작은 그룹은 숨기지 않고 표시합니다."
        ),
        "segments.none": "이탈 여부가 있는 범주형 속성이 없습니다",
        "model.title": "모델 품질",
        "model.p1": (
            "모델: {model}. 측정 방법: {split}. ROC AUC {auc}(무작위 추측은 0.5), "
            "PR AUC {pr}(무작위 추측은 이탈률 {base}), 브라이어 점수 {brier}, "
            "상위 10% 리프트 {lift}."
        ),
        "model.none": "학습된 모델이 없습니다",
        "drivers.title": "이탈을 이끄는 요인",
        "drivers.p1": "고객 {n}명을 대상으로 각 속성이 이탈 위험에 미치는 평균 절대 기여도(%p)입니다.",
        "drivers.missing": "설명 모듈을 사용할 수 없습니다",
        "at_risk.title": "이탈 위험이 가장 높은 고객",
        "at_risk.p1": "위험도가 가장 높은 고객 {n}명과 그 이유, 권장 조치입니다.",
        "at_risk.no_personal": (
            "이 보고서에는 이름과 연락처를 넣지 않았고 고객은 ID로만 표시합니다. 열람이 허용된 "
            "사람에게만 전달하는 보고서일 때만 포함하세요."
        ),
        "scenarios.title": "저장된 가정 시나리오",
        "scenarios.p1": "저장된 시나리오 {n}개입니다.",
        "scenarios.none": "저장된 시나리오가 없습니다",
        "glossary.title": "용어 설명",
        "col.term": "용어",
        "col.definition": "정의",
        "col.sheet": "시트",
        "col.contents": "내용",
        "col.metric": "지표",
        "col.value": "값",
        "cover": "표지",
        "g.churn_start": "이탈률(기초 기준)",
        "g.churn_start_d": (
            "기간 중 이탈한 고객 수를 기간 초 활성 고객 수로 나눈 값입니다. 기간 안에 "
            "가입했다가 떠난 고객은 제외합니다."
        ),
        "g.churn_label": "이탈률(라벨 기준)",
        "g.churn_label_d": "이탈 고객 수를 이탈 여부가 표시된 전체 고객 수로 나눈 값입니다.",
        "g.wilson": "윌슨 구간",
        "g.wilson_d": "작은 그룹이나 0%·100%에 가까운 비율에서도 안정적인 95% 신뢰 구간입니다.",
        "g.km": "카플란-마이어 생존 곡선",
        "g.km_d": (
            "일정 기간이 지난 뒤에도 이탈하지 않은 고객의 비율입니다. 아직 활성인 고객은 "
            "기준일까지만 반영합니다(중도 절단)."
        ),
        "g.median": "중앙 수명",
        "g.median_d": "고객의 절반이 이탈하는 시점까지의 가입 기간입니다.",
        "g.logrank": "로그순위 검정",
        "g.logrank_d": "그룹별 생존 곡선이 다른지 검정합니다. p가 작을수록 차이가 뚜렷합니다.",
        "g.lift": "리프트",
        "g.lift_d": "그룹의 이탈률을 전체 이탈률로 나눈 값입니다.",
        "g.roc": "ROC AUC",
        "g.roc_d": (
            "무작위로 고른 이탈 고객이 유지 고객보다 높은 위험도를 받을 확률입니다"
            "(0.5는 추측 수준, 1은 완벽)."
        ),
        "g.pr": "PR AUC",
        "g.pr_d": "모든 연락 대상 규모에 걸친 평균 정밀도입니다. 무작위 추측은 이탈률과 같습니다.",
        "g.brier": "브라이어 점수",
        "g.brier_d": "예측 위험도와 실제 결과 차이의 제곱 평균입니다(낮을수록 좋음).",
        "g.shap": "기여도(%p)",
        "g.shap_d": (
            "평균 고객과 비교해 한 속성이 그 고객의 위험도를 몇 %p 높이거나 낮추는지 "
            "나타냅니다(SHAP)."
        ),
    },
}

GLOSSARY_TERMS = ("churn_start", "churn_label", "wilson", "km", "median", "logrank", "lift")
GLOSSARY_TERMS += ("roc", "pr", "brier", "shap")


def text(key: str, lang: str = "en", **values: Any) -> str:
    """The report text ``key`` in ``lang`` (``"en"`` or ``"ko"``), filled with ``values``."""
    cat = TEXT["ko" if lang == "ko" else "en"]
    return cat[key].format(**values) if values else cat[key]


def fmt_int(n: Any, lang: str = "en") -> str:
    """A count with thousands separators; "–" when missing."""
    if n is None or not math.isfinite(float(n)):
        return "–" if n is None or math.isnan(float(n)) else ("∞" if float(n) > 0 else "-∞")
    return f"{int(round(float(n))):,}"


def fmt_pct(x: Any, digits: int = 1, lang: str = "en") -> str:
    """A share 0..1 as "26.5 %" (English) or "26.5%" (Korean); "–" when missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{float(x) * 100:.{digits}f}{'' if lang == 'ko' else ' '}%"


def fmt_num(x: Any, digits: int = 3) -> str:
    """A plain number with ``digits`` decimals; "–" when missing."""
    if x is None or not math.isfinite(float(x)):
        return fmt_int(x)
    out = f"{float(x):,.{digits}f}"
    return out[1:] if out.startswith("-") and not out.strip("-0.,") else out  # no "-0.0"


def fmt_p(p: Any) -> str:
    """A p-value: "< 0.0001" when tiny, else four decimals."""
    if p is None or not math.isfinite(float(p)):
        return "–"
    return "< 0.0001" if float(p) < 1e-4 else f"= {float(p):.4f}"


def fmt_date(d: Any, lang: str = "en") -> str:
    """A date as 2024-03-01 (English) or 2024년 3월 1일 (Korean)."""
    if d is None or (not isinstance(d, str) and pd.isna(d)):
        return "–"
    ts = pd.Timestamp(d)
    return f"{ts.year}년 {ts.month}월 {ts.day}일" if lang == "ko" else ts.strftime("%Y-%m-%d")


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


Builder = Callable[[ReportInputs], Section]
#: name -> builder, in report order.
SECTIONS: dict[str, Builder] = {}


def register_section(name: str) -> Callable[[Builder], Builder]:
    """Decorator adding a section builder to :data:`SECTIONS` under ``name``."""

    def deco(fn: Builder) -> Builder:
        SECTIONS[name] = fn
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
    s.paragraphs.extend(localize(n, lang) for n in t.notes)
    if inp.issues:
        s.paragraphs.append(text("data.p2", lang, issues=fmt_int(len(inp.issues))))
        s.tables["issues"] = pd.DataFrame(
            [
                {
                    "severity": SEVERITY.get(lang, {}).get(i.severity, i.severity),
                    "code": i.code,
                    "column": i.column,
                    "message": localize(i.message, lang),
                    "fix": localize(i.fix, lang),
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
    by = next(iter(t.categorical), None)
    res = survival_curves(t, by=by) if by else overall
    if by and res.logrank_p is not None:
        s.paragraphs.append(text("cohorts.p2", lang, by=by, p=fmt_p(res.logrank_p)))
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


@register_section("segments")
def _segments(inp: ReportInputs) -> Section:
    from churn.segments import churn_by_segment, recognise_warning_signs, warning_signs

    t, lang = inp.table, inp.lang
    cols = list(inp.segment_columns or t.categorical[:3])
    if not cols or t.frame["churned"].notna().sum() == 0:
        raise SectionSkipped(text("segments.none", lang))
    s = Section("segments", text("segments.title", lang))
    frames = []
    for col in cols:
        seg = churn_by_segment(t, col)
        frames.append(seg.assign(column=col)[["column", *seg.columns]])
    out = pd.concat(frames, ignore_index=True)
    labelled, churned = _labelled(t)
    s.paragraphs.append(text("segments.p1", lang, rate=fmt_pct(churned / labelled, lang=lang)))
    s.tables["churn_by_segment"] = out
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
            model=tm.label,
            split=split.rstrip(". "),
            auc=fmt_num(m.get("roc_auc")),
            pr=fmt_num(m.get("pr_auc")),
            base=fmt_pct(base, lang=lang),
            brier=fmt_num(m.get("brier")),
            lift=fmt_num(m.get("top_decile_lift"), 2),
        )
    )
    rows = [
        {"metric": k, "label": header(f"m.{k}", lang).removeprefix("m."), "value": float(v)}
        for k, v in m.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    ]
    s.tables["model_metrics"] = pd.DataFrame(rows, columns=["metric", "label", "value"])
    s.display["model_metrics"] = s.tables["model_metrics"][["label", "value"]]
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
    g = E.global_drivers(tm, inp.table)
    s = Section("drivers", text("drivers.title", inp.lang))
    s.paragraphs.append(text("drivers.p1", inp.lang, n=fmt_int(g.n_sample)))
    imp = g.importance.copy()
    for c in ("mean_abs_contribution", "mean_contribution"):
        imp[c] = imp[c] * 100  # points of risk
    s.tables["drivers"] = imp
    return s


@register_section("at_risk")
def _at_risk(inp: ReportInputs) -> Section:
    from churn.model import score

    tm = _need_model(inp)
    E = _explain_module(inp.lang)
    risk = score(tm, inp.table)
    lst = E.at_risk_list(tm, inp.table, risk, top=inp.top_at_risk, lang=inp.lang)
    s = Section("at_risk", text("at_risk.title", inp.lang))
    s.paragraphs.append(text("at_risk.p1", inp.lang, n=fmt_int(len(lst))))
    if not inp.personal:  # a handed-over report names customers by id only
        private = {"name", "email", *getattr(inp.table, "personal", ())} - {"customer_id"}
        lst = lst.drop(columns=[c for c in lst.columns if c in private])
        s.paragraphs.append(text("at_risk.no_personal", inp.lang))
    s.tables["at_risk"] = lst
    keep = ["risk_rank", "customer_id", "name", "risk", "value_at_risk"]
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


@dataclass
class Report:
    """A built report: the sections kept, the notes of those left out, the language."""

    sections: list[Section]
    skipped: list[tuple[str, str]]
    lang: str
    snapshot: Any = None

    @property
    def names(self) -> list[str]:
        """Names of the sections kept, in order."""
        return [s.name for s in self.sections]

    def notes(self) -> list[str]:
        """One line per section left out, in the report's language."""
        return [
            text("skipped", self.lang, title=section_title(n, self.lang), reason=r)
            for n, r in self.skipped
        ]

    def to_html(self) -> str:
        """One self-contained, print-friendly HTML page (no external resources)."""
        return _html(self)

    def to_xlsx(self) -> bytes:
        """An XLSX workbook: a cover sheet, then one sheet per table (written safely)."""
        from churn.export import sheet_name, to_xlsx_bytes

        sheets: dict[str, pd.DataFrame] = {}
        cover = []
        taken: set[str] = {text("cover", self.lang)}
        for s in self.sections:
            for name, frame in s.tables.items():
                title = sheet_name(name, taken)
                taken.add(title)
                sheets[title] = _plain(frame)
                cover.append({"sheet": title, "contents": f"{s.title}: {name}"})
        cov = pd.DataFrame(cover, columns=["sheet", "contents"]).rename(
            columns={
                "sheet": text("col.sheet", self.lang),
                "contents": text("col.contents", self.lang),
            }
        )
        return to_xlsx_bytes(sheets, cover=cov)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns a spreadsheet can hold: text for intervals, periods and other objects."""
    out = frame.reset_index(drop=True).copy()
    out.columns = [str(c) for c in out.columns]
    for c in out.columns:
        s = out[c]
        if not (
            pd.api.types.is_numeric_dtype(s)
            or pd.api.types.is_datetime64_any_dtype(s)
            or pd.api.types.is_bool_dtype(s)
        ):
            out[c] = s.map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return out


def build_report(
    table: CustomerTable,
    trained: Any = None,
    *,
    sections: Iterable[str] | None = None,
    lang: str = "en",
    issues: Sequence[Any] = (),
    scenarios: Sequence[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]] = (),
    segment_columns: Sequence[str] | None = None,
    top_at_risk: int = 20,
    charts: bool = True,
    personal: bool = False,
) -> Report:
    """Build the chosen sections of the report.

    Parameters
    ----------
    table : the confirmed customer table.
    trained : a :class:`churn.model.TrainedModel`, or None (model sections are left out).
    sections : names from :data:`SECTIONS` (default all), kept in registry order.
    lang : ``"en"`` or ``"ko"``.
    issues : :class:`churn.errors.ValidationIssue` list for the data section.
    scenarios : saved what-if scenarios, a list of dicts or a mapping name -> dict.
    segment_columns : columns for the segments section (default: first three categorical).
    top_at_risk : customers in the at-risk list.
    charts : draw charts (False for XLSX-only output, which needs none).
    personal : keep customers' names and contact details (the table's personal columns)
        in the at-risk list; by default the list names customers by id only.

    Returns
    -------
    Report
    """
    from churn.errors import ChurnDataError
    from churn.text import msg

    lang = lang if lang in LANGS else "en"
    wanted = list(SECTIONS) if sections is None else list(sections)
    unknown = [n for n in wanted if n not in SECTIONS]
    if unknown:
        raise ChurnDataError(
            msg("unknown report section(s): {sections}", sections=", ".join(unknown)),
            fix=msg("choose from {sections}", sections=", ".join(SECTIONS)),
        )
    if isinstance(scenarios, Mapping):
        scenarios = [{"name": k, **dict(v)} for k, v in scenarios.items()]
    inp = ReportInputs(
        table=table,
        trained=trained,
        issues=tuple(issues),
        scenarios=tuple(scenarios),
        lang=lang,
        segment_columns=segment_columns,
        top_at_risk=top_at_risk,
        charts=charts,
        personal=personal,
    )
    kept, skipped = [], []
    for name in SECTIONS:
        if name not in wanted:
            continue
        try:
            kept.append(SECTIONS[name](inp))
        except SectionSkipped as why:
            skipped.append((name, str(why)))
    return Report(kept, skipped, lang, getattr(table, "snapshot", None))


# ---------------------------------------------------------------------------- HTML
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans KR","Malgun Gothic",sans-serif;
max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2933;line-height:1.5}
h1{font-size:1.7rem;border-bottom:3px solid #3b6ea5;padding-bottom:.3rem}
h2{font-size:1.3rem;margin-top:2.2rem;color:#24476b;border-bottom:1px solid #ccd}
h3{font-size:1rem;color:#555}
table{border-collapse:collapse;font-size:.82rem;margin:.6rem 0 1rem;width:auto}
th,td{border:1px solid #d5d9e0;padding:.2rem .45rem;text-align:left;vertical-align:top;
word-break:keep-all}
th{background:#eef2f7}
td:first-child{white-space:nowrap}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.note{color:#7a5b00;background:#fff7e0;padding:.3rem .6rem;border-left:3px solid #e0b000}
.muted{color:#667}
.wrap{overflow-x:auto}
img.chart{max-width:100%;height:auto;display:block;margin:.5rem 0}
@media print{body{margin:0;max-width:none}h2{page-break-before:auto}
section{page-break-inside:avoid}}
"""

MAX_HTML_ROWS = 60


def _cell(v: Any, column: str, lang: str) -> tuple[str, bool]:
    """Display text of one value, and whether it is a number (right-aligned)."""
    import numpy as np

    if isinstance(v, (bool, np.bool_)):
        return ("예" if v else "아니요") if lang == "ko" else ("yes" if v else "no"), False
    if isinstance(v, (int, np.integer)):
        return fmt_int(v), True
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isnan(v):
            return "–", False
        if column in PCT_COLUMNS:
            return fmt_pct(v, lang=lang), True
        if column.startswith("p_"):
            return fmt_p(v).removeprefix("= "), True
        if column in POINT_COLUMNS:
            return fmt_num(v, 1), True
        if not math.isfinite(v) or abs(v) >= 100 or (v == round(v) and abs(v) >= 1):
            return fmt_int(v), True
        return fmt_num(v, 3 if abs(v) < 10 else 1), True
    if isinstance(v, (pd.Timestamp,)):
        return fmt_date(v, lang), False
    if v is None or v is pd.NaT or v is pd.NA:
        return "–", False
    return str(v), False


def _table_html(frame: pd.DataFrame, lang: str) -> str:
    head = "".join(f"<th>{html.escape(header(c, lang))}</th>" for c in frame.columns)
    rows = []
    names = [str(c) for c in frame.columns]
    for rec in frame.head(MAX_HTML_ROWS).itertuples(index=False):
        cells = []
        for col, v in zip(names, rec, strict=True):
            txt, num = _cell(v, col, lang)
            cls = ' class="n"' if num else ""
            cells.append(f"<td{cls}>{html.escape(txt)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if len(frame) > MAX_HTML_ROWS:
        more = f'<p class="muted">… {fmt_int(len(frame) - MAX_HTML_ROWS)} +</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def chart_svg(chart: Any) -> str:
    """An Altair chart rendered offline to SVG text (vl-convert; no network)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_json())


def _chart_html(chart: Any) -> str:
    try:
        svg = chart_svg(chart)
    except Exception:  # a chart that cannot render must not lose the report
        return ""
    b64 = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="chart" alt="" src="data:image/svg+xml;base64,{b64}">'


def _generated(rep: Report) -> str:
    n = len(rep.sections)
    if rep.snapshot is None or pd.isna(rep.snapshot):
        return text("generated_nodate", rep.lang, n=n)
    return text("generated", rep.lang, snapshot=fmt_date(rep.snapshot, rep.lang), n=n)


def _html(rep: Report) -> str:
    lang = rep.lang
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(text('report_title', lang))}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{esc(text('report_title', lang))}</h1>",
        '<p class="muted">' + esc(_generated(rep)) + "</p>",
    ]
    parts.append(f"<nav><h3>{esc(text('contents', lang))}</h3><ol>")
    parts += [f'<li><a href="#{s.name}">{esc(s.title)}</a></li>' for s in rep.sections]
    parts.append("</ol></nav>")
    parts += [f'<p class="note">{esc(n)}</p>' for n in rep.notes()]
    for s in rep.sections:
        parts.append(f'<section id="{esc(s.name)}"><h2>{esc(s.title)}</h2>')
        parts += [f"<p>{esc(p)}</p>" for p in s.paragraphs]
        parts += [_chart_html(c) for c in s.charts]
        for name, frame in s.tables.items():
            view = s.display.get(name, frame)
            parts.append(f"<h3>{esc(header(name, lang))}</h3>")
            parts.append(f'<div class="wrap">{_table_html(view, lang)}</div>')
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
