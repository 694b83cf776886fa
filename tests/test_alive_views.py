"""churn.alive.views, churn.charts.alive and the report's P(alive) section.

A small log is scored with known BG/NBD parameters (no fit), so every P(alive) is the
closed form worked out here; CDNOW goes through the path the Data page takes (read the
bytes, propose the roles, build the customer table, fit) and gives the rates the page
shows beside each other.
"""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from churn import report as R
from churn.alive import (
    DEFAULT_P_ALIVE_THRESHOLD,
    AliveResult,
    BetaGeoParams,
    alive_map,
    calibration_end,
    check_threshold,
    conditional_expected_purchases,
    expected_purchases_new,
    fit_alive,
    join_alive,
    p_alive,
    parameter_sentences,
    purchase_days,
    rfm_summary,
    rule_rates,
    score_customers,
    tracking_frame,
    tracking_totals,
    worth_a_call,
)
from churn.charts import alive as charts
from churn.errors import ChurnDataError
from churn.explain import at_risk_bytes
from churn.io import read_table
from churn.roles import ColumnRoles, infer_roles
from churn.settings import IntakeSettings
from churn.shapes import build_customer_table
from tests.conftest import SAMPLE_DIR

#: A: 01-01, 01-08, 01-15 (two repeats); B: 01-02 only; C: 03-25 only (too new for a
#: 30-day rule); D: 01-03 and 03-20 (one repeat). Snapshot 2024-03-31.
LOG = pd.DataFrame(
    {
        "id": ["A", "A", "A", "B", "C", "D", "D"],
        "day": [
            "2024-01-01",
            "2024-01-08",
            "2024-01-15",
            "2024-01-02",
            "2024-03-25",
            "2024-01-03",
            "2024-03-20",
        ],  # fmt: skip
    }
)
ROLES = ColumnRoles(id="id", event_date="day")
SNAPSHOT = "2024-03-31"
P = BetaGeoParams(r=0.25, alpha=4.8, a=0.75, b=2.2)


def by_hand(x: int, t_x: float, big_t: float) -> float:
    """P(alive) of BG/NBD: 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x))."""
    return 1 / (1 + P.a / (P.b + x - 1) * ((P.alpha + big_t) / (P.alpha + t_x)) ** (P.r + x))


@pytest.fixture(scope="module")
def result() -> AliveResult:
    days = purchase_days(LOG, ROLES, SNAPSHOT)
    customers = score_customers(rfm_summary(days), P, None, 30)
    return AliveResult(P, None, customers, days.snapshot, 30, ())


@pytest.fixture(scope="module")
def table():
    return build_customer_table(LOG, IntakeSettings(ROLES, snapshot=SNAPSHOT, inactivity_days=30))


def test_rule_rates_by_hand(table, result):
    # A: x = 2, t_x = 2 weeks, T = 13 weeks (91 days to the end of 03-31); D: x = 1,
    # t_x = 11 weeks (77 days), T = 89 / 7 weeks.
    p = result.customers.set_index("customer_id")["p_alive"]
    assert p["A"] == pytest.approx(by_hand(2, 2.0, 13.0), rel=1e-12)
    assert p["D"] == pytest.approx(by_hand(1, 11.0, 89 / 7), rel=1e-12)
    assert p["A"] == pytest.approx(0.3287, abs=1e-4) and p["D"] == pytest.approx(0.7206, abs=1e-4)
    assert p["B"] == p["C"] == 1.0  # bought once: no sign of leaving
    r = rule_rates(table, result, 0.5)
    # Inactivity (30 days): A and B churned, D active, C too new: 2 of 3.
    assert (r.inactivity_lost, r.inactivity_labelled, r.inactivity_days) == (2, 3, 30)
    assert r.inactivity_rate == pytest.approx(2 / 3)
    # P(alive) below 0.5: A alone, of 4 customers; of the repeat buyers A and D, 1 of 2.
    assert (r.customers, r.alive_lost, r.alive_rate, r.repeat_rate) == (4, 1, 0.25, 0.5)
    # One-time buyers B and C; the inactivity rule counts B as churned (C is too new).
    assert (r.one_time, r.one_time_inactive) == (2, 1)
    assert rule_rates(table, result, 0.75).alive_lost == 2  # D's 0.72 is below 0.75 too


