"""``python -m churn at-risk``: the active customers most at risk, with reasons and actions."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.cli.helpers import bad, customers_frame, ok

AT_RISK_COLUMNS = [
    "risk_rank", "customer_id", "name", "email", "plan", "risk", "value", "value_at_risk",
    "reason_1", "reason_2", "reason_3", "action", "because",
]  # fmt: skip


def read_list(path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)


@pytest.fixture(scope="module")
def full_list(customers_csv, model_file, tmp_path_factory) -> pd.DataFrame:
    """``--top 100`` of 72 active customers: every one of them."""
    out = tmp_path_factory.mktemp("at_risk") / "risk.csv"
    proc = ok("at-risk", customers_csv, "--model-file", model_file, "--top", "100", "-o", out)
    expected = f"listed 72 active customers at risk (Logistic regression); wrote {out}\n"
    assert proc.stdout == expected
    return read_list(out)


def test_every_active_customer_and_no_churned_one(full_list):
    frame = customers_frame()
    active = frame.loc[frame["churned"] == "No"]
    assert len(active) == 72  # 48 of the 120 churned (see customers_frame)
    assert list(full_list.columns) == AT_RISK_COLUMNS
    assert sorted(full_list["customer_id"]) == sorted(active["customer_id"])
    assert full_list["risk_rank"].tolist() == list(range(1, 73))
    assert full_list["risk"].is_monotonic_decreasing
    # the value is the customer's fee (the amount column); value at risk = risk x value
    fee = frame.set_index("customer_id")["fee"]
    assert full_list["value"].tolist() == fee[full_list["customer_id"]].astype(float).tolist()
    assert full_list["value_at_risk"].tolist() == pytest.approx(
        (full_list["risk"] * full_list["value"]).tolist(), rel=1e-12
    )
    # names and e-mails come from the file; every row has an action
    k = full_list.set_index("customer_id")
    assert (k.loc["K005", "name"], k.loc["K005", "email"]) == ("Customer 5", "k5@example.com")
    assert (full_list["action"] != "").all()
    # reasons are what raises the risk (a customer safer than most may have none)
    assert full_list["reason_1"].iloc[0].startswith("tickets is ")
    given = [r for k in (1, 2, 3) for r in full_list[f"reason_{k}"] if r]
    assert all(r.split()[0] in {"plan", "fee", "tickets"} for r in given)
    assert all(" +" in r and r.endswith(" points of risk") for r in given)
    assert set(full_list["because"]) <= {"plan", "fee", "tickets", ""}


def test_top_by_value_at_risk_as_xlsx(customers_csv, model_file, full_list, tmp_path):
    out = tmp_path / "risk.xlsx"
    ok("at-risk", customers_csv, "--model-file", model_file, "--top", "5",
       "--sort", "value_at_risk", "-o", out)  # fmt: skip
    got = pd.read_excel(out, engine="openpyxl")
    assert list(got.columns) == AT_RISK_COLUMNS and len(got) == 5
    want = full_list.sort_values("value_at_risk", ascending=False, kind="stable").head(5)
    assert got["value_at_risk"].tolist() == pytest.approx(want["value_at_risk"].tolist())
    assert got["risk_rank"].tolist() == [1, 2, 3, 4, 5]


def test_cli_at_risk_writes_the_list(customers_csv, tmp_path):
    """Without --model-file the default model is trained on the file."""
    out = tmp_path / "risk.csv"
    proc = ok("at-risk", customers_csv, "--top", "7", "-o", out)
    assert proc.stdout.startswith("listed 7 active customers at risk (LightGBM")
    back = read_list(out)
    assert len(back) == 7 and back["risk"].is_monotonic_decreasing
    assert {"customer_id", "name", "email", "reason_1", "action"} <= set(back.columns)
    line = bad("at-risk", customers_csv, "-o", tmp_path / "risk.pdf")
    assert line.startswith("error: cannot write 'risk.pdf': unknown file type.")


def test_top_below_one_is_one_error_line(customers_csv, model_file, tmp_path):
    line = bad("at-risk", customers_csv, "--model-file", model_file, "--top", "0",
               "-o", tmp_path / "r.csv")  # fmt: skip
    assert line == "error: --top must be at least 1. Fix: give a positive number."
