"""churn.model: registry, gates, splits, metrics, decision, scoring, save/load.

The ``train`` and ``score`` commands are tested in tests/cli/."""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    confusion_matrix,
    log_loss,
    roc_auc_score,
)

from churn import model as M
from churn.errors import ChurnDataError
from churn.roles import ColumnRoles
from churn.table import CustomerTable

LEAK = ("churn_reason", "leakage: only filled in for churned customers")


def make_table(
    n: int = 600,
    seed: int = 0,
    dates: bool = False,
    unlabelled: int = 0,
    churn_shift: float = 0.0,
) -> CustomerTable:
    """A realistic customer table whose churn follows tickets, plan and tenure."""
    rng = np.random.default_rng(seed)
    tickets = rng.poisson(2.0, n).astype(float)
    plan = rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2])
    region = rng.choice(["north", "south", None], n, p=[0.45, 0.45, 0.1])
    tenure = rng.uniform(30, 1500, n)
    fee = np.round(rng.normal(40, 10, n), 2)
    fee[rng.random(n) < 0.05] = np.nan
    logit = -1.2 + 0.7 * (tickets - 2) - 1.0 * (plan == "pro") - tenure / 600 + churn_shift
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    churned[:unlabelled] = np.nan
    snapshot = pd.Timestamp("2025-01-01")
    start = snapshot - pd.to_timedelta(tenure.round(), unit="D") if dates else pd.NaT
    status = np.where(np.isnan(churned), "too_new", np.where(churned == 1, "churned", "active"))
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "churned": churned,
            "label_status": status,
            "start_date": pd.to_datetime(pd.Series(start, index=range(n))),
            "end_date": pd.to_datetime(pd.Series([pd.NaT] * n)),
            "tenure_days": tenure,
            "value": fee,
            "support_tickets": tickets,
            "plan": plan,
            "region": region,
            "monthly_fee": fee,
            "churn_reason": np.where(churned == 1, "price", None),
            "email": [f"c{i}@example.com" for i in range(n)],
        }
    )
    roles = ColumnRoles(id="id", label="status", reason="churn_reason", email="email")
    return CustomerTable(
        frame=frame,
        roles=roles,
        shape="customers",
        snapshot=snapshot if dates else None,
        rows_in=n,
        features=("support_tickets", "plan", "region", "monthly_fee", "tenure_days"),
        categorical=("plan", "region"),
        excluded=(LEAK,),
        personal=("email",),
    )


@pytest.fixture(scope="module")
def table() -> CustomerTable:
    return make_table()


_TRAINED: dict[str, M.TrainedModel] = {}


def fitted(table: CustomerTable, name: str) -> M.TrainedModel:
    """Each registry model trained once on the module's table (the machine is shared)."""
    if name not in _TRAINED:
        _TRAINED[name] = M.train(table, name)
    return _TRAINED[name]


@pytest.fixture(scope="module")
def trained(table) -> M.TrainedModel:
    return fitted(table, "lightgbm")


# ----------------------------------------------------------------------------- registry
def test_registry_has_the_four_models_with_explainer_kinds():
    assert set(M.MODELS) == {"logistic", "random_forest", "hist_gb", "lightgbm"}
    assert M.DEFAULT_MODEL == "lightgbm"
    kinds = {n: s.explainer for n, s in M.MODELS.items()}
    assert kinds == {
        "logistic": "linear",
        "random_forest": "tree",
        "hist_gb": "tree",
        "lightgbm": "tree",
    }


def test_factories_cap_the_forest_and_avoid_native_categorical_splits():
    rf = M.MODELS["random_forest"].factory(["a", "b"], ["b"], 100_000)[-1]
    assert rf.max_depth <= 10 and rf.n_estimators <= 200
    assert rf.max_samples == pytest.approx(0.2)  # 20k rows per tree at 100k rows
    assert M.MODELS["random_forest"].factory(["a"], [], 500)[-1].max_samples is None
    hgb = M.MODELS["hist_gb"].factory(["a", "b"], ["b"], 500)[-1]
    assert hgb.categorical_features is None
    lr = M.MODELS["logistic"].factory(["a"], [], 500)[-1]
    assert lr.class_weight is None  # unweighted on purpose: see the module docstring
    lgb = M.MODELS["lightgbm"].factory(["a"], [], 500)[-1]
    assert lgb.n_jobs == M.THREADS == 1 and lgb.verbose == -1


