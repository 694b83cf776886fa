"""Numbers, shares, p-values and dates as people read them: one set for the app and the report.

Every function takes the language last (``lang``; default :data:`DEFAULT_LANGUAGE`) and
returns ``"–"`` for a missing value. What differs by language comes from the keyed table
``format`` (``churn/locales/<lang>/tables/format.json``): ``percent`` ("26.5 %" in
English, "26.5%" in Korean), ``points`` ("11.0 points" / "11.0%p"), ``not_reached`` and
``date`` ("2024-03-01" / "2024년 3월 1일"). Thousands separators are commas and decimals a
point in every language so far.

One kind, one look: counts :func:`fmt_int`, money :func:`fmt_money`, shares
:func:`fmt_pct` (one decimal), points :func:`fmt_points` (one decimal), days
:func:`fmt_days` ("not reached" instead of ∞), p-values :func:`fmt_p`, dates
:func:`fmt_date`; :func:`restyle_percent` puts a sentence written elsewhere into the
language's one percent style.

``ui.i18n``'s ``fmt_*`` are these functions with the app's current language.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any

from churn.languages import DEFAULT_LANGUAGE
from churn.text import table

#: What every formatter shows for a missing value.
MISSING = "–"


def _is_nan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)


def fmt_int(n: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """A count with thousands separators ("1,234"); "–" when missing, "∞" when infinite.

    Whole numbers (int, numpy integers) are shown exactly; others are rounded half to even.
    """
    if n is None:
        return MISSING
    f = float(n)
    if math.isnan(f):
        return MISSING
    if math.isinf(f):
        return "∞" if f > 0 else "-∞"
    return f"{int(n) if isinstance(n, numbers.Integral) else int(round(f)):,}"


def fmt_pct(x: Any, digits: int = 1, lang: str = DEFAULT_LANGUAGE) -> str:
    """A share 0..1 as a percentage: "26.5 %" (English) or "26.5%" (Korean); "–" when missing."""
    if x is None or _is_nan(x):
        return MISSING
    return table(lang, "format")["percent"].format(number=f"{float(x) * 100:.{digits}f}")


def fmt_money(x: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """An amount with separators and no currency symbol (files rarely say which): whole
    units from 100 on, cents below; "–" when missing."""
    if x is None or _is_nan(x):
        return MISSING
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.2f}"


def fmt_num(x: Any, digits: int = 3, lang: str = DEFAULT_LANGUAGE) -> str:
    """A plain number with ``digits`` decimals ("-0.0" reads "0.0"); "–" when missing."""
    if x is None or not math.isfinite(float(x)):
        return fmt_int(x, lang)
    out = f"{float(x):,.{digits}f}"
    return out[1:] if out.startswith("-") and not out.strip("-0.,") else out  # no "-0.0"


def fmt_p(p: Any, digits: int = 4, lang: str = DEFAULT_LANGUAGE, *, equals: bool = True) -> str:
    """A p-value with ``digits`` decimals, or "< 0.0001" below the smallest one shown.

    ``equals=True`` (the report's sentences: "p = 0.0312", "p < 0.0001") puts "= " before
    a value; ``equals=False`` (the app: "p-value 0.031") gives the bare value. "–" when
    missing or not finite.
    """
    if p is None or not math.isfinite(float(p)):
        return MISSING
    smallest = 10.0**-digits
    if float(p) < smallest:
        return f"< {smallest:.{digits}f}"
    value = f"{float(p):.{digits}f}"
    return f"= {value}" if equals else value


def fmt_date(d: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """A date: 2024-03-01 (English) or 2024년 3월 1일 (Korean); "–" when missing."""
    import pandas as pd

    if d is None or (not isinstance(d, str) and pd.isna(d)):
        return MISSING
    ts = pd.Timestamp(d)
    return table(lang, "format")["date"].format(year=ts.year, month=ts.month, day=ts.day)


def fmt_points(x: Any, lang: str = DEFAULT_LANGUAGE, *, signed: bool = False) -> str:
    """Percentage points (a share 0..1 given as points already: 11.0 -> "11.0 points" in
    English, "11.0%p" in Korean), one decimal; ``signed`` adds "+" before a rise.

    "–" when missing. A change that rounds to zero reads "0.0" without a sign.
    """
    if x is None or not math.isfinite(float(x)):
        return MISSING
    number = fmt_num(x, 1, lang)
    if signed and float(number.replace(",", "")) > 0:
        number = "+" + number
    return table(lang, "format")["points"].format(number=number)


def not_reached(lang: str = DEFAULT_LANGUAGE) -> str:
    """What a median lifetime reads when fewer than half have churned ("not reached")."""
    return table(lang, "format")["not_reached"]


def fmt_days(x: Any, lang: str = DEFAULT_LANGUAGE) -> str:
    """A number of days as a count; an infinite one (a median never reached) reads
    "not reached" instead of "∞"; "–" when missing."""
    if x is not None and not _is_nan(x) and math.isinf(float(x)):
        return not_reached(lang)
    return fmt_int(x, lang)


_PERCENT = re.compile(r"(\d)\s?%(?!p)")


def restyle_percent(text: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """``text`` with every "12.5%" / "12.5 %" in ``lang``'s one percent style, for
    sentences written elsewhere that a page or the report shows beside its own."""
    spaced = table(lang, "format")["percent"].format(number="") == " %"
    return _PERCENT.sub(r"\1 %" if spaced else r"\1%", str(text))
