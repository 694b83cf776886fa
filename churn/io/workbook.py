"""Workbooks (XLSX/XLSM, XLS, ODS), read with python-calamine after their guards.

:func:`check_zip` inspects a zip's directory (never extracting) to tell XLSX from ODS and
refuse zip bombs; :func:`read_workbook` (the reader of kinds "xlsx", "xls" and "ods")
runs the sheet guard (:mod:`churn.io.guard`), opens the workbook, picks the sheet that
looks like the data table, finds its header row (below title rows, or two merged rows)
and types each column from its cells (numbers, dates, booleans or cleaned text).
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.io.convert import CleanColumn, convert_strings, finish_numbers
from churn.io.header import blankish
from churn.io.limits import MB, Limits, cap_error, columns_text, rows_text, size_text, snip
from churn.io.result import Parsed, ReadNote
from churn.io.sniff import refuse
from churn.text import msg

_DICT_NAMES = re.compile(
    r"(?i)(dictionary|definition|description|readme|read me|notes?|cover|about|info|"
    r"legend|glossary|instructions?|contents|설명|안내|정의|목차|사전|범례|표지|참고)"
)


def check_zip(data: bytes, name: str | None, limits: Limits) -> str:
    """Inspect the zip directory (never extracting); return the workbook kind."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ChurnDataError(
            msg(
                "The file looks like a zip or Excel workbook but cannot be opened ({reason}).",
                reason=snip(exc),
            ),
            fix=msg("open it in Excel and save it again as .xlsx, or export the data as CSV."),
        ) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        kind = "xlsx"
    elif "content.xml" in names and b"opendocument.spreadsheet" in _zip_mimetype(zf, names):
        kind = "ods"
    elif "word/document.xml" in names:
        raise refuse(name, msg("a Word document"), "word")
    elif any(n.startswith("ppt/") for n in names):
        raise refuse(name, msg("a PowerPoint presentation"))
    else:
        raise refuse(name, msg("a zip archive, not a workbook"), "unzip")
    if len(infos) > 10_000:
        raise ChurnDataError(
            msg(
                "The workbook holds {n:,} internal parts, far more than any real "
                "spreadsheet; it was not opened.",
                n=len(infos),
            ),
            fix=msg("open it in Excel, copy the data to a new workbook and save that."),
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise ChurnDataError(
            msg(
                "The workbook would expand to {size} when opened, more than the limit "
                "of {limit}; it was not opened (a zip bomb or an unusually large workbook).",
                size=size_text(total),
                limit=size_text(limits.max_uncompressed_bytes),
            ),
            fix=msg(
                "save the data sheet as CSV and upload that, or raise the limit with the "
                "environment variable CHURNLENS_MAX_UNCOMPRESSED_BYTES before starting the app."
            ),
        )
    for i in infos:
        if i.file_size > 10 * MB:
            ratio = i.file_size / max(1, i.compress_size)
            if ratio > limits.max_compression_ratio:
                raise ChurnDataError(
                    msg(
                        "A part of the workbook ({part}) is compressed {ratio:,.0f} times "
                        "(more than {limit:,.0f}); such files are used as zip bombs, so it was "
                        "not opened.",
                        part=snip(i.filename),
                        ratio=ratio,
                        limit=limits.max_compression_ratio,
                    ),
                    fix=msg("save the data sheet as CSV and upload that."),
                )
    return kind


def _zip_mimetype(zf: zipfile.ZipFile, names: set[str]) -> bytes:
    """The ODF ``mimetype`` member (b"" when absent or not a small file)."""
    if "mimetype" not in names or zf.getinfo("mimetype").file_size > 200:
        return b""
    return zf.read("mimetype")


def _open_workbook(data: bytes):
    """Open a workbook with python-calamine (the seam tests replace)."""
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(data))


def _sheet_score(sheet_name: str, rows: list[list[Any]], visible: bool) -> float:
    """How much a sheet looks like the data table (higher is better)."""
    if not rows:
        return -1.0
    counts = [sum(not blankish(v) for v in r) for r in rows[:2000]]
    width = max(counts) if counts else 0
    filled = sum(1 for c in counts if c >= max(2, width * 0.5))
    score = float(filled * width)
    if _DICT_NAMES.search(sheet_name):
        score *= 0.05
    if width <= 2:
        score *= 0.2
    if filled < 3:
        score *= 0.1
    if not visible:
        score *= 0.01
    return score


