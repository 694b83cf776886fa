"""AppTest smoke tests: the home page and every page run, with and without a dataset.

Pages are discovered with a glob, so a new file in ``pages/`` is covered without editing
this module. "Runs" means: no uncaught exception (``at.exception``) and no error box
(``at.error``); a page that needs data must say so with the Data-page pointer instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import t
from ui.widgets import PAGES as WIDGET_PAGES

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
SAMPLE = ROOT / "data" / "sample" / "subscriptions.csv"
TIMEOUT = 90
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _page_id(path: str) -> str:
    return Path(path).stem


def _problems(at: AppTest) -> list[str]:
    """Uncaught exceptions and error boxes on the last run, as readable lines."""
    out = [f"exception: {e.message}" for e in at.exception]
    out += [f"error box: {e.value}" for e in at.error]
    return out


def _texts(at: AppTest) -> list[str]:
    """Every visible string of the main area that a test may look for."""
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning"):
        texts += [str(el.value) for el in at.get(kind)]
    return texts


def _home() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def _with_sample() -> AppTest:
    """The home page after one click on "Try the sample data"."""
    if not SAMPLE.is_file():
        pytest.fail(f"{SAMPLE.relative_to(ROOT)} is missing: run `python -m churn.sample` first")
    at = _home().run()
    at.button(key="home.try_sample").click().run()
    return at


def test_pages_are_discovered():
    # The seven pages of DESIGN.md; a glob that found nothing would make the tests vacuous.
    assert len(PAGES) >= 7, PAGES
    assert all(p.startswith("pages/") for p in PAGES)


# --- no dataset --------------------------------------------------------------------------


def test_home_runs_without_data():
    at = _home().run()
    assert _problems(at) == []
    assert [el.value for el in at.title] == ["ChurnLens"]
    assert t("home.status_none", lang="en") in _texts(at)
    assert at.button(key="home.try_sample").label == t("home.try_sample", lang="en")


def test_home_links_to_every_page():
    at = _home().run()
    linked = {el.proto.page for el in at.get("page_link")}
    # Streamlit names a page after its file: "2_Churn_over_time.py" -> "Churn_over_time".
    expected = {re.sub(r"^\d+_", "", Path(p).stem) for p in PAGES}
    missing = {
        name for name in expected if name not in linked and name.replace("_", " ") not in linked
    }
    assert missing == set(), f"home page has no link to {sorted(missing)}; links: {sorted(linked)}"


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_page_runs_without_data_when_opened_directly(page):
    """A page opened by URL runs without app.py having run first (bootstrap does the setup)."""
    # Like a visitor opening /<Page> first: app.py is the entrypoint but never runs.
    # (AppTest.from_file(page) would make the page itself the entrypoint, which the real
    # server never does, and then every st.page_link path would resolve wrongly.)
    at = _home().switch_page(page).run()
    assert "home.try_sample" not in [b.key for b in at.button], "app.py ran instead of the page"
    assert _problems(at) == []
    assert len(at.title) >= 1, "every page starts with a title (page_header)"


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_page_runs_without_data_after_home(page):
    at = _home().run()
    at.switch_page(page).run()
    assert _problems(at) == []
    assert len(at.title) >= 1


# --- with the sample loaded --------------------------------------------------------------


def test_try_sample_loads_and_confirms_the_sample():
    at = _with_sample()
    assert _problems(at) == []
    ds, conf = at.session_state["cl.dataset"], at.session_state["cl.confirmed"]
    assert ds is not None and ds.name == SAMPLE.name and ds.is_sample
    assert conf is not None and conf.content_hash == ds.content_hash
    assert t("home.status_ready", lang="en", name=SAMPLE.name) in _texts(at)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_page_runs_with_the_sample(page, lang):
    at = _with_sample()
    assert at.session_state["cl.confirmed"] is not None, _problems(at)
    if lang != "en":
        at.selectbox(key="sidebar.lang").set_value(lang).run()
    at.switch_page(page).run()
    assert _problems(at) == []
    assert at.session_state["cl.lang"] == lang
    # The data gate must let the page through: no "load a file first" pointer.
    assert t("common.need_data", lang=lang) not in _texts(at)
    # The dataset survives the page switch.
    assert at.session_state["cl.confirmed"] is not None


# --- language ----------------------------------------------------------------------------


def test_language_switch_to_korean_changes_the_home_page():
    at = _home().run()
    english = _texts(at)
    assert t("home.pitch", lang="en") in english

    at.selectbox(key="sidebar.lang").set_value("ko").run()
    assert _problems(at) == []
    assert at.session_state["cl.lang"] == "ko"
    korean = _texts(at)
    for key in ("home.pitch", "home.status_none", "home.pages_title"):
        assert t(key, lang="ko") in korean, key
        assert t(key, lang="en") not in korean, key
    assert at.button(key="home.try_sample").label == t("home.try_sample", lang="ko")
    assert HANGUL.search(at.button(key="home.try_sample").label)
    # Every page's question listed on the home page is now in Korean.
    questions = [t(f"{ns}.question", lang="ko") for ns in WIDGET_PAGES]
    assert questions and all(HANGUL.search(q) and q in korean for q in questions)


def test_language_survives_a_page_switch():
    at = _home().run()
    at.selectbox(key="sidebar.lang").set_value("ko").run()
    at.switch_page(PAGES[-1]).run()
    assert _problems(at) == []
    assert at.session_state["cl.lang"] == "ko"
    assert all(HANGUL.search(el.value) for el in at.title), [el.value for el in at.title]
    at.switch_page("app.py").run()
    assert t("home.pitch", lang="ko") in _texts(at)


# --- error boundary ----------------------------------------------------------------------


def _boundary_script():
    """A tiny app: a counter in session state and a boundary that fails on demand."""
    import streamlit as st

    from churn.errors import ChurnDataError
    from ui.errors import boundary

    st.session_state.setdefault("cl.kept", 0)
    st.session_state.setdefault("mode", "ok")
    if st.button("more", key="more"):
        st.session_state["cl.kept"] += 1
    st.write(f"kept={st.session_state['cl.kept']}")
    with boundary("smoke"):
        st.write("inside the boundary")
        if st.session_state["mode"] == "crash":
            raise RuntimeError("boom: internal detail")
        if st.session_state["mode"] == "data":
            raise ChurnDataError("has no dates", fix="Pick another column.", column="signup")
        if st.session_state["mode"] == "stop":
            st.stop()
    st.write("after the boundary")


def _boundary_app() -> AppTest:
    return AppTest.from_function(_boundary_script, default_timeout=TIMEOUT)


def test_boundary_turns_an_exception_into_a_friendly_message_and_keeps_state():
    at = _boundary_app().run()
    at.button(key="more").click().run()
    at.button(key="more").click().run()
    assert at.session_state["cl.kept"] == 2
    assert at.error.len == 0

    at.session_state["mode"] = "crash"
    at.run()
    assert at.exception.len == 0, "the boundary must not let a traceback through"
    assert [e.value for e in at.error] == [t("common.unexpected_error", lang="en")]
    # No details box: the exception's type and text stay on the server (ui.errors.incident);
    # the page shows the incident reference that the log line carries.
    assert at.expander.len == 0
    refs = [r for c in at.caption for r in re.findall(r"\b[0-9a-f]{8}\b", c.value)]
    assert len(refs) == 1, [c.value for c in at.caption]
    assert not any("boom" in s or "RuntimeError" in s or "Traceback" in s for s in _texts(at))
    # Code after the boundary still runs, and the user's state is intact.
    assert "after the boundary" in _texts(at)
    assert at.session_state["cl.kept"] == 2

    # The next interaction works as usual and recovers once the cause is gone.
    at.session_state["mode"] = "ok"
    at.button(key="more").click().run()
    assert at.session_state["cl.kept"] == 3
    assert _problems(at) == [] and at.expander.len == 0
    assert "kept=3" in _texts(at)


def test_boundary_shows_a_data_error_with_its_fix_and_no_details_box():
    at = _boundary_app()
    at.session_state["mode"] = "data"
    at.run()
    assert at.exception.len == 0
    assert at.error.len == 1
    message = at.error[0].value
    assert "signup" in message and "has no dates" in message and "Pick another column." in message
    assert at.expander.len == 0


def test_boundary_lets_st_stop_through_as_control_flow():
    at = _boundary_app()
    at.session_state["mode"] = "stop"
    at.run()
    assert _problems(at) == []
    texts = _texts(at)
    assert "inside the boundary" in texts and "after the boundary" not in texts
