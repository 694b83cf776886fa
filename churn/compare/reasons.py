"""Which reasons changed for the customers who moved into the high-risk band.

Needs the trained model that scored both snapshots (``churn.explain`` reasons: SHAP
contributions in words). Each moved customer's top reason is taken in the old and in the
new snapshot; without a model the moves are shown without reasons.
"""

from __future__ import annotations

import pandas as pd

from churn.explain import (
    LINEAR_BACKGROUND,
    Explainer,
    explain,
    make_explainer,
    reasons,
    sample_rows,
)
from churn.table import ID, CustomerTable

#: Moved customers explained at most (the largest rises first).
EXPLAIN_LIMIT = 50


def _top_reasons(trained, table: CustomerTable, ids: pd.Index, lang: str, explainer):
    frame = table.frame
    rows = frame[frame[ID].astype(str).isin(ids)]
    if rows.empty:
        return pd.DataFrame(columns=[ID, "feature", "text"])
    ex = explain(trained, rows, explainer=explainer)
    r = reasons(ex, table, top=1, lang=lang)
    r[ID] = r[ID].astype(str)
    return r[[ID, "feature", "text"]].drop_duplicates(ID)


def reason_changes(
    trained,
    old: CustomerTable,
    new: CustomerTable,
    moved: pd.DataFrame,
    *,
    lang: str = "en",
    limit: int = EXPLAIN_LIMIT,
    explainer: Explainer | None = None,
) -> pd.DataFrame:
    """``moved`` (from ``moved_into_high``) with each customer's top reason then and now.

    Returns
    -------
    pandas.DataFrame
        ``moved`` plus ``reason_then``, ``reason_now`` (texts; "" when nothing raised the
        risk) and ``reason_changed`` (the top reason is about another column now); only
        the first ``limit`` rows are explained (the others' reasons are "" and False).
    """
    head = moved.copy()
    ids = pd.Index(head[ID].astype(str).head(limit))
    if explainer is None and len(ids):
        explainer = make_explainer(trained, sample_rows(old, LINEAR_BACKGROUND))
    then = _top_reasons(trained, old, ids, lang, explainer).set_index(ID)
    now = _top_reasons(trained, new, ids, lang, explainer).set_index(ID)
    every = head[ID].astype(str)
    head["reason_then"] = then["text"].reindex(every).fillna("").to_numpy(dtype=object)
    head["reason_now"] = now["text"].reindex(every).fillna("").to_numpy(dtype=object)
    f_then = then["feature"].reindex(every).fillna("").to_numpy(dtype=object)
    f_now = now["feature"].reindex(every).fillna("").to_numpy(dtype=object)
    head["reason_changed"] = (f_then != f_now) & every.isin(ids).to_numpy()
    return head