def _find_header(rows: list[list[Any]]) -> tuple[int, list[Any], int]:
    """(index of the last header row, header values, number of header rows).

    Title rows above the table (far fewer filled cells than the table is wide) are
    skipped. A two-row header made of merged cells (a group row such as "Billing" over
    "Monthly | Total", with other names merged down across both rows) is combined: each
    column takes the lower row's name, or the upper one's where the lower is empty.
    """
    look = rows[:50]
    counts = [sum(not blankish(v) for v in r) for r in look]
    width = max(counts) if counts else 0
    if width == 0:
        return 0, [], 0

    def text_row(i: int) -> bool:
        return 0 <= i < len(look) and all(isinstance(v, str) for v in look[i] if not blankish(v))

    def filled(i: int, j: int) -> bool:
        return j < len(look[i]) and not blankish(look[i][j])

    def two_row_header(a: int) -> bool:
        b = a + 1
        if b + 1 > len(rows) or b >= len(look) or not (text_row(a) and text_row(b)):
            return False
        if counts[a] == 0 or counts[b] == 0:
            return False
        cols = range(width + max(len(look[a]), len(look[b])))
        gap_a = any(filled(b, j) and not filled(a, j) for j in cols)
        gap_b = any(filled(a, j) and not filled(b, j) for j in cols)
        union = sum(1 for j in cols if filled(a, j) or filled(b, j))
        return gap_a and gap_b and union >= 0.8 * width

    h = 0
    while h < len(look) - 1 and (
        counts[h] == 0 or (width >= 3 and counts[h] < 0.5 * width and not two_row_header(h))
    ):
        h += 1
    if two_row_header(h):
        a, b = look[h], look[h + 1]
        n = max(len(a), len(b))
        names = [
            (b[j] if j < len(b) and not blankish(b[j]) else (a[j] if j < len(a) else None))
            for j in range(n)
        ]
        return h + 1, names, 2
    return h, list(look[h]), 1


def _cell_text(v: Any) -> str | None:
    if blankish(v):
        return None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    if isinstance(v, (pd.Timestamp,)) or hasattr(v, "isoformat"):
        text = v.isoformat(sep=" ") if hasattr(v, "hour") and hasattr(v, "year") else None
        return text or v.isoformat()
    return str(v)


_TYPE_OF = np.frompyfunc(type, 1, 1)
_STR, _NONE = str, type(None)  # compared element-wise with the cells' types


def _excel_column(values: np.ndarray, column: str) -> CleanColumn:
    """Typed column from calamine cells: numbers, dates, booleans or cleaned text.

    ``values`` is an object array of cells (``""`` = empty). Classification works on the
    cells' types in bulk; only mixed columns are turned into text cell by cell.
    """
    import datetime as dt

    import pyarrow as pa

    values = np.asarray(values, dtype=object)
    n = len(values)
    import pyarrow.compute as pc

    types = _TYPE_OF(values) if n else np.array([], dtype=object)
    is_str = types == _STR
    if n and is_str.all():  # a text column: the string converter handles blanks
        return convert_strings(pa.array(values, pa.string()), column, decimal_comma=None)
    blank_mask = types == _NONE
    if is_str.any():
        strs = pc.utf8_trim_whitespace(pa.array(values[is_str], pa.string()))
        empty = pc.equal(pc.binary_length(strs), 0).to_numpy(zero_copy_only=False)
        blank_mask[np.flatnonzero(is_str)[empty]] = True
    blank = int(blank_mask.sum())
    if blank == n:
        return CleanColumn(values=np.full(n, np.nan, dtype=object), blank=blank, mask=blank_mask)
    kinds = set(types[~blank_mask])
    mask = blank_mask if blank else None
    if kinds <= {float, int}:
        nums = np.full(n, np.nan)
        nums[~blank_mask] = values[~blank_mask].astype(float)
        return CleanColumn(values=finish_numbers(nums), blank=blank, mask=mask)
    if kinds <= {dt.datetime, dt.date, pd.Timestamp}:
        cells = values.copy()
        cells[blank_mask] = None
        stamps = pd.to_datetime(pd.Series(cells, dtype=object), errors="coerce")
        return CleanColumn(
            values=stamps.astype("datetime64[ns]").to_numpy(), blank=blank, mask=mask
        )
    if kinds == {bool}:
        if blank == 0:
            return CleanColumn(values=values.astype(bool), blank=0)
        cells = values.copy()
        cells[blank_mask] = np.nan
        return CleanColumn(values=cells, blank=blank, mask=mask)
    cells = values.copy()
    if kinds != {str}:
        other = ~is_str & ~blank_mask
        cells[other] = [_cell_text(v) for v in values[other]]
    cells[blank_mask] = None
    return convert_strings(pa.array(cells, pa.string()), column, decimal_comma=None)


