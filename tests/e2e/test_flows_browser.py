"""Real-browser flows: what-if scenarios, the HTML report opened offline, and bad uploads.

Debian's Chromium, driven by Playwright, against ``streamlit run app.py`` (see
``conftest.py``). Each test starts from the sample (Home -> "Try the sample data") and
saves screenshots to ``tests/e2e/screenshots/`` for a human to look at:

* ``whatif_01_scenarios_en``: two saved what-if scenarios side by side;
* ``report_01_html_en`` / ``report_02_html_ko``: the downloaded HTML report, opened in a
  separate offline browser context that refuses every request not to ``file:``/``data:``;
  ``report_03_page_ko``: the Report page itself in Korean;
* ``data_bad_file_en``: the Data page after a bad upload, the sample still loaded;
* ``segments_01_value_en`` / ``segments_02_value_ko``: the Segments page's value tab,
  opened by a click (only the open tab runs), then after a language switch.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from tests.test_corpus import MB, PNG, _zip_member_sizes, xlsx
from ui.i18n import t

from .conftest import RUN_TIMEOUT, VIEWPORT
from .test_browser import (
    ERROR_BOX,
    UPLOADER,
    error_boxes,
    exceptions,
    go_to,
    open_app,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DATA_PAGE = ROOT / "pages" / "1_Data.py"
MODEL_PAGE = ROOT / "pages" / "4_Model.py"
WHATIF_PAGE = ROOT / "pages" / "6_What_if.py"
REPORT_PAGE = ROOT / "pages" / "7_Report.py"
SEGMENTS_PAGE = ROOT / "pages" / "3_Segments.py"
SAMPLE_NAME = "subscriptions.csv"
LOCAL = ("file:", "data:")  # the only URLs the downloaded report may load
#: Report sections the sample with a trained model always has (scenarios need saved ones).
REPORT_SECTIONS = ("data", "over_time", "cohorts", "segments", "model", "drivers", "at_risk")


def _key(key: str) -> str:
    """CSS selector of a keyed widget's container: Streamlit adds the class ``st-key-<key>``
    with every character other than letters, digits, ``_`` and ``-`` replaced by ``-``."""
    return ".st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def _confirmed(page, lang: str = "en") -> bool:
    """Whether the sidebar says the sample is the loaded, confirmed dataset."""
    text = t("common.status_confirmed", lang=lang, name=SAMPLE_NAME)
    return page.get_by_test_id("stSidebar").get_by_text(text).is_visible()


def _no_problems(page, where: str) -> None:
    assert exceptions(page) == [], f"{where}: exception box"
    assert error_boxes(page) == [], f"{where}: error box"


def _load_sample(page, app_url: str) -> None:
    open_app(page, app_url)
    page.get_by_role("button", name=t("home.try_sample", lang="en")).click()
    wait_for_app(page)
    _no_problems(page, "loading the sample")
    assert _confirmed(page), "the sample was not loaded and confirmed"


# ------------------------------------------------------------------------------ what-if


def _set_feature(page, feature: str, value: str) -> None:
    """Type ``value`` into the what-if form's number box for ``feature`` (any customer)."""
    box = page.locator(f'[class*="st-key-whatif-f-"][class*="-{feature}"] input')
    assert box.count() == 1, f"no single what-if input for {feature}"
    box.fill(value)
    box.press("Enter")
    wait_for_app(page)
    assert float(box.input_value()) == float(value), box.input_value()


def _save_scenario(page, name: str) -> None:
    box = page.locator(f"{_key('whatif.scenario_name')} input")
    box.fill(name)
    box.press("Enter")
    wait_for_app(page)
    page.locator(f"{_key('whatif.save')} button").click()
    wait_for_app(page)
    _no_problems(page, f"saving scenario {name!r}")


def _metric(page, label: str) -> str:
    """The value of the ``st.metric`` with this label."""
    metric = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def _grid_column(frame, col: int) -> list[str]:
    """The texts of one column of an ``st.dataframe`` (from the grid's accessible table)."""
    cells = frame.locator(f'td[role="gridcell"][aria-colindex="{col + 1}"]')
    return [c.text_content().strip() for c in cells.all()]


