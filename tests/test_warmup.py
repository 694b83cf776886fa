"""ui/warmup.py: first-use work done once per real server, never under AppTest."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui import warmup


def test_the_walk_runs_through():
    """run(): a contained read, a contained training and the drivers on a generated file,
    to the end (``LAST`` is set only when no step raised), leaving the model reader's and
    the explainers' modules loaded in this process."""
    import sys

    warmup.LAST["seconds"] = None
    seconds = warmup.run()
    assert seconds > 0 and warmup.LAST["seconds"] == seconds
    assert {"skops.io", "lightgbm", "churn.explain"} <= set(sys.modules)


def test_off_under_apptest_and_when_asked(monkeypatch):
    """Under AppTest (a stand-in Runtime) the bootstrap starts nothing; CHURNLENS_WARMUP=off
    turns it off in a real server too."""

    def script():
        import streamlit as st

        from ui import warmup

        st.write(f"real={warmup._real_server()} started={warmup.on_bootstrap()}")

    at = AppTest.from_function(script).run()
    assert at.markdown[0].value == "real=False started=False"
    monkeypatch.setenv(warmup.ENV_WARMUP, "off")
    assert warmup.enabled() is False
    monkeypatch.setenv(warmup.ENV_WARMUP, "on")
    assert warmup.enabled() is True
