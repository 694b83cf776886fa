"""``python -m churn explain``: one customer's risk, every column's contribution, an action.

K005 of tests.cli.helpers.customers_frame is on Basic (like 60 of the 120 customers), pays
14 (90 customers pay more: Basic 16..20 and every Premium fee) and has 4 tickets (60
customers have 5..9).
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.cli.helpers import bad, customers_frame, ok, ok_json

EXPLAIN_FIELDS = ["customer", "risk", "base_risk", "reasons", "action"]
REASON_FIELDS = ["feature", "value", "contribution", "text"]


@pytest.fixture(scope="module")
def k005(customers_csv, model_file) -> dict:
    return ok_json(
        "explain", customers_csv, "--model-file", model_file, "--customer", "K005", "--json"
    )


def test_fields_and_the_sum(k005):
    assert list(k005) == EXPLAIN_FIELDS
    assert all(list(r) == REASON_FIELDS for r in k005["reasons"])
    assert k005["customer"] == "K005"
    contrib = [r["contribution"] for r in k005["reasons"]]
    assert k005["base_risk"] + sum(contrib) == pytest.approx(k005["risk"], abs=1e-9)
    assert sorted(map(abs, contrib), reverse=True) == [abs(c) for c in contrib]
    assert k005["action"]


def test_reasons_name_the_values_and_shares_by_hand(k005):
    reasons = {r["feature"]: r for r in k005["reasons"]}
    assert set(reasons) == {"plan", "fee", "tickets"}
    assert (reasons["plan"]["value"], reasons["fee"]["value"], reasons["tickets"]["value"]) == (
        "Basic", 14, 4,
    )  # fmt: skip
    assert reasons["plan"]["text"].startswith("plan is Basic, like 50 % of customers: ")
    assert reasons["fee"]["text"].startswith("fee is 14, lower than 75 % of customers: ")
    assert reasons["tickets"]["text"].startswith("tickets is 4, lower than 50 % of customers: ")
    for r in k005["reasons"]:
        assert r["text"].endswith(f"{r['contribution'] * 100:+.1f} points of risk")


def test_the_risk_is_the_score(k005, customers_csv, model_file, tmp_path):
    out = tmp_path / "scores.csv"
    ok("score", customers_csv, "--model-file", model_file, "-o", out)
    scores = pd.read_csv(out, encoding="utf-8-sig").set_index("customer_id")["risk"]
    assert k005["risk"] == pytest.approx(scores["K005"], abs=1e-12)


def test_text_output(k005, customers_csv, model_file):
    lines = ok("explain", customers_csv, "--model-file", model_file, "--customer", "K005")
    lines = lines.stdout.splitlines()
    assert lines[0] == f"customer K005: risk {k005['risk']:.1%} (base {k005['base_risk']:.1%})"
    assert lines[1:-1] == [f"  {r['text']}" for r in k005["reasons"]]
    assert lines[-1] == f"suggested action: {k005['action']}"


def test_cli_explain_json_adds_up(customers_csv):
    """Without --model-file the default model is trained on the file."""
    out = ok_json("explain", customers_csv, "--customer", "K009", "--json")
    assert out["customer"] == "K009"
    assert set(out) == {"customer", "risk", "base_risk", "reasons", "action"}
    contrib = [r["contribution"] for r in out["reasons"]]
    assert out["base_risk"] + sum(contrib) == pytest.approx(out["risk"], abs=1e-9)
    assert sorted(map(abs, contrib), reverse=True) == [abs(c) for c in contrib]
    assert {r["feature"] for r in out["reasons"]} == {"plan", "fee", "tickets"}
    assert all(r["text"] for r in out["reasons"]) and out["action"]


def test_cli_unknown_customer_exits_2(customers_csv, model_file):
    line = bad("explain", customers_csv, "--model-file", model_file, "--customer", "NOPE")
    assert line.startswith("error: Column 'customer_id': there is no customer 'NOPE'.")


def test_a_file_without_a_model_column_is_one_error_line(model_file, tmp_path):
    path = tmp_path / "no_tickets.csv"
    customers_frame().drop(columns=["tickets"]).to_csv(path, index=False)
    line = bad("explain", path, "--model-file", model_file, "--customer", "K005")
    assert line.startswith(
        "error: the model needs column 'tickets', which this file does not have."
    )
