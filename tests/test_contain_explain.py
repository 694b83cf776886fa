"""churn.contain.explain: SHAP in a worker process gives exactly what explaining in this
process gives, and a worker that crashes, hangs or outgrows its cap costs only that job."""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
import pytest

from churn import contain
from churn import explain as E
from churn import model as M
from churn.contain import WorkerLimits
from churn.contain.explain import (
    LAST_EXPLAIN,
    at_risk_contained,
    at_risk_here,
    drivers_contained,
)
from churn.contain.pack import index_back, model_bytes, with_index
from churn.errors import ChurnDataError
from churn.roles import infer_roles
from churn.sample import generate_subscriptions
from churn.shapes import build_customer_table
from churn.text import error_text
from tests.support.crashers import hang, segfault

# The fork server only: a worker forked straight from this process, which has run
# LightGBM's OpenMP threads (the models below), can hang in its first parallel region
# (the server forks from the fork server; only a single-threaded command line forks itself).
METHODS = ["forkserver"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def table():
    raw = generate_subscriptions(n=600, seed=3)
    return build_customer_table(raw, infer_roles(raw))


@pytest.fixture(scope="module")
def models(table):
    split = M.choose_split(table, prefer="cv")
    return {name: M.train(table, model=name, split=split) for name in ("lightgbm", "logistic")}


@pytest.fixture(scope="module", autouse=True)
def _server():
    contain.start_server()
    yield


def _here(tm, table):
    explainer = E.make_explainer(tm, E.sample_rows(table, E.LINEAR_BACKGROUND))
    return explainer, E.global_drivers(tm, table, explainer=explainer)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ["lightgbm", "logistic"])
def test_drivers_in_a_worker_equal_drivers_here(table, models, name, method):
    tm = models[name]
    _, here = _here(tm, table)
    there = drivers_contained(tm, table, method=method)
    pd.testing.assert_frame_equal(here.importance, there.importance, check_exact=True)
    pd.testing.assert_frame_equal(here.points, there.points, check_exact=True)
    assert (there.n_sample, there.n_total) == (here.n_sample, here.n_total) == (600, 600)
    assert there.base_risk == here.base_risk
    assert LAST_EXPLAIN["kind"] == "drivers" and LAST_EXPLAIN["peak"] > 0
    assert LAST_EXPLAIN["cap"] == 2 * 1000**3  # the floor: a 600-row table is small


@pytest.mark.parametrize("method", METHODS)
def test_the_at_risk_list_in_a_worker_equals_the_list_here(table, models, method):
    """Same rows, order, index, reasons (in Korean) and actions; a band and a segment too."""
    tm = models["lightgbm"]
    risk = M.honest_risk(tm, table)
    explainer, _ = _here(tm, table)
    plan = table.frame["plan"].dropna().astype(str).unique()[:2]
    for kw in (
        {"sort": "risk", "top": 50, "band": None, "segment": None, "lang": "ko"},
        {"sort": "value_at_risk", "top": 10, "band": (0.2, 0.9), "segment": ("plan", tuple(plan))},
    ):
        here = at_risk_here(tm, table, risk, explainer=explainer, **kw)
        there = at_risk_contained(tm, table, risk, method=method, **kw)
        assert len(there) > 0
        pd.testing.assert_frame_equal(here, there, check_exact=True)
    assert LAST_EXPLAIN["kind"] == "at_risk"


def test_the_frame_index_travels(table):
    """A table whose index is not 0..n-1 (text labels): the drivers' ``row`` keeps them."""
    frame = table.frame.copy()
    frame.index = [f"r{i}" for i in range(len(frame))]
    odd = table.__class__(**{**table.__dict__, "frame": frame})
    back = index_back(with_index(frame))
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    tm = M.train(odd, model="logistic", split=M.choose_split(odd, prefer="cv"))
    there = drivers_contained(tm, odd, sample=40, method="forkserver")
    assert set(there.points["row"]) <= set(frame.index) and len(set(there.points["row"])) == 40


def test_the_model_is_saved_once_per_model(table, models):
    tm = models["lightgbm"]
    first = model_bytes(tm)
    assert model_bytes(tm) is first  # the same bytes object: not saved again
    assert first[:2] == b"PK"  # a skops file is a zip archive


