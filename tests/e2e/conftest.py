"""Browser-test fixtures: a real ``streamlit run app.py`` server and Debian's Chromium.

Playwright's own browser downloads are never used (no ``playwright install``): the
browser is the system package at ``/usr/bin/chromium``. When it or the Playwright Python
package is missing, the browser tests are skipped with the reason, except under CI
(environment variable ``CI`` set), where they fail: CI must never pass without them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.server import AppServer, ServerError

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = Path(os.environ.get("CHURNLENS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
HEALTH_TIMEOUT = 60.0  # seconds for the server to answer /_stcore/health
RUN_TIMEOUT = 90_000  # milliseconds for one script run (the first import of shap is slow)
VIEWPORT = {"width": 1280, "height": 900}


def _unavailable(reason: str) -> None:
    """Fail under CI, skip elsewhere: a missing browser must not look like a pass in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_api():
    """The Playwright sync API module (imported lazily so unit runs never need it)."""
    try:
        from playwright import sync_api
    except ImportError as exc:  # pragma: no cover - depends on the machine
        _unavailable(f"the playwright Python package is not installed ({exc})")
    return sync_api


@pytest.fixture(scope="session")
def browser(playwright_api):
    """Debian's Chromium, headless, driven by Playwright; closed at the end of the session."""
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} is missing (install Debian's `chromium` package)")
    with playwright_api.sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except playwright_api.Error as exc:
            _unavailable(f"{CHROMIUM} would not start: {exc}")
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def workspace_dir(tmp_path_factory) -> Path:
    """Where the test server saves workspaces: a temporary folder, never the checkout."""
    return tmp_path_factory.mktemp("workspaces")


@pytest.fixture(scope="session")
def app_url(tmp_path_factory, workspace_dir) -> Iterator[str]:
    """A ``streamlit run app.py`` server on a free loopback port, stopped at the end."""
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    server = AppServer(env={"CHURNLENS_WORKSPACES": str(workspace_dir)}, log_path=log_path)
    try:
        server.start(timeout=HEALTH_TIMEOUT)
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def page(browser, app_url):
    """A fresh browser context (its own Streamlit session) with a desktop-sized window."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(RUN_TIMEOUT)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
