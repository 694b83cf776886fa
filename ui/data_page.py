"""The Data page's sections: source, how the file was read, role editor, label mapping,
dates, validation issues and the confirm step.

``pages/1_Data.py`` calls these in order and stays thin. Nothing here computes an
analysis: reading, proposing roles, building the customer table and validating are
``churn.*`` calls made through ``ui.cache`` / ``ui.cache_data_page``.

State rules (DESIGN rule 8): widget keys start with ``data.``; page bookkeeping that
must outlive a widget lives under ``data._*`` keys that no widget owns. The editor's
widgets are seeded from the confirmed roles when there are some for this file and
sheet, otherwise from the proposal, so coming back to the page shows what the user
confirmed. A failed read never touches the current dataset or its confirmation.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from churn.errors import ChurnDataError, ValidationIssue
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
from churn.table import STATUS, STATUS_EXCLUDED, STATUS_TOO_NEW, CustomerTable
from churn.text import catalogue as text_catalogue
from ui import cache
from ui import cache_data_page as cdp
from ui.i18n import (
    DEFAULT_LANG,
    catalogue,
    current_lang,
    error_message,
    fmt_date,
    fmt_int,
    fmt_pct,
    lib_text,
    md_safe,
    t,
)
from ui.intake import DEFAULT_INACTIVITY_DAYS, SAMPLE_DIR, SAMPLES, confirm, load_file, load_sample
from ui.state import Confirmed, Dataset, get_confirmed, get_dataset, keep_choice, set_confirmed
from ui.widgets import PAGES, fixed_labels, show_table
from ui.workspace import autosave

log = logging.getLogger("churnlens")

UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "parquet"]
PREVIEW_ROWS = 200
NONE = ""  # the "(none)" choice of a single-role selectbox
MAP_CHOICES = ("churned", "active", "left_out")
TENURE_UNITS = ("days", "weeks", "months", "years")
#: Roles whose column is never offered as a model feature (ids, labels, raw dates,
#: leakage-prone reasons and personal columns).
NOT_FEATURES = ("id", "label", "start", "end", "event_date", "reason", "name", "email")

# Page bookkeeping (no widget owns these keys).
_UPLOAD_SEEN = "data._upload_seen"  # file_id of the last upload handled
_UPLOAD_ERROR = "data._upload_error"  # (file_id, name, message) of a failed read
_SAMPLE_ERROR = "data._sample_error"
_FOR_HASH = "data._for_hash"  # the dataset the sheet choice belongs to
_EDITOR_BASE = "data._editor_base"  # "hash|sheet" the editor widgets were seeded for
_SNAPSHOT_AUTO = "data._snapshot_auto"
#: Widget keys reset when the file or sheet changes.
_EDITOR_KEYS = ("data.role.", "data.map.", "data.features", "data.categorical")
_EDITOR_KEYS += ("data.tenure_unit", "data.dayfirst", "data.snapshot", "data.inactivity")


def mapping_ready(roles: ColumnRoles) -> bool:
    """A customer file's label needs at least one value meaning churned before a table
    can be built (the mapping section says so; no need for a second, louder error)."""
    return not (roles.shape == "customers" and roles.label and not roles.churned_values)


def _seed(key: str, value: Any) -> None:
    """Give a widget its first value through session state (never through ``value=``)."""
    if key not in st.session_state:
        st.session_state[key] = value


def _forget(prefixes: tuple[str, ...]) -> None:
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith(prefixes):
            del st.session_state[key]


# --------------------------------------------------------------------------- source


def _try_load(name: str, data: bytes, *, is_sample: bool = False) -> str | None:
    """Read ``data``; only when that works make it the current dataset. Returns an error."""
    probe = Dataset.from_bytes(name, data, is_sample=is_sample)
    try:
        cache.read(probe.content_hash, name, None, data)
    except ChurnDataError as exc:
        return error_message(exc)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not lose the user's work
        log.exception("Reading %s failed", name)
        return t("data.read_unexpected", kind=type(exc).__name__)
    load_file(name, data, is_sample=is_sample)
    return None


def _load_sample(kind: str) -> str | None:
    path = SAMPLE_DIR / SAMPLES[kind]
    if not path.is_file():
        return t("data.sample_missing", name=path.name)
    error = _try_load(path.name, path.read_bytes(), is_sample=True)
    if error is None:
        try:
            load_sample(kind)  # reads from the cache just filled; confirms the proposal
        except ChurnDataError as exc:
            set_confirmed(None)  # the file is loaded; the user fixes the roles below
            return error_message(exc)
    return error


def source_section() -> None:
    """File uploader and sample buttons. A bad file leaves the current dataset alone."""
    st.subheader(t("data.source_title"))
    left, right = st.columns([3, 2])
    upload = left.file_uploader(
        t("data.upload_label"), type=UPLOAD_TYPES, key="data.upload", help=t("data.upload_help")
    )
    with right:
        st.caption(t("data.samples_title"))
        for kind in SAMPLES:
            if st.button(t(f"data.sample_{kind}"), key=f"data.sample.{kind}", width="stretch"):
                st.session_state[_SAMPLE_ERROR] = _load_sample(kind)
                if st.session_state[_SAMPLE_ERROR] is None:
                    st.session_state.pop(_UPLOAD_ERROR, None)
                    st.rerun()
    if st.session_state.get(_SAMPLE_ERROR):
        st.error(st.session_state[_SAMPLE_ERROR], icon=":material/error:")

    if upload is None:
        st.session_state.pop(_UPLOAD_ERROR, None)
        return
    if st.session_state.get(_UPLOAD_SEEN) != upload.file_id:
        st.session_state[_UPLOAD_SEEN] = upload.file_id
        st.session_state[_SAMPLE_ERROR] = None
        error = _try_load(upload.name, upload.getvalue())
        if error is None:
            st.session_state.pop(_UPLOAD_ERROR, None)
            st.rerun()  # so the sidebar and every section show the new file
        st.session_state[_UPLOAD_ERROR] = (upload.file_id, upload.name, error)
    failed = st.session_state.get(_UPLOAD_ERROR)
    if failed and failed[0] == upload.file_id:
        st.error(t("data.read_failed", name=failed[1], message=failed[2]), icon=":material/error:")
        if get_dataset() is not None:
            st.caption(t("data.kept_previous", name=get_dataset().name))


# --------------------------------------------------------------------------- reading


def _delimiter(d: str | None) -> str:
    if d is None or d == "":
        return "–"
    named = {"\t": "data.delim_tab", " ": "data.delim_space", r"\s+": "data.delim_space"}
    return t(named[d]) if d in named else f"`{d}`"


def _listing(value: Any) -> list[str]:
    """Conversions or notes as lines, whatever shape the reader gives them in."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = list(value.items())
    if isinstance(value, str):
        return [_note_text(value)]
    if isinstance(value, int | float):
        return [fmt_int(value)] if value else []
    return [
        f"`{v[0]}`: {lib_text(v[1])}" if isinstance(v, tuple) and len(v) == 2 else _note_text(v)
        for v in value
    ]


