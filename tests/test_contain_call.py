"""churn.contain.call: the Model page's model comparison and tuning run in a worker
process, give what they give here, report their progress as they go, and a crash costs
only that job."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from churn import contain
from churn import model as M
from churn.contain import WorkerLimits
from churn.contain.call import LAST_CALL, call_contained
from churn.errors import ChurnDataError
from churn.model.tuning import TuneResult, tune
from churn.roles import infer_roles
from churn.sample import generate_subscriptions
from churn.shapes import build_customer_table
from tests.support.crashers import hang, segfault_after_a_step


@pytest.fixture(scope="module", autouse=True)
def _server():
    contain.start_server()
    yield


@pytest.fixture(scope="module")
def table():
    raw = generate_subscriptions(n=800, seed=5)
    return build_customer_table(raw, infer_roles(raw))


def test_the_leaderboard_in_a_worker_is_the_leaderboard_here(table):
    here_steps, there_steps = [], []
    here = M.leaderboard(table, progress=lambda *s: here_steps.append(s))
    there = call_contained(
        M.leaderboard, table, progress=lambda *s: there_steps.append(s), size=10**6
    )
    timing = ["fit_seconds"]
    pd.testing.assert_frame_equal(here.drop(columns=timing), there.drop(columns=timing))
    assert there_steps == here_steps  # every model announced, in order, then the end
    assert there_steps[-1] == (len(M.MODELS), len(M.MODELS), "")
    assert LAST_CALL["name"] == "leaderboard" and LAST_CALL["peak"] > 0


def test_a_finished_tuning_in_a_worker_finds_what_it_finds_here(table):
    """A budget the search does not reach: the same fits, the same settings chosen."""
    here = tune(table, budget_seconds=600)
    steps = []
    there = call_contained(tune, table, budget_seconds=600, progress=lambda *s: steps.append(s))
    assert isinstance(there, TuneResult) and here.stopped == there.stopped == ""
    assert there.params == here.params and there.improved == here.improved
    assert there.default_auc == here.default_auc and there.tuned_auc == here.tuned_auc
    timing = ["seconds"]
    pd.testing.assert_frame_equal(
        here.trials.drop(columns=timing), there.trials.drop(columns=timing)
    )
    assert steps and steps[0][0] == 0 and steps[-1][2] == ""


def test_a_crash_costs_only_that_job_and_the_progress_before_it_arrived(table, caplog):
    steps = []
    with pytest.raises(ChurnDataError) as err:
        call_contained(segfault_after_a_step, table, progress=lambda *s: steps.append(s))
    assert steps == [(0, 2, "first")]
    assert err.value.reason == "crash"
    assert str(err.value).startswith("Training could not finish safely: the training process")
    assert "exit status -11" in caplog.text
    again = call_contained(M.leaderboard, table, models=["logistic"])
    assert again["model"].tolist() == ["logistic"]


def test_a_hanging_call_is_stopped_at_the_time_limit(table):
    t0 = time.monotonic()
    with pytest.raises(ChurnDataError) as err:
        call_contained(hang, table, worker=WorkerLimits(seconds=1))
    assert time.monotonic() - t0 < 10 and err.value.reason == "time"


def test_the_functions_own_errors_come_back_unchanged(table):
    with pytest.raises(ChurnDataError) as err:
        call_contained(M.leaderboard, table, features=["nope"])
    assert "nope" in str(err.value) and not hasattr(err.value, "reason")


def test_off_calls_it_here(table, monkeypatch):
    monkeypatch.setenv("CHURNLENS_CONTAIN", "off")
    LAST_CALL.clear()
    got = call_contained(M.leaderboard, table, models=["logistic"])
    assert got["model"].tolist() == ["logistic"] and LAST_CALL == {}


def test_honest_risks_in_a_worker_are_the_risks_here(table):
    """A time split: the labelled customers it did not evaluate are cross-fitted (models
    trained in the worker); every risk, the index and the attrs come back the same."""
    tm = M.train(table, model="lightgbm", split=M.choose_split(table, prefer="time"))
    here = M.honest_risk(tm, table)
    assert here.attrs["sources"].get("cross_fitted", 0) > 0  # the case that trains
    there = call_contained(M.honest_risk, tm, table)
    pd.testing.assert_series_equal(here, there, check_exact=True)
    assert there.attrs == here.attrs
