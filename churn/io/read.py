"""read_table: a file's bytes to a cleaned frame, through the reader of its kind.

The kind comes from the bytes (:mod:`churn.io.sniff`, and the zip directory of a
workbook); :data:`READERS` maps each kind to the function that splits such a file into
raw columns (a :class:`~churn.io.result.Parsed`). :func:`read_table` then cleans the
header, converts the columns and finishes the frame the same way for every kind: empty
rows and unnamed empty columns dropped, blank cells counted, notes gathered.

A new file format is a module with a reader and one :func:`register_reader` call (and,
if its bytes are not recognised yet, a signature in :func:`~churn.io.sniff.sniff_kind`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.io.convert import CleanColumn
from churn.io.header import blankish, clean_header
from churn.io.limits import (
    MB,
    Limits,
    bytes_limit,
    cap_error,
    columns_text,
    rows_text,
    size_text,
    snip,
)
from churn.io.parquet import read_parquet_file
from churn.io.result import Parsed, ReadNote, ReadResult
from churn.io.sniff import empty_file, sniff_kind
from churn.io.text_file import read_text_file
from churn.io.workbook import check_zip, read_workbook
from churn.text import msg

#: ``reader(data, kind=, name=, sheet=, limits=) -> Parsed``: splits one kind of file into
#: raw columns (``kind`` is the READERS key it was found under).
Reader = Callable[..., Parsed]

#: The reader of each kind of file. The kind is found from the bytes: "csv" (any text),
#: "xlsx" (also XLSM), "xls", "ods" or "parquet".
READERS: dict[str, Reader] = {
    "csv": read_text_file,
    "xlsx": read_workbook,
    "xls": read_workbook,
    "ods": read_workbook,
    "parquet": read_parquet_file,
}


def register_reader(kind: str, reader: Reader) -> None:
    """Read files of ``kind`` with ``reader`` (replacing the reader it had, if any).

    ``reader(data, kind=, name=, sheet=, limits=)`` returns a
    :class:`~churn.io.result.Parsed`: the raw header, the row count and a ``convert``
    function that cleans the columns (see :mod:`churn.io.convert`).
    """
    READERS[kind] = reader


def _get_bytes(source: Any, limits: Limits) -> tuple[bytes, str | None]:
    """(the file's bytes, its name when ``source`` carries one), within the byte cap."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = None
    elif hasattr(source, "getvalue"):  # an uploaded file object (BytesIO, UploadedFile)
        data = source.getvalue()
        name = getattr(source, "name", None)
    elif hasattr(source, "read"):
        data = source.read()
        name = getattr(source, "name", None)
    else:
        path = os.fspath(source)
        try:
            size = os.path.getsize(path)
        except OSError as exc:
            raise ChurnDataError(
                msg("The file '{path}' cannot be read ({reason}).", path=path, reason=exc.strerror),
                fix=msg("check the path and that the file exists."),
            ) from None
        if os.path.isdir(path):
            raise ChurnDataError(
                msg("'{path}' is a folder, not a file.", path=path), fix=msg("give a file.")
            )
        if size > limits.max_bytes:
            raise cap_error(size_text(size), bytes_limit(limits), "max_bytes", size + MB)
        with open(path, "rb") as fh:
            data = fh.read()
        name = os.path.basename(path)
    if len(data) > limits.max_bytes:
        raise cap_error(size_text(len(data)), bytes_limit(limits), "max_bytes", len(data) + MB)
    return data, name


_FILLED_BYTE = re.compile(rb"[^ \t\r\n\x00]")


def file_kind(data: bytes, name: str | None, limits: Limits) -> str:
    """The kind of file ``data`` holds (a :data:`READERS` key), from its bytes.

    A zip's directory is inspected (never extracted) to tell XLSX from ODS; what is
    clearly not a table is refused.
    """
    found = sniff_kind(data, name)
    if found == "zip":
        return check_zip(data, name, limits)
    return {"ole2": "xls", "parquet": "parquet"}.get(found, "csv")


def read_table(
    source: str | os.PathLike | bytes,
    *,
    name: str | None = None,
    sheet: str | None = None,
    limits: Limits | None = None,
) -> ReadResult:
    """Read a customer file (path or uploaded bytes) into a cleaned frame.

    Parameters
    ----------
    source : str, os.PathLike or bytes
        A path, or the file's bytes (a file-like object with ``getvalue()``/``read()`` is
        accepted too).
    name : str, optional
        The uploaded file's name: only used in messages (the type comes from the bytes).
    sheet : str, optional
        Worksheet to read; default: the sheet that looks most like a data table (not a
        data dictionary or cover sheet).
    limits : Limits, optional
        Size, row and column caps; default ``Limits()`` (environment overrides applied).

    Returns
    -------
    ReadResult
        The frame plus what was done to it.

    Raises
    ------
    ChurnDataError
        The file is empty, has no data rows, is over a cap, is not a table (an image, an
        executable, a PDF, an archive...) or cannot be parsed; the message says how to fix
        it.

    Notes
    -----
    Conversions, per column, only when (nearly: 99.5 % of at least 200) every non-blank
    value converts; otherwise the column stays text:

    * thousands separators (``1,234`` / ``1.234,50`` / ``1 234``), decimal commas (decided
      by values such as ``1,5`` or ``1.234,50``, else by a ``;`` delimiter), currency signs
      and codes (``$ ₩ € £ ¥ 원 KRW USD ...``), parentheses negatives ``(12) -> -12`` and
      markers such as ``N/A`` (-> missing);
    * percent signs: ``12%`` becomes ``0.12``, the value Excel stores for a cell shown as
      12 %, so a CSV and an XLSX export of the same sheet read the same.

    Identifier-like columns stay text: any value with a leading zero (``00123``), digit
    codes longer than 15 digits, and unique same-length digit codes of 5+ digits. Dates are
    not parsed (see :func:`parse_dates`), except Excel cells that are real dates.
    """
    limits = limits or Limits()
    data, path_name = _get_bytes(source, limits)
    name = name or path_name
    # (a search stops at the first byte that is not blank; strip() would copy the file)
    if not data or _FILLED_BYTE.search(data) is None:
        raise empty_file(name)
    kind = file_kind(data, name, limits)
    parsed = READERS[kind](data, kind=kind, name=name, sheet=sheet, limits=limits)
    del data  # parsed: free the file's bytes (a reader that needs them later keeps them)
    header, nrows, notes = parsed.header, parsed.nrows, list(parsed.notes)
    names, hnotes = clean_header(header)
    cols = parsed.convert(names)
    if len(cols) < len(names):
        names = names[: len(cols)]
    _check_size(header, nrows, names, limits)
    frame = _frame(cols, names)
    # Rows where every cell is blank carry nothing: drop them (not counted as blanks).
    frame, n_empty = _drop_empty_rows(frame, cols)
    if n_empty:
        notes.append(
            ReadNote(
                msg("Dropped {count:,} empty row(s).", count=n_empty), "empty_rows", count=n_empty
            )
        )
    frame, hnotes = _drop_unnamed_empty_columns(frame, header, hnotes)
    kept = set(frame.columns)
    blank = sum(c.blank for c, nm in zip(cols, names, strict=True) if nm in kept)
    blank -= n_empty * len(kept)  # cells of dropped empty rows are not "blank cells"
    _check_has_data(frame)
    notes = hnotes + notes
    converted = tuple((nm, c.converted) for c, nm in zip(cols, names, strict=True) if c.converted)
    for c in cols:
        notes += c.notes
    if parsed.blank_notes is not None:
        notes += parsed.blank_notes(blank)
    notes += _closing_notes(blank, converted)
    return ReadResult(
        frame=frame,
        kind=kind,
        sheet=parsed.sheet,
        sheets=parsed.sheets,
        encoding=parsed.encoding,
        delimiter=parsed.delimiter,
        blank_cells=int(blank),
        converted=converted,
        notes=tuple(notes),
    )


def _check_size(header: list[Any], nrows: int, names: list[str], limits: Limits) -> None:
    """Refuse a file without columns, or over the row or column cap."""
    if not header or all(blankish(h) for h in header) and nrows == 0:
        raise ChurnDataError(
            msg("The file has no columns."),
            fix=msg("export the data again with a header row (column names) on the first line."),
        )
    if nrows > limits.max_rows:
        raise cap_error(rows_text(nrows), rows_text(limits.max_rows), "max_rows", nrows + 100_000)
    if len(names) > limits.max_cols:
        raise cap_error(
            columns_text(len(names)), columns_text(limits.max_cols), "max_cols", len(names) + 1000
        )


def _dtype_of(values: Any) -> Any:
    """The dtype of a column's values: numpy's, or a pandas extension dtype (text)."""
    dtype = getattr(values, "dtype", None)
    return dtype if dtype is not None else np.asarray(values).dtype


def _frame(cols: list[CleanColumn], names: list[str]) -> pd.DataFrame:
    """The cleaned columns as a frame named ``names``."""
    # Series with explicit dtypes and copy=False: no per-column type inference, no copy.
    frame = pd.DataFrame(
        {
            f"__{j}": pd.Series(c.values, dtype=_dtype_of(c.values), copy=False)
            for j, c in enumerate(cols)
        },
        copy=False,
    )
    frame.columns = names
    return frame


def _drop_empty_rows(frame: pd.DataFrame, cols: list[CleanColumn]) -> tuple[pd.DataFrame, int]:
    """(the frame without rows where every cell is blank, how many were dropped)."""
    n_empty = 0
    if len(frame) and cols and all(c.blank for c in cols):
        empty_rows = np.logical_and.reduce(
            [c.mask if c.mask is not None else pd.isna(frame.iloc[:, j]).to_numpy()
             for j, c in enumerate(cols)]
        )  # fmt: skip
        n_empty = int(empty_rows.sum())
    if n_empty:
        frame = frame.loc[~empty_rows].reset_index(drop=True)
    return frame, n_empty


def _drop_unnamed_empty_columns(
    frame: pd.DataFrame, header: list[Any], hnotes: list[ReadNote]
) -> tuple[pd.DataFrame, list[ReadNote]]:
    """Columns with no header and no values (e.g. a trailing delimiter) carry nothing:
    drop them, and name only the kept ones in the header notes."""
    auto = {f"column_{j + 1}" for j, h in enumerate(header) if blankish(h)}
    drop = [c for c in frame.columns if c in auto and frame[c].isna().all()]
    if drop:
        frame = frame.drop(columns=drop)
        hnotes = [n for n in hnotes if n.code != "empty_headers"] + (
            []
            if not (auto - set(drop))
            else [
                ReadNote(
                    msg(
                        "{count} column(s) had no header and were named {names}.",
                        count=len(auto - set(drop)),
                        names=", ".join(sorted(auto - set(drop))),
                    ),
                    "empty_headers",
                    count=len(auto - set(drop)),
                )
            ]
        )
    return frame, hnotes


def _check_has_data(frame: pd.DataFrame) -> None:
    """Refuse a frame without columns or without rows."""
    if frame.shape[1] == 0:
        raise ChurnDataError(
            msg("The file has no columns with data."),
            fix=msg("export the data again with a header row and at least one row of data."),
        )
    if len(frame) == 0:
        shown = ", ".join(str(c) for c in list(frame.columns)[:6])
        raise ChurnDataError(
            msg(
                "The file has a header row ({columns}) but no data rows.",
                columns=snip(shown + (" ..." if frame.shape[1] > 6 else "")),
            ),
            fix=msg("export the data again including the rows, not only the column names."),
        )


def _closing_notes(blank: int, converted: tuple[tuple[str, Any], ...]) -> list[ReadNote]:
    """The notes on blank cells and on the columns read as numbers."""
    notes: list[ReadNote] = []
    if blank:
        notes.append(
            ReadNote(
                msg(
                    "{count:,} blank or whitespace-only cell(s) are treated as missing.",
                    count=blank,
                ),
                "blank_cells",
                count=blank,
            )
        )
    for nm, what in converted:
        notes.append(
            ReadNote(
                msg(
                    "Column '{column}' read as numbers ({kinds}).",
                    column=snip(nm),
                    kinds=what.params["kinds"],
                ),
                "converted",
                column=nm,
                what=what,
            )
        )
    return notes
