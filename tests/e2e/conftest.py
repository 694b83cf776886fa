"""Browser-test fixtures: a real ``streamlit run app.py`` server and Debian's Chromium.

Playwright's own browser downloads are never used (no ``playwright install``): the
browser is the system package at ``/usr/bin/chromium``. When it or the Playwright Python
package is missing, the browser tests are skipped with the reason, except under CI
(environment variable ``CI`` set), where they fail: CI must never pass without them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


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
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    env = {**os.environ, "CHURNLENS_WORKSPACES": str(workspace_dir)}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while not _healthy(url):
            if proc.poll() is not None:
                pytest.fail(
                    f"streamlit exited with code {proc.returncode}:\n{_tail(log_path)}",
                    pytrace=False,
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit did not answer {url}/_stcore/health within "
                    f"{HEALTH_TIMEOUT:.0f} s:\n{_tail(log_path)}",
                    pytrace=False,
                )
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


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
