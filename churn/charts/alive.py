"""Charts of a P(alive) fit (BG/NBD), built from the frames of :mod:`churn.alive`.

Every builder takes the library's frame and a ``labels`` mapping (axis titles, legend and
tooltip names) so the page can pass translated text; missing labels fall back to English.
Builders never compute numbers themselves: they only select, reshape and encode.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

#: English defaults for every label a builder uses.
DEFAULT_LABELS: dict[str, str] = {
    "period_start": "Week starting",
    "purchases": "Repeat purchases",
    "series": "Series",
    "actual": "Actual",
    "expected": "Expected by the model",
    "phase": "Period",
    "calibration": "Fitting period",
    "holdout": "Holdout (not used to fit)",
    "holdout_starts": "Holdout starts",
    "frequency": "Repeat purchases (days with a purchase after the first)",
    "recency": "Weeks from the first to the last purchase",
    "p_alive": "P(alive)",
    "age": "Weeks since the first purchase",
}

_BLUE = "#2563eb"
_ORANGE = "#ea580c"
_GREY = "#6b7280"


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(DEFAULT_LABELS)
    if labels:
        out.update({k: str(v) for k, v in labels.items()})
    return out


def tracking_chart(
    frame: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int = 280
) -> alt.LayerChart:
    """Actual and expected repeat purchases per period, with a rule where the holdout starts.

    Parameters
    ----------
    frame : ``Tracking.frame`` from :func:`churn.alive.tracking_frame`.
    labels : translated titles (see :data:`DEFAULT_LABELS`).
    height : chart height in pixels.
    """
    lab = _labels(labels)
    data = frame[["period_start", "phase", "actual", "expected"]].copy()
    data["phase"] = data["phase"].map(
        {"calibration": lab["calibration"], "holdout": lab["holdout"]}
    )
    long = data.melt(
        id_vars=["period_start", "phase"],
        value_vars=["actual", "expected"],
        var_name="series",
        value_name="purchases",
    )
    long["series"] = long["series"].map({"actual": lab["actual"], "expected": lab["expected"]})
    order = [lab["actual"], lab["expected"]]
    x = alt.X("period_start:T", title=lab["period_start"], axis=alt.Axis(format="%Y-%m"))
    lines = (
        alt.Chart(long)
        .mark_line(point=False)
        .encode(
            x=x,
            y=alt.Y("purchases:Q", title=lab["purchases"]),
            color=alt.Color(
                "series:N",
                title=lab["series"],
                sort=order,
                scale=alt.Scale(domain=order, range=[_BLUE, _ORANGE]),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                sort=order,
                scale=alt.Scale(domain=order, range=[[1, 0], [6, 3]]),
                legend=None,
            ),  # fmt: skip
            tooltip=[
                alt.Tooltip("period_start:T", title=lab["period_start"], format="%Y-%m-%d"),
                alt.Tooltip("phase:N", title=lab["phase"]),
                alt.Tooltip("series:N", title=lab["series"]),
                alt.Tooltip("purchases:Q", title=lab["purchases"], format=",.1f"),
            ],
        )
    )
    start = data.loc[data["phase"] == lab["holdout"], ["period_start"]].head(1)
    start["what"] = lab["holdout_starts"]
    rule = (
        alt.Chart(start)
        .mark_rule(color=_GREY, strokeDash=[2, 2])
        .encode(
            x="period_start:T",
            tooltip=[
                alt.Tooltip("what:N", title=lab["phase"]),
                alt.Tooltip("period_start:T", title=lab["period_start"], format="%Y-%m-%d"),
            ],
        )
    )
    return (lines + rule).properties(height=height, width="container")


def p_alive_heatmap(
    grid: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int | None = None
) -> alt.Chart:
    """P(alive) by repeat purchases (rows, most at the top) and recency (columns).

    Parameters
    ----------
    grid : a frame from :func:`churn.alive.alive_map` (or ``p_alive_grid``; its ``T``
        column, when present, goes into the tooltip).
    """
    lab = _labels(labels)
    cols = ["frequency", "recency", "p_alive"] + (["T"] if "T" in grid.columns else [])
    data = grid[cols].copy()
    n_rows = int(data["frequency"].nunique())
    height = height or max(160, min(520, 16 * n_rows))
    tooltip = [
        alt.Tooltip("frequency:Q", title=lab["frequency"]),
        alt.Tooltip("recency:Q", title=lab["recency"], format=",.1f"),
        alt.Tooltip("p_alive:Q", title=lab["p_alive"], format=".1%"),
    ]
    if "T" in data.columns:
        tooltip.append(alt.Tooltip("T:Q", title=lab["age"], format=",.0f"))
    return (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X(
                "recency:O",
                title=lab["recency"],
                axis=alt.Axis(
                    labelExpr="datum.value % 5 == 0 ? datum.label : ''", labelAngle=0, format=".0f"
                ),
            ),
            y=alt.Y("frequency:O", title=lab["frequency"], sort="descending"),
            color=alt.Color(
                "p_alive:Q",
                title=lab["p_alive"],
                scale=alt.Scale(domain=[0, 1], scheme="redyellowgreen"),
                legend=alt.Legend(format="%"),
            ),
            tooltip=tooltip,
        )
        .properties(height=height, width="container")
    )
