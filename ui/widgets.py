"""Shared widgets and page furniture."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from churn.languages import SOURCE_LANGUAGE
from churn.table import CustomerTable
from ui import cache
from ui.i18n import current_lang, t
from ui.nav import PAGES
from ui.state import KEPT, get_confirmed, get_dataset

#: The "(none)" choice of a selectbox. Not None: Streamlit sends a kept choice to the
#: browser as its label, and None has no label to send (the box would show empty).
NONE = ""
#: How every table shows a missing value (None, NaN, NaT): the dash the page text uses.
MISSING = "–"
#: Dates without a time of day, as the tables show them (2023-01-12).
DATE_FORMAT = "YYYY-MM-DD"
#: Columns every customer table has (``churn.table``), with a translated header.
CUSTOMER_COLUMNS = (
    "segment", "customer_id", "churned", "label_status", "start_date", "end_date",
    "tenure_days", "value",
)  # fmt: skip


def page_header(ns: str) -> None:
    """The page title and the one question it answers."""
    st.title(t(f"{ns}.title"))
    st.caption(t(f"{ns}.question"))


def require_table() -> CustomerTable:
    """The confirmed customer table, or a pointer to the Data page and a stop."""
    ds, conf = get_dataset(), get_confirmed()
    if ds is None or conf is None:
        st.info(t("common.need_data"), icon=":material/upload_file:")
        st.page_link(PAGES["data"], label=t("common.go_data"), icon=":material/arrow_forward:")
        st.stop()
    return cache.customer_table(ds, conf)


# ------------------------------------------------------------------ translated choices


def fixed_labels(texts: Mapping[Any, str]) -> Callable[[Any], str]:
    """A ``format_func`` with its texts fixed when the widget is drawn (options it does
    not know show as ``str(option)``).

    Streamlit calls a widget's ``format_func`` again after the run (AppTest does, from
    the test's own thread); a function that translates at call time would then answer
    in another language than the labels the widget was drawn with.
    """
    known = dict(texts)
    return lambda option: known.get(option, str(option))


def option_labels(options: Iterable[Hashable], label: Callable[[Any], str]) -> Callable[[Any], str]:
    """A ``format_func`` giving ``label(option)`` in the language of this run."""
    return fixed_labels({o: label(o) for o in options})


# ------------------------------------------------------------------------------ tables


def _as_dates(s: pd.Series) -> pd.Series | None:
    """``s`` as datetime64 when it holds dates (datetime64, or date/datetime objects)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("date", "datetime"):
        try:
            return pd.to_datetime(s, errors="coerce")
        except (TypeError, ValueError):
            return None
    return None


