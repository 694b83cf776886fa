"""Shape 2: subscription rows (start and end dates) merged into one row per customer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.shapes.helpers import DAY, first_rows, fmt_day, label_status
from churn.table import (
    CHURNED,
    END,
    ID,
    START,
    STATUS,
    TENURE,
)
from churn.text import msg


def _per_customer(
    codes: np.ndarray, k: int, start: pd.Series, end: pd.Series, active_row: np.ndarray
) -> tuple[pd.Series, pd.Series, pd.Series, np.ndarray | None]:
    """Each of the ``k`` customers' first start, last end (ended subscriptions only) and
    whether any subscription is active, in code order; and the position of each one's
    latest subscription (None when every customer has one row: nothing to merge)."""
    if k == len(codes):  # one subscription per customer (codes 0..k-1 in row order)
        return (
            start.reset_index(drop=True),
            end.where(~active_row).reset_index(drop=True),
            pd.Series(active_row),
            None,
        )
    g = pd.DataFrame(
        {"c": codes, "s": start.to_numpy(), "e": end.where(~active_row).to_numpy(), "a": active_row}
    ).groupby("c", sort=True)
    # The latest subscription of each customer gives the attributes (current plan, fee).
    order = np.lexsort((start.to_numpy(dtype="M8[ns]").astype("int64"), codes))
    last_pos = order[np.r_[np.diff(codes[order]) != 0, True]]
    return g["s"].min(), g["e"].max(), g["a"].max().astype(bool), last_pos


def merge_subscriptions(
    ids: pd.Series,
    src: pd.DataFrame,
    start: pd.Series | None,
    end: pd.Series | None,
    y_rows: pd.Series | None,
    snap: pd.Timestamp,
    notes: list[str],
    codes: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per customer from subscription rows (renewals are merged).

    ``codes``: the ids' integer codes by first appearance (no -1), when known; they save
    hashing every id again.
    """
    n = len(src)
    start = start if start is not None else pd.Series(pd.NaT, index=src.index, dtype="M8[ns]")
    end = end if end is not None else pd.Series(pd.NaT, index=src.index, dtype="M8[ns]")
    not_yet = (start > snap).to_numpy()
    if not_yet.any():
        notes.append(
            msg(
                "{n:,} subscriptions start after the snapshot and were left out.",
                n=int(not_yet.sum()),
            )
        )
        sel = ~not_yet
        ids, src, start, end = ids[sel], src[sel], start[sel], end[sel]
        codes = None  # some customers may have no subscription left: number them again
        y_rows = y_rows[sel] if y_rows is not None else None
        if len(src) == 0:
            raise ChurnDataError(
                msg("every subscription starts after the snapshot date"),
                fix=msg("choose a later snapshot date"),
            )
    after = (end > snap).to_numpy()
    if after.any():
        notes.append(
            msg(
                "{n:,} end dates fall after the snapshot {date}: those "
                "subscriptions count as still active at the snapshot.",
                n=int(after.sum()),
                date=fmt_day(snap),
            )
        )
    active_row = (end.isna() | (end > snap)).to_numpy()
    if codes is None:
        codes, uniq = pd.factorize(ids)
    else:
        uniq = ids.to_numpy()[first_rows(codes)]
    first_start, last_end, any_active, last_pos = _per_customer(
        codes, len(uniq), start, end, active_row
    )
    if last_pos is None:  # every row is a customer of its own: the rows as they are
        last_pos, last_rows = np.arange(len(src)), src
    else:
        last_rows = src.iloc[last_pos]

    out = pd.DataFrame({ID: np.asarray(uniq, dtype=object)})
    ended = (~any_active).to_numpy()
    out[START] = first_start.to_numpy()
    out[END] = np.where(ended, last_end.to_numpy(), np.datetime64("NaT"))
    out[END] = out[END].astype("datetime64[ns]")
    out[START] = out[START].astype("datetime64[ns]")
    if y_rows is not None:
        y = pd.Series(y_rows.to_numpy()[last_pos])
        notes.append(
            msg(
                "The label column decides who churned; the dates give the tenure "
                "(for several subscriptions, the label of the latest one counts)."
            )
        )
    else:
        y = pd.Series(np.where(ended, 1.0, 0.0))
        notes.append(
            msg(
                "Churned = the last subscription ended on or before the snapshot; "
                "an empty end date means still active."
            )
        )
    out.insert(1, CHURNED, y.to_numpy(dtype=float))
    out.insert(2, STATUS, label_status(y).to_numpy())
    stop = out[END].fillna(snap)
    out[TENURE] = (stop - out[START]) / DAY
    if len(out) < n:
        notes.append(
            msg(
                "{n:,} subscription rows were merged into {k:,} customers "
                "(first start, last end; active if any subscription is active).",
                n=n,
                k=len(out),
            )
        )
    return out, last_rows
