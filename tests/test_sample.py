"""Tests of churn.sample: determinism, shapes and ranges, and the planted effects."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn import sample
from churn.sample import (
    generate_event_log,
    generate_subscriptions,
    generate_transactions,
    to_korean,
    write_korean_xlsx,
    write_samples,
)
from churn.sample.helpers import make_ids
from churn.sample.subscriptions import _add_months

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "sample"
SNAP = pd.Timestamp(sample.SNAPSHOT)
KOREAN_HEADERS = [
    "고객ID",
    "이름",
    "이메일",
    "가입일",
    "해지일",
    "요금제",
    "계약유형",
    "월요금",
    "지역",
    "유입경로",
    "담당자",
    "상담건수_90일",
    "불만건수_90일",
    "NPS",
    "로그인_30일",
    "로그인변화율",
    "뉴스레터_수신거부",
    "할인요청",
    "갱신까지_일수",
    "결제실패_90일",
    "이탈사유",
    "이탈여부",
]


@pytest.fixture(scope="module")
def subs() -> pd.DataFrame:
    return generate_subscriptions()


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    return generate_transactions()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    return write_samples(tmp_path_factory.mktemp("sample"))


def _rate(frame: pd.DataFrame, mask) -> float:
    return float(frame.loc[mask, "churned"].eq("Yes").mean())


# --- determinism ----------------------------------------------------------------------
def test_same_seed_same_frame_and_other_seed_differs():
    a = generate_subscriptions(n=400, seed=3)
    b = generate_subscriptions(n=400, seed=3)
    pd.testing.assert_frame_equal(a, b)
    c = generate_subscriptions(n=400, seed=4)
    assert not a["churned"].equals(c["churned"]) or not a["signup_date"].equals(c["signup_date"])
    pd.testing.assert_frame_equal(
        generate_transactions(50, seed=2), generate_transactions(50, seed=2)
    )
    pd.testing.assert_frame_equal(generate_event_log(999, seed=5), generate_event_log(999, seed=5))


@pytest.mark.parametrize(
    "name", [sample.SUBSCRIPTIONS_CSV, sample.SUBSCRIPTIONS_XLSX, sample.TRANSACTIONS_CSV]
)
def test_committed_files_equal_a_fresh_generation(written, name):
    committed = SAMPLE_DIR / name
    assert committed.is_file(), f"{committed} missing: run python -m churn.sample"
    if name.endswith(".csv"):
        assert written[name].read_bytes() == committed.read_bytes(), (
            f"{name} is stale: regenerate with python -m churn.sample"
        )
        return
    # A workbook's bytes also depend on the xlsxwriter release; its content must not.
    fresh = pd.read_excel(written[name], sheet_name=None, engine="calamine")
    saved = pd.read_excel(committed, sheet_name=None, engine="calamine")
    assert list(fresh) == list(saved)
    for sheet in fresh:
        pd.testing.assert_frame_equal(fresh[sheet], saved[sheet], obj=f"{name}:{sheet}")


def test_xlsx_bytes_do_not_depend_on_the_clock(tmp_path, subs):
    ko = to_korean(subs.head(30))
    first = write_korean_xlsx(ko, tmp_path / "a.xlsx").read_bytes()
    second = write_korean_xlsx(ko, tmp_path / "b.xlsx").read_bytes()
    assert first == second


def test_command_line_writes_all_three_files(tmp_path, capsys):
    from churn.sample.__main__ import main

    assert main(["--out", str(tmp_path / "out")]) == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(
        [sample.SUBSCRIPTIONS_CSV, sample.SUBSCRIPTIONS_XLSX, sample.TRANSACTIONS_CSV]
        + [*sample.MONTHLY_FILES, sample.CAMPAIGN_FILE]
    )
    assert "subscriptions.csv" in capsys.readouterr().out


# --- subscriptions: sizes, types, ranges ------------------------------------------------
def test_subscription_columns_and_size(subs):
    assert list(subs.columns) == list(sample.KOREAN_COLUMNS)
    assert len(subs) == 5000
    assert subs["customer_id"].is_unique
    assert subs["customer_id"].iloc[0] == "C00001" and subs["customer_id"].iloc[-1] == "C05000"
    assert subs["email"].is_unique
    assert subs["email"].str.fullmatch(r"[a-z]+\.[a-z]+(\d+)?(_\d+)?@[a-z.]+").all()
    assert subs["name"].str.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+").all()


def test_ids_are_wide_enough_for_big_runs():
    ids = make_ids("C", 123456)
    assert ids[0] == "C000001" and ids[-1] == "C123456" and len(set(ids)) == 123456


def test_dates_lie_in_the_three_year_window(subs):
    assert subs["signup_date"].min() >= pd.Timestamp("2023-01-01")
    assert subs["signup_date"].max() <= SNAP
    ended = subs["cancel_date"].notna()
    assert (subs.loc[ended, "cancel_date"] > subs.loc[ended, "signup_date"]).all()
    assert subs.loc[ended, "cancel_date"].max() <= SNAP
    # Growth: many monthly cohorts, more signups in the last year than in the first.
    assert subs["signup_date"].dt.to_period("M").nunique() == 36
    per_year = subs["signup_date"].dt.year.value_counts()
    assert per_year[2025] > 1.5 * per_year[2023]


def test_value_ranges(subs):
    nps = subs["nps"]
    assert nps.dropna().between(0, 10).all()
    assert 0.02 < nps.isna().mean() < 0.10  # a handful missing, as in a real survey
    assert (subs["complaints_90d"] <= subs["support_tickets_90d"]).all()
    assert (subs[["support_tickets_90d", "logins_30d", "failed_payments_90d"]] >= 0).all().all()
    assert pd.api.types.is_integer_dtype(subs["monthly_fee"])  # a plain number
    fee = subs.groupby("plan")["monthly_fee"].median()
    assert fee["Basic"] < fee["Standard"] < fee["Premium"]
    assert subs["monthly_fee"].between(5000, 25000).all()
    for column in ("newsletter_unsubscribed", "discount_requested", "churned"):
        assert set(subs[column]) == {"Yes", "No"}
    assert set(subs["contract"]) == {"monthly", "annual"}
    monthly = subs["contract"] == "monthly"
    assert subs.loc[monthly, "days_to_renewal"].between(1, 31).all()
    assert subs.loc[~monthly, "days_to_renewal"].between(1, 366).all()
    assert 0 < subs["acquisition_channel"].isna().sum() < 150


def test_logins_change_is_the_change_on_the_previous_30_days(subs):
    # prev = cur / (1 + change/100) must be a whole number of logins for every row.
    known = subs.dropna(subset=["logins_change_pct"])
    ratio = 1 + known["logins_change_pct"] / 100
    nonzero = ratio > 0
    prev = known.loc[nonzero, "logins_30d"] / ratio[nonzero]
    assert np.allclose(prev, prev.round(), atol=0.05 * prev.clip(lower=1))
    assert subs["logins_change_pct"].min() >= -100


def test_churned_matches_cancel_date_and_reasons_only_for_churners(subs):
    churned = subs["churned"] == "Yes"
    assert (churned == subs["cancel_date"].notna()).all()
    assert subs.loc[~churned, "churn_reason"].isna().all()
    reasons = set(subs.loc[churned, "churn_reason"].dropna())
    assert reasons == {r[0] for r in sample.REASONS}
    # A few churners left no reason (no exit survey), but most did.
    assert 0 < subs.loc[churned, "churn_reason"].isna().mean() < 0.08


def test_overall_churn_rate(subs):
    assert 0.25 <= subs["churned"].eq("Yes").mean() <= 0.35


def test_days_to_renewal_agrees_with_calendar_arithmetic(subs):
    # Independent computation with pandas DateOffset on a slice of customers.
    rows = subs.iloc[::37]
    for _, row in rows.iterrows():
        ref = row["cancel_date"] if pd.notna(row["cancel_date"]) else SNAP
        step = 12 if row["contract"] == "annual" else 1
        k = step
        while row["signup_date"] + pd.DateOffset(months=k) <= ref:
            k += step
        expected = (row["signup_date"] + pd.DateOffset(months=k) - ref).days
        assert row["days_to_renewal"] == expected, row["customer_id"]


@pytest.mark.parametrize(
    "start, months, expected",
    [
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2023-05-15", 0, "2023-05-15"),
        ("2023-12-31", 2, "2024-02-29"),
    ],
)
def test_add_months_by_hand(start, months, expected):
    got = _add_months(np.array([start], dtype="datetime64[D]"), np.array([months]))
    assert str(got[0]) == expected


# --- subscriptions: planted effects hold in the data -----------------------------------
def test_contract_effect(subs):
    monthly = _rate(subs, subs["contract"] == "monthly")
    annual = _rate(subs, subs["contract"] == "annual")
    assert monthly > 2 * annual


def test_nps_groups_are_ordered(subs):
    nps = subs["nps"].astype(float)
    detractors = _rate(subs, nps <= 6)
    passives = _rate(subs, nps.between(7, 8))
    promoters = _rate(subs, nps >= 9)
    assert detractors > passives > promoters
    assert detractors > 2 * promoters


def test_ticket_threshold(subs):
    t = subs["support_tickets_90d"]
    few, many = _rate(subs, t <= 3), _rate(subs, t >= 4)
    assert many > few + 0.2
    # Below the threshold the step is small: 3 tickets is closer to 0 than 4+ is to 3.
    assert _rate(subs, t >= 4) - _rate(subs, t == 3) > _rate(subs, t == 3) - _rate(subs, t == 0)


def test_engagement_and_discount_effects(subs):
    change = subs["logins_change_pct"]
    assert _rate(subs, change <= -30) > _rate(subs, change > -10) + 0.15
    yes = subs["discount_requested"] == "Yes"
    for contract in ("monthly", "annual"):
        c = subs["contract"] == contract
        assert _rate(subs, c & yes) > 1.5 * _rate(subs, c & ~yes)
    assert _rate(subs, subs["newsletter_unsubscribed"] == "Yes") > _rate(
        subs, subs["newsletter_unsubscribed"] == "No"
    )
    ch = subs["acquisition_channel"]
    assert _rate(subs, ch == "Referral") < _rate(subs, ch == "Social ads")


def test_failed_payments_cause_involuntary_churn(subs):
    failed = subs["failed_payments_90d"]
    payment = subs["churn_reason"] == sample.REASON_PAYMENT
    assert payment.sum() > 50
    assert (failed[payment] >= 1).all()  # no involuntary churn without a failed payment
    assert payment[failed >= 2].mean() > 0.25
    assert _rate(subs, failed >= 2) > _rate(subs, failed == 0) + 0.2


def test_annual_customers_leave_near_renewal(subs):
    annual = subs["contract"] == "annual"
    churned = subs["churned"] == "Yes"
    voluntary = subs["churn_reason"] != sample.REASON_PAYMENT
    leavers = subs.loc[annual & churned & voluntary, "days_to_renewal"]
    assert leavers.between(1, 45).all()
    assert subs.loc[annual & ~churned, "days_to_renewal"].median() > 150


def test_risk_falls_with_tenure(subs):
    monthly = subs[subs["contract"] == "monthly"]
    tenure = (monthly["cancel_date"].fillna(SNAP) - monthly["signup_date"]).dt.days
    churned = monthly["churned"] == "Yes"

    def daily_hazard(lo: int, hi: int) -> float:
        at_risk = tenure >= lo
        events = at_risk & churned & (tenure < hi)
        exposure = (tenure[at_risk].clip(upper=hi) - lo).sum()
        return events.sum() / exposure

    assert daily_hazard(0, 90) > 1.5 * daily_hazard(365, 730)


def test_distractor_columns_carry_little_signal(subs):
    for column in ("region", "account_owner"):
        big = subs[column].value_counts()
        big = big[big >= 300].index
        rates = [_rate(subs, subs[column] == v) for v in big]
        assert max(rates) - min(rates) < 0.08, column


def test_drivers_predict_churn_in_cross_validation(subs):
    """A plain model on the documented drivers ranks churners well (AUC in range)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    nps = subs["nps"].astype(float)
    change = subs["logins_change_pct"].fillna(0)
    x = pd.DataFrame(
        {
            "monthly": subs["contract"].eq("monthly"),
            "basic": subs["plan"].eq("Basic"),
            "tickets4": subs["support_tickets_90d"].ge(4),
            "complaint": subs["complaints_90d"].ge(1),
            "detractor": nps.le(6),
            "passive": nps.between(7, 8),
            "nps_missing": nps.isna(),
            "fall30": change.le(-30),
            "fall10": change.between(-30, -10, inclusive="right"),
            "few_logins": subs["logins_30d"].le(2),
            "unsub": subs["newsletter_unsubscribed"].eq("Yes"),
            "discount": subs["discount_requested"].eq("Yes"),
            "failed2": subs["failed_payments_90d"].ge(2),
            "near_renewal_annual": subs["contract"].eq("annual") & subs["days_to_renewal"].le(45),
        }
    ).astype(float)
    y = subs["churned"].eq("Yes")
    auc = cross_val_score(LogisticRegression(max_iter=1000), x, y, cv=5, scoring="roc_auc")
    assert 0.75 < auc.mean() < 0.92


