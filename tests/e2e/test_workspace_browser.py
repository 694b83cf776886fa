"""Real-browser test of workspaces: load the sample, train, reload the page, and find the
trained model still there (English and Korean screenshots).

The server of ``conftest.app_url`` saves workspaces in the temporary folder
``workspace_dir``; the test deletes the workspace it made.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from churn.workspace import WorkspaceStore, is_valid_id
from ui.i18n import t

from .test_browser import error_boxes, exceptions, go_to, open_app, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
MODEL_PAGE = ROOT / "pages" / "4_Model.py"


def _ws_id(page) -> str | None:
    values = parse_qs(urlparse(page.url).query).get("ws")
    return values[0] if values else None


def _wait_for_ws(page) -> str:
    page.wait_for_function("() => new URL(window.location.href).searchParams.has('ws')")
    ws_id = _ws_id(page)
    assert is_valid_id(ws_id), page.url
    return ws_id


def test_trained_model_survives_a_reload(page, app_url, workspace_dir, screenshot_dir):
    open_app(page, app_url)
    page.get_by_role("button", name=t("home.try_sample", lang="en")).click()
    wait_for_app(page)
    ws_id = _wait_for_ws(page)  # the confirmed sample is saved; the URL carries its id
    store = WorkspaceStore(workspace_dir)
    try:
        assert store.info(ws_id).ok

        go_to(page, app_url, MODEL_PAGE)
        page.get_by_role("button", name=t("model.train", lang="en")).click()
        wait_for_app(page)
        assert page.get_by_text("ROC AUC").first.is_visible(), "no ROC AUC after training"
        page.wait_for_function(
            f"() => new URL(window.location.href).searchParams.get('ws') === '{ws_id}'"
        )
        assert store.info(ws_id).has_model, "training did not save the model"
        before = page.get_by_test_id("stMetric").first.inner_text()

        page.reload()  # a new Streamlit session: only the URL remembers the work
        wait_for_app(page)
        assert exceptions(page) == [] and error_boxes(page) == []
        assert _ws_id(page) == ws_id
        assert page.get_by_text("ROC AUC").first.is_visible(), "the model was lost on reload"
        assert not page.get_by_text(t("model.press_train", lang="en")).count()
        assert page.get_by_test_id("stMetric").first.inner_text() == before
        restored = t("workspace.restored", lang="en", name=store.info(ws_id).name)
        assert page.get_by_test_id("stSidebar").get_by_text(restored).is_visible()
        screenshot(page, screenshot_dir, "ws_01_model_after_reload_en")

        # the same in Korean: switch language, reload again, the model is still there
        page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name="한국어").click()
        wait_for_app(page)
        page.get_by_test_id("stSidebar").get_by_text(
            t("workspace.title", lang="ko"), exact=True
        ).click()
        wait_for_app(page)
        assert page.get_by_text("ROC AUC").first.is_visible()
        screenshot(page, screenshot_dir, "ws_02_model_and_workspaces_ko")
    finally:
        if store.exists(ws_id):
            store.delete(ws_id)


def test_unknown_workspace_link_is_friendly(page, app_url, screenshot_dir):
    open_app(page, app_url, "?ws=" + "x" * 32)
    assert exceptions(page) == []
    message = t("workspace.not_found", lang="en")
    assert page.get_by_test_id("stSidebar").get_by_text(message).is_visible()
    assert page.get_by_role("button", name=t("home.try_sample", lang="en")).is_visible()
    screenshot(page, screenshot_dir, "ws_03_unknown_link_en")
