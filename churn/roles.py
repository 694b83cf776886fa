"""Column roles: which column is the id, the label, the dates, the amount, the features.

``infer_roles(df)`` only *proposes*; the user confirms on the Data page (or with the
CLI's role flags), and every other library function takes the confirmed
:class:`ColumnRoles`. No function guesses a column by its name again (DESIGN rule 3).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

SHAPES = ("customers", "subscriptions", "events")

#: Roles that name at most one column, in the order the Data page shows them.
SINGLE_ROLES = (
    "id",
    "label",
    "start",
    "end",
    "event_date",
    "amount",
    "tenure",
    "reason",
    "name",
    "email",
)


@dataclass(frozen=True)
class ColumnRoles:
    """The confirmed meaning of a file's columns. Hashable, so it can key caches.

    Attributes
    ----------
    id : customer identifier column.
    label : churn flag or status column (shape 1). Values listed in ``churned_values``
        mean churned, values in ``active_values`` mean active; any other value is left
        out of labelled counts (e.g. "paused").
    churned_values, active_values : raw label values, compared as stripped strings.
    start, end : subscription start and end/cancel dates (shape 2; empty end = active).
    event_date : the date of each event in an event log (shape 3).
    amount : fee, revenue or order amount.
    tenure : a duration column (e.g. months as a customer) when there are no dates.
    tenure_unit : unit of ``tenure``: "days", "weeks", "months" or "years".
    reason : churn reason or status detail (voluntary vs involuntary churn).
    name, email : personal columns used for mail merge; never model features.
    features : columns the model and segment pages may use.
    categorical : the subset of ``features`` treated as categories.
    personal : other personal columns (phone, address): kept for exports only.
    excluded : (column, reason) pairs the user or the proposal left out.
    dayfirst : how to read ambiguous dates like 03/04/2024 (None: not ambiguous).
    """

    id: str | None = None
    label: str | None = None
    churned_values: tuple[str, ...] = ()
    active_values: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    event_date: str | None = None
    amount: str | None = None
    tenure: str | None = None
    tenure_unit: str = "months"
    reason: str | None = None
    name: str | None = None
    email: str | None = None
    features: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    personal: tuple[str, ...] = ()
    excluded: tuple[tuple[str, str], ...] = field(default=())
    dayfirst: bool | None = None

    @property
    def shape(self) -> str:
        """The input shape these roles describe: customers, subscriptions or events."""
        if self.event_date:
            return "events"
        if self.start and (self.end or not self.label):
            return "subscriptions"
        return "customers"

    def assigned(self) -> dict[str, str]:
        """Role -> column for every single-column role that is set."""
        return {r: getattr(self, r) for r in SINGLE_ROLES if getattr(self, r)}

    def with_(self, **changes: Any) -> ColumnRoles:
        """A copy with some roles changed (lists become tuples)."""
        clean = {k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}
        if "excluded" in clean:
            clean["excluded"] = tuple(tuple(p) for p in clean["excluded"])
        return replace(self, **clean)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        d = asdict(self)
        d["excluded"] = {c: r for c, r in self.excluded}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnRoles:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        clean: dict[str, Any] = {}
        for k, v in data.items():
            if k not in names:
                continue
            if k == "excluded":
                items = v.items() if isinstance(v, dict) else v
                v = tuple((str(c), str(r)) for c, r in items)
            elif isinstance(v, list):
                v = tuple(v)
            clean[k] = v
        return cls(**clean)
