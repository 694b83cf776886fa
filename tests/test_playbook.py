"""The playbook: churn/playbook.csv, its loader and column matching (English and Korean)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from churn import explain as E
from churn.errors import ChurnDataError
from churn.explain import wording as EW


@pytest.fixture(scope="module")
def pb() -> E.Playbook:
    return E.load_playbook()


def test_default_file_is_complete(pb):
    rows = pb.rows
    assert list(rows.columns) == list(E.PLAYBOOK_COLUMNS)
    assert rows["key"].is_unique
    for col in ("action_en", "action_ko", "why_en", "why_ko"):
        assert (rows[col] != "").all(), col
    # Korean texts are Korean
    assert rows["action_ko"].str.contains("[가-힣]").all()
    assert pb.default()["key"] == "default"
    assert {
        "support_trouble",
        "low_nps",
        "falling_engagement",
        "discount_requested",
        "failed_payments",
        "monthly_contract",
        "high_value",
        "newsletter_unsubscribed",
    } <= set(rows["key"])


@pytest.mark.parametrize(
    ("column", "key"),
    [
        ("support_tickets_90d", "support_trouble"),
        ("상담건수_90일", "support_trouble"),
        ("complaints_90d", "complaints"),
        ("불만건수_90일", "complaints"),
        ("nps", "low_nps"),
        ("NPS", "low_nps"),
        ("logins_change_pct", "falling_engagement"),
        ("로그인변화율", "falling_engagement"),
        ("logins_30d", "low_usage"),
        ("로그인_30일", "low_usage"),
        ("newsletter_unsubscribed", "newsletter_unsubscribed"),
        ("뉴스레터_수신거부", "newsletter_unsubscribed"),
        ("discount_requested", "discount_requested"),
        ("할인요청", "discount_requested"),
        ("failed_payments_90d", "failed_payments"),
        ("결제실패_90일", "failed_payments"),
        ("contract", "monthly_contract"),
        ("계약유형", "monthly_contract"),
        ("Contract", "monthly_contract"),
        ("days_to_renewal", "renewal_near"),
        ("갱신까지_일수", "renewal_near"),
        ("tenure_days", "new_customer"),
        ("recency_days", "lapsed_buyer"),
        ("frequency", "few_purchases"),
        ("monetary", "high_value"),
        ("plan", "plan_fit"),
        ("요금제", "plan_fit"),
        ("monthly_fee", "price"),
        ("월요금", "price"),
    ],
)
def test_columns_match_their_row(pb, column, key):
    assert pb.match(column)["key"] == key


@pytest.mark.parametrize(
    "column",
    ["region", "지역", "account_owner", "담당자", "acquisition_channel", "유입경로", "gender"],
)
def test_fixed_traits_match_nothing(pb, column):
    assert pb.match(column) is None


def _reference(values: dict[str, list]) -> E.Reference:
    from churn.roles import ColumnRoles
    from churn.table import CustomerTable

    frame = pd.DataFrame(values)
    cats = tuple(c for c in frame.columns if pd.api.types.is_string_dtype(frame[c]))
    t = CustomerTable(frame, ColumnRoles(), "customers", features=tuple(frame), categorical=cats)
    return E.make_reference(t)


def test_when_decides_which_values_are_actionable(pb):
    ref = _reference(
        {
            "support_tickets": [0, 0, 1, 2, 5],
            "nps": [10, 9, 8, 3, None],
            "contract": ["monthly", "annual", "monthly", "annual", "monthly"],
            "discount_requested": ["Yes", "No", "No", "No", "예"],
            "plan": ["a", "b", "a", "b", "a"],
        }
    )
    row = pb.match
    # high: above the median (0 tickets is not "support trouble", 2 is)
    assert not EW._actionable(row("support_tickets"), ref, "support_tickets", 0)
    assert not EW._actionable(row("support_tickets"), ref, "support_tickets", 1)
    assert EW._actionable(row("support_tickets"), ref, "support_tickets", 2)
    # low: below the median, or missing (did not answer the survey)
    assert EW._actionable(row("nps"), ref, "nps", 3)
    assert not EW._actionable(row("nps"), ref, "nps", 9)
    assert EW._actionable(row("nps"), ref, "nps", None)
    # value:REGEX and yes
    assert EW._actionable(row("contract"), ref, "contract", "monthly")
    assert EW._actionable(row("contract"), ref, "contract", "월간")
    assert not EW._actionable(row("contract"), ref, "contract", "annual")
    assert EW._actionable(row("discount_requested"), ref, "discount_requested", "Yes")
    assert EW._actionable(row("discount_requested"), ref, "discount_requested", "예")
    assert not EW._actionable(row("discount_requested"), ref, "discount_requested", "No")
    # any
    assert EW._actionable(row("plan"), ref, "plan", "b")


def test_an_edited_playbook_changes_the_action(tmp_path: Path):
    rows = E.load_playbook().rows.copy()
    rows.loc[rows["key"] == "support_trouble", "action_en"] = "Send flowers."
    rows = pd.concat(
        [
            pd.DataFrame(
                [["regional", "", "region", "any", "Visit the region.", "지역 방문", "", ""]],
                columns=list(E.PLAYBOOK_COLUMNS),
            ),
            rows,
        ]
    )
    path = tmp_path / "playbook.csv"
    rows.to_csv(path, index=False, encoding="utf-8")
    pb = E.load_playbook(path)
    assert pb.action("support_trouble") == "Send flowers."
    assert pb.match("region")["key"] == "regional"  # a consultant made region actionable


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r.drop(columns=["why_ko"]), "lacks the columns why_ko"),
        (lambda r: r.assign(key="same"), "unique key"),
        (lambda r: r.assign(when="sometimes"), "when = 'sometimes'"),
        (lambda r: r.assign(pattern="(unclosed"), "invalid pattern"),
    ],
)
def test_broken_playbooks_are_refused(tmp_path, edit, message):
    path = tmp_path / "bad.csv"
    edit(E.load_playbook().rows).to_csv(path, index=False)
    with pytest.raises(ChurnDataError, match=message):
        E.load_playbook(path)


def test_playbook_table_in_both_languages(pb):
    en = E.playbook_table(pb, "en")
    ko = E.playbook_table(pb, "ko")
    assert list(en.columns) == ["key", "matches", "when", "action", "why"]
    assert len(en) == len(pb.rows) == len(ko)
    first = en.iloc[0]
    assert first["key"] == "support_trouble" and first["matches"] == "support_tickets"
    assert ko.iloc[0]["action"].startswith("다시 불만이 생기기 전에")
    assert E.playbook_table(pb, "fr")["action"].equals(en["action"])  # unknown language: English
