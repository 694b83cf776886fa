"""The error boundary: an unexpected exception becomes a friendly message, never a traceback.

Session state is not touched, so the user's file, roles and settings survive; the full
traceback goes to the server log only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from churn.errors import ChurnDataError
from ui.i18n import error_message, t

log = logging.getLogger("churnlens")


@contextmanager
def boundary(where: str = "page") -> Iterator[None]:
    """Run a page (or part of one); show problems as messages instead of crashing."""
    try:
        yield
    except ScriptControlException:
        raise  # st.rerun(), st.stop() and page switches are control flow, not errors
    except ChurnDataError as exc:
        st.error(t("common.data_error", message=error_message(exc)), icon=":material/error:")
    except Exception as exc:  # noqa: BLE001 - the boundary's whole job
        log.exception("Unexpected error in %s", where)
        st.error(t("common.unexpected_error"), icon=":material/sentiment_dissatisfied:")
        with st.expander(t("common.error_details")):
            st.text(f"{type(exc).__name__}: {exc}"[:2000])
