"""``python -m churn compare OLD NEW``: moves, the old list's outcome, the campaign effect."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import ROOT, bad, ok, ok_json

SAMPLE = ROOT / "data" / "sample"

OLD = pd.DataFrame(
    {
        "id": list("ABCDEFG"),
        "churned": ["No", "No", "No", "No", "Yes", "No", "No"],
        "fee": [100, 200, 300, 50, 70, 80, 500],
        "score": [10, 60, 30, 15, 90, 45, 70],
    }
)
NEW = pd.DataFrame(
    {
        "id": list("ABDEFGHI"),
        "churned": ["No", "Yes", "No", "Yes", "No", "No", "No", "Yes"],
        "fee": [100, 200, 50, 70, 80, 500, 60, 90],
        "score": [55, 99, 10, 90, 80, 20, 5, 90],
    }
)
FLAGS = ("--id", "id", "--label", "churned", "--amount", "fee", "--risk-column", "score")


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("compare")
    old, new, contacted = folder / "oct.csv", folder / "nov.csv", folder / "list.csv"
    OLD.to_csv(old, index=False)
    NEW.to_csv(new, index=False)
    pd.DataFrame({"customer_id": ["B", "G", "C"], "hold_out": ["no", "yes", "no"]}).to_csv(
        contacted, index=False
    )
    return old, new, contacted


def test_small_snapshots_as_json(files):
    old, new, contacted = files
    out = ok_json("compare", old, new, *FLAGS, "--contacted", contacted, "--json")
    assert out["counts"]["stayed"] == 4 and out["counts"]["left"] == 2
    assert out["counts"]["left_missing"] == 1 and out["counts"]["new"] == 1
    assert out["risk_source"] == "column" and out["model"] is None
    assert [m["customer_id"] for m in out["moved_into_high"]] == ["A", "F"]
    assert out["moved_into_high_count"] == 2
    moves = {(t["from"], t["to"]): t["n"] for t in out["transitions"]}
    assert moves[("low", "high")] == 1 and moves[("high", "left")] == 1
    # the list: B, G, C (C left the file, B was marked churned)
    lst = out["at_risk_list"]
    assert (lst["listed"], lst["hits"], lst["precision"], lst["recall"]) == (3, 2, 2 / 3, 1.0)
    assert lst["hold_out"]["listed"] == 1 and lst["hold_out"]["hits"] == 0
    camp = out["campaign"]
    assert camp["verdict"] == "too_small" and camp["random"] is True
    assert out["columns"] == {"added": [], "removed": []}
    assert out["top_value"][0]["then_id"] == "G"


def test_text_output_in_process(files, capsys):
    from churn.cli import main

    old, new, _ = files
    assert main(["compare", str(old), str(new), *FLAGS]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith("4 stayed, 2 left (1 no longer in the file), 1 new")
    assert "moved into the high-risk band: 2" in out
    assert "precision 50.0%, recall 50.0% (everyone: 33.3% left)" in out


def test_a_new_file_without_a_role_column_exits_2(files, tmp_path):
    old, _, _ = files
    no_fee = tmp_path / "no_fee.csv"
    NEW.drop(columns=["fee"]).to_csv(no_fee, index=False)
    err = bad("compare", old, no_fee, *FLAGS)
    assert err == (
        "error: the new snapshot has no column 'fee', which the confirmed roles use. "
        "Fix: export the same columns every month, or confirm the roles again."
    )


@pytest.mark.slow  # trains a logistic model on 3,535 customers in a subprocess (~15 s)
def test_the_sample_campaign_helped():
    out = ok_json(
        "compare",
        SAMPLE / "monthly_2025-10.csv",
        SAMPLE / "monthly_2025-11.csv",
        "--contacted",
        SAMPLE / "campaign_2025-10.csv",
        "--model",
        "logistic",
        "--no-reasons",
        "--json",
    )
    assert out["model"] == "Logistic regression"
    camp = out["campaign"]
    assert camp["verdict"] == "helped" and camp["low"] > 0
    assert camp["sentences"][1].startswith("Contacting kept about ")
    assert out["at_risk_list"]["listed"] == 800


def test_at_risk_export_marks_a_seeded_hold_out(customers_csv, model_file, tmp_path):
    out = tmp_path / "list.csv"
    ok(
        "at-risk", customers_csv, "--model-file", model_file, "--top", "40",
        "--hold-out", "--seed", "2", "-o", out,
    )  # fmt: skip
    listed = pd.read_csv(out, keep_default_na=False)
    assert listed.columns[-1] == "hold_out"
    assert (listed["hold_out"] == "yes").sum() == 4  # the default 10 % of 40
    assert set(listed["hold_out"]) == {"yes", "no"}
