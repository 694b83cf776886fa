"""Shared fixtures: paths to the project, its samples and the real public data."""

from __future__ import annotations

import os
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
