"""The workspace errors, and the sentences a user sees when a workspace cannot be found,
read or written."""

from __future__ import annotations

from churn.errors import ChurnDataError
from churn.text import msg

__all__ = [
    "WorkspaceError",
    "WorkspaceNotFound",
    "damaged",
    "error_sentence",
    "not_found",
]


class WorkspaceError(ChurnDataError):
    """A workspace that cannot be read or written; names the workspace and the fix."""

    def __init__(self, ws_id: str, problem: str, fix: str | None = None) -> None:
        self.ws_id = ws_id
        super().__init__(problem, fix=fix)


class WorkspaceNotFound(WorkspaceError):
    """No workspace has this id (never saved, deleted, or not a workspace id at all)."""


def not_found(ws_id: str) -> WorkspaceNotFound:
    """The error for a well-formed id whose workspace file does not exist."""
    return WorkspaceNotFound(
        ws_id,
        msg("no workspace with this id was found (it may have been deleted)."),
        fix=msg("open another workspace from the list, or load a file on the Data page."),
    )


def damaged(ws_id: str, what: str, exc: BaseException | None = None) -> WorkspaceError:
    """``what`` (a :func:`msg` text) is the damaged part; ``exc`` the technical cause.

    The cause's type and text are not in the message (a user sees it; a database or
    decoder error can quote the file): callers raise ``from exc``, so the app's log
    keeps them.
    """
    del exc  # kept in the signature: the callers chain it with ``raise ... from exc``
    return WorkspaceError(
        ws_id,
        msg("this workspace is damaged: {what}.", what=what),
        fix=msg(
            "delete it from the workspace list and load the file again; "
            "the other workspaces are not affected."
        ),
    )


def error_sentence(exc: BaseException) -> str:
    """``str(exc)``; for a ``ChurnDataError`` as translatable text (problem, column, fix)."""
    return exc.as_text() if isinstance(exc, ChurnDataError) else str(exc)
