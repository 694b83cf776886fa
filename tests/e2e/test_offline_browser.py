"""Real-browser checks of the safe defaults: no request leaves the machine, and the
browser's upload cap is the reader's cap, byte for byte.

* ``test_no_request_leaves_the_machine`` opens Home, loads the sample, visits every page
  through the sidebar, trains the default model and opens the pages that need it, while
  recording every request the browser makes (documents, scripts, styles, fonts, images,
  favicons, websockets). Requests to any host other than the server's loopback address
  are aborted (nothing leaves the machine during the test either) and fail the test.
  Screenshot: ``offline_01_explanations_en``.
* ``test_upload_cap_in_the_browser`` sends a file one byte over the cap (the browser
  refuses it before uploading, with Streamlit's own message) and a file of exactly the
  cap (the browser uploads it and the reader refuses it for its type, not its size).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from churn.io import Limits
from ui.i18n import t

from .conftest import RUN_TIMEOUT
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
PAGES = sorted((ROOT / "pages").glob("*.py"))
DATA_PAGE = ROOT / "pages" / "1_Data.py"
MODEL_PAGE = ROOT / "pages" / "4_Model.py"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
LOCAL_SCHEMES = {"data", "blob", "about"}  # no network at all


def _outside(url: str) -> bool:
    """Whether loading ``url`` would reach a host other than this machine's loopback."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    return (parts.hostname or "") not in LOOPBACK


@pytest.fixture
def watched(page):
    """The test's page, with every request recorded and any to another host aborted."""
    outside: list[str] = []
    seen: list[str] = []

    def record(url: str) -> None:
        seen.append(url)
        if _outside(url):
            outside.append(url)

    def route(r) -> None:
        if _outside(r.request.url):
            r.abort()
        else:
            r.continue_()

    page.context.route("**/*", route)
    page.on("request", lambda req: record(req.url))
    page.on("websocket", lambda ws: record(ws.url))
    return page, outside, seen


def _external_references(page) -> list[str]:
    """URLs of icons, styles, scripts, images and frames in the document that point
    elsewhere (a favicon the browser has not fetched yet would still show up here)."""
    urls = page.evaluate(
        """() => [
            ...[...document.querySelectorAll('link[href]')].map(e => e.href),
            ...[...document.querySelectorAll('script[src], img[src], iframe[src], source[src],'
                + ' video[src], audio[src]')].map(e => e.src),
        ]"""
    )
    return [u for u in urls if _outside(u)]


def test_no_request_leaves_the_machine(watched, app_url, screenshot_dir):
    page, outside, seen = watched
    problems: list[str] = []

    def check(where: str) -> None:
        problems.extend(f"{where}: exception box: {e}" for e in exceptions(page))
        problems.extend(f"{where}: referenced {u}" for u in _external_references(page))

    open_app(page, app_url)
    check("home")
    page.get_by_role("button", name=t("home.try_sample", lang="en")).click()
    wait_for_app(page)
    assert error_boxes(page) == [], "loading the sample failed"
    for page_file in PAGES:
        go_to(page, app_url, page_file)
        check(page_file.stem)
    go_to(page, app_url, MODEL_PAGE)
    page.get_by_role("button", name=t("model.train", lang="en")).click()
    wait_for_app(page)
    assert page.get_by_text("ROC AUC").first.is_visible(), "no ROC AUC after training"
    for page_file in PAGES[3:]:  # the model's pages again, now with a model
        go_to(page, app_url, page_file)
        check(f"{page_file.stem} with a model")
        if page_file.stem.endswith("Explanations"):
            screenshot(page, screenshot_dir, "offline_01_explanations_en")
    page.wait_for_timeout(1000)  # late requests (fonts, favicons) still count

    assert problems == []
    assert outside == [], f"requests that would leave the machine: {outside}"
    # the recorder worked: the app's own scripts, fonts and websocket were seen
    assert any("/_stcore/stream" in u for u in seen)
    assert any(u.endswith(".woff2") for u in seen), "no font request recorded"
    host = urlsplit(app_url).hostname
    assert {urlsplit(u).hostname for u in seen if not urlsplit(u).scheme == "data"} == {host}


def _sparse_pdf(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that starts like a PDF (refused by the reader for its type),
    written sparse so it costs no disk."""
    with open(path, "wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(size)
    return path


def test_upload_cap_in_the_browser(page, app_url, tmp_path):
    cap = Limits().max_bytes
    open_app(page, app_url)
    go_to(page, app_url, DATA_PAGE)

    over = _sparse_pdf(tmp_path / "over_cap.csv", cap + 1)
    page.set_input_files(UPLOADER, str(over), timeout=RUN_TIMEOUT)
    too_large = page.get_by_text(re.compile(r"File must be 200\.0MB or smaller"))
    too_large.first.wait_for(state="visible", timeout=30_000)
    wait_for_app(page)
    assert error_boxes(page) == [], "the over-cap file reached the app"

    exact = _sparse_pdf(tmp_path / "at_cap.csv", cap)
    page.set_input_files(UPLOADER, str(exact), timeout=RUN_TIMEOUT)
    lead = t("data.read_failed", lang="en", name="at_cap.csv", message="").strip()
    box = page.locator(ERROR_BOX).filter(has_text=lead)
    box.first.wait_for(state="visible", timeout=RUN_TIMEOUT)
    wait_for_app(page)
    text = box.first.inner_text()
    assert "PDF document" in text, text  # read up to its first bytes: not refused for size
    assert "more than the limit" not in text
    assert exceptions(page) == []
