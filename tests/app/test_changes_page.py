"""AppTest of the Changes page: the sample months with no upload, in English and Korean."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/8_Changes.py"
TIMEOUT = 240  # training and shap on a shared 2-core machine (cached after the first run)


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    return " ".join(str(p) for p in parts)


@pytest.mark.slow  # trains two models, imports shap, three runs (30-50 s on 2 busy cores)
def test_sample_months_in_english_then_korean():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page(PAGE).run()
    assert not _problems(at), _problems(at)
    metrics = {m.label: m.value for m in at.metric}
    # October -> November 2025 of the sample (churn.sample.monthly)
    assert metrics["Stayed"] == "1,977"
    assert metrics["Left"] == "83"
    assert metrics["New customers"] == "242"
    assert int(metrics["Moved into high risk"].replace(",", "")) > 0
    assert metrics["Precision of the list"] == "7.0 %"  # 56 of the 800 listed left
    assert metrics["Recall of the list"] == "67.5 %"
    texts = _texts(at)
    assert "The list: the customers in the campaign file." in texts
    assert "95.7 % of the 600 contacted customers stayed, against 85.0 % of the 200" in texts
    assert "Contacting kept about " in at.success[0].value
    assert "Among the hold-out, untouched by the campaign, 15.0 % left" in texts
    # the moved customers with their reasons, the campaign's bands, the top customers
    assert len(at.dataframe) == 3
    moved = at.dataframe[0].value
    assert {"band_old", "reason_then", "reason_now"} <= set(moved.columns)
    assert (moved["reason_now"].head(10) != "").all()
    assert at.dataframe[2].value["then_id"].iloc[0] != ""

    # Korean: the page, the library's sentences and the bands in Korean
    at.session_state["cl.lang"] = "ko"
    at.run()
    assert not _problems(at), _problems(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["남은 고객"] == "1,977" and metrics["떠난 고객"] == "83"
    assert "연락한 고객 600명 중 95.7%가 남았고" in at.success[0].value
    assert "연락으로 고객 약" in at.success[0].value
    assert set(at.dataframe[1].value["stratum"]) <= {"낮은 위험", "중간 위험", "높은 위험"}

    # the other pair has no campaign: the page says how to add one
    at.selectbox(key="changes.pair.ko").set_value("2025-11").run()
    assert not _problems(at), _problems(at)
    assert at.info and "캠페인 목록" in at.info[0].value
    assert "목록: 지난번 고위험 구간." in _texts(at)


def test_own_files_wait_for_both_uploads():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.session_state["changes.source.en"] = "upload"  # no sample comparison first
    at.switch_page(PAGE).run()
    assert not _problems(at), _problems(at)
    assert at.radio(key="changes.source.en").value == "upload"
    assert "Upload last month's and this month's file" in at.info[0].value
    assert not at.metric
