"""Tuning LightGBM within a time budget (issue 18, item 1), native categories, the
leaderboard's default vs tuned rows."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from churn import model as M
from churn.model.registry import LIGHTGBM_PARAMS, make_lightgbm
from churn.model.tuning import SEARCH_SPACE, sample_space, tune, with_params
from tests.model_frames import CATEGORICAL, FEATURES, RISKY_PLANS, signal_frame, signal_table


@pytest.fixture(scope="module")
def table():
    return signal_table(1500, seed=3)


def test_the_search_space_is_seeded_and_leaves_out_the_default():
    a, b = sample_space(9, 0), sample_space(9, 0)
    assert a == b and len(a) == 9 and a != sample_space(9, 1)
    default = {k: LIGHTGBM_PARAMS[k] for k in SEARCH_SPACE}
    assert default not in a
    assert all(s[k] in SEARCH_SPACE[k] for s in a for k in SEARCH_SPACE)


@pytest.mark.slow  # the search runs its whole 3 s budget plus the set-up
def test_tune_within_budget_with_progress(table):
    seen = []
    result = tune(table, budget_seconds=3, progress=lambda i, n, s: seen.append((i, n, s)))
    assert result.seconds <= 3 + 1.5  # a fit in progress stops at the next tree
    assert seen[0] == (0, seen[0][1], "screen") and seen[-1][0] == seen[-1][1]
    trials = result.trials
    assert set(trials["stage"]) == {"screen"}  # 1,200 search rows: no second round
    assert trials["default"].iloc[0] and trials["trees"].iloc[0] == 200
    assert (trials.loc[~trials["default"], "trees"] < 1000).all()  # stopped early
    assert result.default_auc == pytest.approx(trials["val_auc"].iloc[0])
    if result.improved:
        assert result.tuned_auc > result.default_auc and result.params != LIGHTGBM_PARAMS
    else:
        assert result.params == LIGHTGBM_PARAMS
    assert "settings in" in str(result.summary())


def test_cancel_returns_the_default_at_once(table):
    stop = threading.Event()
    stop.set()
    result = tune(table, budget_seconds=30, cancel=stop)
    assert result.stopped == "cancelled" and not result.improved
    assert result.params == LIGHTGBM_PARAMS and len(result.trials) == 0
    calls = iter([False, False, True])
    assert tune(table, budget_seconds=30, cancel=lambda: next(calls, True)).stopped == ("cancelled")


def test_train_and_leaderboard_with_tuned_settings(table):
    params = {"num_leaves": 7, "learning_rate": 0.1, "min_child_samples": 10, "n_estimators": 60}
    tm = M.train(table, params=params)
    est = tm.pipeline_[-1]
    assert (est.num_leaves, est.n_estimators, est.min_child_samples) == (7, 60, 10)
    assert tm.metrics["params"] == params and str(tm.label) == "LightGBM (tuned)"
    board = M.leaderboard(table, models=["lightgbm"], folds=2, tuned=params)
    assert board.set_index("model")["tuned"].to_dict() == {
        "lightgbm": False,
        "lightgbm_tuned": True,
    }
    assert str(board.set_index("model").at["lightgbm_tuned", "label"]) == "LightGBM (tuned)"
    assert with_params(M.get_spec("lightgbm"), None) is M.get_spec("lightgbm")


def test_categories_reach_lightgbm_as_categories():
    """A set of plans that is not an interval of their codes: one categorical split finds
    it, and the booster lists the plan's levels, not a numeric range."""
    frame = signal_frame(1500, seed=4)
    X = M.feature_frame(frame, FEATURES, CATEGORICAL)
    pipe = make_lightgbm(FEATURES, CATEGORICAL, len(X)).fit(X, frame["churned"].astype(int))
    dump = pipe[-1].booster_.dump_model()
    names = dump["feature_names"]
    infos = dict(zip(names, [dump["feature_infos"][n] for n in names], strict=True))
    plan = names[list(pipe[-1].feature_names_in_).index("plan")]
    # a category's levels (codes 0..7; -1 is LightGBM's own "other" bucket)
    assert sorted(v for v in infos[plan]["values"] if v >= 0) == list(range(8))
    num = names[list(pipe[-1].feature_names_in_).index("nps")]
    assert (infos[num]["min_value"], infos[num]["max_value"]) == (0, 10)

    def splits(node):
        if "split_feature" not in node:
            return []
        return [node] + splits(node["left_child"]) + splits(node["right_child"])

    nodes = [s for t in dump["tree_info"] for s in splits(t["tree_structure"])]
    on_plan = [s for s in nodes if names[s["split_feature"]] == plan]
    assert on_plan and all(s["decision_type"] == "==" for s in on_plan)
    # the same customer on each plan: the three risky plans (codes 1, 4, 6: no interval)
    # come out riskiest
    one = X.iloc[[0] * 8].assign(plan=list("abcdefgh"))
    risk = dict(zip("abcdefgh", pipe.predict_proba(one)[:, 1], strict=True))
    assert set(sorted(risk, key=risk.get)[-3:]) == set(RISKY_PLANS)
    assert np.isfinite(pipe.predict_proba(X.assign(plan="zzz"))[:, 1]).all()  # unseen level
