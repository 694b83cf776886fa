"""``python -m churn summary`` says why each role was proposed, which label values are
unclear (with the churn rate each choice gives) and, before anything is relied on, when
nobody counts as churned (issue 17, items 1 and 2)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.cli.helpers import ok, ok_json
from tests.test_roles_evidence import cust_event_log, subscription_export

REASON_FIELDS = {"role", "column", "confidence", "reason"}


@pytest.fixture
def export_csv(tmp_path):
    path = tmp_path / "export.csv"
    subscription_export().to_csv(path, index=False)
    return path


def test_subscription_export_json(export_csv):
    s = ok_json("summary", export_csv, "--json")
    assert s["shape"] == "subscriptions"
    assert s["roles"] == {"id": "id", "label": "status", "start": "created_at", "end": "deleted_at"}
    assert (s["customers"], s["labelled"], s["churned"], s["not_labelled"]) == (40, 32, 8, 8)
    reasons = {r["role"]: r for r in s["role_reasons"]}
    assert set(reasons) == set(s["roles"])
    assert all(set(r) == REASON_FIELDS for r in s["role_reasons"])
    assert reasons["end"] == {
        "role": "end",
        "column": "deleted_at",
        "confidence": "high",
        "reason": "filled for 100.0% of the 8 rows whose 'status' means churned and empty for "
        "the active ones: the date they ended",
    }
    assert s["unclear_label_values"] == [
        {
            "value": "paused",
            "rows": 8,
            "churn_rate_if_churned": 0.4,
            "churn_rate_if_active": 0.2,
            "churn_rate_if_left_out": 0.25,
        }
    ]
    assert "no_churned" not in {i["code"] for i in s["issues"]}


def test_text_output_lists_reasons_and_rates(export_csv):
    out = ok("summary", export_csv).stdout
    assert "  id=id (high): named like a customer id and unique in 100.0% of rows" in out
    assert (
        "unclear label value 'paused' (8 rows): churn rate 40.0% if churned, 20.0% if "
        "active, 25.0% if left out"
    ) in out


def test_a_role_given_by_flag_drops_the_proposal_reason(export_csv):
    s = ok_json("summary", export_csv, "--end", "updated_at", "--json")
    assert s["roles"]["end"] == "updated_at"
    assert "end" not in {r["role"] for r in s["role_reasons"]}
    assert "id" in {r["role"] for r in s["role_reasons"]}


def test_cust_keyed_event_log(tmp_path):
    path = tmp_path / "orders.csv"
    cust_event_log().to_csv(path, index=False)
    s = ok_json("summary", path, "--json")
    assert s["shape"] == "events"
    assert (s["roles"]["id"], s["customers"]) == ("cust", 10)
    assert {r["role"]: r["confidence"] for r in s["role_reasons"]}["id"] == "medium"
    assert s["unclear_label_values"] == []


def test_zero_churned_is_a_warning_in_the_json(tmp_path):
    path = tmp_path / "nobody.csv"
    pd.DataFrame(
        {
            "customer_id": [f"C{i:02d}" for i in range(12)],
            "signup_date": pd.date_range("2024-01-01", periods=12, freq="10D").strftime("%Y-%m-%d"),
            "cancel_date": [""] * 12,
        }
    ).to_csv(path, index=False)
    s = ok_json("summary", path, "--json")
    assert (s["customers"], s["churned"]) == (12, 0)
    found = [i for i in s["issues"] if i["code"] == "no_churned"]
    assert found == [
        {
            "severity": "warning",
            "code": "no_churned",
            "column": "cancel_date",
            "message": "No customer counts as churned: the end date 'cancel_date' is empty on "
            "every row.",
            "count": 0,
        }
    ]
    text = ok("summary", path).stdout
    assert "warning: cancel_date: No customer counts as churned" in text
