"""The customers of one segment: the rows, and the Excel-safe CSV export (how many cells
it neutralises)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.segments.labels import TableLike, segments_for, table_frame
from churn.text import msg


def customers_in_segment(
    table: TableLike,
    column: str,
    segment: str,
    *,
    segments: pd.Series | None = None,
    limit: int | None = None,
    **binning: Any,
) -> pd.DataFrame:
    """All customers (labelled or not) whose segment of ``column`` is ``segment``.

    ``segments``: the labels of ``column`` when the caller has them (see
    :func:`churn_by_segment`). ``limit``: only the first rows, for a preview.

    Returns
    -------
    pandas.DataFrame
        A copy of the table's rows for that segment, all columns, ``segment`` first.
    """
    seg = _require_segment(table, column, segment, segments, binning)
    frame = table_frame(table)
    rows = frame.iloc[np.flatnonzero((seg == segment).to_numpy())[:limit]]
    rows.insert(0, "segment", segment)
    return rows


def segment_formula_cells(
    table: TableLike,
    column: str,
    segment: str,
    *,
    segments: pd.Series | None = None,
    per_row: np.ndarray | None = None,
    **binning: Any,
) -> int:
    """How many cells the Excel-safe export of one segment neutralises, without the export.

    The same count as :func:`churn.export.count_formula_cells` of
    :func:`customers_in_segment`. ``per_row``: :func:`churn.export.formula_cells_per_row`
    of the table's frame, when the caller keeps it for every segment.
    """
    from churn.export import formula_cells_per_row, neutralise

    seg = _require_segment(table, column, segment, segments, binning)
    frame = table_frame(table)
    if per_row is None:
        per_row = formula_cells_per_row(frame)
    inside = (seg == segment).to_numpy()
    names = ["segment", *map(str, frame.columns)]
    n = sum(1 for c in names if neutralise(c) != c)
    n += int(inside.sum()) if neutralise(segment) != segment else 0  # the segment column
    return n + int(per_row[inside].sum())


def _require_segment(
    table: TableLike, column: str, segment: str, segments: pd.Series | None, binning: Mapping
) -> pd.Series:
    seg = segments_for(table, column, segments, binning)
    if segment not in set(seg.cat.categories):
        shown = ", ".join(map(str, list(seg.cat.categories)[:10]))
        raise ChurnDataError(
            msg("has no segment '{segment}'.", segment=segment),
            fix=msg("pick one of: {shown}.", shown=shown),
            column=column,
        )
    return seg


def export_segment(
    table: TableLike,
    column: str,
    segment: str,
    *,
    segments: pd.Series | None = None,
    **binning: Any,
) -> tuple[pd.DataFrame, bytes, int]:
    """The customers of one segment as Excel-safe CSV bytes.

    Returns
    -------
    tuple
        ``(rows, csv_bytes, neutralised)``: the rows (see :func:`customers_in_segment`),
        the UTF-8 CSV written by :func:`churn.export.to_csv_bytes` (cells starting with
        ``= + - @``, a tab or a carriage return get a leading apostrophe), and how many
        cells were neutralised that way, so the page can say so.
    """
    from churn.export import count_formula_cells, to_csv_bytes

    rows = customers_in_segment(table, column, segment, segments=segments, **binning)
    return rows, to_csv_bytes(rows), count_formula_cells(rows)
