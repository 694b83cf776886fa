"""The field delimiter of a text file and the title lines above its header, from its first lines."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

_DELIMS = (",", "\t", ";", "|")


def csv_records(sample: str, delim: str, limit: int = 200) -> list[list[str]]:
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


def sniff_delimiter(sample: str) -> tuple[str, int, int]:
    """(delimiter, expected field count, title lines to skip) from the first lines.

    A delimiter wins when most records split into the same number (>= 2) of fields;
    leading records with far fewer fields (a title such as "Customer export, March")
    are skipped.
    """
    best: tuple[float, float, int, int, str] | None = None
    for pref, d in enumerate(_DELIMS):
        recs = csv_records(sample, d)
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
        recs = csv_records(sample, d)
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
