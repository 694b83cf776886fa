"""The XLSX writer: a cover sheet, then one sheet per table (written formula-safe)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from churn.report.formatting import text

if TYPE_CHECKING:  # build imports this module
    from churn.report.build import Report


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns a spreadsheet can hold: text for intervals, periods and other objects."""
    out = frame.reset_index(drop=True).copy()
    out.columns = [str(c) for c in out.columns]
    for c in out.columns:
        s = out[c]
        if not (
            pd.api.types.is_numeric_dtype(s)
            or pd.api.types.is_datetime64_any_dtype(s)
            or pd.api.types.is_bool_dtype(s)
        ):
            out[c] = s.map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return out


def report_xlsx(rep: Report) -> bytes:
    """An XLSX workbook of the report: a cover sheet, then one sheet per table (written safely)."""
    from churn.export import sheet_name, to_xlsx_bytes

    sheets: dict[str, pd.DataFrame] = {}
    cover = []
    taken: set[str] = {text("cover", rep.lang)}
    for s in rep.sections:
        for name, frame in s.tables.items():
            title = sheet_name(name, taken)
            taken.add(title)
            sheets[title] = _plain(frame)
            cover.append({"sheet": title, "contents": f"{s.title}: {name}"})
    cov = pd.DataFrame(cover, columns=["sheet", "contents"]).rename(
        columns={
            "sheet": text("col.sheet", rep.lang),
            "contents": text("col.contents", rep.lang),
        }
    )
    return to_xlsx_bytes(sheets, cover=cov)
