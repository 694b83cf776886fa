"""XLS (BIFF records in an OLE2 compound file): the sector chains (a loop would make
calamine read forever), the DIMENSIONS record (calamine reserves rows x columns from it)
and every cell record of each sheet."""

from __future__ import annotations

import struct
from array import array

import numpy as np

from churn.errors import ChurnDataError
from churn.io.guard.extent import Extent, damaged
from churn.io.guard.shared import NONE
from churn.text import msg

#: The largest sheet an .xls can hold (BIFF8: 65,536 rows x 256 columns).
_XLS_MAX_AREA = 65_536 * 256

_ENDOFCHAIN = 0xFFFFFFFE
_RESERVED = 0xFFFFFFFA
_DIFSECT = 0xFFFFFFFC


class _Stop(Exception):
    """calamine would stop here with an error (not a crash): nothing more to check."""


def _loops() -> ChurnDataError:
    return damaged(msg("the internal structure of the .xls file loops or points outside it"))


def _u32s(block: bytes | memoryview) -> list[int]:
    return list(struct.unpack(f"<{len(block) // 4}I", block[: len(block) // 4 * 4]))


def xls_extents(data: bytes) -> list[Extent]:
    """The extent of each sheet of the workbook stream ([] when calamine would refuse it)."""
    stream = _xls_stream(data)
    return [] if stream is None else _biff_extents(stream)


def _xls_stream(data: bytes) -> bytes | None:
    """The workbook stream, found the way calamine finds it; refuses a compound file whose
    sector chains loop (calamine would read them forever) or that makes it reserve a
    huge table up front."""
    if len(data) < 512 or data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return None
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if shift not in (9, 12) or mini_shift != 6:
        return None  # calamine refuses these itself
    size = 1 << shift
    version = struct.unpack_from("<H", data, 26)[0]
    dir_start = struct.unpack_from("<I", data, 48)[0]
    mini_fat_start, mini_fat_len, difat_start = struct.unpack_from("<III", data, 60)
    if struct.unpack_from("<I", data, 62)[0] > 1 << 26:  # calamine reserves this many u32s
        raise _loops()
    body = memoryview(data)[512 if shift == 9 else 4096 :]
    max_id = len(data) // size

    def sector(i: int) -> memoryview:
        if i > max_id:
            raise _Stop
        return body[i * size : i * size + size]

    def chain(start: int, length: int, table: list[int], get) -> bytes:
        out, got, sid, seen = [], 0, start, set()
        while sid != _ENDOFCHAIN:
            if sid in seen:
                raise _loops()
            seen.add(sid)
            part = get(sid)
            take = min(len(part), length - got)
            out.append(bytes(part[:take]))
            got += take
            if got >= length:
                break
            if sid >= len(table):
                raise _Stop
            sid = table[sid]
        return b"".join(out)

    try:
        difat = list(struct.unpack_from("<109I", data, 76))
        sid, seen = difat_start, set()
        while sid < _RESERVED:
            if sid in seen:
                raise _loops()
            seen.add(sid)
            difat += _u32s(sector(sid))
            sid = difat.pop()
        fat_ids = [i for i in difat if i < _DIFSECT]
        if len(fat_ids) > max_id + 1:  # more FAT sectors than the file has sectors
            raise _loops()
        fat = [x for i in fat_ids for x in _u32s(sector(i))]
        raw = chain(dir_start, 1 << 62, fat, sector)
        dirs = []
        for off in range(0, len(raw) - 127, 128):
            name = raw[off : off + 64].decode("utf-16-le", "replace").split("\x00", 1)[0]
            start = struct.unpack_from("<I", raw, off + 116)[0]
            length = struct.unpack_from("<I" if shift == 9 else "<Q", raw, off + 120)[0]
            dirs.append((name, start, length))
        if not dirs or (version != 3 and dirs[0][1] == _ENDOFCHAIN):
            return None
        mini, mini_fat = b"", []
        if mini_fat_len > 0:
            mini = chain(dirs[0][1], dirs[0][2], fat, sector)
            mini_fat = _u32s(chain(mini_fat_start, mini_fat_len * size, fat, sector))

        def mini_sector(i: int) -> bytes:
            if i * 64 + 64 > len(mini):  # calamine would read past the mini stream
                raise _loops()
            return mini[i * 64 : i * 64 + 64]

        for wanted in ("Workbook", "Book", "WORKBOOK", "BOOK"):
            entry = next((d for d in dirs if d[0] == wanted), None)
            if entry is not None:
                _, start, length = entry
                if length < 4096:
                    return chain(start, length, mini_fat, mini_sector)
                return chain(start, length, fat, sector)
    except (_Stop, struct.error):
        return None
    return None


# Number, Label, RString, BoolErr, RK, LabelSst, Formula: row and column in the first 4
# bytes of the record (calamine builds its grids from these, and MulRk below).
_CELL_RECORDS = np.array([0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006])
_BOF, _EOF, _MULRK, _DIMENSIONS, _BOUNDSHEET, _FILEPASS = 0x0809, 0x000A, 0x00BD, 0x0200, 0x85, 0x2F


def _records(stream: bytes, start: int) -> np.ndarray:
    """Offsets of the records from ``start`` to the end of the stream (the walk is the
    only step that has to go record by record, so it does nothing else)."""
    out = array("q")
    add = out.append
    pos, n = start, len(stream) - 3
    while pos < n:
        add(pos)
        pos += 4 + stream[pos + 2] + 256 * stream[pos + 3]
    offs = np.frombuffer(out, dtype=np.int64) if len(out) else NONE
    # a record running past the end stops calamine with an error: drop it
    if len(offs):
        last = offs[-1] + 4 + (stream[offs[-1] + 2] | stream[offs[-1] + 3] << 8)
        if last > len(stream):
            offs = offs[:-1]
    return offs


def _biff_extents(stream: bytes) -> list[Extent]:
    padded = stream + bytes(16)
    u16 = np.ndarray((len(stream) + 8,), dtype="<u2", buffer=padded, strides=(1,))
    offs = _records(stream, 0)
    typ = u16[offs]
    end = np.flatnonzero(typ == _EOF)
    globals_ = offs[: end[0] if len(end) else len(offs)]
    g_typ = u16[globals_]
    for at in globals_[g_typ == _FILEPASS]:
        if u16[at + 2] >= 2 and u16[at + 4] != 0:
            return []  # encrypted: calamine refuses it (a password error)
    sheets = []
    for at in globals_[(g_typ == _BOUNDSHEET) & (u16[globals_ + 2] >= 4)]:
        size = int(u16[at + 2])
        rec = stream[at + 4 : at + 4 + size]
        sheets.append((struct.unpack_from("<I", rec)[0], _sheet_name(rec)))
    out = []
    for at, name in sheets:
        if at >= len(stream):
            continue
        i = int(np.searchsorted(offs, at))
        mine = offs[i:] if i < len(offs) and offs[i] == at else _records(stream, at)
        out.append(_biff_sheet(stream, u16, mine, name))
    return out


def _sheet_name(rec: bytes) -> str:
    """BoundSheet8's name (BIFF8); a best effort for older versions."""
    cch = rec[6] if len(rec) > 6 else 0
    if len(rec) > 7 and rec[7] & 1:
        return rec[8 : 8 + 2 * cch].decode("utf-16-le", "replace")
    return rec[8 : 8 + cch].decode("latin-1")


def _biff_sheet(stream: bytes, u16: np.ndarray, offs: np.ndarray, name: str) -> Extent:
    """The cells of one sheet substream, skipping embedded substreams as calamine does:
    the sheet's own BOF opens it, a later BOF nests, and the first EOF outside any
    nested substream ends it."""
    typ = u16[offs]
    bof, eof = typ == _BOF, typ == _EOF
    level = np.cumsum(bof.astype(np.int64) - eof)
    before = level - bof + eof  # nesting level when the record is read
    stops = np.flatnonzero(eof & (before <= 1))
    upto = stops[0] if len(stops) else len(offs)
    offs, typ, before = offs[:upto], typ[:upto], before[:upto]
    outside = before <= 1
    size = u16[offs + 2]
    for at in offs[outside & (typ == _DIMENSIONS)]:
        _check_dimensions(stream[at + 4 : at + 4 + int(u16[at + 2])], name)
    cell = outside & np.isin(typ, _CELL_RECORDS) & (size >= 4)
    runs = outside & (typ == _MULRK) & (size >= 12)
    rows = np.concatenate((u16[offs[cell] + 4], u16[offs[runs] + 4])).astype(np.int64) + 1
    first = u16[offs[runs] + 6].astype(np.int64)
    width = (size[runs].astype(np.int64) - 6) // 6
    cols = np.concatenate((u16[offs[cell] + 6], first + width - 1)).astype(np.int64) + 1
    ext = Extent(name)
    if len(rows):
        lefts = np.concatenate((cols[: int(cell.sum())], first + 1))
        i, j = int(np.argmax(rows)), int(np.argmax(cols))
        ext.add_box(
            int(rows.min()),
            int(rows[i]),
            int(lefts.min()),
            int(cols[j]),
            int(cell.sum() + width.sum()),
            (int(rows[i]), int(cols[i])),
            (int(rows[j]), int(cols[j])),
        )
    return ext


def _check_dimensions(rec: bytes, sheet: str) -> None:
    """calamine reserves rows x columns cells from the DIMENSIONS record, before any cell."""
    if len(rec) == 10:
        rf, rl, cf, cl = struct.unpack_from("<HHHH", rec)
    elif len(rec) == 14:
        rf, rl, cf, cl = struct.unpack_from("<IIHH", rec)
    else:
        return
    if cf > 0xFF or cl < cf:
        cf = 0
    if rl < 1 or cl < 1:
        return
    rows = (rl - 1 - rf + 1) & 0xFFFFFFFF  # calamine's 32-bit arithmetic
    cols = (cl - 1 - cf + 1) & 0xFFFFFFFF
    if rows * cols > _XLS_MAX_AREA:
        raise damaged(
            msg(
                "sheet '{sheet}' declares {area:,} cells in its size record, more than an "
                ".xls sheet can hold",
                sheet=sheet,
                area=rows * cols,
            )
        )
