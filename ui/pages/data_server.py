"""The Data page's server path: an event log on the server, typed as a folder or pattern.

Shown only when the administrator enabled server paths (``CHURNLENS_SERVER_DATA`` names
a folder; see the README): a participant can then read Parquet or CSV files inside that
folder and nothing else (``churn.eventlog.server_files`` checks every path). The page works
on a sample of the log; the customer table is grouped from every event by DuckDB.
"""

from __future__ import annotations

import streamlit as st

from churn.errors import ChurnDataError
from churn.eventlog import server_root
from ui.errors import incident
from ui.i18n import error_message, fmt_int, t
from ui.intake import load_server_log
from ui.state import get_dataset

_ERROR = "data._server_error"  # the message of a failed server read


def server_path_section() -> None:
    """A text input and a button beside the uploader (nothing when server paths are off)."""
    if server_root() is None:
        return
    path = st.text_input(
        t("eventlog.path_label"),
        key="data.server_path",
        placeholder="logs/*.parquet",
        help=t("eventlog.path_help"),
    )
    if st.button(t("eventlog.read"), key="data.server_read", disabled=not path.strip()):
        st.session_state[_ERROR] = _load(path)
        if st.session_state[_ERROR] is None:
            st.rerun()
    if st.session_state.get(_ERROR):
        st.error(st.session_state[_ERROR], icon=":material/error:")
    ds = get_dataset()
    if ds is not None and ds.log_source is not None:
        st.caption(t("eventlog.sample_caption", rows=fmt_int(10_000)))


def _load(path: str) -> str | None:
    try:
        load_server_log(path)
    except ChurnDataError as exc:
        return error_message(exc)
    except Exception as exc:  # noqa: BLE001 - the text may quote server paths: logged only
        return t("safety.read_unexpected", ref=incident("reading a server log", exc))
    return None
