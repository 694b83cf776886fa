"""Did the retention campaign work? Contacted customers against a hold-out of similar risk.

The at-risk list was exported with a random hold-out (``churn.explain.mark_hold_out``);
a month later the new snapshot says who stayed. Within each old risk band the
retention of the contacted customers is compared with the hold-out's, and the band
differences are averaged with the contacted customers' weights (the effect on those who
were contacted). The 95 % interval is the normal one of that stratified difference of
proportions, its variance taken with one stayer and one leaver added to every group
(Agresti-Caffo), so a small group where everybody stayed does not claim certainty.

When the file has no hold-out column, every customer listed counts as contacted and the
comparison group is the other active customers of the same bands: the estimate then
says so (``random`` is False), as such a group may differ in ways the bands miss.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from churn.compare.bands import BANDS
from churn.compare.match import LEFT, STAYED
from churn.errors import ChurnDataError
from churn.explain.hold_out import HOLD_OUT_COLUMN, HOLD_OUT_YES
from churn.table import ID
from churn.text import Text, msg

CONTACTED = "contacted"
HOLD_OUT = "hold_out"
#: Fewer contacted or held-out customers than this: too small to tell.
MIN_GROUP = 20
#: An interval wider than this (in retention points, 0.3 = 30 points): too wide to tell.
MAX_WIDTH = 0.30
HELPED, UNCLEAR, HURT, TOO_SMALL = "helped", "unclear", "hurt", "too_small"
#: The stratum of customers without a risk band (no model and no score column).
ALL = "all"


@dataclass(frozen=True)
class CampaignEffect:
    """The campaign's estimated effect on retention (see the module docstring).

    ``difference``, ``low`` and ``high`` are in retention points (0.05 = five points more
    of the contacted stayed); ``kept`` and its interval are customers (the difference
    times the contacted customers compared); ``worth`` is their value per month (NaN
    without a value column). ``verdict`` is one of helped, unclear, hurt, too_small.
    """

    strata: pd.DataFrame
    n_contacted: int
    n_hold_out: int
    retention_contacted: float
    retention_hold_out: float
    difference: float
    low: float
    high: float
    kept: float
    kept_low: float
    kept_high: float
    worth: float
    worth_low: float
    worth_high: float
    verdict: str
    random: bool
    confidence: float = 0.95
    sentences: tuple[Text, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain numbers and English sentences (the CLI's JSON)."""
        keys = (
            "n_contacted",
            "n_hold_out",
            "retention_contacted",
            "retention_hold_out",
            "difference",
            "low",
            "high",
            "kept",
            "kept_low",
            "kept_high",
            "worth",
            "worth_low",
            "worth_high",
            "verdict",
            "random",
            "confidence",
        )
        out: dict[str, Any] = {k: getattr(self, k) for k in keys}
        out["strata"] = self.strata.to_dict(orient="records")
        out["sentences"] = [str(s) for s in self.sentences]
        return out


def campaign_groups(frame: pd.DataFrame, id_column: str | None = None) -> pd.Series:
    """Who was contacted and who was held out, from the campaign file.

    Parameters
    ----------
    frame : the at-risk export (or any list of contacted customers).
    id_column : the column of customer ids (default ``customer_id``, as exported).

    Returns
    -------
    pandas.Series
        customer id (text) -> ``contacted`` or ``hold_out`` (rows marked ``yes`` in
        :data:`~churn.explain.HOLD_OUT_COLUMN`); without that column everyone listed is
        ``contacted``.
    """
    col = id_column or ID
    if col not in frame.columns:
        raise ChurnDataError(
            msg("the campaign file has no column '{column}'.", column=col),
            fix=msg("use the at-risk export, or name the customer id column."),
            column=col,
        )
    ids = frame[col].astype(str).str.strip()
    group = np.full(len(frame), CONTACTED, dtype=object)
    if HOLD_OUT_COLUMN in frame.columns:
        held = frame[HOLD_OUT_COLUMN].astype(str).str.strip().str.lower() == HOLD_OUT_YES
        group[held.to_numpy()] = HOLD_OUT
    out = pd.Series(group, index=pd.Index(ids.to_numpy(), name=ID), name="group")
    return out[~out.index.duplicated()]


