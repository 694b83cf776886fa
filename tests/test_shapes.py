"""Tests for churn.shapes: the three input shapes -> one customer table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.errors import ChurnDataError
from churn.roles import ColumnRoles, infer_roles
from churn.shapes import REASON_WINDOW, build_customer_table, inactivity_preview
from churn.table import CANONICAL

TS = pd.Timestamp

# --------------------------------------------------------------------------------------
# Shape 1: one row per customer with a label
# --------------------------------------------------------------------------------------


@pytest.fixture
def customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cust": [" a1 ", "a2", "a3", "a2", "a4", None],
            "status": ["Yes", "No", "paused", "Yes", "No", "Yes"],
            "months": [12, 6, 3, 1, 24, 5],
            "fee": ["$10.00", "20", "30", "40", "50", "60"],
            "plan": ["basic", "pro", "basic", "pro", "pro", "basic"],
            "value": [1, 2, 3, 4, 5, 6],
        }
    )


@pytest.fixture
def customer_roles() -> ColumnRoles:
    return ColumnRoles(
        id="cust",
        label="status",
        churned_values=("yes",),
        active_values=("NO",),
        tenure="months",
        tenure_unit="months",
        amount="fee",
        features=("plan", "value", "months"),
        categorical=("plan",),
    )


def test_customers_shape_by_hand(customers, customer_roles):
    before = customers.copy()
    t = build_customer_table(customers, customer_roles)
    pd.testing.assert_frame_equal(customers, before)
    f = t.frame
    assert t.shape == "customers"
    assert list(f.columns[: len(CANONICAL)]) == list(CANONICAL)
    # row without id dropped, second "a2" dropped (first kept), ids stripped
    assert f["customer_id"].tolist() == ["a1", "a2", "a3", "a4"]
    assert f["churned"].tolist()[:2] == [1.0, 0.0] and np.isnan(f["churned"].iloc[2])
    assert f["label_status"].tolist() == ["churned", "active", "excluded", "active"]
    # 12 months = 12 * 365.25 / 12 = 365.25 days
    assert f["tenure_days"].tolist() == pytest.approx([365.25, 182.625, 91.3125, 730.5])
    assert f["value"].tolist() == [10.0, 20.0, 30.0, 50.0]
    # a user column named like a canonical one keeps its data under a new name
    assert f["value (original)"].tolist() == [1, 2, 3, 5]
    assert t.features == ("plan", "value (original)", "months")
    assert t.categorical == ("plan",)
    assert (t.n_customers, t.n_churned) == (4, 1)
    assert t.churn_rate == pytest.approx(1 / 3)
    assert t.rows_in == 6
    notes = " ".join(t.notes)
    assert "1 rows without a customer id were dropped" in notes
    assert "1 rows repeat a customer id" in notes
    assert "'paused'" in notes
    assert t.snapshot is None


def test_no_id_uses_row_numbers(customers, customer_roles):
    t = build_customer_table(customers, customer_roles.with_(id=None))
    assert t.frame["customer_id"].tolist() == ["1", "2", "3", "4", "5", "6"]
    assert any("numbered from 1" in n for n in t.notes)


def test_missing_roles_error():
    df = pd.DataFrame({"x": [1, 2]})
    with pytest.raises(ChurnDataError, match="choose the churn column, or the start and end"):
        build_customer_table(df, ColumnRoles())


def test_role_column_not_in_file():
    df = pd.DataFrame({"x": [1, 2]})
    with pytest.raises(ChurnDataError, match="'churn' .* is not in the file"):
        build_customer_table(df, ColumnRoles(label="churn", churned_values=("1",)))


def test_label_without_churned_or_active_value():
    df = pd.DataFrame({"id": [1, 2, 3], "churn": ["No", "No", "No"]})
    # none churned: a 0 % table with a note, not an error (only training needs both)
    t = build_customer_table(
        df, ColumnRoles(id="id", label="churn", churned_values=("Yes",), active_values=("No",))
    )
    assert t.frame["churned"].tolist() == [0.0, 0.0, 0.0]
    assert any("the churn rate is 0 %" in n for n in t.notes)
    # no value matches either meaning: an error naming the column
    with pytest.raises(ChurnDataError, match="meaning churned or active") as exc:
        build_customer_table(df, ColumnRoles(id="id", label="churn", churned_values=("Yes",)))
    assert exc.value.column == "churn"
    # no value chosen at all
    with pytest.raises(ChurnDataError, match="meaning churned"):
        build_customer_table(df, ColumnRoles(id="id", label="churn"))


def test_customers_with_start_date_get_tenure_to_snapshot():
    df = pd.DataFrame(
        {
            "id": [1, 2],
            "churn": [1, 0],
            "joined": ["2024-01-01", "2024-03-01"],
            "left": ["2024-02-01", None],
        }
    )
    roles = ColumnRoles(
        id="id", label="churn", churned_values=("1",), active_values=("0",), start="joined"
    )
    t = build_customer_table(df, roles, snapshot="2024-03-31")
    assert t.shape == "customers"
    assert t.frame["tenure_days"].tolist() == [90.0, 30.0]  # Jan 31 + Feb 29 + Mar 30


# --------------------------------------------------------------------------------------
# Shape 2: subscriptions with start and end dates
# --------------------------------------------------------------------------------------


@pytest.fixture
def subs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["A", "B", "C", "D", "D", "E", "E"],
            "start": [
                "2024-01-01",
                "2024-02-01",
                "2024-01-15",
                "2023-01-01",
                "2024-01-01",
                "2023-01-01",
                "2023-07-01",
            ],
            "end": [
                "2024-03-01",
                None,
                "2024-06-30",
                "2023-12-31",
                None,
                "2023-06-30",
                "2024-02-01",
            ],
            "plan": ["p1", "p1", "p2", "old", "new", "x", "y"],
            "fee": [10, 20, 30, 40, 50, 60, 70],
        }
    )


SUB_ROLES = ColumnRoles(
    id="id", start="start", end="end", amount="fee", features=("plan",), categorical=("plan",)
)


def test_subscriptions_by_hand(subs):
    t = build_customer_table(subs, SUB_ROLES)
    f = t.frame.set_index("customer_id")
    assert t.shape == "subscriptions"
    assert t.snapshot == TS("2024-06-30")  # latest date in the data
    # C ends exactly on the snapshot: churned. D renewed and is active. E's last ended.
    assert f["churned"].to_dict() == {"A": 1.0, "B": 0.0, "C": 1.0, "D": 0.0, "E": 1.0}
    # A: Jan 31 + Feb 29 = 60; B: to snapshot 2024-02-01 -> 06-30 = 150;
    # C: 16+29+31+30+31+30 = 167; D: 2023-01-01 -> 2024-06-30 = 365 + 181 = 546;
    # E: 2023-01-01 -> 2024-02-01 = 365 + 31 = 396
    assert f["tenure_days"].to_dict() == {"A": 60.0, "B": 150.0, "C": 167.0, "D": 546.0, "E": 396.0}
    assert f.loc["D", "start_date"] == TS("2023-01-01")
    assert pd.isna(f.loc["D", "end_date"]) and pd.isna(f.loc["B", "end_date"])
    assert f.loc["E", "end_date"] == TS("2024-02-01")
    # attributes from the latest subscription
    assert f.loc["D", "plan"] == "new" and f.loc["E", "plan"] == "y"
    assert f.loc["D", "value"] == 50.0
    assert t.n_customers == 5 and t.n_churned == 3
    assert any("7 subscription rows were merged into 5 customers" in n for n in t.notes)


def test_subscriptions_end_after_snapshot_is_active(subs):
    t = build_customer_table(subs, SUB_ROLES, snapshot="2024-05-31")
    f = t.frame.set_index("customer_id")
    assert f.loc["C", "churned"] == 0.0
    assert f.loc["C", "tenure_days"] == 137.0  # 2024-01-15 -> 2024-05-31
    assert pd.isna(f.loc["C", "end_date"])
    assert any("fall after the snapshot" in n for n in t.notes)


def test_subscriptions_start_after_snapshot_left_out(subs):
    t = build_customer_table(subs, SUB_ROLES, snapshot="2024-01-20")
    f = t.frame.set_index("customer_id")
    assert "B" not in f.index  # starts 2024-02-01
    assert f.loc["A", "churned"] == 0.0  # ends 2024-03-01, after the snapshot
    assert f.loc["D", "churned"] == 0.0 and f.loc["D", "value"] == 50.0


def test_label_wins_over_dates(subs):
    df = subs.assign(flag=["No", "No", "No", "No", "Yes", "No", "No"])
    roles = SUB_ROLES.with_(label="flag", churned_values=("Yes",), active_values=("No",))
    t = build_customer_table(df, roles)
    f = t.frame.set_index("customer_id")
    assert t.shape == "subscriptions"
    assert f["churned"].to_dict() == {"A": 0.0, "B": 0.0, "C": 0.0, "D": 1.0, "E": 0.0}
    assert f.loc["A", "tenure_days"] == 60.0  # the dates still give the tenure


def test_end_date_only_makes_subscriptions():
    df = pd.DataFrame({"id": [1, 2, 3], "cancelled_on": ["2024-01-05", None, "2024-02-01"]})
    t = build_customer_table(df, ColumnRoles(id="id", end="cancelled_on"))
    assert t.shape == "subscriptions"
    assert t.frame["churned"].tolist() == [1.0, 0.0, 1.0]


def test_dates_that_do_not_parse(subs):
    bad = subs.assign(start=["soon", "later", "x", "y", "z", "w", "v"])
    with pytest.raises(ChurnDataError, match="not dates") as exc:
        build_customer_table(bad, SUB_ROLES)
    assert exc.value.column == "start"


# --------------------------------------------------------------------------------------
# Shape 3: event logs
# --------------------------------------------------------------------------------------


@pytest.fixture
def events() -> pd.DataFrame:
    # Snapshot 2024-12-31, N = 30 -> cutoff 2024-12-01.
    return pd.DataFrame(
        {
            "cid": ["a", "a", "b", "b", "c", "d", "b"],
            "day": [
                "2024-06-01",
                "2024-12-01",  # a: last event exactly 30 days before: active
                "2024-01-10",
                "2024-11-30",  # b: last event 31 days before: churned
                "2024-12-15",  # c: first event 16 days before: too new
                "2024-12-01",  # d: first event exactly 30 days before: judged, active
                "2025-01-05",  # after the snapshot: ignored
            ],
            "amt": [10.0, 20.0, 5.0, 7.0, 100.0, 1.0, 999.0],
            "cat": ["music", "books", "music", "music", "toys", "books", "toys"],
        }
    )


EV_ROLES = ColumnRoles(
    id="cid", event_date="day", amount="amt", features=("cat",), categorical=("cat",)
)


def test_events_by_hand(events):
    t = build_customer_table(events, EV_ROLES, snapshot="2024-12-31", inactivity_days=30)
    f = t.frame.set_index("customer_id")
    assert t.shape == "events" and t.inactivity_days == 30
    assert f["label_status"].to_dict() == {
        "a": "active",
        "b": "churned",
        "c": "too_new",
        "d": "active",
    }
    assert f.loc["b", "churned"] == 1.0 and np.isnan(f.loc["c", "churned"])
    assert f.loc["b", "end_date"] == TS("2024-11-30") and pd.isna(f.loc["a", "end_date"])
    assert f["recency_days"].to_dict() == {"a": 30.0, "b": 31.0, "c": 16.0, "d": 30.0}
    assert f["frequency"].to_dict() == {"a": 2, "b": 2, "c": 1, "d": 1}
    assert f["monetary"].to_dict() == {"a": 30.0, "b": 12.0, "c": 100.0, "d": 1.0}
    assert f["value"].to_dict() == f["monetary"].to_dict()
    # b: 2024-01-10 -> 2024-11-30 = 325 days; a: 2024-06-01 -> snapshot = 213 days
    assert f.loc["b", "tenure_days"] == 325.0 and f.loc["a", "tenure_days"] == 213.0
    # features at the cutoff 2024-12-01 (events strictly before it)
    assert f["orders_before_cutoff"].to_dict() == {"a": 1.0, "b": 2.0, "c": 0.0, "d": 0.0}
    assert f.loc["a", "recency_at_cutoff_days"] == 183.0  # 2024-06-01 -> 2024-12-01
    assert f.loc["b", "recency_at_cutoff_days"] == 1.0
    assert np.isnan(f.loc["d", "recency_at_cutoff_days"])
    assert f["spend_before_cutoff"].to_dict() == {"a": 10.0, "b": 12.0, "c": 0.0, "d": 0.0}
    assert f.loc["b", "avg_order_value"] == 6.0
    assert f.loc["b", "tenure_at_cutoff_days"] == 326.0  # 2024-01-10 -> 2024-12-01
    assert f.loc["d", "tenure_at_cutoff_days"] == 0.0
    # recent window [09-02, 12-01) has b's 11-30; previous [06-04, 09-02) has nothing
    assert f["activity_trend"].to_dict() == {"a": 0.0, "b": 1.0, "c": 0.0, "d": 0.0}
    assert f.loc["b", "top_cat"] == "music" and f.loc["a", "top_cat"] == "music"
    assert pd.isna(f.loc["c", "top_cat"])
    assert "recency_days" not in t.features and "frequency" not in t.features
    assert dict(t.excluded)["recency_days"] == REASON_WINDOW
    assert "top_cat" in t.categorical
    notes = " ".join(t.notes)
    assert "1 events after the snapshot were ignored" in notes
    assert "1 customers whose first event is less than 30 days" in notes


def test_events_default_snapshot_is_latest_event(events):
    t = build_customer_table(events.iloc[:6], EV_ROLES, inactivity_days=30)
    assert t.snapshot == TS("2024-12-15")


def test_events_need_an_id(events):
    with pytest.raises(ChurnDataError, match="customer id"):
        build_customer_table(events, EV_ROLES.with_(id=None))


def test_bad_inactivity_days(events):
    with pytest.raises(ChurnDataError, match="at least 1 day"):
        build_customer_table(events, EV_ROLES, inactivity_days=0)


def test_inactivity_preview_by_hand(events):
    p = inactivity_preview(events, EV_ROLES, days=(31, 30), snapshot="2024-12-31")
    assert list(p.columns[:3]) == ["inactivity_days", "customers", "too_new"]
    rows = p.set_index("inactivity_days")
    # N=30: c too new; b churned.  N=31: c and d too new; b's 31 days is not > 31.
    assert rows.loc[30, ["customers", "too_new", "churned", "active"]].tolist() == [4, 1, 1, 2]
    assert rows.loc[30, "churn_rate"] == pytest.approx(1 / 3)
    assert rows.loc[31, ["too_new", "churned", "active"]].tolist() == [2, 0, 2]
    for n in (30, 31):  # agrees with the table itself
        t = build_customer_table(events, EV_ROLES, snapshot="2024-12-31", inactivity_days=n)
        assert rows.loc[n, "churned"] == t.n_churned


def test_events_agree_with_a_plain_python_count():
    rng = np.random.default_rng(3)
    n = 3000
    dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    log = pd.DataFrame(
        {"user": rng.integers(0, 400, n).astype(str), "when": dates, "spend": rng.uniform(1, 50, n)}
    )
    roles = ColumnRoles(id="user", event_date="when", amount="spend")
    snap, days = pd.Timestamp("2024-10-01"), 60
    t = build_customer_table(log, roles, snapshot=snap, inactivity_days=days)
    f = t.frame.set_index("customer_id")
    expected = {}
    for user, g in log[log["when"] <= snap].groupby("user"):
        first, last = g["when"].min(), g["when"].max()
        if (snap - first).days < days:
            expected[user] = "too_new"
        elif (snap - last).days > days:
            expected[user] = "churned"
        else:
            expected[user] = "active"
        cut = snap - pd.Timedelta(days=days)
        assert f.loc[user, "spend_before_cutoff"] == pytest.approx(
            g.loc[g["when"] < cut, "spend"].sum()
        )
    assert f["label_status"].to_dict() == expected


# --------------------------------------------------------------------------------------
# Real files
# --------------------------------------------------------------------------------------


def test_telco(shared_data):
    from churn.io import read_table

    df = read_table(shared_data / "telco_customer_churn.csv").frame
    t = build_customer_table(df, infer_roles(df))
    assert t.shape == "customers"
    assert (t.n_customers, t.n_churned) == (7043, 1869)
    assert t.churn_rate == pytest.approx(1869 / 7043)
    assert t.frame["tenure_days"].max() == pytest.approx(72 * 365.25 / 12)
    assert t.frame["TotalCharges"].isna().sum() == 11


def test_cdnow(shared_data):
    from churn.io import read_table

    df = read_table(shared_data / "cdnow_transactions.csv").frame
    roles = infer_roles(df)
    t = build_customer_table(df, roles, snapshot="1998-06-30", inactivity_days=180)
    assert t.shape == "events"
    assert (t.n_customers, t.n_churned) == (23570, 18196)
    assert t.frame["monetary"].sum() == pytest.approx(2500315.63)
    assert (t.frame["label_status"] == "too_new").sum() == 0
    p = inactivity_preview(df, roles, days=(180,), snapshot="1998-06-30")
    assert p["churned"].tolist() == [18196]


def test_personal_and_date_columns_never_become_features():
    df = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "churn": ["Yes", "No", "No", "Yes"],
            "email": ["a@x.com", "b@x.com", "c@x.com", "d@x.com"],
            "seen": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
            "plan": ["a", "b", "a", "b"],
        }
    )
    roles = ColumnRoles(
        id="id",
        label="churn",
        churned_values=("Yes",),
        active_values=("No",),
        email="email",
        features=("email", "seen", "plan", "id", "churn"),
        categorical=("email", "plan"),
    )
    t = build_customer_table(df, roles)
    assert t.features == ("plan",)
    assert t.categorical == ("plan",)
    assert t.personal == ("email",)
    assert dict(t.excluded)["seen"] == "date (used as tenure/recency instead)"
    assert t.frame["email"].tolist() == df["email"].tolist()  # kept for exports


def test_bad_snapshot(events):
    with pytest.raises(ChurnDataError, match="'soon' is not a date"):
        build_customer_table(events, EV_ROLES, snapshot="soon")


def test_any_roles_on_messy_frames_give_a_table_or_a_clear_error():
    """Whatever the user picks, the result is a table or a ChurnDataError, never a crash."""
    from churn.validate import validate

    rng = np.random.default_rng(11)
    pools = {
        "int": lambda n: rng.integers(0, 5, n),
        "float_nan": lambda n: np.where(rng.random(n) < 0.3, np.nan, rng.normal(size=n)),
        "yesno": lambda n: rng.choice(["Yes", "No", None, " "], n),
        "dates": lambda n: rng.choice(["2024-01-01", "2024/02/03", "", None, "bad"], n),
        "mixed": lambda n: np.array([1, "a", 2.5, None, True] * n, dtype=object)[:n],
        "bool": lambda n: rng.random(n) < 0.5,
        "allnan": lambda n: np.full(n, np.nan),
        "dt": lambda n: pd.date_range("2024-01-01", periods=n).to_numpy(),
    }
    names = ["id", "churn", "start", "end", "day", "amount", "x"]
    roles_names = ["id", "label", "start", "end", "event_date", "amount", "tenure", "email"]
    built = failed = 0
    for _ in range(100):
        n = int(rng.integers(1, 10))
        cols = list(rng.choice(names, int(rng.integers(1, 5)), replace=False))
        df = pd.DataFrame({c: pools[str(rng.choice(list(pools)))](n) for c in cols})
        kw = {r: str(rng.choice(cols)) for r in roles_names if rng.random() < 0.4}
        if "label" in kw:
            vals = list(pd.unique(df[kw["label"]].astype(str)))
            kw["churned_values"], kw["active_values"] = tuple(vals[:1]), tuple(vals[1:2])
        kw["features"] = tuple(c for c in cols if rng.random() < 0.5)
        roles = ColumnRoles(**kw) if rng.random() < 0.7 else infer_roles(df)
        try:
            table = build_customer_table(df, roles, inactivity_days=int(rng.integers(1, 60)))
        except ChurnDataError as exc:
            assert str(exc)
            failed += 1
            continue
        built += 1
        assert table.frame["customer_id"].is_unique
        assert set(table.frame["label_status"]) <= {"churned", "active", "too_new", "excluded"}
        assert all(isinstance(i.message, str) for i in validate(df, roles, table))
    assert built >= 5 and failed >= 20  # both paths were exercised
