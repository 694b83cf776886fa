"""Drawing an Altair chart without Streamlit's global Altair lock.

``st.altair_chart`` turns a chart into a Vega-Lite spec under one process-wide lock
(Altair's theme and data transformers are global), with Altair's ``to_dict`` and the
Arrow conversion of the chart's data inside it. In a workshop room every page of every
participant queues on that lock: a profile of twelve participants on one server showed
the page scripts spending 14 % of their time waiting for it (bench/RESULTS.md).

:func:`spec` does the same conversion without touching any global: each data frame in
the chart becomes Arrow bytes named by their hash (as Streamlit names them), the chart
then refers to the data by name, so ``to_dict`` needs no data transformer, and the view
size Altair's default theme adds is dropped (Streamlit converts under the theme
``"none"`` so that its own theme applies). Altair's schema validation is skipped: the
builders in ``churn/charts`` are validated by their tests. :func:`draw` hands the spec to
``st.vega_lite_chart``, which draws the same element ``st.altair_chart`` does.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
from streamlit import dataframe_util
from streamlit.util import calc_hash

#: What Altair's "default" theme adds to every spec (``config.view``).
_THEME_VIEW = {"continuousWidth": 300, "continuousHeight": 300}
#: Where an Altair chart holds its sub-charts.
_CHILDREN = ("layer", "hconcat", "vconcat", "concat")


def _name_data(node: Any, datasets: dict[str, bytes]) -> None:
    """Replace every data frame in ``node`` and its sub-charts by a named reference."""
    data = getattr(node, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        blob = dataframe_util.convert_anything_to_arrow_bytes(data)
        name = calc_hash(blob)  # the name Streamlit gives the same bytes
        datasets[name] = blob
        node.data = {"name": name}  # a plain reference: alt.Data() would validate itself
    for attr in _CHILDREN:
        children = getattr(node, attr, alt.Undefined)
        if isinstance(children, list):
            for child in children:
                _name_data(child, datasets)
    inner = getattr(node, "spec", alt.Undefined)  # a facet's or a repeat's chart
    if isinstance(inner, alt.SchemaBase):
        _name_data(inner, datasets)


def spec(chart: Any) -> dict[str, Any]:
    """The Vega-Lite spec of ``chart`` (Altair) with its data as named Arrow datasets, as
    ``st.altair_chart`` would send it. ``chart`` is changed (its frames become names):
    pass a chart built for this call."""
    datasets: dict[str, bytes] = {}
    _name_data(chart, datasets)
    out = chart.to_dict(validate=False)
    config = out.get("config")
    if isinstance(config, dict) and isinstance(config.get("view"), dict):
        view = config["view"]
        for k, v in _THEME_VIEW.items():
            if view.get(k) == v:
                del view[k]
        if not view:
            del config["view"]
        if not config:
            del out["config"]
    if datasets:
        out["datasets"] = {**out.get("datasets", {}), **datasets}
    return out


def draw(where: Any, chart: Any, **kwargs: Any) -> Any:
    """``where.altair_chart(chart, **kwargs)`` (``where``: ``st`` or a container),
    converted by :func:`spec` instead of under Streamlit's lock."""
    return where.vega_lite_chart(spec=spec(chart), **kwargs)
