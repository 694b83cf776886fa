"""``--amount-unit`` (issue 17, item 3): the unit of the amount column on the command line,
proposed when not given, and said in the notes of the revenue figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import bad, ok, ok_json


@pytest.fixture(scope="module")
def charges_csv(tmp_path_factory) -> Path:
    """Telco-like: a monthly charge, the lifetime total so far (charge x tenure) and hours."""
    path = tmp_path_factory.mktemp("charges") / "charges.csv"
    n = 24
    tenure = [1 + (i * 7) % 30 for i in range(n)]
    monthly = [20.0 + 5 * (i % 4) for i in range(n)]
    pd.DataFrame(
        {
            "customer_id": [f"C{i:02d}" for i in range(n)],
            "Churn": ["Yes", "No", "No"] * (n // 3),
            "tenure": tenure,
            "MonthlyCharges": monthly,
            "TotalCharges": [m * t for m, t in zip(monthly, tenure, strict=True)],
            "HourSpendOnApp": [i % 5 for i in range(n)],
        }
    ).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def annual_csv(tmp_path_factory) -> Path:
    """Two subscriptions with an annual fee (1,200 and 2,400)."""
    path = tmp_path_factory.mktemp("annual") / "annual.csv"
    path.write_text(
        "customer_id,signup_date,cancel_date,annual_fee\n"
        "A,2024-01-05,2024-03-10,1200\n"
        "B,2024-01-10,,2400\n",
        encoding="utf-8",
    )
    return path


def test_the_unit_is_proposed_and_can_be_given(charges_csv):
    s = ok_json("summary", charges_csv, "--json")
    assert (s["roles"]["amount"], s["amount_unit"]) == ("MonthlyCharges", "month")
    s = ok_json("summary", charges_csv, "--amount", "TotalCharges", "--json")
    assert s["amount_unit"] == "total"
    assert (
        "'TotalCharges' is a lifetime total so far, divided by each customer's tenure in "
        "months (at least 1): money per month."
    ) in s["notes"]
    s = ok_json("summary", charges_csv, "--amount-unit", "year", "--json")
    assert s["amount_unit"] == "year"
    assert "'MonthlyCharges' is an amount per year, divided by 12: money per month." in s["notes"]
    text = ok("summary", charges_csv).stdout
    assert "amount unit: month" in text


def test_a_column_that_is_not_money_has_no_unit(charges_csv):
    s = ok_json("summary", charges_csv, "--amount", "HourSpendOnApp", "--json")
    assert s["amount_unit"] is None
    assert any("The unit of 'HourSpendOnApp' is not confirmed" in n for n in s["notes"])


def test_the_revenue_notes_of_rate_name_the_unit(annual_csv):
    s = ok_json("rate", annual_csv, "--amount-unit", "year", "--json")
    assert "'annual_fee' is an amount per year, divided by 12: money per month." in s["notes"]


def test_a_unit_without_an_amount_is_one_error_line(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("customer_id,Churn\na,Yes\nb,No\n", encoding="utf-8")
    assert bad("summary", path, "--amount-unit", "month") == (
        "error: --amount-unit needs an amount column Fix: add --amount COLUMN"
    )
    line = bad("summary", path, "--amount-unit", "weekly")
    assert "--amount-unit" in line and "weekly" in line
