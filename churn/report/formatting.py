"""Formatting: report texts and headers in a language, and numbers, shares and dates.

The words come from the keyed tables of ``churn/locales/<lang>/tables/`` (see
:mod:`churn.report.catalogue`); the number and date formats are :mod:`churn.formatting`'s,
which the app uses too.
"""

from __future__ import annotations

from typing import Any

from churn.formatting import fmt_date, fmt_int, fmt_num, fmt_p, fmt_pct
from churn.languages import DEFAULT_LANGUAGE, LANGUAGES, norm_lang
from churn.text import table

#: The report's languages (those of :data:`churn.languages.LANGUAGES`).
LANGS = tuple(LANGUAGES)

__all__ = [
    "LANGS",
    "chart_labels",
    "fmt_date",
    "fmt_int",
    "fmt_num",
    "fmt_p",
    "fmt_pct",
    "header",
    "text",
]


def chart_labels(lang: str) -> dict[str, str] | None:
    """Labels for the chart builders in ``lang`` (None = their English defaults)."""
    return dict(table(norm_lang(lang), "report_chart_labels")) or None


def header(name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A table or column header in ``lang`` (the raw name when it has no translation)."""
    return table(norm_lang(lang), "report_headers").get(str(name), str(name))


def text(key: str, lang: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """The report text ``key`` in ``lang`` (one of :data:`LANGS`), filled with ``values``."""
    cat = table(norm_lang(lang), "report_text")
    return cat[key].format(**values) if values else cat[key]
