"""Translations: ``t("namespace.key", **values)`` in English or Korean.

Catalogues live in ``ui/locales/<lang>/<namespace>.json``, one file per page or area, so
that a page's strings sit together. Every language must have the same keys and the same
``{placeholders}`` (a test checks). A missing key falls back to English, then to the key
itself, so a page never crashes on a string.

The languages themselves are declared in :mod:`churn.languages`; numbers and dates are
formatted by :mod:`churn.formatting` (the ``fmt_*`` here pass the current language), and
model names come from the model registry (:func:`model_name`).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from churn import formatting
from churn.languages import DEFAULT_LANGUAGE, LANGUAGES, norm_lang

LOCALES_DIR = Path(__file__).parent / "locales"
#: The default language (the name ui code has used; :data:`churn.languages.DEFAULT_LANGUAGE`).
DEFAULT_LANG = DEFAULT_LANGUAGE
LANG_KEY = "cl.lang"

__all__ = [
    "DEFAULT_LANG",
    "LANGUAGES",
    "LANG_KEY",
    "LOCALES_DIR",
    "catalogue",
    "current_lang",
    "error_message",
    "fmt_date",
    "fmt_int",
    "fmt_money",
    "fmt_pct",
    "lib_text",
    "md_safe",
    "model_name",
    "t",
]


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All strings of one language, flattened to ``namespace.key`` -> text.

    ``model.name_<key>`` of every registered model is added from the registry
    (:func:`model_name`), so no locale file repeats a model's name.
    """
    out: dict[str, str] = {}
    folder = LOCALES_DIR / lang
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, text in data.items():
            out[f"{path.stem}.{key}"] = text
    out.update(_model_names(lang, out.get("model.recommended", "{name}")))
    return out


def _model_names(lang: str, recommended: str) -> dict[str, str]:
    """``model.name_<key>`` -> display name of each registered model in ``lang``."""
    from churn.model.registry import DEFAULT_MODEL, MODELS, model_label

    names = {f"model.name_{n}": model_label(n, lang) for n in MODELS}
    key = f"model.name_{DEFAULT_MODEL}"
    if key in names:
        names[key] = recommended.format(name=names[key])
    return names


def current_lang() -> str:
    try:
        import streamlit as st

        lang = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    except Exception:  # noqa: BLE001 - outside a Streamlit run (tests, scripts)
        lang = DEFAULT_LANG
    return norm_lang(lang)


# Markdown that would be live if it came from the data: a link or image ("](" or "]["),
# a link definition, an autolink ("<https:"), LaTeX between dollars, Streamlit's coloured
# text (":red[") and its emoji/icon codes are left alone (they only change looks).
_LIVE_MD = re.compile(
    r"\]\s*[(\[]|^\s*\[[^\]]*\]:|<\s*[a-z][a-z0-9+.-]*:|\$[^$]+\$|:[a-z-]+\[", re.I | re.M
)
_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark


def md_safe(text: object) -> str:
    """``text`` from the data, made safe to put in Markdown (st.markdown, captions, alerts,
    widget labels).

    Ordinary text is returned unchanged, so a name like ``Amount [USD]`` reads the same in
    tables and charts. Text holding live Markdown (a link or a remote image such as
    ``![x](http://host/p.png)``, LaTeX, coloured text) has every punctuation mark
    backslash-escaped, so it shows literally instead of fetching or linking anything.
    """
    s = str(text)
    return _MD_PUNCT.sub(r"\\\1", s) if _LIVE_MD.search(s) else s


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text for ``key`` in the current language, with ``{name}`` values filled in.

    Text values are passed through :func:`md_safe`: a file name, column name or value from
    the data can never become a live link or image in the Markdown the pages render.
    """
    lang = lang or current_lang()
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANG).get(key) or key
    if values:
        safe = {k: md_safe(v) if isinstance(v, str) else v for k, v in values.items()}
        try:
            return text.format(**safe)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def model_name(name: str, lang: str | None = None, *, recommended: bool = True) -> str:
    """A registered model's display name in the current language (from its ``ModelSpec``);
    with ``recommended``, the default model says it is the recommended one."""
    if not recommended:
        from churn.model.registry import model_label

        return model_label(name, lang or current_lang())
    return t(f"model.name_{name}", lang)


def fmt_int(n: float | int | None, lang: str | None = None) -> str:
    """:func:`churn.formatting.fmt_int` in the current language ("1,234"; "–" for missing)."""
    return formatting.fmt_int(n, lang or current_lang())


def fmt_pct(x: float | None, digits: int = 1, lang: str | None = None) -> str:
    """:func:`churn.formatting.fmt_pct` in the current language ("26.5 %" / "26.5%")."""
    return formatting.fmt_pct(x, digits, lang or current_lang())


def fmt_money(x: float | None, lang: str | None = None) -> str:
    """:func:`churn.formatting.fmt_money` in the current language (no currency symbol)."""
    return formatting.fmt_money(x, lang or current_lang())


def fmt_date(d: object, lang: str | None = None) -> str:
    """:func:`churn.formatting.fmt_date` in the current language (2024-03-01 in English)."""
    return formatting.fmt_date(d, lang or current_lang())


def lib_text(text: object, lang: str | None = None) -> str:
    """A sentence the library wrote (``churn.text.msg``) in the current language, made
    Markdown-safe, its percentages in the language's one percent style; plain text is
    only made safe."""
    from churn.text import localize

    lang = lang or current_lang()
    return md_safe(formatting.restyle_percent(localize(text, lang), lang))


def error_message(exc: BaseException, lang: str | None = None) -> str:
    """A ``ChurnDataError`` (problem, column, fix) in the current language, Markdown-safe."""
    from churn.text import error_text

    return md_safe(error_text(exc, lang or current_lang()))
