"""Tables show dates as dates and missing values as "–"; the Segments page speaks of
formula-neutralised cells only when there are some; choices survive a language switch.

The language tests mimic the browser: Streamlit 1.67 keeps a selectbox, radio or
multiselect choice in the browser as its label text and only replaces that text when the
server sends the widget with ``set_value``. After a switch the label the browser holds
must therefore be the new language's label of the kept choice, or the next rerun loses it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_model_page import _small_csv
from ui.i18n import LANG_KEY
from ui.widgets import DATE_FORMAT, MISSING

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample" / "subscriptions.csv"
TIMEOUT = 240  # the Explanations page trains a model and runs shap
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def _with_sample() -> AppTest:
    if not SAMPLE.is_file():
        pytest.skip(f"{SAMPLE.relative_to(ROOT)} is not generated yet")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.button(key="home.try_sample").click().run()
    assert not _problems(at), _problems(at)
    return at


def _load(at: AppTest, name: str, data: bytes) -> None:
    """Put a file and its proposed roles in the session, as the Data page does."""
    from churn.io import read_table
    from churn.roles import infer_roles
    from ui.state import CONFIRMED, DATASET, Confirmed, Dataset

    ds = Dataset.from_bytes(name, data)
    at.session_state[DATASET] = ds
    roles = infer_roles(read_table(data, name=name).frame)
    at.session_state[CONFIRMED] = Confirmed(ds.content_hash, None, roles)


def _config(frame_element) -> dict:
    return json.loads(frame_element.proto.columns or "{}")


def _is_date_column(config: dict, column: str) -> bool:
    settings = (config.get(column) or {}).get("type_config") or {}
    return settings.get("type") == "date" and settings.get("format") == DATE_FORMAT


def _customer_list(at: AppTest):
    return next(d for d in at.dataframe if {"start_date", "label_status"} <= set(d.value.columns))


# --------------------------------------------------------------------------- tables


def test_display_helpers_format_plain_dates_and_keep_numbers():
    from ui.widgets import display_columns, display_frame

    frame = pd.DataFrame(
        {
            "signup": pd.to_datetime(["2023-01-12", None]),
            "seen_at": pd.to_datetime(["2023-01-12 10:30", "2023-01-13 00:00"]),
            "day": [dt.date(2024, 3, 1), None],
            "fee": [9.5, None],
            "reason": ["price", None],
        }
    )
    frame.attrs["snapshot"] = pd.Timestamp("2024-01-01")
    shown = display_frame(frame)
    config = display_columns(shown, {"signup": "Signed up", "fee": "Fee"})
    assert shown.attrs == {} and frame.attrs  # the caller's frame is left alone
    assert config["signup"]["type_config"]["format"] == DATE_FORMAT
    assert config["signup"]["label"] == "Signed up"  # the caller's label is kept
    assert config["day"]["type_config"]["type"] == "date"
    assert "seen_at" not in config  # a time of day is worth showing
    assert config["fee"]["label"] == "Fee"  # the label kept, and thousands separators
    assert config["fee"]["type_config"]["format"] == "localized"
    assert shown["fee"].dtype == float and pd.api.types.is_string_dtype(shown["reason"])


def test_customer_lists_show_dates_as_dates_and_missing_as_a_dash():
    at = _with_sample()
    at.switch_page("pages/2_Churn_over_time.py").run()
    assert not _problems(at), _problems(at)
    listed = _customer_list(at)
    config = _config(listed)
    assert _is_date_column(config, "start_date") and _is_date_column(config, "end_date")
    assert listed.proto.placeholder == MISSING
    assert config["start_date"]["label"] == "Start date"  # canonical columns get a header
    assert pd.api.types.is_float_dtype(listed.value["tenure_days"])  # numbers sort as numbers

    at.switch_page("pages/3_Segments.py").run()
    assert not _problems(at), _problems(at)
    listed = _customer_list(at)
    config = _config(listed)
    assert listed.value["end_date"].isna().any()  # active customers: shown as "–"
    assert _is_date_column(config, "start_date") and _is_date_column(config, "end_date")
    assert listed.proto.placeholder == MISSING
    assert pd.api.types.is_numeric_dtype(listed.value["value"])


def test_data_page_preview_of_an_excel_file_shows_dates_as_dates():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/1_Data.py").run()
    at.button(key="data.sample.subscriptions_ko").click().run()
    assert not _problems(at), _problems(at)
    preview = at.dataframe[0]
    assert "가입일" in preview.value.columns
    config = _config(preview)
    assert _is_date_column(config, "가입일") and _is_date_column(config, "해지일")
    assert preview.proto.placeholder == MISSING


@pytest.mark.slow  # seconds of training or a large file: left out of the fast loop
def test_every_table_on_every_page_shows_missing_values_the_same_way():
    at = _with_sample()
    pages = ["1_Data", "2_Churn_over_time", "3_Segments", "4_Model", "5_Explanations"]
    seen = 0
    for page in pages:
        at.switch_page(f"pages/{page}.py").run()
        if page == "5_Explanations":
            at.button(key="explain.train").click().run()
        # Segments draws only its open tab: visit the churn and the value tabs
        for tab in ["Churn by segment", "Value"] if page == "3_Segments" else [None]:
            if tab:
                at.session_state["segments.section"] = tab
                at.run()
            assert not _problems(at), (page, _problems(at))
            for frame in at.dataframe:
                assert frame.proto.placeholder == MISSING, (page, list(frame.value.columns))
                seen += 1
    assert seen >= 10
    # the at-risk list: signup dates as dates, the risk as numbers
    listed = next(d for d in at.dataframe if "Risk" in d.value.columns)
    assert _is_date_column(_config(listed), "Signup date")
    assert pd.api.types.is_float_dtype(listed.value["Risk"])


def test_tables_go_through_the_shared_helper():
    """No page or ui module draws a table itself (so none can forget the display rules)."""
    pattern = re.compile(r"\.(dataframe|data_editor|table)\(")
    # The What-if page (ui/pages/whatif.py) belongs to the What-if work in progress; it still
    # calls st.dataframe directly and moves to ui.widgets.show_table with that work.
    allowed = {"ui/widgets.py", "ui/pages/whatif.py", "ui/pages/segments.py"}
    hits = []
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")]:
        rel = path.relative_to(ROOT).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and rel not in allowed:
                hits.append(f"{rel}:{n}: {line.strip()}")
    assert hits == []
    editor = (ROOT / "ui" / "pages" / "segments.py").read_text(encoding="utf-8")
    assert "placeholder=MISSING" in editor  # the one data editor shows "–" too


# ----------------------------------------------------------------- formula-neutralising


def _segment_captions(at: AppTest) -> str:
    return " ".join(str(c.value) for c in at.caption)


def test_segments_page_says_nothing_about_formulas_when_nothing_was_changed():
    at = _with_sample()
    at.switch_page("pages/3_Segments.py").run()
    assert not _problems(at), _problems(at)
    captions = _segment_captions(at)
    assert "apostrophe" not in captions and "cell(s)" not in captions


def test_segments_page_explains_formula_neutralising_when_it_happened():
    rows = ["customer_id,plan,monthly_fee,churn"]
    for i in range(40):
        plan = "=HYPERLINK(1)" if i % 4 == 0 else "basic" if i % 2 else "pro"
        rows.append(f"C{i},{plan},{10 + i},{'Yes' if i % 3 == 0 else 'No'}")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    _load(at, "formulas.csv", ("\n".join(rows) + "\n").encode())
    at.run()
    at.switch_page("pages/3_Segments.py").run()
    assert not _problems(at), _problems(at)
    at.selectbox(key="segments.by").set_value("plan").run()
    at.selectbox(key="segments.pick").set_value("=HYPERLINK(1)").run()
    assert not _problems(at), _problems(at)
    captions = _segment_captions(at)
    # the segment and plan cells of its 10 customers
    assert "20 value(s) in the download start like a spreadsheet formula" in captions
    assert "Excel shows them as plain text" in captions


# ------------------------------------------------------------------------- languages


def _label(widget) -> list[str] | str | None:
    """The label(s) of the widget's current choice, as its options show them."""
    value, fmt = widget.value, widget.format_func
    if isinstance(value, list):
        return [fmt(v) for v in value]
    return None if value is None else fmt(value)


