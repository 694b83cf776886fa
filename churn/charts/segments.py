"""Charts of the Segments page, built from the frames of :mod:`churn.segments`.

Every builder takes the result frame and a ``labels`` mapping (axis titles, legend and
tooltip names) so the page can pass translated text; missing labels fall back to English.
Builders only select, reshape and encode: the numbers come from the library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

#: English defaults for every label a builder uses.
DEFAULT_LABELS: dict[str, str] = {
    "segment": "Segment",
    "customers": "Customers",
    "churned": "Churned",
    "churn_rate": "Churn rate",
    "ci_low": "95 % interval, low",
    "ci_high": "95 % interval, high",
    "lift": "Lift",
    "p_adjusted": "p (Holm-adjusted)",
    "overall": "Overall churn rate",
    "group": "Group size",
    "judged": "Enough customers to judge",
    "small": "Too few to judge",
    "small_mark": "*",
    "a": "First column",
    "b": "Second column",
    "r_score": "Recency score (5 = most recent)",
    "fm_score": "Frequency & money score",
    "rfm_segment": "RFM segment",
    "cluster": "Cluster",
    "column": "Column",
    "z": "Difference from average (sd)",
    "cluster_mean": "Cluster average",
    "overall_mean": "Overall average",
    "level": "Level",
    "sign": "Warning sign",
}

_BLUE = "#2563eb"
_GREY = "#9ca3af"
_RED = "#dc2626"


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(DEFAULT_LABELS)
    if labels:
        out.update({k: str(v) for k, v in labels.items()})
    return out


def _size_group(small: pd.Series, lab: Mapping[str, str]) -> pd.Series:
    return small.map({True: lab["small"], False: lab["judged"]})


def segment_bar_chart(
    result: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    *,
    category: str = "segment",
    overall_rate: float | None = None,
    width: int | str = "container",
) -> alt.LayerChart:
    """Churn rate per segment as horizontal bars with Wilson 95 % error bars.

    Small groups are drawn grey and hollow and named in the legend ("too few to judge");
    the overall rate is a dashed vertical rule.

    Parameters
    ----------
    result : frame with ``category``, ``customers``, ``churned``, ``churn_rate``,
        ``ci_low``, ``ci_high`` and ``small`` (e.g. :func:`churn.segments.churn_by_segment`,
        or :func:`churn.segments.value_tiers` with ``category="tier"``).
    labels : translated titles (see :data:`DEFAULT_LABELS`).
    category : the column holding the segment names; their order is kept.
    overall_rate : the rule's position (default: ``result.attrs["overall_rate"]``).
    """
    lab = _labels(labels)
    keep = [category, "customers", "churned", "churn_rate", "ci_low", "ci_high", "small"]
    keep += [c for c in ("lift", "p_adjusted") if c in result.columns]
    data = result[keep].rename(columns={category: "segment"}).copy()
    if "labelled" in result.columns and "customers" in result.columns:
        data["customers"] = result["labelled"].to_numpy()
    data["segment"] = data["segment"].astype(str)
    data["group"] = _size_group(data["small"].astype(bool), lab)
    order = data["segment"].tolist()
    overall = overall_rate if overall_rate is not None else result.attrs.get("overall_rate")
    y = alt.Y("segment:N", sort=order, title=lab["segment"])
    tooltip = [
        alt.Tooltip("segment:N", title=lab["segment"]),
        alt.Tooltip("customers:Q", title=lab["customers"], format=","),
        alt.Tooltip("churned:Q", title=lab["churned"], format=","),
        alt.Tooltip("churn_rate:Q", title=lab["churn_rate"], format=".1%"),
        alt.Tooltip("ci_low:Q", title=lab["ci_low"], format=".1%"),
        alt.Tooltip("ci_high:Q", title=lab["ci_high"], format=".1%"),
        alt.Tooltip("group:N", title=lab["group"]),
    ]
    if "lift" in data.columns:
        tooltip.append(alt.Tooltip("lift:Q", title=lab["lift"], format=".2f"))
    if "p_adjusted" in data.columns:
        tooltip.append(alt.Tooltip("p_adjusted:Q", title=lab["p_adjusted"], format=".3g"))
    colour = alt.Color(
        "group:N",
        title=lab["group"],
        scale=alt.Scale(domain=[lab["judged"], lab["small"]], range=[_BLUE, _GREY]),
        legend=alt.Legend(orient="bottom", labelLimit=320),
    )
    base = alt.Chart(data).encode(y=y)
    bars = base.mark_bar(strokeWidth=1.5).encode(
        x=alt.X("churn_rate:Q", title=lab["churn_rate"], axis=alt.Axis(format="%")),
        color=colour,
        stroke=colour,
        fillOpacity=alt.condition("datum.small", alt.value(0.25), alt.value(0.9)),
        tooltip=tooltip,
    )
    errors = base.mark_rule(color="#111827").encode(x="ci_low:Q", x2="ci_high:Q")
    layers: list[alt.Chart] = [bars, errors]
    if overall is not None:
        rule = (
            alt.Chart(pd.DataFrame({"overall": [float(overall)], "name": [lab["overall"]]}))
            .mark_rule(color=_RED, strokeDash=[6, 4], size=2)
            .encode(
                x="overall:Q",
                tooltip=[
                    alt.Tooltip("name:N", title=" "),
                    alt.Tooltip("overall:Q", title=lab["churn_rate"], format=".1%"),
                ],
            )
        )
        layers.append(rule)
    # a step height (not a fixed one): Streamlit collapses layered band charts otherwise
    return alt.layer(*layers).properties(width=width, height=alt.Step(28))


def segment_heatmap(
    heat: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    *,
    order_a: Sequence[str] | None = None,
    order_b: Sequence[str] | None = None,
    width: int | str = "container",
) -> alt.LayerChart:
    """Churn rate for pairs of segments, with the rate and the count written in each cell.

    Cells too small to judge are marked with ``labels["small_mark"]`` and a lighter text.
    """
    lab = _labels(labels)
    data = heat[["a", "b", "customers", "churned", "churn_rate", "small"]].copy()
    mark = lab["small_mark"]
    data["cell"] = [
        f"{r:.0%} ({n:,}){mark if s else ''}"
        for r, n, s in zip(data["churn_rate"], data["customers"], data["small"], strict=True)
    ]
    data["group"] = _size_group(data["small"].astype(bool), lab)
    oa = list(order_a or heat.attrs.get("order_a") or data["a"].unique())
    ob = list(order_b or heat.attrs.get("order_b") or data["b"].unique())
    x = alt.X("b:N", sort=ob, title=lab["b"], axis=alt.Axis(labelAngle=-30))
    y = alt.Y("a:N", sort=oa, title=lab["a"])
    tooltip = [
        alt.Tooltip("a:N", title=lab["a"]),
        alt.Tooltip("b:N", title=lab["b"]),
        alt.Tooltip("customers:Q", title=lab["customers"], format=","),
        alt.Tooltip("churned:Q", title=lab["churned"], format=","),
        alt.Tooltip("churn_rate:Q", title=lab["churn_rate"], format=".1%"),
        alt.Tooltip("group:N", title=lab["group"]),
    ]
    base = alt.Chart(data).encode(x=x, y=y)
    rect = base.mark_rect().encode(
        color=alt.Color(
            "churn_rate:Q",
            title=lab["churn_rate"],
            scale=alt.Scale(scheme="orangered", domainMin=0),
            legend=alt.Legend(format="%"),
        ),
        tooltip=tooltip,
    )
    text = base.mark_text(fontSize=11).encode(
        text="cell:N",
        color=alt.condition("datum.churn_rate > 0.5", alt.value("white"), alt.value("black")),
        opacity=alt.condition("datum.small", alt.value(0.6), alt.value(1.0)),
        tooltip=tooltip,
    )
    return alt.layer(rect, text).properties(width=width, height=alt.Step(36))


def rfm_grid_chart(
    grid: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    *,
    segment_names: Mapping[str, str] | None = None,
    width: int | str = "container",
) -> alt.LayerChart:
    """The RFM grid: recency score against frequency-and-money score, coloured by the
    named segment, with customers and churn rate in each cell.

    Parameters
    ----------
    grid : :func:`churn.segments.rfm_grid`.
    segment_names : translated names of the RFM segments (English name -> text).
    """
    lab = _labels(labels)
    data = grid.copy()
    names = dict(segment_names or {})
    data["name"] = data["rfm_segment"].astype(str).map(lambda s: names.get(s, s))
    data["cell"] = [
        f"{n:,} · {r:.0%}" if r == r else f"{n:,}"
        for n, r in zip(data["customers"], data["churn_rate"], strict=True)
    ]
    tooltip = [
        alt.Tooltip("name:N", title=lab["rfm_segment"]),
        alt.Tooltip("r_score:O", title=lab["r_score"]),
        alt.Tooltip("fm_score:O", title=lab["fm_score"]),
        alt.Tooltip("customers:Q", title=lab["customers"], format=","),
        alt.Tooltip("churn_rate:Q", title=lab["churn_rate"], format=".1%"),
    ]
    base = alt.Chart(data).encode(
        x=alt.X("fm_score:O", title=lab["fm_score"], axis=alt.Axis(labelAngle=0)),
        y=alt.Y("r_score:O", title=lab["r_score"], sort="descending"),
    )
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "name:N",
            title=lab["rfm_segment"],
            scale=alt.Scale(scheme="tableau10"),
            legend=alt.Legend(orient="right"),
        ),
        tooltip=tooltip,
    )
    text = base.mark_text(fontSize=11, color="black").encode(text="cell:N", tooltip=tooltip)
    return alt.layer(rect, text).properties(width=width, height=alt.Step(44))


def cluster_profile_chart(
    traits: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    *,
    width: int | str = "container",
) -> alt.LayerChart:
    """How far each cluster's average is from the overall average, column by column
    (in standard deviations: red above, blue below)."""
    lab = _labels(labels)
    data = traits[["cluster", "column", "cluster_mean", "overall_mean", "z"]].copy()
    data["cluster"] = data["cluster"].astype(str)
    data["cell"] = data["z"].map(lambda v: f"{v:+.1f}" if abs(v) >= 0.05 else "0.0")
    tooltip = [
        alt.Tooltip("cluster:N", title=lab["cluster"]),
        alt.Tooltip("column:N", title=lab["column"]),
        alt.Tooltip("cluster_mean:Q", title=lab["cluster_mean"], format=",.2f"),
        alt.Tooltip("overall_mean:Q", title=lab["overall_mean"], format=",.2f"),
        alt.Tooltip("z:Q", title=lab["z"], format="+.2f"),
    ]
    base = alt.Chart(data).encode(
        x=alt.X("column:N", title=lab["column"], axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("cluster:N", title=lab["cluster"]),
    )
    rect = base.mark_rect().encode(
        color=alt.Color(
            "z:Q", title=lab["z"], scale=alt.Scale(scheme="redblue", reverse=True, domainMid=0)
        ),
        tooltip=tooltip,
    )
    text = base.mark_text(fontSize=11).encode(text="cell:N", tooltip=tooltip)
    return alt.layer(rect, text).properties(width=width, height=alt.Step(40))


def warning_signs_chart(
    signs: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    *,
    sign_names: Mapping[str, str] | None = None,
    level_names: Mapping[str, str] | None = None,
    columns: int = 3,
    panel_width: int = 220,
) -> alt.FacetChart:
    """Small multiples: churn rate by level of each warning-sign column, strongest first.

    Parameters
    ----------
    signs : :func:`churn.segments.warning_signs`.
    sign_names : translated sign names (sign -> text), used in the panel titles.
    level_names : translated level names (e.g. the NPS groups).
    """
    lab = _labels(labels)
    data = signs[
        ["column", "sign", "level", "level_order", "customers", "churned", "churn_rate"]
        + ["ci_low", "ci_high", "small", "rank"]
    ].copy()
    snames, lnames = dict(sign_names or {}), dict(level_names or {})
    data["panel"] = [
        f"{r}. {c} ({snames.get(s, s)})"
        for r, c, s in zip(data["rank"], data["column"], data["sign"], strict=True)
    ]
    data["level"] = data["level"].map(lambda v: lnames.get(v, v))
    data["group"] = _size_group(data["small"].astype(bool), lab)
    panels = list(dict.fromkeys(data.sort_values("rank", kind="stable")["panel"]))
    tooltip = [
        alt.Tooltip("column:N", title=lab["column"]),
        alt.Tooltip("level:N", title=lab["level"]),
        alt.Tooltip("customers:Q", title=lab["customers"], format=","),
        alt.Tooltip("churned:Q", title=lab["churned"], format=","),
        alt.Tooltip("churn_rate:Q", title=lab["churn_rate"], format=".1%"),
        alt.Tooltip("ci_low:Q", title=lab["ci_low"], format=".1%"),
        alt.Tooltip("ci_high:Q", title=lab["ci_high"], format=".1%"),
        alt.Tooltip("group:N", title=lab["group"]),
    ]
    # the frame comes sorted by rank then level: keep that order in each panel
    data = data.sort_values(["rank", "level_order"], kind="stable")
    x = alt.X(
        "level:N",
        sort=None,
        title=None,
        axis=alt.Axis(labelAngle=-30, labelLimit=120),
    )
    colour = alt.Color(
        "group:N",
        title=lab["group"],
        scale=alt.Scale(domain=[lab["judged"], lab["small"]], range=[_BLUE, _GREY]),
        legend=alt.Legend(orient="bottom", labelLimit=320),
    )
    base = alt.Chart().encode(x=x)
    bars = base.mark_bar().encode(
        y=alt.Y("churn_rate:Q", title=lab["churn_rate"], axis=alt.Axis(format="%")),
        color=colour,
        fillOpacity=alt.condition("datum.small", alt.value(0.35), alt.value(0.9)),
        tooltip=tooltip,
    )
    errors = base.mark_rule(color="#111827").encode(y="ci_low:Q", y2="ci_high:Q")
    return (
        alt.layer(bars, errors, data=data)
        .properties(width=panel_width, height=180)
        .facet(facet=alt.Facet("panel:N", sort=panels, title=None), columns=columns)
        .resolve_scale(x="independent")
    )
