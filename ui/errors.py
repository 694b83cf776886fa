"""The error boundary: an unexpected exception becomes a friendly message, never a traceback.

Session state is not touched, so the user's file, roles and settings survive. The browser
never sees the exception's type or text (they can quote data, paths or a library's
internals); the user gets a short incident reference instead, and the server log line that
carries the full traceback starts with the same reference, so an operator can find it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from churn.errors import ChurnDataError
from ui.i18n import error_message, t

log = logging.getLogger("churnlens")
if not log.handlers:  # the server log: one timestamped line per incident, then its traceback
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)


def incident(where: str, exc: BaseException) -> str:
    """Log ``exc`` with its traceback under a fresh incident reference; return the reference.

    The reference is 8 hex characters from :mod:`secrets` (it says nothing about the error
    and cannot be guessed from another one). Show it to the user with
    ``t("safety.incident", ref=...)``; the log line reads ``Incident <ref> in <where>``.
    """
    ref = secrets.token_hex(4)
    log.error("Incident %s in %s", ref, where, exc_info=(type(exc), exc, exc.__traceback__))
    return ref


def show_incident(where: str, exc: BaseException, container=None) -> str:
    """The friendly message and the incident reference in ``container`` (default: the page)."""
    ref = incident(where, exc)
    box = container if container is not None else st
    box.error(t("common.unexpected_error"), icon=":material/sentiment_dissatisfied:")
    box.caption(t("safety.incident", ref=ref))
    return ref


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
        show_incident(where, exc)
