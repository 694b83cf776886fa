"""AppTest of P(alive) (BG/NBD) in the app, on the purchase-log sample, in English and Korean.

The sample (``data/sample/transactions.csv``, 3,000 customers) is loaded with the Data
page's sample button, which confirms its proposed roles (a 90-day inactivity window).
Its figures, from ``tests/test_alive_views.py``'s report test: 1,603 of 2,546 labelled
customers have not bought in 90 days (63.0 %); 660 of 3,000 have a P(alive) below 50 %
(22.0 %); 973 bought on one day only, 736 of whom the inactivity rule counts as lost.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.shown import shown_cells
from ui.i18n import t

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 240  # training and shap on a shared 2-core machine


@pytest.fixture(autouse=True)
def _repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _problems(at: AppTest) -> list[str]:
    return [f"exception: {e.message}" for e in at.exception] + [
        f"error box: {e.value}" for e in at.error
    ]


def _sample(lang: str = "en", kind: str = "transactions") -> AppTest:
    """The Data page with the sample loaded and confirmed, in ``lang``."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["cl.lang"] = lang
    at.run()
    at.switch_page("pages/1_Data.py").run()
    at.button(key=f"data.sample.{kind}").click().run()
    assert not _problems(at), _problems(at)
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _texts(at: AppTest) -> str:
    kinds = ("header", "subheader", "markdown", "caption", "info", "warning")
    return "\n".join(str(el.value) for kind in kinds for el in at.get(kind))


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_data_page_shows_both_rates_the_one_time_buyers_and_the_columns(lang):
    at = _sample(lang)
    m = _metrics(at)
    pct = "{} %" if lang == "en" else "{}%"
    assert m[t("alive.m_inactivity", lang, days="90")] == pct.format("63.0")
    assert m[t("alive.m_p_alive", lang, threshold=pct.format(50))] == pct.format("22.0")
    texts = _texts(at)
    if lang == "en":
        assert "973 of 3,000 customers bought on one day only" in texts
        assert "the inactivity rule counts 736 of them as lost" in texts
        assert "1,603 of 2,546 customers have not bought in the last 90 days" in texts
        assert "660 of 3,000 customers are more likely gone than still buying" in texts
    else:
        assert "고객 3,000명 중 973명은 하루만 구매했습니다" in texts
        assert "이들 중 736명을 이탈로 셉니다" in texts
        assert "고객 2,546명 중 1,603명이 최근 90일 동안 구매하지 않았습니다" in texts
    element = at.dataframe[-1]
    table = element.value
    names = [t(f"alive.col_{c}", lang, days="90") for c in ("p_alive", "expected_purchases")]
    names.append(t("alive.col_expected_value", lang, days="90"))
    assert set(names) <= set(table.columns)
    assert len(table) == 500 and table[names[0]].between(0, 100).all()  # shown as percent
    pct = "{}%" if lang == "ko" else "{} %"
    assert shown_cells(element)[names[0]].iloc[2] == pct.format("100.0")
    assert {"data.table_csv", "data.table_xlsx"} <= {b.key for b in at.get("download_button")}
    # another horizon and threshold: the columns and the P(alive) rate follow
    at.number_input(key="data.alive_horizon").set_value(30).run()
    at.slider(key="data.alive_threshold").set_value(30).run()
    assert not _problems(at), _problems(at)
    assert t("alive.col_expected_purchases", lang, days="30") in at.dataframe[-1].value.columns
    assert _metrics(at)[t("alive.m_p_alive", lang, threshold=pct.format(30))] == pct.format("17.2")
    assert at.session_state["cl.alive_view"] == (0.3, 30)


