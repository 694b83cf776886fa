"""Files that once took the server down, uploaded through the real uploader.

After each one the server must still answer ``/_stcore/health`` and another browser
session must still be able to load a file and confirm it.
"""

from __future__ import annotations

import re
import urllib.request

import pytest

from tests.hostile import far_cell_xlsx, hashed_csv_text, padded_xlsx
from ui.i18n import t

from .conftest import RUN_TIMEOUT, VIEWPORT
from .test_browser import (
    ERROR_BOX,
    UPLOADER,
    error_boxes,
    exceptions,
    open_app,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _healthy(app_url: str) -> bool:
    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=10) as resp:
        return resp.status == 200 and resp.read().strip() == b"ok"


def _upload(page, name: str, mime: str, data: bytes) -> None:
    payload = {"name": name, "mimeType": mime, "buffer": data}
    page.set_input_files(UPLOADER, files=[payload], timeout=RUN_TIMEOUT)
    wait_for_app(page)


def test_hostile_uploads_leave_the_server_and_other_sessions_working(
    browser, page, app_url, screenshot_dir
):
    open_app(page, app_url, "Data")
    main = page.get_by_test_id("stMain")

    # 1. hashed e-mails: read as text, 60 customers, confirmable
    _upload(page, "crm_hashed.csv", "text/csv", hashed_csv_text(60).encode())
    screenshot(page, screenshot_dir, "hostile_01_hashed_csv")
    assert exceptions(page) == [] and error_boxes(page) == []
    assert main.get_by_text(re.compile(r"\b60\b")).count() >= 1
    assert _healthy(app_url)

    # 2. a 2 KB workbook whose declared range reaches XFD1048576: its six rows are read
    _upload(page, "padded.xlsx", XLSX, padded_xlsx())
    screenshot(page, screenshot_dir, "hostile_02_padded_xlsx")
    assert exceptions(page) == [] and error_boxes(page) == []
    assert main.get_by_text(re.compile(r"\b5 rows\b|\b5 customers\b|\b5\b")).count() >= 1
    assert _healthy(app_url)

    # 3. a real value at GR2000000: refused with a message naming the cell, server up
    _upload(page, "far_cell.xlsx", XLSX, far_cell_xlsx())
    screenshot(page, screenshot_dir, "hostile_03_far_cell_xlsx")
    assert exceptions(page) == []
    errors = error_boxes(page)
    assert errors and any("GR2000000" in e for e in errors), errors
    assert _healthy(app_url)

    # 4. a second participant, in their own browser session, still gets a working app
    other = browser.new_context(viewport=VIEWPORT, locale="en-US")
    other.set_default_timeout(RUN_TIMEOUT)
    try:
        second = other.new_page()
        open_app(second, app_url, "Data")
        _upload(second, "crm_hashed.csv", "text/csv", hashed_csv_text(60).encode())
        second.get_by_role("button", name=t("data.confirm", lang="en")).click()
        wait_for_app(second)
        screenshot(second, screenshot_dir, "hostile_04_second_session")
        assert exceptions(second) == [] and error_boxes(second) == []
        confirmed = t("common.status_confirmed", lang="en", name="crm_hashed.csv")
        assert second.get_by_test_id("stSidebar").get_by_text(confirmed).is_visible()
        assert second.locator(ERROR_BOX).count() == 0
    finally:
        other.close()
    assert _healthy(app_url)
