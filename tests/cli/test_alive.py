"""``python -m churn alive``: BG/NBD P(alive), expected purchases and value of a purchase log.

The CDNOW figures are an independent maximum-likelihood fit (r = 0.2507, alpha = 4.765,
a = 0.746, b = 2.216; 16,623 expected repeat purchases in the 39 weeks after the
calibration period). The small log is checked by hand: same-day purchases are one.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from churn.alive import BetaGeoParams, GammaGammaParams, fit_alive, simulate_purchases
from churn.roles import ColumnRoles
from tests.cli.helpers import bad, ok, ok_json

TOP_FIELDS = [
    "model", "snapshot", "horizon_days", "time_unit", "customers_fitted", "parameters",
    "spend", "customers", "notes",
]  # fmt: skip
CUSTOMER_FIELDS = [
    "customer_id", "frequency", "recency", "T", "p_alive", "expected_purchases",
]  # fmt: skip
VALUE_FIELDS = ["monetary_value", "expected_spend", "expected_value"]
ROLES = ("--id", "customer_id", "--event-date", "date")


@pytest.fixture(scope="module")
def log_csv(tmp_path_factory):
    """800 customers drawn from BG/NBD and Gamma-Gamma, plus 'hand' who bought twice on
    2025-12-01 and once on 2025-12-15, and 'once' who bought on 2025-12-20 only."""
    log = simulate_purchases(
        800, BetaGeoParams(0.8, 6.0, 0.9, 3.0), GammaGammaParams(5.0, 4.0, 20.0), seed=4
    )
    extra = pd.DataFrame(
        {
            "customer_id": ["hand", "hand", "hand", "once"],
            "date": pd.to_datetime(["2025-12-01", "2025-12-01", "2025-12-15", "2025-12-20"]),
            "amount": [10.0, 5.0, 30.0, 8.0],
        }
    )
    path = tmp_path_factory.mktemp("alive") / "log.csv"
    pd.concat([log, extra]).to_csv(path, index=False)
    return path


def test_json_has_parameters_and_every_customer(log_csv):
    out = ok_json("alive", log_csv, *ROLES, "--amount", "amount", "--json")
    assert list(out) == TOP_FIELDS
    assert out["model"] == "BG/NBD + Gamma-Gamma"
    assert (out["snapshot"], out["horizon_days"], out["time_unit"]) == ("2025-12-31", 90, "weeks")
    assert out["customers_fitted"] == 802 and len(out["customers"]) == 802
    assert all(list(c) == CUSTOMER_FIELDS + VALUE_FIELDS for c in out["customers"])
    by_id = {c["customer_id"]: c for c in out["customers"]}
    # hand: two purchases on 12-01 are one day; one repeat day 14 days later; observed to
    # the end of 12-31 (31 days); mean repeat amount 30.
    hand = by_id["hand"]
    assert hand["frequency"] == 1
    assert hand["recency"] == pytest.approx(2.0) and hand["T"] == pytest.approx(31 / 7)
    assert hand["monetary_value"] == pytest.approx(30.0)
    # Without a repeat purchase nothing says the customer left: P(alive) is 1.
    assert by_id["once"]["frequency"] == 0 and by_id["once"]["p_alive"] == 1.0
    for c in out["customers"]:
        assert 0 < c["p_alive"] <= 1 and c["expected_purchases"] > 0
        assert c["expected_value"] == pytest.approx(c["expected_spend"] * c["expected_purchases"])
    # The same numbers as the library on the same file.
    frame = pd.read_csv(log_csv)
    lib = fit_alive(frame, ColumnRoles(id="customer_id", event_date="date", amount="amount"))
    par = out["parameters"]
    for name in ("r", "alpha", "a", "b"):
        assert par[name] == pytest.approx(getattr(lib.params, name), rel=1e-9)
    assert out["spend"]["p"] == pytest.approx(lib.spend.p, rel=1e-9)
    assert out["spend"]["customers_fitted"] == lib.spend.customers
    expected = dict(zip(lib.customers["customer_id"], lib.customers["expected_value"], strict=True))
    assert by_id["hand"]["expected_value"] == pytest.approx(expected["hand"], rel=1e-9)


def test_horizon_and_snapshot_change_the_expectation(log_csv):
    short = ok_json("alive", log_csv, *ROLES, "--horizon-days", "30", "--json")
    long = ok_json("alive", log_csv, *ROLES, "--horizon-days", "365", "--json")
    assert short["horizon_days"] == 30 and long["horizon_days"] == 365
    total = [sum(c["expected_purchases"] for c in o["customers"]) for o in (short, long)]
    assert total[0] < total[1]
    # A snapshot before 'hand' first bought leaves 'hand' out.
    early = ok_json("alive", log_csv, *ROLES, "--snapshot", "2025-11-30", "--json")
    assert early["snapshot"] == "2025-11-30"
    assert "hand" not in {c["customer_id"] for c in early["customers"]}


def test_without_an_amount_there_is_no_value(tmp_path):
    path = tmp_path / "orders.csv"
    log = simulate_purchases(300, BetaGeoParams(0.8, 6.0, 0.9, 3.0), seed=5)
    log.to_csv(path, index=False)
    out = ok_json("alive", path, *ROLES, "--json")
    assert out["model"] == "BG/NBD" and out["spend"] is None
    assert all(list(c) == CUSTOMER_FIELDS for c in out["customers"])


def test_text_output_lists_parameters_and_top_customers(log_csv):
    lines = ok("alive", log_csv, *ROLES, "--amount", "amount", "--top", "3").stdout.splitlines()
    assert lines[0].startswith("BG/NBD + Gamma-Gamma at 2025-12-31, 802 customers")
    assert lines[1].startswith("r = ") and "log-likelihood" in lines[1]
    assert lines[2].startswith("spend: p = ")
    assert lines[3].split() == ["customer", "p_alive", "purchases", "90d", "value"]
    assert len([x for x in lines if x.startswith("C")]) == 3


def test_cdnow_matches_the_independent_fit(shared_data):
    out = ok_json(
        "alive", shared_data / "cdnow_transactions.csv",
        "--id", "customer_id", "--event-date", "date", "--amount", "dollar_value",
        "--snapshot", "1997-09-30", "--horizon-days", "273", "--json",
    )  # fmt: skip
    par = out["parameters"]
    reference = {"r": 0.2507, "alpha": 4.765, "a": 0.746, "b": 2.216}
    for name, value in reference.items():
        assert par[name] == pytest.approx(value, rel=0.02), name
    assert par["log_likelihood"] == pytest.approx(-95_443.8, abs=0.5)
    assert len(out["customers"]) == 23_570
    assert out["customers"][0]["customer_id"] == "00001"  # leading zeros kept
    assert sum(c["expected_purchases"] for c in out["customers"]) == pytest.approx(16_623, rel=0.02)
    assert all(math.isfinite(c["expected_value"]) for c in out["customers"])


def test_bad_input_is_one_error_line(tmp_path, customers_csv):
    blank = tmp_path / "blank_dates.csv"
    blank.write_text("customer_id,date,amount\nA,,10\nB,,20\nA,,5\n", encoding="utf-8")
    line = bad("alive", blank, *ROLES)
    assert "no event has a readable date in 'date'" in line
    line = bad("alive", customers_csv, "--id", "customer_id")
    assert "P(alive) needs a purchase log" in line
    once = tmp_path / "once.csv"
    once.write_text("customer_id,date\nA,2024-01-01\nB,2024-01-02\nB,2024-01-02\n", "utf-8")
    assert "at least two different days" in bad("alive", once, *ROLES)
    line = bad("alive", once, *ROLES, "--horizon-days", "0")
    assert "the horizon '0' is not a whole number of days" in line
    assert "not found" in bad("alive", tmp_path / "missing.csv", *ROLES)
