"""AppTest: a file whose headers hold ``[ ] { } : , "`` and Korean trains on the Model page
and its drivers and reasons name those columns (before: "Something went wrong")."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_feature_names import CSV_FEATURES, FEE, PLAN, REGION, TICKETS, make_frame

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 240  # training plus shap on a shared 2-core machine


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


@pytest.mark.slow  # seconds of training or a large file: left out of the fast loop
def test_upload_confirm_train_and_explain_odd_column_names():
    from ui.state import MODEL

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/1_Data.py").run()
    data = make_frame().to_csv(index=False).encode()
    at.file_uploader(key="data.upload").upload("고객 [KRW].csv", data, "text/csv").run()
    assert not _problems(at), _problems(at)
    confirm = at.button(key="data.confirm")
    assert not confirm.disabled, _problems(at)
    confirm.click().run()
    assert not _problems(at), _problems(at)
    # the Model page: the columns are offered under their own names and train
    at.switch_page("pages/4_Model.py").run()
    assert not _problems(at), _problems(at)
    assert set(at.multiselect(key="model.features").value) == CSV_FEATURES
    at.button(key="model.train").click().run()
    assert not _problems(at), _problems(at)
    assert at.session_state[MODEL]["model"] == "lightgbm"
    assert len(at.metric) == 4
    # the Explanations page: the drivers, the at-risk list and one customer's reasons
    at.switch_page("pages/5_Explanations.py").run()
    assert not _problems(at), _problems(at)
    drivers = at.selectbox(key="explain.dependence").options  # strongest first
    assert set(drivers) == CSV_FEATURES  # all ten columns, by their own names
    assert drivers[:2] == [TICKETS, FEE]
    listed = at.dataframe[0].value
    reasons = [r for c in listed.columns if c.startswith("Reason") for r in listed[c] if r]
    assert reasons and any(r.startswith(f"{FEE} is ") for r in reasons)
    assert all(any(r.startswith(f"{f} is ") for f in CSV_FEATURES) for r in reasons)
    md = " ".join(str(m.value) for m in at.markdown)
    assert "points of risk" in md
    # a segment by a Korean-named column
    at.selectbox(key="explain.segment.en").set_value(REGION).run()
    assert not _problems(at), _problems(at)
    assert PLAN in at.selectbox(key="explain.segment.en").options
