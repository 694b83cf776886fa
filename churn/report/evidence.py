"""Which segments the report shows, chosen by evidence, and a memo the sections share.

:func:`segment_evidence` measures every categorical attribute by the spread of its churn
rates: the gap between its highest and lowest rate among segments that are not small,
counted only when some segment differs significantly from the rest (adjusted p below
:data:`ALPHA`). :func:`choose_segments` keeps the widest spreads: on the Telco file that
is Contract (2.8 % to 42.7 %), not gender (no significant difference). The survival
groups are split by the first of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from churn.table import CustomerTable

#: a segment differs from the rest when its adjusted p-value is below this
ALPHA = 0.05
#: attributes shown in the segments section by default
DEFAULT_SEGMENTS = 3
EVIDENCE_COLUMNS = ["column", "spread", "significant", "low_segment", "low_rate"]
EVIDENCE_COLUMNS += ["high_segment", "high_rate", "customers"]


@dataclass(frozen=True)
class SegmentChoice:
    """The attributes the report segments by and why.

    ``columns`` are shown in the segments section, ``survival_by`` splits the survival
    curves; ``evidence`` is :func:`segment_evidence` (widest significant spread first);
    ``reason`` is ``"evidence"``, ``"chosen"`` (by the caller) or ``"default"`` (too few
    customers per segment to compare: the first categorical attributes).
    """

    columns: tuple[str, ...]
    survival_by: str | None
    evidence: pd.DataFrame
    reason: str = "evidence"


def segment_evidence(table: CustomerTable, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per categorical attribute: its churn-rate spread, widest significant first.

    Columns: ``column``, ``spread`` (highest minus lowest churn rate among segments that are
    not small, 0..1), ``significant`` (some segment differs from the rest, adjusted p below
    :data:`ALPHA`), ``low_segment`` / ``low_rate``, ``high_segment`` / ``high_rate`` and
    ``customers`` (labelled customers counted).
    """
    from churn.segments import churn_by_segment

    cols = list(table.categorical if columns is None else columns)
    if not cols or table.frame["churned"].notna().sum() == 0:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    rows = []
    for col in cols:
        seg = churn_by_segment(table, col)
        big = seg[~seg["small"].astype(bool)] if "small" in seg else seg
        big = big[big["churn_rate"].notna()]
        if len(big) < 2:
            continue
        lo, hi = big.loc[big["churn_rate"].idxmin()], big.loc[big["churn_rate"].idxmax()]
        padj = pd.to_numeric(big.get("p_adjusted", big.get("p_value")), errors="coerce")
        rows.append(
            {
                "column": col,
                "spread": float(hi["churn_rate"] - lo["churn_rate"]),
                "significant": bool((padj < ALPHA).any()),
                "low_segment": str(lo["segment"]),
                "low_rate": float(lo["churn_rate"]),
                "high_segment": str(hi["segment"]),
                "high_rate": float(hi["churn_rate"]),
                "customers": int(seg["customers"].sum()),
            }
        )
    out = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    if out.empty:
        return out
    order = out.sort_values(["significant", "spread"], ascending=[False, False], kind="mergesort")
    return order.reset_index(drop=True)


def choose_segments(
    table: CustomerTable,
    columns: Sequence[str] | None = None,
    survival_by: str | None = None,
    k: int = DEFAULT_SEGMENTS,
) -> SegmentChoice:
    """The segments to show: ``columns`` when given, else the ``k`` widest significant
    spreads (the widest spreads when none is significant); survival split by
    ``survival_by`` or the first column chosen."""
    evidence = segment_evidence(table)
    if columns:
        chosen = tuple(c for c in columns if c in table.frame.columns)
        reason = "chosen"
    elif len(evidence):
        sig = evidence[evidence["significant"]]
        pool = sig if len(sig) else evidence
        chosen = tuple(pool["column"].head(k))
        reason = "evidence"
    else:  # too few customers per segment to compare: the first categorical attributes
        chosen = tuple(table.categorical[:k])
        reason = "default"
    by = survival_by if survival_by in table.frame.columns else (chosen[0] if chosen else None)
    if survival_by is not None and reason == "evidence":
        reason = "chosen"
    return SegmentChoice(chosen, by, evidence, reason)


def remember(memo: dict[str, Any], key: str, make: Callable[[], Any]) -> Any:
    """``memo[key]``, made once by ``make()``: what two sections both need (drivers, risk)."""
    if key not in memo:
        memo[key] = make()
    return memo[key]


def choice_sentence(choice: SegmentChoice, lang: str) -> str:
    """The report's words for the choice: which attributes, why, and the widest spread."""
    from churn.report.formatting import fmt_pct, text

    columns = ", ".join(choice.columns)
    by = choice.survival_by or "–"
    key = {"evidence": "segments.by_evidence", "chosen": "segments.chosen"}
    out = text(key.get(choice.reason, "segments.default"), lang, columns=columns, by=by)
    ev = choice.evidence[choice.evidence["column"].isin(choice.columns)]
    if len(ev):
        top = ev.iloc[0]
        out += " " + text(
            "segments.widest",
            lang,
            column=top["column"],
            low=fmt_pct(top["low_rate"], lang=lang),
            low_segment=top["low_segment"],
            high=fmt_pct(top["high_rate"], lang=lang),
            high_segment=top["high_segment"],
        )
    return out
