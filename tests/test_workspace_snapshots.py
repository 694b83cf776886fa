"""A workspace's series of snapshots (churn.workspace.snapshots): saved, read back from a
fresh store, roles reused while the columns match, column changes listed."""

from __future__ import annotations

import pandas as pd
import pytest

from churn.errors import ChurnDataError
from churn.roles import ColumnRoles
from churn.settings import IntakeSettings
from churn.workspace import (
    WorkspaceError,
    WorkspaceStore,
    add_snapshot,
    load_series,
    snapshot_data,
)
from churn.workspace.snapshots import SERIES_KEY, carry_series

ROLES = ColumnRoles(id="id", label="churned", churned_values=("Yes",), features=("plan",))
SETTINGS = IntakeSettings(ROLES, snapshot="2025-10-31")

OCT = pd.DataFrame(
    {
        "id": ["A", "B", "C", "C"],
        "churned": ["No", "No", "Yes", "Yes"],
        "plan": ["a", "b", "a", "a"],
        "notes": ["x", "y", "z", "z"],
    }
)
NOV = pd.DataFrame(
    {
        "id": ["A", "B", "D"],
        "churned": ["No", "Yes", "No"],
        "plan": ["a", "b", "b"],
        "region": ["n", "s", "n"],
    }
)


def _bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "ws"


@pytest.fixture
def ws_id(folder) -> str:
    return WorkspaceStore(folder).create(
        "Acme", file_name="oct.csv", data=_bytes(OCT), intake=SETTINGS, rows=4, customers=3
    )


def _two(folder, ws_id):
    store = WorkspaceStore(folder)
    add_snapshot(
        store,
        ws_id,
        date="2025-10-31",
        file_name="oct.csv",
        data=_bytes(OCT),
        frame=OCT,
        intake=SETTINGS,
    )
    # November: no settings given, the confirmed roles are reused (the columns match)
    return add_snapshot(
        store,
        ws_id,
        date=pd.Timestamp("2025-11-30"),
        file_name="nov.csv",
        data=_bytes(NOV),
        frame=NOV,
    )


def test_two_snapshots_come_back_with_the_reused_roles(folder, ws_id):
    _two(folder, ws_id)
    series = load_series(WorkspaceStore(folder), ws_id)  # a fresh store: read from disk
    assert [e.date for e in series.entries] == ["2025-10-31", "2025-11-30"]
    assert [e.file_name for e in series.entries] == ["oct.csv", "nov.csv"]
    assert [(e.rows, e.customers) for e in series.entries] == [(4, 3), (3, 3)]
    assert series.intake.roles == ROLES and series.intake.snapshot is None
    oct_entry, nov_entry = series.entries
    # October is the workspace's own file (not stored twice); November has a member
    assert oct_entry.workspace == ws_id and nov_entry.workspace != ws_id
    store = WorkspaceStore(folder)
    assert snapshot_data(store, oct_entry) == _bytes(OCT)
    assert snapshot_data(store, nov_entry) == _bytes(NOV)
    member = store.load(nov_entry.workspace)
    assert member.roles == ROLES and member.name == "Acme · 2025-11-30"
    assert member.settings == {"snapshot_of": ws_id, "snapshot_date": "2025-11-30"}
    # the workspace itself is unchanged otherwise
    ws = store.load(ws_id)
    assert ws.file_name == "oct.csv" and ws.roles == ROLES and ws.snapshot == "2025-10-31"


def test_columns_changed_are_listed(folder, ws_id):
    series = _two(folder, ws_id)
    assert series.column_changes() == [
        {"date": "2025-11-30", "added": ["region"], "removed": ["notes"]}
    ]
    expected = pd.DataFrame(
        {
            "date": ["2025-10-31", "2025-11-30"],
            "file_name": ["oct.csv", "nov.csv"],
            "rows": [4, 3],
            "customers": pd.array([3, 3], dtype="Int64"),
            "columns_added": ["", "region"],
            "columns_removed": ["", "notes"],
        }
    )
    pd.testing.assert_frame_equal(series.as_frame(), expected, check_dtype=False)
    assert series.as_frame()["customers"].dtype == "Int64"


