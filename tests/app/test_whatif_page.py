"""AppTest of the What-if page on the sample: train, pick, change, save, compare, segment."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/6_What_if.py"
TIMEOUT = 180  # training on a shared 2-core machine


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_whatif_page_on_the_sample():
    from ui.state import SCENARIOS

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.button(key="home.try_sample").click().run()
    at.switch_page(PAGE).run()
    assert not _problems(at), _problems(at)
    # no model yet: the page says so and offers to train the default one here
    assert at.info and at.button(key="whatif.train")
    at.button(key="whatif.train").click().run()
    assert not _problems(at), _problems(at)
    assert at.selectbox(key="whatif.customer").value

    customer = at.selectbox(key="whatif.customer").value
    before = _metric(at, "Risk now")
    assert _metric(at, "Risk with the changes") == before  # nothing changed yet
    # "Risk now" is the honest (out-of-fold) risk the picker shows, and the page says so
    pick = at.selectbox(key="whatif.customer")
    assert before == pick.format_func(pick.value).rsplit("risk ", 1)[1]
    assert any("out-of-fold risk" in c.value for c in at.caption)
    # fixed features are locked, actionable ones are not
    assert at.selectbox(key=f"whatif.f.0.{customer}.region").disabled
    assert not at.selectbox(key=f"whatif.f.0.{customer}.contract").disabled

    at.number_input(key=f"whatif.f.0.{customer}.failed_payments_90d").set_value(0).run()
    at.number_input(key=f"whatif.f.0.{customer}.support_tickets_90d").set_value(0).run()
    assert not _problems(at), _problems(at)
    at.text_input(key="whatif.scenario_name").input("fewer problems").run()
    at.button(key="whatif.save").click().run()
    plan = at.selectbox(key=f"whatif.f.0.{customer}.plan")
    plan.set_value(next(v for v in plan.options if v != plan.value)).run()
    at.text_input(key="whatif.scenario_name").input("other plan").run()
    at.button(key="whatif.save").click().run()
    assert not _problems(at), _problems(at)

    saved = at.session_state[SCENARIOS]
    assert list(saved) == ["fewer problems", "other plan"]
    assert saved["other plan"]["changes"]["plan"] != saved["fewer problems"]["changes"].get("plan")
    # the saved workspace keeps the scenarios (a reload of ?ws=<id> shows them again)
    from churn.workspace import WorkspaceStore
    from ui.state import WORKSPACE

    kept = WorkspaceStore().load(at.session_state[WORKSPACE], with_model=False).scenarios
    assert list(kept) == ["fewer problems", "other plan"]
    compared = at.dataframe[-1].value
    assert list(compared["Scenario"]) == ["fewer problems", "other plan"]
    # the change is in percentage points, like the metric; counts read as whole numbers
    points = compared["Risk after"] - compared["Risk before"]  # both shown as percent
    assert (compared["Change (points)"] - points).abs().max() < 1e-9
    assert "0.0" not in set(compared["failed_payments_90d"])
    assert (compared["Customer"] == customer).all()

    # one click back to the real values
    at.button(key="whatif.reset").click().run()
    assert _metric(at, "Risk with the changes") == before

    # a changed contract moves the numbers that go with it (days to renewal), and says so
    box = at.checkbox(key="whatif.move_linked")
    assert box.value is True
    contract = at.selectbox(key=f"whatif.f.1.{customer}.contract")
    contract.set_value(next(v for v in contract.options if v != contract.value)).run()
    assert not _problems(at), _problems(at)
    moved = [c.value for c in at.caption if "Moved along with the change" in str(c.value)]
    assert moved and "days_to_renewal" in moved[0], [c.value for c in at.caption]
    with_linked = _metric(at, "Risk with the changes")
    at.checkbox(key="whatif.move_linked").uncheck().run()
    assert not _problems(at), _problems(at)
    assert not any("Moved along with the change" in str(c.value) for c in at.caption)
    kept = [c.value for c in at.caption if "Kept at the customer's values" in str(c.value)]
    assert kept and "days_to_renewal" in kept[0]
    assert _metric(at, "Risk with the changes") != with_linked
    at.checkbox(key="whatif.move_linked").check().run()
    assert _metric(at, "Risk with the changes") == with_linked
    at.button(key="whatif.reset").click().run()
    assert _metric(at, "Risk with the changes") == before

    # suggestions with a target of 0 are never reached, and the page says so
    at.slider(key="whatif.target").set_value(0).run()
    assert any("lowest reachable" in str(w.value) for w in at.warning)

    # the segment tab: assumptions written beside the result
    assert any("Only customers who have not churned" in str(m.value) for m in at.markdown)
    assert _metric(at, "Campaign cost")
    assert not _problems(at), _problems(at)


def test_whatif_page_in_korean_without_a_model():
    from ui.i18n import LANG_KEY

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state[LANG_KEY] = "ko"
    at.run()
    at.button(key="home.try_sample").click().run()
    at.switch_page(PAGE).run()
    assert not _problems(at), _problems(at)
    assert "기본 모델 학습" in [b.label for b in at.button]
    at.button(key="whatif.train").click().run()
    assert not _problems(at), _problems(at)
    assert at.checkbox(key="whatif.move_linked").label == "바뀐 범주에 딸린 숫자도 함께 옮기기"


@pytest.mark.slow  # seconds of training or a large file: left out of the fast loop
def test_whatif_page_on_telco(shared_data):
    """Telco with the logistic model: a longer contract lowers a monthly customer's risk."""
    from churn.io import read_table
    from churn.roles import infer_roles
    from ui.state import CONFIRMED, DATASET, MODEL, Confirmed, Dataset

    data = (shared_data / "telco_customer_churn.csv").read_bytes()
    ds = Dataset.from_bytes("telco_customer_churn.csv", data)
    roles = infer_roles(read_table(data, name=ds.name).frame)
    conf = Confirmed(ds.content_hash, None, roles)
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = conf
    at.session_state[MODEL] = {
        "key": conf.key,
        "model": "logistic",
        "features": tuple(roles.features),
        "split": "cv",
    }
    at.run()
    assert not _problems(at), _problems(at)
    customer = at.selectbox(key="whatif.customer").value
    contract = at.selectbox(key=f"whatif.f.0.{customer}.Contract")
    assert set(contract.options) == {"Month-to-month", "One year", "Two year"}
    assert at.selectbox(key=f"whatif.f.0.{customer}.gender").disabled
    assert contract.value == "Month-to-month"  # the riskiest active customer
    before = float(_metric(at, "Risk now").rstrip(" %"))
    contract.set_value("Two year").run()
    assert not _problems(at), _problems(at)
    after = float(_metric(at, "Risk with the changes").rstrip(" %"))
    assert after < before


