"""Translations: ``t("namespace.key", **values)`` in English or Korean.

Catalogues live in ``ui/locales/<lang>/<namespace>.json``, one file per page or area, so
that a page's strings sit together. Both languages must have the same keys and the same
``{placeholders}`` (a test checks). A missing key falls back to English, then to the key
itself, so a page never crashes on a string.
"""

from __future__ import annotations

import json
import math
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


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text for ``key`` in the current language, with ``{name}`` values filled in."""
    lang = lang or current_lang()
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANG).get(key) or key
    if values:
        try:
            return text.format(**values)
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
