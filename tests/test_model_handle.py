"""The model handle carries a tuned model's settings (issue 18): hashable, part of the
key of the trained model, and the same after a JSON round trip (a saved workspace)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np

from ui import cache_model as cm

PARAMS = {"num_leaves": np.int64(7), "learning_rate": 0.05, "n_estimators": 145}


def _conf():
    return SimpleNamespace(key="abc")  # make_handle reads the confirmed dataset's key only


def test_tuned_settings_key_the_model():
    default = cm.make_handle(_conf(), "lightgbm", ("a", "b"), "cv")
    tuned = cm.make_handle(_conf(), "lightgbm", ("a", "b"), "cv", PARAMS)
    assert "params" not in default and cm.handle_params(default) == {}
    s_default, s_tuned = cm.settings_of(default), cm.settings_of(tuned)
    assert s_default != s_tuned and hash(s_tuned) != hash(s_default)
    assert s_tuned[-1] == (("learning_rate", 0.05), ("n_estimators", 145), ("num_leaves", 7))
    assert type(cm.handle_params(tuned)["num_leaves"]) is int  # plain numbers: JSON-ready
    back = json.loads(json.dumps(tuned))  # a workspace keeps the handle as JSON
    assert cm.settings_of(back) == s_tuned
    assert cm.handle_params(back) == {"num_leaves": 7, "learning_rate": 0.05, "n_estimators": 145}
