"""``python -m churn summary`` (in a subprocess) and its reusable role logic."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pytest

from churn.cli import _Parser, add_file_arguments
from churn.cli._common import roles_from_args
from churn.errors import ChurnDataError
from tests.cli.helpers import ROOT, bad, ok, ok_json

#: Every field of ``summary --json``, and of each of its issues.
SUMMARY_FIELDS = {
    "file", "sheet", "shape", "rows", "customers", "labelled", "churned", "active", "too_new",
    "not_labelled", "churn_rate", "churn_rate_definition", "snapshot", "inactivity_days",
    "roles", "churned_values", "active_values", "features", "categorical", "personal",
    "excluded_columns", "issues", "notes",
    "role_reasons", "unclear_label_values", "amount_unit",
}  # fmt: skip
ISSUE_FIELDS = {"severity", "code", "column", "message", "count"}


@pytest.fixture
def small_csv(tmp_path) -> Path:
    p = tmp_path / "customers.csv"
    pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "plan": ["x", "y", "x", "y", "x"],
            "state": ["cancelled", "active", "paused", "active", "cancelled"],
            "monthly_fee": [10, 20, 30, 40, 50],
        }
    ).to_csv(p, index=False)
    return p


def test_summary_json_on_a_small_file(small_csv):
    s = ok_json("summary", small_csv, "--label", "state", "--json")
    assert set(s) == SUMMARY_FIELDS
    assert (s["file"], s["sheet"]) == ("customers.csv", None)
    assert s["shape"] == "customers"
    assert (s["rows"], s["customers"], s["labelled"], s["churned"]) == (5, 5, 4, 2)
    assert (s["active"], s["too_new"]) == (2, 0)
    assert s["churn_rate"] == 0.5
    assert s["churn_rate_definition"] == "churned / labelled customers"
    assert s["roles"] == {"id": "customer_id", "label": "state", "amount": "monthly_fee"}
    assert s["amount_unit"] == "month"
    assert (s["churned_values"], s["active_values"]) == (["cancelled"], ["active"])
    assert s["not_labelled"] == 1
    codes = {i["severity"] + ":" + (i["column"] or "") for i in s["issues"]}
    assert "warning:state" in codes  # 'paused' is neither churned nor active
    assert all(set(i) == ISSUE_FIELDS for i in s["issues"])
    assert isinstance(s["excluded_columns"], dict)


def test_churned_value_flag(small_csv):
    s = ok_json(
        "summary", small_csv, "--label", "state", "--churned-value", "PAUSED",
        "--churned-value", "cancelled", "--json",
    )  # fmt: skip
    assert s["churned"] == 3 and s["labelled"] == 5
    assert s["active_values"] == ["active"]


def test_text_output(small_csv):
    proc = ok("summary", small_csv, "--label", "state")
    assert "churned 2 of 4 labelled (50.0%)" in proc.stdout


def test_missing_file(tmp_path):
    line = bad("summary", tmp_path / "nope.csv")
    assert "nope.csv" in line and "not found" in line


def test_empty_file(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    assert "empty" in bad("summary", p)


def test_wrong_column(small_csv):
    line = bad("summary", small_csv, "--label", "Churn")
    assert line.startswith("error: column 'Churn' not found; columns are: customer_id, plan")


def test_wrong_churned_value(small_csv):
    assert "value 'gone' not found in column 'state'" in bad(
        "summary", small_csv, "--label", "state", "--churned-value", "gone"
    )


def test_no_label_and_no_dates(tmp_path):
    p = tmp_path / "x.csv"
    pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}).to_csv(p, index=False)
    assert "choose the churn column" in bad("summary", p)


def _args(*argv: str) -> argparse.Namespace:
    p = _Parser(prog="summary")
    add_file_arguments(p)
    return p.parse_args(["file.csv", *argv])


def test_roles_from_args_overrides_the_proposal():
    df = pd.DataFrame(
        {
            "id": range(6),
            "joined": ["2024-01-01"] * 6,
            "left": ["2024-02-01", None] * 3,
            "order_date": ["2024-01-05"] * 6,
            "Churn": ["Yes", "No"] * 3,
            "plan": ["a", "b", "c"] * 2,
        }
    )
    r = roles_from_args(df, _args())
    assert r.label == "Churn" and r.start == "joined"
    r = roles_from_args(df, _args("--label", "plan", "--churned-value", "a"))
    assert r.label == "plan" and r.churned_values == ("a",) and r.active_values == ("b", "c")
    assert "plan" not in r.features and dict(r.excluded)["Churn"].startswith("was proposed")
    r = roles_from_args(df, _args("--event-date", "order_date"))
    assert r.shape == "events"
    r = roles_from_args(df, _args("--dayfirst", "yes", "--tenure", "plan"))
    assert r.dayfirst is True and r.tenure == "plan"
    with pytest.raises(ChurnDataError, match="column 'nope' not found; columns are: id, joined"):
        roles_from_args(df, _args("--start", "nope"))


def test_telco(shared_data):
    s = ok_json("summary", shared_data / "telco_customer_churn.csv", "--json")
    assert s["shape"] == "customers"
    assert (s["rows"], s["customers"], s["churned"]) == (7043, 7043, 1869)
    assert s["churn_rate"] == pytest.approx(1869 / 7043)
    assert s["roles"]["id"] == "customerID" and s["roles"]["label"] == "Churn"
    assert s["churned_values"] == ["Yes"]


def test_cdnow(shared_data):
    s = ok_json(
        "summary",
        shared_data / "cdnow_transactions.csv",
        "--inactivity-days",
        "180",
        "--snapshot",
        "1998-06-30",
        "--json",
    )
    assert s["shape"] == "events"
    assert (s["rows"], s["customers"], s["churned"]) == (69659, 23570, 18196)
    assert s["too_new"] == 0 and s["snapshot"] == "1998-06-30" and s["inactivity_days"] == 180
    assert s["excluded_columns"]["recency_days"] == "describes the churn window (leakage)"


SAMPLES = ROOT / "data" / "sample"
SAMPLE_FILES = ("subscriptions.csv", "subscriptions_ko.xlsx", "transactions.csv")


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> Path:
    """The app's sample files: data/sample/ when generated, else written by churn.sample."""
    if all((SAMPLES / f).exists() for f in SAMPLE_FILES):
        return SAMPLES
    from churn.sample import write_samples

    folder = tmp_path_factory.mktemp("sample")
    write_samples(folder)
    return folder


