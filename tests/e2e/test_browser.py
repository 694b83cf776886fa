"""Real-browser tests: Debian's Chromium, driven by Playwright, against ``streamlit run``.

They load the sample with the home page's button, walk every page through the sidebar,
upload a real file through the real uploader, and save a screenshot of each page to
``tests/e2e/screenshots/`` (gitignored) for a human to look at.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from ui.i18n import t

from .conftest import RUN_TIMEOUT, VIEWPORT

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "pages").glob("*.py"))
SAMPLE = ROOT / "data" / "sample" / "subscriptions.csv"
TELCO = ROOT.parent / "shared" / "data" / "telco_customer_churn.csv"
TELCO_ROWS = 7043
TELCO_CHURNED = 1869  # Churn == "Yes", per ../shared/data/README.md

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
STATUS = '[data-testid="stStatusWidget"]'
EXCEPTION = '[data-testid="stException"]'
UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'
ERROR_BOX = '[data-testid="stAlertContentError"]'
NAV = '[data-testid="stSidebar"]'


def url_name(path: Path) -> str:
    """The URL path Streamlit derives from a page file: 2_Churn_over_time.py -> Churn_over_time."""
    return re.sub(r"^\d+_", "", path.stem)


def wait_for_app(page, timeout: float = RUN_TIMEOUT) -> None:
    """Wait until the script run is over and the page has settled.

    Right after a click the app can still look idle for a moment before the rerun starts,
    so one idle reading proves little: require idle (and no status widget) three times,
    a short pause apart.
    """
    idle = f"() => !!document.querySelector('{APP_IDLE}') && !document.querySelector('{STATUS}')"
    for _ in range(3):
        page.wait_for_function(idle, timeout=timeout)
        page.wait_for_timeout(350)
    page.wait_for_function(idle, timeout=timeout)


def exceptions(page) -> list[str]:
    """The text of every exception box on the page (there should be none)."""
    return [box.inner_text()[:300] for box in page.locator(EXCEPTION).all()]


def error_boxes(page) -> list[str]:
    """The text of every st.error box (expected ones are rare: a page's own data errors)."""
    return [box.inner_text()[:300] for box in page.locator(ERROR_BOX).all()]


def screenshot(page, folder: Path, name: str) -> Path:
    """A screenshot of the whole page, including what is below the fold.

    Streamlit scrolls inside its own main container, so ``full_page`` alone only sees
    the window: grow the window to the content's height, shoot, then restore it.
    """
    measure = (
        "() => Math.max(window.innerHeight, ...[...document.querySelectorAll("
        '\'[data-testid="stMain"], [data-testid="stMainBlockContainer"]\')]'
        ".map(e => e.scrollHeight))"
    )
    # A taller window can reflow the page (wider charts, wrapped text): measure again.
    for _ in range(3):
        height = int(min(page.evaluate(measure) + 60, 10_000))
        if height <= page.viewport_size["height"]:
            break
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        page.wait_for_timeout(300)
    path = folder / f"{name}.png"
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(VIEWPORT)
    return path


def open_app(page, app_url: str, path: str = "") -> None:
    page.goto(f"{app_url}/{path}")
    wait_for_app(page)


def go_to(page, app_url: str, page_file: Path) -> None:
    """Follow the sidebar link to a page: client-side, so the session (and data) is kept."""
    name = url_name(page_file)
    # The menu's links are relative ("Data") or absolute (".../Data") by Streamlit version.
    page.locator(f'{NAV} a[href="{name}"], {NAV} a[href$="/{name}"]').first.click()
    # a saved workspace adds "?ws=<id>" to the address
    page.wait_for_url(re.compile(rf"^{re.escape(app_url)}/{name}(\?.*)?$"))
    wait_for_app(page)


def test_pages_are_discovered():
    assert len(PAGES) >= 7, PAGES


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_sample_tour_of_every_page(page, app_url, screenshot_dir, lang):
    """Home -> "Try the sample data" -> every page via the sidebar, a screenshot each, in
    English and in Korean (``ko_tour_``-prefixed screenshots), the built report included."""
    if not SAMPLE.is_file():
        pytest.fail(f"{SAMPLE} is missing: run `python -m churn.sample` first")
    open_app(page, app_url)
    assert exceptions(page) == []
    prefix = "" if lang == "en" else f"{lang}_tour_"
    if lang != "en":
        switch_language(page, "한국어")
    page.get_by_role("button", name=t("home.try_sample", lang=lang)).click()
    wait_for_app(page)
    assert exceptions(page) == [], "loading the sample failed"
    assert error_boxes(page) == [], "loading the sample failed"
    confirmed = t("common.status_confirmed", lang=lang, name="subscriptions.csv")
    sidebar = page.get_by_test_id("stSidebar")
    assert sidebar.get_by_text(confirmed).is_visible(), "the sample was not loaded and confirmed"
    screenshot(page, screenshot_dir, f"{prefix}00_home")

    problems: list[str] = []
    for i, page_file in enumerate(PAGES, start=1):
        name = url_name(page_file)
        go_to(page, app_url, page_file)
        if name == "Model":
            # Train the default model, so the pages after this one have a model to use.
            page.get_by_role("button", name=t("model.train", lang=lang)).click()
            wait_for_app(page)
            if not page.get_by_text("ROC AUC").first.is_visible():
                problems.append("Model: no ROC AUC shown after training")
        if name == "Report":
            problems += built_report_screenshot(page, screenshot_dir, lang)
        screenshot(page, screenshot_dir, f"{prefix}{i:02d}_{name}")
        problems += [f"{name}: exception box: {text}" for text in exceptions(page)]
        problems += [f"{name}: error box: {text}" for text in error_boxes(page)]
        if not page.locator("h1").first.is_visible():
            problems.append(f"{name}: no page title")
        if not sidebar.get_by_text(confirmed).is_visible():
            problems.append(f"{name}: the loaded sample is gone from the session")
        if page.get_by_text(t("common.need_data", lang=lang)).count():
            problems.append(f"{name}: asks for data although the sample is loaded")
    assert problems == []


def built_report_screenshot(page, folder: Path, lang: str = "en") -> list[str]:
    """Build the report on the Report page, download its HTML and open it in the browser: a
    screenshot of the report itself (``report_<lang>.png``) beside the page's."""
    page.get_by_role("button", name=t("report.build", lang=lang)).click()
    wait_for_app(page)
    link = page.get_by_text(t("report.download_html", lang=lang))
    if not link.count():
        return ["Report: no HTML download after building"]
    with page.expect_download() as info:
        link.first.click()
    saved = folder / f"report_{lang}.html"
    info.value.save_as(saved)
    report = page.context.new_page()
    try:
        report.set_viewport_size(VIEWPORT)
        report.goto(saved.as_uri())
        report.screenshot(path=str(folder / f"report_{lang}.png"), full_page=True)
        summary = report.locator("#summary li").count()
    finally:
        report.close()
    return [] if summary >= 3 else [f"Report: the executive summary has {summary} points"]


def test_every_page_opens_directly_without_data(page, app_url, screenshot_dir):
    """A visitor who opens /<Page> first, with no data, gets a working page, not an error."""
    for i, page_file in enumerate(PAGES, start=1):
        name = url_name(page_file)
        open_app(page, app_url, name)
        assert exceptions(page) == [], name
        assert error_boxes(page) == [], name
        assert page.locator("h1").first.is_visible(), name
        screenshot(page, screenshot_dir, f"empty_{i:02d}_{name}")


def switch_language(page, option: str) -> None:
    """Choose ``option`` in the sidebar's language box (its first select box)."""
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name=option).click()
    wait_for_app(page)


