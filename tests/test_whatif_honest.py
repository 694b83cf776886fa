"""The single-customer what-if starts from the customer's honest (out-of-fold) risk and
moves it by the model's change, as the segment what-if does."""

from __future__ import annotations

import numpy as np
import pytest

from churn import model as M
from churn import whatif as W
from tests.test_model import make_table


@pytest.fixture(scope="module")
def cv_model():
    table = make_table(400, seed=5, unlabelled=20)
    trained = M.train(table, model="logistic", split=M.choose_split(table, prefer="cv"))
    return table, trained


def test_one_customer_starts_from_the_honest_risk(cv_model):
    table, trained = cv_model
    risk = M.honest_risk(trained, table)
    frame = table.frame
    row = frame[(frame["plan"] == "basic") & frame["churned"].notna()].iloc[[0]]
    customer = str(row["customer_id"].iloc[0])
    res = W.what_if(trained, table, customer, {"plan": "pro"}, move_linked=False, risk=risk)
    own_before = float(M.score(trained, row).iloc[0])
    own_after = float(M.score(trained, row.assign(plan="pro")).iloc[0])
    assert res.honest
    assert res.before == pytest.approx(float(risk[customer]))
    assert res.before != pytest.approx(own_before)  # in-sample and out-of-fold differ
    assert (res.model_before, res.model_after) == pytest.approx((own_before, own_after))
    expected = M.shift_risk(np.array([risk[customer]]), np.array([own_before]), [own_after])
    assert res.after == pytest.approx(float(expected[0]))
    assert res.delta == pytest.approx(res.after - res.before)
    assert res.after < res.before  # pro lowers the risk in the generated data
    assert "out-of-fold" in res.note()


def test_one_customer_and_the_segment_agree(cv_model):
    table, trained = cv_model
    risk = M.honest_risk(trained, table)
    ids = W.segment_ids(table, column="plan", values=["basic"])[:30]
    seg = W.segment_scenario(
        trained, table, ids, W.Intervention("set", "plan", "pro"),
        cost_per_customer=1.0, acceptance=1.0, value=10.0, risk=risk, move_linked=False,
    )  # fmt: skip
    per = seg.per_customer.set_index("customer_id")
    for customer in per.index:
        one = W.what_if(trained, table, customer, {"plan": "pro"}, move_linked=False, risk=risk)
        assert one.before == pytest.approx(per.loc[customer, "risk_before"])
        assert one.after == pytest.approx(per.loc[customer, "risk_if_accepted"])


def test_without_honest_risks_the_model_scores_are_shown(cv_model):
    table, trained = cv_model
    customer = str(table.frame["customer_id"].iloc[30])
    res = W.what_if(trained, table, customer, {"support_tickets": 0}, move_linked=False)
    assert not res.honest and res.before == res.model_before and res.after == res.model_after
    assert "model's own" in res.note()