def test_subscriptions_have_no_p_alive_but_the_customer_table():
    at = _sample("en", "subscriptions")
    assert t("alive.title", "en") not in [s.value for s in at.subheader]
    assert not any(k.startswith("P(alive)") for k in _metrics(at))
    assert {"data.table_csv", "data.table_xlsx"} <= {b.key for b in at.get("download_button")}
    assert at.dataframe[-1].value.shape[0] == 500


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_over_time_page_draws_the_tracking_chart_and_the_map(lang):
    at = _sample(lang)
    at.switch_page("pages/2_Churn_over_time.py").run()
    assert not _problems(at), _problems(at)
    assert t("alive.ot_title", lang) in [h.value for h in at.header]
    subs = [s.value for s in at.subheader]
    assert t("alive.tracking_title", lang) in subs and t("alive.map_title", lang) in subs
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    tracking = [s for s in specs if "layer" in s and s["layer"][0]["mark"]["type"] == "line"]
    tracking = [s for s in tracking if "strokeDash" in s["layer"][0]["encoding"]]
    assert len(tracking) == 1
    domain = tracking[0]["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert domain == [t("alive.chart_actual", lang), t("alive.chart_expected", lang)]
    maps = [s for s in specs if s.get("mark", {}).get("type") == "rect"]
    assert [m["encoding"]["color"]["scale"]["scheme"] for m in maps] == ["redyellowgreen"]
    assert maps[0]["encoding"]["x"]["title"] == t("alive.chart_recency", lang)
    texts = _texts(at)
    if lang == "en":
        # fitted to 2024 (52 weeks), checked on 2025 (53 weeks)
        assert "Fitting period (52 weeks): 3,852 repeat purchases expected, 3,903 made." in texts
        assert "Holdout (53 weeks, not used to fit): 5,784 expected, 5,441 made." in texts
        assert "first purchase was 45 weeks ago" in texts
    else:
        assert "검증 기간(53주, 적합에 쓰지 않음): 예상 5,784건, 실제 5,441건." in texts
    # another end of the fitting period: the chart follows
    key = next(d.key for d in at.date_input if d.key.startswith("over_time.alive_end."))
    at.date_input(key=key).set_value(at.date_input(key=key).value.replace(month=6, day=30)).run()
    assert not _problems(at), _problems(at)
    # (the fit on these 26 weeks is one where every customer drops out alike: a = 7,405)
    if lang == "en":
        want = "Fitting period (26 weeks): 1,033 repeat purchases expected, 1,030 made."
    else:
        want = "적합 기간(26주): 예상 재구매 1,033건, 실제 1,030건."
    assert want in _texts(at)


def test_explanations_at_risk_list_has_the_p_alive_columns_in_both_languages():
    at = _sample("en")
    at.switch_page("pages/5_Explanations.py").run()
    at.button(key="explain.train").click().run()
    assert not _problems(at), _problems(at)
    listed = at.dataframe[0].value  # shares shown as percent (0..100), still numbers
    cols = list(listed.columns)
    want = ["P(alive)", "Expected purchases (90 days)", "Expected value (90 days)"]
    assert cols[cols.index(t("explain.col_value_at_risk", "en")) + 1 :][:3] == want
    assert listed["P(alive)"].between(0, 100).all() and len(listed) == 100
    assert listed["P(alive)"].max() > 1  # scaled: a share of 0.9 reads 90.0 %
    assert shown_cells(at.dataframe[0])["P(alive)"].str.fullmatch(r"\d{1,3}\.\d %").all()
    assert any("lost below 50 %" in c.value for c in at.caption)
    assert {"explain.dl_csv", "explain.dl_xlsx"} <= {b.key for b in at.get("download_button")}
    at.session_state["cl.lang"] = "ko"
    at.run()
    assert not _problems(at), _problems(at)
    ko_cols = list(at.dataframe[0].value.columns)
    assert {"P(alive)", "예상 구매 (90일)", "예상 가치 (90일)"} <= set(ko_cols)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_report_has_the_p_alive_section(lang):
    at = _sample(lang)
    at.switch_page("pages/7_Report.py").run()
    assert not _problems(at), _problems(at)
    assert at.checkbox(key="report.sec_alive").value
    for n in ("over_time", "cohorts", "segments"):
        at.checkbox(key=f"report.sec_{n}").uncheck()
    at.button(key="report.build").click().run()
    assert not _problems(at), _problems(at)
    html_bytes, kept, _ = at.session_state["report.built"][1]["html"]
    assert "alive" in kept
    page = html_bytes.decode("utf-8")
    assert '<section id="alive">' in page
    if lang == "en":
        assert "973 of 3,000 customers bought on one day only" in page
        assert "P(alive) below 50 %: 660 of 3,000 customers (22.0 %)" in page
        assert "<h3>Worth a call</h3>" in page  # the table heading, capitalised
    else:
        assert "고객 3,000명 중 973명은 하루만 구매했습니다" in page
        assert "<h3>연락해 볼 만한 고객</h3>" in page


def test_report_of_subscriptions_offers_no_p_alive_section():
    at = _sample("en", "subscriptions")
    at.switch_page("pages/7_Report.py").run()
    assert not _problems(at), _problems(at)
    keys = {c.key for c in at.checkbox}
    assert "report.sec_alive" not in keys and "report.sec_data" in keys


def test_cdnow_upload_shows_both_rates_and_the_one_time_buyers(shared_data):
    data = (shared_data / "cdnow_transactions.csv").read_bytes()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/1_Data.py").run()
    at.file_uploader(key="data.upload").upload("cdnow_transactions.csv", data, "text/csv").run()
    at.button(key="data.confirm").click().run()
    assert not _problems(at), _problems(at)
    m = _metrics(at)
    assert m["No purchase in 90 days"] == "85.9 %"  # 20,253 of 23,570
    assert m["P(alive) below 50 %"] == "17.6 %"  # 4,147 of 23,570
    texts = _texts(at)
    assert "12,054 of 23,570 customers bought on one day only" in texts
    assert "the inactivity rule counts 12,054 of them as lost" in texts
    assert len(at.dataframe[-1].value) == 500
    at.switch_page("pages/2_Churn_over_time.py").run()
    assert not _problems(at), _problems(at)
    # the check: 39 weeks from 1997-01-01 to fit, 39 to hold out
    assert "Fitting period (39 weeks): 24,413 repeat purchases expected, 24,337 made." in (
        _texts(at)
    )
    assert "Holdout (39 weeks, not used to fit): 16,593 expected, 19,684 made." in _texts(at)