def _browser_label(widget, before):
    """What the browser shows after this run: the server's label when it sent one."""
    if not widget.proto.set_value:
        return before
    if widget.type == "multiselect":
        return list(widget.proto.raw_values)
    return widget.proto.raw_value


def _switch_and_check(at: AppTest, widgets: dict[str, str], lang: str = "ko") -> None:
    """Switch the language; every widget keeps its value and the browser shows its label
    in the new language; a further rerun (the next click) keeps the value too."""

    def get(kind: str, key: str):
        return getattr(at, kind)(key=key)  # from the tree of the last run

    before = {key: get(kind, key).value for key, kind in widgets.items()}
    labels = {key: _label(get(kind, key)) for key, kind in widgets.items()}
    at.session_state[LANG_KEY] = lang
    at.run()
    assert not _problems(at), _problems(at)
    for key, kind in widgets.items():
        widget = get(kind, key)
        assert widget.value == before[key], key
        shown = _browser_label(widget, labels[key])
        assert shown == _label(widget), (key, shown, widget.options)
        if lang == "ko" and shown:
            assert HANGUL.search(str(shown)) or shown == labels[key], (key, shown)
    at.run()
    assert not _problems(at), _problems(at)
    for key, kind in widgets.items():
        assert get(kind, key).value == before[key], key


