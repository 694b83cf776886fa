"""One intake-settings object (churn.settings): its dict and key, the default written once,
and the settings travelling with a model (training, saving, scoring, workspaces, CLI)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import sqlite3
import tokenize
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import churn.model as M
from churn.errors import ChurnDataError
from churn.roles import ColumnRoles
from churn.settings import DEFAULT_INACTIVITY_DAYS, IntakeSettings, difference_note
from churn.shapes import build_customer_table
from churn.text import localize
from churn.workspace import SUFFIX, WorkspaceStore, new_id

ROOT = Path(__file__).resolve().parent.parent
ROLES = ColumnRoles(id="customer", event_date="day", amount="amount")


def event_log(seed: int, n: int = 240, end: str = "2024-06-30") -> pd.DataFrame:
    """An event log: each customer orders every few weeks until a day of their own."""
    rng = np.random.default_rng(seed)
    last = pd.Timestamp(end)
    rows = []
    for i in range(n):
        day = last - pd.Timedelta(days=int(rng.integers(200, 500)))
        stop = last - pd.Timedelta(days=int(rng.integers(0, 150)))
        gap = rng.uniform(5, 60)
        while day <= stop:
            rows.append((f"C{i:04d}", f"{day:%Y-%m-%d}", round(float(rng.uniform(10, 200)), 2)))
            day += pd.Timedelta(days=int(rng.exponential(gap)) + 1)
    return pd.DataFrame(rows, columns=["customer", "day", "amount"])


@pytest.fixture(scope="module")
def logs() -> tuple[pd.DataFrame, pd.DataFrame]:
    return event_log(1), event_log(2)


@pytest.fixture(scope="module")
def trained60(logs) -> M.TrainedModel:
    table = build_customer_table(logs[0], IntakeSettings(ROLES, inactivity_days=60))
    return M.train(table, model="logistic")


def risks_cut_at(trained: M.TrainedModel, frame: pd.DataFrame, n: int) -> np.ndarray:
    """The model's risks for ``frame`` built by hand with an inactivity window of ``n``."""
    table = build_customer_table(frame, ROLES, inactivity_days=n)
    return M.score(trained, table).to_numpy()


# ----------------------------------------------------------------------------- the object
def test_to_dict_and_back_through_json():
    roles = ColumnRoles(
        id="고객번호",
        event_date="주문일",
        features=("채널", "금액"),
        categorical=("채널",),
        excluded=(("메모", "free text"),),
        dayfirst=True,
    )
    s = IntakeSettings(roles, sheet="주문", snapshot=dt.date(2024, 6, 30), inactivity_days=60)
    assert s.snapshot == "2024-06-30"  # a date is kept as ISO text
    d = json.loads(json.dumps(s.to_dict()))
    assert d["sheet"] == "주문" and d["inactivity_days"] == 60
    assert d["roles"]["excluded"] == {"메모": "free text"}
    back = IntakeSettings.from_dict(d)
    assert back == s and hash(back) == hash(s)


def test_from_dict_fills_defaults_and_ignores_unknown_keys():
    s = IntakeSettings.from_dict({"roles": {"id": "c"}, "inactivity_days": None, "extra": 1})
    assert s == IntakeSettings(ColumnRoles(id="c"))
    assert (s.sheet, s.snapshot, s.inactivity_days) == (None, None, DEFAULT_INACTIVITY_DAYS)
    assert IntakeSettings.from_dict({}).roles == ColumnRoles()


def test_with_changes_one_setting_and_validates_the_window():
    s = IntakeSettings(ROLES)
    assert s.with_(inactivity_days="45").inactivity_days == 45
    assert s.with_(roles={"amount": None}).roles == ROLES.with_(amount=None)
    assert s.with_(snapshot=pd.Timestamp("2024-05-31 12:30")).snapshot == "2024-05-31T12:30:00"
    with pytest.raises(ChurnDataError, match="at least 1 day"):
        s.with_(inactivity_days=0)
    with pytest.raises(ChurnDataError, match="not a whole number of days"):
        IntakeSettings(ROLES, inactivity_days="ninety")