def test_sample_subscriptions(samples):
    s = ok_json("summary", samples / "subscriptions.csv", "--json")
    assert s["shape"] == "subscriptions"
    assert s["roles"]["id"] == "customer_id"
    assert s["roles"]["start"] == "signup_date" and s["roles"]["end"] == "cancel_date"
    assert s["roles"]["label"] == "churned" and s["churned_values"] == ["Yes"]
    assert s["roles"]["name"] == "name" and s["roles"]["email"] == "email"
    assert s["roles"]["amount"] == "monthly_fee" and s["roles"]["reason"] == "churn_reason"
    for col in ("churn_reason", "name", "email", "signup_date", "cancel_date", "churned"):
        assert col not in s["features"]
    assert {"plan", "support_tickets_90d", "nps"} <= set(s["features"])
    assert not [i for i in s["issues"] if i["severity"] == "error"]


def test_sample_korean_workbook(samples):
    s = ok_json("summary", samples / "subscriptions_ko.xlsx", "--json")
    en = ok_json("summary", samples / "subscriptions.csv", "--json")
    assert s["shape"] == "subscriptions"
    assert s["roles"]["id"] == "고객ID" and s["roles"]["label"] == "이탈여부"
    assert s["roles"]["start"] == "가입일" and s["roles"]["end"] == "해지일"
    assert (s["churned_values"], s["active_values"]) == (["이탈"], ["유지"])
    assert s["roles"]["name"] == "이름" and s["roles"]["email"] == "이메일"
    # the Korean copy holds the same customers
    assert (s["customers"], s["churned"]) == (en["customers"], en["churned"])
    assert len(s["features"]) == len(en["features"])


def test_sample_transactions(samples):
    s = ok_json("summary", samples / "transactions.csv", "--json")
    assert s["shape"] == "events"
    assert s["roles"] == {"id": "customer_id", "event_date": "order_date", "amount": "amount"}
    assert "top_category" in s["features"]
    assert s["inactivity_days"] == 90
    assert s["customers"] == s["labelled"] + s["too_new"]


def test_korean_cp949_csv(tmp_path):
    p = tmp_path / "고객.csv"
    df = pd.DataFrame(
        {
            "회원번호": [f"M{i:03d}" for i in range(8)],
            "가입일": ["2024.01.05", "2024.02.01", "2024.03.10", "2024.01.20"] * 2,
            "요금제": ["베이직", "프리미엄"] * 4,
            "월요금": [9900, 19900] * 4,
            "이탈여부": ["이탈", "유지", "유지", "유지"] * 2,
        }
    )
    p.write_bytes(df.to_csv(index=False).encode("cp949"))
    s = ok_json("summary", p, "--json")
    assert s["shape"] == "customers"
    assert s["roles"]["id"] == "회원번호" and s["roles"]["label"] == "이탈여부"
    assert (s["churned_values"], s["active_values"]) == (["이탈"], ["유지"])
    assert (s["customers"], s["churned"]) == (8, 2)
    assert s["snapshot"] == "2024-03-10"  # the latest start date
