"""The Data page, driven through AppTest on Streamlit 1.67.

Files go in through the real ``st.file_uploader`` (AppTest's ``file_uploader(...)
.upload(...)`` registers the bytes the way a browser upload does). Expected numbers are
counted by hand from the tiny files written here.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from churn.roles import ColumnRoles
from ui import intake
from ui.cache_data_page import capped_label_values
from ui.i18n import catalogue
from ui.state import CONFIRMED, DATASET

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/1_Data.py"
TIMEOUT = 90
EN = catalogue("en")

# 6 customers: C1, C3, C6 churned (Yes), C2, C4 active (No), C5 paused (left out).
SMALL_CSV = (
    b"customer_id,plan,monthly_fee,support_tickets,churn\n"
    b"C1,basic,10,5,Yes\n"
    b"C2,pro,30,0,No\n"
    b"C3,basic,10,3,Yes\n"
    b"C4,pro,30,1,No\n"
    b"C5,basic,10,2,paused\n"
    b"C6,pro,30,4,Yes\n"
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _page() -> AppTest:
    """The Data page, opened from the app's main script so page switches resolve."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(PAGE)
    return at.run()


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error: {e.value}" for e in at.error
    ]


def _upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader(key="data.upload").upload(name, data, mime)
    return at.run()


def _map_value(at: AppTest, label: str, value: str) -> str:
    return at.radio(key=f"data.map.{label}.{value}").value


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _confirm(at: AppTest) -> AppTest:
    button = at.button(key="data.confirm")
    assert not button.disabled, _problems(at)
    button.click()
    return at.run()


def _sample_bytes(name: str) -> bytes:
    path = intake.SAMPLE_DIR / name
    if not path.is_file():
        pytest.fail(f"sample {path} is missing (churn/sample.py generates it)")
    return path.read_bytes()


# ----------------------------------------------------------------- helpers, no Streamlit


def test_capped_label_values_counts_by_hand():
    s = pd.Series([" Yes", "No", "Yes", None, "paused", "No", "Yes"])
    out = capped_label_values(s)
    assert out["value"].tolist() == ["Yes", "No", "paused"]
    assert out["count"].tolist() == [3, 2, 1]
    assert out["meaning"].tolist() == ["churned", "active", "left_out"]
    assert out.attrs["n"] == 3


def test_capped_label_values_keeps_a_confirmed_mapping():
    s = pd.Series(["이탈", "유지", "휴면", "유지"])
    roles = ColumnRoles(label="x", churned_values=("이탈", "휴면"), active_values=("유지",))
    out = capped_label_values(s, roles)
    assert dict(zip(out["value"], out["meaning"], strict=True)) == {
        "유지": "active",
        "이탈": "churned",
        "휴면": "churned",
    }


def test_capped_label_values_caps_and_reports_the_true_count():
    s = pd.Series([f"v{i:03d}" for i in range(120)] + ["v007"] * 5)
    out = capped_label_values(s, limit=50)
    assert len(out) == 50
    assert out.attrs["n"] == 120
    assert out.iloc[0][["value", "count"]].tolist() == ["v007", 6]  # most common first
    assert out["count"].sum() == 6 + 49


# ----------------------------------------------------------------- AppTest


def test_page_runs_with_no_data():
    at = _page()
    assert _problems(at) == []
    assert at.session_state[DATASET] is None
    assert any(EN["data.start_hint"] in i.value for i in at.info)
    assert at.file_uploader(key="data.upload").allowed_type == [
        ".csv",
        ".tsv",
        ".txt",
        ".xlsx",
        ".xlsm",
        ".xls",
        ".parquet",
    ]


def test_upload_through_the_uploader_proposes_maps_and_confirms():
    at = _upload(_page(), "small.csv", SMALL_CSV)
    assert _problems(at) == []
    assert at.session_state[DATASET].name == "small.csv"
    assert at.session_state[CONFIRMED] is None
    assert at.selectbox(key="data.role.id").value == "customer_id"
    assert at.selectbox(key="data.role.label").value == "churn"
    assert _map_value(at, "churn", "Yes") == "churned"
    assert _map_value(at, "churn", "No") == "active"
    assert _map_value(at, "churn", "paused") == "left_out"
    # the preview shows the file, and only the first rows of it
    assert at.dataframe[0].value.shape == (6, 5)

    at = _confirm(at)
    assert _problems(at) == []
    conf = at.session_state[CONFIRMED]
    assert conf is not None and conf.roles.label == "churn"
    assert set(conf.roles.churned_values) == {"Yes"}
    assert set(conf.roles.active_values) == {"No"}
    m = _metrics(at)
    assert m[EN["data.m_customers"]] == "6"
    assert m[EN["data.m_churned"]] == "3"
    assert m[EN["data.m_rate"]] == "60.0 %"  # 3 churned / 5 labelled (paused left out)
    assert any("3 churned ÷ 5 labelled" in c.value for c in at.caption)


