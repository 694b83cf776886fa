"""churn.compare on hand-made snapshots: matching, bands, transitions, the list's outcome."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd
import pytest

from churn.compare import (
    check_reusable,
    column_changes,
    compare_snapshots,
    list_outcome,
    match_snapshots,
    moved_into_high,
    risk_band,
    status_counts,
    top_by_value,
    transition_table,
    transition_wide,
    with_bands,
)
from churn.errors import ChurnDataError
from churn.roles import ColumnRoles
from churn.settings import IntakeSettings
from churn.shapes import build_customer_table

ROLES = ColumnRoles(
    id="id",
    label="churned",
    churned_values=("Yes",),
    active_values=("No",),
    amount="fee",
    amount_unit="month",
    features=("plan",),
    categorical=("plan",),
)
SETTINGS = IntakeSettings(ROLES)

# A..G in October; in November B is marked churned, C is gone from the file, E had left
# before, H is new and I came and went.
OLD = pd.DataFrame(
    {
        "id": list("ABCDEFG"),
        "churned": ["No", "No", "No", "No", "Yes", "No", "No"],
        "fee": [100, 200, 300, 50, 70, 80, 500],
        "plan": ["a", "b", "a", "b", "a", "b", "a"],
    }
)
NEW = pd.DataFrame(
    {
        "id": list("ABDEFGHI"),
        "churned": ["No", "Yes", "No", "Yes", "No", "No", "No", "Yes"],
        "fee": [100, 200, 50, 70, 80, 500, 60, 90],
        "plan": ["a", "b", "b", "a", "b", "a", "a", "b"],
    }
)
RISK_OLD = pd.Series({"A": 0.1, "B": 0.6, "C": 0.3, "D": 0.15, "F": 0.45, "G": 0.7, "E": 0.9})
RISK_NEW = pd.Series({"A": 0.55, "D": 0.1, "F": 0.8, "G": 0.2, "H": 0.05, "B": 0.99, "I": 0.9})


@pytest.fixture(scope="module")
def tables():
    return build_customer_table(OLD, SETTINGS), build_customer_table(NEW, SETTINGS)


@pytest.fixture(scope="module")
def match(tables):
    return match_snapshots(*tables)


def test_match_says_who_stayed_left_and_is_new(match):
    status = dict(zip(match["customer_id"], match["status"], strict=True))
    assert status == {
        "A": "stayed",
        "B": "left",
        "C": "left",
        "D": "stayed",
        "E": "gone_before",
        "F": "stayed",
        "G": "stayed",
        "H": "new",
        "I": "new_left",
    }
    how = dict(zip(match["customer_id"], match["left_how"], strict=True))
    assert (how["B"], how["C"], how["A"]) == ("marked", "missing", "")
    assert status_counts(match) == {
        "stayed": 4,
        "left": 2,
        "new": 1,
        "new_left": 1,
        "gone_before": 1,
        "left_marked": 1,
        "left_missing": 1,
    }
    c = match.set_index("customer_id")
    assert c.loc["C", "value_old"] == 300 and math.isnan(c.loc["C", "value_new"])
    assert math.isnan(c.loc["H", "value_old"]) and c.loc["H", "value_new"] == 60


def test_duplicate_ids_and_disjoint_snapshots_are_errors(tables):
    old, _ = tables
    # the builder drops repeated ids; a table made by hand may still hold them
    twice = replace(old, frame=pd.concat([old.frame, old.frame.head(1)]))
    with pytest.raises(ChurnDataError, match="'A' appears more than once in the new snapshot"):
        match_snapshots(old, twice)
    other = build_customer_table(OLD.assign(id=[f"Z{i}" for i in range(7)]), SETTINGS)
    with pytest.raises(ChurnDataError, match="no customer id in common"):
        match_snapshots(old, other)


def test_risk_bands_cut_at_twenty_and_fifty_percent():
    band = risk_band(pd.Series([0.0, 0.199, 0.2, 0.499, 0.5, 1.0, float("nan")]))
    assert band.iloc[:6].tolist() == ["low", "low", "medium", "medium", "high", "high"]
    assert pd.isna(band.iloc[6])


def test_transition_table_counts_every_move(match):
    banded = with_bands(match, RISK_OLD, RISK_NEW)
    b = banded.set_index("customer_id")
    # a churned customer has no band, whatever its score
    assert pd.isna(b.loc["E", "band_old"]) and pd.isna(b.loc["B", "band_new"])
    wide = transition_wide(transition_table(banded))
    assert wide.to_dict(orient="index") == {
        "low": {"low": 1, "medium": 0, "high": 1, "left": 0},  # D stays low, A rises
        "medium": {"low": 0, "medium": 0, "high": 1, "left": 1},  # F rises, C left
        "high": {"low": 0, "medium": 1, "high": 0, "left": 1},  # G falls, B left
        "new": {"low": 1, "medium": 0, "high": 0, "left": 0},  # H
    }
    long = transition_table(banded)
    assert long.loc[(long["from"] == "low") & (long["to"] == "high"), "share"].item() == 0.5
    assert long.loc[long["from"] == "new", "share"].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_moved_into_high_largest_rise_first(match):
    moved = moved_into_high(with_bands(match, RISK_OLD, RISK_NEW))
    assert moved["customer_id"].tolist() == ["A", "F"]
    assert moved["band_old"].tolist() == ["low", "medium"]
    assert moved["change"].tolist() == pytest.approx([0.45, 0.35])


def test_realised_precision_and_recall_of_the_old_list(match):
    out = list_outcome(match, ["B", "G", "C", "E"])  # E had left before: ignored
    assert out == {
        "listed": 3,
        "left": 2,
        "hits": 2,
        "precision": 2 / 3,
        "recall": 1.0,
        "base_rate": 2 / 6,
    }
    nobody = list_outcome(match, [])
    assert nobody["listed"] == 0 and math.isnan(nobody["precision"])


def test_top_customers_by_value_then_and_now(match):
    top = top_by_value(match, 3)
    assert top["then_id"].tolist() == ["G", "C", "B"]
    assert top["then_status"].tolist() == ["stayed", "left", "left"]
    assert top["now_id"].tolist() == ["G", "A", "F"]
    assert top["now_value"].tolist() == [500, 100, 80]
    assert top["now_was"].tolist() == [500, 100, 80]
    every = top_by_value(match, 20)  # six active then, five now: the shorter side is padded
    assert len(every) == 6 and every["now_id"].tolist()[-1] == ""
    assert math.isnan(every["now_value"].iloc[-1])


def test_compare_snapshots_with_scores_and_without(tables):
    old, new = tables
    c = compare_snapshots(old, new, old_risk=RISK_OLD, new_risk=RISK_NEW)
    assert c.risk_source == "column"
    assert c.counts["left"] == 2
    # without a list, the old high band is the list: B left, G stayed
    assert (c.outcome["listed"], c.outcome["hits"], c.outcome["precision"]) == (2, 1, 0.5)
    assert c.moved["customer_id"].tolist() == ["A", "F"]
    assert c.campaign is None
    assert [str(n) for n in c.notes] == [
        "Without a model the reasons behind the moves are not shown."
    ]
    d = c.to_dict()
    assert d["moved_into_high_count"] == 2 and len(d["transitions"]) == 16
    bare = compare_snapshots(OLD, NEW, settings=SETTINGS)
    assert bare.risk_source is None and bare.outcome is None and bare.transitions.empty
    assert "left out" in str(bare.notes[0])
    assert bare.counts == c.counts


def test_roles_are_reused_only_when_the_columns_match():
    check_reusable(SETTINGS, NEW)
    with pytest.raises(ChurnDataError, match="no column 'fee'") as err:
        check_reusable(SETTINGS, NEW.drop(columns=["fee"]))
    assert err.value.column == "fee" and err.value.fix
    assert column_changes(OLD, NEW.drop(columns=["plan"]).assign(nps=1)) == {
        "added": ["nps"],
        "removed": ["plan"],
    }


def test_score_column_in_percent_is_read_as_share():
    frame_old = OLD.assign(score=[10, 60, 30, 15, 90, 45, 70])
    frame_new = NEW.assign(score=[55, 99, 10, 90, 80, 20, 5, 90])
    roles = ROLES.with_(features=("plan",))
    c = compare_snapshots(frame_old, frame_new, settings=IntakeSettings(roles), risk_column="score")
    assert c.moved["customer_id"].tolist() == ["A", "F"]
    with pytest.raises(ChurnDataError, match="no score column 'nope'"):
        compare_snapshots(OLD, NEW, settings=SETTINGS, risk_column="nope")


def test_report_parts_in_english_and_korean(tables):
    from churn.compare import report_parts

    old, new = tables
    c = compare_snapshots(old, new, old_risk=RISK_OLD, new_risk=RISK_NEW)
    en = report_parts(c, "en")
    assert en["title"] == "Changes since the last snapshot"
    assert en["paragraphs"][:3] == [
        "Since the last snapshot: 4 customers stayed, 2 left (1 no longer in the file), 1 new.",
        "2 customers who stayed moved into the high-risk band.",
        "1 of the 2 customers on the last at-risk list left (precision 50.0%); the list named "
        "50.0% of the 2 who left.",
    ]
    assert set(en["tables"]) == {"transitions", "moved_into_high", "top_value"}
    ko = report_parts(c, "ko")
    assert ko["title"] == "지난 스냅숏 이후의 변화"
    assert ko["paragraphs"][1] == "남은 고객 중 2명이 고위험 구간으로 옮겨 갔습니다."


def test_charts_validate_and_carry_the_translated_names(match):
    from churn.charts.compare import campaign_chart, transition_chart
    from churn.compare import campaign_effect, campaign_groups

    banded = with_bands(match, RISK_OLD, RISK_NEW)
    chart = transition_chart(transition_table(banded), {"low": "낮음", "left": "떠남"})
    spec = chart.to_dict()  # validated against the Vega-Lite schema
    rows = next(iter(spec["datasets"].values()))
    assert {r["from_name"] for r in rows} == {"낮음", "Medium risk", "High risk", "New customers"}
    assert {r["to_name"] for r in rows} >= {"떠남"} and len(rows) == 16
    groups = campaign_groups(pd.DataFrame({"customer_id": ["A", "B", "C", "F", "G"]}))
    effect = campaign_effect(banded, groups)
    spec = campaign_chart(effect.strata, {"contacted": "연락"}).to_dict()
    bars = next(iter(spec["datasets"].values()))
    assert {b["group"] for b in bars} == {"연락", "Hold-out"}
    assert len(bars) == 2 * len(effect.strata)
