"""The Data page's draft table and its checks: the "as of" date, the inactivity preview,
a one-line result, and the validation issues.

The customer table is built through the cache with the settings on screen before the
user confirms them (a draft ``Confirmed`` that is not stored), so a setting that cannot
work says why at once.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from churn.errors import ChurnDataError, ValidationIssue
from churn.roles import ColumnRoles
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
from ui.pages.data_roles import SNAPSHOT_AUTO
from ui.state import Confirmed, Dataset, get_confirmed
from ui.tables import percent_column, percent_view
from ui.widgets import show_table


def snapshot_input(auto: pd.Timestamp | None) -> str | None:
    """The "as of" date: the latest date in the data unless the user picks another.

    Returns None for "latest date in the data" (so the cache key does not change when
    the data's own latest date is kept), else the chosen date as ISO text.
    """
    if auto is None or pd.isna(auto):
        return None
    auto_day = pd.Timestamp(auto).date()
    conf = get_confirmed()
    previous_auto = st.session_state.get(SNAPSHOT_AUTO)
    if "data.snapshot" not in st.session_state:
        start = conf.snapshot if conf is not None and conf.snapshot else None
        st.session_state["data.snapshot"] = pd.Timestamp(start).date() if start else auto_day
    elif previous_auto is not None and st.session_state["data.snapshot"] == previous_auto:
        st.session_state["data.snapshot"] = auto_day  # follow the data's latest date
    st.session_state[SNAPSHOT_AUTO] = auto_day
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
    scaled, _ = percent_view(preview[[c for c in shown if c in preview.columns]], ["churn_rate"])
    show_table(
        scaled.rename(
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
        column_config={t("data.col_rate"): percent_column()},
        where=right,
    )
    st.caption(t("data.preview_n_caption", n=n))


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
        return lib_text(issue.message, lang), md_safe(issue.fix or "")
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


def issues_section(issues: list[ValidationIssue], step: int = 5) -> None:
    """Validation issues: severity icon, column, message and suggested fix (heading number
    ``step``: 4 when the file has no dates to settle)."""
    st.subheader(t("data.issues_title", n=step))
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