def test_unknown_model_name_is_a_data_error(table):
    with pytest.raises(ChurnDataError, match="no model called 'xgb'.*lightgbm"):
        M.train(table, "xgb")


# ----------------------------------------------------------------------------- features
def test_feature_frame_types_and_input_untouched(table):
    before = table.frame.copy()
    X = M.feature_frame(table)
    pd.testing.assert_frame_equal(table.frame, before)
    assert list(X.columns) == list(table.features)
    assert X["plan"].dtype == object and X["region"].isna().sum() > 0
    assert X["support_tickets"].dtype == float and X["monthly_fee"].isna().sum() > 0


def test_label_vector_drops_unlabelled_rows():
    t = make_table(n=300, unlabelled=40)
    y = M.label_vector(t)
    assert len(y) == 260 and set(y.unique()) <= {0, 1}
    assert not y.index.isin(range(40)).any()


def test_leakage_suspect_is_listed_and_left_out_by_default(table):
    assert M.leakage_suspects(table) == [LEAK]
    feats, _ = M.resolve_features(table)
    assert "churn_reason" not in feats


def test_planted_leaking_column_would_give_a_perfect_model(table):
    """Why it is left out: with it, out-of-fold ROC AUC is 1.0 (the model reads the label)."""
    leaky = M.train(table, "logistic", features=[*table.features, "churn_reason"])
    assert leaky.metrics["roc_auc"] == pytest.approx(1.0)
    honest = fitted(table, "logistic")
    assert 0.65 < honest.metrics["roc_auc"] < 0.95


@pytest.mark.parametrize(
    ("column", "words"),
    [
        ("customer_id", "customer id"),
        ("churned", "label"),
        ("email", "personal"),
        ("start_date", "raw date"),
        ("nope", "not in the customer table"),
    ],
)
def test_forbidden_features_are_refused(table, column, words):
    with pytest.raises(ChurnDataError, match=words) as err:
        M.resolve_features(table, ["plan", column])
    assert err.value.column == column


# ----------------------------------------------------------------------------- gates
def test_gate_too_few_labelled_rows():
    with pytest.raises(ChurnDataError, match="only 99 customers have a churn label"):
        M.check_trainable(make_table(n=150, unlabelled=51))


def test_gate_one_class_only():
    t = make_table(n=300, churn_shift=-50)
    assert t.n_churned == 0
    with pytest.raises(ChurnDataError, match="no churned customers"):
        M.train(t)


def test_gate_too_few_churned():
    t = make_table(n=300)
    f = t.frame.copy()
    churned_idx = f.index[f["churned"] == 1]
    f.loc[churned_idx[15:], "churned"] = 0.0  # leaves exactly 15 churned
    small = CustomerTable(
        frame=f, roles=t.roles, shape="customers", features=t.features, categorical=t.categorical
    )
    with pytest.raises(ChurnDataError, match="only 15 churned"):
        M.check_trainable(small)


def test_gate_no_features():
    t = make_table(n=300)
    empty = CustomerTable(frame=t.frame, roles=t.roles, shape="customers")
    with pytest.raises(ChurnDataError, match="no feature columns"):
        M.train(empty)


# ----------------------------------------------------------------------------- split
def test_time_split_when_start_dates_exist():
    t = make_table(n=800, dates=True)
    sp = M.choose_split(t)
    assert sp.kind == "time" and sp.time_available
    assert sp.n_train + sp.n_test == 800
    assert sp.n_test == pytest.approx(200, abs=5)  # whole days stay on one side
    assert "started on or after" in sp.description
    starts = t.frame["start_date"]
    assert (starts >= sp.cutoff).sum() == sp.n_test
    tm = M.train(t, "logistic")
    assert tm.split.kind == "time"
    assert len(tm.predictions) == sp.n_test
    held = set(tm.predictions["customer_id"])
    late = set(t.frame.loc[starts >= sp.cutoff, "customer_id"])
    assert held == late
    assert np.isnan(tm.metrics["roc_auc_std"])
    # the user can still ask for cross-validation
    assert M.choose_split(t, prefer="cv").kind == "cv"


