"""AppTest: the Model page's "Use the tuned model" makes the tuned LightGBM the model of
every page (issue 18): the What-if and Explanations pages show its honest risks, the
page says which model is in use, and the default comes back with one click."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.model_frames import signal_frame

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 240  # training and tuning on a shared 2-core machine


def _pct(text: str) -> float:
    return float(str(text).rstrip("%").replace(",", "")) / 100


def _direct_risk(ds, conf, split: str, params: dict | None):
    """The honest risks computed without the app: the table, train, out of fold."""
    from churn import model as M
    from churn.io import read_table
    from churn.shapes import build_customer_table

    table = build_customer_table(read_table(ds.data, name=ds.name).frame, conf.settings)
    tm = M.train(table, model="lightgbm", split=M.choose_split(table, prefer=split), params=params)
    return M.honest_risk(tm, table)


def _page(name: str, state: dict) -> AppTest:
    """Another page of the same session (its state carried over; the caches are shared)."""
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.slow  # trains, tunes (5 s budget), retrains tuned and checks two pages: ~40 s
def test_the_tuned_model_becomes_every_pages_model():
    from churn.io import read_table
    from churn.roles import infer_roles
    from ui.state import CONFIRMED, DATASET, MODEL, Confirmed, Dataset

    frame = signal_frame(600, seed=8, interaction=1.0).drop(columns="label_status")
    frame["churned"] = np.where(frame["churned"] == 1, "Yes", "No")
    data = frame.to_csv(index=False).encode()
    ds = Dataset.from_bytes("signal.csv", data)
    conf = Confirmed(ds.content_hash, None, infer_roles(read_table(data, name=ds.name).frame))
    at = AppTest.from_file(str(ROOT / "pages" / "4_Model.py"), default_timeout=TIMEOUT)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = conf
    at.run()
    at.button(key="model.train").click().run()
    assert any("with its default settings" in c.value for c in at.caption)
    at.number_input(key="model_tune.budget").set_value(5)
    at.button(key="model_tune.run").click().run()
    assert not at.exception, [e.message for e in at.exception]
    at.button(key="model_use.use").click().run()
    assert not at.exception, [e.message for e in at.exception]
    handle = at.session_state[MODEL]
    params = dict(handle["params"])
    assert handle["model"] == "lightgbm" and {"num_leaves", "n_estimators"} <= set(params)
    said = " ".join(i.value for i in at.info)
    assert "Model in use: LightGBM (tuned)" in said and f"{params['num_leaves']} leaves" in said

    # the workspace keeps the tuned model, and a new session restores it as it is
    from churn.workspace import WorkspaceStore
    from ui.state import WORKSPACE

    ws_id = at.session_state[WORKSPACE]
    saved = WorkspaceStore().load(ws_id)
    assert dict(map(tuple, saved.model_handle["params"])) == params
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    again.query_params["ws"] = ws_id
    again.run()
    assert again.session_state[MODEL] == handle

    tuned = _direct_risk(ds, conf, handle["split"], params)
    default = _direct_risk(ds, conf, handle["split"], None)
    at = _page("6_What_if.py", {DATASET: ds, CONFIRMED: conf, MODEL: handle})
    customer = at.selectbox(key="whatif.customer").value
    now = _pct(next(m.value for m in at.metric if m.label == "Risk now"))
    assert now == pytest.approx(tuned[customer], abs=6e-4)
    assert (tuned - default).abs().max() > 0.01  # the two models really differ

    at = _page("5_Explanations.py", {DATASET: ds, CONFIRMED: conf, MODEL: handle})
    listed = next(d.value for d in at.dataframe if "Customer" in d.value.columns)
    risk = listed.set_index("Customer")["Risk"]
    assert np.allclose(risk.to_numpy() / 100, tuned[risk.index].to_numpy(), atol=6e-4)

    at = _page("4_Model.py", {DATASET: ds, CONFIRMED: conf, MODEL: handle})
    assert "Model in use: LightGBM (tuned)" in " ".join(i.value for i in at.info)
    at.button(key="model_use.back").click().run()
    assert "params" not in at.session_state[MODEL]
    assert any("with its default settings" in c.value for c in at.caption)
