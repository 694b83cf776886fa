"""churn.metrics: period table, cohorts, survival and the forecast, on frames worked by hand.

The ``rate`` and ``survival`` commands are tested in tests/cli/."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn import metrics as m
from churn.errors import ChurnDataError
from churn.roles import ColumnRoles
from churn.table import CustomerTable


def make_table(
    rows: list[tuple],
    snapshot: str | None,
    *,
    reason: bool = False,
    extra: dict | None = None,
) -> CustomerTable:
    """rows: (id, start, end, value[, reason]); label and tenure follow from the dates."""
    cols = ["customer_id", "start_date", "end_date", "value"] + (["reason"] if reason else [])
    f = pd.DataFrame(rows, columns=cols)
    f["start_date"] = pd.to_datetime(f["start_date"])
    f["end_date"] = pd.to_datetime(f["end_date"])
    snap = pd.Timestamp(snapshot) if snapshot else None
    f["churned"] = f["end_date"].notna().astype(float)
    f["label_status"] = np.where(f["churned"] == 1, "churned", "active")
    f["tenure_days"] = (f["end_date"].fillna(snap) - f["start_date"]).dt.days.astype(float)
    f["value"] = f["value"].astype(float)
    for k, v in (extra or {}).items():
        f[k] = v
    roles = ColumnRoles(reason="reason" if reason else None)
    return CustomerTable(frame=f, roles=roles, shape="subscriptions", snapshot=snap)


# Six customers, snapshot 2024-03-15:
#   F starts 2023-12-31, ends 2024-01-31 (last day of a month)
#   A starts 2024-01-10, still active
#   B starts 2024-01-20, ends 2024-02-01 (a period's first day)
#   C starts 2024-02-05, ends 2024-02-20 (starts and ends in the same period)
#   D starts 2024-02-10, ends 2024-03-05
#   E starts 2024-03-15 (on the snapshot), still active
SIX = [
    ("A", "2024-01-10", None, 10, None),
    ("B", "2024-01-20", "2024-02-01", 20, "Payment failed"),
    ("C", "2024-02-05", "2024-02-20", 30, "Too expensive"),
    ("D", "2024-02-10", "2024-03-05", 40, "결제 실패"),
    ("E", "2024-03-15", None, 50, None),
    ("F", "2023-12-31", "2024-01-31", 60, None),
]


@pytest.fixture()
def six() -> CustomerTable:
    return make_table(SIX, "2024-03-15", reason=True)


def test_month_counts_by_hand(six):
    pt = m.period_table(six, "month", "start")
    assert pt["period"].tolist() == ["2023-12", "2024-01", "2024-02", "2024-03"]
    assert pt["active_start"].tolist() == [0, 1, 2, 2]
    assert pt["new"].tolist() == [1, 2, 2, 1]
    assert pt["churned"].tolist() == [0, 1, 2, 1]
    assert pt["churned_from_start"].tolist() == [0, 1, 1, 1]
    assert pt["active_end"].tolist() == [1, 2, 2, 2]
    assert pt["partial"].tolist() == [False, False, False, True]
    assert pt["days"].tolist() == [31, 31, 29, 31]
    assert pt["days_observed"].tolist() == [31, 31, 29, 15]
    assert pt["period_start"].iloc[2] == pd.Timestamp("2024-02-01")
    assert pt["period_end"].iloc[2] == pd.Timestamp("2024-02-29")
    assert (pt["definition"] == "start").all()
    assert pt["numerator"].tolist() == [0, 1, 1, 1]
    assert pt["denominator"].tolist() == [0, 1, 2, 2]
    assert math.isnan(pt["churn_rate"].iloc[0])
    assert pt["churn_rate"].iloc[1:].tolist() == [1.0, 0.5, 0.5]
    assert pt["retention"].iloc[1:].tolist() == [0.0, 0.5, 0.5]
    # the input frame is untouched
    assert six.frame["end_date"].notna().sum() == 4


def test_definitions_by_hand(six):
    spn = m.period_table(six, "month", "start_plus_new")
    assert spn["numerator"].tolist() == [0, 1, 2, 1]
    assert spn["denominator"].tolist() == [1, 3, 4, 3]
    assert spn["churn_rate"].tolist() == pytest.approx([0, 1 / 3, 0.5, 1 / 3])
    lon = m.period_table(six, "month", "lost_over_new")
    assert lon["denominator"].tolist() == [1, 2, 2, 1]
    assert lon["churn_rate"].tolist() == pytest.approx([0, 0.5, 1.0, 1.0])


def test_boundary_customers_are_counted_where_the_definitions_say(six):
    # B ends on Feb 1: active at the start of February and lost in February.
    assert (
        "B" in m.customers_in_period(six, "2024-02", which="active_start")["customer_id"].tolist()
    )
    assert set(m.customers_in_period(six, "2024-02", which="churned")["customer_id"]) == {"B", "C"}
    # C joins and leaves in February: lost, but not among those active at its start.
    assert m.customers_in_period(six, "2024-02", which="churned_from_start")[
        "customer_id"
    ].tolist() == ["B"]
    # E starts on the snapshot: new in the (partial) last month and active at its end.
    assert m.customers_in_period(six, "2024-03", which="new")["customer_id"].tolist() == ["E"]
    assert set(m.customers_in_period(six, "2024-03", which="active_end")["customer_id"]) == {
        "A",
        "E",
    }
    # F ends on Jan 31: not active at the start of February.
    assert set(m.customers_in_period(six, "2024-02", which="active_start")["customer_id"]) == {
        "A",
        "B",
    }
    got = m.customers_in_period(six, "2024-02", which="churned")
    assert list(got.columns) == list(six.frame.columns)


def test_quarter_week_and_year(six):
    q = m.period_table(six, "quarter", "start")
    assert q["period"].tolist() == ["2023Q4", "2024Q1"]
    assert q["active_start"].tolist() == [0, 1]
    assert q["new"].tolist() == [1, 5]
    assert q["churned"].tolist() == [0, 4]
    assert q["churned_from_start"].tolist() == [0, 1]
    assert q["active_end"].tolist() == [1, 2]
    y = m.period_table(six, "year")
    assert y["period"].tolist() == ["2023", "2024"]
    assert y["days"].tolist() == [365, 366]
    w = m.period_table(six, "week")
    assert w["period"].iloc[0] == "2023-W52"  # Monday 2023-12-25
    assert w["period"].iloc[-1] == "2024-W11"
    assert (w["period_end"] - w["period_start"]).dt.days.eq(6).all()
    assert w["new"].sum() == 6 and w["churned"].sum() == 4
    # B (Feb 1) and F (Jan 31) both end in the week of 2024-01-29
    row = w.set_index("period").loc["2024-W05"]
    assert (row["churned"], row["churned_from_start"], row["active_start"]) == (2, 2, 3)
    assert set(m.customers_in_period(six, "2024-W05", "week")["customer_id"]) == {"B", "F"}


@pytest.mark.parametrize("period", list(m.PERIODS))
@pytest.mark.parametrize("definition", list(m.CHURN_DEFINITIONS))
def test_active_end_identity_on_random_data(period, definition):
    rng = np.random.default_rng(7)
    n = 400
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    length = rng.integers(0, 500, n)
    end = start + pd.to_timedelta(length, unit="D")
    end = pd.Series(end).where(rng.random(n) < 0.6)
    rows = [(str(i), s, e, 1.0) for i, (s, e) in enumerate(zip(start, end, strict=True))]
    table = make_table(rows, "2024-01-10")
    pt = m.period_table(table, period, definition)
    assert (pt["active_end"] == pt["active_start"] + pt["new"] - pt["churned"]).all()
    assert (pt["active_start"].iloc[1:].to_numpy() == pt["active_end"].iloc[:-1].to_numpy()).all()
    # independent count: active at the start of each period, straight from the definition
    f = table.frame
    snap = pd.Timestamp("2024-01-10")
    e = f["end_date"].where(f["end_date"] <= snap)
    for _, r in pt.sample(min(5, len(pt)), random_state=1).iterrows():
        first, last = r["period_start"], r["period_end"]
        act = ((f["start_date"] < first) & (e.isna() | (e >= first))).sum()
        new = f["start_date"].between(first, last).sum()
        lost = e.between(first, last).sum()
        assert (r["active_start"], r["new"], r["churned"]) == (act, new, lost)


def test_dated_rows_computed_once_give_the_same_tables():
    """The app computes the dated rows once and passes them in (``dated=``)."""
    rng = np.random.default_rng(3)
    n = 300
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    end = pd.Series(start + pd.to_timedelta(rng.integers(0, 500, n), unit="D"))
    end = end.where(rng.random(n) < 0.5)
    rows = [(str(i), s, e, 1.0) for i, (s, e) in enumerate(zip(start, end, strict=True))]
    table = make_table(rows, "2024-01-10")
    d = m.dated_rows(table)
    for period in ("week", "month", "quarter"):
        plain = m.period_table(table, period)
        pd.testing.assert_frame_equal(m.period_table(table, period, dated=d), plain)
        label = str(plain.loc[plain["churned"] > 0, "period"].iloc[0])
        for which in ("churned", "new", "active_start"):
            pd.testing.assert_frame_equal(
                m.customers_in_period(table, label, period, which, dated=d),
                m.customers_in_period(table, label, period, which),
            )
    pd.testing.assert_frame_equal(m.cohort_table(table, dated=d), m.cohort_table(table))


def test_domain_example_250_new_10_lost():
    # 100 customers from Q1; in Q2 250 join, 4 of them leave, and 6 of the old ones leave.
    rows = [(f"o{i}", "2024-01-15", "2024-06-01" if i < 6 else None, 1) for i in range(100)]
    rows += [(f"n{i}", "2024-04-10", "2024-05-20" if i < 4 else None, 1) for i in range(250)]
    table = make_table(rows, "2024-06-30")
    by_def = {d: m.period_table(table, "quarter", d).iloc[-1] for d in m.CHURN_DEFINITIONS}
    q2 = by_def["lost_over_new"]
    assert q2["period"] == "2024Q2"
    assert not q2["partial"]  # the snapshot is the quarter's last day
    assert (q2["numerator"], q2["denominator"]) == (10, 250)
    assert q2["churn_rate"] == pytest.approx(0.04)
    assert by_def["start"]["churn_rate"] == pytest.approx(6 / 100)
    assert by_def["start_plus_new"]["churn_rate"] == pytest.approx(10 / 350)
    assert q2["days"] == 91
    assert q2["monthly_equivalent"] == pytest.approx(1 - 0.96 ** ((365 / 12) / 91))
    assert q2["active_end"] == 100 + 250 - 10


def test_monthly_equivalent_and_wilson():
    assert m.monthly_equivalent(0.04, 365 / 12) == pytest.approx(0.04)
    assert m.monthly_equivalent(0.5, 2 * 365 / 12) == pytest.approx(1 - math.sqrt(0.5))
    assert np.isnan(m.monthly_equivalent(1.5, 30))
    low, high = m.wilson_interval(10, 100)
    # reference values for 10/100 at 95 %
    assert (float(low), float(high)) == pytest.approx((0.0552, 0.1744), abs=1e-4)
    low, high = m.wilson_interval(3, 2)
    assert np.isnan(low) and np.isnan(high)


def test_headline_period_is_the_last_final_one(six):
    pt = m.period_table(six, "month")
    assert pt["churn_final"].tolist() == [True, True, True, False]
    assert m.headline_period(pt)["period"] == "2024-02"
    assert m.headline_period(pt.iloc[3:])["period"] == "2024-03"  # nothing final: the last


def test_revenue_and_reasons_by_hand(six):
    pt = m.period_table(six, "month")
    assert pt["revenue_start"].tolist() == [0, 60, 30, 50]  # F; A+B; A+D
    assert pt["revenue_new"].tolist() == [60, 30, 70, 50]
    assert pt["revenue_lost"].tolist() == [0, 60, 20, 40]  # F; B; D (C joined in Feb)
    assert pt["gross_revenue_churn"].iloc[1:].tolist() == pytest.approx([1.0, 2 / 3, 0.8])
    assert pt["churned_involuntary"].tolist() == [0, 0, 1, 1]  # B, D
    assert pt["churned_voluntary"].tolist() == [0, 1, 1, 0]  # F, C
    assert any("Net revenue retention" in n for n in pt.attrs["notes"])


def test_classify_reason():
    s = pd.Series(["Payment failed", "card declined", "결제 실패", "Too expensive", None, "moved"])
    assert m.classify_reason(s).tolist() == [
        "involuntary",
        "involuntary",
        "involuntary",
        "voluntary",
        "voluntary",
        "voluntary",
    ]


def test_left_out_rows_and_late_ends_are_reported():
    rows = [
        ("a", "2024-01-05", None, 1),
        ("b", None, None, 1),
        ("c", "2024-01-10", "2024-01-02", 1),  # ends before it starts
        ("d", "2024-01-10", "2024-05-01", 1),  # ends after the snapshot: still active
    ]
    table = make_table(rows, "2024-02-10")
    pt = m.period_table(table, "month")
    assert pt["new"].tolist() == [2, 0]
    assert pt["churned"].tolist() == [0, 0]
    notes = " ".join(pt.attrs["notes"])
    assert "without a start date" in notes and "before their start date" in notes
    assert "after the snapshot" in notes


def test_nothing_left_to_count_says_why():
    table = make_table([("a", "2024-02-01", "2024-01-01", 1)], "2024-03-01")
    with pytest.raises(ChurnDataError, match="no customer left.*before their start date"):
        m.period_table(table)


def test_errors_are_churn_data_errors(six):
    with pytest.raises(ChurnDataError, match="period"):
        m.period_table(six, "fortnight")
    with pytest.raises(ChurnDataError, match="definition"):
        m.period_table(six, "month", "nope")
    with pytest.raises(ChurnDataError, match="not a month label"):
        m.customers_in_period(six, "March", "month")
    tenure_only = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "churned": [1.0, 0.0],
            "label_status": ["churned", "active"],
            "start_date": pd.NaT,
            "end_date": pd.NaT,
            "tenure_days": [30.0, 60.0],
            "value": np.nan,
        }
    )
    t = CustomerTable(frame=tenure_only, roles=ColumnRoles(tenure="tenure"), shape="customers")
    with pytest.raises(ChurnDataError, match="needs start dates.*tenure column"):
        m.period_table(t)
    with pytest.raises(ChurnDataError, match="start_date"):
        m.cohort_table(t)
    no_time = t.frame.assign(tenure_days=np.nan)
    t2 = CustomerTable(frame=no_time, roles=ColumnRoles(), shape="customers")
    with pytest.raises(ChurnDataError, match="no dates and no tenure"):
        m.survival_curves(t2)
    with pytest.raises(ChurnDataError, match="no dates and no tenure"):
        m.period_table(t2)


def test_cohort_table_by_hand(six):
    c = m.cohort_table(six, max_months=3, min_cell=2).set_index(["cohort", "months_since"])
    assert c.loc["2023-12", "cohort_size"].tolist() == [1, 1, 1, 1]
    assert c.loc["2023-12", "active"].tolist() == [1, 1, 0, 0]  # F ends Jan 31
    assert c.loc["2024-01", "active"].iloc[:3].tolist() == [2, 2, 1]  # B ends Feb 1
    assert c.loc["2024-01", "observable"].tolist() == [True, True, True, False]
    assert math.isnan(c.loc[("2024-01", 3), "retention"])
    assert c.loc["2024-02", "active"].iloc[:2].tolist() == [2, 1]  # C gone in Feb, D in Mar
    assert c.loc[("2024-02", 1), "retention"] == 0.5
    assert c.loc["2024-03", "observable"].tolist() == [True, False, False, False]
    assert c.xs(0, level="months_since")["small"].tolist() == [True, False, False, True]
    assert c.loc[("2024-01", 2), "revenue_retention"] == pytest.approx(10 / 30)
    assert c.loc[("2024-02", 1), "revenue_retention"] == pytest.approx(40 / 70)
    assert c.loc[("2024-02", 1), "ci_low"] < 0.5 < c.loc[("2024-02", 1), "ci_high"]


def test_cohort_agrees_with_a_direct_count():
    rng = np.random.default_rng(3)
    n = 300
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    end = pd.Series(start + pd.to_timedelta(rng.integers(0, 400, n), unit="D"))
    end = end.where((rng.random(n) < 0.5) & (end <= pd.Timestamp("2024-03-31")))
    rows = [(str(i), s, e, 1.0) for i, (s, e) in enumerate(zip(start, end, strict=True))]
    table = make_table(rows, "2024-03-31")
    c = m.cohort_table(table, max_months=6)
    f = table.frame
    for _, r in c[c["observable"]].sample(20, random_state=2).iterrows():
        month = pd.Period(r["cohort"], "M")
        members = f[f["start_date"].dt.to_period("M") == month]
        first_day = (month + int(r["months_since"])).start_time
        expect = (members["end_date"].isna() | (members["end_date"] >= first_day)).sum()
        assert (r["cohort_size"], r["active"]) == (len(members), expect)


def test_km_by_hand_and_against_lifelines():
    from lifelines import KaplanMeierFitter

    f = pd.DataFrame(
        {
            "customer_id": list("abcde"),
            "tenure_days": [1.0, 2, 2, 3, 4],
            "churned": [1.0, 1, 0, 1, 0],
            "start_date": pd.NaT,
            "end_date": pd.NaT,
            "value": np.nan,
            "label_status": "x",
        }
    )
    t = CustomerTable(frame=f, roles=ColumnRoles(), shape="customers")
    res = m.survival_curves(t)
    curve = res.curves.set_index("time_days")
    # S(1) = 4/5; S(2) = 0.8 * 3/4; S(3) = 0.6 * 1/2; censored at 4
    assert curve["survival"].to_dict() == pytest.approx({0: 1, 1: 0.8, 2: 0.6, 3: 0.3, 4: 0.3})
    assert curve["at_risk"].tolist() == [5, 5, 4, 2, 1]
    g = res.groups.iloc[0]
    assert (g["group"], g["customers"], g["churned"]) == ("all", 5, 3)
    assert g["median_lifetime_days"] == 3 and g["median_reached"]
    assert res.logrank_p is None
    kmf = KaplanMeierFitter().fit(f["tenure_days"], f["churned"])
    ci = kmf.confidence_interval_survival_function_
    assert curve["ci_low"].tolist() == pytest.approx(ci.iloc[:, 0].tolist())
    assert curve["ci_high"].tolist() == pytest.approx(ci.iloc[:, 1].tolist())
    assert m.survival_at(res.curves, [0.5, 1, 2.5, 10]).tolist() == pytest.approx(
        [1, 0.8, 0.6, 0.3]
    )


def test_median_not_reached_is_inf():
    f = pd.DataFrame(
        {
            "customer_id": list("abcd"),
            "tenure_days": [5.0, 10, 10, 10],
            "churned": [1.0, 0, 0, 0],
            "start_date": pd.NaT,
            "end_date": pd.NaT,
            "value": np.nan,
        }
    )
    res = m.survival_curves(CustomerTable(frame=f, roles=ColumnRoles(), shape="customers"))
    g = res.groups.iloc[0]
    assert math.isinf(g["median_lifetime_days"]) and not g["median_reached"]


def test_groups_and_logrank_against_lifelines():
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    rng = np.random.default_rng(11)
    n = 600
    plan = rng.choice(
        ["basic", "pro", "team", "x1", "x2", "x3", "x4"], n, p=[0.3, 0.25, 0.2] + [0.0625] * 4
    )
    scale = pd.Series(plan).map({"basic": 200, "pro": 400, "team": 800}).fillna(300).to_numpy()
    life = rng.exponential(scale)
    cens = rng.uniform(0, 700, n)
    f = pd.DataFrame(
        {
            "customer_id": [str(i) for i in range(n)],
            "tenure_days": np.minimum(life, cens).round(),
            "churned": (life <= cens).astype(float),
            "start_date": pd.NaT,
            "end_date": pd.NaT,
            "value": np.nan,
            "plan": plan,
        }
    )
    f.loc[0, "churned"] = np.nan  # not labelled: left out
    t = CustomerTable(frame=f, roles=ColumnRoles(), shape="customers")
    res = m.survival_curves(t, by="plan", max_groups=4)
    assert res.customers_used == n - 1 and res.customers_left_out == 1
    assert set(res.groups["group"]) == {"basic", "pro", "team", "other"}
    assert res.groups["customers"].sum() == n - 1
    used = f.iloc[1:]
    grp = used["plan"].where(used["plan"].isin(["basic", "pro", "team"]), "other")
    expect = multivariate_logrank_test(used["tenure_days"], grp, used["churned"]).p_value
    assert res.logrank_p == pytest.approx(expect)
    assert res.logrank_p < 1e-6
    for name in ["basic", "team", "other"]:
        mask = grp == name
        kmf = KaplanMeierFitter().fit(used.loc[mask, "tenure_days"], used.loc[mask, "churned"])
        row = res.groups.set_index("group").loc[name]
        assert row["median_lifetime_days"] == kmf.median_survival_time_
        assert row["churned"] == int(used.loc[mask, "churned"].sum())
        curve = res.curves[res.curves["group"] == name]
        assert curve["survival"].tolist() == pytest.approx(
            kmf.survival_function_.iloc[:, 0].tolist()
        )
    with pytest.raises(ChurnDataError, match="nope"):
        m.survival_curves(t, by="nope")


def test_numeric_by_column_is_cut_into_quartiles():
    f = pd.DataFrame(
        {
            "customer_id": [str(i) for i in range(40)],
            "tenure_days": np.arange(40, dtype=float),
            "churned": np.tile([1.0, 0.0], 20),
            "start_date": pd.NaT,
            "end_date": pd.NaT,
            "value": np.nan,
            "fee": np.arange(40, dtype=float),
        }
    )
    res = m.survival_curves(
        CustomerTable(frame=f, roles=ColumnRoles(), shape="customers"), by="fee"
    )
    assert len(res.groups) == 4
    assert res.groups["customers"].tolist() == [10, 10, 10, 10]


def _forecast_table(snapshot=None):
    # X leaves at 15 days, Y at 45; Z and W are active with tenure 0.
    f = pd.DataFrame(
        {
            "customer_id": ["X", "Y", "Z", "W"],
            "tenure_days": [15.0, 45, 0, 0],
            "churned": [1.0, 1, 0, 0],
            "label_status": ["churned", "churned", "active", "active"],
            "start_date": pd.NaT,
            "end_date": pd.NaT,
            "value": [np.nan, np.nan, 10.0, 30.0],
            "days_to_renewal": [np.nan, np.nan, 5, 40],
        }
    )
    snap = pd.Timestamp(snapshot) if snapshot else None
    return CustomerTable(frame=f, roles=ColumnRoles(), shape="customers", snapshot=snap)


def test_forecast_from_km_by_hand():
    # KM: S = 1 until 15, 0.5 until 45, then 0. Z and W (tenure 0) leave with
    # probability 0.5 in the first month (0, 30.4] and 0.5 in the second.
    fc = m.forecast_next_months(_forecast_table(), months=6, renewal_col="days_to_renewal")
    assert fc["month"].tolist() == [1, 2, 3, 4, 5, 6]
    assert fc["expected_churners"].tolist() == pytest.approx([1, 1, 0, 0, 0, 0])
    assert fc["revenue_at_stake"].tolist() == pytest.approx([20, 20, 0, 0, 0, 0])
    assert (fc["method"] == "kaplan_meier").all()
    assert (fc["active_customers"] == 2).all()
    assert fc["renewals"].tolist() == [1, 1, 0, 0, 0, 0]
    assert fc["renewal_value"].tolist() == [10, 30, 0, 0, 0, 0]
    assert fc["window_start"].isna().all()


def test_forecast_windows_follow_the_calendar():
    fc = m.forecast_next_months(_forecast_table("2024-01-31"), months=2)
    assert fc["window_start"].tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01")]
    assert fc["window_end"].tolist() == [pd.Timestamp("2024-02-29"), pd.Timestamp("2024-03-31")]
    assert fc["days"].tolist() == [29, 31]
    assert fc["expected_churners"].tolist() == pytest.approx([1, 1])


def test_forecast_from_scores():
    scores = pd.Series({"Z": 0.5, "W": 0.0, "X": 0.9})  # X already left: ignored
    fc = m.forecast_next_months(_forecast_table(), months=2, scores=scores, score_horizon_months=1)
    # Z: monthly hazard 0.5 -> 0.5 in month 1, 0.25 in month 2
    assert fc["expected_churners"].tolist() == pytest.approx([0.5, 0.25])
    assert fc["revenue_at_stake"].tolist() == pytest.approx([5, 2.5])
    assert (fc["method"] == "model_scores").all()
    with pytest.raises(ChurnDataError, match="renewal"):
        m.forecast_next_months(_forecast_table(), renewal_col="nope")


def test_forecast_conditions_on_tenure_against_lifelines():
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(5)
    n = 500
    life = rng.exponential(300, n)
    cens = rng.uniform(0, 600, n)
    f = pd.DataFrame(
        {
            "customer_id": [str(i) for i in range(n)],
            "tenure_days": np.minimum(life, cens).round(),
            "churned": (life <= cens).astype(float),
            "label_status": "active",
            "start_date": pd.NaT,
            "end_date": pd.NaT,
            "value": rng.uniform(10, 100, n).round(),
        }
    )
    t = CustomerTable(frame=f, roles=ColumnRoles(), shape="customers")
    fc = m.forecast_next_months(t, months=3)
    kmf = KaplanMeierFitter().fit(f["tenure_days"], f["churned"])
    act = f[f["churned"] == 0]
    expect, revenue = [], []
    for h in range(1, 4):
        # whole-day windows (30, 61, 91 days), read half a day late (see the docstring)
        a, b = round((h - 1) * 365 / 12) + 0.5, round(h * 365 / 12) + 0.5
        s0 = kmf.survival_function_at_times(act["tenure_days"] + 0.5).to_numpy()
        sa = kmf.survival_function_at_times(act["tenure_days"] + a).to_numpy()
        sb = kmf.survival_function_at_times(act["tenure_days"] + b).to_numpy()
        p = np.where(s0 > 0, (sa - sb) / s0, 0)
        expect.append(p.sum())
        revenue.append((p * act["value"].to_numpy()).sum())
    assert fc["expected_churners"].tolist() == pytest.approx(expect)
    assert fc["revenue_at_stake"].tolist() == pytest.approx(revenue)


def test_definitions_registry_has_the_three_named_specs():
    assert list(m.CHURN_DEFINITIONS) == ["start", "start_plus_new", "lost_over_new"]
    for spec in m.CHURN_DEFINITIONS.values():
        assert spec.label and spec.explanation and callable(spec.function)
    assert m.parse_period("2024-W10", "week").start_time == pd.Timestamp("2024-03-04")
    assert m.period_label(m.parse_period("2024Q1", "quarter"), "quarter") == "2024Q1"


# ------------------------------------------------------------------------------------
# The real files
# ------------------------------------------------------------------------------------


def _telco_table(shared_data: Path) -> tuple[pd.DataFrame, CustomerTable]:
    raw = pd.read_csv(shared_data / "telco_customer_churn.csv", dtype={"customerID": str})
    f = pd.DataFrame(
        {
            "customer_id": raw["customerID"],
            "churned": (raw["Churn"] == "Yes").astype(float),
            "label_status": np.where(raw["Churn"] == "Yes", "churned", "active"),
            "start_date": pd.NaT,
            "end_date": pd.NaT,
            "tenure_days": raw["tenure"] * 365.25 / 12,
            "value": raw["MonthlyCharges"],
            "Contract": raw["Contract"],
        }
    )
    roles = ColumnRoles(id="customerID", label="Churn", tenure="tenure")
    return raw, CustomerTable(frame=f, roles=roles, shape="customers")


def test_telco_survival_from_tenure(shared_data):
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    raw, table = _telco_table(shared_data)
    res = m.survival_curves(table, by="Contract")
    assert res.customers_used == 7043
    assert res.groups["customers"].sum() == 7043
    assert res.groups["churned"].sum() == 1869
    by = res.groups.set_index("group")
    assert by.loc["Month-to-month", "customers"] == (raw["Contract"] == "Month-to-month").sum()
    # most two-year customers stay past the 72 months seen: the median is not reached
    assert not by.loc["Two year", "median_reached"]
    expect = multivariate_logrank_test(
        table.frame["tenure_days"], raw["Contract"], table.frame["churned"]
    )
    assert res.logrank_p == pytest.approx(expect.p_value)
    overall = m.survival_curves(table)
    kmf = KaplanMeierFitter().fit(table.frame["tenure_days"], table.frame["churned"])
    assert overall.curves["survival"].tolist() == pytest.approx(
        kmf.survival_function_.iloc[:, 0].tolist()
    )
    # the period table cannot be drawn without dates, and says why
    with pytest.raises(ChurnDataError, match="tenure column"):
        m.period_table(table)
    fc = m.forecast_next_months(table)
    assert (fc["active_customers"] == 5174).all()
    assert 0 < fc["expected_churners"].iloc[0] < 5174


def _cdnow_table(shared_data: Path, inactivity: int = 180) -> CustomerTable:
    """An independent event-log -> customer table: first purchase, churn at the last one."""
    ev = pd.read_csv(
        shared_data / "cdnow_transactions.csv", dtype={"customer_id": str}, parse_dates=["date"]
    )
    snap = pd.Timestamp("1998-06-30")
    g = ev.groupby("customer_id")
    first, last = g["date"].min(), g["date"].max()
    churned = (snap - last).dt.days > inactivity
    f = pd.DataFrame(
        {
            "customer_id": first.index,
            "churned": churned.astype(float).to_numpy(),
            "label_status": np.where(churned, "churned", "active"),
            "start_date": first.to_numpy(),
            "end_date": last.where(churned).to_numpy(),
            "tenure_days": ((last.where(churned, snap)) - first).dt.days.to_numpy(dtype=float),
            "value": g["dollar_value"].sum().to_numpy(),
        }
    )
    return CustomerTable(
        frame=f, roles=ColumnRoles(), shape="events", snapshot=snap, inactivity_days=inactivity
    )


def test_cdnow_period_table_and_cohorts(shared_data):
    table = _cdnow_table(shared_data)
    assert table.n_customers == 23570
    pt = m.period_table(table, "month", "start")
    assert pt["period"].iloc[0] == "1997-01" and pt["period"].iloc[-1] == "1998-06"
    assert pt["new"].iloc[:3].sum() == 23570 and pt["new"].iloc[3:].sum() == 0
    assert pt["churned"].sum() == table.n_churned
    assert pt["active_end"].iloc[-1] == 23570 - table.n_churned
    assert not pt["partial"].any()  # the snapshot is June's last day
    # churn is judged after 180 quiet days: periods ending after 1998-01-01 are not final
    final = pt.set_index("period")["churn_final"]
    assert final["1997-12"] and not final["1998-01"] and not final["1998-06"]
    assert pt.set_index("period").loc["1998-03", "churned"] == 0
    assert m.headline_period(pt)["period"] == "1997-12"
    c = m.cohort_table(table, max_months=17)
    assert c.groupby("cohort")["cohort_size"].first().sum() == 23570
    assert set(c["cohort"]) == {"1997-01", "1997-02", "1997-03"}
    surv = m.survival_curves(table)
    assert surv.customers_used == 23570


def test_cdnow_through_churn_shapes(shared_data):
    shapes = pytest.importorskip("churn.shapes")
    io = pytest.importorskip("churn.io")
    read = io.read_table(shared_data / "cdnow_transactions.csv")
    frame = getattr(read, "frame", read)
    roles = ColumnRoles(id="customer_id", event_date="date", amount="dollar_value")
    table = shapes.build_customer_table(frame, roles, snapshot="1998-06-30", inactivity_days=180)
    assert table.n_customers == 23570
    assert table.n_churned == 18196
    pt = m.period_table(table, "month")
    assert pt["new"].sum() == 23570
    assert (pt["active_end"] == pt["active_start"] + pt["new"] - pt["churned"]).all()
    assert m.survival_curves(table).customers_used > 0


def test_generated_sample_through_shapes():
    sample = pytest.importorskip("churn.sample")
    shapes = pytest.importorskip("churn.shapes")
    io = pytest.importorskip("churn.io")
    roles_mod = pytest.importorskip("churn.roles")
    raw = sample.generate_subscriptions(n=1200, seed=5)
    frame = io.read_table(raw.to_csv(index=False).encode(), name="s.csv").frame
    roles = roles_mod.infer_roles(frame)
    assert roles.reason is not None and roles.start and roles.end
    table = shapes.build_customer_table(frame, roles)
    pt = m.period_table(table, "quarter")
    assert (pt["active_end"] == pt["active_start"] + pt["new"] - pt["churned"]).all()
    assert pt["new"].sum() == table.n_customers
    assert pt["churned"].sum() == table.n_churned
    # involuntary = churned with a payment reason, counted straight from the raw file
    lost = raw[raw["churned"] == "Yes"]
    assert pt["churned_involuntary"].sum() == (lost["churn_reason"] == "Payment failed").sum()
    assert pt["revenue_new"].sum() == pytest.approx(raw["monthly_fee"].sum())
