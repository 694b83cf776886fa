"""Charts of the What-if page, built from the results of :mod:`churn.whatif`.

Every builder takes a ``labels`` mapping so the page can pass translated text; missing
labels fall back to English. Builders only reshape and encode.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

DEFAULT_LABELS: dict[str, str] = {
    "scenario": "Scenario",
    "risk": "Churn risk",
    "before": "Before",
    "after": "After",
    "when": "When",
    "feature": "Feature",
    "change": "Change in risk (points)",
    "raises": "Raises risk",
    "lowers": "Lowers risk",
    "direction": "Direction",
    "churners": "Expected churners",
}


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(DEFAULT_LABELS)
    if labels:
        out.update({k: str(v) for k, v in labels.items()})
    return out


def scenarios_chart(compared: pd.DataFrame, labels: Mapping[str, str] | None = None) -> alt.Chart:
    """Risk before and after for each saved scenario (from ``compare_scenarios``)."""
    lab = _labels(labels)
    long = compared.melt(
        id_vars=["scenario"], value_vars=["before", "after"], var_name="when", value_name="risk"
    )
    long["when"] = long["when"].map({"before": lab["before"], "after": lab["after"]})
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("scenario:N", title=lab["scenario"], sort=None),
            yOffset=alt.YOffset("when:N", sort=[lab["before"], lab["after"]]),
            x=alt.X(
                "risk:Q",
                title=lab["risk"],
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),  # fmt: skip
            color=alt.Color("when:N", title=lab["when"], sort=[lab["before"], lab["after"]]),
            tooltip=[
                alt.Tooltip("scenario:N", title=lab["scenario"]),
                alt.Tooltip("when:N", title=lab["when"]),
                alt.Tooltip("risk:Q", title=lab["risk"], format=".1%"),
            ],
        )
    )


def moved_chart(
    moved: pd.DataFrame, labels: Mapping[str, str] | None = None, top: int = 8
) -> alt.Chart:
    """How each feature's contribution to the risk moved (``WhatIfResult.moved``)."""
    lab = _labels(labels)
    data = moved.head(top).assign(points=lambda d: d["change"] * 100)
    data["direction"] = data["change"].map(lambda c: lab["raises"] if c > 0 else lab["lowers"])
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("feature:N", title=lab["feature"], sort=None),
            x=alt.X("points:Q", title=lab["change"]),
            color=alt.Color(
                "direction:N",
                title=lab["direction"],
                scale=alt.Scale(
                    domain=[lab["raises"], lab["lowers"]], range=["#d62728", "#2ca02c"]
                ),
            ),
            tooltip=[
                alt.Tooltip("feature:N", title=lab["feature"]),
                alt.Tooltip("points:Q", title=lab["change"], format="+.1f"),
            ],
        )
    )


def churners_chart(
    before: float, after: float, labels: Mapping[str, str] | None = None
) -> alt.Chart:
    """Expected churners before and after a segment campaign."""
    lab = _labels(labels)
    data = pd.DataFrame({"when": [lab["before"], lab["after"]], "churners": [before, after]})
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("when:N", title=None, sort=None),
            y=alt.Y("churners:Q", title=lab["churners"]),
            color=alt.Color("when:N", legend=None, sort=None),
            tooltip=[alt.Tooltip("churners:Q", title=lab["churners"], format=",.1f")],
        )
    )
