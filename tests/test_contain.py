"""churn.contain: reads in a worker process give what an in-process read gives, and a
worker that crashes, runs away with memory or hangs becomes one ChurnDataError."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn import contain
from churn.contain import ReaderError, WorkerLimits, read_contained
from churn.contain import api as contain_api
from churn.contain import server as contain_server
from churn.contain.watchdog import resident_memory
from churn.errors import ChurnDataError
from churn.io import Limits, ReadNote, ReadResult, read_table, size_text
from churn.roles import infer_roles
from churn.text import Text, error_text, from_json, localize, msg, to_json
from tests.cli.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
SHARED = ROOT.parent / "shared" / "data"
METHODS = ["fork", "forkserver"]


# --------------------------------------------------------------------------------------
# Targets the worker runs instead of churn.io.read_table (module level: the fork server's
# workers import them by name)
# --------------------------------------------------------------------------------------


def segfault(source, *, name, sheet, limits):
    import ctypes

    ctypes.string_at(0)  # reads address 0: SIGSEGV


def abort(source, *, name, sheet, limits):
    os.abort()  # SIGABRT, as a Rust panic in a native reader ends


def runaway(source, *, name, sheet, limits):
    blocks = []
    while True:  # 50 MB more, touched, every step
        blocks.append(np.ones(50_000_000 // 8))


def hang(source, *, name, sheet, limits):
    time.sleep(120)


def crash_in_roles(source, *, name, sheet, limits):
    """Reads fine; the worker then crashes while proposing the roles (as pandas 2.3 did
    on hashed e-mails in churn.roles)."""
    import churn.contain.worker as worker_module  # this worker's own copy, thrown away with it

    worker_module.infer_roles = lambda frame: segfault(None, name=None, sheet=None, limits=None)
    return generated(None, name="mixed", sheet=None, limits=limits)


def python_bug(source, *, name, sheet, limits):
    raise KeyError("no such thing")


def crash_in_frame_writer(source, *, name, sheet, limits):
    """Reads fine; the forked copy that writes the frame then crashes."""
    import churn.contain.worker as worker_module

    worker_module.write_frame = lambda frame, path: segfault(
        None, name=None, sheet=None, limits=None
    )
    return generated(None, name="mixed", sheet=None, limits=limits)


def unsendable_frame(source, *, name, sheet, limits):
    """A frame the transport refuses (its index is not the default one): a bug of ours."""
    result = generated(None, name="mixed", sheet=None, limits=limits)
    return dataclasses.replace(result, frame=result.frame.set_index(result.frame.columns[0]))


def _frame_mixed() -> pd.DataFrame:
    n = 3000
    rng = np.random.default_rng(7)
    plan = np.array(["basic", "pro", "프리미엄"], dtype=object)[rng.integers(0, 3, n)]
    plan[::7] = np.nan
    plan[::11] = None  # None and NaN in one column: each comes back as it was
    unique = np.array([f"고객-{i:05d}" for i in range(n)], dtype=object)
    unique[5] = None
    unique[9] = np.nan
    stamps = pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    stamps = stamps.to_numpy().copy()
    stamps[3] = np.datetime64("NaT")
    frame = pd.DataFrame(
        {
            "고객 ID": pd.Series(unique, dtype=object),  # (pandas would make these "str")
            "plan": pd.Series(plan, dtype=object),
            "fee": rng.integers(-5, 10**12, n),
            "score": np.where(np.arange(n) % 5 == 0, np.nan, rng.random(n)),
            "signup": stamps,
            "flag": rng.random(n) > 0.5,
            "region": pd.Series(
                np.array(["서울", "부산", None], dtype=object)[rng.integers(0, 3, n)], dtype="str"
            ),
            "tier": pd.Categorical(
                np.array(["gold", "silver", None], dtype=object)[rng.integers(0, 3, n)],
                categories=["silver", "gold"],
                ordered=True,
            ),
            "small": rng.integers(0, 100, n).astype(np.int8),
            "half": rng.random(n).astype(np.float32),
            "big": rng.integers(0, 2**63, n, dtype=np.uint64),
            "empty": pd.Series(np.full(n, np.nan, dtype=object), dtype=object),
        }
    )
    # Names that are not str or only look alike: an int, a trailing space, upper case.
    frame.columns = ["고객 ID", "plan", 7, "score", "signup", "flag", "a", "a ", "A", "a_2",
                     "u64", "empty"]  # fmt: skip
    return frame


def _frame_objects() -> pd.DataFrame:
    """Objects other than text: dates, decimals, bytes, booleans with gaps, mixed types."""
    return pd.DataFrame(
        {
            "day": np.array([dt.date(2024, 1, 2), None, dt.date(1999, 12, 31)], dtype=object),
            "amount": np.array(
                [decimal.Decimal("1.10"), decimal.Decimal("-3"), None], dtype=object
            ),
            "raw": np.array([b"\x00\x01", b"abc", None], dtype=object),
            "yes": np.array([True, np.nan, False], dtype=object),
            "nullable": pd.array([1, None, 3], dtype="Int64"),
            "maybe": pd.array([True, None, False], dtype="boolean"),
            "utc": pd.to_datetime(["2024-01-01 10:00", None, "2024-03-01 00:00"]).tz_localize(
                "UTC"
            ),
        }
    )


def _frame_empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.Series([], dtype=object),
            "n": pd.Series([], dtype="int64"),
            "x": pd.Series([], dtype="float64"),
            "when": pd.Series([], dtype="datetime64[ns]"),
            "s": pd.Series([], dtype="str"),
        }
    )


FRAMES = {
    "mixed": _frame_mixed,
    "objects": _frame_objects,
    "empty": _frame_empty,
    "no columns": lambda: pd.DataFrame(index=range(4)),
    "mixed types": lambda: pd.DataFrame({"v": np.array([1, "a", 2.5, None], dtype=object)}),
    # (infer_roles cannot describe durations yet: read with propose=False)
    "durations": lambda: pd.DataFrame({"d": pd.to_timedelta([1, None, 10**6], unit="s")}),
}
NOTE = ReadNote(
    msg("Column '{column}' read as numbers ({kinds}).", column="fee", kinds=msg("percent signs")),
    "converted",
    column="fee",
    what=msg("percent signs"),
)


def generated(source, *, name, sheet, limits):
    """A ReadResult around one of FRAMES (by ``name``), with a note and a conversion."""
    return ReadResult(
        frame=FRAMES[name](),
        kind="parquet",
        sheet=sheet,
        sheets=("a", "b"),
        blank_cells=3,
        converted=(("fee", msg("percent signs")),),
        notes=(NOTE, ReadNote("plain note")),
    )


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _same_result(got: ReadResult, want: ReadResult) -> None:
    pd.testing.assert_frame_equal(got.frame, want.frame, check_exact=True)
    assert list(got.frame.dtypes.astype(str)) == list(want.frame.dtypes.astype(str))
    for f in ("kind", "sheet", "sheets", "encoding", "delimiter", "blank_cells", "converted"):
        assert getattr(got, f) == getattr(want, f), f
    assert type(got.converted) is type(want.converted)
    assert got.notes == want.notes and type(got.notes) is tuple
    for a, b in zip(got.notes, want.notes, strict=True):
        assert isinstance(a, ReadNote)
        assert (a.code, a.params, a.template, a.text_params) == (
            b.code,
            b.params,
            b.template,
            b.text_params,
        )
        assert localize(a.text, "ko") == localize(b.text, "ko")


def _same_error(got: ChurnDataError, want: ChurnDataError) -> None:
    assert str(got) == str(want)
    assert got.problem.template == want.problem.template
    assert got.problem.params == want.problem.params
    assert got.fix.template == want.fix.template
    assert error_text(got, "ko") == error_text(want, "ko") != str(want)


def _csv_with_conversions() -> bytes:
    rows = ["고객번호,월 요금,할인율,가입일,,상태,상태"]
    for i in range(300):
        fee = f'"₩{1000 + i:,}"' if i % 50 else "N/A"
        rows.append(
            f"{i:05d},{fee},{i % 40}%,2024-01-{i % 28 + 1:02d},,{'이탈' if i % 4 else '유지'},x"
        )
    return ("\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture(scope="module", autouse=True)
def _server():
    contain.start_server()
    yield


# --------------------------------------------------------------------------------------
# Equality with an in-process read
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "path",
    [
        SAMPLE / "subscriptions.csv",
        SAMPLE / "subscriptions_ko.xlsx",
        SAMPLE / "transactions.csv",
        SHARED / "telco_customer_churn.csv",
    ],
    ids=lambda p: p.name,
)
def test_contained_read_equals_in_process_read(path, method):
    want = read_table(path, name=path.name)
    got, roles = read_contained(path, name=path.name, method=method)
    _same_result(got, want)
    assert roles == infer_roles(want.frame)
    assert [localize(r, "ko") for _, r in roles.excluded] == [
        localize(r, "ko") for _, r in infer_roles(want.frame).excluded
    ]


@pytest.mark.parametrize("method", METHODS)
def test_uploaded_bytes_with_conversions_read_alike(method):
    data = _csv_with_conversions()
    want = read_table(data, name="요금.csv")
    codes = {n.code for n in want.notes}
    assert want.converted and codes >= {"converted", "duplicate_headers", "na_markers", "percent"}
    got, roles = read_contained(data, name="요금.csv", method=method)
    _same_result(got, want)
    assert roles == infer_roles(want.frame)
    # the conversion's kinds are themselves translatable text, kept as such
    kinds = [n for n in got.notes if n.code == "converted"][0].params["what"]
    assert isinstance(kinds, Text) and kinds.template


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("which", ["mixed", "objects", "empty", "no columns"])
def test_generated_frames_keep_dtypes_names_and_missing_markers(which, method):
    want = generated(None, name=which, sheet="b", limits=Limits())
    got, roles = read_contained(b"x", name=which, sheet="b", target=generated, method=method)
    _same_result(got, want)
    assert roles == infer_roles(want.frame)
    if which == "mixed":
        plan = got.frame["plan"]
        assert plan[7] is not None and np.isnan(plan[7]) and plan[11] is None
        assert got.frame["a"].dtype == "str" and got.frame["a "].dtype == "category"
        assert list(got.frame.columns)[2] == 7


def test_durations_without_roles():
    got, roles = read_contained(b"x", name="durations", target=generated, propose=False)
    _same_result(got, generated(None, name="durations", sheet=None, limits=Limits()))
    assert roles is None and got.frame["d"].dtype.kind == "m"


def test_object_column_of_mixed_types_comes_back_as_text():
    got, _ = read_contained(b"x", name="mixed types", target=generated, method="fork")
    assert got.frame["v"].tolist()[:3] == ["1", "a", "2.5"] and got.frame["v"][3] is None


def test_text_and_notes_survive_json():
    nested = msg("outer {inner} {n:,}", inner=msg("in {x}", x=(1, "a")), n=np.int64(12345))
    back = from_json(json.loads(json.dumps(to_json(nested))))
    assert isinstance(back, Text) and back == nested and back.template == nested.template
    assert isinstance(back.params["inner"], Text) and back.params["inner"].params == {"x": (1, "a")}
    note = from_json(json.loads(json.dumps(to_json(NOTE))))
    assert isinstance(note, ReadNote) and note == NOTE
    assert (note.code, note.params, note.template) == (NOTE.code, NOTE.params, NOTE.template)
    assert to_json({1: None, (2, 3): [True]}) == {
        "$dict": [[1, None], [{"$tuple": [2, 3]}, [True]]]
    }


# --------------------------------------------------------------------------------------
# Errors: the reader's own, and a worker that crashed, ran away or hung
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_reader_error_comes_back_as_the_same_translatable_error(method):
    for data, name in ((b"   \n", "blank.csv"), (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "x.csv")):
        with pytest.raises(ChurnDataError) as want:
            read_table(data, name=name)
        with pytest.raises(ChurnDataError) as got:
            read_contained(data, name=name, method=method)
        _same_error(got.value, want.value)


def test_settings_errors_are_raised_in_the_caller(monkeypatch):
    monkeypatch.setenv("CHURNLENS_MAX_ROWS", "lots")
    with pytest.raises(ChurnDataError, match="CHURNLENS_MAX_ROWS"):
        read_contained(b"a\n1\n", name="a.csv")
    monkeypatch.delenv("CHURNLENS_MAX_ROWS")
    monkeypatch.setenv("CHURNLENS_WORKER_MEMORY", "6 lots")
    with pytest.raises(ChurnDataError, match="CHURNLENS_WORKER_MEMORY"):
        read_contained(b"a\n1\n", name="a.csv")


def test_limits_are_the_callers_not_the_servers(monkeypatch):
    # The fork server started before this setting: the worker gets it from the caller.
    monkeypatch.setenv("CHURNLENS_MAX_ROWS", "2")
    with pytest.raises(ChurnDataError, match="more than the limit of 2 rows"):
        read_contained(b"a\n1\n2\n3\n", name="a.csv", method="forkserver")


def _still_works(method: str) -> None:
    got, roles = read_contained(SAMPLE / "transactions.csv", method=method)
    assert got.frame.shape == (18744, 4) and roles is not None


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("crash", [segfault, abort], ids=["segfault", "abort"])
def test_a_crashing_reader_is_one_clear_error(crash, method, caplog):
    with pytest.raises(ChurnDataError) as err:
        read_contained(b"a,b\n1,2\n", name="bad.csv", target=crash, method=method)
    assert str(err.value).startswith(
        "This file could not be read safely: the reader crashed. Fix: open it in the program"
    )
    assert error_text(err.value, "ko").startswith("이 파일은 안전하게 읽을 수 없었습니다")
    assert err.value.reason == "crash"
    stopped = [r for r in caplog.records if r.name == "churnlens.contain"]
    assert stopped and "(crash)" in stopped[-1].getMessage()
    sig = "-11" if crash is segfault else "-6"
    assert f"exit status {sig}" in stopped[-1].getMessage()
    if crash is segfault:  # the worker's own crash report reaches the log, not the terminal
        assert "Segmentation fault" in stopped[-1].getMessage()
    _still_works(method)


@pytest.mark.parametrize("method", METHODS)
def test_a_crash_after_the_frame_was_sent_is_the_same_error(method):
    with pytest.raises(ChurnDataError, match="the reader crashed"):
        read_contained(b"x", name="mixed", target=crash_in_roles, method=method)
    got, roles = read_contained(b"x", name="mixed", target=crash_in_roles, propose=False)
    assert roles is None and got.frame.shape == (3000, 12)


@pytest.mark.parametrize("method", METHODS)
def test_a_memory_runaway_is_stopped_at_the_cap(method):
    base = resident_memory(os.getpid() if method == "fork" else contain_server.SERVER.proc.pid)
    ceiling = base + 300 * 1000**2  # 300 MB above what the worker starts with
    limits = WorkerLimits(memory=ceiling, seconds=120, floor=ceiling)
    t0 = time.monotonic()
    with pytest.raises(ChurnDataError) as err:
        read_contained(b"a\n1\n", name="big.csv", target=runaway, worker=limits, method=method)
    assert time.monotonic() - t0 < 60
    cap = size_text(ceiling)
    assert str(err.value).startswith(
        f"This file could not be read safely: it needed more than {cap} of memory. Fix: "
        "save it again as CSV or upload a smaller extract; or raise the limit by setting "
        "the environment variable CHURNLENS_WORKER_MEMORY"
    )
    assert err.value.reason == "memory"
    _still_works(method)


def test_a_small_file_that_wants_far_more_memory_is_called_strange():
    limits = WorkerLimits(memory=50 * 1000**3, floor=resident_memory(os.getpid()) + 200 * 1000**2)
    with pytest.raises(ChurnDataError) as err:
        read_contained(b"a\n1\n", name="tiny.xlsx", target=runaway, worker=limits, method="fork")
    assert "it needed more than" in str(err.value)
    assert "delete any empty rows and columns after the data" in str(err.value)
    assert "CHURNLENS_WORKER_MEMORY" not in str(err.value)


@pytest.mark.parametrize("method", METHODS)
def test_a_hanging_reader_is_stopped_at_the_time_limit(method):
    t0 = time.monotonic()
    with pytest.raises(ChurnDataError) as err:
        read_contained(
            b"a\n1\n", name="slow.csv", target=hang, worker=WorkerLimits(seconds=1), method=method
        )
    assert time.monotonic() - t0 < 10
    assert str(err.value) == (
        "This file could not be read safely: it took longer than 1 s. Fix: save it again as "
        "CSV or upload a smaller extract; or raise the limit by setting the environment "
        "variable CHURNLENS_WORKER_SECONDS (e.g. CHURNLENS_WORKER_SECONDS=2) before "
        "starting the app."
    )
    assert err.value.reason == "time"
    _still_works(method)


@pytest.mark.parametrize("method", METHODS)
def test_a_bug_in_the_worker_is_an_unexpected_error(method):
    with pytest.raises(ReaderError, match="KeyError: 'no such thing'"):
        read_contained(b"a\n1\n", name="a.csv", target=python_bug, method=method)
    _still_works(method)


@pytest.mark.parametrize("method", METHODS)
def test_a_crash_while_the_frame_is_written_is_the_same_clear_error(method):
    # The frame is written by a forked copy of the worker while the worker proposes roles.
    with pytest.raises(ChurnDataError, match="the reader crashed"):
        read_contained(b"x", name="mixed", target=crash_in_frame_writer, method=method)
    _still_works(method)


@pytest.mark.parametrize("propose", [True, False])
def test_a_frame_that_cannot_be_sent_is_an_unexpected_error(propose):
    with pytest.raises(ReaderError, match="only frames with a default RangeIndex"):
        read_contained(b"x", name="mixed", target=unsendable_frame, propose=propose)
    _still_works("fork")


def test_no_scratch_files_are_left_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(contain_api, "_scratch_dir", lambda need: str(tmp_path))
    read_contained(_csv_with_conversions(), name="a.csv", method="forkserver")
    with pytest.raises(ChurnDataError):
        read_contained(b"a\n1\n", name="bad.csv", target=abort, method="fork")
    with pytest.raises(ReaderError):
        read_contained(b"a\n1\n", name="bad.csv", target=python_bug, method="forkserver")
    assert list(tmp_path.iterdir()) == []


def test_the_fork_server_never_runs_the_callers_main_script(tmp_path, monkeypatch):
    """Streamlit installs each page as __main__; a worker must not run the page again."""
    import types

    mark = tmp_path / "ran.txt"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(mark)!r}, 'a').write('ran')\n", encoding="utf-8")
    fake = types.ModuleType("__main__")
    fake.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", fake)
    got, _ = read_contained(b"a,b\n1,x\n", name="a.csv", method="forkserver")
    assert got.frame.shape == (1, 2) and not mark.exists()


def test_off_reads_in_process(monkeypatch):
    monkeypatch.setenv("CHURNLENS_CONTAIN", "off")
    assert not contain.contained()
    with pytest.raises(KeyError):  # no worker in between: the target's own exception
        read_contained(b"a\n1\n", name="a.csv", target=python_bug)
    got, roles = read_contained(SAMPLE / "transactions.csv")
    _same_result(got, read_table(SAMPLE / "transactions.csv"))


def test_memory_cap_grows_with_what_is_read_between_floor_and_ceiling(tmp_path):
    limits = WorkerLimits(memory=6 * 1000**3)
    assert limits.cap(1000) == 1000**3  # the floor
    assert limits.cap(100 * 1000**2) == 4 * 1000**3  # 40 x a 100 MB CSV
    assert limits.cap(200 * 1000**2) == 6 * 1000**3  # the ceiling
    csv = _csv_with_conversions()
    assert contain.footprint(csv) == (len(csv), contain.FACTOR_TEXT)
    xlsx = SAMPLE / "subscriptions_ko.xlsx"
    inside = sum(i.file_size for i in zipfile.ZipFile(xlsx).infolist())
    assert inside > 7 * xlsx.stat().st_size
    assert contain.footprint(str(xlsx)) == (inside, contain.FACTOR_ZIP)
    assert contain.footprint(xlsx.read_bytes()) == (inside, contain.FACTOR_ZIP)
    parquet = b"PAR1" + bytes(100)
    assert contain.footprint(parquet) == (104, contain.FACTOR_PACKED)
    broken = b"PK\x03\x04" + bytes(100)  # no directory: sized as a packed file
    assert contain.footprint(broken) == (104, contain.FACTOR_PACKED)
    assert contain.footprint(str(tmp_path / "missing.csv")) == (0, contain.FACTOR_TEXT)


# --------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------


def test_cli_reports_a_crashing_reader_in_one_line(tmp_path):
    """``python -m churn summary FILE`` whose read crashes: exit 2, one ``error:`` line."""
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,churned\na,yes\nb,no\n", encoding="utf-8")
    code = (
        "import functools, sys, runpy; import churn.contain as c; "
        "from tests.test_contain import segfault; "
        "c.read_contained = functools.partial(c.read_contained, target=segfault); "
        "sys.argv = ['churn', 'summary', sys.argv[1]]; "
        "runpy.run_module('churn', run_name='__main__')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: This file could not be read safely: the reader crashed.")
    assert proc.stdout == ""


def test_cli_reads_in_a_worker(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_text("customer_id,churned\na,yes\nb,no\nc,no\n", encoding="utf-8")
    proc = run_cli("summary", path, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["churned"] == 1
