"""The at-risk list: active customers ranked by risk, with reasons and an action."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.explain.drivers import sample_rows
from churn.explain.playbook import Playbook, load_playbook
from churn.explain.seam import LINEAR_BACKGROUND, Explainer, explain, make_explainer
from churn.explain.wording import (
    Reference,
    make_reference,
    reasons,
    suggested_actions,
    value_text,
)
from churn.table import CHURNED, ID, START, STATUS, VALUE, CustomerTable
from churn.text import msg


# --------------------------------------------------------------------------- at-risk list
def name_column(table: CustomerTable) -> str | None:
    """The frame column holding the customer's name (from the roles), if any."""
    return _role_column(table, table.roles.name)


def email_column(table: CustomerTable) -> str | None:
    """The frame column holding the customer's e-mail (from the roles), if any."""
    return _role_column(table, table.roles.email)


def _role_column(table: CustomerTable, col: str | None) -> str | None:
    if not col:
        return None
    for c in (col, f"{col} (original)"):
        if c in table.frame.columns:
            return c
    return None


_PLAN_LIKE = re.compile(r"plan|tier|contract|product|package|요금제|계약|등급|상품|플랜")


def plan_columns(table: CustomerTable) -> list[str]:
    """Feature columns that describe the customer's plan or contract (for mail merge)."""
    from churn.segments import norm_name

    return [c for c in table.categorical if _PLAN_LIKE.search(norm_name(c))]


RISK_SORTS = ("risk", "value_at_risk")


def select_at_risk(
    table: CustomerTable,
    risk: pd.Series,
    *,
    sort: str = "risk",
    top: int | None = 100,
    band: tuple[float, float] | None = None,
    segment: tuple[str, Sequence[Any]] | None = None,
) -> pd.DataFrame:
    """Active customers ranked by risk or expected value at risk, before any explanation.

    Parameters
    ----------
    table : the customer table.
    risk : every customer's risk, indexed by ``customer_id`` (``churn.model.score``).
    sort : ``"risk"`` or ``"value_at_risk"`` (risk x value; customers with no value
        count as 0).
    top : keep this many (None = all that pass the filters).
    band : keep risks in ``[low, high]``.
    segment : ``(column, values)``: keep customers whose column is one of the values
        (compared as text).

    Returns
    -------
    pandas.DataFrame
        The kept rows of ``table.frame`` (same index) plus ``risk``, ``value_at_risk`` and
        ``risk_rank`` (1 = first in the chosen order), in that order.
    """
    if sort not in RISK_SORTS:
        raise ChurnDataError(
            msg("cannot sort by '{sort}'.", sort=sort),
            fix=msg("use one of {choices}.", choices=", ".join(RISK_SORTS)),
        )
    frame = table.frame
    keep = (frame[CHURNED] != 1).to_numpy() & (frame[STATUS] != "churned").to_numpy()
    if segment is not None:
        col, values = segment
        if col not in frame.columns:
            raise ChurnDataError(
                msg("is not in the customer table."), fix=msg("pick another column."), column=col
            )
        wanted = {str(v) for v in values}
        keep &= (
            frame[col].map(value_text).isin(wanted).to_numpy()
            | frame[col].astype(str).isin(wanted).to_numpy()
        )
    # Rank on the two numbers alone, then copy only the kept rows of the table (copying
    # and sorting every column of a million customers to keep a hundred was the slow part).
    pos = np.flatnonzero(keep)
    r = risk.reindex(frame[ID].iloc[pos].astype(str)).to_numpy(dtype=float)
    value = frame[VALUE].iloc[pos].fillna(0.0).astype(float).to_numpy()
    rank = pd.DataFrame({"risk": r, "value_at_risk": r * value, "pos": pos})
    if band is not None:
        lo, hi = band
        rank = rank[(rank["risk"] >= lo) & (rank["risk"] <= hi)]
    rank = rank[rank["risk"].notna()]
    rank = rank.sort_values(sort, ascending=False, kind="mergesort")
    if top is not None:
        rank = rank.head(int(top))
    out = frame.iloc[rank["pos"].to_numpy()].assign(risk=rank["risk"].to_numpy())
    out["value_at_risk"] = rank["value_at_risk"].to_numpy()
    out["risk_rank"] = np.arange(1, len(out) + 1)
    return out


