"""The report's "Changes since last month" section, from the sample's October and November
files and the October campaign (risk bands from the campaign list's own risk: no model)."""

from __future__ import annotations

import pytest

from churn.report import SECTIONS, build_report, section_title
from tests.support.months import sample_months


@pytest.fixture(scope="module")
def sample():
    return sample_months()


def test_the_section_is_registered_before_the_glossary():
    names = list(SECTIONS)
    assert names.index("changes") == len(names) - 2 and names[-1] == "glossary"
    assert section_title("changes", "en") == "Changes since last month"
    assert section_title("changes", "ko") == "지난달 이후의 변화"


def test_html_report_in_english_has_the_sample_numbers(sample):
    table, comp = sample
    rep = build_report(table, sections=["changes"], lang="en", charts=False, comparison=comp)
    assert rep.names == ["changes"] and rep.skipped == []
    page = rep.to_html()
    assert "Changes since last month" in page
    assert "1,977 customers stayed, 83 left (0 no longer in the file), 242 new." in page
    assert "56 of the 800 customers on the last at-risk list left (precision 7.0 %)" in page
    assert "the list named 67.5 % of the 83 who left." in page
    assert "95.7 % of the 600 contacted customers stayed, against 85.0 % of the 200" in page
    assert "Contacting kept about 62 customers (95 % interval 34 to 90)" in page
    # the tables under their headers
    for head in ("Risk bands then and now", "Campaign against the comparison group"):
        assert f"<h3>{head}</h3>" in page
    assert "<h3>Top customers by value</h3>" in page


def test_html_report_in_korean_has_the_sample_numbers(sample):
    table, comp = sample
    rep = build_report(table, sections=["changes"], lang="ko", charts=False, comparison=comp)
    page = rep.to_html()
    assert "지난달 이후의 변화" in page
    assert "고객 1,977명이 남았고, 83명이 떠났으며(그중 0명은 파일에 없음), 242명이" in page
    assert "지난 이탈 위험 목록의 고객 800명 중 56명이 떠났고(정밀도 7.0%)" in page
    assert "연락으로 고객 약 62명을 지켰습니다(95% 구간 34~90명)" in page
    assert "<h3>캠페인과 비교 그룹</h3>" in page and "<h3>가치 상위 고객</h3>" in page


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("en", "Left out: Changes since last month: no comparison of two monthly snapshots"),
        ("ko", "제외됨: 지난달 이후의 변화: 두 달의 스냅숏을 비교하지 않았습니다"),
    ],
)
def test_without_a_comparison_the_section_is_left_out_with_a_line(sample, lang, line):
    table, _ = sample
    rep = build_report(table, sections=["changes", "glossary"], lang=lang, charts=False)
    assert rep.names == ["glossary"]
    assert rep.notes()[0].startswith(line)
    assert line in rep.to_html()
