"""Two snapshots of the same customers, matched by customer id.

A snapshot is a :class:`~churn.table.CustomerTable` built from one month's export (the
roles confirmed once and reused). Customers are matched on ``customer_id``:

* ``stayed``: active in the old snapshot and still active in the new one;
* ``left``: active in the old snapshot, then marked churned in the new one
  (``left_how = "marked"``) or no longer in the file at all (``"missing"``);
* ``new``: not in the old snapshot (or churned there) and active in the new one;
* ``new_left``: not in the old snapshot, churned by the new one (came and went);
* ``gone_before``: already churned in the old snapshot (not counted anywhere else).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.table import CHURNED, ID, STATUS, STATUS_CHURNED, VALUE, CustomerTable
from churn.text import msg

STAYED = "stayed"
LEFT = "left"
NEW = "new"
NEW_LEFT = "new_left"
GONE_BEFORE = "gone_before"
STATUSES = (STAYED, LEFT, NEW, NEW_LEFT, GONE_BEFORE)
MATCH_COLUMNS = (
    ID,
    "status",
    "left_how",
    "in_old",
    "in_new",
    "active_old",
    "active_new",
    "value_old",
    "value_new",
)


def active_ids(table: CustomerTable) -> pd.Series:
    """``customer_id`` (text) -> True when the customer is not churned in ``table``."""
    frame = table.frame
    active = (frame[CHURNED] != 1).to_numpy() & (frame[STATUS] != STATUS_CHURNED).to_numpy()
    return pd.Series(active, index=pd.Index(frame[ID].astype(str), name=ID), name="active")


def _side(table: CustomerTable, name: str) -> pd.DataFrame:
    ids = table.frame[ID].astype(str)
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        raise ChurnDataError(
            msg("customer id '{id}' appears more than once in the old snapshot.", id=dup)
            if name == "old"
            else msg("customer id '{id}' appears more than once in the new snapshot.", id=dup),
            fix=msg("give each customer one row, or confirm another id column."),
            column=table.roles.id,
        )
    return pd.DataFrame(
        {
            "active": active_ids(table).to_numpy(),
            "value": table.frame[VALUE].astype(float).to_numpy(),
        },
        index=pd.Index(ids.to_numpy(), name=ID),
    )


def match_snapshots(old: CustomerTable, new: CustomerTable) -> pd.DataFrame:
    """Every customer of either snapshot, with what happened between them.

    Parameters
    ----------
    old, new : the earlier and the later snapshot.

    Returns
    -------
    pandas.DataFrame
        One row per customer id of either snapshot, ids sorted, columns
        :data:`MATCH_COLUMNS`: ``status`` (one of :data:`STATUSES`), ``left_how``
        ("marked", "missing" or ""), presence and activity in each snapshot, and the
        value per month in each (NaN when absent or unknown).
    """
    a, b = _side(old, "old"), _side(new, "new")
    ids = a.index.union(b.index).sort_values()
    if not len(a.index.intersection(b.index)):
        raise ChurnDataError(
            msg("the two snapshots have no customer id in common."),
            fix=msg("check that both files use the same customer id column."),
        )
    in_old = ids.isin(a.index)
    in_new = ids.isin(b.index)
    act_old = a["active"].reindex(ids, fill_value=False).to_numpy(dtype=bool)
    act_new = b["active"].reindex(ids, fill_value=False).to_numpy(dtype=bool)
    status = np.select(
        [act_old & act_new, act_old, act_new, in_new & ~in_old],
        [STAYED, LEFT, NEW, NEW_LEFT],
        GONE_BEFORE,
    ).astype(object)
    # churned in old, churned (or absent) in new: gone before
    left_how = np.where(status == LEFT, np.where(in_new, "marked", "missing"), "").astype(object)
    return pd.DataFrame(
        {
            ID: ids.to_numpy(dtype=object),
            "status": status,
            "left_how": left_how,
            "in_old": in_old,
            "in_new": in_new,
            "active_old": act_old,
            "active_new": act_new,
            "value_old": a["value"].reindex(ids).to_numpy(dtype=float),
            "value_new": b["value"].reindex(ids).to_numpy(dtype=float),
        }
    )


def status_counts(match: pd.DataFrame) -> dict[str, int]:
    """Customers per status (every status of :data:`STATUSES`, 0 when none) and the
    customers who left because they were marked churned / missing from the new file."""
    counts = match["status"].value_counts()
    out = {s: int(counts.get(s, 0)) for s in STATUSES}
    how = match.loc[match["status"] == LEFT, "left_how"].value_counts()
    out["left_marked"] = int(how.get("marked", 0))
    out["left_missing"] = int(how.get("missing", 0))
    return out


def list_outcome(match: pd.DataFrame, listed) -> dict[str, float | int]:
    """How the old at-risk list did: of the customers it named, who left (precision), and
    of those who left, how many it named (recall).

    Parameters
    ----------
    match : from :func:`match_snapshots`.
    listed : customer ids on the old list (customers who were not active in the old
        snapshot are ignored).

    Returns
    -------
    dict
        ``listed`` (active listed customers), ``left`` (active customers who left),
        ``hits`` (listed and left), ``precision`` and ``recall`` (NaN when undefined),
        ``base_rate`` (share of all active customers who left: the precision of a list
        drawn at random).
    """
    active = match[match["active_old"]]
    on_list = active[ID].isin(pd.Index([str(i) for i in listed]))
    left = (active["status"] == LEFT).to_numpy()
    n_list, n_left = int(on_list.sum()), int(left.sum())
    hits = int((on_list.to_numpy() & left).sum())
    return {
        "listed": n_list,
        "left": n_left,
        "hits": hits,
        "precision": hits / n_list if n_list else float("nan"),
        "recall": hits / n_left if n_left else float("nan"),
        "base_rate": n_left / len(active) if len(active) else float("nan"),
    }


def top_by_value(match: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The top ``n`` active customers by value per month then and now, side by side.

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``then_id``, ``then_value``, ``then_status`` (what became of them),
        ``now_id``, ``now_value``, ``now_was`` (their value then; NaN for new customers),
        ``n`` rows at most (fewer when a snapshot has fewer valued customers).
    """
    then = match[match["active_old"] & match["value_old"].notna()]
    then = then.sort_values(["value_old", ID], ascending=[False, True], kind="mergesort").head(n)
    now = match[match["active_new"] & match["value_new"].notna()]
    now = now.sort_values(["value_new", ID], ascending=[False, True], kind="mergesort").head(n)
    rows = max(len(then), len(now))

    def pad(values, fill):
        values = list(values)
        return values + [fill] * (rows - len(values))

    return pd.DataFrame(
        {
            "rank": np.arange(1, rows + 1),
            "then_id": pad(then[ID], ""),
            "then_value": pad(then["value_old"], np.nan),
            "then_status": pad(then["status"], ""),
            "now_id": pad(now[ID], ""),
            "now_value": pad(now["value_new"], np.nan),
            "now_was": pad(now["value_old"], np.nan),
        }
    )
