"""Hostile content: formulas, script tags and markdown in the data; crafted model files.

Text from the data must be shown as text: never as HTML (no ``unsafe_allow_html``, no
``st.html``) and, ideally, never as live Markdown (a link or a remote image in a column
name or a value). Model files are loaded through skops with an allow-list: a pickle or a
skops file holding a foreign type is refused before anything in it runs.
"""

from __future__ import annotations

import pickle  # noqa: TID251 - only to craft a hostile file; nothing is unpickled
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from churn.errors import ChurnDataError
from ui.state import CONFIRMED, DATASET

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","y")'
IMAGE = "![t](http://127.0.0.1:9/pixel.png)"
LINK = "[click](http://127.0.0.1:9/phish)"


def hostile_csv() -> bytes:
    """12 customers, 4 churned; a script-tag column, formula names, markdown images and links
    in a column name, in values and as one label value (left out of the counts)."""
    rows = [f'customer_id,name,{SCRIPT},plan,"{IMAGE}",churn']
    for i in range(1, 13):
        name = FORMULA.replace('"', '""') if i % 2 else IMAGE
        plan = LINK if i % 4 == 0 else "basic"
        label = IMAGE if i == 11 else "Yes" if i % 3 == 0 else "No"
        rows.append(f'C{i},"{name}",{i},"{plan}",{i % 2},"{label}"')
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _data_page_with(data: bytes, name: str = "hostile.csv") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/1_Data.py")
    at.run()
    at.file_uploader(key="data.upload").upload(name, data, "text/csv")
    return at.run()


def _texts(at: AppTest) -> list[tuple[str, str, bool]]:
    """(element type, body, allows html) of every text-like element on the page."""
    out = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title"):
        for el in at.get(kind):
            proto = el.proto
            body = getattr(proto, "body", "") or getattr(el, "value", "")
            out.append((kind, str(body), bool(getattr(proto, "allow_html", False))))
    return out


def test_source_has_no_raw_html_rendering():
    """No page or ui module renders HTML: no unsafe_allow_html=True, st.html, components."""
    pattern = re.compile(r"unsafe_allow_html\s*=\s*True|st\.html\(|components\.v1|\.html\(")
    hits = []
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == []


def test_hostile_file_through_the_data_page_is_shown_as_text():
    at = _data_page_with(hostile_csv())
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert not at.get("html"), "an st.html element appeared"
    # no element on the page is allowed to render HTML
    assert [t for t in _texts(at) if t[2]] == []
    at.button(key="data.confirm").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state[DATASET].name == "hostile.csv"
    conf = at.session_state[CONFIRMED]
    assert conf is not None and conf.roles.label == "churn"
    # every other page opens with this data without an exception or html
    for page in sorted((ROOT / "pages").glob("*.py")):
        at.switch_page(f"pages/{page.name}")
        at.run()
        assert not at.exception, (page.name, [e.message for e in at.exception])
        assert [t for t in _texts(at) if t[2]] == [], page.name


def test_hostile_column_name_reaches_the_role_editor_verbatim():
    at = _data_page_with(hostile_csv())
    shown = " ".join(
        [str(o) for sel in at.selectbox for o in sel.options]
        + [str(o) for ms in at.multiselect for o in ms.options]
        + [body for _, body, _ in _texts(at)]
        + [str(df.value.columns.tolist()) for df in at.dataframe]
    )
    assert SCRIPT in shown, "the column name was changed or dropped"


def test_markdown_link_or_image_in_data_is_not_live():
    at = _data_page_with(hostile_csv())
    labels = [r.label for r in at.radio]
    bodies = [body for _, body, _ in _texts(at)] + labels
    live = [b for b in bodies if "](http://127.0.0.1:9/" in b]
    assert live == []


def test_hostile_file_name_is_shown_as_text():
    at = _data_page_with(hostile_csv(), name="<img src=x onerror=alert(1)>.csv")
    assert not at.exception
    assert [t for t in _texts(at) if t[2]] == []