def test_model_page_choices_survive_a_language_switch():
    from churn.io import read_table
    from churn.roles import infer_roles
    from ui.state import CONFIRMED, DATASET, Confirmed, Dataset

    data = _small_csv()
    ds = Dataset.from_bytes("small.csv", data)
    roles = infer_roles(read_table(data, name=ds.name).frame)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = Confirmed(ds.content_hash, None, roles)
    at.run()
    at.switch_page("pages/4_Model.py").run()
    at.selectbox(key="model.choice").set_value("logistic")
    at.radio(key="model.split").set_value("cv")
    at.run()
    assert not _problems(at), _problems(at)
    _switch_and_check(at, {"model.choice": "selectbox", "model.split": "radio"})
    assert at.selectbox(key="model.choice").value == "logistic"
    assert at.selectbox(key="model.choice").options[1] == "로지스틱 회귀"
    _switch_and_check(at, {"model.choice": "selectbox", "model.split": "radio"}, lang="en")


def test_churn_over_time_choices_survive_a_language_switch():
    at = _with_sample()
    at.switch_page("pages/2_Churn_over_time.py").run()
    at.selectbox(key="over_time.period").set_value("quarter").run()
    at.selectbox(key="over_time.definition").set_value("start_plus_new").run()
    at.selectbox(key="over_time.list_which").set_value("new").run()
    at.radio(key="over_time.cohort_value").set_value("revenue_retention").run()
    at.selectbox(key="over_time.by").set_value("contract").run()
    assert not _problems(at), _problems(at)
    _switch_and_check(
        at,
        {
            "over_time.period": "selectbox",
            "over_time.definition": "selectbox",
            "over_time.list_which": "selectbox",
            "over_time.cohort_value": "radio",
            "over_time.by": "selectbox",
            "over_time.renewal": "selectbox",
        },
    )
    assert at.selectbox(key="over_time.period").value == "quarter"


def test_segments_choices_survive_a_language_switch():
    at = _with_sample()
    at.switch_page("pages/3_Segments.py").run()
    at.selectbox(key="segments.by").set_value("tenure_days").run()
    at.selectbox(key="segments.second").set_value("value").run()
    assert not _problems(at), _problems(at)
    _switch_and_check(at, {"segments.by": "selectbox", "segments.second": "selectbox"})
    # the clusters tab (only the open tab is drawn), back in English
    at.session_state["segments.section"] = "행동 군집"
    at.run()
    at.multiselect(key="segments.cluster_columns").set_value(["tenure_days", "value"]).run()
    at.selectbox(key="segments.k").set_value(3).run()
    assert not _problems(at), _problems(at)
    _switch_and_check(
        at,
        {"segments.by": "selectbox", "segments.cluster_columns": "multiselect",
         "segments.k": "selectbox"},
        lang="en",
    )  # fmt: skip
    assert at.selectbox(key="segments.by").value == "tenure_days"
    # a date column: the month/year choice
    at.selectbox(key="segments.by").set_value("start_date").run()
    at.radio(key="segments.freq").set_value("year").run()
    _switch_and_check(at, {"segments.by": "selectbox", "segments.freq": "radio"}, lang="en")


def test_data_page_label_mapping_survives_a_language_switch():
    at = _with_sample()
    at.switch_page("pages/1_Data.py").run()
    assert not _problems(at), _problems(at)
    # "No" means active: not the radio's first choice, so a reset would show
    _switch_and_check(
        at,
        {
            "data.map.churned.No": "radio",
            "data.map.churned.Yes": "radio",
            "data.role.label": "selectbox",
            "data.role.tenure": "selectbox",
        },
    )
    assert at.radio(key="data.map.churned.No").value == "active"
