"""Conversions of text to numbers, shared by CSV, Excel text cells and Parquet strings.

:func:`convert_strings` trims a column of strings, turns blanks into missing values and
makes it numeric when (nearly) every value is a number once currency signs, thousands
separators, decimal commas, percent signs and parentheses negatives are understood;
identifier-like columns stay text. The result is a :class:`CleanColumn`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from churn.io.limits import SNIPPET, snip
from churn.io.result import ReadNote
from churn.text import Text, msg

_NA_TOKENS = frozenset(
    s.lower()
    for s in (
        "NA",
        "N/A",
        "n.a.",
        "NaN",
        "null",
        "None",
        "nil",
        "-",
        "--",
        "#N/A",
        "#NA",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "없음",
        "해당없음",
    )
)
_CUR_CODES = r"KRW|USD|EUR|JPY|GBP|CNY|AUD|CAD"
_CUR_CODE = rf"(?i)^(?:{_CUR_CODES})\s*|\s*(?:{_CUR_CODES}|원)$"
_CUR_SYM = r"[$₩€£¥￦＄￥]"
_SEPS = r"[\s\x{00a0}\x{2007}\x{2009}\x{202f}']"
_US = r"^-?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)$"
_EU = r"^-?(?:(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d*)?|,\d+)$"
#: a quick (Python) test of whether a value could be a number in any of the forms above
_RE_NUMBERISH = re.compile(
    rf"^[\s(+\-\u2212]*(?:{_CUR_CODES})?\s*[$₩€£¥￦＄￥]?\s*[+\-\u2212]?"
    r"[\d.,'\s\u00a0\u2007\u2009\u202f]*\d[\d.,'\s\u00a0\u2007\u2009\u202f]*"
    rf"\s*(?:%|\uff05|원|{_CUR_CODES})?\s*\)?$",
    re.IGNORECASE,
)
_RE_PLAIN = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
#: share of non-blank values that must be numbers for a column to become numeric
_NUMERIC_SHARE = 0.995


@dataclass
class CleanColumn:
    """One column ready for the frame, with its blank cells, conversion and notes."""

    values: Any  # np.ndarray ready for the frame
    blank: int = 0
    converted: Text | None = None
    notes: list[ReadNote] = field(default_factory=list)
    mask: np.ndarray | None = None  # True where blank (when already known)


def _text_values(text) -> Any:
    """pyarrow string array (nulls = missing) -> pandas' ``str`` column, sharing the Arrow
    buffers (no Python object per cell: missing cells are NaN, as everywhere in pandas 3)."""
    import pandas as pd

    return pd.arrays.ArrowStringArray(text, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def _any(mask) -> bool:
    import pyarrow.compute as pc

    return bool(pc.any(mask).as_py())


def _to_numbers(
    uniq, decimal_comma: bool | None, sample: Sequence[str] = ()
) -> tuple[np.ndarray, set[str], np.ndarray]:
    """Parse distinct non-blank strings (a pyarrow array) as numbers, vectorised.

    Returns the numbers (NaN where not a number), the conversions applied, and a mask of
    the values that are missing markers such as ``N/A`` (NaN, but not failures). Each
    step is one pass of a pyarrow kernel; ``sample`` (the column's first values) only
    names what was converted.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    what: set[str] = set()
    na = pc.is_in(pc.utf8_lower(uniq), value_set=pa.array(sorted(_NA_TOKENS)))
    s = uniq
    if _any(pc.match_substring(s, "\u2212")):
        s = pc.replace_substring(s, "\u2212", "-")
    if _any(pc.match_substring(s, "\uff05")):
        s = pc.replace_substring(s, "\uff05", "%")
    # One pass removes currency signs/codes, spaces/apostrophes (thousands) and a "+".
    before = pc.binary_length(s)
    s = pc.replace_substring_regex(s, f"{_CUR_SYM}|{_CUR_CODE}|{_SEPS}|^\\+", "")
    if _any(pc.not_equal(before, pc.binary_length(s))):
        joined = " ".join(sample)
        if re.search(_CUR_SYM, joined) or re.search(_CUR_CODE.replace("(?i)", ""), joined, re.I):
            what.add("currency")
        if re.search(r"\d[\s\u00a0\u2007\u2009\u202f']\d", joined):
            what.add("thousands")
    if _any(pc.starts_with(s, "(")):
        s = pc.replace_substring_regex(s, r"^\((.*)\)$", r"-\1")
        s = pc.replace_substring_regex(s, r"^--", "")
        what.add("parentheses negatives")
    pct = pc.ends_with(s, "%")
    if _any(pct):
        s = pc.replace_substring_regex(s, "%$", "")
        what.add("percent")
    us = pc.match_substring_regex(s, _US)
    eu = pc.match_substring_regex(s, _EU)
    us_only = _any(pc.and_(us, pc.invert(eu)))
    eu_only = _any(pc.and_(eu, pc.invert(us)))
    n = len(uniq)
    if us_only and eu_only:  # "1,5" and "1.5" in one column: no consistent reading
        return np.full(n, np.nan), what, na.to_numpy(zero_copy_only=False)
    use_eu = eu_only or (not us_only and bool(decimal_comma))
    if use_eu:
        ok = eu
        if _any(pc.and_(ok, pc.match_substring(s, "."))):
            what.add("thousands")
        if _any(pc.and_(ok, pc.match_substring(s, ","))):
            what.add("decimal comma")
        s = pc.replace_substring(pc.replace_substring(s, ".", ""), ",", ".")
    else:
        ok = us
        if _any(pc.and_(ok, pc.match_substring(s, ","))):
            what.add("thousands")
        s = pc.replace_substring(s, ",", "")
    ok = pc.and_(ok, pc.invert(na))
    nums = pc.cast(pc.if_else(ok, s, pa.scalar(None, pa.string())), pa.float64())
    out = nums.to_numpy(zero_copy_only=False).astype(float)
    pct_np = pct.to_numpy(zero_copy_only=False)
    out[pct_np] = out[pct_np] / 100.0
    return out, what, na.to_numpy(zero_copy_only=False)


#: What a numeric conversion undid, in the order the description lists it.
_CONVERSIONS = (
    ("currency", msg("currency")),
    ("thousands", msg("thousands")),
    ("decimal comma", msg("decimal comma")),
    ("percent", msg("percent (12% -> 0.12)")),
    ("parentheses negatives", msg("parentheses negatives")),
    ("missing markers", msg("N/A markers")),
)


def _describe(what: set[str]) -> Text:
    """E.g. "currency/thousands to number"; its ``params["kinds"]`` is "currency/thousands"."""
    kinds: Text | str = ""
    for key, label in _CONVERSIONS:
        if key in what:
            kinds = msg("{first}/{then}", first=kinds, then=label) if kinds else label
    return msg("{kinds} to number", kinds=kinds)


def finish_numbers(nums: np.ndarray) -> np.ndarray:
    """int64 when every value is a whole number that fits exactly, else float64."""
    nums = np.asarray(nums, dtype=np.float64)
    if len(nums) and not np.isnan(nums).any():
        if (
            np.isfinite(nums).all()
            and (np.abs(nums) < 2**53).all()
            and (np.floor(nums) == nums).all()
        ):
            return nums.astype(np.int64)
    return nums


def column_note(column: str, code: str, text: Text, **params: Any) -> ReadNote:
    """A note on one column (``text`` names it); ``params`` are the Data page's values."""
    if len(column) > SNIPPET and "column" in text.params:  # a header cell of a whole page
        text = Text(text.template, **{**text.params, "column": snip(column)})
    return ReadNote(text, code, column=column, **params)


#: Cells from which the columns of a text file are cleaned two at a time.
CONCURRENT_CELLS = 2_000_000


def convert_columns(
    raw: list[Any], names: Sequence[str], decimal_comma: bool | None
) -> list[CleanColumn]:
    """:func:`convert_strings` of every column, in order; ``raw`` is emptied on the way.

    Columns are independent and most of the work is in pyarrow kernels, which release
    the GIL: a large file's columns are cleaned by two threads (the results do not depend
    on it; each column is cleaned exactly as alone).
    """
    k = min(len(raw), len(names))

    def one(j: int) -> CleanColumn:
        c, raw[j] = raw[j], None  # each raw column is freed as soon as it is converted
        return convert_strings(c, names[j], decimal_comma)

    cells = sum(len(c) for c in raw[:k])
    if k < 2 or cells < CONCURRENT_CELLS:
        return [one(j) for j in range(k)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="churn-read") as pool:
        return list(pool.map(one, range(k)))


def convert_strings(arr, column: str, decimal_comma: bool | None) -> CleanColumn:
    """Trim, blank -> missing, and numbers when (nearly) every value is a number.

    ``arr`` is a pyarrow string (Chunked)Array; empty strings and nulls are blanks.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text, col = _trimmed(arr)
    n = len(text)
    if col.blank == n:
        col.values = np.full(n, np.nan, dtype=object)
        return col
    valid = text.drop_null() if col.blank else text
    # Quick gate on the first values: text columns leave here, cheaply.
    head: list[str] = valid.slice(0, 2000).to_pylist()
    looks = sum(1 for v in head if _RE_NUMBERISH.match(v) or v.lower() in _NA_TOKENS)
    if looks < 0.9 * len(head) or all(v.lower() in _NA_TOKENS for v in head):
        return _keep_text(col, text, head)
    # Identifier-like codes stay text.
    note = _leading_zeros_note(valid, column)
    if note is not None:
        return _keep_text(col, text, head, note)
    floats = None
    # A failing cast is slow (it scans everything): try it only when the first values
    # are plain numbers.
    if all(_RE_PLAIN.match(v) for v in head):
        try:
            floats = pc.cast(valid, pa.float64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            floats = None
    if floats is not None and np.isfinite(floats).all():
        # whole numbers (all finite here) may be identifiers
        note = _digit_codes_note(valid, column) if (np.floor(floats) == floats).all() else None
        if note is not None:
            return _keep_text(col, text, head, note)
        if col.blank:
            values = np.full(n, np.nan)
            values[pc.is_valid(text).to_numpy(zero_copy_only=False)] = floats
        else:
            values = floats
        col.values = finish_numbers(values)
        return col
    return _cleaned_numbers(col, text, valid, head, column, decimal_comma)


def _trimmed(arr) -> tuple[Any, CleanColumn]:
    """(the trimmed strings with blanks as nulls, a column that knows its blanks)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    trimmed = pc.utf8_trim_whitespace(arr)
    # (comparing lengths is much faster than comparing strings with "")
    is_blank = pc.fill_null(pc.equal(pc.binary_length(trimmed), 0), True)
    blank = int(pc.sum(is_blank).as_py() or 0)
    text = pc.if_else(is_blank, pa.scalar(None, pa.string()), trimmed) if blank else trimmed
    col = CleanColumn(values=None, blank=blank)
    if blank:
        col.mask = is_blank.to_numpy(zero_copy_only=False)
    return text, col


def _keep_text(
    col: CleanColumn, text, head: list[str], note: ReadNote | None = None
) -> CleanColumn:
    """The column stays text (``head``: its first values, a hint of how many distinct)."""
    col.values = _text_values(text)
    if note is not None:
        col.notes.append(note)
    return col


def _leading_zeros_note(valid, column: str) -> ReadNote | None:
    """A note when some value has a leading zero (an identifier or code), else None."""
    import pyarrow.compute as pc

    zero = pc.or_(
        pc.starts_with(valid, "0"),
        pc.or_(pc.starts_with(valid, "-0"), pc.starts_with(valid, "+0")),
    )
    # (the pattern only runs on the values that start with a zero: most values do not)
    zeros = valid.filter(zero) if _any(zero) else None
    lead = pc.match_substring_regex(zeros, r"^[+-]?0\d") if zeros is not None else None
    if lead is None or not _any(lead):
        return None
    example = snip(zeros.filter(lead)[0].as_py(), 40)
    return column_note(
        column,
        "kept_leading_zeros",
        msg(
            "Column '{column}' kept as text: values such as '{example}' have leading "
            "zeros (an identifier or code).",
            column=column,
            example=example,
        ),
        example=example,
    )


def _digit_codes_note(valid, column: str) -> ReadNote | None:
    """For whole numbers: a note when they look like identifiers (too long to be stored
    exactly, or unique codes of one length), else None."""
    import pyarrow.compute as pc

    lengths = pc.utf8_length(valid)
    mx, mn = pc.max(lengths).as_py(), pc.min(lengths).as_py()
    # Both identifier tests below need 5+ digits: scan the text only then.
    digits = mx >= 5 and not _any(pc.match_substring_regex(valid, r"[^0-9]"))
    if digits and mx >= 16:
        return column_note(
            column,
            "kept_long_digits",
            msg(
                "Column '{column}' kept as text: its {digits}-digit numbers are too "
                "long to be stored exactly as numbers (an identifier).",
                column=column,
                digits=mx,
            ),
            digits=mx,
        )
    if (
        digits
        and mx >= 5
        and mn == mx
        and len(valid) >= 10
        and pc.count_distinct(valid).as_py() == len(valid)
    ):
        return column_note(
            column,
            "kept_codes",
            msg(
                "Column '{column}' kept as text: unique {digits}-digit codes look "
                "like identifiers, not quantities.",
                column=column,
                digits=mx,
            ),
            digits=mx,
        )
    return None


def _cleaned_numbers(
    col: CleanColumn, text, valid, head: list[str], column: str, decimal_comma: bool | None
) -> CleanColumn:
    """The slow path: numbers once currency, separators, percent... are understood, or
    text when too many values are not numbers."""
    import pyarrow.compute as pc

    n = len(text)
    # On the distinct values when there are few (hashing a million distinct strings costs
    # more than cleaning them).
    present = ~col.mask if col.mask is not None else np.ones(n, dtype=bool)
    if len(set(head)) < 0.5 * len(head):
        enc = pc.dictionary_encode(valid)
        uniq = enc.dictionary
        idx_v = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        counts = np.bincount(idx_v, minlength=len(uniq))
    else:
        uniq = valid
        idx_v = np.arange(len(valid), dtype=np.int64)
        counts = np.ones(len(valid), dtype=np.int64)
    idx_i = np.zeros(n, dtype=np.int64)
    idx_i[present] = idx_v
    nums, what, na = _to_numbers(uniq, decimal_comma, head)
    ok = ~np.isnan(nums)
    bad = ~ok & ~na
    n_good, n_bad = int(counts[ok].sum()), int(counts[bad].sum())
    if n_good == 0 or n_bad > (1 - _NUMERIC_SHARE) * (n_good + n_bad):
        return _keep_text(col, text, head)
    if n_bad and n_good + n_bad < 200:
        return _keep_text(col, text, head)
    values = np.where(present, nums[idx_i], np.nan)
    col.values = finish_numbers(values)
    _conversion_notes(col, column, uniq, int(counts[na].sum()), na, n_bad, bad, what)
    return col


def _conversion_notes(
    col: CleanColumn, column: str, uniq, n_na: int, na, n_bad: int, bad, what: set[str]
) -> None:
    """Add what the conversion did to ``col``: missing markers and values that were not
    numbers (now empty), percentages, and the description of the conversion."""
    import pyarrow as pa

    if n_na:
        what.add("missing markers")
        examples = ", ".join(f"'{snip(v, 24)}'" for v in uniq.filter(pa.array(na)).to_pylist()[:3])
        col.notes.append(
            column_note(
                column,
                "na_markers",
                msg(
                    "Column '{column}' has {count:,} cells marked as missing ({examples}); "
                    "they are now empty.",
                    column=column,
                    count=n_na,
                    examples=examples,
                ),
                count=n_na,
                examples=examples,
            )
        )
    if n_bad:
        examples = ", ".join(f"'{snip(v, 24)}'" for v in uniq.filter(pa.array(bad)).to_pylist()[:3])
        col.notes.append(
            column_note(
                column,
                "not_numbers",
                msg(
                    "Column '{column}' has {count:,} values that are not numbers ({examples}); "
                    "they are now empty, every other value is a number.",
                    column=column,
                    count=n_bad,
                    examples=examples,
                ),
                count=n_bad,
                examples=examples,
            )
        )
    if what:
        col.converted = _describe(what)
    if "percent" in what:
        col.notes.append(
            column_note(
                column,
                "percent",
                msg(
                    "Column '{column}' has percentages; they were read as fractions "
                    "(12% -> 0.12), as Excel stores them.",
                    column=column,
                ),
            )
        )
