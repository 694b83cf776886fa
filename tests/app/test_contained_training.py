"""A training run that crashes fails for its participant alone: the Model page says so in
one sentence with a fix, and the next training works (training runs in a worker process,
churn.contain.train)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui.cache_model
from churn import contain
from churn.io import read_table
from churn.roles import infer_roles
from churn.sample import generate_subscriptions
from tests.test_contain_train import segfault
from ui.state import CONFIRMED, DATASET, MODEL, Confirmed, Dataset

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "4_Model.py")


@pytest.mark.slow  # ~10 s: the Model page trains twice (a crash, then a model)
def test_a_crashing_training_is_a_message_and_the_next_training_works(monkeypatch):
    contain.start_server()
    # a small generated file: the page's own work stays short
    data = generate_subscriptions(400).to_csv(index=False, date_format="%Y-%m-%d").encode()
    ds = Dataset.from_bytes("subscriptions.csv", data)
    at = AppTest.from_file(PAGE, default_timeout=180)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = Confirmed(
        ds.content_hash, None, infer_roles(read_table(data, name=ds.name).frame)
    )
    at.run()
    real = ui.cache_model.train_contained
    monkeypatch.setattr(ui.cache_model, "train_contained", functools.partial(real, target=segfault))
    at.selectbox(key="model.choice").set_value("logistic")
    at.button(key="model.train").click().run()
    assert [e.message for e in at.exception] == []
    errors = [e.value for e in at.error]
    assert len(errors) == 1
    assert "Training could not finish safely: the training process crashed." in errors[0]
    assert "train again" in errors[0]
    assert not at.metric  # no model shown

    monkeypatch.setattr(ui.cache_model, "train_contained", real)
    at.button(key="model.train").click().run()
    assert [e.message for e in at.exception] == [] and not at.error
    assert at.session_state[MODEL]["model"] == "logistic"
    assert "ROC AUC" in {m.label for m in at.metric}
