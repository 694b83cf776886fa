"""The box of values of one sheet (:class:`Extent`) and the caps it is judged by.

:func:`judge` refuses a sheet whose box is taller than ``max_rows``, wider than
``max_cols``, larger than ``max_cells``, or over :data:`PAD_AREA` cells and less than 1 %
filled; :func:`damaged` is the error for a workbook whose structure would make calamine
reserve or read without bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from churn.errors import ChurnDataError
from churn.text import Text, msg

#: Sheets whose box is larger than this must have at least one value per 100 cells.
PAD_AREA = 1_000_000
_PAD_SHARE = 100  # one value per this many cells
_ROW_SLACK = 50  # as churn.io.workbook: title rows above a table do not count against max_rows


@dataclass
class Extent:
    """Where the values of one sheet are: 1-based rows/columns, and how many."""

    sheet: str
    cells: int = 0
    top: int = 0
    bottom: int = 0
    left: int = 0
    right: int = 0
    bottom_cell: tuple[int, int] = (0, 0)  # a value on the last row
    right_cell: tuple[int, int] = (0, 0)  # a value in the last column

    def add_box(
        self,
        top: int,
        bottom: int,
        left: int,
        right: int,
        count: int,
        bottom_cell: tuple[int, int],
        right_cell: tuple[int, int],
    ) -> None:
        if count <= 0:
            return
        if not self.cells:
            self.top, self.bottom, self.left, self.right = top, bottom, left, right
            self.bottom_cell, self.right_cell = bottom_cell, right_cell
        else:
            self.top, self.left = min(self.top, top), min(self.left, left)
            if bottom > self.bottom:
                self.bottom, self.bottom_cell = bottom, bottom_cell
            if right > self.right:
                self.right, self.right_cell = right, right_cell
        self.cells += count

    def add_cells(self, rows: np.ndarray, cols: np.ndarray) -> None:
        if not len(rows):
            return
        i, j = int(np.argmax(rows)), int(np.argmax(cols))
        self.add_box(
            int(rows.min()),
            int(rows[i]),
            int(cols.min()),
            int(cols[j]),
            len(rows),
            (int(rows[i]), int(cols[i])),
            (int(rows[j]), int(cols[j])),
        )


def _column_name(col: int) -> str:
    name = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name or "A"


def address(cell: tuple[int, int]) -> str:
    """The A1-style name of a (row, column) cell."""
    return f"{_column_name(cell[1])}{cell[0]}"


def judge(ext: Extent, limits: Any) -> None:
    """Raise if the grid calamine would build for ``ext`` breaks a cap."""
    if not ext.cells:
        return
    rows = ext.bottom - ext.top + 1
    cols = ext.right - ext.left + 1
    area = rows * cols
    if ext.bottom_cell[1] == ext.right:
        far: str = address(ext.bottom_cell)
    elif ext.right_cell[0] == ext.bottom:
        far = address(ext.right_cell)
    else:
        far = msg("{a} and {b}", a=address(ext.bottom_cell), b=address(ext.right_cell))
    if rows > limits.max_rows + _ROW_SLACK:
        raise ChurnDataError(
            msg(
                "Sheet '{sheet}' has a value as far down as cell {cell}: reading it would take "
                "{rows:,} rows, more than the limit of {limit:,} rows, so the workbook was "
                "not opened.",
                sheet=ext.sheet,
                cell=address(ext.bottom_cell),
                rows=rows,
                limit=limits.max_rows,
            ),
            fix=msg(
                "in sheet '{sheet}', delete the stray cells beyond the data (such as {cells}) "
                "and save again, or copy the data range into a new workbook; if the sheet "
                "really is this large, raise the limit with the environment variable {var} "
                "before starting the app.",
                sheet=ext.sheet,
                cells=address(ext.bottom_cell),
                var="CHURNLENS_MAX_ROWS",
            ),
        )
    if cols > limits.max_cols:
        raise ChurnDataError(
            msg(
                "Sheet '{sheet}' has a value as far right as cell {cell}: reading it would take "
                "{cols:,} columns, more than the limit of {limit:,} columns, so the workbook "
                "was not opened.",
                sheet=ext.sheet,
                cell=address(ext.right_cell),
                cols=cols,
                limit=limits.max_cols,
            ),
            fix=msg(
                "in sheet '{sheet}', delete the stray cells beyond the data (such as {cells}) "
                "and save again, or copy the data range into a new workbook; if the sheet "
                "really is this large, raise the limit with the environment variable {var} "
                "before starting the app.",
                sheet=ext.sheet,
                cells=address(ext.right_cell),
                var="CHURNLENS_MAX_COLS",
            ),
        )
    if area > limits.max_cells:
        raise ChurnDataError(
            msg(
                "Sheet '{sheet}' has values as far out as {cells}: reading it would build a grid "
                "of {rows:,} rows by {cols:,} columns ({area:,} cells), more than the limit of "
                "{limit:,} cells, so the workbook was not opened.",
                sheet=ext.sheet,
                cells=far,
                rows=rows,
                cols=cols,
                area=area,
                limit=limits.max_cells,
            ),
            fix=msg(
                "in sheet '{sheet}', delete the stray cells beyond the data (such as {cells}) "
                "and save again, or copy the data range into a new workbook; if the sheet "
                "really is this large, raise the limit with the environment variable {var} "
                "before starting the app.",
                sheet=ext.sheet,
                cells=far,
                var="CHURNLENS_MAX_CELLS",
            ),
        )
    if area > PAD_AREA and ext.cells * _PAD_SHARE < area:
        raise ChurnDataError(
            msg(
                "Sheet '{sheet}' is almost all empty: its values reach {cells}, a grid of "
                "{area:,} cells, but only {real:,} of them hold a value (a sheet over "
                "{floor:,} cells needs at least 1 value per {share} cells), so the workbook "
                "was not opened.",
                sheet=ext.sheet,
                cells=far,
                area=area,
                real=ext.cells,
                floor=PAD_AREA,
                share=_PAD_SHARE,
            ),
            fix=msg(
                "in sheet '{sheet}', delete the stray cells beyond the data (such as {cells}) "
                "and save again, or copy the data range into a new workbook.",
                sheet=ext.sheet,
                cells=far,
            ),
        )


def damaged(reason: Text) -> ChurnDataError:
    """The workbook was not opened: ``reason`` says what in its structure is wrong."""
    return ChurnDataError(
        msg(
            "The workbook was not opened: {reason} (the file is damaged, or was made to "
            "crash spreadsheet readers).",
            reason=reason,
        ),
        fix=msg("open it in Excel and save it again as .xlsx, or export the data as CSV."),
    )