def test_whatif_saved_scenarios(page, app_url, screenshot_dir):
    """Train the default model on the What-if page, change a customer, save two scenarios
    and find both in the comparison table."""
    _load_sample(page, app_url)
    go_to(page, app_url, WHATIF_PAGE)
    _no_problems(page, "What-if before training")
    page.locator(f"{_key('whatif.train')} button").click()
    wait_for_app(page)
    _no_problems(page, "What-if after training")
    assert page.locator(_key("whatif.customer")).is_visible(), "no customer choice"
    assert page.get_by_text(t("whatif.no_scenarios", lang="en")).is_visible()
    before = _metric(page, t("whatif.before", lang="en"))
    assert re.fullmatch(r"\d+(\.\d)? %", before), before

    _set_feature(page, "failed_payments_90d", "0")
    assert _metric(page, t("whatif.n_changes", lang="en")) == "1"
    _save_scenario(page, "No failed payments")
    _set_feature(page, "support_tickets_90d", "0")
    assert _metric(page, t("whatif.n_changes", lang="en")) == "2"
    _save_scenario(page, "No failed payments or tickets")
    assert _metric(page, t("whatif.before", lang="en")) == before  # same customer

    scenarios_head = page.get_by_role("heading", name=t("whatif.scenarios_head", lang="en"))
    assert scenarios_head.is_visible()
    frame = page.get_by_test_id("stDataFrame").last
    frame.scroll_into_view_if_needed()
    # wait for the grid to be drawn with both rows
    frame.locator('td[role="gridcell"][aria-colindex="1"]').nth(1).wait_for(state="attached")
    assert _grid_column(frame, 0) == ["No failed payments", "No failed payments or tickets"]
    headers = [h.text_content().strip() for h in frame.locator('th[role="columnheader"]').all()]
    assert t("whatif.col_scenario", lang="en") in headers, headers
    assert page.get_by_text(t("whatif.no_scenarios", lang="en")).count() == 0
    screenshot(page, screenshot_dir, "whatif_01_scenarios_en")
    _no_problems(page, "What-if with two scenarios")
    assert _confirmed(page)


# ------------------------------------------------------------------------------- report


def _download_report(page, tmp_path: Path, lang: str) -> Path:
    page.locator(f"{_key('report.build')} button").click()
    wait_for_app(page)
    _no_problems(page, f"building the {lang} report")
    ready = page.get_by_test_id("stAlertContentSuccess")
    assert ready.count() == 1 and ready.is_visible(), "no 'report is ready' message"
    with page.expect_download(timeout=RUN_TIMEOUT) as info:
        page.locator(f"{_key('report.download_html')} button").click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == f"churn_report_{lang}.html"
    path = tmp_path / lang / download.suggested_filename
    path.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(path)
    assert path.stat().st_size > 10_000, path.stat().st_size
    return path


def _open_offline(browser, path: Path, screenshot_dir: Path, name: str) -> dict:
    """Open the saved report in a new offline context that refuses the network.

    Every request whose URL is not ``file:`` or ``data:`` is aborted and recorded. Returns
    what the page shows: title, headings, chart images and the refused requests.
    """
    refused: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context = browser.new_context(viewport=VIEWPORT, offline=True)
    context.set_default_timeout(RUN_TIMEOUT)
    try:
        context.route("**/*", guard)
        report = context.new_page()
        # requests the router never sees (none expected) are recorded too
        report.on("request", lambda r: r.url.startswith(LOCAL) or refused.append(r.url))
        report.goto(path.as_uri(), wait_until="load")
        report.wait_for_function("() => [...document.images].every(i => i.complete)")
        seen = {
            "title": report.title(),
            "lang": report.evaluate("() => document.documentElement.lang"),
            "h1": [h.inner_text().strip() for h in report.locator("h1").all()],
            "h2": [h.inner_text().strip() for h in report.locator("h2").all()],
            # [naturalWidth, naturalHeight, width on the page] of every image
            "images": report.evaluate(
                "() => [...document.images].map(i => "
                "[i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width])"
            ),
            "refused": sorted(set(refused)),
        }
        screenshot(report, screenshot_dir, name)
        # the guard itself works: a remote image added now is refused and recorded
        report.evaluate(
            "() => { const i = new Image(); i.src = 'http://127.0.0.1:9/probe.png';"
            " document.body.append(i); }"
        )
        report.wait_for_function("() => [...document.images].every(i => i.complete)")
        assert "http://127.0.0.1:9/probe.png" in refused, "the offline guard saw nothing"
        report.close()
    finally:
        context.close()
    return seen


