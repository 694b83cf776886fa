"""``python -m churn segments``: churn rate per segment, Wilson intervals, lift, small flags."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.cli.helpers import bad, ok, ok_json, wilson

#: churn.segments takes z = 1.96 for its 95 % intervals (churn.metrics: 1.959964)
Z = 1.96
SEGMENTS_FIELDS = [
    "by", "overall_rate", "customers", "churned", "definition", "p_adjust", "note", "segments",
]  # fmt: skip
SEGMENT_FIELDS = [
    "segment", "customers", "churned", "churn_rate", "ci_low", "ci_high", "lift", "small",
]  # fmt: skip


@pytest.fixture(scope="module")
def plans_csv(tmp_path_factory):
    """60 customers: basic S01..S40 (S01..S10 churned), pro S41..S60 (S41, S42 churned);
    logins 1..60 (the row number). Overall 12 of 60 = 20 %."""
    path = tmp_path_factory.mktemp("segments") / "plans.csv"
    pd.DataFrame(
        {
            "customer_id": [f"S{i + 1:02d}" for i in range(60)],
            "plan": ["basic" if i < 40 else "pro" for i in range(60)],
            "logins": [i + 1 for i in range(60)],
            "churned": ["Yes" if i < 10 or i in (40, 41) else "No" for i in range(60)],
        }
    ).to_csv(path, index=False)
    return path


def test_rates_intervals_and_lift_by_hand(plans_csv):
    out = ok_json("segments", plans_csv, "--by", "plan", "--json")
    assert list(out) == SEGMENTS_FIELDS
    assert (out["by"], out["customers"], out["churned"], out["overall_rate"]) == (
        "plan", 60, 12, 0.2,
    )  # fmt: skip
    assert out["p_adjust"] == "holm" and out["definition"].startswith("churned / labelled")
    assert "With 2 tests" in out["note"]
    assert all(list(s) == SEGMENT_FIELDS for s in out["segments"])
    basic, pro = out["segments"]  # categories: highest rate first
    # basic 10 of 40 = 0.25, lift 0.25 / 0.2; not small (>= 30 customers and >= 5 churned)
    assert (basic["segment"], basic["customers"], basic["churned"]) == ("basic", 40, 10)
    assert (basic["churn_rate"], basic["lift"], basic["small"]) == (0.25, 1.25, False)
    assert (basic["ci_low"], basic["ci_high"]) == pytest.approx(wilson(10, 40, Z), abs=1e-12)
    # pro 2 of 20 = 0.1, lift 0.5; small (20 customers, 2 churned)
    assert (pro["segment"], pro["customers"], pro["churned"]) == ("pro", 20, 2)
    assert (pro["churn_rate"], pro["lift"], pro["small"]) == (0.1, 0.5, True)
    assert (pro["ci_low"], pro["ci_high"]) == pytest.approx(wilson(2, 20, Z), abs=1e-12)


def test_number_column_in_quantile_bins(plans_csv):
    out = ok_json("segments", plans_csv, "--by", "logins", "--bins", "2", "--json")
    # logins 1..30 hold the 10 churned basic customers, 31..60 the 2 churned pro ones
    rows = [(s["segment"], s["customers"], s["churned"], s["small"]) for s in out["segments"]]
    assert rows == [("1\u201330", 30, 10, False), ("31\u201360", 30, 2, True)]
    assert out["segments"][0]["lift"] == pytest.approx((10 / 30) / 0.2, abs=1e-12)


def test_text_output(plans_csv):
    lines = ok("segments", plans_csv, "--by", "plan").stdout.splitlines()
    assert lines[0] == "churn by plan: overall 20.0% (12 of 60 labelled customers)"
    assert lines[2].split() == ["basic", "40", "10", "25.0%", "14.2%", "-", "40.2%", "1.25"]
    assert lines[3].split()[:8] == ["pro", "20", "2", "10.0%", "2.8%", "-", "30.1%", "0.50"]
    assert lines[3].endswith("(small: too few to judge)")


def test_by_is_required(plans_csv):
    line = bad("segments", plans_csv, "--json")
    assert line.startswith("error: the following arguments are required: --by")


def test_cli_segments_json_on_telco(shared_data):
    path = shared_data / "telco_customer_churn.csv"
    out = ok_json(
        "segments", path, "--id", "customerID", "--label", "Churn", "--by", "Contract", "--json"
    )
    assert out["by"] == "Contract"
    assert out["overall_rate"] == pytest.approx(1869 / 7043)
    segs = {s["segment"]: s for s in out["segments"]}
    assert segs["Month-to-month"]["customers"] == 3875
    assert segs["Month-to-month"]["churn_rate"] == pytest.approx(0.4271, abs=5e-5)
    assert segs["Two year"]["churned"] == 48
    assert set(segs["Two year"]) == set(SEGMENT_FIELDS)
    out = ok_json(
        "segments", path, "--id", "customerID", "--label", "Churn", "--by", "tenure",
        "--bins", "3", "--json",
    )  # fmt: skip
    assert len(out["segments"]) == 3


def test_cli_bad_column_is_one_error_line(shared_data):
    path = shared_data / "telco_customer_churn.csv"
    line = bad("segments", path, "--id", "customerID", "--label", "Churn", "--by", "Nope", "--json")
    assert "Nope" in line