def test_changing_a_mapping_changes_the_confirmed_counts_and_survives_page_switch():
    at = _upload(_page(), "small.csv", SMALL_CSV)
    at.radio(key="data.map.churn.paused").set_value("churned")
    at.selectbox(key="data.role.amount").set_value("monthly_fee")
    at = _confirm(at.run())
    m = _metrics(at)
    assert m[EN["data.m_churned"]] == "4"
    assert m[EN["data.m_rate"]] == "66.7 %"  # 4 / 6

    at.switch_page("pages/2_Churn_over_time.py").run()
    assert [e.message for e in at.exception] == []
    at.switch_page(PAGE).run()
    assert _problems(at) == []
    # the editor shows what was confirmed, not the proposal again
    assert _map_value(at, "churn", "paused") == "churned"
    assert at.selectbox(key="data.role.amount").value == "monthly_fee"
    assert at.session_state[CONFIRMED].roles.amount == "monthly_fee"
    assert any(EN["data.confirmed_ok"] in s.value for s in at.success)


def test_sample_button_then_confirm_then_the_next_page_runs():
    _sample_bytes("subscriptions.csv")
    at = _page()
    at.button(key="data.sample.subscriptions").click()
    at.run()
    assert _problems(at) == []
    assert at.session_state[DATASET].name == "subscriptions.csv"
    at = _confirm(at)
    assert _problems(at) == []
    conf = at.session_state[CONFIRMED]
    assert conf is not None
    assert int(_metrics(at)[EN["data.m_customers"]].replace(",", "")) > 0

    at.switch_page("pages/2_Churn_over_time.py").run()
    assert [e.message for e in at.exception] == []
    assert at.session_state[CONFIRMED] == conf


def test_korean_cp949_csv_maps_korean_labels():
    text = (
        "고객번호,요금제,월요금,이탈여부\n"
        "K001,베이직,9900,이탈\n"
        "K002,프리미엄,19900,유지\n"
        "K003,베이직,9900,유지\n"
        "K004,프리미엄,19900,유지\n"
        "K005,베이직,9900,이탈\n"
    )
    at = _upload(_page(), "고객.csv", text.encode("cp949"))
    assert _problems(at) == []
    assert at.selectbox(key="data.role.id").value == "고객번호"
    assert at.selectbox(key="data.role.label").value == "이탈여부"
    assert _map_value(at, "이탈여부", "이탈") == "churned"
    assert _map_value(at, "이탈여부", "유지") == "active"
    at = _confirm(at)
    m = _metrics(at)
    assert (m[EN["data.m_customers"]], m[EN["data.m_churned"]]) == ("5", "2")
    assert m[EN["data.m_rate"]] == "40.0 %"


def test_korean_interface_translates_issues_on_a_cp949_file():
    text = "고객번호,이탈여부\nK1,이탈\nK2,유지\nK3,유지\n"
    at = _page()
    at.selectbox(key="sidebar.lang").set_value("ko").run()
    at = _upload(at, "고객.csv", text.encode("cp949"))
    assert _problems(at) == []
    warnings = [w.value for w in at.warning]
    # 3 customers: the too-few-rows warning, in Korean, with the count filled in
    assert any("고객이 3명뿐입니다" in w for w in warnings), warnings
    ko = catalogue("ko")
    assert at.button(key="data.confirm").label == ko["data.confirm"]


def test_korean_xlsx_sample_loads_with_korean_labels():
    _sample_bytes("subscriptions_ko.xlsx")
    at = _page()
    at.button(key="data.sample.subscriptions_ko").click()
    at.run()
    assert _problems(at) == []
    conf = at.session_state[CONFIRMED]
    assert conf is not None and conf.roles.label is not None
    label = conf.roles.label
    assert "이탈" in conf.roles.churned_values
    assert "유지" in conf.roles.active_values
    assert _map_value(at, label, "이탈") == "churned"
    assert _map_value(at, label, "유지") == "active"


def test_korean_interface_runs_on_the_korean_sample():
    _sample_bytes("subscriptions_ko.xlsx")
    at = _page()
    at.selectbox(key="sidebar.lang").set_value("ko").run()
    at.button(key="data.sample.subscriptions_ko").click()
    at.run()
    at = _confirm(at)
    assert _problems(at) == []
    ko = catalogue("ko")
    assert any(ko["data.confirmed_ok"] in s.value for s in at.success)
    assert ko["data.m_customers"] in _metrics(at)


