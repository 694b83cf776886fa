"""Caps on what is read, and how sizes, counts and quoted file content are worded.

:class:`Limits` holds the caps (file size, rows, columns, uncompressed workbook content,
grid cells), each overridable by an environment variable (:func:`env_size` reads them).
:func:`cap_error` is the one error for a file over a cap; :func:`size_text`,
:func:`rows_text` and :func:`columns_text` word the amounts, and :func:`snip` cuts any
quoted file content or parser error to :data:`SNIPPET` characters.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from churn.errors import ChurnDataError
from churn.text import Text, msg

# Decimal megabytes (10**6 bytes): Streamlit's file uploader turns server.maxUploadSize into
# bytes with 1 MB = 10**6 in the browser (except on Windows), so the reader's 200 MB is the
# browser's 200 MB, byte for byte (tests/app/test_safe_defaults.py checks both agree).
MB = 1000 * 1000
_ENV = {
    "max_bytes": "CHURNLENS_MAX_BYTES",
    "max_rows": "CHURNLENS_MAX_ROWS",
    "max_cols": "CHURNLENS_MAX_COLS",
    "max_uncompressed_bytes": "CHURNLENS_MAX_UNCOMPRESSED_BYTES",
    "max_cells": "CHURNLENS_MAX_CELLS",
}
_DEFAULTS = {
    # The same cap as the uploader's (server.maxUploadSize = 200 in .streamlit/config.toml).
    "max_bytes": 200 * MB,
    "max_rows": 2_000_000,
    "max_cols": 2_000,
    "max_uncompressed_bytes": 1000 * MB,
    # A sheet's grid (rows x columns spanned by its values): calamine holds ~32 bytes per
    # grid cell and the rows built from it ~10 more, so 50 million cells stay near 2 GB.
    # Real data this dense needs over 1 GB of sheet XML, beyond max_uncompressed_bytes
    # anyway; only stray far cells over mostly empty space reach the cap.
    "max_cells": 50_000_000,
}
_SUFFIX = {"": 1, "K": 1000, "KB": 1000, "M": MB, "MB": MB, "G": 1000 * MB, "GB": 1000 * MB}


def _env_int(key: str) -> int:
    """The limit ``key`` from its environment variable, or the default."""
    return env_size(_ENV[key], _DEFAULTS[key])


def env_size(var: str, default: int) -> int:
    """A positive whole number from the environment variable ``var``, or ``default``.

    ``_`` and ``,`` are ignored; ``K``/``M``/``G`` (or ``KB``/``MB``/``GB``) multiply by
    1000, 1000**2 and 1000**3. Anything else raises a :class:`ChurnDataError`.
    """
    raw = os.environ.get(var, "").strip().replace("_", "").replace(",", "")
    if not raw:
        return default
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
                example=default,
            ),
        )
    return int(m.group(1)) * _SUFFIX[m.group(2) or ""]


@dataclass(frozen=True)
class Limits:
    """Caps that protect the server from files too large to analyse interactively.

    Defaults: 200 MB per file, 2,000,000 rows, 2,000 columns, 1 GB of uncompressed
    workbook content, a compression ratio of 200 for any large workbook member and
    50,000,000 cells in the grid a worksheet spans (``churn.io.guard`` checks it before
    the workbook is opened). All but the ratio can be changed with the environment variables
    ``CHURNLENS_MAX_BYTES``, ``CHURNLENS_MAX_ROWS``, ``CHURNLENS_MAX_COLS``,
    ``CHURNLENS_MAX_UNCOMPRESSED_BYTES`` and ``CHURNLENS_MAX_CELLS`` (read when a
    ``Limits()`` is created; sizes accept ``MB``/``GB`` suffixes).
    """

    max_bytes: int = field(default_factory=lambda: _env_int("max_bytes"))
    max_rows: int = field(default_factory=lambda: _env_int("max_rows"))
    max_cols: int = field(default_factory=lambda: _env_int("max_cols"))
    max_uncompressed_bytes: int = field(default_factory=lambda: _env_int("max_uncompressed_bytes"))
    max_compression_ratio: float = 200.0
    max_cells: int = field(default_factory=lambda: _env_int("max_cells"))


def size_text(n: float) -> str:
    """``n`` bytes in words: "1.5 GB", "200.0 MB", "12 KB" or "512 bytes" (decimal units)."""
    if n >= 1000 * MB:
        return f"{n / (1000 * MB):,.1f} GB"
    if n >= MB:
        return f"{n / MB:,.1f} MB"
    if n >= 1000:
        return f"{n / 1000:,.0f} KB"
    return msg("{n:,} bytes", n=int(n))


def cap_error(actual: str, limit: str, key: str, example: int) -> ChurnDataError:
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


def rows_text(n: int) -> Text:
    """E.g. "2,500 rows" (for :func:`cap_error`)."""
    return msg("{n:,} rows", n=n)


def columns_text(n: int) -> Text:
    """E.g. "2,500 columns" (for :func:`cap_error`)."""
    return msg("{n:,} columns", n=n)


def bytes_limit(limits: Limits) -> Text | str:
    """The byte cap of ``limits`` in words (for :func:`cap_error`)."""
    return size_text(limits.max_bytes)  # "200.0 MB" (was "200.0 MB bytes")


#: The most characters of a file (or of a library's error text, which can quote the file)
#: that one message placeholder holds.
SNIPPET = 80


def snip(value: Any, limit: int = SNIPPET) -> str:
    """``value`` as one short printable line for a message.

    Line breaks, tabs, control and invisible format characters become spaces, runs of
    spaces one space, and text over ``limit`` characters is cut with an ellipsis. Every
    message that quotes a file's content, or a parser's error about it, quotes it so.
    """
    text = str(value)[: limit * 4]  # enough to fill ``limit`` after cleaning
    text = "".join(c if c.isprintable() else " " for c in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
