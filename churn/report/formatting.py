"""Formatting: report texts and headers in a language, and numbers, shares and dates.

The words come from the keyed tables of ``churn/locales/<lang>/tables/`` (see
:mod:`churn.report.catalogue`); the number and date formats are :mod:`churn.formatting`'s,
which the app uses too.
"""

from __future__ import annotations

from typing import Any

from churn.formatting import (
    fmt_date,
    fmt_days,
    fmt_int,
    fmt_money,
    fmt_num,
    fmt_p,
    fmt_pct,
    fmt_points,
    restyle_percent,
)
from churn.languages import DEFAULT_LANGUAGE, LANGUAGES, norm_lang
from churn.text import table

#: The report's languages (those of :data:`churn.languages.LANGUAGES`).
LANGS = tuple(LANGUAGES)

__all__ = [
    "LANGS",
    "chart_labels",
    "fmt_date",
    "fmt_days",
    "fmt_int",
    "fmt_money",
    "fmt_num",
    "fmt_p",
    "fmt_pct",
    "fmt_points",
    "header",
    "issue_code",
    "restyle",
    "text",
    "text_n",
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


def text_n(key: str, n: int, lang: str = DEFAULT_LANGUAGE, **values: Any) -> str:
    """The report text ``key`` for a count ``n``: ``key + ".one"`` when ``n`` is 1 and the
    language has that form ("1 validation issue was found"), else ``key``."""
    cat = table(norm_lang(lang), "report_text")
    one = f"{key}.one"
    return text(one if n == 1 and one in cat else key, lang, **values)


def restyle(sentence: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A sentence written elsewhere (a table note, a validation message) with the report's
    percent style (:func:`churn.formatting.restyle_percent`)."""
    return restyle_percent(sentence, norm_lang(lang))


def issue_code(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """A validation issue's code in words ("missing values"; never the raw snake_case)."""
    words = table(norm_lang(lang), "report_codes")
    return (
        words.get(str(code))
        or table("en", "report_codes").get(str(code))
        or (str(code).replace("_", " "))
    )
