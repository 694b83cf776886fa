"""AppTest of the Explanations page: train from the page, drivers, the list, one customer."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "5_Explanations.py")
SAMPLE = ROOT / "data" / "sample" / "subscriptions.csv"
TIMEOUT = 240  # training plus shap on a shared 2-core machine


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def test_without_data_points_to_the_data_page():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "explain.train" not in [b.key for b in at.button]
    assert at.info


def test_sample_train_here_then_list_customer_and_korean():
    if not SAMPLE.is_file():
        pytest.skip("the sample is not generated")
    from ui.state import MODEL

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.button(key="home.try_sample").click().run()
    at.switch_page("pages/5_Explanations.py").run()
    assert not _problems(at), _problems(at)
    # no model yet: the page offers to train the default one instead of sending the user away
    assert "explain.train" in [b.key for b in at.button]
    at.button(key="explain.train").click().run()
    assert not _problems(at), _problems(at)
    assert at.session_state[MODEL]["model"] == "lightgbm"
    captions = " ".join(str(c.value) for c in at.caption)
    assert "Measured on 2,000 of 5,000 customers" in captions
    assert "100 customers listed." in captions
    # the list, its downloads and one customer's reasons in words
    assert len(at.dataframe) >= 2
    listed = at.dataframe[0].value
    assert len(listed) == 100
    assert listed["Risk"].is_monotonic_decreasing
    assert at.selectbox(key="explain.pick").value is not None
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Churn rate in the data"] == "28.5 %"
    md = " ".join(str(m.value) for m in at.markdown)
    assert "points of risk" in md
    assert at.success  # the suggested action
    # search by id
    at.text_input(key="explain.search").input("C00002").run()
    assert not _problems(at), _problems(at)
    # a segment filter and a risk band narrow the list
    at.selectbox(key="explain.segment.en").set_value("contract").run()
    at.multiselect(key="explain.seg_values.contract").set_value(["monthly"]).run()
    at.radio(key="explain.sort.en").set_value("value_at_risk").run()
    assert not _problems(at), _problems(at)
    assert set(at.dataframe[0].value["contract"]) == {"monthly"}
    # Korean: widgets with translated choices carry the language in their key; the new
    # widgets start from the choices made in English, and the browser is told so
    at.session_state["cl.lang"] = "ko"
    at.run()
    assert not _problems(at), _problems(at)
    sort = at.radio(key="explain.sort.ko")
    assert sort.value == "value_at_risk"
    assert sort.proto.set_value and sort.proto.raw_value == sort.options[1]
    assert at.selectbox(key="explain.segment.ko").value == "contract"
    assert set(at.dataframe[0].value["contract"]) == {"monthly"}
    at.run()  # the next click keeps them too
    assert at.radio(key="explain.sort.ko").value == "value_at_risk"
    assert at.selectbox(key="explain.segment.ko").value == "contract"
    md = " ".join(str(m.value) for m in at.markdown)
    assert "이탈 위험" in md
    assert any("명으로 계산했습니다" in str(c.value) for c in at.caption)


def test_telco_with_logistic_model(shared_data):
    from churn.io import read_table
    from churn.roles import infer_roles
    from ui.state import CONFIRMED, DATASET, MODEL, Confirmed, Dataset

    data = (shared_data / "telco_customer_churn.csv").read_bytes()
    ds = Dataset.from_bytes("telco_customer_churn.csv", data)
    roles = infer_roles(read_table(data, name=ds.name).frame)
    conf = Confirmed(ds.content_hash, None, roles)
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = conf
    from ui import cache_model as cm

    at.session_state[MODEL] = cm.make_handle(conf, "logistic", tuple(roles.features), "cv")
    at.run()
    assert not _problems(at), _problems(at)
    captions = " ".join(str(c.value) for c in at.caption)
    assert "Measured on 2,000 of 7,043 customers" in captions
    listed = at.dataframe[0].value
    assert len(listed) == 100
    md = " ".join(str(m.value) for m in at.markdown)
    assert "points of risk" in md
