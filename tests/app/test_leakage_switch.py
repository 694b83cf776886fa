"""The Data page's "Keep columns measured after the customer left" switch (issue 17, item 4),
driven through AppTest with a generated export (tests/leakage_frames.py) uploaded through
the real ``st.file_uploader``."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.leakage_frames import recency_frame
from ui.i18n import catalogue
from ui.state import CONFIRMED

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120
EN, KO = catalogue("en"), catalogue("ko")
KEY = "data.keep_after_exit"


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _upload(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    if lang != "en":
        at.selectbox(key="sidebar.lang").set_value(lang).run()
    at.switch_page("pages/1_Data.py").run()
    data = recency_frame(n=600, seed=1).to_csv(index=False).encode()
    at.file_uploader(key="data.upload").upload("export.csv", data, "text/csv")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _left_out(at: AppTest, cat: dict[str, str]) -> dict[str, str]:
    tables = [d.value for d in at.dataframe if cat["data.col_reason"] in d.value.columns]
    if not tables:
        return {}
    t = tables[0]
    return dict(zip(t[cat["data.col_column"]], t[cat["data.col_reason"]], strict=True))


def test_columns_measured_after_exit_are_left_out_until_the_switch_keeps_them():
    at = _upload()
    box = at.checkbox(key=KEY)
    assert box.value is False
    assert box.label == EN["leakage.keep_after_exit"].format(columns="recency")
    reason = _left_out(at, EN)["recency"]
    assert reason.startswith("possible leakage: measured after the customer left: among churned")
    assert "recency" not in at.multiselect(key="data.features").value

    at.checkbox(key=KEY).check().run()
    assert not at.exception
    assert "recency" in at.multiselect(key="data.features").value
    assert "recency" not in _left_out(at, EN)
    at.button(key="data.confirm").click().run()
    roles = at.session_state[CONFIRMED].roles
    assert "recency" in roles.features and "recency" not in dict(roles.excluded)

    # coming back to the switch after the confirmation: it shows what was confirmed
    assert at.checkbox(key=KEY).value is True
    at.checkbox(key=KEY).uncheck().run()
    assert "recency" not in at.multiselect(key="data.features").value
    at.button(key="data.confirm").click().run()
    assert "recency" not in at.session_state[CONFIRMED].roles.features


def test_the_reason_and_the_switch_read_in_korean():
    at = _upload("ko")
    assert at.checkbox(key=KEY).label == KO["leakage.keep_after_exit"].format(columns="recency")
    reason = _left_out(at, KO)["recency"]
    assert reason.startswith("누설 의심: 고객이 떠난 뒤에 측정된 값: 이탈 고객에서는")
    assert "AUC가 0.9" in reason
