"""Tests for churn.roles: label vocabulary, role inference from names and values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn.roles import (
    REASON_CONSTANT,
    REASON_DATE,
    REASON_EMPTY,
    REASON_IDENTIFIER,
    REASON_PERSONAL,
    REASON_TEXT,
    ColumnRoles,
    infer_roles,
    label_key,
    label_text,
    label_value_counts,
    leakage_detail,
    map_label,
    normalize_label_values,
    normalize_name,
    separation_auc,
)

# --------------------------------------------------------------------------------------
# Label vocabulary
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "churned", "active"),
    [
        (["Yes", "No"], ("Yes",), ("No",)),
        (["y", "n"], ("y",), ("n",)),
        ([1, 0], ("1",), ("0",)),
        ([1.0, 0.0, np.nan], ("1",), ("0",)),
        ([True, False], ("True",), ("False",)),
        (["TRUE", "false"], ("TRUE",), ("false",)),
        (["Churned", "Active"], ("Churned",), ("Active",)),
        (["Churn", "Stay"], ("Churn",), ("Stay",)),
        (["Exited", "Stayed"], ("Exited",), ("Stayed",)),
        (
            ["Attrited Customer", "Existing Customer"],
            ("Attrited Customer",),
            ("Existing Customer",),
        ),
        (["Cancelled", "Active"], ("Cancelled",), ("Active",)),
        (["canceled", "active"], ("canceled",), ("active",)),
        (["Lost", "Retained"], ("Lost",), ("Retained",)),
        (["Inactive", "Active"], ("Inactive",), ("Active",)),
        (["이탈", "유지"], ("이탈",), ("유지",)),
        (["해지", "유지"], ("해지",), ("유지",)),
        (["예", "아니오"], ("예",), ("아니오",)),
        (["O", "X"], ("O",), ("X",)),
        ([" yes ", "NO"], ("yes",), ("NO",)),
        (
            ["attrited  customer", "EXISTING customer"],
            ("attrited  customer",),
            ("EXISTING customer",),
        ),
    ],
)
def test_normalize_label_values_vocabulary(values, churned, active):
    assert normalize_label_values(values) == (churned, active)


def test_status_column_with_more_values_leaves_unknown_out():
    churned, active = normalize_label_values(["active", "cancelled", "paused", "trial", "active"])
    assert churned == ("cancelled",)
    assert active == ("active",)


def test_label_text_and_key():
    assert label_text(1.0) == "1"
    assert label_text(np.int64(0)) == "0"
    assert label_text(True) == "True"
    assert label_text(np.nan) is None
    assert label_text("  ") is None
    assert label_text(" Yes ") == "Yes"
    assert label_text(0.5) == "0.5"
    assert label_key("Attrited  Customer") == label_key("attrited_customer")
    assert label_key("1.0") == "1"


def test_map_label_is_case_and_space_insensitive():
    s = pd.Series(["Yes", "yes ", "NO", "maybe", None])
    out = map_label(s, ["YES"], ["no"])
    assert out.tolist()[:3] == [1.0, 1.0, 0.0]
    assert np.isnan(out.iloc[3]) and np.isnan(out.iloc[4])
    # numeric labels match their text form
    assert map_label(pd.Series([1.0, 0.0, 2.0]), ["1"], ["0"]).tolist()[:2] == [1.0, 0.0]


def test_label_value_counts_proposes_meanings():
    s = pd.Series(["active"] * 3 + ["cancelled"] * 2 + ["paused"])
    out = label_value_counts(s)
    assert out.to_dict("list") == {
        "value": ["active", "cancelled", "paused"],
        "count": [3, 2, 1],
        "meaning": ["active", "churned", "left_out"],
    }
    confirmed = ColumnRoles(
        label="x", churned_values=("cancelled", "paused"), active_values=("active",)
    )
    assert label_value_counts(s, confirmed)["meaning"].tolist() == ["active", "churned", "churned"]


def test_normalize_name():
    assert normalize_name("customerID") == "customer_id"
    assert normalize_name("MonthlyCharges") == "monthly_charges"
    assert normalize_name("E-mail Address") == "e_mail_address"
    assert normalize_name("고객ID") == "고객id"


# --------------------------------------------------------------------------------------
# Leakage measures
# --------------------------------------------------------------------------------------


def test_separation_auc_by_hand_and_against_sklearn():
    from sklearn.metrics import roc_auc_score

    x = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], dtype=float)
    y = pd.Series([0, 0, 0, 1, 0, 1, 0, 1, 1, 1], dtype=float)
    # pairs (churned, active) with churned > active: 4>(1,2,3)=3, 6>(1,2,3,5)=4,
    # 8>5 actives... = 5, 9 -> 5, 10 -> 5: 22 of 25 pairs.
    assert separation_auc(x, y) == pytest.approx(22 / 25)
    rng = np.random.default_rng(0)
    x2 = pd.Series(rng.normal(size=300))
    y2 = pd.Series((rng.random(300) < 0.3).astype(float))
    auc = roc_auc_score(y2, x2)
    assert separation_auc(x2, y2) == pytest.approx(max(auc, 1 - auc))


def test_leakage_detail_numeric_and_pure_level():
    y = pd.Series([1.0] * 10 + [0.0] * 30)
    perfect = pd.Series(list(range(100, 110)) + list(range(30)), dtype=float)
    assert "AUC 1.000" in leakage_detail(perfect, y)
    # a code that is empty for every active customer (75 % of rows)
    code = pd.Series(["price", "service"] * 5 + [None] * 30)
    assert "(missing)" in leakage_detail(code, y) and "active" in leakage_detail(code, y)
    rng = np.random.default_rng(1)
    noise = pd.Series(rng.normal(size=40))
    assert leakage_detail(noise, y) is None
    mixed = pd.Series(["a", "b"] * 20)
    assert leakage_detail(mixed, y) is None


# --------------------------------------------------------------------------------------
# Role inference
# --------------------------------------------------------------------------------------


def _customers(n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    churn = np.array(["Yes", "No", "No", "No"] * (n // 4))
    return pd.DataFrame(
        {
            "customerID": [f"{1000 + i}-AB" for i in range(n)],
            "gender": rng.choice(["Female", "Male"], n),
            "SeniorCitizen": rng.integers(0, 2, n),
            "area_code": rng.choice([408, 415, 510], n),
            "support_tickets": rng.integers(0, 9, n),
            "tenure": rng.integers(1, 72, n),
            "MonthlyCharges": rng.uniform(20, 100, n).round(2),
            "Contract": rng.choice(["Month-to-month", "One year", "Two year"], n),
            "Churn": churn,
        }
    )


def test_infer_english_customer_file():
    df = _customers()
    before = df.copy()
    r = infer_roles(df)
    pd.testing.assert_frame_equal(df, before)  # input untouched
    assert r.id == "customerID"
    assert r.label == "Churn"
    assert (r.churned_values, r.active_values) == (("Yes",), ("No",))
    assert r.amount == "MonthlyCharges"
    assert r.tenure == "tenure" and r.tenure_unit == "months"
    assert r.shape == "customers"
    assert set(r.features) == {
        "gender",
        "SeniorCitizen",
        "area_code",
        "support_tickets",
        "tenure",
        "MonthlyCharges",
        "Contract",
    }
    # a 0/1 flag and an area code are categories; a count of tickets is a number
    assert set(r.categorical) == {"gender", "SeniorCitizen", "area_code", "Contract"}


def test_area_code_by_values_without_a_telling_name():
    df = _customers().rename(columns={"area_code": "ac"})
    assert "ac" in infer_roles(df).categorical


def test_infer_korean_subscription_file():
    n = 30
    df = pd.DataFrame(
        {
            "고객ID": [f"K{i:03d}" for i in range(n)],
            "이름": ["김민준", "이서연", "박지호", "최하은", "정우진", "강수아"] * 5,
            "이메일": [f"user{i}@example.co.kr" for i in range(n)],
            "연락처": [f"010-{1000 + i}-{2000 + i}" for i in range(n)],
            "가입일": pd.date_range("2023-01-01", periods=n, freq="7D").strftime("%Y-%m-%d"),
            "해지일": ["2024-03-01" if i % 4 == 0 else None for i in range(n)],
            "요금제": ["베이직", "스탠다드", "프리미엄"] * 10,
            "월요금": [9900, 14900, 19900] * 10,
            "이탈사유": ["가격" if i % 4 == 0 else None for i in range(n)],
            "이탈여부": ["이탈" if i % 4 == 0 else "유지" for i in range(n)],
        }
    )
    r = infer_roles(df)
    assert r.id == "고객ID"
    assert r.name == "이름"
    assert r.email == "이메일"
    assert r.personal == ("연락처",)
    assert r.start == "가입일"
    assert r.end == "해지일"
    assert r.amount == "월요금"
    assert r.reason == "이탈사유"
    assert r.label == "이탈여부"
    assert (r.churned_values, r.active_values) == (("이탈",), ("유지",))
    assert r.shape == "subscriptions"
    assert set(r.features) == {"요금제", "월요금"}
    excluded = dict(r.excluded)
    assert excluded["이름"] == REASON_PERSONAL
    assert excluded["연락처"] == REASON_PERSONAL


@pytest.mark.parametrize(
    ("header", "values", "churned"),
    [
        ("Exited", [1, 0], ("1",)),
        ("Attrition_Flag", ["Attrited Customer", "Existing Customer"], ("Attrited Customer",)),
        ("churned", ["True", "False"], ("True",)),
        ("status", ["Churned", "Active"], ("Churned",)),
        ("해지여부", ["예", "아니오"], ("예",)),
        ("회원상태", ["해지", "유지"], ("해지",)),
    ],
)
def test_label_by_name_with_each_vocabulary(header, values, churned):
    n = 20
    df = pd.DataFrame(
        {"id": range(n), "plan": ["a", "b"] * 10, header: [values[i % 2] for i in range(n)]}
    )
    r = infer_roles(df)
    assert r.label == header
    assert r.churned_values == churned


def test_generic_yes_no_flag_is_not_a_label_without_a_name():
    df = pd.DataFrame({"id": range(20), "Partner": ["Yes", "No"] * 10})
    r = infer_roles(df)
    assert r.label is None
    assert r.features == ("Partner",)


def test_strong_vocabulary_makes_a_label_under_any_name():
    df = pd.DataFrame({"id": range(20), "outcome": ["Churned", "Active"] * 10})
    assert infer_roles(df).label == "outcome"


def test_status_column_with_paused():
    df = pd.DataFrame(
        {"id": range(20), "subscription_status": ["active", "cancelled", "paused", "trial"] * 5}
    )
    r = infer_roles(df)
    assert r.label == "subscription_status"
    assert (r.churned_values, r.active_values) == (("cancelled",), ("active",))


def test_id_by_values_when_no_name_says_so():
    df = pd.DataFrame({"code": [f"C{i:04d}" for i in range(30)], "x": [1, 2, 3] * 10})
    assert infer_roles(df).id == "code"


def test_personal_data_by_values():
    n = 25
    df = pd.DataFrame(
        {
            "id": range(n),
            "contact": [f"p{i}@mail.com" for i in range(n)],
            "mobile_no": [f"+82 10-{1000 + i}-{3000 + i}" for i in range(n)],
            "who": [f"Anna Smith{chr(97 + i)}".title() for i in range(n)],
            "plan": ["a", "b", "c", "d", "e"] * 5,
        }
    )
    r = infer_roles(df)
    assert r.email == "contact"
    assert r.name == "who"
    assert "mobile_no" in r.personal
    assert r.features == ("plan",)


def test_phone_named_yes_no_service_is_a_feature():
    df = pd.DataFrame({"id": range(20), "PhoneService": ["Yes", "No"] * 10})
    r = infer_roles(df)
    assert r.personal == ()
    assert r.features == ("PhoneService",)


def test_exclusions_with_reasons():
    n = 40
    y = ["Yes"] * 10 + ["No"] * 30
    df = pd.DataFrame(
        {
            "customer_id": range(n),
            "row_no": range(1, n + 1),
            "country": ["KR"] * n,
            "coupon": [None] * 30 + ["X"] * 10,
            "comment": [f"free text number {i}" for i in range(n)],
            "last_login_date": pd.date_range("2024-01-01", periods=n).strftime("%Y-%m-%d"),
            "cancel_code": ["a", "b"] * 20,
            "days_since_last_visit": list(range(100, 110)) + list(range(30)),
            "visits": [3, 5, 7, 9] * 10,
            "churn": y,
        }
    )
    r = infer_roles(df)
    ex = dict(r.excluded)
    assert ex["row_no"] == REASON_IDENTIFIER
    assert ex["country"] == REASON_CONSTANT
    assert ex["coupon"] == REASON_EMPTY
    assert ex["comment"] in (REASON_TEXT, REASON_IDENTIFIER)
    assert ex["last_login_date"] == REASON_DATE
    # a leaky name is only a hint: "a/b" alternating does not separate churners, so it stays
    assert "cancel_code" not in ex
    notes = {c: (conf, why) for role, c, conf, why in r.reasons if role == "features"}
    assert notes["cancel_code"][0] == "low" and "AUC 0.50" in notes["cancel_code"][1]
    # a recency that separates churners perfectly: measured after the customer left
    assert ex["days_since_last_visit"].startswith(
        "leakage suspect: measured after the customer left"
    )
    assert "AUC 1.00" in ex["days_since_last_visit"]
    assert r.features == ("cancel_code", "visits")


def test_free_text_with_many_levels():
    n = 300
    df = pd.DataFrame(
        {"id": range(n), "city": [f"city {i % 150}" for i in range(n)], "plan": ["a", "b"] * 150}
    )
    assert dict(infer_roles(df).excluded)["city"] == REASON_TEXT


def test_event_log_roles():
    df = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c", "c", "c"],
            "order_date": [
                "2024-01-01",
                "2024-02-01",
                "2024-01-05",
                "2024-01-02",
                "2024-03-01",
                "2024-04-01",
            ],
            "amount": [10.0, 20.0, 5.0, 7.0, 8.0, 9.0],
            "category": ["x", "y", "x", "x", "x", "y"],
        }
    )
    r = infer_roles(df)
    assert (r.id, r.event_date, r.amount) == ("customer_id", "order_date", "amount")
    assert r.shape == "events"
    assert r.features == ("category",)
    assert r.label is None and r.start is None


def test_infer_roles_on_telco(shared_data):
    df = pd.read_csv(shared_data / "telco_customer_churn.csv")
    r = infer_roles(df)
    assert r.id == "customerID"
    assert r.label == "Churn"
    assert r.churned_values == ("Yes",) and r.active_values == ("No",)
    assert r.shape == "customers"
    assert r.tenure == "tenure" and r.amount == "MonthlyCharges"
    assert "SeniorCitizen" in r.categorical
    assert "TotalCharges" in r.features and "TotalCharges" not in r.categorical
    assert "customerID" not in r.features and "Churn" not in r.features


def test_infer_roles_on_cdnow(shared_data):
    df = pd.read_csv(shared_data / "cdnow_transactions.csv", dtype={"customer_id": str})
    r = infer_roles(df)
    assert (r.id, r.event_date, r.amount) == ("customer_id", "date", "dollar_value")
    assert r.shape == "events"


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("tenure", "months"),
        ("months", "months"),
        ("가입기간", "months"),
        ("tenure_days", "days"),
        ("이용기간(년)", "years"),
    ],
)
def test_tenure_by_name_and_unit(header, unit):
    df = pd.DataFrame({"id": range(20), header: range(20), "churn": ["Yes", "No"] * 10})
    r = infer_roles(df)
    assert (r.tenure, r.tenure_unit) == (header, unit)


def test_ibm_telco_v11_style_columns():
    n = 40
    y = ["Yes"] * 10 + ["No"] * 30
    df = pd.DataFrame(
        {
            "Customer ID": [f"{i:04d}-XYZ" for i in range(n)],
            "Customer Status": ["Churned"] * 10 + ["Stayed"] * 25 + ["Joined"] * 5,
            "Churn Label": y,
            "Churn Value": [1] * 10 + [0] * 30,
            "Churn Score": list(range(n)),
            "Churn Reason": ["Price"] * 10 + [None] * 30,
            "Contract": ["M", "Y"] * 20,
        }
    )
    r = infer_roles(df)
    assert r.id == "Customer ID"
    # two equally good labels: the first one is proposed, the other is a leakage suspect
    assert r.label == "Churn Label" and r.churned_values == ("Yes",)
    assert r.reason == "Churn Reason"
    ex = dict(r.excluded)
    for col in ("Customer Status", "Churn Value", "Churn Score"):
        assert ex[col].startswith("leakage suspect"), col
    assert r.features == ("Contract",)


def test_repeated_column_names_are_refused():
    from churn.errors import ChurnDataError

    df = pd.DataFrame([[1, 2, 3]], columns=["id", "plan", "plan"])
    with pytest.raises(ChurnDataError, match="'plan' appears more than once"):
        infer_roles(df)


def test_non_text_column_names():
    df = pd.DataFrame({0: range(20), 1: ["Churned", "Active"] * 10})
    r = infer_roles(df)
    assert r.label == "1" and r.churned_values == ("Churned",)


def test_durations_and_raw_bytes_are_judged_not_crashed_on():
    # a Parquet file can hold a duration column or a binary one: both are described as text
    n = 30
    df = pd.DataFrame(
        {
            "id": [f"C{i}" for i in range(n)],
            "session": pd.to_timedelta(np.arange(n) % 4, unit="h"),
            "blob": [bytes([0xC8 + i % 3]) for i in range(n)],  # not UTF-8
            "churn": ["Yes", "No", "No"] * (n // 3),
        }
    )
    roles = infer_roles(df)
    assert (roles.id, roles.label) == ("id", "churn")
    assert "session" in roles.features  # four levels: a usable category
    assert "blob" not in roles.features  # undecodable bytes read as one replacement text
