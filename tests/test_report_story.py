"""The report tells the data's story (issue 19): the executive summary, segments chosen by
evidence, one number format per kind and language, Korean sheet names, and the PDF.

Every rendered report here is scanned by :func:`broken_numbers` and :func:`raw_names`:
numbers without thousands separators, decimals beyond a kind's fixed number, the other
language's percent style, "∞", and snake_case names left in what a reader sees.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import numpy as np
import openpyxl
import pandas as pd
import pytest

from churn import formatting as F
from churn import report as R
from churn.errors import ValidationIssue
from churn.report.formatting import issue_code, text_n
from churn.roles import ColumnRoles
from churn.shapes import build_customer_table


# ----------------------------------------------------------------------------- scanners
class _Text(HTMLParser):
    """The text a reader sees (no CSS, no attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible(page: str) -> list[str]:
    p = _Text()
    p.feed(page)
    return p.parts


def broken_numbers(parts: list[str], lang: str) -> list[str]:
    """Numbers that break the rules, with their text."""
    bad = []
    for s in parts:
        # 4+ digits in a row without separators (not part of an id, a date or "2024년")
        bad += [f"no separator: {s}" for _ in re.finditer(r"(?<![\w\-.,])\d{4,}(?![\w\-년])", s)]
        # more decimals than any kind has (p-values have 4, always below 1)
        bad += [f"decimals: {s}" for _ in re.finditer(r"\b([1-9]\d*\.\d{4,}|\d\.\d{5,})", s)]
        if lang == "en" and re.search(r"\d%(?!p)", s):
            bad.append(f"percent style: {s}")
        if lang == "ko" and re.search(r"\d %", s):
            bad.append(f"percent style: {s}")
        if "∞" in s:
            bad.append(f"infinity: {s}")
    return bad


def raw_names(parts: list[str], allowed: tuple[str, ...] = ()) -> list[str]:
    """snake_case names left in the text (code names, table keys); ``allowed`` are the
    data's own column names, which the report quotes as they are."""
    out = []
    for s in parts:
        for name in allowed:
            s = s.replace(name, "")
        if re.search(r"\b[a-z]+_[a-z0-9_]+\b", s):
            out.append(s)
    return out


def assert_clean(page: str, lang: str, allowed: tuple[str, ...] = ()) -> list[str]:
    parts = visible(page)
    assert broken_numbers(parts, lang) == []
    assert raw_names(parts, allowed) == []
    assert not any(p.startswith(("Sections:", "섹션")) for p in parts)
    return parts


def test_the_scanners_catch_the_slips_of_the_issue():
    slips = ["Value at risk 7151.751", "86.7016", "(26.5%)", "median lifetime (days) ∞"]
    assert len(broken_numbers(slips, "en")) == 4
    assert broken_numbers(["(26.5 %)"], "ko") and not broken_numbers(["(26.5%)"], "ko")
    fine = ["7,151.75", "p < 0.0001", "0.4684", "7590-VHVEG", "2024-03-01", "2024년 3월 1일"]
    assert broken_numbers(fine, "en") == []
    assert (
        raw_names(["code: missing_values", "survival_groups"])
        == raw_names(["code: missing_values", "survival_groups"])
        and len(raw_names(["code: missing_values", "survival groups"])) == 1
    )


# ----------------------------------------------------------------------------- formatting
def test_one_formatting_layer_per_kind_and_language():
    assert F.fmt_points(11.04, "en", signed=True) == "+11.0 points"
    assert F.fmt_points(11.04, "ko") == "11.0%p"
    assert F.fmt_points(-0.04, "en", signed=True) == "0.0 points"  # no "+0.0", no "-0.0"
    assert F.fmt_days(float("inf"), "en") == "not reached"
    assert F.fmt_days(float("inf"), "ko") == "도달하지 않음"
    assert F.fmt_days(1065.0, "en") == "1,065"
    assert F.restyle_percent("(26.5%) and 3 % and +4.0%p", "en") == "(26.5 %) and 3 % and +4.0%p"
    assert F.restyle_percent("(26.5 %)", "ko") == "(26.5%)"
    assert text_n("data.p2", 1, "en", issues="1") == (
        "1 validation issue was found; it is listed below."
    )
    assert text_n("data.p2", 2, "en", issues="2").startswith("2 validation issues were")
    assert issue_code("missing_values", "en") == "missing values"
    assert issue_code("missing_values", "ko") == "결측값"


# ----------------------------------------------------------------------------- tiny frame
def tiny_table():
    """Eight subscriptions (as in test_report): plan A 2 of 3 churned, plan B 1 of 5."""
    f = pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(1, 9)],
            "start": ["2024-01-05"] * 4 + ["2024-01-10"] * 4,
            "end": ["2024-02-10", "2024-03-15", None, "2024-02-20", None, None, None, None],
            "plan": ["A", "A", "A", "B", "B", "B", "B", "B"],
        }
    )
    roles = ColumnRoles(id="id", start="start", end="end", features=("plan",),
                        categorical=("plan",))  # fmt: skip
    return build_customer_table(f, roles, snapshot="2024-03-31")


