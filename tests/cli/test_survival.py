"""``python -m churn survival``: Kaplan-Meier median lifetimes (days) and the log-rank test.

Medians and p-values below are worked out by hand: the Kaplan-Meier median is the first
lifetime at which the share still active drops to 0.5 or below; the log-rank statistic for
two groups is (O - E)^2 / V summed over the churn times, and with one degree of freedom its
p-value is erfc(sqrt(chi2 / 2)).
"""

from __future__ import annotations

import math

import pytest

from tests.cli.helpers import SIX_ROLES, bad, ok, ok_json

SURVIVAL_FIELDS = [
    "by", "unit", "customers_used", "customers_left_out", "groups", "logrank_p", "notes",
]  # fmt: skip
GROUP_FIELDS = ["group", "customers", "churned", "median_lifetime", "median_reached"]

#: Snapshot 2024-06-30. Plan A lives 10 and 20 days (churned) and 30 (active); plan B
#: 40 days (churned), 50 and 60 (active).
LIFE_CSV = """id,signup,cancel,plan
a1,2024-01-01,2024-01-11,A
a2,2024-01-01,2024-01-21,A
a3,2024-05-31,,A
b1,2024-01-01,2024-02-10,B
b2,2024-05-11,,B
b3,2024-05-01,,B
"""
LIFE_ROLES = ("--id", "id", "--start", "signup", "--end", "cancel", "--snapshot", "2024-06-30")


def logrank_p(o_minus_e: float, variance: float) -> float:
    return math.erfc(math.sqrt(o_minus_e**2 / variance / 2))


@pytest.fixture(scope="module")
def life_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("life") / "life.csv"
    path.write_text(LIFE_CSV, encoding="utf-8")
    return path


def test_medians_and_logrank_by_hand(life_csv):
    out = ok_json("survival", life_csv, *LIFE_ROLES, "--by", "plan", "--json")
    assert list(out) == SURVIVAL_FIELDS
    assert (out["by"], out["unit"]) == ("plan", "days")
    assert (out["customers_used"], out["customers_left_out"]) == (6, 0)
    assert all(list(g) == GROUP_FIELDS for g in out["groups"])
    groups = {g["group"]: g for g in out["groups"]}
    # A: 3 at risk at day 10 -> 2/3 left, 2 at risk at day 20 -> 1/3: median 20 days
    assert groups["A"] == {
        "group": "A", "customers": 3, "churned": 2, "median_lifetime": 20.0,
        "median_reached": True,
    }  # fmt: skip
    # B: one of 3 churns at day 40 -> 2/3 stay: the median is not reached (null)
    assert groups["B"] == {
        "group": "B", "customers": 3, "churned": 1, "median_lifetime": None,
        "median_reached": False,
    }  # fmt: skip
    # day 10: 6 at risk (3 in A), A expects 3/6, variance 3*3*1*5/(36*5) = 0.25;
    # day 20: 5 (2 in A), expects 2/5, variance 2*3*1*4/(25*4) = 0.24; day 40: none in A.
    # O - E = 2 - 0.9 = 1.1, V = 0.49
    assert out["logrank_p"] == pytest.approx(logrank_p(1.1, 0.49), abs=1e-12)
    assert out["notes"] == []


def test_overall_median_and_text(life_csv):
    out = ok_json("survival", life_csv, *LIFE_ROLES, "--json")
    # 5/6 after day 10, 4/6 after day 20, day 30 censored, 4/6 * 2/3 = 4/9 after day 40
    assert out["by"] is None and out["logrank_p"] is None
    assert out["groups"] == [
        {"group": "all", "customers": 6, "churned": 3, "median_lifetime": 40.0,
         "median_reached": True},
    ]  # fmt: skip
    lines = ok("survival", life_csv, *LIFE_ROLES, "--by", "plan").stdout.splitlines()
    assert lines[0] == "median lifetime in days (Kaplan-Meier), 6 customers by plan"
    rows = {ln.split()[0]: ln.split() for ln in lines[2:4]}
    assert rows == {"A": ["A", "3", "2", "20"], "B": ["B", "3", "1", "not", "reached"]}
    assert lines[4] == f"log-rank test across groups: p = {logrank_p(1.1, 0.49):.3g}"


def test_cli_survival_json(six_csv):
    out = ok_json("survival", six_csv, *SIX_ROLES, "--by", "plan", "--json")
    groups = {g["group"]: g for g in out["groups"]}
    assert set(groups) == {"pro", "basic"}
    assert groups["pro"]["customers"] == 3 and groups["pro"]["churned"] == 2
    # pro: B 12 and C 15 days (churned), A 65 (active): median 15;
    # basic: E 0 (active), D 24 and F 31 (churned): 1/2 left after day 24
    assert groups["pro"]["median_lifetime"] == 15.0
    assert (groups["basic"]["churned"], groups["basic"]["median_lifetime"]) == (2, 24.0)
    # churn days 12, 15, 24, 31 with pro/all at risk 3/5, 2/4, 1/3, 1/2:
    # E = 3/5 + 2/4 + 1/3 + 1/2, V = 0.24 + 0.25 + 2/9 + 0.25, O = 2
    e = 3 / 5 + 2 / 4 + 1 / 3 + 1 / 2
    assert out["logrank_p"] == pytest.approx(logrank_p(2 - e, 0.74 + 2 / 9), abs=1e-12)


def test_missing_file_is_one_error_line(tmp_path):
    line = bad("survival", tmp_path / "nope.csv", "--json")
    assert line.startswith("error: file '") and "nope.csv' not found" in line


def test_no_dates_and_no_tenure_is_one_error_line(tmp_path):
    path = tmp_path / "flags.csv"
    path.write_text("customer_id,plan,churned\na,x,Yes\nb,y,No\nc,x,No\n", encoding="utf-8")
    assert "Survival curves need how long each customer" in bad("survival", path, "--json")


def test_unknown_by_column_is_one_error_line(life_csv):
    line = bad("survival", life_csv, *LIFE_ROLES, "--by", "nope")
    assert line.startswith("error: Column 'nope': This column is not in the customer table.")
