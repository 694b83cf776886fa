"""One customer: find them, their full breakdown and the steps of a waterfall chart."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.explain.at_risk import name_column
from churn.explain.drivers import sample_rows
from churn.explain.playbook import Playbook, load_playbook
from churn.explain.seam import LINEAR_BACKGROUND, Explainer, Explanation, explain, make_explainer
from churn.explain.wording import (
    Reference,
    is_missing,
    make_reference,
    reasons,
    suggested_actions,
)
from churn.table import ID, CustomerTable
from churn.text import msg


# --------------------------------------------------------------------------- one customer
def find_customer(table: CustomerTable, query: str) -> pd.Index:
    """Rows whose id equals ``query``, else whose name contains it (case-insensitive).

    Raises ChurnDataError when nothing matches.
    """
    frame = table.frame
    q = str(query).strip()
    hit = frame.index[frame[ID].astype(str) == q]
    if len(hit):
        return hit
    name = name_column(table)
    if name and q:
        hit = frame.index[frame[name].astype(str).str.contains(q, case=False, regex=False)]
        if len(hit):
            return hit
    raise ChurnDataError(
        msg("there is no customer '{customer}'.", customer=q),
        fix=msg("give a customer id from the table (or part of a name)."),
        column=ID,
    )


def customer_breakdown(
    trained,
    table: CustomerTable,
    customer: str,
    *,
    explainer: Explainer | None = None,
    lang: str = "en",
    playbook: Playbook | None = None,
    reference: Reference | None = None,
) -> dict[str, Any]:
    """One customer's full explanation: every feature, strongest |contribution| first.

    Returns
    -------
    dict
        ``customer``, ``risk``, ``base_risk``, ``reasons`` (list of ``feature``,
        ``value``, ``contribution``, ``text``), ``action``: what the CLI prints.
    """
    rows = find_customer(table, customer)
    frame = table.frame.loc[rows[:1]]
    if explainer is None:
        explainer = make_explainer(trained, sample_rows(table, LINEAR_BACKGROUND))
    ex = explain(trained, frame, explainer=explainer)
    pb = playbook or load_playbook()
    ref = reference or make_reference(table, trained.features)
    r = reasons(ex, table, top=None, lang=lang, order="abs", playbook=pb, reference=ref)
    act = suggested_actions(ex, table, lang=lang, playbook=pb, reference=ref)
    return {
        "customer": str(frame[ID].iloc[0]),
        "risk": float(ex.risk.iloc[0]),
        "base_risk": float(ex.base_risk),
        "reasons": [
            {
                "feature": x.feature,
                "value": _json_value(x.value),
                "contribution": float(x.contribution),
                "text": x.text,
            }
            for x in r.itertuples()
        ],
        "action": str(act["action"].iloc[0]),
    }


def _json_value(v: Any) -> Any:
    if is_missing(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def waterfall_frame(
    explanation: Explanation,
    row: Any,
    *,
    top: int = 8,
    other_label: str = msg("other columns"),
) -> pd.DataFrame:
    """Steps of a waterfall chart for one customer: base -> contributions -> risk.

    The ``top`` largest |contributions| get their own bar; the rest are pooled into one
    bar named ``other_label``.

    Returns
    -------
    pandas.DataFrame
        ``step`` (0..), ``label``, ``kind`` (``base``, ``up``, ``down``, ``risk``),
        ``start``, ``end``, ``contribution``; the last ``end`` is the customer's risk.
    """
    c = explanation.contributions.loc[row]
    order = c.abs().sort_values(ascending=False, kind="mergesort").index
    keep = list(order[:top])
    rest = float(c.drop(keep).sum()) if len(order) > top else None
    items = [(str(k), float(c[k])) for k in keep]
    if rest is not None:
        items.append((other_label, rest))
    base = float(explanation.base_risk)
    recs = [(0, "base", "base", 0.0, base, base)]
    level = base
    for i, (lab, x) in enumerate(items, start=1):
        recs.append((i, lab, "up" if x > 0 else "down", level, level + x, x))
        level += x
    risk = float(explanation.risk.loc[row])
    recs.append((len(items) + 1, "risk", "risk", 0.0, risk, risk))
    return pd.DataFrame(recs, columns=["step", "label", "kind", "start", "end", "contribution"])