@pytest.mark.parametrize("method", METHODS)
def test_a_crash_while_explaining_is_one_clear_error_and_the_next_job_works(
    table, models, method, caplog
):
    tm = models["lightgbm"]
    with pytest.raises(ChurnDataError) as err:
        drivers_contained(tm, table, method=method, target=segfault)
    assert str(err.value) == (
        "The explanations could not be computed safely: the explaining process crashed. "
        "Fix: open the page again; if it crashes again, train another model (e.g. logistic "
        "regression). Nobody else's work was affected."
    )
    assert error_text(err.value, "ko").startswith("설명을 안전하게 계산하지 못했습니다")
    assert err.value.reason == "crash"
    logged = [r.getMessage() for r in caplog.records if r.name == "churnlens.contain"]
    assert logged and "exit status -11" in logged[-1] and "Segmentation fault" in logged[-1]
    assert drivers_contained(tm, table, sample=50, method=method).n_sample == 50


def test_a_hanging_explanation_is_stopped_at_the_time_limit(table, models):
    t0 = time.monotonic()
    with pytest.raises(ChurnDataError) as err:
        at_risk_contained(
            models["lightgbm"],
            table,
            M.honest_risk(models["lightgbm"], table),
            worker=WorkerLimits(seconds=1),
            method="forkserver",
            target=hang,
        )
    assert time.monotonic() - t0 < 10
    assert err.value.reason == "time"
    assert "it took longer than 1 s" in str(err.value)
    assert "CHURNLENS_WORKER_SECONDS=2" in str(err.value)


def test_an_explanation_over_its_memory_cap_is_stopped(table, models):
    with pytest.raises(ChurnDataError) as err:
        drivers_contained(
            models["lightgbm"], table, worker=WorkerLimits(memory=20 * 1000**2), method="forkserver"
        )
    assert err.value.reason == "memory"
    assert "it needed more than" in str(err.value) and "CHURNLENS_WORKER_MEMORY" in str(err.value)


def test_the_librarys_own_errors_come_back_unchanged(table, models):
    tm = models["lightgbm"]
    with pytest.raises(ChurnDataError) as err:
        at_risk_contained(tm, table, M.honest_risk(tm, table), sort="nope", method="forkserver")
    assert str(err.value) == "cannot sort by 'nope'. Fix: use one of risk, value_at_risk."
    assert not hasattr(err.value, "reason")


def test_off_explains_in_this_process(table, models, monkeypatch):
    monkeypatch.setenv("CHURNLENS_CONTAIN", "off")
    LAST_EXPLAIN.clear()
    tm = models["logistic"]
    _, here = _here(tm, table)
    got = drivers_contained(tm, table, target=segfault)  # would end a worker, not us
    np.testing.assert_array_equal(
        got.importance["mean_abs_contribution"], here.importance["mean_abs_contribution"]
    )
    assert LAST_EXPLAIN == {} and os.getpid() > 0


def test_a_single_threaded_caller_that_predicted_still_gets_its_drivers():
    """The command line's case: one Python thread, a LightGBM model used in the caller
    (OpenMP's threads exist), then the drivers: through the fork server by default (a
    child forked straight from such a process hung in libgomp until its time limit)."""
    import subprocess
    import sys

    code = (
        "import threading\n"
        "from churn import model as M\n"
        "from churn.contain import WorkerLimits\n"
        "from churn.contain.explain import drivers_contained\n"
        "from churn.roles import infer_roles\n"
        "from churn.sample import generate_subscriptions\n"
        "from churn.shapes import build_customer_table\n"
        "raw = generate_subscriptions(n=300)\n"
        "table = build_customer_table(raw, infer_roles(raw))\n"
        "tm = M.train(table, model='lightgbm')\n"
        "tm.pipeline_.predict_proba(table.frame[list(tm.features)])\n"
        "assert threading.active_count() == 1\n"
        "print(drivers_contained(tm, table, sample=30, worker=WorkerLimits(seconds=60)).n_sample)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=240, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "30"