def test_whatif_choices_survive_a_language_switch():
    from ui.i18n import LANG_KEY, t

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.button(key="home.try_sample").click().run()
    at.switch_page(PAGE).run()
    at.button(key="whatif.train").click().run()
    first = at.selectbox(key="whatif.customer").value
    at.selectbox(key="whatif.customer").select_index(1).run()
    chosen = at.selectbox(key="whatif.customer").value
    assert chosen != first
    at.radio(key="whatif.iv_kind").set_value("scale").run()
    at.radio(key="whatif.seg_mode").set_value("top").run()
    assert not _problems(at), _problems(at)
    at.session_state[LANG_KEY] = "ko"
    at.run()
    at.run()  # the rerun after the switch must keep the choices too
    assert not _problems(at), _problems(at)
    assert at.selectbox(key="whatif.customer").value == chosen
    assert at.radio(key="whatif.iv_kind").value == "scale"
    assert at.radio(key="whatif.seg_mode").value == "top"
    assert t("whatif.before", lang="ko") in [m.label for m in at.metric]  # really in Korean


def test_customer_list_is_bounded_and_search_finds_any_customer(monkeypatch):
    """The picker lists the PICK_LIMIT riskiest customers still here; the search box
    (id, or part of a name) chooses any other one, who then stays on the list."""
    import pandas as pd

    from ui import cache_whatif as cw

    monkeypatch.setattr(cw, "PICK_LIMIT", 25)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.button(key="home.try_sample").click().run()
    at.switch_page(PAGE).run()
    at.button(key="whatif.train").click().run()
    assert not _problems(at), _problems(at)
    box = at.selectbox(key="whatif.customer")
    assert len(box.options) == 25
    # the listed customers are the 25 riskiest of those not churned, riskiest first
    sample = pd.read_csv(ROOT / "data" / "sample" / "subscriptions.csv")
    listed = [o.split(" · ")[0] for o in box.options]
    assert not set(listed) & set(sample.loc[sample["churned"] == 1, "customer_id"])
    risks = [float(o.split(" ")[-2]) for o in box.options]
    assert risks == sorted(risks, reverse=True)

    outside = next(c for c in sample["customer_id"] if c not in listed)
    at.text_input(key="whatif.search").input(outside).run()
    assert not _problems(at), _problems(at)
    assert at.selectbox(key="whatif.customer").value == outside
    assert len(at.selectbox(key="whatif.customer").options) == 26  # the found one is added
    at.run()  # the choice stays on later reruns
    assert at.selectbox(key="whatif.customer").value == outside

    at.text_input(key="whatif.search").input("no such customer 123").run()
    assert any("no such customer 123" in w.value for w in at.warning)
    assert at.selectbox(key="whatif.customer").value == outside  # the choice is kept
