"""Reading customer files robustly: CSV/TSV/TXT, XLSX/XLSM/XLS, ODS and Parquet.

:func:`read_table` takes a path or the uploaded bytes and returns a :class:`ReadResult`:
the frame plus what was done to it (encoding, delimiter, sheet, blank cells, columns
converted to numbers, plain-English notes for the Data page). The file's real type comes
from its first bytes, never from its name. Guards run before any heavy work: size, rows
and columns are capped (:class:`Limits`, overridable by environment variables) and a
workbook's zip directory is inspected before anything is decompressed.

Text files are read as text first, so identifiers such as ``00123`` keep their leading
zeros; a column becomes numeric only when (nearly) every non-blank value is a number once
currency signs, thousands separators, decimal commas, percent signs and parentheses
negatives are understood. Dates are *not* parsed here: the user marks date columns, and
:func:`parse_dates` reads them (Excel cells that are real dates arrive as datetimes).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from churn.errors import ChurnDataError
from churn.text import Text, msg

__all__ = [
    "Limits",
    "ReadNote",
    "ReadResult",
    "content_hash",
    "date_order_ambiguous",
    "date_share",
    "parse_dates",
    "read_table",
]

# --------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------

_MB = 1024 * 1024
_ENV = {
    "max_bytes": "CHURNLENS_MAX_BYTES",
    "max_rows": "CHURNLENS_MAX_ROWS",
    "max_cols": "CHURNLENS_MAX_COLS",
    "max_uncompressed_bytes": "CHURNLENS_MAX_UNCOMPRESSED_BYTES",
}
_DEFAULTS = {
    # Streamlit's own upload cap is 200 MB (MiB): the same number here.
    "max_bytes": 200 * _MB,
    "max_rows": 2_000_000,
    "max_cols": 2_000,
    "max_uncompressed_bytes": 1024 * _MB,
}
_SUFFIX = {"": 1, "K": 1024, "KB": 1024, "M": _MB, "MB": _MB, "G": 1024 * _MB, "GB": 1024 * _MB}


def _env_int(key: str) -> int:
    """The limit ``key`` from its environment variable, or the default."""
    var = _ENV[key]
    raw = os.environ.get(var, "").strip().replace("_", "").replace(",", "")
    if not raw:
        return _DEFAULTS[key]
    m = re.fullmatch(r"(\d+)\s*([KMG]B?)?", raw.upper())
    if not m or int(m.group(1)) <= 0:
        raise ChurnDataError(
            msg(
                "The environment variable {var}={value!r} is not a positive number.",
                var=var,
                value=os.environ[var],
            ),
            fix=msg(
                "set {var} to a whole number such as {example}, or unset it.",
                var=var,
                example=_DEFAULTS[key],
            ),
        )
    return int(m.group(1)) * _SUFFIX[m.group(2) or ""]


@dataclass(frozen=True)
class Limits:
    """Caps that protect the server from files too large to analyse interactively.

    Defaults: 200 MB per file, 2,000,000 rows, 2,000 columns, 1 GB of uncompressed
    workbook content and a compression ratio of 200 for any large workbook member. The
    first four can be raised with the environment variables ``CHURNLENS_MAX_BYTES``,
    ``CHURNLENS_MAX_ROWS``, ``CHURNLENS_MAX_COLS`` and ``CHURNLENS_MAX_UNCOMPRESSED_BYTES``
    (read when a ``Limits()`` is created; sizes accept ``MB``/``GB`` suffixes).
    """

    max_bytes: int = field(default_factory=lambda: _env_int("max_bytes"))
    max_rows: int = field(default_factory=lambda: _env_int("max_rows"))
    max_cols: int = field(default_factory=lambda: _env_int("max_cols"))
    max_uncompressed_bytes: int = field(default_factory=lambda: _env_int("max_uncompressed_bytes"))
    max_compression_ratio: float = 200.0


def _size(n: float) -> str:
    if n >= 1024 * _MB:
        return f"{n / (1024 * _MB):,.1f} GB"
    if n >= _MB:
        return f"{n / _MB:,.1f} MB"
    if n >= 1024:
        return f"{n / 1024:,.0f} KB"
    return msg("{n:,} bytes", n=int(n))


def _cap_error(actual: str, limit: str, key: str, example: int) -> ChurnDataError:
    """The file is over a cap: ``actual`` and ``limit`` say how much (e.g. "2,500 columns")."""
    return ChurnDataError(
        msg("The file has {actual}, more than the limit of {limit}.", actual=actual, limit=limit),
        fix=msg(
            "upload a smaller extract (filter or sample the rows), or raise the limit by "
            "setting the environment variable {var} (e.g. {var}={example}) "
            "before starting the app.",
            var=_ENV[key],
            example=example,
        ),
    )


def _rows(n: int) -> Text:
    return msg("{n:,} rows", n=n)


def _columns(n: int) -> Text:
    return msg("{n:,} columns", n=n)


def _bytes_limit(limits: Limits) -> Text | str:
    return _size(limits.max_bytes)  # "200.0 MB" (was "200.0 MB bytes")


# --------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------


class ReadNote(str):
    """A plain-English note (a ``str``) that also carries a stable ``code`` and ``params``.

    The Data page can show the note as it is, or translate it with
    ``t(f"io.{note.code}", **note.params)``. A note made from a :func:`~churn.text.msg`
    text also keeps its ``template`` and ``text_params``: :attr:`text` gives the
    :class:`~churn.text.Text` back, for :func:`~churn.text.localize`.
    """

    code: str
    params: dict[str, Any]
    template: str | None
    text_params: dict[str, Any]

    def __new__(cls, text: str, code: str = "note", **params: Any) -> ReadNote:
        obj = super().__new__(cls, text)
        obj.code = code
        obj.params = params
        is_text = isinstance(text, Text)
        obj.template = text.template if is_text else None
        obj.text_params = dict(text.params) if is_text else {}
        return obj

    @property
    def text(self) -> str:
        """The note as a translatable :class:`~churn.text.Text` (plain ``str`` if none)."""
        if self.template is None:
            return str(self)
        return Text(self.template, **self.text_params)

    def __reduce__(self):  # keep code/params/template through pickling (st.cache_data)
        return (_make_note, (self.text, self.code, self.params))


def _make_note(text: str, code: str, params: dict[str, Any]) -> ReadNote:
    return ReadNote(text, code, **params)


@dataclass(frozen=True, eq=False)  # holds a DataFrame: identity equality and hash
class ReadResult:
    """A file read into a frame, with what the reader saw and did.

    Attributes
    ----------
    frame : the data; text columns hold ``str`` (missing = NaN), numeric columns are
        ``int64``/``float64``, Excel date cells ``datetime64[ns]``.
    kind : "csv", "xlsx", "xls", "ods" or "parquet" (the real type, from the bytes).
    sheet : the worksheet read (workbooks only).
    sheets : every worksheet in the workbook, in order.
    encoding : the text encoding (text files only).
    delimiter : the field delimiter (text files only; " " = runs of spaces).
    blank_cells : cells that were empty or whitespace only, now missing.
    converted : (column, what was converted) for columns turned into numbers.
    notes : plain-English notes for the Data page (:class:`ReadNote` values).
    """

    frame: pd.DataFrame
    kind: str
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    blank_cells: int = 0
    converted: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return int(self.frame.shape[0])

    @property
    def columns(self) -> int:
        return int(self.frame.shape[1])


def content_hash(data: bytes) -> str:
    """SHA-256 hex digest of ``data`` (the cache key of an upload).

    Parameters
    ----------
    data : bytes
        The file's bytes.

    Returns
    -------
    str
        64 lowercase hex characters.
    """
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------
# Real type from the first bytes
# --------------------------------------------------------------------------------------

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURES: tuple[tuple[bytes, Text, str], ...] = (
    (b"\x89PNG", msg("a PNG image"), "image"),
    (b"\xff\xd8\xff", msg("a JPEG image"), "image"),
    (b"GIF8", msg("a GIF image"), "image"),
    (b"II*\x00", msg("a TIFF image"), "image"),
    (b"MM\x00*", msg("a TIFF image"), "image"),
    (b"%PDF", msg("a PDF document"), "pdf"),
    (b"\x7fELF", msg("a Linux executable (ELF)"), "exe"),
    (b"MZ", msg("a Windows executable"), "exe"),
    (b"\xca\xfe\xba\xbe", msg("a macOS executable"), "exe"),
    (b"\xcf\xfa\xed\xfe", msg("a macOS executable"), "exe"),
    (b"\xfe\xed\xfa\xcf", msg("a macOS executable"), "exe"),
    (b"\x1f\x8b", msg("a gzip-compressed file"), "archive"),
    (b"BZh", msg("a bzip2-compressed file"), "archive"),
    (b"7z\xbc\xaf\x27\x1c", msg("a 7-Zip archive"), "archive"),
    (b"Rar!", msg("a RAR archive"), "archive"),
    (b"\xfd7zXZ\x00", msg("an XZ-compressed file"), "archive"),
    (b"SQLite format 3\x00", msg("an SQLite database"), "other"),
    (b"ID3", msg("an MP3 audio file"), "other"),
    (b"OggS", msg("an audio/video file"), "other"),
    (b"{\\rtf", msg("an RTF document"), "other"),
    (b"\x00asm", msg("a WebAssembly binary"), "exe"),
)


def _refuse(name: str | None, seems: Text, fix: str = "upload") -> ChurnDataError:
    """Not a data table; ``fix``: "upload", "archive" (decompress), "unzip" or "word"."""
    return ChurnDataError(
        msg("'{name}' is not a data table: it seems to be {seems}.", name=name, seems=seems)
        if name
        else msg("The file is not a data table: it seems to be {seems}.", seems=seems),
        fix=msg("decompress it and upload the CSV or Excel file inside.")
        if fix == "archive"
        else msg("unzip it and upload the CSV or Excel file inside.")
        if fix == "unzip"
        else msg("copy the table into Excel and save it as .xlsx.")
        if fix == "word"
        else msg("upload the customer data as CSV, Excel (.xlsx, .xls) or Parquet instead."),
    )


def _sniff_kind(data: bytes, name: str | None) -> str:
    """'zip', 'ole2', 'parquet' or 'text'; refuse what is clearly not a table."""
    head = data[:64]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(_OLE2):
        return "ole2"
    if head.startswith(b"PAR1"):
        return "parquet"
    for sig, what, group in _SIGNATURES:
        if head.startswith(sig):
            if group == "archive":
                raise _refuse(name, what, "archive")
            raise _refuse(name, what)
    if head[4:8] == b"ftyp":
        raise _refuse(name, msg("a video or image file (MP4/HEIC)"))
    if head.startswith(b"RIFF"):
        raise _refuse(name, msg("an audio/video or WebP file (RIFF)"))
    if head.startswith(b"BM") and len(data) > 14:
        declared = int.from_bytes(data[2:6], "little")
        if declared == len(data):
            raise _refuse(name, msg("a BMP image"))
    return "text"


# --------------------------------------------------------------------------------------
# Text decoding
# --------------------------------------------------------------------------------------

_SAMPLE = 1 << 20  # bytes looked at for detection


def _looks_utf16(sample: bytes) -> str | None:
    """utf-16-le/be for BOM-less UTF-16 (NUL every other byte in ASCII-heavy text)."""
    s = sample[:4096]
    if len(s) < 4:
        return None
    even = s[0::2].count(0) / max(1, len(s[0::2]))
    odd = s[1::2].count(0) / max(1, len(s[1::2]))
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _korean_plausible(text: str) -> bool:
    """True if the non-ASCII characters of ``text`` read as ordinary Korean.

    CP949 accepts many byte pairs, so Latin-1 text can decode "successfully" into
    gibberish; real Korean text uses mostly the 2,350 common syllables of KS X 1001
    (exactly what EUC-KR can encode), which such gibberish rarely does.
    """
    chars = [c for c in text if ord(c) > 127]
    if not chars:
        return True
    common = 0
    for c in chars:
        if "\uac00" <= c <= "\ud7a3" or c in "·※○●◎△▲▽▼□■◇◆☆★":
            try:
                c.encode("euc_kr")
                common += 1
            except UnicodeEncodeError:
                pass
    return common / len(chars) >= 0.9


def _decode(data: bytes, name: str | None) -> tuple[str, str, list[ReadNote]]:
    """Decode text bytes; return (text, encoding label, notes)."""
    notes: list[ReadNote] = []
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", notes
        except UnicodeDecodeError:
            pass  # a BOM followed by non-UTF-8 bytes: let detection decide
    for bom, enc in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc), enc, notes
            except UnicodeDecodeError as exc:
                raise ChurnDataError(
                    msg(
                        "The file starts like {encoding} text but is damaged ({reason}).",
                        encoding=enc.upper(),
                        reason=exc.reason,
                    ),
                    fix=msg("save it again from Excel as 'CSV UTF-8' and upload that file."),
                ) from None
    sample = data[:_SAMPLE]
    enc16 = _looks_utf16(sample)
    if enc16:
        try:
            return data.decode(enc16), enc16, notes
        except UnicodeDecodeError:
            pass
    if b"\x00" in sample:
        raise _refuse(name, msg("a binary file of an unknown kind (it contains NUL bytes)"))
    try:
        return data.decode("utf-8"), "utf-8", notes
    except UnicodeDecodeError:
        pass
    try:
        if _korean_plausible(sample.decode("cp949", errors="ignore")):
            return data.decode("cp949"), "cp949", notes
    except UnicodeDecodeError:
        pass
    enc = None
    try:
        from charset_normalizer import from_bytes

        matches = from_bytes(sample[:200_000])
        best = matches.best()
        enc = best.encoding if best is not None else None
        # Ties between Western code pages are common on short samples: prefer
        # Windows-1252, what Excel writes for Western European text.
        for m in matches if best is not None else ():
            if "cp1252" in m.could_be_from_charset and m.chaos <= best.chaos + 0.01:
                enc = "cp1252"
                break
    except Exception:  # detection is a best effort; fall through to Latin-1
        enc = None
    if enc:
        try:
            return data.decode(enc), enc, notes
        except (UnicodeDecodeError, LookupError):
            pass
    notes.append(
        ReadNote(
            msg(
                "The text encoding could not be recognised; the file was read as Latin-1, so "
                "some accented or Korean characters may look wrong. Save it from Excel as "
                "'CSV UTF-8' for a clean read."
            ),
            "encoding_unknown",
        )
    )
    return data.decode("latin-1"), "latin-1", notes


# --------------------------------------------------------------------------------------
# Delimiter and header line
# --------------------------------------------------------------------------------------

_DELIMS = (",", "\t", ";", "|")


def _records(sample: str, delim: str, limit: int = 200) -> list[list[str]]:
    out: list[list[str]] = []
    try:
        for rec in csv.reader(io.StringIO(sample), delimiter=delim, quotechar='"'):
            if len(out) >= limit:
                break
            if rec and any(x.strip() for x in rec):
                out.append(rec)
    except csv.Error:
        return out
    return out


def _sniff_delimiter(sample: str) -> tuple[str, int, int]:
    """(delimiter, expected field count, title lines to skip) from the first lines.

    A delimiter wins when most records split into the same number (>= 2) of fields;
    leading records with far fewer fields (a title such as "Customer export, March")
    are skipped.
    """
    best: tuple[float, float, int, int, str] | None = None
    for pref, d in enumerate(_DELIMS):
        recs = _records(sample, d)
        if not recs:
            continue
        counts = [len(r) for r in recs]
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        consistency = freq / len(counts)
        # Split at the wrong delimiter, quoted fields come apart and leave a stray quote
        # in a field ('"a";"b,c"' at ","): the right delimiter leaves fewer.
        stray = sum(any('"' in x for x in r) for r in recs) / len(recs)
        score = (consistency, -stray, mode if consistency > 0.99 else 0, -pref)
        if best is None or score > best[:4]:
            best = (*score, d)  # type: ignore[assignment]
    if best is not None and best[0] >= 0.6:
        d = best[4]
        recs = _records(sample, d)
        mode = Counter(len(r) for r in recs).most_common(1)[0][0]
        skip = 0
        for r in recs[:20]:
            if len(r) <= max(1, mode // 2):
                skip += 1
            else:
                break
        return d, mode, skip
    # Whitespace-aligned tables: fields separated by runs of spaces.
    lines = [ln for ln in sample.splitlines()[:200] if ln.strip()]
    if len(lines) >= 2:
        counts = [len(ln.split()) for ln in lines]
        mode, freq = Counter(counts).most_common(1)[0]
        if mode >= 2 and freq / len(counts) >= 0.9 and re.search(r"\S {2,}|\S\t", sample):
            return " ", mode, 0
        if mode >= 2 and freq / len(counts) >= 0.9 and " " in sample:
            return " ", mode, 0
    # One column: no delimiter splits the lines consistently. Split on a delimiter the
    # text does not use, so a comma inside a value (unquoted by a ";" writer) stays in it.
    if not sample.strip(",;\t| \r\n"):
        return ",", 1, 0  # only delimiters: "no columns", said by the caller
    return next((d for d in _DELIMS if d not in sample), ","), 1, 0


# --------------------------------------------------------------------------------------
# Column conversion (shared by CSV, Excel text cells and Parquet strings)
# --------------------------------------------------------------------------------------

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
class _Col:
    values: Any  # np.ndarray ready for the frame
    blank: int = 0
    converted: Text | None = None
    notes: list[ReadNote] = field(default_factory=list)
    mask: np.ndarray | None = None  # True where blank (when already known)


def _text_values(text, distinct_hint: int = 0) -> np.ndarray:
    """pyarrow string array (nulls = missing) -> object array of str / NaN.

    Low-cardinality columns go through their dictionary, so equal strings share one
    Python object (faster and much smaller than one object per cell).
    """
    import pyarrow.compute as pc

    n = len(text)
    # (``distinct_hint``: distinct values among the first 2,000; repeats mean few levels)
    enc = pc.dictionary_encode(text) if n > 1000 and distinct_hint < 1000 else None
    if enc is not None and len(enc.dictionary) <= n // 4:
        uniq = np.empty(len(enc.dictionary) + 1, dtype=object)
        uniq[:-1] = enc.dictionary.to_pylist()
        uniq[-1] = np.nan
        idx = pc.fill_null(enc.indices, len(enc.dictionary)).to_numpy()
        return uniq[idx]
    out = text.to_numpy(zero_copy_only=False).astype(object, copy=False)
    if text.null_count:
        out[pc.is_null(text).to_numpy(zero_copy_only=False)] = np.nan
    return out


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


def _finish_numbers(nums: np.ndarray) -> np.ndarray:
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


def _note(column: str, code: str, text: Text, **params: Any) -> ReadNote:
    """A note on one column (``text`` names it); ``params`` are the Data page's values."""
    return ReadNote(text, code, column=column, **params)


