"""Honest forecasts (issue 18, item 2): out-of-fold risks for counts and sums over the
customers a model learned from, and calibration chosen by cross-validated Brier score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from churn import model as M
from churn import whatif as W
from churn.metrics import forecast_next_months
from churn.model.calibration import MIN_BRIER_GAIN
from tests.test_model import make_table


@pytest.fixture(scope="module")
def cv_model():
    table = make_table(700, seed=3, unlabelled=40)
    trained = M.train(table, model="logistic", split=M.choose_split(table, prefer="cv"))
    return table, trained


def _oof_sum_of_active(table, trained) -> float:
    """The independent figure: the sum of the stored out-of-fold scores of the customers
    whose label says active."""
    p = trained.predictions
    active = set(table.frame.loc[table.frame["churned"] == 0, "customer_id"].astype(str))
    return float(p.loc[p["customer_id"].astype(str).isin(active), "score"].sum())


def test_expected_churners_are_the_sum_of_out_of_fold_scores_of_active_customers(cv_model):
    table, trained = cv_model
    cal = M.calibration_of(trained)
    assert cal.method == "none"  # logistic data, logistic model: nothing to re-map
    risk = M.honest_risk(trained, table, calibration=cal)
    assert risk.attrs["sources"] == {"out_of_fold": 660, "cross_fitted": 0, "model": 40}
    expected = _oof_sum_of_active(table, trained)
    got = M.expected_among_active(table, risk)
    assert got["active"] == (table.frame["churned"] == 0).sum()
    assert got["expected"] == pytest.approx(expected, rel=1e-12)
    # the forecast on the Churn over time page spreads the same risks over the months
    fc = forecast_next_months(table, 6, risk)
    assert fc["expected_churners"].sum() == pytest.approx(expected, rel=1e-9)
    # the in-sample figure of the final model is another number (what the issue found)
    in_sample = M.expected_among_active(table, M.score(trained, table))["expected"]
    assert abs(in_sample - expected) > 0.5
    # customers without a label were never fitted on: the final model scores them
    unlabelled = table.frame.loc[table.frame["churned"].isna(), "customer_id"].astype(str)
    final = M.score(trained, table)
    assert np.allclose(risk[unlabelled.to_numpy()], final[unlabelled.to_numpy()])
    note = M.honest_note(risk)
    assert "660 customers the model learned from" in note and "40 customers without" in note


def test_a_time_split_cross_fits_the_customers_outside_the_hold_out():
    table = make_table(500, seed=4, dates=True)
    trained = M.train(table, model="logistic")
    assert trained.split.kind == "time"
    risk = M.honest_risk(trained, table, calibrate=False, folds=3)
    src = risk.attrs["sources"]
    assert src["out_of_fold"] == trained.split.n_test
    assert src["cross_fitted"] == 500 - trained.split.n_test and src["model"] == 0
    held = trained.predictions.set_index("customer_id")["score"]
    assert np.allclose(risk[held.index.to_numpy()], held.to_numpy())
    # a cross-fitted customer's risk comes from a model that did not see them
    rest = risk.index.difference(held.index)
    final = M.score(trained, table)[rest]
    assert not np.allclose(risk[rest], final)
    assert "cross-fitted" in M.honest_note(risk)


def test_many_customers_to_cross_fit_take_two_folds(monkeypatch):
    """From LARGE_CROSS_FIT customers outside the hold-out, the default is two folds (the
    same risks as folds=2, other risks than three folds); below it, three."""
    import churn.model.honest as H

    table = make_table(500, seed=4, dates=True)
    trained = M.train(table, model="logistic")
    rest = 500 - trained.split.n_test
    two = M.honest_risk(trained, table, calibrate=False, folds=2)
    three = M.honest_risk(trained, table, calibrate=False, folds=3)
    assert not np.allclose(two, three)
    assert np.allclose(M.honest_risk(trained, table, calibrate=False), three)
    monkeypatch.setattr(H, "LARGE_CROSS_FIT", rest)
    assert np.allclose(M.honest_risk(trained, table, calibrate=False), two)


def _independent_cv_brier(y: np.ndarray, s: np.ndarray, seed: int = 0) -> dict[str, float]:
    """The cross-validated Brier score of raw, Platt and isotonic maps, computed here."""
    logit = np.log(np.clip(s, 1e-6, 1 - 1e-6) / (1 - np.clip(s, 1e-6, 1 - 1e-6)))
    out = {"none": s.copy(), "sigmoid": s.copy(), "isotonic": s.copy()}
    folds = StratifiedKFold(5, shuffle=True, random_state=seed).split(s, y)
    for tr, te in folds:
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(logit[tr, None], y[tr])
        out["sigmoid"][te] = lr.predict_proba(logit[te, None])[:, 1]
        iso = IsotonicRegression(y_min=0, y_max=1, out_of_bounds="clip").fit(s[tr], y[tr])
        out["isotonic"][te] = iso.predict(s[te])
    return {m: float(np.mean((v - y) ** 2)) for m, v in out.items()}


@pytest.mark.parametrize("power", [1.0, 2.5])
def test_calibration_picks_what_cross_validated_brier_says(power):
    rng = np.random.default_rng(7)
    p = rng.beta(1.2, 3.0, 4000)
    y = (rng.random(4000) < p).astype(float)
    s = p**power  # power 1: calibrated; 2.5: risks far too low in the middle
    cal = M.choose_calibration(y, s)
    brier = _independent_cv_brier(y, s)
    for m in M.CALIBRATION_METHODS:
        assert cal.cv_brier[m] == pytest.approx(brier[m], abs=1e-6), m
    best = min(brier, key=brier.get)
    if brier["none"] - brier[best] < MIN_BRIER_GAIN:
        best = "none"
    assert cal.method == best
    if power == 1.0:
        assert cal.method == "none"
    else:
        assert cal.method in ("sigmoid", "isotonic")
        assert cal.cv_brier[cal.method] < cal.cv_brier["none"] - MIN_BRIER_GAIN
        # the cross-fitted "after" scores are what the chosen Brier score was measured on
        assert np.mean((cal.cross_fitted - y) ** 2) == pytest.approx(cal.cv_brier[cal.method])
        assert "re-mapped" in cal.words()


def test_too_few_customers_skip_the_check():
    cal = M.choose_calibration(np.array([0, 1] * 20), np.linspace(0.1, 0.9, 40))
    assert cal.method == "none" and "too few" in cal.words()


def test_a_campaign_starts_from_the_honest_risks(cv_model):
    table, trained = cv_model
    risk = M.honest_risk(trained, table)
    ids = W.segment_ids(table, column="plan", values=["basic"])
    res = W.segment_scenario(
        trained, table, ids, W.Intervention("set", "plan", "pro"),
        cost_per_customer=5.0, acceptance=1.0, value=10.0, risk=risk, move_linked=False,
    )  # fmt: skip
    per = res.per_customer.set_index("customer_id")
    assert res.churners_before == pytest.approx(float(risk[per.index].sum()))
    # the offer moves each honest risk by the model's own change (log-odds)
    rows = table.frame[table.frame["customer_id"].isin(per.index)].set_index("customer_id")
    before = M.score(trained, rows.loc[per.index])
    after = M.score(trained, rows.loc[per.index].assign(plan="pro"))
    expected = M.shift_risk(risk[per.index].to_numpy(), before.to_numpy(), after.to_numpy())
    assert np.allclose(per["risk_if_accepted"].to_numpy(), expected)
    assert (per["risk_if_accepted"] < per["risk_before"]).all()  # pro lowers every risk
    assert any("out of fold" in a for a in res.assumptions)


def test_shift_risk_moves_on_the_log_odds_scale():
    base = np.array([0.2, 0.5, 0.9])
    before = np.array([0.3, 0.5, 0.8])
    assert np.allclose(M.shift_risk(base, before, before), base)
    assert np.allclose(M.shift_risk(before, before, np.array([0.1, 0.4, 0.6])), [0.1, 0.4, 0.6])
    out = M.shift_risk(np.array([0.25]), np.array([0.5]), np.array([0.75]))
    assert out[0] == pytest.approx(0.5)  # odds 1/3 times 3


def test_the_report_says_what_each_metric_means():
    from churn.report.meanings import metric_meaning
    from churn.text import localize

    m = M.evaluate(pd.Series([0, 1, 0, 1, 0]), pd.Series([0.1, 0.8, 0.3, 0.6, 0.2]))
    for key, value in m.items():
        if isinstance(value, float):
            assert metric_meaning(key), key
            assert localize(metric_meaning(key), "ko") != str(metric_meaning(key)), key
    from churn.report.formatting import header

    assert header("m.brier_baseline", "en") == "Brier score if everyone got the churn rate"


def test_customers_of_another_file_keep_the_final_models_risk(cv_model, tmp_path):
    table, trained = cv_model
    other = make_table(300, seed=9)  # other customers, some with the same ids
    risk = M.honest_risk(trained, other)
    assert risk.attrs["sources"] == {"out_of_fold": 0, "cross_fitted": 0, "model": 300}
    np.testing.assert_allclose(risk.to_numpy(), M.score(trained, other).to_numpy())
    assert "did not learn from these 300 customers" in M.honest_note(risk)
    # a model file keeps no evaluation scores: nothing is refitted for its customers
    loaded = M.load_model(M.save_model(trained, tmp_path / "m.skops"))
    again = M.honest_risk(loaded, table)
    assert again.attrs["sources"]["model"] == 700
    np.testing.assert_allclose(again.to_numpy(), M.score(loaded, table).to_numpy())


def test_no_calibration_from_a_hold_out_whose_churn_rate_differs():
    from types import SimpleNamespace

    rng = np.random.default_rng(1)
    p = rng.uniform(0.05, 0.9, 2000)
    preds = pd.DataFrame({"churned": (rng.random(2000) < p / 3).astype(float), "score": p})
    for differ in (False, True):
        tm = SimpleNamespace(
            predictions=preds, split=SimpleNamespace(rates_differ=differ), random_state=0
        )
        cal = M.calibration_of(tm)
        # scores three times too high: re-mapped, unless the hold-out's rate differs
        assert cal.used is not differ
        assert ("churn rate differs" in cal.words()) is differ
