"""AppTest of the Model page's "Tune LightGBM" control (issue 18, item 1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.model_frames import signal_frame

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "4_Model.py")
TIMEOUT = 240  # training and tuning on a shared 2-core machine


@pytest.mark.slow  # trains, tunes (5 s budget) and compares LightGBM through the page: ~20 s
def test_tune_shows_default_and_tuned():
    from churn.io import read_table
    from churn.roles import infer_roles
    from ui.state import CONFIRMED, DATASET, Confirmed, Dataset

    frame = signal_frame(600, seed=8).drop(columns="label_status")
    frame["churned"] = np.where(frame["churned"] == 1, "Yes", "No")
    data = frame.to_csv(index=False).encode()
    ds = Dataset.from_bytes("signal.csv", data)
    roles = infer_roles(read_table(data, name=ds.name).frame)
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = Confirmed(ds.content_hash, None, roles)
    at.run()
    at.button(key="model.train").click().run()
    assert not at.exception, [e.message for e in at.exception]
    at.number_input(key="model_tune.budget").set_value(5)
    at.button(key="model_tune.run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    said = " ".join(str(m.value) for m in at.markdown)
    assert "settings in" in said and "budget 5 s" in said
    infos = " ".join(str(i.value) for i in at.info)
    if "No setting beat the default" in infos:
        return  # the default stays: nothing to compare
    board = at.dataframe[-1].value
    assert set(board["Model"]) == {"LightGBM (recommended)", "LightGBM (tuned)"}
    assert board["ROC AUC (mean of 5 folds)"].between(0.5, 1).all()
    assert any("Tuned settings:" in str(c.value) for c in at.caption)