def test_a_file_without_a_role_column_is_refused_and_the_series_kept(folder, ws_id):
    _two(folder, ws_id)
    store = WorkspaceStore(folder)
    dec = NOV.drop(columns=["plan"])
    with pytest.raises(ChurnDataError, match="no column 'plan'"):
        add_snapshot(
            store, ws_id, date="2025-12-31", file_name="dec.csv", data=_bytes(dec), frame=dec
        )
    assert len(load_series(store, ws_id).entries) == 2
    # confirming roles again (given settings) is accepted and they become the series'
    roles = ROLES.with_(features=())
    series = add_snapshot(
        store,
        ws_id,
        date="2025-12-31",
        file_name="dec.csv",
        data=_bytes(dec),
        frame=dec,
        intake=IntakeSettings(roles),
    )
    assert len(series.entries) == 3 and load_series(store, ws_id).intake.roles == roles


def test_first_snapshot_needs_roles_and_a_real_date(folder, ws_id):
    store = WorkspaceStore(folder)
    with pytest.raises(ChurnDataError, match="no confirmed column roles"):
        add_snapshot(store, ws_id, date="2025-10-31", file_name="o", data=b"x", frame=OCT)
    with pytest.raises(ChurnDataError, match="'soon' is not a date"):
        add_snapshot(
            store, ws_id, date="soon", file_name="o", data=b"x", frame=OCT, intake=SETTINGS
        )
    assert load_series(store, ws_id).entries == ()


def test_the_same_date_again_replaces_its_file(folder, ws_id):
    _two(folder, ws_id)
    store = WorkspaceStore(folder)
    again = NOV.assign(region="w")
    series = add_snapshot(
        store, ws_id, date="2025-11-30", file_name="nov2.csv", data=_bytes(again), frame=again
    )
    assert [e.file_name for e in series.entries] == ["oct.csv", "nov2.csv"]
    assert snapshot_data(store, series.entries[1]) == _bytes(again)


def test_saving_other_settings_carries_the_series(folder, ws_id):
    _two(folder, ws_id)
    store = WorkspaceStore(folder)
    store.save(ws_id, settings=carry_series(store, ws_id, {"reason": "roles"}))
    settings = store.load(ws_id).settings
    assert settings["reason"] == "roles" and SERIES_KEY in settings
    assert len(load_series(store, ws_id).entries) == 2


def test_a_damaged_series_is_reported(folder, ws_id):
    store = WorkspaceStore(folder)
    store.save(ws_id, settings={SERIES_KEY: {"entries": [{"date": "2025-10-31"}]}})
    with pytest.raises(WorkspaceError, match="series of snapshots cannot be read"):
        load_series(store, ws_id)


def test_the_series_on_postgres(postgres_url, monkeypatch):
    """The same series through the PostgreSQL store (its public API only)."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    from churn.workspace import ENV_DATABASE, PostgresWorkspaceStore

    name = f"snap_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    parts = urlsplit(postgres_url)
    monkeypatch.setenv(ENV_DATABASE, urlunsplit(parts._replace(path=f"/{name}")))
    store = WorkspaceStore()
    assert isinstance(store, PostgresWorkspaceStore)
    ws_id = store.create("Acme", file_name="oct.csv", data=_bytes(OCT), intake=SETTINGS)
    add_snapshot(
        store,
        ws_id,
        date="2025-10-31",
        file_name="oct.csv",
        data=_bytes(OCT),
        frame=OCT,
        intake=SETTINGS,
    )
    add_snapshot(store, ws_id, date="2025-11-30", file_name="nov.csv", data=_bytes(NOV), frame=NOV)
    series = load_series(WorkspaceStore(), ws_id)
    assert [e.file_name for e in series.entries] == ["oct.csv", "nov.csv"]
    assert series.intake.roles == ROLES
    assert snapshot_data(WorkspaceStore(), series.entries[1]) == _bytes(NOV)
    assert series.column_changes()[0]["added"] == ["region"]
