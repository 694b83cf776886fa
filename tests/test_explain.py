"""churn.explain: additivity, one-hot grouping, planted drivers, reasons, actions, at-risk.

The ``explain`` and ``at-risk`` commands are tested in tests/cli/."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn import explain as E
from churn import model as M
from churn.errors import ChurnDataError
from churn.explain import at_risk as EA
from churn.explain import seam as ES
from churn.roles import ColumnRoles
from churn.table import CustomerTable

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "subscriptions.csv"


def make_table(n: int = 400, seed: int = 1, name0: str | None = None) -> CustomerTable:
    """Churn follows tickets and a monthly contract; region is noise."""
    rng = np.random.default_rng(seed)
    tickets = rng.poisson(2.0, n).astype(float)
    contract = rng.choice(["monthly", "annual", "two_year"], n, p=[0.5, 0.3, 0.2])
    region = rng.choice(["north", "south", "east"], n)
    fee = np.round(rng.normal(40, 10, n), 2)
    logit = -1.5 + 0.8 * (tickets - 2) + 1.2 * (contract == "monthly")
    churned = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    names = [f"Customer {i}" for i in range(n)]
    if name0 is not None:
        names[0] = name0
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{i:04d}" for i in range(n)],
            "churned": churned,
            "label_status": np.where(churned == 1, "churned", "active"),
            "start_date": start,
            "end_date": pd.to_datetime(pd.Series([pd.NaT] * n)),
            "tenure_days": rng.uniform(30, 900, n),
            "value": fee,
            "name": names,
            "email": [f"c{i}@example.com" for i in range(n)],
            "support_tickets": tickets,
            "contract": contract,
            "region": region,
            "monthly_fee": fee,
        }
    )
    return CustomerTable(
        frame=frame,
        roles=ColumnRoles(id="customer_id", label="churn", name="name", email="email"),
        shape="customers",
        features=("support_tickets", "contract", "region", "monthly_fee"),
        categorical=("contract", "region"),
        personal=("name", "email"),
    )


_TRAINED: dict[str, M.TrainedModel] = {}


def fitted(table: CustomerTable, name: str) -> M.TrainedModel:
    key = f"{id(table)}:{name}"
    if key not in _TRAINED:
        _TRAINED[key] = M.train(table, name, split=M.choose_split(table, prefer="cv"))
    return _TRAINED[key]


@pytest.fixture(scope="module")
def table() -> CustomerTable:
    return make_table()


# ------------------------------------------------------------------ the probability rescaling
def test_margin_contributions_rescaled_by_one_factor():
    # base margin 0 -> base risk 0.5; phi = (1.0, -0.5) -> S = 0.5, risk = sigmoid(0.5)
    risk = 1 / (1 + np.exp(-0.5))
    base, out = ES._to_probability(np.array([[1.0, -0.5]]), 0.0, np.array([risk]), "margin")
    assert base == 0.5
    factor = (risk - 0.5) / 0.5  # 0.24492...
    np.testing.assert_allclose(out, [[factor, -0.5 * factor]], atol=1e-15)
    assert out.sum() + base == pytest.approx(risk, abs=1e-15)


def test_zero_sum_uses_the_sigmoid_slope():
    # contributions cancel: the factor is the slope at the base, 0.5 * 0.5 = 0.25
    base, out = ES._to_probability(np.array([[0.3, -0.3]]), 0.0, np.array([0.5]), "margin")
    np.testing.assert_allclose(out, [[0.075, -0.075]], atol=1e-15)


def test_probability_output_kept_and_rounding_spread():
    base, out = ES._to_probability(np.array([[0.1, 0.2]]), 0.3, np.array([0.6]), "probability")
    assert base == 0.3
    np.testing.assert_allclose(out, [[0.1, 0.2]], atol=1e-15)
    # a 3e-7 shap rounding error is removed, keeping the 1:2 ratio
    base, out = ES._to_probability(
        np.array([[0.1, 0.2]]), 0.3, np.array([0.6000003]), "probability"
    )
    assert out.sum() == pytest.approx(0.3000003, abs=1e-15)
    assert out[0, 1] / out[0, 0] == pytest.approx(2.0)


# ------------------------------------------------------------------ additivity, every model
@pytest.mark.parametrize("name", list(M.MODELS))
def test_base_plus_contributions_is_the_risk(table, name):
    tm = fitted(table, name)
    rows = table.frame.iloc[:40]
    exp = E.make_explainer(tm, table.frame)
    ex = E.explain(tm, rows, explainer=exp)
    assert list(ex.contributions.columns) == list(tm.features)  # user columns, not levels
    assert ex.contributions.index.equals(rows.index)
    np.testing.assert_allclose(ex.risk, M.score(tm, rows), atol=1e-12)
    np.testing.assert_allclose(ex.base_risk + ex.contributions.sum(axis=1), ex.risk, atol=1e-9)
    assert 0 < ex.base_risk < 1
    assert list(ex.customer_id) == list(rows["customer_id"])
    pd.testing.assert_frame_equal(ex.values, rows[list(tm.features)])


def test_explain_does_not_modify_the_frame(table):
    tm = fitted(table, "lightgbm")
    rows = table.frame.iloc[:10].copy()
    before = rows.copy()
    E.explain(tm, rows)
    pd.testing.assert_frame_equal(rows, before)


def test_one_hot_levels_add_up_to_their_column(table):
    """Logistic: the column's contribution = the scaled sum of its levels' coef*(x - mean)."""
    tm = fitted(table, "logistic")
    rows = table.frame.iloc[:15]
    exp = E.make_explainer(tm, table.frame)  # 400 rows: the whole table is the background
    ex = E.explain(tm, rows, explainer=exp)
    est = tm.pipeline_[-1]
    Xb = M.transformed_features(tm, M.feature_frame(table.frame, tm.features, tm.categorical))
    Xt = M.transformed_features(tm, M.feature_frame(rows, tm.features, tm.categorical))
    phi = (Xt - Xb.mean()) * est.coef_[0]  # independent linear SHAP, in log-odds
    base_margin = float(est.intercept_[0] + (Xb.mean() * est.coef_[0]).sum())
    assert ex.base_risk == pytest.approx(1 / (1 + np.exp(-base_margin)), abs=1e-9)
    factor = (ex.risk - ex.base_risk) / phi.sum(axis=1)
    levels = [c for c in Xt.columns if c.startswith("contract_")]
    assert len(levels) == 3
    np.testing.assert_allclose(
        ex.contributions["contract"], phi[levels].sum(axis=1) * factor, atol=1e-9
    )
    np.testing.assert_allclose(
        ex.contributions["support_tickets"], phi["support_tickets"] * factor, atol=1e-9
    )


def test_linear_explainer_needs_background(table):
    with pytest.raises(ChurnDataError, match="background"):
        E.make_explainer(fitted(table, "logistic"))


def test_lightgbm_agrees_with_its_own_pred_contrib(table):
    """shap's TreeExplainer and LightGBM's pred_contrib give the same log-odds."""
    tm = fitted(table, "lightgbm")
    rows = table.frame.iloc[:20]
    Xt = M.transformed_features(tm, M.feature_frame(rows, tm.features, tm.categorical))
    own = tm.pipeline_[-1].predict(Xt, pred_contrib=True)
    exp = E.make_explainer(tm)
    np.testing.assert_allclose(ES._raw_shap(exp, Xt), own[:, :-1], atol=1e-6)
    assert exp.base_margin == pytest.approx(own[0, -1], abs=1e-6)


# ------------------------------------------------------------------ global drivers
def test_global_drivers_find_the_planted_columns(table):
    g = E.global_drivers(fitted(table, "lightgbm"), table, sample=300)
    assert g.n_sample == 300 and g.n_total == 400
    assert list(g.importance["feature"][:2]) == ["support_tickets", "contract"]
    assert len(g.points) == 300 * 4
    mono = g.points[g.points["feature"] == "contract"]
    monthly = mono.loc[mono["value"] == "monthly", "contribution"].mean()
    annual = mono.loc[mono["value"] == "annual", "contribution"].mean()
    assert monthly > 0 > annual
    assert mono["value_rank"].between(0, 1).all()


@pytest.fixture(scope="module")
def sample_table():
    if not SAMPLE.is_file():
        pytest.skip("the sample is not generated")
    from churn.io import read_table
    from churn.roles import infer_roles
    from churn.shapes import build_customer_table

    frame = read_table(SAMPLE).frame
    return build_customer_table(frame, infer_roles(frame))


def test_sample_planted_drivers_are_top_drivers(sample_table):
    """data/sample/README.md: NPS, falling logins, failed payments and tickets are planted;
    region and account owner are distractors."""
    tm = M.train(sample_table)
    g = E.global_drivers(tm, sample_table)
    assert g.n_sample == 2000 and g.n_total == 5000
    rank = dict(zip(g.importance["feature"], g.importance["rank"], strict=True))
    top6 = {f for f, r in rank.items() if r <= 6}
    assert {"nps", "logins_change_pct", "failed_payments_90d", "support_tickets_90d"} <= top6
    assert rank["region"] > 6 and rank["account_owner"] > 6
    pts = g.points
    nps = pts[pts["feature"] == "nps"]
    assert (
        nps.loc[nps["value_number"] <= 6, "contribution"].mean()
        > 0
        > nps.loc[nps["value_number"] >= 9, "contribution"].mean()
    )
    tk = pts[pts["feature"] == "support_tickets_90d"]
    assert tk.loc[tk["value_number"] >= 4, "contribution"].mean() > 0.03


# ------------------------------------------------------------------ reasons in words
def hand_table() -> CustomerTable:
    """Ten customers whose percentiles are easy to count."""
    frame = pd.DataFrame(
        {
            "customer_id": [f"H{i}" for i in range(10)],
            "churned": [0.0] * 10,
            "label_status": ["active"] * 10,
            "start_date": pd.NaT,
            "end_date": pd.NaT,
            "tenure_days": np.nan,
            "value": [100.0] * 10,
            "support_tickets": [0, 0, 0, 1, 2, 3, 4, 5, 6, 7],
            "contract": ["monthly"] * 6 + ["annual"] * 4,
            "region": ["north"] * 5 + ["south"] * 5,
            "nps": [9, 9, 8, 8, 7, 7, 6, 5, np.nan, 3],
        }
    )
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    return CustomerTable(
        frame=frame,
        roles=ColumnRoles(id="customer_id"),
        shape="customers",
        features=("support_tickets", "contract", "region", "nps"),
        categorical=("contract", "region"),
    )


def hand_explanation(table: CustomerTable, rows: list[int], contrib: list[list[float]]):
    c = pd.DataFrame(contrib, index=rows, columns=list(table.features))
    base = 0.2
    return E.Explanation(
        base_risk=base,
        risk=pd.Series(base + c.sum(axis=1), index=rows),
        contributions=c,
        values=table.frame.loc[rows, list(table.features)],
        customer_id=table.frame.loc[rows, "customer_id"],
    )


def test_a_share_in_a_reason_is_rounded_down_never_up():
    """The top customer of 5,000 is higher than 99.98 % of them: "99 %", never "100 %"
    (nobody is higher than every customer); a category every customer shares is 100 %."""
    assert E.reason_text("tickets", 7, 0.2, "higher", 4999 / 5000) == (
        "tickets is 7, higher than 99 % of customers: +20.0 points of risk"
    )
    assert E.reason_text("nps", 0, 0.1, "lower", 0.29, "ko") == (
        "nps 0: 고객의 29%보다 낮음, 이탈 위험 +10.0%p"
    )  # 0.29 * 100 is 28.999...: still 29
    assert E.reason_text("plan", "Basic", 0.1, "same", 1.0) == (
        "plan is Basic, like 100 % of customers: +10.0 points of risk"
    )


def test_reason_texts_in_english_and_korean():
    t = hand_table()
    # H9: 7 tickets (9 of 10 lower), annual (4 of 10), south, NPS 3 (lowest of 9 answers)
    ex = hand_explanation(t, [9], [[0.12, -0.03, 0.05, 0.081]])
    en = E.reasons(ex, t, top=3)
    assert list(en["feature"]) == ["support_tickets", "nps", "region"]
    assert list(en["rank"]) == [1, 2, 3]
    assert list(en["text"]) == [
        "support_tickets is 7, higher than 90 % of customers: +12.0 points of risk",
        "nps is 3, lower than 88 % of customers: +8.1 points of risk",  # 8 of 9: 88.9 %
        "region is south, like 50 % of customers: +5.0 points of risk",
    ]
    assert list(en["percentile"]) == pytest.approx([0.9, 0.0, 0.5])
    ko = E.reasons(ex, t, top=3, lang="ko")
    assert list(ko["text"]) == [
        "support_tickets 7: 고객의 90%보다 높음, 이탈 위험 +12.0%p",
        "nps 3: 고객의 88%보다 낮음, 이탈 위험 +8.1%p",
        "region south: 고객의 50%가 같은 값, 이탈 위험 +5.0%p",
    ]
    # a missing value, and the full breakdown ordered by |contribution| (negatives too)
    ex8 = hand_explanation(t, [8], [[0.01, -0.2, 0.0, 0.04]])
    full = E.reasons(ex8, t, top=None, order="abs")
    assert list(full["feature"]) == ["contract", "nps", "support_tickets", "region"]
    assert full["text"].iloc[1] == (
        "nps is not recorded, like 10 % of customers: +4.0 points of risk"
    )
    assert (
        full["text"].iloc[0] == "contract is annual, like 40 % of customers: -20.0 points of risk"
    )
    assert E.reasons(ex8, t, top=3)["feature"].tolist() == ["nps", "support_tickets"]


def test_actions_from_the_playbook():
    t = hand_table()
    ex = hand_explanation(
        t,
        [9, 0, 1, 6],
        [
            [0.10, 0.00, 0.20, 0.00],  # region strongest (fixed trait), then high tickets
            [0.02, 0.05, 0.30, 0.00],  # 0 tickets (low: no support action); monthly contract
            [0.00, -0.1, 0.30, -0.05],  # only region raises risk -> default
            [0.00, 0.01, 0.00, 0.06],  # NPS 6, below the median 7.5 -> call and survey
        ],
    )
    act = E.suggested_actions(ex, t)
    assert list(act["playbook_key"]) == [
        "support_trouble",
        "monthly_contract",
        "default",
        "low_nps",
    ]
    assert list(act["because"]) == ["support_tickets", "contract", "", "nps"]
    assert (
        act["action"].iloc[1] == "Offer an annual plan with a discount for committing to 12 months."
    )
    ko = E.suggested_actions(ex, t, lang="ko")
    assert ko["action"].iloc[1] == "12개월 약정 시 할인되는 연간 요금제를 제안하세요."
    r = E.reasons(ex, t, top=3)
    first = r[r["row"] == 9]
    assert list(first["actionable"]) == [False, True]  # region is not actionable
    assert first["action"].iloc[0] == ""


def test_waterfall_steps_add_up():
    t = hand_table()
    ex = hand_explanation(t, [9], [[0.12, -0.03, 0.05, 0.08]])
    wf = E.waterfall_frame(ex, 9, top=2)
    assert list(wf["label"]) == ["base", "support_tickets", "nps", "other columns", "risk"]
    assert wf["start"].iloc[1] == pytest.approx(0.2)
    assert wf["end"].iloc[3] == pytest.approx(0.42)
    assert wf["contribution"].iloc[3] == pytest.approx(0.02)
    assert wf["end"].iloc[-1] == pytest.approx(0.42)
    assert list(wf["kind"]) == ["base", "up", "up", "up", "risk"]


# ------------------------------------------------------------------ at-risk list
def test_at_risk_ranks_active_customers_and_explains_only_them(table, monkeypatch):
    tm = fitted(table, "lightgbm")
    risk = M.score(tm, table)
    seen = []
    real = E.explain

    def spy(trained, frame, **kw):
        seen.append(len(frame))
        return real(trained, frame, **kw)

    monkeypatch.setattr(EA, "explain", spy)  # where at_risk_list looks
    lst = E.at_risk_list(tm, table, risk, top=25)
    assert seen == [25]
    assert len(lst) == 25 and list(lst["risk_rank"]) == list(range(1, 26))
    active = table.frame.loc[table.frame["churned"] == 0, "customer_id"]
    assert set(lst["customer_id"]) <= set(active)
    expected = risk.reindex(active).sort_values(ascending=False, kind="mergesort").head(25)
    np.testing.assert_allclose(lst["risk"], expected.to_numpy())
    assert {"name", "email", "contract", "signup_date", "reason_1", "action"} <= set(lst.columns)
    assert (lst["reason_1"] != "").all() and (lst["action"] != "").all()
    # by expected value at risk
    by_value = E.at_risk_list(tm, table, risk, top=10, sort="value_at_risk")
    assert by_value["value_at_risk"].is_monotonic_decreasing
    # band and segment filters
    band = E.at_risk_list(
        tm, table, risk, top=None, band=(0.2, 0.4), segment=("contract", ["annual"])
    )
    assert band["risk"].between(0.2, 0.4).all() and set(band["contract"]) == {"annual"}


def test_at_risk_export_has_no_formula_cells():
    import openpyxl

    bad = '=HYPERLINK("http://evil.example","click")'
    t = make_table(name0=bad)
    t.frame.loc[0, "churned"] = 0.0
    t.frame.loc[0, "label_status"] = "active"
    tm = fitted(t, "logistic")
    risk = M.score(tm, t)
    risk.iloc[0] = 0.999  # make customer C0000 the riskiest
    lst = E.at_risk_list(tm, t, risk, top=5)
    assert lst["name"].iloc[0] == bad
    csv = E.at_risk_bytes(lst, "csv").decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(csv))
    assert back["name"].iloc[0] == "'" + bad
    assert "row" not in back.columns
    book = openpyxl.load_workbook(io.BytesIO(E.at_risk_bytes(lst, "xlsx")))
    ws = book["at_risk"]
    cells = [c for r in ws.iter_rows() for c in r if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'" + bad in [c.value for c in cells]
    with pytest.raises(ChurnDataError):
        E.at_risk_bytes(lst, "pdf")


def test_find_customer_by_id_or_name(table):
    assert list(E.find_customer(table, "C0007")) == [7]
    assert 12 in E.find_customer(table, "customer 12")
    with pytest.raises(ChurnDataError, match="no customer 'nobody'"):
        E.find_customer(table, "nobody")


# ------------------------------------------------------------------ real data
def test_telco_logistic_reasons_and_list(shared_data):
    from churn.io import read_table
    from churn.roles import infer_roles
    from churn.shapes import build_customer_table

    frame = read_table(shared_data / "telco_customer_churn.csv").frame
    t = build_customer_table(frame, infer_roles(frame))
    tm = M.train(t, "logistic", split=M.choose_split(t, prefer="cv"))
    exp = E.make_explainer(tm, t.frame)
    rows = t.frame.iloc[:200]
    ex = E.explain(tm, rows, explainer=exp)
    np.testing.assert_allclose(ex.base_risk + ex.contributions.sum(axis=1), ex.risk, atol=1e-9)
    assert "Contract" in ex.contributions.columns
    lst = E.at_risk_list(tm, t, M.score(tm, t), explainer=exp, top=50)
    assert len(lst) == 50 and (lst["risk"] > 0.5).all()
    # the riskiest are new month-to-month customers: onboarding is their strongest lever
    assert set(lst["Contract"]) == {"Month-to-month"}
    assert lst["reason_1"].str.contains("Contract is Month-to-month|tenure is").all()
    assert lst["because"].value_counts().index[0] == "tenure"
    assert lst["action"].str.startswith("Onboarding with visible progress").any()


def test_event_log_list_has_last_purchase():
    """The order-log sample: the list shows the last purchase instead of a signup date."""
    path = ROOT / "data" / "sample" / "transactions.csv"
    if not path.is_file():
        pytest.skip("the sample is not generated")
    from churn.io import read_table
    from churn.roles import infer_roles
    from churn.shapes import build_customer_table

    frame = read_table(path).frame
    t = build_customer_table(frame, infer_roles(frame), inactivity_days=90)
    assert t.shape == "events"
    tm = M.train(t, "logistic", split=M.choose_split(t, prefer="cv"))
    lst = E.at_risk_list(tm, t, M.score(tm, t), top=20, sort="value_at_risk")
    assert "last_purchase" in lst.columns and "signup_date" not in lst.columns
    assert lst["value_at_risk"].is_monotonic_decreasing
    assert set(lst["customer_id"]) <= set(t.frame.loc[t.frame["churned"] != 1, "customer_id"])
    assert (lst["reason_1"] != "").all()


def test_random_forest_global_sample_is_smaller(table):
    tm = fitted(table, "random_forest")
    assert E.default_sample(tm) == E.GLOBAL_SAMPLE_FOREST == 300
    g = E.global_drivers(tm, table)
    assert g.n_sample == 300