def test_key_is_the_apps_old_cache_key_and_sensitive_to_every_setting():
    s = IntakeSettings(ROLES, sheet="Orders", snapshot="2024-06-30", inactivity_days=60)
    # The formula the app's confirmed-dataset key always had: models saved in older
    # workspaces still match their settings.
    payload = json.dumps(
        {
            "h": "abc",
            "sheet": "Orders",
            "roles": ROLES.to_dict(),
            "snapshot": "2024-06-30",
            "n": 60,
        },
        sort_keys=True,
        default=str,
    )
    assert s.key("abc") == hashlib.sha256(payload.encode()).hexdigest()
    assert s.key("abc") == IntakeSettings.from_dict(s.to_dict()).key("abc")  # stable
    keys = {
        s.key("abc"),
        s.key("abd"),
        s.with_(sheet="Other").key("abc"),
        s.with_(sheet=None).key("abc"),
        s.with_(roles=ROLES.with_(amount=None)).key("abc"),
        s.with_(snapshot=None).key("abc"),
        s.with_(inactivity_days=61).key("abc"),
    }
    assert len(keys) == 7


def _inactivity_90s(path: Path) -> list[str]:
    """Lines of ``path`` with the number 90 next to the word inactivity (code, not text)."""
    src = path.read_text(encoding="utf-8")
    found = set()
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        line = tok.line
        number = tok.type == tokenize.NUMBER and tok.string == "90"
        if (number and re.search("inactiv", line, re.IGNORECASE)) or (
            tok.type == tokenize.NAME and re.match(r"\s*DEFAULT_INACTIVITY_DAYS\s*=", line)
        ):
            found.add(f"{path.relative_to(ROOT)}: {line.strip()}")
    return sorted(found)


def test_the_default_inactivity_window_is_written_once():
    files = sorted((ROOT / "churn").rglob("*.py")) + sorted((ROOT / "ui").rglob("*.py"))
    assert len(files) > 20
    own = ROOT / "churn" / "settings.py"
    others = [hit for path in files if path != own for hit in _inactivity_90s(path)]
    assert others == [], "\n".join(others)
    assert _inactivity_90s(own) == ["churn/settings.py: DEFAULT_INACTIVITY_DAYS = 90"]


# ----------------------------------------------------------------------------- a model
def test_the_table_and_the_model_keep_the_settings(logs, trained60):
    assert trained60.settings == IntakeSettings(ROLES, inactivity_days=60)
    assert trained60.intake_settings() is trained60.settings
    table = build_customer_table(logs[0], ROLES, snapshot=dt.date(2024, 6, 1))
    assert table.settings == IntakeSettings(ROLES, snapshot="2024-06-01")


def test_a_new_file_is_cut_with_the_models_window_and_no_note(logs, trained60):
    new = logs[1]
    scored = M.score_new_file(trained60, new)
    expected = risks_cut_at(trained60, new, 60)
    np.testing.assert_array_equal(scored["risk"].to_numpy(), expected)
    assert not np.allclose(expected, risks_cut_at(trained60, new, 90))  # 90 would differ
    assert scored.attrs["notes"] == []
    assert scored.attrs["settings"]["inactivity_days"] == 60
    same = M.score_new_file(trained60, new, settings=IntakeSettings(ROLES, inactivity_days=60))
    assert same.attrs["notes"] == []


def test_other_settings_are_used_and_said(logs, trained60):
    new = logs[1]
    scored = M.score_new_file(trained60, new, inactivity_days=30)
    np.testing.assert_array_equal(scored["risk"].to_numpy(), risks_cut_at(trained60, new, 30))
    (note,) = scored.attrs["notes"]
    assert "other settings than the model was trained with" in note
    assert "inactivity window 30 days (trained: 60 days)" in note
    assert "비활동 기준 30일(학습 시: 60일)" in localize(note, "ko")

    other = IntakeSettings(ROLES.with_(dayfirst=False), snapshot="2024-05-31", inactivity_days=60)
    (note,) = M.score_new_file(trained60, new, settings=other).attrs["notes"]
    assert "column roles (dayfirst)" in note
    assert "snapshot 2024-05-31 (trained: the latest date in the file)" in note
    assert "inactivity" not in note


