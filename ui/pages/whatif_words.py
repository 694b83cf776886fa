"""The What-if page's sentences and tables in the user's language.

Changes, linked features, suggestions, a campaign's assumptions and the saved scenarios,
as text through ``ui.i18n.t``; nothing here draws or computes (``ui.pages.whatif`` does).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from churn import whatif as W
from churn.charts import whatif as charts
from ui.i18n import fmt_int, fmt_money, fmt_pct, t


def reason_texts(frame: pd.DataFrame | None) -> str:
    """Reason sentences as a markdown list (empty text when there are none)."""
    if frame is None or frame.empty:
        return t("whatif.no_reasons")
    return "\n".join(f"- {x}" for x in frame["text"])


def option_words(changes: list[dict]) -> str:
    """``column: before → after`` for each change of a suggestion."""
    return "; ".join(
        t("whatif.change_words", column=c["column"], before=_v(c["before"]), after=_v(c["after"]))
        for c in changes
    )


def _v(x: Any) -> str:
    return t("whatif.missing") if x is None else str(x)


def _n(x: Any) -> str:
    """A number with thousands separators (whole numbers without decimals)."""
    if x is None:
        return t("whatif.missing")
    return f"{x:,}" if isinstance(x, int) else f"{float(x):,.1f}"


def linked_words(linked: list[dict]) -> str:
    """``column: before → after (goes with contract)`` for each linked feature moved."""
    return "; ".join(
        t(
            "whatif.linked_words",
            column=c["column"],
            before=_v(c["before"]),
            after=_v(c["after"]),
            category=", ".join(map(str, c["linked_to"])),
        )
        for c in linked
    )


def linked_caption(res: W.WhatIfResult) -> str | None:
    """The caption under a one-customer what-if about linked features, or None."""
    if res.linked_changes:
        return t("whatif.linked_moved", moves=linked_words(res.linked_changes))
    return None


def linked_kept(lk: pd.DataFrame, changes: dict, current: dict) -> str | None:
    """With the option off: which numbers usually go with the changed categories, or None."""
    changed = {c for c, v in changes.items() if current.get(c) != v}
    feats = [f for f in dict.fromkeys(lk.loc[lk["category"].isin(changed), "feature"])]
    feats = [f for f in feats if f not in changes]
    if not feats:
        return None
    return t("whatif.linked_off", columns=", ".join(map(str, feats)))


def segment_linked_lines(res: W.SegmentResult) -> list[str]:
    """One line per linked feature a segment offer moved (average before → after)."""
    return [
        t(
            "whatif.seg_linked",
            column=c["column"],
            category=", ".join(map(str, c["linked_to"])),
            n=fmt_int(c["n_moved"]),
            before=f"{c['mean_before']:,.1f}",
            after=f"{c['mean_after']:,.1f}",
            low=_n(c["min_after"]),
            high=_n(c["max_after"]),
        )
        for c in res.linked_changes
    ]


def assumptions(res: W.SegmentResult, value_words: str) -> list[str]:
    """The campaign's assumptions in the user's language."""
    iv = res.intervention
    if res.rounding is not None:
        first = t(
            "whatif.as_scale_int",
            column=iv.column,
            value=iv.value,
            exact=f"{res.rounding['exact_total']:,.1f}",
            rounded=f"{res.rounding['rounded_total']:,.0f}",
        )
    else:
        first = t(f"whatif.as_{iv.kind}", column=iv.column, value=iv.value)
    out = [
        first,
        t("whatif.as_targeted", n=fmt_int(res.n_targeted), selected=fmt_int(res.n_selected)),
        t("whatif.as_contacted", n=fmt_int(res.n_contacted)),
        t("whatif.as_acceptance", pct=fmt_pct(res.acceptance, 0)),
        t("whatif.as_risk"),
        t("whatif.as_revenue", months=res.horizon_months, value=value_words),
        t("whatif.as_cost", cost=fmt_money(res.cost_per_customer)),
    ]
    if res.linked_changes:
        out.append(t("whatif.as_linked"))
    return out


def chart_labels() -> dict[str, str]:
    return {k: t(f"whatif.chart_{k}") for k in charts.DEFAULT_LABELS}


def _cell_text(v: object) -> str:
    """A changed value as text: "–" when unchanged, whole numbers without ".0"."""
    if v is None or v != v or v == "":
        return "–"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def compare_display(compared: pd.DataFrame) -> pd.DataFrame:
    """Saved scenarios with translated titles for the fixed columns."""
    fixed = ("scenario", "customer", "before", "after", "delta", "n_changes")
    # changed-feature columns mix numbers, text and None: show them as text, "–" = unchanged
    out = compared.copy()
    out["delta"] = out["delta"] * 100  # percentage points, as the metric above says
    for c in out.columns:
        if c not in fixed:
            out[c] = out[c].map(_cell_text)
    names = {c: t(f"whatif.col_{c}") for c in fixed}
    if "linked" in out.columns:  # the features each scenario moved with a category
        names["linked"] = t("whatif.col_linked")
    return out.rename(columns=names)


def suggestion_lines(sug: W.Suggestions) -> list[str]:
    """One line per suggested option: the changes, the new risk and the change in points
    (and the linked features that move with the changes)."""

    def words(o: dict) -> str:
        moved = o.get("linked") or []
        if not isinstance(moved, list) or not moved:
            return option_words(o["changes"])
        return option_words(o["changes"]) + "; " + linked_words(moved)

    return [
        t(
            "whatif.option_line",
            i=int(o["option"]),
            changes=words(o),
            risk=fmt_pct(o["risk"]),
            points=f"{o['delta'] * 100:+.1f}",
        )
        for o in sug.options.to_dict("records")
    ]


def kinds_caption(space: pd.DataFrame) -> str:
    """What kind each feature is (``use`` of ``churn.whatif.feature_space``), actionable
    kinds first: "plan: plan; products: NumOfProducts, HasCrCard; who the customer is: …"."""
    if "use" not in space.columns:
        return ""
    order = [*W.ACTIONABLE_KINDS, *W.FIXED_KINDS, "unknown"]
    groups: dict[str, list[str]] = {}
    for feature, kind in zip(space["feature"], space["use"], strict=True):
        groups.setdefault(kind, []).append(str(feature))
    listed = "; ".join(
        f"{t(f'whatif_kinds.kind_{kind}')}: {', '.join(groups[kind])}"
        for kind in order
        if groups.get(kind)
    )
    return t("whatif_kinds.proposed", listed=listed)