#: Reader notes the page already states in its own lines.
_NOTES_SHOWN_ELSEWHERE = {"blank_cells", "converted"}


def _note_text(note: Any) -> str:
    """A reader note in the user's language when ``data.io_<code>`` translates it; the
    reader's English text otherwise (or when the note lacks a value the text needs)."""
    code = getattr(note, "code", None)
    text = catalogue(current_lang()).get(f"data.io_{code}") if code else None
    if not text:
        return lib_text(note)
    params = getattr(note, "params", None) or {}
    values = {k: fmt_int(v) if isinstance(v, int) else v for k, v in params.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return str(note)


def read_section(ds: Dataset) -> tuple[Any, str | None] | None:
    """The sheet choice, how the file was read, and a preview. Returns (result, sheet)."""
    if st.session_state.get(_FOR_HASH) != ds.content_hash:
        _forget(("data.sheet",))
        st.session_state[_FOR_HASH] = ds.content_hash
    first = cache.read_dataset(ds)
    result, sheet = first, first.sheet
    sheets = list(getattr(first, "sheets", None) or [])
    st.subheader(t("data.read_title"))
    if len(sheets) > 1:
        conf = get_confirmed()
        _seed("data.sheet", conf.sheet if conf and conf.sheet in sheets else first.sheet)
        sheet = st.selectbox(
            t("data.sheet"), sheets, key="data.sheet", help=t("data.sheet_help", n=len(sheets))
        )
        if sheet != first.sheet:
            try:
                result = cache.read(ds.content_hash, ds.name, sheet, ds.data)
            except ChurnDataError as exc:
                st.error(t("data.sheet_failed", sheet=sheet, message=error_message(exc)))
                return None
    frame = result.frame
    lines = [
        t("data.read_file", name=ds.name, kind=str(getattr(result, "kind", "") or "–")),
        t("data.read_size", rows=fmt_int(len(frame)), cols=fmt_int(frame.shape[1])),
    ]
    if getattr(result, "encoding", None):
        lines.append(t("data.read_encoding", encoding=result.encoding))
    if getattr(result, "delimiter", None):
        lines.append(t("data.read_delimiter", delimiter=_delimiter(result.delimiter)))
    if sheet:
        lines.append(t("data.read_sheet", sheet=sheet))
    lines.append(t("data.read_blank", n=fmt_int(getattr(result, "blank_cells", 0) or 0)))
    conversions = _listing(getattr(result, "converted", None))
    notes = [
        _note_text(n)
        for n in getattr(result, "notes", None) or ()
        if getattr(n, "code", None) not in _NOTES_SHOWN_ELSEWHERE
    ]
    st.markdown("\n".join(f"- {line}" for line in lines))
    if conversions:
        st.markdown(
            t("data.read_converted") + "\n" + "\n".join(f"  - {md_safe(c)}" for c in conversions)
        )
    for note in notes:
        st.caption(md_safe(note))
    with st.expander(t("data.preview_title", n=fmt_int(min(PREVIEW_ROWS, len(frame))))):
        show_table(frame.head(PREVIEW_ROWS), hide_index=True)
    return result, sheet


# --------------------------------------------------------------------------- roles


def base_roles(ds: Dataset, sheet: str | None) -> ColumnRoles:
    """What the editor starts from: the confirmed roles for this file and sheet, else the
    proposal. Resets the editor's widgets when the file or the sheet changed."""
    base_id = f"{ds.content_hash}|{sheet}"
    if st.session_state.get(_EDITOR_BASE) != base_id:
        _forget(_EDITOR_KEYS)
        st.session_state[_EDITOR_BASE] = base_id
        st.session_state.pop(_SNAPSHOT_AUTO, None)
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
    return reason


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
        _seed(key, getattr(base, role) if getattr(base, role) in columns else NONE)
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
    unit = base.tenure_unit
    if picks["tenure"]:
        _seed(
            "data.tenure_unit", base.tenure_unit if base.tenure_unit in TENURE_UNITS else "months"
        )
        unit = grid[len(SINGLE_ROLES) % 4].selectbox(
            t("data.tenure_unit"),
            TENURE_UNITS,
            key=keep_choice("data.tenure_unit"),
            format_func=fixed_labels({u: t(f"data.unit_{u}") for u in TENURE_UNITS}),
        )

    taken = {picks[r] for r in NOT_FEATURES if picks[r]}
    feature_options = [c for c in columns if c not in taken]
    _seed("data.features", [c for c in base.features if c in columns])
    st.session_state["data.features"] = [
        c for c in st.session_state["data.features"] if c in feature_options
    ]
    features = st.multiselect(
        t("data.features"), feature_options, key="data.features", help=t("data.features_help")
    )
    _seed("data.categorical", [c for c in base.categorical if c in columns])
    st.session_state["data.categorical"] = [
        c for c in st.session_state["data.categorical"] if c in features
    ]
    categorical = st.multiselect(
        t("data.categorical"), features, key="data.categorical", help=t("data.categorical_help")
    )

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
    rows = zip(values["value"], values["count"], values["meaning"], strict=True)
    for i, (value, count, meaning) in enumerate(rows):
        key = f"data.map.{label}.{value}"
        _seed(key, meaning if meaning in MAP_CHOICES else "left_out")
        choice = grid[i % 3].radio(
            t("data.map_value", value=value, rows=fmt_int(count)),
            MAP_CHOICES,
            key=keep_choice(key),
            horizontal=True,
            format_func=choice_text,
        )
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
            _seed("data.dayfirst", base.dayfirst)
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
        _seed("data.inactivity", int(n_base))
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


def snapshot_input(auto: pd.Timestamp | None) -> str | None:
    """The "as of" date: the latest date in the data unless the user picks another.

    Returns None for "latest date in the data" (so the cache key does not change when
    the data's own latest date is kept), else the chosen date as ISO text.
    """
    if auto is None or pd.isna(auto):
        return None
    auto_day = pd.Timestamp(auto).date()
    conf = get_confirmed()
    previous_auto = st.session_state.get(_SNAPSHOT_AUTO)
    if "data.snapshot" not in st.session_state:
        start = conf.snapshot if conf is not None and conf.snapshot else None
        st.session_state["data.snapshot"] = pd.Timestamp(start).date() if start else auto_day
    elif previous_auto is not None and st.session_state["data.snapshot"] == previous_auto:
        st.session_state["data.snapshot"] = auto_day  # follow the data's latest date
    st.session_state[_SNAPSHOT_AUTO] = auto_day
    chosen = st.date_input(
        t("data.snapshot"),
        key="data.snapshot",
        min_value=dt.date(1900, 1, 1),
        max_value=dt.date(2100, 12, 31),
        help=t("data.snapshot_help", date=fmt_date(auto_day)),
    )
    if not chosen or chosen == auto_day:
        return None
    return chosen.isoformat()


def inactivity_preview(ds: Dataset, sheet: str | None, roles: ColumnRoles, snapshot, n: int):
    """How the churn rate moves with N (event logs only)."""
    if not roles.event_date:
        return
    try:
        preview = cdp.inactivity_preview(ds, sheet, roles, snapshot)
    except ChurnDataError as exc:
        st.warning(error_message(exc))
        return
    st.markdown(t("data.preview_n_title"))
    left, right = st.columns([3, 2])
    left.line_chart(
        preview,
        x="inactivity_days",
        y="churn_rate",
        x_label=t("data.col_n"),
        y_label=t("data.col_rate"),
        height=220,
    )
    shown = ["inactivity_days", "customers", "churned", "too_new", "churn_rate"]
    show_table(
        preview[[c for c in shown if c in preview.columns]].rename(
            columns={
                "inactivity_days": t("data.col_n"),
                "customers": t("data.col_customers"),
                "churned": t("data.col_churned"),
                "too_new": t("data.col_too_new"),
                "churn_rate": t("data.col_rate"),
            }
        ),
        hide_index=True,
        height=220,
        column_config={t("data.col_rate"): st.column_config.NumberColumn(format="percent")},
        where=right,
    )
    st.caption(t("data.preview_n_caption", n=n))


# --------------------------------------------------------------------------- table


def draft(ds: Dataset, sheet: str | None, roles: ColumnRoles, snapshot, n: int) -> Confirmed:
    """The settings on screen, shaped like a confirmation (not stored until confirmed)."""
    return Confirmed(ds.content_hash, sheet, roles, snapshot=snapshot, inactivity_days=n)


def draft_section(
    ds: Dataset, sheet: str | None, roles: ColumnRoles, n: int, ready: bool
) -> tuple[str | None, bool]:
    """Build the table with the settings on screen (through the cache): the snapshot
    input, the event-log preview and a one-line result. Returns (snapshot, ready)."""
    if not ready:
        return None, False
    # Built with the data's own latest date first: that date is the snapshot's default.
    table, error = try_table(ds, draft(ds, sheet, roles, None, n))
    snapshot = None
    if table is not None and (roles.start or roles.end or roles.event_date):
        snapshot = snapshot_input(table.snapshot)
        if snapshot is not None:
            table, error = try_table(ds, draft(ds, sheet, roles, snapshot, n))
    if error is not None or table is None:
        st.error(t("data.draft_failed", message=error), icon=":material/error:")
        return snapshot, False
    inactivity_preview(ds, sheet, roles, snapshot, n)
    draft_caption(table)
    return snapshot, True


def try_table(ds: Dataset, conf: Confirmed) -> tuple[CustomerTable | None, str | None]:
    """The customer table for ``conf`` through the cache, or the reason it cannot be built."""
    try:
        return cache.customer_table(ds, conf), None
    except ChurnDataError as exc:
        return None, error_message(exc)


def _issue_text(issue: ValidationIssue) -> tuple[str, str]:
    """The issue's message and fix in the user's language.

    English shows the library's own text (it carries more detail, such as shares and
    examples); other languages use ``data.issue_<code>[_<severity>]`` from the catalogue
    with the column and count, and fall back to the English text for unknown codes.
    """
    lang = current_lang()
    if lang == DEFAULT_LANG:
        return md_safe(issue.message), md_safe(issue.fix or "")
    cat = catalogue(lang)
    values = {"column": issue.column or "", "count": fmt_int(issue.count)}

    def pick(suffix: str, english: str) -> str:
        for key in (
            f"data.issue_{issue.code}_{issue.severity}{suffix}",
            f"data.issue_{issue.code}{suffix}",
        ):
            if key in cat:
                return t(key, **values)
        return english

    # the library's own sentence (with its shares and examples) when it is translated
    known = text_catalogue(lang)
    if getattr(issue.message, "template", None) in known:
        message = lib_text(issue.message, lang)
    else:
        message = pick("", lib_text(issue.message, lang))
    if not issue.fix:
        return message, ""
    if getattr(issue.fix, "template", None) in known:
        return message, lib_text(issue.fix, lang)
    return message, pick("_fix", lib_text(issue.fix, lang))


_SEVERITY_ICON = {
    "error": ":material/error:",
    "warning": ":material/warning:",
    "info": ":material/info:",
}


def issues_section(issues: list[ValidationIssue]) -> None:
    """Validation issues: severity icon, column, message and suggested fix."""
    st.subheader(t("data.issues_title"))
    if not issues:
        st.success(t("data.issues_none"), icon=":material/check_circle:")
        return
    order = {"error": 0, "warning": 1, "info": 2}
    ranked = sorted(issues, key=lambda i: order.get(i.severity, 3))
    loud = [i for i in ranked if i.severity != "info"]
    quiet = [i for i in ranked if i.severity == "info"]
    for issue in loud:
        _one_issue(issue)
    if quiet:
        with st.expander(t("data.issues_info", n=len(quiet))):
            for issue in quiet:
                _one_issue(issue)


def _one_issue(issue: ValidationIssue) -> None:
    message, fix = _issue_text(issue)
    where = t("data.issue_column", column=issue.column) if issue.column else t("data.issue_file")
    body = f"**{where}** · {message}"
    if fix:
        body += "  \n" + t("data.issue_fix", fix=fix)
    box = {"error": st.error, "warning": st.warning}.get(issue.severity, st.info)
    box(body, icon=_SEVERITY_ICON.get(issue.severity, ":material/info:"))


def table_counts(table: CustomerTable) -> dict[str, int]:
    """Customers, churned, labelled, too new and left out, for the summary."""
    status = table.frame[STATUS]
    return {
        "customers": table.n_customers,
        "churned": table.n_churned,
        "labelled": int(table.frame["churned"].notna().sum()),
        "too_new": int((status == STATUS_TOO_NEW).sum()),
        "left_out": int((status == STATUS_EXCLUDED).sum()),
    }


def draft_caption(table: CustomerTable) -> None:
    """One line: what the table would look like with the settings on screen."""
    c = table_counts(table)
    st.caption(
        t(
            "data.draft_line",
            customers=fmt_int(c["customers"]),
            churned=fmt_int(c["churned"]),
            rate=fmt_pct(table.churn_rate),
            labelled=fmt_int(c["labelled"]),
        )
    )


def confirm_section(ds: Dataset, candidate: Confirmed, ready: bool) -> None:
    """The confirm button, and the summary of the confirmed table."""
    conf = get_confirmed()
    current = conf is not None and conf.key == candidate.key
    if conf is not None and not current:
        st.info(t("data.changed_since_confirm"), icon=":material/edit:")
    clicked = st.button(
        t("data.confirm_again" if current else "data.confirm"),
        key="data.confirm",
        type="primary",
        disabled=not ready,
        icon=":material/check:",
    )
    if clicked:
        table, error = try_table(ds, candidate)
        if error is not None:
            st.error(t("data.confirm_failed", message=error), icon=":material/error:")
            return
        confirm(
            ds,
            candidate.roles,
            sheet=candidate.sheet,
            snapshot=candidate.snapshot,
            inactivity_days=candidate.inactivity_days,
        )
        autosave("roles")  # the workspace (and the URL's ?ws=) follow the confirmation
        st.rerun()  # the sidebar and the other pages pick the confirmation up
    if current:
        table, error = try_table(ds, conf)
        if table is not None:
            summary(table)


def summary(table: CustomerTable) -> None:
    """Success summary: customers, churned, churn rate and its denominator, too new."""
    c = table_counts(table)
    st.success(t("data.confirmed_ok"), icon=":material/task_alt:")
    cols = st.columns(4)
    cols[0].metric(t("data.m_customers"), fmt_int(c["customers"]))
    cols[1].metric(t("data.m_churned"), fmt_int(c["churned"]))
    cols[2].metric(t("data.m_rate"), fmt_pct(table.churn_rate))
    if table.shape == "events":
        cols[3].metric(t("data.m_too_new"), fmt_int(c["too_new"]))
    else:
        cols[3].metric(t("data.m_left_out"), fmt_int(c["left_out"]))
    st.caption(
        t(
            "data.rate_over",
            churned=fmt_int(c["churned"]),
            labelled=fmt_int(c["labelled"]),
            too_new=fmt_int(c["too_new"]),
            left_out=fmt_int(c["left_out"]),
        )
    )
    if table.snapshot is not None:
        st.caption(t("data.snapshot_used", date=fmt_date(table.snapshot)))
    if table.notes:
        with st.expander(t("data.table_notes")):
            st.markdown("\n".join(f"- {lib_text(note)}" for note in table.notes))
    st.markdown(t("data.next_title"))
    links = st.columns(3)
    for col, ns in zip(links, ("over_time", "segments", "model"), strict=True):
        col.page_link(PAGES[ns], label=t(f"{ns}.title"), icon=":material/arrow_forward:")
