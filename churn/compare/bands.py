"""Risk bands of two snapshots and the moves between them.

A customer's risk (0..1, from one trained model scoring both snapshots, or from score
columns the user supplies) falls in one of :data:`BANDS`: below :data:`MEDIUM_FROM` is
``low``, below :data:`HIGH_FROM` is ``medium``, the rest is ``high``. The app had no risk
bands before this module; these cut points are declared here once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.compare.match import LEFT, NEW, STAYED
from churn.table import ID

LOW, MEDIUM, HIGH = "low", "medium", "high"
BANDS = (LOW, MEDIUM, HIGH)
#: Lowest risk of the medium band and of the high band.
MEDIUM_FROM = 0.2
HIGH_FROM = 0.5
#: The transition table's extra row (customers not in the old snapshot) and column
#: (customers who left before the new one).
FROM_NEW = "new"
TO_LEFT = "left"


def risk_band(risk: pd.Series, medium: float = MEDIUM_FROM, high: float = HIGH_FROM) -> pd.Series:
    """Each risk's band (``low`` / ``medium`` / ``high``; missing where the risk is NaN)."""
    r = risk.to_numpy(dtype=float)
    band = np.select([r >= high, r >= medium, r >= 0], [HIGH, MEDIUM, LOW], "").astype(object)
    band[np.isnan(r)] = None
    return pd.Series(band, index=risk.index, name="band")


def with_bands(match: pd.DataFrame, old_risk: pd.Series, new_risk: pd.Series) -> pd.DataFrame:
    """``match`` with ``risk_old``/``band_old`` (old active customers) and ``risk_new``/
    ``band_new`` (new active customers); risks are Series indexed by customer id."""
    out = match.copy()
    ids = out[ID].astype(str)
    r_old = old_risk.rename(index=str).reindex(ids).to_numpy(dtype=float)
    r_new = new_risk.rename(index=str).reindex(ids).to_numpy(dtype=float)
    out["risk_old"] = np.where(out["active_old"], r_old, np.nan)
    out["risk_new"] = np.where(out["active_new"], r_new, np.nan)
    out["band_old"] = risk_band(out["risk_old"]).to_numpy()
    out["band_new"] = risk_band(out["risk_new"]).to_numpy()
    return out


def transition_table(banded: pd.DataFrame) -> pd.DataFrame:
    """Customers by old band and what became of them, in long form.

    Parameters
    ----------
    banded : from :func:`with_bands`.

    Returns
    -------
    pandas.DataFrame
        ``from`` (a band, or ``new``), ``to`` (a band, or ``left``), ``n`` and ``share``
        (of the ``from`` row), for every pair, zeros included, rows in band order. Old
        customers without a risk and new customers who left are not counted.
    """
    rows_from = [*BANDS, FROM_NEW]
    cols_to = [*BANDS, TO_LEFT]
    b = banded
    frm = np.where(b["status"] == NEW, FROM_NEW, b["band_old"].fillna("").to_numpy(dtype=object))
    to = np.where(b["status"] == LEFT, TO_LEFT, b["band_new"].fillna("").to_numpy(dtype=object))
    kept = b["status"].isin([STAYED, LEFT, NEW]).to_numpy() & (frm != "") & (to != "")
    counts = pd.crosstab(pd.Series(frm[kept], name="from"), pd.Series(to[kept], name="to"))
    counts = counts.reindex(index=rows_from, columns=cols_to, fill_value=0)
    long = counts.stack().rename("n").reset_index()
    totals = long.groupby("from", sort=False)["n"].transform("sum")
    long["share"] = np.where(totals > 0, long["n"] / totals.where(totals > 0, 1), np.nan)
    long["n"] = long["n"].astype(int)
    return long


def transition_wide(long: pd.DataFrame) -> pd.DataFrame:
    """The transition table as a matrix: ``from`` rows x ``to`` columns of counts."""
    wide = long.pivot(index="from", columns="to", values="n")
    return wide.reindex(index=[*BANDS, FROM_NEW], columns=[*BANDS, TO_LEFT]).fillna(0).astype(int)


def moved_into_high(banded: pd.DataFrame) -> pd.DataFrame:
    """Customers who stayed and moved into the high band from a lower one.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``band_old``, ``risk_old``, ``risk_new``, ``change`` (points of
        risk, new - old) and ``value_new``, the largest rise first.
    """
    b = banded
    moved = b[(b["status"] == STAYED) & (b["band_new"] == HIGH) & b["band_old"].isin([LOW, MEDIUM])]
    out = moved[[ID, "band_old", "risk_old", "risk_new", "value_new"]].copy()
    out.insert(4, "change", out["risk_new"] - out["risk_old"])
    out = out.sort_values(["change", ID], ascending=[False, True], kind="mergesort")
    return out.reset_index(drop=True)
