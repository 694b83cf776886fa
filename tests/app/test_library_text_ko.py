"""Sentences the library writes (table notes, issues, errors) appear in Korean on the pages."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from churn.text import catalogue

ROOT = Path(__file__).resolve().parents[2]
#: An English sentence of at least three words, none of them Korean.
ENGLISH = re.compile(r"[A-Za-z]{3,} [a-z]{2,} [a-z]{3,}")


def _texts(at: AppTest) -> list[str]:
    return [
        e.value
        for kind in ("markdown", "caption", "warning", "info", "error", "success")
        for e in getattr(at, kind)
    ]


def test_table_notes_and_issues_are_korean_on_the_data_page():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.selectbox(key="sidebar.lang").set_value("ko").run()
    at.button(key="home.try_sample").click().run()
    at.switch_page("pages/1_Data.py").run()
    assert not at.exception
    texts = _texts(at)
    joined = "\n".join(texts)
    # the customer table's notes, e.g. how the label was read
    assert "Label from" not in joined and "Built from" not in joined
    label_ko = catalogue("ko")["Label from '{column}': {churned} = churned, {active} = active."]
    assert label_ko.split("'")[2].split(":")[0] in joined  # "열로 이탈 여부를 정했습니다"
    # no English sentence is left in what the page says (data values aside)
    english = [x for x in texts if ENGLISH.search(x) and not re.search("[가-힣]", x)]
    assert not english, english


def test_a_library_error_reads_in_korean_with_its_fix():
    from churn.errors import ChurnDataError
    from churn.io import read_table
    from ui.i18n import error_message

    try:
        read_table(b"", name="x.csv")
    except ChurnDataError as exc:
        ko, en = error_message(exc, "ko"), error_message(exc, "en")
    assert (
        en
        == "'x.csv' is empty. Fix: export the data again: the file needs a header row and at least one row of data."
    )
    assert "비어 있습니다" in ko and "해결 방법:" in ko and "Fix" not in ko and "x.csv" in ko


def test_library_labels_in_tables_read_korean(monkeypatch):
    import pandas as pd

    import ui.i18n
    import ui.widgets as w

    frame = pd.DataFrame(
        {
            "segment": ["all", "(missing)", "other", "Basic"],
            "label_status": ["churned", "active", "too_new", "excluded"],
            "plan": pd.Categorical(["other", "all", "(missing)", "Pro"]),
        }
    )
    assert w.display_frame(frame).equals(frame)  # English: as the library wrote them
    monkeypatch.setattr(w, "current_lang", lambda: "ko")
    monkeypatch.setattr(ui.i18n, "current_lang", lambda: "ko")
    shown = w.display_frame(frame)
    assert shown["segment"].tolist() == ["전체", "(값 없음)", "기타", "Basic"]
    assert shown["label_status"].tolist() == ["이탈", "유지", "판단 보류(신규)", "제외"]
    # in the user's own columns only the library's own labels change ("all" is data there)
    assert shown["plan"].tolist() == ["기타", "all", "(값 없음)", "Pro"]
