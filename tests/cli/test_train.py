"""``python -m churn train``: train a model, report how good it is, save it."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from churn.model import load_model
from tests.cli.helpers import SIX_ROLES, bad, ok, ok_json

TRAIN_FIELDS = [
    "model", "split", "metrics", "baselines", "roc_auc_std", "top_decile_lift",
    "evaluated_customers", "class_balance", "training_rows", "fit_seconds", "features",
    "categorical", "leakage", "monotone", "tuning",
]  # fmt: skip
SPLIT_FIELDS = {
    "kind", "folds", "test_share", "cutoff", "n_train", "n_test", "time_available",
    "description", "train_rate", "test_rate", "copies", "copy_sets",
}  # fmt: skip
METRICS = ["roc_auc", "pr_auc", "brier", "log_loss"]


def test_counts_and_baselines_by_hand(customers_csv, tmp_path):
    """The 120 customers of tests.cli.helpers.customers_frame: 48 churned, 72 active."""
    saved = tmp_path / "m.skops"
    out = ok_json("train", customers_csv, "--model", "logistic", "--save", saved, "--json")
    assert list(out) == TRAIN_FIELDS
    assert out["model"] == "logistic"
    # no dates: stratified 5-fold cross-validation, 96 trained on and 24 tested per fold
    split = out["split"]
    assert set(split) == SPLIT_FIELDS
    assert (split["kind"], split["folds"], split["n_train"], split["n_test"]) == ("cv", 5, 96, 24)
    assert split["time_available"] is False and split["cutoff"] is None
    assert split["description"].startswith("Stratified 5-fold cross-validation on 120 labelled")
    assert list(out["metrics"]) == METRICS and list(out["baselines"]) == METRICS
    assert (out["evaluated_customers"], out["training_rows"]) == (120, 120)
    balance = out["class_balance"]
    assert (balance["n_churned"], balance["n_active"], balance["base_rate"]) == (48, 72, 0.4)
    assert balance["class_weights"] is None
    assert balance["handling"].startswith("40.0% of labelled customers churned (48 of 120).")
    # always predicting the base rate 0.4: Brier 0.4 * 0.6, log loss -(0.4 ln 0.4 + 0.6 ln 0.6)
    base = out["baselines"]
    assert (base["roc_auc"], base["pr_auc"]) == (0.5, 0.4)
    assert base["brier"] == pytest.approx(0.24, abs=1e-15)
    assert base["log_loss"] == pytest.approx(-(0.4 * math.log(0.4) + 0.6 * math.log(0.6)))
    # tickets decide churn for 106 of the 120 customers: far better than the baselines
    assert out["metrics"]["roc_auc"] > 0.75 and out["metrics"]["brier"] < 0.24
    assert out["metrics"]["pr_auc"] > 0.4 and out["top_decile_lift"] > 1
    assert 0 <= out["roc_auc_std"] < 0.5 and out["fit_seconds"] >= 0
    # the id, the label and the personal columns are never features
    assert out["features"] == ["plan", "fee", "tickets"] and out["categorical"] == ["plan"]
    assert out["leakage"] == []
    back = load_model(saved)
    assert list(back.features) == out["features"] and back.name == "logistic"


def test_text_output(customers_csv):
    lines = ok("train", customers_csv, "--model", "logistic").stdout.splitlines()
    assert lines[0].startswith("model Logistic regression: Stratified 5-fold cross-validation")
    assert "(guessing 0.5)" in lines[1] and "(base rate 0.400)" in lines[1]
    assert "(base rate only 0.240)" in lines[1]
    assert lines[2].startswith("40.0% of labelled customers churned (48 of 120).")
    assert lines[3] == "features (3): plan, fee, tickets"


def test_too_few_customers_is_one_error_line(six_csv):
    line = bad("train", six_csv, *SIX_ROLES, "--json")
    assert line.startswith(
        "error: only 6 customers have a churn label; a model needs at least 100."
    )


@pytest.fixture(scope="module")
def telco_copy(shared_data):
    return shared_data / "telco_customer_churn.csv"


def test_cli_train_and_score(tmp_path, telco_copy):
    model_file = tmp_path / "telco.skops"
    out = ok_json(
        "train", telco_copy, "--id", "customerID", "--label", "Churn", "--model", "logistic",
        "--save", model_file, "--json",
    )  # fmt: skip
    assert out["model"] == "logistic"
    assert out["split"]["kind"] == "cv"
    assert set(out["metrics"]) >= {"roc_auc", "pr_auc", "brier", "log_loss"}
    assert 0.8 < out["metrics"]["roc_auc"] < 0.9
    assert "customerID" not in out["features"] and "Churn" not in out["features"]
    assert isinstance(out["leakage"], list)
    assert model_file.exists()
    scored = tmp_path / "scores.csv"
    ok("score", "--model-file", model_file, telco_copy, "-o", scored)
    s = pd.read_csv(scored, encoding="utf-8-sig", dtype={"customer_id": str})
    assert len(s) == 7043 and {"customer_id", "risk"} <= set(s.columns)
    assert s["risk"].between(0, 1).all()
    xlsx = tmp_path / "scores.xlsx"
    ok("score", "--model-file", model_file, telco_copy, "-o", xlsx)
    assert len(pd.read_excel(xlsx, engine="openpyxl")) == 7043


def test_cli_train_unknown_model_is_one_line_error(telco_copy):
    line = bad("train", telco_copy, "--model", "xgb", "--json")
    assert "xgb" in line
