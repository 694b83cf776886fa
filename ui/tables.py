"""Shares in tables as the rest of the page writes them: the language's one percent style.

Streamlit's ``format="percent"`` shows "84.94%" whatever the language, beside page text
that reads "84.9 %" (``churn.formatting.fmt_pct``). A table shows a share column through
:func:`percent_view`: the column scaled to 0..100 for display only (numbers stay numbers,
so the column still sorts) and a printf format from the language's ``percent`` template
with the formatting layer's one decimal ("%.1f %%" in English, "%.1f%%" in Korean).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from churn.text import table
from ui.i18n import current_lang

#: Decimals of a share, as ``churn.formatting.fmt_pct`` shows it.
PCT_DIGITS = 1


def pct_format(digits: int = PCT_DIGITS, lang: str | None = None) -> str:
    """The printf format of a 0..100 number in the language's percent style."""
    template = table(lang or current_lang(), "format")["percent"]
    return template.replace("%", "%%").format(number=f"%.{digits}f")


def percent_column(label: str | None = None, *, progress: bool = False) -> Any:
    """The column setting of a share column scaled by :func:`percent_view`."""
    if progress:
        return st.column_config.ProgressColumn(
            label, format=pct_format(), min_value=0, max_value=100
        )
    return st.column_config.NumberColumn(label, format=pct_format())


def percent_view(
    frame: pd.DataFrame,
    columns: Iterable[Any],
    labels: Mapping[Any, str] | None = None,
    *,
    progress: bool = False,
) -> tuple[pd.DataFrame, dict]:
    """``frame`` with its share ``columns`` (0..1) shown as 0..100, and their settings.

    Columns the frame lacks are left out; ``labels`` gives a column its header. The
    result is a copy for display only: what the page computes with keeps its shares.
    """
    names = [c for c in dict.fromkeys(columns) if c in frame.columns]
    out = frame.copy(deep=False)
    for c in names:
        out[c] = pd.to_numeric(out[c], errors="coerce") * 100
    given = dict(labels or {})
    return out, {c: percent_column(given.get(c), progress=progress) for c in names}
