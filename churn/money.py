"""Money per month: a customer's value from the amount role and its unit.

Lifetime value, revenue churn, revenue at stake and revenue at risk all need what a
customer brings in a month. ``ColumnRoles.amount_unit`` says what one value of the amount
column is, and :func:`with_monthly_value` (called once by ``build_customer_table``) turns
the customer table's ``value`` column into money per month:

- ``"month"``: as it is;
- ``"year"``: divided by 12;
- ``"total"`` (a lifetime total so far): divided by the customer's tenure in months (at
  least one); refused without a tenure;
- an event log's amounts (``"order"``, or a monthly or yearly payment on each row) are
  added up per customer and divided by the customer's months of activity (at least one;
  at least twelve for yearly payments); a running ``"total"`` cannot be added up and is
  refused, and so is ``"order"`` in a file with one row per customer (orders per month
  unknown);
- None (nobody said): the values are used as they are, and every figure says that the
  unit is not confirmed instead of calling them money per month.

:func:`value_basis` says which case applies, in one translatable sentence that the
figures' notes and captions repeat.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from churn.roles import ColumnRoles
from churn.roles.amount import AMOUNT_UNITS
from churn.table import TENURE, VALUE, CustomerTable
from churn.text import Text, msg

#: Days in an average month (the factor a tenure in months was turned into days with).
DAYS_PER_MONTH = 365.25 / 12

__all__ = [
    "AMOUNT_UNITS",
    "DAYS_PER_MONTH",
    "ValueBasis",
    "basis_of",
    "monthly_amounts",
    "unit_attrs",
    "value_notes",
    "value_basis",
    "with_monthly_value",
]


@dataclass(frozen=True)
class ValueBasis:
    """How the customer table's ``value`` relates to the amount column.

    Attributes
    ----------
    column : the amount column of the file (None: no amount role).
    unit : ``ColumnRoles.amount_unit`` (None: not confirmed).
    usable : a value per customer can be given (False: the unit cannot become money per
        month, e.g. a lifetime total without a tenure; the table then has no value).
    per_month : the values are money per month (False when the unit is not confirmed).
    note : one sentence saying how the values were read, or why there are none (None
        without an amount column).
    """

    column: str | None
    unit: str | None
    usable: bool
    per_month: bool
    note: Text | None

    @property
    def confirmed(self) -> bool:
        return self.unit is not None


def value_basis(
    roles: ColumnRoles, shape: str | None = None, *, has_tenure: bool = True
) -> ValueBasis:
    """Which reading of the amount column applies (see the module's list).

    Parameters
    ----------
    roles : the confirmed roles (``amount`` and ``amount_unit``).
    shape : "customers", "subscriptions" or "events" (default ``roles.shape``).
    has_tenure : whether customers have a tenure (needed for a lifetime total).
    """
    col, unit = roles.amount, roles.amount_unit
    shape = shape or roles.shape
    if not col:
        return ValueBasis(None, unit, False, False, None)
    if unit is not None and unit not in AMOUNT_UNITS:
        unit = None  # an unknown word (a hand-edited workspace): treated as not confirmed
    events = shape == "events"
    if unit is None:
        if events:
            note = msg(
                "The unit of '{column}' is not confirmed: its amounts are added up per "
                "customer and used as they are, not as money per month. Choose the unit "
                "on the Data page (or with --amount-unit).",
                column=col,
            )
        else:
            note = msg(
                "The unit of '{column}' is not confirmed: its values are used as they are, "
                "not as money per month. Choose the unit on the Data page (or with "
                "--amount-unit).",
                column=col,
            )
        return ValueBasis(col, None, True, False, note)
    refused = _refusal(col, unit, events, has_tenure)
    if refused is not None:
        return ValueBasis(col, unit, False, False, refused)
    return ValueBasis(col, unit, True, True, _reading(col, unit, events))


def _refusal(col: str, unit: str, events: bool, has_tenure: bool) -> Text | None:
    """Why the amounts cannot become money per month (None: they can)."""
    if unit == "total" and events:
        return msg(
            "'{column}' is set as a lifetime total, but an event log's amounts are added up "
            "per customer, and running totals cannot be: no value per month is shown. "
            "Choose 'per order' on the Data page if each row is one order.",
            column=col,
        )
    if unit == "total" and not has_tenure:
        return msg(
            "'{column}' is a lifetime total, and no tenure is known to turn it into an "
            "amount per month: no value per month is shown. Set a tenure column or "
            "dates on the Data page.",
            column=col,
        )
    if unit == "order" and not events:
        return msg(
            "'{column}' is an amount per order, but the file has one row per customer, so "
            "the orders per month are unknown: no value per month is shown. Choose "
            "another unit on the Data page, or use the event log of orders.",
            column=col,
        )
    return None


def _reading(col: str, unit: str, events: bool) -> Text:
    """How the amounts become money per month, in one sentence."""
    if events and unit == "year":
        return msg(
            "'{column}' holds yearly payments: they are added up per customer and divided "
            "by the customer's months of activity (at least 12), giving money per month.",
            column=col,
        )
    if events:
        return msg(
            "'{column}' holds amounts per order: they are added up per customer and "
            "divided by the customer's months of activity (at least 1), giving money per "
            "month.",
            column=col,
        )
    if unit == "year":
        return msg("'{column}' is an amount per year, divided by 12: money per month.", column=col)
    if unit == "total":
        return msg(
            "'{column}' is a lifetime total so far, divided by each customer's tenure in "
            "months (at least 1): money per month.",
            column=col,
        )
    return msg("'{column}' is an amount per month.", column=col)


def monthly_amounts(
    value: np.ndarray, tenure_days: np.ndarray, unit: str | None, shape: str
) -> np.ndarray:
    """Each customer's value as money per month (see the module's list).

    ``value`` is the customer table's value before conversion (an event log's amounts
    already added up per customer), ``tenure_days`` its tenure. A unit that cannot be
    turned into money per month (see :func:`value_basis`) gives NaN everywhere; None gives
    the values as they are.
    """
    value = np.asarray(value, dtype=float)
    if unit is None or unit not in AMOUNT_UNITS:
        return value
    months = np.asarray(tenure_days, dtype=float) / DAYS_PER_MONTH
    events = shape == "events"
    if unit == "month" and not events:
        return value
    if unit == "year" and not events:
        return value / 12
    if (unit == "total" and events) or (unit == "order" and not events):
        return np.full(len(value), np.nan)
    floor = 12.0 if unit == "year" else 1.0
    with np.errstate(invalid="ignore"):
        return value / np.maximum(months, floor)  # an unknown tenure gives NaN


def with_monthly_value(table: CustomerTable) -> CustomerTable:
    """``table`` with its ``value`` column as money per month and a note saying how.

    Changes the table's (freshly built) frame in place and returns a copy of the table
    with the note added. A unit of "month" (or no amount role) changes nothing.
    """
    roles = table.roles
    if not roles.amount or VALUE not in table.frame.columns:
        return table
    basis = value_basis(roles, table.shape, has_tenure=table.has_tenure)
    if basis.unit == "month" and table.shape != "events":
        return table
    notes = list(table.notes)
    if basis.note is not None:
        notes.append(basis.note)
    frame = table.frame
    if basis.unit is not None:
        before = frame[VALUE].to_numpy(dtype=float)
        tenure = frame[TENURE].to_numpy(dtype=float)
        after = monthly_amounts(before, tenure, basis.unit, table.shape)
        if not basis.usable:
            after = np.full(len(before), np.nan)  # refused: the note says why
        frame[VALUE] = after
        lost = int((np.isfinite(before) & ~np.isfinite(after)).sum())
        if basis.usable and lost:
            notes.append(
                msg(
                    "{n:,} customers have an amount but no tenure, so no value per month.",
                    n=lost,
                )
            )
    return replace(table, notes=tuple(notes))


def basis_of(table: CustomerTable | pd.DataFrame) -> ValueBasis:
    """:func:`value_basis` of a customer table; a plain frame's ``value`` column is money
    per month by the table's contract (``churn.table.VALUE``)."""
    if isinstance(table, CustomerTable):
        return value_basis(table.roles, table.shape, has_tenure=table.has_tenure)
    return ValueBasis(VALUE, "month", VALUE in table.columns, True, None)


def unit_attrs(table: CustomerTable | pd.DataFrame) -> dict[str, object]:
    """``unit``, ``per_month`` and ``value_note`` of :func:`basis_of`, for the ``attrs``
    of a result that shows money (pages put the note in the figure's caption)."""
    basis = basis_of(table)
    return {"unit": basis.unit, "per_month": basis.per_month, "value_note": basis.note}


def value_notes(table: CustomerTable | pd.DataFrame, shown: bool) -> list[Text]:
    """The note to add to a result's notes: how the values were read when the result
    shows money (``shown``), or why it cannot when the amount's unit is refused."""
    basis = basis_of(table)
    if basis.note is None or not (shown or not basis.usable):
        return []
    return [basis.note]