def at_risk_list(
    trained,
    table: CustomerTable,
    risk: pd.Series,
    *,
    explainer: Explainer | None = None,
    sort: str = "risk",
    top: int | None = 100,
    band: tuple[float, float] | None = None,
    segment: tuple[str, Sequence[Any]] | None = None,
    lang: str = "en",
    playbook: Playbook | None = None,
    reference: Reference | None = None,
) -> pd.DataFrame:
    """The at-risk list with the top three reasons and the suggested action.

    Only the selected rows are explained (see :func:`select_at_risk` for the choice).

    Returns
    -------
    pandas.DataFrame
        One row per customer, in list order: ``risk_rank``, ``customer_id``, ``name`` and
        ``email`` (when the roles have them), the plan-like columns, ``signup_date`` (or
        ``last_purchase`` for event logs), ``risk``, ``value``, ``value_at_risk``,
        ``reason_1``..``reason_3``, ``action``, ``because``, ``row`` (table index).
    """
    sel = select_at_risk(table, risk, sort=sort, top=top, band=band, segment=segment)
    out = pd.DataFrame({"risk_rank": sel["risk_rank"].to_numpy()}, index=sel.index)
    out["customer_id"] = sel[ID].astype(str)
    for role, col in (("name", name_column(table)), ("email", email_column(table))):
        if col:
            out[role] = sel[col]
    for col in plan_columns(table):
        if col not in out.columns:
            out[col] = sel[col]
    if "last_event" in sel.columns and table.shape == "events":
        out["last_purchase"] = sel["last_event"]
    elif sel[START].notna().any():
        out["signup_date"] = sel[START]
    out["risk"] = sel["risk"]
    out["value"] = sel[VALUE]
    out["value_at_risk"] = sel["value_at_risk"]
    for k in (1, 2, 3):
        out[f"reason_{k}"] = ""
    out["action"] = ""
    out["because"] = ""
    if len(sel):
        if explainer is None:
            explainer = make_explainer(trained, sample_rows(table, LINEAR_BACKGROUND))
        pb = playbook or load_playbook()
        ref = reference or make_reference(table, trained.features)
        ex = explain(trained, sel, explainer=explainer)
        r = reasons(ex, table, top=3, lang=lang, playbook=pb, reference=ref)
        wide = r.pivot(index="row", columns="rank", values="text")
        for k in (1, 2, 3):
            if k in wide.columns:
                out[f"reason_{k}"] = wide[k].reindex(out.index).fillna("")
        act = suggested_actions(ex, table, lang=lang, playbook=pb, reference=ref)
        out["action"] = act["action"]
        out["because"] = act["because"]
    out["row"] = out.index
    return out.reset_index(drop=True)


def at_risk_bytes(frame: pd.DataFrame, kind: str) -> bytes:
    """The at-risk list as formula-safe CSV or XLSX bytes (``kind``: csv or xlsx)."""
    from churn.export import frame_bytes

    return frame_bytes(frame.drop(columns=["row"], errors="ignore"), kind, sheet="at_risk")


def filter_levels(table: CustomerTable, column: str, limit: int = 50) -> list[str]:
    """The ``limit`` most frequent values of a column, as text (for a segment filter)."""
    if column not in table.frame.columns:
        raise ChurnDataError(
            msg("is not in the customer table."), fix=msg("pick another column."), column=column
        )
    counts = table.frame[column].map(value_text).value_counts()
    return [str(v) for v in counts.index[:limit]]
