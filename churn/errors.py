"""Errors and soft findings that speak to the user.

The library raises :class:`ChurnDataError` when it cannot go on; its message names the
column (when there is one), the problem and the fix, so the UI and the CLI can show it
as it is. Problems the user may accept come back as :class:`ValidationIssue` values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


class ChurnDataError(ValueError):
    """The data (or a setting) cannot be used; the message says why and what to do.

    Parameters
    ----------
    problem : str
        What is wrong, in plain words.
    fix : str, optional
        What the user can do about it.
    column : str, optional
        The column concerned, if any.
    """

    def __init__(self, problem: str, fix: str | None = None, column: str | None = None):
        self.problem = problem
        self.fix = fix
        self.column = column
        text = problem
        if column is not None and f"'{column}'" not in problem:
            text = f"Column '{column}': {problem}"
        if fix:
            text = f"{text} Fix: {fix}"
        super().__init__(text)

    def as_text(self):
        """``str(self)`` as translatable text (``churn.text``): problem, column and fix."""
        from churn.text import msg

        text = self.problem
        if self.column is not None and f"'{self.column}'" not in str(text):
            text = msg("Column '{column}': {problem}", column=self.column, problem=text)
        if self.fix:
            text = msg("{text} Fix: {fix}", text=text, fix=self.fix)
        return text

    def to_json(self) -> dict:
        """Problem, fix and column as JSON data (translatable text kept), for :meth:`from_json`."""
        from churn.text import to_json

        return {k: to_json(getattr(self, k)) for k in ("problem", "fix", "column")}

    @classmethod
    def from_json(cls, data: dict) -> ChurnDataError:
        """The error :meth:`to_json` wrote: same message, fix, column and templates."""
        from churn.text import from_json

        return cls(from_json(data["problem"]), from_json(data["fix"]), from_json(data["column"]))


@dataclass(frozen=True)
class ValidationIssue:
    """A soft problem found in the data, shown as a warning and never fatal by itself.

    ``code`` is a stable identifier (e.g. ``"duplicate_ids"``) that the UI translates;
    ``message`` and ``fix`` are the English text.
    """

    severity: Severity
    code: str
    column: str | None
    message: str
    fix: str = ""
    count: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)