# ------------------------------------------------------------------------------------
# Model files
# ------------------------------------------------------------------------------------


class _Boom:
    """Unpickling this would create the marker file: it must never happen."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_pickle_bytes_are_refused_without_running(tmp_path):
    from churn.model import load_model

    marker = tmp_path / "ran"
    path = tmp_path / "model.skops"
    path.write_bytes(pickle.dumps(_Boom(str(marker))))
    with pytest.raises(ChurnDataError) as err:
        load_model(path)
    assert "Fix:" in str(err.value)
    assert not marker.exists(), "the pickle ran"
    # the same bytes under a .pkl name
    pkl = tmp_path / "model.pkl"
    pkl.write_bytes(pickle.dumps({"churnlens": 1, "pipeline": _Boom(str(marker))}))
    with pytest.raises(ChurnDataError):
        load_model(pkl)
    assert not marker.exists()


class Foreign:
    """A type outside the allow-list."""

    def __init__(self):
        self.x = 1


def test_skops_file_with_a_foreign_type_is_refused(tmp_path):
    import skops.io as sio

    from churn.model import load_model

    path = tmp_path / "crafted.skops"
    sio.dump({"churnlens": {"version": 1}, "pipeline": Foreign()}, path)
    with pytest.raises(ChurnDataError, match="types ChurnLens does not load"):
        load_model(path)


# ------------------------------------------------------------------------------------
# Corpus files through the real uploader: a friendly error, the earlier data kept
# ------------------------------------------------------------------------------------

GOOD = b"customer_id,plan,churn\n" + b"".join(
    f"C{i},{'pro' if i % 2 else 'basic'},{'Yes' if i % 3 == 0 else 'No'}\n".encode()
    for i in range(1, 13)
)
BAD_FILES = [
    ("empty.csv", b"", "text/csv"),
    ("header_only.csv", b"customer_id,churn\n", "text/csv"),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "image/png"),
    ("program.xlsx", b"\x7fELF\x02\x01\x01\x00" + bytes(500), "application/octet-stream"),
    (
        "wide.csv",
        (",".join(f"c{j}" for j in range(5000)) + "\n" + ",".join("1" * 5000)).encode(),
        "text/csv",
    ),
    ("cut.xlsx", b"PK\x03\x04" + bytes(300), XLSX_MIME),
]


@pytest.mark.parametrize("name,data,mime", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_through_the_uploader_keeps_the_earlier_dataset(name, data, mime):
    at = _data_page_with(GOOD, name="good.csv")
    at.button(key="data.confirm").click()
    at.run()
    before, conf = at.session_state[DATASET], at.session_state[CONFIRMED]
    assert before.name == "good.csv" and conf is not None
    at.file_uploader(key="data.upload").upload(name, data, mime)
    at.run()
    assert [e.message for e in at.exception] == [], "a traceback was shown"
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert "Traceback" not in errors[0] and "Fix:" in errors[0] or "fix" in errors[0].lower()
    assert at.session_state[DATASET] is before
    assert at.session_state[CONFIRMED] is conf


def test_markdown_in_data_is_not_live_on_any_page():
    """After confirming the hostile file, no page renders its links or images as Markdown,
    including the pages that name segments, values and columns in their text."""
    at = _data_page_with(hostile_csv())
    at.button(key="data.confirm").click()
    at.run()
    assert at.session_state[CONFIRMED] is not None
    seen = []
    for page in sorted((ROOT / "pages").glob("*.py")):
        at.switch_page(f"pages/{page.name}")
        at.run()
        assert not at.exception, (page.name, [e.message for e in at.exception])
        bodies = [body for _, body, _ in _texts(at)] + [r.label for r in at.radio]
        bodies += [s.label for s in at.selectbox] + [m.label for m in at.multiselect]
        seen += [(page.name, b) for b in bodies if "](http://127.0.0.1:9/" in b]
    assert seen == []
