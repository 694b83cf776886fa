"""Header cleaning: column names stripped, empty ones named, duplicates made unique."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from churn.io.limits import snip
from churn.io.result import ReadNote
from churn.text import msg


def blankish(v: Any) -> bool:
    """True for an empty cell or header value: None, or text of blanks only."""
    return v is None or (isinstance(v, str) and not v.strip())


_RE_CTRL = re.compile(r"[\x00-\x1f\x7f\u200b\ufeff]")


def clean_header(raw: Sequence[Any]) -> tuple[list[str], list[ReadNote]]:
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
        shown = snip(", ".join(renamed[:5]) + (" ..." if len(renamed) > 5 else ""))
        notes.append(
            ReadNote(
                msg("Duplicate column names were made unique: {names}.", names=shown),
                "duplicate_headers",
                count=len(renamed),
                names=shown,
            )
        )
    return out, notes
