"""The report (churn.report): sections, self-contained HTML, safe XLSX, both languages.

The ``report`` command is tested in tests/cli/test_report.py."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from churn import report as R
from churn.errors import ChurnDataError, ValidationIssue
from churn.roles import ColumnRoles
from churn.shapes import build_customer_table
from tests.conftest import SAMPLE_DIR

EVIL = "<script>alert(1)</script>"


# ----------------------------------------------------------------------------- fixtures
def tiny_frame() -> pd.DataFrame:
    """Eight subscriptions: 3 churned (ends in Feb and Mar 2024), 5 still active.

    Plan A: c1, c2, c3 (churned c1, c2) -> 2 of 3; plan B: c4..c8 (churned c4) -> 1 of 5.
    Active at the start of March 2024: c2, c3, c5..c8 (c1 and c4 ended in February).
    """
    return pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(1, 9)],
            "start": ["2024-01-05"] * 4 + ["2024-01-10"] * 4,
            "end": ["2024-02-10", "2024-03-15", None, "2024-02-20", None, None, None, None],
            "plan": ["A", "A", "A", "B", "B", "B", "B", EVIL],
            EVIL: [1, 2, 3, 4, 5, 6, 7, 8],
        }
    )


@pytest.fixture
def tiny():
    roles = ColumnRoles(
        id="id",
        start="start",
        end="end",
        features=("plan", EVIL),
        categorical=("plan",),
    )
    return build_customer_table(tiny_frame(), roles, snapshot="2024-03-31")


class _Collect(HTMLParser):
    """Every tag, attribute and text run of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> _Collect:
    p = _Collect()
    p.feed(page)
    p.close()
    return p


def external_refs(page: str) -> list[str]:
    """src/href attributes and CSS url() that reach outside the file."""
    p = parse(page)
    bad = []
    for tag, attrs in p.tags:
        for k in ("src", "href"):
            v = (attrs.get(k) or "").strip().lower()
            if v and not (v.startswith("#") or v.startswith("data:")):
                bad.append(f"{tag} {k}={v[:60]}")
        if tag == "script" and "src" in attrs:
            bad.append("script src")
        if tag == "link":
            bad.append("link")
    bad += re.findall(r"url\(\s*['\"]?\s*(?:https?:)?//", page, flags=re.I)
    bad += re.findall(r"@import", page)
    return bad


def section_ids(page: str) -> list[str]:
    return [a["id"] for t, a in parse(page).tags if t == "section"]


# ----------------------------------------------------------------------------- the numbers
def test_data_section_counts_by_hand(tiny):
    rep = R.build_report(tiny, sections=["data"], charts=False)
    para = rep.sections[0].paragraphs[0]
    # 8 rows -> 8 customers; 3 of 8 labelled churned = 37.5 %
    assert "8 rows" in para and "8 customers" in para
    assert "3 of 8 labelled customers churned (37.5 %)" in para


def test_segments_section_by_hand(tiny):
    rep = R.build_report(tiny, sections=["segments"], charts=False)
    seg = rep.sections[0].tables["churn_by_segment"].set_index("segment")
    assert seg.loc["A", "customers"] == 3 and seg.loc["A", "churned"] == 2
    assert seg.loc["B", "customers"] == 4 and seg.loc["B", "churned"] == 1
    assert seg.loc["A", "churn_rate"] == pytest.approx(2 / 3)
    # the lift over the overall rate 3/8, computed independently
    assert seg.loc["A", "lift"] == pytest.approx((2 / 3) / (3 / 8))


def test_over_time_march_by_hand(tiny):
    rep = R.build_report(tiny, sections=["over_time"], charts=False)
    per = rep.sections[0].tables["churn_by_month"].set_index("period")
    # March 2024: 6 active at its start (c2, c3, c5..c8), 1 lost (c2) -> 1/6
    assert per.loc["2024-03", "denominator"] == 6
    assert per.loc["2024-03", "numerator"] == 1
    assert per.loc["2024-03", "churn_rate"] == pytest.approx(1 / 6)


# ----------------------------------------------------------------------------- sections
def test_selected_sections_only_and_notes_for_missing_inputs(tiny):
    rep = R.build_report(tiny, sections=["glossary", "data", "model", "scenarios"])
    assert rep.names == ["data", "glossary"]  # registry order, not the order asked
    assert [n for n, _ in rep.skipped] == ["model", "scenarios"]
    page = rep.to_html()
    assert section_ids(page) == ["data", "glossary"]
    assert "Left out: Model quality: no model was trained" in page
    assert "Churn over time" not in page and 'id="segments"' not in page


def test_unknown_section_is_a_churn_data_error(tiny):
    with pytest.raises(ChurnDataError, match="bogus"):
        R.build_report(tiny, sections=["data", "bogus"])