#: Cells from which the columns of a text file are cleaned two at a time.
CONCURRENT_CELLS = 2_000_000


def _convert_columns(
    raw: list[Any], names: Sequence[str], decimal_comma: bool | None
) -> list[_Col]:
    """:func:`_convert_strings` of every column, in order; ``raw`` is emptied on the way.

    Columns are independent and most of the work is in pyarrow kernels, which release
    the GIL: a large file's columns are cleaned by two threads (the results do not depend
    on it; each column is cleaned exactly as alone).
    """
    k = min(len(raw), len(names))

    def one(j: int) -> _Col:
        c, raw[j] = raw[j], None  # each raw column is freed as soon as it is converted
        return _convert_strings(c, names[j], decimal_comma)

    cells = sum(len(c) for c in raw[:k])
    if k < 2 or cells < CONCURRENT_CELLS:
        return [one(j) for j in range(k)]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="churn-read") as pool:
        return list(pool.map(one, range(k)))


def _convert_strings(arr, column: str, decimal_comma: bool | None) -> _Col:
    """Trim, blank -> missing, and numbers when (nearly) every value is a number.

    ``arr`` is a pyarrow string (Chunked)Array; empty strings and nulls are blanks.
    """
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
    n = len(text)
    col = _Col(values=None, blank=blank)
    if blank:
        col.mask = is_blank.to_numpy(zero_copy_only=False)
    if blank == n:
        col.values = np.full(n, np.nan, dtype=object)
        return col

    head: list[str] = []

    def keep_text(note: ReadNote | None = None) -> _Col:
        col.values = _text_values(text, len(set(head)))
        if note is not None:
            col.notes.append(note)
        return col

    valid = text.drop_null() if blank else text
    # Quick gate on the first values: text columns leave here, cheaply.
    head = valid.slice(0, 2000).to_pylist()
    looks = sum(1 for v in head if _RE_NUMBERISH.match(v) or v.lower() in _NA_TOKENS)
    if looks < 0.9 * len(head) or all(v.lower() in _NA_TOKENS for v in head):
        return keep_text()
    # Identifier-like codes stay text.
    zero = pc.or_(
        pc.starts_with(valid, "0"),
        pc.or_(pc.starts_with(valid, "-0"), pc.starts_with(valid, "+0")),
    )
    # (the pattern only runs on the values that start with a zero: most values do not)
    zeros = valid.filter(zero) if _any(zero) else None
    lead = pc.match_substring_regex(zeros, r"^[+-]?0\d") if zeros is not None else None
    if lead is not None and _any(lead):
        example = zeros.filter(lead)[0].as_py()
        return keep_text(
            _note(
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
        )
    floats = None
    # A failing cast is slow (it scans everything): try it only when the first values
    # are plain numbers.
    if all(_RE_PLAIN.match(v) for v in head):
        try:
            floats = pc.cast(valid, pa.float64()).to_numpy(zero_copy_only=False)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            floats = None
    if floats is not None and np.isfinite(floats).all():
        if (np.floor(floats) == floats).all():  # whole numbers (all finite here)
            lengths = pc.utf8_length(valid)
            mx, mn = pc.max(lengths).as_py(), pc.min(lengths).as_py()
            # Both identifier tests below need 5+ digits: scan the text only then.
            digits = mx >= 5 and not _any(pc.match_substring_regex(valid, r"[^0-9]"))
            if digits and mx >= 16:
                return keep_text(
                    _note(
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
                )
            if (
                digits
                and mx >= 5
                and mn == mx
                and len(valid) >= 10
                and pc.count_distinct(valid).as_py() == len(valid)
            ):
                return keep_text(
                    _note(
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
                )
        if blank:
            values = np.full(n, np.nan)
            values[pc.is_valid(text).to_numpy(zero_copy_only=False)] = floats
        else:
            values = floats
        col.values = _finish_numbers(values)
        return col
    # Slow path, on the distinct values when there are few (hashing a million distinct
    # strings costs more than cleaning them).
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
        return keep_text()
    if n_bad and n_good + n_bad < 200:
        return keep_text()
    values = np.where(present, nums[idx_i], np.nan)
    col.values = _finish_numbers(values)
    n_na = int(counts[na].sum())
    if n_na:
        what.add("missing markers")
        examples = ", ".join(f"'{v}'" for v in uniq.filter(pa.array(na)).to_pylist()[:3])
        col.notes.append(
            _note(
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
        examples = ", ".join(f"'{v}'" for v in uniq.filter(pa.array(bad)).to_pylist()[:3])
        col.notes.append(
            _note(
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
            _note(
                column,
                "percent",
                msg(
                    "Column '{column}' has percentages; they were read as fractions "
                    "(12% -> 0.12), as Excel stores them.",
                    column=column,
                ),
            )
        )
    return col


# --------------------------------------------------------------------------------------
# Header cleaning
# --------------------------------------------------------------------------------------

_RE_CTRL = re.compile(r"[\x00-\x1f\x7f\u200b\ufeff]")


def _clean_header(raw: Sequence[Any]) -> tuple[list[str], list[ReadNote]]:
    """Strip names; empty -> column_<position>; duplicates -> name_2, name_3, ..."""
    notes: list[ReadNote] = []
    names: list[str] = []
    empties: list[str] = []
    for i, v in enumerate(raw):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            text = ""
        elif isinstance(v, float) and v.is_integer():
            text = str(int(v))
        else:
            text = str(v)
        text = _RE_CTRL.sub(" ", text.replace("\r", " ").replace("\n", " "))
        text = re.sub(r"\s+", " ", text).strip()
        if not text:
            text = f"column_{i + 1}"
            empties.append(text)
        names.append(text)
    if empties:
        shown = ", ".join(empties[:5]) + (" ..." if len(empties) > 5 else "")
        notes.append(
            ReadNote(
                msg(
                    "{count} column(s) had no header and were named {names}.",
                    count=len(empties),
                    names=shown,
                ),
                "empty_headers",
                count=len(empties),
                names=shown,
            )
        )
    seen: set[str] = set()
    taken = Counter(names)
    renamed: list[str] = []
    out: list[str] = []
    for nm in names:
        if nm not in seen:
            seen.add(nm)
            out.append(nm)
            continue
        k = 2
        while f"{nm}_{k}" in seen or (taken[f"{nm}_{k}"] and f"{nm}_{k}" != nm):
            k += 1
        new = f"{nm}_{k}"
        seen.add(new)
        out.append(new)
        renamed.append(f"'{nm}' -> '{new}'")
    if renamed:
        shown = ", ".join(renamed[:5]) + (" ..." if len(renamed) > 5 else "")
        notes.append(
            ReadNote(
                msg("Duplicate column names were made unique: {names}.", names=shown),
                "duplicate_headers",
                count=len(renamed),
                names=shown,
            )
        )
    return out, notes


# --------------------------------------------------------------------------------------
# CSV / text
# --------------------------------------------------------------------------------------


def _read_text(data: bytes, name: str | None, limits: Limits) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    text, encoding, notes = _decode(data, name)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text[:4096].strip() and not text.strip():
        raise _empty(name)
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    delim, _, skip = _sniff_delimiter(sample)
    if delim == " ":
        header_vals, rows = _read_whitespace(text)
        if len(header_vals) > limits.max_cols:
            raise _cap_error(
                _columns(len(header_vals)), _columns(limits.max_cols), "max_cols",
                len(header_vals) + 1000,
            )  # fmt: skip
        raw_cols = [
            pa.array([r[j] for r in rows], pa.string()) for j in range(len(rows[0]) if rows else 0)
        ]
        if not rows:
            raw_cols = [pa.array([], pa.string()) for _ in header_vals]
        header_vals = header_vals + [""] * (len(raw_cols) - len(header_vals))
        nrows = len(rows)
    else:
        header_rec = _records(sample, delim, limit=skip + 1)
        header_vals = header_rec[skip] if len(header_rec) > skip else []
        if len(header_vals) > limits.max_cols:
            raise _cap_error(
                _columns(len(header_vals)), _columns(limits.max_cols), "max_cols",
                len(header_vals) + 1000,
            )  # fmt: skip
        # skip blank lines before the header (csv.reader skipped them; pyarrow counts rows)
        lead = _leading_lines(text, skip)
        if encoding == "utf-8":
            body = data
        elif encoding == "utf-8-sig":
            body = data[3:]
        else:
            body = text.encode("utf-8")
        text = None  # the parser reads ``body``; free the decoded copy of a large file
        ncol = max(1, len(header_vals))
        names = [f"c{i}" for i in range(ncol)]
        tbl = None
        err: Exception | None = None
        for multiline in (False, True):
            try:
                tbl = pacsv.read_csv(
                    io.BytesIO(body),
                    read_options=pacsv.ReadOptions(
                        column_names=names, skip_rows=lead + 1, block_size=16 << 20
                    ),
                    parse_options=pacsv.ParseOptions(
                        delimiter=delim, quote_char='"', newlines_in_values=multiline
                    ),
                    convert_options=pacsv.ConvertOptions(
                        column_types=dict.fromkeys(names, pa.string()),
                        strings_can_be_null=False,
                        quoted_strings_can_be_null=False,
                        null_values=[],
                    ),
                )
                break
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                err = exc
        if tbl is None:
            tbl = _read_csv_pandas(body.decode("utf-8"), delim, lead + 1, names, err)
        nrows = tbl.num_rows
        raw_cols = [tbl.column(i) for i in range(tbl.num_columns)]
    if skip:
        notes.append(
            ReadNote(
                msg("Skipped {count} title line(s) above the header row.", count=skip),
                "skipped_title",
                count=skip,
            )
        )
    return {
        "header": header_vals,
        "columns": raw_cols,
        "nrows": nrows,
        "encoding": encoding,
        "delimiter": delim,
        "notes": notes,
        "decimal_comma": delim == ";",
    }


def _leading_lines(text: str, skip: int) -> int:
    """Physical line index of the header, given ``skip`` non-blank records before it."""
    seen = 0
    for i, line in enumerate(text[:65536].split("\n")):
        if not line.strip() or not line.strip(",;\t| \r"):
            continue
        if seen == skip:
            return i
        seen += 1
    return 0


def _read_whitespace(text: str) -> tuple[list[str], list[list[str]]]:
    """A whitespace-aligned table: (header fields, rows padded to the widest row)."""
    lines = [ln.split() for ln in text.splitlines() if ln.strip()]
    width = max(len(r) for r in lines)
    rows = [r + [""] * (width - len(r)) for r in lines]
    return rows[0], rows[1:]


def _read_csv_pandas(text: str, delim: str, skiprows: int, names: list[str], err):
    """Fallback parser: pads short rows; long rows become a clear error."""
    import pyarrow as pa

    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delim,
            header=None,
            names=names,
            skiprows=skiprows,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            quotechar='"',
            engine="c",
        )
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            exp, line, saw = (int(g) for g in m.groups())
            raise ChurnDataError(
                msg(
                    "Line {line:,} has {saw} values where the header has {expected} columns "
                    "(delimiter {delimiter}).",
                    line=line + skiprows - 1,
                    saw=saw,
                    expected=exp,
                    delimiter=_delim_name(delim),
                ),
                fix=msg(
                    "values that contain the delimiter must be in double quotes; export the "
                    "file again from the source system or Excel."
                ),
            ) from None
        raise ChurnDataError(
            msg("The text could not be split into columns ({reason}).", reason=str(err or exc)),
            fix=msg(
                "export the file again as CSV (comma or semicolon separated) from Excel or the "
                "source system."
            ),
        ) from None
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas turns extra leading fields into an index when every row is longer than
        # the header: that would silently drop values, so say so instead (blank extras,
        # e.g. trailing delimiters, carry nothing and are dropped).
        extra = frame.index.to_frame(index=False).fillna("").astype(str)
        frame = frame.reset_index(drop=True)
    else:
        extra = None
    if extra is not None and (extra.apply(lambda c: c.str.strip()) != "").to_numpy().any():
        raise ChurnDataError(
            msg(
                "The rows have more values than the header has columns ({n}, "
                "delimiter {delimiter}).",
                n=len(names),
                delimiter=_delim_name(delim),
            ),
            fix=msg(
                "values that contain the delimiter must be in double quotes, and every column "
                "needs a name in the header row; export the file again from the source system "
                "or Excel."
            ),
        )
    return pa.Table.from_pandas(frame.fillna(""), preserve_index=False)


_DELIM_NAMES = {
    ",": msg("comma"),
    ";": msg("semicolon"),
    "\t": msg("tab"),
    "|": msg("pipe"),
    " ": msg("spaces"),
}


def _delim_name(d: str) -> str:
    return _DELIM_NAMES.get(d, d)


# --------------------------------------------------------------------------------------
# Workbooks
# --------------------------------------------------------------------------------------

_DICT_NAMES = re.compile(
    r"(?i)(dictionary|definition|description|readme|read me|notes?|cover|about|info|"
    r"legend|glossary|instructions?|contents|설명|안내|정의|목차|사전|범례|표지|참고)"
)


def _check_zip(data: bytes, name: str | None, limits: Limits) -> str:
    """Inspect the zip directory (never extracting); return the workbook kind."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ChurnDataError(
            msg(
                "The file looks like a zip or Excel workbook but cannot be opened ({reason}).",
                reason=str(exc),
            ),
            fix=msg("open it in Excel and save it again as .xlsx, or export the data as CSV."),
        ) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        kind = "xlsx"
    elif "content.xml" in names and b"opendocument.spreadsheet" in _zip_mimetype(zf, names):
        kind = "ods"
    elif "word/document.xml" in names:
        raise _refuse(name, msg("a Word document"), "word")
    elif any(n.startswith("ppt/") for n in names):
        raise _refuse(name, msg("a PowerPoint presentation"))
    else:
        raise _refuse(name, msg("a zip archive, not a workbook"), "unzip")
    if len(infos) > 10_000:
        raise ChurnDataError(
            msg(
                "The workbook holds {n:,} internal parts, far more than any real "
                "spreadsheet; it was not opened.",
                n=len(infos),
            ),
            fix=msg("open it in Excel, copy the data to a new workbook and save that."),
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise ChurnDataError(
            msg(
                "The workbook would expand to {size} when opened, more than the limit "
                "of {limit}; it was not opened (a zip bomb or an unusually large workbook).",
                size=_size(total),
                limit=_size(limits.max_uncompressed_bytes),
            ),
            fix=msg(
                "save the data sheet as CSV and upload that, or raise the limit with the "
                "environment variable CHURNLENS_MAX_UNCOMPRESSED_BYTES before starting the app."
            ),
        )
    for i in infos:
        if i.file_size > 10 * _MB:
            ratio = i.file_size / max(1, i.compress_size)
            if ratio > limits.max_compression_ratio:
                raise ChurnDataError(
                    msg(
                        "A part of the workbook ({part}) is compressed {ratio:,.0f} times "
                        "(more than {limit:,.0f}); such files are used as zip bombs, so it was "
                        "not opened.",
                        part=i.filename,
                        ratio=ratio,
                        limit=limits.max_compression_ratio,
                    ),
                    fix=msg("save the data sheet as CSV and upload that."),
                )
    return kind


def _zip_mimetype(zf: zipfile.ZipFile, names: set[str]) -> bytes:
    if "mimetype" not in names or zf.getinfo("mimetype").file_size > 200:
        return b""
    return zf.read("mimetype")


def _open_workbook(data: bytes):
    """Open a workbook with python-calamine (the seam tests replace)."""
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(data))


def _blankish(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _sheet_score(sheet_name: str, rows: list[list[Any]], visible: bool) -> float:
    """How much a sheet looks like the data table (higher is better)."""
    if not rows:
        return -1.0
    counts = [sum(not _blankish(v) for v in r) for r in rows[:2000]]
    width = max(counts) if counts else 0
    filled = sum(1 for c in counts if c >= max(2, width * 0.5))
    score = float(filled * width)
    if _DICT_NAMES.search(sheet_name):
        score *= 0.05
    if width <= 2:
        score *= 0.2
    if filled < 3:
        score *= 0.1
    if not visible:
        score *= 0.01
    return score


def _find_header(rows: list[list[Any]]) -> tuple[int, list[Any], int]:
    """(index of the last header row, header values, number of header rows).

    Title rows above the table (far fewer filled cells than the table is wide) are
    skipped. A two-row header made of merged cells (a group row such as "Billing" over
    "Monthly | Total", with other names merged down across both rows) is combined: each
    column takes the lower row's name, or the upper one's where the lower is empty.
    """
    look = rows[:50]
    counts = [sum(not _blankish(v) for v in r) for r in look]
    width = max(counts) if counts else 0
    if width == 0:
        return 0, [], 0

    def text_row(i: int) -> bool:
        return 0 <= i < len(look) and all(isinstance(v, str) for v in look[i] if not _blankish(v))

    def filled(i: int, j: int) -> bool:
        return j < len(look[i]) and not _blankish(look[i][j])

    def two_row_header(a: int) -> bool:
        b = a + 1
        if b + 1 > len(rows) or b >= len(look) or not (text_row(a) and text_row(b)):
            return False
        if counts[a] == 0 or counts[b] == 0:
            return False
        cols = range(width + max(len(look[a]), len(look[b])))
        gap_a = any(filled(b, j) and not filled(a, j) for j in cols)
        gap_b = any(filled(a, j) and not filled(b, j) for j in cols)
        union = sum(1 for j in cols if filled(a, j) or filled(b, j))
        return gap_a and gap_b and union >= 0.8 * width

    h = 0
    while h < len(look) - 1 and (
        counts[h] == 0 or (width >= 3 and counts[h] < 0.5 * width and not two_row_header(h))
    ):
        h += 1
    if two_row_header(h):
        a, b = look[h], look[h + 1]
        n = max(len(a), len(b))
        names = [
            (b[j] if j < len(b) and not _blankish(b[j]) else (a[j] if j < len(a) else None))
            for j in range(n)
        ]
        return h + 1, names, 2
    return h, list(look[h]), 1


def _cell_text(v: Any) -> str | None:
    if _blankish(v):
        return None
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    if isinstance(v, (pd.Timestamp,)) or hasattr(v, "isoformat"):
        text = v.isoformat(sep=" ") if hasattr(v, "hour") and hasattr(v, "year") else None
        return text or v.isoformat()
    return str(v)


_TYPE_OF = np.frompyfunc(type, 1, 1)
_STR, _NONE = str, type(None)  # compared element-wise with the cells' types


def _excel_column(values: np.ndarray, column: str) -> _Col:
    """Typed column from calamine cells: numbers, dates, booleans or cleaned text.

    ``values`` is an object array of cells (``""`` = empty). Classification works on the
    cells' types in bulk; only mixed columns are turned into text cell by cell.
    """
    import datetime as dt

    import pyarrow as pa

    values = np.asarray(values, dtype=object)
    n = len(values)
    import pyarrow.compute as pc

    types = _TYPE_OF(values) if n else np.array([], dtype=object)
    is_str = types == _STR
    if n and is_str.all():  # a text column: the string converter handles blanks
        return _convert_strings(pa.array(values, pa.string()), column, decimal_comma=None)
    blank_mask = types == _NONE
    if is_str.any():
        strs = pc.utf8_trim_whitespace(pa.array(values[is_str], pa.string()))
        empty = pc.equal(pc.binary_length(strs), 0).to_numpy(zero_copy_only=False)
        blank_mask[np.flatnonzero(is_str)[empty]] = True
    blank = int(blank_mask.sum())
    if blank == n:
        return _Col(values=np.full(n, np.nan, dtype=object), blank=blank, mask=blank_mask)
    kinds = set(types[~blank_mask])
    mask = blank_mask if blank else None
    if kinds <= {float, int}:
        nums = np.full(n, np.nan)
        nums[~blank_mask] = values[~blank_mask].astype(float)
        return _Col(values=_finish_numbers(nums), blank=blank, mask=mask)
    if kinds <= {dt.datetime, dt.date, pd.Timestamp}:
        cells = values.copy()
        cells[blank_mask] = None
        stamps = pd.to_datetime(pd.Series(cells, dtype=object), errors="coerce")
        return _Col(values=stamps.astype("datetime64[ns]").to_numpy(), blank=blank, mask=mask)
    if kinds == {bool}:
        if blank == 0:
            return _Col(values=values.astype(bool), blank=0)
        cells = values.copy()
        cells[blank_mask] = np.nan
        return _Col(values=cells, blank=blank, mask=mask)
    cells = values.copy()
    if kinds != {str}:
        other = ~is_str & ~blank_mask
        cells[other] = [_cell_text(v) for v in values[other]]
    cells[blank_mask] = None
    return _convert_strings(pa.array(cells, pa.string()), column, decimal_comma=None)


def _sheet_xml_paths(data: bytes) -> dict[str, str]:
    """Worksheet name -> XML part, from the workbook's (small) index parts."""
    out: dict[str, str] = {}
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        wb = zf.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return out
    targets = {}
    for m in re.finditer(r"<Relationship\b[^>]*>", rels):
        tag = m.group(0)
        rid = re.search(r'\bId="([^"]+)"', tag)
        tgt = re.search(r'\bTarget="([^"]+)"', tag)
        if rid and tgt:
            t = tgt.group(1).lstrip("/")
            targets[rid.group(1)] = t if t.startswith("xl/") else "xl/" + t
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", wb):
        tag = m.group(0)
        nm = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]+)"|\bid="([^"]+)"', tag)
        if nm and rid:
            import html

            key = rid.group(1) or rid.group(2)
            if key in targets:
                out[html.unescape(nm.group(1))] = targets[key]
    return out


_RE_FORMULA_NO_VALUE = re.compile(
    rb"<c\b[^>]*>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)


def _formulas_without_values(data: bytes, sheet: str) -> int:
    """Count formula cells that carry no cached value in an XLSX worksheet."""
    path = _sheet_xml_paths(data).get(sheet)
    if not path:
        return 0
    try:
        xml = zipfile.ZipFile(io.BytesIO(data)).read(path)
    except (KeyError, zipfile.BadZipFile, OSError):
        return 0
    return len(_RE_FORMULA_NO_VALUE.findall(xml))


def _read_workbook(
    data: bytes, kind: str, name: str | None, sheet: str | None, limits: Limits
) -> dict[str, Any]:
    try:
        wb = _open_workbook(data)
        meta = {m.name: m for m in wb.sheets_metadata}
        all_names = list(wb.sheet_names)
    except Exception as exc:  # calamine raises several error types
        what = "Excel 97-2003 (.xls)" if kind == "xls" else kind.upper()
        raise ChurnDataError(
            msg("The {kind} file could not be opened ({reason}).", kind=what, reason=str(exc)),
            fix=msg(
                "if the workbook is password protected, remove the password in Excel; then "
                "save it as .xlsx or CSV and upload that."
            )
            if kind == "xls"
            else msg("open it in Excel and save it again as .xlsx (or export the sheet as CSV)."),
        ) from None
    sheet_names = [
        s for s in all_names if "worksheet" in str(getattr(meta.get(s), "typ", "worksheet")).lower()
    ] or all_names
    if not sheet_names:
        raise ChurnDataError(
            msg("The workbook has no worksheets."), fix=msg("upload a workbook with data.")
        )
    notes: list[ReadNote] = []

    def load(s: str) -> list[list[Any]]:
        sh = wb.get_sheet_by_name(s)
        if sh.height > limits.max_rows + 50:
            raise _cap_error(
                msg("{n:,} rows in sheet '{sheet}'", n=sh.height, sheet=s),
                _rows(limits.max_rows), "max_rows", sh.height + 1000,
            )  # fmt: skip
        if sh.width > limits.max_cols:
            raise _cap_error(
                msg("{n:,} columns in sheet '{sheet}'", n=sh.width, sheet=s),
                _columns(limits.max_cols), "max_cols", sh.width + 1000,
            )  # fmt: skip
        return sh.to_python(skip_empty_area=True)

    if sheet is not None:
        if sheet not in all_names:
            raise ChurnDataError(
                msg("The workbook has no sheet named '{sheet}'.", sheet=sheet),
                fix=msg("choose one of: {sheets}.", sheets=", ".join(f"'{s}'" for s in all_names)),
            )
        chosen, rows = sheet, load(sheet)
    elif len(sheet_names) == 1:
        chosen, rows = sheet_names[0], load(sheet_names[0])
    else:
        best = None
        for s in sheet_names:
            rows_s = load(s)
            vis = "hidden" not in str(getattr(meta.get(s), "visible", "")).lower()
            score = _sheet_score(s, rows_s, vis)
            if best is None or score > best[0]:
                best = (score, s, rows_s)
        assert best is not None
        chosen, rows = best[1], best[2]
        if chosen != sheet_names[0]:
            notes.append(
                ReadNote(
                    msg(
                        "Read sheet '{sheet}', which looks like the data table; the workbook "
                        "also has {others}. Choose another sheet if this is not the data.",
                        sheet=chosen,
                        others=", ".join(repr(s) for s in sheet_names if s != chosen),
                    ),
                    "sheet_picked",
                    sheet=chosen,
                )
            )
    if not rows or not any(not _blankish(v) for r in rows for v in r):
        raise ChurnDataError(
            msg("Sheet '{sheet}' is empty.", sheet=chosen),
            fix=msg(
                "choose the sheet that holds the data ({sheets}), or upload a workbook with data.",
                sheets=", ".join(repr(s) for s in all_names),
            )
            if len(all_names) > 1
            else msg("choose the sheet that holds the data, or upload a workbook with data."),
        )
    h, header, merged = _find_header(rows)
    if h > 0:
        notes.append(
            ReadNote(
                msg(
                    "The header was found on row {row} of sheet '{sheet}'; the {skipped} row(s) "
                    "above it (a title or merged header cells) were skipped.",
                    row=h + 1,
                    sheet=chosen,
                    skipped=h,
                ),
                "header_row",
                row=h + 1,
            )
        )
    body = rows[h + 1 :]
    width = max([len(header)] + [len(r) for r in body[:1]])
    width = max(width, max((len(r) for r in body), default=0))
    header = header + [None] * (width - len(header))
    # drop trailing columns with neither a header nor any value
    while (
        width > 0
        and _blankish(header[width - 1])
        and all(len(r) < width or _blankish(r[width - 1]) for r in body)
    ):
        width -= 1
    header = header[:width]
    if body and all(len(r) == len(body[0]) for r in body) and len(body[0]) >= width:
        grid = np.empty((len(body), len(body[0])), dtype=object)
        grid[:] = body
        raw_cols = [grid[:, j] for j in range(width)]
    else:
        raw_cols = [
            np.array([r[j] if j < len(r) else "" for r in body], dtype=object) for j in range(width)
        ]
    return {
        "header": header,
        "cells": raw_cols,
        "nrows": len(body),
        "sheet": chosen,
        "sheets": tuple(all_names),
        "notes": notes,
    }


# --------------------------------------------------------------------------------------
# Parquet
# --------------------------------------------------------------------------------------


def _read_parquet(data: bytes, limits: Limits) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(io.BytesIO(data))
        md = pf.metadata
        if md.num_rows > limits.max_rows:
            raise _cap_error(
                _rows(md.num_rows), _rows(limits.max_rows), "max_rows", md.num_rows + 1000
            )
        if md.num_columns > limits.max_cols:
            raise _cap_error(
                _columns(md.num_columns), _columns(limits.max_cols), "max_cols",
                md.num_columns + 1000,
            )  # fmt: skip
        table = pf.read()
    except (pa.ArrowException, OSError) as exc:
        raise ChurnDataError(
            msg("The Parquet file could not be read ({reason}).", reason=str(exc)),
            fix=msg("write it again (e.g. pandas DataFrame.to_parquet) or export the data as CSV."),
        ) from None
    return table.to_pandas()


# --------------------------------------------------------------------------------------
# read_table
# --------------------------------------------------------------------------------------


def _empty(name: str | None) -> ChurnDataError:
    return ChurnDataError(
        msg("'{name}' is empty.", name=name) if name else msg("The file is empty."),
        fix=msg("export the data again: the file needs a header row and at least one row of data."),
    )


def _get_bytes(source: Any, limits: Limits) -> tuple[bytes, str | None]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = None
    elif hasattr(source, "getvalue"):  # an uploaded file object (BytesIO, UploadedFile)
        data = source.getvalue()
        name = getattr(source, "name", None)
    elif hasattr(source, "read"):
        data = source.read()
        name = getattr(source, "name", None)
    else:
        path = os.fspath(source)
        try:
            size = os.path.getsize(path)
        except OSError as exc:
            raise ChurnDataError(
                msg("The file '{path}' cannot be read ({reason}).", path=path, reason=exc.strerror),
                fix=msg("check the path and that the file exists."),
            ) from None
        if os.path.isdir(path):
            raise ChurnDataError(
                msg("'{path}' is a folder, not a file.", path=path), fix=msg("give a file.")
            )
        if size > limits.max_bytes:
            raise _cap_error(_size(size), _bytes_limit(limits), "max_bytes", size + _MB)
        with open(path, "rb") as fh:
            data = fh.read()
        name = os.path.basename(path)
    if len(data) > limits.max_bytes:
        raise _cap_error(_size(len(data)), _bytes_limit(limits), "max_bytes", len(data) + _MB)
    return data, name


_FILLED_BYTE = re.compile(rb"[^ \t\r\n\x00]")


def read_table(
    source: str | os.PathLike | bytes,
    *,
    name: str | None = None,
    sheet: str | None = None,
    limits: Limits | None = None,
) -> ReadResult:
    """Read a customer file (path or uploaded bytes) into a cleaned frame.

    Parameters
    ----------
    source : str, os.PathLike or bytes
        A path, or the file's bytes (a file-like object with ``getvalue()``/``read()`` is
        accepted too).
    name : str, optional
        The uploaded file's name: only used in messages (the type comes from the bytes).
    sheet : str, optional
        Worksheet to read; default: the sheet that looks most like a data table (not a
        data dictionary or cover sheet).
    limits : Limits, optional
        Size, row and column caps; default ``Limits()`` (environment overrides applied).

    Returns
    -------
    ReadResult
        The frame plus what was done to it.

    Raises
    ------
    ChurnDataError
        The file is empty, has no data rows, is over a cap, is not a table (an image, an
        executable, a PDF, an archive...) or cannot be parsed; the message says how to fix
        it.

    Notes
    -----
    Conversions, per column, only when (nearly: 99.5 % of at least 200) every non-blank
    value converts; otherwise the column stays text:

    * thousands separators (``1,234`` / ``1.234,50`` / ``1 234``), decimal commas (decided
      by values such as ``1,5`` or ``1.234,50``, else by a ``;`` delimiter), currency signs
      and codes (``$ ₩ € £ ¥ 원 KRW USD ...``), parentheses negatives ``(12) -> -12`` and
      markers such as ``N/A`` (-> missing);
    * percent signs: ``12%`` becomes ``0.12``, the value Excel stores for a cell shown as
      12 %, so a CSV and an XLSX export of the same sheet read the same.

    Identifier-like columns stay text: any value with a leading zero (``00123``), digit
    codes longer than 15 digits, and unique same-length digit codes of 5+ digits. Dates are
    not parsed (see :func:`parse_dates`), except Excel cells that are real dates.
    """
    limits = limits or Limits()
    data, path_name = _get_bytes(source, limits)
    name = name or path_name
    # (a search stops at the first byte that is not blank; strip() would copy the file)
    if not data or _FILLED_BYTE.search(data) is None:
        raise _empty(name)
    kind0 = _sniff_kind(data, name)
    notes: list[ReadNote] = []
    encoding = delimiter = None
    sheet_used: str | None = None
    sheets: tuple[str, ...] = ()
    decimal_comma: bool | None = None
    header: list[Any]
    cols: list[_Col]
    if kind0 in ("zip", "ole2"):
        kind = _check_zip(data, name, limits) if kind0 == "zip" else "xls"
        wb = _read_workbook(data, kind, name, sheet, limits)
        sheet_used, sheets = wb["sheet"], wb["sheets"]
        notes += wb["notes"]
        header = wb["header"]
        names, hnotes = _clean_header(header)
        cols = [_excel_column(c, nm) for c, nm in zip(wb["cells"], names, strict=True)]
        nrows = wb["nrows"]
    elif kind0 == "parquet":
        kind = "parquet"
        frame0 = _read_parquet(data, limits)
        names, hnotes = _clean_header(list(frame0.columns))
        cols = [_parquet_column(frame0.iloc[:, j], nm) for j, nm in enumerate(names)]
        nrows = len(frame0)
        header = list(frame0.columns)
    else:
        kind = "csv"
        txt = _read_text(data, name, limits)
        data = b""  # parsed: free the file's bytes (only a workbook needs them again)
        encoding, delimiter, decimal_comma = txt["encoding"], txt["delimiter"], txt["decimal_comma"]
        notes += txt["notes"]
        header = txt["header"]
        if len(header) > limits.max_cols:
            raise _cap_error(
                _columns(len(header)), _columns(limits.max_cols), "max_cols", len(header) + 1000
            )
        nrows = txt["nrows"]
        if nrows > limits.max_rows:
            raise _cap_error(_rows(nrows), _rows(limits.max_rows), "max_rows", nrows + 100_000)
        names, hnotes = _clean_header(header)
        raw, txt["columns"] = txt["columns"], None
        cols = _convert_columns(raw, names, decimal_comma)
        del raw
        if len(cols) < len(names):
            names = names[: len(cols)]
    if not header or all(_blankish(h) for h in header) and nrows == 0:
        raise ChurnDataError(
            msg("The file has no columns."),
            fix=msg("export the data again with a header row (column names) on the first line."),
        )
    if nrows > limits.max_rows:
        raise _cap_error(_rows(nrows), _rows(limits.max_rows), "max_rows", nrows + 100_000)
    if len(names) > limits.max_cols:
        raise _cap_error(
            _columns(len(names)), _columns(limits.max_cols), "max_cols", len(names) + 1000
        )
    # Series with explicit dtypes and copy=False: no per-column type inference, no copy.
    frame = pd.DataFrame(
        {
            f"__{j}": pd.Series(c.values, dtype=np.asarray(c.values).dtype, copy=False)
            for j, c in enumerate(cols)
        },
        copy=False,
    )
    frame.columns = names
    # Rows where every cell is blank carry nothing: drop them (not counted as blanks).
    n_empty = 0
    if len(frame) and cols and all(c.blank for c in cols):
        empty_rows = np.logical_and.reduce(
            [c.mask if c.mask is not None else pd.isna(frame.iloc[:, j]).to_numpy()
             for j, c in enumerate(cols)]
        )  # fmt: skip
        n_empty = int(empty_rows.sum())
    if n_empty:
        frame = frame.loc[~empty_rows].reset_index(drop=True)
        notes.append(
            ReadNote(
                msg("Dropped {count:,} empty row(s).", count=n_empty), "empty_rows", count=n_empty
            )
        )
    # Columns with no header and no values (e.g. a trailing delimiter) carry nothing.
    auto = {f"column_{j + 1}" for j, h in enumerate(header) if _blankish(h)}
    drop = [c for c in frame.columns if c in auto and frame[c].isna().all()]
    if drop:
        frame = frame.drop(columns=drop)
        hnotes = [n for n in hnotes if n.code != "empty_headers"] + (
            []
            if not (auto - set(drop))
            else [
                ReadNote(
                    msg(
                        "{count} column(s) had no header and were named {names}.",
                        count=len(auto - set(drop)),
                        names=", ".join(sorted(auto - set(drop))),
                    ),
                    "empty_headers",
                    count=len(auto - set(drop)),
                )
            ]
        )
    kept = set(frame.columns)
    blank = sum(c.blank for c, nm in zip(cols, names, strict=True) if nm in kept)
    blank -= n_empty * len(kept)  # cells of dropped empty rows are not "blank cells"
    if frame.shape[1] == 0:
        raise ChurnDataError(
            msg("The file has no columns with data."),
            fix=msg("export the data again with a header row and at least one row of data."),
        )
    if len(frame) == 0:
        shown = ", ".join(str(c) for c in list(frame.columns)[:6])
        raise ChurnDataError(
            msg(
                "The file has a header row ({columns}) but no data rows.",
                columns=shown + (" ..." if frame.shape[1] > 6 else ""),
            ),
            fix=msg("export the data again including the rows, not only the column names."),
        )
    notes = hnotes + notes
    converted = tuple((nm, c.converted) for c, nm in zip(cols, names, strict=True) if c.converted)
    for c in cols:
        notes += c.notes
    if kind == "xlsx" and blank:
        n_f = _formulas_without_values(data, sheet_used or "")
        if n_f:
            notes.append(
                ReadNote(
                    msg(
                        "{count:,} formula cell(s) in sheet '{sheet}' have no saved result and "
                        "were read as empty. Open the file in Excel and save it (Excel stores "
                        "the results), or paste the values (Paste Special > Values) before "
                        "uploading.",
                        count=n_f,
                        sheet=sheet_used,
                    ),
                    "formulas_without_values",
                    count=n_f,
                    sheet=sheet_used,
                )
            )
    if blank:
        notes.append(
            ReadNote(
                msg(
                    "{count:,} blank or whitespace-only cell(s) are treated as missing.",
                    count=blank,
                ),
                "blank_cells",
                count=blank,
            )
        )
    for nm, what in converted:
        notes.append(
            ReadNote(
                msg(
                    "Column '{column}' read as numbers ({kinds}).",
                    column=nm,
                    kinds=what.params["kinds"],
                ),
                "converted",
                column=nm,
                what=what,
            )
        )
    return ReadResult(
        frame=frame,
        kind=kind,
        sheet=sheet_used,
        sheets=sheets,
        encoding=encoding,
        delimiter=delimiter,
        blank_cells=int(blank),
        converted=converted,
        notes=tuple(notes),
    )


def _parquet_column(s: pd.Series, column: str) -> _Col:
    """A Parquet column: typed columns stay as they are; text goes through the cleaner."""
    import pyarrow as pa

    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return _Col(values=s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy())
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        try:
            arr = pa.array(s.to_numpy(dtype=object), from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            arr = None
        if arr is not None and (pa.types.is_string(arr.type) or pa.types.is_null(arr.type)):
            return _convert_strings(arr.cast(pa.string()), column, decimal_comma=None)
        return _Col(values=s.to_numpy(dtype=object))
    values = s.to_numpy()
    n_missing = int(pd.isna(values).sum()) if values.dtype.kind in "fMm" else 0
    return _Col(values=values, blank=n_missing)


# --------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------

_RE_KO = re.compile(r"^\s*(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일\s*(.*)$")
_RE_NUMDATE = re.compile(
    r"^(?P<a>\d{1,4})(?P<s1>[-/.])(?P<b>\d{1,2})(?P=s1)(?P<c>\d{1,4})\.?"
    r"(?:[ T]+(?P<time>.*))?$"
)
_RE_TIME = re.compile(
    r"^(?:(?P<ampm1>오전|오후|AM|PM|am|pm)\s*)?(?P<h>\d{1,2}):(?P<m>\d{2})"
    r"(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?\s*(?P<ampm2>AM|PM|am|pm|오전|오후)?$"
)
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_MIN, _SERIAL_MAX = 20_000, 80_000  # 1954-10-03 .. 2119-01-10


def _split_numeric(uniq: pd.Series) -> pd.DataFrame:
    """Components of d/m/y-like strings: columns a, b, c (ints) and time (str)."""
    ko = uniq.str.extract(_RE_KO)
    is_ko = ko[0].notna()
    s = uniq.copy()
    if is_ko.any():
        s[is_ko] = ko[0] + "-" + ko[1] + "-" + ko[2] + " " + ko[3].fillna("")
        s = s.str.strip()
    parts = s.str.extract(_RE_NUMDATE)
    return parts


def _ymd(y, m, d) -> pd.Series:
    frame = pd.DataFrame({"year": y, "month": m, "day": d})
    bad = (
        frame.isna().any(axis=1)
        | (frame["month"] < 1)
        | (frame["month"] > 12)
        | (frame["day"] < 1)
        | (frame["day"] > 31)
        | (frame["year"] < 1678)
        | (frame["year"] > 2261)
    )
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    good = frame[~bad].astype("int64")
    if len(good):
        out[~bad] = pd.to_datetime(good, errors="coerce")
    return out


def _times(t: pd.Series) -> pd.Series:
    """Time-of-day strings -> timedelta (NaT where not a time; 0 where empty)."""
    t = t.fillna("").str.strip()
    out = pd.Series(pd.Timedelta(0), index=t.index)
    has = t.ne("")
    if not has.any():
        return out
    p = t[has].str.extract(_RE_TIME)
    h = pd.to_numeric(p["h"], errors="coerce")
    ampm = pd.Series(
        np.where(p["ampm1"].notna(), p["ampm1"], p["ampm2"]), index=p.index, dtype=object
    )
    ampm = ampm.where(ampm.notna(), "").astype(str).str.lower()
    pm = ampm.isin(["pm", "오후"]) & (h < 12)
    am12 = ampm.isin(["am", "오전"]) & (h == 12)
    h = h + 12 * pm - 12 * am12
    frac = p["f"].fillna("0").str.ljust(9, "0").str.slice(0, 9)
    ns = (
        h * 3600 + pd.to_numeric(p["m"], errors="coerce") * 60
        + pd.to_numeric(p["s"].fillna("0"), errors="coerce")
    ) * 1_000_000_000 + pd.to_numeric(frac, errors="coerce")  # fmt: skip
    ok = ns.notna() & (h < 24)
    td = pd.to_timedelta(ns.where(ok), unit="ns")
    out[has] = td
    out[has & ~ok.reindex(t.index, fill_value=False)] = pd.NaT
    return out


def _order_evidence(parts: pd.DataFrame) -> tuple[pd.Series, int, int, pd.Series]:
    """For x/y/YYYY values: (mask, #first>12, #second>12, ambiguous mask)."""
    a = pd.to_numeric(parts["a"], errors="coerce")
    b = pd.to_numeric(parts["b"], errors="coerce")
    c_len = parts["c"].str.len()
    a_len = parts["a"].str.len()
    xy = parts["a"].notna() & (a_len <= 2) & c_len.isin([2, 4])
    first_big = int((xy & (a > 12) & (b <= 12)).sum())
    second_big = int((xy & (b > 12) & (a <= 12)).sum())
    amb = xy & (a <= 12) & (b <= 12) & (a != b)
    return xy, first_big, second_big, amb


def _parse_unique(
    uniq: pd.Series, dayfirst: bool | None, allow_numbers: bool, column: str | None
) -> tuple[pd.Series, str | None]:
    """Parse unique non-blank strings; return (timestamps, decided order or None)."""
    uniq = uniq.astype(str).str.strip()
    out = pd.Series(pd.NaT, index=uniq.index, dtype="datetime64[ns]")
    # Fast path: full ISO dates/timestamps (C parser), then the other forms.
    full = uniq.str.len().ge(10) & uniq.str.slice(0, 4).str.isdigit()
    if full.any():
        iso = pd.to_datetime(uniq[full], format="ISO8601", errors="coerce", utc=True)
        iso = iso.dt.tz_convert(None).astype("datetime64[ns]")
        out.loc[iso.index] = iso
    todo = uniq[out.isna()]
    parts = _split_numeric(todo)
    matched = parts["a"].notna()
    order = None
    if matched.any():
        a_len = parts["a"].str.len()
        ymd = matched & (a_len == 4)
        if ymd.any():
            p = parts[ymd]
            out.loc[p.index] = _ymd(
                pd.to_numeric(p["a"]), pd.to_numeric(p["b"]), pd.to_numeric(p["c"])
            ) + _times(p["time"])
        xy, first_big, second_big, amb = _order_evidence(parts)
        if xy.any():
            if dayfirst is None:
                if first_big and not second_big:
                    dayfirst_eff = True
                elif second_big and not first_big:
                    dayfirst_eff = False
                elif amb.any() and not first_big and not second_big:
                    examples = ", ".join(todo[amb].head(3))
                    raise ChurnDataError(
                        msg(
                            "dates such as {examples} could be day-first or month-first, and "
                            "no value in the column decides which.",
                            examples=examples,
                        ),
                        fix=msg(
                            "choose the date order for this column (day first, e.g. 03/04 = "
                            "3 April, or month first, e.g. 03/04 = March 4)."
                        ),
                        column=column,
                    )
                else:
                    dayfirst_eff = first_big >= second_big
            else:
                dayfirst_eff = dayfirst
            order = "dayfirst" if dayfirst_eff else "monthfirst"
            p = parts[xy]
            year = pd.to_numeric(p["c"])
            year = year.where(p["c"].str.len() == 4, np.where(year <= 68, 2000 + year, 1900 + year))
            day, month = (p["a"], p["b"]) if dayfirst_eff else (p["b"], p["a"])
            out.loc[p.index] = _ymd(year, pd.to_numeric(month), pd.to_numeric(day)) + _times(
                p["time"]
            )
    rest = out.isna()
    if rest.any() and allow_numbers:
        num = pd.to_numeric(uniq[rest].str.replace(",", ".", regex=False), errors="coerce")
        out[num.index] = _numbers_to_dates(num).where(num.notna(), out[num.index])
        rest = out.isna()
    if rest.any():
        r = uniq[rest]
        looks = r.str.contains(r"\d") & ~r.str.fullmatch(r"[+-]?\d+(\.\d+)?")
        r = r[looks]
        if len(r):
            iso = pd.to_datetime(r, format="ISO8601", errors="coerce", utc=True)
            got = iso.notna()
            if got.any():
                out[r.index[got]] = iso[got].dt.tz_convert(None).astype("datetime64[ns]")
            left = r[~got]
            if len(left) > 1000:
                # dateutil is slow: go on only if a sample of the leftovers are dates
                probe = pd.to_datetime(left.head(200), errors="coerce", format="mixed")
                if probe.notna().mean() < 0.5:
                    left = left.iloc[:0]
            if len(left):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    vals = []
                    for v in left:  # row-wise fallback, on the few leftover distinct values
                        try:
                            ts = pd.to_datetime(v, dayfirst=bool(dayfirst), errors="coerce")
                        except (ValueError, TypeError, OverflowError):
                            ts = pd.NaT
                        if ts is not pd.NaT and getattr(ts, "tzinfo", None) is not None:
                            ts = ts.tz_convert(None)
                        vals.append(ts)
                out[left.index] = pd.to_datetime(pd.Series(vals, index=left.index, dtype=object))
    return out, order


def _numbers_to_dates(num: pd.Series) -> pd.Series:
    """Excel serials (1900 system), yyyymmdd integers and Unix epoch seconds/ms -> dates."""
    out = pd.Series(pd.NaT, index=num.index, dtype="datetime64[ns]")
    serial = num.between(_SERIAL_MIN, _SERIAL_MAX)
    if serial.any():
        out[serial] = _EXCEL_EPOCH + pd.to_timedelta((num[serial] * 86_400_000).round(), unit="ms")
    ymd = num.between(19000101, 21001231) & (num % 1 == 0)
    if ymd.any():
        v = num[ymd].astype("int64")
        out[ymd] = _ymd(v // 10000, (v // 100) % 100, v % 100)
    epoch_s = num.between(1e8, 4e9) & ~ymd
    if epoch_s.any():
        out[epoch_s] = pd.to_datetime(num[epoch_s], unit="s", errors="coerce")
    epoch_ms = num.between(1e11, 4e12)
    if epoch_ms.any():
        out[epoch_ms] = pd.to_datetime(num[epoch_ms], unit="ms", errors="coerce")
    return out


def _factorize(series: pd.Series) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """(codes over the whole series, unique non-blank strings, blank mask).

    Blank (whitespace-only) values are found on the distinct values, not row by row;
    their codes become -1 like missing values.
    """
    codes, uniques = pd.factorize(series, sort=False)
    text = pd.Series(uniques, dtype=object).astype(str).str.strip()
    blank_u = text.eq("").to_numpy()
    if blank_u.any():
        remap = np.cumsum(~blank_u) - 1
        remap[blank_u] = -1
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        text = text[~blank_u].reset_index(drop=True)
    return codes, text, codes < 0


def parse_dates(
    series: pd.Series, *, dayfirst: bool | None = None, column: str | None = None
) -> pd.Series:
    """Read a column the user marked as dates into ``datetime64[ns]`` (NaT for blanks).

    Parameters
    ----------
    series : pandas.Series
        Text, numbers (Excel serial numbers of the 1900 date system between 20,000 and
        80,000, ``yyyymmdd`` integers, Unix seconds or milliseconds), Python datetimes,
        or already datetimes.
    dayfirst : bool, optional
        How to read ``03/04/2024``: True = 3 April, False = March 4. ``None``: decided by
        the data (a value such as ``25/03/2024`` decides); if nothing decides, raise.
    column : str, optional
        The column's name, for messages.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]`` with the input's index and name; time zones are converted to
        UTC and dropped. ``result.attrs["unparsed"]`` counts non-blank values that are not
        dates (now NaT) and ``result.attrs["unparsed_examples"]`` shows a few.

    Raises
    ------
    ChurnDataError
        Most non-blank values are not dates, or day-first vs month-first is ambiguous and
        ``dayfirst`` is None; the message names the column.

    Notes
    -----
    Formats: ISO 8601 (with ``T``, microseconds, time zones), ``2024.03.01``,
    ``2024/3/1``, ``03/01/2024``, ``01-03-2024``, ``01.03.2024``, two-digit years (68 and
    below = 20xx), ``2024년 3월 1일``, times with AM/PM or 오전/오후, month names (row-wise
    fallback), and mixtures of these in one column. Parsing works on the distinct values,
    so a million rows with a few thousand distinct dates is fast.
    """
    name = column if column is not None else (str(series.name) if series.name is not None else None)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        out = series.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
        out.attrs.update(unparsed=0, unparsed_examples=())
        return out
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        out = series.astype("datetime64[ns]")
        out.attrs.update(unparsed=0, unparsed_examples=())
        return out
    if pd.api.types.is_bool_dtype(series.dtype):
        raise ChurnDataError(
            msg("holds true/false values, not dates."),
            fix=msg("choose the date column."),
            column=name,
        )
    if pd.api.types.is_numeric_dtype(series.dtype):
        num = pd.to_numeric(series, errors="coerce").astype(float)
        out = _numbers_to_dates(num)
        nonblank = int(num.notna().sum())
        bad = num.notna() & out.isna()
        result = pd.Series(out.to_numpy(), index=series.index, name=series.name)
        return _check_share(result, nonblank, series[bad], name)
    s = series
    if s.dtype == object:
        # Python datetimes / dates mixed with text: convert the objects directly.
        is_dt = s.map(lambda v: hasattr(v, "year") and hasattr(v, "month"))
        if is_dt.any():
            conv = pd.to_datetime(s[is_dt], errors="coerce", utc=True).dt.tz_convert(None)
            rest = s[~is_dt]
            out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]", name=s.name)
            out[is_dt] = conv.astype("datetime64[ns]")
            if len(rest):
                sub = parse_dates(rest, dayfirst=dayfirst, column=name)
                out[~is_dt] = sub
                bad_n = sub.attrs.get("unparsed", 0)
            else:
                bad_n = 0
            out.attrs.update(unparsed=bad_n, unparsed_examples=())
            return out
        numeric_objs = s.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
        if numeric_objs.any():
            s = s.where(~numeric_objs, s.map(lambda v: repr(v) if isinstance(v, float) else str(v)))
    codes, uniq, blank = _factorize(s.astype(object))
    if not len(uniq):
        out = pd.Series(pd.NaT, index=series.index, name=series.name, dtype="datetime64[ns]")
        out.attrs.update(unparsed=0, unparsed_examples=())
        return out
    parsed, _ = _parse_unique(uniq, dayfirst, allow_numbers=True, column=name)
    vals = parsed.to_numpy(dtype="datetime64[ns]")
    res = np.full(len(s), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = codes >= 0
    res[ok] = vals[codes[ok]]
    result = pd.Series(res, index=series.index, name=series.name)
    nonblank = int((~blank).sum())
    bad_u = parsed.isna().to_numpy()
    bad_mask = ok & bad_u[np.where(ok, codes, 0)]
    return _check_share(result, nonblank, series[bad_mask], name)


def _check_share(result: pd.Series, nonblank: int, bad: pd.Series, name: str | None) -> pd.Series:
    n_bad = len(bad)
    examples = tuple(str(v) for v in pd.unique(bad.astype(str))[:3])
    if nonblank and n_bad > nonblank / 2:
        raise ChurnDataError(
            msg(
                "{n:,} of {total:,} values are not dates (e.g. {examples}).",
                n=n_bad,
                total=nonblank,
                examples=", ".join(f"'{e}'" for e in examples),
            ),
            fix=msg("choose the column that holds the dates, or fix these values in the file."),
            column=name,
        )
    result.attrs.update(unparsed=n_bad, unparsed_examples=examples)
    return result


def date_order_ambiguous(series: pd.Series) -> bool:
    """True when values like ``03/04/2024`` exist and no value decides day vs month first.

    Parameters
    ----------
    series : pandas.Series
        The column's values (text).

    Returns
    -------
    bool
        True if at least one value reads differently day-first and month-first and no
        value has a day above 12 in either position.
    """
    if series.dtype != object and not pd.api.types.is_string_dtype(series.dtype):
        return False
    _, uniq, _ = _factorize(series.astype(object))
    if not len(uniq):
        return False
    parts = _split_numeric(uniq.str.strip())
    _, first_big, second_big, amb = _order_evidence(parts)
    return bool(amb.any()) and not first_big and not second_big


def date_share(series: pd.Series) -> float:
    """Share of non-blank values that read as dates (for proposing date roles).

    Numbers count as dates only when the column already holds datetimes: a number column
    in the Excel-serial range is more often an amount than a date, so it scores 0 here
    (:func:`parse_dates` still reads serials when the user marks the column as dates).

    Parameters
    ----------
    series : pandas.Series

    Returns
    -------
    float
        In [0, 1]; 0 for an empty column.
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        n = int(series.notna().sum())
        return 1.0 if n else 0.0
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return 0.0
    s = series.astype(object)
    if len(s) > 20_000:  # a spread sample estimates the share well enough
        s = s.iloc[:: max(1, len(s) // 20_000)]
    is_dt = s.map(lambda v: hasattr(v, "year") and hasattr(v, "month") and not isinstance(v, str))
    codes, uniq, blank = _factorize(s.where(~is_dt, "2000-01-01"))
    nonblank = int((~blank).sum())
    if not nonblank:
        return 0.0
    try:
        parsed, _ = _parse_unique(uniq, True, allow_numbers=False, column=None)
        alt, _ = _parse_unique(uniq, False, allow_numbers=False, column=None)
    except ChurnDataError:
        return 0.0
    good = (parsed.notna() | alt.notna()).to_numpy()
    ok = codes >= 0
    hits = int(good[codes[ok]].sum())
    return hits / nonblank
