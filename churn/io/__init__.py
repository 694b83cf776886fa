"""Reading customer files robustly: CSV/TSV/TXT, XLSX/XLSM/XLS, ODS and Parquet.

:func:`read_table` takes a path or the uploaded bytes and returns a :class:`ReadResult`:
the frame plus what was done to it (encoding, delimiter, sheet, blank cells, columns
converted to numbers, plain-English notes for the Data page). The file's real type comes
from its first bytes, never from its name. Guards run before any heavy work: size, rows
and columns are capped (:class:`Limits`, overridable by environment variables) and a
workbook's zip directory is inspected before anything is decompressed.

Text files are read as text first, so identifiers such as ``00123`` keep their leading
zeros; a column becomes numeric only when (nearly) every non-blank value is a number once
currency signs, thousands separators, decimal commas, percent signs and parentheses
negatives are understood. Dates are *not* parsed here: the user marks date columns, and
:func:`parse_dates` reads them (Excel cells that are real dates arrive as datetimes).

Import from ``churn.io`` itself; the submodules are where the code lives:

- :mod:`~churn.io.limits` -- :class:`Limits` and :func:`env_size` (caps from the
  environment), :func:`cap_error`, how sizes and counts are worded (:func:`size_text`)
  and :func:`snip` (quoted file content cut to :data:`SNIPPET` characters).
- :mod:`~churn.io.result` -- :class:`ReadResult`, :class:`ReadNote`, :func:`content_hash`
  and :class:`~churn.io.result.Parsed` (what a reader hands to :func:`read_table`).
- :mod:`~churn.io.sniff` -- the real kind of a file from its first bytes; files that are
  clearly not tables are refused.
- :mod:`~churn.io.decode` -- text decoding (BOMs, UTF-16, UTF-8, mixed UTF-8 and legacy
  lines, CP949, detected code pages).
- :mod:`~churn.io.delimiter` -- the delimiter and title lines of a text file.
- :mod:`~churn.io.header` -- header cleaning (empty and duplicate names).
- :mod:`~churn.io.convert` -- conversions of text to numbers, shared by every reader.
- :mod:`~churn.io.text_file` -- the reader of text files (kind "csv").
- :mod:`~churn.io.workbook` -- the reader of workbooks (kinds "xlsx", "xls", "ods",
  python-calamine), with the zip checks; :mod:`~churn.io.guard` checks each sheet before
  calamine builds its grid.
- :mod:`~churn.io.parquet` -- the reader of Parquet files.
- :mod:`~churn.io.read` -- :func:`read_table`, :data:`READERS` (the reader of each kind)
  and :func:`register_reader`.
- :mod:`~churn.io.dates` -- :func:`parse_dates`, :func:`date_share` and
  :func:`date_order_ambiguous`.

The constants are re-exported here as values: to change one at run time (a test), set it
on the submodule that reads it (e.g. ``churn.io.convert.CONCURRENT_CELLS``).
"""

from __future__ import annotations

from churn.io.convert import CONCURRENT_CELLS
from churn.io.dates import date_order_ambiguous, date_share, parse_dates
from churn.io.limits import SNIPPET, Limits, env_size, size_text
from churn.io.read import READERS, read_table, register_reader
from churn.io.result import ReadNote, ReadResult, content_hash

__all__ = [
    "CONCURRENT_CELLS",
    "READERS",
    "SNIPPET",
    "Limits",
    "ReadNote",
    "ReadResult",
    "content_hash",
    "date_order_ambiguous",
    "date_share",
    "env_size",
    "parse_dates",
    "read_table",
    "register_reader",
    "size_text",
]
