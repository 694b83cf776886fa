"""Many users, one server: sessions never see each other's data or results.

Two AppTest sessions run in one process, so they share Streamlit's caches exactly as two
browser tabs on one server do. Each uploads its own file; each must only ever see its
own counts. Two large uploads that differ in one label in the middle (rows Streamlit's
own frame hashing would sample past) must give different results, because ``ui/cache``
keys on a SHA-256 of the bytes. Finally every cache in ``ui/`` must be bounded.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import catalogue
from ui.state import CONFIRMED, DATASET

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120
EN = catalogue("en")


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def customers(n: int, churned: set[int], plan: str = "basic") -> bytes:
    lines = ["customer_id,plan,churn"] + [
        f"C{i},{plan}_{'x' if i % 2 else 'y'},{'Yes' if i in churned else 'No'}" for i in range(n)
    ]
    return ("\n".join(lines) + "\n").encode()


def session(name: str, data: bytes) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/1_Data.py")
    at.run()
    at.file_uploader(key="data.upload").upload(name, data, "text/csv")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    at.button(key="data.confirm").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state[CONFIRMED] is not None
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def shown_text(at: AppTest) -> str:
    parts = [str(el.value) for kind in ("markdown", "caption") for el in at.get(kind)]
    return "\n".join(parts)


def test_two_sessions_never_see_each_other():
    a = session("alpha.csv", customers(12, {0, 3, 6, 9}, plan="alpha_plan"))
    b = session("beta.csv", customers(20, set(range(15)), plan="beta_plan"))
    # interleave: a reruns after b loaded, then b reruns
    for at in (a, b, a, b):
        at.run()
        assert not at.exception
    ma, mb = metrics(a), metrics(b)
    assert (ma[EN["data.m_customers"]], ma[EN["data.m_churned"]]) == ("12", "4")
    assert (mb[EN["data.m_customers"]], mb[EN["data.m_churned"]]) == ("20", "15")
    assert a.session_state[DATASET].name == "alpha.csv"
    assert b.session_state[DATASET].name == "beta.csv"
    assert a.session_state[CONFIRMED].key != b.session_state[CONFIRMED].key
    # neither page mentions the other's file or values
    assert "beta" not in shown_text(a) and "alpha" not in shown_text(b)
    # the Segments page of each shows only its own plan
    for at, own, other in ((a, "alpha_plan", "beta_plan"), (b, "beta_plan", "alpha_plan")):
        at.switch_page("pages/3_Segments.py")
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        seen = " ".join(df.value.to_csv() for df in at.dataframe) + shown_text(at)
        seen += " ".join(str(o) for sel in at.selectbox for o in sel.options)
        assert own in seen, "the page does not show the session's own segments"
        assert other not in seen


@pytest.mark.slow
def test_large_uploads_differing_outside_any_sample_get_different_results():
    """200,000 rows each; one label flipped in the middle row."""
    n, mid = 200_000, 100_000
    churned = set(range(0, n, 4))  # 50,000 churned
    assert mid in churned
    first = customers(n, churned)
    second = customers(n, churned - {mid})
    assert len(first) == len(second) + 1  # "Yes" -> "No": one byte shorter
    a = session("big.csv", first)
    b = session("big.csv", second)  # same name, same size class, same dtypes
    ma, mb = metrics(a), metrics(b)
    assert ma[EN["data.m_churned"]] == "50,000"
    assert mb[EN["data.m_churned"]] == "49,999"
    assert a.session_state[DATASET].content_hash != b.session_state[DATASET].content_hash
    assert a.session_state[CONFIRMED].key != b.session_state[CONFIRMED].key
    a.run()
    assert metrics(a)[EN["data.m_churned"]] == "50,000"


def _cache_decorators() -> list[tuple[str, int, set[str]]]:
    """(file, line, keyword names) of every @st.cache_data / @st.cache_resource decorator."""
    found = []
    files = [ROOT / "app.py", *(ROOT / "ui").rglob("*.py"), *(ROOT / "pages").glob("*.py")]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for dec in node.decorator_list:
                call = dec if isinstance(dec, ast.Call) else None
                target = call.func if call else dec
                if isinstance(target, ast.Attribute) and target.attr in (
                    "cache_data",
                    "cache_resource",
                ):
                    kws = {k.arg for k in call.keywords} if call else set()
                    found.append((f"{path.relative_to(ROOT)}:{node.name}", dec.lineno, kws))
    return found


def test_every_cache_is_bounded_in_entries_and_time():
    uses = _cache_decorators()
    assert len(uses) >= 10, uses  # the app caches a lot: the scan must find them
    unbounded = [
        f"{f}:{line} {sorted(kws)}" for f, line, kws in uses if not {"max_entries", "ttl"} <= kws
    ]
    assert unbounded == []


def test_the_bound_check_catches_an_unbounded_cache(tmp_path):
    """The scan itself works: an unbounded decorator in a scanned file is reported."""
    fake = tmp_path / "ui"
    fake.mkdir()
    (fake / "bad.py").write_text(
        "import streamlit as st\n\n@st.cache_data\ndef f(x):\n    return x\n\n"
        "@st.cache_resource(ttl=5)\ndef g(x):\n    return x\n"
    )
    (tmp_path / "pages").mkdir()
    (tmp_path / "app.py").write_text("")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        uses = _cache_decorators()
    finally:
        ROOT = saved
    assert sorted((f, sorted(k)) for f, _, k in uses) == [
        ("ui/bad.py:f", []),
        ("ui/bad.py:g", ["ttl"]),
    ]