def test_threshold_must_be_a_share():
    assert check_threshold("0.3") == 0.3 and DEFAULT_P_ALIVE_THRESHOLD == 0.5
    for bad in (0, 1, 1.5, -0.1, "half", None):
        with pytest.raises(ChurnDataError, match="not a share between 0 and 1"):
            check_threshold(bad)


def test_join_alive_places_the_columns_and_leaves_unknown_customers_empty(result):
    frame = pd.DataFrame({"customer_id": ["D", "X", "A"], "value": [1.0, 2.0, 3.0], "z": 0})
    out = join_alive(frame, result, after="value")
    # no amount: no expected value column
    assert list(out.columns) == ["customer_id", "value", "p_alive", "expected_purchases", "z"]
    p = result.customers.set_index("customer_id")["p_alive"]
    assert out["p_alive"].iloc[0] == p["D"] and out["p_alive"].iloc[2] == p["A"]
    assert out["p_alive"].isna().tolist() == [False, True, False]
    assert list(join_alive(frame, result).columns)[-2:] == ["p_alive", "expected_purchases"]
    # the at-risk download carries the columns
    listed = out.assign(row=[0, 1, 2])
    header = at_risk_bytes(listed, "csv").decode("utf-8-sig").splitlines()[0]
    assert header == "customer_id,value,p_alive,expected_purchases,z"


def test_worth_a_call_ranks_the_low_p_alive_customers(result):
    calls = worth_a_call(result, 0.8)
    assert list(calls.columns) == [
        "customer_id", "frequency", "last_purchase", "p_alive", "expected_purchases",
    ]  # fmt: skip
    # A (0.33) and D (0.72) are below 0.8; no spend model: most expected purchases first
    ea = conditional_expected_purchases(P, 30 / 7, 2, 2.0, 13.0)
    ed = conditional_expected_purchases(P, 30 / 7, 1, 11.0, 89 / 7)
    assert calls["customer_id"].tolist() == (["A", "D"] if ea > ed else ["D", "A"])
    assert calls["last_purchase"].dt.strftime("%m-%d").tolist()[0] in ("01-15", "03-20")
    assert worth_a_call(result, 0.5)["customer_id"].tolist() == ["A"]
    assert len(worth_a_call(result, 0.8, top=1)) == 1


def test_parameter_sentences_in_both_languages(result):
    en = parameter_sentences(result)
    # r / alpha = 0.0521 a week = 2.7 days a year; a / (a + b) = 0.75 / 2.95 = 25.4 %
    assert en[0] == (
        "While still a customer, a typical customer buys on about 2.7 days a year "
        "(BG/NBD: r = 0.250, alpha = 4.800)."
    )
    assert en[1].startswith(
        "After each purchase a customer leaves for good with a chance of 25.4 %"
    )
    assert len(en) == 2  # no spend model, no sentence on spend
    ko = parameter_sentences(result, "ko")
    assert ko[0].startswith("고객으로 남아 있는 동안 보통의 고객은 1년에 약 2.7일 구매합니다")
    assert "평균 25.4%의 확률로" in ko[1]


def test_calibration_end_and_the_map(result):
    # 2024-01-01 .. 2024-03-31 is 90 days: the fitting period ends 45 days in
    assert calibration_end(result) == pd.Timestamp("2024-02-15")
    g = alive_map(result)
    # median T of 13, 90/7, 1 and 89/7 weeks is 12.79: 13 weeks; frequencies 1..5
    assert g["T"].unique().tolist() == [13]
    assert g["frequency"].unique().tolist() == [1, 2, 3, 4, 5]
    assert g["recency"].unique().tolist() == [float(w) for w in range(14)]
    row = g[(g["frequency"] == 2) & (g["recency"] == 2.0)]
    assert row["p_alive"].iloc[0] == pytest.approx(by_hand(2, 2.0, 13.0), rel=1e-12)