def _check_report(path: Path, seen: dict, lang: str) -> None:
    from churn.report import text as report_text

    assert seen["refused"] == [], f"the offline report asked for {seen['refused']}"
    html = path.read_text(encoding="utf-8")
    remote = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?https?:""", html)
    assert remote == [], f"remote references in the HTML: {remote}"
    assert seen["lang"] == lang
    title = report_text("report_title", lang)
    assert seen["title"] == title and seen["h1"] == [title], seen
    expected = [t(f"report.sec_{n}", lang=lang) for n in REPORT_SECTIONS]
    missing = [h for h in expected if h not in seen["h2"]]
    assert missing == [], f"section headings missing: {missing}; found {seen['h2']}"
    images = seen["images"]
    assert len(images) >= 3, f"only {len(images)} chart images"
    blank = [i for i, (w, h, shown) in enumerate(images) if not (w > 0 and h > 0 and shown > 0)]
    assert blank == [], f"chart images not drawn: {blank} of {images}"


def test_report_html_opens_offline_in_both_languages(
    page, browser, app_url, screenshot_dir, tmp_path
):
    """Build the report, download the HTML and open it with the network refused: title,
    section headings and chart images all there; then the same in Korean."""
    _load_sample(page, app_url)
    go_to(page, app_url, MODEL_PAGE)
    page.get_by_role("button", name=t("model.train", lang="en")).click()
    wait_for_app(page)
    _no_problems(page, "Model after training")

    go_to(page, app_url, REPORT_PAGE)
    _no_problems(page, "Report page")
    assert page.get_by_text(t("report.no_model", lang="en")).count() == 0, "model not seen"
    path = _download_report(page, tmp_path, "en")
    _check_report(path, _open_offline(browser, path, screenshot_dir, "report_01_html_en"), "en")

    # the app in Korean
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="한국어").click()
    wait_for_app(page)
    _no_problems(page, "Report page in Korean")
    assert page.get_by_role("heading", name=t("report.title", lang="ko")).first.is_visible()
    # Known app behaviour (reported, not asserted): switching the app's language while on
    # the Report page leaves the "report language" radio on English, because the keyed
    # radio keeps its value; its index=current language only applies to a fresh widget.
    # So choose Korean for the report explicitly, as a user would have to.
    radio = page.locator(_key("report.lang"))
    if not radio.get_by_role("radio", name="한국어").is_checked():
        radio.get_by_text("한국어", exact=True).click()
        wait_for_app(page)
    assert radio.get_by_role("radio", name="한국어").is_checked()
    path = _download_report(page, tmp_path, "ko")
    _check_report(path, _open_offline(browser, path, screenshot_dir, "report_02_html_ko"), "ko")
    screenshot(page, screenshot_dir, "report_03_page_ko")
    _no_problems(page, "Report page in Korean after the build")
    assert _confirmed(page, "ko")


# ------------------------------------------------------------------------------ bad files


def _real_zip_bomb() -> bytes:
    """An XLSX whose worksheet is 64 MB of blank XML deflated to well under 1 MB."""
    src = zipfile.ZipFile(io.BytesIO(xlsx({"Data": [["a", "b"], [1, 2]]})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                body = body.replace(b"<sheetData>", b"<sheetData>" + b" " * (64 * MB))
            z.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAD_FILES = [
    ("empty.csv", CSV, lambda: b""),
    ("picture.csv", CSV, lambda: PNG),
    ("header.csv", CSV, lambda: b"customer_id,churn\n"),
    ("longrows.csv", CSV, lambda: b"id,note\n1,a,b\n2,c,d\n3,e,f\n"),
    (
        "declared-bomb.xlsx",
        XLSX,
        lambda: _zip_member_sizes(xlsx({"Data": [["a", "b"], [1, 2]]}), 0xFFFFFFF0),
    ),
    ("bomb.xlsx", XLSX, _real_zip_bomb),
]


def test_bad_files_on_the_data_page_keep_the_sample(page, app_url, screenshot_dir, playwright_api):
    """Bad uploads after the sample: each gets a plain message naming the file and the
    problem, no traceback, and the sample stays the confirmed dataset."""
    _load_sample(page, app_url)
    go_to(page, app_url, DATA_PAGE)
    _no_problems(page, "Data page with the sample")
    kept = t("data.kept_previous", lang="en", name=SAMPLE_NAME)
    main = page.get_by_test_id("stMain")
    problems: list[str] = []
    for name, mime, make in BAD_FILES:
        page.set_input_files(
            UPLOADER, {"name": name, "mimeType": mime, "buffer": make()}, timeout=RUN_TIMEOUT
        )
        wait_for_app(page)
        problems += [f"{name}: exception box: {text}" for text in exceptions(page)]
        lead = t("data.read_failed", lang="en", name=name, message="").strip()
        message = page.locator(ERROR_BOX).filter(has_text=lead)
        try:  # this file's message, not the previous file's
            message.first.wait_for(state="visible", timeout=30_000)
        except playwright_api.TimeoutError:
            pass
        if not (message.count() == 1 and message.is_visible()):
            problems.append(f"{name}: no 'could not be read' box; boxes: {error_boxes(page)}")
        elif len(message.inner_text()) < len(lead) + 20:
            problems.append(f"{name}: the message gives no reason: {message.inner_text()!r}")
        if page.get_by_text(t("common.unexpected_error", lang="en")).count():
            problems.append(f"{name}: the page's unexpected-error box")
        if not main.get_by_text(kept).is_visible():
            problems.append(f"{name}: no {kept!r}")
        if not _confirmed(page):
            problems.append(f"{name}: the sample is no longer the confirmed dataset")
        if name == "picture.csv":
            screenshot(page, screenshot_dir, "data_bad_file_en")
    assert problems == []
    # the sample's own sections are still on the page below the message
    assert main.get_by_text(SAMPLE_NAME, exact=True).first.is_visible()
    assert page.locator(ERROR_BOX).count() == 1, error_boxes(page)  # the last file's only


def test_whatif_on_telco(page, app_url, shared_data, screenshot_dir):
    """A real file: upload Telco, confirm, train on the What-if page, lower one customer's
    monthly charges, save the scenario and find it in the comparison table."""
    telco = shared_data / "telco_customer_churn.csv"
    open_app(page, app_url, "Data")
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(telco))
    wait_for_app(page)
    page.get_by_role("button", name=t("data.confirm", lang="en")).click()
    wait_for_app(page)
    _no_problems(page, "confirming Telco")
    go_to(page, app_url, WHATIF_PAGE)
    page.locator(f"{_key('whatif.train')} button").click()
    wait_for_app(page)
    _no_problems(page, "What-if on Telco after training")
    before = _metric(page, t("whatif.before", lang="en"))
    assert re.fullmatch(r"\d+(\.\d)? %", before), before

    _set_feature(page, "MonthlyCharges", "20")
    assert _metric(page, t("whatif.n_changes", lang="en")) == "1"
    _save_scenario(page, "Cheaper plan")
    frame = page.get_by_test_id("stDataFrame").last
    frame.scroll_into_view_if_needed()
    frame.locator('td[role="gridcell"][aria-colindex="1"]').first.wait_for(state="attached")
    assert _grid_column(frame, 0) == ["Cheaper plan"]
    screenshot(page, screenshot_dir, "whatif_02_telco_en")
    _no_problems(page, "What-if on Telco with a scenario")


# ----------------------------------------------------------------------------- segments
def test_segments_tabs_run_when_opened_and_stay_open(page, app_url, screenshot_dir):
    """The Segments tabs are lazy: a click on one reruns the page and draws its content;
    its widgets keep their values after a visit to another tab and a language switch."""
    _load_sample(page, app_url)
    go_to(page, app_url, SEGMENTS_PAGE)
    _no_problems(page, "segments")
    clv = t("segments.clv_title", lang="en")
    assert page.get_by_text(t("segments.list_title", lang="en")).first.is_visible()
    assert page.get_by_text(clv, exact=True).count() == 0  # the value tab has not run
    page.get_by_role("tab", name=t("segments.tab_value", lang="en")).click()
    wait_for_app(page)
    page.get_by_text(clv, exact=True).first.wait_for(timeout=RUN_TIMEOUT * 1000)
    _no_problems(page, "segments value tab")
    # three value tiers, then away to the churn tab and back: still three
    slider = page.locator(f"{_key('segments.n_tiers')} input[type='range']")
    slider.focus()
    slider.press("ArrowLeft")
    wait_for_app(page)
    assert slider.input_value() == "3"
    screenshot(page, screenshot_dir, "segments_01_value_en")
    page.get_by_role("tab", name=t("segments.tab_churn", lang="en")).click()
    wait_for_app(page)
    assert page.get_by_text(t("segments.list_title", lang="en")).first.is_visible()
    page.get_by_role("tab", name=t("segments.tab_value", lang="en")).click()
    wait_for_app(page)
    page.get_by_text(clv, exact=True).first.wait_for(timeout=RUN_TIMEOUT * 1000)
    assert slider.input_value() == "3"
    # Korean: the value tab stays open, with its content in Korean
    page.locator(_key("sidebar.lang")).get_by_role("combobox").click()
    page.get_by_role("option", name="한국어").click()
    wait_for_app(page)
    page.get_by_text(t("segments.clv_title", lang="ko"), exact=True).first.wait_for(
        timeout=RUN_TIMEOUT * 1000
    )
    selected = page.get_by_role("tab", selected=True).first.inner_text()
    assert t("segments.tab_value", lang="ko") in selected
    assert slider.input_value() == "3"
    _no_problems(page, "segments value tab in Korean")
    screenshot(page, screenshot_dir, "segments_02_value_ko")
