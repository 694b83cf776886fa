"""``python -m churn whatif``: one customer's risk before and after changes.

K005 of tests.cli.helpers.customers_frame is on Basic and pays 14: among the 60 Basic fees
(10, 12, ..., 20, ten each) 20 are lower and 10 equal, a mid-rank percentile of 25/60; the
Premium fees (50, ..., 60, ten each) at that percentile give 54. The plan explains
eta squared = 48000 / 49400 = 0.9717 of the fee's variance, so the fee moves with the plan.
"""

from __future__ import annotations

import pytest

from tests.cli.helpers import bad, ok, ok_json

WHATIF_FIELDS = [
    "customer", "before", "after", "delta", "changes", "move_linked", "linked_changes",
]  # fmt: skip
FEE_TO_PREMIUM = {"column": "fee", "before": 14, "after": 54, "linked_to": ["plan"],
                  "eta_sq": 0.9717}  # fmt: skip


@pytest.fixture(scope="module")
def whatif(customers_csv, model_file):
    def run(*args: str) -> dict:
        return ok_json(
            "whatif", customers_csv, "--model-file", model_file, "--customer", "K005", *args,
            "--json",
        )  # fmt: skip

    return run


@pytest.fixture(scope="module")
def premium(whatif) -> dict:
    return whatif("--set", "plan=Premium")


def test_the_fee_moves_with_the_plan_by_hand(premium):
    assert list(premium) == WHATIF_FIELDS
    assert premium["customer"] == "K005"
    assert premium["changes"] == [{"column": "plan", "before": "Basic", "after": "Premium"}]
    assert premium["move_linked"] is True
    assert premium["linked_changes"] == [FEE_TO_PREMIUM]
    assert 0 < premium["before"] < 1 and 0 < premium["after"] < 1
    assert premium["delta"] == pytest.approx(premium["after"] - premium["before"], abs=1e-15)


def test_no_change_moves_nothing(whatif, premium):
    same = whatif("--set", "plan=Basic")
    assert same["changes"] == [] and same["linked_changes"] == []
    assert same["before"] == same["after"] == premium["before"] and same["delta"] == 0.0


def test_no_linked_keeps_the_fee(whatif, premium):
    off = whatif("--set", "plan=Premium", "--no-linked")
    assert off["move_linked"] is False and off["linked_changes"] == []
    assert off["changes"] == premium["changes"] and off["before"] == premium["before"]
    assert off["after"] != premium["after"]  # fee 14 instead of 54


def test_text_output(customers_csv, model_file, premium):
    proc = ok("whatif", customers_csv, "--model-file", model_file, "--customer", "K005",
              "--set", "plan=Premium")  # fmt: skip
    p = premium
    assert proc.stdout.splitlines() == [
        f"customer K005: risk {p['before']:.1%} -> {p['after']:.1%} "
        f"({p['delta'] * 100:+.1f} points)",
        "  plan: Basic -> Premium",
        "  fee: 14 -> 54 (moved with plan; --no-linked keeps it)",
    ]


def test_cli_json_and_bad_input(customers_csv):
    """Without --model-file the default model is trained on the file."""
    out = ok_json("whatif", customers_csv, "--customer", "K005", "--set", "tickets=0",
                  "--set", "plan=Premium", "--json")  # fmt: skip
    assert list(out) == WHATIF_FIELDS
    assert out["customer"] == "K005" and 0 <= out["after"] <= 1
    assert out["delta"] == pytest.approx(out["after"] - out["before"])
    assert [c["column"] for c in out["changes"]] == ["tickets", "plan"]
    assert out["move_linked"] is True and out["linked_changes"] == [FEE_TO_PREMIUM]


def test_a_value_not_in_the_data_is_one_error_line(customers_csv, model_file):
    line = bad("whatif", customers_csv, "--model-file", model_file, "--customer", "K005",
               "--set", "plan=Gold", "--json")  # fmt: skip
    assert line.startswith("error: value 'Gold' is not one of the values seen in column 'plan'")


def test_a_column_not_in_the_model_is_one_error_line(customers_csv, model_file):
    line = bad("whatif", customers_csv, "--model-file", model_file, "--customer", "K005",
               "--set", "colour=red")  # fmt: skip
    assert "cannot set column 'colour' to 'red': it is not a model feature" in line


def test_a_malformed_change_is_one_error_line(customers_csv, model_file):
    line = bad("whatif", customers_csv, "--model-file", model_file, "--customer", "K005",
               "--set", "plan")  # fmt: skip
    assert (
        line == "error: '--set plan' is not of the form COL=VALUE. Fix: write --set plan=Premium."
    )
