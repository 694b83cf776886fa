"""ui.widgets.fast: Streamlit draws the same chart, without validating it on every rerun."""

from __future__ import annotations

import altair as alt
import pandas as pd
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec as convert

from ui.widgets import fast


def _chart():
    df = pd.DataFrame({"month": ["2024-01", "2024-02", "2024-03"], "rate": [0.1, 0.2, 0.15]})
    base = alt.Chart(df).encode(
        x=alt.X("month:O", title="Month"), y=alt.Y("rate:Q", axis=alt.Axis(format="%"))
    )
    return (base.mark_line() + base.mark_point()).properties(title="Churn rate")


def test_fast_chart_gives_streamlit_the_same_spec_without_validation(monkeypatch):
    expected = convert(_chart())
    calls = []
    import altair.utils.schemapi as schemapi

    real = schemapi.validate_jsonschema
    monkeypatch.setattr(
        schemapi, "validate_jsonschema", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    chart = _chart()
    calls.clear()
    got = convert(fast(chart))
    assert not calls  # no schema validation when Streamlit serialises it
    strip = lambda spec: {k: v for k, v in spec.items() if k != "datasets"}  # noqa: E731
    assert strip(got) == strip(expected)
    assert list(got["datasets"].values())[0] == list(expected["datasets"].values())[0]
    convert(_chart())
    assert calls  # an ordinary chart is validated (the check above can fail)
