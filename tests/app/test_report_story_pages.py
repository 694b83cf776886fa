"""AppTest of issue 19's small page fixes: the Data page's heading numbers run on without a
gap for a file without dates, Korean placeholders and the note beside the uploader."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import LANG_KEY, t

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120


def customers_csv(n: int = 60) -> bytes:
    """One row per customer, no dates: id, plan, tenure in months, churn flag."""
    rows = ["customer_id,plan,tenure,churn"]
    rows += [
        f"c{i:03d},{'basic' if i % 3 else 'pro'},{1 + i % 40},{'Yes' if i % 4 == 0 else 'No'}"
        for i in range(n)
    ]
    return ("\n".join(rows) + "\n").encode()


def test_data_page_numbers_run_on_without_dates_and_speak_korean():
    at = AppTest.from_file(str(ROOT / "pages" / "1_Data.py"), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = "ko"
    at.run()
    # Streamlit draws the uploader's button in English: a Korean note says so beside it
    assert t("widgets.uploader_note", lang="ko") in [c.value for c in at.caption]
    at.file_uploader(key="data.upload").upload("customers.csv", customers_csv(), "text/csv")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    heads = [h.value for h in at.subheader]
    numbers = [int(m.group(1)) for h in heads if (m := re.match(r"(\d+)\. ", h))]
    assert numbers == [1, 2, 3, 4, 5], heads  # no "3." to "5." jump: no dates to settle
    assert t("data.confirm_title", lang="ko", n=numbers[-1]) in heads
    assert not any(h == t("data.dates_title", lang="ko") for h in heads)
    placeholders = {m.proto.placeholder for m in at.multiselect}
    assert placeholders == {"항목을 고르세요"}


@pytest.mark.slow  # trains the default model on the sample (about 30 s on 2 cores)
def test_whatif_shows_no_delta_until_the_risk_moves():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.run()
    at.button(key="home.try_sample").click().run()
    at.switch_page("pages/6_What_if.py").run()
    at.button(key="whatif.train").click().run()
    assert not at.exception, [e.message for e in at.exception]
    after = next(m for m in at.metric if m.label == t("whatif.after", lang="en"))
    assert not after.delta  # nothing changed: no red "+0.0 points"
    customer = at.selectbox(key="whatif.customer").value
    at.number_input(key=f"whatif.f.0.{customer}.failed_payments_90d").set_value(0).run()
    at.number_input(key=f"whatif.f.0.{customer}.support_tickets_90d").set_value(0).run()
    after = next(m for m in at.metric if m.label == t("whatif.after", lang="en"))
    before = next(m for m in at.metric if m.label == t("whatif.before", lang="en"))
    assert (after.value == before.value) or after.delta  # a moved risk shows its change


def test_report_page_in_korean_proposes_segments_and_offers_the_pdf():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=240)
    at.session_state[LANG_KEY] = "ko"
    at.run()
    at.button(key="home.try_sample").click().run()
    at.switch_page("pages/7_Report.py").run()
    for n in ("over_time", "cohorts", "glossary", "data"):
        at.checkbox(key=f"report.sec_{n}").uncheck()
    segs = at.multiselect(key="report.segments")
    assert segs.proto.placeholder == "속성을 고르세요" and segs.value
    assert "세그먼트와 생존 그룹" in [h.value for h in at.subheader]
    at.button(key="report.build").click().run()
    assert not at.exception, [e.message for e in at.exception]
    labels = {b.proto.label for b in at.get("download_button")}
    assert labels == {"HTML 다운로드", "Excel 다운로드", "PDF 다운로드"}, labels
    page = at.session_state["report.built"][1]["html"][0].decode("utf-8")
    assert "<h2>핵심 요약</h2>" in page and "표시한 세그먼트: " in page
