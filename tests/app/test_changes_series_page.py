"""AppTest of the workspace's series of snapshots on the Changes page, and of the Report
page's "Changes since last month" section fed by the page's comparison.

Small files (a few hundred customers cut from the sample months) keep the one model
the page trains quick."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from churn.compare import match_snapshots, snapshot_tables, status_counts
from churn.roles import infer_roles
from churn.sample import MONTHLY_FILES
from churn.settings import IntakeSettings
from churn.workspace import WorkspaceStore, add_snapshot

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
TIMEOUT = 240


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return " ".join(str(p) for p in parts)


@pytest.fixture
def series_id(monkeypatch) -> tuple[str, dict]:
    """A workspace holding October (its own file, roles confirmed) and November (with a
    new column) of 300 sample customers, saved through the library."""
    monkeypatch.chdir(ROOT)
    old = pd.read_csv(SAMPLE / MONTHLY_FILES[0]).head(300)
    new = pd.read_csv(SAMPLE / MONTHLY_FILES[1])
    new = pd.concat([new[new["customer_id"].isin(old["customer_id"])], new.tail(20)])
    new = new.assign(survey_score=1)
    data = {n: f.to_csv(index=False).encode() for n, f in (("oct", old), ("nov", new))}
    intake = IntakeSettings(infer_roles(old))
    store = WorkspaceStore(os.environ["CHURNLENS_WORKSPACES"])
    ws_id = store.create("Acme", file_name="oct.csv", data=data["oct"], intake=intake)
    add_snapshot(
        store,
        ws_id,
        date="2025-10-31",
        file_name="oct.csv",
        data=data["oct"],
        frame=old,
        intake=intake,
    )
    add_snapshot(store, ws_id, date="2025-11-30", file_name="nov.csv", data=data["nov"], frame=new)
    old_t, new_t = snapshot_tables(old, new, intake)
    return ws_id, status_counts(match_snapshots(old_t, new_t))


@pytest.mark.slow  # trains the default model once on 300 customers (about 10-20 s here)
def test_series_is_listed_compared_and_reported(series_id):
    series_id, counts = series_id
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["ws"] = series_id
    at.run()
    # before any comparison the Report page says the section will be left out
    at.switch_page("pages/7_Report.py").run()
    assert not _problems(at), _problems(at)
    assert "Changes since last month (left out: compare two monthly files" in _texts(at)
    at.switch_page("pages/8_Changes.py").run()
    assert not _problems(at), _problems(at)
    radio = at.radio(key="changes.source.en")
    assert radio.options[-1] == "This workspace's last two months"
    radio.set_value("series").run()
    assert not _problems(at), _problems(at)
    metrics = {m.label: m.value for m in at.metric}
    assert counts["new"] == 20 and counts["stayed"] > 50  # the library's counts, shown
    assert metrics["Stayed"] == str(counts["stayed"])
    assert metrics["Left"] == str(counts["left"])
    assert metrics["New customers"] == "20"
    # the series: dates, files, rows and customers, and the column November added
    table = next(d.value for d in at.dataframe if "file_name" in d.value.columns)
    assert table["file_name"].tolist() == ["oct.csv", "nov.csv"]
    assert table["customers"].tolist()[0] == 300
    assert table["columns_added"].tolist() == ["", "survey_score"]
    texts = _texts(at)
    assert "The file of 2025-11-30 added the columns: survey_score." in texts
    assert "each new month's file reuses them" in texts
    # both files are the series': nothing to add
    assert "snapshots.add" not in [b.key for b in at.button]

    # the Report page offers the section with this comparison and builds it
    at.switch_page("pages/7_Report.py").run()
    assert not _problems(at), _problems(at)
    assert at.checkbox(key="report.sec_changes").label == "Changes since last month"
    assert "Changes since last month: oct.csv compared with nov.csv." in _texts(at)
    keep = {"changes"}
    for box in at.checkbox:
        if box.key.startswith("report.sec_") and box.key.removeprefix("report.sec_") not in keep:
            box.uncheck()
    at.run()
    at.button(key="report.build").click().run()
    assert not _problems(at), _problems(at)
    page_bytes, kept, _ = at.session_state["report.built"][1]["html"]
    assert kept == ("changes",)
    page = page_bytes.decode("utf-8")
    assert "Changes since last month" in page
    assert f"Since the last snapshot: {counts['stayed']} customers stayed" in page
    assert "20 new." in page

    # Korean: the series' words and the report's section title
    at.session_state["cl.lang"] = "ko"
    at.switch_page("pages/8_Changes.py").run()
    assert not _problems(at), _problems(at)
    texts = _texts(at)
    assert "파일에 추가된 열: survey_score." in texts
    assert "워크스페이스의 월별 파일" in [s.value for s in at.subheader]