def test_generate_subscriptions_rejects_empty():
    with pytest.raises(ValueError):
        generate_subscriptions(0)


# --- Korean export ------------------------------------------------------------------
def test_to_korean_headers_labels_and_no_mutation(subs):
    before = subs.copy()
    ko = to_korean(subs)
    pd.testing.assert_frame_equal(subs, before)
    assert list(ko.columns) == KOREAN_HEADERS
    assert set(ko["이탈여부"]) == {"이탈", "유지"}
    assert set(ko["계약유형"]) == {"월간", "연간"}
    assert set(ko["할인요청"]) == {"예", "아니오"}
    assert {"서울", "부산", "경기"} <= set(ko["지역"])
    assert set(ko["요금제"]) == {"베이직", "스탠다드", "프리미엄"}
    assert "결제 실패" in set(ko["이탈사유"].dropna())
    assert ko["이름"].str.fullmatch(r"[가-힣]{2,4}").all()
    assert ko["담당자"].str.fullmatch(r"[가-힣]{3}").all()
    # Same customers, same numbers and dates.
    assert (ko["이탈여부"].eq("이탈") == subs["churned"].eq("Yes")).all()
    pd.testing.assert_series_equal(ko["가입일"], subs["signup_date"], check_names=False)
    assert ko["유입경로"].isna().sum() == subs["acquisition_channel"].isna().sum()


