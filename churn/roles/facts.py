"""Facts about columns: type, distinct values, missing share and value patterns.

:func:`facts_of` describes every column of a frame once (on a sample of very large
frames); role inference and validation judge columns on these facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from churn.roles.names import (
    AMOUNT_KO,
    AMOUNT_TOKENS,
    END_KO,
    EVENT_KO,
    START_KO,
)
from churn.text import msg

_SAMPLE = 1000  # values looked at for patterns (dates, e-mails, phones, names)

_DATE_RE = re.compile(
    r"^(\d{4}[-/.]\s?\d{1,2}[-/.]\s?\d{1,2}\.?"
    r"|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|\d{4}\s*년\s*\d{1,2}\s*월\s*\d{1,2}\s*일?"
    r"|\d{1,2}[ -][A-Za-z]{3,9}[ -,]+\d{2,4}"
    r"|[A-Za-z]{3,9}\.? \d{1,2},? \d{4})"
    r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([AaPp][Mm]|Z|[+-]\d{2}:?\d{2})?)?$"
)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE_RE = re.compile(r"^\+?[\d\s().\-]{7,24}$")
_PERSON_RE = re.compile(r"^([가-힣]{2,4}|[A-Z][a-z'’\-]+( [A-Z]\.?)?( [A-Z][a-z'’\-]+){1,2})$")
_NUMBER_STRIP = re.compile(r"[\s,$€£¥₩%]")


def normalize_name(name: Any) -> str:
    """snake_case form of a column name used for matching (``customerID`` -> ``customer_id``)."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name))
    s = re.sub(r"[^\w]+", "_", s.casefold())
    return s.strip("_")


@dataclass
class ColumnFacts:
    """What role inference knows about one column (its name and its values)."""

    col: str
    tokens: frozenset
    compact: str
    n: int
    missing: float
    nunique: int
    unique_ratio: float
    kind: str  # "numeric" | "bool" | "datetime" | "text"
    integer: bool
    date_share: float = 0.0
    email_share: float = 0.0
    phone_share: float = 0.0
    person_share: float = 0.0
    numeric_text: bool = False

    def has(self, words: Iterable[str]) -> bool:
        return bool(self.tokens & set(words))

    def contains(self, parts: Iterable[str]) -> bool:
        return any(p in self.compact for p in parts)

    @property
    def is_date(self) -> bool:
        return self.kind == "datetime" or self.date_share >= 0.8

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("numeric", "bool") or self.numeric_text


_SERIAL_MIN, _SERIAL_MAX = 20_000, 80_000  # Excel serial days: 1954-10-03 .. 2119-01-10
_DATE_NAME_TOKENS = {"date", "dt", "day", "dated", "at", "on"}
_DATE_NAME_KO = ("일자", "날짜", "일시")


def _date_named(f: ColumnFacts) -> bool:
    """The name plainly says "date" (``start_date``, ``created_at``, ``가입일``).

    Strict on purpose: amounts in won often fall in the serial-number range, so a name
    that only hints at a start or an end (``first_purchase``) or names money is not
    enough.
    """
    if f.has(AMOUNT_TOKENS) or f.contains(AMOUNT_KO):
        return False
    ko_days = tuple(w for w in START_KO + END_KO + EVENT_KO if w.endswith("일"))
    return f.has(_DATE_NAME_TOKENS) or f.contains(_DATE_NAME_KO + ko_days)


