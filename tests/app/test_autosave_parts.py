"""Autosave writes only the parts that changed since the session's last save, and nothing
at all when nothing changed (issue 25: no per-click cost that grows with the room)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from churn.workspace import WorkspaceStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "ws"
    monkeypatch.setenv("CHURNLENS_WORKSPACES", str(path))
    monkeypatch.delenv("CHURNLENS_WORKSPACE_LIST", raising=False)
    monkeypatch.delenv("CHURNLENS_DATABASE_URL", raising=False)
    return path


def test_autosave_skips_unchanged_parts_and_empty_writes(folder, monkeypatch):
    from ui.state import SCENARIOS, WORKSPACE

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.button(key="home.try_sample").click().run()  # confirm -> creates the workspace
    assert not at.exception and not at.error
    ws_id = at.session_state[WORKSPACE]
    stamp = WorkspaceStore(folder).info(ws_id).updated

    calls: list[set[str]] = []
    real = WorkspaceStore.save

    def spy(self, ws, **parts):
        calls.append(set(parts))
        return real(self, ws, **parts)

    monkeypatch.setattr(WorkspaceStore, "save", spy)
    at.button(key="home.try_sample").click().run()  # the same confirm again: nothing new
    assert calls == []
    assert WorkspaceStore(folder).info(ws_id).updated == stamp

    scenario = {"name": "discount", "customer": "C00042", "changes": {"plan": "pro"}}
    at.session_state[SCENARIOS] = {"discount": scenario}
    at.button(key="home.try_sample").click().run()
    assert calls == [{"scenarios"}]
    saved = WorkspaceStore(folder).load(ws_id, with_model=False)
    assert saved.scenarios == {"discount": scenario}
    assert saved.roles is not None and saved.roles.id == "customer_id"

    at.button(key="home.try_sample").click().run()  # unchanged again: no second write
    assert calls == [{"scenarios"}]
    assert at.session_state[WORKSPACE] == ws_id