def _strata(banded: pd.DataFrame, groups: pd.Series) -> tuple[pd.DataFrame, bool]:
    """Customers active in the old snapshot with their group and stratum."""
    active = banded[banded["status"].isin([STAYED, LEFT])]
    group = groups.reindex(active[ID].astype(str)).to_numpy(dtype=object)
    random = bool((groups == HOLD_OUT).any())
    if not random:  # the comparison group: every other active customer
        group = np.where(pd.isna(group), HOLD_OUT, group)
    band = active["band_old"] if "band_old" in active else pd.Series(None, index=active.index)
    stratum = band.fillna(ALL).to_numpy(dtype=object)
    frame = pd.DataFrame(
        {
            "group": group,
            "stratum": stratum,
            "stayed": (active["status"] == STAYED).to_numpy(dtype=float),
            "value": active["value_old"].to_numpy(dtype=float),
        }
    )
    return frame[pd.notna(frame["group"])], random


def _table(people: pd.DataFrame) -> pd.DataFrame:
    """Per stratum: contacted and held-out counts, stayers and retention."""
    g = people.groupby(["stratum", "group"])["stayed"].agg(["size", "sum"]).unstack("group")
    g = g.reindex(columns=pd.MultiIndex.from_product([["size", "sum"], [CONTACTED, HOLD_OUT]]))
    g = g.fillna(0)
    out = pd.DataFrame(
        {
            "stratum": g.index.astype(str),
            "n_contacted": g[("size", CONTACTED)].astype(int).to_numpy(),
            "stayed_contacted": g[("sum", CONTACTED)].astype(int).to_numpy(),
            "n_hold_out": g[("size", HOLD_OUT)].astype(int).to_numpy(),
            "stayed_hold_out": g[("sum", HOLD_OUT)].astype(int).to_numpy(),
        }
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        out["retention_contacted"] = out["stayed_contacted"] / out["n_contacted"]
        out["retention_hold_out"] = out["stayed_hold_out"] / out["n_hold_out"]
    out["difference"] = out["retention_contacted"] - out["retention_hold_out"]
    order = {k: i for i, k in enumerate((*BANDS, ALL))}
    out = out.sort_values("stratum", key=lambda s: s.map(order).fillna(len(order)))
    return out.reset_index(drop=True)


def campaign_effect(
    banded: pd.DataFrame,
    groups: pd.Series,
    *,
    confidence: float = 0.95,
    min_group: int = MIN_GROUP,
    max_width: float = MAX_WIDTH,
) -> CampaignEffect:
    """The campaign's effect on retention with its interval, in numbers and words.

    Parameters
    ----------
    banded : ``churn.compare.with_bands`` of the two snapshots (or the plain match: one
        stratum then).
    groups : from :func:`campaign_groups`.
    confidence : of the interval.
    min_group, max_width : below / above these it is too small to tell.
    """
    people, random = _strata(banded, groups)
    strata = _table(people)
    usable = strata[(strata["n_contacted"] > 0) & (strata["n_hold_out"] > 0)]
    n_c, n_h = int(usable["n_contacted"].sum()), int(usable["n_hold_out"].sum())
    if n_c == 0 or n_h == 0:
        diff = low = high = float("nan")
    else:
        w = usable["n_contacted"].to_numpy(float) / n_c
        diff = float((w * usable["difference"].to_numpy(float)).sum())
        pc = (usable["stayed_contacted"] + 1) / (usable["n_contacted"] + 2)
        ph = (usable["stayed_hold_out"] + 1) / (usable["n_hold_out"] + 2)
        var = pc * (1 - pc) / (usable["n_contacted"] + 2) + ph * (1 - ph) / (
            usable["n_hold_out"] + 2
        )
        half = float(norm.ppf(0.5 + confidence / 2) * np.sqrt((w**2 * var.to_numpy()).sum()))
        low, high = diff - half, diff + half
    compared = people[people["stratum"].isin(usable["stratum"])]
    contacted = compared[compared["group"] == CONTACTED]
    held = compared[compared["group"] == HOLD_OUT]
    value = float(contacted["value"].mean()) if contacted["value"].notna().any() else np.nan
    if n_c < min_group or n_h < min_group or not high - low <= max_width:
        verdict = TOO_SMALL
    else:
        verdict = HELPED if low > 0 else HURT if high < 0 else UNCLEAR
    effect = CampaignEffect(
        strata=strata,
        n_contacted=n_c,
        n_hold_out=n_h,
        retention_contacted=float(contacted["stayed"].mean()) if n_c else float("nan"),
        retention_hold_out=float(held["stayed"].mean()) if n_h else float("nan"),
        difference=diff,
        low=low,
        high=high,
        kept=diff * n_c,
        kept_low=low * n_c,
        kept_high=high * n_c,
        worth=diff * n_c * value,
        worth_low=low * n_c * value,
        worth_high=high * n_c * value,
        verdict=verdict,
        random=random,
        confidence=confidence,
    )
    return _with_sentences(effect, contacted_total=int((people["group"] == CONTACTED).sum()))


def _with_sentences(e: CampaignEffect, contacted_total: int) -> CampaignEffect:
    words: list[Text] = []
    level = round(e.confidence * 100)
    if e.n_contacted == 0 or e.n_hold_out == 0:
        words.append(
            msg(
                "Too small to tell: no customers of the same risk band in both groups "
                "({contacted:,} contacted, {held:,} in the comparison group).",
                contacted=e.n_contacted,
                held=e.n_hold_out,
            )
        )
        return _replace_sentences(e, words)
    words.append(
        msg(
            "{rc:.1%} of the {n_c:,} contacted customers stayed, against {rh:.1%} of the "
            "{n_h:,} in the comparison group of similar risk.",
            rc=e.retention_contacted,
            n_c=e.n_contacted,
            rh=e.retention_hold_out,
            n_h=e.n_hold_out,
        )
    )
    if e.verdict == TOO_SMALL:
        words.append(
            msg(
                "Too small to tell: the {level} % interval runs from {low:,.0f} to {high:,.0f} "
                "customers kept, too wide to say whether contacting helped.",
                level=level,
                low=e.kept_low,
                high=e.kept_high,
            )
        )
    elif np.isnan(e.worth):
        words.append(
            msg(
                "Contacting kept about {kept:,.0f} customers ({level} % interval {low:,.0f} to "
                "{high:,.0f}).",
                kept=e.kept,
                level=level,
                low=e.kept_low,
                high=e.kept_high,
            )
        )
    else:
        words.append(
            msg(
                "Contacting kept about {kept:,.0f} customers ({level} % interval {low:,.0f} to "
                "{high:,.0f}), worth about {worth:,.0f} a month ({worth_low:,.0f} to "
                "{worth_high:,.0f}).",
                kept=e.kept,
                level=level,
                low=e.kept_low,
                high=e.kept_high,
                worth=e.worth,
                worth_low=e.worth_low,
                worth_high=e.worth_high,
            )
        )
    if e.verdict == UNCLEAR:
        words.append(msg("The interval includes zero: the campaign may have kept no one at all."))
    elif e.verdict == HURT:
        words.append(msg("The contacted customers stayed less than the comparison group."))
    if not e.random:
        words.append(
            msg(
                "The comparison group is not a random hold-out but every other active "
                "customer of the same risk band, so it may differ in ways the bands miss."
            )
        )
    if contacted_total > e.n_contacted:
        words.append(
            msg(
                "{n:,} contacted customers had no comparison customer in their risk band "
                "and are left out.",
                n=contacted_total - e.n_contacted,
            )
        )
    return _replace_sentences(e, words)


def _replace_sentences(e: CampaignEffect, words: list[Text]) -> CampaignEffect:
    return replace(e, sentences=tuple(words))
