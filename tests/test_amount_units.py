"""The value column and its unit (issue 17, item 3): ratios, shares, percentages, counts,
hours, scores and identifiers are never money; a fee per month, per year, a lifetime total
and an amount per order are told apart; lifetime value, revenue churn, revenue at stake
and revenue at risk use the unit and say it. Files are generated; numbers by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.errors import ChurnDataError
from churn.metrics import forecast_next_months, period_table
from churn.money import DAYS_PER_MONTH, basis_of, monthly_amounts, value_basis
from churn.roles import (
    ColumnRoles,
    amount_unit_for,
    facts_of,
    infer_roles,
    propose_amount,
)
from churn.segments import lifetime_value, revenue_at_risk_by_segment
from churn.settings import IntakeSettings
from churn.shapes import build_customer_table
from churn.table import VALUE

N = 40


def customers(**extra) -> pd.DataFrame:
    """One row per customer: an id, a churn label, a tenure in months, and ``extra``."""
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(N)],
            "churn": ["Yes", "No", "No", "No"] * (N // 4),
            "tenure": rng.integers(1, 60, N),
        }
    )
    for name, values in extra.items():
        frame[name] = values
    return frame


RNG = np.random.default_rng(5)

# --------------------------------------------------------------------------- never money

NOT_MONEY = {
    "hours (whole)": ("HourSpendOnApp", RNG.integers(0, 6, N)),
    "hours (tenths)": ("HourSpendOnApp", RNG.uniform(0, 5, N).round(1)),
    "quarter-on-quarter ratio": ("Total_Amt_Chng_Q4_Q1", RNG.uniform(0.4, 3.4, N).round(3)),
    "utilization ratio": ("Avg_Utilization_Ratio", RNG.uniform(0, 1, N).round(3)),
    "transaction count": ("Total_Trans_Ct", RNG.integers(10, 140, N)),
    "percentage": ("fee_pct", RNG.uniform(0, 100, N).round(1)),
    "score under a money name": ("spend_score", RNG.integers(1, 100, N)),
    "nps under a money name": ("revenue_nps", RNG.integers(-100, 101, N)),
    "identifier": ("payment_id", np.arange(100_000, 100_000 + N) * 7),
    "order count": ("order_amount_count", RNG.integers(0, 30, N)),
    "percent hike": ("OrderAmountHikeFromlastYear", RNG.integers(11, 27, N)),
    "cashback": ("CashbackAmount", RNG.uniform(0, 325, N).round(2)),
    # values alone: the names say money
    "0-1 share": ("revenue_share_of_wallet", RNG.uniform(0, 1, N).round(2)),
    "ratio finer than cents": ("revenue", RNG.uniform(0.5, 2.5, N).round(4)),
    "small whole numbers": ("fee", RNG.integers(0, 9, N)),
    "row numbers": ("amount", np.arange(1, N + 1)),
    "mostly negative": ("amount", RNG.uniform(-50, 20, N).round(2)),
}


@pytest.mark.parametrize("pattern", list(NOT_MONEY))
def test_ratios_shares_counts_hours_scores_and_ids_are_never_money(pattern):
    name, values = NOT_MONEY[pattern]
    frame = customers(**{name: values})
    assert propose_amount(frame, facts_of(frame)) is None
    roles = infer_roles(frame)
    assert (roles.amount, roles.amount_unit) == (None, None)
    table = build_customer_table(frame, roles)
    assert not table.has_value
    # "Revenue at stake in 6 months" is never computed from hours or ratios
    assert forecast_next_months(table, 6)["revenue_at_stake"].isna().all()


def test_the_e_commerce_export_has_no_amount_in_hours():
    frame = customers(
        HourSpendOnApp=RNG.integers(0, 6, N),
        OrderAmountHikeFromlastYear=RNG.integers(11, 27, N),
        CashbackAmount=RNG.uniform(0, 325, N).round(2),
        OrderCount=RNG.integers(1, 16, N),
    )
    assert infer_roles(frame).amount is None


def test_a_card_export_takes_the_transaction_amount_not_the_ratios():
    frame = customers(
        Total_Amt_Chng_Q4_Q1=RNG.uniform(0.4, 3.4, N).round(3),
        Total_Trans_Amt=RNG.integers(510, 18_000, N),
        Total_Trans_Ct=RNG.integers(10, 140, N),
        Avg_Utilization_Ratio=RNG.uniform(0, 1, N).round(3),
    )
    roles = infer_roles(frame)
    assert (roles.amount, roles.amount_unit) == ("Total_Trans_Amt", "total")


# --------------------------------------------------------------------------- units


def _proposal(frame: pd.DataFrame, events: bool = False):
    got = propose_amount(frame, facts_of(frame), events=events)
    assert got is not None
    return got.column, got.unit, got.confidence


FEES = RNG.choice([9.99, 19.99, 29.99, 49.99], N)


def test_a_monthly_fee_is_per_month():
    assert _proposal(customers(monthly_fee=FEES)) == ("monthly_fee", "month", "high")
    assert _proposal(customers(MonthlyCharges=FEES)) == ("MonthlyCharges", "month", "high")
    won = customers(**{"월요금": RNG.choice([5900, 12900, 24900], N)})
    assert _proposal(won) == ("월요금", "month", "high")
    reason = propose_amount(won, facts_of(won)).reason
    assert reason == "named like an amount per month; values 5,900 to 24,900"


def test_an_annual_fee_is_per_year():
    assert _proposal(customers(annual_fee=FEES * 12)) == ("annual_fee", "year", "high")
    assert _proposal(customers(**{"연회비": RNG.choice([59000, 129000], N)}))[1] == "year"


def test_lifetime_totals_are_totals():
    frame = customers()
    spend = frame["tenure"].to_numpy() * FEES
    assert _proposal(customers(lifetime_value=spend)) == ("lifetime_value", "total", "high")
    assert _proposal(customers(TotalCharges=spend)) == ("TotalCharges", "total", "medium")
    assert _proposal(customers(total_spend=spend)) == ("total_spend", "total", "medium")
    assert _proposal(customers(**{"누적매출": spend})) == ("누적매출", "total", "high")


def test_an_amount_that_grows_with_tenure_is_read_as_a_lifetime_total():
    frame = customers()
    fees = RNG.choice([19.99, 24.99, 29.99], N)
    frame["spend"] = (frame["tenure"] * fees).round(2)
    assert np.corrcoef(frame["spend"], frame["tenure"])[0, 1] > 0.8
    got = propose_amount(frame, facts_of(frame))
    assert (got.column, got.unit, got.confidence) == ("spend", "total", "medium")
    assert got.reason.startswith("named like money and rises with the tenure in 'tenure'")


def test_the_monthly_fee_wins_over_the_lifetime_total():
    frame = customers(MonthlyCharges=FEES)
    frame["TotalCharges"] = frame["tenure"] * FEES
    assert (infer_roles(frame).amount, infer_roles(frame).amount_unit) == (
        "MonthlyCharges",
        "month",
    )


def test_an_unclear_unit_is_asked_with_low_confidence():
    assert _proposal(customers(subscription_fee=FEES)) == ("subscription_fee", "month", "low")
    frame = customers(revenue=RNG.uniform(10, 500, N).round(2))
    assert _proposal(frame) == ("revenue", None, "low")
    roles = infer_roles(frame)
    assert ("amount", "revenue", "low") in [r[:3] for r in roles.reasons]


def test_an_order_amount_in_an_event_log_is_per_order():
    assert _proposal(event_log(), events=True) == ("order_value", "order", "high")
    roles = infer_roles(event_log())
    assert (roles.event_date, roles.amount, roles.amount_unit) == (
        "order_date",
        "order_value",
        "order",
    )
    why = dict(((r, c), w) for r, c, _, w in roles.reasons)[("amount", "order_value")]
    assert why == "an amount on each row of an event log: per order; values 12.5 to 70"


def test_a_column_the_user_chose_gets_its_unit_or_none():
    frame = customers(HourSpendOnApp=RNG.integers(0, 6, N))
    frame["TotalCharges"] = frame["tenure"] * FEES
    assert amount_unit_for(frame, "TotalCharges").unit == "total"
    hours = amount_unit_for(frame, "HourSpendOnApp")
    assert (hours.unit, hours.confidence) == (None, "low")
    assert amount_unit_for(event_log(), "order_value", events=True).unit == "order"


# --------------------------------------------------------------------------- conversions

FEE = [30.0, 50.0, 80.0, 20.0]
TENURE = [2, 4, 10, 5]


def fee_file() -> pd.DataFrame:
    """Four customers, all churned: the monthly fee, the same per year, and the lifetime
    total so far (fee x tenure)."""
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "churn": ["Yes"] * 4,
            "tenure": TENURE,
            "fee": FEE,
            "fee_year": [f * 12 for f in FEE],
            "paid_so_far": [f * t for f, t in zip(FEE, TENURE, strict=True)],
        }
    )


def _table(frame: pd.DataFrame, amount: str, unit: str | None, **roles):
    base = dict(id="customer_id", label="churn", churned_values=("Yes",), tenure="tenure")
    base["active_values"] = ("No",)
    base.update(roles)
    return build_customer_table(frame, ColumnRoles(**base, amount=amount, amount_unit=unit))


@pytest.mark.parametrize(
    ("amount", "unit"), [("fee", "month"), ("fee_year", "year"), ("paid_so_far", "total")]
)
def test_month_year_and_total_give_the_same_value_per_month(amount, unit):
    table = _table(fee_file(), amount, unit)
    assert table.frame[VALUE].tolist() == pytest.approx(FEE)
    ltv = lifetime_value(table)
    # everybody churned: the restricted mean is the mean tenure, (2 + 4 + 10 + 5) / 4
    row = ltv.iloc[0]
    assert row["expected_lifetime_months"] == pytest.approx(5.25)
    assert row["avg_monthly_value"] == pytest.approx(45.0)
    assert row["clv"] == pytest.approx(236.25)
    assert ltv.attrs["unit"] == unit and ltv.attrs["per_month"]
    words = {
        "month": "'fee' is an amount per month.",
        "year": "'fee_year' is an amount per year, divided by 12: money per month.",
        "total": "'paid_so_far' is a lifetime total so far, divided by each customer's tenure "
        "in months (at least 1): money per month.",
    }[unit]
    assert ltv.attrs["method"].endswith(words)
    assert ltv.attrs["value_note"] == words


def test_a_total_under_one_month_is_divided_by_one_month():
    frame = fee_file()
    frame["tenure"] = [0, 0.5, 10, 5]
    frame["paid_so_far"] = [30.0, 50.0, 800.0, 100.0]
    table = _table(frame, "paid_so_far", "total")
    # under a month: the total is what the first month brought; then 800 / 10, 100 / 5
    assert table.frame[VALUE].tolist() == pytest.approx([30.0, 50.0, 80.0, 20.0])
    frame["tenure"] = [None, 1, 10, 5]
    table = _table(frame, "paid_so_far", "total")
    assert np.isnan(table.frame[VALUE].iloc[0])
    assert "1 customers have an amount but no tenure, so no value per month." in table.notes


def test_a_total_without_a_tenure_is_refused_with_a_note():
    table = _table(fee_file(), "paid_so_far", "total", tenure=None)
    assert not table.has_value
    note = (
        "'paid_so_far' is a lifetime total, and no tenure is known to turn it into an amount "
        "per month: no value per month is shown. Set a tenure column or dates on the Data page."
    )
    assert note in table.notes
    with pytest.raises(ChurnDataError, match="no tenure is known"):
        revenue_at_risk_by_segment(table, "fee")


def test_an_amount_per_order_in_a_customer_file_is_refused():
    table = _table(fee_file(), "fee", "order")
    assert not table.has_value
    assert any("the orders per month are unknown" in n for n in table.notes)


def test_an_unconfirmed_unit_is_used_as_it_is_and_says_so():
    table = _table(fee_file(), "fee_year", None)
    assert table.frame[VALUE].tolist() == [f * 12 for f in FEE]
    ltv = lifetime_value(table)
    assert not ltv.attrs["per_month"] and ltv.attrs["unit"] is None
    assert "The unit of 'fee_year' is not confirmed" in ltv.attrs["method"]
    assert "not as money per month" in ltv.attrs["method"]
    assert ltv.iloc[0]["clv"] == pytest.approx(236.25 * 12)


def event_log() -> pd.DataFrame:
    """A: orders of 40, 50 and 70 over exactly 16 average months (487 days) before the
    2025-06-01 snapshot, still active; B and C: one order each, long ago."""
    return pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "B", "C"],
            "order_date": ["2024-01-31", "2024-09-01", "2025-05-20", "2024-03-01", "2025-01-15"],
            "order_value": [40.0, 50.0, 70.0, 25.0, 12.5],
        }
    )


def _events(unit: str | None):
    roles = ColumnRoles(
        id="customer_id", event_date="order_date", amount="order_value", amount_unit=unit
    )
    return build_customer_table(event_log(), IntakeSettings(roles, snapshot="2025-06-01"))


def test_orders_are_summed_per_month_of_activity():
    assert 487 / DAYS_PER_MONTH == pytest.approx(16.0)
    table = _events("order")
    values = dict(zip(table.frame["customer_id"], table.frame[VALUE], strict=True))
    # A: 160 over 16 months; B and C: one order, at least one month
    assert values == pytest.approx({"A": 10.0, "B": 25.0, "C": 12.5})
    assert table.frame["monetary"].tolist() == [160.0, 25.0, 12.5]  # RFM keeps the total
    yearly = dict(zip(table.frame["customer_id"], _events("year").frame[VALUE], strict=True))
    assert yearly == pytest.approx({"A": 10.0, "B": 25 / 12, "C": 12.5 / 12})
    assert not _events("total").has_value
    assert _events(None).frame[VALUE].tolist() == [160.0, 25.0, 12.5]


def test_monthly_amounts_by_hand():
    value = np.array([120.0, 300.0, np.nan])
    days = np.array([3 * DAYS_PER_MONTH, np.nan, 10.0])
    assert monthly_amounts(value, days, "year", "customers").tolist()[:2] == [10.0, 25.0]
    total = monthly_amounts(value, days, "total", "customers")
    assert total[0] == pytest.approx(40.0) and np.isnan(total[1]) and np.isnan(total[2])
    assert monthly_amounts(value, days, None, "customers")[:2].tolist() == [120.0, 300.0]


# --------------------------------------------------------------------------- revenue figures


def subscriptions(unit: str | None) -> object:
    """A (1,200 a year) from 2024-01-05 to 2024-03-10; B (2,400 a year) from 2024-01-10."""
    frame = pd.DataFrame(
        {
            "customer_id": ["A", "B"],
            "signup_date": ["2024-01-05", "2024-01-10"],
            "cancel_date": ["2024-03-10", None],
            "annual_fee": [1200.0, 2400.0],
        }
    )
    roles = ColumnRoles(
        id="customer_id",
        start="signup_date",
        end="cancel_date",
        amount="annual_fee",
        amount_unit=unit,
    )
    return build_customer_table(frame, IntakeSettings(roles, snapshot="2024-04-30"))


def test_revenue_churn_is_money_per_month_and_says_how():
    pt = period_table(subscriptions("year"), "month").set_index("period")
    # March starts with A and B (100 + 200 a month); A leaves in March: 100 lost
    assert pt.loc["2024-03", "revenue_start"] == pytest.approx(300.0)
    assert pt.loc["2024-03", "revenue_lost"] == pytest.approx(100.0)
    assert pt.loc["2024-03", "gross_revenue_churn"] == pytest.approx(1 / 3)
    note = "'annual_fee' is an amount per year, divided by 12: money per month."
    assert note in pt.attrs["notes"] and pt.attrs["value_note"] == note
    unsure = period_table(subscriptions(None), "month").set_index("period")
    assert unsure.loc["2024-03", "revenue_lost"] == pytest.approx(1200.0)
    assert not unsure.attrs["per_month"]
    assert any("'annual_fee' is not confirmed" in n for n in unsure.attrs["notes"])


def test_revenue_at_stake_uses_the_value_per_month():
    table = subscriptions("year")
    scores = pd.Series({"A": 0.9, "B": 0.25})  # A has left: only B is forecast
    fc = forecast_next_months(table, 1, scores=scores, score_horizon_months=1)
    assert fc["revenue_at_stake"].iloc[0] == pytest.approx(0.25 * 200.0)
    assert fc.attrs["value_note"].startswith("'annual_fee' is an amount per year")


def test_revenue_at_risk_by_segment_uses_the_lifetime_total_per_month():
    frame = pd.DataFrame(
        {
            "customer_id": list("abcdef"),
            "churn": ["Yes", "No", "No", "Yes", "No", "No"],
            "plan": ["x", "x", "x", "y", "y", "y"],
            "tenure": [3, 4, 10, 2, 5, 8],
            "TotalCharges": [90.0, 120.0, 500.0, 40.0, 250.0, 160.0],
        }
    )
    roles = ColumnRoles(
        id="customer_id",
        label="churn",
        churned_values=("Yes",),
        active_values=("No",),
        tenure="tenure",
        amount="TotalCharges",
        amount_unit="total",
        features=("plan",),
        categorical=("plan",),
    )
    table = build_customer_table(frame, roles)
    # per month: b 30, c 50; e 50, f 20. Segment rates: x 1/3, y 1/3
    risk = revenue_at_risk_by_segment(table, "plan").set_index("segment")
    assert risk.loc["x", "active_value"] == pytest.approx(80.0)
    assert risk.loc["x", "revenue_at_risk"] == pytest.approx(80 / 3)
    assert risk.loc["y", "revenue_at_risk"] == pytest.approx(70 / 3)
    assert risk.attrs["unit"] == "total" and risk.attrs["per_month"]
    assert "lifetime total so far" in risk.attrs["value_note"]


# --------------------------------------------------------------------------- persistence


def test_the_unit_travels_with_the_roles_and_old_workspaces_still_load():
    roles = ColumnRoles(id="customer_id", amount="fee_year", amount_unit="year")
    assert ColumnRoles.from_dict(roles.to_dict()).amount_unit == "year"
    old = roles.to_dict()
    del old["amount_unit"]  # saved before the unit existed
    back = ColumnRoles.from_dict(old)
    assert (back.amount, back.amount_unit) == ("fee_year", None)
    settings = IntakeSettings(roles, snapshot="2024-04-30")
    assert IntakeSettings.from_dict(settings.to_dict()).roles.amount_unit == "year"
    loaded = IntakeSettings.from_dict({"roles": old, "snapshot": None})
    assert loaded.roles.amount_unit is None
    assert not value_basis(loaded.roles, "customers").per_month
    assert basis_of(pd.DataFrame({VALUE: [1.0]})).per_month  # a plain frame: per month


def test_shared_files_keep_their_proposals():
    from tests.conftest import ROOT

    data = ROOT.parent / "shared" / "data"
    if not data.is_dir():
        pytest.skip("the shared data folder is absent")
    from churn.io import read_table

    telco = read_table((data / "telco_customer_churn.csv").read_bytes(), name="telco.csv")
    roles = infer_roles(telco.frame)
    assert (roles.amount, roles.amount_unit) == ("MonthlyCharges", "month")
    table = build_customer_table(telco.frame, roles)
    assert table.frame[VALUE].sum() == pytest.approx(telco.frame["MonthlyCharges"].sum())
    cdnow = read_table((data / "cdnow_transactions.csv").read_bytes(), name="cdnow.csv")
    roles = infer_roles(cdnow.frame)
    assert (roles.amount, roles.amount_unit) == ("dollar_value", "order")
    table = build_customer_table(cdnow.frame, roles)
    assert table.n_customers == 23_570
    assert table.frame["monetary"].sum() == pytest.approx(2_500_315.63)


def test_a_column_without_a_money_name_gets_no_unit_until_chosen():
    frame = customers(x1=RNG.uniform(10, 300, N).round(2))
    got = amount_unit_for(frame, "x1")
    assert (got.unit, got.confidence) == (None, "low")
    assert got.reason == "the name does not say what one value is: please choose the unit"


def test_the_campaign_counts_revenue_kept_per_month():
    import churn.model as M
    import churn.whatif as W

    rng = np.random.default_rng(0)
    n = 240
    contract = np.where(rng.random(n) < 0.5, "monthly", "annual")
    churned = np.where(rng.random(n) < np.where(contract == "monthly", 0.5, 0.1), "Yes", "No")
    frame = pd.DataFrame(
        {
            "id": [f"K{i:03d}" for i in range(n)],
            "contract": contract,
            "region": rng.choice(["North", "South"], n),
            "annual_fee": np.full(n, 240.0),
            "churned": churned,
        }
    )
    roles = ColumnRoles(
        id="id",
        label="churned",
        churned_values=("Yes",),
        active_values=("No",),
        amount="annual_fee",
        amount_unit="year",
        features=("contract", "region"),
        categorical=("contract", "region"),
    )
    table = build_customer_table(frame, roles)
    trained = M.train(table, model="logistic", split=M.choose_split(table, prefer="cv"))
    mask = (table.frame["contract"] == "monthly") & (table.frame["label_status"] == "active")
    offer = W.Intervention("set", "contract", "annual")
    res = W.segment_scenario(
        trained, table, mask, offer, cost_per_customer=2.0, acceptance=0.5, horizon_months=12
    )
    gain = (res.per_customer["risk_before"] - res.per_customer["risk_if_accepted"]).sum()
    # 240 a year is 20 a month, counted for 12 months
    assert res.per_customer["monthly_value"].tolist() == [20.0] * len(res.per_customer)
    assert res.revenue_kept == pytest.approx(0.5 * gain * 20 * 12)
    assert "'annual_fee' is an amount per year, divided by 12: money per month." in res.assumptions
    refused = build_customer_table(frame, roles.with_(amount_unit="order"))
    with pytest.raises(ChurnDataError, match="orders per month are unknown"):
        W.segment_scenario(trained, refused, mask, offer, cost_per_customer=2.0, acceptance=0.5)
