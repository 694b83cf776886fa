"""Everything the Changes page, the CLI and the report say about two snapshots, at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from churn.compare.bands import HIGH, moved_into_high, transition_table, with_bands
from churn.compare.campaign import HOLD_OUT, CampaignEffect, campaign_effect, campaign_groups
from churn.compare.match import list_outcome, match_snapshots, status_counts, top_by_value
from churn.compare.reasons import reason_changes
from churn.errors import ChurnDataError
from churn.model import DEFAULT_MODEL, TrainedModel, score, train
from churn.settings import IntakeSettings
from churn.shapes import build_customer_table
from churn.table import ID, CustomerTable
from churn.text import Text, msg

#: Where the risks came from.
FROM_MODEL, FROM_COLUMN = "model", "column"


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two snapshots compared (see :func:`compare_snapshots`).

    Attributes
    ----------
    match : every customer with status, values, and risks and bands when known.
    counts : customers per status (``churn.compare.status_counts``).
    transitions : old band x what became of them (empty without risks).
    moved : customers who moved into the high band (with reasons when a model was given).
    outcome : the old at-risk list's realised precision and recall (None without a list).
    top_value : the top customers by value then and now.
    campaign : the campaign's effect (None without a campaign file).
    risk_source : "model", "column" or None.
    notes : sentences on what was left out and why.
    old_snapshot, new_snapshot : the two "as of" dates (None without dates).
    """

    match: pd.DataFrame
    counts: dict[str, int]
    transitions: pd.DataFrame
    moved: pd.DataFrame
    outcome: dict[str, Any] | None
    top_value: pd.DataFrame
    campaign: CampaignEffect | None
    risk_source: str | None
    notes: tuple[Text, ...] = field(default=())
    old_snapshot: pd.Timestamp | None = None
    new_snapshot: pd.Timestamp | None = None

    def to_dict(self, moved_limit: int = 100) -> dict[str, Any]:
        """Plain data for JSON: counts, transitions, moves, outcome, top value, campaign."""
        return {
            "counts": self.counts,
            "risk_source": self.risk_source,
            "transitions": self.transitions.to_dict(orient="records"),
            "moved_into_high_count": len(self.moved),
            "moved_into_high": self.moved.head(moved_limit).to_dict(orient="records"),
            "at_risk_list": self.outcome,
            "top_value": self.top_value.to_dict(orient="records"),
            "campaign": None if self.campaign is None else self.campaign.to_dict(),
            "notes": [str(n) for n in self.notes],
        }


def as_table(snapshot, settings: IntakeSettings | None = None) -> CustomerTable:
    """A snapshot as a customer table: a table as it is, or a raw frame built with the
    confirmed ``settings`` (the roles confirmed once and reused for every month)."""
    if isinstance(snapshot, CustomerTable):
        return snapshot
    if settings is None:
        raise ChurnDataError(
            msg("a raw snapshot needs its confirmed roles."),
            fix=msg("confirm the roles of the first file and pass its settings."),
        )
    return build_customer_table(snapshot, settings)


def column_changes(old: pd.DataFrame, new: pd.DataFrame) -> dict[str, list[str]]:
    """Columns the new snapshot ``added`` and ``removed`` against the old one (in order)."""
    before, after = [str(c) for c in old.columns], [str(c) for c in new.columns]
    return {
        "added": [c for c in after if c not in before],
        "removed": [c for c in before if c not in after],
    }


def check_reusable(settings: IntakeSettings, frame: pd.DataFrame) -> None:
    """Raise ChurnDataError when ``frame`` lacks a column the confirmed roles name, so the
    roles of the first snapshot can be reused for this one."""
    roles = settings.roles
    needed = [*roles.assigned().values(), *roles.features]
    have = {str(c) for c in frame.columns}
    missing = [c for c in dict.fromkeys(needed) if c not in have]
    if missing:
        raise ChurnDataError(
            msg(
                "the new snapshot has no column '{column}', which the confirmed roles use.",
                column=missing[0],
            ),
            fix=msg("export the same columns every month, or confirm the roles again."),
            column=missing[0],
        )


def column_risk(table: CustomerTable, column: str) -> pd.Series:
    """A score column of the snapshot (0..1, or 0..100 read as percent) by customer id."""
    frame = table.frame
    if column not in frame.columns:
        raise ChurnDataError(
            msg("the snapshot has no score column '{column}'.", column=column),
            fix=msg("name a column that holds each customer's risk."),
            column=column,
        )
    risk = pd.to_numeric(frame[column], errors="coerce").astype(float)
    if risk.max(skipna=True) > 1:
        risk = risk / 100.0
    return pd.Series(risk.to_numpy(), index=pd.Index(frame[ID].astype(str), name=ID), name="risk")


