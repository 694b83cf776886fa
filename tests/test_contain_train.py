"""churn.contain.train: training in a worker process gives the model training in this
process gives, and a worker that crashes or hangs costs only that job."""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
import pytest

from churn import contain
from churn import model as M
from churn.contain import WorkerLimits
from churn.contain.train import LAST_TRAIN, train_contained
from churn.errors import ChurnDataError
from churn.explain import explain
from churn.roles import infer_roles
from churn.sample import generate_subscriptions
from churn.shapes import build_customer_table
from churn.text import Text, error_text

METHODS = ["fork", "forkserver"]


# Targets the worker runs instead of churn.model.train (module level: workers import them)
def segfault(table, **kwargs):
    import ctypes

    ctypes.string_at(0)  # reads address 0: SIGSEGV


def abort(table, **kwargs):
    os.abort()  # SIGABRT


def hang(table, **kwargs):
    time.sleep(120)


@pytest.fixture(scope="module")
def table():
    raw = generate_subscriptions(n=400)
    return build_customer_table(raw, infer_roles(raw))


@pytest.fixture(scope="module", autouse=True)
def _server():
    contain.start_server()
    yield


def _same(a: M.TrainedModel, b: M.TrainedModel, table) -> None:
    pd.testing.assert_frame_equal(a.predictions, b.predictions, check_exact=True)
    X = table.frame[list(a.features)]
    np.testing.assert_array_equal(
        a.pipeline_.predict_proba(X)[:, 1], b.pipeline_.predict_proba(X)[:, 1]
    )
    assert a.metrics.keys() == b.metrics.keys()
    for k, v in a.metrics.items():
        assert (v == b.metrics[k]) or (v != v and b.metrics[k] != b.metrics[k]), k
    assert a.split.to_dict() == b.split.to_dict()
    assert isinstance(b.split.description, Text)  # still translatable on the page
    assert (a.features, a.categorical, a.name, a.label) == (
        b.features, b.categorical, b.name, b.label,
    )  # fmt: skip
    assert a.class_balance == b.class_balance and a.n_train == b.n_train
    assert a.settings == b.settings and a.roles == b.roles


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("model,prefer", [("lightgbm", "time"), ("logistic", "cv")])
def test_training_in_a_worker_equals_training_here(table, model, prefer, method):
    split = M.choose_split(table, prefer=prefer)
    here = M.train(table, model=model, split=split)
    there = train_contained(table, model=model, split=split, method=method)
    _same(here, there, table)
    assert there.split.kind == prefer
    assert LAST_TRAIN["peak"] and LAST_TRAIN["cap"] >= 2 * 1000**3


def test_a_model_from_a_worker_drives_scores_and_explanations(table):
    split = M.choose_split(table, prefer="cv")
    here = M.train(table, split=split)
    there = train_contained(table, model=M.DEFAULT_MODEL, split=split, method="forkserver")
    pd.testing.assert_series_equal(
        M.honest_risk(here, table), M.honest_risk(there, table), check_exact=True
    )
    rows = table.frame.head(20)
    a, b = explain(here, rows), explain(there, rows)
    assert b.base_risk == a.base_risk
    pd.testing.assert_frame_equal(a.contributions, b.contributions, check_exact=True)
    pd.testing.assert_series_equal(a.risk, b.risk, check_exact=True)


def test_off_trains_in_this_process(table, monkeypatch):
    monkeypatch.setenv("CHURNLENS_CONTAIN", "off")
    with pytest.raises(BaseException) as err:  # the crash target would end a worker, not us
        train_contained(table, model="logistic", target=_raise_here)
    assert err.value.args == ("ran in the caller",)


def _raise_here(table, **kwargs):
    raise LookupError("ran in the caller")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("crash", [segfault, abort], ids=["segfault", "abort"])
def test_a_crash_in_training_is_one_clear_error_and_the_next_job_works(
    table, crash, method, caplog
):
    with pytest.raises(ChurnDataError) as err:
        train_contained(table, model="lightgbm", target=crash, method=method)
    assert str(err.value) == (
        "Training could not finish safely: the training process crashed. Fix: train again; "
        "if it crashes again, choose another model (e.g. logistic regression). Nobody "
        "else's work was affected."
    )
    assert error_text(err.value, "ko").startswith("학습을 안전하게 마치지 못했습니다")
    assert err.value.reason == "crash"
    logged = [r.getMessage() for r in caplog.records if r.name == "churnlens.contain"]
    sig = "-11" if crash is segfault else "-6"
    assert logged and f"exit status {sig}" in logged[-1]
    if crash is segfault:
        assert "Segmentation fault" in logged[-1]
    split = M.choose_split(table, prefer="cv")
    again = train_contained(table, model="logistic", split=split, method=method)
    assert again.n_train == M.train(table, model="logistic", split=split).n_train


@pytest.mark.parametrize("method", METHODS)
def test_a_hanging_training_is_stopped_at_the_time_limit(table, method):
    t0 = time.monotonic()
    with pytest.raises(ChurnDataError) as err:
        train_contained(
            table, model="lightgbm", target=hang, worker=WorkerLimits(seconds=1), method=method
        )
    assert time.monotonic() - t0 < 10
    assert str(err.value) == (
        "Training could not finish safely: it took longer than 1 s. Fix: choose fewer "
        "features or a simpler model (logistic regression) and train again; or raise the "
        "limit by setting the environment variable CHURNLENS_WORKER_SECONDS (e.g. "
        "CHURNLENS_WORKER_SECONDS=2) before starting the app."
    )
    assert err.value.reason == "time"
    assert train_contained(table, model="logistic", method=method).n_train == 400


def test_training_errors_come_back_unchanged(table):
    with pytest.raises(ChurnDataError) as err:
        train_contained(table, model="logistic", features=["nope"], method="fork")
    assert str(err.value) == (
        "Column 'nope': this column is not in the customer table. Fix: choose features from "
        "the table's columns."
    )
    assert not hasattr(err.value, "reason")


def test_tuned_settings_reach_the_worker(table):
    params = {"n_estimators": np.int64(7), "learning_rate": np.float64(0.2)}
    split = M.choose_split(table, prefer="cv")
    here = M.train(table, split=split, params=params)
    there = train_contained(
        table, model=M.DEFAULT_MODEL, split=split, params=params, method="forkserver"
    )
    _same(here, there, table)
    assert there.metrics["params"] == {"n_estimators": 7, "learning_rate": 0.2}