def test_summary_first_without_a_model_in_both_languages():
    t = tiny_table()
    issue = ValidationIssue(
        "info", "missing_values", "plan", "'plan' is empty in 1 of 8 rows (12.5%)."
    )
    en = R.build_report(t, lang="en", issues=[issue], charts=False)
    assert en.names[0] == "summary"
    bullets = en.sections[0].bullets
    assert bullets[0].startswith("3 of 8 labelled customers have churned (37.5 %).")
    assert "Train a model on the Model page" in bullets[-1]
    page = en.to_html()
    # the summary comes before the contents; the issue reads in words, with one percent style
    assert page.index('id="summary"') < page.index("<nav>")
    assert "1 validation issue was found" in page and "(12.5 %)" in page
    assert "<td>missing values</td>" in page
    assert_clean(page, "en")
    ko = R.build_report(t, lang="ko", issues=[issue], charts=False)
    assert ko.sections[0].title == "핵심 요약"
    assert (
        ko.sections[0]
        .bullets[0]
        .startswith("이탈 여부가 있는 고객 8명 중 3명이 이탈했습니다(37.5%).")
    )
    assert_clean(ko.to_html(), "ko")


# ----------------------------------------------------------------------------- Telco
@pytest.fixture(scope="module")
def telco(shared_data):
    from churn.io import read_table
    from churn.roles import infer_roles

    df = read_table(shared_data / "telco_customer_churn.csv").frame
    return build_customer_table(df, infer_roles(df))


def test_telco_segments_and_survival_groups_are_chosen_by_evidence(telco):
    choice = R.choose_segments(telco)
    assert choice.columns[0] == "Contract" and choice.survival_by == "Contract"
    assert "gender" not in choice.columns
    ev = choice.evidence.set_index("column")
    assert ev.loc["Contract", "spread"] == pytest.approx(1655 / 3875 - 48 / 1695)
    assert not ev.loc["gender", "significant"]
    # the same evidence in both languages; the report states the choice
    memo = {"segments": choice}
    for lang, said in (
        ("en", "Segments shown: Contract, InternetService, OnlineSecurity: the attributes"),
        ("ko", "표시한 세그먼트: Contract, InternetService, OnlineSecurity. 이탈률 차이가"),
    ):
        inp = R.ReportInputs(table=telco, lang=lang, charts=False, memo=memo)
        seg = R.SECTIONS["segments"](inp)
        assert seg.paragraphs[0].startswith(said)
        assert seg.tables["churn_by_segment"]["column"].iloc[0] == "Contract"
        coh = R.SECTIONS["cohorts"](inp)
        groups = coh.tables["survival_groups"]
        assert set(groups["group"]) == {"Month-to-month", "One year", "Two year"}
        rep = R.Report([seg, coh], [], lang)
        page = rep.to_html()
        parts = assert_clean(page, lang)
        assert ("not reached" if lang == "en" else "도달하지 않음") in parts


def test_telco_xlsx_in_korean_has_korean_sheet_names_and_headers(telco):
    memo = {"segments": R.choose_segments(telco, ["Contract"])}
    inp = R.ReportInputs(table=telco, lang="ko", charts=False, memo=memo)
    rep = R.Report([R.SECTIONS["segments"](inp)], [], "ko")
    wb = openpyxl.load_workbook(io.BytesIO(rep.to_xlsx()))
    assert wb.sheetnames == ["표지", "세그먼트별 이탈"]
    cover = [[c.value for c in r] for r in wb["표지"].iter_rows()]
    assert cover == [["시트", "내용"], ["세그먼트별 이탈", "세그먼트: 세그먼트별 이탈"]]
    headers = [c.value for c in next(wb["세그먼트별 이탈"].iter_rows())]
    assert headers[:5] == ["열", "세그먼트", "고객 수", "이탈", "이탈률"]
    rows = list(wb["세그먼트별 이탈"].iter_rows(values_only=True))
    significant = [r[headers.index("유의함")] for r in rows[1:]]
    assert set(significant) == {"예"}  # words in the report's language, not TRUE/FALSE
    for ws in wb.worksheets:
        cells = [c.value for row in ws.iter_rows() for c in row]
        assert not any(isinstance(v, bool) for v in cells)
        assert raw_names([str(v) for v in cells if isinstance(v, str)]) == []


