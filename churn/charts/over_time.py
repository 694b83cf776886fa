"""Charts of churn over time, built from the frames of :mod:`churn.metrics`.

Every builder takes the result frame and a ``labels`` mapping (axis titles, legend and
tooltip names) so the page can pass translated text; missing labels fall back to English.
Builders never compute numbers themselves: they only select, reshape and encode.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

#: English defaults for every label a builder uses.
DEFAULT_LABELS: dict[str, str] = {
    "period": "Period",
    "churn_rate": "Churn rate",
    "numerator": "Lost (numerator)",
    "denominator": "At risk (denominator)",
    "active_start": "Active at start",
    "active_end": "Active at end",
    "new": "New",
    "churned": "Lost",
    "status": "Status",
    "partial": "Partial period (not finished)",
    "not_final": "Not final yet (too recent to judge)",
    "complete": "Complete period",
    "ci_low": "95 % interval, low",
    "ci_high": "95 % interval, high",
    "customers": "Customers",
    "series": "Series",
    "cohort": "Signup month",
    "months_since": "Months since signup",
    "cohort_size": "Cohort size",
    "active": "Still active",
    "retention": "Retention",
    "revenue_retention": "Revenue retention",
    "small": "Few customers: read with care",
    "small_mark": "*",
    "group": "Group",
    "time_days": "Days as a customer",
    "survival": "Share still a customer",
    "at_risk": "Customers still observed",
    "month": "Month ahead",
    "expected_churners": "Expected churners",
    "revenue_at_stake": "Revenue at stake",
    "window_start": "From",
    "window_end": "To",
}

_BLUE = "#2563eb"
_RED = "#dc2626"
_GREEN = "#16a34a"


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(DEFAULT_LABELS)
    if labels:
        out.update({k: str(v) for k, v in labels.items()})
    return out


def churn_rate_chart(
    periods: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int = 280
) -> alt.LayerChart:
    """Churn rate per period with its interval band; the partial period has a hollow point
    and a dashed last segment; the tooltip gives numerator, denominator and counts.

    Parameters
    ----------
    periods : a frame from :func:`churn.metrics.period_table`.
    labels : translated titles (see :data:`DEFAULT_LABELS`).
    height : chart height in pixels.
    """
    lab = _labels(labels)
    data = periods[
        [
            "period",
            "period_start",
            "churn_rate",
            "ci_low",
            "ci_high",
            "numerator",
            "denominator",
            "active_start",
            "new",
            "churned",
            "partial",
        ]
    ].copy()
    final = periods["churn_final"] if "churn_final" in periods else ~periods["partial"]
    data["final"] = final.to_numpy(dtype=bool)
    data["status"] = np.select(
        [data["partial"], ~data["final"]],
        [lab["partial"], lab["not_final"]],
        default=lab["complete"],
    )
    # Numeric month labels read the same in every language (Vega's month names are English).
    x = alt.X("period_start:T", title=lab["period"], axis=alt.Axis(format="%Y-%m"))
    y_scale = alt.Scale(zero=True)
    tooltip = [
        alt.Tooltip("period:N", title=lab["period"]),
        alt.Tooltip("churn_rate:Q", title=lab["churn_rate"], format=".1%"),
        alt.Tooltip("numerator:Q", title=lab["numerator"], format=","),
        alt.Tooltip("denominator:Q", title=lab["denominator"], format=","),
        alt.Tooltip("ci_low:Q", title=lab["ci_low"], format=".1%"),
        alt.Tooltip("ci_high:Q", title=lab["ci_high"], format=".1%"),
        alt.Tooltip("active_start:Q", title=lab["active_start"], format=","),
        alt.Tooltip("new:Q", title=lab["new"], format=","),
        alt.Tooltip("churned:Q", title=lab["churned"], format=","),
        alt.Tooltip("status:N", title=lab["status"]),
    ]
    base = alt.Chart(data)
    band = base.mark_area(opacity=0.15, color=_BLUE).encode(
        x=x, y=alt.Y("ci_low:Q", scale=y_scale), y2="ci_high:Q"
    )
    full = data[data["final"]]
    solid = (
        alt.Chart(full)
        .mark_line(color=_BLUE)
        .encode(x=x, y=alt.Y("churn_rate:Q", title=lab["churn_rate"], axis=alt.Axis(format="%")))
    )
    # From the last final period on the line is dashed: those rates are not comparable yet.
    pos = np.flatnonzero(data["final"].to_numpy())
    start = pos[-1] if len(pos) else 0
    tail = data.iloc[start:] if start < len(data) - 1 else data.iloc[0:0]
    dashed = alt.Chart(tail).mark_line(color=_BLUE, strokeDash=[4, 4]).encode(x=x, y="churn_rate:Q")
    points = base.mark_point(size=60, color=_BLUE, filled=False, strokeWidth=2).encode(
        x=x,
        y="churn_rate:Q",
        fill=alt.condition("datum.final", alt.value(_BLUE), alt.value("white")),
        tooltip=tooltip,
    )
    return (band + solid + dashed + points).properties(height=height, width="container")


def new_vs_lost_chart(
    periods: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int = 240
) -> alt.Chart:
    """New and lost customers per period, side by side (partial period faded)."""
    lab = _labels(labels)
    long = periods.melt(
        id_vars=["period", "period_start", "partial"],
        value_vars=["new", "churned"],
        var_name="series_key",
        value_name="customers",
    )
    long["series"] = long["series_key"].map({"new": lab["new"], "churned": lab["churned"]})
    long["status"] = long["partial"].map({True: lab["partial"], False: lab["complete"]})
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("period:O", title=lab["period"], sort=None),
            xOffset=alt.XOffset("series:N", sort=[lab["new"], lab["churned"]]),
            y=alt.Y("customers:Q", title=lab["customers"]),
            color=alt.Color(
                "series:N",
                title=lab["series"],
                scale=alt.Scale(domain=[lab["new"], lab["churned"]], range=[_GREEN, _RED]),
            ),
            opacity=alt.condition("datum.partial", alt.value(0.45), alt.value(1.0)),
            tooltip=[
                alt.Tooltip("period:N", title=lab["period"]),
                alt.Tooltip("series:N", title=lab["series"]),
                alt.Tooltip("customers:Q", title=lab["customers"], format=","),
                alt.Tooltip("status:N", title=lab["status"]),
            ],
        )
        .properties(height=height, width="container")
    )


def active_base_chart(
    periods: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int = 220
) -> alt.Chart:
    """Customers active at the end of each period."""
    lab = _labels(labels)
    data = periods[["period", "period_start", "active_start", "active_end", "partial"]].copy()
    data["status"] = data["partial"].map({True: lab["partial"], False: lab["complete"]})
    return (
        alt.Chart(data)
        .mark_line(point=True, color=_BLUE)
        .encode(
            x=alt.X("period_start:T", title=lab["period"], axis=alt.Axis(format="%Y-%m")),
            y=alt.Y("active_end:Q", title=lab["active_end"]),
            tooltip=[
                alt.Tooltip("period:N", title=lab["period"]),
                alt.Tooltip("active_start:Q", title=lab["active_start"], format=","),
                alt.Tooltip("active_end:Q", title=lab["active_end"], format=","),
                alt.Tooltip("status:N", title=lab["status"]),
            ],
        )
        .properties(height=height, width="container")
    )


def cohort_heatmap(
    cohorts: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    *,
    value: str = "retention",
    height: int | None = None,
) -> alt.LayerChart:
    """Cohort x months-since-signup heatmap of retention; small cohorts are faded and
    marked with ``labels["small_mark"]``; the tooltip gives the counts.

    Parameters
    ----------
    cohorts : a frame from :func:`churn.metrics.cohort_table`.
    value : ``"retention"`` or ``"revenue_retention"``.
    """
    lab = _labels(labels)
    if value not in cohorts.columns:
        value = "retention"
    cols = [
        "cohort",
        "months_since",
        "cohort_size",
        "active",
        "retention",
        "ci_low",
        "ci_high",
        "small",
        value,
    ]
    data = cohorts.loc[cohorts["observable"], list(dict.fromkeys(cols))].copy()
    data["cell"] = data[value]
    data["mark"] = data["small"].map({True: lab["small_mark"], False: ""})
    n_cohorts = int(data["cohort"].nunique())
    height = height or max(160, min(720, 18 * n_cohorts))
    base = alt.Chart(data).encode(
        x=alt.X("months_since:O", title=lab["months_since"]),
        y=alt.Y("cohort:O", title=lab["cohort"], sort="ascending"),
    )
    tooltip = [
        alt.Tooltip("cohort:N", title=lab["cohort"]),
        alt.Tooltip("months_since:Q", title=lab["months_since"]),
        alt.Tooltip("cohort_size:Q", title=lab["cohort_size"], format=","),
        alt.Tooltip("active:Q", title=lab["active"], format=","),
        alt.Tooltip("cell:Q", title=lab[value], format=".1%"),
        alt.Tooltip("ci_low:Q", title=lab["ci_low"], format=".1%"),
        alt.Tooltip("ci_high:Q", title=lab["ci_high"], format=".1%"),
        alt.Tooltip("mark:N", title=lab["small"]),
    ]
    rect = base.mark_rect().encode(
        color=alt.Color(
            "cell:Q",
            title=lab[value],
            scale=alt.Scale(domain=[0, 1], scheme="blues"),
            legend=alt.Legend(format="%"),
        ),
        opacity=alt.condition("datum.small", alt.value(0.45), alt.value(1.0)),
        tooltip=tooltip,
    )
    marks = base.mark_text(color="#111827", fontSize=10).encode(text="mark:N", tooltip=tooltip)
    return (rect + marks).properties(height=height, width="container")


def survival_chart(
    curves: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    *,
    group_names: Mapping[str, str] | None = None,
    height: int = 300,
) -> alt.LayerChart:
    """Kaplan-Meier step curves with their confidence bands, one colour per group.

    Parameters
    ----------
    curves : ``SurvivalResult.curves`` from :func:`churn.metrics.survival_curves`.
    group_names : optional display names for group values (e.g. ``{"all": "All"}``).
    """
    lab = _labels(labels)
    data = curves.copy()
    if group_names:
        data["group"] = data["group"].replace(dict(group_names))
    order = list(dict.fromkeys(data["group"]))
    x = alt.X("time_days:Q", title=lab["time_days"])
    color = alt.Color(
        "group:N",
        title=lab["group"],
        sort=order,
        legend=alt.Legend(symbolType="stroke", symbolOpacity=1, symbolStrokeWidth=3),
    )
    base = alt.Chart(data)
    # The band shares the lines' colour encoding: with ``legend=None`` on one layer, the
    # merged colour scale of the layers drew no legend at all (three unnamed curves).
    band = base.mark_area(opacity=0.15, interpolate="step-after").encode(
        x=x, y="ci_low:Q", y2="ci_high:Q", color=color
    )
    line = base.mark_line(interpolate="step-after").encode(
        x=x,
        y=alt.Y(
            "survival:Q",
            title=lab["survival"],
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%"),
        ),
        color=color,
        tooltip=[
            alt.Tooltip("group:N", title=lab["group"]),
            alt.Tooltip("time_days:Q", title=lab["time_days"], format=",.0f"),
            alt.Tooltip("survival:Q", title=lab["survival"], format=".1%"),
            alt.Tooltip("ci_low:Q", title=lab["ci_low"], format=".1%"),
            alt.Tooltip("ci_high:Q", title=lab["ci_high"], format=".1%"),
            alt.Tooltip("at_risk:Q", title=lab["at_risk"], format=","),
        ],
    )
    return (band + line).properties(height=height, width="container")


def forecast_chart(
    forecast: pd.DataFrame, labels: Mapping[str, str] | None = None, *, height: int = 220
) -> alt.Chart:
    """Expected churners in each of the next months (revenue at stake in the tooltip)."""
    lab = _labels(labels)
    data = forecast[
        ["month", "window_start", "window_end", "expected_churners", "revenue_at_stake"]
    ].copy()
    return (
        alt.Chart(data)
        .mark_bar(color=_RED)
        .encode(
            x=alt.X("month:O", title=lab["month"]),
            y=alt.Y("expected_churners:Q", title=lab["expected_churners"]),
            tooltip=[
                alt.Tooltip("month:O", title=lab["month"]),
                alt.Tooltip("window_start:T", title=lab["window_start"], format="%Y-%m-%d"),
                alt.Tooltip("window_end:T", title=lab["window_end"], format="%Y-%m-%d"),
                alt.Tooltip("expected_churners:Q", title=lab["expected_churners"], format=",.1f"),
                alt.Tooltip("revenue_at_stake:Q", title=lab["revenue_at_stake"], format=",.0f"),
            ],
        )
        .properties(height=height, width="container")
    )
