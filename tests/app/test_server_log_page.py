"""The Data page's server path (issue 23): off by default; when the administrator opens a
folder, a typed pattern of Parquet files becomes the dataset (a sample on screen) and
Confirm aggregates every event with DuckDB, equal to the pandas path on the whole log."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from churn.shapes import build_customer_table
from ui.i18n import catalogue
from ui.state import CONFIRMED, DATASET

ROOT = Path(__file__).resolve().parents[2]
EN = catalogue("en")


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/1_Data.py")
    return at.run()


def _log(n: int, seed: int, prefix: str = "K") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = np.datetime64("2023-01-01") + rng.integers(0, 600, n).astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "customer_id": [f"{prefix}{c:03d}" for c in rng.integers(0, 400, n)],
            "order_date": days.astype("datetime64[ns]"),
            "amount": np.round(rng.gamma(2.0, 15.0, n), 2),
        }
    )


def test_server_path_is_off_without_the_setting(monkeypatch):
    monkeypatch.delenv("CHURNLENS_SERVER_DATA", raising=False)
    at = _page()
    assert not [w for w in at.text_input if w.key == "data.server_path"]


def test_a_pattern_in_the_server_folder_is_aggregated_on_confirm(tmp_path, monkeypatch):
    # 15,000 events in three files: more than the 10,000-row sample the page holds
    parts = [_log(5000, 1), _log(5000, 2), _log(5000, 3, "Z")]
    (tmp_path / "logs").mkdir()
    for i, part in enumerate(parts):
        part.to_parquet(tmp_path / "logs" / f"p{i}.parquet")
    (tmp_path / "outside.csv").write_text("customer_id,order_date\nX,2024-01-01\n")
    monkeypatch.setenv("CHURNLENS_SERVER_DATA", str(tmp_path / "logs"))
    at = _page()
    at.text_input(key="data.server_path").set_value("../outside.csv")
    at.run()
    at.button(key="data.server_read").click()
    at.run()
    assert "outside the folder the server allows" in at.error[0].value
    assert at.session_state[DATASET] is None

    at.text_input(key="data.server_path").set_value("*.parquet")
    at.run()
    at.button(key="data.server_read").click()
    at.run()
    assert [e.value for e in at.exception] == []
    ds = at.session_state[DATASET]
    assert ds.log_source == "*.parquet"
    at.button(key="data.confirm").click()
    at.run()
    assert [e.value for e in at.exception] == []
    conf = at.session_state[CONFIRMED]
    whole = pd.concat(parts, ignore_index=True)
    want = build_customer_table(whole, conf.settings)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[EN["data.m_customers"]] == f"{len(want.frame):,}"
    assert metrics[EN["data.m_churned"]] == f"{want.n_churned:,}"
    assert want.rows_in == 15_000
    # the sample alone would give other numbers: the table came from every event
    sample = build_customer_table(pd.read_parquet(io.BytesIO(ds.data)), conf.settings)
    assert (len(sample.frame), len(want.frame)) == (400, 800)
