"""A random hold-out in the at-risk list, so a campaign on the list can be measured later.

The customers marked ``yes`` in :data:`HOLD_OUT_COLUMN` are *not* contacted; next month
``churn.compare.campaign_effect`` compares their retention with the contacted customers'
of similar risk. The draw is stratified by position in the list (every block of ten
ranks gives its share), so the hold-out has the same risk mix as the contacted group,
and it is seeded: the same list, share and seed mark the same customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.text import msg

#: The column of the export that marks the hold-out ("yes") and the contacted ("no").
HOLD_OUT_COLUMN = "hold_out"
HOLD_OUT_YES = "yes"
HOLD_OUT_NO = "no"
#: Share of the list kept out of the campaign when the user asks for a hold-out.
DEFAULT_HOLD_OUT = 0.10
#: List positions per stratum of the draw.
BLOCK = 10


def mark_hold_out(
    frame: pd.DataFrame, share: float = DEFAULT_HOLD_OUT, seed: int = 0
) -> pd.DataFrame:
    """The at-risk list with a column :data:`HOLD_OUT_COLUMN` ("yes" = do not contact).

    Parameters
    ----------
    frame : the list in its order (riskiest first), e.g. from ``at_risk_list``.
    share : the share held out, in (0, 0.5].
    seed : seed of the draw.

    Returns
    -------
    pandas.DataFrame
        A copy with the column added; within every block of :data:`BLOCK` consecutive
        rows, ``round(share * rows so far) - held so far`` rows are drawn, so the count
        is ``round(share * len(frame))`` and the hold-out spreads over the whole list.
    """
    if not 0 < share <= 0.5:
        raise ChurnDataError(
            msg("the hold-out share must be above 0 and at most 0.5, not {share}.", share=share),
            fix=msg("give a share such as 0.1 (10 % of the list)."),
        )
    n = len(frame)
    rng = np.random.default_rng(seed)
    held = np.zeros(n, dtype=bool)
    done = 0
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        want = int(round(share * stop)) - done
        if want > 0:
            held[start + rng.choice(stop - start, size=want, replace=False)] = True
            done += want
    out = frame.copy()
    out[HOLD_OUT_COLUMN] = np.where(held, HOLD_OUT_YES, HOLD_OUT_NO)
    return out