def test_tracking_totals_by_hand():
    log = pd.DataFrame(
        {
            "id": ["A", "A", "A", "B", "B"],
            "day": ["2024-01-01", "2024-01-03", "2024-01-16", "2024-01-09", "2024-01-20"],
        }
    )
    tr = tracking_frame(log, ColumnRoles(id="id", event_date="day"), "2024-01-10", "2024-01-21")
    tot = tracking_totals(tr)
    assert (tot["calibration_actual"], tot["holdout_actual"]) == (1.0, 2.0)
    assert (tot["calibration_periods"], tot["holdout_periods"]) == (1, 2)
    assert tot["calibration_expected"] == pytest.approx(tr.frame["expected"].iloc[0])
    assert tot["holdout_expected"] == pytest.approx(tr.frame["expected"].iloc[1:].sum())


def test_expected_purchases_stay_finite_when_every_customer_drops_out_alike():
    """a and b in the thousands (a fit on half of the sample log gives a = 7,405 and
    b = 115,695): Euler's form of the hypergeometric term was 0 x inf = NaN. Both
    expectations now match the limit of one drop-out chance p = a / (a + b) for all."""
    prm = BetaGeoParams(0.7609, 4.5363, 7404.6, 115_695.0)
    p = prm.a / (prm.a + prm.b)
    t = np.array([0.5, 5.0, 52.0])
    new = expected_purchases_new(prm, t)
    np.testing.assert_allclose(new, (1 - (prm.alpha / (prm.alpha + p * t)) ** prm.r) / p, rtol=1e-4)
    x, t_x, big_t = 3, 20.0, 30.0
    limit = 1 - ((prm.alpha + big_t) / (prm.alpha + big_t + p * 13.0)) ** (prm.r + x)
    limit *= float(p_alive(prm, x, t_x, big_t)) / p
    got = conditional_expected_purchases(prm, 13.0, x, t_x, big_t)
    assert np.isfinite(got).all() and float(got) == pytest.approx(limit, rel=1e-4)


def test_charts_take_the_frames_and_labels():
    log = pd.DataFrame(
        {
            "id": ["A", "A", "A", "B", "B"],
            "day": ["2024-01-01", "2024-01-03", "2024-01-16", "2024-01-09", "2024-01-20"],
        }
    )
    tr = tracking_frame(log, ColumnRoles(id="id", event_date="day"), "2024-01-10", "2024-01-21")
    spec = charts.tracking_chart(tr.frame, {"actual": "실제", "holdout_starts": "검증"}).to_dict()
    lines, rule = spec["layer"]
    assert lines["encoding"]["color"]["scale"]["domain"] == ["실제", "Expected by the model"]
    data = spec["datasets"]
    starts = [d for d in data.values() if d and "what" in d[0]]
    assert starts == [[{"period_start": "2024-01-08T00:00:00", "what": "검증"}]]
    grid = alive_map(
        AliveResult(
            P,
            None,
            score_customers(rfm_summary(purchase_days(LOG, ROLES)), P, None, 30),
            pd.Timestamp(SNAPSHOT),
            30,
            (),
        )  # fmt: skip
    )
    heat = charts.p_alive_heatmap(grid, {"p_alive": "P"}).to_dict()
    assert heat["mark"]["type"] == "rect"
    assert heat["encoding"]["color"]["title"] == "P"
    assert heat["encoding"]["y"]["sort"] == "descending"


# ------------------------------------------------------------------ the report section


@pytest.fixture(scope="module")
def sample():
    frame = read_table(SAMPLE_DIR / "transactions.csv").frame
    roles = infer_roles(frame)
    table = build_customer_table(frame, IntakeSettings(roles))
    return table, fit_alive(frame, roles, None, 90)


