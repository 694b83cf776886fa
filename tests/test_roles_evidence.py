"""Roles from evidence (issue 17, items 1 and 2): the end date from its values, the shape
it makes, ids and tenure from short names, a reason and confidence for every proposed
role, the churn rate each choice for an unclear label value gives, and the warnings when a
file with a status, label or end date counts nobody churned.

Every file is generated here; the expected numbers are counted by hand from the
generator (see each docstring).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from churn.io import read_table
from churn.metrics import period_table
from churn.roles import (
    CONFIDENCES,
    SINGLE_ROLES,
    ColumnRoles,
    infer_roles,
    label_choice_rates,
    label_value_counts,
    no_churn_issue,
    reasons_in_use,
    unclear_values,
)
from churn.shapes import build_customer_table
from churn.text import catalogue, localize
from churn.validate import validate


def subscription_export(n: int = 40) -> pd.DataFrame:
    """A subscription export as a billing system writes it.

    Row i (0-based) starts 2022-01-01 + 30 i days. ``status`` is "canceled" when i % 5 == 0
    (8 rows), "paused" when i % 5 == 1 (8 rows), else "active" (24 rows). ``deleted_at`` is
    filled (start + 90 days) only for the cancelled rows; ``updated_at`` and
    ``last_date_purchase`` are filled on every row, active ones too.
    """
    base = pd.Timestamp("2022-01-01")
    rows = []
    for i in range(n):
        created = base + pd.Timedelta(days=30 * i)
        status = "canceled" if i % 5 == 0 else "paused" if i % 5 == 1 else "active"
        deleted = created + pd.Timedelta(days=90)
        rows.append(
            {
                "id": f"S{i + 1:02d}",
                "created_at": created.strftime("%Y-%m-%d"),
                "deleted_at": deleted.strftime("%Y-%m-%d") if status == "canceled" else "",
                "status": status,
                "updated_at": (created + pd.Timedelta(days=10)).strftime("%Y-%m-%d"),
                "last_date_purchase": (created + pd.Timedelta(days=20)).strftime("%Y-%m-%d"),
                "plan": ("basic", "pro")[i % 2],
            }
        )
    return pd.DataFrame(rows)


def _read(df: pd.DataFrame) -> pd.DataFrame:
    """The frame as the app reads it from a CSV (blank cells, text dates)."""
    return read_table(df.to_csv(index=False).encode(), name="file.csv").frame


def _reasons(roles: ColumnRoles) -> dict[str, tuple[str, str, str]]:
    return {r: (c, conf, why) for r, c, conf, why in reasons_in_use(roles)}


# ------------------------------------------------------------------ item 1: shape


def test_subscription_export_ends_on_deleted_at_and_is_subscriptions():
    df = _read(subscription_export())
    roles = infer_roles(df)
    assert (roles.id, roles.start, roles.end) == ("id", "created_at", "deleted_at")
    assert roles.label == "status"
    assert (roles.churned_values, roles.active_values) == (("canceled",), ("active",))
    assert roles.shape == "subscriptions"
    # filled for active customers too: dates, never the end
    assert dict(roles.excluded).keys() >= {"updated_at", "last_date_purchase"}
    column, confidence, reason = _reasons(roles)["end"]
    assert (column, confidence) == ("deleted_at", "high")
    assert reason == (
        "filled for 100.0% of the 8 rows whose 'status' means churned and empty for the "
        "active ones: the date they ended"
    )


def test_subscription_export_period_table_counts_the_cancelled_customers():
    df = _read(subscription_export())
    roles = infer_roles(df)
    table = build_customer_table(df, roles)
    # 40 customers; 8 cancelled; 8 paused left out; 24 active
    assert (table.n_customers, table.n_churned) == (40, 8)
    assert int(table.frame["churned"].notna().sum()) == 32
    assert table.snapshot == pd.Timestamp("2025-03-16")  # start of row 39: 2022-01-01 + 1170
    periods = period_table(table)
    assert int(periods["churned"].sum()) == 8
    assert int(periods["new"].sum()) == 40
    # Before: the same roles without the end date put nobody in any period's losses
    no_end = build_customer_table(df, roles.with_(end=None))
    assert no_end.n_churned == 8 and int(period_table(no_end)["churned"].sum()) == 0
    codes = {(i.code, i.column) for i in validate(df, roles.with_(end=None), no_end)}
    assert ("churned_without_end", "deleted_at") in codes  # ...and now that is said


def test_end_date_by_values_under_a_name_that_says_nothing():
    """``date_2`` is filled only for the 8 cancelled rows: the end date by its values."""
    df = _read(subscription_export().rename(columns={"deleted_at": "date_2"}))
    roles = infer_roles(df)
    assert roles.end == "date_2" and roles.shape == "subscriptions"
    assert _reasons(roles)["end"][1] == "medium"


@pytest.mark.parametrize(
    "header", ["canceled_at", "ended_at", "termination_date", "해지일자", "탈퇴일", "종료일"]
)
def test_end_date_by_name_without_a_label(header):
    """No label: the name decides; 2 of 4 rows are empty (still active)."""
    df = pd.DataFrame(
        {
            "customer_id": ["A", "B", "C", "D"],
            "signup_date": ["2024-01-01", "2024-01-05", "2024-02-01", "2024-02-10"],
            header: ["2024-03-01", "", "2024-04-01", ""],
        }
    )
    roles = infer_roles(_read(df))
    assert (roles.start, roles.end, roles.shape) == ("signup_date", header, "subscriptions")
    assert _reasons(roles)["end"][1:] == (
        "high",
        "named like an end date and empty in 50.0% of rows (still active)",
    )


def test_a_date_filled_for_active_rows_is_not_the_end_date():
    """``last_seen`` is filled for 6 of 6 rows: not an end date however the label reads."""
    df = pd.DataFrame(
        {
            "customer_id": list("ABCDEF"),
            "signup_date": ["2024-01-01"] * 6,
            "last_seen": ["2024-05-01"] * 6,
            "churn": ["Yes", "No", "No", "Yes", "No", "No"],
        }
    )
    roles = infer_roles(_read(df))
    assert roles.end is None and roles.start == "signup_date"


def test_an_end_named_date_filled_for_active_rows_asks_the_user():
    df = pd.DataFrame(
        {
            "customer_id": list("ABCDEF"),
            "contract_end": ["2025-01-01"] * 6,
            "churn": ["Yes", "No", "No", "Yes", "No", "No"],
        }
    )
    roles = infer_roles(_read(df))
    assert roles.end == "contract_end"
    column, confidence, reason = _reasons(roles)["end"]
    assert confidence == "low"
    assert reason == (
        "named like an end date, but filled for 100.0% of the active rows and 100.0% of "
        "the churned rows of 'churn': check that it is when customers ended"
    )


# ------------------------------------------------------------------ item 2: ids, tenure


def cust_event_log() -> pd.DataFrame:
    """10 customers c01..c10 with 3 orders each (30 rows), keyed by ``cust``."""
    rows = [
        {
            "cust": f"c{k + 1:02d}",
            "order_date": (pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * k + 40 * j))
            .date()
            .isoformat(),
            "category": ("books", "toys", "home")[j],
        }
        for k in range(10)
        for j in range(3)
    ]
    return pd.DataFrame(rows)


def test_event_log_keyed_by_cust_gets_its_id():
    df = _read(cust_event_log())
    roles = infer_roles(df)
    assert (roles.id, roles.event_date, roles.shape) == ("cust", "order_date", "events")
    reasons = _reasons(roles)
    assert reasons["id"] == (
        "cust",
        "medium",
        "the name 'cust' usually means the customer; each value appears on 3.0 rows on "
        "average (several rows per customer)",
    )
    assert reasons["event_date"][1] == "high"
    table = build_customer_table(df, roles)
    assert table.n_customers == 10


@pytest.mark.parametrize(
    "header", ["member", "user", "account", "client", "subscriber", "회원번호", "고객번호"]
)
def test_short_id_names_with_code_values(header):
    df = pd.DataFrame({header: [f"M{i:03d}" for i in range(20)], "churn": ["Yes", "No"] * 10})
    roles = infer_roles(df)
    assert roles.id == header
    assert _reasons(roles)["id"][1] == "high"


def test_a_short_name_with_two_values_is_not_an_id():
    df = pd.DataFrame(
        {
            "account": ["checking", "savings"] * 10,
            "code": [f"C{i:03d}" for i in range(20)],
            "churn": ["Yes", "No"] * 10,
        }
    )
    roles = infer_roles(df)
    assert roles.id == "code"
    assert _reasons(roles)["id"] == ("code", "medium", "unique in 100.0% of rows, looks like an id")


def test_whole_number_id_by_values_is_low_confidence():
    df = pd.DataFrame({"n": [1001 + 7 * i for i in range(20)], "churn": ["Yes", "No"] * 10})
    roles = infer_roles(df)
    assert roles.id == "n"
    assert _reasons(roles)["id"][1] == "low"


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("Lifetime", "months"),
        ("Months_on_book", "months"),
        ("months_on_book", "months"),
        ("customer_age_months", "months"),
        ("가입기간", "months"),
        ("days_since_signup", "days"),
        ("tenure_days", "days"),
    ],
)
def test_tenure_from_names_with_values(header, unit):
    values = [3 + 2 * (i // 2) for i in range(20)]  # 3, 3, 5, 5, ..., 21, 21: no leak
    df = pd.DataFrame({"id": range(20), header: values, "churn": ["Yes", "No"] * 10})
    roles = infer_roles(df)
    assert (roles.tenure, roles.tenure_unit) == (header, unit)
    column, confidence, reason = _reasons(roles)["tenure"]
    assert confidence in ("high", "medium")
    assert reason == f"named like a tenure; values from 3 to 21, read as {unit}"
    assert header in roles.features  # a tenure stays a model feature


@pytest.mark.parametrize(
    "header",
    [
        "Customer_Age",
        "lifetime_value",
        "Lifetime",
        "days_since_last_visit",
        "months_since_last_order",
    ],
)
def test_not_a_tenure(header):
    """A person's age, a lifetime value and a recency (time since the last activity) are
    not tenures; nor negative durations."""
    values = list(range(-5, 15)) if header == "Lifetime" else list(range(20, 40))
    df = pd.DataFrame({"id": range(20), header: values, "churn": ["Yes", "No"] * 10})
    assert infer_roles(df).tenure is None


def test_every_proposed_role_has_a_reason_and_a_confidence():
    n = 40
    df = pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(n)],
            "full_name": [f"Anna Smith{chr(97 + i % 26)}".title() for i in range(n)],
            "email": [f"c{i}@example.com" for i in range(n)],
            "signup_date": pd.date_range("2023-01-01", periods=n, freq="7D").strftime("%Y-%m-%d"),
            "cancel_date": ["2024-06-01" if i % 4 == 0 else "" for i in range(n)],
            "monthly_fee": [10 + i % 3 for i in range(n)],
            "churn_reason": ["price" if i % 4 == 0 else "" for i in range(n)],
            "churned": ["Yes" if i % 4 == 0 else "No" for i in range(n)],
        }
    )
    roles = infer_roles(_read(df))
    assigned = roles.assigned()
    assert set(assigned) == {
        "id", "label", "start", "end", "amount", "reason", "name", "email",
    }  # fmt: skip
    reasons = _reasons(roles)
    assert set(reasons) == set(assigned)
    for role, (column, confidence, reason) in reasons.items():
        assert column == assigned[role] and confidence in CONFIDENCES and reason
    assert reasons["reason"][1:] == (
        "high",
        "named like a churn reason and filled only for churned rows of 'churned'",
    )
    assert reasons["label"][1:] == ("high", "named like a churn flag; churned: 'Yes', active: 'No'")


def test_every_reason_is_translated_to_korean():
    roles = infer_roles(_read(subscription_export()))
    ko = catalogue("ko")
    for _, _, _, reason in roles.reasons:
        assert reason.template in ko
        assert localize(reason, "ko") != str(reason)


def test_a_replaced_role_loses_its_reason():
    roles = infer_roles(_read(subscription_export()))
    assert "end" in _reasons(roles)
    assert "end" not in _reasons(roles.with_(end="updated_at"))
    assert set(SINGLE_ROLES) >= set(_reasons(roles))


@pytest.mark.parametrize("name", ["telco_customer_churn.csv", "cdnow_transactions.csv"])
def test_shared_files_keep_their_counts_and_get_reasons(shared_data, name):
    df = read_table((shared_data / name).read_bytes(), name=name).frame
    roles = infer_roles(df)
    table = build_customer_table(df, roles)
    if name.startswith("telco"):
        assert (table.n_customers, table.n_churned) == (7043, 1869)
    else:
        assert table.n_customers == 23570
    assert set(_reasons(roles)) == set(roles.assigned())


# ------------------------------------------------------------ unclear label values


def test_unclear_values_are_the_ones_the_vocabulary_does_not_know():
    values = ["active", "paused", "on hold", "cancelled", "suspended", "frozen", "trial"]
    values += ["일시정지", "휴면", "해지", "Active"]
    assert unclear_values(values) == (
        "paused", "on hold", "suspended", "frozen", "trial", "일시정지", "휴면",
    )  # fmt: skip


def test_status_with_paused_is_proposed_with_its_unclear_value():
    df = pd.DataFrame(
        {"id": range(20), "subscription_status": ["active", "cancelled", "paused", "trial"] * 5}
    )
    roles = infer_roles(df)
    assert roles.label == "subscription_status"
    assert _reasons(roles)["label"][1:] == (
        "medium",
        "churned: 'cancelled'; active: 'active'; no clear meaning, to be chosen: 'paused', 'trial'",
    )


def test_label_choice_rates_exact_numbers():
    """60 cancelled, 120 active, 20 paused, 10 trial (both left out for now)."""
    s = pd.Series(["active"] * 120 + ["canceled"] * 60 + ["paused"] * 20 + ["trial"] * 10)
    values = label_value_counts(s)
    rates = label_choice_rates(values).set_index("value")
    assert list(rates.index) == ["paused", "trial"]
    assert rates.loc["paused", "count"] == 20
    assert rates.loc["paused", "churned"] == pytest.approx(80 / 200)
    assert rates.loc["paused", "active"] == pytest.approx(60 / 200)
    assert rates.loc["paused", "left_out"] == pytest.approx(60 / 180)
    assert rates.loc["trial", "churned"] == pytest.approx(70 / 190)
    # with trial chosen as active on screen, paused's rates count trial as active
    chosen = label_choice_rates(values, {"trial": "active"}).set_index("value")
    assert chosen.loc["paused", "churned"] == pytest.approx(80 / 210)
    assert chosen.loc["paused", "active"] == pytest.approx(60 / 210)
    assert chosen.loc["paused", "left_out"] == pytest.approx(60 / 190)


def test_label_choice_rates_with_nothing_labelled_is_nan():
    values = pd.DataFrame({"value": ["paused"], "count": [5], "meaning": ["left_out"]})
    row = label_choice_rates(values).iloc[0]
    assert (row["churned"], row["active"]) == (1.0, 0.0)
    assert math.isnan(row["left_out"])


# -------------------------------------------------------------- nobody churned


def test_no_churn_warning_names_the_empty_end_date():
    """Start and end dates; the end date is empty on all 4 rows: nobody churned."""
    df = pd.DataFrame(
        {
            "customer_id": list("ABCD"),
            "signup_date": ["2024-01-01", "2024-01-05", "2024-02-01", "2024-02-10"],
            "cancel_date": [""] * 4,
        }
    )
    df = _read(df)
    roles = infer_roles(df)
    assert roles.end == "cancel_date"
    table = build_customer_table(df, roles)
    assert table.n_churned == 0
    issues = [i for i in validate(df, roles, table) if i.code == "no_churned"]
    assert len(issues) == 1
    issue = issues[0]
    assert (issue.severity, issue.column) == ("warning", "cancel_date")
    assert issue.message == (
        "No customer counts as churned: the end date 'cancel_date' is empty on every row."
    )


def test_no_churn_warning_names_a_label_with_nothing_mapped_to_churned():
    df = pd.DataFrame({"id": range(30), "churn": ["No"] * 30, "plan": ["a", "b", "c"] * 10})
    roles = infer_roles(df)
    assert roles.label == "churn" and roles.churned_values == ()
    assert _reasons(roles)["label"][1] == "low"
    table = build_customer_table(df, roles)
    issue = no_churn_issue(df, roles, table.n_churned)
    assert issue is not None and issue.column == "churn"
    assert issue.message == (
        "No customer counts as churned: no value of the label 'churn' is mapped to churned "
        "(its values: 'No')."
    )


def test_no_churn_warning_points_to_a_status_column_that_is_not_the_label():
    """The user chose the dates; the status column says 8 rows were cancelled."""
    df = _read(subscription_export().drop(columns=["deleted_at"]))
    roles = ColumnRoles(id="id", start="created_at", features=("plan",))
    table = build_customer_table(df, roles.with_(end="updated_at"))
    issue = no_churn_issue(df, roles, 0)
    assert issue is not None and issue.column == "status"
    assert issue.message == (
        "No customer counts as churned, yet 'status' holds 'canceled' on 8 rows, which "
        "usually means a customer left."
    )
    assert table.n_churned == 40  # updated_at as the end date: everybody "ended"


def test_no_churn_warning_for_end_dates_after_the_snapshot():
    df = _read(subscription_export())
    roles = ColumnRoles(id="id", start="created_at", end="deleted_at")
    table = build_customer_table(df, roles, snapshot="2022-01-15")
    assert table.n_churned == 0
    issues = {i.code: i for i in validate(df, roles, table)}
    assert issues["no_churned"].message == (
        "No customer counts as churned: none of the 8 dates in 'deleted_at' falls on or "
        "before the snapshot 2022-01-15."
    )


def test_no_warning_when_someone_churned():
    df = _read(subscription_export())
    roles = infer_roles(df)
    table = build_customer_table(df, roles)
    codes = {i.code for i in validate(df, roles, table)}
    assert "no_churned" not in codes and "churned_without_end" not in codes
