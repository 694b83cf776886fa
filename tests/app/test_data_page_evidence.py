"""The Data page shows why each role was proposed, asks about unclear label values with
the churn rate each choice gives, and warns before Confirm when nobody would count as
churned (issue 17, items 1 and 2). Files are generated; numbers counted by hand.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.test_roles_evidence import cust_event_log, subscription_export
from ui.i18n import catalogue
from ui.state import CONFIRMED

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/1_Data.py"
TIMEOUT = 90
EN = catalogue("en")
KO = catalogue("ko")


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    if lang != "en":
        at.selectbox(key="sidebar.lang").set_value(lang).run()
    at.switch_page(PAGE)
    return at.run()


def _upload(at: AppTest, name: str, frame: pd.DataFrame) -> AppTest:
    at.file_uploader(key="data.upload").upload(name, frame.to_csv(index=False).encode(), "text/csv")
    at.run()
    assert [e.message for e in at.exception] == []
    return at


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _confirm(at: AppTest) -> AppTest:
    button = at.button(key="data.confirm")
    assert not button.disabled, [e.value for e in at.error]
    button.click()
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_subscription_export_shows_reasons_asks_about_paused_and_counts_the_cancelled():
    at = _upload(_page(), "subscriptions.csv", subscription_export())
    roles = {r: at.selectbox(key=f"data.role.{r}").value for r in ("id", "label", "start", "end")}
    assert roles == {"id": "id", "label": "status", "start": "created_at", "end": "deleted_at"}
    captions = _captions(at)
    assert (
        "sure · filled for 100.0 % of the 8 rows whose 'status' means churned and empty for "
        "the active ones: the date they ended"
    ) in captions
    assert "sure · named like a customer id and unique in 100.0 % of rows" in captions
    assert any(EN["data.shape_subscriptions"] in i.value for i in at.info)
    # paused: 8 canceled, 24 active, 8 paused -> 16/40, 8/40, 8/32
    assert any("(paused)" in i.value for i in at.info)
    assert "churn rate if churned 40.0 % · if active 20.0 % · if left out 25.0 %" in captions
    assert at.radio(key="data.map.status.paused").value == "left_out"

    at.radio(key="data.map.status.paused").set_value("churned").run()
    at = _confirm(at)
    m = _metrics(at)
    assert (m[EN["data.m_customers"]], m[EN["data.m_churned"]]) == ("40", "16")
    assert m[EN["data.m_rate"]] == "40.0 %"
    assert at.session_state[CONFIRMED].roles.end == "deleted_at"


def test_event_log_keyed_by_cust_can_be_confirmed():
    at = _upload(_page(), "orders.csv", cust_event_log())
    assert at.selectbox(key="data.role.id").value == "cust"
    assert at.selectbox(key="data.role.event_date").value == "order_date"
    assert (
        "likely · the name 'cust' usually means the customer; each value appears on 3.0 rows "
        "on average (several rows per customer)"
    ) in _captions(at)
    at = _confirm(at)
    assert _metrics(at)[EN["data.m_customers"]] == "10"


def test_weak_evidence_asks_the_user_to_check_the_role():
    frame = pd.DataFrame({"n": [1001 + 7 * i for i in range(30)], "churn": ["Yes", "No"] * 15})
    at = _upload(_page(), "weak.csv", frame)
    assert at.selectbox(key="data.role.id").value == "n"
    warnings = [w.value for w in at.warning]
    expected = EN["roles_evidence.check_roles"].format(roles=EN["data.role_id"])
    assert expected in warnings
    assert any(c.startswith(":orange[**please check**] · whole numbers") for c in _captions(at))


def test_tenure_named_lifetime_is_proposed_with_its_reason():
    frame = pd.DataFrame(
        {
            "client": [f"K{i:03d}" for i in range(30)],
            "Lifetime": [1 + i // 2 for i in range(30)],
            "churn": ["Yes", "No"] * 15,
        }
    )
    at = _upload(_page(), "lifetime.csv", frame)
    assert at.selectbox(key="data.role.id").value == "client"
    assert at.selectbox(key="data.role.tenure").value == "Lifetime"
    assert "sure · named like a tenure; values from 1 to 15, read as months" in _captions(at)


def test_zero_churned_is_said_before_confirm():
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:02d}" for i in range(12)],
            "signup_date": pd.date_range("2024-01-01", periods=12, freq="10D").strftime("%Y-%m-%d"),
            "cancel_date": [""] * 12,
        }
    )
    at = _upload(_page(), "nobody.csv", frame)
    assert at.selectbox(key="data.role.end").value == "cancel_date"
    assert at.session_state[CONFIRMED] is None
    warnings = [w.value for w in at.warning]
    assert any(
        "**Column cancel_date** · No customer counts as churned: the end date 'cancel_date' "
        "is empty on every row." in w
        for w in warnings
    ), warnings


def test_reasons_and_the_zero_churn_warning_in_korean():
    frame = pd.DataFrame({"고객번호": [f"K{i:02d}" for i in range(12)], "이탈여부": ["유지"] * 12})
    at = _upload(_page("ko"), "ko.csv", frame)
    assert at.selectbox(key="data.role.id").value == "고객번호"
    captions = _captions(at)
    assert "확실 · 고객 ID 같은 이름이며 행의 100.0%에서 값이 고유합니다" in captions
    assert any(c.startswith(":orange[**확인 필요**] · 이탈 열 같은 이름이지만") for c in captions)
    warnings = [w.value for w in at.warning]
    assert any(
        "이탈로 집계된 고객이 없습니다: 라벨 '이탈여부'의 어떤 값도 이탈로 지정되지 않았습니다" in w
        for w in warnings
    ), warnings
