"""Text the library writes for people, in English, that the app can show in Korean.

The library speaks English (the command line and its JSON stay English). Wherever it
writes a sentence a user will read (an error, a note on how a table was built, a
conversion the reader made, a split description), it builds it with :func:`msg`::

    raise ChurnDataError(
        msg("column '{column}' has no dates.", column=col),
        fix=msg("pick a date column."),
    )

``msg`` returns a :class:`Text`: a ``str`` holding the English sentence that also
remembers its template and values. :func:`localize` turns it into another language with
the catalogue ``churn/locales/<lang>/*.json`` (English template -> translated template,
same ``{placeholders}``); text without a translation stays English rather than failing.
Values that are themselves :class:`Text` are translated too.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LOCALES = Path(__file__).resolve().parent / "locales"


class Text(str):
    """An English sentence that remembers how it was made (``template`` and ``params``)."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Text:
        obj = super().__new__(cls, template.format(**params) if params else template)
        obj.template = template
        obj.params = params
        return obj

    def __reduce__(self):  # pickling (Streamlit's caches) keeps the template
        return (_rebuild, (self.template, self.params))


def _rebuild(template: str, params: dict[str, Any]) -> Text:
    return Text(template, **params)


def msg(template: str, **params: Any) -> Text:
    """The English sentence ``template.format(**params)``, translatable by :func:`localize`.

    The template is the catalogue key: write it as a literal, with named placeholders.
    """
    return Text(template, **params)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """English template -> template in ``lang`` (every JSON file of ``locales/<lang>``)."""
    out: dict[str, str] = {}
    folder = LOCALES / lang
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            out.update(json.loads(path.read_text(encoding="utf-8")))
    return out


def localize(text: Any, lang: str) -> str:
    """``text`` in ``lang`` when it is a :class:`Text` with a translation; else as it is."""
    if not isinstance(text, Text) or lang == "en":
        return str(text)
    translated = catalogue(lang).get(text.template)
    if translated is None:
        return str(text)
    params = {k: localize(v, lang) if isinstance(v, Text) else v for k, v in text.params.items()}
    try:
        return translated.format(**params)
    except (KeyError, IndexError, ValueError):  # a broken translation never hides the text
        return str(text)


#: How an error reads in each language: the column, the problem, the fix.
_ERROR_FRAMES = {
    "en": ("Column '{column}': {problem}", "{text} Fix: {fix}"),
    "ko": ("'{column}' 열: {problem}", "{text} 해결 방법: {fix}"),
}


def error_text(exc: BaseException, lang: str) -> str:
    """A ``ChurnDataError`` (or any exception) as one message in ``lang``."""
    problem = getattr(exc, "problem", None)
    if problem is None or lang == "en":
        return str(exc)
    column, fix = getattr(exc, "column", None), getattr(exc, "fix", None)
    with_column, with_fix = _ERROR_FRAMES.get(lang, _ERROR_FRAMES["en"])
    text = localize(problem, lang)
    if column is not None and f"'{column}'" not in str(problem):
        text = with_column.format(column=column, problem=text)
    if fix:
        text = with_fix.format(text=text, fix=localize(fix, lang))
    return text
