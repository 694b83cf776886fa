"""Confirm's shortcuts give the answers of the long way round.

Validation takes from the customer table what its build already knew (dates after the
snapshot, ids that are all distinct, labels that are all known) only when the table can
vouch for every row of the file; otherwise it reads the file again. Labels are mapped per
distinct value; leakage is judged on a sample of a large table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.roles import ColumnRoles, label_value_counts
from churn.shapes import build_customer_table, clean_id_codes
from churn.validate import LEAKAGE_ROWS, validate


def by_code(issues, code):
    return [i for i in issues if i.code == code]


def test_dates_after_the_snapshot_count_every_row_of_the_file():
    df = pd.DataFrame(
        {
            "id": ["a", "b", "c", None, "e"],
            "start": ["2024-01-01", "2024-02-01", "2024-07-01", "2024-08-01", "2024-03-01"],
            "end": [None, "2024-05-01", None, None, "2024-09-09"],
            "churn": ["No", "Yes", "No", "No", "Yes"],
        }
    )
    roles = ColumnRoles(
        id="id", label="churn", churned_values=("Yes",), active_values=("No",), start="start"
    )
    roles = roles.with_(end="end")
    # a row without an id: the build never read its dates, so validation reads them
    table = build_customer_table(df, roles, snapshot="2024-06-30")
    assert table.dates_after_snapshot == ()
    counts = {i.column: i.count for i in by_code(validate(df, roles, table), "date_after_snapshot")}
    assert counts == {"start": 2, "end": 1}  # the id-less row's 2024-08-01 counts too
    # every row has an id: the build's counts are used, and they agree
    full = df.assign(id=["a", "b", "c", "d", "e"])
    table = build_customer_table(full, roles, snapshot="2024-06-30")
    assert dict(table.dates_after_snapshot) == {"start": 2, "end": 1}
    issues = by_code(validate(full, roles, table), "date_after_snapshot")
    assert {i.column: i.count for i in issues} == {"start": 2, "end": 1}


def test_event_dates_after_the_snapshot_include_events_without_an_id():
    df = pd.DataFrame(
        {
            "cid": ["a", "a", None, "b"],
            "day": ["2024-01-01", "2024-07-02", "2024-07-03", "2024-06-01"],
        }
    )
    roles = ColumnRoles(id="cid", event_date="day")
    table = build_customer_table(df, roles, snapshot="2024-06-30", inactivity_days=30)
    assert dict(table.dates_after_snapshot) == {"day": 2}
    (after,) = by_code(validate(df, roles, table), "date_after_snapshot")
    assert after.count == 2
    # a table built with other roles vouches for nothing
    other = build_customer_table(df, roles, snapshot="2024-06-30", inactivity_days=60)
    assert by_code(validate(df, roles.with_(dayfirst=False), other), "date_after_snapshot")


def test_labels_and_ids_are_checked_whenever_a_row_is_not_a_clean_customer():
    base = pd.DataFrame(
        {"id": [f"c{i}" for i in range(8)], "churn": ["Yes", "No"] * 4, "x": range(8)}
    )
    roles = ColumnRoles(id="id", label="churn", churned_values=("Yes",), active_values=("No",))
    # every row a customer with a known label: nothing to say about labels or ids
    assert {i.code for i in validate(base, roles)} == {"too_few_rows", "too_few_churned"}
    odd = base.assign(churn=["Yes", "No", "paused", None, " Yes", "No", "paused", "No"])
    odd.loc[7, "id"] = "c0"  # a repeated id
    issues = validate(odd, roles)
    (unknown,) = by_code(issues, "unknown_label_values")
    assert unknown.count == 2 and "'paused' (2)" in unknown.message
    (missing,) = by_code(issues, "label_missing")
    assert missing.count == 1
    (dup,) = by_code(issues, "duplicate_ids")
    assert dup.count == 1


def test_label_values_are_counted_per_distinct_value_as_before():
    s = pd.Series(["Yes", " Yes", "No", None, "", 1.0, 1, "no", "Maybe", "Yes"], dtype=object)
    got = label_value_counts(s)
    texts = s.map(lambda v: None if v is None or str(v).strip() == "" else str(v).strip())
    texts = texts.map(lambda v: "1" if v in ("1.0", "1") else v)
    want = texts.value_counts()
    assert got["value"].tolist() == list(want.index)
    assert got["count"].tolist() == want.tolist()


def test_ids_already_clean_keep_their_codes_and_dirty_ones_are_cleaned():
    codes, labels = clean_id_codes(pd.Series(["b", "a", "b", None, "c"]))
    assert codes.tolist() == [0, 1, 0, -1, 2] and labels.tolist() == ["b", "a", "c"]
    codes, labels = clean_id_codes(pd.Series(["b", " a", "a", "", "b "]))
    assert codes.tolist() == [0, 1, 1, -1, 0] and labels.tolist() == ["b", "a"]
    codes, labels = clean_id_codes(pd.Series([3.0, 1.0, np.nan, 3.0]))
    assert codes.tolist() == [0, 1, -1, 0] and labels.tolist() == ["3", "1"]


def test_leakage_is_judged_on_a_sample_of_a_large_table():
    n = 2 * LEAKAGE_ROWS + 1
    rng = np.random.default_rng(1)
    y = rng.random(n) < 0.3
    df = pd.DataFrame(
        {
            "id": np.arange(n),
            "churn": np.where(y, "Yes", "No"),
            "days_left": np.where(y, 0, rng.integers(1, 400, n)),  # known only after churn
            "tickets": rng.integers(0, 5, n),
        }
    )
    roles = ColumnRoles(
        id="id",
        label="churn",
        churned_values=("Yes",),
        active_values=("No",),
        features=("days_left", "tickets"),
    )
    (leak,) = by_code(validate(df, roles), "leakage_separates")
    assert leak.column == "days_left" and "AUC 1.000" in leak.message
