"""The Data page's leakage lines: the switch that keeps columns measured after the customer
left, and the notes on features kept despite a warning sign.

``ui.pages.data`` calls :func:`leakage_section` right after the role editor. What is
measured after the customer left, and which kept features carry a note, comes from the
proposal (:func:`churn.roles.after_exit_columns`, ``ColumnRoles.reasons`` with the role
``"features"``); this module only draws it and moves the columns in or out of the
features widget.
"""

from __future__ import annotations

import streamlit as st

from churn.roles import ColumnRoles, after_exit_columns
from ui import cache
from ui.i18n import lib_text, md_safe, t
from ui.state import Dataset

KEEP_KEY = "data.keep_after_exit"
_FEATURES = "data.features"  # the role editor's features multiselect


def _move(columns: tuple[str, ...]) -> None:
    """The switch changed: put the columns into the features widget, or take them out."""
    chosen = list(st.session_state.get(_FEATURES, []))
    if st.session_state.get(KEEP_KEY):
        chosen += [c for c in columns if c not in chosen]
    else:
        chosen = [c for c in chosen if c not in columns]
    st.session_state[_FEATURES] = chosen


def leakage_section(ds: Dataset, sheet: str | None, base: ColumnRoles, roles: ColumnRoles):
    """The keep switch (only when the proposal left such columns out) and the notes on
    kept features; ``roles`` are the editor's current roles."""
    proposed = cache.propose_roles(ds.content_hash, ds.name, sheet, ds.data)
    after = after_exit_columns(proposed)
    if after:
        if KEEP_KEY not in st.session_state:
            st.session_state[KEEP_KEY] = all(c in base.features for c in after)
        st.checkbox(
            t("leakage.keep_after_exit", columns=", ".join(md_safe(c) for c in after)),
            key=KEEP_KEY,
            on_change=_move,
            args=(after,),
            help=t("leakage.keep_after_exit_help"),
        )
    notes = [
        (c, why)
        for role, c, _, why in proposed.reasons
        if role == "features" and c in roles.features
    ]
    if notes:
        lines = [t("leakage.note_line", column=md_safe(c), note=lib_text(why)) for c, why in notes]
        st.caption(t("leakage.notes_title") + "\n" + "\n".join(f"- {line}" for line in lines))
