"""ui/vega.py: the spec Streamlit would send for a chart, made without its global lock."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec as convert
from streamlit.testing.v1 import AppTest

from ui import vega


def _frame():
    return pd.DataFrame(
        {
            "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
            "rate": [0.1, 0.2, float("nan")],
            "plan": pd.Categorical(["a", "b", "a"]),
        }
    )


def _single():
    return alt.Chart(_frame()).mark_bar().encode(x="month:T", y="rate:Q", color="plan:N")


def _layer_shared():  # Altair moves the shared frame to the top of the layer
    base = alt.Chart(_frame()).encode(x=alt.X("month:T", title="Month"), y="rate:Q")
    return (base.mark_line() + base.mark_point()).properties(title="Churn rate", width=300)


def _layer_own():
    other = pd.DataFrame({"y": [0.15]})
    return alt.layer(_single(), alt.Chart(other).mark_rule().encode(y="y:Q"))


def _concat():
    return alt.hconcat(_single(), alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_bar().encode(y="a:Q"))


def _facet():
    return _single().facet(column="plan:N")


def _configured():  # a chart's own view config is kept
    return _single().configure_view(strokeWidth=0, continuousWidth=420)


@pytest.mark.parametrize(
    "build", [_single, _layer_shared, _layer_own, _concat, _facet, _configured]
)
def test_the_same_spec_and_data_as_streamlit(build):
    expected = convert(build())
    got = vega.spec(build())
    assert {k: v for k, v in got.items() if k != "datasets"} == {
        k: v for k, v in expected.items() if k != "datasets"
    }
    assert got["datasets"] == expected["datasets"]  # the same Arrow bytes under the same names
    assert len(got["datasets"]) >= 1


def test_a_drawn_chart_is_the_same_element():
    def page():
        import altair as alt
        import pandas as pd
        import streamlit as st

        from ui import vega

        df = pd.DataFrame({"m": ["a", "b"], "r": [0.25, 0.5]})
        vega.draw(st, alt.Chart(df).mark_bar().encode(x="m:N", y="r:Q"), width="stretch")
        st.altair_chart(alt.Chart(df).mark_bar().encode(x="m:N", y="r:Q"), width="stretch")

    at = AppTest.from_function(page).run()
    ours, theirs = at.get("vega_lite_chart")
    assert ours.proto.spec == theirs.proto.spec
    assert [d.data.data for d in ours.proto.datasets] == [
        d.data.data for d in theirs.proto.datasets
    ]
    assert ours.proto.datasets[0].data.data  # the rows travel as Arrow bytes


def test_no_schema_validation(monkeypatch):
    import altair.utils.schemapi as schemapi

    calls = []
    real = schemapi.validate_jsonschema
    chart = _layer_shared()  # (building it validates its properties)
    monkeypatch.setattr(
        schemapi, "validate_jsonschema", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    vega.spec(chart)
    assert not calls
    _layer_shared().to_dict()
    assert calls  # an ordinary conversion validates (the check above can fail)


def test_no_global_altair_state_is_touched(monkeypatch):
    # Streamlit's lock guards Altair's global theme and data transformers: spec() uses neither
    import streamlit.elements.vega_charts as vc

    class Refuse:
        def __enter__(self):
            raise AssertionError("the global Altair lock was taken")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(vc, "_altair_globals_lock", Refuse())
    before = (alt.theme.active, alt.data_transformers.active)
    assert vega.spec(_facet())["datasets"]
    assert (alt.theme.active, alt.data_transformers.active) == before
