"""Translations: ``t("namespace.key", **values)`` in English or Korean.

Catalogues live in ``ui/locales/<lang>/<namespace>.json``, one file per page or area, so
that a page's strings sit together. Both languages must have the same keys and the same
``{placeholders}`` (a test checks). A missing key falls back to English, then to the key
itself, so a page never crashes on a string.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = {"en": "English", "ko": "한국어"}
DEFAULT_LANG = "en"
LANG_KEY = "cl.lang"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All strings of one language, flattened to ``namespace.key`` -> text."""
    out: dict[str, str] = {}
    folder = LOCALES_DIR / lang
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, text in data.items():
            out[f"{path.stem}.{key}"] = text
    return out


def current_lang() -> str:
    try:
        import streamlit as st

        lang = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    except Exception:  # noqa: BLE001 - outside a Streamlit run (tests, scripts)
        lang = DEFAULT_LANG
    return lang if lang in LANGUAGES else DEFAULT_LANG


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


def fmt_int(n: float | int | None, lang: str | None = None) -> str:
    """A count with thousands separators ("1,234"); "–" for missing."""
    if n is None or (isinstance(n, float) and math.isnan(n)):
        return "–"
    return f"{int(round(n)):,}"


def fmt_pct(x: float | None, digits: int = 1, lang: str | None = None) -> str:
    """A share 0..1 as a percentage ("26.5 %" in English, "26.5%" in Korean)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    lang = lang or current_lang()
    sep = "" if lang == "ko" else " "
    return f"{x * 100:.{digits}f}{sep}%"


def fmt_money(x: float | None, lang: str | None = None) -> str:
    """An amount with separators and no currency symbol (files rarely say which)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"


def fmt_date(d: object, lang: str | None = None) -> str:
    """A date as 2024-03-01 (English) or 2024년 3월 1일 (Korean)."""
    import pandas as pd

    if d is None or (not isinstance(d, str) and pd.isna(d)):
        return "–"
    ts = pd.Timestamp(d)
    lang = lang or current_lang()
    if lang == "ko":
        return f"{ts.year}년 {ts.month}월 {ts.day}일"
    return ts.strftime("%Y-%m-%d")


def lib_text(text: object, lang: str | None = None) -> str:
    """A sentence the library wrote (``churn.text.msg``) in the current language, made
    Markdown-safe; plain text is only made safe."""
    from churn.text import localize

    return md_safe(localize(text, lang or current_lang()))


def error_message(exc: BaseException, lang: str | None = None) -> str:
    """A ``ChurnDataError`` (problem, column, fix) in the current language, Markdown-safe."""
    from churn.text import error_text

    return md_safe(error_text(exc, lang or current_lang()))
