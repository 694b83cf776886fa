"""The same bytes uploaded under different file names are read once (issue 25): the
shared read is keyed on the content hash and the sheet, and each session still sees its
own file's name in the sentences about it."""

from __future__ import annotations

import uuid

import pytest

from churn import contain
from churn.errors import ChurnDataError
from ui import cache

CSV = b"customer_id,plan,churn\nC1,basic,Yes\nC2,pro,No\nC3,basic,No\n"


@pytest.fixture
def calls(monkeypatch):
    seen: list[tuple[str | None, str | None]] = []
    real = contain.read_contained

    def counting(*args, **kwargs):
        seen.append((kwargs.get("name"), kwargs.get("sheet")))
        return real(*args, **kwargs)

    monkeypatch.setattr(contain, "read_contained", counting)
    return seen


def _key() -> str:
    return f"test-{uuid.uuid4().hex}"  # a cache key no other test uses


def test_two_names_one_read_and_one_role_proposal(calls):
    key = _key()
    alice = cache.read(key, "alice.csv", None, CSV)
    bob = cache.read(key, "bob export (1).txt", None, CSV)
    roles = cache.propose_roles(key, "carol.tsv", None, CSV)
    assert len(calls) == 1
    assert alice.frame.equals(bob.frame) and list(alice.frame.columns) == [
        "customer_id",
        "plan",
        "churn",
    ]
    assert roles.id == "customer_id" and roles.label == "churn"
    # different bytes are read on their own
    other = cache.read(_key(), "alice.csv", None, CSV.replace(b"C3,basic,No", b"C3,pro,Yes"))
    assert len(calls) == 2 and other.frame["plan"].tolist() == ["basic", "pro", "pro"]


def test_each_session_sees_its_own_name_in_a_shared_error(calls):
    key = _key()
    data = b"SQLite format 3\x00" + b"\x00" * 200
    messages = []
    for name in ("alice.csv", 'bob\'s "file".csv'):
        with pytest.raises(ChurnDataError) as err:
            cache.read(key, name, None, data)
        messages.append(str(err.value.problem))
    assert len(calls) == 1
    assert messages == [
        "'alice.csv' is not a data table: it seems to be an SQLite database.",
        "'bob's \"file\".csv' is not a data table: it seems to be an SQLite database.",
    ]
    assert err.value.problem.params["name"] == 'bob\'s "file".csv'  # translatable still


def test_a_different_sheet_is_its_own_read(calls, tmp_path):
    import pandas as pd

    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"id": ["A", "B"], "churn": ["Yes", "No"]}).to_excel(
            xl, sheet_name="one", index=False
        )
        pd.DataFrame({"id": ["C"], "churn": ["No"]}).to_excel(xl, sheet_name="two", index=False)
    data, key = path.read_bytes(), _key()
    first = cache.read(key, "a.xlsx", None, data)
    again = cache.read(key, "b.xlsx", first.sheet, data)  # the picked sheet, by its name
    two = cache.read(key, "b.xlsx", "two", data)
    assert [c[1] for c in calls] == [None, "two"]
    assert first.sheet == "one" and again.frame.equals(first.frame)
    assert two.frame["id"].tolist() == ["C"]
