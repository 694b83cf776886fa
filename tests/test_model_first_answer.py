"""The first answer comes fast (issue 18, item 6): fewer folds on large files (every
customer still scored out of fold), LightGBM explained without importing shap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from churn import model as M
from churn.explain import make_explainer
from churn.explain.seam import LightGBMContributions
from tests.model_frames import signal_table

ROOT = Path(__file__).resolve().parents[1]


def test_large_tables_get_three_folds_and_every_customer_out_of_fold(monkeypatch):
    table = signal_table(600, seed=5)
    assert M.choose_split(table).folds == 5
    monkeypatch.setattr("churn.model.splits.LARGE_CV_ROWS", 600)
    split = M.choose_split(table)
    assert (split.kind, split.folds, split.n_test) == ("cv", 3, 200)
    assert split.description.startswith("Stratified 3-fold cross-validation on 600")
    assert M.choose_split(table, folds=4).folds == 4  # asked for: kept
    tm = M.train(table, split=split)
    preds = tm.predictions
    assert len(preds) == 600 and preds["score"].notna().all()
    assert sorted(preds["fold"].unique()) == [1, 2, 3]
    assert len(tm.metrics["roc_auc_folds"]) == 3


def test_lightgbm_is_explained_by_its_own_tree_shap():
    table = signal_table(400, seed=6)
    tm = M.train(table)
    exp = make_explainer(tm)
    assert isinstance(exp.shap_explainer, LightGBMContributions)
    rows = M.feature_frame(table.frame.iloc[:30], tm.features, tm.categorical)
    Xt = M.transformed_features(tm, rows)
    own = tm.pipeline_[-1].predict(Xt, pred_contrib=True)
    np.testing.assert_allclose(exp.shap_explainer.shap_values(Xt), own[:, :-1], atol=1e-12)
    assert exp.base_margin == pytest.approx(own[0, -1], abs=1e-12)


@pytest.mark.slow  # a new process imports pandas, sklearn and lightgbm: about 4 s
def test_explaining_lightgbm_does_not_import_shap():
    code = (
        "import sys\n"
        "from tests.model_frames import signal_table\n"
        "from churn.model import train\n"
        "from churn.explain import explain\n"
        "t = signal_table(300, seed=7)\n"
        "e = explain(train(t), t.frame.iloc[:50])\n"
        "assert abs(e.base_risk + e.contributions.sum(axis=1) - e.risk).max() < 1e-9\n"
        "print('shap' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
