"""Helpers shared by the three shapes: ids, dates, the snapshot, checks and notes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from churn.errors import ChurnDataError
from churn.roles import SINGLE_ROLES, ColumnRoles, label_text
from churn.table import (
    CHURNED,
    STATUS_ACTIVE,
    STATUS_CHURNED,
    STATUS_EXCLUDED,
)
from churn.text import msg

DAY = pd.Timedelta(days=1)
#: Days per tenure unit (a month is 365.25 / 12 days).
UNIT_DAYS = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12, "years": 365.25}
#: Share of unreadable dates above which a date column is refused.
MAX_BAD_DATES = 0.10


def fmt_day(ts: pd.Timestamp | None) -> str:
    """A date as YYYY-MM-DD for notes ("-" when missing)."""
    return "-" if ts is None or pd.isna(ts) else ts.strftime("%Y-%m-%d")


def quote_examples(values: Sequence[Any], k: int = 3) -> str:
    """The first ``k`` values, quoted and joined by commas (for messages)."""
    return ", ".join(f"'{v}'" for v in list(values)[:k])


def _clean_texts(uniques: Any) -> np.ndarray:
    """Distinct raw ids as stripped strings (1.0 -> "1"); blanks become None."""
    u = pd.Series(uniques)
    if len(u) == 0:
        return np.array([], dtype=object)
    if pd.api.types.is_bool_dtype(u) or (
        pd.api.types.is_object_dtype(u) and pd.api.types.infer_dtype(u) not in ("string",)
    ):
        return np.array([label_text(v) for v in u], dtype=object)  # mixed: rare and small
    if pd.api.types.is_float_dtype(u):
        whole = np.isfinite(u) & (u == np.floor(u))
        text = u.astype(str)
        text[whole] = u[whole].astype("int64").astype(str)
        return text.to_numpy(dtype=object)
    if pd.api.types.is_integer_dtype(u):
        return u.astype(str).to_numpy(dtype=object)
    text = u.astype(str).str.strip()
    return text.where(text != "", None).to_numpy(dtype=object)


def clean_id_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of clean ids (-1 = no id) and the clean id of each code.

    The column is factorised once; cleaning works on its distinct values, and values
    that clean to the same id (" a1" and "a1") share a code.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if _stripped_text(uniques):  # the usual case: nothing to clean, nothing to hash again
        # (text read from a file stays in Arrow's buffers: no Python object per id)
        return codes, uniques if isinstance(uniques, pd.api.extensions.ExtensionArray) else (
            np.asarray(uniques, dtype=object)
        )
    clean = _clean_texts(uniques)
    if _unchanged(s, uniques, clean):  # numbers: each prints differently
        return codes, clean
    c2, labels = pd.factorize(pd.Series(clean, dtype=object), use_na_sentinel=True)
    codes = np.append(c2, -1)[codes]
    return codes, np.asarray(labels, dtype=object)


def _stripped_text(uniques: Any) -> bool:
    """Whether the distinct values are all text with no surrounding blanks and none blank:
    then they are their own clean ids. Checked with Arrow's string kernels (the same
    trimming as ``Series.str.strip``), without converting a million ids back and forth."""
    u = pd.Series(uniques, copy=False)
    if len(u) == 0 or not (
        pd.api.types.is_string_dtype(u)
        and (not pd.api.types.is_object_dtype(u) or pd.api.types.infer_dtype(u) == "string")
    ):
        return False
    try:
        arr = pa.array(u, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):  # not plain text after all
        return False
    trimmed = pc.utf8_trim_whitespace(arr)
    same = pc.all(pc.equal(trimmed, arr)).as_py()
    return bool(same) and bool(pc.all(pc.greater(pc.utf8_length(trimmed), 0)).as_py())


def _unchanged(s: pd.Series, uniques: Any, clean: np.ndarray) -> bool:
    """Whether cleaning kept the distinct ids distinct and none became blank: numbers
    (each prints differently), or text that was already stripped."""
    if len(clean) == 0:
        return True
    if pd.api.types.is_integer_dtype(s) or pd.api.types.is_float_dtype(s):
        return True
    if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
        return False
    return bool((clean == np.asarray(uniques, dtype=object)).all())


def first_rows(codes: np.ndarray) -> np.ndarray:
    """True at the first row of each code, for codes numbered by first appearance (as
    ``pd.factorize`` and :func:`clean_id_codes` number them; no code -1): a row comes
    first when its code is above every code before it. One pass, no hashing."""
    out = np.ones(len(codes), dtype=bool)
    if len(codes) > 1:
        out[1:] = codes[1:] > np.maximum.accumulate(codes)[:-1]
    return out


def clean_ids(s: pd.Series) -> pd.Series:
    """Ids as stripped strings (1.0 -> "1"); missing or blank ids become NaN."""
    codes, labels = clean_id_codes(s)
    return pd.Series(ids_of_codes(labels, codes), index=s.index, copy=False)


def ids_of_codes(labels: Any, codes: np.ndarray) -> Any:
    """The id of each row from :func:`clean_id_codes`' result (code -1: missing), as
    pandas text: taken inside Arrow when the labels are Arrow strings."""
    if not isinstance(labels, pd.api.extensions.ExtensionArray):
        labels = pd.array(np.asarray(labels, dtype=object), dtype="str")
    return labels.take(codes, allow_fill=True)


def to_snapshot(snapshot: Any) -> pd.Timestamp | None:
    """The snapshot date as a tz-naive Timestamp (None when not given)."""
    if snapshot is None or (isinstance(snapshot, str) and not snapshot.strip()):
        return None
    try:
        ts = pd.Timestamp(snapshot)
    except (ValueError, TypeError) as exc:
        raise ChurnDataError(
            msg("the snapshot date '{snapshot}' is not a date", snapshot=snapshot),
            fix=msg("give it as YYYY-MM-DD, e.g. 2024-06-30"),
        ) from exc
    if pd.isna(ts):
        return None
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts


_KO_DATE = re.compile(r"^\s*(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일?")
_DOT_DATE = re.compile(r"^\s*(\d{4})\.\s?(\d{1,2})\.\s?(\d{1,2})\.?")


def _fallback_parse(values: pd.Series, dayfirst: bool | None) -> pd.Series:
    """Date parsing used when ``churn.io.parse_dates`` is not available."""
    if pd.api.types.is_numeric_dtype(values):
        num = values.astype(float)
        serial = num.between(20000, 80000)  # Excel serial days since 1899-12-30
        out = pd.to_datetime(num.where(serial), unit="D", origin="1899-12-30", errors="coerce")
        return out
    text = values.astype(str).str.strip()
    text = text.str.replace(_KO_DATE, r"\1-\2-\3", regex=True)
    text = text.str.replace(_DOT_DATE, r"\1-\2-\3", regex=True)
    return pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=bool(dayfirst))


def parse_date_column(
    s: pd.Series, *, dayfirst: bool | None = None, column: str | None = None
) -> tuple[pd.Series, int]:
    """Parse a date column; each distinct value is parsed once.

    Uses ``churn.io.parse_dates`` (which asks about day-first vs month-first when that is
    ambiguous) and falls back to pandas when that module is absent.

    Returns
    -------
    dates : Series of datetime64[ns] (tz-naive), aligned with ``s``
    unreadable : int
        Non-empty cells that are not dates (they become NaT).

    Raises
    ------
    ChurnDataError
        When more than 10 % of the non-empty cells are not dates.
    """
    if pd.api.types.is_datetime64_any_dtype(s):
        out = pd.to_datetime(s)
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out.astype("datetime64[ns]"), 0
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
        # Blank text is missing, not unreadable.
        blank = np.array([str(u).strip() == "" for u in uniques], dtype=bool)
    else:
        blank = np.zeros(len(uniques), dtype=bool)
    if len(uniques) == 0:
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]"), 0
    u = pd.Series(uniques, dtype=s.dtype if s.dtype != object else object)
    try:
        from churn.io import parse_dates
    except ImportError:  # churn.io not written yet: read dates with pandas
        parse_dates = None
    if parse_dates is not None:
        parsed = parse_dates(u, dayfirst=dayfirst, column=column)
    else:
        parsed = _fallback_parse(u, dayfirst)
    parsed = pd.to_datetime(parsed, errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    pv = parsed.to_numpy(dtype="datetime64[ns]").copy()
    pv[blank] = np.datetime64("NaT")
    bad_u = np.isnat(pv) & ~blank
    values = np.append(pv, np.datetime64("NaT", "ns"))[codes]
    out = pd.Series(values, index=s.index, dtype="datetime64[ns]")
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    n_bad = int(counts[bad_u].sum())
    n_filled = int(counts[~blank].sum())
    if n_filled and n_bad / n_filled > MAX_BAD_DATES:
        raise ChurnDataError(
            msg(
                "{n_bad:,} of {n_filled:,} values in '{column}' are not dates (e.g. {examples})",
                n_bad=n_bad,
                n_filled=n_filled,
                column=column,
                examples=quote_examples(np.asarray(uniques)[bad_u]),
            ),
            fix=msg("check that this is the right date column, or choose another one"),
            column=column,
        )
    return out, n_bad


def check_columns(df: pd.DataFrame, roles: ColumnRoles) -> None:
    """Refuse roles that name a column the file does not have."""
    cols = list(df.columns)
    for role in SINGLE_ROLES:
        col = getattr(roles, role)
        if col is not None and col not in cols:
            raise ChurnDataError(
                msg(
                    "column '{column}' (chosen as {role}) is not in the file", column=col, role=role
                ),
                fix=msg("choose one of: {columns}", columns=", ".join(map(str, cols[:30]))),
                column=col,
            )


def label_status(y: pd.Series) -> pd.Series:
    """The ``label_status`` column of a label ``y`` (1.0 churned, 0.0 active, else excluded)."""
    v = y.to_numpy(dtype=float)
    pick = np.where(v == 1, 0, np.where(v == 0, 1, 2))  # then one lookup, no string select
    words = pd.array([STATUS_CHURNED, STATUS_ACTIVE, STATUS_EXCLUDED], dtype="str")
    return pd.Series(words.take(pick), index=y.index, copy=False)


def summary_note(frame: pd.DataFrame, shape: str) -> list[str]:
    """The first note of a customer table: its shape, size and churn rate."""
    lab = frame[CHURNED].dropna()
    kind = {
        "customers": msg("one row per customer with a churn label"),
        "subscriptions": msg("subscriptions with start and end dates"),
        "events": msg("an event log"),
    }[shape]
    rate = f"{lab.mean():.1%}" if len(lab) else "-"
    return [
        msg(
            "Built from {kind}: {n:,} customers, {churned:,} churned of "
            "{labelled:,} labelled ({rate}).",
            kind=kind,
            n=len(frame),
            churned=int((lab == 1).sum()),
            labelled=len(lab),
            rate=rate,
        )
    ]
