"""Workspaces in PostgreSQL (issue 25): ``CHURNLENS_DATABASE_URL`` makes ``WorkspaceStore()``
the database store; two server processes on one database see each other's workspaces.

Runs against the throw-away server of the ``postgres_url`` fixture (tests/conftest.py),
in a database of its own.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from churn.roles import ColumnRoles
from churn.settings import IntakeSettings
from churn.workspace import (
    ENV_DATABASE,
    PostgresWorkspaceStore,
    WorkspaceError,
    WorkspaceNotFound,
    WorkspaceStore,
)
from churn.workspace.postgres import redacted

ROOT = Path(__file__).resolve().parents[1]
DATA = b"customer_id,status,plan\nC1,active,basic\nC2,churned,pro\n"
ROLES = ColumnRoles(id="customer_id", label="status")


@pytest.fixture(scope="module")
def db_url(postgres_url) -> str:
    """A fresh database on the session's server, for this module alone."""
    name = f"ws_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    parts = urlsplit(postgres_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def pg(db_url, monkeypatch) -> WorkspaceStore:
    monkeypatch.setenv(ENV_DATABASE, db_url)
    return WorkspaceStore()


def test_the_url_chooses_postgres_and_sqlite_stays_the_default(db_url, monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_DATABASE, raising=False)
    assert type(WorkspaceStore()) is WorkspaceStore
    monkeypatch.setenv(ENV_DATABASE, db_url)
    assert isinstance(WorkspaceStore(), PostgresWorkspaceStore)
    assert type(WorkspaceStore(tmp_path)) is WorkspaceStore  # a folder is always SQLite


def test_every_store_operation_on_postgres(pg):
    intake = IntakeSettings(roles=ROLES, snapshot="2025-01-31", inactivity_days=45)
    ws_id = pg.create("Acme", file_name="acme.csv", data=DATA, intake=intake, rows=2)
    assert pg.exists(ws_id)
    ws = pg.load(ws_id)
    assert (ws.name, ws.file_name, ws.data, ws.roles) == ("Acme", "acme.csv", DATA, ROLES)
    assert (ws.snapshot, ws.inactivity_days, ws.rows) == ("2025-01-31", 45, 2)

    pg.save(ws_id, notes="call them", scenarios={"a": {"x": 1}}, customers=2)
    pg.rename(ws_id, "  Acme   Ltd ")
    ws = pg.load(ws_id)
    assert (ws.name, ws.notes, ws.scenarios, ws.customers) == (
        "Acme Ltd",
        "call them",
        {"a": {"x": 1}},
        2,
    )
    info = pg.info(ws_id)
    assert (info.name, info.rows, info.customers, info.confirmed, info.has_model) == (
        "Acme Ltd",
        2,
        2,
        True,
        False,
    )
    copy = pg.duplicate(ws_id)
    assert pg.load(copy).name == "Acme Ltd (copy)" and pg.load(copy).data == DATA
    listed = [i.id for i in pg.list()]
    assert listed.index(copy) < listed.index(ws_id)  # most recently updated first

    pg.delete(copy)
    assert not pg.exists(copy)
    with pytest.raises(WorkspaceNotFound):
        pg.load(copy)
    with pytest.raises(WorkspaceNotFound):
        pg.save(copy, notes="gone")
    with pytest.raises(WorkspaceNotFound):
        pg.delete(copy)


def test_a_newer_format_is_refused_and_listed_with_its_problem(pg, db_url):
    ws_id = pg.create("Future", file_name="f.csv", data=DATA)
    with psycopg.connect(db_url, autocommit=True) as con:
        con.execute("UPDATE workspace SET format = 99 WHERE id = %s", (ws_id,))
    with pytest.raises(WorkspaceError, match="newer ChurnLens"):
        pg.load(ws_id)
    line = next(i for i in pg.list() if i.id == ws_id)
    assert not line.ok and "newer ChurnLens" in line.problem


def test_an_unreachable_database_says_so_without_the_password(monkeypatch, caplog):
    url = "postgresql://ann:s3cret-pw@127.0.0.1:9/none?connect_timeout=2"
    monkeypatch.setenv(ENV_DATABASE, url)
    store = WorkspaceStore()
    assert "s3cret" not in repr(store) and "ann:***@127.0.0.1:9" in repr(store)
    caplog.set_level(logging.DEBUG, logger="churnlens.workspace")
    with pytest.raises(WorkspaceError, match="could not be reached") as err:
        store.list()
    assert "s3cret" not in str(err.value) and "s3cret" not in caplog.text
    assert redacted("postgresql://h/db") == "postgresql://h/db"


_PROCESS = """
import json, sys
from churn.workspace import WorkspaceStore
store = WorkspaceStore()
if sys.argv[1] == "create":
    print(store.create("From A", file_name="a.csv", data=b"id,status\\n1,active\\n"))
else:
    seen = [(i.id, i.name) for i in store.list()]
    store.rename(sys.argv[2], "Renamed by B")
    print(json.dumps({"type": type(store).__name__, "seen": seen}))
"""


@pytest.mark.slow  # two Python processes start (about 2.5 s each): the claim is about processes
def test_two_server_processes_see_each_others_workspaces(db_url, monkeypatch):
    """Two real processes (two app servers behind a proxy) on one database."""
    env = {**os.environ, ENV_DATABASE: db_url}

    def process(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", _PROCESS, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]

    ws_id = process("create")  # server A saves
    answer = json.loads(process("list", ws_id))  # server B lists it and renames it
    assert answer["type"] == "PostgresWorkspaceStore"
    assert [ws_id, "From A"] in answer["seen"]
    monkeypatch.setenv(ENV_DATABASE, db_url)
    assert WorkspaceStore().load(ws_id).name == "Renamed by B"  # and this one sees that