def test_to_korean_keeps_unknown_values():
    frame = pd.DataFrame({"churned": ["Yes", "Maybe"], "region": ["Seoul", "Jeju"]})
    ko = to_korean(frame)
    assert ko["이탈여부"].tolist() == ["이탈", "Maybe"]
    assert ko["지역"].tolist() == ["서울", "Jeju"]


def test_workbook_has_dictionary_first_and_real_dates(written, subs):
    from openpyxl import load_workbook

    book = load_workbook(written[sample.SUBSCRIPTIONS_XLSX], read_only=True)
    assert book.sheetnames == ["데이터 설명", "고객목록"]
    data = book["고객목록"]
    header = [c.value for c in next(data.iter_rows(min_row=1, max_row=1))]
    assert header == KOREAN_HEADERS
    second = [c for c in next(data.iter_rows(min_row=2, max_row=2))]
    assert second[3].is_date and second[3].number_format == "yyyy-mm-dd"
    assert second[7].data_type == "n"  # fee is a number, not text
    book.close()

    frame = pd.read_excel(written[sample.SUBSCRIPTIONS_XLSX], sheet_name="고객목록")
    assert len(frame) == len(subs)
    assert pd.api.types.is_datetime64_any_dtype(frame["가입일"])
    assert pd.api.types.is_datetime64_any_dtype(frame["해지일"])
    assert frame["해지일"].isna().sum() == subs["cancel_date"].isna().sum()
    assert frame["NPS"].isna().sum() == subs["nps"].isna().sum()
    assert set(frame["이탈여부"]) == {"이탈", "유지"}
    expected = to_korean(subs)
    for column in ("고객ID", "이름", "월요금", "갱신까지_일수"):
        assert frame[column].tolist() == expected[column].tolist(), column

    dictionary = pd.read_excel(
        written[sample.SUBSCRIPTIONS_XLSX], sheet_name="데이터 설명", header=None
    )
    described = set(dictionary[0].dropna())
    assert set(KOREAN_HEADERS) <= described


