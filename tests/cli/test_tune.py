"""``--tune`` / ``--tune-seconds`` on the commands that train (issue 18, item 1)."""

from __future__ import annotations

import pandas as pd

from tests.cli.helpers import bad, ok, ok_json


def test_train_tune_json(customers_csv):
    out = ok_json("train", customers_csv, "--tune", "--tune-seconds", "2", "--json")
    tuning = out["tuning"]
    assert tuning["budget_seconds"] == 2.0 and tuning["seconds"] <= 3.5
    assert tuning["trials"] >= 1 and set(tuning["validation_roc_auc"]) == {"default", "tuned"}
    assert set(tuning["params"]) == {
        "num_leaves", "learning_rate", "min_child_samples", "n_estimators",
    }  # fmt: skip
    plain = ok_json("train", customers_csv, "--json")
    assert plain["tuning"] is None


def test_tune_is_for_lightgbm_only(customers_csv):
    line = bad("train", customers_csv, "--tune", "--model", "logistic")
    assert "--tune tunes LightGBM only, not 'logistic'" in line
    assert "--tune-seconds must be above 0" in bad(
        "train", customers_csv, "--tune", "--tune-seconds", "0"
    )


def test_at_risk_tune(customers_csv, tmp_path):
    out = tmp_path / "list.csv"
    proc = ok("at-risk", customers_csv, "--tune", "--tune-seconds", "2", "--top", "5", "-o", out)
    assert "tuning:" in proc.stderr and "settings in" in proc.stderr
    assert len(pd.read_csv(out)) == 5
