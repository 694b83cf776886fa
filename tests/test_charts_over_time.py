"""churn.charts.over_time: the builders encode what the page needs, with the labels given."""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from churn import metrics as m
from churn.charts import over_time as ch
from churn.roles import ColumnRoles
from churn.table import CustomerTable

ROWS = [
    ("A", "2024-01-10", None, 10),
    ("B", "2024-01-20", "2024-02-01", 20),
    ("C", "2024-02-05", "2024-02-20", 30),
    ("D", "2024-02-10", "2024-03-05", 40),
    ("E", "2024-03-15", None, 50),
    ("F", "2023-12-31", "2024-01-31", 60),
]


@pytest.fixture(scope="module")
def table() -> CustomerTable:
    f = pd.DataFrame(ROWS, columns=["customer_id", "start_date", "end_date", "value"])
    f["start_date"] = pd.to_datetime(f["start_date"])
    f["end_date"] = pd.to_datetime(f["end_date"])
    snap = pd.Timestamp("2024-03-15")
    f["churned"] = f["end_date"].notna().astype(float)
    f["label_status"] = np.where(f["churned"] == 1, "churned", "active")
    f["tenure_days"] = (f["end_date"].fillna(snap) - f["start_date"]).dt.days.astype(float)
    f["plan"] = ["a", "a", "b", "b", "a", "b"]
    f["value"] = f["value"].astype(float)
    return CustomerTable(frame=f, roles=ColumnRoles(), shape="subscriptions", snapshot=snap)


def _spec(chart) -> dict:
    spec = chart.to_dict()
    json.dumps(spec)  # must be plain JSON (no NaN objects, timestamps as text)
    return spec


def _datasets(spec: dict) -> list[list[dict]]:
    return list(spec.get("datasets", {}).values())


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _mark(layer: dict) -> str:
    mark = layer["mark"]
    return mark["type"] if isinstance(mark, dict) else mark


def _tooltip_titles(layer: dict) -> set[str]:
    return {t.get("title") for t in layer["encoding"].get("tooltip", [])}


def test_rate_chart_marks_the_partial_period_and_shows_counts(table):
    periods = m.period_table(table, "month")
    labels = {"numerator": "잃은 고객", "denominator": "기준 고객", "partial": "진행 중"}
    spec = _spec(ch.churn_rate_chart(periods, labels))
    layers = _layers(spec)
    assert [_mark(la) for la in layers] == ["area", "line", "line", "point"]
    # the dashed layer holds exactly the last full period and the partial one
    dashed = layers[2]
    assert dashed["mark"]["strokeDash"] == [4, 4]
    points = layers[3]
    assert {"잃은 고객", "기준 고객"} <= _tooltip_titles(points)
    assert points["encoding"]["fill"]["condition"]["test"] == "datum.final"
    rows = [r for ds in _datasets(spec) for r in ds]
    assert any(r.get("status") == "진행 중" for r in rows)
    dashed_rows = spec["datasets"][dashed["data"]["name"]]
    assert [r["period"] for r in dashed_rows] == ["2024-02", "2024-03"]


def test_rate_chart_with_no_partial_period_has_an_empty_dashed_layer(table):
    periods = m.period_table(table, "month")
    periods = periods[~periods["partial"]]
    spec = _spec(ch.churn_rate_chart(periods))
    dashed = _layers(spec)[2]
    assert spec["datasets"][dashed["data"]["name"]] == []


def test_new_vs_lost_bars(table):
    periods = m.period_table(table, "month")
    spec = _spec(ch.new_vs_lost_chart(periods, {"new": "신규", "churned": "이탈"}))
    assert _mark(spec) == "bar"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["신규", "이탈"]
    rows = _datasets(spec)[0]
    got = {(r["period"], r["series"]): r["customers"] for r in rows}
    assert got[("2024-02", "신규")] == 2 and got[("2024-02", "이탈")] == 2
    assert len(rows) == 2 * len(periods)


def test_active_base_line(table):
    spec = _spec(ch.active_base_chart(m.period_table(table, "month")))
    assert spec["encoding"]["y"]["field"] == "active_end"
    assert [r["active_end"] for r in _datasets(spec)[0]] == [1, 2, 2, 2]


def test_cohort_heatmap_flags_small_cells(table):
    cohorts = m.cohort_table(table, max_months=3, min_cell=2)
    spec = _spec(ch.cohort_heatmap(cohorts, {"small_mark": "!"}))
    rect, text = _layers(spec)
    assert _mark(rect) == "rect" and _mark(text) == "text"
    assert rect["encoding"]["opacity"]["condition"]["test"] == "datum.small"
    rows = _datasets(spec)[0]
    assert len(rows) == int(cohorts["observable"].sum())  # unobservable cells are not drawn
    marks = {(r["cohort"], r["months_since"]): r["mark"] for r in rows}
    assert marks[("2023-12", 0)] == "!" and marks[("2024-01", 0)] == ""
    assert "cohort_size" in {t["field"] for t in rect["encoding"]["tooltip"]}
    rev = _spec(ch.cohort_heatmap(cohorts, value="revenue_retention"))
    cells = {(r["cohort"], r["months_since"]): r["cell"] for r in _datasets(rev)[0]}
    assert cells[("2024-01", 2)] == pytest.approx(10 / 30)


def test_survival_chart_has_bands_and_steps(table):
    res = m.survival_curves(table, by="plan")
    spec = _spec(ch.survival_chart(res.curves, group_names={"a": "Plan A"}))
    band, line = _layers(spec)
    assert _mark(band) == "area" and band["mark"]["interpolate"] == "step-after"
    assert _mark(line) == "line" and line["encoding"]["y"]["field"] == "survival"
    groups = {r["group"] for r in _datasets(spec)[0]}
    assert groups == {"Plan A", "b"}
    # the compiled chart names its curves (a legend=None on the band layer once removed
    # the legend of the merged colour scale: the report showed unnamed curves)
    import vl_convert as vlc

    legends = vlc.vegalite_to_vega(spec).get("legends", [])
    assert [leg.get("title") for leg in legends] == [ch._labels(None)["group"]]


def test_forecast_bars(table):
    fc = m.forecast_next_months(table, months=6)
    spec = _spec(ch.forecast_chart(fc, {"expected_churners": "예상 이탈"}))
    assert _mark(spec) == "bar"
    assert spec["encoding"]["y"]["title"] == "예상 이탈"
    rows = _datasets(spec)[0]
    assert [r["month"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert sum(r["expected_churners"] for r in rows) == pytest.approx(fc["expected_churners"].sum())


def test_builders_return_altair_charts(table):
    periods = m.period_table(table, "month")
    for chart in (
        ch.churn_rate_chart(periods),
        ch.new_vs_lost_chart(periods),
        ch.active_base_chart(periods),
        ch.cohort_heatmap(m.cohort_table(table)),
        ch.survival_chart(m.survival_curves(table).curves),
        ch.forecast_chart(m.forecast_next_months(table)),
    ):
        assert isinstance(chart, alt.TopLevelMixin)
