"""AppTest of the Segments page: no data, the sample, Telco and CDNOW, English and Korean."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGE = "pages/3_Segments.py"
TIMEOUT = 120


def _app() -> AppTest:
    # Start from app.py (the entrypoint) so that page links resolve, then switch pages.
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def _open(at: AppTest) -> AppTest:
    at.run()
    return at.switch_page(PAGE).run()


def _load(at: AppTest, name: str, data: bytes, roles=None) -> None:
    """Put a file and its proposed (or given) roles in the session, as the Data page does."""
    from churn.io import read_table
    from churn.roles import infer_roles
    from ui.state import CONFIRMED, DATASET, Confirmed, Dataset

    ds = Dataset.from_bytes(name, data)
    if roles is None:
        roles = infer_roles(read_table(data, name=name).frame)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = Confirmed(ds.content_hash, None, roles)


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def _no_problem(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


@pytest.fixture(scope="module")
def sample_csv() -> bytes:
    """The subscription sample, generated small (does not depend on data/sample/)."""
    from churn.sample import generate_subscriptions

    return generate_subscriptions(n=1500, seed=7).to_csv(index=False).encode("utf-8")


def test_without_data_points_to_the_data_page():
    at = _open(_app())
    _no_problem(at)
    assert "Load a file" in _texts(at)


def test_sample_from_home_button_then_segments():
    if not (ROOT / "data" / "sample" / "subscriptions.csv").exists():
        pytest.skip("data/sample/subscriptions.csv is not generated yet")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.button(key="home.try_sample").click().run()
    at.switch_page(PAGE).run()
    _no_problem(at)
    assert "Overall churn rate" in _texts(at)


def test_sample_every_panel(sample_csv):
    at = _app()
    _load(at, "subscriptions.csv", sample_csv)
    _open(at)
    _no_problem(at)
    text = _texts(at)
    assert "Overall churn rate" in text and "Holm" in text
    assert "apostrophe" not in text  # no value of the sample looks like a formula
    assert at.selectbox(key="segments.by").value == "plan"
    assert len(at.get("download_button")) == 1
    # numbers binned, then a second column for the heatmap
    at.selectbox(key="segments.by").set_value("support_tickets_90d").run()
    _no_problem(at)
    at.selectbox(key="segments.second").set_value("contract").run()
    _no_problem(at)
    assert "Each cell: churn rate" in _texts(at)
    # lifetime value with its method, revenue at risk, warning signs recognised
    text = _texts(at)
    assert "Kaplan–Meier" in text and "Revenue at risk" in str([m.label for m in at.metric])
    assert "strongest first" in text
    at.toggle(key="segments.cluster_run").set_value(True).run()
    _no_problem(at)
    assert "behaviour clusters" in _texts(at)


def test_sample_in_korean(sample_csv):
    at = _app()
    _load(at, "subscriptions.csv", sample_csv)
    at.session_state["cl.lang"] = "ko"
    _open(at)
    _no_problem(at)
    text = _texts(at)
    assert "전체 이탈률" in text and "홀름" in text


def test_telco_by_contract(shared_data):
    at = _app()
    _load(at, "telco.csv", (shared_data / "telco_customer_churn.csv").read_bytes())
    _open(at)
    _no_problem(at)
    at.selectbox(key="segments.by").set_value("Contract").run()
    _no_problem(at)
    text = _texts(at)
    assert "26.5 %" in text and "7,043" in text
    frames = [d.value for d in at.dataframe]
    seg = next(f for f in frames if "segment" in f.columns and "lift" in f.columns)
    rates = dict(zip(seg["segment"], seg["churn_rate"], strict=True))
    assert rates["Month-to-month"] == pytest.approx(0.4271, abs=5e-5)
    assert rates["Two year"] == pytest.approx(0.0283, abs=5e-5)
    at.selectbox(key="segments.pick").set_value("Two year").run()
    assert "1,695 customers in 'Two year'" in _texts(at)
    # a number column with the user's own edges; a typo warns instead of failing
    at.selectbox(key="segments.by").set_value("tenure").run()
    at.text_input(key="segments.edges").input("12, abc").run()
    _no_problem(at)
    assert "Type numbers separated by commas" in _texts(at)
    at.text_input(key="segments.edges").input("12, 24").run()
    _no_problem(at)
    seg = next(d.value for d in at.dataframe if "lift" in d.value.columns)
    assert seg["segment"].tolist() == ["0–12", "13–24", "25–72"]
    assert seg["customers"].sum() == 7043


def test_cdnow_event_log_shows_rfm(shared_data):
    from churn.roles import ColumnRoles

    data = (shared_data / "cdnow_transactions.csv").read_bytes()
    roles = ColumnRoles(id="customer_id", event_date="date", amount="dollar_value")
    at = _app()
    _load(at, "cdnow.csv", data, roles)
    _open(at)
    _no_problem(at)
    text = _texts(at)
    assert "RFM needs" not in text
    assert "Scores 1–5 are quintiles" in text
