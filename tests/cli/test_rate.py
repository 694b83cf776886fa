"""``python -m churn rate``: customers active, new and lost, and the churn rate, by period.

The six subscriptions of :data:`tests.cli.helpers.SIX_CSV` (snapshot 2024-03-15) by month,
worked out by hand (rate "start": lost of those active at the start / active at the start):

    month    active at start  new  lost  lost of those active  rate  active at end
    2023-12  0                1    0     0                     -     1
    2024-01  1                2    1     1 (F)                 1/1   2
    2024-02  2                2    2     1 (B; C joined too)   1/2   2
    2024-03  2                1    1     1 (D)                 1/2   2  (partial: to Mar 15)
"""

from __future__ import annotations

import pytest

from tests.cli.helpers import SIX_ROLES, bad, ok, ok_json, wilson

#: The per-period fields of ``rate --json``, in order.
PERIOD_FIELDS = [
    "period", "period_start", "period_end", "active_start", "new", "churned",
    "churned_from_start", "numerator", "denominator", "churn_rate", "ci_low", "ci_high",
    "monthly_equivalent", "active_end", "partial", "churn_final",
]  # fmt: skip
DAYS_PER_MONTH = 365 / 12


def monthly(rate: float, days: int) -> float:
    return 1 - (1 - rate) ** (DAYS_PER_MONTH / days)


def test_cli_rate_json(six_csv):
    out = ok_json(
        "rate", six_csv, *SIX_ROLES, "--amount", "fee", "--period", "month",
        "--definition", "start", "--json",
    )  # fmt: skip
    assert list(out) == ["definition", "definition_text", "period", "snapshot", "notes", "periods"]
    assert (out["definition"], out["period"], out["snapshot"]) == ("start", "month", "2024-03-15")
    assert out["definition_text"].startswith("Customers active at the start of the period")
    assert isinstance(out["notes"], list)
    assert all(list(p) == PERIOD_FIELDS for p in out["periods"])
    got = {p["period"]: p for p in out["periods"]}
    assert list(got) == ["2023-12", "2024-01", "2024-02", "2024-03"]
    counts = {
        k: tuple(p[f] for f in ("active_start", "new", "churned", "churned_from_start",
                                "numerator", "denominator", "active_end"))
        for k, p in got.items()
    }  # fmt: skip
    assert counts == {
        "2023-12": (0, 1, 0, 0, 0, 0, 1),
        "2024-01": (1, 2, 1, 1, 1, 1, 2),
        "2024-02": (2, 2, 2, 1, 1, 2, 2),
        "2024-03": (2, 1, 1, 1, 1, 2, 2),
    }
    assert [p["churn_rate"] for p in got.values()] == [None, 1.0, 0.5, 0.5]
    dec, jan, feb, mar = got.values()
    assert (dec["period_start"], dec["period_end"]) == ("2023-12-01", "2023-12-31")
    assert (feb["period_start"], feb["period_end"]) == ("2024-02-01", "2024-02-29")
    assert dec["ci_low"] is None and dec["ci_high"] is None and dec["monthly_equivalent"] is None
    for p, (k, n) in ((jan, (1, 1)), (feb, (1, 2)), (mar, (1, 2))):
        assert (p["ci_low"], p["ci_high"]) == pytest.approx(wilson(k, n), abs=1e-12)
    # a rate over a whole month, or over the days seen so far, as a monthly rate
    assert jan["monthly_equivalent"] == 1.0
    assert feb["monthly_equivalent"] == pytest.approx(monthly(0.5, 29), abs=1e-12)
    assert mar["monthly_equivalent"] == pytest.approx(monthly(0.5, 15), abs=1e-12)
    assert [p["partial"] for p in got.values()] == [False, False, False, True]
    assert [p["churn_final"] for p in got.values()] == [True, True, True, False]


def test_quarters_start_plus_new(six_csv):
    out = ok_json(
        "rate", six_csv, *SIX_ROLES, "--period", "quarter", "--definition", "start_plus_new",
        "--json",
    )  # fmt: skip
    assert (out["definition"], out["period"]) == ("start_plus_new", "quarter")
    q4, q1 = out["periods"]
    assert (q4["period"], q4["period_start"], q4["period_end"]) == (
        "2023Q4", "2023-10-01", "2023-12-31",
    )  # fmt: skip
    # Q4 2023: F joins; Q1 2024: A..E join, F, B, C and D leave: 4 of (1 + 5)
    assert (q4["active_start"], q4["new"], q4["churned"], q4["active_end"]) == (0, 1, 0, 1)
    assert (q4["numerator"], q4["denominator"], q4["churn_rate"]) == (0, 1, 0.0)
    assert (q1["active_start"], q1["new"], q1["churned"], q1["active_end"]) == (1, 5, 4, 2)
    assert (q1["numerator"], q1["denominator"]) == (4, 6)
    assert q1["churn_rate"] == pytest.approx(4 / 6, abs=1e-15)
    # Jan 1 to the snapshot Mar 15: 31 + 29 + 15 days observed
    assert q1["monthly_equivalent"] == pytest.approx(monthly(4 / 6, 75), abs=1e-12)
    assert (q1["partial"], q1["churn_final"]) == (True, False)


def test_text_output(six_csv):
    lines = ok("rate", six_csv, *SIX_ROLES).stdout.splitlines()
    assert lines[0].startswith("churn rate by month (start): Customers active at the start")
    rows = {ln.split()[0]: ln.split() for ln in lines[2:6]}
    assert rows["2023-12"] == ["2023-12", "0", "1", "0", "-", "0/0", "1"]
    assert rows["2024-01"] == ["2024-01", "1", "2", "1", "100.0%", "1/1", "2"]
    assert rows["2024-02"] == ["2024-02", "2", "2", "2", "50.0%", "1/2", "2"]
    assert rows["2024-03"] == ["2024-03", "2", "1", "1", "50.0%", "1/2", "2", "(partial)"]


def test_cli_bad_input_is_one_line(six_csv):
    line = bad("rate", six_csv, "--id", "id", "--start", "signup", "--period", "decade")
    assert line.startswith("error: argument --period: invalid choice: 'decade'")


def test_a_file_without_start_dates_is_one_error_line(tmp_path):
    path = tmp_path / "flags.csv"
    path.write_text("customer_id,plan,churned\na,x,Yes\nb,y,No\nc,x,No\n", encoding="utf-8")
    line = bad("rate", path, "--json")
    assert "The period table needs start dates" in line
