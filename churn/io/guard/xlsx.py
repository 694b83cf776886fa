"""XLSX/XLSM: the extent of every worksheet part, streamed (numpy on the plain form
every common writer uses, expat for anything else); the shared-text count is checked.

A cell counts when it has a value, formula or inline text child; a styled empty cell is
formatting, not data. The declared ``<dimension ref>`` is ignored.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from typing import Any
from xml.parsers import expat

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from churn.io.guard import shared
from churn.io.guard.extent import Extent, damaged
from churn.io.guard.shared import (
    NONE,
    PAD,
    TAG_END,
    attribute,
    chunks,
    find_tags,
    parse_ref,
    read_small,
    zip_members,
)
from churn.text import msg


def _xlsx_parts(zf: zipfile.ZipFile) -> tuple[list[tuple[set[str], zipfile.ZipInfo]], list[str]]:
    """(names, part) for every sheet part, and the folders the workbook may live in.

    Follows calamine: the workbook's folder comes from ``_rels/.rels``; a sheet's target is
    relative to it unless absolute. The part found the ordinary way (``../`` resolved) is
    taken too, and every copy of a name, so whichever part calamine opens is checked.
    """
    members = zip_members(zf)
    bases = []
    for tag in find_tags(read_small(zf, members.get("_rels/.rels")), "Relationship"):
        typ, target = attribute(tag, "Type"), attribute(tag, "Target")
        if typ and target and typ.endswith("/relationships/officeDocument"):
            bases.append(target[: target.rfind("/") + 1].removeprefix("/"))
    bases = list(dict.fromkeys([*bases, "xl/"]))
    out: list[tuple[set[str], zipfile.ZipInfo]] = []
    for base in bases:
        targets: dict[str, list[str]] = {}
        for tag in find_tags(
            read_small(zf, members.get(f"{base}_rels/workbook.xml.rels".lower())), "Relationship"
        ):
            rid, typ, target = (
                attribute(tag, "Id"),
                attribute(tag, "Type") or "",
                attribute(tag, "Target"),
            )
            kind = typ.rsplit("/", 1)[-1]
            if rid is not None and target and kind in ("worksheet", "chartsheet", "dialogsheet"):
                targets.setdefault(rid, []).append(target)
        names: dict[str, set[str]] = {}
        for tag in find_tags(read_small(zf, members.get(f"{base}workbook.xml".lower())), "sheet"):
            rid, name = attribute(tag, "id", prefix=True), attribute(tag, "name")
            if rid is not None and name is not None:
                names.setdefault(rid, set()).add(name)
        for rid, paths in targets.items():
            for target in paths:
                direct = target[1:] if target.startswith("/") else base + target
                tidy = posixpath.normpath(posixpath.join("/" + base, target)).lstrip("/")
                for path in dict.fromkeys((direct, tidy)):
                    for info in members.get(path.replace("\\", "/").lower(), ()):
                        known = next((n for n, i in out if i is info), None)
                        if known is None:
                            out.append((set(names.get(rid, ())), info))
                        else:
                            known |= names.get(rid, set())
    return out, bases


def xlsx_extents(data: bytes, sheet: str | None) -> list[Extent]:
    """The extent of each worksheet part (only ``sheet``'s when it is named and found)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return []
    members = zip_members(zf)
    parts, bases = _xlsx_parts(zf)
    for base in bases:
        for info in members.get(f"{base}sharedStrings.xml".lower(), ()):
            _check_shared_strings(zf, info)
    if not parts:  # no sheet found the way calamine finds them: look at every XML part
        skip = ("[content_types].xml", "sharedstrings.xml", "styles.xml", "workbook.xml")
        parts = [
            (set(), info)
            for info in zf.infolist()
            if info.filename.lower().endswith(".xml")
            and not info.filename.lower().endswith(skip)
            and "/_rels/" not in "/" + info.filename.lower()
        ]
    # binary (XLSB) sheet parts are not checked here
    parts = [(names, info) for names, info in parts if not info.filename.lower().endswith(".bin")]
    if sheet is not None:  # only the sheet that will be read (calamine opens sheets lazily)
        parts = [(names, info) for names, info in parts if sheet in names] or parts
    return [_xlsx_sheet(zf, info, min(names) if names else info.filename) for names, info in parts]


class _Found(Exception):
    pass


def _check_shared_strings(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """calamine reserves room for ``<sst uniqueCount>`` strings up front: refuse a count
    the part cannot hold (each entry takes at least 5 bytes, ``<si/>``)."""
    found: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if name.rsplit(":", 1)[-1] == "sst":
            found.append(attrs.get("uniqueCount", ""))
            raise _Found

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        for block in chunks(zf, info):
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except (_Found, expat.ExpatError):
        pass
    count = found[0].strip() if found else ""
    if count.isdigit() and int(count) > info.file_size // 5 + 1:
        raise damaged(
            msg(
                "its shared-text part claims {n:,} entries but is only {size:,} bytes long",
                n=int(count),
                size=info.file_size,
            )
        )


def _xlsx_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> Extent:
    """The values of one worksheet part, read with :func:`_cells_fast` chunk by chunk
    (or with expat when the XML is in a form that reader does not take)."""
    ext = Extent(name)
    tail = b""
    for block in chunks(zf, info):
        buf = tail + block
        # cut before the last cell or row tag: every cell before the cut is whole
        cut = max(buf.rfind(b"<c "), buf.rfind(b"<row"), buf.rfind(b"</sheetData"))
        if cut <= 0:
            cut = buf.rfind(b"<")
        if cut > 0:
            found = _cells_fast(buf, cut)
            if found is None:
                return _xlsx_sheet_exact(zf, info, name)
            ext.add_cells(*found)
            buf = buf[cut:]
        tail = buf
        if len(tail) > 16 * shared.CHUNK:  # no tag boundary for 64 MB: not the usual XML
            return _xlsx_sheet_exact(zf, info, name)
    if tail:
        found = _cells_fast(tail, len(tail))
        if found is None:
            return _xlsx_sheet_exact(zf, info, name)
        ext.add_cells(*found)
    return ext


_WIN = 40  # bytes of each cell tag looked at in bulk; longer tags are looked at one by one
_LT_C, _COLON_C = 0x633C, 0x633A  # "<c" and ":c" read as little-endian 16-bit numbers


def _cells_fast(buf: bytes, stop: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Rows and columns (1-based) of the cells with a value that start before ``stop``.

    Reads the plain form every common writer uses: unprefixed ``<c r="A1" ...>`` tags
    with ``r`` first. ``None`` = another form (the exact reader runs instead). A cell is
    empty only when its start tag provably ends where it seems to (quotes balanced) and
    it is self-closing or closed right away by ``</c>``; anything else counts as a value.
    The first bytes of the cell tags are laid out one row per offset (``t[j]``: byte ``j``
    of every tag), so each step is a pass over contiguous memory.
    """
    n = len(buf)
    a = np.frombuffer(buf + bytes(PAD), dtype=np.uint8)
    # every "<c" and ":c" (16-bit scans, one per byte offset), then the tags among them
    even = np.frombuffer(buf, dtype="<u2", count=n // 2)
    odd = np.frombuffer(buf, dtype="<u2", count=(n - 1) // 2, offset=1)
    colon = np.concatenate(
        (np.flatnonzero(even == _COLON_C) * 2, np.flatnonzero(odd == _COLON_C) * 2 + 1)
    )
    if TAG_END[a[colon + 2]].any():  # a prefixed cell such as <x:c (or text like it)
        return None
    p = np.concatenate((np.flatnonzero(even == _LT_C) * 2, np.flatnonzero(odd == _LT_C) * 2 + 1))
    p = p[(p < stop) & TAG_END[a[p + 2]]]
    if not len(p):
        return NONE, NONE
    t = np.ascontiguousarray(sliding_window_view(a, _WIN)[p].T)  # t[j]: byte j of each tag
    if not ((t[2] == 32) & (t[3] == 114) & (t[4] == 61) & (t[5] == 34)).all():
        return None
    # The reference: one to three letters, up to seven digits, then the quote.
    up = t[6:10] & 0xDF
    is_letter = (up >= 65) & (up <= 90)
    l2 = is_letter[0] & is_letter[1]
    l3 = l2 & is_letter[2]
    col = up[0].astype(np.int32) - 64
    col = np.where(l2, col * 26 + up[1] - 64, col)
    col = np.where(l3, col * 26 + up[2] - 64, col)
    first_digit = 7 + l2.astype(np.int8) + l3
    quote = np.zeros(len(p), dtype=np.int8)  # where the reference's closing quote is
    for j in range(7, 17):
        np.copyto(quote, j, where=(t[j] == 34) & (quote == 0))
        if quote.all():
            break
    k = np.arange(7, 17, dtype=np.int8)[:, None]
    in_digits = (k >= first_digit) & (k < quote)
    digit = t[7:17].astype(np.int32) - 48
    bad = ~is_letter[0] | (l3 & is_letter[3]) | (quote == 0) | (quote == first_digit)
    bad |= (in_digits & ((digit < 0) | (digit > 9))).any(axis=0)
    row = np.zeros(len(p), dtype=np.int32)
    for j in range(10):
        row = np.where(in_digits[j], row * 10 + digit[j], row)
    # The start tag's end: the first '>' (trusted below only where it matters).
    end = np.zeros(len(p), dtype=np.int8)
    for j in range(8, _WIN - 1):
        np.copyto(end, j, where=(t[j] == 62) & (end == 0))
        if j > 16 and end.all():
            break
    long = end == 0
    # Another attribute named r after the reference (calamine would keep that one).
    top = int(end.max())
    if top > 10:
        after = t[10 : top + 1]
        key_r = (t[9:top] == 114) & ((after == 61) | (after == 32) | ((after >= 9) & (after <= 13)))
        if (key_r & (np.arange(9, top, dtype=np.int8)[:, None] < end)).any():
            return None
    # A value, or padding?
    at = p + end
    blank = ~long & (
        (a[at - 1] == 47)  # <c .../>
        | ((a[at + 1] == 60) & (a[at + 2] == 47) & (a[at + 3] == 99) & (a[at + 4] == 62))
    )
    if blank.any():  # that '>' ends the tag only if no quote is open before it
        b = np.flatnonzero(blank)
        tb = sliding_window_view(a, _WIN)[p[b]]
        before = np.arange(_WIN) < end[b, None]
        open_quote = (((tb == 34) & before).sum(axis=1) % 2 == 1) | ((tb == 39) & before).any(1)
        blank[b[open_quote]] = False
    keep = ~blank & ~bad & ~long
    out_rows, out_cols = row[keep], col[keep]
    extra = [_cell_one(buf, int(i)) for i in p[~blank & (bad | long)]]
    extra = [ref for ref in extra if ref is not None]
    if extra:
        out_rows = np.concatenate((out_rows, np.array([r for r, _ in extra], dtype=np.int64)))
        out_cols = np.concatenate((out_cols, np.array([c for _, c in extra], dtype=np.int64)))
    return out_rows, out_cols


_CELL_TAG = re.compile(rb"""<c((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_CELL_ATTR = re.compile(rb"""\s*([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _cell_one(buf: bytes, at: int) -> tuple[int, int] | None:
    """One cell tag read slowly (long tag or unusual reference): its position when it
    may hold a value, ``None`` when it is padding or calamine would reject it."""
    m = _CELL_TAG.match(buf, at)
    if m is None:
        return parse_ref(buf[at + 6 : max(buf.find(b'"', at + 6), at + 6)])  # malformed: keep
    ref = None
    for attr in _CELL_ATTR.finditer(m.group(1)):
        if attr.group(1) == b"r":
            ref = attr.group(2) if attr.group(2) is not None else attr.group(3)
    pos = parse_ref(ref) if ref is not None else None
    after = buf[m.end() : m.end() + 4]
    if m.group(1).endswith(b"/") or after == b"</c>":
        return None
    return pos


def _xlsx_sheet_exact(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> Extent:
    """The sheet read with expat, placing cells the way calamine does: a cell without ``r``
    sits after the previous one, ``<row r>`` sets the row and ``</row>`` moves on."""
    ext = Extent(name)
    state: dict[str, Any] = {"row": 1, "col": 1, "cell": None, "value": False}
    rows: list[int] = []
    cols: list[int] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = tag.rsplit(":", 1)[-1]
        if state["cell"] is not None:
            state["value"] = True  # any child element (calamine reads v, is, f)
        elif local == "row" and "r" in attrs:
            ref = parse_ref(attrs["r"].encode()) or parse_ref(b"A" + attrs["r"].encode())
            if ref is not None:
                state["row"] = ref[0]
        elif local == "c":
            pos = parse_ref(attrs["r"].encode()) if "r" in attrs else None
            if pos is not None:
                state["col"] = pos[1]
            state["cell"] = pos or (state["row"], state["col"])
            state["value"] = False

    def end(tag: str) -> None:
        local = tag.rsplit(":", 1)[-1]
        if local == "c" and state["cell"] is not None:
            if state["value"]:
                rows.append(state["cell"][0])
                cols.append(state["cell"][1])
            state["cell"] = None
            state["col"] += 1
            if len(rows) >= 100_000:
                ext.add_cells(np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))
                rows.clear()
                cols.clear()
        elif local == "row" and state["cell"] is None:
            state["row"] += 1
            state["col"] = 1

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        for block in chunks(zf, info):
            parser.Parse(block, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise damaged(
            msg("the XML of sheet '{sheet}' is malformed ({reason})", sheet=name, reason=str(exc))
        ) from None
    ext.add_cells(np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))
    return ext
