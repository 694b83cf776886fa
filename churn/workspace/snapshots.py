"""A workspace's series of snapshots: the files of successive dates (this month's export,
last month's...), matched by customer id, with the column roles confirmed once and reused
while the columns match.

Stored through the store's public API only (SQLite or PostgreSQL alike):

- the series itself (dates, file names, rows, customers, columns, checksums and the
  confirmed intake settings) is the ``"snapshots"`` entry of the workspace's ``settings``
  JSON column (:data:`SERIES_KEY`);
- each file's bytes stay in a workspace's file column: the workspace's own file when a
  snapshot is that file, else a member workspace made with :meth:`WorkspaceStore.create`
  (named after the series and the date, its settings pointing back at the series).

Nothing here logs or shows file bytes; :class:`SnapshotEntry` holds no bytes (read them
with :func:`snapshot_data`). The caller reads each file (in the contained worker) and
passes its frame, so this module never parses a user's file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from churn.errors import ChurnDataError
from churn.settings import IntakeSettings
from churn.text import msg
from churn.workspace.errors import WorkspaceError, damaged
from churn.workspace.schema import checksum

__all__ = [
    "MEMBER_KEY",
    "SERIES_KEY",
    "SnapshotEntry",
    "SnapshotSeries",
    "add_snapshot",
    "carry_series",
    "load_series",
    "snapshot_data",
]

#: The key of the series in a workspace's ``settings`` JSON.
SERIES_KEY = "snapshots"
#: The key, in a member workspace's settings, naming the workspace whose series it is in.
MEMBER_KEY = "snapshot_of"


@dataclass(frozen=True)
class SnapshotEntry:
    """One file of the series (no bytes: :func:`snapshot_data` reads them).

    date : the snapshot's date, ISO ``YYYY-MM-DD``.
    file_name, sheet : the file as given.
    sha256 : its checksum (the same content hash the app's caches use).
    rows, customers : rows in the file; distinct customer ids in it (None: no id column).
    columns : the file's columns, in order.
    workspace : the id of the workspace whose file column holds the bytes.
    """

    date: str
    file_name: str
    sha256: str
    rows: int
    customers: int | None
    columns: tuple[str, ...]
    workspace: str
    sheet: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "columns": list(self.columns)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SnapshotEntry:
        customers = data.get("customers")
        return cls(
            date=str(data["date"]),
            file_name=str(data["file_name"]),
            sha256=str(data["sha256"]),
            rows=int(data["rows"]),
            customers=None if customers is None else int(customers),
            columns=tuple(str(c) for c in data["columns"]),
            workspace=str(data["workspace"]),
            sheet=None if data.get("sheet") is None else str(data["sheet"]),
        )


@dataclass(frozen=True)
class SnapshotSeries:
    """The series of workspace ``workspace``: its entries by date and the intake settings
    confirmed once (None until the first snapshot is added)."""

    workspace: str
    intake: IntakeSettings | None = None
    entries: tuple[SnapshotEntry, ...] = ()

    def column_changes(self) -> list[dict[str, Any]]:
        """For each snapshot after the first: its date, and the columns it ``added`` and
        ``removed`` against the one before (in the file's order)."""
        out = []
        for before, after in zip(self.entries, self.entries[1:], strict=False):
            out.append(
                {
                    "date": after.date,
                    "added": [c for c in after.columns if c not in before.columns],
                    "removed": [c for c in before.columns if c not in after.columns],
                }
            )
        return out

    def as_frame(self) -> pd.DataFrame:
        """One row per snapshot: date, file name, rows, customers, and the columns added
        and removed since the snapshot before (comma-separated; empty when none)."""
        changes = {c["date"]: c for c in self.column_changes()}
        rows = [
            {
                "date": e.date,
                "file_name": e.file_name,
                "rows": e.rows,
                "customers": e.customers,
                "columns_added": ", ".join(changes.get(e.date, {}).get("added", [])),
                "columns_removed": ", ".join(changes.get(e.date, {}).get("removed", [])),
            }
            for e in self.entries
        ]
        cols = ["date", "file_name", "rows", "customers", "columns_added", "columns_removed"]
        frame = pd.DataFrame(rows, columns=cols)
        return frame.astype({"rows": "int64", "customers": "Int64"})

    def to_dict(self) -> dict[str, Any]:
        return {
            "intake": None if self.intake is None else self.intake.to_dict(),
            "entries": [e.to_dict() for e in self.entries],
        }


def _series_of(ws_id: str, settings: Mapping[str, Any]) -> SnapshotSeries:
    data = settings.get(SERIES_KEY)
    if not data:
        return SnapshotSeries(ws_id)
    try:
        intake = None if data.get("intake") is None else IntakeSettings.from_dict(data["intake"])
        entries = tuple(SnapshotEntry.from_dict(e) for e in data["entries"])
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise damaged(ws_id, msg("its series of snapshots cannot be read"), exc) from exc
    return SnapshotSeries(ws_id, intake, tuple(sorted(entries, key=lambda e: e.date)))


def load_series(store: Any, ws_id: str) -> SnapshotSeries:
    """The series saved in workspace ``ws_id`` (empty when none was saved).

    Raises :class:`~churn.workspace.WorkspaceNotFound` / :class:`WorkspaceError` as
    :meth:`WorkspaceStore.load` does, and when the series itself is damaged."""
    ws = store.load(ws_id, with_model=False, strict=True)
    return _series_of(ws_id, ws.settings)


def _iso_date(date: Any) -> str:
    try:
        stamp = pd.Timestamp(date)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise ChurnDataError(
            msg("the snapshot date '{date}' is not a date.", date=str(date)),
            fix=msg("give the date the file was exported, e.g. 2025-10-31."),
        )
    return stamp.date().isoformat()


def _customers(frame: pd.DataFrame, intake: IntakeSettings) -> int | None:
    col = intake.roles.id
    return int(frame[col].nunique()) if col and col in frame.columns else None


def _intake_for(series: SnapshotSeries, frame: pd.DataFrame, intake: IntakeSettings | None):
    """The settings for a new snapshot: those given (confirmed now), else the series'
    own, reused when the file has every column they name."""
    if intake is not None:
        return intake
    if series.intake is None:
        raise ChurnDataError(
            msg("the series has no confirmed column roles yet."),
            fix=msg("confirm the roles of the first snapshot and pass its settings."),
        )
    from churn.compare import check_reusable  # churn.compare loads the model stack: late

    check_reusable(series.intake, frame)
    return series.intake


def add_snapshot(
    store: Any,
    ws_id: str,
    *,
    date: Any,
    file_name: str,
    data: bytes,
    frame: pd.DataFrame,
    intake: IntakeSettings | None = None,
    sheet: str | None = None,
) -> SnapshotSeries:
    """Add the file of ``date`` to workspace ``ws_id``'s series and return the series.

    ``frame`` is the file as read (its columns and customers are recorded); ``intake``
    are the confirmed settings (they become the series'); without them the series'
    settings are reused when the file has their columns, else ChurnDataError names the
    missing column. A second file for the same date replaces the first.
    """
    ws = store.load(ws_id, with_model=False, strict=True)
    series = _series_of(ws_id, ws.settings)
    day = _iso_date(date)
    used = _intake_for(series, frame, intake)
    digest = checksum(bytes(data))
    holder = next((e.workspace for e in series.entries if e.sha256 == digest), None)
    if digest == ws.content_hash:
        holder = ws_id
    customers = _customers(frame, used)
    if holder is None:
        holder = store.create(
            f"{ws.name} · {day}",
            file_name=file_name,
            data=bytes(data),
            intake=used.with_(sheet=sheet, snapshot=None),
            rows=len(frame),
            customers=customers,
            settings={MEMBER_KEY: ws_id, "snapshot_date": day},
        )
    entry = SnapshotEntry(
        date=day,
        file_name=str(file_name),
        sha256=digest,
        rows=len(frame),
        customers=customers,
        columns=tuple(str(c) for c in frame.columns),
        workspace=holder,
        sheet=sheet,
    )
    entries = sorted([*(e for e in series.entries if e.date != day), entry], key=lambda e: e.date)
    series = SnapshotSeries(ws_id, used.with_(sheet=None, snapshot=None), tuple(entries))
    store.save(ws_id, settings={**ws.settings, SERIES_KEY: series.to_dict()})
    return series


def snapshot_data(store: Any, entry: SnapshotEntry) -> bytes:
    """The bytes of one snapshot of a series (checked against the entry's checksum)."""
    data = store.load(entry.workspace, with_model=False).data
    if checksum(data) != entry.sha256:
        raise damaged(entry.workspace, msg("its snapshot file is not the one the series saved"))
    return data


def carry_series(store: Any, ws_id: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """``settings`` with the series stored in ``ws_id`` carried over, so that saving new
    settings (the app's autosave) never drops the series. A workspace that cannot be read
    carries nothing."""
    out = dict(settings)
    try:
        stored = store.load(ws_id, with_model=False).settings
    except WorkspaceError:
        return out
    if SERIES_KEY in stored and SERIES_KEY not in out:
        out[SERIES_KEY] = stored[SERIES_KEY]
    return out
