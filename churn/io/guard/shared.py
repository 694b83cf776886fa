"""Helpers shared by the workbook checks: zip members streamed a few MB at a time, cell
references read the way calamine reads them, and the tags of small index parts."""

from __future__ import annotations

import html
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator

import numpy as np

CHUNK = 1 << 22  # decompressed bytes handled at once
PAD = 80  # zero bytes after a chunk, so fixed-size look-aheads never leave the array

TAG_END = np.zeros(256, dtype=bool)  # what may follow a tag name
TAG_END[list(b" \t\r\n/>")] = True
SPACE = np.zeros(256, dtype=bool)
SPACE[list(b" \t\r\n")] = True
NONE = np.zeros(0, dtype=np.int64)


def chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's decompressed bytes, a few MB at a time; stops quietly on a damaged
    stream (calamine cannot read past the damage either). Deflated members are inflated
    directly (zipfile's per-block checksum is skipped: nothing here trusts the data)."""
    fp = zf.fp
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 1 or fp is None:
        yield from _chunks_zipfile(zf, info)
        return
    fp.seek(info.header_offset)
    local = fp.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        return
    fp.seek(info.header_offset + 30 + sum(struct.unpack_from("<HH", local, 26)))
    left = info.compress_size
    inflate = zlib.decompressobj(-15)
    pending = b""
    try:
        while True:
            if not pending and left > 0:
                pending = fp.read(min(left, 1 << 20))
                left -= len(pending)
                if not pending:
                    return
            block = inflate.decompress(pending, CHUNK)
            pending = inflate.unconsumed_tail
            if block:
                yield block
            elif inflate.eof or left <= 0 and not pending:
                return
    except zlib.error:
        return


def _chunks_zipfile(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    try:
        with zf.open(info) as f:
            while True:
                block = f.read(CHUNK)
                if not block:
                    return
                yield block
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError):
        return


def parse_ref(text: bytes) -> tuple[int, int] | None:
    """(row, column), 1-based, of a cell reference read the way calamine reads it.

    Letters (either case) then digits, accumulated in 32 bits as calamine does; ``None``
    when calamine would reject it (then it stops reading the sheet: no grid is built).
    """
    col = row = 0
    i, n = 0, len(text)
    while i < n and (65 <= (text[i] & 0xDF) <= 90):
        col = (col * 26 + (text[i] & 0xDF) - 64) & 0xFFFFFFFF
        i += 1
    if i == n or not 48 <= text[i] <= 57:
        return None
    while i < n:
        if not 48 <= text[i] <= 57:
            return None
        row = (row * 10 + text[i] - 48) & 0xFFFFFFFF
        i += 1
    if row == 0 or col == 0:
        return None
    return row, col


def zip_members(zf: zipfile.ZipFile) -> dict[str, list[zipfile.ZipInfo]]:
    """Lower-case, forward-slash name -> members (calamine looks names up this way; a
    name held twice, in any case, is checked in every copy)."""
    out: dict[str, list[zipfile.ZipInfo]] = {}
    for info in zf.infolist():
        out.setdefault(info.filename.replace("\\", "/").lower(), []).append(info)
    return out


def read_small(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo] | None) -> str:
    """Small index parts as text, every copy joined ('' if absent or unreadable)."""
    out = []
    for info in infos or ():
        try:
            out.append(zf.read(info).decode("utf-8", "replace"))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError):
            continue
    return "\n".join(out)


def find_tags(text: str, name: str) -> Iterator[str]:
    """The attribute text of every ``<name ...>`` tag (any prefix; quotes respected)."""
    pattern = rf"<(?:[\w.-]+:)?{name}\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    for m in re.finditer(pattern, text):
        yield m.group(1)


def attribute(tag: str, name: str, prefix: bool = False) -> str | None:
    """The (unescaped) value of attribute ``name``; ``prefix``: any ``p:name`` too."""
    pre = r"(?:[\w.-]+:)?" if prefix else ""
    m = re.search(rf"""(?:^|[\s"']){pre}{name}\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag)
    if m is None:
        return None
    return html.unescape(m.group(1) if m.group(1) is not None else m.group(2))
