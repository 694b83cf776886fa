"""Churn definitions (a registry: the built-ins register the way an addition would)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from churn.errors import ChurnDataError
from churn.text import msg

#: Period name -> pandas period frequency (weeks run Monday to Sunday, as ISO weeks do).
PERIODS: dict[str, str] = {"week": "W-SUN", "month": "M", "quarter": "Q-DEC", "year": "Y-DEC"}


@dataclass(frozen=True)
class ChurnDefinition:
    """One way to divide lost customers by customers at risk.

    Attributes
    ----------
    name : registry key (``start``, ``start_plus_new``, ``lost_over_new``).
    label : short English name; the UI shows its own translation keyed on ``name``.
    explanation : one English sentence saying what is divided by what.
    source : who uses this definition.
    function : ``counts -> (numerator, denominator)`` on a frame with the columns
        ``active_start``, ``new``, ``churned`` and ``churned_from_start``.
    """

    name: str
    label: str
    explanation: str
    source: str
    function: Callable[[pd.DataFrame], tuple[pd.Series, pd.Series]] = field(repr=False)


CHURN_DEFINITIONS: dict[str, ChurnDefinition] = {}


def register_definition(definition: ChurnDefinition) -> ChurnDefinition:
    """Add a churn definition to :data:`CHURN_DEFINITIONS` (replacing one of that name)."""
    CHURN_DEFINITIONS[definition.name] = definition
    return definition


register_definition(
    ChurnDefinition(
        name="start",
        label=msg("Start of period"),
        explanation=msg(
            "Customers active at the start of the period who left during it, divided by "
            "the customers active at the start; people who join and leave inside the "
            "period are not counted."
        ),
        source="ChartMogul, Baremetrics",
        function=lambda c: (c["churned_from_start"], c["active_start"]),
    )
)
register_definition(
    ChurnDefinition(
        name="start_plus_new",
        label=msg("Start plus new"),
        explanation=msg(
            "Everyone who left during the period, divided by the customers active at the "
            "start plus the customers who joined during it."
        ),
        source="Stripe Billing",
        function=lambda c: (c["churned"], c["active_start"] + c["new"]),
    )
)
register_definition(
    ChurnDefinition(
        name="lost_over_new",
        label=msg("Lost over new"),
        explanation=msg(
            "Everyone who left during the period, divided by the new customers acquired "
            "in it (can exceed 100 % when few join)."
        ),
        source="the domain articles (e.g. 10 lost / 250 new = 4 %)",
        function=lambda c: (c["churned"], c["new"]),
    )
)


def get_definition(name: str) -> ChurnDefinition:
    """The registered churn definition ``name`` (raises ChurnDataError when unknown)."""
    try:
        return CHURN_DEFINITIONS[name]
    except KeyError:
        raise ChurnDataError(
            msg("Unknown churn definition '{name}'.", name=name),
            fix=msg("use one of: {choices}.", choices=", ".join(CHURN_DEFINITIONS)),
        ) from None


def period_freq(period: str) -> str:
    """The pandas frequency of a period name of :data:`PERIODS` (raises when unknown)."""
    try:
        return PERIODS[period]
    except KeyError:
        raise ChurnDataError(
            msg("Unknown period '{period}'.", period=period),
            fix=msg("use one of: {choices}.", choices=", ".join(PERIODS)),
        ) from None
