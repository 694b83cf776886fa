"""What-if always leads somewhere (issue 18, item 5): actionable columns by kind."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn import whatif as W
from churn.whatif.kinds import feature_kind

BANK = {
    "CreditScore": "history",
    "Geography": "demographic",
    "Gender": "demographic",
    "Age": "demographic",
    "Tenure": "tenure",
    "Balance": "history",
    "NumOfProducts": "products",
    "HasCrCard": "products",
    "IsActiveMember": "activity",
    "EstimatedSalary": "demographic",
}


def bank_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """A bank export like the public one: churn follows age, activity and products."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n)
    active = rng.integers(0, 2, n)
    products = rng.choice([1, 2, 3, 4], n, p=[0.5, 0.4, 0.07, 0.03])
    logit = -1.5 + 0.05 * (age - 40) - 1.0 * active + 1.2 * (products >= 3)
    return pd.DataFrame(
        {
            "RowNumber": np.arange(1, n + 1),
            "CustomerId": 15_600_000 + np.arange(n),
            "Surname": rng.choice(["Kim", "Lee", "Park", "Smith", "Jones"], n),
            "CreditScore": rng.integers(350, 850, n),
            "Geography": rng.choice(["France", "Spain", "Germany"], n),
            "Gender": rng.choice(["Female", "Male"], n),
            "Age": age,
            "Tenure": rng.integers(0, 11, n),
            "Balance": np.round(rng.choice([0.0, 1.0], n) * rng.normal(120_000, 30_000, n), 2),
            "NumOfProducts": products,
            "HasCrCard": rng.integers(0, 2, n),
            "IsActiveMember": active,
            "EstimatedSalary": np.round(rng.uniform(10_000, 200_000, n), 2),
            "Exited": (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int),
        }
    )


def test_bank_columns_by_kind():
    for col, kind in BANK.items():
        assert feature_kind(col) == kind, col
        assert W.is_actionable(col) == (kind in W.ACTIONABLE_KINDS), col


def test_names_are_read_as_words_not_letters():
    # "age" inside "usage" or "engagement" is not an age; "Age" and "age_band" are
    assert feature_kind("usage_minutes") == "activity"
    assert feature_kind("engagement_score") == "activity"
    assert feature_kind("page_views") == "unknown"
    assert feature_kind("age_band") == "demographic"
    assert (
        feature_kind("TotalCharges") == "history" and feature_kind("MonthlyCharges") == "discount"
    )
    assert feature_kind("PaymentMethod") == "payment" and feature_kind("결제수단") == "payment"
    assert feature_kind("보유상품수") == "products" and feature_kind("연령대") == "demographic"


def test_values_tell_the_kind_when_the_name_does_not():
    assert feature_kind("col_7", ["Month-to-month", "One year", "Two year"]) == "contract"
    assert feature_kind("col_8", ["Electronic check", "Bank transfer (automatic)"]) == "payment"
    assert feature_kind("col_9", ["Female", "Male"]) == "demographic"
    assert feature_kind("col_10", ["red", "blue"]) == "unknown"
    assert not W.is_actionable("col_10", ["red", "blue"])


def test_feature_space_marks_the_bank_columns_by_kind():
    from churn.model import train
    from churn.roles import infer_roles
    from churn.shapes import build_customer_table

    frame = bank_frame()
    table = build_customer_table(frame, infer_roles(frame))
    trained = train(table, model="logistic")
    space = W.feature_space(table, trained).set_index("feature")
    for col in ("NumOfProducts", "IsActiveMember", "HasCrCard"):
        assert space.loc[col, "actionable"], col
    for col in ("Age", "Gender", "Geography", "Tenure", "Balance", "CreditScore"):
        assert not space.loc[col, "actionable"], col
    assert space.loc["IsActiveMember", "use"] == "activity"
    # a suggestion can now be searched on the bank export
    risk = pd.Series(trained.predict_risk(table.frame), index=table.frame["customer_id"])
    riskiest = str(risk.idxmax())
    sug = W.suggest(trained, table, riskiest, target=0.05, space=space.reset_index())
    assert sug.searched > 0
    changed = {c["column"] for _, o in sug.options.iterrows() for c in o["changes"]}
    assert changed <= {"NumOfProducts", "IsActiveMember", "HasCrCard"}


@pytest.mark.parametrize("name", ["Age", "gender", "tenure", "TotalCharges", "signup_date"])
def test_fixed_columns_stay_fixed(name):
    assert not W.is_actionable(name)
