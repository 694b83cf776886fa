"""AppTest of the Model page: train, read the evaluation, get a decision, score a new file."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.shown import shown_cells

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "4_Model.py")
SAMPLE = ROOT / "data" / "sample" / "subscriptions.csv"
TIMEOUT = 180  # training on a shared 2-core machine


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def _with_telco(shared_data: Path) -> AppTest:
    """The Model page with Telco loaded and its proposed roles confirmed."""
    from churn.io import read_table
    from churn.roles import infer_roles
    from ui.state import CONFIRMED, DATASET, Confirmed, Dataset

    data = (shared_data / "telco_customer_churn.csv").read_bytes()
    ds = Dataset.from_bytes("telco_customer_churn.csv", data)
    roles = infer_roles(read_table(data, name=ds.name).frame)
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = Confirmed(ds.content_hash, None, roles)
    return at


def test_model_page_without_data_points_to_the_data_page():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "model.train" not in [b.key for b in at.button]
    assert at.info, "the page should say a file is needed"


def test_train_on_telco_then_decide_and_score(shared_data, tmp_path):
    from ui.state import MODEL

    at = _with_telco(shared_data).run()
    assert not _problems(at), _problems(at)
    assert at.button(key="model.train")
    assert at.multiselect(key="model.features").value  # features proposed
    # switch to the logistic model (fast) and train
    at.selectbox(key="model.choice").set_value("logistic")
    at.button(key="model.train").click().run()
    assert not _problems(at), _problems(at)
    handle = at.session_state[MODEL]
    assert handle["model"] == "logistic" and handle["split"] == "cv"
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["ROC AUC"]) == pytest.approx(0.845, abs=0.02)
    infos = " ".join(str(i.value) for i in at.info)
    assert "5-fold cross-validation" in infos
    assert any("Contact the" in str(s.value) for s in at.success)
    # decision inputs never retrain: the handle and the model stay the same
    at.number_input(key="model.cost").set_value(1000.0).run()
    assert not _problems(at), _problems(at)
    assert at.session_state[MODEL] == handle
    assert any("no contact pays" in str(w.value) for w in at.warning)
    # Korean: the same page in the other language
    at.session_state["cl.lang"] = "ko"
    at.run()
    assert not _problems(at), _problems(at)
    assert any("교차 검증" in str(i.value) for i in at.info)


def test_train_default_model_on_the_sample():
    if not SAMPLE.is_file():
        pytest.skip(f"{SAMPLE.relative_to(ROOT)} is not generated yet")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.button(key="home.try_sample").click().run()
    at.switch_page("pages/4_Model.py").run()
    assert not _problems(at), _problems(at)
    at.button(key="model.train").click().run()
    assert not _problems(at), _problems(at)
    assert at.session_state["cl.model"]["model"] == "lightgbm"
    assert len(at.metric) == 4


def _small_csv(n: int = 500, seed: int = 1) -> bytes:
    """A small raw customer file with a signup date, so the time-based split is offered."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    tickets = rng.poisson(2.0, n)
    plan = rng.choice(["basic", "plus", "pro"], n)
    signup = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    logit = -1.0 + 0.8 * (tickets - 2) - 1.0 * (plan == "pro")
    churn = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "Yes", "No")
    frame = pd.DataFrame(
        {
            "customer_id": [f"K{i:04d}" for i in range(n)],
            "signup_date": signup.strftime("%Y-%m-%d"),
            "plan": plan,
            "support_tickets": tickets,
            "monthly_fee": rng.normal(40, 8, n).round(2),
            "churned": churn,
        }
    )
    return frame.to_csv(index=False).encode()


def test_time_split_leaderboard_and_new_file_scoring():
    from churn.io import read_table
    from churn.roles import infer_roles
    from ui.state import CONFIRMED, DATASET, MODEL, Confirmed, Dataset

    data = _small_csv()
    ds = Dataset.from_bytes("small.csv", data)
    roles = infer_roles(read_table(data, name=ds.name).frame)
    assert roles.start == "signup_date" and roles.label == "churned"
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = Confirmed(ds.content_hash, None, roles)
    at.run()
    assert not _problems(at), _problems(at)
    assert at.radio(key="model.split").options == [
        "Newest customers held out",
        "5-fold cross-validation",
    ]
    at.button(key="model.train").click().run()
    assert not _problems(at), _problems(at)
    assert at.session_state[MODEL]["split"] == "time"
    assert any("started before" in str(i.value) for i in at.info)
    # the leaderboard: every model, 5-fold CV, with a progress bar
    at.button(key="model.lb_run").click().run()
    assert not _problems(at), _problems(at)
    board = at.dataframe[0].value
    assert set(board["Model"]) == {
        "LightGBM (recommended)",
        "Logistic regression",
        "Random forest",
        "Gradient boosting (scikit-learn)",
    }
    assert board["ROC AUC (mean of 5 folds)"].between(0.5, 1).all()
    # a new file with the same columns and no churn column is scored and downloadable
    import pandas as pd

    new = pd.read_csv(__import__("io").BytesIO(_small_csv(n=40, seed=9))).drop(columns="churned")
    at.file_uploader(key="model.upload").upload(
        "new.csv", new.to_csv(index=False).encode(), "text/csv"
    )
    at.run()
    assert not _problems(at), _problems(at)
    shown = at.dataframe[-1].value  # risk shown as percent: 0..100, one decimal
    assert len(shown) == 20 and shown["risk"].between(0, 100).all() and shown["risk"].max() > 1
    assert shown_cells(at.dataframe[-1])["risk"].str.fullmatch(r"\d{1,3}\.\d %").all()
    assert shown["risk"].is_monotonic_decreasing
    assert any("Scored 40 customers" in str(c.value) for c in at.caption)
