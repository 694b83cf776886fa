"""Charts of the churn model, built from the frames of :mod:`churn.model`.

Every builder takes a result frame and a ``labels`` mapping (axis titles, legend and
tooltip names) so the page can pass translated text; missing labels fall back to English.
Builders only select, thin and encode: no numbers are computed here.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

#: English defaults for every label a builder uses.
DEFAULT_LABELS: dict[str, str] = {
    "false_positive_rate": "Active customers flagged (false positive rate)",
    "true_positive_rate": "Churners caught (true positive rate)",
    "threshold": "Risk threshold",
    "recall": "Churners caught (recall)",
    "precision": "Flagged who churn (precision)",
    "base_rate": "Base rate (guessing)",
    "guessing": "Guessing",
    "model": "Model",
    "mean_predicted": "Predicted risk (bin average)",
    "observed_rate": "Observed churn rate",
    "customers": "Customers",
    "perfect": "Perfect calibration",
    "share_contacted": "Share of customers contacted (riskiest first)",
    "share_of_churners": "Share of churners reached",
    "lift": "Lift over random",
    "random": "Random order",
    "risk": "Predicted risk",
    "share": "Share of the class",
    "outcome": "Actual outcome",
    "churned": "Churned",
    "active": "Active",
    "actual": "Actual",
    "predicted": "Predicted",
    "count": "Customers",
    "contacted": "Customers contacted (riskiest first)",
    "expected_profit": "Expected profit",
    "expected_saved": "Customers expected to be kept",
    "cost": "Campaign cost",
    "recommended": "Recommended",
    "capacity": "Capacity",
}

_BLUE = "#2563eb"
_RED = "#dc2626"
_GREY = "#9ca3af"
_GREEN = "#16a34a"
#: Curves are thinned to about this many points so the browser stays quick.
MAX_POINTS = 400


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(DEFAULT_LABELS)
    if labels:
        out.update({k: str(v) for k, v in labels.items()})
    return out


def _thin(frame: pd.DataFrame, keep_last: bool = True) -> pd.DataFrame:
    """At most :data:`MAX_POINTS` evenly spaced rows (first and last kept)."""
    n = len(frame)
    if n <= MAX_POINTS:
        return frame
    idx = np.unique(np.linspace(0, n - 1, MAX_POINTS).round().astype(int))
    return frame.iloc[idx]


def _diagonal(x_title: str, y_title: str, name: str) -> alt.Chart:
    line = pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0], "what": [name, name]})
    return (
        alt.Chart(line)
        .mark_line(strokeDash=[4, 4], color=_GREY)
        .encode(
            x=alt.X("x:Q", title=x_title),
            y=alt.Y("y:Q", title=y_title),
            tooltip=[alt.Tooltip("what:N", title="")],
        )
    )


def roc_chart(
    roc: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int = 300
) -> alt.LayerChart:
    """ROC curve from :func:`churn.model.roc_frame` with the guessing diagonal."""
    lab = _labels(labels)
    data = _thin(roc)
    x_t, y_t = lab["false_positive_rate"], lab["true_positive_rate"]
    curve = (
        alt.Chart(data)
        .mark_line(color=_BLUE, interpolate="step-after")
        .encode(
            x=alt.X("false_positive_rate:Q", title=x_t, scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("true_positive_rate:Q", title=y_t, scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                alt.Tooltip("threshold:Q", title=lab["threshold"], format=".2f"),
                alt.Tooltip("false_positive_rate:Q", title=x_t, format=".1%"),
                alt.Tooltip("true_positive_rate:Q", title=y_t, format=".1%"),
            ],
        )
    )
    return alt.layer(_diagonal(x_t, y_t, lab["guessing"]), curve).properties(height=height)


def pr_chart(
    pr: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int = 300
) -> alt.LayerChart:
    """Precision-recall curve from :func:`churn.model.pr_frame` with the base-rate rule."""
    lab = _labels(labels)
    data = _thin(pr)
    x_t, y_t = lab["recall"], lab["precision"]
    curve = (
        alt.Chart(data)
        .mark_line(color=_BLUE)
        .encode(
            x=alt.X("recall:Q", title=x_t, scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("precision:Q", title=y_t, scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                alt.Tooltip("threshold:Q", title=lab["threshold"], format=".2f"),
                alt.Tooltip("recall:Q", title=x_t, format=".1%"),
                alt.Tooltip("precision:Q", title=y_t, format=".1%"),
            ],
        )
    )
    base = float(pr["base_rate"].iloc[0]) if len(pr) else 0.0
    rule_data = pd.DataFrame({"base_rate": [base], "what": [lab["base_rate"]]})
    rule = (
        alt.Chart(rule_data)
        .mark_rule(strokeDash=[4, 4], color=_GREY)
        .encode(
            y="base_rate:Q",
            tooltip=[
                alt.Tooltip("what:N", title=""),
                alt.Tooltip("base_rate:Q", title=lab["base_rate"], format=".1%"),
            ],
        )
    )
    return alt.layer(curve, rule).properties(height=height)


def calibration_chart(
    cal: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int = 300
) -> alt.LayerChart:
    """Reliability diagram from :func:`churn.model.calibration_frame` (dot size = customers)."""
    lab = _labels(labels)
    x_t, y_t = lab["mean_predicted"], lab["observed_rate"]
    points = (
        alt.Chart(cal)
        .mark_line(color=_BLUE, point=alt.OverlayMarkDef(filled=True, size=60))
        .encode(
            x=alt.X("mean_predicted:Q", title=x_t, scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("observed_rate:Q", title=y_t, scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                alt.Tooltip("mean_predicted:Q", title=x_t, format=".1%"),
                alt.Tooltip("observed_rate:Q", title=y_t, format=".1%"),
                alt.Tooltip("n:Q", title=lab["customers"], format=","),
            ],
        )
    )
    return alt.layer(_diagonal(x_t, y_t, lab["perfect"]), points).properties(height=height)


def gains_chart(
    gains: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int = 300
) -> alt.LayerChart:
    """Cumulative gains from :func:`churn.model.gains_frame` against a random order."""
    lab = _labels(labels)
    x_t, y_t = lab["share_contacted"], lab["share_of_churners"]
    curve = (
        alt.Chart(_thin(gains))
        .mark_line(color=_BLUE)
        .encode(
            x=alt.X("share_contacted:Q", title=x_t, axis=alt.Axis(format="%")),
            y=alt.Y("share_of_churners:Q", title=y_t, axis=alt.Axis(format="%")),
            tooltip=[
                alt.Tooltip("share_contacted:Q", title=x_t, format=".0%"),
                alt.Tooltip("share_of_churners:Q", title=y_t, format=".1%"),
                alt.Tooltip("lift:Q", title=lab["lift"], format=".2f"),
            ],
        )
    )
    return alt.layer(_diagonal(x_t, y_t, lab["random"]), curve).properties(height=height)


def lift_chart(
    gains: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int = 300
) -> alt.LayerChart:
    """Lift by share contacted from :func:`churn.model.gains_frame`; 1 = random."""
    lab = _labels(labels)
    data = _thin(gains[gains["contacted"] > 0])
    x_t = lab["share_contacted"]
    line = (
        alt.Chart(data)
        .mark_line(color=_BLUE)
        .encode(
            x=alt.X("share_contacted:Q", title=x_t, axis=alt.Axis(format="%")),
            y=alt.Y("lift:Q", title=lab["lift"]),
            tooltip=[
                alt.Tooltip("share_contacted:Q", title=x_t, format=".0%"),
                alt.Tooltip("lift:Q", title=lab["lift"], format=".2f"),
            ],
        )
    )
    one = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(strokeDash=[4, 4], color=_GREY)
    return alt.layer(line, one.encode(y="y:Q")).properties(height=height)


def score_distribution_chart(
    dist: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int = 260
) -> alt.Chart:
    """Score histograms of churned and active customers from
    :func:`churn.model.score_distribution` (share within each class, side by side)."""
    lab = _labels(labels)
    data = dist.assign(
        outcome_label=dist["outcome"].map({"churned": lab["churned"], "active": lab["active"]})
    )
    return (
        alt.Chart(data)
        .mark_bar(opacity=0.6, binSpacing=0)
        .encode(
            x=alt.X("bin_low:Q", title=lab["risk"], bin="binned", scale=alt.Scale(domain=[0, 1])),
            x2="bin_high:Q",
            y=alt.Y("share:Q", title=lab["share"], axis=alt.Axis(format="%"), stack=None),
            color=alt.Color(
                "outcome_label:N",
                title=lab["outcome"],
                scale=alt.Scale(domain=[lab["churned"], lab["active"]], range=[_RED, _BLUE]),
            ),
            tooltip=[
                alt.Tooltip("outcome_label:N", title=lab["outcome"]),
                alt.Tooltip("bin_low:Q", title=lab["risk"], format=".2f"),
                alt.Tooltip("n:Q", title=lab["count"], format=","),
                alt.Tooltip("share:Q", title=lab["share"], format=".1%"),
            ],
        )
        .properties(height=height)
    )


def confusion_chart(
    conf: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int = 220
) -> alt.LayerChart:
    """Confusion matrix from :func:`churn.model.confusion_frame` as a labelled heatmap."""
    lab = _labels(labels)
    names = {"churned": lab["churned"], "active": lab["active"]}
    data = conf.assign(
        actual_label=conf["actual"].map(names), predicted_label=conf["predicted"].map(names)
    )
    order = [lab["churned"], lab["active"]]
    base = alt.Chart(data).encode(
        x=alt.X(
            "predicted_label:N", title=lab["predicted"], sort=order, axis=alt.Axis(labelAngle=0)
        ),
        y=alt.Y("actual_label:N", title=lab["actual"], sort=order),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("n:Q", legend=None, scale=alt.Scale(scheme="blues")),
        tooltip=[
            alt.Tooltip("actual_label:N", title=lab["actual"]),
            alt.Tooltip("predicted_label:N", title=lab["predicted"]),
            alt.Tooltip("n:Q", title=lab["count"], format=","),
            alt.Tooltip("share:Q", title=lab["share"], format=".1%"),
        ],
    )
    dark = float(data["n"].max()) / 2 if len(data) else 0.0
    text = base.mark_text(fontSize=16).encode(
        text=alt.Text("n:Q", format=","),
        color=alt.condition(alt.datum.n > dark, alt.value("white"), alt.value("black")),
    )
    return alt.layer(cells, text).properties(height=height)


def profit_chart(
    profit: pd.DataFrame,
    recommended: int | None = None,
    labels: Mapping[str, str] | None = None,
    *,
    capacity: int | None = None,
    height: int = 300,
) -> alt.LayerChart:
    """Expected profit by customers contacted (:func:`churn.model.profit_curve`), with the
    recommended point and the capacity limit marked."""
    lab = _labels(labels)
    cols = ["contacted", "threshold", "expected_saved", "cost", "expected_profit"]
    data = _thin(profit[cols])
    x_t = lab["contacted"]
    tips = [
        alt.Tooltip("contacted:Q", title=x_t, format=","),
        alt.Tooltip("threshold:Q", title=lab["threshold"], format=".2f"),
        alt.Tooltip("expected_saved:Q", title=lab["expected_saved"], format=",.1f"),
        alt.Tooltip("cost:Q", title=lab["cost"], format=",.0f"),
        alt.Tooltip("expected_profit:Q", title=lab["expected_profit"], format=",.0f"),
    ]
    line = (
        alt.Chart(data)
        .mark_line(color=_BLUE)
        .encode(
            x=alt.X("contacted:Q", title=x_t, scale=alt.Scale(nice=False)),
            y=alt.Y("expected_profit:Q", title=lab["expected_profit"]),
            tooltip=tips,
        )
    )
    layers: list[alt.Chart] = [line]
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color=_GREY).encode(y="y:Q")
    layers.append(zero)
    if capacity is not None:
        cap = pd.DataFrame({"x": [capacity], "what": [lab["capacity"]]})
        layers.append(
            alt.Chart(cap)
            .mark_rule(strokeDash=[4, 4], color=_RED)
            .encode(
                x="x:Q", tooltip=[alt.Tooltip("what:N", title=""), alt.Tooltip("x:Q", title=x_t)]
            )
        )
    if recommended is not None:
        point = profit[profit["contacted"] == recommended][cols].assign(what=lab["recommended"])
        layers.append(
            alt.Chart(point)
            .mark_point(color=_GREEN, size=160, filled=True)
            .encode(
                x="contacted:Q",
                y="expected_profit:Q",
                tooltip=[alt.Tooltip("what:N", title=""), *tips],
            )
        )
    return alt.layer(*layers).properties(height=height)