# ----------------------------------------------------------------------------- with a model
def plans_frame(n: int = 400, seed: int = 3) -> pd.DataFrame:
    """Customers whose churn follows their plan: monthly 45 %, annual 10 %; fee 20..80."""
    rng = np.random.default_rng(seed)
    plan = rng.choice(["monthly", "annual"], size=n, p=[0.6, 0.4])
    region = rng.choice(["north", "south"], size=n)
    churn = rng.random(n) < np.where(plan == "monthly", 0.45, 0.10)
    return pd.DataFrame(
        {
            "customer_id": [f"k{i:04d}" for i in range(n)],
            "plan": plan,
            "region": region,
            "monthly_fee": rng.uniform(20, 80, n).round(2),
            "tenure_months": rng.integers(1, 60, n),
            "churned": np.where(churn, "yes", "no"),
        }
    )


@pytest.mark.slow  # trains LightGBM with 5 folds and explains it (about 15 s on 2 cores)
def test_summary_with_a_model_counts_customers_at_risk_and_recommends_a_campaign():
    from churn.model import honest_risk, train
    from churn.roles import infer_roles

    df = plans_frame()
    t = build_customer_table(df, infer_roles(df))
    tm = train(t)
    rep = R.build_report(t, tm, sections=["summary", "drivers", "at_risk"], charts=False)
    bullets = rep.sections[0].bullets
    assert len(bullets) == 4 and "plan" in bullets[1]
    risk = honest_risk(tm, t)
    active = t.frame.loc[t.frame["label_status"] == "active", "customer_id"]
    n = int((risk.reindex(active.to_numpy()) >= tm.metrics.get("threshold", 0.5)).sum())
    assert bullets[2].startswith(f"{F.fmt_int(n)} of {F.fmt_int(len(active))} active customers")
    campaign = R.recommend_campaign(R.ReportInputs(table=t, trained=tm))
    assert campaign is not None and campaign.column == "plan" and campaign.level == "annual"
    assert bullets[3].startswith("Recommended campaign: offer plan = annual to the ")
    assert campaign.net == pytest.approx(campaign.revenue_kept - campaign.campaign_cost)
    names = tuple(df.columns)
    assert_clean(rep.to_html(), "en", names)
    ko = R.build_report(t, tm, sections=["summary"], lang="ko", charts=False)
    assert_clean(ko.to_html(), "ko", names)


# ----------------------------------------------------------------------------- PDF
def test_pdf_of_the_korean_report_embeds_a_korean_font_and_is_not_blank(tmp_path):
    import pypdfium2 as pdfium

    rep = R.build_report(tiny_table(), lang="ko", sections=["summary", "data", "segments"])
    pdf = rep.to_pdf()
    assert pdf.startswith(b"%PDF")
    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    # every font on the page is embedded, and the text is drawn in a Korean (Nanum) font
    assert pdf_fonts(page) and all(embedded for _, embedded in pdf_fonts(page))
    assert any("Nanum" in name for name, _ in pdf_fonts(page))
    assert "핵심 요약" in page.get_textpage().get_text_range()
    image = np.asarray(page.render(scale=1).to_pil().convert("L"))
    ink = (image < 128).mean()
    assert 0.005 < ink < 0.5  # text on a white page: neither blank nor a black box
    page.render(scale=1.5).to_pil().save(tmp_path / "report_ko_page1.png")


def pdf_fonts(page) -> set[tuple[str, bool]]:
    """(base font name, embedded) of every text object on a pypdfium2 page."""
    import ctypes

    import pypdfium2.raw as raw

    fonts = set()
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT]):
        font = raw.FPDFTextObj_GetFont(obj.raw)
        buf = ctypes.create_string_buffer(256)
        raw.FPDFFont_GetBaseFontName(font, buf, 256)
        fonts.add((buf.value.decode(), bool(raw.FPDFFont_GetIsEmbedded(font))))
    return fonts


# ----------------------------------------------------------------------------- Korean charts
def test_korean_driver_chart_lays_long_labels_out_without_overlap():
    import vl_convert as vlc

    from churn.charts.explain import importance_chart

    names = ["계약형태", "가입기간", "월 요금 합계", "인터넷 서비스 종류", "결제 수단"]
    imp = pd.DataFrame(
        {
            "feature": names,
            "mean_abs_contribution": [0.110, 0.054, 0.047, 0.038, 0.017],
            "mean_contribution": [0.058, 0.011, 0.012, 0.010, 0.002],
        }
    )
    labels = {"feature": "컬럼", "mean_abs_contribution": "평균 절대 기여도(%p)"}
    svg = vlc.vegalite_to_svg(importance_chart(imp, labels).to_json())
    texts = re.findall(r'<text[^>]*transform="([^"]*)"[^>]*>([^<]*)</text>', svg)
    placed = {label: transform for transform, label in texts}
    # horizontal bars: each name on its own row of the y axis, whole, 20 px or more apart
    ys = sorted(float(re.search(r",([-\d.]+)\)", placed[n]).group(1)) for n in names)
    assert len(ys) == len(names) and min(np.diff(ys)) >= 20
    # no axis title turned on its side ("컬럼"), and no label rotated
    assert "컬럼" not in placed and not any("rotate" in tr for tr, _ in texts if tr)
