"""What the report says about two snapshots: a title, paragraphs and tables.

:func:`report_parts` gives the pieces of a report section (``churn.report.Section``'s
``title``, ``paragraphs`` and ``tables``) from a :class:`~churn.compare.Comparison`, in
the report's language; the report package registers the section.
"""

from __future__ import annotations

from typing import Any

from churn.compare.bands import transition_wide
from churn.compare.compare import Comparison
from churn.text import localize, msg

#: Moved customers listed in the report at most.
REPORT_MOVED = 50


def report_parts(comp: Comparison, lang: str = "en") -> dict[str, Any]:
    """``title``, ``paragraphs`` (sentences in ``lang``) and ``tables`` (name -> frame)."""
    c = comp.counts
    paragraphs = [
        msg(
            "Since the last snapshot: {stayed:,} customers stayed, {left:,} left "
            "({missing:,} no longer in the file), {new:,} new.",
            stayed=c["stayed"],
            left=c["left"],
            missing=c["left_missing"],
            new=c["new"],
        )
    ]
    tables: dict[str, Any] = {}
    if not comp.transitions.empty:
        paragraphs.append(
            msg(
                "{n:,} customers who stayed moved into the high-risk band.",
                n=len(comp.moved),
            )
        )
        tables["transitions"] = transition_wide(comp.transitions).reset_index()
        tables["moved_into_high"] = comp.moved.head(REPORT_MOVED)
    out = comp.outcome
    if out is not None and out["listed"]:
        paragraphs.append(
            msg(
                "{hits:,} of the {listed:,} customers on the last at-risk list left "
                "(precision {precision:.1%}); the list named {recall:.1%} of the {left:,} "
                "who left.",
                hits=out["hits"],
                listed=out["listed"],
                precision=out["precision"],
                recall=out["recall"] if out["left"] else 0.0,
                left=out["left"],
            )
        )
    if comp.campaign is not None:
        paragraphs.extend(comp.campaign.sentences)
        tables["campaign"] = comp.campaign.strata
    tables["top_value"] = comp.top_value
    paragraphs.extend(comp.notes)
    return {
        "title": localize(msg("Changes since the last snapshot"), lang),
        "paragraphs": [localize(p, lang) for p in paragraphs],
        "tables": tables,
    }