def test_no_dates_leaves_over_time_out_with_a_note():
    from churn.table import CustomerTable

    f = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "churned": [1.0, 0.0],
            "label_status": ["churned", "active"],
            "start_date": pd.NaT,
            "end_date": pd.NaT,
            "tenure_days": float("nan"),
            "value": float("nan"),
        }
    )
    t = CustomerTable(frame=f, roles=ColumnRoles(), shape="customers")
    rep = R.build_report(t, sections=["data", "over_time", "cohorts", "segments"])
    assert rep.names == ["data"]
    assert dict(rep.skipped)["over_time"] == "the data has no start dates"
    assert "segments" in dict(rep.skipped)
    parse(rep.to_html())


def test_scenarios_from_a_mapping(tiny):
    sc = {"Discount": {"change": "fee -10%", "risk_before": 0.3, "risk_after": 0.25}}
    rep = R.build_report(tiny, sections=["scenarios"], scenarios=sc)
    tab = rep.sections[0].tables["scenarios"]
    assert tab.to_dict("records") == [
        {"name": "Discount", "change": "fee -10%", "risk_before": 0.3, "risk_after": 0.25}
    ]


def test_glossary_lists_every_term_in_both_languages(tiny):
    for lang in R.LANGS:
        g = R.build_report(tiny, sections=["glossary"], lang=lang).sections[0].tables
        assert len(g["glossary"]) == len(R.GLOSSARY_TERMS)


def test_catalogues_have_the_same_keys_and_placeholders():
    fields = re.compile(r"\{(\w+)\}")
    assert R.TEXT["en"].keys() == R.TEXT["ko"].keys()
    for k in R.TEXT["en"]:
        assert set(fields.findall(R.TEXT["en"][k])) == set(fields.findall(R.TEXT["ko"][k])), k
    assert R.HEADERS["en"].keys() == R.HEADERS["ko"].keys()


# ----------------------------------------------------------------------------- HTML
def test_html_parses_self_contained_and_escaped(tiny):
    issue = ValidationIssue("warning", "x", EVIL, f"value {EVIL}", None, 1)
    rep = R.build_report(tiny, issues=[issue], scenarios=[{"name": EVIL}])
    page = rep.to_html()
    p = parse(page)
    assert p.tags[0][0] == "html" and p.tags[0][1]["lang"] == "en"
    assert "<script" not in page.lower()  # not one script tag, escaped everywhere
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert EVIL in "".join(p.text)  # shown to the reader as text
    assert external_refs(page) == []
    assert "http://" not in page and "https://" not in page
    # Korean headers such as 심각도 wrap between words, never letter by letter
    assert "word-break:keep-all" in page
    # a table's first column (period, cohort, segment) never breaks "2023-01" in two
    assert "td:first-child{white-space:nowrap}" in page
    assert "tabular-nums;white-space:nowrap}" in page  # nor "84.9 %" into "84.9" and "%"
    # the charts are embedded images (over time, survival)
    imgs = [a["src"] for t, a in p.tags if t == "img"]
    assert len(imgs) == 2 and all(s.startswith("data:image/svg+xml;base64,") for s in imgs)


def test_external_ref_detector_catches_what_it_should():
    assert external_refs('<script src="x.js"></script>')
    assert external_refs('<img src="https://e.com/a.png">')
    assert external_refs("<style>a{background:url(//e.com/a)}</style>")
    assert external_refs('<link rel="stylesheet" href="a.css">')
    assert not external_refs('<a href="#data">x</a><img src="data:image/png;base64,AA">')


def test_both_languages_produce_their_titles(tiny):
    for lang in R.LANGS:
        page = R.build_report(tiny, lang=lang, charts=False).to_html()
        assert f'<html lang="{lang}">' in page
        for name in ("data", "over_time", "cohorts", "segments", "glossary"):
            assert R.section_title(name, lang) in page
    ko = R.build_report(tiny, lang="ko", charts=False).to_html()
    assert "데이터와 유의 사항" in ko and "2024년 3월 31일" in ko
    assert "37.5%" in ko  # Korean percentages carry no space


def test_formatting_helpers():
    assert R.fmt_pct(0.375) == "37.5 %" and R.fmt_pct(0.375, lang="ko") == "37.5%"
    assert R.fmt_int(1234.0) == "1,234" and R.fmt_int(float("inf")) == "∞"
    assert R.fmt_date("2024-03-01", "ko") == "2024년 3월 1일"
    assert R.fmt_p(1e-9) == "< 0.0001" and R.fmt_p(0.5) == "= 0.5000"
    assert R.fmt_num(-0.001, 1) == "0.0" and R.fmt_num(-0.5, 1) == "-0.5"
    assert R.header("churn_rate", "ko") == "이탈률" and R.header("churn_rate") == "churn rate"
    assert R.header("some_user_column", "ko") == "some_user_column"