def test_report_section_on_the_purchase_log_sample(sample):
    table, res = sample
    rep = R.build_report(table, sections=["alive"], charts=False, alive=res, top_at_risk=5)
    assert rep.names == ["alive"]
    s = rep.sections[0]
    text = " ".join(s.paragraphs)
    assert "No purchase in the last 90 days: 1,603 of 2,546 customers (63.0 %)" in text
    assert "P(alive) below 50 %: 660 of 3,000 customers (22.0 %)" in text
    assert "973 of 3,000 customers bought on one day only" in text
    assert "the inactivity rule counts 736 of them as lost" in text
    assert "Worth a call: the 5 customers" in text
    calls = s.tables["worth_a_call"]
    assert len(calls) == 5 and (calls["p_alive"] < 0.5).all()
    assert calls["expected_value"].is_monotonic_decreasing
    assert s.tables["churn_rules"]["lost"].tolist() == [1603, 660]
    assert set(s.tables["alive_parameters"]["parameter"]) == {
        "r", "alpha", "a", "b", "log_likelihood", "p", "q", "gamma",
    }  # fmt: skip
    page = rep.to_html()
    assert '<section id="alive">' in page and "<th>P(alive)</th>" in page
    assert "36.3 %" in page  # P(alive) as a share, not as a p-value
    wb = openpyxl.load_workbook(io.BytesIO(rep.to_xlsx()))
    # sheets are named in words (issue 19): "Churn by two rules", ...
    names = {R.header(n) for n in ("churn_rules", "alive_parameters", "worth_a_call")}
    assert names <= set(wb.sheetnames)
    ko = R.build_report(table, sections=["alive"], charts=False, alive=res, lang="ko")
    ko_text = " ".join(ko.sections[0].paragraphs)
    assert "고객 3,000명 중 973명은 하루만 구매했습니다" in ko_text
    assert "P(alive) 50% 미만: 고객 3,000명 중 660명(22.0%)" in ko_text
    assert ko.sections[0].title == "아직 고객일까? 구매 로그의 P(alive)"


def test_report_at_risk_list_gains_the_p_alive_columns(sample):
    from churn.model import train

    table, res = sample
    tm = train(table, "logistic")
    rep = R.build_report(table, tm, sections=["at_risk"], charts=False, alive=res, top_at_risk=5)
    listed = rep.sections[0].tables["at_risk"]
    cols = list(listed.columns)
    at = cols.index("value_at_risk")
    assert cols[at + 1 : at + 4] == ["p_alive", "expected_purchases", "expected_value"]
    p = res.customers.set_index("customer_id")["p_alive"]
    assert listed["p_alive"].tolist() == p.reindex(listed["customer_id"]).tolist()
    assert "p_alive" in rep.sections[0].display["at_risk"].columns
    without = R.build_report(table, tm, sections=["at_risk"], charts=False, top_at_risk=5)
    assert "p_alive" not in without.sections[0].tables["at_risk"].columns


def test_report_section_is_left_out_with_a_reason(sample):
    table, _ = sample
    rep = R.build_report(table, sections=["alive"], charts=False)
    assert rep.names == [] and "could not be computed" in rep.notes()[0]
    subs = read_table(SAMPLE_DIR / "subscriptions.csv").frame
    other = build_customer_table(subs, infer_roles(subs))
    rep = R.build_report(other, sections=["alive"], charts=False)
    assert "not a purchase log" in rep.notes()[0]


# ------------------------------------------------------------------------- CDNOW


def test_cdnow_rates_the_data_page_shows(shared_data):
    data = (shared_data / "cdnow_transactions.csv").read_bytes()
    frame = read_table(data, name="cdnow_transactions.csv").frame
    roles = infer_roles(frame)
    assert roles.shape == "events"
    res = fit_alive(frame, roles, None, 90)
    table = build_customer_table(frame, IntakeSettings(roles, inactivity_days=90))
    r = rule_rates(table, res, DEFAULT_P_ALIVE_THRESHOLD)
    assert (r.customers, r.one_time, r.one_time_inactive) == (23_570, 12_054, 12_054)
    assert (r.inactivity_lost, r.inactivity_labelled) == (20_253, 23_570)  # 85.9 %
    assert r.alive_rate == pytest.approx(0.176, abs=0.005)  # far below: one-time buyers
    assert r.repeat_rate == pytest.approx(0.360, abs=0.01)
    longer = build_customer_table(frame, IntakeSettings(roles, inactivity_days=180))
    assert rule_rates(longer, res, 0.5).inactivity_rate == pytest.approx(18_196 / 23_570)
