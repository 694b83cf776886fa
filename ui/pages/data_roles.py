"""The Data page's role editor: which column is what, the label's values, and the dates.

``ui.pages.data`` calls these in order. The editor's widgets are seeded from the
confirmed roles when there are some for this file and sheet, otherwise from the
proposal (``ui.cache.propose_roles``), so coming back to the page shows what the user
confirmed. Widget keys start with ``data.``; bookkeeping that must outlive a widget lives
under ``data._*`` keys that no widget owns (DESIGN rule 8).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from churn.roles import (
    REASON_CONSTANT,
    REASON_DATE,
    REASON_EMPTY,
    REASON_IDENTIFIER,
    REASON_LEAK_NAME,
    REASON_LEAK_PREFIX,
    REASON_PERSONAL,
    REASON_TEXT,
    SINGLE_ROLES,
    ColumnRoles,
)
from ui import cache
from ui import cache_data_page as cdp
from ui.i18n import fmt_int, lib_text, t
from ui.intake import DEFAULT_INACTIVITY_DAYS
from ui.pages import data_evidence
from ui.pages.data_amount import UNIT_KEY, amount_unit_box
from ui.state import Dataset, get_confirmed, keep_choice
from ui.widgets import fixed_labels, show_table

NONE = ""  # the "(none)" choice of a single-role selectbox
MAP_CHOICES = ("churned", "active", "left_out")
TENURE_UNITS = ("days", "weeks", "months", "years")
#: Roles whose column is never offered as a model feature (ids, labels, raw dates,
#: leakage-prone reasons and personal columns).
NOT_FEATURES = ("id", "label", "start", "end", "event_date", "reason", "name", "email")

# Page bookkeeping (no widget owns these keys).
_EDITOR_BASE = "data._editor_base"  # "hash|sheet" the editor widgets were seeded for
SNAPSHOT_AUTO = "data._snapshot_auto"  # the latest date the "as of" input last offered
#: Widget keys reset when the file or sheet changes.
_EDITOR_KEYS = ("data.role.", "data.map.", "data.features", "data.categorical")
_EDITOR_KEYS += ("data.tenure_unit", "data.dayfirst", "data.snapshot", "data.inactivity")
_EDITOR_KEYS += (UNIT_KEY,)
_EDITOR_KEYS += ("data.keep_after_exit",)  # ui.pages.data_leakage's switch


def mapping_ready(roles: ColumnRoles) -> bool:
    """A customer file's label needs at least one value mapped (churned or active) before
    a table can be built (the mapping section says so; no need for a second, louder error).

    One side alone is allowed: a file of only cancellations or only current customers is
    summarised at 100 % or 0 % with a note, and only the Model page asks for both.
    """
    mapped = roles.churned_values or roles.active_values
    return not (roles.shape == "customers" and roles.label and not mapped)


def seed(key: str, value: Any) -> None:
    """Give a widget its first value through session state (never through ``value=``)."""
    if key not in st.session_state:
        st.session_state[key] = value


def forget(prefixes: tuple[str, ...]) -> None:
    """Drop every session value whose key starts with one of ``prefixes``."""
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(prefixes):
            del st.session_state[key]


def base_roles(ds: Dataset, sheet: str | None) -> ColumnRoles:
    """What the editor starts from: the confirmed roles for this file and sheet, else the
    proposal. Resets the editor's widgets when the file or the sheet changed."""
    base_id = f"{ds.content_hash}|{sheet}"
    if st.session_state.get(_EDITOR_BASE) != base_id:
        forget(_EDITOR_KEYS)
        st.session_state[_EDITOR_BASE] = base_id
        st.session_state.pop(SNAPSHOT_AUTO, None)
    conf = get_confirmed()
    if conf is not None and conf.sheet == sheet:
        return conf.roles
    return cache.propose_roles(ds.content_hash, ds.name, sheet, ds.data)


