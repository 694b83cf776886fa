"""Monotone warning signs (issue 18, item 4): which columns are constrained, why, and that
fewer tickets never raise risk even where the data hold an interaction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn import model as M
from churn.model.monotone import (
    constraints_for,
    decision_reason,
    monotone_plan,
    proposed_directions,
)
from churn.model.registry import make_lightgbm
from tests.model_frames import CATEGORICAL, FEATURES, signal_frame, signal_table


def test_directions_from_names():
    cols = [
        "support_tickets_90d", "complaints", "failed_payments_90d", "NPS", "satisfaction_score",
        "logins_30d", "engagement", "logins_change_pct", "login_drop_pct", "로그인 횟수",
        "monthly_fee", "tenure", "plan",
    ]  # fmt: skip
    got = {c: d for c, (d, _) in proposed_directions(cols, ["plan"]).items()}
    assert got == {
        "support_tickets_90d": 1,
        "complaints": 1,
        "failed_payments_90d": 1,
        "NPS": -1,
        "satisfaction_score": -1,
        "logins_30d": -1,
        "engagement": -1,
        "logins_change_pct": -1,
        "login_drop_pct": 1,
        "로그인 횟수": -1,
    }
    # a category has no order: never constrained, whatever its name
    assert proposed_directions(["support_tickets"], ["support_tickets"]) == {}


def test_the_data_must_agree():
    X = pd.DataFrame({"complaints": [0, 1, 2, 3, 4, 5.0], "nps": [1, 2, 3, 4, 5, 6.0]})
    y = np.array([1, 1, 1, 0, 0, 0])  # complaints fall with churn: the data disagree
    plan = monotone_plan(X, y, {"complaints": 1, "nps": -1})
    assert [(p.column, p.direction) for p in plan] == [("complaints", 0), ("nps", -1)]
    assert plan[0].correlation == pytest.approx(-0.8783100656536799)
    assert str(plan[0].reason) == (
        "no constraint on 'complaints': its name suggests risk rises as it rises, but in the "
        "data churn does not (rank correlation -0.878)."
    )
    assert str(plan[1].reason) == (
        "risk only falls as 'nps' rises: its name marks it as a warning sign and churn moves "
        "that way in the data (rank correlation -0.878)."
    )
    flat = monotone_plan(pd.DataFrame({"nps": [3.0] * 6}), y, {"nps": -1})[0]
    assert flat.direction == 0 and "does not vary" in decision_reason(flat.to_dict())
    assert constraints_for(["a", "complaints", "nps"], plan) == [0, 0, -1]


def _risk_by_tickets(pipe, frame: pd.DataFrame, values) -> np.ndarray:
    """(customers, ticket values) risks, each customer's tickets set to each value."""
    out = []
    for v in values:
        X = M.feature_frame(frame.assign(support_tickets=float(v)), FEATURES, CATEGORICAL)
        out.append(pipe.predict_proba(X)[:, 1])
    return np.column_stack(out)


def test_fewer_tickets_never_raise_risk_despite_an_interaction():
    frame = signal_frame(3000, seed=1, interaction=0.9)
    X = M.feature_frame(frame, FEATURES, CATEGORICAL)
    y = frame["churned"].to_numpy().astype(int)
    constrained = make_lightgbm(FEATURES, CATEGORICAL, len(X)).fit(X, y)
    free = make_lightgbm(FEATURES, CATEGORICAL, len(X))
    free.set_params(model__monotone_columns=())
    free.fit(X, y)
    probe = frame.iloc[:400]
    values = range(0, 9)
    steps = np.diff(_risk_by_tickets(constrained, probe, values), axis=1)
    assert (steps >= 0).all()  # one ticket fewer never raises anyone's risk
    assert (steps > 0).any()
    # without the constraint the interaction makes some risks rise as tickets fall
    assert (np.diff(_risk_by_tickets(free, probe, values), axis=1) < -1e-6).any()
    est = constrained[-1]
    kept = {d["column"]: d["direction"] for d in est.monotone_}
    assert kept["support_tickets"] == 1 and kept["nps"] == -1


def test_train_reports_the_decisions_and_the_file_keeps_them(tmp_path):
    table = signal_table(800, seed=2)
    tm = M.train(table)
    got = {d["column"]: d["direction"] for d in tm.metrics["monotone"]}
    assert got["support_tickets"] == 1 and got["nps"] == -1
    assert set(got) == {"support_tickets", "nps", "logins_30d"}
    assert "params" not in tm.metrics  # not tuned
    back = M.load_model(M.save_model(tm, tmp_path / "m.skops"))
    assert back.metrics["monotone"] == tm.metrics["monotone"]
    assert back.pipeline_[-1].monotone_ == tm.pipeline_[-1].monotone_
    X = M.feature_frame(table)
    np.testing.assert_array_equal(back.predict_risk(X), tm.predict_risk(X))
