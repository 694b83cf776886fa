"""Any column name trains: spreadsheet headers with ``[ ] { } : , "``, Korean, case twins.

Every registered model trains on them through the public API, and the explanations,
reasons, drivers, what-if, saved files and the CLI name the user's own columns.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn import explain as E
from churn import model as M
from churn import whatif as W
from churn.feature_names import LevelNames, safe_feature_names
from churn.roles import ColumnRoles
from churn.shapes import build_customer_table
from tests.cli.helpers import run_cli

FEE = "monthly_fee [KRW]"
PLAN = "plan: type"
BRACES = "{x}"
COMMA = "a,b"
COMMA_TWIN = "a_b"  # what "a,b" reads as once cleaned
QUOTE = 'say "hi"'
REGION = "지역 (시/도)"
TICKETS = "Tickets"
TICKETS_TWIN = "tickets "  # the same word in lower case (and a trailing space)
PLAN_BASIC = "plan: type_basic"  # the one-hot name of PLAN's level "basic"
FEATURES = (
    FEE,
    PLAN,
    BRACES,
    COMMA,
    COMMA_TWIN,
    QUOTE,
    REGION,
    TICKETS,
    TICKETS_TWIN,
    PLAN_BASIC,
)
CATEGORICAL = (PLAN, QUOTE, REGION)


def make_frame(n: int = 400, seed: int = 7) -> pd.DataFrame:
    """Raw customers whose churn follows Tickets, the fee and a 'pro' plan; the rest is noise."""
    rng = np.random.default_rng(seed)
    tickets = rng.poisson(2.0, n)
    fee = np.round(rng.normal(40_000, 9_000, n), -2)
    plan = rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2])
    logit = -1.0 + 0.9 * (tickets - 2) - 1.2 * (plan == "pro") + 0.8 * (fee - 40_000) / 9_000
    churn = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "customer_id": [f"K{i:04d}" for i in range(n)],
            "status": np.where(churn, "cancelled", "active"),
            FEE: fee,
            PLAN: plan,
            BRACES: rng.normal(size=n).round(3),
            COMMA: rng.integers(0, 5, n).astype(float),
            COMMA_TWIN: rng.normal(size=n).round(2),
            QUOTE: rng.choice(["yes", "no"], n),
            REGION: rng.choice(["서울", "부산", "경기"], n),
            TICKETS: tickets,
            TICKETS_TWIN: rng.integers(0, 3, n),
            PLAN_BASIC: rng.normal(size=n).round(3),
        }
    )


@pytest.fixture(scope="module")
def table():
    roles = ColumnRoles(
        id="customer_id",
        label="status",
        churned_values=("cancelled",),
        active_values=("active",),
        amount=FEE,
        features=FEATURES,
        categorical=CATEGORICAL,
    )
    t = build_customer_table(make_frame(), roles)
    assert t.features == FEATURES and t.categorical == CATEGORICAL
    return t


_TRAINED: dict[str, M.TrainedModel] = {}


def fitted(table, name: str) -> M.TrainedModel:
    """Each registry model trained once (the machine is shared)."""
    if name not in _TRAINED:
        _TRAINED[name] = M.train(table, name, split=M.choose_split(table, prefer="cv"))
    return _TRAINED[name]


# ----------------------------------------------------------------- the internal names
def test_safe_feature_names_are_ascii_unique_and_positional():
    assert safe_feature_names(FEATURES) == [
        "f0_monthly_fee_KRW",
        "f1_plan_type",
        "f2_x",
        "f3_a_b",
        "f4_a_b",  # equal to f3's once cleaned: the position keeps them apart
        "f5_say_hi",
        "f6",  # Korean only: nothing ASCII to keep
        "f7_Tickets",
        "f8_tickets",
        "f9_plan_type_basic",
    ]
    assert safe_feature_names(["x" * 60]) == ["f0_" + "x" * 40]


def test_level_names_keep_the_usual_name_unless_it_is_taken():
    names = LevelNames(FEATURES, CATEGORICAL)
    assert names(PLAN, "plus") == "plan: type_plus"
    assert names(REGION, "서울") == "지역 (시/도)_서울"
    # "plan: type_basic" is a column of its own
    assert names(PLAN, "basic") == '["plan: type", "basic"]'
    # "a" + "b_c" and "a_b" + "c" would both be "a_b_c": neither keeps it
    both = LevelNames(["a", "a_b"], ["a", "a_b"])
    assert both("a", "b_c") == '["a", "b_c"]'
    assert both("a_b", "c") == '["a_b", "c"]'
    assert both("a", "x") == "a_x" and both("a_b", "x") == '["a_b", "x"]'
    # even the JSON name can be a column: then it counts on
    odd = LevelNames(["a", "a_b", '["a", "b"]'], ["a"])
    assert odd("a", "b") == '["a", "b", 1]'
    assert LevelNames(['["a'], ['["a'])('["a', "b") == '["[\\"a", "b"]'


def test_logistic_one_hot_names_never_repeat(table):
    """Before: scikit-learn refused 'plan: type_basic' twice (a column and a level)."""
    tm = fitted(table, "logistic")
    out = list(tm.pipeline_[:-1].get_feature_names_out())
    assert len(out) == len(set(out))
    fmap = M.feature_map(tm)
    assert fmap['["plan: type", "basic"]'] == PLAN
    assert fmap["plan: type_plus"] == PLAN and fmap["plan: type_pro"] == PLAN
    assert fmap[PLAN_BASIC] == PLAN_BASIC
    assert set(fmap.values()) == set(FEATURES)


def test_lightgbm_booster_sees_safe_names_and_shap_adds_up(table):
    import shap

    from churn.lgbm import LGBMClassifierAnyNames

    tm = fitted(table, "lightgbm")
    est = tm.pipeline_[-1]
    assert isinstance(est, LGBMClassifierAnyNames)
    Xt = M.transformed_features(tm, M.feature_frame(table)[:30])
    assert est.booster_.feature_name() == safe_feature_names(Xt.columns)
    assert list(est.feature_names_in_) == list(Xt.columns)  # the user's names
    assert set(Xt.columns) == set(FEATURES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        explainer = shap.TreeExplainer(est)
        values = np.asarray(explainer.shap_values(Xt))
    base = float(np.atleast_1d(explainer.expected_value)[-1])
    margin = est.predict_proba(Xt, raw_score=True)
    np.testing.assert_allclose(values.sum(axis=1) + base, margin, atol=1e-6)
    own = est.predict(Xt, pred_contrib=True)
    np.testing.assert_allclose(values, own[:, :-1], atol=1e-6)


# ----------------------------------------------------------------- every model
@pytest.mark.parametrize("name", list(M.MODELS))
def test_every_model_trains_and_explains_in_the_users_names(table, name):
    tm = fitted(table, name)
    assert tm.features == FEATURES and tm.categorical == CATEGORICAL
    assert list(tm.pipeline_.feature_names_in_) == list(FEATURES)
    assert tm.metrics["roc_auc"] > 0.7  # measured 0.75 (hist_gb) to 0.81 (logistic)
    rows = table.frame.iloc[:40]
    exp = E.make_explainer(tm, table.frame)
    ex = E.explain(tm, rows, explainer=exp)
    assert list(ex.contributions.columns) == list(FEATURES)
    assert list(ex.values.columns) == list(FEATURES)
    # the SHAP sum property, in probability: base + contributions == the model's risk
    np.testing.assert_allclose(ex.base_risk + ex.contributions.sum(axis=1), ex.risk, atol=1e-9)
    np.testing.assert_allclose(ex.risk, M.score(tm, rows).to_numpy(), atol=1e-12)
    # reasons in words name the columns exactly
    r = E.reasons(ex, table, top=None, order="abs")
    assert set(r["feature"]) == set(FEATURES)
    assert all(t.startswith(f"{f} is ") for f, t in zip(r["feature"], r["text"], strict=True))
    ko = E.reasons(ex, table, top=3, lang="ko")
    assert all(t.startswith(f) for f, t in zip(ko["feature"], ko["text"], strict=True))
    # the global drivers find the planted columns by their own names
    g = E.global_drivers(tm, table, explainer=exp, sample=200)
    assert set(g.importance["feature"]) == set(FEATURES)
    assert list(g.importance["feature"][:2]) == [TICKETS, FEE]
    assert set(g.points["feature"]) == set(FEATURES)
    # one customer's breakdown (what `python -m churn explain --json` prints)
    out = E.customer_breakdown(tm, table, "K0001", explainer=exp)
    assert {x["feature"] for x in out["reasons"]} == set(FEATURES)
    json.dumps(out, ensure_ascii=False)


@pytest.mark.parametrize("name", list(M.MODELS))
def test_what_if_names_the_users_columns(table, name):
    tm = fitted(table, name)
    space = W.feature_space(table, tm)
    assert list(space["feature"]) == list(FEATURES)
    frame = table.frame
    basic = frame[(frame[PLAN] == "basic") & (frame[TICKETS] >= 4)]
    cid = str(basic["customer_id"].iloc[0])
    res = W.what_if(
        tm, table, cid, {PLAN: "pro", TICKETS: 0}, space=space, explain=True, move_linked=False
    )
    before_tickets = float(basic[TICKETS].iloc[0])
    assert res.changes == [
        {"column": PLAN, "before": "basic", "after": "pro"},
        {"column": TICKETS, "before": before_tickets, "after": 0.0},
    ]
    assert res.after < res.before  # fewer tickets and the plan that keeps customers
    assert set(res.moved["feature"]) == set(FEATURES)
    assert res.moved.set_index("feature").loc[TICKETS, "change"] < 0
    assert set(res.reasons_after["feature"]) <= set(FEATURES)
    sug = W.suggest(tm, table, cid, target=res.before - 0.01, actionable=[TICKETS, PLAN])
    assert sug.reached
    for changes in sug.options["changes"]:
        assert {c["column"] for c in changes} <= {TICKETS, PLAN}


@pytest.mark.parametrize("name", list(M.MODELS))
def test_saved_model_round_trips_with_the_users_names(table, name, tmp_path):
    tm = fitted(table, name)
    back = M.load_model(M.save_model(tm, tmp_path / f"{name}.skops"))
    assert back.features == FEATURES and back.categorical == CATEGORICAL
    assert type(back.pipeline_[-1]) is type(tm.pipeline_[-1])
    # (the forest's two threads may add its trees in another order: 1e-16 apart)
    np.testing.assert_allclose(
        M.score(back, table).to_numpy(), M.score(tm, table).to_numpy(), rtol=0, atol=1e-12
    )
    rows = table.frame.iloc[:15]
    a = E.explain(tm, rows, explainer=E.make_explainer(tm, table.frame))
    b = E.explain(back, rows, explainer=E.make_explainer(back, table.frame))
    pd.testing.assert_frame_equal(a.contributions, b.contributions, atol=1e-12)
    assert list(b.contributions.columns) == list(FEATURES)


# ----------------------------------------------------------------- the CLI
#: The CSV's columns as read back: the reader trims "tickets " to "tickets", so the two
#: ticket columns then differ only by case.
CSV_FEATURES = {f.strip() for f in FEATURES}


@pytest.fixture(scope="module")
def odd_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("names") / "고객 [2024].csv"
    make_frame().to_csv(path, index=False)
    return path


@pytest.mark.slow  # CLI runs in subprocesses
def test_cli_train_and_at_risk_on_odd_column_names(odd_csv, tmp_path):
    saved = tmp_path / "model.skops"
    proc = run_cli("train", odd_csv, "--json", "--save", saved)
    assert proc.returncode == 0, proc.stderr
    assert "LightGBM" not in proc.stderr and "Traceback" not in proc.stderr
    out = json.loads(proc.stdout)
    assert out["model"] == "lightgbm"
    # the amount column (the fee) is offered as a feature too, under its own name
    assert set(out["features"]) == CSV_FEATURES
    assert {"Tickets", "tickets", FEE, PLAN, REGION, QUOTE} <= set(out["features"])
    assert out["metrics"]["roc_auc"] > 0.7
    # the list to act on: reasons name the user's columns
    listed = tmp_path / "at_risk.csv"
    proc = run_cli("at-risk", odd_csv, "--model-file", saved, "--top", "20", "-o", listed)
    assert proc.returncode == 0, proc.stderr
    text = listed.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 20
    reasons = [r[k] for r in rows for k in ("reason_1", "reason_2", "reason_3") if r[k]]
    named = {f for f in CSV_FEATURES for r in reasons if r.startswith(f"{f} is ")}
    assert {TICKETS, FEE} <= named
    assert all(any(r.startswith(f"{f} is ") for f in CSV_FEATURES) for r in reasons)
    # one customer's breakdown as JSON
    proc = run_cli("explain", odd_csv, "--model-file", saved, "--customer", "K0001", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {r["feature"] for r in out["reasons"]} == CSV_FEATURES