def as_number(x: pd.Series) -> pd.Series | None:
    """A numeric view of ``x`` (numbers stored as text are converted), or None."""
    if pd.api.types.is_bool_dtype(x):
        return x.astype(float)
    if pd.api.types.is_numeric_dtype(x):
        return x.astype(float)
    if not (pd.api.types.is_object_dtype(x) or pd.api.types.is_string_dtype(x)):
        return None
    # Convert each distinct value once: columns repeat their values a lot.
    codes, uniques = pd.factorize(x, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype(str).str.replace(_NUMBER_STRIP, "", regex=True)
    blank = (text == "").to_numpy()
    num = pd.to_numeric(text.where(~blank), errors="coerce").to_numpy(dtype=float)
    present = codes >= 0
    present[present] = ~blank[codes[present]]
    if not present.any():
        return None
    values = np.append(num, np.nan)[codes]  # code -1 (missing) picks the appended NaN
    if np.isnan(values[present]).mean() > 0.05:
        return None
    return pd.Series(values, index=x.index, dtype=float)


def _texts(uniques) -> pd.Series:
    """Distinct values as text; bytes that are not UTF-8 (a Parquet binary column) are
    decoded with replacement characters instead of failing."""
    values = pd.Series(uniques, dtype=object)
    try:
        return values.astype(str)
    except UnicodeDecodeError:
        return values.map(
            lambda v: v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
        ).astype(object)


def column_facts(s: pd.Series, col: str) -> ColumnFacts:
    """The facts of one column ``s`` named ``col`` (worked out on its distinct values)."""
    norm = normalize_name(col)
    n = len(s)
    plain = (
        pd.api.types.is_bool_dtype(s)
        or pd.api.types.is_datetime64_any_dtype(s)
        or pd.api.types.is_numeric_dtype(s)
    )
    if not plain and not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
        s = s.astype(str).astype(object)  # durations, periods, intervals: judged as text
    text_like = not plain
    try:
        # Work on the distinct values: a column of millions of rows has few of them.
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists): describe them as text
        s = s.astype(str)
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    distinct = False
    if text_like:
        texts = _texts(uniques).str.strip()
        filled = (texts != "").to_numpy()
        nn = int(counts[filled].sum())
        # Usually the distinct values are already stripped text: then the texts are
        # distinct too and need no second hashing (ids, e-mails: one text per row).
        distinct = bool((texts.to_numpy() == np.asarray(uniques, dtype=object)).all())
        nunique = int(filled.sum()) if distinct else int(texts[filled].nunique())
    else:
        filled = np.ones(len(uniques), dtype=bool)
        nn = int(counts.sum())
        nunique = len(uniques)
    if pd.api.types.is_bool_dtype(s):
        kind = "bool"
    elif pd.api.types.is_datetime64_any_dtype(s):
        kind = "datetime"
    elif pd.api.types.is_numeric_dtype(s):
        kind = "numeric"
    else:
        kind = "text"
    integer = False
    if kind == "numeric" and nn:
        vals = np.asarray(uniques, dtype=float)
        integer = bool(np.all(np.isfinite(vals)) and np.all(vals == np.round(vals)))
    f = ColumnFacts(
        col=col,
        tokens=frozenset(norm.split("_")),
        compact=norm.replace("_", ""),
        n=n,
        missing=1.0 - nn / n if n else 1.0,
        nunique=nunique,
        unique_ratio=nunique / nn if nn else 0.0,
        kind=kind,
        integer=integer,
    )
    if kind == "text" and nn:
        # Patterns are judged on the most frequent distinct values, weighted by count
        # (at most _SAMPLE of them), which is what a sample of rows would show.
        weights = pd.Series(counts[filled], index=texts[filled].to_numpy())
        if not distinct:
            weights = weights.groupby(level=0, sort=False).sum()
        if distinct and len(weights) > _SAMPLE:
            # what ``nlargest`` returns here (its stable sort: ties in order of appearance)
            top = np.argsort(-weights.to_numpy(), kind="stable")[:_SAMPLE]
            weights = weights.iloc[top]
        else:
            weights = weights.nlargest(_SAMPLE)
        # Python's re on these (at most _SAMPLE) values: on Arrow strings pandas re-parses
        # each pattern on every call to choose an engine, which costs more than matching
        # (the result is the same: pandas falls back to re wherever the two differ).
        text = pd.Series(weights.index.to_numpy(dtype=object), dtype=object)
        w = weights.to_numpy() / weights.sum()

        def share(mask: pd.Series) -> float:
            return float((mask.to_numpy(dtype=bool) * w).sum())

        f.date_share = share(text.str.match(_DATE_RE))
        f.email_share = share(text.str.match(_EMAIL_RE))
        digits = text.str.count(r"\d")
        phone = (
            text.str.match(_PHONE_RE)
            & digits.between(7, 15)
            & text.str.contains(r"^\+|[\s().\-]", regex=True)
        )
        f.phone_share = share(phone)
        f.person_share = share(text.str.match(_PERSON_RE))
        if f.date_share < 0.8 and share(text.str.match(r"^0\d")) <= 0.5:
            f.numeric_text = as_number(text.reset_index(drop=True)) is not None
    if nn and (kind == "numeric" or f.numeric_text) and _date_named(f):
        # Excel serial day numbers (1954-2119) under a date-like name, e.g. a CSV saved
        # from a sheet whose date cells lost their format: dates, not a numeric feature.
        vals = as_number(pd.Series(np.asarray(uniques, dtype=object)[filled]))
        vals = vals.to_numpy(dtype=float) if vals is not None else np.array([])
        vals = vals[np.isfinite(vals)]
        if len(vals) and np.mean((vals >= _SERIAL_MIN) & (vals <= _SERIAL_MAX)) >= 0.95:
            f.date_share = 1.0
    return f


def str_columns(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with text column names; refuses a frame whose column names repeat.

    Raises
    ------
    ChurnDataError
        When two columns have the same name (after conversion to text).
    """
    cols = [str(c) for c in df.columns]
    seen: set[str] = set()
    twice = [c for c in cols if c in seen or seen.add(c)]
    if twice:
        from churn.errors import ChurnDataError

        raise ChurnDataError(
            msg("the column name '{column}' appears more than once", column=twice[0]),
            fix=msg("give every column its own name in the header row"),
            column=twice[0],
        )
    if any(not isinstance(c, str) for c in df.columns):
        df = df.set_axis(cols, axis=1)
    return df


#: Rows looked at when describing columns of a very large file.
FACT_ROWS = 200_000


def sample_rows(df: pd.DataFrame, k: int = FACT_ROWS) -> pd.DataFrame:
    """At most ``k`` rows of ``df``, drawn at random (seeded) and kept in file order."""
    if len(df) <= k:
        return df
    pos = np.sort(np.random.default_rng(0).choice(len(df), size=k, replace=False))
    return df.iloc[pos]


def facts_of(df: pd.DataFrame) -> dict[str, ColumnFacts]:
    """Column facts (type, distinct values, patterns), on a sample of very large frames."""
    df = sample_rows(df)
    return {str(c): column_facts(df[c], str(c)) for c in df.columns}