def _date_only(s: pd.Series) -> bool:
    """Whether every value of a datetime64 series falls on midnight (a plain date)."""
    days = s.dropna()
    return bool((days == days.dt.normalize()).all())


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy for ``st.dataframe``: no ``attrs`` (Streamlit cannot serialise the
    timestamps some result frames keep there) and dates held as objects made datetime64,
    so :func:`display_columns` can format them. Numbers stay numbers (they sort)."""
    out = frame.copy(deep=False)
    out.attrs = {}
    words = _value_words()
    status_names = {"label_status", t("common.col_label_status")}
    segment_names = {"segment", t("common.col_segment")}
    for name in out.columns.unique():
        col = out[name]
        if not isinstance(col, pd.Series):
            continue
        if col.dtype == object:
            dates = _as_dates(col)
            if dates is not None:
                out[name] = dates
                continue
        text_like = col.dtype == object or pd.api.types.is_string_dtype(col.dtype)
        if words and (text_like or isinstance(col.dtype, pd.CategoricalDtype)):
            if name in status_names:
                known = words
            elif name in segment_names:
                known = {k: words[k] for k in (*_LIB_LABELS, "all")}
            else:
                known = {k: words[k] for k in _LIB_LABELS}
            if col.isin(list(known)).any():
                out[name] = col.astype(object).replace(known)
    return out


#: Labels the library writes into tables: a segment for missing values, pooled small
#: groups; and the customer statuses of ``churn.table``.
_LIB_LABELS = ("(missing)", "other")
_STATUSES = ("churned", "active", "too_new", "excluded")


def _value_words() -> dict[str, str]:
    """Library labels in the current language ({} in English: nothing to change)."""
    if current_lang() == SOURCE_LANGUAGE:
        return {}
    out = {"(missing)": t("common.value_missing"), "other": t("common.value_other")}
    out["all"] = t("common.value_all")
    out.update({s: t(f"common.status_{s}") for s in _STATUSES})
    return out


def _plain_number(s: pd.Series) -> bool:
    """Whether ``s`` holds numbers (not flags) that Streamlit would show without separators."""
    return pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)


def display_columns(frame: pd.DataFrame, column_config: Mapping | None = None) -> dict:
    """``column_config`` plus a date format for every column holding plain dates, and
    thousands separators (Streamlit's "localized" format) for every number column the
    caller gave no format.

    Streamlit shows a datetime64 column as "2023-01-12 00:00:00"; a column whose values
    have no time of day shows as 2023-01-12. A label the caller gives for such a column
    (a plain string) keeps the date format; a full column setting of the caller wins.
    """
    given = dict(column_config or {})
    out: dict = {}
    ids = {"customer_id", t("common.col_customer_id")}  # a number id reads as written
    for name in frame.columns.unique():
        col = frame[name]
        if not isinstance(name, str) or not isinstance(col, pd.Series):
            continue  # a repeated column name: Streamlit shows it as it is
        label = given.get(name)
        if label is None and name in given:
            continue  # hidden by the caller
        if label is not None and not isinstance(label, str):
            continue  # the caller's own setting
        if _plain_number(col) and name not in ids:  # counts and money: separators
            out[name] = st.column_config.NumberColumn(label, format="localized")
            continue
        dates = _as_dates(col)
        if dates is not None and _date_only(dates):
            out[name] = st.column_config.DateColumn(label, format=DATE_FORMAT)
    return {**given, **out}


def show_table(
    frame: pd.DataFrame,
    *,
    where: Any = None,
    column_config: Mapping | None = None,
    **kwargs: Any,
) -> None:
    """``st.dataframe`` (in ``where``, a column or container; the page by default) with
    dates as dates and missing values as "–", the same on every page."""
    shown = display_frame(frame)
    (where or st).dataframe(
        shown,
        column_config=display_columns(shown, column_config),
        placeholder=MISSING,
        **kwargs,
    )


def customer_columns() -> dict[str, str]:
    """Translated headers for the canonical columns of a customer list (the user's own
    columns keep their names)."""
    return {c: t(f"common.col_{c}") for c in CUSTOMER_COLUMNS}


def lazy_tabs(key: str, ids: Sequence[str], label: Callable[[str], str]) -> dict[str, Any]:
    """``st.tabs`` where only the open tab's content runs: ``{id: tab}``, each with
    ``.open``. Draw a tab's content only when ``tabs[id].open``.

    Streamlit 1.67 remembers the open tab by its label; ``ids`` are the language-free
    names, so the open tab survives a language switch. Widgets inside a tab lose their
    value while the tab is closed unless their key goes through ``ui.state.persist`` (or
    ``keep_choice``).
    """
    names = [label(i) for i in ids]
    kept = st.session_state.setdefault(KEPT, {})
    opened = kept.get(key)
    if st.session_state.get(key) not in names and opened in ids:
        st.session_state[key] = names[list(ids).index(opened)]
    tabs = st.tabs(names, key=key, on_change="rerun")
    for tab_id, tab in zip(ids, tabs, strict=True):
        if tab.open:
            kept[key] = tab_id
    return dict(zip(ids, tabs, strict=True))