# --- transactions and event logs -------------------------------------------------------
def test_transactions_shape_and_ranges(orders):
    assert list(orders.columns) == ["customer_id", "order_date", "amount", "category"]
    assert orders["customer_id"].nunique() == 3000
    assert orders["customer_id"].str.fullmatch(r"M\d{5}").all()
    assert orders["order_date"].between("2024-01-01", "2025-12-31").all()
    assert (orders["order_date"] == orders["order_date"].dt.normalize()).all()
    assert orders.groupby("customer_id")["order_date"].is_monotonic_increasing.all()
    assert (orders["amount"] >= 0).all()
    assert 0 < (orders["amount"] == 0).sum() < 0.01 * len(orders)
    assert set(orders["category"]) == {c[0] for c in sample.CATEGORIES}
    assert 10_000 < len(orders) < 30_000


def test_transactions_have_many_growing_cohorts(orders):
    first = orders.groupby("customer_id")["order_date"].min()
    cohorts = first.dt.to_period("M").value_counts()
    assert len(cohorts) == 24
    assert (first.dt.year == 2025).sum() > (first.dt.year == 2024).sum()


def test_inactivity_rule_labels_a_sensible_share(orders):
    end = pd.Timestamp("2025-12-31")
    g = orders.groupby("customer_id")
    last, first = g["order_date"].max(), g["order_date"].min()
    established = (end - first).dt.days > 90
    quiet = (end - last).dt.days > 90
    assert 0.35 < quiet[established].mean() < 0.75
    # Going quiet depends on the category and, within a category, on spend.
    main = g["category"].agg(lambda s: s.value_counts().idxmax())
    assert quiet[main == "Electronics"].mean() > quiet[main == "Grocery"].mean() + 0.1
    typical = {c[0]: c[3] for c in sample.CATEGORIES}
    relative = g["amount"].median() / main.map(typical)
    low = relative <= relative.quantile(1 / 3)
    high = relative >= relative.quantile(2 / 3)
    assert quiet[low & established].mean() > quiet[high & established].mean()