def test_cv_without_dates(table):
    sp = M.choose_split(table)
    assert sp.kind == "cv" and sp.folds == 5 and not sp.time_available
    assert "5-fold" in sp.description
    assert "needs start dates" in M.choose_split(table, prefer="time").description


def test_cv_training_scores_every_labelled_customer_once():
    t = make_table(n=400, unlabelled=30)
    tm = M.train(t, "logistic")
    p = tm.predictions
    assert len(p) == 370 and p["customer_id"].is_unique
    assert sorted(p["fold"].unique()) == [1, 2, 3, 4, 5]
    assert tm.n_train == 370
    assert len(tm.metrics["roc_auc_folds"]) == 5
    # metrics are those of the pooled out-of-fold scores
    assert tm.metrics["roc_auc"] == pytest.approx(roc_auc_score(p["churned"], p["score"]))


# ----------------------------------------------------------------------------- metrics
def test_evaluate_matches_scikit_learn():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 500)
    s = np.clip(0.3 * y + rng.random(500) * 0.7, 0, 1)
    m = M.evaluate(y, s, threshold=0.5)
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, s))
    assert m["pr_auc"] == pytest.approx(average_precision_score(y, s))
    assert m["brier"] == pytest.approx(brier_score_loss(y, s))
    assert m["log_loss"] == pytest.approx(log_loss(y, s))
    tn, fp, fn, tp = confusion_matrix(y, s >= 0.5).ravel()
    assert (m["tn"], m["fp"], m["fn"], m["tp"]) == (tn, fp, fn, tp)
    assert m["base_rate"] == pytest.approx(y.mean())
    assert m["brier_baseline"] == pytest.approx(y.mean() * (1 - y.mean()))
    base = np.full(500, y.mean())
    assert m["log_loss_baseline"] == pytest.approx(log_loss(y, base))


