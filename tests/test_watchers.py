"""No polling watcher runs in production (issue 25): with ``fileWatcherType = "none"``
Streamlit's config-file poller stops after its pending look."""

from __future__ import annotations

import time

import pytest
from streamlit import config
from streamlit.watcher import polling_path_watcher, util

from ui import watchers

PERIOD = 0.2  # Streamlit's polling period (streamlit/watcher/polling_path_watcher.py)


@pytest.fixture
def looks(monkeypatch, tmp_path):
    """Counts of the poller's looks at a watched file (each look stats the file)."""
    seen: list[str] = []
    real = util.path_modification_time

    def counting(path, *args, **kwargs):
        seen.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(util, "path_modification_time", counting)
    # an AppTest run earlier in this process may have stopped the poller (its config says
    # "none"): each test starts from Streamlit's own method and leaves it so
    watchers.resume_polling()
    path = tmp_path / "config.toml"
    path.write_text("[server]\n")
    yield seen, str(path)
    watchers.resume_polling()


def _watch(path: str) -> polling_path_watcher.PollingPathWatcher:
    return polling_path_watcher.PollingPathWatcher(path, lambda _p: None)


def test_with_no_file_watcher_the_poller_stops(looks, monkeypatch):
    seen, path = looks
    monkeypatch.setattr(config, "get_option", lambda key: "none")
    w = _watch(path)
    assert watchers.stop_polling() and watchers.stop_polling()  # idempotent
    time.sleep(6 * PERIOD)
    assert 1 <= seen.count(path) <= 2  # the constructor's look and the one already queued
    w.close()


def test_a_developer_watcher_keeps_polling(looks, monkeypatch):
    seen, path = looks
    monkeypatch.setattr(config, "get_option", lambda key: "poll")
    w = _watch(path)
    assert not watchers.stop_polling()
    time.sleep(6 * PERIOD)
    w.close()
    assert seen.count(path) >= 4
