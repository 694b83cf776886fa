"""Safe CSV and XLSX exports: no cell ever becomes a live formula or link in Excel.

Spreadsheet programs treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in
some versions, a tab or carriage return first) as a formula; a customer name such as
``=HYPERLINK("http://…")`` in an exported list would run when a colleague opens it.
Every text cell that starts with one of these characters (including their full-width
forms ``＝ ＋ － ＠``, which some spreadsheet programs normalise, and after leading
spaces) gets a leading apostrophe, the convention spreadsheets use for "this is text".
Numbers stay numbers. XLSX files are written with formula and URL conversion off.

CSV files are UTF-8 with a byte-order mark so that Excel shows Korean text correctly.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.text import msg

#: Characters that make a spreadsheet cell a formula when they come first.
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_DANGER = re.compile(r"^[ \u3000]*[=+\-@\t\r\n＝＋－＠]")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: object) -> object:
    """Return ``value`` made safe for a spreadsheet cell (text only; numbers unchanged)."""
    if isinstance(value, str) and _DANGER.match(value):
        return "'" + value
    return value


def _is_text(s: pd.Series) -> bool:
    return (
        s.dtype == object
        or pd.api.types.is_string_dtype(s)
        or isinstance(s.dtype, pd.CategoricalDtype)
    )


#: First characters a dangerous cell can start with (spaces: the rule looks past them).
_FIRST = np.array(list("=+-@\t\r\n＝＋－＠ \u3000"))


def formula_mask(s: pd.Series) -> pd.Series:
    """True for the text cells of ``s`` that :func:`neutralise` changes (vectorised)."""
    if not _is_text(s):
        return pd.Series(False, index=s.index)
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = formula_mask(pd.Series(s.cat.categories.astype(object)))
        hit = np.append(cats.to_numpy(), False)[s.cat.codes.to_numpy()]  # code -1: missing
        return pd.Series(hit, index=s.index)
    values = s.to_numpy(dtype=object)
    try:  # a cheap first-character screen: only candidates get the exact rule
        candidate = np.isin(values.astype("U1"), _FIRST)
    except (TypeError, ValueError):
        candidate = np.ones(len(values), dtype=bool)
    hit = np.zeros(len(values), dtype=bool)
    for i in np.flatnonzero(candidate):
        v = values[i]
        hit[i] = isinstance(v, str) and _DANGER.match(v) is not None
    return pd.Series(hit, index=s.index)


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names cannot run as formulas."""
    out = df.copy()
    out.columns = [str(neutralise(str(c))) for c in out.columns]
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if _is_text(s):
            mask = formula_mask(s)
            values = s.astype(object)
            if mask.any():
                values = values.where(~mask, "'" + values[mask].astype(str))
            out.isetitem(i, values)
    return out


def count_formula_cells(df: pd.DataFrame) -> int:
    """How many text cells and column names :func:`safe_frame` neutralises."""
    n = sum(1 for c in df.columns if neutralise(str(c)) != str(c))
    return n + sum(int(formula_mask(df.iloc[:, i]).sum()) for i in range(df.shape[1]))


def formula_cells_per_row(df: pd.DataFrame) -> np.ndarray:
    """How many text cells of each row :func:`safe_frame` neutralises (names not counted).

    Kept once per table, it counts the cells of any subset of rows in one sum.
    """
    out = np.zeros(len(df), dtype=np.int32)
    for i in range(df.shape[1]):
        out += formula_mask(df.iloc[:, i]).to_numpy()
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV (UTF-8 with BOM, ISO dates) that opens safely in Excel."""
    buf = io.StringIO()
    # CRLF line ends make the writer quote any cell holding a CR or LF, so an embedded
    # carriage return cannot start a new (unescaped) row in the reader.
    safe_frame(df).to_csv(buf, index=False, date_format="%Y-%m-%d", lineterminator="\r\n")
    return buf.getvalue().encode("utf-8-sig")


def frame_bytes(
    frame: pd.DataFrame, kind: str, *, sheet: str = "data", from_file_name: bool = False
) -> bytes:
    """One frame as formula-safe CSV or XLSX bytes: the one export seam of the library.

    Parameters
    ----------
    frame : the rows to write (all columns).
    kind : ``"csv"`` (:func:`to_csv_bytes`) or ``"xlsx"`` (:func:`to_xlsx_bytes`, one sheet).
    sheet : the XLSX sheet's title.
    from_file_name : ``kind`` is a file name's ending, so an unknown one asks for a name
        ending in .csv or .xlsx (else for .csv or .xlsx).

    Raises
    ------
    ChurnDataError
        For any other ``kind``.
    """
    if kind == "csv":
        return to_csv_bytes(frame)
    if kind == "xlsx":
        return to_xlsx_bytes({sheet: frame})
    raise ChurnDataError(
        msg("cannot write a '.{kind}' file.", kind=kind),
        fix=msg("use a name ending in .csv or .xlsx.")
        if from_file_name
        else msg("use .csv or .xlsx."),
    )


def sheet_name(name: str, taken: set[str] | None = None) -> str:
    """An Excel-legal, unique sheet name (31 characters, no ``[]:*?/\\``)."""
    base = _SHEET_BAD.sub("_", str(name)).strip("'") or "Sheet"
    base = base[:31]
    taken = taken if taken is not None else set()
    candidate, i = base, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({i})"
        candidate = base[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(candidate)
    return candidate


def to_xlsx_bytes(
    sheets: Mapping[str, pd.DataFrame], *, cover: pd.DataFrame | None = None
) -> bytes:
    """An XLSX workbook, one sheet per frame, with formulas and URLs never created.

    Parameters
    ----------
    sheets : mapping of sheet title -> frame.
    cover : optional first sheet (e.g. "what each sheet is").
    """
    import xlsxwriter

    buf = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "nan_inf_to_errors": False,
    }
    wb = xlsxwriter.Workbook(buf, options)
    wb.set_properties({"created": pd.Timestamp("2000-01-01").to_pydatetime()})
    header = wb.add_format({"bold": True, "bg_color": "#F3F4F6"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    taken: set[str] = set()
    items = ([("Cover", cover)] if cover is not None else []) + list(sheets.items())
    for title, frame in items:
        ws = wb.add_worksheet(sheet_name(title, taken))
        safe = safe_frame(frame)
        for j, col in enumerate(safe.columns):
            ws.write_string(0, j, str(col), header)
            ws.set_column(j, j, min(max(len(str(col)), 10) + 2, 50))
        for j, col in enumerate(safe.columns):
            _write_column(ws, safe[col], j, date_fmt)
        ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def _write_column(ws, s: pd.Series, j: int, date_fmt) -> None:
    if pd.api.types.is_datetime64_any_dtype(s):
        for i, v in enumerate(s, start=1):
            if pd.notna(v):
                ws.write_datetime(i, j, pd.Timestamp(v).to_pydatetime(), date_fmt)
        return
    if pd.api.types.is_bool_dtype(s):
        for i, v in enumerate(s, start=1):
            if pd.notna(v):
                ws.write_boolean(i, j, bool(v))
        return
    if pd.api.types.is_numeric_dtype(s):
        for i, v in enumerate(s, start=1):
            if pd.notna(v) and np.isfinite(v):
                ws.write_number(i, j, float(v))
        return
    for i, v in enumerate(s, start=1):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            continue
        ws.write_string(i, j, str(v))
