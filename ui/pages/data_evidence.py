"""The Data page's evidence lines: why each role was proposed (and how sure), and, for
label values with no clear meaning, the churn rate each choice would give.

``ui.pages.data_roles`` calls these beside its widgets. The reasons and the rates come
from the library (:func:`churn.roles.reasons_in_use`, :func:`churn.roles.label_choice_rates`);
this module only draws them in the user's language.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from churn.roles import ColumnRoles, label_choice_rates, reasons_in_use
from ui.i18n import fmt_pct, lib_text, t


def _reasons(base: ColumnRoles) -> dict[tuple[str, str], tuple[str, str]]:
    return {(r, c): (conf, why) for r, c, conf, why in reasons_in_use(base)}


def reason_line(where: Any, base: ColumnRoles, role: str, column: str | None) -> None:
    """One line under a role's selectbox: the proposal's confidence and reason, when the
    column shown is the one proposed (a column the user chose has no proposal reason)."""
    found = _reasons(base).get((role, column or ""))
    if found is None:
        return
    confidence, why = found
    key = "roles_evidence.reason_check" if confidence == "low" else "roles_evidence.reason_line"
    where.caption(
        t(key, confidence=t(f"roles_evidence.confidence_{confidence}"), reason=lib_text(why))
    )


def check_roles(base: ColumnRoles, picks: dict[str, str | None]) -> None:
    """Ask the user to check the roles whose proposal rests on weak evidence."""
    weak = [
        t(f"data.role_{role}")
        for (role, column), (confidence, _) in _reasons(base).items()
        if confidence == "low" and picks.get(role) == column
    ]
    if weak:
        st.warning(t("roles_evidence.check_roles", roles=", ".join(weak)), icon=":material/help:")


def unclear_rates(label: str, values: pd.DataFrame) -> pd.DataFrame:
    """The churn rate each choice gives for the label's unclear values (paused, trial ...),
    with the other values as currently chosen on screen; indexed by value. Says above the
    mapping which values are unclear."""
    chosen = {v: st.session_state.get(f"data.map.{label}.{v}") for v in values["value"]}
    rates = label_choice_rates(values, {v: c for v, c in chosen.items() if c})
    if len(rates):
        st.info(
            t(
                "roles_evidence.unclear_title",
                column=label,
                values=", ".join(str(v) for v in rates["value"]),
            ),
            icon=":material/help:",
        )
    return rates.set_index("value")


def rate_caption(where: Any, rates: pd.DataFrame, value: str) -> None:
    """Under an unclear value's choice: the churn rate if churned, active or left out."""
    if value not in rates.index:
        return
    row = rates.loc[value]
    where.caption(
        t(
            "roles_evidence.unclear_rates",
            churned=fmt_pct(row["churned"]),
            active=fmt_pct(row["active"]),
            left_out=fmt_pct(row["left_out"]),
        )
    )
