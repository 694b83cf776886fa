"""Safe defaults for a shared server (AppTest and the reader).

* The sidebar lists every workspace only on a loopback-only server or when the operator
  says ``CHURNLENS_WORKSPACE_LIST=on``; otherwise a session lists only its own workspaces.
* An unexpected exception reaches the page as a friendly message and an incident
  reference, never its type or text; the server log has the reference and the traceback.
* A refused file's message quotes at most a short snippet of the file.
* The browser's upload cap and the reader's byte cap are the same number of bytes.
"""

from __future__ import annotations

import io
import logging
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
import streamlit
from google.protobuf.message import Message
from streamlit import config
from streamlit.testing.v1 import AppTest

from churn.errors import ChurnDataError
from churn.io import SNIPPET, Limits, read_table
from churn.workspace import WorkspaceStore
from ui.i18n import t

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DATA_PAGE = "pages/1_Data.py"
TIMEOUT = 120
SECRET = "SECRET-7f3a-customer-jane@example.com"
REF = re.compile(r"\b[0-9a-f]{8}\b")


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    """Run from the checkout, so Streamlit reads the project's .streamlit/config.toml."""
    monkeypatch.chdir(ROOT)


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """Workspaces in a fresh folder; the list setting and server.address at their defaults."""
    path = tmp_path / "ws"
    monkeypatch.setenv("CHURNLENS_WORKSPACES", str(path))
    monkeypatch.delenv("CHURNLENS_WORKSPACE_LIST", raising=False)
    return path


@pytest.fixture
def server_address():
    """Set Streamlit's ``server.address`` for one test and put the old value back."""
    old = config.get_option("server.address")

    def set_address(value: str | None) -> None:
        config.set_option("server.address", value)

    yield set_address
    config.set_option("server.address", old)


def _strings(msg: Message) -> list[str]:
    """Every text field of a protobuf message, however deep (labels, bodies, options, help)."""
    out: list[str] = []
    for _field, value in msg.ListFields():
        repeated = not isinstance(value, str | bytes | Message) and hasattr(value, "__iter__")
        values = list(value) if repeated else [value]
        for v in values:
            if isinstance(v, Message):
                out += _strings(v)
            elif isinstance(v, str):
                out.append(v)
    return out


def _page_text(at: AppTest) -> str:
    """All text of every element and block on the page, sidebar included."""
    parts: list[str] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            parts += _strings(proto)
    return "\n".join(parts)


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def _store_two(folder: Path) -> tuple[WorkspaceStore, str, str]:
    """Two workspaces that belong to somebody else (created straight in the store)."""
    store = WorkspaceStore(folder)
    a = store.create("Alpha-client-ws", file_name="a.csv", data=b"id,x\n1,2\n", rows=1)
    b = store.create("Beta-client-ws", file_name="b.csv", data=b"id,x\n3,4\n", rows=1)
    return store, a, b


