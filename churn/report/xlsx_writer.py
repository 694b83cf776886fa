"""The XLSX writer: a cover sheet, then one sheet per table (written formula-safe)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from churn.report.formatting import header, text

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


def _readable(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Yes/no in the report's language instead of TRUE/FALSE, and no machine key beside
    its words (a metric's ``metric`` code when the table has its ``label``)."""
    out = frame.drop(columns=["metric"]) if {"metric", "label"} <= set(frame.columns) else frame
    yes, no = text("value.yes", lang), text("value.no", lang)
    for c in out.columns:
        if pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].map({True: yes, False: no})
    return out


def report_xlsx(rep: Report) -> bytes:
    """An XLSX workbook of the report: a cover sheet, then one sheet per table (written
    safely), sheet names and column headers in the report's language."""
    from churn.export import sheet_name, to_xlsx_bytes

    lang = rep.lang
    cover_title = text("cover", lang)
    taken: set[str] = {cover_title}
    sheets: dict[str, pd.DataFrame] = {}
    cover = []
    for s in rep.sections:
        for name, frame in s.tables.items():
            title = sheet_name(header(name, lang), taken)
            taken.add(title)
            sheets[title] = _readable(_plain(frame), lang).rename(columns=lambda c: header(c, lang))
            cover.append({"sheet": title, "contents": f"{s.title}: {header(name, lang)}"})
        if s.bullets:  # the executive summary's points, one per row
            title = sheet_name(s.title, taken)
            taken.add(title)
            sheets[title] = pd.DataFrame({s.title: s.bullets})
            cover.append({"sheet": title, "contents": s.title})
    cov = pd.DataFrame(cover, columns=["sheet", "contents"]).rename(
        columns={"sheet": text("col.sheet", lang), "contents": text("col.contents", lang)}
    )
    # the cover goes first under its translated name (to_xlsx_bytes' own cover is "Cover")
    return to_xlsx_bytes({cover_title: cov, **sheets})