def _sheet_xml_paths(data: bytes) -> dict[str, str]:
    """Worksheet name -> XML part, from the workbook's (small) index parts."""
    out: dict[str, str] = {}
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return out
    targets = {}
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = m.group(0)
        rid = re.search(r'\bId="([^"]+)"', tag)
        tgt = re.search(r'\bTarget="([^"]+)"', tag)
        if rid and tgt:
            t = tgt.group(1).lstrip("/")
            targets[rid.group(1)] = t if t.startswith("xl/") else "xl/" + t
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", wb):
        tag = m.group(0)
        nm = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]+)"|\bid="([^"]+)"', tag)
        if nm and rid:
            import html

            key = rid.group(1) or rid.group(2)
            if key in targets:
                out[html.unescape(nm.group(1))] = targets[key]
    return out


_RE_FORMULA_NO_VALUE = re.compile(
    rb"<c\b[^>]*>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)


def _formulas_without_values(data: bytes, sheet: str) -> int:
    """Count formula cells that carry no cached value in an XLSX worksheet."""
    path = _sheet_xml_paths(data).get(sheet)
    if not path:
        return 0
    try:
        xml = zipfile.ZipFile(io.BytesIO(data)).read(path)
    except (KeyError, zipfile.BadZipFile, OSError):
        return 0
    return len(_RE_FORMULA_NO_VALUE.findall(xml))


def read_workbook(
    data: bytes, *, kind: str, name: str | None, sheet: str | None, limits: Limits
) -> Parsed:
    """Read a workbook (kind "xlsx", "xls" or "ods") into raw columns of cells.

    The sheet is ``sheet``, or the one that looks most like the data table (not a data
    dictionary or cover sheet); its header row is found below any title rows. The
    workbook is checked (:func:`churn.io.guard.check_workbook`) before calamine reads it.
    """
    from churn.io.guard import check_workbook

    check_workbook(data, kind, sheet, limits)  # before calamine sizes any grid
    wb, meta, all_names = _open(data, kind)
    sheet_names = [
        s for s in all_names if "worksheet" in str(getattr(meta.get(s), "typ", "worksheet")).lower()
    ] or all_names
    if not sheet_names:
        raise ChurnDataError(
            msg("The workbook has no worksheets."), fix=msg("upload a workbook with data.")
        )

    def load(s: str) -> list[list[Any]]:
        return _load(wb, s, kind, limits)

    chosen, rows, notes = _choose_sheet(sheet, sheet_names, all_names, meta, load)
    if not rows or not any(not blankish(v) for r in rows for v in r):
        raise ChurnDataError(
            msg("Sheet '{sheet}' is empty.", sheet=snip(chosen)),
            fix=msg(
                "choose the sheet that holds the data ({sheets}), or upload a workbook with data.",
                sheets=snip(", ".join(repr(s) for s in all_names)),
            )
            if len(all_names) > 1
            else msg("choose the sheet that holds the data, or upload a workbook with data."),
        )
    header, cells, nrows = _below_header(rows, chosen, notes)

    def convert(names: list[str]) -> list[CleanColumn]:
        return [_excel_column(c, nm) for c, nm in zip(cells, names, strict=True)]

    return Parsed(
        header=header,
        nrows=nrows,
        convert=convert,
        notes=notes,
        sheet=chosen,
        sheets=tuple(all_names),
        blank_notes=functools.partial(_formula_notes, data, chosen) if kind == "xlsx" else None,
    )


def _kind_label(kind: str) -> str:
    """The workbook's kind as messages name it."""
    return "Excel 97-2003 (.xls)" if kind == "xls" else kind.upper()


def _open(data: bytes, kind: str) -> tuple[Any, dict[str, Any], list[str]]:
    """(the calamine workbook, each sheet's metadata by name, every sheet name)."""
    try:
        wb = _open_workbook(data)
        meta = {m.name: m for m in wb.sheets_metadata}
        all_names = list(wb.sheet_names)
    except Exception as exc:  # calamine raises several error types
        what = _kind_label(kind)
        raise ChurnDataError(
            msg("The {kind} file could not be opened ({reason}).", kind=what, reason=snip(exc)),
            fix=msg(
                "if the workbook is password protected, remove the password in Excel; then "
                "save it as .xlsx or CSV and upload that."
            )
            if kind == "xls"
            else msg("open it in Excel and save it again as .xlsx (or export the sheet as CSV)."),
        ) from None
    return wb, meta, all_names


def _load(wb: Any, s: str, kind: str, limits: Limits) -> list[list[Any]]:
    """The rows of sheet ``s``, refused beyond the row and column caps."""
    try:
        sh = wb.get_sheet_by_name(s)
    except Exception as exc:  # calamine raises several error types
        raise ChurnDataError(
            msg(
                "Sheet '{sheet}' of the {kind} file could not be read ({reason}).",
                sheet=snip(s),
                kind=_kind_label(kind),
                reason=snip(exc),
            ),
            fix=msg("open it in Excel and save it again as .xlsx (or export the sheet as CSV)."),
        ) from None
    if sh.height > limits.max_rows + 50:
        raise cap_error(
            msg("{n:,} rows in sheet '{sheet}'", n=sh.height, sheet=snip(s)),
            rows_text(limits.max_rows), "max_rows", sh.height + 1000,
        )  # fmt: skip
    if sh.width > limits.max_cols:
        raise cap_error(
            msg("{n:,} columns in sheet '{sheet}'", n=sh.width, sheet=snip(s)),
            columns_text(limits.max_cols), "max_cols", sh.width + 1000,
        )  # fmt: skip
    return sh.to_python(skip_empty_area=True)


def _choose_sheet(
    sheet: str | None,
    sheet_names: list[str],
    all_names: list[str],
    meta: dict[str, Any],
    load: Callable[[str], list[list[Any]]],
) -> tuple[str, list[list[Any]], list[ReadNote]]:
    """(the sheet to read, its rows, a note when the picker chose a later sheet)."""
    notes: list[ReadNote] = []
    if sheet is not None:
        if sheet not in all_names:
            raise ChurnDataError(
                msg("The workbook has no sheet named '{sheet}'.", sheet=snip(sheet)),
                fix=msg(
                    "choose one of: {sheets}.", sheets=snip(", ".join(f"'{s}'" for s in all_names))
                ),
            )
        return sheet, load(sheet), notes
    if len(sheet_names) == 1:
        return sheet_names[0], load(sheet_names[0]), notes
    best = None
    for s in sheet_names:
        rows_s = load(s)
        vis = "hidden" not in str(getattr(meta.get(s), "visible", "")).lower()
        score = _sheet_score(s, rows_s, vis)
        if best is None or score > best[0]:
            best = (score, s, rows_s)
    assert best is not None
    chosen, rows = best[1], best[2]
    if chosen != sheet_names[0]:
        notes.append(
            ReadNote(
                msg(
                    "Read sheet '{sheet}', which looks like the data table; the workbook "
                    "also has {others}. Choose another sheet if this is not the data.",
                    sheet=snip(chosen),
                    others=snip(", ".join(repr(s) for s in sheet_names if s != chosen)),
                ),
                "sheet_picked",
                sheet=chosen,
            )
        )
    return chosen, rows, notes


def _below_header(
    rows: list[list[Any]], chosen: str, notes: list[ReadNote]
) -> tuple[list[Any], list[np.ndarray], int]:
    """(header, one object array of cells per column, number of data rows) of a sheet's
    rows; a note is added to ``notes`` when the header is not on the first row."""
    h, header, merged = _find_header(rows)
    if h > 0:
        notes.append(
            ReadNote(
                msg(
                    "The header was found on row {row} of sheet '{sheet}'; the {skipped} row(s) "
                    "above it (a title or merged header cells) were skipped.",
                    row=h + 1,
                    sheet=snip(chosen),
                    skipped=h,
                ),
                "header_row",
                row=h + 1,
            )
        )
    body = rows[h + 1 :]
    width = max([len(header)] + [len(r) for r in body[:1]])
    width = max(width, max((len(r) for r in body), default=0))
    header = header + [None] * (width - len(header))
    # drop trailing columns with neither a header nor any value
    while (
        width > 0
        and blankish(header[width - 1])
        and all(len(r) < width or blankish(r[width - 1]) for r in body)
    ):
        width -= 1
    header = header[:width]
    if body and all(len(r) == len(body[0]) for r in body) and len(body[0]) >= width:
        grid = np.empty((len(body), len(body[0])), dtype=object)
        grid[:] = body
        raw_cols = [grid[:, j] for j in range(width)]
    else:
        raw_cols = [
            np.array([r[j] if j < len(r) else "" for r in body], dtype=object) for j in range(width)
        ]
    return header, raw_cols, len(body)


def _formula_notes(data: bytes, sheet: str | None, blank: int) -> list[ReadNote]:
    """XLSX: a note on formula cells read as empty because the file holds no saved result
    (looked for only when the frame has blank cells)."""
    if not blank:
        return []
    n_f = _formulas_without_values(data, sheet or "")
    if not n_f:
        return []
    return [
        ReadNote(
            msg(
                "{count:,} formula cell(s) in sheet '{sheet}' have no saved result and "
                "were read as empty. Open the file in Excel and save it (Excel stores "
                "the results), or paste the values (Paste Special > Values) before "
                "uploading.",
                count=n_f,
                sheet=snip(sheet),
            ),
            "formulas_without_values",
            count=n_f,
            sheet=sheet,
        )
    ]