def test_evaluate_by_hand():
    y = [1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    s = [0.9, 0.8, 0.7, 0.4, 0.3, 0.3, 0.2, 0.2, 0.1, 0.05]
    m = M.evaluate(y, s, threshold=0.5)
    # top decile = 1 customer (churned): rate 1.0 over base 0.2 -> lift 5
    assert m["top_decile_lift"] == pytest.approx(5.0)
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (2, 1, 0, 7)
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == 1.0
    # 16 pairs (churned, active): the 0.7 churner is below one active (0.8) -> 15/16
    assert m["roc_auc"] == pytest.approx(15 / 16)


def test_chart_frames_by_hand():
    y = np.array([1, 0, 1, 0])
    s = np.array([0.95, 0.15, 0.55, 0.45])
    cal = M.calibration_frame(y, s, bins=2)
    assert cal["n"].tolist() == [2, 2]
    assert cal["observed_rate"].tolist() == [0.0, 1.0]
    assert cal["mean_predicted"].tolist() == pytest.approx([0.3, 0.75])
    gains = M.gains_frame(y, s)
    assert gains["contacted"].tolist() == [0, 1, 2, 3, 4]
    assert gains["churners_found"].tolist() == [0, 1, 2, 2, 2]
    assert gains["lift"].iloc[2] == pytest.approx(2.0)
    dist = M.score_distribution(y, s, bins=2)
    assert dist.groupby("outcome")["n"].sum().to_dict() == {"active": 2, "churned": 2}
    conf = M.confusion_frame(y, s, 0.5).set_index(["actual", "predicted"])["n"]
    assert conf[("churned", "churned")] == 2 and conf[("active", "churned")] == 0
    roc = M.roc_frame(y, s)
    assert np.trapezoid(roc["true_positive_rate"], roc["false_positive_rate"]) == 1.0
    pr = M.pr_frame(y, s)
    assert (pr["base_rate"] == 0.5).all() and pr["precision"].max() == 1.0


# ----------------------------------------------------------------------------- decision
def test_profit_curve_by_hand():
    # gains per contact: .9*.5*100-10 = 35, .5*.5*100-10 = 15, .1*.5*100-10 = -5
    p = M.profit_curve([0.1, 0.9, 0.5], value_per_customer=100, offer_cost=10, success_rate=0.5)
    assert p["contacted"].tolist() == [0, 1, 2, 3]
    assert p["expected_profit"].tolist() == pytest.approx([0, 35, 50, 45])
    assert p["expected_saved"].tolist() == pytest.approx([0, 0.45, 0.7, 0.75])
    d = M.recommend(p)
    assert (d.n_contact, d.threshold) == (2, 0.5)
    assert d.expected_saved == pytest.approx(0.7)
    assert d.value_saved == pytest.approx(70)
    assert d.campaign_cost == 20 and d.expected_profit == pytest.approx(50)
    assert d.roi == pytest.approx(2.5) and not d.limited_by_capacity


def test_profit_curve_capacity_values_and_truth():
    s = [0.9, 0.5, 0.1]
    cap = M.recommend(
        M.profit_curve(s, value_per_customer=100, offer_cost=10, success_rate=0.5, capacity=1)
    )
    assert cap.n_contact == 1 and cap.limited_by_capacity
    # per-customer values: .9*.5*10-10 = -5.5, .5*.5*1000-10 = 240, .1*.5*100-10 = -5
    p = M.profit_curve(
        s, y_true=[0, 1, 1], value_per_customer=[10, 1000, 100], offer_cost=10, success_rate=0.5
    )
    assert p["expected_profit"].tolist() == pytest.approx([0, -5.5, 234.5, 229.5])
    assert p["churners_contacted"].tolist() == [0, 0, 1, 2]
    assert M.recommend(p).n_contact == 2
    # nothing worth doing: contact nobody
    none = M.recommend(M.profit_curve(s, value_per_customer=1, offer_cost=10))
    assert none.n_contact == 0 and none.expected_profit == 0


def test_table_profit_curve_contacts_only_customers_still_here():
    t = make_table(n=200)
    f = t.frame
    risk = pd.Series(np.linspace(0.99, 0.01, 200), index=f["customer_id"])
    curve = M.table_profit_curve(t, risk, value_per_customer=100, offer_cost=1, success_rate=0.5)
    still_here = int((f["churned"] != 1).sum())
    assert curve["contacted"].max() == still_here
    first = risk[f.loc[f["churned"] != 1, "customer_id"]].max()
    assert curve["expected_profit"].iloc[1] == pytest.approx(first * 0.5 * 100 - 1)
    by_value = M.table_profit_curve(t, risk, offer_cost=1, success_rate=0.5)
    fee = f.loc[(f["churned"] != 1).to_numpy(), "value"].fillna(0).to_numpy()
    order = np.argsort(-risk[f.loc[f["churned"] != 1, "customer_id"]].to_numpy(), kind="mergesort")
    scores = np.sort(risk[f.loc[f["churned"] != 1, "customer_id"]].to_numpy())[::-1]
    expected = np.sum(scores * 0.5 * fee[order]) - still_here
    assert by_value["expected_profit"].iloc[-1] == pytest.approx(expected)


def test_profit_curve_refuses_bad_inputs():
    with pytest.raises(ChurnDataError, match="between 0 and 1"):
        M.profit_curve([0.5], success_rate=20)
    with pytest.raises(ChurnDataError, match="negative"):
        M.profit_curve([0.5], offer_cost=-1)


# ----------------------------------------------------------------------------- training
def test_trained_model_states_split_balance_and_is_calibrated(table, trained):
    assert trained.name == "lightgbm" and trained.n_train == len(table.frame)
    assert trained.class_balance["n_churned"] == table.n_churned
    assert trained.class_balance["class_weights"] is None
    assert "without class weights" in trained.class_balance["handling"]
    m = trained.metrics
    assert m["roc_auc"] > 0.7
    assert m["brier"] < m["brier_baseline"]  # better than always saying the base rate
    # calibrated: mean predicted risk close to the observed churn rate
    assert trained.predictions["score"].mean() == pytest.approx(m["base_rate"], abs=0.04)
    assert trained.fit_seconds > 0 and trained.version


@pytest.mark.parametrize("name", ["logistic", "random_forest", "hist_gb", "lightgbm"])
def test_every_model_trains_and_shap_adds_up(table, name):
    import shap

    tm = fitted(table, name)
    X = M.feature_frame(table)[:25]
    Xt = M.transformed_features(tm, X)
    est = tm.pipeline_[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if tm.explainer == "linear":
            explainer = shap.LinearExplainer(
                est, M.transformed_features(tm, M.feature_frame(table))
            )
            margin = est.decision_function(Xt)
        else:
            explainer = shap.TreeExplainer(est)
            if name == "random_forest":
                margin = est.predict_proba(Xt)[:, 1]  # a forest's output is a probability
            else:
                margin = est.predict_proba(Xt, raw_score=True) if name == "lightgbm" else None
                if margin is None:
                    margin = est.decision_function(Xt)
        values = np.asarray(explainer.shap_values(Xt))
        base = np.atleast_1d(np.asarray(explainer.expected_value, dtype=float))
    if values.ndim == 3:  # (rows, features, classes): take the churned class
        values, base = values[:, :, 1], base[1:]
    assert values.shape == (25, Xt.shape[1])
    np.testing.assert_allclose(values.sum(axis=1) + base[-1], margin, atol=1e-6)
    # and the margin turns into the risk the app shows
    risk = tm.pipeline_.predict_proba(X)[:, 1]
    if name != "random_forest":
        np.testing.assert_allclose(1 / (1 + np.exp(-margin)), risk, atol=1e-9)


def test_feature_map_groups_one_hot_levels(table):
    tm = fitted(table, "logistic")
    fmap = M.feature_map(tm)
    Xt = M.transformed_features(tm, M.feature_frame(table)[:5])
    assert set(fmap) == set(Xt.columns)
    assert sorted(k for k, v in fmap.items() if v == "plan") == [
        "plan_basic",
        "plan_plus",
        "plan_pro",
    ]
    assert fmap["support_tickets"] == "support_tickets"
    assert set(fmap.values()) == set(table.features)
    tree = M.feature_map(fitted(table, "lightgbm"))
    assert tree == {c: c for c in table.features}


def test_leaderboard_compares_models_with_progress(table):
    calls = []
    lb = M.leaderboard(table, models=["logistic", "lightgbm"], progress=lambda *a: calls.append(a))
    assert set(lb["model"]) == {"logistic", "lightgbm"}
    assert lb["roc_auc"].is_monotonic_decreasing
    expected_cols = {"roc_auc", "roc_auc_std", "pr_auc", "brier", "log_loss", "top_decile_lift"}
    assert expected_cols | {"fit_seconds", "base_rate"} <= set(lb.columns)
    assert calls == [(0, 2, "logistic"), (1, 2, "lightgbm"), (2, 2, "")]


# ----------------------------------------------------------------------------- scoring
def test_score_every_customer_and_new_frames(table, trained):
    risk = M.score(trained, table)
    assert len(risk) == len(table.frame) and risk.index.name == "customer_id"
    assert risk.between(0, 1).all()
    raw = table.frame[list(table.features)].iloc[:10].copy()
    raw["plan"] = raw["plan"].astype("category")  # another dtype, same values
    np.testing.assert_allclose(M.score(trained, raw).to_numpy(), risk.iloc[:10].to_numpy())
    with pytest.raises(ChurnDataError, match="support_tickets") as err:
        M.score(trained, raw.drop(columns=["support_tickets"]))
    assert err.value.column == "support_tickets"


def test_unlabelled_customers_are_scored_but_not_trained_on():
    t = make_table(n=400, unlabelled=50)
    tm = M.train(t, "logistic")
    assert tm.n_train == 350
    assert M.score(tm, t).notna().sum() == 400


# ----------------------------------------------------------------------------- save/load
def test_skops_round_trip_gives_identical_predictions(tmp_path, table, trained):
    path = M.save_model(trained, tmp_path / "m.skops")
    back = M.load_model(path)
    pd.testing.assert_series_equal(M.score(back, table), M.score(trained, table))
    assert back.features == trained.features and back.categorical == trained.categorical
    assert back.metrics["roc_auc"] == pytest.approx(trained.metrics["roc_auc"])
    assert back.split.kind == "cv" and back.name == "lightgbm"
    assert back.roles == trained.roles


@pytest.mark.parametrize("name", ["logistic", "random_forest", "hist_gb"])
def test_skops_round_trip_other_models(tmp_path, table, name):
    tm = fitted(table, name)
    back = M.load_model(M.save_model(tm, tmp_path / f"{name}.skops"))
    # the forest sums its trees on 2 threads, so the last bit can differ between calls
    tol = 1e-12 if name == "random_forest" else 0
    np.testing.assert_allclose(
        M.score(back, table).to_numpy(), M.score(tm, table).to_numpy(), rtol=tol, atol=tol
    )


class Intruder:
    """A type no ChurnLens model contains."""

    def __init__(self):
        self.payload = "rm -rf"


def test_foreign_skops_files_are_refused(tmp_path, trained):
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    evil = tmp_path / "evil.skops"
    sio.dump({"churnlens": "{}", "pipeline": Intruder()}, evil)
    with pytest.raises(ChurnDataError, match="not a ChurnLens model.*Intruder"):
        M.load_model(evil)
    plain = tmp_path / "plain.skops"
    sio.dump(LogisticRegression(), plain)
    with pytest.raises(ChurnDataError, match="not a ChurnLens model.*metadata"):
        M.load_model(plain)
    text = tmp_path / "notes.skops"
    text.write_text("hello")
    with pytest.raises(ChurnDataError, match="not a ChurnLens model"):
        M.load_model(text)


def test_tampered_skops_file_is_refused(tmp_path, trained):
    good = M.save_model(trained, tmp_path / "good.skops")
    bad = tmp_path / "tampered.skops"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "schema.json":
                # swap a harmless type for one that would run code when loaded
                text = data.decode()
                assert '"__module__": "numpy"' in text
                data = text.replace('"__module__": "numpy"', '"__module__": "os"', 1).encode()
            zout.writestr(item, data)
    with pytest.raises(ChurnDataError, match="not a ChurnLens model"):
        M.load_model(bad)


# ----------------------------------------------------------------------------- export
def test_scores_export_neutralises_formulas(tmp_path):
    frame = pd.DataFrame(
        {"customer_id": ["=1+1", "＠SUM(A1)", "+cmd", "ok"], "risk": [0.9, 0.5, -0.1, 0.2]}
    )
    csv = M.write_scores(frame, tmp_path / "s.csv")
    back = pd.read_csv(csv, encoding="utf-8-sig")
    assert back["customer_id"].tolist() == ["'=1+1", "'＠SUM(A1)", "'+cmd", "ok"]
    assert back["risk"].tolist() == [0.9, 0.5, -0.1, 0.2]  # numbers stay numbers
    xlsx = M.write_scores(frame, tmp_path / "s.xlsx")
    assert pd.read_excel(xlsx)["customer_id"].tolist()[0] == "'=1+1"
    with zipfile.ZipFile(xlsx) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    with pytest.raises(ChurnDataError, match="csv or .xlsx"):
        M.write_scores(frame, tmp_path / "s.json")


# ----------------------------------------------------------------------------- real data
def _telco_table(shared_data: Path) -> CustomerTable:
    """Telco as a customer table built by hand (independent of the intake code)."""
    raw = pd.read_csv(shared_data / "telco_customer_churn.csv", dtype={"customerID": str})
    attrs = raw.drop(columns=["customerID", "Churn"])
    attrs["TotalCharges"] = pd.to_numeric(attrs["TotalCharges"], errors="coerce")
    frame = pd.DataFrame(
        {
            "customer_id": raw["customerID"],
            "churned": (raw["Churn"] == "Yes").astype(float),
            "label_status": np.where(raw["Churn"] == "Yes", "churned", "active"),
            "start_date": pd.to_datetime(pd.Series([pd.NaT] * len(raw))),
            "end_date": pd.to_datetime(pd.Series([pd.NaT] * len(raw))),
            "tenure_days": raw["tenure"] * 30.44,
            "value": raw["MonthlyCharges"].astype(float),
        }
    )
    frame = pd.concat([frame, attrs], axis=1)
    cats = [c for c in attrs.columns if pd.api.types.is_string_dtype(attrs[c])] + ["SeniorCitizen"]
    return CustomerTable(
        frame=frame,
        roles=ColumnRoles(id="customerID", label="Churn"),
        shape="customers",
        features=tuple(attrs.columns),
        categorical=tuple(cats),
    )


@pytest.mark.slow
def test_telco_default_model_cross_validated_auc(shared_data):
    t = _telco_table(shared_data)
    assert t.frame["TotalCharges"].isna().sum() == 11  # the blanks stay missing
    tm = M.train(t)
    m = tm.metrics
    assert tm.split.kind == "cv" and m["n"] == 7043 and m["n_churned"] == 1869
    assert m["base_rate"] == pytest.approx(0.2654, abs=1e-4)
    assert 0.83 <= m["roc_auc"] <= 0.87  # measured 0.844
    assert m["pr_auc"] > 2 * m["base_rate"]
    assert m["brier"] < m["brier_baseline"]
    assert m["top_decile_lift"] > 2.5


@pytest.mark.slow
def test_generated_sample_leakage_time_split_and_auc():
    """The app's sample: churn_reason is a leakage suspect, dates give a time split."""
    from churn.roles import infer_roles
    from churn.sample import generate_subscriptions
    from churn.shapes import build_customer_table

    raw = generate_subscriptions(n=3000)
    t = build_customer_table(raw, infer_roles(raw))
    suspects = dict(M.leakage_suspects(t))
    assert "churn_reason" in suspects and suspects["churn_reason"].startswith("leakage")
    sp = M.choose_split(t)
    assert sp.kind == "time"
    # newer customers had less time to leave: the split says so
    assert sp.test_rate < sp.train_rate and sp.rates_differ
    assert "less time to leave" in sp.description
    tm = M.train(t, split=sp)
    assert "churn_reason" not in tm.features
    assert tm.metrics["roc_auc"] > 0.75  # measured 0.83 at n=5000
    y = M.label_vector(t)
    starts = t.frame.loc[y.index, "start_date"]
    assert tm.metrics["base_rate"] == pytest.approx(y[starts >= sp.cutoff].mean())


def test_split_rates_differ_rule():
    base = {"kind": "time", "train_rate": 0.3}
    assert M.SplitSpec(**base, test_rate=0.1).rates_differ
    assert not M.SplitSpec(**base, test_rate=0.25).rates_differ
    assert not M.SplitSpec("cv", train_rate=0.3, test_rate=0.1).rates_differ
    assert not M.SplitSpec("time").rates_differ  # unknown rates


# ----------------------------------------------------------------------------- charts
def test_chart_builders_make_valid_specs_with_given_labels(trained):
    from churn.charts import model as C

    p = trained.predictions
    y, s = p["churned"], p["score"]
    labels = {"true_positive_rate": "이탈 고객 포착률", "expected_profit": "기대 이익"}
    charts = [
        C.roc_chart(M.roc_frame(y, s), labels),
        C.pr_chart(M.pr_frame(y, s), labels),
        C.calibration_chart(M.calibration_frame(y, s), labels),
        C.gains_chart(M.gains_frame(y, s), labels),
        C.lift_chart(M.gains_frame(y, s), labels),
        C.score_distribution_chart(M.score_distribution(y, s), labels),
        C.confusion_chart(M.confusion_frame(y, s, 0.3), labels),
    ]
    curve = M.profit_curve(np.linspace(0.9, 0.01, 5000), value_per_customer=100, offer_cost=5)
    rec = M.recommend(curve)
    profit = C.profit_chart(curve, rec.n_contact, labels, capacity=300)
    for chart in [*charts, profit]:
        spec = chart.to_dict()
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    text = json.dumps(charts[0].to_dict(), ensure_ascii=False)
    assert "이탈 고객 포착률" in text
    spec = json.dumps(profit.to_dict(), ensure_ascii=False)
    assert "기대 이익" in spec and "Recommended" in spec
    # 5,001 profit rows are thinned for the browser; the recommended point is kept exactly
    assert len(C._thin(curve)) <= C.MAX_POINTS
    assert f'"contacted": {rec.n_contact}' in spec


def test_threshold_counts_by_hand_and_as_part_of_evaluate():
    y = [1, 1, 0, 0, 0, 1]
    s = [0.9, 0.4, 0.6, 0.2, 0.5, 0.5]
    c = M.threshold_counts(y, s, 0.5)  # predicted churned: 0.9, 0.6, 0.5, 0.5
    assert (c["tp"], c["fp"], c["tn"], c["fn"]) == (2, 2, 1, 1)
    assert c["precision"] == 0.5 and c["recall"] == 2 / 3 and c["threshold"] == 0.5
    whole = M.evaluate(y, s, 0.5)
    assert {k: whole[k] for k in c} == c
    assert {**M.evaluate(y, s, 0.8), **c} == whole  # the rest does not move with it
    conf = M.confusion_frame(y, s, 0.5)
    assert conf["n"].tolist() == [2, 1, 2, 1] and conf["share"].sum() == pytest.approx(1)
