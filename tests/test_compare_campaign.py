"""The campaign follow-up: the hold-out in the at-risk list and the estimated effect."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.compare import (
    CampaignEffect,
    campaign_effect,
    campaign_groups,
    compare_snapshots,
)
from churn.errors import ChurnDataError
from churn.explain import HOLD_OUT_COLUMN, mark_hold_out
from churn.roles import infer_roles
from churn.sample import CAMPAIGN_FILE, MONTHLY_FILES, generate_monthly
from churn.settings import IntakeSettings
from churn.shapes import build_customer_table

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


# --- the hold-out ---------------------------------------------------------------------
def test_hold_out_is_seeded_spread_over_the_list_and_sized():
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(95)]})
    a = mark_hold_out(frame, 0.1, seed=3)
    assert (a[HOLD_OUT_COLUMN] == "yes").sum() == 10  # round(9.5) = 10 (to even)
    # one in every block of ten ranks: the hold-out has the list's risk mix
    held = np.flatnonzero(a[HOLD_OUT_COLUMN] == "yes")
    assert sorted(set(held // 10)) == list(range(10))
    assert a[HOLD_OUT_COLUMN].tolist() == mark_hold_out(frame, 0.1, 3)[HOLD_OUT_COLUMN].tolist()
    assert a[HOLD_OUT_COLUMN].tolist() != mark_hold_out(frame, 0.1, 4)[HOLD_OUT_COLUMN].tolist()
    assert HOLD_OUT_COLUMN not in frame.columns  # the list itself is not modified
    assert (mark_hold_out(frame, 0.25)[HOLD_OUT_COLUMN] == "yes").sum() == 24  # round(23.75)
    with pytest.raises(ChurnDataError, match="at most 0.5"):
        mark_hold_out(frame, 0.9)


def test_the_explanations_download_marks_the_default_ten_percent():
    from ui.cache_compare import with_hold_out

    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(40)], "risk": 0.5})
    marked = with_hold_out(frame)
    assert (marked[HOLD_OUT_COLUMN] == "yes").sum() == 4
    assert (
        marked[HOLD_OUT_COLUMN].tolist() == mark_hold_out(frame, 0.1, 0)[HOLD_OUT_COLUMN].tolist()
    )


def test_campaign_groups_from_the_export():
    export = pd.DataFrame({"customer_id": ["a", "b", "c", "c"], "hold_out": ["no", "YES", "", ""]})
    assert campaign_groups(export).to_dict() == {
        "a": "contacted",
        "b": "hold_out",
        "c": "contacted",
    }
    plain = pd.DataFrame({"cid": [1, 2]})
    assert campaign_groups(plain, "cid").to_dict() == {"1": "contacted", "2": "contacted"}
    with pytest.raises(ChurnDataError, match="no column 'customer_id'"):
        campaign_groups(plain)


# --- the estimate on hand-made groups ---------------------------------------------------
def _people(band: str, group: str, n: int, stayed: int, value: float = 10.0) -> pd.DataFrame:
    prefix = f"{band}-{group}-"
    return pd.DataFrame(
        {
            "customer_id": [f"{prefix}{i}" for i in range(n)],
            "status": ["stayed"] * stayed + ["left"] * (n - stayed),
            "band_old": band,
            "value_old": value,
            "group": group,
        }
    )


def _groups(people: pd.DataFrame) -> pd.Series:
    g = people.set_index("customer_id")["group"]
    return g[g != "other"]


def _scene(scale: int = 1) -> pd.DataFrame:
    # high band: 9 of 10 contacted stayed, 6 of 10 held out; low band: 29 of 30, 9 of 10
    return pd.concat(
        [
            _people("high", "contacted", 10 * scale, 9 * scale),
            _people("high", "hold_out", 10 * scale, 6 * scale),
            _people("low", "contacted", 30 * scale, 29 * scale),
            _people("low", "hold_out", 10 * scale, 9 * scale),
        ],
        ignore_index=True,
    )


def test_stratified_difference_and_its_interval_by_hand():
    people = _scene()
    e = campaign_effect(people, _groups(people))
    # weights 10/40 and 30/40: 0.25 * (0.9 - 0.6) + 0.75 * (29/30 - 0.9) = 0.125
    assert e.difference == pytest.approx(0.125)
    # Agresti-Caffo variances: high (10/12, 7/12 of 12), low (30/32 of 32, 10/12 of 12)
    var_high = (10 / 12) * (2 / 12) / 12 + (7 / 12) * (5 / 12) / 12
    var_low = (30 / 32) * (2 / 32) / 32 + (10 / 12) * (2 / 12) / 12
    half = 1.959963984540054 * np.sqrt(0.25**2 * var_high + 0.75**2 * var_low)
    assert (e.low, e.high) == pytest.approx((0.125 - half, 0.125 + half))
    assert (e.n_contacted, e.n_hold_out) == (40, 20)
    assert e.retention_contacted == pytest.approx(38 / 40)
    assert e.retention_hold_out == pytest.approx(15 / 20)
    assert e.kept == pytest.approx(5.0) and e.worth == pytest.approx(50.0)
    # 38 points wide: too small to tell, and it says so
    assert e.verdict == "too_small" and e.random
    assert str(e.sentences[1]).startswith("Too small to tell: the 95 % interval runs from -3 to 13")
    assert e.strata["stratum"].tolist() == ["low", "high"]  # band order


def test_ten_times_the_customers_tell_that_it_helped():
    people = _scene(10)
    e = campaign_effect(people, _groups(people))
    assert e.difference == pytest.approx(0.125)
    assert e.verdict == "helped" and 0 < e.low < 0.125 < e.high < 0.25
    assert [str(s) for s in e.sentences] == [
        "95.0% of the 400 contacted customers stayed, against 75.0% of the 200 in the "
        "comparison group of similar risk.",
        f"Contacting kept about 50 customers (95 % interval {e.kept_low:,.0f} to "
        f"{e.kept_high:,.0f}), worth about 500 a month ({e.worth_low:,.0f} to "
        f"{e.worth_high:,.0f}).",
    ]
    d = e.to_dict()
    assert d["verdict"] == "helped" and len(d["strata"]) == 2 and len(d["sentences"]) == 2


def test_without_a_hold_out_the_others_of_the_band_compare_and_it_says_so():
    people = _scene(10)
    people.loc[people["group"] == "hold_out", "group"] = "other"
    e = campaign_effect(people, _groups(people))
    assert not e.random and e.n_hold_out == 200
    assert e.difference == pytest.approx(0.125)
    assert "not a random hold-out" in str(e.sentences[-1])


def test_no_comparable_customers_is_too_small_to_tell():
    people = pd.concat(
        [_people("high", "contacted", 30, 20), _people("low", "hold_out", 30, 25)],
        ignore_index=True,
    )
    e = campaign_effect(people, _groups(people))
    assert e.verdict == "too_small" and np.isnan(e.difference)
    assert str(e.sentences[0]).startswith("Too small to tell: no customers of the same risk band")


# --- the sample: the interval covers the generator's true effect ------------------------
def _estimate(sample_frames, campaign: pd.DataFrame):
    old_frame, new_frame = sample_frames
    settings = IntakeSettings(infer_roles(old_frame))
    old = build_customer_table(old_frame, settings)
    new = build_customer_table(new_frame, settings)
    # bands from the list's own risk (the campaign's score), so no model is trained
    risk = campaign.set_index(campaign["customer_id"].astype(str))["risk"]
    return compare_snapshots(old, new, old_risk=risk, new_risk=risk, contacted=campaign)


def test_committed_sample_estimate_covers_the_true_effect():
    sample = generate_monthly()
    files = [pd.read_csv(SAMPLE / name) for name in MONTHLY_FILES[:2]]
    campaign = pd.read_csv(SAMPLE / CAMPAIGN_FILE)
    pd.testing.assert_frame_equal(campaign, sample.campaign, check_dtype=False)
    c = _estimate(files, campaign)
    e: CampaignEffect = c.campaign
    assert e.random and (e.n_contacted, e.n_hold_out) == (600, 200)
    assert e.low <= sample.true_effect <= e.high
    assert e.kept_low <= sample.true_kept <= e.kept_high
    assert e.verdict == "helped"
    # the list's realised precision beats a random pick; the hold-out's, untouched, more so
    out = c.outcome
    assert out["listed"] == 800 and out["precision"] > out["base_rate"]
    assert out["hold_out"]["precision"] > out["precision"]


@pytest.mark.slow  # twelve simulations and estimates (about 13 s on the shared machine)
def test_interval_covers_the_true_effect_in_most_simulations():
    covered = []
    for seed in range(100, 112):
        s = generate_monthly(n=2500, seed=seed)
        frames = list(s.snapshots.values())[:2]
        e = _estimate(frames, s.campaign).campaign
        covered.append(e.low <= s.true_effect <= e.high)
    # a 95 % interval: at most two misses in twelve (P(3+) is about 2 %)
    assert sum(covered) >= 10, covered


def test_committed_monthly_files_equal_a_fresh_generation(tmp_path):
    from churn.sample import write_monthly

    for name, path in write_monthly(tmp_path).items():
        assert (SAMPLE / name).read_bytes() == path.read_bytes(), (
            f"{name} is stale: regenerate with python -m churn.sample"
        )


def test_sample_readme_quotes_the_generated_numbers():
    from churn.sample import MONTHLY_SNAPSHOTS

    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    sample = generate_monthly()
    for name, day in zip(MONTHLY_FILES, MONTHLY_SNAPSHOTS, strict=True):
        f = sample.snapshots[day]
        gone = int((f["churned"] == "Yes").sum())
        row = f"| `{name}` ({day}) | {len(f):,} | {gone:,} | {len(f) - gone:,} |"
        assert row in readme, row
    assert f"+{sample.true_effect * 100:.1f} retention points" in readme
    assert f"about {sample.true_kept:.1f}\ncustomers kept" in readme
