"""AppTest of the Segments page: no data, the sample, Telco and CDNOW, English and Korean."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.support.shown import shown_cells

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


def _tab(at: AppTest, section: str) -> AppTest:
    """Open one of the page's lazy tabs, as a click on it does."""
    from ui.i18n import t

    with_lang = at.session_state["cl.lang"] if "cl.lang" in at.session_state else "en"
    at.session_state["segments.section"] = t(f"segments.tab_{section}", lang=with_lang)
    return at.run()


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
    _tab(at, "value")
    _no_problem(at)
    text = _texts(at)
    assert "Kaplan–Meier" in text and "Revenue at risk" in str([m.label for m in at.metric])
    _tab(at, "signs")
    _no_problem(at)
    assert "strongest first" in _texts(at)
    _tab(at, "clusters")
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
    element = next(d for d in at.dataframe if {"segment", "lift"} <= set(d.value.columns))
    seg = element.value  # shares scaled to 0..100 for display, numbers (they sort)
    rates = dict(zip(seg["segment"], seg["churn_rate"], strict=True))
    assert rates["Month-to-month"] == pytest.approx(42.71, abs=5e-3)
    assert rates["Two year"] == pytest.approx(2.83, abs=5e-3)
    shown = shown_cells(element)  # as the page shows them: the page text's percent style
    assert dict(zip(shown["segment"], shown["churn_rate"], strict=True))["Two year"] == "2.8 %"
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
    assert "Scores 1–5 are quintiles" not in _texts(at)  # a closed tab does not run
    _tab(at, "rfm")
    _no_problem(at)
    text = _texts(at)
    assert "RFM needs" not in text
    assert "Scores 1–5 are quintiles" in text


def test_only_the_open_tab_runs_and_choices_outlive_a_closed_tab(sample_csv):
    at = _app()
    _load(at, "subscriptions.csv", sample_csv)
    _open(at)
    _no_problem(at)
    assert "Overall churn rate" in _texts(at)
    assert "Kaplan–Meier" not in _texts(at) and not at.metric  # the value tab did not run
    at.selectbox(key="segments.by").set_value("contract").run()
    # value tab: three tiers with the user's names, then away to the churn tab and back
    _tab(at, "value")
    assert "Overall churn rate" not in _texts(at)
    at.slider(key="segments.n_tiers").set_value(3).run()
    at.text_input(key="segments.tier_names").input("small, middle, big").run()
    _no_problem(at)
    tiers = next(d.value for d in at.dataframe if "tier" in d.value.columns)
    assert tiers["tier"].tolist() == ["small", "middle", "big"]
    _tab(at, "churn")
    at.selectbox(key="segments.pick").set_value("annual").run()
    _tab(at, "value")
    assert at.slider(key="segments.n_tiers").value == 3
    assert at.text_input(key="segments.tier_names").value == "small, middle, big"
    tiers = next(d.value for d in at.dataframe if "tier" in d.value.columns)
    assert tiers["tier"].tolist() == ["small", "middle", "big"]
    # lifetime value and revenue at risk follow the segment column chosen above the tabs
    ltv = next(d.value for d in at.dataframe if "clv" in d.value.columns)
    assert set(ltv["segment"]) == {"all", "monthly", "annual"}
    # money to the cent at most (the page showed 5,046,674.432)
    risk = next(d.value for d in at.dataframe if "revenue_at_risk" in d.value.columns)
    for money in (ltv["clv"], ltv["avg_monthly_value"], risk["revenue_at_risk"]):
        assert (money.round(2) == money).all()
    assert (risk["risk"].round(2) != risk["risk"]).any()  # rates keep their precision
    assert at.selectbox(key="segments.by").value == "contract"
    _tab(at, "churn")
    assert at.selectbox(key="segments.pick").value == "annual"
    # the same name twice: a warning, and the default names
    _tab(at, "value")
    at.text_input(key="segments.tier_names").input("a, a, b").run()
    _no_problem(at)
    assert "different names" in _texts(at)
    tiers = next(d.value for d in at.dataframe if "tier" in d.value.columns)
    assert tiers["tier"].tolist() == ["Tier 1", "Tier 2", "Tier 3"]


def _signs_editor(at: AppTest):
    return next(d for d in at.dataframe if str(d.key).startswith("segments.signs_editor"))


def test_the_open_tab_and_the_sign_edits_outlive_a_language_switch(sample_csv):
    at = _app()
    _load(at, "subscriptions.csv", sample_csv)
    _open(at)
    _tab(at, "signs")
    proposed = _signs_editor(at).value.set_index("column")["sign"]
    assert proposed["nps"] == "nps" and proposed["complaints_90d"] == "complaints"
    assert "strongest first" in _texts(at)
    # switch the language: the warning-signs tab stays open, in Korean
    at.selectbox(key="sidebar.lang").set_value("ko").run()
    _no_problem(at)
    assert at.session_state["segments.section"] == "이탈 징후"
    assert "전체 이탈률" not in _texts(at)  # the churn tab did not open instead
    # a closed tab comes back with its content
    _tab(at, "churn")
    assert "전체 이탈률" in _texts(at)
    # Streamlit dropped the closed editor's edits; the page kept the mapping it last
    # showed (here: the user kept only the NPS column) and the editor starts from it
    key, _ = at.session_state["cl.segments.signs_last"]
    at.session_state["cl.segments.signs_last"] = (key, {"nps": "nps"})
    _tab(at, "signs")
    _no_problem(at)
    shown = _signs_editor(at).value.set_index("column")["sign"]
    assert shown["nps"] == "nps" and shown.drop("nps").isna().all()


def test_a_column_with_the_value_other_is_segmented():
    """'other' is also the name of the pooled segment: the two are one segment."""
    values = ["a", "b", "c", "other", "d", "e"]
    rows = ["customer_id,channel,churn"]
    for i in range(300):
        rows.append(f"C{i},{values[i % 6] if i < 240 else 'x' + str(i)},{'Yes' if i % 4 else 'No'}")
    at = _app()
    _load(at, "other.csv", ("\n".join(rows) + "\n").encode())
    _open(at)
    at.selectbox(key="segments.by").set_value("channel").run()
    at.slider(key="segments.top_k").set_value(3).run()
    _no_problem(at)
    seg = next(d.value for d in at.dataframe if "lift" in d.value.columns)
    assert seg["segment"].value_counts().max() == 1
    assert seg["customers"].sum() == 300
