"""The amount's unit in the app (issue 17, item 3): the Data page proposes it in a
selectbox beside the amount role, the choice is confirmed with the roles, and the value
figures of the Segments and Churn over time pages name it in their captions. Files are
generated; numbers by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import catalogue
from ui.state import CONFIRMED, DATASET, Confirmed, Dataset

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 120
EN = catalogue("en")
KO = catalogue("ko")
YEAR_NOTE = "'annual_fee' is an amount per year, divided by 12: money per month."


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def annual_file() -> pd.DataFrame:
    """Twenty subscriptions with an annual fee; every fourth one cancelled."""
    rows = []
    for i in range(20):
        cancelled = i % 4 == 0
        rows.append(
            {
                "customer_id": f"S{i:02d}",
                "signup_date": f"2024-{1 + i % 6:02d}-{1 + i:02d}",
                "cancel_date": f"2024-{8 + i % 3:02d}-15" if cancelled else None,
                "annual_fee": 1200.0 + 600 * (i % 3),
                "plan": ["basic", "pro"][i % 2],
            }
        )
    return pd.DataFrame(rows)


def _problems(at: AppTest) -> list[str]:
    return [e.message for e in at.exception] + [e.value for e in at.error]


def _captions(at: AppTest) -> list[str]:
    return [str(c.value) for c in at.caption]


def test_the_data_page_proposes_the_unit_and_confirms_the_choice():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("pages/1_Data.py").run()
    data = annual_file().to_csv(index=False).encode()
    at.file_uploader(key="data.upload").upload("annual.csv", data, "text/csv").run()
    assert _problems(at) == []
    assert at.selectbox(key="data.role.amount").value == "annual_fee"
    box = at.selectbox(key="data.amount_unit.annual_fee")
    assert box.value == "year"
    assert box.label == EN["amount_units.unit_label"]
    assert box.options == [
        EN["amount_units.unit_none"],
        EN["amount_units.unit_month"],
        EN["amount_units.unit_year"],
        EN["amount_units.unit_order"],
        EN["amount_units.unit_total"],
    ]
    box.set_value("").run()  # "Not confirmed": the page says what that means
    missing = EN["amount_units.unit_missing"].format(column="annual_fee")
    assert missing in _captions(at)
    at.selectbox(key="data.amount_unit.annual_fee").set_value("total").run()
    at.button(key="data.confirm").click().run()
    assert _problems(at) == []
    assert at.session_state[CONFIRMED].roles.amount_unit == "total"


def _confirmed(page: str, unit: str | None, lang: str = "en") -> AppTest:
    from churn.io import read_table
    from churn.roles import infer_roles

    data = annual_file().to_csv(index=False).encode()
    ds = Dataset.from_bytes("annual.csv", data)
    roles = infer_roles(read_table(data, name="annual.csv").frame).with_(amount_unit=unit)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    if lang != "en":
        at.selectbox(key="sidebar.lang").set_value(lang).run()
    at.switch_page(page)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = Confirmed(ds.content_hash, None, roles, snapshot="2024-12-31")
    return at.run()


def _value_tab(at: AppTest, lang: str = "en") -> AppTest:
    names = EN if lang == "en" else KO
    at.session_state["segments.section"] = names["segments.tab_value"]
    return at.run()


def test_segments_value_figures_name_the_unit():
    at = _value_tab(_confirmed("pages/3_Segments.py", "year"))
    assert _problems(at) == []
    line = EN["amount_units.figures_per_month"].format(note=YEAR_NOTE)
    assert _captions(at).count(line) == 2  # lifetime value and revenue at risk
    at = _value_tab(_confirmed("pages/3_Segments.py", None))
    unsure = [c for c in _captions(at) if c.startswith("Unit not confirmed.")]
    assert len(unsure) == 2 and "'annual_fee' is not confirmed" in unsure[0]


def test_an_amount_per_order_in_a_subscription_file_is_explained_instead_of_shown():
    at = _value_tab(_confirmed("pages/3_Segments.py", "order"))
    assert _problems(at) == []
    infos = [str(i.value) for i in at.info]
    assert any(i.startswith("No value per month.") and "per order" in i for i in infos), infos


def test_revenue_at_stake_and_revenue_churn_name_the_unit():
    at = _confirmed("pages/2_Churn_over_time.py", "year")
    assert _problems(at) == []
    line = EN["amount_units.figures_per_month"].format(note=YEAR_NOTE)
    assert _captions(at).count(line) == 2  # revenue churn and revenue at stake


def test_the_caption_in_korean():
    at = _value_tab(_confirmed("pages/3_Segments.py", "year", "ko"), "ko")
    assert _problems(at) == []
    note = "'annual_fee'은(는) 연 금액이며, 12로 나누어 월 금액을 구합니다."
    assert KO["amount_units.figures_per_month"].format(note=note) in _captions(at)
