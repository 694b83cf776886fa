"""``python -m churn score``: a risk for every customer of a file, from a saved model."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.cli.helpers import bad, customers_frame, ok

SCORE_COLUMNS = ["customer_id", "risk", "risk_rank"]


def read_scores(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", dtype={"customer_id": str})


@pytest.fixture(scope="module")
def scores(customers_csv, model_file, tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("scores") / "scores.csv"
    proc = ok("score", customers_csv, "--model-file", model_file, "-o", out)
    assert proc.stdout == f"scored 120 customers with Logistic regression; wrote {out}\n"
    return read_scores(out)


def test_every_customer_once_in_file_order(scores):
    assert list(scores.columns) == SCORE_COLUMNS
    assert scores["customer_id"].tolist() == [f"K{i:03d}" for i in range(1, 121)]
    assert scores["risk"].between(0, 1, inclusive="neither").all()
    # rank 1 is the riskiest; every rank from 1 to 120 once
    assert sorted(scores["risk_rank"]) == list(range(1, 121))
    assert scores.sort_values("risk_rank")["risk"].is_monotonic_decreasing
    # rows i and i + 60 of the file have the same plan, fee and tickets: the same risk
    assert scores["risk"].iloc[:60].tolist() == scores["risk"].iloc[60:].tolist()
    # more tickets, more risk: K001 (Basic, 0 tickets) and K009 (Basic, 8 tickets)
    by_id = scores.set_index("customer_id")["risk"]
    assert by_id["K001"] < by_id["K009"]


def test_a_new_file_without_the_label_is_scored_the_same(scores, model_file, tmp_path):
    new = customers_frame().drop(columns=["churned"]).iloc[[0, 4, 9]]
    path = tmp_path / "new.csv"
    new.to_csv(path, index=False)
    out = tmp_path / "new_scores.xlsx"
    ok("score", path, "--model-file", model_file, "-o", out)
    got = pd.read_excel(out, dtype={"customer_id": str}, engine="openpyxl")
    assert list(got.columns) == SCORE_COLUMNS
    assert got["customer_id"].tolist() == ["K001", "K005", "K010"]
    want = scores.set_index("customer_id").loc[["K001", "K005", "K010"], "risk"]
    assert got["risk"].tolist() == pytest.approx(want.tolist(), abs=1e-12)
    assert sorted(got["risk_rank"]) == [1, 2, 3]


def test_cli_score_refuses_a_foreign_model_file(tmp_path, customers_csv):
    foreign = tmp_path / "bad.skops"
    foreign.write_bytes(b"PK\x03\x04 not really")
    line = bad("score", "--model-file", foreign, customers_csv, "-o", tmp_path / "o.csv")
    assert "not a ChurnLens model" in line


def test_unknown_output_type_is_one_error_line(tmp_path, customers_csv, model_file):
    line = bad("score", customers_csv, "--model-file", model_file, "-o", tmp_path / "o.pdf")
    assert line.startswith("error: cannot write 'o.pdf': unknown file type.")


def test_model_file_is_required(tmp_path, customers_csv):
    line = bad("score", customers_csv, "-o", tmp_path / "o.csv")
    assert line.startswith("error: the following arguments are required: --model-file")
