"""Real exports that used to take the server down or were read wrong without a word.

- hashed e-mails (MD5 hex digests) that a number parser reads as 85 x 10^6677458279;
- a UTF-8 file with some lines in CP949;
- a file in which every customer churned, or none did.

Each goes through the library and the command line in a subprocess, so a native crash
shows as a negative exit code instead of killing the test run.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.io import read_table
from churn.roles import infer_roles
from churn.shapes import build_customer_table
from tests.cli.helpers import run_cli
from tests.hostile import NASTY_DIGESTS

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "subscriptions.csv"

NASTY = NASTY_DIGESTS  # the digest from the bug report, and all-digit ones around an 'e'


@pytest.fixture(scope="module")
def hashed_csv(tmp_path_factory) -> Path:
    df = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    digests = [hashlib.md5(e.encode()).hexdigest() for e in df["email"]]
    digests[: len(NASTY)] = NASTY
    df.insert(1, "email_md5", digests)
    df["name_sha1"] = [hashlib.sha1(n.encode()).hexdigest() for n in df["name"]]
    df = df.drop(columns=["email", "name"])
    path = tmp_path_factory.mktemp("hashed") / "crm_export_hashed.csv"
    df.to_csv(path, index=False)
    return path


def test_hex_digests_stay_text_through_reading_roles_and_the_table(hashed_csv):
    res = read_table(hashed_csv)
    f = res.frame
    assert f["email_md5"].tolist()[: len(NASTY)] == NASTY  # text, byte for byte
    assert not pd.api.types.is_numeric_dtype(f["email_md5"])
    roles = infer_roles(f)
    assert roles.id == "customer_id"
    assert "email_md5" not in roles.features and "name_sha1" not in roles.features
    table = build_customer_table(f, roles)
    assert len(table.frame) == len(f)
    assert int(table.frame["churned"].sum()) == int((f["churned"] == "Yes").sum())


@pytest.mark.slow  # eleven CLI runs in subprocesses
def test_hex_digest_column_through_every_command(hashed_csv, tmp_path):
    # summary, train (saved), score, at-risk (CSV and XLSX), explain, segments by the
    # digest column, report (HTML and XLSX): each exits 0, nothing crashes natively.
    proc = run_cli("summary", hashed_csv, "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["customers"] == len(pd.read_csv(hashed_csv))
    model = tmp_path / "m.skops"
    proc = run_cli("train", hashed_csv, "--save", model, "--json")
    assert proc.returncode == 0, proc.stderr
    trained = json.loads(proc.stdout)
    assert trained["metrics"]["roc_auc"] > 0.6
    for out in (tmp_path / "scores.csv", tmp_path / "scores.xlsx"):
        proc = run_cli("score", hashed_csv, "--model-file", model, "-o", out)
        assert proc.returncode == 0, proc.stderr
    scored = pd.read_csv(tmp_path / "scores.csv", dtype=str)
    assert len(scored) > 0
    for out in (tmp_path / "risk.csv", tmp_path / "risk.xlsx"):
        proc = run_cli("at-risk", hashed_csv, "--model-file", model, "--top", "50", "-o", out)
        assert proc.returncode == 0, proc.stderr
    risk = pd.read_csv(tmp_path / "risk.csv", dtype=str)
    assert len(risk) == 50
    first = risk["customer_id"].iloc[0]
    proc = run_cli("explain", hashed_csv, "--model-file", model, "--customer", first, "--json")
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("segments", hashed_csv, "--by", "plan", "--json")
    assert proc.returncode == 0, proc.stderr
    for out in (tmp_path / "r.html", tmp_path / "r.xlsx"):
        proc = run_cli("report", hashed_csv, "-o", out)
        assert proc.returncode == 0, proc.stderr
        assert out.stat().st_size > 1000


# ------------------------------------------------------------------------------------
# Mixed encodings
# ------------------------------------------------------------------------------------


def _mixed_bytes() -> bytes:
    rows = ["고객번호,지역,요금,이탈"] + [
        f"C{i:03d},{'서울' if i % 2 else '부산'},{1000 + i},{'Y' if i % 3 == 0 else 'N'}"
        for i in range(30)
    ]
    head = "\n".join(rows[:21]).encode("utf-8")
    tail = "\n".join(rows[21:]).encode("cp949")  # 10 lines saved by another program
    return head + b"\n" + tail + b"\n"


def test_mixed_utf8_and_cp949_lines_read_clean_with_a_note():
    res = read_table(_mixed_bytes(), name="mixed.csv")
    f = res.frame
    assert list(f.columns) == ["고객번호", "지역", "요금", "이탈"]
    assert sorted(f["지역"].unique()) == ["부산", "서울"]  # no garbled value
    assert len(f) == 30 and f["요금"].tolist() == [1000 + i for i in range(30)]
    assert res.encoding == "utf-8+cp949"
    (note,) = [n for n in res.notes if "mixes encodings" in n]
    assert "10 of 31 lines" in note and "CP949 (Korean)" in note and "lines 22, 23" in note


def test_mixed_utf8_and_windows_1252_lines():
    rows = ["id,city,churned"] + [f"{i},Zürich,no" for i in range(5)]
    data = "\n".join(rows).encode("utf-8") + "\n6,Genève,yes\n7,Köln,no\n".encode("cp1252")
    res = read_table(data, name="w.csv")
    assert res.frame["city"].tolist() == ["Zürich"] * 5 + ["Genève", "Köln"]
    assert any("2 of 8 lines" in n and "Windows-1252" in n for n in res.notes)


def test_a_plain_legacy_file_is_not_called_mixed():
    rows = ["고객번호,지역"] + [f"C{i},서울" for i in range(10)]
    res = read_table("\n".join(rows).encode("cp949"), name="k.csv")
    assert res.encoding == "cp949" and not any("mixes" in n for n in res.notes)
    assert res.frame["지역"].tolist() == ["서울"] * 10


def test_mixed_encoding_note_in_korean():
    from churn.text import localize

    res = read_table(_mixed_bytes(), name="mixed.csv")
    (note,) = [n for n in res.notes if "mixes encodings" in n]
    ko = localize(note.text, "ko")
    assert "인코딩이 섞여" in ko and "10줄" in ko


# ------------------------------------------------------------------------------------
# All churned, none churned
# ------------------------------------------------------------------------------------


def _one_class(value: str, n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame(
        {
            "customer_id": [f"K{i:03d}" for i in range(n)],
            "plan": rng.choice(["Basic", "Pro"], n),
            "monthly_fee": rng.integers(10, 50, n),
            "tenure_months": rng.integers(1, 40, n),
            "Churn": [value] * n,
        }
    )


@pytest.mark.parametrize(("value", "rate", "words"), [("Yes", 1.0, "100 %"), ("No", 0.0, "0 %")])
def test_all_or_none_churned_is_summarised_with_a_note(value, rate, words):
    df = _one_class(value)
    roles = infer_roles(df)
    assert roles.label == "Churn"
    table = build_customer_table(df, roles)
    labelled = table.frame["churned"].notna()
    assert int(labelled.sum()) == 40
    assert table.frame.loc[labelled, "churned"].mean() == rate
    assert any(words in n and "'Churn'" in n for n in table.notes)
    # one class: nothing is a leakage suspect (every level is "all churned")
    assert not any("leakage" in str(why) for _, why in roles.excluded)


@pytest.mark.parametrize(("value", "rate"), [("Yes", "100.0%"), ("No", "0.0%")])
def test_cli_summary_of_a_one_class_file(tmp_path, value, rate):
    path = tmp_path / "one.csv"
    _one_class(value).to_csv(path, index=False)
    proc = run_cli("summary", path)
    assert proc.returncode == 0, proc.stderr
    assert f"churned {40 if value == 'Yes' else 0} of 40 labelled ({rate})" in proc.stdout
    assert "a model needs" in proc.stdout
    # training is the one place that needs both kinds: a clear error, exit 2
    proc = run_cli("train", path)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), proc.stderr
