"""What a read gives: :class:`ReadResult` with its :class:`ReadNote` notes, and :class:`Parsed`.

:class:`Parsed` is what a reader of one kind of file (:data:`churn.io.read.READERS`) hands
to :func:`~churn.io.read_table`: the header row, the row count and how to clean the
columns, plus what the reader saw (sheet, encoding, delimiter, notes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from churn.text import Text, from_json, json_type, to_json

if TYPE_CHECKING:
    from churn.io.convert import CleanColumn


@json_type
class ReadNote(str):
    """A plain-English note (a ``str``) that also carries a stable ``code`` and ``params``.

    The Data page can show the note as it is, or translate it with
    ``t(f"io.{note.code}", **note.params)``. A note made from a :func:`~churn.text.msg`
    text also keeps its ``template`` and ``text_params``: :attr:`text` gives the
    :class:`~churn.text.Text` back, for :func:`~churn.text.localize`.
    """

    code: str
    params: dict[str, Any]
    template: str | None
    text_params: dict[str, Any]

    def __new__(cls, text: str, code: str = "note", **params: Any) -> ReadNote:
        obj = super().__new__(cls, text)
        obj.code = code
        obj.params = params
        is_text = isinstance(text, Text)
        obj.template = text.template if is_text else None
        obj.text_params = dict(text.params) if is_text else {}
        return obj

    @property
    def text(self) -> str:
        """The note as a translatable :class:`~churn.text.Text` (plain ``str`` if none)."""
        if self.template is None:
            return str(self)
        return Text(self.template, **self.text_params)

    def __reduce__(self):  # keep code/params/template through pickling (st.cache_data)
        return (_make_note, (self.text, self.code, self.params))

    def to_json(self) -> dict[str, Any]:
        """The note as JSON data (text, code, params), for :meth:`from_json`."""
        return {"text": to_json(self.text), "code": self.code, "params": to_json(self.params)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReadNote:
        """The note :meth:`to_json` wrote, with its code, params and template."""
        return cls(from_json(data["text"]), data["code"], **from_json(data["params"]))


def _make_note(text: str, code: str, params: dict[str, Any]) -> ReadNote:
    return ReadNote(text, code, **params)


@dataclass(frozen=True, eq=False)  # holds a DataFrame: identity equality and hash
class ReadResult:
    """A file read into a frame, with what the reader saw and did.

    Attributes
    ----------
    frame : the data; text columns hold ``str`` (missing = NaN), numeric columns are
        ``int64``/``float64``, Excel date cells ``datetime64[ns]``.
    kind : "csv", "xlsx", "xls", "ods" or "parquet" (the real type, from the bytes).
    sheet : the worksheet read (workbooks only).
    sheets : every worksheet in the workbook, in order.
    encoding : the text encoding (text files only).
    delimiter : the field delimiter (text files only; " " = runs of spaces).
    blank_cells : cells that were empty or whitespace only, now missing.
    converted : (column, what was converted) for columns turned into numbers.
    notes : plain-English notes for the Data page (:class:`ReadNote` values).
    """

    frame: pd.DataFrame
    kind: str
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    blank_cells: int = 0
    converted: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return int(self.frame.shape[0])

    @property
    def columns(self) -> int:
        return int(self.frame.shape[1])


def content_hash(data: bytes) -> str:
    """SHA-256 hex digest of ``data`` (the cache key of an upload).

    Parameters
    ----------
    data : bytes
        The file's bytes.

    Returns
    -------
    str
        64 lowercase hex characters.
    """
    return hashlib.sha256(data).hexdigest()


@dataclass(eq=False)
class Parsed:
    """A file split into raw columns by the reader of its kind, before they are cleaned.

    :func:`~churn.io.read_table` cleans the header (:func:`~churn.io.header.clean_header`),
    calls :attr:`convert` with the clean names and finishes the frame the same way for
    every kind of file.

    Attributes
    ----------
    header : the header row's raw values (one per column).
    nrows : the number of data rows.
    convert : ``convert(names)`` -> the cleaned columns (:class:`~churn.io.convert.CleanColumn`).
    notes : what the reader did (title lines skipped, sheet picked, encoding...).
    sheet, sheets : the worksheet read and every worksheet (workbooks only).
    encoding, delimiter : the text encoding and field delimiter (text files only).
    blank_notes : ``blank_notes(blank_cells)`` -> notes that depend on the final count of
        blank cells (XLSX: formula cells without a saved result), or None.
    """

    header: list[Any]
    nrows: int
    convert: Callable[[list[str]], list[CleanColumn]]
    notes: list[ReadNote] = field(default_factory=list)
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    blank_notes: Callable[[int], list[ReadNote]] | None = None
