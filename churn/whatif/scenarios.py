"""Saved scenarios: named what-ifs of one customer, compared side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover - typing only
    from churn.whatif.edit import WhatIfResult


@dataclass(frozen=True)
class Scenario:
    """A named what-if for one customer, as saved by the page.

    ``linked`` holds the linked features that moved with the changes (column -> new value;
    empty when none moved or the option was off); ``after`` includes them.
    """

    name: str
    customer: str
    changes: dict[str, Any]
    before: float
    after: float
    linked: dict[str, Any] = field(default_factory=dict)

    @property
    def delta(self) -> float:
        return self.after - self.before

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Scenario:
        return cls(
            str(d["name"]),
            str(d["customer"]),
            dict(d["changes"]),
            float(d["before"]),
            float(d["after"]),
            dict(d.get("linked") or {}),
        )

    @classmethod
    def from_result(cls, name: str, result: WhatIfResult) -> Scenario:
        """A scenario from a :class:`WhatIfResult` (only the columns that changed)."""
        changes = {c["column"]: c["after"] for c in result.changes}
        linked = {c["column"]: c["after"] for c in result.linked_changes}
        return cls(name, result.customer, changes, result.before, result.after, linked)


def compare_scenarios(scenarios: Sequence[Scenario | Mapping[str, Any]]) -> pd.DataFrame:
    """Saved scenarios side by side, one row each.

    Returns
    -------
    pd.DataFrame
        ``scenario``, ``customer``, ``before``, ``after``, ``delta``, ``n_changes``, then
        one column per feature changed in any scenario holding its new value (empty
        where that scenario leaves it alone). When some scenario moved linked features,
        those features get a column too (after the changed ones) and a last column
        ``linked`` names the features each scenario moved that way (``n_changes`` counts
        only the changes made by hand).
    """
    items = [s if isinstance(s, Scenario) else Scenario.from_dict(s) for s in scenarios]
    changed = list(dict.fromkeys(c for s in items for c in s.changes))
    moved = [c for c in dict.fromkeys(c for s in items for c in s.linked) if c not in changed]
    rows = []
    for s in items:
        row = {
            "scenario": s.name,
            "customer": s.customer,
            "before": s.before,
            "after": s.after,
            "delta": s.delta,
            "n_changes": len(s.changes),
        }
        row.update({c: s.changes[c] if c in s.changes else s.linked.get(c) for c in changed})
        row.update({c: s.linked.get(c) for c in moved})
        if any(x.linked for x in items):
            row["linked"] = ", ".join(map(str, s.linked))
        rows.append(row)
    base = ["scenario", "customer", "before", "after", "delta", "n_changes"]
    extra = ["linked"] if any(x.linked for x in items) else []
    return pd.DataFrame(rows, columns=base + changed + moved + extra)