# ----------------------------------------------------------------------------- XLSX
def test_xlsx_cover_one_sheet_per_table_no_formulas(tiny):
    t2 = tiny.frame.copy()
    rep = R.build_report(
        tiny, scenarios=[{"name": '=HYPERLINK("http://e.com")', "x": "@SUM(A1)"}], charts=False
    )
    wb = openpyxl.load_workbook(io.BytesIO(rep.to_xlsx()))
    # one sheet per table, and one for the executive summary's points
    n_tables = sum(len(s.tables) + bool(s.bullets) for s in rep.sections)
    assert len(wb.sheetnames) == n_tables + 1
    cover = wb[wb.sheetnames[0]]
    rows = list(cover.iter_rows(values_only=True))
    assert rows[0] == ("sheet", "contents") and len(rows) == n_tables + 1
    assert [r[0] for r in rows[1:]] == wb.sheetnames[1:]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
                assert c.hyperlink is None
    pd.testing.assert_frame_equal(tiny.frame, t2)  # the input was not touched


# ----------------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def telco(shared_data):
    from churn.io import read_table
    from churn.roles import infer_roles

    df = read_table(shared_data / "telco_customer_churn.csv").frame
    roles = infer_roles(df)
    return build_customer_table(df, roles)


def test_telco_report_without_model(telco):
    rep = R.build_report(telco, sections=["data", "over_time", "segments"], charts=False)
    assert rep.names == ["data", "segments"]  # no dates: churn over time left out
    assert "1,869 of 7,043 labelled customers churned (26.5 %)" in rep.sections[0].paragraphs[0]
    seg = rep.sections[1].tables["churn_by_segment"]
    assert seg.groupby("column")["customers"].sum().eq(7043).all()


def test_sample_report_with_model_has_at_risk_reasons():
    from churn.io import read_table
    from churn.model import train
    from churn.roles import infer_roles

    df = read_table(SAMPLE_DIR / "subscriptions.csv").frame
    table = build_customer_table(df, infer_roles(df))
    tm = train(table)
    rep = R.build_report(
        table, tm, sections=["model", "drivers", "at_risk"], lang="ko", top_at_risk=5
    )
    assert rep.names == ["model", "drivers", "at_risk"]
    risk = rep.sections[2].tables["at_risk"]
    assert len(risk) == 5 and risk["reason_1"].notna().all() and risk["action"].notna().all()
    # a handed-over report names customers by id only, unless asked for their names
    names = set(df.loc[df["customer_id"].isin(risk["customer_id"]), "name"])
    assert "name" in table.personal and len(names) == 5
    assert "name" not in risk.columns and "customer_id" in risk.columns
    assert not any(n in rep.to_html() for n in names)
    sheets = pd.read_excel(io.BytesIO(rep.to_xlsx()), sheet_name=None, header=None)
    cells = {str(v) for sheet in sheets.values() for v in sheet.to_numpy().ravel()}
    assert cells and not names & cells
    assert "ID로만" in rep.sections[2].paragraphs[-1]
    with_names = R.build_report(table, tm, sections=["at_risk"], lang="ko", top_at_risk=5,
                                personal=True)  # fmt: skip
    shown = with_names.sections[0].tables["at_risk"]
    assert shown["customer_id"].tolist() == risk["customer_id"].tolist()
    assert set(shown["name"]) == names and all(n in with_names.to_html() for n in names)
    sheets = pd.read_excel(io.BytesIO(with_names.to_xlsx()), sheet_name=None, header=None)
    assert names <= {str(v) for sheet in sheets.values() for v in sheet.to_numpy().ravel()}
    assert risk["risk"].is_monotonic_decreasing
    metrics = rep.sections[0].tables["model_metrics"].set_index("metric")["value"]
    assert metrics["roc_auc"] == pytest.approx(tm.metrics["roc_auc"])
    page = rep.to_html()
    assert "모델 품질" in page and external_refs(page) == []
    # PR AUC's baseline in words is the churn rate of the evaluated customers
    base = tm.metrics["base_rate"]
    assert f"이탈률 {R.fmt_pct(base, lang='ko')}" in rep.sections[0].paragraphs[0]


def test_warning_signs_table_hides_the_internal_sort_column():
    from churn.io import read_table
    from churn.roles import infer_roles

    path = Path(__file__).resolve().parents[1] / "data" / "sample" / "subscriptions.csv"
    frame = read_table(path).frame
    t = build_customer_table(frame, infer_roles(frame))
    rep = R.build_report(t, sections=["segments"], charts=False)
    signs = rep.sections[0].tables["warning_signs"]
    assert len(signs) > 0 and "level" in signs.columns
    assert "level_order" not in signs.columns
