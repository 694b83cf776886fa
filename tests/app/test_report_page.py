"""AppTest of the Report page: sections, language, build and download on the sample."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 240  # training and chart rendering on a shared 2-core machine


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def _sample_on(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.button(key="home.try_sample").click().run()
    at.switch_page(page).run()
    assert not _problems(at), _problems(at)
    return at


def _outputs(at: AppTest) -> dict:
    return at.session_state["report.built"][1]


def test_report_page_without_data_points_to_the_data_page():
    at = AppTest.from_file(str(ROOT / "pages" / "7_Report.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "report.build" not in [b.key for b in at.button]
    assert at.info


def test_build_both_downloads_on_the_sample_without_model():
    at = _sample_on("pages/7_Report.py")
    assert at.radio(key="report.lang").value == "en"
    # no model: the page says which sections will be left out
    assert any("No model is trained yet" in i.value for i in at.info)
    at.checkbox(key="report.sec_cohorts").uncheck().run()
    at.button(key="report.build").click().run()
    assert not _problems(at), _problems(at)
    out = _outputs(at)
    html_bytes, kept, notes = out["html"]
    page = html_bytes.decode("utf-8")
    assert kept == ("summary", "data", "over_time", "segments", "glossary")
    assert 'id="cohorts"' not in page and 'id="over_time"' in page
    # the segments are proposed by evidence and the report says so
    chosen = at.multiselect(key="report.segments")
    assert chosen.value and chosen.proto.placeholder == "Choose attributes"
    assert f"Segments shown: {', '.join(chosen.value)}: the attributes whose" in page
    assert any("Model quality" in n for n in notes)
    wb = openpyxl.load_workbook(io.BytesIO(out["xlsx"][0]))
    assert wb.sheetnames[0] == "Cover" and len(wb.sheetnames) > 3
    assert out["pdf"][0].startswith(b"%PDF")
    assert _keys(at) == {"report.download_html", "report.download_xlsx", "report.download_pdf"}


def _keys(at: AppTest) -> set[str]:
    keys = set()
    for el in at.get("download_button"):
        keys.add(getattr(el, "key", None) or el.proto.id)
    return {k for k in keys if k}


def test_korean_report_with_the_trained_model_and_a_changed_setting_needs_a_rebuild():
    at = _sample_on("pages/4_Model.py")
    at.button(key="model.train").click().run()
    assert not _problems(at), _problems(at)
    at.switch_page("pages/7_Report.py").run()
    assert not any("No model is trained yet" in i.value for i in at.info)
    for n in ("over_time", "cohorts", "segments", "scenarios"):
        at.checkbox(key=f"report.sec_{n}").uncheck()
    at.radio(key="report.lang").set_value("ko").run()
    at.button(key="report.build").click().run()
    assert not _problems(at), _problems(at)
    html_bytes, kept, _ = _outputs(at)["html"]
    assert kept == ("summary", "data", "model", "drivers", "at_risk", "glossary")
    page = html_bytes.decode("utf-8")
    assert "핵심 요약" in page and "추천 캠페인" in page
    assert '<html lang="ko">' in page and "이탈 위험이 가장 높은 고객" in page
    # a changed choice hides the old downloads until the report is built again
    at.checkbox(key="report.sec_glossary").uncheck().run()
    assert not _problems(at)
    assert not _keys(at)


def test_customer_names_only_with_the_toggle_on():
    at = _sample_on("pages/4_Model.py")
    at.button(key="model.train").click().run()
    at.switch_page("pages/7_Report.py").run()
    for n in ("over_time", "cohorts", "segments", "scenarios", "drivers", "model", "glossary"):
        at.checkbox(key=f"report.sec_{n}").uncheck()
    assert at.toggle(key="report.personal").value is False
    at.button(key="report.build").click().run()
    assert not _problems(at), _problems(at)
    page = _outputs(at)["html"][0].decode("utf-8")
    assert "<th>name</th>" not in page and "customers are listed by id" in page
    # turning names on asks for a new build, which has them
    at.toggle(key="report.personal").set_value(True).run()
    assert not _keys(at)
    at.button(key="report.build").click().run()
    page = _outputs(at)["html"][0].decode("utf-8")
    assert "<th>name</th>" in page and "customers are listed by id" not in page


def test_report_language_follows_a_switch_of_the_app_language():
    from ui.i18n import LANG_KEY

    at = _sample_on("pages/7_Report.py")
    assert at.radio(key="report.lang").value == "en"
    at.session_state[LANG_KEY] = "ko"
    at.run()
    assert not _problems(at), _problems(at)
    assert at.radio(key="report.lang").value == "ko"
    # a choice made on the page is kept while the app's language stays the same
    at.radio(key="report.lang").set_value("en").run()
    at.run()
    assert at.radio(key="report.lang").value == "en"


def test_segments_changed_on_the_page_are_used_and_stated():
    at = _sample_on("pages/7_Report.py")
    for n in ("over_time", "cohorts", "glossary", "data"):
        at.checkbox(key=f"report.sec_{n}").uncheck()
    proposed = at.multiselect(key="report.segments").value
    other = [c for c in at.multiselect(key="report.segments").options if c not in proposed][0]
    at.multiselect(key="report.segments").set_value([other]).run()
    assert at.selectbox(key="report.survival_by").value == other
    at.button(key="report.build").click().run()
    assert not _problems(at), _problems(at)
    page = _outputs(at)["html"][0].decode("utf-8")
    assert f"Segments shown: {other}, as chosen on the Report page." in page