def test_bad_file_shows_an_error_and_keeps_the_earlier_dataset():
    at = _confirm(_upload(_page(), "small.csv", SMALL_CSV))
    before = at.session_state[DATASET]
    conf = at.session_state[CONFIRMED]
    assert conf is not None

    at = _upload(at, "picture.csv", PNG, "image/png")
    assert [e.message for e in at.exception] == []
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "picture.csv" in errors[0]
    assert at.session_state[DATASET] is before
    assert at.session_state[CONFIRMED] is conf
    # the page still shows the earlier file, confirmed
    assert at.selectbox(key="data.role.label").value == "churn"
    assert any(EN["data.confirmed_ok"] in s.value for s in at.success)

    at.run()  # a rerun with the bad file still in the uploader does not re-read it
    assert at.session_state[DATASET] is before
    assert len(at.error) == 1


def test_ambiguous_dates_ask_day_first_or_month_first():
    text = (
        "id,start,end,plan\n"
        "A,03/04/2024,05/06/2024,basic\n"
        "B,01/02/2024,,pro\n"
        "C,07/08/2024,,basic\n"
        "D,02/01/2024,11/12/2024,pro\n"
    )
    at = _upload(_page(), "dates.csv", text.encode())
    assert [e.message for e in at.exception] == []
    radio = at.radio(key="data.dayfirst")
    assert radio.value is None  # asked, not guessed
    assert at.button(key="data.confirm").disabled
    assert any(EN["data.dayfirst_needed"] in i.value for i in at.info)

    at.radio(key="data.dayfirst").set_value(True)
    at = _confirm(at.run())
    assert _problems(at) == []
    conf = at.session_state[CONFIRMED]
    assert conf.roles.dayfirst is True
    assert (conf.roles.start, conf.roles.end) == ("start", "end")
    m = _metrics(at)
    assert (m[EN["data.m_customers"]], m[EN["data.m_churned"]]) == ("4", "2")


def test_event_log_sample_offers_inactivity_days_and_preview():
    _sample_bytes("transactions.csv")
    at = _page()
    at.button(key="data.sample.transactions").click()
    at.run()
    assert _problems(at) == []
    n = at.number_input(key="data.inactivity")
    assert n.value == 90
    assert at.date_input(key="data.snapshot").value is not None
    # the preview table of churn rate vs N is drawn
    cols = [list(d.value.columns) for d in at.dataframe]
    assert [EN["data.col_n"], EN["data.col_customers"]] in [c[:2] for c in cols]
    n.set_value(180)
    at = _confirm(at.run())
    assert _problems(at) == []
    assert at.session_state[CONFIRMED].inactivity_days == 180


def test_an_excluded_column_is_listed_with_its_reason_and_can_be_brought_back():
    lines = SMALL_CSV.decode().splitlines()
    text = "\n".join([lines[0] + ",country"] + [row + ",KR" for row in lines[1:]]) + "\n"
    at = _upload(_page(), "const.csv", text.encode())
    assert _problems(at) == []
    frames = [d.value for d in at.dataframe if EN["data.col_reason"] in d.value.columns]
    assert len(frames) == 1
    table = frames[0]
    listed = dict(zip(table[EN["data.col_column"]], table[EN["data.col_reason"]], strict=True))
    assert listed == {"country": EN["data.reason_constant"]}
    assert "country" not in at.multiselect(key="data.features").value

    at.multiselect(key="data.features").select("country")
    at = _confirm(at.run())
    roles = at.session_state[CONFIRMED].roles
    assert "country" in roles.features
    assert "country" not in dict(roles.excluded)


def test_choosing_another_label_column_starts_from_the_vocabulary():
    at = _upload(_page(), "small.csv", SMALL_CSV)
    at.selectbox(key="data.role.label").set_value("plan").run()
    assert _problems(at) == []
    assert _map_value(at, "plan", "basic") == "left_out"
    assert _map_value(at, "plan", "pro") == "left_out"
    assert any(EN["data.map_no_churned"] in w.value for w in at.warning)
    assert at.button(key="data.confirm").disabled  # nothing would count as churned
    at.radio(key="data.map.plan.pro").set_value("churned")
    at.radio(key="data.map.plan.basic").set_value("active")
    at = _confirm(at.run())
    assert _metrics(at)[EN["data.m_churned"]] == "3"  # C2, C4, C6 are on "pro"
    # "plan" is the label now, so it is no longer offered as a feature
    assert "plan" not in at.multiselect(key="data.features").options


def test_a_chosen_snapshot_date_is_confirmed():
    text = (
        "id,start,end\n"
        "A,2024-01-10,2024-03-01\n"
        "B,2024-01-15,\n"
        "C,2024-02-01,2024-06-30\n"
        "D,2024-02-20,\n"
    )
    at = _upload(_page(), "subs.csv", text.encode())
    assert _problems(at) == []
    snap = at.date_input(key="data.snapshot")
    assert snap.value == dt.date(2024, 6, 30)  # the latest date in the data
    at = _confirm(at)
    assert at.session_state[CONFIRMED].snapshot is None  # "latest date in the data"
    # A and C ended by 2024-06-30: 2 churned of 4
    assert _metrics(at)[EN["data.m_churned"]] == "2"

    at.date_input(key="data.snapshot").set_value(dt.date(2024, 4, 1))
    at = _confirm(at.run())
    assert at.session_state[CONFIRMED].snapshot == "2024-04-01"
    # as of 2024-04-01 only A has ended
    assert _metrics(at)[EN["data.m_churned"]] == "1"


