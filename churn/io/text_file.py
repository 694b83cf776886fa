"""CSV, TSV and TXT files: decoded, split at their delimiter into columns of strings.

:func:`read_text_file` is the reader of kind "csv" (any text file): the text is decoded
(:mod:`churn.io.decode`), its delimiter and title lines found (:mod:`churn.io.delimiter`),
and it is split into string columns by pyarrow (pandas as the fallback for ragged rows).
Text is read as text, so identifiers such as ``00123`` keep their leading zeros; the
columns become numbers only in :func:`~churn.io.convert.convert_columns`.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pandas as pd

from churn.errors import ChurnDataError
from churn.io.convert import convert_columns
from churn.io.decode import decode_text
from churn.io.delimiter import csv_records, sniff_delimiter
from churn.io.limits import Limits, cap_error, columns_text, rows_text, snip
from churn.io.result import Parsed, ReadNote
from churn.io.sniff import empty_file
from churn.text import msg


def read_text_file(
    data: bytes, *, kind: str, name: str | None, sheet: str | None, limits: Limits
) -> Parsed:
    """Read a text file (kind "csv"; ``sheet`` does not apply) into raw string columns.

    The column and row caps are checked before any column is cleaned; the columns are
    cleaned (two at a time for a large file) when :attr:`Parsed.convert` is called.
    """
    txt = _read_text(data, name, limits)
    header = txt["header"]
    if len(header) > limits.max_cols:
        raise cap_error(
            columns_text(len(header)), columns_text(limits.max_cols), "max_cols", len(header) + 1000
        )
    nrows = txt["nrows"]
    if nrows > limits.max_rows:
        raise cap_error(rows_text(nrows), rows_text(limits.max_rows), "max_rows", nrows + 100_000)
    raw, decimal_comma = txt["columns"], txt["decimal_comma"]

    def convert(names: list[str]) -> list:
        return convert_columns(raw, names, decimal_comma)  # empties ``raw`` on the way

    return Parsed(
        header=header,
        nrows=nrows,
        convert=convert,
        notes=txt["notes"],
        encoding=txt["encoding"],
        delimiter=txt["delimiter"],
    )


def _read_text(data: bytes, name: str | None, limits: Limits) -> dict[str, Any]:
    """The text split into raw columns: header, columns (pyarrow strings), row count,
    encoding, delimiter, notes and whether the decimal mark is a comma."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    text, encoding, notes = decode_text(data, name)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text[:4096].strip() and not text.strip():
        raise empty_file(name)
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    delim, _, skip = sniff_delimiter(sample)
    if delim == " ":
        header_vals, rows = _read_whitespace(text)
        if len(header_vals) > limits.max_cols:
            raise cap_error(
                columns_text(len(header_vals)), columns_text(limits.max_cols), "max_cols",
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
        header_rec = csv_records(sample, delim, limit=skip + 1)
        header_vals = header_rec[skip] if len(header_rec) > skip else []
        if len(header_vals) > limits.max_cols:
            raise cap_error(
                columns_text(len(header_vals)), columns_text(limits.max_cols), "max_cols",
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
            msg("The text could not be split into columns ({reason}).", reason=snip(err or exc)),
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
    """The delimiter in words, for messages."""
    return _DELIM_NAMES.get(d, d)