def test_the_window_is_not_compared_when_no_side_is_an_event_log():
    a = IntakeSettings(ColumnRoles(id="c", label="churn"), inactivity_days=60)
    assert difference_note(a, a.with_(inactivity_days=30)) is None
    assert a.with_(inactivity_days=30).differences(a) == ()
    assert a.with_(sheet="Other").differences(a) == ()  # where the data sits, not churn


def test_save_and_load_keep_the_settings(tmp_path, trained60):
    path = M.save_model(trained60, tmp_path / "m.skops")
    back = M.load_model(path)
    assert back.settings == trained60.settings
    assert back.roles == trained60.roles


def _without_settings(src: Path, dst: Path) -> Path:
    """``src`` rewritten as a model file from before models kept their settings."""
    import skops.io as sio

    obj = sio.load(src, trusted=sio.get_untrusted_types(file=src))
    meta = json.loads(obj["churnlens"])
    del meta["settings"]
    sio.dump({"churnlens": json.dumps(meta), "pipeline": obj["pipeline"]}, dst)
    return dst


def test_an_old_model_file_loads_and_scores_as_before(tmp_path, logs, trained60):
    saved = M.save_model(trained60, tmp_path / "m.skops")
    old = M.load_model(_without_settings(saved, tmp_path / "old.skops"))
    assert old.settings is None
    assert old.intake_settings() == IntakeSettings(ROLES)  # its roles, default window
    scored = M.score_new_file(old, logs[1])
    np.testing.assert_array_equal(scored["risk"].to_numpy(), risks_cut_at(old, logs[1], 90))
    assert scored.attrs["notes"] == []  # it cannot say what it was trained with


# ----------------------------------------------------------------------------- workspaces
def test_a_workspace_stores_and_loads_the_settings_object(tmp_path, trained60):
    store = WorkspaceStore(tmp_path)
    s = IntakeSettings(ROLES, sheet="Orders", snapshot="2024-06-30", inactivity_days=60)
    ws_id = store.create("Shop", file_name="log.xlsx", data=b"bytes", intake=s, model=trained60)
    ws = store.load(ws_id)
    assert ws.intake == s
    assert (ws.sheet, ws.roles, ws.snapshot, ws.inactivity_days) == (
        "Orders",
        ROLES,
        "2024-06-30",
        60,
    )
    assert ws.model.settings == trained60.settings
    store.save(ws_id, intake=s.with_(inactivity_days=45, snapshot=None))
    assert store.load(ws_id).intake == s.with_(inactivity_days=45, snapshot=None)
    store.save(ws_id, intake=None)
    assert store.load(ws_id).intake is None
    with pytest.raises(TypeError):
        store.save(ws_id, intake=s, inactivity_days=30)
    with pytest.raises(TypeError):
        store.create("x", file_name="f.csv", data=b"x", intake=s, roles=ROLES)


#: The workspace table as the first workspaces were written (kept here, frozen).
OLD_SCHEMA = """
CREATE TABLE workspace (
    id TEXT PRIMARY KEY, format INTEGER NOT NULL, name TEXT NOT NULL,
    created TEXT NOT NULL, updated TEXT NOT NULL, file_name TEXT NOT NULL,
    file_bytes BLOB NOT NULL, file_sha256 TEXT NOT NULL, sheet TEXT,
    is_sample INTEGER NOT NULL DEFAULT 0, rows INTEGER, customers INTEGER, roles TEXT,
    intake TEXT NOT NULL, settings TEXT NOT NULL, model BLOB, model_sha256 TEXT,
    model_handle TEXT, model_scores TEXT, scenarios TEXT NOT NULL, notes TEXT NOT NULL
)
"""