def _fresh(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


# ----------------------------------------------------------------------- workspace list


def test_default_server_lists_no_other_workspace(folder, server_address):
    """Streamlit's default address (every interface): a fresh visitor sees nobody's work."""
    server_address("")
    _store_two(folder)
    at = _fresh()
    assert not _problems(at), _problems(at)
    text = _page_text(at)
    assert "Alpha-client-ws" not in text and "Beta-client-ws" not in text
    assert not at.radio, "a workspace list was drawn"
    assert t("workspace.list_off", lang="en") in text


def test_default_server_lists_the_sessions_own_workspace(folder, server_address):
    """Opened from its link, the session's own workspace is listed (and only that one);
    a copy it makes is its own too, and its actions work."""
    server_address("")
    store, a, b = _store_two(folder)
    at = _fresh(ws=a)
    assert not _problems(at), _problems(at)
    pick = at.radio(key="ws.pick")
    assert pick.value == a
    assert len(pick.options) == 1 and "Alpha-client-ws" in pick.options[0], pick.options
    assert "Beta-client-ws" not in _page_text(at)

    at.button(key="ws.duplicate").click().run()
    copies = [i.id for i in store.list() if i.id not in (a, b)]
    assert len(copies) == 1
    options = at.radio(key="ws.pick").options
    copy_name = t("workspace.copy_name", lang="en", name="Alpha-client-ws")
    assert len(options) == 2 and sum(copy_name in o for o in options) == 1, options
    assert "Beta-client-ws" not in _page_text(at)


def _forged_delete(ws_id: str) -> None:
    """An app script that calls the list's delete action on an id it was never given."""
    from ui import workspace

    workspace._on_delete_confirmed(ws_id)


def test_list_actions_refuse_a_workspace_the_session_does_not_own(folder, server_address):
    server_address("")
    store, a, b = _store_two(folder)
    AppTest.from_function(_forged_delete, args=(b,), default_timeout=TIMEOUT).run()
    assert store.exists(b)
    server_address("127.0.0.1")  # with the full list, every workspace may be deleted
    AppTest.from_function(_forged_delete, args=(b,), default_timeout=TIMEOUT).run()
    assert not store.exists(b) and store.exists(a)


def test_a_session_that_saves_lists_its_own_work_only(folder, server_address):
    server_address("")
    _store_two(folder)
    at = _fresh()
    at.button(key="home.try_sample").click().run()
    assert not _problems(at), _problems(at)
    own = at.session_state["cl.workspace"]
    pick = at.radio(key="ws.pick")
    assert pick.value == own and len(pick.options) == 1
    text = _page_text(at)
    assert "Alpha-client-ws" not in text and "Beta-client-ws" not in text


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1"])
def test_loopback_server_lists_every_workspace(folder, server_address, address):
    server_address(address)
    _store_two(folder)
    at = _fresh()
    assert not _problems(at), _problems(at)
    options = at.radio(key="ws.pick").options
    assert any("Alpha-client-ws" in o for o in options)
    assert any("Beta-client-ws" in o for o in options)
    assert t("workspace.list_off", lang="en") not in _page_text(at)


def test_operator_can_turn_the_list_on(folder, server_address, monkeypatch):
    server_address("0.0.0.0")
    monkeypatch.setenv("CHURNLENS_WORKSPACE_LIST", "on")
    _store_two(folder)
    at = _fresh()
    options = at.radio(key="ws.pick").options
    assert len(options) == 2 and any("Beta-client-ws" in o for o in options)


@pytest.mark.parametrize("address", ["127.0.0.1", ""])
def test_off_hides_the_list_even_on_localhost(folder, server_address, monkeypatch, address):
    server_address(address)
    monkeypatch.setenv("CHURNLENS_WORKSPACE_LIST", "off")
    _store_two(folder)
    at = _fresh()
    text = _page_text(at)
    assert "Alpha-client-ws" not in text and "Beta-client-ws" not in text
    assert not at.radio


# ------------------------------------------------------------------------- incidents


def _incident_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "churnlens" and "Incident" in r.getMessage()]


def _assert_incident(at: AppTest, caplog, where: str) -> str:
    """The page names one incident reference and no exception text; the log line carries
    the same reference and the traceback with the text."""
    text = _page_text(at)
    assert SECRET not in text and "RuntimeError" not in text and "OSError" not in text
    assert "Traceback" not in text and "/srv/" not in text
    [record] = _incident_records(caplog)
    ref = REF.search(record.getMessage()).group(0)
    assert record.getMessage() == f"Incident {ref} in {where}"
    assert t("safety.incident", lang="en", ref=ref) in text or f"{ref})" in text
    logged = logging.Formatter().format(record)
    assert "Traceback (most recent call last)" in logged and SECRET in logged
    return ref


def test_unexpected_error_shows_an_incident_reference_not_the_exception(monkeypatch, caplog):
    import ui.intake

    def broken(kind: str) -> None:
        raise RuntimeError(f"{SECRET} could not be parsed at /srv/app/internal.py")

    monkeypatch.setattr(ui.intake, "load_sample", broken)
    caplog.set_level(logging.ERROR, logger="churnlens")
    at = _fresh()
    at.button(key="home.try_sample").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("common.unexpected_error", lang="en")]
    assert at.expander.len == 0 or "Details" not in [ex.label for ex in at.expander]
    ref = _assert_incident(at, caplog, "home")
    assert [c.value for c in at.caption if ref in c.value] == [
        t("safety.incident", lang="en", ref=ref)
    ]


