"""Workspaces: SQLite round trip across a "restart", list/rename/duplicate/delete, ids,
damaged workspaces reported while the others still open, concurrent saves."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn import model as M
from churn.errors import ChurnDataError
from churn.io import read_table
from churn.roles import infer_roles
from churn.shapes import build_customer_table
from churn.workspace import (
    ENV_FOLDER,
    KEEP,
    SUFFIX,
    WorkspaceError,
    WorkspaceNotFound,
    WorkspaceStore,
    default_folder,
    is_valid_id,
    new_id,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "subscriptions.csv"

TINY = b"customer_id,plan,fee,churned\nc1,basic,10,yes\nc2,pro,30,no\nc3,basic,12,no\n"


@pytest.fixture
def store(tmp_path) -> WorkspaceStore:
    return WorkspaceStore(tmp_path / "ws")


def _tiny(store: WorkspaceStore, name: str = "Tiny") -> str:
    roles = infer_roles(read_table(TINY, name="tiny.csv").frame)
    return store.create(name, file_name="tiny.csv", data=TINY, roles=roles, rows=3, customers=3)


def _table(data: bytes, name: str, roles, sheet=None, snapshot=None, inactivity_days=90):
    frame = read_table(data, name=name, sheet=sheet).frame
    return build_customer_table(frame, roles, snapshot=snapshot, inactivity_days=inactivity_days)


@pytest.fixture(scope="module")
def telco(shared_data):
    """The real Telco file, its proposed roles, table and a trained logistic model."""
    data = (shared_data / "telco_customer_churn.csv").read_bytes()
    roles = infer_roles(read_table(data, name="telco.csv").frame)
    table = _table(data, "telco.csv", roles)
    return data, roles, table, M.train(table, model="logistic")


@pytest.fixture(scope="module")
def sample_lgbm():
    """The generated sample with LightGBM (the app's default model, a tree booster)."""
    data = SAMPLE.read_bytes()
    roles = infer_roles(read_table(data, name=SAMPLE.name).frame)
    table = _table(data, SAMPLE.name, roles)
    return data, roles, table, M.train(table, model=M.DEFAULT_MODEL)


# ---------------------------------------------------------------------- ids and folder
def test_ids_are_long_random_and_distinct(store):
    ids = {new_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(len(i) == 32 and is_valid_id(i) for i in ids)
    made = [_tiny(store, f"w{i}") for i in range(5)]
    assert len(set(made)) == 5 and all(len(i) == 32 for i in made)
    # no shared prefix pattern: ids made one after another differ early on
    assert len({i[:6] for i in made}) == 5


@pytest.mark.parametrize(
    "bad", ["", "abc", "../../etc/passwd", "x" * 31, "x" * 33, "a/" + "b" * 30, None, 12]
)
def test_malformed_ids_never_touch_the_file_system(store, bad):
    assert not is_valid_id(bad)
    with pytest.raises(WorkspaceNotFound):
        store.load(bad)
    with pytest.raises(WorkspaceNotFound):
        store.delete(bad)
    assert not store.exists(bad)


def test_default_folder_and_env_override(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_FOLDER, raising=False)
    monkeypatch.chdir(tmp_path)
    assert default_folder() == tmp_path / "workspaces"
    monkeypatch.setenv(ENV_FOLDER, str(tmp_path / "elsewhere"))
    assert WorkspaceStore().folder == tmp_path / "elsewhere"
    assert not (tmp_path / "elsewhere").exists()  # nothing created until a save
    assert WorkspaceStore().list() == []


# ---------------------------------------------------------------------- round trip
def test_round_trip_after_restart_real_file(tmp_path, telco):
    data, roles, table, tm = telco
    scenarios = {
        "discount": {"edits": {"Contract": "One year"}, "risk_before": 0.41, "n": 1869},
        "한국어 시나리오": {"note": "월 요금 10% 할인", "values": [1, 2.5, None]},
    }
    handle = {"key": "abc", "model": "logistic", "features": list(tm.features), "split": "cv"}
    ws_id = WorkspaceStore(tmp_path).create(
        "Telco workshop",
        file_name="telco.csv",
        data=data,
        roles=roles,
        settings={"lang": "ko"},
        model=tm,
        model_handle=handle,
        scenarios=scenarios,
        notes="Client wants the top 200.\n두 번째 줄",
        rows=table.rows_in,
        customers=table.n_customers,
    )

    ws = WorkspaceStore(tmp_path).load(ws_id)  # a new store object: "the app restarted"
    assert ws.problems == ()
    assert ws.data == data and ws.file_name == "telco.csv" and ws.sheet is None
    assert ws.roles == roles
    assert ws.snapshot is None and ws.inactivity_days == 90
    rebuilt = _table(ws.data, ws.file_name, ws.roles, ws.sheet, ws.snapshot, ws.inactivity_days)
    pd.testing.assert_frame_equal(rebuilt.frame, table.frame)
    assert rebuilt.features == table.features and rebuilt.categorical == table.categorical
    assert ws.settings == {"lang": "ko"}
    assert ws.scenarios == scenarios
    assert ws.notes == "Client wants the top 200.\n두 번째 줄"
    assert ws.model_handle == handle
    assert (ws.rows, ws.customers) == (7043, 7043)
    # identical predictions on every customer, and the evaluation scores kept exactly
    np.testing.assert_array_equal(M.score(ws.model, rebuilt).to_numpy(), M.score(tm, table))
    pd.testing.assert_frame_equal(ws.model.predictions, tm.predictions)
    assert ws.model.metrics["roc_auc"] == tm.metrics["roc_auc"]
    assert ws.model.features == tm.features and ws.model.name == "logistic"


def test_round_trip_lightgbm_and_partial_saves(store, sample_lgbm):
    data, roles, table, tm = sample_lgbm
    ws_id = store.create("Sample", file_name=SAMPLE.name, data=data, roles=roles, is_sample=True)
    ws = store.load(ws_id)
    assert ws.model is None and ws.model_handle is None and ws.is_sample

    store.save(ws_id, model=tm, model_handle={"model": "lightgbm"})
    scen = {"x": np.float64(1.5), "n": np.int64(3), "when": pd.Timestamp("2024-01-31")}
    store.save(ws_id, scenarios={"a": {**scen, "na": pd.NA, "nat": pd.NaT, "t": (1, 2)}})
    ws = WorkspaceStore(store.folder).load(ws_id)
    assert ws.scenarios == {
        "a": {"x": 1.5, "n": 3, "when": "2024-01-31T00:00:00", "na": None, "nat": None, "t": [1, 2]}
    }
    assert ws.model_handle == {"model": "lightgbm"}  # kept by the later scenario save
    np.testing.assert_array_equal(M.score(ws.model, table).to_numpy(), M.score(tm, table))

    store.save(ws_id, model=None)  # e.g. roles changed: the saved model no longer fits
    assert store.load(ws_id).model is None
    assert store.info(ws_id).has_model is False


def test_intake_settings_round_trip_and_partial_update(store):
    ws_id = store.create(
        "Events", file_name="e.csv", data=b"x", snapshot="2024-06-30", inactivity_days=60
    )
    ws = store.load(ws_id)
    assert (ws.snapshot, ws.inactivity_days, ws.roles) == ("2024-06-30", 60, None)
    store.save(ws_id, inactivity_days=120)
    ws = store.load(ws_id)
    assert (ws.snapshot, ws.inactivity_days) == ("2024-06-30", 120)
    store.save(ws_id, snapshot=None, inactivity_days=KEEP)
    assert (store.load(ws_id).snapshot, store.load(ws_id).inactivity_days) == (None, 120)


def test_unsaveable_scenario_is_a_clear_error(store):
    ws_id = _tiny(store)
    with pytest.raises(ChurnDataError, match="scenarios could not be saved"):
        store.save(ws_id, scenarios={"bad": object()})
    assert store.load(ws_id).scenarios == {}  # nothing half-written


# ---------------------------------------------------------------------- managing
def test_list_rename_duplicate_delete(store):
    assert store.list() == []
    a = _tiny(store, "  Acme   Corp ")
    b = store.create("Beta", file_name="b.csv", data=b"id\n1\n", rows=1)
    infos = store.list()
    assert [i.id for i in infos] == [b, a]  # most recently updated first
    acme = store.info(a)
    assert (acme.name, acme.file_name, acme.rows, acme.customers) == ("Acme Corp", "tiny.csv", 3, 3)
    assert acme.confirmed and not acme.has_model and acme.ok
    assert acme.created <= acme.updated

    store.rename(a, "Acme (workshop)")
    assert store.info(a).name == "Acme (workshop)"
    assert [i.id for i in store.list()] == [a, b]  # renaming counts as an update
    with pytest.raises(ChurnDataError, match="needs a name"):
        store.rename(a, "   ")

    c = store.duplicate(a, "Gamma")
    assert c not in (a, b) and is_valid_id(c)
    wa, wc = store.load(a), store.load(c)
    assert wc.name == "Gamma" and wc.data == wa.data and wc.roles == wa.roles
    assert wc.created > wa.created
    assert store.info(store.duplicate(b)).name == "Beta (copy)"
    store.rename(c, "Gamma 2")  # the copy is independent of the original
    assert store.info(a).name == "Acme (workshop)"

    store.delete(a)
    assert not store.exists(a)
    assert not list(store.folder.glob(f"{a}*"))  # its bytes are gone from disk
    with pytest.raises(WorkspaceNotFound):
        store.load(a)
    with pytest.raises(WorkspaceNotFound):
        store.delete(a)
    assert store.load(c).name == "Gamma 2"
    assert len(store.list()) == 3


def test_unknown_id_is_not_found(store):
    _tiny(store)
    with pytest.raises(WorkspaceNotFound, match="no workspace with this id"):
        store.load(new_id())
    assert len(list(store.folder.iterdir())) == 1  # reading never creates a file


def test_files_are_owner_only(store):
    ws_id = _tiny(store)
    assert (store.path_of(ws_id).stat().st_mode & 0o777) == 0o600


# ---------------------------------------------------------------------- damage
def _sql(store: WorkspaceStore, ws_id: str, sql: str, *params) -> None:
    con = sqlite3.connect(store.path_of(ws_id))
    with con:
        con.execute(sql, params)
    con.close()


def test_garbage_model_bytes_are_reported_and_others_open(store, telco):
    data, roles, table, tm = telco
    good = store.create("Good", file_name="t.csv", data=data, roles=roles, model=tm)
    bad = store.duplicate(good, "Bad model")
    _sql(store, bad, "UPDATE workspace SET model = ?", b"\x00garbage" * 100)

    ws = store.load(bad)  # the data and roles still open; the model is left out, said why
    assert ws.model is None and ws.roles == roles
    assert len(ws.problems) == 1 and "model could not be read" in ws.problems[0]
    with pytest.raises(WorkspaceError, match="trained model cannot be read"):
        store.load(bad, strict=True)
    assert store.load(good).model is not None


def test_truncated_model_with_matching_checksum_is_refused_by_skops(store, telco):
    data, roles, _, tm = telco
    ws_id = store.create("T", file_name="t.csv", data=data, roles=roles, model=tm)
    con = sqlite3.connect(store.path_of(ws_id))
    blob = con.execute("SELECT model FROM workspace").fetchone()[0]
    cut = blob[: len(blob) // 2]
    import hashlib

    with con:
        con.execute(
            "UPDATE workspace SET model = ?, model_sha256 = ?",
            (cut, hashlib.sha256(cut).hexdigest()),
        )
    con.close()
    ws = store.load(ws_id)
    assert ws.model is None and "not a ChurnLens model" in ws.problems[0]


def test_corrupt_rows_are_reported_and_others_open(store):
    ok = _tiny(store, "Fine")
    bad_json = _tiny(store, "Bad roles")
    _sql(store, bad_json, "UPDATE workspace SET roles = ?", "{not json")
    truncated = _tiny(store, "Truncated file")
    _sql(store, truncated, "UPDATE workspace SET file_bytes = ?", TINY[:20])
    bad_scen = _tiny(store, "Bad scenarios")
    _sql(store, bad_scen, "UPDATE workspace SET scenarios = ?", "[1, 2")
    bad_date = _tiny(store, "Bad date")
    _sql(store, bad_date, "UPDATE workspace SET created = ?", "yesterday-ish")
    no_row = _tiny(store, "No row")
    _sql(store, no_row, "DELETE FROM workspace")

    with pytest.raises(WorkspaceError, match="column roles cannot be read"):
        store.load(bad_json)
    with pytest.raises(WorkspaceError, match="file or column roles cannot be read") as err:
        store.load(truncated)
    # the technical cause is chained for the server log, never put in the message
    assert "checksum" in str(err.value.__cause__) and "checksum" not in str(err.value)
    with pytest.raises(WorkspaceError, match="holds no workspace"):
        store.load(no_row)
    with pytest.raises(WorkspaceError, match="damaged"):
        store.load(bad_date)
    ws = store.load(bad_scen)
    assert ws.scenarios == {} and "saved scenarios could not be read" in ws.problems[0]
    assert store.load(ok).roles is not None and store.load(ok).problems == ()

    infos = {i.id: i for i in store.list()}
    assert len(infos) == 6
    assert infos[ok].ok and infos[bad_json].ok  # the list reads no blobs or JSON
    assert not infos[no_row].ok and "holds no workspace" in infos[no_row].problem
    assert not infos[bad_date].ok


def test_corrupt_database_file_is_reported_and_others_open(store):
    ok = _tiny(store, "Fine")
    bad = _tiny(store, "Garbage file")
    path = store.path_of(bad)
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    path.write_bytes(b"this is not sqlite" * 500)
    with pytest.raises(WorkspaceError, match="not a readable database"):
        store.load(bad)
    with pytest.raises(WorkspaceError):
        store.save(bad, notes="x")
    info = store.info(bad)
    assert not info.ok and "not a readable database" in info.problem
    assert [i.id for i in store.list() if i.ok] == [ok]
    assert store.load(ok).name == "Fine"
    store.delete(bad)  # a damaged workspace can still be deleted
    assert [i.id for i in store.list()] == [ok]


def test_newer_format_is_refused(store):
    ws_id = _tiny(store)
    _sql(store, ws_id, "UPDATE workspace SET format = 99")
    with pytest.raises(WorkspaceError, match="newer ChurnLens"):
        store.load(ws_id)


def test_stored_text_is_data_never_code(store):
    """JSON that looks like code or a pickle stays inert text."""
    ws_id = _tiny(store)
    payload = {"__reduce__": "os.system('touch /tmp/pwned')", "py/object": "os.system"}
    store.save(ws_id, scenarios=payload, notes="=cmd|' /C calc'!A0")
    ws = store.load(ws_id)
    assert ws.scenarios == payload and ws.notes.startswith("=cmd")
    con = sqlite3.connect(store.path_of(ws_id))
    stored = con.execute("SELECT scenarios FROM workspace").fetchone()[0]
    con.close()
    assert json.loads(stored) == payload


# ---------------------------------------------------------------------- concurrency
def test_concurrent_saves(store):
    ids = [_tiny(store, f"w{i}") for i in range(3)]
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for k in range(15):
                ws_id = ids[(n + k) % len(ids)]
                store.save(ws_id, notes=f"{n}-{k}", scenarios={"k": k})
                store.load(ws_id, with_model=False)
                store.list()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    for ws_id in ids:
        ws = store.load(ws_id)
        assert ws.notes.count("-") == 1 and ws.scenarios["k"] in range(15)
    con = sqlite3.connect(store.path_of(ids[0]))
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_glob_ignores_foreign_files(store):
    ok = _tiny(store)
    (store.folder / f"notes{SUFFIX}").write_text("not a workspace")
    (store.folder / "readme.txt").write_text("hello")
    assert [i.id for i in store.list()] == [ok]


def test_the_list_opens_a_workspace_file_only_when_it_changed(store, monkeypatch):
    # A sidebar lists the workspaces on every rerun of every participant: a list line is
    # read again only when its file (or its write-ahead log) changed.
    ids = [_tiny(store, f"W{i}") for i in range(3)]
    opened: list[str] = []
    read_row = WorkspaceStore._row

    def counting(self, ws_id, columns="*"):
        opened.append(ws_id)
        return read_row(self, ws_id, columns)

    monkeypatch.setattr(WorkspaceStore, "_row", counting)
    first = store.list()
    assert sorted(opened) == sorted(ids)
    opened.clear()
    assert WorkspaceStore(store.folder).list() == first  # another store of the process too
    assert opened == []
    store.rename(ids[1], "Renamed")  # written here: that line is read again, the others not
    names = {i.id: i.name for i in store.list()}
    assert opened == [ids[1]] and names[ids[1]] == "Renamed" and names[ids[0]] == "W0"
    opened.clear()
    # A write by another process (plain SQLite, no store) changes the file: seen at once.
    _sql(store, ids[2], "UPDATE workspace SET name = ? WHERE id = ?", "Elsewhere", ids[2])
    assert {i.id: i.name for i in store.list()}[ids[2]] == "Elsewhere"
    assert opened == [ids[2]]
    store.delete(ids[0])
    assert sorted(i.id for i in store.list()) == sorted(ids[1:])
