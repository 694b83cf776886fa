"""The intake settings: everything besides the file itself that decides the customer table.

:class:`IntakeSettings` is one frozen object (the confirmed :class:`~churn.roles.ColumnRoles`,
the sheet, the snapshot date and the inactivity window) that travels wherever intake
settings go: the Data page confirms it, a workspace stores it, the command line builds it
from its flags, a trained model carries the one it was trained with, and scoring a new
file uses it (by default the model's own).

Every default of these settings is written here, once (:data:`DEFAULT_INACTIVITY_DAYS`
and the field defaults of :class:`IntakeSettings`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.roles import ColumnRoles
from churn.text import Text, msg

__all__ = [
    "DEFAULT_INACTIVITY_DAYS",
    "IntakeSettings",
    "check_inactivity_days",
    "difference_note",
    "snapshot_text",
]

#: Event logs: a customer is churned when their last event is more than this many days
#: before the snapshot (no order in 90 days = churned), unless the user says otherwise.
DEFAULT_INACTIVITY_DAYS = 90
#: Purchase logs: the default horizon of expected purchases and value (P(alive)), in days.
DEFAULT_HORIZON_DAYS = 90


def check_inactivity_days(inactivity_days: Any) -> int:
    """The inactivity window as a whole number of days (at least 1).

    Raises
    ------
    ChurnDataError
        The value is not a number of days, or is below 1.
    """
    try:
        n = int(inactivity_days)
    except (TypeError, ValueError) as exc:
        raise ChurnDataError(
            msg(
                "the inactivity window '{days}' is not a whole number of days",
                days=inactivity_days,
            ),
            fix=msg("give a number of days such as 90"),
        ) from exc
    if n < 1:
        raise ChurnDataError(
            msg("the inactivity window must be at least 1 day, not {n}", n=n),
            fix=msg("give a number of days such as 90"),
        )
    return n


def snapshot_text(snapshot: Any) -> str | None:
    """A snapshot as the settings keep it: ``None`` (the latest date in the data) or text.

    Text is kept as given (stripped; the customer table parses it and names a bad date).
    Dates and timestamps become ISO text: ``2024-06-30`` for a whole day, else the full
    ISO timestamp.
    """
    if snapshot is None:
        return None
    if isinstance(snapshot, str):
        return snapshot.strip() or None
    if isinstance(snapshot, dt.date | np.datetime64):  # (a Timestamp is a date too)
        stamp = pd.Timestamp(snapshot)
        if pd.isna(stamp):
            return None
        return stamp.strftime("%Y-%m-%d") if stamp == stamp.normalize() else stamp.isoformat()
    return str(snapshot)


@dataclass(frozen=True)
class IntakeSettings:
    """The confirmed roles and intake settings of one file. Hashable, so it can key caches.

    Attributes
    ----------
    roles : the confirmed column roles.
    sheet : the worksheet the roles belong to (None: a file without sheets, or the sheet
        the reader picks).
    snapshot : the "as of" date as ISO text; None means the latest date in the data.
    inactivity_days : event logs: churned when the last event is more than this many days
        before the snapshot (default :data:`DEFAULT_INACTIVITY_DAYS`).

    Examples
    --------
    >>> s = IntakeSettings(ColumnRoles(id="id", event_date="day"), inactivity_days=60)
    >>> IntakeSettings.from_dict(s.to_dict()) == s
    True
    >>> s.with_(inactivity_days=30).inactivity_days
    30
    """

    roles: ColumnRoles
    sheet: str | None = None
    snapshot: str | None = None
    inactivity_days: int = DEFAULT_INACTIVITY_DAYS

    def __post_init__(self) -> None:
        if not isinstance(self.roles, ColumnRoles):
            raise TypeError(f"roles must be ColumnRoles, not {type(self.roles).__name__}")
        sheet = None if self.sheet is None else str(self.sheet)
        object.__setattr__(self, "sheet", sheet)
        object.__setattr__(self, "snapshot", snapshot_text(self.snapshot))
        object.__setattr__(self, "inactivity_days", check_inactivity_days(self.inactivity_days))

    def with_(self, **changes: Any) -> IntakeSettings:
        """A copy with some settings changed (``roles`` may be a dict of role changes)."""
        roles = changes.get("roles")
        if isinstance(roles, dict):
            changes["roles"] = self.roles.with_(**roles)
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``roles`` (see :meth:`ColumnRoles.to_dict`), ``sheet``,
        ``snapshot``, ``inactivity_days``."""
        return {
            "roles": self.roles.to_dict(),
            "sheet": self.sheet,
            "snapshot": self.snapshot,
            "inactivity_days": self.inactivity_days,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IntakeSettings:
        """Inverse of :meth:`to_dict`; missing settings take their defaults, unknown keys
        are ignored."""
        names = {f.name for f in fields(cls)}
        clean = {k: v for k, v in data.items() if k in names}
        roles = clean.get("roles")
        if not isinstance(roles, ColumnRoles):
            clean["roles"] = ColumnRoles.from_dict(roles or {})
        if clean.get("inactivity_days") is None:
            clean.pop("inactivity_days", None)
        return cls(**clean)

    def key(self, content_hash: str) -> str:
        """A stable text key for caches: the file's content hash plus every setting.

        The same key the app has always used for a confirmed dataset, so models saved in
        older workspaces still match their settings.
        """
        payload = json.dumps(
            {
                "h": content_hash,
                "sheet": self.sheet,
                "roles": self.roles.to_dict(),
                "snapshot": self.snapshot,
                "n": self.inactivity_days,
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def differences(self, other: IntakeSettings) -> tuple[str, ...]:
        """Which settings that define churn differ from ``other``'s: ``"roles"``,
        ``"snapshot"``, ``"inactivity_days"`` (the last only when either side is an event
        log, the one shape it applies to). The sheet is not compared: it names where the
        data sits in a file, not what churn means."""
        out = []
        if self.roles != other.roles:
            out.append("roles")
        if self.snapshot != other.snapshot:
            out.append("snapshot")
        events = "events" in (self.roles.shape, other.roles.shape)
        if events and self.inactivity_days != other.inactivity_days:
            out.append("inactivity_days")
        return tuple(out)


def _day(snapshot: str | None) -> Text | str:
    return snapshot if snapshot is not None else msg("the latest date in the file")


def _change(trained: IntakeSettings, used: IntakeSettings, name: str) -> Text:
    if name == "roles":
        roles = [
            f.name
            for f in fields(ColumnRoles)
            if getattr(used.roles, f.name) != getattr(trained.roles, f.name)
        ]
        return msg("column roles ({roles})", roles=", ".join(roles))
    if name == "snapshot":
        return msg(
            "snapshot {used} (trained: {trained})",
            used=_day(used.snapshot),
            trained=_day(trained.snapshot),
        )
    return msg(
        "inactivity window {used} days (trained: {trained} days)",
        used=used.inactivity_days,
        trained=trained.inactivity_days,
    )


def difference_note(trained: IntakeSettings, used: IntakeSettings) -> Text | None:
    """A sentence saying how ``used`` differs from the settings a model was ``trained``
    with (roles, snapshot, inactivity window), or None when they agree."""
    names = used.differences(trained)
    if not names:
        return None
    changes = _change(trained, used, names[0])
    for name in names[1:]:
        changes = msg("{first}; {second}", first=changes, second=_change(trained, used, name))
    return msg(
        "These scores use other settings than the model was trained with: {changes}. "
        "The model learned churn as its own settings define it; compare the risks with care.",
        changes=changes,
    )
