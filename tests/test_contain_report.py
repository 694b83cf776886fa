"""churn.contain.report and churn.contain.pack: the report built in a worker process is
the report built here, byte for byte; its inputs (a comparison, a P(alive) fit, the
validation issues, a trained model) travel whole; a crash costs only that job."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn import contain
from churn import model as M
from churn.alive import fit_alive
from churn.contain import WorkerLimits
from churn.contain.pack import Packer, Unpackable, unpack
from churn.contain.report import LAST_REPORT, report_contained, report_files
from churn.errors import ChurnDataError, ValidationIssue
from churn.io import read_table
from churn.roles import infer_roles
from churn.settings import IntakeSettings
from churn.shapes import build_customer_table
from churn.text import Text, error_text, msg
from tests.support.crashers import hang, segfault
from tests.support.months import sample_months

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


@pytest.fixture(scope="module", autouse=True)
def _server():
    contain.start_server()
    yield


@pytest.fixture(scope="module")
def months():
    return sample_months()


@pytest.fixture(scope="module")
def purchases():
    frame = read_table(SAMPLE / "transactions.csv").frame
    roles = infer_roles(frame)
    return build_customer_table(frame, IntakeSettings(roles)), fit_alive(frame, roles, None, 90)


def _same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for kind in ("html", "xlsx"):
        assert a[kind][0] == b[kind][0], kind  # byte for byte
    for kind in a:
        assert a[kind][1:] == b[kind][1:]  # sections kept, notes


def test_the_report_with_a_model_and_a_comparison_is_the_same_built_in_a_worker(months):
    table, comp = months
    tm = M.train(table, model="lightgbm", split=M.choose_split(table, prefer="cv"))
    issues = [ValidationIssue("warning", "duplicate_ids", "customer_id", msg("two rows"), "", 2)]
    scenarios = {"Discount": {"edits": [{"column": "monthly_fee", "op": "multiply", "value": 0.9}]}}
    kw = {"lang": "ko", "issues": issues, "scenarios": scenarios, "comparison": comp}
    here = report_files(table, tm, **kw)
    LAST_REPORT.clear()
    there = report_contained(table, tm, **kw)
    assert LAST_REPORT["peak"] > 0  # built in a worker, not in this process
    _same(here, there)
    assert "changes" in there["html"][1] and "at_risk" in there["html"][1]


def test_the_purchase_log_report_with_p_alive_is_the_same_built_in_a_worker(purchases):
    table, alive = purchases
    kw = {"lang": "en", "alive": alive, "alive_threshold": 0.5, "charts": False}
    here = report_files(table, None, pdf=False, **kw)
    LAST_REPORT.clear()
    there = report_contained(table, None, pdf=False, **kw)
    assert LAST_REPORT["peak"] > 0
    _same(here, there)
    assert set(there) == {"html", "xlsx"} and "alive" in there["html"][1]


def test_pack_rebuilds_the_librarys_objects(months, purchases, tmp_path):
    """A comparison and a P(alive) fit come back equal field by field: frames (index and
    dtypes), sentences (still translatable), numbers (NaN and infinity), tuples."""
    made: list[str] = []
    packer = Packer(str(tmp_path), made)
    _, comp = months
    _, alive = purchases
    odd = pd.Series([1.5, np.nan], index=pd.Index(["a", "b"], name="who"), name="x")
    odd.attrs["sources"] = {"model": 2}
    value = {"comp": comp, "alive": alive, "odd": odd, "nums": (np.inf, np.float64(2.5))}
    back = unpack(packer.pack(value))
    assert made and all(Path(p).exists() for p in made)
    for obj, got in ((comp, back["comp"]), (alive, back["alive"])):
        assert type(got) is type(obj)
        for name, v in vars(obj).items():
            w = getattr(got, name)
            if isinstance(v, pd.DataFrame):
                pd.testing.assert_frame_equal(v, w, check_exact=True)
            elif name != "campaign":
                assert v == w or (v != v and w != w), name
    assert any(isinstance(s, Text) for s in back["comp"].notes) or back["comp"].notes == ()
    pd.testing.assert_series_equal(back["odd"], odd, check_exact=True)  # index name too
    assert back["odd"].attrs == {"sources": {"model": 2}}
    assert back["nums"] == (np.inf, 2.5) and isinstance(back["nums"], tuple)


def test_what_cannot_travel_is_refused_before_a_worker_starts(tmp_path, months, caplog):
    packer = Packer(str(tmp_path), [])
    with pytest.raises(Unpackable):
        packer.pack({"a": object()})
    with pytest.raises(Unpackable):
        packer.pack(logging.getLogger("x"))  # not a class of the library
    with pytest.raises(TypeError, match="not a class of the library"):
        unpack({"$dataclass": "os:stat_result", "fields": {}})
    table, _ = months
    caplog.set_level(logging.WARNING, "churnlens.contain")
    LAST_REPORT.clear()
    files = report_contained(
        table, None, pdf=False, charts=False, sections=["summary"], segment_columns={"plan"}
    )
    assert LAST_REPORT == {} and files["html"][1] == ("summary",)  # built here instead
    assert "built in the server process" in caplog.text


def test_a_crash_while_building_is_one_clear_error_and_the_next_report_works(months, caplog):
    table, _ = months
    with pytest.raises(ChurnDataError) as err:
        report_contained(table, None, pdf=False, charts=False, target=segfault)
    assert str(err.value) == (
        "The report could not be built safely: the process building it crashed. Fix: build "
        "it again; if it crashes again, choose fewer sections. Nobody else's work was affected."
    )
    assert error_text(err.value, "ko").startswith("보고서를 안전하게 만들지 못했습니다")
    assert err.value.reason == "crash"
    assert "exit status -11" in caplog.text
    again = report_contained(table, None, pdf=False, charts=False, sections=["summary"])
    assert again["html"][1] == ("summary",)


def test_a_hanging_report_is_stopped_at_the_time_limit(months):
    table, _ = months
    t0 = time.monotonic()
    with pytest.raises(ChurnDataError) as err:
        report_contained(
            table, None, pdf=False, charts=False, worker=WorkerLimits(seconds=1), target=hang
        )
    assert time.monotonic() - t0 < 10
    assert err.value.reason == "time" and "CHURNLENS_WORKER_SECONDS=2" in str(err.value)
