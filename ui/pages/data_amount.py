"""The amount's unit: a selectbox beside the amount role, and the captions that say what
the value figures of the other pages are.

``ui.pages.data_roles`` draws :func:`amount_unit_box`; the Over time, Segments and
What-if pages put :func:`value_caption` under a revenue figure. The unit's meaning and
the conversion to money per month live in the library (:mod:`churn.money`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from churn.money import basis_of
from churn.roles import AMOUNT_UNITS, ColumnRoles
from churn.table import CustomerTable
from ui.i18n import lib_text, t
from ui.state import keep_choice
from ui.widgets import fixed_labels

NOT_SET = ""  # the "not confirmed" choice
#: Session keys of the unit boxes, one per amount column (reset with the editor).
UNIT_KEY = "data.amount_unit."


def amount_unit_box(where: Any, base: ColumnRoles, column: str | None) -> str | None:
    """The unit of the amount ``column``: seeded from the proposal (or the confirmed
    roles) when it is that column, else not confirmed until the user says."""
    if not column:
        return None
    key = f"{UNIT_KEY}{column}"
    if key not in st.session_state:
        proposed = base.amount_unit if column == base.amount else None
        st.session_state[key] = proposed if proposed in AMOUNT_UNITS else NOT_SET
    options = [NOT_SET, *AMOUNT_UNITS]
    labels = {NOT_SET: t("amount_units.unit_none")}
    labels.update({u: t(f"amount_units.unit_{u}") for u in AMOUNT_UNITS})
    unit = where.selectbox(
        t("amount_units.unit_label"),
        options,
        key=keep_choice(key),
        format_func=fixed_labels(labels),
        help=t("amount_units.unit_help"),
    )
    if not unit:
        where.caption(t("amount_units.unit_missing", column=column))
    return unit or None


def value_caption(source: Any) -> str | None:
    """The caption naming the unit of a figure in money: "Money per month" or "Unit not
    confirmed", then how the amount was read. ``source`` is a library result whose
    ``attrs`` carry ``value_note`` and ``per_month`` (:func:`churn.money.unit_attrs`), or
    the customer table itself. None when there is nothing to say."""
    if isinstance(source, CustomerTable):
        basis = basis_of(source)
        note, per_month, usable = basis.note, basis.per_month, basis.usable
    else:
        attrs = getattr(source, "attrs", {}) or {}
        note, per_month, usable = attrs.get("value_note"), attrs.get("per_month"), True
    if note is None:
        return None
    if not usable:
        return t("amount_units.figures_none", note=lib_text(note))
    key = "amount_units.figures_per_month" if per_month else "amount_units.figures_unconfirmed"
    return t(key, note=lib_text(note))