def _old_workspace(folder: Path, roles: dict, intake: dict, sheet: str | None) -> str:
    ws_id = new_id()
    data = b"customer,day\nC1,2024-01-01\n"
    con = sqlite3.connect(folder / f"{ws_id}{SUFFIX}")
    con.execute(OLD_SCHEMA)
    con.execute(
        "INSERT INTO workspace (id, format, name, created, updated, file_name, file_bytes, "
        "file_sha256, sheet, roles, intake, settings, scenarios, notes) "
        "VALUES (?, 1, 'old', '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00', "
        "'log.xlsx', ?, ?, ?, ?, ?, '{}', '{}', '')",
        (
            ws_id,
            data,
            hashlib.sha256(data).hexdigest(),
            sheet,
            json.dumps(roles),
            json.dumps(intake),
        ),
    )
    con.commit()
    con.close()
    return ws_id


def test_an_old_format_workspace_still_loads(tmp_path):
    # Roles written before ColumnRoles had ``dayfirst`` and ``personal``.
    roles = {"id": "customer", "event_date": "day", "features": [], "excluded": {}}
    ws_id = _old_workspace(
        tmp_path, roles, {"snapshot": "2024-06-30", "inactivity_days": 60}, "Orders"
    )
    ws = WorkspaceStore(tmp_path).load(ws_id)
    assert ws.intake == IntakeSettings(
        ColumnRoles(id="customer", event_date="day"),
        sheet="Orders",
        snapshot="2024-06-30",
        inactivity_days=60,
    )
    bare = _old_workspace(tmp_path, roles, {}, None)  # no intake settings saved at all
    assert WorkspaceStore(tmp_path).load(bare).intake == IntakeSettings(
        ColumnRoles(id="customer", event_date="day")
    )


# ----------------------------------------------------------------------------- the app
def test_confirmed_is_a_thin_holder_of_the_settings():
    from ui.state import Confirmed

    s = IntakeSettings(ROLES, sheet="Orders", snapshot="2024-06-30", inactivity_days=60)
    conf = Confirmed("abc", s)
    assert conf == Confirmed("abc", "Orders", ROLES, "2024-06-30", 60)  # the older form
    assert conf == Confirmed(content_hash="abc", settings=s)
    assert (conf.sheet, conf.roles, conf.snapshot, conf.inactivity_days) == (
        "Orders",
        ROLES,
        "2024-06-30",
        60,
    )
    assert conf.key == s.key("abc") and conf.content_hash == "abc"
    assert Confirmed("abc", None, ROLES).inactivity_days == DEFAULT_INACTIVITY_DAYS
    with pytest.raises(TypeError):
        Confirmed("abc", s, ROLES)


# ----------------------------------------------------------------------------- the CLI
def test_cli_score_uses_the_models_settings_unless_overridden(tmp_path, logs, capsys):
    from churn.cli import main

    train_csv, new_csv = tmp_path / "train.csv", tmp_path / "new.csv"
    logs[0].to_csv(train_csv, index=False)
    logs[1].to_csv(new_csv, index=False)
    model = tmp_path / "m.skops"
    flags = ["--id", "customer", "--event-date", "day", "--amount", "amount"]
    rc = main(
        ["train", str(train_csv), *flags, "--inactivity-days", "60", "--model", "logistic"]
        + ["--save", str(model)]
    )
    assert rc == 0, capsys.readouterr().err
    trained = M.load_model(model)
    assert trained.settings.inactivity_days == 60
    capsys.readouterr()

    out = tmp_path / "scores.csv"
    assert main(["score", "--model-file", str(model), str(new_csv), "-o", str(out)]) == 0
    assert "note:" not in capsys.readouterr().err
    got = pd.read_csv(out, encoding="utf-8-sig")["risk"].to_numpy()
    np.testing.assert_allclose(got, risks_cut_at(trained, logs[1], 60), rtol=0, atol=1e-12)

    args = ["score", "--model-file", str(model), str(new_csv), "-o", str(out)]
    assert main([*args, "--inactivity-days", "30"]) == 0
    err = capsys.readouterr().err
    assert "note: " in err and "inactivity window 30 days (trained: 60 days)" in err
    got = pd.read_csv(out, encoding="utf-8-sig")["risk"].to_numpy()
    np.testing.assert_allclose(got, risks_cut_at(trained, logs[1], 30), rtol=0, atol=1e-12)
