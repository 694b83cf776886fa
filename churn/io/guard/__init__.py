"""A workbook is checked before python-calamine reads it: no sheet may build an oversized grid.

python-calamine turns a sheet into a dense grid spanning every cell that holds a value. A
single stray value at GR2000000 makes that grid 400 million cells (over 14 GB of memory);
one at XFD1048576 makes it ask for 550 GB at once, which aborts the whole process (no
Python ``except`` can catch it). Such a file is 2 KB, so the zip guards of
:mod:`churn.io.workbook` cannot see it. :func:`check_workbook` runs first and, streaming
each sheet (never holding a whole part in memory), finds the box its values really span:

* XLSX/XLSM: every worksheet part. A cell counts when it has a value, formula or inline
  text child; a styled empty ``<c r="XFD1048576" s="1"/>`` is formatting, not data. The
  declared ``<dimension ref>`` is ignored: calamine only pre-sizes from it when it
  declares fewer than 100,000 cells, and sizes its grid from the real cells. It does
  pre-size its shared-text list from ``<sst uniqueCount>``, so an impossible count is
  refused.
* ODS: ``content.xml``, rows and cells with their repeat counts; a cell counts when its
  tag carries an ``office:`` value or a formula. A trailing run of empty rows or cells
  (LibreOffice writes one up to row 1,048,576) is never materialised and is fine;
  repeated cells *with a value* count once per repeat.
* XLS: the compound file's sector chains (a loop in one makes calamine read forever), the
  DIMENSIONS record (calamine reserves rows x columns from it) and every cell record.

A sheet is refused (:class:`~churn.errors.ChurnDataError` naming the sheet, the far cell
and the cap) when its box is taller than ``max_rows``, wider than ``max_cols``, larger
than ``max_cells``, or over a million cells and less than 1 % filled (padding around a few
values). XLSB workbooks are not checked here.

The XLSX and ODS passes work on the decompressed bytes with numpy, 4 MB at a time; XML
in an unusual form (prefixed tags, cells without ``r``) goes through expat instead. On a
100,000 x 20 workbook the pass costs about a quarter of the read's CPU time for XLSX
(inflating the XML is a third of that), half for the more verbose ODS.

The submodules:

- :mod:`~churn.io.guard.extent` -- :class:`~churn.io.guard.extent.Extent` (the box a
  sheet's values span) and :func:`~churn.io.guard.extent.judge` (the caps and their
  messages).
- :mod:`~churn.io.guard.shared` -- streaming a zip member, cell references read as
  calamine reads them, small index parts and their tags.
- :mod:`~churn.io.guard.xlsx`, :mod:`~churn.io.guard.ods`, :mod:`~churn.io.guard.xls` --
  the extents of every sheet of one kind of workbook.
"""

from __future__ import annotations

from typing import Any

from churn.io.guard import ods, xls, xlsx
from churn.io.guard.extent import PAD_AREA, judge

__all__ = ["PAD_AREA", "check_workbook"]


def check_workbook(data: bytes, kind: str, sheet: str | None, limits: Any) -> None:
    """Refuse a workbook whose sheets would make python-calamine build an oversized grid.

    Parameters
    ----------
    data : the workbook's bytes (already through ``churn.io``'s zip guards).
    kind : "xlsx", "ods" or "xls", as ``churn.io`` found from the bytes.
    sheet : the sheet that will be read; ``None`` = every sheet (the picker reads them
        all). ODS and XLS files are read whole when opened, so all their sheets count.
    limits : a :class:`churn.io.Limits` (``max_rows``, ``max_cols``, ``max_cells``).

    Raises
    ------
    ChurnDataError
        A sheet is over a cap or almost all padding (the message names the sheet, the
        far cell and the cap), or the file's structure would make calamine reserve or
        read without bound.
    """
    if kind == "xlsx":
        extents = xlsx.xlsx_extents(data, sheet)
    elif kind == "ods":
        extents = ods.ods_extents(data)
    elif kind == "xls":
        extents = xls.xls_extents(data)
    else:
        return
    for ext in extents:
        judge(ext, limits)