def _risks(trained, old, new, old_risk, new_risk, risk_column):
    if old_risk is not None and new_risk is not None:
        return old_risk, new_risk, FROM_COLUMN
    if risk_column:
        return column_risk(old, risk_column), column_risk(new, risk_column), FROM_COLUMN
    if trained is not None:
        return score(trained, old), score(trained, new), FROM_MODEL
    return None, None, None


def compare_snapshots(
    old,
    new,
    *,
    settings: IntakeSettings | None = None,
    trained=None,
    old_risk: pd.Series | None = None,
    new_risk: pd.Series | None = None,
    risk_column: str | None = None,
    listed=None,
    contacted: pd.DataFrame | None = None,
    contacted_id: str | None = None,
    top: int = 10,
    reasons: bool = True,
    lang: str = "en",
) -> Comparison:
    """Match two snapshots and say who moved, who left, and whether the campaign worked.

    Parameters
    ----------
    old, new : customer tables, or raw frames built with ``settings``.
    trained : a trained model (``churn.model.train``) that scores both snapshots; its
        reasons explain the moves into the high band.
    old_risk, new_risk : risks by customer id instead of a model; ``risk_column``: a
        score column both snapshots have.
    listed : customer ids of the old at-risk list (default: the campaign file's
        customers, else the old snapshot's high band).
    contacted : the campaign file (the at-risk export with its ``hold_out`` column);
        ``contacted_id`` its id column (default ``customer_id``).
    top : customers in the top-by-value table.
    reasons : explain the moves (needs ``trained``; shap).
    """
    old_t, new_t = as_table(old, settings), as_table(new, settings)
    match = match_snapshots(old_t, new_t)
    notes: list[Text] = []
    r_old, r_new, source = _risks(trained, old_t, new_t, old_risk, new_risk, risk_column)
    if source is None:
        notes.append(
            msg("No model and no score column: risk bands, moves and transitions are left out.")
        )
        banded = match.assign(risk_old=float("nan"), risk_new=float("nan"))
        banded = banded.assign(band_old=None, band_new=None)
        transitions = pd.DataFrame(columns=["from", "to", "n", "share"])
        moved = pd.DataFrame(columns=[ID, "band_old", "risk_old", "risk_new", "change"])
    else:
        banded = with_bands(match, r_old, r_new)
        transitions = transition_table(banded)
        moved = moved_into_high(banded)
        if trained is not None and reasons and len(moved):
            moved = reason_changes(trained, old_t, new_t, moved, lang=lang)
        elif len(moved) and trained is None:
            notes.append(msg("Without a model the reasons behind the moves are not shown."))
    groups = None
    if contacted is not None:
        groups = campaign_groups(contacted, contacted_id)
    if listed is None and groups is not None:
        listed = list(groups.index)
    if listed is None and source is not None:
        listed = list(banded.loc[banded["band_old"] == HIGH, ID])
    outcome = list_outcome(match, listed) if listed is not None else None
    if outcome is not None and groups is not None and (groups == HOLD_OUT).any():
        # the contacted were (partly) kept by the campaign: the hold-out shows the list
        # as it would have done untouched
        outcome["hold_out"] = list_outcome(match, list(groups.index[groups == HOLD_OUT]))
    effect = campaign_effect(banded, groups) if groups is not None else None
    return Comparison(
        match=banded,
        counts=status_counts(match),
        transitions=transitions,
        moved=moved,
        outcome=outcome,
        top_value=top_by_value(match, top),
        campaign=effect,
        risk_source=source,
        notes=tuple(notes),
        old_snapshot=old_t.snapshot,
        new_snapshot=new_t.snapshot,
    )


def snapshot_tables(
    old_frame: pd.DataFrame, new_frame: pd.DataFrame, settings: IntakeSettings
) -> tuple[CustomerTable, CustomerTable]:
    """Both raw files as customer tables with the roles confirmed on the first (the new
    file must have their columns: :func:`check_reusable`; its "as of" date is its own)."""
    check_reusable(settings, new_frame)
    old = build_customer_table(old_frame, settings)
    return old, build_customer_table(new_frame, settings.with_(snapshot=None))


def compare_frames(
    old_frame: pd.DataFrame,
    new_frame: pd.DataFrame,
    settings: IntakeSettings,
    *,
    model: str | None = DEFAULT_MODEL,
    contacted: pd.DataFrame | None = None,
    reasons: bool = True,
    lang: str = "en",
) -> tuple[Comparison, TrainedModel | None]:
    """Two raw monthly files compared with the roles confirmed on the first.

    The new file must have the columns the roles use (:func:`check_reusable`); its "as
    of" date is its own. ``model`` (a registry name, None for no model) is trained on
    the old snapshot and scores both.

    Returns
    -------
    (Comparison, TrainedModel or None)
    """
    old, new = snapshot_tables(old_frame, new_frame, settings)
    trained = train(old, model) if model else None
    comp = compare_snapshots(
        old, new, trained=trained, contacted=contacted, reasons=reasons, lang=lang
    )
    return comp, trained