_REASONS = {
    REASON_IDENTIFIER: "data.reason_identifier",
    REASON_PERSONAL: "data.reason_personal",
    REASON_CONSTANT: "data.reason_constant",
    REASON_EMPTY: "data.reason_empty",
    REASON_TEXT: "data.reason_text",
    REASON_DATE: "data.reason_date",
    REASON_LEAK_NAME: "data.reason_leak_name",
}


def reason_text(reason: str) -> str:
    """Why a column was left out, in the user's language (known reasons only)."""
    if reason in _REASONS:
        return t(_REASONS[reason])
    if reason.startswith(REASON_LEAK_PREFIX):
        detail = getattr(reason, "params", {}).get(
            "detail", reason.removeprefix(REASON_LEAK_PREFIX)
        )
        return t("data.reason_leak_detail", detail=lib_text(detail))
    return lib_text(reason)  # a library sentence (a code, coordinates ...), translated


def shape_text(roles: ColumnRoles) -> str:
    """The detected input shape, in words."""
    return t(f"data.shape_{roles.shape}")


def role_editor(columns: list[str], base: ColumnRoles) -> ColumnRoles:
    """One selectbox per single role, features and categorical features, excluded columns."""
    options = [NONE, *columns]
    column_text = fixed_labels({NONE: t("data.none")})
    picks: dict[str, str | None] = {}
    grid = st.columns(4)
    for i, role in enumerate(SINGLE_ROLES):
        key = f"data.role.{role}"
        seed(key, getattr(base, role) if getattr(base, role) in columns else NONE)
        if st.session_state[key] not in options:
            st.session_state[key] = NONE
        choice = grid[i % 4].selectbox(
            t(f"data.role_{role}"),
            options,
            key=keep_choice(key),
            format_func=column_text,
            help=t(f"data.role_{role}_help"),
        )
        picks[role] = choice or None
        data_evidence.reason_line(grid[i % 4], base, role, picks[role])
    unit = base.tenure_unit
    if picks["tenure"]:
        seed("data.tenure_unit", base.tenure_unit if base.tenure_unit in TENURE_UNITS else "months")
        unit = grid[len(SINGLE_ROLES) % 4].selectbox(
            t("data.tenure_unit"),
            TENURE_UNITS,
            key=keep_choice("data.tenure_unit"),
            format_func=fixed_labels({u: t(f"data.unit_{u}") for u in TENURE_UNITS}),
        )
    amount_unit = amount_unit_box(grid[(len(SINGLE_ROLES) + 1) % 4], base, picks["amount"])

    data_evidence.check_roles(base, picks)
    taken = {picks[r] for r in NOT_FEATURES if picks[r]}
    feature_options = [c for c in columns if c not in taken]
    seed("data.features", [c for c in base.features if c in columns])
    st.session_state["data.features"] = [
        c for c in st.session_state["data.features"] if c in feature_options
    ]
    features = st.multiselect(
        t("data.features"), feature_options, key="data.features", help=t("data.features_help"),
        placeholder=t("widgets.choose_options"),
    )  # fmt: skip
    seed("data.categorical", [c for c in base.categorical if c in columns])
    st.session_state["data.categorical"] = [
        c for c in st.session_state["data.categorical"] if c in features
    ]
    categorical = st.multiselect(
        t("data.categorical"), features, key="data.categorical", help=t("data.categorical_help"),
        placeholder=t("widgets.choose_options"),
    )  # fmt: skip

    used = set(features) | {c for c in picks.values() if c}
    # A column the user adds to the features is brought back: it leaves this list.
    excluded = [(c, r) for c, r in base.excluded if c in columns and c not in features]
    if excluded:
        st.markdown(t("data.excluded_title", n=len(excluded)))
        show_table(
            pd.DataFrame(
                [(c, reason_text(r)) for c, r in excluded],
                columns=[t("data.col_column"), t("data.col_reason")],
            ),
            hide_index=True,
        )
        st.caption(t("data.excluded_bring_back"))
    return base.with_(
        **picks,
        tenure_unit=unit,
        amount_unit=amount_unit,
        features=list(features),
        categorical=[c for c in features if c in categorical],
        personal=[c for c in base.personal if c not in used],
        excluded=excluded,
    )


