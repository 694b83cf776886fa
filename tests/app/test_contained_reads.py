"""A file whose reader crashes fails for its user alone: the page says so, the server and
another session go on (uploads are read in a worker process, churn.contain)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from churn import contain
from tests.test_contain import hang, segfault
from ui.state import CONFIRMED, DATASET

ROOT = Path(__file__).resolve().parents[2]
SMALL_CSV = (
    b"customer_id,plan,monthly_fee,churn\n"
    b"C1,basic,10,Yes\nC2,pro,30,No\nC3,basic,10,Yes\nC4,pro,30,No\n"
)


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/1_Data.py")
    return at.run()


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="data.upload").upload(name, data, "text/csv")
    return at.run()


def _confirm(at: AppTest) -> AppTest:
    at.button(key="data.confirm").click()
    return at.run()


def test_a_crashing_reader_is_a_message_for_its_user_alone(monkeypatch):
    alice = _confirm(_upload(_data_page(), "alice.csv", SMALL_CSV))
    before, conf = alice.session_state[DATASET], alice.session_state[CONFIRMED]
    assert conf is not None

    real = contain.read_contained
    monkeypatch.setattr(contain, "read_contained", functools.partial(real, target=segfault))
    alice = _upload(alice, "crash.csv", b"customer_id,churn\nX1,Yes\nX2,No\n")
    assert [e.message for e in alice.exception] == []
    errors = [e.value for e in alice.error]
    assert len(errors) == 1
    assert "This file could not be read safely: the reader crashed." in errors[0]
    assert alice.session_state[DATASET] is before and alice.session_state[CONFIRMED] is conf

    # The server process is alive: another session reads and confirms a file.
    monkeypatch.setattr(contain, "read_contained", real)
    bob = _confirm(_upload(_data_page(), "bob.csv", SMALL_CSV.replace(b"C", b"B")))
    assert [e.message for e in bob.exception] == [] and bob.error == []
    assert bob.session_state[CONFIRMED] is not None
    assert bob.session_state[CONFIRMED].roles.label == "churn"


def test_roles_and_the_picked_sheet_reuse_one_worker_read(monkeypatch):
    import uuid

    from churn.errors import ChurnDataError
    from churn.roles import infer_roles
    from ui import cache

    calls: list[str | None] = []
    real = contain.read_contained

    def counting(*args, **kwargs):
        calls.append(kwargs.get("sheet"))
        return real(*args, **kwargs)

    monkeypatch.setattr(contain, "read_contained", counting)
    data = (ROOT / "data" / "sample" / "subscriptions_ko.xlsx").read_bytes()
    key = f"test-{uuid.uuid4().hex}"  # a cache key no other test uses
    first = cache.read(key, "ko.xlsx", None, data)
    assert first.sheet == "고객목록"
    roles = cache.propose_roles(key, "ko.xlsx", first.sheet, data)  # by the sheet's name
    again = cache.read(key, "ko.xlsx", first.sheet, data)
    assert calls == [None]  # one worker read the file and proposed the roles
    assert roles == infer_roles(first.frame) and again.frame.equals(first.frame)
    # the shared copy is frozen: numbers in read-only numpy arrays, text in Arrow's
    # buffers (immutable; pandas copies on write)
    numeric = first.frame.select_dtypes("number").columns[0]
    assert not first.frame[numeric].to_numpy().flags.writeable
    assert first.frame["고객ID"].dtype.storage == "pyarrow"

    # A file that crashed its worker is not read again on the next rerun.
    monkeypatch.setattr(contain, "read_contained", functools.partial(counting, target=segfault))
    bad = f"test-{uuid.uuid4().hex}"
    for _ in range(2):
        with pytest.raises(ChurnDataError, match="the reader crashed"):
            cache.read(bad, "bad.csv", None, b"a\n1\n")
    assert calls == [None, None]

    # A time-out may come from a busy machine: the next attempt reads again.
    monkeypatch.setenv("CHURNLENS_WORKER_SECONDS", "1")
    monkeypatch.setattr(contain, "read_contained", functools.partial(counting, target=hang))
    slow = f"test-{uuid.uuid4().hex}"
    for _ in range(2):
        with pytest.raises(ChurnDataError, match="it took longer than 1 s"):
            cache.read(slow, "slow.csv", None, b"a\n1\n")
    assert calls == [None, None, None, None]