def test_reader_crash_on_upload_shows_a_reference(monkeypatch, caplog):
    import ui.cache

    def broken(*args, **kwargs):
        raise RuntimeError(f"{SECRET} in a reader bug")

    monkeypatch.setattr(ui.cache, "read", broken)
    caplog.set_level(logging.ERROR, logger="churnlens")
    at = _fresh()
    at.switch_page(DATA_PAGE).run()
    at.file_uploader(key="data.upload").upload("x.csv", b"id,churn\n1,Yes\n", "text/csv").run()
    assert not at.exception
    ref = _assert_incident(at, caplog, "reading an upload")
    [box] = at.error
    assert ref in box.value and t("safety.read_unexpected", lang="en", ref=ref) in box.value


def test_workspace_disk_error_shows_a_reference_not_the_path(folder, monkeypatch, caplog):
    def full_disk(self, *args, **kwargs):
        raise OSError(28, f"No space left on device ({SECRET})", "/srv/churnlens/ws/x.sqlite")

    monkeypatch.setattr(WorkspaceStore, "create", full_disk)
    caplog.set_level(logging.ERROR, logger="churnlens")
    at = _fresh()
    at.button(key="home.try_sample").click().run()
    assert not at.exception
    ref = _assert_incident(at, caplog, "autosave (roles)")
    [warning] = [w.value for w in at.sidebar.warning if ref in w.value]
    assert warning == t(
        "workspace.save_failed",
        lang="en",
        message=t("safety.incident_short", lang="en", ref=ref),
    )


def test_damaged_workspace_message_has_no_database_error_text(folder, server_address):
    server_address("127.0.0.1")  # the list shows the damaged one's line too
    store, a, _ = _store_two(folder)
    store.path_of(a).write_bytes(b"not a database " * 200)
    at = _fresh(ws=a)
    assert not at.exception
    text = _page_text(at)
    assert "cannot be opened" in text and "not a readable database" in text
    assert "DatabaseError" not in text and "file is not a database" not in text


# ------------------------------------------------------------------ refused files


def _html_page(rows: int = 400) -> bytes:
    """A report saved as a web page in one long line (some systems call that .xls)."""
    cells = "".join(f"<tr><td>{SECRET}-{i}</td><td>{i * 3}</td></tr>" for i in range(rows))
    return f"<html><head><title>export</title></head><body><table>{cells}</table></body></html>".encode()


def _bad_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", f"<workbook>{SECRET * 300}</workbook>")
    return buf.getvalue()[:-30]  # the central directory cut short


REFUSED = {
    "html-named.xls": _html_page(),
    "html-lines.xls": b"<!DOCTYPE html>\n<html>\n<body>\n<table>\n"
    + b"".join(f"<tr><td>{SECRET}</td></tr>\n".encode() for _ in range(500))
    + b"</table></body></html>\n",
    "header-only.csv": (",".join(f"{SECRET}-{i}" for i in range(300)) + "\n").encode(),
    "one-long-line.csv": (f"{SECRET} " * 400).encode(),
    "broken.xlsx": _bad_zip(),
    "broken.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + (SECRET * 400).encode(),
    "broken.parquet": b"PAR1" + (SECRET * 400).encode() + b"PAR1",
}
MAX_MESSAGE = 400  # characters: the template, the fix and a few short quotes


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_file_message_quotes_only_a_short_snippet(name):
    data = REFUSED[name]
    assert len(data) > 10_000
    with pytest.raises(ChurnDataError) as err:
        read_table(data, name=name)
    text = str(err.value)
    assert len(text) <= MAX_MESSAGE, (len(text), text[:500])
    assert "\n" not in text and text.isprintable()
    # no run of the file longer than a snippet is in the message
    content = data.decode("latin-1")
    longer = [text[i : i + SNIPPET + 1] for i in range(len(text) - SNIPPET)]
    assert [w for w in longer if w in content] == [], text
    if name.startswith("html"):
        assert "web page (HTML)" in text and SECRET not in text, text