def test_one_time_buyers_exist(orders):
    per_customer = orders.groupby("customer_id").size()
    assert 0.15 < (per_customer == 1).mean() < 0.45


@pytest.mark.parametrize("rows", [1, 7, 5_000, 54_321])
def test_event_log_has_exactly_the_rows_asked(rows):
    log = generate_event_log(rows, seed=1)
    assert len(log) == rows
    assert list(log.columns) == ["customer_id", "order_date", "amount", "category"]
    assert log.groupby("customer_id", sort=False).size().min() >= 1


def test_event_log_rejects_nonsense():
    with pytest.raises(ValueError):
        generate_event_log(0)
    with pytest.raises(ValueError):
        generate_transactions(0)


# --- documentation --------------------------------------------------------------------
def test_readme_documents_every_column_and_effect(subs, orders):
    readme = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    for column in list(subs.columns) + list(orders.columns) + KOREAN_HEADERS:
        assert f"`{column}`" in readme, column
    lines = readme.splitlines()
    for key, value in sample.VOLUNTARY_EFFECTS.items():
        number = re.compile(rf"\| {re.escape(f'{value:g}')} \|")  # the multiplier cell
        assert any(f"`{key}`" in x and number.search(x) for x in lines), key
    assert "python -m churn.sample" in readme
    # The counts quoted in the README are those of the generated files.
    n_churned = int(subs["churned"].eq("Yes").sum())
    assert f"{n_churned:,} of 5,000 ({n_churned / 50:.1f} %)" in readme
    assert f"{len(orders):,} orders" in readme
    assert f"empty for {int(subs['nps'].isna().sum())} customers" in readme


def test_sample_churn_rate_is_in_the_range_of_real_data(subs, shared_data):
    telco = pd.read_csv(shared_data / "telco_customer_churn.csv", usecols=["Churn"])
    real = telco["Churn"].eq("Yes").mean()
    assert real == pytest.approx(1869 / 7043)
    assert abs(subs["churned"].eq("Yes").mean() - real) < 0.08
