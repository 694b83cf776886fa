"""AppTest of the Model page (issue 18, items 2 and 7): every metric says what it means,
the Brier baseline is named for what it is, and the expected churners among active
customers are the sum of their out-of-fold scores."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_whatif_kinds import bank_frame

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "4_Model.py")
TIMEOUT = 180  # training on a shared 2-core machine


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def _page(lang: str = "en"):
    from churn.roles import infer_roles
    from ui import cache_model as cm
    from ui.state import CONFIRMED, DATASET, MODEL, Confirmed, Dataset

    frame = bank_frame(500, seed=2)
    data = frame.to_csv(index=False).encode()
    ds = Dataset.from_bytes("bank.csv", data)
    roles = infer_roles(frame)
    conf = Confirmed(ds.content_hash, None, roles)
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = conf
    features = tuple(c for c in frame.columns[3:] if c != "Exited")
    at.session_state[MODEL] = cm.make_handle(conf, "logistic", features, "cv")
    if lang != "en":
        at.query_params["lang"] = lang
    return at, frame, roles, features


@pytest.mark.slow  # trains a model and draws the whole Model page (about 15 s on 2 cores)
def test_metrics_say_what_they_mean_and_forecasts_are_out_of_fold():
    from churn import model as M
    from churn.shapes import build_customer_table

    at, frame, roles, features = _page()
    at.run()
    assert not _problems(at), _problems(at)
    captions = [str(c.value) for c in at.caption]
    assert any(c.startswith("Brier score if everyone got the churn rate: 0.") for c in captions)
    for meaning in ("Pick one customer who left", "Average squared gap", "Among the 10 %"):
        assert any(c.startswith(meaning) for c in captions), meaning
    assert any(c.startswith("Calibration check: ") for c in captions)
    assert any(c.startswith("Counts and sums use out-of-fold risks") for c in captions)

    # the independent computation: the same model, its stored out-of-fold scores
    table = build_customer_table(frame, roles)
    tm = M.train(table, model="logistic", features=list(features), split=M.choose_split(table))
    cal = M.calibration_of(tm)
    p = tm.predictions.assign(calibrated=cal.cross_fitted)
    active = set(table.frame.loc[table.frame["churned"] == 0, "customer_id"])
    mine = p["customer_id"].isin(active)
    # out-of-fold scores, re-mapped out of fold when the reliability check calls for it
    expected = p.loc[mine, "calibrated" if cal.used else "score"].sum()
    shown = " ".join(str(m.value) for m in at.markdown)
    assert f"Expected churners among the {len(active):,} active customers: {expected:,.1f}" in (
        shown
    )
    assert cal.used == ("Reliability before calibration" in shown)
    if cal.used:  # the reliability chart before and after
        assert "Reliability after calibration (out of fold)" in shown
        assert any(c.startswith("Calibration check: the risks are re-mapped") for c in captions)
