"""Shared fixtures: paths to the project, its samples and the real public data."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "sample"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real public churn files; required in CI, skipped with a reason elsewhere."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_DATA} is missing in CI, where it must be present")
        pytest.skip(f"real data folder {SHARED_DATA} is not present on this machine")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _workspaces_in_tmp(tmp_path, monkeypatch):
    """Every test saves workspaces under its own temporary folder, never in the checkout."""
    monkeypatch.setenv("CHURNLENS_WORKSPACES", str(tmp_path / "workspaces"))


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A throw-away PostgreSQL server for the session (tests/support/postgres.py): its URL.
    Required in CI (`.ci/run` installs Debian's postgresql); skipped with a reason elsewhere
    when the server programs are not installed."""
    from tests.support.postgres import postgres_bin, start_postgres

    if postgres_bin() is None:
        if os.environ.get("CI"):
            pytest.fail(
                "PostgreSQL's server programs are missing in CI, where they must be present"
            )
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed here")
    # its own folder under /tmp: pytest's folders are private to root, and the server may
    # run as the postgres user
    folder = Path(tempfile.mkdtemp(prefix="churnlens-pg-"))
    server = start_postgres(folder)
    yield server.url
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


E2E = Path(__file__).resolve().parent / "e2e"
CLI = Path(__file__).resolve().parent / "cli"


def pytest_collection_modifyitems(config, items):
    """Every test under ``tests/e2e/`` is a browser test: marked ``browser`` (and ``e2e``);
    every test under ``tests/cli/`` starts ``python -m churn`` in a subprocess (seconds
    each): marked ``slow``. The fast loop ``python -m pytest -n 2 -m "not slow and not
    browser"`` leaves both out; the full suite runs them."""
    for item in items:
        parents = Path(str(item.path)).parents
        if E2E in parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.e2e)
        elif CLI in parents:
            item.add_marker(pytest.mark.slow)