def test_workbook_sheet_choice_rereads_the_other_sheet():
    data = _sample_bytes("subscriptions_ko.xlsx")
    at = _upload(_page(), "ko.xlsx", data, XLSX_MIME)
    assert _problems(at) == []
    sheet = at.selectbox(key="data.sheet")
    assert len(sheet.options) >= 2
    default = sheet.value
    other = next(s for s in sheet.options if s != default)
    sheet.set_value(other).run()
    assert [e.message for e in at.exception] == []
    assert at.selectbox(key="data.sheet").value == other
    # back to the data sheet: the proposal for it returns
    at.selectbox(key="data.sheet").set_value(default).run()
    assert _problems(at) == []
    assert at.selectbox(key="data.role.label").value == "이탈여부"


def test_real_telco_file_through_the_uploader(shared_data):
    data = (shared_data / "telco_customer_churn.csv").read_bytes()
    at = _upload(_page(), "telco_customer_churn.csv", data)
    assert _problems(at) == []
    assert at.selectbox(key="data.role.label").value == "Churn"
    assert at.dataframe[0].value.shape == (200, 21)  # the preview, never the whole file
    at = _confirm(at)
    m = _metrics(at)
    assert (m[EN["data.m_customers"]], m[EN["data.m_churned"]]) == ("7,043", "1,869")
    assert m[EN["data.m_rate"]] == "26.5 %"


def test_real_cdnow_log_with_180_inactivity_days(shared_data):
    data = (shared_data / "cdnow_transactions.csv").read_bytes()
    at = _upload(_page(), "cdnow_transactions.csv", data)
    assert _problems(at) == []
    assert at.selectbox(key="data.role.event_date").value == "date"
    assert at.date_input(key="data.snapshot").value == dt.date(1998, 6, 30)
    at.number_input(key="data.inactivity").set_value(180)
    at = _confirm(at.run())
    m = _metrics(at)
    assert (m[EN["data.m_customers"]], m[EN["data.m_churned"]]) == ("23,570", "18,196")
    assert at.session_state[CONFIRMED].inactivity_days == 180


def test_a_reader_crash_is_a_message_and_loses_nothing(monkeypatch):
    at = _confirm(_upload(_page(), "small.csv", SMALL_CSV))
    before, conf = at.session_state[DATASET], at.session_state[CONFIRMED]

    def boom(*args, **kwargs):
        raise RuntimeError("reader bug")

    # In this process (a worker would import the real reader): the page's error boundary
    # is under test here; tests/test_contain.py covers readers failing in a worker.
    monkeypatch.setenv("CHURNLENS_CONTAIN", "off")
    monkeypatch.setattr("churn.io.read_table", boom)
    at = _upload(at, "other.csv", b"a,b\n1,2\n")
    assert [e.message for e in at.exception] == []
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "other.csv" in errors[0]
    # the exception's type and text stay in the server log; the page names an incident
    assert "RuntimeError" not in errors[0] and "reader bug" not in errors[0]
    assert re.search(r"\b[0-9a-f]{8}\b", errors[0]), errors[0]
    assert at.session_state[DATASET] is before
    assert at.session_state[CONFIRMED] is conf


@pytest.mark.parametrize(("value", "rate"), [("Yes", "100"), ("No", "0")])
def test_a_file_with_one_class_is_summarised_and_every_page_opens(value, rate):
    """All churned (or none): confirmed with a note; only the Model page asks for both."""
    rows = ["customer_id,plan,monthly_fee,tenure_months,Churn"] + [
        f"K{i:03d},{('Basic', 'Pro')[i % 2]},{10 + i % 30},{1 + i % 36},{value}" for i in range(60)
    ]
    at = _upload(_page(), "one_class.csv", "\n".join(rows).encode())
    at = _confirm(at)
    assert not at.exception, _problems(at)
    text = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.info, *at.warning])
    assert f"the churn rate is {rate} %" in text, text[:2000]
    for page in sorted((ROOT / "pages").glob("*.py")):
        at.switch_page(str(page.relative_to(ROOT)))
        at.run()
        assert not at.exception, (page.name, [e.message for e in at.exception])
        if page.name.startswith("4_"):
            needs = " ".join(str(e.value) for e in [*at.warning, *at.info, *at.error])
            assert "a model needs" in needs or "needs at least" in needs, needs[:1000]