def test_a_parsers_long_error_text_is_cut_to_a_snippet(monkeypatch):
    """calamine (or any parser) can put the file's bytes into its error text: the message
    keeps one short printable line of it."""
    import churn.io.workbook

    def failing(data: bytes):
        raise ValueError("unexpected token in cell:\n" + SECRET * 300)

    monkeypatch.setattr(churn.io.workbook, "_open_workbook", failing)
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20_000
    with pytest.raises(ChurnDataError) as err:
        read_table(data, name="legacy.xls")
    text = str(err.value)
    assert len(text) <= MAX_MESSAGE and "\n" not in text, text
    [reason] = re.findall(r"opened \((.*)\)\. Fix", text)
    assert len(reason) == SNIPPET and reason.endswith("…"), reason
    assert reason.startswith("unexpected token in cell: SECRET")


def test_html_named_xls_is_refused_as_a_web_page_on_the_data_page():
    at = _fresh()
    at.switch_page(DATA_PAGE).run()
    at.file_uploader(key="data.upload").upload(
        "export.xls", _html_page(), "application/vnd.ms-excel"
    ).run()
    assert not at.exception
    [box] = at.error
    assert "web page (HTML)" in box.value and len(box.value) <= MAX_MESSAGE + 100, box.value
    assert SECRET not in _page_text(at)


# ------------------------------------------------------------------------ upload cap


def _browser_megabyte() -> int:
    """Bytes per "MB" in Streamlit's file uploader, read from its frontend bundle.

    The bundle converts ``maxUploadSizeMb`` to bytes with a base of 1024 on Windows
    (``/^Win/i.test(navigator.platform)``) and 1000 elsewhere; Linux and macOS browsers
    therefore allow ``maxUploadSize * 1000**2`` bytes.
    """
    js = Path(streamlit.__file__).parent / "static" / "static" / "js"
    bases = set()
    for path in js.glob("*.js"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "Megabyte=`mb`" in text:
            bases |= set(re.findall(r"=\w+\(\)\?1024:1e3,", text))
    assert len(bases) == 1, f"Streamlit's uploader unit conversion changed: {bases}"
    return 1000 * 1000


def _server_megabyte() -> int:
    """Bytes per "MB" in the server's upload route (Streamlit's Python source)."""
    src = Path(streamlit.__file__).parent / "web" / "server" / "starlette" / "starlette_routes.py"
    text = src.read_text(encoding="utf-8")
    assert 'config.get_option("server.maxUploadSize") * 1024 * 1024' in text
    return 1024 * 1024


def test_no_source_watcher_and_no_forced_collection_after_each_run():
    """The settings a room of participants needs (README, "Running a workshop")."""
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["server"]["fileWatcherType"] == "none"
    assert settings["server"]["runOnSave"] is False
    assert settings["runner"]["postScriptGC"] is False


def test_upload_caps_agree(monkeypatch):
    """The cap the browser enforces (Linux/macOS) is exactly the reader's cap; the server
    accepts at least as much, so no file the browser sends is refused for its size before
    the reader can say so."""
    monkeypatch.delenv("CHURNLENS_MAX_BYTES", raising=False)
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    mb = settings["server"]["maxUploadSize"]
    browser = mb * _browser_megabyte()
    assert browser == Limits().max_bytes == 200_000_000
    assert mb * _server_megabyte() >= browser

    # The app's uploader uses the configured cap (no per-widget override).
    at = _fresh()
    at.switch_page(DATA_PAGE).run()
    [uploader] = at.get("file_uploader")
    assert uploader.proto.max_upload_size_mb == mb

    # The reader's cap message names the number the uploader shows ("200.0MB").
    from churn.io.limits import bytes_limit

    assert bytes_limit(Limits()) == f"{mb:.1f} MB"
