"""What an AppTest page shows a reader: its text and its tables' cells as displayed.

AppTest hands a dataframe element's data (numbers) and, separately, its column settings
(``proto.columns``, JSON). :func:`shown_cells` applies the number formats to the data the
way the browser does for the formats the app uses (printf formats such as "%.1f %%",
"localized" with separators, "percent" with two decimals, and Streamlit's default of up
to four decimals), so a test can read "84.9 %" where the page shows it.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd


def column_formats(element: Any) -> dict[str, str | None]:
    """Each configured column's number format (``None`` when it has none)."""
    config = json.loads(element.proto.columns or "{}")
    return {name: ((c or {}).get("type_config") or {}).get("format") for name, c in config.items()}


def shown_number(x: Any, fmt: str | None) -> str:
    """One number as the table shows it under ``fmt``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    if fmt and "%" in fmt:
        return fmt % x
    if fmt == "localized":
        return f"{x:,}" if float(x).is_integer() else f"{x:,.3f}".rstrip("0").rstrip(".")
    if fmt == "percent":
        return f"{x * 100:.2f}%"
    if isinstance(x, int) or float(x).is_integer():
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".")  # Streamlit's default: up to four decimals


def shown_cells(element: Any) -> pd.DataFrame:
    """The element's cells as text, each number in its column's format."""
    frame = element.value
    formats = column_formats(element)
    out = {}
    for i, name in enumerate(frame.columns):
        col = frame.iloc[:, i]
        fmt = formats.get(str(name))
        out[i] = [shown_number(v.item() if hasattr(v, "item") else v, fmt) for v in col]
    shown = pd.DataFrame(out, index=frame.index)
    shown.columns = frame.columns
    return shown


def shown_text(at: Any) -> list[str]:
    """Every piece of text the page shows: markdown, captions, titles, alerts, metrics
    (label, value, delta) and every table cell as displayed."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [str(e.value) for e in at.success] + [str(e.value) for e in at.error]
    for m in at.metric:
        parts += [str(m.label), str(m.value), str(m.delta or "")]
    for d in at.dataframe:
        cells = shown_cells(d)
        parts += [str(c) for c in cells.columns]
        parts += [v for row in cells.itertuples(index=False) for v in row]
    return [p for p in parts if p.strip()]