def label_mapping(ds: Dataset, sheet: str | None, roles: ColumnRoles, base: ColumnRoles):
    """Each distinct value of the label column -> churned / active / leave out."""
    label = roles.label
    if not label:
        return roles.with_(churned_values=(), active_values=())
    st.markdown(t("data.map_title", column=label))
    # The confirmed (or proposed) mapping applies when the column is the one it was made
    # for; a newly chosen column starts from the label vocabulary.
    values = cdp.label_values(ds, sheet, label, base if label == base.label else None)
    if values.empty:
        st.warning(t("data.map_empty", column=label))
        return roles.with_(churned_values=(), active_values=())
    n_distinct = int(values.attrs.get("n", len(values)))
    if n_distinct > len(values):
        st.warning(t("data.map_too_many", column=label, n=fmt_int(n_distinct), shown=len(values)))
    chosen: dict[str, list[str]] = {c: [] for c in MAP_CHOICES}
    grid = st.columns(3)
    choice_text = fixed_labels({c: t(f"data.map_{c}") for c in MAP_CHOICES})
    rates = data_evidence.unclear_rates(label, values)  # paused, trial ...: rate per choice
    rows = zip(values["value"], values["count"], values["meaning"], strict=True)
    for i, (value, count, meaning) in enumerate(rows):
        key = f"data.map.{label}.{value}"
        seed(key, meaning if meaning in MAP_CHOICES else "left_out")
        choice = grid[i % 3].radio(
            t("data.map_value", value=value, rows=fmt_int(count)),
            MAP_CHOICES,
            key=keep_choice(key),
            horizontal=True,
            format_func=choice_text,
        )
        data_evidence.rate_caption(grid[i % 3], rates, value)
        chosen[choice].append(value)
    if not chosen["churned"]:
        st.warning(t("data.map_no_churned"))
    elif not chosen["active"]:
        st.warning(t("data.map_no_active"))
    return roles.with_(churned_values=chosen["churned"], active_values=chosen["active"])


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class DateChoices:
    """What the dates section decided: the roles (with ``dayfirst``), N, and readiness."""

    roles: ColumnRoles
    inactivity_days: int
    ready: bool


def dates_section(
    ds: Dataset, sheet: str | None, roles: ColumnRoles, base: ColumnRoles
) -> DateChoices:
    """Day-first or month-first when it is ambiguous; N for event logs."""
    conf = get_confirmed()
    n_base = conf.inactivity_days if conf is not None else DEFAULT_INACTIVITY_DAYS
    date_cols = tuple(c for c in (roles.start, roles.end, roles.event_date) if c)
    if not date_cols:
        return DateChoices(roles, n_base, True)
    st.subheader(t("data.dates_title"))
    ready = True
    ambiguous = cdp.ambiguous_date_columns(ds.content_hash, ds.name, sheet, date_cols, ds.data)
    dayfirst = base.dayfirst
    if ambiguous:
        if base.dayfirst is not None:
            seed("data.dayfirst", base.dayfirst)
        dayfirst = st.radio(
            t("data.dayfirst_question", columns=", ".join(ambiguous)),
            (True, False),
            index=None,
            key=keep_choice("data.dayfirst"),
            format_func=fixed_labels({True: t("data.dayfirst_yes"), False: t("data.dayfirst_no")}),
            horizontal=True,
        )
        if dayfirst is None:
            st.info(t("data.dayfirst_needed"), icon=":material/calendar_month:")
            ready = False
    n = n_base
    if roles.event_date:
        seed("data.inactivity", int(n_base))
        n = int(
            st.number_input(
                t("data.inactivity"),
                min_value=1,
                max_value=3650,
                step=1,
                key="data.inactivity",
                help=t("data.inactivity_help"),
            )
        )
    return DateChoices(roles.with_(dayfirst=dayfirst), n, ready)
