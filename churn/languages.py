"""The languages ChurnLens speaks, declared once (the library's base layer: no churn imports).

Adding a language takes three places:

1. :data:`LANGUAGES` below (its code and its name in its own language);
2. ``churn/locales/<lang>/``: ``*.json`` maps the library's English sentences
   (``churn.text.msg`` templates) to the language, and ``tables/*.json`` holds the keyed
   tables (report texts and headers, reason templates, number and date formats) with the
   same keys as ``churn/locales/en/tables/``;
3. ``ui/locales/<lang>/``: the app's strings, with the same keys as ``ui/locales/en/``.

``tests/test_languages.py`` lists what a new language still lacks. (The default playbook,
``churn/playbook.csv``, carries its actions in ``action_<lang>`` / ``why_<lang>`` columns;
that test checks those too.)
"""

from __future__ import annotations

from pathlib import Path

#: Language code -> the language's name in itself (what the language picker shows).
LANGUAGES: dict[str, str] = {"en": "English", "ko": "한국어"}
#: The language of the app, the report and the CLI when none (or an unknown one) is asked for.
DEFAULT_LANGUAGE = "en"
#: The language the code is written in: ``msg()`` templates and the reference tables of
#: ``churn/locales/en/tables`` (text in it needs no translation).
SOURCE_LANGUAGE = "en"
#: Where the library's translations live: ``LOCALES / <lang>``.
LOCALES = Path(__file__).resolve().parent / "locales"


def norm_lang(lang: object) -> str:
    """``lang`` when it is one of :data:`LANGUAGES`, else :data:`DEFAULT_LANGUAGE`."""
    return lang if isinstance(lang, str) and lang in LANGUAGES else DEFAULT_LANGUAGE


def locale_dir(lang: str) -> Path:
    """The folder of ``lang``'s library translations (``churn/locales/<lang>``)."""
    return LOCALES / lang


def table_path(lang: str, name: str) -> Path:
    """The file of the keyed table ``name`` in ``lang`` (``churn/locales/<lang>/tables/``)."""
    return LOCALES / lang / "tables" / f"{name}.json"
