"""Tests for churn.validate: each issue code fires when it should, and only then."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.roles import ColumnRoles, infer_roles
from churn.shapes import build_customer_table
from churn.validate import validate


def codes(issues, column=None):
    return {i.code for i in issues if column is None or i.column == column}


def by_code(issues, code):
    return [i for i in issues if i.code == code]


@pytest.fixture
def clean() -> pd.DataFrame:
    """120 customers, 30 churned, nothing wrong."""
    n = 120
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {
            "id": [f"c{i}" for i in range(n)],
            "plan": rng.choice(["basic", "pro", "max"], n),
            "tickets": rng.integers(0, 6, n),
            "churn": ["Yes"] * 30 + ["No"] * 90,
        }
    )


def roles_for(df: pd.DataFrame) -> ColumnRoles:
    return infer_roles(df)


def test_clean_file_has_no_issues(clean):
    assert validate(clean, roles_for(clean)) == []


def test_duplicate_ids_and_conflicting_labels(clean):
    df = pd.concat([clean, clean.iloc[[0, 40]].assign(churn=["No", "No"])], ignore_index=True)
    roles = roles_for(clean)
    issues = validate(df, roles)
    dup = by_code(issues, "duplicate_ids")[0]
    assert (dup.severity, dup.column, dup.count) == ("warning", "id", 2)
    conf = by_code(issues, "conflicting_labels")[0]
    assert conf.count == 1  # c0 is Yes and No; c40 is No twice
    assert conf.severity == "error"
    # same ids, same labels: duplicates but no conflict
    same = pd.concat([clean, clean.iloc[[40]]], ignore_index=True)
    assert "conflicting_labels" not in codes(validate(same, roles))
    assert "duplicate_ids" in codes(validate(same, roles))


def test_missing_values_share_and_severity(clean):
    df = clean.copy()
    df.loc[:29, "tickets"] = np.nan  # 30 of 120 = 25 %
    df.loc[:2, "plan"] = None  # 3 of 120
    issues = validate(df, roles_for(clean))
    miss = {i.column: i for i in by_code(issues, "missing_values")}
    assert miss["tickets"].severity == "warning" and miss["tickets"].count == 30
    assert "25.0%" in miss["tickets"].message
    assert miss["plan"].severity == "info" and miss["plan"].count == 3


def test_empty_end_date_is_not_a_missing_value():
    df = pd.DataFrame(
        {"id": range(4), "start": ["2024-01-01"] * 4, "end": [None, "2024-02-01", None, None]}
    )
    roles = ColumnRoles(id="id", start="start", end="end")
    assert "missing_values" not in codes(validate(df, roles))


def test_constant_and_id_like_columns(clean):
    df = clean.assign(country="KR", ref=[f"R-{i:05d}" for i in range(len(clean))])
    issues = validate(df, roles_for(clean))
    assert "constant_column" in codes(issues, "country")
    assert "id_like_column" in codes(issues, "ref")
    assert by_code(issues, "id_like_column")[0].severity == "info"  # not a feature
    # when the user keeps it as a feature it is a warning
    roles = roles_for(clean).with_(features=("plan", "tickets", "ref"))
    issue = by_code(validate(df, roles), "id_like_column")[0]
    assert issue.severity == "warning"


def test_personal_columns(clean):
    df = clean.assign(email=[f"u{i}@x.com" for i in range(len(clean))])
    roles = infer_roles(df)
    issue = by_code(validate(df, roles), "personal_column")[0]
    assert (issue.column, issue.severity) == ("email", "info")
    leaky = roles.with_(features=(*roles.features, "email"))
    assert by_code(validate(df, leaky), "personal_column")[0].severity == "warning"


def test_leakage_name_and_separation(clean):
    df = clean.assign(
        cancel_code=np.where(clean["churn"] == "Yes", "A", "B"),
        days_idle=np.where(clean["churn"] == "Yes", 200, 10) + np.arange(len(clean)) % 5,
    )
    roles = infer_roles(df)
    issues = validate(df, roles)
    assert "leakage_name" in codes(issues, "cancel_code")
    sep = by_code(issues, "leakage_separates")
    # both separate the label perfectly: the proposal left both out on that evidence
    assert [i.column for i in sep] == ["cancel_code", "days_idle"]
    assert {i.severity for i in sep} == {"info"}  # already left out by the proposal
    forced = roles.with_(features=(*roles.features, "days_idle", "cancel_code"))
    issues = validate(df, forced)
    assert by_code(issues, "leakage_name")[0].severity == "warning"
    assert {i.column for i in by_code(issues, "leakage_separates") if i.severity == "warning"} == {
        "days_idle",
        "cancel_code",
    }
    assert "leakage_separates" not in codes(validate(clean, roles_for(clean)))


def test_too_few_rows_and_churned(clean):
    small = clean.iloc[list(range(10)) + list(range(30, 50))]
    issues = validate(small, roles_for(clean))
    rows = by_code(issues, "too_few_rows")[0]
    assert rows.count == 30
    few = by_code(issues, "too_few_churned")[0]
    assert few.count == 10 and "10 churned and 20 active" in few.message
    assert "too_few_churned" not in codes(validate(clean, roles_for(clean)))


def test_unknown_label_values_and_label_missing(clean):
    df = clean.copy()
    df.loc[50:54, "churn"] = "paused"
    df.loc[55:56, "churn"] = None
    issues = validate(df, roles_for(clean))
    unk = by_code(issues, "unknown_label_values")[0]
    assert unk.count == 5 and "'paused' (5)" in unk.message
    miss = [i for i in by_code(issues, "label_missing") if i.column == "churn"][0]
    assert miss.count == 2


def test_no_label_and_no_dates_is_an_error():
    df = pd.DataFrame({"id": range(5), "x": range(5)})
    issues = validate(df, ColumnRoles(id="id"))
    assert issues[0].severity == "error"
    assert {"label_missing", "build_failed"} <= codes(issues)


def test_date_after_snapshot_and_too_new():
    df = pd.DataFrame(
        {
            "cid": ["a", "a", "b", "c"],
            "day": ["2024-01-01", "2024-06-01", "2024-06-20", "2024-07-15"],
        }
    )
    roles = ColumnRoles(id="cid", event_date="day")
    table = build_customer_table(df, roles, snapshot="2024-06-30", inactivity_days=30)
    issues = validate(df, roles, table)
    after = by_code(issues, "date_after_snapshot")[0]
    assert (after.column, after.count) == ("day", 1)
    new = by_code(issues, "too_new")[0]
    assert new.count == 1  # b; c's only event is after the snapshot
    table2 = build_customer_table(df, roles, inactivity_days=30)
    assert "date_after_snapshot" not in codes(validate(df, roles, table2))


def test_subscription_renewals_are_info_not_warning():
    df = pd.DataFrame(
        {
            "id": ["a", "a", "b"],
            "start": ["2023-01-01", "2024-01-01", "2023-05-01"],
            "end": ["2023-12-31", None, "2024-01-01"],
        }
    )
    issues = validate(df, ColumnRoles(id="id", start="start", end="end"))
    assert by_code(issues, "duplicate_ids")[0].severity == "info"


def test_telco_issues(shared_data):
    from churn.io import read_table

    df = read_table(shared_data / "telco_customer_churn.csv").frame
    issues = validate(df, infer_roles(df))
    assert not [i for i in issues if i.severity in ("error", "warning")]
    miss = by_code(issues, "missing_values")
    assert [(i.column, i.count) for i in miss] == [("TotalCharges", 11)]