def test_language_switch_in_the_browser(page, app_url, screenshot_dir):
    open_app(page, app_url)
    switch_language(page, "한국어")
    assert exceptions(page) == []
    assert page.get_by_role("button", name=t("home.try_sample", lang="ko")).is_visible()
    assert page.get_by_text(t("home.pages_title", lang="ko")).is_visible()
    # Korean text needs a Korean font in the browser's system (Debian: fonts-nanum).
    screenshot(page, screenshot_dir, "ko_00_home")


def test_upload_a_real_file_on_the_data_page(page, app_url, shared_data, screenshot_dir):
    """The real uploader on the Data page reads the Telco file and shows its 7,043 rows."""
    path = shared_data / TELCO.name
    open_app(page, app_url, "Data")
    page.set_input_files(UPLOADER, str(path), timeout=RUN_TIMEOUT)
    wait_for_app(page)
    screenshot(page, screenshot_dir, "upload_telco")
    assert exceptions(page) == []
    main = page.get_by_test_id("stMain")
    assert main.get_by_text(re.compile(rf"\b{TELCO_ROWS:,}\b")).count() >= 1, "row count not shown"
    assert main.get_by_text(re.compile(rf"\b{TELCO_CHURNED:,}\b")).count() >= 1, "churned not shown"

    # Confirming the proposed roles makes the file the session's dataset for every page.
    page.get_by_role("button", name=t("data.confirm", lang="en")).click()
    wait_for_app(page)
    screenshot(page, screenshot_dir, "upload_telco_confirmed")
    assert exceptions(page) == [] and error_boxes(page) == []
    confirmed = t("common.status_confirmed", lang="en", name=TELCO.name)
    assert page.get_by_test_id("stSidebar").get_by_text(confirmed).is_visible()
