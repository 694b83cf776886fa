"""What the store hands back: :class:`Workspace` (a saved analysis, read back whole) and
:class:`WorkspaceInfo` (one line of the workspace list)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from churn.roles import ColumnRoles
from churn.settings import DEFAULT_INACTIVITY_DAYS, IntakeSettings
from churn.workspace.schema import checksum

if TYPE_CHECKING:
    from churn.model import TrainedModel

__all__ = ["Workspace", "WorkspaceInfo"]


@dataclass(frozen=True)
class WorkspaceInfo:
    """One line of the workspace list (no blobs are read to make it).

    ``problem`` is None for a healthy workspace, else a sentence saying what is wrong
    (the other attributes then hold whatever could be read).
    """

    id: str
    name: str
    created: datetime | None
    updated: datetime | None
    file_name: str
    rows: int | None
    customers: int | None
    has_model: bool = False
    confirmed: bool = False
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True, eq=False)
class Workspace:
    """A saved analysis, as read back by :meth:`WorkspaceStore.load`.

    Attributes
    ----------
    id, name : the workspace's id (secret token) and its display name.
    created, updated : UTC timestamps.
    file_name, data, sheet, is_sample : the uploaded file exactly as given.
    roles : the confirmed column roles, or None when roles were never confirmed.
    snapshot, inactivity_days : the intake settings used with the roles.
    intake : (property) roles, sheet, snapshot and inactivity window as one
        :class:`~churn.settings.IntakeSettings`; None when roles were never confirmed.
    settings : free JSON settings (language, page choices...).
    model : the trained model (None when there is none or it could not be read).
    model_handle : the settings that identify the model (the Model page's handle).
    scenarios : saved what-if scenarios (JSON).
    notes : free text.
    rows, customers : rows in the file and customers in its table (None if unknown).
    problems : parts that were damaged and left out (each a sentence); empty when whole.
    """

    id: str
    name: str
    created: datetime
    updated: datetime
    file_name: str
    data: bytes = field(repr=False)
    sheet: str | None = None
    is_sample: bool = False
    roles: ColumnRoles | None = None
    snapshot: str | None = None
    inactivity_days: int = DEFAULT_INACTIVITY_DAYS
    settings: dict[str, Any] = field(default_factory=dict)
    model: TrainedModel | None = field(default=None, repr=False)
    model_handle: dict[str, Any] | None = None
    scenarios: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    rows: int | None = None
    customers: int | None = None
    problems: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        """SHA-256 of the file bytes (the same key the app's caches use)."""
        return checksum(self.data)

    @property
    def intake(self) -> IntakeSettings | None:
        """The confirmed intake settings as one object (None: roles never confirmed)."""
        if self.roles is None:
            return None
        return IntakeSettings(
            self.roles,
            sheet=self.sheet,
            snapshot=self.snapshot,
            inactivity_days=self.inactivity_days,
        )
