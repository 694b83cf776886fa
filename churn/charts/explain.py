"""Charts of the explanations, built from the frames of :mod:`churn.explain`.

Builders take a result frame and a ``labels`` mapping (translated axis titles); missing
labels fall back to English. No numbers are computed here: only selection and encoding.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

DEFAULT_LABELS: dict[str, str] = {
    "feature": "Column",
    "mean_abs_contribution": "Average effect on risk (points, either direction)",
    "mean_contribution": "Average effect on risk (points)",
    "contribution": "Effect on this customer's risk (points)",
    "value": "Value",
    "value_rank": "Value (low to high)",
    "customer_id": "Customer",
    "risk": "Risk",
    "base": "Base risk",
    "up": "Raises risk",
    "down": "Lowers risk",
    "final": "This customer's risk",
}
_RED = "#dc2626"
_GREEN = "#16a34a"
_GREY = "#6b7280"
_BLUE = "#2563eb"
#: Column names are the user's own: show every one, long ones in full up to 180 px.
_AXIS = alt.Axis(labelOverlap=False, labelLimit=180)


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(DEFAULT_LABELS)
    out.update(labels or {})
    return out


def _points(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Contributions in points (x 100) so axes read like the sentences."""
    out = frame.copy()
    for c in cols:
        out[c] = out[c] * 100
    return out


def importance_chart(
    importance: pd.DataFrame, labels: Mapping[str, str] | None = None, top: int = 15
) -> alt.Chart:
    """Bars of the mean absolute contribution per column, strongest on top."""
    lab = _labels(labels)
    data = _points(importance.head(top), ["mean_abs_contribution", "mean_contribution"])
    return (
        alt.Chart(data)
        .mark_bar(color=_BLUE)
        .encode(
            x=alt.X("mean_abs_contribution:Q", title=lab["mean_abs_contribution"]),
            # the column names speak for themselves: no rotated axis title beside them
            y=alt.Y("feature:N", sort="-x", title=None, axis=_AXIS),
            tooltip=[
                alt.Tooltip("feature:N", title=lab["feature"]),
                alt.Tooltip(
                    "mean_abs_contribution:Q", title=lab["mean_abs_contribution"], format=".1f"
                ),
                alt.Tooltip("mean_contribution:Q", title=lab["mean_contribution"], format="+.1f"),
            ],
        )
        .properties(height=max(160, 24 * len(data)))
    )


def beeswarm_chart(
    points: pd.DataFrame,
    order: list[str],
    labels: Mapping[str, str] | None = None,
) -> alt.Chart:
    """One dot per customer and column: x = contribution, colour = the value's rank.

    ``order`` lists the columns to show, strongest first (e.g. the top 10 of the
    importance frame). Dots are jittered vertically so dense areas read as a swarm.
    """
    lab = _labels(labels)
    data = _points(points[points["feature"].isin(order)], ["contribution"])
    data = data[["feature", "contribution", "value", "value_rank", "customer_id"]]
    return (
        alt.Chart(data)
        .mark_circle(size=14, opacity=0.6)
        .transform_calculate(jitter="sqrt(-2*log(random()))*cos(2*PI*random())")
        .encode(
            x=alt.X("contribution:Q", title=lab["contribution"]),
            y=alt.Y("feature:N", sort=order, title=None, axis=_AXIS),
            yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-4, 4])),
            color=alt.Color(
                "value_rank:Q",
                title=lab["value_rank"],
                scale=alt.Scale(range=[_BLUE, _RED]),
                legend=alt.Legend(format=".0%"),
            ),
            tooltip=[
                alt.Tooltip("customer_id:N", title=lab["customer_id"]),
                alt.Tooltip("feature:N", title=lab["feature"]),
                alt.Tooltip("value:N", title=lab["value"]),
                alt.Tooltip("contribution:Q", title=lab["contribution"], format="+.1f"),
            ],
        )
        .properties(height=max(200, 36 * len(order)))
    )


def dependence_chart(
    points: pd.DataFrame,
    feature: str,
    numeric: bool,
    labels: Mapping[str, str] | None = None,
) -> alt.Chart:
    """The value of one column against its contribution (numbers: dots; categories: strips)."""
    lab = _labels(labels)
    data = _points(points[points["feature"] == feature], ["contribution"])
    data = data[["value", "value_number", "contribution", "customer_id"]]
    x = (
        alt.X("value_number:Q", title=feature)
        if numeric
        else alt.X("value:N", title=feature, sort="y")
    )
    base = alt.Chart(data).mark_circle(size=18, opacity=0.5, color=_BLUE)
    rule = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color=_GREY).encode(y="zero:Q")
    dots = base.encode(
        x=x,
        y=alt.Y("contribution:Q", title=lab["contribution"]),
        tooltip=[
            alt.Tooltip("customer_id:N", title=lab["customer_id"]),
            alt.Tooltip("value:N", title=lab["value"]),
            alt.Tooltip("contribution:Q", title=lab["contribution"], format="+.1f"),
        ],
    )
    return (rule + dots).properties(height=300)


def waterfall_chart(steps: pd.DataFrame, labels: Mapping[str, str] | None = None) -> alt.Chart:
    """Base risk, then each contribution as a floating bar, then the customer's risk.

    ``steps`` comes from :func:`churn.explain.waterfall_frame`; bars are in points.
    """
    lab = _labels(labels)
    data = _points(steps, ["start", "end", "contribution"])
    names = {"base": lab["base"], "risk": lab["final"]}
    data["label"] = [names.get(k, x) for k, x in zip(data["kind"], data["label"], strict=True)]
    data["meaning"] = data["kind"].map(
        {"base": lab["base"], "up": lab["up"], "down": lab["down"], "risk": lab["final"]}
    )
    order = list(data["label"])
    colours = alt.Scale(
        domain=[lab["base"], lab["up"], lab["down"], lab["final"]],
        range=[_GREY, _RED, _GREEN, _BLUE],
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=order, title=None, axis=_AXIS),
            x=alt.X("start:Q", title=lab["risk"] + " (%)"),
            x2="end:Q",
            color=alt.Color("meaning:N", scale=colours, title=None),
            tooltip=[
                alt.Tooltip("label:N", title=lab["feature"]),
                alt.Tooltip("contribution:Q", title=lab["contribution"], format="+.1f"),
                alt.Tooltip("end:Q", title=lab["risk"], format=".1f"),
            ],
        )
        .properties(height=max(200, 28 * len(data)))
    )
