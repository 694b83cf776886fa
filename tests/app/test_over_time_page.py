"""AppTest of the Churn over time page: no data, a subscription file, Telco, CDNOW, Korean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.i18n import t
from ui.state import CONFIRMED, DATASET, Confirmed, Dataset

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGE = "pages/2_Churn_over_time.py"
SAMPLE = ROOT / "data" / "sample" / "subscriptions.csv"
TIMEOUT = 120
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def _texts(at: AppTest) -> str:
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning"):
        out += [str(el.value) for el in at.get(kind)]
    return "\n".join(out)


def _page_with(
    name: str, data: bytes, *, snapshot: str | None = None, inactivity_days: int = 90, **roles
) -> AppTest:
    """The page with ``data`` loaded and its proposed roles (changed by ``roles``) confirmed."""
    from churn.io import read_table
    from churn.roles import infer_roles

    ds = Dataset.from_bytes(name, data)
    read = read_table(data, name=name)
    proposed = infer_roles(read.frame)
    conf = Confirmed(
        content_hash=ds.content_hash,
        sheet=read.sheet,
        roles=proposed.with_(**roles) if roles else proposed,
        snapshot=snapshot,
        inactivity_days=inactivity_days,
    )
    # app.py is the entrypoint (as on the real server); the page is opened directly
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).switch_page(PAGE)
    at.session_state[DATASET] = ds
    at.session_state[CONFIRMED] = conf
    return at


@pytest.fixture(scope="module")
def subscriptions_csv() -> bytes:
    """The sample's subscriptions, generated in memory by the project's own generator."""
    sample = pytest.importorskip("churn.sample")
    return sample.generate_subscriptions(n=1500, seed=3).to_csv(index=False).encode("utf-8")


def test_without_data_points_to_the_data_page():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).switch_page(PAGE).run()
    assert _problems(at) == []
    assert t("common.need_data", lang="en") in [i.value for i in at.info]


def test_subscriptions_show_every_section(subscriptions_csv):
    at = _page_with("subscriptions.csv", subscriptions_csv).run()
    assert _problems(at) == []
    text = _texts(at)
    for key in ("periods_title", "cohorts_title", "survival_title", "forecast_title"):
        assert t(f"over_time.{key}", lang="en") in text
    assert t("over_time.def_start_explain", lang="en") in text
    assert "lost out of" in text  # the KPI caption names numerator and denominator
    assert "Gross revenue churn" in text and "payment problem" in text
    assert len(at.get("vega_lite_chart")) >= 6
    assert at.get("download_button")
    # switch period and definition: the explanation follows
    at.selectbox(key="over_time.period").set_value("quarter").run()
    at.selectbox(key="over_time.definition").set_value("lost_over_new").run()
    assert _problems(at) == []
    assert t("over_time.def_lost_over_new_explain", lang="en") in _texts(at)
    assert re.search(r"\d{4}Q[1-4]: [\d,]+ lost out of", _texts(at))
    # survival by a column says what the log-rank test found, in words
    at.selectbox(key="over_time.by").set_value("contract").run()
    assert _problems(at) == []
    assert any("log-rank" in i.value for i in at.info)
    # the customer list follows the chosen period and kind
    at.selectbox(key="over_time.list_which").set_value("new").run()
    assert _problems(at) == []
    assert any("customers in" in c.value for c in at.caption)


def test_forecast_from_a_trained_model(subscriptions_csv):
    from churn.io import read_table
    from churn.shapes import build_customer_table

    cache_model = pytest.importorskip("ui.cache_model")
    at = _page_with("subscriptions.csv", subscriptions_csv)
    conf = at.session_state[CONFIRMED]
    frame = read_table(subscriptions_csv, name="subscriptions.csv").frame
    table = build_customer_table(frame, conf.roles)
    features = tuple(table.features)[:6]
    at.session_state["cl.model"] = cache_model.make_handle(conf, "logistic", features, "auto")
    at.run()
    assert _problems(at) == []
    assert any("from the survival curve" in c.value for c in at.caption)
    at.radio(key="over_time.source").set_value("model_scores").run()
    assert _problems(at) == []
    assert any("risk scores" in c.value for c in at.caption)


def test_korean(subscriptions_csv):
    at = _page_with("subscriptions.csv", subscriptions_csv)
    at.session_state["cl.lang"] = "ko"
    at.run()
    assert _problems(at) == []
    assert t("over_time.periods_title", lang="ko") in _texts(at)
    assert HANGUL.search(" ".join(c.value for c in at.caption))


def test_telco_tenure_only(shared_data):
    data = (shared_data / "telco_customer_churn.csv").read_bytes()
    at = _page_with("telco_customer_churn.csv", data).run()
    assert _problems(at) == []
    text = _texts(at)
    assert t("over_time.no_dates", lang="en") in text  # says what it cannot show, and why
    assert t("over_time.survival_title", lang="en") in text
    assert t("over_time.forecast_title", lang="en") in text
    at.selectbox(key="over_time.by").set_value("Contract").run()
    assert _problems(at) == []
    assert any("clearly different" in i.value for i in at.info)


def test_cdnow_event_log(shared_data):
    data = (shared_data / "cdnow_transactions.csv").read_bytes()
    at = _page_with(
        "cdnow_transactions.csv", data, snapshot="1998-06-30", inactivity_days=180
    ).run()
    assert _problems(at) == []
    text = _texts(at)
    assert "180 days without activity" in text  # recent churn is marked as not final
    assert "1997-12:" in text  # the headline is the last month whose churn is final


def test_no_dates_and_no_tenure_says_why(tmp_path):
    data = b"id,plan,churned\na,x,Yes\nb,y,No\nc,x,No\nd,y,Yes\n"
    at = _page_with("flags.csv", data, id="id", label="churned").run()
    assert _problems(at) == []
    assert t("over_time.no_time", lang="en") in [w.value for w in at.warning]


def test_after_loading_the_sample_from_home():
    if not SAMPLE.is_file():
        pytest.skip("data/sample/subscriptions.csv is not generated yet")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.button(key="home.try_sample").click().run()
    assert _problems(at) == []
    at.switch_page(PAGE).run()
    assert _problems(at) == []
    assert t("over_time.cohorts_title", lang="en") in _texts(at)
