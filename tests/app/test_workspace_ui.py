"""AppTest of workspaces: autosave on confirm and train, restore from ``?ws=<id>`` in a new
session without a click, a bad id shows a message, and the sidebar list's actions."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from churn.workspace import WorkspaceStore, new_id

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
MODEL_PAGE = "pages/4_Model.py"
TIMEOUT = 180  # training on a shared 2-core machine


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """Workspaces in a fresh folder for each test (never the project's ./workspaces)."""
    path = tmp_path / "ws"
    monkeypatch.setenv("CHURNLENS_WORKSPACES", str(path))
    monkeypatch.delenv("CHURNLENS_WORKSPACE_LIST", raising=False)
    return path


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def _sample_session() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.button(key="home.try_sample").click().run()
    assert not _problems(at), _problems(at)
    return at


def _reopen(ws_id: str, page: str | None = None) -> AppTest:
    """A brand-new session (a refresh / reopened tab) whose URL carries ``?ws=<id>``,
    with Streamlit's caches emptied as after a restart of the app process."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["ws"] = ws_id
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def _texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def test_confirm_saves_and_a_new_session_restores_it(folder):
    from ui.state import CONFIRMED, DATASET, WORKSPACE

    at = _sample_session()
    ws_id = at.session_state[WORKSPACE]
    assert ws_id and len(ws_id) == 32
    assert at.query_params["ws"] in (ws_id, [ws_id])
    infos = WorkspaceStore(folder).list()
    assert [i.id for i in infos] == [ws_id]
    assert infos[0].file_name == "subscriptions.csv" and infos[0].customers == 5000
    conf = at.session_state[CONFIRMED]

    # the same sample again in the same session updates that workspace, no second one
    at.button(key="home.try_sample").click().run()
    assert [i.id for i in WorkspaceStore(folder).list()] == [ws_id]

    again = _reopen(ws_id)
    assert not _problems(again), _problems(again)
    assert again.session_state[DATASET].content_hash == conf.content_hash
    assert again.session_state[CONFIRMED].key == conf.key
    assert again.session_state[WORKSPACE] == ws_id
    assert "subscriptions.csv" in _texts(again.sidebar.success)
    # the data page shows the confirmed table without any click
    again.switch_page("pages/1_Data.py").run()
    assert not _problems(again), _problems(again)
    assert any("5,000" in str(m.value) for m in again.metric)


def test_trained_model_survives_a_new_session(folder, monkeypatch):
    from churn import model as M
    from ui.state import MODEL, RESTORED_MODEL

    at = _sample_session()
    at.switch_page(MODEL_PAGE).run()
    at.selectbox(key="model.choice").set_value("logistic")
    at.button(key="model.train").click().run()
    assert not _problems(at), _problems(at)
    before = {m.label: m.value for m in at.metric}
    handle = at.session_state[MODEL]
    ws_id = at.query_params["ws"]
    ws_id = ws_id[0] if isinstance(ws_id, list) else ws_id
    assert WorkspaceStore(folder).info(ws_id).has_model

    def no_training(*args, **kwargs):
        raise AssertionError("the restored session trained the model again")

    monkeypatch.setattr(M, "train", no_training)
    again = _reopen(ws_id, MODEL_PAGE)
    assert not _problems(again), _problems(again)
    assert again.session_state[MODEL] == handle
    assert again.session_state[RESTORED_MODEL] is not None  # no retraining needed
    assert again.selectbox(key="model.choice").value == "logistic"
    after = {m.label: m.value for m in again.metric}
    assert after == before  # the same metrics from the restored model and its scores
    # no "the settings above differ from the model shown below" note after a restore
    assert not any("settings above differ" in str(c.value) for c in again.caption)


@pytest.mark.parametrize("bad", ["nope", "../../etc/passwd", None])
def test_bad_or_unknown_id_shows_a_message_and_the_app_works(folder, bad):
    from ui.state import DATASET

    at = _reopen(bad or new_id())  # None: a well-formed id that was never saved
    assert not at.exception
    assert "not found" in _texts(at.sidebar.warning)
    assert at.session_state[DATASET] is None
    assert "ws" not in at.query_params
    at.button(key="home.try_sample").click().run()  # the app still works
    assert not _problems(at), _problems(at)
    assert at.session_state[DATASET] is not None


def test_damaged_workspace_shows_a_message(folder):
    good = _sample_session().query_params["ws"]
    store = WorkspaceStore(folder)
    good = good[0] if isinstance(good, list) else good
    bad = store.duplicate(good, "broken")
    store.path_of(bad).write_bytes(b"garbage" * 100)
    at = _reopen(bad)
    assert not at.exception
    assert "cannot be opened" in _texts(at.sidebar.error)
    assert store.load(good).name  # the other one still opens


def test_list_rename_duplicate_delete_with_confirmation(folder, monkeypatch):
    from ui.state import WORKSPACE

    # The last step opens another session's workspace from the list: the full list is off
    # by default on a shared server (tests/app/test_safe_defaults.py), so switch it on.
    monkeypatch.setenv("CHURNLENS_WORKSPACE_LIST", "on")

    at = _sample_session()
    ws_id = at.session_state[WORKSPACE]
    store = WorkspaceStore(folder)
    assert at.radio(key="ws.pick").value == ws_id

    at.text_input(key="ws.new_name").input("Acme workshop").run()
    at.button(key="ws.rename").click().run()
    assert store.info(ws_id).name == "Acme workshop"

    at.button(key="ws.duplicate").click().run()
    copies = [i for i in store.list() if i.id != ws_id]
    assert [c.name for c in copies] == ["Acme workshop (copy)"]
    copy_id = copies[0].id
    assert at.radio(key="ws.pick").value == copy_id

    at.text_area(key="ws.notes").input("Top 200 for the call centre").run()
    at.button(key="ws.save_notes").click().run()
    assert store.load(ws_id, with_model=False).notes == "Top 200 for the call centre"

    # delete asks first; cancel keeps it; confirming removes it
    at.button(key="ws.delete").click().run()
    assert "cannot be undone" in _texts(at.warning)
    at.button(key="ws.delete_no").click().run()
    assert store.exists(copy_id)
    at.button(key="ws.delete").click().run()
    at.button(key="ws.delete_yes").click().run()
    assert not store.exists(copy_id) and store.exists(ws_id)
    assert not _problems(at), _problems(at)

    # reopen from the list in a session that has other data loaded
    other = _sample_session()
    other_id = other.session_state[WORKSPACE]
    assert other_id != ws_id  # a new session's first save is its own workspace
    other.radio(key="ws.pick").set_value(ws_id).run()
    other.button(key="ws.open").click().run()
    assert other.session_state[WORKSPACE] == ws_id
    assert other.query_params["ws"] in (ws_id, [ws_id])


def test_korean_messages(folder):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["cl.lang"] = "ko"
    at.query_params["ws"] = new_id()
    at.run()
    assert not at.exception
    assert "찾을 수 없습니다" in _texts(at.sidebar.warning)


def test_every_page_runs_after_a_restore(folder):
    """Pages read the restored session like any other; the URL keeps the id on each page."""
    from ui.nav import PAGES

    ws_id = _sample_session().session_state["cl.workspace"]
    at = _reopen(ws_id)
    for path in PAGES.values():
        at.switch_page(path).run()
        assert not at.exception, (path, [e.message for e in at.exception])
        assert at.query_params["ws"] in (ws_id, [ws_id]), path


def test_scenarios_ride_along_and_come_back(folder):
    """Any autosave writes the session's scenarios; a new session gets them back."""
    from ui.state import SCENARIOS, WORKSPACE

    at = _sample_session()
    ws_id = at.session_state[WORKSPACE]
    scenario = {"name": "discount", "customer": "C00042", "changes": {"plan": "pro"},
                "before": 0.61, "after": 0.38}  # fmt: skip
    at.session_state[SCENARIOS] = {"discount": scenario}
    at.button(key="home.try_sample").click().run()  # confirms again -> autosave
    assert WorkspaceStore(folder).load(ws_id, with_model=False).scenarios == {"discount": scenario}
    again = _reopen(ws_id)
    assert again.session_state[SCENARIOS] == {"discount": scenario}
