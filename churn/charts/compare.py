"""Charts of the Changes page, built from the frames of :mod:`churn.compare`.

Every builder takes the result frame and a ``labels`` mapping (axis titles, legend and
tooltip names, and the names of the bands and groups) so the page can pass translated
text; missing labels fall back to English. Builders only select, reshape and encode.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

#: English defaults for every label a builder uses.
DEFAULT_LABELS: dict[str, str] = {
    "from": "Band last time",
    "to": "Now",
    "customers": "Customers",
    "share": "Share of the row",
    "low": "Low risk",
    "medium": "Medium risk",
    "high": "High risk",
    "new": "New customers",
    "left": "Left",
    "all": "All",
    "stratum": "Risk band last time",
    "group": "Group",
    "retention": "Stayed",
    "contacted": "Contacted",
    "hold_out": "Hold-out",
}

_BLUE = "#2563eb"
_GREY = "#9ca3af"


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(DEFAULT_LABELS)
    if labels:
        out.update({k: str(v) for k, v in labels.items()})
    return out


def transition_chart(long: pd.DataFrame, labels: Mapping[str, str] | None = None) -> alt.Chart:
    """The transition table as a heat map: old band (rows) x what became of them
    (columns), the count written in each cell, colour by share of the row.

    ``long`` is ``churn.compare.transition_table``'s frame.
    """
    lab = _labels(labels)
    data = long.assign(
        from_name=long["from"].map(lambda k: lab.get(k, k)),
        to_name=long["to"].map(lambda k: lab.get(k, k)),
        share=long["share"].fillna(0.0),
    )
    rows = list(dict.fromkeys(data["from_name"]))
    cols = list(dict.fromkeys(data["to_name"]))
    base = alt.Chart(data).encode(
        x=alt.X("to_name:N", sort=cols, title=lab["to"], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("from_name:N", sort=rows, title=lab["from"]),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), legend=None),
        tooltip=[
            alt.Tooltip("from_name:N", title=lab["from"]),
            alt.Tooltip("to_name:N", title=lab["to"]),
            alt.Tooltip("n:Q", title=lab["customers"], format=","),
            alt.Tooltip("share:Q", title=lab["share"], format=".1%"),
        ],
    )
    text = base.mark_text(fontSize=13).encode(
        text=alt.Text("n:Q", format=","),
        color=alt.condition("datum.share > 0.5", alt.value("white"), alt.value("black")),
    )
    return (cells + text).properties(height=220, width="container")


def campaign_chart(strata: pd.DataFrame, labels: Mapping[str, str] | None = None) -> alt.Chart:
    """Share who stayed, contacted next to hold-out, in each old risk band.

    ``strata`` is ``CampaignEffect.strata``.
    """
    lab = _labels(labels)
    rows = []
    for _, r in strata.iterrows():
        for group in ("contacted", "hold_out"):
            rows.append(
                {
                    "stratum": lab.get(str(r["stratum"]), str(r["stratum"])),
                    "group": lab[group],
                    "retention": r[f"retention_{group}"],
                    "n": int(r[f"n_{group}"]),
                }
            )
    data = pd.DataFrame(rows, columns=["stratum", "group", "retention", "n"])
    order = list(dict.fromkeys(data["stratum"]))
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("stratum:N", sort=order, title=lab["stratum"], axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("group:N", sort=[lab["contacted"], lab["hold_out"]]),
            y=alt.Y("retention:Q", title=lab["retention"], axis=alt.Axis(format="%")),
            color=alt.Color(
                "group:N",
                title=lab["group"],
                scale=alt.Scale(range=[_BLUE, _GREY]),
                sort=[lab["contacted"], lab["hold_out"]],
            ),
            tooltip=[
                alt.Tooltip("stratum:N", title=lab["stratum"]),
                alt.Tooltip("group:N", title=lab["group"]),
                alt.Tooltip("retention:Q", title=lab["retention"], format=".1%"),
                alt.Tooltip("n:Q", title=lab["customers"], format=","),
            ],
        )
        .properties(height=240, width="container")
    )
